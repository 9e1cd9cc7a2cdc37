// SPDX-License-Identifier: GPL-2.0
/*
 * vcmdq-bench, mode "upstream": upstream iommufd's own trapped path, timed
 * in the same run as vcmdq's, so that the comparison is a measured ratio.
 *
 * What QEMU does on a kernel with IOMMUFD when the guest's SMMU command
 * queue traps: one IOMMU_HWPT_INVALIDATE ioctl on /dev/iommu with the
 * vIOMMU's id as hwpt_id and the guest's commands as the entry array.
 * Without hardware that nests (none that QEMU emulates on x86, see
 * /work/shared/reference/kernels-and-qemu.md), the vIOMMU is the one of
 * upstream's IOMMUFD_TEST mock driver, set up as upstream's selftests do
 * (tools/testing/selftests/iommu/iommufd.c, FIXTURE_SETUP(iommufd_viommu)):
 *
 *   /dev/iommu -> IOMMU_IOAS_ALLOC -> IOMMU_TEST_CMD(MOCK_DOMAIN) on the
 *   IOAS (a mock device, bound) -> IOMMU_HWPT_ALLOC(NEST_PARENT) ->
 *   IOMMU_VIOMMU_ALLOC(IOMMU_VIOMMU_TYPE_SELFTEST) -> IOMMU_VDEVICE_ALLOC
 *
 * One batch of N is one IOMMU_HWPT_INVALIDATE of N struct
 * iommu_viommu_invalidate_selftest entries (data type
 * IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST), entry i clearing the mock
 * device's cache entry i % 4: N commands, as vcmdq's N TLBIs, but no
 * CMD_SYNC (the mock has none; upstream rejects a guest CMD_SYNC and the
 * VMM completes it itself).  Each call must return 0 with entry_num == N.
 *
 * Each VM (a submitter's, or the one of --share) opens /dev/iommu and
 * builds its own chain.  At set-up, unless --no-verify, the mock device's
 * four cache entries are checked to be set, invalidated by one call and
 * checked to be clear (IOMMU_TEST_OP_DEV_CHECK_CACHE): the path really
 * invalidates, as the VCMDQ_TEST model check proves for vcmdq's modes.
 *
 * The ABI pieces are copied in upstream_abi.h (the build host's uapi is
 * older); a step that fails is named with its errno.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "run.h"
#include "upstream_abi.h"

#define IOMMU_DEV		"/dev/iommu"
#define UPSTREAM_VIRT_ID	0x8	/* the vDEVICE's virt_id (a vSID) */

/* One VM's iommufd context: its fd and the chain of objects in it. */
struct upstream_vm {
	int fd;
	uint32_t ioas_id, stdev_id, idev_id, hwpt_id, viommu_id, vdev_id;
	struct iommu_viommu_invalidate_selftest *ent;	/* max batch entries */
};

static struct upstream_vm up_vms[MAX_THREADS];
static unsigned int nr_up_vms;

static void __attribute__((format(printf, 3, 4)))
say(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
}

/* "step: strerror (errno N)", and what an errno most likely means there. */
static int step_failed(char *why, size_t len, const char *step, int err)
{
	const char *hint = "";

	if (err == ENOTTY && !strncmp(step, "IOMMU_TEST_CMD", 14))
		hint = ": this kernel has no IOMMUFD_TEST mock driver (CONFIG_IOMMUFD_TEST)";
	else if (err == ENOTTY)
		hint = ": this kernel's iommufd predates the vIOMMU (Linux 6.13)";
	say(why, len, "%s failed: %s (errno %d)%s", step, strerror(err), err,
	    hint);
	return -err;
}

static int up_ioctl(struct upstream_vm *u, unsigned long req, void *arg,
		    const char *step, char *why, size_t len)
{
	if (ioctl(u->fd, req, arg))
		return step_failed(why, len, step, errno);
	return 0;
}

static int test_cmd(struct upstream_vm *u, struct iommu_test_cmd *cmd,
		    const char *step, char *why, size_t len)
{
	cmd->size = sizeof(*cmd);
	return up_ioctl(u, IOMMU_TEST_CMD, cmd, step, why, len);
}

/*
 * One IOMMU_HWPT_INVALIDATE of @n entries @ent through the vIOMMU.
 * Return: 0 or -errno; *@done: entry_num back.
 */
