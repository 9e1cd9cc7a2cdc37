/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vcmdq internal structures: the per-file object table, the object types and
 * the IOMMU instances they sit on.
 */
#ifndef _VCMDQ_PRIVATE_H
#define _VCMDQ_PRIVATE_H

#include <linux/atomic.h>
#include <linux/idr.h>
#include <linux/interval_tree.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/types.h>
#include <linux/xarray.h>
#include <linux/vcmdq.h>

#include "compat.h"

/* The host tag width: VMID (SMMUv3), DomainID (AMD-Vi), DID (VT-d). */
#define VCMDQ_TAG_BITS_MIN 8
#define VCMDQ_TAG_BITS_MAX 16
#define VCMDQ_MAX_INSTANCES 64

/*
 * Tegra241 CMDQV has up to 64 VINTFs; the model keeps 16, of which VINTF0
 * belongs to the host (HYP_OWN), so 15 are usable by guests.  The 128
 * VCMDQs are statically partitioned over the 16 VINTFs, 8 each.
 */
#define VCMDQ_TEGRA241_VINTFS 16
#define VCMDQ_TEGRA241_LVCMDQS_PER_VINTF 8
#define VCMDQ_TEGRA241_SIDS_PER_VINTF 16
/* SMMUv3 IDR1.CMDQS is at most 19 (2^19 entries of 16 bytes). */
#define VCMDQ_SMMUV3_CMDQS_MAX 19
/* Slow path flavors translate virtual device IDs through a table this big. */
#define VCMDQ_SLOW_VSIDS_PER_VIOMMU 256

/**
 * struct vcmdq_instance - one IOMMU instance of the host
 * @info: what GET_INFO reports (live_viommus is filled at report time)
 * @name: the flavor's name, as the "instances" module parameter spells it
 * @tags: host tag allocator, 1..(1 << tag_bits) - 1; tag 0 is reserved
 *	(stage-2 bypass on SMMUv3), so it is never handed out
 * @slots: vIOMMU slot allocator, 1..max_viommus; on Tegra241 the slot is
 *	the VINTF index (VINTF0 is the host's)
 * @live_viommus: vIOMMUs holding a slot and a tag, over all files
 *
 * Instances are created at module load and live until unload; files only
 * ever hold pointers to them while the module is pinned by the open file.
 */
struct vcmdq_instance {
	struct vcmdq_instance_info info;
	const char *name;
	struct ida tags;
	struct ida slots;
	atomic_t live_viommus;
};

int vcmdq_instances_init(const char *flavors, unsigned int tag_bits);
void vcmdq_instances_exit(void);
unsigned int vcmdq_instances_count(void);
struct vcmdq_instance *vcmdq_instance_get(u32 id);
void vcmdq_instance_report(const struct vcmdq_instance *inst,
			   struct vcmdq_instance_info *info);
int vcmdq_instance_claim(struct vcmdq_instance *inst, u32 *tag, u32 *slot);
void vcmdq_instance_release(struct vcmdq_instance *inst, u32 tag, u32 slot);

enum vcmdq_obj_type {
	VCMDQ_OBJ_NONE,
	VCMDQ_OBJ_ANY = VCMDQ_OBJ_NONE,
	VCMDQ_OBJ_S2,
	VCMDQ_OBJ_VIOMMU,
	VCMDQ_OBJ_MAX,
};

/**
 * struct vcmdq_object - the common header, first in every object
 * @users: 1 for the object table, plus one per object or operation that
 *	depends on this one.  DESTROY succeeds only when it can drop the
 *	count from exactly 1, so a dependent makes its parent EBUSY.
 * @type: enum vcmdq_obj_type
 * @id: the object's ID in its file, from 1
 */
struct vcmdq_object {
	refcount_t users;
	enum vcmdq_obj_type type;
	u32 id;
};

/**
 * struct vcmdq_ctx - one open file of /dev/vcmdq: one VM
 * @objects: ID -> object.  A reserved ID holds XA_ZERO_ENTRY until the
 *	object is finalized, so lookups never see a half-built object.
 */
