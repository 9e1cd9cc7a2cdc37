// SPDX-License-Identifier: GPL-2.0
/*
 * Stage-2 domains: the VM's guest-physical memory, as the IOMMU sees it.
 *
 * The VMM maps ranges of its own memory at guest-physical addresses.  The
 * pages are pinned long-term, as a device doing DMA to them would need, and
 * charged to the mapping user's locked memory the way iommufd charges them
 * (see vcmdq_s2_charge()).  Queues (and the slow path's completion stores)
 * reach guest memory through vcmdq_s2_gpa_to_page().
 */
#include <linux/cred.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/user.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "vcmdq_private.h"

/*
 * GPAs live in interval_tree_node's unsigned long; a 32-bit host would
 * truncate them.
 */
static_assert(sizeof(unsigned long) >= sizeof(u64));

/*
 * Pages are pinned, and their pointers kept, in chunks of this many: one
 * GUP call never holds the mmap lock for a whole mapping, and no mapping
 * needs one contiguous array of 8 bytes per page (4 GiB for 2 TiB) -- a
 * chunk's pointers fill one page, allocated only as its pages are pinned.
 */
#define VCMDQ_PIN_CHUNK (PAGE_SIZE / sizeof(struct page *))

/**
 * struct vcmdq_s2_mapping - one VCMDQ_S2_MAP range
 * @node: the GPA range in bytes, [start, last]
 * @chunks: the pinned VMM pages, one per guest page, VCMDQ_PIN_CHUNK per
 *	chunk (see vcmdq_s2_mapping_page())
 * @npages: number of pinned pages, also the charge
 * @mm: the mapping process's mm, whose pinned_vm (VmPin) shows @npages
 *	(held with mmgrab() until uncharged)
 * @cred: the mapping process's credentials (a reference), whose user's
 *	locked_vm is charged @npages, or NULL when the mapping process had
 *	CAP_IPC_LOCK and nothing was charged.  The cred, not the user_struct:
 *	its reference keeps cred->user alive, and put_cred() is exported on
 *	every 6.1 kernel, while free_uid() is not (6.1.176 lacks it)
 * @writable: pinned for write: unpinning marks the pages dirty
 * @holds: queues reading guest memory in this mapping; unmap is EBUSY
 *	while non-zero (the engine would read freed memory otherwise)
 */
struct vcmdq_s2_mapping {
	struct interval_tree_node node;
	struct page ***chunks;
	unsigned long npages;
	struct mm_struct *mm;
	const struct cred *cred;
	bool writable;
	unsigned int holds;
};

int vcmdq_s2_alloc_ioctl(struct vcmdq_ucmd *ucmd)
{
	struct vcmdq_s2_alloc *cmd = ucmd->cmd;
	struct vcmdq_s2 *s2;

	if (cmd->flags || cmd->__reserved)
		return -EOPNOTSUPP;

	s2 = vcmdq_object_alloc_ucmd(ucmd, s2, VCMDQ_OBJ_S2);
	if (IS_ERR(s2))
		return PTR_ERR(s2);
	mutex_init(&s2->lock);
	s2->mappings = RB_ROOT_CACHED;
	INIT_LIST_HEAD(&s2->viommus);

	cmd->out_s2_id = s2->obj.id;
	return vcmdq_ucmd_respond(ucmd, sizeof(*cmd));
}

static unsigned long vcmdq_s2_nchunks(unsigned long npages)
{
	return DIV_ROUND_UP(npages, VCMDQ_PIN_CHUNK);
}

/* Unpin the first @npages pages of @chunks (filled in order). */
static void vcmdq_s2_unpin(struct page ***chunks, unsigned long npages,
			   bool writable)
{
	unsigned long i, n;

	for (i = 0; npages; i++, npages -= n) {
		n = min_t(unsigned long, npages, VCMDQ_PIN_CHUNK);
		unpin_user_pages_dirty_lock(chunks[i], n, writable);
		atomic_long_sub(n, &vcmdq_pinned_pages);
		cond_resched();
	}
}

