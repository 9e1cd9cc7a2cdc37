// SPDX-License-Identifier: GPL-2.0
/*
 * vcmdq: virtual IOMMU command queues for VMMs.
 *
 * Each open file of /dev/vcmdq is one VM.  The VMM builds an object graph in
 * it, modeled on iommufd: a stage-2 domain (the VM's memory), one vIOMMU per
 * host IOMMU instance it uses (each owning a host tag of that instance), and
 * later queues, vDEVICEs and event queues hanging off the vIOMMUs.  This file
 * holds the misc device, the per-file object table, the ioctl dispatch and
 * the teardown on close.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/nospec.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vcmdq_private.h"
#ifdef VCMDQ_SELFTEST
#include "vcmdq_test.h"
#endif

/*
 * Synthetic instances, for development and tests (IDs 1..N in this order);
 * a real host gets only its own IOMMUs (host_instances).
 */
static char *instances = "";
module_param(instances, charp, 0444);
MODULE_PARM_DESC(instances,
		 "Comma separated flavors of synthetic IOMMU instances: tegra241-cmdqv, smmuv3, amd-vi, vtd (default: none)");

static bool host_instances = true;
module_param(host_instances, bool, 0444);
MODULE_PARM_DESC(host_instances,
		 "Mirror each host IOMMU unit (/sys/class/iommu) as an instance, after the synthetic ones (default: yes)");

static unsigned int tag_bits = 16;
module_param(tag_bits, uint, 0444);
MODULE_PARM_DESC(tag_bits, "Width of each instance's host tags (VMID/DomID/DID): 8 or 16");

static char *devices;
module_param(devices, charp, 0444);
MODULE_PARM_DESC(devices,
		 "PCI devices behind the synthetic instances: comma separated INSTANCE_ID=SEGMENT:BUS:DEV.FN");

atomic_long_t vcmdq_live_objects = ATOMIC_LONG_INIT(0);
atomic_long_t vcmdq_pinned_pages = ATOMIC_LONG_INIT(0);
static atomic_long_t vcmdq_contexts = ATOMIC_LONG_INIT(0);

/*
 * Every open file, in open order, for VCMDQ_GET_OBJECTS, and the IDs that
 * name them there.  The mutex is only taken at open, at release and by
 * GET_OBJECTS, never on a VM's own paths.
 */
static LIST_HEAD(vcmdq_ctx_list);
static DEFINE_MUTEX(vcmdq_ctx_lock);
static DEFINE_IDA(vcmdq_ctx_ids);

/**
 * struct vcmdq_object_ops - what the core calls on an object of a type
 * @destroy: release everything the object holds.  Also runs when a creation
 *	is aborted, on an object its handler may have left half-built at any
 *	point after vcmdq_object_alloc_ucmd(): it undoes only what was done.
 * @publish: optional; make a new object reachable by others (the engine,
 *	other ioctls through a parent's tables) once its creation can no
 *	longer fail, i.e. after the reply copy.  Must not fail.
 */
struct vcmdq_object_ops {
	void (*destroy)(struct vcmdq_object *obj);
	void (*publish)(struct vcmdq_object *obj);
};

static const struct vcmdq_object_ops vcmdq_object_ops[VCMDQ_OBJ_MAX] = {
	[VCMDQ_OBJ_S2] = { .destroy = vcmdq_s2_destroy },
	[VCMDQ_OBJ_VIOMMU] = { .destroy = vcmdq_viommu_destroy },
	[VCMDQ_OBJ_QUEUE] = { .destroy = vcmdq_queue_destroy,
			      .publish = vcmdq_queue_publish },
	[VCMDQ_OBJ_VDEVICE] = { .destroy = vcmdq_vdevice_destroy,
				.publish = vcmdq_vdevice_publish },
	[VCMDQ_OBJ_EVENTQ] = { .destroy = vcmdq_eventq_destroy,
			       .publish = vcmdq_eventq_publish },
};

/**
 * _vcmdq_object_alloc_ucmd() - allocate the object an ioctl creates
 * @ucmd: the call; the object becomes its @ucmd->new_obj
 * @size: size of the whole object, whose first member is the header
 * @type: enum vcmdq_obj_type
 *
 * The ID is reserved with XA_ZERO_ENTRY, so lookups cannot find the object
 * until the dispatcher finalizes it.  From here the dispatcher owns the
 * object: the handler only builds it (recording in it what it took, so
 * that the type's destroy can undo exactly that) and returns.
 *
 * Context: process context, may sleep.
 * Return: the object with one user (the table's), or ERR_PTR(-ENOMEM) or
 * ERR_PTR(-ENOSPC) when the file has no free ID.
 */
