// SPDX-License-Identifier: GPL-2.0-only
/*
 * vcmdq selftests of what operators' tools read: VCMDQ_GET_OBJECTS (struct
 * lengths, errno, the caller's own objects, another process's objects seen
 * or not by privilege) and sysfs (instances/ID/ against GET_INFO, the
 * per-instance counters advancing by exactly the commands issued, on the
 * slow path and the fast path).
 *
 * Run as root inside the test VM.  Every fixture's teardown checks that
 * live_objects, pinned_pages and contexts are back to their values before
 * setup.  The kselftest_harness.h quirks of vcmdq.c apply here too.  The
 * fast path counters test drives a queue through libvcmdq (linked
 * statically), which is also tested here for what tools use: an
 * info-only context (VCMDQ_OPEN_INFO) and vcmdq_objects_get().
 */
#define _GNU_SOURCE
#include <sys/prctl.h>
#include <sys/wait.h>

#include <vcmdq/vcmdq.h>
#include <vcmdq/fastpath.h>

#include "vcmdq_inv_utils.h"

#pragma GCC diagnostic ignored "-Wsign-compare"

#define OBJ_MIN_LEN offsetofend(struct vcmdq_object_info, virt_id)
#define TIMEOUT_US (10 * 1000 * 1000)

FIXTURE(info)
{
	int fd;
	struct vcmdq_counters base;
};

FIXTURE_SETUP(info)
{
	VCMDQ_FIXTURE_OPEN(self);
}

FIXTURE_TEARDOWN(info)
{
	VCMDQ_FIXTURE_CLOSE(self);
}

static int get_objects(int fd, __u32 flags, __u32 entry_len, __u32 *num,
		       void *buf, __u32 *ctx_id)
{
	struct vcmdq_get_objects cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.entry_len = entry_len,
		.num_objects = *num,
		.objects_uptr = (uintptr_t)buf,
	};
	int rc = ioctl(fd, VCMDQ_GET_OBJECTS, &cmd);

	*num = cmd.num_objects;
	if (ctx_id)
		*ctx_id = cmd.out_context_id;
	return rc;
}

/* The first instance of @flavor, 0 if none. */
static __u32 find_flavor(int fd, __u32 flavor)
{
	struct vcmdq_instance_info info[VCMDQ_MAX_INSTANCES];
	int n = vcmdq_instances(fd, info), i;

	for (i = 0; i < n; i++)
		if (info[i].flavor == flavor)
			return info[i].id;
	return 0;
}

/* ---- VCMDQ_GET_OBJECTS: the ABI ----------------------------------------- */

TEST_F(info, get_objects_length)
{
	TEST_LENGTH(vcmdq_get_objects, VCMDQ_GET_OBJECTS, objects_uptr, );
}

TEST_F(info, get_objects_errno)
{
	struct vcmdq_object_info objs[2];
	struct vcmdq_get_objects cmd;
	__u32 num, s2_id;

	test_cmd_s2_alloc(&s2_id);
	num = 2;
	EXPECT_ERRNO(EOPNOTSUPP, get_objects(self->fd, 1U << 31, sizeof(objs[0]),
					     &num, objs, NULL));
	cmd = (struct vcmdq_get_objects){ .size = sizeof(cmd), .__reserved = 1 };
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, VCMDQ_GET_OBJECTS, &cmd));
	num = 2;
	EXPECT_ERRNO(EINVAL, get_objects(self->fd, 0, OBJ_MIN_LEN - 1, &num,
					 objs, NULL));
	num = 2;
	EXPECT_ERRNO(EINVAL, get_objects(self->fd, 0, PAGE_SIZE + 1, &num,
					 objs, NULL));
	num = 1;
	EXPECT_ERRNO(EFAULT, get_objects(self->fd, 0, sizeof(objs[0]), &num,
					 (void *)1, NULL));
	/* Counting only: no entry length, no pointer needed. */
	num = 0;
	ASSERT_EQ(0, get_objects(self->fd, 0, 0, &num, NULL, NULL));
	EXPECT_EQ(1, num);
	test_ioctl_destroy(s2_id);
	num = 0;
	ASSERT_EQ(0, get_objects(self->fd, 0, 0, &num, NULL, NULL));
	EXPECT_EQ(0, num);
}

