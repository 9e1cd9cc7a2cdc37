// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/* libvcmdq: the context, GET_INFO, guest memory. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "internal.h"

int vcmdq_destroy_id(struct vcmdq_ctx *ctx, uint32_t id)
{
	struct vcmdq_destroy d = { .size = sizeof(d), .id = id };

	return sys_ret(ioctl(ctx->fd, VCMDQ_DESTROY, &d));
}

/*
 * struct vcmdq_get_info before the device fields were appended: a module
 * that old refuses them (E2BIG) and has no device table to give.
 */
#define GET_INFO_SIZE_V0 offsetof(struct vcmdq_get_info, device_entry_len)

/*
 * GET_INFO twice: sizes, then the tables (again if they grew in between).
 * On a module that predates the device fields, instances only.
 */
static int read_info(struct vcmdq_ctx *ctx)
{
	struct vcmdq_instance_info *ii = NULL;
	struct vcmdq_get_info gi;
	uint32_t size = sizeof(gi);
	unsigned int i, t;
	int rc;

	for (;;) {
		unsigned int ninst, ndev;

		gi = (struct vcmdq_get_info){
			.size = size,
			.entry_len = sizeof(*ii),
		};
		if (size > GET_INFO_SIZE_V0)
			gi.device_entry_len = sizeof(*ctx->dev);
		if (ioctl(ctx->fd, VCMDQ_GET_INFO, &gi)) {
			if (errno == E2BIG && size > GET_INFO_SIZE_V0) {
				size = GET_INFO_SIZE_V0;
				continue;
			}
			return -errno;
		}
		ninst = gi.num_instances;
		ndev = gi.num_devices;
		free(ii);
		free(ctx->dev);
		ii = calloc(ninst + 1, sizeof(*ii));
		ctx->dev = calloc(ndev + 1, sizeof(*ctx->dev));
		if (!ii || !ctx->dev) {
			free(ii);
			return -ENOMEM;
		}
		gi.num_instances = ninst;
		gi.instances_uptr = (uintptr_t)ii;
		gi.num_devices = ndev;
		gi.devices_uptr = (uintptr_t)ctx->dev;
		if (ioctl(ctx->fd, VCMDQ_GET_INFO, &gi)) {
			rc = -errno;
			free(ii);
			return rc;
		}
		if (gi.num_instances <= ninst && gi.num_devices <= ndev) {
			ctx->ninst = gi.num_instances;
			ctx->ndev = gi.num_devices;
			break;
		}
	}
	ctx->inst = calloc(ctx->ninst + 1, sizeof(*ctx->inst));
	ctx->host_iommu = calloc(ctx->ninst + 1, sizeof(*ctx->host_iommu));
	if (!ctx->inst || !ctx->host_iommu) {
		free(ii);
		return -ENOMEM;
	}
	for (i = 0; i < ctx->ninst; i++) {
		struct vcmdq_instance *o = &ctx->inst[i];
		unsigned int k;

		o->id = ii[i].id;
		o->flavor = ii[i].flavor;
		o->caps = ii[i].caps;
		o->data_types = ii[i].data_types;
		memcpy(o->data_entry_len, ii[i].data_entry_len,
		       sizeof(o->data_entry_len));
		/* A kernel before data_entry_len: every format was 16 bytes. */
		for (t = 0; t < VCMDQ_DATA_TYPES_MAX; t++)
			if ((o->data_types & (1U << t)) && !o->data_entry_len[t])
				o->data_entry_len[t] = 16;
		o->tag_bits = ii[i].tag_bits;
		o->max_viommus = ii[i].max_viommus;
		o->queues_per_viommu = ii[i].queues_per_viommu;
		o->max_queue_log2size = ii[i].max_queue_log2size;
		o->vsids_per_viommu = ii[i].vsids_per_viommu;
		o->vtd_max_am = ii[i].vtd_max_am;
		/* Zero from a kernel that predates it: synthetic, as then. */
		if (o->caps & VCMDQ_INSTANCE_CAP_HOST)
			memcpy(ctx->host_iommu[i], ii[i].host_iommu,
			       sizeof(ctx->host_iommu[i]) - 1);
		for (k = 0; k < ctx->ndev; k++)
			if (ctx->dev[k].instance_id == o->id)
				o->num_devices++;
	}
	free(ii);
	return 0;
}

