// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the slow-path command decoders (kernel/cmd_*.c), run in
 * userspace under ASan/UBSan.
 *
 * Commands are built by small encoders written from the reference layouts
 * (and, for ranges, from the way Linux's drivers encode them), never from the
 * decoders' own masks, so a wrong mask in a decoder shows up as a failure
 * here.  Likewise the "defined bits" of each opcode used by the reserved-bit
 * sweeps are literal constants derived by hand from the same tables.
 *
 * Output is kselftest-style TAP; the last line is the kselftest totals line.
 * With "--corpus DIR", every command that decodes successfully is also
 * written to DIR as a seed for tests/fuzz/fuzz_decoders.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_smmuv3.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ */
/* TAP output                                                           */

static unsigned int t_num, t_pass, t_fail;

static void __attribute__((format(printf, 2, 3)))
tap(int ok, const char *fmt, ...)
{
	va_list ap;

	t_num++;
	if (ok)
		t_pass++;
	else
		t_fail++;
	printf("%sok %u ", ok ? "" : "not ", t_num);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* ------------------------------------------------------------------ */
/* Running a decoder                                                    */

enum dec { DEC_SMMUV3, DEC_AMD, DEC_VTD, DEC_VTD256 };

static const char *const dec_name[] = {
	[DEC_SMMUV3] = "smmuv3",
	[DEC_AMD] = "amd",
	[DEC_VTD] = "vtd",
	[DEC_VTD256] = "vtd256",
};

static const unsigned int dec_qwords[] = {
	[DEC_SMMUV3] = 2, [DEC_AMD] = 2, [DEC_VTD] = 2, [DEC_VTD256] = 4,
};

struct raw {
	u64 q[4];
};

static const char *corpus_dir;
static unsigned int corpus_n;

/* One fuzz seed: selector byte (see fuzz_decoders.c), then LE qwords. */
static void corpus_write(enum dec d, const struct raw *r)
{
	unsigned char buf[1 + 32];
	unsigned int i, n = dec_qwords[d];
	char path[4096];
	FILE *f;

	if (!corpus_dir)
		return;
	buf[0] = (unsigned char)d;
	for (i = 0; i < 8 * n; i++)
		buf[1 + i] = (unsigned char)(r->q[i / 8] >> (8 * (i % 8)));
	snprintf(path, sizeof(path), "%s/seed-%04u", corpus_dir, corpus_n++);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, 1 + 8 * n, f) != 1 + 8 * n) {
		perror(path);
		exit(2);
	}
	fclose(f);
}

/*
 * Decode from an exactly-sized heap copy, so ASan catches a decoder that
 * reads past the entry (e.g. qw2 of a 128-bit VT-d descriptor).
 */
static int decode(enum dec d, const struct raw *r, struct vcmdq_op *op)
{
	unsigned int n = dec_qwords[d];
	u64 *buf = malloc(n * sizeof(*buf));
	int ret = -1000;

	if (!buf)
		abort();
	memcpy(buf, r->q, n * sizeof(*buf));
	/* Poison: a decoder must set every field. */
	memset(op, 0xa5, sizeof(*op));
	switch (d) {
	case DEC_SMMUV3:
		ret = vcmdq_decode_smmuv3(buf, op);
		break;
	case DEC_AMD:
		ret = vcmdq_decode_amd(buf, op);
		break;
	case DEC_VTD:
	case DEC_VTD256:
		ret = vcmdq_decode_vtd(buf, n, op);
		break;
	}
	free(buf);
	if (ret == 0)
		corpus_write(d, r);
	return ret;
}

#define CMP(f)								\
	do {								\
		if ((u64)got->f != (u64)want->f) {			\
			printf("#   %-18s got 0x%llx want 0x%llx\n", #f,	\
			       (unsigned long long)got->f,		\
			       (unsigned long long)want->f);		\
			ok = 0;						\
		}							\
	} while (0)

static int op_eq(const struct vcmdq_op *got, const struct vcmdq_op *want)
{
	int ok = 1;

	CMP(kind);
	CMP(scope);
	CMP(opcode);
	CMP(asid);
	CMP(vdev);
	CMP(vdev_mask);
	CMP(pasid);
	CMP(pasid_valid);
	CMP(leaf);
	CMP(global);
	CMP(addr);
	CMP(size);
	CMP(wait.store);
	CMP(wait.irq);
	CMP(wait.fence);
	CMP(wait.store_size);
	CMP(wait.store_addr);
	CMP(wait.store_data);
	return ok;
}

struct dcase {
	const char *name;
	enum dec dec;
	struct raw raw;
	int ret;
	struct vcmdq_op want;	/* for ret == 0; all zero otherwise */
};

static int check_case(const struct dcase *c, enum dec d)
{
	static const struct vcmdq_op zero;
	struct vcmdq_op op;
	int ret, ok;

	ret = decode(d, &c->raw, &op);
	ok = ret == c->ret;
	if (!ok)
		printf("#   return %d, want %d\n", ret, c->ret);
	if (!op_eq(&op, c->ret ? &zero : &c->want))
		ok = 0;
	return ok;
}

static void run_cases(const struct dcase *cases, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct dcase *c = &cases[i];

		tap(check_case(c, c->dec), "%s %s", dec_name[c->dec], c->name);
		/* A 128-bit VT-d descriptor means the same in 256-bit form. */
		if (c->dec == DEC_VTD)
			tap(check_case(c, DEC_VTD256), "%s %s",
			    dec_name[DEC_VTD256], c->name);
	}
}

/*
 * Set each bit outside @defined, one at a time, on an otherwise valid
 * command: every one must be refused with -EIO.  The base must decode.
 */
static void sweep_reserved(enum dec d, const char *name, struct raw base,
			   const u64 *defined)
{
	unsigned int bit, nbits = 64 * dec_qwords[d], tried = 0;
	struct vcmdq_op op;
	int ok = 1, ret;

	ret = decode(d, &base, &op);
	if (ret) {
		printf("#   base command returns %d\n", ret);
		ok = 0;
	}
	for (bit = 0; bit < nbits; bit++) {
		struct raw r = base;
		u64 m = 1ULL << (bit % 64);

		if (defined[bit / 64] & m)
			continue;
		tried++;
		r.q[bit / 64] |= m;
		ret = decode(d, &r, &op);
		if (ret != -EIO) {
			printf("#   reserved bit %u: return %d, want %d\n", bit,
			       ret, -EIO);
			ok = 0;
		}
	}
	tap(ok, "%s %s: %u reserved bits refused", dec_name[d], name, tried);
}

static void expect_ret(enum dec d, const char *name, struct raw r, int want)
{
	struct vcmdq_op op;
	int ret = decode(d, &r, &op);

	if (ret != want)
		printf("#   return %d, want %d\n", ret, want);
	tap(ret == want, "%s %s", dec_name[d], name);
}

/* ------------------------------------------------------------------ */
/* SMMUv3                                                               */

enum {
	SMMU_CFGI_CD = 0x05, SMMU_CFGI_CD_ALL = 0x06,
	SMMU_NH_ALL = 0x10, SMMU_NH_ASID = 0x11, SMMU_NH_VA = 0x12,
	SMMU_NH_VAA = 0x13, SMMU_NSNH_ALL = 0x30, SMMU_ATC_INV = 0x40,
	SMMU_CMD_SYNC = 0x46,
};

static struct raw raw2(u64 q0, u64 q1)
{
	return (struct raw){ { q0, q1, 0, 0 } };
}

/*
 * cmd[0]: NUM 16:12, SCALE 24:20, VMID 47:32, ASID 63:48;
 * cmd[1]: Leaf 0, TTL 9:8, TG 11:10, VA 63:12.
 */
static struct raw smmu_tlbi(u64 op, u64 vmid, u64 asid, u64 num, u64 scale,
			    u64 leaf, u64 ttl, u64 tg, u64 va)
{
	return raw2(op | (num & 0x1f) << 12 | (scale & 0x1f) << 20 |
		    (vmid & 0xffff) << 32 | (asid & 0xffff) << 48,
		    (leaf & 1) | (ttl & 3) << 8 | (tg & 3) << 10 |
		    (va & ~0xfffULL));
}

/*
 * cmd[0]: Global 9, SSV 11, SSID 31:12, SID 63:32;
 * cmd[1]: Size 5:0, Address 63:12.
 */
static struct raw smmu_atc(u64 sid, u64 ssv, u64 ssid, u64 global, u64 size,
			   u64 addr)
{
	return raw2(SMMU_ATC_INV | (global & 1) << 9 | (ssv & 1) << 11 |
		    (ssid & 0xfffff) << 12 | (sid & 0xffffffff) << 32,
		    (size & 0x3f) | (addr & ~0xfffULL));
}

static struct raw smmu_cfgi_cd(u64 sid, u64 ssid, u64 leaf)
{
	return raw2(SMMU_CFGI_CD | (ssid & 0xfffff) << 12 | sid << 32,
		    leaf & 1);
}

/*
 * cmd[0]: CS 13:12, MSH 23:22, MSIAttr 27:24, MSIData 63:32;
 * cmd[1]: MSIAddr 51:2.
 */
static struct raw smmu_sync(u64 cs, u64 msh, u64 attr, u64 data, u64 addr)
{
	return raw2(SMMU_CMD_SYNC | (cs & 3) << 12 | (msh & 3) << 22 |
		    (attr & 0xf) << 24 | (data & 0xffffffff) << 32, addr);
}

#define TLB	.kind = VCMDQ_OP_TLB_INV
#define ATC	.kind = VCMDQ_OP_ATC_INV, .scope = VCMDQ_SCOPE_DEVICE
#define SYNC	.kind = VCMDQ_OP_SYNC
#define S_VM	.scope = VCMDQ_SCOPE_VM
#define S_ASID	.scope = VCMDQ_SCOPE_ASID
#define S_DEV	.scope = VCMDQ_SCOPE_DEVICE
#define K4	0x1000ULL

