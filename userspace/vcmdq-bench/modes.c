// SPDX-License-Identifier: GPL-2.0
/*
 * vcmdq-bench: the modes (table.c says what each one is), one batch each,
 * and a cell: one mode at one batch size, run by every submitter thread at
 * once after a warm-up, merged into a struct cell.
 *
 * The fast path is libvcmdq's producer (fastpath.h: reserve, prep, submit,
 * kick, wait); the slow paths are vcmdq_invalidate() on an ioctl context
 * and on a VCMDQ_OPEN_URING context; upstream iommufd's is in upstream.c.
 * The floor is the bench's own by
 * nature: the same protocol over a bare ring between two threads, with the
 * same named barriers.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <endian.h>
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "run.h"

uint64_t spin_ns;
static pthread_barrier_t cell_barrier;

static inline void cpu_relax(void)
{
	if (!opts.relax_pause) {
		__asm__ __volatile__("" ::: "memory");
		return;
	}
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

static void sleep_us(unsigned int us)
{
	struct timespec ts = { .tv_sec = us / 1000000,
			       .tv_nsec = (long)(us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/*
 * What one clock_gettime(CLOCK_MONOTONIC) costs here, in ns: the median of
 * back-to-back pairs.  Every latency below holds about one such call (a
 * vDSO read with a TSC clocksource; with hpet or acpi_pm, a slow device
 * read, which matters under emulation).
 */
double clock_cost_ns(void)
{
	uint32_t d[1001];
	unsigned int i;

	for (i = 0; i < 1001; i++) {
		uint64_t a = now_ns(), b = now_ns();

		d[i] = (uint32_t)(b - a);
	}
	stats_sort(d, 1001);
	return d[500];
}

/*
 * A wait by polling: spin (cpu_relax) for spin_ns, then sched_yield() at
 * every step, so that a waiter sharing its CPU with whoever it waits for
 * (the engine thread, the floor's consumer) lets it run.  The scheduler
 * may well put them together: a KICK wakes the engine where it likes.
 */
struct poller {
	uint64_t spin_until, deadline;
	unsigned long n;
	bool yielding;
};

static inline void poller_init(struct poller *p, uint64_t t0,
			       uint64_t timeout_ns)
{
	p->spin_until = t0 + spin_ns;
	p->deadline = timeout_ns ? t0 + timeout_ns : UINT64_MAX;
	p->n = 0;
	p->yielding = !spin_ns;
}

/* One step of a wait.  Return: false once the deadline has passed. */
static inline bool poller_step(struct poller *p)
{
	uint64_t t;

	if (p->yielding) {
		sched_yield();
		if (++p->n & 15)
			return true;
	} else {
		cpu_relax();
		if (++p->n & 63)
			return true;
	}
	t = now_ns();
	if (t >= p->spin_until)
		p->yielding = true;
	return t < p->deadline;
}

/* The poller as libvcmdq's vcmdq_backoff_fn for __vcmdq_sq_wait(). */
static int poller_backoff(void *arg, unsigned int iter)
{
	return poller_step(arg) ? 0 : -ETIMEDOUT;
}

/* Fill @e with @n TLBI_NH_VA (a 4 KiB page each) and a CMD_SYNC. */
static void fill_batch(uint64_t *e, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		vcmdq_prep_tlbi_nh_va(e + 2 * i, opts.asid,
				      BENCH_VA + (uint64_t)i * 4096, true, 0, 0,
				      0, 0);
	vcmdq_prep_sync(e + 2 * n);
}

/* ---- fast, fast-nokick -------------------------------------------------------- */

