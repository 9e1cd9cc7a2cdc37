// SPDX-License-Identifier: GPL-2.0-only
/*
 * vcmdq selftests: the ABI of /dev/vcmdq (uapi/linux/vcmdq.h) checked errno
 * by errno, modeled on tools/testing/selftests/iommu/iommufd.c.
 *
 * Run as root, inside the test VM, with vcmdq.ko loaded (any module
 * parameters: the tests read GET_INFO rather than assume the defaults).
 * Leak checks use the module's global counters in /sys/class/misc/vcmdq/,
 * so nothing else may use the module while the tests run.
 *
 * Every fixture's teardown closes its files and checks that live_objects,
 * pinned_pages and contexts are back to their values before setup.
 *
 * Written for the Linux 6.1 kselftest_harness.h (what Debian ships), whose
 * quirks shape some code here: a SKIP() in FIXTURE_SETUP does not stop the
 * test body, so tests check for what they need themselves; an ASSERT in
 * FIXTURE_TEARDOWN longjmps back into the teardown, so teardowns only
 * EXPECT; and an EXPECT or ASSERT is not a single statement, so bodies of
 * if/for holding one always get braces.
 */
#include <pthread.h>
#include <sys/resource.h>

#include "vcmdq_utils.h"

/*
 * The harness's EXPECT_*() and ASSERT_*() compare their two arguments each
 * in its own type (and print each with its own signedness), so -Wextra warns
 * on every EXPECT_EQ(0, some_u32).  Upstream selftests build with -Wall only.
 */
#pragma GCC diagnostic ignored "-Wsign-compare"

/* The mandatory part of an instance entry in GET_INFO. */
#define INFO_MIN_LEN offsetofend(struct vcmdq_instance_info, vsids_per_viommu)

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* First instance of @flavor in @info, or NULL. */
static const struct vcmdq_instance_info *
find_flavor(const struct vcmdq_instance_info *info, int n, __u32 flavor)
{
	int i;

	for (i = 0; i < n; i++)
		if (info[i].flavor == flavor)
			return &info[i];
	return NULL;
}

/* How many vIOMMUs instance @inst can hold over all files. */
static __u32 viommu_capacity(const struct vcmdq_instance_info *inst)
{
	__u32 tags = inst->tag_bits >= 32 ? UINT32_MAX :
		     (1U << inst->tag_bits) - 1;

	return MIN(tags, inst->max_viommus);
}

/*
 * ---------------------------------------------------------------------------
 * FIXTURE(vcmdq): one open file; generic ABI tests, GET_INFO, DESTROY,
 * contexts, close and memlock accounting.
 * ---------------------------------------------------------------------------
 */
FIXTURE(vcmdq)
{
	int fd;
	int fd2;	/* a second file (VM) some tests open */
	struct vcmdq_counters base;
	int num_instances;
	struct vcmdq_instance_info info[VCMDQ_MAX_INSTANCES];
};

FIXTURE_SETUP(vcmdq)
{
	self->fd = -1;
	self->fd2 = -1;
	vcmdq_read_counters(&self->base);
	ASSERT_COUNTERS_READ(&self->base);

	self->fd = vcmdq_open_dev();
	ASSERT_LE(0, self->fd)
		TH_LOG("open %s: %s (is vcmdq.ko loaded?)", VCMDQ_DEV,
		       strerror(errno));
	ASSERT_EQ(self->base.contexts + 1, vcmdq_counter("contexts"));

	self->num_instances = vcmdq_instances(self->fd, self->info);
	ASSERT_LT(0, self->num_instances);
}

FIXTURE_TEARDOWN(vcmdq)
{
	struct vcmdq_counters now;

	close_fd(&self->fd2);
	close_fd(&self->fd);
	vcmdq_read_counters(&now);
	EXPECT_COUNTERS_EQ(&self->base, &now);
}

/* -- generic ABI ---------------------------------------------------------- */

TEST_F(vcmdq, cmd_length)
{
	TEST_LENGTH(vcmdq_destroy, VCMDQ_DESTROY, id, );
	TEST_LENGTH(vcmdq_get_info, VCMDQ_GET_INFO, instances_uptr, );
	TEST_LENGTH(vcmdq_s2_alloc, VCMDQ_S2_ALLOC, __reserved,
		    test_ioctl_destroy(cmd.cmd.out_s2_id));
	TEST_LENGTH(vcmdq_s2_map, VCMDQ_S2_MAP, length, );
	TEST_LENGTH(vcmdq_s2_unmap, VCMDQ_S2_UNMAP, length, );
	TEST_LENGTH(vcmdq_viommu_alloc, VCMDQ_VIOMMU_ALLOC, s2_id,
		    test_ioctl_destroy(cmd.cmd.out_viommu_id));
}

/*
 * The same three size checks with inputs that make each ioctl succeed: a
 * zero trailing byte changes nothing, a non-zero one fails before the
 * ioctl has any effect.
 */
TEST_F(vcmdq, cmd_length_valid)
{
	long objects = live_objects(), pinned = pinned_pages();
	__u8 *mem = alloc_pages(2, PROT_READ | PROT_WRITE, true);
	const struct vcmdq_instance_info *inst = &self->info[0];
	/* Room for any struct plus trailing bytes; TAIL(x) is the byte after x. */
	union {
		struct vcmdq_destroy destroy;
		struct vcmdq_get_info get_info;
		struct vcmdq_s2_alloc s2_alloc;
		struct vcmdq_s2_map s2_map;
		struct vcmdq_s2_unmap s2_unmap;
		struct vcmdq_viommu_alloc viommu_alloc;
		__u8 raw[64];
	} c;
#define TAIL(member) (c.raw[sizeof(c.member)])
	__u32 s2_id, viommu_id;

	ASSERT_NE(NULL, mem);

	/* S2_ALLOC: E2BIG creates nothing, zero tail creates one. */
	memset(&c, 0, sizeof(c));
	c.s2_alloc.size = sizeof(c.s2_alloc) + 1;
	TAIL(s2_alloc) = 1;
	EXPECT_ERRNO(E2BIG, ioctl(self->fd, VCMDQ_S2_ALLOC, &c));
	ASSERT_EQ(objects, live_objects());
	TAIL(s2_alloc) = 0;
	/* a non-zero byte further out */
	c.s2_alloc.size = sizeof(c.s2_alloc) + 8;
	c.raw[sizeof(c.s2_alloc) + 7] = 0x40;
	EXPECT_ERRNO(E2BIG, ioctl(self->fd, VCMDQ_S2_ALLOC, &c));
	ASSERT_EQ(objects, live_objects());
	c.raw[sizeof(c.s2_alloc) + 7] = 0;
	ASSERT_EQ(0, ioctl(self->fd, VCMDQ_S2_ALLOC, &c));
	s2_id = c.s2_alloc.out_s2_id;
	ASSERT_NE(0, s2_id);
	ASSERT_EQ(objects + 1, live_objects());

	/* S2_MAP */
	memset(&c, 0, sizeof(c));
	c.s2_map.size = sizeof(c.s2_map) + 1;
	c.s2_map.flags = VCMDQ_S2_MAP_RW;
	c.s2_map.s2_id = s2_id;
	c.s2_map.gpa = GPA_BASE;
	c.s2_map.uaddr = (uintptr_t)mem;
	c.s2_map.length = 2 * PAGE_SIZE;
	TAIL(s2_map) = 0x80;
	EXPECT_ERRNO(E2BIG, ioctl(self->fd, VCMDQ_S2_MAP, &c));
	ASSERT_EQ(pinned, pinned_pages());
	TAIL(s2_map) = 0;
	ASSERT_EQ(0, ioctl(self->fd, VCMDQ_S2_MAP, &c));
	ASSERT_EQ(pinned + 2, pinned_pages());

	/* S2_UNMAP: E2BIG unmaps nothing, zero tail unmaps and reports. */
	memset(&c, 0, sizeof(c));
	c.s2_unmap.size = sizeof(c.s2_unmap) + 1;
	c.s2_unmap.s2_id = s2_id;
	c.s2_unmap.gpa = GPA_BASE;
	c.s2_unmap.length = 2 * PAGE_SIZE;
	TAIL(s2_unmap) = 0xff;
	EXPECT_ERRNO(E2BIG, ioctl(self->fd, VCMDQ_S2_UNMAP, &c));
	ASSERT_EQ(pinned + 2, pinned_pages());
	TAIL(s2_unmap) = 0;
	ASSERT_EQ(0, ioctl(self->fd, VCMDQ_S2_UNMAP, &c));
	EXPECT_EQ(2 * PAGE_SIZE, c.s2_unmap.out_unmapped);
	ASSERT_EQ(pinned, pinned_pages());
	EXPECT_EQ(0, TAIL(s2_unmap));

	/* VIOMMU_ALLOC */
	memset(&c, 0, sizeof(c));
	c.viommu_alloc.size = sizeof(c.viommu_alloc) + 1;
	c.viommu_alloc.instance_id = inst->id;
	c.viommu_alloc.s2_id = s2_id;
	TAIL(viommu_alloc) = 2;
	EXPECT_ERRNO(E2BIG, ioctl(self->fd, VCMDQ_VIOMMU_ALLOC, &c));
	ASSERT_EQ(objects + 1, live_objects());
	TAIL(viommu_alloc) = 0;
	ASSERT_EQ(0, ioctl(self->fd, VCMDQ_VIOMMU_ALLOC, &c));
	viommu_id = c.viommu_alloc.out_viommu_id;
	EXPECT_NE(0, c.viommu_alloc.out_tag);
	ASSERT_EQ(objects + 2, live_objects());

	/* GET_INFO */
	memset(&c, 0, sizeof(c));
	c.get_info.size = sizeof(c.get_info) + 1;
	TAIL(get_info) = 3;
	EXPECT_ERRNO(E2BIG, ioctl(self->fd, VCMDQ_GET_INFO, &c));
	TAIL(get_info) = 0;
	ASSERT_EQ(0, ioctl(self->fd, VCMDQ_GET_INFO, &c));
	EXPECT_EQ(self->num_instances, c.get_info.num_instances);

	/* DESTROY */
	memset(&c, 0, sizeof(c));
	c.destroy.size = sizeof(c.destroy) + 1;
	c.destroy.id = viommu_id;
	TAIL(destroy) = 4;
	EXPECT_ERRNO(E2BIG, ioctl(self->fd, VCMDQ_DESTROY, &c));
	ASSERT_EQ(objects + 2, live_objects());
	TAIL(destroy) = 0;
	ASSERT_EQ(0, ioctl(self->fd, VCMDQ_DESTROY, &c));
	ASSERT_EQ(objects + 1, live_objects());
	test_ioctl_destroy(s2_id);
	ASSERT_EQ(objects, live_objects());
#undef TAIL
}

/*
 * A size between the last mandatory field and sizeof is accepted, and the
 * out_* fields are copied back only as far as that size reaches.
 */
TEST_F(vcmdq, cmd_length_short_outputs)
{
	const struct vcmdq_instance_info *inst = &self->info[0];
	__u8 *mem = alloc_pages(1, PROT_READ | PROT_WRITE, true);
	long live = vcmdq_live_viommus(self->fd, inst->id);
	struct vcmdq_viommu_alloc va;
	struct vcmdq_s2_unmap un;
	__u32 s2_a, s2_b;

	ASSERT_NE(NULL, mem);
	test_cmd_s2_alloc(&s2_a);
	test_cmd_s2_alloc(&s2_b);

	/* VIOMMU_ALLOC up to s2_id: created, nothing written back. */
	memset(&va, 0xee, sizeof(va));
	va.size = offsetofend(struct vcmdq_viommu_alloc, s2_id);
	va.flags = 0;
	va.instance_id = inst->id;
	va.s2_id = s2_a;
	ASSERT_EQ(0, ioctl(self->fd, VCMDQ_VIOMMU_ALLOC, &va));
	EXPECT_EQ(0xeeeeeeee, va.out_viommu_id);
	EXPECT_EQ(0xeeeeeeee, va.out_tag);
	EXPECT_EQ(live + 1, vcmdq_live_viommus(self->fd, inst->id));
	/* It exists: a second one for this (S2, instance) is EEXIST. */
	test_err_viommu_alloc(EEXIST, inst->id, s2_a, 0);
	/* ... and holds the S2. */
	test_err_destroy(EBUSY, s2_a);

	/* VIOMMU_ALLOC up to out_viommu_id: the tag is not written. */
	memset(&va, 0xee, sizeof(va));
	va.size = offsetofend(struct vcmdq_viommu_alloc, out_viommu_id);
	va.flags = 0;
	va.instance_id = inst->id;
	va.s2_id = s2_b;
	ASSERT_EQ(0, ioctl(self->fd, VCMDQ_VIOMMU_ALLOC, &va));
	EXPECT_NE(0, va.out_viommu_id);
	EXPECT_NE(0xeeeeeeee, va.out_viommu_id);
	EXPECT_EQ(0xeeeeeeee, va.out_tag);
	EXPECT_EQ(live + 2, vcmdq_live_viommus(self->fd, inst->id));
	test_ioctl_destroy(va.out_viommu_id);
	EXPECT_EQ(live + 1, vcmdq_live_viommus(self->fd, inst->id));

	/* S2_UNMAP up to length: unmaps, out_unmapped not written. */
	test_cmd_s2_map(s2_b, GPA_BASE, mem, PAGE_SIZE);
	memset(&un, 0xee, sizeof(un));
	un.size = offsetofend(struct vcmdq_s2_unmap, length);
	un.flags = 0;
	un.__reserved = 0;
	un.s2_id = s2_b;
	un.gpa = GPA_BASE;
	un.length = PAGE_SIZE;
	ASSERT_EQ(0, ioctl(self->fd, VCMDQ_S2_UNMAP, &un));
	EXPECT_EQ(0xeeeeeeeeeeeeeeeeULL, un.out_unmapped);
	/* It is gone. */
	test_err_s2_unmap(ENOENT, s2_b, GPA_BASE, PAGE_SIZE);
}

