// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libvcmdq: the slow path.  One ops table per transport, chosen at
 * vcmdq_open(): ioctl(), or IORING_OP_URING_CMD through the context's ring
 * with the batches of one call linked (IOSQE_IO_LINK), so they run in
 * order and a failed batch cancels the rest.
 */
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "internal.h"

static int ioctl_invalidate(struct vcmdq_ctx *ctx, struct vcmdq_invalidate *reqs,
			    unsigned int n, unsigned int *failed)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (ioctl(ctx->fd, VCMDQ_INVALIDATE, &reqs[i])) {
			*failed = i;
			return -errno;
		}
	return 0;
}

const struct vcmdq_slow_ops vcmdq_ioctl_ops = {
	.name = "ioctl",
	.invalidate = ioctl_invalidate,
};

/* The ring has 8 entries: at most 8 linked batches per submission. */
#define URING_BATCHES	8

/*
 * An asynchronous request's private part (struct vcmdq_inv_req.__priv):
 * the kernel request, which the kernel reads at submission and writes
 * entry_num back into at completion, and the completed list's link.
 */
struct inv_req_priv {
	struct vcmdq_invalidate kreq;
	struct vcmdq_inv_req *next;
};
_Static_assert(sizeof(struct inv_req_priv) <=
	       sizeof(((struct vcmdq_inv_req *)0)->__priv),
	       "struct vcmdq_inv_req has room for the library's part");

static struct inv_req_priv *inv_priv(struct vcmdq_inv_req *req)
{
	return (struct inv_req_priv *)req->__priv;
}

/*
 * CQEs of synchronous calls carry the batch index (< URING_BATCHES); an
 * asynchronous request's carries its address, which is never that small.
 */
static bool cqe_is_async(const struct io_uring_cqe *cqe)
{
	return cqe->user_data >= URING_BATCHES;
}

/*
 * Fill in an asynchronous request's result from its CQE, as
 * vcmdq_invalidate() reports a batch: all entries on success; those before
 * the one that stopped it (the kernel's entry_num) for an entry's error;
 * none when the kernel refused the request as a whole.
 */
static struct vcmdq_inv_req *async_complete(struct vcmdq_ctx *ctx,
					    const struct io_uring_cqe *cqe)
{
	struct vcmdq_inv_req *req = (struct vcmdq_inv_req *)(uintptr_t)cqe->user_data;
	struct inv_req_priv *priv = inv_priv(req);
	int res = cqe->res;

	req->result = res;
	if (!res)
		req->num = priv->kreq.entry_num;
	else if (res == -EIO || res == -EREMOTE || res == -E2BIG)
		req->num = priv->kreq.entry_num;
	else
		req->num = 0;
	ctx->async_inflight--;
	return req;
}

/* Wake whoever polls vcmdq_invalidate_fd() (ring_lock). */
static void async_signal(struct vcmdq_ctx *ctx)
{
	uint64_t one = 1;

	if (ctx->async_efd >= 0 &&
	    write(ctx->async_efd, &one, sizeof(one)) != sizeof(one)) {
		/* Only at 2^64 - 2 unread wake-ups: it is readable anyway. */
	}
}

/* Keep a completion a synchronous call reaped for the next reap (ring_lock). */
static void async_stash(struct vcmdq_ctx *ctx, const struct io_uring_cqe *cqe)
{
	struct vcmdq_inv_req *req = async_complete(ctx, cqe);

	inv_priv(req)->next = NULL;
	*ctx->async_done_tail = req;
	ctx->async_done_tail = &inv_priv(req)->next;
	/* Its CQE is consumed: say so on the fd an event loop polls. */
	async_signal(ctx);
}

static int uring_run(struct vcmdq_ctx *ctx, struct vcmdq_invalidate *reqs,
		     unsigned int n, unsigned int *failed)
{
	int res[URING_BATCHES];
	unsigned int i, seen;
	int rc;

	for (i = 0; i < n; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&ctx->ring);
		struct vcmdq_uring_cmd payload = {
			.req_uptr = (uintptr_t)&reqs[i],
		};

		if (!sqe)
			return -EBUSY;	/* cannot happen: the ring is ours */
		io_uring_prep_rw(IORING_OP_URING_CMD, sqe, ctx->fd, NULL, 0, 0);
		sqe->cmd_op = VCMDQ_INVALIDATE;
		memcpy((uint8_t *)sqe + offsetof(struct io_uring_sqe, addr3),
		       &payload, sizeof(payload));
		sqe->user_data = i;
		if (i + 1 < n)
			sqe->flags |= IOSQE_IO_LINK;
		res[i] = -ECANCELED;
	}
	rc = io_uring_submit_and_wait(&ctx->ring, n);
	if (rc < 0)
		return rc;
	for (seen = 0; seen < n;) {
		struct io_uring_cqe *cqe;

		rc = io_uring_wait_cqe(&ctx->ring, &cqe);
		if (rc)
			return rc;
		if (cqe_is_async(cqe)) {
			/* An asynchronous request's: the next reap's. */
			async_stash(ctx, cqe);
		} else {
			if (cqe->user_data < n)
				res[cqe->user_data] = cqe->res;
			seen++;
		}
		io_uring_cqe_seen(&ctx->ring, cqe);
	}
	for (i = 0; i < n; i++)
		if (res[i]) {
			*failed = i;
			return res[i];
		}
	return 0;
}