struct vcmdq_object *_vcmdq_object_alloc_ucmd(struct vcmdq_ucmd *ucmd,
					      size_t size,
					      enum vcmdq_obj_type type)
{
	struct vcmdq_object *obj;
	int rc;

	/* One object per ioctl: a second one would be a handler bug. */
	if (WARN_ON_ONCE(ucmd->new_obj))
		return ERR_PTR(-EINVAL);

	obj = kzalloc(size, GFP_KERNEL_ACCOUNT);
	if (!obj)
		return ERR_PTR(-ENOMEM);
	obj->type = type;
	refcount_set(&obj->users, 1);

	rc = xa_alloc(&ucmd->ctx->objects, &obj->id, XA_ZERO_ENTRY,
		      xa_limit_31b, GFP_KERNEL_ACCOUNT);
	if (rc) {
		kfree(obj);
		/* xa_alloc() says EBUSY when 2^31 IDs are in use. */
		return ERR_PTR(rc == -EBUSY ? -ENOSPC : rc);
	}
	atomic_long_inc(&vcmdq_live_objects);
	ucmd->new_obj = obj;
	return obj;
}

/*
 * Publish a fully built object: first to its parent's tables and the
 * engine (->publish), then under its reserved ID.  In that order, because
 * DESTROY finds objects only through the table: were the ID live first, a
 * DESTROY could run ->destroy before ->publish and the publish would then
 * add a freed object.  Nothing here can fail.
 */
static void vcmdq_object_finalize(struct vcmdq_ctx *ctx,
				  struct vcmdq_object *obj)
{
	XA_STATE(xas, &ctx->objects, obj->id);
	void *old;

	if (vcmdq_object_ops[obj->type].publish)
		vcmdq_object_ops[obj->type].publish(obj);
	xa_lock(&ctx->objects);
	old = xas_store(&xas, obj);
	xa_unlock(&ctx->objects);
	/* The ID came from xa_alloc(): storing over its reservation cannot fail. */
	WARN_ON(old != XA_ZERO_ENTRY);
}

static void vcmdq_object_free(struct vcmdq_object *obj)
{
	kfree(obj);
	atomic_long_dec(&vcmdq_live_objects);
}

/*
 * Undo a creation that failed at any point after the object was allocated:
 * nothing but the creating ioctl ever saw the object (its ID held only the
 * reservation, ->publish never ran), so no other reference can exist.
 */
static void vcmdq_object_abort_and_destroy(struct vcmdq_ctx *ctx,
					   struct vcmdq_object *obj)
{
	XA_STATE(xas, &ctx->objects, obj->id);
	void *old;

	vcmdq_object_ops[obj->type].destroy(obj);
	xa_lock(&ctx->objects);
	old = xas_store(&xas, NULL);
	xa_unlock(&ctx->objects);
	WARN_ON(old != XA_ZERO_ENTRY);
	vcmdq_object_free(obj);
}

/**
 * vcmdq_get_object() - look up an object and hold it for an operation
 * @ctx: the file's context
 * @id: the object's ID
 * @type: the type the caller needs, or VCMDQ_OBJ_ANY
 *
 * The reference makes a concurrent DESTROY of the object fail with EBUSY
 * until vcmdq_put_object().
 *
 * Return: the object, or ERR_PTR(-ENOENT) when @id names no finalized object
 * of @type.
 */
struct vcmdq_object *vcmdq_get_object(struct vcmdq_ctx *ctx, u32 id,
				      enum vcmdq_obj_type type)
{
	struct vcmdq_object *obj;

	xa_lock(&ctx->objects);
	obj = xa_load(&ctx->objects, id);
	if (!obj || (type != VCMDQ_OBJ_ANY && obj->type != type) ||
	    !refcount_inc_not_zero(&obj->users))
		obj = ERR_PTR(-ENOENT);
	xa_unlock(&ctx->objects);
	return obj;
}

/**
 * vcmdq_object_remove() - take an object out of the table to destroy it
 * @ctx: the file's context
 * @id: the object's ID
 *
 * Only an object nothing depends on and no operation uses (users == 1: the
 * table's reference) is removed.  The check and the erase happen under the
 * xarray lock, which vcmdq_get_object() also takes for its
 * refcount_inc_not_zero(): a lookup either ran before (and we see its
 * reference) or runs after and finds nothing.  Once users has dropped to 0
 * no reference can be taken any more, not even through a pointer outside the
 * table (vcmdq_object_tryget()), so the caller owns the object alone.
 *
 * Return: the object, ERR_PTR(-ENOENT) when @id names no finalized object,
 * or ERR_PTR(-EBUSY) while something holds it.
 */