static void test_smmuv3_cases(void)
{
	const struct dcase cases[] = {
		{ "TLBI_NH_ALL", DEC_SMMUV3,
		  smmu_tlbi(SMMU_NH_ALL, 5, 0, 0, 0, 0, 0, 0, 0), 0,
		  { TLB, S_VM, .opcode = 0x10 } },
		{ "TLBI_NH_ALL guest VMID ignored", DEC_SMMUV3,
		  smmu_tlbi(SMMU_NH_ALL, 0xffff, 0, 0, 0, 0, 0, 0, 0), 0,
		  { TLB, S_VM, .opcode = 0x10 } },
		{ "TLBI_NSNH_ALL is all of the VM", DEC_SMMUV3,
		  raw2(SMMU_NSNH_ALL, 0), 0,
		  { TLB, S_VM, .opcode = 0x30 } },
		{ "TLBI_NSNH_ALL with a VMID", DEC_SMMUV3,
		  smmu_tlbi(SMMU_NSNH_ALL, 1, 0, 0, 0, 0, 0, 0, 0), -EIO, { 0 } },
		{ "TLBI_NH_ASID", DEC_SMMUV3,
		  smmu_tlbi(SMMU_NH_ASID, 9, 0x1234, 0, 0, 0, 0, 0, 0), 0,
		  { TLB, S_ASID, .opcode = 0x11, .asid = 0x1234 } },
		{ "TLBI_NH_ASID ASID 0xffff", DEC_SMMUV3,
		  smmu_tlbi(SMMU_NH_ASID, 0, 0xffff, 0, 0, 0, 0, 0, 0), 0,
		  { TLB, S_ASID, .opcode = 0x11, .asid = 0xffff } },
		{ "TLBI_NH_VA TG=0 is one VA", DEC_SMMUV3,
		  smmu_tlbi(SMMU_NH_VA, 3, 7, 0, 0, 1, 0, 0, 0x12345000), 0,
		  { TLB, S_ASID, .opcode = 0x12, .asid = 7, .leaf = 1,
		    .addr = 0x12345000, .size = K4 } },
		{ "TLBI_NH_VA TG=0 ignores NUM/SCALE/TTL", DEC_SMMUV3,
		  smmu_tlbi(SMMU_NH_VA, 3, 7, 31, 31, 0, 3, 0, 0x12345000), 0,
		  { TLB, S_ASID, .opcode = 0x12, .asid = 7,
		    .addr = 0x12345000, .size = K4 } },
		{ "TLBI_NH_VA TG=0 top page", DEC_SMMUV3,
		  smmu_tlbi(SMMU_NH_VA, 0, 1, 0, 0, 0, 0, 0, ~0ULL), 0,
		  { TLB, S_ASID, .opcode = 0x12, .asid = 1,
		    .addr = 0xfffffffffffff000ULL, .size = K4 } },
		{ "TLBI_NH_VA TG=4K NUM=0 SCALE=0: 4K", DEC_SMMUV3,
		  smmu_tlbi(SMMU_NH_VA, 0, 2, 0, 0, 1, 3, 1, 0x5000), 0,
		  { TLB, S_ASID, .opcode = 0x12, .asid = 2, .leaf = 1,
		    .addr = 0x5000, .size = K4 } },
		{ "TLBI_NH_VA TG=4K NUM=1: 8K", DEC_SMMUV3,
		  smmu_tlbi(SMMU_NH_VA, 0, 2, 1, 0, 0, 0, 1, 0x5000), 0,
		  { TLB, S_ASID, .opcode = 0x12, .asid = 2,
		    .addr = 0x5000, .size = 2 * K4 } },
		{ "TLBI_NH_VA TG=4K NUM=2: 12K (not a power of 2)",
		  DEC_SMMUV3,
		  smmu_tlbi(SMMU_NH_VA, 0, 2, 2, 0, 0, 0, 1, 0x5000), 0,
		  { TLB, S_ASID, .opcode = 0x12, .asid = 2,
		    .addr = 0x5000, .size = 3 * K4 } },
		{ "TLBI_NH_VA TG=4K NUM=31: 128K", DEC_SMMUV3,
		  smmu_tlbi(SMMU_NH_VA, 0, 2, 31, 0, 0, 0, 1, 0x5000), 0,
		  { TLB, S_ASID, .opcode = 0x12, .asid = 2,
		    .addr = 0x5000, .size = 32 * K4 } },
		{ "TLBI_NH_VA TG=4K SCALE=9: 2M", DEC_SMMUV3,
		  smmu_tlbi(SMMU_NH_VA, 0, 2, 0, 9, 0, 0, 1, 0x200000), 0,
		  { TLB, S_ASID, .opcode = 0x12, .asid = 2,
		    .addr = 0x200000, .size = 0x200000 } },
		{ "TLBI_NH_VA TG=16K NUM=3 SCALE=2: 256K", DEC_SMMUV3,
		  smmu_tlbi(SMMU_NH_VA, 0, 2, 3, 2, 0, 2, 2, 0x44000), 0,
		  { TLB, S_ASID, .opcode = 0x12, .asid = 2,
		    .addr = 0x44000, .size = 16 * 0x4000 } },
		{ "TLBI_NH_VA TG=64K NUM=0: 64K", DEC_SMMUV3,
		  smmu_tlbi(SMMU_NH_VA, 0, 2, 0, 0, 1, 3, 3, 0x30000), 0,
		  { TLB, S_ASID, .opcode = 0x12, .asid = 2, .leaf = 1,
		    .addr = 0x30000, .size = 0x10000 } },
		{ "TLBI_NH_VA TG=64K NUM=31 SCALE=31: 2^52", DEC_SMMUV3,
		  smmu_tlbi(SMMU_NH_VA, 0, 2, 31, 31, 0, 0, 3, 0), 0,
		  { TLB, S_ASID, .opcode = 0x12, .asid = 2,
		    .addr = 0, .size = 1ULL << 52 } },
		{ "TLBI_NH_VA TG=16K VA not 16K aligned", DEC_SMMUV3,
		  smmu_tlbi(SMMU_NH_VA, 0, 2, 0, 0, 0, 0, 2, 0x45000), -EIO, { 0 } },
		{ "TLBI_NH_VA TG=64K VA not 64K aligned", DEC_SMMUV3,
		  smmu_tlbi(SMMU_NH_VA, 0, 2, 0, 0, 0, 0, 3, 0x38000), -EIO, { 0 } },
		{ "TLBI_NH_VA range clipped at 2^64", DEC_SMMUV3,
		  smmu_tlbi(SMMU_NH_VA, 0, 2, 31, 0, 0, 0, 1,
			    0xffffffffffff0000ULL), 0,
		  { TLB, S_ASID, .opcode = 0x12, .asid = 2,
		    .addr = 0xffffffffffff0000ULL, .size = 0x10000 } },
		{ "TLBI_NH_VAA: range in every ASID", DEC_SMMUV3,
		  smmu_tlbi(SMMU_NH_VAA, 4, 0, 1, 0, 1, 0, 1, 0x2000), 0,
		  { TLB, S_VM, .opcode = 0x13, .leaf = 1,
		    .addr = 0x2000, .size = 2 * K4 } },
		{ "TLBI_NH_VAA TG=0", DEC_SMMUV3,
		  smmu_tlbi(SMMU_NH_VAA, 4, 0, 0, 0, 0, 0, 0, 0x7000), 0,
		  { TLB, S_VM, .opcode = 0x13, .addr = 0x7000, .size = K4 } },
		{ "TLBI_NH_VAA with an ASID", DEC_SMMUV3,
		  smmu_tlbi(SMMU_NH_VAA, 4, 1, 0, 0, 0, 0, 0, 0x7000), -EIO, { 0 } },
		{ "ATC_INV no SSID, one page", DEC_SMMUV3,
		  smmu_atc(0x10, 0, 0, 0, 0, 0x5000), 0,
		  { ATC, .opcode = 0x40, .vdev = 0x10,
		    .addr = 0x5000, .size = K4 } },
		{ "ATC_INV SSV SSID global", DEC_SMMUV3,
		  smmu_atc(0x10, 1, 0xfffff, 1, 0, 0x5000), 0,
		  { ATC, .opcode = 0x40, .vdev = 0x10, .pasid_valid = 1,
		    .pasid = 0xfffff, .global = 1,
		    .addr = 0x5000, .size = K4 } },
		{ "ATC_INV without SSV ignores SSID and Global", DEC_SMMUV3,
		  smmu_atc(0x10, 0, 0x55, 1, 0, 0x5000), 0,
		  { ATC, .opcode = 0x40, .vdev = 0x10,
		    .addr = 0x5000, .size = K4 } },
		{ "ATC_INV SIZE=1: 8K aligned down", DEC_SMMUV3,
		  smmu_atc(1, 0, 0, 0, 1, 0x3000), 0,
		  { ATC, .opcode = 0x40, .vdev = 1,
		    .addr = 0x2000, .size = 2 * K4 } },
		{ "ATC_INV SIZE=9: 2M", DEC_SMMUV3,
		  smmu_atc(1, 0, 0, 0, 9, 0x40200000), 0,
		  { ATC, .opcode = 0x40, .vdev = 1,
		    .addr = 0x40200000, .size = 0x200000 } },
		{ "ATC_INV SIZE=51: 2^63", DEC_SMMUV3,
		  smmu_atc(1, 0, 0, 0, 51, 0x8000000000001000ULL), 0,
		  { ATC, .opcode = 0x40, .vdev = 1,
		    .addr = 0x8000000000000000ULL, .size = 1ULL << 63 } },
		{ "ATC_INV SIZE=52: everything", DEC_SMMUV3,
		  smmu_atc(1, 1, 3, 0, 52, 0), 0,
		  { ATC, .opcode = 0x40, .vdev = 1, .pasid_valid = 1,
		    .pasid = 3 } },
		{ "ATC_INV SIZE=53", DEC_SMMUV3,
		  smmu_atc(1, 0, 0, 0, 53, 0), -EIO, { 0 } },
		{ "ATC_INV SIZE=63", DEC_SMMUV3,
		  smmu_atc(1, 0, 0, 0, 63, 0), -EIO, { 0 } },
		{ "ATC_INV 32-bit StreamID", DEC_SMMUV3,
		  smmu_atc(0xffffffff, 0, 0, 0, 0, 0), 0,
		  { ATC, .opcode = 0x40, .vdev = 0xffffffff, .size = K4 } },
		{ "CFGI_CD SSID 0 leaf", DEC_SMMUV3,
		  smmu_cfgi_cd(0x42, 0, 1), 0,
		  { .kind = VCMDQ_OP_PASID_CFG_INV, S_DEV, .opcode = 0x05,
		    .vdev = 0x42, .pasid_valid = 1, .leaf = 1 } },
		{ "CFGI_CD SSID 0xfffff", DEC_SMMUV3,
		  smmu_cfgi_cd(0x42, 0xfffff, 0), 0,
		  { .kind = VCMDQ_OP_PASID_CFG_INV, S_DEV, .opcode = 0x05,
		    .vdev = 0x42, .pasid_valid = 1, .pasid = 0xfffff } },
		{ "CFGI_CD SSec", DEC_SMMUV3,
		  raw2(SMMU_CFGI_CD | 1 << 10, 0), -EIO, { 0 } },
		{ "CFGI_CD_ALL", DEC_SMMUV3,
		  raw2(SMMU_CFGI_CD_ALL | 7ULL << 32, 0), 0,
		  { .kind = VCMDQ_OP_PASID_CFG_INV, S_DEV, .opcode = 0x06,
		    .vdev = 7 } },
		{ "CFGI_CD_ALL with an SSID", DEC_SMMUV3,
		  raw2(SMMU_CFGI_CD_ALL | 7ULL << 32 | 1 << 12, 0), -EIO, { 0 } },
		{ "CFGI_CD_ALL with Leaf", DEC_SMMUV3,
		  raw2(SMMU_CFGI_CD_ALL | 7ULL << 32, 1), -EIO, { 0 } },
		{ "CMD_SYNC CS=NONE", DEC_SMMUV3,
		  smmu_sync(0, 0, 0, 0, 0), 0,
		  { SYNC, .opcode = 0x46 } },
		{ "CMD_SYNC CS=SEV", DEC_SMMUV3,
		  smmu_sync(2, 3, 0xf, 1, 0x1000), 0,
		  { SYNC, .opcode = 0x46 } },
		{ "CMD_SYNC CS=IRQ: 4-byte MSI store", DEC_SMMUV3,
		  smmu_sync(1, 3, 0xf, 0xdeadbeef, 0x80000040), 0,
		  { SYNC, .opcode = 0x46, .wait = { .store = 1, .irq = 1,
		    .store_size = 4, .store_addr = 0x80000040,
		    .store_data = 0xdeadbeef } } },
		{ "CMD_SYNC CS=IRQ highest MSIADDR", DEC_SMMUV3,
		  smmu_sync(1, 0, 0, 0, 0x000ffffffffffffcULL), 0,
		  { SYNC, .opcode = 0x46, .wait = { .store = 1, .irq = 1,
		    .store_size = 4,
		    .store_addr = 0x000ffffffffffffcULL } } },
		{ "CMD_SYNC CS=IRQ MSIADDR 0: no store", DEC_SMMUV3,
		  smmu_sync(1, 0, 0, 0x1234, 0), 0,
		  { SYNC, .opcode = 0x46, .wait = { .irq = 1 } } },
		{ "CMD_SYNC CS=3", DEC_SMMUV3,
		  smmu_sync(3, 0, 0, 0, 0), -EIO, { 0 } },
		{ "CMD_SYNC MSIADDR bit 0 (misaligned)", DEC_SMMUV3,
		  smmu_sync(1, 0, 0, 0, 0x80000041), -EIO, { 0 } },
		{ "CMD_SYNC MSIADDR bit 1 (misaligned)", DEC_SMMUV3,
		  smmu_sync(1, 0, 0, 0, 0x80000042), -EIO, { 0 } },
		{ "CMD_SYNC MSIADDR above bit 51", DEC_SMMUV3,
		  smmu_sync(1, 0, 0, 0, 1ULL << 52), -EIO, { 0 } },
	};

	run_cases(cases, ARRAY_SIZE(cases));
}

