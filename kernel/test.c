// SPDX-License-Identifier: GPL-2.0
/*
 * VCMDQ_TEST: populate and inspect an instance's cache model, so selftests
 * can assert exactly what an invalidation removed and what it left.  Built
 * only into test modules (make VCMDQ_TEST=1, which `make check` uses); the
 * production module answers ENOTTY.
 */
#include "vcmdq_private.h"
#include "vcmdq_test.h"

/* The ENGINE ops: the calling file holds, steps and releases an engine. */
static int vcmdq_test_engine(struct vcmdq_ucmd *ucmd,
			     struct vcmdq_instance *inst)
{
	struct vcmdq_test *cmd = ucmd->cmd;
	unsigned int done = 0;
	int rc;

	if (!vcmdq_instance_has_queues(inst))
		return -EINVAL;
	switch (cmd->op) {
	case VCMDQ_TEST_ENGINE_HOLD:
		rc = vcmdq_engine_test_hold(&inst->engine, ucmd->ctx, true);
		if (rc)
			return rc;
		cmd->out_count = vcmdq_engine_budget();
		return vcmdq_ucmd_respond(ucmd, sizeof(*cmd));
	case VCMDQ_TEST_ENGINE_PASS:
		rc = vcmdq_engine_test_pass(&inst->engine, ucmd->ctx, &done);
		if (rc)
			return rc;
		cmd->out_count = done;
		return vcmdq_ucmd_respond(ucmd, sizeof(*cmd));
	case VCMDQ_TEST_ENGINE_ARM:
		return vcmdq_engine_test_arm(&inst->engine, ucmd->ctx);
	default:
		return vcmdq_engine_test_hold(&inst->engine, ucmd->ctx, false);
	}
}

/*
 * The fault gate: stops one doorbell fault inside the module, so a test can
 * run an arming and a read in the window between the fault's zap and the
 * write's retry (fast.doorbell_mkwrite_aba), with no timing involved.
 *
 * @gate_inst and @gate_owner: the gate set (NULL: none); @gate_taken: a
 * fault took it; @gate_busy: that fault has not left yet (a new gate, which
 * re-initializes the completions, waits for that).
 */
static DEFINE_SPINLOCK(vcmdq_gate_lock);
static struct vcmdq_instance *vcmdq_gate_inst;
static const void *vcmdq_gate_owner;
static bool vcmdq_gate_taken, vcmdq_gate_busy;
static DECLARE_COMPLETION(vcmdq_gate_entered);
static DECLARE_COMPLETION(vcmdq_gate_opened);

/* The longest a fault stays at the gate if the test never opens it. */
#define VCMDQ_GATE_HOLD_MAX (10 * HZ)
#define VCMDQ_GATE_WAIT_MAX (5 * HZ)

/**
 * vcmdq_test_fault_gate() - a doorbell fault passes the test's gate
 * @viommu: the faulting region's vIOMMU
 *
 * Context: a page fault (the mmap or VMA lock held); may sleep.  The first
 * fault on the gate's instance stops here until the test opens the gate.
 */
void vcmdq_test_fault_gate(struct vcmdq_viommu *viommu)
{
	spin_lock(&vcmdq_gate_lock);
	if (vcmdq_gate_inst != viommu->inst || vcmdq_gate_taken) {
		spin_unlock(&vcmdq_gate_lock);
		return;
	}
	vcmdq_gate_taken = vcmdq_gate_busy = true;
	spin_unlock(&vcmdq_gate_lock);
	complete(&vcmdq_gate_entered);
	wait_for_completion_killable_timeout(&vcmdq_gate_opened,
					     VCMDQ_GATE_HOLD_MAX);
	spin_lock(&vcmdq_gate_lock);
	vcmdq_gate_busy = false;
	spin_unlock(&vcmdq_gate_lock);
}

/* Remove @owner's gate, letting its fault (if any) go on. */
static int vcmdq_test_gate_open(const void *owner)
{
	int rc = 0;

	spin_lock(&vcmdq_gate_lock);
	if (!vcmdq_gate_inst || vcmdq_gate_owner != owner) {
		rc = -EINVAL;
	} else {
		vcmdq_gate_inst = NULL;
		vcmdq_gate_owner = NULL;
		complete_all(&vcmdq_gate_opened);
	}
	spin_unlock(&vcmdq_gate_lock);
	return rc;
}

static int vcmdq_test_gate(struct vcmdq_ucmd *ucmd,
			   struct vcmdq_instance *inst)
{
	struct vcmdq_test *cmd = ucmd->cmd;
	long left;
	int rc = 0;