static int up_invalidate(struct upstream_vm *u,
			 const struct iommu_viommu_invalidate_selftest *ent,
			 unsigned int n, uint32_t *done)
{
	struct iommu_hwpt_invalidate cmd = {
		.size = sizeof(cmd),
		.hwpt_id = u->viommu_id,
		.data_uptr = (uintptr_t)ent,
		.data_type = IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST,
		.entry_len = sizeof(*ent),
		.entry_num = n,
	};
	int rc = ioctl(u->fd, IOMMU_HWPT_INVALIDATE, &cmd);

	*done = cmd.entry_num;
	return rc ? -errno : 0;
}

/* Is each of the mock device's cache entries @want? */
static int check_cache(struct upstream_vm *u, uint32_t want, const char *step,
		       char *why, size_t len)
{
	unsigned int c;
	int rc;

	for (c = 0; c < MOCK_DEV_CACHE_NUM; c++) {
		struct iommu_test_cmd cmd = {
			.op = IOMMU_TEST_OP_DEV_CHECK_CACHE,
			.id = u->idev_id,
			.check_dev_cache = { .id = c, .cache = want },
		};
		char what[160];

		snprintf(what, sizeof(what), "%s, entry %u", step, c);
		rc = test_cmd(u, &cmd, what, why, len);
		if (rc)
			return rc;
	}
	return 0;
}

static void up_close(struct upstream_vm *u)
{
	if (u->fd >= 0) {
		/* the vDEVICE before the device (iommufd.h); close frees the rest */
		if (u->vdev_id) {
			struct iommu_destroy d = { .size = sizeof(d),
						   .id = u->vdev_id };

			ioctl(u->fd, IOMMU_DESTROY, &d);
		}
		close(u->fd);
	}
	free(u->ent);
	memset(u, 0, sizeof(*u));
	u->fd = -1;
}

/*
 * Open /dev/iommu and build the chain, as upstream's selftests do; entries
 * for batches up to @max.  Return: 0, or -errno with the failed step in @why.
 */
