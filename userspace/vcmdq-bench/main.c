// SPDX-License-Identifier: GPL-2.0
/*
 * vcmdq-bench: what one guest IOMMU invalidation costs on each vcmdq path,
 * measured side by side in one run, through libvcmdq.
 *
 * The unit of work is a "batch": N TLBI_NH_VA commands (one 4 KiB page
 * each, one ASID) followed by a CMD_SYNC, which the guest waits for.  The
 * modes are in table.c (--list-modes).  ops/s counts TLBI commands (the
 * CMD_SYNC is the batch's overhead); latency is per batch, from the first
 * entry written (or the request built) to the CMD_SYNC seen complete.  The
 * ratio is each mode's p50 over slow-single's p50 at the same batch size
 * in the same run.
 *
 * This file: options, and the order of the run.  bench.h says where the
 * rest is.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdarg.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "run.h"

struct bench_opts opts = {
	.batches = { 1 },
	.nr_batches = 1,
	.run_seconds = 1.0,
	.nr_threads = 1,
	.nr_instances = 1,
	.kick_policy = KICK_AUTO,
	.uring_depth = 1,
	.uring_fixed = true,
	.qsize = 4096,
	.mem_bytes = 4UL << 20,
	.asid = 1,
	.engine_cpu = -1,
	.warmup = 32,
	.out_format = OUT_TABLE,
	.verify_model = true,
	.spin_us = -1,
	.relax_pause = true,
};

static struct bench_report report = { .opts = &opts };

/*
 * A bad option or argument: say which, exit 2 (as for an unknown option),
 * so scripts tell a usage error from a failed run (exit 1).
 */
static void __attribute__((noreturn, format(printf, 1, 2)))
bad_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vcmdq-bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: vcmdq-bench [options]\n"
"  -m, --mode LIST      modes, comma separated, or 'all' (default): floor, fast,\n"
"                       uring, slow-batch, slow-single, upstream; also\n"
"                       fast-nokick (not in all).  In 'all', a mode this\n"
"                       machine cannot run is skipped with the reason; named,\n"
"                       it fails the run.  --list-modes says what each measures\n"
"  -b, --batch LIST     TLBIs per CMD_SYNC, e.g. 1,8,64 (default 1)\n"
"  -s, --seconds S      run each mode x batch cell this long (default 1)\n"
"  -n, --iters N        or this many batches per thread\n"
"  -t, --threads T      T submitters (alias --queues), each with its own queue\n"
"                       and slow path stream (default 1)\n"
"  -S, --share          the submitters share one VM context (a queue each on\n"
"                       one vIOMMU per instance); default: a VM each\n"
"  -i, --instances N    spread submitters over N tegra241 instances (default 1)\n"
"  -k, --kick POLICY    fast mode: auto (kick when NEED_WAKEUP, default),\n"
"                       always, never\n"
"      --no-kick        same as --kick never\n"
"  -d, --depth D        io_uring requests in flight per submitter (default 1:\n"
"                       libvcmdq's io_uring path; above 1: the bench's own ring)\n"
"      --no-fixed       with --depth > 1, do not register the fd with io_uring\n"
"  -q, --qsize BYTES    queue size, power of two (default 4096: one page)\n"
"      --asid A         guest ASID the TLBIs name (default 1)\n"
"  -T, --think US       sleep US between batches, so the engine goes idle\n"
"  -p, --pin            pin submitter i to CPU i, skipping --engine-cpu\n"
"                       (floor always pins: producer 2i, consumer 2i+1)\n"
"  -E, --engine-cpu C   pin the engine threads to CPU C (root; undone at exit)\n"
"      --no-pause       spin without PAUSE/YIELD (under TCG each PAUSE takes\n"
"                       QEMU's big lock)\n"
"      --spin-us US     a waiter spins this long, then yields the CPU at each\n"
"                       poll (default 50, or 0 with more spinning threads\n"
"                       and engines than CPUs)\n"
"  -w, --warmup N       untimed batches per cell (default 32)\n"
"      --no-verify      skip the IOTLB model check (VCMDQ_TEST builds)\n"
"      --fill N         run every cell twice: as is, then with N IOTLB entries\n"
"                       of another VM in each instance's model (0 to 100000;\n"
"                       needs a VCMDQ_TEST build); prints both p50s\n"
"  -j, --json           machine-readable JSON instead of the tables (README.md)\n"
"  -c, --csv            CSV instead of the tables\n"
"  -P, --plot FILE      also write the latency CDFs, per mode and batch size,\n"
"                       as an SVG image to FILE\n"
"      --demo           what `make run` shows: fast, slow-batch, slow-single at\n"
"                       batch 1 and 16, 0.5 s each, the mode matrix and what it\n"
"                       means (options after it still apply)\n"
"      --list-modes     the table of modes: what each measures, models, needs\n"
"  -h, --help\n");
}

