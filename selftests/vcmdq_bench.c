// SPDX-License-Identifier: GPL-2.0-only
/*
 * vcmdq-bench in the VM (tools/check puts the binary on the VM's PATH when
 * this program runs): every mode runs, each batch is checked by the bench
 * itself (CONS past the sync, and with the module's test hook the IOTLB
 * model), and --json is a version-1 document with one result per mode and
 * batch size.  A smoke test of the whole benchmark on the library, not a
 * measurement: no figure is compared with a bound.
 *
 * Run as root inside the test VM.
 */
#define _GNU_SOURCE
#include "vcmdq_utils.h"
#include "vcmdq_tool_utils.h"

#pragma GCC diagnostic ignored "-Wsign-compare"

#define BENCH "vcmdq-bench"

static struct run r;

/*
 * Every mode at batch 1 and 16, 30 batches each (a few seconds in TCG),
 * with @extra (NULL: none).
 */
static void run_all(const char *extra)
{
	run_tool(&r, AS_ROOT, BENCH,
		 (const char *const[]){ "--mode", "all,fast-nokick", "--batch",
					"1,16", "--iters", "30", "--warmup",
					"2", extra, NULL });
}

/* /dev/iommu and upstream's IOMMUFD_TEST mock driver (its bus). */
static bool has_iommufd(void)
{
	return !access("/dev/iommu", F_OK);
}

static bool has_iommufd_mock(void)
{
	return has_iommufd() && !access("/sys/bus/iommufd_mock", F_OK);
}

/* The result of @mode at batch @b in @results, or NULL. */
static const struct jval *find_cell(const struct jval *results,
				    const char *mode, long b)
{
	int i;

	for (i = 0; i < results->n; i++) {
		const struct jval *c = results->items[i];

		if (!strcmp(jstr(c, "mode") ?: "", mode) && jnum(c, "batch") == b)
			return c;
	}
	return NULL;
}

/* The table of modes needs no module and names every mode. */
TEST(list_modes)
{
	static const char *const modes[] = { "floor", "fast", "fast-nokick",
					     "uring", "slow-batch",
					     "slow-single", "upstream" };
	unsigned int i;

	run_tool(&r, AS_ROOT, BENCH, (const char *const[]){ "--list-modes", NULL });
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	for (i = 0; i < ARRAY_SIZE(modes); i++)
		EXPECT_NE(NULL, strstr(r.out, modes[i])) TH_LOG("mode %u", i);
}

TEST(all_modes_json)
{
	static const char *const modes[] = { "slow-single", "slow-batch",
					     "uring", "fast", "fast-nokick",
					     "floor", "upstream" };
	/* upstream runs in 'all' only where the kernel has the mock */
	unsigned int nr_modes = ARRAY_SIZE(modes) - !has_iommufd_mock();
	const struct jval *results, *cfg, *unavail;
	unsigned int m, b, found;
	struct jval *doc;
	int i, fd;

	if (!vcmdq_has_fast_queues())
		SKIP(return, "no instance with fast queues (modparam instances)");
	run_all("--json");
	ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
	doc = jdoc(r.out);
	ASSERT_NE(NULL, doc) TH_LOG("not one JSON document: %.400s", r.out);
	EXPECT_EQ(1, jnum(doc, "version"));
	EXPECT_STREQ("vcmdq-bench", jstr(doc, "tool") ?: "(none)");
	cfg = jget(doc, "config");
	ASSERT_NE(NULL, cfg);
	/*
	 * A test build of the module: every batch was checked on the model;
	 * a production module has no model to check against.
	 */
	fd = vcmdq_open_dev();
	ASSERT_LE(0, fd);
	EXPECT_EQ(vcmdq_has_test_hook(fd), jbool(cfg, "model_checked"));
	close(fd);
	results = jarr(doc, "results");
	ASSERT_NE(NULL, results);
	EXPECT_EQ(nr_modes * 2, results->n);
	/* a mode 'all' skipped is named, with its reason */
	unavail = jget(cfg, "unavailable");
	ASSERT_NE(NULL, unavail);
	ASSERT_EQ(J_ARR, unavail->t);
	if (has_iommufd_mock()) {
		EXPECT_EQ(0, unavail->n);
	} else {
		ASSERT_EQ(1, unavail->n);
		EXPECT_STREQ("upstream", jstr(unavail->items[0], "mode") ?: "");
		EXPECT_NE(NULL, jstr(unavail->items[0], "reason"));
	}
	for (m = 0; m < nr_modes; m++) {
		for (b = 1; b <= 16; b += 15) {
			found = 0;
			for (i = 0; i < results->n; i++) {
				const struct jval *c = results->items[i];

				if (strcmp(jstr(c, "mode") ?: "", modes[m]) ||
				    jnum(c, "batch") != b)
					continue;
				found++;
				EXPECT_EQ(30, jnum(c, "batches"))
					TH_LOG("%s batch %u", modes[m], b);
				EXPECT_EQ(30 * b, jnum(c, "commands"))
					TH_LOG("%s batch %u", modes[m], b);
				EXPECT_LT(0, jnum(c, "p50_ns"));
				EXPECT_LE(jnum(c, "p50_ns"), jnum(c, "p99_ns"));
				EXPECT_LE(jnum(c, "p99_ns"), jnum(c, "max_ns"));
			}
			EXPECT_EQ(1, found) TH_LOG("%s batch %u", modes[m], b);
		}
	}
	jfree(doc);
}

