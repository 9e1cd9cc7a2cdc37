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
 *  - EREMOTE: a valid request only the VMM can carry out (VCMDQ_INVALIDATE:
 *    an interrupt remapping or stream table invalidation).
 *
 * Each ioctl below lists its own additional errno cases.
 */

/*
 * 0xBE is free in the kernel's ioctl registry
 * (Documentation/userspace-api/ioctl/ioctl-number.rst, as of Linux 6.1 and
 * the later 0xB8 and 0xBA allocations); ';' is VFIO's and iommufd's.
 */
#define VCMDQ_TYPE 0xBE

/*
 * Numbers start at 0xc0; new commands are only ever appended.  The test
 * module's private ioctl (not part of this ABI) lives at VCMDQ_CMD_BASE +
 * 0x30, out of the way of the commands that will be appended here.
 */
enum {
	VCMDQ_CMD_BASE = 0xc0,
	VCMDQ_CMD_DESTROY = VCMDQ_CMD_BASE,
	VCMDQ_CMD_GET_INFO,
	VCMDQ_CMD_S2_ALLOC,
	VCMDQ_CMD_S2_MAP,
	VCMDQ_CMD_S2_UNMAP,
	VCMDQ_CMD_VIOMMU_ALLOC,
	VCMDQ_CMD_QUEUE_ALLOC,
	VCMDQ_CMD_VDEVICE_ALLOC,
	VCMDQ_CMD_EVENTQ_ALLOC,
	VCMDQ_CMD_KICK,
	VCMDQ_CMD_INVALIDATE,
	VCMDQ_CMD_GET_OBJECTS,
};

/**
 * struct vcmdq_destroy - ioctl(VCMDQ_DESTROY)
 * @size: sizeof(struct vcmdq_destroy)
 * @id: the ID of any object of this file
 *
 * Destroy an object.  Fails with EBUSY while another object depends on it
 * (a vIOMMU on its S2, a queue on its vIOMMU, ...) or while an mmap() of it
 * (a vIOMMU's control region) exists; with ENOENT when @id names no object
 * (including 0).  Destroying an S2 drops its VCMDQ_S2_MAP mappings, unpinning
 * and uncharging their memory.
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
 * @VCMDQ_INSTANCE_CAP_AMD_INV_ALL: the AMD-Vi instance accepts
 *	INVALIDATE_ALL (the guest sees EFR.InvAllSup)
 * @VCMDQ_INSTANCE_CAP_VTD_DESC_256: the VT-d instance also accepts 256-bit
 *	descriptors (entry_len 32), as a guest using IQA_REG.DW = 1 (scalable
 *	mode) writes them
 * @VCMDQ_INSTANCE_CAP_QUEUE_NONCONTIG: VCMDQ_QUEUE_ALLOC accepts queue
 *	memory that is not physically contiguous: the emulated engine reads a
 *	queue through a kernel mapping of its pages, so a VMM need not back a
 *	guest's multi-MiB queues with huge pages.  Hardware reads queues by
 *	physical address and lacks it; so does an emulated instance while the
 *	module parameter queue_contiguous is 1 (to test a VMM against the
 *	hardware's rule)
 * @VCMDQ_INSTANCE_CAP_HOST: the instance mirrors one of the host's own
 *	IOMMU units (&vcmdq_instance_info.host_iommu names it): its flavor,
 *	the limits the host kernel exposes, the PCI devices in its scope and
 *	their physical IDs are the real machine's.  Commands still execute on
 *	the module's software model (%VCMDQ_INSTANCE_CAP_EMULATED stays set):
 *	the host's IOMMU driver keeps the hardware.  Without this bit the
 *	instance is synthetic, made by the "instances" module parameter for
 *	development and tests.
 */
enum vcmdq_instance_caps {
	VCMDQ_INSTANCE_CAP_FAST_QUEUES = 1 << 0,
	VCMDQ_INSTANCE_CAP_EMULATED = 1 << 1,
	VCMDQ_INSTANCE_CAP_AMD_INV_ALL = 1 << 2,
	VCMDQ_INSTANCE_CAP_VTD_DESC_256 = 1 << 3,
	VCMDQ_INSTANCE_CAP_QUEUE_NONCONTIG = 1 << 4,
	VCMDQ_INSTANCE_CAP_HOST = 1 << 5,
};

/**
 * enum vcmdq_data_type - formats of slow path invalidation entries
 * @VCMDQ_DATA_DEFAULT: reserved
 * @VCMDQ_DATA_SMMUV3: raw 16-byte SMMUv3 command queue entries
 * @VCMDQ_DATA_AMD_VI: raw 16-byte AMD-Vi command buffer entries
 * @VCMDQ_DATA_VTD: raw VT-d queued invalidation descriptors, 16 or 32 bytes
 *
 * &vcmdq_instance_info.data_types has bit (1 << type) set for each type the
 * instance accepts, and &vcmdq_instance_info.data_entry_len[type] is the
 * size of one entry of that type.
 */
enum vcmdq_data_type {
	VCMDQ_DATA_DEFAULT = 0,
	VCMDQ_DATA_SMMUV3 = 1,
	VCMDQ_DATA_AMD_VI = 2,
	VCMDQ_DATA_VTD = 3,
};

/* Entries of &vcmdq_instance_info.data_entry_len: data types 0 to 15. */
#define VCMDQ_DATA_TYPES_MAX		16

