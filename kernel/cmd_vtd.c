// SPDX-License-Identifier: GPL-2.0
/*
 * VT-d queued-invalidation descriptor decoder for the slow path.
 *
 * The descriptor type is 7 bits: qw0 bits 3:0 and, for scalable-mode types,
 * bits 11:9 (all types defined so far have those clear).  Layouts follow
 * Linux's QI_* macros in intel/iommu.h; a bit no field of the type covers
 * is reserved and must be 0, and a 256-bit descriptor's qw2/qw3 are reserved
 * for every type accepted here.
 *
 * Accepted: context cache, IOTLB, device-TLB, invalidation wait, PASID-based
 * IOTLB, PASID cache, PASID-based device-TLB.  The interrupt entry cache
 * descriptor is valid but the VMM's (it emulates interrupt remapping): it
 * decodes to %VCMDQ_OP_VMM.  Refused with -EIO, as an invalid descriptor
 * (IQE): page group / page stream responses (no page requests for guests),
 * unknown types, reserved granularities, and the wait descriptor's PD
 * (page-request drain) bit for the same reason.
 */
#include "cmd.h"

#define VTD_QI_0_TYPE_LO		GENMASK_ULL(3, 0)
#define VTD_QI_0_TYPE_HI		GENMASK_ULL(11, 9)
#define VTD_QI_0_TYPE			(VTD_QI_0_TYPE_LO | VTD_QI_0_TYPE_HI)
#define VTD_QI_0_GRAN			GENMASK_ULL(5, 4)

#define VTD_QI_CC_TYPE			0x1
#define VTD_QI_IOTLB_TYPE		0x2
#define VTD_QI_DIOTLB_TYPE		0x3
#define VTD_QI_IEC_TYPE			0x4
#define VTD_QI_IWD_TYPE			0x5
#define VTD_QI_EIOTLB_TYPE		0x6
#define VTD_QI_PC_TYPE			0x7
#define VTD_QI_DEIOTLB_TYPE		0x8
#define VTD_QI_PGRP_RESP_TYPE		0x9
#define VTD_QI_PSTRM_RESP_TYPE		0xa

/* Context-cache invalidate descriptor. */
#define VTD_QI_CC_GRAN_GLOBAL		1
#define VTD_QI_CC_GRAN_DOMAIN		2
#define VTD_QI_CC_GRAN_DEVICE		3
#define VTD_QI_CC_0_DID			GENMASK_ULL(31, 16)
#define VTD_QI_CC_0_SID			GENMASK_ULL(47, 32)
#define VTD_QI_CC_0_FM			GENMASK_ULL(49, 48)

/* IOTLB invalidate descriptor. */
#define VTD_QI_IOTLB_GRAN_GLOBAL	1
#define VTD_QI_IOTLB_GRAN_DOMAIN	2
#define VTD_QI_IOTLB_GRAN_PAGE		3
#define VTD_QI_IOTLB_0_DW		BIT_ULL(6)
#define VTD_QI_IOTLB_0_DR		BIT_ULL(7)
#define VTD_QI_IOTLB_0_DID		GENMASK_ULL(31, 16)
/* Shared with the PASID-based IOTLB descriptor. */
#define VTD_QI_IOTLB_1_AM		GENMASK_ULL(5, 0)
#define VTD_QI_IOTLB_1_IH		BIT_ULL(6)
#define VTD_QI_IOTLB_1_ADDR		GENMASK_ULL(63, 12)
/*
 * 4 KiB << 51 is the largest range a u64 holds.  Real MAMV values are far
 * below (QEMU advertises 18); invalidate.c checks the instance's own.
 */
#define VTD_QI_AM_MAX			51

/* Interrupt entry cache invalidate descriptor: G=0 global, G=1 by index. */
#define VTD_QI_IEC_0_G			BIT_ULL(4)
#define VTD_QI_IEC_0_IM			GENMASK_ULL(31, 27)
#define VTD_QI_IEC_0_IIDX		GENMASK_ULL(47, 32)

