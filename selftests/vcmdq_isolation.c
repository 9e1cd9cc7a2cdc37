// SPDX-License-Identifier: GPL-2.0-only
/*
 * vcmdq isolation selftests: what a compromised VMM holding /dev/vcmdq can
 * do to the host and to other VMs, beyond the ABI checks of vcmdq.c.  Each
 * test is a regression test for a finding of an adversarial review (issue
 * 9), deterministic: fork() and setresuid() for per-user accounting, a
 * ramfs file for file-backed pins, userfaultfd to hold io_uring's entry_num
 * write-back at a known point, and a second process reopening a VFIO group.
 *
 * Run as root inside the test VM (tools/check runs it in both the "iommu"
 * and the "no-iommu" configuration).  Every fixture's teardown checks that
 * live_objects, pinned_pages and contexts are back to their values before
 * setup.  The kselftest_harness.h quirks of vcmdq.c apply here too.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "vcmdq_inv_utils.h"

#pragma GCC diagnostic ignored "-Wsign-compare"

/* An unprivileged user no other test uses, so its locked_vm starts at 0. */
#define ISO_UID 4242

FIXTURE(iso)
{
	int fd;
	struct vcmdq_counters base;
};

FIXTURE_SETUP(iso)
{
	VCMDQ_FIXTURE_OPEN(self);
}

FIXTURE_TEARDOWN(iso)
{
	VCMDQ_FIXTURE_CLOSE(self);
}

/* -- S2_MAP: RLIMIT_MEMLOCK ----------------------------------------------- */

/*
 * In a child: become ISO_UID with RLIMIT_MEMLOCK @limit_pages and map
 * @npages of fresh memory at @gpa into @s2_id of the inherited @fd, then
 * exit leaving the mapping (and its pins) in the shared file.  Exit status:
 * 0 when mapped, the errno otherwise (100 + n for a setup failure).
 */
static int child_map(int fd, __u32 s2_id, __u64 gpa, unsigned long npages,
		     unsigned long limit_pages)
{
	struct rlimit rl = {
		.rlim_cur = limit_pages * PAGE_SIZE,
		.rlim_max = limit_pages * PAGE_SIZE,
	};
	void *mem;

	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		return 101;
	/* root -> ISO_UID clears every capability, CAP_IPC_LOCK with them */
	if (setresgid(ISO_UID, ISO_UID, ISO_UID) ||
	    setresuid(ISO_UID, ISO_UID, ISO_UID))
		return 102;
	if (cap_effective(CAP_IPC_LOCK))
		return 103;
	mem = alloc_pages(npages, PROT_READ | PROT_WRITE, true);
	if (!mem)
		return 104;
	if (_test_cmd_s2_map(fd, s2_id, VCMDQ_S2_MAP_RW, gpa, mem,
			     npages * PAGE_SIZE))
		return errno;
	return 0;
}

static int run_child_map(int fd, __u32 s2_id, __u64 gpa, unsigned long npages,
			 unsigned long limit_pages)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid)
		_exit(child_map(fd, s2_id, gpa, npages, limit_pages));
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * Issue 9 finding 4: the charge must outlive the process.  Each child of
 * one user starts with an empty mm; if the charge sat on the mm, every
 * child could pin a whole RLIMIT_MEMLOCK into the shared file and exit
 * (four children, four limits).  Charged to the user, the second child
 * finds the first one's pages still counted.
 */
TEST_F(iso, memlock_per_user)
{
	const unsigned long limit = 16;
	long pinned = pinned_pages();
	__u32 s2_id, s2_id2;
	int fd2, i;

	test_cmd_s2_alloc(&s2_id);
	for (i = 0; i < 4; i++) {
		int rc = run_child_map(self->fd, s2_id,
				       GPA_BASE + i * limit * PAGE_SIZE, limit,
				       limit);

		EXPECT_EQ(i ? ENOMEM : 0, rc)
			TH_LOG("child %d: %s", i, rc < 100 ? strerror(rc) : "setup");
	}
	/* One limit's worth pinned, not four. */
	EXPECT_EQ(pinned + limit, pinned_pages());

	/* Smaller maps: only what is left of the user's limit (nothing). */
	EXPECT_EQ(ENOMEM, run_child_map(self->fd, s2_id,
					GPA_BASE + 8 * limit * PAGE_SIZE, 1,
					limit));

	/* Unmapping, by anyone, returns the charge to the user who mapped. */
	test_cmd_s2_unmap(s2_id, GPA_BASE, limit * PAGE_SIZE);
	EXPECT_EQ(pinned, pinned_pages());
	EXPECT_EQ(0, run_child_map(self->fd, s2_id, GPA_BASE, limit, limit));

	/* ... and so does closing the file: a new file maps a full limit. */
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(pinned, pinned_pages());
	fd2 = vcmdq_open_dev();
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, _test_cmd_s2_alloc(fd2, 0, &s2_id2));
	EXPECT_EQ(0, run_child_map(fd2, s2_id2, GPA_BASE, limit, limit));
	EXPECT_EQ(pinned + limit, pinned_pages());
	close(fd2);
	EXPECT_EQ(pinned, pinned_pages());
}

