// SPDX-License-Identifier: GPL-2.0-only
/*
 * libvcmdq through its public API, as a VMM uses it, on the emulated
 * instances of a VCMDQ_TEST module.  Every test runs twice: with the
 * slow path over ioctl() and over io_uring (FIXTURE_VARIANT).
 *
 * The library is linked statically (userspace/libvcmdq/build/libvcmdq.a),
 * so the VM needs nothing but this binary.  The test hook (VCMDQ_TEST)
 * fills and counts the instance's IOTLB/ATC model on the library's own
 * file (vcmdq_fd()).  Every ioctl() of the program, the library's too,
 * passes through __wrap_ioctl() (linked with -Wl,--wrap=ioctl), which
 * answers GET_INFO as an older module would while old_kernel is set.
 */
#include "vcmdq_utils.h"

#include <poll.h>
#include <stdarg.h>

#include <vcmdq/vcmdq.h>
#include <vcmdq/fastpath.h>

#pragma GCC diagnostic ignored "-Wsign-compare"

#define RAM_PAGES	64
#define GPA(n)		(GPA_BASE + (uint64_t)(n) * PAGE_SIZE)
#define TIMEOUT_US	(5 * 1000 * 1000)

/* Raw SMMUv3 opcodes the fast path refuses or the slow path hands back. */
#define OP_CFGI_STE	0x03ULL
#define OP_TLBI_NH_ALL	0x10ULL
#define OP_TLBI_EL2_ALL	0x20ULL

FIXTURE(lib)
{
	struct vcmdq_ctx *ctx;
	int fd;			/* vcmdq_fd(ctx), for the test hook */
	uint8_t *ram;
	struct vcmdq_instance tq;	/* a tegra241-cmdqv instance */
	bool have_tq;
	struct vcmdq_viommu *v;	/* on tq */
	struct vcmdq_counters base;
	int vfio_fd;
};

FIXTURE_VARIANT(lib)
{
	unsigned int open_flags;
};

FIXTURE_VARIANT_ADD(lib, ioctl)
{
	.open_flags = 0,
};

FIXTURE_VARIANT_ADD(lib, io_uring)
{
	.open_flags = VCMDQ_OPEN_URING,
};

FIXTURE_SETUP(lib)
{
	self->vfio_fd = -1;
	vcmdq_read_counters(&self->base);
	ASSERT_COUNTERS_READ(&self->base);
	ASSERT_EQ(0, vcmdq_open(NULL, variant->open_flags, &self->ctx));
	self->fd = vcmdq_fd(self->ctx);
	self->ram = alloc_pages(RAM_PAGES, PROT_READ | PROT_WRITE, true);
	ASSERT_NE(NULL, self->ram);
	memset(self->ram, 0, RAM_PAGES * PAGE_SIZE);
	ASSERT_EQ(0, vcmdq_mem_map(self->ctx, GPA_BASE, self->ram,
				   RAM_PAGES * PAGE_SIZE,
				   VCMDQ_S2_MAP_READ | VCMDQ_S2_MAP_WRITE));
	self->have_tq = !vcmdq_instance_find(self->ctx, 0,
					     VCMDQ_FLAVOR_TEGRA241_CMDQV,
					     VCMDQ_INSTANCE_CAP_FAST_QUEUES,
					     &self->tq);
	if (self->have_tq)
		ASSERT_EQ(0, vcmdq_viommu_create(self->ctx, self->tq.id,
						 &self->v));
}

FIXTURE_TEARDOWN(lib)
{
	struct vcmdq_counters now;

	/* Everything still alive goes with the context. */
	vcmdq_close(self->ctx);
	if (self->vfio_fd >= 0)
		close(self->vfio_fd);
	vcmdq_read_counters(&now);
	EXPECT_COUNTERS_EQ(&self->base, &now);
	if (self->ram)
		munmap(self->ram, RAM_PAGES * PAGE_SIZE);
}

/* ---- an older module, as the library sees it ---------------------------- */

/*
 * The layouts of a module before GET_INFO's appended fields (uapi commit
 * "uapi: VMM-owned commands, ..., entry sizes, devices"): struct
 * vcmdq_get_info ended at instances_uptr, struct vcmdq_instance_info at
 * __reserved (no data_entry_len, vtd_max_am).
 */
#define OLD_GET_INFO_SIZE	offsetof(struct vcmdq_get_info, device_entry_len)
#define OLD_INFO_LEN		offsetof(struct vcmdq_instance_info, data_entry_len)
#define OLD_INFO_MIN_LEN	offsetofend(struct vcmdq_instance_info, vsids_per_viommu)

/* While set, GET_INFO is answered as that older module would. */
static bool old_kernel;

/* libc's ioctl(), under -Wl,--wrap=ioctl. */
int __real_ioctl(int fd, unsigned long req, ...);
int __wrap_ioctl(int fd, unsigned long req, ...);

/*
 * GET_INFO of the older module, on top of the real one: its size rules
 * (copy_struct_from_user: E2BIG for non-zero bytes past its struct), and
 * instance entries of OLD_INFO_LEN bytes, an entry longer than that
 * getting a zeroed tail.
 */
static int old_kernel_get_info(int fd, uint8_t *u)
{
	struct vcmdq_get_info gi = { 0 }, real;
	uint8_t *tmp;
	uint32_t size, i, n;
	int rc;

	memcpy(&size, u, sizeof(size));
	if (size < OLD_GET_INFO_SIZE) {
		errno = EINVAL;
		return -1;
	}
	for (i = OLD_GET_INFO_SIZE; i < size; i++) {
		if (u[i]) {
			errno = E2BIG;
			return -1;
		}
	}
	memcpy(&gi, u, OLD_GET_INFO_SIZE);
	if (gi.num_instances &&
	    (gi.entry_len < OLD_INFO_MIN_LEN || gi.entry_len > PAGE_SIZE)) {
		errno = EINVAL;
		return -1;
	}
	tmp = calloc(gi.num_instances + 1, OLD_INFO_LEN);
	if (!tmp) {
		errno = ENOMEM;
		return -1;
	}
	real = gi;
	real.size = OLD_GET_INFO_SIZE;
	real.entry_len = OLD_INFO_LEN;
	real.instances_uptr = (uintptr_t)tmp;
	rc = __real_ioctl(fd, VCMDQ_GET_INFO, &real);
	if (!rc) {
		uint8_t *dst = (uint8_t *)(uintptr_t)gi.instances_uptr;

		n = gi.num_instances < real.num_instances ? gi.num_instances :
							     real.num_instances;
		for (i = 0; i < n; i++) {
			uint8_t *e = dst + (size_t)i * gi.entry_len;

			if (gi.entry_len <= OLD_INFO_LEN) {
				memcpy(e, tmp + i * OLD_INFO_LEN, gi.entry_len);
			} else {
				memcpy(e, tmp + i * OLD_INFO_LEN, OLD_INFO_LEN);
				memset(e + OLD_INFO_LEN, 0,
				       gi.entry_len - OLD_INFO_LEN);
			}
		}
		gi.num_instances = real.num_instances;
		memcpy(u, &gi, OLD_GET_INFO_SIZE);
	}
	free(tmp);
	return rc;
}

/* The link (-Wl,--wrap=ioctl) sends every ioctl() of the program here. */
int __wrap_ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (old_kernel && req == VCMDQ_GET_INFO)
		return old_kernel_get_info(fd, arg);
	return __real_ioctl(fd, req, arg);
}

/* ---- helpers ------------------------------------------------------------ */

static void *ram_va(FIXTURE_DATA(lib) *self, uint64_t gpa)
{
	return self->ram + (gpa - GPA_BASE);
}

/* Bind queue @index at @gpa (2^@log2size entries), set up and enable @sq. */
static int queue_up(FIXTURE_DATA(lib) *self, unsigned int index, uint64_t gpa,
		    unsigned int log2size, struct vcmdq_sq *sq)
{
	int rc = vcmdq_queue_set_base(self->v, index, gpa, log2size);

	if (rc)
		return rc;
	rc = vcmdq_sq_init(self->v, index, sq);
	if (rc)
		return rc;
	return vcmdq_sq_enable(sq, TIMEOUT_US);
}

/*
 * What a guest driver does: @n commands and a CMD_SYNC, one PROD store, a
 * kick if the engine sleeps, wait for the CMD_SYNC.  Return: as
 * __vcmdq_sq_wait(); *@pos (may be NULL) gets the first entry's position.
 */
static int issue(struct vcmdq_sq *sq, const uint64_t (*cmds)[2], unsigned int n,
		 struct vcmdq_sq_error *err, uint32_t *pos)
{
	uint64_t deadline = vcmdq_deadline_ns(TIMEOUT_US);
	unsigned int i, iter = 0;
	uint32_t idx;
	int rc;

