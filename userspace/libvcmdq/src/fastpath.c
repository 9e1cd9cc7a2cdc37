// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libvcmdq: the fast path's out-of-line twins (one per inline of
 * fastpath.h, same behaviour) and the parts that are not header-only.
 */
#include <sched.h>
#include <sys/ioctl.h>
#include <time.h>

#include "internal.h"

VCMDQ_EXPORT void vcmdq_sq_setup(struct vcmdq_sq *sq, void *ctrl,
				  unsigned int index, void *ring,
				  unsigned int log2size, int fd,
				  uint32_t viommu_id)
{
	__vcmdq_sq_setup(sq, ctrl, index, ring, log2size, fd, viommu_id);
}

VCMDQ_EXPORT int vcmdq_sq_reserve(struct vcmdq_sq *sq, uint32_t n,
				  uint32_t *idx)
{
	return __vcmdq_sq_reserve(sq, n, idx);
}

VCMDQ_EXPORT uint64_t *vcmdq_sq_entry(const struct vcmdq_sq *sq, uint32_t pos)
{
	return __vcmdq_sq_entry(sq, pos);
}

VCMDQ_EXPORT bool vcmdq_sq_submit(struct vcmdq_sq *sq, uint32_t n)
{
	return __vcmdq_sq_submit(sq, n);
}

VCMDQ_EXPORT bool vcmdq_sq_consumed(const struct vcmdq_sq *sq, uint32_t cons,
				    uint32_t pos)
{
	return __vcmdq_sq_consumed(sq, cons, pos);
}

VCMDQ_EXPORT bool vcmdq_sq_stopped(const struct vcmdq_sq *sq, uint32_t cons)
{
	return __vcmdq_sq_stopped(sq, cons);
}

VCMDQ_EXPORT int vcmdq_sq_wait(struct vcmdq_sq *sq, uint32_t pos,
			       unsigned int spin, vcmdq_backoff_fn backoff,
			       void *arg, struct vcmdq_sq_error *err)
{
	KEEP_ERRNO;

	return __vcmdq_sq_wait(sq, pos, spin, backoff, arg, err);
}

VCMDQ_EXPORT bool vcmdq_sq_ack_error(struct vcmdq_sq *sq)
{
	return __vcmdq_sq_ack_error(sq);
}

VCMDQ_EXPORT bool vcmdq_sq_fix_error(struct vcmdq_sq *sq)
{
	return __vcmdq_sq_fix_error(sq);
}

VCMDQ_EXPORT bool vcmdq_sq_skip_error(struct vcmdq_sq *sq)
{
	return __vcmdq_sq_skip_error(sq);
}

VCMDQ_EXPORT void vcmdq_sq_prep_tlbi_nh_asid(uint64_t *e, uint16_t asid)
{
	vcmdq_prep_tlbi_nh_asid(e, asid);
}

VCMDQ_EXPORT void vcmdq_sq_prep_tlbi_nh_va(uint64_t *e, uint16_t asid,
					   uint64_t va, bool leaf,
					   unsigned int tg, unsigned int num,
					   unsigned int scale, unsigned int ttl)
{
	vcmdq_prep_tlbi_nh_va(e, asid, va, leaf, tg, num, scale, ttl);
}

VCMDQ_EXPORT void vcmdq_sq_prep_atc_inv(uint64_t *e, uint32_t vsid, bool ssv,
					uint32_t ssid, uint64_t addr,
					unsigned int size, bool global)
{
	vcmdq_prep_atc_inv(e, vsid, ssv, ssid, addr, size, global);
}

VCMDQ_EXPORT void vcmdq_sq_prep_sync(uint64_t *e)
{
	vcmdq_prep_sync(e);
}

VCMDQ_EXPORT int vcmdq_sq_init(struct vcmdq_viommu *v, unsigned int index,
			       struct vcmdq_sq *sq)
{
	struct vcmdq_qslot *s;
	uint32_t ring;
	void *ents;
	int rc = 0;
	KEEP_ERRNO;

