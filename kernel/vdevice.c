// SPDX-License-Identifier: GPL-2.0
/*
 * vDEVICEs: a device the VM owns, named by the ID the guest uses for it.
 *
 * Commands that name a device (ATC invalidation, configuration
 * invalidation) carry the guest's ID; the vIOMMU translates it to the
 * device's physical ID through its vDEVICEs, so a VM can only ever reach
 * the devices it was given.  Giving a device requires proof that the caller
 * owns it: an open VFIO group file of the device's IOMMU group.
 *
 * The proof must hold for as long as the vDEVICE does, not just at
 * VDEVICE_ALLOC:
 *  - the VFIO file is kept (get_file()), as iommufd's device binding keeps
 *    the device: VFIO lets one file open a group at a time, so nobody else
 *    can take the group (and the device) while the VM may still send it ATC
 *    invalidations; closing the VMM's own fd does not end the ownership,
 *    destroying the vDEVICE (or closing /dev/vcmdq) does;
 *  - a driver binding to or unbinding from the device ends it: vfio-pci
 *    leaving takes the device out of the group file's reach, a host driver
 *    arriving takes a device with no group from root's hands.  A PCI bus
 *    notifier revokes the vDEVICE then (vcmdq_vdevice_revoke()): its
 *    virtual ID stops translating, its ATC entries are dropped, the device
 *    is free for a new vDEVICE, and only the object is left for the VM to
 *    destroy.
 */
#include <linux/file.h>
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/vfio.h>
#include <linux/vfio_pci_core.h>

#include "vcmdq_private.h"

/*
 * Every live (not revoked) vDEVICE of every file, by VCMDQ_PCI_DEVICE(): a
 * device belongs to one VM, so a second vDEVICE for it anywhere is refused.
 * vcmdq_devices_lock serializes insertion, destruction and revocation, so
 * the bus notifier never sees a vDEVICE being freed.  Lock order: the
 * device's device_lock (held by the driver core around bind and unbind, so
 * around our notifier, and by VDEVICE_ALLOC around its check), then
 * vcmdq_devices_lock, then a vIOMMU's vdevs xa_lock.
 */
static DEFINE_XARRAY(vcmdq_devices_in_use);
static DEFINE_MUTEX(vcmdq_devices_lock);

/*
 * The physical ID of @pdev on an instance: its requester ID (what an IOMMU
 * sees as StreamID / DeviceID / source-id) with the PCI segment above it.
 * A real IOMMU serves one segment, where the requester ID alone is unique;
 * an emulated instance may take devices of several segments (the "devices"
 * parameter), and two devices with one BDF on two segments must not share
 * ATC entries.  Equal to the device's VCMDQ_PCI_DEVICE() name, so also the
 * key of vcmdq_devices_in_use.  A host SMMUv3 instance names its devices by
 * the firmware's StreamIDs instead (&vcmdq_inst_device.phys_id).
 */
static u32 vcmdq_vdevice_phys_id(struct pci_dev *pdev)
{
	return (u32)pci_domain_nr(pdev->bus) << 16 | pci_dev_id(pdev);
}

/*
 * Is @file a VFIO device file (/dev/vfio/devices/vfioN, kernels with
 * CONFIG_VFIO_DEVICE_CDEV) of @vdev?  Such a file is opened through the
 * character device VFIO registers for exactly one struct vfio_device, so
 * the inode's cdev names the device; a node made elsewhere with the same
 * numbers opens the same cdev, with the same permission check on the
 * node.  vfio_file_is_valid() confirms the file is VFIO's own.
 */
static bool vcmdq_vfio_cdev_is_dev(struct file *file, struct vfio_device *vdev)
{
#if IS_ENABLED(CONFIG_VFIO_DEVICE_CDEV)
	bool (*file_is_valid)(struct file *file);
	bool ok;

	if (file_inode(file)->i_cdev != &vdev->cdev)
		return false;
	file_is_valid = symbol_get(vfio_file_is_valid);
	if (!file_is_valid)
		return false;
	ok = file_is_valid(file);
	symbol_put(vfio_file_is_valid);
	return ok;
#else
	return false;
#endif
}

/*
 * Does @file, an open VFIO file, give its holder the device @pdev?
 *
 * For a group file vfio_file_has_dev() answers exactly that for the
 * device's struct vfio_device, which vfio-pci keeps as the driver data of
 * the PCI device (inside struct vfio_pci_core_device); a device file
 * answers it by the cdev it was opened through.  So the device must be
 * bound to vfio-pci, and stays bound while we look (the caller holds
 * device_lock).  Matching names (/dev/vfio/<group>) would be forgeable
 * with a link; this is not.  vfio is looked up at run time, so vcmdq loads
 * (and serves devices without an IOMMU) when vfio is absent.
 */