static void test_smmuv3_rejects(void)
{
	static const struct { u8 op; const char *name; } rej[] = {
		{ 0x00, "opcode 0x00" },
		{ 0x02, "PREFETCH_ADDR" },
		{ 0x07, "opcode 0x07" },
		{ 0x18, "TLBI_EL3_ALL" },
		{ 0x1a, "TLBI_EL3_VA" },
		{ 0x20, "TLBI_EL2_ALL" },
		{ 0x21, "TLBI_EL2_ASID" },
		{ 0x22, "TLBI_EL2_VA" },
		{ 0x23, "TLBI_EL2_VAA" },
		{ 0x28, "TLBI_S12_VMALL" },
		{ 0x2a, "TLBI_S2_IPA" },
		{ 0x41, "PRI_RESP" },
		{ 0x44, "RESUME" },
		{ 0x45, "STALL_TERM" },
		{ 0x47, "opcode 0x47" },
		{ 0xff, "opcode 0xff" },
	};
	/*
	 * CFGI_STE and CFGI_ALL decode, as the VMM's (test_vmm_owned()), and
	 * PREFETCH_CFG as a no-op.
	 */
	static const u8 accepted[] = {
		0x01, 0x03, 0x04, 0x05, 0x06, 0x10, 0x11, 0x12, 0x13, 0x30, 0x40, 0x46,
	};
	unsigned int i, op, n_ok = 0;
	struct vcmdq_op dop;
	char name[64];
	int ok = 1;

	for (i = 0; i < ARRAY_SIZE(rej); i++) {
		snprintf(name, sizeof(name), "%s refused", rej[i].name);
		expect_ret(DEC_SMMUV3, name, raw2(rej[i].op, 0), -EIO);
	}

	/* Exactly the allow-list decodes, with all other fields zero. */
	for (op = 0; op < 256; op++) {
		int want = -EIO, ret;

		for (i = 0; i < ARRAY_SIZE(accepted); i++)
			if (accepted[i] == op)
				want = 0;
		ret = decode(DEC_SMMUV3, &(struct raw){ { op, 0 } }, &dop);
		if (ret != want) {
			printf("#   opcode 0x%02x: return %d, want %d\n", op,
			       ret, want);
			ok = 0;
		}
		n_ok += !ret;
	}
	tap(ok && n_ok == ARRAY_SIZE(accepted),
	    "smmuv3 allow-list: %u of 256 opcodes accepted", n_ok);
}

static void test_smmuv3_reserved(void)
{
	/* Defined bits, qword 0 / qword 1, from the layout tables. */
	sweep_reserved(DEC_SMMUV3, "TLBI_NSNH_ALL", raw2(SMMU_NSNH_ALL, 0),
		       (const u64[]){ 0xff, 0 });
	sweep_reserved(DEC_SMMUV3, "TLBI_NH_ALL", raw2(SMMU_NH_ALL, 0),
		       (const u64[]){ 0x0000ffff000000ffULL, 0 });
	sweep_reserved(DEC_SMMUV3, "TLBI_NH_ASID", raw2(SMMU_NH_ASID, 0),
		       (const u64[]){ 0xffffffff000000ffULL, 0 });
	sweep_reserved(DEC_SMMUV3, "TLBI_NH_VA", raw2(SMMU_NH_VA, 0),
		       (const u64[]){ 0xffffffff01f1f0ffULL,
				      0xffffffffffffff01ULL });
	sweep_reserved(DEC_SMMUV3, "TLBI_NH_VAA", raw2(SMMU_NH_VAA, 0),
		       (const u64[]){ 0x0000ffff01f1f0ffULL,
				      0xffffffffffffff01ULL });
	sweep_reserved(DEC_SMMUV3, "ATC_INV", raw2(SMMU_ATC_INV, 0),
		       (const u64[]){ 0xfffffffffffffaffULL,
				      0xfffffffffffff03fULL });
	sweep_reserved(DEC_SMMUV3, "CFGI_CD", raw2(SMMU_CFGI_CD, 0),
		       (const u64[]){ 0xfffffffffffff0ffULL, 0x1 });
	sweep_reserved(DEC_SMMUV3, "CFGI_CD_ALL", raw2(SMMU_CFGI_CD_ALL, 0),
		       (const u64[]){ 0xffffffff000000ffULL, 0 });
	sweep_reserved(DEC_SMMUV3, "CMD_SYNC", raw2(SMMU_CMD_SYNC, 0),
		       (const u64[]){ 0xffffffff0fc030ffULL,
				      0x000ffffffffffffcULL });
}

/*
 * Split [iova, iova + size) into range TLBIs the way Linux's
 * __arm_smmu_tlb_inv_range() does with ARM_SMMU_FEAT_RANGE_INV, and check
 * every command decodes to exactly the chunk Linux meant, back to back.
 */
