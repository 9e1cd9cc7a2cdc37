// SPDX-License-Identifier: GPL-2.0
/*
 * vDEVICEs: a device the VM owns, named by the ID the guest uses for it.
 *
 * Commands that name a device (ATC invalidation, configuration
 * invalidation) carry the guest's ID; the vIOMMU translates it to the
 * device's physical ID through its vDEVICEs, so a VM can only ever reach
 * the devices it was given.  Giving a device requires proof that the caller
 * owns it: an open VFIO group file of the device's IOMMU group.
 */
#include <linux/file.h>
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/vfio.h>
#include <linux/vfio_pci_core.h>

#include "vcmdq_private.h"

/*
 * Every vDEVICE of every file, by VCMDQ_PCI_DEVICE(): a device belongs to
 * one VM, so a second vDEVICE for it anywhere is refused.
 */
static DEFINE_XARRAY(vcmdq_devices_in_use);

/*
 * Does @file, an open VFIO file, give its holder the device @pdev?
 *
 * vfio_file_has_dev() answers exactly that for the device's struct
 * vfio_device, which vfio-pci keeps as the driver data of the PCI device
 * (inside struct vfio_pci_core_device).  So the device must be bound to
 * vfio-pci, and stays bound while we look (device_lock).  Matching names
 * (/dev/vfio/<group>) would be forgeable with a link; this is not.  vfio is
 * looked up at run time, so vcmdq loads (and serves devices without an
 * IOMMU) when vfio is absent.
 */
static bool vcmdq_vfio_file_has_pdev(struct file *file, struct pci_dev *pdev)
{
	bool (*file_has_dev)(struct file *file, struct vfio_device *device);
	struct vfio_pci_core_device *core;
	bool owned = false;

	file_has_dev = symbol_get(vfio_file_has_dev);
	if (!file_has_dev)
		return false;
	device_lock(&pdev->dev);
	if (pdev->dev.driver && !strcmp(pdev->dev.driver->name, "vfio-pci")) {
		core = dev_get_drvdata(&pdev->dev);
		owned = core && file_has_dev(file, &core->vdev);
	}
	device_unlock(&pdev->dev);
	symbol_put(vfio_file_has_dev);
	return owned;
}

/* The ownership proof of VCMDQ_VDEVICE_ALLOC; see the uapi kernel-doc. */
static int vcmdq_vdevice_check_owner(struct pci_dev *pdev, int vfio_fd)
{
	struct iommu_group *group = iommu_group_get(&pdev->dev);
	struct file *file;
	int rc = 0;

	if (!group) {
		/* No IOMMU: nothing isolates the device but root's word. */
		if (!capable(CAP_SYS_ADMIN))
			return -EPERM;
		if (READ_ONCE(pdev->dev.driver))
			return -EBUSY;
		return 0;
	}
	file = fget(vfio_fd);
	if (!file) {
		rc = -EBADF;
		goto out_group;
	}
	if (!vcmdq_vfio_file_has_pdev(file, pdev))
		rc = -EPERM;
	fput(file);
out_group:
	iommu_group_put(group);
	return rc;
}

int vcmdq_vdevice_alloc_ioctl(struct vcmdq_ucmd *ucmd)
{
	struct vcmdq_vdevice_alloc *cmd = ucmd->cmd;
	struct vcmdq_viommu *viommu;
	struct vcmdq_vdevice *vdev;
	int rc;

	if (cmd->flags || cmd->__reserved)
		return -EOPNOTSUPP;

	vdev = vcmdq_object_alloc_ucmd(ucmd, vdev, VCMDQ_OBJ_VDEVICE);
	if (IS_ERR(vdev))
		return PTR_ERR(vdev);
	/* The lookup's reference becomes the vDEVICE's hold on its vIOMMU. */
	viommu = vcmdq_get_viommu(ucmd->ctx, cmd->viommu_id);
	if (IS_ERR(viommu))
		return PTR_ERR(viommu);
	vdev->viommu = viommu;
	if (cmd->virt_id > U32_MAX)
		return -EINVAL;
	vdev->pdev = pci_get_domain_bus_and_slot(cmd->pci_device >> 16,
						 (cmd->pci_device >> 8) & 0xff,
						 cmd->pci_device & 0xff);
	if (!vdev->pdev)
		return -ENODEV;
	if (!vcmdq_instance_has_device(viommu->inst, cmd->pci_device))
		return -EINVAL;
	rc = vcmdq_vdevice_check_owner(vdev->pdev, cmd->vfio_fd);
	if (rc)
		return rc;
	vdev->pci_device = cmd->pci_device;
	vdev->virt_id = cmd->virt_id;
	/* The requester ID: what the IOMMU sees as StreamID / DeviceID. */
	vdev->phys_id = pci_dev_id(vdev->pdev);

	rc = xa_insert(&vcmdq_devices_in_use, cmd->pci_device, vdev,
		       GFP_KERNEL_ACCOUNT);
	if (rc)
		return rc == -EBUSY ? -EEXIST : rc;
	vdev->holds_device = true;

	/*
	 * Reserve the virtual ID (a NULL insert stores XA_ZERO_ENTRY, which
	 * lookups read as NULL), so commands cannot name the device before
	 * vcmdq_vdevice_publish() while a duplicate is already refused.
	 */
	xa_lock(&viommu->vdevs);
	if (viommu->nr_vdevs >= viommu->inst->info.vsids_per_viommu) {
		rc = -ENOSPC;
	} else {
		rc = __xa_insert(&viommu->vdevs, vdev->virt_id, NULL,
				 GFP_ATOMIC);
		if (rc == -EBUSY)
			rc = -EEXIST;
		else if (!rc)
			viommu->nr_vdevs++;
	}
	xa_unlock(&viommu->vdevs);
	if (rc)
		return rc;
	vdev->holds_virt_id = true;

	cmd->out_vdevice_id = vdev->obj.id;
	cmd->out_phys_id = vdev->phys_id;
	return vcmdq_ucmd_respond(ucmd, sizeof(*cmd));
}