/*
 * The mapping process's mm shows the pins (VmPin) while they exist; a
 * CAP_IPC_LOCK caller is not limited.
 */
TEST_F(iso, memlock_vmpin)
{
	__u8 *mem = alloc_pages(8, PROT_READ | PROT_WRITE, true);
	long pin0 = vm_pinned_bytes();
	__u32 s2_id;

	ASSERT_NE(NULL, mem);
	ASSERT_LE(0, pin0);
	test_cmd_s2_alloc(&s2_id);
	test_cmd_s2_map(s2_id, GPA_BASE, mem, 8 * PAGE_SIZE);
	EXPECT_EQ(pin0 + 8 * PAGE_SIZE, vm_pinned_bytes());
	test_cmd_s2_unmap(s2_id, GPA_BASE, 8 * PAGE_SIZE);
	EXPECT_EQ(pin0, vm_pinned_bytes());
}

/*
 * Issue 9 finding 3: a map the limit forbids must fail before anything is
 * sized by it.  2 TiB of 4 KiB pages was a 4 GiB page array: kvmalloc()
 * WARNs past INT_MAX (a panic with panic_on_warn) and the runner fails the
 * run on any WARNING in the log.  @uaddr needs no memory: the limit fails
 * first.  With CAP_IPC_LOCK (no limit) the map costs 8 bytes per 512 pages
 * up front, so it gets as far as pinning, where @uaddr is not mapped.
 */
TEST_F(iso, map_huge_over_limit)
{
	const __u64 huge = 2ULL << 40;
	const __u64 uaddr = 1ULL << 40;
	long pinned = pinned_pages();
	struct rlimit rl = { .rlim_cur = 64 << 10, .rlim_max = 64 << 10 };
	__u32 s2_id;

	test_cmd_s2_alloc(&s2_id);
	/* With CAP_IPC_LOCK: no limit, and no WARN for the page arrays. */
	if (cap_effective(CAP_IPC_LOCK)) {
		EXPECT_ERRNO(EFAULT, _test_cmd_s2_map(self->fd, s2_id,
						      VCMDQ_S2_MAP_RW, GPA_BASE,
						      (void *)uaddr, huge));
	}
	ASSERT_EQ(0, cap_drop_effective(CAP_IPC_LOCK));
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &rl));
	EXPECT_ERRNO(ENOMEM, _test_cmd_s2_map(self->fd, s2_id, VCMDQ_S2_MAP_RW,
					      GPA_BASE, (void *)uaddr, huge));
	/* 1 GiB: within what vmalloc could give, still refused first. */
	EXPECT_ERRNO(ENOMEM, _test_cmd_s2_map(self->fd, s2_id, VCMDQ_S2_MAP_RW,
					      GPA_BASE, (void *)uaddr,
					      1ULL << 30));
	EXPECT_EQ(pinned, pinned_pages());
}

/* -- S2_MAP: long-term writable pins of file pages ------------------------ */

/*
 * Issue 9 finding 10: a writable long-term pin of a file's page cache lets
 * completion stores write behind the filesystem.  S2_MAP refuses it with
 * EFAULT (what Linux 6.5+ GUP answers itself); anonymous memory, shmem and
 * private file mappings (COWed to anonymous by the pin) are fine, and so is
 * a read-only pin.  The VM's root file system is shmem; ramfs is not
 * (built into every kernel), so the file lives on a ramfs mount.
 */
