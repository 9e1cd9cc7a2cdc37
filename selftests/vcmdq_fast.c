// SPDX-License-Identifier: GPL-2.0-only
/*
 * vcmdq fast path selftests: guest-owned command queues (QUEUE_ALLOC), the
 * mmapped control region (Tegra241 VINTF page0), the emulated CMDQV engine,
 * vDEVICEs (vSID -> pSID), event queues and KICK, checked against
 * uapi/linux/vcmdq.h errno by errno, and the engine's behaviour checked
 * against the instance's cache model (the VCMDQ_TEST ioctl): what each
 * command removed, and what it must not have touched.
 *
 * The queues are driven the way the hardware's guest driver drives them
 * (vcmdq_fast_utils.h: struct gq): entries written little-endian into
 * guest memory, one release store of PROD, CONS polled with acquire until
 * it passes the CMD_SYNC (CS = NONE), CONS.ERR and GERROR/GERRORN on errors.
 *
 * Run as root inside the test VM with a module built with VCMDQ_TEST=y and
 * the parameters tools/check passes (devices=...).  Both VM configurations
 * of `make check` run this: vDEVICE tests take the VFIO group path where
 * the devices have IOMMU groups ("iommu") and the CAP_SYS_ADMIN path where
 * they have none ("no-iommu"), and skip the other with a reason.
 *
 * Written for the Linux 6.1 kselftest_harness.h, like vcmdq.c: a SKIP() in
 * FIXTURE_SETUP does not stop the test body (tests check what they need),
 * an ASSERT in FIXTURE_TEARDOWN loops (teardown only EXPECTs), and an
 * EXPECT is not a single statement (braces in if/for).  Threads never
 * ASSERT: they record results for the main thread to check.
 */
#define _GNU_SOURCE	/* mremap(), before any system header */
#include <pthread.h>
#include <sys/wait.h>

#include "vcmdq_fast_utils.h"

#pragma GCC diagnostic ignored "-Wsign-compare"

/* Guest RAM of each VM: RAM_PAGES pages at GPA_BASE, one S2 mapping. */
#define RAM_PAGES	32
#define GPA(n)		(GPA_BASE + (__u64)(n) * PAGE_SIZE)
/* Where tests make mappings of their own. */
#define GPA_EXTRA	(GPA_BASE + (1ULL << 30))
#define GPA_HUGE	(GPA_BASE + (2ULL << 30))

#define MAX_MAPS	32
#define MAX_FDS		32

/*
 * engine_poll_us: the module's default, need_wakeup_kick's far timer, and
 * timer_poll_latency's period (the default before the doorbell).
 */
#define DEFAULT_POLL_US		10000
#define TIMER_POLL_US		1000
#define NEED_WAKEUP_POLL_US	(20 * 1000 * 1000)

/* Long enough to be sure the engine would have acted (it polls every 1 ms). */
#define NEGATIVE_WAIT_US	(100 * 1000)

/* One VM: a file of /dev/vcmdq, its S2 and its guest RAM. */
struct vm {
	int fd;
	__u32 s2_id;
	__u8 *ram;
};

/* A vIOMMU and its mapped control region. */
struct fv {
	struct vm *vm;
	__u32 inst;
	__u32 id;
	__u32 tag;
	__u64 off;
	__u64 len;
	void *ctrl;
};

FIXTURE(fast)
{
	int fd;				/* vm[0].fd */
	struct vm vm[2];
	struct vcmdq_counters base;
	int num_instances;
	struct vcmdq_instance_info info[VCMDQ_MAX_INSTANCES];
	struct vcmdq_instance_info tq[2];	/* tegra241-cmdqv instances */
	int ntq;
	struct pdev pdevs[16];
	int npdevs;
	struct {
		void *addr;
		size_t len;
	} maps[MAX_MAPS];
	int fds[MAX_FDS];
	long poll_us, spin_us;		/* module parameters at setup */
	long engine_cpu;		/* the same */
	int queue_contiguous;		/* the same, bools */
	int doorbell;
	long hybrid_us;			/* engine_hybrid_us at setup */
	long hugepages;			/* nr_hugepages to restore, or -1 */
};

/* ---- fixture helpers ----------------------------------------------------- */

static void track_map(struct __test_metadata *_metadata,
		      FIXTURE_DATA(fast) *self, void *addr, size_t len)
{
	int i;

	for (i = 0; i < MAX_MAPS; i++) {
		if (!self->maps[i].addr) {
			self->maps[i].addr = addr;
			self->maps[i].len = len;
			return;
		}
	}
	ASSERT_TRUE(false) TH_LOG("more than %d mappings", MAX_MAPS);
}

/* @addr was unmapped by the test itself. */
static void untrack_map(FIXTURE_DATA(fast) *self, void *addr)
{
	int i;

	for (i = 0; i < MAX_MAPS; i++)
		if (self->maps[i].addr == addr)
			self->maps[i].addr = NULL;
}

/* munmap() a tracked mapping (whole). */
static int unmap_tracked(FIXTURE_DATA(fast) *self, void *addr)
{
	int i;

	for (i = 0; i < MAX_MAPS; i++) {
		if (self->maps[i].addr == addr) {
			self->maps[i].addr = NULL;
			return munmap(addr, self->maps[i].len);
		}
	}
	return -1;
}

static void track_fd(struct __test_metadata *_metadata,
		     FIXTURE_DATA(fast) *self, int fd)
{
	int i;

	for (i = 0; i < MAX_FDS; i++) {
		if (self->fds[i] < 0) {
			self->fds[i] = fd;
			return;
		}
	}
	ASSERT_TRUE(false) TH_LOG("more than %d fds", MAX_FDS);
}

static void close_tracked(FIXTURE_DATA(fast) *self, int fd)
{
	int i;

	for (i = 0; i < MAX_FDS; i++) {
		if (self->fds[i] == fd) {
			self->fds[i] = -1;
			close(fd);
		}
	}
}

/* Open VM @i (file, S2, guest RAM mapped at GPA_BASE) if not yet open. */
static struct vm *vm_get(struct __test_metadata *_metadata,
			 FIXTURE_DATA(fast) *self, int i)
{
	struct vm *vm = &self->vm[i];

	if (vm->fd >= 0)
		return vm;
	vm->fd = vcmdq_open_dev();
	ASSERT_LE(0, vm->fd) TH_LOG("open %s: %s", VCMDQ_DEV, strerror(errno));
	ASSERT_EQ(0, _test_cmd_s2_alloc(vm->fd, 0, &vm->s2_id));
	vm->ram = alloc_pages(RAM_PAGES, PROT_READ | PROT_WRITE, true);
	ASSERT_NE(NULL, vm->ram);
	memset(vm->ram, 0, RAM_PAGES * PAGE_SIZE);
	track_map(_metadata, self, vm->ram, RAM_PAGES * PAGE_SIZE);
	ASSERT_EQ(0, _test_cmd_s2_map(vm->fd, vm->s2_id, VCMDQ_S2_MAP_RW,
				      GPA_BASE, vm->ram,
				      RAM_PAGES * PAGE_SIZE));
	return vm;
}

/* Close VM @i: its file (all its objects go), its RAM stays mapped. */
static void vm_close(FIXTURE_DATA(fast) *self, int i)
{
	if (self->vm[i].fd >= 0)
		close(self->vm[i].fd);
	self->vm[i].fd = -1;
	if (!i)
		self->fd = -1;
}

static void *ram_va(struct vm *vm, __u64 gpa)
{
	return vm->ram + (gpa - GPA_BASE);
}

/* A vIOMMU of VM @vm on instance @inst, its control region mapped. */
static void fv_alloc(struct __test_metadata *_metadata,
		     FIXTURE_DATA(fast) *self, struct vm *vm, __u32 inst,
		     struct fv *v)
{
	memset(v, 0, sizeof(*v));
	v->vm = vm;
	v->inst = inst;
	ASSERT_EQ(0, _test_cmd_viommu_alloc(vm->fd, inst, vm->s2_id, 0, &v->id,
					    &v->tag, &v->off, &v->len))
		TH_LOG("VIOMMU_ALLOC on instance %u: %s", inst, strerror(errno));
	ASSERT_EQ(VCMDQ_CTRL_SIZE, v->len);
	v->ctrl = mmap(NULL, v->len, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vm->fd, v->off);
	ASSERT_NE(MAP_FAILED, v->ctrl) TH_LOG("mmap: %s", strerror(errno));
	track_map(_metadata, self, v->ctrl, v->len);
}

/*
 * QUEUE_ALLOC of 1 << @log2size entries at @gpa (in @vm's RAM, or @va
 * when given), and its guest driver view in @q.
 */
static __u32 fq_alloc_va(struct __test_metadata *_metadata, struct fv *v,
			 __u32 index, __u64 gpa, void *va,
			 unsigned int log2size, struct gq *q)
{
	__u32 qid = 0;

	ASSERT_EQ(0, _test_cmd_queue_alloc(v->vm->fd, v->id, index, gpa,
					   CMDQ_ENT_SIZE << log2size, 0, &qid))
		TH_LOG("QUEUE_ALLOC index %u gpa %#llx log2size %u: %s", index,
		       (unsigned long long)gpa, log2size, strerror(errno));
	ASSERT_NE(0, qid);
	gq_init(q, v->ctrl, index, va ? va : ram_va(v->vm, gpa), log2size,
		v->vm->fd, v->id);
	return qid;
}

#define fq_alloc(v, index, gpa, log2size, q) \
	fq_alloc_va(_metadata, v, index, gpa, NULL, log2size, q)

/* Reserve @n more huge pages; the old count is restored in teardown. */
static bool huge_reserve(FIXTURE_DATA(fast) *self, long n)
{
	long now = hugepages_get();

	if (now < 0)
		return false;
	if (self->hugepages < 0)
		self->hugepages = now;
	if (hugepages_set(now + n))
		return false;
	return hugepages_get() >= now + n;
}

/* @n huge pages of memory, touched; NULL if none can be had. */
static void *huge_alloc(struct __test_metadata *_metadata,
			FIXTURE_DATA(fast) *self, int n)
{
	void *p;

	if (!huge_reserve(self, n))
		return NULL;
	p = mmap(NULL, n * HUGE_PAGE_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	memset(p, 0, n * HUGE_PAGE_SIZE);
	track_map(_metadata, self, p, n * HUGE_PAGE_SIZE);
	return p;
}

static const struct vcmdq_instance_info *
find_info(FIXTURE_DATA(fast) *self, __u32 id)
{
	int i;

	for (i = 0; i < self->num_instances; i++)
		if (self->info[i].id == id)
			return &self->info[i];
	return NULL;
}

/* The devices of the devices module parameter that this VM has. */
static void parse_devices(FIXTURE_DATA(fast) *self)
{
	struct pdev all[64];
	int i, n = param_devices(0, all, ARRAY_SIZE(all));

	self->npdevs = 0;
	for (i = 0; i < n && self->npdevs < ARRAY_SIZE(self->pdevs); i++)
		if (pci_exists(all[i].bdf))
			self->pdevs[self->npdevs++] = all[i];
}

/* The @k-th present device behind instance @inst, or NULL. */
static const struct pdev *pdev_of(FIXTURE_DATA(fast) *self, __u32 inst, int k)
{
	int i;

	for (i = 0; i < self->npdevs; i++)
		if (self->pdevs[i].inst == inst && !k--)
			return &self->pdevs[i];
	return NULL;
}

/* A tegra instance with at least @n devices behind it, or NULL. */
static const struct vcmdq_instance_info *tegra_with_devices(
	FIXTURE_DATA(fast) *self, int n)
{
	int i;

	for (i = 0; i < self->ntq; i++)
		if (pdev_of(self, self->tq[i].id, n - 1))
			return &self->tq[i];
	return NULL;
}

/*
 * The ownership proof for @d (device_claim()): its VFIO group file when it
 * has an IOMMU group, closed in teardown; -1 otherwise.  Return: false when
 * the proof cannot be had (reason in TH_LOG).
 */
static bool dev_proof(struct __test_metadata *_metadata,
		      FIXTURE_DATA(fast) *self, const struct pdev *d,
		      int *vfio_fd)
{
	char why[256];

	if (device_claim(d->bdf, vfio_fd, why, sizeof(why))) {
		TH_LOG("%s", why);
		return false;
	}
	if (*vfio_fd >= 0)
		track_fd(_metadata, self, *vfio_fd);
	return true;
}

FIXTURE_SETUP(fast)
{
	int i;

	self->fd = -1;
	self->vm[0].fd = self->vm[1].fd = -1;
	self->hugepages = -1;
	for (i = 0; i < MAX_FDS; i++)
		self->fds[i] = -1;
	vcmdq_read_counters(&self->base);
	ASSERT_COUNTERS_READ(&self->base);
	self->poll_us = param_read("engine_poll_us");
	self->spin_us = param_read("engine_spin_us");
	self->engine_cpu = param_read("engine_cpu");
	self->queue_contiguous = param_read_bool("queue_contiguous");
	ASSERT_LE(0, self->queue_contiguous);
	self->doorbell = param_read_bool("engine_doorbell");
	ASSERT_LE(0, self->doorbell);
	self->hybrid_us = param_read("engine_hybrid_us");
	ASSERT_LE(0, self->hybrid_us);
	ASSERT_LT(0, self->poll_us);
	ASSERT_LE(0, self->spin_us);
	/* Left by a need_wakeup_kick that was killed before its teardown. */
	if (self->poll_us == NEED_WAKEUP_POLL_US)
		self->poll_us = DEFAULT_POLL_US;

	vm_get(_metadata, self, 0);
	self->fd = self->vm[0].fd;
	self->num_instances = vcmdq_instances(self->fd, self->info);
	ASSERT_LT(0, self->num_instances);
	for (i = 0; i < self->num_instances && self->ntq < 2; i++)
		if (self->info[i].caps & VCMDQ_INSTANCE_CAP_FAST_QUEUES)
			self->tq[self->ntq++] = self->info[i];
	parse_devices(self);
}

FIXTURE_TEARDOWN(fast)
{
	struct vcmdq_counters now;
	bool params = false;
	int i;

	for (i = MAX_MAPS - 1; i >= 0; i--) {
		if (self->maps[i].addr)
			munmap(self->maps[i].addr, self->maps[i].len);
		self->maps[i].addr = NULL;
	}
	for (i = 0; i < MAX_FDS; i++)
		if (self->fds[i] >= 0)
			close(self->fds[i]);
	vm_close(self, 1);
	vm_close(self, 0);
	if (self->hugepages >= 0) {
		EXPECT_EQ(0, hugepages_set(self->hugepages));
	}

	if (param_read("engine_poll_us") != self->poll_us) {
		EXPECT_EQ(0, param_write("engine_poll_us", self->poll_us));
		params = true;
	}
	if (param_read("engine_spin_us") != self->spin_us) {
		EXPECT_EQ(0, param_write("engine_spin_us", self->spin_us));
		params = true;
	}
	if (param_read("engine_cpu") != self->engine_cpu) {
		EXPECT_EQ(0, param_write("engine_cpu", self->engine_cpu));
	}
	if (param_read_bool("engine_doorbell") != self->doorbell) {
		EXPECT_EQ(0, param_write("engine_doorbell", self->doorbell));
		params = true;
	}
	if (param_read("engine_hybrid_us") != self->hybrid_us) {
		EXPECT_EQ(0, param_write("engine_hybrid_us", self->hybrid_us));
		params = true;
	}
	if (param_read_bool("queue_contiguous") != self->queue_contiguous) {
		EXPECT_EQ(0, param_write("queue_contiguous",
					 self->queue_contiguous));
	}
	if (params) {
		/* Wake engines still sleeping on the test's poll period. */
		int fd = vcmdq_open_dev();
		__u32 s2 = 0, viommu;

		EXPECT_LE(0, fd);
		EXPECT_EQ(0, _test_cmd_s2_alloc(fd, 0, &s2));
		for (i = 0; i < self->ntq; i++) {
			if (!_test_cmd_viommu_alloc(fd, self->tq[i].id, s2, 0,
						    &viommu, NULL, NULL,
						    NULL)) {
				EXPECT_EQ(0, _test_cmd_kick(fd, viommu));
			}
		}
		close(fd);
	}

	vcmdq_read_counters(&now);
	EXPECT_COUNTERS_EQ(&self->base, &now);
}

#define REQUIRE_TEGRA(n)                                                     \
	do {                                                                 \
		if (self->ntq < (n))                                         \
			SKIP(return, "needs %d tegra241-cmdqv instance(s), the module has %d (module parameter instances)", \
			     (n), self->ntq);                                \
	} while (0)

#define REQUIRE_TEST_IOCTL() REQUIRE_TEST_HOOK()

/* ---- struct sizes -------------------------------------------------------- */

TEST_F(fast, cmd_length)
{
	TEST_LENGTH(vcmdq_queue_alloc, VCMDQ_QUEUE_ALLOC, length,
		    test_ioctl_destroy(cmd.cmd.out_queue_id));
	TEST_LENGTH(vcmdq_vdevice_alloc, VCMDQ_VDEVICE_ALLOC, virt_id,
		    test_ioctl_destroy(cmd.cmd.out_vdevice_id));
	TEST_LENGTH(vcmdq_eventq_alloc, VCMDQ_EVENTQ_ALLOC, out_eventq_fd,
		    ({
			    close(cmd.cmd.out_eventq_fd);
			    test_ioctl_destroy(cmd.cmd.out_eventq_id);
		    }));
	TEST_LENGTH(vcmdq_kick, VCMDQ_KICK, viommu_id, );
	/* Every other command is checked above; this one needs the hook. */
	REQUIRE_TEST_HOOK();
	TEST_LENGTH(vcmdq_test, VCMDQ_TEST, last, );
}

/* The lowest free fd number: an ioctl that fails must not install one. */
static int lowest_free_fd(void)
{
	int fd = dup(0), ret = fd;

	if (fd >= 0)
		close(fd);
	return ret;
}

/*
 * Size checks with inputs that succeed: a non-zero trailing byte fails
 * with E2BIG before anything happens, a zero one changes nothing.
 */
TEST_F(fast, cmd_length_valid)
{
	union {
		struct vcmdq_queue_alloc queue;
		struct vcmdq_eventq_alloc eventq;
		struct vcmdq_kick kick;
		struct vcmdq_test test;
		__u8 raw[128];
	} c;
#define TAIL(member) (c.raw[sizeof(c.member)])
	long objects, pinned;
	struct fv v;
	int free_fd;
	long n;

	REQUIRE_TEGRA(1);
	fv_alloc(_metadata, self, &self->vm[0], self->tq[0].id, &v);
	objects = live_objects();
	pinned = pinned_pages();

	/* QUEUE_ALLOC */
	memset(&c, 0, sizeof(c));
	c.queue.size = sizeof(c.queue) + 1;
	c.queue.viommu_id = v.id;
	c.queue.gpa = GPA(0);
	c.queue.length = PAGE_SIZE;
	TAIL(queue) = 1;
	EXPECT_ERRNO(E2BIG, ioctl(self->fd, VCMDQ_QUEUE_ALLOC, &c));
	ASSERT_EQ(objects, live_objects());
	TAIL(queue) = 0;
	ASSERT_EQ(0, ioctl(self->fd, VCMDQ_QUEUE_ALLOC, &c));
	EXPECT_NE(0, c.queue.out_queue_id);
	EXPECT_EQ(0, TAIL(queue));
	ASSERT_EQ(objects + 1, live_objects());
	EXPECT_EQ(pinned, pinned_pages());	/* its S2 pages were pinned already */
	test_ioctl_destroy(c.queue.out_queue_id);

	/* Outputs only as far as the size reaches: the queue is there. */
	memset(&c, 0xee, sizeof(c));
	c.queue.size = offsetofend(struct vcmdq_queue_alloc, length);
	c.queue.flags = 0;
	c.queue.viommu_id = v.id;
	c.queue.index = 0;
	c.queue.gpa = GPA(0);
	c.queue.length = PAGE_SIZE;
	ASSERT_EQ(0, ioctl(self->fd, VCMDQ_QUEUE_ALLOC, &c));
	EXPECT_EQ(0xeeeeeeee, c.queue.out_queue_id);
	ASSERT_EQ(objects + 1, live_objects());
	test_err_queue_alloc(EEXIST, v.id, 0, GPA(1), PAGE_SIZE);
	test_err_destroy(EBUSY, v.id);

	/* EVENTQ_ALLOC: E2BIG creates no object and installs no fd. */
	free_fd = lowest_free_fd();
	memset(&c, 0, sizeof(c));
	c.eventq.size = sizeof(c.eventq) + 8;
	c.eventq.viommu_id = v.id;
	c.eventq.depth = 4;
	c.raw[sizeof(c.eventq) + 7] = 0x80;
	EXPECT_ERRNO(E2BIG, ioctl(self->fd, VCMDQ_EVENTQ_ALLOC, &c));
	EXPECT_EQ(free_fd, lowest_free_fd());
	ASSERT_EQ(objects + 1, live_objects());
	c.raw[sizeof(c.eventq) + 7] = 0;
	ASSERT_EQ(0, ioctl(self->fd, VCMDQ_EVENTQ_ALLOC, &c));
	EXPECT_NE(0, c.eventq.out_eventq_id);
	EXPECT_EQ(free_fd, c.eventq.out_eventq_fd);
	ASSERT_EQ(objects + 2, live_objects());
	close(c.eventq.out_eventq_fd);
	test_ioctl_destroy(c.eventq.out_eventq_id);

	/* KICK */
	memset(&c, 0, sizeof(c));
	c.kick.size = sizeof(c.kick) + 1;
	c.kick.viommu_id = v.id;
	TAIL(kick) = 0xff;
	EXPECT_ERRNO(E2BIG, ioctl(self->fd, VCMDQ_KICK, &c));
	TAIL(kick) = 0;
	EXPECT_EQ(0, ioctl(self->fd, VCMDQ_KICK, &c));

	/* TEST: E2BIG adds nothing to the model. */
	if (!vcmdq_has_test_hook(self->fd))
		return;
	memset(&c, 0, sizeof(c));
	c.test.size = sizeof(c.test) + 1;
	c.test.op = VCMDQ_TEST_IOTLB_ADD;
	c.test.instance_id = v.inst;
	c.test.tag = v.tag;
	c.test.asid = 9;
	c.test.start = 0x1000;
	c.test.last = 0x1fff;
	TAIL(test) = 3;
	EXPECT_ERRNO(E2BIG, ioctl(self->fd, VCMDQ_TEST, &c));
	n = iotlb_count(self->fd, v.inst, v.tag, 9);
	EXPECT_EQ(0, n);
	TAIL(test) = 0;
	ASSERT_EQ(0, ioctl(self->fd, VCMDQ_TEST, &c));
	n = iotlb_count(self->fd, v.inst, v.tag, 9);
	EXPECT_EQ(1, n);
#undef TAIL
}

/* The test hook's own errnos (its entries use our tag: dropped at close). */
TEST_F(fast, test_ioctl_errors)
{
	struct fv v;
	__u32 n = 0;

	REQUIRE_TEGRA(1);
	REQUIRE_TEST_IOCTL();
	fv_alloc(_metadata, self, &self->vm[0], self->tq[0].id, &v);
	test_err_test(EOPNOTSUPP, 0, v.inst, 0, v.tag, 1, 0, 0, 0, 0, 1);
	test_err_test(EOPNOTSUPP, 5, v.inst, 0, v.tag, 1, 0, 0, 0, 0, 1);
	test_err_test(EOPNOTSUPP, VCMDQ_TEST_IOTLB_ADD, v.inst, 1U << 4, v.tag,
		      1, 0, 0, 0, 0, 1);
	test_err_test(ENOENT, VCMDQ_TEST_IOTLB_ADD, 0, 0, v.tag, 1, 0, 0, 0, 0,
		      1);
	test_err_test(ENOENT, VCMDQ_TEST_IOTLB_ADD, self->num_instances + 1, 0,
		      v.tag, 1, 0, 0, 0, 0, 1);
	test_err_test(EINVAL, VCMDQ_TEST_IOTLB_ADD, v.inst, 0, v.tag, 1, 0, 0,
		      0, 2, 1);
	test_cmd_test(VCMDQ_TEST_IOTLB_COUNT, v.inst, VCMDQ_TEST_ANY_ASID,
		      v.tag, 0, 0, 0, 0, 0, UINT64_MAX, &n);
	EXPECT_EQ(0, n);
}

/* ---- QUEUE_ALLOC ---------------------------------------------------------- */

/*
 * @npages pages of memory, virtually contiguous and with no two neighbours
 * physically adjacent: each page is faulted in on its own, then moved
 * (mremap) into one range in descending PFN order, so the frame of page
 * k + 1 is always below that of page k.  Needs the PFNs of
 * /proc/self/pagemap, which root reads (in the VM); deterministic, so no
 * test that needs a physical gap ever skips for want of one.
 */
#define GAPPED_MAX_PAGES 16

static void *alloc_gapped(struct __test_metadata *_metadata,
			  FIXTURE_DATA(fast) *self, unsigned int npages)
{
	struct {
		__u8 *va;
		__u64 pfn;
	} pg[GAPPED_MAX_PAGES], t;
	__u8 *range;
	unsigned int i, j;

	ASSERT_GE(GAPPED_MAX_PAGES, npages);
	range = mmap(NULL, npages * PAGE_SIZE, PROT_NONE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, range);
	track_map(_metadata, self, range, npages * PAGE_SIZE);
	for (i = 0; i < npages; i++) {
		pg[i].va = alloc_pages(1, PROT_READ | PROT_WRITE, true);
		ASSERT_NE(NULL, pg[i].va);
		pg[i].pfn = virt_to_pfn(pg[i].va);
		ASSERT_NE(0, pg[i].pfn) TH_LOG("no PFNs in /proc/self/pagemap");
		/* insertion sort, highest PFN first */
		for (j = i; j && pg[j - 1].pfn < pg[j].pfn; j--) {
			t = pg[j - 1];
			pg[j - 1] = pg[j];
			pg[j] = t;
		}
	}
	for (i = 0; i < npages; i++) {
		void *to = range + i * PAGE_SIZE;

		ASSERT_EQ(to, mremap(pg[i].va, PAGE_SIZE, PAGE_SIZE,
				     MREMAP_MAYMOVE | MREMAP_FIXED, to));
		/* The page moved with its frame. */
		ASSERT_EQ(pg[i].pfn, virt_to_pfn(to));
		if (i) {
			ASSERT_GT(pg[i - 1].pfn, pg[i].pfn);
		}
	}
	return range;
}

/* Set queue_contiguous (restored in teardown); its NONCONTIG cap follows. */
static void queue_contiguous_set(struct __test_metadata *_metadata,
				 FIXTURE_DATA(fast) *self, int on)
{
	struct vcmdq_instance_info now[VCMDQ_MAX_INSTANCES];
	int i;

	ASSERT_EQ(0, param_write("queue_contiguous", on));
	ASSERT_EQ(self->num_instances, vcmdq_instances(self->fd, now));
	/* Only an emulated instance with queues reads queues by kernel VA. */
	for (i = 0; i < self->num_instances; i++) {
		bool noncontig = !on &&
			(now[i].caps & VCMDQ_INSTANCE_CAP_FAST_QUEUES) &&
			(now[i].caps & VCMDQ_INSTANCE_CAP_EMULATED);

		EXPECT_EQ(noncontig, !!(now[i].caps &
					VCMDQ_INSTANCE_CAP_QUEUE_NONCONTIG))
			TH_LOG("instance %u, queue_contiguous=%d", now[i].id, on);
	}
}

TEST_F(fast, queue_alloc_errnos)
{
	const struct vcmdq_instance_info *inst = &self->tq[0];
	struct vcmdq_queue_alloc cmd;
	__u64 max_len, pinned;
	struct vm *vm2;
	long objects;
	struct fv v;
	__u32 qid, q1;
	int i;

	REQUIRE_TEGRA(1);
	fv_alloc(_metadata, self, &self->vm[0], inst->id, &v);
	max_len = (__u64)CMDQ_ENT_SIZE << inst->max_queue_log2size;
	vm2 = vm_get(_metadata, self, 1);
	objects = live_objects();
	pinned = pinned_pages();

	/* EOPNOTSUPP: flags, __reserved, an instance without queues */
	EXPECT_ERRNO(EOPNOTSUPP, _test_cmd_queue_alloc(self->fd, v.id, 0,
						       GPA(0), PAGE_SIZE, 1,
						       NULL));
	EXPECT_ERRNO(EOPNOTSUPP, _test_cmd_queue_alloc(self->fd, v.id, 0,
						       GPA(0), PAGE_SIZE,
						       1U << 31, NULL));
	cmd = (struct vcmdq_queue_alloc){ .size = sizeof(cmd), .viommu_id = v.id,
					  .gpa = GPA(0), .length = PAGE_SIZE,
					  .__reserved = 1 };
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, VCMDQ_QUEUE_ALLOC, &cmd));
	for (i = 0; i < self->num_instances; i++) {
		const struct vcmdq_instance_info *in = &self->info[i];
		__u32 slow;

		if (in->caps & VCMDQ_INSTANCE_CAP_FAST_QUEUES)
			continue;
		test_cmd_viommu_alloc(in->id, self->vm[0].s2_id, &slow, NULL);
		test_err_queue_alloc(EOPNOTSUPP, slow, 0, GPA(0), PAGE_SIZE);
		test_err_kick(EOPNOTSUPP, slow);
		test_ioctl_destroy(slow);
	}

	/* ENOENT: no such vIOMMU (0, unknown, an S2, another file's) */
	test_err_queue_alloc(ENOENT, 0, 0, GPA(0), PAGE_SIZE);
	test_err_queue_alloc(ENOENT, v.id + 100, 0, GPA(0), PAGE_SIZE);
	test_err_queue_alloc(ENOENT, self->vm[0].s2_id, 0, GPA(0), PAGE_SIZE);
	EXPECT_ERRNO(ENOENT, _test_cmd_queue_alloc(vm2->fd, v.id, 0, GPA(0),
						   PAGE_SIZE, 0, NULL));

	/* EINVAL: index past queues_per_viommu */
	test_err_queue_alloc(EINVAL, v.id, inst->queues_per_viommu, GPA(0),
			     PAGE_SIZE);
	test_err_queue_alloc(EINVAL, v.id, UINT32_MAX, GPA(0), PAGE_SIZE);

	/* EINVAL: length not a power of two in [32, 16 << max_log2size] */
	test_err_queue_alloc(EINVAL, v.id, 0, GPA(0), 0);
	test_err_queue_alloc(EINVAL, v.id, 0, GPA(0), 1);
	test_err_queue_alloc(EINVAL, v.id, 0, GPA(0), 16);
	test_err_queue_alloc(EINVAL, v.id, 0, GPA(0), 31);
	test_err_queue_alloc(EINVAL, v.id, 0, GPA(0), 33);
	test_err_queue_alloc(EINVAL, v.id, 0, GPA(0), 48);
	test_err_queue_alloc(EINVAL, v.id, 0, GPA(0), 96);
	test_err_queue_alloc(EINVAL, v.id, 0, GPA(0), PAGE_SIZE - 16);
	test_err_queue_alloc(EINVAL, v.id, 0, GPA(0), PAGE_SIZE + 32);
	test_err_queue_alloc(EINVAL, v.id, 0, 0, max_len * 2);
	test_err_queue_alloc(EINVAL, v.id, 0, 0, 1ULL << 63);
	/* The largest length passes the length check (then: not mapped). */
	test_err_queue_alloc(ENOENT, v.id, 0, 1ULL << 40, max_len);

	/* EINVAL: gpa not aligned to the length */
	test_err_queue_alloc(EINVAL, v.id, 0, GPA(0) + 32, 64);
	test_err_queue_alloc(EINVAL, v.id, 0, GPA(0) + 16, 32);
	test_err_queue_alloc(EINVAL, v.id, 0, GPA(0) + PAGE_SIZE / 2, PAGE_SIZE);
	test_err_queue_alloc(EINVAL, v.id, 0, GPA(1), 2 * PAGE_SIZE);

	/* EOVERFLOW: the range wraps */
	test_err_queue_alloc(EOVERFLOW, v.id, 0, UINT64_MAX - 15, 32);
	test_err_queue_alloc(EOVERFLOW, v.id, 0, UINT64_MAX, PAGE_SIZE);
	test_err_queue_alloc(EOVERFLOW, v.id, 0, -(__u64)PAGE_SIZE + 64,
			     PAGE_SIZE);

	/* ENOENT: not mapped in the S2, wholly or in part */
	test_err_queue_alloc(ENOENT, v.id, 0, GPA(RAM_PAGES), PAGE_SIZE);
	test_err_queue_alloc(ENOENT, v.id, 0, 0, PAGE_SIZE);
	ASSERT_EQ(0, _test_cmd_s2_map(self->fd, self->vm[0].s2_id,
				      VCMDQ_S2_MAP_RW, GPA_EXTRA + 65 * PAGE_SIZE,
				      self->vm[0].ram, PAGE_SIZE));
	ASSERT_EQ(0, _test_cmd_s2_map(self->fd, self->vm[0].s2_id,
				      VCMDQ_S2_MAP_RW, GPA_EXTRA + 66 * PAGE_SIZE,
				      self->vm[0].ram + PAGE_SIZE, PAGE_SIZE));
	/* only its upper half is mapped */
	test_err_queue_alloc(ENOENT, v.id, 0, GPA_EXTRA + 64 * PAGE_SIZE,
			     2 * PAGE_SIZE);
	/* only its lower half is mapped */
	test_err_queue_alloc(ENOENT, v.id, 0, GPA_EXTRA + 66 * PAGE_SIZE,
			     2 * PAGE_SIZE);
	/* ... and another file's S2 does not count */
	ASSERT_EQ(0, _test_cmd_s2_map(vm2->fd, vm2->s2_id, VCMDQ_S2_MAP_RW,
				      GPA_EXTRA, vm2->ram, PAGE_SIZE));
	test_err_queue_alloc(ENOENT, v.id, 0, GPA_EXTRA, PAGE_SIZE);
	pinned = pinned_pages();	/* the two maps above */

	/*
	 * EFAULT: mapped, but not physically contiguous, with the hardware's
	 * rule (queue_contiguous=1); an emulated instance takes it otherwise.
	 */
	test_cmd_s2_map(self->vm[0].s2_id, GPA_EXTRA + 16 * PAGE_SIZE,
			alloc_gapped(_metadata, self, 2), 2 * PAGE_SIZE);
	pinned += 2;
	queue_contiguous_set(_metadata, self, 1);
	test_err_queue_alloc(EFAULT, v.id, 0, GPA_EXTRA + 16 * PAGE_SIZE,
			     2 * PAGE_SIZE);
	queue_contiguous_set(_metadata, self, 0);
	test_cmd_queue_alloc(v.id, 0, GPA_EXTRA + 16 * PAGE_SIZE,
			     2 * PAGE_SIZE, &qid);
	test_ioctl_destroy(qid);

	/* EIO: index n before n - 1 */
	test_err_queue_alloc(EIO, v.id, 1, GPA(0), PAGE_SIZE);
	test_err_queue_alloc(EIO, v.id, inst->queues_per_viommu - 1, GPA(0),
			     PAGE_SIZE);

	/* None of the failures created anything or pinned anything. */
	ASSERT_EQ(objects, live_objects());
	ASSERT_EQ(pinned, pinned_pages());

	/* EEXIST: the index is in use (whatever the rest says) */
	test_cmd_queue_alloc(v.id, 0, GPA(0), PAGE_SIZE, &qid);
	test_err_queue_alloc(EEXIST, v.id, 0, GPA(0), PAGE_SIZE);
	test_err_queue_alloc(EEXIST, v.id, 0, GPA(2), PAGE_SIZE);
	test_err_queue_alloc(EIO, v.id, 2, GPA(2), PAGE_SIZE);
	test_cmd_queue_alloc(v.id, 1, GPA(1), PAGE_SIZE, &q1);
	test_err_queue_alloc(EEXIST, v.id, 1, GPA(2), PAGE_SIZE);
	ASSERT_EQ(objects + 2, live_objects());
	ASSERT_EQ(pinned, pinned_pages());
	/* The single pages of the discontiguous pair each make a queue. */
	test_cmd_queue_alloc(v.id, 2, GPA_EXTRA + 16 * PAGE_SIZE, PAGE_SIZE,
			     NULL);
	test_cmd_queue_alloc(v.id, 3, GPA_EXTRA + 17 * PAGE_SIZE, 32, NULL);
}

