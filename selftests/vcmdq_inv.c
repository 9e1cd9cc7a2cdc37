// SPDX-License-Identifier: GPL-2.0-only
/*
 * vcmdq slow path selftests: VCMDQ_INVALIDATE through ioctl and io_uring,
 * checked errno by errno against uapi/linux/vcmdq.h and, for what each
 * command does, against the instance's software IOTLB/ATC model
 * (VCMDQ_TEST), after iommufd's HWPT_INVALIDATE tests.
 *
 * Needs vcmdq.ko built with the test hooks (make VCMDQ_TEST=y), root, and
 * nothing else using the module (the leak checks read its global counters
 * in /sys/class/misc/vcmdq/).  Instances are found by flavor or data type
 * in GET_INFO, devices through the "devices" module parameter.  A device in
 * an IOMMU group is bound to vfio-pci and its VFIO group opened as proof of
 * ownership; one with no group needs only root.  A test that needs a device
 * behind an instance the parameter gives none SKIPs and says so.
 *
 * The model belongs to the instance, not to a file, so entries are only
 * ever added under the tags of vIOMMUs the test owns and for the physical
 * IDs of its vDEVICEs: destroying those drops the entries, and the tests
 * check that as they tear their VMs down.
 *
 * Fixtures:
 *  - inv:   the generic contract, once per flavor (first instance of it);
 *  - smmu, amd, vtd: each format's commands against the model, on the
 *           instance of that format with the most devices;
 *  - multi: lengths, S2 fan-out over every instance, close with live
 *           objects.
 * Every teardown closes its files and checks that live_objects,
 * pinned_pages and contexts are back to their values before setup.
 *
 * Written for the Linux 6.1 kselftest_harness.h, whose quirks are those
 * vcmdq.c describes: SKIP() in setup does not stop the body (bodies check
 * what they need), teardowns only EXPECT, and an EXPECT or ASSERT is not a
 * single statement (if/for bodies holding one get braces).
 */
#include "vcmdq_inv_utils.h"
#include "streams_amd.h"
#include "streams_vtd.h"

/*
 * The harness compares each argument in its own type (see vcmdq.c); the case
 * tables leave trailing fields of their rows zero.
 */
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

/*
 * Each VM's S2: one writable page, one read-only page, and a hole.
 * alloc_pages() fills the memory with PATTERN.
 */
#define GPA_RW		GPA_BASE
#define GPA_RO		(GPA_BASE + 0x100000)
#define GPA_NONE	(GPA_BASE + 0x200000)
#define MEM_PAGES	2
#define PATTERN		0xa5

#define MAX_DEVS	4
#define MAX_VDEVS	2
/* The guest's ID for the k-th vDEVICE of a VM; 16 bits for AMD-Vi/VT-d. */
#define VIRT(k)		(0x100U * ((k) + 1))
#define VIRT_UNKNOWN	0x7f00U

#define STORE_VAL	0x8877665544332211ULL

/* ---- objects ------------------------------------------------------------ */

struct dev {
	char bdf[BDF_LEN];
	__u32 pci;
	int vfio_fd;		/* -1: the device has no IOMMU group */
};

/* One VM on one instance: an S2 with guest memory and a vIOMMU. */
struct vm {
	int fd;
	__u32 inst;
	__u32 s2_id;
	__u32 viommu_id;	/* 0: not created */
	__u32 tag;
	__u8 *mem;		/* page 0 at GPA_RW, page 1 at GPA_RO */
	unsigned int nvdev;
	__u32 vdev_id[MAX_VDEVS];
	__u32 virt[MAX_VDEVS];
	__u32 phys[MAX_VDEVS];
};

struct ctx {
	int fd;
	int fd2;		/* a second file (VM) some tests open */
	struct vcmdq_counters base;
	struct vcmdq_instance_info info[VCMDQ_MAX_INSTANCES];
	int ninst;
	struct vcmdq_instance_info inst;	/* the instance under test */
	bool found;
	bool hooks;		/* the module answers VCMDQ_TEST */
	__u32 type;		/* its data type */
	const struct ops *ops;
	struct dev dev[MAX_DEVS];
	unsigned int ndev;
	char why[256];		/* why no instance, no hooks, or few devices */
	struct vm vm[2];	/* the VM under test and another one */
	struct io_uring ring;
	int ring_err;		/* 0: ring set up */
};

static __u32 flavor_type(__u32 flavor)
{
	switch (flavor) {
	case VCMDQ_FLAVOR_TEGRA241_CMDQV:
	case VCMDQ_FLAVOR_SMMUV3:
		return VCMDQ_DATA_SMMUV3;
	case VCMDQ_FLAVOR_AMD_VI:
		return VCMDQ_DATA_AMD_VI;
	case VCMDQ_FLAVOR_VTD:
		return VCMDQ_DATA_VTD;
	}
	return VCMDQ_DATA_DEFAULT;
}

/* The format's own entry size for @entry_len (VT-d: 256-bit from 32 on). */
static unsigned int fmt_len(__u32 type, unsigned int entry_len)
{
	return type == VCMDQ_DATA_VTD && entry_len >= 32 ? 32 : 16;
}

static bool entry_len_valid(__u32 type, __u64 len)
{
	if (len > VCMDQ_INVALIDATE_MAX_ENTRY_LEN || len < 16)
		return false;
	return type != VCMDQ_DATA_VTD || len == 16 || len >= 32;
}

/* ---- what each format says for the generic tests ------------------------ */

struct ops {
	/* Drop every translation of guest address space @asid. */
	struct inv_cmd (*space)(__u32 asid);
	/* Drop every translation of the VM (NULL: see everything_ok()). */
	struct inv_cmd (*everything)(void);
	/* A command the format defines but a guest may not issue: EIO. */
	struct inv_cmd (*illegal)(void);
	/* A completion point with nothing to store. */
	struct inv_cmd (*sync)(void);
	/* A completion point storing @data (store_size bytes) at @gpa. */
	struct inv_cmd (*store)(__u64 gpa, __u64 data);
	unsigned int store_size;
	/* A valid command only the VMM can execute: EREMOTE. */
	struct inv_cmd (*vmm)(void);
};

static struct inv_cmd smmu_space(__u32 asid)
{
	return smmu_nh_asid(0, asid);
}

static struct inv_cmd smmu_everything(void)
{
	return smmu_nsnh_all();
}

static struct inv_cmd smmu_illegal(void)
{
	return inv_raw(SMMU_TLBI_EL2_ALL, 0);
}

static struct inv_cmd smmu_nosync(void)
{
	return smmu_sync(SMMU_SYNC_CS_NONE, 0, 0);
}

static struct inv_cmd smmu_store(__u64 gpa, __u64 data)
{
	return smmu_sync(SMMU_SYNC_CS_IRQ, data, gpa);
}

static struct inv_cmd amd_space(__u32 asid)
{
	return amd_inv_pages(asid, 0, false, true, true, AMD_ALL_PAGES);
}

static struct inv_cmd amd_everything(void)
{
	return amd_inv_all();
}

static struct inv_cmd amd_illegal(void)
{
	return inv_raw(9ULL << 60, 0);
}

static struct inv_cmd amd_nosync(void)
{
	return amd_compl_wait(false, false, false, 0, 0);
}

static struct inv_cmd amd_store(__u64 gpa, __u64 data)
{
	return amd_compl_wait(true, false, false, gpa, data);
}

static struct inv_cmd vtd_space(__u32 asid)
{
	return vtd_iotlb(VTD_IOTLB_DOMAIN, asid, 0, 0, false);
}

static struct inv_cmd vtd_everything(void)
{
	return vtd_iotlb(VTD_IOTLB_GLOBAL, 0, 0, 0, false);
}

static struct inv_cmd vtd_illegal(void)
{
	return inv_raw(vtd_type(VTD_PGRP_RESP), 0);
}

static struct inv_cmd vtd_nosync(void)
{
	return vtd_iwd(false, false, false, 0, 0);
}

static struct inv_cmd vtd_store(__u64 gpa, __u64 data)
{
	return vtd_iwd(true, false, false, data, gpa);
}

static struct inv_cmd smmu_vmm(void)
{
	return inv_raw(SMMU_CFGI_STE | (__u64)VIRT(0) << 32, 1);
}

static struct inv_cmd amd_vmm(void)
{
	return inv_raw(amd_op(AMD_INV_IRT) | VIRT(0), 0);
}

static struct inv_cmd vtd_vmm(void)
{
	return inv_raw(vtd_type(VTD_IEC) | 1 << 4 | 0x11ULL << 32, 0);
}

static const struct ops smmu_ops = {
	smmu_space, smmu_everything, smmu_illegal, smmu_nosync, smmu_store, 4,
	smmu_vmm,
};
static const struct ops amd_ops = {
	amd_space, amd_everything, amd_illegal, amd_nosync, amd_store, 8,
	amd_vmm,
};
static const struct ops vtd_ops = {
	vtd_space, vtd_everything, vtd_illegal, vtd_nosync, vtd_store, 4,
	vtd_vmm,
};

static const struct ops *type_ops(__u32 type)
{
	switch (type) {
	case VCMDQ_DATA_SMMUV3:
		return &smmu_ops;
	case VCMDQ_DATA_AMD_VI:
		return &amd_ops;
	case VCMDQ_DATA_VTD:
		return &vtd_ops;
	}
	return NULL;
}

/* AMD-Vi's INVALIDATE_ALL is only accepted with VCMDQ_INSTANCE_CAP_AMD_INV_ALL. */
static bool everything_ok(const struct ctx *c)
{
	return c->type != VCMDQ_DATA_AMD_VI ||
	       (c->inst.caps & VCMDQ_INSTANCE_CAP_AMD_INV_ALL);
}

/* ---- fixture context ---------------------------------------------------- */

/*
 * Open the module, pick the instance under test: the first of @flavor, or
 * with @flavor 0 the one of data type @type with the most devices, and with
 * @devices claim the devices behind it.
 */
static void ctx_setup(struct __test_metadata *_metadata, struct ctx *c,
		      __u32 type, __u32 flavor, bool devices)
{
	struct pdev devs[MAX_DEVS];
	int i, best = -1, best_n = -1, nd;
	__u32 count;

	c->fd = -1;
	c->fd2 = -1;
	c->ring_err = -ENODEV;
	vcmdq_read_counters(&c->base);
	ASSERT_COUNTERS_READ(&c->base);
	c->fd = vcmdq_open_dev();
	ASSERT_LE(0, c->fd)
		TH_LOG("open %s: %s (is vcmdq.ko loaded?)", VCMDQ_DEV,
		       strerror(errno));
	c->ninst = vcmdq_instances(c->fd, c->info);
	ASSERT_LT(0, c->ninst);

	for (i = 0; i < c->ninst; i++) {
		const struct vcmdq_instance_info *in = &c->info[i];

		if (flavor ? in->flavor != flavor :
			     !(in->data_types & (1U << type)))
			continue;
		nd = devices ? param_devices(in->id, devs, MAX_DEVS) : 0;
		if (nd > best_n) {
			best = i;
			best_n = nd;
		}
		if (flavor)
			break;
	}
	if (best < 0) {
		snprintf(c->why, sizeof(c->why),
			 "no %s instance (module parameter instances)",
			 flavor ? vcmdq_flavor_name(flavor) : inv_data_type_name(type));
		return;
	}
	c->inst = c->info[best];
	c->found = true;
	c->type = flavor ? flavor_type(flavor) : type;
	c->ops = type_ops(c->type);
	ASSERT_NE(NULL, c->ops);
	ASSERT_NE(0, c->inst.data_types & (1U << c->type));

	c->hooks = !_test_cmd_test(c->fd, VCMDQ_TEST_IOTLB_COUNT, c->inst.id,
				   0, 0, 0, 0, 0, 0, 0, 0, &count);
	if (!c->hooks) {
		snprintf(c->why, sizeof(c->why), "%s",
			 errno == ENOTTY ? VCMDQ_NEEDS_TEST_HOOK :
			 "VCMDQ_TEST failed on a test build");
		return;
	}
	if (!devices)
		return;
	nd = param_devices(c->inst.id, devs, MAX_DEVS);
	if (!nd)
		snprintf(c->why, sizeof(c->why),
			 "the devices module parameter puts no device behind instance %u (%s)",
			 c->inst.id, vcmdq_flavor_name(c->inst.flavor));
	for (i = 0; i < nd; i++) {
		struct dev *d = &c->dev[c->ndev];

		memcpy(d->bdf, devs[i].bdf, BDF_LEN);
		d->pci = devs[i].pci;
		if (device_claim(d->bdf, &d->vfio_fd, c->why, sizeof(c->why)))
			break;
		c->ndev++;
	}
}

static void ctx_teardown(struct __test_metadata *_metadata, struct ctx *c)
{
	struct vcmdq_counters now;
	unsigned int i;

	if (!c->ring_err)
		io_uring_queue_exit(&c->ring);
	if (c->fd2 >= 0)
		close(c->fd2);
	if (c->fd >= 0)
		close(c->fd);
	for (i = 0; i < c->ndev; i++)
		if (c->dev[i].vfio_fd >= 0)
			close(c->dev[i].vfio_fd);
	vcmdq_read_counters(&now);
	EXPECT_COUNTERS_EQ(&c->base, &now);
}

/* An io_uring for the test; 0 or the negative errno of its setup. */
static int ctx_ring(struct ctx *c)
{
	if (c->ring_err == -ENODEV)
		c->ring_err = io_uring_queue_init(64, &c->ring, 0);
	return c->ring_err;
}

/* The instance and the model hooks. */
#define REQUIRE(c)                                                         \
	do {                                                               \
		if (!(c)->found || !(c)->hooks)                            \
			SKIP(return, "%s", (c)->why);                      \
	} while (0)

#define REQUIRE_DEVS(c, n)                                                 \
	do {                                                               \
		REQUIRE(c);                                                \
		if ((c)->ndev < (n))                                       \
			SKIP(return,                                       \
			     "needs %u device(s) behind instance %u (%s), has %u: %s", \
			     (unsigned int)(n), (c)->inst.id,              \
			     vcmdq_flavor_name((c)->inst.flavor),          \
			     (c)->ndev, (c)->why);                         \
	} while (0)

#define REQUIRE_URING(c)                                                   \
	do {                                                               \
		REQUIRE(c);                                                \
		if (ctx_ring(c))                                           \
			SKIP(return, "io_uring_queue_init: %s",            \
			     strerror(-(c)->ring_err));                    \
	} while (0)

/*
 * FIXTURE(@name) with its setup and teardown: the context of the instance
 * of data type @type with the most devices, those devices claimed.
 */
#define CTX_FIXTURE(name, type)                                            \
	FIXTURE(name)                                                      \
	{                                                                  \
		int fd;		/* == c.fd, for vcmdq_utils.h's macros */  \
		struct ctx c;                                              \
	};                                                                 \
	FIXTURE_SETUP(name)                                                \
	{                                                                  \
		ctx_setup(_metadata, &self->c, type, 0, true);             \
		self->fd = self->c.fd;                                     \
	}                                                                  \
	FIXTURE_TEARDOWN(name)                                             \
	{                                                                  \
		ctx_teardown(_metadata, &self->c);                         \
	}

/* ---- VMs ---------------------------------------------------------------- */

static void vm_create(struct __test_metadata *_metadata, int fd, __u32 inst,
		      struct vm *vm)
{
	memset(vm, 0, sizeof(*vm));
	vm->fd = fd;
	vm->inst = inst;
	ASSERT_EQ(0, _test_cmd_s2_alloc(fd, 0, &vm->s2_id));
	vm->mem = alloc_pages(MEM_PAGES, PROT_READ | PROT_WRITE, true);
	ASSERT_NE(NULL, vm->mem);
	ASSERT_EQ(0, _test_cmd_s2_map(fd, vm->s2_id, VCMDQ_S2_MAP_RW, GPA_RW,
				      vm->mem, PAGE_SIZE));
	ASSERT_EQ(0, _test_cmd_s2_map(fd, vm->s2_id, VCMDQ_S2_MAP_READ, GPA_RO,
				      vm->mem + PAGE_SIZE, PAGE_SIZE));
	ASSERT_EQ(0, _test_cmd_viommu_alloc(fd, inst, vm->s2_id, 0,
					    &vm->viommu_id, &vm->tag, NULL,
					    NULL));
	ASSERT_NE(0, vm->tag);
}

static void vm_add_vdev(struct __test_metadata *_metadata, struct vm *vm,
			const struct dev *d, __u32 virt)
{
	unsigned int n = vm->nvdev;

	ASSERT_GT(MAX_VDEVS, n);
	ASSERT_EQ(0, _test_cmd_vdevice_alloc(vm->fd, vm->viommu_id, d->vfio_fd,
					     d->pci, virt, &vm->vdev_id[n],
					     &vm->phys[n]))
		TH_LOG("VDEVICE_ALLOC %s (proof: %s): %s", d->bdf,
		       d->vfio_fd >= 0 ? "its VFIO group file" :
					 "none, no IOMMU group",
		       strerror(errno));
	vm->virt[n] = virt;
	vm->nvdev++;
}

/*
 * Destroy leaves first and check the model: a destroyed vDEVICE leaves
 * nothing in its device's ATC, a destroyed vIOMMU nothing under its tag.
 */
static void vm_destroy(struct __test_metadata *_metadata, struct vm *vm)
{
	if (!vm->viommu_id)
		return;
	while (vm->nvdev) {
		vm->nvdev--;
		ASSERT_EQ(0, _test_ioctl_destroy(vm->fd,
						 vm->vdev_id[vm->nvdev]));
		EXPECT_EQ(0, atc_count_sid(vm->fd, vm->inst,
					   vm->phys[vm->nvdev]));
	}
	ASSERT_EQ(0, _test_ioctl_destroy(vm->fd, vm->viommu_id));
	EXPECT_EQ(0, iotlb_count_tag(vm->fd, vm->inst, vm->tag));
	ASSERT_EQ(0, _test_ioctl_destroy(vm->fd, vm->s2_id));
	munmap(vm->mem, MEM_PAGES * PAGE_SIZE);
	vm->viommu_id = 0;
}

/*
 * The VM under test (vm[0], on c->fd) and another VM (vm[1], on @fd1) on
 * the instance under test, with @nd0 and then @nd1 of the claimed devices,
 * each VM numbering its own from VIRT(0).
 */
static void world_create(struct __test_metadata *_metadata, struct ctx *c,
			 unsigned int nd0, unsigned int nd1, int fd1)
{
	unsigned int k;

	ASSERT_GE(c->ndev, nd0 + nd1);
	vm_create(_metadata, c->fd, c->inst.id, &c->vm[0]);
	vm_create(_metadata, fd1, c->inst.id, &c->vm[1]);
	ASSERT_NE(c->vm[0].tag, c->vm[1].tag);
	for (k = 0; k < nd0; k++)
		vm_add_vdev(_metadata, &c->vm[0], &c->dev[k], VIRT(k));
	for (k = 0; k < nd1; k++)
		vm_add_vdev(_metadata, &c->vm[1], &c->dev[nd0 + k], VIRT(k));
}

static void world_destroy(struct __test_metadata *_metadata, struct ctx *c)
{
	vm_destroy(_metadata, &c->vm[1]);
	vm_destroy(_metadata, &c->vm[0]);
}

/*
 * Run @n commands on @vm as one batch with entries of @entry_len bytes.
 * Returns 0 or -errno; *done gets entry_num back.
 */
static int vm_inv_len(const struct vm *vm, __u32 type,
		      const struct inv_cmd *cmds, unsigned int n,
		      unsigned int entry_len, __u32 *done)
{
	size_t bytes = (size_t)n * entry_len;
	void *buf = malloc(bytes ? bytes : 1);
	__u32 num = n;
	int rc;

	if (!buf)
		return -ENOMEM;
	inv_pack(buf, cmds, n, entry_len, fmt_len(type, entry_len));
	rc = _test_cmd_invalidate(vm->fd, vm->viommu_id, type, entry_len,
				  &num, buf) ? -errno : 0;
	free(buf);
	if (done)
		*done = num;
	return rc;
}

static int vm_inv(const struct vm *vm, __u32 type, const struct inv_cmd *cmds,
		  unsigned int n, __u32 *done)
{
	return vm_inv_len(vm, type, cmds, n, 16, done);
}

/* ---- the model ---------------------------------------------------------- */

/* An IOTLB entry under the tag of VM @vm (0: under test, 1: the other). */
struct tlbe {
	unsigned int vm;
	__u32 asid;
	__u32 pasid;
	__u64 start;
	__u64 last;
	bool leaf;
};