TEST_F(iso, map_file_backed)
{
	char dir[] = "/tmp/vcmdq-iso.XXXXXX", path[64];
	long pinned = pinned_pages();
	void *shared, *priv, *shm;
	int file, memfd;
	__u32 s2_id;

	ASSERT_NE(NULL, mkdtemp(dir));
	if (mount("none", dir, "ramfs", 0, NULL)) {
		rmdir(dir);
		SKIP(return, "cannot mount ramfs: %s", strerror(errno));
	}
	snprintf(path, sizeof(path), "%s/mem", dir);
	file = open(path, O_RDWR | O_CREAT, 0600);
	ASSERT_LE(0, file);
	ASSERT_EQ(0, ftruncate(file, 2 * PAGE_SIZE));
	shared = mmap(NULL, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		      file, 0);
	ASSERT_NE(MAP_FAILED, shared);
	memset(shared, 1, 2 * PAGE_SIZE);
	priv = mmap(NULL, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		    file, 0);
	ASSERT_NE(MAP_FAILED, priv);
	memfd = memfd_create("vcmdq-iso", MFD_CLOEXEC);
	ASSERT_LE(0, memfd);
	ASSERT_EQ(0, ftruncate(memfd, 2 * PAGE_SIZE));
	shm = mmap(NULL, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		   memfd, 0);
	ASSERT_NE(MAP_FAILED, shm);

	test_cmd_s2_alloc(&s2_id);
	/* Writable, shared file (not shmem): EFAULT, nothing left pinned. */
	test_err_s2_map(EFAULT, s2_id, GPA_BASE, shared, 2 * PAGE_SIZE);
	EXPECT_EQ(pinned, pinned_pages());
	test_err_s2_map_flags(EFAULT, s2_id, VCMDQ_S2_MAP_WRITE, GPA_BASE,
			      shared, PAGE_SIZE);
	EXPECT_EQ(pinned, pinned_pages());
	/* Read-only: the pages are never written through the pin. */
	ASSERT_EQ(0, _test_cmd_s2_map(self->fd, s2_id, VCMDQ_S2_MAP_READ,
				      GPA_BASE, shared, 2 * PAGE_SIZE));
	test_cmd_s2_unmap(s2_id, GPA_BASE, 2 * PAGE_SIZE);
	/* Private file mapping: the write pin COWs it to anonymous pages. */
	test_cmd_s2_map(s2_id, GPA_BASE, priv, 2 * PAGE_SIZE);
	test_cmd_s2_unmap(s2_id, GPA_BASE, 2 * PAGE_SIZE);
	/* shmem (memfd), shared: fine. */
	test_cmd_s2_map(s2_id, GPA_BASE, shm, 2 * PAGE_SIZE);
	test_cmd_s2_unmap(s2_id, GPA_BASE, 2 * PAGE_SIZE);
	EXPECT_EQ(pinned, pinned_pages());

	munmap(shm, 2 * PAGE_SIZE);
	munmap(priv, 2 * PAGE_SIZE);
	munmap(shared, 2 * PAGE_SIZE);
	close(memfd);
	close(file);
	unlink(path);
	EXPECT_EQ(0, umount(dir));
	rmdir(dir);
}

/* -- io_uring: each entry executes once ----------------------------------- */

/* First instance taking @data_type on the slow path; -1 if none. */
static int find_data_type(int fd, __u32 data_type, __u32 *instance_id)
{
	struct vcmdq_instance_info info[VCMDQ_MAX_INSTANCES];
	int i, n = vcmdq_instances(fd, info);

	for (i = 0; i < n; i++) {
		if (info[i].data_types & (1U << data_type)) {
			*instance_id = info[i].id;
			return 0;
		}
	}
	return -1;
}

/* The handler side of a write-protected page: see uring_once below. */
struct wp_handler {
	int uffd;
	void *page;
	volatile __u32 *canary;
	int faults;		/* WP faults on @page handled */
	__u32 canary_at_fault;	/* *canary when the first one came */
	int err;		/* an unexpected event or ioctl failure */
};

static void *wp_handler_thread(void *arg)
{
	struct wp_handler *h = arg;
	struct pollfd pfd = { .fd = h->uffd, .events = POLLIN };
	struct uffdio_writeprotect wp = {
		.range = { .start = (uintptr_t)h->page, .len = PAGE_SIZE },
		.mode = 0,	/* un-protect, and wake the faulting thread */
	};
	struct uffd_msg msg;

	/* A bound for a broken kernel, not a synchronization. */
	if (poll(&pfd, 1, 30000) != 1 ||
	    read(h->uffd, &msg, sizeof(msg)) != sizeof(msg) ||
	    msg.event != UFFD_EVENT_PAGEFAULT ||
	    !(msg.arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WP)) {
		h->err = 1;
		return NULL;
	}
	h->faults++;
	h->canary_at_fault = *h->canary;
	if (ioctl(h->uffd, UFFDIO_WRITEPROTECT, &wp))
		h->err = 2;
	return NULL;
}

