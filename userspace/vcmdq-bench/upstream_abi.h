/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vcmdq-bench, mode "upstream": the few pieces of upstream iommufd's ABI it
 * uses, copied here because the build host's <linux/iommufd.h> (bookworm:
 * Linux 6.1's) predates the vIOMMU.  Do not include <linux/iommufd.h>
 * alongside this header.
 *
 * 1. From include/uapi/linux/iommufd.h of Linux 7.3.4 (the iommufd VM's
 *    kernel, tools/debug-kernel --profile iommufd): stable uAPI, copied
 *    verbatim (the structs, their ioctl numbers, IOMMU_HWPT_ALLOC_NEST_PARENT).
 *
 * 2. From drivers/iommu/iommufd/iommufd_test.h of Linux 7.3.4: NOT uAPI.
 *    It is the private interface of CONFIG_IOMMUFD_TEST, the mock driver
 *    upstream's own selftests drive (tools/testing/selftests/iommu), and
 *    it can change from one kernel to the next.  Only IOMMU_TEST_CMD with
 *    IOMMU_TEST_OP_MOCK_DOMAIN and IOMMU_TEST_OP_DEV_CHECK_CACHE, and the
 *    selftest vIOMMU type and invalidation entry are here.  The bench
 *    checks every step at run time and names the one that failed with its
 *    errno (upstream.c).
 */
#ifndef VCMDQ_BENCH_UPSTREAM_ABI_H
#define VCMDQ_BENCH_UPSTREAM_ABI_H

#include <linux/ioctl.h>
#include <linux/types.h>

#ifdef _UAPI_IOMMUFD_H
#error "upstream_abi.h copies parts of <linux/iommufd.h>: include one of them"
#endif

/* ---- include/uapi/linux/iommufd.h (Linux 7.3.4) -------------------------- */

#define IOMMUFD_TYPE (';')

enum {
	IOMMUFD_CMD_BASE = 0x80,
	IOMMUFD_CMD_DESTROY = IOMMUFD_CMD_BASE,
	IOMMUFD_CMD_IOAS_ALLOC = 0x81,
	IOMMUFD_CMD_HWPT_ALLOC = 0x89,
	IOMMUFD_CMD_HWPT_INVALIDATE = 0x8d,
	IOMMUFD_CMD_VIOMMU_ALLOC = 0x90,
	IOMMUFD_CMD_VDEVICE_ALLOC = 0x91,
};

struct iommu_destroy {
	__u32 size;
	__u32 id;
};
#define IOMMU_DESTROY _IO(IOMMUFD_TYPE, IOMMUFD_CMD_DESTROY)

struct iommu_ioas_alloc {
	__u32 size;
	__u32 flags;
	__u32 out_ioas_id;
};
#define IOMMU_IOAS_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_ALLOC)

enum iommufd_hwpt_alloc_flags {
	IOMMU_HWPT_ALLOC_NEST_PARENT = 1 << 0,
};

struct iommu_hwpt_alloc {
	__u32 size;
	__u32 flags;
	__u32 dev_id;
	__u32 pt_id;
	__u32 out_hwpt_id;
	__u32 __reserved;
	__u32 data_type;
	__u32 data_len;
	__aligned_u64 data_uptr;
	__u32 fault_id;
	__u32 __reserved2;
};
#define IOMMU_HWPT_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_ALLOC)

struct iommu_hwpt_invalidate {
	__u32 size;
	__u32 hwpt_id;
	__aligned_u64 data_uptr;
	__u32 data_type;
	__u32 entry_len;
	__u32 entry_num;
	__u32 __reserved;
};
#define IOMMU_HWPT_INVALIDATE _IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_INVALIDATE)

struct iommu_viommu_alloc {
	__u32 size;
	__u32 flags;
	__u32 type;
	__u32 dev_id;
	__u32 hwpt_id;
	__u32 out_viommu_id;
	__u32 data_len;
	__u32 __reserved;
	__aligned_u64 data_uptr;
};
#define IOMMU_VIOMMU_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VIOMMU_ALLOC)

struct iommu_vdevice_alloc {
	__u32 size;
	__u32 viommu_id;
	__u32 dev_id;
	__u32 out_vdevice_id;
	__aligned_u64 virt_id;
};
#define IOMMU_VDEVICE_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VDEVICE_ALLOC)

/* ---- drivers/iommu/iommufd/iommufd_test.h (Linux 7.3.4): a test interface */

enum {
	IOMMU_TEST_OP_MOCK_DOMAIN = 2,
	IOMMU_TEST_OP_DEV_CHECK_CACHE = 16,
};

enum {
	MOCK_DEV_CACHE_ID_MAX = 3,
	MOCK_DEV_CACHE_NUM = 4,
};

#define IOMMU_TEST_DEV_CACHE_DEFAULT 0xbaddad

/*
 * Upstream's union has many more members; the kernel takes a command no
 * shorter than up to @last (its ioctl table's minimum size), so the union
 * keeps its size in 7.3.4 (48 bytes, its largest member being "dirty").
 */
struct iommu_test_cmd {
	__u32 size;
	__u32 op;
	__u32 id;
	__u32 __reserved;
	union {
		struct {
			__u32 out_stdev_id;
			__u32 out_hwpt_id;
			/* out_idev_id is the standard iommufd_bind object */
			__u32 out_idev_id;
		} mock_domain;
		struct {
			__u32 id;
			__u32 cache;
		} check_dev_cache;
		__aligned_u64 __union_size[6];
	};
	__u32 last;
};
#define IOMMU_TEST_CMD _IO(IOMMUFD_TYPE, IOMMUFD_CMD_BASE + 32)

_Static_assert(sizeof(struct iommu_test_cmd) == 72,
	       "struct iommu_test_cmd: not the size of Linux 7.3.4's");

#define IOMMU_VIOMMU_TYPE_SELFTEST 0xdeadbeef

#define IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST 0xdeadbeef

/*
 * struct iommu_viommu_invalidate_selftest - one entry of the mock vIOMMU's
 * invalidation array: clear the device cache entry @cache_id (0..3) of
 * the device @vdev_id (a vDEVICE's virt_id), or all four with
 * IOMMU_TEST_INVALIDATE_FLAG_ALL.
 */
struct iommu_viommu_invalidate_selftest {
#define IOMMU_TEST_INVALIDATE_FLAG_ALL (1 << 0)
	__u32 flags;
	__u32 vdev_id;
	__u32 cache_id;
};

#endif /* VCMDQ_BENCH_UPSTREAM_ABI_H */
