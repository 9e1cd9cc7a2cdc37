// SPDX-License-Identifier: GPL-2.0
/*
 * IOMMU instances: what each host IOMMU can do and the per-instance ID
 * spaces (host tags, vIOMMU slots) that isolate VMs from each other.
 *
 * A host tag (VMID on SMMUv3, DomainID on AMD-Vi, DID on VT-d) is what the
 * instance's caches are indexed by, so it is a property of the instance, not
 * of the VM's stage-2: one S2 shared by vIOMMUs on two instances gets one tag
 * from each instance's own allocator.
 *
 * Command execution is always the module's software model.  Two kinds of
 * instance give it a topology:
 *  - synthetic ones (IDs 1..N), for development and tests: the "instances"
 *    module parameter lists their flavors, and the "devices" parameter says
 *    which PCI devices sit behind which;
 *  - host ones (IDs N+1.., %VCMDQ_INSTANCE_CAP_HOST), one per IOMMU unit of
 *    the host (host.c; module parameter host_instances), with the unit's
 *    flavor, the limits its driver publishes, and the PCI devices in its
 *    scope with their real physical IDs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kobject.h>
#include <linux/moduleparam.h>
#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "vcmdq_private.h"

/*
 * An emulated engine reads a queue through a kernel mapping of its pinned
 * pages, so it needs no physically contiguous memory, which a VMM could
 * only give a guest's multi-MiB queues with huge pages.  Hardware reads by
 * physical address: queue_contiguous=1 keeps its rule, so VMM authors can
 * test against it.  Read at each QUEUE_ALLOC and GET_INFO.
 */
static bool queue_contiguous;
module_param(queue_contiguous, bool, 0644);
MODULE_PARM_DESC(queue_contiguous,
		 "Queues need physically contiguous memory, as on hardware (default: no, on emulated instances)");

static struct vcmdq_instance *vcmdq_instances;
static unsigned int vcmdq_num_instances;

struct vcmdq_flavor_desc {
	const char *name;
	enum vcmdq_flavor flavor;
	u64 caps;
	u32 data_types;
	u32 queues_per_viommu;
	u32 max_queue_log2size;
	u32 vsids_per_viommu;
	/* 0: as many vIOMMUs as there are tags */
	u32 max_viommus;
	u32 vtd_max_am;
};

/*
 * The size of one entry of each slow path format (VT-d: a 128-bit
 * descriptor; the 256-bit form is %VCMDQ_INSTANCE_CAP_VTD_DESC_256).
 */
static const u8 vcmdq_data_entry_len[VCMDQ_DATA_TYPES_MAX] = {
	[VCMDQ_DATA_SMMUV3] = 16,
	[VCMDQ_DATA_AMD_VI] = 16,
	[VCMDQ_DATA_VTD] = 16,
};

/*
 * MAMV of the emulated VT-d: QEMU's intel-iommu advertises 18 (1 GiB
 * page-selective invalidations), so a guest moved between the two sees
 * the same limit.
 */
#define VCMDQ_VTD_MAMV 18