/* The caller's own objects, as it built them. */
TEST_F(info, get_objects_own)
{
	const size_t qlen = 4096;
	struct {
		struct vcmdq_object_info o;
		__u8 tail[16];
	} big[4];
	struct vcmdq_object_info objs[4];
	__u32 tinst, s2_id, viommu_id, tag, queue_id, num, ctx_id, i;
	char comm[17] = "";
	__u8 *mem;

	tinst = find_flavor(self->fd, VCMDQ_FLAVOR_TEGRA241_CMDQV);
	if (!tinst)
		SKIP(return, "no tegra241-cmdqv instance");
	ASSERT_EQ(0, prctl(PR_GET_NAME, comm));
	mem = alloc_pages(1, PROT_READ | PROT_WRITE, true);
	ASSERT_NE(NULL, mem);
	test_cmd_s2_alloc(&s2_id);
	test_cmd_s2_map(s2_id, GPA_BASE, mem, PAGE_SIZE);
	test_cmd_viommu_alloc(tinst, s2_id, &viommu_id, &tag);
	test_cmd_queue_alloc(viommu_id, 0, GPA_BASE, qlen, &queue_id);

	num = 4;
	memset(objs, 0xa5, sizeof(objs));
	ASSERT_EQ(0, get_objects(self->fd, 0, sizeof(objs[0]), &num, objs,
				 &ctx_id));
	ASSERT_EQ(3, num);
	EXPECT_NE(0, ctx_id);
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(ctx_id, objs[i].context_id);
		EXPECT_EQ(getpid(), objs[i].owner_pid);
		EXPECT_EQ(0, strncmp(comm, objs[i].owner_comm, 16));
		EXPECT_TRUE(objs[i].flags & VCMDQ_OBJECT_INFO_SELF);
	}
	/* In ID order: the S2, the vIOMMU, the queue. */
	EXPECT_EQ(VCMDQ_OBJECT_S2, objs[0].type);
	EXPECT_EQ(s2_id, objs[0].id);
	EXPECT_EQ(0, objs[0].parent_id);
	EXPECT_EQ(0, objs[0].instance_id);
	EXPECT_EQ(VCMDQ_OBJECT_VIOMMU, objs[1].type);
	EXPECT_EQ(viommu_id, objs[1].id);
	EXPECT_EQ(s2_id, objs[1].parent_id);
	EXPECT_EQ(tinst, objs[1].instance_id);
	EXPECT_EQ(tag, objs[1].tag);
	EXPECT_NE(0, objs[1].slot);
	EXPECT_EQ(0, objs[1].nr_vdevices);
	EXPECT_EQ(VCMDQ_OBJECT_QUEUE, objs[2].type);
	EXPECT_EQ(queue_id, objs[2].id);
	EXPECT_EQ(viommu_id, objs[2].parent_id);
	EXPECT_EQ(tinst, objs[2].instance_id);
	EXPECT_EQ(tag, objs[2].tag);
	EXPECT_EQ(0, objs[2].queue_index);
	EXPECT_EQ(8, objs[2].queue_log2size); /* 4096 / 16 = 2^8 */
	EXPECT_EQ(GPA_BASE, objs[2].queue_gpa);
	EXPECT_EQ(0, objs[2].queue_prod);
	EXPECT_EQ(0, objs[2].queue_cons);
	EXPECT_EQ(VCMDQ_OBJECT_INFO_SELF, objs[2].flags); /* disabled, no error */
	/* Nothing written past the objects. */
	EXPECT_EQ(0xa5a5a5a5, objs[3].type);

	/* Room for one: one written, the count of all returned. */
	num = 1;
	memset(objs, 0xa5, sizeof(objs));
	ASSERT_EQ(0, get_objects(self->fd, 0, sizeof(objs[0]), &num, objs,
				 NULL));
	EXPECT_EQ(3, num);
	EXPECT_EQ(s2_id, objs[0].id);
	EXPECT_EQ(0xa5a5a5a5, objs[1].type);

	/* A longer entry than the kernel's: its tail is zeroed. */
	num = 4;
	memset(big, 0xa5, sizeof(big));
	ASSERT_EQ(0, get_objects(self->fd, 0, sizeof(big[0]), &num, big, NULL));
	EXPECT_EQ(3, num);
	for (i = 0; i < 3; i++) {
		size_t k;

		for (k = 0; k < sizeof(big[i].tail); k++) {
			EXPECT_EQ(0, big[i].tail[k]);
		}
	}
	EXPECT_EQ(queue_id, big[2].o.id);

	/* Only the mandatory part of each entry. */
	num = 4;
	ASSERT_EQ(0, get_objects(self->fd, 0, OBJ_MIN_LEN, &num, objs, NULL));
	EXPECT_EQ(3, num);

	test_ioctl_destroy(queue_id);
	test_ioctl_destroy(viommu_id);
	test_ioctl_destroy(s2_id);
	munmap(mem, PAGE_SIZE);
}

