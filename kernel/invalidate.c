// SPDX-License-Identifier: GPL-2.0
/*
 * The slow path: a batch of trapped guest invalidation commands, in the
 * guest's own format (SMMUv3, AMD-Vi, VT-d), validated, translated and
 * executed by the kernel.  The ioctl and the io_uring front end (uring.c)
 * share this core.
 *
 * Cost grows with the work, not with the batch: the array is copied in
 * once, the vIOMMU is looked up once, and nothing is allocated per entry.
 */
#include <linux/highmem.h>
#include <linux/log2.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vcmdq_private.h"
#include "cmd_smmuv3.h"

/* Batches up to this size are copied to the stack, not allocated. */
#define VCMDQ_INV_STACK_BYTES 256
/* Up to this size, to the context's cached buffer when it is free. */
#define VCMDQ_INV_BUF_BYTES PAGE_SIZE

/*
 * A buffer for a batch of @bytes (more than the stack takes): the
 * context's cached one when it is free, so a VMM's steady stream of
 * batches allocates nothing.  A fresh allocation costs more than its
 * size suggests: with init_on_alloc (Debian's default) the allocator
 * zeroes the whole slab object, 2 KiB for a batch of 65 SMMUv3 commands,
 * and that zeroing was an eighth of a batch of 64 in the TCG VM's
 * profile.  The cache is one pointer taken with xchg() and put back with
 * cmpxchg(): concurrent calls on one context each get a buffer, the one
 * that finds the slot taken allocates and frees its own.  The context
 * frees the cached buffer when it is released.
 */
static void *vcmdq_inv_buf_get(struct vcmdq_ctx *ctx, size_t bytes)
{
	void *buf;

	if (bytes > VCMDQ_INV_BUF_BYTES)
		return kvmalloc(bytes, GFP_KERNEL_ACCOUNT);
	buf = xchg(&ctx->inv_buf, NULL);
	if (!buf)
		buf = kmalloc(VCMDQ_INV_BUF_BYTES, GFP_KERNEL_ACCOUNT);
	return buf;
}

static void vcmdq_inv_buf_put(struct vcmdq_ctx *ctx, void *buf, size_t bytes)
{
	if (bytes > VCMDQ_INV_BUF_BYTES || cmpxchg(&ctx->inv_buf, NULL, buf))
		kvfree(buf);
}

/* The format's own size of one entry, or 0 when @entry_len cannot be one. */
static unsigned int vcmdq_inv_format_len(u32 data_type, u32 entry_len)
{
	switch (data_type) {
	case VCMDQ_DATA_SMMUV3:
	case VCMDQ_DATA_AMD_VI:
		return 16;
	case VCMDQ_DATA_VTD:
		/* 128-bit descriptors, or 256-bit ones (IQA_REG.DW = 1). */
		if (entry_len >= 16 && entry_len < 32)
			return entry_len == 16 ? 16 : 0;
		return 32;
	}
	return 0;
}

/*
 * Copy the entry array in: 8-byte loads in one user access window rather
 * than copy_from_user(), which on x86 CPUs with ERMS is a byte-granular
 * string copy (rep movsb).  On hardware both are fast; under an emulator
 * (QEMU TCG, where the benchmarks run) every byte of a string instruction
 * is a step of its own, and that copy was a large part of the per-entry
 * cost.  Same contract as copy_from_user() but all or nothing: -EFAULT
 * when any byte cannot be read (the caller then executes nothing).
 */
static int vcmdq_inv_copy(u8 *dst, const void __user *src, size_t bytes)
{
	const u8 __user *s = src;
	size_t i;

	if (!user_access_begin(src, bytes))
		return -EFAULT;
	for (i = 0; i + 8 <= bytes; i += 8)
		unsafe_get_user(*(u64 *)(dst + i), (const u64 __user *)(s + i),
				efault);
	for (; i < bytes; i++)
		unsafe_get_user(dst[i], s + i, efault);
	user_access_end();
	return 0;
efault:
	user_access_end();
	return -EFAULT;
}