static void __attribute__((noreturn)) fast_fail(struct submitter *s,
						uint32_t sync, const char *why)
{
	struct vcmdq_sq *sq = &s->sq;

	die("%s: vIOMMU %u queue %u: %s: PROD 0x%x sync at 0x%x CONS 0x%x STATUS 0x%x GERROR 0x%x GERRORN 0x%x",
	    bench_modes[s->mode].name, vcmdq_viommu_id(s->vv->vi),
	    s->queue_index, why, sq->prod, sync,
	    __vcmdq_load_cons_acquire(sq),
	    __vcmdq_load_reg_acquire(sq, VCMDQ_CTRL_STATUS),
	    __vcmdq_load_reg_acquire(sq, VCMDQ_CTRL_GERROR),
	    __vcmdq_load_reg_acquire(sq, VCMDQ_CTRL_GERRORN));
}

static void fast_kick(struct submitter *s)
{
	int rc = vcmdq_sq_kick(&s->sq);

	if (rc)
		die("%s: vcmdq_sq_kick: %s", bench_modes[s->mode].name,
		    strerror(-rc));
	s->res.kicks++;
}

/*
 * What a guest driver does with its VCMDQ, through libvcmdq's inline
 * producer: reserve N+1 entries, prep them in place, one release store of
 * PROD (submit; it then reads NEED_WAKEUP after a full barrier), kick when
 * asked, wait for CONS to pass the CMD_SYNC.  The queue is empty at the
 * start of each batch (the previous one was waited for), so CONS must land
 * exactly on PROD.
 */
static void fast_batch(struct submitter *s, uint64_t *lat_ns)
{
	struct vcmdq_sq *sq = &s->sq;
	unsigned int n = s->batch, i;
	struct vcmdq_sq_error err;
	uint32_t pos, sync;
	struct poller p;
	uint64_t t0;
	bool wake;
	int rc;

	t0 = now_ns();
	rc = __vcmdq_sq_reserve(sq, n + 1, &pos);
	if (rc)
		fast_fail(s, sq->prod, rc == -EAGAIN ? "queue full" :
				       "batch larger than the queue");
	for (i = 0; i < n; i++)
		vcmdq_prep_tlbi_nh_va(__vcmdq_sq_entry(sq, pos + i), opts.asid,
				      BENCH_VA + (uint64_t)i * 4096, true, 0, 0,
				      0, 0);
	sync = (pos + n) & (2 * sq->wrap - 1);
	vcmdq_prep_sync(__vcmdq_sq_entry(sq, sync));
	wake = __vcmdq_sq_submit(sq, n + 1);
	if (wake)
		s->res.wakes++;
	if (s->mode == MODE_FAST &&
	    (opts.kick_policy == KICK_ALWAYS ||
	     (wake && opts.kick_policy == KICK_AUTO)))
		fast_kick(s);

	poller_init(&p, t0, POLL_TIMEOUT_NS);
	rc = __vcmdq_sq_wait(sq, sync, 0, poller_backoff, &p, &err);
	*lat_ns = now_ns() - t0;
	if (rc == -EIO)
		fast_fail(s, sync, "the queue stopped on CONS.ERR");
	if (rc)
		fast_fail(s, sync, "CONS did not pass the CMD_SYNC");
	if (sq->cached_cons != sq->prod)
		fast_fail(s, sync, "CONS did not land on PROD");
}

/* ---- slow-batch, slow-single, uring ------------------------------------------ */

/* @n entries of s->cmds from @first through the context's slow path. */
static void invalidate(struct submitter *s, struct vcmdq_viommu *vi,
		       unsigned int first, unsigned int n)
{
	uint32_t num = n;
	int rc;

	rc = vcmdq_invalidate(vi, VCMDQ_DATA_SMMUV3,
			      (char *)s->cmds + (size_t)first * ENT_SIZE,
			      ENT_SIZE, &num);
	if (rc)
		die("%s: vcmdq_invalidate of %u entries: %s (%u took effect)",
		    bench_modes[s->mode].name, n, strerror(-rc), num);
	if (num != n)
		die("%s: vcmdq_invalidate handled %u of %u entries",
		    bench_modes[s->mode].name, num, n);
}

