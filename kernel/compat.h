/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place for kernel-version differences.  Every other file calls the
 * wrappers here and never tests LINUX_VERSION_CODE itself, so supporting a
 * new kernel is a change to this file alone.
 *
 * Supported: Linux 6.1 (Debian bookworm) and 6.12 (bookworm-backports),
 * both built and tested by make check.
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
 * API to <linux/io_uring/cmd.h>.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
#include <linux/io_uring/cmd.h>
#else
#include <linux/io_uring.h>
#endif

static inline const void *vcmdq_uring_cmd_payload(struct io_uring_cmd *ioucmd)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
	return io_uring_sqe_cmd(ioucmd->sqe);
#else
	return ioucmd->cmd;
#endif
}

#endif /* _VCMDQ_COMPAT_H */
