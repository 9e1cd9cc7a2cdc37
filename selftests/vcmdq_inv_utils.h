/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers for the slow path selftests (vcmdq_inv.c), on top of
 * vcmdq_utils.h (which has the ioctl helpers, VCMDQ_INVALIDATE and
 * VCMDQ_TEST among them, and device_claim() for VCMDQ_VDEVICE_ALLOC):
 *  - command encoders for the three formats VCMDQ_INVALIDATE takes (SMMUv3
 *    CMDQ entries, AMD-Vi command buffer entries, VT-d queued invalidation
 *    descriptors), written from the reference layouts, never from the
 *    kernel's decoder masks;
 *  - io_uring submission of VCMDQ_INVALIDATE (liburing 2.3 has no
 *    io_uring_prep_uring_cmd(), so the SQE is built by hand).
 */
#ifndef __SELFTEST_VCMDQ_INV_UTILS_H
#define __SELFTEST_VCMDQ_INV_UTILS_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <endian.h>
#include <liburing.h>

#include "vcmdq_utils.h"

/* ---- raw commands ------------------------------------------------------- */

/*
 * One command in CPU order: SMMUv3 and AMD-Vi use q[0..1], a 128-bit VT-d
 * descriptor q[0..1], a 256-bit one q[0..3].  AMD-Vi's four 32-bit words
 * sit as word 0 = q[0] bits 31:0, word 1 = q[0] bits 63:32, and so on.
 */
struct inv_cmd {
	__u64 q[4];
};

static inline struct inv_cmd inv_raw(__u64 q0, __u64 q1)
{
	return (struct inv_cmd){ { q0, q1, 0, 0 } };
}

/*
 * Lay @n commands out as the guest's queue holds them: little-endian qwords,
 * @fmt_len bytes of command then zeroes up to @entry_len.  @buf must hold
 * @n * @entry_len bytes.
 */
static inline void inv_pack(void *buf, const struct inv_cmd *cmds,
			    unsigned int n, unsigned int entry_len,
			    unsigned int fmt_len)
{
	unsigned int i, j;

	memset(buf, 0, (size_t)n * entry_len);
	for (i = 0; i < n; i++) {
		__u8 *e = (__u8 *)buf + (size_t)i * entry_len;

		for (j = 0; j < fmt_len / 8; j++) {
			__u64 le = htole64(cmds[i].q[j]);

			memcpy(e + 8 * j, &le, 8);
		}
	}
}

/* ---- SMMUv3 (Arm IHI 0070, Linux arm-smmu-v3.h layouts) ----------------- */

#define SMMU_PREFETCH_CFG	0x01
#define SMMU_PREFETCH_ADDR	0x02
#define SMMU_CFGI_STE		0x03
#define SMMU_CFGI_ALL		0x04
#define SMMU_CFGI_CD		0x05
#define SMMU_CFGI_CD_ALL	0x06
#define SMMU_TLBI_NH_ALL	0x10
#define SMMU_TLBI_NH_ASID	0x11
#define SMMU_TLBI_NH_VA		0x12
#define SMMU_TLBI_NH_VAA	0x13
#define SMMU_TLBI_EL3_ALL	0x18
#define SMMU_TLBI_EL3_VA	0x1a
#define SMMU_TLBI_EL2_ALL	0x20
#define SMMU_TLBI_EL2_ASID	0x21
#define SMMU_TLBI_EL2_VA	0x22
#define SMMU_TLBI_EL2_VAA	0x23
#define SMMU_TLBI_S12_VMALL	0x28
#define SMMU_TLBI_S2_IPA	0x2a
#define SMMU_TLBI_NSNH_ALL	0x30
#define SMMU_ATC_INV		0x40
#define SMMU_PRI_RESP		0x41
#define SMMU_RESUME		0x44
#define SMMU_STALL_TERM		0x45
#define SMMU_CMD_SYNC		0x46