/* Ascending allocation, descending destruction; vIOMMUs are independent. */
TEST_F(fast, queue_order)
{
	const struct vcmdq_instance_info *inst = &self->tq[0];
	const __u32 n = inst->queues_per_viommu;
	__u32 qid[64], oq;
	struct fv v, w;
	long objects;
	__u32 i;

	REQUIRE_TEGRA(1);
	ASSERT_GE(64, n);
	ASSERT_LE(2, n);
	fv_alloc(_metadata, self, &self->vm[0], inst->id, &v);
	objects = live_objects();

	for (i = 0; i < n; i++) {
		/* 32 entries each, all in page 0 and 1 */
		test_cmd_queue_alloc(v.id, i, GPA(0) + i * 512, 512, &qid[i]);
		if (i) {
			/* n holds n - 1 */
			test_err_destroy(EBUSY, qid[i - 1]);
		}
		if (i + 2 < n) {
			test_err_queue_alloc(EIO, v.id, i + 2, GPA(4), PAGE_SIZE);
		}
	}
	test_err_queue_alloc(EINVAL, v.id, n, GPA(4), PAGE_SIZE);
	ASSERT_EQ(objects + n, live_objects());
	/* The queues hold their vIOMMU. */
	test_err_destroy(EBUSY, v.id);

	/* Another vIOMMU (here another VM's, same instance) starts at 0. */
	fv_alloc(_metadata, self, vm_get(_metadata, self, 1), inst->id, &w);
	EXPECT_ERRNO(EIO, _test_cmd_queue_alloc(w.vm->fd, w.id, 1, GPA(0),
						PAGE_SIZE, 0, NULL));
	ASSERT_EQ(0, _test_cmd_queue_alloc(w.vm->fd, w.id, 0, GPA(0),
					   PAGE_SIZE, 0, &oq));

	/* Descending: every lower one is EBUSY until the top one goes. */
	for (i = n; i-- > 0;) {
		__u32 j;

		for (j = 0; j < i; j++) {
			test_err_destroy(EBUSY, qid[j]);
		}
		test_ioctl_destroy(qid[i]);
		test_err_destroy(ENOENT, qid[i]);
		/* The freed index is the only one that can be allocated. */
		if (i + 1 < n) {
			test_err_queue_alloc(EIO, v.id, i + 1, GPA(4), PAGE_SIZE);
		}
		if (i) {
			test_err_queue_alloc(EEXIST, v.id, i - 1, GPA(4),
					     PAGE_SIZE);
		}
	}
	/* Left: the other VM's S2, vIOMMU and queue. */
	ASSERT_EQ(objects + 3, live_objects());
	test_err_queue_alloc(EIO, v.id, 1, GPA(4), PAGE_SIZE);

	/* Re-allocation after destruction, and EBUSY again. */
	test_cmd_queue_alloc(v.id, 0, GPA(4), PAGE_SIZE, &qid[0]);
	test_cmd_queue_alloc(v.id, 1, GPA(5), PAGE_SIZE, &qid[1]);
	test_err_destroy(EBUSY, qid[0]);
	test_ioctl_destroy(qid[1]);
	test_cmd_queue_alloc(v.id, 1, GPA(6), 64, &qid[1]);
	test_err_destroy(EBUSY, qid[0]);
	test_ioctl_destroy(qid[1]);
	test_ioctl_destroy(qid[0]);
	/* No queue holds it now; its mapping still does. */
	test_err_destroy(EBUSY, v.id);
	EXPECT_EQ(0, _test_ioctl_destroy(w.vm->fd, oq));
}

/* A queue pins its S2 range: S2_UNMAP over it is EBUSY while it lives. */
TEST_F(fast, queue_pins_s2)
{
	const __u32 s2 = self->vm[0].s2_id;
	__u8 *mem = alloc_pages(8, PROT_READ | PROT_WRITE, true);
	long pinned = pinned_pages();
	__u32 q0, q1, q2;
	struct fv v;

	REQUIRE_TEGRA(1);
	ASSERT_NE(NULL, mem);
	track_map(_metadata, self, mem, 8 * PAGE_SIZE);
	fv_alloc(_metadata, self, &self->vm[0], self->tq[0].id, &v);

	/* A: page 0, B: page 1, C: pages 4-5 */
	test_cmd_s2_map(s2, GPA_EXTRA, mem, PAGE_SIZE);
	test_cmd_s2_map(s2, GPA_EXTRA + PAGE_SIZE, mem + PAGE_SIZE, PAGE_SIZE);
	test_cmd_s2_map(s2, GPA_EXTRA + 4 * PAGE_SIZE, mem + 4 * PAGE_SIZE,
			2 * PAGE_SIZE);
	ASSERT_EQ(pinned + 4, pinned_pages());

	test_cmd_queue_alloc(v.id, 0, GPA_EXTRA, PAGE_SIZE, &q0);
	test_err_s2_unmap(EBUSY, s2, GPA_EXTRA, PAGE_SIZE);
	/* A range holding A and others: EBUSY, nothing unmapped */
	test_err_s2_unmap(EBUSY, s2, GPA_EXTRA, 16 * PAGE_SIZE);
	test_err_s2_unmap(EBUSY, s2, 0, UINT64_MAX & ~(__u64)(PAGE_SIZE - 1));
	ASSERT_EQ(pinned + 4, pinned_pages());
	test_err_s2_map(EEXIST, s2, GPA_EXTRA + PAGE_SIZE, mem + 2 * PAGE_SIZE,
			PAGE_SIZE);
	/* A mapping no queue uses unmaps. */
	ASSERT_EQ(PAGE_SIZE, test_cmd_s2_unmap(s2, GPA_EXTRA + PAGE_SIZE,
					       PAGE_SIZE));
	ASSERT_EQ(pinned + 3, pinned_pages());

	/* Two queues in C: C is held until both are gone. */
	test_cmd_queue_alloc(v.id, 1, GPA_EXTRA + 4 * PAGE_SIZE, 2048, &q1);
	test_cmd_queue_alloc(v.id, 2, GPA_EXTRA + 5 * PAGE_SIZE, PAGE_SIZE, &q2);
	test_err_s2_unmap(EBUSY, s2, GPA_EXTRA + 4 * PAGE_SIZE, 2 * PAGE_SIZE);
	test_ioctl_destroy(q2);
	test_err_s2_unmap(EBUSY, s2, GPA_EXTRA + 4 * PAGE_SIZE, 2 * PAGE_SIZE);
	test_ioctl_destroy(q1);
	ASSERT_EQ(2 * PAGE_SIZE, test_cmd_s2_unmap(s2, GPA_EXTRA + 4 * PAGE_SIZE,
						   2 * PAGE_SIZE));
	test_err_s2_unmap(EBUSY, s2, GPA_EXTRA, PAGE_SIZE);
	test_ioctl_destroy(q0);
	ASSERT_EQ(PAGE_SIZE, test_cmd_s2_unmap(s2, GPA_EXTRA, PAGE_SIZE));
	ASSERT_EQ(pinned, pinned_pages());

	/* A queue in the fixture's RAM holds that whole mapping. */
	test_cmd_queue_alloc(v.id, 0, GPA(RAM_PAGES - 1), 32, &q0);
	test_err_s2_unmap(EBUSY, s2, GPA_BASE, RAM_PAGES * PAGE_SIZE);
	test_ioctl_destroy(q0);
	ASSERT_EQ(RAM_PAGES * PAGE_SIZE,
		  test_cmd_s2_unmap(s2, GPA_BASE, RAM_PAGES * PAGE_SIZE));
	test_err_queue_alloc(ENOENT, v.id, 0, GPA(RAM_PAGES - 1), 32);
}

/* ---- mmap of the control region -------------------------------------------- */

static int try_mmap(int fd, size_t len, int prot, int flags, __u64 off,
		    void **out)
{
	void *p = mmap(NULL, len, prot, flags, fd, off);

	if (p == MAP_FAILED)
		return -1;
	if (out)
		*out = p;
	else
		munmap(p, len);
	return 0;
}

#define RW (PROT_READ | PROT_WRITE)

TEST_F(fast, mmap_control)
{
	const size_t pg = PAGE_SIZE;
	volatile __u32 *a, *b;
	void *pa, *pb;
	struct fv v;
	int i;

	REQUIRE_TEGRA(1);
	fv_alloc(_metadata, self, &self->vm[0], self->tq[0].id, &v);
	/* IDs: S2 1, vIOMMU 2 (so the offsets around the cookie name no vIOMMU) */
	ASSERT_EQ(self->vm[0].s2_id + 1, v.id);
	EXPECT_NE(0, v.off);
	EXPECT_EQ(0, v.off % pg);
	EXPECT_EQ(VCMDQ_CTRL_SIZE, v.len);
	/* A fresh region: every queue slot's registers at reset (0). */
	for (i = 0; i < (int)self->tq[0].queues_per_viommu * 32; i++) {
		EXPECT_EQ(0, ((volatile __u32 *)v.ctrl)[i]);
	}

	/* The exact cookie and length only: ENXIO */
	EXPECT_ERRNO(ENXIO, try_mmap(self->fd, v.len, RW, MAP_SHARED,
				     v.off + pg, NULL));
	EXPECT_ERRNO(ENXIO, try_mmap(self->fd, v.len, RW, MAP_SHARED,
				     v.off + 2 * pg, NULL));
	EXPECT_ERRNO(ENXIO, try_mmap(self->fd, v.len, RW, MAP_SHARED,
				     v.off - pg, NULL));
	EXPECT_ERRNO(ENXIO, try_mmap(self->fd, v.len, RW, MAP_SHARED,
				     v.off + VCMDQ_CTRL_SIZE, NULL));
	EXPECT_ERRNO(ENXIO, try_mmap(self->fd, v.len, RW, MAP_SHARED,
				     v.off - VCMDQ_CTRL_SIZE, NULL));
	EXPECT_ERRNO(ENXIO, try_mmap(self->fd, v.len, RW, MAP_SHARED, 0, NULL));
	EXPECT_ERRNO(ENXIO, try_mmap(self->fd, v.len, RW, MAP_SHARED,
				     1ULL << 48, NULL));
	EXPECT_ERRNO(ENXIO, try_mmap(self->fd, v.len / 2, RW, MAP_SHARED,
				     v.off, NULL));
	EXPECT_ERRNO(ENXIO, try_mmap(self->fd, v.len * 2, RW, MAP_SHARED,
				     v.off, NULL));
	EXPECT_ERRNO(ENXIO, try_mmap(self->fd, v.len - pg, RW, MAP_SHARED,
				     v.off, NULL));
	EXPECT_ERRNO(ENXIO, try_mmap(self->fd, pg, RW, MAP_SHARED, v.off, NULL));
	/* MAP_SHARED required, no exec */
	EXPECT_ERRNO(EINVAL, try_mmap(self->fd, v.len, RW, MAP_PRIVATE, v.off,
				      NULL));
	EXPECT_ERRNO(EINVAL, try_mmap(self->fd, v.len, PROT_READ, MAP_PRIVATE,
				      v.off, NULL));
	EXPECT_ERRNO(EPERM, try_mmap(self->fd, v.len, RW | PROT_EXEC,
				     MAP_SHARED, v.off, NULL));
	EXPECT_ERRNO(EPERM, try_mmap(self->fd, v.len, PROT_READ | PROT_EXEC,
				     MAP_SHARED, v.off, NULL));

	/* Two more mappings of one region: the same registers. */
	ASSERT_EQ(0, try_mmap(self->fd, v.len, RW, MAP_SHARED, v.off, &pa));
	track_map(_metadata, self, pa, v.len);
	ASSERT_EQ(0, try_mmap(self->fd, v.len, RW, MAP_SHARED, v.off, &pb));
	track_map(_metadata, self, pb, v.len);
	a = pa;
	b = pb;
	a[(5 * VCMDQ_CTRL_QUEUE_STRIDE + VCMDQ_CTRL_PROD) / 4] = 0x1234;
	EXPECT_EQ(0x1234, b[(5 * VCMDQ_CTRL_QUEUE_STRIDE + VCMDQ_CTRL_PROD) / 4]);
	EXPECT_EQ(0x1234, ((volatile __u32 *)v.ctrl)
			  [(5 * VCMDQ_CTRL_QUEUE_STRIDE + VCMDQ_CTRL_PROD) / 4]);
	/* Never executable, not even by mprotect(). */
	EXPECT_ERRNO(EACCES, mprotect(pa, v.len, PROT_READ | PROT_EXEC));

	/* Every mapping holds the vIOMMU, split ones too. */
	test_err_destroy(EBUSY, v.id);
	ASSERT_EQ(0, unmap_tracked(self, v.ctrl));
	test_err_destroy(EBUSY, v.id);
	ASSERT_EQ(0, unmap_tracked(self, pa));
	test_err_destroy(EBUSY, v.id);
	ASSERT_EQ(0, munmap(pb, v.len / 2));	/* split: half remains */
	test_err_destroy(EBUSY, v.id);
	ASSERT_EQ(0, munmap((char *)pb + v.len / 2, v.len / 2));
	unmap_tracked(self, pb);		/* already gone: untrack */
	test_ioctl_destroy(v.id);
	/* The cookie died with it. */
	EXPECT_ERRNO(ENXIO, try_mmap(self->fd, v.len, RW, MAP_SHARED, v.off,
				     NULL));
}