/* Free the page arrays of @chunks (NULL where never allocated) and it. */
static void vcmdq_s2_free_chunks(struct page ***chunks, unsigned long npages)
{
	unsigned long i;

	for (i = 0; i < vcmdq_s2_nchunks(npages); i++)
		kfree(chunks[i]);
	kvfree(chunks);
}

/*
 * May @page, just pinned long-term for write, be written behind the owner's
 * back for as long as the mapping lives?  Anonymous memory, shmem (tmpfs,
 * memfd, shared anonymous, SysV shm) and hugetlbfs, yes.  Page cache of any
 * other file, no: our stores (and a device's DMA) would dirty it without the
 * filesystem knowing, so writeback could miss or corrupt it.  Linux 6.5+
 * refuses such pins in GUP itself (writable_file_mapping_allowed(),
 * folio_fast_pin_allowed()); 6.1 does not, so we check what was pinned.
 * Checking the pages rather than the VMAs is race-free: it is exactly what
 * we hold.  A private file mapping pinned for write was COWed to anonymous
 * pages by the pin, so it passes.
 */
static bool vcmdq_s2_page_writable_pin_ok(struct page *page)
{
	struct folio *folio = page_folio(page);
	struct address_space *mapping;
	bool ok;

	if (folio_test_anon(folio) || folio_test_hugetlb(folio))
		return true;
	/*
	 * The folio lock keeps ->mapping (and so its inode) from going away
	 * under truncation while we look.  tmpfs and the kernel's internal
	 * shmem mount both carry TMPFS_MAGIC; shmem_mapping() is not
	 * exported to modules.
	 */
	folio_lock(folio);
	mapping = folio->mapping;
	ok = !mapping || mapping->host->i_sb->s_magic == TMPFS_MAGIC;
	folio_unlock(folio);
	return ok;
}

/*
 * Pin @npages at @uaddr into @chunks (zeroed, vcmdq_s2_nchunks() entries),
 * allocating each chunk's page array as it is reached.  On failure nothing
 * stays pinned; the caller frees @chunks.  Return: 0; -ENOMEM; -EFAULT for
 * an address not mapped with the access asked for, or a writable pin of a
 * file's page cache (see above); another negative errno from GUP.
 */
static int vcmdq_s2_pin(u64 uaddr, unsigned long npages, bool writable,
			struct page ***chunks)
{
	unsigned int gup_flags = FOLL_LONGTERM | (writable ? FOLL_WRITE : 0);
	unsigned long done = 0, i;
	int rc;

	while (done < npages) {
		unsigned long c = done / VCMDQ_PIN_CHUNK;
		unsigned long off = done % VCMDQ_PIN_CHUNK;
		/* GUP may pin fewer than asked: then the chunk is resumed. */
		int want = min_t(unsigned long, npages - done,
				 VCMDQ_PIN_CHUNK - off);
		struct page **pages;

		if (!chunks[c]) {
			chunks[c] = kmalloc_array(VCMDQ_PIN_CHUNK,
						  sizeof(*chunks[c]),
						  GFP_KERNEL_ACCOUNT);
			if (!chunks[c]) {
				rc = -ENOMEM;
				goto err_unpin;
			}
		}
		pages = chunks[c] + off;
		rc = pin_user_pages_fast(uaddr + (done << PAGE_SHIFT), want,
					 gup_flags, pages);
		if (rc <= 0) {
			/* 0 pages means the next address is not mapped. */
			rc = rc ? rc : -EFAULT;
			goto err_unpin;
		}
		atomic_long_add(rc, &vcmdq_pinned_pages);
		done += rc;
		for (i = 0; writable && i < rc; i++) {
			if (!vcmdq_s2_page_writable_pin_ok(pages[i])) {
				rc = -EFAULT;
				goto err_unpin;
			}
		}
		cond_resched();
	}
	return 0;

err_unpin:
	vcmdq_s2_unpin(chunks, done, false);
	return rc;
}

