// SPDX-License-Identifier: GPL-2.0-only
/*
 * vcmdq fail-nth sweep, after upstream iommufd_fail_nth.c.
 *
 * Every create/teardown sequence of the ABI is run again and again with
 * the n-th fault-injectable allocation of this thread failing, n = 1, 2,
 * ... until a run completes with no fault injected (the sequence has fewer
 * than n injection points).  At every n:
 *
 *  - a call that fails returns an errno the uapi header documents for it
 *    (ENOMEM; EFAULT too where the kernel can inject copy_*_user faults),
 *    and fails only because a fault was injected;
 *  - nothing half-built is visible: the IDs the call would have produced
 *    are free (DESTROY gives ENOENT), the objects it depends on can be
 *    destroyed (no leaked reference), GET_INFO's live vIOMMU count and the
 *    sysfs counters did not move;
 *  - closing the file brings live_objects, pinned_pages, contexts and this
 *    process's locked memory back to where they were;
 *  - the kernel log has no splat.
 *
 * The mechanism is /proc/self/task/<tid>/fail-nth (CONFIG_FAULT_INJECTION,
 * CONFIG_FAULT_INJECTION_DEBUG_FS, FAILSLAB, FAIL_PAGE_ALLOC): write n, run
 * the sequence, read it back: "0" means the fault fired.  Between arming
 * and disarming only the calls of the sequence run: no printf, no libc
 * allocation, every buffer prepared and faulted in beforehand.  Without
 * fault injection (Debian's stock kernel) every sweep is a SKIP, with the
 * reason.
 *
 * reply_efault covers the one failure point a sweep cannot reach without
 * FAIL_USERCOPY, the copy of the reply, on every kernel.
 */
#include <dirent.h>

#include "vcmdq_utils.h"
#include "vcmdq_fast_utils.h"
#include "vcmdq_inv_utils.h"

/*
 * A sane bound on the injection points of one sequence: the whole graph
 * has a few dozen.  A sequence that keeps finding new points past this is
 * a runaway loop (a retry that allocates forever), not a long sequence.
 */
#define SWEEP_MAX_POINTS	400U

/* Guest memory of each VM: queues, completion stores. */
#define MEM_PAGES		8
#define GPA_QUEUE(i)		(GPA_BASE + (__u64)(i) * PAGE_SIZE)
#define GPA_STORE		(GPA_BASE + 4 * PAGE_SIZE)

/* Slow path batch: over invalidate.c's 256-byte stack buffer, one page at most. */
#define INV_ENTRIES		32U

static bool have_fault_injection;
static bool have_fail_usercopy;
static char fi_why[256];

/* ---- fault injection set-up ---------------------------------------------- */

static int writeat(int dfd, const char *fn, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd;

	fd = openat(dfd, fn, O_WRONLY);
	if (fd < 0)
		return -1;
	n = write(fd, val, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

/*
 * Make every allocation injectable, as iommufd_fail_nth.c does: sleeping
 * ones too (ignore-gfp-wait), every page order, and no log line per
 * injected fault (verbose = 0; a stack dump would fail the VM run).  It
 * does not restore the settings: the VM is thrown away.
 */
static void __attribute__((constructor)) setup_fault_injection(void)
{
	char path[64];
	struct dirent *dent;
	DIR *debugfs;

	snprintf(path, sizeof(path), "/proc/self/task/%ld/fail-nth",
		 (long)syscall(SYS_gettid));
	if (access(path, R_OK | W_OK)) {
		snprintf(fi_why, sizeof(fi_why),
			 "%s: %s: the kernel has no CONFIG_FAULT_INJECTION",
			 path, strerror(errno));
		return;
	}
	debugfs = opendir("/sys/kernel/debug/");
	if (!debugfs) {
		snprintf(fi_why, sizeof(fi_why),
			 "/sys/kernel/debug: %s (mount debugfs)",
			 strerror(errno));
		return;
	}
	if (writeat(dirfd(debugfs), "failslab/ignore-gfp-wait", "N") ||
	    writeat(dirfd(debugfs), "fail_page_alloc/ignore-gfp-wait", "N") ||
	    writeat(dirfd(debugfs), "fail_page_alloc/ignore-gfp-highmem", "N") ||
	    writeat(dirfd(debugfs), "fail_page_alloc/min-order", "0")) {
		snprintf(fi_why, sizeof(fi_why),
			 "/sys/kernel/debug/{failslab,fail_page_alloc}: %s (needs FAILSLAB, FAIL_PAGE_ALLOC, FAULT_INJECTION_DEBUG_FS)",
			 strerror(errno));
		closedir(debugfs);
		return;
	}
	while ((dent = readdir(debugfs))) {
		char fn[300];

		if (strncmp(dent->d_name, "fail", 4))
			continue;
		snprintf(fn, sizeof(fn), "%s/verbose", dent->d_name);
		writeat(dirfd(debugfs), fn, "0");
		/* copy_{to,from}_user can fail too: EFAULT is then injected. */
		if (!strcmp(dent->d_name, "fail_usercopy"))
			have_fail_usercopy = true;
	}
	closedir(debugfs);
	have_fault_injection = true;
}

/* ---- fail-nth ----------------------------------------------------------- */

struct nth {
	int fd;			/* /proc/self/task/<tid>/fail-nth */
	unsigned int n;		/* the allocation to fail; 0: none */
	char arm[16];		/* n in decimal, prepared before arming */
	size_t arm_len;
	bool armed;		/* the write of n went through */
	bool fired;		/* the fault was injected */
};

static void nth_open(struct __test_metadata *_metadata, struct nth *f)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%ld/fail-nth",
		 (long)syscall(SYS_gettid));
	f->fd = open(path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, f->fd) TH_LOG("open %s: %s", path, strerror(errno));
}

/* Nothing but a write(2) of a prepared string: safe inside a sequence. */
static void nth_arm(struct nth *f)
{
	f->fired = false;
	f->armed = !f->n ||
		   pwrite(f->fd, f->arm, f->arm_len, 0) == (ssize_t)f->arm_len;
}

/*
 * Read fail-nth back and disable it.  Reading and writing the file can
 * themselves take the injected fault (a copy_to_user under fail_usercopy):
 * then the fault fired after the sequence, which counts as "did not fire"
 * (iommufd_fail_nth.c's fail_nth_next()).
 */
static void nth_disarm(struct __test_metadata *_metadata, struct nth *f)
{
	static const char disable[] = "0";
	char buf[32] = "";
	ssize_t res, res2;

	if (!f->n)
		return;
	res = pread(f->fd, buf, sizeof(buf), 0);
	if (res == -1 && errno == EFAULT) {
		memcpy(buf, "1\n", 2);
		res = 2;
	}
	res2 = pwrite(f->fd, disable, sizeof(disable) - 1, 0);
	if (res2 == -1 && errno == EFAULT) {
		res2 = pwrite(f->fd, disable, sizeof(disable) - 1, 0);
		memcpy(buf, "1\n", 2);
	}
	ASSERT_TRUE(f->armed) TH_LOG("writing %u to fail-nth failed", f->n);
	ASSERT_EQ((ssize_t)sizeof(disable) - 1, res2);
	ASSERT_LT(1, res);
	f->fired = res == 2 && buf[0] == '0' && buf[1] == '\n';
}

/* ---- the kernel log ------------------------------------------------------ */

/* /dev/kmsg opened at the end of the log, so only new records are read. */
static int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/*
 * The first splat line logged since the last call, in @line; false when
 * there is none (or no /dev/kmsg: the VM runner scans the log anyway).
 */
static bool kmsg_splat(int fd, char *line, size_t len)
{
	static const char *const pat[] = { "BUG:", "WARNING:", "KASAN",
					   "refcount_t", "Call Trace",
					   "circular locking" };
	char rec[2048];
	bool found = false;
	unsigned int i;
	ssize_t n;

	if (fd < 0)
		return false;
	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)	/* overwritten: go on */
			continue;
		if (n <= 0)
			break;
		rec[n] = 0;
		for (i = 0; i < sizeof(pat) / sizeof(pat[0]) && !found; i++) {
			if (strstr(rec, pat[i])) {
				snprintf(line, len, "%.400s", rec);
				found = true;
			}
		}
	}
	return found;
}

/* ---- the sweep ----------------------------------------------------------- */

struct sweep;
typedef void (*pass_fn)(struct __test_metadata *_metadata, struct sweep *s);

/*
 * One sequence being swept.  A pass opens its own file, builds what the
 * sequence needs (not armed), arms, runs the sequence, disarms, checks,
 * destroys what it built and closes the file; the sweep then checks that
 * the counters and VmPin are back.
 */
