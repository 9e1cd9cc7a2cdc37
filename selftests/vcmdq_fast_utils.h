/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers for the fast path selftests (vcmdq_fast.c):
 *
 *  - the VCMDQ_TEST counts the fast path tests ask for (the ioctl helpers
 *    themselves, QUEUE_ALLOC to INVALIDATE, are in vcmdq_utils.h);
 *  - SMMUv3 command encoders, field for field as Linux's arm-smmu-v3.h
 *    builds them (arm_smmu_cmdq_build_cmd()), plus the range splitting of
 *    __arm_smmu_tlb_inv_range() and arm_smmu_atc_inv_to_cmd();
 *  - a guest driver for one VCMDQ: what the Tegra241 guest driver does
 *    with page0 (enable by CONFIG.EN and poll STATUS, write entries
 *    little-endian, release barrier, PROD, poll CONS with acquire until it
 *    passes the CMD_SYNC, see CONS.ERR / GERROR), plus vcmdq's
 *    NEED_WAKEUP/KICK protocol;
 *  - the host side: writing module parameters, engine threads in /proc,
 *    huge pages, /proc/self/pagemap.
 */
#ifndef __SELFTEST_VCMDQ_FAST_UTILS_H
#define __SELFTEST_VCMDQ_FAST_UTILS_H

#include <dirent.h>
#include <endian.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <time.h>

#include "vcmdq_utils.h"

/* The guest driver's producer is libvcmdq's (header only, no link). */
#include <vcmdq/fastpath.h>

#ifndef MAP_HUGETLB
#define MAP_HUGETLB 0x40000
#endif

#define HUGE_PAGE_SIZE		(2UL << 20)
#define CMDQ_ENT_SIZE		16

/* ---- event queues --------------------------------------------------------- */

/* One record of an event fd. */
struct event_rec {
	struct vcmdq_event_header hdr;
	struct vcmdq_event_cmdq_err err;
};

/* ---- TEST: the instance's IOTLB and ATC model ----------------------------- */

/* Entries of {tag, asid}, any PASID, overlapping [start, last]; -1 on error. */
#define iotlb_count_range(fd, inst, tag, asid, start, last, flags)            \
	_iotlb_count(fd, inst, (flags) | VCMDQ_TEST_ANY_PASID, tag, asid, 0,  \
		     start, last)
#define iotlb_count(fd, inst, tag, asid) \
	iotlb_count_range(fd, inst, tag, asid, 0, UINT64_MAX, 0)

#define atc_count_range(fd, inst, sid, ssid, any_ssid, start, last)           \
	_atc_count(fd, inst, (any_ssid) ? VCMDQ_TEST_ANY_SSID : 0, sid, ssid, \
		   start, last)

/* ---- SMMUv3 commands, as arm_smmu_cmdq_build_cmd() encodes them ----------- */

#define CMDQ_OP_PREFETCH_CFG	0x01
#define CMDQ_OP_CFGI_STE	0x03
#define CMDQ_OP_CFGI_ALL	0x04
#define CMDQ_OP_CFGI_CD		0x05
#define CMDQ_OP_CFGI_CD_ALL	0x06
#define CMDQ_OP_TLBI_NH_ALL	0x10
#define CMDQ_OP_TLBI_NH_ASID	0x11
#define CMDQ_OP_TLBI_NH_VA	0x12
#define CMDQ_OP_TLBI_NH_VAA	0x13
#define CMDQ_OP_TLBI_EL2_ALL	0x20
#define CMDQ_OP_TLBI_S12_VMALL	0x28
#define CMDQ_OP_TLBI_S2_IPA	0x2a
#define CMDQ_OP_TLBI_NSNH_ALL	0x30
#define CMDQ_OP_ATC_INV		0x40
#define CMDQ_OP_PRI_RESP	0x41
#define CMDQ_OP_RESUME		0x44
#define CMDQ_OP_CMD_SYNC	0x46

