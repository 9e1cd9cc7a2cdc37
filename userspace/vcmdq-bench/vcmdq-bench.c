// SPDX-License-Identifier: GPL-2.0
/*
 * vcmdq-bench: what one guest IOMMU invalidation costs on each vcmdq path,
 * measured side by side in one run.
 *
 * The unit of work is a "batch": N TLBI_NH_VA commands (one 4 KiB page
 * each, one ASID) followed by a CMD_SYNC, which the guest waits for.  Modes:
 *
 *   floor        a bare shared-memory queue between two threads on two CPUs:
 *                the producer writes N+1 entries and PROD, the consumer
 *                thread reads them and echoes CONS.  No kernel at all: the
 *                physical floor of any cross-CPU handoff.
 *   fast         the vcmdq fast path: entries into the queue in guest memory,
 *                release PROD in the mmapped control region (Tegra241 VINTF
 *                page0), VCMDQ_KICK if the engine advertises NEED_WAKEUP
 *                (--kick), poll CONS until it passes the CMD_SYNC.
 *   fast-nokick  the same, never kicking: latency is bounded by the engine's
 *                idle poll (engine_poll_us) alone.  Not part of "all".
 *   uring        the batch as one VCMDQ_INVALIDATE through io_uring
 *                (IORING_OP_URING_CMD), --depth requests in flight.
 *   slow-batch   the batch as one VCMDQ_INVALIDATE ioctl.
 *   slow-single  one VCMDQ_INVALIDATE ioctl per command, the CMD_SYNC
 *                included (N+1 ioctls per batch): what a trapping VMM does
 *                today (QEMU forwards entry_num = 1).
 *
 * ops/s counts TLBI commands (the CMD_SYNC is the batch's overhead); latency
 * is per batch, from the first entry written (or the request built) to the
 * CMD_SYNC seen complete, in microseconds.  The ratio column is each mode's
 * p50 over slow-single's p50 at the same batch size in the same run.
 *
 * Structure after fio's t/io_uring.c: knobs are file-scope statics mapped to
 * options, per-thread state is a struct submitter.  Raw ABI, no library.
 *
 * Build: cc -O2 -g -Wall -Wextra -Iuapi -o userspace/vcmdq-bench/vcmdq-bench \
 *		userspace/vcmdq-bench/vcmdq-bench.c -luring -lpthread
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <liburing.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <linux/vcmdq.h>
#include "vcmdq_test.h"	/* the test hook: verifies effects on the model */

#define VCMDQ_DEV		"/dev/vcmdq"
#define VCMDQ_PARAMS		"/sys/module/vcmdq/parameters/"
#define VCMDQ_SYSFS		"/sys/class/misc/vcmdq/"
#define MAX_INSTANCES		64
#define MAX_BATCHES		16
#define MAX_THREADS		64
#define ENT_SIZE		16
#define HUGE_SIZE		(2UL << 20)
#define POLL_TIMEOUT_NS		(5ULL * 1000 * 1000 * 1000)
#define BENCH_VA		0x10000000ULL	/* first page the TLBIs name */

/* ---- knobs (one per option) ----------------------------------------------- */

static unsigned int mode_mask;			/* modes to run (1 << MODE_*) */
static unsigned int batches[MAX_BATCHES] = { 1 };	/* TLBIs per CMD_SYNC */
static unsigned int nr_batches = 1;
static double run_seconds = 1.0;		/* per mode and batch size */
static unsigned long run_iters;			/* batches per thread, overrides run_seconds */
static unsigned int nr_threads = 1;		/* submitters: queues / ioctl streams */
static unsigned int nr_instances = 1;		/* tegra241 instances to spread them over */
static bool share_vm;				/* all submitters in one VM context */
static int kick_policy;				/* KICK_AUTO / KICK_ALWAYS / KICK_NEVER */
static unsigned int uring_depth = 1;		/* io_uring requests in flight per submitter */
static bool uring_fixed = true;			/* register the vcmdq fd with io_uring */
static unsigned int qsize = 4096;		/* queue bytes (16 per entry) */
static unsigned long mem_bytes = 4UL << 20;	/* guest memory per VM, at GPA 0 */
static unsigned int asid = 1;			/* guest ASID the TLBIs name */
static unsigned int think_us;			/* pause between batches (engine goes idle) */
static bool pin_cpus;				/* pin submitter i to CPU i % ncpu */
static int engine_cpu = -1;			/* pin the engine threads to this CPU */
static unsigned int warmup = 32;		/* untimed batches per cell */
static int out_format;				/* OUT_TABLE / OUT_JSON / OUT_CSV */
static bool verify_model = true;		/* VCMDQ_TEST check, when the module has it */
static int spin_us = -1;			/* poll spin window before yielding; -1: auto */
static bool relax_pause = true;			/* spin with PAUSE / YIELD (--no-pause: plain loop) */

enum { KICK_AUTO, KICK_ALWAYS, KICK_NEVER };
enum { OUT_TABLE, OUT_JSON, OUT_CSV };

enum mode {
	MODE_FLOOR,
	MODE_FAST,
	MODE_FAST_NOKICK,
	MODE_URING,
	MODE_SLOW_BATCH,
	MODE_SLOW_SINGLE,
	NR_MODES,
};

static const char *const mode_names[NR_MODES] = {
	[MODE_FLOOR] = "floor",
	[MODE_FAST] = "fast",
	[MODE_FAST_NOKICK] = "fast-nokick",
	[MODE_URING] = "uring",
	[MODE_SLOW_BATCH] = "slow-batch",
	[MODE_SLOW_SINGLE] = "slow-single",
};

#define MODES_ALL	((1U << MODE_FLOOR) | (1U << MODE_FAST) |		\
			 (1U << MODE_URING) | (1U << MODE_SLOW_BATCH) |	\
			 (1U << MODE_SLOW_SINGLE))
#define MODES_FAST	((1U << MODE_FAST) | (1U << MODE_FAST_NOKICK))
#define MODES_QUEUE	(MODES_FAST | (1U << MODE_FLOOR))

/* ---- state ---------------------------------------------------------------- */

static long ncpus;
static bool have_test_ioctl;
static struct vcmdq_instance_info infos[MAX_INSTANCES];
static unsigned int nr_infos;
static const struct vcmdq_instance_info *use_inst[MAX_INSTANCES];
static unsigned int nr_use_inst;
static __u64 spin_ns;			/* this cell's spin window of a poll */
static long contexts_at_start = -1;	/* /sys/class/misc/vcmdq/contexts */
static double clock_ns;			/* cost of one clock_gettime() */
static pid_t engine_pids[MAX_INSTANCES];	/* of use_inst[], with --engine-cpu */
static cpu_set_t engine_saved[MAX_INSTANCES];	/* their affinity before */

/* One vIOMMU of a VM context, with its mmapped control region. */
struct viommu {
	const struct vcmdq_instance_info *inst;
	__u32 id;
	__u32 tag;
	void *ctrl;		/* VCMDQ_CTRL_SIZE bytes; NULL without fast queues */
	size_t ctrl_len;
	unsigned int nr_queues;	/* queue indexes bound so far */
};

/* One open /dev/vcmdq: one VM. */
struct vm {
	int fd;
	__u32 s2_id;
	void *mem;		/* guest memory, GPA 0 .. mem_bytes */
	size_t mem_len;
	unsigned int nr_qslots;	/* queues placed in mem so far */
	struct viommu vi[MAX_INSTANCES];
	unsigned int nr_vi;
};

/* The producer's view of one VCMDQ (or of the floor's bare queue). */
struct queue {
	volatile __u32 *regs;	/* this queue's 128 bytes of page0 */
	volatile __u32 *engine;	/* VCMDQ_CTRL_ENGINE word */
	volatile __u64 *ent;	/* entries: 2 little-endian words each */
	unsigned int log2size;
	__u32 prod;		/* shadow of PROD: index | wrap */
	__u32 queue_id;
	__u64 gpa;
};

/* The floor's two threads share this: PROD and CONS on their own lines. */
struct floor_ring {
	_Alignas(64) volatile __u32 prod;
	_Alignas(64) volatile __u32 cons;
	_Alignas(64) volatile int stop;
	_Alignas(64) __u64 ent[];
};

/* Per-cell results of one submitter. */
struct result {
	__u32 *samples;		/* batch latencies in ns */
	size_t nr_samples, cap;
	__u64 seen;		/* batches completed (samples may be a reservoir) */
	__u64 sum_ns, max_ns;
	__u64 t_start, t_end;
	__u64 kicks, wakes;	/* KICKs issued; batches that saw NEED_WAKEUP */
	__u64 rng;
};

struct submitter {
	unsigned int idx;
	pthread_t thread;
	struct vm *vm;
	struct viommu *vi;
	struct queue q;			/* fast path */
	void *cmds;			/* batch entries for the slow paths */
	size_t cmds_len;
	struct io_uring ring;		/* uring */
	bool ring_ok;
	int ring_fd_index;		/* -1: plain fd */
	struct vcmdq_invalidate *ureqs;	/* one request per depth slot */
	__u64 *usubmit;			/* submission time per slot */
	struct floor_ring *floor;	/* floor */
	size_t floor_len;
	pthread_t floor_thread;
	/* the cell being run */
	enum mode mode;
	unsigned int batch;
	struct result res;
};