static void test_smmuv3_linux_split(u64 iova, u64 size, unsigned int tg_shift)
{
	u64 num_pages = size >> tg_shift, end = iova + size, cur = iova;
	unsigned int tg = (tg_shift - 10) / 2, cmds = 0;
	int ok = 1;

	while (cur < end && ok) {
		unsigned int scale = __builtin_ctzll(num_pages);
		u64 num = (num_pages >> scale) & 31;
		u64 inv_range = num << (scale + tg_shift);
		struct vcmdq_op op;
		struct raw r;
		int ret;

		num_pages -= num << scale;
		r = smmu_tlbi(SMMU_NH_VA, 1, 9, num - 1, scale, 1, 0, tg, cur);
		ret = decode(DEC_SMMUV3, &r, &op);
		if (ret || op.addr != cur || op.size != inv_range) {
			printf("#   chunk at 0x%llx: ret %d addr 0x%llx size "
			       "0x%llx, want size 0x%llx\n",
			       (unsigned long long)cur, ret,
			       (unsigned long long)op.addr,
			       (unsigned long long)op.size,
			       (unsigned long long)inv_range);
			ok = 0;
		}
		cur += inv_range;
		cmds++;
	}
	tap(ok && cur == end,
	    "smmuv3 Linux range split 0x%llx+0x%llx granule %u: %u commands",
	    (unsigned long long)iova, (unsigned long long)size,
	    1U << tg_shift, cmds);
}

/*
 * vcmdq_smmuv3_page_run_extend(), the slow path's shortcut for a page TLBI
 * growing a pending run, against what it stands for: vcmdq_decode_smmuv3(),
 * then vcmdq_tlb_run_extends() and vcmdq_tlb_run_extend().  For every run
 * and command below: when it takes the command, the general path would
 * have too and left the same run; when it does not, the run is untouched;
 * and it never declines a legal TG=0 TLBI_NH_VA the general path would
 * merge (so the shortcut is not vacuously right).
 */
static u64 lcg_next(u64 *x)
{
	*x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
	return *x;
}

static int page_run_case(const struct vcmdq_op *run, const u64 q[2],
			 unsigned int *taken)
{
	struct vcmdq_op op, ref = *run, fast = *run;
	u64 cmd[2] = { q[0], q[1] };
	int ref_ok, got, ok = 1;

	ref_ok = !vcmdq_decode_smmuv3(cmd, &op) &&
		 vcmdq_tlb_run_extends(run, &op);
	if (ref_ok)
		vcmdq_tlb_run_extend(&ref, &op);
	got = vcmdq_smmuv3_page_run_extend(&fast, cmd);
	if (got) {
		(*taken)++;
		if (!ref_ok) {
			printf("#   took what the decode would not merge\n");
			ok = 0;
		} else {
			const struct vcmdq_op *want = &ref;

			ok = op_eq(&fast, want);
		}
	} else {
		const struct vcmdq_op *got = &fast, *want = run;

		CMP(addr);
		CMP(size);
		if (ref_ok && (q[0] & 0xff) == SMMU_NH_VA &&
		    !(q[1] & (3ULL << 10))) {
			printf("#   declined a page TLBI the run takes\n");
			ok = 0;
		}
	}
	if (!ok)
		printf("#   run addr 0x%llx size 0x%llx scope %d asid %u leaf %d,"
		       " cmd 0x%016llx 0x%016llx\n",
		       (unsigned long long)run->addr,
		       (unsigned long long)run->size, run->scope, run->asid,
		       run->leaf, (unsigned long long)q[0],
		       (unsigned long long)q[1]);
	return ok;
}

static void test_smmuv3_page_run(void)
{
	/* Runs as the slow path starts them, from a decoded command. */
	static const struct { u64 op, asid, leaf, tg, num, va; } starts[] = {
		{ SMMU_NH_VA, 9, 1, 0, 0, 0x10000 },
		{ SMMU_NH_VA, 9, 0, 0, 0, 0x10000 },
		{ SMMU_NH_VA, 0, 1, 0, 0, 0 },
		{ SMMU_NH_VA, 9, 1, 0, 0, ~0ULL },
		{ SMMU_NH_VA, 9, 1, 1, 3, 0x20000 },
		{ SMMU_NH_VAA, 0, 1, 0, 0, 0x10000 },
	};
	static const long long offs[] = { -0x3000, -0x2000, -0x1000, -0x800, 0,
				    0x1000, 0x2000, 0x3000, 0x4000, 0x5000 };
	unsigned int i, j, k, n = 0, taken = 0;
	u64 seed = 1;
	int ok = 1;

	for (i = 0; i < ARRAY_SIZE(starts); i++) {
		struct raw r = smmu_tlbi(starts[i].op, 0, starts[i].asid,
					 starts[i].num, 0, starts[i].leaf, 0,
					 starts[i].tg, starts[i].va);
		struct vcmdq_op run, runs[3];

		if (vcmdq_decode_smmuv3(r.q, &run) ||
		    !vcmdq_tlb_run_starts(&run)) {
			printf("#   start %u does not start a run\n", i);
			ok = 0;
			continue;
		}
		/* The run as decoded, and two no page TLBI may join. */
		runs[0] = run;
		runs[1] = run;
		runs[1].pasid_valid = true;
		runs[1].pasid = 5;
		runs[2] = run;
		runs[2].global = true;
		for (j = 0; j < ARRAY_SIZE(runs); j++) {
			for (k = 0; k < ARRAY_SIZE(offs); k++) {
				u64 va = run.addr + (u64)offs[k];
				u64 asid;

				for (asid = 8; asid <= 10; asid++) {
					struct raw c;
					unsigned int v;

					/* leaf, TTL/NUM/SCALE/VMID noise, TG */
					for (v = 0; v < 8; v++) {
						c = smmu_tlbi(v & 4 ? SMMU_NH_VAA : SMMU_NH_VA,
							      v * 7, v & 4 ? 0 : asid,
							      v * 5, v * 3, v & 1,
							      v & 2 ? 3 : 0,
							      v == 6 ? 1 : 0, va);
						ok &= page_run_case(&runs[j], c.q,
								    &taken);
						n++;
					}
					/* a reserved bit in either qword */
					c = smmu_tlbi(SMMU_NH_VA, 0, asid, 0, 0,
						      1, 0, 0, va);
					c.q[0] |= 1ULL << 8;
					ok &= page_run_case(&runs[j], c.q, &taken);
					c.q[0] &= ~(1ULL << 8);
					c.q[1] |= 1ULL << 4;
					ok &= page_run_case(&runs[j], c.q, &taken);
					n += 2;
				}
			}
			/* Anything at all, half of it with the opcode. */
			for (k = 0; k < 2000; k++) {
				u64 q[2] = { lcg_next(&seed), lcg_next(&seed) };

				if (k & 1) {
					q[0] = (q[0] & ~0xffULL) | SMMU_NH_VA;
					q[1] &= lcg_next(&seed);
				}
				ok &= page_run_case(&runs[j], q, &taken);
				n++;
			}
		}
	}
	tap(ok && taken > 0,
	    "smmuv3 page TLBI run shortcut matches decode + run rules (%u commands, %u taken)",
	    n, taken);
}

/*
 * vcmdq_smmuv3_plain_sync() against the decode: true exactly for what
 * decodes to a sync with no store and no interrupt.
 */
static void test_smmuv3_plain_sync(void)
{
	unsigned int i, n = 0, plain = 0;
	u64 seed = 7;
	int ok = 1;

	for (i = 0; i < 20000; i++) {
		u64 q[2] = { lcg_next(&seed), lcg_next(&seed) };
		struct vcmdq_op op;
		int want, got;

		/* Mostly CMD_SYNCs with few bits set, every CS. */
		if (i % 4) {
			q[0] = (q[0] & lcg_next(&seed) & lcg_next(&seed) &
				~0xffULL) | 0x46;
			q[1] &= lcg_next(&seed) & lcg_next(&seed);
		}
		if (i % 8 == 1)
			q[0] &= 0x3046;		/* CS, opcode only */
		if (i % 16 == 1)
			q[1] = 0;
		want = !vcmdq_decode_smmuv3(q, &op) &&
		       op.kind == VCMDQ_OP_SYNC && !op.wait.store &&
		       !op.wait.irq;
		got = vcmdq_smmuv3_plain_sync(q);
		if (got != want) {
			printf("#   0x%016llx 0x%016llx: got %d want %d\n",
			       (unsigned long long)q[0],
			       (unsigned long long)q[1], got, want);
			ok = 0;
		}
		plain += got;
		n++;
	}
	tap(ok && plain > 0,
	    "smmuv3 plain CMD_SYNC shortcut matches the decode (%u commands, %u plain)",
	    n, plain);
}

/* ------------------------------------------------------------------ */
/* AMD-Vi                                                               */

/* The spec's four words; word 0 is the low half of qword 0. */
static struct raw amd_words(u32 w0, u32 w1, u32 w2, u32 w3)
{
	return raw2((u64)w1 << 32 | w0, (u64)w3 << 32 | w2);
}

static struct raw amd_compl_wait(u32 s, u32 i, u32 f, u64 addr, u64 data)
{
	return amd_words((u32)(addr & 0xfffffff8) | s | i << 1 | f << 2,
			 (u32)(addr >> 32 & 0xfffff) | 0x1U << 28,
			 (u32)data, (u32)(data >> 32));
}

static struct raw amd_inv_pages(u32 domid, u32 pasid, u32 s, u32 pde,
				u32 gn, u64 addr)
{
	return amd_words(pasid & 0xfffff, (domid & 0xffff) | 0x3U << 28,
			 (u32)(addr & 0xfffff000) | s | pde << 1 | gn << 2,
			 (u32)(addr >> 32));
}

/* As build_inv_iotlb_pages(): PASID[15:8] in word 0, PASID[7:0] in 1. */
static struct raw amd_inv_iotlb(u32 devid, u32 maxpend, u32 queueid,
				u32 pasid, u32 s, u32 gn, u64 addr)
{
	return amd_words((devid & 0xffff) | (pasid >> 8 & 0xff) << 16 |
			 (maxpend & 0xff) << 24,
			 (queueid & 0xffff) | (pasid & 0xff) << 16 |
			 0x4U << 28,
			 (u32)(addr & 0xfffff000) | s | gn << 2,
			 (u32)(addr >> 32));
}

