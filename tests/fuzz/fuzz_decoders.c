// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the slow-path command decoders (kernel/cmd_*.c).
 *
 * Input: one selector byte, then up to 32 bytes of command (little-endian
 * qwords, zero-padded when short).  Selector & 7:
 *   0 SMMUv3 (2 qwords)   1 AMD-Vi (2 qwords)
 *   2 VT-d 128-bit        3 VT-d 256-bit
 *   4 VT-d with qwords = selector >> 3 (anything but 2/4 must be -EINVAL)
 *   5..7 every decoder on the same bytes
 * Each decoder reads from an exactly-sized heap copy so ASan flags any read
 * past the entry.  After a decode the invariants below must hold; any
 * violation aborts with a message (a libFuzzer crash).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_smmuv3.h"

enum dec { DEC_SMMUV3, DEC_AMD, DEC_VTD };

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "invariant failed: %s (%s:%d)\n",\
				#cond, __FILE__, __LINE__);		\
			abort();					\
		}							\
	} while (0)

static int is_pow2(u64 x)
{
	return x && !(x & (x - 1));
}

static int decode(enum dec d, const u64 *q, unsigned int n,
		  struct vcmdq_op *op, unsigned char poison)
{
	/* malloc(0) may return NULL; keep one qword so the call is defined. */
	u64 *buf = malloc((n ? n : 1) * sizeof(*buf));
	int ret;

	if (!buf)
		abort();
	memcpy(buf, q, (n < 4 ? n : 4) * sizeof(*buf));
	memset(op, poison, sizeof(*op));
	switch (d) {
	case DEC_SMMUV3:
		ret = vcmdq_decode_smmuv3(buf, op);
		break;
	case DEC_AMD:
		ret = vcmdq_decode_amd(buf, op);
		break;
	default:
		ret = vcmdq_decode_vtd(buf, n, op);
		break;
	}
	free(buf);
	return ret;
}

static int op_equal(const struct vcmdq_op *a, const struct vcmdq_op *b)
{
	return a->kind == b->kind && a->scope == b->scope &&
	       a->opcode == b->opcode && a->asid == b->asid &&
	       a->vdev == b->vdev && a->vdev_mask == b->vdev_mask &&
	       a->pasid == b->pasid && a->pasid_valid == b->pasid_valid &&
	       a->leaf == b->leaf && a->global == b->global &&
	       a->addr == b->addr && a->size == b->size &&
	       a->wait.store == b->wait.store &&
	       a->wait.irq == b->wait.irq &&
	       a->wait.fence == b->wait.fence &&
	       a->wait.store_size == b->wait.store_size &&
	       a->wait.store_addr == b->wait.store_addr &&
	       a->wait.store_data == b->wait.store_data;
}

static void check_zero(const struct vcmdq_op *op)
{
	static const struct vcmdq_op zero;

	CHECK(op_equal(op, &zero));
}

/* What must hold for any successfully decoded op, whatever the vendor. */
static void check_op(enum dec d, const u64 *q, const struct vcmdq_op *op)
{
	const struct vcmdq_op_wait *w = &op->wait;
	u64 raw_addr = q[1] & ~0xfffULL;

	/* bools read back as 0/1 (UBSan also checks the loads) */
	CHECK(op->kind >= VCMDQ_OP_TLB_INV && op->kind <= VCMDQ_OP_NOP);
	CHECK(op->pasid < (1U << 20));
	CHECK(op->pasid_valid || !op->pasid);
	CHECK(op->vdev_mask == 0 || op->vdev_mask == 4 ||
	      op->vdev_mask == 6 || op->vdev_mask == 7);
	CHECK(!op->vdev_mask || (d == DEC_VTD &&
				 op->kind == VCMDQ_OP_DEV_CFG_INV));
	CHECK(op->asid <= 0xffff);
	CHECK(d == DEC_SMMUV3 || op->vdev <= 0xffff);
	CHECK(op->scope == VCMDQ_SCOPE_DEVICE || !op->vdev);
	CHECK(op->scope != VCMDQ_SCOPE_VM || !op->asid);

	if (op->kind == VCMDQ_OP_VMM || op->kind == VCMDQ_OP_NOP) {
		/* Only the opcode: the VMM reads the command itself. */
		CHECK(op->scope == VCMDQ_SCOPE_NONE);
		CHECK(!op->asid && !op->vdev && !op->pasid_valid);
		CHECK(!op->leaf && !op->global && !op->addr && !op->size);
		CHECK(!w->store && !w->irq && !w->fence);
		return;
	}

	if (op->kind == VCMDQ_OP_SYNC) {
		CHECK(op->scope == VCMDQ_SCOPE_NONE);
		CHECK(!op->asid && !op->vdev && !op->pasid_valid);
		CHECK(!op->leaf && !op->global && !op->addr && !op->size);
		if (w->store) {
			CHECK(w->store_size == 4 || w->store_size == 8);
			CHECK(!(w->store_addr & (w->store_size - 1)));
			CHECK(w->store_size == 8 ||
			      w->store_data <= 0xffffffffULL);
		} else {
			CHECK(!w->store_size && !w->store_addr &&
			      !w->store_data);
		}
		return;
	}

	CHECK(op->scope != VCMDQ_SCOPE_NONE);
	CHECK(!w->store && !w->irq && !w->fence && !w->store_size &&
	      !w->store_addr && !w->store_data);

	switch (op->kind) {
	case VCMDQ_OP_ATC_INV:
		CHECK(op->scope == VCMDQ_SCOPE_DEVICE);
		break;
	case VCMDQ_OP_ALL_INV:
		CHECK(op->scope == VCMDQ_SCOPE_VM);
		/* fall through */
	case VCMDQ_OP_DEV_CFG_INV:
	case VCMDQ_OP_PASID_CFG_INV:
		CHECK(!op->addr && !op->size && !op->global);
		return;
	default:
		break;
	}

	if (!op->size) {
		CHECK(!op->addr);
		return;
	}
	/* A range: page-aligned, never wrapping past 2^64. */
	CHECK(!(op->addr & 0xfff) && !(op->size & 0xfff));
	CHECK(op->addr + (op->size - 1) >= op->addr);

	if (d == DEC_SMMUV3 && op->kind == VCMDQ_OP_TLB_INV) {
		/* (NUM+1) << SCALE granules, starting exactly at VA. */
		CHECK(op->size <= 1ULL << 52);
		CHECK(op->addr == raw_addr);
		return;
	}
	/* Every other encoding is a naturally aligned power of two ... */
	CHECK(is_pow2(op->size));
	CHECK(!(op->addr & (op->size - 1)));
	/* ... that contains the address the command names. */
	CHECK(raw_addr >= op->addr && raw_addr - op->addr < op->size);
}