struct sweep {
	const char *name;
	struct nth nth;
	int kmsg;
	unsigned int failed;	/* passes whose sequence failed */
	/* Set by pass 0 (no fault): what a successful sequence produces. */
	__u32 ids[16];
	/* The test's context. */
	void *self;
	__u32 inst;		/* instance under test, for per-instance sweeps */
	__u32 data_type;	/* slow path data type under test */
	unsigned int index;	/* queue index under test */
	struct io_uring *ring;	/* the io_uring sweep's ring */
	/*
	 * The sequence allocates nothing in the module, so no injected
	 * fault need fail it.  Otherwise at least one must: a sweep that
	 * never reached the module's own allocation proves nothing.
	 */
	bool may_not_fail;
};

static void sweep_run(struct __test_metadata *_metadata, struct sweep *s,
		      pass_fn pass)
{
	struct vcmdq_counters base, now;
	char line[512];
	long lck_base;

	for (s->nth.n = 0;; s->nth.n++) {
		ASSERT_GT(SWEEP_MAX_POINTS, s->nth.n)
			TH_LOG("%s: more than %u injection points: a runaway loop?",
			       s->name, SWEEP_MAX_POINTS);
		s->nth.arm_len = snprintf(s->nth.arm, sizeof(s->nth.arm), "%u",
					  s->nth.n);
		s->nth.fired = false;
		vcmdq_read_counters(&base);
		ASSERT_COUNTERS_READ(&base);
		lck_base = vm_pinned_bytes();

		pass(_metadata, s);

		vcmdq_read_counters(&now);
		if (memcmp(&base, &now, sizeof(now)))
			TH_LOG("%s, fail-nth %u: counters not back after close",
			       s->name, s->nth.n);
		EXPECT_COUNTERS_EQ(&base, &now);
		EXPECT_EQ(lck_base, vm_pinned_bytes())
			TH_LOG("%s, fail-nth %u: VmPin not back after close",
			       s->name, s->nth.n);
		if (kmsg_splat(s->kmsg, line, sizeof(line)))
			ASSERT_TRUE(false)
				TH_LOG("%s, fail-nth %u: kernel log: %s",
				       s->name, s->nth.n, line);
		if (!_metadata->passed)
			ASSERT_TRUE(false)
				TH_LOG("%s: stopped at fail-nth %u", s->name,
				       s->nth.n);
		if (s->nth.n && !s->nth.fired)
			break;
	}
	printf("# %s: %u injection points, %u of them fail the sequence\n",
	       s->name, s->nth.n - 1, s->failed);
	fflush(stdout);
	if (!s->may_not_fail)
		ASSERT_LT(0U, s->failed)
			TH_LOG("%s: no injected fault failed the sequence: the sweep missed the module's allocations",
			       s->name);
}

/*
 * After a call of the sequence returned @rc (errno @err): it succeeded
 * (possibly with an injected fault absorbed), or it failed because of the
 * injected fault with ENOMEM, or EFAULT when copy_*_user faults can be
 * injected.  Return: whether it succeeded.
 */
static bool call_ok(struct __test_metadata *_metadata, struct sweep *s,
		    const char *call, int rc, int err)
{
	if (!rc)
		return true;
	ASSERT_NE(0U, s->nth.n)
		TH_LOG("%s: %s failed with no fault armed: %s", s->name, call,
		       strerror(err));
	ASSERT_TRUE(s->nth.fired)
		TH_LOG("%s: %s failed at fail-nth %u but no fault fired: %s",
		       s->name, call, s->nth.n, strerror(err));
	ASSERT_TRUE(err == ENOMEM || (err == EFAULT && have_fail_usercopy))
		TH_LOG("%s: %s at fail-nth %u: %s, not a documented errno for an allocation failure",
		       s->name, call, s->nth.n, strerror(err));
	s->failed++;
	return false;
}

/* ---- the VM a pass builds ------------------------------------------------ */

struct vmctx {
	int fd;
	__u32 s2;
	__u32 viommu;
	__u32 tag;
	__u64 off, len;
	void *ctrl;
	__u32 queue[2];
	__u32 slow_viommu;
	__u32 vdev;
	__u32 eventq;
	int efd;
};

FIXTURE(fail_nth)
{
	int fd;			/* a file for GET_INFO, open all along */
	struct vcmdq_instance_info info[VCMDQ_MAX_INSTANCES];
	int ninst;
	__u32 fast;		/* first tegra241-cmdqv instance, or 0 */
	__u32 slow;		/* first slow-path-only instance, or 0 */
	void *mem;		/* MEM_PAGES of guest RAM, faulted in */
	/* A device for VDEVICE_ALLOC: its instance, its ownership proof. */
	__u32 dev_inst;
	__u32 dev_pci;
	int vfio_fd;
	char dev_why[256];
	struct sweep s;
};

FIXTURE_SETUP(fail_nth)
{
	struct pdev devs[8];
	int i, nd;

	self->fd = -1;
	self->vfio_fd = -1;
	self->s.nth.fd = -1;
	self->s.kmsg = -1;
	self->fd = vcmdq_open_dev();
	ASSERT_LE(0, self->fd)
		TH_LOG("open %s: %s (is vcmdq.ko loaded?)", VCMDQ_DEV,
		       strerror(errno));
	self->ninst = vcmdq_instances(self->fd, self->info);
	ASSERT_LT(0, self->ninst);
	for (i = 0; i < self->ninst; i++) {
		const struct vcmdq_instance_info *in = &self->info[i];

		if (!self->fast && (in->caps & VCMDQ_INSTANCE_CAP_FAST_QUEUES))
			self->fast = in->id;
		if (!self->slow && !(in->caps & VCMDQ_INSTANCE_CAP_FAST_QUEUES))
			self->slow = in->id;
	}
	self->mem = alloc_pages(MEM_PAGES, PROT_READ | PROT_WRITE, true);
	ASSERT_NE(NULL, self->mem);

	/* The first device the module parameter gives an instance we have. */
	snprintf(self->dev_why, sizeof(self->dev_why),
		 "the devices module parameter names no device");
	nd = param_devices(0, devs, 8);
	for (i = 0; i < nd; i++) {
		/*
		 * Prefer a device behind another instance than the fast one,
		 * so the whole graph holds it in its second vIOMMU.
		 */
		if (self->dev_inst && devs[i].inst == self->fast)
			continue;
		if (self->dev_inst && self->vfio_fd >= 0)
			close(self->vfio_fd);
		self->vfio_fd = -1;
		if (device_claim(devs[i].bdf, &self->vfio_fd, self->dev_why,
				 sizeof(self->dev_why)))
			continue;
		self->dev_inst = devs[i].inst;
		self->dev_pci = devs[i].pci;
		if (self->dev_inst != self->fast)
			break;
	}

	/* Without it the sweeps SKIP, with the reason; reply_efault runs. */
	if (have_fault_injection)
		nth_open(_metadata, &self->s.nth);
	self->s.kmsg = kmsg_open();
	self->s.self = self;
}

FIXTURE_TEARDOWN(fail_nth)
{
	/* An ASSERT may have ended a pass while armed. */
	if (self->s.nth.fd >= 0) {
		if (pwrite(self->s.nth.fd, "0", 1, 0) != 1)
			TH_LOG("disarming fail-nth: %s", strerror(errno));
		close(self->s.nth.fd);
	}
	if (self->s.kmsg >= 0)
		close(self->s.kmsg);
	if (self->vfio_fd >= 0)
		close(self->vfio_fd);
	if (self->mem)
		munmap(self->mem, MEM_PAGES * PAGE_SIZE);
	if (self->fd >= 0)
		close(self->fd);
}

#define SELF(s) ((FIXTURE_DATA(fail_nth) *)(s)->self)

/*
 * A sweep repeats its sequence for every injection point, each time on a
 * fresh file, on a KASAN + lockdep kernel: far longer than the harness's
 * default 30 s.  The harness runs the body after a SKIP in the setup, so
 * the body checks again.
 */
#define SWEEP_TIMEOUT_S		600

#define FAIL_NTH_TEST(name)                                                \
	static void sweep_##name(struct __test_metadata *_metadata,        \
				 FIXTURE_DATA(fail_nth) *self);            \
	TEST_F_TIMEOUT(fail_nth, name, SWEEP_TIMEOUT_S)                    \
	{                                                                  \
		if (!have_fault_injection)                                 \
			SKIP(return, "%s", fi_why);                        \
		sweep_##name(_metadata, self);                             \
	}                                                                  \
	static void sweep_##name(struct __test_metadata *_metadata,        \
				 FIXTURE_DATA(fail_nth) *self)

