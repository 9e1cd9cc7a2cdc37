/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * libvcmdq fast path: a producer of one guest-owned command queue, header
 * only, with no system call except the optional kick.
 *
 * What a guest driver does with its VCMDQ (Linux's tegra241-cmdqv.c and
 * arm-smmu-v3.c), for a VMM that issues commands itself (tests, a
 * userspace driver, a benchmark) or that wants to read a guest's queue:
 *
 *	struct vcmdq_sq sq;
 *	uint32_t idx;
 *
 *	vcmdq_sq_init(viommu, 0, &sq);            // queue 0 bound
 *	vcmdq_sq_enable(&sq);                      // CONFIG.EN, STATUS polled
 *	if (!__vcmdq_sq_reserve(&sq, 2, &idx)) {   // one compare, cached CONS
 *		vcmdq_prep_tlbi_nh_asid(__vcmdq_sq_entry(&sq, idx), asid);
 *		vcmdq_prep_sync(__vcmdq_sq_entry(&sq, idx + 1));
 *		if (__vcmdq_sq_submit(&sq, 2))     // one release store
 *			vcmdq_sq_kick(&sq);        // engine asked for it
 *		__vcmdq_sq_wait(&sq, idx + 1, 100, backoff, arg, &err);
 *	}
 *
 * Every static inline __vcmdq_* / vcmdq_prep_* function has an exported
 * out-of-line twin of the same behaviour, named without the leading
 * underscores (vcmdq_prep_* twins: vcmdq_sq_prep_*), for callers that
 * cannot use inlines (FFI, other languages) - liburing's pattern.
 *
 * A struct vcmdq_sq belongs to one producer thread: none of these
 * functions is thread-safe on the same sq.  Distinct sqs are independent.
 *
 * Memory ordering: the control region is shared with the engine (a kernel
 * thread, or the hardware).  Each access goes through a helper named by its
 * use that says what it pairs with; nothing relies on volatile.
 */
#ifndef _VCMDQ_FASTPATH_H
#define _VCMDQ_FASTPATH_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <vcmdq/vcmdq.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * struct vcmdq_sq - the producer's view of one fast path queue
 * @regs: the queue's 128 bytes of the control region
 * @engine: the region's VCMDQ_CTRL_ENGINE word
 * @ring: the queue's entries (2 little-endian 64-bit words each), through
 *	the VMM's mapping of guest memory
 * @mask: entries - 1
 * @wrap: entries (the wrap bit of PROD and CONS)
 * @prod: the producer's PROD (index | wrap), published by submit
 * @cached_cons: CONS as last read (index | wrap, no ERR)
 * @fd: the /dev/vcmdq file, for vcmdq_sq_kick()
 * @viommu_id: for vcmdq_sq_kick()
 * @index: the queue's index in the control region
 * @kicks: kicks issued by vcmdq_sq_kick()
 *
 * Fields are public so inlines can use them; change them only through the
 * functions.
 */
struct vcmdq_sq {
	uint32_t *regs;
	uint32_t *engine;
	uint64_t *ring;
	uint32_t mask;
	uint32_t wrap;
	uint32_t prod;
	uint32_t cached_cons;
	int fd;
	uint32_t viommu_id;
	uint32_t index;
	uint64_t kicks;
};

/* ---- SMMUv3 commands a guest-owned queue accepts ------------------------ */

#define VCMDQ_CMD_OP_TLBI_NH_ASID	0x11ULL
#define VCMDQ_CMD_OP_TLBI_NH_VA		0x12ULL
#define VCMDQ_CMD_OP_ATC_INV		0x40ULL
#define VCMDQ_CMD_OP_CMD_SYNC		0x46ULL
#define VCMDQ_CMD_ENTRY_SIZE		16
/* ATC_INV size for "everything" (arm-smmu-v3's ATC_INV_SIZE_ALL). */
#define VCMDQ_ATC_INV_SIZE_ALL		52

/* Entries are little-endian whatever the CPU (no <endian.h>: strict C). */
static inline uint64_t __vcmdq_cpu_to_le64(uint64_t v)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return __builtin_bswap64(v);
#else
	return v;
#endif
}

static inline void __vcmdq_put_entry(uint64_t *e, uint64_t w0, uint64_t w1)
{
	e[0] = __vcmdq_cpu_to_le64(w0);
	e[1] = __vcmdq_cpu_to_le64(w1);
}

