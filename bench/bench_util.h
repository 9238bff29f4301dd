/* SPDX-License-Identifier: MIT */
/* bench_util.h - timing, percentiles and the result table for bench/. */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

uint64_t bench_now_ns(void);

/* Samples of one measurement, in nanoseconds. */
struct bench_series {
	const char *name;
	double *ns;
	size_t n, cap;
	double median, p99;
};

void bench_series_init(struct bench_series *s, const char *name, size_t cap);
void bench_series_add(struct bench_series *s, double ns);
/* Sorts and fills median and p99. */
void bench_series_finish(struct bench_series *s);
void bench_series_free(struct bench_series *s);

/* Prints "name  median  p99" rows. */
void bench_print_row(const struct bench_series *s);

#endif /* BENCH_UTIL_H */