static void vm_open(struct __test_metadata *_metadata, struct vmctx *vm)
{
	memset(vm, 0, sizeof(*vm));
	vm->efd = -1;
	vm->fd = vcmdq_open_dev();
	ASSERT_LE(0, vm->fd) TH_LOG("open: %s", strerror(errno));
}

/* The pieces of a VM, built unarmed before the call under test. */
static void vm_s2(struct __test_metadata *_metadata, struct sweep *s,
		  struct vmctx *vm, bool map)
{
	ASSERT_EQ(0, _test_cmd_s2_alloc(vm->fd, 0, &vm->s2));
	if (map)
		ASSERT_EQ(0, _test_cmd_s2_map(vm->fd, vm->s2, VCMDQ_S2_MAP_RW,
					      GPA_BASE, SELF(s)->mem,
					      MEM_PAGES * PAGE_SIZE));
}

static void vm_viommu(struct __test_metadata *_metadata, struct vmctx *vm,
		      __u32 inst)
{
	ASSERT_EQ(0, _test_cmd_viommu_alloc(vm->fd, inst, vm->s2, 0,
					    &vm->viommu, &vm->tag, &vm->off,
					    &vm->len))
		TH_LOG("VIOMMU_ALLOC on instance %u: %s", inst,
		       strerror(errno));
}

static void vm_mmap(struct __test_metadata *_metadata, struct vmctx *vm)
{
	vm->ctrl = mmap(NULL, vm->len, PROT_READ | PROT_WRITE, MAP_SHARED,
			vm->fd, vm->off);
	ASSERT_NE(MAP_FAILED, vm->ctrl) TH_LOG("mmap: %s", strerror(errno));
}

/* DESTROY @id, which must exist and be unused. */
#define DESTROY_OK(vm, id)                                                 \
	ASSERT_EQ(0, _test_ioctl_destroy((vm)->fd, id))                    \
		TH_LOG("%s, fail-nth %u: DESTROY %u: %s", s->name,         \
		       s->nth.n, (unsigned int)(id), strerror(errno))

/* @id must name nothing: the failed call left no half-built object. */
#define ID_FREE(vm, id)                                                    \
	do {                                                               \
		ASSERT_NE(0U, id);                                         \
		ASSERT_EQ(-1, _test_ioctl_destroy((vm)->fd, id))           \
			TH_LOG("%s, fail-nth %u: ID %u exists after the failure", \
			       s->name, s->nth.n, (unsigned int)(id));     \
		ASSERT_EQ(ENOENT, errno);                                  \
	} while (0)

/*
 * After pass 0, the IDs of the sequence are known: on failure the same IDs
 * must be free, on success the same IDs must have been given.
 */
static void expect_id(struct __test_metadata *_metadata, struct sweep *s,
		      unsigned int slot, __u32 id)
{
	if (!s->nth.n)
		s->ids[slot] = id;
	ASSERT_EQ(s->ids[slot], id);
}

static void vm_close(struct __test_metadata *_metadata, struct vmctx *vm)
{
	if (vm->ctrl)
		ASSERT_EQ(0, munmap(vm->ctrl, vm->len));
	vm->ctrl = NULL;
	if (vm->efd >= 0)
		close(vm->efd);
	vm->efd = -1;
	if (vm->fd >= 0)
		ASSERT_EQ(0, close(vm->fd));
	vm->fd = -1;
}

/* ---- open, S2_ALLOC, S2_MAP, S2_UNMAP ------------------------------------- */

/* A failed open leaves no context behind (the sweep checks contexts). */
static void pass_open(struct __test_metadata *_metadata, struct sweep *s)
{
	int fd, err;

	nth_arm(&s->nth);
	fd = vcmdq_open_dev();
	err = errno;
	nth_disarm(_metadata, &s->nth);
	if (call_ok(_metadata, s, "open", fd < 0 ? -1 : 0, err))
		ASSERT_EQ(0, close(fd));
}

FAIL_NTH_TEST(open)
{
	self->s.name = "open";
	sweep_run(_metadata, &self->s, pass_open);
}

/*
 * GET_OBJECTS allocates its snapshot: a failure is ENOMEM with nothing
 * written, and the objects are untouched.
 */
static void pass_get_objects(struct __test_metadata *_metadata,
			     struct sweep *s)
{
	struct vcmdq_object_info objs[2];
	struct vcmdq_get_objects cmd = {
		.size = sizeof(cmd),
		.entry_len = sizeof(objs[0]),
		.num_objects = 2,
		.objects_uptr = (uintptr_t)objs,
	};
	long live = live_objects();
	struct vmctx vm;
	int rc, err;

	vm_open(_metadata, &vm);
	vm_s2(_metadata, s, &vm, false);
	memset(objs, 0xa5, sizeof(objs));
	nth_arm(&s->nth);
	rc = ioctl(vm.fd, VCMDQ_GET_OBJECTS, &cmd);
	err = errno;
	nth_disarm(_metadata, &s->nth);
	if (call_ok(_metadata, s, "GET_OBJECTS", rc, err)) {
		ASSERT_EQ(1U, cmd.num_objects);
		ASSERT_EQ(vm.s2, objs[0].id);
	} else {
		ASSERT_EQ(2U, cmd.num_objects);
		ASSERT_EQ(0xa5a5a5a5U, objs[0].id);
	}
	ASSERT_EQ(live + 1, live_objects());
	DESTROY_OK(&vm, vm.s2);
	vm_close(_metadata, &vm);
}

FAIL_NTH_TEST(get_objects)
{
	self->s.name = "GET_OBJECTS";
	sweep_run(_metadata, &self->s, pass_get_objects);
}

static void pass_s2_alloc(struct __test_metadata *_metadata, struct sweep *s)
{
	long live = live_objects();
	struct vmctx vm;
	__u32 id = 0;
	int rc, err;

	vm_open(_metadata, &vm);
	nth_arm(&s->nth);
	rc = _test_cmd_s2_alloc(vm.fd, 0, &id);
	err = errno;
	nth_disarm(_metadata, &s->nth);
	if (call_ok(_metadata, s, "S2_ALLOC", rc, err)) {
		expect_id(_metadata, s, 0, id);
		ASSERT_EQ(live + 1, live_objects());
		DESTROY_OK(&vm, id);
	} else {
		ID_FREE(&vm, s->ids[0]);
		ASSERT_EQ(live, live_objects());
	}
	vm_close(_metadata, &vm);
}

FAIL_NTH_TEST(s2_alloc)
{
	self->s.name = "S2_ALLOC";
	sweep_run(_metadata, &self->s, pass_s2_alloc);
}

/*
 * S2_MAP pins and charges: on failure nothing is pinned or charged and the
 * range is not mapped; on success both are.  The RLIMIT_MEMLOCK charge is
 * the user's (not visible per process); the pins show in the mapping
 * process's VmPin (mm->pinned_vm).
 */
static void s2_map_pass(struct __test_metadata *_metadata, struct sweep *s,
			bool fault_in)
{
	size_t len = MEM_PAGES * PAGE_SIZE;
	long pinned = pinned_pages(), lck = vm_pinned_bytes();
	struct vmctx vm;
	int rc, err;
	void *mem;

	mem = fault_in ? alloc_pages(MEM_PAGES, PROT_READ | PROT_WRITE, false) :
			 SELF(s)->mem;
	ASSERT_NE(NULL, mem);
	vm_open(_metadata, &vm);
	vm_s2(_metadata, s, &vm, false);
	nth_arm(&s->nth);
	rc = _test_cmd_s2_map(vm.fd, vm.s2, VCMDQ_S2_MAP_RW, GPA_BASE, mem,
			      len);
	err = errno;
	nth_disarm(_metadata, &s->nth);
	if (call_ok(_metadata, s, "S2_MAP", rc, err)) {
		ASSERT_EQ(pinned + MEM_PAGES, pinned_pages());
		ASSERT_EQ(lck + (long)len, vm_pinned_bytes());
		ASSERT_EQ(0, _test_cmd_s2_unmap(vm.fd, vm.s2, GPA_BASE, len,
						NULL));
	} else {
		ASSERT_EQ(pinned, pinned_pages());
		ASSERT_EQ(lck, vm_pinned_bytes());
		/* Nothing is mapped: the same map works, unarmed. */
		ASSERT_EQ(-1, _test_cmd_s2_unmap(vm.fd, vm.s2, GPA_BASE, len,
						 NULL));
		ASSERT_EQ(ENOENT, errno);
		ASSERT_EQ(0, _test_cmd_s2_map(vm.fd, vm.s2, VCMDQ_S2_MAP_RW,
					      GPA_BASE, mem, len));
	}
	DESTROY_OK(&vm, vm.s2);
	ASSERT_EQ(pinned, pinned_pages());
	vm_close(_metadata, &vm);
	if (fault_in)
		munmap(mem, len);
}