/* Cookies of one file never map another file's region; no region, no mmap. */
TEST_F(fast, mmap_cookies)
{
	struct vm *vm2;
	struct fv v, w;
	__u32 s2b, slow;
	int i;

	REQUIRE_TEGRA(1);
	fv_alloc(_metadata, self, &self->vm[0], self->tq[0].id, &v);

	/* A fresh file has no object of that ID. */
	vm2 = vm_get(_metadata, self, 1);
	EXPECT_ERRNO(ENXIO, try_mmap(vm2->fd, v.len, RW, MAP_SHARED, v.off,
				     NULL));
	/* Its objects of the same IDs as ours are S2s. */
	ASSERT_EQ(0, _test_cmd_s2_alloc(vm2->fd, 0, &s2b));
	ASSERT_EQ(v.id, s2b);
	EXPECT_ERRNO(ENXIO, try_mmap(vm2->fd, v.len, RW, MAP_SHARED, v.off,
				     NULL));
	/* Its own vIOMMU maps at its own cookie, ours still does not. */
	fv_alloc(_metadata, self, vm2, self->tq[0].id, &w);
	EXPECT_NE(v.off, w.off);
	EXPECT_ERRNO(ENXIO, try_mmap(vm2->fd, v.len, RW, MAP_SHARED, v.off,
				     NULL));
	EXPECT_ERRNO(ENXIO, try_mmap(self->fd, v.len, RW, MAP_SHARED, w.off,
				     NULL));
	/* Two regions: writes to one are not seen in the other. */
	((volatile __u32 *)w.ctrl)[(3 * VCMDQ_CTRL_QUEUE_STRIDE +
				    VCMDQ_CTRL_PROD) / 4] = 0xabcd;
	EXPECT_EQ(0, ((volatile __u32 *)v.ctrl)[(3 * VCMDQ_CTRL_QUEUE_STRIDE +
						 VCMDQ_CTRL_PROD) / 4]);

	/*
	 * A vIOMMU of an instance without queues has no region: no cookie,
	 * and the offset a fast vIOMMU of its ID would have does not map.
	 */
	for (i = 0; i < self->num_instances; i++) {
		const struct vcmdq_instance_info *in = &self->info[i];
		__u64 off, len;

		if (in->caps & VCMDQ_INSTANCE_CAP_FAST_QUEUES)
			continue;
		ASSERT_EQ(0, _test_cmd_viommu_alloc(self->fd, in->id,
						    self->vm[0].s2_id, 0, &slow,
						    NULL, &off, &len));
		EXPECT_EQ(0, off);
		EXPECT_EQ(0, len);
		/* Cookies are global: v's could be that number by chance. */
		if ((__u64)slow << 16 != v.off) {
			EXPECT_ERRNO(ENXIO,
				     try_mmap(self->fd, VCMDQ_CTRL_SIZE, RW,
					      MAP_SHARED, (__u64)slow << 16,
					      NULL));
		}
		test_ioctl_destroy(slow);
	}
}

/*
 * The mapping holds the file: after close() the VM keeps working through
 * it, and the objects go with the last munmap().
 */
TEST_F(fast, close_with_mapping)
{
	struct vcmdq_counters c0;
	struct vm *vm2;
	struct gq q;
	struct fv v;

	REQUIRE_TEGRA(1);
	REQUIRE_TEST_IOCTL();
	vcmdq_read_counters(&c0);
	vm2 = vm_get(_metadata, self, 1);
	fv_alloc(_metadata, self, vm2, self->tq[0].id, &v);
	fq_alloc(&v, 0, GPA(0), 4, &q);
	ASSERT_EQ(0, gq_hw_init(&q));
	test_cmd_iotlb_add(v.inst, v.tag, 1, 0, 0, 0xfff, true);
	test_cmd_iotlb_add(v.inst, v.tag, 2, 0, 0, 0xfff, true);
	ASSERT_EQ(0, gq_issue1(&q, cmd_tlbi_nh_asid(0, 1)));
	EXPECT_EQ(0, iotlb_count(self->fd, v.inst, v.tag, 1));

	vm_close(self, 1);
	EXPECT_EQ(c0.contexts + 1, vcmdq_counter("contexts"));
	/* No KICK now (no file to call it on): the timer poll does it. */
	q.kick = false;
	ASSERT_EQ(0, gq_issue1(&q, cmd_tlbi_nh_asid(0, 2)));
	EXPECT_EQ(0, iotlb_count(self->fd, v.inst, v.tag, 2));

	ASSERT_EQ(0, unmap_tracked(self, v.ctrl));
	EXPECT_EQ(c0.contexts, vcmdq_counter("contexts"));
	EXPECT_EQ(c0.live_objects, live_objects());
	EXPECT_EQ(c0.pinned_pages, pinned_pages());
}

/* ---- the engine: enable, consume, wrap ----------------------------------- */

static bool wait_status(struct gq *q, bool enabled, __u64 us)
{
	__u64 end = now_us() + us;

	while (now_us() < end) {
		if (!!(gq_rd(q, VCMDQ_CTRL_STATUS) & VCMDQ_STATUS_ENABLED) ==
		    enabled)
			return true;
		sleep_us(1000);
	}
	return false;
}

TEST_F(fast, enable_disable)
{
	const __u32 slots[] = { 1, 7, 100, 255 };
	struct gq q, u;
	struct fv v;
	size_t i;
	__u32 qid;

	REQUIRE_TEGRA(1);
	fv_alloc(_metadata, self, &self->vm[0], self->tq[0].id, &v);
	qid = fq_alloc(&v, 0, GPA(0), 5, &q);
	EXPECT_EQ(0, gq_rd(&q, VCMDQ_CTRL_STATUS));

	/* CONFIG.EN -> STATUS.ENABLED */
	ASSERT_EQ(0, gq_write_config(&q, VCMDQ_CONFIG_EN));
	EXPECT_EQ(VCMDQ_STATUS_ENABLED, gq_rd(&q, VCMDQ_CTRL_STATUS));

	/* A slot without QUEUE_ALLOC never becomes enabled. */
	for (i = 0; i < ARRAY_SIZE(slots); i++) {
		gq_init(&u, v.ctrl, slots[i], q.sq.ring, 5, self->fd, v.id);
		gq_wr(&u, VCMDQ_CTRL_CONFIG, VCMDQ_CONFIG_EN);
	}
	test_cmd_kick(v.id);
	sleep_us(NEGATIVE_WAIT_US);
	test_cmd_kick(v.id);
	sleep_us(NEGATIVE_WAIT_US);
	for (i = 0; i < ARRAY_SIZE(slots); i++) {
		gq_init(&u, v.ctrl, slots[i], q.sq.ring, 5, self->fd, v.id);
		EXPECT_EQ(0, gq_rd(&u, VCMDQ_CTRL_STATUS))
			TH_LOG("unallocated slot %u enabled", slots[i]);
		gq_wr(&u, VCMDQ_CTRL_CONFIG, 0);
	}

	/* It works, */
	ASSERT_EQ(0, gq_issue1(&q, cmd_tlbi_nh_asid(0, 1)));
	EXPECT_EQ(2, gq_cons(&q));
	/* CONFIG.EN = 0 clears STATUS.ENABLED, */
	ASSERT_EQ(0, gq_write_config(&q, 0));
	EXPECT_EQ(0, gq_rd(&q, VCMDQ_CTRL_STATUS));
	/* a disabled queue is not consumed, */
	gq_put(&q, cmd_tlbi_nh_asid(0, 2));
	gq_put(&q, cmd_sync());
	gq_publish(&q);
	test_cmd_kick(v.id);
	sleep_us(NEGATIVE_WAIT_US);
	EXPECT_EQ(2, gq_rd(&q, VCMDQ_CTRL_CONS));
	/* re-enabled it consumes what is pending, */
	ASSERT_EQ(0, gq_write_config(&q, VCMDQ_CONFIG_EN));
	ASSERT_EQ(0, gq_wait_past(&q, 3));
	EXPECT_EQ(4, gq_rd(&q, VCMDQ_CTRL_CONS));
	/* and after the guest driver's reset (deinit, init) starts at 0. */
	ASSERT_EQ(0, gq_hw_init(&q));
	EXPECT_EQ(0, gq_rd(&q, VCMDQ_CTRL_CONS));
	ASSERT_EQ(0, gq_issue1(&q, cmd_tlbi_nh_asid(0, 3)));
	EXPECT_EQ(2, gq_rd(&q, VCMDQ_CTRL_CONS));

	/* A destroyed queue's slot is unallocated: not enabled. */
	test_ioctl_destroy(qid);
	EXPECT_EQ(0, gq_rd(&q, VCMDQ_CTRL_STATUS) & VCMDQ_STATUS_ENABLED);
	gq_wr(&q, VCMDQ_CTRL_CONFIG, VCMDQ_CONFIG_EN);
	test_cmd_kick(v.id);
	EXPECT_FALSE(wait_status(&q, true, NEGATIVE_WAIT_US));
}

/* The producer side, as the guest driver does it, and what it invalidates. */
TEST_F(fast, submit_basic)
{
	struct cmd batch[4];
	struct fv v, w;
	struct gq q;
	long n;

	REQUIRE_TEGRA(1);
	REQUIRE_TEST_IOCTL();
	fv_alloc(_metadata, self, &self->vm[0], self->tq[0].id, &v);
	fv_alloc(_metadata, self, vm_get(_metadata, self, 1), self->tq[0].id,
		 &w);
	fq_alloc(&v, 0, GPA(0), 6, &q);
	ASSERT_EQ(0, gq_hw_init(&q));

	test_cmd_iotlb_add(v.inst, v.tag, 1, 0, 0x1000, 0x1fff, true);
	test_cmd_iotlb_add(v.inst, v.tag, 1, 0, 0x8000, 0x8fff, false);
	test_cmd_iotlb_add(v.inst, v.tag, 1, 0, 0, ~0ULL, true);
	test_cmd_iotlb_add(v.inst, v.tag, 2, 0, 0x1000, 0x1fff, true);
	test_cmd_iotlb_add(v.inst, v.tag, 2, 0, 0x2000, 0x2fff, true);
	test_cmd_iotlb_add(v.inst, w.tag, 1, 0, 0x1000, 0x1fff, true);

	/* An empty CMD_SYNC completes. */
	ASSERT_EQ(0, gq_issue_sync(&q, NULL, 0));
	EXPECT_EQ(1, gq_rd(&q, VCMDQ_CTRL_CONS));

	/* TLBI_NH_ASID + CMD_SYNC */
	ASSERT_EQ(0, gq_issue1(&q, cmd_tlbi_nh_asid(0, 1)));
	EXPECT_EQ(3, gq_rd(&q, VCMDQ_CTRL_CONS));
	EXPECT_EQ(3, q.sq.prod);
	EXPECT_EQ(0, gq_rd(&q, VCMDQ_CTRL_GERROR));
	EXPECT_EQ(0, gq_rd(&q, VCMDQ_CTRL_GERRORN));
	n = iotlb_count(self->fd, v.inst, v.tag, 1);
	EXPECT_EQ(0, n);
	n = iotlb_count(self->fd, v.inst, v.tag, 2);
	EXPECT_EQ(2, n);
	/* Another VM's tag, same ASID: untouched. */
	n = iotlb_count(self->fd, v.inst, w.tag, 1);
	EXPECT_EQ(1, n);

	/*
	 * The VMID the guest writes is replaced by its vIOMMU's tag: naming
	 * the other VM's tag (or any) still hits only its own entries.
	 */
	test_cmd_iotlb_add(v.inst, v.tag, 1, 0, 0x1000, 0x1fff, true);
	batch[0] = cmd_tlbi_nh_asid(w.tag, 1);
	batch[1] = cmd_tlbi_nh_va(w.tag, 2, 0x1000, true, 0, 0, 0, 0);
	batch[2] = cmd_tlbi_nh_va(0xffff, 2, 0x2000, false, 0, 0, 0, 0);
	ASSERT_EQ(0, gq_issue_sync(&q, batch, 3));
	EXPECT_EQ(7, gq_rd(&q, VCMDQ_CTRL_CONS));
	n = iotlb_count_tag(self->fd, v.inst, v.tag);
	EXPECT_EQ(0, n);
	n = iotlb_count(self->fd, v.inst, w.tag, 1);
	EXPECT_EQ(1, n);
}

/*
 * A 32-entry queue, 1000 commands in batches of every size from 1 to a
 * full queue: CONS follows PROD through many wraps, index and wrap bit,
 * and every command did exactly its invalidation.
 */
TEST_F_TIMEOUT(fast, wrap_around, 120)
{
	const unsigned int log2size = 5, ncmds = 1000, nent = 1U << log2size;
	unsigned int done = 0, batches = 0, size = 1, total = 0, wraps = 0;
	struct cmd batch[32];
	__u32 last_cons = 0;
	struct fv v;
	struct gq q;
	long n;
	int i;

	REQUIRE_TEGRA(1);
	REQUIRE_TEST_IOCTL();
	fv_alloc(_metadata, self, &self->vm[0], self->tq[0].id, &v);
	fq_alloc(&v, 0, GPA(0), log2size, &q);
	ASSERT_EQ(0, gq_hw_init(&q));

	for (i = 0; i < (int)ncmds; i++) {
		test_cmd_iotlb_add(v.inst, v.tag, 7, 0, (__u64)i << 12,
				   ((__u64)i << 12) + 0xfff, true);
	}
	/* Guards: the same pages of another ASID, another page of this one. */
	for (i = 0; i < 10; i++) {
		test_cmd_iotlb_add(v.inst, v.tag, 8, 0, (__u64)i << 12,
				   ((__u64)i << 12) + 0xfff, true);
	}
	test_cmd_iotlb_add(v.inst, v.tag, 7, 0, 5000ULL << 12,
			   (5000ULL << 12) + 0xfff, true);

	while (done < ncmds) {
		unsigned int k, m = MIN(size, ncmds - done);

		for (k = 0; k < m; k++)
			batch[k] = cmd_tlbi_nh_va(0, 7, (__u64)(done + k) << 12,
						  true, 0, 0, 0, 0);
		ASSERT_EQ(0, gq_issue_sync(&q, batch, m))
			TH_LOG("batch %u of %u commands: CONS %#x PROD %#x",
			       batches, m, gq_rd(&q, VCMDQ_CTRL_CONS), q.sq.prod);
		done += m;
		total += m + 1;
		batches++;
		/* CONS == PROD: index and wrap bit, nothing else. */
		ASSERT_EQ(total & (2 * nent - 1), gq_rd(&q, VCMDQ_CTRL_CONS));
		ASSERT_EQ(q.sq.prod, gq_rd(&q, VCMDQ_CTRL_PROD));
		if (Q_WRP(&q, gq_cons(&q)) != Q_WRP(&q, last_cons))
			wraps++;
		last_cons = gq_cons(&q);
		/* 1, 2, ..., 31 (+ CMD_SYNC = a full queue), 1, ... */
		size = size % (nent - 1) + 1;
	}
	TH_LOG("%u commands in %u batches, %u entries, CONS wrapped %u times",
	       ncmds, batches, total, wraps);
	EXPECT_LE(total / nent - 1, wraps);
	EXPECT_LE(20, wraps);

	/*
	 * Streaming: no waiting for each sync, only for space, so producer
	 * and engine overlap across the wrap.
	 */
	for (i = 0; i < 300; i++) {
		test_cmd_iotlb_add(v.inst, v.tag, 9, 0, (__u64)i << 12,
				   ((__u64)i << 12) + 0xfff, true);
	}
	for (i = 0; i < 300; i++) {
		ASSERT_EQ(0, gq_wait_space(&q, 2));
		gq_put(&q, cmd_tlbi_nh_va(0, 9, (__u64)i << 12, false, 0, 0,
					  0, 0));
		if (i % 7 == 6)
			gq_put(&q, cmd_sync());
		if (i % 3 == 2)
			gq_publish(&q);
	}
	ASSERT_EQ(0, gq_issue_sync(&q, NULL, 0));
	EXPECT_EQ(q.sq.prod, gq_rd(&q, VCMDQ_CTRL_CONS));

	n = iotlb_count_range(self->fd, v.inst, v.tag, 7, 0,
			      ((__u64)ncmds << 12) - 1, 0);
	EXPECT_EQ(0, n);
	n = iotlb_count(self->fd, v.inst, v.tag, 7);
	EXPECT_EQ(1, n);
	n = iotlb_count(self->fd, v.inst, v.tag, 8);
	EXPECT_EQ(10, n);
	n = iotlb_count(self->fd, v.inst, v.tag, 9);
	EXPECT_EQ(0, n);
}

/* The smallest queue: 32 bytes, two entries, every batch fills it. */
TEST_F(fast, queue_min_size)
{
	struct fv v;
	struct gq q;
	long n;
	int i;

	REQUIRE_TEGRA(1);
	REQUIRE_TEST_IOCTL();
	fv_alloc(_metadata, self, &self->vm[0], self->tq[0].id, &v);
	fq_alloc(&v, 0, GPA(3) + 64, 1, &q);
	ASSERT_EQ(0, gq_hw_init(&q));
	for (i = 0; i < 40; i++) {
		test_cmd_iotlb_add(v.inst, v.tag, 100 + i, 0, 0, 0xfff, true);
	}
	for (i = 0; i < 40; i++) {
		ASSERT_EQ(0, gq_issue1(&q, cmd_tlbi_nh_asid(0, 100 + i)));
		ASSERT_EQ(((i + 1) * 2) & 3, gq_rd(&q, VCMDQ_CTRL_CONS));
	}
	n = iotlb_count_tag(self->fd, v.inst, v.tag);
	EXPECT_EQ(0, n);
}

/*
 * A large queue in a huge page (physically contiguous), also spanning two
 * S2 mappings; one batch far beyond what the engine takes per pass.
 */
TEST_F_TIMEOUT(fast, queue_large, 120)
{
	const unsigned int log2size = 17;	/* 2 MiB */
	const unsigned int ncmds = 4000;
	__u8 *huge;
	struct fv v;
	struct gq q;
	__u32 qid;
	long n;
	unsigned int i;

	REQUIRE_TEGRA(1);
	REQUIRE_TEST_IOCTL();
	ASSERT_LE(log2size, self->tq[0].max_queue_log2size);
	huge = huge_alloc(_metadata, self, 2);
	if (!huge)
		SKIP(return, "no huge pages (nr_hugepages cannot grow by 2)");
	fv_alloc(_metadata, self, &self->vm[0], self->tq[0].id, &v);

	/* Huge page 0 as one mapping, huge page 1 as two halves. */
	test_cmd_s2_map(self->vm[0].s2_id, GPA_HUGE, huge, HUGE_PAGE_SIZE);
	test_cmd_s2_map(self->vm[0].s2_id, GPA_HUGE + HUGE_PAGE_SIZE,
			huge + HUGE_PAGE_SIZE, HUGE_PAGE_SIZE / 2);
	test_cmd_s2_map(self->vm[0].s2_id, GPA_HUGE + 3 * HUGE_PAGE_SIZE / 2,
			huge + 3 * HUGE_PAGE_SIZE / 2, HUGE_PAGE_SIZE / 2);

	qid = fq_alloc_va(_metadata, &v, 0, GPA_HUGE, huge, log2size, &q);
	ASSERT_EQ(0, gq_hw_init(&q));
	for (i = 0; i < 50; i++) {
		test_cmd_iotlb_add(v.inst, v.tag, i, 0, 0, 0xfff, true);
	}
	for (i = 0; i < ncmds; i++)
		gq_put(&q, cmd_tlbi_nh_asid(0, i % 100));
	gq_put(&q, cmd_sync());
	gq_publish(&q);
	ASSERT_EQ(0, gq_wait_past(&q, ncmds));
	EXPECT_EQ(ncmds + 1, gq_rd(&q, VCMDQ_CTRL_CONS));
	n = iotlb_count_tag(self->fd, v.inst, v.tag);
	EXPECT_EQ(0, n);

	/* Across two S2 mappings of one contiguous page: fine, and pinned. */
	fq_alloc_va(_metadata, &v, 1, GPA_HUGE + HUGE_PAGE_SIZE,
		    huge + HUGE_PAGE_SIZE, log2size, &q);
	ASSERT_EQ(0, gq_hw_init(&q));
	test_cmd_iotlb_add(v.inst, v.tag, 1, 0, 0, 0xfff, true);
	for (i = 0; i < (1U << log2size) / 2 + 10; i++)
		gq_put(&q, cmd_sync());
	gq_put(&q, cmd_tlbi_nh_asid(0, 1));
	gq_put(&q, cmd_sync());
	gq_publish(&q);
	ASSERT_EQ(0, gq_wait_past(&q, Q_PTR(&q, q.sq.prod - 1)));
	n = iotlb_count(self->fd, v.inst, v.tag, 1);
	EXPECT_EQ(0, n);
	test_err_s2_unmap(EBUSY, self->vm[0].s2_id,
			  GPA_HUGE + 3 * HUGE_PAGE_SIZE / 2, HUGE_PAGE_SIZE / 2);
	test_err_s2_unmap(EBUSY, self->vm[0].s2_id, GPA_HUGE, HUGE_PAGE_SIZE);
	test_err_destroy(EBUSY, qid);
}

/*
 * A queue over pages that are virtually but not physically contiguous (no
 * huge page, no two neighbouring pages physically adjacent).  With
 * queue_contiguous=1 (the hardware's rule) the instance lacks
 * VCMDQ_INSTANCE_CAP_QUEUE_NONCONTIG and QUEUE_ALLOC refuses it (EFAULT,
 * nothing created or pinned); with 0 it has the cap and the engine reads
 * the queue through a kernel mapping, entries on every page and at each
 * page boundary included.
 */
