// SPDX-License-Identifier: GPL-2.0
/*
 * SMMUv3 command decoder for the slow path.
 *
 * Accepts what a guest's stage-1 needs and what upstream's nested SMMUv3
 * (arm_vsmmu_convert_user_cmd()) forwards: the NH TLB invalidations,
 * TLBI_NSNH_ALL (for a guest: everything of its VM), ATC_INV and the CD
 * cache invalidations, plus CMD_SYNC, which the kernel completes itself.
 * CFGI_STE and CFGI_ALL (CFGI_STE_RANGE) are valid but the VMM's: it
 * re-attaches the device with the new vSTE, as upstream's VMMs do; they
 * decode to %VCMDQ_OP_VMM.  PREFETCH_CFG, which a Linux guest issues after
 * each STE update, is a hint an SMMU may ignore: %VCMDQ_OP_NOP.  Everything
 * else is illegal for a guest: PREFETCH_ADDR, stage-2, EL2 and EL3 TLBIs,
 * S12_VMALL, PRI_RESP, RESUME, STALL_TERM and unknown opcodes return -EIO,
 * as an SMMU would raise CERROR_ILL.
 *
 * Field layouts follow Linux's arm-smmu-v3.h; a bit no field of the opcode
 * covers is reserved (RES0) and must be 0.  SSec (bit 10 of CFGI_CD) is
 * reserved too: a guest only ever sees a Non-secure SMMU.
 */
#include "cmd_smmuv3.h"

static bool smmuv3_rsvd(const u64 cmd[2], u64 valid0, u64 valid1)
{
	return (cmd[0] & ~valid0) || (cmd[1] & ~valid1);
}

/*
 * TLBI_NH_VA / TLBI_NH_VAA address part.  With TG=0 the command is not a
 * range: it drops every entry that translates VA, whatever its size, which
 * a 4 KiB range at VA expresses exactly for an overlap-matching TLB model;
 * NUM, SCALE and TTL mean nothing then and are ignored (as QEMU does).
 * With TG=1/2/3 (4K/16K/64K granule) it drops (NUM + 1) << SCALE granules
 * from VA (what Linux's __arm_smmu_tlb_inv_range() encodes); address bits
 * below the granule are RES0 as in the Arm TLBI RVA* BaseADDR.  TTL is only
 * a level hint, so ignoring it merely over-invalidates.
 */
/*
 * Inlined: on the slow path's per-entry path (a page TLBI is most of what
 * a guest sends), where a call and return cost more than the body under
 * an emulator.
 */
static __always_inline int smmuv3_tlbi_range(const u64 cmd[2],
					     struct vcmdq_op *op)
{
	u64 va = cmd[1] & SMMUV3_CMD_TLBI_1_VA;
	unsigned int tg = FIELD_GET(SMMUV3_CMD_TLBI_1_TG, cmd[1]);
	unsigned int shift, num, scale;
	u64 size;

	op->leaf = FIELD_GET(SMMUV3_CMD_TLBI_1_LEAF, cmd[1]);
	op->addr = va;
	if (!tg) {
		op->size = VCMDQ_PAGE_SIZE;
		return 0;
	}

	shift = 2 * tg + 10;
	if (va & ((1ULL << shift) - 1))
		return -EIO;
	num = FIELD_GET(SMMUV3_CMD_TLBI_0_NUM, cmd[0]);
	scale = FIELD_GET(SMMUV3_CMD_TLBI_0_SCALE, cmd[0]);
	/* At most 32 << (31 + 16) = 2^52 bytes: no overflow. */
	size = (u64)(num + 1) << (scale + shift);
	/* Nothing lives above 2^64: clip rather than wrap. */
	if (size - 1 > ~va)
		size = 0 - va;
	op->size = size;
	return 0;
}

