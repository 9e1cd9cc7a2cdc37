// SPDX-License-Identifier: GPL-2.0
/*
 * vcmdqctl: what an operator types to see what vcmdq has.
 *
 *   vcmdqctl [OPTIONS] instances   instances: flavor, caps, limits, tags
 *   vcmdqctl [OPTIONS] devices     the PCI devices behind them (libpci)
 *   vcmdqctl [OPTIONS] viommus     live vIOMMUs with their VM's process
 *   vcmdqctl [OPTIONS] queues      live command queues and their state
 *   vcmdqctl [OPTIONS] counters    global and per-instance counters
 *
 * A table for humans, --json for scripts (field names: vcmdqctl.8).  It
 * uses libvcmdq with an info-only context (it never creates an object),
 * VCMDQ_GET_OBJECTS for the live objects, sysfs for the counters and
 * libpci for device names.  Exit status: 0 ok, 1 error, 2 usage.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <pci/pci.h>
#include <vcmdq/vcmdq.h>

#define EXIT_USAGE 2

static const char *prog = "vcmdqctl";
static const char *dev_path = "/dev/vcmdq";
static const char *pci_ids;
static bool json;
/* /sys/dev/char/MAJ:MIN of the device node: the misc device's directory. */
static char sysfs_dir[PATH_MAX];

static void __attribute__((format(printf, 1, 2))) err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * The messages an operator needs for the two usual failures: no module (no
 * device node, or a node with no driver behind it) and no access.
 */
static int report_open_error(int e)
{
	switch (e) {
	case ENOENT:
		err("%s: no such device node: the vcmdq module is not loaded (modprobe vcmdq)",
		    dev_path);
		break;
	case ENODEV:
	case ENXIO:
		err("%s: no driver behind the device node: the vcmdq module is not loaded (modprobe vcmdq)",
		    dev_path);
		break;
	case EACCES:
	case EPERM:
		err("%s: permission denied: run as root, or ask for access to the device",
		    dev_path);
		break;
	default:
		err("%s: %s", dev_path, strerror(e));
		break;
	}
	return 1;
}

/* Find the device's sysfs directory from its node: works for any -d path. */
static int find_sysfs(void)
{
	struct stat st;

	if (stat(dev_path, &st))
		return report_open_error(errno);
	if (!S_ISCHR(st.st_mode)) {
		err("%s: not a character device", dev_path);
		return 1;
	}
	snprintf(sysfs_dir, sizeof(sysfs_dir), "/sys/dev/char/%u:%u",
		 major(st.st_rdev), minor(st.st_rdev));
	if (access(sysfs_dir, F_OK))
		return report_open_error(ENXIO);
	return 0;
}

static int open_ctx(struct vcmdq_ctx **ctx)
{
	int rc = vcmdq_open(dev_path, VCMDQ_OPEN_INFO, ctx);

	if (rc)
		return report_open_error(-rc);
	return 0;
}

/* Read one unsigned value from sysfs.  Return: 0 or -errno. */
static int sysfs_u64(const char *rel, uint64_t *val)
{
	char path[PATH_MAX + 64], buf[64];
	FILE *f;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/%s", sysfs_dir, rel);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(buf, sizeof(buf), f))
		rc = -EIO;
	else
		*val = strtoull(buf, NULL, 0);
	fclose(f);
	return rc;
}

/* ---- JSON output ------------------------------------------------------- */

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* "key": with the separator the previous member needs. */
static void json_key(bool *first, const char *key)
{
	printf("%s", *first ? "" : ", ");
	*first = false;
	json_str(key);
	printf(": ");
}

static void json_u64(bool *first, const char *key, uint64_t v)
{
	json_key(first, key);
	printf("%" PRIu64, v);
}

static void json_string(bool *first, const char *key, const char *v)
{
	json_key(first, key);
	if (v)
		json_str(v);
	else
		printf("null");
}

/* ---- names -------------------------------------------------------------- */

