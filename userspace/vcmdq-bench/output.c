// SPDX-License-Identifier: GPL-2.0
/*
 * vcmdq-bench: what a run prints.  The human tables (a header, one table
 * per batch size, then the mode matrix: modes down, batch sizes across,
 * p50, ops/s and the ratio to slow-single in each cell), CSV, and JSON
 * whose field names are stable (README.md, "JSON"; "version" changes when
 * a field changes meaning or goes away).
 *
 * Everything here reads a struct bench_report only.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"

#define JSON_VERSION	1

/* Rows in the order cells run: the reference first, the floor last. */
static const enum mode row_order[NR_MODES] = {
	MODE_SLOW_SINGLE, MODE_SLOW_BATCH, MODE_UPSTREAM, MODE_URING,
	MODE_FAST, MODE_FAST_NOKICK, MODE_FLOOR,
};

const char *kick_name(int policy)
{
	return policy == KICK_AUTO ? "auto" :
	       policy == KICK_ALWAYS ? "always" : "never";
}

static bool mode_ran(const struct bench_report *rep, enum mode m)
{
	unsigned int bi;

	for (bi = 0; bi < rep->opts->nr_batches; bi++)
		if (rep->cells[bi][m].ran)
			return true;
	return false;
}

/* ---- human tables --------------------------------------------------------- */

void output_header(FILE *f, const struct bench_report *rep)
{
	const struct bench_opts *o = rep->opts;
	const struct bench_env *e = &rep->env;
	unsigned int i;

	fprintf(f, "vcmdq-bench: kernel %s %s, %ld CPUs, clocksource %s (clock_gettime %.0f ns), engine_spin_us %ld, engine_poll_us %ld, engine_doorbell %s, engine_hybrid_us %ld%s\n",
		e->kernel, e->machine, e->ncpus, e->clocksource, e->clock_ns,
		e->engine_spin_us, e->engine_poll_us,
		e->engine_doorbell < 0 ? "?" : e->engine_doorbell ? "Y" : "N",
		e->engine_hybrid_us, e->model_checked ? ", model checked (VCMDQ_TEST)" : "");
	if (e->clock_ns > 500)
		fprintf(f, "  note: a clock read costs %.1f us here and every latency holds one; boot with clocksource=tsc if you can\n",
			e->clock_ns / 1000);
	fprintf(f, "  instances:");
	for (i = 0; i < e->nr_inst; i++)
		fprintf(f, " %u (%s)", e->inst_id[i], e->inst_flavor[i]);
	fprintf(f, "; %u thread%s, %s; queue %u B (%u entries); kick %s; uring depth %u%s\n",
		o->nr_threads, o->nr_threads > 1 ? "s" : "",
		o->share_vm ? "one VM (a queue each)" : "a VM each",
		o->qsize, o->qsize / ENT_SIZE, kick_name(o->kick_policy),
		o->uring_depth,
		o->uring_depth > 1 ? (o->uring_fixed ? " (own ring, fixed file)" :
						       " (own ring)") :
				     " (libvcmdq)");
	if (o->run_iters)
		fprintf(f, "  %lu batches per thread per cell", o->run_iters);
	else
		fprintf(f, "  %.1f s per cell", o->run_seconds);
	fprintf(f, ", %u warm-up batches", o->warmup);
	if (!o->relax_pause)
		fprintf(f, ", no PAUSE in spins");
	if (o->pin_cpus)
		fprintf(f, ", submitters pinned");
	if (o->engine_cpu >= 0)
		fprintf(f, ", engines on CPU %d", o->engine_cpu);
	if (o->spin_us >= 0)
		fprintf(f, ", waiters spin %d us then yield", o->spin_us);
	else
		fprintf(f, ", waiters spin 50 us then yield (0 if oversubscribed)");
	if (o->think_us)
		fprintf(f, ", %u us think time between batches (not in the latency)",
			o->think_us);
	fprintf(f, "\n");
	fprintf(f, "  batch = N x TLBI_NH_VA (4 KiB, ASID %u) + CMD_SYNC(CS=NONE); ops/s counts TLBIs; latency per batch in us;\n"
		"  /single = p50 / slow-single p50; idle%% = batches that found the engine idle (NEED_WAKEUP)\n",
		o->asid);
	if (o->mode_mask & MODE_BIT(MODE_UPSTREAM))
		fprintf(f, "  upstream = one IOMMU_HWPT_INVALIDATE of N IOMMUFD_TEST mock vIOMMU entries on /dev/iommu (no CMD_SYNC)\n");
}