static unsigned long parse_ulong(const char *opt, const char *s,
				 unsigned long min, unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v < min || v > max)
		bad_usage("%s: '%s' is not a number in [%lu, %lu]", opt, s, min, max);
	return v;
}

static void parse_modes(const char *arg)
{
	char *dup = strdup(arg), *tok, *save = NULL;

	if (!dup)
		die("out of memory");
	opts.mode_mask = 0;
	opts.named_mask = 0;
	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int m;

		if (!strcmp(tok, "all")) {
			opts.mode_mask |= modes_all();
			continue;
		}
		m = mode_by_name(tok);
		if (m < 0)
			bad_usage("--mode: unknown mode '%s' (--list-modes)", tok);
		opts.mode_mask |= MODE_BIT(m);
		opts.named_mask |= MODE_BIT(m);
	}
	free(dup);
	if (!opts.mode_mask)
		bad_usage("--mode: no mode given");
}

static void parse_batches(const char *arg)
{
	char *dup = strdup(arg), *tok, *save = NULL;

	if (!dup)
		die("out of memory");
	opts.nr_batches = 0;
	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (opts.nr_batches == MAX_BATCHES)
			bad_usage("--batch: at most %d sizes", MAX_BATCHES);
		opts.batches[opts.nr_batches++] =
			parse_ulong("--batch", tok, 1,
				    VCMDQ_INVALIDATE_MAX_ENTRIES - 1);
	}
	free(dup);
	if (!opts.nr_batches)
		bad_usage("--batch: no size given");
}

enum {
	OPT_NO_KICK = 0x100,
	OPT_NO_FIXED,
	OPT_ASID,
	OPT_NO_VERIFY,
	OPT_SPIN_US,
	OPT_NO_PAUSE,
	OPT_DEMO,
	OPT_LIST_MODES,
	OPT_FILL,
};

