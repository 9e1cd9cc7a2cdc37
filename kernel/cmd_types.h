/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few kernel types and bit helpers the command decoders use, so that
 * cmd_smmuv3.c, cmd_amd.c and cmd_vtd.c build unchanged in the module and in
 * userspace (unit tests, fuzzing, sanitizers).  Inside the kernel this is
 * just the real headers; outside it is a minimal, equivalent shim.  Nothing
 * here may pull in anything else from libc: the decoders must stay valid
 * kernel C.
 */
#ifndef _VCMDQ_CMD_TYPES_H
#define _VCMDQ_CMD_TYPES_H

#ifdef __KERNEL__

#include <linux/bitfield.h>
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/types.h>

#else /* !__KERNEL__ */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#define BIT_ULL(nr)		(1ULL << (nr))
#ifndef __always_inline		/* glibc's <sys/cdefs.h> has one */
#define __always_inline		inline __attribute__((__always_inline__))
#endif
#define GENMASK_ULL(h, l)	((~0ULL << (l)) & (~0ULL >> (63 - (h))))

/*
 * Like the kernel's, but without its compile-time checks; the masks used
 * with these are all GENMASK_ULL()/BIT_ULL() constants.
 */
#define FIELD_GET(mask, reg)						\
	((__typeof__(mask))(((reg) & (mask)) >> __builtin_ctzll(mask)))
#define FIELD_PREP(mask, val)						\
	((__typeof__(mask))(((u64)(val) << __builtin_ctzll(mask)) & (mask)))

#endif /* __KERNEL__ */

/*
 * Number of trailing one bits of @x, 64 when @x is all ones.  The AMD-Vi and
 * PCIe ATS "S" size encodings are defined by the first zero bit of an
 * address; the builtin is the same one the kernel's __ffs64() uses.
 */
static inline unsigned int vcmdq_cto64(u64 x)
{
	return ~x ? (unsigned int)__builtin_ctzll(~x) : 64;
}

#endif /* _VCMDQ_CMD_TYPES_H */
