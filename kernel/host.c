// SPDX-License-Identifier: GPL-2.0
/*
 * The host's own IOMMU units, found at module load so instances can mirror
 * them (the host_instances module parameter).
 *
 * Every unit the host's IOMMU drivers registered is a device of class
 * "iommu" (/sys/class/iommu/NAME).  The class itself is private to the
 * IOMMU core, so it is reached through a PCI device the core probed:
 * dev->iommu->iommu_dev is the struct iommu_device of the device's unit,
 * whose ->dev is the unit's class device.  Then:
 *  - the units: every device of that class (units without PCI devices
 *    too), by name: "dmar%d" is Intel VT-d, "ivhd%d" AMD-Vi,
 *    "smmu3.%pa" Arm SMMUv3; any other is skipped (pr_info);
 *  - their devices: each PCI device whose dev->iommu->iommu_dev is the
 *    unit's, with its physical ID: the requester ID (with the segment above
 *    it, as VCMDQ_PCI_DEVICE()) on VT-d and AMD-Vi, the firmware's StreamID
 *    (dev_iommu_fwspec_get()->ids[0]) on SMMUv3;
 *  - their limits, where the driver publishes them as sysfs attributes of
 *    the unit (intel-iommu/cap, amd-iommu/features): the attribute's own
 *    show(), the value user space reads, never the driver's private
 *    structures.
 *
 * The result is a snapshot: names, IDs and numbers copied out, no pointer
 * to the unit or to a device is kept.  pci_lock_rescan_remove() holds off
 * PCI hot-removal (which frees dev->iommu) while we look; a device removed
 * later stays in its instance's list by address, and VDEVICE_ALLOC finds
 * no such device (ENODEV) as for any absent address.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitfield.h>
#include <linux/ctype.h>
#include <linux/device.h>
#include <linux/gfp.h>
#include <linux/iommu.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>

#include "vcmdq_private.h"

/* VT-d CAP_REG: ND (number of domains), MAMV (max address mask value). */
#define VCMDQ_VTD_CAP_ND	GENMASK_ULL(2, 0)
#define VCMDQ_VTD_CAP_MAMV	GENMASK_ULL(53, 48)
/* AMD-Vi EFR: IASup, INVALIDATE_IOMMU_ALL supported. */
#define VCMDQ_AMD_EFR_IA	BIT_ULL(6)

static const struct {
	const char *prefix;
	const char *flavor;
} vcmdq_host_kinds[] = {
	{ "dmar", "vtd" },
	{ "ivhd", "amd-vi" },
	{ "smmu3.", "smmuv3" },
};

static const char *vcmdq_host_flavor(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vcmdq_host_kinds); i++)
		if (!strncmp(name, vcmdq_host_kinds[i].prefix,
			     strlen(vcmdq_host_kinds[i].prefix)))
			return vcmdq_host_kinds[i].flavor;
	return NULL;
}

/*
 * Read a hexadecimal sysfs attribute @attr of group @group of the unit's
 * class device through its show(), as a read of
 * /sys/class/iommu/UNIT/GROUP/ATTR would: number @field (from 0) of a
 * value made of several separated by ':' (AMD-Vi's features).
 */
