// SPDX-License-Identifier: GPL-2.0-only
/*
 * vcmdqctl selftests: run the vcmdqctl binary (on PATH: tools/check adds it
 * to the VM) and check what it prints against what the module reports
 * through GET_INFO, GET_OBJECTS and sysfs:
 *
 *  - instances: the table has a row per instance; --json parses (a small
 *    strict parser below) and matches GET_INFO field for field;
 *  - devices: every device behind an instance, with its IDs from sysfs,
 *    its name from a PCI ID file the test writes (--pci-ids), the driver,
 *    and "held" flipping while this process has a vDEVICE on it;
 *  - viommus and queues: the objects this process built, with its pid;
 *  - counters: a slow path batch of N commands advances slow_commands of
 *    its instance and the total by N;
 *  - errors: exit 2 for usage, exit 1 with the "not loaded" message for a
 *    missing node, "permission denied" for an unprivileged uid (the node
 *    is 0600), the CAP_SYS_ADMIN message for listings without it; counters
 *    (sysfs) work unprivileged.
 *
 * Run as root inside the test VM.  The kselftest_harness.h quirks of
 * vcmdq.c apply here too.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <grp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "vcmdq_inv_utils.h"
#include "vcmdq_tool_utils.h"

#pragma GCC diagnostic ignored "-Wsign-compare"

#define CTL "vcmdqctl"

#define RUN(r, as, ...) \
	run_tool(r, as, CTL, (const char *const[]){ __VA_ARGS__, NULL })

/* ---- the fixture ----------------------------------------------------------- */

FIXTURE(ctl)
{
	int fd;
	struct vcmdq_counters base;
	struct run r;
	struct vcmdq_instance_info info[VCMDQ_MAX_INSTANCES];
	int ninst;
};

FIXTURE_SETUP(ctl)
{
	VCMDQ_FIXTURE_OPEN(self);
	self->ninst = vcmdq_instances(self->fd, self->info);
	ASSERT_LT(0, self->ninst);
}

FIXTURE_TEARDOWN(ctl)
{
	VCMDQ_FIXTURE_CLOSE(self);
}

/* GET_INFO's devices of every instance. */
static int info_devices(int fd, struct vcmdq_device_info *dev, __u32 max)
{
	struct vcmdq_get_info cmd = {
		.size = sizeof(cmd),
		.device_entry_len = sizeof(*dev),
		.num_devices = max,
		.devices_uptr = (uintptr_t)dev,
	};

	if (ioctl(fd, VCMDQ_GET_INFO, &cmd))
		return -1;
	return cmd.num_devices < max ? cmd.num_devices : max;
}

static void bdf_of(__u32 d, char *buf)
{
	sprintf(buf, "%04x:%02x:%02x.%x", d >> 16, (d >> 8) & 0xff,
		(d >> 3) & 0x1f, d & 7);
}

/* ---- instances ------------------------------------------------------------- */

TEST_F(ctl, instances_table)
{
	char *line, *save = NULL;
	int i, rows = 0;

	RUN(&self->r, AS_ROOT, "instances");
	ASSERT_EQ(0, self->r.status) TH_LOG("stderr: %s", self->r.err);
	EXPECT_STREQ("", self->r.err);
	line = strtok_r(self->r.out, "\n", &save);
	ASSERT_NE(NULL, line);
	EXPECT_EQ(0, strncmp(line, "ID ", 3));
	for (i = 0; (line = strtok_r(NULL, "\n", &save)); i++) {
		char flavor[32], host[64];
		unsigned int id;

		ASSERT_GT(self->ninst, i);
		ASSERT_EQ(3, sscanf(line, "%u %31s %63s", &id, flavor, host));
		EXPECT_EQ(self->info[i].id, id);
		EXPECT_STREQ(vcmdq_flavor_name(self->info[i].flavor), flavor);
		/* The host unit a mirror stands for, or "synthetic". */
		EXPECT_STREQ(self->info[i].caps & VCMDQ_INSTANCE_CAP_HOST ?
			     self->info[i].host_iommu : "synthetic", host);
		rows++;
	}
	EXPECT_EQ(self->ninst, rows);
}