/*
 * Issue 9 finding 6: io_uring's non-blocking attempt ran the batch, then
 * could not write entry_num back and returned -EAGAIN, so a worker ran the
 * whole batch again, completion stores included.
 *
 * Deterministic: the request struct sits in a page write-protected with
 * userfaultfd, so the non-blocking write-back (page faults disabled) always
 * fails and the first write that may fault raises a WP event, handled by
 * a second thread.  The batch is one CMD_SYNC (CS=IRQ) whose MSI store goes
 * through the S2 into the low word of its own MSI address, in the very
 * memory the batch was submitted from: run once, it rewrites the address
 * in the user copy to point at a canary; run again (re-read from user
 * memory), it stores into the canary.  Once: the canary stays 0, entry_num
 * says 1, the CQE says 0.
 */
TEST_F(iso, uring_once)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_WP };
	struct uffdio_writeprotect wp = { .mode = UFFDIO_WRITEPROTECT_MODE_WP };
	struct vcmdq_invalidate *req;
	struct wp_handler h = {};
	struct io_uring ring;
	struct inv_cmd sync;
	__u32 inst, s2_id, viommu_id;
	__u8 *guest;
	pthread_t thr;
	int res;

	if (find_data_type(self->fd, VCMDQ_DATA_SMMUV3, &inst))
		SKIP(return, "no instance takes SMMUv3 commands");
	ASSERT_EQ(0, io_uring_queue_init(8, &ring, 0));

	/* Guest memory: the batch at GPA_BASE, the canary 0x100 above. */
	guest = alloc_pages(1, PROT_READ | PROT_WRITE, true);
	ASSERT_NE(NULL, guest);
	memset(guest, 0, PAGE_SIZE);
	test_cmd_s2_alloc(&s2_id);
	test_cmd_s2_map(s2_id, GPA_BASE, guest, PAGE_SIZE);
	ASSERT_EQ(0, _test_cmd_viommu_alloc(self->fd, inst, s2_id, 0,
					    &viommu_id, NULL, NULL, NULL));
	/*
	 * MSI address GPA_BASE + 8 (low word of qword 1), data 0x100: once
	 * run, qword 1 reads GPA_BASE + 0x100 (GPA_BASE has a zero low word).
	 */
	sync = smmu_sync(SMMU_SYNC_CS_IRQ, 0x100, GPA_BASE + 8);
	inv_pack(guest, &sync, 1, 16, 16);
	h.canary = (volatile __u32 *)(guest + 0x100);

	/* The request, in its own write-protected page. */
	req = alloc_pages(1, PROT_READ | PROT_WRITE, true);
	ASSERT_NE(NULL, req);
	*req = (struct vcmdq_invalidate){
		.size = sizeof(*req),
		.viommu_id = viommu_id,
		.data_type = VCMDQ_DATA_SMMUV3,
		.entry_len = 16,
		.entry_num = 1,
		.data_uptr = (uintptr_t)guest,
	};
	h.uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (h.uffd < 0)
		SKIP(goto out_ring, "userfaultfd: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(h.uffd, UFFDIO_API, &api));
	reg.range.start = (uintptr_t)req;
	reg.range.len = PAGE_SIZE;
	if (ioctl(h.uffd, UFFDIO_REGISTER, &reg))
		SKIP(goto out_uffd, "userfaultfd write-protect: %s",
		     strerror(errno));
	wp.range = reg.range;
	ASSERT_EQ(0, ioctl(h.uffd, UFFDIO_WRITEPROTECT, &wp));
	h.page = req;
	ASSERT_EQ(0, pthread_create(&thr, NULL, wp_handler_thread, &h));

	ASSERT_EQ(0, uring_submit_one(&ring, self->fd, req, VCMDQ_INVALIDATE,
				      0, 0, &res));
	ASSERT_EQ(0, pthread_join(thr, NULL));

	EXPECT_EQ(0, h.err);
	EXPECT_EQ(1, h.faults);
	EXPECT_EQ(0, res);
	EXPECT_EQ(1, req->entry_num);
	/* It ran: its store rewrote its own MSI address. */
	EXPECT_EQ(0x100, *(volatile __u32 *)(guest + 8));
	/* Exactly once: not before the write-back, not after. */
	EXPECT_EQ(0, h.canary_at_fault);
	EXPECT_EQ(0, *h.canary);

	test_ioctl_destroy(viommu_id);
out_uffd:
	close(h.uffd);
out_ring:
	io_uring_queue_exit(&ring);
}