static int up_open(struct upstream_vm *u, unsigned int max, bool verify,
		   char *why, size_t len)
{
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	struct iommu_test_cmd mock = {
		.op = IOMMU_TEST_OP_MOCK_DOMAIN,
	};
	struct iommu_hwpt_alloc hwpt = {
		.size = sizeof(hwpt),
		.flags = IOMMU_HWPT_ALLOC_NEST_PARENT,
	};
	struct iommu_viommu_alloc viommu = {
		.size = sizeof(viommu),
		.type = IOMMU_VIOMMU_TYPE_SELFTEST,
	};
	struct iommu_vdevice_alloc vdev = {
		.size = sizeof(vdev),
		.virt_id = UPSTREAM_VIRT_ID,
	};
	struct iommu_viommu_invalidate_selftest chk[MOCK_DEV_CACHE_NUM];
	unsigned int i;
	uint32_t done;
	int rc;

	memset(u, 0, sizeof(*u));
	u->fd = open(IOMMU_DEV, O_RDWR | O_CLOEXEC);
	if (u->fd < 0) {
		rc = -errno;
		if (rc == -ENOENT)
			say(why, len, "no %s: this kernel has no iommufd (CONFIG_IOMMUFD)",
			    IOMMU_DEV);
		else
			step_failed(why, len, "open " IOMMU_DEV, -rc);
		return rc;
	}
	u->ent = calloc(max, sizeof(*u->ent));
	if (!u->ent) {
		say(why, len, "out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < max; i++)
		u->ent[i] = (struct iommu_viommu_invalidate_selftest){
			.vdev_id = UPSTREAM_VIRT_ID,
			.cache_id = i % MOCK_DEV_CACHE_NUM,
		};

	rc = up_ioctl(u, IOMMU_IOAS_ALLOC, &ioas, "IOMMU_IOAS_ALLOC", why, len);
	if (rc)
		return rc;
	u->ioas_id = ioas.out_ioas_id;

	mock.id = u->ioas_id;
	rc = test_cmd(u, &mock,
		      "IOMMU_TEST_CMD(IOMMU_TEST_OP_MOCK_DOMAIN) (a mock device on the IOAS)",
		      why, len);
	if (rc)
		return rc;
	u->stdev_id = mock.mock_domain.out_stdev_id;
	u->idev_id = mock.mock_domain.out_idev_id;

	hwpt.dev_id = u->idev_id;
	hwpt.pt_id = u->ioas_id;
	rc = up_ioctl(u, IOMMU_HWPT_ALLOC, &hwpt,
		      "IOMMU_HWPT_ALLOC(IOMMU_HWPT_ALLOC_NEST_PARENT)", why, len);
	if (rc)
		return rc;
	u->hwpt_id = hwpt.out_hwpt_id;

	viommu.dev_id = u->idev_id;
	viommu.hwpt_id = u->hwpt_id;
	rc = up_ioctl(u, IOMMU_VIOMMU_ALLOC, &viommu,
		      "IOMMU_VIOMMU_ALLOC(IOMMU_VIOMMU_TYPE_SELFTEST)", why, len);
	if (rc)
		return rc;
	u->viommu_id = viommu.out_viommu_id;

	vdev.viommu_id = u->viommu_id;
	vdev.dev_id = u->idev_id;
	rc = up_ioctl(u, IOMMU_VDEVICE_ALLOC, &vdev, "IOMMU_VDEVICE_ALLOC", why,
		      len);
	if (rc)
		return rc;
	u->vdev_id = vdev.out_vdevice_id;

	/* An empty array: is the data type taken? (iommufd.h allows it.) */
	rc = up_invalidate(u, u->ent, 0, &done);
	if (rc)
		return step_failed(why, len,
				   "IOMMU_HWPT_INVALIDATE of 0 entries (IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST)",
				   -rc);
	if (!verify)
		return 0;

	/* The path does invalidate: the four cache entries, set, then clear. */
	rc = check_cache(u, IOMMU_TEST_DEV_CACHE_DEFAULT,
			 "IOMMU_TEST_CMD(IOMMU_TEST_OP_DEV_CHECK_CACHE) (set before an invalidation)",
			 why, len);
	if (rc)
		return rc;
	for (i = 0; i < MOCK_DEV_CACHE_NUM; i++)
		chk[i] = (struct iommu_viommu_invalidate_selftest){
			.vdev_id = UPSTREAM_VIRT_ID,
			.cache_id = i,
		};
	rc = up_invalidate(u, chk, MOCK_DEV_CACHE_NUM, &done);
	if (rc)
		return step_failed(why, len,
				   "IOMMU_HWPT_INVALIDATE of 4 entries (model check)",
				   -rc);
	if (done != MOCK_DEV_CACHE_NUM) {
		say(why, len, "IOMMU_HWPT_INVALIDATE (model check) handled %u of %u entries",
		    done, MOCK_DEV_CACHE_NUM);
		return -EIO;
	}
	return check_cache(u, 0,
			   "IOMMU_TEST_CMD(IOMMU_TEST_OP_DEV_CHECK_CACHE) (clear after an invalidation)",
			   why, len);
}

static unsigned int max_batch(void)
{
	unsigned int i, max = 1;

	for (i = 0; i < opts.nr_batches; i++)
		if (opts.batches[i] > max)
			max = opts.batches[i];
	return max;
}

/*
 * Can the mode run here?  Build one chain and take it down again.
 * Return: true, or false with the reason in @why.
 */
bool upstream_probe(char *why, size_t len)
{
	struct upstream_vm u;
	int rc;

	rc = up_open(&u, max_batch(), false, why, len);
	up_close(&u);
	return !rc;
}

/* A chain per VM (one with --share), each submitter on its VM's. */
void upstream_setup(void)
{
	unsigned int i, max = max_batch();
	char why[256];

	nr_up_vms = opts.share_vm ? 1 : opts.nr_threads;
	for (i = 0; i < nr_up_vms; i++)
		if (up_open(&up_vms[i], max, opts.verify_model, why,
			    sizeof(why)))
			die("upstream: %s", why);
	for (i = 0; i < opts.nr_threads; i++)
		subs[i].up = &up_vms[opts.share_vm ? 0 : i];
}

void upstream_teardown(void)
{
	unsigned int i;

	for (i = 0; i < nr_up_vms; i++)
		up_close(&up_vms[i]);
	for (i = 0; i < opts.nr_threads; i++)
		subs[i].up = NULL;
	nr_up_vms = 0;
}

/* One batch: one IOMMU_HWPT_INVALIDATE of N entries, timed like slow-batch. */
void upstream_batch(struct submitter *s, uint64_t *lat_ns)
{
	uint64_t t0 = now_ns();
	uint32_t done;
	int rc;

	rc = up_invalidate(s->up, s->up->ent, s->batch, &done);
	*lat_ns = now_ns() - t0;
	if (rc)
		die("upstream: IOMMU_HWPT_INVALIDATE of %u entries on vIOMMU %u: %s (errno %d, entry_num %u back)",
		    s->batch, s->up->viommu_id, strerror(-rc), -rc, done);
	if (done != s->batch)
		die("upstream: IOMMU_HWPT_INVALIDATE handled %u of %u entries",
		    done, s->batch);
}