/*
 * A child process builds objects in its own file; the parent sees them only
 * with VCMDQ_GET_OBJECTS_ALL, which needs CAP_SYS_ADMIN.  Pipes, not
 * sleeps: the child says when its objects exist, the parent when to exit.
 */
TEST_F(info, get_objects_other_process)
{
	struct vcmdq_object_info objs[64];
	int ready[2], done[2], status;
	__u32 num, i, mine = 0, theirs = 0, ctx_id;
	pid_t child, sub;
	char c;

	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(done));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		int fd = vcmdq_open_dev();
		struct vcmdq_s2_alloc s2 = { .size = sizeof(s2) };
		struct vcmdq_viommu_alloc v = { .size = sizeof(v) };

		/* Only the parent's ends stay open: EOF on done means go. */
		close(ready[0]);
		close(done[1]);
		if (fd < 0 || ioctl(fd, VCMDQ_S2_ALLOC, &s2))
			_exit(1);
		v.instance_id = 1;
		v.s2_id = s2.out_s2_id;
		if (ioctl(fd, VCMDQ_VIOMMU_ALLOC, &v))
			_exit(2);
		if (write(ready[1], "r", 1) != 1)
			_exit(3);
		/* Until the parent is done looking (or gone). */
		if (read(done[0], &c, 1) < 0)
			_exit(4);
		close(fd);
		_exit(0);
	}
	close(ready[1]);
	close(done[0]);
	ASSERT_EQ(1, read(ready[0], &c, 1));

	/* Without the flag: only the caller's file, which is empty. */
	num = 64;
	ASSERT_EQ(0, get_objects(self->fd, 0, sizeof(objs[0]), &num, objs,
				 &ctx_id));
	EXPECT_EQ(0, num);

	/* Root with the flag: the child's S2 and vIOMMU, with its pid. */
	num = 64;
	ASSERT_EQ(0, get_objects(self->fd, VCMDQ_GET_OBJECTS_ALL,
				 sizeof(objs[0]), &num, objs, NULL));
	ASSERT_GE(64, num);
	for (i = 0; i < num; i++) {
		if (objs[i].flags & VCMDQ_OBJECT_INFO_SELF)
			mine++;
		if (objs[i].owner_pid != child)
			continue;
		theirs++;
		EXPECT_NE(ctx_id, objs[i].context_id);
		EXPECT_FALSE(objs[i].flags & VCMDQ_OBJECT_INFO_SELF);
		if (objs[i].type == VCMDQ_OBJECT_VIOMMU) {
			EXPECT_EQ(1, objs[i].instance_id);
		}
	}
	EXPECT_EQ(0, mine);
	EXPECT_EQ(2, theirs);

	/* Without CAP_SYS_ADMIN: EPERM for every file, own file fine. */
	sub = fork();
	ASSERT_LE(0, sub);
	if (!sub) {
		__u32 n = 64;

		if (cap_drop_effective(CAP_SYS_ADMIN))
			_exit(10);
		if (!get_objects(self->fd, VCMDQ_GET_OBJECTS_ALL,
				 sizeof(objs[0]), &n, objs, NULL) ||
		    errno != EPERM)
			_exit(11);
		n = 64;
		if (get_objects(self->fd, 0, sizeof(objs[0]), &n, objs, NULL) ||
		    n != 0)
			_exit(12);
		_exit(0);
	}
	ASSERT_EQ(sub, waitpid(sub, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("unprivileged child: status 0x%x", status);

	/* The child closes its file: its objects are gone from the list. */
	close(done[1]);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	num = 64;
	ASSERT_EQ(0, get_objects(self->fd, VCMDQ_GET_OBJECTS_ALL,
				 sizeof(objs[0]), &num, objs, NULL));
	for (i = 0; i < num && i < 64; i++) {
		EXPECT_NE(child, objs[i].owner_pid);
	}
	close(ready[0]);
}

/* ---- libvcmdq: an info-only context and vcmdq_objects_get() -------------- */

TEST_F(info, lib_info_context)
{
	long live = live_objects(), contexts = vcmdq_counter("contexts");
	struct vcmdq_object_info *objs;
	struct vcmdq_viommu *v;
	struct vcmdq_ctx *ctx;
	unsigned int nr, i, seen = 0;
	__u32 s2_id;
	char page[64];

	EXPECT_EQ(-EINVAL, vcmdq_open(NULL, VCMDQ_OPEN_INFO | VCMDQ_OPEN_URING,
				      &ctx));
	ASSERT_EQ(0, vcmdq_open(NULL, VCMDQ_OPEN_INFO, &ctx));
	/* It looks and builds nothing: no S2, no object. */
	EXPECT_EQ(live, live_objects());
	EXPECT_EQ(contexts + 1, vcmdq_counter("contexts"));
	EXPECT_LT(0, vcmdq_num_instances(ctx));
	EXPECT_EQ(-EINVAL, vcmdq_mem_map(ctx, GPA_BASE, page, sizeof(page),
					 VCMDQ_S2_MAP_READ));
	EXPECT_EQ(-EINVAL, vcmdq_viommu_create(ctx, 1, &v));
	ASSERT_EQ(0, vcmdq_objects_get(ctx, 0, &objs, &nr));
	EXPECT_EQ(0, nr);
	EXPECT_NE(NULL, objs);
	free(objs);

	/* Every file's: the fixture's S2 among them, not the caller's own. */
	test_cmd_s2_alloc(&s2_id);
	ASSERT_EQ(0, vcmdq_objects_get(ctx, VCMDQ_GET_OBJECTS_ALL, &objs, &nr));
	for (i = 0; i < nr; i++) {
		EXPECT_FALSE(objs[i].flags & VCMDQ_OBJECT_INFO_SELF);
		if (objs[i].owner_pid == getpid() && objs[i].id == s2_id &&
		    objs[i].type == VCMDQ_OBJECT_S2)
			seen++;
	}
	EXPECT_EQ(1, seen);
	free(objs);
	EXPECT_EQ(-EINVAL, vcmdq_objects_get(ctx, 0, NULL, &nr));
	EXPECT_EQ(-EOPNOTSUPP, vcmdq_objects_get(ctx, 1U << 31, &objs, &nr));
	vcmdq_close(ctx);
	test_ioctl_destroy(s2_id);
	EXPECT_EQ(contexts, vcmdq_counter("contexts"));
}

/* ---- sysfs: instances/ID/ ------------------------------------------------ */

static long inst_file(__u32 id, const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), VCMDQ_SYSFS "instances/%u/%s", id, name);
	return read_long_file(path);
}