void output_batch_table(FILE *f, const struct bench_report *rep,
			unsigned int bi)
{
	unsigned int m;

	fprintf(f, "\nbatch %u\n", rep->opts->batches[bi]);
	fprintf(f, "  %-12s %12s %10s %9s %9s %9s %9s %9s %7s %6s\n", "mode",
		"ops/s", "batches", "p50", "p90", "p99", "max", "mean",
		"/single", "idle%");
	for (m = 0; m < NR_MODES; m++) {
		const struct cell *c = &rep->cells[bi][m];
		char ratio[16] = "-", idle[16] = "-";

		if (!c->ran)
			continue;
		if (c->ratio >= 0)
			snprintf(ratio, sizeof(ratio), "%.3f", c->ratio);
		if (m == MODE_FAST || m == MODE_FAST_NOKICK)
			snprintf(idle, sizeof(idle), "%.1f",
				 c->batches ? 100.0 * c->wakes / c->batches : 0);
		fprintf(f, "  %-12s %12.0f %10" PRIu64 " %9.2f %9.2f %9.2f %9.2f %9.2f %7s %6s\n",
			bench_modes[m].name, c->ops_s, c->batches,
			c->p50_ns / 1e3, c->p90_ns / 1e3, c->p99_ns / 1e3,
			c->max_ns / 1e3, c->mean_ns / 1e3, ratio, idle);
	}
	fflush(f);
}

/* A latency in 6 characters or fewer: 850ns, 3.21us, 41.2us, 620us, 1.25ms. */
static void fmt_ns(char *buf, size_t len, uint64_t ns)
{
	if (ns < 1000)
		snprintf(buf, len, "%uns", (unsigned int)ns);
	else if (ns < 10000)
		snprintf(buf, len, "%.2fus", ns / 1e3);
	else if (ns < 100000)
		snprintf(buf, len, "%.1fus", ns / 1e3);
	else if (ns < 1000000)
		snprintf(buf, len, "%.0fus", ns / 1e3);
	else if (ns < 10000000)
		snprintf(buf, len, "%.2fms", ns / 1e6);
	else
		snprintf(buf, len, "%.0fms", ns / 1e6);
}

/* A rate in 5 characters or fewer: 950, 24.3k, 322k, 1.25M. */
static void fmt_rate(char *buf, size_t len, double r)
{
	if (r < 1e3)
		snprintf(buf, len, "%.0f", r);
	else if (r < 1e5)
		snprintf(buf, len, "%.1fk", r / 1e3);
	else if (r < 1e6)
		snprintf(buf, len, "%.0fk", r / 1e3);
	else if (r < 1e8)
		snprintf(buf, len, "%.2fM", r / 1e6);
	else
		snprintf(buf, len, "%.0fM", r / 1e6);
}

#define MATRIX_COL	24

/* The column heads of a matrix: one per batch size. */
static void matrix_header(FILE *f, const struct bench_opts *o)
{
	unsigned int bi;

	fprintf(f, "  %-12s", "");
	for (bi = 0; bi < o->nr_batches; bi++) {
		char h[32];

		snprintf(h, sizeof(h), "batch %u", o->batches[bi]);
		fprintf(f, " %*s", MATRIX_COL, h);
	}
	fprintf(f, "\n");
}

/*
 * The mode matrix: one row per mode that ran, one column per batch size;
 * each cell is "p50 ops/s ratio", the ratio being p50 over slow-single's
 * p50 at that batch size (below 1: faster than trapping each command).
 */
