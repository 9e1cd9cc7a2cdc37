// SPDX-License-Identifier: GPL-2.0
/*
 * VCMDQ_TEST: populate and inspect an instance's cache model, so selftests
 * can assert exactly what an invalidation removed and what it left.  Built
 * only into test modules (make VCMDQ_TEST=1, which `make check` uses); the
 * production module answers ENOTTY.
 */
#include "vcmdq_private.h"
#include "vcmdq_test.h"

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
	default:
		return -EOPNOTSUPP;
	}
}
