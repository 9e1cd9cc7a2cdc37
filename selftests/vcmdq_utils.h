/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers for the vcmdq selftests, in the style of iommufd_utils.h: for each
 * ioctl a raw _test_cmd_<ioctl>(fd, ...) that returns the ioctl result with
 * errno intact, test_cmd_<ioctl>(...) that asserts success on self->fd, and
 * test_err_<ioctl>(errno, ...) that asserts failure with that errno.
 *
 * Also here: the module's global leak counters in sysfs, the RLIMIT_MEMLOCK
 * charge (VmLck) of this process, and raw capability changes (no libcap).
 */
#ifndef __SELFTEST_VCMDQ_UTILS_H
#define __SELFTEST_VCMDQ_UTILS_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#include "kselftest_harness.h"
#include "linux/vcmdq.h"

#define VCMDQ_DEV		"/dev/vcmdq"
#define VCMDQ_SYSFS		"/sys/class/misc/vcmdq/"
#define VCMDQ_PARAMS		"/sys/module/vcmdq/parameters/"

/* More than any module parameter can create; GET_INFO is asked for this. */
#define VCMDQ_MAX_INSTANCES	64

/* GPAs used by the tests; never 0 (see the report on S2_MAP's "zero gpa"). */
#define GPA_BASE		(1ULL << 32)

#ifndef offsetofend
#define offsetofend(TYPE, MEMBER) \
	(offsetof(TYPE, MEMBER) + sizeof(((TYPE *)0)->MEMBER))
#endif

/* Like iommufd: the call must fail (-1) with exactly this errno. */
#define EXPECT_ERRNO(expected_errno, cmd)                                  \
	({                                                                 \
		ASSERT_EQ(-1, cmd);                                        \
		EXPECT_EQ(expected_errno, errno);                          \
	})

static unsigned long PAGE_SIZE;

static void __attribute__((constructor)) vcmdq_setup_sizes(void)
{
	PAGE_SIZE = sysconf(_SC_PAGE_SIZE);
}

static inline const char *vcmdq_flavor_name(__u32 flavor)
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

/* ---- sysfs counters ---------------------------------------------------- */

/* A decimal number and a newline; -1 if the file cannot be read. */
static inline long read_long_file(const char *path)
{
	char buf[64], *end;
	ssize_t n;
	long val;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	errno = 0;
	val = strtol(buf, &end, 10);
	if (errno || end == buf || *end != '\n')
		return -1;
	return val;
}

static inline long vcmdq_counter(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), VCMDQ_SYSFS "%s", name);
	return read_long_file(path);
}

struct vcmdq_counters {
	long live_objects;
	long pinned_pages;
	long contexts;
};

static inline void vcmdq_read_counters(struct vcmdq_counters *c)
{
	c->live_objects = vcmdq_counter("live_objects");
	c->pinned_pages = vcmdq_counter("pinned_pages");
	c->contexts = vcmdq_counter("contexts");
}

#define ASSERT_COUNTERS_READ(c)                                            \
	({                                                                 \
		ASSERT_LE(0, (c)->live_objects);                           \
		ASSERT_LE(0, (c)->pinned_pages);                           \
		ASSERT_LE(0, (c)->contexts);                               \
	})

/* EXPECT, never ASSERT: this runs in teardown, where an ASSERT loops. */
#define EXPECT_COUNTERS_EQ(a, b)                                           \
	({                                                                 \
		EXPECT_EQ((a)->live_objects, (b)->live_objects);           \
		EXPECT_EQ((a)->pinned_pages, (b)->pinned_pages);           \
		EXPECT_EQ((a)->contexts, (b)->contexts);                   \
	})

#define live_objects() vcmdq_counter("live_objects")
#define pinned_pages() vcmdq_counter("pinned_pages")

/* ---- this process: VmLck (mm->locked_vm) and capabilities -------------- */

/* VmLck of /proc/self/status in bytes; -1 if not found. */
static inline long vm_locked_bytes(void)
{
	char line[256];
	long kb = -1;
	FILE *f;

	f = fopen("/proc/self/status", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "VmLck: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb < 0 ? -1 : kb * 1024;
}

static inline int cap_get(struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};

	return syscall(SYS_capget, &hdr, data);
}

static inline bool cap_effective(int cap)
{
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};

	if (cap_get(data))
		return false;
	return data[CAP_TO_INDEX(cap)].effective & CAP_TO_MASK(cap);
}

/* Drop @cap from the effective set of this thread (the test process). */
static inline int cap_drop_effective(int cap)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	data[CAP_TO_INDEX(cap)].effective &= ~CAP_TO_MASK(cap);
	return syscall(SYS_capset, &hdr, data);
}

/* ---- memory for S2_MAP -------------------------------------------------- */