static const char *flavor_name(uint32_t flavor)
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

static const struct {
	uint64_t bit;
	const char *name;
} cap_names[] = {
	{ VCMDQ_INSTANCE_CAP_FAST_QUEUES, "fast-queues" },
	{ VCMDQ_INSTANCE_CAP_EMULATED, "emulated" },
	{ VCMDQ_INSTANCE_CAP_AMD_INV_ALL, "amd-inv-all" },
	{ VCMDQ_INSTANCE_CAP_VTD_DESC_256, "vtd-desc-256" },
	{ VCMDQ_INSTANCE_CAP_QUEUE_NONCONTIG, "queue-noncontig" },
	{ VCMDQ_INSTANCE_CAP_HOST, "host" },
};

static const char *const data_type_names[VCMDQ_DATA_TYPES_MAX] = {
	[VCMDQ_DATA_SMMUV3] = "smmuv3",
	[VCMDQ_DATA_AMD_VI] = "amd-vi",
	[VCMDQ_DATA_VTD] = "vtd",
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static void format_bdf(uint32_t d, char *buf, size_t len)
{
	snprintf(buf, len, "%04x:%02x:%02x.%x", d >> 16, (d >> 8) & 0xff,
		 (d >> 3) & 0x1f, d & 7);
}

/* "fast-queues,emulated", or "-" */
static void format_caps(uint64_t caps, char *buf, size_t len)
{
	size_t used = 0, i;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(cap_names) && used < len; i++)
		if (caps & cap_names[i].bit)
			used += snprintf(buf + used, len - used, "%s%s",
					 used ? "," : "", cap_names[i].name);
	if (!buf[0])
		snprintf(buf, len, "-");
}

/* The slow path formats, e.g. "vtd:16/32": entry sizes in bytes. */
static void format_data_types(const struct vcmdq_instance *in, char *buf,
			      size_t len)
{
	size_t used = 0;
	unsigned int t;

	buf[0] = '\0';
	for (t = 0; t < VCMDQ_DATA_TYPES_MAX && used < len; t++) {
		if (!(in->data_types & (1U << t)))
			continue;
		used += snprintf(buf + used, len - used, "%s%s:%u",
				 used ? "," : "",
				 data_type_names[t] ? data_type_names[t] : "?",
				 in->data_entry_len[t]);
		if (used < len && t == VCMDQ_DATA_VTD &&
		    (in->caps & VCMDQ_INSTANCE_CAP_VTD_DESC_256))
			used += snprintf(buf + used, len - used, "/%u",
					 2 * in->data_entry_len[t]);
	}
	if (!buf[0])
		snprintf(buf, len, "-");
}

/* ---- instances ---------------------------------------------------------- */

/* Tags in use from sysfs; -1 on a module without instances/ in sysfs. */
static int64_t tags_in_use(uint32_t id)
{
	char rel[64];
	uint64_t v;

	snprintf(rel, sizeof(rel), "instances/%u/tags_in_use", id);
	return sysfs_u64(rel, &v) ? -1 : (int64_t)v;
}

static const char *queue_memory(const struct vcmdq_instance *in)
{
	if (!(in->caps & VCMDQ_INSTANCE_CAP_FAST_QUEUES))
		return NULL;
	return in->caps & VCMDQ_INSTANCE_CAP_QUEUE_NONCONTIG ? "any" :
							       "contig";
}

