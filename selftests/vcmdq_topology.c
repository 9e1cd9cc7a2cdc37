// SPDX-License-Identifier: GPL-2.0-only
/*
 * vcmdq selftests of the host instances (module parameter host_instances):
 * GET_INFO's instances with VCMDQ_INSTANCE_CAP_HOST against what the guest
 * kernel itself reports about its IOMMUs:
 *  - one instance per unit of /sys/class/iommu/ of a known kind (dmar*:
 *    VT-d, ivhd*: AMD-Vi, smmu3.*: SMMUv3), in natural order of the unit
 *    names, after every synthetic instance, named in host_iommu (GET_INFO
 *    and sysfs instances/ID/host_iommu);
 *  - each one's devices: exactly the PCI devices of
 *    /sys/class/iommu/UNIT/devices/, with their physical IDs: the requester
 *    ID (segment above it) on VT-d and AMD-Vi, on SMMUv3 the StreamID the
 *    device tree's iommu-map of the PCI host bridge gives the requester ID;
 *  - the VT-d limits against the unit's intel-iommu/cap (ND, MAMV);
 *  - a vDEVICE for one of a unit's devices is made on its instance (with
 *    the real physical ID) and refused (EINVAL) on an instance it is not
 *    behind;
 *  - a device hot-removed while loaded stays listed by address and gets
 *    ENODEV, and is taken again after a rescan;
 *  - the module loaded again: host_instances=N (synthetic ones only), no
 *    parameters (the host's only, IDs from 1), a "devices" entry on a host
 *    instance and an unknown flavor (EINVAL); then as it was.
 * With no IOMMU in the VM (or host_instances=N) there is no host instance.
 *
 * Run as root inside the test VM; the vDEVICE test needs vfio-pci (the
 * iommu, amd-iommu and arm64 configurations load it).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <glob.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

#include "vcmdq_utils.h"

#pragma GCC diagnostic ignored "-Wsign-compare"

#define IOMMU_CLASS "/sys/class/iommu/"
#define MAX_UNITS 16
#define MAX_DEVS 64

struct unit {
	char name[VCMDQ_HOST_IOMMU_NAME_LEN];
	__u32 flavor;
	int ndevs;
	__u32 pci[MAX_DEVS];
	char bdf[MAX_DEVS][BDF_LEN];
};

FIXTURE(topology)
{
	int fd;
	struct vcmdq_counters base;
	struct vcmdq_instance_info info[VCMDQ_MAX_INSTANCES];
	int ninst;
	int nsynth;
	struct vcmdq_device_info dev[256];
	__u32 ndev;
	struct unit units[MAX_UNITS];
	int nunits;
	int host_param;
};

/* Natural order, as the module sorts unit names: digit runs as numbers. */
static int natcmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			size_t la, lb;
			int c;

			while (*a == '0' && isdigit((unsigned char)a[1]))
				a++;
			while (*b == '0' && isdigit((unsigned char)b[1]))
				b++;
			for (la = 0; isdigit((unsigned char)a[la]); la++)
				;
			for (lb = 0; isdigit((unsigned char)b[lb]); lb++)
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