/*
 * Pages are kept in chunks of 512 page pointers (one page of them) rather
 * than one array per mapping: a mapping over several chunks resolves every
 * page to the right one (a completion store lands in the VMM's memory at
 * the matching offset), and a pin failing in a later chunk unpins the
 * earlier ones.
 */
TEST_F(iso, map_chunks)
{
	const size_t npages = 3 * 512 + 7;
	long pinned = pinned_pages();
	__u32 inst, s2_id, viommu_id, n;
	size_t probe[] = { 0, 511, 512, 1023, 1024, npages - 1 };
	struct inv_cmd c;
	__u8 *mem, buf[16];
	unsigned int i;

	if (find_data_type(self->fd, VCMDQ_DATA_SMMUV3, &inst))
		SKIP(return, "no instance takes SMMUv3 commands");
	mem = alloc_pages(npages, PROT_READ | PROT_WRITE, true);
	ASSERT_NE(NULL, mem);
	memset(mem, 0, npages * PAGE_SIZE);
	test_cmd_s2_alloc(&s2_id);

	/* The last page unmapped: EFAULT after three full chunks pinned. */
	ASSERT_EQ(0, munmap(mem + (npages - 1) * PAGE_SIZE, PAGE_SIZE));
	test_err_s2_map(EFAULT, s2_id, GPA_BASE, mem, npages * PAGE_SIZE);
	EXPECT_EQ(pinned, pinned_pages());
	ASSERT_EQ(mem + (npages - 1) * PAGE_SIZE,
		  mmap(mem + (npages - 1) * PAGE_SIZE, PAGE_SIZE,
		       PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));

	test_cmd_s2_map(s2_id, GPA_BASE, mem, npages * PAGE_SIZE);
	EXPECT_EQ(pinned + npages, pinned_pages());
	ASSERT_EQ(0, _test_cmd_viommu_alloc(self->fd, inst, s2_id, 0,
					    &viommu_id, NULL, NULL, NULL));
	for (i = 0; i < sizeof(probe) / sizeof(probe[0]); i++) {
		__u64 off = probe[i] * PAGE_SIZE + 0x40;

		c = smmu_sync(SMMU_SYNC_CS_IRQ, 0xc0de0000 + i, GPA_BASE + off);
		inv_pack(buf, &c, 1, 16, 16);
		n = 1;
		test_cmd_invalidate(viommu_id, VCMDQ_DATA_SMMUV3, 16, &n, buf);
		EXPECT_EQ(0xc0de0000 + i, *(volatile __u32 *)(mem + off))
			TH_LOG("page %zu", probe[i]);
	}
	test_ioctl_destroy(viommu_id);
	test_cmd_s2_unmap(s2_id, GPA_BASE, npages * PAGE_SIZE);
	EXPECT_EQ(pinned, pinned_pages());
}

/* -- vDEVICE: ownership for the vDEVICE's lifetime ------------------------ */

/*
 * A device of the "devices" parameter whose instance takes SMMUv3 commands
 * (ATC_INV is how a VM reaches a device) and whose IOMMU group presence is
 * @with_group.  Return: false if the VM has none.
 */
static bool find_device(int fd, bool with_group, struct pdev *out)
{
	struct vcmdq_instance_info info[VCMDQ_MAX_INSTANCES];
	struct pdev devs[16];
	int i, j, n = param_devices(0, devs, 16);
	int ninst = vcmdq_instances(fd, info);

	for (i = 0; i < n; i++) {
		if ((pci_iommu_group(devs[i].bdf) >= 0) != with_group)
			continue;
		for (j = 0; j < ninst; j++) {
			if (info[j].id == devs[i].inst &&
			    (info[j].data_types & (1U << VCMDQ_DATA_SMMUV3))) {
				*out = devs[i];
				return true;
			}
		}
	}
	return false;
}

/* A VM: an S2 and a vIOMMU on @inst in file @fd. */
static int vm_alloc(int fd, __u32 inst, __u32 *viommu_id)
{
	__u32 s2_id;

	if (_test_cmd_s2_alloc(fd, 0, &s2_id))
		return -1;
	return _test_cmd_viommu_alloc(fd, inst, s2_id, 0, viommu_id, NULL,
				      NULL, NULL);
}

