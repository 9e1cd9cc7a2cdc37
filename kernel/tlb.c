// SPDX-License-Identifier: GPL-2.0
/*
 * The software IOTLB/ATC model of an emulated instance, indexed so that an
 * invalidation costs what it removes, not what the instance holds: every
 * operation names one owner (a host tag, a physical StreamID), found by
 * hash; under it, address spaces are an rb-tree ordered by (asid, pasid) or
 * (ssid), so a wildcard over the second or both components is a range of
 * it; in a space, entries are in interval trees by [start, last].  See
 * struct vcmdq_tlb_cache for the costs.
 *
 * Both caches share the code: an IOTLB key is (tag; asid, pasid), an ATC
 * key is (sid; ssid, 0), and leaf entries only exist in the IOTLB.
 *
 * Empty spaces and owners are freed as soon as they empty, so memory stays
 * proportional to the entries held, which VCMDQ_TLB_MAX_ENTRIES bounds.
 */
#include <linux/hash.h>
#include <linux/interval_tree_generic.h>
#include <linux/rbtree.h>
#include <linux/slab.h>

#include "tlb.h"

/**
 * struct vcmdq_tlb_entry - one cached translation
 * @rb: in its space's interval tree
 * @start: first byte
 * @last: last byte
 * @subtree_last: the interval tree's augmentation
 * @next_dead: chains removed entries, freed once the lock is dropped
 */
struct vcmdq_tlb_entry {
	struct rb_node rb;
	u64 start;
	u64 last;
	u64 subtree_last;
	struct vcmdq_tlb_entry *next_dead;
};

#define VCMDQ_TLB_ENTRY_START(e) ((e)->start)
#define VCMDQ_TLB_ENTRY_LAST(e) ((e)->last)
INTERVAL_TREE_DEFINE(struct vcmdq_tlb_entry, rb, u64, subtree_last,
		     VCMDQ_TLB_ENTRY_START, VCMDQ_TLB_ENTRY_LAST, static inline,
		     vcmdq_it)

/**
 * struct vcmdq_tlb_space - the entries of one address space of an owner
 * @node: in the owner's @spaces, ordered by @key
 * @key: (asid, pasid) for the IOTLB, (ssid, 0) for the ATC
 * @tree: interval trees of entries: [1] leaf entries, [0] the others
 *	(walk cache entries, and every ATC entry)
 * @nr: entries in both trees
 * @next_dead: chains emptied spaces, freed once the lock is dropped
 */
struct vcmdq_tlb_space {
	struct rb_node node;
	u32 key[2];
	struct rb_root_cached tree[2];
	unsigned int nr;
	struct vcmdq_tlb_space *next_dead;
};

/**
 * struct vcmdq_tlb_owner - what one host tag, or one device, has cached
 * @hnode: in the cache's hash bucket of @id
 * @id: host tag (IOTLB) or physical StreamID (ATC)
 * @spaces: struct vcmdq_tlb_space, by key
 * @next_dead: chains emptied owners, freed once the lock is dropped
 */
struct vcmdq_tlb_owner {
	struct hlist_node hnode;
	u32 id;
	struct rb_root spaces;
	struct vcmdq_tlb_owner *next_dead;
};

/**
 * struct vcmdq_tlb_query - which entries of one owner an operation concerns
 * @id: the owner
 * @key: the space's (asid, pasid) or (ssid, 0)
 * @any: @key[i] matches every value; with @any[0], @key[1] may still be
 *	required (a test counting one pasid in every asid)
 * @start: first byte
 * @last: last byte
 * @leaf_only: only leaf entries
 */
struct vcmdq_tlb_query {
	u32 id;
	u32 key[2];
	bool any[2];
	u64 start;
	u64 last;
	bool leaf_only;
};

/* What a removal unlinked under the lock, to free after it. */
struct vcmdq_tlb_dead {
	struct vcmdq_tlb_entry *entries;
	struct vcmdq_tlb_space *spaces;
	struct vcmdq_tlb_owner *owners;
};

void vcmdq_tlb_init(struct vcmdq_tlb *tlb)
{
	spin_lock_init(&tlb->lock);
	memset(&tlb->iotlb, 0, sizeof(tlb->iotlb));
	memset(&tlb->atc, 0, sizeof(tlb->atc));
}

static void vcmdq_tlb_free_space(struct vcmdq_tlb_space *s)
{
	struct vcmdq_tlb_entry *e, *tmp;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(s->tree); i++)
		rbtree_postorder_for_each_entry_safe(e, tmp,
						     &s->tree[i].rb_root, rb)
			kfree(e);
	kfree(s);
}