/*
 * Every ioctl this header defines, so cmd_fail can tell the numbers the
 * kernel must reject from the ones it knows, whatever the header's age.
 */
static const unsigned int vcmdq_ioctls[] = {
	VCMDQ_DESTROY, VCMDQ_GET_INFO, VCMDQ_S2_ALLOC, VCMDQ_S2_MAP,
	VCMDQ_S2_UNMAP, VCMDQ_VIOMMU_ALLOC,
#ifdef VCMDQ_QUEUE_ALLOC
	VCMDQ_QUEUE_ALLOC,
#endif
#ifdef VCMDQ_VDEVICE_ALLOC
	VCMDQ_VDEVICE_ALLOC,
#endif
#ifdef VCMDQ_EVENTQ_ALLOC
	VCMDQ_EVENTQ_ALLOC,
#endif
#ifdef VCMDQ_KICK
	VCMDQ_KICK,
#endif
#ifdef VCMDQ_TEST
	VCMDQ_TEST,
#endif
#ifdef VCMDQ_INVALIDATE
	VCMDQ_INVALIDATE,
#endif
#ifdef VCMDQ_GET_OBJECTS
	VCMDQ_GET_OBJECTS,
#endif
};

static bool cmd_known(unsigned int nr)
{
	size_t i;

	for (i = 0; i < sizeof(vcmdq_ioctls) / sizeof(vcmdq_ioctls[0]); i++)
		if (_IOC_NR(vcmdq_ioctls[i]) == nr)
			return true;
	return false;
}

/* One past the last command number. */
static unsigned int cmd_next(void)
{
	unsigned int nr = VCMDQ_CMD_BASE;

	while (cmd_known(nr))
		nr++;
	return nr;
}

TEST_F(vcmdq, cmd_fail)
{
	__u8 *pages = alloc_pages(2, PROT_READ | PROT_WRITE, true);
	struct vcmdq_destroy destroy, *d;
	struct vcmdq_viommu_alloc *ro_viommu;
	unsigned int nr;
	struct vcmdq_s2_alloc *ro_alloc;
	struct vcmdq_get_info *ro_info;
	long objects;
	__u32 s2_id;

	ASSERT_NE(NULL, pages);
	test_cmd_s2_alloc(&s2_id);
	destroy = (struct vcmdq_destroy){ .size = sizeof(destroy), .id = s2_id };

	/* Unknown ioctl numbers; none of them may act on the argument. */
	EXPECT_ERRNO(ENOTTY, ioctl(self->fd, _IO(VCMDQ_TYPE,
						 VCMDQ_CMD_BASE - 1),
				   &destroy));
	EXPECT_ERRNO(ENOTTY, ioctl(self->fd, _IO(VCMDQ_TYPE, cmd_next()),
				   &destroy));
	for (nr = VCMDQ_CMD_BASE; nr <= 0xff; nr++) {
		if (!cmd_known(nr)) {
			EXPECT_ERRNO(ENOTTY, ioctl(self->fd,
						   _IO(VCMDQ_TYPE, nr),
						   &destroy));
		}
	}
	/* iommufd's IOMMU_DESTROY, and its number under vcmdq's type */
	EXPECT_ERRNO(ENOTTY, ioctl(self->fd, _IO(';', 0x80), &destroy));
	EXPECT_ERRNO(ENOTTY, ioctl(self->fd, _IO(VCMDQ_TYPE, 0x80), &destroy));
	/* vcmdq's own numbers under iommufd's (and VFIO's) old type */
	EXPECT_ERRNO(ENOTTY, ioctl(self->fd, _IO(';', VCMDQ_CMD_DESTROY),
				   &destroy));
	/* the right number with another type or direction */
	EXPECT_ERRNO(ENOTTY, ioctl(self->fd, _IO('x', VCMDQ_CMD_DESTROY),
				   &destroy));
	EXPECT_ERRNO(ENOTTY, ioctl(self->fd,
				   _IOWR(VCMDQ_TYPE, VCMDQ_CMD_DESTROY,
					 struct vcmdq_destroy),
				   &destroy));
	test_ioctl_destroy(s2_id);	/* still there */
	test_cmd_s2_alloc(&s2_id);

	/* ID 0 never names an object (everything else valid). */
	test_err_destroy(ENOENT, 0);
	test_err_s2_map(ENOENT, 0, GPA_BASE, pages, PAGE_SIZE);
	test_err_s2_unmap(ENOENT, 0, GPA_BASE, PAGE_SIZE);
	test_err_viommu_alloc(ENOENT, 0, s2_id, 0);
	test_err_viommu_alloc(ENOENT, self->info[0].id, 0, 0);

	/* A NULL argument. */
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, VCMDQ_DESTROY, NULL));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, VCMDQ_GET_INFO, NULL));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, VCMDQ_S2_ALLOC, NULL));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, VCMDQ_S2_MAP, NULL));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, VCMDQ_S2_UNMAP, NULL));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, VCMDQ_VIOMMU_ALLOC, NULL));

	/*
	 * A struct that ends at a page boundary followed by an inaccessible
	 * page: fine at its size, EFAULT when size reaches into that page.
	 */
	ASSERT_EQ(0, mprotect(pages + PAGE_SIZE, PAGE_SIZE, PROT_NONE));
	d = (void *)(pages + PAGE_SIZE - sizeof(*d));
	d->id = s2_id;
	d->size = sizeof(*d) + 8;
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, VCMDQ_DESTROY, d));
	d->size = sizeof(*d);
	ASSERT_EQ(0, ioctl(self->fd, VCMDQ_DESTROY, d));
	/* The size field itself unreadable. */
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, VCMDQ_DESTROY, pages + PAGE_SIZE));

	/*
	 * A struct that can be read but not written back: the outputs cannot
	 * be delivered, so the call fails and leaves nothing behind.
	 */
	test_cmd_s2_alloc(&s2_id);	/* the last one was destroyed above */
	ro_alloc = (void *)pages;
	ro_info = (void *)(pages + 64);
	ro_viommu = (void *)(pages + 128);
	memset(pages, 0, 256);
	ro_alloc->size = sizeof(*ro_alloc);
	ro_info->size = sizeof(*ro_info);
	ro_viommu->size = sizeof(*ro_viommu);
	ro_viommu->instance_id = self->info[0].id;
	ro_viommu->s2_id = s2_id;
	ASSERT_EQ(0, mprotect(pages, PAGE_SIZE, PROT_READ));
	objects = live_objects();
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, VCMDQ_S2_ALLOC, ro_alloc));
	EXPECT_EQ(objects, live_objects());
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, VCMDQ_GET_INFO, ro_info));
	/* The vIOMMU, its tag and its slot are all given back. */
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, VCMDQ_VIOMMU_ALLOC, ro_viommu));
	EXPECT_EQ(objects, live_objects());
	EXPECT_EQ(self->info[0].live_viommus,
		  vcmdq_live_viommus(self->fd, self->info[0].id));
	test_ioctl_destroy(s2_id);	/* not held */
	munmap(pages, 2 * PAGE_SIZE);
}

/* -- GET_INFO ------------------------------------------------------------- */

TEST_F(vcmdq, get_info_count)
{
	__u32 num = 0;

	/* num_instances = 0: only the count, a NULL array is fine. */
	ASSERT_EQ(0, _test_cmd_get_info(self->fd, 0, sizeof(struct vcmdq_instance_info),
					&num, NULL));
	EXPECT_EQ(self->num_instances, num);
	/* entry_len is not checked when nothing is written. */
	num = 0;
	test_cmd_get_info(0, &num, NULL);
	EXPECT_EQ(self->num_instances, num);
	num = 0;
	test_cmd_get_info(1, &num, NULL);
	EXPECT_EQ(self->num_instances, num);

	/* A non-zero count needs a valid array. */
	num = 1;
	test_err_get_info(EFAULT, 0, sizeof(struct vcmdq_instance_info), &num,
			  NULL);
}