static int cmd_instances(struct vcmdq_ctx *ctx)
{
	unsigned int n = vcmdq_num_instances(ctx), i, k, t;

	if (json)
		printf("{\"instances\": [");
	else
		printf("%-3s %-15s %-10s %-36s %-12s %4s %7s %5s %6s %5s %6s %5s %s\n",
		       "ID", "FLAVOR", "HOST", "CAPS", "SLOW-PATH", "TAGB",
		       "VIOMMUS", "TAGS", "QUEUES", "QLOG2", "QMEM", "VSIDS",
		       "DEVICES");
	for (i = 0; i < n; i++) {
		struct vcmdq_instance in;
		int64_t tags;
		uint32_t pci;
		const char *host;
		char buf[256];
		bool f = true;

		if (vcmdq_instance_get(ctx, i, &in))
			continue;
		tags = tags_in_use(in.id);
		/* NULL for a synthetic instance. */
		host = vcmdq_instance_host_iommu(ctx, in.id);
		if (!json) {
			char caps[128], types[64], devs[256];
			size_t used = 0;

			format_caps(in.caps, caps, sizeof(caps));
			format_data_types(&in, types, sizeof(types));
			devs[0] = '\0';
			for (k = 0; !vcmdq_instance_device(ctx, in.id, k, &pci) &&
				    used < sizeof(devs); k++) {
				format_bdf(pci, buf, sizeof(buf));
				used += snprintf(devs + used, sizeof(devs) - used,
						 "%s%s", used ? "," : "", buf);
			}
			snprintf(buf, sizeof(buf), "%" PRId64, tags);
			printf("%-3u %-15s %-10s %-36s %-12s %4u %7u %5s %6u %5u %6s %5u %s\n",
			       in.id, flavor_name(in.flavor),
			       !(in.caps & VCMDQ_INSTANCE_CAP_HOST) ? "synthetic" :
			       host ? host : "?", caps, types,
			       in.tag_bits, in.max_viommus, tags < 0 ? "?" : buf,
			       in.queues_per_viommu, in.max_queue_log2size,
			       queue_memory(&in) ? queue_memory(&in) : "-",
			       in.vsids_per_viommu, devs[0] ? devs : "-");
			continue;
		}
		printf("%s{", i ? ", " : "");
		json_u64(&f, "id", in.id);
		json_string(&f, "flavor", flavor_name(in.flavor));
		json_key(&f, "synthetic");
		printf("%s", in.caps & VCMDQ_INSTANCE_CAP_HOST ? "false" : "true");
		json_string(&f, "host_iommu", host);
		json_u64(&f, "caps", in.caps);
		json_key(&f, "cap_names");
		printf("[");
		for (k = 0, t = 0; k < ARRAY_SIZE(cap_names); k++) {
			if (!(in.caps & cap_names[k].bit))
				continue;
			printf("%s", t++ ? ", " : "");
			json_str(cap_names[k].name);
		}
		printf("]");
		json_key(&f, "data_types");
		printf("[");
		for (t = 0, k = 0; t < VCMDQ_DATA_TYPES_MAX; t++) {
			bool g = true;

			if (!(in.data_types & (1U << t)))
				continue;
			printf("%s{", k++ ? ", " : "");
			json_u64(&g, "type", t);
			json_string(&g, "name", data_type_names[t]);
			json_u64(&g, "entry_len", in.data_entry_len[t]);
			printf("}");
		}
		printf("]");
		json_u64(&f, "tag_bits", in.tag_bits);
		json_u64(&f, "max_viommus", in.max_viommus);
		json_key(&f, "tags_in_use");
		if (tags < 0)
			printf("null");
		else
			printf("%" PRId64, tags);
		json_u64(&f, "queues_per_viommu", in.queues_per_viommu);
		json_u64(&f, "max_queue_log2size", in.max_queue_log2size);
		json_string(&f, "queue_memory", queue_memory(&in));
		json_u64(&f, "vsids_per_viommu", in.vsids_per_viommu);
		json_u64(&f, "vtd_max_am", in.vtd_max_am);
		json_key(&f, "devices");
		printf("[");
		for (k = 0; !vcmdq_instance_device(ctx, in.id, k, &pci); k++) {
			format_bdf(pci, buf, sizeof(buf));
			printf("%s", k ? ", " : "");
			json_str(buf);
		}
		printf("]}");
	}
	if (json)
		printf("]}\n");
	return 0;
}

/* ---- live objects --------------------------------------------------------- */

struct objects {
	struct vcmdq_object_info *o;
	unsigned int n;
};