static struct raw amd_op(u32 opcode, u32 w0)
{
	return amd_words(w0, opcode << 28, 0, 0);
}

static void test_amd_cases(void)
{
	const struct dcase cases[] = {
		{ "COMPLETION_WAIT store", DEC_AMD,
		  amd_compl_wait(1, 0, 0, 0x000fedcba9876548ULL,
				 0x0123456789abcdefULL), 0,
		  { SYNC, .opcode = 1, .wait = { .store = 1, .store_size = 8,
		    .store_addr = 0x000fedcba9876548ULL,
		    .store_data = 0x0123456789abcdefULL } } },
		{ "COMPLETION_WAIT interrupt", DEC_AMD,
		  amd_compl_wait(0, 1, 0, 0, 0), 0,
		  { SYNC, .opcode = 1, .wait = { .irq = 1 } } },
		{ "COMPLETION_WAIT flush", DEC_AMD,
		  amd_compl_wait(0, 0, 1, 0, 0), 0,
		  { SYNC, .opcode = 1, .wait = { .fence = 1 } } },
		{ "COMPLETION_WAIT S+I+F", DEC_AMD,
		  amd_compl_wait(1, 1, 1, 0x1008, 1), 0,
		  { SYNC, .opcode = 1, .wait = { .store = 1, .irq = 1,
		    .fence = 1, .store_size = 8, .store_addr = 0x1008,
		    .store_data = 1 } } },
		{ "COMPLETION_WAIT without S ignores address and data",
		  DEC_AMD, amd_compl_wait(0, 0, 0, 0xfff8, ~0ULL), 0,
		  { SYNC, .opcode = 1 } },
		{ "COMPLETION_WAIT bit 52", DEC_AMD,
		  amd_words(1, 0x1U << 28 | 1U << 20, 0, 0), -EIO, { 0 } },
		{ "INVALIDATE_DEVTAB_ENTRY", DEC_AMD,
		  amd_op(2, 0xbeef), 0,
		  { .kind = VCMDQ_OP_DEV_CFG_INV, S_DEV, .opcode = 2,
		    .vdev = 0xbeef } },
		{ "INVALIDATE_IOMMU_PAGES one page, PDE", DEC_AMD,
		  amd_inv_pages(0x55, 0, 0, 1, 0, 0x7000), 0,
		  { TLB, S_ASID, .opcode = 3, .asid = 0x55,
		    .addr = 0x7000, .size = K4 } },
		{ "INVALIDATE_IOMMU_PAGES PDE=0 is leaf-only", DEC_AMD,
		  amd_inv_pages(0xffff, 0, 0, 0, 0, 0x7000), 0,
		  { TLB, S_ASID, .opcode = 3, .asid = 0xffff, .leaf = 1,
		    .addr = 0x7000, .size = K4 } },
		{ "INVALIDATE_IOMMU_PAGES GN PASID", DEC_AMD,
		  amd_inv_pages(1, 0xfffff, 0, 1, 1, 0x7000), 0,
		  { TLB, S_ASID, .opcode = 3, .asid = 1, .pasid_valid = 1,
		    .pasid = 0xfffff, .addr = 0x7000, .size = K4 } },
		{ "INVALIDATE_IOMMU_PAGES PASID ignored without GN",
		  DEC_AMD, amd_inv_pages(1, 0x123, 0, 1, 0, 0x7000), 0,
		  { TLB, S_ASID, .opcode = 3, .asid = 1,
		    .addr = 0x7000, .size = K4 } },
		{ "INVALIDATE_IOMMU_PAGES S: bit 12 clear is 8K", DEC_AMD,
		  amd_inv_pages(1, 0, 1, 1, 0, 0x6000), 0,
		  { TLB, S_ASID, .opcode = 3, .asid = 1,
		    .addr = 0x6000, .size = 2 * K4 } },
		{ "INVALIDATE_IOMMU_PAGES S: 16K at 0x4000", DEC_AMD,
		  amd_inv_pages(1, 0, 1, 1, 0, 0x5000), 0,
		  { TLB, S_ASID, .opcode = 3, .asid = 1,
		    .addr = 0x4000, .size = 4 * K4 } },
		{ "INVALIDATE_IOMMU_PAGES S: 2M", DEC_AMD,
		  amd_inv_pages(1, 0, 1, 1, 0, 0x402ff000), 0,
		  { TLB, S_ASID, .opcode = 3, .asid = 1,
		    .addr = 0x40200000, .size = 0x200000 } },
		{ "INVALIDATE_IOMMU_PAGES S: 1G above 4G", DEC_AMD,
		  amd_inv_pages(1, 0, 1, 1, 0, 0x11ffff000ULL), 0,
		  { TLB, S_ASID, .opcode = 3, .asid = 1,
		    .addr = 0x100000000ULL, .size = 0x40000000 } },
		{ "INVALIDATE_IOMMU_PAGES all-pages address (Linux)",
		  DEC_AMD,
		  amd_inv_pages(1, 0, 1, 1, 0, 0x7ffffffffffff000ULL), 0,
		  { TLB, S_ASID, .opcode = 3, .asid = 1 } },
		{ "INVALIDATE_IOMMU_PAGES first zero at 51 is all",
		  DEC_AMD,
		  amd_inv_pages(1, 0, 1, 1, 0, 0x0007fffffffff000ULL), 0,
		  { TLB, S_ASID, .opcode = 3, .asid = 1 } },
		{ "INVALIDATE_IOMMU_PAGES no zero bit is all", DEC_AMD,
		  amd_inv_pages(1, 0, 1, 1, 0, ~0ULL), 0,
		  { TLB, S_ASID, .opcode = 3, .asid = 1 } },
		{ "INVALIDATE_IOMMU_PAGES first zero at 50: 2^51",
		  DEC_AMD,
		  amd_inv_pages(1, 0, 1, 1, 0, 0x0003fffffffff000ULL), 0,
		  { TLB, S_ASID, .opcode = 3, .asid = 1,
		    .addr = 0, .size = 1ULL << 51 } },
		{ "INVALIDATE_IOMMU_PAGES 2^51 block with bit 63 set",
		  DEC_AMD,
		  amd_inv_pages(1, 0, 1, 1, 0, 0x8003fffffffff000ULL), 0,
		  { TLB, S_ASID, .opcode = 3, .asid = 1,
		    .addr = 0x8000000000000000ULL, .size = 1ULL << 51 } },
		{ "INVALIDATE_IOTLB_PAGES one page", DEC_AMD,
		  amd_inv_iotlb(0x0102, 0x20, 0x0102, 0, 0, 0, 0x9000), 0,
		  { ATC, .opcode = 4, .vdev = 0x0102,
		    .addr = 0x9000, .size = K4 } },
		{ "INVALIDATE_IOTLB_PAGES split PASID", DEC_AMD,
		  amd_inv_iotlb(0xffff, 0xff, 0xffff, 0xabcd, 0, 1, 0x9000),
		  0,
		  { ATC, .opcode = 4, .vdev = 0xffff, .pasid_valid = 1,
		    .pasid = 0xabcd, .addr = 0x9000, .size = K4 } },
		{ "INVALIDATE_IOTLB_PAGES PASID ignored without GN",
		  DEC_AMD, amd_inv_iotlb(1, 0, 0, 0xabcd, 0, 0, 0x9000), 0,
		  { ATC, .opcode = 4, .vdev = 1,
		    .addr = 0x9000, .size = K4 } },
		{ "INVALIDATE_IOTLB_PAGES S: 64K", DEC_AMD,
		  amd_inv_iotlb(1, 0, 0, 0, 1, 0, 0x27000), 0,
		  { ATC, .opcode = 4, .vdev = 1,
		    .addr = 0x20000, .size = 0x10000 } },
		{ "INVALIDATE_IOTLB_PAGES S: all", DEC_AMD,
		  amd_inv_iotlb(1, 0, 0, 0, 1, 0, 0x7ffffffffffff000ULL), 0,
		  { ATC, .opcode = 4, .vdev = 1 } },
		{ "INVALIDATE_IOTLB_PAGES has no PDE bit", DEC_AMD,
		  amd_words(1, 0x4U << 28, 0x2, 0), -EIO, { 0 } },
		{ "INVALIDATE_IOMMU_ALL", DEC_AMD,
		  amd_op(8, 0), 0,
		  { .kind = VCMDQ_OP_ALL_INV, S_VM, .opcode = 8 } },
	};

	run_cases(cases, ARRAY_SIZE(cases));
}

static void test_amd_rejects(void)
{
	static const struct { u8 op; const char *name; } rej[] = {
		{ 0x0, "opcode 0x0" },
		{ 0x6, "PREFETCH_IOMMU_PAGES" },
		{ 0x7, "COMPLETE_PPR_REQUEST" },
		{ 0x9, "opcode 0x9" },
		{ 0xa, "opcode 0xa" },
		{ 0xf, "opcode 0xf" },
	};
	unsigned int i, op, n_ok = 0;
	struct vcmdq_op dop;
	char name[64];
	int ok = 1;

	for (i = 0; i < ARRAY_SIZE(rej); i++) {
		snprintf(name, sizeof(name), "%s refused", rej[i].name);
		expect_ret(DEC_AMD, name, amd_op(rej[i].op, 0x10), -EIO);
	}
	for (op = 0; op < 16; op++) {
		/* 5, INVALIDATE_INTERRUPT_TABLE, decodes as the VMM's. */
		int want = (op >= 1 && op <= 5) || op == 8 ? 0 : -EIO;
		struct raw r = amd_op(op, 0);
		int ret = decode(DEC_AMD, &r, &dop);

		if (ret != want) {
			printf("#   opcode 0x%x: return %d, want %d\n", op, ret,
			       want);
			ok = 0;
		}
		n_ok += !ret;
	}
	tap(ok && n_ok == 6, "amd allow-list: %u of 16 opcodes accepted",
	    n_ok);
}

