// SPDX-License-Identifier: GPL-2.0
/*
 * The emulated Tegra241 CMDQV engine: one kernel thread per instance doing
 * what the hardware's command consumer does for guest-owned queues.
 *
 * The guest writes commands into its queue (guest memory) and PROD into the
 * control region, which the VMM mapped into it; nothing traps.  The thread
 * notices, consumes CONS..PROD, executes each command on the instance's
 * cache model under the vIOMMU's tag, and advances CONS.  So the guest's
 * invalidations cost no exit, as on the hardware.
 *
 * Idle policy (like io_uring's SQPOLL thread): while there is work the
 * thread busy-polls; after engine_spin_us without work it arms the doorbell
 * of every control region (viommu.c: the next write to it faults and kicks
 * the engine), sets VCMDQ_ENGINE_NEED_WAKEUP in it and sleeps, until a
 * doorbell or VCMDQ_KICK wakes it, or every engine_poll_us to look again
 * (a safety net; the only bound on latency with engine_doorbell=0).  An
 * instance whose enabled queues are idle costs one short scan per poll
 * period; a guest that never kicks (a Linux guest) pays one write fault per
 * burst instead of up to a poll period.
 *
 * Hybrid polling (engine_hybrid_us, off by default): the thread learns the
 * gaps between the end of one burst and the start of the next, and when
 * they are regular and shorter than engine_hybrid_us it sleeps on a timer
 * until just before the next burst is due, then spins through the window
 * the gaps' spread gives, and only then arms the doorbell and sleeps; see
 * "Hybrid polling" below.
 *
 * Fairness: a pass serves the instance's vIOMMUs (VMs) one after the other,
 * each with VCMDQ_ENGINE_BUDGET entries over all its queues, and the next
 * pass starts with the next vIOMMU.  A VM with eight busy queues gets the
 * share of a VM with one.  The bound: in a pass, every vIOMMU consumes at
 * most one budget, and exactly one when its queues keep that much pending;
 * so between two VMs whose PROD stays ahead, the entries consumed differ by
 * at most one budget at any time and by none at a pass's end (a queue that
 * stops on an error ends its share early).
 *
 * Accounting: the time a pass spends on a vIOMMU's queues (ktime_get_ns(),
 * read only when they have work) and the entries consumed are added to the
 * vIOMMU, for VCMDQ_GET_OBJECTS: the engine's CPU time, per VM.  Not
 * local_clock(): where the TSC is unusable (seen under QEMU TCG on a busy
 * host) sched_clock() ticks in jiffies and a whole pass reads as 0 ns; the
 * clocksource behind ktime_get_ns() is the finest the machine has.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitfield.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/ktime.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sched/stat.h>
#include <linux/sort.h>

#include "vcmdq_private.h"
#include "cmd.h"
#include "cmd_smmuv3.h"

static unsigned int engine_spin_us = 200;
module_param(engine_spin_us, uint, 0644);
MODULE_PARM_DESC(engine_spin_us,
		 "Engine: busy-poll this long after the last command before going idle");

/*
 * A safety net since the doorbell wakes the engine at the first write: long,
 * so an idle engine costs well under 1% of a CPU (one wake-up is some 35 us
 * under TCG).  With engine_doorbell=0 it bounds the latency of a guest that
 * does not kick: set it lower then.
 */
static unsigned int engine_poll_us = 10000;
module_param(engine_poll_us, uint, 0644);
MODULE_PARM_DESC(engine_poll_us,
		 "Engine: while idle, look at the queues this often (bounds latency without VCMDQ_KICK or the doorbell)");

static bool engine_doorbell = true;
module_param(engine_doorbell, bool, 0644);
MODULE_PARM_DESC(engine_doorbell,
		 "Engine: going idle, write-protect the control regions so the guest's next write wakes it");

/*
 * Hybrid polling, as NVMe's and io_uring's hybrid iopoll sleep for part of
 * the expected completion time and then poll: with engine_hybrid_us=N (0:
 * off) the thread remembers the last 16 gaps it saw between bursts (from
 * the end of one to the start of the next).  A gap the spin
 * (engine_spin_us) covers teaches nothing and is not counted.  When the
 * window they predict for the next burst (vcmdq_engine_hybrid_window())
 * ends within N us of the last burst, the thread, once its spin is over,
 * sleeps on a timer until the window opens (less the timer's lateness,
 * learned too), spins through it, and only then arms the doorbell and
 * sleeps as without hybrid polling.
 *
 * The timed sleep neither arms the doorbell nor sets NEED_WAKEUP: the
 * thread will look by itself within N us.  Arming costs a TLB shootdown
 * (milliseconds under TCG) and would make the burst's first write fault,
 * the two things hybrid polling is there to avoid.  So nothing can be lost,
 * and a burst that comes before the window waits at most until it opens
 * (bounded by N); a kick ends the sleep at once.  The CPU it costs is the
 * window's share of the gap, paid only while bursts keep coming at that
 * pace: when they stop, the thread spins through one window and sleeps
 * until a doorbell, as before.  Bursts of one instance's VMs share one
 * history (one thread serves them all).
 */
static unsigned int engine_hybrid_us;
/*
 * Past 10 ms a gap is long enough to sleep through with the doorbell (its
 * wake-up, some 300 us under TCG, is then a few percent of it), and the
 * limit bounds what a burst that comes before the window waits to the
 * default safety poll period (engine_poll_us).
 */