TEST_F(vcmdq, get_info_instances)
{
	long param_tag_bits = param_read("tag_bits");
	struct vcmdq_instance_info other[VCMDQ_MAX_INSTANCES];
	char flavors[VCMDQ_MAX_INSTANCES * 16] = "", param[sizeof(flavors)];
	size_t used = 0;
	bool all_emulated = true;
	int i, fd;

	for (i = 0; i < self->num_instances; i++) {
		const struct vcmdq_instance_info *in = &self->info[i];
		__u32 tags;

		TH_LOG("instance %u: %s caps %#llx data %#x tag_bits %u max_viommus %u queues %u log2size %u vsids %u live %u",
		       in->id, vcmdq_flavor_name(in->flavor),
		       (unsigned long long)in->caps, in->data_types,
		       in->tag_bits, in->max_viommus, in->queues_per_viommu,
		       in->max_queue_log2size, in->vsids_per_viommu,
		       in->live_viommus);

		/* IDs from 1, in order */
		EXPECT_EQ(i + 1, in->id);
		EXPECT_LE(VCMDQ_FLAVOR_TEGRA241_CMDQV, in->flavor);
		EXPECT_GE(VCMDQ_FLAVOR_VTD, in->flavor);
		EXPECT_EQ(0, in->caps & ~(__u64)(VCMDQ_INSTANCE_CAP_FAST_QUEUES |
						 VCMDQ_INSTANCE_CAP_EMULATED |
						 VCMDQ_INSTANCE_CAP_AMD_INV_ALL |
						 VCMDQ_INSTANCE_CAP_VTD_DESC_256 |
						 VCMDQ_INSTANCE_CAP_QUEUE_NONCONTIG |
						 VCMDQ_INSTANCE_CAP_HOST));
		EXPECT_EQ(0, in->data_types & (1U << VCMDQ_DATA_DEFAULT));
		EXPECT_NE(0, in->data_types);
		EXPECT_EQ(0, in->__reserved);
		EXPECT_EQ(0, in->__reserved2);
		/* An entry size for exactly the data types accepted. */
		for (__u32 t = 0; t < VCMDQ_DATA_TYPES_MAX; t++) {
			if (in->data_types & (1U << t)) {
				EXPECT_LE(16, in->data_entry_len[t]);
				EXPECT_GE(VCMDQ_INVALIDATE_MAX_ENTRY_LEN,
					  in->data_entry_len[t]);
			} else {
				EXPECT_EQ(0, in->data_entry_len[t]);
			}
		}
		if (in->flavor != VCMDQ_FLAVOR_VTD) {
			EXPECT_EQ(0, in->vtd_max_am);
			EXPECT_EQ(0, in->caps & VCMDQ_INSTANCE_CAP_VTD_DESC_256);
		}
		ASSERT_LE(1, in->tag_bits);
		ASSERT_GE(31, in->tag_bits);
		tags = (1U << in->tag_bits) - 1;
		EXPECT_LE(1, in->max_viommus);
		EXPECT_GE(tags, in->max_viommus);
		EXPECT_GE(in->max_viommus, in->live_viommus);
		if (!(in->caps & VCMDQ_INSTANCE_CAP_FAST_QUEUES)) {
			EXPECT_EQ(0, in->queues_per_viommu);
			EXPECT_EQ(0, in->caps &
				     VCMDQ_INSTANCE_CAP_QUEUE_NONCONTIG);
		}

		if (!(in->caps & VCMDQ_INSTANCE_CAP_EMULATED)) {
			all_emulated = false;
			continue;
		}
		/*
		 * A mirror of the VM's own IOMMU (after the synthetic ones):
		 * its limits are the unit's, vcmdq_topology_test checks them.
		 */
		if (in->caps & VCMDQ_INSTANCE_CAP_HOST)
			continue;
		EXPECT_EQ(0, in->host_iommu[0]);
		/* What the emulated flavors promise. */
		if (param_tag_bits >= 0) {
			EXPECT_EQ(param_tag_bits, in->tag_bits);
		}
		EXPECT_TRUE(in->tag_bits == 8 || in->tag_bits == 16);
		switch (in->flavor) {
		case VCMDQ_FLAVOR_TEGRA241_CMDQV:
			/* Discontiguous queues unless queue_contiguous=1. */
			EXPECT_EQ(VCMDQ_INSTANCE_CAP_FAST_QUEUES |
				  VCMDQ_INSTANCE_CAP_EMULATED |
				  (param_read_bool("queue_contiguous") == 0 ?
				   VCMDQ_INSTANCE_CAP_QUEUE_NONCONTIG : 0),
				  in->caps);
			EXPECT_EQ(1U << VCMDQ_DATA_SMMUV3, in->data_types);
			EXPECT_EQ(16, in->data_entry_len[VCMDQ_DATA_SMMUV3]);
			/* VINTF0 is the host's */
			EXPECT_EQ(15, in->max_viommus);
			EXPECT_EQ(8, in->queues_per_viommu);
			EXPECT_EQ(19, in->max_queue_log2size);
			EXPECT_EQ(16, in->vsids_per_viommu);
			break;
		case VCMDQ_FLAVOR_SMMUV3:
		case VCMDQ_FLAVOR_AMD_VI:
		case VCMDQ_FLAVOR_VTD:
			/*
			 * The emulated AMD-Vi advertises INVALIDATE_ALL, the
			 * emulated VT-d 256-bit descriptors and QEMU's MAMV.
			 */
			EXPECT_EQ(VCMDQ_INSTANCE_CAP_EMULATED |
				  (in->flavor == VCMDQ_FLAVOR_AMD_VI ?
				   VCMDQ_INSTANCE_CAP_AMD_INV_ALL : 0) |
				  (in->flavor == VCMDQ_FLAVOR_VTD ?
				   VCMDQ_INSTANCE_CAP_VTD_DESC_256 : 0), in->caps);
			EXPECT_EQ(in->flavor == VCMDQ_FLAVOR_VTD ? 18 : 0,
				  in->vtd_max_am);
			EXPECT_EQ(1U << (in->flavor == VCMDQ_FLAVOR_SMMUV3 ?
					 VCMDQ_DATA_SMMUV3 :
					 in->flavor == VCMDQ_FLAVOR_AMD_VI ?
					 VCMDQ_DATA_AMD_VI : VCMDQ_DATA_VTD),
				  in->data_types);
			/* SMMUv3, AMD-Vi, 128-bit VT-d: all 16 bytes. */
			EXPECT_EQ(16, in->data_entry_len[in->flavor == VCMDQ_FLAVOR_SMMUV3 ?
							 VCMDQ_DATA_SMMUV3 :
							 in->flavor == VCMDQ_FLAVOR_AMD_VI ?
							 VCMDQ_DATA_AMD_VI : VCMDQ_DATA_VTD]);
			EXPECT_EQ(tags, in->max_viommus);
			EXPECT_EQ(0, in->queues_per_viommu);
			EXPECT_EQ(0, in->max_queue_log2size);
			EXPECT_EQ(256, in->vsids_per_viommu);
			break;
		}
		used += snprintf(flavors + used, sizeof(flavors) - used, "%s%s",
				 used ? "," : "", vcmdq_flavor_name(in->flavor));
	}
	/* The host instances follow the synthetic ones. */
	for (i = 1; i < self->num_instances; i++)
		if (self->info[i - 1].caps & VCMDQ_INSTANCE_CAP_HOST)
			EXPECT_TRUE(self->info[i].caps & VCMDQ_INSTANCE_CAP_HOST);

	/* The instances module parameter lists the emulated ones in order. */
	fd = open(VCMDQ_PARAMS "instances", O_RDONLY);
	if (fd >= 0 && all_emulated) {
		ssize_t n = read(fd, param, sizeof(param) - 1);

		ASSERT_LT(0, n);
		param[n] = 0;
		param[strcspn(param, "\n")] = 0;
		EXPECT_STREQ(param, flavors);
	}
	if (fd >= 0)
		close(fd);

	/* The same answer from a second file. */
	self->fd2 = vcmdq_open_dev();
	ASSERT_LE(0, self->fd2);
	ASSERT_EQ(self->num_instances, vcmdq_instances(self->fd2, other));
	EXPECT_EQ(0, memcmp(other, self->info,
			    self->num_instances * sizeof(*other)));
}

TEST_F(vcmdq, get_info_entry_len)
{
	const size_t esz = sizeof(struct vcmdq_instance_info);
	const int n = self->num_instances;
	size_t lens[] = { INFO_MIN_LEN,
			  offsetofend(struct vcmdq_instance_info, live_viommus),
			  esz + 1, esz + 8, esz + 24, 256 };
	__u8 *buf;
	__u32 num;
	size_t k;
	int i;

	/* Shorter than the mandatory part, with something to write */
	num = n;
	buf = calloc(n, 512);
	ASSERT_NE(NULL, buf);
	test_err_get_info(EINVAL, 0, INFO_MIN_LEN - 1, &num, buf);
	num = n;
	test_err_get_info(EINVAL, 0, 8, &num, buf);
	num = n;
	test_err_get_info(EINVAL, 0, 0, &num, buf);
	num = 1;
	test_err_get_info(EINVAL, 0, INFO_MIN_LEN - 1, &num, buf);

	for (k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
		size_t len = lens[k], copy = MIN(len, esz);
		size_t total = n * len + 64;

		memset(buf, 0xff, total);
		num = n;
		test_cmd_get_info(len, &num, buf);
		EXPECT_EQ(n, num);
		for (i = 0; i < n; i++) {
			__u8 *e = buf + i * len;
			size_t j;

			/* The known part, truncated to len. */
			EXPECT_EQ(0, memcmp(e, &self->info[i], copy))
				TH_LOG("entry %d, entry_len %zu", i, len);
			/* A longer entry gets its tail zeroed. */
			for (j = copy; j < len; j++)
				if (e[j])
					break;
			EXPECT_EQ(len, j)
				TH_LOG("entry %d, entry_len %zu: byte %zu not zeroed",
				       i, len, j);
		}
		/* Nothing past the last entry. */
		for (i = n * len; i < (int)total; i++)
			if (buf[i] != 0xff)
				break;
		EXPECT_EQ(total, i) TH_LOG("entry_len %zu: wrote past the array", len);
	}
	free(buf);
}

TEST_F(vcmdq, get_info_short_buffer)
{
	const size_t esz = sizeof(struct vcmdq_instance_info);
	const int n = self->num_instances;
	struct vcmdq_instance_info buf[VCMDQ_MAX_INSTANCES + 2];
	__u32 num;
	int i;

	/* Room for one: one written, the total reported. */
	memset(buf, 0xff, sizeof(buf));
	num = 1;
	test_cmd_get_info(esz, &num, buf);
	EXPECT_EQ(n, num);
	EXPECT_EQ(0, memcmp(&buf[0], &self->info[0], esz));
	for (i = esz; i < (int)sizeof(buf); i++)
		if (((__u8 *)buf)[i] != 0xff)
			break;
	EXPECT_EQ(sizeof(buf), i) TH_LOG("byte %d written", i);

	/* Room for more than there are: n written. */
	memset(buf, 0xff, sizeof(buf));
	num = n + 2;
	test_cmd_get_info(esz, &num, buf);
	EXPECT_EQ(n, num);
	EXPECT_EQ(0, memcmp(buf, self->info, n * esz));
	for (i = n * esz; i < (int)sizeof(buf); i++)
		if (((__u8 *)buf)[i] != 0xff)
			break;
	EXPECT_EQ(sizeof(buf), i) TH_LOG("byte %d written", i);
}

TEST_F(vcmdq, get_info_flags)
{
	struct vcmdq_instance_info buf[VCMDQ_MAX_INSTANCES];
	__u32 num;

	num = 0;
	test_err_get_info(EOPNOTSUPP, 1, 0, &num, NULL);
	num = 0;
	test_err_get_info(EOPNOTSUPP, 1U << 31, 0, &num, NULL);
	num = VCMDQ_MAX_INSTANCES;
	test_err_get_info(EOPNOTSUPP, 1, sizeof(buf[0]), &num, buf);
}

/* GET_INFO with its device list; @size covers the device fields. */
static int get_devices(int fd, __u32 entry_len, __u32 *num, void *devices)
{
	struct vcmdq_get_info cmd = {
		.size = sizeof(cmd),
		.device_entry_len = entry_len,
		.num_devices = *num,
		.devices_uptr = (uintptr_t)devices,
	};

	if (ioctl(fd, VCMDQ_GET_INFO, &cmd))
		return -1;
	*num = cmd.num_devices;
	return 0;
}

/*
 * The devices behind the instances, as the "devices" module parameter
 * placed them, grouped by instance, in the parameter's order within each;
 * then those of the host instances (vcmdq_topology_test checks them).
 */
TEST_F(vcmdq, get_info_devices)
{
	const size_t dsz = sizeof(struct vcmdq_device_info);
	const size_t lens[] = { dsz, dsz + 4, dsz + 24 };
	struct pdev params[64], want[64];
	__u8 buf[64 * (sizeof(struct vcmdq_device_info) + 24) + 64];
	int nparam, nwant = 0, i, k;
	__u32 num, inst, nsynth = 0, nhost;

	while (nsynth < (__u32)self->num_instances &&
	       !(self->info[nsynth].caps & VCMDQ_INSTANCE_CAP_HOST))
		nsynth++;
	nparam = param_devices(0, params, 64);
	for (inst = 1; inst <= nsynth; inst++)
		for (i = 0; i < nparam; i++)
			if (params[i].inst == inst)
				want[nwant++] = params[i];
	TH_LOG("%d devices behind the synthetic instances", nwant);

	/* The count alone, with a NULL array, whatever the entry length. */
	num = 0;
	ASSERT_EQ(0, get_devices(self->fd, 0, &num, NULL));
	ASSERT_LE(nwant, num);
	nhost = num - nwant;
	ASSERT_GE(64, num);
	if (nsynth == (__u32)self->num_instances)
		EXPECT_EQ(0, nhost);

	for (k = 0; k < (int)(sizeof(lens) / sizeof(lens[0])); k++) {
		const size_t len = lens[k];

		memset(buf, 0xff, sizeof(buf));
		num = 64;
		ASSERT_EQ(0, get_devices(self->fd, len, &num, buf));
		ASSERT_EQ(nwant + nhost, num);
		for (i = nwant; i < (int)num; i++)
			EXPECT_LT(nsynth, ((const struct vcmdq_device_info *)
					   (buf + i * len))->instance_id);
		for (i = 0; i < nwant; i++) {
			const struct vcmdq_device_info *d =
				(const void *)(buf + i * len);
			size_t j;

			EXPECT_EQ(want[i].inst, d->instance_id);
			EXPECT_EQ(want[i].pci, d->pci_device)
				TH_LOG("device %d: %s", i, want[i].bdf);
			/* Synthetic: the requester ID, segment above it. */
			EXPECT_EQ(want[i].pci, d->phys_id);
			EXPECT_EQ(0, d->__reserved);
			for (j = dsz; j < len; j++)
				EXPECT_EQ(0, buf[i * len + j]);
		}
		for (i = num * len; i < (int)sizeof(buf); i++)
			if (buf[i] != 0xff)
				break;
		EXPECT_EQ(sizeof(buf), i) TH_LOG("wrote past the array");
	}

	/* Room for one: one written, the total reported. */
	if (nwant + nhost) {
		memset(buf, 0xff, sizeof(buf));
		num = 1;
		ASSERT_EQ(0, get_devices(self->fd, dsz, &num, buf));
		EXPECT_EQ(nwant + nhost, num);
		for (i = dsz; i < (int)sizeof(buf); i++)
			if (buf[i] != 0xff)
				break;
		EXPECT_EQ(sizeof(buf), i);
		num = 1;
		EXPECT_ERRNO(EFAULT, get_devices(self->fd, dsz, &num, NULL));
	}

	/* Entry lengths: below the struct, above a page. */
	num = 1;
	EXPECT_ERRNO(EINVAL, get_devices(self->fd,
					 offsetofend(struct vcmdq_device_info,
						     pci_device) - 1,
					 &num, buf));
	num = 1;
	EXPECT_ERRNO(EINVAL, get_devices(self->fd, 0, &num, buf));
	num = 1;
	EXPECT_ERRNO(EINVAL, get_devices(self->fd, PAGE_SIZE + 1, &num, buf));
	/* A caller that predates the device fields: see old_layouts. */
}

