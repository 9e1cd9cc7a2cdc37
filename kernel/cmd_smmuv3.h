/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SMMUv3 command layout (Linux's arm-smmu-v3.h names, a bit no field of
 * an opcode covers being RES0), for the decoder (cmd_smmuv3.c) and for the
 * slow path's shortcuts below, which recognize its most common commands on
 * the raw qwords (invalidate.c).  Pure C like the decoders: tests/unit and
 * tests/fuzz build it on the host.
 */
#ifndef _VCMDQ_CMD_SMMUV3_H
#define _VCMDQ_CMD_SMMUV3_H

#include "cmd.h"

#define SMMUV3_CMD_0_OP			GENMASK_ULL(7, 0)
#define SMMUV3_CMD_0_SSV		BIT_ULL(11)

#define SMMUV3_OP_PREFETCH_CFG		0x01
#define SMMUV3_OP_PREFETCH_ADDR		0x02
#define SMMUV3_OP_CFGI_STE		0x03
#define SMMUV3_OP_CFGI_ALL		0x04
#define SMMUV3_OP_CFGI_CD		0x05
#define SMMUV3_OP_CFGI_CD_ALL		0x06
#define SMMUV3_OP_TLBI_NH_ALL		0x10
#define SMMUV3_OP_TLBI_NH_ASID		0x11
#define SMMUV3_OP_TLBI_NH_VA		0x12
#define SMMUV3_OP_TLBI_NH_VAA		0x13
#define SMMUV3_OP_TLBI_EL3_ALL		0x18
#define SMMUV3_OP_TLBI_EL3_VA		0x1a
#define SMMUV3_OP_TLBI_EL2_ALL		0x20
#define SMMUV3_OP_TLBI_EL2_ASID		0x21
#define SMMUV3_OP_TLBI_EL2_VA		0x22
#define SMMUV3_OP_TLBI_EL2_VAA		0x23
#define SMMUV3_OP_TLBI_S12_VMALL	0x28
#define SMMUV3_OP_TLBI_S2_IPA		0x2a
#define SMMUV3_OP_TLBI_NSNH_ALL		0x30
#define SMMUV3_OP_ATC_INV		0x40
#define SMMUV3_OP_PRI_RESP		0x41
#define SMMUV3_OP_RESUME		0x44
#define SMMUV3_OP_STALL_TERM		0x45
#define SMMUV3_OP_CMD_SYNC		0x46

#define SMMUV3_CMD_TLBI_0_NUM		GENMASK_ULL(16, 12)
#define SMMUV3_CMD_TLBI_0_SCALE		GENMASK_ULL(24, 20)
#define SMMUV3_CMD_TLBI_0_VMID		GENMASK_ULL(47, 32)
#define SMMUV3_CMD_TLBI_0_ASID		GENMASK_ULL(63, 48)
#define SMMUV3_CMD_TLBI_1_LEAF		BIT_ULL(0)
#define SMMUV3_CMD_TLBI_1_TTL		GENMASK_ULL(9, 8)
#define SMMUV3_CMD_TLBI_1_TG		GENMASK_ULL(11, 10)
#define SMMUV3_CMD_TLBI_1_VA		GENMASK_ULL(63, 12)

#define SMMUV3_CMD_CFGI_0_SSID		GENMASK_ULL(31, 12)
#define SMMUV3_CMD_CFGI_0_SID		GENMASK_ULL(63, 32)
#define SMMUV3_CMD_CFGI_1_LEAF		BIT_ULL(0)
#define SMMUV3_CMD_CFGI_1_RANGE		GENMASK_ULL(4, 0)

#define SMMUV3_CMD_ATC_0_GLOBAL		BIT_ULL(9)
#define SMMUV3_CMD_ATC_0_SSID		GENMASK_ULL(31, 12)
#define SMMUV3_CMD_ATC_0_SID		GENMASK_ULL(63, 32)
#define SMMUV3_CMD_ATC_1_SIZE		GENMASK_ULL(5, 0)
#define SMMUV3_CMD_ATC_1_ADDR		GENMASK_ULL(63, 12)
/* SIZE is log2 of the span in 4 KiB pages; 52 covers all 2^64 bytes. */
#define SMMUV3_ATC_SIZE_ALL		52

