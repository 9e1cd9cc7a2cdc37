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
 * This host has no IOMMU the module can drive, so every instance is emulated:
 * the "instances" module parameter lists their flavors, and the "devices"
 * parameter says which PCI devices sit behind which instance.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "vcmdq_private.h"

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
};

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
		.caps = VCMDQ_INSTANCE_CAP_EMULATED,
		.data_types = 1 << VCMDQ_DATA_VTD,
		.vsids_per_viommu = VCMDQ_SLOW_VSIDS_PER_VIOMMU,
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

static void vcmdq_instance_setup(struct vcmdq_instance *inst, u32 id,
				 const struct vcmdq_flavor_desc *desc,
				 unsigned int tag_bits)
{
	u32 max_tags = (1U << tag_bits) - 1;

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
	ida_init(&inst->tags);
	ida_init(&inst->slots);
	atomic_set(&inst->live_viommus, 0);
	vcmdq_tlb_init(&inst->tlb);
}

/*
 * Parse "ID=SEGMENT:BUS:DEV.FN" and add the device to instance ID.  The
 * device need not exist yet (hotplug); VDEVICE_ALLOC looks it up.
 */
static int vcmdq_instance_add_device(const char *spec)
{
	unsigned int id, seg, bus, dev, fn;
	struct vcmdq_instance *inst;
	char tail;
	u32 *devices;

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
	devices = krealloc_array(inst->devices, inst->nr_devices + 1,
				 sizeof(*devices), GFP_KERNEL);
	if (!devices)
		return -ENOMEM;
	devices[inst->nr_devices++] = VCMDQ_PCI_DEVICE(seg, bus, dev, fn);
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
 * vcmdq_instance_has_device() - is a PCI device behind an instance?
 * @inst: the instance
 * @pci_device: VCMDQ_PCI_DEVICE() of the device
 */
bool vcmdq_instance_has_device(const struct vcmdq_instance *inst,
			       u32 pci_device)
{
	unsigned int i;

	for (i = 0; i < inst->nr_devices; i++)
		if (inst->devices[i] == pci_device)
			return true;
	return false;
}

/**
 * vcmdq_instances_init() - create the instances named by the module parameter
 * @flavors: comma separated flavor names
 * @tag_bits: host tag width of every instance
 * @devices: comma separated ID=SEGMENT:BUS:DEV.FN, or NULL
 *
 * Context: module init.
 * The engines of instances with queues are the caller's to start.
 *
 * Return: 0, -EINVAL for an unknown flavor or a bad list, or -ENOMEM.
 */
int vcmdq_instances_init(const char *flavors, unsigned int tag_bits,
			 const char *devices)
{
	const struct vcmdq_flavor_desc *descs[VCMDQ_MAX_INSTANCES];
	char *list, *cursor, *name;
	unsigned int n = 0, i;
	int rc = 0;

	list = kstrdup(flavors ? flavors : "", GFP_KERNEL);
	if (!list)
		return -ENOMEM;
	cursor = strim(list);
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

	vcmdq_instances = kcalloc(n, sizeof(*vcmdq_instances), GFP_KERNEL);
	if (!vcmdq_instances)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		vcmdq_instance_setup(&vcmdq_instances[i], i + 1, descs[i],
				     tag_bits);
	vcmdq_num_instances = n;

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

void vcmdq_instance_report(const struct vcmdq_instance *inst,
			   struct vcmdq_instance_info *info)
{
	*info = inst->info;
	info->live_viommus = atomic_read(&inst->live_viommus);
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