/*
 * The slow path's page TLBI shortcut (vcmdq_smmuv3_page_run_extend())
 * against the decode and the run rules it stands for, on a run of one page
 * TLBI at the command's own page (ASID and Leaf from the input too, so the
 * fuzzer reaches both answers): taken only where the general path merges,
 * with the same result; declined with the run untouched.
 */
static void check_page_run(const u64 *q)
{
	u64 start[2] = { 0x12 | (q[0] & 0xffff000000000000ULL),
			 (q[1] & 1) | ((q[1] & ~0xfffULL) ^ 0x1000) };
	struct vcmdq_op run, op, ref, fast;
	u64 cmd[2] = { q[0], q[1] };
	int ref_ok, got;

	CHECK(!vcmdq_decode_smmuv3(start, &run));
	ref = run;
	fast = run;
	ref_ok = !vcmdq_decode_smmuv3(cmd, &op) &&
		 vcmdq_tlb_run_extends(&run, &op);
	if (ref_ok)
		vcmdq_tlb_run_extend(&ref, &op);
	got = vcmdq_smmuv3_page_run_extend(&fast, cmd);
	CHECK(!got || ref_ok);
	CHECK(op_equal(&fast, got ? &ref : &run));
	/* A legal TG=0 TLBI_NH_VA the run merges is always taken. */
	CHECK(got || !ref_ok || (q[0] & 0xff) != 0x12 || (q[1] & 0xc00));
}

static void run(enum dec d, const u64 *q, unsigned int n)
{
	struct vcmdq_op op, again;
	int ret, ret2;

	ret = decode(d, q, n, &op, 0xa5);
	if (d == DEC_VTD && n != 2 && n != 4) {
		CHECK(ret == -EINVAL);
		check_zero(&op);
		return;
	}
	CHECK(ret == 0 || ret == -EIO);
	/* Pure and fully initializing: same answer over different junk. */
	ret2 = decode(d, q, n, &again, 0x5a);
	CHECK(ret == ret2);
	CHECK(op_equal(&op, &again));
	if (d == DEC_SMMUV3) {
		check_page_run(q);
		/* The plain-sync shortcut: exactly a sync with nothing to do. */
		CHECK(vcmdq_smmuv3_plain_sync(q) ==
		      (!ret && op.kind == VCMDQ_OP_SYNC && !op.wait.store &&
		       !op.wait.irq));
	}
	if (ret) {
		check_zero(&op);
		return;
	}
	check_op(d, q, &op);
	/* The upper half of a 256-bit VT-d descriptor must be clear. */
	if (d == DEC_VTD && n == 4)
		CHECK(!q[2] && !q[3]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	u64 q[4] = { 0, 0, 0, 0 };
	unsigned int sel, i;

	if (size < 1)
		return 0;
	sel = data[0];
	for (i = 0; i + 1 < size && i < 32; i++)
		q[i / 8] |= (u64)data[1 + i] << (8 * (i % 8));
#if defined(FUZZ_ONLY_SMMUV3)
	/* One target per decoder (make fuzz-run): the selector is fixed. */
	sel = 0;
#elif defined(FUZZ_ONLY_AMD)
	sel = 1;
#elif defined(FUZZ_ONLY_VTD)
	/* 128-bit, 256-bit, and bad qword counts. */
	sel = 2 + sel % 3 + (sel & ~7U);
#endif

	switch (sel & 7) {
	case 0:
		run(DEC_SMMUV3, q, 2);
		break;
	case 1:
		run(DEC_AMD, q, 2);
		break;
	case 2:
		run(DEC_VTD, q, 2);
		break;
	case 3:
		run(DEC_VTD, q, 4);
		break;
	case 4:
		run(DEC_VTD, q, sel >> 3);
		break;
	default:
		run(DEC_SMMUV3, q, 2);
		run(DEC_AMD, q, 2);
		run(DEC_VTD, q, 2);
		run(DEC_VTD, q, 4);
		break;
	}
	return 0;
}