TEST_F_TIMEOUT(fast, queue_noncontig, 120)
{
	const unsigned int log2size = 10;	/* 16 KiB: four pages */
	const unsigned int npages = (CMDQ_ENT_SIZE << log2size) / PAGE_SIZE;
	const unsigned int ncmds = (1U << log2size) - 8;
	unsigned int i;
	long objects, pinned;
	__u8 *va;
	struct fv v;
	struct gq q;
	long n;

	REQUIRE_TEGRA(1);
	REQUIRE_TEST_IOCTL();
	ASSERT_LE(log2size, self->tq[0].max_queue_log2size);
	va = alloc_gapped(_metadata, self, npages);

	fv_alloc(_metadata, self, &self->vm[0], self->tq[0].id, &v);
	test_cmd_s2_map(self->vm[0].s2_id, GPA_EXTRA, va, npages * PAGE_SIZE);
	objects = live_objects();
	pinned = pinned_pages();
	queue_contiguous_set(_metadata, self, 1);
	test_err_queue_alloc(EFAULT, v.id, 0, GPA_EXTRA,
			     CMDQ_ENT_SIZE << log2size);
	EXPECT_EQ(objects, live_objects());
	EXPECT_EQ(pinned, pinned_pages());
	queue_contiguous_set(_metadata, self, 0);

	fq_alloc_va(_metadata, &v, 0, GPA_EXTRA, va, log2size, &q);
	ASSERT_EQ(0, gq_hw_init(&q));
	for (i = 0; i < 64; i++)
		test_cmd_iotlb_add(v.inst, v.tag, i, 0, 0, 0xfff, true);
	/* Every ASID once in the last page, so the whole queue is read. */
	for (i = 0; i < ncmds; i++)
		gq_put(&q, i < ncmds - 64 ? cmd_sync() :
			   cmd_tlbi_nh_asid(0, i - (ncmds - 64)));
	gq_put(&q, cmd_sync());
	gq_publish(&q);
	ASSERT_EQ(0, gq_wait_past(&q, ncmds));
	EXPECT_EQ(ncmds + 1, gq_rd(&q, VCMDQ_CTRL_CONS));
	n = iotlb_count_tag(self->fd, v.inst, v.tag);
	EXPECT_EQ(0, n);
}

/* ---- what each command invalidates ---------------------------------------- */

/*
 * TLBI_NH_VA removes only the entries of its ASID that overlap its range,
 * only leaf entries with LEAF = 1; ranges as Linux encodes them.
 */
TEST_F(fast, nh_va_ranges)
{
	static const struct {
		__u64 start, last;
		bool leaf;
	} e[] = {
		{ 0x1000, 0x1fff, true },	/* 0 */
		{ 0x2000, 0x2fff, false },	/* 1: a table (walk cache) entry */
		{ 0x3000, 0x3fff, true },	/* 2 */
		{ 0x10000, 0x1ffff, true },	/* 3: 64K */
		{ 0x20000, 0x20fff, true },	/* 4: right after 3 */
		{ 0x200000, 0x3fffff, true },	/* 5: a 2M block */
		{ 0x400000, 0x400fff, true },	/* 6: right after 5 */
		{ 0x423000, 0x423fff, true },	/* 7: just past what 8 commands reach */
	};
	const __u16 A = 3, B = 4;
	const int ne = ARRAY_SIZE(e);
	struct cmd c[8];
	struct fv v, w;
	struct gq q;
	unsigned int nc;
	int i;

	REQUIRE_TEGRA(1);
	REQUIRE_TEST_IOCTL();
	fv_alloc(_metadata, self, &self->vm[0], self->tq[0].id, &v);
	fv_alloc(_metadata, self, vm_get(_metadata, self, 1), self->tq[0].id,
		 &w);
	fq_alloc(&v, 0, GPA(0), 4, &q);
	ASSERT_EQ(0, gq_hw_init(&q));
	for (i = 0; i < ne; i++) {
		test_cmd_iotlb_add(v.inst, v.tag, A, 0, e[i].start, e[i].last,
				   e[i].leaf);
		test_cmd_iotlb_add(v.inst, v.tag, B, 0, e[i].start, e[i].last,
				   e[i].leaf);
		test_cmd_iotlb_add(v.inst, w.tag, A, 0, e[i].start, e[i].last,
				   e[i].leaf);
	}
#define LEFT(i) iotlb_count_range(self->fd, v.inst, v.tag, A, e[i].start, \
				  e[i].start, 0)
#define REMAIN(n) do {                                                       \
		long __n = iotlb_count(self->fd, v.inst, v.tag, A);          \
		EXPECT_EQ(n, __n);                                           \
		__n = iotlb_count(self->fd, v.inst, v.tag, B);               \
		EXPECT_EQ(ne, __n);                                          \
		__n = iotlb_count(self->fd, v.inst, w.tag, A);               \
		EXPECT_EQ(ne, __n);                                          \
	} while (0)

	/* TG = 0: the one address, whatever the entry's size. */
	ASSERT_EQ(0, gq_issue1(&q, cmd_tlbi_nh_va(0, A, 0x1800, false, 0, 0, 0, 0)));
	EXPECT_EQ(0, LEFT(0));
	REMAIN(ne - 1);
	/* 2 x 4K from 0x2000, LEAF: the table entry stays, the leaf goes. */
	ASSERT_EQ(0, gq_issue1(&q, cmd_tlbi_nh_va(0, A, 0x2000, true, 1, 1, 0, 0)));
	EXPECT_EQ(1, LEFT(1));
	EXPECT_EQ(0, LEFT(2));
	REMAIN(ne - 2);
	/* The same without LEAF: the table entry goes too. */
	ASSERT_EQ(0, gq_issue1(&q, cmd_tlbi_nh_va(0, A, 0x2000, false, 1, 1, 0, 0)));
	EXPECT_EQ(0, LEFT(1));
	REMAIN(ne - 3);
	/* Linux's encoding of 64K at 0x10000, 4K granule: NUM 0, SCALE 4. */
	nc = guest_tlbi_range(c, 8, A, 0x10000, 0x10000, 0x1000, true);
	ASSERT_EQ(1, nc);
	EXPECT_EQ(CMDQ_OP_TLBI_NH_VA | CMDQ_TLBI_0_SCALE(4) | CMDQ_TLBI_0_ASID(A),
		  c[0].w[0]);
	ASSERT_EQ(0, gq_issue_sync(&q, c, nc));
	EXPECT_EQ(0, LEFT(3));
	EXPECT_EQ(1, LEFT(4));
	REMAIN(ne - 4);
	/* 64K granule: 32 x 64K = 2M from 0x200000; the next page stays. */
	ASSERT_EQ(0, gq_issue1(&q, cmd_tlbi_nh_va(0, A, 0x200000, true, 3, 31, 0, 0)));
	EXPECT_EQ(0, LEFT(5));
	EXPECT_EQ(1, LEFT(6));
	REMAIN(ne - 5);
	/* 16K granule, one granule at 0x20000. */
	ASSERT_EQ(0, gq_issue1(&q, cmd_tlbi_nh_va(0, A, 0x20000, true, 2, 0, 0, 0)));
	EXPECT_EQ(0, LEFT(4));
	REMAIN(ne - 6);
	/* 35 pages from 0x400000 as Linux splits it: 3 pages, then 32. */
	nc = guest_tlbi_range(c, 8, A, 0x400000, 35 * 0x1000, 0x1000, true);
	ASSERT_EQ(2, nc);
	ASSERT_EQ(0, gq_issue_sync(&q, c, nc));
	EXPECT_EQ(0, LEFT(6));
	EXPECT_EQ(1, LEFT(7));
	REMAIN(ne - 7);
	/* The whole ASID. */
	ASSERT_EQ(0, gq_issue1(&q, cmd_tlbi_nh_asid(0, A)));
	REMAIN(0);
	ASSERT_EQ(0, gq_issue1(&q, cmd_tlbi_nh_asid(0, B)));
	EXPECT_EQ(0, iotlb_count_tag(self->fd, v.inst, v.tag));
	EXPECT_EQ(ne, iotlb_count(self->fd, v.inst, w.tag, A));
#undef LEFT
#undef REMAIN
}

/*
 * Two VMs on one instance using the same ASID: each one's TLBI_NH_ASID and
 * TLBI_NH_VA remove only its own entries, whatever VMID it writes.
 */
TEST_F(fast, isolation_two_vms)
{
	const __u16 asid = 5;
	struct fv a, b;
	struct gq qa, qb;
	__u32 tb;
	long n;
	int i;

	REQUIRE_TEGRA(1);
	REQUIRE_TEST_IOCTL();
	fv_alloc(_metadata, self, &self->vm[0], self->tq[0].id, &a);
	fv_alloc(_metadata, self, vm_get(_metadata, self, 1), self->tq[0].id,
		 &b);
	ASSERT_NE(a.tag, b.tag);
	fq_alloc(&a, 0, GPA(0), 4, &qa);
	fq_alloc(&b, 0, GPA(0), 4, &qb);	/* same GPA, other VM */
	ASSERT_EQ(0, gq_hw_init(&qa));
	ASSERT_EQ(0, gq_hw_init(&qb));
	for (i = 0; i < 4; i++) {
		__u64 s = (__u64)i << 12;

		test_cmd_iotlb_add(a.inst, a.tag, asid, 0, s, s + 0xfff, true);
		test_cmd_iotlb_add(b.inst, b.tag, asid, 0, s, s + 0xfff, true);
	}
	test_cmd_iotlb_add(a.inst, a.tag, asid + 1, 0, 0, 0xfff, true);
	test_cmd_iotlb_add(b.inst, b.tag, asid + 1, 0, 0, 0xfff, true);
	test_cmd_iotlb_add(b.inst, b.tag, asid + 1, 0, 0x1000, 0x1fff, true);

	/* VM A invalidates its ASID 5, even claiming B's VMID. */
	ASSERT_EQ(0, gq_issue1(&qa, cmd_tlbi_nh_asid(b.tag, asid)));
	n = iotlb_count(self->fd, a.inst, a.tag, asid);
	EXPECT_EQ(0, n);
	n = iotlb_count(self->fd, b.inst, b.tag, asid);
	EXPECT_EQ(4, n);
	n = iotlb_count(self->fd, a.inst, a.tag, asid + 1);
	EXPECT_EQ(1, n);

	/* VM B: one page of its ASID 6, claiming A's VMID. */
	ASSERT_EQ(0, gq_issue1(&qb, cmd_tlbi_nh_va(a.tag, asid + 1, 0, true,
						   0, 0, 0, 0)));
	n = iotlb_count(self->fd, b.inst, b.tag, asid + 1);
	EXPECT_EQ(1, n);
	n = iotlb_count(self->fd, a.inst, a.tag, asid + 1);
	EXPECT_EQ(1, n);
	n = iotlb_count(self->fd, b.inst, b.tag, asid);
	EXPECT_EQ(4, n);

	/*
	 * B's tag goes back to the instance when B closes: nothing B cached
	 * may survive into the next VM given that tag.
	 */
	tb = b.tag;
	ASSERT_EQ(0, unmap_tracked(self, b.ctrl));
	vm_close(self, 1);
	n = iotlb_count_tag(self->fd, a.inst, tb);
	EXPECT_EQ(0, n);
	n = iotlb_count_tag(self->fd, a.inst, a.tag);
	EXPECT_EQ(1, n);
}

/* ---- engine: fairness between VMs, per-VM CPU time, engine_cpu ---------- */

/* A VCMDQ_TEST ENGINE op on @inst; its out_count in *@out. */
static int test_engine_op(int fd, __u32 op, __u32 inst, __u32 *out)
{
	struct vcmdq_test cmd = {
		.size = sizeof(cmd),
		.op = op,
		.instance_id = inst,
	};
	int ret = ioctl(fd, VCMDQ_TEST, &cmd);

	if (!ret && out)
		*out = cmd.out_count;
	return ret;
}

/* GET_OBJECTS' entry of the calling file's vIOMMU @id; 0 or -1. */
static int viommu_info(int fd, __u32 id, struct vcmdq_object_info *out)
{
	struct vcmdq_object_info objs[64];
	struct vcmdq_get_objects g = {
		.size = sizeof(g),
		.entry_len = sizeof(objs[0]),
		.num_objects = 64,
		.objects_uptr = (uintptr_t)objs,
	};
	__u32 i;

	if (ioctl(fd, VCMDQ_GET_OBJECTS, &g))
		return -1;
	for (i = 0; i < g.num_objects && i < 64; i++) {
		if (objs[i].type == VCMDQ_OBJECT_VIOMMU && objs[i].id == id) {
			*out = objs[i];
			return 0;
		}
	}
	return -1;
}

/* Fill @q (empty, CONS 0) with @n CMD_SYNCs and publish PROD. */
static void gq_fill_syncs(struct gq *q, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		gq_put(q, cmd_sync());
	gq_publish(q);
}

/*
 * The engine's fairness bound, as behaviour: with the engine held, each
 * pass (made by the test, VCMDQ_TEST ENGINE_PASS) gives each vIOMMU one
 * budget over all its queues.  VM A keeps four full queues, VM B one: a
 * pass consumes one budget of each (per queue, A would get four times B's
 * share), and A's queues take turns at the head of its share.  The
 * per-vIOMMU accounting (GET_OBJECTS engine_commands, engine_ns) counts
 * exactly what was consumed.
 */
TEST_F(fast, engine_fair_two_vms)
{
	struct vcmdq_object_info ia, ib;
	struct fv a, b;
	struct gq qa[4], qb;
	__u32 budget = 0, done = 0, nent;
	int i;

	REQUIRE_TEGRA(1);
	REQUIRE_TEST_IOCTL();
	fv_alloc(_metadata, self, &self->vm[0], self->tq[0].id, &a);
	fv_alloc(_metadata, self, vm_get(_metadata, self, 1), self->tq[0].id,
		 &b);
	/* One page each: 256 entries. */
	for (i = 0; i < 4; i++) {
		fq_alloc(&a, i, GPA(i), 8, &qa[i]);
		ASSERT_EQ(0, gq_hw_init(&qa[i]));
	}
	fq_alloc(&b, 0, GPA(0), 8, &qb);
	ASSERT_EQ(0, gq_hw_init(&qb));
	nent = gq_nent(&qb);
	ASSERT_EQ(256, nent);

	ASSERT_EQ(0, test_engine_op(self->fd, VCMDQ_TEST_ENGINE_HOLD,
				    a.inst, &budget));
	/* Each VM alone has at least one budget pending. */
	ASSERT_LE(budget, nent);
	ASSERT_LT(0, budget);
	for (i = 0; i < 4; i++)
		gq_fill_syncs(&qa[i], nent);
	gq_fill_syncs(&qb, nent);
	/* Held: nothing moves until the test's own pass. */
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, gq_cons(&qa[i]));
	EXPECT_EQ(0, gq_cons(&qb));

	ASSERT_EQ(0, test_engine_op(self->fd, VCMDQ_TEST_ENGINE_PASS, a.inst,
				    &done));
	EXPECT_EQ(2 * budget, done);
	/* A's first queue, then nothing of A's: its budget is spent. */
	EXPECT_EQ(budget, gq_cons(&qa[0]));
	for (i = 1; i < 4; i++)
		EXPECT_EQ(0, gq_cons(&qa[i]));
	EXPECT_EQ(budget, gq_cons(&qb));

	/* B is empty: A alone, from its next queue. */
	ASSERT_EQ(0, test_engine_op(self->fd, VCMDQ_TEST_ENGINE_PASS, a.inst,
				    &done));
	EXPECT_EQ(budget, done);
	EXPECT_EQ(budget, gq_cons(&qa[1]));
	EXPECT_EQ(0, gq_cons(&qa[2]));
	EXPECT_EQ(0, gq_cons(&qa[3]));

	ASSERT_EQ(0, viommu_info(a.vm->fd, a.id, &ia));
	ASSERT_EQ(0, viommu_info(b.vm->fd, b.id, &ib));
	EXPECT_EQ(2 * budget, ia.engine_commands);
	EXPECT_EQ(budget, ib.engine_commands);
	EXPECT_LT(0, ia.engine_ns);
	EXPECT_LT(0, ib.engine_ns);

	/* Released, the thread drains the rest, still counted to A. */
	ASSERT_EQ(0, test_engine_op(self->fd, VCMDQ_TEST_ENGINE_RELEASE,
				    a.inst, NULL));
	for (i = 0; i < 4; i++) {
		gq_maybe_kick(&qa[i]);
		EXPECT_EQ(0, gq_wait_past(&qa[i], qa[i].sq.prod - 1));
	}
	ASSERT_EQ(0, viommu_info(a.vm->fd, a.id, &ia));
	EXPECT_EQ(4 * nent, ia.engine_commands);
	ASSERT_EQ(0, viommu_info(b.vm->fd, b.id, &ib));
	EXPECT_EQ(nent, ib.engine_commands);
}

/* The ENGINE test ops' errnos; a file's hold ends with the file. */
TEST_F(fast, engine_hold_errnos)
{
	const struct vcmdq_instance_info *slow = NULL;
	__u32 out = 0;
	int fd2, i;

	REQUIRE_TEGRA(1);
	REQUIRE_TEST_IOCTL();
	for (i = 0; i < self->num_instances; i++)
		if (!(self->info[i].caps & VCMDQ_INSTANCE_CAP_FAST_QUEUES))
			slow = &self->info[i];

	errno = 0;
	EXPECT_EQ(-1, test_engine_op(self->fd, VCMDQ_TEST_ENGINE_PASS,
				     self->tq[0].id, &out));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, test_engine_op(self->fd, VCMDQ_TEST_ENGINE_RELEASE,
				     self->tq[0].id, NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, test_engine_op(self->fd, VCMDQ_TEST_ENGINE_HOLD, 0,
				     &out));
	EXPECT_EQ(ENOENT, errno);
	if (slow) {
		EXPECT_EQ(-1, test_engine_op(self->fd, VCMDQ_TEST_ENGINE_HOLD,
					     slow->id, &out));
		EXPECT_EQ(EINVAL, errno);
	}

	ASSERT_EQ(0, test_engine_op(self->fd, VCMDQ_TEST_ENGINE_HOLD,
				    self->tq[0].id, &out));
	/* Holding twice is holding. */
	ASSERT_EQ(0, test_engine_op(self->fd, VCMDQ_TEST_ENGINE_HOLD,
				    self->tq[0].id, &out));
	fd2 = vcmdq_open_dev();
	ASSERT_LE(0, fd2);
	track_fd(_metadata, self, fd2);
	EXPECT_EQ(-1, test_engine_op(fd2, VCMDQ_TEST_ENGINE_HOLD,
				     self->tq[0].id, &out));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(-1, test_engine_op(fd2, VCMDQ_TEST_ENGINE_PASS,
				     self->tq[0].id, &out));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, test_engine_op(fd2, VCMDQ_TEST_ENGINE_RELEASE,
				     self->tq[0].id, NULL));
	EXPECT_EQ(EINVAL, errno);
	/* No queue: a pass consumes nothing. */
	EXPECT_EQ(0, test_engine_op(self->fd, VCMDQ_TEST_ENGINE_PASS,
				    self->tq[0].id, &out));

	/* The holder's close releases: the other file may hold. */
	vm_close(self, 0);
	EXPECT_EQ(0, test_engine_op(fd2, VCMDQ_TEST_ENGINE_HOLD,
				    self->tq[0].id, &out));
	EXPECT_EQ(0, test_engine_op(fd2, VCMDQ_TEST_ENGINE_RELEASE,
				    self->tq[0].id, NULL));
}

/* The instance's counter @name (sysfs), or -1. */
static long inst_counter(__u32 inst, const char *name)
{
	char path[96];

	snprintf(path, sizeof(path), "instances/%u/counters/%s", inst, name);
	return vcmdq_counter(path);
}

/*
 * The engine executes a run of TLBI_NH_VAs of adjacent pages (a guest's
 * per-page loop) as one invalidation of their union: what goes and what
 * stays is what the commands one by one would give (the gaps between runs,
 * another ASID, stay), and the counters still count commands.
 */
TEST_F(fast, engine_merges_adjacent_tlbi)
{
	const __u16 asid = 5;
	struct cmd cmds[8];
	long tlb0, sync0;
	struct fv v;
	struct gq q;
	int i, n = 0;

	REQUIRE_TEGRA(1);
	REQUIRE_TEST_IOCTL();
	fv_alloc(_metadata, self, &self->vm[0], self->tq[0].id, &v);
	fq_alloc(&v, 0, GPA(0), 4, &q);
	ASSERT_EQ(0, gq_hw_init(&q));
	for (i = 0; i < 10; i++) {
		__u64 s = (__u64)i << 12;

		test_cmd_iotlb_add(v.inst, v.tag, asid, 0, s, s + 0xfff, true);
	}
	test_cmd_iotlb_add(v.inst, v.tag, asid + 1, 0, 0x2000, 0x2fff, true);
	tlb0 = inst_counter(v.inst, "inv_tlb");
	sync0 = inst_counter(v.inst, "sync");
	ASSERT_LE(0, tlb0);

	/* Pages 0-3, then 5-6 (leaf), then 8 (not leaf): three runs. */
	for (i = 0; i < 4; i++)
		cmds[n++] = cmd_tlbi_nh_va(0, asid, (__u64)i << 12, true, 0, 0,
					   0, 0);
	for (i = 5; i < 7; i++)
		cmds[n++] = cmd_tlbi_nh_va(0, asid, (__u64)i << 12, true, 0, 0,
					   0, 0);
	cmds[n++] = cmd_tlbi_nh_va(0, asid, 8ULL << 12, false, 0, 0, 0, 0);
	ASSERT_EQ(0, gq_issue_sync(&q, cmds, n));

	for (i = 0; i < 10; i++) {
		__u64 s = (__u64)i << 12;
		long want = i == 4 || i == 7 || i == 9;

		EXPECT_EQ(want, iotlb_count_range(self->fd, v.inst, v.tag,
						  asid, s, s + 0xfff, 0))
			TH_LOG("page %d", i);
	}
	EXPECT_EQ(1, iotlb_count(self->fd, v.inst, v.tag, asid + 1));
	EXPECT_EQ(tlb0 + n, inst_counter(v.inst, "inv_tlb"));
	EXPECT_EQ(sync0 + 1, inst_counter(v.inst, "sync"));
}

/* The CPUs in the affinity of @pid, as a set; -1 on error. */
static int task_cpus(int pid, cpu_set_t *set)
{
	CPU_ZERO(set);
	return sched_getaffinity(pid, sizeof(*set), set);
}

/*
 * engine_cpu pins every engine thread to a CPU (sched_getaffinity of the
 * thread shows it) and -1 unpins it; a CPU that is not online, or what is
 * not a number, is EINVAL and changes nothing.
 */
TEST_F(fast, engine_cpu)
{
	long ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	int pid[2], i, cpu;
	cpu_set_t set;

	REQUIRE_TEGRA(1);
	ASSERT_EQ(0, access(VCMDQ_PARAMS "engine_cpu", W_OK))
		TH_LOG("no writable engine_cpu parameter: %s", strerror(errno));
	ASSERT_LT(0, ncpus);
	cpu = ncpus - 1;
	for (i = 0; i < self->ntq; i++) {
		pid[i] = engine_pid(self->tq[i].id);
		ASSERT_LT(0, pid[i]);
	}

	ASSERT_EQ(0, param_write("engine_cpu", cpu));
	EXPECT_EQ(cpu, param_read("engine_cpu"));
	for (i = 0; i < self->ntq; i++) {
		ASSERT_EQ(0, task_cpus(pid[i], &set));
		EXPECT_EQ(1, CPU_COUNT(&set));
		EXPECT_TRUE(CPU_ISSET(cpu, &set));
	}

	errno = 0;
	EXPECT_EQ(-1, param_write("engine_cpu", ncpus + 64));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, param_write("engine_cpu", -2));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, write_str(VCMDQ_PARAMS "engine_cpu", "one\n"));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(cpu, param_read("engine_cpu"));
	ASSERT_EQ(0, task_cpus(pid[0], &set));
	EXPECT_EQ(1, CPU_COUNT(&set));

	ASSERT_EQ(0, param_write("engine_cpu", -1));
	EXPECT_EQ(-1, param_read("engine_cpu"));
	for (i = 0; i < self->ntq; i++) {
		ASSERT_EQ(0, task_cpus(pid[i], &set));
		EXPECT_EQ(ncpus, CPU_COUNT(&set));
	}
	/* Teardown puts back a value set at load. */
}

/* ---- vDEVICEs ------------------------------------------------------------ */

/* CAP_SYS_ADMIN path or VFIO group path, as the VM's devices decide. */
static bool dev_has_group(const struct pdev *d)
{
	return pci_iommu_group(d->bdf) >= 0;
}