/*
 * Every file's objects: needs CAP_SYS_ADMIN.  @required: an EPERM (or a
 * module without VCMDQ_GET_OBJECTS) is an error; else the caller goes on
 * without the objects, *@denied set.
 */
static int get_objects(struct vcmdq_ctx *ctx, struct objects *objs,
		       bool required, bool *denied)
{
	int rc = vcmdq_objects_get(ctx, VCMDQ_GET_OBJECTS_ALL, &objs->o,
				   &objs->n);

	if (denied)
		*denied = false;
	if ((rc == -EPERM || rc == -ENOTTY) && !required) {
		*denied = true;
		objs->o = NULL;
		objs->n = 0;
		return 0;
	}
	if (rc == -EPERM || rc == -EACCES) {
		err("listing the objects of every VM needs CAP_SYS_ADMIN: permission denied");
		return 1;
	}
	if (rc == -ENOTTY) {
		err("%s: the module is too old to list objects (no VCMDQ_GET_OBJECTS)",
		    dev_path);
		return 1;
	}
	if (rc) {
		err("VCMDQ_GET_OBJECTS: %s", strerror(-rc));
		return 1;
	}
	return 0;
}

static void json_owner(bool *f, const struct vcmdq_object_info *o)
{
	char comm[sizeof(o->owner_comm) + 1];

	memcpy(comm, o->owner_comm, sizeof(o->owner_comm));
	comm[sizeof(o->owner_comm)] = '\0';
	json_u64(f, "context", o->context_id);
	json_u64(f, "pid", o->owner_pid);
	json_string(f, "comm", comm);
}

static const char *comm_of(const struct vcmdq_object_info *o, char *buf)
{
	memcpy(buf, o->owner_comm, sizeof(o->owner_comm));
	buf[sizeof(o->owner_comm)] = '\0';
	return buf;
}

/* Objects of @type whose parent is @parent in the same file. */
static unsigned int count_children(const struct objects *objs,
				   const struct vcmdq_object_info *parent,
				   uint32_t type)
{
	unsigned int i, n = 0;

	for (i = 0; i < objs->n; i++)
		if (objs->o[i].type == type &&
		    objs->o[i].context_id == parent->context_id &&
		    objs->o[i].parent_id == parent->id)
			n++;
	return n;
}

static const char *instance_flavor(struct vcmdq_ctx *ctx, uint32_t id)
{
	struct vcmdq_instance in;

	if (vcmdq_instance_find(ctx, id, 0, 0, &in))
		return "unknown";
	return flavor_name(in.flavor);
}

static int cmd_viommus(struct vcmdq_ctx *ctx)
{
	struct objects objs;
	unsigned int i, k = 0;
	int rc;

	rc = get_objects(ctx, &objs, true, NULL);
	if (rc)
		return rc;
	if (json)
		printf("{\"viommus\": [");
	else
		printf("%-4s %-7s %-16s %-4s %-4s %-15s %5s %4s %4s %6s %6s %6s %12s %12s\n",
		       "CTX", "PID", "COMM", "ID", "INST", "FLAVOR", "TAG",
		       "SLOT", "S2", "QUEUES", "VDEVS", "EVENTQ", "ENGINE-CMDS",
		       "ENGINE-US");
	for (i = 0; i < objs.n; i++) {
		const struct vcmdq_object_info *o = &objs.o[i];
		unsigned int nq, neq;
		char comm[sizeof(o->owner_comm) + 1];
		bool f = true;

		if (o->type != VCMDQ_OBJECT_VIOMMU)
			continue;
		nq = count_children(&objs, o, VCMDQ_OBJECT_QUEUE);
		neq = count_children(&objs, o, VCMDQ_OBJECT_EVENTQ);
		if (!json) {
			printf("%-4u %-7u %-16s %-4u %-4u %-15s %5u %4u %4u %6u %6u %6s %12llu %12llu\n",
			       o->context_id, o->owner_pid, comm_of(o, comm),
			       o->id, o->instance_id,
			       instance_flavor(ctx, o->instance_id), o->tag,
			       o->slot, o->parent_id, nq, o->nr_vdevices,
			       neq ? "yes" : "no",
			       (unsigned long long)o->engine_commands,
			       (unsigned long long)o->engine_ns / 1000);
			continue;
		}
		printf("%s{", k++ ? ", " : "");
		json_owner(&f, o);
		json_u64(&f, "id", o->id);
		json_u64(&f, "instance", o->instance_id);
		json_string(&f, "flavor", instance_flavor(ctx, o->instance_id));
		json_u64(&f, "tag", o->tag);
		json_u64(&f, "slot", o->slot);
		json_u64(&f, "s2", o->parent_id);
		json_u64(&f, "queues", nq);
		json_u64(&f, "vdevices", o->nr_vdevices);
		json_u64(&f, "engine_commands", o->engine_commands);
		json_u64(&f, "engine_ns", o->engine_ns);
		json_key(&f, "eventq");
		printf("%s}", neq ? "true" : "false");
	}
	if (json)
		printf("]}\n");
	free(objs.o);
	return 0;
}

