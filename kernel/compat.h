/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place for kernel-version differences.  Every other file calls the
 * wrappers here and never tests LINUX_VERSION_CODE itself, so supporting a
 * new kernel is a change to this file alone.
 *
 * Supported: Linux 6.1 (Debian bookworm) up to 6.12 (bookworm-backports).
 */
#ifndef _VCMDQ_COMPAT_H
#define _VCMDQ_COMPAT_H

#include <linux/version.h>
#include <linux/mm.h>

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

#endif /* _VCMDQ_COMPAT_H */
