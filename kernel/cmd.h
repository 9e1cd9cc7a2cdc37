/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Slow path decoders: one raw guest command in, one normalized operation out.
 *
 * The three vendors say the same few things in three encodings: "drop these
 * translations", "drop what this device's ATC holds", "drop cached
 * configuration", "tell me when everything before this is done".  A decoder
 * validates one raw command (opcode allow-list, reserved bits, field values)
 * and turns it into a struct vcmdq_op, which the executor (invalidate.c) runs
 * against the instance's software TLB model.
 *
 * What a decoder deliberately does NOT do:
 *  - pick the host tag.  Any VMID the guest wrote (SMMUv3 TLBI commands carry
 *    one) is accepted and dropped: the executor always uses the vIOMMU's own
 *    tag, as upstream arm_vsmmu_convert_user_cmd() and Tegra241 hardware do.
 *  - translate device IDs.  @vdev is the guest's vSID / vDeviceID / source-id;
 *    the executor looks it up in the vIOMMU's vDEVICE table.
 *  - know the instance's capabilities (ATS, PASID width, MAMV, range
 *    invalidation, scalable mode, INVALIDATE_ALL).  The op carries enough
 *    to check them: a VT-d page-selective range is 4 KiB << AM, so
 *    invalidate.c checks log2(@size) - 12 against the instance's MAMV.
 *
 * The decoders are pure C with no kernel dependency (see cmd_types.h) so they
 * are unit tested and fuzzed in userspace.  Input is in CPU byte order: the
 * caller converts the guest's little-endian entry with le64_to_cpu().
 *
 * Return: 0 and a filled @op, -EIO for a command the guest's IOMMU would call
 * illegal (unknown or refused opcode, a reserved bit or value), -EINVAL for a
 * bad call (a VT-d descriptor that is neither 2 nor 4 qwords).  On error @op
 * is zeroed.
 */
#ifndef _VCMDQ_CMD_H
#define _VCMDQ_CMD_H

#include "cmd_types.h"

/**
 * enum vcmdq_op_kind - which cache an operation acts on
 * @VCMDQ_OP_TLB_INV: IOMMU translation caches (IOTLB and walk caches).
 *	SMMUv3 TLBI_NH_*, TLBI_NSNH_ALL; AMD-Vi INVALIDATE_IOMMU_PAGES;
 *	VT-d IOTLB and PASID-based IOTLB.
 * @VCMDQ_OP_ATC_INV: a device's ATS translation cache (device TLB).
 *	SMMUv3 ATC_INV; AMD-Vi INVALIDATE_IOTLB_PAGES; VT-d device-TLB and
 *	PASID-based device-TLB.  Scope is always %VCMDQ_SCOPE_DEVICE.
 * @VCMDQ_OP_DEV_CFG_INV: cached per-device configuration (device table /
 *	context entries).  AMD-Vi INVALIDATE_DEVTAB_ENTRY; VT-d context cache.
 * @VCMDQ_OP_PASID_CFG_INV: cached per-PASID configuration (SMMUv3 context
 *	descriptors, VT-d PASID entries).  SMMUv3 CFGI_CD, CFGI_CD_ALL; VT-d
 *	PASID cache.
 * @VCMDQ_OP_ALL_INV: every IOMMU-side cache of the VM (translation,
 *	configuration, interrupt remapping), not device ATCs.  AMD-Vi
 *	INVALIDATE_ALL; whether the instance advertises it is the caller's call.
 * @VCMDQ_OP_SYNC: completion point: SMMUv3 CMD_SYNC, AMD-Vi COMPLETION_WAIT,
 *	VT-d invalidation wait.  See &struct vcmdq_op_wait.
 * @VCMDQ_OP_VMM: a valid command for state only the VMM has: interrupt
 *	remapping tables (VT-d interrupt entry cache, AMD-Vi
 *	INVALIDATE_INTERRUPT_TABLE), which the VMM emulates, and SMMUv3 stream
 *	table entries (CFGI_STE, CFGI_ALL), which the VMM turns into a new
 *	nested attachment.  The kernel cannot execute it, but it is not
 *	illegal either: the slow path stops there and hands it back (EREMOTE).
 *	Only @opcode is set.
 * @VCMDQ_OP_NOP: a valid hint with no architectural effect, which an IOMMU
 *	may ignore: SMMUv3 PREFETCH_CFG, which a Linux guest issues after
 *	each STE update.  Only @opcode is set.
 */
