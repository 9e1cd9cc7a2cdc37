/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * libvcmdq: a VMM's view of /dev/vcmdq.
 *
 * Objects, in a VMM's words:
 *
 *   struct vcmdq_ctx     one VM: an open /dev/vcmdq file, its stage-2 (the
 *                        guest's physical address space) and everything
 *                        created through it.  vcmdq_close() frees it all.
 *   struct vcmdq_viommu  the VM's slice of one IOMMU instance (what the
 *                        guest sees as its SMMU / AMD-Vi / VT-d unit), with
 *                        its mapped control region (the guest's VINTF page0)
 *                        on an instance with VCMDQ_INSTANCE_CAP_FAST_QUEUES.
 *   struct vcmdq_vdevice an assigned device the guest names by a virtual ID.
 *
 * Conventions, for every function of this header and of fastpath.h:
 *
 *  - a function returning int returns 0 or a negative errno (the kernel's,
 *    or the library's own EINVAL/ENOMEM/...); it never prints and never
 *    changes the caller's errno;
 *  - handles are opaque and belong to their context: vcmdq_close() frees
 *    every one still alive, so a handle must not be used after it;
 *  - thread safety is stated per function.  "Context-locked" means the
 *    function takes the context's mutex: callers may use it from any thread
 *    concurrently with every other context-locked function.  "Lock-free"
 *    functions take no lock: they read immutable state, or state others
 *    change with atomic loads.  A destroy must not race with other uses of
 *    the same handle (the caller's duty, as with free()).
 *
 * The ABI underneath is <linux/vcmdq.h>; this header only repeats its
 * constants (VCMDQ_FLAVOR_*, VCMDQ_INSTANCE_CAP_*, VCMDQ_DATA_*,
 * VCMDQ_CERROR_*).
 */
#ifndef _VCMDQ_VCMDQ_H
#define _VCMDQ_VCMDQ_H

#include <stddef.h>
#include <stdint.h>
#include <linux/vcmdq.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vcmdq_ctx;
struct vcmdq_viommu;
struct vcmdq_vdevice;

/* ---- context ------------------------------------------------------------ */

/**
 * enum vcmdq_open_flags - vcmdq_open() flags
 * @VCMDQ_OPEN_URING: carry slow path requests (vcmdq_invalidate()) through
 *	an io_uring ring of the context instead of ioctl(); -EOPNOTSUPP from
 *	vcmdq_open() when io_uring is unavailable
 * @VCMDQ_OPEN_INFO: an info-only context, for tools that look and build
 *	nothing (vcmdqctl): the device is opened read-only and no stage-2 is
 *	allocated, so the context creates no object in the kernel.  The
 *	instance and device tables and vcmdq_objects_get() work;
 *	vcmdq_mem_map(), vcmdq_mem_unmap() and vcmdq_viommu_create() return
 *	-EINVAL.  Not with %VCMDQ_OPEN_URING (-EINVAL).
 */
enum vcmdq_open_flags {
	VCMDQ_OPEN_URING = 1 << 0,
	VCMDQ_OPEN_INFO = 1 << 1,
};

/*
 * vcmdq_open() - open a VM context
 * @path: the device, NULL for "/dev/vcmdq"
 * @flags: enum vcmdq_open_flags
 * @out: the new context
 *
 * Opens the device (O_CLOEXEC), reads the instance and device tables
 * (GET_INFO, sized by a first call), allocates the VM's stage-2 domain and
 * chooses the slow path's ops (ioctl or io_uring); with %VCMDQ_OPEN_INFO
 * only the tables are read.  Thread-safe.
 */
int vcmdq_open(const char *path, unsigned int flags, struct vcmdq_ctx **out);

/*
 * vcmdq_close() - destroy everything of the context, in dependency order
 * (queues descending, vDEVICEs, event queues, control region mappings,
 * vIOMMUs, guest memory mappings, the stage-2), then close the file.
 * Every pin and charge of the context is gone when it returns; the
 * context and all its handles are freed.  NULL is a no-op.  Must not race
 * with any other use of the context.
 */
void vcmdq_close(struct vcmdq_ctx *ctx);

/* The /dev/vcmdq file descriptor, e.g. for poll loops.  Lock-free. */
int vcmdq_fd(const struct vcmdq_ctx *ctx);

/* ---- instances and devices (GET_INFO, read once at open) ---------------- */

/**
 * struct vcmdq_instance - one IOMMU instance, as the library reports it
 * @id: instance ID (>= 1), for vcmdq_viommu_create()
 * @flavor: enum vcmdq_flavor
 * @caps: enum vcmdq_instance_caps bits
 * @data_types: bit (1 << enum vcmdq_data_type) per slow path format
 * @data_entry_len: size of one entry per data type (0: not accepted, or a
 *	kernel that predates the field: then the library fills in 16)
 * @tag_bits: width of the host tag
 * @max_viommus: vIOMMU slots of the instance
 * @queues_per_viommu: fast path queues a vIOMMU may own
 * @max_queue_log2size: log2 of the largest queue in 16-byte entries
 * @vsids_per_viommu: virtual device ID slots per vIOMMU
 * @vtd_max_am: VT-d's largest address mask (0 elsewhere)
 * @num_devices: PCI devices behind the instance (vcmdq_instance_device())
 */
struct vcmdq_instance {
	uint32_t id;
	uint32_t flavor;
	uint64_t caps;
	uint32_t data_types;
	uint8_t data_entry_len[VCMDQ_DATA_TYPES_MAX];
	uint32_t tag_bits;
	uint32_t max_viommus;
	uint32_t queues_per_viommu;
	uint32_t max_queue_log2size;
	uint32_t vsids_per_viommu;
	uint32_t vtd_max_am;
	uint32_t num_devices;
};

/* How many instances the module has.  Lock-free. */
unsigned int vcmdq_num_instances(const struct vcmdq_ctx *ctx);

/*
 * vcmdq_instance_get() - copy instance number @idx (0 .. num - 1, not the
 * ID) to @out.  -ERANGE past the table.  Lock-free.
 */
int vcmdq_instance_get(const struct vcmdq_ctx *ctx, unsigned int idx,
		       struct vcmdq_instance *out);

/*
 * vcmdq_instance_find() - the instance with ID @id (-ENOENT), or with
 * @id == 0 the first one of @flavor having all of @caps (-ENODEV).
 * Lock-free.
 */
int vcmdq_instance_find(const struct vcmdq_ctx *ctx, uint32_t id,
			uint32_t flavor, uint64_t caps,
			struct vcmdq_instance *out);

/*
 * vcmdq_instance_device() - the @k-th PCI device behind instance @id, as
 * VCMDQ_PCI_DEVICE(seg, bus, dev, fn) in *@pci.  -ENOENT unknown @id,
 * -ERANGE past its devices.  Lock-free.
 */
int vcmdq_instance_device(const struct vcmdq_ctx *ctx, uint32_t id,
			  unsigned int k, uint32_t *pci);

/*
 * vcmdq_instance_host_iommu() - the name of the host IOMMU unit instance
 * @id mirrors (VCMDQ_INSTANCE_CAP_HOST), as in /sys/class/iommu ("dmar0");
 * NULL for a synthetic instance, an unknown @id or a NULL @ctx.  The string
 * lives as long as @ctx.  Lock-free.
 */
const char *vcmdq_instance_host_iommu(const struct vcmdq_ctx *ctx,
				      uint32_t id);

/* ---- guest memory (the stage-2) ----------------------------------------- */

/* vcmdq_mem_map() @prot bits: VCMDQ_S2_MAP_READ, VCMDQ_S2_MAP_WRITE. */

/*
 * vcmdq_mem_map() - back guest-physical [@gpa, @gpa + @length) by the VMM
 * memory at @uaddr (page aligned, pinned by the kernel and charged to
 * RLIMIT_MEMLOCK).  The library remembers the mapping to find queues in
 * it.  Errors as VCMDQ_S2_MAP.  Context-locked.
 */
int vcmdq_mem_map(struct vcmdq_ctx *ctx, uint64_t gpa, void *uaddr,
		  uint64_t length, unsigned int prot);

/*
 * vcmdq_mem_unmap() - remove every mapping inside [@gpa, @gpa + @length);
 * *@unmapped (may be NULL) gets the bytes removed.  -EBUSY while a bound
 * queue (also a retiring one, see vcmdq_queue_clear_base()) lies in the
 * range.  Context-locked.
 */
int vcmdq_mem_unmap(struct vcmdq_ctx *ctx, uint64_t gpa, uint64_t length,
		    uint64_t *unmapped);

/*
 * vcmdq_mem_hva() - the VMM address of guest-physical @gpa, valid for
 * @length bytes within one mapping, or NULL.  Context-locked.
 */
void *vcmdq_mem_hva(struct vcmdq_ctx *ctx, uint64_t gpa, uint64_t length);

/* ---- vIOMMUs ------------------------------------------------------------ */

/*
 * vcmdq_viommu_create() - allocate a vIOMMU on instance @instance_id over
 * the context's stage-2 and, with VCMDQ_INSTANCE_CAP_FAST_QUEUES, mmap its
 * control region (MAP_SHARED, at the cookie the kernel returned).  Errors
 * as VCMDQ_VIOMMU_ALLOC, or mmap()'s.  Context-locked.
 */
int vcmdq_viommu_create(struct vcmdq_ctx *ctx, uint32_t instance_id,
			struct vcmdq_viommu **out);

/*
 * vcmdq_viommu_destroy() - unbind its queues (descending), destroy its
 * vDEVICEs and event queue, unmap the control region, destroy it.  The
 * handle is freed even when the kernel refuses a step (the context then
 * destroys what is left at vcmdq_close()); the first error is returned.
 * Context-locked.
 */
int vcmdq_viommu_destroy(struct vcmdq_viommu *viommu);

/* Lock-free accessors. */
uint32_t vcmdq_viommu_id(const struct vcmdq_viommu *viommu);
uint32_t vcmdq_viommu_tag(const struct vcmdq_viommu *viommu);
uint32_t vcmdq_viommu_instance(const struct vcmdq_viommu *viommu);
/* The control region (the guest's VINTF page0), or NULL without one. */
void *vcmdq_viommu_ctrl(const struct vcmdq_viommu *viommu);
size_t vcmdq_viommu_ctrl_size(const struct vcmdq_viommu *viommu);

/* 64-bit words of the error map: 128 queues, as LVCMDQ_ERR_MAP_64(0..1). */
#define VCMDQ_ERR_MAP_WORDS	2

/*
 * vcmdq_viommu_error_map() - word @word (0 or 1) of the vIOMMU's error
 * map, the value of the Tegra241 VINTF register LVCMDQ_ERR_MAP_64(@word)
 * (VINTF base + 0xC0 + 8 * @word), for a VMM that traps the guest's read
 * of it: bit i is set when queue 64 * @word + i has an unacknowledged
 * error, i.e. it is bound (vcmdq_queue_set_base()) and its GERROR.CMDQ_ERR
 * differs from GERRORN's.  A bit clears as soon as the guest acknowledges
 * (GERRORN = GERROR), as on the hardware; queues that are not bound (or
 * past the instance's queues) read 0.  A guest reading the register as
 * two 32-bit halves gets the low or high half of *@map.
 *
 * It reads the mapped control region, each register with an acquire load,
 * so a set bit's CONS.ERR is visible too.  The map is a snapshot: the
 * engine may stop another queue right after.  Return: 0; -EINVAL @word
 * past VCMDQ_ERR_MAP_WORDS or a NULL argument; -EOPNOTSUPP the vIOMMU has
 * no control region (its instance lacks VCMDQ_INSTANCE_CAP_FAST_QUEUES).
 * Lock-free.
 */
int vcmdq_viommu_error_map(const struct vcmdq_viommu *viommu,
			   unsigned int word, uint64_t *map);

/* ---- vDEVICEs ----------------------------------------------------------- */

/*
 * vcmdq_vdevice_create() - let the guest name PCI device @pci
 * (VCMDQ_PCI_DEVICE()) by @virt_id through @viommu.  @vfio_fd is an open
 * VFIO group (or device) file proving ownership, -1 for a device with no
 * IOMMU group; the kernel keeps its own reference.  *@phys_id (may be
 * NULL) gets the physical ID.  Errors as VCMDQ_VDEVICE_ALLOC.
 * Context-locked.
 */
int vcmdq_vdevice_create(struct vcmdq_viommu *viommu, int vfio_fd,
			 uint32_t pci, uint64_t virt_id, uint32_t *phys_id,
			 struct vcmdq_vdevice **out);

/* Destroy and free a vDEVICE.  Context-locked. */
int vcmdq_vdevice_destroy(struct vcmdq_vdevice *vdev);

/* ---- queues: the guest's BASE registers --------------------------------- */

/*
 * The hardware binds a vIOMMU's queues in ascending index order (queue i
 * needs queue i - 1 bound) and unbinds them in descending order (only the
 * highest bound queue).  A guest writes BASE registers in any order, so
 * the library keeps, per index, what the guest asked for (its BASE) and
 * what is bound, and binds/unbinds as the rule allows:
 *
 *  - the bound queues are always indexes 0 .. n - 1;
 *  - vcmdq_queue_set_base(i): queue i is *wanted*.  If i == n it is bound
 *    at once, then every wanted queue above it, ascending.  If i > n it is
 *    *pending*: it binds when the queues below it are bound.  If i < n with
 *    the same BASE it stays bound (a retiring queue is wanted again).  If
 *    i < n with another BASE (a re-probe moving a queue), queues n - 1 .. i
 *    are unbound (descending), then i and every wanted queue above it are
 *    bound again: the rebound queues' registers are reset to zero as the
 *    hardware's are (the guest re-enables them, as it does after writing
 *    BASE).
 *  - vcmdq_queue_clear_base(i): queue i is no longer wanted.  If it is the
 *    highest bound queue it is unbound, and so is every bound queue below
 *    it that is not wanted either (descending); otherwise it stays bound,
 *    *retiring*, until the queues above it are cleared: a queue the guest
 *    still uses is never reset behind its back.  A Linux guest disabling
 *    its queues (BASE = 0 ascending) thus unbinds them all, descending, at
 *    its last write.  A pending queue is simply forgotten.
 *
 * A binding that fails while a call cascades stops the cascade: the failed
 * queue and those above stay pending, the call returns the error.  The
 * call's own queue is checked first (index, size, alignment, mapped in the
 * stage-2: -EINVAL, -ENOENT), so a bad BASE is refused with nothing
 * changed.  All queue functions are context-locked.
 */
enum vcmdq_queue_state {
	VCMDQ_QUEUE_UNUSED = 0,	/* not wanted, not bound */
	VCMDQ_QUEUE_PENDING,	/* wanted, waiting for the queues below */
	VCMDQ_QUEUE_BOUND,	/* wanted and bound */
	VCMDQ_QUEUE_RETIRING,	/* not wanted, bound until those above go */
};

/*
 * vcmdq_queue_set_base() - the guest wrote BASE of queue @index: @log2size
 * entries of 16 bytes at @gpa (aligned to the queue's size).  See above.
 */
int vcmdq_queue_set_base(struct vcmdq_viommu *viommu, unsigned int index,
			 uint64_t gpa, unsigned int log2size);

/* vcmdq_queue_clear_base() - the guest cleared BASE of queue @index. */
int vcmdq_queue_clear_base(struct vcmdq_viommu *viommu, unsigned int index);

/*
 * vcmdq_queue_state() - enum vcmdq_queue_state of @index in *@state, and
 * with a bound queue its kernel object ID in *@queue_id (may be NULL).
 */
int vcmdq_queue_state(struct vcmdq_viommu *viommu, unsigned int index,
		      unsigned int *state, uint32_t *queue_id);

/* ---- events ------------------------------------------------------------- */

/*
 * vcmdq_eventq_create() - create the vIOMMU's event queue, @depth records;
 * *@fd (may be NULL) gets its file descriptor, non-blocking, owned by the
 * library (poll it for POLLIN; do not close it).  Context-locked.
 */
int vcmdq_eventq_create(struct vcmdq_viommu *viommu, unsigned int depth,
			int *fd);

enum vcmdq_event_type {
	VCMDQ_EVENT_NONE = 0,
	VCMDQ_EVENT_CMDQ_ERR = 1,	/* a fast path queue stopped */
};

/**
 * struct vcmdq_event - one event, decoded
 * @type: enum vcmdq_event_type
 * @flags: VCMDQ_EVENT_FLAG_LOST_EVENTS: events after this one were dropped
 * @sequence: the kernel's sequence number (a gap counts lost events)
 * @cmdq_err: %VCMDQ_EVENT_CMDQ_ERR: the queue, CONS.ERR code, CONS (index
 *	and wrap) at the offending entry, and the entry as the guest wrote it
 */
struct vcmdq_event {
	uint32_t type;
	uint32_t flags;
	uint32_t sequence;
	struct {
		uint32_t queue_index;
		uint32_t error;
		uint32_t cons;
		uint64_t cmd[2];
	} cmdq_err;
};

/*
 * vcmdq_eventq_read() - read up to @max queued events into @ev without
 * blocking; *@nr gets how many (0 when none is queued: not an error).
 * -ENOENT without an event queue; -ENODATA once the queue is gone (its
 * fd reports end of file).  Safe against concurrent readers of the same
 * queue (each record goes to one of them); does not take the context lock.
 */
int vcmdq_eventq_read(struct vcmdq_viommu *viommu, struct vcmdq_event *ev,
		      unsigned int max, unsigned int *nr);

/* ---- the slow path: trapped guest commands ------------------------------ */

/*
 * vcmdq_invalidate() - execute *@num entries of @entry_len bytes in the
 * guest's @data_type format (enum vcmdq_data_type) through @viommu, in
 * order, split into batches of at most VCMDQ_INVALIDATE_MAX_ENTRIES, over
 * the context's slow path (ioctl or io_uring, chosen at open).
 *
 * On return *@num is the number of entries that took effect, also on
 * error; the entry at that index stopped the batch:
 *  -EREMOTE: it is valid but the VMM's to execute (an interrupt remapping
 *	or stream table invalidation): execute it, then call again from the
 *	next entry so the guest's order holds;
 *  -EIO: it is illegal; -E2BIG: its bytes past the format are not zero;
 *  other errors as VCMDQ_INVALIDATE.
 * With *@num == 0 it only checks that the instance accepts @data_type
 * (@entries may be NULL): 0 or -EOPNOTSUPP.  Thread-safe (the io_uring
 * ring is context-locked; ioctls run concurrently).
 */
int vcmdq_invalidate(struct vcmdq_viommu *viommu, uint32_t data_type,
		     const void *entries, uint32_t entry_len, uint32_t *num);

/* vcmdq_invalidate_probe() - vcmdq_invalidate() with no entries. */
int vcmdq_invalidate_probe(struct vcmdq_viommu *viommu, uint32_t data_type);

/* ---- the slow path, asynchronous (io_uring contexts) -------------------- */

/**
 * struct vcmdq_inv_req - one asynchronous slow path request
 * @user_data: the caller's, untouched by the library
 * @result: on completion, 0 or the negative errno vcmdq_invalidate() would
 *	have returned for the same entries (-EIO, -EREMOTE, -E2BIG: the entry
 *	at index @num stopped the batch)
 * @num: on completion, the number of entries that took effect
 * @__priv: the library's (the kernel request it writes back into, the
 *	link of the completed list)
 *
 * The caller owns the memory: it must stay valid, and the entries it
 * names unchanged, from vcmdq_invalidate_submit() until
 * vcmdq_invalidate_reap() has returned it.
 */
struct vcmdq_inv_req {
	uint64_t user_data;
	int32_t result;
	uint32_t num;
	uint64_t __priv[9];
};

/* Requests one context keeps in flight at most (-EBUSY beyond). */
#define VCMDQ_INV_INFLIGHT_MAX	64

/*
 * vcmdq_invalidate_submit() - queue @num entries (1 ..
 * VCMDQ_INVALIDATE_MAX_ENTRIES, one kernel request) in the guest's
 * @data_type format through @viommu, and return without waiting: the
 * request goes to the kernel as an IORING_OP_URING_CMD of the context's
 * ring.  Requests run in the order they were submitted, each after the one
 * before it has completed (the ring links them), so a guest's order holds;
 * a failed request does not cancel the next ones: the VMM decides (it
 * usually stops submitting for that guest queue until it handled the
 * failure).  Errors: -EOPNOTSUPP on a context opened without
 * VCMDQ_OPEN_URING; -EINVAL a NULL argument, @num 0 or above
 * VCMDQ_INVALIDATE_MAX_ENTRIES; -EBUSY VCMDQ_INV_INFLIGHT_MAX requests are
 * in flight (reap some); io_uring_submit()'s errors.  Thread-safe (the
 * ring is context-locked).
 */
int vcmdq_invalidate_submit(struct vcmdq_viommu *viommu, uint32_t data_type,
			    const void *entries, uint32_t entry_len,
			    uint32_t num, struct vcmdq_inv_req *req);

/*
 * vcmdq_invalidate_reap() - collect up to @max completed requests into
 * @done (in completion order), waiting until at least @min_complete have
 * completed (0: never wait; at most the number in flight); *@nr gets how
 * many.  Each returned request has @result and @num filled in and is the
 * caller's again.  -EOPNOTSUPP on an ioctl context; -EINVAL a NULL
 * argument or @min_complete above @max.  Context-locked: a blocking reap
 * holds the ring, so vcmdq_invalidate() on the same context waits for it.
 */
int vcmdq_invalidate_reap(struct vcmdq_ctx *ctx, struct vcmdq_inv_req **done,
			  unsigned int max, unsigned int min_complete,
			  unsigned int *nr);

/*
 * vcmdq_invalidate_fd() - a file descriptor (an eventfd, owned by the
 * library) that polls readable (POLLIN) while completions wait to be
 * reaped, for the VMM's event loop; it may also wake when none does (a
 * synchronous call's own completion).  vcmdq_invalidate_reap() resets it.
 * -EOPNOTSUPP on an ioctl context; eventfd()'s errors.  Context-locked.
 */
int vcmdq_invalidate_fd(struct vcmdq_ctx *ctx);

/* "ioctl" or "io_uring": the context's slow path.  Lock-free. */
const char *vcmdq_slow_path_name(const struct vcmdq_ctx *ctx);

/* ---- live objects, for operators' tools --------------------------------- */

/*
 * vcmdq_objects_get() - the live objects of this context or, with @flags
 * VCMDQ_GET_OBJECTS_ALL (needs CAP_SYS_ADMIN: -EPERM), of every open file
 * of the device, each with the process that opened its file
 * (VCMDQ_GET_OBJECTS; struct vcmdq_object_info is the ABI's).  *@objs gets
 * an array of *@nr entries, allocated with malloc() (the caller free()s
 * it; it may be empty, never NULL).  The array is a snapshot: it is
 * fetched again while objects appear between sizing and fetching.  Errors
 * as VCMDQ_GET_OBJECTS, -ENOMEM.  Thread-safe; does not take the context
 * lock.
 */
int vcmdq_objects_get(struct vcmdq_ctx *ctx, unsigned int flags,
		      struct vcmdq_object_info **objs, unsigned int *nr);

/* ---- version ------------------------------------------------------------ */

/* The library's version string, from VERSION ("0.1.0"). */
const char *vcmdq_version(void);

#ifdef __cplusplus
}
#endif

#endif /* _VCMDQ_VCMDQ_H */
