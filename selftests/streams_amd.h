/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AMD-Vi command buffer entries of a real Linux 6.1 guest (Debian
 * 6.1.0-57-amd64), for replay through VCMDQ_INVALIDATE.  Each entry is the
 * 16-byte command as two little-endian qwords (word 0 in bits 31:0 of the
 * first), in the order the guest queued them.
 *
 * How they were captured: tools/vm/run with QEMU 7.2 (TCG, q35, no vcmdq
 * module), "--kmod vfio-pci --kmod e1000e", an edu device at 00:04.0, an
 * e1000e at 00:05.0, "iommu.strict=1", and
 *   --qemu-arg -device --qemu-arg amd-iommu,intremap=on
 *   --qemu-arg -monitor --qemu-arg unix:SOCK,server=on,wait=off
 * QEMU's AMD-Vi trace events decode commands rather than print them, so the
 * guest's command buffer (512 entries here) was read through the monitor:
 * "xp /3gx 0xfed80000" gives its base (MMIO offset 0x08), "xp /2gx
 * 0xfed82000" the head and tail (equal: all executed), "xp /1024gx BASE" the
 * ring, which was linearized from the head (the oldest entry).
 *
 * COMPLETION_WAIT stores go to the guest's semaphore at GPA 0x11b8000: a
 * replay maps that page in its S2.  INVALIDATE_ALL needs
 * VCMDQ_INSTANCE_CAP_AMD_INV_ALL.
 */
#ifndef _VCMDQ_STREAMS_AMD_H
#define _VCMDQ_STREAMS_AMD_H

#include <linux/types.h>

/*
 * Just after boot: device table and interrupt remapping set-up, the IOAPIC
 * (DeviceID 0x00a0) included.  1 all, 39 completion wait, 8 devtab, 258 iommu pages, 206 irt.
 */
