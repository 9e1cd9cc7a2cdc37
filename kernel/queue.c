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
#include <linux/nospec.h>

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
	struct vcmdq_viommu *viommu;
	struct vcmdq_queue *q;
	u32 index;
	int rc;

	q = vcmdq_object_alloc_ucmd(ucmd, q, VCMDQ_OBJ_QUEUE);
	if (IS_ERR(q))
		return PTR_ERR(q);
	INIT_LIST_HEAD(&q->engine_node);

	/* The lookup's reference becomes the queue's hold on its vIOMMU. */
	viommu = vcmdq_get_viommu(ucmd->ctx, cmd->viommu_id);
	if (IS_ERR(viommu))
		return PTR_ERR(viommu);
	q->viommu = viommu;
	rc = vcmdq_queue_check(viommu->inst, cmd);
	if (rc)
		return rc;
	/* Checked against queues_per_viommu: no speculation past the arrays. */
	index = array_index_nospec(cmd->index, ARRAY_SIZE(viommu->queues));
	q->index = index;
	q->gpa = cmd->gpa;
	q->length = cmd->length;
	q->log2size = ilog2(cmd->length / VCMDQ_CMD_SIZE);

	/*
	 * queue_lock makes the index rules atomic with claiming the index: the
	 * hardware maps logical queues in ascending order only.  The claim
	 * keeps a second QUEUE_ALLOC of @index out; the queue enters
	 * queues[] only in vcmdq_queue_publish(), so nobody can take it as
	 * its previous queue while this call may still fail.
	 */
	mutex_lock(&viommu->queue_lock);
	if (viommu->claimed_queues & BIT(index)) {
		mutex_unlock(&viommu->queue_lock);
		return -EEXIST;
	}
	if (index) {
		struct vcmdq_queue *prev = viommu->queues[index - 1];

		/*
		 * Destroy goes in descending order: n holds n - 1.  A DESTROY
		 * of n - 1 that already dropped its last user still has it in
		 * queues[] until its vcmdq_queue_destroy() takes queue_lock:
		 * then the DESTROY won, and n - 1 is as good as gone.
		 */
		if (!prev || !vcmdq_object_tryget(&prev->obj)) {
			mutex_unlock(&viommu->queue_lock);
			return -EIO;
		}
		q->prev = prev;
	}
	viommu->claimed_queues |= BIT(index);
	q->regs = viommu->ctrl + index * VCMDQ_CTRL_QUEUE_STRIDE;
	mutex_unlock(&viommu->queue_lock);

	/* The emulated engine reads through a kernel mapping (see info). */
	rc = vcmdq_s2_hold_range(viommu->s2, cmd->gpa, cmd->length,
				 !vcmdq_instance_queue_noncontig(viommu->inst),
				 &q->base);
	if (rc)
		return rc;

	cmd->out_queue_id = q->obj.id;
	return vcmdq_ucmd_respond(ucmd, sizeof(*cmd));
}

/*
 * The reply reached userspace: bind the queue.  Hand it to the engine last:
 * from there the guest can enable it.
 */
void vcmdq_queue_publish(struct vcmdq_object *obj)
{
	struct vcmdq_queue *q = container_of(obj, struct vcmdq_queue, obj);
	struct vcmdq_viommu *viommu = q->viommu;
	unsigned int i;

	/*
	 * The hardware ignores writes to a logical queue that is not mapped,
	 * but the control region is the VMM's (and the guest's) memory all
	 * along: whatever was written to this slot before the queue existed
	 * (a stray GERRORN, PROD, CONFIG.EN) must not carry into it.  The
	 * queue starts from its reset state, as after DESTROY; the engine
	 * does not see it before vcmdq_engine_add_queue() below.
	 */
	for (i = 0; i < VCMDQ_CTRL_QUEUE_STRIDE / sizeof(u32); i++)
		WRITE_ONCE(q->regs[i], 0);

	mutex_lock(&viommu->queue_lock);
	viommu->queues[q->index] = q;
	mutex_unlock(&viommu->queue_lock);
	vcmdq_engine_add_queue(&viommu->inst->engine, q);
}

/* Also undoes a QUEUE_ALLOC that failed at any step. */
void vcmdq_queue_destroy(struct vcmdq_object *obj)
{
	struct vcmdq_queue *q = container_of(obj, struct vcmdq_queue, obj);
	struct vcmdq_viommu *viommu = q->viommu;
	unsigned int i;

	if (!viommu)
		return;
	if (q->regs) {
		/*
		 * Unbind first, so nothing reaches the queue any more: after
		 * this no QUEUE_ALLOC finds it and the engine never looks at
		 * it again (it holds its lock for a whole pass).
		 */
		mutex_lock(&viommu->queue_lock);
		if (viommu->queues[q->index] == q)
			viommu->queues[q->index] = NULL;
		mutex_unlock(&viommu->queue_lock);
		vcmdq_engine_remove_queue(&viommu->inst->engine, q);

		/*
		 * Reset the slot as the hypervisor does on the hardware
		 * (CONFIG, PROD, CONS, GERROR...), so the next queue bound
		 * here starts clean; only then give the index up.
		 */
		for (i = 0; i < VCMDQ_CTRL_QUEUE_STRIDE / sizeof(u32); i++)
			WRITE_ONCE(q->regs[i], 0);
	}
	if (q->base)
		vcmdq_s2_release_range(viommu->s2, q->gpa, q->length, q->base);
	if (q->regs) {
		mutex_lock(&viommu->queue_lock);
		viommu->claimed_queues &= ~BIT(q->index);
		mutex_unlock(&viommu->queue_lock);
	}
	if (q->prev)
		vcmdq_put_object(&q->prev->obj);
	vcmdq_put_object(&viommu->obj);
}