#define VCMDQ_ENGINE_HYBRID_MAX_US 10000U
/* The least margin past the 3rd quartile, for a very regular guest. */
#define VCMDQ_ENGINE_HYBRID_MIN_MARGIN_NS (20 * NSEC_PER_USEC)
/* A timed sleep shorter than this costs more than it saves: spin. */
#define VCMDQ_ENGINE_HYBRID_MIN_SLEEP_NS (20 * NSEC_PER_USEC)

/* engine_hybrid_us=N: 0 (off) to VCMDQ_ENGINE_HYBRID_MAX_US, else EINVAL. */
static int vcmdq_engine_hybrid_set(const char *val,
				   const struct kernel_param *kp)
{
	unsigned int us;
	int rc;

	rc = kstrtouint(val, 0, &us);
	if (rc)
		return rc;
	if (us > VCMDQ_ENGINE_HYBRID_MAX_US)
		return -EINVAL;
	WRITE_ONCE(engine_hybrid_us, us);
	return 0;
}

static const struct kernel_param_ops vcmdq_engine_hybrid_ops = {
	.set = vcmdq_engine_hybrid_set,
	.get = param_get_uint,
};
module_param_cb(engine_hybrid_us, &vcmdq_engine_hybrid_ops, &engine_hybrid_us,
		0644);
MODULE_PARM_DESC(engine_hybrid_us,
		 "Engine: hybrid polling: when the gaps between bursts are regular and end within this many us (max 10000), sleep until the next is due, then spin (0: off, the default)");

/* Gaps, and timed wake-ups, remembered. */
#define VCMDQ_ENGINE_HYBRID_GAPS 16
#define VCMDQ_ENGINE_HYBRID_LATES 8

/**
 * struct vcmdq_engine_hybrid - what the thread learned for hybrid polling
 * @gap_ns: the last gaps between bursts, a ring
 * @late_ns: how late the last timed wake-ups were, a ring
 * @gaps: gaps learned (the next goes to @gap_ns[@gaps % size])
 * @lates: wake-ups learned, likewise
 * @from_ns: where the window for the next burst opens, after the last
 * @to_ns: where it closes; 0: no window (too few gaps yet)
 */
struct vcmdq_engine_hybrid {
	u64 gap_ns[VCMDQ_ENGINE_HYBRID_GAPS];
	u64 late_ns[VCMDQ_ENGINE_HYBRID_LATES];
	unsigned int gaps;
	unsigned int lates;
	u64 from_ns;
	u64 to_ns;
};

static int vcmdq_engine_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/*
 * The window in which the next burst is expected, from the end of the last
 * one.  Percentiles of the last gaps, not a mean: a guest's pauses mix
 * regular gaps with outliers (a vCPU preempted, a long pause), which should
 * cost a doorbell each and move nothing.  From the 2nd shortest gap (an
 * earlier burst waits until then) less the timer's usual lateness (the
 * median: under TCG a wake-up can be milliseconds late; at most half the
 * gap), to the 3rd quartile plus half the spread (a later burst rings the
 * doorbell).  Sorts 24 numbers, once per gap or timed wake-up, not per
 * look.
 */
static void vcmdq_engine_hybrid_update(struct vcmdq_engine_hybrid *hy)
{
	u64 gap[VCMDQ_ENGINE_HYBRID_GAPS], late[VCMDQ_ENGINE_HYBRID_LATES];
	const unsigned int n = VCMDQ_ENGINE_HYBRID_GAPS;
	u64 lo, q1, q3, wake_late = 0;

	if (hy->gaps < n)
		return;
	memcpy(gap, hy->gap_ns, sizeof(gap));
	sort(gap, n, sizeof(gap[0]), vcmdq_engine_cmp_u64, NULL);
	lo = gap[1];
	q1 = gap[n / 4];
	q3 = gap[n * 3 / 4];
	hy->to_ns = q3 + max((q3 - q1) / 2,
			     (u64)VCMDQ_ENGINE_HYBRID_MIN_MARGIN_NS);
	if (hy->lates >= VCMDQ_ENGINE_HYBRID_LATES) {
		memcpy(late, hy->late_ns, sizeof(late));
		sort(late, VCMDQ_ENGINE_HYBRID_LATES, sizeof(late[0]),
		     vcmdq_engine_cmp_u64, NULL);
		wake_late = late[VCMDQ_ENGINE_HYBRID_LATES / 2];
	}
	/*
	 * Never less than half the gap, as NVMe's hybrid polling sleeps: so
	 * the thread keeps sleeping on its timer, and keeps learning how late
	 * it wakes, after one bad spell of lateness.
	 */
	hy->from_ns = lo - min(wake_late, lo / 2);
}

/* Learn one gap of @gap_ns (a spin covered none shorter than @spin_ns). */
static void vcmdq_engine_hybrid_gap(struct vcmdq_engine_hybrid *hy,
				    u64 gap_ns, u64 spin_ns, u64 max_ns)
{
	if (gap_ns <= spin_ns)
		return;
	/* Any gap past the limit is as good as infinite. */
	hy->gap_ns[hy->gaps++ % VCMDQ_ENGINE_HYBRID_GAPS] =
		min(gap_ns, 2 * max_ns);
	vcmdq_engine_hybrid_update(hy);
}

/* Learn one timed wake-up @late_ns after its time. */
static void vcmdq_engine_hybrid_late(struct vcmdq_engine_hybrid *hy,
				     u64 late_ns)
{
	hy->late_ns[hy->lates++ % VCMDQ_ENGINE_HYBRID_LATES] = late_ns;
	vcmdq_engine_hybrid_update(hy);
}

