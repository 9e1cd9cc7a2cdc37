// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/* libvcmdq: vIOMMUs, vDEVICEs, queues (the BASE rule), event queues. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

VCMDQ_EXPORT int vcmdq_viommu_create(struct vcmdq_ctx *ctx,
				     uint32_t instance_id,
				     struct vcmdq_viommu **out)
{
	struct vcmdq_viommu_alloc a = { .size = sizeof(a) };
	const struct vcmdq_instance *in;
	struct vcmdq_viommu *v;
	int rc;
	KEEP_ERRNO;

	/* An info-only context has no stage-2 to build on. */
	if (!ctx || !out || !ctx->s2_id)
		return -EINVAL;
	in = vcmdq_ctx_instance(ctx, instance_id);
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->ctx = ctx;
	v->eventq_fd = -1;
	v->instance_id = instance_id;
	v->nq = in ? in->queues_per_viommu : 0;
	v->q = calloc(v->nq + 1, sizeof(*v->q));
	if (!v->q) {
		free(v);
		return -ENOMEM;
	}
	a.instance_id = instance_id;
	a.s2_id = ctx->s2_id;
	pthread_mutex_lock(&ctx->lock);
	if (ioctl(ctx->fd, VCMDQ_VIOMMU_ALLOC, &a)) {
		rc = -errno;
		goto fail;
	}
	v->id = a.out_viommu_id;
	v->tag = a.out_tag;
	if (a.out_mmap_length) {
		void *p = mmap(NULL, a.out_mmap_length, PROT_READ | PROT_WRITE,
			       MAP_SHARED, ctx->fd, a.out_mmap_offset);

		if (p == MAP_FAILED) {
			rc = -errno;
			vcmdq_destroy_id(ctx, v->id);
			goto fail;
		}
		v->ctrl = p;
		v->ctrl_len = a.out_mmap_length;
	}
	v->next = ctx->viommus;
	ctx->viommus = v;
	pthread_mutex_unlock(&ctx->lock);
	*out = v;
	return 0;
fail:
	pthread_mutex_unlock(&ctx->lock);
	free(v->q);
	free(v);
	return rc;
}

/*
 * Publish the number of bound queues (the prefix 0 .. n - 1), for
 * vcmdq_viommu_error_map(), which reads it without the context lock.
 * Release: pairs with load_nbound_acquire(), so a reader that counts a
 * queue as bound sees it after its QUEUE_ALLOC returned.  Writers hold the
 * context lock.
 */
static void store_nbound_release(struct vcmdq_viommu *v, unsigned int n)
{
	__atomic_store_n(&v->nbound, n, __ATOMIC_RELEASE);
}

static unsigned int load_nbound_acquire(const struct vcmdq_viommu *v)
{
	return __atomic_load_n(&v->nbound, __ATOMIC_ACQUIRE);
}

/*
 * Read an error register (GERROR or GERRORN) of queue @index in the
 * control region.  Acquire: for GERROR it pairs with the engine's release
 * store that toggles it (kernel/engine.c, after CONS.ERR is written), for
 * GERRORN with the guest's release store of its acknowledgement
 * (__vcmdq_store_reg_release() in fastpath.h, or the guest's own driver),
 * so the caller sees the CONS.ERR and the fixed entry they published.
 */
static uint32_t ctrl_load_err_acquire(const struct vcmdq_viommu *v,
				      unsigned int index, unsigned int off)
{
	const uint32_t *reg = (const uint32_t *)((const char *)v->ctrl +
						 index * VCMDQ_CTRL_QUEUE_STRIDE +
						 off);

	return __atomic_load_n(reg, __ATOMIC_ACQUIRE);
}

static int unbind_top(struct vcmdq_viommu *v)
{
	struct vcmdq_qslot *s = &v->q[v->nbound - 1];
	int rc = vcmdq_destroy_id(v->ctx, s->queue_id);

	if (rc)
		return rc;
	s->bound = false;
	s->queue_id = 0;
	store_nbound_release(v, v->nbound - 1);
	return 0;
}

