// SPDX-License-Identifier: GPL-2.0
/*
 * AMD-Vi command decoder for the slow path.
 *
 * An AMD-Vi command is four 32-bit words; here they arrive as two qwords,
 * word 0 in cmd[0] bits 31:0, so the opcode (word 1 bits 31:28) is cmd[0]
 * bits 63:60 and the masks below are named by qword like Linux's SMMUv3
 * ones.  Layouts follow Linux's build_*() helpers in amd/iommu.c and QEMU's
 * amd_iommu.c reserved-bit checks.
 *
 * Accepted: COMPLETION_WAIT, INVALIDATE_DEVTAB_ENTRY, INVALIDATE_IOMMU_PAGES,
 * INVALIDATE_IOTLB_PAGES and INVALIDATE_IOMMU_ALL.  INVALIDATE_INTERRUPT_TABLE
 * is valid but the VMM's (it emulates interrupt remapping): it decodes to
 * %VCMDQ_OP_VMM.  Refused with -EIO, as the IOMMU logs ILLEGAL_COMMAND_ERROR:
 * PREFETCH_IOMMU_PAGES, COMPLETE_PPR_REQUEST (no PPR for guests), the
 * vIOMMU-only opcodes and anything unknown.
 */
#include "cmd.h"

#define AMD_CMD_0_OP			GENMASK_ULL(63, 60)

#define AMD_OP_COMPLETION_WAIT		0x1
#define AMD_OP_INV_DEVTAB_ENTRY		0x2
#define AMD_OP_INV_IOMMU_PAGES		0x3
#define AMD_OP_INV_IOTLB_PAGES		0x4
#define AMD_OP_INV_INTERRUPT_TABLE	0x5
#define AMD_OP_PREFETCH_IOMMU_PAGES	0x6
#define AMD_OP_COMPLETE_PPR_REQUEST	0x7
#define AMD_OP_INV_IOMMU_ALL		0x8

/* COMPLETION_WAIT: the store address is 8-byte aligned by construction. */
#define AMD_CMD_COMPL_WAIT_0_S		BIT_ULL(0)
#define AMD_CMD_COMPL_WAIT_0_I		BIT_ULL(1)
#define AMD_CMD_COMPL_WAIT_0_F		BIT_ULL(2)
#define AMD_CMD_COMPL_WAIT_0_ADDR	GENMASK_ULL(51, 3)
#define AMD_CMD_COMPL_WAIT_1_DATA	GENMASK_ULL(63, 0)

#define AMD_CMD_INV_DEVTAB_0_DEVID	GENMASK_ULL(15, 0)
/* INVALIDATE_INTERRUPT_TABLE names a DeviceID the same way. */
#define AMD_CMD_INV_IRT_0_DEVID		GENMASK_ULL(15, 0)

#define AMD_CMD_INV_PAGES_0_PASID	GENMASK_ULL(19, 0)
#define AMD_CMD_INV_PAGES_0_DOMID	GENMASK_ULL(47, 32)
/* Shared by INVALIDATE_IOMMU_PAGES and INVALIDATE_IOTLB_PAGES. */
#define AMD_CMD_INV_1_S			BIT_ULL(0)
#define AMD_CMD_INV_1_PDE		BIT_ULL(1)
#define AMD_CMD_INV_1_GN		BIT_ULL(2)
#define AMD_CMD_INV_1_ADDR		GENMASK_ULL(63, 12)

#define AMD_CMD_INV_IOTLB_0_DEVID	GENMASK_ULL(15, 0)
#define AMD_CMD_INV_IOTLB_0_PASID_HI	GENMASK_ULL(23, 16)
#define AMD_CMD_INV_IOTLB_0_MAXPEND	GENMASK_ULL(31, 24)
#define AMD_CMD_INV_IOTLB_0_QUEUEID	GENMASK_ULL(47, 32)
#define AMD_CMD_INV_IOTLB_0_PASID_LO	GENMASK_ULL(55, 48)

