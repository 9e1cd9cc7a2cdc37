// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libvcmdq: the slow path.  One ops table per transport, chosen at
 * vcmdq_open(): ioctl(), or IORING_OP_URING_CMD through the context's ring
 * with the batches of one call linked (IOSQE_IO_LINK), so they run in
 * order and a failed batch cancels the rest.
 */
#include <string.h>
#include <sys/ioctl.h>

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
	for (seen = 0; seen < n; seen++) {
		struct io_uring_cqe *cqe;

		rc = io_uring_wait_cqe(&ctx->ring, &cqe);
		if (rc)
			return rc;
		if (cqe->user_data < n)
			res[cqe->user_data] = cqe->res;
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
	io_uring_queue_exit(&ctx->ring);
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