static void test_amd_reserved(void)
{
	sweep_reserved(DEC_AMD, "COMPLETION_WAIT", amd_op(1, 0),
		       (const u64[]){ 0xf00fffffffffffffULL, ~0ULL });
	sweep_reserved(DEC_AMD, "INVALIDATE_DEVTAB_ENTRY", amd_op(2, 0),
		       (const u64[]){ 0xf00000000000ffffULL, 0 });
	sweep_reserved(DEC_AMD, "INVALIDATE_IOMMU_PAGES", amd_op(3, 0),
		       (const u64[]){ 0xf000ffff000fffffULL,
				      0xfffffffffffff007ULL });
	sweep_reserved(DEC_AMD, "INVALIDATE_IOTLB_PAGES", amd_op(4, 0),
		       (const u64[]){ 0xf0ffffffffffffffULL,
				      0xfffffffffffff005ULL });
	sweep_reserved(DEC_AMD, "INVALIDATE_IOMMU_ALL", amd_op(8, 0),
		       (const u64[]){ 0xf000000000000000ULL, 0 });
}

/*
 * Encode [start, start + size) the way Linux's build_inv_address() does and
 * check the decoded range is the smallest naturally aligned block covering
 * it, or "all" when Linux falls back to CMD_INV_IOMMU_ALL_PAGES_ADDRESS.
 */
static void test_amd_linux_address(u64 start, u64 size)
{
	u64 end = start + size - 1, addr, want_addr, want_size;
	unsigned int msb_diff, s = 1;
	struct vcmdq_op op;
	struct raw r;
	int ret, ok;

	if ((start >> 12) == (end >> 12)) {
		/* One page: S=0. */
		s = 0;
		addr = start;
		want_size = K4;
		want_addr = start & ~0xfffULL;
	} else {
		msb_diff = 63 - __builtin_clzll(end ^ start);
		if (msb_diff > 51)
			addr = 0x7fffffffffffffffULL;
		else
			addr = start | ((1ULL << msb_diff) - 1);
		/*
		 * A first zero at bit 51 is already "all pages" (the spec's
		 * example encoding), although Linux means a 2^52 block.
		 */
		if (msb_diff >= 51) {
			want_addr = 0;
			want_size = 0;
		} else {
			want_size = 1ULL << (msb_diff + 1);
			want_addr = start & ~(want_size - 1);
		}
	}
	r = amd_inv_pages(1, 0, s, 1, 0, addr & ~0xfffULL);
	ret = decode(DEC_AMD, &r, &op);
	ok = !ret && op.addr == want_addr && op.size == want_size;
	if (want_size)
		ok = ok && op.addr <= start && end <= op.addr + op.size - 1;
	if (!ok)
		printf("#   ret %d addr 0x%llx size 0x%llx, want 0x%llx "
		       "0x%llx\n", ret, (unsigned long long)op.addr,
		       (unsigned long long)op.size,
		       (unsigned long long)want_addr,
		       (unsigned long long)want_size);
	tap(ok, "amd Linux build_inv_address 0x%llx+0x%llx",
	    (unsigned long long)start, (unsigned long long)size);
}

/* ------------------------------------------------------------------ */
/* VT-d                                                                 */

static struct raw vtd_cc(u64 g, u64 did, u64 sid, u64 fm)
{
	return raw2(0x1 | g << 4 | did << 16 | sid << 32 | fm << 48, 0);
}

static struct raw vtd_iotlb(u64 g, u64 dw, u64 dr, u64 did, u64 addr,
			    u64 ih, u64 am)
{
	return raw2(0x2 | g << 4 | dw << 6 | dr << 7 | did << 16,
		    (addr & ~0xfffULL) | ih << 6 | am);
}

/* As Linux's QI_DEV_IOTLB_PFSID(): PFSID[3:0] at 15:12, [15:4] at 63:52. */
static u64 vtd_pfsid(u64 pfsid)
{
	return (pfsid & 0xf) << 12 | (pfsid >> 4 & 0xfff) << 52;
}

/*
 * Address with the ATS size encoding, as qi_desc_dev_iotlb() builds it:
 * order 0 is S=0; otherwise the low bits below the size are set.
 */
static u64 vtd_ats_addr(u64 addr, unsigned int order)
{
	if (!order)
		return addr & ~0xfffULL;
	addr |= (1ULL << (12 + order - 1)) - 1;
	return addr & ~0xfffULL;
}

static struct raw vtd_diotlb(u64 sid, u64 pfsid, u64 mip, u64 addr,
			     unsigned int order)
{
	return raw2(0x3 | vtd_pfsid(pfsid) | (mip & 0x1f) << 16 | sid << 32,
		    vtd_ats_addr(addr, order) | (order ? 1 : 0));
}

static struct raw vtd_iwd(u64 fi, u64 sw, u64 fn, u64 data, u64 addr)
{
	return raw2(0x5 | fi << 4 | sw << 5 | fn << 6 | data << 32, addr);
}

static struct raw vtd_piotlb(u64 g, u64 did, u64 pasid, u64 addr, u64 ih,
			     u64 am)
{
	return raw2(0x6 | g << 4 | did << 16 | pasid << 32,
		    (addr & ~0xfffULL) | ih << 6 | am);
}

static struct raw vtd_pc(u64 g, u64 did, u64 pasid)
{
	return raw2(0x7 | g << 4 | did << 16 | pasid << 32, 0);
}

/* As qi_flush_dev_iotlb_pasid(): QDEP/MIP at 8:4, SID at 31:16. */
static struct raw vtd_pdiotlb(u64 sid, u64 pasid, u64 pfsid, u64 mip,
			      u64 g, u64 addr, unsigned int order)
{
	return raw2(0x8 | (mip & 0x1f) << 4 | vtd_pfsid(pfsid) | sid << 16 |
		    pasid << 32,
		    vtd_ats_addr(addr, order) | (order ? 1ULL << 11 : 0) | g);
}

