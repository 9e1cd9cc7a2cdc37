/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers for the vcmdq selftests, in the style of iommufd_utils.h: for each
 * ioctl a raw _test_cmd_<ioctl>(fd, ...) that returns the ioctl result with
 * errno intact, test_cmd_<ioctl>(...) that asserts success on self->fd, and
 * test_err_<ioctl>(errno, ...) that asserts failure with that errno.
 *
 * Every ioctl's helpers are here, once, whichever test program uses them
 * (vcmdq.c, vcmdq_fast.c, vcmdq_inv.c); so is what two or more of them
 * share: small file helpers, the module's parameters (the "devices" list
 * among them), the global leak counters in sysfs, the pages S2 mappings pin
 * (VmPin) of this process, raw capability changes (no libcap), and the PCI
 * devices a vDEVICE needs (bound to vfio-pci, their VFIO group opened).
 */
#ifndef __SELFTEST_VCMDQ_UTILS_H
#define __SELFTEST_VCMDQ_UTILS_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#include "kselftest_harness.h"
#include "linux/vcmdq.h"
#include "vcmdq_test.h"

#define VCMDQ_DEV		"/dev/vcmdq"
#define VCMDQ_SYSFS		"/sys/class/misc/vcmdq/"
#define VCMDQ_PARAMS		"/sys/module/vcmdq/parameters/"

/* More than any module parameter can create; GET_INFO is asked for this. */
#define VCMDQ_MAX_INSTANCES	64

/* GPAs used by the tests; never 0 (see the report on S2_MAP's "zero gpa"). */
#define GPA_BASE		(1ULL << 32)

/* Plain min(); evaluates its arguments twice. */
#define MIN(a, b) ((a) < (b) ? (a) : (b))

#ifndef offsetofend
#define offsetofend(TYPE, MEMBER) \
	(offsetof(TYPE, MEMBER) + sizeof(((TYPE *)0)->MEMBER))
#endif

/* Like iommufd: the call must fail (-1) with exactly this errno. */
#define EXPECT_ERRNO(expected_errno, cmd)                                  \
	({                                                                 \
		ASSERT_EQ(-1, cmd);                                        \
		EXPECT_EQ(expected_errno, errno);                          \
	})

static unsigned long PAGE_SIZE;

static void __attribute__((constructor)) vcmdq_setup_sizes(void)
{
	PAGE_SIZE = sysconf(_SC_PAGE_SIZE);
}

static inline const char *vcmdq_flavor_name(__u32 flavor)
{
	switch (flavor) {
	case VCMDQ_FLAVOR_TEGRA241_CMDQV:
		return "tegra241-cmdqv";
	case VCMDQ_FLAVOR_SMMUV3:
		return "smmuv3";
	case VCMDQ_FLAVOR_AMD_VI:
		return "amd-vi";
	case VCMDQ_FLAVOR_VTD:
		return "vtd";
	}
	return "?";
}

static inline int vcmdq_open_dev(void)
{
	return open(VCMDQ_DEV, O_RDWR | O_CLOEXEC);
}

/* ---- files -------------------------------------------------------------- */

/*
 * Up to @size - 1 bytes of @path into @buf, NUL-terminated.  Return: the
 * number of bytes read, or -1.
 */
static inline ssize_t read_file(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return n;
}