/*
 * The window for the next burst, [*@from_ns, *@to_ns) after the last.
 * Return: false when there is none within @max_ns (hybrid polling off, too
 * few gaps yet, or gaps too long or too irregular).
 */
static bool vcmdq_engine_hybrid_window(const struct vcmdq_engine_hybrid *hy,
				       u64 max_ns, u64 *from_ns, u64 *to_ns)
{
	if (!hy->to_ns || hy->to_ns > max_ns)
		return false;
	*from_ns = hy->from_ns;
	*to_ns = hy->to_ns;
	return true;
}

/*
 * Entries one vIOMMU's queues (together) may consume per pass before the
 * other vIOMMUs get a turn.
 */
#define VCMDQ_ENGINE_BUDGET 256

/* Engines started, for engine_cpu; and what it is set to. */
static DEFINE_MUTEX(vcmdq_engines_lock);
static LIST_HEAD(vcmdq_engines);
static int engine_cpu = -1;

/*
 * Pin @thread to @cpu, or give it every CPU back (-1).  Context:
 * vcmdq_engines_lock held.
 */
static int vcmdq_engine_bind(struct task_struct *thread, int cpu)
{
	return set_cpus_allowed_ptr(thread, cpu < 0 ? cpu_possible_mask :
						      cpumask_of(cpu));
}

/*
 * engine_cpu=C: every engine thread runs on CPU C (-1: wherever the
 * scheduler likes), as io_uring's sq_thread_cpu does for an SQPOLL thread.
 * At load an offline or impossible CPU fails the load with EINVAL; at run
 * time the write fails with EINVAL and nothing changes.  Not
 * kthread_bind(): that also forbids sched_setaffinity(), which operators
 * (and vcmdq-bench --engine-cpu) use.  A CPU going offline later moves the
 * thread elsewhere, as for any task.
 */
static int vcmdq_engine_cpu_set(const char *val, const struct kernel_param *kp)
{
	struct vcmdq_engine *engine;
	int cpu, rc;

	rc = kstrtoint(val, 0, &cpu);
	if (rc)
		return rc;
	if (cpu < -1 || cpu >= (int)nr_cpu_ids || (cpu >= 0 && !cpu_online(cpu)))
		return -EINVAL;
	mutex_lock(&vcmdq_engines_lock);
	list_for_each_entry(engine, &vcmdq_engines, node) {
		rc = vcmdq_engine_bind(engine->thread, cpu);
		if (rc)
			break;
	}
	if (rc) {
		/* Gone offline meanwhile: put back what was there. */
		list_for_each_entry(engine, &vcmdq_engines, node)
			vcmdq_engine_bind(engine->thread, engine_cpu);
	} else {
		engine_cpu = cpu;
	}
	mutex_unlock(&vcmdq_engines_lock);
	return rc;
}

static const struct kernel_param_ops vcmdq_engine_cpu_ops = {
	.set = vcmdq_engine_cpu_set,
	.get = param_get_int,
};
module_param_cb(engine_cpu, &vcmdq_engine_cpu_ops, &engine_cpu, 0644);
MODULE_PARM_DESC(engine_cpu,
		 "Engine: run every engine thread on this CPU (-1: unpinned, the default)");

static inline u32 *vcmdq_reg(u32 *regs, unsigned int offset)
{
	return regs + offset / sizeof(u32);
}

static u32 vcmdq_q_mask(const struct vcmdq_queue *q)
{
	/* The index bits and the wrap bit. */
	return (2U << q->log2size) - 1;
}

static u32 vcmdq_q_inc(const struct vcmdq_queue *q, u32 ptr)
{
	return (ptr + 1) & vcmdq_q_mask(q);
}

/**
 * struct vcmdq_engine_run - what one queue's share of a pass carries from
 *	entry to entry
 * @syncs: CMD_SYNCs consumed, counted at the end
 * @pending: a TLB invalidation not executed yet, when @merged > 0
 * @merged: the commands @pending stands for
 */
struct vcmdq_engine_run {
	unsigned int syncs;
	struct vcmdq_op pending;
	unsigned int merged;
};

/*
 * Execute the pending run (cmd.h, "Runs of TLB invalidations").  Before
 * CONS is published, before an error is raised and before any other
 * command executes: what the guest can observe (CONS, the error, another
 * cache) sees it done, in order.
 */
static void vcmdq_engine_flush(struct vcmdq_queue *q,
			       struct vcmdq_engine_run *run)
{
	vcmdq_exec_tlb_run(q->viommu, &run->pending, &run->merged);
}

/*
 * What the hardware does with one entry.  A CMD_SYNC (CS=NONE) is checked
 * and counted in @run, not executed: its completion is the CONS the pass
 * publishes.  A TLB invalidation may wait in @run to be merged with the
 * next.  Return: 0 when executed (or pending), or the CONS.ERR code that
 * stops the queue.
 */
static u32 vcmdq_engine_exec(struct vcmdq_queue *q, const u64 cmd[2],
			     struct vcmdq_engine_run *run)
{
	struct vcmdq_op op;
	u8 opcode = cmd[0] & 0xff;

	/*
	 * The slow path's shortcuts (cmd_smmuv3.h), on the raw entry with no
	 * decode: a page TLBI that only grows the pending run, and a CMD_SYNC
	 * with nothing to store or signal (CS=NONE; SEV is refused below).
	 */
	if (run->merged && vcmdq_smmuv3_page_run_extend(&run->pending, cmd)) {
		run->merged++;
		return 0;
	}
	if (vcmdq_smmuv3_plain_sync(cmd) &&
	    FIELD_GET(SMMUV3_CMD_SYNC_0_CS, cmd[0]) == SMMUV3_CMD_SYNC_0_CS_NONE) {
		run->syncs++;
		return 0;
	}