static const __u64 amd_stream_boot[][2] = {
	{ 0x500000000000004a, 0x0000000000000000 },	/* irt */
	{ 0x500000000000004b, 0x0000000000000000 },	/* irt */
	{ 0x500000000000004c, 0x0000000000000000 },	/* irt */
	{ 0x500000000000004d, 0x0000000000000000 },	/* irt */
	{ 0x500000000000004e, 0x0000000000000000 },	/* irt */
	{ 0x500000000000004f, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000050, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000051, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000052, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000053, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000054, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000055, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000056, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000057, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000058, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000059, 0x0000000000000000 },	/* irt */
	{ 0x500000000000005a, 0x0000000000000000 },	/* irt */
	{ 0x500000000000005b, 0x0000000000000000 },	/* irt */
	{ 0x500000000000005c, 0x0000000000000000 },	/* irt */
	{ 0x500000000000005d, 0x0000000000000000 },	/* irt */
	{ 0x500000000000005e, 0x0000000000000000 },	/* irt */
	{ 0x500000000000005f, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000060, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000061, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000062, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000063, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000064, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000065, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000066, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000067, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000068, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000069, 0x0000000000000000 },	/* irt */
	{ 0x500000000000006a, 0x0000000000000000 },	/* irt */
	{ 0x500000000000006b, 0x0000000000000000 },	/* irt */
	{ 0x500000000000006c, 0x0000000000000000 },	/* irt */
	{ 0x500000000000006d, 0x0000000000000000 },	/* irt */
	{ 0x500000000000006e, 0x0000000000000000 },	/* irt */
	{ 0x500000000000006f, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000070, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000071, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000072, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000073, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000074, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000075, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000076, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000077, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000078, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000079, 0x0000000000000000 },	/* irt */
	{ 0x500000000000007a, 0x0000000000000000 },	/* irt */
	{ 0x500000000000007b, 0x0000000000000000 },	/* irt */
	{ 0x500000000000007c, 0x0000000000000000 },	/* irt */
	{ 0x500000000000007d, 0x0000000000000000 },	/* irt */
	{ 0x500000000000007e, 0x0000000000000000 },	/* irt */
	{ 0x500000000000007f, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000080, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000081, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000082, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000083, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000084, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000085, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000086, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000087, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000088, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000089, 0x0000000000000000 },	/* irt */
	{ 0x500000000000008a, 0x0000000000000000 },	/* irt */
	{ 0x500000000000008b, 0x0000000000000000 },	/* irt */
	{ 0x500000000000008c, 0x0000000000000000 },	/* irt */
	{ 0x500000000000008d, 0x0000000000000000 },	/* irt */
	{ 0x500000000000008e, 0x0000000000000000 },	/* irt */
	{ 0x500000000000008f, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000090, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000091, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000092, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000093, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000094, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000095, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000096, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000097, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000098, 0x0000000000000000 },	/* irt */
	{ 0x5000000000000099, 0x0000000000000000 },	/* irt */
	{ 0x500000000000009a, 0x0000000000000000 },	/* irt */
	{ 0x500000000000009b, 0x0000000000000000 },	/* irt */
	{ 0x500000000000009c, 0x0000000000000000 },	/* irt */
	{ 0x500000000000009d, 0x0000000000000000 },	/* irt */
	{ 0x500000000000009e, 0x0000000000000000 },	/* irt */
	{ 0x500000000000009f, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000a0, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000a1, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000a2, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000a3, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000a4, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000a5, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000a6, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000a7, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000a8, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000a9, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000aa, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000ab, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000ac, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000ad, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000ae, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000af, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000b0, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000b1, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000b2, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000b3, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000b4, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000b5, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000b6, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000b7, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000b8, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000b9, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000ba, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000bb, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000bc, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000bd, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000be, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000bf, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000c0, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000c1, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000c2, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000c3, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000c4, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000c5, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000c6, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000c7, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000c8, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000c9, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000ca, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000cb, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000cc, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000cd, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000ce, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000cf, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000d0, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000d1, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000d2, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000d3, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000d4, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000d5, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000d6, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000d7, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000d8, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000d9, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000da, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000db, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000dc, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000dd, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000de, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000df, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000e0, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000e1, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000e2, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000e3, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000e4, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000e5, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000e6, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000e7, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000e8, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000e9, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000ea, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000eb, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000ec, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000ed, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000ee, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000ef, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000f0, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000f1, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000f2, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000f3, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000f4, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000f5, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000f6, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000f7, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000f8, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000f9, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000fa, 0x0000000000000000 },	/* irt */
	{ 0x50000000000000fb, 0x0000000000000000 },	/* irt */
	{ 0x10000000011b8001, 0x0000000000000002 },	/* completion wait */
	{ 0x3000000000000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000000100000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000000200000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000000300000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000000400000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000000500000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000000600000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000000700000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000000800000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000000900000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000000a00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000000b00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000000c00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000000d00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000000e00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000000f00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000001000000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000001100000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000001200000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000001300000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000001400000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000001500000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000001600000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000001700000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000001800000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000001900000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000001a00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000001b00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000001c00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000001d00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000001e00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000001f00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000002000000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000002100000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000002200000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000002300000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000002400000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000002500000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000002600000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000002700000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000002800000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000002900000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000002a00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000002b00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000002c00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000002d00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000002e00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000002f00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000003000000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000003100000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000003200000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000003300000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000003400000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000003500000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000003600000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000003700000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000003800000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000003900000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000003a00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000003b00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000003c00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000003d00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000003e00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000003f00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000004000000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000004100000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000004200000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000004300000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000004400000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000004500000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000004600000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000004700000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000004800000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000004900000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000004a00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000004b00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000004c00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000004d00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000004e00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000004f00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000005000000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000005100000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000005200000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000005300000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000005400000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000005500000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000005600000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000005700000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000005800000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000005900000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000005a00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000005b00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000005c00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000005d00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000005e00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000005f00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000006000000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000006100000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000006200000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000006300000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000006400000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000006500000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000006600000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000006700000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000006800000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000006900000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000006a00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000006b00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000006c00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000006d00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000006e00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000006f00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000007000000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000007100000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000007200000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000007300000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000007400000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000007500000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000007600000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000007700000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000007800000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000007900000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000007a00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000007b00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000007c00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000007d00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000007e00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000007f00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000008000000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000008100000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000008200000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000008300000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000008400000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000008500000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000008600000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000008700000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000008800000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000008900000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000008a00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000008b00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000008c00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000008d00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000008e00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000008f00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000009000000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000009100000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000009200000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000009300000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000009400000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000009500000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000009600000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000009700000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000009800000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000009900000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000009a00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000009b00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000009c00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000009d00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000009e00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x3000009f00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000a000000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000a100000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000a200000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000a300000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000a400000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000a500000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000a600000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000a700000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000a800000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000a900000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000aa00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000ab00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000ac00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000ad00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000ae00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000af00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000b000000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000b100000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000b200000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000b300000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000b400000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000b500000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000b600000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000b700000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000b800000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000b900000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000ba00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000bb00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000bc00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000bd00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000be00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000bf00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000c000000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000c100000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000c200000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000c300000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000c400000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000c500000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000c600000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000c700000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000c800000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000c900000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000ca00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000cb00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000cc00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000cd00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000ce00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000cf00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000d000000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000d100000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000d200000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000d300000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000d400000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000d500000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000d600000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000d700000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000d800000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000d900000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000da00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000db00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000dc00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000dd00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000de00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000df00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000e000000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000e100000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000e200000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000e300000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000e400000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000e500000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000e600000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000e700000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000e800000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000e900000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000ea00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000eb00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000ec00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000ed00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000ee00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000ef00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000f000000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000f100000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000f200000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000f300000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000f400000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000f500000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000f600000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000f700000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000f800000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000f900000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000fa00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x300000fb00000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000003 },	/* completion wait */
	{ 0x20000000000000a0, 0x0000000000000000 },	/* devtab */
	{ 0x10000000011b8001, 0x0000000000000004 },	/* completion wait */
	{ 0x50000000000000a0, 0x0000000000000000 },	/* irt */
	{ 0x10000000011b8001, 0x0000000000000005 },	/* completion wait */
	{ 0x50000000000000a0, 0x0000000000000000 },	/* irt */
	{ 0x10000000011b8001, 0x0000000000000006 },	/* completion wait */
	{ 0x50000000000000a0, 0x0000000000000000 },	/* irt */
	{ 0x10000000011b8001, 0x0000000000000007 },	/* completion wait */
	{ 0x50000000000000a0, 0x0000000000000000 },	/* irt */
	{ 0x10000000011b8001, 0x0000000000000008 },	/* completion wait */
	{ 0x50000000000000a0, 0x0000000000000000 },	/* irt */
	{ 0x10000000011b8001, 0x0000000000000009 },	/* completion wait */
	{ 0x50000000000000a0, 0x0000000000000000 },	/* irt */
	{ 0x10000000011b8001, 0x000000000000000a },	/* completion wait */
	{ 0x2000000000000000, 0x0000000000000000 },	/* devtab */
	{ 0x3000000100000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000000b },	/* completion wait */
	{ 0x2000000000000020, 0x0000000000000000 },	/* devtab */
	{ 0x3000000200000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000000c },	/* completion wait */
	{ 0x2000000000000028, 0x0000000000000000 },	/* devtab */
	{ 0x3000000300000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000000d },	/* completion wait */
	{ 0x20000000000000f8, 0x0000000000000000 },	/* devtab */
	{ 0x3000000400000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000000e },	/* completion wait */
	{ 0x20000000000000fa, 0x0000000000000000 },	/* devtab */
	{ 0x3000000400000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000000f },	/* completion wait */
	{ 0x20000000000000fb, 0x0000000000000000 },	/* devtab */
	{ 0x3000000400000000, 0x7ffffffffffff003 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000010 },	/* completion wait */
	{ 0x8000000000000000, 0x0000000000000000 },	/* all */
	{ 0x10000000011b8001, 0x0000000000000011 },	/* completion wait */
	{ 0x50000000000000a0, 0x0000000000000000 },	/* irt */
	{ 0x10000000011b8001, 0x0000000000000012 },	/* completion wait */
	{ 0x50000000000000a0, 0x0000000000000000 },	/* irt */
	{ 0x10000000011b8001, 0x0000000000000013 },	/* completion wait */
	{ 0x50000000000000a0, 0x0000000000000000 },	/* irt */
	{ 0x10000000011b8001, 0x0000000000000014 },	/* completion wait */
	{ 0x50000000000000a0, 0x0000000000000000 },	/* irt */
	{ 0x10000000011b8001, 0x0000000000000015 },	/* completion wait */
	{ 0x50000000000000a0, 0x0000000000000000 },	/* irt */
	{ 0x10000000011b8001, 0x0000000000000016 },	/* completion wait */
	{ 0x50000000000000a0, 0x0000000000000000 },	/* irt */
	{ 0x10000000011b8001, 0x0000000000000017 },	/* completion wait */
	{ 0x50000000000000a0, 0x0000000000000000 },	/* irt */
	{ 0x10000000011b8001, 0x0000000000000018 },	/* completion wait */
	{ 0x50000000000000a0, 0x0000000000000000 },	/* irt */
	{ 0x10000000011b8001, 0x0000000000000019 },	/* completion wait */
	{ 0x50000000000000a0, 0x0000000000000000 },	/* irt */
	{ 0x10000000011b8001, 0x000000000000001a },	/* completion wait */
	{ 0x50000000000000a0, 0x0000000000000000 },	/* irt */
	{ 0x10000000011b8001, 0x000000000000001b },	/* completion wait */
	{ 0x50000000000000a0, 0x0000000000000000 },	/* irt */
	{ 0x10000000011b8001, 0x000000000000001c },	/* completion wait */
	{ 0x50000000000000a0, 0x0000000000000000 },	/* irt */
	{ 0x10000000011b8001, 0x000000000000001d },	/* completion wait */
	{ 0x50000000000000a0, 0x0000000000000000 },	/* irt */
	{ 0x10000000011b8001, 0x000000000000001e },	/* completion wait */
	{ 0x50000000000000a0, 0x0000000000000000 },	/* irt */
	{ 0x10000000011b8001, 0x000000000000001f },	/* completion wait */
	{ 0x50000000000000a0, 0x0000000000000000 },	/* irt */
	{ 0x10000000011b8001, 0x0000000000000020 },	/* completion wait */
	{ 0x50000000000000a0, 0x0000000000000000 },	/* irt */
	{ 0x10000000011b8001, 0x0000000000000021 },	/* completion wait */
	{ 0x2000000000000028, 0x0000000000000000 },	/* devtab */
	{ 0x10000000011b8001, 0x0000000000000022 },	/* completion wait */
	{ 0x5000000000000028, 0x0000000000000000 },	/* irt */
	{ 0x10000000011b8001, 0x0000000000000023 },	/* completion wait */
	{ 0x5000000000000028, 0x0000000000000000 },	/* irt */
	{ 0x10000000011b8001, 0x0000000000000024 },	/* completion wait */
	{ 0x5000000000000028, 0x0000000000000000 },	/* irt */
	{ 0x10000000011b8001, 0x0000000000000025 },	/* completion wait */
	{ 0x5000000000000028, 0x0000000000000000 },	/* irt */
	{ 0x10000000011b8001, 0x0000000000000026 },	/* completion wait */
	{ 0x5000000000000028, 0x0000000000000000 },	/* irt */
	{ 0x10000000011b8001, 0x0000000000000027 },	/* completion wait */
	{ 0x5000000000000028, 0x0000000000000000 },	/* irt */
	{ 0x10000000011b8001, 0x0000000000000028 },	/* completion wait */
};