#define SMMUV3_CMD_SYNC_0_CS		GENMASK_ULL(13, 12)
#define SMMUV3_CMD_SYNC_0_CS_NONE	0
#define SMMUV3_CMD_SYNC_0_CS_IRQ	1
#define SMMUV3_CMD_SYNC_0_CS_SEV	2
#define SMMUV3_CMD_SYNC_0_MSH		GENMASK_ULL(23, 22)
#define SMMUV3_CMD_SYNC_0_MSIATTR	GENMASK_ULL(27, 24)
#define SMMUV3_CMD_SYNC_0_MSIDATA	GENMASK_ULL(63, 32)
#define SMMUV3_CMD_SYNC_1_MSIADDR	GENMASK_ULL(51, 2)

/* The bits each accepted opcode defines; everything else is RES0. */
#define SMMUV3_TLBI_NH_ALL_0	(SMMUV3_CMD_0_OP | SMMUV3_CMD_TLBI_0_VMID)
#define SMMUV3_TLBI_NH_ASID_0	(SMMUV3_TLBI_NH_ALL_0 | SMMUV3_CMD_TLBI_0_ASID)
#define SMMUV3_TLBI_NH_VAA_0	(SMMUV3_TLBI_NH_ALL_0 |			\
				 SMMUV3_CMD_TLBI_0_NUM |		\
				 SMMUV3_CMD_TLBI_0_SCALE)
#define SMMUV3_TLBI_NH_VA_0	(SMMUV3_TLBI_NH_VAA_0 | SMMUV3_CMD_TLBI_0_ASID)
#define SMMUV3_TLBI_VA_1	(SMMUV3_CMD_TLBI_1_LEAF |		\
				 SMMUV3_CMD_TLBI_1_TTL |		\
				 SMMUV3_CMD_TLBI_1_TG |			\
				 SMMUV3_CMD_TLBI_1_VA)
#define SMMUV3_ATC_INV_0	(SMMUV3_CMD_0_OP | SMMUV3_CMD_0_SSV |	\
				 SMMUV3_CMD_ATC_0_GLOBAL |		\
				 SMMUV3_CMD_ATC_0_SSID |		\
				 SMMUV3_CMD_ATC_0_SID)
#define SMMUV3_ATC_INV_1	(SMMUV3_CMD_ATC_1_SIZE | SMMUV3_CMD_ATC_1_ADDR)
#define SMMUV3_CFGI_CD_0	(SMMUV3_CMD_0_OP | SMMUV3_CMD_CFGI_0_SSID |	\
				 SMMUV3_CMD_CFGI_0_SID)
#define SMMUV3_CFGI_CD_1	SMMUV3_CMD_CFGI_1_LEAF
#define SMMUV3_CFGI_CD_ALL_0	(SMMUV3_CMD_0_OP | SMMUV3_CMD_CFGI_0_SID)
#define SMMUV3_PREFETCH_CFG_0	(SMMUV3_CMD_0_OP | SMMUV3_CMD_0_SSV |	\
				 SMMUV3_CMD_CFGI_0_SSID |		\
				 SMMUV3_CMD_CFGI_0_SID)
#define SMMUV3_CFGI_STE_0	SMMUV3_CFGI_CD_ALL_0
#define SMMUV3_CFGI_STE_1	SMMUV3_CMD_CFGI_1_LEAF
#define SMMUV3_CFGI_ALL_1	SMMUV3_CMD_CFGI_1_RANGE
#define SMMUV3_CMD_SYNC_0	(SMMUV3_CMD_0_OP | SMMUV3_CMD_SYNC_0_CS |	\
				 SMMUV3_CMD_SYNC_0_MSH |		\
				 SMMUV3_CMD_SYNC_0_MSIATTR |		\
				 SMMUV3_CMD_SYNC_0_MSIDATA)
#define SMMUV3_CMD_SYNC_1	SMMUV3_CMD_SYNC_1_MSIADDR