/*
 * With S=1, a first zero address bit at 51 or above means "all pages": the
 * spec's example encodings use 0x0007_ffff_ffff_f000 (first zero at 51)
 * where Linux sends 0x7fff_ffff_ffff_f000 (first zero at 63); QEMU's
 * amdvi_decode_invalidation_size() accepts both.
 */
#define AMD_INV_ALL_PAGES_BIT		51

/* The bits each accepted opcode defines; everything else is reserved. */
#define AMD_COMPL_WAIT_0	(AMD_CMD_0_OP | AMD_CMD_COMPL_WAIT_0_S |	\
				 AMD_CMD_COMPL_WAIT_0_I |		\
				 AMD_CMD_COMPL_WAIT_0_F |		\
				 AMD_CMD_COMPL_WAIT_0_ADDR)
#define AMD_COMPL_WAIT_1	AMD_CMD_COMPL_WAIT_1_DATA
#define AMD_INV_DEVTAB_0	(AMD_CMD_0_OP | AMD_CMD_INV_DEVTAB_0_DEVID)
#define AMD_INV_IRT_0		(AMD_CMD_0_OP | AMD_CMD_INV_IRT_0_DEVID)
#define AMD_INV_PAGES_0		(AMD_CMD_0_OP | AMD_CMD_INV_PAGES_0_PASID |	\
				 AMD_CMD_INV_PAGES_0_DOMID)
#define AMD_INV_PAGES_1		(AMD_CMD_INV_1_S | AMD_CMD_INV_1_PDE |	\
				 AMD_CMD_INV_1_GN | AMD_CMD_INV_1_ADDR)
#define AMD_INV_IOTLB_0		(AMD_CMD_0_OP | AMD_CMD_INV_IOTLB_0_DEVID |	\
				 AMD_CMD_INV_IOTLB_0_PASID_HI |		\
				 AMD_CMD_INV_IOTLB_0_MAXPEND |		\
				 AMD_CMD_INV_IOTLB_0_QUEUEID |		\
				 AMD_CMD_INV_IOTLB_0_PASID_LO)
#define AMD_INV_IOTLB_1		(AMD_CMD_INV_1_S | AMD_CMD_INV_1_GN |	\
				 AMD_CMD_INV_1_ADDR)
#define AMD_INV_ALL_0		AMD_CMD_0_OP

static bool amd_rsvd(const u64 cmd[2], u64 valid0, u64 valid1)
{
	return (cmd[0] & ~valid0) || (cmd[1] & ~valid1);
}

/* S=0: the one 4 KiB page at the address.  S=1: see vcmdq_decode_s_range(). */
static void amd_inv_range(u64 cmd1, struct vcmdq_op *op)
{
	u64 addr = cmd1 & AMD_CMD_INV_1_ADDR;

	if (!(cmd1 & AMD_CMD_INV_1_S)) {
		op->addr = addr;
		op->size = VCMDQ_PAGE_SIZE;
		return;
	}
	vcmdq_decode_s_range(addr, AMD_INV_ALL_PAGES_BIT, &op->addr, &op->size);
}

static void amd_compl_wait(const u64 cmd[2], struct vcmdq_op *op)
{
	op->kind = VCMDQ_OP_SYNC;
	op->wait.irq = cmd[0] & AMD_CMD_COMPL_WAIT_0_I;
	op->wait.fence = cmd[0] & AMD_CMD_COMPL_WAIT_0_F;
	/* Without S the address and data fields are don't-care. */
	if (cmd[0] & AMD_CMD_COMPL_WAIT_0_S) {
		op->wait.store = true;
		op->wait.store_size = 8;
		op->wait.store_addr = cmd[0] & AMD_CMD_COMPL_WAIT_0_ADDR;
		op->wait.store_data = cmd[1];
	}
}