/* An ATC entry of vDEVICE @dev of VM @vm. */
struct atce {
	unsigned int vm;
	unsigned int dev;
	__u32 ssid;
	__u64 start;
	__u64 last;
};

/*
 * A model state: bit i of a mask is IOTLB entry i, bit 32 + i ATC entry i.
 * Entries of one address space (tag, asid, pasid / sid, ssid) never
 * overlap, so each can be counted on its own.
 */
struct model {
	const struct tlbe *t;
	unsigned int nt;
	const struct atce *a;
	unsigned int na;
};

#define T(i)	(1ULL << (i))
#define A(i)	(1ULL << (32 + (i)))

static __u64 model_all(const struct model *m)
{
	return (m->nt ? (1ULL << m->nt) - 1 : 0) |
	       (m->na ? ((1ULL << m->na) - 1) << 32 : 0);
}

static bool atce_usable(const struct vm *vms, const struct atce *e)
{
	return vms[e->vm].viommu_id && e->dev < vms[e->vm].nvdev;
}

/* ATC entries of devices the VMs do not have are left out of the mask. */
static __u64 model_usable(const struct vm *vms, const struct model *m)
{
	__u64 all = model_all(m);
	unsigned int i;

	for (i = 0; i < m->na; i++)
		if (!atce_usable(vms, &m->a[i]))
			all &= ~A(i);
	return all;
}

static void model_fill(struct __test_metadata *_metadata,
		       const struct vm *vms, const struct model *m)
{
	unsigned int i;

	for (i = 0; i < m->nt; i++) {
		const struct tlbe *e = &m->t[i];
		const struct vm *v = &vms[e->vm];

		ASSERT_EQ(0, _iotlb_count(v->fd, v->inst, 0, v->tag, e->asid,
					  e->pasid, e->start, e->last));
		ASSERT_EQ(0, _test_cmd_iotlb_add(v->fd, v->inst, v->tag,
						 e->asid, e->pasid, e->start,
						 e->last, e->leaf));
	}
	for (i = 0; i < m->na; i++) {
		const struct atce *e = &m->a[i];
		const struct vm *v = &vms[e->vm];

		if (!atce_usable(vms, e))
			continue;
		ASSERT_EQ(0, _atc_count(v->fd, v->inst, 0, v->phys[e->dev],
					e->ssid, e->start, e->last));
		ASSERT_EQ(0, _test_cmd_atc_add(v->fd, v->inst, v->phys[e->dev],
					       e->ssid, e->start, e->last));
	}
}

static __u64 model_mask(struct __test_metadata *_metadata,
			const struct vm *vms, const struct model *m)
{
	__u64 got = 0;
	unsigned int i;
	long n;

	for (i = 0; i < m->nt; i++) {
		const struct tlbe *e = &m->t[i];
		const struct vm *v = &vms[e->vm];

		n = _iotlb_count(v->fd, v->inst, 0, v->tag, e->asid, e->pasid,
				 e->start, e->last);
		ASSERT_LE(0, n);
		ASSERT_GE(1, n);
		if (n)
			got |= T(i);
	}
	for (i = 0; i < m->na; i++) {
		const struct atce *e = &m->a[i];
		const struct vm *v = &vms[e->vm];

		if (!atce_usable(vms, e))
			continue;
		n = _atc_count(v->fd, v->inst, 0, v->phys[e->dev], e->ssid,
			       e->start, e->last);
		ASSERT_LE(0, n);
		ASSERT_GE(1, n);
		if (n)
			got |= A(i);
	}
	return got;
}

/*
 * The model holds exactly @want: each entry is there or not as @want says,
 * and the totals per tag and per device match (nothing else appeared).
 */
static void model_expect(struct __test_metadata *_metadata,
			 const struct vm *vms, const struct model *m,
			 __u64 want, const char *name)
{
	__u64 got = model_mask(_metadata, vms, m);
	unsigned int v, i, d;

	want &= model_usable(vms, m);
	if (got != want)
		TH_LOG("%s: model holds 0x%llx, want 0x%llx (bit i: IOTLB entry i, bit 32+i: ATC entry i)",
		       name, (unsigned long long)got,
		       (unsigned long long)want);
	EXPECT_EQ(want, got);

	for (v = 0; v < 2; v++) {
		const struct vm *vm = &vms[v];
		long exp = 0, n;

		if (!vm->viommu_id)
			continue;
		for (i = 0; i < m->nt; i++)
			exp += m->t[i].vm == v && (want & T(i));
		n = iotlb_count_tag(vm->fd, vm->inst, vm->tag);
		if (n != exp)
			TH_LOG("%s: VM %u's tag holds %ld entries, want %ld",
			       name, v, n, exp);
		EXPECT_EQ(exp, n);
		for (d = 0; d < vm->nvdev; d++) {
			exp = 0;
			for (i = 0; i < m->na; i++)
				exp += m->a[i].vm == v && m->a[i].dev == d &&
				       (want & A(i));
			n = atc_count_sid(vm->fd, vm->inst, vm->phys[d]);
			if (n != exp)
				TH_LOG("%s: VM %u's device %u holds %ld ATC entries, want %ld",
				       name, v, d, n, exp);
			EXPECT_EQ(exp, n);
		}
	}
}

/*
 * The generic model: one leaf page at 0x10000 in guest address spaces
 * 1..GEN_N of each VM; GEN(a) is the VM under test's, OTHER(a) the other's.
 */
#define GEN_N		8
#define GEN(a)		T((a) - 1)
#define OTHER(a)	T(GEN_N + (a) - 1)
#define GEN_VM0		(T(GEN_N) - 1)
#define GEN_ALL		(T(2 * GEN_N) - 1)

#define GEN_E(v, a) { .vm = v, .asid = a, .start = 0x10000, .last = 0x10fff, .leaf = true }
static const struct tlbe gen_tlb[] = {
	GEN_E(0, 1), GEN_E(0, 2), GEN_E(0, 3), GEN_E(0, 4),
	GEN_E(0, 5), GEN_E(0, 6), GEN_E(0, 7), GEN_E(0, 8),
	GEN_E(1, 1), GEN_E(1, 2), GEN_E(1, 3), GEN_E(1, 4),
	GEN_E(1, 5), GEN_E(1, 6), GEN_E(1, 7), GEN_E(1, 8),
};
static const struct model gen_model = { gen_tlb, ARRAY_SIZE(gen_tlb), NULL, 0 };

/* ---- table-driven single commands --------------------------------------- */

struct icase {
	const char *name;
	struct inv_cmd cmd;
	int err;		/* 0, or the errno the batch fails with */
	__u64 gone;		/* the entries it drops */
	unsigned int devs;	/* devices the VM under test needs */
	bool vmid_other;	/* SMMUv3 VMID field := the other VM's tag */
};

/*
 * Each case on fresh VMs (vm[0] with up to @nd0 devices, vm[1] with none):
 * fill the model, run the command alone on vm[0], check the errno,
 * entry_num and exactly what went.
 */
static void run_cases(struct __test_metadata *_metadata, struct ctx *c,
		      const struct model *m, const struct icase *cases,
		      unsigned int n, unsigned int nd0)
{
	unsigned int i;

	if (nd0 > c->ndev)
		nd0 = c->ndev;
	for (i = 0; i < n; i++) {
		const struct icase *cs = &cases[i];
		struct inv_cmd cmd = cs->cmd;
		__u32 done;
		int rc;

		if (cs->devs > nd0) {
			TH_LOG("%s: not run, needs %u device(s) behind instance %u, has %u",
			       cs->name, cs->devs, c->inst.id, nd0);
			continue;
		}
		world_create(_metadata, c, nd0, 0, c->fd);
		model_fill(_metadata, c->vm, m);
		if (cs->vmid_other)
			cmd.q[0] = (cmd.q[0] & ~(0xffffULL << 32)) |
				   (__u64)c->vm[1].tag << 32;
		rc = vm_inv(&c->vm[0], c->type, &cmd, 1, &done);
		if (rc != -cs->err || done != !cs->err)
			TH_LOG("%s: returned %d (%s), entry_num %u; want %d",
			       cs->name, rc, rc ? strerror(-rc) : "ok", done,
			       -cs->err);
		EXPECT_EQ(-cs->err, rc);
		EXPECT_EQ(!cs->err, done);
		model_expect(_metadata, c->vm, m, model_all(m) & ~cs->gone,
			     cs->name);
		world_destroy(_metadata, c);
	}
}

/* A command the format refuses: its first two qwords. */
struct refused_cmd {
	const char *name;
	__u64 q0, q1;
};

/*
 * Each of the @n commands in the middle of a batch stops it with @err and
 * entry_num pointing at it: the command before it ran, the one after it
 * did not (generic model).  EIO: refused.  EREMOTE: valid, but only the VMM
 * can execute it (interrupt remapping, SMMUv3 STEs); resubmitting from the
 * next entry, as a VMM does once it has executed that one itself, runs the
 * rest.
 */
static void expect_stopped(struct __test_metadata *_metadata, struct ctx *c,
			   const struct refused_cmd *cmds, unsigned int n,
			   int err)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		const char *name = cmds[i].name;
		const struct inv_cmd batch[] = {
			c->ops->space(1),
			inv_raw(cmds[i].q0, cmds[i].q1),
			c->ops->space(2),
		};
		__u32 done;
		int rc;

		world_create(_metadata, c, 0, 0, c->fd);
		model_fill(_metadata, c->vm, &gen_model);
		rc = vm_inv(&c->vm[0], c->type, batch, 3, &done);
		if (rc != -err || done != 1)
			TH_LOG("%s: returned %d, entry_num %u; want %d, 1",
			       name, rc, done, -err);
		EXPECT_EQ(-err, rc);
		EXPECT_EQ(1, done);
		model_expect(_metadata, c->vm, &gen_model, GEN_ALL & ~GEN(1),
			     name);
		if (err == EREMOTE) {
			/* The VMM's part done, it resumes after the entry. */
			rc = vm_inv(&c->vm[0], c->type, &batch[2], 1, &done);
			EXPECT_EQ(0, rc);
			EXPECT_EQ(1, done);
			model_expect(_metadata, c->vm, &gen_model,
				     GEN_ALL & ~(GEN(1) | GEN(2)), name);
		}
		world_destroy(_metadata, c);
	}
}

/* Page 0 of @vm's memory holds PATTERN except @len bytes of @val at @off. */
static bool mem_holds(const struct vm *vm, unsigned int page, size_t off,
		      __u64 val, unsigned int len)
{
	const __u8 *p = vm->mem + page * PAGE_SIZE;
	__u64 le = htole64(val);
	size_t i;

	for (i = 0; i < PAGE_SIZE; i++) {
		__u8 want = i >= off && i < off + len ?
			    ((const __u8 *)&le)[i - off] : PATTERN;

		if (p[i] != want)
			return false;
	}
	return true;
}

#define mem_untouched(vm, page) mem_holds(vm, page, 0, 0, 0)

/*
 * ---------------------------------------------------------------------------
 * FIXTURE(inv): the generic contract, on the first instance of each flavor.
 * ---------------------------------------------------------------------------
 */
FIXTURE(inv)
{
	int fd;		/* == c.fd, for vcmdq_utils.h's macros */
	struct ctx c;
};

FIXTURE_VARIANT(inv)
{
	__u32 flavor;
};

FIXTURE_VARIANT_ADD(inv, tegra241_cmdqv)
{
	.flavor = VCMDQ_FLAVOR_TEGRA241_CMDQV,
};

FIXTURE_VARIANT_ADD(inv, smmuv3)
{
	.flavor = VCMDQ_FLAVOR_SMMUV3,
};

FIXTURE_VARIANT_ADD(inv, amd_vi)
{
	.flavor = VCMDQ_FLAVOR_AMD_VI,
};

FIXTURE_VARIANT_ADD(inv, vtd)
{
	.flavor = VCMDQ_FLAVOR_VTD,
};

FIXTURE_SETUP(inv)
{
	ctx_setup(_metadata, &self->c, 0, variant->flavor, false);
	self->fd = self->c.fd;
}

FIXTURE_TEARDOWN(inv)
{
	ctx_teardown(_metadata, &self->c);
}

static bool type_supported(const struct ctx *c, __u32 type)
{
	return type < 32 && (c->inst.data_types & (1U << type));
}

/* entry_num = 0 probes the data type, whatever the pointer and length. */
TEST_F(inv, probe)
{
	static const __u32 types[] = {
		VCMDQ_DATA_DEFAULT, VCMDQ_DATA_SMMUV3, VCMDQ_DATA_AMD_VI,
		VCMDQ_DATA_VTD, VCMDQ_DATA_VTD + 1, 31, 32, UINT32_MAX,
	};
	struct ctx *c = &self->c;
	__u8 buf[64];
	unsigned int t, k;

	REQUIRE(c);
	world_create(_metadata, c, 0, 0, c->fd);
	model_fill(_metadata, c->vm, &gen_model);
	inv_pack(buf, (struct inv_cmd[]){ c->ops->space(1) }, 1, 16, 16);
	for (t = 0; t < ARRAY_SIZE(types); t++) {
		/* NULL; a valid entry with length 0; and with length 16. */
		for (k = 0; k < 3; k++) {
			struct vcmdq_invalidate cmd = {
				.size = sizeof(cmd),
				.viommu_id = c->vm[0].viommu_id,
				.data_type = types[t],
				.entry_len = k == 2 ? 16 : 0,
				.data_uptr = k ? (uintptr_t)buf : 0,
			};
			int rc = ioctl(self->fd, VCMDQ_INVALIDATE, &cmd);

			if (type_supported(c, types[t])) {
				EXPECT_EQ(0, rc);
			} else {
				EXPECT_ERRNO(EOPNOTSUPP, rc);
			}
			EXPECT_EQ(0, cmd.entry_num);
		}
	}
	/* A probe executes nothing. */
	model_expect(_metadata, c->vm, &gen_model, GEN_ALL, "probe");
	world_destroy(_metadata, c);
}

/* Non-zero flags: EOPNOTSUPP, nothing handled, entry_num says so. */
TEST_F(inv, flags)
{
	static const __u32 flags[] = { 1, 2, 1U << 31, UINT32_MAX };
	struct ctx *c = &self->c;
	__u8 buf[32];
	unsigned int i;

	REQUIRE(c);
	world_create(_metadata, c, 0, 0, c->fd);
	model_fill(_metadata, c->vm, &gen_model);
	inv_pack(buf, (struct inv_cmd[]){ c->ops->space(1), c->ops->space(2) },
		 2, 16, 16);
	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		struct vcmdq_invalidate cmd = {
			.size = sizeof(cmd),
			.flags = flags[i],
			.viommu_id = c->vm[0].viommu_id,
			.data_type = c->type,
			.entry_len = 16,
			.entry_num = 2,
			.data_uptr = (uintptr_t)buf,
		};

		EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, VCMDQ_INVALIDATE, &cmd));
		EXPECT_EQ(0, cmd.entry_num)
			TH_LOG("flags 0x%x: entry_num %u comes back, but nothing was handled",
			       flags[i], cmd.entry_num);
	}
	model_expect(_metadata, c->vm, &gen_model, GEN_ALL, "flags");
	world_destroy(_metadata, c);
}

/* An ID that names no vIOMMU of this file: ENOENT, nothing handled. */
TEST_F(inv, unknown_viommu)
{
	struct ctx *c = &self->c;
	__u32 ids[5], s2_id, gone_id, tag;
	__u8 buf[32];
	unsigned int i;

	REQUIRE(c);
	world_create(_metadata, c, 0, 0, c->fd);
	model_fill(_metadata, c->vm, &gen_model);
	/* A vIOMMU that existed. */
	ASSERT_EQ(0, _test_cmd_s2_alloc(self->fd, 0, &s2_id));
	test_cmd_viommu_alloc(c->inst.id, s2_id, &gone_id, &tag);
	test_ioctl_destroy(gone_id);
	ids[0] = 0;
	ids[1] = c->vm[0].s2_id;	/* an object, not a vIOMMU */
	ids[2] = gone_id;
	ids[3] = gone_id + 1000;
	ids[4] = UINT32_MAX;
	inv_pack(buf, (struct inv_cmd[]){ c->ops->space(1), c->ops->space(2) },
		 2, 16, 16);
	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		struct vcmdq_invalidate cmd = {
			.size = sizeof(cmd),
			.viommu_id = ids[i],
			.data_type = c->type,
			.entry_len = 16,
			.entry_num = 2,
			.data_uptr = (uintptr_t)buf,
		};

		EXPECT_ERRNO(ENOENT, ioctl(self->fd, VCMDQ_INVALIDATE, &cmd));
		EXPECT_EQ(0, cmd.entry_num)
			TH_LOG("viommu_id %u: entry_num %u comes back, but nothing was handled",
			       ids[i], cmd.entry_num);
	}
	model_expect(_metadata, c->vm, &gen_model, GEN_ALL, "unknown vIOMMU");
	test_ioctl_destroy(s2_id);
	world_destroy(_metadata, c);
}

/* A data type the instance does not speak: EOPNOTSUPP, nothing runs. */
TEST_F(inv, data_type)
{
	static const __u32 types[] = {
		VCMDQ_DATA_DEFAULT, VCMDQ_DATA_SMMUV3, VCMDQ_DATA_AMD_VI,
		VCMDQ_DATA_VTD, VCMDQ_DATA_VTD + 1, 32, 0x80000000, UINT32_MAX,
	};
	struct ctx *c = &self->c;
	unsigned int i;
	__u32 done;

	REQUIRE(c);
	world_create(_metadata, c, 0, 0, c->fd);
	model_fill(_metadata, c->vm, &gen_model);
	for (i = 0; i < ARRAY_SIZE(types); i++) {
		const struct ops *o = type_ops(types[i]);
		/* Entries valid in that type where it has a format. */
		const struct inv_cmd cmd = o ? o->space(1) : c->ops->space(1);
		int rc;

		if (type_supported(c, types[i]))
			continue;
		rc = vm_inv(&c->vm[0], types[i], &cmd, 1, &done);
		EXPECT_EQ(-EOPNOTSUPP, rc)
			TH_LOG("data type %u", types[i]);
		EXPECT_EQ(0, done);
	}
	model_expect(_metadata, c->vm, &gen_model, GEN_ALL, "data type");
	/* The instance's own type works. */
	ASSERT_EQ(0, vm_inv(&c->vm[0], c->type,
			    (struct inv_cmd[]){ c->ops->space(1) }, 1, &done));
	EXPECT_EQ(1, done);
	model_expect(_metadata, c->vm, &gen_model, GEN_ALL & ~GEN(1), "own");
	world_destroy(_metadata, c);
}

/* Entries but no array: EINVAL. */
TEST_F(inv, null_uptr)
{
	static const __u32 nums[] = { 1, 2, VCMDQ_INVALIDATE_MAX_ENTRIES };
	struct ctx *c = &self->c;
	unsigned int i;

	REQUIRE(c);
	vm_create(_metadata, self->fd, c->inst.id, &c->vm[0]);
	for (i = 0; i < ARRAY_SIZE(nums); i++) {
		__u32 num = nums[i];

		test_err_invalidate(EINVAL, c->vm[0].viommu_id, c->type, 16,
				    &num, NULL);
		EXPECT_EQ(0, num);
	}
	vm_destroy(_metadata, &c->vm[0]);
}

/*
 * An array that cannot be read whole: EFAULT, and nothing ran, not even
 * the entries before the unreadable byte.
 */
TEST_F(inv, efault)
{
	static const __u64 bad[] = {
		1, 0xffff800000000000ULL, 0xfffffffffffffff0ULL,
	};
	struct ctx *c = &self->c;
	__u8 *pages, entries[32];
	unsigned int i;
	__u32 num;

	REQUIRE(c);
	const struct inv_cmd cmds[] = { c->ops->space(1), c->ops->space(2) };

	pages = mmap(NULL, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, pages);
	inv_pack(entries, cmds, 2, 16, 16);
	/* Entry 0 ends page 0, entry 1 starts page 1, which is unreadable. */
	memcpy(pages + PAGE_SIZE - 16, entries, 32);
	ASSERT_EQ(0, mprotect(pages + PAGE_SIZE, PAGE_SIZE, PROT_NONE));

	world_create(_metadata, c, 0, 0, c->fd);
	model_fill(_metadata, c->vm, &gen_model);
	num = 2;
	test_err_invalidate(EFAULT, c->vm[0].viommu_id, c->type, 16, &num,
			    pages + PAGE_SIZE - 16);
	EXPECT_EQ(0, num);
	num = 1;
	test_err_invalidate(EFAULT, c->vm[0].viommu_id, c->type, 16, &num,
			    pages + PAGE_SIZE);
	EXPECT_EQ(0, num);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		num = 1;
		test_err_invalidate(EFAULT, c->vm[0].viommu_id, c->type, 16,
				    &num, (void *)(uintptr_t)bad[i]);
		EXPECT_EQ(0, num);
	}
	model_expect(_metadata, c->vm, &gen_model, GEN_ALL, "EFAULT");

	/* The same entries, readable: both run. */
	ASSERT_EQ(0, mprotect(pages + PAGE_SIZE, PAGE_SIZE, PROT_READ));
	num = 2;
	test_cmd_invalidate(c->vm[0].viommu_id, c->type, 16, &num,
			    pages + PAGE_SIZE - 16);
	EXPECT_EQ(2, num);
	model_expect(_metadata, c->vm, &gen_model,
		     GEN_ALL & ~(GEN(1) | GEN(2)), "readable");
	world_destroy(_metadata, c);
	munmap(pages, 2 * PAGE_SIZE);
}