TEST_F(info, sysfs_instances)
{
	struct vcmdq_instance_info info[VCMDQ_MAX_INSTANCES];
	int n = vcmdq_instances(self->fd, info), i;
	__u32 s2_id, viommu_id, tag;

	ASSERT_LT(0, n);
	for (i = 0; i < n; i++) {
		char path[128], buf[64] = "";
		__u32 id = info[i].id;

		snprintf(path, sizeof(path), VCMDQ_SYSFS "instances/%u/flavor",
			 id);
		ASSERT_LT(0, read_file(path, buf, sizeof(buf)));
		buf[strcspn(buf, "\n")] = '\0';
		EXPECT_STREQ(vcmdq_flavor_name(info[i].flavor), buf);
		snprintf(path, sizeof(path), VCMDQ_SYSFS "instances/%u/caps", id);
		ASSERT_LT(0, read_file(path, buf, sizeof(buf)));
		EXPECT_EQ(info[i].caps, strtoull(buf, NULL, 16));
		EXPECT_EQ(0, strncmp(buf, "0x", 2));
		EXPECT_EQ(info[i].tag_bits, inst_file(id, "tag_bits"));
		EXPECT_EQ(info[i].max_viommus, inst_file(id, "max_viommus"));
		EXPECT_EQ(info[i].live_viommus, inst_file(id, "tags_in_use"));
		EXPECT_EQ(info[i].queues_per_viommu,
			  inst_file(id, "queues_per_viommu"));
		EXPECT_EQ(info[i].max_queue_log2size,
			  inst_file(id, "max_queue_log2size"));
		EXPECT_EQ(info[i].vsids_per_viommu,
			  inst_file(id, "vsids_per_viommu"));
	}
	/* No directory past the last instance. */
	EXPECT_EQ(-1, inst_file(n + 1, "flavor"));

	/* A vIOMMU takes one tag of its instance. */
	test_cmd_s2_alloc(&s2_id);
	test_cmd_viommu_alloc(info[0].id, s2_id, &viommu_id, &tag);
	EXPECT_EQ(info[0].live_viommus + 1, inst_file(info[0].id, "tags_in_use"));
	test_ioctl_destroy(viommu_id);
	EXPECT_EQ(info[0].live_viommus, inst_file(info[0].id, "tags_in_use"));
	test_ioctl_destroy(s2_id);
}