static const struct vcmdq_flavor_desc vcmdq_flavors[] = {
	{
		.name = "tegra241-cmdqv",
		.flavor = VCMDQ_FLAVOR_TEGRA241_CMDQV,
		.caps = VCMDQ_INSTANCE_CAP_FAST_QUEUES |
			VCMDQ_INSTANCE_CAP_EMULATED,
		/* Commands the VCMDQs refuse are trapped and sent this way. */
		.data_types = 1 << VCMDQ_DATA_SMMUV3,
		.queues_per_viommu = VCMDQ_TEGRA241_LVCMDQS_PER_VINTF,
		.max_queue_log2size = VCMDQ_SMMUV3_CMDQS_MAX,
		.vsids_per_viommu = VCMDQ_TEGRA241_SIDS_PER_VINTF,
		.max_viommus = VCMDQ_TEGRA241_VINTFS - 1,
	},
	{
		.name = "smmuv3",
		.flavor = VCMDQ_FLAVOR_SMMUV3,
		.caps = VCMDQ_INSTANCE_CAP_EMULATED,
		.data_types = 1 << VCMDQ_DATA_SMMUV3,
		.vsids_per_viommu = VCMDQ_SLOW_VSIDS_PER_VIOMMU,
	},
	{
		.name = "amd-vi",
		.flavor = VCMDQ_FLAVOR_AMD_VI,
		.caps = VCMDQ_INSTANCE_CAP_EMULATED |
			VCMDQ_INSTANCE_CAP_AMD_INV_ALL,
		.data_types = 1 << VCMDQ_DATA_AMD_VI,
		.vsids_per_viommu = VCMDQ_SLOW_VSIDS_PER_VIOMMU,
	},
	{
		.name = "vtd",
		.flavor = VCMDQ_FLAVOR_VTD,
		.caps = VCMDQ_INSTANCE_CAP_EMULATED |
			VCMDQ_INSTANCE_CAP_VTD_DESC_256,
		.data_types = 1 << VCMDQ_DATA_VTD,
		.vsids_per_viommu = VCMDQ_SLOW_VSIDS_PER_VIOMMU,
		.vtd_max_am = VCMDQ_VTD_MAMV,
	},
};

static const struct vcmdq_flavor_desc *vcmdq_flavor_lookup(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vcmdq_flavors); i++)
		if (!strcmp(vcmdq_flavors[i].name, name))
			return &vcmdq_flavors[i];
	return NULL;
}

static int vcmdq_instance_setup(struct vcmdq_instance *inst, u32 id,
				 const struct vcmdq_flavor_desc *desc,
				 unsigned int tag_bits,
				 struct vcmdq_host_unit *unit)
{
	u32 max_tags = (1U << tag_bits) - 1;
	unsigned int type;

	inst->counters = alloc_percpu(struct vcmdq_counters);
	if (!inst->counters)
		return -ENOMEM;
	inst->name = desc->name;
	inst->info.id = id;
	inst->info.flavor = desc->flavor;
	inst->info.caps = desc->caps;
	inst->info.data_types = desc->data_types;
	inst->info.tag_bits = tag_bits;
	inst->info.max_viommus = desc->max_viommus ?
		min(desc->max_viommus, max_tags) : max_tags;
	inst->info.queues_per_viommu = desc->queues_per_viommu;
	inst->info.max_queue_log2size = desc->max_queue_log2size;
	inst->info.vsids_per_viommu = desc->vsids_per_viommu;
	for (type = 0; type < VCMDQ_DATA_TYPES_MAX; type++)
		if (desc->data_types & BIT(type))
			inst->info.data_entry_len[type] =
				vcmdq_data_entry_len[type];
	inst->info.vtd_max_am = desc->vtd_max_am;
	if (unit) {
		inst->info.caps |= VCMDQ_INSTANCE_CAP_HOST;
		strscpy(inst->info.host_iommu, unit->name,
			sizeof(inst->info.host_iommu));
		if (unit->vtd_max_am)
			inst->info.vtd_max_am = unit->vtd_max_am;
		/* The unit's EFR says whether it executes INVALIDATE_ALL. */
		if (unit->amd_no_inv_all)
			inst->info.caps &= ~VCMDQ_INSTANCE_CAP_AMD_INV_ALL;
		/* The instance takes the unit's device list over. */
		inst->devices = unit->devices;
		inst->nr_devices = unit->nr_devices;
		unit->devices = NULL;
		unit->nr_devices = 0;
	}
	ida_init(&inst->tags);
	ida_init(&inst->slots);
	atomic_set(&inst->live_viommus, 0);
	vcmdq_tlb_init(&inst->tlb);
	return 0;
}

/*
 * Parse "ID=SEGMENT:BUS:DEV.FN" and add the device to instance ID.  The
 * device need not exist yet (hotplug); VDEVICE_ALLOC looks it up.
 */