	/* What a guest-owned VCMDQ accepts (HYP_OWN=0); the rest is illegal. */
	switch (opcode) {
	case SMMUV3_OP_TLBI_NH_ASID:
	case SMMUV3_OP_TLBI_NH_VA:
	case SMMUV3_OP_ATC_INV:
	case SMMUV3_OP_CMD_SYNC:
		break;
	default:
		/* Everything else needs the hypervisor: trapped queue only. */
		return VCMDQ_CERROR_ILL;
	}
	/*
	 * No MSI (CS=IRQ) or SEV (CS=SEV) from a guest-owned queue: the guest
	 * polls CONS.  The op has no field for SEV, so look at CS itself.
	 */
	if (opcode == SMMUV3_OP_CMD_SYNC &&
	    FIELD_GET(SMMUV3_CMD_SYNC_0_CS, cmd[0]) != SMMUV3_CMD_SYNC_0_CS_NONE)
		return VCMDQ_CERROR_ILL;
	if (vcmdq_decode_smmuv3(cmd, &op))
		return VCMDQ_CERROR_ILL;
	if (opcode == SMMUV3_OP_CMD_SYNC) {
		/* Nothing to execute: vcmdq_exec() would only count it. */
		run->syncs++;
		return 0;
	}
	if (run->merged && vcmdq_tlb_run_extends(&run->pending, &op)) {
		vcmdq_tlb_run_extend(&run->pending, &op);
		run->merged++;
		return 0;
	}
	vcmdq_engine_flush(q, run);
	if (vcmdq_tlb_run_starts(&op)) {
		run->pending = op;
		run->merged = 1;
		return 0;
	}
	/* An unknown vSID has no SID_MATCH entry: illegal, as on hardware. */
	if (vcmdq_exec(q->viommu, &op))
		return VCMDQ_CERROR_ILL;
	return 0;
}

/* The counters of a queue's share of a pass, once for all its entries. */
static void vcmdq_engine_count(struct vcmdq_queue *q, unsigned int done,
			       unsigned int syncs)
{
	struct vcmdq_instance *inst = q->viommu->inst;

	if (done)
		vcmdq_count(inst, VCMDQ_CNT_FAST_COMMANDS, done);
	if (syncs)
		vcmdq_count(inst, VCMDQ_CNT_SYNC, syncs);
}

static void vcmdq_engine_raise(struct vcmdq_queue *q, u32 cons, u32 error,
			       const u64 cmd[2])
{
	u32 *regs = q->regs;
	struct vcmdq_event_cmdq_err err = {
		.queue_index = q->index,
		.error = error,
		.cons = cons,
		.cmd = { cmd[0], cmd[1] },
	};
	u32 gerror = READ_ONCE(*vcmdq_reg(regs, VCMDQ_CTRL_GERROR));

	q->in_error = true;
	q->cons = cons;
	WRITE_ONCE(*vcmdq_reg(regs, VCMDQ_CTRL_CONS),
		   cons | (error << VCMDQ_CONS_ERR_SHIFT));
	/*
	 * CONS.ERR must be visible before the guest sees GERROR toggle: its
	 * error handler reads GERROR, then CONS.
	 */
	smp_store_release(vcmdq_reg(regs, VCMDQ_CTRL_GERROR),
			  gerror ^ VCMDQ_GERROR_CMDQ_ERR);
	vcmdq_eventq_report_cmdq_err(q->viommu, &err);
}

/*
 * The first work of a pass on @viommu: clear its NEED_WAKEUP and take its
 * doorbell back, before any CONS of this pass is published (the release
 * of CONS orders the clear).  So a guest that sees its entries consumed
 * sees the flag clear until the engine really goes idle again: the flag
 * it reads after a completion is never the arming its own write woke
 * (the doorbell selftests wait on that), and a producer that kicks on the
 * flag makes no needless kick.  The thread's vcmdq_engine_disarm() after
 * the pass still does every other vIOMMU.
 */
static void vcmdq_engine_viommu_busy(struct vcmdq_viommu *viommu)
{
	u32 *word = viommu->ctrl + VCMDQ_CTRL_ENGINE;

	if (!READ_ONCE(*word))
		return;
	atomic_set(&viommu->db_armed, 0);
	WRITE_ONCE(*word, 0);
}

/*
 * Consume up to @budget entries of @q.  @busy: the vIOMMU's share of the
 * pass found work, set here on the first entry found.
 * Return: entries consumed (one that stopped the queue included).
 */