/* One ATC_INV of every address of guest device @virt_id, by ioctl. */
static int atc_inv(int fd, __u32 viommu_id, __u32 virt_id, __u32 *done)
{
	struct inv_cmd c = smmu_atc(virt_id, false, 0, false,
				    SMMU_ATC_SIZE_ALL, 0);
	__u8 buf[16];

	inv_pack(buf, &c, 1, 16, 16);
	*done = 1;
	return _test_cmd_invalidate(fd, viommu_id, VCMDQ_DATA_SMMUV3, 16,
				    done, buf);
}

/*
 * In a child, a second VM: open @group_path and bind @d in a file of its
 * own.  Exit status: 0 when both worked; else the errno of the open, or
 * 64 + the errno of VDEVICE_ALLOC; 127 for a setup failure.
 */
static int second_vm(const char *group_path, const struct pdev *d)
{
	__u32 viommu_id;
	int fd, group;

	group = open(group_path, O_RDWR | O_CLOEXEC);
	if (group < 0)
		return errno;
	fd = vcmdq_open_dev();
	if (fd < 0 || vm_alloc(fd, d->inst, &viommu_id))
		return 127;
	if (_test_cmd_vdevice_alloc(fd, viommu_id, group, d->pci, 1, NULL,
				    NULL))
		return 64 + errno;
	return 0;
}

static int run_second_vm(const char *group_path, const struct pdev *d)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid)
		_exit(second_vm(group_path, d));
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * The first VM of the group path tests: claim @d for vfio-pci (its group fd
 * is returned, the proof of ownership), a vIOMMU on its instance and a
 * vDEVICE with virtual ID 1; @group_path names the group for a second VM.
 */
static int group_vdevice_alloc(struct __test_metadata *_metadata, int fd,
			       const struct pdev *d, char group_path[64],
			       __u32 *viommu_id, __u32 *vid, __u32 *phys)
{
	char why[160];
	int vf;

	ASSERT_EQ(0, device_claim(d->bdf, &vf, why, sizeof(why)))
		TH_LOG("%s", why);
	snprintf(group_path, 64, "/dev/vfio/%d", pci_iommu_group(d->bdf));
	ASSERT_EQ(0, vm_alloc(fd, d->inst, viommu_id));
	ASSERT_EQ(0, _test_cmd_vdevice_alloc(fd, *viommu_id, vf, d->pci, 1,
					     vid, phys));
	return vf;
}

/*
 * Issue 9 finding 5, VFIO group path ("iommu" VM): the vDEVICE keeps the
 * VFIO group file that proved ownership.  Once the first VM closed its
 * group fd, a second VM (process) used to be able to open the group, while
 * the first VM's ATC invalidations still reached the device (and its own
 * VDEVICE_ALLOC failed with EEXIST).  Now the group stays open, so VFIO
 * refuses the second open with EBUSY; the first VM still reaches the
 * device; destroying the vDEVICE hands the group over.
 *
 * Finding 8 (physical ID): out_phys_id carries the PCI segment, i.e. it
 * equals the VCMDQ_PCI_DEVICE() name; the VM's devices all sit on segment
 * 0 (QEMU's q35 has one), so two segments cannot be tried here.
 */
TEST_F(iso, vdevice_group_held)
{
	__u32 viommu_id, vid, phys, done;
	char group_path[64];
	struct pdev d;
	int vf0;

	if (!find_device(self->fd, true, &d))
		SKIP(return, "no device with an IOMMU group behind an SMMUv3 instance (the \"iommu\" VM has them)");
	vf0 = group_vdevice_alloc(_metadata, self->fd, &d, group_path,
				  &viommu_id, &vid, &phys);
	EXPECT_EQ(d.pci, phys);

	/* The first VM lets go of its fd, not of the device. */
	close(vf0);
	EXPECT_EQ(EBUSY, run_second_vm(group_path, &d));
	/* ... and still reaches it. */
	test_cmd_atc_add(d.inst, phys, 0, 0, 0xfff);
	EXPECT_EQ(0, atc_inv(self->fd, viommu_id, 1, &done));
	EXPECT_EQ(1, done);
	EXPECT_EQ(0, atc_count_sid(self->fd, d.inst, phys));

	/* Destroying the vDEVICE hands the device over. */
	test_ioctl_destroy(vid);
	EXPECT_EQ(0, run_second_vm(group_path, &d));
}