/*
 * A program built with an older uapi/linux/vcmdq.h passes the structs as
 * they were before fields were appended (git log -p uapi/linux/vcmdq.h):
 * GET_INFO without the device fields and with 48-byte instance entries
 * (no data_entry_len, vtd_max_am), VIOMMU_ALLOC without out_mmap_offset
 * and out_mmap_length.  Each is accepted, answers the old fields as the
 * full layout does, asks for nothing new (no device table), and writes
 * nothing past the old size.
 */
#define OLD_GET_INFO_SIZE	offsetof(struct vcmdq_get_info, device_entry_len)
#define OLD_INFO_LEN		offsetof(struct vcmdq_instance_info, data_entry_len)
#define OLD_VIOMMU_ALLOC_SIZE	offsetof(struct vcmdq_viommu_alloc, out_mmap_offset)

TEST_F(vcmdq, old_layouts)
{
	const int n = self->num_instances;
	union {
		struct vcmdq_get_info gi;
		struct vcmdq_viommu_alloc va;
		__u8 raw[128];
	} c;
	__u8 *buf = malloc(n * OLD_INFO_LEN + 64);
	__u32 s2_id;
	size_t j;
	int i;

	ASSERT_NE(NULL, buf);

	/* GET_INFO: the count, then the entries. */
	memset(&c, 0xee, sizeof(c));
	c.gi = (struct vcmdq_get_info){ .size = OLD_GET_INFO_SIZE };
	memset(c.raw + OLD_GET_INFO_SIZE, 0xee, sizeof(c) - OLD_GET_INFO_SIZE);
	ASSERT_EQ(0, ioctl(self->fd, VCMDQ_GET_INFO, &c));
	EXPECT_EQ(n, c.gi.num_instances);
	memset(buf, 0xff, n * OLD_INFO_LEN + 64);
	c.gi.entry_len = OLD_INFO_LEN;
	c.gi.instances_uptr = (uintptr_t)buf;
	ASSERT_EQ(0, ioctl(self->fd, VCMDQ_GET_INFO, &c));
	EXPECT_EQ(n, c.gi.num_instances);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(0, memcmp(buf + i * OLD_INFO_LEN, &self->info[i],
				    OLD_INFO_LEN))
			TH_LOG("instance %d", i);
	}
	for (j = n * OLD_INFO_LEN; j < n * OLD_INFO_LEN + 64; j++)
		if (buf[j] != 0xff)
			break;
	EXPECT_EQ(n * OLD_INFO_LEN + 64, j) TH_LOG("wrote past the entries");
	for (j = OLD_GET_INFO_SIZE; j < sizeof(c); j++)
		if (c.raw[j] != 0xee)
			break;
	EXPECT_EQ(sizeof(c), j) TH_LOG("wrote past the old struct");

	/* VIOMMU_ALLOC, on each instance: ID and tag, nothing after. */
	test_cmd_s2_alloc(&s2_id);
	for (i = 0; i < n; i++) {
		const struct vcmdq_instance_info *in = &self->info[i];
		long live = vcmdq_live_viommus(self->fd, in->id);

		memset(&c, 0xee, sizeof(c));
		c.va = (struct vcmdq_viommu_alloc){
			.size = OLD_VIOMMU_ALLOC_SIZE,
			.instance_id = in->id,
			.s2_id = s2_id,
		};
		memset(c.raw + OLD_VIOMMU_ALLOC_SIZE, 0xee,
		       sizeof(c) - OLD_VIOMMU_ALLOC_SIZE);
		ASSERT_EQ(0, ioctl(self->fd, VCMDQ_VIOMMU_ALLOC, &c))
			TH_LOG("instance %u: %s", in->id, strerror(errno));
		EXPECT_NE(0, c.va.out_viommu_id);
		EXPECT_NE(0, c.va.out_tag);
		EXPECT_NE(0xeeeeeeee, c.va.out_tag);
		for (j = OLD_VIOMMU_ALLOC_SIZE; j < sizeof(c); j++)
			if (c.raw[j] != 0xee)
				break;
		EXPECT_EQ(sizeof(c), j)
			TH_LOG("instance %u: wrote past the old struct", in->id);
		EXPECT_EQ(live + 1, vcmdq_live_viommus(self->fd, in->id));
		/* A full-layout caller sees the same vIOMMU: EEXIST. */
		test_err_viommu_alloc(EEXIST, in->id, s2_id, 0);
		/* Nothing maps its control region: it destroys at once. */
		test_ioctl_destroy(c.va.out_viommu_id);
		EXPECT_EQ(live, vcmdq_live_viommus(self->fd, in->id));
	}
	test_ioctl_destroy(s2_id);
	free(buf);
}

TEST_F(vcmdq, get_info_efault)
{
	__u8 *ro = alloc_pages(1, PROT_READ, false);
	__u32 num;

	ASSERT_NE(NULL, ro);
	num = 1;
	test_err_get_info(EFAULT, 0, sizeof(struct vcmdq_instance_info), &num,
			  ro);
	num = 1;
	test_err_get_info(EFAULT, 0, sizeof(struct vcmdq_instance_info), &num,
			  (void *)(uintptr_t)-PAGE_SIZE);
	munmap(ro, PAGE_SIZE);
}

/* -- S2_ALLOC and DESTROY ------------------------------------------------- */

TEST_F(vcmdq, s2_alloc)
{
	long objects = live_objects();
	struct vcmdq_s2_alloc cmd;
	__u32 ids[8];
	int i, j;

	for (i = 0; i < 8; i++) {
		test_cmd_s2_alloc(&ids[i]);
		ASSERT_NE(0, ids[i]);
		for (j = 0; j < i; j++) {
			ASSERT_NE(ids[j], ids[i]);
		}
		ASSERT_EQ(objects + i + 1, live_objects());
	}
	/* IDs start at 1 in a new file. */
	EXPECT_EQ(1, ids[0]);

	test_err_s2_alloc(EOPNOTSUPP, 1, NULL);
	test_err_s2_alloc(EOPNOTSUPP, 1U << 31, NULL);
	cmd = (struct vcmdq_s2_alloc){ .size = sizeof(cmd), .__reserved = 1 };
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, VCMDQ_S2_ALLOC, &cmd));
	ASSERT_EQ(objects + 8, live_objects());

	/* out_s2_id is an output: whatever is in it on input is ignored. */
	cmd = (struct vcmdq_s2_alloc){ .size = sizeof(cmd), .out_s2_id = ids[0] };
	ASSERT_EQ(0, ioctl(self->fd, VCMDQ_S2_ALLOC, &cmd));
	EXPECT_NE(ids[0], cmd.out_s2_id);
	test_ioctl_destroy(cmd.out_s2_id);

	for (i = 0; i < 8; i++) {
		test_ioctl_destroy(ids[i]);
		ASSERT_EQ(objects + 7 - i, live_objects());
	}
}

TEST_F(vcmdq, destroy)
{
	__u8 *mem = alloc_pages(1, PROT_READ | PROT_WRITE, true);
	__u32 s2_id, viommu_id;

	ASSERT_NE(NULL, mem);
	test_err_destroy(ENOENT, 0);
	test_err_destroy(ENOENT, 1);
	test_err_destroy(ENOENT, UINT32_MAX);
	test_err_destroy(ENOENT, 1U << 31);

	test_cmd_s2_alloc(&s2_id);
	test_ioctl_destroy(s2_id);
	test_err_destroy(ENOENT, s2_id);
	/* A destroyed S2 is gone for every ioctl. */
	test_err_s2_map(ENOENT, s2_id, GPA_BASE, mem, PAGE_SIZE);
	test_err_s2_unmap(ENOENT, s2_id, GPA_BASE, PAGE_SIZE);
	test_err_viommu_alloc(ENOENT, self->info[0].id, s2_id, 0);

	/* DESTROY takes any type. */
	test_cmd_s2_alloc(&s2_id);
	test_cmd_viommu_alloc(self->info[0].id, s2_id, &viommu_id, NULL);
	ASSERT_NE(s2_id, viommu_id);
	test_ioctl_destroy(viommu_id);
	test_err_destroy(ENOENT, viommu_id);
	test_ioctl_destroy(s2_id);
}

TEST_F(vcmdq, destroy_busy)
{
	const int n = self->num_instances;
	long objects = live_objects();
	__u32 s2_id, viommu_id[VCMDQ_MAX_INSTANCES];
	int i;

	test_cmd_s2_alloc(&s2_id);
	/* One S2 held by a vIOMMU on every instance. */
	for (i = 0; i < n; i++) {
		test_cmd_viommu_alloc(self->info[i].id, s2_id, &viommu_id[i],
				      NULL);
	}
	ASSERT_EQ(objects + 1 + n, live_objects());
	for (i = 0; i < n; i++) {
		/* EBUSY changes nothing. */
		test_err_destroy(EBUSY, s2_id);
		ASSERT_EQ(objects + 1 + n - i, live_objects());
		test_ioctl_destroy(viommu_id[i]);
	}
	test_ioctl_destroy(s2_id);
	ASSERT_EQ(objects, live_objects());
}

/*
 * An S2 that still has mappings (but no vIOMMU) can be destroyed: its
 * mappings go with it, unpinned.
 */
TEST_F(vcmdq, destroy_s2_with_mappings)
{
	__u8 *mem = alloc_pages(4, PROT_READ | PROT_WRITE, true);
	long pinned = pinned_pages();
	__u32 s2_id;

	ASSERT_NE(NULL, mem);
	test_cmd_s2_alloc(&s2_id);
	test_cmd_s2_map(s2_id, GPA_BASE, mem, 2 * PAGE_SIZE);
	test_cmd_s2_map(s2_id, GPA_BASE + 8 * PAGE_SIZE, mem + 2 * PAGE_SIZE,
			2 * PAGE_SIZE);
	ASSERT_EQ(pinned + 4, pinned_pages());
	test_ioctl_destroy(s2_id);
	ASSERT_EQ(pinned, pinned_pages());
}

/* -- contexts: each open file is a separate VM --------------------------- */

TEST_F(vcmdq, contexts_independent)
{
	__u8 *mem = alloc_pages(4, PROT_READ | PROT_WRITE, true);
	const struct vcmdq_instance_info *inst = &self->info[0];
	__u32 a[3], b, va, vb, ta, tb;
	long pinned = pinned_pages();
	long live = vcmdq_live_viommus(self->fd, inst->id);
	__u64 unmapped = 0;
	int fd2;

	ASSERT_NE(NULL, mem);
	self->fd2 = fd2 = vcmdq_open_dev();
	ASSERT_LE(0, fd2);
	ASSERT_EQ(self->base.contexts + 2, vcmdq_counter("contexts"));

	/* Both files number from 1. */
	test_cmd_s2_alloc(&a[0]);
	test_cmd_s2_alloc(&a[1]);
	test_cmd_s2_alloc(&a[2]);
	ASSERT_EQ(0, _test_cmd_s2_alloc(fd2, 0, &b));
	EXPECT_EQ(1, a[0]);
	EXPECT_EQ(1, b);

	/* The same GPA in both: two S2s, no overlap. */
	test_cmd_s2_map(a[0], GPA_BASE, mem, 2 * PAGE_SIZE);
	ASSERT_EQ(0, _test_cmd_s2_map(fd2, b, VCMDQ_S2_MAP_RW, GPA_BASE,
				      mem + 2 * PAGE_SIZE, 2 * PAGE_SIZE));
	ASSERT_EQ(pinned + 4, pinned_pages());

	/* A vIOMMU per VM on one instance: two tags. */
	test_cmd_viommu_alloc(inst->id, a[0], &va, &ta);
	ASSERT_EQ(0, _test_cmd_viommu_alloc(fd2, inst->id, b, 0, &vb, &tb, NULL,
					    NULL));
	EXPECT_NE(ta, tb);
	/* Either file sees both in live_viommus (over all files). */
	EXPECT_EQ(live + 2, vcmdq_live_viommus(self->fd, inst->id));
	EXPECT_EQ(live + 2, vcmdq_live_viommus(fd2, inst->id));

	/* IDs of one file mean nothing in the other. */
	EXPECT_ERRNO(ENOENT, _test_ioctl_destroy(fd2, a[2]));
	EXPECT_ERRNO(ENOENT, _test_cmd_s2_map(fd2, a[2], VCMDQ_S2_MAP_RW,
					      GPA_BASE, mem, PAGE_SIZE));
	test_ioctl_destroy(a[2]);

	/* Tear down VM 1; VM 2's objects named by the same IDs live on. */
	test_ioctl_destroy(va);
	test_ioctl_destroy(a[0]);
	test_err_destroy(ENOENT, a[0]);
	ASSERT_EQ(pinned + 2, pinned_pages());
	EXPECT_ERRNO(EBUSY, _test_ioctl_destroy(fd2, b));
	EXPECT_ERRNO(EEXIST, _test_cmd_viommu_alloc(fd2, inst->id, b, 0,
						    NULL, NULL, NULL, NULL));
	ASSERT_EQ(0, _test_cmd_s2_unmap(fd2, b, GPA_BASE, 2 * PAGE_SIZE,
					&unmapped));
	EXPECT_EQ(2 * PAGE_SIZE, unmapped);
	ASSERT_EQ(pinned, pinned_pages());
	ASSERT_EQ(0, _test_ioctl_destroy(fd2, vb));
	ASSERT_EQ(0, _test_ioctl_destroy(fd2, b));
	EXPECT_EQ(live, vcmdq_live_viommus(self->fd, inst->id));

	close_fd(&self->fd2);
	ASSERT_EQ(self->base.contexts + 1, vcmdq_counter("contexts"));
}

