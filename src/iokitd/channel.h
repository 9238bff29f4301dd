/* SPDX-License-Identifier: MIT */
/* channel.h - iokitd's side of the call channels (see src/wire/iok_chan.h). */
#ifndef IOKITD_CHANNEL_H
#define IOKITD_CHANNEL_H

#include <pthread.h>
#include <stdint.h>
#include "runtime.h"

struct channel;

/* The channels of one client connection. */
struct channel_set {
	pthread_mutex_t lock;
	struct channel *list;
	uint32_t next_id;
	uint32_t count;
};

#define CHANNELS_PER_CLIENT_MAX 256

void channel_set_init(struct channel_set *set);
/* Maps the sealed memfd fd (taking ownership) and starts serving it.
 * Returns an IOReturn; *id names the channel in later requests. */
IOReturn channel_open(struct channel_set *set, iok_task_t *task, int fd, uint32_t *id);
/* Replaces channel id's out-of-line buffer (takes ownership of fd). */
IOReturn channel_set_ool(struct channel_set *set, uint32_t id, int fd);
/* Makes every channel started later spin ns (not 0) for its next request
 * whatever the size of the last: a driver process under --isolate, whose
 * caller (the host) sleeps at once and whose big calls' copies need the
 * CPU more than a spinner does. */
void channel_set_spin(uint64_t ns);
/* Stops and frees every channel (the client is gone). */
void channel_set_destroy(struct channel_set *set);

#endif /* IOKITD_CHANNEL_H */