TEST_F(ctl, instances_json)
{
	struct vcmdq_device_info dev[64];
	const struct jval *arr;
	struct jval *doc;
	int ndev, i, k;

	ndev = info_devices(self->fd, dev, 64);
	ASSERT_LE(0, ndev);
	RUN(&self->r, AS_ROOT, "--json", "instances");
	ASSERT_EQ(0, self->r.status) TH_LOG("stderr: %s", self->r.err);
	doc = jdoc(self->r.out);
	ASSERT_NE(NULL, doc) TH_LOG("not JSON: %s", self->r.out);
	arr = jarr(doc, "instances");
	ASSERT_NE(NULL, arr);
	ASSERT_EQ(self->ninst, arr->n);
	for (i = 0; i < arr->n; i++) {
		const struct vcmdq_instance_info *in = &self->info[i];
		const struct jval *o = arr->items[i], *devs;
		int want = 0;

		EXPECT_EQ(in->id, jnum(o, "id"));
		EXPECT_STREQ(vcmdq_flavor_name(in->flavor), jstr(o, "flavor"));
		EXPECT_EQ(!(in->caps & VCMDQ_INSTANCE_CAP_HOST),
			  jbool(o, "synthetic"));
		if (in->caps & VCMDQ_INSTANCE_CAP_HOST) {
			ASSERT_NE(NULL, jstr(o, "host_iommu"));
			EXPECT_STREQ(in->host_iommu, jstr(o, "host_iommu"));
		} else {
			ASSERT_NE(NULL, jget(o, "host_iommu"));
			EXPECT_EQ(J_NULL, jget(o, "host_iommu")->t);
		}
		/* GET_INFO adds QUEUE_NONCONTIG at report time, as the tool. */
		EXPECT_EQ(in->caps, jnum(o, "caps"));
		EXPECT_EQ(in->tag_bits, jnum(o, "tag_bits"));
		EXPECT_EQ(in->max_viommus, jnum(o, "max_viommus"));
		EXPECT_EQ(in->live_viommus, jnum(o, "tags_in_use"));
		EXPECT_EQ(in->queues_per_viommu, jnum(o, "queues_per_viommu"));
		EXPECT_EQ(in->max_queue_log2size,
			  jnum(o, "max_queue_log2size"));
		EXPECT_EQ(in->vsids_per_viommu, jnum(o, "vsids_per_viommu"));
		EXPECT_EQ(in->vtd_max_am, jnum(o, "vtd_max_am"));
		devs = jget(o, "devices");
		ASSERT_NE(NULL, devs);
		ASSERT_EQ(J_ARR, devs->t);
		for (k = 0; k < ndev; k++) {
			if (dev[k].instance_id != in->id)
				continue;
			char bdf[16];

			bdf_of(dev[k].pci_device, bdf);
			ASSERT_GT(devs->n, want);
			EXPECT_STREQ(bdf, devs->items[want]->s);
			want++;
		}
		EXPECT_EQ(want, devs->n);
	}
	jfree(doc);
}

/* ---- devices --------------------------------------------------------------- */

#define IDS_FILE "/tmp/vcmdqctl-test.ids"