static void slow_batch(struct submitter *s, uint64_t *lat_ns)
{
	uint64_t t0 = now_ns();

	invalidate(s, s->vv->vi, 0, s->batch + 1);
	*lat_ns = now_ns() - t0;
}

static void slow_single(struct submitter *s, uint64_t *lat_ns)
{
	uint64_t t0 = now_ns();
	unsigned int i;

	for (i = 0; i <= s->batch; i++)
		invalidate(s, s->vv->vi, i, 1);
	*lat_ns = now_ns() - t0;
}

/* Depth 1: the library's io_uring transport, one submit-and-wait a batch. */
static void uring_batch(struct submitter *s, uint64_t *lat_ns)
{
	uint64_t t0 = now_ns();

	invalidate(s, s->vv->uvi, 0, s->batch + 1);
	*lat_ns = now_ns() - t0;
}

/*
 * --depth > 1: the submitter's own ring keeps that many requests in flight
 * (libvcmdq has no asynchronous slow path call, see run.h).
 */
bool uring_async_setup(struct submitter *s)
{
	struct uring_async *ua = &s->ua;
	int rc, fd = vcmdq_fd(s->vm->uctx);

	rc = io_uring_queue_init(opts.uring_depth, &ua->ring, 0);
	if (rc) {
		warn("io_uring_queue_init(%u): %s", opts.uring_depth,
		     strerror(-rc));
		return false;
	}
	ua->fd_index = -1;
	if (opts.uring_fixed) {
		rc = io_uring_register_files(&ua->ring, &fd, 1);
		if (rc)
			warn("io_uring_register_files: %s: using the plain fd",
			     strerror(-rc));
		else
			ua->fd_index = 0;
	}
	ua->reqs = xcalloc(opts.uring_depth, sizeof(*ua->reqs));
	ua->t_submit = xcalloc(opts.uring_depth, sizeof(*ua->t_submit));
	ua->ok = true;
	return true;
}

void uring_async_fini(struct submitter *s)
{
	struct uring_async *ua = &s->ua;

	if (ua->ok) {
		/*
		 * Unregister the fd first: unregistering waits for the ring
		 * to drop it, while the ring's own teardown is deferred to a
		 * workqueue and would release the VM context after we exit.
		 */
		if (ua->fd_index >= 0)
			io_uring_unregister_files(&ua->ring);
		io_uring_queue_exit(&ua->ring);
	}
	free(ua->reqs);
	free(ua->t_submit);
	memset(ua, 0, sizeof(*ua));
}

/* IORING_OP_URING_CMD, cmd_op VCMDQ_INVALIDATE; liburing 2.3 has no prep. */
static void uring_prep(struct submitter *s, unsigned int slot)
{
	struct uring_async *ua = &s->ua;
	struct io_uring_sqe *sqe = io_uring_get_sqe(&ua->ring);
	struct vcmdq_invalidate *req = &ua->reqs[slot];
	struct vcmdq_uring_cmd payload;

	if (!sqe)
		die("uring: no free SQE");
	*req = (struct vcmdq_invalidate){
		.size = sizeof(*req),
		.viommu_id = vcmdq_viommu_id(s->vv->uvi),
		.data_type = VCMDQ_DATA_SMMUV3,
		.entry_len = ENT_SIZE,
		.entry_num = s->batch + 1,
		.data_uptr = (uintptr_t)s->cmds,
	};
	payload = (struct vcmdq_uring_cmd){ .req_uptr = (uintptr_t)req };
	io_uring_prep_rw(IORING_OP_URING_CMD, sqe,
			 ua->fd_index >= 0 ? ua->fd_index :
					     vcmdq_fd(s->vm->uctx),
			 NULL, 0, 0);
	if (ua->fd_index >= 0)
		sqe->flags |= IOSQE_FIXED_FILE;
	sqe->cmd_op = VCMDQ_INVALIDATE;
	memcpy((uint8_t *)sqe + offsetof(struct io_uring_sqe, addr3), &payload,
	       sizeof(payload));
	sqe->user_data = slot;
	ua->t_submit[slot] = now_ns();
}