/* TLBI_NH_ASID: every entry of guest ASID @asid (VMID is the host's). */
static inline void vcmdq_prep_tlbi_nh_asid(uint64_t *e, uint16_t asid)
{
	__vcmdq_put_entry(e, VCMDQ_CMD_OP_TLBI_NH_ASID | (uint64_t)asid << 48,
			  0);
}

/*
 * TLBI_NH_VA of @va in @asid.  @tg = 0: one address; @tg = 1/2/3 (4K, 16K,
 * 64K granule): (@num + 1) << @scale granules from @va.  @ttl as SMMUv3.
 */
static inline void vcmdq_prep_tlbi_nh_va(uint64_t *e, uint16_t asid,
					 uint64_t va, bool leaf,
					 unsigned int tg, unsigned int num,
					 unsigned int scale, unsigned int ttl)
{
	__vcmdq_put_entry(e,
			  VCMDQ_CMD_OP_TLBI_NH_VA | (uint64_t)(num & 0x1f) << 12 |
				  (uint64_t)(scale & 0x1f) << 20 |
				  (uint64_t)asid << 48,
			  (leaf ? 1ULL : 0) | (uint64_t)(ttl & 3) << 8 |
				  (uint64_t)(tg & 3) << 10 | (va & ~0xfffULL));
}

/*
 * ATC_INV for virtual StreamID @vsid: 2^@size pages at @addr (aligned to
 * that span; VCMDQ_ATC_INV_SIZE_ALL: everything), substream @ssid when
 * @ssv, translations of every PASID too when @global.
 */
static inline void vcmdq_prep_atc_inv(uint64_t *e, uint32_t vsid, bool ssv,
				      uint32_t ssid, uint64_t addr,
				      unsigned int size, bool global)
{
	__vcmdq_put_entry(e,
			  VCMDQ_CMD_OP_ATC_INV | (ssv ? 1ULL << 11 : 0) |
				  (global ? 1ULL << 9 : 0) |
				  (uint64_t)(ssid & 0xfffff) << 12 |
				  (uint64_t)vsid << 32,
			  (uint64_t)(size & 0x3f) | (addr & ~0xfffULL));
}

/*
 * CMD_SYNC with CS = NONE, as Linux builds it for a VCMDQ (MSH inner
 * shareable, MSIATTR OIWB): complete once CONS has passed it.
 */
static inline void vcmdq_prep_sync(uint64_t *e)
{
	__vcmdq_put_entry(e, VCMDQ_CMD_OP_CMD_SYNC | 3ULL << 22 | 0xfULL << 24,
			  0);
}

/* ---- memory ordering, named by use -------------------------------------- */

/*
 * Read CONS.  Acquire: pairs with the engine's release store of CONS after
 * executing entries, so once CONS has passed an entry the caller sees every
 * effect of executing it, and may overwrite the slot.
 */
static inline uint32_t __vcmdq_load_cons_acquire(const struct vcmdq_sq *sq)
{
	return __atomic_load_n(&sq->regs[VCMDQ_CTRL_CONS / 4],
			       __ATOMIC_ACQUIRE);
}

/*
 * Publish PROD.  Release: pairs with the engine's acquire load of PROD, so
 * the entries written before it are visible to the engine when it sees
 * the new PROD.
 */
static inline void __vcmdq_store_prod_release(struct vcmdq_sq *sq,
					      uint32_t prod)
{
	__atomic_store_n(&sq->regs[VCMDQ_CTRL_PROD / 4], prod, __ATOMIC_RELEASE);
}

/*
 * Between publishing PROD and reading NEED_WAKEUP: a full barrier.  Pairs
 * with the engine's full barrier between setting NEED_WAKEUP and reading
 * PROD once more before it sleeps: either the engine sees our PROD, or we
 * see its NEED_WAKEUP (io_uring SQPOLL's rule).
 */
