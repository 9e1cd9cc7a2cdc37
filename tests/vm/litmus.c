// SPDX-License-Identifier: GPL-2.0
/*
 * tests/vm/litmus.c: which reorderings of plain (relaxed) accesses a CPU
 * shows, for docs/testing.md's account of the arm64 VM.  Three classic
 * shapes, two threads on two CPUs, no barriers:
 *
 *   SB  T0: x = 1; r0 = y      T1: y = 1; r1 = x      r0 = r1 = 0 ?
 *       (store then load: allowed on x86-TSO and arm64)
 *   MP  T0: d = 1; f = 1       T1: r0 = f; r1 = d     r0 = 1, r1 = 0 ?
 *       (store-store or load-load: arm64 only)
 *   LB  T0: r0 = x; y = 1      T1: r1 = y; x = 1      r0 = r1 = 1 ?
 *       (load then store: arm64 only, rare even on hardware)
 *
 * Each round the two threads meet at a spin barrier and run their halves;
 * the outcome is counted.  make arm64 builds it (build/arm64/litmus):
 *   tools/vm/run --arch arm64 --no-module --add build/arm64/litmus -- litmus [ROUNDS]
 * Output: one line per shape, "SHAPE: N of ROUNDS rounds reordered".
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

#define RLX __ATOMIC_RELAXED

static unsigned long rounds = 200000;
static int x, y;
static int r0, r1;
/* Read with __atomic_load_n: with a plain read, GCC 12 -O2 loaded it once
 * before thread1's loop (its out-of-line barrier writes no shape). */
static int shape;
static unsigned int bar_count, bar_sense;

/* A two-thread sense-reversing barrier (acquire/release: not the test). */
static void barrier_wait(unsigned int *local)
{
	*local ^= 1;
	if (__atomic_add_fetch(&bar_count, 1, __ATOMIC_ACQ_REL) == 2) {
		__atomic_store_n(&bar_count, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&bar_sense, *local, __ATOMIC_RELEASE);
	} else {
		unsigned int spins = 0;

		/* Yield now and then: the other thread's CPU may be busy. */
		while (__atomic_load_n(&bar_sense, __ATOMIC_ACQUIRE) != *local)
			if (++spins % 1024 == 0)
				sched_yield();
	}
}

static void pin(int cpu)
{
	cpu_set_t s;

	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	sched_setaffinity(0, sizeof(s), &s);
}

static void half(int t)
{
	switch (__atomic_load_n(&shape, RLX) * 2 + t) {
	case 0: /* SB T0 */
		__atomic_store_n(&x, 1, RLX);
		r0 = __atomic_load_n(&y, RLX);
		break;
	case 1: /* SB T1 */
		__atomic_store_n(&y, 1, RLX);
		r1 = __atomic_load_n(&x, RLX);
		break;
	case 2: /* MP T0 */
		__atomic_store_n(&x, 1, RLX);	/* data */
		__atomic_store_n(&y, 1, RLX);	/* flag */
		break;
	case 3: /* MP T1 */
		r0 = __atomic_load_n(&y, RLX);
		r1 = __atomic_load_n(&x, RLX);
		break;
	case 4: /* LB T0 */
		r0 = __atomic_load_n(&x, RLX);
		__atomic_store_n(&y, 1, RLX);
		break;
	case 5: /* LB T1 */
		r1 = __atomic_load_n(&y, RLX);
		__atomic_store_n(&x, 1, RLX);
		break;
	}
}

static void *thread1(void *arg)
{
	unsigned int sense = 0;

	(void)arg;
	pin(1);
	for (;;) {
		barrier_wait(&sense);	/* round set up */
		if (__atomic_load_n(&shape, RLX) < 0)
			return NULL;
		half(1);
		barrier_wait(&sense);	/* round done */
	}
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "SB", "MP", "LB" };
	unsigned int sense = 0;
	unsigned long i, hits[3] = { 0 };
	pthread_t th;

	if (argc > 1)
		rounds = strtoul(argv[1], NULL, 0);
	pin(0);
	pthread_create(&th, NULL, thread1, NULL);
	for (shape = 0; shape < 3; shape++) {
		for (i = 0; i < rounds; i++) {
			x = y = r0 = r1 = 0;
			barrier_wait(&sense);
			half(0);
			barrier_wait(&sense);
			if ((shape == 0 && !r0 && !r1) ||
			    (shape == 1 && r0 && !r1) ||
			    (shape == 2 && r0 && r1))
				hits[shape]++;
		}
	}
	__atomic_store_n(&shape, -1, RLX);
	barrier_wait(&sense);
	pthread_join(th, NULL);
	for (i = 0; i < 3; i++)
		printf("%s: %lu of %lu rounds reordered\n", names[i], hits[i],
		       rounds);
	return 0;
}