static struct vcmdq_object *vcmdq_object_remove(struct vcmdq_ctx *ctx, u32 id)
{
	struct vcmdq_object *obj;

	xa_lock(&ctx->objects);
	obj = xa_load(&ctx->objects, id);
	if (!obj)
		obj = ERR_PTR(-ENOENT);
	else if (!refcount_dec_if_one(&obj->users))
		obj = ERR_PTR(-EBUSY);
	else
		__xa_erase(&ctx->objects, id);
	xa_unlock(&ctx->objects);
	return obj;
}

static void vcmdq_object_destroy(struct vcmdq_object *obj)
{
	vcmdq_object_ops[obj->type].destroy(obj);
	vcmdq_object_free(obj);
}

static int vcmdq_destroy_ioctl(struct vcmdq_ucmd *ucmd)
{
	struct vcmdq_destroy *cmd = ucmd->cmd;
	struct vcmdq_object *obj;

	obj = vcmdq_object_remove(ucmd->ctx, cmd->id);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	vcmdq_object_destroy(obj);
	return 0;
}

/**
 * vcmdq_ucmd_respond() - copy an ioctl's outputs back to userspace
 * @ucmd: the call
 * @cmd_len: the kernel's size of the struct
 *
 * Copies min(user size, kernel size): an older userspace with a shorter
 * struct gets what it knows and nothing is written past its struct.
 *
 * Return: 0 or -EFAULT.
 */
int vcmdq_ucmd_respond(struct vcmdq_ucmd *ucmd, size_t cmd_len)
{
	if (copy_to_user(ucmd->ubuffer, ucmd->cmd,
			 min_t(size_t, ucmd->user_size, cmd_len)))
		return -EFAULT;
	return 0;
}

static int vcmdq_get_info_ioctl(struct vcmdq_ucmd *ucmd)
{
	const size_t min_entry =
		offsetofend(struct vcmdq_instance_info, vsids_per_viommu);
	const size_t min_device_entry =
		offsetofend(struct vcmdq_device_info, pci_device);
	struct vcmdq_get_info *cmd = ucmd->cmd;
	unsigned int count = vcmdq_instances_count();
	u8 __user *uptr = u64_to_user_ptr(cmd->instances_uptr);
	struct vcmdq_instance_info info;
	size_t copy_len;
	unsigned int i;
	int rc;

	if (cmd->flags)
		return -EOPNOTSUPP;
	/* Fields an old caller omits arrive as 0: no device list then. */
	if (cmd->num_devices &&
	    (cmd->device_entry_len < min_device_entry ||
	     cmd->device_entry_len > PAGE_SIZE))
		return -EINVAL;
	if (cmd->num_instances) {
		/* Bound the stride so a huge entry_len cannot wrap the array. */
		if (cmd->entry_len < min_entry || cmd->entry_len > PAGE_SIZE)
			return -EINVAL;
		copy_len = min_t(size_t, cmd->entry_len, sizeof(info));
		for (i = 0; i < min(cmd->num_instances, count); i++) {
			vcmdq_instance_report(vcmdq_instance_get(i + 1), &info);
			if (copy_to_user(uptr, &info, copy_len))
				return -EFAULT;
			if (cmd->entry_len > copy_len &&
			    clear_user(uptr + copy_len,
				       cmd->entry_len - copy_len))
				return -EFAULT;
			uptr += cmd->entry_len;
		}
	}
	cmd->num_instances = count;
	rc = vcmdq_instances_report_devices(u64_to_user_ptr(cmd->devices_uptr),
					    cmd->device_entry_len,
					    cmd->num_devices,
					    &cmd->num_devices);
	if (rc)
		return rc;
	return vcmdq_ucmd_respond(ucmd, sizeof(*cmd));
}

/* The uapi's names of object types, in vcmdq_obj_type's terms. */
static const u32 vcmdq_obj_uapi_type[VCMDQ_OBJ_MAX] = {
	[VCMDQ_OBJ_S2] = VCMDQ_OBJECT_S2,
	[VCMDQ_OBJ_VIOMMU] = VCMDQ_OBJECT_VIOMMU,
	[VCMDQ_OBJ_QUEUE] = VCMDQ_OBJECT_QUEUE,
	[VCMDQ_OBJ_VDEVICE] = VCMDQ_OBJECT_VDEVICE,
	[VCMDQ_OBJ_EVENTQ] = VCMDQ_OBJECT_EVENTQ,
};