/**
 * vcmdq_s2_charge() - account a new mapping's pages before pinning them
 * @map: the mapping; @map->npages is set
 *
 * Pinned pages are charged to the mapping process's *user*, not to its mm,
 * as iommufd does (incr_user_locked_vm()): the pins live as long as the
 * mapping, which outlives the process when the file was passed on or the
 * process forked, exec'd or exited.  A charge on the mm would die with the
 * mm while the pins stay, so a user could pin RLIMIT_MEMLOCK once per child.
 * user->locked_vm is shared by every process of the user (and by io_uring's
 * and perf's own charges), so RLIMIT_MEMLOCK of the caller bounds all pins
 * of the user together.  VFIO type1 charges mm->locked_vm instead
 * (account_locked_vm()), with exactly that hole.  A caller with CAP_IPC_LOCK
 * is not limited and, as in iommufd, not charged.  The mm's pinned_vm
 * (VmPin in /proc/PID/status) shows the pins either way, as iommufd's does.
 *
 * Called before anything is sized by @map->npages, so a map the limit never
 * allowed costs nothing.
 *
 * Return: 0, or -ENOMEM past RLIMIT_MEMLOCK.
 */
static int vcmdq_s2_charge(struct vcmdq_s2_mapping *map)
{
	unsigned long limit, cur, new;
	struct user_struct *user;

	if (!capable(CAP_IPC_LOCK)) {
		user = current_user();
		limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
		cur = atomic_long_read(&user->locked_vm);
		do {
			if (check_add_overflow(cur, map->npages, &new) ||
			    new > limit)
				return -ENOMEM;
		} while (!atomic_long_try_cmpxchg(&user->locked_vm, &cur, new));
		/* current_user() is current_cred()->user. */
		map->cred = get_current_cred();
	}
	mmgrab(current->mm);
	map->mm = current->mm;
	atomic64_add(map->npages, &map->mm->pinned_vm);
	return 0;
}

/* Undo vcmdq_s2_charge(): to the same user and mm, whoever calls. */
static void vcmdq_s2_uncharge(struct vcmdq_s2_mapping *map)
{
	atomic64_sub(map->npages, &map->mm->pinned_vm);
	mmdrop(map->mm);
	if (map->cred) {
		atomic_long_sub(map->npages, &map->cred->user->locked_vm);
		put_cred(map->cred);
	}
}

static void vcmdq_s2_mapping_free(struct vcmdq_s2_mapping *map)
{
	vcmdq_s2_unpin(map->chunks, map->npages, map->writable);
	vcmdq_s2_uncharge(map);
	vcmdq_s2_free_chunks(map->chunks, map->npages);
	kfree(map);
}

/*
 * Check a (page aligned, non-empty, non-wrapping) range; shared by map and
 * unmap so both report the same errno for the same mistake.
 */
static int vcmdq_s2_check_range(u64 start, u64 length)
{
	u64 last;

	if (!length || !PAGE_ALIGNED(start) || !PAGE_ALIGNED(length))
		return -EINVAL;
	if (check_add_overflow(start, length - 1, &last))
		return -EOVERFLOW;
	return 0;
}

