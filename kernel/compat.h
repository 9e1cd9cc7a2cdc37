/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place for kernel-version differences.  Every other file calls the
 * wrappers here and never tests LINUX_VERSION_CODE itself, so supporting a
 * new kernel is a change to this file alone.
 *
 * Supported: Linux 6.1 (Debian bookworm), 6.12 (bookworm-backports) and
 * 7.3 (built from trixie-backports' linux-source-7.3), each built and
 * tested by make check.
 */
#ifndef _VCMDQ_COMPAT_H
#define _VCMDQ_COMPAT_H

#include <linux/version.h>
#include <linux/mm.h>

/* 6.12 moved the unaligned accessors out of asm/ (commit 5f60d5f6bbc1). */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#error "vcmdq needs Linux 6.1 or later"
#endif

/*
 * 6.3 made vma->vm_flags read-only and added vm_flags_set() (commit
 * bc292ab00f6c); before it the flags were written directly.
 */
static inline void vcmdq_vm_flags_set(struct vm_area_struct *vma,
				      unsigned long flags)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

static inline void vcmdq_vm_flags_clear(struct vm_area_struct *vma,
					unsigned long flags)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_clear(vma, flags);
#else
	vma->vm_flags &= ~flags;
#endif
}

/*
 * The io_uring command API: 6.4 made struct io_uring_cmd carry the whole SQE
 * and added io_uring_sqe_cmd() (commit fd9b8547bc5c); 6.7 moved the driver
 * API to <linux/io_uring/cmd.h>.  By 7.x io_uring_sqe_cmd() takes the
 * payload's type (and checks it fits the SQE), io_uring_cmd_done() lost its
 * res2 argument (io_uring_cmd_done32() has it), and task work callbacks get
 * a struct io_tw_req.  6.1, 6.12 and 7.3 are built and tested by make
 * check; the 7.0 boundary is where Debian's kernels jump, kernels between
 * 6.13 and 6.19 are not supported.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
#include <linux/io_uring/cmd.h>
#else
#include <linux/io_uring.h>
#endif

#define vcmdq_uring_cmd_payload(ioucmd, type)				\
	__vcmdq_uring_cmd_payload(ioucmd, type)
#if LINUX_VERSION_CODE >= KERNEL_VERSION(7, 0, 0)
#define __vcmdq_uring_cmd_payload(ioucmd, type)				\
	io_uring_sqe_cmd((ioucmd)->sqe, type)
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define __vcmdq_uring_cmd_payload(ioucmd, type)				\
	((const type *)io_uring_sqe_cmd((ioucmd)->sqe))
#else
#define __vcmdq_uring_cmd_payload(ioucmd, type)				\
	((const type *)(ioucmd)->cmd)
#endif

static inline void vcmdq_uring_cmd_done(struct io_uring_cmd *ioucmd, int ret,
					unsigned int issue_flags)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(7, 0, 0)
	io_uring_cmd_done(ioucmd, ret, issue_flags);
#else
	io_uring_cmd_done(ioucmd, ret, 0, issue_flags);
#endif
}

/*
 * VCMDQ_URING_TASK_WORK(name, fn): a task work callback @name, for
 * io_uring_cmd_complete_in_task(), that calls
 * void fn(struct io_uring_cmd *, unsigned int issue_flags).
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(7, 0, 0)
#define VCMDQ_URING_TASK_WORK(name, fn)					\
static void name(struct io_tw_req tw_req, io_tw_token_t tw)		\
{									\
	fn(io_uring_cmd_from_tw(tw_req), IO_URING_CMD_TASK_WORK_ISSUE_FLAGS); \
}
#else
#define VCMDQ_URING_TASK_WORK(name, fn)					\
static void name(struct io_uring_cmd *ioucmd, unsigned int issue_flags) \
{									\
	fn(ioucmd, issue_flags);					\
}
#endif

/*
 * /sys/class/iommu/ivhdN/amd-iommu/features: 6.1 prints "EFR2:EFR" (the
 * unit's own registers); 6.7 made the EFR global and prints "EFR:EFR2",
 * as 6.12 and 7.3 do.  Which of the two numbers is the EFR.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
#define VCMDQ_AMD_FEATURES_EFR_FIELD 0
#else
#define VCMDQ_AMD_FEATURES_EFR_FIELD 1
#endif

#endif /* _VCMDQ_COMPAT_H */
