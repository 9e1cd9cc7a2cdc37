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
#include <linux/percpu.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/xarray.h>
#include <linux/vcmdq.h>

#include "compat.h"
#include "tlb.h"

struct io_uring_cmd;
struct kobject;
struct pci_dev;
struct pid;
struct vcmdq_eventq_ring;
struct vcmdq_op;
struct vcmdq_queue;
struct vcmdq_viommu;
struct vcmdq_ctx;
struct vm_area_struct;

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
 * struct vcmdq_engine - the emulated command queue engine of an instance
 * @thread: the kernel thread doing what the hardware's consumer does
 * @lock: guards @queues and @viommus; held for a whole pass over them, so
 *	a queue removed under it is never touched again (no use after free)
 * @queues: enabled-or-not queues bound on the instance (vcmdq_queue.engine_node)
 * @viommus: the vIOMMUs with at least one queue in @queues
 *	(vcmdq_viommu.engine_node), in the order the next pass serves them:
 *	each pass gives each one a budget and then rotates the list
 * @wq: where the idle thread sleeps between timer polls
 * @kicked: set by VCMDQ_KICK (and queue changes) to end a sleep early
 * @node: entry in engine.c's list of started engines (engine_cpu), under
 *	its mutex
 * @test_holder: test builds: the file that holds the engine (VCMDQ_TEST
 *	ENGINE_HOLD), whose thread then makes no pass; NULL otherwise
 */
struct vcmdq_engine {
	struct task_struct *thread;
	struct mutex lock;
	struct list_head queues;
	struct list_head viommus;
	wait_queue_head_t wq;
	atomic_t kicked;
	struct list_head node;
	const void *test_holder;
};

/**
 * enum vcmdq_counter - an instance's event counters, in sysfs as
 *	instances/ID/counters/NAME (the name is in instance.c's table)
 * @VCMDQ_CNT_FAST_COMMANDS: commands the engine consumed and executed
 * @VCMDQ_CNT_SLOW_COMMANDS: slow path entries executed (VCMDQ_INVALIDATE)
 * @VCMDQ_CNT_INV_TLB: executed operations of each enum vcmdq_op_kind, both
 *	paths: translation cache invalidations
 * @VCMDQ_CNT_INV_ATC: device ATC invalidations
 * @VCMDQ_CNT_INV_DEV_CFG: device configuration invalidations
 * @VCMDQ_CNT_INV_PASID_CFG: PASID configuration invalidations
 * @VCMDQ_CNT_INV_ALL: invalidate-all
 * @VCMDQ_CNT_SYNC: completion points (CMD_SYNC, COMPLETION_WAIT, wait)
 * @VCMDQ_CNT_NOP: hints with no effect (PREFETCH_CFG)
 * @VCMDQ_CNT_HANDED_BACK: valid commands handed back to the VMM (EREMOTE)
 * @VCMDQ_CNT_ILLEGAL: illegal commands: a queue stopped with CERROR_ILL, or
 *	a slow path batch stopped with EIO or E2BIG
 * @VCMDQ_CNT_EVENTS: events raised (queue errors)
 * @VCMDQ_CNT_EVENTS_LOST: events dropped: the vIOMMU had no event queue,
 *	or it was full
 * @VCMDQ_CNT_DOORBELL_WAKEUPS: engine wake-ups by the doorbell: a write to a
 *	control region found it armed (the engine idle) and kicked the engine
 * @VCMDQ_CNT_HYBRID_SLEEPS: timed sleeps of hybrid polling (engine.c,
 *	engine_hybrid_us): the engine slept until the window in which it
 *	expected the next burst, to spin through it
 * @VCMDQ_CNT_MAX: the number of counters
 */