int vcmdq_s2_map_ioctl(struct vcmdq_ucmd *ucmd)
{
	const u32 known_flags = VCMDQ_S2_MAP_READ | VCMDQ_S2_MAP_WRITE;
	struct vcmdq_s2_map *cmd = ucmd->cmd;
	struct vcmdq_s2_mapping *map;
	struct vcmdq_s2 *s2;
	unsigned long npages;
	int rc;

	if ((cmd->flags & ~known_flags) || cmd->__reserved)
		return -EOPNOTSUPP;
	if (!cmd->flags)
		return -EINVAL;
	rc = vcmdq_s2_check_range(cmd->gpa, cmd->length);
	if (!rc)
		rc = vcmdq_s2_check_range(cmd->uaddr, cmd->length);
	if (rc)
		return rc;
	npages = cmd->length >> PAGE_SHIFT;

	s2 = vcmdq_get_s2(ucmd->ctx, cmd->s2_id);
	if (IS_ERR(s2))
		return PTR_ERR(s2);

	map = kzalloc(sizeof(*map), GFP_KERNEL_ACCOUNT);
	if (!map) {
		rc = -ENOMEM;
		goto out_put;
	}
	map->node.start = cmd->gpa;
	map->node.last = cmd->gpa + cmd->length - 1;
	map->npages = npages;
	map->writable = cmd->flags & VCMDQ_S2_MAP_WRITE;
	/* The limit first: nothing below is sized by a map it forbids. */
	rc = vcmdq_s2_charge(map);
	if (rc)
		goto out_free_map;
	/*
	 * 8 bytes per 512 pages (chunk arrays come as pages get pinned), so
	 * 16 MiB for 2 TiB, which only a CAP_IPC_LOCK caller gets here with:
	 * quietly ENOMEM when kvmalloc() will not give it.
	 */
	map->chunks = kvcalloc(vcmdq_s2_nchunks(npages), sizeof(*map->chunks),
			       GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!map->chunks) {
		rc = -ENOMEM;
		goto out_uncharge;
	}

	/*
	 * Held across the pin so two racing maps of one range cannot both pass
	 * the overlap check.  Order: s2->lock, then mmap_lock (the pin);
	 * nothing takes them the other way round.
	 */
	mutex_lock(&s2->lock);
	if (interval_tree_iter_first(&s2->mappings, map->node.start,
				     map->node.last)) {
		rc = -EEXIST;
		goto out_unlock;
	}
	rc = vcmdq_s2_pin(cmd->uaddr, npages, map->writable, map->chunks);
	if (rc)
		goto out_unlock;
	interval_tree_insert(&map->node, &s2->mappings);
	mutex_unlock(&s2->lock);
	vcmdq_put_object(&s2->obj);
	return 0;

out_unlock:
	mutex_unlock(&s2->lock);
	vcmdq_s2_free_chunks(map->chunks, npages);
out_uncharge:
	vcmdq_s2_uncharge(map);
out_free_map:
	kfree(map);
out_put:
	vcmdq_put_object(&s2->obj);
	return rc;
}

int vcmdq_s2_unmap_ioctl(struct vcmdq_ucmd *ucmd)
{
	struct vcmdq_s2_unmap *cmd = ucmd->cmd;
	struct interval_tree_node *node, *next;
	struct vcmdq_s2 *s2;
	u64 last, unmapped = 0;
	int rc;

	if (cmd->flags || cmd->__reserved)
		return -EOPNOTSUPP;
	rc = vcmdq_s2_check_range(cmd->gpa, cmd->length);
	if (rc)
		return rc;
	last = cmd->gpa + cmd->length - 1;

	s2 = vcmdq_get_s2(ucmd->ctx, cmd->s2_id);
	if (IS_ERR(s2))
		return PTR_ERR(s2);

	mutex_lock(&s2->lock);
	/* First check everything, so a failed unmap changes nothing. */
	for (node = interval_tree_iter_first(&s2->mappings, cmd->gpa, last);
	     node; node = interval_tree_iter_next(node, cmd->gpa, last)) {
		if (node->start < cmd->gpa || node->last > last) {
			rc = -EINVAL;
			goto out_unlock;
		}
		if (container_of(node, struct vcmdq_s2_mapping, node)->holds) {
			rc = -EBUSY;
			goto out_unlock;
		}
		unmapped += node->last - node->start + 1;
	}
	if (!unmapped) {
		rc = -ENOENT;
		goto out_unlock;
	}
	/* Nothing may use the pages once they are unpinned. */
	vcmdq_exec_s2_invalidate(s2);
	for (node = interval_tree_iter_first(&s2->mappings, cmd->gpa, last);
	     node; node = next) {
		next = interval_tree_iter_next(node, cmd->gpa, last);
		interval_tree_remove(node, &s2->mappings);
		vcmdq_s2_mapping_free(
			container_of(node, struct vcmdq_s2_mapping, node));
	}
	mutex_unlock(&s2->lock);
	vcmdq_put_object(&s2->obj);

	cmd->out_unmapped = unmapped;
	return vcmdq_ucmd_respond(ucmd, sizeof(*cmd));

out_unlock:
	mutex_unlock(&s2->lock);
	vcmdq_put_object(&s2->obj);
	return rc;
}