	while ((rc = __vcmdq_sq_reserve(sq, n + 1, &idx)) == -EAGAIN) {
		rc = vcmdq_backoff_sleep(&deadline, iter++);
		if (rc)
			return rc;
	}
	if (rc)
		return rc;
	for (i = 0; i < n; i++) {
		uint64_t *e = __vcmdq_sq_entry(sq, idx + i);

		e[0] = __vcmdq_cpu_to_le64(cmds[i][0]);
		e[1] = __vcmdq_cpu_to_le64(cmds[i][1]);
	}
	vcmdq_prep_sync(__vcmdq_sq_entry(sq, idx + n));
	if (pos)
		*pos = idx;
	if (__vcmdq_sq_submit(sq, n + 1)) {
		rc = vcmdq_sq_kick(sq);
		if (rc)
			return rc;
	}
	return __vcmdq_sq_wait(sq, idx + n, 64, vcmdq_backoff_sleep, &deadline,
			       err);
}

static long iotlb_count(FIXTURE_DATA(lib) *self, uint32_t asid)
{
	return _iotlb_count(self->fd, self->tq.id, VCMDQ_TEST_ANY_PASID,
			    vcmdq_viommu_tag(self->v), asid, 0, 0, UINT64_MAX);
}

/* Four 4K entries in @asid: 0x1000, 0x10000, 0x13000, 0x20000. */
static int iotlb_fill(FIXTURE_DATA(lib) *self, uint32_t asid)
{
	static const uint64_t va[] = { 0x1000, 0x10000, 0x13000, 0x20000 };
	unsigned int i;

	for (i = 0; i < 4; i++)
		if (_test_cmd_iotlb_add(self->fd, self->tq.id,
					vcmdq_viommu_tag(self->v), asid, 0,
					va[i], va[i] + 0xfff, true))
			return -1;
	return 0;
}

/*
 * The same command list for asids @a .. @a + 3 (no CMD_SYNC): all of @a,
 * one address of @a + 1, four pages of @a + 2 from 0x10000, nothing of
 * @a + 3; with @vsid != ~0, an ATC_INV of everything of that device.
 */
static unsigned int build_cmds(uint64_t (*c)[2], uint16_t a, uint32_t vsid)
{
	unsigned int n = 0;

	vcmdq_prep_tlbi_nh_asid(c[n++], a);
	vcmdq_prep_tlbi_nh_va(c[n++], a + 1, 0x1000, false, 0, 0, 0, 0);
	vcmdq_prep_tlbi_nh_va(c[n++], a + 2, 0x10000, true, 1, 3, 0, 0);
	if (vsid != ~0U)
		vcmdq_prep_atc_inv(c[n++], vsid, false, 0, 0,
				   VCMDQ_ATC_INV_SIZE_ALL, false);
	return n;
}

/*
 * A command the SMMUv3 accepts but a guest-owned queue does not
 * (TLBI_NH_ALL), then a CMD_SYNC: the queue stops on it.  Return: as
 * issue() (-EIO when it stopped), *@pos gets its position.
 */
static int issue_illegal(struct vcmdq_sq *sq, struct vcmdq_sq_error *err,
			 uint32_t *pos)
{
	const uint64_t cmd[1][2] = { { OP_TLBI_NH_ALL, 0 } };

	return issue(sq, cmd, 1, err, pos);
}

/* Wait for position @pos to be consumed after a recovery; as issue(). */
static int wait_pos(struct vcmdq_sq *sq, uint32_t pos)
{
	uint64_t deadline = vcmdq_deadline_ns(TIMEOUT_US);

	return __vcmdq_sq_wait(sq, pos, 16, vcmdq_backoff_sleep, &deadline,
			       NULL);
}

#define NEED_TQ()                                                           \
	do {                                                                \
		if (!self->have_tq)                                         \
			SKIP(return, "no tegra241-cmdqv instance");         \
	} while (0)

/* ---- instances, devices ------------------------------------------------- */

TEST_F(lib, info)
{
	struct vcmdq_instance in;
	unsigned int i, t, n = vcmdq_num_instances(self->ctx);
	struct pdev devs[16];
	uint32_t pci;

	ASSERT_LT(0, n);
	EXPECT_STREQ(variant->open_flags ? "io_uring" : "ioctl",
		     vcmdq_slow_path_name(self->ctx));
	EXPECT_STREQ("0.1.0", vcmdq_version());
	for (i = 0; i < n; i++) {
		int nd;

		ASSERT_EQ(0, vcmdq_instance_get(self->ctx, i, &in));
		EXPECT_LT(0, in.id);
		EXPECT_NE(VCMDQ_FLAVOR_DEFAULT, in.flavor);
		EXPECT_NE(0, in.data_types);
		for (t = 0; t < VCMDQ_DATA_TYPES_MAX; t++) {
			if (in.data_types & (1U << t)) {
				EXPECT_LE(16, in.data_entry_len[t]);
			} else {
				EXPECT_EQ(0, in.data_entry_len[t]);
			}
		}
		if (in.caps & VCMDQ_INSTANCE_CAP_FAST_QUEUES) {
			EXPECT_LT(0, in.queues_per_viommu);
		}
		/*
		 * A host instance names its unit (as sysfs does); its devices
		 * are the unit's, vcmdq_topology_test checks them.
		 */
		if (in.caps & VCMDQ_INSTANCE_CAP_HOST) {
			char path[128], buf[64];
			const char *host =
				vcmdq_instance_host_iommu(self->ctx, in.id);

			ASSERT_NE(NULL, host);
			snprintf(path, sizeof(path),
				 VCMDQ_SYSFS "instances/%u/host_iommu", in.id);
			ASSERT_LT(0, read_file(path, buf, sizeof(buf)));
			buf[strcspn(buf, "\n")] = 0;
			EXPECT_STREQ(buf, host);
			continue;
		}
		EXPECT_EQ(NULL, vcmdq_instance_host_iommu(self->ctx, in.id));
		/* The devices the module parameter put behind it. */
		nd = param_devices(in.id, devs, 16);
		EXPECT_EQ(nd, in.num_devices);
		for (t = 0; t < in.num_devices && t < nd; t++) {
			ASSERT_EQ(0, vcmdq_instance_device(self->ctx, in.id, t,
							   &pci));
			EXPECT_EQ(devs[t].pci, pci);
		}
		EXPECT_EQ(-ERANGE, vcmdq_instance_device(self->ctx, in.id,
							 in.num_devices, &pci));
		/* Find by ID gives the same entry. */
		{
			struct vcmdq_instance by_id;

			ASSERT_EQ(0, vcmdq_instance_find(self->ctx, in.id, 0, 0,
							 &by_id));
			EXPECT_EQ(0, memcmp(&in, &by_id, sizeof(in)));
		}
	}
	EXPECT_EQ(-ERANGE, vcmdq_instance_get(self->ctx, n, &in));
	EXPECT_EQ(NULL, vcmdq_instance_host_iommu(self->ctx, 0));
	EXPECT_EQ(NULL, vcmdq_instance_host_iommu(NULL, 1));
}

/*
 * A library built with the current header on a module that predates
 * GET_INFO's appended fields: it still opens, reports the instances with
 * the old fields, defaults for the new ones (every format's entries 16
 * bytes, no VT-d MAMV, no devices), and works.
 */
TEST_F(lib, old_kernel_get_info)
{
	struct vcmdq_get_info gi = { .size = sizeof(gi), .device_entry_len = 8 };
	struct vcmdq_instance a, b;
	struct vcmdq_viommu *v2;
	struct vcmdq_ctx *c2 = NULL;
	unsigned int i, t;
	uint64_t cmds[2][2];
	uint32_t pci, num;
	int rc;

	old_kernel = true;
	/* The emulation answers as that module: the current layout is E2BIG. */
	EXPECT_ERRNO(E2BIG, ioctl(self->fd, VCMDQ_GET_INFO, &gi));
	gi.device_entry_len = 0;
	ASSERT_EQ(0, ioctl(self->fd, VCMDQ_GET_INFO, &gi));
	EXPECT_EQ(vcmdq_num_instances(self->ctx), gi.num_instances);

	rc = vcmdq_open(NULL, variant->open_flags, &c2);
	ASSERT_EQ(0, rc) TH_LOG("vcmdq_open on an older module: %s",
				strerror(-rc));
	ASSERT_EQ(vcmdq_num_instances(self->ctx), vcmdq_num_instances(c2));
	for (i = 0; i < vcmdq_num_instances(c2); i++) {
		ASSERT_EQ(0, vcmdq_instance_get(self->ctx, i, &a));
		ASSERT_EQ(0, vcmdq_instance_get(c2, i, &b));
		/* The old fields as the module has them, defaults for the new. */
		for (t = 0; t < VCMDQ_DATA_TYPES_MAX; t++)
			a.data_entry_len[t] = a.data_types & (1U << t) ? 16 : 0;
		a.vtd_max_am = 0;
		a.num_devices = 0;
		EXPECT_EQ(0, memcmp(&a, &b, sizeof(a))) TH_LOG("instance %u", a.id);
		EXPECT_EQ(-ERANGE, vcmdq_instance_device(c2, b.id, 0, &pci));
	}

	/* It works: a vIOMMU, a slow path batch. */
	ASSERT_EQ(0, vcmdq_instance_find(c2, 0, 0, 0, &b));
	ASSERT_EQ(0, vcmdq_viommu_create(c2, b.id, &v2));
	if (b.data_types & (1U << VCMDQ_DATA_SMMUV3)) {
		vcmdq_prep_tlbi_nh_asid(cmds[0], 1);
		vcmdq_prep_sync(cmds[1]);
		num = 2;
		EXPECT_EQ(0, vcmdq_invalidate(v2, VCMDQ_DATA_SMMUV3, cmds, 16,
					      &num));
		EXPECT_EQ(2, num);
	}
	vcmdq_close(c2);
	old_kernel = false;
}

