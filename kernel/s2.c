// SPDX-License-Identifier: GPL-2.0
/*
 * Stage-2 domains: the VM's guest-physical memory, as the IOMMU sees it.
 *
 * The VMM maps ranges of its own memory at guest-physical addresses.  The
 * pages are pinned long-term, as a device doing DMA to them would need, and
 * charged to RLIMIT_MEMLOCK the way VFIO charges them.  Queues (and the
 * slow path's completion stores) reach guest memory through
 * vcmdq_s2_gpa_to_page().
 */
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "vcmdq_private.h"

/*
 * GPAs live in interval_tree_node's unsigned long; a 32-bit host would
 * truncate them.
 */
static_assert(sizeof(unsigned long) >= sizeof(u64));

/* Pin in chunks so one call never holds the mmap lock for a whole mapping. */
#define VCMDQ_PIN_CHUNK 512

/**
 * struct vcmdq_s2_mapping - one VCMDQ_S2_MAP range
 * @node: the GPA range in bytes, [start, last]
 * @pages: the pinned VMM pages, one per guest page
 * @npages: number of @pages, also the locked_vm charge
 * @mm: the mm charged for @npages (held with mmgrab() until uncharged)
 * @writable: pinned for write: unpinning marks the pages dirty
 * @holds: queues reading guest memory in this mapping; unmap is EBUSY
 *	while non-zero (the engine would read freed memory otherwise)
 */
struct vcmdq_s2_mapping {
	struct interval_tree_node node;
	struct page **pages;
	unsigned long npages;
	struct mm_struct *mm;
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

static void vcmdq_s2_unpin(struct page **pages, unsigned long npages,
			   bool writable)
{
	unpin_user_pages_dirty_lock(pages, npages, writable);
	atomic_long_sub(npages, &vcmdq_pinned_pages);
}

static int vcmdq_s2_pin(u64 uaddr, unsigned long npages, bool writable,
			struct page **pages)
{
	unsigned int gup_flags = FOLL_LONGTERM | (writable ? FOLL_WRITE : 0);
	unsigned long done = 0;
	int rc;

	while (done < npages) {
		int chunk = min_t(unsigned long, npages - done,
				  VCMDQ_PIN_CHUNK);

		rc = pin_user_pages_fast(uaddr + (done << PAGE_SHIFT), chunk,
					 gup_flags, pages + done);
		if (rc <= 0) {
			/* 0 pages means the next address is not mapped. */
			rc = rc ? rc : -EFAULT;
			goto err_unpin;
		}
		atomic_long_add(rc, &vcmdq_pinned_pages);
		done += rc;
		cond_resched();
	}
	return 0;

err_unpin:
	vcmdq_s2_unpin(pages, done, false);
	return rc;
}

static void vcmdq_s2_mapping_free(struct vcmdq_s2_mapping *map)
{
	vcmdq_s2_unpin(map->pages, map->npages, map->writable);
	account_locked_vm(map->mm, map->npages, false);
	mmdrop(map->mm);
	kvfree(map->pages);
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
	if (cmd->length >> PAGE_SHIFT > ULONG_MAX / sizeof(struct page *))
		return -ENOMEM;
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
	map->pages = kvmalloc_array(npages, sizeof(*map->pages),
				    GFP_KERNEL_ACCOUNT);
	if (!map->pages) {
		rc = -ENOMEM;
		goto out_free_map;
	}

	/*
	 * Held across the pin so two racing maps of one range cannot both pass
	 * the overlap check.  Order: s2->lock, then mmap_lock (pin and
	 * account_locked_vm); nothing takes them the other way round.
	 */
	mutex_lock(&s2->lock);
	if (interval_tree_iter_first(&s2->mappings, map->node.start,
				     map->node.last)) {
		rc = -EEXIST;
		goto out_unlock;
	}
	/* Charges current->mm; checks RLIMIT_MEMLOCK unless CAP_IPC_LOCK. */
	rc = account_locked_vm(current->mm, npages, true);
	if (rc)
		goto out_unlock;
	rc = vcmdq_s2_pin(cmd->uaddr, npages, map->writable, map->pages);
	if (rc) {
		account_locked_vm(current->mm, npages, false);
		goto out_unlock;
	}
	mmgrab(current->mm);
	map->mm = current->mm;
	interval_tree_insert(&map->node, &s2->mappings);
	mutex_unlock(&s2->lock);
	vcmdq_put_object(&s2->obj);
	return 0;

out_unlock:
	mutex_unlock(&s2->lock);
	kvfree(map->pages);
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
	return map->pages[(gpa - map->node.start) >> PAGE_SHIFT];
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