/* Context: @s2->lock held.  Return: the mapping holding @gpa, or NULL. */
static struct vcmdq_s2_mapping *vcmdq_s2_find(struct vcmdq_s2 *s2, u64 gpa)
{
	struct interval_tree_node *node;

	lockdep_assert_held(&s2->lock);
	node = interval_tree_iter_first(&s2->mappings, gpa, gpa);
	return node ? container_of(node, struct vcmdq_s2_mapping, node) : NULL;
}

static struct page *vcmdq_s2_mapping_page(struct vcmdq_s2_mapping *map,
					  u64 gpa)
{
	unsigned long i = (gpa - map->node.start) >> PAGE_SHIFT;

	return map->chunks[i / VCMDQ_PIN_CHUNK][i % VCMDQ_PIN_CHUNK];
}

/**
 * vcmdq_s2_gpa_to_page() - find the VMM page backing a guest-physical address
 * @s2: the S2
 * @gpa: the address
 *
 * Context: @s2->lock held, so the mapping cannot go away under the caller.
 * Return: the pinned page holding @gpa, or NULL when @gpa is not mapped.
 */
struct page *vcmdq_s2_gpa_to_page(struct vcmdq_s2 *s2, u64 gpa)
{
	struct vcmdq_s2_mapping *map = vcmdq_s2_find(s2, gpa);

	return map ? vcmdq_s2_mapping_page(map, gpa) : NULL;
}

/**
 * vcmdq_s2_gpa_to_page_writable() - vcmdq_s2_gpa_to_page() for a store
 * @s2: the S2
 * @gpa: the address
 *
 * Context: @s2->lock held.
 * Return: the page, or NULL when @gpa is not mapped with VCMDQ_S2_MAP_WRITE.
 */
struct page *vcmdq_s2_gpa_to_page_writable(struct vcmdq_s2 *s2, u64 gpa)
{
	struct vcmdq_s2_mapping *map = vcmdq_s2_find(s2, gpa);

	return map && map->writable ? vcmdq_s2_mapping_page(map, gpa) : NULL;
}

/*
 * Check that [gpa, gpa + length) is fully mapped (else -ENOENT) and then
 * that it is physically contiguous (else -EFAULT); @first gets the page
 * holding @gpa.  Context: @s2->lock held.
 */
static int vcmdq_s2_walk_range(struct vcmdq_s2 *s2, u64 gpa, u64 length,
			       struct page **first)
{
	u64 first_page = gpa & PAGE_MASK, last = gpa + length - 1;
	unsigned long npages = ((last & PAGE_MASK) - first_page) / PAGE_SIZE + 1;
	unsigned long i, pfn0;

	for (i = 0; i < npages; i++)
		if (!vcmdq_s2_gpa_to_page(s2, first_page + i * PAGE_SIZE))
			return -ENOENT;
	pfn0 = page_to_pfn(vcmdq_s2_gpa_to_page(s2, first_page));
	for (i = 1; i < npages; i++)
		if (page_to_pfn(vcmdq_s2_gpa_to_page(
			    s2, first_page + i * PAGE_SIZE)) != pfn0 + i)
			return -EFAULT;
	*first = pfn_to_page(pfn0);
	return 0;
}

static void vcmdq_s2_adjust_holds(struct vcmdq_s2 *s2, u64 gpa, u64 length,
				  int delta)
{
	struct interval_tree_node *node;
	u64 last = gpa + length - 1;

	for (node = interval_tree_iter_first(&s2->mappings, gpa, last); node;
	     node = interval_tree_iter_next(node, gpa, last))
		container_of(node, struct vcmdq_s2_mapping, node)->holds +=
			delta;
}

