/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vcmdq's test hook: NOT part of the ABI.
 *
 * Shared by the module's test build (kernel/test.c, only with
 * `make VCMDQ_TEST=y`) and the selftests, as iommufd keeps iommufd_test.h
 * out of uapi.  It may change in any way at any time; a module built without
 * test support answers VCMDQ_TEST with ENOTTY.
 */
#ifndef _VCMDQ_TEST_H
#define _VCMDQ_TEST_H

#include <linux/types.h>
#include <linux/vcmdq.h>

/**
 * enum vcmdq_test_op - what VCMDQ_TEST does
 * @VCMDQ_TEST_OP_DEFAULT: reserved
 * @VCMDQ_TEST_IOTLB_ADD: insert an IOTLB entry {tag, asid, pasid,
 *	[start, last], leaf} into the instance's cache model
 * @VCMDQ_TEST_ATC_ADD: insert an ATC entry {sid, ssid, [start, last]}
 * @VCMDQ_TEST_IOTLB_COUNT: count the IOTLB entries matching {tag, asid
 *	unless %VCMDQ_TEST_ANY_ASID, pasid unless %VCMDQ_TEST_ANY_PASID,
 *	overlapping [start, last], leaf entries only with %VCMDQ_TEST_LEAF}
 * @VCMDQ_TEST_ATC_COUNT: count the ATC entries matching {sid, ssid unless
 *	%VCMDQ_TEST_ANY_SSID, overlapping [start, last]}
 * @VCMDQ_TEST_ENGINE_HOLD: hold the instance's engine for the calling file:
 *	its thread makes no pass until %VCMDQ_TEST_ENGINE_RELEASE or the
 *	file's close.  Returns once no pass is in flight; out_count is the
 *	budget of one vIOMMU in one pass (entries)
 * @VCMDQ_TEST_ENGINE_PASS: make one engine pass on the calling thread, as
 *	the engine's thread does, over every vIOMMU with queues on the
 *	instance (the caller must hold the engine); out_count is the number
 *	of entries consumed
 * @VCMDQ_TEST_ENGINE_RELEASE: let the engine's thread run again
 * @VCMDQ_TEST_ENGINE_ARM: arm the doorbells and set NEED_WAKEUP of every
 *	vIOMMU with queues on the instance, as the engine's thread does going
 *	idle (the caller must hold the engine)
 * @VCMDQ_TEST_FAULT_GATE: set the fault gate on the instance: the next
 *	write to a read-only PTE of one of its control regions stops in the
 *	module (after its zap: vcmdq_ctrl_pfn_mkwrite()) until
 *	%VCMDQ_TEST_FAULT_GATE_OPEN, the file's close, or 10 s.  One gate in
 *	the module at a time
 * @VCMDQ_TEST_FAULT_GATE_WAIT: wait (up to 5 s) until a fault stops at the
 *	gate this file set
 * @VCMDQ_TEST_FAULT_GATE_OPEN: let the fault at the gate go on (if one came)
 *	and remove the gate
 */
enum vcmdq_test_op {
	VCMDQ_TEST_OP_DEFAULT = 0,
	VCMDQ_TEST_IOTLB_ADD = 1,
	VCMDQ_TEST_ATC_ADD = 2,
	VCMDQ_TEST_IOTLB_COUNT = 3,
	VCMDQ_TEST_ATC_COUNT = 4,
	VCMDQ_TEST_ENGINE_HOLD = 16,
	VCMDQ_TEST_ENGINE_PASS = 17,
	VCMDQ_TEST_ENGINE_RELEASE = 18,
	VCMDQ_TEST_ENGINE_ARM = 19,
	VCMDQ_TEST_FAULT_GATE = 20,
	VCMDQ_TEST_FAULT_GATE_WAIT = 21,
	VCMDQ_TEST_FAULT_GATE_OPEN = 22,
};

/**
 * enum vcmdq_test_flags - &vcmdq_test.flags
 * @VCMDQ_TEST_LEAF: the entry is (or only count entries that are) leaf
 * @VCMDQ_TEST_ANY_ASID: count entries of every asid
 * @VCMDQ_TEST_ANY_PASID: count entries of every pasid
 * @VCMDQ_TEST_ANY_SSID: count entries of every ssid
 */
enum vcmdq_test_flags {
	VCMDQ_TEST_LEAF = 1 << 0,
	VCMDQ_TEST_ANY_ASID = 1 << 1,
	VCMDQ_TEST_ANY_PASID = 1 << 2,
	VCMDQ_TEST_ANY_SSID = 1 << 3,
};

/**
 * struct vcmdq_test - ioctl(VCMDQ_TEST), only in test builds
 * @size: sizeof(struct vcmdq_test)
 * @op: enum vcmdq_test_op
 * @instance_id: the instance whose cache model to use
 * @flags: enum vcmdq_test_flags
 * @tag: host tag of an IOTLB entry (a vIOMMU's out_tag)
 * @asid: guest address space of an IOTLB entry (ASID, DomainID, DID)
 * @pasid: PASID of an IOTLB entry
 * @sid: physical StreamID / DeviceID of an ATC entry
 * @ssid: substream ID / PASID of an ATC entry
 * @out_count: the count, for the COUNT ops
 * @start: first byte of the entry or of the range counted
 * @last: last byte, at least @start
 *
 * Populate and inspect an emulated instance's IOTLB and ATC models, so tests
 * can assert what an invalidation removed and what it left.
 *
 * Errors: EOPNOTSUPP unknown @op or @flags; ENOENT unknown @instance_id;
 * EINVAL @last below @start; ENOSPC the model is full.  The ENGINE ops:
 * EINVAL the instance has no queues (no engine), or PASS/RELEASE/ARM by a
 * file that does not hold the engine; EBUSY another file holds it.  The
 * FAULT_GATE ops: EINVAL the instance has no queues; EBUSY a gate is set,
 * or a fault is still leaving the last one; EINVAL WAIT or OPEN by a file
 * that did not set the gate; ETIMEDOUT no fault came to it in time.
 */
struct vcmdq_test {
	__u32 size;
	__u32 op;
	__u32 instance_id;
	__u32 flags;
	__u32 tag;
	__u32 asid;
	__u32 pasid;
	__u32 sid;
	__u32 ssid;
	__u32 out_count;
	__aligned_u64 start;
	__aligned_u64 last;
};

/* Far from the ABI's commands, so appending those never collides. */
#define VCMDQ_CMD_TEST (VCMDQ_CMD_BASE + 0x30)
#define VCMDQ_TEST _IO(VCMDQ_TYPE, VCMDQ_CMD_TEST)

#endif /* _VCMDQ_TEST_H */