/* Device-TLB invalidate descriptor. */
#define VTD_QI_DIOTLB_0_PFSID_LO	GENMASK_ULL(15, 12)
#define VTD_QI_DIOTLB_0_MIP		GENMASK_ULL(20, 16)
#define VTD_QI_DIOTLB_0_SID		GENMASK_ULL(47, 32)
#define VTD_QI_DIOTLB_0_PFSID_HI	GENMASK_ULL(63, 52)
#define VTD_QI_DIOTLB_1_S		BIT_ULL(0)
/* Shared with the PASID-based device-TLB descriptor. */
#define VTD_QI_DIOTLB_1_ADDR		GENMASK_ULL(63, 12)

/* Invalidation wait descriptor. */
#define VTD_QI_IWD_0_IF			BIT_ULL(4)
#define VTD_QI_IWD_0_SW			BIT_ULL(5)
#define VTD_QI_IWD_0_FN			BIT_ULL(6)
#define VTD_QI_IWD_0_PD			BIT_ULL(7)
#define VTD_QI_IWD_0_SDATA		GENMASK_ULL(63, 32)
#define VTD_QI_IWD_1_SADDR		GENMASK_ULL(63, 2)

/* PASID-based IOTLB invalidate descriptor (p_iotlb_inv_dsc). */
#define VTD_QI_EIOTLB_GRAN_NONG_PASID	2
#define VTD_QI_EIOTLB_GRAN_PSI_PASID	3
#define VTD_QI_EIOTLB_0_DID		GENMASK_ULL(31, 16)
#define VTD_QI_EIOTLB_0_PASID		GENMASK_ULL(51, 32)

/* PASID-cache invalidate descriptor. */
#define VTD_QI_PC_GRAN_ALL_PASIDS	0
#define VTD_QI_PC_GRAN_PASID_SEL	1
#define VTD_QI_PC_GRAN_GLOBAL		3
#define VTD_QI_PC_0_DID			GENMASK_ULL(31, 16)
#define VTD_QI_PC_0_PASID		GENMASK_ULL(51, 32)

/* PASID-based device-TLB invalidate descriptor. */
#define VTD_QI_DEIOTLB_0_MIP		GENMASK_ULL(8, 4)
#define VTD_QI_DEIOTLB_0_PFSID_LO	GENMASK_ULL(15, 12)
#define VTD_QI_DEIOTLB_0_SID		GENMASK_ULL(31, 16)
#define VTD_QI_DEIOTLB_0_PASID		GENMASK_ULL(51, 32)
#define VTD_QI_DEIOTLB_0_PFSID_HI	GENMASK_ULL(63, 52)
#define VTD_QI_DEIOTLB_1_G		BIT_ULL(0)
#define VTD_QI_DEIOTLB_1_S		BIT_ULL(11)

/* The bits each accepted type defines; everything else is reserved. */
#define VTD_CC_0		(VTD_QI_0_TYPE | VTD_QI_0_GRAN |	\
				 VTD_QI_CC_0_DID | VTD_QI_CC_0_SID |	\
				 VTD_QI_CC_0_FM)
#define VTD_IOTLB_0		(VTD_QI_0_TYPE | VTD_QI_0_GRAN |	\
				 VTD_QI_IOTLB_0_DW | VTD_QI_IOTLB_0_DR |	\
				 VTD_QI_IOTLB_0_DID)
#define VTD_IOTLB_1		(VTD_QI_IOTLB_1_AM | VTD_QI_IOTLB_1_IH |	\
				 VTD_QI_IOTLB_1_ADDR)
#define VTD_IEC_0		(VTD_QI_0_TYPE | VTD_QI_IEC_0_G |	\
				 VTD_QI_IEC_0_IM | VTD_QI_IEC_0_IIDX)
#define VTD_DIOTLB_0		(VTD_QI_0_TYPE | VTD_QI_DIOTLB_0_PFSID_LO |	\
				 VTD_QI_DIOTLB_0_MIP | VTD_QI_DIOTLB_0_SID |	\
				 VTD_QI_DIOTLB_0_PFSID_HI)
