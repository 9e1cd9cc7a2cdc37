// SPDX-License-Identifier: GPL-2.0
/*
 * vcmdq-bench: the VMs it measures, built through libvcmdq.  Each VM is a
 * context (vcmdq_open()) with guest memory at GPA 0 (vcmdq_mem_map()), a
 * vIOMMU per instance it uses (vcmdq_viommu_create(), which maps the
 * control region) and a fast path queue per submitter
 * (vcmdq_queue_set_base(), vcmdq_sq_init(), vcmdq_sq_enable()).  The uring
 * mode has a second context per VM opened with VCMDQ_OPEN_URING.
 *
 * Also here: host plumbing (CPU pinning, the engines' affinity, module
 * parameters) and the check on the IOTLB model through the test hook.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "run.h"
/*
 * The test hook's private ABI (module test builds only): the library has
 * no call for it, by design, so the model check issues VCMDQ_TEST itself
 * on the context's fd.
 */
#include "vcmdq_test.h"

#define VCMDQ_PARAMS		"/sys/module/vcmdq/parameters/"
#define VCMDQ_SYSFS		"/sys/class/misc/vcmdq/"
#define HUGE_SIZE		(2UL << 20)

struct submitter subs[MAX_THREADS];
long ncpus;
bool have_test_ioctl;

static struct vm vms[MAX_THREADS];
static unsigned int nr_vms;
static struct vcmdq_ctx *probe_ctx;	/* GET_INFO, the test hook probe */
static struct vcmdq_instance use_inst[MAX_INSTANCES];
static unsigned int nr_use_inst;
static long contexts_at_start = -1;	/* /sys/class/misc/vcmdq/contexts */
static pid_t engine_pids[MAX_INSTANCES];	/* of use_inst[], --engine-cpu */
static cpu_set_t engine_saved[MAX_INSTANCES];	/* their affinity before */

/* ---- helpers -------------------------------------------------------------- */

/* One line on stderr, after what stdout has so far. */
static void vreport(const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "vcmdq-bench: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
	exit(1);
}

void warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p)
		die("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int read_line(const char *path, char *buf, size_t len)
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

long param_read(const char *name)
{
	char path[128], buf[64];

	snprintf(path, sizeof(path), VCMDQ_PARAMS "%s", name);
	if (read_line(path, buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 10);
}

/* A bool module parameter: 1 (Y), 0 (N), -1 when unreadable. */
int param_read_bool(const char *name)
{
	char path[128], buf[8];

	snprintf(path, sizeof(path), VCMDQ_PARAMS "%s", name);
	if (read_line(path, buf, sizeof(buf)))
		return -1;
	return buf[0] == 'Y' ? 1 : buf[0] == 'N' ? 0 : -1;
}

long sysfs_counter(const char *name)
{
	char path[128], buf[64];

	snprintf(path, sizeof(path), VCMDQ_SYSFS "%s", name);
	if (read_line(path, buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 10);
}

const char *flavor_name(uint32_t flavor)
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

void pin_to(unsigned int cpu)
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
unsigned int submitter_cpu(unsigned int i)
{
	if (opts.engine_cpu < 0 || ncpus < 2)
		return i % ncpus;
	i %= ncpus - 1;
	return i < (unsigned int)opts.engine_cpu ? i : i + 1;
}

unsigned int nr_used_instances(void)
{
	return nr_use_inst;
}

/* The pid of kernel thread "vcmdq-engine/<id>", or -1. */
static pid_t engine_pid(uint32_t id)
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
void pin_engines(void)
{
	cpu_set_t set;
	unsigned int i;

	if (opts.engine_cpu < 0)
		return;
	if (opts.engine_cpu >= ncpus)
		die("--engine-cpu %d: only %ld CPUs", opts.engine_cpu, ncpus);
	CPU_ZERO(&set);
	CPU_SET(opts.engine_cpu, &set);
	for (i = 0; i < nr_use_inst; i++) {
		pid_t pid = engine_pid(use_inst[i].id);

		if (pid < 0)
			die("--engine-cpu: no thread vcmdq-engine/%u in /proc",
			    use_inst[i].id);
		if (sched_getaffinity(pid, sizeof(engine_saved[i]),
				      &engine_saved[i]))
			die("sched_getaffinity(vcmdq-engine/%u): %s",
			    use_inst[i].id, strerror(errno));
		if (sched_setaffinity(pid, sizeof(set), &set))
			die("pin vcmdq-engine/%u to CPU %d: %s", use_inst[i].id,
			    opts.engine_cpu, strerror(errno));
		engine_pids[i] = pid;
	}
}

void unpin_engines(void)
{
	unsigned int i;

	for (i = 0; i < nr_use_inst; i++)
		if (engine_pids[i] > 0 &&
		    sched_setaffinity(engine_pids[i], sizeof(engine_saved[i]),
				      &engine_saved[i]))
			warn("restore the affinity of vcmdq-engine/%u: %s",
			     use_inst[i].id, strerror(errno));
}

/* ---- the instances ---------------------------------------------------------- */

/* Does the module have VCMDQ_TEST (test builds only)? */
static bool probe_test_ioctl(int fd)
{
	struct vcmdq_test t = {
		.size = sizeof(t),
		.op = VCMDQ_TEST_IOTLB_COUNT,
		.instance_id = use_inst[0].id,
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
 * Return: false when there are not enough.
 */
static bool pick_instances(bool need_fast)
{
	unsigned int i, n = vcmdq_num_instances(probe_ctx);

	nr_use_inst = 0;
	for (i = 0; i < n && nr_use_inst < opts.nr_instances; i++) {
		struct vcmdq_instance in;

		if (vcmdq_instance_get(probe_ctx, i, &in))
			break;
		if (!(in.data_types & (1U << VCMDQ_DATA_SMMUV3)))
			continue;
		if (need_fast && !(in.caps & VCMDQ_INSTANCE_CAP_FAST_QUEUES))
			continue;
		use_inst[nr_use_inst++] = in;
	}
	return nr_use_inst == opts.nr_instances;
}

/*
 * Open a first context to read the instance table, pick the instances and
 * fill @env; drop the fast modes (*@need_fast) when they were not asked for
 * by name (--mode all, --demo) and no tegra241 instance is there.
 */
void setup_open(struct bench_env *env, bool *need_fast)
{
	bool explicit_fast = opts.named_mask & MODES_FAST;
	unsigned int i;
	int rc;

	contexts_at_start = sysfs_counter("contexts");
	rc = vcmdq_open(NULL, 0, &probe_ctx);
	if (rc)
		die("open /dev/vcmdq: %s (is vcmdq.ko loaded?)", strerror(-rc));

	if (!pick_instances(*need_fast)) {
		if (*need_fast && !explicit_fast && pick_instances(false)) {
			warn("fewer than %u tegra241-cmdqv instances with fast queues: skipping fast",
			     opts.nr_instances);
			snprintf(env->unavailable[MODE_FAST],
				 sizeof(env->unavailable[MODE_FAST]),
				 "fewer than %u tegra241-cmdqv instances with fast queues",
				 opts.nr_instances);
			opts.mode_mask &= ~MODES_FAST;
			*need_fast = false;
		} else {
			die("fewer than %u instances %s (GET_INFO reports %u instances)",
			    opts.nr_instances,
			    *need_fast ? "with fast queues (tegra241-cmdqv)" :
					 "taking SMMUv3 commands",
			    vcmdq_num_instances(probe_ctx));
		}
	}
	for (i = 0; i < nr_use_inst; i++)
		if (use_inst[i].max_queue_log2size + 4 < 31 &&
		    opts.qsize > (16U << use_inst[i].max_queue_log2size) &&
		    (opts.mode_mask & MODES_FAST))
			die("--qsize %u: instance %u takes queues up to %u bytes",
			    opts.qsize, use_inst[i].id,
			    16U << use_inst[i].max_queue_log2size);
	have_test_ioctl = probe_test_ioctl(vcmdq_fd(probe_ctx));
	vcmdq_close(probe_ctx);
	probe_ctx = NULL;

	env->model_checked = have_test_ioctl && opts.verify_model;
	env->nr_inst = nr_use_inst;
	for (i = 0; i < nr_use_inst; i++) {
		env->inst_id[i] = use_inst[i].id;
		env->inst_flavor[i] = flavor_name(use_inst[i].flavor);
	}
}

/* ---- VMs, vIOMMUs, queues --------------------------------------------------- */

static struct vcmdq_viommu *viommu_create(struct vcmdq_ctx *ctx,
					  const struct vcmdq_instance *in,
					  const char *what)
{
	struct vcmdq_viommu *vi;
	int rc;

	rc = vcmdq_viommu_create(ctx, in->id, &vi);
	if (rc)
		die("vIOMMU on instance %u (%s, %s context): %s%s", in->id,
		    flavor_name(in->flavor), what, strerror(-rc),
		    rc == -ENOSPC ? " (no free vIOMMU slot: fewer --threads, --share, more --instances, or no uring mode, which takes a second slot per VM)" : "");
	return vi;
}

static struct vm_viommu *vm_viommu(struct vm *vm,
				   const struct vcmdq_instance *in)
{
	struct vm_viommu *vv;
	unsigned int i;

	for (i = 0; i < vm->nr_vi; i++)
		if (vm->vi[i].inst == in)
			return &vm->vi[i];
	vv = &vm->vi[vm->nr_vi++];
	vv->inst = in;
	vv->vi = viommu_create(vm->ctx, in, "ioctl");
	if (vm->uctx)
		vv->uvi = viommu_create(vm->uctx, in, "io_uring");
	return vv;
}

/* Return: false when io_uring is not available (the reason printed). */
static bool vm_init(struct vm *vm, unsigned int nr_queues, bool need_uring)
{
	size_t need = (size_t)nr_queues * opts.qsize;
	bool uring_ok = true;
	char *p;
	int rc;

	rc = vcmdq_open(NULL, 0, &vm->ctx);
	if (rc)
		die("open /dev/vcmdq: %s (is vcmdq.ko loaded?)", strerror(-rc));
	if (need_uring) {
		rc = vcmdq_open(NULL, VCMDQ_OPEN_URING, &vm->uctx);
		if (rc) {
			warn("vcmdq_open(VCMDQ_OPEN_URING): %s", strerror(-rc));
			vm->uctx = NULL;
			uring_ok = false;
		}
	}

	/*
	 * Guest RAM: 2 MiB aligned and THP-advised, so that a queue larger
	 * than a page is physically contiguous as QUEUE_ALLOC requires.
	 */
	vm->mem_len = opts.mem_bytes;
	if (vm->mem_len < need)
		vm->mem_len = (need + HUGE_SIZE - 1) & ~(HUGE_SIZE - 1);
	vm->mem_map_len = vm->mem_len + HUGE_SIZE;
	p = mmap(NULL, vm->mem_map_len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap of %zu bytes of guest memory: %s", vm->mem_len,
		    strerror(errno));
	vm->mem_map = p;
	vm->mem = (void *)(((uintptr_t)p + HUGE_SIZE - 1) & ~(HUGE_SIZE - 1));
	madvise(vm->mem, vm->mem_len, MADV_HUGEPAGE);	/* best effort */
	memset(vm->mem, 0, vm->mem_len);

	rc = vcmdq_mem_map(vm->ctx, 0, vm->mem, vm->mem_len,
			   VCMDQ_S2_MAP_READ | VCMDQ_S2_MAP_WRITE);
	if (rc)
		die("vcmdq_mem_map of %zu bytes at GPA 0: %s%s", vm->mem_len,
		    strerror(-rc),
		    rc == -ENOMEM ? " (RLIMIT_MEMLOCK? run as root)" : "");
	return uring_ok;
}

/*
 * Bind a queue in the VM's memory to the next index of the submitter's
 * vIOMMU and enable it, as a guest driver would: BASE, then CONFIG.EN.
 */
static void fast_setup(struct submitter *s)
{
	struct vm *vm = s->vm;
	struct vm_viommu *vv = s->vv;
	unsigned int index = vv->nr_queues;
	unsigned int log2size = __builtin_ctz(opts.qsize / ENT_SIZE);
	uint64_t gpa = (uint64_t)vm->nr_qslots * opts.qsize;
	int rc;

	if (!vcmdq_viommu_ctrl(vv->vi))
		die("instance %u has no control region", vv->inst->id);
	if (index >= vv->inst->queues_per_viommu)
		die("vIOMMU %u: queue index %u past queues_per_viommu (%u): fewer --threads or more --instances",
		    vcmdq_viommu_id(vv->vi), index,
		    vv->inst->queues_per_viommu);
	if (gpa + opts.qsize > vm->mem_len)
		die("guest memory too small for %u queues", vm->nr_qslots + 1);
	rc = vcmdq_queue_set_base(vv->vi, index, gpa, log2size);
	if (rc)
		die("vcmdq_queue_set_base(vIOMMU %u, index %u, GPA 0x%llx, %u bytes): %s%s",
		    vcmdq_viommu_id(vv->vi), index, (unsigned long long)gpa,
		    opts.qsize, strerror(-rc),
		    rc == -EFAULT ? " (queue memory is not physically contiguous: no huge page; try a smaller --qsize)" : "");
	vv->nr_queues++;
	vm->nr_qslots++;
	s->queue_index = index;
	rc = vcmdq_sq_init(vv->vi, index, &s->sq);
	if (rc)
		die("vcmdq_sq_init(vIOMMU %u, index %u): %s",
		    vcmdq_viommu_id(vv->vi), index, strerror(-rc));
	rc = vcmdq_sq_enable(&s->sq, POLL_TIMEOUT_NS / 1000);
	if (rc)
		die("vcmdq_sq_enable(vIOMMU %u, index %u): %s",
		    vcmdq_viommu_id(vv->vi), index, strerror(-rc));
	s->sq_ok = true;
}

static void floor_setup(struct submitter *s)
{
	s->floor_len = sizeof(*s->floor) + opts.qsize;
	s->floor = mmap(NULL, s->floor_len, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s->floor == MAP_FAILED)
		die("mmap of the floor queue: %s", strerror(errno));
}

void setup(struct bench_env *env, bool need_fast, bool need_uring)
{
	unsigned int i, max = 0;

	for (i = 0; i < opts.nr_batches; i++)
		if (opts.batches[i] > max)
			max = opts.batches[i];
	nr_vms = opts.share_vm ? 1 : opts.nr_threads;
	for (i = 0; i < nr_vms; i++)
		if (!vm_init(&vms[i], opts.share_vm ? opts.nr_threads : 1,
			     need_uring)) {
			if (opts.named_mask & MODE_BIT(MODE_URING))
				die("uring mode needs io_uring");
			opts.mode_mask &= ~MODE_BIT(MODE_URING);
			snprintf(env->unavailable[MODE_URING],
				 sizeof(env->unavailable[MODE_URING]),
				 "no io_uring (VCMDQ_OPEN_URING failed)");
			need_uring = false;
		}
	for (i = 0; i < opts.nr_threads; i++) {
		struct submitter *s = &subs[i];

		s->idx = i;
		s->vm = &vms[opts.share_vm ? 0 : i];
		s->vv = vm_viommu(s->vm, &use_inst[i % nr_use_inst]);
		if (need_fast)
			fast_setup(s);
		s->cmds = xcalloc(max + 1, ENT_SIZE);
		if (need_uring && opts.uring_depth > 1 && !uring_async_setup(s))
			die("uring mode with --depth %u needs io_uring",
			    opts.uring_depth);
		floor_setup(s);
	}
}

void teardown(void)
{
	unsigned int i;

	for (i = 0; i < opts.nr_threads; i++) {
		struct submitter *s = &subs[i];

		uring_async_fini(s);
		free(s->cmds);
		result_free(&s->res);
		if (s->floor)
			munmap(s->floor, s->floor_len);
	}
	/* The library destroys every object of a context, then closes it. */
	for (i = 0; i < nr_vms; i++) {
		vcmdq_close(vms[i].uctx);
		vcmdq_close(vms[i].ctx);
		munmap(vms[i].mem_map, vms[i].mem_map_len);
	}
	/*
	 * Leave only once the kernel has released every VM context we opened
	 * (io_uring may release files late), so that whoever runs next -- an
	 * rmmod, another benchmark -- finds the module as we found it.
	 */
	if (contexts_at_start >= 0) {
		uint64_t deadline = now_ns() + 5ULL * 1000 * 1000 * 1000;
		struct timespec ms = { .tv_nsec = 1000000 };
		long now;

		while ((now = sysfs_counter("contexts")) > contexts_at_start &&
		       now_ns() < deadline)
			nanosleep(&ms, NULL);
		if (now > contexts_at_start)
			warn("%ld VM contexts still open 5 s after close (leak?)",
			     now - contexts_at_start);
	}
}

/* ---- model check: does a batch really invalidate? ------------------------- */

static void test_iotlb(struct submitter *s, uint32_t op, uint32_t flags,
		       uint64_t va, uint32_t *count)
{
	bool uring = s->mode == MODE_URING;
	struct vcmdq_viommu *vi = uring ? s->vv->uvi : s->vv->vi;
	struct vcmdq_test t = {
		.size = sizeof(t),
		.op = op,
		.instance_id = s->vv->inst->id,
		.flags = flags,
		.tag = vcmdq_viommu_tag(vi),
		.asid = opts.asid,
		.start = va,
		.last = va + 4095,
	};

	if (ioctl(vcmdq_fd(uring ? s->vm->uctx : s->vm->ctx), VCMDQ_TEST, &t))
		die("VCMDQ_TEST op %u: %s", op, strerror(errno));
	if (count)
		*count = t.out_count;
}

/*
 * Put an IOTLB entry under the last TLBI's page, run one batch, and check
 * the entry is gone: the mode does invalidate, under the vIOMMU's tag.
 */
void check_model(struct submitter *s)
{
	uint64_t va = BENCH_VA + (uint64_t)(s->batch - 1) * 4096, lat;
	uint32_t count;

	test_iotlb(s, VCMDQ_TEST_IOTLB_ADD, VCMDQ_TEST_LEAF, va, NULL);
	run_batch(s, &lat);
	test_iotlb(s, VCMDQ_TEST_IOTLB_COUNT, VCMDQ_TEST_ANY_PASID, va, &count);
	if (count)
		die("%s, batch %u: the IOTLB model still holds ASID %u VA 0x%llx after the batch",
		    bench_modes[s->mode].name, s->batch, opts.asid,
		    (unsigned long long)va);
}

/* ---- --fill: other VMs' entries in the model ------------------------------ */

/*
 * One other VM: a context with a vIOMMU on each instance the submitters
 * use, whose tag owns the filler entries.  Closing it destroys the
 * vIOMMUs, and with them (the kernel drops a dead tag's entries) the fill.
 * Set up and torn down around each filled cell.
 */
static struct vm filler;

static void fill_add(const struct vcmdq_test *tmpl, unsigned long i)
{
	struct vcmdq_test t = *tmpl;

	/*
	 * 64 address spaces, the bench's own ASID among them, over the
	 * bench's own VAs: an invalidation that ignored the tag would hit
	 * them, and the count after the run would say so.
	 */
	t.asid = (opts.asid + i) % 64;
	t.start = BENCH_VA + (i / 64) * 4096;
	t.last = t.start + 4095;
	t.flags = i & 1 ? VCMDQ_TEST_LEAF : 0;
	if (ioctl(vcmdq_fd(filler.ctx), VCMDQ_TEST, &t))
		die("--fill: VCMDQ_TEST add of entry %lu on instance %u: %s%s",
		    i, t.instance_id, strerror(errno),
		    errno == ENOSPC ? " (the model is full)" : "");
}

static uint32_t fill_count(const struct vm_viommu *vv)
{
	struct vcmdq_test t = {
		.size = sizeof(t),
		.op = VCMDQ_TEST_IOTLB_COUNT,
		.instance_id = vv->inst->id,
		.flags = VCMDQ_TEST_ANY_ASID | VCMDQ_TEST_ANY_PASID,
		.tag = vcmdq_viommu_tag(vv->vi),
		.last = UINT64_MAX,
	};

	if (ioctl(vcmdq_fd(filler.ctx), VCMDQ_TEST, &t))
		die("--fill: VCMDQ_TEST count: %s", strerror(errno));
	return t.out_count;
}

/*
 * Fill each instance's IOTLB model with opts.fill entries of another VM,
 * through the test hook; teardown_fill() empties it again.  Return:
 * seconds it took.
 */
double setup_fill(void)
{
	uint64_t t0 = now_ns();
	unsigned int i;
	unsigned long k;
	int rc;

	if (!have_test_ioctl)
		die("--fill needs the module's test hook (a VCMDQ_TEST=y build): this module answers VCMDQ_TEST with ENOTTY");
	rc = vcmdq_open(NULL, 0, &filler.ctx);
	if (rc)
		die("--fill: open /dev/vcmdq: %s", strerror(-rc));
	filler.mem_len = HUGE_SIZE;
	filler.mem_map_len = HUGE_SIZE;
	filler.mem_map = mmap(NULL, HUGE_SIZE, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (filler.mem_map == MAP_FAILED)
		die("--fill: mmap: %s", strerror(errno));
	filler.mem = filler.mem_map;
	rc = vcmdq_mem_map(filler.ctx, 0, filler.mem, filler.mem_len,
			   VCMDQ_S2_MAP_READ | VCMDQ_S2_MAP_WRITE);
	if (rc)
		die("--fill: vcmdq_mem_map: %s", strerror(-rc));
	for (i = 0; i < nr_use_inst; i++) {
		struct vm_viommu *vv = vm_viommu(&filler, &use_inst[i]);
		struct vcmdq_test t = {
			.size = sizeof(t),
			.op = VCMDQ_TEST_IOTLB_ADD,
			.instance_id = use_inst[i].id,
			.tag = vcmdq_viommu_tag(vv->vi),
		};

		for (k = 0; k < opts.fill; k++)
			fill_add(&t, k);
		if (fill_count(vv) != opts.fill)
			die("--fill: instance %u holds %u entries of the filler's tag, not %lu",
			    use_inst[i].id, fill_count(vv), opts.fill);
	}
	return (now_ns() - t0) / 1e9;
}

/*
 * Check that the run left every filler entry in place (no invalidation of
 * the bench's VMs reached another VM's tag), then drop them all.
 */
void teardown_fill(void)
{
	unsigned int i;

	if (!filler.ctx)
		return;
	for (i = 0; i < filler.nr_vi; i++)
		if (fill_count(&filler.vi[i]) != opts.fill)
			die("--fill: after the run, instance %u holds %u entries of the filler's tag, not %lu: an invalidation crossed VMs",
			    filler.vi[i].inst->id, fill_count(&filler.vi[i]),
			    opts.fill);
	vcmdq_close(filler.ctx);
	munmap(filler.mem_map, filler.mem_map_len);
	memset(&filler, 0, sizeof(filler));
}