static int uring_invalidate(struct vcmdq_ctx *ctx,
			    struct vcmdq_invalidate *reqs, unsigned int n,
			    unsigned int *failed)
{
	unsigned int done = 0;
	int rc = 0;

	pthread_mutex_lock(&ctx->ring_lock);
	while (done < n) {
		unsigned int k = n - done < URING_BATCHES ? n - done :
							    URING_BATCHES;

		rc = uring_run(ctx, reqs + done, k, failed);
		if (rc) {
			*failed += done;
			break;
		}
		done += k;
	}
	pthread_mutex_unlock(&ctx->ring_lock);
	return rc;
}

static void uring_fini(struct vcmdq_ctx *ctx)
{
	struct io_uring_cqe *cqe;

	/*
	 * The kernel writes each request's entry_num back into its caller's
	 * memory: wait for those in flight before the ring goes, so nothing
	 * is written after vcmdq_close() returned.
	 */
	while (ctx->async_inflight && !io_uring_wait_cqe(&ctx->ring, &cqe)) {
		if (cqe_is_async(cqe))
			async_complete(ctx, cqe);
		io_uring_cqe_seen(&ctx->ring, cqe);
	}
	io_uring_queue_exit(&ctx->ring);
	if (ctx->async_efd >= 0)
		close(ctx->async_efd);
}

const struct vcmdq_slow_ops vcmdq_uring_ops = {
	.name = "io_uring",
	.invalidate = uring_invalidate,
	.fini = uring_fini,
};

#define MAX_REQS	64

VCMDQ_EXPORT int vcmdq_invalidate(struct vcmdq_viommu *v, uint32_t data_type,
				  const void *entries, uint32_t entry_len,
				  uint32_t *num)
{
	struct vcmdq_invalidate reqs[MAX_REQS];
	const uint8_t *p = entries;
	uint32_t total, handled = 0;
	int rc;
	KEEP_ERRNO;

	if (!v || !num)
		return -EINVAL;
	total = *num;
	if (total && !entries)
		return -EINVAL;
	do {
		unsigned int n = 0, failed = 0, i;
		uint32_t queued = handled;

		/* Up to MAX_REQS batches of at most MAX_ENTRIES each. */
		do {
			uint32_t k = total - queued;

			if (k > VCMDQ_INVALIDATE_MAX_ENTRIES)
				k = VCMDQ_INVALIDATE_MAX_ENTRIES;
			reqs[n++] = (struct vcmdq_invalidate){
				.size = sizeof(reqs[0]),
				.viommu_id = v->id,
				.data_type = data_type,
				.entry_len = entry_len,
				.entry_num = k,
				.data_uptr = k ? (uintptr_t)(p + (uint64_t)queued *
								       entry_len) :
						 0,
			};
			queued += k;
		} while (queued < total && n < MAX_REQS);
		rc = v->ctx->ops->invalidate(v->ctx, reqs, n, &failed);
		if (rc) {
			for (i = 0; i < failed; i++)
				handled += reqs[i].entry_num;
			/*
			 * An entry stopped the batch: the kernel's entry_num
			 * says how many before it ran.  Any other error
			 * refused the whole batch.
			 */
			if (rc == -EIO || rc == -EREMOTE || rc == -E2BIG)
				handled += reqs[failed].entry_num;
			*num = handled;
			return rc;
		}
		handled = queued;
	} while (handled < total);
	*num = handled;
	return 0;
}

VCMDQ_EXPORT int vcmdq_invalidate_probe(struct vcmdq_viommu *v,
					uint32_t data_type)
{
	uint32_t num = 0;

	return vcmdq_invalidate(v, data_type, NULL, 16, &num);
}

VCMDQ_EXPORT int vcmdq_invalidate_submit(struct vcmdq_viommu *v,
					 uint32_t data_type,
					 const void *entries,
					 uint32_t entry_len, uint32_t num,
					 struct vcmdq_inv_req *req)
{
	struct vcmdq_uring_cmd payload;
	struct io_uring_sqe *sqe;
	struct vcmdq_ctx *ctx;
	int rc;
	KEEP_ERRNO;