/*
 * Write a completion store into guest memory.  The decoders checked that it
 * is naturally aligned (4 or 8 bytes), so it never crosses a page.
 * @s2_locked: the caller holds @s2->lock for the whole batch (the
 * non-blocking attempt, see vcmdq_invalidate()); else it is taken here.
 */
static int vcmdq_inv_store(struct vcmdq_s2 *s2, const struct vcmdq_op_wait *w,
			   bool s2_locked)
{
	struct page *page;
	void *va;
	int rc = 0;

	if (s2_locked)
		lockdep_assert_held(&s2->lock);
	else
		mutex_lock(&s2->lock);
	page = vcmdq_s2_gpa_to_page_writable(s2, w->store_addr);
	if (!page) {
		rc = -EIO;
		goto out_unlock;
	}
	va = kmap_local_page(page);
	if (w->store_size == 8)
		*(__le64 *)(va + offset_in_page(w->store_addr)) =
			cpu_to_le64(w->store_data);
	else
		*(__le32 *)(va + offset_in_page(w->store_addr)) =
			cpu_to_le32(w->store_data);
	kunmap_local(va);
out_unlock:
	if (!s2_locked)
		mutex_unlock(&s2->lock);
	return rc;
}

static int vcmdq_inv_decode(struct vcmdq_viommu *viommu, u32 data_type,
			    unsigned int format_len, const u8 *entry,
			    struct vcmdq_op *op)
{
	u64 raw[4] __uninitialized;
	int rc;

	/*
	 * Guest queues are little-endian, whatever the host.  format_len is
	 * 16 or 32: unrolled, as a loop of variable count becomes a memcpy()
	 * call (a string copy, see vcmdq_inv_copy()).
	 */
	raw[0] = get_unaligned_le64(entry);
	raw[1] = get_unaligned_le64(entry + 8);
	if (format_len == 32) {
		raw[2] = get_unaligned_le64(entry + 16);
		raw[3] = get_unaligned_le64(entry + 24);
	}

	switch (data_type) {
	case VCMDQ_DATA_SMMUV3:
		return vcmdq_decode_smmuv3(raw, op);
	case VCMDQ_DATA_AMD_VI:
		rc = vcmdq_decode_amd(raw, op);
		if (!rc && op->kind == VCMDQ_OP_ALL_INV &&
		    !(viommu->inst->info.caps & VCMDQ_INSTANCE_CAP_AMD_INV_ALL))
			rc = -EIO;
		return rc;
	case VCMDQ_DATA_VTD:
		rc = vcmdq_decode_vtd(raw, format_len / 8, op);
		/* -EINVAL means a bad qword count: cannot happen here. */
		if (rc)
			return -EIO;
		/*
		 * A page-selective range is 4 KiB << AM; an AM above the
		 * MAMV the guest was shown is an invalid descriptor (IQE).
		 */
		if (op->kind == VCMDQ_OP_TLB_INV && op->size &&
		    ilog2(op->size) - VCMDQ_PAGE_SHIFT >
			    viommu->inst->info.vtd_max_am)
			return -EIO;
		return 0;
	}
	return -EIO;
}

/*
 * Decode and execute @n entries.  Return: 0 or the first entry's error;
 * -EREMOTE (from the executor) stops at a valid entry only the VMM can run.
 *
 * Consecutive TLB invalidations of one address space over touching ranges
 * (a guest invalidating page after page, as Linux's SMMUv3 driver does
 * without range invalidation) are executed as one, when the run ends: so
 * the model is searched, and its lock taken, once per run, not per entry.
 * A run ends before any other entry executes and before any return, so
 * every entry before the one returned on has taken effect, in order, and
 * every store of a sync follows the invalidations before it.
 */