static unsigned int vcmdq_engine_consume(struct vcmdq_queue *q,
					 unsigned int budget, bool *busy)
{
	u32 *regs = q->regs;
	u32 mask = vcmdq_q_mask(q);
	u32 index_mask = (1U << q->log2size) - 1;
	const u64 *base = q->base;
	struct vcmdq_engine_run run = {};
	unsigned int done = 0;
	u32 gerror, gerrorn, prod, cons;

	/*
	 * Acquire: pairs with the guest's release of CONFIG.  The guest sets
	 * PROD and CONS while the queue is disabled, then CONFIG.EN; without
	 * it a weakly ordered CPU may read CONS below before CONFIG and start
	 * from a stale CONS (a control dependency orders no later load).
	 */
	if (!(smp_load_acquire(vcmdq_reg(regs, VCMDQ_CTRL_CONFIG)) &
	      VCMDQ_CONFIG_EN)) {
		if (q->enabled) {
			q->enabled = false;
			/*
			 * Release: pairs with the guest's acquire of STATUS.
			 * Once it sees the queue stopped, every read of the
			 * entries and write of CONS is done: it may reset
			 * PROD and CONS and reuse the memory.
			 */
			smp_store_release(vcmdq_reg(regs, VCMDQ_CTRL_STATUS), 0);
		}
		return 0;
	}
	if (!q->enabled) {
		/* The guest set PROD and CONS while the queue was disabled. */
		q->enabled = true;
		q->cons = READ_ONCE(*vcmdq_reg(regs, VCMDQ_CTRL_CONS)) & mask;
		/* Release, as every engine-written register the guest polls. */
		smp_store_release(vcmdq_reg(regs, VCMDQ_CTRL_STATUS),
				  VCMDQ_STATUS_ENABLED);
	}

	/*
	 * Pairs with the guest's release of PROD after writing the entries.
	 * Read first: an idle queue (the common case of a poll) costs this
	 * one load past CONFIG.
	 */
	prod = smp_load_acquire(vcmdq_reg(regs, VCMDQ_CTRL_PROD)) & mask;
	if (!q->in_error && (prod == q->cons || !budget))
		return 0;

	gerror = READ_ONCE(*vcmdq_reg(regs, VCMDQ_CTRL_GERROR));
	/* Pairs with the guest's release of GERRORN after fixing the entry. */
	gerrorn = smp_load_acquire(vcmdq_reg(regs, VCMDQ_CTRL_GERRORN));
	if ((gerror ^ gerrorn) & VCMDQ_GERROR_CMDQ_ERR)
		return 0;
	if (q->in_error) {
		/* Acknowledged: resume at CONS, which the guest may have moved. */
		q->in_error = false;
		q->cons = READ_ONCE(*vcmdq_reg(regs, VCMDQ_CTRL_CONS)) & mask;
		WRITE_ONCE(*vcmdq_reg(regs, VCMDQ_CTRL_CONS), q->cons);
		/* Read again, after GERRORN's acquire like the entries. */
		prod = smp_load_acquire(vcmdq_reg(regs, VCMDQ_CTRL_PROD)) & mask;
		if (prod == q->cons || !budget)
			return 0;
	}

	if (!*busy) {
		*busy = true;
		vcmdq_engine_viommu_busy(q->viommu);
	}
	cons = q->cons;
	while (cons != prod && done < budget) {
		const u64 *entry = base + (cons & index_mask) * 2;
		u64 cmd[2];
		u32 error;

		cmd[0] = le64_to_cpu((__force __le64)READ_ONCE(entry[0]));
		cmd[1] = le64_to_cpu((__force __le64)READ_ONCE(entry[1]));
		error = vcmdq_engine_exec(q, cmd, &run);
		if (error) {
			vcmdq_engine_flush(q, &run);
			vcmdq_engine_count(q, done, run.syncs);
			vcmdq_count(q->viommu->inst, VCMDQ_CNT_ILLEGAL, 1);
			vcmdq_engine_raise(q, cons, error, cmd);
			return done + 1;
		}
		cons = vcmdq_q_inc(q, cons);
		done++;
	}
	vcmdq_engine_flush(q, &run);
	/* Once per queue and pass, not per command. */
	vcmdq_engine_count(q, done, run.syncs);
	q->cons = cons;
	/*
	 * Publishing CONS completes every CMD_SYNC before it: the guest's
	 * acquire of CONS then sees the invalidations done.
	 */
	smp_store_release(vcmdq_reg(regs, VCMDQ_CTRL_CONS), cons);
	return done;
}

/*
 * A vIOMMU's share of a pass: one budget over all its queues, from the
 * first; then the next queue becomes the first, so its queues take turns
 * at the head of its share.  @clock: ktime_get_ns() when the share began
 * (the pass's start, or the end of the last share that found work), moved
 * to its end when it finds work.  No clock is read before CONS is
 * published (under TCG a read costs about 0.2 us, a tenth of a batch of
 * one), and a share with no work reads none: its scan counts to the next
 * VM that has work.  Return: entries consumed.
 */
static unsigned int vcmdq_engine_serve(struct vcmdq_viommu *viommu,
				       u64 *clock)
{
	struct vcmdq_queue *q;
	unsigned int done = 0;
	bool busy = false;
	u64 now;

	/*
	 * Every queue is looked at even with the budget spent: enabling and
	 * disabling (STATUS) are not entries and wait for no budget.
	 */
	list_for_each_entry(q, &viommu->engine_queues, viommu_node)
		done += vcmdq_engine_consume(q, VCMDQ_ENGINE_BUDGET - done,
					     &busy);
	if (!busy)
		return 0;
	if (viommu->engine_nr_queues > 1)
		list_rotate_left(&viommu->engine_queues);
	/* One writer (the pass, under the engine's lock); readers snapshot. */
	now = ktime_get_ns();
	WRITE_ONCE(viommu->engine_ns, viommu->engine_ns + (now - *clock));
	*clock = now;
	WRITE_ONCE(viommu->engine_commands, viommu->engine_commands + done);
	return done;
}

/*
 * One pass over every vIOMMU with queues on the instance.  @clock: as
 * vcmdq_engine_serve()'s, the pass's start on entry, the end of the last
 * VM's share that found work on return.  Context: the engine's lock held.
 * Return: entries consumed.
 */
static unsigned int __vcmdq_engine_pass(struct vcmdq_engine *engine,
					u64 *clock)
{
	struct vcmdq_viommu *viommu;
	unsigned int done = 0;

	lockdep_assert_held(&engine->lock);
	list_for_each_entry(viommu, &engine->viommus, engine_node)
		done += vcmdq_engine_serve(viommu, clock);
	/* The next pass starts with the next VM. */
	if (done && !list_empty(&engine->viommus))
		list_rotate_left(&engine->viommus);
	return done;
}

