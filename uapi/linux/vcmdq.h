/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vcmdq: virtual IOMMU command queues for VMMs.
 *
 * This is the whole ABI between vcmdq.ko and userspace.  It is the only
 * header shared by the two; libvcmdq installs a byte-identical copy.
 */
#ifndef _UAPI_LINUX_VCMDQ_H
#define _UAPI_LINUX_VCMDQ_H

#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * DOC: General ioctl format
 *
 * Each open file of /dev/vcmdq is one VM context.  Objects created through it
 * (stage-2 domains, vIOMMUs, ...) are named by IDs that are unique within that
 * file and start at 1; ID 0 never names an object.  Closing the file destroys
 * every object it still holds, dependents first.
 *
 * Every ioctl is _IO(VCMDQ_TYPE, VCMDQ_CMD_*) and takes a pointer to a struct
 * whose first field is ``__u32 size``: the number of bytes of the struct that
 * userspace knows.  The kernel accepts any size from the end of the struct's
 * last mandatory field upward:
 *
 *  - a size smaller than that is rejected with EINVAL;
 *  - bytes the kernel does not know (past its own struct) must be zero, or the
 *    ioctl fails with E2BIG, so new fields are only ever appended and default
 *    to zero for old userspace;
 *  - outputs (``out_*`` fields) are copied back for at most ``size`` bytes.
 *
 * Fields named ``flags`` and ``__reserved`` must be 0 unless documented.
 * Enumerations have a reserved 0 value (``*_DEFAULT``) that is rejected, so a
 * zero-filled struct never selects a behaviour by accident.
 *
 * Errors shared by all ioctls:
 *
 *  - ENOTTY: unknown ioctl number.
 *  - E2BIG: the struct has non-zero bytes past what the kernel knows.
 *  - EFAULT: a user pointer (the argument itself or a ``*_uptr``) is bad.
 *  - EOPNOTSUPP: a known field holds a value this kernel does not support:
 *    an unknown flag, type or flavor, a non-zero ``__reserved``.
 *  - EINVAL: a value is malformed (size too small, misaligned, zero length).
 *  - ENOENT: an ID names no object of the expected type in this file, or a
 *    range names nothing.
 *  - EBUSY: the object is in use by another object or a mapping.
 *  - EEXIST: the object to create already exists.
 *  - ENOSPC: a bounded ID space (host tags, vIOMMU slots) is exhausted.
 *  - EOVERFLOW: an address range wraps around.
 *  - ENOMEM: out of memory, or pinning would exceed RLIMIT_MEMLOCK.
 *
 * Each ioctl below lists its own additional errno cases.
 */

#define VCMDQ_TYPE (';')

/*
 * Numbers start at 0xc0 so that an iommufd ioctl (0x80..) sent to a vcmdq
 * file by mistake fails with ENOTTY instead of being misread.  New commands
 * are only ever appended.
 */
enum {
	VCMDQ_CMD_BASE = 0xc0,
	VCMDQ_CMD_DESTROY = VCMDQ_CMD_BASE,
	VCMDQ_CMD_GET_INFO,
	VCMDQ_CMD_S2_ALLOC,
	VCMDQ_CMD_S2_MAP,
	VCMDQ_CMD_S2_UNMAP,
	VCMDQ_CMD_VIOMMU_ALLOC,
};

/**
 * struct vcmdq_destroy - ioctl(VCMDQ_DESTROY)
 * @size: sizeof(struct vcmdq_destroy)
 * @id: the ID of any object of this file
 *
 * Destroy an object.  Fails with EBUSY while another object depends on it
 * (a vIOMMU on its S2, ...) or while a mapping of it exists; with ENOENT when
 * @id names no object (including 0).
 */
struct vcmdq_destroy {
	__u32 size;
	__u32 id;
};
#define VCMDQ_DESTROY _IO(VCMDQ_TYPE, VCMDQ_CMD_DESTROY)

/**
 * enum vcmdq_flavor - what kind of IOMMU an instance is
 * @VCMDQ_FLAVOR_DEFAULT: reserved
 * @VCMDQ_FLAVOR_TEGRA241_CMDQV: an SMMUv3 with NVIDIA Tegra241 CMDQV: guest
 *	owned command queues (fast path) and trapped SMMUv3 commands (slow path)
 * @VCMDQ_FLAVOR_SMMUV3: an Arm SMMUv3 (slow path only)
 * @VCMDQ_FLAVOR_AMD_VI: an AMD-Vi IOMMU (slow path only)
 * @VCMDQ_FLAVOR_VTD: an Intel VT-d remapping unit (slow path only)
 */
enum vcmdq_flavor {
	VCMDQ_FLAVOR_DEFAULT = 0,
	VCMDQ_FLAVOR_TEGRA241_CMDQV = 1,
	VCMDQ_FLAVOR_SMMUV3 = 2,
	VCMDQ_FLAVOR_AMD_VI = 3,
	VCMDQ_FLAVOR_VTD = 4,
};

