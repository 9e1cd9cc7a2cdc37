// SPDX-License-Identifier: GPL-2.0
/*
 * vcmdq-bench: what a run prints.  The human tables (a header, one table
 * per batch size, then two mode x batch size matrices: the ratio to
 * slow-single and the throughput), CSV and JSON.  Everything here reads a
 * struct bench_report only.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"

const char *kick_name(int policy)
{
	return policy == KICK_AUTO ? "auto" :
	       policy == KICK_ALWAYS ? "always" : "never";
}

/* ---- human tables --------------------------------------------------------- */

void output_header(FILE *f, const struct bench_report *rep)
{
	const struct bench_opts *o = rep->opts;
	const struct bench_env *e = &rep->env;
	unsigned int i;

	fprintf(f, "vcmdq-bench: kernel %s %s, %ld CPUs, clocksource %s (clock_gettime %.0f ns), engine_spin_us %ld, engine_poll_us %ld%s\n",
		e->kernel, e->machine, e->ncpus, e->clocksource, e->clock_ns,
		e->engine_spin_us, e->engine_poll_us,
		e->model_checked ? ", model checked (VCMDQ_TEST)" : "");
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

/*
 * One mode x batch-size table of a per-cell value; @value returns < 0 for a
 * cell with nothing to show ("-").
 */
static void print_matrix(FILE *f, const struct bench_report *rep,
			 const char *title, const char *fmt,
			 double (*value)(const struct cell *c))
{
	const struct bench_opts *o = rep->opts;
	unsigned int bi, m;

	fprintf(f, "\n%s\n", title);
	fprintf(f, "  %-12s", "mode");
	for (bi = 0; bi < o->nr_batches; bi++)
		fprintf(f, " %9s%-4u", "batch ", o->batches[bi]);
	fprintf(f, "\n");
	for (m = 0; m < NR_MODES; m++) {
		bool any = false;

		for (bi = 0; bi < o->nr_batches; bi++)
			any |= rep->cells[bi][m].ran;
		if (!any)
			continue;
		fprintf(f, "  %-12s", bench_modes[m].name);
		for (bi = 0; bi < o->nr_batches; bi++) {
			const struct cell *c = &rep->cells[bi][m];
			double v = c->ran ? value(c) : -1;

			if (v >= 0)
				fprintf(f, fmt, v);
			else
				fprintf(f, " %13s", "-");
		}
		fprintf(f, "\n");
	}
}

static double cell_ratio(const struct cell *c)
{
	return c->ratio;
}

static double cell_ops(const struct cell *c)
{
	return c->ops_s;
}

void output_summary(FILE *f, const struct bench_report *rep)
{
	print_matrix(f, rep, "p50 latency / slow-single p50 (same batch size, same run; < 1 is faster)",
		     " %13.3f", cell_ratio);
	print_matrix(f, rep, "throughput (TLBI commands/s)", " %13.0f", cell_ops);
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

void output_json(FILE *f, const struct bench_report *rep)
{
	const struct bench_opts *o = rep->opts;
	const struct bench_env *e = &rep->env;
	unsigned int bi, m, i;
	bool first = true;

	fprintf(f, "{\n  \"config\": {\"kernel\": \"%s\", \"cpus\": %ld, \"clocksource\": \"%s\", \"clock_gettime_ns\": %.0f, "
		"\"engine_spin_us\": %ld, \"engine_poll_us\": %ld, \"threads\": %u, "
		"\"shared_vm\": %s, \"instances\": [",
		e->kernel, e->ncpus, e->clocksource, e->clock_ns,
		e->engine_spin_us, e->engine_poll_us, o->nr_threads,
		o->share_vm ? "true" : "false");
	for (i = 0; i < e->nr_inst; i++)
		fprintf(f, "%s%u", i ? ", " : "", e->inst_id[i]);
	fprintf(f, "], \"queue_bytes\": %u, \"kick\": \"%s\", \"uring_depth\": %u, "
		"\"think_us\": %u, \"seconds\": %.3f, \"iters\": %lu, "
		"\"model_checked\": %s},\n  \"results\": [",
		o->qsize, kick_name(o->kick_policy), o->uring_depth, o->think_us,
		o->run_iters ? 0 : o->run_seconds, o->run_iters,
		e->model_checked ? "true" : "false");
	for (bi = 0; bi < o->nr_batches; bi++) {
		for (m = 0; m < NR_MODES; m++) {
			const struct cell *c = &rep->cells[bi][m];

			if (!c->ran)
				continue;
			fprintf(f, "%s\n    {\"mode\": \"%s\", \"batch\": %u, \"batches\": %" PRIu64 ", "
				"\"commands\": %" PRIu64 ", \"seconds\": %.3f, \"ops_per_s\": %.1f, "
				"\"p50_us\": %.3f, \"p90_us\": %.3f, \"p99_us\": %.3f, "
				"\"max_us\": %.3f, \"mean_us\": %.3f, \"ratio_p50_vs_slow_single\": ",
				first ? "" : ",", bench_modes[m].name, c->batch,
				c->batches, c->cmds, c->wall_s, c->ops_s,
				c->p50_ns / 1e3, c->p90_ns / 1e3, c->p99_ns / 1e3,
				c->max_ns / 1e3, c->mean_ns / 1e3);
			if (c->ratio >= 0)
				fprintf(f, "%.4f", c->ratio);
			else
				fprintf(f, "null");
			fprintf(f, ", \"kicks\": %" PRIu64 ", \"need_wakeup_seen\": %" PRIu64 "}",
				c->kicks, c->wakes);
			first = false;
		}
	}
	fprintf(f, "\n  ]\n}\n");
}