/*
 * After eth0 went up and down four times, the edu device was bound to
 * vfio-pci and e1000e was reloaded: DMA unmaps and the MSI set-up of the
 * NIC (DeviceID 0x0028).  256 completion wait, 253 iommu pages, 3 irt.
 */
static const __u64 amd_stream_nic[][2] = {
	{ 0x3000000300000000, 0x00000000fff05002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000076b },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff06002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000076c },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff07002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000076d },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff08002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000076e },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff09002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000076f },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff0a002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000770 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff0b002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000771 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff0c002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000772 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff0d002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000773 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff0e002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000774 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff0f002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000775 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff10002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000776 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff11002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000777 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff12002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000778 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff13002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000779 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff14002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000077a },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff15002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000077b },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff16002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000077c },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff17002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000077d },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff18002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000077e },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff19002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000077f },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff1a002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000780 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff1b002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000781 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff1c002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000782 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff1d002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000783 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff1e002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000784 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff1f002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000785 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff20002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000786 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff21002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000787 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff22002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000788 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff23002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000789 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff24002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000078a },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff25002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000078b },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff26002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000078c },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff27002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000078d },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff28002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000078e },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff29002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000078f },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff2a002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000790 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff2b002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000791 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff2c002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000792 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff2d002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000793 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff2e002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000794 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff2f002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000795 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff30002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000796 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff31002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000797 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff32002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000798 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff33002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000799 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff34002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000079a },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff35002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000079b },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff36002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000079c },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff37002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000079d },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff38002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000079e },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff39002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000079f },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff3a002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007a0 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff3b002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007a1 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff3c002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007a2 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff3d002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007a3 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff3e002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007a4 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff3f002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007a5 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff40002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007a6 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff41002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007a7 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff42002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007a8 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff43002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007a9 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff44002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007aa },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff45002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007ab },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff46002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007ac },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff47002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007ad },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff48002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007ae },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff49002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007af },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff4a002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007b0 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff4b002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007b1 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff4c002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007b2 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff4d002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007b3 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff4e002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007b4 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff4f002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007b5 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff50002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007b6 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff51002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007b7 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff52002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007b8 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff53002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007b9 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff54002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007ba },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff55002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007bb },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff56002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007bc },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff57002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007bd },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff58002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007be },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff59002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007bf },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff5a002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007c0 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff5b002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007c1 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff5c002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007c2 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff5d002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007c3 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff5e002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007c4 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff5f002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007c5 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff60002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007c6 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff61002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007c7 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff62002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007c8 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff63002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007c9 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff64002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007ca },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff65002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007cb },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff66002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007cc },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff67002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007cd },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff68002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007ce },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff69002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007cf },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff6a002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007d0 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff6b002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007d1 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff6c002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007d2 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff6d002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007d3 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff6e002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007d4 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff6f002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007d5 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff70002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007d6 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff71002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007d7 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff72002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007d8 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff73002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007d9 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff74002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007da },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff75002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007db },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff76002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007dc },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff77002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007dd },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff78002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007de },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff79002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007df },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff7a002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007e0 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff7b002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007e1 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff7c002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007e2 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffef9002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007e3 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffef8002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007e4 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffef7002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007e5 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffef6002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007e6 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffef5002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007e7 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffef4002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007e8 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffef3002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007e9 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffef2002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007ea },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffef1002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007eb },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffef0002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007ec },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffeef002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007ed },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffeee002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007ee },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffeed002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007ef },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffeec002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007f0 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffeeb002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007f1 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffeea002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007f2 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffee9002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007f3 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffee8002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007f4 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffee7002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007f5 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffee6002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007f6 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffee5002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007f7 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffee4002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007f8 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffee3002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007f9 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffee2002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007fa },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffee1002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007fb },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffee0002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007fc },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffedf002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007fd },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffede002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007fe },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffedd002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x00000000000007ff },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffedc002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000800 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffedb002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000801 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffeda002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000802 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffed9002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000803 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffed8002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000804 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffed7002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000805 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffed6002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000806 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffed5002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000807 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffed4002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000808 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffed3002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000809 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffed2002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000080a },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffed1002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000080b },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffed0002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000080c },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffecf002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000080d },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffece002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000080e },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffecd002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000080f },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffecc002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000810 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffecb002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000811 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffeca002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000812 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffec9002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000813 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffec8002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000814 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffec7002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000815 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffec6002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000816 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffec5002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000817 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffec4002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000818 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffec3002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000819 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffec2002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000081a },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffec1002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000081b },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffec0002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000081c },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffebf002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000081d },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffebe002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000081e },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffebd002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000081f },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffebc002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000820 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffebb002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000821 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffeba002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000822 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffeb9002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000823 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffeb8002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000824 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffeb7002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000825 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffeb6002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000826 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffeb5002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000827 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffeb4002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000828 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffeb3002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000829 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffeb2002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000082a },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffeb1002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000082b },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffeb0002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000082c },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffeaf002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000082d },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffeae002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000082e },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffead002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000082f },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffeac002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000830 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffeab002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000831 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffeaa002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000832 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffea9002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000833 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffea8002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000834 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffea7002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000835 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffea6002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000836 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffea5002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000837 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffea4002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000838 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffea3002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000839 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffea2002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000083a },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffea1002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000083b },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffea0002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000083c },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffe9f002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000083d },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffe9e002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000083e },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffe9d002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000083f },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffe9c002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000840 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffe9b002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000841 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffe9a002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000842 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffe99002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000843 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffe98002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000844 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffe97002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000845 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffe96002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000846 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffe95002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000847 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffe94002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000848 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffe93002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000849 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffe92002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000084a },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffe91002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000084b },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffe90002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000084c },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffe8f002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000084d },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffe8e002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000084e },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffe8d002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000084f },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffe8c002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000850 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffe8b002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000851 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffe8a002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000852 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffe89002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000853 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffe88002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000854 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffe87002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000855 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffe86002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000856 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffe85002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000857 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffe84002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000858 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffe83002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000859 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffe82002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000085a },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffe81002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000085b },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffe80002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000085c },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffe7f002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000085d },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffe7e002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000085e },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffe7d002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000085f },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffefe002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000860 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffe79002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000861 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffe7a002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000862 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffe7b002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000863 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffe71002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000864 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffe70002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000865 },	/* completion wait */
	{ 0x5000000000000028, 0x0000000000000000 },	/* irt */
	{ 0x10000000011b8001, 0x0000000000000866 },	/* completion wait */
	{ 0x5000000000000028, 0x0000000000000000 },	/* irt */
	{ 0x10000000011b8001, 0x0000000000000867 },	/* completion wait */
	{ 0x5000000000000028, 0x0000000000000000 },	/* irt */
	{ 0x10000000011b8001, 0x0000000000000868 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000fff00002 },	/* iommu pages */
	{ 0x10000000011b8001, 0x0000000000000869 },	/* completion wait */
	{ 0x3000000300000000, 0x00000000ffe72003 },	/* iommu pages */
	{ 0x10000000011b8001, 0x000000000000086a },	/* completion wait */
};

#endif /* _VCMDQ_STREAMS_AMD_H */
