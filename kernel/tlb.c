// SPDX-License-Identifier: GPL-2.0
/*
 * The software IOTLB/ATC model of an emulated instance.  Entries are kept in
 * plain lists: the model exists to make invalidation observable, and a
 * linear scan under a spinlock is both obviously correct and fast enough for
 * the entry counts tests use (bounded by VCMDQ_TLB_MAX_ENTRIES).
 */
#include <linux/slab.h>

#include "tlb.h"

/* The list node comes first: the list code frees entries through it. */
struct vcmdq_iotlb_entry {
	struct list_head node;
	u32 tag;
	u32 asid;
	u32 pasid;
	u64 start;
	u64 last;
	bool leaf;
};

struct vcmdq_atc_entry {
	struct list_head node;
	u32 sid;
	u32 ssid;
	u64 start;
	u64 last;
};

static_assert(offsetof(struct vcmdq_iotlb_entry, node) == 0);
static_assert(offsetof(struct vcmdq_atc_entry, node) == 0);

void vcmdq_tlb_init(struct vcmdq_tlb *tlb)
{
	spin_lock_init(&tlb->lock);
	INIT_LIST_HEAD(&tlb->iotlb);
	INIT_LIST_HEAD(&tlb->atc);
	tlb->nr_iotlb = 0;
	tlb->nr_atc = 0;
}

static void vcmdq_tlb_free_list(struct list_head *list)
{
	struct list_head *node, *tmp;

	list_for_each_safe(node, tmp, list)
		kfree(node);
}

void vcmdq_tlb_destroy(struct vcmdq_tlb *tlb)
{
	vcmdq_tlb_free_list(&tlb->iotlb);
	vcmdq_tlb_free_list(&tlb->atc);
	vcmdq_tlb_init(tlb);
}

static bool vcmdq_ranges_overlap(u64 start1, u64 last1, u64 start2, u64 last2)
{
	return start1 <= last2 && start2 <= last1;
}

/*
 * Both caches are lists of entries whose first member is their list node,
 * so the list operations below serve both, with a match function per kind.
 */
typedef bool (*vcmdq_tlb_match_t)(const struct list_head *node,
				  const void *key);

static int vcmdq_tlb_insert(struct vcmdq_tlb *tlb, struct list_head *list,
			    unsigned int *nr, struct list_head *node)
{
	int rc = 0;

	spin_lock(&tlb->lock);
	if (*nr >= VCMDQ_TLB_MAX_ENTRIES) {
		rc = -ENOSPC;
	} else {
		list_add_tail(node, list);
		(*nr)++;
	}
	spin_unlock(&tlb->lock);
	return rc;
}

/*
 * Remove every matching entry.  Freed after the lock is dropped, so the
 * critical section is only list surgery.  Return: entries removed.
 */
static unsigned int vcmdq_tlb_remove(struct vcmdq_tlb *tlb,
				     struct list_head *list, unsigned int *nr,
				     vcmdq_tlb_match_t match, const void *key)
{
	struct list_head *node, *tmp;
	unsigned int removed = 0;
	LIST_HEAD(dead);

	spin_lock(&tlb->lock);
	list_for_each_safe(node, tmp, list) {
		if (!match(node, key))
			continue;
		list_move(node, &dead);
		removed++;
	}
	*nr -= removed;
	spin_unlock(&tlb->lock);

	list_for_each_safe(node, tmp, &dead)
		kfree(node);
	return removed;
}

static unsigned int vcmdq_tlb_count(struct vcmdq_tlb *tlb,
				    struct list_head *list,
				    vcmdq_tlb_match_t match, const void *key)
{
	struct list_head *node;
	unsigned int n = 0;

	spin_lock(&tlb->lock);
	list_for_each(node, list)
		n += match(node, key);
	spin_unlock(&tlb->lock);
	return n;
}