static int vcmdq_instance_add_device(const char *spec)
{
	unsigned int id, seg, bus, dev, fn;
	struct vcmdq_instance *inst;
	struct vcmdq_inst_device *devices;
	char tail;
	u32 pci_device;

	if (sscanf(spec, "%u=%x:%x:%x.%x%c", &id, &seg, &bus, &dev, &fn,
		   &tail) != 5 || seg > 0xffff || bus > 0xff || dev > 0x1f ||
	    fn > 7) {
		pr_err("devices: \"%s\" is not ID=SEGMENT:BUS:DEV.FN\n", spec);
		return -EINVAL;
	}
	inst = vcmdq_instance_get(id);
	if (!inst) {
		pr_err("devices: \"%s\": no instance %u\n", spec, id);
		return -EINVAL;
	}
	if (inst->info.caps & VCMDQ_INSTANCE_CAP_HOST) {
		/* Its devices are the real unit's: no made-up ones. */
		pr_err("devices: \"%s\": instance %u mirrors host IOMMU %s\n",
		       spec, id, inst->info.host_iommu);
		return -EINVAL;
	}
	devices = krealloc_array(inst->devices, inst->nr_devices + 1,
				 sizeof(*devices), GFP_KERNEL);
	if (!devices)
		return -ENOMEM;
	pci_device = VCMDQ_PCI_DEVICE(seg, bus, dev, fn);
	/* The requester ID with the segment above it: the same number. */
	devices[inst->nr_devices++] = (struct vcmdq_inst_device){
		.pci_device = pci_device,
		.phys_id = pci_device,
	};
	inst->devices = devices;
	return 0;
}