#define SMMU_SYNC_CS_NONE	0
#define SMMU_SYNC_CS_IRQ	1
#define SMMU_SYNC_CS_SEV	2

/* ATC_INV Size meaning "every address" (4 KiB << 52 = 2^64). */
#define SMMU_ATC_SIZE_ALL	52

/*
 * TLBI: cmd[0] NUM 16:12, SCALE 24:20, VMID 47:32, ASID 63:48;
 * cmd[1] Leaf 0, TTL 9:8, TG 11:10, VA 63:12.
 */
static inline struct inv_cmd smmu_tlbi(__u64 op, __u64 vmid, __u64 asid,
				       __u64 num, __u64 scale, __u64 leaf,
				       __u64 ttl, __u64 tg, __u64 va)
{
	return inv_raw(op | (num & 0x1f) << 12 | (scale & 0x1f) << 20 |
		       (vmid & 0xffff) << 32 | (asid & 0xffff) << 48,
		       (leaf & 1) | (ttl & 3) << 8 | (tg & 3) << 10 |
		       (va & ~0xfffULL));
}

static inline struct inv_cmd smmu_nh_asid(__u32 vmid, __u32 asid)
{
	return smmu_tlbi(SMMU_TLBI_NH_ASID, vmid, asid, 0, 0, 0, 0, 0, 0);
}

static inline struct inv_cmd smmu_nh_all(__u32 vmid)
{
	return smmu_tlbi(SMMU_TLBI_NH_ALL, vmid, 0, 0, 0, 0, 0, 0, 0);
}

static inline struct inv_cmd smmu_nsnh_all(void)
{
	return inv_raw(SMMU_TLBI_NSNH_ALL, 0);
}

/* A TLBI_NH_VA without range (TG = 0): whatever translates @va. */
static inline struct inv_cmd smmu_nh_va(__u32 vmid, __u32 asid, __u64 va,
					bool leaf)
{
	return smmu_tlbi(SMMU_TLBI_NH_VA, vmid, asid, 0, 0, leaf, 0, 0, va);
}

/* A range TLBI_NH_VA: (@num + 1) << @scale granules of TG (1: 4K). */
static inline struct inv_cmd smmu_nh_va_range(__u32 vmid, __u32 asid,
					      __u64 va, unsigned int tg,
					      unsigned int num,
					      unsigned int scale, bool leaf)
{
	return smmu_tlbi(SMMU_TLBI_NH_VA, vmid, asid, num, scale, leaf, 0, tg,
			 va);
}

static inline struct inv_cmd smmu_nh_vaa(__u32 vmid, __u64 va,
					 unsigned int tg, unsigned int num,
					 unsigned int scale, bool leaf)
{
	return smmu_tlbi(SMMU_TLBI_NH_VAA, vmid, 0, num, scale, leaf, 0, tg,
			 va);
}

/*
 * ATC_INV: cmd[0] Global 9, SSV 11, SSID 31:12, SID 63:32;
 * cmd[1] Size 5:0 (log2 of 4 KiB pages), Address 63:12.
 */
static inline struct inv_cmd smmu_atc(__u32 sid, bool ssv, __u32 ssid,
				      bool global, unsigned int size,
				      __u64 addr)
{
	return inv_raw(SMMU_ATC_INV | (__u64)global << 9 | (__u64)ssv << 11 |
		       (__u64)(ssid & 0xfffff) << 12 | (__u64)sid << 32,
		       (size & 0x3f) | (addr & ~0xfffULL));
}

/* CFGI_CD: cmd[0] SSID 31:12, SID 63:32; cmd[1] Leaf 0. */
static inline struct inv_cmd smmu_cfgi_cd(__u32 sid, __u32 ssid, bool leaf)
{
	return inv_raw(SMMU_CFGI_CD | (__u64)(ssid & 0xfffff) << 12 |
		       (__u64)sid << 32, leaf);
}

static inline struct inv_cmd smmu_cfgi_cd_all(__u32 sid)
{
	return inv_raw(SMMU_CFGI_CD_ALL | (__u64)sid << 32, 0);
}