/* ---- errno cases of each function; errno itself untouched --------------- */

TEST_F(lib, errno_cases)
{
	struct vcmdq_ctx *c2 = NULL;
	struct vcmdq_instance in;
	struct vcmdq_viommu *v2 = NULL;
	struct vcmdq_vdevice *vd = NULL;
	struct vcmdq_event ev;
	struct vcmdq_sq sq;
	unsigned int nr, state;
	uint64_t unmapped = 0;
	uint32_t num, pci;

	errno = 4242;
	EXPECT_EQ(-EINVAL, vcmdq_open(NULL, 1U << 30, &c2));
	EXPECT_EQ(-ENOENT, vcmdq_open("/nonexistent/vcmdq", 0, &c2));
	EXPECT_EQ(NULL, c2);
	EXPECT_EQ(-ENOENT, vcmdq_instance_find(self->ctx, 0xffff, 0, 0, &in));
	EXPECT_EQ(-ENODEV, vcmdq_instance_find(self->ctx, 0, 0x7777, 0, &in));
	EXPECT_EQ(-ENOENT, vcmdq_instance_device(self->ctx, 0xffff, 0, &pci));
	/* Guest memory: unaligned, overlapping, nothing to unmap. */
	EXPECT_EQ(-EINVAL, vcmdq_mem_map(self->ctx, GPA(RAM_PAGES) + 1,
					 self->ram, PAGE_SIZE,
					 VCMDQ_S2_MAP_READ));
	EXPECT_EQ(-EINVAL, vcmdq_mem_map(self->ctx, GPA(RAM_PAGES), self->ram,
					 PAGE_SIZE, 0));
	EXPECT_EQ(-EEXIST, vcmdq_mem_map(self->ctx, GPA(1), self->ram,
					 PAGE_SIZE, VCMDQ_S2_MAP_READ));
	EXPECT_EQ(-ENOENT, vcmdq_mem_unmap(self->ctx, GPA(RAM_PAGES),
					   PAGE_SIZE, &unmapped));
	EXPECT_EQ(-EINVAL, vcmdq_mem_unmap(self->ctx, GPA_BASE, PAGE_SIZE,
					   &unmapped));	/* would split */
	EXPECT_EQ(NULL, vcmdq_mem_hva(self->ctx, GPA(RAM_PAGES), 1));
	EXPECT_EQ(self->ram + PAGE_SIZE, vcmdq_mem_hva(self->ctx, GPA(1), 16));
	EXPECT_EQ(-ENOENT, vcmdq_viommu_create(self->ctx, 0xffff, &v2));
	EXPECT_EQ(4242, errno);
	if (!self->have_tq)
		return;
	/* A second vIOMMU of the same S2 on the same instance. */
	EXPECT_EQ(-EEXIST, vcmdq_viommu_create(self->ctx, self->tq.id, &v2));
	/* Queues: index, size, alignment, memory. */
	EXPECT_EQ(-EINVAL, vcmdq_queue_set_base(self->v, self->tq.queues_per_viommu,
						GPA_BASE, 3));
	EXPECT_EQ(-EINVAL, vcmdq_queue_set_base(self->v, 0, GPA_BASE, 0));
	EXPECT_EQ(-EINVAL, vcmdq_queue_set_base(self->v, 0, GPA_BASE,
						self->tq.max_queue_log2size + 1));
	EXPECT_EQ(-EINVAL, vcmdq_queue_set_base(self->v, 0, GPA_BASE + 64, 3));
	EXPECT_EQ(-ENOENT, vcmdq_queue_set_base(self->v, 0, GPA(RAM_PAGES), 3));
	EXPECT_EQ(-EINVAL, vcmdq_queue_clear_base(self->v,
						  self->tq.queues_per_viommu));
	EXPECT_EQ(-EINVAL, vcmdq_queue_state(self->v, self->tq.queues_per_viommu,
					     &state, NULL));
	ASSERT_EQ(0, vcmdq_queue_state(self->v, 0, &state, NULL));
	EXPECT_EQ(VCMDQ_QUEUE_UNUSED, state);
	EXPECT_EQ(-ENOENT, vcmdq_sq_init(self->v, 0, &sq));
	/* Events. */
	EXPECT_EQ(-ENOENT, vcmdq_eventq_read(self->v, &ev, 1, &nr));
	EXPECT_EQ(-EINVAL, vcmdq_eventq_create(self->v, 0, NULL));
	ASSERT_EQ(0, vcmdq_eventq_create(self->v, 4, NULL));
	EXPECT_EQ(-EEXIST, vcmdq_eventq_create(self->v, 4, NULL));
	nr = 7;
	EXPECT_EQ(0, vcmdq_eventq_read(self->v, &ev, 1, &nr));
	EXPECT_EQ(0, nr);
	/* vDEVICE: no such device, no such vIOMMU's device. */
	EXPECT_EQ(-ENODEV, vcmdq_vdevice_create(self->v, -1,
						VCMDQ_PCI_DEVICE(0, 0xfe, 31, 7),
						1, NULL, &vd));
	/* Slow path: a format the instance does not take; a NULL batch. */
	EXPECT_EQ(0, vcmdq_invalidate_probe(self->v, VCMDQ_DATA_SMMUV3));
	EXPECT_EQ(-EOPNOTSUPP, vcmdq_invalidate_probe(self->v, VCMDQ_DATA_VTD));
	num = 1;
	EXPECT_EQ(-EINVAL, vcmdq_invalidate(self->v, VCMDQ_DATA_SMMUV3, NULL,
					    16, &num));
	num = 1;
	EXPECT_EQ(-EINVAL, vcmdq_invalidate(self->v, VCMDQ_DATA_SMMUV3,
					    self->ram, 8, &num));
	EXPECT_EQ(0, num);
	EXPECT_EQ(4242, errno);
}

/* ---- fast path and slow path: the same commands, the same effect -------- */

TEST_F(lib, fast_equals_slow)
{
	uint64_t cmds[8][2];
	struct vcmdq_vdevice *vd = NULL;
	struct vcmdq_sq_error err;
	struct vcmdq_sq sq;
	uint32_t vsid = ~0U, phys = 0, num, pci;
	long fast[4], slow[4];
	uint64_t tw_a[2], tw_b[2];
	unsigned int n, i;
	char why[128];
	int rc;

	NEED_TQ();
	REQUIRE_TEST_HOOK(); /* iotlb_fill(): the cache model */
	/* A device for ATC_INV, when one can be claimed. */
	if (!vcmdq_instance_device(self->ctx, self->tq.id, 0, &pci)) {
		char bdf[BDF_LEN];

		snprintf(bdf, sizeof(bdf), "%04x:%02x:%02x.%x", pci >> 16,
			 (pci >> 8) & 0xff, (pci >> 3) & 0x1f, pci & 7);
		if (!device_claim(bdf, &self->vfio_fd, why, sizeof(why))) {
			ASSERT_EQ(0, vcmdq_vdevice_create(self->v, self->vfio_fd,
							  pci, 0x42, &phys,
							  &vd));
			EXPECT_EQ(pci, phys);
			vsid = 0x42;
		} else {
			TH_LOG("no ATC_INV: %s", why);
		}
	}
	ASSERT_EQ(0, queue_up(self, 0, GPA(0), 4, &sq));

	/* Fast path on asids 1..4, slow path on 11..14. */
	ASSERT_EQ(0, iotlb_fill(self, 1));
	ASSERT_EQ(0, iotlb_fill(self, 2));
	ASSERT_EQ(0, iotlb_fill(self, 3));
	ASSERT_EQ(0, iotlb_fill(self, 4));
	if (vsid != ~0U)
		ASSERT_EQ(0, _test_cmd_atc_add(self->fd, self->tq.id, phys, 0,
					       0, 0xffff));
	n = build_cmds(cmds, 1, vsid);
	ASSERT_EQ(0, issue(&sq, (const uint64_t (*)[2])cmds, n, &err, NULL));
	for (i = 0; i < 4; i++)
		fast[i] = iotlb_count(self, 1 + i);
	if (vsid != ~0U) {
		EXPECT_EQ(0, _atc_count(self->fd, self->tq.id, VCMDQ_TEST_ANY_SSID,
					phys, 0, 0, UINT64_MAX));
	}

	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, iotlb_fill(self, 11 + i));
	if (vsid != ~0U)
		ASSERT_EQ(0, _test_cmd_atc_add(self->fd, self->tq.id, phys, 0,
					       0, 0xffff));
	n = build_cmds(cmds, 11, vsid);
	vcmdq_prep_sync(cmds[n++]);
	num = n;
	rc = vcmdq_invalidate(self->v, VCMDQ_DATA_SMMUV3, cmds, 16, &num);
	ASSERT_EQ(0, rc);
	EXPECT_EQ(n, num);
	for (i = 0; i < 4; i++)
		slow[i] = iotlb_count(self, 11 + i);
	if (vsid != ~0U) {
		EXPECT_EQ(0, _atc_count(self->fd, self->tq.id, VCMDQ_TEST_ANY_SSID,
					phys, 0, 0, UINT64_MAX));
	}

	for (i = 0; i < 4; i++) {
		EXPECT_EQ(fast[i], slow[i]) TH_LOG("asid +%u", i);
	}
	/* And what both should have done. */
	EXPECT_EQ(0, fast[0]);
	EXPECT_EQ(3, fast[1]);
	EXPECT_EQ(2, fast[2]);
	EXPECT_EQ(4, fast[3]);
	/* The out-of-line twins encode the same entries. */
	vcmdq_prep_tlbi_nh_va(tw_a, 5, 0x123000, true, 1, 2, 3, 1);
	vcmdq_sq_prep_tlbi_nh_va(tw_b, 5, 0x123000, true, 1, 2, 3, 1);
	EXPECT_EQ(0, memcmp(tw_a, tw_b, sizeof(tw_a)));
	vcmdq_prep_atc_inv(tw_a, 7, true, 9, 0x4000, 2, true);
	vcmdq_sq_prep_atc_inv(tw_b, 7, true, 9, 0x4000, 2, true);
	EXPECT_EQ(0, memcmp(tw_a, tw_b, sizeof(tw_a)));
	EXPECT_NE(0, tw_a[0] & (1ULL << 11));	/* SSV */
}

