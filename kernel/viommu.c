// SPDX-License-Identifier: GPL-2.0
/*
 * vIOMMUs: a VM's slice of one host IOMMU instance.
 *
 * A vIOMMU joins an S2 (the VM's memory) to an instance and owns a host tag of
 * that instance.  Every command the VM issues through the vIOMMU runs under
 * that tag, which is what keeps one VM's invalidations away from another's
 * cache entries.  A VM has at most one vIOMMU per (S2, instance).
 *
 * On an instance with fast path queues the vIOMMU also owns a control region
 * laid out as a Tegra241 VINTF page0, which the VMM maps (and passes through
 * to the guest): the guest drives its queues there with no exit.
 */
#include <linux/mm.h>
#include <linux/slab.h>

#include "vcmdq_private.h"

/*
 * Control region cookie -> vIOMMU, over all files.  Every open of one
 * /dev/vcmdq inode shares its address_space, so the doorbell's zap (by
 * offset) must not name another file's mapping: cookies are unique.  An
 * entry lives from VIOMMU_ALLOC to the vIOMMU's destroy, which erases it
 * (under the xarray's lock) before the vIOMMU is freed.
 */
static DEFINE_XARRAY_ALLOC1(vcmdq_ctrl_cookies);

static int vcmdq_viommu_alloc_ctrl(struct vcmdq_viommu *viommu)
{
	viommu->ctrl_pages = alloc_pages(GFP_KERNEL_ACCOUNT | __GFP_ZERO,
					 get_order(VCMDQ_CTRL_SIZE));
	if (!viommu->ctrl_pages)
		return -ENOMEM;
	viommu->ctrl = page_address(viommu->ctrl_pages);
	return xa_alloc(&vcmdq_ctrl_cookies, &viommu->cookie, viommu,
			XA_LIMIT(1, VCMDQ_CTRL_COOKIE_MAX), GFP_KERNEL_ACCOUNT);
}

int vcmdq_viommu_alloc_ioctl(struct vcmdq_ucmd *ucmd)
{
	struct vcmdq_viommu_alloc *cmd = ucmd->cmd;
	struct vcmdq_viommu *viommu, *other;
	struct vcmdq_instance *inst;
	struct vcmdq_s2 *s2;
	int rc;

	if (cmd->flags)
		return -EOPNOTSUPP;
	inst = vcmdq_instance_get(cmd->instance_id);
	if (!inst)
		return -ENOENT;

	viommu = vcmdq_object_alloc_ucmd(ucmd, viommu, VCMDQ_OBJ_VIOMMU);
	if (IS_ERR(viommu))
		return PTR_ERR(viommu);
	mutex_init(&viommu->queue_lock);
	xa_init_flags(&viommu->vdevs, XA_FLAGS_ACCOUNT);
	spin_lock_init(&viommu->event_lock);
	mutex_init(&viommu->db_lock);
	INIT_LIST_HEAD(&viommu->s2_node);

	/*
	 * The lookup's reference becomes the long-term hold on the S2, dropped
	 * by vcmdq_viommu_destroy(): DESTROY of the S2 is EBUSY meanwhile.
	 */
	s2 = vcmdq_get_s2(ucmd->ctx, cmd->s2_id);
	if (IS_ERR(s2))
		return PTR_ERR(s2);
	viommu->s2 = s2;

	if (vcmdq_instance_has_queues(inst)) {
		rc = vcmdq_viommu_alloc_ctrl(viommu);
		if (rc)
			return rc;
	}

	/*
	 * Under s2->lock so two racing allocs cannot both pass the check.
	 * Joining the list before finalize only exposes the vIOMMU to the
	 * S2's invalidation fan-out, which needs nothing but @inst and @tag.
	 */
	mutex_lock(&s2->lock);
	list_for_each_entry(other, &s2->viommus, s2_node) {
		if (other->inst == inst) {
			mutex_unlock(&s2->lock);
			return -EEXIST;
		}
	}
	rc = vcmdq_instance_claim(inst, &viommu->tag, &viommu->slot);
	if (rc) {
		mutex_unlock(&s2->lock);
		return rc;
	}
	viommu->inst = inst;
	list_add_tail(&viommu->s2_node, &s2->viommus);
	mutex_unlock(&s2->lock);

	/* Outputs are written, never echoed: 0 without a control region. */
	cmd->out_viommu_id = viommu->obj.id;
	cmd->out_tag = viommu->tag;
	cmd->out_mmap_offset = 0;
	cmd->out_mmap_length = 0;
	if (viommu->ctrl) {
		cmd->out_mmap_offset = (u64)viommu->cookie << VCMDQ_CTRL_SHIFT;
		cmd->out_mmap_length = VCMDQ_CTRL_SIZE;
	}
	return vcmdq_ucmd_respond(ucmd, sizeof(*cmd));
}