/*
 * entry_len: from the format's size (16; VT-d 16, or 32 for 256-bit
 * descriptors) to VCMDQ_INVALIDATE_MAX_ENTRY_LEN, zero tails fine;
 * anything else EINVAL, whatever the entries.
 */
TEST_F(inv, entry_len)
{
	static const __u32 lens[] = {
		0, 1, 8, 15, 16, 17, 20, 24, 31, 32, 33, 40, 48, 63, 64, 65,
		72, 128, 4096, 4097, UINT32_MAX,
	};
	struct ctx *c = &self->c;
	unsigned int i;

	REQUIRE(c);
	const struct inv_cmd cmds[] = { c->ops->space(1), c->ops->sync() };
	__u8 one[16];

	inv_pack(one, cmds, 1, 16, 16);
	vm_create(_metadata, self->fd, c->inst.id, &c->vm[0]);
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		__u32 len = lens[i], stride = len < 16 ? 16 : len, num = 2;
		bool valid = entry_len_valid(c->type, len);
		size_t bytes = len > 8192 ? 64 : 2 * stride;
		__u8 *buf = calloc(1, bytes);
		int rc;

		ASSERT_NE(NULL, buf);
		if (len <= 8192)
			inv_pack(buf, cmds, 2, stride, fmt_len(c->type, stride));
		test_cmd_iotlb_add(c->inst.id, c->vm[0].tag, 1, 0, 0x10000,
				   0x10fff, true);
		rc = _test_cmd_invalidate(self->fd, c->vm[0].viommu_id,
					  c->type, len, &num, buf);
		if (valid) {
			EXPECT_EQ(0, rc)
				TH_LOG("entry_len %u: %s", len, strerror(errno));
			EXPECT_EQ(2, num);
		} else {
			if (rc != -1 || errno != EINVAL)
				TH_LOG("entry_len %u", len);
			EXPECT_ERRNO(EINVAL, rc);
			EXPECT_EQ(0, num);
			EXPECT_EQ(1, iotlb_count_tag(self->fd, c->inst.id,
						     c->vm[0].tag));
			/* Drop it the valid way. */
			num = 1;
			test_cmd_invalidate(c->vm[0].viommu_id, c->type, 16,
					    &num, one);
		}
		EXPECT_EQ(0, iotlb_count_tag(self->fd, c->inst.id,
					     c->vm[0].tag))
			TH_LOG("entry_len %u", len);
		free(buf);
	}
	vm_destroy(_metadata, &c->vm[0]);
}

/*
 * entry_num up to VCMDQ_INVALIDATE_MAX_ENTRIES: the last entry of a full
 * batch runs; one more is EINVAL before anything runs.
 */
TEST_F(inv, entry_num_max)
{
	const __u32 max = VCMDQ_INVALIDATE_MAX_ENTRIES;
	struct ctx *c = &self->c;
	struct inv_cmd *cmds;
	__u32 num, i;
	void *buf;

	REQUIRE(c);
	cmds = calloc(max, sizeof(*cmds));
	buf = malloc((size_t)max * 16);
	ASSERT_NE(NULL, cmds);
	ASSERT_NE(NULL, buf);
	for (i = 0; i < max - 1; i++)
		cmds[i] = c->ops->sync();
	cmds[max - 1] = c->ops->space(1);
	inv_pack(buf, cmds, max, 16, 16);

	world_create(_metadata, c, 0, 0, c->fd);
	model_fill(_metadata, c->vm, &gen_model);
	num = max + 1;
	test_err_invalidate(EINVAL, c->vm[0].viommu_id, c->type, 16, &num,
			    buf);
	EXPECT_EQ(0, num);
	num = UINT32_MAX;
	test_err_invalidate(EINVAL, c->vm[0].viommu_id, c->type, 16, &num,
			    buf);
	EXPECT_EQ(0, num);
	model_expect(_metadata, c->vm, &gen_model, GEN_ALL, "max + 1");
	num = max;
	test_cmd_invalidate(c->vm[0].viommu_id, c->type, 16, &num, buf);
	EXPECT_EQ(max, num);
	model_expect(_metadata, c->vm, &gen_model, GEN_ALL & ~GEN(1), "max");
	world_destroy(_metadata, c);
	free(cmds);
	free(buf);
}

/*
 * Entries longer than the format: zero tails are fine; a non-zero byte in
 * a tail is E2BIG at that entry, the ones before it ran.
 */
TEST_F(inv, tails)
{
	const __u64 four = GEN(1) | GEN(2) | GEN(3) | GEN(4);
	struct ctx *c = &self->c;
	static const struct {
		unsigned int len_extra;	/* entry_len = format + this */
		unsigned int entry;	/* which entry gets a non-zero byte */
		int byte;		/* at this tail offset; -1: none */
		__u32 done;
	} cases[] = {
		{ 8, 0, -1, 4 },
		{ 8, 2, 0, 2 },
		{ 8, 2, 7, 2 },
		{ 8, 0, 7, 0 },
		{ 8, 3, 3, 3 },
		{ 32, 1, 31, 1 },
		{ 48, 0, -1, 4 },
		{ 48, 1, 47, 1 },
	};
	unsigned int i;

	REQUIRE(c);
	const struct inv_cmd cmds[] = {
		c->ops->space(1), c->ops->space(2), c->ops->space(3),
		c->ops->space(4),
	};

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		unsigned int base = c->type == VCMDQ_DATA_VTD ? 32 : 16;
		unsigned int len = base + cases[i].len_extra;
		__u64 gone = 0;
		__u8 buf[4 * 64];
		__u32 num = 4, k;
		int rc;

		if (len > VCMDQ_INVALIDATE_MAX_ENTRY_LEN)
			continue;
		world_create(_metadata, c, 0, 0, c->fd);
		model_fill(_metadata, c->vm, &gen_model);
		inv_pack(buf, cmds, 4, len, base);
		if (cases[i].byte >= 0)
			buf[cases[i].entry * len + base + cases[i].byte] = 0x01;
		rc = _test_cmd_invalidate(self->fd, c->vm[0].viommu_id,
					  c->type, len, &num, buf);
		if (cases[i].byte < 0) {
			EXPECT_EQ(0, rc);
		} else {
			EXPECT_ERRNO(E2BIG, rc);
		}
		EXPECT_EQ(cases[i].done, num)
			TH_LOG("entry_len %u, tail byte %d of entry %u", len,
			       cases[i].byte, cases[i].entry);
		for (k = 0; k < cases[i].done; k++)
			gone |= GEN(k + 1);
		model_expect(_metadata, c->vm, &gen_model,
			     GEN_ALL & ~(gone & four), "tails");
		world_destroy(_metadata, c);
	}
}

/*
 * Entry k illegal: EIO, entry_num == k, entries 0..k-1 took effect and
 * k+1.. did not; the other VM lost nothing.
 */
TEST_F(inv, partial)
{
	struct ctx *c = &self->c;
	unsigned int k, i;

	REQUIRE(c);
	for (k = 0; k < 5; k++) {
		struct inv_cmd cmds[5];
		__u64 gone = 0;
		__u32 done;

		for (i = 0; i < 5; i++)
			cmds[i] = i == k ? c->ops->illegal() :
					   c->ops->space(i + 1);
		for (i = 0; i < k; i++)
			gone |= GEN(i + 1);
		world_create(_metadata, c, 0, 0, c->fd);
		model_fill(_metadata, c->vm, &gen_model);
		EXPECT_EQ(-EIO, vm_inv(&c->vm[0], c->type, cmds, 5, &done));
		EXPECT_EQ(k, done);
		model_expect(_metadata, c->vm, &gen_model, GEN_ALL & ~gone,
			     "partial");
		world_destroy(_metadata, c);
	}
}

/*
 * A completion store lands in the VM's memory through its S2, nowhere
 * else; one to memory the S2 does not map writable is EIO.
 */
TEST_F(inv, store)
{
	struct ctx *c = &self->c;
	__u32 done;

	REQUIRE(c);
	const struct ops *o = c->ops;
	const unsigned int sz = o->store_size;
	const __u64 val = STORE_VAL & (sz == 8 ? ~0ULL : 0xffffffffULL);

	world_create(_metadata, c, 0, 0, c->fd);
	model_fill(_metadata, c->vm, &gen_model);

	/* No store requested: memory untouched. */
	EXPECT_EQ(0, vm_inv(&c->vm[0], c->type,
			    (struct inv_cmd[]){ o->sync() }, 1, &done));
	EXPECT_TRUE(mem_untouched(&c->vm[0], 0));

	EXPECT_EQ(0, vm_inv(&c->vm[0], c->type,
			    (struct inv_cmd[]){ o->space(1),
						o->store(GPA_RW + 0x40, val) },
			    2, &done));
	EXPECT_EQ(2, done);
	EXPECT_TRUE(mem_holds(&c->vm[0], 0, 0x40, val, sz));
	EXPECT_TRUE(mem_untouched(&c->vm[0], 1));
	/* The other VM maps other memory at the same GPA. */
	EXPECT_TRUE(mem_untouched(&c->vm[1], 0));
	memset(c->vm[0].mem, PATTERN, PAGE_SIZE);

	/* The last bytes of the page. */
	EXPECT_EQ(0, vm_inv(&c->vm[0], c->type,
			    (struct inv_cmd[]){ o->store(GPA_RW + PAGE_SIZE - sz,
							 val) },
			    1, &done));
	EXPECT_TRUE(mem_holds(&c->vm[0], 0, PAGE_SIZE - sz, val, sz));
	memset(c->vm[0].mem, PATTERN, PAGE_SIZE);

	/* Read-only: EIO after the entry before it ran. */
	EXPECT_EQ(-EIO, vm_inv(&c->vm[0], c->type,
			       (struct inv_cmd[]){ o->space(2),
						   o->store(GPA_RO + 0x40, val),
						   o->space(3) },
			       3, &done));
	EXPECT_EQ(1, done);
	EXPECT_TRUE(mem_untouched(&c->vm[0], 1));

	/* Not mapped. */
	EXPECT_EQ(-EIO, vm_inv(&c->vm[0], c->type,
			       (struct inv_cmd[]){ o->store(GPA_NONE, val),
						   o->space(4) },
			       2, &done));
	EXPECT_EQ(0, done);
	EXPECT_TRUE(mem_untouched(&c->vm[0], 0));
	EXPECT_TRUE(mem_untouched(&c->vm[0], 1));
	model_expect(_metadata, c->vm, &gen_model,
		     GEN_ALL & ~(GEN(1) | GEN(2)), "store");
	world_destroy(_metadata, c);
}

/*
 * Two VMs (two files) on one instance with the same guest address spaces:
 * whatever one invalidates, the other's entries stay; its stores land in
 * its own memory; its vIOMMU IDs mean nothing in the other file.
 */
TEST_F(inv, isolation)
{
	struct ctx *c = &self->c;
	__u32 done, s2_pad;
	struct vm foreign;
	__u64 left;

	REQUIRE(c);
	const struct ops *o = c->ops;

	c->fd2 = vcmdq_open_dev();
	ASSERT_LE(0, c->fd2);
	/* Give the VM under test higher IDs than anything in the other file. */
	ASSERT_EQ(0, _test_cmd_s2_alloc(self->fd, 0, &s2_pad));
	world_create(_metadata, c, 0, 0, c->fd2);
	ASSERT_LT(c->vm[1].viommu_id, c->vm[0].viommu_id);
	model_fill(_metadata, c->vm, &gen_model);

	/* The other file has no object with the ID of our vIOMMU. */
	foreign = c->vm[1];
	foreign.viommu_id = c->vm[0].viommu_id;
	EXPECT_EQ(-ENOENT, vm_inv(&foreign, c->type,
				  (struct inv_cmd[]){ o->space(1) }, 1, &done));
	model_expect(_metadata, c->vm, &gen_model, GEN_ALL, "foreign ID");

	EXPECT_EQ(0, vm_inv(&c->vm[0], c->type,
			    (struct inv_cmd[]){ o->space(1) }, 1, &done));
	left = GEN_ALL & ~GEN(1);
	model_expect(_metadata, c->vm, &gen_model, left, "space 1 in A");
	EXPECT_EQ(0, vm_inv(&c->vm[1], c->type,
			    (struct inv_cmd[]){ o->space(2) }, 1, &done));
	left &= ~OTHER(2);
	model_expect(_metadata, c->vm, &gen_model, left, "space 2 in B");

	if (everything_ok(c)) {
		EXPECT_EQ(0, vm_inv(&c->vm[0], c->type,
				    (struct inv_cmd[]){ o->everything() }, 1,
				    &done));
		left &= ~GEN_VM0;
		model_expect(_metadata, c->vm, &gen_model, left,
			     "everything in A");
	} else {
		TH_LOG("instance %u has no INVALIDATE_ALL: not tried",
		       c->inst.id);
	}

	EXPECT_EQ(0, vm_inv(&c->vm[1], c->type,
			    (struct inv_cmd[]){ o->store(GPA_RW, STORE_VAL) },
			    1, &done));
	EXPECT_TRUE(mem_untouched(&c->vm[0], 0));
	EXPECT_FALSE(mem_untouched(&c->vm[1], 0));
	model_expect(_metadata, c->vm, &gen_model, left, "store in B");
	world_destroy(_metadata, c);
	test_ioctl_destroy(s2_pad);
}

/*
 * Batch sizes around the kernel's copy strategies (small batches on the
 * stack, larger ones allocated) and arrays at odd addresses: every entry
 * runs, up to the last, and a bad last entry is found there.
 */
TEST_F(inv, batch_sizes)
{
	static const __u32 sizes[] = { 1, 2, 15, 16, 17, 255, 256, 257, 4096 };
	struct ctx *c = &self->c;
	unsigned int i, bad, off;

	REQUIRE(c);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		for (bad = 0; bad < 2; bad++) {
			for (off = 0; off < 2; off++) {
				const __u32 n = sizes[i];
				struct inv_cmd *cmds = calloc(n, sizeof(*cmds));
				__u8 *buf = malloc((size_t)n * 16 + 1);
				__u64 gone = 0;
				__u32 k, num = n;
				int rc;

				ASSERT_NE(NULL, cmds);
				ASSERT_NE(NULL, buf);
				for (k = 0; k < n; k++)
					cmds[k] = c->ops->sync();
				cmds[n - 1] = bad ? c->ops->illegal() :
						    c->ops->space(1);
				if (n >= 2) {
					cmds[n - 2] = c->ops->space(2);
					gone |= GEN(2);
				}
				if (!bad)
					gone |= GEN(1);
				inv_pack(buf + off, cmds, n, 16, 16);
				world_create(_metadata, c, 0, 0, c->fd);
				model_fill(_metadata, c->vm, &gen_model);
				rc = _test_cmd_invalidate(self->fd,
							  c->vm[0].viommu_id,
							  c->type, 16, &num,
							  buf + off) ? -errno : 0;
				if (rc != (bad ? -EIO : 0) ||
				    num != (bad ? n - 1 : n))
					TH_LOG("%u entries at offset %u, %s last: returned %d, entry_num %u",
					       n, off, bad ? "illegal" : "good",
					       rc, num);
				EXPECT_EQ(bad ? -EIO : 0, rc);
				EXPECT_EQ(bad ? n - 1 : n, num);
				model_expect(_metadata, c->vm, &gen_model,
					     GEN_ALL & ~gone, "batch size");
				world_destroy(_metadata, c);
				free(cmds);
				free(buf);
			}
		}
	}
}

/* ---- io_uring ----------------------------------------------------------- */

enum path { VIA_IOCTL, VIA_URING };

static const char *const path_name[] = { "ioctl", "io_uring" };

/* One request the way @p sends it: 0 or -errno (the CQE's res). */
static int submit(struct __test_metadata *_metadata, struct ctx *c,
		  enum path p, void *req, __u8 sqe_flags)
{
	int res;

	if (p == VIA_IOCTL)
		return ioctl_invalidate(c->fd, req);
	ASSERT_EQ(0, uring_submit_one(&c->ring, c->fd, req, VCMDQ_INVALIDATE,
				      0, sqe_flags, &res));
	return res;
}

/* One batch as the equivalence test sends it, with what must come of it. */
struct rcase {
	const char *name;
	struct inv_cmd cmds[4];
	unsigned int n;
	unsigned int tail_extra;	/* entry_len = format + this */
	int tail;			/* entry with a non-zero tail, or -1 */
	__u32 entry_len;		/* overrides the above when non-zero */
	__u32 num;			/* overrides n as entry_num when non-zero */
	__u32 flags;
	bool bad_viommu;
	bool other_type;		/* data type DEFAULT */
	bool null;
	bool ro_req;			/* the request itself is read-only */
	int err;
	__u32 done;
	__u64 gone;
	bool stored;			/* STORE_VAL at GPA_RW + 0x40 */
};

struct rresult {
	int rc;
	__u32 done;
	__u64 model;
	bool stored;
	bool untouched;
};

static void run_rcase(struct __test_metadata *_metadata, struct ctx *c,
		      const struct rcase *rc, enum path p, struct rresult *res)
{
	unsigned int base = 16, len = base + rc->tail_extra;
	const unsigned int sz = c->ops->store_size;
	struct vcmdq_invalidate *req;
	__u8 buf[4 * 64];

	if (c->type == VCMDQ_DATA_VTD && rc->tail_extra)
		base = 32, len = base + rc->tail_extra;
	world_create(_metadata, c, 0, 0, c->fd);
	model_fill(_metadata, c->vm, &gen_model);
	ASSERT_GE(sizeof(buf), rc->n * len);
	inv_pack(buf, rc->cmds, rc->n, len, base);
	if (rc->tail >= 0)
		buf[rc->tail * len + len - 1] = 0x80;

	req = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, req);
	*req = (struct vcmdq_invalidate){
		.size = sizeof(*req),
		.flags = rc->flags,
		.viommu_id = rc->bad_viommu ? c->vm[0].viommu_id + 100 :
					      c->vm[0].viommu_id,
		.data_type = rc->other_type ? VCMDQ_DATA_DEFAULT : c->type,
		.entry_len = rc->entry_len ? rc->entry_len : len,
		.entry_num = rc->num ? rc->num : rc->n,
		.data_uptr = rc->null ? 0 : (uintptr_t)buf,
	};
	if (rc->ro_req)
		ASSERT_EQ(0, mprotect(req, PAGE_SIZE, PROT_READ));
	res->rc = submit(_metadata, c, p, req, 0);
	res->done = req->entry_num;
	munmap(req, PAGE_SIZE);
	res->model = model_mask(_metadata, c->vm, &gen_model);
	res->stored = mem_holds(&c->vm[0], 0, 0x40,
				STORE_VAL & (sz == 8 ? ~0ULL : 0xffffffffULL),
				sz);
	res->untouched = mem_untouched(&c->vm[0], 0);
	world_destroy(_metadata, c);
}

/*
 * The same batches through the ioctl and through io_uring: the same errno,
 * entry_num, model and memory, and each what the header says.
 */