/* ---- a full queue, then many wraps -------------------------------------- */

TEST_F(lib, full_and_wrap)
{
	uint64_t cmds[8][2];
	struct vcmdq_sq_error err;
	struct vcmdq_sq sq;
	uint32_t idx, i;
	int round;

	NEED_TQ();
	REQUIRE_TEST_HOOK(); /* iotlb_fill(): the cache model */
	ASSERT_EQ(0, queue_up(self, 0, GPA(1), 3, &sq));	/* 8 entries */
	EXPECT_EQ(-EINVAL, __vcmdq_sq_reserve(&sq, 9, &idx));
	EXPECT_EQ(-EINVAL, vcmdq_sq_reserve(&sq, 0, &idx));

	/* Stopped (CONFIG.EN = 0): eight entries fill it. */
	ASSERT_EQ(0, vcmdq_sq_disable(&sq, TIMEOUT_US));
	ASSERT_EQ(0, __vcmdq_sq_reserve(&sq, 8, &idx));
	for (i = 0; i < 8; i++)
		vcmdq_prep_sync(__vcmdq_sq_entry(&sq, idx + i));
	vcmdq_sq_submit(&sq, 8);
	usleep(20 * 1000);	/* the engine would have consumed by now */
	EXPECT_EQ(-EAGAIN, __vcmdq_sq_reserve(&sq, 1, &idx));
	EXPECT_EQ(-EAGAIN, vcmdq_sq_reserve(&sq, 1, &idx));
	/* Enabled again (PROD kept): it drains, and there is room. */
	__vcmdq_store_reg_release(&sq, VCMDQ_CTRL_CONFIG, VCMDQ_CONFIG_EN);
	vcmdq_sq_kick(&sq);
	{
		uint64_t deadline = vcmdq_deadline_ns(TIMEOUT_US);

		ASSERT_EQ(0, vcmdq_sq_wait(&sq, 7, 16, vcmdq_backoff_sleep,
					   &deadline, &err));
	}
	ASSERT_EQ(0, __vcmdq_sq_reserve(&sq, 8, &idx));
	EXPECT_EQ(8, idx);	/* index 0, wrap bit set */

	/* 2..7 commands + CMD_SYNC per round: PROD wraps many times. */
	for (round = 0; round < 40; round++) {
		uint16_t asid = 100 + round % 5;
		unsigned int n = 2 + round % 6;

		ASSERT_EQ(0, iotlb_fill(self, asid));
		for (i = 0; i < n; i++)
			vcmdq_prep_tlbi_nh_asid(cmds[i], asid);
		ASSERT_EQ(0, issue(&sq, (const uint64_t (*)[2])cmds, n, &err,
				   NULL))
			TH_LOG("round %d", round);
		ASSERT_EQ(0, iotlb_count(self, asid)) TH_LOG("round %d", round);
	}
}

/* ---- an illegal command, its event, the guest's recovery --------------- */

TEST_F(lib, illegal_and_recovery)
{
	uint64_t cmds[4][2];
	struct vcmdq_sq_error err = { 0 };
	struct vcmdq_event ev[4];
	struct vcmdq_sq sq;
	struct pollfd pfd;
	unsigned int nr = 0;
	uint32_t pos, want;
	uint64_t deadline;
	int efd = -1, pass;
	uint32_t seq0 = 0;

	NEED_TQ();
	REQUIRE_TEST_HOOK(); /* iotlb_fill(): the cache model */
	ASSERT_EQ(0, vcmdq_eventq_create(self->v, 8, &efd));
	ASSERT_LE(0, efd);
	ASSERT_EQ(0, queue_up(self, 0, GPA(2), 4, &sq));

	/* pass 0: fix (a CMD_SYNC in its place); pass 1: skip it. */
	for (pass = 0; pass < 2; pass++) {
		ASSERT_EQ(0, iotlb_fill(self, 7));
		cmds[0][0] = OP_TLBI_NH_ALL;	/* legal SMMUv3, not on a VCMDQ */
		cmds[0][1] = 0;
		vcmdq_prep_tlbi_nh_asid(cmds[1], 7);
		EXPECT_EQ(-EIO, issue(&sq, (const uint64_t (*)[2])cmds, 2, &err,
				      &pos));
		EXPECT_EQ(VCMDQ_CERROR_ILL, err.error);
		EXPECT_EQ(pos, err.pos);
		/* Nothing after it ran. */
		EXPECT_EQ(4, iotlb_count(self, 7));

		pfd = (struct pollfd){ .fd = efd, .events = POLLIN };
		ASSERT_EQ(1, poll(&pfd, 1, 5000));
		ASSERT_EQ(0, vcmdq_eventq_read(self->v, ev, 4, &nr));
		ASSERT_EQ(1, nr);
		EXPECT_EQ(VCMDQ_EVENT_CMDQ_ERR, ev[0].type);
		EXPECT_EQ(0, ev[0].cmdq_err.queue_index);
		EXPECT_EQ(VCMDQ_CERROR_ILL, ev[0].cmdq_err.error);
		EXPECT_EQ(pos, ev[0].cmdq_err.cons);
		EXPECT_EQ(OP_TLBI_NH_ALL, ev[0].cmdq_err.cmd[0]);
		if (pass)
			EXPECT_EQ(seq0 + 1, ev[0].sequence);
		seq0 = ev[0].sequence;

		if ((pass ? __vcmdq_sq_skip_error(&sq) :
			    __vcmdq_sq_fix_error(&sq)))
			vcmdq_sq_kick(&sq);
		want = pos + 2;	/* the CMD_SYNC */
		deadline = vcmdq_deadline_ns(TIMEOUT_US);
		EXPECT_EQ(0, __vcmdq_sq_wait(&sq, want, 16, vcmdq_backoff_sleep,
					     &deadline, &err));
		EXPECT_EQ(0, iotlb_count(self, 7));
		/* No second event. */
		ASSERT_EQ(0, vcmdq_eventq_read(self->v, ev, 4, &nr));
		EXPECT_EQ(0, nr);
	}
}

/* ---- events: one per error, lost events, the end of the queue ---------- */

/* Stop @sq on an illegal command and skip it; *@pos gets its position. */
static int error_and_skip(struct vcmdq_sq *sq, uint32_t *pos)
{
	struct vcmdq_sq_error err;
	int rc = issue_illegal(sq, &err, pos);

	if (rc != -EIO)
		return rc ? rc : -EPROTO;
	if (__vcmdq_sq_skip_error(sq))
		vcmdq_sq_kick(sq);
	return wait_pos(sq, *pos + 1);
}

/* Poll @fd for @events; the revents (0 on timeout). */
static short poll_fd(int fd, short events, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };

	return poll(&pfd, 1, timeout_ms) == 1 ? pfd.revents : 0;
}