/* ---- sysfs: counters ----------------------------------------------------- */

static const char *const cnt_names[] = {
	"fast_commands", "slow_commands", "inv_tlb",	 "inv_atc",
	"inv_dev_cfg",	 "inv_pasid_cfg", "inv_all",	 "sync",
	"nop",		 "handed_back",	  "illegal",	 "events",
	"events_lost",	 "doorbell_wakeups", "hybrid_sleeps",
};
#define NCNT (sizeof(cnt_names) / sizeof(cnt_names[0]))
enum { FAST, SLOW, TLB, ATC, DEVCFG, PASIDCFG, ALL, SYNC, NOP, BACK, ILL,
       EVENTS, LOST, DOORBELL, HYBRID };

static void read_cnts(__u32 id, long *v)
{
	char name[64];
	size_t i;

	for (i = 0; i < NCNT; i++) {
		snprintf(name, sizeof(name), "counters/%s", cnt_names[i]);
		v[i] = inst_file(id, name);
	}
}

/*
 * Every counter of @id moved by exactly @delta (others by 0).  But
 * doorbell_wakeups and hybrid_sleeps: whether a write finds the engine
 * asleep, and whether its gaps make it sleep on a timer, are timing
 * (vcmdq_fast's doorbell and hybrid tests count them where they are
 * deterministic).
 */
#define EXPECT_CNT_DELTA(id, before, delta)                                   \
	do {                                                                  \
		long _now[NCNT];                                              \
		size_t _i;                                                    \
									      \
		read_cnts(id, _now);                                          \
		for (_i = 0; _i < NCNT; _i++) {                               \
			if (_i == DOORBELL || _i == HYBRID)                   \
				continue;                                     \
			EXPECT_EQ((before)[_i] + (delta)[_i], _now[_i])       \
				TH_LOG("instance %u counter %s", id,          \
				       cnt_names[_i]);                        \
		}                                                             \
	} while (0)