#define VTD_DIOTLB_1		(VTD_QI_DIOTLB_1_S | VTD_QI_DIOTLB_1_ADDR)
#define VTD_IWD_0		(VTD_QI_0_TYPE | VTD_QI_IWD_0_IF |	\
				 VTD_QI_IWD_0_SW | VTD_QI_IWD_0_FN |	\
				 VTD_QI_IWD_0_SDATA)
#define VTD_IWD_1		VTD_QI_IWD_1_SADDR
#define VTD_EIOTLB_0		(VTD_QI_0_TYPE | VTD_QI_0_GRAN |	\
				 VTD_QI_EIOTLB_0_DID | VTD_QI_EIOTLB_0_PASID)
#define VTD_EIOTLB_1		VTD_IOTLB_1
#define VTD_PC_0		(VTD_QI_0_TYPE | VTD_QI_0_GRAN |	\
				 VTD_QI_PC_0_DID | VTD_QI_PC_0_PASID)
#define VTD_DEIOTLB_0		(VTD_QI_0_TYPE | VTD_QI_DEIOTLB_0_MIP |	\
				 VTD_QI_DEIOTLB_0_PFSID_LO |		\
				 VTD_QI_DEIOTLB_0_SID |			\
				 VTD_QI_DEIOTLB_0_PASID |		\
				 VTD_QI_DEIOTLB_0_PFSID_HI)
#define VTD_DEIOTLB_1		(VTD_QI_DEIOTLB_1_G | VTD_QI_DEIOTLB_1_S |	\
				 VTD_QI_DIOTLB_1_ADDR)

static bool vtd_rsvd(const u64 *desc, u64 valid0, u64 valid1)
{
	return (desc[0] & ~valid0) || (desc[1] & ~valid1);
}

/*
 * Page-selective ranges (IOTLB PSI, PASID IOTLB PSI): 2^AM pages, naturally
 * aligned.  The AM low address bits are masked, not checked (the spec's
 * "ADDR bits masked" column; QEMU masks them too), so a guest that leaves
 * them set gets the block containing its address.
 */
static int vtd_am_range(u64 qw1, struct vcmdq_op *op)
{
	unsigned int am = FIELD_GET(VTD_QI_IOTLB_1_AM, qw1);

	if (am > VTD_QI_AM_MAX)
		return -EIO;
	op->size = VCMDQ_PAGE_SIZE << am;
	op->addr = (qw1 & VTD_QI_IOTLB_1_ADDR) & ~(op->size - 1);
	op->leaf = FIELD_GET(VTD_QI_IOTLB_1_IH, qw1);
	return 0;
}

/*
 * Device-TLB ranges use the PCIe ATS encoding: S=0 is the one page at ADDR;
 * S=1 puts the size in the low address bits (see vcmdq_decode_s_range()),
 * and only the all-ones pattern with bit 63 clear means every address.
 */
static void vtd_ats_range(u64 qw1, bool s, struct vcmdq_op *op)
{
	u64 addr = qw1 & VTD_QI_DIOTLB_1_ADDR;

	if (!s) {
		op->addr = addr;
		op->size = VCMDQ_PAGE_SIZE;
		return;
	}
	vcmdq_decode_s_range(addr, 63, &op->addr, &op->size);
}

static int vtd_cc(const u64 *desc, struct vcmdq_op *op)
{
	if (vtd_rsvd(desc, VTD_CC_0, 0))
		return -EIO;
	op->kind = VCMDQ_OP_DEV_CFG_INV;
	op->asid = FIELD_GET(VTD_QI_CC_0_DID, desc[0]);
	switch (FIELD_GET(VTD_QI_0_GRAN, desc[0])) {
	case VTD_QI_CC_GRAN_GLOBAL:
		op->scope = VCMDQ_SCOPE_VM;
		op->asid = 0;
		return 0;
	case VTD_QI_CC_GRAN_DOMAIN:
		op->scope = VCMDQ_SCOPE_ASID;
		return 0;
	case VTD_QI_CC_GRAN_DEVICE:
		/*
		 * FM masks function-number bits from the top: 1 ignores
		 * SID[2], 2 SID[2:1], 3 SID[2:0].  DID stays meaningful.
		 */
		op->scope = VCMDQ_SCOPE_DEVICE;
		op->vdev = FIELD_GET(VTD_QI_CC_0_SID, desc[0]);
		op->vdev_mask = (0x7 << (3 - FIELD_GET(VTD_QI_CC_0_FM,
						       desc[0]))) & 0x7;
		return 0;
	default:
		return -EIO;
	}
}