TEST_F(lib, events)
{
	const uint64_t bad[1][2] = { { OP_TLBI_NH_ALL | 0x77ULL << 32,
				       0x1234000 } };
	uint64_t cmds[8][2];
	struct vcmdq_sq_error err = { 0 };
	struct vcmdq_event ev[4];
	struct vcmdq_sq sq0, sq;
	unsigned int nr = 9, i;
	uint32_t pos, seq, eventq_id;
	long live;
	int efd = -1;

	NEED_TQ();
	/*
	 * IDs are the lowest free ones: after the fixture's S2 and vIOMMU,
	 * the event queue gets the next, which lets the test destroy it
	 * behind the library's back below.
	 */
	ASSERT_EQ(0, vcmdq_eventq_create(self->v, 2, &efd));
	eventq_id = vcmdq_viommu_id(self->v) + 1;
	ASSERT_EQ(0, queue_up(self, 0, GPA(28), 3, &sq0));
	ASSERT_EQ(0, queue_up(self, 1, GPA(29), 3, &sq));	/* 8 entries */
	EXPECT_EQ(0, poll_fd(efd, POLLIN, 0));

	/* One illegal command: exactly one event, queue 1, CONS with wrap. */
	for (i = 0; i < 7; i++)
		vcmdq_prep_tlbi_nh_asid(cmds[i], 60);
	ASSERT_EQ(0, issue(&sq, (const uint64_t (*)[2])cmds, 7, &err, NULL));
	EXPECT_EQ(-EIO, issue(&sq, bad, 1, &err, &pos));
	EXPECT_EQ(8, pos);	/* index 0, wrap bit set */
	EXPECT_EQ(pos, err.pos);
	EXPECT_EQ(POLLIN, poll_fd(efd, POLLIN, 5000));
	ASSERT_EQ(0, vcmdq_eventq_read(self->v, ev, 4, &nr));
	ASSERT_EQ(1, nr);
	EXPECT_EQ(VCMDQ_EVENT_CMDQ_ERR, ev[0].type);
	EXPECT_EQ(0, ev[0].flags);
	EXPECT_EQ(1, ev[0].cmdq_err.queue_index);
	EXPECT_EQ(VCMDQ_CERROR_ILL, ev[0].cmdq_err.error);
	EXPECT_EQ(pos, ev[0].cmdq_err.cons);
	EXPECT_EQ(bad[0][0], ev[0].cmdq_err.cmd[0]);
	EXPECT_EQ(bad[0][1], ev[0].cmdq_err.cmd[1]);
	seq = ev[0].sequence;
	/* Still stopped, nothing more to read. */
	usleep(20 * 1000);
	ASSERT_EQ(0, vcmdq_eventq_read(self->v, ev, 4, &nr));
	EXPECT_EQ(0, nr);
	EXPECT_EQ(0, poll_fd(efd, POLLIN, 0));
	if (__vcmdq_sq_skip_error(&sq))
		vcmdq_sq_kick(&sq);
	ASSERT_EQ(0, wait_pos(&sq, pos + 1));
	ASSERT_EQ(0, vcmdq_eventq_read(self->v, ev, 4, &nr));
	EXPECT_EQ(0, nr);

	/*
	 * Four errors into a queue of depth 2: two kept, the newest flagged
	 * LOST_EVENTS; the next one's sequence shows the two dropped.
	 */
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, error_and_skip(&sq, &pos)) TH_LOG("error %u", i);
	ASSERT_EQ(0, vcmdq_eventq_read(self->v, ev, 4, &nr));
	ASSERT_EQ(2, nr);
	EXPECT_EQ(seq + 1, ev[0].sequence);
	EXPECT_EQ(0, ev[0].flags);
	EXPECT_EQ(seq + 2, ev[1].sequence);
	EXPECT_EQ(VCMDQ_EVENT_FLAG_LOST_EVENTS, ev[1].flags);
	ASSERT_EQ(0, error_and_skip(&sq, &pos));
	ASSERT_EQ(0, vcmdq_eventq_read(self->v, ev, 4, &nr));
	ASSERT_EQ(1, nr);
	EXPECT_EQ(seq + 5, ev[0].sequence);
	EXPECT_EQ(0, ev[0].flags);
	EXPECT_EQ(pos, ev[0].cmdq_err.cons);

	/*
	 * The event queue destroyed behind the library's back (the library
	 * has no call for it): what was queued is still read, then -ENODATA.
	 */
	ASSERT_EQ(0, error_and_skip(&sq, &pos));
	live = live_objects();
	ASSERT_EQ(0, _test_ioctl_destroy(self->fd, eventq_id));
	EXPECT_EQ(live - 1, live_objects());
	ASSERT_EQ(0, vcmdq_eventq_read(self->v, ev, 4, &nr));
	ASSERT_EQ(1, nr);
	EXPECT_EQ(seq + 6, ev[0].sequence);
	EXPECT_NE(0, poll_fd(efd, POLLIN, 0) & POLLHUP);
	errno = 4242;
	EXPECT_EQ(-ENODATA, vcmdq_eventq_read(self->v, ev, 4, &nr));
	EXPECT_EQ(0, nr);
	EXPECT_EQ(-ENODATA, vcmdq_eventq_read(self->v, ev, 4, &nr));
	EXPECT_EQ(4242, errno);
	/* The queues go on without it. */
	EXPECT_EQ(-EIO, issue_illegal(&sq, &err, &pos));
	EXPECT_EQ(-ENODATA, vcmdq_eventq_read(self->v, ev, 4, &nr));
}

/* ---- the guest-visible error map (VINTF LVCMDQ_ERR_MAP_64) ------------- */

static uint64_t err_map(struct __test_metadata *_metadata,
			const struct vcmdq_viommu *v, unsigned int word)
{
	uint64_t map = ~0ULL;

	EXPECT_EQ(0, vcmdq_viommu_error_map(v, word, &map));
	return map;
}

TEST_F(lib, error_map)
{
	struct vcmdq_sq sq[4];
	struct vcmdq_sq_error err;
	struct vcmdq_instance in;
	struct vcmdq_viommu *sv;
	uint32_t pos[4], *stray;
	uint64_t cmd[1][2], map = 42;
	unsigned int i, nq;

	NEED_TQ();
	REQUIRE_TEST_HOOK(); /* iotlb_fill(): the cache model */
	nq = self->tq.queues_per_viommu < 4 ? self->tq.queues_per_viommu : 4;
	ASSERT_LE(3, nq);
	errno = 4242;
	EXPECT_EQ(-EINVAL, vcmdq_viommu_error_map(self->v, VCMDQ_ERR_MAP_WORDS,
						  &map));
	EXPECT_EQ(-EINVAL, vcmdq_viommu_error_map(self->v, 0, NULL));
	EXPECT_EQ(-EINVAL, vcmdq_viommu_error_map(NULL, 0, &map));
	EXPECT_EQ(42, map);
	/* No control region: a slow path only instance. */
	if (!vcmdq_instance_find(self->ctx, 0, VCMDQ_FLAVOR_SMMUV3, 0, &in)) {
		ASSERT_EQ(0, vcmdq_viommu_create(self->ctx, in.id, &sv));
		EXPECT_EQ(NULL, vcmdq_viommu_ctrl(sv));
		EXPECT_EQ(-EOPNOTSUPP, vcmdq_viommu_error_map(sv, 0, &map));
		EXPECT_EQ(42, map);
		EXPECT_EQ(0, vcmdq_viommu_destroy(sv));
	}
	EXPECT_EQ(4242, errno);

	for (i = 0; i < nq; i++)
		ASSERT_EQ(0, queue_up(self, i, GPA(24 + i), 4, &sq[i]));
	EXPECT_EQ(0, err_map(_metadata, self->v, 0));
	EXPECT_EQ(0, err_map(_metadata, self->v, 1));
	/*
	 * A queue that is not bound has no error, whatever a guest wrote in
	 * its slot of the region (page0 is the guest's to write).
	 */
	stray = (uint32_t *)((char *)vcmdq_viommu_ctrl(self->v) +
			     nq * VCMDQ_CTRL_QUEUE_STRIDE + VCMDQ_CTRL_GERRORN);
	if (nq < self->tq.queues_per_viommu) {
		*stray = VCMDQ_GERROR_CMDQ_ERR;
		EXPECT_EQ(0, err_map(_metadata, self->v, 0));
		*stray = 0;
	}

	/* Queues 0 and 2 stop on an illegal command: exactly their bits. */
	EXPECT_EQ(-EIO, issue_illegal(&sq[0], &err, &pos[0]));
	EXPECT_EQ(1ULL << 0, err_map(_metadata, self->v, 0));
	EXPECT_EQ(-EIO, issue_illegal(&sq[2], &err, &pos[2]));
	EXPECT_EQ(1ULL << 0 | 1ULL << 2, err_map(_metadata, self->v, 0));
	EXPECT_EQ(0, err_map(_metadata, self->v, 1));
	/* Queue 1 still runs, and stays out of the map. */
	ASSERT_EQ(0, iotlb_fill(self, 50));
	vcmdq_prep_tlbi_nh_asid(cmd[0], 50);
	EXPECT_EQ(0, issue(&sq[1], (const uint64_t (*)[2])cmd, 1, &err, NULL));
	EXPECT_EQ(0, iotlb_count(self, 50));
	EXPECT_EQ(1ULL << 0 | 1ULL << 2, err_map(_metadata, self->v, 0));

	/* The acknowledgement clears the bit at once (fix: a CMD_SYNC). */
	if (__vcmdq_sq_fix_error(&sq[0]))
		vcmdq_sq_kick(&sq[0]);
	EXPECT_EQ(1ULL << 2, err_map(_metadata, self->v, 0));
	EXPECT_EQ(0, wait_pos(&sq[0], pos[0] + 1));
	EXPECT_EQ(1ULL << 2, err_map(_metadata, self->v, 0));
	/* Skipped, queue 2 runs again; a second error sets it again. */
	if (__vcmdq_sq_skip_error(&sq[2]))
		vcmdq_sq_kick(&sq[2]);
	EXPECT_EQ(0, err_map(_metadata, self->v, 0));
	EXPECT_EQ(0, wait_pos(&sq[2], pos[2] + 1));
	EXPECT_EQ(-EIO, issue_illegal(&sq[2], &err, &pos[2]));
	EXPECT_EQ(1ULL << 2, err_map(_metadata, self->v, 0));
	if (__vcmdq_sq_skip_error(&sq[2]))
		vcmdq_sq_kick(&sq[2]);
	EXPECT_EQ(0, wait_pos(&sq[2], pos[2] + 1));
	EXPECT_EQ(0, err_map(_metadata, self->v, 0));

	/*
	 * The top queue in error, then unbound (the guest clears its BASE
	 * without acknowledging): its registers are reset, its bit clears.
	 */
	EXPECT_EQ(-EIO, issue_illegal(&sq[nq - 1], &err, &pos[0]));
	EXPECT_EQ(1ULL << (nq - 1), err_map(_metadata, self->v, 0));
	ASSERT_EQ(0, vcmdq_queue_clear_base(self->v, nq - 1));
	EXPECT_EQ(0, err_map(_metadata, self->v, 0));
}