void output_matrix(FILE *f, const struct bench_report *rep)
{
	const struct bench_opts *o = rep->opts;
	unsigned int bi, i;

	fprintf(f, "\nmode matrix: p50 latency per batch | TLBI commands/s | p50 / slow-single p50\n");
	matrix_header(f, o);
	for (i = 0; i < NR_MODES; i++) {
		enum mode m = row_order[i];

		if (!mode_ran(rep, m))
			continue;
		fprintf(f, "  %-12s", bench_modes[m].name);
		for (bi = 0; bi < o->nr_batches; bi++) {
			const struct cell *c = &rep->cells[bi][m];
			char lat[16], ops[16], ratio[16] = "-";

			if (!c->ran) {
				fprintf(f, " %*s", MATRIX_COL, "-");
				continue;
			}
			fmt_ns(lat, sizeof(lat), c->p50_ns);
			fmt_rate(ops, sizeof(ops), c->ops_s);
			/* three significant digits, 7 characters at most */
			if (c->ratio >= 100)
				snprintf(ratio, sizeof(ratio), "%.0fx", c->ratio);
			else if (c->ratio >= 10)
				snprintf(ratio, sizeof(ratio), "%.1fx", c->ratio);
			else if (c->ratio >= 0)
				snprintf(ratio, sizeof(ratio), "%.3fx", c->ratio);
			fprintf(f, " %*s %6s/s %7s", MATRIX_COL - 17, lat, ops,
				ratio);
		}
		fprintf(f, "\n");
	}
	fflush(f);
}

void output_summary(FILE *f, const struct bench_report *rep)
{
	output_matrix(f, rep);
}

/*
 * --fill: each cell's p50 with an empty model and with the other VM's
 * entries, side by side; the ratio is what the fill costs (1.000x: nothing).
 */
void output_fill(FILE *f, const struct bench_report *rep)
{
	const struct bench_opts *o = rep->opts;
	unsigned int bi, i;

	fprintf(f, "\nfill: p50 per batch with an empty model | with --fill %lu | filled / empty\n",
		o->fill);
	fprintf(f, "  (each filled cell right after its empty one; %lu IOTLB entries of another\n"
		"   VM per instance, put in before and dropped after each: %.1f s in all)\n",
		o->fill, rep->fill_seconds);
	matrix_header(f, o);
	for (i = 0; i < NR_MODES; i++) {
		enum mode m = row_order[i];

		if (!mode_ran(rep, m))
			continue;
		fprintf(f, "  %-12s", bench_modes[m].name);
		for (bi = 0; bi < o->nr_batches; bi++) {
			const struct cell *c = &rep->cells[bi][m];
			const struct cell *d = &rep->fill_cells[bi][m];
			char e50[16], f50[16];

			if (!c->ran || !d->ran || !c->p50_ns) {
				fprintf(f, " %*s", MATRIX_COL, "-");
				continue;
			}
			fmt_ns(e50, sizeof(e50), c->p50_ns);
			fmt_ns(f50, sizeof(f50), d->p50_ns);
			fprintf(f, " %*s %8s %6.3fx", MATRIX_COL - 17, e50, f50,
				(double)d->p50_ns / c->p50_ns);
		}
		fprintf(f, "\n");
	}
	fflush(f);
}

/* --demo, before the matrix: what ran, in one line. */
void output_demo_intro(FILE *f, const struct bench_report *rep)
{
	const struct bench_opts *o = rep->opts;
	unsigned int bi;

	fprintf(f, "vcmdq-bench --demo: a batch is N TLBI_NH_VA + CMD_SYNC, N =");
	for (bi = 0; bi < o->nr_batches; bi++)
		fprintf(f, "%s%u", bi ? "," : " ", o->batches[bi]);
	fprintf(f, "; %.1f s per mode and N on instance %u (%s), clocksource %s\n",
		o->run_seconds, rep->env.nr_inst ? rep->env.inst_id[0] : 0,
		rep->env.nr_inst ? rep->env.inst_flavor[0] : "?",
		rep->env.clocksource);
}

/* --demo, after the matrix: what the numbers mean (the end of make run). */
void output_demo_text(FILE *f, const struct bench_report *rep)
{
	unsigned int bi;

	for (bi = 0; bi < rep->opts->nr_batches; bi++) {
		const struct cell *c = &rep->cells[bi][MODE_FAST];

		if (c->ratio <= 1)
			continue;
		fprintf(f, "\nnote: the fast path was slower than slow-single at batch %u. Its two sides,\n"
			"the guest and the queue engine, must run at once; here %.0f%% of the batches\n"
			"found the engine asleep, and a kicked engine took milliseconds to run, as\n"
			"under TCG when the VM's vCPUs wait for a busy host's CPUs. Try a quiet host.\n",
			rep->opts->batches[bi],
			c->batches ? 100.0 * c->wakes / c->batches : 0);
		break;
	}
	fprintf(f,
"\nWhat this shows: a guest that changes its page tables must invalidate the\n"
"IOMMU's caches. A trapping VMM forwards each command to the kernel on its own\n"
"(slow-single: a VM exit and a system call per command, what QEMU does today);\n"
"forwarding the guest's whole batch in one call (slow-batch) pays that once per\n"
"batch. vcmdq's fast path gives the guest a command queue of its own (Tegra241\n"
"CMDQV): it writes the entries and one PROD register and polls CONS, with no VM\n"
"exit and no system call, so its ratio to slow-single is well below 1 and falls\n"
"as batches grow. No path can beat the floor (make bench), the same handoff\n"
"between two threads over plain memory. Under QEMU's TCG every number here is\n"
"slowed down by emulation: only the ratios within one run mean anything.\n");
}