	if (!v || !sq)
		return -EINVAL;
	if (!v->ctrl)
		return -EOPNOTSUPP;
	if (index >= v->nq)
		return -EINVAL;
	pthread_mutex_lock(&v->ctx->lock);
	s = &v->q[index];
	if (!s->bound) {
		rc = -ENOENT;
		goto out;
	}
	ring = (2U << s->bound_log2size) - 1;
	ents = __vcmdq_mem_hva(v->ctx, s->bound_gpa,
			       (uint64_t)VCMDQ_CMD_ENTRY_SIZE << s->bound_log2size);
	if (!ents) {
		rc = -ENOENT;
		goto out;
	}
	__vcmdq_sq_setup(sq, v->ctrl, index, ents, s->bound_log2size, v->ctx->fd,
			 v->id);
	sq->prod = __atomic_load_n(&sq->regs[VCMDQ_CTRL_PROD / 4],
				   __ATOMIC_RELAXED) & ring;
	sq->cached_cons = __vcmdq_load_cons_acquire(sq) & ring;
out:
	pthread_mutex_unlock(&v->ctx->lock);
	return rc;
}

VCMDQ_EXPORT int vcmdq_sq_kick(struct vcmdq_sq *sq)
{
	struct vcmdq_kick k = { .size = sizeof(k), .viommu_id = sq->viommu_id };
	KEEP_ERRNO;

	if (ioctl(sq->fd, VCMDQ_KICK, &k))
		return -errno;
	/*
	 * Any thread may kick (a vCPU thread emulating a doorbell while the
	 * producer runs): a relaxed atomic, the count orders nothing.
	 */
	__atomic_fetch_add(&sq->kicks, 1, __ATOMIC_RELAXED);
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

VCMDQ_EXPORT uint64_t vcmdq_deadline_ns(uint64_t timeout_us)
{
	KEEP_ERRNO;

	return now_ns() + timeout_us * 1000;
}

VCMDQ_EXPORT int vcmdq_backoff_sleep(void *arg, unsigned int iter)
{
	struct timespec ts = { .tv_nsec = 50 * 1000 };
	KEEP_ERRNO;

	if (arg && now_ns() > *(uint64_t *)arg)
		return -ETIMEDOUT;
	if (iter < 200)
		sched_yield();
	else
		nanosleep(&ts, NULL);
	return 0;
}

/* Write CONFIG, kick a sleeping engine, wait for STATUS.ENABLED == @en. */
static int write_config(struct vcmdq_sq *sq, bool en, uint64_t timeout_us)
{
	uint64_t deadline = vcmdq_deadline_ns(timeout_us);
	unsigned int iter = 0;
	int rc;

	__vcmdq_store_reg_release(sq, VCMDQ_CTRL_CONFIG, en ? VCMDQ_CONFIG_EN : 0);
	__vcmdq_mb_prod_before_wakeup_check();
	if (__vcmdq_engine_needs_wakeup(sq)) {
		rc = vcmdq_sq_kick(sq);
		if (rc)
			return rc;
	}
	while (!!(__vcmdq_load_reg_acquire(sq, VCMDQ_CTRL_STATUS) &
		  VCMDQ_STATUS_ENABLED) != en) {
		rc = vcmdq_backoff_sleep(&deadline, iter++);
		if (rc)
			return rc;
	}
	return 0;
}

VCMDQ_EXPORT int vcmdq_sq_enable(struct vcmdq_sq *sq, uint64_t timeout_us)
{
	int rc;
	KEEP_ERRNO;

	rc = write_config(sq, false, timeout_us);
	if (rc)
		return rc;
	__vcmdq_store_reg_release(sq, VCMDQ_CTRL_PROD, 0);
	__vcmdq_store_reg_release(sq, VCMDQ_CTRL_CONS, 0);
	sq->prod = 0;
	sq->cached_cons = 0;
	return write_config(sq, true, timeout_us);
}

VCMDQ_EXPORT int vcmdq_sq_disable(struct vcmdq_sq *sq, uint64_t timeout_us)
{
	KEEP_ERRNO;

	return write_config(sq, false, timeout_us);
}
