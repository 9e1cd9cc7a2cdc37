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
 * CQE's res.  On io_uring's non-blocking first attempt (IO_URING_F_NONBLOCK)
 * a page fault or a contended lock before the batch ran returns -EAGAIN, and
 * io_uring retries the whole request from a worker that may block.  After
 * the batch ran, -EAGAIN is never returned: the retry would execute every
 * entry again, completion stores included.  A fault writing entry_num back
 * then finishes the request in the submitting task instead
 * (io_uring_cmd_complete_in_task()), where the write may fault in.
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

/*
 * What a deferred completion needs, kept in the command's pdu (free for the
 * driver's use between ->uring_cmd returning -EIOCBQUEUED and
 * io_uring_cmd_done()).
 */
struct vcmdq_uring_pdu {
	u32 __user *entry_num_uptr;
	u32 entry_num;
	int rc;
};

static struct vcmdq_uring_pdu *vcmdq_uring_pdu(struct io_uring_cmd *ioucmd)
{
	static_assert(sizeof(struct vcmdq_uring_pdu) <=
		      sizeof_field(struct io_uring_cmd, pdu));
	return (struct vcmdq_uring_pdu *)ioucmd->pdu;
}

/*
 * Task work of the submitting task: the batch has executed, only entry_num
 * is left to write back, and here it may fault.  Never re-runs anything.
 */
static void vcmdq_uring_writeback(struct io_uring_cmd *ioucmd,
				  unsigned int issue_flags)
{
	struct vcmdq_uring_pdu *pdu = vcmdq_uring_pdu(ioucmd);
	int wb = put_user(pdu->entry_num, pdu->entry_num_uptr);

	/* As the ioctl: an unwritable count is EFAULT, whatever else failed. */
	vcmdq_uring_cmd_done(ioucmd, wb ? wb : pdu->rc, issue_flags);
}
VCMDQ_URING_TASK_WORK(vcmdq_uring_writeback_tw, vcmdq_uring_writeback)

int vcmdq_uring_cmd(struct io_uring_cmd *ioucmd, unsigned int issue_flags)
{
	const struct vcmdq_uring_cmd *payload =
		vcmdq_uring_cmd_payload(ioucmd, struct vcmdq_uring_cmd);
	bool nonblock = issue_flags & IO_URING_F_NONBLOCK;
	struct vcmdq_invalidate cmd;
	u32 __user *entry_num_uptr;
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
	/* Non-blocking, -EAGAIN means nothing ran (see vcmdq_invalidate()). */
	if (rc == -EAGAIN && nonblock)
		return rc;

	/* As the ioctl: entry_num goes back, on error too. */
	entry_num_uptr = ureq + offsetof(struct vcmdq_invalidate, entry_num);
	if (nonblock)
		pagefault_disable();
	wb = put_user(cmd.entry_num, entry_num_uptr);
	if (nonblock) {
		pagefault_enable();
		if (wb) {
			struct vcmdq_uring_pdu *pdu = vcmdq_uring_pdu(ioucmd);

			pdu->entry_num_uptr = entry_num_uptr;
			pdu->entry_num = cmd.entry_num;
			pdu->rc = rc;
			io_uring_cmd_complete_in_task(ioucmd,
						      vcmdq_uring_writeback_tw);
			return -EIOCBQUEUED;
		}
	}
	/* As the ioctl: an unwritable count is EFAULT, whatever else failed. */
	return wb ? wb : rc;
}