/* Also undoes a VIOMMU_ALLOC that failed at any step. */
void vcmdq_viommu_destroy(struct vcmdq_object *obj)
{
	struct vcmdq_viommu *viommu =
		container_of(obj, struct vcmdq_viommu, obj);
	struct vcmdq_s2 *s2 = viommu->s2;

	/* Queues, vDEVICEs, the event queue and mappings all hold users. */
	WARN_ON(!xa_empty(&viommu->vdevs) || viommu->eventq ||
		viommu->claimed_queues);
	if (viommu->inst) {
		mutex_lock(&s2->lock);
		list_del(&viommu->s2_node);
		mutex_unlock(&s2->lock);
		/*
		 * The tag goes back to the instance for the next VM: nothing
		 * it cached may survive into that VM's use of the tag.
		 */
		vcmdq_tlb_inv_iotlb(&viommu->inst->tlb,
				    &(struct vcmdq_iotlb_key){
					    .tag = viommu->tag,
					    .any_asid = true,
					    .any_pasid = true,
					    .last = U64_MAX });
		vcmdq_instance_release(viommu->inst, viommu->tag,
				       viommu->slot);
	}
	if (viommu->cookie)
		xa_erase(&vcmdq_ctrl_cookies, viommu->cookie);
	if (viommu->ctrl_pages)
		__free_pages(viommu->ctrl_pages, get_order(VCMDQ_CTRL_SIZE));
	xa_destroy(&viommu->vdevs);
	mutex_destroy(&viommu->db_lock);
	mutex_destroy(&viommu->queue_lock);
	if (s2)
		vcmdq_put_object(&s2->obj);
}

int vcmdq_viommu_kick_ioctl(struct vcmdq_ucmd *ucmd)
{
	struct vcmdq_kick *cmd = ucmd->cmd;
	struct vcmdq_viommu *viommu;
	int rc = 0;

	viommu = vcmdq_get_viommu(ucmd->ctx, cmd->viommu_id);
	if (IS_ERR(viommu))
		return PTR_ERR(viommu);
	if (vcmdq_instance_has_queues(viommu->inst))
		vcmdq_engine_kick(&viommu->inst->engine);
	else
		rc = -EOPNOTSUPP;
	vcmdq_put_object(&viommu->obj);
	return rc;
}

/*
 * The doorbell.  The engine, going idle, arms it: every PTE of the control
 * region becomes read-only or absent.  The guest's first write after that
 * (PROD, normally) faults into vcmdq_ctrl_fault(), which makes the PTE
 * writable, disarms the doorbell and kicks the engine.  While the engine is
 * busy the PTEs stay writable and nothing traps: one fault per burst, none
 * per command.  Reads fault once after an arming (the PTE is gone) and get a
 * read-only PTE; they do not wake the engine.
 *
 * No lost wake-up, and no lock on the fault path (a fault must not wait for
 * an arming's TLB shootdown): arming stores @db_armed, full barrier, then
 * zaps, taking each PTE's lock.  A fault makes a PTE writable only in
 * vcmdq_ctrl_fault(), under that PTE's lock, and only then (full barrier)
 * takes @db_armed back with an xchg, kicking the engine if it was set.  The
 * PTE locks order the two: if the zap came first, the xchg sees the arming
 * and kicks; if the insertion came first, the zap removes the PTE (its TLB
 * flush ends every write through it).  A write that got in before the zap
 * is in memory when the zap returns: the engine's full barrier and re-scan
 * of PROD after arming (vcmdq_engine_thread()) see it.  A kick the write has
 * not followed yet (the fault kicks before the write is retried) makes the
 * engine pass again; should it arm again before the retry, the retry
 * faults and kicks again.
 *
 * The core never makes a PTE writable for us: a write to a read-only PTE
 * (left by a read while armed) reaches vcmdq_ctrl_pfn_mkwrite(), which
 * zaps the PTE and has the write retried into vcmdq_ctrl_fault().  Letting
 * the core upgrade it after a disarm in pfn_mkwrite, as write-notify
 * drivers do, loses wake-ups: the core upgrades the PTE if it still holds
 * the value the fault saw, and an arming that zapped it in between, then a
 * read that faulted the same read-only PTE back in, leave exactly that
 * value.  The PTE would become writable with the doorbell armed, and no
 * write through it would ever wake the engine (seen in the doorbell storm
 * test; fast.doorbell_mkwrite_aba pins that interleaving down).
 */