/* A decimal number and a newline; -1 if the file cannot be read. */
static inline long read_long_file(const char *path)
{
	char buf[64], *end;
	long val;

	if (read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	errno = 0;
	val = strtol(buf, &end, 10);
	if (errno || end == buf || *end != '\n')
		return -1;
	return val;
}

/* Write all of @s to @path (sysfs, procfs); 0, or -1 with errno set. */
static inline int write_str(const char *path, const char *s)
{
	ssize_t len = strlen(s);
	int fd, ok;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	ok = write(fd, s, len) == len;
	close(fd);
	return ok ? 0 : -1;
}

/* The last path component of the symlink @path into @name; "" for none. */
static inline void link_name(const char *path, char *name, size_t len)
{
	char target[PATH_MAX];
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	const char *base;
	size_t blen;

	name[0] = 0;
	if (n <= 0)
		return;
	target[n] = 0;
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	blen = strnlen(base, len - 1);
	memcpy(name, base, blen);
	name[blen] = 0;
}

/* ---- PCI devices -------------------------------------------------------- */

#define PCI_SYSFS "/sys/bus/pci/devices/"

/* "0000:00:04.0" -> VCMDQ_PCI_DEVICE(); false if malformed. */
static inline bool pci_parse(const char *bdf, __u32 *out)
{
	unsigned int seg, bus, dev, fn;
	char tail;

	if (sscanf(bdf, "%x:%x:%x.%x%c", &seg, &bus, &dev, &fn, &tail) != 4 ||
	    seg > 0xffff || bus > 0xff || dev > 0x1f || fn > 7)
		return false;
	*out = VCMDQ_PCI_DEVICE(seg, bus, dev, fn);
	return true;
}

static inline bool pci_exists(const char *bdf)
{
	char path[128];

	snprintf(path, sizeof(path), PCI_SYSFS "%s", bdf);
	return !access(path, F_OK);
}

/* The IOMMU group number of @bdf, or -1 when it has none. */
static inline int pci_iommu_group(const char *bdf)
{
	char path[128], group[32];

	snprintf(path, sizeof(path), PCI_SYSFS "%s/iommu_group", bdf);
	link_name(path, group, sizeof(group));
	return group[0] ? atoi(group) : -1;
}

/* The name of the driver bound to @bdf into @drv ("" for none). */
static inline void pci_driver(const char *bdf, char *drv, size_t len)
{
	char path[128];

	snprintf(path, sizeof(path), PCI_SYSFS "%s/driver", bdf);
	link_name(path, drv, len);
}

/* Bind @bdf to @driver (unbinding whatever has it); 0 on success. */
static inline int pci_bind(const char *bdf, const char *driver)
{
	char path[160], drv[64];

	pci_driver(bdf, drv, sizeof(drv));
	if (!strcmp(drv, driver))
		return 0;
	if (drv[0]) {
		snprintf(path, sizeof(path), PCI_SYSFS "%s/driver/unbind", bdf);
		if (write_str(path, bdf))
			return -1;
	}
	snprintf(path, sizeof(path), PCI_SYSFS "%s/driver_override", bdf);
	if (write_str(path, driver))
		return -1;
	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s/bind", driver);
	if (write_str(path, bdf))
		return -1;
	pci_driver(bdf, drv, sizeof(drv));
	return strcmp(drv, driver) ? -1 : 0;
}

/*
 * Get what VCMDQ_VDEVICE_ALLOC needs to accept @bdf from this process: for a
 * device in an IOMMU group, bind it to vfio-pci and open its VFIO group
 * (*vfio_fd, the caller closes it); a device with no group must have no
 * host driver (*vfio_fd = -1; root's CAP_SYS_ADMIN does the rest).
 * Return: 0, or -1 with the reason in @why.
 */
static inline int device_claim(const char *bdf, int *vfio_fd, char *why,
			       size_t whylen)
{
	char path[64], drv[64];
	int group;

	*vfio_fd = -1;
	if (!pci_exists(bdf)) {
		snprintf(why, whylen, "no PCI device %s", bdf);
		return -1;
	}
	group = pci_iommu_group(bdf);
	if (group < 0) {
		pci_driver(bdf, drv, sizeof(drv));
		if (drv[0]) {
			snprintf(why, whylen,
				 "%s has no IOMMU group and driver %s bound",
				 bdf, drv);
			return -1;
		}
		return 0;
	}
	if (pci_bind(bdf, "vfio-pci")) {
		snprintf(why, whylen,
			 "bind %s to vfio-pci: %s (is vfio-pci loaded?)", bdf,
			 strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "/dev/vfio/%d", group);
	*vfio_fd = open(path, O_RDWR | O_CLOEXEC);
	if (*vfio_fd < 0) {
		snprintf(why, whylen, "open %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- module parameters -------------------------------------------------- */

static inline long param_read(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), VCMDQ_PARAMS "%s", name);
	return read_long_file(path);
}

/* A bool module parameter: 1 (Y), 0 (N), or -1 when unreadable. */
static inline int param_read_bool(const char *name)
{
	char path[128], buf[8];

	snprintf(path, sizeof(path), VCMDQ_PARAMS "%s", name);
	if (read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	return buf[0] == 'Y' || buf[0] == 'y' || buf[0] == '1';
}

#define BDF_LEN 16

/* A device the "devices" module parameter puts behind an instance. */
struct pdev {
	__u32 inst;
	char bdf[BDF_LEN];
	__u32 pci;
};

/*
 * The "devices" module parameter, "ID=SEG:BUS:DEV.FN,...", in its order:
 * the well-formed entries for instance @inst (instance IDs start at 1;
 * @inst = 0: for every instance) go to @devs.  Return: how many (at most
 * @max).
 */
static inline int param_devices(__u32 inst, struct pdev *devs, int max)
{
	char buf[4096], *cursor, *spec;
	int n = 0;

	if (read_file(VCMDQ_PARAMS "devices", buf, sizeof(buf)) <= 0)
		return 0;
	cursor = buf;
	while ((spec = strsep(&cursor, ",\n")) != NULL && n < max) {
		struct pdev *d = &devs[n];

		if (sscanf(spec, "%u=%15s", &d->inst, d->bdf) != 2 ||
		    (inst && d->inst != inst) || !pci_parse(d->bdf, &d->pci))
			continue;
		n++;
	}
	return n;
}

/* ---- sysfs counters ----------------------------------------------------- */

static inline long vcmdq_counter(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), VCMDQ_SYSFS "%s", name);
	return read_long_file(path);
}

struct vcmdq_counters {
	long live_objects;
	long pinned_pages;
	long contexts;
};

static inline void vcmdq_read_counters(struct vcmdq_counters *c)
{
	c->live_objects = vcmdq_counter("live_objects");
	c->pinned_pages = vcmdq_counter("pinned_pages");
	c->contexts = vcmdq_counter("contexts");
}

#define ASSERT_COUNTERS_READ(c)                                            \
	({                                                                 \
		ASSERT_LE(0, (c)->live_objects);                           \
		ASSERT_LE(0, (c)->pinned_pages);                           \
		ASSERT_LE(0, (c)->contexts);                               \
	})

/* EXPECT, never ASSERT: this runs in teardown, where an ASSERT loops. */
#define EXPECT_COUNTERS_EQ(a, b)                                           \
	({                                                                 \
		EXPECT_EQ((a)->live_objects, (b)->live_objects);           \
		EXPECT_EQ((a)->pinned_pages, (b)->pinned_pages);           \
		EXPECT_EQ((a)->contexts, (b)->contexts);                   \
	})

/*
 * The setup and teardown of the fixtures that hold one /dev/vcmdq file:
 * the module's counters before and @self->fd open; then the file closed
 * and every counter back where it was (nothing leaked).
 */
#define VCMDQ_FIXTURE_OPEN(self)					\
	do {								\
		(self)->fd = -1;					\
		vcmdq_read_counters(&(self)->base);			\
		ASSERT_COUNTERS_READ(&(self)->base);			\
		(self)->fd = vcmdq_open_dev();				\
		ASSERT_LE(0, (self)->fd)				\
			TH_LOG("open %s: %s (is vcmdq.ko loaded?)",	\
			       VCMDQ_DEV, strerror(errno));		\
	} while (0)

#define VCMDQ_FIXTURE_CLOSE(self)					\
	do {								\
		struct vcmdq_counters __now;				\
									\
		if ((self)->fd >= 0)					\
			close((self)->fd);				\
		vcmdq_read_counters(&__now);				\
		EXPECT_COUNTERS_EQ(&(self)->base, &__now);		\
	} while (0)

#define live_objects() vcmdq_counter("live_objects")
#define pinned_pages() vcmdq_counter("pinned_pages")

/* ---- this process: VmPin (mm->pinned_vm) and capabilities -------------- */

/*
 * VmPin of /proc/self/status in bytes: what S2 mappings this process made
 * pin (their RLIMIT_MEMLOCK charge is on the user, not visible per process);
 * -1 if not found.
 */
static inline long vm_pinned_bytes(void)
{
	char line[256];
	long kb = -1;
	FILE *f;

	f = fopen("/proc/self/status", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "VmPin: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb < 0 ? -1 : kb * 1024;
}

static inline int cap_get(struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};

	return syscall(SYS_capget, &hdr, data);
}

static inline bool cap_effective(int cap)
{
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};

	if (cap_get(data))
		return false;
	return data[CAP_TO_INDEX(cap)].effective & CAP_TO_MASK(cap);
}

/* Drop @cap from the effective set of this thread (the test process). */
static inline int cap_drop_effective(int cap)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	data[CAP_TO_INDEX(cap)].effective &= ~CAP_TO_MASK(cap);
	return syscall(SYS_capset, &hdr, data);
}