/*
 * upstream iommufd's trapped path side by side with vcmdq's: on a kernel
 * with /dev/iommu and the mock every cell ran and was checked (each call
 * 0 with entry_num == N, the bench dies otherwise); without them, asked
 * for by name, the mode refuses with the reason and exit 1 (no SKIP: the
 * refusal is what the other VMs test).
 */
TEST(upstream)
{
	const char *modes = "upstream,slow-batch,slow-single,fast";
	const struct jval *results, *cfg;
	unsigned int b;
	struct jval *doc;

	/* Every mode of the bench sends SMMUv3 commands on a Tegra241 VM. */
	if (!vcmdq_has_fast_queues())
		SKIP(return, "no instance with fast queues (modparam instances)");
	if (!has_iommufd_mock()) {
		run_tool(&r, AS_ROOT, BENCH,
			 (const char *const[]){ "--mode", "upstream", "--iters",
						"5", NULL });
		EXPECT_EQ(1, r.status) TH_LOG("stderr: %s", r.err);
		EXPECT_STREQ("", r.out);
		EXPECT_NE(NULL, strstr(r.err, "vcmdq-bench: upstream: "))
			TH_LOG("stderr: %s", r.err);
		/* no iommufd at all, or iommufd without the mock */
		EXPECT_NE(NULL, strstr(r.err, has_iommufd() ? "IOMMUFD_TEST" :
							      "no /dev/iommu"))
			TH_LOG("stderr: %s", r.err);
		/* in 'all' the same machine skips it, with one line */
		run_tool(&r, AS_ROOT, BENCH,
			 (const char *const[]){ "--mode", "all", "--iters", "5",
						"--warmup", "1", NULL });
		EXPECT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
		EXPECT_NE(NULL, strstr(r.err, "skipping upstream: "))
			TH_LOG("stderr: %s", r.err);
		return;
	}

	run_tool(&r, AS_ROOT, BENCH,
		 (const char *const[]){ "--mode", modes, "--batch", "1,64",
					"--iters", "30", "--warmup", "2",
					"--json", NULL });
	ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
	doc = jdoc(r.out);
	ASSERT_NE(NULL, doc) TH_LOG("not one JSON document: %.400s", r.out);
	cfg = jget(doc, "config");
	ASSERT_NE(NULL, cfg);
	ASSERT_NE(NULL, jget(cfg, "unavailable"));
	EXPECT_EQ(0, jget(cfg, "unavailable")->n);
	results = jarr(doc, "results");
	ASSERT_NE(NULL, results);
	for (b = 1; b <= 64; b += 63) {
		const struct jval *up = find_cell(results, "upstream", b);
		const struct jval *ratio;

		ASSERT_NE(NULL, up) TH_LOG("no upstream cell at batch %u", b);
		EXPECT_EQ(30, jnum(up, "batches")) TH_LOG("batch %u", b);
		EXPECT_EQ(30 * b, jnum(up, "commands")) TH_LOG("batch %u", b);
		EXPECT_LT(0, jnum(up, "p50_ns")) TH_LOG("batch %u", b);
		EXPECT_LE(jnum(up, "p50_ns"), jnum(up, "max_ns"));
		/* side by side: the ratio to slow-single of the same run */
		ratio = jget(up, "ratio_p50_vs_slow_single");
		ASSERT_NE(NULL, ratio);
		EXPECT_EQ(J_NUM, ratio->t) TH_LOG("batch %u", b);
		EXPECT_NE(NULL, find_cell(results, "slow-batch", b));
		EXPECT_NE(NULL, find_cell(results, "slow-single", b));
	}
	jfree(doc);
}

/* The human output: the mode matrix with slow-single as its reference. */
TEST(matrix)
{
	if (!vcmdq_has_fast_queues())
		SKIP(return, "no instance with fast queues (modparam instances)");
	run_all(NULL);
	ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "mode matrix")) TH_LOG("%.600s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "1.000x")) TH_LOG("%.600s", r.out);
}

/* Bad options: usage, exit 2, nothing run. */
TEST(usage)
{
	run_tool(&r, AS_ROOT, BENCH, (const char *const[]){ "--mode", "nosuch", NULL });
	EXPECT_EQ(2, r.status) TH_LOG("%s", r.err);
	run_tool(&r, AS_ROOT, BENCH, (const char *const[]){ "--batch", "0", NULL });
	EXPECT_EQ(2, r.status) TH_LOG("%s", r.err);
}

TEST_HARNESS_MAIN