/* Closing a file with objects, mappings and vIOMMUs leaves nothing behind. */
TEST_F(vcmdq, close_releases_everything)
{
	__u8 *mem = alloc_pages(16, PROT_READ | PROT_WRITE, true);
	struct vcmdq_instance_info before[VCMDQ_MAX_INSTANCES];
	struct vcmdq_instance_info after[VCMDQ_MAX_INSTANCES];
	struct vcmdq_counters c0, c1;
	const int n = self->num_instances;
	__u32 s2_a, s2_b;
	int fd2, i;

	ASSERT_NE(NULL, mem);
	vcmdq_read_counters(&c0);
	ASSERT_EQ(n, vcmdq_instances(self->fd, before));

	self->fd2 = fd2 = vcmdq_open_dev();
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, _test_cmd_s2_alloc(fd2, 0, &s2_a));
	ASSERT_EQ(0, _test_cmd_s2_alloc(fd2, 0, &s2_b));
	ASSERT_EQ(0, _test_cmd_s2_map(fd2, s2_a, VCMDQ_S2_MAP_RW, GPA_BASE,
				      mem, 8 * PAGE_SIZE));
	ASSERT_EQ(0, _test_cmd_s2_map(fd2, s2_a, VCMDQ_S2_MAP_READ,
				      GPA_BASE + 16 * PAGE_SIZE,
				      mem + 8 * PAGE_SIZE, 4 * PAGE_SIZE));
	ASSERT_EQ(0, _test_cmd_s2_map(fd2, s2_b, VCMDQ_S2_MAP_RW, GPA_BASE,
				      mem + 12 * PAGE_SIZE, 4 * PAGE_SIZE));
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, _test_cmd_viommu_alloc(fd2, before[i].id, s2_a, 0,
						    NULL, NULL, NULL, NULL));
	}
	ASSERT_EQ(0, _test_cmd_viommu_alloc(fd2, before[0].id, s2_b, 0, NULL,
					    NULL, NULL, NULL));

	vcmdq_read_counters(&c1);
	EXPECT_EQ(c0.contexts + 1, c1.contexts);
	EXPECT_EQ(c0.live_objects + 2 + n + 1, c1.live_objects);
	EXPECT_EQ(c0.pinned_pages + 16, c1.pinned_pages);
	ASSERT_EQ(n, vcmdq_instances(self->fd, after));
	for (i = 0; i < n; i++) {
		EXPECT_EQ(before[i].live_viommus + 1 + !i,
			  after[i].live_viommus);
	}

	/* The VMM's own mapping may go first: the pins stay until close. */
	ASSERT_EQ(0, munmap(mem, 16 * PAGE_SIZE));
	EXPECT_EQ(c1.pinned_pages, pinned_pages());

	close_fd(&self->fd2);
	vcmdq_read_counters(&c1);
	EXPECT_COUNTERS_EQ(&c0, &c1);
	ASSERT_EQ(n, vcmdq_instances(self->fd, after));
	for (i = 0; i < n; i++) {
		EXPECT_EQ(before[i].live_viommus, after[i].live_viommus);
	}
}

/* -- RLIMIT_MEMLOCK -------------------------------------------------------- */

TEST_F(vcmdq, memlock_limit)
{
	const unsigned long limit_pages = 8;
	__u8 *mem = alloc_pages(32, PROT_READ | PROT_WRITE, true);
	long pinned = pinned_pages();
	__u64 unmapped = 0;
	struct rlimit rl;
	long pin0;
	__u32 s2_id;
	int fd;

	ASSERT_NE(NULL, mem);
	/* The harness runs each test in its own process: drop it for good. */
	ASSERT_EQ(0, cap_drop_effective(CAP_IPC_LOCK));
	ASSERT_FALSE(cap_effective(CAP_IPC_LOCK));
	pin0 = vm_pinned_bytes();
	ASSERT_LE(0, pin0);
	/*
	 * The limit bounds the user's pins (root's: nothing else pins as root
	 * without CAP_IPC_LOCK while the tests run); VmPin shows this
	 * process's.
	 */
	rl.rlim_cur = rl.rlim_max = limit_pages * PAGE_SIZE;
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &rl));

	/* A file opened without CAP_IPC_LOCK, by this process. */
	self->fd2 = fd = vcmdq_open_dev();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, _test_cmd_s2_alloc(fd, 0, &s2_id));

	/* A mapping larger than the whole limit. */
	EXPECT_ERRNO(ENOMEM, _test_cmd_s2_map(fd, s2_id, VCMDQ_S2_MAP_RW,
					      GPA_BASE, mem,
					      (limit_pages + 1) * PAGE_SIZE));
	EXPECT_EQ(pin0, vm_pinned_bytes());
	ASSERT_EQ(pinned, pinned_pages());

	/* Up to the limit, exactly. */
	ASSERT_EQ(0, _test_cmd_s2_map(fd, s2_id, VCMDQ_S2_MAP_RW, GPA_BASE,
				      mem, 4 * PAGE_SIZE));
	EXPECT_EQ(pin0 + 4 * PAGE_SIZE, vm_pinned_bytes());
	ASSERT_EQ(0, _test_cmd_s2_map(fd, s2_id, VCMDQ_S2_MAP_READ,
				      GPA_BASE + 4 * PAGE_SIZE,
				      mem + 4 * PAGE_SIZE, 4 * PAGE_SIZE));
	EXPECT_EQ(pin0 + 8 * PAGE_SIZE, vm_pinned_bytes());
	ASSERT_EQ(pinned + 8, pinned_pages());

	/* One page past it: ENOMEM, nothing pinned or charged. */
	EXPECT_ERRNO(ENOMEM, _test_cmd_s2_map(fd, s2_id, VCMDQ_S2_MAP_RW,
					      GPA_BASE + 8 * PAGE_SIZE,
					      mem + 8 * PAGE_SIZE, PAGE_SIZE));
	EXPECT_EQ(pin0 + 8 * PAGE_SIZE, vm_pinned_bytes());
	ASSERT_EQ(pinned + 8, pinned_pages());
	/* The range is free after the failure. */
	EXPECT_ERRNO(ENOENT, _test_cmd_s2_unmap(fd, s2_id,
						GPA_BASE + 8 * PAGE_SIZE,
						PAGE_SIZE, NULL));

	/* Unmap returns the charge: the same amount can be mapped again. */
	ASSERT_EQ(0, _test_cmd_s2_unmap(fd, s2_id, GPA_BASE + 4 * PAGE_SIZE,
					4 * PAGE_SIZE, &unmapped));
	EXPECT_EQ(4 * PAGE_SIZE, unmapped);
	EXPECT_EQ(pin0 + 4 * PAGE_SIZE, vm_pinned_bytes());
	ASSERT_EQ(pinned + 4, pinned_pages());
	EXPECT_ERRNO(ENOMEM, _test_cmd_s2_map(fd, s2_id, VCMDQ_S2_MAP_RW,
					      GPA_BASE + 16 * PAGE_SIZE,
					      mem + 16 * PAGE_SIZE,
					      5 * PAGE_SIZE));
	ASSERT_EQ(0, _test_cmd_s2_map(fd, s2_id, VCMDQ_S2_MAP_RW,
				      GPA_BASE + 16 * PAGE_SIZE,
				      mem + 16 * PAGE_SIZE, 4 * PAGE_SIZE));
	EXPECT_EQ(pin0 + 8 * PAGE_SIZE, vm_pinned_bytes());

	/* Close returns the whole charge. */
	close_fd(&self->fd2);
	EXPECT_EQ(pin0, vm_pinned_bytes());
	ASSERT_EQ(pinned, pinned_pages());

	/* ... so a new file can pin up to the limit again. */
	self->fd2 = fd = vcmdq_open_dev();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, _test_cmd_s2_alloc(fd, 0, &s2_id));
	ASSERT_EQ(0, _test_cmd_s2_map(fd, s2_id, VCMDQ_S2_MAP_RW, GPA_BASE,
				      mem, limit_pages * PAGE_SIZE));
	EXPECT_EQ(pin0 + limit_pages * PAGE_SIZE, vm_pinned_bytes());
	/* Destroying the S2 returns it too. */
	ASSERT_EQ(0, _test_ioctl_destroy(fd, s2_id));
	EXPECT_EQ(pin0, vm_pinned_bytes());
	ASSERT_EQ(pinned, pinned_pages());
}

/* With CAP_IPC_LOCK, RLIMIT_MEMLOCK does not limit S2_MAP. */
TEST_F(vcmdq, memlock_cap_ipc_lock)
{
	__u8 *mem = alloc_pages(8, PROT_READ | PROT_WRITE, true);
	long pinned = pinned_pages();
	struct rlimit rl;
	long pin0;
	__u32 s2_id;

	ASSERT_NE(NULL, mem);
	if (!cap_effective(CAP_IPC_LOCK))
		SKIP(return, "needs CAP_IPC_LOCK (run as root)");
	pin0 = vm_pinned_bytes();
	ASSERT_LE(0, pin0);
	rl.rlim_cur = rl.rlim_max = pin0 + PAGE_SIZE;
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &rl));

	test_cmd_s2_alloc(&s2_id);
	test_cmd_s2_map(s2_id, GPA_BASE, mem, 8 * PAGE_SIZE);
	ASSERT_EQ(pinned + 8, pinned_pages());
	close_fd(&self->fd);
	EXPECT_EQ(pin0, vm_pinned_bytes());
	ASSERT_EQ(pinned, pinned_pages());
}

/* -- concurrency ------------------------------------------------------------ */

#define RACE_THREADS 4

struct race {
	pthread_barrier_t barrier;
	int fd;
	int op;		/* 0: VIOMMU_ALLOC, 1: DESTROY */
	__u32 instance_id;
	__u32 id;
	int rc[RACE_THREADS];
	int err[RACE_THREADS];
	__u32 out_id[RACE_THREADS];
};

struct race_arg {
	struct race *r;
	int i;
};

static void *race_thread(void *p)
{
	struct race_arg *a = p;
	struct race *r = a->r;
	int rc;

	pthread_barrier_wait(&r->barrier);
	if (r->op == 0)
		rc = _test_cmd_viommu_alloc(r->fd, r->instance_id, r->id, 0,
					    &r->out_id[a->i], NULL, NULL, NULL);
	else
		rc = _test_ioctl_destroy(r->fd, r->id);
	r->rc[a->i] = rc;
	r->err[a->i] = rc ? errno : 0;
	return NULL;
}

static int race_run(struct race *r)
{
	struct race_arg args[RACE_THREADS];
	pthread_t th[RACE_THREADS];
	int i, ok = 0;

	pthread_barrier_init(&r->barrier, NULL, RACE_THREADS);
	for (i = 0; i < RACE_THREADS; i++) {
		args[i] = (struct race_arg){ .r = r, .i = i };
		if (pthread_create(&th[i], NULL, race_thread, &args[i]))
			return -1;
	}
	for (i = 0; i < RACE_THREADS; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&r->barrier);
	for (i = 0; i < RACE_THREADS; i++)
		ok += r->rc[i] == 0;
	return ok;
}

/*
 * ---------------------------------------------------------------------------
 * FIXTURE(vcmdq_s2): a file with one S2 and 16 pages of VMM memory.
 * ---------------------------------------------------------------------------
 */
#define S2_PAGES 16