/* ---- memory for S2_MAP -------------------------------------------------- */

/* Anonymous private memory; touched (faulted in) when @touch. */
static inline void *alloc_pages(size_t npages, int prot, bool touch)
{
	void *p = mmap(NULL, npages * PAGE_SIZE, prot,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (touch)
		memset(p, 0xa5, npages * PAGE_SIZE);
	return p;
}

/* ---- VCMDQ_DESTROY ------------------------------------------------------ */

static inline int _test_ioctl_destroy(int fd, __u32 id)
{
	struct vcmdq_destroy cmd = {
		.size = sizeof(cmd),
		.id = id,
	};

	return ioctl(fd, VCMDQ_DESTROY, &cmd);
}
#define test_ioctl_destroy(id) ASSERT_EQ(0, _test_ioctl_destroy(self->fd, id))
#define test_err_destroy(_errno, id) \
	EXPECT_ERRNO(_errno, _test_ioctl_destroy(self->fd, id))

/* ---- VCMDQ_GET_INFO ----------------------------------------------------- */

static inline int _test_cmd_get_info(int fd, __u32 flags, __u32 entry_len,
				     __u32 *num_instances, void *instances)
{
	struct vcmdq_get_info cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.entry_len = entry_len,
		.num_instances = *num_instances,
		.instances_uptr = (uintptr_t)instances,
	};
	int ret;

	ret = ioctl(fd, VCMDQ_GET_INFO, &cmd);
	if (ret)
		return ret;
	*num_instances = cmd.num_instances;
	return 0;
}
#define test_cmd_get_info(entry_len, num, instances)                       \
	ASSERT_EQ(0, _test_cmd_get_info(self->fd, 0, entry_len, num, instances))