TEST_F(inv, uring_equiv)
{
	struct ctx *c = &self->c;

	REQUIRE_URING(c);
	const struct ops *o = c->ops;
	const struct rcase cases[] = {
		{ .name = "two spaces", .cmds = { o->space(1), o->space(2) },
		  .n = 2, .tail = -1, .done = 2, .gone = GEN(1) | GEN(2) },
		{ .name = "illegal second",
		  .cmds = { o->space(1), o->illegal(), o->space(2) }, .n = 3,
		  .tail = -1, .err = EIO, .done = 1, .gone = GEN(1) },
		{ .name = "illegal first",
		  .cmds = { o->illegal(), o->space(2) }, .n = 2, .tail = -1,
		  .err = EIO, .done = 0 },
		{ .name = "the VMM's second",
		  .cmds = { o->space(1), o->vmm(), o->space(2) }, .n = 3,
		  .tail = -1, .err = EREMOTE, .done = 1, .gone = GEN(1) },
		{ .name = "the VMM's, store after it not done",
		  .cmds = { o->vmm(), o->store(GPA_RW + 0x40, STORE_VAL) },
		  .n = 2, .tail = -1, .err = EREMOTE, .done = 0 },
		{ .name = "store",
		  .cmds = { o->sync(), o->space(3),
			    o->store(GPA_RW + 0x40, STORE_VAL) },
		  .n = 3, .tail = -1, .done = 3, .gone = GEN(3),
		  .stored = true },
		{ .name = "store not mapped",
		  .cmds = { o->space(3), o->store(GPA_NONE, STORE_VAL),
			    o->space(4) },
		  .n = 3, .tail = -1, .err = EIO, .done = 1, .gone = GEN(3) },
		{ .name = "zero tails",
		  .cmds = { o->space(1), o->space(2) }, .n = 2,
		  .tail_extra = 8, .tail = -1, .done = 2,
		  .gone = GEN(1) | GEN(2) },
		{ .name = "non-zero tail",
		  .cmds = { o->space(1), o->space(2) }, .n = 2,
		  .tail_extra = 8, .tail = 1, .err = E2BIG, .done = 1,
		  .gone = GEN(1) },
		{ .name = "entry_len 15", .cmds = { o->space(1) }, .n = 1,
		  .tail = -1, .entry_len = 15, .err = EINVAL },
		{ .name = "entry_len 65", .cmds = { o->space(1) }, .n = 1,
		  .tail = -1, .entry_len = 65, .err = EINVAL },
		{ .name = "entry_num max + 1", .cmds = { o->space(1) },
		  .n = 1, .tail = -1,
		  .num = VCMDQ_INVALIDATE_MAX_ENTRIES + 1, .err = EINVAL },
		{ .name = "NULL", .cmds = { o->space(1) }, .n = 1, .tail = -1,
		  .null = true, .err = EINVAL },
		{ .name = "DEFAULT type", .cmds = { o->space(1) }, .n = 1,
		  .tail = -1, .other_type = true, .err = EOPNOTSUPP },
		{ .name = "flags", .cmds = { o->space(1) }, .n = 1,
		  .tail = -1, .flags = 1, .err = EOPNOTSUPP },
		{ .name = "unknown vIOMMU", .cmds = { o->space(1) }, .n = 1,
		  .tail = -1, .bad_viommu = true, .err = ENOENT },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct rcase *rc = &cases[i];
		struct rresult r[2];
		enum path p;

		for (p = VIA_IOCTL; p <= VIA_URING; p++)
			run_rcase(_metadata, c, rc, p, &r[p]);
		for (p = VIA_IOCTL; p <= VIA_URING; p++) {
			if (r[p].rc != -rc->err || r[p].done != rc->done ||
			    r[p].model != (GEN_ALL & ~rc->gone) ||
			    r[p].stored != rc->stored ||
			    r[p].untouched == rc->stored)
				TH_LOG("%s via %s: returned %d, entry_num %u, model 0x%llx, stored %d; want %d, %u, 0x%llx, %d",
				       rc->name, path_name[p], r[p].rc,
				       r[p].done,
				       (unsigned long long)r[p].model,
				       r[p].stored, -rc->err, rc->done,
				       (unsigned long long)(GEN_ALL & ~rc->gone),
				       rc->stored);
			EXPECT_EQ(-rc->err, r[p].rc);
			EXPECT_EQ(rc->done, r[p].done);
			EXPECT_EQ(GEN_ALL & ~rc->gone, r[p].model);
			EXPECT_EQ(rc->stored, r[p].stored);
			EXPECT_NE(rc->stored, r[p].untouched);
		}
		EXPECT_EQ(r[VIA_IOCTL].rc, r[VIA_URING].rc);
		EXPECT_EQ(r[VIA_IOCTL].done, r[VIA_URING].done);
		EXPECT_EQ(r[VIA_IOCTL].model, r[VIA_URING].model);
		EXPECT_EQ(r[VIA_IOCTL].stored, r[VIA_URING].stored);
	}

	/*
	 * A request the kernel cannot write entry_num back to (the argument
	 * is a bad pointer for the output): EFAULT either way, whether the
	 * batch succeeded or failed, since the caller cannot learn what ran
	 * otherwise (upstream's iommufd_hwpt_invalidate() does the same).
	 * Both ways leave the same model.
	 */
	for (i = 0; i < 2; i++) {
		const struct rcase ro = {
			.name = "read-only request",
			.cmds = { o->space(1), i ? o->illegal() : o->sync() },
			.n = 2, .tail = -1, .ro_req = true,
		};
		struct rresult r[2];

		run_rcase(_metadata, c, &ro, VIA_IOCTL, &r[VIA_IOCTL]);
		run_rcase(_metadata, c, &ro, VIA_URING, &r[VIA_URING]);
		if (r[VIA_IOCTL].rc != -EFAULT || r[VIA_URING].rc != -EFAULT)
			TH_LOG("read-only request, %s batch: ioctl %d, io_uring %d; want %d",
			       i ? "failing" : "good", r[VIA_IOCTL].rc,
			       r[VIA_URING].rc, -EFAULT);
		EXPECT_EQ(-EFAULT, r[VIA_IOCTL].rc);
		EXPECT_EQ(-EFAULT, r[VIA_URING].rc);
		EXPECT_EQ(r[VIA_IOCTL].rc, r[VIA_URING].rc);
		EXPECT_EQ(r[VIA_IOCTL].model, r[VIA_URING].model);
	}
}

/*
 * What only io_uring can get wrong: the command op, the payload's
 * __reserved, the request pointer and its size.  None of them runs
 * anything.
 */
TEST_F(inv, uring_errors)
{
	static const __u32 cmd_ops[] = {
		0, VCMDQ_GET_INFO, VCMDQ_TEST, VCMDQ_DESTROY,
		VCMDQ_INVALIDATE + 1, _IO(VCMDQ_TYPE, 0x80 + 0xd),
		UINT32_MAX,
	};
	static const __u64 reserved[] = { 1, 1ULL << 63, UINT64_MAX };
	struct ctx *c = &self->c;
	struct {
		struct vcmdq_invalidate req;
		__u64 extra;
	} big;
	struct vcmdq_invalidate *req = &big.req;
	__u8 buf[16], *none;
	unsigned int i;
	int res;

	REQUIRE_URING(c);
	world_create(_metadata, c, 0, 0, c->fd);
	model_fill(_metadata, c->vm, &gen_model);
	inv_pack(buf, (struct inv_cmd[]){ c->ops->space(1) }, 1, 16, 16);
	memset(&big, 0, sizeof(big));
	*req = (struct vcmdq_invalidate){
		.size = sizeof(*req),
		.viommu_id = c->vm[0].viommu_id,
		.data_type = c->type,
		.entry_len = 16,
		.entry_num = 1,
		.data_uptr = (uintptr_t)buf,
	};

	for (i = 0; i < ARRAY_SIZE(cmd_ops); i++) {
		ASSERT_EQ(0, uring_submit_one(&c->ring, self->fd, req,
					      cmd_ops[i], 0, 0, &res));
		EXPECT_EQ(-EOPNOTSUPP, res)
			TH_LOG("cmd_op 0x%x", cmd_ops[i]);
		EXPECT_EQ(1, req->entry_num);
	}
	for (i = 0; i < ARRAY_SIZE(reserved); i++) {
		ASSERT_EQ(0, uring_submit_one(&c->ring, self->fd, req,
					      VCMDQ_INVALIDATE, reserved[i], 0,
					      &res));
		EXPECT_EQ(-EOPNOTSUPP, res);
		EXPECT_EQ(1, req->entry_num);
	}

	/* The request pointer. */
	ASSERT_EQ(0, uring_submit_one(&c->ring, self->fd, NULL,
				      VCMDQ_INVALIDATE, 0, 0, &res));
	EXPECT_EQ(-EFAULT, res);
	none = mmap(NULL, PAGE_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	ASSERT_NE(MAP_FAILED, none);
	ASSERT_EQ(0, uring_submit_one(&c->ring, self->fd, none,
				      VCMDQ_INVALIDATE, 0, 0, &res));
	EXPECT_EQ(-EFAULT, res);
	munmap(none, PAGE_SIZE);

	/* Its size, as the ioctl checks it. */
	req->size = offsetofend(struct vcmdq_invalidate, data_uptr) - 1;
	ASSERT_EQ(0, uring_submit_one(&c->ring, self->fd, req,
				      VCMDQ_INVALIDATE, 0, 0, &res));
	EXPECT_EQ(-EINVAL, res);
	req->size = 0;
	ASSERT_EQ(0, uring_submit_one(&c->ring, self->fd, req,
				      VCMDQ_INVALIDATE, 0, 0, &res));
	EXPECT_EQ(-EINVAL, res);
	req->size = sizeof(big);
	big.extra = 1ULL << 40;
	ASSERT_EQ(0, uring_submit_one(&c->ring, self->fd, req,
				      VCMDQ_INVALIDATE, 0, 0, &res));
	EXPECT_EQ(-E2BIG, res);
	EXPECT_EQ(1, req->entry_num);
	model_expect(_metadata, c->vm, &gen_model, GEN_ALL, "uring errors");

	/* A zero tail is fine, and the request runs. */
	big.extra = 0;
	req->entry_num = 1;
	ASSERT_EQ(0, uring_submit_one(&c->ring, self->fd, req,
				      VCMDQ_INVALIDATE, 0, 0, &res));
	EXPECT_EQ(0, res);
	EXPECT_EQ(1, req->entry_num);
	model_expect(_metadata, c->vm, &gen_model, GEN_ALL & ~GEN(1),
		     "uring zero tail");
	world_destroy(_metadata, c);
}

/*
 * Many batches in one submission (queue depth > 1), some of them failing,
 * half of them forced to io_uring's workers so they run concurrently: each
 * completes with its own result and the model shows all of them.
 */
TEST_F(inv, uring_depth)
{
	enum { N = 48 };
	struct ctx *c = &self->c;
	struct vcmdq_invalidate reqs[N];
	__u8 bufs[N][32];
	bool seen[N] = {};
	__u64 want = (1ULL << N) - 1;
	unsigned int i;
	int ret;

	REQUIRE_URING(c);
	const struct ops *o = c->ops;

	/* One leaf page in each of guest address spaces 1..N. */
	world_create(_metadata, c, 0, 0, c->fd);
	for (i = 0; i < N; i++)
		test_cmd_iotlb_add(c->inst.id, c->vm[0].tag, i + 1, 0, 0x10000,
				   0x10fff, true);

	for (i = 0; i < N; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&c->ring);
		struct inv_cmd cmds[2];

		ASSERT_NE(NULL, sqe);
		switch (i % 4) {
		case 0:		/* one entry */
			cmds[0] = o->space(i + 1);
			cmds[1] = o->sync();
			break;
		case 1:		/* runs, then an illegal entry */
			cmds[0] = o->space(i + 1);
			cmds[1] = o->illegal();
			break;
		case 2:		/* an illegal entry first: nothing runs */
			cmds[0] = o->illegal();
			cmds[1] = o->space(i + 1);
			want &= ~(1ULL << i);
			break;
		default:	/* a sync, then the entry */
			cmds[0] = o->sync();
			cmds[1] = o->space(i + 1);
			break;
		}
		inv_pack(bufs[i], cmds, 2, 16, 16);
		reqs[i] = (struct vcmdq_invalidate){
			.size = sizeof(reqs[i]),
			.viommu_id = c->vm[0].viommu_id,
			.data_type = c->type,
			.entry_len = 16,
			.entry_num = 2,
			.data_uptr = (uintptr_t)bufs[i],
		};
		uring_prep_invalidate(sqe, self->fd, &reqs[i], VCMDQ_INVALIDATE,
				      0, i);
		if (i & 1)
			sqe->flags |= IOSQE_ASYNC;
	}
	ret = io_uring_submit(&c->ring);
	ASSERT_EQ(N, ret);
	for (i = 0; i < N; i++) {
		struct io_uring_cqe *cqe;
		__u64 k;

		ASSERT_EQ(0, io_uring_wait_cqe(&c->ring, &cqe));
		k = cqe->user_data;
		ASSERT_GT(N, k);
		EXPECT_FALSE(seen[k]);
		seen[k] = true;
		switch (k % 4) {
		case 0:
		case 3:
			EXPECT_EQ(0, cqe->res);
			EXPECT_EQ(2, reqs[k].entry_num);
			break;
		case 1:
			EXPECT_EQ(-EIO, cqe->res);
			EXPECT_EQ(1, reqs[k].entry_num);
			break;
		case 2:
			EXPECT_EQ(-EIO, cqe->res);
			EXPECT_EQ(0, reqs[k].entry_num);
			break;
		}
		io_uring_cqe_seen(&c->ring, cqe);
	}
	{
		__u64 got = 0;

		for (i = 0; i < N; i++)
			if (_iotlb_count(self->fd, c->inst.id, 0, c->vm[0].tag,
					 i + 1, 0, 0x10000, 0x10fff) == 1)
				got |= 1ULL << i;
		/* What is left is exactly the batches that ran nothing. */
		EXPECT_EQ(~want & ((1ULL << N) - 1), got);
		EXPECT_EQ(N / 4, iotlb_count_tag(self->fd, c->inst.id,
						 c->vm[0].tag));
	}
	world_destroy(_metadata, c);
}

/* A ring of 128-byte SQEs carries the same 16-byte payload. */
TEST_F(inv, uring_sqe128)
{
	struct ctx *c = &self->c;
	struct vcmdq_invalidate req;
	struct io_uring ring;
	__u8 buf[2 * 16];
	int ret, res;

	REQUIRE(c);
	ret = io_uring_queue_init(8, &ring, IORING_SETUP_SQE128);
	if (ret)
		SKIP(return, "io_uring_queue_init(IORING_SETUP_SQE128): %s",
		     strerror(-ret));
	world_create(_metadata, c, 0, 0, c->fd);
	model_fill(_metadata, c->vm, &gen_model);
	inv_pack(buf, (struct inv_cmd[]){ c->ops->space(1), c->ops->illegal() },
		 2, 16, 16);
	req = (struct vcmdq_invalidate){
		.size = sizeof(req),
		.viommu_id = c->vm[0].viommu_id,
		.data_type = c->type,
		.entry_len = 16,
		.entry_num = 2,
		.data_uptr = (uintptr_t)buf,
	};
	ASSERT_EQ(0, uring_submit_one(&ring, self->fd, &req, VCMDQ_INVALIDATE,
				      0, 0, &res));
	EXPECT_EQ(-EIO, res);
	EXPECT_EQ(1, req.entry_num);
	inv_pack(buf, (struct inv_cmd[]){ c->ops->space(2) }, 1, 16, 16);
	req.entry_num = 1;
	ASSERT_EQ(0, uring_submit_one(&ring, self->fd, &req, VCMDQ_INVALIDATE,
				      0, IOSQE_ASYNC, &res));
	EXPECT_EQ(0, res);
	EXPECT_EQ(1, req.entry_num);
	ASSERT_EQ(0, uring_submit_one(&ring, self->fd, &req, VCMDQ_GET_INFO, 0,
				      0, &res));
	EXPECT_EQ(-EOPNOTSUPP, res);
	model_expect(_metadata, c->vm, &gen_model,
		     GEN_ALL & ~(GEN(1) | GEN(2)), "SQE128");
	world_destroy(_metadata, c);
	io_uring_queue_exit(&ring);
}

/*
 * Memory the kernel cannot touch without faulting: io_uring's first,
 * non-blocking attempt gives up (-EAGAIN inside) and its worker runs the
 * request again, possibly after some of it ran.  The result is the same.
 */
static void *private_file_page(struct __test_metadata *_metadata,
			       const void *data, size_t len)
{
	int fd = memfd_create("vcmdq-inv", MFD_CLOEXEC);
	void *p;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, PAGE_SIZE));
	ASSERT_EQ(len, pwrite(fd, data, len, 0));
	/* Private: a read maps the page cache read-only, a write copies. */
	p = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	close(fd);
	ASSERT_NE(MAP_FAILED, p);
	return p;
}

TEST_F(inv, uring_nonblock)
{
	struct ctx *c = &self->c;
	__u8 entries[3 * 16], bad[2 * 16];
	struct vcmdq_invalidate *req, tmpl;
	unsigned int how;
	int res;

	REQUIRE_URING(c);
	const struct ops *o = c->ops;
	const unsigned int sz = o->store_size;
	const __u64 val = STORE_VAL & (sz == 8 ? ~0ULL : 0xffffffffULL);
	const struct inv_cmd store_batch[] = {
		o->space(1), o->store(GPA_RW + 0x40, val), o->space(2),
	};
	const struct inv_cmd bad_batch[] = { o->space(3), o->illegal() };

	inv_pack(entries, store_batch, 3, 16, 16);
	inv_pack(bad, bad_batch, 2, 16, 16);
	/*
	 * 0: entries in a page not yet faulted in; 1: the request too;
	 * 2: the request mapped read-only (read fault only), so the first
	 * attempt runs the batch and then faults writing entry_num back;
	 * 3: forced to a worker (IOSQE_ASYNC).
	 */
	for (how = 0; how < 4; how++) {
		void *data = entries;
		__u8 flags = how == 3 ? IOSQE_ASYNC : 0;
		volatile __u32 sink;

		world_create(_metadata, c, 0, 0, c->fd);
		model_fill(_metadata, c->vm, &gen_model);
		if (how == 0)
			data = private_file_page(_metadata, entries,
						 sizeof(entries));
		tmpl = (struct vcmdq_invalidate){
			.size = sizeof(tmpl),
			.viommu_id = c->vm[0].viommu_id,
			.data_type = c->type,
			.entry_len = 16,
			.entry_num = 3,
			.data_uptr = (uintptr_t)data,
		};
		req = how == 1 || how == 2 ?
			      private_file_page(_metadata, &tmpl, sizeof(tmpl)) :
			      &tmpl;
		if (how == 2)
			sink = req->size;
		(void)sink;
		ASSERT_EQ(0, uring_submit_one(&c->ring, self->fd, req,
					      VCMDQ_INVALIDATE, 0, flags, &res));
		EXPECT_EQ(0, res)
			TH_LOG("case %u", how);
		EXPECT_EQ(3, req->entry_num);
		EXPECT_TRUE(mem_holds(&c->vm[0], 0, 0x40, val, sz));
		model_expect(_metadata, c->vm, &gen_model,
			     GEN_ALL & ~(GEN(1) | GEN(2)), "nonblock store");

		/* A failing batch: the same errno and count. */
		tmpl.data_uptr = (uintptr_t)bad;
		tmpl.entry_num = 2;
		if (req != &tmpl) {
			munmap(req, PAGE_SIZE);
			req = private_file_page(_metadata, &tmpl, sizeof(tmpl));
			if (how == 2)
				sink = req->size;
		}
		ASSERT_EQ(0, uring_submit_one(&c->ring, self->fd, req,
					      VCMDQ_INVALIDATE, 0, flags, &res));
		EXPECT_EQ(-EIO, res)
			TH_LOG("case %u", how);
		EXPECT_EQ(1, req->entry_num);
		model_expect(_metadata, c->vm, &gen_model,
			     GEN_ALL & ~(GEN(1) | GEN(2) | GEN(3)),
			     "nonblock failing");
		if (req != &tmpl)
			munmap(req, PAGE_SIZE);
		if (data != entries)
			munmap(data, PAGE_SIZE);
		world_destroy(_metadata, c);
	}
}

/*
 * ---------------------------------------------------------------------------
 * FIXTURE(smmu): SMMUv3 commands, on the SMMUv3-type instance with the most
 * devices.
 * ---------------------------------------------------------------------------
 */
CTX_FIXTURE(smmu, VCMDQ_DATA_SMMUV3)

/*
 * The TLBI model: ASIDs 1 and 2 of the VM under test, ASIDs 1 and 2 of
 * another VM; leaf pages and a non-leaf (walk cache) entry.
 */