static int bind_next(struct vcmdq_viommu *v)
{
	struct vcmdq_qslot *s = &v->q[v->nbound];
	struct vcmdq_queue_alloc a = {
		.size = sizeof(a),
		.viommu_id = v->id,
		.index = v->nbound,
		.gpa = s->gpa,
		.length = (uint64_t)VCMDQ_CMD_ENTRY_SIZE << s->log2size,
	};

	if (ioctl(v->ctx->fd, VCMDQ_QUEUE_ALLOC, &a))
		return -errno;
	s->bound = true;
	s->queue_id = a.out_queue_id;
	s->bound_gpa = s->gpa;
	s->bound_log2size = s->log2size;
	store_nbound_release(v, v->nbound + 1);
	return 0;
}

/* Bind every wanted queue from the bound prefix's end, ascending. */
static int cascade_bind(struct vcmdq_viommu *v)
{
	while (v->nbound < v->nq && v->q[v->nbound].want) {
		int rc = bind_next(v);

		if (rc)
			return rc;
	}
	return 0;
}

/* Unbind, descending, the top queues nobody wants any more. */
static int cascade_unbind(struct vcmdq_viommu *v)
{
	while (v->nbound && !v->q[v->nbound - 1].want) {
		int rc = unbind_top(v);

		if (rc)
			return rc;
	}
	return 0;
}

VCMDQ_EXPORT int vcmdq_queue_set_base(struct vcmdq_viommu *v,
				      unsigned int index, uint64_t gpa,
				      unsigned int log2size)
{
	const struct vcmdq_instance *in;
	struct vcmdq_ctx *ctx;
	struct vcmdq_qslot *s;
	uint64_t len;
	int rc = 0;
	KEEP_ERRNO;

	if (!v)
		return -EINVAL;
	ctx = v->ctx;
	in = vcmdq_ctx_instance(ctx, v->instance_id);
	if (!v->ctrl || !in)
		return -EOPNOTSUPP;
	if (index >= v->nq || log2size < 1 ||
	    log2size > in->max_queue_log2size)
		return -EINVAL;
	len = (uint64_t)VCMDQ_CMD_ENTRY_SIZE << log2size;
	if (gpa & (len - 1))
		return -EINVAL;
	pthread_mutex_lock(&ctx->lock);
	if (!__vcmdq_mem_hva(ctx, gpa, len)) {
		rc = -ENOENT;
		goto out;
	}
	s = &v->q[index];
	if (index < v->nbound) {
		if (s->bound_gpa == gpa && s->bound_log2size == log2size) {
			s->want = true;
			s->gpa = gpa;
			s->log2size = log2size;
			goto out;
		}
		/* A moved queue: unbind down to it, rebind it and above. */
		while (v->nbound > index) {
			rc = unbind_top(v);
			if (rc)
				goto out;
		}
	}
	s->want = true;
	s->gpa = gpa;
	s->log2size = log2size;
	if (index == v->nbound) {
		rc = bind_next(v);
		if (rc) {
			s->want = false;
			goto out;
		}
	}
	rc = cascade_bind(v);
out:
	pthread_mutex_unlock(&ctx->lock);
	return rc;
}

VCMDQ_EXPORT int vcmdq_queue_clear_base(struct vcmdq_viommu *v,
					unsigned int index)
{
	int rc;
	KEEP_ERRNO;

	if (!v)
		return -EINVAL;
	if (!v->ctrl)
		return -EOPNOTSUPP;
	if (index >= v->nq)
		return -EINVAL;
	pthread_mutex_lock(&v->ctx->lock);
	v->q[index].want = false;
	rc = cascade_unbind(v);
	pthread_mutex_unlock(&v->ctx->lock);
	return rc;
}

VCMDQ_EXPORT int vcmdq_queue_state(struct vcmdq_viommu *v, unsigned int index,
				   unsigned int *state, uint32_t *queue_id)
{
	struct vcmdq_qslot *s;

	if (!v || !state)
		return -EINVAL;
	if (index >= v->nq)
		return -EINVAL;
	pthread_mutex_lock(&v->ctx->lock);
	s = &v->q[index];
	if (s->bound)
		*state = s->want ? VCMDQ_QUEUE_BOUND : VCMDQ_QUEUE_RETIRING;
	else
		*state = s->want ? VCMDQ_QUEUE_PENDING : VCMDQ_QUEUE_UNUSED;
	if (queue_id)
		*queue_id = s->bound ? s->queue_id : 0;
	pthread_mutex_unlock(&v->ctx->lock);
	return 0;
}