#define REQUIRE_DEVICES(inst_out, n)                                          \
	do {                                                                  \
		inst_out = tegra_with_devices(self, n);                       \
		if (!inst_out)                                                \
			SKIP(return, "no tegra241-cmdqv instance with %d devices (module parameter devices, edu devices in the VM)", \
			     n);                                              \
	} while (0)

/*
 * ATC_INV's StreamID is the vSID: translated through the issuing vIOMMU's
 * vDEVICEs, it reaches that device's ATC only; another VM's vSID, or a
 * physical StreamID, is unknown (CERROR_ILL).
 */
TEST_F(fast, atc_inv_vsid)
{
	const struct vcmdq_instance_info *inst;
	const struct pdev *d0, *d1;
	__u32 vd0, vd1, p0, p1;
	int vf0, vf1;
	struct fv a, b;
	struct gq qa, qb;
	long n;

	REQUIRE_TEGRA(1);
	REQUIRE_TEST_IOCTL();
	REQUIRE_DEVICES(inst, 2);
	d0 = pdev_of(self, inst->id, 0);
	d1 = pdev_of(self, inst->id, 1);
	ASSERT_TRUE(dev_proof(_metadata, self, d0, &vf0));
	ASSERT_TRUE(dev_proof(_metadata, self, d1, &vf1));
	/* VM A owns device 0 as vSID 0x100, VM B device 1 as vSID 0x200. */
	fv_alloc(_metadata, self, &self->vm[0], inst->id, &a);
	fv_alloc(_metadata, self, vm_get(_metadata, self, 1), inst->id, &b);
	test_cmd_vdevice_alloc(a.id, vf0, d0->pci, 0x100, &vd0, &p0);
	ASSERT_EQ(0, _test_cmd_vdevice_alloc(b.vm->fd, b.id, vf1, d1->pci,
					     0x200, &vd1, &p1))
		TH_LOG("VDEVICE_ALLOC: %s", strerror(errno));
	/* The physical ID is the requester ID: bus, device, function. */
	EXPECT_EQ(d0->pci & 0xffff, p0);
	EXPECT_EQ(d1->pci & 0xffff, p1);
	ASSERT_NE(0x100, p0);
	ASSERT_NE(0x200, p0);
	fq_alloc(&a, 0, GPA(0), 4, &qa);
	fq_alloc(&b, 0, GPA(0), 4, &qb);
	ASSERT_EQ(0, gq_hw_init(&qa));
	ASSERT_EQ(0, gq_hw_init(&qb));

	test_cmd_atc_add(inst->id, p0, 0, 0, 0xfff);
	test_cmd_atc_add(inst->id, p0, 0, 0x10000, 0x1ffff);
	test_cmd_atc_add(inst->id, p0, 1, 0, 0xfff);
	test_cmd_atc_add(inst->id, p0, 2, 0x5000, 0x5fff);
	test_cmd_atc_add(inst->id, p1, 0, 0, 0xfff);
	test_cmd_atc_add(inst->id, p1, 1, 0, 0xfff);

	/* SSV, SSID 1, everything: that substream of device 0 only */
	ASSERT_EQ(0, gq_issue1(&qa, cmd_atc_inv(0x100, true, 1, 0,
						ATC_INV_SIZE_ALL, false)));
	n = atc_count_sid(self->fd, inst->id, p0);
	EXPECT_EQ(3, n);
	n = atc_count_range(self->fd, inst->id, p0, 1, false, 0, UINT64_MAX);
	EXPECT_EQ(0, n);
	n = atc_count_sid(self->fd, inst->id, p1);
	EXPECT_EQ(2, n);
	/* No SSV, 64K at 0x10000 (SIZE 4): every substream, that range */
	ASSERT_EQ(0, gq_issue1(&qa, cmd_atc_inv(0x100, false, 0, 0x10000, 4,
						false)));
	n = atc_count_sid(self->fd, inst->id, p0);
	EXPECT_EQ(2, n);
	n = atc_count_range(self->fd, inst->id, p0, 0, false, 0x10000, 0x1ffff);
	EXPECT_EQ(0, n);
	/* As Linux encodes one page of SSID 2 */
	ASSERT_EQ(0, gq_issue1(&qa, guest_atc_inv(0x100, true, 2, 0x5000, 0x1000)));
	n = atc_count_sid(self->fd, inst->id, p0);
	EXPECT_EQ(1, n);

	/* VM B's vSID means nothing to VM A: illegal, nothing done. */
	ASSERT_EQ(-EIO, gq_issue1(&qa, guest_atc_inv(0x200, false, 0, 0, 0)));
	EXPECT_EQ(VCMDQ_CERROR_ILL, gq_cons_err(&qa));
	n = atc_count_sid(self->fd, inst->id, p1);
	EXPECT_EQ(2, n);
	gq_skip_and_ack(&qa);
	ASSERT_EQ(0, gq_wait_past(&qa, Q_PTR(&qa, qa.sq.prod - 1)));
	/* ... nor does the physical ID. */
	ASSERT_EQ(-EIO, gq_issue1(&qa, cmd_atc_inv(p0, false, 0, 0,
						   ATC_INV_SIZE_ALL, false)));
	EXPECT_EQ(VCMDQ_CERROR_ILL, gq_cons_err(&qa));
	n = atc_count_sid(self->fd, inst->id, p0);
	EXPECT_EQ(1, n);
	gq_skip_and_ack(&qa);
	ASSERT_EQ(0, gq_wait_past(&qa, Q_PTR(&qa, qa.sq.prod - 1)));
	/* VM B reaches its device with its vSID, and not VM A's device. */
	ASSERT_EQ(-EIO, gq_issue1(&qb, guest_atc_inv(0x100, false, 0, 0, 0)));
	gq_skip_and_ack(&qb);
	ASSERT_EQ(0, gq_wait_past(&qb, Q_PTR(&qb, qb.sq.prod - 1)));
	ASSERT_EQ(0, gq_issue1(&qb, guest_atc_inv(0x200, false, 0, 0, 0)));
	n = atc_count_sid(self->fd, inst->id, p1);
	EXPECT_EQ(0, n);
	n = atc_count_sid(self->fd, inst->id, p0);
	EXPECT_EQ(1, n);

	/* A destroyed vDEVICE's vSID is unknown again (and its ATC dropped). */
	test_ioctl_destroy(vd0);
	n = atc_count_sid(self->fd, inst->id, p0);
	EXPECT_EQ(0, n);
	ASSERT_EQ(-EIO, gq_issue1(&qa, cmd_atc_inv(0x100, false, 0, 0,
						   ATC_INV_SIZE_ALL, false)));
	EXPECT_EQ(VCMDQ_CERROR_ILL, gq_cons_err(&qa));
	gq_skip_and_ack(&qa);
	ASSERT_EQ(0, gq_wait_past(&qa, Q_PTR(&qa, qa.sq.prod - 1)));
}

/* Errnos shared by both ownership paths. */
TEST_F(fast, vdevice_alloc_errnos)
{
	const struct vcmdq_instance_info *inst, *other_inst = NULL;
	const struct pdev *d0, *d1, *dx = NULL;
	struct vcmdq_vdevice_alloc cmd;
	__u32 vid, vid2, phys, slow;
	int vf0, vf1 = -1, vfx = -1, i;
	long objects;
	struct fv v, w;
	__u8 raw[sizeof(cmd) + 8];

	REQUIRE_TEGRA(1);
	REQUIRE_DEVICES(inst, 1);
	d0 = pdev_of(self, inst->id, 0);
	d1 = pdev_of(self, inst->id, 1);
	for (i = 0; i < self->npdevs && !dx; i++)
		if (self->pdevs[i].inst != inst->id)
			dx = &self->pdevs[i];
	ASSERT_TRUE(dev_proof(_metadata, self, d0, &vf0));
	if (d1) {
		ASSERT_TRUE(dev_proof(_metadata, self, d1, &vf1));
	}
	if (dx) {
		ASSERT_TRUE(dev_proof(_metadata, self, dx, &vfx));
		other_inst = find_info(self, dx->inst);
	}
	fv_alloc(_metadata, self, &self->vm[0], inst->id, &v);
	objects = live_objects();

	/* EOPNOTSUPP: flags, __reserved */
	cmd = (struct vcmdq_vdevice_alloc){ .size = sizeof(cmd), .flags = 1,
		.viommu_id = v.id, .vfio_fd = vf0, .pci_device = d0->pci,
		.virt_id = 1 };
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, VCMDQ_VDEVICE_ALLOC, &cmd));
	cmd.flags = 0;
	cmd.__reserved = 1;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, VCMDQ_VDEVICE_ALLOC, &cmd));
	/* ENOENT: no such vIOMMU */
	test_err_vdevice_alloc(ENOENT, 0, vf0, d0->pci, 1);
	test_err_vdevice_alloc(ENOENT, self->vm[0].s2_id, vf0, d0->pci, 1);
	test_err_vdevice_alloc(ENOENT, v.id + 100, vf0, d0->pci, 1);
	/* ENODEV: no such PCI device */
	test_err_vdevice_alloc(ENODEV, v.id, vf0, VCMDQ_PCI_DEVICE(0, 0, 0x1e, 7), 1);
	test_err_vdevice_alloc(ENODEV, v.id, vf0, VCMDQ_PCI_DEVICE(0x77, 3, 1, 0), 1);
	/* EINVAL: not behind this instance; virt_id too large */
	if (dx) {
		test_err_vdevice_alloc(EINVAL, v.id, vfx, dx->pci, 1);
	} else {
		TH_LOG("no device behind another instance: that EINVAL not checked");
	}
	for (i = 0; i < self->num_instances; i++) {
		/* A host instance has the VM's devices, not the parameter's. */
		if (self->info[i].id == inst->id ||
		    (self->info[i].caps & VCMDQ_INSTANCE_CAP_HOST) ||
		    pdev_of(self, self->info[i].id, 0))
			continue;
		/* an instance with no devices at all (smmuv3, amd-vi, ...) */
		test_cmd_viommu_alloc(self->info[i].id, self->vm[0].s2_id, &slow, NULL);
		test_err_vdevice_alloc(EINVAL, slow, vf0, d0->pci, 1);
		test_ioctl_destroy(slow);
	}
	test_err_vdevice_alloc(EINVAL, v.id, vf0, d0->pci, 1ULL << 32);
	test_err_vdevice_alloc(EINVAL, v.id, vf0, d0->pci, UINT64_MAX);
	ASSERT_EQ(objects, live_objects());

	/* E2BIG with valid inputs: nothing created. */
	memset(raw, 0, sizeof(raw));
	cmd = (struct vcmdq_vdevice_alloc){ .size = sizeof(cmd) + 1,
		.viommu_id = v.id, .vfio_fd = vf0, .pci_device = d0->pci,
		.virt_id = 0xffffffff };
	memcpy(raw, &cmd, sizeof(cmd));
	raw[sizeof(cmd)] = 1;
	EXPECT_ERRNO(E2BIG, ioctl(self->fd, VCMDQ_VDEVICE_ALLOC, raw));
	ASSERT_EQ(objects, live_objects());
	/* virt_id 0xffffffff is the largest; a zero tail is fine. */
	raw[sizeof(cmd)] = 0;
	ASSERT_EQ(0, ioctl(self->fd, VCMDQ_VDEVICE_ALLOC, raw));
	memcpy(&cmd, raw, sizeof(cmd));
	vid = cmd.out_vdevice_id;
	EXPECT_NE(0, vid);
	EXPECT_EQ(d0->pci & 0xffff, cmd.out_phys_id);
	ASSERT_EQ(objects + 1, live_objects());
	/* It holds its vIOMMU. */
	test_err_destroy(EBUSY, v.id);

	/* EEXIST: the device again (other virt_id), its virt_id again */
	test_err_vdevice_alloc(EEXIST, v.id, vf0, d0->pci, 0x42);
	if (d1) {
		test_err_vdevice_alloc(EEXIST, v.id, vf1, d1->pci, 0xffffffff);
		test_cmd_vdevice_alloc(v.id, vf1, d1->pci, 0x42, &vid2, &phys);
		EXPECT_EQ(d1->pci & 0xffff, phys);
		test_ioctl_destroy(vid2);
	}
	/* EEXIST: a device belongs to one VM, also across files */
	fv_alloc(_metadata, self, vm_get(_metadata, self, 1), inst->id, &w);
	EXPECT_ERRNO(EEXIST, _test_cmd_vdevice_alloc(w.vm->fd, w.id, vf0,
						     d0->pci, 0x100, NULL,
						     NULL));
	/* ... and on another instance's vIOMMU of the other file */
	if (other_inst && other_inst->caps & VCMDQ_INSTANCE_CAP_FAST_QUEUES) {
		__u32 x;

		ASSERT_EQ(0, _test_cmd_viommu_alloc(w.vm->fd, other_inst->id,
						    w.vm->s2_id, 0, &x, NULL,
						    NULL, NULL));
		EXPECT_ERRNO(EINVAL, _test_cmd_vdevice_alloc(w.vm->fd, x, vf0,
							     d0->pci, 0x100,
							     NULL, NULL));
	}
	/* Once destroyed, the device can go to the other VM. */
	test_ioctl_destroy(vid);
	ASSERT_EQ(0, _test_cmd_vdevice_alloc(w.vm->fd, w.id, vf0, d0->pci,
					     0x100, &vid, &phys));
	EXPECT_EQ(d0->pci & 0xffff, phys);
	test_err_vdevice_alloc(EEXIST, v.id, vf0, d0->pci, 0x100);
	/* Closing that VM frees it again. */
	ASSERT_EQ(0, unmap_tracked(self, w.ctrl));
	vm_close(self, 1);
	test_cmd_vdevice_alloc(v.id, vf0, d0->pci, 0x100, &vid, NULL);

	/*
	 * ENOSPC (no free virtual ID slot) cannot be reached here: an
	 * instance has vsids_per_viommu slots and the VM has fewer devices.
	 */
	TH_LOG("ENOSPC not reachable: %u vSID slots, %d device(s) behind instance %u",
	       inst->vsids_per_viommu, d1 ? 2 : 1, inst->id);
	EXPECT_LT(d1 ? 2 : 1, inst->vsids_per_viommu);
}

/* The VFIO group path (devices with an IOMMU group: the "iommu" VM). */
TEST_F(fast, vdevice_vfio_group)
{
	const struct vcmdq_instance_info *inst;
	const struct pdev *d0, *d1;
	int vf0, vf1 = -1, closed, null_fd, i;
	__u32 vid;
	struct fv v;

	REQUIRE_TEGRA(1);
	REQUIRE_DEVICES(inst, 1);
	d0 = pdev_of(self, inst->id, 0);
	if (!dev_has_group(d0))
		SKIP(return, "%s has no IOMMU group (no IOMMU in this VM): the VFIO group path runs in the \"iommu\" VM",
		     d0->bdf);
	ASSERT_TRUE(dev_proof(_metadata, self, d0, &vf0));
	/* another device's group, from any instance */
	d1 = NULL;
	for (i = 0; i < self->npdevs && !d1; i++)
		if (strcmp(self->pdevs[i].bdf, d0->bdf) &&
		    pci_iommu_group(self->pdevs[i].bdf) !=
		    pci_iommu_group(d0->bdf))
			d1 = &self->pdevs[i];
	if (d1) {
		ASSERT_TRUE(dev_proof(_metadata, self, d1, &vf1));
	}
	fv_alloc(_metadata, self, &self->vm[0], inst->id, &v);

	/* EBADF: not an open file */
	closed = dup(0);
	ASSERT_LE(0, closed);
	close(closed);
	test_err_vdevice_alloc(EBADF, v.id, closed, d0->pci, 1);
	test_err_vdevice_alloc(EBADF, v.id, -1, d0->pci, 1);
	test_err_vdevice_alloc(EBADF, v.id, INT32_MAX, d0->pci, 1);
	/* EPERM: an open file that is not the device's group */
	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, null_fd);
	track_fd(_metadata, self, null_fd);
	test_err_vdevice_alloc(EPERM, v.id, null_fd, d0->pci, 1);
	test_err_vdevice_alloc(EPERM, v.id, self->fd, d0->pci, 1);
	if (d1) {
		test_err_vdevice_alloc(EPERM, v.id, vf1, d0->pci, 1);
	} else {
		TH_LOG("no device in another group: the wrong-group EPERM not checked");
	}
	/* The group file is the proof, not the caller's capabilities. */
	ASSERT_EQ(0, cap_drop_effective(CAP_SYS_ADMIN));
	ASSERT_FALSE(cap_effective(CAP_SYS_ADMIN));
	test_cmd_vdevice_alloc(v.id, vf0, d0->pci, 1, &vid, NULL);
	test_ioctl_destroy(vid);
	/* Closing the group file takes the proof away. */
	close_tracked(self, vf0);
	test_err_vdevice_alloc(EBADF, v.id, vf0, d0->pci, 1);
}

/* The no-group path (no IOMMU: the "no-iommu" VM): CAP_SYS_ADMIN. */
TEST_F(fast, vdevice_no_group)
{
	const struct vcmdq_instance_info *inst;
	const struct pdev *d0;
	char drv[64];
	__u32 vid;
	struct fv v;

	REQUIRE_TEGRA(1);
	REQUIRE_DEVICES(inst, 1);
	d0 = pdev_of(self, inst->id, 0);
	if (dev_has_group(d0))
		SKIP(return, "%s has an IOMMU group in this VM: the no-group path runs in the \"no-iommu\" VM",
		     d0->bdf);
	pci_driver(d0->bdf, drv, sizeof(drv));
	ASSERT_EQ(0, drv[0]) TH_LOG("%s is bound to %s", d0->bdf, drv);
	ASSERT_TRUE(cap_effective(CAP_SYS_ADMIN));
	fv_alloc(_metadata, self, &self->vm[0], inst->id, &v);

	/* With CAP_SYS_ADMIN, vfio_fd means nothing (-1 by convention). */
	test_cmd_vdevice_alloc(v.id, -1, d0->pci, 7, &vid, NULL);
	test_ioctl_destroy(vid);
	test_cmd_vdevice_alloc(v.id, 12345, d0->pci, 7, &vid, NULL);
	test_ioctl_destroy(vid);
	/* Without it: EPERM, nothing created */
	ASSERT_EQ(0, cap_drop_effective(CAP_SYS_ADMIN));
	ASSERT_FALSE(cap_effective(CAP_SYS_ADMIN));
	test_err_vdevice_alloc(EPERM, v.id, -1, d0->pci, 7);
	test_err_vdevice_alloc(EPERM, v.id, self->fd, d0->pci, 7);
}

/*
 * The no-group path refuses a device a host driver has (EBUSY).  Needs a
 * driver that binds anything: pci-stub, which only the VM's --kmod
 * pci-stub provides; tools/check does not load it.
 */
TEST_F(fast, vdevice_no_group_bound)
{
	const struct vcmdq_instance_info *inst;
	const struct pdev *d0;
	char path[160];
	struct fv v;

	REQUIRE_TEGRA(1);
	REQUIRE_DEVICES(inst, 1);
	d0 = pdev_of(self, inst->id, 0);
	if (dev_has_group(d0))
		SKIP(return, "%s has an IOMMU group: EBUSY is the no-group path (\"no-iommu\" VM)",
		     d0->bdf);
	if (access("/sys/bus/pci/drivers/pci-stub", F_OK))
		SKIP(return, "no pci-stub driver in this VM to bind %s to (tools/vm/run --kmod pci-stub)",
		     d0->bdf);
	fv_alloc(_metadata, self, &self->vm[0], inst->id, &v);
	ASSERT_EQ(0, pci_bind(d0->bdf, "pci-stub"));
	test_err_vdevice_alloc(EBUSY, v.id, -1, d0->pci, 7);
	snprintf(path, sizeof(path), PCI_SYSFS "%s/driver/unbind", d0->bdf);
	ASSERT_EQ(0, write_str(path, d0->bdf));
	snprintf(path, sizeof(path), PCI_SYSFS "%s/driver_override", d0->bdf);
	ASSERT_EQ(0, write_str(path, "\n"));
	test_cmd_vdevice_alloc(v.id, -1, d0->pci, 7, NULL, NULL);
}

/* ---- illegal commands, events, acknowledge, resume ------------------------- */

static int eventq_new(struct __test_metadata *_metadata,
		      FIXTURE_DATA(fast) *self, struct fv *v, __u32 depth,
		      __u32 *eventq_id)
{
	int efd = -1;

	ASSERT_EQ(0, _test_cmd_eventq_alloc(v->vm->fd, v->id, depth, 0,
					    eventq_id, &efd))
		TH_LOG("EVENTQ_ALLOC depth %u: %s", depth, strerror(errno));
	ASSERT_LE(0, efd);
	track_fd(_metadata, self, efd);
	return efd;
}

/* Wait up to @ms for @events on @fd; return the revents (0 on timeout). */
static short poll_fd(int fd, short events, int ms)
{
	struct pollfd p = { .fd = fd, .events = events };

	if (poll(&p, 1, ms) <= 0)
		return 0;
	return p.revents;
}

/* Read whole records: the count read, or -1 (errno set). */
static int read_events(int efd, struct event_rec *recs, int max)
{
	ssize_t n = read(efd, recs, max * sizeof(*recs));

	if (n < 0)
		return -1;
	if (n % sizeof(*recs)) {
		errno = EMSGSIZE;
		return -1;
	}
	return n / sizeof(*recs);
}

/* Read with O_NONBLOCK for this one call. */
static int read_events_nb(int efd, struct event_rec *recs, int max)
{
	int fl = fcntl(efd, F_GETFL), n;

	fcntl(efd, F_SETFL, fl | O_NONBLOCK);
	n = read_events(efd, recs, max);
	fcntl(efd, F_SETFL, fl);
	return n;
}

#define EXPECT_EVENT(r, _index, _cons, _cmd)                                  \
	do {                                                                  \
		EXPECT_EQ(_index, (r).err.queue_index);                       \
		EXPECT_EQ(VCMDQ_CERROR_ILL, (r).err.error);                   \
		EXPECT_EQ(_cons, (r).err.cons);                               \
		EXPECT_EQ(0, (r).err.__reserved);                             \
		EXPECT_EQ((_cmd).w[0], (r).err.cmd[0]);                       \
		EXPECT_EQ((_cmd).w[1], (r).err.cmd[1]);                       \
	} while (0)

/*
 * An illegal command stops the queue at it (CONS.ERR = CERROR_ILL, GERROR
 * toggles, an event), nothing after it runs; the guest fixes the entry or
 * skips it, acknowledges through GERRORN, and the queue resumes.
 */