#define test_err_get_info(_errno, flags, entry_len, num, instances)        \
	EXPECT_ERRNO(_errno, _test_cmd_get_info(self->fd, flags, entry_len, \
						num, instances))

/*
 * Read every instance into @info (room for VCMDQ_MAX_INSTANCES); returns the
 * number of instances or -1.
 */
static inline int vcmdq_instances(int fd, struct vcmdq_instance_info *info)
{
	__u32 num = VCMDQ_MAX_INSTANCES;

	memset(info, 0, sizeof(*info) * VCMDQ_MAX_INSTANCES);
	if (_test_cmd_get_info(fd, 0, sizeof(*info), &num, info))
		return -1;
	if (num > VCMDQ_MAX_INSTANCES)
		return -1;
	return num;
}

/*
 * Whether the module has an instance with fast queues (a tegra241-cmdqv),
 * which the bench and the example need; a host's own IOMMUs have none.
 */
static inline bool vcmdq_has_fast_queues(void)
{
	struct vcmdq_instance_info info[VCMDQ_MAX_INSTANCES];
	int fd = vcmdq_open_dev();
	bool fast = false;
	int i, n;

	if (fd < 0)
		return false;
	n = vcmdq_instances(fd, info);
	for (i = 0; i < n; i++)
		fast |= !!(info[i].caps & VCMDQ_INSTANCE_CAP_FAST_QUEUES);
	close(fd);
	return fast;
}

/* live_viommus of instance @id as GET_INFO reports it now; -1 on error. */
static inline long vcmdq_live_viommus(int fd, __u32 id)
{
	struct vcmdq_instance_info info[VCMDQ_MAX_INSTANCES];
	int n = vcmdq_instances(fd, info), i;

	for (i = 0; i < n; i++)
		if (info[i].id == id)
			return info[i].live_viommus;
	return -1;
}

/* ---- VCMDQ_S2_ALLOC ----------------------------------------------------- */

static inline int _test_cmd_s2_alloc(int fd, __u32 flags, __u32 *s2_id)
{
	struct vcmdq_s2_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
	};
	int ret;

	ret = ioctl(fd, VCMDQ_S2_ALLOC, &cmd);
	if (ret)
		return ret;
	if (s2_id)
		*s2_id = cmd.out_s2_id;
	return 0;
}
#define test_cmd_s2_alloc(s2_id) \
	ASSERT_EQ(0, _test_cmd_s2_alloc(self->fd, 0, s2_id))
#define test_err_s2_alloc(_errno, flags, s2_id) \
	EXPECT_ERRNO(_errno, _test_cmd_s2_alloc(self->fd, flags, s2_id))

