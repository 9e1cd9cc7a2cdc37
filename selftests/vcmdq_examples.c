// SPDX-License-Identifier: GPL-2.0-only
/*
 * The examples of examples/, run for real in the VM.  `make examples`
 * builds each one as a VMM would, against a staged install of libvcmdq
 * with nothing but pkg-config, into build/examples/vcmdq-examples/ with the
 * staged libvcmdq.so.0 beside it; tools/check copies that directory into
 * the VM (VCMDQ_CHECK_ADD), where it is /vcmdq-examples.  Each test runs
 * one program against that shared library and checks its exit status and
 * what it says it did.
 *
 * A missing directory fails: it means the VM run was not given the
 * examples, not that there is nothing to test.  VCMDQ_EXAMPLES_DIR
 * overrides the directory (for a run by hand).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vcmdq_utils.h"

static const char *examples_dir(void)
{
	const char *d = getenv("VCMDQ_EXAMPLES_DIR");

	return d && *d ? d : "/vcmdq-examples";
}

/*
 * Run example @name with the examples' directory first on
 * LD_LIBRARY_PATH, so it links the staged libvcmdq.so.0; its stdout and
 * stderr go to @out (NUL-terminated, truncated to @size).  Return: its
 * wait status, or -errno when it could not be started.
 */
static int run_example(const char *name, char *out, size_t size)
{
	char path[PATH_MAX];
	size_t len = 0;
	int pfd[2], status;
	pid_t pid;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", examples_dir(), name);
	if (pipe(pfd))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		close(pfd[0]);
		close(pfd[1]);
		setenv("LD_LIBRARY_PATH", examples_dir(), 1);
		execl(path, name, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	while (len + 1 < size &&
	       (n = read(pfd[0], out + len, size - 1 - len)) > 0)
		len += n;
	out[len] = '\0';
	close(pfd[0]);
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return status;
}

/* The output, one kselftest comment line per line. */
static void show(const char *name, const char *out)
{
	const char *p = out, *nl;

	while (*p) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		printf("# %s: %.*s\n", name, (int)(nl - p), p);
		p = *nl ? nl + 1 : nl;
	}
}

/*
 * guest-queue: fast path TLBI_NH_ASID + CMD_SYNC on a fresh queue (CONS
 * must reach 2, past the CMD_SYNC at 1), the same two commands through the
 * slow path (both executed), and a clean close.
 */
TEST(guest_queue)
{
	char path[PATH_MAX], out[16384];
	int status;

	if (!vcmdq_has_fast_queues())
		SKIP(return, "no instance with fast queues (modparam instances): the example needs a tegra241-cmdqv");
	snprintf(path, sizeof(path), "%s/guest-queue", examples_dir());
	if (access(path, X_OK))
		TH_LOG("no %s: make examples builds it, tools/check adds it with VCMDQ_CHECK_ADD=build/examples/vcmdq-examples",
		       path);
	ASSERT_EQ(0, access(path, X_OK));

	status = run_example("guest-queue", out, sizeof(out));
	show("guest-queue", out);
	ASSERT_LE(0, status);
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	EXPECT_NE(NULL, strstr(out, "\nfast path: TLBI_NH_ASID(42) + CMD_SYNC at 0 and 1, CONS now 2: done\n"));
	EXPECT_NE(NULL, strstr(out, "\nslow path: TLBI_NH_ASID(42) + CMD_SYNC: 2 entries done\n"));
	EXPECT_NE(NULL, strstr(out, "\nclosed: ok\n"));
}

TEST_HARNESS_MAIN