enum vcmdq_counter {
	VCMDQ_CNT_FAST_COMMANDS,
	VCMDQ_CNT_SLOW_COMMANDS,
	VCMDQ_CNT_INV_TLB,
	VCMDQ_CNT_INV_ATC,
	VCMDQ_CNT_INV_DEV_CFG,
	VCMDQ_CNT_INV_PASID_CFG,
	VCMDQ_CNT_INV_ALL,
	VCMDQ_CNT_SYNC,
	VCMDQ_CNT_NOP,
	VCMDQ_CNT_HANDED_BACK,
	VCMDQ_CNT_ILLEGAL,
	VCMDQ_CNT_EVENTS,
	VCMDQ_CNT_EVENTS_LOST,
	VCMDQ_CNT_DOORBELL_WAKEUPS,
	VCMDQ_CNT_HYBRID_SLEEPS,
	VCMDQ_CNT_MAX,
};

/* Per-CPU, so the engine and the slow path never share a cache line. */
struct vcmdq_counters {
	u64 c[VCMDQ_CNT_MAX];
};

/**
 * struct vcmdq_inst_device - a PCI device behind an instance
 * @pci_device: VCMDQ_PCI_DEVICE() of the device
 * @phys_id: the instance's ID for it (&vcmdq_device_info.phys_id)
 */
struct vcmdq_inst_device {
	u32 pci_device;
	u32 phys_id;
};

/**
 * struct vcmdq_host_unit - a host IOMMU unit, as found at module load
 * @name: its name in /sys/class/iommu/
 * @flavor: the name of the flavor that models it ("vtd", "amd-vi", "smmuv3")
 * @tag_bits: its host tag width, 0 for the tag_bits module parameter's
 * @vtd_max_am: VT-d CAP_REG.MAMV, or 0 for the model's default
 * @amd_no_inv_all: the AMD-Vi unit's EFR lacks IASup (INVALIDATE_IOMMU_ALL)
 * @devices: the PCI devices in its scope, by pci_device
 * @nr_devices: entries in @devices
 *
 * A snapshot: nothing here points into the host's driver or its devices.
 */
struct vcmdq_host_unit {
	char name[VCMDQ_HOST_IOMMU_NAME_LEN];
	const char *flavor;
	unsigned int tag_bits;
	u32 vtd_max_am;
	bool amd_no_inv_all;
	struct vcmdq_inst_device *devices;
	unsigned int nr_devices;
};

int vcmdq_host_units_find(struct vcmdq_host_unit **units, unsigned int max);
void vcmdq_host_units_free(struct vcmdq_host_unit *units, unsigned int n);

/**
 * struct vcmdq_instance - one IOMMU instance of the host
 * @info: what GET_INFO reports (live_viommus is filled at report time)
 * @name: the flavor's name, as the "instances" module parameter spells it
 * @tags: host tag allocator, 1..(1 << tag_bits) - 1; tag 0 is reserved
 *	(stage-2 bypass on SMMUv3), so it is never handed out
 * @slots: vIOMMU slot allocator, 1..max_viommus; on Tegra241 the slot is
 *	the VINTF index (VINTF0 is the host's)
 * @live_viommus: vIOMMUs holding a slot and a tag, over all files
 * @tlb: the software model of the instance's IOTLB and ATC
 * @engine: the queue engine, for %VCMDQ_INSTANCE_CAP_FAST_QUEUES instances
 * @devices: PCI devices behind the instance, with their physical IDs
 * @nr_devices: entries in @devices
 * @counters: per-CPU event counters (vcmdq_count())
 * @kobj: instances/ID in sysfs, or NULL
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
	struct vcmdq_tlb tlb;
	struct vcmdq_engine engine;
	struct vcmdq_inst_device *devices;
	unsigned int nr_devices;
	struct vcmdq_counters __percpu *counters;
	struct kobject *kobj;
};

/* Count @n events of @cnt on @inst: any context, no lock, no atomic. */
static inline void vcmdq_count(struct vcmdq_instance *inst,
			       enum vcmdq_counter cnt, u64 n)
{
	this_cpu_add(inst->counters->c[cnt], n);
}

static inline bool vcmdq_instance_has_queues(const struct vcmdq_instance *inst)
{
	return inst->info.caps & VCMDQ_INSTANCE_CAP_FAST_QUEUES;
}

int vcmdq_instances_init(const char *flavors, unsigned int tag_bits,
			 const char *devices, bool host);