/* Reap one completion: check it, return its slot and latency. */
static unsigned int uring_reap(struct submitter *s, struct io_uring_cqe *cqe,
			       uint64_t *lat_ns)
{
	struct uring_async *ua = &s->ua;
	unsigned int slot = (unsigned int)cqe->user_data;

	if (cqe->user_data >= opts.uring_depth)
		die("uring: CQE with unknown user_data %llu",
		    (unsigned long long)cqe->user_data);
	*lat_ns = now_ns() - ua->t_submit[slot];
	if (cqe->res < 0)
		die("uring: VCMDQ_INVALIDATE of %u entries: %s (entry_num %u)",
		    s->batch + 1, strerror(-cqe->res), ua->reqs[slot].entry_num);
	if (ua->reqs[slot].entry_num != s->batch + 1)
		die("uring: VCMDQ_INVALIDATE handled %u of %u entries",
		    ua->reqs[slot].entry_num, s->batch + 1);
	io_uring_cqe_seen(&ua->ring, cqe);
	return slot;
}

static void uring_loop(struct submitter *s)
{
	struct result *r = &s->res;
	unsigned int inflight = 0, slot;
	uint64_t submitted = 0, deadline;
	bool stop = false;
	int rc;

	deadline = r->t_start + (uint64_t)(opts.run_seconds * 1e9);
	for (slot = 0; slot < opts.uring_depth; slot++) {
		uring_prep(s, slot);
		submitted++;
		inflight++;
	}
	while (inflight) {
		struct io_uring_cqe *cqe;
		uint64_t lat;

		rc = io_uring_submit_and_wait(&s->ua.ring, 1);
		if (rc < 0)
			die("uring: io_uring_submit_and_wait: %s", strerror(-rc));
		while (!io_uring_peek_cqe(&s->ua.ring, &cqe)) {
			slot = uring_reap(s, cqe, &lat);
			if (result_add(r, lat))
				die("out of memory for latency samples");
			inflight--;
			if (!stop)
				stop = opts.run_iters ? submitted >= opts.run_iters :
							now_ns() >= deadline;
			if (!stop) {
				uring_prep(s, slot);
				submitted++;
				inflight++;
			}
		}
	}
}

/* ---- floor -------------------------------------------------------------------- */

/*
 * The floor's ring, with the fast path's barriers named the same way.
 * PROD: the producer's release store pairs with the consumer's acquire
 * load, so entries written before it are read whole.  CONS: the consumer's
 * release store pairs with the producer's acquire load, so a slot is
 * reused only after it was read.
 */
static inline void floor_store_prod_release(struct floor_ring *f, uint32_t v)
{
	__atomic_store_n(&f->prod, v, __ATOMIC_RELEASE);
}

static inline uint32_t floor_load_prod_acquire(const struct floor_ring *f)
{
	return __atomic_load_n(&f->prod, __ATOMIC_ACQUIRE);
}

static inline void floor_store_cons_release(struct floor_ring *f, uint32_t v)
{
	__atomic_store_n(&f->cons, v, __ATOMIC_RELEASE);
}

static inline uint32_t floor_load_cons_acquire(const struct floor_ring *f)
{
	return __atomic_load_n(&f->cons, __ATOMIC_ACQUIRE);
}

/*
 * The consumer: the engine's part, over plain memory.  It checks every
 * entry it reads (the opcode), so the data really crosses.
 */
