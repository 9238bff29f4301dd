/* SPDX-License-Identifier: MIT */
/*
 * proxy.h - what iokitd --isolate's two halves share: isolate.c (driver
 * processes, their reports, the proxies' classes and registry entries)
 * and proxy.c (the forwarding of opens, calls, mappings and ports).
 */
#ifndef IOKITD_PROXY_H
#define IOKITD_PROXY_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "runtime.h"

/* ---- a driver process (isolate.c) ---- */

struct proxy_ref {
	uint64_t id;            /* the service's ID in the driver process */
	iok_service_t *proxy;   /* a reference */
};

struct child {
	uint32_t refs;          /* atomic */
	int report;             /* its reports come in here, we answer ISO_ACK */
	int clients;            /* connections go out here (c->lock) */
	pid_t pid;
	char *path;
	char bundle[128];
	char version[64];
	uint32_t dead;          /* atomic: the process is gone (or going) */

	pthread_mutex_t lock;   /* what follows, and the children list */
	pthread_cond_t cond;
	bool ready;             /* ISO_READY arrived (result in ready_result) */
	int ready_result;
	bool listed;            /* in children (children_lock) */
	bool reader_done;       /* its reader has finished (children_lock) */
	struct proxy_ref *proxies;
	size_t n_proxies, cap_proxies;
	struct child *next;
};

struct child *child_get(struct child *c);
void child_put(struct child *c);
/* Is the process gone (or going)?  Calls waiting on it give up. */
bool child_dead(const struct child *c);

/* ---- proxies ---- */

/* A proxy service's state (its ivars). */
struct proxy_svc {
	struct child *child;    /* a reference */
	uint64_t id;            /* the service's registry ID in the process */
};

/* The proxy service ops (proxy.c): opens and setProperties forwarded. */
extern const struct iok_class_ops proxy_svc_ops;

/*
 * The class named chain[0], a subclass of chain[1] ... of base, made with
 * ops and ivars bytes of state where missing, belonging to bundle.  A name
 * the host already knows must be one made the same way.  NULL on conflict
 * or without memory.  (isolate.c)
 */
const iok_class_t *proxy_class(const char *const *chain, size_t n, const iok_class_t *base,
			       const struct iok_class_ops *ops, size_t ivars, const char *bundle);
/* The proxy user-client class of that name (proxy.c). */
const iok_class_t *proxy_uc_class(const char *name, const char *bundle);

#endif /* IOKITD_PROXY_H */