static void vcmdq_object_report_viommu(const struct vcmdq_viommu *viommu,
				       struct vcmdq_object_info *info)
{
	info->parent_id = viommu->obj.id;
	info->instance_id = viommu->inst->info.id;
	info->tag = viommu->tag;
}

/*
 * Describe one finalized object.  Context: its file's xa_lock held, so the
 * object (and what it holds: its parents, its queue's registers) cannot be
 * freed; fields that change under other locks are read once, racily.
 */
static void vcmdq_object_report(struct vcmdq_object *obj,
				struct vcmdq_object_info *info)
{
	info->type = vcmdq_obj_uapi_type[obj->type];
	info->id = obj->id;
	switch (obj->type) {
	case VCMDQ_OBJ_VIOMMU: {
		struct vcmdq_viommu *viommu =
			container_of(obj, struct vcmdq_viommu, obj);

		info->parent_id = viommu->s2->obj.id;
		info->instance_id = viommu->inst->info.id;
		info->tag = viommu->tag;
		info->slot = viommu->slot;
		/* Written under the vdevs lock; a snapshot needs no lock. */
		info->nr_vdevices = data_race(READ_ONCE(viommu->nr_vdevs));
		/* Written by the engine's pass under its lock: the same. */
		info->engine_ns = READ_ONCE(viommu->engine_ns);
		info->engine_commands = READ_ONCE(viommu->engine_commands);
		break;
	}
	case VCMDQ_OBJ_QUEUE: {
		struct vcmdq_queue *q = container_of(obj, struct vcmdq_queue, obj);
		u32 cons = READ_ONCE(q->regs[VCMDQ_CTRL_CONS / sizeof(u32)]);

		vcmdq_object_report_viommu(q->viommu, info);
		info->queue_index = q->index;
		info->queue_log2size = q->log2size;
		info->queue_gpa = q->gpa;
		info->queue_prod = READ_ONCE(q->regs[VCMDQ_CTRL_PROD / sizeof(u32)]);
		info->queue_cons = cons;
		if (READ_ONCE(q->regs[VCMDQ_CTRL_STATUS / sizeof(u32)]) &
		    VCMDQ_STATUS_ENABLED)
			info->flags |= VCMDQ_OBJECT_INFO_ENABLED;
		if ((cons >> VCMDQ_CONS_ERR_SHIFT) & VCMDQ_CONS_ERR_MASK)
			info->flags |= VCMDQ_OBJECT_INFO_ERROR;
		break;
	}
	case VCMDQ_OBJ_VDEVICE: {
		struct vcmdq_vdevice *vdev =
			container_of(obj, struct vcmdq_vdevice, obj);

		vcmdq_object_report_viommu(vdev->viommu, info);
		info->pci_device = vdev->pci_device;
		info->virt_id = vdev->virt_id;
		/* Cleared under vcmdq_devices_lock by a revoke: a snapshot. */
		if (!data_race(READ_ONCE(vdev->holds_device)))
			info->flags |= VCMDQ_OBJECT_INFO_REVOKED;
		break;
	}
	case VCMDQ_OBJ_EVENTQ:
		vcmdq_object_report_viommu(
			container_of(obj, struct vcmdq_eventq, obj)->viommu,
			info);
		break;
	default:
		break;
	}
}

/*
 * One pass over the files @self may see: count their objects and describe
 * the first @room of them into @snap.  Return: the number of objects.
 */
static u32 vcmdq_objects_snapshot(struct vcmdq_ctx *self, bool all,
				  struct vcmdq_object_info *snap, u32 room)
{
	struct vcmdq_object *obj;
	struct vcmdq_ctx *ctx;
	unsigned long index;
	u32 n = 0;

	mutex_lock(&vcmdq_ctx_lock);
	list_for_each_entry(ctx, &vcmdq_ctx_list, node) {
		u32 pid;

		if (!all && ctx != self)
			continue;
		pid = pid_vnr(ctx->owner);
		xa_lock(&ctx->objects);
		/* Reserved IDs (XA_ZERO_ENTRY) are skipped: not built yet. */
		xa_for_each(&ctx->objects, index, obj) {
			struct vcmdq_object_info *info;

			if (n++ >= room)
				continue;
			info = &snap[n - 1];
			memset(info, 0, sizeof(*info));
			info->context_id = ctx->id;
			info->owner_pid = pid;
			memcpy(info->owner_comm, ctx->owner_comm,
			       sizeof(info->owner_comm));
			if (ctx == self)
				info->flags |= VCMDQ_OBJECT_INFO_SELF;
			vcmdq_object_report(obj, info);
		}
		xa_unlock(&ctx->objects);
	}
	mutex_unlock(&vcmdq_ctx_lock);
	return n;
}