#define CMDQ_0_SSV		(1ULL << 11)
#define CMDQ_TLBI_0_NUM(x)	((__u64)((x) & 0x1f) << 12)
#define CMDQ_TLBI_0_SCALE(x)	((__u64)((x) & 0x1f) << 20)
#define CMDQ_TLBI_0_VMID(x)	((__u64)((x) & 0xffff) << 32)
#define CMDQ_TLBI_0_ASID(x)	((__u64)((x) & 0xffff) << 48)
#define CMDQ_TLBI_1_LEAF	(1ULL << 0)
#define CMDQ_TLBI_1_TTL(x)	((__u64)((x) & 3) << 8)
#define CMDQ_TLBI_1_TG(x)	((__u64)((x) & 3) << 10)
#define CMDQ_TLBI_1_VA_MASK	(~0xfffULL)
#define CMDQ_CFGI_0_SSID(x)	((__u64)((x) & 0xfffff) << 12)
#define CMDQ_CFGI_0_SID(x)	((__u64)(__u32)(x) << 32)
#define CMDQ_CFGI_1_LEAF	(1ULL << 0)
#define CMDQ_ATC_0_GLOBAL	(1ULL << 9)
#define CMDQ_ATC_0_SSID(x)	((__u64)((x) & 0xfffff) << 12)
#define CMDQ_ATC_0_SID(x)	((__u64)(__u32)(x) << 32)
#define CMDQ_ATC_1_SIZE(x)	((__u64)((x) & 0x3f))
#define CMDQ_ATC_1_ADDR_MASK	(~0xfffULL)
#define ATC_INV_SIZE_ALL	52
#define CMDQ_SYNC_0_CS(x)	((__u64)((x) & 3) << 12)
#define CMDQ_SYNC_0_CS_NONE	0
#define CMDQ_SYNC_0_CS_IRQ	1
#define CMDQ_SYNC_0_CS_SEV	2
#define CMDQ_SYNC_0_MSH(x)	((__u64)((x) & 3) << 22)
#define CMDQ_SYNC_0_MSIATTR(x)	((__u64)((x) & 0xf) << 24)
#define CMDQ_SYNC_0_MSIDATA(x)	((__u64)(__u32)(x) << 32)
#define CMDQ_SYNC_1_MSIADDR_MASK 0x000ffffffffffffcULL
#define ARM_SMMU_SH_ISH		3
#define ARM_SMMU_MEMATTR_OIWB	0xf

struct cmd {
	__u64 w[2];
};

static inline struct cmd cmd_tlbi_nh_asid(__u16 vmid, __u16 asid)
{
	return (struct cmd){ { CMDQ_OP_TLBI_NH_ASID | CMDQ_TLBI_0_VMID(vmid) |
				       CMDQ_TLBI_0_ASID(asid), 0 } };
}

/*
 * TLBI_NH_VA.  @tg = 0 is the classic single-address form; @tg = 1/2/3
 * (4K/16K/64K granule) a range of (@num + 1) << @scale granules.
 */
static inline struct cmd cmd_tlbi_nh_va(__u16 vmid, __u16 asid, __u64 va,
					bool leaf, unsigned int tg,
					unsigned int num, unsigned int scale,
					unsigned int ttl)
{
	return (struct cmd){ { CMDQ_OP_TLBI_NH_VA | CMDQ_TLBI_0_NUM(num) |
				       CMDQ_TLBI_0_SCALE(scale) |
				       CMDQ_TLBI_0_VMID(vmid) |
				       CMDQ_TLBI_0_ASID(asid),
			       (leaf ? CMDQ_TLBI_1_LEAF : 0) |
				       CMDQ_TLBI_1_TTL(ttl) |
				       CMDQ_TLBI_1_TG(tg) |
				       (va & CMDQ_TLBI_1_VA_MASK) } };
}

static inline struct cmd cmd_atc_inv(__u32 sid, bool ssv, __u32 ssid,
				     __u64 addr, unsigned int size, bool global)
{
	return (struct cmd){ { CMDQ_OP_ATC_INV | (ssv ? CMDQ_0_SSV : 0) |
				       (global ? CMDQ_ATC_0_GLOBAL : 0) |
				       CMDQ_ATC_0_SSID(ssid) |
				       CMDQ_ATC_0_SID(sid),
			       CMDQ_ATC_1_SIZE(size) |
				       (addr & CMDQ_ATC_1_ADDR_MASK) } };
}

/*
 * CMD_SYNC as Linux builds it for a Tegra241 VCMDQ: MSH = inner shareable,
 * MSIATTR = OIWB, then CS forced to NONE because the queue is busy-polled
 * (arm_smmu_cmdq_build_sync_cmd()).  Other CS values are illegal there.
 */
