// SPDX-License-Identifier: GPL-2.0
/*
 * vcmdq-bench --plot FILE: the latency distributions as an SVG image, with
 * no plotting tool needed.  One curve per mode x batch size (the CDF kept
 * per cell, see CDF_POINTS): latency across on a log scale, the fraction of
 * batches at or below it up; colour = mode, dash pattern = batch size; a
 * legend with each curve's p50.
 *
 * Each curve is a <polyline class="cdf" data-mode=".." data-batch="..">,
 * so a script can find them (tests/unit/check_bench_output.py does).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>

#include "bench.h"

#define W		960
#define H		560
#define ML		70	/* margins: left, right (legend), top, bottom */
#define MR		250
#define MT		50
#define MB		50
#define PW		(W - ML - MR)
#define PH		(H - MT - MB)

static const char *const mode_colour[NR_MODES] = {
	[MODE_FLOOR] = "#7f7f7f",
	[MODE_FAST] = "#1f77b4",
	[MODE_FAST_NOKICK] = "#17becf",
	[MODE_URING] = "#ff7f0e",
	[MODE_SLOW_BATCH] = "#2ca02c",
	[MODE_SLOW_SINGLE] = "#d62728",
	[MODE_UPSTREAM] = "#9467bd",
};

static const char *const batch_dash[] = {
	"none", "8,4", "2,3", "10,3,2,3", "4,4", "1,6",
};

#define NR_DASH	(sizeof(batch_dash) / sizeof(batch_dash[0]))

static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			if ((unsigned char)*s >= 0x20)
				fputc(*s, f);
		}
	}
}

struct axis {
	double lo, hi;		/* log10 of the latency range in us */
};

static double x_of(const struct axis *a, uint64_t ns)
{
	double us = (ns ? ns : 1) / 1e3;

	return ML + (log10(us) - a->lo) / (a->hi - a->lo) * PW;
}

static double y_of(double frac)
{
	return MT + (1.0 - frac) * PH;
}

/* Whole decades around every sample kept. */
static void x_axis(const struct bench_report *rep, struct axis *a)
{
	double lo = 1e300, hi = -1e300;
	unsigned int bi, m;

	for (bi = 0; bi < rep->opts->nr_batches; bi++)
		for (m = 0; m < NR_MODES; m++) {
			const struct cell *c = &rep->cells[bi][m];
			double l, h;

			if (!c->ran || !c->samples)
				continue;
			l = log10((c->cdf_ns[0] ? c->cdf_ns[0] : 1) / 1e3);
			h = log10((c->cdf_ns[CDF_POINTS - 1] ?
				   c->cdf_ns[CDF_POINTS - 1] : 1) / 1e3);
			if (l < lo)
				lo = l;
			if (h > hi)
				hi = h;
		}
	if (lo > hi) {
		lo = 0;
		hi = 1;
	}
	a->lo = floor(lo);
	a->hi = ceil(hi);
	if (a->hi <= a->lo)
		a->hi = a->lo + 1;
}

static void decade_label(char *buf, size_t len, int d)
{
	static const char *const us[] = { "1 us", "10 us", "100 us" };
	static const char *const ms[] = { "1 ms", "10 ms", "100 ms" };

	if (d < 0)
		snprintf(buf, len, "%g ns", pow(10, d + 3));
	else if (d < 3)
		snprintf(buf, len, "%s", us[d]);
	else if (d < 6)
		snprintf(buf, len, "%s", ms[d - 3]);
	else
		snprintf(buf, len, "%g s", pow(10, d - 6));
}

