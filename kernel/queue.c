// SPDX-License-Identifier: GPL-2.0
/*
 * Fast path queues: a command queue in guest memory bound to a logical queue
 * of a vIOMMU's control region, consumed by the instance's engine.
 *
 * This is what the hypervisor does when the guest writes a VCMDQ's BASE
 * register (trapped, in VINTF page1): check and pin the memory, then hand
 * the engine the queue.  The guest enables it itself through page0.
 */
#include <linux/log2.h>

#include "vcmdq_private.h"

#define VCMDQ_QUEUE_MIN_LENGTH 32
#define VCMDQ_CMD_SIZE 16

static int vcmdq_queue_check(const struct vcmdq_instance *inst,
			     const struct vcmdq_queue_alloc *cmd)
{
	u64 last;

	if (cmd->flags || cmd->__reserved)
		return -EOPNOTSUPP;
	if (!vcmdq_instance_has_queues(inst))
		return -EOPNOTSUPP;
	if (cmd->index >= inst->info.queues_per_viommu)
		return -EINVAL;
	if (cmd->length < VCMDQ_QUEUE_MIN_LENGTH ||
	    cmd->length > (u64)VCMDQ_CMD_SIZE << inst->info.max_queue_log2size ||
	    !is_power_of_2(cmd->length))
		return -EINVAL;
	if (check_add_overflow(cmd->gpa, cmd->length - 1, &last))
		return -EOVERFLOW;
	/* The hardware's BASE register holds ADDR aligned to the size. */
	if (cmd->gpa & (cmd->length - 1))
		return -EINVAL;
	return 0;
}

int vcmdq_queue_alloc_ioctl(struct vcmdq_ucmd *ucmd)
{
	struct vcmdq_queue_alloc *cmd = ucmd->cmd;
	struct vcmdq_engine *engine;
	struct vcmdq_viommu *viommu;
	struct vcmdq_object *obj;
	struct vcmdq_queue *q;
	int rc;

	obj = vcmdq_get_object(ucmd->ctx, cmd->viommu_id, VCMDQ_OBJ_VIOMMU);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	viommu = container_of(obj, struct vcmdq_viommu, obj);
	rc = vcmdq_queue_check(viommu->inst, cmd);
	if (rc)
		goto out_put;

	q = vcmdq_object_alloc(ucmd->ctx, q, VCMDQ_OBJ_QUEUE);
	if (IS_ERR(q)) {
		rc = PTR_ERR(q);
		goto out_put;
	}
	q->viommu = viommu;
	q->index = cmd->index;
	q->gpa = cmd->gpa;
	q->length = cmd->length;
	q->log2size = ilog2(cmd->length / VCMDQ_CMD_SIZE);
	q->regs = viommu->ctrl + cmd->index * VCMDQ_CTRL_QUEUE_STRIDE;
	INIT_LIST_HEAD(&q->engine_node);

	/*
	 * queue_lock makes the index rules atomic with taking the slot: the
	 * hardware maps logical queues in ascending order only.
	 */
	mutex_lock(&viommu->queue_lock);
	if (viommu->queues[cmd->index]) {
		rc = -EEXIST;
		goto err_unlock;
	}
	if (cmd->index && !viommu->queues[cmd->index - 1]) {
		rc = -EIO;
		goto err_unlock;
	}
	rc = vcmdq_s2_hold_range(viommu->s2, cmd->gpa, cmd->length, &q->base);
	if (rc)
		goto err_unlock;
	if (cmd->index) {
		/* Destroy goes in descending order: n holds n - 1. */
		q->prev = viommu->queues[cmd->index - 1];
		refcount_inc(&q->prev->obj.users);
	}
	viommu->queues[cmd->index] = q;
	mutex_unlock(&viommu->queue_lock);
	/* The queue holds its vIOMMU; the lookup's reference becomes that. */
	obj = NULL;

	cmd->out_queue_id = q->obj.id;
	rc = vcmdq_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc) {
		vcmdq_object_abort_and_destroy(ucmd->ctx, &q->obj);
		return rc;
	}

	/* Hand it to the engine last: from here the guest can enable it. */
	engine = &viommu->inst->engine;
	mutex_lock(&engine->lock);
	list_add_tail(&q->engine_node, &engine->queues);
	mutex_unlock(&engine->lock);
	vcmdq_object_finalize(ucmd->ctx, &q->obj);
	vcmdq_engine_kick(viommu->inst);
	return 0;

err_unlock:
	mutex_unlock(&viommu->queue_lock);
	vcmdq_object_abort(ucmd->ctx, &q->obj);
out_put:
	if (obj)
		vcmdq_put_object(obj);
	return rc;
}

void vcmdq_queue_destroy(struct vcmdq_object *obj)
{
	struct vcmdq_queue *q = container_of(obj, struct vcmdq_queue, obj);
	struct vcmdq_viommu *viommu = q->viommu;
	struct vcmdq_engine *engine = &viommu->inst->engine;
	u32 *regs = q->regs;
	unsigned int i;

	/*
	 * After this the engine never looks at the queue again: it holds
	 * engine->lock for a whole pass.  list_del_init() so an aborted
	 * queue, never added, is fine too.
	 */
	mutex_lock(&engine->lock);
	list_del_init(&q->engine_node);
	mutex_unlock(&engine->lock);

	/*
	 * Reset the slot as the hypervisor does on the hardware (CONFIG,
	 * PROD, CONS, GERROR...), so the next queue bound here starts clean.
	 */
	for (i = 0; i < VCMDQ_CTRL_QUEUE_STRIDE / sizeof(u32); i++)
		WRITE_ONCE(regs[i], 0);

	vcmdq_s2_release_range(viommu->s2, q->gpa, q->length);
	mutex_lock(&viommu->queue_lock);
	viommu->queues[q->index] = NULL;
	mutex_unlock(&viommu->queue_lock);
	if (q->prev)
		vcmdq_put_object(&q->prev->obj);
	vcmdq_put_object(&viommu->obj);
}