/* Bytes of &vcmdq_instance_info.host_iommu, the terminating NUL included. */
#define VCMDQ_HOST_IOMMU_NAME_LEN	32

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
 * @data_entry_len: for each enum vcmdq_data_type set in @data_types, the
 *	size in bytes of one entry of its format (16 for SMMUv3, AMD-Vi and
 *	128-bit VT-d descriptors; 256-bit VT-d descriptors, with
 *	%VCMDQ_INSTANCE_CAP_VTD_DESC_256, are twice that); 0 for the others.
 *	The smallest &vcmdq_invalidate.entry_len VCMDQ_INVALIDATE accepts.
 * @vtd_max_am: on a %VCMDQ_FLAVOR_VTD instance, the largest address mask
 *	(AM) of a page-selective IOTLB or PASID-based IOTLB descriptor: the
 *	instance's CAP_REG.MAMV, which the VMM shows its guest.  0 on other
 *	flavors.
 * @__reserved2: always 0
 * @host_iommu: with %VCMDQ_INSTANCE_CAP_HOST, the name of the host IOMMU
 *	unit the instance mirrors, as in /sys/class/iommu/ ("dmar0", "ivhd0",
 *	"smmu3.0x0000000009050000"), NUL-terminated; all zero on a synthetic
 *	instance
 *
 * Userspace feature-probes from these fields; it never compares versions.
 * Fields from @data_entry_len on were appended: a kernel that predates them
 * leaves them zero (see &vcmdq_get_info.entry_len).
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
	__u8 data_entry_len[VCMDQ_DATA_TYPES_MAX];
	__u32 vtd_max_am;
	__u32 __reserved2;
	char host_iommu[VCMDQ_HOST_IOMMU_NAME_LEN];
};

/**
 * struct vcmdq_get_info - ioctl(VCMDQ_GET_INFO)
 * @size: sizeof(struct vcmdq_get_info)
 * @flags: must be 0
 * @entry_len: the size of one &struct vcmdq_instance_info as userspace knows
 *	it: when @num_instances is non-zero, at least up to @vsids_per_viommu
 *	and at most the page size (EINVAL otherwise)
 * @num_instances: input: how many entries @instances_uptr has room for;
 *	output: how many instances the module has
 * @instances_uptr: user pointer to an array of @num_instances entries of
 *	@entry_len bytes each
 * @device_entry_len: the size of one &struct vcmdq_device_info as userspace
 *	knows it: when @num_devices is non-zero, at least up to @pci_device and
 *	at most the page size (EINVAL otherwise)
 * @num_devices: input: how many entries @devices_uptr has room for; output:
 *	how many devices sit behind the instances, over all of them
 * @devices_uptr: user pointer to an array of @num_devices entries of
 *	@device_entry_len bytes each
 *
 * Report the IOMMU instances, and the PCI devices behind each, from which a
 * VMM builds its guest's topology (which vIOMMU each assigned device sits
 * behind) without reading module parameters.  The kernel writes
 * min(input @num_instances, instances) instance entries and min(input
 * @num_devices, devices) device entries, in instance order; an entry longer
 * than the kernel's struct gets its tail zeroed, a shorter one is truncated.
 * A zero count only reports the number (a NULL pointer is then fine), so a
 * first call with both counts 0 sizes the arrays.  The device fields were
 * appended: a @size that ends before them asks for instances only.
 */
struct vcmdq_get_info {
	__u32 size;
	__u32 flags;
	__u32 entry_len;
	__u32 num_instances;
	__aligned_u64 instances_uptr;
	__u32 device_entry_len;
	__u32 num_devices;
	__aligned_u64 devices_uptr;
};
#define VCMDQ_GET_INFO _IO(VCMDQ_TYPE, VCMDQ_CMD_GET_INFO)

/**
 * struct vcmdq_device_info - a PCI device behind an instance, as GET_INFO
 *	reports it
 * @instance_id: the instance (&vcmdq_instance_info.id)
 * @pci_device: the device, VCMDQ_PCI_DEVICE(segment, bus, device, function),
 *	as VCMDQ_VDEVICE_ALLOC takes it; it may not exist (yet): the instance
 *	claims it by address
 * @phys_id: the ID the instance uses for the device, as
 *	&vcmdq_vdevice_alloc.out_phys_id reports it: on a
 *	%VCMDQ_INSTANCE_CAP_HOST SMMUv3 instance the StreamID the host's
 *	firmware gives the device (its IORT / device tree iommu-map), on the
 *	other flavors and every synthetic instance @pci_device (the requester
 *	ID with the segment above it)
 * @__reserved: always 0
 *
 * @phys_id was appended: a kernel that predates it leaves it zero (see
 * &vcmdq_get_info.device_entry_len).
 */