/*
 * The objects are described into a kernel buffer under the locks and copied
 * out after: no user copy (which may fault and sleep) under a spinlock.  The
 * buffer holds min(room, objects) entries, so it is bounded by what exists,
 * and is charged to the caller.
 */
static int vcmdq_get_objects_ioctl(struct vcmdq_ucmd *ucmd)
{
	const size_t min_entry = offsetofend(struct vcmdq_object_info, virt_id);
	struct vcmdq_get_objects *cmd = ucmd->cmd;
	u8 __user *uptr = u64_to_user_ptr(cmd->objects_uptr);
	bool all = cmd->flags & VCMDQ_GET_OBJECTS_ALL;
	struct vcmdq_object_info *snap = NULL;
	size_t copy_len;
	u32 room, total, i;
	int rc = 0;

	if (cmd->flags & ~VCMDQ_GET_OBJECTS_ALL || cmd->__reserved)
		return -EOPNOTSUPP;
	if (all && !capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (cmd->num_objects &&
	    (cmd->entry_len < min_entry || cmd->entry_len > PAGE_SIZE))
		return -EINVAL;

	room = 0;
	if (cmd->num_objects) {
		room = min(cmd->num_objects,
			   vcmdq_objects_snapshot(ucmd->ctx, all, NULL, 0));
		if (room) {
			snap = kvcalloc(room, sizeof(*snap), GFP_KERNEL_ACCOUNT);
			if (!snap)
				return -ENOMEM;
		}
	}
	total = vcmdq_objects_snapshot(ucmd->ctx, all, snap, room);

	/* Fewer objects than at the count: write only those. */
	room = min(room, total);
	copy_len = min_t(size_t, cmd->entry_len, sizeof(*snap));
	for (i = 0; i < room; i++, uptr += cmd->entry_len) {
		if (copy_to_user(uptr, &snap[i], copy_len) ||
		    (cmd->entry_len > copy_len &&
		     clear_user(uptr + copy_len, cmd->entry_len - copy_len))) {
			rc = -EFAULT;
			break;
		}
	}
	kvfree(snap);
	if (rc)
		return rc;
	cmd->num_objects = total;
	cmd->out_context_id = ucmd->ctx->id;
	return vcmdq_ucmd_respond(ucmd, sizeof(*cmd));
}

/* Every ioctl's struct: the dispatcher copies into this, on the stack. */
union vcmdq_ucmd_buffer {
	struct vcmdq_destroy destroy;
	struct vcmdq_get_info get_info;
	struct vcmdq_s2_alloc s2_alloc;
	struct vcmdq_s2_map s2_map;
	struct vcmdq_s2_unmap s2_unmap;
	struct vcmdq_viommu_alloc viommu_alloc;
	struct vcmdq_queue_alloc queue_alloc;
	struct vcmdq_vdevice_alloc vdevice_alloc;
	struct vcmdq_eventq_alloc eventq_alloc;
	struct vcmdq_kick kick;
	struct vcmdq_invalidate invalidate;
	struct vcmdq_get_objects get_objects;
#ifdef VCMDQ_SELFTEST
	struct vcmdq_test test;
#endif
};

struct vcmdq_ioctl_op {
	unsigned int size;
	unsigned int min_size;
	unsigned int ioctl_num;
	int (*execute)(struct vcmdq_ucmd *ucmd);
};

/*
 * @_last names the last mandatory field: a struct that ends before it is
 * rejected with EINVAL, anything after it may be omitted by old userspace.
 */
#define VCMDQ_IOCTL_OP(_ioctl, _fn, _struct, _last)                          \
	[_IOC_NR(_ioctl) - VCMDQ_CMD_BASE] = {                               \
		.size = sizeof(_struct) +                                    \
			BUILD_BUG_ON_ZERO(sizeof(union vcmdq_ucmd_buffer) <  \
					  sizeof(_struct)),                  \
		.min_size = offsetofend(_struct, _last),                     \
		.ioctl_num = _ioctl,                                         \
		.execute = _fn,                                              \
	}

static const struct vcmdq_ioctl_op vcmdq_ioctl_ops[] = {
	VCMDQ_IOCTL_OP(VCMDQ_DESTROY, vcmdq_destroy_ioctl, struct vcmdq_destroy,
		       id),
	VCMDQ_IOCTL_OP(VCMDQ_GET_INFO, vcmdq_get_info_ioctl,
		       struct vcmdq_get_info, instances_uptr),
	VCMDQ_IOCTL_OP(VCMDQ_S2_ALLOC, vcmdq_s2_alloc_ioctl,
		       struct vcmdq_s2_alloc, __reserved),
	VCMDQ_IOCTL_OP(VCMDQ_S2_MAP, vcmdq_s2_map_ioctl, struct vcmdq_s2_map,
		       length),
	VCMDQ_IOCTL_OP(VCMDQ_S2_UNMAP, vcmdq_s2_unmap_ioctl,
		       struct vcmdq_s2_unmap, length),
	VCMDQ_IOCTL_OP(VCMDQ_VIOMMU_ALLOC, vcmdq_viommu_alloc_ioctl,
		       struct vcmdq_viommu_alloc, s2_id),
	VCMDQ_IOCTL_OP(VCMDQ_QUEUE_ALLOC, vcmdq_queue_alloc_ioctl,
		       struct vcmdq_queue_alloc, length),
	VCMDQ_IOCTL_OP(VCMDQ_VDEVICE_ALLOC, vcmdq_vdevice_alloc_ioctl,
		       struct vcmdq_vdevice_alloc, virt_id),
	/* out_eventq_fd is mandatory: an fd nobody learns of would leak. */
	VCMDQ_IOCTL_OP(VCMDQ_EVENTQ_ALLOC, vcmdq_eventq_alloc_ioctl,
		       struct vcmdq_eventq_alloc, out_eventq_fd),
	VCMDQ_IOCTL_OP(VCMDQ_KICK, vcmdq_viommu_kick_ioctl, struct vcmdq_kick,
		       viommu_id),
	VCMDQ_IOCTL_OP(VCMDQ_INVALIDATE, vcmdq_invalidate_ioctl,
		       struct vcmdq_invalidate, data_uptr),
	VCMDQ_IOCTL_OP(VCMDQ_GET_OBJECTS, vcmdq_get_objects_ioctl,
		       struct vcmdq_get_objects, objects_uptr),
#ifdef VCMDQ_SELFTEST
	VCMDQ_IOCTL_OP(VCMDQ_TEST, vcmdq_test_ioctl, struct vcmdq_test, last),
#endif
};

/**
 * vcmdq_copy_struct_from_user() - copy in a size-first ioctl struct
 * @dst: the kernel's struct
 * @size: the kernel's size of it
 * @min_size: the end of its last mandatory field
 * @src: the user's struct, whose first field is its __u32 size
 * @user_size: the size userspace gave
 *
 * The one implementation of the ABI's size rule, for the ioctls and for the
 * io_uring front end: the size is read first; a struct shorter than
 * @min_size is EINVAL; copy_struct_from_user() then zero-extends an older,
 * shorter struct and refuses a newer, longer one with non-zero bytes the
 * kernel does not know (E2BIG).
 *
 * Return: 0, -EINVAL, -E2BIG or -EFAULT.
 */
int vcmdq_copy_struct_from_user(void *dst, size_t size, size_t min_size,
				const void __user *src, u32 *user_size)
{
	/*
	 * The common case, a struct of the kernel's own size, is read in one
	 * user access window: the size, then the rest in 8-byte loads.  A
	 * window is not free under an emulator (QEMU TCG, where the
	 * benchmarks run: opening and closing one ends a translation block
	 * and switches MMU mode), and get_user() then copy_from_user() were
	 * two of the slow path's four per call.  The result is the same as
	 * below's: the bytes of the struct, or -EFAULT when one cannot be read.
	 * Any other size, or a struct access_ok() refuses at our size (an
	 * older, shorter one may still be fine), takes the general path.
	 */
	if (IS_ALIGNED(size, sizeof(u64)) && user_access_begin(src, size)) {
		size_t i;

		unsafe_get_user(*user_size, (const u32 __user *)src, efault);
		if (*user_size != size) {
			user_access_end();
			goto general;
		}
		for (i = 0; i < size; i += sizeof(u64))
			unsafe_get_user(*(u64 *)(dst + i),
					(const u64 __user *)(src + i), efault);
		user_access_end();
		return 0;
efault:
		user_access_end();
		return -EFAULT;
	}
	if (get_user(*user_size, (const u32 __user *)src))
		return -EFAULT;
general:
	if (*user_size < min_size)
		return -EINVAL;
	return copy_struct_from_user(dst, size, src, *user_size);
}

static long vcmdq_fops_ioctl(struct file *filp, unsigned int cmd,
			     unsigned long arg)
{
	const struct vcmdq_ioctl_op *op;
	/*
	 * Not zeroed at entry (CONFIG_INIT_STACK_ALL_ZERO would, every call,
	 * with a string store): the copy in writes all op->size bytes a
	 * handler reads, zero-extending an older userspace's struct.
	 */
	union vcmdq_ucmd_buffer buf __uninitialized;
	struct vcmdq_ucmd ucmd = {
		.ctx = filp->private_data,
		.ubuffer = (void __user *)arg,
		.cmd = &buf,
	};
	unsigned int nr = _IOC_NR(cmd);
	int rc;

	if (nr < VCMDQ_CMD_BASE ||
	    nr - VCMDQ_CMD_BASE >= ARRAY_SIZE(vcmdq_ioctl_ops))
		return -ENOTTY;
	/* No speculative read of the table past its end with a user's nr. */
	op = &vcmdq_ioctl_ops[array_index_nospec(nr - VCMDQ_CMD_BASE,
						 ARRAY_SIZE(vcmdq_ioctl_ops))];
	if (op->ioctl_num != cmd)
		return -ENOTTY;

	rc = vcmdq_copy_struct_from_user(ucmd.cmd, op->size, op->min_size,
					 ucmd.ubuffer, &ucmd.user_size);
	if (rc)
		return rc;
	rc = op->execute(&ucmd);
	/*
	 * A handler's last step is its reply copy, so rc == 0 means userspace
	 * has the new object's ID: only now may anyone else reach it.
	 */
	if (ucmd.new_obj) {
		if (rc)
			vcmdq_object_abort_and_destroy(ucmd.ctx, ucmd.new_obj);
		else
			vcmdq_object_finalize(ucmd.ctx, ucmd.new_obj);
	}
	return rc;
}

static int vcmdq_fops_mmap(struct file *filp, struct vm_area_struct *vma)
{
	return vcmdq_viommu_mmap(filp->private_data, vma);
}

static int vcmdq_fops_open(struct inode *inode, struct file *filp)
{
	struct vcmdq_ctx *ctx;

	int id;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return -ENOMEM;
	id = ida_alloc_min(&vcmdq_ctx_ids, 1, GFP_KERNEL_ACCOUNT);
	if (id < 0) {
		kfree(ctx);
		return id;
	}
	ctx->id = id;
	xa_init_flags(&ctx->objects, XA_FLAGS_ALLOC1 | XA_FLAGS_ACCOUNT);
	/* The process that opened the file, for operators' listings. */
	ctx->owner = get_task_pid(current, PIDTYPE_TGID);
	BUILD_BUG_ON(sizeof(ctx->owner_comm) != TASK_COMM_LEN);
	get_task_comm(ctx->owner_comm, current->group_leader);
	mutex_lock(&vcmdq_ctx_lock);
	list_add_tail(&ctx->node, &vcmdq_ctx_list);
	mutex_unlock(&vcmdq_ctx_lock);
	filp->private_data = ctx;
	atomic_long_inc(&vcmdq_contexts);
	return 0;
}

/*
 * Close destroys what the VM left behind.  Nothing else can reach the table
 * now (the file is gone), so each pass destroys every object that nothing
 * depends on; that removes the dependents of the next layer, and the loop
 * ends when the table is empty.  A pass that destroys nothing means an
 * internal reference leak: warn and leak rather than free a used object.
 */
static int vcmdq_fops_release(struct inode *inode, struct file *filp)
{
	struct vcmdq_ctx *ctx = filp->private_data;
	struct vcmdq_object *obj;
	unsigned long index;

	/* Out of GET_OBJECTS' sight before anything is torn down. */
	mutex_lock(&vcmdq_ctx_lock);
	list_del(&ctx->node);
	mutex_unlock(&vcmdq_ctx_lock);
	/* Test builds: an engine this file held runs again. */
	vcmdq_test_release(ctx);
	while (!xa_empty(&ctx->objects)) {
		unsigned int destroyed = 0;

		xa_for_each(&ctx->objects, index, obj) {
			obj = vcmdq_object_remove(ctx, index);
			if (IS_ERR(obj))
				continue;
			vcmdq_object_destroy(obj);
			destroyed++;
			/*
			 * A VM may own tens of thousands of objects (one
			 * vIOMMU per tag of an instance): without a
			 * rescheduling point the teardown of such a file
			 * monopolizes the CPU long enough for an RCU stall
			 * on a non-preemptible kernel.  xa_for_each() holds
			 * no lock between iterations.
			 */
			cond_resched();
		}
		if (WARN_ON(!destroyed))
			break;
	}
	xa_destroy(&ctx->objects);
	put_pid(ctx->owner);
	ida_free(&vcmdq_ctx_ids, ctx->id);
	kfree(ctx->inv_buf);
	kfree(ctx);
	atomic_long_dec(&vcmdq_contexts);
	return 0;
}

static const struct file_operations vcmdq_fops = {
	.owner = THIS_MODULE,
	.open = vcmdq_fops_open,
	.release = vcmdq_fops_release,
	.unlocked_ioctl = vcmdq_fops_ioctl,
	.mmap = vcmdq_fops_mmap,
	.uring_cmd = vcmdq_uring_cmd,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/*
 * Counters for operators and for the selftests' leak checks:
 * /sys/class/misc/vcmdq/{contexts,live_objects,pinned_pages}.
 */
static ssize_t contexts_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(&vcmdq_contexts));
}
static DEVICE_ATTR_RO(contexts);

