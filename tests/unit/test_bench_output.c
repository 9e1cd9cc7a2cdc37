// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for vcmdq-bench's statistics and output (userspace/vcmdq-bench:
 * stats.c, output.c, plot.c, table.c), run on this machine under
 * ASan/UBSan with synthetic results: no module, no VM.
 *
 *  - percentiles (nearest rank) of known samples, the reservoir, the CDF
 *    and the ratios to slow-single;
 *  - the JSON and SVG writers: the files they write are checked by
 *    tests/unit/check_bench_output.py (JSON parses with the documented
 *    fields; SVG is well-formed XML with one curve per mode x batch), a
 *    skip without python3;
 *  - the mode matrix fits one screen; CSV has a row per cell.
 *
 * Output is kselftest-style TAP; the last line is the kselftest totals line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

#ifndef CHECK_PY
#define CHECK_PY "tests/unit/check_bench_output.py"
#endif

static unsigned int t_num, t_pass, t_fail, t_skip;

static void __attribute__((format(printf, 2, 3)))
tap(int ok, const char *fmt, ...)
{
	va_list ap;

	t_num++;
	if (ok)
		t_pass++;
	else
		t_fail++;
	printf("%sok %u ", ok ? "" : "not ", t_num);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void __attribute__((format(printf, 1, 2))) skip(const char *fmt, ...)
{
	va_list ap;

	t_num++;
	t_skip++;
	printf("ok %u # SKIP ", t_num);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static uint64_t rng = 88172645463325252ULL;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* ---- stats ------------------------------------------------------------------ */

static void test_percentiles(void)
{
	uint32_t s[1000];
	unsigned int i;

	/* 1..100, shuffled, then sorted back */
	for (i = 0; i < 100; i++)
		s[i] = i + 1;
	for (i = 99; i > 0; i--) {
		unsigned int j = next_rand() % (i + 1);
		uint32_t t = s[i];

		s[i] = s[j];
		s[j] = t;
	}
	stats_sort(s, 100);
	tap(s[0] == 1 && s[99] == 100, "stats: sort");
	tap(stats_percentile(s, 100, 50) == 50, "stats: p50 of 1..100 is 50");
	tap(stats_percentile(s, 100, 90) == 90, "stats: p90 of 1..100 is 90");
	tap(stats_percentile(s, 100, 99) == 99, "stats: p99 of 1..100 is 99");
	tap(stats_percentile(s, 100, 100) == 100, "stats: p100 is the maximum");
	tap(stats_percentile(s, 100, 0) == 1, "stats: p0 is the minimum");
	tap(stats_percentile(s, 100, 50.5) == 51,
	    "stats: nearest rank rounds up (p50.5 of 1..100 is 51)");
	tap(stats_percentile(s, 0, 50) == 0, "stats: no samples gives 0");
	s[0] = 7;
	tap(stats_percentile(s, 1, 1) == 7 && stats_percentile(s, 1, 99) == 7,
	    "stats: one sample is every percentile");
	/* 1000 samples: 0, 10, ..., 9990 */
	for (i = 0; i < 1000; i++)
		s[i] = 10 * i;
	tap(stats_percentile(s, 1000, 99.9) == 9980 &&
	    stats_percentile(s, 1000, 50) == 4990,
	    "stats: p99.9 and p50 of 1000 samples");
}

static void test_result(void)
{
	struct result r = { 0 };
	unsigned int i;
	int ok = 1;

	ok &= !result_reset(&r, 1);
	for (i = 1; i <= 10; i++)
		ok &= !result_add(&r, i * 1000);
	ok &= !result_add(&r, 1ULL << 40);	/* clamped in the samples */
	tap(ok && r.seen == 11 && r.nr_samples == 11 &&
	    r.max_ns == 1ULL << 40 && r.sum_ns == 55000 + (1ULL << 40) &&
	    r.samples[10] == UINT32_MAX,
	    "stats: result counts, sums, clamps");
	result_free(&r);
}

static void test_summarize(void)
{
	static uint32_t s[5000];
	struct cell c = { 0 };
	unsigned int i, k;
	int mono = 1;

	for (i = 0; i < 5000; i++)
		s[i] = 1000 + next_rand() % 100000;
	stats_sort(s, 5000);
	stats_summarize(&c, s, 5000);
	for (k = 1; k < CDF_POINTS; k++)
		mono &= c.cdf_ns[k] >= c.cdf_ns[k - 1] &&
			stats_cdf_level(k) > stats_cdf_level(k - 1);
	tap(mono, "stats: the CDF rises");
	tap(c.cdf_ns[0] == s[0] && c.cdf_ns[CDF_POINTS - 1] == s[4999] &&
	    stats_cdf_level(0) == 0 && stats_cdf_level(CDF_POINTS - 1) == 1,
	    "stats: the CDF runs from the minimum to the maximum");
	tap(c.samples == 5000 && c.p50_ns == s[2499] && c.p90_ns == s[4499] &&
	    c.p99_ns == s[4949], "stats: the cell's percentiles");
}

/* ---- a synthetic run -------------------------------------------------------- */

static struct bench_opts o;
static struct bench_report rep = { .opts = &o };
static const enum mode ran[] = {
	MODE_SLOW_SINGLE, MODE_SLOW_BATCH, MODE_UPSTREAM, MODE_URING, MODE_FAST,
	MODE_FLOOR,
};
#define NR_RAN	(sizeof(ran) / sizeof(ran[0]))

/* Lognormal-ish latencies around @base ns, as a real cell would have. */
static void synth_cell(enum mode m, unsigned int bi, uint64_t base)
{
	struct cell *c = &rep.cells[bi][m];
	static uint32_t s[20000];
	unsigned int i, n = 2000 + next_rand() % 18000;
	double sum = 0;

	for (i = 0; i < n; i++) {
		uint64_t v = base + next_rand() % (base / 2 + 1);

		if (!(next_rand() % 100))
			v *= 10;	/* a tail */
		s[i] = v;
		sum += v;
	}
	stats_sort(s, n);
	c->mode = m;
	c->batch = o.batches[bi];
	c->ran = true;
	c->batches = n;
	c->cmds = (uint64_t)n * c->batch;
	c->wall_s = sum / 1e9;
	c->ops_s = c->cmds / c->wall_s;
	stats_summarize(c, s, n);
	c->max_ns = s[n - 1];
	c->mean_ns = sum / n;
	if (m == MODE_FAST) {
		c->wakes = n / 10;
		c->kicks = n / 10;
	}
}

static void synth_run(void)
{
	static const uint64_t base[NR_MODES] = {
		[MODE_FLOOR] = 900, [MODE_FAST] = 3000,
		[MODE_URING] = 30000, [MODE_SLOW_BATCH] = 25000,
		[MODE_SLOW_SINGLE] = 20000, [MODE_UPSTREAM] = 28000,
	};
	unsigned int bi, i;

	o.batches[0] = 1;
	o.batches[1] = 16;
	o.batches[2] = 64;
	o.nr_batches = 3;
	o.run_seconds = 1;
	o.nr_threads = 1;
	o.nr_instances = 1;
	o.uring_depth = 1;
	o.qsize = 4096;
	o.asid = 1;
	o.engine_cpu = -1;
	o.warmup = 32;
	o.spin_us = -1;
	o.relax_pause = true;
	for (i = 0; i < NR_RAN; i++)
		o.mode_mask |= MODE_BIT(ran[i]);
	/* the config strings need escaping in JSON and XML */
	snprintf(rep.env.kernel, sizeof(rep.env.kernel), "6.1.0-\"synthetic\"\\<&>");
	snprintf(rep.env.machine, sizeof(rep.env.machine), "x86_64");
	snprintf(rep.env.clocksource, sizeof(rep.env.clocksource), "tsc");
	rep.env.ncpus = 2;
	rep.env.clock_ns = 25;
	rep.env.engine_spin_us = 50;
	rep.env.engine_poll_us = -1;	/* unknown: null */
	rep.env.engine_doorbell = 1;
	rep.env.engine_hybrid_us = 3000;
	rep.env.nr_inst = 1;
	rep.env.inst_id[0] = 1;
	rep.env.inst_flavor[0] = "tegra241-cmdqv";
	/* a mode skipped in 'all', with a reason that needs escaping */
	snprintf(rep.env.unavailable[MODE_FAST_NOKICK],
		 sizeof(rep.env.unavailable[MODE_FAST_NOKICK]),
		 "no \"fast\" queues\\here");

	for (bi = 0; bi < o.nr_batches; bi++) {
		for (i = 0; i < NR_RAN; i++) {
			uint64_t b = base[ran[i]];

			/* one ioctl per command: grows with the batch */
			if (ran[i] == MODE_SLOW_SINGLE)
				b *= o.batches[bi] + 1;
			else
				b += 200 * o.batches[bi];
			synth_cell(ran[i], bi, b);
		}
		stats_ratios(&rep, bi);
	}
}

static void test_ratios(void)
{
	const struct cell *ss = &rep.cells[1][MODE_SLOW_SINGLE];
	const struct cell *f = &rep.cells[1][MODE_FAST];

	tap(ss->ratio == 1.0 && f->ratio > 0 && f->ratio < 1 &&
	    rep.cells[1][MODE_FAST_NOKICK].ratio < 0,
	    "stats: ratios to slow-single (1 for itself, none for a mode that did not run)");
}

/* ---- output ----------------------------------------------------------------- */

static char *capture(void (*fn)(FILE *, const struct bench_report *),
		     size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		return NULL;
	fn(f, &rep);
	fclose(f);
	return buf;
}

static void test_matrix_lines(void)
{
	size_t len, widest = 0, lines = 0;
	char *buf = capture(output_matrix, &len), *p, *nl;
	unsigned int i;
	int rows = 1;

	size_t row_len = 0;
	int same = 1;

	if (!buf) {
		tap(0, "matrix: open_memstream");
		return;
	}
	for (p = buf; (nl = strchr(p, '\n')); p = nl + 1) {
		if ((size_t)(nl - p) > widest)
			widest = nl - p;
		/* the rows of modes, after the blank line and the titles */
		if (++lines > 3) {
			if (row_len && row_len != (size_t)(nl - p))
				same = 0;
			row_len = nl - p;
		}
	}
	for (i = 0; i < NR_RAN; i++)
		rows &= strstr(buf, bench_modes[ran[i]].name) != NULL;
	fputs(buf, stdout);
	/* a blank line, the title, the batch sizes, a row per mode */
	tap(lines == 3 + NR_RAN, "matrix: one row per mode that ran (%zu lines)",
	    lines);
	tap(rows && !strstr(buf, "fast-nokick"),
	    "matrix: names every mode that ran, no other");
	tap(widest <= 100, "matrix: fits one screen (%zu columns for 3 batch sizes)",
	    widest);
	tap(strstr(buf, "1.000x") != NULL, "matrix: slow-single's ratio is 1");
	tap(same && strstr(buf, " 742x"),
	    "matrix: rows line up, a ratio of 742 too");
	free(buf);
}

static void test_matrix(void)
{
	/* a floor far slower than slow-single: a busy host does that */
	double saved = rep.cells[0][MODE_FLOOR].ratio;

	rep.cells[0][MODE_FLOOR].ratio = 742.049;
	test_matrix_lines();
	rep.cells[0][MODE_FLOOR].ratio = saved;
}

static void test_csv(void)
{
	size_t len, lines = 0;
	char *buf = capture(output_csv, &len), *p;

	for (p = buf; p && *p; p++)
		lines += *p == '\n';
	tap(buf && lines == 1 + NR_RAN * 3, "csv: a header and a row per cell");
	free(buf);
}

static void test_tables(void)
{
	size_t len;
	char *buf = capture(output_header, &len);

	tap(buf && strstr(buf, "instances: 1 (tegra241-cmdqv)"),
	    "tables: the header names the instances");
	tap(buf && strstr(buf, "upstream = one IOMMU_HWPT_INVALIDATE"),
	    "tables: the header says what an upstream batch is");
	free(buf);
}

static void mode_table(FILE *f, const struct bench_report *r)
{
	(void)r;
	print_mode_table(f);
}

/* --list-modes: every mode, with what it measures, models and needs. */
static void test_mode_table(void)
{
	size_t len;
	char *buf = capture(mode_table, &len);
	unsigned int m;
	int all = 1;

	for (m = 0; m < NR_MODES; m++)
		all &= buf && strstr(buf, bench_modes[m].name) &&
		       bench_modes[m].measures && bench_modes[m].models &&
		       bench_modes[m].needs;
	tap(all, "table of modes: every mode has its row");
	tap(buf && strstr(buf, "upstream\n") &&
	    strstr(buf, "IOMMU_HWPT_INVALIDATE") &&
	    strstr(buf, "CONFIG_IOMMUFD_TEST") &&
	    (modes_all() & MODE_BIT(MODE_UPSTREAM)) &&
	    mode_by_name("upstream") == MODE_UPSTREAM,
	    "table of modes: upstream, in 'all', needs /dev/iommu and the mock");
	free(buf);
}

static void demo_text(FILE *f, const struct bench_report *r)
{
	output_demo_text(f, r);
}

/* --demo's paragraph, and its note when the fast path lost to trapping. */
static void test_demo(void)
{
	double saved = rep.cells[1][MODE_FAST].ratio;
	size_t len;
	char *quiet, *busy;

	quiet = capture(demo_text, &len);
	rep.cells[1][MODE_FAST].ratio = 3.5;
	busy = capture(demo_text, &len);
	rep.cells[1][MODE_FAST].ratio = saved;
	tap(quiet && busy && strstr(quiet, "only the ratios") &&
	    !strstr(quiet, "note:") && strstr(busy, "note:") &&
	    strstr(busy, "at batch 16"),
	    "demo: the paragraph, and a note only when fast lost to slow-single");
	free(quiet);
	free(busy);
}

/* Write @fn's output to a temporary file, check it with the python script. */
static void check_file(const char *kind, const char *suffix,
		       void (*fn)(FILE *, const struct bench_report *),
		       unsigned int n)
{
	char path[] = "/tmp/vcmdq-bench-test.XXXXXX", cmd[512];
	int fd = mkstemp(path), rc;
	FILE *f;

	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		tap(0, "%s: temporary file", kind);
		return;
	}
	fn(f, &rep);
	fclose(f);
	if (system("python3 -c '' >/dev/null 2>&1")) {
		skip("%s: no python3 to parse the %s", kind, suffix);
	} else {
		snprintf(cmd, sizeof(cmd), "python3 %s %s %s %u", CHECK_PY,
			 kind, path, n);
		rc = system(cmd);
		tap(rc == 0, "%s: the %s parses, with one %s per mode x batch",
		    kind, suffix, !strcmp(kind, "json") ? "result" : "curve");
	}
	unlink(path);
}

/*
 * --fill: the filled pass's results follow the plain ones in the JSON, each
 * with its "fill"; the side-by-side table shows both p50s and their ratio.
 */
static void test_fill(void)
{
	struct cell *c = &rep.fill_cells[1][MODE_SLOW_BATCH];
	char *buf = NULL;
	size_t len = 0;
	unsigned int k;
	FILE *f;

	/* The filled pass: the same, but one slow-batch cell twice as slow. */
	o.fill = 1000;
	memcpy(rep.fill_cells, rep.cells, sizeof(rep.cells));
	c->p50_ns *= 2;
	c->p90_ns *= 2;
	c->p99_ns *= 2;
	c->max_ns *= 2;
	for (k = 0; k < CDF_POINTS; k++)
		c->cdf_ns[k] *= 2;
	check_file("json", "JSON with --fill", output_json, NR_RAN * 3 * 2);
	f = open_memstream(&buf, &len);
	if (f) {
		output_fill(f, &rep);
		fclose(f);
	}
	tap(buf && strstr(buf, "with --fill 1000") &&
	    strstr(buf, " 2.000x"),
	    "fill: the side-by-side table shows both p50s and their ratio");
	free(buf);
	memset(rep.fill_cells, 0, sizeof(rep.fill_cells));
	o.fill = 0;
}

static void svg(FILE *f, const struct bench_report *r)
{
	tap(plot_svg(f, r) == 0, "svg: written");
}

int main(void)
{
	printf("TAP version 13\n");
	printf("# vcmdq-bench statistics and output, on synthetic results\n");

	test_percentiles();
	test_result();
	test_summarize();
	synth_run();
	test_ratios();
	test_matrix();
	test_csv();
	test_tables();
	test_mode_table();
	test_demo();
	check_file("json", "JSON", output_json, NR_RAN * 3);
	check_file("svg", "SVG", svg, NR_RAN * 3);
	test_fill();

	printf("1..%u\n", t_num);
	printf("# Totals: pass:%u fail:%u xfail:0 xpass:0 skip:%u error:0\n",
	       t_pass, t_fail, t_skip);
	return t_fail ? 1 : 0;
}