/*
 * CMD_SYNC: cmd[0] CS 13:12, MSH 23:22, MSIAttr 27:24, MSIData 63:32;
 * cmd[1] MSIAddr 51:2.
 */
static inline struct inv_cmd smmu_sync(unsigned int cs, __u32 data,
				       __u64 addr)
{
	return inv_raw(SMMU_CMD_SYNC | (__u64)(cs & 3) << 12 |
		       (__u64)data << 32, addr);
}

/* ---- AMD-Vi (AMD pub. 48882, Linux amd/iommu.c build_*() layouts) ------- */

#define AMD_COMPLETION_WAIT	0x1
#define AMD_INV_DEVTAB_ENTRY	0x2
#define AMD_INV_IOMMU_PAGES	0x3
#define AMD_INV_IOTLB_PAGES	0x4
#define AMD_INV_IRT		0x5
#define AMD_PREFETCH_PAGES	0x6
#define AMD_COMPLETE_PPR	0x7
#define AMD_INV_ALL		0x8

/* The S=1 address Linux sends for "all pages" (CMD_INV_IOMMU_ALL_PAGES_ADDRESS). */
#define AMD_ALL_PAGES		0x7ffffffffffff000ULL

static inline __u64 amd_op(__u64 op)
{
	return op << 60;
}

/*
 * COMPLETION_WAIT: word 0 S 0, I 1, F 2, store address 31:3; word 1 store
 * address 51:32 in 19:0, opcode 31:28; words 2-3 the 64-bit store data.
 */
static inline struct inv_cmd amd_compl_wait(bool s, bool i, bool f,
					    __u64 addr, __u64 data)
{
	return inv_raw(amd_op(AMD_COMPLETION_WAIT) |
		       (addr & 0x000ffffffffffff8ULL) | s | (__u64)i << 1 |
		       (__u64)f << 2, data);
}

static inline struct inv_cmd amd_inv_devtab(__u16 devid)
{
	return inv_raw(amd_op(AMD_INV_DEVTAB_ENTRY) | devid, 0);
}

/*
 * INVALIDATE_IOMMU_PAGES: word 0 PASID 19:0; word 1 DomainID 15:0; word 2
 * S 0, PDE 1, GN 2, address 31:12; word 3 address 63:32.
 */
static inline struct inv_cmd amd_inv_pages(__u16 domid, __u32 pasid, bool gn,
					   bool pde, bool s, __u64 addr)
{
	return inv_raw(amd_op(AMD_INV_IOMMU_PAGES) | (__u64)domid << 32 |
		       (pasid & 0xfffff),
		       (addr & ~0xfffULL) | s | (__u64)pde << 1 |
		       (__u64)gn << 2);
}

/*
 * INVALIDATE_IOTLB_PAGES: word 0 DeviceID 15:0, PASID[15:8] 23:16, MaxPend
 * 31:24; word 1 QueueID 15:0, PASID[7:0] 23:16; words 2-3 as above (S, GN).
 */
static inline struct inv_cmd amd_inv_iotlb(__u16 devid, __u32 pasid, bool gn,
					   __u8 maxpend, __u16 queueid, bool s,
					   __u64 addr)
{
	return inv_raw(amd_op(AMD_INV_IOTLB_PAGES) | devid |
		       (__u64)((pasid >> 8) & 0xff) << 16 |
		       (__u64)maxpend << 24 | (__u64)queueid << 32 |
		       (__u64)(pasid & 0xff) << 48,
		       (addr & ~0xfffULL) | s | (__u64)gn << 2);
}

static inline struct inv_cmd amd_inv_all(void)
{
	return inv_raw(amd_op(AMD_INV_ALL), 0);
}

/*
 * The S=1 address of the naturally aligned 2^@log2 byte range at @addr
 * (log2 >= 13): bits 12 .. log2-2 set, bit log2-1 clear, as Linux's
 * build_inv_address() makes it.
 */