static struct vm vms[MAX_THREADS];
static unsigned int nr_vms;
static struct submitter subs[MAX_THREADS];
static pthread_barrier_t cell_barrier;

/* One row of output. */
struct cell {
	enum mode mode;
	unsigned int batch;
	bool ran;
	__u64 batches, cmds;
	double wall_s, ops_s;
	double p50, p90, p99, max, mean;	/* us */
	double ratio;				/* p50 / slow-single p50; <0: n/a */
	__u64 kicks, wakes;
};

static struct cell cells[MAX_BATCHES][NR_MODES];

/* ---- helpers -------------------------------------------------------------- */

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "vcmdq-bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void __attribute__((format(printf, 1, 2))) warn(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "vcmdq-bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

#define xioctl(fd, req, arg)						\
	do {								\
		if (ioctl(fd, req, arg))				\
			die("%s: %s (%s:%d)", #req, strerror(errno),	\
			    __func__, __LINE__);			\
	} while (0)

static inline __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static inline void cpu_relax(void)
{
	if (!relax_pause) {
		__asm__ __volatile__("" ::: "memory");
		return;
	}
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

/*
 * A wait by polling: spin (cpu_relax) for spin_ns, then sched_yield() at
 * every step, so that a waiter sharing its CPU with whoever it waits for
 * (the engine thread, the floor's consumer) lets it run.  The scheduler
 * may well put them together: a KICK wakes the engine where it likes.
 */
struct poller {
	__u64 spin_until, deadline;
	unsigned long n;
	bool yielding;
};

static inline void poller_init(struct poller *p, __u64 t0, __u64 timeout_ns)
{
	p->spin_until = t0 + spin_ns;
	p->deadline = timeout_ns ? t0 + timeout_ns : UINT64_MAX;
	p->n = 0;
	p->yielding = !spin_ns;
}

/* One step of a wait.  Return: false once the deadline has passed. */
static inline bool poller_step(struct poller *p)
{
	__u64 t;

	if (p->yielding) {
		sched_yield();
		if (++p->n & 15)
			return true;
	} else {
		cpu_relax();
		if (++p->n & 63)
			return true;
	}
	t = now_ns();
	if (t >= p->spin_until)
		p->yielding = true;
	return t < p->deadline;
}

static void sleep_us(unsigned int us)
{
	struct timespec ts = { .tv_sec = us / 1000000,
			       .tv_nsec = (long)(us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p)
		die("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	buf[0] = 0;
	if (!f)
		return -1;
	if (!fgets(buf, len, f))
		buf[0] = 0;
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return buf[0] ? 0 : -1;
}

static long param_read(const char *name)
{
	char path[128], buf[64];

	snprintf(path, sizeof(path), VCMDQ_PARAMS "%s", name);
	if (read_line(path, buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 10);
}

static int cmp_u32(const void *a, const void *b);

static long sysfs_counter(const char *name)
{
	char path[128], buf[64];

	snprintf(path, sizeof(path), VCMDQ_SYSFS "%s", name);
	if (read_line(path, buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 10);
}

/*
 * What one clock_gettime(CLOCK_MONOTONIC) costs here, in ns: the median of
 * back-to-back pairs.  Every latency below holds about one such call (a
 * vDSO read with a TSC clocksource; with hpet or acpi_pm, a slow device
 * read, which matters under emulation).
 */
static double clock_cost_ns(void)
{
	__u32 d[1001];
	unsigned int i;

	for (i = 0; i < 1001; i++) {
		__u64 a = now_ns(), b = now_ns();

		d[i] = (__u32)(b - a);
	}
	qsort(d, 1001, sizeof(d[0]), cmp_u32);
	return d[500];
}

static const char *flavor_name(__u32 flavor)
{
	switch (flavor) {
	case VCMDQ_FLAVOR_TEGRA241_CMDQV:
		return "tegra241-cmdqv";
	case VCMDQ_FLAVOR_SMMUV3:
		return "smmuv3";
	case VCMDQ_FLAVOR_AMD_VI:
		return "amd-vi";
	case VCMDQ_FLAVOR_VTD:
		return "vtd";
	}
	return "?";
}

static void pin_to(unsigned int cpu)
{
	cpu_set_t set;
	int rc;

	CPU_ZERO(&set);
	CPU_SET(cpu % ncpus, &set);
	rc = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	if (rc)
		die("pin to CPU %ld: %s", cpu % ncpus, strerror(rc));
}

/* CPU of submitter @i with --pin: CPU i, skipping --engine-cpu. */
static unsigned int submitter_cpu(unsigned int i)
{
	if (engine_cpu < 0 || ncpus < 2)
		return i % ncpus;
	i %= ncpus - 1;
	return i < (unsigned int)engine_cpu ? i : i + 1;
}

/* The pid of kernel thread "vcmdq-engine/<id>", or -1. */
static pid_t engine_pid(__u32 id)
{
	char want[32], path[300], comm[64];
	struct dirent *de;
	pid_t pid = -1;
	DIR *d;

	snprintf(want, sizeof(want), "vcmdq-engine/%u", id);
	d = opendir("/proc");
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		if (read_line(path, comm, sizeof(comm)))
			continue;
		if (!strcmp(comm, want)) {
			pid = atoi(de->d_name);
			break;
		}
	}
	closedir(d);
	return pid;
}

/*
 * --engine-cpu: give the engines of the instances in use a CPU of their own,
 * as a VMM would dedicate one to an SQPOLL thread.  Without it, a KICK's
 * wake-up may well pull the engine onto the kicking thread's CPU, where the
 * two then take turns.  Needs CAP_SYS_NICE; undone at exit.
 */
static void pin_engines(void)
{
	cpu_set_t set;
	unsigned int i;

	if (engine_cpu < 0)
		return;
	if (engine_cpu >= ncpus)
		die("--engine-cpu %d: only %ld CPUs", engine_cpu, ncpus);
	CPU_ZERO(&set);
	CPU_SET(engine_cpu, &set);
	for (i = 0; i < nr_use_inst; i++) {
		pid_t pid = engine_pid(use_inst[i]->id);

		if (pid < 0)
			die("--engine-cpu: no thread vcmdq-engine/%u in /proc",
			    use_inst[i]->id);
		if (sched_getaffinity(pid, sizeof(engine_saved[i]),
				      &engine_saved[i]))
			die("sched_getaffinity(vcmdq-engine/%u): %s",
			    use_inst[i]->id, strerror(errno));
		if (sched_setaffinity(pid, sizeof(set), &set))
			die("pin vcmdq-engine/%u to CPU %d: %s", use_inst[i]->id,
			    engine_cpu, strerror(errno));
		engine_pids[i] = pid;
	}
}

static void unpin_engines(void)
{
	unsigned int i;

	for (i = 0; i < nr_use_inst; i++)
		if (engine_pids[i] > 0 &&
		    sched_setaffinity(engine_pids[i], sizeof(engine_saved[i]),
				      &engine_saved[i]))
			warn("restore the affinity of vcmdq-engine/%u: %s",
			     use_inst[i]->id, strerror(errno));
}

/* ---- SMMUv3 commands (Arm IHI 0070; Linux arm-smmu-v3.h layouts) ----------- */

#define CMDQ_OP_TLBI_NH_VA	0x12
#define CMDQ_OP_CMD_SYNC	0x46
#define CMDQ_TLBI_0_ASID(x)	((__u64)((x) & 0xffff) << 48)
#define CMDQ_TLBI_1_LEAF	(1ULL << 0)
#define CMDQ_TLBI_1_VA_MASK	(~0xfffULL)
#define CMDQ_SYNC_0_CS_NONE	(0ULL << 12)
#define CMDQ_SYNC_0_MSH_ISH	(3ULL << 22)
#define CMDQ_SYNC_0_MSIATTR_OIWB (0xfULL << 24)

/* TLBI_NH_VA, TG = 0: whatever translates the 4 KiB page at @va. */
static inline void cmd_tlbi_nh_va(__u64 out[2], __u16 asid_, __u64 va)
{
	out[0] = htole64(CMDQ_OP_TLBI_NH_VA | CMDQ_TLBI_0_ASID(asid_));
	out[1] = htole64(CMDQ_TLBI_1_LEAF | (va & CMDQ_TLBI_1_VA_MASK));
}

/* CMD_SYNC as arm_smmu_cmdq_build_sync_cmd() makes it for a polled queue. */
static inline void cmd_sync(__u64 out[2])
{
	out[0] = htole64(CMDQ_OP_CMD_SYNC | CMDQ_SYNC_0_CS_NONE |
			 CMDQ_SYNC_0_MSH_ISH | CMDQ_SYNC_0_MSIATTR_OIWB);
	out[1] = 0;
}

/* ---- results -------------------------------------------------------------- */

#define MAX_SAMPLES_PER_THREAD	(4UL << 20)

static void result_reset(struct result *r, unsigned int seed)
{
	free(r->samples);
	memset(r, 0, sizeof(*r));
	r->cap = 65536;
	r->samples = xcalloc(r->cap, sizeof(*r->samples));
	r->rng = 0x9e3779b97f4a7c15ULL ^ seed;
}

static inline __u64 xorshift64(__u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Record one batch; past MAX_SAMPLES_PER_THREAD keep a uniform reservoir. */
static inline void result_add(struct result *r, __u64 ns)
{
	__u32 v = ns > UINT32_MAX ? UINT32_MAX : (__u32)ns;

	r->seen++;
	r->sum_ns += ns;
	if (ns > r->max_ns)
		r->max_ns = ns;
	if (r->nr_samples == r->cap && r->cap < MAX_SAMPLES_PER_THREAD) {
		__u32 *n = realloc(r->samples, 2 * r->cap * sizeof(*n));

		if (!n)
			die("out of memory for latency samples");
		r->samples = n;
		r->cap *= 2;
	}
	if (r->nr_samples < r->cap) {
		r->samples[r->nr_samples++] = v;
	} else {
		__u64 j = xorshift64(&r->rng) % r->seen;

		if (j < r->cap)
			r->samples[j] = v;
	}
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted @s, in us. */
static double pct_us(const __u32 *s, size_t n, double p)
{
	double x = p / 100.0 * n;
	size_t rank = (size_t)x;

	if (!n)
		return 0;
	if ((double)rank < x)
		rank++;		/* ceil() without libm */
	if (rank < 1)
		rank = 1;
	return s[rank - 1] / 1000.0;
}

/* ---- setup: GET_INFO, VM contexts, vIOMMUs, queues -------------------------- */

static void get_instances(int fd)
{
	struct vcmdq_get_info cmd = {
		.size = sizeof(cmd),
		.entry_len = sizeof(infos[0]),
		.num_instances = MAX_INSTANCES,
		.instances_uptr = (uintptr_t)infos,
	};

	xioctl(fd, VCMDQ_GET_INFO, &cmd);
	nr_infos = cmd.num_instances < MAX_INSTANCES ? cmd.num_instances :
						       MAX_INSTANCES;
}

/* Does the module have VCMDQ_TEST (test builds only)? */
static bool probe_test_ioctl(int fd)
{
	struct vcmdq_test t = {
		.size = sizeof(t),
		.op = VCMDQ_TEST_IOTLB_COUNT,
		.instance_id = use_inst[0]->id,
		.flags = VCMDQ_TEST_ANY_ASID | VCMDQ_TEST_ANY_PASID,
		.tag = 0,
		.last = UINT64_MAX,
	};

	if (!ioctl(fd, VCMDQ_TEST, &t))
		return true;
	if (errno != ENOTTY)
		die("VCMDQ_TEST probe: %s", strerror(errno));
	return false;
}

/*
 * Pick the instances: with a fast mode, the first nr_instances tegra241
 * instances (fast queues); otherwise any taking SMMUv3 slow path commands.
 * Return: false when a fast mode cannot run here.
 */
static bool pick_instances(bool need_fast)
{
	unsigned int i;

	nr_use_inst = 0;
	for (i = 0; i < nr_infos && nr_use_inst < nr_instances; i++) {
		const struct vcmdq_instance_info *in = &infos[i];

		if (!(in->data_types & (1U << VCMDQ_DATA_SMMUV3)))
			continue;
		if (need_fast && !(in->caps & VCMDQ_INSTANCE_CAP_FAST_QUEUES))
			continue;
		use_inst[nr_use_inst++] = in;
	}
	return nr_use_inst == nr_instances;
}

static struct viommu *vm_viommu(struct vm *vm,
				const struct vcmdq_instance_info *in)
{
	struct vcmdq_viommu_alloc va = {
		.size = sizeof(va),
		.instance_id = in->id,
		.s2_id = vm->s2_id,
	};
	struct viommu *vi;
	unsigned int i;

	for (i = 0; i < vm->nr_vi; i++)
		if (vm->vi[i].inst == in)
			return &vm->vi[i];
	if (ioctl(vm->fd, VCMDQ_VIOMMU_ALLOC, &va))
		die("VCMDQ_VIOMMU_ALLOC on instance %u (%s): %s%s", in->id,
		    flavor_name(in->flavor), strerror(errno),
		    errno == ENOSPC ? " (no free vIOMMU slot: fewer --threads, --share or more --instances)" : "");
	vi = &vm->vi[vm->nr_vi++];
	vi->inst = in;
	vi->id = va.out_viommu_id;
	vi->tag = va.out_tag;
	if (va.out_mmap_length) {
		if (va.out_mmap_length != VCMDQ_CTRL_SIZE)
			die("vIOMMU %u: control region of %llu bytes, expected %u",
			    vi->id, (unsigned long long)va.out_mmap_length,
			    VCMDQ_CTRL_SIZE);
		vi->ctrl_len = va.out_mmap_length;
		vi->ctrl = mmap(NULL, vi->ctrl_len, PROT_READ | PROT_WRITE,
				MAP_SHARED, vm->fd, va.out_mmap_offset);
		if (vi->ctrl == MAP_FAILED)
			die("mmap of vIOMMU %u's control region: %s", vi->id,
			    strerror(errno));
	}
	return vi;
}

static void vm_init(struct vm *vm, unsigned int nr_queues)
{
	struct vcmdq_s2_alloc s2 = { .size = sizeof(s2) };
	struct vcmdq_s2_map map = { .size = sizeof(map) };
	size_t need = (size_t)nr_queues * qsize;
	char *p;

	vm->fd = open(VCMDQ_DEV, O_RDWR | O_CLOEXEC);
	if (vm->fd < 0)
		die("open %s: %s (is vcmdq.ko loaded?)", VCMDQ_DEV,
		    strerror(errno));
	xioctl(vm->fd, VCMDQ_S2_ALLOC, &s2);
	vm->s2_id = s2.out_s2_id;

	/*
	 * Guest RAM: 2 MiB aligned and THP-advised, so that a queue larger
	 * than a page is physically contiguous as QUEUE_ALLOC requires.
	 */
	vm->mem_len = mem_bytes;
	if (vm->mem_len < need)
		vm->mem_len = (need + HUGE_SIZE - 1) & ~(HUGE_SIZE - 1);
	p = mmap(NULL, vm->mem_len + HUGE_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap of %zu bytes of guest memory: %s", vm->mem_len,
		    strerror(errno));
	vm->mem = (void *)(((uintptr_t)p + HUGE_SIZE - 1) & ~(HUGE_SIZE - 1));
	madvise(vm->mem, vm->mem_len, MADV_HUGEPAGE);	/* best effort */
	memset(vm->mem, 0, vm->mem_len);

	map.flags = VCMDQ_S2_MAP_READ | VCMDQ_S2_MAP_WRITE;
	map.s2_id = vm->s2_id;
	map.gpa = 0;
	map.uaddr = (uintptr_t)vm->mem;
	map.length = vm->mem_len;
	if (ioctl(vm->fd, VCMDQ_S2_MAP, &map))
		die("VCMDQ_S2_MAP of %zu bytes at GPA 0: %s%s", vm->mem_len,
		    strerror(errno),
		    errno == ENOMEM ? " (RLIMIT_MEMLOCK? run as root)" : "");
}

static inline volatile __u32 *reg(struct queue *q, unsigned int off)
{
	return &q->regs[off / 4];
}

static inline __u32 rd_acq(struct queue *q, unsigned int off)
{
	return __atomic_load_n(reg(q, off), __ATOMIC_ACQUIRE);
}

static inline void wr_rel(struct queue *q, unsigned int off, __u32 val)
{
	__atomic_store_n(reg(q, off), val, __ATOMIC_RELEASE);
}

static inline __u32 q_nent(const struct queue *q)
{
	return 1U << q->log2size;
}

static inline __u32 q_idx(const struct queue *q, __u32 p)
{
	return p & (q_nent(q) - 1);
}

static inline __u32 q_wrp(const struct queue *q, __u32 p)
{
	return p & q_nent(q);
}

static inline __u32 q_ptr(const struct queue *q, __u32 p)
{
	return p & (2 * q_nent(q) - 1);
}

/* queue_consumed() of arm-smmu-v3.c: has @cons moved past entry @p? */
static inline bool q_consumed(const struct queue *q, __u32 cons, __u32 p)
{
	return (q_wrp(q, cons) == q_wrp(q, p) && q_idx(q, cons) > q_idx(q, p)) ||
	       (q_wrp(q, cons) != q_wrp(q, p) && q_idx(q, cons) <= q_idx(q, p));
}

static void kick(struct submitter *s)
{
	struct vcmdq_kick k = { .size = sizeof(k), .viommu_id = s->vi->id };

	xioctl(s->vm->fd, VCMDQ_KICK, &k);
}

/* Setup-time: wait until STATUS.ENABLED == @want, kicking an idle engine. */
static void q_write_config(struct submitter *s, __u32 config)
{
	struct queue *q = &s->q;
	bool want = config & VCMDQ_CONFIG_EN;
	__u64 deadline = now_ns() + POLL_TIMEOUT_NS;

	wr_rel(q, VCMDQ_CTRL_CONFIG, config);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (*q->engine & VCMDQ_ENGINE_NEED_WAKEUP)
		kick(s);
	while (!!(rd_acq(q, VCMDQ_CTRL_STATUS) & VCMDQ_STATUS_ENABLED) != want) {
		if (now_ns() > deadline)
			die("queue %u of vIOMMU %u: STATUS.ENABLED did not become %d",
			    s->q.queue_id, s->vi->id, want);
		sched_yield();
	}
}

/* Bind a queue in the VM's memory to the next index of s->vi; enable it. */
static void fast_setup(struct submitter *s)
{
	struct vm *vm = s->vm;
	struct viommu *vi = s->vi;
	struct vcmdq_queue_alloc qa = { .size = sizeof(qa) };
	struct queue *q = &s->q;
	unsigned int index = vi->nr_queues;

	if (!vi->ctrl)
		die("instance %u has no control region", vi->inst->id);
	if (index >= vi->inst->queues_per_viommu)
		die("vIOMMU %u: queue index %u past queues_per_viommu (%u): fewer --threads or more --instances",
		    vi->id, index, vi->inst->queues_per_viommu);
	q->gpa = (__u64)vm->nr_qslots * qsize;
	if (q->gpa + qsize > vm->mem_len)
		die("guest memory too small for %u queues", vm->nr_qslots + 1);
	qa.viommu_id = vi->id;
	qa.index = index;
	qa.gpa = q->gpa;
	qa.length = qsize;
	if (ioctl(vm->fd, VCMDQ_QUEUE_ALLOC, &qa))
		die("VCMDQ_QUEUE_ALLOC (vIOMMU %u, index %u, GPA 0x%llx, %u bytes): %s%s",
		    vi->id, index, (unsigned long long)q->gpa, qsize,
		    strerror(errno),
		    errno == EFAULT ? " (queue memory is not physically contiguous: no huge page; try a smaller --qsize)" : "");
	vi->nr_queues++;
	vm->nr_qslots++;
	q->queue_id = qa.out_queue_id;
	q->regs = (volatile __u32 *)((char *)vi->ctrl +
				     index * VCMDQ_CTRL_QUEUE_STRIDE);
	q->engine = (volatile __u32 *)((char *)vi->ctrl + VCMDQ_CTRL_ENGINE);
	q->ent = (volatile __u64 *)((char *)vm->mem + q->gpa);
	q->log2size = __builtin_ctz(qsize / ENT_SIZE);

	/* tegra241_vcmdq_hw_init(): disable, reset PROD and CONS, enable. */
	q_write_config(s, 0);
	wr_rel(q, VCMDQ_CTRL_PROD, 0);
	wr_rel(q, VCMDQ_CTRL_CONS, 0);
	q->prod = 0;
	q_write_config(s, VCMDQ_CONFIG_EN);
}

static void slow_setup(struct submitter *s)
{
	unsigned int max = 0, i;

	for (i = 0; i < nr_batches; i++)
		if (batches[i] > max)
			max = batches[i];
	s->cmds_len = (size_t)(max + 1) * ENT_SIZE;
	s->cmds = xcalloc(max + 1, ENT_SIZE);
}

/* Fill s->cmds with @n TLBIs and a CMD_SYNC. */
static void slow_fill(struct submitter *s, unsigned int n)
{
	__u64 *e = s->cmds;
	unsigned int i;

	for (i = 0; i < n; i++)
		cmd_tlbi_nh_va(e + 2 * i, asid, BENCH_VA + (__u64)i * 4096);
	cmd_sync(e + 2 * n);
}

/* Return: false when io_uring is not available (the error is printed). */
static bool uring_setup(struct submitter *s)
{
	int rc, fd = s->vm->fd;

	rc = io_uring_queue_init(uring_depth < 2 ? 2 : uring_depth, &s->ring, 0);
	if (rc) {
		warn("io_uring_queue_init(%u): %s", uring_depth, strerror(-rc));
		return false;
	}
	s->ring_fd_index = -1;
	if (uring_fixed) {
		rc = io_uring_register_files(&s->ring, &fd, 1);
		if (rc)
			warn("io_uring_register_files: %s: using the plain fd",
			     strerror(-rc));
		else
			s->ring_fd_index = 0;
	}
	s->ureqs = xcalloc(uring_depth, sizeof(*s->ureqs));
	s->usubmit = xcalloc(uring_depth, sizeof(*s->usubmit));
	s->ring_ok = true;
	return true;
}

static void floor_setup(struct submitter *s)
{
	s->floor_len = sizeof(*s->floor) + qsize;
	s->floor = mmap(NULL, s->floor_len, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s->floor == MAP_FAILED)
		die("mmap of the floor queue: %s", strerror(errno));
}

static void setup(bool need_fast, bool need_uring)
{
	unsigned int i;

	nr_vms = share_vm ? 1 : nr_threads;
	for (i = 0; i < nr_vms; i++)
		vm_init(&vms[i], share_vm ? nr_threads : 1);
	for (i = 0; i < nr_threads; i++) {
		struct submitter *s = &subs[i];

		s->idx = i;
		s->vm = &vms[share_vm ? 0 : i];
		s->vi = vm_viommu(s->vm, use_inst[i % nr_use_inst]);
		if (need_fast)
			fast_setup(s);
		slow_setup(s);
		if (need_uring && !uring_setup(s)) {
			if (mode_mask != MODES_ALL)
				die("uring mode needs io_uring");
			mode_mask &= ~(1U << MODE_URING);
			need_uring = false;
		}
		floor_setup(s);
	}
}

static void teardown(void)
{
	unsigned int i, j;

	for (i = 0; i < nr_threads; i++) {
		struct submitter *s = &subs[i];

		if (s->ring_ok) {
			/*
			 * Unregister the fd first: unregistering waits for
			 * the ring to drop it, while the ring's own teardown
			 * is deferred to a workqueue and would release the
			 * VM context (and the module) after we exit.
			 */
			if (s->ring_fd_index >= 0)
				io_uring_unregister_files(&s->ring);
			io_uring_queue_exit(&s->ring);
		}
		free(s->ureqs);
		free(s->usubmit);
		free(s->cmds);
		free(s->res.samples);
		if (s->floor)
			munmap(s->floor, s->floor_len);
	}
	/* Closing the file destroys its objects; the mappings go first. */
	for (i = 0; i < nr_vms; i++) {
		for (j = 0; j < vms[i].nr_vi; j++)
			if (vms[i].vi[j].ctrl)
				munmap(vms[i].vi[j].ctrl, vms[i].vi[j].ctrl_len);
		close(vms[i].fd);
	}
	/*
	 * Leave only once the kernel has released every VM context we opened
	 * (io_uring may release files late), so that whoever runs next -- an
	 * rmmod, another benchmark -- finds the module as we found it.
	 */
	if (contexts_at_start >= 0) {
		__u64 deadline = now_ns() + 5ULL * 1000 * 1000 * 1000;
		long now;

		while ((now = sysfs_counter("contexts")) > contexts_at_start &&
		       now_ns() < deadline)
			sleep_us(1000);
		if (now > contexts_at_start)
			warn("%ld VM contexts still open 5 s after close (leak?)",
			     now - contexts_at_start);
	}
}

/* ---- model check: does a batch really invalidate? ------------------------- */

static void test_iotlb(struct submitter *s, __u32 op, __u32 flags, __u64 va,
		       __u32 *count)
{
	struct vcmdq_test t = {
		.size = sizeof(t),
		.op = op,
		.instance_id = s->vi->inst->id,
		.flags = flags,
		.tag = s->vi->tag,
		.asid = asid,
		.start = va,
		.last = va + 4095,
	};

	xioctl(s->vm->fd, VCMDQ_TEST, &t);
	if (count)
		*count = t.out_count;
}

static void run_batch(struct submitter *s, __u64 *lat_ns);

/*
 * Put an IOTLB entry under the last TLBI's page, run one batch, and check
 * the entry is gone: the mode does invalidate, under the vIOMMU's tag.
 */
static void check_model(struct submitter *s)
{
	__u64 va = BENCH_VA + (__u64)(s->batch - 1) * 4096, lat;
	__u32 count;

	test_iotlb(s, VCMDQ_TEST_IOTLB_ADD, VCMDQ_TEST_LEAF, va, NULL);
	run_batch(s, &lat);
	test_iotlb(s, VCMDQ_TEST_IOTLB_COUNT, VCMDQ_TEST_ANY_PASID, va, &count);
	if (count)
		die("%s, batch %u: the IOTLB model still holds tag %u ASID %u VA 0x%llx after the batch",
		    mode_names[s->mode], s->batch, s->vi->tag, asid,
		    (unsigned long long)va);
}

/* ---- the modes: one batch each ---------------------------------------------- */

static void __attribute__((noreturn)) fast_fail(struct submitter *s, __u32 sync,
						const char *why)
{
	struct queue *q = &s->q;

	die("%s: queue %u (vIOMMU %u index %u): %s: PROD 0x%x sync at 0x%x CONS 0x%x STATUS 0x%x GERROR 0x%x GERRORN 0x%x",
	    mode_names[s->mode], q->queue_id, s->vi->id,
	    (unsigned int)(((char *)q->regs - (char *)s->vi->ctrl) /
			   VCMDQ_CTRL_QUEUE_STRIDE),
	    why, q->prod, sync, rd_acq(q, VCMDQ_CTRL_CONS),
	    rd_acq(q, VCMDQ_CTRL_STATUS), rd_acq(q, VCMDQ_CTRL_GERROR),
	    rd_acq(q, VCMDQ_CTRL_GERRORN));
}

/*
 * What the guest driver does (arm_smmu_cmdq_issue_cmdlist() on a Tegra241
 * VCMDQ): entries, one release store of PROD, then -- vcmdq's SQPOLL-like
 * protocol -- a full barrier and a look at NEED_WAKEUP; poll CONS (acquire)
 * until it has passed the CMD_SYNC.  The queue is empty at the start of each
 * batch (the previous one was waited for), so CONS must land exactly on PROD.
 */
static void fast_batch(struct submitter *s, __u64 *lat_ns)
{
	struct queue *q = &s->q;
	unsigned int n = s->batch, i;
	struct poller p;
	__u32 sync, cons;
	__u64 t0;

	t0 = now_ns();
	for (i = 0; i < n; i++) {
		volatile __u64 *e = q->ent + 2 * q_idx(q, q->prod);
		__u64 c[2];

		cmd_tlbi_nh_va(c, asid, BENCH_VA + (__u64)i * 4096);
		e[0] = c[0];
		e[1] = c[1];
		q->prod = q_ptr(q, q->prod + 1);
	}
	{
		volatile __u64 *e = q->ent + 2 * q_idx(q, q->prod);
		__u64 c[2];

		cmd_sync(c);
		e[0] = c[0];
		e[1] = c[1];
		sync = q->prod;
		q->prod = q_ptr(q, q->prod + 1);
	}
	wr_rel(q, VCMDQ_CTRL_PROD, q->prod);
	/* The PROD store before the NEED_WAKEUP load: a full barrier. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (*q->engine & VCMDQ_ENGINE_NEED_WAKEUP) {
		s->res.wakes++;
		if (s->mode == MODE_FAST && kick_policy != KICK_NEVER) {
			kick(s);
			s->res.kicks++;
		}
	} else if (s->mode == MODE_FAST && kick_policy == KICK_ALWAYS) {
		kick(s);
		s->res.kicks++;
	}

	poller_init(&p, t0, POLL_TIMEOUT_NS);
	for (;;) {
		cons = rd_acq(q, VCMDQ_CTRL_CONS);
		if ((cons >> VCMDQ_CONS_ERR_SHIFT) & VCMDQ_CONS_ERR_MASK)
			fast_fail(s, sync, "CONS.ERR set");
		if (q_consumed(q, q_ptr(q, cons), sync))
			break;
		if (!poller_step(&p))
			fast_fail(s, sync, "CONS did not pass the CMD_SYNC");
	}
	*lat_ns = now_ns() - t0;
	if (q_ptr(q, cons) != q->prod)
		fast_fail(s, sync, "CONS did not land on PROD");
}

static void invalidate_ioctl(struct submitter *s, void *data, unsigned int n)
{
	struct vcmdq_invalidate req = {
		.size = sizeof(req),
		.viommu_id = s->vi->id,
		.data_type = VCMDQ_DATA_SMMUV3,
		.entry_len = ENT_SIZE,
		.entry_num = n,
		.data_uptr = (uintptr_t)data,
	};

	if (ioctl(s->vm->fd, VCMDQ_INVALIDATE, &req))
		die("%s: VCMDQ_INVALIDATE of %u entries: %s (entry_num %u)",
		    mode_names[s->mode], n, strerror(errno), req.entry_num);
	if (req.entry_num != n)
		die("%s: VCMDQ_INVALIDATE handled %u of %u entries",
		    mode_names[s->mode], req.entry_num, n);
}

static void slow_batch(struct submitter *s, __u64 *lat_ns)
{
	__u64 t0 = now_ns();

	invalidate_ioctl(s, s->cmds, s->batch + 1);
	*lat_ns = now_ns() - t0;
}

static void slow_single(struct submitter *s, __u64 *lat_ns)
{
	__u64 t0 = now_ns();
	unsigned int i;

	for (i = 0; i <= s->batch; i++)
		invalidate_ioctl(s, (char *)s->cmds + (size_t)i * ENT_SIZE, 1);
	*lat_ns = now_ns() - t0;
}

/* IORING_OP_URING_CMD, cmd_op VCMDQ_INVALIDATE; liburing 2.3 has no prep. */
static void uring_prep(struct submitter *s, unsigned int slot)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&s->ring);
	struct vcmdq_invalidate *req = &s->ureqs[slot];
	struct vcmdq_uring_cmd payload;

	if (!sqe)
		die("uring: no free SQE");
	*req = (struct vcmdq_invalidate){
		.size = sizeof(*req),
		.viommu_id = s->vi->id,
		.data_type = VCMDQ_DATA_SMMUV3,
		.entry_len = ENT_SIZE,
		.entry_num = s->batch + 1,
		.data_uptr = (uintptr_t)s->cmds,
	};
	payload = (struct vcmdq_uring_cmd){ .req_uptr = (uintptr_t)req };
	io_uring_prep_rw(IORING_OP_URING_CMD, sqe,
			 s->ring_fd_index >= 0 ? s->ring_fd_index : s->vm->fd,
			 NULL, 0, 0);
	if (s->ring_fd_index >= 0)
		sqe->flags |= IOSQE_FIXED_FILE;
	sqe->cmd_op = VCMDQ_INVALIDATE;
	memcpy((__u8 *)sqe + offsetof(struct io_uring_sqe, addr3), &payload,
	       sizeof(payload));
	sqe->user_data = slot;
	s->usubmit[slot] = now_ns();
}

/* Reap one completion: check it, return its slot and latency. */
static unsigned int uring_reap(struct submitter *s, struct io_uring_cqe *cqe,
			       __u64 *lat_ns)
{
	unsigned int slot = (unsigned int)cqe->user_data;

	if (cqe->user_data >= uring_depth)
		die("uring: CQE with unknown user_data %llu",
		    (unsigned long long)cqe->user_data);
	*lat_ns = now_ns() - s->usubmit[slot];
	if (cqe->res < 0)
		die("uring: VCMDQ_INVALIDATE of %u entries: %s (entry_num %u)",
		    s->batch + 1, strerror(-cqe->res), s->ureqs[slot].entry_num);
	if (s->ureqs[slot].entry_num != s->batch + 1)
		die("uring: VCMDQ_INVALIDATE handled %u of %u entries",
		    s->ureqs[slot].entry_num, s->batch + 1);
	io_uring_cqe_seen(&s->ring, cqe);
	return slot;
}

/* Depth 1: submit and wait, one io_uring_enter() per batch. */
static void uring_batch(struct submitter *s, __u64 *lat_ns)
{
	struct io_uring_cqe *cqe;
	int rc;

	uring_prep(s, 0);
	rc = io_uring_submit_and_wait(&s->ring, 1);
	if (rc != 1)
		die("uring: io_uring_submit_and_wait: %s",
		    rc < 0 ? strerror(-rc) : "nothing submitted");
	rc = io_uring_peek_cqe(&s->ring, &cqe);
	if (rc)
		die("uring: no CQE after waiting: %s", strerror(-rc));
	uring_reap(s, cqe, lat_ns);
}

/*
 * The floor: the same protocol as the fast path over plain memory, with a
 * thread instead of the engine.  The consumer checks every entry it reads
 * (the TLBIs' VAs), so the data really crosses.
 */
static void *floor_consumer(void *arg)
{
	struct submitter *s = arg;
	struct floor_ring *f = s->floor;
	unsigned int nent = qsize / ENT_SIZE, mask2 = 2 * nent - 1;
	__u32 cons = f->cons;
	struct poller p;

	pin_to(2 * s->idx + 1);
	poller_init(&p, now_ns(), 0);
	while (!__atomic_load_n(&f->stop, __ATOMIC_RELAXED)) {
		__u32 prod = __atomic_load_n(&f->prod, __ATOMIC_ACQUIRE);

		if (prod == cons) {
			poller_step(&p);
			continue;
		}
		while (cons != prod) {
			const __u64 *e = &f->ent[2 * (cons & (nent - 1))];
			__u64 w0 = le64toh(e[0]);

			if ((w0 & 0xff) != CMDQ_OP_TLBI_NH_VA &&
			    (w0 & 0xff) != CMDQ_OP_CMD_SYNC)
				die("floor: consumer read a torn entry 0x%llx",
				    (unsigned long long)w0);
			cons = (cons + 1) & mask2;
		}
		__atomic_store_n(&f->cons, cons, __ATOMIC_RELEASE);
		/* Like the engine: spin again for a while after work. */
		if (p.yielding)
			poller_init(&p, now_ns(), 0);
	}
	return NULL;
}

static void floor_batch(struct submitter *s, __u64 *lat_ns)
{
	struct floor_ring *f = s->floor;
	unsigned int nent = qsize / ENT_SIZE, mask2 = 2 * nent - 1, i;
	__u32 prod = f->prod;
	struct poller p;
	__u64 t0;

	t0 = now_ns();
	for (i = 0; i <= s->batch; i++) {
		__u64 *e = &f->ent[2 * (prod & (nent - 1))];

		if (i < s->batch)
			cmd_tlbi_nh_va(e, asid, BENCH_VA + (__u64)i * 4096);
		else
			cmd_sync(e);
		prod = (prod + 1) & mask2;
	}
	__atomic_store_n(&f->prod, prod, __ATOMIC_RELEASE);
	poller_init(&p, t0, POLL_TIMEOUT_NS);
	while (__atomic_load_n(&f->cons, __ATOMIC_ACQUIRE) != prod)
		if (!poller_step(&p))
			die("floor: the consumer thread did not answer");
	*lat_ns = now_ns() - t0;
}

static void run_batch(struct submitter *s, __u64 *lat_ns)
{
	switch (s->mode) {
	case MODE_FLOOR:
		floor_batch(s, lat_ns);
		break;
	case MODE_FAST:
	case MODE_FAST_NOKICK:
		fast_batch(s, lat_ns);
		break;
	case MODE_URING:
		uring_batch(s, lat_ns);
		break;
	case MODE_SLOW_BATCH:
		slow_batch(s, lat_ns);
		break;
	case MODE_SLOW_SINGLE:
		slow_single(s, lat_ns);
		break;
	case NR_MODES:
		break;
	}
}

/* ---- one cell: a mode at a batch size, all submitters at once --------------- */

static inline bool cell_done(__u64 n, __u64 deadline)
{
	if (run_iters)
		return n >= run_iters;
	return now_ns() >= deadline;
}

/* io_uring with --depth > 1: keep that many requests in flight. */
static void uring_loop(struct submitter *s)
{
	struct result *r = &s->res;
	unsigned int inflight = 0, slot;
	__u64 submitted = 0, deadline;
	bool stop = false;
	int rc;

	deadline = r->t_start + (__u64)(run_seconds * 1e9);
	for (slot = 0; slot < uring_depth; slot++) {
		uring_prep(s, slot);
		submitted++;
		inflight++;
	}
	while (inflight) {
		struct io_uring_cqe *cqe;
		__u64 lat;

		rc = io_uring_submit_and_wait(&s->ring, 1);
		if (rc < 0)
			die("uring: io_uring_submit_and_wait: %s", strerror(-rc));
		while (!io_uring_peek_cqe(&s->ring, &cqe)) {
			slot = uring_reap(s, cqe, &lat);
			result_add(r, lat);
			inflight--;
			if (!stop)
				stop = run_iters ? submitted >= run_iters :
						   now_ns() >= deadline;
			if (!stop) {
				uring_prep(s, slot);
				submitted++;
				inflight++;
			}
		}
	}
}

static void *submitter_fn(void *arg)
{
	struct submitter *s = arg;
	struct result *r = &s->res;
	__u64 lat, deadline;
	unsigned int i;
	int rc;

	if (s->mode == MODE_FLOOR)
		pin_to(2 * s->idx);
	else if (pin_cpus)
		pin_to(submitter_cpu(s->idx));
	if (s->mode == MODE_FLOOR) {
		memset(s->floor, 0, s->floor_len);
		rc = pthread_create(&s->floor_thread, NULL, floor_consumer, s);
		if (rc)
			die("pthread_create: %s", strerror(rc));
	}
	slow_fill(s, s->batch);

	/* Untimed: fault everything in, wake the engine, check the model. */
	if (have_test_ioctl && verify_model && s->mode != MODE_FLOOR)
		check_model(s);
	for (i = 0; i < warmup; i++)
		run_batch(s, &lat);
	if (think_us)
		sleep_us(think_us);

	pthread_barrier_wait(&cell_barrier);
	r->kicks = r->wakes = 0;	/* count the timed batches only */
	r->t_start = now_ns();
	deadline = r->t_start + (__u64)(run_seconds * 1e9);
	if (s->mode == MODE_URING && uring_depth > 1) {
		uring_loop(s);
	} else {
		while (!cell_done(r->seen, deadline)) {
			run_batch(s, &lat);
			result_add(r, lat);
			if (think_us)
				sleep_us(think_us);
		}
	}
	r->t_end = now_ns();

	if (s->mode == MODE_FLOOR) {
		__atomic_store_n(&s->floor->stop, 1, __ATOMIC_RELAXED);
		pthread_join(s->floor_thread, NULL);
	}
	return NULL;
}

static void run_cell(enum mode mode, unsigned int bi)
{
	struct cell *c = &cells[bi][mode];
	__u64 t_min = UINT64_MAX, t_max = 0, sum = 0, max = 0;
	size_t total = 0, k = 0;
	__u32 *all;
	unsigned int i;
	int rc;

	/* Spinning threads (+ the engines) beyond the CPUs yield at once. */
	if (spin_us >= 0) {
		spin_ns = (__u64)spin_us * 1000;
	} else {
		unsigned int busy = nr_threads;

		if (mode == MODE_FLOOR)
			busy *= 2;
		if (mode == MODE_FAST || mode == MODE_FAST_NOKICK)
			busy += nr_use_inst;
		spin_ns = busy > (unsigned long)ncpus ? 0 : 50000;
	}

	rc = pthread_barrier_init(&cell_barrier, NULL, nr_threads);
	if (rc)
		die("pthread_barrier_init: %s", strerror(rc));
	for (i = 0; i < nr_threads; i++) {
		struct submitter *s = &subs[i];

		s->mode = mode;
		s->batch = batches[bi];
		result_reset(&s->res, i * 7919 + bi * 31 + mode);
		rc = pthread_create(&s->thread, NULL, submitter_fn, s);
		if (rc)
			die("pthread_create: %s", strerror(rc));
	}
	for (i = 0; i < nr_threads; i++)
		pthread_join(subs[i].thread, NULL);
	pthread_barrier_destroy(&cell_barrier);

	memset(c, 0, sizeof(*c));
	c->mode = mode;
	c->batch = batches[bi];
	c->ran = true;
	for (i = 0; i < nr_threads; i++) {
		struct result *r = &subs[i].res;

		total += r->nr_samples;
		c->batches += r->seen;
		sum += r->sum_ns;
		if (r->max_ns > max)
			max = r->max_ns;
		if (r->t_start < t_min)
			t_min = r->t_start;
		if (r->t_end > t_max)
			t_max = r->t_end;
		c->kicks += r->kicks;
		c->wakes += r->wakes;
	}
	all = xcalloc(total ? total : 1, sizeof(*all));
	for (i = 0; i < nr_threads; i++) {
		memcpy(all + k, subs[i].res.samples,
		       subs[i].res.nr_samples * sizeof(*all));
		k += subs[i].res.nr_samples;
	}
	qsort(all, total, sizeof(*all), cmp_u32);
	c->cmds = c->batches * c->batch;
	c->wall_s = (t_max - t_min) / 1e9;
	c->ops_s = c->wall_s > 0 ? c->cmds / c->wall_s : 0;
	c->p50 = pct_us(all, total, 50);
	c->p90 = pct_us(all, total, 90);
	c->p99 = pct_us(all, total, 99);
	c->max = max / 1000.0;
	c->mean = c->batches ? sum / 1000.0 / c->batches : 0;
	c->ratio = -1;
	free(all);
}

/* ---- output --------------------------------------------------------------- */

static void print_header(void)
{
	struct utsname u;
	char cs[64] = "?";
	unsigned int i;

	uname(&u);
	read_line("/sys/devices/system/clocksource/clocksource0/current_clocksource",
		  cs, sizeof(cs));
	printf("vcmdq-bench: kernel %s %s, %ld CPUs, clocksource %s (clock_gettime %.0f ns), engine_spin_us %ld, engine_poll_us %ld%s\n",
	       u.release, u.machine, ncpus, cs, clock_ns, param_read("engine_spin_us"),
	       param_read("engine_poll_us"),
	       have_test_ioctl ? ", model checked (VCMDQ_TEST)" : "");
	if (clock_ns > 500)
		printf("  note: a clock read costs %.1f us here and every latency holds one; boot with clocksource=tsc if you can\n",
		       clock_ns / 1000);
	printf("  instances:");
	for (i = 0; i < nr_use_inst; i++)
		printf(" %u (%s)", use_inst[i]->id, flavor_name(use_inst[i]->flavor));
	printf("; %u thread%s, %s; queue %u B (%u entries); kick %s; uring depth %u%s\n",
	       nr_threads, nr_threads > 1 ? "s" : "",
	       share_vm ? "one VM (a queue each)" : "a VM each",
	       qsize, qsize / ENT_SIZE,
	       kick_policy == KICK_AUTO ? "auto" :
	       kick_policy == KICK_ALWAYS ? "always" : "never",
	       uring_depth, uring_fixed ? " (fixed file)" : "");
	if (run_iters)
		printf("  %lu batches per thread per cell", run_iters);
	else
		printf("  %.1f s per cell", run_seconds);
	printf(", %u warm-up batches", warmup);
	if (!relax_pause)
		printf(", no PAUSE in spins");
	if (pin_cpus)
		printf(", submitters pinned");
	if (engine_cpu >= 0)
		printf(", engines on CPU %d", engine_cpu);
	if (spin_us >= 0)
		printf(", waiters spin %d us then yield", spin_us);
	else
		printf(", waiters spin 50 us then yield (0 if oversubscribed)");
	if (think_us)
		printf(", %u us think time between batches (not in the latency)",
		       think_us);
	printf("\n");
	printf("  batch = N x TLBI_NH_VA (4 KiB, ASID %u) + CMD_SYNC(CS=NONE); ops/s counts TLBIs; latency per batch in us;\n"
	       "  /single = p50 / slow-single p50; idle%% = batches that found the engine idle (NEED_WAKEUP)\n",
	       asid);
}

static void print_batch_table(unsigned int bi)
{
	unsigned int m;

	printf("\nbatch %u\n", batches[bi]);
	printf("  %-12s %12s %10s %9s %9s %9s %9s %9s %7s %6s\n", "mode", "ops/s",
	       "batches", "p50", "p90", "p99", "max", "mean", "/single", "idle%");
	for (m = 0; m < NR_MODES; m++) {
		const struct cell *c = &cells[bi][m];
		char ratio[16] = "-", kicks[16] = "-";

		if (!c->ran)
			continue;
		if (c->ratio >= 0)
			snprintf(ratio, sizeof(ratio), "%.3f", c->ratio);
		if (m == MODE_FAST || m == MODE_FAST_NOKICK)
			snprintf(kicks, sizeof(kicks), "%.1f",
				 c->batches ? 100.0 * c->wakes / c->batches : 0);
		printf("  %-12s %12.0f %10llu %9.2f %9.2f %9.2f %9.2f %9.2f %7s %6s\n",
		       mode_names[m], c->ops_s, (unsigned long long)c->batches,
		       c->p50, c->p90, c->p99, c->max, c->mean, ratio, kicks);
	}
	fflush(stdout);
}

/*
 * One mode x batch-size table of a per-cell value; @value returns < 0 for a
 * cell with nothing to show ("-").
 */
static void print_matrix(const char *title, const char *fmt,
			 double (*value)(const struct cell *c))
{
	unsigned int bi, m;

	printf("\n%s\n", title);
	printf("  %-12s", "mode");
	for (bi = 0; bi < nr_batches; bi++)
		printf(" %9s%-4u", "batch ", batches[bi]);
	printf("\n");
	for (m = 0; m < NR_MODES; m++) {
		bool any = false;

		for (bi = 0; bi < nr_batches; bi++)
			any |= cells[bi][m].ran;
		if (!any)
			continue;
		printf("  %-12s", mode_names[m]);
		for (bi = 0; bi < nr_batches; bi++) {
			const struct cell *c = &cells[bi][m];
			double v = c->ran ? value(c) : -1;

			if (v >= 0)
				printf(fmt, v);
			else
				printf(" %13s", "-");
		}
		printf("\n");
	}
}

static double cell_ratio(const struct cell *c)
{
	return c->ratio;
}

static double cell_ops(const struct cell *c)
{
	return c->ops_s;
}

static void print_summary(void)
{
	print_matrix("p50 latency / slow-single p50 (same batch size, same run; < 1 is faster)",
		     " %13.3f", cell_ratio);
	print_matrix("throughput (TLBI commands/s)", " %13.0f", cell_ops);
}

static void print_csv(void)
{
	unsigned int bi, m;

	printf("mode,batch,threads,instances,kick,uring_depth,think_us,batches,commands,seconds,ops_per_s,p50_us,p90_us,p99_us,max_us,mean_us,ratio_p50_vs_slow_single,kicks,need_wakeup_seen\n");
	for (bi = 0; bi < nr_batches; bi++) {
		for (m = 0; m < NR_MODES; m++) {
			const struct cell *c = &cells[bi][m];

			if (!c->ran)
				continue;
			printf("%s,%u,%u,%u,%s,%u,%u,%llu,%llu,%.3f,%.1f,%.3f,%.3f,%.3f,%.3f,%.3f,",
			       mode_names[m], c->batch, nr_threads, nr_use_inst,
			       m == MODE_FAST_NOKICK || kick_policy == KICK_NEVER ? "never" :
			       kick_policy == KICK_ALWAYS ? "always" : "auto",
			       uring_depth, think_us,
			       (unsigned long long)c->batches,
			       (unsigned long long)c->cmds, c->wall_s, c->ops_s,
			       c->p50, c->p90, c->p99, c->max, c->mean);
			if (c->ratio >= 0)
				printf("%.4f", c->ratio);
			printf(",%llu,%llu\n", (unsigned long long)c->kicks,
			       (unsigned long long)c->wakes);
		}
	}
}

static void print_json(void)
{
	struct utsname u;
	char cs[64] = "?";
	unsigned int bi, m, i;
	bool first = true;

	uname(&u);
	read_line("/sys/devices/system/clocksource/clocksource0/current_clocksource",
		  cs, sizeof(cs));
	printf("{\n  \"config\": {\"kernel\": \"%s\", \"cpus\": %ld, \"clocksource\": \"%s\", \"clock_gettime_ns\": %.0f, "
	       "\"engine_spin_us\": %ld, \"engine_poll_us\": %ld, \"threads\": %u, "
	       "\"shared_vm\": %s, \"instances\": [",
	       u.release, ncpus, cs, clock_ns, param_read("engine_spin_us"),
	       param_read("engine_poll_us"), nr_threads,
	       share_vm ? "true" : "false");
	for (i = 0; i < nr_use_inst; i++)
		printf("%s%u", i ? ", " : "", use_inst[i]->id);
	printf("], \"queue_bytes\": %u, \"kick\": \"%s\", \"uring_depth\": %u, "
	       "\"think_us\": %u, \"seconds\": %.3f, \"iters\": %lu, "
	       "\"model_checked\": %s},\n  \"results\": [",
	       qsize,
	       kick_policy == KICK_AUTO ? "auto" :
	       kick_policy == KICK_ALWAYS ? "always" : "never",
	       uring_depth, think_us, run_iters ? 0 : run_seconds, run_iters,
	       have_test_ioctl ? "true" : "false");
	for (bi = 0; bi < nr_batches; bi++) {
		for (m = 0; m < NR_MODES; m++) {
			const struct cell *c = &cells[bi][m];

			if (!c->ran)
				continue;
			printf("%s\n    {\"mode\": \"%s\", \"batch\": %u, \"batches\": %llu, "
			       "\"commands\": %llu, \"seconds\": %.3f, \"ops_per_s\": %.1f, "
			       "\"p50_us\": %.3f, \"p90_us\": %.3f, \"p99_us\": %.3f, "
			       "\"max_us\": %.3f, \"mean_us\": %.3f, \"ratio_p50_vs_slow_single\": ",
			       first ? "" : ",", mode_names[m], c->batch,
			       (unsigned long long)c->batches,
			       (unsigned long long)c->cmds, c->wall_s, c->ops_s,
			       c->p50, c->p90, c->p99, c->max, c->mean);
			if (c->ratio >= 0)
				printf("%.4f", c->ratio);
			else
				printf("null");
			printf(", \"kicks\": %llu, \"need_wakeup_seen\": %llu}",
			       (unsigned long long)c->kicks,
			       (unsigned long long)c->wakes);
			first = false;
		}
	}
	printf("\n  ]\n}\n");
}

/* ---- options -------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
"usage: vcmdq-bench [options]\n"
"  -m, --mode LIST      modes, comma separated, or 'all' (default): floor, fast,\n"
"                       uring, slow-batch, slow-single; also fast-nokick (not in all)\n"
"  -b, --batch LIST     TLBIs per CMD_SYNC, e.g. 1,8,64 (default 1)\n"
"  -s, --seconds S      run each mode x batch cell this long (default 1)\n"
"  -n, --iters N        or this many batches per thread\n"
"  -t, --threads T      T submitters (alias --queues), each with its own queue\n"
"                       and ioctl stream (default 1)\n"
"  -S, --share          the submitters share one VM context (a queue each on\n"
"                       one vIOMMU per instance); default: a VM each\n"
"  -i, --instances N    spread submitters over N tegra241 instances (default 1)\n"
"  -k, --kick POLICY    fast mode: auto (kick when NEED_WAKEUP, default),\n"
"                       always, never\n"
"      --no-kick        same as --kick never\n"
"  -d, --depth D        io_uring requests in flight per submitter (default 1)\n"
"      --no-fixed       do not register the vcmdq fd with io_uring\n"
"  -q, --qsize BYTES    queue size, power of two (default 4096: one page)\n"
"      --asid A         guest ASID the TLBIs name (default 1)\n"
"  -T, --think US       sleep US between batches, so the engine goes idle\n"
"  -p, --pin            pin submitter i to CPU i, skipping --engine-cpu\n"
"                       (floor always pins: producer 2i, consumer 2i+1)\n"
"  -E, --engine-cpu C   pin the engine threads to CPU C (root; undone at exit)\n"
"      --no-pause       spin without PAUSE/YIELD (under TCG each PAUSE takes\n"
"                       QEMU's big lock)\n"
"      --spin-us US     a waiter spins this long, then yields the CPU at each\n"
"                       poll (default 50, or 0 with more spinning threads\n"
"                       and engines than CPUs)\n"
"  -w, --warmup N       untimed batches per cell (default 32)\n"
"      --no-verify      skip the IOTLB model check (VCMDQ_TEST builds)\n"
"  -j, --json           machine-readable JSON instead of the tables\n"
"  -c, --csv            CSV instead of the tables\n"
"  -h, --help\n");
}

static unsigned long parse_ulong(const char *opt, const char *s,
				 unsigned long min, unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v < min || v > max)
		die("%s: '%s' is not a number in [%lu, %lu]", opt, s, min, max);
	return v;
}

static void parse_modes(const char *arg)
{
	char *dup = strdup(arg), *tok, *save = NULL;
	unsigned int m;

	if (!dup)
		die("out of memory");
	mode_mask = 0;
	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "all")) {
			mode_mask |= MODES_ALL;
			continue;
		}
		for (m = 0; m < NR_MODES; m++)
			if (!strcmp(tok, mode_names[m]))
				break;
		if (m == NR_MODES)
			die("--mode: unknown mode '%s'", tok);
		mode_mask |= 1U << m;
	}
	free(dup);
	if (!mode_mask)
		die("--mode: no mode given");
}

static void parse_batches(const char *arg)
{
	char *dup = strdup(arg), *tok, *save = NULL;

	if (!dup)
		die("out of memory");
	nr_batches = 0;
	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (nr_batches == MAX_BATCHES)
			die("--batch: at most %d sizes", MAX_BATCHES);
		batches[nr_batches++] = parse_ulong("--batch", tok, 1,
						    VCMDQ_INVALIDATE_MAX_ENTRIES - 1);
	}
	free(dup);
	if (!nr_batches)
		die("--batch: no size given");
}

enum {
	OPT_NO_KICK = 0x100,
	OPT_NO_FIXED,
	OPT_ASID,
	OPT_NO_VERIFY,
	OPT_SPIN_US,
	OPT_NO_PAUSE,
};

static const struct option long_opts[] = {
	{ "mode", required_argument, NULL, 'm' },
	{ "batch", required_argument, NULL, 'b' },
	{ "seconds", required_argument, NULL, 's' },
	{ "iters", required_argument, NULL, 'n' },
	{ "threads", required_argument, NULL, 't' },
	{ "queues", required_argument, NULL, 't' },
	{ "share", no_argument, NULL, 'S' },
	{ "instances", required_argument, NULL, 'i' },
	{ "kick", required_argument, NULL, 'k' },
	{ "no-kick", no_argument, NULL, OPT_NO_KICK },
	{ "depth", required_argument, NULL, 'd' },
	{ "no-fixed", no_argument, NULL, OPT_NO_FIXED },
	{ "qsize", required_argument, NULL, 'q' },
	{ "asid", required_argument, NULL, OPT_ASID },
	{ "think", required_argument, NULL, 'T' },
	{ "pin", no_argument, NULL, 'p' },
	{ "engine-cpu", required_argument, NULL, 'E' },
	{ "spin-us", required_argument, NULL, OPT_SPIN_US },
	{ "no-pause", no_argument, NULL, OPT_NO_PAUSE },
	{ "warmup", required_argument, NULL, 'w' },
	{ "no-verify", no_argument, NULL, OPT_NO_VERIFY },
	{ "json", no_argument, NULL, 'j' },
	{ "csv", no_argument, NULL, 'c' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void parse_args(int argc, char **argv)
{
	char *end;
	int c;

	mode_mask = MODES_ALL;
	while ((c = getopt_long(argc, argv, "m:b:s:n:t:Si:k:d:q:T:pE:w:jch",
				long_opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			parse_modes(optarg);
			break;
		case 'b':
			parse_batches(optarg);
			break;
		case 's':
			errno = 0;
			run_seconds = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(run_seconds > 0) ||
			    run_seconds > 3600)
				die("--seconds: '%s' is not in (0, 3600]", optarg);
			run_iters = 0;
			break;
		case 'n':
			run_iters = parse_ulong("--iters", optarg, 1, ULONG_MAX);
			break;
		case 't':
			nr_threads = parse_ulong("--threads", optarg, 1, MAX_THREADS);
			break;
		case 'S':
			share_vm = true;
			break;
		case 'i':
			nr_instances = parse_ulong("--instances", optarg, 1,
						   MAX_INSTANCES);
			break;
		case 'k':
			if (!strcmp(optarg, "auto"))
				kick_policy = KICK_AUTO;
			else if (!strcmp(optarg, "always"))
				kick_policy = KICK_ALWAYS;
			else if (!strcmp(optarg, "never"))
				kick_policy = KICK_NEVER;
			else
				die("--kick: auto, always or never, not '%s'", optarg);
			break;
		case OPT_NO_KICK:
			kick_policy = KICK_NEVER;
			break;
		case 'd':
			uring_depth = parse_ulong("--depth", optarg, 1, 4096);
			break;
		case OPT_NO_FIXED:
			uring_fixed = false;
			break;
		case 'q':
			qsize = parse_ulong("--qsize", optarg, 32, 1UL << 30);
			if (qsize & (qsize - 1))
				die("--qsize: %u is not a power of two", qsize);
			break;
		case OPT_ASID:
			asid = parse_ulong("--asid", optarg, 0, 0xffff);
			break;
		case 'T':
			think_us = parse_ulong("--think", optarg, 0, 10000000);
			break;
		case 'p':
			pin_cpus = true;
			break;
		case 'E':
			engine_cpu = parse_ulong("--engine-cpu", optarg, 0, CPU_SETSIZE - 1);
			break;
		case OPT_NO_PAUSE:
			relax_pause = false;
			break;
		case OPT_SPIN_US:
			spin_us = parse_ulong("--spin-us", optarg, 0, 10000000);
			break;
		case 'w':
			warmup = parse_ulong("--warmup", optarg, 0, 1000000);
			break;
		case OPT_NO_VERIFY:
			verify_model = false;
			break;
		case 'j':
			out_format = OUT_JSON;
			break;
		case 'c':
			out_format = OUT_CSV;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind < argc)
		die("unexpected argument '%s' (see --help)", argv[optind]);
}

int main(int argc, char **argv)
{
	bool explicit_fast, need_fast, need_uring;
	unsigned int bi, m, i;
	int fd;

	parse_args(argc, argv);
	ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpus < 1)
		ncpus = 1;
	prctl(PR_SET_TIMERSLACK, 1UL);	/* --think sleeps as asked */

	contexts_at_start = sysfs_counter("contexts");
	clock_ns = clock_cost_ns();
	fd = open(VCMDQ_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die("open %s: %s (is vcmdq.ko loaded?)", VCMDQ_DEV, strerror(errno));
	get_instances(fd);

	explicit_fast = mode_mask != MODES_ALL && (mode_mask & MODES_FAST);
	need_fast = mode_mask & MODES_FAST;
	if (!pick_instances(need_fast)) {
		if (need_fast && !explicit_fast && pick_instances(false)) {
			warn("fewer than %u tegra241-cmdqv instances with fast queues: skipping fast",
			     nr_instances);
			mode_mask &= ~MODES_FAST;
			need_fast = false;
		} else {
			die("fewer than %u instances %s (GET_INFO reports %u instances)",
			    nr_instances,
			    need_fast ? "with fast queues (tegra241-cmdqv)" :
					"taking SMMUv3 commands",
			    nr_infos);
		}
	}
	for (i = 0; i < nr_use_inst; i++)
		if (use_inst[i]->max_queue_log2size + 4 < 31 &&
		    qsize > (16U << use_inst[i]->max_queue_log2size) &&
		    (mode_mask & MODES_FAST))
			die("--qsize %u: instance %u takes queues up to %u bytes",
			    qsize, use_inst[i]->id,
			    16U << use_inst[i]->max_queue_log2size);
	for (bi = 0; bi < nr_batches; bi++)
		if ((mode_mask & MODES_QUEUE) && batches[bi] + 1 > qsize / ENT_SIZE)
			die("--batch %u: %u entries do not fit a %u-byte queue (%u entries): raise --qsize",
			    batches[bi], batches[bi] + 1, qsize, qsize / ENT_SIZE);
	have_test_ioctl = probe_test_ioctl(fd);
	close(fd);

	need_uring = mode_mask & (1U << MODE_URING);
	setup(need_fast, need_uring);
	pin_engines();

	if (out_format == OUT_TABLE)
		print_header();
	/*
	 * slow-single first in each batch size: the reference.  The floor
	 * last: its spinning consumer threads leave nothing behind.
	 */
	for (bi = 0; bi < nr_batches; bi++) {
		static const enum mode order[] = {
			MODE_SLOW_SINGLE, MODE_SLOW_BATCH, MODE_URING,
			MODE_FAST, MODE_FAST_NOKICK, MODE_FLOOR,
		};
		const struct cell *ref = &cells[bi][MODE_SLOW_SINGLE];

		for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
			if (mode_mask & (1U << order[i]))
				run_cell(order[i], bi);
		for (m = 0; m < NR_MODES; m++) {
			struct cell *c = &cells[bi][m];

			if (c->ran && ref->ran && ref->p50 > 0)
				c->ratio = c->p50 / ref->p50;
		}
		if (out_format == OUT_TABLE)
			print_batch_table(bi);
	}
	if (out_format == OUT_TABLE)
		print_summary();
	else if (out_format == OUT_JSON)
		print_json();
	else
		print_csv();

	unpin_engines();
	teardown();
	return 0;
}