static bool vcmdq_vfio_file_has_pdev(struct file *file, struct pci_dev *pdev)
{
	bool (*file_has_dev)(struct file *file, struct vfio_device *device);
	struct vfio_pci_core_device *core;
	bool owned = false;

	device_lock_assert(&pdev->dev);
	if (!pdev->dev.driver || strcmp(pdev->dev.driver->name, "vfio-pci"))
		return false;
	core = dev_get_drvdata(&pdev->dev);
	if (!core)
		return false;
	file_has_dev = symbol_get(vfio_file_has_dev);
	if (file_has_dev) {
		owned = file_has_dev(file, &core->vdev);
		symbol_put(vfio_file_has_dev);
	}
	return owned || vcmdq_vfio_cdev_is_dev(file, &core->vdev);
}

/*
 * The ownership proof of VCMDQ_VDEVICE_ALLOC; see the uapi kernel-doc.
 * Context: device_lock(@pdev) held, so the driver cannot change until the
 * vDEVICE is in vcmdq_devices_in_use, where the notifier finds it.
 * Return: 0 with *@vfio_file holding the proof (NULL for a device with no
 * group), or a negative errno.
 */
static int vcmdq_vdevice_check_owner(struct pci_dev *pdev, int vfio_fd,
				     struct file **vfio_file)
{
	struct iommu_group *group = iommu_group_get(&pdev->dev);
	struct file *file;
	int rc = 0;

	*vfio_file = NULL;
	if (!group) {
		/* No IOMMU: nothing isolates the device but root's word. */
		if (!capable(CAP_SYS_ADMIN))
			return -EPERM;
		if (pdev->dev.driver)
			return -EBUSY;
		return 0;
	}
	file = fget(vfio_fd);
	if (!file) {
		rc = -EBADF;
		goto out_group;
	}
	if (vcmdq_vfio_file_has_pdev(file, pdev))
		*vfio_file = file;
	else
		rc = -EPERM;
	if (rc)
		fput(file);
out_group:
	iommu_group_put(group);
	return rc;
}

/*
 * Take @vdev out of every lookup, as far as it got in: the guest's ID, the
 * device's ATC entries it may have cached for this VM, and the system-wide
 * table, so the device may get a vDEVICE again.  Also undoes a
 * VDEVICE_ALLOC that failed at any step.  Context: vcmdq_devices_lock held.
 */
static void vcmdq_vdevice_unpublish(struct vcmdq_vdevice *vdev)
{
	struct vcmdq_viommu *viommu = vdev->viommu;

	lockdep_assert_held(&vcmdq_devices_lock);
	if (vdev->holds_virt_id) {
		xa_lock(&viommu->vdevs);
		__xa_erase(&viommu->vdevs, vdev->virt_id);
		viommu->nr_vdevs--;
		xa_unlock(&viommu->vdevs);
		vdev->holds_virt_id = false;
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
		vdev->holds_device = false;
	}
}

/*
 * The VM lost the device (a driver bound or unbound): unpublish the
 * vDEVICE and give the group back to VFIO.  The object stays until the VM
 * destroys it (or closes the file); commands naming its virtual ID fail as
 * for an unknown one, and vcmdq_vdevice_publish() of a vDEVICE revoked
 * before its reply reached userspace publishes nothing.  Context:
 * device_lock and vcmdq_devices_lock held.
 */
static void vcmdq_vdevice_revoke(struct vcmdq_vdevice *vdev)
{
	lockdep_assert_held(&vcmdq_devices_lock);
	vcmdq_vdevice_unpublish(vdev);
	if (vdev->vfio_file) {
		fput(vdev->vfio_file);
		vdev->vfio_file = NULL;
	}
}