static int vcmdq_instances_add_devices(const char *list)
{
	char *copy, *cursor, *spec;
	int rc = 0;

	if (!list)
		return 0;
	copy = kstrdup(list, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	cursor = strim(copy);
	while (!rc && (spec = strsep(&cursor, ",")) != NULL) {
		spec = strim(spec);
		if (*spec)
			rc = vcmdq_instance_add_device(spec);
	}
	kfree(copy);
	return rc;
}

/**
 * vcmdq_instance_find_device() - is a PCI device behind an instance?
 * @inst: the instance
 * @pci_device: VCMDQ_PCI_DEVICE() of the device
 *
 * Return: the device's entry (with its physical ID), or NULL.
 */
const struct vcmdq_inst_device *
vcmdq_instance_find_device(const struct vcmdq_instance *inst, u32 pci_device)
{
	unsigned int i;

	for (i = 0; i < inst->nr_devices; i++)
		if (inst->devices[i].pci_device == pci_device)
			return &inst->devices[i];
	return NULL;
}

/**
 * vcmdq_instances_init() - create the synthetic and the host instances
 * @flavors: comma separated flavor names of the synthetic instances; empty
 *	for none
 * @tag_bits: host tag width of the synthetic instances, and of host ones
 *	whose unit does not publish its own
 * @devices: comma separated ID=SEGMENT:BUS:DEV.FN, or NULL
 * @host: also mirror the host's IOMMU units (IDs after the synthetic ones)
 *
 * Context: module init.
 * The engines of instances with queues are the caller's to start.
 *
 * Return: 0, -EINVAL for an unknown flavor, a bad list or a device put on a
 * host instance, or -ENOMEM.
 */
int vcmdq_instances_init(const char *flavors, unsigned int tag_bits,
			 const char *devices, bool host)
{
	const struct vcmdq_flavor_desc *descs[VCMDQ_MAX_INSTANCES];
	struct vcmdq_host_unit *units = NULL;
	char *list, *cursor, *name;
	unsigned int n = 0, i;
	int nunits = 0;
	int rc = 0;

	list = kstrdup(flavors ? flavors : "", GFP_KERNEL);
	if (!list)
		return -ENOMEM;
	cursor = strim(list);
	/* An empty list names no synthetic instance. */
	if (!*cursor)
		cursor = NULL;
	while ((name = strsep(&cursor, ",")) != NULL) {
		name = strim(name);
		if (n == VCMDQ_MAX_INSTANCES) {
			pr_err("instances: more than %u\n", VCMDQ_MAX_INSTANCES);
			rc = -EINVAL;
			break;
		}
		descs[n] = vcmdq_flavor_lookup(name);
		if (!descs[n]) {
			pr_err("instances: unknown flavor \"%s\"\n", name);
			rc = -EINVAL;
			break;
		}
		n++;
	}
	kfree(list);
	if (rc)
		return rc;

	if (host) {
		nunits = vcmdq_host_units_find(&units, VCMDQ_MAX_INSTANCES - n);
		if (nunits < 0)
			return nunits;
	}
	/* kcalloc(0) is ZERO_SIZE_PTR: a module with no instance loads. */
	vcmdq_instances = kcalloc(n + nunits, sizeof(*vcmdq_instances),
				  GFP_KERNEL);
	if (!vcmdq_instances) {
		vcmdq_host_units_free(units, nunits);
		return -ENOMEM;
	}
	/* Counted as they are set up: exit undoes exactly those. */
	for (i = 0; i < n + nunits && !rc; i++) {
		struct vcmdq_host_unit *unit = i < n ? NULL : &units[i - n];
		const struct vcmdq_flavor_desc *desc = unit ?
			vcmdq_flavor_lookup(unit->flavor) : descs[i];

		rc = vcmdq_instance_setup(&vcmdq_instances[i], i + 1, desc,
					  unit && unit->tag_bits ?
					  unit->tag_bits : tag_bits, unit);
		if (!rc)
			vcmdq_num_instances = i + 1;
		if (!rc && unit)
			pr_info("instance %u: host IOMMU %s (%s), %u devices\n",
				i + 1, unit->name, unit->flavor,
				vcmdq_instances[i].nr_devices);
	}
	vcmdq_host_units_free(units, nunits);
	if (!rc)
		rc = vcmdq_instances_add_devices(devices);
	if (rc)
		vcmdq_instances_exit();
	return rc;
}

/*
 * Context: module exit, engines stopped; every file is closed, so every ID
 * was returned.
 */
void vcmdq_instances_exit(void)
{
	unsigned int i;

	for (i = 0; i < vcmdq_num_instances; i++) {
		struct vcmdq_instance *inst = &vcmdq_instances[i];

		WARN_ON(atomic_read(&inst->live_viommus));
		ida_destroy(&inst->tags);
		ida_destroy(&inst->slots);
		/* Entries tests inserted for tags nobody owned any more. */
		vcmdq_tlb_destroy(&inst->tlb);
		kfree(inst->devices);
		free_percpu(inst->counters);
	}
	kfree(vcmdq_instances);
	vcmdq_instances = NULL;
	vcmdq_num_instances = 0;
}

unsigned int vcmdq_instances_count(void)
{
	return vcmdq_num_instances;
}

/* Return: the instance with ID @id (from 1), or NULL. */
struct vcmdq_instance *vcmdq_instance_get(u32 id)
{
	if (!id || id > vcmdq_num_instances)
		return NULL;
	/* @id comes from userspace: no speculative read past the array. */
	return &vcmdq_instances[array_index_nospec(id - 1,
						   vcmdq_num_instances)];
}

/**
 * vcmdq_instance_queue_noncontig() - may queue memory be discontiguous?
 * @inst: an instance
 *
 * Return: true for an emulated instance with fast path queues, unless the
 * queue_contiguous module parameter asks for the hardware's rule.
 */
bool vcmdq_instance_queue_noncontig(const struct vcmdq_instance *inst)
{
	return vcmdq_instance_has_queues(inst) &&
	       (inst->info.caps & VCMDQ_INSTANCE_CAP_EMULATED) &&
	       !READ_ONCE(queue_contiguous);
}

void vcmdq_instance_report(const struct vcmdq_instance *inst,
			   struct vcmdq_instance_info *info)
{
	*info = inst->info;
	info->live_viommus = atomic_read(&inst->live_viommus);
	if (vcmdq_instance_queue_noncontig(inst))
		info->caps |= VCMDQ_INSTANCE_CAP_QUEUE_NONCONTIG;
}

/**
 * vcmdq_instances_report_devices() - GET_INFO's device list
 * @uptr: user array of @room entries of @entry_len bytes
 * @entry_len: bytes per entry, from offsetofend(pci_device) to PAGE_SIZE
 *	(checked by the caller)
 * @room: entries @uptr has room for; 0 only counts
 * @total: set to the number of devices behind all instances
 *
 * The device lists are fixed at module load, so no lock is needed.
 *
 * Return: 0 or -EFAULT.
 */
int vcmdq_instances_report_devices(u8 __user *uptr, u32 entry_len, u32 room,
				   u32 *total)
{
	size_t copy_len = min_t(size_t, entry_len,
				sizeof(struct vcmdq_device_info));
	unsigned int i, d, n = 0;

	for (i = 0; i < vcmdq_num_instances; i++) {
		const struct vcmdq_instance *inst = &vcmdq_instances[i];

		for (d = 0; d < inst->nr_devices; d++, n++) {
			struct vcmdq_device_info info = {
				.instance_id = inst->info.id,
				.pci_device = inst->devices[d].pci_device,
				.phys_id = inst->devices[d].phys_id,
			};

			if (n >= room)
				continue;
			if (copy_to_user(uptr, &info, copy_len))
				return -EFAULT;
			if (entry_len > copy_len &&
			    clear_user(uptr + copy_len, entry_len - copy_len))
				return -EFAULT;
			uptr += entry_len;
		}
	}
	*total = n;
	return 0;
}

/**
 * vcmdq_instance_claim() - take a vIOMMU slot and a host tag of an instance
 * @inst: the instance
 * @tag: the tag, never 0
 * @slot: the slot, from 1 (the VINTF index on Tegra241)
 *
 * Context: process context, may sleep.
 * Return: 0, -ENOSPC when no slot or no tag is free, or -ENOMEM.
 */
int vcmdq_instance_claim(struct vcmdq_instance *inst, u32 *tag, u32 *slot)
{
	int rc;

	/* Charged to the VMM whose VIOMMU_ALLOC grows the allocators. */
	rc = ida_alloc_range(&inst->slots, 1, inst->info.max_viommus,
			     GFP_KERNEL_ACCOUNT);
	if (rc < 0)
		return rc;
	*slot = rc;

	rc = ida_alloc_range(&inst->tags, 1, (1U << inst->info.tag_bits) - 1,
			     GFP_KERNEL_ACCOUNT);
	if (rc < 0) {
		ida_free(&inst->slots, *slot);
		return rc;
	}
	*tag = rc;
	atomic_inc(&inst->live_viommus);
	return 0;
}

/* Return what vcmdq_instance_claim() took; both are reusable at once. */
void vcmdq_instance_release(struct vcmdq_instance *inst, u32 tag, u32 slot)
{
	atomic_dec(&inst->live_viommus);
	ida_free(&inst->tags, tag);
	ida_free(&inst->slots, slot);
}

/*
 * sysfs: /sys/class/misc/vcmdq/instances/ID/ holds an instance's facts, one
 * value per file, and counters/ its event counters.  The kobjects are the
 * module's, removed (and any show() in progress drained) before the
 * instances are freed at unload.
 */
struct vcmdq_inst_kobj {
	struct kobject kobj;
	struct vcmdq_instance *inst;
};

static struct kobject *vcmdq_instances_kobj;

static struct vcmdq_instance *vcmdq_kobj_inst(struct kobject *kobj)
{
	return container_of(kobj, struct vcmdq_inst_kobj, kobj)->inst;
}

static void vcmdq_inst_kobj_release(struct kobject *kobj)
{
	kfree(container_of(kobj, struct vcmdq_inst_kobj, kobj));
}

static ssize_t flavor_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%s\n", vcmdq_kobj_inst(kobj)->name);
}