/* The reply reached userspace: commands may name the device from now on. */
void vcmdq_vdevice_publish(struct vcmdq_object *obj)
{
	struct vcmdq_vdevice *vdev =
		container_of(obj, struct vcmdq_vdevice, obj);
	struct vcmdq_viommu *viommu = vdev->viommu;

	xa_lock(&viommu->vdevs);
	/* Over the reservation: allocates nothing, cannot fail. */
	__xa_store(&viommu->vdevs, vdev->virt_id, vdev, GFP_ATOMIC);
	xa_unlock(&viommu->vdevs);
}

/* Also undoes a VDEVICE_ALLOC that failed at any step. */
void vcmdq_vdevice_destroy(struct vcmdq_object *obj)
{
	struct vcmdq_vdevice *vdev =
		container_of(obj, struct vcmdq_vdevice, obj);
	struct vcmdq_viommu *viommu = vdev->viommu;

	if (!viommu)
		return;
	if (vdev->holds_virt_id) {
		xa_lock(&viommu->vdevs);
		__xa_erase(&viommu->vdevs, vdev->virt_id);
		viommu->nr_vdevs--;
		xa_unlock(&viommu->vdevs);
	}
	if (vdev->holds_device) {
		/*
		 * The device may go to another VM next: drop what its ATC
		 * cached for this one.
		 */
		vcmdq_tlb_inv_atc(&viommu->inst->tlb,
				  &(struct vcmdq_atc_key){
					  .sid = vdev->phys_id,
					  .any_ssid = true,
					  .last = U64_MAX });
		xa_erase(&vcmdq_devices_in_use, vdev->pci_device);
	}
	pci_dev_put(vdev->pdev);
	vcmdq_put_object(&viommu->obj);
}

/**
 * vcmdq_vdevice_translate() - a guest device ID to the physical one
 * @viommu: the vIOMMU the command came through
 * @virt_id: the guest's vSID / DeviceID / source-id
 * @phys_id: the instance's ID of the device
 *
 * Context: any context that may take spinlocks.
 * Return: 0, or -EIO when no vDEVICE of @viommu has @virt_id (the command
 * is illegal for this VM).
 */
int vcmdq_vdevice_translate(struct vcmdq_viommu *viommu, u64 virt_id,
			    u32 *phys_id)
{
	struct vcmdq_vdevice *vdev;
	int rc = -EIO;

	xa_lock(&viommu->vdevs);
	vdev = xa_load(&viommu->vdevs, virt_id);
	if (vdev) {
		*phys_id = vdev->phys_id;
		rc = 0;
	}
	xa_unlock(&viommu->vdevs);
	return rc;
}

/**
 * vcmdq_vdevice_match_masked() - does a masked guest device ID name one of
 *	the vIOMMU's devices?
 * @viommu: the vIOMMU the command came through
 * @virt_id: the guest's ID
 * @mask: bits of @virt_id that do not count (a VT-d function mask)
 *
 * A VT-d function mask names every source-id equal to @virt_id outside
 * @mask: fine when at least one of them is the VM's.
 *
 * Context: any context that may take spinlocks.
 * Return: 0 or -EIO.
 */
int vcmdq_vdevice_match_masked(struct vcmdq_viommu *viommu, u32 virt_id,
			       u32 mask)
{
	struct vcmdq_vdevice *vdev;
	unsigned long index;
	int rc = -EIO;

	xa_lock(&viommu->vdevs);
	xa_for_each(&viommu->vdevs, index, vdev) {
		if ((vdev->virt_id & ~mask) == (virt_id & ~mask)) {
			rc = 0;
			break;
		}
	}
	xa_unlock(&viommu->vdevs);
	return rc;
}