static __u32 unit_flavor(const char *name)
{
	if (!strncmp(name, "dmar", 4))
		return VCMDQ_FLAVOR_VTD;
	if (!strncmp(name, "ivhd", 4))
		return VCMDQ_FLAVOR_AMD_VI;
	if (!strncmp(name, "smmu3.", 6))
		return VCMDQ_FLAVOR_SMMUV3;
	return VCMDQ_FLAVOR_DEFAULT;
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

/* The units of a known kind in /sys/class/iommu, sorted; their devices. */
static int read_units(struct unit *units, int max)
{
	struct dirent **names;
	int n, i, nu = 0;

	n = scandir(IOMMU_CLASS, &names, NULL, NULL);
	if (n < 0)
		return 0;	/* no IOMMU support at all */
	for (i = 0; i < n; i++) {
		const char *name = names[i]->d_name;

		if (name[0] != '.' && unit_flavor(name) != VCMDQ_FLAVOR_DEFAULT &&
		    nu < max && strlen(name) < VCMDQ_HOST_IOMMU_NAME_LEN) {
			memset(&units[nu], 0, sizeof(units[nu]));
			strcpy(units[nu].name, name);
			units[nu].flavor = unit_flavor(name);
			nu++;
		}
		free(names[i]);
	}
	free(names);
	/* Insertion sort: a handful of units. */
	for (i = 1; i < nu; i++)
		for (n = i; n && natcmp(units[n - 1].name, units[n].name) > 0; n--) {
			struct unit t = units[n];

			units[n] = units[n - 1];
			units[n - 1] = t;
		}
	for (i = 0; i < nu; i++) {
		char path[128];
		struct dirent *de;
		DIR *d;

		snprintf(path, sizeof(path), IOMMU_CLASS "%s/devices",
			 units[i].name);
		d = opendir(path);
		if (!d)
			continue;
		while ((de = readdir(d)) && units[i].ndevs < MAX_DEVS) {
			__u32 pci;

			/* PCI devices only: "SSSS:BB:DD.F". */
			if (!pci_parse(de->d_name, &pci))
				continue;
			units[i].pci[units[i].ndevs++] = pci;
		}
		closedir(d);
		qsort(units[i].pci, units[i].ndevs, sizeof(__u32), cmp_u32);
		for (n = 0; n < units[i].ndevs; n++) {
			__u32 p = units[i].pci[n];

			snprintf(units[i].bdf[n], BDF_LEN, "%04x:%02x:%02x.%x",
				 p >> 16, (p >> 8) & 0xff, (p >> 3) & 0x1f,
				 p & 7);
		}
	}
	return nu;
}

static __u32 be32_at(const unsigned char *p)
{
	return (__u32)p[0] << 24 | (__u32)p[1] << 16 | (__u32)p[2] << 8 | p[3];
}

/*
 * The StreamID of requester ID @rid through the device tree's iommu-map
 * (<rid-base phandle sid-base length>...) of the PCI host bridge, with its
 * iommu-map-mask if any.  Return: 0 with *@sid set, -1 with no device tree
 * iommu-map (an ACPI machine: IORT), -2 if @rid is not mapped.
 */
static int dt_streamid(__u32 rid, __u32 *sid)
{
	static const char *const pats[] = {
		"/sys/firmware/devicetree/base/pcie@*/iommu-map",
		"/proc/device-tree/pcie@*/iommu-map",
	};
	unsigned char map[256], mask[4];
	char mpath[PATH_MAX];
	__u32 m = 0xffffffff;
	ssize_t len = -1, i;
	glob_t g;
	size_t p;

	for (p = 0; p < sizeof(pats) / sizeof(pats[0]) && len < 0; p++) {
		if (glob(pats[p], 0, NULL, &g))
			continue;
		/* QEMU's virt has one host bridge. */
		if (g.gl_pathc == 1) {
			int fd = open(g.gl_pathv[0], O_RDONLY);

			if (fd >= 0) {
				len = read(fd, map, sizeof(map));
				close(fd);
			}
			snprintf(mpath, sizeof(mpath), "%s-mask", g.gl_pathv[0]);
			fd = open(mpath, O_RDONLY);
			if (fd >= 0) {
				if (read(fd, mask, 4) == 4)
					m = be32_at(mask);
				close(fd);
			}
		}
		globfree(&g);
	}
	if (len < 16)
		return -1;
	rid &= m;
	for (i = 0; i + 16 <= len; i += 16) {
		__u32 base = be32_at(map + i), sbase = be32_at(map + i + 8);
		__u32 n = be32_at(map + i + 12);

		if (rid >= base && rid - base < n) {
			*sid = sbase + (rid - base);
			return 0;
		}
	}
	return -2;
}

FIXTURE_SETUP(topology)
{
	struct vcmdq_get_info gi = {
		.size = sizeof(gi),
		.entry_len = sizeof(struct vcmdq_instance_info),
		.num_instances = VCMDQ_MAX_INSTANCES,
		.instances_uptr = (uintptr_t)self->info,
		.device_entry_len = sizeof(struct vcmdq_device_info),
		.num_devices = 256,
		.devices_uptr = (uintptr_t)self->dev,
	};

	VCMDQ_FIXTURE_OPEN(self);
	memset(self->info, 0, sizeof(self->info));
	ASSERT_EQ(0, ioctl(self->fd, VCMDQ_GET_INFO, &gi));
	ASSERT_GE(VCMDQ_MAX_INSTANCES, gi.num_instances);
	ASSERT_GE(256, gi.num_devices);
	self->ninst = gi.num_instances;
	self->ndev = gi.num_devices;
	self->nsynth = 0;
	while (self->nsynth < self->ninst &&
	       !(self->info[self->nsynth].caps & VCMDQ_INSTANCE_CAP_HOST))
		self->nsynth++;
	self->nunits = read_units(self->units, MAX_UNITS);
	self->host_param = param_read_bool("host_instances");
}

FIXTURE_TEARDOWN(topology)
{
	VCMDQ_FIXTURE_CLOSE(self);
}

/* One host instance per unit, in order, after the synthetic ones. */
TEST_F(topology, instances)
{
	int i;

	ASSERT_NE(-1, self->host_param)
		TH_LOG("no module parameter host_instances");
	TH_LOG("%d synthetic instances, %d host IOMMU units", self->nsynth,
	       self->nunits);
	for (i = self->nsynth; i < self->ninst; i++)
		EXPECT_TRUE(self->info[i].caps & VCMDQ_INSTANCE_CAP_HOST)
			TH_LOG("instance %d: synthetic after a host one", i + 1);
	if (!self->host_param) {
		EXPECT_EQ(self->ninst, self->nsynth);
		return;
	}
	ASSERT_EQ(self->nunits, self->ninst - self->nsynth);
	for (i = 0; i < self->nunits; i++) {
		const struct vcmdq_instance_info *in =
			&self->info[self->nsynth + i];
		char path[128], buf[64];

		TH_LOG("instance %u: %s, host IOMMU %s", in->id,
		       vcmdq_flavor_name(in->flavor), in->host_iommu);
		EXPECT_EQ(self->nsynth + i + 1, in->id);
		EXPECT_STREQ(self->units[i].name, in->host_iommu);
		EXPECT_EQ(self->units[i].flavor, in->flavor);
		/* Execution stays the model's. */
		EXPECT_TRUE(in->caps & VCMDQ_INSTANCE_CAP_EMULATED);
		EXPECT_EQ(0, in->caps & VCMDQ_INSTANCE_CAP_FAST_QUEUES);
		snprintf(path, sizeof(path), VCMDQ_SYSFS "instances/%u/host_iommu",
			 in->id);
		ASSERT_LT(0, read_file(path, buf, sizeof(buf)));
		buf[strcspn(buf, "\n")] = 0;
		EXPECT_STREQ(in->host_iommu, buf);
	}
	/* Synthetic ones are marked by the bit's absence and no name. */
	for (i = 0; i < self->nsynth; i++) {
		char path[128], buf[64];

		EXPECT_EQ(0, self->info[i].host_iommu[0]);
		snprintf(path, sizeof(path), VCMDQ_SYSFS "instances/%u/host_iommu",
			 self->info[i].id);
		ASSERT_EQ(1, read_file(path, buf, sizeof(buf)));
		EXPECT_STREQ("\n", buf);
	}
}

/* Each host instance's devices and their physical IDs. */
TEST_F(topology, devices)
{
	int i, k, checked = 0;
	__u32 d;

	if (!self->host_param || self->nunits == 0)
		SKIP(return, "no host IOMMU unit (no IOMMU in this VM, or host_instances=N)");
	for (i = 0; i < self->nunits; i++) {
		const struct unit *u = &self->units[i];
		__u32 id = self->nsynth + i + 1;

		k = 0;
		for (d = 0; d < self->ndev; d++) {
			const struct vcmdq_device_info *dv = &self->dev[d];
			__u32 want = dv->pci_device;

			if (dv->instance_id != id)
				continue;
			ASSERT_GT(u->ndevs, k)
				TH_LOG("%s: more devices than in its devices/",
				       u->name);
			EXPECT_EQ(u->pci[k], dv->pci_device)
				TH_LOG("%s: device %d is %s", u->name, k,
				       u->bdf[k]);
			if (u->flavor == VCMDQ_FLAVOR_SMMUV3) {
				int rc = dt_streamid(dv->pci_device & 0xffff,
						     &want);

				if (rc == -1)
					SKIP(return, "no device tree iommu-map to compute StreamIDs (ACPI?)");
				ASSERT_EQ(0, rc)
					TH_LOG("%s not in the iommu-map", u->bdf[k]);
			}
			EXPECT_EQ(want, dv->phys_id)
				TH_LOG("%s: phys_id %#x, want %#x", u->bdf[k],
				       dv->phys_id, want);
			EXPECT_EQ(0, dv->__reserved);
			k++;
			checked++;
		}
		EXPECT_EQ(u->ndevs, k) TH_LOG("%s: %d devices, GET_INFO has %d",
					      u->name, u->ndevs, k);
	}
	TH_LOG("%d devices checked", checked);
	EXPECT_LT(0, checked);
}

/* VT-d: DID width and MAMV are the unit's CAP_REG (intel-iommu/cap). */
TEST_F(topology, vtd_limits)
{
	int i, n = 0;

	for (i = 0; i < self->nunits && self->host_param; i++) {
		const struct vcmdq_instance_info *in =
			&self->info[self->nsynth + i];
		char path[128], buf[64];
		unsigned long long cap;
		unsigned int bits;

		if (in->flavor != VCMDQ_FLAVOR_VTD)
			continue;
		snprintf(path, sizeof(path), IOMMU_CLASS "%s/intel-iommu/cap",
			 in->host_iommu);
		ASSERT_LT(0, read_file(path, buf, sizeof(buf)));
		cap = strtoull(buf, NULL, 16);
		bits = 4 + 2 * (cap & 7);
		EXPECT_EQ(bits > 16 ? 16 : bits, in->tag_bits);
		EXPECT_EQ((1U << in->tag_bits) - 1, in->max_viommus);
		EXPECT_EQ((cap >> 48) & 0x3f, in->vtd_max_am);
		n++;
	}
	if (!n)
		SKIP(return, "no VT-d unit");
}

/*
 * AMD-Vi: INVALIDATE_ALL is offered iff the unit's EFR has IASup (bit 6).
 * amd-iommu/features is "EFR2:EFR" before Linux 6.7, "EFR:EFR2" since.
 */
TEST_F(topology, amd_limits)
{
	int i, n = 0;

	for (i = 0; i < self->nunits && self->host_param; i++) {
		const struct vcmdq_instance_info *in =
			&self->info[self->nsynth + i];
		char path[128], buf[64], *second;
		unsigned long long efr;
		struct utsname u;
		int major = 0, minor = 0;

		if (in->flavor != VCMDQ_FLAVOR_AMD_VI)
			continue;
		snprintf(path, sizeof(path), IOMMU_CLASS "%s/amd-iommu/features",
			 in->host_iommu);
		ASSERT_LT(0, read_file(path, buf, sizeof(buf)));
		ASSERT_EQ(0, uname(&u));
		sscanf(u.release, "%d.%d", &major, &minor);
		second = strchr(buf, ':');
		efr = strtoull(major > 6 || (major == 6 && minor >= 7) || !second ?
			       buf : second + 1, NULL, 16);
		TH_LOG("%s: features %s", in->host_iommu, buf);
		EXPECT_EQ(!!(efr & (1ULL << 6)),
			  !!(in->caps & VCMDQ_INSTANCE_CAP_AMD_INV_ALL));
		EXPECT_EQ(16, in->tag_bits);
		n++;
	}
	if (!n)
		SKIP(return, "no AMD-Vi unit");
}

/*
 * A device without a host driver, of @unit's devices, that exists, or
 * NULL.  Bridges and the host bridge have drivers (pcieport) or are not
 * ours to take; the VMs' edu devices have none.
 */
static const char *free_device(const struct unit *u, __u32 *pci)
{
	int k;

	for (k = 0; k < u->ndevs; k++) {
		char drv[64], path[160], cls[16];

		pci_driver(u->bdf[k], drv, sizeof(drv));
		if (drv[0] && strcmp(drv, "vfio-pci"))
			continue;
		snprintf(path, sizeof(path), PCI_SYSFS "%s/class", u->bdf[k]);
		if (read_file(path, cls, sizeof(cls)) <= 0 ||
		    !strncmp(cls, "0x06", 4))	/* bridges */
			continue;
		*pci = u->pci[k];
		return u->bdf[k];
	}
	return NULL;
}

/* A unit's device gets a vDEVICE on its instance, with the real ID. */
TEST_F(topology, vdevice_ownership)
{
	__u32 s2, viommu, other_viommu, vdev, phys, pci = 0, want, d;
	const char *bdf = NULL;
	int i, unit = -1, other = -1, vfio_fd;
	char why[256];

	if (!self->host_param || self->nunits == 0)
		SKIP(return, "no host IOMMU unit (no IOMMU in this VM, or host_instances=N)");
	for (i = 0; i < self->nunits && !bdf; i++) {
		bdf = free_device(&self->units[i], &pci);
		unit = i;
	}
	if (!bdf)
		SKIP(return, "no driverless device behind a host IOMMU");
	/* An instance the device is not behind: refused there. */
	for (i = 0; i < self->ninst && other < 0; i++) {
		bool behind = false;

		for (d = 0; d < self->ndev; d++)
			if (self->dev[d].instance_id == self->info[i].id &&
			    self->dev[d].pci_device == pci)
				behind = true;
		if (!behind)
			other = i;
	}
	want = pci;
	for (d = 0; d < self->ndev; d++)
		if (self->dev[d].instance_id == self->nsynth + unit + 1 &&
		    self->dev[d].pci_device == pci)
			want = self->dev[d].phys_id;
	if (device_claim(bdf, &vfio_fd, why, sizeof(why)))
		SKIP(return, "%s", why);

	test_cmd_s2_alloc(&s2);
	test_cmd_viommu_alloc(self->nsynth + unit + 1, s2, &viommu, NULL);
	if (other >= 0) {
		test_cmd_viommu_alloc(self->info[other].id, s2, &other_viommu,
				      NULL);
		test_err_vdevice_alloc(EINVAL, other_viommu, vfio_fd, pci, 1);
	} else {
		TH_LOG("every instance has %s: no refusal to check", bdf);
	}
	test_cmd_vdevice_alloc(viommu, vfio_fd, pci, 0x42, &vdev, &phys);
	TH_LOG("%s on %s: phys_id %#x", bdf, self->units[unit].name, phys);
	EXPECT_EQ(want, phys);
	/* One vDEVICE per device, whatever the instance. */
	test_err_vdevice_alloc(EEXIST, viommu, vfio_fd, pci, 0x43);
	test_ioctl_destroy(vdev);
	if (other >= 0)
		test_ioctl_destroy(other_viommu);
	test_ioctl_destroy(viommu);
	test_ioctl_destroy(s2);
	close(vfio_fd);
}

/*
 * Hot-removal of a unit's device while the module is loaded: the instance
 * keeps the address (a snapshot, no pointer to the device), VDEVICE_ALLOC
 * finds no device (ENODEV); after a rescan brings it back it is taken
 * again.  Last: the device is back for the programs that run after this
 * one.
 */
TEST_F(topology, hot_remove)
{
	__u32 s2, viommu, vdev, pci = 0, d, id = 0;
	struct vcmdq_device_info dev[256];
	struct vcmdq_get_info gi = {
		.size = sizeof(gi),
		.device_entry_len = sizeof(dev[0]),
		.num_devices = 256,
		.devices_uptr = (uintptr_t)dev,
	};
	const char *bdf = NULL;
	char path[128], why[256];
	int i, vfio_fd, listed = 0;

	if (!self->host_param || self->nunits == 0)
		SKIP(return, "no host IOMMU unit (no IOMMU in this VM, or host_instances=N)");
	for (i = 0; i < self->nunits && !bdf; i++) {
		bdf = free_device(&self->units[i], &pci);
		id = self->nsynth + i + 1;
	}
	if (!bdf)
		SKIP(return, "no driverless device behind a host IOMMU");
	snprintf(path, sizeof(path), PCI_SYSFS "%s/remove", bdf);
	ASSERT_EQ(0, write_str(path, "1"))
		TH_LOG("remove %s: %s", bdf, strerror(errno));
	ASSERT_FALSE(pci_exists(bdf));

	test_cmd_s2_alloc(&s2);
	test_cmd_viommu_alloc(id, s2, &viommu, NULL);
	/* Still listed, by address. */
	ASSERT_EQ(0, ioctl(self->fd, VCMDQ_GET_INFO, &gi));
	for (d = 0; d < gi.num_devices && d < 256; d++) {
		if (dev[d].instance_id == id && dev[d].pci_device == pci)
			listed++;
	}
	EXPECT_EQ(1, listed);
	test_err_vdevice_alloc(ENODEV, viommu, -1, pci, 1);

	ASSERT_EQ(0, write_str("/sys/bus/pci/rescan", "1"));
	ASSERT_TRUE(pci_exists(bdf)) TH_LOG("%s not back after a rescan", bdf);
	if (device_claim(bdf, &vfio_fd, why, sizeof(why))) {
		TH_LOG("after the rescan: %s", why);
	} else {
		test_cmd_vdevice_alloc(viommu, vfio_fd, pci, 1, &vdev, NULL);
		test_ioctl_destroy(vdev);
		close(vfio_fd);
	}
	test_ioctl_destroy(viommu);
	test_ioctl_destroy(s2);
}

/* ---- module parameters: reload the module ------------------------------ */

/* Where tools/vm/run puts the module it loads. */
#define MODULE_FILE "/vcmdq.ko"

/*
 * The module's current parameters as an insmod string ("name=value ..."),
 * so it can be loaded again as it was.  Return: 0, or -1.
 */
static int current_params(char *out, size_t len)
{
	struct dirent *de;
	size_t used = 0;
	DIR *d = opendir(VCMDQ_PARAMS);

	if (!d)
		return -1;
	out[0] = 0;
	while ((de = readdir(d))) {
		char path[512], val[1024];

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), VCMDQ_PARAMS "%s", de->d_name);
		if (read_file(path, val, sizeof(val)) < 0)
			continue;
		val[strcspn(val, "\n")] = 0;
		/* An unset charp reads "(null)": leave it unset. */
		if (!strcmp(val, "(null)"))
			continue;
		used += snprintf(out + used, len - used, "%s%s=%s",
				 used ? " " : "", de->d_name, val);
		if (used >= len) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	return 0;
}