static ssize_t caps_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	struct vcmdq_instance_info info;

	vcmdq_instance_report(vcmdq_kobj_inst(kobj), &info);
	return sysfs_emit(buf, "0x%llx\n", (unsigned long long)info.caps);
}

/* The host unit's name, or an empty line on a synthetic instance. */
static ssize_t host_iommu_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", vcmdq_kobj_inst(kobj)->info.host_iommu);
}

static ssize_t tags_in_use_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	/* Each vIOMMU holds one tag and one slot. */
	return sysfs_emit(buf, "%d\n",
			  atomic_read(&vcmdq_kobj_inst(kobj)->live_viommus));
}

#define VCMDQ_INFO_ATTR(_name)                                                \
	static ssize_t _name##_show(struct kobject *kobj,                     \
				    struct kobj_attribute *attr, char *buf)   \
	{                                                                     \
		return sysfs_emit(buf, "%u\n",                                \
				  vcmdq_kobj_inst(kobj)->info._name);         \
	}                                                                     \
	static struct kobj_attribute vcmdq_attr_##_name = __ATTR_RO(_name)

VCMDQ_INFO_ATTR(tag_bits);
VCMDQ_INFO_ATTR(max_viommus);
VCMDQ_INFO_ATTR(queues_per_viommu);
VCMDQ_INFO_ATTR(max_queue_log2size);
VCMDQ_INFO_ATTR(vsids_per_viommu);
static struct kobj_attribute vcmdq_attr_flavor = __ATTR_RO(flavor);
static struct kobj_attribute vcmdq_attr_caps = __ATTR_RO(caps);
static struct kobj_attribute vcmdq_attr_tags_in_use = __ATTR_RO(tags_in_use);
static struct kobj_attribute vcmdq_attr_host_iommu = __ATTR_RO(host_iommu);

