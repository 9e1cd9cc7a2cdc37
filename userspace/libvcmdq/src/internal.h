/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/* libvcmdq's private state: never installed. */
#ifndef _LIBVCMDQ_INTERNAL_H
#define _LIBVCMDQ_INTERNAL_H

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <liburing.h>

#include <vcmdq/vcmdq.h>
#include <vcmdq/fastpath.h>

#define VCMDQ_EXPORT __attribute__((visibility("default")))

/*
 * Every exported function starts with KEEP_ERRNO: the caller's errno is
 * put back when the function returns, whatever ran in between.
 */
static inline void __vcmdq_restore_errno(int *saved)
{
	errno = *saved;
}
#define KEEP_ERRNO \
	int __vcmdq_errno __attribute__((cleanup(__vcmdq_restore_errno))) = errno

/* A system call's result as 0 or -errno. */
static inline int sys_ret(long rc)
{
	return rc < 0 ? -errno : 0;
}

struct vcmdq_mem {
	uint64_t gpa;
	void *uaddr;
	uint64_t length;
	unsigned int prot;
};

struct vcmdq_slow_ops {
	const char *name;
	/* Run @n requests in order; stop at the first failing one. */
	int (*invalidate)(struct vcmdq_ctx *ctx, struct vcmdq_invalidate *reqs,
			  unsigned int n, unsigned int *failed);
	void (*fini)(struct vcmdq_ctx *ctx);
};

extern const struct vcmdq_slow_ops vcmdq_ioctl_ops;
extern const struct vcmdq_slow_ops vcmdq_uring_ops;

struct vcmdq_ctx {
	int fd;
	pthread_mutex_t lock;
	uint32_t s2_id;
	unsigned int ninst;
	struct vcmdq_instance *inst;
	/* Per instance: the host IOMMU unit it mirrors, "" if synthetic. */
	char (*host_iommu)[VCMDQ_HOST_IOMMU_NAME_LEN];
	unsigned int ndev;
	struct vcmdq_device_info *dev;
	struct vcmdq_mem *mem;
	unsigned int nmem, mem_cap;
	struct vcmdq_viommu *viommus;
	const struct vcmdq_slow_ops *ops;
	pthread_mutex_t ring_lock;
	struct io_uring ring;
	/*
	 * Asynchronous requests (ring_lock): how many are in flight, and those
	 * whose completion a synchronous call reaped from the shared ring,
	 * kept (oldest first) for the next vcmdq_invalidate_reap().
	 */
	unsigned int async_inflight;
	struct vcmdq_inv_req *async_done, **async_done_tail;
	/*
	 * vcmdq_invalidate_fd()'s eventfd, registered with the ring on first
	 * use (-1 before): the kernel signals it for every CQE, the library
	 * when a completion waits on async_done.
	 */
	int async_efd;
};

struct vcmdq_qslot {
	bool want;
	uint64_t gpa;
	unsigned int log2size;
	/* bound: the kernel queue and the BASE it was bound with */
	bool bound;
	uint32_t queue_id;
	uint64_t bound_gpa;
	unsigned int bound_log2size;
};

struct vcmdq_viommu {
	struct vcmdq_ctx *ctx;
	struct vcmdq_viommu *next;
	uint32_t id;
	uint32_t tag;
	uint32_t instance_id;
	void *ctrl;
	size_t ctrl_len;
	unsigned int nq;
	/* bound queues 0 .. nbound - 1; stored with release, see viommu.c */
	unsigned int nbound;
	struct vcmdq_qslot *q;
	struct vcmdq_vdevice *vdevs;
	uint32_t eventq_id;
	int eventq_fd;
};

struct vcmdq_vdevice {
	struct vcmdq_viommu *viommu;
	struct vcmdq_vdevice *next;
	uint32_t id;
};

int vcmdq_destroy_id(struct vcmdq_ctx *ctx, uint32_t id);
const struct vcmdq_instance *vcmdq_ctx_instance(const struct vcmdq_ctx *ctx,
						uint32_t id);
void *__vcmdq_mem_hva(struct vcmdq_ctx *ctx, uint64_t gpa, uint64_t length);
int __vcmdq_viommu_destroy(struct vcmdq_viommu *v);

#endif