static ssize_t live_objects_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(&vcmdq_live_objects));
}
static DEVICE_ATTR_RO(live_objects);

static ssize_t pinned_pages_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(&vcmdq_pinned_pages));
}
static DEVICE_ATTR_RO(pinned_pages);

static struct attribute *vcmdq_attrs[] = {
	&dev_attr_contexts.attr,
	&dev_attr_live_objects.attr,
	&dev_attr_pinned_pages.attr,
	NULL,
};
ATTRIBUTE_GROUPS(vcmdq);

static struct miscdevice vcmdq_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "vcmdq",
	.fops = &vcmdq_fops,
	.groups = vcmdq_groups,
	/* Rights over IOMMU tags and pinned memory: root's, unless delegated. */
	.mode = 0600,
};

/*
 * The engines belong to the instances this module owns: started once the
 * instances exist, stopped before they go.
 */
static void vcmdq_engines_stop(void)
{
	unsigned int id;

	for (id = 1; id <= vcmdq_instances_count(); id++)
		vcmdq_engine_stop(&vcmdq_instance_get(id)->engine);
}

static int vcmdq_engines_start(void)
{
	struct vcmdq_instance *inst;
	unsigned int id;
	int rc;

	for (id = 1; id <= vcmdq_instances_count(); id++) {
		inst = vcmdq_instance_get(id);
		if (!vcmdq_instance_has_queues(inst))
			continue;
		rc = vcmdq_engine_start(&inst->engine, id);
		if (rc) {
			vcmdq_engines_stop();
			return rc;
		}
	}
	return 0;
}