static struct attribute *vcmdq_inst_attrs[] = {
	&vcmdq_attr_flavor.attr,
	&vcmdq_attr_caps.attr,
	&vcmdq_attr_tag_bits.attr,
	&vcmdq_attr_max_viommus.attr,
	&vcmdq_attr_tags_in_use.attr,
	&vcmdq_attr_queues_per_viommu.attr,
	&vcmdq_attr_max_queue_log2size.attr,
	&vcmdq_attr_vsids_per_viommu.attr,
	&vcmdq_attr_host_iommu.attr,
	NULL,
};

static const struct attribute_group vcmdq_inst_group = {
	.attrs = vcmdq_inst_attrs,
};

struct vcmdq_counter_attr {
	struct kobj_attribute attr;
	enum vcmdq_counter cnt;
};

/* The sum over CPUs; a 64-bit load of another CPU's counter never tears. */
static ssize_t vcmdq_counter_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	const struct vcmdq_counter_attr *ca =
		container_of(attr, struct vcmdq_counter_attr, attr);
	struct vcmdq_instance *inst = vcmdq_kobj_inst(kobj);
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(inst->counters, cpu)->c[ca->cnt]);
	return sysfs_emit(buf, "%llu\n", (unsigned long long)sum);
}

#define VCMDQ_COUNTER_ATTR(_name, _cnt)                                       \
	static struct vcmdq_counter_attr vcmdq_cnt_##_name = {                \
		.attr = __ATTR(_name, 0444, vcmdq_counter_show, NULL),        \
		.cnt = _cnt,                                                  \
	}

VCMDQ_COUNTER_ATTR(fast_commands, VCMDQ_CNT_FAST_COMMANDS);
VCMDQ_COUNTER_ATTR(slow_commands, VCMDQ_CNT_SLOW_COMMANDS);
VCMDQ_COUNTER_ATTR(inv_tlb, VCMDQ_CNT_INV_TLB);
VCMDQ_COUNTER_ATTR(inv_atc, VCMDQ_CNT_INV_ATC);
VCMDQ_COUNTER_ATTR(inv_dev_cfg, VCMDQ_CNT_INV_DEV_CFG);
VCMDQ_COUNTER_ATTR(inv_pasid_cfg, VCMDQ_CNT_INV_PASID_CFG);
VCMDQ_COUNTER_ATTR(inv_all, VCMDQ_CNT_INV_ALL);
VCMDQ_COUNTER_ATTR(sync, VCMDQ_CNT_SYNC);
VCMDQ_COUNTER_ATTR(nop, VCMDQ_CNT_NOP);
VCMDQ_COUNTER_ATTR(handed_back, VCMDQ_CNT_HANDED_BACK);
VCMDQ_COUNTER_ATTR(illegal, VCMDQ_CNT_ILLEGAL);
VCMDQ_COUNTER_ATTR(events, VCMDQ_CNT_EVENTS);
VCMDQ_COUNTER_ATTR(events_lost, VCMDQ_CNT_EVENTS_LOST);
VCMDQ_COUNTER_ATTR(doorbell_wakeups, VCMDQ_CNT_DOORBELL_WAKEUPS);
VCMDQ_COUNTER_ATTR(hybrid_sleeps, VCMDQ_CNT_HYBRID_SLEEPS);