enum vcmdq_op_kind {
	VCMDQ_OP_TLB_INV = 1,
	VCMDQ_OP_ATC_INV,
	VCMDQ_OP_DEV_CFG_INV,
	VCMDQ_OP_PASID_CFG_INV,
	VCMDQ_OP_ALL_INV,
	VCMDQ_OP_SYNC,
	VCMDQ_OP_VMM,
	VCMDQ_OP_NOP,
};

/**
 * enum vcmdq_op_scope - which entries of that cache
 * @VCMDQ_SCOPE_NONE: not applicable (%VCMDQ_OP_SYNC, %VCMDQ_OP_VMM,
 *	%VCMDQ_OP_NOP).
 * @VCMDQ_SCOPE_VM: every entry the VM owns, whatever its address space or
 *	device (SMMUv3 TLBI_NH_ALL, VT-d global granularity).  With a non-zero
 *	@size, the range in every address space of the VM (TLBI_NH_VAA).
 * @VCMDQ_SCOPE_ASID: the guest address space @asid, narrowed to @pasid when
 *	@pasid_valid, and to [@addr, @addr + @size) when @size is not 0.
 * @VCMDQ_SCOPE_DEVICE: the device @vdev (and, for VT-d's function mask,
 *	every device that equals it outside @vdev_mask), narrowed to @pasid
 *	when @pasid_valid and to the range when @size is not 0.
 */
enum vcmdq_op_scope {
	VCMDQ_SCOPE_NONE = 0,
	VCMDQ_SCOPE_VM,
	VCMDQ_SCOPE_ASID,
	VCMDQ_SCOPE_DEVICE,
};

/**
 * struct vcmdq_op_wait - what a sync operation asks for once all earlier
 *	commands have completed
 * @store: write @store_data (@store_size bytes, little-endian) to the guest
 *	physical address @store_addr.  SMMUv3 CMD_SYNC with CS=SIG_IRQ: the
 *	MSI write (4 bytes of MSIDATA to MSIADDR; an MSIADDR of 0 writes
 *	nothing).  AMD-Vi COMPLETION_WAIT S=1: 8 bytes.  VT-d SW=1: 4 bytes.
 * @irq: raise the completion interrupt: AMD-Vi I=1 (ComWaitInt), VT-d IF=1
 *	(IWC), SMMUv3 CS=SIG_IRQ (where the interrupt normally *is* the MSI
 *	write; set so an executor that cannot deliver the store as an MSI can
 *	still signal completion another way).
 * @fence: later commands must not start before this one completes (VT-d
 *	FN, AMD-Vi F).  A synchronous executor satisfies it by construction.
 * @store_size: 4 or 8 when @store, else 0.
 * @store_addr: guest physical address, aligned to @store_size.
 * @store_data: the value, zero-extended.
 */
struct vcmdq_op_wait {
	bool store;
	bool irq;
	bool fence;
	u8 store_size;
	u64 store_addr;
	u64 store_data;
};