static const struct tlbe smmu_tlb[] = {
	/* 0 */ { .vm = 0, .asid = 1, .start = 0x10000, .last = 0x10fff, .leaf = true },
	/* 1 */ { .vm = 0, .asid = 1, .start = 0x11000, .last = 0x11fff, .leaf = true },
	/* 2 */ { .vm = 0, .asid = 1, .start = 0x12000, .last = 0x12fff, .leaf = false },
	/* 3 */ { .vm = 0, .asid = 1, .start = 0x40000, .last = 0x40fff, .leaf = true },
	/* 4 */ { .vm = 0, .asid = 2, .start = 0x10000, .last = 0x10fff, .leaf = true },
	/* 5 */ { .vm = 0, .asid = 2, .start = 0x12000, .last = 0x12fff, .leaf = false },
	/* 6 */ { .vm = 1, .asid = 1, .start = 0x10000, .last = 0x10fff, .leaf = true },
	/* 7 */ { .vm = 1, .asid = 1, .start = 0x12000, .last = 0x12fff, .leaf = false },
	/* 8 */ { .vm = 1, .asid = 2, .start = 0x10000, .last = 0x10fff, .leaf = true },
};
static const struct model smmu_model = { smmu_tlb, ARRAY_SIZE(smmu_tlb), NULL, 0 };
#define SMMU_VM0	(T(6) - 1)
#define SMMU_ASID1	(T(0) | T(1) | T(2) | T(3))

TEST_F(smmu, tlb_inv)
{
	const struct icase cases[] = {
		{ "NH_ASID 1", smmu_nh_asid(0, 1), 0, SMMU_ASID1 },
		{ "NH_ASID 2", smmu_nh_asid(0, 2), 0, T(4) | T(5) },
		{ "NH_ASID 3", smmu_nh_asid(0, 3), 0, 0 },
		{ "NH_ASID 0xffff", smmu_nh_asid(0, 0xffff), 0, 0 },
		{ "NH_VA one page", smmu_nh_va(0, 1, 0x10000, false), 0, T(0) },
		{ "NH_VA Leaf, leaf page", smmu_nh_va(0, 1, 0x11000, true), 0, T(1) },
		{ "NH_VA Leaf keeps walk caches",
		  smmu_nh_va(0, 1, 0x12000, true), 0, 0 },
		{ "NH_VA non-leaf", smmu_nh_va(0, 1, 0x12000, false), 0, T(2) },
		{ "NH_VA nothing there", smmu_nh_va(0, 1, 0x13000, false), 0, 0 },
		{ "NH_VA TG=0 ignores NUM, SCALE and TTL",
		  smmu_tlbi(SMMU_TLBI_NH_VA, 0, 1, 31, 9, 0, 3, 0, 0x10000), 0, T(0) },
		{ "NH_VA 4K x3", smmu_nh_va_range(0, 1, 0x10000, 1, 2, 0, false),
		  0, T(0) | T(1) | T(2) },
		{ "NH_VA 4K x3 Leaf",
		  smmu_nh_va_range(0, 1, 0x10000, 1, 2, 0, true), 0,
		  T(0) | T(1) },
		{ "NH_VA 4K x2 from 0x11000",
		  smmu_nh_va_range(0, 1, 0x11000, 1, 1, 0, false), 0,
		  T(1) | T(2) },
		{ "NH_VA 512K (SCALE 6, NUM 1)",
		  smmu_nh_va_range(0, 1, 0, 1, 1, 6, false), 0, SMMU_ASID1 },
		{ "NH_VA 256K (SCALE 6) misses 0x40000",
		  smmu_nh_va_range(0, 1, 0, 1, 0, 6, false), 0,
		  T(0) | T(1) | T(2) },
		{ "NH_VA 16K granule",
		  smmu_nh_va_range(0, 1, 0x10000, 2, 0, 0, false), 0,
		  T(0) | T(1) | T(2) },
		{ "NH_VA 64K granule Leaf",
		  smmu_nh_va_range(0, 1, 0x10000, 3, 0, 0, true), 0,
		  T(0) | T(1) },
		{ "NH_VA 16K granule, VA not aligned",
		  smmu_nh_va_range(0, 1, 0x11000, 2, 0, 0, false), EIO, 0 },
		{ "NH_VA other ASID", smmu_nh_va(0, 2, 0x10000, false), 0, T(4) },
		{ "NH_VAA one page", smmu_nh_vaa(0, 0x10000, 0, 0, 0, false), 0,
		  T(0) | T(4) },
		{ "NH_VAA Leaf keeps walk caches",
		  smmu_nh_vaa(0, 0x12000, 0, 0, 0, true), 0, 0 },
		{ "NH_VAA non-leaf", smmu_nh_vaa(0, 0x12000, 0, 0, 0, false), 0,
		  T(2) | T(5) },
		{ "NH_VAA 4K x3 Leaf", smmu_nh_vaa(0, 0x10000, 1, 2, 0, true), 0,
		  T(0) | T(1) | T(4) },
		{ "NH_ALL", smmu_nh_all(0), 0, SMMU_VM0 },
		{ "NSNH_ALL", smmu_nsnh_all(), 0, SMMU_VM0 },
	};

	REQUIRE(&self->c);
	run_cases(_metadata, &self->c, &smmu_model, cases, ARRAY_SIZE(cases),
		  0);
}

/*
 * Several TLBIs in one batch.  The slow path executes a run of touching
 * ranges of one address space as one invalidation; what goes must still be
 * exactly what the commands remove one by one: nothing in a gap, nothing
 * of another ASID, no walk cache entry for a Leaf command, and on an
 * illegal command everything before it and nothing after.
 */
TEST_F(smmu, tlb_runs)
{
	const struct {
		const char *name;
		struct inv_cmd cmds[4];
		unsigned int n, done;
		int err;
		__u64 gone;
	} cases[] = {
		{ "two touching pages",
		  { smmu_nh_va(0, 1, 0x10000, false),
		    smmu_nh_va(0, 1, 0x11000, false) }, 2, 2, 0, T(0) | T(1) },
		{ "descending pages",
		  { smmu_nh_va(0, 1, 0x12000, false),
		    smmu_nh_va(0, 1, 0x11000, false),
		    smmu_nh_va(0, 1, 0x10000, false) }, 3, 3, 0,
		  T(0) | T(1) | T(2) },
		{ "a gap keeps the page in it",
		  { smmu_nh_va(0, 1, 0x10000, false),
		    smmu_nh_va(0, 1, 0x12000, false) }, 2, 2, 0, T(0) | T(2) },
		{ "Leaf run keeps the walk cache entry it touches",
		  { smmu_nh_va(0, 1, 0x11000, true),
		    smmu_nh_va(0, 1, 0x12000, true),
		    smmu_nh_va(0, 1, 0x10000, false) }, 3, 3, 0, T(0) | T(1) },
		{ "another ASID between",
		  { smmu_nh_va(0, 1, 0x10000, false),
		    smmu_nh_va(0, 2, 0x11000, false),
		    smmu_nh_va(0, 1, 0x11000, false) }, 3, 3, 0, T(0) | T(1) },
		{ "no run across ASIDs",
		  { smmu_nh_va(0, 1, 0x11000, false),
		    smmu_nh_va(0, 2, 0x12000, false) }, 2, 2, 0, T(1) | T(5) },
		{ "NH_VAA run, every ASID",
		  { smmu_nh_vaa(0, 0x10000, 0, 0, 0, false),
		    smmu_nh_vaa(0, 0x11000, 0, 0, 0, false) }, 2, 2, 0,
		  T(0) | T(1) | T(4) },
		{ "run then CMD_SYNC",
		  { smmu_nh_va(0, 1, 0x10000, false),
		    smmu_nh_va(0, 1, 0x11000, false),
		    smmu_sync(SMMU_SYNC_CS_NONE, 0, 0) }, 3, 3, 0,
		  T(0) | T(1) },
		{ "run ended by an illegal command",
		  { smmu_nh_va(0, 1, 0x10000, false),
		    smmu_nh_va(0, 1, 0x11000, false), smmu_illegal(),
		    smmu_nh_va(0, 1, 0x12000, false) }, 4, 2, EIO,
		  T(0) | T(1) },
	};
	struct ctx *c = &self->c;
	unsigned int i;

	REQUIRE(c);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		__u32 done;
		int rc;

		world_create(_metadata, c, 0, 0, c->fd);
		model_fill(_metadata, c->vm, &smmu_model);
		rc = vm_inv(&c->vm[0], c->type, cases[i].cmds, cases[i].n,
			    &done);
		EXPECT_EQ(-cases[i].err, rc)
			TH_LOG("%s", cases[i].name);
		EXPECT_EQ(cases[i].done, done)
			TH_LOG("%s", cases[i].name);
		model_expect(_metadata, c->vm, &smmu_model,
			     model_all(&smmu_model) & ~cases[i].gone,
			     cases[i].name);
		world_destroy(_metadata, c);
	}
}

/*
 * The indexed model against a brute-force reference: random entries of two
 * VMs (3 ASIDs, 3 PASIDs, 1-4 pages in a 128 KiB window, leaf or not),
 * random counts (every combination of ANY_ASID, ANY_PASID, LEAF), then
 * random batches of page and range TLBIs (NH_VA, NH_VAA, NH_ASID, Leaf or
 * not) with the model compared after each.  Deterministic: a fixed seed.
 */
struct rnd_entry {
	unsigned int vm, asid, pasid;
	__u64 start, last;
	bool leaf, gone;
};

static __u32 rnd_next(__u64 *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x >> 11;
}

static long rnd_ref_count(const struct rnd_entry *e, unsigned int n,
			  unsigned int vm, __u32 flags, unsigned int asid,
			  unsigned int pasid, __u64 start, __u64 last)
{
	long k = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		k += !e[i].gone && e[i].vm == vm &&
		     ((flags & VCMDQ_TEST_ANY_ASID) || e[i].asid == asid) &&
		     ((flags & VCMDQ_TEST_ANY_PASID) || e[i].pasid == pasid) &&
		     (!(flags & VCMDQ_TEST_LEAF) || e[i].leaf) &&
		     e[i].start <= last && start <= e[i].last;
	return k;
}

TEST_F(smmu, model_random)
{
	enum { NR = 200, WINDOW = 32 };
	struct rnd_entry e[NR];
	struct ctx *c = &self->c;
	__u64 x = 0x9e3779b97f4a7c15ULL;
	unsigned int i, j, round;

	REQUIRE(c);
	world_create(_metadata, c, 0, 0, c->fd);
	for (i = 0; i < NR; i++) {
		e[i] = (struct rnd_entry){
			.vm = rnd_next(&x) % 2, .asid = 1 + rnd_next(&x) % 3,
			.pasid = rnd_next(&x) % 3, .leaf = rnd_next(&x) % 2,
		};
		e[i].start = 0x10000 + (__u64)(rnd_next(&x) % WINDOW) * 4096;
		e[i].last = e[i].start + (1 + rnd_next(&x) % 4) * 4096 - 1;
		ASSERT_EQ(0, _test_cmd_iotlb_add(c->vm[0].fd, c->vm[0].inst,
						 c->vm[e[i].vm].tag, e[i].asid,
						 e[i].pasid, e[i].start,
						 e[i].last, e[i].leaf));
	}
	for (round = 0; round < 40; round++) {
		/* Counts: the same searches removals make. */
		for (j = 0; j < 25; j++) {
			unsigned int vm = rnd_next(&x) % 2;
			__u32 flags = rnd_next(&x) % 8 &
				      (VCMDQ_TEST_LEAF | VCMDQ_TEST_ANY_ASID |
				       VCMDQ_TEST_ANY_PASID);
			unsigned int asid = 1 + rnd_next(&x) % 3;
			unsigned int pasid = rnd_next(&x) % 3;
			__u64 start = 0x10000 +
				      (__u64)(rnd_next(&x) % WINDOW) * 4096;
			__u64 last = start + (__u64)(rnd_next(&x) % 8) * 4096 +
				     4095;

			if (!(rnd_next(&x) % 8)) {
				start = 0;
				last = UINT64_MAX;
			}
			ASSERT_EQ(rnd_ref_count(e, NR, vm, flags, asid, pasid,
						start, last),
				  _iotlb_count(c->vm[0].fd, c->vm[0].inst,
					       flags, c->vm[vm].tag, asid,
					       pasid, start, last))
				TH_LOG("round %u: vm %u flags %#x asid %u pasid %u [%#llx, %#llx]",
				       round, vm, flags, asid, pasid,
				       (unsigned long long)start,
				       (unsigned long long)last);
		}
		/* A batch of 1-6 TLBIs from VM 0, then the reference. */
		{
			struct inv_cmd cmds[6];
			unsigned int n = 1 + rnd_next(&x) % 6, k;
			__u32 done;

			for (k = 0; k < n; k++) {
				unsigned int kind = rnd_next(&x) % 8;
				unsigned int asid = 1 + rnd_next(&x) % 3;
				unsigned int num = rnd_next(&x) % 4;
				bool leaf = rnd_next(&x) % 2;
				/* Often the page after the last: runs. */
				__u64 va = 0x10000 + (__u64)(rnd_next(&x) %
							     WINDOW) * 4096;
				__u64 size = 4096;

				if (kind == 0) {
					cmds[k] = smmu_nh_asid(0, asid);
					va = 0;
					size = 0;
				} else if (kind == 1) {
					cmds[k] = smmu_nh_vaa(0, va, 0, 0, 0,
							      leaf);
					asid = 0;
				} else if (kind == 2) {
					cmds[k] = smmu_nh_va_range(0, asid, va,
								   1, num, 0,
								   leaf);
					size = (num + 1) * 4096;
				} else {
					cmds[k] = smmu_nh_va(0, asid, va, leaf);
				}
				if (kind == 0)
					leaf = false;
				for (i = 0; i < NR; i++)
					if (e[i].vm == 0 &&
					    (kind == 1 || e[i].asid == asid) &&
					    (!leaf || e[i].leaf) &&
					    (!size || (e[i].start <= va + size - 1 &&
						       va <= e[i].last)))
						e[i].gone = true;
			}
			ASSERT_EQ(0, vm_inv(&c->vm[0], c->type, cmds, n, &done));
			ASSERT_EQ(n, done);
		}
	}
	world_destroy(_metadata, c);
}

/*
 * The VMID a guest writes is ignored: the vIOMMU's tag is used, so naming
 * the other VM's tag (or anything) reaches only this VM's entries.
 */
TEST_F(smmu, vmid_ignored)
{
	const struct icase cases[] = {
		{ "NH_ASID, VMID of the other VM", smmu_nh_asid(0, 1), 0,
		  SMMU_ASID1, .vmid_other = true },
		{ "NH_ALL, VMID of the other VM", smmu_nh_all(0), 0, SMMU_VM0,
		  .vmid_other = true },
		{ "NH_VA, VMID of the other VM",
		  smmu_nh_va(0, 1, 0x10000, false), 0, T(0),
		  .vmid_other = true },
		{ "NH_VAA, VMID of the other VM",
		  smmu_nh_vaa(0, 0x10000, 0, 0, 0, false), 0, T(0) | T(4),
		  .vmid_other = true },
		{ "NH_ASID, VMID 0xffff", smmu_nh_asid(0xffff, 2), 0,
		  T(4) | T(5) },
		{ "NH_ALL, VMID 0xffff", smmu_nh_all(0xffff), 0, SMMU_VM0 },
	};

	REQUIRE(&self->c);
	run_cases(_metadata, &self->c, &smmu_model, cases, ARRAY_SIZE(cases),
		  0);
}

/* Opcodes a guest may not send, as upstream's vSMMU refuses them: EIO. */
TEST_F(smmu, refused)
{
	static const struct refused_cmd refused[] = {
		{ "opcode 0x00", 0, 0 },
		{ "PREFETCH_CFG SSec", SMMU_PREFETCH_CFG | 1 << 10, 0 },
		{ "PREFETCH_CFG cmd[1]", SMMU_PREFETCH_CFG, 0x10000 },
		{ "PREFETCH_ADDR", SMMU_PREFETCH_ADDR | 0x100ULL << 32, 0x10000 },
		{ "CFGI_STE SSec", SMMU_CFGI_STE | 1 << 10, 0 },
		{ "CFGI_STE cmd[1] bit 1", SMMU_CFGI_STE, 2 },
		{ "CFGI_ALL cmd[1] bit 5", SMMU_CFGI_ALL, 31 | 1 << 5 },
		{ "TLBI_EL3_ALL", SMMU_TLBI_EL3_ALL, 0 },
		{ "TLBI_EL3_VA", SMMU_TLBI_EL3_VA, 0x10000 },
		{ "TLBI_EL2_ALL", SMMU_TLBI_EL2_ALL, 0 },
		{ "TLBI_EL2_ASID", SMMU_TLBI_EL2_ASID | 1ULL << 48, 0 },
		{ "TLBI_EL2_VA", SMMU_TLBI_EL2_VA | 1ULL << 48, 0x10000 },
		{ "TLBI_EL2_VAA", SMMU_TLBI_EL2_VAA, 0x10000 },
		{ "TLBI_S12_VMALL", SMMU_TLBI_S12_VMALL | 1ULL << 32, 0 },
		{ "TLBI_S2_IPA", SMMU_TLBI_S2_IPA | 1ULL << 32, 0x10000 },
		{ "PRI_RESP", SMMU_PRI_RESP | 0x100ULL << 32, 0 },
		{ "RESUME", SMMU_RESUME | 0x100ULL << 32, 0 },
		{ "STALL_TERM", SMMU_STALL_TERM | 0x100ULL << 32, 0 },
		{ "opcode 0x47", 0x47, 0 },
		{ "opcode 0xff", 0xff, 0 },
	};

	REQUIRE(&self->c);
	expect_stopped(_metadata, &self->c, refused, ARRAY_SIZE(refused), EIO);
}

/* The STE is the VMM's: it re-attaches the device with the new vSTE. */
TEST_F(smmu, vmm_owned)
{
	static const struct refused_cmd vmm[] = {
		{ "CFGI_STE", SMMU_CFGI_STE | 0x100ULL << 32, 1 },
		{ "CFGI_STE of an unknown vSID",
		  SMMU_CFGI_STE | (__u64)VIRT_UNKNOWN << 32, 0 },
		{ "CFGI_ALL", SMMU_CFGI_ALL, 31 },
	};

	REQUIRE(&self->c);
	expect_stopped(_metadata, &self->c, vmm, ARRAY_SIZE(vmm), EREMOTE);
}

/* Accepted opcodes with a reserved bit or a bad value: EIO. */
TEST_F(smmu, reserved)
{
	const struct icase cases[] = {
		{ "NH_ASID with cmd[1] bit 0",
		  inv_raw(smmu_nh_asid(0, 1).q[0], 1), EIO, 0 },
		{ "NH_ASID with NUM", smmu_tlbi(SMMU_TLBI_NH_ASID, 0, 1, 1, 0, 0, 0, 0, 0),
		  EIO, 0 },
		{ "NH_ALL with an ASID", smmu_tlbi(SMMU_TLBI_NH_ALL, 0, 1, 0, 0, 0, 0, 0, 0),
		  EIO, 0 },
		{ "NSNH_ALL with a VMID", smmu_tlbi(SMMU_TLBI_NSNH_ALL, 1, 0, 0, 0, 0, 0, 0, 0),
		  EIO, 0 },
		{ "NH_VAA with an ASID", smmu_tlbi(SMMU_TLBI_NH_VAA, 0, 1, 0, 0, 0, 0, 0, 0x10000),
		  EIO, 0 },
		{ "NH_VA with cmd[0] bit 8",
		  inv_raw(smmu_nh_va(0, 1, 0x10000, false).q[0] | 1 << 8, 0x10000),
		  EIO, 0 },
		{ "NH_VA with SSV", inv_raw(smmu_nh_va(0, 1, 0x10000, false).q[0] | 1 << 11,
					    0x10000), EIO, 0 },
		{ "NH_VA with cmd[1] bit 5",
		  inv_raw(smmu_nh_va(0, 1, 0x10000, false).q[0], 0x10000 | 1 << 5),
		  EIO, 0 },
		{ "ATC_INV Size 53", smmu_atc(VIRT(0), false, 0, false, 53, 0), EIO, 0 },
		{ "ATC_INV with cmd[1] bit 6",
		  inv_raw(smmu_atc(VIRT(0), false, 0, false, 0, 0).q[0], 1 << 6), EIO, 0 },
		{ "CFGI_CD with SSec", inv_raw(smmu_cfgi_cd(VIRT(0), 0, false).q[0] | 1 << 10, 0),
		  EIO, 0 },
		{ "CFGI_CD_ALL with Leaf", inv_raw(smmu_cfgi_cd_all(VIRT(0)).q[0], 1), EIO, 0 },
		{ "CFGI_CD_ALL with an SSID",
		  inv_raw(smmu_cfgi_cd_all(VIRT(0)).q[0] | 5 << 12, 0), EIO, 0 },
		{ "CMD_SYNC CS=3", smmu_sync(3, 0, 0), EIO, 0 },
		{ "CMD_SYNC MSIADDR bit 0", smmu_sync(SMMU_SYNC_CS_IRQ, 1, GPA_RW + 1), EIO, 0 },
		{ "CMD_SYNC MSIADDR bit 1", smmu_sync(SMMU_SYNC_CS_IRQ, 1, GPA_RW + 2), EIO, 0 },
		{ "CMD_SYNC MSIADDR bit 52", smmu_sync(SMMU_SYNC_CS_IRQ, 1, 1ULL << 52), EIO, 0 },
	};

	REQUIRE(&self->c);
	run_cases(_metadata, &self->c, &smmu_model, cases, ARRAY_SIZE(cases),
		  0);
}