struct vcmdq_device_info {
	__u32 instance_id;
	__u32 pci_device;
	__u32 phys_id;
	__u32 __reserved;
};

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
 * pinned long-term (as a device would pin it for DMA) and charged, as
 * iommufd charges it, to the locked memory of the caller's *user*
 * (user->locked_vm, shared by all processes of that user), not of the
 * calling process: the pins outlive the process when the file is passed on,
 * or the process forks, execs or exits, and so must the charge.  The map
 * fails when the user's charge would pass the caller's RLIMIT_MEMLOCK; a
 * caller with CAP_IPC_LOCK is neither limited nor charged.  The calling
 * process's VmPin (/proc/PID/status) shows the pages while mapped.  It is
 * all unpinned and uncharged (to the same user) by VCMDQ_S2_UNMAP, by
 * destroying the S2, or when the file is closed, by whichever process.
 *
 * With VCMDQ_S2_MAP_WRITE the memory must be anonymous, shmem (tmpfs, memfd,
 * shared anonymous, SysV shm), hugetlbfs, or a private file mapping (pinned
 * for write, it becomes anonymous): the kernel writes to it behind the page
 * tables (completion stores), which a file system's page cache cannot
 * track.  Linux 6.5+ refuses such pins for every caller; so does this
 * ioctl, on every kernel.  A range may end at the very top of the address
 * space (@gpa + @length == 2^64); GPA 0 is a valid address.
 *
 * Errors: EOPNOTSUPP unknown flag; EINVAL no access flag, a zero @length, or
 * an unaligned @gpa, @uaddr or @length; EOVERFLOW when either range wraps;
 * EEXIST when the range overlaps an existing mapping of this S2; ENOMEM past
 * RLIMIT_MEMLOCK (checked before anything is allocated for the map), or
 * when the range is too large to track; EFAULT when @uaddr is not mapped
 * with the requested access, or VCMDQ_S2_MAP_WRITE of a shared mapping of a
 * file other than shmem and hugetlbfs.
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
 * Errors: EINVAL a zero @length, an unaligned @gpa or @length, or a mapping
 * would be split; EOVERFLOW the range wraps; ENOENT no mapping lies in the
 * range; EBUSY a queue uses memory in the range.  EFAULT when @out_unmapped
 * cannot be written: the unmap has happened then.
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
 * @out_mmap_offset: on an instance with %VCMDQ_INSTANCE_CAP_FAST_QUEUES, the
 *	mmap() offset of the vIOMMU's control region (see "Control region");
 *	0 otherwise
 * @out_mmap_length: the control region's length, %VCMDQ_CTRL_SIZE; 0 when
 *	there is none
 *
 * Allocate the VM's slice of one IOMMU instance.  The vIOMMU holds the S2
 * (VCMDQ_DESTROY of the S2 fails with EBUSY while it exists) and owns a tag of
 * its instance: two vIOMMUs on two instances sharing one S2 each get a tag of
 * their own instance, and two VMs on one instance never share a tag.  The tag
 * is returned to the instance when the vIOMMU is destroyed.
 *
 * The control region is mapped with mmap(NULL, @out_mmap_length,
 * PROT_READ | PROT_WRITE, MAP_SHARED, fd, @out_mmap_offset).  Only that exact
 * offset and length map (ENXIO otherwise, also for another file's offset);
 * MAP_PRIVATE fails with EINVAL and PROT_EXEC with EPERM.  While a mapping
 * exists, VCMDQ_DESTROY of the vIOMMU fails with EBUSY.
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
	__aligned_u64 out_mmap_offset;
	__aligned_u64 out_mmap_length;
};
#define VCMDQ_VIOMMU_ALLOC _IO(VCMDQ_TYPE, VCMDQ_CMD_VIOMMU_ALLOC)

/**
 * DOC: Control region
 *
 * A vIOMMU of a %VCMDQ_INSTANCE_CAP_FAST_QUEUES instance has a 64 KiB control
 * region laid out as the NVIDIA Tegra241 CMDQV VINTF page0: 128 bytes per
 * logical queue, at %VCMDQ_CTRL_QUEUE_STRIDE * index, with the registers
 * below.  A VMM maps it where the guest expects its VINTF page0, so a guest
 * driver written for the hardware runs unchanged and never exits to issue
 * commands.
 *
 * The guest (producer) writes PROD, CONFIG and GERRORN; the engine writes
 * CONS, STATUS and GERROR.  Queue entries are 16-byte SMMUv3 commands in guest
 * memory; PROD and CONS follow the SMMUv3 rules: the low log2size bits are
 * the index, the next bit the wrap flag; the queue is empty when both are
 * equal, full when only the wrap flags differ.
 *
 * - CONFIG.EN = 1 enables an allocated queue; the engine sets STATUS.ENABLED
 *   in reply.  CONFIG.EN = 0 stops it and clears STATUS.ENABLED.  A queue
 *   slot with no VCMDQ_QUEUE_ALLOC never becomes enabled.
 * - The engine consumes entries from CONS to PROD and advances CONS past
 *   each one it executed: a CMD_SYNC is complete once CONS has passed it.
 *   Accepted: TLBI_NH_ASID, TLBI_NH_VA, ATC_INV and CMD_SYNC with CS = NONE.
 *   The VMID field is replaced by the vIOMMU's tag and ATC_INV's StreamID is
 *   translated through the vIOMMU's vDEVICEs.
 * - Any other command, or an ATC_INV for an unknown virtual StreamID, stops
 *   the queue: CONS points at the entry, CONS.ERR holds %VCMDQ_CERROR_ILL and
 *   GERROR.CMDQ_ERR toggles, and an event is queued on the vIOMMU's event
 *   queue.  The guest fixes or skips the entry (it may rewrite it, or write
 *   CONS past it) and acknowledges by making GERRORN equal GERROR; the
 *   engine then resumes at CONS.
 *
 * vcmdq adds one word outside the hardware layout, at %VCMDQ_CTRL_ENGINE:
 * %VCMDQ_ENGINE_NEED_WAKEUP is set, in the region of every vIOMMU with at
 * least one bound queue, while the engine is idle and only polls on a
 * timer.  A producer that wants the lowest latency checks it after writing
 * PROD and, if set, calls VCMDQ_KICK (as io_uring's SQPOLL flag works).
 * The engine clears it before it publishes the CONS of the first entries
 * it consumes after waking: a producer that saw its entries consumed
 * (acquire of CONS) and then sees the flag knows the engine went idle
 * since.
 */
