// SPDX-License-Identifier: GPL-2.0
/*
 * Execution of a normalized operation on a vIOMMU's instance: the one place
 * both the fast path (the queue engine) and the slow path reach the cache
 * model, so both enforce isolation the same way:
 *
 *  - the host tag is always the vIOMMU's own, whatever the guest wrote;
 *  - a guest device ID reaches only a device bound to this vIOMMU with
 *    VCMDQ_VDEVICE_ALLOC, through its physical ID.
 */
#include "vcmdq_private.h"
#include "cmd.h"

static void vcmdq_op_range(const struct vcmdq_op *op, u64 *start, u64 *last)
{
	if (op->size) {
		*start = op->addr;
		*last = op->addr + op->size - 1;
	} else {
		*start = 0;
		*last = U64_MAX;
	}
}

static void vcmdq_exec_tlb_inv(struct vcmdq_viommu *viommu,
			       const struct vcmdq_op *op)
{
	struct vcmdq_iotlb_key key = {
		.tag = viommu->tag,
		.leaf_only = op->leaf,
	};

	vcmdq_op_range(op, &key.start, &key.last);
	if (op->scope == VCMDQ_SCOPE_ASID) {
		key.asid = op->asid;
		key.pasid = op->pasid;
		/*
		 * A global entry (VT-d first-stage G=1) is shared by every
		 * PASID of the address space, and the model keeps no G bit:
		 * a command that also reaches global entries drops the range
		 * in every PASID, which over-invalidates, safely.
		 */
		key.any_pasid = !op->pasid_valid || op->global;
	} else {
		/* VCMDQ_SCOPE_VM: every address space of this VM, none other. */
		key.any_asid = true;
		key.any_pasid = true;
	}
	vcmdq_tlb_inv_iotlb(&viommu->inst->tlb, &key);
}

static int vcmdq_exec_atc_inv(struct vcmdq_viommu *viommu,
			      const struct vcmdq_op *op)
{
	struct vcmdq_atc_key key = {};
	int rc;

	rc = vcmdq_vdevice_translate(viommu, op->vdev, &key.sid);
	if (rc)
		return rc;
	vcmdq_op_range(op, &key.start, &key.last);
	/*
	 * Without a PASID the command reaches every translation of the
	 * device; the model keeps no separate "no PASID" entries, so that
	 * is every SSID.  With Global (SMMUv3 ATC_INV SSV=1 G=1, VT-d PASID
	 * device-TLB G=1) it also reaches global translations, which every
	 * PASID of the device shares; the model keeps no global attribute,
	 * so that too is every SSID (over-invalidating is always safe).
	 */
	key.ssid = op->pasid;
	key.any_ssid = !op->pasid_valid || op->global;
	vcmdq_tlb_inv_atc(&viommu->inst->tlb, &key);
	return 0;
}

static int __vcmdq_exec(struct vcmdq_viommu *viommu,
			const struct vcmdq_op *op)
{
	switch (op->kind) {
	case VCMDQ_OP_TLB_INV:
		vcmdq_exec_tlb_inv(viommu, op);
		return 0;
	case VCMDQ_OP_ATC_INV:
		return vcmdq_exec_atc_inv(viommu, op);
	case VCMDQ_OP_DEV_CFG_INV:
	case VCMDQ_OP_PASID_CFG_INV:
		/*
		 * The model caches no configuration, so there is nothing to
		 * drop; and a device with no vDEVICE is no error (see above).
		 */
		return 0;
	case VCMDQ_OP_ALL_INV: {
		struct vcmdq_op all = { .kind = VCMDQ_OP_TLB_INV,
					.scope = VCMDQ_SCOPE_VM };

		vcmdq_exec_tlb_inv(viommu, &all);
		return 0;
	}
	case VCMDQ_OP_SYNC:
	case VCMDQ_OP_NOP:
		return 0;
	case VCMDQ_OP_VMM:
		return -EREMOTE;
	}
	return -EIO;
}