static int smmuv3_atc_inv(const u64 cmd[2], struct vcmdq_op *op)
{
	unsigned int span = FIELD_GET(SMMUV3_CMD_ATC_1_SIZE, cmd[1]);
	u64 addr = cmd[1] & SMMUV3_CMD_ATC_1_ADDR;

	op->kind = VCMDQ_OP_ATC_INV;
	op->scope = VCMDQ_SCOPE_DEVICE;
	op->vdev = FIELD_GET(SMMUV3_CMD_ATC_0_SID, cmd[0]);
	if (cmd[0] & SMMUV3_CMD_0_SSV) {
		op->pasid_valid = true;
		op->pasid = FIELD_GET(SMMUV3_CMD_ATC_0_SSID, cmd[0]);
		/* Global qualifies a PASID-tagged (SSV) invalidation only. */
		op->global = FIELD_GET(SMMUV3_CMD_ATC_0_GLOBAL, cmd[0]);
	}

	/* Beyond 52 the span would exceed the 64-bit address space. */
	if (span > SMMUV3_ATC_SIZE_ALL)
		return -EIO;
	if (span == SMMUV3_ATC_SIZE_ALL)
		return 0;
	/*
	 * The span is naturally aligned, like the ATS invalidation the SMMU
	 * sends: the address bits below it select nothing (Linux's
	 * arm_smmu_atc_inv_to_cmd() clears them; a guest that does not gets
	 * the span that contains its address).
	 */
	op->size = 1ULL << (span + VCMDQ_PAGE_SHIFT);
	op->addr = addr & ~(op->size - 1);
	return 0;
}

static int smmuv3_cmd_sync(const u64 cmd[2], struct vcmdq_op *op)
{
	op->kind = VCMDQ_OP_SYNC;
	switch (FIELD_GET(SMMUV3_CMD_SYNC_0_CS, cmd[0])) {
	case SMMUV3_CMD_SYNC_0_CS_NONE:
	case SMMUV3_CMD_SYNC_0_CS_SEV:
		/* Completion is seen by polling CONS (WFE for SEV). */
		return 0;
	case SMMUV3_CMD_SYNC_0_CS_IRQ:
		/*
		 * MSH and MSIATTR only describe the MSI write's memory
		 * attributes: the store goes through the S2 as a normal
		 * write either way.
		 */
		op->wait.irq = true;
		op->wait.store_addr = cmd[1] & SMMUV3_CMD_SYNC_1_MSIADDR;
		if (op->wait.store_addr) {
			op->wait.store = true;
			op->wait.store_size = 4;
			op->wait.store_data =
				FIELD_GET(SMMUV3_CMD_SYNC_0_MSIDATA, cmd[0]);
		}
		return 0;
	default:
		return -EIO;
	}
}