static void illegal_flow(struct __test_metadata *_metadata,
			 FIXTURE_DATA(fast) *self, bool skip)
{
	struct cmd bad = cmd_cfgi_ste(0x100, true), bad2 = cmd_tlbi_nh_all(0);
	struct event_rec r[4];
	struct gq q, q1;
	__u32 eid, seq;
	struct fv v;
	int efd, i;
	long n;

	fv_alloc(_metadata, self, &self->vm[0], self->tq[0].id, &v);
	fq_alloc(&v, 0, GPA(0), 4, &q);
	ASSERT_EQ(0, gq_hw_init(&q));
	efd = eventq_new(_metadata, self, &v, 8, &eid);
	for (i = 1; i <= 4; i++) {
		ASSERT_EQ(0, _test_cmd_iotlb_add(self->fd, v.inst, v.tag, i, 0,
						 0, 0xfff, true));
		ASSERT_EQ(0, _test_cmd_iotlb_add(self->fd, v.inst, v.tag, i, 0,
						 0x5000, 0x5fff, true));
	}

	gq_put(&q, cmd_tlbi_nh_asid(0, 1));
	gq_put(&q, cmd_tlbi_nh_asid(0, 2));
	gq_put(&q, bad);			/* index 2 */
	gq_put(&q, cmd_tlbi_nh_asid(0, 3));
	gq_put(&q, cmd_sync());			/* index 4 */
	gq_publish(&q);
	ASSERT_EQ(-EIO, gq_wait_past(&q, 4));
	EXPECT_EQ(2 | VCMDQ_CERROR_ILL << VCMDQ_CONS_ERR_SHIFT,
		  gq_rd(&q, VCMDQ_CTRL_CONS));
	EXPECT_EQ(VCMDQ_GERROR_CMDQ_ERR, gq_rd(&q, VCMDQ_CTRL_GERROR));
	EXPECT_EQ(0, gq_rd(&q, VCMDQ_CTRL_GERRORN));
	EXPECT_TRUE(gq_in_error(&q));
	/* Before it: done.  From it on: not. */
	n = iotlb_count(self->fd, v.inst, v.tag, 1);
	EXPECT_EQ(0, n);
	n = iotlb_count(self->fd, v.inst, v.tag, 2);
	EXPECT_EQ(0, n);
	n = iotlb_count(self->fd, v.inst, v.tag, 3);
	EXPECT_EQ(2, n);

	/* The event. */
	EXPECT_EQ(POLLIN, poll_fd(efd, POLLIN, 2000) & POLLIN);
	ASSERT_EQ(1, read_events(efd, r, 4));
	EXPECT_EQ(0, r[0].hdr.flags);
	EXPECT_EVENT(r[0], 0, 2, bad);
	seq = r[0].hdr.sequence;
	EXPECT_ERRNO(EAGAIN, read_events_nb(efd, r, 4));
	EXPECT_EQ(0, poll_fd(efd, POLLIN, 0));

	/* Stopped until acknowledged, whatever PROD does. */
	gq_put(&q, cmd_tlbi_nh_asid(0, 4));
	gq_put(&q, cmd_sync());			/* index 6 */
	gq_publish(&q);
	test_cmd_kick(v.id);
	sleep_us(NEGATIVE_WAIT_US);
	EXPECT_EQ(2 | VCMDQ_CERROR_ILL << VCMDQ_CONS_ERR_SHIFT,
		  gq_rd(&q, VCMDQ_CTRL_CONS));
	n = iotlb_count(self->fd, v.inst, v.tag, 3);
	EXPECT_EQ(2, n);

	if (skip)
		gq_skip_and_ack(&q);
	else
		gq_fix_and_ack(&q);
	ASSERT_EQ(0, gq_wait_past(&q, 6));
	EXPECT_EQ(7, gq_rd(&q, VCMDQ_CTRL_CONS));
	EXPECT_FALSE(gq_in_error(&q));
	n = iotlb_count(self->fd, v.inst, v.tag, 3);
	EXPECT_EQ(0, n);
	n = iotlb_count(self->fd, v.inst, v.tag, 4);
	EXPECT_EQ(0, n);

	/* A second error toggles GERROR back; the illegal NH_ALL did nothing. */
	ASSERT_EQ(0, _test_cmd_iotlb_add(self->fd, v.inst, v.tag, 4, 0, 0,
					 0xfff, true));
	gq_put(&q, bad2);			/* index 7 */
	gq_put(&q, cmd_tlbi_nh_asid(0, 4));
	gq_put(&q, cmd_sync());			/* index 9 */
	gq_publish(&q);
	ASSERT_EQ(-EIO, gq_wait_past(&q, 9));
	EXPECT_EQ(7 | VCMDQ_CERROR_ILL << VCMDQ_CONS_ERR_SHIFT,
		  gq_rd(&q, VCMDQ_CTRL_CONS));
	EXPECT_EQ(0, gq_rd(&q, VCMDQ_CTRL_GERROR));
	EXPECT_EQ(VCMDQ_GERROR_CMDQ_ERR, gq_rd(&q, VCMDQ_CTRL_GERRORN));
	n = iotlb_count(self->fd, v.inst, v.tag, 4);
	EXPECT_EQ(1, n);
	ASSERT_EQ(1, read_events(efd, r, 4));
	EXPECT_EQ(seq + 1, r[0].hdr.sequence);
	EXPECT_EVENT(r[0], 0, 7, bad2);
	if (skip)
		gq_skip_and_ack(&q);
	else
		gq_fix_and_ack(&q);
	ASSERT_EQ(0, gq_wait_past(&q, 9));
	EXPECT_EQ(10, gq_rd(&q, VCMDQ_CTRL_CONS));
	n = iotlb_count(self->fd, v.inst, v.tag, 4);
	EXPECT_EQ(0, n);

	/* Another queue of the vIOMMU: its own index, its own GERROR. */
	fq_alloc(&v, 1, GPA(0) + 256, 4, &q1);
	ASSERT_EQ(0, gq_hw_init(&q1));
	ASSERT_EQ(-EIO, gq_issue1(&q1, bad));
	EXPECT_EQ(VCMDQ_CERROR_ILL << VCMDQ_CONS_ERR_SHIFT,
		  gq_rd(&q1, VCMDQ_CTRL_CONS));
	EXPECT_EQ(VCMDQ_GERROR_CMDQ_ERR, gq_rd(&q1, VCMDQ_CTRL_GERROR));
	EXPECT_FALSE(gq_in_error(&q));
	ASSERT_EQ(1, read_events(efd, r, 4));
	EXPECT_EQ(seq + 2, r[0].hdr.sequence);
	EXPECT_EVENT(r[0], 1, 0, bad);
	if (skip)
		gq_skip_and_ack(&q1);
	else
		gq_fix_and_ack(&q1);
	ASSERT_EQ(0, gq_wait_past(&q1, 1));
	/* And the first queue still works. */
	ASSERT_EQ(0, gq_issue_sync(&q, NULL, 0));
	EXPECT_ERRNO(EAGAIN, read_events_nb(efd, r, 4));
}

TEST_F(fast, illegal_fix_resume)
{
	REQUIRE_TEGRA(1);
	REQUIRE_TEST_IOCTL();
	illegal_flow(_metadata, self, false);
}

TEST_F(fast, illegal_skip_resume)
{
	REQUIRE_TEGRA(1);
	REQUIRE_TEST_IOCTL();
	illegal_flow(_metadata, self, true);
}

/*
 * Every command a guest-owned VCMDQ does not accept stops the queue with
 * CERROR_ILL at its index and has no effect.
 */
TEST_F(fast, illegal_commands)
{
	const __u64 msi_gpa = GPA(8);
	volatile __u32 *msi;
	struct {
		const char *name;
		struct cmd c;
	} bad[] = {
		{ "CFGI_STE", cmd_cfgi_ste(0x100, true) },
		{ "CFGI_CD", cmd_cfgi_cd(0x100, 0, true) },
		{ "CFGI_CD_ALL", cmd_raw(CMDQ_OP_CFGI_CD_ALL | CMDQ_CFGI_0_SID(0x100), 0) },
		{ "CFGI_ALL", cmd_raw(CMDQ_OP_CFGI_ALL, 31) },
		{ "TLBI_NH_ALL", cmd_tlbi_nh_all(0) },
		{ "TLBI_NH_VAA", cmd_tlbi_nh_vaa(0, 0x1000) },
		{ "TLBI_NSNH_ALL", cmd_raw(CMDQ_OP_TLBI_NSNH_ALL, 0) },
		{ "TLBI_EL2_ALL", cmd_raw(CMDQ_OP_TLBI_EL2_ALL, 0) },
		{ "TLBI_S12_VMALL", cmd_raw(CMDQ_OP_TLBI_S12_VMALL | CMDQ_TLBI_0_VMID(1), 0) },
		{ "TLBI_S2_IPA", cmd_raw(CMDQ_OP_TLBI_S2_IPA | CMDQ_TLBI_0_VMID(1), 0x1000) },
		{ "PREFETCH_CFG", cmd_raw(CMDQ_OP_PREFETCH_CFG | CMDQ_CFGI_0_SID(0x100), 0) },
		{ "PRI_RESP", cmd_raw(CMDQ_OP_PRI_RESP, 0) },
		{ "RESUME", cmd_raw(CMDQ_OP_RESUME, 0) },
		{ "opcode 0x00", cmd_raw(0, 0) },
		{ "opcode 0xff", cmd_raw(0xff, 0) },
		{ "CMD_SYNC CS=IRQ (MSI)", cmd_sync_cs(CMDQ_SYNC_0_CS_IRQ, msi_gpa, 0xdeadbeef) },
		{ "CMD_SYNC CS=IRQ, no address", cmd_sync_cs(CMDQ_SYNC_0_CS_IRQ, 0, 0) },
		{ "CMD_SYNC CS=3", cmd_sync_cs(3, 0, 0) },
		{ "ATC_INV, no such vSID", cmd_atc_inv(0x77, false, 0, 0, ATC_INV_SIZE_ALL, false) },
	};
	const int nbad = ARRAY_SIZE(bad);
	struct event_rec r[4];
	struct fv v;
	struct gq q;
	__u32 at, eid;
	int efd, i;
	long n;

	REQUIRE_TEGRA(1);
	REQUIRE_TEST_IOCTL();
	fv_alloc(_metadata, self, &self->vm[0], self->tq[0].id, &v);
	fq_alloc(&v, 0, GPA(0), 3, &q);		/* 8 entries: wraps as it goes */
	ASSERT_EQ(0, gq_hw_init(&q));
	efd = eventq_new(_metadata, self, &v, 64, &eid);
	msi = ram_va(&self->vm[0], msi_gpa);
	*msi = 0;
	test_cmd_iotlb_add(v.inst, v.tag, 0x55, 0, 0, ~0ULL, true);

	for (i = 0; i < nbad; i++) {
		test_cmd_iotlb_add(v.inst, v.tag, 200 + i, 0, 0, 0xfff, true);
		at = q.sq.prod;
		gq_put(&q, bad[i].c);
		gq_put(&q, cmd_tlbi_nh_asid(0, 200 + i));
		gq_put(&q, cmd_sync());
		gq_publish(&q);
		ASSERT_EQ(-EIO, gq_wait_past(&q, Q_PTR(&q, q.sq.prod - 1)))
			TH_LOG("%s was accepted", bad[i].name);
		EXPECT_EQ(at | VCMDQ_CERROR_ILL << VCMDQ_CONS_ERR_SHIFT,
			  gq_rd(&q, VCMDQ_CTRL_CONS))
			TH_LOG("%s", bad[i].name);
		EXPECT_TRUE(gq_in_error(&q));
		n = iotlb_count(self->fd, v.inst, v.tag, 200 + i);
		EXPECT_EQ(1, n) TH_LOG("%s", bad[i].name);
		ASSERT_EQ(1, read_events(efd, r, 4));
		EXPECT_EVENT(r[0], 0, at, bad[i].c);
		gq_skip_and_ack(&q);
		ASSERT_EQ(0, gq_wait_past(&q, Q_PTR(&q, q.sq.prod - 1)));
		n = iotlb_count(self->fd, v.inst, v.tag, 200 + i);
		EXPECT_EQ(0, n);
	}
	/* None of them reached anything else, nor stored an MSI. */
	n = iotlb_count(self->fd, v.inst, v.tag, 0x55);
	EXPECT_EQ(1, n);
	EXPECT_EQ(0, *msi);
}

/* Only CS = NONE: a CMD_SYNC with CS = SEV is not accepted either. */
TEST_F(fast, illegal_sync_sev)
{
	struct cmd sev = cmd_sync_cs(CMDQ_SYNC_0_CS_SEV, 0, 0);
	struct fv v;
	struct gq q;

	REQUIRE_TEGRA(1);
	fv_alloc(_metadata, self, &self->vm[0], self->tq[0].id, &v);
	fq_alloc(&v, 0, GPA(0), 3, &q);
	ASSERT_EQ(0, gq_hw_init(&q));
	gq_put(&q, sev);
	gq_put(&q, cmd_sync());
	gq_publish(&q);
	EXPECT_EQ(-EIO, gq_wait_past(&q, 1));
	EXPECT_EQ(VCMDQ_CERROR_ILL << VCMDQ_CONS_ERR_SHIFT,
		  gq_rd(&q, VCMDQ_CTRL_CONS));
}

/* Without an event queue the guest still sees and handles its errors. */
TEST_F(fast, illegal_no_eventq)
{
	struct fv v;
	struct gq q;

	REQUIRE_TEGRA(1);
	fv_alloc(_metadata, self, &self->vm[0], self->tq[0].id, &v);
	fq_alloc(&v, 0, GPA(0), 3, &q);
	ASSERT_EQ(0, gq_hw_init(&q));
	ASSERT_EQ(-EIO, gq_issue1(&q, cmd_cfgi_ste(1, false)));
	EXPECT_EQ(VCMDQ_CERROR_ILL, gq_cons_err(&q));
	gq_fix_and_ack(&q);
	ASSERT_EQ(0, gq_wait_past(&q, 1));
	EXPECT_EQ(2, gq_rd(&q, VCMDQ_CTRL_CONS));
}

/* ---- event queues ----------------------------------------------------------- */

TEST_F(fast, eventq_alloc_errnos)
{
	struct event_rec r[2];
	__u32 eid, eid2;
	long objects;
	struct fv v;
	int efd, efd2, fl;
	__u8 buf[sizeof(r)];

	REQUIRE_TEGRA(1);
	fv_alloc(_metadata, self, &self->vm[0], self->tq[0].id, &v);
	objects = live_objects();

	test_err_eventq_alloc(EOPNOTSUPP, v.id, 4, 1);
	test_err_eventq_alloc(EOPNOTSUPP, v.id, 4, 1U << 31);
	test_err_eventq_alloc(EINVAL, v.id, 0, 0);
	test_err_eventq_alloc(EINVAL, v.id, VCMDQ_EVENTQ_MAX_DEPTH + 1, 0);
	test_err_eventq_alloc(EINVAL, v.id, UINT32_MAX, 0);
	test_err_eventq_alloc(ENOENT, 0, 4, 0);
	test_err_eventq_alloc(ENOENT, self->vm[0].s2_id, 4, 0);
	test_err_eventq_alloc(ENOENT, v.id + 100, 4, 0);
	ASSERT_EQ(objects, live_objects());

	/* The deepest one. */
	efd = eventq_new(_metadata, self, &v, VCMDQ_EVENTQ_MAX_DEPTH, &eid);
	ASSERT_EQ(objects + 1, live_objects());
	/* One per vIOMMU */
	test_err_eventq_alloc(EEXIST, v.id, 4, 0);
	test_err_eventq_alloc(EEXIST, v.id, VCMDQ_EVENTQ_MAX_DEPTH, 0);
	ASSERT_EQ(objects + 1, live_objects());
	/* It holds its vIOMMU. */
	test_err_destroy(EBUSY, v.id);
	/* O_CLOEXEC, read-only */
	fl = fcntl(efd, F_GETFD);
	EXPECT_EQ(FD_CLOEXEC, fl & FD_CLOEXEC);
	EXPECT_ERRNO(EBADF, write(efd, buf, sizeof(struct event_rec)));

	/* read(): a buffer that cannot hold one record is EINVAL. */
	EXPECT_ERRNO(EINVAL, read(efd, buf, 0));
	EXPECT_ERRNO(EINVAL, read(efd, buf, 1));
	EXPECT_ERRNO(EINVAL, read(efd, buf, sizeof(struct vcmdq_event_header)));
	EXPECT_ERRNO(EINVAL, read(efd, buf, sizeof(struct event_rec) - 1));
	/* Empty: EAGAIN with O_NONBLOCK, no EPOLLIN */
	EXPECT_ERRNO(EAGAIN, read_events_nb(efd, r, 2));
	EXPECT_EQ(0, poll_fd(efd, POLLIN, 0));

	/* After DESTROY another can be made. */
	test_ioctl_destroy(eid);
	ASSERT_EQ(objects, live_objects());
	efd2 = eventq_new(_metadata, self, &v, 1, &eid2);
	EXPECT_NE(efd, efd2);
	test_err_eventq_alloc(EEXIST, v.id, 1, 0);
}

/* Make the queue stop on an illegal command, then skip it and ack. */
static int one_error(struct gq *q, struct cmd bad)
{
	int rc;

	gq_put(q, bad);
	gq_put(q, cmd_sync());
	gq_publish(q);
	rc = gq_wait_past(q, Q_PTR(q, q->sq.prod - 1));
	if (rc != -EIO)
		return rc ? rc : -EPROTO;
	gq_skip_and_ack(q);
	return gq_wait_past(q, Q_PTR(q, q->sq.prod - 1));
}

/* Depth 2, four errors: two kept, LOST_EVENTS on the newest, a gap after. */
TEST_F(fast, eventq_overflow)
{
	struct event_rec r[8];
	__u8 buf[sizeof(struct event_rec) * 3 / 2];
	__u32 eid, seq;
	struct fv v;
	struct gq q;
	int efd, i;

	REQUIRE_TEGRA(1);
	fv_alloc(_metadata, self, &self->vm[0], self->tq[0].id, &v);
	fq_alloc(&v, 0, GPA(0), 4, &q);
	ASSERT_EQ(0, gq_hw_init(&q));
	efd = eventq_new(_metadata, self, &v, 2, &eid);

	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, one_error(&q, cmd_cfgi_ste(i, false)));
	}
	EXPECT_EQ(POLLIN, poll_fd(efd, POLLIN, 0));
	/* One and a half records of room: one record. */
	ASSERT_EQ(sizeof(struct event_rec), read(efd, buf, sizeof(buf)));
	memcpy(&r[0], buf, sizeof(r[0]));
	ASSERT_EQ(1, read_events(efd, &r[1], 7));
	seq = r[0].hdr.sequence;
	EXPECT_EQ(0, r[0].hdr.flags);
	EXPECT_EVENT(r[0], 0, 0, cmd_cfgi_ste(0, false));
	EXPECT_EQ(seq + 1, r[1].hdr.sequence);
	EXPECT_EQ(VCMDQ_EVENT_FLAG_LOST_EVENTS, r[1].hdr.flags);
	EXPECT_EVENT(r[1], 0, 2, cmd_cfgi_ste(1, false));
	EXPECT_ERRNO(EAGAIN, read_events_nb(efd, r, 8));

	/* The next event shows the two lost ones in its sequence number. */
	ASSERT_EQ(0, one_error(&q, cmd_cfgi_ste(4, false)));
	ASSERT_EQ(1, read_events(efd, r, 8));
	EXPECT_EQ(seq + 4, r[0].hdr.sequence);
	EXPECT_EQ(0, r[0].hdr.flags);
	EXPECT_EVENT(r[0], 0, 8, cmd_cfgi_ste(4, false));
}

struct reader {
	int efd;
	int n;		/* records read by the one read() */
	int err;
	volatile int done;
	struct event_rec rec;
};