/* Load MODULE_FILE with @params: 0, or -1 with errno. */
static int load(const char *params)
{
	int fd = open(MODULE_FILE, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = syscall(SYS_finit_module, fd, params, 0);
	close(fd);
	return rc;
}

static int unload(void)
{
	return syscall(SYS_delete_module, "vcmdq", O_NONBLOCK);
}

/* GET_INFO of the loaded module into @info; the count, or -1. */
static int reload_instances(struct vcmdq_instance_info *info)
{
	int fd = vcmdq_open_dev(), n;

	if (fd < 0)
		return -1;
	n = vcmdq_instances(fd, info);
	close(fd);
	return n;
}

/*
 * host_instances=N leaves only the synthetic instances; the default
 * instances (none) leaves only the host's; a device put on a host instance
 * by "devices" fails the load (EINVAL), as an unknown flavor does.  The
 * module is loaded again with its parameters as they were, whatever
 * happened.
 */
TEST_F(topology, module_params)
{
	struct vcmdq_instance_info info[VCMDQ_MAX_INSTANCES];
	char orig[4096], params[4200];
	int n, i, rc;

	if (access(MODULE_FILE, R_OK))
		SKIP(return, "no %s to load again (not a tools/vm/run VM)",
		     MODULE_FILE);
	ASSERT_EQ(0, current_params(orig, sizeof(orig)));
	TH_LOG("loaded with: %s", orig);
	/* The fixture's file pins the module. */
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, unload()) TH_LOG("rmmod vcmdq: %s", strerror(errno));

	/* host_instances=N: the synthetic ones alone. */
	snprintf(params, sizeof(params), "%s host_instances=N", orig);
	rc = load(params);
	EXPECT_EQ(0, rc) TH_LOG("%s: %s", params, strerror(errno));
	if (!rc) {
		n = reload_instances(info);
		EXPECT_EQ(self->nsynth, n);
		for (i = 0; i < n; i++)
			EXPECT_EQ(0, info[i].caps & VCMDQ_INSTANCE_CAP_HOST);
		EXPECT_EQ(0, unload());
	}
	/* Default instances (none): only the host's units, IDs from 1. */
	rc = load("");
	EXPECT_EQ(0, rc) TH_LOG("no parameters: %s", strerror(errno));
	if (!rc) {
		n = reload_instances(info);
		EXPECT_EQ(self->nunits, n);
		for (i = 0; i < n && i < self->nunits; i++) {
			EXPECT_EQ(i + 1, info[i].id);
			EXPECT_TRUE(info[i].caps & VCMDQ_INSTANCE_CAP_HOST);
			EXPECT_STREQ(self->units[i].name, info[i].host_iommu);
		}
		EXPECT_EQ(0, unload());
	}
	EXPECT_EQ(-1, load("instances=bogus"));
	EXPECT_EQ(EINVAL, errno);
	if (self->nunits && self->host_param) {
		/* The first host instance comes after the synthetic ones. */
		snprintf(params, sizeof(params), "%s devices=%d=0000:00:00.0",
			 orig, self->nsynth + 1);
		/* Replaces any devices= of @orig: the last one wins. */
		EXPECT_EQ(-1, load(params));
		EXPECT_EQ(EINVAL, errno);
	}

	/* As it was, for the programs that run after this one. */
	ASSERT_EQ(0, load(orig)) TH_LOG("reload %s: %s", orig, strerror(errno));
	self->fd = vcmdq_open_dev();
	ASSERT_LE(0, self->fd);
	EXPECT_EQ(self->ninst, vcmdq_instances(self->fd, info));
}

TEST_HARNESS_MAIN