void vcmdq_instances_exit(void);
unsigned int vcmdq_instances_count(void);
struct vcmdq_instance *vcmdq_instance_get(u32 id);
void vcmdq_instance_report(const struct vcmdq_instance *inst,
			   struct vcmdq_instance_info *info);
int vcmdq_instance_claim(struct vcmdq_instance *inst, u32 *tag, u32 *slot);
void vcmdq_instance_release(struct vcmdq_instance *inst, u32 tag, u32 slot);
const struct vcmdq_inst_device *
vcmdq_instance_find_device(const struct vcmdq_instance *inst, u32 pci_device);
bool vcmdq_instance_queue_noncontig(const struct vcmdq_instance *inst);
int vcmdq_instances_report_devices(u8 __user *uptr, u32 entry_len, u32 room,
				   u32 *total);
int vcmdq_instances_sysfs_init(struct kobject *parent);
void vcmdq_instances_sysfs_exit(void);

int vcmdq_engine_start(struct vcmdq_engine *engine, u32 instance_id);
void vcmdq_engine_stop(struct vcmdq_engine *engine);
void vcmdq_engine_kick(struct vcmdq_engine *engine);
void vcmdq_engine_add_queue(struct vcmdq_engine *engine, struct vcmdq_queue *q);
void vcmdq_engine_remove_queue(struct vcmdq_engine *engine,
			       struct vcmdq_queue *q);
int vcmdq_engine_test_hold(struct vcmdq_engine *engine, const void *holder,
			   bool hold);
int vcmdq_engine_test_pass(struct vcmdq_engine *engine, const void *holder,
			   unsigned int *done);
int vcmdq_engine_test_arm(struct vcmdq_engine *engine, const void *holder);
unsigned int vcmdq_engine_budget(void);
#ifdef VCMDQ_SELFTEST
void vcmdq_test_release(struct vcmdq_ctx *ctx);
void vcmdq_test_fault_gate(struct vcmdq_viommu *viommu);
#else
static inline void vcmdq_test_release(struct vcmdq_ctx *ctx)
{
}

static inline void vcmdq_test_fault_gate(struct vcmdq_viommu *viommu)
{
}
#endif