static const char *queue_state(const struct vcmdq_object_info *o)
{
	if (o->flags & VCMDQ_OBJECT_INFO_ERROR)
		return "error";
	return o->flags & VCMDQ_OBJECT_INFO_ENABLED ? "enabled" : "disabled";
}

static int cmd_queues(struct vcmdq_ctx *ctx)
{
	struct objects objs;
	unsigned int i, k = 0;
	int rc;

	rc = get_objects(ctx, &objs, true, NULL);
	if (rc)
		return rc;
	if (json)
		printf("{\"queues\": [");
	else
		printf("%-4s %-7s %-16s %-4s %-6s %-4s %5s %5s %5s %-18s %-10s %-10s %s\n",
		       "CTX", "PID", "COMM", "ID", "VIOMMU", "INST", "TAG",
		       "INDEX", "LOG2", "GPA", "PROD", "CONS", "STATE");
	for (i = 0; i < objs.n; i++) {
		const struct vcmdq_object_info *o = &objs.o[i];
		char comm[sizeof(o->owner_comm) + 1];
		bool f = true;

		if (o->type != VCMDQ_OBJECT_QUEUE)
			continue;
		if (!json) {
			printf("%-4u %-7u %-16s %-4u %-6u %-4u %5u %5u %5u 0x%016" PRIx64
			       " 0x%08x 0x%08x %s\n",
			       o->context_id, o->owner_pid, comm_of(o, comm),
			       o->id, o->parent_id, o->instance_id, o->tag,
			       o->queue_index, o->queue_log2size,
			       (uint64_t)o->queue_gpa, o->queue_prod,
			       o->queue_cons, queue_state(o));
			continue;
		}
		printf("%s{", k++ ? ", " : "");
		json_owner(&f, o);
		json_u64(&f, "id", o->id);
		json_u64(&f, "viommu", o->parent_id);
		json_u64(&f, "instance", o->instance_id);
		json_u64(&f, "tag", o->tag);
		json_u64(&f, "index", o->queue_index);
		json_u64(&f, "log2size", o->queue_log2size);
		json_u64(&f, "gpa", o->queue_gpa);
		json_u64(&f, "prod", o->queue_prod);
		json_u64(&f, "cons", o->queue_cons);
		json_string(&f, "state", queue_state(o));
		printf("}");
	}
	if (json)
		printf("]}\n");
	free(objs.o);
	return 0;
}

/* ---- devices ------------------------------------------------------------ */