/* The thread's pass, @clock as __vcmdq_engine_pass()'s.  Return: entries. */
static unsigned int vcmdq_engine_pass(struct vcmdq_engine *engine, u64 *clock)
{
	unsigned int done = 0;

	mutex_lock(&engine->lock);
#ifdef VCMDQ_SELFTEST
	/* Held by a test: only its ENGINE_PASS calls make passes. */
	if (engine->test_holder) {
		mutex_unlock(&engine->lock);
		return 0;
	}
#endif
	done = __vcmdq_engine_pass(engine, clock);
	mutex_unlock(&engine->lock);
	return done;
}

/*
 * Going to sleep: arm each vIOMMU's doorbell (once per vIOMMU: arming is
 * idempotent) and set NEED_WAKEUP in its region.  The doorbell first, so a
 * guest that sees NEED_WAKEUP also faults on its next write (what the
 * doorbell selftests rely on).  Return: whether anything changed, which
 * then needs the caller's full barrier and re-scan; after a timer poll
 * nothing has (no doorbell rang, every flag is still set), and the poll's
 * own pass was the last look.
 */
static bool __vcmdq_engine_arm(struct vcmdq_engine *engine)
{
	bool doorbell = READ_ONCE(engine_doorbell);
	struct vcmdq_queue *q;
	bool changed = false;

	lockdep_assert_held(&engine->lock);
	list_for_each_entry(q, &engine->queues, engine_node) {
		u32 *word = q->viommu->ctrl + VCMDQ_CTRL_ENGINE;

		if (doorbell && vcmdq_viommu_arm_doorbell(q->viommu))
			changed = true;
		/* The guest may write the word: never trust, always set. */
		if (READ_ONCE(*word) != VCMDQ_ENGINE_NEED_WAKEUP)
			changed = true;
		WRITE_ONCE(*word, VCMDQ_ENGINE_NEED_WAKEUP);
	}
	return changed;
}

static bool vcmdq_engine_arm(struct vcmdq_engine *engine)
{
	bool changed;

	mutex_lock(&engine->lock);
	changed = __vcmdq_engine_arm(engine);
	mutex_unlock(&engine->lock);
	return changed;
}

/*
 * Busy again: clear NEED_WAKEUP and disarm, so the guest's next write to a
 * still read-only PTE only restores write access, with no kick and no count.
 * A racing fault that still takes it armed only kicks a busy engine (one
 * extra pass before a later sleep).
 */
static void vcmdq_engine_disarm(struct vcmdq_engine *engine)
{
	struct vcmdq_queue *q;

	mutex_lock(&engine->lock);
	list_for_each_entry(q, &engine->queues, engine_node) {
		u32 *word = q->viommu->ctrl + VCMDQ_CTRL_ENGINE;

		atomic_set(&q->viommu->db_armed, 0);
		WRITE_ONCE(*word, 0);
	}
	mutex_unlock(&engine->lock);
}

