/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vcmdq-bench: what one guest IOMMU invalidation costs on each vcmdq path,
 * measured side by side in one run.  Shared declarations of its parts:
 *
 *   main.c     options, the order of the run
 *   table.c    the table of modes (name, what it measures, what it models,
 *              what it needs)
 *   setup.c    VM contexts, vIOMMUs, queues through libvcmdq; engine
 *              pinning; the IOTLB model check (the VCMDQ_TEST hook)
 *   modes.c    each mode's batch, and one cell (mode x batch size) run by
 *              every submitter thread
 *   upstream.c the mode "upstream": upstream iommufd's trapped path,
 *              IOMMU_HWPT_INVALIDATE through the IOMMUFD_TEST mock vIOMMU
 *   stats.c    latency samples, percentiles, the CDF kept per cell
 *   output.c   the human tables, the mode matrix, CSV, JSON
 *   plot.c     the SVG writer: latency CDFs per mode x batch size
 *
 * stats.c, output.c, plot.c and table.c need neither the module nor the
 * library: tests/unit/test_bench_output.c feeds them synthetic results.
 */
#ifndef VCMDQ_BENCH_H
#define VCMDQ_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MAX_INSTANCES		64
#define MAX_BATCHES		16
#define FILL_MAX		100000	/* --fill: other VMs' entries, at most */
#define MAX_THREADS		64
#define ENT_SIZE		16
#define POLL_TIMEOUT_NS		(5ULL * 1000 * 1000 * 1000)
#define BENCH_VA		0x10000000ULL	/* first page the TLBIs name */

/* ---- modes (table.c) ------------------------------------------------------ */

enum mode {
	MODE_FLOOR,
	MODE_FAST,
	MODE_FAST_NOKICK,
	MODE_URING,
	MODE_SLOW_BATCH,
	MODE_SLOW_SINGLE,
	MODE_UPSTREAM,
	NR_MODES,
};

/**
 * struct mode_desc - one row of the table of modes
 * @name: the --mode name, and "mode" in the JSON and CSV output
 * @measures: what one timed batch is
 * @models: what in a real VM it stands for
 * @needs: what it needs to run
 * @in_all: part of --mode all
 */
struct mode_desc {
	const char *name;
	const char *measures;
	const char *models;
	const char *needs;
	bool in_all;
};

extern const struct mode_desc bench_modes[NR_MODES];

#define MODE_BIT(m)	(1U << (m))
#define MODES_FAST	(MODE_BIT(MODE_FAST) | MODE_BIT(MODE_FAST_NOKICK))
#define MODES_QUEUE	(MODES_FAST | MODE_BIT(MODE_FLOOR))
unsigned int modes_all(void);
int mode_by_name(const char *name);	/* enum mode, or -1 */
void print_mode_table(FILE *f);

/* ---- options (main.c) ----------------------------------------------------- */

enum { KICK_AUTO, KICK_ALWAYS, KICK_NEVER };
enum { OUT_TABLE, OUT_JSON, OUT_CSV };

/* One field per option; main.c's parse_args() fills it. */
struct bench_opts {
	unsigned int mode_mask;		/* modes to run (MODE_BIT) */
	unsigned int named_mask;	/* of those, named in --mode (not 'all') */
	unsigned int batches[MAX_BATCHES];	/* TLBIs per CMD_SYNC */
	unsigned int nr_batches;
	double run_seconds;		/* per mode and batch size */
	unsigned long run_iters;	/* batches per thread, overrides seconds */
	unsigned int nr_threads;	/* submitters: queues / slow path streams */
	unsigned int nr_instances;	/* tegra241 instances to spread them over */
	bool share_vm;			/* all submitters in one VM context */
	int kick_policy;		/* KICK_* */
	unsigned int uring_depth;	/* io_uring requests in flight */
	bool uring_fixed;		/* depth > 1: register the fd */
	unsigned int qsize;		/* queue bytes (16 per entry) */
	unsigned long mem_bytes;	/* guest memory per VM, at GPA 0 */
	unsigned int asid;		/* guest ASID the TLBIs name */
	unsigned int think_us;		/* pause between batches */
	bool pin_cpus;			/* pin submitter i */
	int engine_cpu;			/* pin the engine threads; -1: no */
	unsigned int warmup;		/* untimed batches per cell */
	int out_format;			/* OUT_* */
	bool verify_model;		/* VCMDQ_TEST check, when available */
	int spin_us;			/* poll spin window; -1: auto */
	bool relax_pause;		/* spin with PAUSE / YIELD */
	const char *plot_file;		/* --plot: SVG of the CDFs */
	bool demo;			/* --demo: the matrix and what it means */
	unsigned long fill;		/* --fill: other VMs' model entries */
};