/* Anonymous private memory; touched (faulted in) when @touch. */
static inline void *alloc_pages(size_t npages, int prot, bool touch)
{
	void *p = mmap(NULL, npages * PAGE_SIZE, prot,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (touch)
		memset(p, 0xa5, npages * PAGE_SIZE);
	return p;
}

/* ---- VCMDQ_DESTROY ------------------------------------------------------ */

static inline int _test_ioctl_destroy(int fd, __u32 id)
{
	struct vcmdq_destroy cmd = {
		.size = sizeof(cmd),
		.id = id,
	};

	return ioctl(fd, VCMDQ_DESTROY, &cmd);
}
#define test_ioctl_destroy(id) ASSERT_EQ(0, _test_ioctl_destroy(self->fd, id))
#define test_err_destroy(_errno, id) \
	EXPECT_ERRNO(_errno, _test_ioctl_destroy(self->fd, id))

/* ---- VCMDQ_GET_INFO ----------------------------------------------------- */

static inline int _test_cmd_get_info(int fd, __u32 flags, __u32 entry_len,
				     __u32 *num_instances, void *instances)
{
	struct vcmdq_get_info cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.entry_len = entry_len,
		.num_instances = *num_instances,
		.instances_uptr = (uintptr_t)instances,
	};
	int ret;

	ret = ioctl(fd, VCMDQ_GET_INFO, &cmd);
	if (ret)
		return ret;
	*num_instances = cmd.num_instances;
	return 0;
}
#define test_cmd_get_info(entry_len, num, instances)                       \
	ASSERT_EQ(0, _test_cmd_get_info(self->fd, 0, entry_len, num, instances))
#define test_err_get_info(_errno, flags, entry_len, num, instances)        \
	EXPECT_ERRNO(_errno, _test_cmd_get_info(self->fd, flags, entry_len, \
						num, instances))

/*
 * Read every instance into @info (room for VCMDQ_MAX_INSTANCES); returns the
 * number of instances or -1.
 */
static inline int vcmdq_instances(int fd, struct vcmdq_instance_info *info)
{
	__u32 num = VCMDQ_MAX_INSTANCES;

	memset(info, 0, sizeof(*info) * VCMDQ_MAX_INSTANCES);
	if (_test_cmd_get_info(fd, 0, sizeof(*info), &num, info))
		return -1;
	if (num > VCMDQ_MAX_INSTANCES)
		return -1;
	return num;
}

/* live_viommus of instance @id as GET_INFO reports it now; -1 on error. */
static inline long vcmdq_live_viommus(int fd, __u32 id)
{
	struct vcmdq_instance_info info[VCMDQ_MAX_INSTANCES];
	int n = vcmdq_instances(fd, info), i;

	for (i = 0; i < n; i++)
		if (info[i].id == id)
			return info[i].live_viommus;
	return -1;
}

/* ---- VCMDQ_S2_ALLOC ----------------------------------------------------- */

static inline int _test_cmd_s2_alloc(int fd, __u32 flags, __u32 *s2_id)
{
	struct vcmdq_s2_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
	};
	int ret;

	ret = ioctl(fd, VCMDQ_S2_ALLOC, &cmd);
	if (ret)
		return ret;
	if (s2_id)
		*s2_id = cmd.out_s2_id;
	return 0;
}
#define test_cmd_s2_alloc(s2_id) \
	ASSERT_EQ(0, _test_cmd_s2_alloc(self->fd, 0, s2_id))
#define test_err_s2_alloc(_errno, flags, s2_id) \
	EXPECT_ERRNO(_errno, _test_cmd_s2_alloc(self->fd, flags, s2_id))

/* ---- VCMDQ_S2_MAP ------------------------------------------------------- */

static inline int _test_cmd_s2_map(int fd, __u32 s2_id, __u32 flags,
				   __u64 gpa, const void *uaddr, __u64 length)
{
	struct vcmdq_s2_map cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.s2_id = s2_id,
		.gpa = gpa,
		.uaddr = (uintptr_t)uaddr,
		.length = length,
	};

	return ioctl(fd, VCMDQ_S2_MAP, &cmd);
}
#define VCMDQ_S2_MAP_RW (VCMDQ_S2_MAP_READ | VCMDQ_S2_MAP_WRITE)
#define test_cmd_s2_map(s2_id, gpa, uaddr, length)                        \
	ASSERT_EQ(0, _test_cmd_s2_map(self->fd, s2_id, VCMDQ_S2_MAP_RW, gpa, \
				      uaddr, length))
#define test_err_s2_map(_errno, s2_id, gpa, uaddr, length)                \
	EXPECT_ERRNO(_errno, _test_cmd_s2_map(self->fd, s2_id,            \
					      VCMDQ_S2_MAP_RW, gpa, uaddr, \
					      length))