static int vtd_iotlb(const u64 *desc, struct vcmdq_op *op)
{
	/* DW/DR (drain writes/reads) order DMA; the model has none. */
	if (vtd_rsvd(desc, VTD_IOTLB_0, VTD_IOTLB_1))
		return -EIO;
	op->kind = VCMDQ_OP_TLB_INV;
	op->asid = FIELD_GET(VTD_QI_IOTLB_0_DID, desc[0]);
	switch (FIELD_GET(VTD_QI_0_GRAN, desc[0])) {
	case VTD_QI_IOTLB_GRAN_GLOBAL:
		op->scope = VCMDQ_SCOPE_VM;
		op->asid = 0;
		return 0;
	case VTD_QI_IOTLB_GRAN_DOMAIN:
		op->scope = VCMDQ_SCOPE_ASID;
		return 0;
	case VTD_QI_IOTLB_GRAN_PAGE:
		op->scope = VCMDQ_SCOPE_ASID;
		return vtd_am_range(desc[1], op);
	default:
		return -EIO;
	}
}

static int vtd_diotlb(const u64 *desc, struct vcmdq_op *op)
{
	/* MIP and PFSID steer the physical ATS request only. */
	if (vtd_rsvd(desc, VTD_DIOTLB_0, VTD_DIOTLB_1))
		return -EIO;
	op->kind = VCMDQ_OP_ATC_INV;
	op->scope = VCMDQ_SCOPE_DEVICE;
	op->vdev = FIELD_GET(VTD_QI_DIOTLB_0_SID, desc[0]);
	vtd_ats_range(desc[1], desc[1] & VTD_QI_DIOTLB_1_S, op);
	return 0;
}

/*
 * The interrupt remapping table and its cache are the VMM's: it checked the
 * layout here so a malformed descriptor still gets the guest an IQE.
 */
static int vtd_iec(const u64 *desc, struct vcmdq_op *op)
{
	if (vtd_rsvd(desc, VTD_IEC_0, 0))
		return -EIO;
	op->kind = VCMDQ_OP_VMM;
	return 0;
}

static int vtd_iwd(const u64 *desc, struct vcmdq_op *op)
{
	/* Bits 1:0 of the status address are reserved: 4-byte aligned. */
	if (vtd_rsvd(desc, VTD_IWD_0, VTD_IWD_1))
		return -EIO;
	op->kind = VCMDQ_OP_SYNC;
	op->wait.irq = desc[0] & VTD_QI_IWD_0_IF;
	op->wait.fence = desc[0] & VTD_QI_IWD_0_FN;
	if (desc[0] & VTD_QI_IWD_0_SW) {
		op->wait.store = true;
		op->wait.store_size = 4;
		op->wait.store_addr = desc[1] & VTD_QI_IWD_1_SADDR;
		op->wait.store_data = FIELD_GET(VTD_QI_IWD_0_SDATA, desc[0]);
	}
	return 0;
}

static int vtd_eiotlb(const u64 *desc, struct vcmdq_op *op)
{
	if (vtd_rsvd(desc, VTD_EIOTLB_0, VTD_EIOTLB_1))
		return -EIO;
	op->kind = VCMDQ_OP_TLB_INV;
	op->scope = VCMDQ_SCOPE_ASID;
	op->asid = FIELD_GET(VTD_QI_EIOTLB_0_DID, desc[0]);
	op->pasid_valid = true;
	op->pasid = FIELD_GET(VTD_QI_EIOTLB_0_PASID, desc[0]);
	switch (FIELD_GET(VTD_QI_0_GRAN, desc[0])) {
	case VTD_QI_EIOTLB_GRAN_NONG_PASID:
		/* Non-global entries only, by definition. */
		return 0;
	case VTD_QI_EIOTLB_GRAN_PSI_PASID:
		/* A named range: take global entries in it too. */
		op->global = true;
		return vtd_am_range(desc[1], op);
	default:
		return -EIO;
	}
}

