// SPDX-License-Identifier: GPL-2.0
/*
 * io_uring front end of the slow path: IORING_OP_URING_CMD on a /dev/vcmdq
 * file, cmd_op VCMDQ_INVALIDATE, the SQE's command area holding a struct
 * vcmdq_uring_cmd that points at a struct vcmdq_invalidate.  The request is
 * read, checked and executed by the same code as the ioctl, so both paths
 * give the same results; a VMM with an io_uring already (for its disks and
 * network) batches invalidations there without a separate syscall.
 *
 * Completion is synchronous: the return value of ->uring_cmd becomes the
 * CQE's res.  On io_uring's non-blocking first attempt a page fault or a
 * contended lock returns -EAGAIN, and io_uring retries from a worker that
 * may block.
 */
#include <linux/uaccess.h>

#include "vcmdq_private.h"

/*
 * Copy the request in with the ioctl path's routine, so both apply one size
 * rule.  Non-blocking: with page faults disabled, a fault means "try again
 * where you may sleep".
 */
static int vcmdq_uring_fetch(struct vcmdq_invalidate *cmd,
			     void __user *ureq, u32 *user_size, bool nonblock)
{
	const size_t min_size = offsetofend(struct vcmdq_invalidate, data_uptr);
	int rc;

	if (nonblock)
		pagefault_disable();
	rc = vcmdq_copy_struct_from_user(cmd, sizeof(*cmd), min_size, ureq,
					 user_size);
	if (nonblock) {
		pagefault_enable();
		if (rc == -EFAULT)
			rc = -EAGAIN;
	}
	return rc;
}

int vcmdq_uring_cmd(struct io_uring_cmd *ioucmd, unsigned int issue_flags)
{
	const struct vcmdq_uring_cmd *payload = vcmdq_uring_cmd_payload(ioucmd);
	bool nonblock = issue_flags & IO_URING_F_NONBLOCK;
	struct vcmdq_invalidate cmd;
	void __user *ureq;
	u32 user_size;
	int rc, wb;

	if (ioucmd->cmd_op != VCMDQ_INVALIDATE)
		return -EOPNOTSUPP;
	/* The SQE is shared with userspace: read each field once. */
	if (READ_ONCE(payload->__reserved))
		return -EOPNOTSUPP;
	ureq = u64_to_user_ptr(READ_ONCE(payload->req_uptr));

	rc = vcmdq_uring_fetch(&cmd, ureq, &user_size, nonblock);
	if (rc)
		return rc;
	rc = vcmdq_invalidate(ioucmd->file->private_data, &cmd, nonblock);
	if (rc == -EAGAIN && nonblock)
		return rc;

	/* As the ioctl: entry_num goes back, on error too. */
	if (nonblock)
		pagefault_disable();
	wb = put_user(cmd.entry_num, (u32 __user *)(ureq +
			offsetof(struct vcmdq_invalidate, entry_num)));
	if (nonblock) {
		pagefault_enable();
		/* Rerunning the batch is harmless (see vcmdq_invalidate()). */
		if (wb)
			return -EAGAIN;
	}
	/* As the ioctl: an unwritable count is EFAULT, whatever else failed. */
	return wb ? wb : rc;
}