static int vcmdq_host_read_attr(struct device *dev, const char *group,
				const char *attr, unsigned int field, u64 *val)
{
	const struct attribute_group *const *g;
	struct attribute *const *a;
	struct device_attribute *dattr;
	char *buf;
	ssize_t len;
	int rc;

	for (g = dev->groups; g && *g; g++) {
		if (!(*g)->name || strcmp((*g)->name, group))
			continue;
		for (a = (*g)->attrs; a && *a; a++)
			if (!strcmp((*a)->name, attr))
				goto found;
	}
	return -ENOENT;
found:
	dattr = container_of(*a, struct device_attribute, attr);
	if (!dattr->show)
		return -ENOENT;
	/* sysfs_emit() wants a page-aligned page, as sysfs gives it. */
	buf = (char *)get_zeroed_page(GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	len = dattr->show(dev, dattr, buf);
	if (len <= 0 || len >= PAGE_SIZE) {
		rc = len < 0 ? len : -EINVAL;
	} else {
		char *cursor = buf, *tok;

		buf[len] = 0;
		cursor[strcspn(cursor, "\n")] = 0;
		do {
			tok = strsep(&cursor, ":");
		} while (tok && field--);
		rc = tok ? kstrtou64(tok, 16, val) : -EINVAL;
	}
	free_page((unsigned long)buf);
	return rc;
}

static void vcmdq_host_read_limits(struct vcmdq_host_unit *unit,
				   struct device *dev)
{
	u64 v;

	if (!strcmp(unit->flavor, "vtd") &&
	    !vcmdq_host_read_attr(dev, "intel-iommu", "cap", 0, &v)) {
		/* ND n: 2^(4 + 2n) domain IDs. */
		unit->tag_bits = min_t(unsigned int,
				       4 + 2 * FIELD_GET(VCMDQ_VTD_CAP_ND, v),
				       VCMDQ_TAG_BITS_MAX);
		unit->vtd_max_am = FIELD_GET(VCMDQ_VTD_CAP_MAMV, v);
	} else if (!strcmp(unit->flavor, "amd-vi") &&
		   !vcmdq_host_read_attr(dev, "amd-iommu", "features",
					 VCMDQ_AMD_FEATURES_EFR_FIELD, &v)) {
		unit->amd_no_inv_all = !(v & VCMDQ_AMD_EFR_IA);
	}
}

struct vcmdq_host_scan {
	struct vcmdq_host_unit *units;
	struct device **devs;
	unsigned int n;
	unsigned int max;
};

static int vcmdq_host_collect(struct device *dev, void *data)
{
	struct vcmdq_host_scan *scan = data;
	struct vcmdq_host_unit *unit;
	const char *flavor = vcmdq_host_flavor(dev_name(dev));

	if (!flavor) {
		pr_info("host IOMMU %s: unknown kind, not mirrored\n",
			dev_name(dev));
		return 0;
	}
	if (scan->n == scan->max) {
		pr_info("host IOMMU %s: more than %u instances, not mirrored\n",
			dev_name(dev), VCMDQ_MAX_INSTANCES);
		return 0;
	}
	unit = &scan->units[scan->n];
	if (strscpy(unit->name, dev_name(dev), sizeof(unit->name)) < 0) {
		pr_info("host IOMMU %s: name too long, not mirrored\n",
			dev_name(dev));
		return 0;
	}
	unit->flavor = flavor;
	vcmdq_host_read_limits(unit, dev);
	/* Only compared with dev->iommu->iommu_dev->dev below. */
	scan->devs[scan->n++] = get_device(dev);
	return 0;
}

/*
 * Natural order of unit names: digit runs compare as numbers, so dmar2
 * comes before dmar10.
 */
static int vcmdq_host_natcmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (isdigit(*a) && isdigit(*b)) {
			size_t la, lb;
			int c;

			while (*a == '0' && isdigit(a[1]))
				a++;
			while (*b == '0' && isdigit(b[1]))
				b++;
			for (la = 0; isdigit(a[la]); la++)
				;
			for (lb = 0; isdigit(b[lb]); lb++)
				;
			if (la != lb)
				return la < lb ? -1 : 1;
			c = strncmp(a, b, la);
			if (c)
				return c;
			a += la;
			b += lb;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	return *a ? 1 : *b ? -1 : 0;
}

static int vcmdq_host_dev_cmp(const void *a, const void *b)
{
	const struct vcmdq_inst_device *x = a, *y = b;

	return x->pci_device < y->pci_device ? -1 :
	       x->pci_device > y->pci_device;
}

/* The struct iommu_device of @pdev's unit, or NULL. */
static struct iommu_device *vcmdq_host_pdev_unit(struct pci_dev *pdev)
{
#if IS_ENABLED(CONFIG_IOMMU_API)
	return pdev->dev.iommu ? pdev->dev.iommu->iommu_dev : NULL;
#else
	return NULL;
#endif
}

static int vcmdq_host_add_device(struct vcmdq_host_unit *unit,
				 struct pci_dev *pdev)
{
	u32 pci_device = (u32)pci_domain_nr(pdev->bus) << 16 | pci_dev_id(pdev);
	struct vcmdq_inst_device *devices;
	u32 phys_id = pci_device;

	if (!strcmp(unit->flavor, "smmuv3")) {
		struct iommu_fwspec *fwspec = dev_iommu_fwspec_get(&pdev->dev);

		if (!fwspec || !fwspec->num_ids) {
			pci_info(pdev, "no StreamID from %s: not mirrored\n",
				 unit->name);
			return 0;
		}
		phys_id = fwspec->ids[0];
	}
	devices = krealloc_array(unit->devices, unit->nr_devices + 1,
				 sizeof(*devices), GFP_KERNEL);
	if (!devices)
		return -ENOMEM;
	devices[unit->nr_devices++] = (struct vcmdq_inst_device){
		.pci_device = pci_device,
		.phys_id = phys_id,
	};
	unit->devices = devices;
	return 0;
}

/**
 * vcmdq_host_units_find() - the host's IOMMU units and their PCI devices
 * @units: set to an array of the units found (NULL when none), in natural
 *	order of their names, each unit's devices in address order; the
 *	caller's, for vcmdq_host_units_free()
 * @max: the most units to report
 *
 * Context: module init, process context.
 * Return: the number of units, or -ENOMEM.
 */
int vcmdq_host_units_find(struct vcmdq_host_unit **units, unsigned int max)
{
	struct vcmdq_host_scan scan = { .max = max };
	/* const from 6.4 on, as class_for_each_device() takes it. */
	typeof(((struct device *)NULL)->class) cls = NULL;
	struct pci_dev *pdev = NULL;
	unsigned int i, j;
	int rc = 0;

	*units = NULL;
	if (!max)
		return 0;
	scan.units = kcalloc(max, sizeof(*scan.units), GFP_KERNEL);
	scan.devs = kcalloc(max, sizeof(*scan.devs), GFP_KERNEL);
	if (!scan.units || !scan.devs) {
		rc = -ENOMEM;
		goto out;
	}

	/* Pairs with the hot-removal path's: dev->iommu stays while held. */
	pci_lock_rescan_remove();
	for_each_pci_dev(pdev) {
		struct iommu_device *iommu = vcmdq_host_pdev_unit(pdev);

		if (iommu && iommu->dev && iommu->dev->class) {
			/* The IOMMU core's class, built in: never goes away. */
			cls = iommu->dev->class;
			pci_dev_put(pdev);
			break;
		}
	}
	if (cls)
		class_for_each_device(cls, NULL, &scan, vcmdq_host_collect);

	/* Sort the units, keeping each one's class device beside it. */
	for (i = 1; i < scan.n; i++)
		for (j = i; j && vcmdq_host_natcmp(scan.units[j - 1].name,
						   scan.units[j].name) > 0; j--) {
			swap(scan.units[j - 1], scan.units[j]);
			swap(scan.devs[j - 1], scan.devs[j]);
		}

	pdev = NULL;
	for_each_pci_dev(pdev) {
		struct iommu_device *iommu = vcmdq_host_pdev_unit(pdev);

		if (!iommu)
			continue;
		for (i = 0; i < scan.n; i++)
			if (iommu->dev == scan.devs[i])
				break;
		if (i == scan.n)
			continue;
		rc = vcmdq_host_add_device(&scan.units[i], pdev);
		if (rc) {
			pci_dev_put(pdev);
			break;
		}
	}
	pci_unlock_rescan_remove();

	for (i = 0; i < scan.n; i++) {
		put_device(scan.devs[i]);
		sort(scan.units[i].devices, scan.units[i].nr_devices,
		     sizeof(*scan.units[i].devices), vcmdq_host_dev_cmp, NULL);
	}
out:
	kfree(scan.devs);
	if (rc || !scan.n) {
		vcmdq_host_units_free(scan.units, scan.n);
		return rc;
	}
	*units = scan.units;
	return scan.n;
}

/* Free what vcmdq_host_units_find() returned (@units may be NULL). */
void vcmdq_host_units_free(struct vcmdq_host_unit *units, unsigned int n)
{
	unsigned int i;

	for (i = 0; units && i < n; i++)
		kfree(units[i].devices);
	kfree(units);
}