static int vtd_pc(const u64 *desc, struct vcmdq_op *op)
{
	if (vtd_rsvd(desc, VTD_PC_0, 0))
		return -EIO;
	op->kind = VCMDQ_OP_PASID_CFG_INV;
	op->asid = FIELD_GET(VTD_QI_PC_0_DID, desc[0]);
	switch (FIELD_GET(VTD_QI_0_GRAN, desc[0])) {
	case VTD_QI_PC_GRAN_ALL_PASIDS:
		op->scope = VCMDQ_SCOPE_ASID;
		return 0;
	case VTD_QI_PC_GRAN_PASID_SEL:
		op->scope = VCMDQ_SCOPE_ASID;
		op->pasid_valid = true;
		op->pasid = FIELD_GET(VTD_QI_PC_0_PASID, desc[0]);
		return 0;
	case VTD_QI_PC_GRAN_GLOBAL:
		op->scope = VCMDQ_SCOPE_VM;
		op->asid = 0;
		return 0;
	default:
		return -EIO;
	}
}

static int vtd_deiotlb(const u64 *desc, struct vcmdq_op *op)
{
	if (vtd_rsvd(desc, VTD_DEIOTLB_0, VTD_DEIOTLB_1))
		return -EIO;
	op->kind = VCMDQ_OP_ATC_INV;
	op->scope = VCMDQ_SCOPE_DEVICE;
	op->vdev = FIELD_GET(VTD_QI_DEIOTLB_0_SID, desc[0]);
	op->pasid_valid = true;
	op->pasid = FIELD_GET(VTD_QI_DEIOTLB_0_PASID, desc[0]);
	op->global = FIELD_GET(VTD_QI_DEIOTLB_1_G, desc[1]);
	vtd_ats_range(desc[1], desc[1] & VTD_QI_DEIOTLB_1_S, op);
	return 0;
}

int vcmdq_decode_vtd(const u64 *desc, unsigned int qwords,
		     struct vcmdq_op *op)
{
	u32 type;
	int ret;

	vcmdq_op_init(op, 0);
	if (qwords != 2 && qwords != 4)
		return -EINVAL;

	type = FIELD_GET(VTD_QI_0_TYPE_LO, desc[0]) |
	       FIELD_GET(VTD_QI_0_TYPE_HI, desc[0]) << 4;
	op->opcode = type;

	/* No type accepted here defines anything in the upper 128 bits. */
	if (qwords == 4 && (desc[2] || desc[3])) {
		ret = -EIO;
		goto out;
	}

	switch (type) {
	case VTD_QI_CC_TYPE:
		ret = vtd_cc(desc, op);
		break;
	case VTD_QI_IOTLB_TYPE:
		ret = vtd_iotlb(desc, op);
		break;
	case VTD_QI_DIOTLB_TYPE:
		ret = vtd_diotlb(desc, op);
		break;
	case VTD_QI_IEC_TYPE:
		ret = vtd_iec(desc, op);
		break;
	case VTD_QI_IWD_TYPE:
		ret = vtd_iwd(desc, op);
		break;
	case VTD_QI_EIOTLB_TYPE:
		ret = vtd_eiotlb(desc, op);
		break;
	case VTD_QI_PC_TYPE:
		ret = vtd_pc(desc, op);
		break;
	case VTD_QI_DEIOTLB_TYPE:
		ret = vtd_deiotlb(desc, op);
		break;
	default:
		/* Page group / stream responses, unknown types. */
		ret = -EIO;
		break;
	}
out:
	if (ret)
		*op = (struct vcmdq_op){ 0 };
	return ret;
}
