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
	default:
		return vcmdq_engine_test_hold(&inst->engine, ucmd->ctx, false);
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
		return vcmdq_test_engine(ucmd, inst);
	default:
		return -EOPNOTSUPP;
	}
}