static void pass_s2_map(struct __test_metadata *_metadata, struct sweep *s)
{
	s2_map_pass(_metadata, s, false);
}

static void pass_s2_map_fault_in(struct __test_metadata *_metadata,
				 struct sweep *s)
{
	s2_map_pass(_metadata, s, true);
}

FAIL_NTH_TEST(s2_map)
{
	self->s.name = "S2_MAP";
	sweep_run(_metadata, &self->s, pass_s2_map);
}

/* The pages are not faulted in yet: pinning allocates them. */
FAIL_NTH_TEST(s2_map_fault_in)
{
	self->s.name = "S2_MAP (memory not faulted in)";
	sweep_run(_metadata, &self->s, pass_s2_map_fault_in);
}

static void pass_s2_unmap(struct __test_metadata *_metadata, struct sweep *s)
{
	size_t len = MEM_PAGES * PAGE_SIZE;
	long pinned = pinned_pages();
	__u64 unmapped = 0;
	struct vmctx vm;
	int rc, err;

	vm_open(_metadata, &vm);
	vm_s2(_metadata, s, &vm, true);
	nth_arm(&s->nth);
	rc = _test_cmd_s2_unmap(vm.fd, vm.s2, GPA_BASE, len, &unmapped);
	err = errno;
	nth_disarm(_metadata, &s->nth);
	if (call_ok(_metadata, s, "S2_UNMAP", rc, err)) {
		ASSERT_EQ(len, unmapped);
		ASSERT_EQ(pinned, pinned_pages());
	} else {
		/* Only out_unmapped can fail (EFAULT): the unmap happened. */
		ASSERT_EQ(EFAULT, err);
		ASSERT_EQ(pinned, pinned_pages());
	}
	DESTROY_OK(&vm, vm.s2);
	vm_close(_metadata, &vm);
}

FAIL_NTH_TEST(s2_unmap)
{
	self->s.name = "S2_UNMAP";
	self->s.may_not_fail = true;
	sweep_run(_metadata, &self->s, pass_s2_unmap);
}

/* ---- VIOMMU_ALLOC on each instance, mmap of the control region ------------ */

static void pass_viommu_alloc(struct __test_metadata *_metadata,
			      struct sweep *s)
{
	long viommus = vcmdq_live_viommus(SELF(s)->fd, s->inst);
	struct vmctx vm;
	int rc, err;
	long live;

	vm_open(_metadata, &vm);
	vm_s2(_metadata, s, &vm, false);
	live = live_objects();
	nth_arm(&s->nth);
	rc = _test_cmd_viommu_alloc(vm.fd, s->inst, vm.s2, 0, &vm.viommu,
				    &vm.tag, &vm.off, &vm.len);
	err = errno;
	nth_disarm(_metadata, &s->nth);
	if (call_ok(_metadata, s, "VIOMMU_ALLOC", rc, err)) {
		expect_id(_metadata, s, 0, vm.viommu);
		ASSERT_EQ(viommus + 1, vcmdq_live_viommus(SELF(s)->fd, s->inst));
		ASSERT_EQ(live + 1, live_objects());
		DESTROY_OK(&vm, vm.viommu);
	} else {
		ID_FREE(&vm, s->ids[0]);
		ASSERT_EQ(viommus, vcmdq_live_viommus(SELF(s)->fd, s->inst));
		ASSERT_EQ(live, live_objects());
	}
	ASSERT_EQ(viommus, vcmdq_live_viommus(SELF(s)->fd, s->inst));
	/* The S2 is not held by anything left behind. */
	DESTROY_OK(&vm, vm.s2);
	vm_close(_metadata, &vm);
}

FAIL_NTH_TEST(viommu_alloc)
{
	char names[VCMDQ_MAX_INSTANCES][48];
	int i;

	for (i = 0; i < self->ninst; i++) {
		snprintf(names[i], sizeof(names[i]), "VIOMMU_ALLOC(%u: %s)",
			 self->info[i].id,
			 vcmdq_flavor_name(self->info[i].flavor));
		self->s.name = names[i];
		self->s.inst = self->info[i].id;
		self->s.failed = 0;
		sweep_run(_metadata, &self->s, pass_viommu_alloc);
	}
}

#define REQUIRE_FAST(self)                                                 \
	do {                                                               \
		if (!(self)->fast)                                         \
			SKIP(return, "no tegra241-cmdqv instance (module parameter instances)"); \
	} while (0)

/* A failed mmap leaves no hold on the vIOMMU: DESTROY works at once. */
static void pass_mmap(struct __test_metadata *_metadata, struct sweep *s)
{
	struct vmctx vm;
	void *p;
	int err;

	vm_open(_metadata, &vm);
	vm_s2(_metadata, s, &vm, false);
	vm_viommu(_metadata, &vm, SELF(s)->fast);
	nth_arm(&s->nth);
	p = mmap(NULL, vm.len, PROT_READ | PROT_WRITE, MAP_SHARED, vm.fd,
		 vm.off);
	err = errno;
	nth_disarm(_metadata, &s->nth);
	if (call_ok(_metadata, s, "mmap", p == MAP_FAILED ? -1 : 0, err)) {
		/* Mapped means held. */
		ASSERT_EQ(-1, _test_ioctl_destroy(vm.fd, vm.viommu));
		ASSERT_EQ(EBUSY, errno);
		ASSERT_EQ(0, munmap(p, vm.len));
	}
	DESTROY_OK(&vm, vm.viommu);
	DESTROY_OK(&vm, vm.s2);
	vm_close(_metadata, &vm);
}

FAIL_NTH_TEST(mmap)
{
	REQUIRE_FAST(self);
	self->s.name = "mmap of the control region";
	sweep_run(_metadata, &self->s, pass_mmap);
}

/* ---- QUEUE_ALLOC, index 0 and index 1 -------------------------------------- */

static void pass_queue_alloc(struct __test_metadata *_metadata,
			     struct sweep *s)
{
	unsigned int index = s->index;
	long live = live_objects();
	struct vmctx vm;
	__u32 id = 0;
	int rc, err;

	vm_open(_metadata, &vm);
	vm_s2(_metadata, s, &vm, true);
	vm_viommu(_metadata, &vm, SELF(s)->fast);
	if (index)
		ASSERT_EQ(0, _test_cmd_queue_alloc(vm.fd, vm.viommu, 0,
						   GPA_QUEUE(0), PAGE_SIZE, 0,
						   &vm.queue[0]));
	live = live_objects();
	nth_arm(&s->nth);
	rc = _test_cmd_queue_alloc(vm.fd, vm.viommu, index, GPA_QUEUE(index),
				   PAGE_SIZE, 0, &id);
	err = errno;
	nth_disarm(_metadata, &s->nth);
	if (call_ok(_metadata, s, "QUEUE_ALLOC", rc, err)) {
		expect_id(_metadata, s, 0, id);
		ASSERT_EQ(live + 1, live_objects());
		/* It holds its memory. */
		ASSERT_EQ(-1, _test_cmd_s2_unmap(vm.fd, vm.s2, GPA_BASE,
						 MEM_PAGES * PAGE_SIZE, NULL));
		ASSERT_EQ(EBUSY, errno);
		DESTROY_OK(&vm, id);
	} else {
		ID_FREE(&vm, s->ids[0]);
		ASSERT_EQ(live, live_objects());
	}
	if (index)
		DESTROY_OK(&vm, vm.queue[0]);
	/* No hold left on the memory, the vIOMMU or the S2. */
	ASSERT_EQ(0, _test_cmd_s2_unmap(vm.fd, vm.s2, GPA_BASE,
					MEM_PAGES * PAGE_SIZE, NULL));
	DESTROY_OK(&vm, vm.viommu);
	DESTROY_OK(&vm, vm.s2);
	vm_close(_metadata, &vm);
}

FAIL_NTH_TEST(queue_alloc)
{
	REQUIRE_FAST(self);
	self->s.name = "QUEUE_ALLOC(index 0)";
	self->s.index = 0;
	sweep_run(_metadata, &self->s, pass_queue_alloc);
}

FAIL_NTH_TEST(queue_alloc_index1)
{
	REQUIRE_FAST(self);
	self->s.name = "QUEUE_ALLOC(index 1)";
	self->s.index = 1;
	sweep_run(_metadata, &self->s, pass_queue_alloc);
}

/* ---- VDEVICE_ALLOC ------------------------------------------------------- */