#define VCMDQ_CTRL_SIZE			0x10000
#define VCMDQ_CTRL_QUEUE_STRIDE		0x80
#define VCMDQ_CTRL_CONS			0x00
#define  VCMDQ_CONS_ERR_SHIFT		24
#define  VCMDQ_CONS_ERR_MASK		0x7f
#define VCMDQ_CTRL_PROD			0x04
#define VCMDQ_CTRL_CONFIG		0x08
#define  VCMDQ_CONFIG_EN		(1U << 0)
#define VCMDQ_CTRL_STATUS		0x0c
#define  VCMDQ_STATUS_ENABLED		(1U << 0)
#define VCMDQ_CTRL_GERROR		0x10
#define VCMDQ_CTRL_GERRORN		0x14
#define  VCMDQ_GERROR_CMDQ_ERR		(1U << 0)
#define VCMDQ_CTRL_ENGINE		0x8000
#define  VCMDQ_ENGINE_NEED_WAKEUP	(1U << 0)

/* CONS.ERR values, as SMMUv3 defines them. */
#define VCMDQ_CERROR_NONE		0
#define VCMDQ_CERROR_ILL		1
#define VCMDQ_CERROR_ABT		2
#define VCMDQ_CERROR_ATC_INV_SYNC	3

/**
 * struct vcmdq_queue_alloc - ioctl(VCMDQ_QUEUE_ALLOC)
 * @size: sizeof(struct vcmdq_queue_alloc)
 * @flags: must be 0
 * @viommu_id: the vIOMMU owning the queue
 * @index: the logical queue index in the control region
 * @gpa: guest-physical address of the queue (the guest's BASE register)
 * @length: bytes: a power of two from 32 up to
 *	16 << &vcmdq_instance_info.max_queue_log2size
 * @out_queue_id: the new queue's ID
 * @__reserved: must be 0
 *
 * Bind a command queue in guest memory to a logical queue of the vIOMMU, as
 * the hypervisor does when the guest writes the VCMDQ's BASE register.  The
 * guest then enables it through the control region.  Indexes are allocated
 * in ascending order and destroyed in descending order, as the hardware
 * requires.  The queue pins its S2 range: VCMDQ_S2_UNMAP over it fails with
 * EBUSY while the queue exists.  Without
 * %VCMDQ_INSTANCE_CAP_QUEUE_NONCONTIG the range must be physically
 * contiguous in host memory (the hardware reads it by physical address),
 * e.g. backed by a huge page; with it, any mapped range will do.  Destroying the queue resets its 128 bytes of the control
 * region to zero (CONFIG, STATUS, PROD, CONS, GERROR, GERRORN), as the
 * hypervisor resets a VCMDQ it unmaps, so the next queue bound there starts
 * clean.
 *
 * Errors: EOPNOTSUPP the instance has no fast path queues, or non-zero
 * @flags; EINVAL @index past &vcmdq_instance_info.queues_per_viommu, bad
 * @length, or @gpa not aligned to @length; EOVERFLOW the range wraps; EEXIST
 * @index is in use (also by a QUEUE_ALLOC in flight); EIO @index - 1 is not
 * allocated (a QUEUE_ALLOC of it that has not returned yet, or a DESTROY of
 * it that has begun, count as not allocated); ENOENT part of the range is
 * not mapped in the S2; EFAULT the range is mapped but not physically
 * contiguous, on an instance without %VCMDQ_INSTANCE_CAP_QUEUE_NONCONTIG
 * (ENOENT wins when both apply).
 */
struct vcmdq_queue_alloc {
	__u32 size;
	__u32 flags;
	__u32 viommu_id;
	__u32 index;
	__aligned_u64 gpa;
	__aligned_u64 length;
	__u32 out_queue_id;
	__u32 __reserved;
};
#define VCMDQ_QUEUE_ALLOC _IO(VCMDQ_TYPE, VCMDQ_CMD_QUEUE_ALLOC)

/*
 * A PCI device as VCMDQ_VDEVICE_ALLOC names it: segment, bus, device and
 * function, as in 0000:00:04.0.
 */
#define VCMDQ_PCI_DEVICE(seg, bus, dev, fn)                                   \
	((((__u32)(seg) & 0xffff) << 16) | (((__u32)(bus) & 0xff) << 8) |       \
	 (((__u32)(dev) & 0x1f) << 3) | ((__u32)(fn) & 0x7))