/* After a PTE was made writable: take the doorbell back, kick if it was armed. */
static void vcmdq_ctrl_disarm(struct vcmdq_viommu *viommu, bool write)
{
	smp_mb();	/* the PTE's insertion before the xchg; pairs with arming */
	if (!atomic_xchg(&viommu->db_armed, 0))
		return;
	if (write)
		vcmdq_count(viommu->inst, VCMDQ_CNT_DOORBELL_WAKEUPS, 1);
	vcmdq_engine_kick(&viommu->inst->engine);
}

/**
 * vcmdq_viommu_arm_doorbell() - make the next write to a control region
 *	wake the engine
 * @viommu: a vIOMMU with a control region
 *
 * Context: the engine thread (may sleep: the zap takes the mapping's
 * i_mmap_rwsem).  A no-op while already armed: nothing made a PTE writable
 * since, or it would have disarmed.
 * Return: whether it armed (false: it already was).
 */
bool vcmdq_viommu_arm_doorbell(struct vcmdq_viommu *viommu)
{
	struct address_space *mapping;

	if (atomic_read(&viommu->db_armed))
		return false;
	atomic_set(&viommu->db_armed, 1);
	smp_mb();	/* the flag before the zap; pairs with vcmdq_ctrl_disarm() */
	mutex_lock(&viommu->db_lock);
	mapping = viommu->mapping;
	mutex_unlock(&viommu->db_lock);
	/*
	 * No mapping yet: nothing to zap.  One made after our read of
	 * @mapping has no PTE yet and faults like any other.
	 */
	if (mapping)
		unmap_mapping_range(mapping,
				    (loff_t)viommu->cookie << VCMDQ_CTRL_SHIFT,
				    VCMDQ_CTRL_SIZE, 1);
	return true;
}

/*
 * A missing PTE (first touch, or zapped by an arming).  A write fault is
 * handled here in full (the core calls no pfn_mkwrite after a .fault that
 * returns VM_FAULT_NOPAGE): a writable PTE, then disarm.  A read inserts
 * one writable when the doorbell is not armed and the VMA is writable
 * (saving a second fault; should an arming race with it, disarming kicks
 * the engine for nothing), read-only otherwise.  vm_page_prot is read-only
 * (vma_wants_writenotify(): we have pfn_mkwrite), so the writable protection
 * is computed from the VMA's flags.
 */
static vm_fault_t vcmdq_ctrl_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct vcmdq_viommu *viommu = vma->vm_private_data;
	bool write = vmf->flags & FAULT_FLAG_WRITE;
	bool writable = write || ((vma->vm_flags & VM_WRITE) &&
				  !atomic_read(&viommu->db_armed));
	vm_fault_t ret;

	if (vmf->pgoff - vma->vm_pgoff >= VCMDQ_CTRL_SIZE >> PAGE_SHIFT)
		return VM_FAULT_SIGBUS;
	ret = vmf_insert_pfn_prot(vma, vmf->address,
				  page_to_pfn(viommu->ctrl_pages) +
					  vmf->pgoff - vma->vm_pgoff,
				  writable ? vm_get_page_prot(vma->vm_flags) :
					     vma->vm_page_prot);
	if (writable)
		vcmdq_ctrl_disarm(viommu, write);
	return ret;
}

/*
 * A write to a present read-only PTE.  Zap it and have the write retried:
 * it then faults into vcmdq_ctrl_fault(), the one place a PTE becomes
 * writable (why: the doorbell's comment above).  That costs a second fault
 * only when the guest read the region before writing it after an arming.
 * The zap takes the mapping's i_mmap_rwsem under the fault's mmap or VMA
 * lock, the order truncation and the arming's zap use too.
 */
static vm_fault_t vcmdq_ctrl_pfn_mkwrite(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;

	unmap_mapping_range(vma->vm_file->f_mapping,
			    (loff_t)vmf->pgoff << PAGE_SHIFT, PAGE_SIZE, 1);
	/* Test builds: where fast.doorbell_mkwrite_aba holds the write. */
	vcmdq_test_fault_gate(vma->vm_private_data);
	return VM_FAULT_NOPAGE;
}

