// SPDX-License-Identifier: MIT
/* bench_util.c - timing and statistics for bench/. */
#include "bench_util.h"

#include <stdlib.h>
#include <time.h>

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void bench_series_init(struct bench_series *s, const char *name, size_t cap)
{
	s->name = name;
	s->ns = calloc(cap, sizeof(double));
	s->n = 0;
	s->cap = s->ns ? cap : 0;
	s->median = s->p99 = 0;
}

void bench_series_add(struct bench_series *s, double ns)
{
	if (s->n < s->cap)
		s->ns[s->n++] = ns;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void bench_series_finish(struct bench_series *s)
{
	if (!s->n)
		return;
	qsort(s->ns, s->n, sizeof(double), cmp_double);
	s->median = s->ns[s->n / 2];
	s->p99 = s->ns[(size_t)((double)(s->n - 1) * 0.99)];
}

void bench_series_free(struct bench_series *s)
{
	free(s->ns);
	s->ns = NULL;
}

void bench_print_row(const struct bench_series *s)
{
	printf("  %-44s %12.2f %12.2f\n", s->name, s->median / 1000.0, s->p99 / 1000.0);
}