FIXTURE(vcmdq_s2)
{
	int fd;
	struct vcmdq_counters base;
	__u32 s2_id;
	__u8 *mem;		/* S2_PAGES, read-write, touched */
	long pinned;		/* pinned_pages after setup */
};

FIXTURE_SETUP(vcmdq_s2)
{
	self->fd = -1;
	vcmdq_read_counters(&self->base);
	ASSERT_COUNTERS_READ(&self->base);
	self->fd = vcmdq_open_dev();
	ASSERT_LE(0, self->fd);
	test_cmd_s2_alloc(&self->s2_id);
	self->mem = alloc_pages(S2_PAGES, PROT_READ | PROT_WRITE, true);
	ASSERT_NE(NULL, self->mem);
	self->pinned = pinned_pages();
}

FIXTURE_TEARDOWN(vcmdq_s2)
{
	struct vcmdq_counters now;

	close_fd(&self->fd);
	vcmdq_read_counters(&now);
	EXPECT_COUNTERS_EQ(&self->base, &now);
	if (self->mem)
		munmap(self->mem, S2_PAGES * PAGE_SIZE);
}

#define PG(n) ((__u64)(n) * PAGE_SIZE)
#define GPA(n) (GPA_BASE + PG(n))
#define MEM(n) (self->mem + PG(n))

TEST_F(vcmdq_s2, map_unmap)
{
	test_cmd_s2_map(self->s2_id, GPA(0), MEM(0), PG(4));
	ASSERT_EQ(self->pinned + 4, pinned_pages());
	ASSERT_EQ(PG(4), test_cmd_s2_unmap(self->s2_id, GPA(0), PG(4)));
	ASSERT_EQ(self->pinned, pinned_pages());
	test_err_s2_unmap(ENOENT, self->s2_id, GPA(0), PG(4));

	/* The same range again, then a single page. */
	test_cmd_s2_map(self->s2_id, GPA(0), MEM(0), PG(4));
	test_cmd_s2_map(self->s2_id, GPA(100), MEM(4), PG(1));
	ASSERT_EQ(self->pinned + 5, pinned_pages());
	ASSERT_EQ(PG(1), test_cmd_s2_unmap(self->s2_id, GPA(100), PG(1)));
	ASSERT_EQ(PG(4), test_cmd_s2_unmap(self->s2_id, GPA(0), PG(4)));
	ASSERT_EQ(self->pinned, pinned_pages());
}

/*
 * GPA 0 is an ordinary guest-physical address (x86 guests have RAM there);
 * "zero" in the S2_MAP/S2_UNMAP kernel-doc can only mean a zero length.
 */
TEST_F(vcmdq_s2, map_gpa_zero)
{
	test_cmd_s2_map(self->s2_id, 0, MEM(0), PG(2));
	ASSERT_EQ(self->pinned + 2, pinned_pages());
	test_err_s2_map(EEXIST, self->s2_id, PG(1), MEM(2), PG(1));
	test_err_s2_unmap(EINVAL, self->s2_id, 0, PG(1));
	ASSERT_EQ(PG(2), test_cmd_s2_unmap(self->s2_id, 0, PG(2)));
	ASSERT_EQ(self->pinned, pinned_pages());
}

TEST_F(vcmdq_s2, map_flags)
{
	ASSERT_EQ(0, _test_cmd_s2_map(self->fd, self->s2_id, VCMDQ_S2_MAP_READ,
				      GPA(0), MEM(0), PG(1)));
	ASSERT_EQ(0, _test_cmd_s2_map(self->fd, self->s2_id,
				      VCMDQ_S2_MAP_WRITE, GPA(1), MEM(1),
				      PG(1)));
	ASSERT_EQ(self->pinned + 2, pinned_pages());

	test_err_s2_map_flags(EINVAL, self->s2_id, 0, GPA(2), MEM(2), PG(1));
	test_err_s2_map_flags(EOPNOTSUPP, self->s2_id, 1U << 2, GPA(2), MEM(2),
			      PG(1));
	test_err_s2_map_flags(EOPNOTSUPP, self->s2_id,
			      VCMDQ_S2_MAP_READ | (1U << 2), GPA(2), MEM(2),
			      PG(1));
	test_err_s2_map_flags(EOPNOTSUPP, self->s2_id,
			      VCMDQ_S2_MAP_RW | (1U << 31), GPA(2), MEM(2),
			      PG(1));
	ASSERT_EQ(self->pinned + 2, pinned_pages());
}

TEST_F(vcmdq_s2, map_reserved)
{
	struct vcmdq_s2_map cmd = {
		.size = sizeof(cmd),
		.flags = VCMDQ_S2_MAP_RW,
		.s2_id = self->s2_id,
		.gpa = GPA(0),
		.uaddr = (uintptr_t)MEM(0),
		.length = PG(1),
	};

	cmd.__reserved = 1;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, VCMDQ_S2_MAP, &cmd));
	cmd.__reserved = 1U << 31;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, VCMDQ_S2_MAP, &cmd));
	ASSERT_EQ(self->pinned, pinned_pages());
	cmd.__reserved = 0;
	ASSERT_EQ(0, ioctl(self->fd, VCMDQ_S2_MAP, &cmd));
	ASSERT_EQ(self->pinned + 1, pinned_pages());
}

TEST_F(vcmdq_s2, map_align)
{
	const __u32 s2 = self->s2_id;

	test_err_s2_map(EINVAL, s2, GPA(0) + 1, MEM(0), PG(1));
	test_err_s2_map(EINVAL, s2, GPA(0) + PAGE_SIZE / 2, MEM(0), PG(1));
	test_err_s2_map(EINVAL, s2, GPA(0), MEM(0) + 1, PG(1));
	test_err_s2_map(EINVAL, s2, GPA(0), MEM(0) + PAGE_SIZE / 2, PG(1));
	test_err_s2_map(EINVAL, s2, GPA(0), MEM(0), PG(1) + 1);
	test_err_s2_map(EINVAL, s2, GPA(0), MEM(0), PG(1) - 1);
	test_err_s2_map(EINVAL, s2, GPA(0), MEM(0), 1);
	test_err_s2_map(EINVAL, s2, GPA(0), MEM(0), PG(2) + 512);
	/* zero length */
	test_err_s2_map(EINVAL, s2, GPA(0), MEM(0), 0);
	ASSERT_EQ(self->pinned, pinned_pages());
	/* None of them mapped anything. */
	test_err_s2_unmap(ENOENT, s2, GPA(0), PG(S2_PAGES));
}

TEST_F(vcmdq_s2, map_overflow)
{
	const __u32 s2 = self->s2_id;
	const __u64 last = -(__u64)PAGE_SIZE;	/* last page of the GPA space */

	/* gpa + length wraps */
	test_err_s2_map(EOVERFLOW, s2, last, MEM(0), PG(2));
	test_err_s2_map(EOVERFLOW, s2, last - PG(1), MEM(0), PG(4));
	test_err_s2_map(EOVERFLOW, s2, GPA(0), MEM(0), -GPA(0) + PG(1));
	/* uaddr + length wraps */
	test_err_s2_map(EOVERFLOW, s2, GPA(0), (void *)(uintptr_t)last, PG(2));
	test_err_s2_unmap(EOVERFLOW, s2, last, PG(2));
	ASSERT_EQ(self->pinned, pinned_pages());

	/* The last page ends at 2^64 but does not wrap. */
	test_err_s2_unmap(ENOENT, s2, last, PG(1));
	test_cmd_s2_map(s2, last, MEM(0), PG(1));
	ASSERT_EQ(self->pinned + 1, pinned_pages());
	test_err_s2_map(EEXIST, s2, last - PG(1), MEM(1), PG(2));
	ASSERT_EQ(PG(1), test_cmd_s2_unmap(s2, last - PG(3), PG(4)));
	ASSERT_EQ(self->pinned, pinned_pages());
}

TEST_F(vcmdq_s2, map_overlap)
{
	const __u32 s2 = self->s2_id;

	/* [2, 6) */
	test_cmd_s2_map(s2, GPA(2), MEM(2), PG(4));
	ASSERT_EQ(self->pinned + 4, pinned_pages());

	test_err_s2_map(EEXIST, s2, GPA(2), MEM(2), PG(4));	/* same */
	test_err_s2_map(EEXIST, s2, GPA(1), MEM(1), PG(2));	/* head */
	test_err_s2_map(EEXIST, s2, GPA(5), MEM(5), PG(2));	/* tail */
	test_err_s2_map(EEXIST, s2, GPA(0), MEM(0), PG(8));	/* contains */
	test_err_s2_map(EEXIST, s2, GPA(3), MEM(3), PG(1));	/* inside */
	test_err_s2_map(EEXIST, s2, GPA(2), MEM(8), PG(1));	/* first page */
	test_err_s2_map(EEXIST, s2, GPA(5), MEM(8), PG(1));	/* last page */
	/* the overlap check is on GPA, not on memory */
	test_err_s2_map(EEXIST, s2, GPA(4), MEM(10), PG(4));
	ASSERT_EQ(self->pinned + 4, pinned_pages());

	/* Adjacent on either side is fine. */
	test_cmd_s2_map(s2, GPA(1), MEM(1), PG(1));
	test_cmd_s2_map(s2, GPA(6), MEM(6), PG(2));
	test_cmd_s2_map(s2, GPA(0), MEM(0), PG(1));
	ASSERT_EQ(self->pinned + 8, pinned_pages());
	/* Filling a hole exactly. */
	test_cmd_s2_map(s2, GPA(9), MEM(9), PG(1));
	test_cmd_s2_map(s2, GPA(8), MEM(8), PG(1));
	test_err_s2_map(EEXIST, s2, GPA(7), MEM(10), PG(3));
	ASSERT_EQ(self->pinned + 10, pinned_pages());

	/* One unmap over all of them (all lie inside the range). */
	ASSERT_EQ(PG(10), test_cmd_s2_unmap(s2, GPA(0), PG(10)));
	ASSERT_EQ(self->pinned, pinned_pages());
}

/* Mappings of different S2s never overlap, even at the same GPA. */
TEST_F(vcmdq_s2, map_two_s2)
{
	__u32 s2_b;

	test_cmd_s2_alloc(&s2_b);
	test_cmd_s2_map(self->s2_id, GPA(0), MEM(0), PG(4));
	test_cmd_s2_map(s2_b, GPA(0), MEM(4), PG(4));
	test_err_s2_map(EEXIST, s2_b, GPA(1), MEM(8), PG(1));
	ASSERT_EQ(self->pinned + 8, pinned_pages());
	ASSERT_EQ(PG(4), test_cmd_s2_unmap(s2_b, GPA(0), PG(4)));
	ASSERT_EQ(self->pinned + 4, pinned_pages());
	test_err_s2_unmap(ENOENT, s2_b, GPA(0), PG(4));
	/* The first S2 kept its mapping. */
	test_err_s2_map(EEXIST, self->s2_id, GPA(0), MEM(8), PG(1));
	ASSERT_EQ(PG(4), test_cmd_s2_unmap(self->s2_id, GPA(0), PG(4)));
}

TEST_F(vcmdq_s2, map_efault)
{
	const __u32 s2 = self->s2_id;
	__u8 *gone, *none, *half, *ro;

	/* never mapped / unmapped */
	gone = alloc_pages(4, PROT_READ | PROT_WRITE, true);
	ASSERT_NE(NULL, gone);
	ASSERT_EQ(0, munmap(gone, PG(4)));
	test_err_s2_map(EFAULT, s2, GPA(0), gone, PG(4));
	test_err_s2_map_flags(EFAULT, s2, VCMDQ_S2_MAP_READ, GPA(0), gone,
			      PG(1));

	/* PROT_NONE */
	none = alloc_pages(2, PROT_NONE, false);
	ASSERT_NE(NULL, none);
	test_err_s2_map(EFAULT, s2, GPA(0), none, PG(2));
	test_err_s2_map_flags(EFAULT, s2, VCMDQ_S2_MAP_READ, GPA(0), none,
			      PG(1));

	/* good first pages, a bad last one: nothing stays pinned */
	half = alloc_pages(4, PROT_READ | PROT_WRITE, true);
	ASSERT_NE(NULL, half);
	ASSERT_EQ(0, mprotect(half + PG(3), PG(1), PROT_NONE));
	test_err_s2_map(EFAULT, s2, GPA(0), half, PG(4));
	ASSERT_EQ(0, munmap(half + PG(3), PG(1)));
	test_err_s2_map(EFAULT, s2, GPA(0), half, PG(4));
	ASSERT_EQ(self->pinned, pinned_pages());

	/* read-only memory: READ works, WRITE is EFAULT */
	ro = alloc_pages(4, PROT_READ | PROT_WRITE, true);
	ASSERT_NE(NULL, ro);
	ASSERT_EQ(0, mprotect(ro, PG(4), PROT_READ));
	test_err_s2_map_flags(EFAULT, s2, VCMDQ_S2_MAP_WRITE, GPA(0), ro, PG(4));
	test_err_s2_map(EFAULT, s2, GPA(0), ro, PG(4));
	ASSERT_EQ(self->pinned, pinned_pages());
	ASSERT_EQ(0, _test_cmd_s2_map(self->fd, s2, VCMDQ_S2_MAP_READ, GPA(0),
				      ro, PG(4)));
	ASSERT_EQ(self->pinned + 4, pinned_pages());

	/* None of the failures left a mapping behind. */
	ASSERT_EQ(PG(4), test_cmd_s2_unmap(s2, GPA(0), PG(64)));
	ASSERT_EQ(self->pinned, pinned_pages());

	munmap(none, PG(2));
	munmap(half, PG(3));
	munmap(ro, PG(4));
}