static bool vcmdq_iotlb_match(const struct list_head *node, const void *k)
{
	const struct vcmdq_iotlb_entry *e =
		list_entry(node, struct vcmdq_iotlb_entry, node);
	const struct vcmdq_iotlb_key *key = k;

	return e->tag == key->tag && (key->any_asid || e->asid == key->asid) &&
	       (key->any_pasid || e->pasid == key->pasid) &&
	       (!key->leaf_only || e->leaf) &&
	       vcmdq_ranges_overlap(e->start, e->last, key->start, key->last);
}

static bool vcmdq_atc_match(const struct list_head *node, const void *k)
{
	const struct vcmdq_atc_entry *e =
		list_entry(node, struct vcmdq_atc_entry, node);
	const struct vcmdq_atc_key *key = k;

	return e->sid == key->sid && (key->any_ssid || e->ssid == key->ssid) &&
	       vcmdq_ranges_overlap(e->start, e->last, key->start, key->last);
}

/**
 * vcmdq_tlb_add_iotlb() - insert an IOTLB entry, as a page walk would
 * @tlb: the model
 * @tag: host tag
 * @asid: guest address space
 * @pasid: process address space (0 where the flavor has none)
 * @start: first byte
 * @last: last byte, >= @start
 * @leaf: a last-level entry (false: a walk cache entry)
 *
 * Return: 0, -EINVAL for an empty range, -ENOSPC past VCMDQ_TLB_MAX_ENTRIES,
 * or -ENOMEM.
 */
int vcmdq_tlb_add_iotlb(struct vcmdq_tlb *tlb, u32 tag, u32 asid, u32 pasid,
			u64 start, u64 last, bool leaf)
{
	struct vcmdq_iotlb_entry *e;
	int rc;

	if (last < start)
		return -EINVAL;
	e = kzalloc(sizeof(*e), GFP_KERNEL_ACCOUNT);
	if (!e)
		return -ENOMEM;
	*e = (struct vcmdq_iotlb_entry){ .tag = tag, .asid = asid,
					 .pasid = pasid, .start = start,
					 .last = last, .leaf = leaf };
	rc = vcmdq_tlb_insert(tlb, &tlb->iotlb, &tlb->nr_iotlb, &e->node);
	if (rc)
		kfree(e);
	return rc;
}

/* Same contract as vcmdq_tlb_add_iotlb(), for a device's ATC. */
int vcmdq_tlb_add_atc(struct vcmdq_tlb *tlb, u32 sid, u32 ssid, u64 start,
		      u64 last)
{
	struct vcmdq_atc_entry *e;
	int rc;

	if (last < start)
		return -EINVAL;
	e = kzalloc(sizeof(*e), GFP_KERNEL_ACCOUNT);
	if (!e)
		return -ENOMEM;
	*e = (struct vcmdq_atc_entry){ .sid = sid, .ssid = ssid,
				       .start = start, .last = last };
	rc = vcmdq_tlb_insert(tlb, &tlb->atc, &tlb->nr_atc, &e->node);
	if (rc)
		kfree(e);
	return rc;
}

/* Return: the number of entries removed. */
unsigned int vcmdq_tlb_inv_iotlb(struct vcmdq_tlb *tlb,
				 const struct vcmdq_iotlb_key *key)
{
	return vcmdq_tlb_remove(tlb, &tlb->iotlb, &tlb->nr_iotlb,
				vcmdq_iotlb_match, key);
}

unsigned int vcmdq_tlb_inv_atc(struct vcmdq_tlb *tlb,
			       const struct vcmdq_atc_key *key)
{
	return vcmdq_tlb_remove(tlb, &tlb->atc, &tlb->nr_atc, vcmdq_atc_match,
				key);
}

unsigned int vcmdq_tlb_count_iotlb(struct vcmdq_tlb *tlb,
				   const struct vcmdq_iotlb_key *key)
{
	return vcmdq_tlb_count(tlb, &tlb->iotlb, vcmdq_iotlb_match, key);
}

unsigned int vcmdq_tlb_count_atc(struct vcmdq_tlb *tlb,
				 const struct vcmdq_atc_key *key)
{
	return vcmdq_tlb_count(tlb, &tlb->atc, vcmdq_atc_match, key);
}