static const struct option long_opts[] = {
	{ "mode", required_argument, NULL, 'm' },
	{ "batch", required_argument, NULL, 'b' },
	{ "seconds", required_argument, NULL, 's' },
	{ "iters", required_argument, NULL, 'n' },
	{ "threads", required_argument, NULL, 't' },
	{ "queues", required_argument, NULL, 't' },
	{ "share", no_argument, NULL, 'S' },
	{ "instances", required_argument, NULL, 'i' },
	{ "kick", required_argument, NULL, 'k' },
	{ "no-kick", no_argument, NULL, OPT_NO_KICK },
	{ "depth", required_argument, NULL, 'd' },
	{ "no-fixed", no_argument, NULL, OPT_NO_FIXED },
	{ "qsize", required_argument, NULL, 'q' },
	{ "asid", required_argument, NULL, OPT_ASID },
	{ "think", required_argument, NULL, 'T' },
	{ "pin", no_argument, NULL, 'p' },
	{ "engine-cpu", required_argument, NULL, 'E' },
	{ "spin-us", required_argument, NULL, OPT_SPIN_US },
	{ "no-pause", no_argument, NULL, OPT_NO_PAUSE },
	{ "warmup", required_argument, NULL, 'w' },
	{ "no-verify", no_argument, NULL, OPT_NO_VERIFY },
	{ "json", no_argument, NULL, 'j' },
	{ "csv", no_argument, NULL, 'c' },
	{ "plot", required_argument, NULL, 'P' },
	{ "demo", no_argument, NULL, OPT_DEMO },
	{ "list-modes", no_argument, NULL, OPT_LIST_MODES },
	{ "fill", required_argument, NULL, OPT_FILL },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void parse_args(int argc, char **argv)
{
	char *end;
	int c;

	opts.mode_mask = modes_all();
	while ((c = getopt_long(argc, argv, "m:b:s:n:t:Si:k:d:q:T:pE:w:jcP:h",
				long_opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			parse_modes(optarg);
			break;
		case 'b':
			parse_batches(optarg);
			break;
		case 's':
			errno = 0;
			opts.run_seconds = strtod(optarg, &end);
			if (errno || end == optarg || *end ||
			    !(opts.run_seconds > 0) || opts.run_seconds > 3600)
				bad_usage("--seconds: '%s' is not in (0, 3600]", optarg);
			opts.run_iters = 0;
			break;
		case 'n':
			opts.run_iters = parse_ulong("--iters", optarg, 1, ULONG_MAX);
			break;
		case 't':
			opts.nr_threads = parse_ulong("--threads", optarg, 1,
						      MAX_THREADS);
			break;
		case 'S':
			opts.share_vm = true;
			break;
		case 'i':
			opts.nr_instances = parse_ulong("--instances", optarg, 1,
							MAX_INSTANCES);
			break;
		case 'k':
			if (!strcmp(optarg, "auto"))
				opts.kick_policy = KICK_AUTO;
			else if (!strcmp(optarg, "always"))
				opts.kick_policy = KICK_ALWAYS;
			else if (!strcmp(optarg, "never"))
				opts.kick_policy = KICK_NEVER;
			else
				bad_usage("--kick: auto, always or never, not '%s'", optarg);
			break;
		case OPT_NO_KICK:
			opts.kick_policy = KICK_NEVER;
			break;
		case 'd':
			opts.uring_depth = parse_ulong("--depth", optarg, 1, 4096);
			break;
		case OPT_NO_FIXED:
			opts.uring_fixed = false;
			break;
		case 'q':
			opts.qsize = parse_ulong("--qsize", optarg, 32, 1UL << 30);
			if (opts.qsize & (opts.qsize - 1))
				bad_usage("--qsize: %u is not a power of two", opts.qsize);
			break;
		case OPT_ASID:
			opts.asid = parse_ulong("--asid", optarg, 0, 0xffff);
			break;
		case 'T':
			opts.think_us = parse_ulong("--think", optarg, 0, 10000000);
			break;
		case 'p':
			opts.pin_cpus = true;
			break;
		case 'E':
			opts.engine_cpu = parse_ulong("--engine-cpu", optarg, 0,
						      CPU_SETSIZE - 1);
			break;
		case OPT_NO_PAUSE:
			opts.relax_pause = false;
			break;
		case OPT_SPIN_US:
			opts.spin_us = parse_ulong("--spin-us", optarg, 0, 10000000);
			break;
		case 'w':
			opts.warmup = parse_ulong("--warmup", optarg, 0, 1000000);
			break;
		case OPT_FILL:
			opts.fill = parse_ulong("--fill", optarg, 0, FILL_MAX);
			break;
		case OPT_NO_VERIFY:
			opts.verify_model = false;
			break;
		case 'j':
			opts.out_format = OUT_JSON;
			break;
		case 'c':
			opts.out_format = OUT_CSV;
			break;
		case 'P':
			opts.plot_file = optarg;
			break;
		case OPT_DEMO:
			opts.named_mask = 0;
			opts.mode_mask = MODE_BIT(MODE_FAST) |
					 MODE_BIT(MODE_SLOW_BATCH) |
					 MODE_BIT(MODE_SLOW_SINGLE);
			opts.batches[0] = 1;
			opts.batches[1] = 16;
			opts.nr_batches = 2;
			opts.run_seconds = 0.5;
			opts.run_iters = 0;
			opts.warmup = 16;
			opts.demo = true;
			break;
		case OPT_LIST_MODES:
			print_mode_table(stdout);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind < argc)
		bad_usage("unexpected argument '%s' (see --help)", argv[optind]);
}

/* What the output says about this machine, besides the instances. */
static void fill_env(struct bench_env *e)
{
	struct utsname u;

	uname(&u);
	snprintf(e->kernel, sizeof(e->kernel), "%s", u.release);
	snprintf(e->machine, sizeof(e->machine), "%s", u.machine);
	e->ncpus = ncpus;
	if (read_line("/sys/devices/system/clocksource/clocksource0/current_clocksource",
		      e->clocksource, sizeof(e->clocksource)))
		snprintf(e->clocksource, sizeof(e->clocksource), "?");
	e->clock_ns = clock_cost_ns();
	e->engine_spin_us = param_read("engine_spin_us");
	e->engine_poll_us = param_read("engine_poll_us");
	e->engine_doorbell = param_read_bool("engine_doorbell");
	e->engine_hybrid_us = param_read("engine_hybrid_us");
}

/*
 * upstream needs /dev/iommu and the IOMMUFD_TEST mock driver, which no
 * Debian kernel has.  Asked for by name, their absence fails the run
 * (exit 1); through 'all', the mode is skipped with one line saying why,
 * and the JSON's config.unavailable says it too.
 */
static void probe_upstream(struct bench_env *env)
{
	char *why = env->unavailable[MODE_UPSTREAM];
	size_t len = sizeof(env->unavailable[MODE_UPSTREAM]);

	if (upstream_probe(why, len)) {
		why[0] = 0;
		return;
	}
	if (opts.named_mask & MODE_BIT(MODE_UPSTREAM))
		die("upstream: %s", why);
	warn("skipping upstream: %s", why);
	opts.mode_mask &= ~MODE_BIT(MODE_UPSTREAM);
}

static void write_plot(void)
{
	FILE *f = fopen(opts.plot_file, "w");

	if (!f)
		die("--plot %s: %s", opts.plot_file, strerror(errno));
	if (plot_svg(f, &report) | fclose(f))
		die("--plot %s: write failed", opts.plot_file);
	if (opts.out_format == OUT_TABLE)
		printf("\nlatency CDFs written to %s\n", opts.plot_file);
}

/*
 * One cell again with the model filled (--fill), right after its plain
 * run, so that both see the same load on the host: the fill goes in, the
 * cell runs into report.fill_cells, the fill goes out (a few seconds per
 * cell under TCG for 100000 entries, the price of a fair comparison on a
 * shared machine).
 */
static void run_filled(enum mode mode, unsigned int bi)
{
	struct cell plain = report.cells[bi][mode];

	report.fill_seconds += setup_fill();
	run_cell(&report, mode, bi);
	teardown_fill();
	report.fill_cells[bi][mode] = report.cells[bi][mode];
	report.cells[bi][mode] = plain;
}

/* fill_cells' ratios to their own slow-single, by stats_ratios(). */
static void fill_ratios(unsigned int bi)
{
	struct cell tmp[NR_MODES];

	memcpy(tmp, report.cells[bi], sizeof(tmp));
	memcpy(report.cells[bi], report.fill_cells[bi], sizeof(tmp));
	stats_ratios(&report, bi);
	memcpy(report.fill_cells[bi], report.cells[bi], sizeof(tmp));
	memcpy(report.cells[bi], tmp, sizeof(tmp));
}

/* Every mode at every batch size, into report.cells (and fill_cells). */
static void run_all(const enum mode *order, unsigned int nr_order, bool table)
{
	unsigned int bi, i;

	for (bi = 0; bi < opts.nr_batches; bi++) {
		for (i = 0; i < nr_order; i++) {
			if (!(opts.mode_mask & MODE_BIT(order[i])))
				continue;
			run_cell(&report, order[i], bi);
			if (opts.fill)
				run_filled(order[i], bi);
		}
		stats_ratios(&report, bi);
		if (opts.fill)
			fill_ratios(bi);
		if (table && !opts.demo)
			output_batch_table(stdout, &report, bi);
	}
}

int main(int argc, char **argv)
{
	/* slow-single first: the reference.  The floor last: its spinning
	 * consumer threads leave nothing behind. */
	static const enum mode order[] = {
		MODE_SLOW_SINGLE, MODE_SLOW_BATCH, MODE_UPSTREAM, MODE_URING,
		MODE_FAST, MODE_FAST_NOKICK, MODE_FLOOR,
	};
	bool need_fast, need_uring, table;
	unsigned int bi;

	parse_args(argc, argv);
	ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpus < 1)
		ncpus = 1;
	prctl(PR_SET_TIMERSLACK, 1UL);	/* --think sleeps as asked */

	need_fast = opts.mode_mask & MODES_FAST;
	setup_open(&report.env, &need_fast);
	if (opts.fill && !have_test_ioctl)
		die("--fill needs the module's test hook (a VCMDQ_TEST=y build): this module answers VCMDQ_TEST with ENOTTY");
	for (bi = 0; bi < opts.nr_batches; bi++)
		if ((opts.mode_mask & MODES_QUEUE) &&
		    opts.batches[bi] + 1 > opts.qsize / ENT_SIZE)
			bad_usage("--batch %u: %u entries do not fit a %u-byte queue (%u entries): raise --qsize",
			    opts.batches[bi], opts.batches[bi] + 1, opts.qsize,
			    opts.qsize / ENT_SIZE);
	fill_env(&report.env);

	if (opts.mode_mask & MODE_BIT(MODE_UPSTREAM))
		probe_upstream(&report.env);

	need_uring = opts.mode_mask & MODE_BIT(MODE_URING);
	setup(&report.env, need_fast, need_uring);
	if (opts.mode_mask & MODE_BIT(MODE_UPSTREAM))
		upstream_setup();
	pin_engines();

	table = opts.out_format == OUT_TABLE;
	if (table && opts.demo)
		output_demo_intro(stdout, &report);
	else if (table)
		output_header(stdout, &report);
	run_all(order, sizeof(order) / sizeof(order[0]), table);
	if (table) {
		output_summary(stdout, &report);
		if (opts.fill)
			output_fill(stdout, &report);
	}
	else if (opts.out_format == OUT_JSON)
		output_json(stdout, &report);
	else
		output_csv(stdout, &report);
	if (opts.plot_file)
		write_plot();
	if (table && opts.demo)
		output_demo_text(stdout, &report);

	unpin_engines();
	upstream_teardown();
	teardown();
	return 0;
}