static void __attribute__((noreturn, format(printf, 1, 2)))
pci_error(char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: libpci: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void __attribute__((format(printf, 1, 2))) pci_quiet(char *fmt, ...)
{
}

static struct pci_dev *pci_find(struct pci_access *pacc, uint32_t d)
{
	struct pci_dev *p;

	for (p = pacc->devices; p; p = p->next)
		if ((uint32_t)p->domain == d >> 16 && p->bus == ((d >> 8) & 0xff) &&
		    p->dev == ((d >> 3) & 0x1f) && p->func == (d & 7))
			return p;
	return NULL;
}

/* The bound driver's name from sysfs, or "" when none. */
static void pci_driver(const char *bdf, char *buf, size_t len)
{
	char path[128], link[PATH_MAX];
	const char *base;
	size_t blen;
	ssize_t n;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return;
	link[n] = '\0';
	base = strrchr(link, '/');
	base = base ? base + 1 : link;
	blen = strlen(base);
	if (blen >= len)
		blen = len - 1;
	memcpy(buf, base, blen);
	buf[blen] = '\0';
}

/* The non-revoked vDEVICE naming @pci, in any file, or NULL. */
static const struct vcmdq_object_info *holder_of(const struct objects *objs,
						 uint32_t pci)
{
	unsigned int i;

	for (i = 0; i < objs->n; i++)
		if (objs->o[i].type == VCMDQ_OBJECT_VDEVICE &&
		    objs->o[i].pci_device == pci &&
		    !(objs->o[i].flags & VCMDQ_OBJECT_INFO_REVOKED))
			return &objs->o[i];
	return NULL;
}

static int cmd_devices(struct vcmdq_ctx *ctx)
{
	unsigned int n = vcmdq_num_instances(ctx), i, k, rows = 0;
	struct pci_access *pacc;
	struct objects objs;
	bool denied;
	int flags = PCI_LOOKUP_VENDOR | PCI_LOOKUP_DEVICE;
	int rc;

	rc = get_objects(ctx, &objs, false, &denied);
	if (rc)
		return rc;
	pacc = pci_alloc();
	pacc->error = pci_error;
	pacc->warning = pci_quiet;
	pacc->debug = pci_quiet;
	if (pci_ids) {
		/* An explicit list is the only source: no udev hwdb. */
		pci_set_name_list_path(pacc, (char *)pci_ids, 0);
		flags |= PCI_LOOKUP_NO_HWDB;
	}
	pci_init(pacc);
	pci_scan_bus(pacc);

	if (json)
		printf("{\"devices\": [");
	else
		printf("%-12s %-4s %-15s %-10s %-9s %-12s %-32s %s\n", "DEVICE",
		       "INST", "FLAVOR", "PHYS-ID", "VEN:DEV", "DRIVER", "NAME",
		       "HELD-BY");
	for (i = 0; i < n; i++) {
		struct vcmdq_instance in;
		uint32_t pci;

		if (vcmdq_instance_get(ctx, i, &in))
			continue;
		for (k = 0; !vcmdq_instance_device(ctx, in.id, k, &pci); k++) {
			const struct vcmdq_object_info *h = holder_of(&objs, pci);
			struct pci_dev *p = pci_find(pacc, pci);
			char bdf[16], drv[64], name[256], ids[16], held[64];
			char comm[sizeof(h->owner_comm) + 1];
			bool f = true;

			format_bdf(pci, bdf, sizeof(bdf));
			name[0] = ids[0] = drv[0] = '\0';
			if (p) {
				pci_fill_info(p, PCI_FILL_IDENT);
				if (!pci_lookup_name(pacc, name, sizeof(name),
						     flags, p->vendor_id,
						     p->device_id))
					name[0] = '\0';
				snprintf(ids, sizeof(ids), "%04x:%04x",
					 p->vendor_id, p->device_id);
				pci_driver(bdf, drv, sizeof(drv));
			}
			if (!json) {
				if (denied)
					snprintf(held, sizeof(held), "?");
				else if (h)
					snprintf(held, sizeof(held), "%u/%s (via %u)",
						 h->owner_pid, comm_of(h, comm),
						 h->instance_id);
				else
					snprintf(held, sizeof(held), "-");
				printf("%-12s %-4u %-15s 0x%08x %-9s %-12s %-32s %s\n",
				       bdf, in.id, flavor_name(in.flavor), pci,
				       p ? ids : "absent", drv[0] ? drv : "-",
				       name[0] ? name : "-", held);
				continue;
			}
			printf("%s{", rows++ ? ", " : "");
			json_string(&f, "device", bdf);
			json_u64(&f, "instance", in.id);
			json_string(&f, "flavor", flavor_name(in.flavor));
			json_u64(&f, "phys_id", pci);
			json_key(&f, "present");
			printf("%s", p ? "true" : "false");
			if (p) {
				json_u64(&f, "vendor_id", p->vendor_id);
				json_u64(&f, "device_id", p->device_id);
			} else {
				json_key(&f, "vendor_id");
				printf("null");
				json_key(&f, "device_id");
				printf("null");
			}
			json_string(&f, "name", name[0] ? name : NULL);
			json_string(&f, "driver", drv[0] ? drv : NULL);
			json_key(&f, "held");
			printf("%s", denied ? "null" : h ? "true" : "false");
			json_key(&f, "holder");
			if (!h) {
				printf("null}");
				continue;
			}
			printf("{");
			f = true;
			json_owner(&f, h);
			json_u64(&f, "vdevice", h->id);
			json_u64(&f, "viommu", h->parent_id);
			json_u64(&f, "instance", h->instance_id);
			json_u64(&f, "virt_id", h->virt_id);
			printf("}}");
		}
	}
	if (json)
		printf("]}\n");
	pci_cleanup(pacc);
	free(objs.o);
	return 0;
}

/* ---- counters ----------------------------------------------------------- */

/* The module's per-instance counters (kernel/vcmdq_private.h), in order. */
static const char *const counter_names[] = {
	"fast_commands", "slow_commands", "inv_tlb",	 "inv_atc",
	"inv_dev_cfg",	 "inv_pasid_cfg", "inv_all",	 "sync",
	"nop",		 "handed_back",	  "illegal",	 "events",
	"events_lost",	 "doorbell_wakeups", "hybrid_sleeps",
};
static const char *const global_names[] = { "contexts", "live_objects",
					    "pinned_pages" };

/* The instance IDs under instances/, ascending.  Return: how many. */
static unsigned int list_instances(uint32_t *ids, unsigned int max)
{
	char path[PATH_MAX + 16];
	struct dirent *de;
	unsigned int n = 0, i, j;
	DIR *d;

	snprintf(path, sizeof(path), "%s/instances", sysfs_dir);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max) {
		char *end;
		unsigned long id = strtoul(de->d_name, &end, 10);

		if (de->d_name[0] != '.' && !*end && id)
			ids[n++] = id;
	}
	closedir(d);
	for (i = 1; i < n; i++)
		for (j = i; j && ids[j - 1] > ids[j]; j--) {
			uint32_t t = ids[j];

			ids[j] = ids[j - 1];
			ids[j - 1] = t;
		}
	return n;
}

