// SPDX-License-Identifier: GPL-2.0
/*
 * vIOMMUs: a VM's slice of one host IOMMU instance.
 *
 * A vIOMMU joins an S2 (the VM's memory) to an instance and owns a host tag of
 * that instance.  Every command the VM issues through the vIOMMU runs under
 * that tag, which is what keeps one VM's invalidations away from another's
 * cache entries.  A VM has at most one vIOMMU per (S2, instance).
 */
#include "vcmdq_private.h"

int vcmdq_viommu_alloc_ioctl(struct vcmdq_ucmd *ucmd)
{
	struct vcmdq_viommu_alloc *cmd = ucmd->cmd;
	struct vcmdq_instance *inst;
	struct vcmdq_viommu *viommu, *other;
	struct vcmdq_object *s2_obj;
	struct vcmdq_s2 *s2;
	int rc;

	if (cmd->flags)
		return -EOPNOTSUPP;
	inst = vcmdq_instance_get(cmd->instance_id);
	if (!inst)
		return -ENOENT;
	s2_obj = vcmdq_get_object(ucmd->ctx, cmd->s2_id, VCMDQ_OBJ_S2);
	if (IS_ERR(s2_obj))
		return PTR_ERR(s2_obj);
	s2 = container_of(s2_obj, struct vcmdq_s2, obj);

	viommu = vcmdq_object_alloc(ucmd->ctx, viommu, VCMDQ_OBJ_VIOMMU);
	if (IS_ERR(viommu)) {
		rc = PTR_ERR(viommu);
		goto out_put_s2;
	}

	/* Under s2->lock so two racing allocs cannot both pass the check. */
	mutex_lock(&s2->lock);
	list_for_each_entry(other, &s2->viommus, s2_node) {
		if (other->inst == inst) {
			rc = -EEXIST;
			goto err_unlock;
		}
	}
	rc = vcmdq_instance_claim(inst, &viommu->tag, &viommu->slot);
	if (rc)
		goto err_unlock;
	viommu->inst = inst;
	viommu->s2 = s2;
	list_add_tail(&viommu->s2_node, &s2->viommus);
	mutex_unlock(&s2->lock);
	/*
	 * The long-term hold on the S2, dropped by vcmdq_viommu_destroy(): it
	 * makes DESTROY of the S2 fail with EBUSY while this vIOMMU lives.
	 */
	refcount_inc(&s2->obj.users);

	cmd->out_viommu_id = viommu->obj.id;
	cmd->out_tag = viommu->tag;
	rc = vcmdq_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc) {
		vcmdq_object_abort_and_destroy(ucmd->ctx, &viommu->obj);
		goto out_put_s2;
	}
	vcmdq_object_finalize(ucmd->ctx, &viommu->obj);
	vcmdq_put_object(s2_obj);
	return 0;

err_unlock:
	mutex_unlock(&s2->lock);
	vcmdq_object_abort(ucmd->ctx, &viommu->obj);
out_put_s2:
	vcmdq_put_object(s2_obj);
	return rc;
}

void vcmdq_viommu_destroy(struct vcmdq_object *obj)
{
	struct vcmdq_viommu *viommu =
		container_of(obj, struct vcmdq_viommu, obj);
	struct vcmdq_s2 *s2 = viommu->s2;

	mutex_lock(&s2->lock);
	list_del(&viommu->s2_node);
	mutex_unlock(&s2->lock);
	vcmdq_instance_release(viommu->inst, viommu->tag, viommu->slot);
	refcount_dec(&s2->obj.users);
}