/* Memory never touched is faulted in and pinned. */
TEST_F(vcmdq_s2, map_untouched)
{
	__u8 *fresh = alloc_pages(8, PROT_READ | PROT_WRITE, false);
	__u8 *fresh_ro = alloc_pages(2, PROT_READ, false);

	ASSERT_NE(NULL, fresh);
	ASSERT_NE(NULL, fresh_ro);
	test_cmd_s2_map(self->s2_id, GPA(0), fresh, PG(8));
	ASSERT_EQ(self->pinned + 8, pinned_pages());
	ASSERT_EQ(0, _test_cmd_s2_map(self->fd, self->s2_id,
				      VCMDQ_S2_MAP_READ, GPA(8), fresh_ro,
				      PG(2)));
	ASSERT_EQ(self->pinned + 10, pinned_pages());
	ASSERT_EQ(PG(10), test_cmd_s2_unmap(self->s2_id, GPA(0), PG(10)));
	ASSERT_EQ(self->pinned, pinned_pages());
	munmap(fresh, PG(8));
	munmap(fresh_ro, PG(2));
}

/* A bigger mapping (4 MiB): the pin is not limited to one batch of pages. */
TEST_F(vcmdq_s2, map_large)
{
	const size_t npages = (4UL << 20) / PAGE_SIZE;
	__u8 *big = alloc_pages(npages, PROT_READ | PROT_WRITE, true);

	ASSERT_NE(NULL, big);
	test_cmd_s2_map(self->s2_id, GPA(0), big, PG(npages));
	ASSERT_EQ(self->pinned + (long)npages, pinned_pages());
	ASSERT_EQ(PG(npages), test_cmd_s2_unmap(self->s2_id, GPA(0),
						PG(npages)));
	ASSERT_EQ(self->pinned, pinned_pages());
	munmap(big, PG(npages));
}

TEST_F(vcmdq_s2, map_bad_s2)
{
	struct vcmdq_instance_info info[VCMDQ_MAX_INSTANCES];
	__u32 viommu_id;

	test_err_s2_map(ENOENT, 0, GPA(0), MEM(0), PG(1));
	test_err_s2_map(ENOENT, self->s2_id + 1, GPA(0), MEM(0), PG(1));
	test_err_s2_map(ENOENT, UINT32_MAX, GPA(0), MEM(0), PG(1));

	/* An ID of the wrong type. */
	ASSERT_LT(0, vcmdq_instances(self->fd, info));
	test_cmd_viommu_alloc(info[0].id, self->s2_id, &viommu_id, NULL);
	test_err_s2_map(ENOENT, viommu_id, GPA(0), MEM(0), PG(1));
	test_err_s2_unmap(ENOENT, viommu_id, GPA(0), PG(1));
	ASSERT_EQ(self->pinned, pinned_pages());

	/* The S2 of a vIOMMU maps and unmaps as usual. */
	test_cmd_s2_map(self->s2_id, GPA(0), MEM(0), PG(1));
	ASSERT_EQ(PG(1), test_cmd_s2_unmap(self->s2_id, GPA(0), PG(1)));
}

TEST_F(vcmdq_s2, unmap_enoent)
{
	const __u32 s2 = self->s2_id;

	test_err_s2_unmap(ENOENT, s2, GPA(0), PG(1));
	test_err_s2_unmap(ENOENT, s2, GPA(0), PG(1) << 20);

	/* [4, 6) and [10, 11) */
	test_cmd_s2_map(s2, GPA(4), MEM(4), PG(2));
	test_cmd_s2_map(s2, GPA(10), MEM(10), PG(1));
	test_err_s2_unmap(ENOENT, s2, GPA(0), PG(4));	/* just before */
	test_err_s2_unmap(ENOENT, s2, GPA(6), PG(4));	/* the gap */
	test_err_s2_unmap(ENOENT, s2, GPA(11), PG(100));	/* after */
	ASSERT_EQ(self->pinned + 3, pinned_pages());
}

TEST_F(vcmdq_s2, unmap_split)
{
	const __u32 s2 = self->s2_id;

	/* [4, 8) and [10, 12) */
	test_cmd_s2_map(s2, GPA(4), MEM(4), PG(4));
	test_cmd_s2_map(s2, GPA(10), MEM(10), PG(2));

	test_err_s2_unmap(EINVAL, s2, GPA(5), PG(1));	/* middle */
	test_err_s2_unmap(EINVAL, s2, GPA(4), PG(2));	/* head */
	test_err_s2_unmap(EINVAL, s2, GPA(6), PG(2));	/* tail */
	test_err_s2_unmap(EINVAL, s2, GPA(2), PG(4));	/* crosses start */
	test_err_s2_unmap(EINVAL, s2, GPA(6), PG(10));	/* crosses end */
	/* one whole mapping, but splitting the other: nothing is unmapped */
	test_err_s2_unmap(EINVAL, s2, GPA(0), PG(11));
	test_err_s2_unmap(EINVAL, s2, GPA(5), PG(10));
	ASSERT_EQ(self->pinned + 6, pinned_pages());
	test_err_s2_map(EEXIST, s2, GPA(4), MEM(0), PG(1));
	test_err_s2_map(EEXIST, s2, GPA(11), MEM(0), PG(1));

	ASSERT_EQ(PG(4), test_cmd_s2_unmap(s2, GPA(3), PG(6)));
	ASSERT_EQ(PG(2), test_cmd_s2_unmap(s2, GPA(10), PG(2)));
	ASSERT_EQ(self->pinned, pinned_pages());
}

TEST_F(vcmdq_s2, unmap_multiple)
{
	const __u32 s2 = self->s2_id;

	/* [0, 2), [3, 4), [4, 6) and [8, 11) */
	test_cmd_s2_map(s2, GPA(0), MEM(0), PG(2));
	test_cmd_s2_map(s2, GPA(3), MEM(3), PG(1));
	test_cmd_s2_map(s2, GPA(4), MEM(4), PG(2));
	test_cmd_s2_map(s2, GPA(8), MEM(8), PG(3));
	ASSERT_EQ(self->pinned + 8, pinned_pages());

	/* The first three, gap included: out_unmapped is their total. */
	ASSERT_EQ(PG(5), test_cmd_s2_unmap(s2, GPA(0), PG(6)));
	ASSERT_EQ(self->pinned + 3, pinned_pages());
	test_err_s2_unmap(ENOENT, s2, GPA(0), PG(8));
	/* The last one is untouched. */
	test_err_s2_map(EEXIST, s2, GPA(8), MEM(0), PG(1));
	ASSERT_EQ(PG(3), test_cmd_s2_unmap(s2, GPA(0), PG(1) << 30));
	ASSERT_EQ(self->pinned, pinned_pages());
}

TEST_F(vcmdq_s2, unmap_invalid)
{
	const __u32 s2 = self->s2_id;
	const __u64 last = -(__u64)PAGE_SIZE;
	struct vcmdq_s2_unmap cmd;

	test_cmd_s2_map(s2, GPA(0), MEM(0), PG(2));

	test_err_s2_unmap(EINVAL, s2, GPA(0) + 1, PG(2));
	test_err_s2_unmap(EINVAL, s2, GPA(0) + PAGE_SIZE / 2, PG(2));
	test_err_s2_unmap(EINVAL, s2, GPA(0), PG(2) + 1);
	test_err_s2_unmap(EINVAL, s2, GPA(0), PG(2) - 1);
	test_err_s2_unmap(EINVAL, s2, GPA(0), 0);
	test_err_s2_unmap(EOVERFLOW, s2, last, PG(2));
	test_err_s2_unmap(EOVERFLOW, s2, GPA(0), -GPA(0) + PG(1));
	test_err_s2_unmap(ENOENT, 0, GPA(0), PG(2));
	test_err_s2_unmap(ENOENT, s2 + 1, GPA(0), PG(2));

	cmd = (struct vcmdq_s2_unmap){
		.size = sizeof(cmd),
		.s2_id = s2,
		.gpa = GPA(0),
		.length = PG(2),
	};
	cmd.flags = 1;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, VCMDQ_S2_UNMAP, &cmd));
	cmd.flags = 0;
	cmd.__reserved = 1;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, VCMDQ_S2_UNMAP, &cmd));
	ASSERT_EQ(self->pinned + 2, pinned_pages());

	/* out_unmapped is an output: its input value is ignored. */
	cmd.__reserved = 0;
	cmd.out_unmapped = 12345;
	ASSERT_EQ(0, ioctl(self->fd, VCMDQ_S2_UNMAP, &cmd));
	EXPECT_EQ(PG(2), cmd.out_unmapped);
	ASSERT_EQ(self->pinned, pinned_pages());
}

/*
 * ---------------------------------------------------------------------------
 * FIXTURE(vcmdq_viommu): a file with one S2, run once per flavor on the first
 * instance of that flavor.
 * ---------------------------------------------------------------------------
 */
FIXTURE(vcmdq_viommu)
{
	int fd;
	int fd2;
	struct vcmdq_counters base;
	struct vcmdq_instance_info info[VCMDQ_MAX_INSTANCES];
	int num_instances;
	struct vcmdq_instance_info inst;	/* as at setup */
	bool found;
	__u32 s2_id;
};

FIXTURE_VARIANT(vcmdq_viommu)
{
	__u32 flavor;
};

FIXTURE_VARIANT_ADD(vcmdq_viommu, tegra241_cmdqv)
{
	.flavor = VCMDQ_FLAVOR_TEGRA241_CMDQV,
};

FIXTURE_VARIANT_ADD(vcmdq_viommu, smmuv3)
{
	.flavor = VCMDQ_FLAVOR_SMMUV3,
};

FIXTURE_VARIANT_ADD(vcmdq_viommu, amd_vi)
{
	.flavor = VCMDQ_FLAVOR_AMD_VI,
};

FIXTURE_VARIANT_ADD(vcmdq_viommu, vtd)
{
	.flavor = VCMDQ_FLAVOR_VTD,
};

FIXTURE_SETUP(vcmdq_viommu)
{
	const struct vcmdq_instance_info *inst;

	self->fd = -1;
	self->fd2 = -1;
	vcmdq_read_counters(&self->base);
	ASSERT_COUNTERS_READ(&self->base);
	self->fd = vcmdq_open_dev();
	ASSERT_LE(0, self->fd);
	self->num_instances = vcmdq_instances(self->fd, self->info);
	ASSERT_LT(0, self->num_instances);
	inst = find_flavor(self->info, self->num_instances, variant->flavor);
	if (inst) {
		self->inst = *inst;
		self->found = true;
	}
	test_cmd_s2_alloc(&self->s2_id);
}

FIXTURE_TEARDOWN(vcmdq_viommu)
{
	struct vcmdq_counters now;

	close_fd(&self->fd2);
	close_fd(&self->fd);
	vcmdq_read_counters(&now);
	EXPECT_COUNTERS_EQ(&self->base, &now);
}

/*
 * The 6.1 harness runs the test body even after SKIP() in setup, so each
 * test checks for its instance itself.
 */
#define REQUIRE_INSTANCE()                                                 \
	do {                                                               \
		if (!self->found)                                          \
			SKIP(return, "no %s instance (module parameter instances)", \
			     vcmdq_flavor_name(variant->flavor));         \
	} while (0)

#define live_viommus() vcmdq_live_viommus(self->fd, self->inst.id)

