// SPDX-License-Identifier: MIT
/*
 * guest-queue: the smallest complete use of libvcmdq, the program of
 * libvcmdq(7)'s EXAMPLE section.  What a VMM does for one guest with one
 * vIOMMU, acted out by the VMM itself:
 *
 *   open a context, find an instance with guest-owned queues, map the
 *   guest's memory, create a vIOMMU, set queue 0's BASE (the guest's
 *   register write), enable the queue, issue TLBI_NH_ASID + CMD_SYNC
 *   through the fast path (no system call), wait for CONS to pass the
 *   CMD_SYNC, send the same invalidation trapped (the slow path), close.
 *
 * It prints each step and exits 0 only when both invalidations took
 * effect: CONS passed the CMD_SYNC, and the slow path executed every entry.
 *
 * Build: cc guest-queue.c $(pkg-config --cflags --libs libvcmdq)
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include <vcmdq/vcmdq.h>
#include <vcmdq/fastpath.h>

#define GUEST_RAM_GPA	0x80000000ULL	/* where the guest's RAM starts */
#define GUEST_RAM_SIZE	(2UL << 20)
#define QUEUE_GPA	GUEST_RAM_GPA	/* the guest's queue, in its RAM */
#define QUEUE_LOG2SIZE	8		/* 256 entries: 4 KiB, one page */
#define ASID		42
#define TIMEOUT_US	(5 * 1000 * 1000)

/* The library returns -errno and leaves errno alone: strerror(-rc). */
static int fail(const char *what, int rc)
{
	fprintf(stderr, "guest-queue: %s: %s\n", what, strerror(-rc));
	return 1;
}

int main(void)
{
	struct vcmdq_viommu *viommu;
	struct vcmdq_instance in;
	struct vcmdq_sq_error err = { 0 };
	struct vcmdq_ctx *ctx;
	struct vcmdq_sq sq;
	uint64_t cmds[2][2], deadline;
	uint32_t idx, num;
	void *ram = MAP_FAILED;
	int rc, ret = 1;

	rc = vcmdq_open(NULL, 0, &ctx);
	if (rc)
		return fail("vcmdq_open", rc);
	printf("opened /dev/vcmdq: %u instances, slow path over %s\n",
	       vcmdq_num_instances(ctx), vcmdq_slow_path_name(ctx));

	/* Any flavor, as long as its vIOMMUs can own fast path queues. */
	rc = vcmdq_instance_find(ctx, 0, 0, VCMDQ_INSTANCE_CAP_FAST_QUEUES, &in);
	if (rc) {
		fail("no instance with VCMDQ_INSTANCE_CAP_FAST_QUEUES", rc);
		goto out;
	}
	printf("instance %u: flavor %u, %u queues per vIOMMU\n", in.id,
	       in.flavor, in.queues_per_viommu);

	/*
	 * The guest's RAM.  A VMM maps all of it; the kernel pins it.  The
	 * queue is one page, so it is physically contiguous as hardware
	 * needs it, whatever backs the memory.
	 */
	ram = mmap(NULL, GUEST_RAM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ram == MAP_FAILED) {
		perror("guest-queue: mmap");
		goto out;
	}
	rc = vcmdq_mem_map(ctx, GUEST_RAM_GPA, ram, GUEST_RAM_SIZE,
			   VCMDQ_S2_MAP_READ | VCMDQ_S2_MAP_WRITE);
	if (rc) {
		fail("vcmdq_mem_map", rc);
		goto out;
	}

	rc = vcmdq_viommu_create(ctx, in.id, &viommu);
	if (rc) {
		fail("vcmdq_viommu_create", rc);
		goto out;
	}
	printf("vIOMMU %u: host tag %u, control region of %zu bytes\n",
	       vcmdq_viommu_id(viommu), vcmdq_viommu_tag(viommu),
	       vcmdq_viommu_ctrl_size(viommu));

	/* The guest wrote queue 0's BASE: the library binds the queue. */
	rc = vcmdq_queue_set_base(viommu, 0, QUEUE_GPA, QUEUE_LOG2SIZE);
	if (rc) {
		fail("vcmdq_queue_set_base", rc);
		goto out;
	}
	/* From here on, what the guest driver does through its VINTF page0. */
	rc = vcmdq_sq_init(viommu, 0, &sq);
	if (!rc)
		rc = vcmdq_sq_enable(&sq, TIMEOUT_US);
	if (rc) {
		fail("enabling queue 0", rc);
		goto out;
	}
	printf("queue 0: %u entries at GPA 0x%llx, enabled\n",
	       1U << QUEUE_LOG2SIZE, (unsigned long long)QUEUE_GPA);

	/* Fast path: two entries, one release store of PROD. */
	rc = __vcmdq_sq_reserve(&sq, 2, &idx);
	if (rc) {
		fail("__vcmdq_sq_reserve", rc);
		goto out;
	}
	vcmdq_prep_tlbi_nh_asid(__vcmdq_sq_entry(&sq, idx), ASID);
	vcmdq_prep_sync(__vcmdq_sq_entry(&sq, idx + 1));
	if (__vcmdq_sq_submit(&sq, 2)) {
		/* The engine sleeps: wake it rather than wait for its timer. */
		rc = vcmdq_sq_kick(&sq);
		if (rc) {
			fail("vcmdq_sq_kick", rc);
			goto out;
		}
	}
	deadline = vcmdq_deadline_ns(TIMEOUT_US);
	rc = __vcmdq_sq_wait(&sq, idx + 1, 1000, vcmdq_backoff_sleep,
			     &deadline, &err);
	if (rc == -EIO) {
		fprintf(stderr, "guest-queue: queue stopped: CONS.ERR %u at %u\n",
			err.error, err.pos);
		goto out;
	}
	if (rc) {
		fail("waiting for the CMD_SYNC", rc);
		goto out;
	}
	/* The wait left CONS (index | wrap) in sq.cached_cons. */
	printf("fast path: TLBI_NH_ASID(%u) + CMD_SYNC at %u and %u, CONS now %u: done\n",
	       ASID, idx, idx + 1, sq.cached_cons);

	/* Slow path: the same commands, as a VMM forwards trapped ones. */
	vcmdq_prep_tlbi_nh_asid(cmds[0], ASID);
	vcmdq_prep_sync(cmds[1]);
	num = 2;
	rc = vcmdq_invalidate(viommu, VCMDQ_DATA_SMMUV3, cmds,
			      VCMDQ_CMD_ENTRY_SIZE, &num);
	if (rc || num != 2) {
		fprintf(stderr, "guest-queue: vcmdq_invalidate: %s, %u of 2 done\n",
			strerror(-rc), num);
		goto out;
	}
	printf("slow path: TLBI_NH_ASID(%u) + CMD_SYNC: %u entries done\n",
	       ASID, num);
	ret = 0;
out:
	/* Queues, vIOMMU, mappings, the stage-2: all of it goes here. */
	vcmdq_close(ctx);
	if (ram != MAP_FAILED)
		munmap(ram, GUEST_RAM_SIZE);
	printf("closed: %s\n", ret ? "FAILED" : "ok");
	return ret;
}