/*
 * A virtually contiguous kernel mapping of a mapped range whose pages are
 * not physically contiguous.  Context: @s2->lock held.
 */
static int vcmdq_s2_vmap_range(struct vcmdq_s2 *s2, u64 gpa, u64 length,
			       void **kaddr)
{
	u64 first_page = gpa & PAGE_MASK, last = gpa + length - 1;
	unsigned long npages = ((last & PAGE_MASK) - first_page) / PAGE_SIZE + 1;
	struct page **pages;
	unsigned long i;
	void *va;

	pages = kvmalloc_array(npages, sizeof(*pages), GFP_KERNEL_ACCOUNT);
	if (!pages)
		return -ENOMEM;
	for (i = 0; i < npages; i++)
		pages[i] = vcmdq_s2_gpa_to_page(s2, first_page + i * PAGE_SIZE);
	/* The mapping does not keep the array; the pins keep the pages. */
	va = vmap(pages, npages, VM_MAP, PAGE_KERNEL);
	kvfree(pages);
	if (!va)
		return -ENOMEM;
	*kaddr = va + offset_in_page(gpa);
	return 0;
}

/**
 * vcmdq_s2_hold_range() - make guest memory usable by a queue
 * @s2: the S2
 * @gpa: first byte (the caller checked @gpa + @length does not wrap)
 * @length: bytes, non-zero
 * @contiguous: the range must be physically contiguous, as hardware that
 *	reads the queue by physical address needs
 * @kaddr: the kernel address of @gpa
 *
 * The range must be mapped.  A physically contiguous range is reached
 * through the linear map; another one, allowed without @contiguous, through
 * a vmap() of its pages.  It stays held, and so pinned and mapped, until
 * vcmdq_s2_release_range(): S2_UNMAP over it fails with EBUSY.
 *
 * Return: 0, -ENOENT for an unmapped page, -EFAULT for a discontiguity with
 * @contiguous, -ENOMEM.
 */
int vcmdq_s2_hold_range(struct vcmdq_s2 *s2, u64 gpa, u64 length,
			bool contiguous, void **kaddr)
{
	struct page *first;
	void *va = NULL;
	int rc;

	mutex_lock(&s2->lock);
	rc = vcmdq_s2_walk_range(s2, gpa, length, &first);
	/* 64-bit only (see above): all of RAM is in the linear map. */
	if (!rc)
		va = page_address(first) + offset_in_page(gpa);
	else if (rc == -EFAULT && !contiguous)
		rc = vcmdq_s2_vmap_range(s2, gpa, length, &va);
	if (!rc) {
		vcmdq_s2_adjust_holds(s2, gpa, length, 1);
		*kaddr = va;
	}
	mutex_unlock(&s2->lock);
	return rc;
}

/* Undo vcmdq_s2_hold_range() of the same range, which returned @kaddr. */
void vcmdq_s2_release_range(struct vcmdq_s2 *s2, u64 gpa, u64 length,
			    void *kaddr)
{
	/* Unmapped while the pages are still held, so still pinned. */
	if (is_vmalloc_addr(kaddr))
		vunmap((void *)((unsigned long)kaddr & PAGE_MASK));
	mutex_lock(&s2->lock);
	vcmdq_s2_adjust_holds(s2, gpa, length, -1);
	mutex_unlock(&s2->lock);
}

void vcmdq_s2_destroy(struct vcmdq_object *obj)
{
	struct vcmdq_s2 *s2 = container_of(obj, struct vcmdq_s2, obj);
	struct interval_tree_node *node;

	/* Every vIOMMU holds a user of the S2, so none can be left. */
	WARN_ON(!list_empty(&s2->viommus));
	while ((node = interval_tree_iter_first(&s2->mappings, 0, ULONG_MAX))) {
		interval_tree_remove(node, &s2->mappings);
		vcmdq_s2_mapping_free(
			container_of(node, struct vcmdq_s2_mapping, node));
	}
	mutex_destroy(&s2->lock);
}