/**
 * enum vcmdq_instance_caps - capability bits of an instance
 * @VCMDQ_INSTANCE_CAP_FAST_QUEUES: vIOMMUs of this instance can own command
 *	queues whose control page is mapped into the VMM (no kernel exit)
 * @VCMDQ_INSTANCE_CAP_EMULATED: command execution is emulated by the module's
 *	software model of the instance (not a hardware IOMMU)
 */
enum vcmdq_instance_caps {
	VCMDQ_INSTANCE_CAP_FAST_QUEUES = 1 << 0,
	VCMDQ_INSTANCE_CAP_EMULATED = 1 << 1,
};

/**
 * enum vcmdq_data_type - formats of slow path invalidation entries
 * @VCMDQ_DATA_DEFAULT: reserved
 * @VCMDQ_DATA_SMMUV3: raw 16-byte SMMUv3 command queue entries
 * @VCMDQ_DATA_AMD_VI: raw 16-byte AMD-Vi command buffer entries
 * @VCMDQ_DATA_VTD: raw VT-d queued invalidation descriptors, 16 or 32 bytes
 *
 * &vcmdq_instance_info.data_types has bit (1 << type) set for each type the
 * instance accepts.
 */
enum vcmdq_data_type {
	VCMDQ_DATA_DEFAULT = 0,
	VCMDQ_DATA_SMMUV3 = 1,
	VCMDQ_DATA_AMD_VI = 2,
	VCMDQ_DATA_VTD = 3,
};

/**
 * struct vcmdq_instance_info - one IOMMU instance, as GET_INFO reports it
 * @id: instance ID, from 1; names the instance in VCMDQ_VIOMMU_ALLOC
 * @flavor: enum vcmdq_flavor
 * @caps: enum vcmdq_instance_caps bits
 * @data_types: bit (1 << enum vcmdq_data_type) per slow path format accepted
 * @tag_bits: width of the host tag (VMID / DomainID / DID) the instance
 *	allocates for each vIOMMU; tag 0 is reserved, so at most
 *	(1 << @tag_bits) - 1 vIOMMUs share the instance
 * @max_viommus: vIOMMU slots of the instance (on Tegra241: VINTFs usable by
 *	guests), over all files; may be lower than the number of tags
 * @queues_per_viommu: command queues a vIOMMU may own (0 without
 *	%VCMDQ_INSTANCE_CAP_FAST_QUEUES)
 * @max_queue_log2size: log2 of the largest queue, in 16-byte entries
 * @vsids_per_viommu: virtual StreamID / DeviceID slots per vIOMMU
 * @live_viommus: vIOMMUs currently allocated on the instance, over all files
 * @__reserved: always 0
 *
 * Userspace feature-probes from these fields; it never compares versions.
 */
struct vcmdq_instance_info {
	__u32 id;
	__u32 flavor;
	__aligned_u64 caps;
	__u32 data_types;
	__u32 tag_bits;
	__u32 max_viommus;
	__u32 queues_per_viommu;
	__u32 max_queue_log2size;
	__u32 vsids_per_viommu;
	__u32 live_viommus;
	__u32 __reserved;
};

/**
 * struct vcmdq_get_info - ioctl(VCMDQ_GET_INFO)
 * @size: sizeof(struct vcmdq_get_info)
 * @flags: must be 0
 * @entry_len: the size of one &struct vcmdq_instance_info as userspace knows
 *	it; at least up to @vsids_per_viommu (EINVAL otherwise) when
 *	@num_instances is non-zero
 * @num_instances: input: how many entries @instances_uptr has room for;
 *	output: how many instances the module has
 * @instances_uptr: user pointer to an array of @num_instances entries of
 *	@entry_len bytes each
 *
 * Report the IOMMU instances.  The kernel writes min(input @num_instances,
 * instances) entries; an entry longer than the kernel's struct gets its tail
 * zeroed, a shorter one is truncated.  @num_instances = 0 only reports the
 * count (a NULL @instances_uptr is then fine).
 */
struct vcmdq_get_info {
	__u32 size;
	__u32 flags;
	__u32 entry_len;
	__u32 num_instances;
	__aligned_u64 instances_uptr;
};
#define VCMDQ_GET_INFO _IO(VCMDQ_TYPE, VCMDQ_CMD_GET_INFO)

/**
 * struct vcmdq_s2_alloc - ioctl(VCMDQ_S2_ALLOC)
 * @size: sizeof(struct vcmdq_s2_alloc)
 * @flags: must be 0
 * @out_s2_id: the new stage-2 domain's ID
 * @__reserved: must be 0
 *
 * Allocate a stage-2 (S2) domain: the VM's guest-physical address space,
 * backed by VMM memory pinned with VCMDQ_S2_MAP.  One S2 serves every vIOMMU
 * of the VM, whatever instance they sit on.
 */
struct vcmdq_s2_alloc {
	__u32 size;
	__u32 flags;
	__u32 out_s2_id;
	__u32 __reserved;
};
#define VCMDQ_S2_ALLOC _IO(VCMDQ_TYPE, VCMDQ_CMD_S2_ALLOC)