/* ---- CSV ------------------------------------------------------------------ */

void output_csv(FILE *f, const struct bench_report *rep)
{
	const struct bench_opts *o = rep->opts;
	unsigned int bi, m;

	fprintf(f, "mode,batch,threads,instances,kick,uring_depth,think_us,batches,commands,seconds,ops_per_s,p50_us,p90_us,p99_us,max_us,mean_us,ratio_p50_vs_slow_single,kicks,need_wakeup_seen\n");
	for (bi = 0; bi < o->nr_batches; bi++) {
		for (m = 0; m < NR_MODES; m++) {
			const struct cell *c = &rep->cells[bi][m];

			if (!c->ran)
				continue;
			fprintf(f, "%s,%u,%u,%u,%s,%u,%u,%" PRIu64 ",%" PRIu64 ",%.3f,%.1f,%.3f,%.3f,%.3f,%.3f,%.3f,",
				bench_modes[m].name, c->batch, o->nr_threads,
				rep->env.nr_inst,
				m == MODE_FAST_NOKICK ? "never" :
							kick_name(o->kick_policy),
				o->uring_depth, o->think_us, c->batches, c->cmds,
				c->wall_s, c->ops_s, c->p50_ns / 1e3,
				c->p90_ns / 1e3, c->p99_ns / 1e3, c->max_ns / 1e3,
				c->mean_ns / 1e3);
			if (c->ratio >= 0)
				fprintf(f, "%.4f", c->ratio);
			fprintf(f, ",%" PRIu64 ",%" PRIu64 "\n", c->kicks,
				c->wakes);
		}
	}
}

/* ---- JSON ----------------------------------------------------------------- */

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

/* A count that may be unknown (< 0): null. */
static void json_long(FILE *f, long v)
{
	if (v < 0)
		fprintf(f, "null");
	else
		fprintf(f, "%ld", v);
}

static const char *json_bool(bool b)
{
	return b ? "true" : "false";
}

/*
 * One pass's results: @fill is how many other-VM entries the model held
 * (0: the plain pass).  Return: @first for the next call.
 */
static bool json_results(FILE *f, const struct bench_report *rep,
			 const struct cell cells[MAX_BATCHES][NR_MODES],
			 unsigned long fill, bool first)
{
	const struct bench_opts *o = rep->opts;
	unsigned int bi, i, k;

	for (bi = 0; bi < o->nr_batches; bi++) {
		for (i = 0; i < NR_MODES; i++) {
			const struct cell *c = &cells[bi][row_order[i]];

			if (!c->ran)
				continue;
			fprintf(f, "%s\n    {\"mode\": \"%s\", \"batch\": %u, "
				"\"fill\": %lu, "
				"\"samples\": %" PRIu64 ", \"batches\": %" PRIu64 ", "
				"\"commands\": %" PRIu64 ", \"seconds\": %.3f, "
				"\"ops_per_s\": %.1f, \"p50_ns\": %" PRIu64 ", "
				"\"p90_ns\": %" PRIu64 ", \"p99_ns\": %" PRIu64 ", "
				"\"max_ns\": %" PRIu64 ", \"mean_ns\": %.0f, "
				"\"ratio_p50_vs_slow_single\": ",
				first ? "" : ",", bench_modes[c->mode].name,
				c->batch, fill, c->samples, c->batches, c->cmds,
				c->wall_s, c->ops_s, c->p50_ns, c->p90_ns,
				c->p99_ns, c->max_ns, c->mean_ns);
			if (c->ratio >= 0)
				fprintf(f, "%.4f", c->ratio);
			else
				fprintf(f, "null");
			fprintf(f, ", \"kicks\": %" PRIu64 ", \"need_wakeup_seen\": %" PRIu64 ",\n"
				"     \"cdf_ns\": [",
				c->kicks, c->wakes);
			for (k = 0; k < CDF_POINTS; k++)
				fprintf(f, "%s%" PRIu64, k ? ", " : "",
					c->cdf_ns[k]);
			fprintf(f, "]}");
			first = false;
		}
	}
	return first;
}