static void ctx_free(struct vcmdq_ctx *ctx)
{
	if (ctx->fd >= 0)
		close(ctx->fd);
	pthread_mutex_destroy(&ctx->lock);
	pthread_mutex_destroy(&ctx->ring_lock);
	free(ctx->inst);
	free(ctx->host_iommu);
	free(ctx->dev);
	free(ctx->mem);
	free(ctx);
}

VCMDQ_EXPORT int vcmdq_open(const char *path, unsigned int flags,
			    struct vcmdq_ctx **out)
{
	struct vcmdq_s2_alloc s2 = { .size = sizeof(s2) };
	struct vcmdq_ctx *ctx;
	int rc;
	KEEP_ERRNO;

	if (!out || (flags & ~(VCMDQ_OPEN_URING | VCMDQ_OPEN_INFO)) ||
	    (flags & VCMDQ_OPEN_URING && flags & VCMDQ_OPEN_INFO))
		return -EINVAL;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	pthread_mutex_init(&ctx->lock, NULL);
	pthread_mutex_init(&ctx->ring_lock, NULL);
	ctx->async_done_tail = &ctx->async_done;
	ctx->async_efd = -1;
	ctx->ops = &vcmdq_ioctl_ops;
	/* Looking needs no write access; building a VM does. */
	ctx->fd = open(path ? path : "/dev/vcmdq",
		       (flags & VCMDQ_OPEN_INFO ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (ctx->fd < 0) {
		rc = -errno;
		goto fail;
	}
	rc = read_info(ctx);
	if (rc)
		goto fail;
	if (flags & VCMDQ_OPEN_INFO) {
		*out = ctx;
		return 0;
	}
	if (ioctl(ctx->fd, VCMDQ_S2_ALLOC, &s2)) {
		rc = -errno;
		goto fail;
	}
	ctx->s2_id = s2.out_s2_id;
	if (flags & VCMDQ_OPEN_URING) {
		/*
		 * 8 SQEs: a synchronous call links up to 8 batches per
		 * submission, an asynchronous request takes one.  The CQ
		 * holds every completion that can be pending at once
		 * (VCMDQ_INV_INFLIGHT_MAX asynchronous + 8), so none
		 * overflows while nobody reaps.
		 */
		struct io_uring_params params = {
			.flags = IORING_SETUP_CQSIZE,
			.cq_entries = 128,
		};

		_Static_assert(VCMDQ_INV_INFLIGHT_MAX + 8 <= 128,
			       "the CQ holds every pending completion");
		rc = io_uring_queue_init_params(8, &ctx->ring, &params);
		if (rc) {
			rc = rc == -ENOSYS ? -EOPNOTSUPP : rc;
			goto fail;
		}
		ctx->ops = &vcmdq_uring_ops;
	}
	*out = ctx;
	return 0;
fail:
	ctx_free(ctx);
	return rc;
}

VCMDQ_EXPORT void vcmdq_close(struct vcmdq_ctx *ctx)
{
	KEEP_ERRNO;

	if (!ctx)
		return;
	while (ctx->viommus)
		__vcmdq_viommu_destroy(ctx->viommus);
	/* Destroying the S2 drops its mappings; closing the file would too. */
	if (ctx->s2_id)
		vcmdq_destroy_id(ctx, ctx->s2_id);
	if (ctx->ops->fini)
		ctx->ops->fini(ctx);
	ctx_free(ctx);
}

VCMDQ_EXPORT int vcmdq_fd(const struct vcmdq_ctx *ctx)
{
	return ctx->fd;
}

VCMDQ_EXPORT unsigned int vcmdq_num_instances(const struct vcmdq_ctx *ctx)
{
	return ctx->ninst;
}

VCMDQ_EXPORT int vcmdq_instance_get(const struct vcmdq_ctx *ctx,
				    unsigned int idx,
				    struct vcmdq_instance *out)
{
	if (!ctx || !out)
		return -EINVAL;
	if (idx >= ctx->ninst)
		return -ERANGE;
	*out = ctx->inst[idx];
	return 0;
}

const struct vcmdq_instance *vcmdq_ctx_instance(const struct vcmdq_ctx *ctx,
						uint32_t id)
{
	unsigned int i;

	for (i = 0; i < ctx->ninst; i++)
		if (ctx->inst[i].id == id)
			return &ctx->inst[i];
	return NULL;
}

VCMDQ_EXPORT int vcmdq_instance_find(const struct vcmdq_ctx *ctx, uint32_t id,
				     uint32_t flavor, uint64_t caps,
				     struct vcmdq_instance *out)
{
	const struct vcmdq_instance *in;
	unsigned int i;

	if (!ctx || !out)
		return -EINVAL;
	if (id) {
		in = vcmdq_ctx_instance(ctx, id);
		if (!in)
			return -ENOENT;
		*out = *in;
		return 0;
	}
	for (i = 0; i < ctx->ninst; i++) {
		in = &ctx->inst[i];
		if ((!flavor || in->flavor == flavor) &&
		    (in->caps & caps) == caps) {
			*out = *in;
			return 0;
		}
	}
	return -ENODEV;
}

VCMDQ_EXPORT int vcmdq_instance_device(const struct vcmdq_ctx *ctx,
				       uint32_t id, unsigned int k,
				       uint32_t *pci)
{
	unsigned int i;

	if (!ctx || !pci)
		return -EINVAL;
	if (!vcmdq_ctx_instance(ctx, id))
		return -ENOENT;
	for (i = 0; i < ctx->ndev; i++)
		if (ctx->dev[i].instance_id == id && !k--) {
			*pci = ctx->dev[i].pci_device;
			return 0;
		}
	return -ERANGE;
}

VCMDQ_EXPORT const char *vcmdq_instance_host_iommu(const struct vcmdq_ctx *ctx,
						   uint32_t id)
{
	unsigned int i;

	for (i = 0; ctx && i < ctx->ninst; i++)
		if (ctx->inst[i].id == id)
			return ctx->host_iommu[i][0] ? ctx->host_iommu[i] : NULL;
	return NULL;
}

VCMDQ_EXPORT int vcmdq_mem_map(struct vcmdq_ctx *ctx, uint64_t gpa,
			       void *uaddr, uint64_t length, unsigned int prot)
{
	struct vcmdq_s2_map m = {
		.size = sizeof(m),
		.flags = prot,
		.s2_id = ctx ? ctx->s2_id : 0,
		.gpa = gpa,
		.uaddr = (uintptr_t)uaddr,
		.length = length,
	};
	int rc = 0;
	KEEP_ERRNO;

	if (!ctx || !ctx->s2_id)
		return -EINVAL;
	pthread_mutex_lock(&ctx->lock);
	if (ctx->nmem == ctx->mem_cap) {
		unsigned int cap = ctx->mem_cap ? 2 * ctx->mem_cap : 8;
		struct vcmdq_mem *mem = realloc(ctx->mem, cap * sizeof(*mem));

		if (!mem) {
			rc = -ENOMEM;
			goto out;
		}
		ctx->mem = mem;
		ctx->mem_cap = cap;
	}
	if (ioctl(ctx->fd, VCMDQ_S2_MAP, &m)) {
		rc = -errno;
		goto out;
	}
	ctx->mem[ctx->nmem++] = (struct vcmdq_mem){ gpa, uaddr, length, prot };
out:
	pthread_mutex_unlock(&ctx->lock);
	return rc;
}

VCMDQ_EXPORT int vcmdq_mem_unmap(struct vcmdq_ctx *ctx, uint64_t gpa,
				 uint64_t length, uint64_t *unmapped)
{
	struct vcmdq_s2_unmap u = {
		.size = sizeof(u),
		.s2_id = ctx ? ctx->s2_id : 0,
		.gpa = gpa,
		.length = length,
	};
	unsigned int i;
	int rc = 0;
	KEEP_ERRNO;

	if (!ctx || !ctx->s2_id)
		return -EINVAL;
	pthread_mutex_lock(&ctx->lock);
	if (ioctl(ctx->fd, VCMDQ_S2_UNMAP, &u)) {
		rc = -errno;
		goto out;
	}
	/* The kernel removed every mapping inside the range: so do we. */
	for (i = 0; i < ctx->nmem;) {
		struct vcmdq_mem *mm = &ctx->mem[i];

		if (mm->gpa >= gpa && mm->gpa - gpa + mm->length <= length)
			*mm = ctx->mem[--ctx->nmem];
		else
			i++;
	}
	if (unmapped)
		*unmapped = u.out_unmapped;
out:
	pthread_mutex_unlock(&ctx->lock);
	return rc;
}

void *__vcmdq_mem_hva(struct vcmdq_ctx *ctx, uint64_t gpa, uint64_t length)
{
	unsigned int i;

	for (i = 0; i < ctx->nmem; i++) {
		struct vcmdq_mem *mm = &ctx->mem[i];

		if (gpa >= mm->gpa && gpa - mm->gpa < mm->length &&
		    length <= mm->length - (gpa - mm->gpa))
			return (char *)mm->uaddr + (gpa - mm->gpa);
	}
	return NULL;
}

VCMDQ_EXPORT void *vcmdq_mem_hva(struct vcmdq_ctx *ctx, uint64_t gpa,
				 uint64_t length)
{
	void *p;
	KEEP_ERRNO;

	if (!ctx)
		return NULL;
	pthread_mutex_lock(&ctx->lock);
	p = __vcmdq_mem_hva(ctx, gpa, length);
	pthread_mutex_unlock(&ctx->lock);
	return p;
}

VCMDQ_EXPORT const char *vcmdq_slow_path_name(const struct vcmdq_ctx *ctx)
{
	return ctx->ops->name;
}

VCMDQ_EXPORT const char *vcmdq_version(void)
{
	return VCMDQ_VERSION_STR;
}

VCMDQ_EXPORT int vcmdq_objects_get(struct vcmdq_ctx *ctx, unsigned int flags,
				   struct vcmdq_object_info **objs,
				   unsigned int *nr)
{
	struct vcmdq_object_info *buf = NULL;
	struct vcmdq_get_objects g;
	unsigned int room = 0;
	int rc;
	KEEP_ERRNO;

	if (!ctx || !objs || !nr)
		return -EINVAL;
	/* Size, fetch, and again while objects appear in between. */
	for (;;) {
		g = (struct vcmdq_get_objects){
			.size = sizeof(g),
			.flags = flags,
			.entry_len = sizeof(*buf),
			.num_objects = room,
			.objects_uptr = (uintptr_t)buf,
		};
		if (ioctl(ctx->fd, VCMDQ_GET_OBJECTS, &g)) {
			rc = -errno;
			free(buf);
			return rc;
		}
		if (buf && g.num_objects <= room)
			break;
		free(buf);
		/* Some slack, so a busy host does not make this loop long. */
		room = g.num_objects + g.num_objects / 4 + 4;
		buf = calloc(room, sizeof(*buf));
		if (!buf)
			return -ENOMEM;
	}
	*objs = buf;
	*nr = g.num_objects;
	return 0;
}