TEST_F(info, counters_slow_path)
{
	__u32 sinst, tinst, s2_id, viommu_id, tag, num;
	long before[NCNT], other[NCNT], delta[NCNT] = { 0 }, zero[NCNT] = { 0 };
	struct inv_cmd cmds[8];
	__u8 buf[8 * 16];

	sinst = find_flavor(self->fd, VCMDQ_FLAVOR_SMMUV3);
	tinst = find_flavor(self->fd, VCMDQ_FLAVOR_TEGRA241_CMDQV);
	if (!sinst || !tinst)
		SKIP(return, "needs an smmuv3 and a tegra241-cmdqv instance");
	test_cmd_s2_alloc(&s2_id);
	test_cmd_viommu_alloc(sinst, s2_id, &viommu_id, &tag);
	read_cnts(sinst, before);
	read_cnts(tinst, other);
	for (num = 0; num < NCNT; num++) {
		ASSERT_LE(0, before[num]);
	}

	/* 3 + 2 TLB invalidations, a CD invalidation, a hint, a sync. */
	cmds[0] = smmu_nh_asid(0, 1);
	cmds[1] = smmu_nh_asid(0, 2);
	cmds[2] = smmu_nh_all(0);
	cmds[3] = smmu_nh_va(0, 1, 0x1000, false);
	cmds[4] = smmu_nh_va(0, 2, 0x2000, true);
	cmds[5] = smmu_cfgi_cd_all(7);
	cmds[6] = inv_raw(SMMU_PREFETCH_CFG | (__u64)7 << 32, 0);
	cmds[7] = smmu_sync(SMMU_SYNC_CS_NONE, 0, 0);
	inv_pack(buf, cmds, 8, 16, 16);
	num = 8;
	test_cmd_invalidate(viommu_id, VCMDQ_DATA_SMMUV3, 16, &num, buf);
	EXPECT_EQ(8, num);
	delta[SLOW] = 8;
	delta[TLB] = 5;
	delta[PASIDCFG] = 1;
	delta[NOP] = 1;
	delta[SYNC] = 1;
	EXPECT_CNT_DELTA(sinst, before, delta);

	/* One executed, then an illegal command (TLBI_EL2_ALL). */
	read_cnts(sinst, before);
	cmds[0] = smmu_nh_asid(0, 3);
	cmds[1] = inv_raw(SMMU_TLBI_EL2_ALL, 0);
	inv_pack(buf, cmds, 2, 16, 16);
	num = 2;
	test_err_invalidate(EIO, viommu_id, VCMDQ_DATA_SMMUV3, 16, &num, buf);
	EXPECT_EQ(1, num);
	memset(delta, 0, sizeof(delta));
	delta[SLOW] = 1;
	delta[TLB] = 1;
	delta[ILL] = 1;
	EXPECT_CNT_DELTA(sinst, before, delta);

	/* A stream table invalidation is the VMM's: handed back. */
	read_cnts(sinst, before);
	cmds[0] = inv_raw(SMMU_CFGI_STE | (__u64)7 << 32, 0);
	inv_pack(buf, cmds, 1, 16, 16);
	num = 1;
	test_err_invalidate(EREMOTE, viommu_id, VCMDQ_DATA_SMMUV3, 16, &num,
			    buf);
	EXPECT_EQ(0, num);
	memset(delta, 0, sizeof(delta));
	delta[BACK] = 1;
	EXPECT_CNT_DELTA(sinst, before, delta);

	/* The probe executes nothing; another instance saw nothing. */
	read_cnts(sinst, before);
	num = 0;
	test_cmd_invalidate(viommu_id, VCMDQ_DATA_SMMUV3, 16, &num, NULL);
	EXPECT_CNT_DELTA(sinst, before, zero);
	EXPECT_CNT_DELTA(tinst, other, zero);

	test_ioctl_destroy(viommu_id);
	test_ioctl_destroy(s2_id);
}

/*
 * The engine reports a queue's error event after it has shown the guest the
 * error (CONS.ERR, then GERROR), as the hardware interrupts after: a guest
 * that sees the queue stopped may read the counters before the event is
 * counted.  Wait (bounded) for counter @c of @id to reach @want.
 */
static void wait_cnt(__u32 id, int c, long want)
{
	char name[64];
	int i;

	snprintf(name, sizeof(name), "counters/%s", cnt_names[c]);
	for (i = 0; i < 10000 && inst_file(id, name) < want; i++)
		usleep(1000);
}

/*
 * The fast path through libvcmdq's guest driver: @n commands and a sync
 * consumed by the engine; then an illegal one, its event lost (no event
 * queue), and after an event queue exists, one delivered.
 */