static void vcmdq_tlb_free_cache(struct vcmdq_tlb_cache *cache)
{
	struct vcmdq_tlb_space *s, *stmp;
	struct vcmdq_tlb_owner *o;
	struct hlist_node *otmp;
	unsigned int b;

	for (b = 0; b < ARRAY_SIZE(cache->owners); b++) {
		hlist_for_each_entry_safe(o, otmp, &cache->owners[b], hnode) {
			rbtree_postorder_for_each_entry_safe(s, stmp,
							     &o->spaces, node)
				vcmdq_tlb_free_space(s);
			kfree(o);
		}
	}
}

/* Context: nothing else uses @tlb any more (the instance is going away). */
void vcmdq_tlb_destroy(struct vcmdq_tlb *tlb)
{
	vcmdq_tlb_free_cache(&tlb->iotlb);
	vcmdq_tlb_free_cache(&tlb->atc);
	vcmdq_tlb_init(tlb);
}

static struct hlist_head *vcmdq_tlb_bucket(struct vcmdq_tlb_cache *cache,
					   u32 id)
{
	return &cache->owners[hash_32(id, VCMDQ_TLB_HASH_BITS)];
}

static struct vcmdq_tlb_owner *vcmdq_tlb_owner(struct vcmdq_tlb_cache *cache,
					       u32 id)
{
	struct vcmdq_tlb_owner *o;

	hlist_for_each_entry(o, vcmdq_tlb_bucket(cache, id), hnode)
		if (o->id == id)
			return o;
	return NULL;
}

static int vcmdq_tlb_key_cmp(const u32 a[2], const u32 b[2])
{
	if (a[0] != b[0])
		return a[0] < b[0] ? -1 : 1;
	if (a[1] != b[1])
		return a[1] < b[1] ? -1 : 1;
	return 0;
}

/* The first space of @o whose key is at least @key, or NULL. */
static struct vcmdq_tlb_space *
vcmdq_tlb_space_lower_bound(struct vcmdq_tlb_owner *o, const u32 key[2])
{
	struct rb_node *n = o->spaces.rb_node;
	struct vcmdq_tlb_space *best = NULL;

	while (n) {
		struct vcmdq_tlb_space *s =
			rb_entry(n, struct vcmdq_tlb_space, node);

		if (vcmdq_tlb_key_cmp(s->key, key) >= 0) {
			best = s;
			n = n->rb_left;
		} else {
			n = n->rb_right;
		}
	}
	return best;
}

/*
 * The spaces a query reaches form one range of the owner's tree: from its
 * key with the wildcard components zeroed, while the components before the
 * first wildcard stay equal.  A required component after a wildcard is
 * filtered here.
 */
static struct vcmdq_tlb_space *
vcmdq_tlb_space_first(struct vcmdq_tlb_owner *o,
		      const struct vcmdq_tlb_query *q)
{
	u32 from[2] = { q->any[0] ? 0 : q->key[0],
			q->any[0] || q->any[1] ? 0 : q->key[1] };

	return vcmdq_tlb_space_lower_bound(o, from);
}

/* 1: @s matches; 0: it does not, but a later one may; -1: none will. */
static int vcmdq_tlb_space_match(const struct vcmdq_tlb_space *s,
				 const struct vcmdq_tlb_query *q)
{
	if (!q->any[0] && s->key[0] != q->key[0])
		return -1;
	if (!q->any[1] && s->key[1] != q->key[1])
		return q->any[0] ? 0 : -1;
	return 1;
}

/* The interval trees of @s a query reaches: [lo, 2). */
static unsigned int vcmdq_tlb_first_tree(const struct vcmdq_tlb_query *q)
{
	return q->leaf_only ? 1 : 0;
}

/*
 * Unlink every entry of @s that overlaps the query's range onto @dead.
 * Each unlink restarts the search, as removal rebalances the tree:
 * O(log n) per entry removed.  Return: entries removed.
 */
static unsigned int vcmdq_tlb_space_remove(struct vcmdq_tlb_space *s,
					   const struct vcmdq_tlb_query *q,
					   struct vcmdq_tlb_dead *dead)
{
	unsigned int i, removed = 0;
	struct vcmdq_tlb_entry *e;

	for (i = vcmdq_tlb_first_tree(q); i < ARRAY_SIZE(s->tree); i++) {
		while ((e = vcmdq_it_iter_first(&s->tree[i], q->start,
						q->last))) {
			vcmdq_it_remove(e, &s->tree[i]);
			e->next_dead = dead->entries;
			dead->entries = e;
			removed++;
		}
	}
	s->nr -= removed;
	return removed;
}