static int keep_first(int rc, int next)
{
	return rc ? rc : next;
}

/* Called with the context locked (or from vcmdq_close()). */
int __vcmdq_viommu_destroy(struct vcmdq_viommu *v)
{
	struct vcmdq_ctx *ctx = v->ctx;
	struct vcmdq_viommu **pp;
	int rc = 0;

	while (v->nbound) {
		int r = unbind_top(v);

		if (r) {
			rc = keep_first(rc, r);
			break;
		}
	}
	while (v->vdevs) {
		struct vcmdq_vdevice *d = v->vdevs;

		rc = keep_first(rc, vcmdq_destroy_id(ctx, d->id));
		v->vdevs = d->next;
		free(d);
	}
	if (v->eventq_id)
		rc = keep_first(rc, vcmdq_destroy_id(ctx, v->eventq_id));
	if (v->eventq_fd >= 0)
		close(v->eventq_fd);
	if (v->ctrl)
		munmap(v->ctrl, v->ctrl_len);
	rc = keep_first(rc, vcmdq_destroy_id(ctx, v->id));
	for (pp = &ctx->viommus; *pp; pp = &(*pp)->next)
		if (*pp == v) {
			*pp = v->next;
			break;
		}
	free(v->q);
	free(v);
	return rc;
}

VCMDQ_EXPORT int vcmdq_viommu_destroy(struct vcmdq_viommu *v)
{
	struct vcmdq_ctx *ctx;
	int rc;
	KEEP_ERRNO;

	if (!v)
		return -EINVAL;
	ctx = v->ctx;
	pthread_mutex_lock(&ctx->lock);
	rc = __vcmdq_viommu_destroy(v);
	pthread_mutex_unlock(&ctx->lock);
	return rc;
}

VCMDQ_EXPORT int vcmdq_viommu_error_map(const struct vcmdq_viommu *v,
				       unsigned int word, uint64_t *map)
{
	unsigned int i, first, n;
	uint64_t m = 0;

	if (!v || !map || word >= VCMDQ_ERR_MAP_WORDS)
		return -EINVAL;
	if (!v->ctrl)
		return -EOPNOTSUPP;
	/* Only bound queues can be in error: bound ones are 0 .. n - 1. */
	n = load_nbound_acquire(v);
	first = word * 64;
	for (i = first; i < n && i < first + 64; i++) {
		uint32_t gerror = ctrl_load_err_acquire(v, i, VCMDQ_CTRL_GERROR);
		uint32_t gerrorn = ctrl_load_err_acquire(v, i,
							 VCMDQ_CTRL_GERRORN);

		if ((gerror ^ gerrorn) & VCMDQ_GERROR_CMDQ_ERR)
			m |= 1ULL << (i - first);
	}
	*map = m;
	return 0;
}

VCMDQ_EXPORT uint32_t vcmdq_viommu_id(const struct vcmdq_viommu *v)
{
	return v->id;
}

VCMDQ_EXPORT uint32_t vcmdq_viommu_tag(const struct vcmdq_viommu *v)
{
	return v->tag;
}

VCMDQ_EXPORT uint32_t vcmdq_viommu_instance(const struct vcmdq_viommu *v)
{
	return v->instance_id;
}

VCMDQ_EXPORT void *vcmdq_viommu_ctrl(const struct vcmdq_viommu *v)
{
	return v->ctrl;
}

VCMDQ_EXPORT size_t vcmdq_viommu_ctrl_size(const struct vcmdq_viommu *v)
{
	return v->ctrl_len;
}

VCMDQ_EXPORT int vcmdq_vdevice_create(struct vcmdq_viommu *v, int vfio_fd,
				      uint32_t pci, uint64_t virt_id,
				      uint32_t *phys_id,
				      struct vcmdq_vdevice **out)
{
	struct vcmdq_vdevice_alloc a = {
		.size = sizeof(a),
		.vfio_fd = vfio_fd,
		.pci_device = pci,
		.virt_id = virt_id,
	};
	struct vcmdq_vdevice *d;
	int rc = 0;
	KEEP_ERRNO;