TEST(counters_fast_path)
{
	const unsigned int ram_pages = 4;
	struct vcmdq_instance tq;
	struct vcmdq_viommu *v;
	struct vcmdq_ctx *ctx;
	struct vcmdq_sq sq;
	struct vcmdq_sq_error serr;
	long before[NCNT], delta[NCNT] = { 0 };
	uint64_t deadline;
	uint32_t idx;
	unsigned int i;
	int efd;
	__u8 *ram;

	ASSERT_EQ(0, vcmdq_open(NULL, 0, &ctx));
	if (vcmdq_instance_find(ctx, 0, VCMDQ_FLAVOR_TEGRA241_CMDQV,
				VCMDQ_INSTANCE_CAP_FAST_QUEUES, &tq)) {
		vcmdq_close(ctx);
		SKIP(return, "no tegra241-cmdqv instance");
	}
	ram = alloc_pages(ram_pages, PROT_READ | PROT_WRITE, true);
	ASSERT_NE(NULL, ram);
	ASSERT_EQ(0, vcmdq_mem_map(ctx, GPA_BASE, ram, ram_pages * PAGE_SIZE,
				   VCMDQ_S2_MAP_READ | VCMDQ_S2_MAP_WRITE));
	ASSERT_EQ(0, vcmdq_viommu_create(ctx, tq.id, &v));
	ASSERT_EQ(0, vcmdq_queue_set_base(v, 0, GPA_BASE, 8));
	ASSERT_EQ(0, vcmdq_sq_init(v, 0, &sq));
	ASSERT_EQ(0, vcmdq_sq_enable(&sq, TIMEOUT_US));
	read_cnts(tq.id, before);

	/* 10 TLB invalidations and a sync. */
	ASSERT_EQ(0, __vcmdq_sq_reserve(&sq, 11, &idx));
	for (i = 0; i < 10; i++)
		vcmdq_prep_tlbi_nh_asid(__vcmdq_sq_entry(&sq, idx + i), i);
	vcmdq_prep_sync(__vcmdq_sq_entry(&sq, idx + 10));
	if (__vcmdq_sq_submit(&sq, 11)) {
		ASSERT_EQ(0, vcmdq_sq_kick(&sq));
	}
	deadline = vcmdq_deadline_ns(TIMEOUT_US);
	ASSERT_EQ(0, __vcmdq_sq_wait(&sq, idx + 10, 64, vcmdq_backoff_sleep,
				     &deadline, &serr));
	delta[FAST] = 11;
	delta[TLB] = 10;
	delta[SYNC] = 1;
	EXPECT_CNT_DELTA(tq.id, before, delta);

	/* An illegal command with no event queue: its event is lost. */
	read_cnts(tq.id, before);
	ASSERT_EQ(0, __vcmdq_sq_reserve(&sq, 2, &idx));
	vcmdq_prep_tlbi_nh_asid(__vcmdq_sq_entry(&sq, idx), 1);
	{
		uint64_t *e = __vcmdq_sq_entry(&sq, idx + 1);

		/* TLBI_EL2_ALL: the hypervisor's, refused by a guest queue. */
		e[0] = __vcmdq_cpu_to_le64(0x20);
		e[1] = 0;
	}
	if (__vcmdq_sq_submit(&sq, 2)) {
		ASSERT_EQ(0, vcmdq_sq_kick(&sq));
	}
	deadline = vcmdq_deadline_ns(TIMEOUT_US);
	EXPECT_EQ(-EIO, __vcmdq_sq_wait(&sq, idx + 1, 64, vcmdq_backoff_sleep,
					&deadline, &serr));
	memset(delta, 0, sizeof(delta));
	delta[FAST] = 1;
	delta[TLB] = 1;
	delta[ILL] = 1;
	delta[EVENTS] = 1;
	delta[LOST] = 1;
	wait_cnt(tq.id, LOST, before[LOST] + 1);
	EXPECT_CNT_DELTA(tq.id, before, delta);

	/* With an event queue, the next error's event is delivered. */
	ASSERT_EQ(0, vcmdq_eventq_create(v, 4, &efd));
	read_cnts(tq.id, before);
	/* The engine resumes at the same entry: illegal again. */
	if (__vcmdq_sq_ack_error(&sq)) {
		ASSERT_EQ(0, vcmdq_sq_kick(&sq));
	}
	deadline = vcmdq_deadline_ns(TIMEOUT_US);
	EXPECT_EQ(-EIO, __vcmdq_sq_wait(&sq, idx + 1, 64, vcmdq_backoff_sleep,
					&deadline, &serr));
	memset(delta, 0, sizeof(delta));
	delta[ILL] = 1;
	delta[EVENTS] = 1;
	wait_cnt(tq.id, EVENTS, before[EVENTS] + 1);
	EXPECT_CNT_DELTA(tq.id, before, delta);

	vcmdq_close(ctx);
	munmap(ram, ram_pages * PAGE_SIZE);
}

TEST_HARNESS_MAIN