static int vcmdq_engine_thread(void *data)
{
	struct vcmdq_engine *engine = data;
	struct vcmdq_engine_hybrid hy = {};
	/*
	 * @idle_since: the last pass that found work, or the last kick: the
	 * spin counts from it.  @last_work: the last pass that found work:
	 * hybrid polling's gaps count from it.
	 */
	u64 idle_since = ktime_get_ns(), last_work = idle_since, armed_at = 0;
	/*
	 * @now: the thread's last clock read, always just before the next
	 * pass: that pass's start for the per-VM CPU time, and after a pass
	 * that found work, the end of its last VM's share.
	 */
	u64 now = idle_since;
	/*
	 * @flagged: NEED_WAKEUP is (or may be) set and doorbells armed, to be
	 * undone when work shows up.  @armed: every region is armed and
	 * flagged, and a pass ran after that: the thread may sleep.  @idle:
	 * a pass found nothing since the last that found work (a gap).
	 * @yielded: this gap's hybrid window was given up to another task.
	 * @armed_at: when this gap's first arming was (with @flagged).
	 */
	bool flagged = false, armed = false, idle = false, yielded = false;

	while (!kthread_should_stop()) {
		u64 spin_ns, max_ns, from_ns, to_ns, wake = 0;
		bool hybrid = false;
		ktime_t poll;
		int rc;

		if (vcmdq_engine_pass(engine, &now)) {
			if (idle && READ_ONCE(engine_hybrid_us)) {
				u64 spin = (u64)READ_ONCE(engine_spin_us) *
					   NSEC_PER_USEC;
				u64 gap = now - last_work;

				/*
				 * When we saw the burst.  One that rang the
				 * doorbell came some time after we armed, and
				 * we saw it a wake-up later (milliseconds on
				 * a loaded TCG host): count it as twice the
				 * time we armed at, at most, so the window
				 * grows to the bursts by doubling (as TCP's
				 * slow start) rather than learning the
				 * wake-up's latency, which can push it past
				 * the limit for good.  Off, nothing is
				 * learned: the default costs nothing.
				 */
				if (flagged)
					gap = min(gap, 2 * (armed_at - last_work));
				vcmdq_engine_hybrid_gap(&hy, gap, spin,
							VCMDQ_ENGINE_HYBRID_MAX_US *
							NSEC_PER_USEC);
			}
			idle = false;
			if (flagged) {
				vcmdq_engine_disarm(engine);
				flagged = false;
			}
			armed = false;
			yielded = false;
			idle_since = now;
			last_work = now;
			cond_resched();
			continue;
		}
		idle = true;
		now = ktime_get_ns();
		spin_ns = (u64)READ_ONCE(engine_spin_us) * NSEC_PER_USEC;
		if (now - idle_since < spin_ns) {
			cond_resched();
			cpu_relax();
			continue;
		}
		max_ns = (u64)READ_ONCE(engine_hybrid_us) * NSEC_PER_USEC;
		if (!yielded &&
		    vcmdq_engine_hybrid_window(&hy, max_ns, &from_ns, &to_ns) &&
		    now - last_work < to_ns) {
			if (now - last_work + VCMDQ_ENGINE_HYBRID_MIN_SLEEP_NS <
			    from_ns) {
				/* Before the window: a timed sleep, unarmed. */
				wake = last_work + from_ns;
				hybrid = true;
			} else if (single_task_running()) {
				/*
				 * In the window: spin.  Flags and armings of
				 * an earlier sleep go (a kick ended it): this
				 * is a spin, whatever woke us.  Not while
				 * another task waits for this CPU (as KVM's
				 * halt polling): it may be the guest's vCPU
				 * whose burst we wait for, which the spin
				 * would delay past the window (and teach us
				 * later and later gaps); arm and sleep
				 * instead, for the rest of this gap.
				 */
				if (flagged) {
					vcmdq_engine_disarm(engine);
					flagged = false;
				}
				armed = false;
				cond_resched();
				cpu_relax();
				continue;
			} else {
				yielded = true;
			}
		}
		if (!wake && !armed) {
			/*
			 * Going to sleep (first, or again after a wake-up: a
			 * doorbell that rang is disarmed, a new queue's region
			 * not armed yet).  Arm, then pass once more before
			 * sleeping.  A producer that kicks writes PROD, then
			 * reads NEED_WAKEUP: with the full barrier between
			 * our flag store and our re-scan, either we see its
			 * PROD or it sees our flag and kicks.  One that never
			 * kicks: its write either got in before the doorbell's
			 * zap (and the TLB flush that ends it), so the re-scan
			 * sees it, or it faults and the fault kicks
			 * (viommu.c).
			 */
			if (!flagged)
				armed_at = now;
			flagged = armed = true;
			if (vcmdq_engine_arm(engine)) {
				/* Flags and armings before the re-scan. */
				smp_mb();
				continue;
			}
		}

		/*
		 * Idle: the flag stays set across timer polls, so each poll
		 * costs one pass (re-arming changes nothing while no
		 * doorbell rang, and needs no second one).  An hrtimer, so
		 * the period is not rounded up to a tick.  With no queue at
		 * all there is nothing to poll: sleep until QUEUE_ALLOC
		 * kicks.  Hybrid polling's sleep ends where its window opens.
		 */
		poll = ns_to_ktime((u64)max(READ_ONCE(engine_poll_us), 10U) *
				   NSEC_PER_USEC);
		if (hybrid)
			poll = ns_to_ktime(wake - now);
		else if (list_empty_careful(&engine->queues))
			poll = KTIME_MAX;
		rc = wait_event_interruptible_hrtimeout(engine->wq,
			atomic_xchg(&engine->kicked, 0) || kthread_should_stop(),
			poll);
		armed = false;
		now = ktime_get_ns();
		/*
		 * How late the timer woke us (a kick that came after the
		 * timer's time was as late): hybrid polling wakes that much
		 * earlier.  Under TCG a halted vCPU takes a while.
		 */
		if (hybrid && now > wake)
			vcmdq_engine_hybrid_late(&hy, now - wake);
		if (hybrid && rc == -ETIME)
			vcmdq_count(container_of(engine, struct vcmdq_instance,
						 engine),
				    VCMDQ_CNT_HYBRID_SLEEPS, 1);
		/*
		 * Kicked (VCMDQ_KICK, a doorbell, a new queue): busy-poll a
		 * while before re-arming.  A doorbell kicks from the fault,
		 * before the faulting write is retried: re-arming at once
		 * could zap the PTE under it and take a second fault for the
		 * same write.
		 */
		if (!rc)
			idle_since = now;
	}
	return 0;
}

/**
 * vcmdq_engine_add_queue() - give the engine a bound queue to consume
 * @engine: the queue's instance's engine
 * @q: the queue, finalized: from here the guest can enable it
 */
void vcmdq_engine_add_queue(struct vcmdq_engine *engine, struct vcmdq_queue *q)
{
	struct vcmdq_viommu *viommu = q->viommu;

	mutex_lock(&engine->lock);
	list_add_tail(&q->engine_node, &engine->queues);
	/* Its vIOMMU's first queue: the vIOMMU joins the passes, last. */
	if (!viommu->engine_nr_queues++) {
		INIT_LIST_HEAD(&viommu->engine_queues);
		list_add_tail(&viommu->engine_node, &engine->viommus);
	}
	list_add_tail(&q->viommu_node, &viommu->engine_queues);
	mutex_unlock(&engine->lock);
	/* It may sleep with no queue to poll: look at the new one now. */
	vcmdq_engine_kick(engine);
}

/**
 * vcmdq_engine_remove_queue() - take a queue away from the engine
 * @engine: the queue's instance's engine
 * @q: the queue, added or not (its node is initialized either way)
 *
 * On return the engine never touches @q again: every pass holds
 * @engine->lock throughout.  Nor its vIOMMU, when @q was its last queue.
 */