static void amd_inv_iommu_pages(const u64 cmd[2], struct vcmdq_op *op)
{
	op->kind = VCMDQ_OP_TLB_INV;
	op->scope = VCMDQ_SCOPE_ASID;
	op->asid = FIELD_GET(AMD_CMD_INV_PAGES_0_DOMID, cmd[0]);
	/* The PASID field only counts for guest (GN=1) translations. */
	if (cmd[1] & AMD_CMD_INV_1_GN) {
		op->pasid_valid = true;
		op->pasid = FIELD_GET(AMD_CMD_INV_PAGES_0_PASID, cmd[0]);
	}
	/* PDE=0 drops PTEs only: cached page directory entries may stay. */
	op->leaf = !(cmd[1] & AMD_CMD_INV_1_PDE);
	amd_inv_range(cmd[1], op);
}

static void amd_inv_iotlb_pages(const u64 cmd[2], struct vcmdq_op *op)
{
	op->kind = VCMDQ_OP_ATC_INV;
	op->scope = VCMDQ_SCOPE_DEVICE;
	op->vdev = FIELD_GET(AMD_CMD_INV_IOTLB_0_DEVID, cmd[0]);
	/*
	 * MaxPend and QueueID steer how the IOMMU paces the ATS request;
	 * the model has nothing to pace.  The 16-bit PASID is split across
	 * words 0 and 1 (build_inv_iotlb_pages()).
	 */
	if (cmd[1] & AMD_CMD_INV_1_GN) {
		op->pasid_valid = true;
		op->pasid = FIELD_GET(AMD_CMD_INV_IOTLB_0_PASID_HI, cmd[0]) << 8 |
			    FIELD_GET(AMD_CMD_INV_IOTLB_0_PASID_LO, cmd[0]);
	}
	amd_inv_range(cmd[1], op);
}

int vcmdq_decode_amd(const u64 cmd[2], struct vcmdq_op *op)
{
	u32 opcode = FIELD_GET(AMD_CMD_0_OP, cmd[0]);
	int ret = -EIO;

	vcmdq_op_init(op, opcode);

	switch (opcode) {
	case AMD_OP_COMPLETION_WAIT:
		if (amd_rsvd(cmd, AMD_COMPL_WAIT_0, AMD_COMPL_WAIT_1))
			break;
		amd_compl_wait(cmd, op);
		ret = 0;
		break;
	case AMD_OP_INV_DEVTAB_ENTRY:
		if (amd_rsvd(cmd, AMD_INV_DEVTAB_0, 0))
			break;
		op->kind = VCMDQ_OP_DEV_CFG_INV;
		op->scope = VCMDQ_SCOPE_DEVICE;
		op->vdev = FIELD_GET(AMD_CMD_INV_DEVTAB_0_DEVID, cmd[0]);
		ret = 0;
		break;
	case AMD_OP_INV_IOMMU_PAGES:
		if (amd_rsvd(cmd, AMD_INV_PAGES_0, AMD_INV_PAGES_1))
			break;
		amd_inv_iommu_pages(cmd, op);
		ret = 0;
		break;
	case AMD_OP_INV_IOTLB_PAGES:
		if (amd_rsvd(cmd, AMD_INV_IOTLB_0, AMD_INV_IOTLB_1))
			break;
		amd_inv_iotlb_pages(cmd, op);
		ret = 0;
		break;
	case AMD_OP_INV_INTERRUPT_TABLE:
		/* Checked here, so a malformed one is still illegal. */
		if (amd_rsvd(cmd, AMD_INV_IRT_0, 0))
			break;
		op->kind = VCMDQ_OP_VMM;
		ret = 0;
		break;
	case AMD_OP_INV_IOMMU_ALL:
		if (amd_rsvd(cmd, AMD_INV_ALL_0, 0))
			break;
		op->kind = VCMDQ_OP_ALL_INV;
		op->scope = VCMDQ_SCOPE_VM;
		ret = 0;
		break;
	default:
		/* PREFETCH, COMPLETE_PPR, unknown. */
		break;
	}

	if (ret)
		*op = (struct vcmdq_op){ 0 };
	return ret;
}