/*
 * The VFIO device file (/dev/vfio/devices/vfioN) of @bdf, found through
 * sysfs' vfio-dev/ directory of the device, into @path.  Return: false on
 * a kernel without VFIO device files (CONFIG_VFIO_DEVICE_CDEV).
 */
static bool vfio_cdev_path(const char *bdf, char *path, size_t len)
{
	char dir[128];
	struct dirent *e;
	bool found = false;
	DIR *d;

	snprintf(dir, sizeof(dir), PCI_SYSFS "%s/vfio-dev", bdf);
	d = opendir(dir);
	if (!d)
		return false;
	/*
	 * vfio-dev/vfioN exists since 6.1; it is a character device (has a
	 * "dev" attribute) only with VFIO device files.
	 */
	while (!found && (e = readdir(d))) {
		char attr[400];

		if (strncmp(e->d_name, "vfio", 4))
			continue;
		snprintf(attr, sizeof(attr), "%s/%s/dev", dir, e->d_name);
		if (access(attr, F_OK))
			continue;
		snprintf(path, len, "/dev/vfio/devices/%s", e->d_name);
		found = true;
	}
	closedir(d);
	return found;
}

/*
 * Issue 11: on a kernel with VFIO device files (the "iommufd" VM) the
 * device's own /dev/vfio/devices/vfioN proves ownership as its group file
 * does.  Another device's file, or a character device that is not VFIO's,
 * proves nothing (EPERM); the vDEVICE keeps the file it was given, so
 * closing the VMM's fd does not end its reach.
 */
TEST_F(iso, vdevice_vfio_device_file)
{
	char path[300], other_path[300];
	__u32 viommu_id, vid, phys, done;
	struct pdev devs[16], d, other;
	int i, n, cdev, other_cdev, null_fd;
	bool have_other = false;

	if (!find_device(self->fd, true, &d))
		SKIP(return, "no device with an IOMMU group behind an SMMUv3 instance (the \"iommu\" VMs have them)");
	ASSERT_EQ(0, pci_bind(d.bdf, "vfio-pci"));
	if (!vfio_cdev_path(d.bdf, path, sizeof(path)))
		SKIP(return, "%s has no VFIO device file: the kernel has no CONFIG_VFIO_DEVICE_CDEV (the \"iommufd\" VM has)", d.bdf);
	n = param_devices(0, devs, 16);
	for (i = 0; i < n && !have_other; i++) {
		if (strcmp(devs[i].bdf, d.bdf) && pci_iommu_group(devs[i].bdf) >= 0) {
			other = devs[i];
			have_other = true;
		}
	}
	ASSERT_TRUE(have_other) TH_LOG("the VM has a second device with a group");
	ASSERT_EQ(0, pci_bind(other.bdf, "vfio-pci"));
	ASSERT_TRUE(vfio_cdev_path(other.bdf, other_path, sizeof(other_path)));

	cdev = open(path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, cdev) TH_LOG("open %s: %s", path, strerror(errno));
	other_cdev = open(other_path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, other_cdev) TH_LOG("open %s: %s", other_path, strerror(errno));
	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, null_fd);
	ASSERT_EQ(0, vm_alloc(self->fd, d.inst, &viommu_id));

	EXPECT_EQ(-1, _test_cmd_vdevice_alloc(self->fd, viommu_id, other_cdev,
					      d.pci, 1, NULL, NULL));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, _test_cmd_vdevice_alloc(self->fd, viommu_id, null_fd,
					      d.pci, 1, NULL, NULL));
	EXPECT_EQ(EPERM, errno);
	ASSERT_EQ(0, _test_cmd_vdevice_alloc(self->fd, viommu_id, cdev, d.pci,
					     1, &vid, &phys));
	EXPECT_EQ(d.pci, phys);

	/* The vDEVICE holds the file: the VM still reaches the device. */
	close(cdev);
	test_cmd_atc_add(d.inst, phys, 0, 0, 0xfff);
	EXPECT_EQ(0, atc_inv(self->fd, viommu_id, 1, &done));
	EXPECT_EQ(1, done);
	EXPECT_EQ(0, atc_count_sid(self->fd, d.inst, phys));

	test_ioctl_destroy(vid);
	test_ioctl_destroy(viommu_id);
	close(other_cdev);
	close(null_fd);
}

/*
 * Issue 9 finding 5, VFIO group path, the other way to lose the device:
 * vfio-pci unbinding from it.  The group file no longer reaches the device,
 * so the vDEVICE is revoked: the VM's ATC invalidations naming it fail
 * (EIO) and leave the device's ATC alone, and the group file is released,
 * so once the device is back on vfio-pci a second VM can take it.
 */