/**
 * struct vcmdq_vdevice_alloc - ioctl(VCMDQ_VDEVICE_ALLOC)
 * @size: sizeof(struct vcmdq_vdevice_alloc)
 * @flags: must be 0
 * @viommu_id: the vIOMMU the device is assigned through
 * @vfio_fd: an open VFIO file giving access to the device (its group's
 *	file, or on kernels with VFIO device files the device's own
 *	/dev/vfio/devices/vfioN), proving the caller owns it; -1 for a
 *	device with no IOMMU group
 * @pci_device: the device, VCMDQ_PCI_DEVICE(segment, bus, device, function)
 * @out_vdevice_id: the new vDEVICE's ID
 * @virt_id: the ID the guest uses for the device: its virtual StreamID
 *	(SMMUv3), DeviceID (AMD-Vi) or source-id (VT-d); at most 0xffffffff
 * @out_phys_id: the physical ID the instance uses for the device: its PCI
 *	requester ID with the segment above it, the same value as
 *	@pci_device, so devices with one BDF on two segments never share one;
 *	on a %VCMDQ_INSTANCE_CAP_HOST SMMUv3 instance the device's real
 *	StreamID (&vcmdq_device_info.phys_id)
 * @__reserved: must be 0
 *
 * Let the VM name a device it owns in commands: ATC invalidations and
 * configuration invalidations carrying @virt_id reach the device's physical
 * ID, and no other.  A device behind an IOMMU must be bound to vfio-pci and
 * proven owned with an open VFIO file that gives access to it: its group's
 * /dev/vfio/<group>, or on kernels with VFIO device files
 * (CONFIG_VFIO_DEVICE_CDEV) the device's /dev/vfio/devices/vfioN.  A device
 * with no IOMMU group (a host without an IOMMU) can only be named by a
 * caller with CAP_SYS_ADMIN, and
 * only while no host driver is bound to it.  A synthetic instance takes the
 * devices its "devices" module parameter assigns to it; a
 * %VCMDQ_INSTANCE_CAP_HOST instance the devices in its host unit's scope
 * when the module loaded, so a device behind a real unit gets a vDEVICE on
 * that unit's instance and on no other real one (EINVAL).  A device
 * removed since the module loaded is still listed by address and gets
 * ENODEV.
 *
 * The ownership lasts as long as the vDEVICE, not just the call: the vDEVICE
 * keeps @vfio_fd's file open (closing the VMM's own fd changes nothing), so
 * VFIO refuses anyone else's open of the group (EBUSY from VFIO) until the
 * vDEVICE is destroyed or the /dev/vcmdq file closed.  A device file is not
 * exclusive to open (VFIO makes binding it to an iommufd exclusive); the
 * device still has one vDEVICE at a time (EEXIST below).  A driver binding to
 * or unbinding from the device (vfio-pci leaving; a host driver arriving at
 * a device with no group) revokes the vDEVICE: its @virt_id stops
 * translating (commands naming it fail as for an unknown device, EIO), its
 * ATC entries are dropped, the device is free to be named again, and the
 * object remains until VCMDQ_DESTROY.
 *
 * Errors: EOPNOTSUPP non-zero @flags or @__reserved; ENODEV no such PCI
 * device; EINVAL the device is not behind the vIOMMU's instance, or @virt_id
 * is too large; EBADF @vfio_fd is not an open file; EPERM @vfio_fd does not
 * give access to the device (or the device is not bound to vfio-pci), or no
 * group and no CAP_SYS_ADMIN; EBUSY a device
 * with no IOMMU group is bound to a host driver; EEXIST the device already
 * has a vDEVICE, not revoked (in any file: a device belongs to one VM; a
 * second VM holding a file of the group, e.g. passed on by the first, gets
 * this until the first VM's vDEVICE is destroyed), or @virt_id is
 * used in this vIOMMU; ENOSPC the vIOMMU has no free virtual ID slot
 * (&vcmdq_instance_info.vsids_per_viommu).
 */
struct vcmdq_vdevice_alloc {
	__u32 size;
	__u32 flags;
	__u32 viommu_id;
	__s32 vfio_fd;
	__u32 pci_device;
	__u32 out_vdevice_id;
	__aligned_u64 virt_id;
	__u32 out_phys_id;
	__u32 __reserved;
};
#define VCMDQ_VDEVICE_ALLOC _IO(VCMDQ_TYPE, VCMDQ_CMD_VDEVICE_ALLOC)

/* The deepest event queue. */
#define VCMDQ_EVENTQ_MAX_DEPTH		(1U << 19)

/**
 * struct vcmdq_eventq_alloc - ioctl(VCMDQ_EVENTQ_ALLOC)
 * @size: sizeof(struct vcmdq_eventq_alloc)
 * @flags: must be 0
 * @viommu_id: the vIOMMU whose events to report
 * @depth: how many events the queue holds, 1 to %VCMDQ_EVENTQ_MAX_DEPTH
 * @out_eventq_id: the event queue's ID (VCMDQ_DESTROY ends it)
 * @out_eventq_fd: a new file descriptor (O_CLOEXEC) to read events from
 *
 * Create the vIOMMU's event queue; a vIOMMU has at most one.  The fd gives
 * records of struct vcmdq_event_header followed by struct
 * vcmdq_event_cmdq_err.  read() returns as many whole records as fit in the
 * buffer (EINVAL when not even one fits), blocks while the queue is empty
 * unless O_NONBLOCK (EAGAIN), and poll() reports EPOLLIN while a record is
 * queued.  Each event takes the next sequence number.  When an event finds
 * the queue full it is dropped, the newest queued record gets
 * %VCMDQ_EVENT_FLAG_LOST_EVENTS, and the next record delivered shows the gap
 * in its sequence number.  Destroying the event queue (or the file) makes
 * read() of a drained fd return 0 and poll() report EPOLLHUP.
 *
 * @out_eventq_fd is mandatory (a smaller @size is EINVAL): an fd the caller
 * never learns of would leak.
 *
 * Errors: EOPNOTSUPP non-zero @flags; EINVAL @depth is 0 or too deep; EEXIST
 * the vIOMMU has an event queue.
 */
struct vcmdq_eventq_alloc {
	__u32 size;
	__u32 flags;
	__u32 viommu_id;
	__u32 depth;
	__u32 out_eventq_id;
	__s32 out_eventq_fd;
};
#define VCMDQ_EVENTQ_ALLOC _IO(VCMDQ_TYPE, VCMDQ_CMD_EVENTQ_ALLOC)

/**
 * enum vcmdq_event_flags - &vcmdq_event_header.flags
 * @VCMDQ_EVENT_FLAG_LOST_EVENTS: events raised after this one were dropped
 *	because the queue was full
 */
enum vcmdq_event_flags {
	VCMDQ_EVENT_FLAG_LOST_EVENTS = 1 << 0,
};