static struct attribute *vcmdq_counter_attrs[] = {
	&vcmdq_cnt_fast_commands.attr.attr,
	&vcmdq_cnt_slow_commands.attr.attr,
	&vcmdq_cnt_inv_tlb.attr.attr,
	&vcmdq_cnt_inv_atc.attr.attr,
	&vcmdq_cnt_inv_dev_cfg.attr.attr,
	&vcmdq_cnt_inv_pasid_cfg.attr.attr,
	&vcmdq_cnt_inv_all.attr.attr,
	&vcmdq_cnt_sync.attr.attr,
	&vcmdq_cnt_nop.attr.attr,
	&vcmdq_cnt_handed_back.attr.attr,
	&vcmdq_cnt_illegal.attr.attr,
	&vcmdq_cnt_events.attr.attr,
	&vcmdq_cnt_events_lost.attr.attr,
	&vcmdq_cnt_doorbell_wakeups.attr.attr,
	&vcmdq_cnt_hybrid_sleeps.attr.attr,
	NULL,
};

static const struct attribute_group vcmdq_counters_group = {
	.name = "counters",
	.attrs = vcmdq_counter_attrs,
};

static const struct attribute_group *vcmdq_inst_groups[] = {
	&vcmdq_inst_group,
	&vcmdq_counters_group,
	NULL,
};

static const struct kobj_type vcmdq_inst_ktype = {
	.release = vcmdq_inst_kobj_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = vcmdq_inst_groups,
};

/**
 * vcmdq_instances_sysfs_init() - create instances/ID/ under @parent
 * @parent: the misc device's kobject
 *
 * Context: module init, after the instances exist.
 * Return: 0 or -errno; nothing is left behind on failure.
 */
int vcmdq_instances_sysfs_init(struct kobject *parent)
{
	unsigned int i;
	int rc;

	/* Counters of one instance per file: their sum is the global view. */
	BUILD_BUG_ON(ARRAY_SIZE(vcmdq_counter_attrs) != VCMDQ_CNT_MAX + 1);
	vcmdq_instances_kobj = kobject_create_and_add("instances", parent);
	if (!vcmdq_instances_kobj)
		return -ENOMEM;
	for (i = 0; i < vcmdq_num_instances; i++) {
		struct vcmdq_instance *inst = &vcmdq_instances[i];
		struct vcmdq_inst_kobj *ik;

		ik = kzalloc(sizeof(*ik), GFP_KERNEL);
		if (!ik) {
			rc = -ENOMEM;
			goto err;
		}
		ik->inst = inst;
		rc = kobject_init_and_add(&ik->kobj, &vcmdq_inst_ktype,
					  vcmdq_instances_kobj, "%u",
					  inst->info.id);
		if (rc) {
			/* Frees @ik through the release. */
			kobject_put(&ik->kobj);
			goto err;
		}
		inst->kobj = &ik->kobj;
		kobject_uevent(inst->kobj, KOBJ_ADD);
	}
	return 0;
err:
	vcmdq_instances_sysfs_exit();
	return rc;
}

/* Context: module exit (or a failed init), before the instances go. */
void vcmdq_instances_sysfs_exit(void)
{
	unsigned int i;

	for (i = 0; i < vcmdq_num_instances; i++) {
		kobject_put(vcmdq_instances[i].kobj);
		vcmdq_instances[i].kobj = NULL;
	}
	kobject_put(vcmdq_instances_kobj);
	vcmdq_instances_kobj = NULL;
}
