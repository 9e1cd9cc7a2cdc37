/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vcmdq-bench: the parts that run against the module (main.c, setup.c,
 * modes.c): VM contexts and submitters, all through libvcmdq.
 */
#ifndef VCMDQ_BENCH_RUN_H
#define VCMDQ_BENCH_RUN_H

#include <liburing.h>
#include <pthread.h>

#include <vcmdq/vcmdq.h>
#include <vcmdq/fastpath.h>

#include "bench.h"

/* One vIOMMU of a VM, with the queues bound on it so far. */
struct vm_viommu {
	const struct vcmdq_instance *inst;
	struct vcmdq_viommu *vi;	/* in vm->ctx (ioctl slow path) */
	struct vcmdq_viommu *uvi;	/* in vm->uctx (io_uring slow path) */
	unsigned int nr_queues;
};

/*
 * One VM: a libvcmdq context with its guest memory at GPA 0.  The library
 * chooses the slow path's transport per context, at open, so the uring mode
 * has a second context (a second vIOMMU slot on the instance) with
 * VCMDQ_OPEN_URING.
 */
struct vm {
	struct vcmdq_ctx *ctx;
	struct vcmdq_ctx *uctx;		/* NULL unless the uring mode runs */
	void *mem_map;			/* the mmap, for munmap */
	size_t mem_map_len;
	void *mem;			/* guest memory, GPA 0 .. mem_len */
	size_t mem_len;
	unsigned int nr_qslots;		/* queues placed in mem so far */
	struct vm_viommu vi[MAX_INSTANCES];
	unsigned int nr_vi;
};

/* The floor's two threads share this: PROD and CONS on their own lines. */
struct floor_ring {
	_Alignas(64) uint32_t prod;
	_Alignas(64) uint32_t cons;
	_Alignas(64) int stop;
	_Alignas(64) uint64_t ent[];
};

/*
 * --depth > 1: requests kept in flight on the submitter's own ring.
 * libvcmdq's vcmdq_invalidate() is synchronous (one call, one wait), so
 * this is the one slow path the bench still drives by hand (raw
 * VCMDQ_INVALIDATE uring_cmds on the context's fd).
 */
struct uring_async {
	struct io_uring ring;
	bool ok;
	int fd_index;			/* -1: plain fd */
	struct vcmdq_invalidate *reqs;	/* one per depth slot */
	uint64_t *t_submit;		/* submission time per slot */
};

struct upstream_vm;	/* upstream.c */

struct submitter {
	unsigned int idx;
	pthread_t thread;
	struct vm *vm;
	struct vm_viommu *vv;
	struct vcmdq_sq sq;		/* fast path (libvcmdq) */
	bool sq_ok;
	uint32_t queue_index;
	void *cmds;			/* batch entries for the slow paths */
	struct uring_async ua;		/* uring with --depth > 1 */
	struct upstream_vm *up;		/* upstream: its VM's iommufd chain */
	struct floor_ring *floor;	/* floor */
	size_t floor_len;
	pthread_t floor_thread;
	/* the cell being run */
	enum mode mode;
	unsigned int batch;
	struct result res;
};

extern struct submitter subs[MAX_THREADS];
extern long ncpus;
extern bool have_test_ioctl;
extern uint64_t spin_ns;		/* this cell's spin window of a poll */

void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...);
void __attribute__((format(printf, 1, 2))) warn(const char *fmt, ...);
void *xcalloc(size_t n, size_t size);
uint64_t now_ns(void);
int read_line(const char *path, char *buf, size_t len);
long param_read(const char *name);
int param_read_bool(const char *name);
long sysfs_counter(const char *name);
const char *flavor_name(uint32_t flavor);

/* setup.c */
void setup_open(struct bench_env *env, bool *need_fast);
void setup(struct bench_env *env, bool need_fast, bool need_uring);
void pin_engines(void);
void unpin_engines(void);
void teardown(void);
double setup_fill(void);
void teardown_fill(void);
void check_model(struct submitter *s);
void pin_to(unsigned int cpu);
unsigned int submitter_cpu(unsigned int i);
unsigned int nr_used_instances(void);

/* modes.c */
void run_batch(struct submitter *s, uint64_t *lat_ns);
void run_cell(struct bench_report *rep, enum mode mode, unsigned int bi);
double clock_cost_ns(void);
bool uring_async_setup(struct submitter *s);
void uring_async_fini(struct submitter *s);

/* upstream.c */
bool upstream_probe(char *why, size_t len);
void upstream_setup(void);
void upstream_teardown(void);
void upstream_batch(struct submitter *s, uint64_t *lat_ns);

#endif /* VCMDQ_BENCH_RUN_H */