static void frame(FILE *f, const struct bench_report *rep,
		  const struct axis *a, int height)
{
	static const double yt[] = { 0, 0.25, 0.5, 0.75, 0.9, 1 };
	unsigned int i;
	int d, k;

	fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"white\"/>\n",
		W, height);
	fprintf(f, "<text x=\"%d\" y=\"22\" font-size=\"16\" font-weight=\"bold\">vcmdq-bench: latency per batch, CDF per mode and batch size</text>\n",
		ML);
	fprintf(f, "<text x=\"%d\" y=\"40\" font-size=\"11\" fill=\"#555\">kernel ", ML);
	xml_text(f, rep->env.kernel);
	fprintf(f, ", clocksource ");
	xml_text(f, rep->env.clocksource);
	fprintf(f, ", %u thread%s; compare curves within one run only</text>\n",
		rep->opts->nr_threads, rep->opts->nr_threads > 1 ? "s" : "");

	/* grid: decades and their 2x, 5x; fractions */
	fprintf(f, "<g stroke=\"#ddd\" stroke-width=\"1\">\n");
	for (d = (int)a->lo; d <= (int)a->hi; d++)
		for (k = 1; k <= 5; k += (k == 1 ? 1 : 3)) {
			double x = ML + (d + log10(k) - a->lo) / (a->hi - a->lo) * PW;

			if (x > ML + PW + 0.5)
				continue;
			fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"%s/>\n",
				x, MT, x, MT + PH,
				k == 1 ? " stroke=\"#bbb\"" : "");
		}
	for (i = 0; i < sizeof(yt) / sizeof(yt[0]); i++)
		fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>\n",
			ML, y_of(yt[i]), ML + PW, y_of(yt[i]));
	fprintf(f, "</g>\n");
	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"black\"/>\n",
		ML, MT, PW, PH);

	/* tick labels */
	fprintf(f, "<g font-size=\"11\" text-anchor=\"middle\">\n");
	for (d = (int)a->lo; d <= (int)a->hi; d++) {
		char lab[32];

		decade_label(lab, sizeof(lab), d);
		fprintf(f, "<text x=\"%.1f\" y=\"%d\">%s</text>\n",
			ML + (d - a->lo) / (a->hi - a->lo) * PW, MT + PH + 16,
			lab);
	}
	fprintf(f, "<text x=\"%d\" y=\"%d\">latency per batch (log scale)</text>\n",
		ML + PW / 2, MT + PH + 38);
	fprintf(f, "</g>\n<g font-size=\"11\" text-anchor=\"end\">\n");
	for (i = 0; i < sizeof(yt) / sizeof(yt[0]); i++)
		fprintf(f, "<text x=\"%d\" y=\"%.1f\">%g</text>\n", ML - 6,
			y_of(yt[i]) + 4, yt[i]);
	fprintf(f, "</g>\n");
	fprintf(f, "<text x=\"16\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\" transform=\"rotate(-90 16 %d)\">fraction of batches at or below</text>\n",
		MT + PH / 2, MT + PH / 2);
}

/* Return: 0, or -1 when writing failed. */
int plot_svg(FILE *f, const struct bench_report *rep)
{
	const struct bench_opts *o = rep->opts;
	unsigned int bi, m, k, n = 0;
	struct axis a;
	int height = H;

	/* taller than the plot when the legend needs it */
	for (m = 0; m < NR_MODES; m++)
		for (bi = 0; bi < o->nr_batches; bi++)
			n += rep->cells[bi][m].ran && rep->cells[bi][m].samples;
	if (MT + 10 + 18 * (int)n + 10 > height)
		height = MT + 10 + 18 * n + 10;
	n = 0;

	x_axis(rep, &a);
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">\n",
		W, height, W, height);
	frame(f, rep, &a, height);

	fprintf(f, "<g fill=\"none\" stroke-width=\"1.8\">\n");
	for (m = 0; m < NR_MODES; m++)
		for (bi = 0; bi < o->nr_batches; bi++) {
			const struct cell *c = &rep->cells[bi][m];
			char p50[32];
			double ly = MT + 10 + 18.0 * n;

			if (!c->ran || !c->samples)
				continue;
			fprintf(f, "<polyline class=\"cdf\" data-mode=\"%s\" data-batch=\"%u\" stroke=\"%s\" stroke-dasharray=\"%s\" points=\"",
				bench_modes[m].name, c->batch, mode_colour[m],
				batch_dash[bi % NR_DASH]);
			/* a step function: up at each point, across to the next */
			for (k = 0; k < CDF_POINTS; k++) {
				double x = x_of(&a, c->cdf_ns[k]);

				if (k)
					fprintf(f, " %.1f,%.1f", x,
						y_of(stats_cdf_level(k - 1)));
				fprintf(f, "%s%.1f,%.1f", k ? " " : "", x,
					y_of(stats_cdf_level(k)));
			}
			fprintf(f, "\"/>\n");

			/* its legend entry */
			snprintf(p50, sizeof(p50), "%.2f", c->p50_ns / 1e3);
			fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\" stroke-dasharray=\"%s\"/>\n",
				ML + PW + 14, ly, ML + PW + 44, ly, mode_colour[m],
				batch_dash[bi % NR_DASH]);
			fprintf(f, "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" stroke=\"none\" fill=\"black\">%s, batch %u (p50 %s us)</text>\n",
				ML + PW + 50, ly + 4, bench_modes[m].name,
				c->batch, p50);
			n++;
		}
	fprintf(f, "</g>\n</svg>\n");
	fflush(f);
	return ferror(f) ? -1 : 0;
}