/* ---- BASE writes in any order; a Linux guest's disable and re-probe ---- */

TEST_F(lib, guest_disable_reprobe)
{
	unsigned int i, nq, state;
	uint32_t ids[8], id;
	uint64_t cmd[1][2];
	struct vcmdq_sq sq[8];
	struct vcmdq_sq_error err;
	long live0;

	NEED_TQ();
	REQUIRE_TEST_HOOK(); /* iotlb_fill(): the cache model */
	nq = self->tq.queues_per_viommu < 4 ? self->tq.queues_per_viommu : 4;
	ASSERT_LE(2, nq);
	live0 = live_objects();

	/* Written descending: nothing binds until queue 0's BASE. */
	for (i = nq - 1; i >= 1; i--) {
		ASSERT_EQ(0, vcmdq_queue_set_base(self->v, i, GPA(8 + i), 4));
		ASSERT_EQ(0, vcmdq_queue_state(self->v, i, &state, NULL));
		EXPECT_EQ(VCMDQ_QUEUE_PENDING, state);
	}
	EXPECT_EQ(live0, live_objects());
	ASSERT_EQ(0, vcmdq_queue_set_base(self->v, 0, GPA(8), 4));
	EXPECT_EQ(live0 + nq, live_objects());
	for (i = 0; i < nq; i++) {
		ASSERT_EQ(0, vcmdq_queue_state(self->v, i, &state, &ids[i]));
		EXPECT_EQ(VCMDQ_QUEUE_BOUND, state);
		EXPECT_NE(0, ids[i]);
		ASSERT_EQ(0, vcmdq_sq_init(self->v, i, &sq[i]));
		ASSERT_EQ(0, vcmdq_sq_enable(&sq[i], TIMEOUT_US));
	}
	/* A bound queue's memory stays. */
	EXPECT_EQ(-EBUSY, vcmdq_mem_unmap(self->ctx, GPA_BASE,
					  RAM_PAGES * PAGE_SIZE, NULL));

	/* The disable: BASE = 0 ascending.  Until the last, all stay bound. */
	for (i = 0; i + 1 < nq; i++) {
		ASSERT_EQ(0, vcmdq_queue_clear_base(self->v, i));
		ASSERT_EQ(0, vcmdq_queue_state(self->v, i, &state, NULL));
		EXPECT_EQ(VCMDQ_QUEUE_RETIRING, state);
		EXPECT_EQ(live0 + nq, live_objects());
		/* The last queue still works: nobody reset it. */
		ASSERT_EQ(0, iotlb_fill(self, 30));
		vcmdq_prep_tlbi_nh_asid(cmd[0], 30);
		EXPECT_EQ(0, issue(&sq[nq - 1], (const uint64_t (*)[2])cmd, 1,
				   &err, NULL));
		EXPECT_EQ(0, iotlb_count(self, 30));
	}
	ASSERT_EQ(0, vcmdq_queue_clear_base(self->v, nq - 1));
	EXPECT_EQ(live0, live_objects());
	for (i = 0; i < nq; i++) {
		ASSERT_EQ(0, vcmdq_queue_state(self->v, i, &state, &id));
		EXPECT_EQ(VCMDQ_QUEUE_UNUSED, state);
		EXPECT_EQ(0, id);
	}

	/* Re-probe: queue 1 first (pending), then queue 0 (both bind). */
	ASSERT_EQ(0, vcmdq_queue_set_base(self->v, 1, GPA(9), 4));
	ASSERT_EQ(0, vcmdq_queue_state(self->v, 1, &state, NULL));
	EXPECT_EQ(VCMDQ_QUEUE_PENDING, state);
	ASSERT_EQ(0, vcmdq_queue_set_base(self->v, 0, GPA(8), 4));
	EXPECT_EQ(live0 + 2, live_objects());
	ASSERT_EQ(0, vcmdq_queue_state(self->v, 1, &state, &ids[1]));
	EXPECT_EQ(VCMDQ_QUEUE_BOUND, state);
	/* The same BASE again changes nothing. */
	ASSERT_EQ(0, vcmdq_queue_state(self->v, 0, &state, &ids[0]));
	ASSERT_EQ(0, vcmdq_queue_set_base(self->v, 0, GPA(8), 4));
	ASSERT_EQ(0, vcmdq_queue_state(self->v, 0, &state, &id));
	EXPECT_EQ(ids[0], id);
	/*
	 * Queue 0 moves: 1 and 0 unbind, 0 and 1 bind again; queue 1's
	 * registers are reset by it (IDs may be reused: look at CONFIG).
	 */
	ASSERT_EQ(0, vcmdq_sq_init(self->v, 1, &sq[1]));
	ASSERT_EQ(0, vcmdq_sq_enable(&sq[1], TIMEOUT_US));
	EXPECT_EQ(VCMDQ_CONFIG_EN,
		  __vcmdq_load_reg_acquire(&sq[1], VCMDQ_CTRL_CONFIG));
	ASSERT_EQ(0, vcmdq_queue_set_base(self->v, 0, GPA(20), 4));
	EXPECT_EQ(live0 + 2, live_objects());
	EXPECT_EQ(0, __vcmdq_load_reg_acquire(&sq[1], VCMDQ_CTRL_CONFIG));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, vcmdq_queue_state(self->v, i, &state, &id));
		EXPECT_EQ(VCMDQ_QUEUE_BOUND, state);
		EXPECT_NE(0, id);
		ASSERT_EQ(0, vcmdq_sq_init(self->v, i, &sq[i]));
		ASSERT_EQ(0, vcmdq_sq_enable(&sq[i], TIMEOUT_US));
		ASSERT_EQ(0, iotlb_fill(self, 31));
		vcmdq_prep_tlbi_nh_asid(cmd[0], 31);
		EXPECT_EQ(0, issue(&sq[i], (const uint64_t (*)[2])cmd, 1, &err,
				   NULL));
		EXPECT_EQ(0, iotlb_count(self, 31));
	}
	EXPECT_EQ(sq[0].ring, (uint64_t *)ram_va(self, GPA(20)));
	/* A refused BASE changes nothing. */
	EXPECT_EQ(-ENOENT, vcmdq_queue_set_base(self->v, 0, GPA(RAM_PAGES), 4));
	ASSERT_EQ(0, vcmdq_queue_state(self->v, 0, &state, NULL));
	EXPECT_EQ(VCMDQ_QUEUE_BOUND, state);
	/* Clearing a pending queue (above a hole) forgets it. */
	if (nq >= 4) {
		ASSERT_EQ(0, vcmdq_queue_set_base(self->v, 3, GPA(11), 4));
		ASSERT_EQ(0, vcmdq_queue_state(self->v, 3, &state, NULL));
		EXPECT_EQ(VCMDQ_QUEUE_PENDING, state);
		ASSERT_EQ(0, vcmdq_queue_clear_base(self->v, 3));
		ASSERT_EQ(0, vcmdq_queue_state(self->v, 3, &state, NULL));
		EXPECT_EQ(VCMDQ_QUEUE_UNUSED, state);
		EXPECT_EQ(live0 + 2, live_objects());
	}
}

/* ---- the slow path: batches, partial failure, EREMOTE ------------------ */

