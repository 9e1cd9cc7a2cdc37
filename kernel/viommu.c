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

static int vcmdq_viommu_alloc_ctrl(struct vcmdq_viommu *viommu)
{
	viommu->ctrl_pages = alloc_pages(GFP_KERNEL_ACCOUNT | __GFP_ZERO,
					 get_order(VCMDQ_CTRL_SIZE));
	if (!viommu->ctrl_pages)
		return -ENOMEM;
	viommu->ctrl = page_address(viommu->ctrl_pages);
	return 0;
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
		cmd->out_mmap_offset = (u64)viommu->obj.id << VCMDQ_CTRL_SHIFT;
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
	if (viommu->ctrl_pages)
		__free_pages(viommu->ctrl_pages, get_order(VCMDQ_CTRL_SIZE));
	xa_destroy(&viommu->vdevs);
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
};

/**
 * vcmdq_viommu_mmap() - map a vIOMMU's control region
 * @ctx: the file's context: only its own vIOMMUs can be named
 * @vma: the mapping; its offset is the cookie VIOMMU_ALLOC returned
 *
 * Return: 0; -EINVAL without MAP_SHARED; -EPERM with PROT_EXEC; -ENXIO for
 * anything but the exact offset and length of a control region of @ctx.
 */
int vcmdq_viommu_mmap(struct vcmdq_ctx *ctx, struct vm_area_struct *vma)
{
	unsigned long length = vma->vm_end - vma->vm_start;
	u64 offset = (u64)vma->vm_pgoff << PAGE_SHIFT;
	struct vcmdq_viommu *viommu;
	int rc;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (vma->vm_flags & VM_EXEC)
		return -EPERM;
	if (length != VCMDQ_CTRL_SIZE ||
	    offset & ((1ULL << VCMDQ_CTRL_SHIFT) - 1) ||
	    offset >> VCMDQ_CTRL_SHIFT > U32_MAX)
		return -ENXIO;
	viommu = vcmdq_get_viommu(ctx, offset >> VCMDQ_CTRL_SHIFT);
	if (IS_ERR(viommu))
		return -ENXIO;
	if (!viommu->ctrl) {
		rc = -ENXIO;
		goto err_put;
	}

	/* Never executable, not even after an mprotect(). */
	vcmdq_vm_flags_clear(vma, VM_MAYEXEC);
	vcmdq_vm_flags_set(vma, VM_DONTCOPY | VM_DONTEXPAND | VM_DONTDUMP);
	rc = remap_pfn_range(vma, vma->vm_start,
			     page_to_pfn(viommu->ctrl_pages), length,
			     vma->vm_page_prot);
	if (rc)
		goto err_put;
	vma->vm_private_data = viommu;
	vma->vm_ops = &vcmdq_ctrl_vm_ops;
	/* The lookup's reference becomes the mapping's. */
	return 0;

err_put:
	vcmdq_put_object(&viommu->obj);
	return rc;
}