/**
 * struct vcmdq_event_header - the start of every event record
 * @flags: enum vcmdq_event_flags
 * @sequence: one more than the previous event's, counting dropped events,
 *	so a gap says how many were lost; wraps from 0x7fffffff to 0
 */
struct vcmdq_event_header {
	__u32 flags;
	__u32 sequence;
};

/**
 * struct vcmdq_event_cmdq_err - a command queue stopped on an error
 * @queue_index: the logical queue in the vIOMMU's control region
 * @error: the CONS.ERR code (%VCMDQ_CERROR_ILL, ...)
 * @cons: the CONS value the queue stopped at (index and wrap bit, without
 *	ERR): the index is the offending entry's
 * @__reserved: 0
 * @cmd: the offending command, as the guest wrote it
 */
struct vcmdq_event_cmdq_err {
	__u32 queue_index;
	__u32 error;
	__u32 cons;
	__u32 __reserved;
	__aligned_u64 cmd[2];
};

/**
 * struct vcmdq_kick - ioctl(VCMDQ_KICK)
 * @size: sizeof(struct vcmdq_kick)
 * @viommu_id: a vIOMMU of a %VCMDQ_INSTANCE_CAP_FAST_QUEUES instance
 *
 * Wake the instance's engine so it consumes the vIOMMU's queues now rather
 * than at its next timer poll.  Only worth calling while the control region
 * shows %VCMDQ_ENGINE_NEED_WAKEUP.
 *
 * Errors: ENOENT unknown @viommu_id; EOPNOTSUPP the instance has no queues.
 */
struct vcmdq_kick {
	__u32 size;
	__u32 viommu_id;
};
#define VCMDQ_KICK _IO(VCMDQ_TYPE, VCMDQ_CMD_KICK)

/* Bounds of VCMDQ_INVALIDATE batches. */
#define VCMDQ_INVALIDATE_MAX_ENTRIES	(1U << 16)
#define VCMDQ_INVALIDATE_MAX_ENTRY_LEN	64

/**
 * struct vcmdq_invalidate - ioctl(VCMDQ_INVALIDATE)
 * @size: sizeof(struct vcmdq_invalidate)
 * @flags: must be 0
 * @viommu_id: the vIOMMU the guest issued the commands through
 * @data_type: enum vcmdq_data_type of the entries; one of the instance's
 *	&vcmdq_instance_info.data_types
 * @entry_len: bytes per entry: at least the format's size (16; VT-d: 16 for
 *	128-bit descriptors, 32 for 256-bit ones), at most
 *	%VCMDQ_INVALIDATE_MAX_ENTRY_LEN; bytes past the format's size must be 0
 * @entry_num: input: entries in the array, at most
 *	%VCMDQ_INVALIDATE_MAX_ENTRIES; output: entries handled, also on error
 * @data_uptr: user pointer to the array
 *
 * Execute a batch of trapped guest invalidation commands, in the guest's own
 * format, as the vIOMMU's instance would.  Each entry is validated (opcode
 * allow-list, reserved bits), its guest IDs translated (the host tag is
 * always the vIOMMU's: an SMMUv3 VMID field is ignored; device IDs go
 * through the vIOMMU's vDEVICEs), and executed in order.  The kernel owns
 * completion: a CMD_SYNC, COMPLETION_WAIT or wait descriptor completes when
 * everything before it in the batch has, and its store (SMMUv3 CS=SIG_IRQ
 * MSI write, AMD-Vi S=1, VT-d SW=1) is written to guest memory through the
 * S2; so a VMM may forward a trapped slice of the guest's queue verbatim.
 *
 * Processing stops at the first entry the kernel does not execute; the
 * entries before it took effect and @entry_num says how many that is, so
 * the entry at @entry_num is the one that stopped the batch.  @entry_num = 0
 * checks that the instance accepts @data_type and does nothing else
 * (@data_uptr may be NULL then).
 *
 * Valid commands for state only the VMM has stop the batch with EREMOTE:
 * VT-d interrupt entry cache invalidations and AMD-Vi
 * INVALIDATE_INTERRUPT_TABLE (the VMM emulates interrupt remapping), SMMUv3
 * CFGI_STE and CFGI_ALL (the VMM re-attaches the device with the new vSTE).
 * Nothing at or after @entry_num ran.  The VMM executes that entry itself
 * and resubmits the rest from @entry_num + 1, so the guest's order holds: a
 * later wait descriptor or CMD_SYNC completes only after the VMM's part.
 * (Skipping such entries and reporting them afterwards would complete a
 * guest's wait before its interrupt remapping change took effect.)  Their
 * reserved fields are checked first: a malformed one is EIO like any other.
 *
 * Configuration invalidations (VT-d context cache, AMD-Vi
 * INVALIDATE_DEVTAB_ENTRY, SMMUv3 CFGI_CD / CFGI_CD_ALL, VT-d PASID cache)
 * of a device ID with no vDEVICE in this vIOMMU succeed and do nothing: the
 * host caches nothing for a device it did not give the VM (a device the VMM
 * emulates, the IOAPIC's ID in IVRS), and real guests name them.  A device
 * TLB invalidation has an effect on a device, so an unknown device ID there
 * stays EIO.
 *
 * A Global bit (SMMUv3 ATC_INV SSV=1 Global, VT-d PASID-based device-TLB
 * G=1, VT-d page-selective PASID-based IOTLB) also reaches translations
 * shared by every PASID: the range is dropped in every PASID of the device
 * or address space.
 *
 * The same request can be issued through io_uring: see struct
 * vcmdq_uring_cmd.
 *
 * SMMUv3 accepts TLBI_NH_VA, TLBI_NH_VAA, TLBI_NH_ALL, TLBI_NH_ASID,
 * TLBI_NSNH_ALL (as TLBI_NH_ALL of this VM), ATC_INV, CFGI_CD, CFGI_CD_ALL,
 * CMD_SYNC, and PREFETCH_CFG (a Linux guest sends one after each STE update;
 * a hint an SMMU may ignore, it does nothing).  AMD-Vi accepts INVALIDATE_IOMMU_PAGES,
 * INVALIDATE_IOTLB_PAGES, INVALIDATE_DEVTAB_ENTRY, COMPLETION_WAIT, and
 * INVALIDATE_ALL with %VCMDQ_INSTANCE_CAP_AMD_INV_ALL.  VT-d accepts context
 * cache, IOTLB, PASID-based IOTLB, device-TLB, PASID-based device-TLB, PASID
 * cache and invalidation wait descriptors; a page-selective range's address
 * mask (AM) may not exceed &vcmdq_instance_info.vtd_max_am.  Guest AMD-Vi
 * DomainIDs and VT-d DIDs are address spaces under the vIOMMU's tag.
 *
 * Errors: EOPNOTSUPP non-zero @flags or a @data_type the instance does not
 * accept; ENOENT unknown @viommu_id; EINVAL bad @entry_len, @entry_num past
 * the maximum, or a NULL @data_uptr with entries; EFAULT the array is not
 * readable (nothing was executed); E2BIG an entry has non-zero bytes past
 * its format's size; EIO an entry is illegal: unknown or refused opcode,
 * reserved bits set, a VT-d AM above &vcmdq_instance_info.vtd_max_am, a
 * device TLB invalidation of a device ID with no vDEVICE, or a completion
 * store to guest memory that is not mapped writable in the S2; EREMOTE the
 * entry at @entry_num is valid but the VMM's to execute (see above).  When
 * the batch fails and @entry_num cannot be written back either, the call
 * fails with EFAULT: the caller must not guess how many entries ran.
 */