/* CMD_SYNC: only CS=SIG_IRQ with an MSIADDR stores, 4 bytes of MSIDATA. */
TEST_F(smmu, cmd_sync)
{
	struct ctx *c = &self->c;
	const struct {
		const char *name;
		unsigned int cs;
		__u64 addr;
		int err;
		int page;	/* page that holds the value, or -1 */
	} cases[] = {
		{ "CS=NONE", SMMU_SYNC_CS_NONE, GPA_RW + 0x40, 0, -1 },
		{ "CS=SEV", SMMU_SYNC_CS_SEV, GPA_RW + 0x40, 0, -1 },
		{ "CS=IRQ", SMMU_SYNC_CS_IRQ, GPA_RW + 0x40, 0, 0 },
		{ "CS=IRQ MSIADDR 0", SMMU_SYNC_CS_IRQ, 0, 0, -1 },
		{ "CS=IRQ read-only", SMMU_SYNC_CS_IRQ, GPA_RO + 0x40, EIO, -1 },
		{ "CS=IRQ not mapped", SMMU_SYNC_CS_IRQ, GPA_NONE, EIO, -1 },
		{ "CS=IRQ last word", SMMU_SYNC_CS_IRQ, GPA_RW + PAGE_SIZE - 4, 0, 0 },
	};
	unsigned int i;

	REQUIRE(c);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct inv_cmd cmds[] = {
			smmu_nh_asid(0, 1),
			smmu_sync(cases[i].cs, 0xdeadbeef, cases[i].addr),
			smmu_nh_asid(0, 2),
		};
		__u32 done;

		world_create(_metadata, c, 0, 0, c->fd);
		model_fill(_metadata, c->vm, &gen_model);
		EXPECT_EQ(-cases[i].err, vm_inv(&c->vm[0], c->type, cmds, 3,
						&done))
			TH_LOG("%s", cases[i].name);
		EXPECT_EQ(cases[i].err ? 1 : 3, done);
		if (cases[i].page < 0) {
			EXPECT_TRUE(mem_untouched(&c->vm[0], 0));
		} else {
			EXPECT_TRUE(mem_holds(&c->vm[0], 0,
					      (cases[i].addr - GPA_RW),
					      0xdeadbeef, 4))
				TH_LOG("%s", cases[i].name);
		}
		EXPECT_TRUE(mem_untouched(&c->vm[0], 1));
		model_expect(_metadata, c->vm, &gen_model,
			     GEN_ALL & ~(cases[i].err ? GEN(1) :
					 GEN(1) | GEN(2)), cases[i].name);
		world_destroy(_metadata, c);
	}
}

/* ATC entries of the VM's devices (0x100 and 0x200), and IOTLB entries. */
static const struct tlbe atc_tlb[] = {
	/* 0 */ { .vm = 0, .asid = 1, .start = 0x10000, .last = 0x10fff, .leaf = true },
	/* 1 */ { .vm = 1, .asid = 1, .start = 0x10000, .last = 0x10fff, .leaf = true },
};
static const struct atce atc_atc[] = {
	/* 0 */ { .vm = 0, .dev = 0, .ssid = 0, .start = 0x10000, .last = 0x10fff },
	/* 1 */ { .vm = 0, .dev = 0, .ssid = 5, .start = 0x10000, .last = 0x10fff },
	/* 2 */ { .vm = 0, .dev = 0, .ssid = 0, .start = 0x40000, .last = 0x40fff },
	/* 3 */ { .vm = 0, .dev = 0, .ssid = 5, .start = 0x80000, .last = 0x80fff },
	/* 4 */ { .vm = 0, .dev = 1, .ssid = 0, .start = 0x10000, .last = 0x10fff },
	/* 5 */ { .vm = 0, .dev = 1, .ssid = 0x1234, .start = 0x10000, .last = 0x10fff },
};
static const struct model atc_model = {
	atc_tlb, ARRAY_SIZE(atc_tlb), atc_atc, ARRAY_SIZE(atc_atc),
};

/* ATC_INV reaches the device through its vSID, nothing else. */
TEST_F(smmu, atc_inv)
{
	const struct icase cases[] = {
		{ "no SSV: every SSID", smmu_atc(VIRT(0), false, 0, false, 0, 0x10000),
		  0, A(0) | A(1), 1 },
		{ "no SSV ignores SSID", smmu_atc(VIRT(0), false, 5, false, 0, 0x10000),
		  0, A(0) | A(1), 1 },
		{ "SSV SSID 5", smmu_atc(VIRT(0), true, 5, false, 0, 0x10000), 0, A(1), 1 },
		{ "SSV SSID 0", smmu_atc(VIRT(0), true, 0, false, 0, 0x10000), 0, A(0), 1 },
		/* Global also reaches translations every SSID shares. */
		{ "SSV SSID 5 Global", smmu_atc(VIRT(0), true, 5, true, 0, 0x10000), 0,
		  A(0) | A(1), 1 },
		{ "SSV SSID 5 Global, 256K", smmu_atc(VIRT(0), true, 5, true, 6, 0x40000),
		  0, A(2), 1 },
		{ "Size 52: everything", smmu_atc(VIRT(0), false, 0, false, 52, 0), 0,
		  A(0) | A(1) | A(2) | A(3), 1 },
		{ "SSV Size 52", smmu_atc(VIRT(0), true, 5, false, 52, 0), 0,
		  A(1) | A(3), 1 },
		{ "Size 6 (256K)", smmu_atc(VIRT(0), false, 0, false, 6, 0x40000), 0,
		  A(2), 1 },
		{ "Size 7 (512K, aligned down)",
		  smmu_atc(VIRT(0), false, 0, false, 7, 0x40000), 0,
		  A(0) | A(1) | A(2), 1 },
		{ "Size 1 (8K, aligned down)",
		  smmu_atc(VIRT(0), false, 0, false, 1, 0x11000), 0, A(0) | A(1), 1 },
		{ "nothing there", smmu_atc(VIRT(0), false, 0, false, 0, 0x20000), 0,
		  0, 1 },
		{ "second device", smmu_atc(VIRT(1), false, 0, false, 52, 0), 0,
		  A(4) | A(5), 2 },
		{ "second device SSID 0x1234",
		  smmu_atc(VIRT(1), true, 0x1234, false, 0, 0x10000), 0, A(5), 2 },
		{ "unknown vSID", smmu_atc(VIRT_UNKNOWN, false, 0, false, 52, 0), EIO,
		  0, 0 },
		{ "vSID 0", smmu_atc(0, false, 0, false, 52, 0), EIO, 0, 0 },
	};
	struct ctx *c = &self->c;
	__u32 done;

	REQUIRE_DEVS(c, 1);
	run_cases(_metadata, c, &atc_model, cases, ARRAY_SIZE(cases), 2);

	/* The physical StreamID is no vSID: the guest never names it. */
	world_create(_metadata, c, 1, 0, c->fd);
	model_fill(_metadata, c->vm, &atc_model);
	if (c->vm[0].phys[0] != c->vm[0].virt[0]) {
		EXPECT_EQ(-EIO, vm_inv(&c->vm[0], c->type,
				       (struct inv_cmd[]){
					       smmu_atc(c->vm[0].phys[0], false,
							0, false, 52, 0) },
				       1, &done));
		EXPECT_EQ(0, done);
	}
	model_expect(_metadata, c->vm, &atc_model, model_all(&atc_model),
		     "physical SID");
	world_destroy(_metadata, c);
}

/*
 * Two VMs in two files use the same vSID for two different devices: each
 * VM's ATC_INV reaches its own device only.
 */
TEST_F(smmu, atc_vsid_per_vm)
{
	static const struct atce ents[] = {
		{ .vm = 0, .dev = 0, .ssid = 0, .start = 0x10000, .last = 0x10fff },
		{ .vm = 1, .dev = 0, .ssid = 0, .start = 0x10000, .last = 0x10fff },
	};
	const struct model m = { NULL, 0, ents, 2 };
	struct ctx *c = &self->c;
	__u32 done;

	REQUIRE_DEVS(c, 2);
	c->fd2 = vcmdq_open_dev();
	ASSERT_LE(0, c->fd2);
	world_create(_metadata, c, 1, 1, c->fd2);
	ASSERT_EQ(c->vm[0].virt[0], c->vm[1].virt[0]);
	ASSERT_NE(c->vm[0].phys[0], c->vm[1].phys[0]);
	model_fill(_metadata, c->vm, &m);
	EXPECT_EQ(0, vm_inv(&c->vm[1], c->type,
			    (struct inv_cmd[]){ smmu_atc(VIRT(0), false, 0,
							 false, 52, 0) },
			    1, &done));
	model_expect(_metadata, c->vm, &m, A(0), "B's vSID");
	EXPECT_EQ(0, vm_inv(&c->vm[0], c->type,
			    (struct inv_cmd[]){ smmu_atc(VIRT(0), false, 0,
							 false, 52, 0) },
			    1, &done));
	model_expect(_metadata, c->vm, &m, 0, "A's vSID");
	/* A vSID only the other VM has. */
	EXPECT_EQ(-EIO, vm_inv(&c->vm[0], c->type,
			       (struct inv_cmd[]){ smmu_atc(VIRT(1), false, 0,
							    false, 52, 0) },
			       1, &done));
	world_destroy(_metadata, c);
}

/* CFGI_CD(_ALL): need a known vSID; the model caches no CDs. */
TEST_F(smmu, cfgi)
{
	const struct icase cases[] = {
		/* No vDEVICE, nothing cached on the host: a no-op. */
		{ "CFGI_CD unknown vSID", smmu_cfgi_cd(VIRT_UNKNOWN, 0, true), 0, 0 },
		{ "CFGI_CD_ALL unknown vSID", smmu_cfgi_cd_all(VIRT_UNKNOWN), 0, 0 },
		/* A hint an SMMU may ignore: accepted, nothing to do. */
		{ "PREFETCH_CFG", inv_raw(SMMU_PREFETCH_CFG | (__u64)VIRT(0) << 32, 0),
		  0, 0 },
		{ "PREFETCH_CFG SSV, unknown vSID",
		  inv_raw(SMMU_PREFETCH_CFG | 1 << 11 | 5 << 12 |
			  (__u64)VIRT_UNKNOWN << 32, 0), 0, 0 },
		{ "CFGI_CD", smmu_cfgi_cd(VIRT(0), 0, true), 0, 0, 1 },
		{ "CFGI_CD SSID 0xfffff", smmu_cfgi_cd(VIRT(0), 0xfffff, false), 0, 0, 1 },
		{ "CFGI_CD_ALL", smmu_cfgi_cd_all(VIRT(0)), 0, 0, 1 },
	};
	struct ctx *c = &self->c;

	REQUIRE(c);
	if (!c->ndev)
		TH_LOG("no device behind instance %u: only unknown vSIDs tried (%s)",
		       c->inst.id, c->why);
	run_cases(_metadata, c, &atc_model, cases, ARRAY_SIZE(cases), 1);
}

/*
 * ---------------------------------------------------------------------------
 * FIXTURE(amd): AMD-Vi commands.
 * ---------------------------------------------------------------------------
 */
CTX_FIXTURE(amd, VCMDQ_DATA_AMD_VI)

/* DomainIDs 1 and 2 (with PASID 7 translations) and the other VM's. */
static const struct tlbe amd_tlb[] = {
	/* 0 */ { .vm = 0, .asid = 1, .pasid = 0, .start = 0x10000, .last = 0x10fff, .leaf = true },
	/* 1 */ { .vm = 0, .asid = 1, .pasid = 0, .start = 0x11000, .last = 0x11fff, .leaf = true },
	/* 2 */ { .vm = 0, .asid = 1, .pasid = 0, .start = 0x12000, .last = 0x12fff, .leaf = false },
	/* 3 */ { .vm = 0, .asid = 1, .pasid = 7, .start = 0x10000, .last = 0x10fff, .leaf = true },
	/* 4 */ { .vm = 0, .asid = 1, .pasid = 0, .start = 0x200000, .last = 0x200fff, .leaf = true },
	/* 5 */ { .vm = 0, .asid = 2, .pasid = 0, .start = 0x10000, .last = 0x10fff, .leaf = true },
	/* 6 */ { .vm = 1, .asid = 1, .pasid = 0, .start = 0x10000, .last = 0x10fff, .leaf = true },
	/* 7 */ { .vm = 1, .asid = 1, .pasid = 7, .start = 0x10000, .last = 0x10fff, .leaf = true },
};
static const struct model amd_model = { amd_tlb, ARRAY_SIZE(amd_tlb), NULL, 0 };
#define AMD_VM0		(T(6) - 1)
#define AMD_DOM1	(T(5) - 1)

TEST_F(amd, iommu_pages)
{
	const struct icase cases[] = {
		{ "one page, every PASID",
		  amd_inv_pages(1, 0, false, true, false, 0x10000), 0, T(0) | T(3) },
		{ "one page PDE=0", amd_inv_pages(1, 0, false, false, false, 0x10000),
		  0, T(0) | T(3) },
		{ "PDE=0 keeps directory entries",
		  amd_inv_pages(1, 0, false, false, false, 0x12000), 0, 0 },
		{ "PDE=1", amd_inv_pages(1, 0, false, true, false, 0x12000), 0, T(2) },
		{ "S=1 8K", amd_inv_pages(1, 0, false, true, true,
					  amd_s_addr(0x10000, 13)), 0,
		  T(0) | T(1) | T(3) },
		{ "S=1 16K", amd_inv_pages(1, 0, false, true, true,
					   amd_s_addr(0x10000, 14)), 0,
		  T(0) | T(1) | T(2) | T(3) },
		{ "S=1 16K PDE=0", amd_inv_pages(1, 0, false, false, true,
						 amd_s_addr(0x10000, 14)), 0,
		  T(0) | T(1) | T(3) },
		{ "S=1 2M", amd_inv_pages(1, 0, false, true, true,
					  amd_s_addr(0x200000, 21)), 0, T(4) },
		{ "S=1 4M", amd_inv_pages(1, 0, false, true, true,
					  amd_s_addr(0, 22)), 0, AMD_DOM1 },
		{ "all pages (Linux)", amd_inv_pages(1, 0, false, true, true,
						     AMD_ALL_PAGES), 0, AMD_DOM1 },
		{ "all pages (first zero at bit 51)",
		  amd_inv_pages(1, 0, false, true, true, 0x0007fffffffff000ULL), 0,
		  AMD_DOM1 },
		{ "GN PASID 7, all pages",
		  amd_inv_pages(1, 7, true, true, true, AMD_ALL_PAGES), 0, T(3) },
		{ "GN PASID 0, one page",
		  amd_inv_pages(1, 0, true, true, false, 0x10000), 0, T(0) },
		{ "PASID without GN is ignored",
		  amd_inv_pages(1, 7, false, true, false, 0x10000), 0, T(0) | T(3) },
		{ "DomainID 2", amd_inv_pages(2, 0, false, true, true, AMD_ALL_PAGES), 0,
		  T(5) },
		{ "DomainID 3", amd_inv_pages(3, 0, false, true, true, AMD_ALL_PAGES), 0,
		  0 },
		{ "reserved word 0 bit 20",
		  inv_raw(amd_inv_pages(1, 0, false, true, false, 0x10000).q[0] | 1 << 20,
			  0x10000 | 2), EIO, 0 },
		{ "reserved word 1 bit 16",
		  inv_raw(amd_inv_pages(1, 0, false, true, false, 0x10000).q[0] | 1ULL << 48,
			  0x10000 | 2), EIO, 0 },
		{ "reserved word 2 bit 3",
		  inv_raw(amd_inv_pages(1, 0, false, true, false, 0x10000).q[0],
			  0x10000 | 2 | 8), EIO, 0 },
	};

	REQUIRE(&self->c);
	run_cases(_metadata, &self->c, &amd_model, cases, ARRAY_SIZE(cases), 0);
}

/* INVALIDATE_ALL: every translation of the VM, with the capability. */
TEST_F(amd, invalidate_all)
{
	struct ctx *c = &self->c;
	const bool cap = c->inst.caps & VCMDQ_INSTANCE_CAP_AMD_INV_ALL;
	const struct icase cases[] = {
		{ "INVALIDATE_ALL", amd_inv_all(), cap ? 0 : EIO, cap ? AMD_VM0 : 0 },
		{ "INVALIDATE_ALL reserved bit", inv_raw(amd_inv_all().q[0] | 1, 0),
		  EIO, 0 },
		{ "INVALIDATE_ALL reserved word 2", inv_raw(amd_inv_all().q[0], 1),
		  EIO, 0 },
	};

	REQUIRE(c);
	TH_LOG("instance %u %s VCMDQ_INSTANCE_CAP_AMD_INV_ALL", c->inst.id,
	       cap ? "has" : "lacks");
	run_cases(_metadata, c, &amd_model, cases, ARRAY_SIZE(cases), 0);
}

TEST_F(amd, refused)
{
	const struct refused_cmd refused[] = {
		{ "opcode 0", 0, 0 },
		{ "INVALIDATE_INTERRUPT_TABLE reserved bit 16",
		  5ULL << 60 | 0x100 | 1 << 16, 0 },
		{ "INVALIDATE_INTERRUPT_TABLE reserved word 2", 5ULL << 60 | 0x100, 1 },
		{ "PREFETCH_IOMMU_PAGES", 6ULL << 60 | 0x100, 0x10000 },
		{ "COMPLETE_PPR_REQUEST", 7ULL << 60 | 0x100, 0 },
		{ "opcode 9", 9ULL << 60, 0 },
		{ "opcode 0xa", 0xaULL << 60, 0 },
		{ "opcode 0xf", 0xfULL << 60, 0 },
		{ "COMPLETION_WAIT store above 52 bits",
		  amd_op(AMD_COMPLETION_WAIT) | 1ULL << 52 | GPA_RW | 1, 0 },
		{ "INVALIDATE_DEVTAB_ENTRY reserved bit 16",
		  amd_op(AMD_INV_DEVTAB_ENTRY) | 0x100 | 1 << 16, 0 },
		{ "INVALIDATE_DEVTAB_ENTRY reserved word 2",
		  amd_op(AMD_INV_DEVTAB_ENTRY) | 0x100, 1 },
		{ "INVALIDATE_IOTLB_PAGES reserved word 2 bit 1 (PDE)",
		  amd_op(AMD_INV_IOTLB_PAGES) | 0x100, 0x10000 | 2 },
	};

	REQUIRE(&self->c);
	expect_stopped(_metadata, &self->c, refused, ARRAY_SIZE(refused), EIO);
}

/* Interrupt remapping is the VMM's, whatever the DeviceID (IOAPIC too). */
TEST_F(amd, vmm_owned)
{
	static const struct refused_cmd vmm[] = {
		{ "INVALIDATE_INTERRUPT_TABLE", 5ULL << 60 | 0x100, 0 },
		{ "INVALIDATE_INTERRUPT_TABLE, IOAPIC 0x00a0", 5ULL << 60 | 0xa0, 0 },
	};

	REQUIRE(&self->c);
	expect_stopped(_metadata, &self->c, vmm, ARRAY_SIZE(vmm), EREMOTE);
}

/*
 * A captured guest queue (streams_vtd.h, streams_amd.h) and how to read it:
 * which entries are the VMM's, and where its completion stores go.
 */
struct stream {
	const __u64 (*cmds)[2];
	unsigned int n;
	__u32 type;
	unsigned int entry_len;
	__u64 status_gpa;		/* the one page every store goes to */
	bool (*vmm_owned)(const __u64 *cmd);
	/* a completion store: its address, data and size (4 or 8) */
	bool (*store)(const __u64 *cmd, __u64 *addr, __u64 *data,
		      unsigned int *size);
};

static bool stream_vtd_is_iec(const __u64 *cmd)
{
	return (cmd[0] & 0xf) == VTD_IEC;
}

static bool stream_vtd_store(const __u64 *cmd, __u64 *addr, __u64 *data,
		      unsigned int *size)
{
	if ((cmd[0] & 0xf) != VTD_IWD || !(cmd[0] & 1 << 5))
		return false;
	*addr = cmd[1];
	*data = cmd[0] >> 32;
	*size = 4;
	return true;
}

static bool stream_amd_is_irt(const __u64 *cmd)
{
	return cmd[0] >> 60 == AMD_INV_IRT;
}