void output_json(FILE *f, const struct bench_report *rep)
{
	const struct bench_opts *o = rep->opts;
	const struct bench_env *e = &rep->env;
	unsigned int bi, m, i, k;
	bool first = true;

	fprintf(f, "{\n  \"version\": %d,\n  \"tool\": \"vcmdq-bench\",\n", JSON_VERSION);
	fprintf(f, "  \"config\": {\n    \"kernel\": ");
	json_str(f, e->kernel);
	fprintf(f, ",\n    \"machine\": ");
	json_str(f, e->machine);
	fprintf(f, ",\n    \"cpus\": %ld,\n    \"clocksource\": ", e->ncpus);
	json_str(f, e->clocksource);
	fprintf(f, ",\n    \"clock_gettime_ns\": %.0f,\n    \"engine_spin_us\": ",
		e->clock_ns);
	json_long(f, e->engine_spin_us);
	fprintf(f, ",\n    \"engine_poll_us\": ");
	json_long(f, e->engine_poll_us);
	fprintf(f, ",\n    \"engine_doorbell\": %s",
		e->engine_doorbell < 0 ? "null" : json_bool(e->engine_doorbell));
	fprintf(f, ",\n    \"engine_hybrid_us\": ");
	json_long(f, e->engine_hybrid_us);
	fprintf(f, ",\n    \"model_checked\": %s,\n    \"instances\": [",
		json_bool(e->model_checked));
	for (i = 0; i < e->nr_inst; i++) {
		fprintf(f, "%s{\"id\": %u, \"flavor\": ", i ? ", " : "",
			e->inst_id[i]);
		json_str(f, e->inst_flavor[i]);
		fprintf(f, "}");
	}
	fprintf(f, "],\n    \"modes\": [");
	for (m = 0, first = true; m < NR_MODES; m++)
		if (o->mode_mask & MODE_BIT(m)) {
			fprintf(f, "%s\"%s\"", first ? "" : ", ",
				bench_modes[m].name);
			first = false;
		}
	fprintf(f, "],\n    \"batches\": [");
	for (bi = 0; bi < o->nr_batches; bi++)
		fprintf(f, "%s%u", bi ? ", " : "", o->batches[bi]);
	fprintf(f, "],\n    \"threads\": %u,\n    \"shared_vm\": %s,\n"
		"    \"queue_bytes\": %u,\n    \"kick\": \"%s\",\n"
		"    \"uring_depth\": %u,\n    \"uring_fixed\": %s,\n"
		"    \"think_us\": %u,\n    \"seconds\": %.3f,\n    \"iters\": %lu,\n"
		"    \"warmup\": %u,\n    \"asid\": %u,\n    \"fill\": %lu,\n"
		"    \"unavailable\": [",
		o->nr_threads, json_bool(o->share_vm), o->qsize,
		kick_name(o->kick_policy), o->uring_depth,
		json_bool(o->uring_depth > 1 && o->uring_fixed), o->think_us,
		o->run_iters ? 0 : o->run_seconds, o->run_iters, o->warmup,
		o->asid, o->fill);
	for (m = 0, first = true; m < NR_MODES; m++)
		if (e->unavailable[m][0]) {
			fprintf(f, "%s{\"mode\": \"%s\", \"reason\": ",
				first ? "" : ", ", bench_modes[m].name);
			json_str(f, e->unavailable[m]);
			fprintf(f, "}");
			first = false;
		}
	fprintf(f, "]\n  },\n");
	fprintf(f, "  \"cdf_fractions\": [");
	for (k = 0; k < CDF_POINTS; k++)
		fprintf(f, "%s%g", k ? ", " : "", stats_cdf_level(k));
	fprintf(f, "],\n  \"results\": [");
	first = json_results(f, rep, rep->cells, 0, true);
	if (o->fill)
		json_results(f, rep, rep->fill_cells, o->fill, first);
	fprintf(f, "\n  ]\n}\n");
}