#define MAX_INSTANCES 64

static int cmd_counters(void)
{
	uint64_t vals[MAX_INSTANCES][ARRAY_SIZE(counter_names)] = { 0 };
	uint64_t total[ARRAY_SIZE(counter_names)] = { 0 };
	uint64_t global[ARRAY_SIZE(global_names)];
	uint32_t ids[MAX_INSTANCES];
	unsigned int n, i, c;
	bool f = true;
	int rc;

	for (c = 0; c < ARRAY_SIZE(global_names); c++) {
		rc = sysfs_u64(global_names[c], &global[c]);
		if (rc) {
			err("%s/%s: %s", sysfs_dir, global_names[c],
			    strerror(-rc));
			return 1;
		}
	}
	n = list_instances(ids, MAX_INSTANCES);
	for (i = 0; i < n; i++)
		for (c = 0; c < ARRAY_SIZE(counter_names); c++) {
			char rel[96];

			snprintf(rel, sizeof(rel), "instances/%u/counters/%s",
				 ids[i], counter_names[c]);
			/* A counter an older module lacks reads as 0. */
			if (!sysfs_u64(rel, &vals[i][c]))
				total[c] += vals[i][c];
		}

	if (!json) {
		for (c = 0; c < ARRAY_SIZE(global_names); c++)
			printf("%-14s %" PRIu64 "\n", global_names[c], global[c]);
		printf("\n%-14s", "COUNTER");
		for (i = 0; i < n; i++)
			printf(" %12u", ids[i]);
		printf(" %12s\n", "TOTAL");
		for (c = 0; c < ARRAY_SIZE(counter_names); c++) {
			printf("%-14s", counter_names[c]);
			for (i = 0; i < n; i++)
				printf(" %12" PRIu64, vals[i][c]);
			printf(" %12" PRIu64 "\n", total[c]);
		}
		return 0;
	}
	printf("{");
	json_key(&f, "global");
	printf("{");
	f = true;
	for (c = 0; c < ARRAY_SIZE(global_names); c++)
		json_u64(&f, global_names[c], global[c]);
	for (c = 0; c < ARRAY_SIZE(counter_names); c++)
		json_u64(&f, counter_names[c], total[c]);
	printf("}, \"instances\": [");
	for (i = 0; i < n; i++) {
		f = true;
		printf("%s{", i ? ", " : "");
		json_u64(&f, "id", ids[i]);
		json_key(&f, "counters");
		printf("{");
		f = true;
		for (c = 0; c < ARRAY_SIZE(counter_names); c++)
			json_u64(&f, counter_names[c], vals[i][c]);
		printf("}}");
	}
	printf("]}\n");
	return 0;
}