static inline __u64 amd_s_addr(__u64 addr, unsigned int log2)
{
	return (addr | ((1ULL << (log2 - 1)) - 1)) & ~0xfffULL;
}

/* ---- VT-d (VT-d spec ch. 6.5.2, Linux intel/iommu.h QI_* layouts) ------- */

#define VTD_CC			0x1
#define VTD_IOTLB		0x2
#define VTD_DIOTLB		0x3
#define VTD_IEC			0x4
#define VTD_IWD			0x5
#define VTD_PIOTLB		0x6
#define VTD_PC			0x7
#define VTD_DEIOTLB		0x8
#define VTD_PGRP_RESP		0x9
#define VTD_PSTRM_RESP		0xa

/* Granularities. */
#define VTD_CC_GLOBAL		1
#define VTD_CC_DOMAIN		2
#define VTD_CC_DEVICE		3
#define VTD_IOTLB_GLOBAL	1
#define VTD_IOTLB_DOMAIN	2
#define VTD_IOTLB_PAGE		3
#define VTD_PIOTLB_NONG		2
#define VTD_PIOTLB_PSI		3
#define VTD_PC_ALL_PASIDS	0
#define VTD_PC_PASID		1
#define VTD_PC_GLOBAL		3

/* The ATS "every address" pattern (S=1, address bits 62:12 all ones). */
#define VTD_ATS_ALL		0x7ffffffffffff000ULL

/* A 7-bit descriptor type: bits 3:0 and 11:9 of qw0. */
static inline __u64 vtd_type(unsigned int type)
{
	return (type & 0xf) | (__u64)((type >> 4) & 0x7) << 9;
}

/* Context cache: qw0 G 5:4, DID 31:16, SID 47:32, FM 49:48. */
static inline struct inv_cmd vtd_cc(unsigned int gran, __u16 did, __u16 sid,
				    unsigned int fm)
{
	return inv_raw(vtd_type(VTD_CC) | (__u64)(gran & 3) << 4 |
		       (__u64)did << 16 | (__u64)sid << 32 |
		       (__u64)(fm & 3) << 48, 0);
}

/* IOTLB: qw0 G 5:4, DW 6, DR 7, DID 31:16; qw1 AM 5:0, IH 6, ADDR 63:12. */
static inline struct inv_cmd vtd_iotlb(unsigned int gran, __u16 did,
				       __u64 addr, unsigned int am, bool ih)
{
	return inv_raw(vtd_type(VTD_IOTLB) | (__u64)(gran & 3) << 4 |
		       (__u64)did << 16,
		       (addr & ~0xfffULL) | (__u64)ih << 6 | (am & 0x3f));
}

/* Device-TLB: qw0 MIP 20:16, SID 47:32; qw1 S 0, ADDR 63:12. */
static inline struct inv_cmd vtd_diotlb(__u16 sid, bool s, __u64 addr)
{
	return inv_raw(vtd_type(VTD_DIOTLB) | (__u64)sid << 32,
		       (addr & ~0xfffULL) | s);
}

/* Wait: qw0 IF 4, SW 5, FN 6, PD 7, status data 63:32; qw1 status address. */
static inline struct inv_cmd vtd_iwd(bool sw, bool iflag, bool fn,
				     __u32 sdata, __u64 saddr)
{
	return inv_raw(vtd_type(VTD_IWD) | (__u64)iflag << 4 |
		       (__u64)sw << 5 | (__u64)fn << 6 | (__u64)sdata << 32,
		       saddr);
}

/* PASID-based IOTLB: qw0 G 5:4, DID 31:16, PASID 51:32; qw1 as IOTLB. */
static inline struct inv_cmd vtd_piotlb(unsigned int gran, __u16 did,
					__u32 pasid, __u64 addr,
					unsigned int am, bool ih)
{
	return inv_raw(vtd_type(VTD_PIOTLB) | (__u64)(gran & 3) << 4 |
		       (__u64)did << 16 | (__u64)(pasid & 0xfffff) << 32,
		       (addr & ~0xfffULL) | (__u64)ih << 6 | (am & 0x3f));
}