static void pass_vdevice_alloc(struct __test_metadata *_metadata,
			       struct sweep *s)
{
	FIXTURE_DATA(fail_nth) *self = SELF(s);
	long live;
	struct vmctx vm;
	__u32 id = 0;
	int rc, err;

	vm_open(_metadata, &vm);
	vm_s2(_metadata, s, &vm, false);
	vm_viommu(_metadata, &vm, self->dev_inst);
	live = live_objects();
	nth_arm(&s->nth);
	rc = _test_cmd_vdevice_alloc(vm.fd, vm.viommu, self->vfio_fd,
				     self->dev_pci, 0x10, &id, NULL);
	err = errno;
	nth_disarm(_metadata, &s->nth);
	if (call_ok(_metadata, s, "VDEVICE_ALLOC", rc, err)) {
		expect_id(_metadata, s, 0, id);
		ASSERT_EQ(live + 1, live_objects());
	} else {
		ID_FREE(&vm, s->ids[0]);
		ASSERT_EQ(live, live_objects());
		/*
		 * The device is not left claimed (system-wide) nor the
		 * virtual ID taken: the same call works now.
		 */
		ASSERT_EQ(0, _test_cmd_vdevice_alloc(vm.fd, vm.viommu,
						     self->vfio_fd,
						     self->dev_pci, 0x10, &id,
						     NULL))
			TH_LOG("VDEVICE_ALLOC after the failure: %s",
			       strerror(errno));
	}
	DESTROY_OK(&vm, id);
	DESTROY_OK(&vm, vm.viommu);
	DESTROY_OK(&vm, vm.s2);
	vm_close(_metadata, &vm);
}

FAIL_NTH_TEST(vdevice_alloc)
{
	if (!self->dev_inst)
		SKIP(return, "no device for VDEVICE_ALLOC: %s", self->dev_why);
	self->s.name = self->vfio_fd >= 0 ?
			       "VDEVICE_ALLOC(VFIO group proof)" :
			       "VDEVICE_ALLOC(no IOMMU group, CAP_SYS_ADMIN)";
	sweep_run(_metadata, &self->s, pass_vdevice_alloc);
}

/* ---- EVENTQ_ALLOC, and an event read ---------------------------------------- */

/* The lowest free fd number: where a leaked event fd would sit. */
static int lowest_free_fd(void)
{
	int fd = open("/dev/null", O_RDONLY), ret = fd;

	if (fd >= 0)
		close(fd);
	return ret;
}

static void pass_eventq_alloc(struct __test_metadata *_metadata,
			      struct sweep *s)
{
	struct vmctx vm;
	int rc, err, free_fd;
	long live;

	vm_open(_metadata, &vm);
	vm_s2(_metadata, s, &vm, false);
	vm_viommu(_metadata, &vm, SELF(s)->fast ? SELF(s)->fast : 1);
	live = live_objects();
	free_fd = lowest_free_fd();
	nth_arm(&s->nth);
	rc = _test_cmd_eventq_alloc(vm.fd, vm.viommu, 8, 0, &vm.eventq,
				    &vm.efd);
	err = errno;
	nth_disarm(_metadata, &s->nth);
	if (call_ok(_metadata, s, "EVENTQ_ALLOC", rc, err)) {
		expect_id(_metadata, s, 0, vm.eventq);
		ASSERT_EQ(free_fd, vm.efd);
		ASSERT_EQ(live + 1, live_objects());
	} else {
		vm.efd = -1;
		ID_FREE(&vm, s->ids[0]);
		ASSERT_EQ(live, live_objects());
		/* No fd leaked, and the vIOMMU has no event queue. */
		ASSERT_EQ(free_fd, lowest_free_fd());
		ASSERT_EQ(0, _test_cmd_eventq_alloc(vm.fd, vm.viommu, 8, 0,
						    &vm.eventq, &vm.efd))
			TH_LOG("EVENTQ_ALLOC after the failure: %s",
			       strerror(errno));
	}
	DESTROY_OK(&vm, vm.eventq);
	DESTROY_OK(&vm, vm.viommu);
	DESTROY_OK(&vm, vm.s2);
	vm_close(_metadata, &vm);
}

FAIL_NTH_TEST(eventq_alloc)
{
	self->s.name = "EVENTQ_ALLOC";
	sweep_run(_metadata, &self->s, pass_eventq_alloc);
}

/*
 * The whole event path under injection: EVENTQ_ALLOC, an illegal command
 * on an enabled fast queue (the engine stops the queue and raises the
 * event), poll and read of the event fd.
 */
static void pass_event_read(struct __test_metadata *_metadata,
			    struct sweep *s)
{
	struct cmd bad = cmd_cfgi_ste(0x100, true);
	int rc, err, wait_rc = 0, poll_rc = 0;
	struct event_rec rec = {};
	struct pollfd pfd;
	ssize_t got = 0;
	struct vmctx vm;
	struct gq q;

	vm_open(_metadata, &vm);
	vm_s2(_metadata, s, &vm, true);
	vm_viommu(_metadata, &vm, SELF(s)->fast);
	vm_mmap(_metadata, &vm);
	ASSERT_EQ(0, _test_cmd_queue_alloc(vm.fd, vm.viommu, 0, GPA_QUEUE(0),
					   PAGE_SIZE, 0, &vm.queue[0]));
	gq_init(&q, vm.ctrl, 0, SELF(s)->mem, __builtin_ctz(PAGE_SIZE / 16),
		vm.fd, vm.viommu);
	ASSERT_EQ(0, gq_hw_init(&q));
	gq_put(&q, bad);
	memset(&pfd, 0, sizeof(pfd));

	nth_arm(&s->nth);
	rc = _test_cmd_eventq_alloc(vm.fd, vm.viommu, 8, 0, &vm.eventq,
				    &vm.efd);
	err = errno;
	if (!rc) {
		gq_publish(&q);
		wait_rc = gq_wait_past(&q, 0);
		pfd.fd = vm.efd;
		pfd.events = POLLIN;
		poll_rc = poll(&pfd, 1, 2000);
		if (poll_rc == 1)
			got = read(vm.efd, &rec, sizeof(rec));
		if (poll_rc < 0 || got < 0)
			err = errno;
	}
	nth_disarm(_metadata, &s->nth);

	if (call_ok(_metadata, s, "EVENTQ_ALLOC", rc, err)) {
		/* The engine stopped the queue at the illegal entry. */
		ASSERT_EQ(-EIO, wait_rc);
		ASSERT_NE(0, poll_rc) TH_LOG("no event within 2 s");
		if (poll_rc < 0)
			call_ok(_metadata, s, "poll", -1, err);
		else if (got != sizeof(rec))
			ASSERT_FALSE(call_ok(_metadata, s, "read", -1, err))
				TH_LOG("read returned %zd", got);
		if (got == sizeof(rec)) {
			ASSERT_EQ((__u32)VCMDQ_CERROR_ILL, rec.err.error);
			ASSERT_EQ(0U, rec.err.cons);
			ASSERT_EQ(bad.w[0], rec.err.cmd[0]);
		}
		DESTROY_OK(&vm, vm.eventq);
	} else {
		vm.efd = -1;
	}
	DESTROY_OK(&vm, vm.queue[0]);
	ASSERT_EQ(0, munmap(vm.ctrl, vm.len));
	vm.ctrl = NULL;
	DESTROY_OK(&vm, vm.viommu);
	DESTROY_OK(&vm, vm.s2);
	vm_close(_metadata, &vm);
}

FAIL_NTH_TEST(event_read)
{
	REQUIRE_FAST(self);
	self->s.name = "EVENTQ_ALLOC + illegal command + read";
	sweep_run(_metadata, &self->s, pass_event_read);
}

/* ---- INVALIDATE with completion stores, over ioctl and io_uring ------------- */

/* A batch that clears the VM's address space 1..n-1 and ends in a store. */
static void inv_batch(__u32 type, void *buf, __u32 *entry_len, __u64 data)
{
	struct inv_cmd cmds[INV_ENTRIES];
	unsigned int i;

	for (i = 0; i < INV_ENTRIES - 1; i++) {
		switch (type) {
		case VCMDQ_DATA_SMMUV3:
			cmds[i] = smmu_nh_asid(0, i + 1);
			break;
		case VCMDQ_DATA_AMD_VI:
			cmds[i] = amd_inv_pages(i + 1, 0, false, true, true,
						AMD_ALL_PAGES);
			break;
		default:
			cmds[i] = vtd_iotlb(VTD_IOTLB_DOMAIN, i + 1, 0, 0,
					    false);
			break;
		}
	}
	switch (type) {
	case VCMDQ_DATA_SMMUV3:
		cmds[i] = smmu_sync(SMMU_SYNC_CS_IRQ, (__u32)data, GPA_STORE);
		break;
	case VCMDQ_DATA_AMD_VI:
		cmds[i] = amd_compl_wait(true, false, false, GPA_STORE, data);
		break;
	default:
		cmds[i] = vtd_iwd(true, false, false, (__u32)data, GPA_STORE);
		break;
	}
	*entry_len = 16;
	inv_pack(buf, cmds, INV_ENTRIES, 16, 16);
}