static inline struct cmd cmd_sync_cs(unsigned int cs, __u64 msiaddr,
				     __u32 msidata)
{
	return (struct cmd){ { CMDQ_OP_CMD_SYNC | CMDQ_SYNC_0_CS(cs) |
				       CMDQ_SYNC_0_MSH(ARM_SMMU_SH_ISH) |
				       CMDQ_SYNC_0_MSIATTR(ARM_SMMU_MEMATTR_OIWB) |
				       CMDQ_SYNC_0_MSIDATA(msidata),
			       msiaddr & CMDQ_SYNC_1_MSIADDR_MASK } };
}

static inline struct cmd cmd_sync(void)
{
	return cmd_sync_cs(CMDQ_SYNC_0_CS_NONE, 0, 0);
}

/* Legal on the trapped (slow path) queue, never on a guest-owned VCMDQ. */
static inline struct cmd cmd_cfgi_ste(__u32 sid, bool leaf)
{
	return (struct cmd){ { CMDQ_OP_CFGI_STE | CMDQ_CFGI_0_SID(sid),
			       leaf ? CMDQ_CFGI_1_LEAF : 0 } };
}

static inline struct cmd cmd_cfgi_cd(__u32 sid, __u32 ssid, bool leaf)
{
	return (struct cmd){ { CMDQ_OP_CFGI_CD | CMDQ_CFGI_0_SID(sid) |
				       CMDQ_CFGI_0_SSID(ssid),
			       leaf ? CMDQ_CFGI_1_LEAF : 0 } };
}

static inline struct cmd cmd_tlbi_nh_all(__u16 vmid)
{
	return (struct cmd){ { CMDQ_OP_TLBI_NH_ALL | CMDQ_TLBI_0_VMID(vmid), 0 } };
}

static inline struct cmd cmd_tlbi_nh_vaa(__u16 vmid, __u64 va)
{
	return (struct cmd){ { CMDQ_OP_TLBI_NH_VAA | CMDQ_TLBI_0_VMID(vmid),
			       va & CMDQ_TLBI_1_VA_MASK } };
}

static inline struct cmd cmd_raw(__u64 w0, __u64 w1)
{
	return (struct cmd){ { w0, w1 } };
}

/*
 * __arm_smmu_tlb_inv_range() with ARM_SMMU_FEAT_RANGE_INV: split
 * [iova, iova + size) of @granule pages into TLBI_NH_VA range commands.
 * Return: the number of commands written to @out (at most @max).
 */
static inline unsigned int guest_tlbi_range(struct cmd *out, unsigned int max,
					    __u16 asid, __u64 iova, __u64 size,
					    __u64 granule, bool leaf)
{
	unsigned int tg = __builtin_ctzll(granule), n = 0;
	__u64 num_pages = size >> tg, end = iova + size;

	while (iova < end && n < max) {
		unsigned int scale = __builtin_ctzll(num_pages);
		__u64 num = (num_pages >> scale) & 0x1f;

		out[n++] = cmd_tlbi_nh_va(0, asid, iova, leaf, (tg - 10) / 2,
					  num - 1, scale, 0);
		iova += num << (scale + tg);
		num_pages -= num << scale;
	}
	return n;
}

/* arm_smmu_atc_inv_to_cmd(): the smallest aligned span covering the range. */
static inline struct cmd guest_atc_inv(__u32 vsid, bool ssv, __u32 ssid,
				       __u64 iova, __u64 size)
{
	__u64 page_start, page_end, span_mask;
	unsigned int log2_span;

	if (!size)
		return cmd_atc_inv(vsid, ssv, ssid, 0, ATC_INV_SIZE_ALL, false);
	page_start = iova >> 12;
	page_end = (iova + size - 1) >> 12;
	log2_span = page_start ^ page_end ?
		    64 - __builtin_clzll(page_start ^ page_end) : 0;
	span_mask = (1ULL << log2_span) - 1;
	page_start &= ~span_mask;
	return cmd_atc_inv(vsid, ssv, ssid, page_start << 12, log2_span, false);
}

/* ---- time ----------------------------------------------------------------- */