/**
 * struct vcmdq_op - one normalized slow-path operation
 * @kind: &enum vcmdq_op_kind.
 * @scope: &enum vcmdq_op_scope.
 * @opcode: the raw opcode / descriptor type, for tracing and events only.
 * @asid: guest address-space tag, valid for %VCMDQ_SCOPE_ASID and where the
 *	command also carries one: SMMUv3 ASID, AMD-Vi DomainID, VT-d DID.
 *	Never a host tag.
 * @vdev: guest device ID, valid for %VCMDQ_SCOPE_DEVICE: SMMUv3 vSID,
 *	AMD-Vi DeviceID, VT-d source-id; translated by the executor.
 * @vdev_mask: bits of @vdev to ignore when matching (VT-d context-cache FM:
 *	0x4, 0x6 or 0x7); 0 everywhere else.
 * @pasid: PASID / SMMUv3 SubstreamID, valid when @pasid_valid.
 * @pasid_valid: the operation is limited to @pasid (SMMUv3 SSV or CFGI_CD,
 *	AMD-Vi GN, VT-d PASID-based descriptors and PASID-selective
 *	granularities).  When clear, @pasid is 0.
 * @leaf: only last-level (leaf) entries need to go; cached walk / directory
 *	entries may stay (SMMUv3 Leaf, AMD-Vi PDE=0, VT-d IH).  For CFGI_CD,
 *	only the CD itself, not the L1 descriptor leading to it.
 * @global: also entries shared by every PASID (SMMUv3 ATC_INV Global, VT-d
 *	PASID device-TLB G, VT-d page-selective PASID IOTLB).  The model has
 *	no "global" attribute, so the executor drops the range's entries of
 *	every PASID of the address space or device (over-invalidating is
 *	safe; keeping a global entry would not be).
 * @addr: start of the range, 4 KiB aligned.
 * @size: length of the range in bytes, or 0 for "every address" (the range
 *	is then expressed by @scope alone).  A range never wraps past 2^64.
 *	AMD-Vi and VT-d ranges, and SMMUv3 ATC ranges, are powers of two with
 *	@addr aligned to them; SMMUv3 TLBI ranges are (NUM+1) << SCALE pages
 *	of the command's granule, with @addr aligned to the granule.
 * @wait: the sync part, for %VCMDQ_OP_SYNC; zero otherwise.
 */
struct vcmdq_op {
	enum vcmdq_op_kind kind;
	enum vcmdq_op_scope scope;
	u32 opcode;
	u32 asid;
	u32 vdev;
	u32 vdev_mask;
	u32 pasid;
	bool pasid_valid;
	bool leaf;
	bool global;
	u64 addr;
	u64 size;
	struct vcmdq_op_wait wait;
};

/*
 * Start @op as the all-zero operation of @opcode, as a decoder does first.
 * Field by field rather than a compound literal: for a struct this size,
 * without SSE (the kernel's case) x86 compilers zero it with a string
 * instruction (rep stos), which an emulator such as QEMU TCG, where the
 * benchmarks run, executes one step per qword; this is on the slow path's
 * per-entry path.  Padding is left as it was: nothing compares ops whole.
 */
static inline void vcmdq_op_init(struct vcmdq_op *op, u32 opcode)
{
	op->kind = (enum vcmdq_op_kind)0;
	op->scope = VCMDQ_SCOPE_NONE;
	op->opcode = opcode;
	op->asid = 0;
	op->vdev = 0;
	op->vdev_mask = 0;
	op->pasid = 0;
	op->pasid_valid = false;
	op->leaf = false;
	op->global = false;
	op->addr = 0;
	op->size = 0;
	op->wait.store = false;
	op->wait.irq = false;
	op->wait.fence = false;
	op->wait.store_size = 0;
	op->wait.store_addr = 0;
	op->wait.store_data = 0;
}

#define VCMDQ_PAGE_SHIFT	12
#define VCMDQ_PAGE_SIZE		BIT_ULL(VCMDQ_PAGE_SHIFT)

/* SMMUv3 CMDQ entry: 2 qwords.  cmd[0] bits 7:0 are the opcode. */
int vcmdq_decode_smmuv3(const u64 cmd[2], struct vcmdq_op *op);

/*
 * AMD-Vi command buffer entry: 2 qwords, i.e. the spec's four 32-bit words
 * with word 0 in cmd[0] bits 31:0.  The opcode is word 1 bits 31:28.
 */
int vcmdq_decode_amd(const u64 cmd[2], struct vcmdq_op *op);