static bool stream_amd_store(const __u64 *cmd, __u64 *addr, __u64 *data,
		      unsigned int *size)
{
	if (cmd[0] >> 60 != AMD_COMPLETION_WAIT || !(cmd[0] & 1))
		return false;
	*addr = cmd[0] & 0x000ffffffffffff8ULL;
	*data = cmd[1];
	*size = 8;
	return true;
}

/*
 * Replay a captured guest queue the way a VMM forwards trapped slices
 * verbatim: submit everything; on EREMOTE execute the entry at entry_num
 * "in the VMM" (here: check it is one the VMM owns, and count it) and
 * resubmit after it.  Every entry must be handled, exactly the VMM's ones
 * handed back, none refused (no device of the stream is assigned: its
 * configuration invalidations are no-ops), and the last completion store
 * must land in the guest's status page.
 */
static void replay(struct __test_metadata *_metadata, struct ctx *c,
		   const struct stream *st)
{
	unsigned int i, pos = 0, owned = 0, handed_back = 0, batches = 0;
	__u64 addr, data, last_addr = 0, last_data = 0;
	unsigned int size, last_size = 0;
	__u8 *status, *buf;
	__u32 num;

	for (i = 0; i < st->n; i++) {
		owned += st->vmm_owned(st->cmds[i]);
		if (st->store(st->cmds[i], &addr, &data, &size)) {
			ASSERT_EQ(st->status_gpa, addr & ~0xfffULL);
			last_addr = addr;
			last_data = data;
			last_size = size;
		}
	}
	ASSERT_NE(0, owned);
	ASSERT_NE(0, last_size);

	world_create(_metadata, c, 0, 0, c->fd);
	status = alloc_pages(1, PROT_READ | PROT_WRITE, true);
	ASSERT_NE(NULL, status);
	ASSERT_EQ(0, _test_cmd_s2_map(c->fd, c->vm[0].s2_id, VCMDQ_S2_MAP_RW,
				      st->status_gpa, status, PAGE_SIZE));
	buf = calloc(st->n, st->entry_len);
	ASSERT_NE(NULL, buf);
	for (i = 0; i < st->n; i++)
		memcpy(buf + (size_t)i * st->entry_len, st->cmds[i], 16);

	while (pos < st->n) {
		num = st->n - pos;
		batches++;
		if (!_test_cmd_invalidate(c->fd, c->vm[0].viommu_id, st->type,
					  st->entry_len, &num,
					  buf + (size_t)pos * st->entry_len)) {
			ASSERT_EQ(st->n - pos, num);
			pos = st->n;
			break;
		}
		ASSERT_EQ(EREMOTE, errno)
			TH_LOG("entry %u (0x%016llx 0x%016llx) refused",
			       pos + num,
			       (unsigned long long)st->cmds[pos + num][0],
			       (unsigned long long)st->cmds[pos + num][1]);
		ASSERT_GT(st->n - pos, num);
		pos += num;
		/* The VMM's turn: it would emulate this one. */
		ASSERT_TRUE(st->vmm_owned(st->cmds[pos]));
		handed_back++;
		pos++;
	}
	EXPECT_EQ(owned, handed_back);
	EXPECT_EQ(st->n, pos);
	TH_LOG("%u entries, %u of them the VMM's, in %u batches", st->n, owned,
	       batches);
	if (last_size == 8) {
		EXPECT_EQ(last_data, *(__u64 *)(status + (last_addr & 0xfff)));
	} else {
		EXPECT_EQ(last_data, *(__u32 *)(status + (last_addr & 0xfff)));
	}
	free(buf);
	world_destroy(_metadata, c);
	munmap(status, PAGE_SIZE);
}

/* The guest's COMPLETION_WAIT semaphore: see streams_amd.h. */
#define AMD_STREAM_STATUS_GPA	0x11b8000ULL

/* A real guest's boot: DEVTAB of absent devices, the IOAPIC's IRT. */
TEST_F(amd, replay_boot)
{
	const struct stream st = {
		amd_stream_boot, ARRAY_SIZE(amd_stream_boot),
		VCMDQ_DATA_AMD_VI, 16, AMD_STREAM_STATUS_GPA, stream_amd_is_irt,
		stream_amd_store,
	};

	REQUIRE(&self->c);
	if (!(self->c.inst.caps & VCMDQ_INSTANCE_CAP_AMD_INV_ALL))
		SKIP(return, "the stream has INVALIDATE_ALL");
	replay(_metadata, &self->c, &st);
}

TEST_F(amd, replay_nic)
{
	const struct stream st = {
		amd_stream_nic, ARRAY_SIZE(amd_stream_nic),
		VCMDQ_DATA_AMD_VI, 16, AMD_STREAM_STATUS_GPA, stream_amd_is_irt,
		stream_amd_store,
	};

	REQUIRE(&self->c);
	replay(_metadata, &self->c, &st);
}

/* COMPLETION_WAIT: S=1 stores 8 bytes through the S2; I and F are fine. */
TEST_F(amd, completion_wait)
{
	struct ctx *c = &self->c;
	const struct {
		const char *name;
		bool s, i, f;
		__u64 addr;
		int err;
		int page;	/* page holding the value, -1: none */
	} cases[] = {
		{ "S=1", true, false, false, GPA_RW + 0x80, 0, 0 },
		{ "S=1 I=1 F=1", true, true, true, GPA_RW + 0x80, 0, 0 },
		{ "S=1 last qword", true, false, false, GPA_RW + PAGE_SIZE - 8, 0, 0 },
		{ "S=0: the address is don't-care", false, true, false, GPA_NONE, 0, -1 },
		{ "S=0 F=1", false, false, true, 0, 0, -1 },
		{ "S=1 read-only", true, false, false, GPA_RO + 0x80, EIO, -1 },
		{ "S=1 not mapped", true, false, false, GPA_NONE, EIO, -1 },
		{ "S=1 GPA 0, not mapped", true, false, false, 0, EIO, -1 },
	};
	unsigned int i;

	REQUIRE(c);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct inv_cmd cmds[] = {
			amd_space(1),
			amd_compl_wait(cases[i].s, cases[i].i, cases[i].f,
				       cases[i].addr, STORE_VAL),
			amd_space(2),
		};
		__u32 done;

		world_create(_metadata, c, 0, 0, c->fd);
		model_fill(_metadata, c->vm, &gen_model);
		EXPECT_EQ(-cases[i].err, vm_inv(&c->vm[0], c->type, cmds, 3,
						&done))
			TH_LOG("%s", cases[i].name);
		EXPECT_EQ(cases[i].err ? 1 : 3, done);
		if (cases[i].page < 0) {
			EXPECT_TRUE(mem_untouched(&c->vm[0], 0));
		} else {
			EXPECT_TRUE(mem_holds(&c->vm[0], 0,
					      cases[i].addr - GPA_RW,
					      STORE_VAL, 8))
				TH_LOG("%s", cases[i].name);
		}
		EXPECT_TRUE(mem_untouched(&c->vm[0], 1));
		model_expect(_metadata, c->vm, &gen_model,
			     GEN_ALL & ~(cases[i].err ? GEN(1) :
					 GEN(1) | GEN(2)), cases[i].name);
		world_destroy(_metadata, c);
	}
}

/* ATC entries of the VM's first device; IOTLB entries to show they stay. */
static const struct atce amd_atc[] = {
	/* 0 */ { .vm = 0, .dev = 0, .ssid = 0, .start = 0x10000, .last = 0x10fff },
	/* 1 */ { .vm = 0, .dev = 0, .ssid = 0x1234, .start = 0x10000, .last = 0x10fff },
	/* 2 */ { .vm = 0, .dev = 0, .ssid = 0, .start = 0x40000, .last = 0x40fff },
};
static const struct model amd_dev_model = {
	amd_tlb, ARRAY_SIZE(amd_tlb), amd_atc, ARRAY_SIZE(amd_atc),
};

/*
 * INVALIDATE_DEVTAB_ENTRY and INVALIDATE_IOTLB_PAGES name a DeviceID,
 * translated through the vDEVICEs; an unknown one is EIO.
 */
TEST_F(amd, device_ids)
{
	struct ctx *c = &self->c;
	const bool cap = c->inst.caps & VCMDQ_INSTANCE_CAP_AMD_INV_ALL;
	const struct icase cases[] = {
		/* An emulated device or the IOAPIC: nothing cached, a no-op. */
		{ "DEVTAB unknown DeviceID", amd_inv_devtab(VIRT_UNKNOWN), 0, 0 },
		{ "DEVTAB IOAPIC 0x00a0", amd_inv_devtab(0xa0), 0, 0 },
		{ "IOTLB unknown DeviceID",
		  amd_inv_iotlb(VIRT_UNKNOWN, 0, false, 0, 0, true, AMD_ALL_PAGES), EIO, 0 },
		{ "DEVTAB", amd_inv_devtab(VIRT(0)), 0, 0, 1 },
		{ "IOTLB one page", amd_inv_iotlb(VIRT(0), 0, false, 0, 0, false, 0x10000),
		  0, A(0) | A(1), 1 },
		{ "IOTLB GN PASID 0x1234",
		  amd_inv_iotlb(VIRT(0), 0x1234, true, 0, 0, false, 0x10000), 0, A(1), 1 },
		{ "IOTLB GN PASID 0x34 (low byte only)",
		  amd_inv_iotlb(VIRT(0), 0x34, true, 0, 0, false, 0x10000), 0, 0, 1 },
		{ "IOTLB GN PASID 0x1200 (high byte only)",
		  amd_inv_iotlb(VIRT(0), 0x1200, true, 0, 0, false, 0x10000), 0, 0, 1 },
		{ "IOTLB all pages, MaxPend and QueueID",
		  amd_inv_iotlb(VIRT(0), 0, false, 0x20, VIRT(0), true, AMD_ALL_PAGES), 0,
		  A(0) | A(1) | A(2), 1 },
		{ "IOTLB S=1 256K", amd_inv_iotlb(VIRT(0), 0, false, 0, 0, true,
						  amd_s_addr(0x40000, 18)), 0, A(2), 1 },
		{ "INVALIDATE_ALL keeps device IOTLBs", amd_inv_all(),
		  cap ? 0 : EIO, cap ? AMD_VM0 : 0, 1 },
	};

	REQUIRE(c);
	if (!c->ndev)
		TH_LOG("no device behind instance %u: only unknown DeviceIDs tried (%s)",
		       c->inst.id, c->why);
	run_cases(_metadata, c, &amd_dev_model, cases, ARRAY_SIZE(cases), 1);
}

/*
 * ---------------------------------------------------------------------------
 * FIXTURE(vtd): VT-d descriptors.
 * ---------------------------------------------------------------------------
 */
CTX_FIXTURE(vtd, VCMDQ_DATA_VTD)

/* DIDs 1 and 2 (PASIDs 0 and 7) and the other VM's DID 1. */
static const struct tlbe vtd_tlb[] = {
	/* 0 */ { .vm = 0, .asid = 1, .pasid = 0, .start = 0x10000, .last = 0x10fff, .leaf = true },
	/* 1 */ { .vm = 0, .asid = 1, .pasid = 0, .start = 0x11000, .last = 0x11fff, .leaf = true },
	/* 2 */ { .vm = 0, .asid = 1, .pasid = 0, .start = 0x12000, .last = 0x12fff, .leaf = false },
	/* 3 */ { .vm = 0, .asid = 1, .pasid = 7, .start = 0x10000, .last = 0x10fff, .leaf = true },
	/* 4 */ { .vm = 0, .asid = 1, .pasid = 7, .start = 0x40000, .last = 0x40fff, .leaf = true },
	/* 5 */ { .vm = 0, .asid = 2, .pasid = 0, .start = 0x10000, .last = 0x10fff, .leaf = true },
	/* 6 */ { .vm = 1, .asid = 1, .pasid = 0, .start = 0x10000, .last = 0x10fff, .leaf = true },
	/* 7 */ { .vm = 1, .asid = 1, .pasid = 7, .start = 0x10000, .last = 0x10fff, .leaf = true },
};
static const struct model vtd_model = { vtd_tlb, ARRAY_SIZE(vtd_tlb), NULL, 0 };
#define VTD_VM0		(T(6) - 1)
#define VTD_DID1	(T(5) - 1)

static const struct icase vtd_iotlb_cases[] = {
	{ "IOTLB global", { { 0x12, 0 } }, 0, VTD_VM0 },
	{ "IOTLB global, DID ignored", { { 0x12 | 5 << 16, 0 } }, 0, VTD_VM0 },
	{ "IOTLB domain 1", { { 0x22 | 1 << 16, 0 } }, 0, VTD_DID1 },
	{ "IOTLB domain 3", { { 0x22 | 3 << 16, 0 } }, 0, 0 },
	{ "IOTLB page", { { 0x32 | 1 << 16, 0x10000 } }, 0, T(0) | T(3) },
	{ "IOTLB page AM=1", { { 0x32 | 1 << 16, 0x10000 | 1 } }, 0,
	  T(0) | T(1) | T(3) },
	{ "IOTLB page AM=2", { { 0x32 | 1 << 16, 0x10000 | 2 } }, 0,
	  T(0) | T(1) | T(2) | T(3) },
	{ "IOTLB page AM=2 IH", { { 0x32 | 1 << 16, 0x10000 | 1 << 6 | 2 } }, 0,
	  T(0) | T(1) | T(3) },
	{ "IOTLB page IH keeps non-leaf", { { 0x32 | 1 << 16, 0x12000 | 1 << 6 } },
	  0, 0 },
	{ "IOTLB page AM=1, address bits below AM masked",
	  { { 0x32 | 1 << 16, 0x11000 | 1 } }, 0, T(0) | T(1) | T(3) },
	{ "IOTLB page AM=6 (256K)", { { 0x32 | 1 << 16, 0x40000 | 6 } }, 0, T(4) },
	{ "IOTLB page DW DR", { { 0x32 | 0xc0 | 1 << 16, 0x10000 } }, 0,
	  T(0) | T(3) },
	{ "IOTLB page AM=52", { { 0x32 | 1 << 16, 52 } }, EIO, 0 },
	{ "IOTLB granularity 0", { { 0x02 | 1 << 16, 0 } }, EIO, 0 },
	{ "IOTLB reserved qw0 bit 32", { { 0x22 | 1 << 16 | 1ULL << 32, 0 } }, EIO, 0 },
	{ "IOTLB reserved qw1 bit 7", { { 0x32 | 1 << 16, 0x10000 | 1 << 7 } }, EIO, 0 },
	{ "PASID IOTLB non-globals of PASID 7", { { 0x26 | 1 << 16 | 7ULL << 32, 0 } },
	  0, T(3) | T(4) },
	{ "PASID IOTLB non-globals of PASID 0", { { 0x26 | 1 << 16, 0 } }, 0,
	  T(0) | T(1) | T(2) },
	/* Page-selective: global entries too, which every PASID shares. */
	{ "PASID IOTLB page PASID 7", { { 0x36 | 1 << 16 | 7ULL << 32, 0x10000 } }, 0,
	  T(0) | T(3) },
	{ "PASID IOTLB page PASID 0 AM=2 IH",
	  { { 0x36 | 1 << 16, 0x10000 | 1 << 6 | 2 } }, 0, T(0) | T(1) | T(3) },
	{ "PASID IOTLB page PASID 0 AM=2", { { 0x36 | 1 << 16, 0x10000 | 2 } }, 0,
	  T(0) | T(1) | T(2) | T(3) },
	{ "PASID IOTLB DID 2", { { 0x26 | 2 << 16, 0 } }, 0, T(5) },
	{ "PASID IOTLB granularity 0", { { 0x06 | 1 << 16, 0 } }, EIO, 0 },
	{ "PASID IOTLB granularity 1", { { 0x16 | 1 << 16, 0 } }, EIO, 0 },
	{ "context cache global", { { 0x11, 0 } }, 0, 0 },
	{ "context cache domain", { { 0x21 | 1 << 16, 0 } }, 0, 0 },
	{ "context cache granularity 0", { { 0x01, 0 } }, EIO, 0 },
	{ "context cache, device unknown: a no-op",
	  { { 0x31 | 1 << 16 | (__u64)VIRT_UNKNOWN << 32, 0 } }, 0, 0 },
	{ "PASID cache all PASIDs of DID 1", { { 0x07 | 1 << 16, 0 } }, 0, 0 },
	{ "PASID cache PASID 7", { { 0x17 | 1 << 16 | 7ULL << 32, 0 } }, 0, 0 },
	{ "PASID cache global", { { 0x37, 0 } }, 0, 0 },
	{ "PASID cache granularity 2", { { 0x27 | 1 << 16, 0 } }, EIO, 0 },
	/* Appended: the tests above check some cases by index. */
	{ "PASID IOTLB page PASID 7 at 0x40000",
	  { { 0x36 | 1 << 16 | 7ULL << 32, 0x40000 } }, 0, T(4) },
};

/*
 * IOTLB, PASID-based IOTLB, context and PASID caches: 128-bit descriptors
 * built from the literal layouts (and cross-checked by the encoders).
 */
TEST_F(vtd, caches)
{
	REQUIRE(&self->c);
	/* The encoders agree with the literal descriptors above. */
	EXPECT_EQ(vtd_iotlb_cases[5].cmd.q[0],
		  vtd_iotlb(VTD_IOTLB_PAGE, 1, 0x10000, 1, false).q[0]);
	EXPECT_EQ(vtd_iotlb_cases[5].cmd.q[1],
		  vtd_iotlb(VTD_IOTLB_PAGE, 1, 0x10000, 1, false).q[1]);
	EXPECT_EQ(vtd_iotlb_cases[18].cmd.q[0],
		  vtd_piotlb(VTD_PIOTLB_PSI, 1, 7, 0x10000, 0, false).q[0]);
	EXPECT_EQ(vtd_iotlb_cases[28].cmd.q[0], vtd_pc(VTD_PC_ALL_PASIDS, 1, 0).q[0]);
	EXPECT_EQ(vtd_iotlb_cases[25].cmd.q[0], vtd_cc(VTD_CC_DOMAIN, 1, 0, 0).q[0]);
	run_cases(_metadata, &self->c, &vtd_model, vtd_iotlb_cases,
		  ARRAY_SIZE(vtd_iotlb_cases), 0);
}

/*
 * A page-selective AM above the MAMV GET_INFO reports (the guest's
 * CAP_REG.MAMV) is an invalid descriptor; AM = MAMV is fine.
 */
TEST_F(vtd, mamv)
{
	struct ctx *c = &self->c;
	const unsigned int am = c->inst.vtd_max_am;
	const struct icase cases[] = {
		{ "IOTLB page AM=MAMV", vtd_iotlb(VTD_IOTLB_PAGE, 1, 0, am, false),
		  0, VTD_DID1 },
		{ "IOTLB page AM=MAMV+1",
		  vtd_iotlb(VTD_IOTLB_PAGE, 1, 0, am + 1, false), EIO, 0 },
		{ "PASID IOTLB page AM=MAMV",
		  vtd_piotlb(VTD_PIOTLB_PSI, 1, 7, 0, am, false), 0, VTD_DID1 },
		{ "PASID IOTLB page AM=MAMV+1",
		  vtd_piotlb(VTD_PIOTLB_PSI, 1, 7, 0, am + 1, false), EIO, 0 },
	};

	REQUIRE(c);
	/* QEMU's 18; at least the 2 MiB (AM=9) a Linux guest relies on. */
	EXPECT_GE(am, 9);
	EXPECT_LT(am, 52);
	run_cases(_metadata, c, &vtd_model, cases, ARRAY_SIZE(cases), 0);
}

/* The same descriptors as 256-bit ones: the same effect; qw2/qw3 reserved. */
TEST_F(vtd, desc256)
{
	struct ctx *c = &self->c;
	unsigned int i, len;

	REQUIRE(c);
	for (len = 32; len <= 64; len += 32) {
		for (i = 0; i < ARRAY_SIZE(vtd_iotlb_cases); i++) {
			const struct icase *cs = &vtd_iotlb_cases[i];
			__u32 done;
			int rc;

			world_create(_metadata, c, 0, 0, c->fd);
			model_fill(_metadata, c->vm, &vtd_model);
			rc = vm_inv_len(&c->vm[0], c->type, &cs->cmd, 1, len,
					&done);
			EXPECT_EQ(-cs->err, rc)
				TH_LOG("%s, entry_len %u", cs->name, len);
			EXPECT_EQ(!cs->err, done);
			model_expect(_metadata, c->vm, &vtd_model,
				     model_all(&vtd_model) & ~cs->gone, cs->name);
			world_destroy(_metadata, c);
		}
	}
	/* A non-zero qw2 or qw3 is a reserved field (EIO), not a tail. */
	for (i = 2; i < 4; i++) {
		struct inv_cmd cmd = vtd_space(1);
		__u32 done;

		cmd.q[i] = 1ULL << (i * 8);
		world_create(_metadata, c, 0, 0, c->fd);
		model_fill(_metadata, c->vm, &gen_model);
		EXPECT_EQ(-EIO, vm_inv_len(&c->vm[0], c->type,
					   (struct inv_cmd[]){ vtd_space(2), cmd },
					   2, 32, &done));
		EXPECT_EQ(1, done);
		model_expect(_metadata, c->vm, &gen_model, GEN_ALL & ~GEN(2),
			     "qw2/qw3");
		world_destroy(_metadata, c);
	}
}