static void *reader_thread(void *p)
{
	struct reader *rd = p;
	ssize_t n = read(rd->efd, &rd->rec, sizeof(rd->rec));

	rd->n = n < 0 ? -1 : n / (int)sizeof(rd->rec);
	rd->err = n < 0 ? errno : 0;
	__atomic_store_n(&rd->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * What was written to a queue's register slot before the queue existed
 * does not carry into it (the hardware ignores writes to an unmapped
 * logical queue): QUEUE_ALLOC starts the queue from its reset state, and
 * it runs commands from there.
 */
TEST_F(fast, queue_alloc_resets_slot)
{
	volatile __u32 *slot;
	struct fv v;
	struct gq q0, q1;
	int i;

	REQUIRE_TEGRA(1);
	fv_alloc(_metadata, self, &self->vm[0], self->tq[0].id, &v);
	fq_alloc(&v, 0, GPA(0), 4, &q0);
	slot = (volatile __u32 *)((char *)v.ctrl + VCMDQ_CTRL_QUEUE_STRIDE);
	/* The guest scribbles on queue 1's registers before its BASE. */
	slot[VCMDQ_CTRL_PROD / 4] = 5;
	slot[VCMDQ_CTRL_CONS / 4] = 3;
	slot[VCMDQ_CTRL_CONFIG / 4] = VCMDQ_CONFIG_EN;
	slot[VCMDQ_CTRL_GERRORN / 4] = VCMDQ_GERROR_CMDQ_ERR;
	fq_alloc(&v, 1, GPA(1), 4, &q1);
	for (i = 0; i < VCMDQ_CTRL_QUEUE_STRIDE / 4; i++)
		EXPECT_EQ(0, slot[i]) TH_LOG("register %#x", i * 4);
	ASSERT_EQ(0, gq_hw_init(&q1));
	ASSERT_EQ(0, gq_issue1(&q1, cmd_tlbi_nh_asid(0, 1)));
	EXPECT_FALSE(gq_in_error(&q1));
}

/*
 * A blocked read() wakes on an event; DESTROY of the event queue gives
 * EOF and EPOLLHUP once what is queued has been read, and wakes a reader
 * blocked on the empty queue.
 */
TEST_F(fast, eventq_read_poll_destroy)
{
	struct reader rd = {};
	struct event_rec r[4];
	pthread_t th;
	__u32 eid;
	struct fv v;
	struct gq q;
	short ev;
	int efd;

	REQUIRE_TEGRA(1);
	fv_alloc(_metadata, self, &self->vm[0], self->tq[0].id, &v);
	fq_alloc(&v, 0, GPA(0), 4, &q);
	ASSERT_EQ(0, gq_hw_init(&q));
	efd = eventq_new(_metadata, self, &v, 4, &eid);

	/* A stream, not a file: no seeking (no .llseek on any kernel). */
	errno = 0;
	EXPECT_EQ(-1, lseek(efd, 0, SEEK_SET));
	EXPECT_EQ(ESPIPE, errno);

	/* A blocked reader gets the event. */
	rd.efd = efd;
	ASSERT_EQ(0, pthread_create(&th, NULL, reader_thread, &rd));
	sleep_us(200 * 1000);
	EXPECT_FALSE(__atomic_load_n(&rd.done, __ATOMIC_ACQUIRE));	/* blocked */
	ASSERT_EQ(0, one_error(&q, cmd_cfgi_ste(9, false)));
	ASSERT_EQ(0, pthread_join(th, NULL));
	ASSERT_EQ(1, rd.n) TH_LOG("read: %s", strerror(rd.err));
	EXPECT_EVENT(rd.rec, 0, 0, cmd_cfgi_ste(9, false));

	/* One more queued, then DESTROY: the record first, then EOF. */
	ASSERT_EQ(0, one_error(&q, cmd_cfgi_ste(10, false)));
	EXPECT_EQ(POLLIN, poll_fd(efd, POLLIN, 2000) & POLLIN);
	test_ioctl_destroy(eid);
	ev = poll_fd(efd, POLLIN, 0);
	EXPECT_TRUE(ev & POLLIN);
	EXPECT_TRUE(ev & POLLHUP);
	ASSERT_EQ(1, read_events(efd, r, 4));
	EXPECT_EVENT(r[0], 0, 2, cmd_cfgi_ste(10, false));
	EXPECT_EQ(0, read(efd, r, sizeof(r)));
	EXPECT_EQ(0, read_events_nb(efd, r, 4));
	ev = poll_fd(efd, POLLIN, 0);
	EXPECT_FALSE(ev & POLLIN);
	EXPECT_TRUE(ev & POLLHUP);
	/* Errors now go nowhere (and break nothing). */
	ASSERT_EQ(0, one_error(&q, cmd_cfgi_ste(11, false)));
	EXPECT_EQ(0, read(efd, r, sizeof(r)));
	/* The vIOMMU is free to have a new one. */
	close_tracked(self, efd);
	efd = eventq_new(_metadata, self, &v, 4, &eid);

	/* DESTROY wakes a reader blocked on an empty queue: EOF. */
	memset(&rd, 0, sizeof(rd));
	rd.efd = efd;
	ASSERT_EQ(0, pthread_create(&th, NULL, reader_thread, &rd));
	sleep_us(200 * 1000);
	EXPECT_FALSE(__atomic_load_n(&rd.done, __ATOMIC_ACQUIRE));	/* blocked */
	test_ioctl_destroy(eid);
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(0, rd.n);
	EXPECT_EQ(0, rd.err);
	EXPECT_TRUE(poll_fd(efd, POLLIN, 0) & POLLHUP);
}

/* Closing /dev/vcmdq with the event fd still open is safe: EOF after. */
TEST_F(fast, eventq_outlives_file)
{
	struct vcmdq_counters c0;
	struct event_rec r[2];
	struct vm *vm2;
	__u32 eid;
	struct fv v;
	struct gq q;
	short ev;
	int efd;

	REQUIRE_TEGRA(1);
	vcmdq_read_counters(&c0);
	vm2 = vm_get(_metadata, self, 1);
	fv_alloc(_metadata, self, vm2, self->tq[0].id, &v);
	fq_alloc(&v, 0, GPA(0), 4, &q);
	ASSERT_EQ(0, gq_hw_init(&q));
	efd = eventq_new(_metadata, self, &v, 4, &eid);
	ASSERT_EQ(0, one_error(&q, cmd_cfgi_ste(1, false)));

	ASSERT_EQ(0, unmap_tracked(self, v.ctrl));
	vm_close(self, 1);
	/* Everything of that VM is gone, the fd is not. */
	EXPECT_EQ(c0.live_objects, live_objects());
	EXPECT_EQ(c0.contexts, vcmdq_counter("contexts"));
	ev = poll_fd(efd, POLLIN, 0);
	EXPECT_TRUE(ev & POLLIN);
	EXPECT_TRUE(ev & POLLHUP);
	ASSERT_EQ(1, read_events(efd, r, 2));
	EXPECT_EVENT(r[0], 0, 0, cmd_cfgi_ste(1, false));
	EXPECT_EQ(0, read(efd, r, sizeof(r)));
	EXPECT_TRUE(poll_fd(efd, POLLIN, 0) & POLLHUP);
	close_tracked(self, efd);
}

/* ---- KICK, NEED_WAKEUP, the timer poll, idle CPU ------------------------------ */

TEST_F(fast, kick_errnos)
{
	struct fv v;
	__u32 slow;
	int i;

	REQUIRE_TEGRA(1);
	fv_alloc(_metadata, self, &self->vm[0], self->tq[0].id, &v);
	test_err_kick(ENOENT, 0);
	test_err_kick(ENOENT, self->vm[0].s2_id);
	test_err_kick(ENOENT, v.id + 100);
	EXPECT_ERRNO(ENOENT, _test_cmd_kick(vm_get(_metadata, self, 1)->fd,
					    v.id));
	for (i = 0; i < self->num_instances; i++) {
		if (self->info[i].caps & VCMDQ_INSTANCE_CAP_FAST_QUEUES)
			continue;
		test_cmd_viommu_alloc(self->info[i].id, self->vm[0].s2_id,
				      &slow, NULL);
		test_err_kick(EOPNOTSUPP, slow);
		test_ioctl_destroy(slow);
	}
	/* Fine with no queue, and at any time. */
	test_cmd_kick(v.id);
	test_cmd_kick(v.id);
}

/* Wait until the engine advertises NEED_WAKEUP on @q's region. */
static bool wait_need_wakeup(struct gq *q, __u64 us)
{
	__u64 end = now_us() + us;

	while (now_us() < end) {
		if (gq_need_wakeup(q))
			return true;
		sleep_us(500);
	}
	return false;
}

/*
 * With a timer poll far away and no doorbell, an idle engine keeps
 * NEED_WAKEUP set and does not consume a new PROD by itself; VCMDQ_KICK
 * makes it.
 */
TEST_F(fast, need_wakeup_kick)
{
	const long long_poll_us = NEED_WAKEUP_POLL_US;
	int samples = 0, set = 0;
	__u64 t0, kick_us;
	struct fv v;
	struct gq q;
	__u32 cons;

	REQUIRE_TEGRA(1);
	fv_alloc(_metadata, self, &self->vm[0], self->tq[0].id, &v);
	fq_alloc(&v, 0, GPA(0), 4, &q);
	ASSERT_EQ(0, param_write("engine_poll_us", long_poll_us));
	ASSERT_EQ(0, param_write("engine_doorbell", 0));
	ASSERT_EQ(0, gq_hw_init(&q));
	ASSERT_EQ(0, gq_issue_sync(&q, NULL, 0));	/* works, with kicks */

	/* Idle: NEED_WAKEUP set, and it stays set. */
	ASSERT_TRUE(wait_need_wakeup(&q, 1000 * 1000));
	t0 = now_us();
	while (now_us() - t0 < 200 * 1000) {
		samples++;
		set += !!(gq_need_wakeup(&q));
		sleep_us(1000);
	}
	EXPECT_EQ(samples, set);

	/* PROD without a kick: nothing happens for a long while. */
	q.kick = false;
	gq_put(&q, cmd_sync());
	gq_publish(&q);
	sleep_us(300 * 1000);
	cons = gq_rd(&q, VCMDQ_CTRL_CONS);
	EXPECT_EQ(1, cons) TH_LOG("consumed without a kick (poll %ld us)",
				  long_poll_us);
	EXPECT_TRUE(gq_need_wakeup(&q));
	/* KICK: consumed now. */
	t0 = now_us();
	test_cmd_kick(v.id);
	ASSERT_EQ(0, gq_wait_past(&q, 1));
	kick_us = now_us() - t0;
	TH_LOG("consumed %llu us after VCMDQ_KICK", (unsigned long long)kick_us);
	EXPECT_GT(1000 * 1000, kick_us);
	/* And idle again afterwards. */
	EXPECT_TRUE(wait_need_wakeup(&q, 1000 * 1000));

	/* The guest driver's way: check NEED_WAKEUP after PROD, kick. */
	q.kick = true;
	q.kicks = 0;
	ASSERT_EQ(0, gq_issue1(&q, cmd_tlbi_nh_asid(0, 1)));
	EXPECT_LE(1, q.kicks);
}

/*
 * With no kick at all and no doorbell, the timer poll consumes within a
 * bounded time.
 */
TEST_F_TIMEOUT(fast, timer_poll_latency, 60)
{
	const int rounds = 20;
	__u64 max_us = 0, sum_us = 0;
	struct fv v;
	struct gq q;
	int i;

	REQUIRE_TEGRA(1);
	ASSERT_EQ(0, param_write("engine_poll_us", TIMER_POLL_US));
	ASSERT_EQ(0, param_write("engine_doorbell", 0));
	fv_alloc(_metadata, self, &self->vm[0], self->tq[0].id, &v);
	fq_alloc(&v, 0, GPA(0), 4, &q);
	ASSERT_EQ(0, gq_hw_init(&q));
	q.kick = false;
	for (i = 0; i < rounds; i++) {
		__u64 t0, us;

		ASSERT_TRUE(wait_need_wakeup(&q, 1000 * 1000));
		t0 = now_us();
		ASSERT_EQ(0, gq_issue_sync(&q, NULL, 0));
		us = now_us() - t0;
		sum_us += us;
		if (us > max_us)
			max_us = us;
	}
	TH_LOG("timer poll (engine_poll_us 1000), no kick: %d rounds, avg %llu us, max %llu us",
	       rounds, (unsigned long long)(sum_us / rounds),
	       (unsigned long long)max_us);
	EXPECT_GT(100 * 1000, max_us);
}

/* ---- the doorbell: the first write after idle wakes the engine ------------- */

/* A slow host: the engine surely spins past a fault's retried write. */
#define DOORBELL_SPIN_US	(50 * 1000)

/* instances/ID/counters/doorbell_wakeups, or -1. */
static long doorbell_wakeups(__u32 inst)
{
	char path[128];

	snprintf(path, sizeof(path),
		 VCMDQ_SYSFS "instances/%u/counters/doorbell_wakeups", inst);
	return read_long_file(path);
}

/*
 * Only the doorbell may wake the engine: no kick, a timer poll far away.
 * The engine busy-polls DOORBELL_SPIN_US after a wake-up, so the write that
 * faulted lands before it arms again (see vcmdq_engine_thread()).
 */
static void doorbell_setup(struct __test_metadata *_metadata,
			   FIXTURE_DATA(fast) *self, struct fv *v, struct gq *q)
{
	ASSERT_EQ(0, param_write("engine_doorbell", 1));
	ASSERT_EQ(0, param_write("engine_poll_us", NEED_WAKEUP_POLL_US));
	ASSERT_EQ(0, param_write("engine_spin_us", DOORBELL_SPIN_US));
	fv_alloc(_metadata, self, &self->vm[0], self->tq[0].id, v);
	fq_alloc(v, 0, GPA(0), 4, q);
	ASSERT_EQ(0, gq_hw_init(q));
	ASSERT_EQ(0, gq_issue_sync(q, NULL, 0));
	q->kick = false;
	q->kicks = 0;
	ASSERT_LE(0, doorbell_wakeups(self->tq[0].id));
}

/*
 * Idle (NEED_WAKEUP set, which the engine does after arming the doorbell):
 * reads of the region wake nothing; one PROD write, with no kick, wakes the
 * engine exactly once and the commands complete.
 */
TEST_F_TIMEOUT(fast, doorbell_wakes_once, 60)
{
	__u32 inst;
	long n0;
	struct fv v;
	struct gq q;
	int round, i;

	REQUIRE_TEGRA(1);
	inst = self->tq[0].id;
	doorbell_setup(_metadata, self, &v, &q);
	for (round = 0; round < 4; round++) {
		__u32 cons = gq_cons(&q);

		ASSERT_TRUE(wait_need_wakeup(&q, 2000 * 1000));
		n0 = doorbell_wakeups(inst);
		/* The guest polling registers: read faults, no wake-up. */
		for (i = 0; i < 1000; i++) {
			ASSERT_EQ(cons, gq_cons(&q));
			ASSERT_TRUE(gq_need_wakeup(&q));
		}
		EXPECT_EQ(n0, doorbell_wakeups(inst));
		ASSERT_EQ(0, gq_issue1(&q, cmd_tlbi_nh_asid(0, 1)))
			TH_LOG("round %d: no wake-up without a kick", round);
		EXPECT_EQ(n0 + 1, doorbell_wakeups(inst)) TH_LOG("round %d", round);
	}
	EXPECT_EQ(0, q.kicks);
	/* Idle again, and nothing rang meanwhile. */
	n0 = doorbell_wakeups(inst);
	ASSERT_TRUE(wait_need_wakeup(&q, 2000 * 1000));
	EXPECT_EQ(n0, doorbell_wakeups(inst));
}

/*
 * Every mapping of the region rings: a second mmap() in this process, and
 * one a child process makes of the file it inherited (the parent's mapping
 * is VM_DONTCOPY).
 */
TEST_F_TIMEOUT(fast, doorbell_other_mappings, 60)
{
	__u32 inst, *regs0;
	long n0;
	struct fv v;
	struct gq q;
	void *ctrl2;
	int status;
	pid_t pid;

	REQUIRE_TEGRA(1);
	inst = self->tq[0].id;
	doorbell_setup(_metadata, self, &v, &q);
	regs0 = q.sq.regs;

	/* A second mapping. */
	ctrl2 = mmap(NULL, v.len, RW, MAP_SHARED, self->fd, v.off);
	ASSERT_NE(MAP_FAILED, ctrl2);
	track_map(_metadata, self, ctrl2, v.len);
	ASSERT_TRUE(wait_need_wakeup(&q, 2000 * 1000));
	n0 = doorbell_wakeups(inst);
	q.sq.regs = (__u32 *)((char *)ctrl2 + ((char *)regs0 - (char *)v.ctrl));
	ASSERT_EQ(0, gq_issue1(&q, cmd_tlbi_nh_asid(0, 1)));
	EXPECT_EQ(n0 + 1, doorbell_wakeups(inst));
	q.sq.regs = regs0;

	/*
	 * Another process: the entries are written here (guest RAM is
	 * private to this process), PROD there, through its own mapping.
	 */
	ASSERT_TRUE(wait_need_wakeup(&q, 2000 * 1000));
	n0 = doorbell_wakeups(inst);
	gq_put(&q, cmd_tlbi_nh_asid(0, 2));
	gq_put(&q, cmd_sync());
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		void *c = mmap(NULL, v.len, RW, MAP_SHARED, self->fd, v.off);

		if (c == MAP_FAILED)
			_exit(1);
		__atomic_store_n((__u32 *)((char *)c + ((char *)regs0 -
							 (char *)v.ctrl) +
					   VCMDQ_CTRL_PROD),
				 q.sq.prod, __ATOMIC_RELEASE);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	ASSERT_EQ(0, gq_wait_past(&q, gq_inc(&q, q.sq.prod, -1)))
		TH_LOG("a write through the child's mapping woke nothing");
	EXPECT_EQ(n0 + 1, doorbell_wakeups(inst));
	EXPECT_EQ(0, q.kicks);
}

/*
 * A storm of idle/busy transitions loses no wake-up: the engine goes idle
 * (and arms) as soon as a pass finds nothing, and every batch, issued with
 * no kick and no timer poll to save it, completes.  Two queues on two
 * threads, so writes also race with armings from the other's batches.
 */
#define STORM_BATCHES 1500

struct storm {
	struct gq q;
	int rc, done;
	pthread_barrier_t *start;
};

static void *storm_thread(void *p)
{
	struct storm *st = p;
	int i;

	pthread_barrier_wait(st->start);
	for (i = 0; i < STORM_BATCHES; i++) {
		st->rc = gq_issue1(&st->q, cmd_tlbi_nh_asid(0, 1 + i % 7));
		if (st->rc)
			break;
		st->done++;
	}
	return NULL;
}

/*
 * Two threads, STORM_BATCHES batches each on two queues of one vIOMMU, no
 * kick, no spin, the timer poll 20 s away, hybrid polling at @hybrid_us:
 * every batch must complete.  *@rang: the doorbell's wake-ups meanwhile.
 */
static void storm_run(struct __test_metadata *_metadata,
		      FIXTURE_DATA(fast) *self, unsigned int hybrid_us,
		      long *rang)
{
	struct storm st[2] = {};
	pthread_barrier_t start;
	pthread_t th[2];
	__u32 inst = self->tq[0].id;
	long n0;
	struct fv v;
	int i;

	ASSERT_EQ(0, param_write("engine_doorbell", 1));
	ASSERT_EQ(0, param_write("engine_poll_us", NEED_WAKEUP_POLL_US));
	ASSERT_EQ(0, param_write("engine_hybrid_us", hybrid_us));
	fv_alloc(_metadata, self, &self->vm[0], inst, &v);
	for (i = 0; i < 2; i++) {
		fq_alloc(&v, i, GPA(i), 4, &st[i].q);
		ASSERT_EQ(0, gq_hw_init(&st[i].q));
		st[i].q.kick = false;
		st[i].q.kicks = 0;
		/* A lost wake-up would wait NEED_WAKEUP_POLL_US: fail first. */
		st[i].q.timeout_us = 5 * 1000 * 1000;
		st[i].start = &start;
	}
	ASSERT_EQ(0, param_write("engine_spin_us", 0));
	n0 = doorbell_wakeups(inst);
	ASSERT_EQ(0, pthread_barrier_init(&start, NULL, 2));
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, storm_thread, &st[i]));
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_join(th[i], NULL));
	pthread_barrier_destroy(&start);
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(0, st[i].rc) TH_LOG("queue %d: batch %d of %d: %s",
					      i, st[i].done, STORM_BATCHES,
					      strerror(-st[i].rc));
		EXPECT_EQ(STORM_BATCHES, st[i].done);
		EXPECT_EQ(0, st[i].q.kicks);
	}
	*rang = doorbell_wakeups(inst) - n0;
}

TEST_F_TIMEOUT(fast, doorbell_storm, 300)
{
	long rang = 0;

	REQUIRE_TEGRA(1);
	storm_run(_metadata, self, 0, &rang);
	TH_LOG("%ld doorbell wake-ups over %d batches", rang,
	       2 * STORM_BATCHES);
	/* The doorbell did the waking (nothing else could). */
	EXPECT_LT(0, rang);
}

/*
 * munmap() and teardown while the doorbell is armed: the engine re-arms
 * (a kick makes it) with no mapping left, then the objects go.  Run on the
 * debug configuration for what this is about (KASAN, lockdep).
 */
TEST_F_TIMEOUT(fast, doorbell_unmap_armed, 60)
{
	struct fv v;
	struct gq q;
	__u32 qid;

	REQUIRE_TEGRA(1);
	ASSERT_EQ(0, param_write("engine_doorbell", 1));
	ASSERT_EQ(0, param_write("engine_poll_us", NEED_WAKEUP_POLL_US));
	fv_alloc(_metadata, self, &self->vm[0], self->tq[0].id, &v);
	qid = fq_alloc(&v, 0, GPA(0), 4, &q);
	ASSERT_EQ(0, gq_hw_init(&q));
	ASSERT_EQ(0, gq_issue_sync(&q, NULL, 0));
	ASSERT_TRUE(wait_need_wakeup(&q, 2000 * 1000));
	/* Armed: the mapping goes, the engine arms again with none. */
	ASSERT_EQ(0, munmap(v.ctrl, v.len));
	untrack_map(self, v.ctrl);
	test_cmd_kick(v.id);
	test_cmd_kick(v.id);
	/* A new mapping starts armed: its first write rings. */
	v.ctrl = mmap(NULL, v.len, RW, MAP_SHARED, self->fd, v.off);
	ASSERT_NE(MAP_FAILED, v.ctrl);
	track_map(_metadata, self, v.ctrl, v.len);
	q.sq.regs = (__u32 *)((char *)v.ctrl + 0 * VCMDQ_CTRL_QUEUE_STRIDE);
	q.sq.engine = (__u32 *)((char *)v.ctrl + VCMDQ_CTRL_ENGINE);
	q.kick = false;
	ASSERT_TRUE(wait_need_wakeup(&q, 2000 * 1000));
	ASSERT_EQ(0, gq_issue1(&q, cmd_tlbi_nh_asid(0, 1)));
	/* Destroyed while armed, with the region still mapped. */
	test_ioctl_destroy(qid);
	EXPECT_ERRNO(EBUSY, _test_ioctl_destroy(self->fd, v.id));
}

/* The publishing thread of doorbell_mkwrite_aba: one PROD store, no kick. */
static void *publish_thread(void *p)
{
	gq_publish(p);
	return NULL;
}

/*
 * The interleaving that lost wake-ups (doorbell_storm, 1 run in 4 on arm64):
 * a PROD write to a read-only PTE is inside its fault when an arming zaps
 * the PTE and a read faults the same read-only PTE back in.  A fault that
 * disarmed and left the PTE to the core to make writable (what write-notify
 * drivers do) lost the wake-up here: the core found the PTE value it had
 * seen and made it writable with the doorbell armed again, so this write,
 * and every later one, woke nothing.  The write must retry into the
 * module's fault and ring.  Each step completes before the next: the fault
 * gate (VCMDQ_TEST) holds the write in the module, after its zap; the test
 * holds the engine and arms it itself.
 */
TEST_F_TIMEOUT(fast, doorbell_mkwrite_aba, 60)
{
	__u32 inst, cons, done = 0;
	pthread_t th;
	struct fv v;
	struct gq q;
	long n0;

	REQUIRE_TEGRA(1);
	REQUIRE_TEST_IOCTL();
	inst = self->tq[0].id;
	doorbell_setup(_metadata, self, &v, &q);
	ASSERT_TRUE(wait_need_wakeup(&q, 2000 * 1000));
	ASSERT_EQ(0, test_engine_op(self->fd, VCMDQ_TEST_ENGINE_HOLD, inst,
				    NULL));
	ASSERT_EQ(0, test_engine_op(self->fd, VCMDQ_TEST_ENGINE_ARM, inst,
				    NULL));
	/* A read while armed: the PTE comes back read-only. */
	cons = gq_cons(&q);
	gq_put(&q, cmd_tlbi_nh_asid(0, 1));
	gq_put(&q, cmd_sync());
	ASSERT_EQ(0, test_engine_op(self->fd, VCMDQ_TEST_FAULT_GATE, inst,
				    NULL));
	ASSERT_EQ(0, pthread_create(&th, NULL, publish_thread, &q));
	ASSERT_EQ(0, test_engine_op(self->fd, VCMDQ_TEST_FAULT_GATE_WAIT,
				    inst, NULL));
	/* In the window: an arming, then a read faults the PTE back in. */
	ASSERT_EQ(0, test_engine_op(self->fd, VCMDQ_TEST_ENGINE_ARM, inst,
				    NULL));
	n0 = doorbell_wakeups(inst);
	EXPECT_EQ(cons, gq_cons(&q));
	ASSERT_EQ(0, test_engine_op(self->fd, VCMDQ_TEST_FAULT_GATE_OPEN,
				    inst, NULL));
	ASSERT_EQ(0, pthread_join(th, NULL));
	/* The write, landing after that arming, rang. */
	EXPECT_EQ(n0 + 1, doorbell_wakeups(inst))
		TH_LOG("a write after an arming woke nothing");
	/* And it landed: one pass consumes both entries. */
	ASSERT_EQ(0, test_engine_op(self->fd, VCMDQ_TEST_ENGINE_PASS, inst,
				    &done));
	EXPECT_EQ(2, done);
	EXPECT_EQ(Q_PTR(&q, q.sq.prod), gq_cons(&q));
	ASSERT_EQ(0, test_engine_op(self->fd, VCMDQ_TEST_ENGINE_RELEASE, inst,
				    NULL));
}