void vcmdq_engine_remove_queue(struct vcmdq_engine *engine,
			       struct vcmdq_queue *q)
{
	struct vcmdq_viommu *viommu = q->viommu;

	mutex_lock(&engine->lock);
	if (!list_empty(&q->engine_node)) {
		list_del_init(&q->engine_node);
		list_del(&q->viommu_node);
		if (!--viommu->engine_nr_queues)
			list_del(&viommu->engine_node);
	}
	mutex_unlock(&engine->lock);
}

/**
 * vcmdq_engine_kick() - make the engine look at its queues now
 * @engine: the engine
 */
void vcmdq_engine_kick(struct vcmdq_engine *engine)
{
	atomic_set(&engine->kicked, 1);
	wake_up(&engine->wq);
}

/**
 * vcmdq_engine_start() - start the engine of an instance with queues
 * @engine: the engine
 * @instance_id: its instance's ID, for the thread's name
 *
 * The thread starts on engine_cpu's CPU when that is set; if the CPU went
 * offline since, it starts unpinned, with a warning.
 *
 * Context: module init, by whoever owns the instances.
 * Return: 0 or the kthread_create() error.
 */
int vcmdq_engine_start(struct vcmdq_engine *engine, u32 instance_id)
{
	struct task_struct *thread;

	mutex_init(&engine->lock);
	INIT_LIST_HEAD(&engine->queues);
	INIT_LIST_HEAD(&engine->viommus);
	init_waitqueue_head(&engine->wq);
	atomic_set(&engine->kicked, 0);
	engine->test_holder = NULL;
	thread = kthread_create(vcmdq_engine_thread, engine, "vcmdq-engine/%u",
				instance_id);
	if (IS_ERR(thread))
		return PTR_ERR(thread);
	engine->thread = thread;
	/* Under the lock, so an engine_cpu write either sees it or not. */
	mutex_lock(&vcmdq_engines_lock);
	if (engine_cpu >= 0 && vcmdq_engine_bind(thread, engine_cpu))
		pr_warn("engine_cpu=%d is not usable: vcmdq-engine/%u runs unpinned\n",
			engine_cpu, instance_id);
	list_add_tail(&engine->node, &vcmdq_engines);
	mutex_unlock(&vcmdq_engines_lock);
	wake_up_process(thread);
	return 0;
}

/*
 * Stop an engine (one never started too).  Context: module exit; no queue
 * is left, every file is closed.
 */
void vcmdq_engine_stop(struct vcmdq_engine *engine)
{
	if (!engine->thread)
		return;
	mutex_lock(&vcmdq_engines_lock);
	list_del(&engine->node);
	mutex_unlock(&vcmdq_engines_lock);
	kthread_stop(engine->thread);
	engine->thread = NULL;
	WARN_ON(!list_empty(&engine->queues));
	WARN_ON(!list_empty(&engine->viommus));
	mutex_destroy(&engine->lock);
}

/* VCMDQ_TEST's ENGINE_HOLD reports it: what one pass gives one vIOMMU. */
unsigned int vcmdq_engine_budget(void)
{
	return VCMDQ_ENGINE_BUDGET;
}

#ifdef VCMDQ_SELFTEST
/**
 * vcmdq_engine_test_hold() - test builds: stop or restart the engine's own
 *	passes, so a test makes each pass itself (vcmdq_engine_test_pass())
 * @engine: the engine
 * @holder: who holds it (the test's file)
 * @hold: hold, or release
 *
 * A hold returns once no pass of the thread is in flight: the thread
 * checks the holder under the lock a pass holds throughout.
 *
 * Return: 0; -EBUSY another holder has it; -EINVAL releasing what
 * @holder does not hold.
 */
int vcmdq_engine_test_hold(struct vcmdq_engine *engine, const void *holder,
			   bool hold)
{
	int rc = 0;

	mutex_lock(&engine->lock);
	if (hold && engine->test_holder && engine->test_holder != holder)
		rc = -EBUSY;
	else if (!hold && engine->test_holder != holder)
		rc = -EINVAL;
	else
		engine->test_holder = hold ? holder : NULL;
	mutex_unlock(&engine->lock);
	if (!rc && !hold)
		vcmdq_engine_kick(engine);
	return rc;
}

/**
 * vcmdq_engine_test_pass() - test builds: one pass, as the thread makes it
 * @engine: the engine, held by @holder
 * @holder: the holder
 * @done: entries consumed
 *
 * Return: 0; -EINVAL @holder does not hold the engine.
 */
int vcmdq_engine_test_pass(struct vcmdq_engine *engine, const void *holder,
			   unsigned int *done)
{
	u64 clock = ktime_get_ns();
	int rc = 0;

	mutex_lock(&engine->lock);
	if (engine->test_holder != holder)
		rc = -EINVAL;
	else
		*done = __vcmdq_engine_pass(engine, &clock);
	mutex_unlock(&engine->lock);
	return rc;
}

/**
 * vcmdq_engine_test_arm() - test builds: arm the doorbells and set
 *	NEED_WAKEUP now, as the thread does going idle
 * @engine: the engine, held by @holder (so the thread's own arming and
 *	disarming cannot interleave with the test's steps)
 * @holder: the holder
 *
 * Return: 0; -EINVAL @holder does not hold the engine.
 */
int vcmdq_engine_test_arm(struct vcmdq_engine *engine, const void *holder)
{
	int rc = 0;

	mutex_lock(&engine->lock);
	if (engine->test_holder != holder)
		rc = -EINVAL;
	else
		__vcmdq_engine_arm(engine);
	mutex_unlock(&engine->lock);
	return rc;
}
#endif