/* ---- VCMDQ_S2_MAP ------------------------------------------------------- */

static inline int _test_cmd_s2_map(int fd, __u32 s2_id, __u32 flags,
				   __u64 gpa, const void *uaddr, __u64 length)
{
	struct vcmdq_s2_map cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.s2_id = s2_id,
		.gpa = gpa,
		.uaddr = (uintptr_t)uaddr,
		.length = length,
	};

	return ioctl(fd, VCMDQ_S2_MAP, &cmd);
}
#define VCMDQ_S2_MAP_RW (VCMDQ_S2_MAP_READ | VCMDQ_S2_MAP_WRITE)
#define test_cmd_s2_map(s2_id, gpa, uaddr, length)                        \
	ASSERT_EQ(0, _test_cmd_s2_map(self->fd, s2_id, VCMDQ_S2_MAP_RW, gpa, \
				      uaddr, length))
#define test_err_s2_map(_errno, s2_id, gpa, uaddr, length)                \
	EXPECT_ERRNO(_errno, _test_cmd_s2_map(self->fd, s2_id,            \
					      VCMDQ_S2_MAP_RW, gpa, uaddr, \
					      length))
#define test_err_s2_map_flags(_errno, s2_id, flags, gpa, uaddr, length)   \
	EXPECT_ERRNO(_errno, _test_cmd_s2_map(self->fd, s2_id, flags, gpa,  \
					      uaddr, length))

/* ---- VCMDQ_S2_UNMAP ----------------------------------------------------- */

static inline int _test_cmd_s2_unmap(int fd, __u32 s2_id, __u64 gpa,
				     __u64 length, __u64 *unmapped)
{
	struct vcmdq_s2_unmap cmd = {
		.size = sizeof(cmd),
		.s2_id = s2_id,
		.gpa = gpa,
		.length = length,
	};
	int ret;

	ret = ioctl(fd, VCMDQ_S2_UNMAP, &cmd);
	if (ret)
		return ret;
	if (unmapped)
		*unmapped = cmd.out_unmapped;
	return 0;
}
#define test_cmd_s2_unmap(s2_id, gpa, length)                             \
	({                                                                 \
		__u64 __unmapped = 0;                                      \
		ASSERT_EQ(0, _test_cmd_s2_unmap(self->fd, s2_id, gpa,      \
						length, &__unmapped));     \
		__unmapped;                                                \
	})
#define test_err_s2_unmap(_errno, s2_id, gpa, length)                     \
	EXPECT_ERRNO(_errno, _test_cmd_s2_unmap(self->fd, s2_id, gpa,     \
						length, NULL))

/* ---- VCMDQ_VIOMMU_ALLOC ------------------------------------------------- */

/* Every output is optional (NULL); the mmap cookie is that of page0. */
static inline int _test_cmd_viommu_alloc(int fd, __u32 instance_id,
					 __u32 s2_id, __u32 flags,
					 __u32 *viommu_id, __u32 *tag,
					 __u64 *mmap_offset,
					 __u64 *mmap_length)
{
	struct vcmdq_viommu_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.instance_id = instance_id,
		.s2_id = s2_id,
	};
	int ret;

	ret = ioctl(fd, VCMDQ_VIOMMU_ALLOC, &cmd);
	if (ret)
		return ret;
	if (viommu_id)
		*viommu_id = cmd.out_viommu_id;
	if (tag)
		*tag = cmd.out_tag;
	if (mmap_offset)
		*mmap_offset = cmd.out_mmap_offset;
	if (mmap_length)
		*mmap_length = cmd.out_mmap_length;
	return 0;
}
#define test_cmd_viommu_alloc(instance_id, s2_id, viommu_id, tag)          \
	ASSERT_EQ(0, _test_cmd_viommu_alloc(self->fd, instance_id, s2_id, 0, \
					    viommu_id, tag, NULL, NULL))
#define test_err_viommu_alloc(_errno, instance_id, s2_id, flags)          \
	EXPECT_ERRNO(_errno, _test_cmd_viommu_alloc(self->fd, instance_id, \
						    s2_id, flags, NULL,    \
						    NULL, NULL, NULL))

/* ---- VCMDQ_QUEUE_ALLOC -------------------------------------------------- */