extern struct bench_opts opts;

/* ---- what a run found out about its machine (filled by main.c) ----------- */

struct bench_env {
	char kernel[65];		/* uname -r */
	char machine[65];		/* uname -m */
	long ncpus;
	char clocksource[64];
	double clock_ns;		/* cost of one clock_gettime() */
	long engine_spin_us, engine_poll_us;	/* -1: unknown */
	int engine_doorbell;		/* 1 (Y), 0 (N), -1: unknown */
	long engine_hybrid_us;		/* 0: off; -1: unknown (older module) */
	bool model_checked;		/* VCMDQ_TEST hook present and used */
	/* why a mode asked for through 'all' was skipped ("": it was not) */
	char unavailable[NR_MODES][200];
	unsigned int nr_inst;
	uint32_t inst_id[MAX_INSTANCES];
	const char *inst_flavor[MAX_INSTANCES];
};

/* ---- results (stats.c) ---------------------------------------------------- */

/*
 * The CDF kept per cell: the latency at each of these cumulative fractions
 * (nearest rank): every 1 % from 0 (the minimum) to 99 %, then 99.5, 99.9,
 * 99.99 % and 1 (the maximum of the samples kept).
 */
#define CDF_POINTS	104

/* One mode at one batch size, all submitters together: a row of output. */
struct cell {
	enum mode mode;
	unsigned int batch;
	bool ran;
	uint64_t batches, cmds;		/* timed batches; TLBIs in them */
	uint64_t samples;		/* latencies kept (a reservoir) */
	double wall_s, ops_s;		/* ops/s counts TLBIs */
	uint64_t p50_ns, p90_ns, p99_ns, max_ns;
	double mean_ns;
	double ratio;			/* p50 / slow-single p50; < 0: n/a */
	uint64_t kicks, wakes;		/* KICKs; batches seeing NEED_WAKEUP */
	uint64_t cdf_ns[CDF_POINTS];	/* at stats_cdf_level(k) */
};

/* Everything the output needs, and nothing else. */
struct bench_report {
	const struct bench_opts *opts;
	struct bench_env env;
	struct cell cells[MAX_BATCHES][NR_MODES];
	/* --fill: the same cells run again with the model filled */
	struct cell fill_cells[MAX_BATCHES][NR_MODES];
	double fill_seconds;		/* filling took */
};

/* Per-thread latency samples of one cell. */
struct result {
	uint32_t *samples;		/* batch latencies in ns */
	size_t nr_samples, cap;
	uint64_t seen;			/* batches completed */
	uint64_t sum_ns, max_ns;
	uint64_t t_start, t_end;
	uint64_t kicks, wakes;
	uint64_t rng;
};

int result_reset(struct result *r, unsigned int seed);
int result_add(struct result *r, uint64_t ns);
void result_free(struct result *r);
void stats_sort(uint32_t *s, size_t n);
uint64_t stats_percentile(const uint32_t *sorted, size_t n, double p);
double stats_cdf_level(unsigned int k);
void stats_summarize(struct cell *c, const uint32_t *sorted, size_t n);
void stats_ratios(struct bench_report *rep, unsigned int bi);

/* ---- output (output.c, plot.c) -------------------------------------------- */

const char *kick_name(int policy);
void output_header(FILE *f, const struct bench_report *rep);
void output_batch_table(FILE *f, const struct bench_report *rep,
			unsigned int bi);
void output_matrix(FILE *f, const struct bench_report *rep);
void output_summary(FILE *f, const struct bench_report *rep);
void output_fill(FILE *f, const struct bench_report *rep);
void output_csv(FILE *f, const struct bench_report *rep);
void output_json(FILE *f, const struct bench_report *rep);
void output_demo_intro(FILE *f, const struct bench_report *rep);
void output_demo_text(FILE *f, const struct bench_report *rep);
int plot_svg(FILE *f, const struct bench_report *rep);

#endif /* VCMDQ_BENCH_H */