static void *floor_consumer(void *arg)
{
	struct submitter *s = arg;
	struct floor_ring *f = s->floor;
	unsigned int nent = opts.qsize / ENT_SIZE, mask2 = 2 * nent - 1;
	uint32_t cons = f->cons;
	struct poller p;

	pin_to(2 * s->idx + 1);
	poller_init(&p, now_ns(), 0);
	while (!__atomic_load_n(&f->stop, __ATOMIC_RELAXED)) {
		uint32_t prod = floor_load_prod_acquire(f);

		if (prod == cons) {
			poller_step(&p);
			continue;
		}
		while (cons != prod) {
			const uint64_t *e = &f->ent[2 * (cons & (nent - 1))];
			uint64_t op = le64toh(e[0]) & 0xff;

			if (op != VCMDQ_CMD_OP_TLBI_NH_VA &&
			    op != VCMDQ_CMD_OP_CMD_SYNC)
				die("floor: consumer read a torn entry 0x%llx",
				    (unsigned long long)le64toh(e[0]));
			cons = (cons + 1) & mask2;
		}
		floor_store_cons_release(f, cons);
		/* Like the engine: spin again for a while after work. */
		if (p.yielding)
			poller_init(&p, now_ns(), 0);
	}
	return NULL;
}

static void floor_batch(struct submitter *s, uint64_t *lat_ns)
{
	struct floor_ring *f = s->floor;
	unsigned int nent = opts.qsize / ENT_SIZE, mask2 = 2 * nent - 1, i;
	uint32_t prod = f->prod;
	struct poller p;
	uint64_t t0;

	t0 = now_ns();
	for (i = 0; i <= s->batch; i++) {
		uint64_t *e = &f->ent[2 * (prod & (nent - 1))];

		if (i < s->batch)
			vcmdq_prep_tlbi_nh_va(e, opts.asid,
					      BENCH_VA + (uint64_t)i * 4096,
					      true, 0, 0, 0, 0);
		else
			vcmdq_prep_sync(e);
		prod = (prod + 1) & mask2;
	}
	floor_store_prod_release(f, prod);
	poller_init(&p, t0, POLL_TIMEOUT_NS);
	while (floor_load_cons_acquire(f) != prod)
		if (!poller_step(&p))
			die("floor: the consumer thread did not answer");
	*lat_ns = now_ns() - t0;
}

/* ---- one batch, one cell ---------------------------------------------------- */

void run_batch(struct submitter *s, uint64_t *lat_ns)
{
	switch (s->mode) {
	case MODE_FLOOR:
		floor_batch(s, lat_ns);
		break;
	case MODE_FAST:
	case MODE_FAST_NOKICK:
		fast_batch(s, lat_ns);
		break;
	case MODE_URING:
		uring_batch(s, lat_ns);
		break;
	case MODE_SLOW_BATCH:
		slow_batch(s, lat_ns);
		break;
	case MODE_SLOW_SINGLE:
		slow_single(s, lat_ns);
		break;
	case MODE_UPSTREAM:
		upstream_batch(s, lat_ns);
		break;
	case NR_MODES:
		break;
	}
}

static inline bool cell_done(uint64_t n, uint64_t deadline)
{
	if (opts.run_iters)
		return n >= opts.run_iters;
	return now_ns() >= deadline;
}

