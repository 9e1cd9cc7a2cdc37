// SPDX-License-Identifier: GPL-2.0
/*
 * vcmdq-bench: the table of modes.  A batch is N TLBI_NH_VA commands (one
 * 4 KiB page each, one ASID) and a CMD_SYNC the submitter waits for; each
 * mode carries it a different way; upstream carries N entries of the
 * IOMMUFD_TEST mock vIOMMU, its nearest equivalent.  --list-modes prints
 * this table.
 */
#include <string.h>

#include "bench.h"

const struct mode_desc bench_modes[NR_MODES] = {
	[MODE_FLOOR] = {
		.name = "floor",
		.measures = "N+1 entries and PROD into a bare shared-memory ring; a consumer thread on another CPU reads them and echoes CONS",
		.models = "the physical floor of any cross-CPU handoff: no kernel, no library",
		.needs = "2 CPUs per submitter",
		.in_all = true,
	},
	[MODE_FAST] = {
		.name = "fast",
		.measures = "libvcmdq fast path: reserve, prep, one release store of PROD, VCMDQ_KICK on NEED_WAKEUP (--kick), poll CONS past the CMD_SYNC",
		.models = "a guest's own VCMDQ (Tegra241 CMDQV), no VM exit",
		.needs = "a tegra241-cmdqv instance (fast queues)",
		.in_all = true,
	},
	[MODE_FAST_NOKICK] = {
		.name = "fast-nokick",
		.measures = "the same, never kicking: the doorbell (a write fault after idle) wakes the engine; with engine_doorbell=0 its idle poll (engine_poll_us) bounds the latency",
		.models = "a guest driver written for the hardware, blind to NEED_WAKEUP",
		.needs = "a tegra241-cmdqv instance (fast queues)",
		.in_all = false,
	},
	[MODE_URING] = {
		.name = "uring",
		.measures = "the batch as one VCMDQ_INVALIDATE via io_uring (vcmdq_invalidate() on a VCMDQ_OPEN_URING context; --depth > 1: in flight)",
		.models = "a trapping VMM forwarding a whole batch from an io_uring loop",
		.needs = "io_uring; a second vIOMMU slot per VM",
		.in_all = true,
	},
	[MODE_SLOW_BATCH] = {
		.name = "slow-batch",
		.measures = "the batch as one VCMDQ_INVALIDATE ioctl (vcmdq_invalidate())",
		.models = "a trapping VMM that forwards the guest's batch at once",
		.needs = "any instance taking SMMUv3 commands",
		.in_all = true,
	},
	[MODE_SLOW_SINGLE] = {
		.name = "slow-single",
		.measures = "N+1 vcmdq_invalidate() ioctls of one entry each",
		.models = "a trapping VMM today (QEMU forwards entry_num = 1): the reference of every ratio",
		.needs = "any instance taking SMMUv3 commands",
		.in_all = true,
	},
	[MODE_UPSTREAM] = {
		.name = "upstream",
		.measures = "one IOMMU_HWPT_INVALIDATE ioctl on /dev/iommu carrying the batch's N entries through the IOMMUFD_TEST mock vIOMMU (no CMD_SYNC: the mock has none)",
		.models = "upstream iommufd's trapped path as QEMU uses it on a kernel with IOMMUFD",
		.needs = "/dev/iommu and CONFIG_IOMMUFD_TEST (in 'all': skipped without them)",
		.in_all = true,
	},
};

unsigned int modes_all(void)
{
	unsigned int m, mask = 0;

	for (m = 0; m < NR_MODES; m++)
		if (bench_modes[m].in_all)
			mask |= MODE_BIT(m);
	return mask;
}

int mode_by_name(const char *name)
{
	unsigned int m;

	for (m = 0; m < NR_MODES; m++)
		if (!strcmp(name, bench_modes[m].name))
			return m;
	return -1;
}

void print_mode_table(FILE *f)
{
	unsigned int m;

	for (m = 0; m < NR_MODES; m++) {
		const struct mode_desc *d = &bench_modes[m];

		fprintf(f, "%s%s\n", d->name, d->in_all ? "" : " (not in 'all')");
		fprintf(f, "    measures: %s\n", d->measures);
		fprintf(f, "    models:   %s\n", d->models);
		fprintf(f, "    needs:    %s\n", d->needs);
	}
}