static inline int _test_cmd_queue_alloc(int fd, __u32 viommu_id, __u32 index,
					__u64 gpa, __u64 length, __u32 flags,
					__u32 *queue_id)
{
	struct vcmdq_queue_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.viommu_id = viommu_id,
		.index = index,
		.gpa = gpa,
		.length = length,
	};
	int ret;

	ret = ioctl(fd, VCMDQ_QUEUE_ALLOC, &cmd);
	if (ret)
		return ret;
	if (queue_id)
		*queue_id = cmd.out_queue_id;
	return 0;
}
#define test_cmd_queue_alloc(viommu_id, index, gpa, length, queue_id)      \
	ASSERT_EQ(0, _test_cmd_queue_alloc(self->fd, viommu_id, index, gpa, \
					   length, 0, queue_id))
#define test_err_queue_alloc(_errno, viommu_id, index, gpa, length)        \
	EXPECT_ERRNO(_errno, _test_cmd_queue_alloc(self->fd, viommu_id,     \
						   index, gpa, length, 0,   \
						   NULL))

/* ---- VCMDQ_VDEVICE_ALLOC (device_claim() gets @vfio_fd) ----------------- */

static inline int _test_cmd_vdevice_alloc(int fd, __u32 viommu_id,
					  int vfio_fd, __u32 pci_device,
					  __u64 virt_id, __u32 *vdevice_id,
					  __u32 *phys_id)
{
	struct vcmdq_vdevice_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = viommu_id,
		.vfio_fd = vfio_fd,
		.pci_device = pci_device,
		.virt_id = virt_id,
	};
	int ret;

	ret = ioctl(fd, VCMDQ_VDEVICE_ALLOC, &cmd);
	if (ret)
		return ret;
	if (vdevice_id)
		*vdevice_id = cmd.out_vdevice_id;
	if (phys_id)
		*phys_id = cmd.out_phys_id;
	return 0;
}
#define test_cmd_vdevice_alloc(viommu_id, vfio_fd, pci, virt_id, vdev_id,  \
			       phys_id)                                    \
	ASSERT_EQ(0, _test_cmd_vdevice_alloc(self->fd, viommu_id, vfio_fd,  \
					     pci, virt_id, vdev_id, phys_id)) \
		TH_LOG("VDEVICE_ALLOC: %s", strerror(errno))
#define test_err_vdevice_alloc(_errno, viommu_id, vfio_fd, pci, virt_id)   \
	EXPECT_ERRNO(_errno, _test_cmd_vdevice_alloc(self->fd, viommu_id,   \
						     vfio_fd, pci, virt_id, \
						     NULL, NULL))

/* ---- VCMDQ_EVENTQ_ALLOC ------------------------------------------------- */

static inline int _test_cmd_eventq_alloc(int fd, __u32 viommu_id, __u32 depth,
					 __u32 flags, __u32 *eventq_id,
					 int *eventq_fd)
{
	struct vcmdq_eventq_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.viommu_id = viommu_id,
		.depth = depth,
	};
	int ret;

	ret = ioctl(fd, VCMDQ_EVENTQ_ALLOC, &cmd);
	if (ret)
		return ret;
	if (eventq_id)
		*eventq_id = cmd.out_eventq_id;
	if (eventq_fd)
		*eventq_fd = cmd.out_eventq_fd;
	return 0;
}
#define test_cmd_eventq_alloc(viommu_id, depth, eventq_id, eventq_fd)      \
	ASSERT_EQ(0, _test_cmd_eventq_alloc(self->fd, viommu_id, depth, 0,  \
					    eventq_id, eventq_fd))
#define test_err_eventq_alloc(_errno, viommu_id, depth, flags)             \
	EXPECT_ERRNO(_errno, _test_cmd_eventq_alloc(self->fd, viommu_id,    \
						    depth, flags, NULL, NULL))

/* ---- VCMDQ_KICK --------------------------------------------------------- */

static inline int _test_cmd_kick(int fd, __u32 viommu_id)
{
	struct vcmdq_kick cmd = {
		.size = sizeof(cmd),
		.viommu_id = viommu_id,
	};

	return ioctl(fd, VCMDQ_KICK, &cmd);
}
#define test_cmd_kick(viommu_id) \
	ASSERT_EQ(0, _test_cmd_kick(self->fd, viommu_id))
#define test_err_kick(_errno, viommu_id) \
	EXPECT_ERRNO(_errno, _test_cmd_kick(self->fd, viommu_id))