struct vcmdq_invalidate {
	__u32 size;
	__u32 flags;
	__u32 viommu_id;
	__u32 data_type;
	__u32 entry_len;
	__u32 entry_num;
	__aligned_u64 data_uptr;
};
#define VCMDQ_INVALIDATE _IO(VCMDQ_TYPE, VCMDQ_CMD_INVALIDATE)

/**
 * struct vcmdq_uring_cmd - the payload of an io_uring command on /dev/vcmdq
 * @req_uptr: user pointer to the request struct of the command
 * @__reserved: must be 0
 *
 * An IORING_OP_URING_CMD SQE on a /dev/vcmdq file with cmd_op set to
 * %VCMDQ_INVALIDATE carries this struct in its command area (16 bytes: a
 * normal 64-byte SQE holds it; SQE128 rings work too).  @req_uptr points to
 * a struct vcmdq_invalidate, which the kernel reads and updates exactly as
 * the ioctl does, @entry_num included.  The CQE's res is 0 or the negative
 * errno the ioctl would have failed with.  Only VCMDQ_INVALIDATE goes
 * through io_uring; other cmd_op values complete with -EOPNOTSUPP.
 */
struct vcmdq_uring_cmd {
	__aligned_u64 req_uptr;
	__aligned_u64 __reserved;
};

/**
 * enum vcmdq_object_type - &vcmdq_object_info.type
 * @VCMDQ_OBJECT_DEFAULT: reserved
 * @VCMDQ_OBJECT_S2: a stage-2 domain (VCMDQ_S2_ALLOC)
 * @VCMDQ_OBJECT_VIOMMU: a vIOMMU (VCMDQ_VIOMMU_ALLOC)
 * @VCMDQ_OBJECT_QUEUE: a command queue (VCMDQ_QUEUE_ALLOC)
 * @VCMDQ_OBJECT_VDEVICE: a vDEVICE (VCMDQ_VDEVICE_ALLOC)
 * @VCMDQ_OBJECT_EVENTQ: an event queue (VCMDQ_EVENTQ_ALLOC)
 */
enum vcmdq_object_type {
	VCMDQ_OBJECT_DEFAULT = 0,
	VCMDQ_OBJECT_S2 = 1,
	VCMDQ_OBJECT_VIOMMU = 2,
	VCMDQ_OBJECT_QUEUE = 3,
	VCMDQ_OBJECT_VDEVICE = 4,
	VCMDQ_OBJECT_EVENTQ = 5,
};

/**
 * enum vcmdq_object_info_flags - &vcmdq_object_info.flags
 * @VCMDQ_OBJECT_INFO_SELF: the object belongs to the calling file
 * @VCMDQ_OBJECT_INFO_ENABLED: a queue the guest enabled (STATUS.ENABLED)
 * @VCMDQ_OBJECT_INFO_ERROR: a queue stopped on an error (CONS.ERR is not 0)
 * @VCMDQ_OBJECT_INFO_REVOKED: a vDEVICE revoked by a driver change: it
 *	names no device any more (see VCMDQ_VDEVICE_ALLOC)
 */
enum vcmdq_object_info_flags {
	VCMDQ_OBJECT_INFO_SELF = 1 << 0,
	VCMDQ_OBJECT_INFO_ENABLED = 1 << 1,
	VCMDQ_OBJECT_INFO_ERROR = 1 << 2,
	VCMDQ_OBJECT_INFO_REVOKED = 1 << 3,
};