/* PASID cache: qw0 G 5:4, DID 31:16, PASID 51:32. */
static inline struct inv_cmd vtd_pc(unsigned int gran, __u16 did,
				    __u32 pasid)
{
	return inv_raw(vtd_type(VTD_PC) | (__u64)(gran & 3) << 4 |
		       (__u64)did << 16 | (__u64)(pasid & 0xfffff) << 32, 0);
}

/*
 * PASID-based device-TLB: qw0 MIP 8:4, SID 31:16, PASID 51:32; qw1 G 0,
 * S 11, ADDR 63:12.
 */
static inline struct inv_cmd vtd_deiotlb(__u16 sid, __u32 pasid, bool g,
					 bool s, __u64 addr)
{
	return inv_raw(vtd_type(VTD_DEIOTLB) | (__u64)sid << 16 |
		       (__u64)(pasid & 0xfffff) << 32,
		       (addr & ~0xfffULL) | g | (__u64)s << 11);
}

/* The S=1 (ATS) address of a naturally aligned 2^@log2 range, log2 >= 13. */
#define vtd_ats_addr amd_s_addr

/* ---- io_uring ----------------------------------------------------------- */

/*
 * Fill @sqe with an IORING_OP_URING_CMD for /dev/vcmdq file @fd: @cmd_op
 * (VCMDQ_INVALIDATE for a real request) and a struct vcmdq_uring_cmd
 * pointing at @req in the SQE's command area.
 */
static inline void uring_prep_invalidate(struct io_uring_sqe *sqe, int fd,
					 void *req, __u32 cmd_op,
					 __u64 reserved, __u64 user_data)
{
	struct vcmdq_uring_cmd payload = {
		.req_uptr = (uintptr_t)req,
		.__reserved = reserved,
	};

	io_uring_prep_rw(IORING_OP_URING_CMD, sqe, fd, NULL, 0, 0);
	sqe->cmd_op = cmd_op;
	memcpy((__u8 *)sqe + offsetof(struct io_uring_sqe, addr3), &payload,
	       sizeof(payload));
	sqe->user_data = user_data;
}

/*
 * Submit one request and reap its completion.  Returns 0 with the CQE's res
 * in *res, or a negative errno from io_uring itself.
 */
static inline int uring_submit_one(struct io_uring *ring, int fd, void *req,
				   __u32 cmd_op, __u64 reserved,
				   __u8 sqe_flags, int *res)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	struct io_uring_cqe *cqe;
	int ret;

	if (!sqe)
		return -EBUSY;
	uring_prep_invalidate(sqe, fd, req, cmd_op, reserved, 0x5eed);
	sqe->flags |= sqe_flags;
	ret = io_uring_submit(ring);
	if (ret != 1)
		return ret < 0 ? ret : -EIO;
	ret = io_uring_wait_cqe(ring, &cqe);
	if (ret)
		return ret;
	*res = cqe->res;
	ret = cqe->user_data == 0x5eed ? 0 : -EPROTO;
	io_uring_cqe_seen(ring, cqe);
	return ret;
}

/* The ioctl, returning 0 or -errno like a CQE. */
static inline int ioctl_invalidate(int fd, struct vcmdq_invalidate *req)
{
	return ioctl(fd, VCMDQ_INVALIDATE, req) ? -errno : 0;
}

/* A data type's name, for test logs. */
static inline const char *inv_data_type_name(__u32 type)
{
	switch (type) {
	case VCMDQ_DATA_SMMUV3:
		return "SMMUv3";
	case VCMDQ_DATA_AMD_VI:
		return "AMD-Vi";
	case VCMDQ_DATA_VTD:
		return "VT-d";
	}
	return "?";
}

#endif /* __SELFTEST_VCMDQ_INV_UTILS_H */