/**
 * vcmdq_smmuv3_page_run_extend() - the slow path's common command, on the
 *	raw entry, without a decode
 * @run: a pending run (vcmdq_tlb_run_starts() took it; cmd.h, "Runs of TLB
 *	invalidations")
 * @cmd: one SMMUv3 command, in CPU byte order
 *
 * A guest without range invalidation sends TLBI_NH_VA page after page, TG=0
 * (Linux's SMMUv3 driver does), and in a run each such entry only grows the
 * run's range.  Checked on the raw qwords, that costs a few masks and
 * compares instead of vcmdq_decode_smmuv3() filling a whole struct vcmdq_op
 * and vcmdq_tlb_run_extends() comparing it field by field: under an
 * emulator (QEMU TCG, where the benchmarks run) that decode was most of an
 * entry's cost.
 *
 * Exactly the decoder's and the run's rules, for the commands it takes: the
 * opcode TLBI_NH_VA with no reserved bit set and TG=0 (one 4 KiB page at VA;
 * NUM, SCALE, TTL and the VMID are ignored then, as vcmdq_decode_smmuv3()
 * ignores them), an op of scope ASID, @cmd's ASID, no PASID, Leaf as @cmd's,
 * whose page touches the run's range.  tests/fuzz and tests/unit check it
 * against the decode and vcmdq_tlb_run_extends() + vcmdq_tlb_run_extend().
 * Inline, as it runs for every such entry: under TCG a call and its return
 * (an indirect jump there) cost about as much as the checks.
 *
 * Return: true when @cmd joined @run (@run now covers its page too, as
 * vcmdq_tlb_run_extend() would leave it); false with @run untouched for
 * anything else, which the caller decodes the general way (an illegal
 * command included: it is reported from there).
 */
static inline bool vcmdq_smmuv3_page_run_extend(struct vcmdq_op *run,
						const u64 cmd[2])
{
	/* Valid bits of a TG=0 TLBI_NH_VA's second qword: TG must be 0. */
	const u64 valid1 = SMMUV3_TLBI_VA_1 & ~SMMUV3_CMD_TLBI_1_TG;
	u64 va = cmd[1] & SMMUV3_CMD_TLBI_1_VA;
	u64 last = va + VCMDQ_PAGE_SIZE - 1;
	u64 run_last = run->addr + run->size - 1;

	/* The opcode, and no bit TLBI_NH_VA leaves reserved. */
	if ((cmd[0] & (SMMUV3_CMD_0_OP | ~SMMUV3_TLBI_NH_VA_0)) !=
		    SMMUV3_OP_TLBI_NH_VA ||
	    (cmd[1] & ~valid1))
		return false;
	/* vcmdq_tlb_run_extends() on the op the decoder would build. */
	if (run->scope != VCMDQ_SCOPE_ASID ||
	    run->asid != FIELD_GET(SMMUV3_CMD_TLBI_0_ASID, cmd[0]) ||
	    run->pasid_valid || run->pasid || run->global ||
	    run->leaf != !!(cmd[1] & SMMUV3_CMD_TLBI_1_LEAF))
		return false;
	if (!((va <= run_last || va - 1 <= run_last) &&
	      (run->addr <= last || run->addr - 1 <= last)))
		return false;
	/* vcmdq_tlb_run_extend(); va is page aligned, so last cannot wrap. */
	if (va < run->addr)
		run->addr = va;
	if (last < run_last)
		last = run_last;
	run->size = last - run->addr + 1;
	return true;
}

/**
 * vcmdq_smmuv3_plain_sync() - is this the sync that ends every batch, the
 *	kind with nothing to do but order?
 * @cmd: one SMMUv3 command, in CPU byte order
 *
 * A CMD_SYNC with CS=NONE or CS=SEV (completion seen by polling CONS, which
 * a synchronous executor has already reached) and no reserved bit: what
 * vcmdq_decode_smmuv3() decodes to a %VCMDQ_OP_SYNC with neither store nor
 * interrupt.  Checked on the raw qwords so that the slow path completes it
 * without filling a struct vcmdq_op (see vcmdq_smmuv3_page_run_extend() for
 * why that matters); tests/unit and tests/fuzz check it against the decode.
 *
 * Return: true for such a sync; false for anything else, which the caller
 * decodes the general way.
 */
static inline bool vcmdq_smmuv3_plain_sync(const u64 cmd[2])
{
	unsigned int cs = FIELD_GET(SMMUV3_CMD_SYNC_0_CS, cmd[0]);

	return (cmd[0] & (SMMUV3_CMD_0_OP | ~SMMUV3_CMD_SYNC_0)) ==
		       SMMUV3_OP_CMD_SYNC &&
	       !(cmd[1] & ~SMMUV3_CMD_SYNC_1) &&
	       (cs == SMMUV3_CMD_SYNC_0_CS_NONE ||
		cs == SMMUV3_CMD_SYNC_0_CS_SEV);
}

#endif /* _VCMDQ_CMD_SMMUV3_H */