TEST_F(lib, slow_path_partial)
{
	/* More than one kernel batch (VCMDQ_INVALIDATE_MAX_ENTRIES). */
	uint32_t big = VCMDQ_INVALIDATE_MAX_ENTRIES + 4000, i, num;
	uint64_t (*c)[2];
	struct vcmdq_instance in;
	struct vcmdq_viommu *sv = self->v;
	uint64_t wide[3][4] = { { 0 } };

	if (!sv) {
		ASSERT_EQ(0, vcmdq_instance_find(self->ctx, 0, VCMDQ_FLAVOR_SMMUV3,
						 0, &in))
			SKIP(return, "no SMMUv3 instance");
		ASSERT_EQ(0, vcmdq_viommu_create(self->ctx, in.id, &sv));
	}
	c = calloc(big, sizeof(*c));
	ASSERT_NE(NULL, c);
	for (i = 0; i < big; i++)
		vcmdq_prep_tlbi_nh_asid(c[i], 40 + i % 3);
	num = big;
	EXPECT_EQ(0, vcmdq_invalidate(sv, VCMDQ_DATA_SMMUV3, c, 16, &num));
	EXPECT_EQ(big, num);

	/* An illegal entry in the second kernel batch. */
	c[big - 10][0] = OP_TLBI_EL2_ALL;
	num = big;
	EXPECT_EQ(-EIO, vcmdq_invalidate(sv, VCMDQ_DATA_SMMUV3, c, 16, &num));
	EXPECT_EQ(big - 10, num);

	/* A VMM-owned entry (CFGI_STE): EREMOTE at its index, then resume. */
	vcmdq_prep_tlbi_nh_asid(c[big - 10], 40);
	c[5][0] = OP_CFGI_STE | (0x42ULL << 32);
	c[5][1] = 1;
	num = big;
	EXPECT_EQ(-EREMOTE, vcmdq_invalidate(sv, VCMDQ_DATA_SMMUV3, c, 16,
					     &num));
	EXPECT_EQ(5, num);
	num = big - 6;
	EXPECT_EQ(0, vcmdq_invalidate(sv, VCMDQ_DATA_SMMUV3, c + 6, 16, &num));
	EXPECT_EQ(big - 6, num);

	/* Non-zero bytes past the format of a 32-byte entry: E2BIG. */
	vcmdq_prep_tlbi_nh_asid(wide[0], 40);
	vcmdq_prep_tlbi_nh_asid(wide[1], 40);
	wide[1][3] = 1;
	num = 3;
	EXPECT_EQ(-E2BIG, vcmdq_invalidate(sv, VCMDQ_DATA_SMMUV3, wide, 32,
					   &num));
	EXPECT_EQ(1, num);
	free(c);
}

/*
 * The slow path without waiting (io_uring contexts): results as the
 * synchronous call gives them, in submission order, the caller's data
 * kept; a completion a synchronous call took off the ring still reaches
 * the reaper and its poller; the in-flight limit; the errno cases.  An
 * ioctl context refuses all three functions.
 */
TEST_F(lib, slow_path_async)
{
	struct vcmdq_inv_req req[VCMDQ_INV_INFLIGHT_MAX + 1], *done[80];
	uint64_t good[4][2], bad[3][2], remote[3][2];
	struct vcmdq_viommu *sv = self->v;
	struct vcmdq_instance in;
	unsigned int nr, i;
	uint32_t num;
	int efd;

	if (!sv) {
		ASSERT_EQ(0, vcmdq_instance_find(self->ctx, 0, VCMDQ_FLAVOR_SMMUV3,
						 0, &in))
			SKIP(return, "no SMMUv3 instance");
		ASSERT_EQ(0, vcmdq_viommu_create(self->ctx, in.id, &sv));
	}
	for (i = 0; i < 4; i++)
		vcmdq_prep_tlbi_nh_asid(good[i], 50 + i);
	for (i = 0; i < 3; i++) {
		vcmdq_prep_tlbi_nh_asid(bad[i], 50);
		vcmdq_prep_tlbi_nh_asid(remote[i], 51);
	}
	bad[2][0] = OP_TLBI_EL2_ALL;
	remote[1][0] = OP_CFGI_STE | (0x42ULL << 32);
	remote[1][1] = 1;

	if (!(variant->open_flags & VCMDQ_OPEN_URING)) {
		EXPECT_EQ(-EOPNOTSUPP, vcmdq_invalidate_submit(sv, VCMDQ_DATA_SMMUV3,
							       good, 16, 4, &req[0]));
		EXPECT_EQ(-EOPNOTSUPP, vcmdq_invalidate_reap(self->ctx, done, 1, 0, &nr));
		EXPECT_EQ(-EOPNOTSUPP, vcmdq_invalidate_fd(self->ctx));
		return;
	}

	/* errno cases, errno itself untouched */
	errno = 1234;
	EXPECT_EQ(-EINVAL, vcmdq_invalidate_submit(sv, VCMDQ_DATA_SMMUV3, good,
						   16, 0, &req[0]));
	EXPECT_EQ(-EINVAL, vcmdq_invalidate_submit(sv, VCMDQ_DATA_SMMUV3, good,
						   16, VCMDQ_INVALIDATE_MAX_ENTRIES + 1,
						   &req[0]));
	EXPECT_EQ(-EINVAL, vcmdq_invalidate_submit(sv, VCMDQ_DATA_SMMUV3, good,
						   16, 4, NULL));
	EXPECT_EQ(-EINVAL, vcmdq_invalidate_reap(self->ctx, done, 1, 2, &nr));
	EXPECT_EQ(1234, errno);
	/* Nothing in flight: a waiting reap returns at once, empty. */
	EXPECT_EQ(0, vcmdq_invalidate_reap(self->ctx, done, 4, 4, &nr));
	EXPECT_EQ(0, nr);
	efd = vcmdq_invalidate_fd(self->ctx);
	ASSERT_LE(0, efd);
	EXPECT_EQ(efd, vcmdq_invalidate_fd(self->ctx));
	EXPECT_EQ(0, poll_fd(efd, POLLIN, 0));

	/* Three requests: whole, an illegal entry, a VMM-owned entry. */
	req[0].user_data = 100;
	req[1].user_data = 101;
	req[2].user_data = 102;
	ASSERT_EQ(0, vcmdq_invalidate_submit(sv, VCMDQ_DATA_SMMUV3, good, 16, 4,
					     &req[0]));
	ASSERT_EQ(0, vcmdq_invalidate_submit(sv, VCMDQ_DATA_SMMUV3, bad, 16, 3,
					     &req[1]));
	ASSERT_EQ(0, vcmdq_invalidate_submit(sv, VCMDQ_DATA_SMMUV3, remote, 16,
					     3, &req[2]));
	EXPECT_EQ(POLLIN, poll_fd(efd, POLLIN, 5000));
	ASSERT_EQ(0, vcmdq_invalidate_reap(self->ctx, done, 80, 3, &nr));
	ASSERT_EQ(3, nr);
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(&req[i], done[i]);
		EXPECT_EQ(100 + i, done[i]->user_data);
	}
	EXPECT_EQ(0, req[0].result);
	EXPECT_EQ(4, req[0].num);
	EXPECT_EQ(-EIO, req[1].result);
	EXPECT_EQ(2, req[1].num);
	EXPECT_EQ(-EREMOTE, req[2].result);
	EXPECT_EQ(1, req[2].num);
	/* The same entries through the synchronous call: the same answers. */
	num = 3;
	EXPECT_EQ(-EIO, vcmdq_invalidate(sv, VCMDQ_DATA_SMMUV3, bad, 16, &num));
	EXPECT_EQ(2, num);
	num = 3;
	EXPECT_EQ(-EREMOTE, vcmdq_invalidate(sv, VCMDQ_DATA_SMMUV3, remote, 16,
					     &num));
	EXPECT_EQ(1, num);

	/*
	 * A synchronous call after an asynchronous request runs after it
	 * (drained) and may find its completion on the ring (then it sets it
	 * aside): either way the reaper gets it and the poller is told.  The
	 * CQE may also be posted a little after the synchronous call's own
	 * (seen on arm64 under TCG), so the reap waits for it.
	 */
	ASSERT_EQ(0, vcmdq_invalidate_reap(self->ctx, done, 80, 0, &nr));
	EXPECT_EQ(0, nr);
	ASSERT_EQ(0, vcmdq_invalidate_submit(sv, VCMDQ_DATA_SMMUV3, good, 16, 4,
					     &req[3]));
	num = 4;
	EXPECT_EQ(0, vcmdq_invalidate(sv, VCMDQ_DATA_SMMUV3, good, 16, &num));
	EXPECT_EQ(POLLIN, poll_fd(efd, POLLIN, 5000));
	ASSERT_EQ(0, vcmdq_invalidate_reap(self->ctx, done, 80, 1, &nr));
	ASSERT_EQ(1, nr);
	EXPECT_EQ(&req[3], done[0]);
	EXPECT_EQ(0, req[3].result);
	EXPECT_EQ(4, req[3].num);
	/*
	 * Nothing in flight: a wake-up now could only be a spurious one (a
	 * CQE posted while the reap waited), which a reap answers with
	 * nothing, and after which the fd is quiet.
	 */
	ASSERT_EQ(0, vcmdq_invalidate_reap(self->ctx, done, 80, 0, &nr));
	EXPECT_EQ(0, nr);
	EXPECT_EQ(0, poll_fd(efd, POLLIN, 0));

	/* The in-flight limit, then a reap of less than is there. */
	for (i = 0; i < VCMDQ_INV_INFLIGHT_MAX; i++)
		ASSERT_EQ(0, vcmdq_invalidate_submit(sv, VCMDQ_DATA_SMMUV3, good,
						     16, 1, &req[i]));
	EXPECT_EQ(-EBUSY, vcmdq_invalidate_submit(sv, VCMDQ_DATA_SMMUV3, good,
						  16, 1, &req[i]));
	ASSERT_EQ(0, vcmdq_invalidate_reap(self->ctx, done, 10, 10, &nr));
	EXPECT_EQ(10, nr);
	EXPECT_EQ(POLLIN, poll_fd(efd, POLLIN, 5000));	/* more wait, or will */
	ASSERT_EQ(0, vcmdq_invalidate_reap(self->ctx, done, 80,
					   VCMDQ_INV_INFLIGHT_MAX - 10, &nr));
	EXPECT_EQ(VCMDQ_INV_INFLIGHT_MAX - 10, nr);
	for (i = 0; i < nr; i++) {
		EXPECT_EQ(&req[10 + i], done[i]);
		EXPECT_EQ(0, done[i]->result);
		EXPECT_EQ(1, done[i]->num);
	}

	/*
	 * Left in flight: vcmdq_close() (the teardown) waits for it.  Static:
	 * the kernel reads the entries and writes the request after this
	 * function returned.
	 */
	static struct vcmdq_inv_req tail_req;
	static uint64_t tail_entries[4][2];

	memcpy(tail_entries, good, sizeof(good));
	ASSERT_EQ(0, vcmdq_invalidate_submit(sv, VCMDQ_DATA_SMMUV3, tail_entries,
					     16, 4, &tail_req));
}