static void *submitter_fn(void *arg)
{
	struct submitter *s = arg;
	struct result *r = &s->res;
	uint64_t lat, deadline;
	unsigned int i;
	int rc;

	if (s->mode == MODE_FLOOR)
		pin_to(2 * s->idx);
	else if (opts.pin_cpus)
		pin_to(submitter_cpu(s->idx));
	if (s->mode == MODE_FLOOR) {
		memset(s->floor, 0, s->floor_len);
		rc = pthread_create(&s->floor_thread, NULL, floor_consumer, s);
		if (rc)
			die("pthread_create: %s", strerror(rc));
	}
	fill_batch(s->cmds, s->batch);

	/*
	 * Untimed: fault everything in, wake the engine, check the model
	 * (upstream checked the mock's device cache at set-up).
	 */
	if (have_test_ioctl && opts.verify_model && s->mode != MODE_FLOOR &&
	    s->mode != MODE_UPSTREAM)
		check_model(s);
	for (i = 0; i < opts.warmup; i++)
		run_batch(s, &lat);
	if (opts.think_us)
		sleep_us(opts.think_us);

	pthread_barrier_wait(&cell_barrier);
	r->kicks = r->wakes = 0;	/* count the timed batches only */
	r->t_start = now_ns();
	deadline = r->t_start + (uint64_t)(opts.run_seconds * 1e9);
	if (s->mode == MODE_URING && opts.uring_depth > 1) {
		uring_loop(s);
	} else {
		while (!cell_done(r->seen, deadline)) {
			run_batch(s, &lat);
			if (result_add(r, lat))
				die("out of memory for latency samples");
			if (opts.think_us)
				sleep_us(opts.think_us);
		}
	}
	r->t_end = now_ns();

	if (s->mode == MODE_FLOOR) {
		__atomic_store_n(&s->floor->stop, 1, __ATOMIC_RELAXED);
		pthread_join(s->floor_thread, NULL);
	}
	return NULL;
}

void run_cell(struct bench_report *rep, enum mode mode, unsigned int bi)
{
	struct cell *c = &rep->cells[bi][mode];
	uint64_t t_min = UINT64_MAX, t_max = 0, sum = 0, max = 0;
	size_t total = 0, k = 0;
	uint32_t *all;
	unsigned int i;
	int rc;

	/* Spinning threads (+ the engines) beyond the CPUs yield at once. */
	if (opts.spin_us >= 0) {
		spin_ns = (uint64_t)opts.spin_us * 1000;
	} else {
		unsigned int busy = opts.nr_threads;

		if (mode == MODE_FLOOR)
			busy *= 2;
		if (mode == MODE_FAST || mode == MODE_FAST_NOKICK)
			busy += nr_used_instances();
		spin_ns = busy > (unsigned long)ncpus ? 0 : 50000;
	}

	rc = pthread_barrier_init(&cell_barrier, NULL, opts.nr_threads);
	if (rc)
		die("pthread_barrier_init: %s", strerror(rc));
	for (i = 0; i < opts.nr_threads; i++) {
		struct submitter *s = &subs[i];

		s->mode = mode;
		s->batch = opts.batches[bi];
		if (result_reset(&s->res, i * 7919 + bi * 31 + mode))
			die("out of memory for latency samples");
		rc = pthread_create(&s->thread, NULL, submitter_fn, s);
		if (rc)
			die("pthread_create: %s", strerror(rc));
	}
	for (i = 0; i < opts.nr_threads; i++)
		pthread_join(subs[i].thread, NULL);
	pthread_barrier_destroy(&cell_barrier);

	memset(c, 0, sizeof(*c));
	c->mode = mode;
	c->batch = opts.batches[bi];
	c->ran = true;
	for (i = 0; i < opts.nr_threads; i++) {
		struct result *r = &subs[i].res;

		total += r->nr_samples;
		c->batches += r->seen;
		sum += r->sum_ns;
		if (r->max_ns > max)
			max = r->max_ns;
		if (r->t_start < t_min)
			t_min = r->t_start;
		if (r->t_end > t_max)
			t_max = r->t_end;
		c->kicks += r->kicks;
		c->wakes += r->wakes;
	}
	all = xcalloc(total ? total : 1, sizeof(*all));
	for (i = 0; i < opts.nr_threads; i++) {
		memcpy(all + k, subs[i].res.samples,
		       subs[i].res.nr_samples * sizeof(*all));
		k += subs[i].res.nr_samples;
	}
	stats_sort(all, total);
	c->cmds = c->batches * c->batch;
	c->wall_s = (t_max - t_min) / 1e9;
	c->ops_s = c->wall_s > 0 ? c->cmds / c->wall_s : 0;
	stats_summarize(c, all, total);
	c->max_ns = max;
	c->mean_ns = c->batches ? (double)sum / c->batches : 0;
	c->ratio = -1;
	free(all);
}