/**
 * enum vcmdq_s2_map_flags - access the guest gets to a mapping
 * @VCMDQ_S2_MAP_READ: readable
 * @VCMDQ_S2_MAP_WRITE: writable; the VMM memory is pinned for write
 */
enum vcmdq_s2_map_flags {
	VCMDQ_S2_MAP_READ = 1 << 0,
	VCMDQ_S2_MAP_WRITE = 1 << 1,
};

/**
 * struct vcmdq_s2_map - ioctl(VCMDQ_S2_MAP)
 * @size: sizeof(struct vcmdq_s2_map)
 * @flags: enum vcmdq_s2_map_flags; at least one of them
 * @s2_id: the S2 to map into
 * @__reserved: must be 0
 * @gpa: guest-physical address of the first byte, page aligned
 * @uaddr: VMM virtual address of the memory backing it, page aligned
 * @length: bytes, a non-zero multiple of the page size
 *
 * Map [@gpa, @gpa + @length) to the VMM memory at @uaddr.  The memory is
 * pinned long-term (as a device would pin it for DMA) and charged to the
 * caller's RLIMIT_MEMLOCK, unless it has CAP_IPC_LOCK, as VFIO does; it is
 * unpinned and uncharged by VCMDQ_S2_UNMAP or when the file is closed.
 *
 * Errors: EOPNOTSUPP unknown flag; EINVAL no access flag, zero or unaligned
 * @gpa, @uaddr or @length; EOVERFLOW when either range wraps; EEXIST when the
 * range overlaps an existing mapping of this S2; ENOMEM past RLIMIT_MEMLOCK;
 * EFAULT when @uaddr is not mapped with the requested access.
 */
struct vcmdq_s2_map {
	__u32 size;
	__u32 flags;
	__u32 s2_id;
	__u32 __reserved;
	__aligned_u64 gpa;
	__aligned_u64 uaddr;
	__aligned_u64 length;
};
#define VCMDQ_S2_MAP _IO(VCMDQ_TYPE, VCMDQ_CMD_S2_MAP)

/**
 * struct vcmdq_s2_unmap - ioctl(VCMDQ_S2_UNMAP)
 * @size: sizeof(struct vcmdq_s2_unmap)
 * @flags: must be 0
 * @s2_id: the S2 to unmap from
 * @__reserved: must be 0
 * @gpa: first guest-physical address, page aligned
 * @length: bytes, a non-zero multiple of the page size
 * @out_unmapped: bytes actually unmapped
 *
 * Remove every mapping that lies inside [@gpa, @gpa + @length), unpin and
 * uncharge its memory.  A mapping is removed whole: one that crosses either
 * end of the range cannot be split and fails the call with EINVAL (nothing is
 * unmapped then).
 *
 * Errors: EINVAL zero or unaligned @gpa or @length, or a mapping would be
 * split; EOVERFLOW the range wraps; ENOENT no mapping lies in the range.
 */
struct vcmdq_s2_unmap {
	__u32 size;
	__u32 flags;
	__u32 s2_id;
	__u32 __reserved;
	__aligned_u64 gpa;
	__aligned_u64 length;
	__aligned_u64 out_unmapped;
};
#define VCMDQ_S2_UNMAP _IO(VCMDQ_TYPE, VCMDQ_CMD_S2_UNMAP)

/**
 * struct vcmdq_viommu_alloc - ioctl(VCMDQ_VIOMMU_ALLOC)
 * @size: sizeof(struct vcmdq_viommu_alloc)
 * @flags: must be 0
 * @instance_id: the IOMMU instance (&vcmdq_instance_info.id)
 * @s2_id: the VM's S2
 * @out_viommu_id: the new vIOMMU's ID
 * @out_tag: the host tag (VMID on SMMUv3, DomainID on AMD-Vi, DID on VT-d)
 *	the instance allocated for this vIOMMU; every command the VM issues
 *	through it is executed under this tag
 *
 * Allocate the VM's slice of one IOMMU instance.  The vIOMMU holds the S2
 * (VCMDQ_DESTROY of the S2 fails with EBUSY while it exists) and owns a tag of
 * its instance: two vIOMMUs on two instances sharing one S2 each get a tag of
 * their own instance, and two VMs on one instance never share a tag.  The tag
 * is returned to the instance when the vIOMMU is destroyed.
 *
 * Errors: ENOENT unknown @instance_id or @s2_id; EEXIST this S2 already has a
 * vIOMMU on this instance; ENOSPC the instance has no free vIOMMU slot or no
 * free tag.
 */
struct vcmdq_viommu_alloc {
	__u32 size;
	__u32 flags;
	__u32 instance_id;
	__u32 s2_id;
	__u32 out_viommu_id;
	__u32 out_tag;
};
#define VCMDQ_VIOMMU_ALLOC _IO(VCMDQ_TYPE, VCMDQ_CMD_VIOMMU_ALLOC)

#endif /* _UAPI_LINUX_VCMDQ_H */