/* A "0x1234" file of the device's sysfs directory; -1 if unreadable. */
static long sysfs_hex(const char *bdf, const char *name)
{
	char path[128], buf[32];

	snprintf(path, sizeof(path), PCI_SYSFS "%s/%s", bdf, name);
	if (read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	return strtol(buf, NULL, 16);
}

/* The --json devices entry of (@inst, @bdf), or NULL. */
static const struct jval *find_device(const struct jval *arr, __u32 inst,
				      const char *bdf)
{
	int i;

	for (i = 0; arr && i < arr->n; i++)
		if (jnum(arr->items[i], "instance") == inst &&
		    jstr(arr->items[i], "device") &&
		    !strcmp(jstr(arr->items[i], "device"), bdf))
			return arr->items[i];
	return NULL;
}

TEST_F(ctl, devices)
{
	struct vcmdq_device_info dev[64];
	const struct jval *arr, *d, *h;
	__u32 s2_id, viommu_id, tag, vdev_id, phys;
	char bdf[16], drv[64], why[128], who[32];
	struct jval *doc;
	int ndev, i, vfio_fd = -1;
	FILE *f;

	ndev = info_devices(self->fd, dev, 64);
	ASSERT_LE(0, ndev);
	if (!ndev)
		SKIP(return, "no device behind any instance (devices=)");
	f = fopen(IDS_FILE, "w");
	ASSERT_NE(NULL, f);
	fprintf(f, "# a PCI ID file for the test\n1234  vcmdq Test Vendor\n"
		   "\t11e8  vcmdq Test Edu Device\n");
	fclose(f);

	RUN(&self->r, AS_ROOT, "--json", "--pci-ids", IDS_FILE, "devices");
	ASSERT_EQ(0, self->r.status) TH_LOG("stderr: %s", self->r.err);
	doc = jdoc(self->r.out);
	ASSERT_NE(NULL, doc) TH_LOG("not JSON: %s", self->r.out);
	arr = jarr(doc, "devices");
	ASSERT_NE(NULL, arr);
	EXPECT_EQ(ndev, arr->n);
	for (i = 0; i < ndev; i++) {
		bdf_of(dev[i].pci_device, bdf);
		d = find_device(arr, dev[i].instance_id, bdf);
		ASSERT_NE(NULL, d) TH_LOG("%s of instance %u not listed", bdf,
					  dev[i].instance_id);
		EXPECT_EQ(dev[i].pci_device, jnum(d, "phys_id"));
		EXPECT_EQ(pci_exists(bdf), jbool(d, "present"));
		EXPECT_EQ(0, jbool(d, "held"));
		if (!pci_exists(bdf))
			continue;
		EXPECT_EQ(sysfs_hex(bdf, "vendor"), jnum(d, "vendor_id"));
		EXPECT_EQ(sysfs_hex(bdf, "device"), jnum(d, "device_id"));
		ASSERT_NE(NULL, jstr(d, "name"));
		if (jnum(d, "vendor_id") == 0x1234 &&
		    jnum(d, "device_id") == 0x11e8) {
			EXPECT_NE(NULL, strstr(jstr(d, "name"),
					       "vcmdq Test Edu Device"))
				TH_LOG("name \"%s\"", jstr(d, "name"));
		}
		pci_driver(bdf, drv, sizeof(drv));
		if (drv[0]) {
			EXPECT_STREQ(drv, jstr(d, "driver"));
		} else {
			EXPECT_EQ(J_NULL, jget(d, "driver")->t);
		}
	}
	jfree(doc);

	/* Hold the first device that exists: "held" flips, with our pid. */
	for (i = 0; i < ndev; i++) {
		bdf_of(dev[i].pci_device, bdf);
		if (pci_exists(bdf))
			break;
	}
	if (i == ndev)
		SKIP(return, "no device of the devices= parameter exists");
	if (device_claim(bdf, &vfio_fd, why, sizeof(why)))
		SKIP(return, "%s", why);
	test_cmd_s2_alloc(&s2_id);
	test_cmd_viommu_alloc(dev[i].instance_id, s2_id, &viommu_id, &tag);
	test_cmd_vdevice_alloc(viommu_id, vfio_fd, dev[i].pci_device, 5,
			       &vdev_id, &phys);

	RUN(&self->r, AS_ROOT, "-j", "devices");
	ASSERT_EQ(0, self->r.status) TH_LOG("stderr: %s", self->r.err);
	doc = jdoc(self->r.out);
	ASSERT_NE(NULL, doc);
	d = find_device(jarr(doc, "devices"), dev[i].instance_id, bdf);
	ASSERT_NE(NULL, d);
	EXPECT_EQ(1, jbool(d, "held"));
	h = jget(d, "holder");
	ASSERT_NE(NULL, h);
	EXPECT_EQ(getpid(), jnum(h, "pid"));
	EXPECT_EQ(vdev_id, jnum(h, "vdevice"));
	EXPECT_EQ(viommu_id, jnum(h, "viommu"));
	EXPECT_EQ(dev[i].instance_id, jnum(h, "instance"));
	EXPECT_EQ(5, jnum(h, "virt_id"));
	pci_driver(bdf, drv, sizeof(drv));
	if (drv[0]) {
		EXPECT_STREQ(drv, jstr(d, "driver"));
	}
	jfree(doc);

	/* The table says who, too. */
	RUN(&self->r, AS_ROOT, "devices");
	ASSERT_EQ(0, self->r.status);
	snprintf(who, sizeof(who), " %d/", getpid());
	EXPECT_NE(NULL, strstr(self->r.out, who)) TH_LOG("%s", self->r.out);

	test_ioctl_destroy(vdev_id);
	RUN(&self->r, AS_ROOT, "-j", "devices");
	ASSERT_EQ(0, self->r.status);
	doc = jdoc(self->r.out);
	ASSERT_NE(NULL, doc);
	d = find_device(jarr(doc, "devices"), dev[i].instance_id, bdf);
	ASSERT_NE(NULL, d);
	EXPECT_EQ(0, jbool(d, "held"));
	EXPECT_EQ(J_NULL, jget(d, "holder")->t);
	jfree(doc);

	test_ioctl_destroy(viommu_id);
	test_ioctl_destroy(s2_id);
	if (vfio_fd >= 0)
		close(vfio_fd);
	unlink(IDS_FILE);
}

/* ---- viommus and queues ---------------------------------------------------- */

TEST_F(ctl, viommus_queues)
{
	__u32 tinst = 0, s2_id, viommu_id, tag, queue_id;
	const struct jval *arr;
	struct jval *doc;
	int i, found;
	char pid[16];
	__u8 *mem;

	for (i = 0; i < self->ninst; i++) {
		if (self->info[i].caps & VCMDQ_INSTANCE_CAP_FAST_QUEUES) {
			tinst = self->info[i].id;
			break;
		}
	}
	if (!tinst)
		SKIP(return, "no instance with queues");
	mem = alloc_pages(1, PROT_READ | PROT_WRITE, true);
	ASSERT_NE(NULL, mem);
	test_cmd_s2_alloc(&s2_id);
	test_cmd_s2_map(s2_id, GPA_BASE, mem, PAGE_SIZE);
	test_cmd_viommu_alloc(tinst, s2_id, &viommu_id, &tag);
	test_cmd_queue_alloc(viommu_id, 0, GPA_BASE, 1024, &queue_id);

	RUN(&self->r, AS_ROOT, "--json", "viommus");
	ASSERT_EQ(0, self->r.status) TH_LOG("stderr: %s", self->r.err);
	doc = jdoc(self->r.out);
	ASSERT_NE(NULL, doc) TH_LOG("not JSON: %s", self->r.out);
	arr = jarr(doc, "viommus");
	ASSERT_NE(NULL, arr);
	for (i = 0, found = 0; i < arr->n; i++) {
		const struct jval *o = arr->items[i];

		if (jnum(o, "pid") != getpid())
			continue;
		found++;
		EXPECT_EQ(viommu_id, jnum(o, "id"));
		EXPECT_EQ(tinst, jnum(o, "instance"));
		EXPECT_EQ(tag, jnum(o, "tag"));
		EXPECT_EQ(s2_id, jnum(o, "s2"));
		EXPECT_EQ(1, jnum(o, "queues"));
		EXPECT_EQ(0, jnum(o, "vdevices"));
		EXPECT_EQ(0, jbool(o, "eventq"));
		/* The queue was never enabled: the engine did nothing for it. */
		EXPECT_EQ(0, jnum(o, "engine_commands"));
		EXPECT_EQ(0, jnum(o, "engine_ns"));
		EXPECT_NE(NULL, jstr(o, "comm"));
	}
	EXPECT_EQ(1, found);
	jfree(doc);

	RUN(&self->r, AS_ROOT, "--json", "queues");
	ASSERT_EQ(0, self->r.status) TH_LOG("stderr: %s", self->r.err);
	doc = jdoc(self->r.out);
	ASSERT_NE(NULL, doc) TH_LOG("not JSON: %s", self->r.out);
	arr = jarr(doc, "queues");
	ASSERT_NE(NULL, arr);
	for (i = 0, found = 0; i < arr->n; i++) {
		const struct jval *o = arr->items[i];

		if (jnum(o, "pid") != getpid())
			continue;
		found++;
		EXPECT_EQ(queue_id, jnum(o, "id"));
		EXPECT_EQ(viommu_id, jnum(o, "viommu"));
		EXPECT_EQ(0, jnum(o, "index"));
		EXPECT_EQ(6, jnum(o, "log2size")); /* 1024 / 16 */
		EXPECT_EQ(GPA_BASE, jnum(o, "gpa"));
		EXPECT_STREQ("disabled", jstr(o, "state"));
	}
	EXPECT_EQ(1, found);
	jfree(doc);

	/* The tables show our pid. */
	snprintf(pid, sizeof(pid), " %d ", getpid());
	RUN(&self->r, AS_ROOT, "viommus");
	ASSERT_EQ(0, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.out, pid)) TH_LOG("%s", self->r.out);
	RUN(&self->r, AS_ROOT, "queues");
	ASSERT_EQ(0, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.out, pid)) TH_LOG("%s", self->r.out);

	test_ioctl_destroy(queue_id);
	test_ioctl_destroy(viommu_id);
	test_ioctl_destroy(s2_id);
	munmap(mem, PAGE_SIZE);
}