static inline __u64 now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static inline void sleep_us(__u64 us)
{
	struct timespec ts = { .tv_sec = us / 1000000,
			       .tv_nsec = (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ---- the guest driver of one VCMDQ ---------------------------------------- */

/*
 * A polling loop's back-off: yield the CPU first (the engine thread may be
 * waiting for it: the test VM has two), then sleep a little, so that many
 * producer threads polling at once do not starve the engine under
 * emulation.
 */
static inline void relax(unsigned int *spins)
{
	if (++*spins < 200)
		sched_yield();
	else
		sleep_us(50);
}

/*
 * One logical VCMDQ as the guest driver sees it, on libvcmdq's header-only
 * fast path (<vcmdq/fastpath.h>: its registers, entries, ordering helpers
 * and queue arithmetic; no library to link), plus what the tests add: the
 * timeout, whether to kick, a kick counter.  PROD is the library's
 * sq.prod, which gq_put() advances entry by entry and gq_publish() stores.
 */
struct gq {
	struct vcmdq_sq sq;
	bool kick;		/* kick when NEED_WAKEUP after PROD */
	__u64 timeout_us;	/* CONS/STATUS polls give up after this */
	unsigned long kicks;	/* KICKs issued */
};

/* Like ARM_SMMU_POLL_TIMEOUT_US, with room for software emulation. */
#define GQ_TIMEOUT_US		(2 * 1000 * 1000)

static inline void gq_init(struct gq *q, void *ctrl, unsigned int index,
			   void *queue_va, unsigned int log2size, int fd,
			   __u32 viommu_id)
{
	*q = (struct gq){ .kick = true, .timeout_us = GQ_TIMEOUT_US };
	__vcmdq_sq_setup(&q->sq, ctrl, index, queue_va, log2size, fd,
			 viommu_id);
}

static inline __u32 gq_rd(const struct gq *q, unsigned int off)
{
	return __vcmdq_load_reg_acquire(&q->sq, off);
}

static inline void gq_wr(struct gq *q, unsigned int off, __u32 val)
{
	__vcmdq_store_reg_release(&q->sq, off, val);
}

static inline __u32 gq_nent(const struct gq *q)
{
	return q->sq.wrap;
}

#define Q_IDX(q, p)	((p) & (gq_nent(q) - 1))
#define Q_WRP(q, p)	((p) & gq_nent(q))
#define Q_PTR(q, p)	((p) & (2 * gq_nent(q) - 1))

static inline __u32 gq_inc(const struct gq *q, __u32 p, __u32 n)
{
	return Q_PTR(q, p + n);
}

/* CONS without ERR (and the overflow bit). */
static inline __u32 gq_cons(const struct gq *q)
{
	return Q_PTR(q, __vcmdq_load_cons_acquire(&q->sq));
}

static inline __u32 gq_cons_err(const struct gq *q)
{
	return (__vcmdq_load_cons_acquire(&q->sq) >> VCMDQ_CONS_ERR_SHIFT) &
	       VCMDQ_CONS_ERR_MASK;
}

/* queue_consumed() of arm-smmu-v3.c: has @cons moved past the entry @p? */
static inline bool gq_consumed(const struct gq *q, __u32 cons, __u32 p)
{
	return __vcmdq_sq_consumed(&q->sq, cons, p);
}

/* Free entries between our PROD and the engine's @cons. */
static inline __u32 gq_space(const struct gq *q, __u32 cons)
{
	return q->sq.wrap - __vcmdq_sq_used(&q->sq, cons);
}

/* Does the engine advertise NEED_WAKEUP (a plain read, for polls)? */
static inline bool gq_need_wakeup(const struct gq *q)
{
	return __vcmdq_engine_needs_wakeup(&q->sq);
}

/* After the library said the engine sleeps: kick it, if this queue may. */
static inline void gq_kick_if(struct gq *q, bool need_wakeup)
{
	if (q->kick && need_wakeup) {
		_test_cmd_kick(q->sq.fd, q->sq.viommu_id);
		q->kicks++;
	}
}

/* The producer's side of vcmdq's SQPOLL-like protocol. */
static inline void gq_maybe_kick(struct gq *q)
{
	__vcmdq_mb_prod_before_wakeup_check();
	gq_kick_if(q, __vcmdq_engine_needs_wakeup(&q->sq));
}

/*
 * Write CONFIG and wait for STATUS.ENABLED to follow (tegra241's
 * vcmdq_write_config()).  Return: 0 or -ETIMEDOUT.
 */
static inline int gq_write_config(struct gq *q, __u32 config)
{
	__u64 deadline = now_us() + q->timeout_us;
	bool want = config & VCMDQ_CONFIG_EN;
	unsigned int spins = 0;

	gq_wr(q, VCMDQ_CTRL_CONFIG, config);
	gq_maybe_kick(q);
	while (!!(gq_rd(q, VCMDQ_CTRL_STATUS) & VCMDQ_STATUS_ENABLED) != want) {
		if (now_us() > deadline)
			return -ETIMEDOUT;
		relax(&spins);
	}
	return 0;
}

/*
 * tegra241_vcmdq_hw_init() after hw_deinit(): queue disabled, PROD and
 * CONS reset to 0, then enabled.
 */
static inline int gq_hw_init(struct gq *q)
{
	int rc = gq_write_config(q, 0);

	if (rc)
		return rc;
	gq_wr(q, VCMDQ_CTRL_PROD, 0);
	gq_wr(q, VCMDQ_CTRL_CONS, 0);
	q->sq.prod = 0;
	q->sq.cached_cons = 0;
	return gq_write_config(q, VCMDQ_CONFIG_EN);
}

/* queue_write(): an entry at PROD, little-endian; PROD is not published. */
static inline void gq_put(struct gq *q, struct cmd c)
{
	uint64_t *e = __vcmdq_sq_entry(&q->sq, q->sq.prod);

	e[0] = __vcmdq_cpu_to_le64(c.w[0]);
	e[1] = __vcmdq_cpu_to_le64(c.w[1]);
	q->sq.prod = gq_inc(q, q->sq.prod, 1);
}

/* Release the entries written so far: one release store of PROD. */
static inline void gq_publish(struct gq *q)
{
	__vcmdq_store_prod_release(&q->sq, q->sq.prod);
	gq_maybe_kick(q);
}

/*
 * Has the queue stopped on an error?  CONS.ERR says why, but an error is
 * only active while GERROR != GERRORN: after the guest acknowledged, CONS
 * keeps the old ERR until the engine resumes and rewrites it.
 */
static inline bool gq_stopped(const struct gq *q, __u32 cons)
{
	return __vcmdq_sq_stopped(&q->sq, cons);
}

/* The library's wait back-off: relax(), -ETIMEDOUT past the deadline. */
struct gq_wait {
	__u64 deadline;
	unsigned int spins;
};

static inline int gq_backoff(void *arg, unsigned int iter)
{
	struct gq_wait *w = arg;

	if (now_us() > w->deadline)
		return -ETIMEDOUT;
	relax(&w->spins);
	return 0;
}

/*
 * Poll CONS (acquire) until it has passed entry @p.
 * Return: 0; -EIO when the queue stopped on an error (CONS.ERR set) before
 * passing it; -ETIMEDOUT.
 */
static inline int gq_wait_past(struct gq *q, __u32 p)
{
	struct gq_wait w = { .deadline = now_us() + q->timeout_us };

	return __vcmdq_sq_wait(&q->sq, p, 0, gq_backoff, &w, NULL);
}

/* Wait until @n entries are free.  Return: as gq_wait_past(). */
static inline int gq_wait_space(struct gq *q, __u32 n)
{
	__u64 deadline = now_us() + q->timeout_us;
	unsigned int spins = 0;
	__u32 idx;

	for (;;) {
		__u32 cons = __vcmdq_load_cons_acquire(&q->sq);

		if (gq_stopped(q, cons))
			return -EIO;
		/* The library's reserve: the cached CONS, then the register. */
		if (!__vcmdq_sq_reserve(&q->sq, n, &idx))
			return 0;
		if (now_us() > deadline)
			return -ETIMEDOUT;
		relax(&spins);
	}
}

/*
 * arm_smmu_cmdq_issue_cmdlist() with sync: @n commands and a CMD_SYNC, one
 * PROD update, then wait for CONS to pass the CMD_SYNC.  @n + 1 must fit
 * in the queue.  Return: as gq_wait_past().
 */
static inline int gq_issue_sync(struct gq *q, const struct cmd *cmds,
				unsigned int n)
{
	unsigned int i;
	__u32 sync;
	int rc;

	rc = gq_wait_space(q, n + 1);
	if (rc)
		return rc;
	for (i = 0; i < n; i++)
		gq_put(q, cmds[i]);
	sync = q->sq.prod;
	gq_put(q, cmd_sync());
	gq_publish(q);
	return gq_wait_past(q, sync);
}

static inline int gq_issue1(struct gq *q, struct cmd c)
{
	return gq_issue_sync(q, &c, 1);
}

/*
 * The guest's CMDQ_ERR handler (arm_smmu_cmdq_skip_err()): GERROR and
 * GERRORN differ; acknowledge by making them equal.
 */
static inline bool gq_in_error(const struct gq *q)
{
	return (gq_rd(q, VCMDQ_CTRL_GERROR) ^ gq_rd(q, VCMDQ_CTRL_GERRORN)) &
	       VCMDQ_GERROR_CMDQ_ERR;
}

static inline void gq_ack(struct gq *q)
{
	gq_kick_if(q, __vcmdq_sq_ack_error(&q->sq));
}

/* Fix: overwrite the entry CONS points at with a CMD_SYNC, then ack. */
static inline void gq_fix_and_ack(struct gq *q)
{
	gq_kick_if(q, __vcmdq_sq_fix_error(&q->sq));
}

/* Skip: move CONS past the entry, then ack. */
static inline void gq_skip_and_ack(struct gq *q)
{
	gq_kick_if(q, __vcmdq_sq_skip_error(&q->sq));
}

/* ---- module parameters, engine threads ------------------------------------ */

/* A decimal number and a newline into @path; 0 or -1. */
static inline int write_long_file(const char *path, long val)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld\n", val);
	return write_str(path, buf);
}

static inline int param_write(const char *name, long val)
{
	char path[128];

	snprintf(path, sizeof(path), VCMDQ_PARAMS "%s", name);
	return write_long_file(path, val);
}

/* The pid of kthread "vcmdq-engine/<id>", or -1. */
static inline int engine_pid(__u32 instance_id)
{
	char want[32], path[300], comm[64];
	struct dirent *de;
	int pid = -1;
	DIR *d;

	snprintf(want, sizeof(want), "vcmdq-engine/%u\n", instance_id);
	d = opendir("/proc");
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		if (read_file(path, comm, sizeof(comm)) <= 0)
			continue;
		if (!strcmp(comm, want)) {
			pid = atoi(de->d_name);
			break;
		}
	}
	closedir(d);
	return pid;
}

/* utime + stime (fields 14 and 15 of /proc/PID/stat), in clock ticks. */
static inline long task_cpu_ticks(int pid)
{
	unsigned long utime, stime;
	char path[64], buf[1024], *p;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	/* comm may hold spaces and parentheses: fields resume after the last ')' */
	p = strrchr(buf, ')');
	if (!p)
		return -1;
	p += 2;		/* field 3 */
	for (i = 3; i < 14; i++) {
		p = strchr(p, ' ');
		if (!p)
			return -1;
		p++;
	}
	if (sscanf(p, "%lu %lu", &utime, &stime) != 2)
		return -1;
	return utime + stime;
}

/* Time on the CPU from /proc/PID/schedstat, in ns (for the log); -1. */
static inline long long task_run_ns(int pid)
{
	char path[64];
	long long ns;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/schedstat", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%lld", &ns) != 1)
		ns = -1;
	fclose(f);
	return ns;
}

/* ---- memory: huge pages, physical frames ---------------------------------- */

static inline long hugepages_get(void)
{
	return read_long_file("/proc/sys/vm/nr_hugepages");
}

static inline int hugepages_set(long n)
{
	return write_long_file("/proc/sys/vm/nr_hugepages", n);
}

/* The PFN backing @va (root reads real PFNs from pagemap); 0 if unknown. */
static inline __u64 virt_to_pfn(const void *va)
{
	__u64 entry = 0;
	int fd;

	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0)
		return 0;
	if (pread(fd, &entry, sizeof(entry),
		  ((uintptr_t)va / PAGE_SIZE) * sizeof(entry)) != sizeof(entry))
		entry = 0;
	close(fd);
	if (!(entry & (1ULL << 63)))
		return 0;
	return entry & ((1ULL << 55) - 1);
}

#endif /* __SELFTEST_VCMDQ_FAST_UTILS_H */