TEST_F(vcmdq_viommu, alloc)
{
	struct vcmdq_instance_info now[VCMDQ_MAX_INSTANCES];
	const __u32 id = self->inst.id;
	long objects = live_objects();
	long live = live_viommus();
	__u32 viommu_id, tag;
	int i;

	REQUIRE_INSTANCE();
	ASSERT_LT(live, self->inst.max_viommus);
	test_cmd_viommu_alloc(id, self->s2_id, &viommu_id, &tag);
	EXPECT_NE(0, viommu_id);
	EXPECT_NE(self->s2_id, viommu_id);
	EXPECT_NE(0, tag);
	EXPECT_GT(1ULL << self->inst.tag_bits, tag);
	ASSERT_EQ(objects + 1, live_objects());

	/* live_viommus moves on this instance only. */
	ASSERT_EQ(self->num_instances, vcmdq_instances(self->fd, now));
	for (i = 0; i < self->num_instances; i++) {
		EXPECT_EQ(self->info[i].live_viommus + (now[i].id == id),
			  now[i].live_viommus);
	}

	test_ioctl_destroy(viommu_id);
	EXPECT_EQ(live, live_viommus());
	ASSERT_EQ(objects, live_objects());

	/* And again after destroy. */
	test_cmd_viommu_alloc(id, self->s2_id, &viommu_id, &tag);
	EXPECT_NE(0, tag);
	EXPECT_GT(1ULL << self->inst.tag_bits, tag);
	EXPECT_EQ(live + 1, live_viommus());
}

TEST_F(vcmdq_viommu, alloc_errors)
{
	const __u32 id = self->inst.id;
	long objects;
	__u32 viommu_id, s2_b;

	REQUIRE_INSTANCE();
	objects = live_objects();

	/* unknown instance or S2 */
	test_err_viommu_alloc(ENOENT, 0, self->s2_id, 0);
	test_err_viommu_alloc(ENOENT, self->num_instances + 1, self->s2_id, 0);
	test_err_viommu_alloc(ENOENT, UINT32_MAX, self->s2_id, 0);
	test_err_viommu_alloc(ENOENT, id, 0, 0);
	test_err_viommu_alloc(ENOENT, id, self->s2_id + 1, 0);
	test_err_viommu_alloc(ENOENT, id, UINT32_MAX, 0);
	/* flags */
	test_err_viommu_alloc(EOPNOTSUPP, id, self->s2_id, 1);
	test_err_viommu_alloc(EOPNOTSUPP, id, self->s2_id, 1U << 31);
	ASSERT_EQ(objects, live_objects());
	EXPECT_EQ(self->inst.live_viommus, live_viommus());

	test_cmd_viommu_alloc(id, self->s2_id, &viommu_id, NULL);
	/* one per (S2, instance) */
	test_err_viommu_alloc(EEXIST, id, self->s2_id, 0);
	/* a vIOMMU is not an S2 */
	test_err_viommu_alloc(ENOENT, id, viommu_id, 0);
	ASSERT_EQ(objects + 1, live_objects());
	EXPECT_EQ(self->inst.live_viommus + 1, live_viommus());

	/* EEXIST only while the first exists. */
	test_ioctl_destroy(viommu_id);
	test_cmd_viommu_alloc(id, self->s2_id, &viommu_id, NULL);
	test_err_viommu_alloc(EEXIST, id, self->s2_id, 0);

	/* Another S2 of the same file gets its own. */
	test_cmd_s2_alloc(&s2_b);
	test_cmd_viommu_alloc(id, s2_b, NULL, NULL);
	test_err_viommu_alloc(EEXIST, id, s2_b, 0);
	ASSERT_EQ(objects + 3, live_objects());
	EXPECT_EQ(self->inst.live_viommus + 2, live_viommus());
}

/* The S2 is held by its vIOMMU. */
TEST_F(vcmdq_viommu, s2_busy)
{
	__u32 viommu_id;

	REQUIRE_INSTANCE();
	test_cmd_viommu_alloc(self->inst.id, self->s2_id, &viommu_id, NULL);
	test_err_destroy(EBUSY, self->s2_id);
	test_err_destroy(EBUSY, self->s2_id);
	test_ioctl_destroy(viommu_id);
	test_ioctl_destroy(self->s2_id);
	test_err_viommu_alloc(ENOENT, self->inst.id, self->s2_id, 0);
}

/* Two VMs on one instance never share a tag. */
TEST_F(vcmdq_viommu, tags_two_files)
{
	enum { PER_FILE = 4 };
	__u32 tags[2 * PER_FILE], s2;
	int i, j, fd;

	REQUIRE_INSTANCE();
	if (viommu_capacity(&self->inst) - self->inst.live_viommus <
	    2 * PER_FILE)
		SKIP(return, "%s instance %u has fewer than %d free vIOMMU slots",
		     vcmdq_flavor_name(variant->flavor), self->inst.id,
		     2 * PER_FILE);
	self->fd2 = vcmdq_open_dev();
	ASSERT_LE(0, self->fd2);
	for (i = 0; i < 2 * PER_FILE; i++) {
		fd = i & 1 ? self->fd2 : self->fd;
		ASSERT_EQ(0, _test_cmd_s2_alloc(fd, 0, &s2));
		ASSERT_EQ(0, _test_cmd_viommu_alloc(fd, self->inst.id, s2, 0,
						    NULL, &tags[i], NULL,
						    NULL));
		EXPECT_NE(0, tags[i]);
		EXPECT_GT(1ULL << self->inst.tag_bits, tags[i]);
		for (j = 0; j < i; j++) {
			EXPECT_NE(tags[j], tags[i]);
		}
	}
	EXPECT_EQ(self->inst.live_viommus + 2 * PER_FILE, live_viommus());
	close_fd(&self->fd2);
	EXPECT_EQ(self->inst.live_viommus + PER_FILE, live_viommus());
}

/* One S2 on every instance: a vIOMMU and a tag of its own on each. */
TEST_F(vcmdq_viommu, same_s2_all_instances)
{
	const int n = self->num_instances;
	__u32 viommu_id[VCMDQ_MAX_INSTANCES], tag;
	struct vcmdq_instance_info now[VCMDQ_MAX_INSTANCES];
	int i, j;

	REQUIRE_INSTANCE();
	for (i = 0; i < n; i++) {
		test_cmd_viommu_alloc(self->info[i].id, self->s2_id,
				      &viommu_id[i], &tag);
		EXPECT_NE(0, tag);
		EXPECT_GT(1ULL << self->info[i].tag_bits, tag);
		for (j = 0; j < i; j++) {
			EXPECT_NE(viommu_id[j], viommu_id[i]);
		}
	}
	ASSERT_EQ(n, vcmdq_instances(self->fd, now));
	for (i = 0; i < n; i++) {
		EXPECT_EQ(self->info[i].live_viommus + 1, now[i].live_viommus);
	}
	/* Still one per (S2, instance). */
	test_err_viommu_alloc(EEXIST, self->inst.id, self->s2_id, 0);
	test_err_destroy(EBUSY, self->s2_id);
	for (i = 0; i < n; i++) {
		test_ioctl_destroy(viommu_id[i]);
	}
	test_ioctl_destroy(self->s2_id);
}

/*
 * Fill the instance: tags (or, on Tegra241, VINTF slots) run out with ENOSPC
 * after exactly the free capacity, spread over two files; all tags distinct
 * and non-zero; one destroy makes room for exactly one more.
 */
TEST_F_TIMEOUT(vcmdq_viommu, exhaust, 600)
{
	const __u32 id = self->inst.id;
	__u32 cap, expected, count = 0, k, s2, tag, *tags, *vids, *s2s;
	__u32 tag_space = 1U << self->inst.tag_bits;
	long live, objects;
	__u8 *seen, *owner;
	int fds[2];

	REQUIRE_INSTANCE();
	self->fd2 = vcmdq_open_dev();
	ASSERT_LE(0, self->fd2);
	fds[0] = self->fd;
	fds[1] = self->fd2;

	live = live_viommus();
	ASSERT_LE(0, live);
	cap = viommu_capacity(&self->inst);
	expected = cap - live;
	if (variant->flavor == VCMDQ_FLAVOR_TEGRA241_CMDQV) {
		/* the VINTF slots run out while tags remain */
		ASSERT_GT(tag_space - 1, cap);
	}
	TH_LOG("%s instance %u: %ld live, expecting %u more",
	       vcmdq_flavor_name(variant->flavor), id, live, expected);

	tags = calloc(expected + 1, sizeof(*tags));
	vids = calloc(expected + 1, sizeof(*vids));
	s2s = calloc(expected + 1, sizeof(*s2s));
	owner = calloc(expected + 1, 1);
	seen = calloc(tag_space, 1);
	ASSERT_NE(NULL, tags);
	ASSERT_NE(NULL, vids);
	ASSERT_NE(NULL, s2s);
	ASSERT_NE(NULL, owner);
	ASSERT_NE(NULL, seen);

	objects = live_objects();
	for (;;) {
		int fd = fds[count & 1];

		/* each vIOMMU needs its own S2: one per (S2, instance) */
		ASSERT_EQ(0, _test_cmd_s2_alloc(fd, 0, &s2));
		if (_test_cmd_viommu_alloc(fd, id, s2, 0, &vids[count],
					   &tag, NULL, NULL)) {
			ASSERT_EQ(ENOSPC, errno);
			break;
		}
		ASSERT_GT(expected + 1, count + 1)
			TH_LOG("more than %u vIOMMUs", expected);
		ASSERT_NE(0, tag);
		ASSERT_GT(tag_space, tag);
		ASSERT_EQ(0, seen[tag]) TH_LOG("tag %u handed out twice", tag);
		seen[tag] = 1;
		tags[count] = tag;
		s2s[count] = s2;
		owner[count] = count & 1;
		count++;
	}
	ASSERT_EQ(expected, count);
	EXPECT_EQ(cap, live_viommus());
	/* count S2s and vIOMMUs, one more S2; the failure left nothing */
	ASSERT_EQ(objects + 2 * count + 1, live_objects());

	/* Full in the other file too. */
	ASSERT_EQ(0, _test_cmd_s2_alloc(fds[!(count & 1)], 0, &s2));
	EXPECT_ERRNO(ENOSPC, _test_cmd_viommu_alloc(fds[!(count & 1)], id, s2,
						    0, NULL, NULL, NULL, NULL));

	/* Free one in the middle: exactly one more fits. */
	k = count / 2;
	ASSERT_EQ(0, _test_ioctl_destroy(fds[owner[k]], vids[k]));
	EXPECT_EQ(cap - 1, live_viommus());
	seen[tags[k]] = 0;
	ASSERT_EQ(0, _test_cmd_viommu_alloc(fds[owner[k]], id, s2s[k], 0,
					    &vids[k], &tag, NULL, NULL));
	ASSERT_NE(0, tag);
	ASSERT_GT(tag_space, tag);
	EXPECT_EQ(0, seen[tag]);
	/* When every tag was in use, the freed one is the only one left. */
	if (cap == tag_space - 1) {
		EXPECT_EQ(tags[k], tag);
	}
	EXPECT_ERRNO(ENOSPC, _test_cmd_viommu_alloc(fds[!(count & 1)], id, s2,
						    0, NULL, NULL, NULL, NULL));
	EXPECT_EQ(cap, live_viommus());

	/* Closing one file gives back its half. */
	close_fd(&self->fd2);
	EXPECT_EQ(live + count - count / 2, live_viommus());

	free(tags);
	free(vids);
	free(s2s);
	free(owner);
	free(seen);
}

/*
 * Threads racing to create one (S2, instance) vIOMMU: one wins, the others
 * get EEXIST.  Then threads racing to destroy it: one wins, the others get
 * ENOENT.
 */
TEST_F(vcmdq_viommu, race)
{
	struct race r = { .fd = self->fd };
	long live, objects;
	int round, i;

	REQUIRE_INSTANCE();
	r.instance_id = self->inst.id;
	live = live_viommus();
	objects = live_objects();
	for (round = 0; round < 20; round++) {
		__u32 viommu_id = 0;

		r.op = 0;
		r.id = self->s2_id;
		ASSERT_EQ(1, race_run(&r));
		for (i = 0; i < RACE_THREADS; i++) {
			if (r.rc[i]) {
				EXPECT_EQ(EEXIST, r.err[i]);
			}
			else
				viommu_id = r.out_id[i];
		}
		ASSERT_NE(0, viommu_id);
		EXPECT_EQ(live + 1, live_viommus());
		ASSERT_EQ(objects + 1, live_objects());

		r.op = 1;
		r.id = viommu_id;
		ASSERT_EQ(1, race_run(&r));
		for (i = 0; i < RACE_THREADS; i++)
			if (r.rc[i]) {
				EXPECT_EQ(ENOENT, r.err[i]);
			}
		EXPECT_EQ(live, live_viommus());
		ASSERT_EQ(objects, live_objects());
	}
}

TEST_HARNESS_MAIN