static int vcmdq_inv_run(struct vcmdq_viommu *viommu,
			 const struct vcmdq_invalidate *cmd,
			 unsigned int format_len, const u8 *entries,
			 unsigned int n, unsigned int *done, bool s2_locked)
{
	/*
	 * Decoded into ops[cur]; a run starting takes that slot and the next
	 * entry decodes into the other, so no op is ever copied.  Every
	 * decoder initializes its op first: no need to zero them here.
	 */
	struct vcmdq_op ops[2] __uninitialized, *op, *run = NULL;
	/*
	 * Locals, not *done and cmd->..., in the loop: the kernel builds
	 * with -fno-strict-aliasing, so every store to the run would make
	 * the compiler reload and store those through their pointers.
	 */
	const unsigned int entry_len = cmd->entry_len;
	const u32 data_type = cmd->data_type;
	unsigned int cur = 0, nr_run = 0, i;
	const u8 *entry = entries;
	int rc = 0;

	for (i = 0; i < n; i++, entry += entry_len) {
		if (entry_len > format_len &&
		    memchr_inv(entry + format_len, 0, entry_len - format_len)) {
			rc = -E2BIG;
			break;
		}
		/*
		 * What a guest without range invalidation mostly sends needs
		 * no decode: a page TLBI that only grows the pending run
		 * (vcmdq_smmuv3_page_run_extend()), and the CMD_SYNC that
		 * ends the batch with nothing to store
		 * (vcmdq_smmuv3_plain_sync()): the run before it executes,
		 * and it is counted as vcmdq_exec() counts a sync.
		 */
		if (data_type == VCMDQ_DATA_SMMUV3) {
			u64 raw[2] = { get_unaligned_le64(entry),
				       get_unaligned_le64(entry + 8) };

			if (nr_run && vcmdq_smmuv3_page_run_extend(run, raw)) {
				nr_run++;
				continue;
			}
			if (vcmdq_smmuv3_plain_sync(raw)) {
				vcmdq_exec_tlb_run(viommu, run, &nr_run);
				vcmdq_count(viommu->inst, VCMDQ_CNT_SYNC, 1);
				continue;
			}
		}
		op = &ops[cur];
		rc = vcmdq_inv_decode(viommu, data_type, format_len, entry,
				      op);
		if (rc)
			break;
		if (nr_run && vcmdq_tlb_run_extends(run, op)) {
			vcmdq_tlb_run_extend(run, op);
			nr_run++;
			continue;
		}
		vcmdq_exec_tlb_run(viommu, run, &nr_run);
		if (vcmdq_tlb_run_starts(op)) {
			run = op;
			cur ^= 1;
			nr_run = 1;
			continue;
		}
		rc = vcmdq_exec(viommu, op);
		if (rc)
			break;
		/*
		 * Execution is synchronous, so everything before a sync
		 * has completed: only its store is left to do.
		 */
		if (op->kind == VCMDQ_OP_SYNC && op->wait.store) {
			rc = vcmdq_inv_store(viommu->s2, &op->wait, s2_locked);
			if (rc)
				break;
		}
	}
	vcmdq_exec_tlb_run(viommu, run, &nr_run);
	*done = i;
	return rc;
}

/**
 * vcmdq_invalidate() - the core of VCMDQ_INVALIDATE
 * @ctx: the file's context
 * @cmd: the request, already copied in; @cmd->entry_num is updated to the
 *	number of entries handled
 * @nonblock: the caller cannot sleep on a page fault or a contended lock
 *	(io_uring's first, inline attempt): return -EAGAIN instead
 *
 * With @nonblock, -EAGAIN comes only before any entry ran (a fault copying
 * the array in, or a contended S2 lock), never after: the caller retries
 * the whole request where it may block, and each entry must execute once.
 * A completion store executed twice is not harmless: the guest may have
 * consumed the first and reused the location for a later wait, which the
 * duplicate would complete early.
 *
 * Return: 0 or a negative errno as documented in the uapi header.
 */
