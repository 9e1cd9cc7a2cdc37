// SPDX-License-Identifier: GPL-2.0
/*
 * vcmdqctl: what an operator types to see what vcmdq has.
 *
 *   vcmdqctl [-d DEVICE] instances   the IOMMU instances and their limits
 *   vcmdqctl counters                contexts, live objects, pinned pages
 *
 * It speaks the raw ABI (uapi/linux/vcmdq.h) until libvcmdq exists.
 */
#include <errno.h>
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

static void format_data_types(__u32 types, char *buf, size_t len)
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
		if (!(types & (1U << names[i].type)))
			continue;
		used += snprintf(buf + used, len - used, "%s%s",
				 used ? "," : "", names[i].name);
		if (used >= len)
			break;
	}
	if (!buf[0])
		snprintf(buf, len, "-");
}

/* Return: the number of instances filled in *out (malloc'd), or -errno. */
static int get_instances(int fd, struct vcmdq_instance_info **out)
{
	struct vcmdq_get_info cmd = { .size = sizeof(cmd) };
	struct vcmdq_instance_info *infos;
	__u32 count;

	if (ioctl(fd, VCMDQ_GET_INFO, &cmd))
		return -errno;
	count = cmd.num_instances;
	infos = calloc(count ? count : 1, sizeof(*infos));
	if (!infos)
		return -ENOMEM;
	cmd.entry_len = sizeof(*infos);
	cmd.num_instances = count;
	cmd.instances_uptr = (uintptr_t)infos;
	if (ioctl(fd, VCMDQ_GET_INFO, &cmd)) {
		int err = -errno;

		free(infos);
		return err;
	}
	/* Instances never change while the module is loaded. */
	*out = infos;
	return cmd.num_instances < count ? (int)cmd.num_instances : (int)count;
}

static int cmd_instances(const char *dev)
{
	struct vcmdq_instance_info *infos = NULL;
	int fd, n, i;

	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "vcmdqctl: %s: %s\n", dev, strerror(errno));
		return 1;
	}
	n = get_instances(fd, &infos);
	close(fd);
	if (n < 0) {
		fprintf(stderr, "vcmdqctl: GET_INFO: %s\n", strerror(-n));
		return 1;
	}

	printf("%-3s %-15s %-5s %-18s %4s %7s %6s %6s %9s %5s\n", "ID",
	       "FLAVOR", "FAST", "SLOW-PATH", "TAG", "VIOMMUS", "QUEUES",
	       "QLOG2", "VSIDS", "LIVE");
	for (i = 0; i < n; i++) {
		const struct vcmdq_instance_info *in = &infos[i];
		char types[64];

		format_data_types(in->data_types, types, sizeof(types));
		printf("%-3u %-15s %-5s %-18s %4u %7u %6u %6u %9u %5u\n", in->id,
		       flavor_name(in->flavor),
		       in->caps & VCMDQ_INSTANCE_CAP_FAST_QUEUES ? "yes" : "no",
		       types, in->tag_bits, in->max_viommus,
		       in->queues_per_viommu, in->max_queue_log2size,
		       in->vsids_per_viommu, in->live_viommus);
	}
	free(infos);
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