static void test_vtd_cases(void)
{
	const struct dcase cases[] = {
		{ "context cache global", DEC_VTD,
		  vtd_cc(1, 5, 0x100, 3), 0,
		  { .kind = VCMDQ_OP_DEV_CFG_INV, S_VM, .opcode = 1 } },
		{ "context cache domain", DEC_VTD,
		  vtd_cc(2, 0x77, 0x100, 0), 0,
		  { .kind = VCMDQ_OP_DEV_CFG_INV, S_ASID, .opcode = 1,
		    .asid = 0x77 } },
		{ "context cache device FM=0", DEC_VTD,
		  vtd_cc(3, 5, 0x0100, 0), 0,
		  { .kind = VCMDQ_OP_DEV_CFG_INV, S_DEV, .opcode = 1,
		    .asid = 5, .vdev = 0x0100 } },
		{ "context cache device FM=1 masks SID[2]", DEC_VTD,
		  vtd_cc(3, 5, 0xffff, 1), 0,
		  { .kind = VCMDQ_OP_DEV_CFG_INV, S_DEV, .opcode = 1,
		    .asid = 5, .vdev = 0xffff, .vdev_mask = 0x4 } },
		{ "context cache device FM=2 masks SID[2:1]", DEC_VTD,
		  vtd_cc(3, 5, 0x0108, 2), 0,
		  { .kind = VCMDQ_OP_DEV_CFG_INV, S_DEV, .opcode = 1,
		    .asid = 5, .vdev = 0x0108, .vdev_mask = 0x6 } },
		{ "context cache device FM=3 masks SID[2:0]", DEC_VTD,
		  vtd_cc(3, 5, 0x0108, 3), 0,
		  { .kind = VCMDQ_OP_DEV_CFG_INV, S_DEV, .opcode = 1,
		    .asid = 5, .vdev = 0x0108, .vdev_mask = 0x7 } },
		{ "context cache granularity 0", DEC_VTD,
		  vtd_cc(0, 5, 0x100, 0), -EIO, { 0 } },
		{ "IOTLB global", DEC_VTD,
		  vtd_iotlb(1, 0, 0, 3, 0x5000, 1, 4), 0,
		  { TLB, S_VM, .opcode = 2 } },
		{ "IOTLB domain", DEC_VTD,
		  vtd_iotlb(2, 0, 0, 0x1234, 0x5000, 1, 4), 0,
		  { TLB, S_ASID, .opcode = 2, .asid = 0x1234 } },
		{ "IOTLB page AM=0 IH", DEC_VTD,
		  vtd_iotlb(3, 0, 0, 0xffff, 0xabc000, 1, 0), 0,
		  { TLB, S_ASID, .opcode = 2, .asid = 0xffff, .leaf = 1,
		    .addr = 0xabc000, .size = K4 } },
		{ "IOTLB page AM=9: 2M", DEC_VTD,
		  vtd_iotlb(3, 0, 0, 1, 0x40200000, 0, 9), 0,
		  { TLB, S_ASID, .opcode = 2, .asid = 1,
		    .addr = 0x40200000, .size = 0x200000 } },
		{ "IOTLB page AM=9: masked address bits", DEC_VTD,
		  vtd_iotlb(3, 0, 0, 1, 0x40205000, 0, 9), 0,
		  { TLB, S_ASID, .opcode = 2, .asid = 1,
		    .addr = 0x40200000, .size = 0x200000 } },
		{ "IOTLB page AM=18: 1G", DEC_VTD,
		  vtd_iotlb(3, 1, 1, 1, 0xc0000000, 0, 18), 0,
		  { TLB, S_ASID, .opcode = 2, .asid = 1,
		    .addr = 0xc0000000, .size = 0x40000000 } },
		{ "IOTLB page AM=51: 2^63", DEC_VTD,
		  vtd_iotlb(3, 0, 0, 1, ~0ULL, 0, 51), 0,
		  { TLB, S_ASID, .opcode = 2, .asid = 1,
		    .addr = 0x8000000000000000ULL, .size = 1ULL << 63 } },
		{ "IOTLB page AM=52", DEC_VTD,
		  vtd_iotlb(3, 0, 0, 1, 0, 0, 52), -EIO, { 0 } },
		{ "IOTLB page AM=63", DEC_VTD,
		  vtd_iotlb(3, 0, 0, 1, 0, 0, 63), -EIO, { 0 } },
		{ "IOTLB granularity 0", DEC_VTD,
		  vtd_iotlb(0, 0, 0, 1, 0, 0, 0), -EIO, { 0 } },
		{ "device-TLB one page", DEC_VTD,
		  vtd_diotlb(0x0210, 0x0208, 0x1f, 0x5000, 0), 0,
		  { ATC, .opcode = 3, .vdev = 0x0210,
		    .addr = 0x5000, .size = K4 } },
		{ "device-TLB S order 1: 8K", DEC_VTD,
		  vtd_diotlb(0x0210, 0, 0, 0x6000, 1), 0,
		  { ATC, .opcode = 3, .vdev = 0x0210,
		    .addr = 0x6000, .size = 2 * K4 } },
		{ "device-TLB S order 9: 2M", DEC_VTD,
		  vtd_diotlb(0x0210, 0, 0, 0x40200000, 9), 0,
		  { ATC, .opcode = 3, .vdev = 0x0210,
		    .addr = 0x40200000, .size = 0x200000 } },
		{ "device-TLB whole device (Linux MAX_AGAW_PFN_WIDTH)",
		  DEC_VTD, vtd_diotlb(0x0210, 0, 0, 0, 52), 0,
		  { ATC, .opcode = 3, .vdev = 0x0210 } },
		{ "device-TLB S first zero at 62: 2^63", DEC_VTD,
		  raw2(0x3, 0xbffffffffffff001ULL), 0,
		  { ATC, .opcode = 3,
		    .addr = 0x8000000000000000ULL, .size = 1ULL << 63 } },
		{ "device-TLB S no zero bit: all", DEC_VTD,
		  raw2(0x3, 0xfffffffffffff001ULL), 0,
		  { ATC, .opcode = 3 } },
		{ "wait SW", DEC_VTD,
		  vtd_iwd(0, 1, 0, 0x12345678, 0x10000004), 0,
		  { SYNC, .opcode = 5, .wait = { .store = 1, .store_size = 4,
		    .store_addr = 0x10000004, .store_data = 0x12345678 } } },
		{ "wait IF", DEC_VTD, vtd_iwd(1, 0, 0, 0, 0), 0,
		  { SYNC, .opcode = 5, .wait = { .irq = 1 } } },
		{ "wait FN", DEC_VTD, vtd_iwd(0, 0, 1, 0, 0), 0,
		  { SYNC, .opcode = 5, .wait = { .fence = 1 } } },
		{ "wait IF SW FN", DEC_VTD,
		  vtd_iwd(1, 1, 1, 0xffffffff, 0xfffffffffffffffcULL), 0,
		  { SYNC, .opcode = 5, .wait = { .store = 1, .irq = 1,
		    .fence = 1, .store_size = 4,
		    .store_addr = 0xfffffffffffffffcULL,
		    .store_data = 0xffffffff } } },
		{ "wait without SW ignores address and data", DEC_VTD,
		  vtd_iwd(0, 0, 0, 0x1234, 0x1000), 0,
		  { SYNC, .opcode = 5 } },
		{ "wait status address bit 0 (misaligned)", DEC_VTD,
		  vtd_iwd(0, 1, 0, 1, 0x10000001), -EIO, { 0 } },
		{ "wait status address bit 1 (misaligned)", DEC_VTD,
		  vtd_iwd(0, 1, 0, 1, 0x10000002), -EIO, { 0 } },
		{ "wait PD (page request drain)", DEC_VTD,
		  raw2(0x5 | 1 << 7, 0), -EIO, { 0 } },
		{ "PASID IOTLB non-globals in PASID", DEC_VTD,
		  vtd_piotlb(2, 3, 0x12345, 0x5000, 1, 3), 0,
		  { TLB, S_ASID, .opcode = 6, .asid = 3, .pasid_valid = 1,
		    .pasid = 0x12345 } },
		{ "PASID IOTLB page AM=0", DEC_VTD,
		  vtd_piotlb(3, 3, 0xfffff, 0x5000, 1, 0), 0,
		  { TLB, S_ASID, .opcode = 6, .asid = 3, .pasid_valid = 1,
		    .pasid = 0xfffff, .global = 1, .leaf = 1,
		    .addr = 0x5000, .size = K4 } },
		{ "PASID IOTLB page AM=4", DEC_VTD,
		  vtd_piotlb(3, 3, 1, 0x15000, 0, 4), 0,
		  { TLB, S_ASID, .opcode = 6, .asid = 3, .pasid_valid = 1,
		    .pasid = 1, .global = 1,
		    .addr = 0x10000, .size = 0x10000 } },
		{ "PASID IOTLB page AM=52", DEC_VTD,
		  vtd_piotlb(3, 3, 1, 0, 0, 52), -EIO, { 0 } },
		{ "PASID IOTLB granularity 0", DEC_VTD,
		  vtd_piotlb(0, 3, 1, 0, 0, 0), -EIO, { 0 } },
		{ "PASID IOTLB granularity 1", DEC_VTD,
		  vtd_piotlb(1, 3, 1, 0, 0, 0), -EIO, { 0 } },
		{ "PASID cache all PASIDs of a DID", DEC_VTD,
		  vtd_pc(0, 0x42, 0x99), 0,
		  { .kind = VCMDQ_OP_PASID_CFG_INV, S_ASID, .opcode = 7,
		    .asid = 0x42 } },
		{ "PASID cache PASID-selective", DEC_VTD,
		  vtd_pc(1, 0x42, 0xfffff), 0,
		  { .kind = VCMDQ_OP_PASID_CFG_INV, S_ASID, .opcode = 7,
		    .asid = 0x42, .pasid_valid = 1, .pasid = 0xfffff } },
		{ "PASID cache global", DEC_VTD,
		  vtd_pc(3, 0x42, 7), 0,
		  { .kind = VCMDQ_OP_PASID_CFG_INV, S_VM, .opcode = 7 } },
		{ "PASID cache granularity 2", DEC_VTD,
		  vtd_pc(2, 0x42, 7), -EIO, { 0 } },
		{ "PASID device-TLB one page", DEC_VTD,
		  vtd_pdiotlb(0x0300, 0x10, 0x0301, 0x1f, 0, 0x5000, 0), 0,
		  { ATC, .opcode = 8, .vdev = 0x0300, .pasid_valid = 1,
		    .pasid = 0x10, .addr = 0x5000, .size = K4 } },
		{ "PASID device-TLB global", DEC_VTD,
		  vtd_pdiotlb(0xffff, 0xfffff, 0xffff, 0, 1, 0x5000, 0), 0,
		  { ATC, .opcode = 8, .vdev = 0xffff, .pasid_valid = 1,
		    .pasid = 0xfffff, .global = 1,
		    .addr = 0x5000, .size = K4 } },
		{ "PASID device-TLB S order 4: 64K", DEC_VTD,
		  vtd_pdiotlb(0x0300, 1, 0, 0, 0, 0x30000, 4), 0,
		  { ATC, .opcode = 8, .vdev = 0x0300, .pasid_valid = 1,
		    .pasid = 1, .addr = 0x30000, .size = 0x10000 } },
		{ "PASID device-TLB whole", DEC_VTD,
		  vtd_pdiotlb(0x0300, 1, 0, 0, 0, 0, 52), 0,
		  { ATC, .opcode = 8, .vdev = 0x0300, .pasid_valid = 1,
		    .pasid = 1 } },
	};

	run_cases(cases, ARRAY_SIZE(cases));
}

static void test_vtd_rejects(void)
{
	static const struct { u32 type; const char *name; } rej[] = {
		{ 0x0, "type 0x0" },
		{ 0x9, "page group response" },
		{ 0xa, "page stream response" },
		{ 0xb, "type 0xb" },
		{ 0xf, "type 0xf" },
		{ 0x11, "type 0x11 (high type bits)" },
		{ 0x7f, "type 0x7f" },
	};
	static const unsigned int bad_qwords[] = { 0, 1, 3, 5, 8 };
	unsigned int i, t, n, n_ok[2] = { 0, 0 };
	struct vcmdq_op dop;
	char name[64];
	int ok = 1;

	for (i = 0; i < ARRAY_SIZE(rej); i++) {
		struct raw r = raw2((rej[i].type & 0xf) |
				    (u64)(rej[i].type >> 4) << 9, 0);

		snprintf(name, sizeof(name), "%s refused", rej[i].name);
		expect_ret(DEC_VTD, name, r, -EIO);
	}

	for (i = 0; i < ARRAY_SIZE(bad_qwords); i++) {
		u64 d[8] = { vtd_iwd(0, 0, 0, 0, 0).q[0] };
		struct vcmdq_op op;
		int ret = vcmdq_decode_vtd(d, bad_qwords[i], &op);

		tap(ret == -EINVAL, "vtd %u-qword descriptor: -EINVAL",
		    bad_qwords[i]);
	}

	/* Allow-list over the 7-bit type, with a valid granularity. */
	for (n = 0; n < 2; n++) {
		for (t = 0; t < 128; t++) {
			/* 4, the interrupt entry cache, is the VMM's. */
			int acc = t >= 1 && t <= 8;
			int gran = t == 1 || t == 2 || t == 6 || t == 7;
			struct raw r = raw2((t & 0xf) | (u64)(t >> 4) << 9 |
					    (gran ? 3 << 4 : 0), 0);
			int ret = decode(n ? DEC_VTD256 : DEC_VTD, &r, &dop);

			if (ret != (acc ? 0 : -EIO)) {
				printf("#   type 0x%02x: return %d\n", t, ret);
				ok = 0;
			}
			n_ok[n] += !ret;
		}
	}
	tap(ok && n_ok[0] == 8 && n_ok[1] == 8,
	    "vtd allow-list: %u and %u of 128 types accepted", n_ok[0],
	    n_ok[1]);
}