/* The first instance taking @type (and only the slow path, if any does). */
static __u32 inst_of_type(FIXTURE_DATA(fail_nth) *self, __u32 type)
{
	__u32 id = 0;
	int i;

	for (i = 0; i < self->ninst; i++) {
		if (!(self->info[i].data_types & (1U << type)))
			continue;
		if (!id || !(self->info[i].caps & VCMDQ_INSTANCE_CAP_FAST_QUEUES))
			id = self->info[i].id;
	}
	return id;
}

static volatile __u32 *store_word(struct sweep *s)
{
	return (volatile __u32 *)((char *)SELF(s)->mem +
				  (GPA_STORE - GPA_BASE));
}

/*
 * The request struct lives in memory faulted in before arming: a page
 * fault inside the call could take the injected fault and turn it into an
 * EFAULT the sequence did not cause.
 */
static void inv_prepare(struct sweep *s, struct vmctx *vm,
			struct vcmdq_invalidate *req, void *buf)
{
	__u32 entry_len;

	inv_batch(s->data_type, buf, &entry_len, 0x5a5a5a5a);
	*req = (struct vcmdq_invalidate){
		.size = sizeof(*req),
		.viommu_id = vm->viommu,
		.data_type = s->data_type,
		.entry_len = entry_len,
		.entry_num = INV_ENTRIES,
		.data_uptr = (uintptr_t)buf,
	};
	*store_word(s) = 0;
}

/*
 * Success: the whole batch ran and its store landed.  Failure: the batch
 * was refused before any entry ran (the copy-in is what allocates).
 */
static void inv_check(struct __test_metadata *_metadata, struct sweep *s,
		      const char *call, int rc, int err,
		      const struct vcmdq_invalidate *req)
{
	if (call_ok(_metadata, s, call, rc, err)) {
		ASSERT_EQ(INV_ENTRIES, req->entry_num);
		ASSERT_EQ(0x5a5a5a5aU, *store_word(s));
	} else {
		ASSERT_EQ(0U, req->entry_num);
		ASSERT_EQ(0U, *store_word(s));
	}
}

static void pass_invalidate(struct __test_metadata *_metadata,
			    struct sweep *s)
{
	__u8 buf[INV_ENTRIES * 16];
	struct vcmdq_invalidate req;
	struct vmctx vm;
	int rc, err;

	vm_open(_metadata, &vm);
	vm_s2(_metadata, s, &vm, true);
	vm_viommu(_metadata, &vm, s->inst);
	inv_prepare(s, &vm, &req, buf);
	nth_arm(&s->nth);
	rc = ioctl(vm.fd, VCMDQ_INVALIDATE, &req);
	err = errno;
	nth_disarm(_metadata, &s->nth);
	inv_check(_metadata, s, "INVALIDATE", rc, err, &req);
	DESTROY_OK(&vm, vm.viommu);
	DESTROY_OK(&vm, vm.s2);
	vm_close(_metadata, &vm);
}

static const __u32 inv_types[] = { VCMDQ_DATA_SMMUV3, VCMDQ_DATA_AMD_VI,
				   VCMDQ_DATA_VTD };

static void sweep_types(struct __test_metadata *_metadata,
			FIXTURE_DATA(fail_nth) *self, const char *what,
			pass_fn pass)
{
	char names[3][64];
	unsigned int i, done = 0;

	for (i = 0; i < 3; i++) {
		self->s.inst = inst_of_type(self, inv_types[i]);
		if (!self->s.inst)
			continue;
		snprintf(names[i], sizeof(names[i]), "%s(%s, instance %u)",
			 what, inv_data_type_name(inv_types[i]), self->s.inst);
		self->s.name = names[i];
		self->s.data_type = inv_types[i];
		self->s.failed = 0;
		sweep_run(_metadata, &self->s, pass);
		done++;
	}
	if (!done)
		SKIP(return, "no instance takes a slow path data type");
}

FAIL_NTH_TEST(invalidate)
{
	sweep_types(_metadata, self, "INVALIDATE", pass_invalidate);
}

/*
 * io_uring: what is armed is the submission and the reaping.  One ring
 * serves the whole sweep: pass 0 fills its request cache, so later passes
 * allocate only in the module and each n lands on the same allocation (a
 * fresh ring per pass allocates a batch of requests, with a kmemleak
 * object each, whose count varies and can hide the module's own
 * allocation from the sweep).  io_uring_enter() itself may still fail,
 * with EAGAIN when it could not allocate a single request
 * (io_submit_sqes()) or ENOMEM when it could not set up the task's
 * io_uring context; the request is then never read.
 */
static void pass_uring(struct __test_metadata *_metadata, struct sweep *s)
{
	__u8 buf[INV_ENTRIES * 16];
	struct vcmdq_invalidate req;
	struct io_uring_sqe *sqe;
	struct io_uring *ring = s->ring;
	struct io_uring_cqe *cqe;
	int submitted, res = 0, wait_rc = 0;
	struct vmctx vm;

	vm_open(_metadata, &vm);
	vm_s2(_metadata, s, &vm, true);
	vm_viommu(_metadata, &vm, s->inst);
	inv_prepare(s, &vm, &req, buf);
	sqe = io_uring_get_sqe(ring);
	ASSERT_NE(NULL, sqe);
	uring_prep_invalidate(sqe, vm.fd, &req, VCMDQ_INVALIDATE, 0, 0x5eed);

	nth_arm(&s->nth);
	submitted = io_uring_submit(ring);
	if (submitted == 1) {
		wait_rc = io_uring_wait_cqe(ring, &cqe);
		if (!wait_rc) {
			res = cqe->res;
			io_uring_cqe_seen(ring, cqe);
		}
	}
	nth_disarm(_metadata, &s->nth);

	if (submitted != 1) {
		ASSERT_TRUE(submitted == -EAGAIN || submitted == -ENOMEM)
			TH_LOG("io_uring_submit: %d", submitted);
		ASSERT_TRUE(s->nth.fired);
		s->failed++;
		ASSERT_EQ(INV_ENTRIES, req.entry_num);	/* never read */
		ASSERT_EQ(0U, *store_word(s));
	} else {
		ASSERT_EQ(0, wait_rc);
		inv_check(_metadata, s, "IORING_OP_URING_CMD(INVALIDATE)",
			  res ? -1 : 0, -res, &req);
	}
	DESTROY_OK(&vm, vm.viommu);
	DESTROY_OK(&vm, vm.s2);
	vm_close(_metadata, &vm);
}

FAIL_NTH_TEST(uring_invalidate)
{
	struct io_uring ring;

	ASSERT_EQ(0, io_uring_queue_init(8, &ring, 0));
	self->s.ring = &ring;
	sweep_types(_metadata, self, "io_uring INVALIDATE", pass_uring);
	io_uring_queue_exit(&ring);
}

/* ---- the whole graph: built under injection, closed under injection ---- */

enum graph_step {
	G_S2_ALLOC,
	G_S2_MAP,
	G_VIOMMU,
	G_MMAP,
	G_QUEUE0,
	G_QUEUE1,
	G_EVENTQ,
	G_SLOW_VIOMMU,
	G_VDEVICE,
	G_INVALIDATE,
	G_NR,
};

static const char *const graph_step_name[G_NR] = {
	"S2_ALLOC", "S2_MAP", "VIOMMU_ALLOC", "mmap", "QUEUE_ALLOC(0)",
	"QUEUE_ALLOC(1)", "EVENTQ_ALLOC", "VIOMMU_ALLOC(slow)",
	"VDEVICE_ALLOC", "INVALIDATE",
};

/* Does step @st create an object (with an ID)? */
static bool graph_step_object(enum graph_step st)
{
	return st != G_S2_MAP && st != G_MMAP && st != G_INVALIDATE;
}

/*
 * The graph's second vIOMMU, the one INVALIDATE goes through: on the
 * device's instance when that is not the fast one, else on a slow path
 * instance (a VM has one vIOMMU per instance).
 */
static __u32 graph_slow_inst(FIXTURE_DATA(fail_nth) *self)
{
	return self->dev_inst && self->dev_inst != self->fast ? self->dev_inst :
								 self->slow;
}

static bool graph_has_vdevice(FIXTURE_DATA(fail_nth) *self)
{
	return self->dev_inst &&
	       (self->dev_inst == self->fast ||
		self->dev_inst == graph_slow_inst(self));
}