static inline void __vcmdq_mb_prod_before_wakeup_check(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* Read NEED_WAKEUP, after __vcmdq_mb_prod_before_wakeup_check(). */
static inline bool __vcmdq_engine_needs_wakeup(const struct vcmdq_sq *sq)
{
	return __atomic_load_n(sq->engine, __ATOMIC_RELAXED) &
	       VCMDQ_ENGINE_NEED_WAKEUP;
}

/*
 * Read an engine-written register (STATUS, GERROR).  Acquire: pairs with
 * the engine's release store of it.
 */
static inline uint32_t __vcmdq_load_reg_acquire(const struct vcmdq_sq *sq,
						unsigned int off)
{
	return __atomic_load_n(&sq->regs[off / 4], __ATOMIC_ACQUIRE);
}

/*
 * Write a producer-owned register (CONFIG, GERRORN, or CONS while the queue
 * is stopped).  Release: pairs with the engine's acquire load, so a fixed
 * entry is visible before the acknowledgement that resumes the queue.
 */
static inline void __vcmdq_store_reg_release(struct vcmdq_sq *sq,
					     unsigned int off, uint32_t val)
{
	__atomic_store_n(&sq->regs[off / 4], val, __ATOMIC_RELEASE);
}

/* ---- producer ----------------------------------------------------------- */

/*
 * Point @sq at queue @index of a control region @ctrl the caller mapped
 * itself, with 2^@log2size entries at @ring (the caller's view of the
 * queue's guest memory); @fd and @viommu_id are for vcmdq_sq_kick().
 * PROD and the cached CONS start at 0.  vcmdq_sq_init() does this from a
 * library vIOMMU; this is for a VMM (or test) that keeps its own objects.
 */
static inline void __vcmdq_sq_setup(struct vcmdq_sq *sq, void *ctrl,
				    unsigned int index, void *ring,
				    unsigned int log2size, int fd,
				    uint32_t viommu_id)
{
	sq->regs = (uint32_t *)((char *)ctrl + index * VCMDQ_CTRL_QUEUE_STRIDE);
	sq->engine = (uint32_t *)((char *)ctrl + VCMDQ_CTRL_ENGINE);
	sq->ring = (uint64_t *)ring;
	sq->wrap = 1U << log2size;
	sq->mask = sq->wrap - 1;
	sq->prod = 0;
	sq->cached_cons = 0;
	sq->fd = fd;
	sq->viommu_id = viommu_id;
	sq->index = index;
	sq->kicks = 0;
}

/* Entries between @cons and PROD: (prod - cons) modulo twice the size. */
static inline uint32_t __vcmdq_sq_used(const struct vcmdq_sq *sq,
				       uint32_t cons)
{
	return (sq->prod - cons) & (2 * sq->wrap - 1);
}

/*
 * Reserve @n consecutive entries; *@idx gets the first one's position
 * (index | wrap: pass idx + k to __vcmdq_sq_entry()).  The common case is
 * one comparison against the cached CONS; only when that says full is CONS
 * read again.  Return: 0; -EAGAIN not enough room yet; -EINVAL @n is 0 or
 * above the queue's size.  Reserved entries must be submitted before the
 * next reserve (the producer owns PROD).
 */
static inline int __vcmdq_sq_reserve(struct vcmdq_sq *sq, uint32_t n,
				     uint32_t *idx)
{
	if (__builtin_expect(sq->wrap - __vcmdq_sq_used(sq, sq->cached_cons) <
				     n,
			     0)) {
		if (!n || n > sq->wrap)
			return -EINVAL;
		sq->cached_cons = __vcmdq_load_cons_acquire(sq) &
				  (2 * sq->wrap - 1);
		if (sq->wrap - __vcmdq_sq_used(sq, sq->cached_cons) < n)
			return -EAGAIN;
	}
	if (__builtin_expect(!n, 0))
		return -EINVAL;
	*idx = sq->prod;
	return 0;
}

/* The 16-byte slot of reserved position @pos (index | wrap, any carry). */
static inline uint64_t *__vcmdq_sq_entry(const struct vcmdq_sq *sq,
					 uint32_t pos)
{
	return sq->ring + 2 * (pos & sq->mask);
}

/*
 * Publish @n reserved entries with one release store of PROD.  Return:
 * true when the engine advertises NEED_WAKEUP: call vcmdq_sq_kick() (the
 * only system call of the fast path), or let the engine's timer find it.
 */
static inline bool __vcmdq_sq_submit(struct vcmdq_sq *sq, uint32_t n)
{
	sq->prod = (sq->prod + n) & (2 * sq->wrap - 1);
	__vcmdq_store_prod_release(sq, sq->prod);
	__vcmdq_mb_prod_before_wakeup_check();
	return __vcmdq_engine_needs_wakeup(sq);
}

/* Has CONS (@cons, index | wrap) moved past position @pos? */
static inline bool __vcmdq_sq_consumed(const struct vcmdq_sq *sq,
				       uint32_t cons, uint32_t pos)
{
	uint32_t ring = 2 * sq->wrap - 1;

	/* pos is consumed when it lies in [cons - size, cons) modulo 2*size */
	return ((cons - (pos & ring) - 1) & ring) < sq->wrap;
}

/*
 * Is the queue stopped on an error?  CONS.ERR tells why, but the error is
 * only active while GERROR.CMDQ_ERR != GERRORN's: once acknowledged, CONS
 * keeps the old ERR until the engine resumes.
 */
static inline bool __vcmdq_sq_stopped(const struct vcmdq_sq *sq, uint32_t cons)
{
	if (!((cons >> VCMDQ_CONS_ERR_SHIFT) & VCMDQ_CONS_ERR_MASK))
		return false;
	return (__vcmdq_load_reg_acquire(sq, VCMDQ_CTRL_GERROR) ^
		__vcmdq_load_reg_acquire(sq, VCMDQ_CTRL_GERRORN)) &
	       VCMDQ_GERROR_CMDQ_ERR;
}

/**
 * struct vcmdq_sq_error - why a queue stopped
 * @error: CONS.ERR (VCMDQ_CERROR_ILL, _ABT, _ATC_INV_SYNC)
 * @pos: CONS at the failing entry (index | wrap)
 */
struct vcmdq_sq_error {
	uint32_t error;
	uint32_t pos;
};

/*
 * The caller's back-off between polls, after the bounded spin: @iter
 * counts calls from 0.  Return 0 to poll again, or a negative errno to
 * stop waiting (returned by the wait), e.g. -ETIMEDOUT past a deadline.
 */
typedef int (*vcmdq_backoff_fn)(void *arg, unsigned int iter);

/*
 * Wait until CONS has passed position @pos: poll CONS (acquire) @spin times
 * back to back, then call @backoff (NULL: keep spinning) before each poll.
 * Return: 0; -EIO when the queue stopped on an error first, described in
 * *@err (may be NULL); whatever @backoff returned.
 */
static inline int __vcmdq_sq_wait(struct vcmdq_sq *sq, uint32_t pos,
				  unsigned int spin, vcmdq_backoff_fn backoff,
				  void *arg, struct vcmdq_sq_error *err)
{
	unsigned int i, iter = 0;

	for (i = 0;; i++) {
		uint32_t cons = __vcmdq_load_cons_acquire(sq);
		int rc;

		sq->cached_cons = cons & (2 * sq->wrap - 1);
		if (__vcmdq_sq_consumed(sq, sq->cached_cons, pos))
			return 0;
		if (__vcmdq_sq_stopped(sq, cons)) {
			if (err) {
				err->error = (cons >> VCMDQ_CONS_ERR_SHIFT) &
					     VCMDQ_CONS_ERR_MASK;
				err->pos = sq->cached_cons;
			}
			return -EIO;
		}
		if (i < spin || !backoff)
			continue;
		rc = backoff(arg, iter++);
		if (rc)
			return rc;
	}
}

/*
 * Acknowledge a stopped queue (GERRORN = GERROR): the engine resumes at
 * CONS.  Returns whether to kick, as __vcmdq_sq_submit().
 */
static inline bool __vcmdq_sq_ack_error(struct vcmdq_sq *sq)
{
	__vcmdq_store_reg_release(sq, VCMDQ_CTRL_GERRORN,
				  __vcmdq_load_reg_acquire(sq, VCMDQ_CTRL_GERROR));
	__vcmdq_mb_prod_before_wakeup_check();
	return __vcmdq_engine_needs_wakeup(sq);
}

/*
 * Recovery as Linux's arm_smmu_cmdq_skip_err(): replace the entry CONS
 * stopped at by a CMD_SYNC, then acknowledge.  Returns whether to kick.
 */
static inline bool __vcmdq_sq_fix_error(struct vcmdq_sq *sq)
{
	uint32_t cons = __vcmdq_load_cons_acquire(sq) & (2 * sq->wrap - 1);

	vcmdq_prep_sync(__vcmdq_sq_entry(sq, cons));
	return __vcmdq_sq_ack_error(sq);
}

/*
 * Recovery by skipping: move CONS past the entry it stopped at, then
 * acknowledge.  Returns whether to kick.
 */
static inline bool __vcmdq_sq_skip_error(struct vcmdq_sq *sq)
{
	uint32_t cons = __vcmdq_load_cons_acquire(sq) & (2 * sq->wrap - 1);

	__vcmdq_store_reg_release(sq, VCMDQ_CTRL_CONS,
				  (cons + 1) & (2 * sq->wrap - 1));
	return __vcmdq_sq_ack_error(sq);
}

/* ---- out-of-line twins and the library's parts -------------------------- */

void vcmdq_sq_setup(struct vcmdq_sq *sq, void *ctrl, unsigned int index,
		    void *ring, unsigned int log2size, int fd,
		    uint32_t viommu_id);
int vcmdq_sq_reserve(struct vcmdq_sq *sq, uint32_t n, uint32_t *idx);
uint64_t *vcmdq_sq_entry(const struct vcmdq_sq *sq, uint32_t pos);
bool vcmdq_sq_submit(struct vcmdq_sq *sq, uint32_t n);
bool vcmdq_sq_consumed(const struct vcmdq_sq *sq, uint32_t cons,
		       uint32_t pos);
bool vcmdq_sq_stopped(const struct vcmdq_sq *sq, uint32_t cons);
int vcmdq_sq_wait(struct vcmdq_sq *sq, uint32_t pos, unsigned int spin,
		  vcmdq_backoff_fn backoff, void *arg,
		  struct vcmdq_sq_error *err);
bool vcmdq_sq_ack_error(struct vcmdq_sq *sq);
bool vcmdq_sq_fix_error(struct vcmdq_sq *sq);
bool vcmdq_sq_skip_error(struct vcmdq_sq *sq);
void vcmdq_sq_prep_tlbi_nh_asid(uint64_t *e, uint16_t asid);
void vcmdq_sq_prep_tlbi_nh_va(uint64_t *e, uint16_t asid, uint64_t va,
			      bool leaf, unsigned int tg, unsigned int num,
			      unsigned int scale, unsigned int ttl);
void vcmdq_sq_prep_atc_inv(uint64_t *e, uint32_t vsid, bool ssv,
			   uint32_t ssid, uint64_t addr, unsigned int size,
			   bool global);
void vcmdq_sq_prep_sync(uint64_t *e);

/*
 * vcmdq_sq_init() - set up @sq for queue @index of @viommu, which must be
 * bound (vcmdq_queue_set_base()): its registers in the control region, its
 * entries through the context's guest memory mappings.  PROD and the cached
 * CONS start from the registers.  -ENOENT queue not bound; -EOPNOTSUPP no
 * control region.  Context-locked.
 */
int vcmdq_sq_init(struct vcmdq_viommu *viommu, unsigned int index,
		  struct vcmdq_sq *sq);

/*
 * vcmdq_sq_enable() - what a guest driver does to start its queue
 * (tegra241's hw_init): CONFIG.EN = 0 and wait for STATUS, PROD = CONS = 0,
 * CONFIG.EN = 1 and wait for STATUS.ENABLED, kicking the engine while it
 * sleeps.  -ETIMEDOUT after @timeout_us.  vcmdq_sq_disable(): CONFIG.EN = 0
 * and wait.  Not thread-safe on one sq.
 */
int vcmdq_sq_enable(struct vcmdq_sq *sq, uint64_t timeout_us);
int vcmdq_sq_disable(struct vcmdq_sq *sq, uint64_t timeout_us);

/*
 * vcmdq_sq_kick() - VCMDQ_KICK: wake the engine now.  Call it when submit
 * (or an error ack) returned true.  Thread-safe.
 */
int vcmdq_sq_kick(struct vcmdq_sq *sq);

/*
 * vcmdq_backoff_sleep() - a ready-made vcmdq_backoff_fn: sched_yield() for
 * the first 200 iterations, then 50 us sleeps, -ETIMEDOUT once
 * *(uint64_t *)@arg, a CLOCK_MONOTONIC deadline in ns, has passed.
 * vcmdq_deadline_ns(): now + @timeout_us, for it.
 */
int vcmdq_backoff_sleep(void *arg, unsigned int iter);
uint64_t vcmdq_deadline_ns(uint64_t timeout_us);

#ifdef __cplusplus
}
#endif

#endif /* _VCMDQ_FASTPATH_H */