/*
 * VT-d queued invalidation descriptor: @qwords is 2 (128-bit descriptors)
 * or 4 (256-bit, IQA_REG.DW=1).  The decoder does not know whether the
 * instance runs in legacy or scalable mode; the caller refuses the
 * descriptor types its mode does not allow.
 */
int vcmdq_decode_vtd(const u64 *desc, unsigned int qwords,
		     struct vcmdq_op *op);

/**
 * vcmdq_decode_s_range() - decode an address with an "S" size bit
 * @field: the address field, bits 63:12 significant (lower bits ignored)
 * @all_bit: a first zero bit at or above this position means "every address"
 * @addr: the naturally aligned start
 * @size: the length in bytes, 0 for "every address"
 *
 * AMD-Vi INVALIDATE_IOMMU_PAGES / INVALIDATE_IOTLB_PAGES and the PCIe ATS
 * encoding VT-d device-TLB descriptors use: with S=1, the first zero bit of
 * the address at position m >= 12 selects the naturally aligned range of
 * 2^(m+1) bytes containing the address (bit 12 clear: 8 KiB).  Bits below
 * m are part of the encoding, not of the address.
 */
static inline void vcmdq_decode_s_range(u64 field, unsigned int all_bit,
					u64 *addr, u64 *size)
{
	unsigned int m = vcmdq_cto64(field | (VCMDQ_PAGE_SIZE - 1));

	if (m >= all_bit || m >= 63) {
		*addr = 0;
		*size = 0;
		return;
	}
	*size = 1ULL << (m + 1);
	*addr = field & ~(*size - 1);
}

/*
 * Runs of TLB invalidations.  A guest invalidates page after page (Linux's
 * SMMUv3 driver without range invalidation sends one TLBI per page), and
 * each would take the model's lock and search it.  Both paths (the slow
 * path's batch, the engine's share of a pass) keep consecutive TLB
 * invalidations of one address space whose ranges touch as one pending
 * run and execute it once (vcmdq_exec_tlb_run()), before any other
 * command executes and before anything the guest can observe (a return,
 * CONS, an error): what it can see is the same as one by one.
 */

/* Can @op start a run?  A TLB invalidation of a range (0: every address). */
static inline bool vcmdq_tlb_run_starts(const struct vcmdq_op *op)
{
	return op->kind == VCMDQ_OP_TLB_INV && op->size;
}

/*
 * Can @next join @run, a pending run, into one?  Only when it names the
 * same entries but for the range, and its range touches the run's: an
 * entry overlaps the union of two touching ranges exactly when it overlaps
 * one of them, so the merged invalidation removes what the two would
 * have, no more.  Ranges never wrap past 2^64.
 */
static inline bool vcmdq_tlb_run_extends(const struct vcmdq_op *run,
					 const struct vcmdq_op *next)
{
	u64 run_last = run->addr + run->size - 1;
	u64 next_last = next->addr + next->size - 1;

	return next->kind == VCMDQ_OP_TLB_INV && next->size &&
	       next->scope == run->scope && next->asid == run->asid &&
	       next->pasid == run->pasid &&
	       next->pasid_valid == run->pasid_valid &&
	       next->leaf == run->leaf && next->global == run->global &&
	       (next->addr <= run_last || next->addr - 1 <= run_last) &&
	       (run->addr <= next_last || run->addr - 1 <= next_last);
}

/* Grow @run to cover @next too (vcmdq_tlb_run_extends() said it may). */
static inline void vcmdq_tlb_run_extend(struct vcmdq_op *run,
					const struct vcmdq_op *next)
{
	u64 run_last = run->addr + run->size - 1;
	u64 next_last = next->addr + next->size - 1;
	u64 last = next_last > run_last ? next_last : run_last;

	/* No min()/max(): this header builds on the host too (tests/unit). */
	if (next->addr < run->addr)
		run->addr = next->addr;
	/* [0, U64_MAX] wraps to size 0, which means every address: the same. */
	run->size = last - run->addr + 1;
}

#endif /* _VCMDQ_CMD_H */