	if (!vcmdq_instance_has_queues(inst))
		return -EINVAL;
	switch (cmd->op) {
	case VCMDQ_TEST_FAULT_GATE:
		spin_lock(&vcmdq_gate_lock);
		if (vcmdq_gate_inst || vcmdq_gate_busy) {
			rc = -EBUSY;
		} else {
			reinit_completion(&vcmdq_gate_entered);
			reinit_completion(&vcmdq_gate_opened);
			vcmdq_gate_taken = false;
			vcmdq_gate_owner = ucmd->ctx;
			vcmdq_gate_inst = inst;
		}
		spin_unlock(&vcmdq_gate_lock);
		return rc;
	case VCMDQ_TEST_FAULT_GATE_WAIT:
		spin_lock(&vcmdq_gate_lock);
		if (vcmdq_gate_inst != inst || vcmdq_gate_owner != ucmd->ctx)
			rc = -EINVAL;
		spin_unlock(&vcmdq_gate_lock);
		if (rc)
			return rc;
		left = wait_for_completion_interruptible_timeout(
			&vcmdq_gate_entered, VCMDQ_GATE_WAIT_MAX);
		if (left < 0)
			return left;
		return left ? 0 : -ETIMEDOUT;
	default:
		return vcmdq_test_gate_open(ucmd->ctx);
	}
}

/**
 * vcmdq_test_release() - a file closes: release the engines it holds
 * @ctx: the file's context
 */
void vcmdq_test_release(struct vcmdq_ctx *ctx)
{
	unsigned int id;

	for (id = 1; id <= vcmdq_instances_count(); id++) {
		struct vcmdq_instance *inst = vcmdq_instance_get(id);

		if (vcmdq_instance_has_queues(inst))
			vcmdq_engine_test_hold(&inst->engine, ctx, false);
	}
	vcmdq_test_gate_open(ctx);
}

int vcmdq_test_ioctl(struct vcmdq_ucmd *ucmd)
{
	const u32 known_flags = VCMDQ_TEST_LEAF | VCMDQ_TEST_ANY_ASID |
				VCMDQ_TEST_ANY_PASID | VCMDQ_TEST_ANY_SSID;
	struct vcmdq_test *cmd = ucmd->cmd;
	struct vcmdq_instance *inst;
	struct vcmdq_iotlb_key ikey = {
		.tag = cmd->tag,
		.asid = cmd->asid,
		.pasid = cmd->pasid,
		.any_asid = cmd->flags & VCMDQ_TEST_ANY_ASID,
		.any_pasid = cmd->flags & VCMDQ_TEST_ANY_PASID,
		.leaf_only = cmd->flags & VCMDQ_TEST_LEAF,
		.start = cmd->start,
		.last = cmd->last,
	};
	struct vcmdq_atc_key akey = {
		.sid = cmd->sid,
		.ssid = cmd->ssid,
		.any_ssid = cmd->flags & VCMDQ_TEST_ANY_SSID,
		.start = cmd->start,
		.last = cmd->last,
	};

	if (cmd->flags & ~known_flags)
		return -EOPNOTSUPP;
	inst = vcmdq_instance_get(cmd->instance_id);
	if (!inst)
		return -ENOENT;
	if (cmd->last < cmd->start)
		return -EINVAL;

	switch (cmd->op) {
	case VCMDQ_TEST_IOTLB_ADD:
		return vcmdq_tlb_add_iotlb(&inst->tlb, cmd->tag, cmd->asid,
					   cmd->pasid, cmd->start, cmd->last,
					   cmd->flags & VCMDQ_TEST_LEAF);
	case VCMDQ_TEST_ATC_ADD:
		return vcmdq_tlb_add_atc(&inst->tlb, cmd->sid, cmd->ssid,
					 cmd->start, cmd->last);
	case VCMDQ_TEST_IOTLB_COUNT:
		cmd->out_count = vcmdq_tlb_count_iotlb(&inst->tlb, &ikey);
		return vcmdq_ucmd_respond(ucmd, sizeof(*cmd));
	case VCMDQ_TEST_ATC_COUNT:
		cmd->out_count = vcmdq_tlb_count_atc(&inst->tlb, &akey);
		return vcmdq_ucmd_respond(ucmd, sizeof(*cmd));
	case VCMDQ_TEST_ENGINE_HOLD:
	case VCMDQ_TEST_ENGINE_PASS:
	case VCMDQ_TEST_ENGINE_RELEASE:
	case VCMDQ_TEST_ENGINE_ARM:
		return vcmdq_test_engine(ucmd, inst);
	case VCMDQ_TEST_FAULT_GATE:
	case VCMDQ_TEST_FAULT_GATE_WAIT:
	case VCMDQ_TEST_FAULT_GATE_OPEN:
		return vcmdq_test_gate(ucmd, inst);
	default:
		return -EOPNOTSUPP;
	}
}