/*
 * Whether the module has its test hook: the VCMDQ_TEST ioctl exists only in
 * a module built with `make VCMDQ_TEST=y` (kernel/test.c); a production
 * module (DKMS, a real host) answers ENOTTY, as for any unknown command.
 * Probed once per process (the hook is fixed when the module is built) with
 * a NULL argument, which a test build refuses with another errno.  A test
 * that needs the cache model skips with VCMDQ_NEEDS_TEST_HOOK.
 */
#define VCMDQ_NEEDS_TEST_HOOK \
	"needs a VCMDQ_TEST=y module (this one has no VCMDQ_TEST ioctl: ENOTTY)"

static inline bool vcmdq_has_test_hook(int fd)
{
	static int hook = -1;

	if (hook < 0)
		hook = !(ioctl(fd, VCMDQ_TEST, NULL) && errno == ENOTTY);
	return hook;
}

/* In a TEST_F(): skip the test on a module without the hook. */
#define REQUIRE_TEST_HOOK()                                                 \
	do {                                                                \
		if (!vcmdq_has_test_hook(self->fd))                         \
			SKIP(return, VCMDQ_NEEDS_TEST_HOOK);                \
	} while (0)

/* ---- VCMDQ_TEST: the instance's IOTLB / ATC model ----------------------- */

static inline int _test_cmd_test(int fd, __u32 op, __u32 instance_id,
				 __u32 flags, __u32 tag, __u32 asid,
				 __u32 pasid, __u32 sid, __u32 ssid,
				 __u64 start, __u64 last, __u32 *count)
{
	struct vcmdq_test cmd = {
		.size = sizeof(cmd),
		.op = op,
		.instance_id = instance_id,
		.flags = flags,
		.tag = tag,
		.asid = asid,
		.pasid = pasid,
		.sid = sid,
		.ssid = ssid,
		.start = start,
		.last = last,
	};
	int ret;

	ret = ioctl(fd, VCMDQ_TEST, &cmd);
	if (!ret && count)
		*count = cmd.out_count;
	return ret;
}
#define test_cmd_test(op, inst, flags, tag, asid, pasid, sid, ssid, start,  \
		      last, count)                                         \
	ASSERT_EQ(0, _test_cmd_test(self->fd, op, inst, flags, tag, asid,   \
				    pasid, sid, ssid, start, last, count))
#define test_err_test(_errno, op, inst, flags, tag, asid, pasid, sid, ssid, \
		      start, last)                                         \
	EXPECT_ERRNO(_errno, _test_cmd_test(self->fd, op, inst, flags, tag, \
					    asid, pasid, sid, ssid, start,  \
					    last, NULL))

/* Its operations, one helper each. */
static inline int _test_cmd_iotlb_add(int fd, __u32 inst, __u32 tag,
				      __u32 asid, __u32 pasid, __u64 start,
				      __u64 last, bool leaf)
{
	return _test_cmd_test(fd, VCMDQ_TEST_IOTLB_ADD, inst,
			      leaf ? VCMDQ_TEST_LEAF : 0, tag, asid, pasid, 0,
			      0, start, last, NULL);
}
#define test_cmd_iotlb_add(inst, tag, asid, pasid, start, last, leaf)      \
	ASSERT_EQ(0, _test_cmd_iotlb_add(self->fd, inst, tag, asid, pasid,  \
					 start, last, leaf))

static inline int _test_cmd_atc_add(int fd, __u32 inst, __u32 sid,
				    __u32 ssid, __u64 start, __u64 last)
{
	return _test_cmd_test(fd, VCMDQ_TEST_ATC_ADD, inst, 0, 0, 0, 0, sid,
			      ssid, start, last, NULL);
}
#define test_cmd_atc_add(inst, sid, ssid, start, last)                     \
	ASSERT_EQ(0, _test_cmd_atc_add(self->fd, inst, sid, ssid, start, last))

/* IOTLB entries matching; -1 when VCMDQ_TEST fails. */
static inline long _iotlb_count(int fd, __u32 inst, __u32 flags, __u32 tag,
				__u32 asid, __u32 pasid, __u64 start,
				__u64 last)
{
	__u32 n;

	if (_test_cmd_test(fd, VCMDQ_TEST_IOTLB_COUNT, inst, flags, tag, asid,
			   pasid, 0, 0, start, last, &n))
		return -1;
	return n;
}