static int __init vcmdq_init(void)
{
	int rc;

	if (tag_bits != VCMDQ_TAG_BITS_MIN && tag_bits != VCMDQ_TAG_BITS_MAX) {
		pr_err("tag_bits=%u: must be %u or %u\n", tag_bits,
		       VCMDQ_TAG_BITS_MIN, VCMDQ_TAG_BITS_MAX);
		return -EINVAL;
	}
	rc = vcmdq_instances_init(instances, tag_bits, devices, host_instances);
	if (rc)
		return rc;
	rc = vcmdq_engines_start();
	if (rc)
		goto err_instances;
	/* Before any file can create a vDEVICE the notifier must revoke. */
	rc = vcmdq_vdevice_init();
	if (rc)
		goto err_engines;
	rc = misc_register(&vcmdq_misc);
	if (rc)
		goto err_vdevice;
	/* instances/ID/ under the device's directory, beside its attributes. */
	rc = vcmdq_instances_sysfs_init(&vcmdq_misc.this_device->kobj);
	if (rc)
		goto err_misc;
	pr_info("version %s, %u instances\n", VCMDQ_VERSION,
		vcmdq_instances_count());
	return 0;

err_misc:
	misc_deregister(&vcmdq_misc);
err_vdevice:
	vcmdq_vdevice_exit();
err_engines:
	vcmdq_engines_stop();
err_instances:
	vcmdq_instances_exit();
	return rc;
}

static void __exit vcmdq_exit(void)
{
	vcmdq_instances_sysfs_exit();
	misc_deregister(&vcmdq_misc);
	vcmdq_vdevice_exit();
	vcmdq_engines_stop();
	vcmdq_instances_exit();
}

module_init(vcmdq_init);
module_exit(vcmdq_exit);

MODULE_DESCRIPTION("Virtual IOMMU command queues for VMMs");
MODULE_LICENSE("GPL");
MODULE_VERSION(VCMDQ_VERSION);
