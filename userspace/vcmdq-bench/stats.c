// SPDX-License-Identifier: GPL-2.0
/*
 * vcmdq-bench: latency samples and what is derived from them.  Each
 * submitter keeps its batches' latencies (a uniform reservoir past
 * MAX_SAMPLES_PER_THREAD); a cell merges them, sorts them once and keeps
 * percentiles (nearest rank) and a CDF of CDF_POINTS points.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define MAX_SAMPLES_PER_THREAD	(4UL << 20)

int result_reset(struct result *r, unsigned int seed)
{
	free(r->samples);
	memset(r, 0, sizeof(*r));
	r->cap = 65536;
	r->samples = calloc(r->cap, sizeof(*r->samples));
	if (!r->samples)
		return -ENOMEM;
	r->rng = 0x9e3779b97f4a7c15ULL ^ seed;
	return 0;
}

void result_free(struct result *r)
{
	free(r->samples);
	memset(r, 0, sizeof(*r));
}

static inline uint64_t xorshift64(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * Record one batch; past MAX_SAMPLES_PER_THREAD keep a uniform reservoir.
 * Return: 0, or -ENOMEM when the samples cannot grow.
 */
int result_add(struct result *r, uint64_t ns)
{
	uint32_t v = ns > UINT32_MAX ? UINT32_MAX : (uint32_t)ns;

	r->seen++;
	r->sum_ns += ns;
	if (ns > r->max_ns)
		r->max_ns = ns;
	if (r->nr_samples == r->cap && r->cap < MAX_SAMPLES_PER_THREAD) {
		uint32_t *n = realloc(r->samples, 2 * r->cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		r->samples = n;
		r->cap *= 2;
	}
	if (r->nr_samples < r->cap) {
		r->samples[r->nr_samples++] = v;
	} else {
		uint64_t j = xorshift64(&r->rng) % r->seen;

		if (j < r->cap)
			r->samples[j] = v;
	}
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

void stats_sort(uint32_t *s, size_t n)
{
	if (n)
		qsort(s, n, sizeof(*s), cmp_u32);
}

/*
 * Nearest-rank percentile @p (0..100) of @sorted: the smallest sample with
 * at least p % of the samples at or below it; p = 0 gives the minimum.
 * 0 with no samples.
 */
uint64_t stats_percentile(const uint32_t *sorted, size_t n, double p)
{
	double x = p * n / 100.0;
	size_t rank = (size_t)x;

	if (!n)
		return 0;
	/* ceil(), forgiving the rounding of p * n (99.9 % of 1000 is 999) */
	if (x - (double)rank > 1e-9 * x)
		rank++;
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
}

/* The cumulative fraction of CDF point @k (see CDF_POINTS). */
double stats_cdf_level(unsigned int k)
{
	static const double tail[] = { 0.995, 0.999, 0.9999, 1.0 };

	if (k < 100)
		return k / 100.0;
	return tail[k - 100];
}

/*
 * Fill @c's percentiles and CDF from its @n @sorted samples (ns).  The
 * caller has set the counters (batches, max_ns from every batch, mean).
 */
void stats_summarize(struct cell *c, const uint32_t *sorted, size_t n)
{
	unsigned int k;

	c->samples = n;
	c->p50_ns = stats_percentile(sorted, n, 50);
	c->p90_ns = stats_percentile(sorted, n, 90);
	c->p99_ns = stats_percentile(sorted, n, 99);
	for (k = 0; k < CDF_POINTS; k++)
		c->cdf_ns[k] = stats_percentile(sorted, n,
						100.0 * stats_cdf_level(k));
}

/* Each cell's p50 over slow-single's at batch size @bi, where both ran. */
void stats_ratios(struct bench_report *rep, unsigned int bi)
{
	const struct cell *ref = &rep->cells[bi][MODE_SLOW_SINGLE];
	unsigned int m;

	for (m = 0; m < NR_MODES; m++) {
		struct cell *c = &rep->cells[bi][m];

		c->ratio = -1;
		if (c->ran && ref->ran && ref->p50_ns > 0)
			c->ratio = (double)c->p50_ns / ref->p50_ns;
	}
}
