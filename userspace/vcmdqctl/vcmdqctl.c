// SPDX-License-Identifier: GPL-2.0
/*
 * vcmdqctl: what an operator types to see what vcmdq has.
 *
 *   vcmdqctl [-d DEVICE] instances   the IOMMU instances, their limits and
 *                                    the PCI devices behind each
 *   vcmdqctl counters                contexts, live objects, pinned pages
 *
 * It speaks the raw ABI (uapi/linux/vcmdq.h) until libvcmdq exists.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/vcmdq.h>

#define VCMDQ_SYSFS "/sys/class/misc/vcmdq"

static const char *flavor_name(__u32 flavor)
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
	default:
		return "unknown";
	}
}

/*
 * The slow path formats and each one's entry size, e.g. "vtd:16/32,am18"
 * (VT-d 128- and 256-bit descriptors, page-selective AM up to 18).
 */
static void format_data_types(const struct vcmdq_instance_info *in, char *buf,
			      size_t len)
{
	static const struct {
		enum vcmdq_data_type type;
		const char *name;
	} names[] = {
		{ VCMDQ_DATA_SMMUV3, "smmuv3" },
		{ VCMDQ_DATA_AMD_VI, "amd-vi" },
		{ VCMDQ_DATA_VTD, "vtd" },
	};
	size_t used = 0, i;

	buf[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		enum vcmdq_data_type t = names[i].type;

		if (!(in->data_types & (1U << t)))
			continue;
		used += snprintf(buf + used, len - used, "%s%s:%u", used ? "," : "",
				 names[i].name, in->data_entry_len[t]);
		if (used < len && t == VCMDQ_DATA_VTD &&
		    (in->caps & VCMDQ_INSTANCE_CAP_VTD_DESC_256))
			used += snprintf(buf + used, len - used, "/%u",
					 2 * in->data_entry_len[t]);
		if (used < len && t == VCMDQ_DATA_VTD)
			used += snprintf(buf + used, len - used, ",am%u",
					 in->vtd_max_am);
		if (used >= len)
			break;
	}
	if (!buf[0])
		snprintf(buf, len, "-");
}

struct info {
	struct vcmdq_instance_info *instances;
	unsigned int num_instances;
	struct vcmdq_device_info *devices;
	unsigned int num_devices;
};

/* Return: 0 with *info filled (malloc'd arrays), or -errno. */
static int get_info(int fd, struct info *info)
{
	struct vcmdq_get_info cmd = { .size = sizeof(cmd) };
	__u32 ninst, ndev;

	/* Both counts 0: only the sizes. */
	if (ioctl(fd, VCMDQ_GET_INFO, &cmd))
		return -errno;
	ninst = cmd.num_instances;
	ndev = cmd.num_devices;
	info->instances = calloc(ninst ? ninst : 1, sizeof(*info->instances));
	info->devices = calloc(ndev ? ndev : 1, sizeof(*info->devices));
	if (!info->instances || !info->devices) {
		free(info->instances);
		free(info->devices);
		return -ENOMEM;
	}
	cmd.entry_len = sizeof(*info->instances);
	cmd.num_instances = ninst;
	cmd.instances_uptr = (uintptr_t)info->instances;
	cmd.device_entry_len = sizeof(*info->devices);
	cmd.num_devices = ndev;
	cmd.devices_uptr = (uintptr_t)info->devices;
	if (ioctl(fd, VCMDQ_GET_INFO, &cmd)) {
		int err = -errno;

		free(info->instances);
		free(info->devices);
		return err;
	}
	/* Instances and their devices never change while the module is loaded. */
	info->num_instances = cmd.num_instances < ninst ? cmd.num_instances : ninst;
	info->num_devices = cmd.num_devices < ndev ? cmd.num_devices : ndev;
	return 0;
}

/* The devices behind instance @id, "0000:00:04.0,...", or "-". */
static void format_devices(const struct info *info, __u32 id, char *buf,
			   size_t len)
{
	size_t used = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < info->num_devices && used < len; i++) {
		__u32 d = info->devices[i].pci_device;

		if (info->devices[i].instance_id != id)
			continue;
		used += snprintf(buf + used, len - used, "%s%04x:%02x:%02x.%x",
				 used ? "," : "", d >> 16, (d >> 8) & 0xff,
				 (d >> 3) & 0x1f, d & 7);
	}
	if (!buf[0])
		snprintf(buf, len, "-");
}

static int cmd_instances(const char *dev)
{
	struct info info = { 0 };
	unsigned int i;
	int fd, rc;

	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "vcmdqctl: %s: %s\n", dev, strerror(errno));
		return 1;
	}
	rc = get_info(fd, &info);
	close(fd);
	if (rc < 0) {
		fprintf(stderr, "vcmdqctl: GET_INFO: %s\n", strerror(-rc));
		return 1;
	}

	/* QMEM: queue memory, "any" or physically "contig"uous only. */
	printf("%-3s %-15s %-5s %-18s %4s %7s %6s %6s %6s %9s %5s %s\n", "ID",
	       "FLAVOR", "FAST", "SLOW-PATH", "TAG", "VIOMMUS", "QUEUES",
	       "QLOG2", "QMEM", "VSIDS", "LIVE", "DEVICES");
	for (i = 0; i < info.num_instances; i++) {
		const struct vcmdq_instance_info *in = &info.instances[i];
		char types[64], devices[256];

		format_data_types(in, types, sizeof(types));
		format_devices(&info, in->id, devices, sizeof(devices));
		bool fast = in->caps & VCMDQ_INSTANCE_CAP_FAST_QUEUES;

		printf("%-3u %-15s %-5s %-18s %4u %7u %6u %6u %6s %9u %5u %s\n",
		       in->id, flavor_name(in->flavor), fast ? "yes" : "no",
		       types, in->tag_bits, in->max_viommus,
		       in->queues_per_viommu, in->max_queue_log2size,
		       !fast ? "-" :
		       in->caps & VCMDQ_INSTANCE_CAP_QUEUE_NONCONTIG ? "any" :
								       "contig",
		       in->vsids_per_viommu, in->live_viommus, devices);
	}
	free(info.instances);
	free(info.devices);
	return 0;
}

static int cmd_counters(void)
{
	static const char *const names[] = { "contexts", "live_objects",
					     "pinned_pages" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[128], value[32] = "";
		FILE *f;

		snprintf(path, sizeof(path), VCMDQ_SYSFS "/%s", names[i]);
		f = fopen(path, "r");
		if (!f || !fgets(value, sizeof(value), f)) {
			fprintf(stderr, "vcmdqctl: %s: %s\n", path,
				strerror(errno));
			if (f)
				fclose(f);
			return 1;
		}
		fclose(f);
		printf("%-13s %s", names[i], value);
	}
	return 0;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: vcmdqctl [-d DEVICE] instances | counters\n"
		     "  instances  list the IOMMU instances and their limits\n"
		     "  counters   open contexts, live objects, pinned pages\n");
}

int main(int argc, char **argv)
{
	const char *dev = "/dev/vcmdq";
	int opt;

	while ((opt = getopt(argc, argv, "d:h")) != -1) {
		switch (opt) {
		case 'd':
			dev = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[optind], "instances"))
		return cmd_instances(dev);
	if (!strcmp(argv[optind], "counters"))
		return cmd_counters();
	usage(stderr);
	return 2;
}