enum vcmdq_obj_type {
	VCMDQ_OBJ_NONE,
	VCMDQ_OBJ_ANY = VCMDQ_OBJ_NONE,
	VCMDQ_OBJ_S2,
	VCMDQ_OBJ_VIOMMU,
	VCMDQ_OBJ_QUEUE,
	VCMDQ_OBJ_VDEVICE,
	VCMDQ_OBJ_EVENTQ,
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
 * @node: entry in the list of open files (main.c), under its mutex
 * @id: the file's context ID, from 1, unique among open files
 * @owner: the thread group that opened the file (held)
 * @owner_comm: its command name at open
 * @inv_buf: a VCMDQ_INV_BUF_BYTES buffer for slow path batches, or NULL
 *	(not yet allocated, or in use by a call); see vcmdq_inv_buf_get()
 */
struct vcmdq_ctx {
	struct xarray objects;
	struct list_head node;
	u32 id;
	struct pid *owner;
	char owner_comm[16];
	void *inv_buf;
};

/**
 * struct vcmdq_ucmd - one ioctl call in flight
 * @ctx: the file's context
 * @ubuffer: the user's struct
 * @user_size: the size userspace gave in the struct's first field
 * @cmd: the kernel's copy of the struct, zero-extended to the kernel's size
 * @new_obj: the object this call creates (vcmdq_object_alloc_ucmd()), owned
 *	by the dispatcher: it finalizes the object when the handler (whose
 *	last step is the reply copy) returned 0, and aborts it otherwise.
 *	Handlers never finalize or abort by hand.
 */
struct vcmdq_ucmd {
	struct vcmdq_ctx *ctx;
	void __user *ubuffer;
	u32 user_size;
	void *cmd;
	struct vcmdq_object *new_obj;
};

int vcmdq_ucmd_respond(struct vcmdq_ucmd *ucmd, size_t cmd_len);
int vcmdq_copy_struct_from_user(void *dst, size_t size, size_t min_size,
				const void __user *src, u32 *user_size);

struct vcmdq_object *_vcmdq_object_alloc_ucmd(struct vcmdq_ucmd *ucmd,
					      size_t size,
					      enum vcmdq_obj_type type);
#define vcmdq_object_alloc_ucmd(ucmd, ptr, type)                              \
	container_of(_vcmdq_object_alloc_ucmd(                                \
			     ucmd,                                            \
			     sizeof(*(ptr)) +                                 \
				     BUILD_BUG_ON_ZERO(                       \
					     offsetof(typeof(*(ptr)), obj)),  \
			     type),                                           \
		     typeof(*(ptr)), obj)
struct vcmdq_object *vcmdq_get_object(struct vcmdq_ctx *ctx, u32 id,
				      enum vcmdq_obj_type type);

/*
 * Drop a reference vcmdq_get_object() took, or a dependent's hold; the table
 * still holds one, so this never frees.
 */
static inline void vcmdq_put_object(struct vcmdq_object *obj)
{
	refcount_dec(&obj->users);
}

/*
 * Take a hold on an object reached through a pointer other than the table
 * (a queue's previous queue): fails once DESTROY has removed the object from
 * the table, whose reference was the last one.  The caller's lock must keep
 * the object's memory alive (the slot it found it in is cleared under that
 * lock before the object is freed).
 */
static inline bool vcmdq_object_tryget(struct vcmdq_object *obj)
{
	return refcount_inc_not_zero(&obj->users);
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
struct page *vcmdq_s2_gpa_to_page_writable(struct vcmdq_s2 *s2, u64 gpa);
int vcmdq_s2_hold_range(struct vcmdq_s2 *s2, u64 gpa, u64 length,
			bool contiguous, void **kaddr);
void vcmdq_s2_release_range(struct vcmdq_s2 *s2, u64 gpa, u64 length,
			    void *kaddr);

/**
 * struct vcmdq_viommu - a VM's slice of one IOMMU instance
 * @obj: common header
 * @inst: the instance
 * @s2: the S2 this vIOMMU holds a reference on
 * @s2_node: entry in @s2->viommus, under @s2->lock
 * @tag: the host tag from @inst->tags
 * @slot: the slot from @inst->slots (the VINTF index on Tegra241)
 * @ctrl: the control region (VINTF page0 layout), %VCMDQ_CTRL_SIZE bytes, for
 *	instances with queues; NULL otherwise
 * @ctrl_pages: the pages behind @ctrl
 * @queue_lock: guards @queues and @claimed_queues
 * @queues: the bound logical queues, by index: only finalized ones, so a
 *	QUEUE_ALLOC of index n + 1 can never take a queue that may still be
 *	aborted as its previous one
 * @claimed_queues: bit n: index n is taken by a bound queue or by a
 *	QUEUE_ALLOC in flight (so two allocs of one index cannot both pass)
 * @vdevs: virt_id -> struct vcmdq_vdevice, under its xa_lock
 * @nr_vdevs: entries in @vdevs, under @vdevs' xa_lock
 * @event_lock: guards @eventq
 * @eventq: the event ring, or NULL
 * @engine_node: entry in the instance engine's @viommus while this vIOMMU
 *	has queues there, under the engine's lock
 * @engine_queues: those queues (vcmdq_queue.viommu_node), under the
 *	engine's lock; a pass serves them from the first, then rotates them
 * @engine_nr_queues: entries in @engine_queues, under the engine's lock
 * @engine_ns: engine CPU time spent on this vIOMMU's queues, in
 *	ktime_get_ns() nanoseconds, over the passes that found work: written
 *	by the pass under the engine's lock, read without it (a snapshot)
 * @engine_commands: queue entries the engine consumed for this vIOMMU (one
 *	that stopped a queue included); written and read as @engine_ns
 * @cookie: the mmap() offset of @ctrl in %VCMDQ_CTRL_SHIFT units, unique
 *	over all files (so a zap of its range hits this vIOMMU's mappings
 *	only: every file of one inode shares its address_space); 0 without @ctrl
 * @db_lock: guards @mapping
 * @db_armed: the doorbell is armed: no PTE of @ctrl is writable, and the
 *	next fault that makes one writable takes it back and kicks the engine
 *	(viommu.c has the ordering)
 * @mapping: the address_space @ctrl is mapped through (set by the first
 *	mmap), or NULL
 */
struct vcmdq_viommu {
	struct vcmdq_object obj;
	struct vcmdq_instance *inst;
	struct vcmdq_s2 *s2;
	struct list_head s2_node;
	u32 tag;
	u32 slot;
	void *ctrl;
	struct page *ctrl_pages;
	struct mutex queue_lock;
	struct vcmdq_queue *queues[VCMDQ_TEGRA241_LVCMDQS_PER_VINTF];
	unsigned long claimed_queues;
	struct xarray vdevs;
	unsigned int nr_vdevs;
	spinlock_t event_lock;
	struct vcmdq_eventq_ring *eventq;
	struct list_head engine_node;
	struct list_head engine_queues;
	unsigned int engine_nr_queues;
	u64 engine_ns;
	u64 engine_commands;
	u32 cookie;
	struct mutex db_lock;
	atomic_t db_armed;
	struct address_space *mapping;
};

/*
 * Typed lookups: the one place that takes and checks a reference on an
 * object named by userspace.  The reference either ends with
 * vcmdq_put_object() or becomes a new object's long-term hold on its parent,
 * dropped by that object's destroy.
 */
static inline struct vcmdq_s2 *vcmdq_get_s2(struct vcmdq_ctx *ctx, u32 id)
{
	struct vcmdq_object *obj = vcmdq_get_object(ctx, id, VCMDQ_OBJ_S2);

	return IS_ERR(obj) ? ERR_CAST(obj) :
			     container_of(obj, struct vcmdq_s2, obj);
}

static inline struct vcmdq_viommu *vcmdq_get_viommu(struct vcmdq_ctx *ctx,
						    u32 id)
{
	struct vcmdq_object *obj = vcmdq_get_object(ctx, id, VCMDQ_OBJ_VIOMMU);

	return IS_ERR(obj) ? ERR_CAST(obj) :
			     container_of(obj, struct vcmdq_viommu, obj);
}

int vcmdq_viommu_alloc_ioctl(struct vcmdq_ucmd *ucmd);
void vcmdq_viommu_destroy(struct vcmdq_object *obj);
int vcmdq_viommu_kick_ioctl(struct vcmdq_ucmd *ucmd);
int vcmdq_viommu_mmap(struct vcmdq_ctx *ctx, struct vm_area_struct *vma);
bool vcmdq_viommu_arm_doorbell(struct vcmdq_viommu *viommu);

/*
 * The mmap() offset of a vIOMMU's control region: its cookie (struct
 * vcmdq_viommu.cookie), in 64 KiB units.
 */
#define VCMDQ_CTRL_SHIFT 16
/* Cookies stay below 2^24, so offsets below 2^40 (a 32-bit mmap2() reaches 2^44). */
#define VCMDQ_CTRL_COOKIE_MAX ((1U << 24) - 1)

/**
 * struct vcmdq_queue - a guest command queue bound to a logical queue
 * @obj: common header
 * @viommu: the owner (held)
 * @prev: the queue of index - 1 (held: destroy goes in descending order)
 * @index: the logical queue index
 * @gpa: the queue's guest-physical address
 * @length: bytes
 * @log2size: log2 of the number of 16-byte entries
 * @base: kernel address of the queue memory (pinned, contiguous)
 * @regs: the queue's 128 bytes of the control region
 * @engine_node: entry in the instance engine's list, under its lock
 * @viommu_node: entry in @viommu's engine_queues, under the engine's lock
 * @enabled: the engine saw CONFIG.EN and set STATUS.ENABLED
 * @in_error: stopped on an error, waiting for GERRORN to catch up
 * @cons: the engine's copy of CONS (index and wrap), what it consumed
 *
 * @enabled, @in_error and @cons belong to the engine's passes, which run
 * under the engine's lock (its thread's, or a test build's ENGINE_PASS).
 */
struct vcmdq_queue {
	struct vcmdq_object obj;
	struct vcmdq_viommu *viommu;
	struct vcmdq_queue *prev;
	u32 index;
	u64 gpa;
	u64 length;
	u32 log2size;
	void *base;
	u32 *regs;
	struct list_head engine_node;
	struct list_head viommu_node;
	bool enabled;
	bool in_error;
	u32 cons;
};

int vcmdq_queue_alloc_ioctl(struct vcmdq_ucmd *ucmd);
void vcmdq_queue_destroy(struct vcmdq_object *obj);
void vcmdq_queue_publish(struct vcmdq_object *obj);

/**
 * struct vcmdq_vdevice - a device the VM names by a virtual ID
 * @obj: common header
 * @viommu: the owner (held)
 * @pdev: the PCI device (held)
 * @vfio_file: the VFIO file that proved ownership (held, so the group stays
 *	open and owned by this VM), or NULL for a device with no IOMMU group
 *	or once revoked
 * @pci_device: its VCMDQ_PCI_DEVICE() name
 * @virt_id: the guest's ID for it
 * @phys_id: the instance's ID for it (&vcmdq_inst_device.phys_id)
 * @holds_device: the device is ours in the global table of devices in use
 * @holds_virt_id: @virt_id is reserved in the vIOMMU's table (published
 *	there, so commands may name it, only by vcmdq_vdevice_publish())
 *
 * Both holds_* are cleared when the vDEVICE is revoked (a driver bound to
 * or unbound from the device, see vdevice.c): the object then names nothing.
 */
struct vcmdq_vdevice {
	struct vcmdq_object obj;
	struct vcmdq_viommu *viommu;
	struct pci_dev *pdev;
	struct file *vfio_file;
	u32 pci_device;
	u32 virt_id;
	u32 phys_id;
	bool holds_device;
	bool holds_virt_id;
};

int vcmdq_vdevice_alloc_ioctl(struct vcmdq_ucmd *ucmd);
void vcmdq_vdevice_destroy(struct vcmdq_object *obj);
void vcmdq_vdevice_publish(struct vcmdq_object *obj);
int vcmdq_vdevice_translate(struct vcmdq_viommu *viommu, u64 virt_id,
			    u32 *phys_id);
int vcmdq_vdevice_init(void);
void vcmdq_vdevice_exit(void);

/**
 * struct vcmdq_eventq - the object naming a vIOMMU's event ring
 * @obj: common header
 * @viommu: the owner (held)
 * @ring: the ring, shared with the event fd (each holds a reference)
 * @file: the event fd's file until vcmdq_eventq_publish() installs it
 * @fd: the fd reserved for @file until then, or -1
 */
struct vcmdq_eventq {
	struct vcmdq_object obj;
	struct vcmdq_viommu *viommu;
	struct vcmdq_eventq_ring *ring;
	struct file *file;
	int fd;
};

int vcmdq_eventq_alloc_ioctl(struct vcmdq_ucmd *ucmd);
void vcmdq_eventq_destroy(struct vcmdq_object *obj);
void vcmdq_eventq_publish(struct vcmdq_object *obj);
void vcmdq_eventq_report_cmdq_err(struct vcmdq_viommu *viommu,
				  const struct vcmdq_event_cmdq_err *err);

int vcmdq_test_ioctl(struct vcmdq_ucmd *ucmd);

int vcmdq_exec(struct vcmdq_viommu *viommu, const struct vcmdq_op *op);
void vcmdq_exec_tlb_run(struct vcmdq_viommu *viommu,
			const struct vcmdq_op *run, unsigned int *nr);
int vcmdq_invalidate(struct vcmdq_ctx *ctx, struct vcmdq_invalidate *cmd,
		     bool nonblock);
int vcmdq_invalidate_ioctl(struct vcmdq_ucmd *ucmd);
int vcmdq_uring_cmd(struct io_uring_cmd *ioucmd, unsigned int issue_flags);
void vcmdq_exec_s2_invalidate(struct vcmdq_s2 *s2);

#endif /* _VCMDQ_PRIVATE_H */