/* ---- counters -------------------------------------------------------------- */

/* slow_commands of instance @id and of the total, from --json counters. */
static void json_slow(struct run *r, __u32 id, long *inst, long *total)
{
	const struct jval *arr;
	struct jval *doc;
	int i;

	*inst = *total = -1;
	RUN(r, AS_ROOT, "--json", "counters");
	if (r->status)
		return;
	doc = jdoc(r->out);
	if (!doc)
		return;
	*total = jnum(jget(doc, "global"), "slow_commands");
	arr = jarr(doc, "instances");
	for (i = 0; arr && i < arr->n; i++)
		if (jnum(arr->items[i], "id") == id)
			*inst = jnum(jget(arr->items[i], "counters"),
				     "slow_commands");
	jfree(doc);
}

TEST_F(ctl, counters)
{
	__u32 sinst = 0, s2_id, viommu_id, tag, num;
	long inst0, total0, inst1, total1;
	struct inv_cmd cmds[7];
	__u8 buf[7 * 16];
	struct jval *doc;
	int i;

	for (i = 0; i < self->ninst; i++) {
		if (self->info[i].flavor == VCMDQ_FLAVOR_SMMUV3 ||
		    self->info[i].flavor == VCMDQ_FLAVOR_TEGRA241_CMDQV) {
			sinst = self->info[i].id;
			break;
		}
	}
	if (!sinst)
		SKIP(return, "no instance taking SMMUv3 commands");
	test_cmd_s2_alloc(&s2_id);
	test_cmd_viommu_alloc(sinst, s2_id, &viommu_id, &tag);

	json_slow(&self->r, sinst, &inst0, &total0);
	ASSERT_LE(0, inst0) TH_LOG("%s %s", self->r.out, self->r.err);
	ASSERT_LE(inst0, total0);
	for (i = 0; i < 6; i++)
		cmds[i] = smmu_nh_asid(0, i);
	cmds[6] = smmu_sync(SMMU_SYNC_CS_NONE, 0, 0);
	inv_pack(buf, cmds, 7, 16, 16);
	num = 7;
	test_cmd_invalidate(viommu_id, VCMDQ_DATA_SMMUV3, 16, &num, buf);
	json_slow(&self->r, sinst, &inst1, &total1);
	EXPECT_EQ(inst0 + 7, inst1);
	EXPECT_EQ(total0 + 7, total1);

	/* The global part: the module's own counters. */
	RUN(&self->r, AS_ROOT, "-j", "counters");
	ASSERT_EQ(0, self->r.status);
	doc = jdoc(self->r.out);
	ASSERT_NE(NULL, doc);
	EXPECT_EQ(vcmdq_counter("contexts"),
		  jnum(jget(doc, "global"), "contexts"));
	EXPECT_EQ(vcmdq_counter("live_objects"),
		  jnum(jget(doc, "global"), "live_objects"));
	jfree(doc);

	/* The table has a row per counter and a column per instance. */
	RUN(&self->r, AS_ROOT, "counters");
	ASSERT_EQ(0, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.out, "slow_commands"));
	EXPECT_NE(NULL, strstr(self->r.out, "TOTAL"));

	test_ioctl_destroy(viommu_id);
	test_ioctl_destroy(s2_id);
}

