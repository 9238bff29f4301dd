/* SPDX-License-Identifier: MIT */
/* <time.h> for the kernel build: struct timespec and nanosleep. */
#ifndef IOK_SHIM_TIME_H
#define IOK_SHIM_TIME_H
#include <linux/types.h>
#include <linux/delay.h>

typedef long time_t;

struct timespec {
	time_t tv_sec;
	long tv_nsec;
};

static inline int nanosleep(const struct timespec *req, struct timespec *rem)
{
	u64 us = (u64)req->tv_sec * 1000000u + (u64)req->tv_nsec / 1000u;

	if (us)
		usleep_range(us, us + us / 16 + 10);
	return 0;
}
#endif