static void sweep_vtd(const char *name, struct raw base, u64 d0, u64 d1)
{
	sweep_reserved(DEC_VTD, name, base, (const u64[]){ d0, d1 });
	sweep_reserved(DEC_VTD256, name, base,
		       (const u64[]){ d0, d1, 0, 0 });
}

static void test_vtd_reserved(void)
{
	sweep_vtd("context cache", vtd_cc(1, 0, 0, 0),
		  0x0003ffffffff003fULL, 0);
	sweep_vtd("IOTLB", vtd_iotlb(1, 0, 0, 0, 0, 0, 0),
		  0x00000000ffff00ffULL, 0xfffffffffffff07fULL);
	sweep_vtd("device-TLB", vtd_diotlb(0, 0, 0, 0, 0),
		  0xfff0ffff001ff00fULL, 0xfffffffffffff001ULL);
	sweep_vtd("wait", vtd_iwd(0, 0, 0, 0, 0),
		  0xffffffff0000007fULL, 0xfffffffffffffffcULL);
	sweep_vtd("PASID IOTLB", vtd_piotlb(2, 0, 0, 0, 0, 0),
		  0x000fffffffff003fULL, 0xfffffffffffff07fULL);
	sweep_vtd("PASID cache", vtd_pc(0, 0, 0),
		  0x000fffffffff003fULL, 0);
	sweep_vtd("PASID device-TLB", vtd_pdiotlb(0, 0, 0, 0, 0, 0, 0),
		  0xfffffffffffff1ffULL, 0xfffffffffffff801ULL);
}

/*
 * Valid commands for state only the VMM has (interrupt remapping, SMMUv3
 * STEs) decode to VCMDQ_OP_VMM with nothing but the opcode, so the slow path
 * can hand them back; their reserved bits are still checked.
 */
static void test_vmm_owned(void)
{
	static const struct {
		enum dec d;
		const char *name;
		struct raw r;
		u32 opcode;
	} cases[] = {
		{ DEC_SMMUV3, "CFGI_STE", { { 0x03 | 0x100ULL << 32, 1 } }, 0x03 },
		{ DEC_SMMUV3, "CFGI_ALL", { { 0x04, 31 } }, 0x04 },
		{ DEC_AMD, "INVALIDATE_INTERRUPT_TABLE",
		  { { 5ULL << 60 | 0x00a0, 0 } }, 5 },
		/* Linux's qi_flush_iec(): G=1, IM, IIDX; and G=0 (global). */
		{ DEC_VTD, "IEC index", { { 0x4 | 1 << 4 | 2ULL << 27 |
					    0x11ULL << 32, 0 } }, 4 },
		{ DEC_VTD, "IEC global", { { 0x4, 0 } }, 4 },
		{ DEC_VTD256, "IEC index, 256-bit",
		  { { 0x4 | 1 << 4 | 0x11ULL << 32, 0, 0, 0 } }, 4 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vcmdq_op op;
		int ret = decode(cases[i].d, &cases[i].r, &op);

		tap(!ret && op.kind == VCMDQ_OP_VMM &&
		    op.scope == VCMDQ_SCOPE_NONE &&
		    op.opcode == cases[i].opcode && !op.vdev && !op.asid &&
		    !op.size && !op.wait.store,
		    "%s %s: the VMM's", dec_name[cases[i].d], cases[i].name);
	}
	{
		/* As Linux sends it, with a substream. */
		struct raw r = raw2(0x01 | 1 << 11 | 5 << 12 | 0x100ULL << 32, 0);
		struct vcmdq_op op;
		int ret = decode(DEC_SMMUV3, &r, &op);

		tap(!ret && op.kind == VCMDQ_OP_NOP && op.opcode == 0x01 &&
		    op.scope == VCMDQ_SCOPE_NONE && !op.vdev && !op.pasid_valid,
		    "smmuv3 PREFETCH_CFG: a no-op");
	}
	sweep_reserved(DEC_SMMUV3, "PREFETCH_CFG", raw2(0x01, 0),
		       (const u64[]){ 0xfffffffffffff8ffULL, 0 });
	sweep_reserved(DEC_SMMUV3, "CFGI_STE", raw2(0x03, 0),
		       (const u64[]){ 0xffffffff000000ffULL, 0x1 });
	sweep_reserved(DEC_SMMUV3, "CFGI_ALL", raw2(0x04, 0),
		       (const u64[]){ 0xffffffff000000ffULL, 0x1f });
	sweep_reserved(DEC_AMD, "INVALIDATE_INTERRUPT_TABLE", amd_op(5, 0),
		       (const u64[]){ 0xf00000000000ffffULL, 0 });
	sweep_vtd("interrupt entry cache", raw2(0x4, 0),
		  0x0000fffff8000e1fULL, 0);
}

/*
 * Every device-TLB size order Linux can send (qi_desc_dev_iotlb() and
 * qi_flush_dev_iotlb_pasid()), at an aligned address: the decoded range is
 * exactly 4K << order there, or everything for order >= 52.
 */
static void test_vtd_ats_orders(void)
{
	unsigned int order, bad = 0;

	for (order = 0; order <= 52; order++) {
		u64 size = order < 52 ? K4 << order : 0;
		u64 addr = order < 52 ? 0xabcdef0123456000ULL & ~(size - 1)
				      : 0;
		struct raw r[2] = {
			vtd_diotlb(0x10, 0, 0, addr, order),
			vtd_pdiotlb(0x10, 5, 0, 0, 0, addr, order),
		};
		unsigned int i;

		for (i = 0; i < 2; i++) {
			struct vcmdq_op op;
			int ret = decode(DEC_VTD, &r[i], &op);

			if (ret || op.addr != addr || op.size != size) {
				printf("#   %s order %u: ret %d addr 0x%llx "
				       "size 0x%llx\n", i ? "pasid" : "plain",
				       order, ret,
				       (unsigned long long)op.addr,
				       (unsigned long long)op.size);
				bad++;
			}
		}
	}
	tap(!bad, "vtd device-TLB S encodings, orders 0..52");
}

/* Every AM a PSI can carry, at an aligned and a misaligned address. */
static void test_vtd_am(void)
{
	unsigned int am, bad = 0;

	for (am = 0; am < 64; am++) {
		u64 a = 0x123456789abcd000ULL;
		struct raw r[2] = {
			vtd_iotlb(3, 0, 0, 1, a, 0, am),
			vtd_piotlb(3, 1, 1, a, 0, am),
		};
		unsigned int i;

		for (i = 0; i < 2; i++) {
			struct vcmdq_op op;
			int ret = decode(DEC_VTD, &r[i], &op);
			u64 size = am <= 51 ? K4 << am : 0;

			if (am > 51 ? ret != -EIO :
			    ret || op.size != size ||
			    op.addr != (a & ~(size - 1))) {
				printf("#   AM %u (%s): ret %d\n", am,
				       i ? "PASID" : "IOTLB", ret);
				bad++;
			}
		}
	}
	tap(!bad, "vtd AM 0..63: 4K << AM up to 51, refused above");
}

int main(int argc, char **argv)
{
	static const struct { u64 iova, size; unsigned int shift; } split[] = {
		{ 0x1000, 0x1000, 12 },
		{ 0x1000, 33 * 0x1000ULL, 12 },
		{ 0x7f0000000000ULL, 1000 * 0x1000ULL, 12 },
		{ 0x200000, 0x200000, 12 },
		{ 0x40000000, 0x40000000 + 0x5000, 12 },
		{ 0x4000, 12345 * 0x4000ULL, 14 },
		{ 0x10000, 0x10000, 16 },
		{ 0xfff00000000ULL, 54321 * 0x10000ULL, 16 },
	};
	static const struct { u64 start, size; } amd_ranges[] = {
		{ 0x1000, 0x1000 },
		{ 0x1234, 0x10 },
		{ 0x0, 0x2000 },
		{ 0x1000, 0x2000 },
		{ 0x3000, 0x1000 + 1 },
		{ 0x200000, 0x200000 },
		{ 0x201000, 0x200000 },
		{ 0x40000000, 0x40000000 },
		{ 0x7fffff000ULL, 0x2000 },
		{ 0x0, 1ULL << 51 },
		{ 0x0, 1ULL << 52 },
		{ 0x0007fffffffff000ULL, 0x2000 },
	};
	unsigned int i;

	if (argc == 3 && !strcmp(argv[1], "--corpus")) {
		corpus_dir = argv[2];
	} else if (argc != 1) {
		fprintf(stderr, "usage: %s [--corpus DIR]\n", argv[0]);
		return 2;
	}

	printf("TAP version 13\n");
	printf("# vcmdq slow-path decoders\n");

	test_smmuv3_cases();
	test_smmuv3_rejects();
	test_smmuv3_reserved();
	test_smmuv3_page_run();
	test_smmuv3_plain_sync();
	for (i = 0; i < ARRAY_SIZE(split); i++)
		test_smmuv3_linux_split(split[i].iova, split[i].size,
					split[i].shift);

	test_amd_cases();
	test_amd_rejects();
	test_amd_reserved();
	for (i = 0; i < ARRAY_SIZE(amd_ranges); i++)
		test_amd_linux_address(amd_ranges[i].start,
				       amd_ranges[i].size);

	test_vtd_cases();
	test_vtd_rejects();
	test_vtd_reserved();
	test_vtd_ats_orders();
	test_vtd_am();
	test_vmm_owned();

	printf("1..%u\n", t_num);
	printf("# Totals: pass:%u fail:%u xfail:0 xpass:0 skip:0 error:0\n",
	       t_pass, t_fail);
	return t_fail ? 1 : 0;
}