/* ATC entries matching; -1 when VCMDQ_TEST fails. */
static inline long _atc_count(int fd, __u32 inst, __u32 flags, __u32 sid,
			      __u32 ssid, __u64 start, __u64 last)
{
	__u32 n;

	if (_test_cmd_test(fd, VCMDQ_TEST_ATC_COUNT, inst, flags, 0, 0, 0, sid,
			   ssid, start, last, &n))
		return -1;
	return n;
}

/* Every IOTLB entry of @tag / ATC entry of @sid on the instance. */
#define iotlb_count_tag(fd, inst, tag)                                     \
	_iotlb_count(fd, inst, VCMDQ_TEST_ANY_ASID | VCMDQ_TEST_ANY_PASID, \
		     tag, 0, 0, 0, UINT64_MAX)
#define atc_count_sid(fd, inst, sid) \
	_atc_count(fd, inst, VCMDQ_TEST_ANY_SSID, sid, 0, 0, UINT64_MAX)

/* ---- VCMDQ_INVALIDATE --------------------------------------------------- */

static inline int _test_cmd_invalidate(int fd, __u32 viommu_id,
				       __u32 data_type, __u32 entry_len,
				       __u32 *entry_num, const void *data)
{
	struct vcmdq_invalidate cmd = {
		.size = sizeof(cmd),
		.viommu_id = viommu_id,
		.data_type = data_type,
		.entry_len = entry_len,
		.entry_num = *entry_num,
		.data_uptr = (uintptr_t)data,
	};
	int ret;

	ret = ioctl(fd, VCMDQ_INVALIDATE, &cmd);
	*entry_num = cmd.entry_num;
	return ret;
}
#define test_cmd_invalidate(viommu_id, data_type, entry_len, entry_num, data) \
	ASSERT_EQ(0, _test_cmd_invalidate(self->fd, viommu_id, data_type,    \
					  entry_len, entry_num, data))
#define test_err_invalidate(_errno, viommu_id, data_type, entry_len,        \
			    entry_num, data)                                \
	EXPECT_ERRNO(_errno, _test_cmd_invalidate(self->fd, viommu_id,      \
						  data_type, entry_len,     \
						  entry_num, data))

/* ---- struct size checks, iommufd's TEST_LENGTH -------------------------- */

/*
 * For a zero-filled struct: a size one byte short of the last mandatory field
 * is EINVAL; sizeof + 1 with a non-zero trailing byte is E2BIG; sizeof + 1
 * with a zero trailing byte gives the same result as sizeof.  A success is
 * undone with _undo (a statement that sees the struct as cmd.cmd).
 */
#define TEST_LENGTH(_struct, _ioctl, _last, _undo)                         \
	{                                                                  \
		size_t min_size = offsetofend(struct _struct, _last);     \
		struct {                                                   \
			struct _struct cmd;                                \
			uint8_t extra;                                     \
		} cmd;                                                     \
		int old_errno;                                             \
		int rc;                                                    \
									   \
		memset(&cmd, 0, sizeof(cmd));                              \
		cmd.cmd.size = min_size - 1;                               \
		cmd.extra = UINT8_MAX;                                     \
		EXPECT_ERRNO(EINVAL, ioctl(self->fd, _ioctl, &cmd));       \
		cmd.cmd.size = 0;                                          \
		EXPECT_ERRNO(EINVAL, ioctl(self->fd, _ioctl, &cmd));       \
		cmd.cmd.size = sizeof(struct _struct) + 1;                 \
		EXPECT_ERRNO(E2BIG, ioctl(self->fd, _ioctl, &cmd));        \
		cmd.cmd.size = sizeof(struct _struct);                     \
		rc = ioctl(self->fd, _ioctl, &cmd);                        \
		old_errno = errno;                                         \
		if (!rc) {                                                 \
			_undo;                                             \
		}                                                          \
		memset(&cmd, 0, sizeof(cmd));                              \
		cmd.cmd.size = sizeof(struct _struct) + 1;                 \
		if (rc) {                                                  \
			EXPECT_ERRNO(old_errno,                            \
				     ioctl(self->fd, _ioctl, &cmd));       \
		} else {                                                   \
			ASSERT_EQ(0, ioctl(self->fd, _ioctl, &cmd));       \
			EXPECT_EQ(0, cmd.extra);                           \
			_undo;                                             \
		}                                                          \
	}

#endif /* __SELFTEST_VCMDQ_UTILS_H */