static unsigned int vcmdq_tlb_space_count(struct vcmdq_tlb_space *s,
					  const struct vcmdq_tlb_query *q)
{
	unsigned int i, n = 0;
	struct vcmdq_tlb_entry *e;

	for (i = vcmdq_tlb_first_tree(q); i < ARRAY_SIZE(s->tree); i++)
		for (e = vcmdq_it_iter_first(&s->tree[i], q->start, q->last);
		     e; e = vcmdq_it_iter_next(e, q->start, q->last))
			n++;
	return n;
}

static void vcmdq_tlb_free_dead(struct vcmdq_tlb_dead *dead)
{
	while (dead->entries) {
		struct vcmdq_tlb_entry *e = dead->entries;

		dead->entries = e->next_dead;
		kfree(e);
	}
	while (dead->spaces) {
		struct vcmdq_tlb_space *s = dead->spaces;

		dead->spaces = s->next_dead;
		kfree(s);
	}
	while (dead->owners) {
		struct vcmdq_tlb_owner *o = dead->owners;

		dead->owners = o->next_dead;
		kfree(o);
	}
}

/*
 * Remove every matching entry, and the spaces and owner it empties.  The
 * lock covers only tree surgery: everything is freed after it is dropped.
 * Return: entries removed.
 */
static unsigned int vcmdq_tlb_remove(struct vcmdq_tlb *tlb,
				     struct vcmdq_tlb_cache *cache,
				     const struct vcmdq_tlb_query *q)
{
	struct vcmdq_tlb_dead dead = {};
	struct vcmdq_tlb_space *s, *next;
	struct vcmdq_tlb_owner *o;
	unsigned int removed = 0;
	int m;

	spin_lock(&tlb->lock);
	o = vcmdq_tlb_owner(cache, q->id);
	if (!o)
		goto out_unlock;
	for (s = vcmdq_tlb_space_first(o, q); s; s = next) {
		next = rb_entry_safe(rb_next(&s->node), struct vcmdq_tlb_space,
				     node);
		m = vcmdq_tlb_space_match(s, q);
		if (m < 0)
			break;
		if (!m)
			continue;
		removed += vcmdq_tlb_space_remove(s, q, &dead);
		if (!s->nr) {
			rb_erase(&s->node, &o->spaces);
			s->next_dead = dead.spaces;
			dead.spaces = s;
		}
	}
	if (RB_EMPTY_ROOT(&o->spaces)) {
		hlist_del(&o->hnode);
		o->next_dead = dead.owners;
		dead.owners = o;
	}
	cache->nr -= removed;
out_unlock:
	spin_unlock(&tlb->lock);
	vcmdq_tlb_free_dead(&dead);
	return removed;
}

static unsigned int vcmdq_tlb_count(struct vcmdq_tlb *tlb,
				    struct vcmdq_tlb_cache *cache,
				    const struct vcmdq_tlb_query *q)
{
	struct vcmdq_tlb_space *s;
	struct vcmdq_tlb_owner *o;
	unsigned int n = 0;
	int m;

	spin_lock(&tlb->lock);
	o = vcmdq_tlb_owner(cache, q->id);
	for (s = o ? vcmdq_tlb_space_first(o, q) : NULL; s;
	     s = rb_entry_safe(rb_next(&s->node), struct vcmdq_tlb_space,
			       node)) {
		m = vcmdq_tlb_space_match(s, q);
		if (m < 0)
			break;
		if (m)
			n += vcmdq_tlb_space_count(s, q);
	}
	spin_unlock(&tlb->lock);
	return n;
}

/*
 * Insert one entry under (@id; @key), creating its owner and space as
 * needed.  Both are allocated before the lock is taken (it is a spinlock)
 * and freed after it when they already existed: insertion is the test
 * hook's, never on an invalidation path.
 */