#define test_err_s2_map_flags(_errno, s2_id, flags, gpa, uaddr, length)   \
	EXPECT_ERRNO(_errno, _test_cmd_s2_map(self->fd, s2_id, flags, gpa,  \
					      uaddr, length))

/* ---- VCMDQ_S2_UNMAP ----------------------------------------------------- */

static inline int _test_cmd_s2_unmap(int fd, __u32 s2_id, __u64 gpa,
				     __u64 length, __u64 *unmapped)
{
	struct vcmdq_s2_unmap cmd = {
		.size = sizeof(cmd),
		.s2_id = s2_id,
		.gpa = gpa,
		.length = length,
	};
	int ret;

	ret = ioctl(fd, VCMDQ_S2_UNMAP, &cmd);
	if (ret)
		return ret;
	if (unmapped)
		*unmapped = cmd.out_unmapped;
	return 0;
}
#define test_cmd_s2_unmap(s2_id, gpa, length)                             \
	({                                                                 \
		__u64 __unmapped = 0;                                      \
		ASSERT_EQ(0, _test_cmd_s2_unmap(self->fd, s2_id, gpa,      \
						length, &__unmapped));     \
		__unmapped;                                                \
	})
#define test_err_s2_unmap(_errno, s2_id, gpa, length)                     \
	EXPECT_ERRNO(_errno, _test_cmd_s2_unmap(self->fd, s2_id, gpa,     \
						length, NULL))

/* ---- VCMDQ_VIOMMU_ALLOC ------------------------------------------------- */

static inline int _test_cmd_viommu_alloc(int fd, __u32 instance_id,
					 __u32 s2_id, __u32 flags,
					 __u32 *viommu_id, __u32 *tag)
{
	struct vcmdq_viommu_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.instance_id = instance_id,
		.s2_id = s2_id,
	};
	int ret;

	ret = ioctl(fd, VCMDQ_VIOMMU_ALLOC, &cmd);
	if (ret)
		return ret;
	if (viommu_id)
		*viommu_id = cmd.out_viommu_id;
	if (tag)
		*tag = cmd.out_tag;
	return 0;
}
#define test_cmd_viommu_alloc(instance_id, s2_id, viommu_id, tag)          \
	ASSERT_EQ(0, _test_cmd_viommu_alloc(self->fd, instance_id, s2_id, 0, \
					    viommu_id, tag))
#define test_err_viommu_alloc(_errno, instance_id, s2_id, flags)          \
	EXPECT_ERRNO(_errno, _test_cmd_viommu_alloc(self->fd, instance_id, \
						    s2_id, flags, NULL,    \
						    NULL))

/* ---- struct size checks, iommufd's TEST_LENGTH -------------------------- */

/*
 * For a zero-filled struct: a size one byte short of the last mandatory field
 * is EINVAL; sizeof + 1 with a non-zero trailing byte is E2BIG; sizeof + 1
 * with a zero trailing byte gives the same result as sizeof.  A success is
 * undone with _undo (a statement that sees the struct as cmd.cmd).
 */
#define TEST_LENGTH(_struct, _ioctl, _last, _undo)                         \
	{                                                                  \
		size_t min_size = offsetofend(struct _struct, _last);     \
		struct {                                                   \
			struct _struct cmd;                                \
			uint8_t extra;                                     \
		} cmd;                                                     \
		int old_errno;                                             \
		int rc;                                                    \
									   \
		memset(&cmd, 0, sizeof(cmd));                              \
		cmd.cmd.size = min_size - 1;                               \
		cmd.extra = UINT8_MAX;                                     \
		EXPECT_ERRNO(EINVAL, ioctl(self->fd, _ioctl, &cmd));       \
		cmd.cmd.size = 0;                                          \
		EXPECT_ERRNO(EINVAL, ioctl(self->fd, _ioctl, &cmd));       \
		cmd.cmd.size = sizeof(struct _struct) + 1;                 \
		EXPECT_ERRNO(E2BIG, ioctl(self->fd, _ioctl, &cmd));        \
		cmd.cmd.size = sizeof(struct _struct);                     \
		rc = ioctl(self->fd, _ioctl, &cmd);                        \
		old_errno = errno;                                         \
		if (!rc) {                                                 \
			_undo;                                             \
		}                                                          \
		memset(&cmd, 0, sizeof(cmd));                              \
		cmd.cmd.size = sizeof(struct _struct) + 1;                 \
		if (rc) {                                                  \
			EXPECT_ERRNO(old_errno,                            \
				     ioctl(self->fd, _ioctl, &cmd));       \
		} else {                                                   \
			ASSERT_EQ(0, ioctl(self->fd, _ioctl, &cmd));       \
			EXPECT_EQ(0, cmd.extra);                           \
			_undo;                                             \
		}                                                          \
	}

#endif /* __SELFTEST_VCMDQ_UTILS_H */