/* ---- errors ------------------------------------------------------------- */

TEST_F(ctl, errors)
{
	struct stat st;

	/* Usage: exit 2. */
	RUN(&self->r, AS_ROOT, "bogus");
	EXPECT_EQ(2, self->r.status);
	RUN(&self->r, AS_ROOT, "--bogus", "instances");
	EXPECT_EQ(2, self->r.status);
	RUN(&self->r, AS_ROOT, "instances", "devices");
	EXPECT_EQ(2, self->r.status);
	RUN(&self->r, AS_ROOT, "-h");
	EXPECT_EQ(0, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.out, "usage:"));

	/* No device node: the module is not loaded. */
	RUN(&self->r, AS_ROOT, "-d", "/nonexistent/vcmdq", "instances");
	EXPECT_EQ(1, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.err, "not loaded")) TH_LOG("%s", self->r.err);
	EXPECT_STREQ("", self->r.out);
	RUN(&self->r, AS_ROOT, "-d", "/nonexistent/vcmdq", "counters");
	EXPECT_EQ(1, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.err, "not loaded"));

	/* A character device that is not vcmdq: an error, not a crash. */
	RUN(&self->r, AS_ROOT, "-d", "/dev/null", "instances");
	EXPECT_EQ(1, self->r.status);
	EXPECT_NE(0, strlen(self->r.err));

	/* An unprivileged user cannot open the 0600 node: a clear message. */
	ASSERT_EQ(0, stat(VCMDQ_DEV, &st));
	if (!(st.st_mode & 0007)) {
		RUN(&self->r, AS_USER, "instances");
		EXPECT_EQ(1, self->r.status);
		EXPECT_NE(NULL, strstr(self->r.err, "permission denied"))
			TH_LOG("%s", self->r.err);
		RUN(&self->r, AS_USER, "--json", "viommus");
		EXPECT_EQ(1, self->r.status);
		EXPECT_NE(NULL, strstr(self->r.err, "permission denied"));
	}
	/* Counters come from sysfs: anyone may read them. */
	RUN(&self->r, AS_USER, "counters");
	EXPECT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);

	/* Root without CAP_SYS_ADMIN: no listing of every VM's objects. */
	RUN(&self->r, AS_ROOT_NO_ADMIN, "viommus");
	EXPECT_EQ(1, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.err, "CAP_SYS_ADMIN")) TH_LOG("%s", self->r.err);
	/* ... but the instances and devices (holders unknown) are fine. */
	RUN(&self->r, AS_ROOT_NO_ADMIN, "instances");
	EXPECT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	RUN(&self->r, AS_ROOT_NO_ADMIN, "--json", "devices");
	EXPECT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	if (!self->r.status) {
		struct jval *doc = jdoc(self->r.out);
		const struct jval *arr = jarr(doc, "devices");

		ASSERT_NE(NULL, doc);
		if (arr && arr->n) {
			EXPECT_EQ(J_NULL, jget(arr->items[0], "held")->t);
		}
		jfree(doc);
	}
}

TEST_HARNESS_MAIN