	if (!v || !entries || !req || !num ||
	    num > VCMDQ_INVALIDATE_MAX_ENTRIES)
		return -EINVAL;
	ctx = v->ctx;
	if (ctx->ops != &vcmdq_uring_ops)
		return -EOPNOTSUPP;
	pthread_mutex_lock(&ctx->ring_lock);
	if (ctx->async_inflight >= VCMDQ_INV_INFLIGHT_MAX) {
		rc = -EBUSY;
		goto out;
	}
	inv_priv(req)->kreq = (struct vcmdq_invalidate){
		.size = sizeof(struct vcmdq_invalidate),
		.viommu_id = v->id,
		.data_type = data_type,
		.entry_len = entry_len,
		.entry_num = num,
		.data_uptr = (uintptr_t)entries,
	};
	req->result = 0;
	req->num = 0;
	/* Submissions leave the SQ empty: a slot is always free here. */
	sqe = io_uring_get_sqe(&ctx->ring);
	if (!sqe) {
		rc = -EBUSY;
		goto out;
	}
	payload = (struct vcmdq_uring_cmd){
		.req_uptr = (uintptr_t)&inv_priv(req)->kreq,
	};
	io_uring_prep_rw(IORING_OP_URING_CMD, sqe, ctx->fd, NULL, 0, 0);
	sqe->cmd_op = VCMDQ_INVALIDATE;
	memcpy((uint8_t *)sqe + offsetof(struct io_uring_sqe, addr3), &payload,
	       sizeof(payload));
	io_uring_sqe_set_data64(sqe, (uintptr_t)req);
	/*
	 * The guest's order: a request starts only once every request
	 * submitted before it completed, and later ones wait for it (a
	 * request the kernel could not finish inline runs from io-wq, where a
	 * later one could otherwise overtake it).  Not a link: a failure
	 * cancels nothing after it, the VMM decides.
	 */
	sqe->flags |= IOSQE_IO_DRAIN;
	rc = io_uring_submit(&ctx->ring);
	if (rc < 0)
		goto out;
	ctx->async_inflight++;
	rc = 0;
out:
	pthread_mutex_unlock(&ctx->ring_lock);
	return rc;
}

VCMDQ_EXPORT int vcmdq_invalidate_reap(struct vcmdq_ctx *ctx,
				       struct vcmdq_inv_req **done,
				       unsigned int max,
				       unsigned int min_complete,
				       unsigned int *nr)
{
	struct io_uring_cqe *cqe;
	unsigned int got = 0;
	int rc = 0;
	KEEP_ERRNO;

	if (!ctx || !done || !nr || min_complete > max)
		return -EINVAL;
	if (ctx->ops != &vcmdq_uring_ops)
		return -EOPNOTSUPP;
	pthread_mutex_lock(&ctx->ring_lock);
	/*
	 * Reset the fd before looking: a CQE posted after this signals it
	 * again, so a poller never misses one (it may wake for nothing).
	 */
	if (ctx->async_efd >= 0) {
		uint64_t count;

		if (read(ctx->async_efd, &count, sizeof(count)) < 0) {
			/* EAGAIN: nothing was signalled. */
		}
	}
	/* First what synchronous calls set aside, oldest first. */
	while (got < max && ctx->async_done) {
		struct vcmdq_inv_req *req = ctx->async_done;

		ctx->async_done = inv_priv(req)->next;
		if (!ctx->async_done)
			ctx->async_done_tail = &ctx->async_done;
		done[got++] = req;
	}
	if (min_complete > got + ctx->async_inflight)
		min_complete = got + ctx->async_inflight;
	while (got < max) {
		if (got < min_complete)
			rc = io_uring_wait_cqe(&ctx->ring, &cqe);
		else
			rc = io_uring_peek_cqe(&ctx->ring, &cqe);
		if (rc) {
			/* Nothing more without waiting: not an error. */
			if (rc == -EAGAIN && got >= min_complete)
				rc = 0;
			break;
		}
		/* Only ours remain: every synchronous call reaped its own. */
		if (cqe_is_async(cqe))
			done[got++] = async_complete(ctx, cqe);
		io_uring_cqe_seen(&ctx->ring, cqe);
	}
	/* @max left some: keep the fd readable for them. */
	if (ctx->async_done || io_uring_cq_ready(&ctx->ring))
		async_signal(ctx);
	pthread_mutex_unlock(&ctx->ring_lock);
	*nr = got;
	return rc;
}

VCMDQ_EXPORT int vcmdq_invalidate_fd(struct vcmdq_ctx *ctx)
{
	int rc;
	KEEP_ERRNO;

	if (!ctx)
		return -EINVAL;
	if (ctx->ops != &vcmdq_uring_ops)
		return -EOPNOTSUPP;
	pthread_mutex_lock(&ctx->ring_lock);
	/*
	 * Not the ring's own fd: a completion a synchronous call reaped for
	 * vcmdq_invalidate_reap() has left the CQ, and the ring's fd would
	 * not show it.  Registered on first use, so contexts that never poll
	 * pay no eventfd write per CQE.
	 */
	if (ctx->async_efd < 0) {
		int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

		if (efd < 0) {
			rc = -errno;
			goto out;
		}
		rc = io_uring_register_eventfd(&ctx->ring, efd);
		if (rc) {
			close(efd);
			goto out;
		}
		ctx->async_efd = efd;
		/* What is already waiting. */
		if (ctx->async_done || io_uring_cq_ready(&ctx->ring))
			async_signal(ctx);
	}
	rc = ctx->async_efd;
out:
	pthread_mutex_unlock(&ctx->ring_lock);
	return rc;
}