struct vcmdq_ctx {
	struct xarray objects;
};

/**
 * struct vcmdq_ucmd - one ioctl call in flight
 * @ctx: the file's context
 * @ubuffer: the user's struct
 * @user_size: the size userspace gave in the struct's first field
 * @cmd: the kernel's copy of the struct, zero-extended to the kernel's size
 */
struct vcmdq_ucmd {
	struct vcmdq_ctx *ctx;
	void __user *ubuffer;
	u32 user_size;
	void *cmd;
};

int vcmdq_ucmd_respond(struct vcmdq_ucmd *ucmd, size_t cmd_len);

struct vcmdq_object *_vcmdq_object_alloc(struct vcmdq_ctx *ctx, size_t size,
					 enum vcmdq_obj_type type);
#define vcmdq_object_alloc(ctx, ptr, type)                                    \
	container_of(_vcmdq_object_alloc(ctx,                                 \
					 sizeof(*(ptr)) +                     \
						 BUILD_BUG_ON_ZERO(offsetof(  \
							 typeof(*(ptr)),      \
							 obj) != 0),          \
					 type),                               \
		     typeof(*(ptr)), obj)
void vcmdq_object_finalize(struct vcmdq_ctx *ctx, struct vcmdq_object *obj);
void vcmdq_object_abort(struct vcmdq_ctx *ctx, struct vcmdq_object *obj);
void vcmdq_object_abort_and_destroy(struct vcmdq_ctx *ctx,
				    struct vcmdq_object *obj);
struct vcmdq_object *vcmdq_get_object(struct vcmdq_ctx *ctx, u32 id,
				      enum vcmdq_obj_type type);

/* Drop the reference vcmdq_get_object() took; the table still holds one. */
static inline void vcmdq_put_object(struct vcmdq_object *obj)
{
	refcount_dec(&obj->users);
}

/* Global counters, exported in sysfs so tests can prove nothing leaks. */
extern atomic_long_t vcmdq_live_objects;
extern atomic_long_t vcmdq_pinned_pages;

/**
 * struct vcmdq_s2 - a stage-2 domain: the VM's guest-physical memory
 * @obj: common header
 * @lock: guards @mappings and @viommus
 * @mappings: interval tree of struct vcmdq_s2_mapping by GPA page
 * @viommus: the vIOMMUs built on this S2 (struct vcmdq_viommu.s2_node); an
 *	S2 change fans out one invalidation to each one's (instance, tag)
 */
struct vcmdq_s2 {
	struct vcmdq_object obj;
	struct mutex lock;
	struct rb_root_cached mappings;
	struct list_head viommus;
};

int vcmdq_s2_alloc_ioctl(struct vcmdq_ucmd *ucmd);
int vcmdq_s2_map_ioctl(struct vcmdq_ucmd *ucmd);
int vcmdq_s2_unmap_ioctl(struct vcmdq_ucmd *ucmd);
void vcmdq_s2_destroy(struct vcmdq_object *obj);
struct page *vcmdq_s2_gpa_to_page(struct vcmdq_s2 *s2, u64 gpa);

/**
 * struct vcmdq_viommu - a VM's slice of one IOMMU instance
 * @obj: common header
 * @inst: the instance
 * @s2: the S2 this vIOMMU holds a reference on
 * @s2_node: entry in @s2->viommus, under @s2->lock
 * @tag: the host tag from @inst->tags
 * @slot: the slot from @inst->slots (the VINTF index on Tegra241)
 */
struct vcmdq_viommu {
	struct vcmdq_object obj;
	struct vcmdq_instance *inst;
	struct vcmdq_s2 *s2;
	struct list_head s2_node;
	u32 tag;
	u32 slot;
};

int vcmdq_viommu_alloc_ioctl(struct vcmdq_ucmd *ucmd);
void vcmdq_viommu_destroy(struct vcmdq_object *obj);

#endif /* _VCMDQ_PRIVATE_H */