int vcmdq_invalidate(struct vcmdq_ctx *ctx, struct vcmdq_invalidate *cmd,
		     bool nonblock)
{
	/*
	 * Not zeroed at entry (CONFIG_INIT_STACK_ALL_ZERO would, every call):
	 * only the bytes the copy wrote are ever read.
	 */
	u64 stack_buf[VCMDQ_INV_STACK_BYTES / sizeof(u64)] __uninitialized;
	void __user *uptr = u64_to_user_ptr(cmd->data_uptr);
	struct vcmdq_viommu *viommu;
	unsigned int format_len, done = 0;
	size_t bytes;
	u8 *entries;
	int rc;

	if (cmd->flags) {
		rc = -EOPNOTSUPP;
		goto out;
	}
	viommu = vcmdq_get_viommu(ctx, cmd->viommu_id);
	if (IS_ERR(viommu)) {
		rc = PTR_ERR(viommu);
		goto out;
	}

	rc = -EOPNOTSUPP;
	if (cmd->data_type >= 32 ||
	    !(viommu->inst->info.data_types & BIT(cmd->data_type)))
		goto out_put;
	if (!cmd->entry_num) {
		/* The probe: the instance speaks @data_type. */
		rc = 0;
		goto out_put;
	}
	rc = -EINVAL;
	format_len = vcmdq_inv_format_len(cmd->data_type, cmd->entry_len);
	if (!format_len || cmd->entry_len < format_len ||
	    cmd->entry_len > VCMDQ_INVALIDATE_MAX_ENTRY_LEN ||
	    cmd->entry_num > VCMDQ_INVALIDATE_MAX_ENTRIES || !uptr)
		goto out_put;

	bytes = (size_t)cmd->entry_num * cmd->entry_len;
	entries = (u8 *)stack_buf;
	if (bytes > sizeof(stack_buf)) {
		entries = vcmdq_inv_buf_get(ctx, bytes);
		if (!entries) {
			rc = -ENOMEM;
			goto out_put;
		}
	}
	/* One copy of the whole array; a fault in nonblock mode retries. */
	if (nonblock) {
		pagefault_disable();
		rc = vcmdq_inv_copy(entries, uptr, bytes);
		pagefault_enable();
		if (rc && access_ok(uptr, bytes))
			rc = -EAGAIN;
	} else {
		rc = vcmdq_inv_copy(entries, uptr, bytes);
	}
	/*
	 * Non-blocking, the S2 lock (completion stores need it) is taken for
	 * the whole batch up front, so contention is an -EAGAIN before any
	 * side effect rather than in the middle of the batch.  Blocking, each
	 * store takes it: an S2_MAP pinning a large range holds it for long.
	 */
	if (!rc && nonblock && !mutex_trylock(&viommu->s2->lock))
		rc = -EAGAIN;
	if (!rc) {
		rc = vcmdq_inv_run(viommu, cmd, format_len, entries,
				   cmd->entry_num, &done, nonblock);
		if (nonblock)
			mutex_unlock(&viommu->s2->lock);
	}
	if (entries != (u8 *)stack_buf)
		vcmdq_inv_buf_put(ctx, entries, bytes);
	vcmdq_count(viommu->inst, VCMDQ_CNT_SLOW_COMMANDS, done);
	if (rc == -EIO || rc == -E2BIG)
		vcmdq_count(viommu->inst, VCMDQ_CNT_ILLEGAL, 1);
out_put:
	vcmdq_put_object(&viommu->obj);
out:
	/* Every return reports what took effect: nothing, on early errors. */
	cmd->entry_num = done;
	return rc;
}

int vcmdq_invalidate_ioctl(struct vcmdq_ucmd *ucmd)
{
	struct vcmdq_invalidate *cmd = ucmd->cmd;
	struct vcmdq_invalidate __user *ucmd_user = ucmd->ubuffer;
	int rc;

	/* entry_num is mandatory: every caller's struct has it. */
	BUILD_BUG_ON(offsetofend(struct vcmdq_invalidate, entry_num) >
		     offsetofend(struct vcmdq_invalidate, data_uptr));
	rc = vcmdq_invalidate(ucmd->ctx, cmd, false);
	/*
	 * entry_num goes back on error too: it says what took effect.  If it
	 * cannot, EFAULT wins, so no caller reads a stale count.  It is the
	 * only field the call changes, so it alone is written back (as the
	 * io_uring front end does): what userspace reads is what a copy of
	 * the whole struct would give, for one store instead of a copy.
	 */
	if (put_user(cmd->entry_num, &ucmd_user->entry_num))
		return -EFAULT;
	return rc;
}