/* ---- teardown with everything alive ------------------------------------ */

TEST_F(lib, close_everything_alive)
{
	struct vcmdq_counters before, mid, after;
	struct vcmdq_ctx *c2;
	struct vcmdq_viommu *v2;
	struct vcmdq_vdevice *vd = NULL;
	struct vcmdq_sq sq;
	uint8_t *mem;
	int vfio_fd = -1, efd;
	uint32_t pci;
	char why[128];

	NEED_TQ();
	/* The fixture's own context is closed in teardown, also alive. */
	vcmdq_read_counters(&before);
	ASSERT_EQ(0, vcmdq_open(NULL, variant->open_flags, &c2));
	mem = alloc_pages(16, PROT_READ | PROT_WRITE, true);
	ASSERT_NE(NULL, mem);
	ASSERT_EQ(0, vcmdq_mem_map(c2, GPA_BASE, mem, 16 * PAGE_SIZE,
				   VCMDQ_S2_MAP_READ | VCMDQ_S2_MAP_WRITE));
	ASSERT_EQ(0, vcmdq_viommu_create(c2, self->tq.id, &v2));
	ASSERT_NE(NULL, vcmdq_viommu_ctrl(v2));
	EXPECT_EQ(VCMDQ_CTRL_SIZE, vcmdq_viommu_ctrl_size(v2));
	ASSERT_EQ(0, vcmdq_eventq_create(v2, 8, &efd));
	ASSERT_EQ(0, vcmdq_queue_set_base(v2, 0, GPA_BASE, 4));
	ASSERT_EQ(0, vcmdq_queue_set_base(v2, 1, GPA_BASE + PAGE_SIZE, 4));
	ASSERT_EQ(0, vcmdq_sq_init(v2, 1, &sq));
	ASSERT_EQ(0, vcmdq_sq_enable(&sq, TIMEOUT_US));
	if (!vcmdq_instance_device(c2, self->tq.id, 1, &pci)) {
		char bdf[BDF_LEN];

		snprintf(bdf, sizeof(bdf), "%04x:%02x:%02x.%x", pci >> 16,
			 (pci >> 8) & 0xff, (pci >> 3) & 0x1f, pci & 7);
		if (!device_claim(bdf, &vfio_fd, why, sizeof(why))) {
			EXPECT_EQ(0, vcmdq_vdevice_create(v2, vfio_fd, pci, 7,
							  NULL, &vd));
		} else {
			TH_LOG("no vDEVICE: %s", why);
		}
	}
	vcmdq_read_counters(&mid);
	EXPECT_LT(before.live_objects + 4, mid.live_objects);
	EXPECT_LE(before.pinned_pages + 16, mid.pinned_pages);
	EXPECT_EQ(before.contexts + 1, mid.contexts);

	vcmdq_close(c2);
	if (vfio_fd >= 0)
		close(vfio_fd);
	vcmdq_read_counters(&after);
	EXPECT_COUNTERS_EQ(&before, &after);
	/* The event fd went with it. */
	EXPECT_EQ(-1, fcntl(efd, F_GETFD));
	munmap(mem, 16 * PAGE_SIZE);
}

/* ---- vIOMMU and vDEVICE destroy through the library -------------------- */

TEST_F(lib, destroy_order)
{
	struct vcmdq_sq sq;
	long live0 = live_objects();

	NEED_TQ();
	ASSERT_EQ(0, queue_up(self, 0, GPA(3), 4, &sq));
	ASSERT_EQ(0, vcmdq_queue_set_base(self->v, 1, GPA(4), 4));
	ASSERT_EQ(0, vcmdq_eventq_create(self->v, 2, NULL));
	EXPECT_EQ(live0 + 3, live_objects());
	/* Queues descending, event queue, mapping, then the vIOMMU. */
	EXPECT_EQ(0, vcmdq_viommu_destroy(self->v));
	self->v = NULL;
	self->have_tq = false;
	EXPECT_EQ(live0 - 1, live_objects());
	/* Its memory is free again. */
	EXPECT_EQ(0, vcmdq_mem_unmap(self->ctx, GPA_BASE, RAM_PAGES * PAGE_SIZE,
				     NULL));
}

/* ---- the fast path's arithmetic, on a fake control region -------------- */

/* No device: a queue of 8 entries whose registers are a local array. */
TEST(fastpath_arith)
{
	uint32_t regs[VCMDQ_CTRL_QUEUE_STRIDE / 4] = { 0 }, engine = 0, idx;
	uint64_t ring[8][2];
	struct vcmdq_sq sq = {
		.regs = regs, .engine = &engine, .ring = &ring[0][0],
		.mask = 7, .wrap = 8,
	};
	struct vcmdq_sq_error err = { 0 };

	/* consumed(): CONS past pos by 1 .. size, modulo twice the size. */
	EXPECT_FALSE(__vcmdq_sq_consumed(&sq, 3, 3));
	EXPECT_TRUE(__vcmdq_sq_consumed(&sq, 4, 3));
	EXPECT_TRUE(__vcmdq_sq_consumed(&sq, 11, 3));	/* a full lap */
	EXPECT_FALSE(__vcmdq_sq_consumed(&sq, 12, 3));	/* pos is a lap on */
	EXPECT_FALSE(__vcmdq_sq_consumed(&sq, 2, 3));
	EXPECT_TRUE(__vcmdq_sq_consumed(&sq, 1, 15));	/* across the wrap */
	EXPECT_FALSE(vcmdq_sq_consumed(&sq, 15, 15));
	EXPECT_TRUE(vcmdq_sq_consumed(&sq, 0, 15));
	/* pos with carries past the wrap bit (idx + k) counts modulo too. */
	EXPECT_TRUE(__vcmdq_sq_consumed(&sq, 1, 16));

	/* reserve(): room from the cached CONS, then the register. */
	ASSERT_EQ(0, __vcmdq_sq_reserve(&sq, 8, &idx));
	EXPECT_EQ(0, idx);
	EXPECT_FALSE(__vcmdq_sq_submit(&sq, 8));
	EXPECT_EQ(8, regs[VCMDQ_CTRL_PROD / 4]);	/* index 0, wrap set */
	EXPECT_EQ(-EAGAIN, __vcmdq_sq_reserve(&sq, 1, &idx));
	regs[VCMDQ_CTRL_CONS / 4] = 3;			/* the engine ate 3 */
	EXPECT_EQ(-EAGAIN, __vcmdq_sq_reserve(&sq, 4, &idx));
	ASSERT_EQ(0, __vcmdq_sq_reserve(&sq, 3, &idx));
	EXPECT_EQ(8, idx);
	EXPECT_EQ(&ring[2][0], __vcmdq_sq_entry(&sq, idx + 10));
	engine = VCMDQ_ENGINE_NEED_WAKEUP;
	EXPECT_TRUE(vcmdq_sq_submit(&sq, 3));
	EXPECT_EQ(11, regs[VCMDQ_CTRL_PROD / 4]);
	/* A stopped queue: ERR in CONS, GERROR != GERRORN. */
	regs[VCMDQ_CTRL_CONS / 4] = 9 | VCMDQ_CERROR_ILL << VCMDQ_CONS_ERR_SHIFT;
	regs[VCMDQ_CTRL_GERROR / 4] = VCMDQ_GERROR_CMDQ_ERR;
	EXPECT_EQ(-EIO, __vcmdq_sq_wait(&sq, 10, 1, NULL, NULL, &err));
	EXPECT_EQ(VCMDQ_CERROR_ILL, err.error);
	EXPECT_EQ(9, err.pos);
	/* Skipped: CONS past it, acknowledged. */
	EXPECT_TRUE(__vcmdq_sq_skip_error(&sq));
	EXPECT_EQ(10, regs[VCMDQ_CTRL_CONS / 4]);
	EXPECT_EQ(regs[VCMDQ_CTRL_GERROR / 4], regs[VCMDQ_CTRL_GERRORN / 4]);
	/* Acknowledged, the old ERR no longer stops a wait that is done. */
	regs[VCMDQ_CTRL_CONS / 4] = 11 | VCMDQ_CERROR_ILL << VCMDQ_CONS_ERR_SHIFT;
	EXPECT_EQ(0, vcmdq_sq_wait(&sq, 10, 1, NULL, NULL, &err));
}

TEST_HARNESS_MAIN