static int vcmdq_tlb_insert(struct vcmdq_tlb *tlb,
			    struct vcmdq_tlb_cache *cache, u32 id,
			    const u32 key[2], u64 start, u64 last, bool leaf)
{
	struct vcmdq_tlb_owner *o, *new_o;
	struct vcmdq_tlb_space *s, *new_s;
	struct vcmdq_tlb_entry *e;
	struct rb_node **link, *parent = NULL;
	int rc = -ENOMEM;

	if (last < start)
		return -EINVAL;
	e = kzalloc(sizeof(*e), GFP_KERNEL_ACCOUNT);
	new_s = kzalloc(sizeof(*new_s), GFP_KERNEL_ACCOUNT);
	new_o = kzalloc(sizeof(*new_o), GFP_KERNEL_ACCOUNT);
	if (!e || !new_s || !new_o)
		goto out_free;
	e->start = start;
	e->last = last;

	spin_lock(&tlb->lock);
	if (cache->nr >= VCMDQ_TLB_MAX_ENTRIES) {
		rc = -ENOSPC;
		goto out_unlock;
	}
	o = vcmdq_tlb_owner(cache, id);
	if (!o) {
		o = new_o;
		new_o = NULL;
		o->id = id;
		o->spaces = RB_ROOT;
		hlist_add_head(&o->hnode, vcmdq_tlb_bucket(cache, id));
	}
	link = &o->spaces.rb_node;
	s = NULL;
	while (*link) {
		struct vcmdq_tlb_space *cur =
			rb_entry(*link, struct vcmdq_tlb_space, node);
		int cmp = vcmdq_tlb_key_cmp(key, cur->key);

		parent = *link;
		if (!cmp) {
			s = cur;
			break;
		}
		link = cmp < 0 ? &parent->rb_left : &parent->rb_right;
	}
	if (!s) {
		s = new_s;
		new_s = NULL;
		s->key[0] = key[0];
		s->key[1] = key[1];
		s->tree[0] = RB_ROOT_CACHED;
		s->tree[1] = RB_ROOT_CACHED;
		rb_link_node(&s->node, parent, link);
		rb_insert_color(&s->node, &o->spaces);
	}
	vcmdq_it_insert(e, &s->tree[leaf]);
	s->nr++;
	cache->nr++;
	e = NULL;
	rc = 0;
out_unlock:
	spin_unlock(&tlb->lock);
out_free:
	kfree(new_o);
	kfree(new_s);
	kfree(e);
	return rc;
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
	const u32 key[2] = { asid, pasid };

	return vcmdq_tlb_insert(tlb, &tlb->iotlb, tag, key, start, last, leaf);
}

/* Same contract as vcmdq_tlb_add_iotlb(), for a device's ATC. */
int vcmdq_tlb_add_atc(struct vcmdq_tlb *tlb, u32 sid, u32 ssid, u64 start,
		      u64 last)
{
	const u32 key[2] = { ssid, 0 };

	return vcmdq_tlb_insert(tlb, &tlb->atc, sid, key, start, last, false);
}

static void vcmdq_iotlb_query(const struct vcmdq_iotlb_key *key,
			      struct vcmdq_tlb_query *q)
{
	*q = (struct vcmdq_tlb_query){
		.id = key->tag,
		.key = { key->asid, key->pasid },
		.any = { key->any_asid, key->any_pasid },
		.start = key->start,
		.last = key->last,
		.leaf_only = key->leaf_only,
	};
}

static void vcmdq_atc_query(const struct vcmdq_atc_key *key,
			    struct vcmdq_tlb_query *q)
{
	*q = (struct vcmdq_tlb_query){
		.id = key->sid,
		.key = { key->ssid, 0 },
		.any = { key->any_ssid, true },
		.start = key->start,
		.last = key->last,
	};
}

/* Return: the number of entries removed. */
unsigned int vcmdq_tlb_inv_iotlb(struct vcmdq_tlb *tlb,
				 const struct vcmdq_iotlb_key *key)
{
	struct vcmdq_tlb_query q;

	vcmdq_iotlb_query(key, &q);
	return vcmdq_tlb_remove(tlb, &tlb->iotlb, &q);
}

unsigned int vcmdq_tlb_inv_atc(struct vcmdq_tlb *tlb,
			       const struct vcmdq_atc_key *key)
{
	struct vcmdq_tlb_query q;

	vcmdq_atc_query(key, &q);
	return vcmdq_tlb_remove(tlb, &tlb->atc, &q);
}

unsigned int vcmdq_tlb_count_iotlb(struct vcmdq_tlb *tlb,
				   const struct vcmdq_iotlb_key *key)
{
	struct vcmdq_tlb_query q;

	vcmdq_iotlb_query(key, &q);
	return vcmdq_tlb_count(tlb, &tlb->iotlb, &q);
}

unsigned int vcmdq_tlb_count_atc(struct vcmdq_tlb *tlb,
				 const struct vcmdq_atc_key *key)
{
	struct vcmdq_tlb_query q;

	vcmdq_atc_query(key, &q);
	return vcmdq_tlb_count(tlb, &tlb->atc, &q);
}