/* Wait descriptors: SW=1 stores 4 bytes of status data through the S2. */
TEST_F(vtd, wait)
{
	struct ctx *c = &self->c;
	const struct {
		const char *name;
		bool sw, iflag, fn;
		__u64 addr;
		int err;
		int page;
	} cases[] = {
		{ "SW=1", true, false, false, GPA_RW + 0x20, 0, 0 },
		{ "SW=1 IF=1 FN=1", true, true, true, GPA_RW + 0x20, 0, 0 },
		{ "SW=1 last word", true, false, false, GPA_RW + PAGE_SIZE - 4, 0, 0 },
		{ "SW=0 IF=1 FN=1", false, true, true, 0, 0, -1 },
		{ "SW=1 read-only", true, false, false, GPA_RO + 0x20, EIO, -1 },
		{ "SW=1 not mapped", true, false, false, GPA_NONE, EIO, -1 },
		{ "SW=1 misaligned by 1", true, false, false, GPA_RW + 0x21, EIO, -1 },
		{ "SW=1 misaligned by 2", true, false, false, GPA_RW + 0x22, EIO, -1 },
	};
	unsigned int i;

	REQUIRE(c);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct inv_cmd cmds[] = {
			vtd_space(1),
			vtd_iwd(cases[i].sw, cases[i].iflag, cases[i].fn,
				0xcafef00d, cases[i].addr),
			vtd_space(2),
		};
		__u32 done;

		world_create(_metadata, c, 0, 0, c->fd);
		model_fill(_metadata, c->vm, &gen_model);
		EXPECT_EQ(-cases[i].err, vm_inv(&c->vm[0], c->type, cmds, 3,
						&done))
			TH_LOG("%s", cases[i].name);
		EXPECT_EQ(cases[i].err ? 1 : 3, done);
		if (cases[i].page < 0) {
			EXPECT_TRUE(mem_untouched(&c->vm[0], 0));
		} else {
			EXPECT_TRUE(mem_holds(&c->vm[0], 0,
					      cases[i].addr - GPA_RW,
					      0xcafef00d, 4))
				TH_LOG("%s", cases[i].name);
		}
		EXPECT_TRUE(mem_untouched(&c->vm[0], 1));
		model_expect(_metadata, c->vm, &gen_model,
			     GEN_ALL & ~(cases[i].err ? GEN(1) :
					 GEN(1) | GEN(2)), cases[i].name);
		world_destroy(_metadata, c);
	}
}

TEST_F(vtd, refused)
{
	static const struct refused_cmd refused[] = {
		{ "type 0", 0, 0 },
		{ "interrupt entry cache, reserved bit 5", VTD_IEC | 1 << 5, 0 },
		{ "interrupt entry cache, reserved qw1", VTD_IEC, 1 },
		{ "page group response", VTD_PGRP_RESP, 0 },
		{ "page stream response", VTD_PSTRM_RESP, 0 },
		{ "type 0xb", 0xb, 0 },
		{ "type 0xf", 0xf, 0 },
		{ "type 0x12 (high type bits)", 0x2 | 1 << 9, 0 },
		{ "wait with PD", VTD_IWD | 1 << 7, 0 },
	};

	REQUIRE(&self->c);
	expect_stopped(_metadata, &self->c, refused, ARRAY_SIZE(refused), EIO);
}

/* Interrupt remapping is the VMM's: every IEC granularity. */
TEST_F(vtd, vmm_owned)
{
	static const struct refused_cmd vmm[] = {
		{ "interrupt entry cache, global", VTD_IEC, 0 },
		{ "interrupt entry cache, index 0x11 IM 0",
		  VTD_IEC | 1 << 4 | 0x11ULL << 32, 0 },
		{ "interrupt entry cache, index 0x10 IM 4",
		  VTD_IEC | 1 << 4 | 4ULL << 27 | 0x10ULL << 32, 0 },
	};

	REQUIRE(&self->c);
	expect_stopped(_metadata, &self->c, vmm, ARRAY_SIZE(vmm), EREMOTE);
}

/* Status words near GPA 0x1046000: see streams_vtd.h. */
#define VTD_STREAM_STATUS_GPA	0x1046000ULL

TEST_F(vtd, replay_legacy)
{
	const struct stream st = {
		vtd_stream_legacy, ARRAY_SIZE(vtd_stream_legacy),
		VCMDQ_DATA_VTD, 16, VTD_STREAM_STATUS_GPA, stream_vtd_is_iec,
		stream_vtd_store,
	};

	REQUIRE(&self->c);
	replay(_metadata, &self->c, &st);
}

/* Scalable mode: the guest's 256-bit descriptors. */
TEST_F(vtd, replay_scalable)
{
	const struct stream st = {
		vtd_stream_scalable, ARRAY_SIZE(vtd_stream_scalable),
		VCMDQ_DATA_VTD, 32, VTD_STREAM_STATUS_GPA, stream_vtd_is_iec,
		stream_vtd_store,
	};

	REQUIRE(&self->c);
	ASSERT_TRUE(self->c.inst.caps & VCMDQ_INSTANCE_CAP_VTD_DESC_256);
	replay(_metadata, &self->c, &st);
}

static const struct atce vtd_atc[] = {
	/* 0 */ { .vm = 0, .dev = 0, .ssid = 0, .start = 0x10000, .last = 0x10fff },
	/* 1 */ { .vm = 0, .dev = 0, .ssid = 7, .start = 0x10000, .last = 0x10fff },
	/* 2 */ { .vm = 0, .dev = 0, .ssid = 0, .start = 0x40000, .last = 0x40fff },
};
static const struct model vtd_dev_model = {
	vtd_tlb, ARRAY_SIZE(vtd_tlb), vtd_atc, ARRAY_SIZE(vtd_atc),
};

/*
 * Device-TLB, PASID-based device-TLB and device-selective context cache
 * descriptors name a source-id, translated through the vDEVICEs.
 */
TEST_F(vtd, device_ids)
{
	const struct icase cases[] = {
		{ "device-TLB unknown SID", vtd_diotlb(VIRT_UNKNOWN, true, VTD_ATS_ALL),
		  EIO, 0 },
		{ "PASID device-TLB unknown SID",
		  vtd_deiotlb(VIRT_UNKNOWN, 0, false, true, VTD_ATS_ALL), EIO, 0 },
		/* An emulated device's context entry: nothing cached here. */
		{ "context cache, device unknown",
		  vtd_cc(VTD_CC_DEVICE, 1, VIRT_UNKNOWN, 0), 0, 0 },
		{ "context cache, device unknown, FM=3",
		  vtd_cc(VTD_CC_DEVICE, 1, VIRT_UNKNOWN, 3), 0, 0 },
		{ "device-TLB one page", vtd_diotlb(VIRT(0), false, 0x10000), 0,
		  A(0) | A(1), 1 },
		{ "device-TLB 8K", vtd_diotlb(VIRT(0), true, vtd_ats_addr(0x10000, 13)),
		  0, A(0) | A(1), 1 },
		{ "device-TLB all", vtd_diotlb(VIRT(0), true, VTD_ATS_ALL), 0,
		  A(0) | A(1) | A(2), 1 },
		{ "PASID device-TLB PASID 7", vtd_deiotlb(VIRT(0), 7, false, false, 0x10000),
		  0, A(1), 1 },
		/* G=1: also global translations, which every PASID shares. */
		{ "PASID device-TLB PASID 0 G all",
		  vtd_deiotlb(VIRT(0), 0, true, true, VTD_ATS_ALL), 0,
		  A(0) | A(1) | A(2), 1 },
		{ "PASID device-TLB PASID 0 all",
		  vtd_deiotlb(VIRT(0), 0, false, true, VTD_ATS_ALL), 0, A(0) | A(2), 1 },
		{ "PASID device-TLB PASID 7 G one page",
		  vtd_deiotlb(VIRT(0), 7, true, false, 0x10000), 0, A(0) | A(1), 1 },
		{ "context cache, device", vtd_cc(VTD_CC_DEVICE, 1, VIRT(0), 0), 0, 0, 1 },
		{ "context cache, device, FM=3", vtd_cc(VTD_CC_DEVICE, 1, VIRT(0), 3), 0,
		  0, 1 },
		/* FM=3 masks SID[2:0]: the function group holds VIRT(0). */
		{ "context cache, function group by FM",
		  vtd_cc(VTD_CC_DEVICE, 1, VIRT(0) | 5, 3), 0, 0, 1 },
	};
	struct ctx *c = &self->c;

	REQUIRE(c);
	if (!c->ndev)
		TH_LOG("no device behind instance %u: only unknown source-ids tried (%s)",
		       c->inst.id, c->why);
	run_cases(_metadata, c, &vtd_dev_model, cases, ARRAY_SIZE(cases), 1);
}

/*
 * ---------------------------------------------------------------------------
 * FIXTURE(multi): lengths, fan-out over every instance, close.
 * ---------------------------------------------------------------------------
 */
CTX_FIXTURE(multi, VCMDQ_DATA_SMMUV3)

TEST_F(multi, cmd_length)
{
	TEST_LENGTH(vcmdq_invalidate, VCMDQ_INVALIDATE, data_uptr, );
}

/*
 * The size rules on a request that would run: a zero tail runs it, a
 * non-zero tail or a short size fails before anything runs.
 */
TEST_F(multi, cmd_length_valid)
{
	struct ctx *c = &self->c;
	struct {
		struct vcmdq_invalidate cmd;
		__u64 extra;
	} big;
	__u8 buf[16];

	REQUIRE(c);
	world_create(_metadata, c, 0, 0, c->fd);
	model_fill(_metadata, c->vm, &gen_model);
	inv_pack(buf, (struct inv_cmd[]){ c->ops->space(1) }, 1, 16, 16);
	memset(&big, 0, sizeof(big));
	big.cmd = (struct vcmdq_invalidate){
		.viommu_id = c->vm[0].viommu_id,
		.data_type = c->type,
		.entry_len = 16,
		.entry_num = 1,
		.data_uptr = (uintptr_t)buf,
	};
	big.cmd.size = sizeof(big);
	big.extra = 1;
	EXPECT_ERRNO(E2BIG, ioctl(self->fd, VCMDQ_INVALIDATE, &big));
	big.cmd.size = sizeof(big.cmd) - 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, VCMDQ_INVALIDATE, &big));
	big.cmd.size = offsetof(struct vcmdq_invalidate, data_uptr);
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, VCMDQ_INVALIDATE, &big));
	model_expect(_metadata, c->vm, &gen_model, GEN_ALL, "bad sizes");
	big.cmd.size = sizeof(big);
	big.extra = 0;
	big.cmd.entry_num = 1;
	ASSERT_EQ(0, ioctl(self->fd, VCMDQ_INVALIDATE, &big));
	EXPECT_EQ(1, big.cmd.entry_num);
	EXPECT_EQ(0, big.extra);
	model_expect(_metadata, c->vm, &gen_model, GEN_ALL & ~GEN(1),
		     "zero tail");
	world_destroy(_metadata, c);
}

/*
 * One S2 shared by vIOMMUs on every instance (each with its own tag), and
 * another VM's S2 likewise: unmapping part of the first S2 drops every
 * IOTLB entry of each of its vIOMMUs' tags and the ATC of their vDEVICEs,
 * on every instance, and nothing of the other VM.  A failed unmap drops
 * nothing.
 */
TEST_F(multi, s2_fanout)
{
	struct ctx *c = &self->c;
	__u32 s2[2], viommu[2][VCMDQ_MAX_INSTANCES], tag[2][VCMDQ_MAX_INSTANCES];
	__u32 vdev[2] = {}, phys[2] = {};
	unsigned int ndev = c->ndev < 2 ? c->ndev : 2;
	int i, v, dev_inst = -1;
	__u8 *mem[2];

	REQUIRE(c);
	if (!ndev)
		TH_LOG("no device behind an SMMUv3 instance: no ATC fan-out checked (%s)",
		       c->why);
	for (v = 0; v < 2; v++) {
		ASSERT_EQ(0, _test_cmd_s2_alloc(self->fd, 0, &s2[v]));
		mem[v] = alloc_pages(2, PROT_READ | PROT_WRITE, true);
		ASSERT_NE(NULL, mem[v]);
		test_cmd_s2_map(s2[v], GPA_RW, mem[v], PAGE_SIZE);
		test_cmd_s2_map(s2[v], GPA_RO, mem[v] + PAGE_SIZE, PAGE_SIZE);
		for (i = 0; i < c->ninst; i++) {
			test_cmd_viommu_alloc(c->info[i].id, s2[v],
					      &viommu[v][i], &tag[v][i]);
			if (c->info[i].id == c->inst.id)
				dev_inst = i;
		}
	}
	ASSERT_LE(0, dev_inst);
	/*
	 * Device k on VM k, both at vSID VIRT(0).  If that fails, the test
	 * fails but still checks the IOTLB fan-out.
	 */
	for (v = 0; v < (int)ndev; v++) {
		int rc = _test_cmd_vdevice_alloc(self->fd, viommu[v][dev_inst],
						 c->dev[v].vfio_fd,
						 c->dev[v].pci, VIRT(0),
						 &vdev[v], &phys[v]);

		EXPECT_EQ(0, rc)
			TH_LOG("VDEVICE_ALLOC %s: %s; no ATC fan-out checked",
			       c->dev[v].bdf, strerror(errno));
		if (rc) {
			ndev = v;
			break;
		}
	}

	for (v = 0; v < 2; v++) {
		for (i = 0; i < c->ninst; i++) {
			test_cmd_iotlb_add(c->info[i].id, tag[v][i], 1, 0,
					   0x10000, 0x10fff, true);
			test_cmd_iotlb_add(c->info[i].id, tag[v][i], 2, 3,
					   0x200000, 0x3fffff, false);
		}
		if (v < (int)ndev) {
			test_cmd_atc_add(c->inst.id, phys[v], 0, 0x10000,
					 0x10fff);
			test_cmd_atc_add(c->inst.id, phys[v], 3, 0, UINT64_MAX);
		}
	}

#define EXPECT_VM_ENTRIES(_v, _n)                                          \
	do {                                                               \
		for (i = 0; i < c->ninst; i++) {                           \
			EXPECT_EQ(_n, iotlb_count_tag(self->fd,            \
						      c->info[i].id,       \
						      tag[_v][i]))         \
				TH_LOG("VM %d, instance %u", _v,           \
				       c->info[i].id);                     \
		}                                                          \
		if ((_v) < (int)ndev) {                                    \
			EXPECT_EQ(_n, atc_count_sid(self->fd, c->inst.id,  \
						    phys[_v]));            \
		}                                                          \
	} while (0)

	EXPECT_VM_ENTRIES(0, 2);
	EXPECT_VM_ENTRIES(1, 2);
	/* Failed unmaps: nothing mapped there, or a mapping would split. */
	test_err_s2_unmap(ENOENT, s2[0], GPA_NONE, PAGE_SIZE);
	test_err_s2_unmap(EINVAL, s2[0], GPA_RW, PAGE_SIZE / 2);
	EXPECT_VM_ENTRIES(0, 2);
	EXPECT_VM_ENTRIES(1, 2);

	EXPECT_EQ(PAGE_SIZE, test_cmd_s2_unmap(s2[0], GPA_RO, PAGE_SIZE));
	EXPECT_VM_ENTRIES(0, 0);
	EXPECT_VM_ENTRIES(1, 2);

	/* And the other way round. */
	for (i = 0; i < c->ninst; i++)
		test_cmd_iotlb_add(c->info[i].id, tag[0][i], 1, 0, 0x10000,
				   0x10fff, true);
	if (ndev)
		test_cmd_atc_add(c->inst.id, phys[0], 0, 0x10000, 0x10fff);
	EXPECT_EQ(PAGE_SIZE, test_cmd_s2_unmap(s2[1], GPA_RW, 2 * PAGE_SIZE));
	EXPECT_VM_ENTRIES(0, 1);
	EXPECT_VM_ENTRIES(1, 0);
#undef EXPECT_VM_ENTRIES

	for (v = 0; v < (int)ndev; v++)
		test_ioctl_destroy(vdev[v]);
	for (v = 0; v < 2; v++) {
		for (i = 0; i < c->ninst; i++) {
			test_ioctl_destroy(viommu[v][i]);
			EXPECT_EQ(0, iotlb_count_tag(self->fd, c->info[i].id,
						     tag[v][i]));
		}
		test_ioctl_destroy(s2[v]);
		munmap(mem[v], 2 * PAGE_SIZE);
	}
}

/*
 * Closing a file with live objects and cached entries: the counters come
 * back (teardown), the instances' vIOMMU counts come back, nothing stays
 * cached under the file's tags or for its devices, and its devices can be
 * given to another VM.
 */
TEST_F(multi, close_live)
{
	struct ctx *c = &self->c;
	unsigned int ndev = c->ndev;
	long live[VCMDQ_MAX_INSTANCES], objects = live_objects();
	__u32 s2, viommu, tag[VCMDQ_MAX_INSTANCES], vdev, phys = 0, num;
	int i, dev_inst = -1;
	__u8 *mem, buf[16];

	REQUIRE(c);
	for (i = 0; i < c->ninst; i++)
		live[i] = vcmdq_live_viommus(self->fd, c->info[i].id);
	c->fd2 = vcmdq_open_dev();
	ASSERT_LE(0, c->fd2);
	mem = alloc_pages(1, PROT_READ | PROT_WRITE, true);
	ASSERT_NE(NULL, mem);
	ASSERT_EQ(0, _test_cmd_s2_alloc(c->fd2, 0, &s2));
	ASSERT_EQ(0, _test_cmd_s2_map(c->fd2, s2, VCMDQ_S2_MAP_RW, GPA_RW, mem,
				      PAGE_SIZE));
	for (i = 0; i < c->ninst; i++) {
		ASSERT_EQ(0, _test_cmd_viommu_alloc(c->fd2, c->info[i].id, s2,
						    0, &viommu, &tag[i], NULL,
						    NULL));
		test_cmd_iotlb_add(c->info[i].id, tag[i], 1, 0, 0x10000,
				   0x10fff, true);
		if (c->info[i].id == c->inst.id) {
			dev_inst = i;
			if (ndev) {
				int rc = _test_cmd_vdevice_alloc(
					c->fd2, viommu, c->dev[0].vfio_fd,
					c->dev[0].pci, VIRT(0), &vdev, &phys);

				EXPECT_EQ(0, rc)
					TH_LOG("VDEVICE_ALLOC %s: %s",
					       c->dev[0].bdf, strerror(errno));
				if (rc)
					ndev = 0;
				else
					test_cmd_atc_add(c->inst.id, phys, 0,
							 0, UINT64_MAX);
			}
			/* Something ran through it, too. */
			inv_pack(buf, (struct inv_cmd[]){ smmu_sync(
					     SMMU_SYNC_CS_IRQ, 1, GPA_RW) },
				 1, 16, 16);
			num = 1;
			ASSERT_EQ(0, _test_cmd_invalidate(c->fd2, viommu,
							  VCMDQ_DATA_SMMUV3,
							  16, &num, buf));
		}
	}
	ASSERT_LE(0, dev_inst);
	EXPECT_LT(objects, live_objects());
	close(c->fd2);
	c->fd2 = -1;

	EXPECT_EQ(objects, live_objects());
	for (i = 0; i < c->ninst; i++) {
		EXPECT_EQ(live[i], vcmdq_live_viommus(self->fd, c->info[i].id));
		EXPECT_EQ(0, iotlb_count_tag(self->fd, c->info[i].id, tag[i]));
	}
	if (ndev) {
		struct vm vm;

		EXPECT_EQ(0, atc_count_sid(self->fd, c->inst.id, phys));
		/* The device is free for another VM. */
		vm_create(_metadata, self->fd, c->inst.id, &vm);
		vm_add_vdev(_metadata, &vm, &c->dev[0], VIRT(0));
		vm_destroy(_metadata, &vm);
	}
	munmap(mem, PAGE_SIZE);
}

TEST_HARNESS_MAIN