static int vcmdq_vdevice_bus_notify(struct notifier_block *nb,
				    unsigned long action, void *data)
{
	struct pci_dev *pdev = to_pci_dev(data);
	struct vcmdq_vdevice *vdev;

	/*
	 * BIND_DRIVER comes before the new driver's probe, UNBIND_DRIVER
	 * before the old driver's remove: the VM loses the device before
	 * anyone else can use it.
	 */
	if (action != BUS_NOTIFY_BIND_DRIVER &&
	    action != BUS_NOTIFY_UNBIND_DRIVER)
		return NOTIFY_DONE;
	mutex_lock(&vcmdq_devices_lock);
	vdev = xa_load(&vcmdq_devices_in_use, vcmdq_vdevice_phys_id(pdev));
	if (vdev && vdev->pdev == pdev) {
		pci_info(pdev, "driver %s: vDEVICE %u revoked\n",
			 action == BUS_NOTIFY_BIND_DRIVER ? "bound" : "unbound",
			 vdev->obj.id);
		vcmdq_vdevice_revoke(vdev);
	}
	mutex_unlock(&vcmdq_devices_lock);
	return NOTIFY_OK;
}

static struct notifier_block vcmdq_vdevice_bus_nb = {
	.notifier_call = vcmdq_vdevice_bus_notify,
};

int vcmdq_vdevice_init(void)
{
	return bus_register_notifier(&pci_bus_type, &vcmdq_vdevice_bus_nb);
}

void vcmdq_vdevice_exit(void)
{
	bus_unregister_notifier(&pci_bus_type, &vcmdq_vdevice_bus_nb);
}

/*
 * Enter @vdev in the system-wide table of devices in use and reserve its
 * virtual ID (a NULL insert stores XA_ZERO_ENTRY, which lookups read as
 * NULL), so commands cannot name the device before vcmdq_vdevice_publish()
 * while a duplicate is already refused.  Context: vcmdq_devices_lock held.
 */
static int vcmdq_vdevice_reserve(struct vcmdq_vdevice *vdev)
{
	struct vcmdq_viommu *viommu = vdev->viommu;
	int rc;

	lockdep_assert_held(&vcmdq_devices_lock);
	rc = xa_insert(&vcmdq_devices_in_use, vdev->pci_device, vdev,
		       GFP_KERNEL_ACCOUNT);
	if (rc)
		return rc == -EBUSY ? -EEXIST : rc;
	vdev->holds_device = true;

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
	if (!rc)
		vdev->holds_virt_id = true;
	return rc;
}

int vcmdq_vdevice_alloc_ioctl(struct vcmdq_ucmd *ucmd)
{
	struct vcmdq_vdevice_alloc *cmd = ucmd->cmd;
	const struct vcmdq_inst_device *idev;
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
	idev = vcmdq_instance_find_device(viommu->inst, cmd->pci_device);
	if (!idev)
		return -EINVAL;
	vdev->pci_device = cmd->pci_device;
	vdev->virt_id = cmd->virt_id;
	/* A host SMMUv3's StreamID, else vcmdq_vdevice_phys_id()'s value. */
	vdev->phys_id = idev->phys_id;

	/*
	 * From the proof to the tables under device_lock: a driver change
	 * in between would otherwise find no vDEVICE to revoke.  On failure
	 * the dispatcher's ->destroy undoes what the holds_* flags say.
	 */
	device_lock(&vdev->pdev->dev);
	rc = vcmdq_vdevice_check_owner(vdev->pdev, cmd->vfio_fd,
				       &vdev->vfio_file);
	if (!rc) {
		mutex_lock(&vcmdq_devices_lock);
		rc = vcmdq_vdevice_reserve(vdev);
		mutex_unlock(&vcmdq_devices_lock);
	}
	device_unlock(&vdev->pdev->dev);
	if (rc)
		return rc;

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

	/* Revoked since the reservation: there is nothing to publish. */
	mutex_lock(&vcmdq_devices_lock);
	if (vdev->holds_virt_id) {
		xa_lock(&viommu->vdevs);
		/* Over the reservation: allocates nothing, cannot fail. */
		__xa_store(&viommu->vdevs, vdev->virt_id, vdev, GFP_ATOMIC);
		xa_unlock(&viommu->vdevs);
	}
	mutex_unlock(&vcmdq_devices_lock);
}

/* Also undoes a VDEVICE_ALLOC that failed at any step. */
void vcmdq_vdevice_destroy(struct vcmdq_object *obj)
{
	struct vcmdq_vdevice *vdev =
		container_of(obj, struct vcmdq_vdevice, obj);
	struct vcmdq_viommu *viommu = vdev->viommu;

	if (!viommu)
		return;
	mutex_lock(&vcmdq_devices_lock);
	vcmdq_vdevice_unpublish(vdev);
	mutex_unlock(&vcmdq_devices_lock);
	/* Only now may someone else open the group and claim the device. */
	if (vdev->vfio_file)
		fput(vdev->vfio_file);
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