int vcmdq_decode_smmuv3(const u64 cmd[2], struct vcmdq_op *op)
{
	u32 opcode = FIELD_GET(SMMUV3_CMD_0_OP, cmd[0]);
	int ret = -EIO;

	vcmdq_op_init(op, opcode);

	switch (opcode) {
	case SMMUV3_OP_TLBI_NSNH_ALL:
		/* For a guest, all of its VM: upstream turns it into NH_ALL. */
		if (smmuv3_rsvd(cmd, SMMUV3_CMD_0_OP, 0))
			break;
		op->kind = VCMDQ_OP_TLB_INV;
		op->scope = VCMDQ_SCOPE_VM;
		ret = 0;
		break;
	case SMMUV3_OP_TLBI_NH_ALL:
		if (smmuv3_rsvd(cmd, SMMUV3_TLBI_NH_ALL_0, 0))
			break;
		op->kind = VCMDQ_OP_TLB_INV;
		op->scope = VCMDQ_SCOPE_VM;
		ret = 0;
		break;
	case SMMUV3_OP_TLBI_NH_ASID:
		if (smmuv3_rsvd(cmd, SMMUV3_TLBI_NH_ASID_0, 0))
			break;
		op->kind = VCMDQ_OP_TLB_INV;
		op->scope = VCMDQ_SCOPE_ASID;
		op->asid = FIELD_GET(SMMUV3_CMD_TLBI_0_ASID, cmd[0]);
		ret = 0;
		break;
	case SMMUV3_OP_TLBI_NH_VA:
		if (smmuv3_rsvd(cmd, SMMUV3_TLBI_NH_VA_0, SMMUV3_TLBI_VA_1))
			break;
		op->kind = VCMDQ_OP_TLB_INV;
		op->scope = VCMDQ_SCOPE_ASID;
		op->asid = FIELD_GET(SMMUV3_CMD_TLBI_0_ASID, cmd[0]);
		ret = smmuv3_tlbi_range(cmd, op);
		break;
	case SMMUV3_OP_TLBI_NH_VAA:
		if (smmuv3_rsvd(cmd, SMMUV3_TLBI_NH_VAA_0, SMMUV3_TLBI_VA_1))
			break;
		op->kind = VCMDQ_OP_TLB_INV;
		op->scope = VCMDQ_SCOPE_VM;
		ret = smmuv3_tlbi_range(cmd, op);
		break;
	case SMMUV3_OP_ATC_INV:
		if (smmuv3_rsvd(cmd, SMMUV3_ATC_INV_0, SMMUV3_ATC_INV_1))
			break;
		ret = smmuv3_atc_inv(cmd, op);
		break;
	case SMMUV3_OP_CFGI_CD:
		if (smmuv3_rsvd(cmd, SMMUV3_CFGI_CD_0, SMMUV3_CFGI_CD_1))
			break;
		op->kind = VCMDQ_OP_PASID_CFG_INV;
		op->scope = VCMDQ_SCOPE_DEVICE;
		op->vdev = FIELD_GET(SMMUV3_CMD_CFGI_0_SID, cmd[0]);
		/* SSID 0 is the CD of non-substream traffic: always valid. */
		op->pasid_valid = true;
		op->pasid = FIELD_GET(SMMUV3_CMD_CFGI_0_SSID, cmd[0]);
		op->leaf = FIELD_GET(SMMUV3_CMD_CFGI_1_LEAF, cmd[1]);
		ret = 0;
		break;
	case SMMUV3_OP_CFGI_CD_ALL:
		if (smmuv3_rsvd(cmd, SMMUV3_CFGI_CD_ALL_0, 0))
			break;
		op->kind = VCMDQ_OP_PASID_CFG_INV;
		op->scope = VCMDQ_SCOPE_DEVICE;
		op->vdev = FIELD_GET(SMMUV3_CMD_CFGI_0_SID, cmd[0]);
		ret = 0;
		break;
	case SMMUV3_OP_PREFETCH_CFG:
		/* SSec is reserved, as for CFGI_CD: a guest is Non-secure. */
		if (smmuv3_rsvd(cmd, SMMUV3_PREFETCH_CFG_0, 0))
			break;
		op->kind = VCMDQ_OP_NOP;
		ret = 0;
		break;
	case SMMUV3_OP_CFGI_STE:
		/* Checked here, so a malformed one is still illegal. */
		if (smmuv3_rsvd(cmd, SMMUV3_CFGI_STE_0, SMMUV3_CFGI_STE_1))
			break;
		op->kind = VCMDQ_OP_VMM;
		ret = 0;
		break;
	case SMMUV3_OP_CFGI_ALL:
		if (smmuv3_rsvd(cmd, SMMUV3_CFGI_STE_0, SMMUV3_CFGI_ALL_1))
			break;
		op->kind = VCMDQ_OP_VMM;
		ret = 0;
		break;
	case SMMUV3_OP_CMD_SYNC:
		if (smmuv3_rsvd(cmd, SMMUV3_CMD_SYNC_0, SMMUV3_CMD_SYNC_1))
			break;
		ret = smmuv3_cmd_sync(cmd, op);
		break;
	default:
		/* PREFETCH_ADDR, S2/EL2/EL3, PRI, unknown. */
		break;
	}

	if (ret)
		*op = (struct vcmdq_op){ 0 };
	return ret;
}