	if (!v || !out)
		return -EINVAL;
	a.viommu_id = v->id;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	pthread_mutex_lock(&v->ctx->lock);
	if (ioctl(v->ctx->fd, VCMDQ_VDEVICE_ALLOC, &a)) {
		rc = -errno;
		free(d);
		goto out;
	}
	d->viommu = v;
	d->id = a.out_vdevice_id;
	d->next = v->vdevs;
	v->vdevs = d;
	if (phys_id)
		*phys_id = a.out_phys_id;
	*out = d;
out:
	pthread_mutex_unlock(&v->ctx->lock);
	return rc;
}

VCMDQ_EXPORT int vcmdq_vdevice_destroy(struct vcmdq_vdevice *d)
{
	struct vcmdq_vdevice **pp;
	struct vcmdq_viommu *v;
	int rc;
	KEEP_ERRNO;

	if (!d)
		return -EINVAL;
	v = d->viommu;
	pthread_mutex_lock(&v->ctx->lock);
	rc = vcmdq_destroy_id(v->ctx, d->id);
	if (!rc) {
		for (pp = &v->vdevs; *pp; pp = &(*pp)->next)
			if (*pp == d) {
				*pp = d->next;
				break;
			}
		free(d);
	}
	pthread_mutex_unlock(&v->ctx->lock);
	return rc;
}

VCMDQ_EXPORT int vcmdq_eventq_create(struct vcmdq_viommu *v,
				     unsigned int depth, int *fd)
{
	struct vcmdq_eventq_alloc a = { .size = sizeof(a), .depth = depth };
	int rc = 0, fl;
	KEEP_ERRNO;

	if (!v)
		return -EINVAL;
	a.viommu_id = v->id;
	pthread_mutex_lock(&v->ctx->lock);
	if (ioctl(v->ctx->fd, VCMDQ_EVENTQ_ALLOC, &a)) {
		rc = -errno;
		goto out;
	}
	fl = fcntl(a.out_eventq_fd, F_GETFL);
	if (fl < 0 || fcntl(a.out_eventq_fd, F_SETFL, fl | O_NONBLOCK)) {
		rc = -errno;
		close(a.out_eventq_fd);
		vcmdq_destroy_id(v->ctx, a.out_eventq_id);
		goto out;
	}
	v->eventq_id = a.out_eventq_id;
	v->eventq_fd = a.out_eventq_fd;
	if (fd)
		*fd = v->eventq_fd;
out:
	pthread_mutex_unlock(&v->ctx->lock);
	return rc;
}

struct event_rec {
	struct vcmdq_event_header hdr;
	struct vcmdq_event_cmdq_err err;
};

VCMDQ_EXPORT int vcmdq_eventq_read(struct vcmdq_viommu *v,
				   struct vcmdq_event *ev, unsigned int max,
				   unsigned int *nr)
{
	struct event_rec rec[16];
	unsigned int i, n;
	ssize_t got;
	KEEP_ERRNO;

	if (!v || !nr || (max && !ev))
		return -EINVAL;
	*nr = 0;
	if (v->eventq_fd < 0)
		return -ENOENT;
	if (!max)
		return 0;
	n = max < 16 ? max : 16;
	got = read(v->eventq_fd, rec, n * sizeof(rec[0]));
	if (got < 0)
		return errno == EAGAIN ? 0 : -errno;
	if (!got)
		return -ENODATA;
	n = got / sizeof(rec[0]);
	for (i = 0; i < n; i++) {
		ev[i] = (struct vcmdq_event){
			.type = VCMDQ_EVENT_CMDQ_ERR,
			.flags = rec[i].hdr.flags,
			.sequence = rec[i].hdr.sequence,
			.cmdq_err = {
				.queue_index = rec[i].err.queue_index,
				.error = rec[i].err.error,
				.cons = rec[i].err.cons,
				.cmd = { rec[i].err.cmd[0], rec[i].err.cmd[1] },
			},
		};
	}
	*nr = n;
	return 0;
}
