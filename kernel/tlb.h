/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The software model of an instance's translation caches: an IOTLB indexed by
 * host tag, and an ATC (device TLBs) indexed by physical StreamID/DeviceID.
 *
 * Execution of every invalidation, fast or slow path, ends here, so tests can
 * populate the caches and assert exactly what a command removed and what it
 * must not have touched.
 */
#ifndef _VCMDQ_TLB_H
#define _VCMDQ_TLB_H

#include <linux/spinlock.h>
#include <linux/types.h>

/*
 * Buckets of a cache's owner index (see struct vcmdq_tlb_cache): a power of
 * two, a few more than the tags or devices an instance usually serves.
 */
#define VCMDQ_TLB_HASH_BITS 8

/**
 * struct vcmdq_tlb_cache - one cache of the model, indexed
 * @owners: struct vcmdq_tlb_owner, hashed by owner ID: the host tag for the
 *	IOTLB, the physical StreamID for the ATC.  Every operation names
 *	exactly one owner, so the entries of other VMs and other devices are
 *	never visited.
 * @nr: entries in the cache (bounded by %VCMDQ_TLB_MAX_ENTRIES)
 *
 * Under an owner, entries are grouped by address space (IOTLB: asid,
 * pasid; ATC: ssid) in an rb-tree of spaces ordered by that pair, so that
 * "every pasid of an asid" and "every asid" are ranges of it; within a
 * space they sit in interval trees by [start, last], one for leaf entries
 * and one for the others.  An invalidation costs O(1) (the owner) +
 * O(log spaces + spaces matched) + O(log n) per entry removed.
 */
struct vcmdq_tlb_cache {
	struct hlist_head owners[1 << VCMDQ_TLB_HASH_BITS];
	unsigned int nr;
};

/**
 * struct vcmdq_tlb - one instance's caches
 * @lock: guards both caches and their counts; taken by the engine thread
 *	and by ioctls, never held across anything that sleeps
 * @iotlb: IOTLB (and walk cache) entries, by host tag
 * @atc: ATC entries, by physical StreamID
 */
struct vcmdq_tlb {
	spinlock_t lock;
	struct vcmdq_tlb_cache iotlb;
	struct vcmdq_tlb_cache atc;
};

/*
 * Bounds what a test (or a hostile user of the test hook) can make the model
 * hold, per cache, so memory use stays bounded (an entry is 64 bytes, plus
 * its space and owner nodes when it is alone in them): room for a bench's
 * 100000 entries of other VMs besides a test's own.
 */
#define VCMDQ_TLB_MAX_ENTRIES 131072

/**
 * struct vcmdq_iotlb_key - which IOTLB entries an operation concerns
 * @tag: host tag (VMID / DomainID / DID of the host): always matched
 * @asid: guest address space (SMMUv3 ASID, AMD guest DomainID, VT-d DID)
 * @pasid: process address space, where the flavor has one
 * @any_asid: match every @asid under @tag
 * @any_pasid: match every @pasid
 * @start: first byte of the range
 * @last: last byte of the range; [0, U64_MAX] is everything
 * @leaf_only: only last-level entries (a TLBI with LEAF=1 may leave walk
 *	caches); otherwise leaf and table entries alike
 */
struct vcmdq_iotlb_key {
	u32 tag;
	u32 asid;
	u32 pasid;
	bool any_asid;
	bool any_pasid;
	u64 start;
	u64 last;
	bool leaf_only;
};

/**
 * struct vcmdq_atc_key - which ATC entries an operation concerns
 * @sid: physical StreamID / DeviceID / requester ID
 * @ssid: substream ID / PASID
 * @any_ssid: match every @ssid of @sid (ATC_INV without SSV, or GLOBAL)
 * @start: first byte
 * @last: last byte
 */
struct vcmdq_atc_key {
	u32 sid;
	u32 ssid;
	bool any_ssid;
	u64 start;
	u64 last;
};

void vcmdq_tlb_init(struct vcmdq_tlb *tlb);
void vcmdq_tlb_destroy(struct vcmdq_tlb *tlb);
int vcmdq_tlb_add_iotlb(struct vcmdq_tlb *tlb, u32 tag, u32 asid, u32 pasid,
			u64 start, u64 last, bool leaf);
int vcmdq_tlb_add_atc(struct vcmdq_tlb *tlb, u32 sid, u32 ssid, u64 start,
		      u64 last);
unsigned int vcmdq_tlb_inv_iotlb(struct vcmdq_tlb *tlb,
				 const struct vcmdq_iotlb_key *key);
unsigned int vcmdq_tlb_inv_atc(struct vcmdq_tlb *tlb,
			       const struct vcmdq_atc_key *key);
unsigned int vcmdq_tlb_count_iotlb(struct vcmdq_tlb *tlb,
				   const struct vcmdq_iotlb_key *key);
unsigned int vcmdq_tlb_count_atc(struct vcmdq_tlb *tlb,
				 const struct vcmdq_atc_key *key);

#endif /* _VCMDQ_TLB_H */