/* ---- main --------------------------------------------------------------- */

static void usage(FILE *out)
{
	fprintf(out,
		"usage: vcmdqctl [-d DEVICE] [--json] [--pci-ids FILE] COMMAND\n"
		"commands:\n"
		"  instances  IOMMU instances: flavor, caps, limits, tags in use\n"
		"  devices    PCI devices behind each instance, and who holds them\n"
		"  viommus    live vIOMMUs with the process of their VM\n"
		"  queues     live command queues with their state\n"
		"  counters   global and per-instance counters\n"
		"options:\n"
		"  -d, --device DEVICE  the device node (default /dev/vcmdq)\n"
		"  -j, --json           JSON instead of a table\n"
		"  -i, --pci-ids FILE   PCI ID database for device names\n"
		"  -h, --help           this text\n"
		"  -V, --version        the library version\n"
		"exit status: 0 ok, 1 error, 2 usage\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "pci-ids", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct vcmdq_ctx *ctx = NULL;
	const char *cmd;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "d:ji:hV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			dev_path = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'i':
			pci_ids = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("vcmdqctl (libvcmdq %s)\n", vcmdq_version());
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = argv[optind];
	if (strcmp(cmd, "instances") && strcmp(cmd, "devices") &&
	    strcmp(cmd, "viommus") && strcmp(cmd, "queues") &&
	    strcmp(cmd, "counters")) {
		err("unknown command '%s'", cmd);
		usage(stderr);
		return EXIT_USAGE;
	}

	rc = find_sysfs();
	if (rc)
		return rc;
	/* Counters are sysfs only: no access to the device needed. */
	if (!strcmp(cmd, "counters"))
		return cmd_counters();
	rc = open_ctx(&ctx);
	if (rc)
		return rc;
	if (!strcmp(cmd, "instances"))
		rc = cmd_instances(ctx);
	else if (!strcmp(cmd, "devices"))
		rc = cmd_devices(ctx);
	else if (!strcmp(cmd, "viommus"))
		rc = cmd_viommus(ctx);
	else
		rc = cmd_queues(ctx);
	vcmdq_close(ctx);
	if (!rc && (fflush(stdout) || ferror(stdout))) {
		err("writing the output: %s", strerror(errno));
		rc = 1;
	}
	return rc;
}