/*
 * Build a VM with one of everything, step by step, stopping at the first
 * failure.  Nothing here may print or allocate in libc: it runs armed.
 * Return: the number of steps done (G_NR when all), *err the errno of the
 * failed one.
 */
static unsigned int graph_build(FIXTURE_DATA(fail_nth) *self,
				struct vmctx *vm, struct vcmdq_invalidate *req,
				__u32 *ids, int *err)
{
	__u32 slow = graph_slow_inst(self);
	unsigned int st;
	void *p;
	int rc = 0;

	for (st = 0; st < G_NR && !rc; st++) {
		__u32 id = 0;

		switch (st) {
		case G_S2_ALLOC:
			rc = _test_cmd_s2_alloc(vm->fd, 0, &vm->s2);
			id = vm->s2;
			break;
		case G_S2_MAP:
			rc = _test_cmd_s2_map(vm->fd, vm->s2, VCMDQ_S2_MAP_RW,
					      GPA_BASE, self->mem,
					      MEM_PAGES * PAGE_SIZE);
			break;
		case G_VIOMMU:
			rc = _test_cmd_viommu_alloc(vm->fd, self->fast, vm->s2,
						    0, &vm->viommu, &vm->tag,
						    &vm->off, &vm->len);
			id = vm->viommu;
			break;
		case G_MMAP:
			p = mmap(NULL, vm->len, PROT_READ | PROT_WRITE,
				 MAP_SHARED, vm->fd, vm->off);
			if (p == MAP_FAILED)
				rc = -1;
			else
				vm->ctrl = p;
			break;
		case G_QUEUE0:
		case G_QUEUE1:
			rc = _test_cmd_queue_alloc(vm->fd, vm->viommu,
						   st - G_QUEUE0,
						   GPA_QUEUE(st - G_QUEUE0),
						   PAGE_SIZE, 0,
						   &vm->queue[st - G_QUEUE0]);
			id = vm->queue[st - G_QUEUE0];
			break;
		case G_EVENTQ:
			rc = _test_cmd_eventq_alloc(vm->fd, vm->viommu, 8, 0,
						    &vm->eventq, &vm->efd);
			id = vm->eventq;
			break;
		case G_SLOW_VIOMMU:
			rc = _test_cmd_viommu_alloc(vm->fd, slow, vm->s2, 0,
						    &vm->slow_viommu, NULL,
						    NULL, NULL);
			id = vm->slow_viommu;
			break;
		case G_VDEVICE:
			if (!graph_has_vdevice(self))
				break;	/* nothing to do, no ID */
			rc = _test_cmd_vdevice_alloc(vm->fd,
						     self->dev_inst == slow ?
						     vm->slow_viommu :
						     vm->viommu,
						     self->vfio_fd,
						     self->dev_pci, 0x10,
						     &vm->vdev, NULL);
			id = vm->vdev;
			break;
		case G_INVALIDATE:
			req->viommu_id = vm->slow_viommu;
			rc = ioctl(vm->fd, VCMDQ_INVALIDATE, req);
			break;
		}
		if (rc) {
			*err = errno;
			return st;
		}
		ids[st] = id;
	}
	return G_NR;
}

static void graph_prepare(struct sweep *s, struct vmctx *vm,
			  struct vcmdq_invalidate *req, void *buf)
{
	__u32 slow = graph_slow_inst(SELF(s));
	int i;

	for (i = 0; i < SELF(s)->ninst - 1; i++)
		if (SELF(s)->info[i].id == slow)
			break;
	for (s->data_type = VCMDQ_DATA_SMMUV3; s->data_type <= VCMDQ_DATA_VTD;
	     s->data_type++)
		if (SELF(s)->info[i].data_types & (1U << s->data_type))
			break;
	inv_prepare(s, vm, req, buf);
}

static void pass_graph_build(struct __test_metadata *_metadata,
			     struct sweep *s)
{
	FIXTURE_DATA(fail_nth) *self = SELF(s);
	__u8 buf[INV_ENTRIES * 16];
	struct vcmdq_invalidate req;
	__u32 ids[G_NR] = {};
	long live = live_objects(), objs = 0;
	unsigned int done, st;
	struct vmctx vm;
	int err = 0;

	vm_open(_metadata, &vm);
	graph_prepare(s, &vm, &req, buf);
	nth_arm(&s->nth);
	done = graph_build(self, &vm, &req, ids, &err);
	nth_disarm(_metadata, &s->nth);

	if (done < G_NR)
		call_ok(_metadata, s, graph_step_name[done], -1, err);
	for (st = 0; st < G_NR; st++) {
		if (!graph_step_object(st))
			continue;
		if (st == G_VDEVICE && !graph_has_vdevice(self))
			continue;
		if (st < done) {
			expect_id(_metadata, s, st, ids[st]);
			objs++;
		} else if (s->nth.n) {
			ID_FREE(&vm, s->ids[st]);
		}
	}
	ASSERT_EQ(live + objs, live_objects());
	if (done == G_NR) {
		ASSERT_EQ(INV_ENTRIES, req.entry_num);
		ASSERT_EQ(0x5a5a5a5aU, *store_word(s));
	}
	/* Close takes down whatever was built; the sweep checks the counters. */
	vm_close(_metadata, &vm);
}

#define REQUIRE_GRAPH(self)                                                \
	do {                                                               \
		REQUIRE_FAST(self);                                        \
		if (!graph_slow_inst(self))                                \
			SKIP(return, "no second instance for the graph");  \
	} while (0)

FAIL_NTH_TEST(graph_build)
{
	REQUIRE_GRAPH(self);
	self->s.name = "the whole graph, built";
	sweep_run(_metadata, &self->s, pass_graph_build);
}

/*
 * Closing the file, the event fd and the control region mapping (last, so
 * the final release of the file runs from munmap) with everything alive.
 * Nothing of it may fail; everything must be returned.
 */
static void pass_graph_close(struct __test_metadata *_metadata,
			     struct sweep *s)
{
	__u8 buf[INV_ENTRIES * 16];
	struct vcmdq_invalidate req;
	__u32 ids[G_NR] = {};
	long pinned = pinned_pages(), lck = vm_pinned_bytes();
	int rc_efd, rc_fd, rc_unmap, err = 0;
	struct vmctx vm;

	vm_open(_metadata, &vm);
	graph_prepare(s, &vm, &req, buf);
	ASSERT_EQ((unsigned int)G_NR, graph_build(SELF(s), &vm, &req, ids, &err))
		TH_LOG("building the graph: %s", strerror(err));
	ASSERT_LT(pinned, pinned_pages());

	nth_arm(&s->nth);
	rc_efd = close(vm.efd);
	rc_fd = close(vm.fd);
	rc_unmap = munmap(vm.ctrl, vm.len);
	err = errno;
	nth_disarm(_metadata, &s->nth);
	ASSERT_EQ(0, rc_efd);
	ASSERT_EQ(0, rc_fd);
	vm.efd = vm.fd = -1;
	/*
	 * munmap() itself may fail to allocate (the maple tree): the mapping
	 * and with it the file are then still there, and go unarmed.
	 */
	if (!call_ok(_metadata, s, "munmap", rc_unmap, err))
		ASSERT_EQ(0, munmap(vm.ctrl, vm.len));
	vm.ctrl = NULL;
	ASSERT_EQ(pinned, pinned_pages());
	ASSERT_EQ(lck, vm_pinned_bytes());
}

FAIL_NTH_TEST(graph_close)
{
	REQUIRE_GRAPH(self);
	self->s.name = "close with the whole graph alive";
	/* Only munmap() may fail, and only in mm's own allocations. */
	self->s.may_not_fail = true;
	sweep_run(_metadata, &self->s, pass_graph_close);
}

/*
 * Taking the graph down object by object, leaves first: DESTROY never
 * fails on an unused object, and S2_UNMAP gives the pins and the charge
 * back, whatever allocation fails meanwhile.
 */
static void pass_graph_destroy(struct __test_metadata *_metadata,
			       struct sweep *s)
{
	FIXTURE_DATA(fail_nth) *self = SELF(s);
	__u8 buf[INV_ENTRIES * 16];
	struct vcmdq_invalidate req;
	__u32 ids[G_NR] = {}, order[8];
	long pinned = pinned_pages(), lck = vm_pinned_bytes();
	int rc[8], rc_unmap, rc_s2_unmap, err = 0, err_unmap = 0;
	unsigned int i, n = 0;
	struct vmctx vm;