/*
 * A mapping of the control region holds a user of the vIOMMU, so DESTROY
 * fails with EBUSY until the last munmap; the VMA also holds the file, so
 * close cannot free the vIOMMU under it.  open() runs for copies (fork,
 * split), close() for each VMA that goes away.
 */
static void vcmdq_ctrl_vm_open(struct vm_area_struct *vma)
{
	struct vcmdq_viommu *viommu = vma->vm_private_data;

	refcount_inc(&viommu->obj.users);
}

static void vcmdq_ctrl_vm_close(struct vm_area_struct *vma)
{
	struct vcmdq_viommu *viommu = vma->vm_private_data;

	vcmdq_put_object(&viommu->obj);
}

static const struct vm_operations_struct vcmdq_ctrl_vm_ops = {
	.open = vcmdq_ctrl_vm_open,
	.close = vcmdq_ctrl_vm_close,
	.fault = vcmdq_ctrl_fault,
	.pfn_mkwrite = vcmdq_ctrl_pfn_mkwrite,
};

/*
 * The vIOMMU of @ctx whose control region has @cookie, held; or
 * ERR_PTR(-ENXIO).  The ID read under the cookies' lock names the vIOMMU as
 * long as it is in the table; the per-file lookup then checks ownership and
 * takes the reference, and the cookie check catches a vIOMMU destroyed (and
 * its ID reused) in between.
 */
static struct vcmdq_viommu *vcmdq_get_viommu_by_cookie(struct vcmdq_ctx *ctx,
							u64 cookie)
{
	struct vcmdq_viommu *viommu;
	u32 id = 0;

	if (!cookie || cookie > VCMDQ_CTRL_COOKIE_MAX)
		return ERR_PTR(-ENXIO);
	xa_lock(&vcmdq_ctrl_cookies);
	viommu = xa_load(&vcmdq_ctrl_cookies, cookie);
	if (viommu)
		id = viommu->obj.id;
	xa_unlock(&vcmdq_ctrl_cookies);
	if (!id)
		return ERR_PTR(-ENXIO);
	viommu = vcmdq_get_viommu(ctx, id);
	if (IS_ERR(viommu))
		return ERR_PTR(-ENXIO);
	if (viommu->cookie != cookie) {
		vcmdq_put_object(&viommu->obj);
		return ERR_PTR(-ENXIO);
	}
	return viommu;
}

/**
 * vcmdq_viommu_mmap() - map a vIOMMU's control region
 * @ctx: the file's context: only its own vIOMMUs can be named
 * @vma: the mapping; its offset is the cookie VIOMMU_ALLOC returned
 *
 * The mapping is fault-driven (PTEs inserted on demand) so the doorbell can
 * take write access away and get it back per PTE.
 *
 * Return: 0; -EINVAL without MAP_SHARED; -EPERM with PROT_EXEC; -ENXIO for
 * anything but the exact offset and length of a control region of @ctx.
 */
int vcmdq_viommu_mmap(struct vcmdq_ctx *ctx, struct vm_area_struct *vma)
{
	unsigned long length = vma->vm_end - vma->vm_start;
	u64 offset = (u64)vma->vm_pgoff << PAGE_SHIFT;
	struct vcmdq_viommu *viommu;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (vma->vm_flags & VM_EXEC)
		return -EPERM;
	if (length != VCMDQ_CTRL_SIZE ||
	    offset & ((1ULL << VCMDQ_CTRL_SHIFT) - 1) ||
	    offset >> VCMDQ_CTRL_SHIFT > U32_MAX)
		return -ENXIO;
	viommu = vcmdq_get_viommu_by_cookie(ctx, offset >> VCMDQ_CTRL_SHIFT);
	if (IS_ERR(viommu))
		return -ENXIO;

	/* Never executable, not even after an mprotect(). */
	vcmdq_vm_flags_clear(vma, VM_MAYEXEC);
	/* What remap_pfn_range() set, which the mapping used to be. */
	vcmdq_vm_flags_set(vma, VM_PFNMAP | VM_IO | VM_DONTCOPY |
				VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_private_data = viommu;
	vma->vm_ops = &vcmdq_ctrl_vm_ops;
	/*
	 * Every mmap of @viommu goes through its own file (the cookie lookup
	 * is per file), hence one address_space: the one an arming zaps.
	 */
	mutex_lock(&viommu->db_lock);
	viommu->mapping = vma->vm_file->f_mapping;
	mutex_unlock(&viommu->db_lock);
	/* The lookup's reference becomes the mapping's. */
	return 0;
}