TEST_F(iso, vdevice_group_unbind_revokes)
{
	__u32 viommu_id, vid, phys, done;
	char group_path[64], path[128];
	struct pdev d;
	int vf0;

	if (!find_device(self->fd, true, &d))
		SKIP(return, "no device with an IOMMU group behind an SMMUv3 instance (the \"iommu\" VM has them)");
	vf0 = group_vdevice_alloc(_metadata, self->fd, &d, group_path,
				  &viommu_id, &vid, &phys);
	close(vf0);

	/* vfio-pci lets the device go. */
	snprintf(path, sizeof(path), PCI_SYSFS "%s/driver/unbind", d.bdf);
	ASSERT_EQ(0, write_str(path, d.bdf));
	test_cmd_atc_add(d.inst, phys, 0, 0, 0xfff);
	EXPECT_ERRNO(EIO, atc_inv(self->fd, viommu_id, 1, &done));
	EXPECT_EQ(0, done);
	EXPECT_EQ(1, atc_count_sid(self->fd, d.inst, phys));

	/* Back on vfio-pci, the group is free for a second VM. */
	ASSERT_EQ(0, pci_bind(d.bdf, "vfio-pci"));
	EXPECT_EQ(0, run_second_vm(group_path, &d));
	/* The revoked vDEVICE is an object still, destroyed as usual. */
	test_ioctl_destroy(vid);
	/* The second VM's exit dropped the device's ATC entries. */
	EXPECT_EQ(0, atc_count_sid(self->fd, d.inst, phys));
}

/*
 * Issue 9 finding 5, no-group path ("no-iommu" VM, pci-stub loaded): root
 * named a device no driver had; a driver binding later takes it from the
 * VM.  The vDEVICE is revoked: the VM's ATC invalidations naming it fail
 * as for an unknown device (EIO) and leave the device's ATC alone, and the
 * device is free for a new vDEVICE once no driver has it.
 */
TEST_F(iso, vdevice_no_group_revoked)
{
	__u32 viommu_id, viommu2, vid, vid2, phys, done;
	char path[128], drv[64];
	struct pdev d;
	int fd2;

	if (!find_device(self->fd, false, &d))
		SKIP(return, "no device without an IOMMU group behind an SMMUv3 instance (the \"no-iommu\" VM has them)");
	if (access("/sys/bus/pci/drivers/pci-stub", F_OK))
		SKIP(return, "needs pci-stub (tools/check loads it in the \"no-iommu\" VM)");
	pci_driver(d.bdf, drv, sizeof(drv));
	ASSERT_EQ(0, drv[0]) TH_LOG("%s is bound to %s", d.bdf, drv);
	ASSERT_EQ(0, vm_alloc(self->fd, d.inst, &viommu_id));
	test_cmd_vdevice_alloc(viommu_id, -1, d.pci, 7, &vid, &phys);
	EXPECT_EQ(d.pci, phys);

	/* A host driver takes the device. */
	ASSERT_EQ(0, pci_bind(d.bdf, "pci-stub"));
	test_cmd_atc_add(d.inst, phys, 0, 0, 0xfff);
	EXPECT_ERRNO(EIO, atc_inv(self->fd, viommu_id, 7, &done));
	EXPECT_EQ(0, done);
	EXPECT_EQ(1, atc_count_sid(self->fd, d.inst, phys));

	/* Released by the driver, the device can be named again. */
	snprintf(path, sizeof(path), PCI_SYSFS "%s/driver/unbind", d.bdf);
	ASSERT_EQ(0, write_str(path, d.bdf));
	snprintf(path, sizeof(path), PCI_SYSFS "%s/driver_override", d.bdf);
	ASSERT_EQ(0, write_str(path, "\n"));
	fd2 = vcmdq_open_dev();
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, vm_alloc(fd2, d.inst, &viommu2));
	EXPECT_EQ(0, _test_cmd_vdevice_alloc(fd2, viommu2, -1, d.pci, 7,
					     &vid2, NULL))
		TH_LOG("second VDEVICE_ALLOC: %s", strerror(errno));
	/* The revoked vDEVICE is an object still, destroyed as usual. */
	test_ioctl_destroy(vid);
	/* Closing drops the device's ATC entries (the one added above). */
	close(fd2);
	EXPECT_EQ(0, atc_count_sid(self->fd, d.inst, phys));
}

TEST_HARNESS_MAIN