	vm_open(_metadata, &vm);
	graph_prepare(s, &vm, &req, buf);
	ASSERT_EQ((unsigned int)G_NR, graph_build(self, &vm, &req, ids, &err))
		TH_LOG("building the graph: %s", strerror(err));
	if (graph_has_vdevice(self))
		order[n++] = vm.vdev;
	order[n++] = vm.slow_viommu;
	order[n++] = vm.eventq;
	order[n++] = vm.queue[1];
	order[n++] = vm.queue[0];
	ASSERT_EQ(0, close(vm.efd));
	vm.efd = -1;

	nth_arm(&s->nth);
	for (i = 0; i < n; i++)
		rc[i] = _test_ioctl_destroy(vm.fd, order[i]);
	rc_unmap = munmap(vm.ctrl, vm.len);
	err_unmap = errno;
	rc[n] = _test_ioctl_destroy(vm.fd, vm.viommu);
	rc_s2_unmap = _test_cmd_s2_unmap(vm.fd, vm.s2, GPA_BASE,
					 MEM_PAGES * PAGE_SIZE, NULL);
	rc[n + 1] = _test_ioctl_destroy(vm.fd, vm.s2);
	nth_disarm(_metadata, &s->nth);

	for (i = 0; i < n; i++)
		ASSERT_EQ(0, rc[i]) TH_LOG("DESTROY %u", order[i]);
	ASSERT_EQ(0, rc_s2_unmap);
	if (call_ok(_metadata, s, "munmap", rc_unmap, err_unmap)) {
		ASSERT_EQ(0, rc[n]) TH_LOG("DESTROY of the vIOMMU");
		ASSERT_EQ(0, rc[n + 1]) TH_LOG("DESTROY of the S2");
	} else {
		/*
		 * Still mapped, so the vIOMMU is held and holds the S2: both
		 * EBUSY; then unarmed.
		 */
		ASSERT_EQ(-1, rc[n]);
		ASSERT_EQ(-1, rc[n + 1]);
		ASSERT_EQ(0, munmap(vm.ctrl, vm.len));
		DESTROY_OK(&vm, vm.viommu);
		DESTROY_OK(&vm, vm.s2);
	}
	vm.ctrl = NULL;
	ASSERT_EQ(pinned, pinned_pages());
	ASSERT_EQ(lck, vm_pinned_bytes());
	vm_close(_metadata, &vm);
}

FAIL_NTH_TEST(graph_destroy)
{
	REQUIRE_GRAPH(self);
	self->s.name = "the whole graph, destroyed leaves first";
	/* Only munmap() may fail, and only in mm's own allocations. */
	self->s.may_not_fail = true;
	sweep_run(_metadata, &self->s, pass_graph_destroy);
}

/* ---- the reply copy fails: every ALLOC undone, on any kernel ------------- */

/*
 * Every ALLOC ioctl builds its object and then copies the outputs back;
 * when that copy faults the call fails with EFAULT and the object is
 * aborted (vcmdq_object_abort_and_destroy()).  That is the last failure
 * point of each create sequence, which fail-nth reaches only on a kernel
 * with FAIL_USERCOPY; a struct in a read-only page reaches it on any
 * kernel, so this test runs (and does not SKIP) everywhere.
 */
/*
 * ioctl(@req) with @len bytes of @cmd in a read-only page: it must fail
 * with EFAULT, leave @next_id free and live_objects where it was.
 */
static void reply_fault(struct __test_metadata *_metadata, struct sweep *s,
			struct vmctx *vm, void *page, unsigned long req,
			const void *cmd, size_t len, __u32 next_id)
{
	long live = live_objects();

	ASSERT_EQ(0, mprotect(page, PAGE_SIZE, PROT_READ | PROT_WRITE));
	memcpy(page, cmd, len);
	ASSERT_EQ(0, mprotect(page, PAGE_SIZE, PROT_READ));
	ASSERT_EQ(-1, ioctl(vm->fd, req, page))
		TH_LOG("%s: succeeded with a read-only reply", s->name);
	ASSERT_EQ(EFAULT, errno) TH_LOG("%s: %s", s->name, strerror(errno));
	ASSERT_EQ(live, live_objects()) TH_LOG("%s", s->name);
	ID_FREE(vm, next_id);
}

TEST_F_TIMEOUT(fail_nth, reply_efault, SWEEP_TIMEOUT_S)
{
	struct sweep *s = &self->s;
	struct vcmdq_counters base, now;
	long lck = vm_pinned_bytes();
	__u32 next = 1;		/* the ID the next object gets */
	struct vmctx vm;
	int i, free_fd;
	void *page;

	vcmdq_read_counters(&base);
	ASSERT_COUNTERS_READ(&base);
	page = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, page);
	vm_open(_metadata, &vm);

	s->name = "S2_ALLOC";
	{
		struct vcmdq_s2_alloc c = { .size = sizeof(c) };

		reply_fault(_metadata, s, &vm, page, VCMDQ_S2_ALLOC, &c,
			    sizeof(c), next);
	}
	vm_s2(_metadata, s, &vm, true);
	next++;

	/* Each instance's tag and slot are given back. */
	s->name = "VIOMMU_ALLOC";
	for (i = 0; i < self->ninst; i++) {
		struct vcmdq_viommu_alloc c = {
			.size = sizeof(c),
			.instance_id = self->info[i].id,
			.s2_id = vm.s2,
		};
		long viommus = vcmdq_live_viommus(self->fd, c.instance_id);

		reply_fault(_metadata, s, &vm, page, VCMDQ_VIOMMU_ALLOC, &c,
			    sizeof(c), next);
		ASSERT_EQ(viommus, vcmdq_live_viommus(self->fd, c.instance_id));
	}

	if (self->fast) {
		vm_viommu(_metadata, &vm, self->fast);
		next++;
		/* The index, the S2 hold and the vIOMMU hold are given back. */
		s->name = "QUEUE_ALLOC";
		for (i = 0; i < 2; i++) {
			struct vcmdq_queue_alloc c = {
				.size = sizeof(c),
				.viommu_id = vm.viommu,
				.index = i,
				.gpa = GPA_QUEUE(i),
				.length = PAGE_SIZE,
			};

			reply_fault(_metadata, s, &vm, page, VCMDQ_QUEUE_ALLOC,
				    &c, sizeof(c), next);
			ASSERT_EQ(0, _test_cmd_queue_alloc(vm.fd, vm.viommu, i,
							   GPA_QUEUE(i),
							   PAGE_SIZE, 0,
							   &vm.queue[i]));
			next++;
		}
		/* No fd, no event queue is left on the vIOMMU. */
		s->name = "EVENTQ_ALLOC";
		{
			struct vcmdq_eventq_alloc c = {
				.size = sizeof(c),
				.viommu_id = vm.viommu,
				.depth = 8,
			};

			free_fd = lowest_free_fd();
			reply_fault(_metadata, s, &vm, page,
				    VCMDQ_EVENTQ_ALLOC, &c, sizeof(c), next);
			ASSERT_EQ(free_fd, lowest_free_fd());
			ASSERT_EQ(0, _test_cmd_eventq_alloc(vm.fd, vm.viommu, 8,
							    0, &vm.eventq,
							    &vm.efd));
			next++;
		}
	}

	/* The device is not left claimed, nor its virtual ID taken. */
	if (self->dev_inst) {
		struct vcmdq_vdevice_alloc c = {
			.size = sizeof(c),
			.viommu_id = vm.viommu,
			.vfio_fd = self->vfio_fd,
			.pci_device = self->dev_pci,
			.virt_id = 0x10,
		};

		if (self->dev_inst != self->fast) {
			ASSERT_EQ(0, _test_cmd_viommu_alloc(vm.fd,
							    self->dev_inst,
							    vm.s2, 0,
							    &vm.slow_viommu,
							    NULL, NULL, NULL));
			c.viommu_id = vm.slow_viommu;
			next++;
		}
		s->name = "VDEVICE_ALLOC";
		reply_fault(_metadata, s, &vm, page, VCMDQ_VDEVICE_ALLOC, &c,
			    sizeof(c), next);
		ASSERT_EQ(0, _test_cmd_vdevice_alloc(vm.fd, c.viommu_id,
						     self->vfio_fd,
						     self->dev_pci, 0x10,
						     &vm.vdev, NULL))
			TH_LOG("VDEVICE_ALLOC after the failed reply: %s",
			       strerror(errno));
	}

	/* What was built after the failures is whole: close takes it down. */
	vm_close(_metadata, &vm);
	munmap(page, PAGE_SIZE);
	vcmdq_read_counters(&now);
	EXPECT_COUNTERS_EQ(&base, &now);
	EXPECT_EQ(lck, vm_pinned_bytes());
}

TEST_HARNESS_MAIN