/**
 * vcmdq_exec() - run one decoded operation for a vIOMMU
 * @viommu: the vIOMMU the guest issued it through
 * @op: the operation, from a vcmdq_decode_*() decoder
 *
 * A sync operation's store is not done here: the fast path accepts only
 * CS=NONE syncs and the slow path completes stores through the S2.
 *
 * A configuration invalidation (device table / context entry, CD / PASID
 * entry) naming a device the vIOMMU has no vDEVICE for is a no-op: the
 * host caches nothing for a device it did not give the VM (an emulated
 * device, the IOAPIC's IVRS ID, a function the guest probes), and a real
 * guest sends these.  A device TLB invalidation has an effect on the
 * device, so an unknown device there stays an error.
 *
 * Each executed operation (and each handed back) is counted on the
 * instance, by kind (the sysfs counters).
 *
 * Context: any context that may take spinlocks (the engine thread holds a
 * mutex; ioctls hold nothing).
 * Return: 0; -EIO when an ATC invalidation names a device the vIOMMU does
 * not have; -EREMOTE for %VCMDQ_OP_VMM, which only the VMM can execute.
 */
int vcmdq_exec(struct vcmdq_viommu *viommu, const struct vcmdq_op *op)
{
	int rc = __vcmdq_exec(viommu, op);

	/* The kinds' counters are in enum vcmdq_op_kind's order. */
	BUILD_BUG_ON(VCMDQ_CNT_INV_TLB + VCMDQ_OP_SYNC - VCMDQ_OP_TLB_INV !=
		     VCMDQ_CNT_SYNC);
	if (!rc && op->kind >= VCMDQ_OP_TLB_INV && op->kind <= VCMDQ_OP_SYNC)
		vcmdq_count(viommu->inst,
			    VCMDQ_CNT_INV_TLB + op->kind - VCMDQ_OP_TLB_INV, 1);
	else if (!rc && op->kind == VCMDQ_OP_NOP)
		vcmdq_count(viommu->inst, VCMDQ_CNT_NOP, 1);
	else if (rc == -EREMOTE)
		vcmdq_count(viommu->inst, VCMDQ_CNT_HANDED_BACK, 1);
	return rc;
}

/**
 * vcmdq_exec_s2_invalidate() - an S2 change: drop every cached translation
 *	built on the S2, on every instance that shares it
 * @s2: the S2
 *
 * One S2 is shared by the VM's vIOMMUs on several instances; each instance
 * caches under its own tag, so the invalidation fans out per (instance, tag).
 *
 * Context: @s2->lock held (it keeps the list of vIOMMUs stable).
 */
void vcmdq_exec_s2_invalidate(struct vcmdq_s2 *s2)
{
	struct vcmdq_viommu *viommu;
	struct vcmdq_op all = { .kind = VCMDQ_OP_TLB_INV,
				.scope = VCMDQ_SCOPE_VM };

	lockdep_assert_held(&s2->lock);
	list_for_each_entry(viommu, &s2->viommus, s2_node) {
		struct vcmdq_vdevice *vdev;
		unsigned long index;

		vcmdq_exec_tlb_inv(viommu, &all);
		/* ATS translations were built on the S2 too. */
		xa_lock(&viommu->vdevs);
		xa_for_each(&viommu->vdevs, index, vdev) {
			struct vcmdq_atc_key key = { .sid = vdev->phys_id,
						     .any_ssid = true,
						     .last = U64_MAX };

			vcmdq_tlb_inv_atc(&viommu->inst->tlb, &key);
		}
		xa_unlock(&viommu->vdevs);
	}
}

/**
 * vcmdq_exec_tlb_run() - execute a pending run of TLB invalidations
 * @viommu: the vIOMMU the guest issued them through
 * @run: the run: the union of its commands' ranges (cmd.h, "Runs of TLB
 *	invalidations")
 * @nr: how many commands it stands for; 0 (nothing pending) on return
 *
 * Executed once, counted as the @nr commands (the inv_tlb counter counts
 * commands, not executions).  A TLB invalidation cannot fail.
 */
void vcmdq_exec_tlb_run(struct vcmdq_viommu *viommu,
			const struct vcmdq_op *run, unsigned int *nr)
{
	if (!*nr)
		return;
	vcmdq_exec(viommu, run);
	if (*nr > 1)
		vcmdq_count(viommu->inst, VCMDQ_CNT_INV_TLB, *nr - 1);
	*nr = 0;
}