/* The FAULT_GATE and ENGINE_ARM test ops' errnos. */
TEST_F(fast, fault_gate_errnos)
{
	__u32 inst;
	int fd2;

	REQUIRE_TEGRA(1);
	REQUIRE_TEST_IOCTL();
	inst = self->tq[0].id;
	fd2 = vcmdq_open_dev();
	ASSERT_LE(0, fd2);
	track_fd(_metadata, self, fd2);
	errno = 0;
	/* ARM needs the hold. */
	EXPECT_EQ(-1, test_engine_op(self->fd, VCMDQ_TEST_ENGINE_ARM, inst,
				     NULL));
	EXPECT_EQ(EINVAL, errno);
	/* WAIT and OPEN need a gate, set by this file. */
	EXPECT_EQ(-1, test_engine_op(self->fd, VCMDQ_TEST_FAULT_GATE_WAIT,
				     inst, NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, test_engine_op(self->fd, VCMDQ_TEST_FAULT_GATE_OPEN,
				     inst, NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, test_engine_op(self->fd, VCMDQ_TEST_FAULT_GATE, 0, NULL));
	EXPECT_EQ(ENOENT, errno);

	ASSERT_EQ(0, test_engine_op(self->fd, VCMDQ_TEST_FAULT_GATE, inst,
				    NULL));
	/* One gate in the module. */
	EXPECT_EQ(-1, test_engine_op(fd2, VCMDQ_TEST_FAULT_GATE, inst, NULL));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(-1, test_engine_op(fd2, VCMDQ_TEST_FAULT_GATE_OPEN, inst,
				     NULL));
	EXPECT_EQ(EINVAL, errno);
	/* No fault comes: the wait ends. */
	EXPECT_EQ(-1, test_engine_op(self->fd, VCMDQ_TEST_FAULT_GATE_WAIT,
				     inst, NULL));
	EXPECT_EQ(ETIMEDOUT, errno);
	/* The setter's close removes it. */
	vm_close(self, 0);
	EXPECT_EQ(0, test_engine_op(fd2, VCMDQ_TEST_FAULT_GATE, inst, NULL));
	EXPECT_EQ(0, test_engine_op(fd2, VCMDQ_TEST_FAULT_GATE_OPEN, inst,
				    NULL));
}

/*
 * Several enabled, idle queues on every fast instance: each engine thread
 * (one per instance) uses less than 10% of one CPU (50% on a lockdep
 * kernel), measured over 3 s.
 *
 * Measured at a 2 ms poll period: under software emulation one timer
 * wakeup of the engine costs some 35 us of guest CPU (about 2 us on
 * hardware), so at the 1 ms default the figure sits at 5-7% and crosses
 * 10% when the host is loaded.  What the test must catch is an engine that
 * does not go idle (busy-polling costs 100%), which a 2 ms period shows
 * just as well, with a margin that survives a busy host.  Since the doorbell
 * the default is 10 ms: the test measures at the module's period when that
 * is longer, so its log gives the figure of the shipped configuration.
 */
#define IDLE_CPU_POLL_US 2000
/*
 * On a kernel with lockdep (and with it, in make check, KASAN) every lock
 * and memory access of one wakeup costs several times more: the debug VM
 * measures 14-15% at 2 ms.  A busy-polling engine still shows 100% there,
 * so the test keeps its point with a wider bound (/proc/lockdep exists only
 * with CONFIG_LOCKDEP).
 */
#define IDLE_CPU_MAX_PERCENT 10
#define IDLE_CPU_MAX_PERCENT_DEBUG 50

TEST_F_TIMEOUT(fast, idle_cpu, 60)
{
	const int queues = 4;
	long t0[2], t1[2], hz = sysconf(_SC_CLK_TCK), total = 0;
	int max_percent = access("/proc/lockdep", F_OK) ? IDLE_CPU_MAX_PERCENT :
		IDLE_CPU_MAX_PERCENT_DEBUG;
	long long ns0[2], ns1[2];
	int pid[2], i, j, k;
	struct fv v[2][2];
	struct gq q[2][2][4];

	REQUIRE_TEGRA(1);
	ASSERT_LT(0, hz);
	TH_LOG("bound: %d%% of a CPU per engine%s", max_percent,
	       max_percent == IDLE_CPU_MAX_PERCENT ? "" : " (lockdep kernel)");
	TH_LOG("engine_poll_us %ld",
	       self->poll_us > IDLE_CPU_POLL_US ? self->poll_us :
						  IDLE_CPU_POLL_US);
	if (self->poll_us < IDLE_CPU_POLL_US) {
		ASSERT_EQ(0, param_write("engine_poll_us", IDLE_CPU_POLL_US));
	}
	for (i = 0; i < self->ntq; i++) {
		pid[i] = engine_pid(self->tq[i].id);
		ASSERT_LT(0, pid[i]) TH_LOG("no vcmdq-engine/%u thread",
					    self->tq[i].id);
	}

	/* For the log: an engine with no queue at all, over 1 s. */
	for (i = 0; i < self->ntq; i++)
		ns0[i] = task_run_ns(pid[i]);
	sleep_us(1000 * 1000);
	for (i = 0; i < self->ntq; i++) {
		ns1[i] = task_run_ns(pid[i]);
		TH_LOG("vcmdq-engine/%u with no queue: %.2f ms on CPU in 1 s (schedstat)",
		       self->tq[i].id,
		       ns0[i] >= 0 && ns1[i] >= 0 ? (ns1[i] - ns0[i]) / 1e6 : -1.0);
	}

	for (i = 0; i < self->ntq; i++) {
		for (j = 0; j < 2; j++) {
			fv_alloc(_metadata, self, vm_get(_metadata, self, j),
				 self->tq[i].id, &v[i][j]);
			for (k = 0; k < queues; k++) {
				fq_alloc(&v[i][j], k,
					 GPA(i * 2 + j) + k * 512, 5,
					 &q[i][j][k]);
				ASSERT_EQ(0, gq_hw_init(&q[i][j][k]));
				ASSERT_EQ(0, gq_issue_sync(&q[i][j][k], NULL, 0));
			}
		}
	}
	/* Let the engines settle into idle. */
	sleep_us(300 * 1000);
	for (i = 0; i < self->ntq; i++) {
		t0[i] = task_cpu_ticks(pid[i]);
		ns0[i] = task_run_ns(pid[i]);
		ASSERT_LE(0, t0[i]);
	}
	sleep_us(3 * 1000 * 1000);
	for (i = 0; i < self->ntq; i++) {
		t1[i] = task_cpu_ticks(pid[i]);
		ns1[i] = task_run_ns(pid[i]);
		ASSERT_LE(t0[i], t1[i]);
		total += t1[i] - t0[i];
		TH_LOG("vcmdq-engine/%u (pid %d), %d idle enabled queues: utime+stime %ld ticks (%ld Hz) in 3 s = %.2f%% of a CPU; schedstat %.2f ms on CPU",
		       self->tq[i].id, pid[i], 2 * queues, t1[i] - t0[i], hz,
		       100.0 * (t1[i] - t0[i]) / (3.0 * hz),
		       ns0[i] >= 0 && ns1[i] >= 0 ? (ns1[i] - ns0[i]) / 1e6 : -1.0);
		EXPECT_GT(3 * hz * max_percent / 100, t1[i] - t0[i]);
	}
	TH_LOG("all %d engine(s) together: %.2f%% of one CPU", self->ntq,
	       100.0 * total / (3.0 * hz));
	/* Still alive: each queue consumes. */
	for (i = 0; i < self->ntq; i++) {
		for (j = 0; j < 2; j++) {
			for (k = 0; k < queues; k++) {
				EXPECT_EQ(0, gq_issue_sync(&q[i][j][k], NULL, 0));
			}
		}
	}
}

/* ---- concurrency ------------------------------------------------------------ */

#define PAR_PAGES	128	/* pages each worker invalidates */
#define PAR_GUARD_ASID	0x7f

struct worker {
	struct gq q;
	__u32 inst;
	__u32 tag;
	__u16 asid;
	unsigned int seed;
	pthread_barrier_t *start;
	/* results */
	int rc;
	unsigned int cmds;
	unsigned int batches;
};

static void *worker_thread(void *p)
{
	struct worker *w = p;
	struct cmd batch[8];
	unsigned int page = 0;

	pthread_barrier_wait(w->start);
	while (page < PAR_PAGES) {
		unsigned int k, m = 1 + rand_r(&w->seed) % 7;

		m = MIN(m, PAR_PAGES - page);
		for (k = 0; k < m; k++)
			batch[k] = cmd_tlbi_nh_va(0, w->asid,
						  (__u64)(page + k) << 12,
						  true, 0, 0, 0, 0);
		w->rc = gq_issue_sync(&w->q, batch, m);
		if (w->rc)
			break;
		page += m;
		w->cmds += m;
		w->batches++;
	}
	return NULL;
}

/*
 * Queues of several vIOMMUs, of two VMs, on every fast instance, each
 * driven by its own thread at once; the same ASIDs everywhere.  In the
 * end each cache model holds exactly what nobody invalidated.
 */
TEST_F_TIMEOUT(fast, parallel_queues, 120)
{
	struct worker w[8];
	pthread_t th[8];
	pthread_barrier_t start;
	struct fv v[2][2];
	int nw = 0, i, j, k, p;
	__u64 t0;
	long n;

	REQUIRE_TEGRA(1);
	REQUIRE_TEST_IOCTL();
	if (self->ntq < 2)
		TH_LOG("one fast instance only: parallel over it alone");
	memset(w, 0, sizeof(w));
	for (i = 0; i < self->ntq; i++) {
		for (j = 0; j < 2; j++) {
			struct fv *f = &v[i][j];

			fv_alloc(_metadata, self, vm_get(_metadata, self, j),
				 self->tq[i].id, f);
			for (k = 0; k < 2; k++) {
				struct worker *x = &w[nw++];

				/* 16 entries: each worker wraps many times */
				fq_alloc(f, k, GPA(8 + i) + (j * 2 + k) * 256,
					 4, &x->q);
				ASSERT_EQ(0, gq_hw_init(&x->q));
				x->inst = f->inst;
				x->tag = f->tag;
				x->asid = 0x20 + k;
				x->seed = nw * 7919;
				for (p = 0; p < PAR_PAGES; p++) {
					test_cmd_iotlb_add(x->inst, x->tag,
							   x->asid, 0,
							   (__u64)p << 12,
							   ((__u64)p << 12) + 0xfff,
							   true);
				}
				/* guard: the same ASID, a page nobody names */
				test_cmd_iotlb_add(x->inst, x->tag, x->asid, 0,
						   1ULL << 30,
						   (1ULL << 30) + 0xfff, true);
			}
			test_cmd_iotlb_add(f->inst, f->tag, PAR_GUARD_ASID, 0,
					   0, 0xfff, true);
		}
	}

	ASSERT_EQ(0, pthread_barrier_init(&start, NULL, nw + 1));
	for (i = 0; i < nw; i++) {
		w[i].start = &start;
		ASSERT_EQ(0, pthread_create(&th[i], NULL, worker_thread, &w[i]));
	}
	pthread_barrier_wait(&start);
	t0 = now_us();
	for (i = 0; i < nw; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&start);
	TH_LOG("%d threads on %d queues, %d vIOMMUs, %d instance(s): %d commands in %llu ms",
	       nw, nw, nw / 2, self->ntq, nw * PAR_PAGES,
	       (unsigned long long)(now_us() - t0) / 1000);

	for (i = 0; i < nw; i++) {
		EXPECT_EQ(0, w[i].rc) TH_LOG("worker %d: %s after %u commands",
					     i, strerror(-w[i].rc), w[i].cmds);
		EXPECT_EQ(PAR_PAGES, w[i].cmds);
		EXPECT_EQ(0, gq_cons_err(&w[i].q));
		n = iotlb_count_range(self->fd, w[i].inst, w[i].tag, w[i].asid,
				      0, ((__u64)PAR_PAGES << 12) - 1, 0);
		EXPECT_EQ(0, n) TH_LOG("worker %d", i);
		n = iotlb_count(self->fd, w[i].inst, w[i].tag, w[i].asid);
		EXPECT_EQ(1, n) TH_LOG("worker %d", i);
	}
	for (i = 0; i < self->ntq; i++) {
		for (j = 0; j < 2; j++) {
			/* per tag: 2 guards of the workers, 1 other ASID */
			n = iotlb_count_tag(self->fd, v[i][j].inst, v[i][j].tag);
			EXPECT_EQ(3, n);
			n = iotlb_count(self->fd, v[i][j].inst, v[i][j].tag,
					PAR_GUARD_ASID);
			EXPECT_EQ(1, n);
		}
	}
}

/* ---- teardown while busy ---------------------------------------------------- */

struct streamer {
	struct gq q;
	volatile bool stop;
	bool sync;		/* wait for each CMD_SYNC (else only for space) */
	unsigned int batch;
	unsigned long cmds;
	int rc;
};

static void *stream_thread(void *p)
{
	struct streamer *s = p;
	unsigned int k;

	s->q.timeout_us = 300 * 1000;
	while (!s->stop) {
		if (s->sync) {
			struct cmd c[16];

			for (k = 0; k < s->batch; k++)
				c[k] = cmd_tlbi_nh_asid(0, 1 + k % 4);
			s->rc = gq_issue_sync(&s->q, c, s->batch);
		} else {
			s->rc = gq_wait_space(&s->q, s->batch);
			if (!s->rc) {
				for (k = 0; k < s->batch; k++)
					gq_put(&s->q, cmd_tlbi_nh_asid(0, 1 + k % 4));
				gq_publish(&s->q);
			}
		}
		if (s->rc)
			break;
		s->cmds += s->batch;
	}
	return NULL;
}

/* DESTROY of a queue that a thread is streaming into: no hang, no splat. */
TEST_F_TIMEOUT(fast, destroy_while_busy, 60)
{
	struct streamer s = { .sync = true, .batch = 15 };
	__u64 t0, us;
	pthread_t th;
	__u32 qid;
	struct fv v;
	struct gq q;
	long n;
	int round;

	REQUIRE_TEGRA(1);
	fv_alloc(_metadata, self, &self->vm[0], self->tq[0].id, &v);
	for (round = 0; round < 3; round++) {
		memset(&s, 0, sizeof(s));
		s.sync = round != 1;
		s.batch = round == 1 ? 255 : 15;
		qid = fq_alloc(&v, 0, GPA(0), round == 1 ? 8 : 4, &s.q);
		ASSERT_EQ(0, gq_hw_init(&s.q));
		ASSERT_EQ(0, pthread_create(&th, NULL, stream_thread, &s));
		sleep_us(200 * 1000);
		t0 = now_us();
		test_ioctl_destroy(qid);
		us = now_us() - t0;
		s.stop = true;
		pthread_join(th, NULL);
		TH_LOG("round %d: %lu commands streamed, DESTROY took %llu us",
		       round, s.cmds, (unsigned long long)us);
		EXPECT_LT(0, s.cmds);
		EXPECT_GT(2000 * 1000, us);
		/* The slot is unallocated now. */
		EXPECT_EQ(0, gq_rd(&s.q, VCMDQ_CTRL_STATUS) & VCMDQ_STATUS_ENABLED);
	}

	/* The slot and the memory make a working queue again. */
	fq_alloc(&v, 0, GPA(0), 4, &q);
	ASSERT_EQ(0, gq_hw_init(&q));
	if (!vcmdq_has_test_hook(self->fd))
		return;
	test_cmd_iotlb_add(v.inst, v.tag, 77, 0, 0, 0xfff, true);
	ASSERT_EQ(0, gq_issue1(&q, cmd_tlbi_nh_asid(0, 77)));
	n = iotlb_count(self->fd, v.inst, v.tag, 77);
	EXPECT_EQ(0, n);
}

/*
 * Close the file (unmap, close) while the engine has a long backlog in
 * the VM's queues: no hang, no splat, nothing left.
 */
TEST_F_TIMEOUT(fast, close_while_busy, 60)
{
	struct vcmdq_counters c0;
	struct streamer s[2];
	pthread_t th[2];
	__u8 *huge;
	struct vm *vm2;
	__u32 log2size;
	__u64 t0, us;
	struct fv v;
	int i;

	REQUIRE_TEGRA(1);
	vcmdq_read_counters(&c0);
	vm2 = vm_get(_metadata, self, 1);
	fv_alloc(_metadata, self, vm2, self->tq[0].id, &v);
	memset(s, 0, sizeof(s));
	huge = huge_alloc(_metadata, self, 1);
	if (huge) {
		/* a 1 MiB queue: 65536 entries of backlog */
		log2size = 16;
		ASSERT_EQ(0, _test_cmd_s2_map(vm2->fd, vm2->s2_id,
					      VCMDQ_S2_MAP_RW, GPA_HUGE, huge,
					      HUGE_PAGE_SIZE));
		fq_alloc_va(_metadata, &v, 0, GPA_HUGE, huge, log2size, &s[0].q);
	} else {
		TH_LOG("no huge page: a 4 KiB queue (256 entries of backlog)");
		log2size = 8;
		fq_alloc(&v, 0, GPA(0), log2size, &s[0].q);
	}
	fq_alloc(&v, 1, GPA(2), 8, &s[1].q);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, gq_hw_init(&s[i].q));
		s[i].batch = 64;
		ASSERT_EQ(0, pthread_create(&th[i], NULL, stream_thread, &s[i]));
	}
	sleep_us(300 * 1000);
	for (i = 0; i < 2; i++) {
		s[i].stop = true;
		pthread_join(th[i], NULL);
		TH_LOG("queue %d: %lu commands streamed, CONS %#x PROD %#x", i,
		       s[i].cmds, gq_rd(&s[i].q, VCMDQ_CTRL_CONS), s[i].q.sq.prod);
		EXPECT_LT(0, s[i].cmds);
	}
	/* Unmapped (the VMM's memory too) and closed with work pending. */
	t0 = now_us();
	ASSERT_EQ(0, unmap_tracked(self, v.ctrl));
	if (huge) {
		ASSERT_EQ(0, unmap_tracked(self, huge));
	}
	vm_close(self, 1);
	us = now_us() - t0;
	TH_LOG("unmap + close took %llu us", (unsigned long long)us);
	EXPECT_GT(2000 * 1000, us);
	EXPECT_EQ(c0.live_objects, live_objects());
	EXPECT_EQ(c0.pinned_pages, pinned_pages());
	EXPECT_EQ(c0.contexts, vcmdq_counter("contexts"));
}

/* Closing a file with every kind of live object leaves nothing behind. */
TEST_F(fast, close_releases_everything)
{
	const struct vcmdq_instance_info *dinst;
	struct vcmdq_counters c0, c1;
	struct vm *vm2;
	struct fv v[2];
	struct gq q;
	int i, efd, vf;
	__u32 eid;

	REQUIRE_TEGRA(1);
	vcmdq_read_counters(&c0);
	vm2 = vm_get(_metadata, self, 1);
	for (i = 0; i < self->ntq; i++) {
		fv_alloc(_metadata, self, vm2, self->tq[i].id, &v[i]);
		fq_alloc(&v[i], 0, GPA(i), 4, &q);
		ASSERT_EQ(0, gq_hw_init(&q));
		fq_alloc(&v[i], 1, GPA(i) + 256, 4, &q);
		ASSERT_EQ(0, gq_hw_init(&q));
		efd = eventq_new(_metadata, self, &v[i], 4, &eid);
		/* an error pending, unacknowledged */
		ASSERT_EQ(-EIO, gq_issue1(&q, cmd_cfgi_ste(0, false)));
		(void)efd;
	}
	dinst = tegra_with_devices(self, 1);
	if (dinst) {
		const struct pdev *d = pdev_of(self, dinst->id, 0);

		for (i = 0; i < self->ntq; i++)
			if (self->tq[i].id == dinst->id)
				break;
		ASSERT_TRUE(dev_proof(_metadata, self, d, &vf));
		ASSERT_EQ(0, _test_cmd_vdevice_alloc(vm2->fd, v[i].id, vf,
						     d->pci, 0x10, NULL, NULL));
	}
	vcmdq_read_counters(&c1);
	EXPECT_LT(c0.live_objects, c1.live_objects);
	EXPECT_EQ(c0.contexts + 1, c1.contexts);
	for (i = 0; i < self->ntq; i++) {
		ASSERT_EQ(0, unmap_tracked(self, v[i].ctrl));
	}
	vm_close(self, 1);
	vcmdq_read_counters(&c1);
	EXPECT_COUNTERS_EQ(&c0, &c1);
	/* The device is free for another VM. */
	if (dinst) {
		struct fv x;

		fv_alloc(_metadata, self, &self->vm[0], dinst->id, &x);
		test_cmd_vdevice_alloc(x.id, vf, pdev_of(self, dinst->id, 0)->pci,
				       0x10, NULL, NULL);
	}
}

/* ---- hybrid polling (engine_hybrid_us) ------------------------------------ */

/* instances/ID/counters/hybrid_sleeps, or -1. */
static long hybrid_sleeps(__u32 inst)
{
	char path[128];

	snprintf(path, sizeof(path),
		 VCMDQ_SYSFS "instances/%u/counters/hybrid_sleeps", inst);
	return read_long_file(path);
}

/*
 * engine_hybrid_us: 0 (off) to 10000; anything else is EINVAL (ERANGE past
 * 32 bits) and changes nothing.
 */
TEST_F(fast, hybrid_errnos)
{
	ASSERT_EQ(0, access(VCMDQ_PARAMS "engine_hybrid_us", W_OK))
		TH_LOG("no writable engine_hybrid_us parameter: %s",
		       strerror(errno));
	ASSERT_EQ(0, param_write("engine_hybrid_us", 10000));
	EXPECT_EQ(10000, param_read("engine_hybrid_us"));
	ASSERT_EQ(0, param_write("engine_hybrid_us", 0));
	EXPECT_EQ(0, param_read("engine_hybrid_us"));
	ASSERT_EQ(0, param_write("engine_hybrid_us", 3000));

	errno = 0;
	EXPECT_EQ(-1, param_write("engine_hybrid_us", 10001));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, param_write("engine_hybrid_us", -1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, param_write("engine_hybrid_us", 1L << 32));
	EXPECT_EQ(ERANGE, errno);
	EXPECT_EQ(-1, write_str(VCMDQ_PARAMS "engine_hybrid_us", "soon\n"));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(3000, param_read("engine_hybrid_us"));
	/* Teardown puts back the value at setup. */
}

/*
 * Bursts hybrid_sleeps_then_doorbell issues, and the pause between them.
 * Enough bursts for the engine to learn from scratch or from another
 * test's gaps: a window grows to the bursts by doubling, one ring of 16
 * gaps per step (kernel/engine.c).
 */
#define HYBRID_BURSTS	128
#define HYBRID_GAP_US	3000

/* @n one-command bursts with no kick, HYBRID_GAP_US apart. */
static int hybrid_bursts(struct gq *q, int n)
{
	int i, rc;

	for (i = 0; i < n; i++) {
		rc = gq_issue1(q, cmd_tlbi_nh_asid(0, 1 + i % 7));
		if (rc)
			return rc;
		sleep_us(HYBRID_GAP_US);
	}
	return 0;
}

/*
 * Hybrid polling on: regular bursts with no kick (a Linux guest) make the
 * engine learn their gaps and sleep on its timer until the next is due
 * (hybrid_sleeps counts it), and every burst completes (a lost wake-up
 * would wait for the 20 s poll; a burst gives up after 5 s).  Then no more
 * bursts: the engine spins through one window, arms the doorbell and
 * sleeps, and a write with no kick wakes it exactly once.  Off: no timed
 * sleep.  The gaps are the workload here, not a synchronization: what is
 * asserted holds whatever they turn out to be, under the limit.
 */
TEST_F_TIMEOUT(fast, hybrid_sleeps_then_doorbell, 120)
{
	__u32 inst;
	long h0, n0;
	struct fv v;
	struct gq q;

	REQUIRE_TEGRA(1);
	inst = self->tq[0].id;
	ASSERT_LE(0, hybrid_sleeps(inst))
		TH_LOG("no counters/hybrid_sleeps");
	ASSERT_EQ(0, param_write("engine_doorbell", 1));
	ASSERT_EQ(0, param_write("engine_poll_us", NEED_WAKEUP_POLL_US));
	ASSERT_EQ(0, param_write("engine_spin_us", 200));
	ASSERT_EQ(0, param_write("engine_hybrid_us", 10000));
	fv_alloc(_metadata, self, &self->vm[0], inst, &v);
	fq_alloc(&v, 0, GPA(0), 4, &q);
	ASSERT_EQ(0, gq_hw_init(&q));
	q.kick = false;
	q.kicks = 0;
	q.timeout_us = 5 * 1000 * 1000;

	h0 = hybrid_sleeps(inst);
	ASSERT_EQ(0, hybrid_bursts(&q, HYBRID_BURSTS));
	TH_LOG("%ld timed sleeps over %d bursts", hybrid_sleeps(inst) - h0,
	       HYBRID_BURSTS);
	/*
	 * On a lockdep (and, in make check, KASAN) kernel under emulation a
	 * timer wakes the engine milliseconds late, often later than the
	 * gap: then the engine rightly spins instead of sleeping, and only
	 * the rest of the test holds (seen: 0 of 48).
	 */
	if (access("/proc/lockdep", F_OK))
		EXPECT_LT(h0, hybrid_sleeps(inst))
			TH_LOG("%d bursts %d us apart: no timed sleep",
			       HYBRID_BURSTS, HYBRID_GAP_US);

	/*
	 * The bursts stop: after its window the engine arms and sleeps.
	 * It spins long after the doorbell's kick, so the write that faulted
	 * lands before it arms again (see doorbell_setup()).
	 */
	ASSERT_EQ(0, param_write("engine_spin_us", DOORBELL_SPIN_US));
	ASSERT_TRUE(wait_need_wakeup(&q, 2000 * 1000));
	n0 = doorbell_wakeups(inst);
	ASSERT_EQ(0, gq_issue1(&q, cmd_tlbi_nh_asid(0, 1)));
	EXPECT_EQ(n0 + 1, doorbell_wakeups(inst));

	/*
	 * Off: the same bursts, no timed sleep.  The kick ends one that began
	 * before the write (a kicked sleep is not counted), or the sleep it
	 * was about to begin: the engine reads the parameter again after.
	 */
	ASSERT_EQ(0, param_write("engine_spin_us", 200));
	ASSERT_EQ(0, param_write("engine_hybrid_us", 0));
	test_cmd_kick(v.id);
	h0 = hybrid_sleeps(inst);
	ASSERT_EQ(0, hybrid_bursts(&q, 24));
	EXPECT_EQ(h0, hybrid_sleeps(inst));
	EXPECT_EQ(0, q.kicks);
}

/*
 * doorbell_storm with hybrid polling on: the windows it learns from a
 * storm's gaps (tiny, then none) interleave timed sleeps, spins and armed
 * sleeps, and still no batch waits for a wake-up that never comes.
 */
TEST_F_TIMEOUT(fast, hybrid_storm, 300)
{
	long rang;

	REQUIRE_TEGRA(1);
	storm_run(_metadata, self, 10000, &rang);
}

TEST_HARNESS_MAIN