/**
 * struct vcmdq_object_info - one live object, as VCMDQ_GET_OBJECTS reports it
 * @type: enum vcmdq_object_type
 * @id: the object's ID in its file
 * @context_id: the file (VM context) the object belongs to: a number from 1,
 *	unique among the files open at the time, reused after a close
 * @owner_pid: the thread group ID of the process that opened the file, in
 *	the caller's PID namespace (0 when not visible there)
 * @owner_comm: that process's command name when it opened the file,
 *	NUL-terminated
 * @flags: enum vcmdq_object_info_flags
 * @parent_id: the object this one depends on, in the same file: a vIOMMU's
 *	S2; a queue's, vDEVICE's or event queue's vIOMMU; 0 for an S2
 * @instance_id: the instance of a vIOMMU (or of its queue, vDEVICE or event
 *	queue); 0 for an S2
 * @tag: the host tag of that vIOMMU; 0 for an S2
 * @slot: a vIOMMU's slot of its instance (the VINTF index on Tegra241)
 * @nr_vdevices: a vIOMMU's vDEVICEs (revoked ones excluded)
 * @queue_index: a queue's logical index in the control region
 * @queue_log2size: log2 of a queue's number of 16-byte entries
 * @queue_prod: a queue's PROD register (index and wrap bit), as the guest
 *	last wrote it
 * @queue_cons: a queue's CONS register (index, wrap bit and ERR), as the
 *	engine last wrote it
 * @queue_gpa: a queue's guest-physical address
 * @pci_device: a vDEVICE's device, VCMDQ_PCI_DEVICE() form
 * @__reserved: 0
 * @virt_id: a vDEVICE's virtual ID (vSID / DeviceID / source-id)
 * @engine_ns: a vIOMMU's share of its instance's engine: the CPU time, in
 *	nanoseconds, the engine thread spent consuming the vIOMMU's queues
 *	(counted over the passes that found work; idle polling is nobody's)
 * @engine_commands: the queue entries the engine consumed for the vIOMMU,
 *	one that stopped a queue on an error included
 *
 * Fields that do not apply to @type are 0; so are @engine_ns and
 * @engine_commands from a kernel older than them (an entry longer than the
 * kernel's struct gets its tail zeroed).  Register values are a snapshot:
 * the guest and the engine change them without any lock.
 */
struct vcmdq_object_info {
	__u32 type;
	__u32 id;
	__u32 context_id;
	__u32 owner_pid;
	char owner_comm[16];
	__u32 flags;
	__u32 parent_id;
	__u32 instance_id;
	__u32 tag;
	__u32 slot;
	__u32 nr_vdevices;
	__u32 queue_index;
	__u32 queue_log2size;
	__u32 queue_prod;
	__u32 queue_cons;
	__aligned_u64 queue_gpa;
	__u32 pci_device;
	__u32 __reserved;
	__aligned_u64 virt_id;
	__aligned_u64 engine_ns;
	__aligned_u64 engine_commands;
};

/**
 * enum vcmdq_get_objects_flags - &vcmdq_get_objects.flags
 * @VCMDQ_GET_OBJECTS_ALL: report the objects of every open file of
 *	/dev/vcmdq, not only the caller's; needs CAP_SYS_ADMIN
 */
enum vcmdq_get_objects_flags {
	VCMDQ_GET_OBJECTS_ALL = 1 << 0,
};

/**
 * struct vcmdq_get_objects - ioctl(VCMDQ_GET_OBJECTS)
 * @size: sizeof(struct vcmdq_get_objects)
 * @flags: enum vcmdq_get_objects_flags
 * @entry_len: the size of one &struct vcmdq_object_info as userspace knows
 *	it: when @num_objects is non-zero, at least up to @virt_id and at most
 *	the page size (EINVAL otherwise)
 * @num_objects: input: how many entries @objects_uptr has room for;
 *	output: how many objects there are to report
 * @objects_uptr: user pointer to an array of @num_objects entries of
 *	@entry_len bytes each
 * @out_context_id: the calling file's &vcmdq_object_info.context_id
 * @__reserved: must be 0
 *
 * List the live objects of the calling file or, with
 * %VCMDQ_GET_OBJECTS_ALL, of every file, each with the process that opened
 * its file: what an operator's tool shows (which VM holds which vIOMMU,
 * tag, queue and device).  Objects being created or destroyed concurrently
 * may or may not be reported.  Files are reported in the order they were
 * opened, the objects of a file in ID order.
 *
 * The kernel takes a snapshot, then writes min(input @num_objects, objects)
 * entries; an entry longer than the kernel's struct gets its tail zeroed, a
 * shorter one is truncated.  @num_objects = 0 only counts (a NULL pointer
 * is then fine), so a first call sizes the array; objects created between
 * two calls show as an output @num_objects above the input: call again.
 *
 * Errors: EOPNOTSUPP an unknown flag or a non-zero @__reserved; EPERM
 * %VCMDQ_GET_OBJECTS_ALL without CAP_SYS_ADMIN (the objects of other VMs,
 * and the processes owning them, are not the caller's to see); EINVAL a bad
 * @entry_len; EFAULT the array is not writable; ENOMEM no memory for the
 * snapshot (bounded by the objects that exist and by @num_objects).
 */
struct vcmdq_get_objects {
	__u32 size;
	__u32 flags;
	__u32 entry_len;
	__u32 num_objects;
	__aligned_u64 objects_uptr;
	__u32 out_context_id;
	__u32 __reserved;
};
#define VCMDQ_GET_OBJECTS _IO(VCMDQ_TYPE, VCMDQ_CMD_GET_OBJECTS)

#endif /* _UAPI_LINUX_VCMDQ_H */
