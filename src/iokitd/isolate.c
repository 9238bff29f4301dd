// SPDX-License-Identifier: MIT
/*
 * isolate.c - the host side of iokitd --isolate (see isolate.h): driver
 * processes, the proxies of their services, and the forwarding of opens,
 * calls, mappings and notification ports to them.
 *
 * A driver process is trusted no more than a client: every size in its
 * messages and replies is checked before use, and its death only
 * terminates its own proxies.
 */
#include "isolate.h"
#include "host.h"
#include "iok_chan.h"
#include "iok_sys.h"
#include "iok_wire.h"

#include <IOKit/IOKitKeys.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static char *self_exe;
static bool child_verbose;
/* Driver processes that were loaded and then exited with a failure
 * status (a sanitizer's report, say): the host's own exit status says so. */
static uint32_t child_failures;

/* ---- driver processes -------------------------------------------------- */

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

static pthread_mutex_t children_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t children_changed = PTHREAD_COND_INITIALIZER;
static struct child *children;

static struct child *child_get(struct child *c)
{
	__atomic_add_fetch(&c->refs, 1, __ATOMIC_RELAXED);
	return c;
}

static void child_put(struct child *c)
{
	if (!c || __atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL))
		return;
	if (c->report >= 0)
		close(c->report);
	if (c->clients >= 0)
		close(c->clients);
	free(c->proxies);
	free(c->path);
	pthread_mutex_destroy(&c->lock);
	pthread_cond_destroy(&c->cond);
	free(c);
}

static bool child_dead(const struct child *c)
{
	return __atomic_load_n(&c->dead, __ATOMIC_ACQUIRE) != 0;
}

/* ---- proxy classes ------------------------------------------------------ */

struct proxy_svc {
	struct child *child;    /* a reference */
	uint64_t id;
};

struct upstream;
#define PROXY_UC_PORTS_MAX 8

struct proxy_uc {
	struct upstream *up;
	/* The notification ports registered through us, held as the driver
	 * would hold them: a port let go of is marked dead for its waiter. */
	struct {
		uint32_t type;
		iok_port_t *port;
	} ports[PROXY_UC_PORTS_MAX];
	/* The memory last mapped per type (maps_lock): once the driver
	 * process is gone, clientMemoryForType still answers for it, as a
	 * terminated in-process user client does, so unmapping works. */
	struct {
		uint32_t type;
		uint32_t options;
		iok_memory_t *mem;
	} maps[PROXY_UC_PORTS_MAX];
};
static pthread_mutex_t maps_lock = PTHREAD_MUTEX_INITIALIZER;

static const struct iok_class_ops proxy_svc_ops;
static const struct iok_class_ops proxy_uc_ops;

/* Classes made for the names driver processes report, kept for the
 * host's life (a class may have instances as long as clients hold
 * them). */
struct dyn_class {
	iok_class_t cls;
	struct dyn_class *next;
	char name[128];
	char bundle[128];
};
static pthread_mutex_t classes_lock = PTHREAD_MUTEX_INITIALIZER;
static struct dyn_class *dyn_classes;

/* The class named chain[0], a subclass of chain[1] ... of base, made
 * with ops where missing.  A name the host already knows must be one of
 * ours of the same kind.  NULL on conflict or without memory. */
static const iok_class_t *proxy_class(const char *const *chain, size_t n, const iok_class_t *base,
				      const struct iok_class_ops *ops, size_t ivars,
				      const char *bundle)
{
	const iok_class_t *super = base;

	pthread_mutex_lock(&classes_lock);
	for (size_t i = n; i-- > 0;) {
		const iok_class_t *cls = iok_class_find(chain[i]);
		struct dyn_class *d;

		if (cls) {
			if (cls->ops != ops || cls->super != super) {
				super = NULL;
				break;
			}
			super = cls;
			continue;
		}
		d = calloc(1, sizeof(*d));
		if (!d || strlen(chain[i]) >= sizeof(d->name)) {
			free(d);
			super = NULL;
			break;
		}
		snprintf(d->name, sizeof(d->name), "%s", chain[i]);
		snprintf(d->bundle, sizeof(d->bundle), "%s", bundle);
		d->cls = (iok_class_t){ .name = d->name, .super = super, .ivars_size = ivars, .ops = ops };
		if (iok_class_register_bundle(&d->cls, d->bundle)) {
			free(d);
			super = NULL;
			break;
		}
		d->next = dyn_classes;
		dyn_classes = d;
		super = &d->cls;
	}
	pthread_mutex_unlock(&classes_lock);
	return super;
}

/* ---- the control messages of a driver process --------------------------- */

/* The i-th of m's strings (the area is checked to end with a NUL). */
static const char *msg_str(const struct iso_msg *m, uint32_t i)
{
	const char *s = (const char *)(m + 1);

	for (uint32_t k = 0; k < i; k++)
		s += strlen(s) + 1;
	return s;
}

/* Checks a received message's areas; false for a malformed one. */
static bool msg_ok(const struct iso_msg *m, size_t n)
{
	const char *str = (const char *)(m + 1);
	uint32_t count = 0;

	if (n < sizeof(*m) || m->str_len > n - sizeof(*m) ||
	    m->data_len != n - sizeof(*m) - m->str_len)
		return false;
	if (m->str_len && str[m->str_len - 1] != '\0')
		return false;
	for (uint32_t i = 0; i < m->str_len; i++)
		count += str[i] == '\0';
	return count == m->nstr;
}

/* A report's data: in the message, or in the memory file sent with it
 * (copied out before use: the driver process can still write to it). */
struct report_data {
	const uint8_t *bytes;
	size_t len;
};

/* The properties a report carries (none: an empty dictionary), or NULL
 * when they do not decode to a dictionary. */
static iok_object_t *msg_props(const struct report_data *d)
{
	iok_object_t *props = NULL;

	if (!d->len)
		return iok_dict_create(4);
	if (iok_unserialize(d->bytes, d->len, &props) || iok_type(props) != IOK_TYPE_DICTIONARY) {
		iok_release(props);
		return NULL;
	}
	return props;
}

/* The proxy of a driver-process service ID, retained, or NULL. */
static iok_service_t *find_proxy(struct child *c, uint64_t id)
{
	iok_service_t *s = NULL;

	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < c->n_proxies; i++)
		if (c->proxies[i].id == id)
			s = iok_service_retain(c->proxies[i].proxy);
	pthread_mutex_unlock(&c->lock);
	return s;
}

static void on_publish(struct child *c, const struct iso_msg *m, const struct report_data *d)
{
	const char *chain[32];
	size_t n = 0;
	const iok_class_t *cls;
	iok_service_t *s, *provider;
	iok_object_t *props;
	struct proxy_svc *p;

	if (m->nstr < 3 || m->nstr - 2 > 32)
		return;
	for (uint32_t i = 2; i < m->nstr; i++)
		chain[n++] = msg_str(m, i);
	cls = proxy_class(chain, n, &iok_class_IOService, &proxy_svc_ops, sizeof(struct proxy_svc),
			  c->bundle);
	if (!cls) {
		iok_log(IOK_LOG_WARNING, "%s: cannot stand in for class %s", c->bundle, chain[0]);
		return;
	}
	props = msg_props(d);
	if (!props) {
		iok_log(IOK_LOG_WARNING, "%s: bad properties for %s", c->bundle, chain[0]);
		return;
	}
	{
		/* The user-client class exists from the start, as a loaded
		 * driver's does (ioclasscount lists it at zero). */
		const char *uc_name = iok_string_cstr(iok_dict_get(props, kIOUserClientClassKey));

		if (uc_name)
			proxy_class(&uc_name, 1, &iok_class_IOUserClient, &proxy_uc_ops,
				    sizeof(struct proxy_uc), c->bundle);
	}
	s = iok_service_create(cls->name, props);
	iok_release(props);
	if (!s)
		return;
	p = iok_ivars(s);
	p->child = child_get(c);
	p->id = m->id;
	if (msg_str(m, 0)[0])
		iok_service_set_name(s, msg_str(m, 0));
	if (msg_str(m, 1)[0])
		iok_service_set_location(s, msg_str(m, 1));
	provider = find_proxy(c, m->provider);
	pthread_mutex_lock(&c->lock);
	if (c->n_proxies == c->cap_proxies) {
		size_t cap = c->cap_proxies ? 2 * c->cap_proxies : 8;
		struct proxy_ref *np = realloc(c->proxies, cap * sizeof(*np));

		if (!np) {
			pthread_mutex_unlock(&c->lock);
			iok_service_release(provider);
			iok_service_release(s);
			return;
		}
		c->proxies = np;
		c->cap_proxies = cap;
	}
	c->proxies[c->n_proxies++] = (struct proxy_ref){ m->id, iok_service_retain(s) };
	pthread_mutex_unlock(&c->lock);
	if (iok_service_attach(s, provider ? provider : iok_resources()) == 0)
		iok_service_register(s);
	iok_service_release(provider);
	iok_service_release(s);
}

static void on_props(struct child *c, const struct iso_msg *m, const struct report_data *d)
{
	iok_service_t *s = find_proxy(c, m->id);
	iok_object_t *props, *old;

	if (!s)
		return;
	props = msg_props(d);
	if (props) {
		iok_mutex_lock(&s->lock);
		old = s->props;
		s->props = props;
		iok_mutex_unlock(&s->lock);
		iok_release(old);
	}
	iok_service_release(s);
}

/* Terminating waits for calls in progress, which may wait for the driver
 * process, which may be sending us a message: never on the reader. */
static void *terminate_main(void *arg)
{
	iok_service_t *s = arg;

	iok_service_terminate(s);
	iok_service_release(s);
	return NULL;
}

static void terminate_async(iok_service_t *s)
{
	pthread_attr_t attr;
	pthread_t th;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &attr, terminate_main, s))
		terminate_main(s);
	pthread_attr_destroy(&attr);
}

static void on_terminate(struct child *c, const struct iso_msg *m)
{
	iok_service_t *s = NULL;

	/* Forgotten here (the reference goes to the terminating thread). */
	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < c->n_proxies; i++) {
		if (c->proxies[i].id == m->id) {
			s = c->proxies[i].proxy;
			c->proxies[i] = c->proxies[--c->n_proxies];
			break;
		}
	}
	pthread_mutex_unlock(&c->lock);
	if (s)
		terminate_async(s);
}

/* Terminates every proxy of c (its process is gone) and forgets them. */
static void terminate_all(struct child *c)
{
	struct proxy_ref *list;
	size_t n;

	pthread_mutex_lock(&c->lock);
	list = c->proxies;
	n = c->n_proxies;
	c->proxies = NULL;
	c->n_proxies = c->cap_proxies = 0;
	pthread_mutex_unlock(&c->lock);
	for (size_t i = 0; i < n; i++) {
		iok_service_terminate(list[i].proxy);
		iok_service_release(list[i].proxy);
	}
	free(list);
}

/* The data of a report too big for a message: len bytes of the memory
 * file fd, copied into private memory; NULL if it is not that. */
static uint8_t *read_fd_data(int fd, uint64_t len)
{
	uint8_t *buf;
	size_t done = 0;

	if (fd < 0 || len > ISO_FD_DATA_MAX || !(buf = malloc(len)))
		return NULL;
	while (done < len) {
		ssize_t n = pread(fd, buf + done, len - done, (off_t)done);

		if (n <= 0) {
			free(buf);
			return NULL;
		}
		done += (size_t)n;
	}
	return buf;
}

/* The live driver process of bundle other than except, or NULL. */
static struct child *find_child_locked(const char *bundle, const struct child *except)
{
	for (struct child *c = children; c; c = c->next)
		if (c != except && c->bundle[0] && !strcmp(c->bundle, bundle) && !child_dead(c))
			return c;
	return NULL;
}

/* ISO_CLAIM: one driver process per bundle, as one module per bundle
 * in-process.  Returns the answer (0 or -EEXIST). */
static int on_claim(struct child *c, const struct iso_msg *m)
{
	int ret = 0;

	if (m->nstr != 2)
		return -EINVAL;
	pthread_mutex_lock(&children_lock);
	if (c->bundle[0] || find_child_locked(msg_str(m, 0), c)) {
		ret = -EEXIST;
	} else {
		snprintf(c->bundle, sizeof(c->bundle), "%s", msg_str(m, 0));
		snprintf(c->version, sizeof(c->version), "%s", msg_str(m, 1));
	}
	pthread_mutex_unlock(&children_lock);
	return ret;
}

static void unlist_locked(struct child *c)
{
	if (!c->listed)
		return;
	for (struct child **pp = &children; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	c->listed = false;
}

/* Tells c's process to end (it finishes its clients first). */
static void hang_up(struct child *c)
{
	shutdown(c->clients, SHUT_RDWR);
	shutdown(c->report, SHUT_RDWR);
}

static void *reader_main(void *arg)
{
	struct child *c = arg;
	uint8_t *buf = malloc(ISO_MSG_MAX);
	int status = 0;

	while (buf) {
		const struct iso_msg *m = (const struct iso_msg *)buf;
		struct iso_msg ack = { .op = ISO_ACK };
		struct report_data d = { NULL, 0 };
		uint8_t *big = NULL;
		int fd = -1;
		ssize_t n = iok_recv_fd(c->report, buf, ISO_MSG_MAX, &fd);

		if (n <= 0) {
			if (fd >= 0)
				close(fd);
			break;
		}
		if ((size_t)n > ISO_MSG_MAX || !msg_ok(m, (size_t)n) ||
		    (m->fd_data_len && !(big = read_fd_data(fd, m->fd_data_len)))) {
			if (fd >= 0)
				close(fd);
			iok_log(IOK_LOG_WARNING, "driver process %d: malformed report, stopping it",
				(int)c->pid);
			break;
		}
		if (fd >= 0)
			close(fd);
		d.bytes = big ? big : (const uint8_t *)(m + 1) + m->str_len;
		d.len = big ? m->fd_data_len : m->data_len;
		switch (m->op) {
		case ISO_CLAIM:
			ack.result = on_claim(c, m);
			break;
		case ISO_READY:
			pthread_mutex_lock(&c->lock);
			if (!c->ready) {
				c->ready = true;
				c->ready_result = m->result;
				pthread_cond_broadcast(&c->cond);
			}
			pthread_mutex_unlock(&c->lock);
			break;
		case ISO_PUBLISH:
			on_publish(c, m, &d);
			break;
		case ISO_PROPS:
			on_props(c, m, &d);
			break;
		case ISO_TERMINATE:
			on_terminate(c, m);
			break;
		default:
			break;
		}
		free(big);
		if (send(c->report, &ack, sizeof(ack), MSG_NOSIGNAL) != (ssize_t)sizeof(ack))
			break;
	}
	free(buf);
	/* The process is gone or must go: its calls in flight fail, then its
	 * services terminate. */
	__atomic_store_n(&c->dead, 1, __ATOMIC_RELEASE);
	hang_up(c);
	terminate_all(c);
	if (waitpid(c->pid, &status, 0) == c->pid) {
		if (WIFSIGNALED(status))
			iok_log(IOK_LOG_WARNING, "driver process %d (%s) died of signal %d; its services are terminated",
				(int)c->pid, c->bundle[0] ? c->bundle : c->path, WTERMSIG(status));
		else
			iok_log(WEXITSTATUS(status) ? IOK_LOG_ERR : IOK_LOG_INFO,
				"driver process %d (%s) exited with status %d", (int)c->pid,
				c->bundle[0] ? c->bundle : c->path, WEXITSTATUS(status));
		pthread_mutex_lock(&c->lock);
		if (WIFEXITED(status) && WEXITSTATUS(status) && c->ready && !c->ready_result)
			__atomic_add_fetch(&child_failures, 1, __ATOMIC_RELAXED);
		pthread_mutex_unlock(&c->lock);
	}
	pthread_mutex_lock(&children_lock);
	unlist_locked(c);
	c->reader_done = true;
	pthread_cond_broadcast(&children_changed);
	pthread_mutex_unlock(&children_lock);
	pthread_mutex_lock(&c->lock);
	if (!c->ready) {
		c->ready = true;
		c->ready_result = -ECHILD;   /* it died before it was loaded */
	}
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
	child_put(c);
	return NULL;
}

/* Starts iokitd --driver-process for path.  Returns the child (listed,
 * its reader running) or NULL. */
static struct child *spawn_child(const char *path)
{
	posix_spawn_file_actions_t fa;
	char *argv[6];
	int rep[2], cli[2], hi_rep = -1, hi_cli = -1, argc = 0, err;
	struct child *c = calloc(1, sizeof(*c));
	pthread_t th;

	if (!c || !(c->path = strdup(path))) {
		free(c);
		return NULL;
	}
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->cond, NULL);
	c->refs = 1;
	c->report = c->clients = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, rep)) {
		child_put(c);
		return NULL;
	}
	c->report = rep[0];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, cli)) {
		close(rep[1]);
		child_put(c);
		return NULL;
	}
	c->clients = cli[0];
	/* The driver process's ends become its descriptors 3 and 4: moved
	 * out of the way first, so that neither is already one of those. */
	hi_rep = fcntl(rep[1], F_DUPFD_CLOEXEC, 10);
	hi_cli = fcntl(cli[1], F_DUPFD_CLOEXEC, 10);
	close(rep[1]);
	close(cli[1]);
	argv[argc++] = "iokitd";
	argv[argc++] = "--driver-process";
	if (child_verbose)
		argv[argc++] = "--verbose";
	argv[argc++] = c->path;
	argv[argc] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, hi_rep, ISO_REPORT_FD);
	posix_spawn_file_actions_adddup2(&fa, hi_cli, ISO_CLIENT_FD);
	err = hi_rep < 0 || hi_cli < 0 ? EMFILE :
					  posix_spawn(&c->pid, self_exe, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (hi_rep >= 0)
		close(hi_rep);
	if (hi_cli >= 0)
		close(hi_cli);
	if (err) {
		iok_log(IOK_LOG_ERR, "cannot start a driver process: %s", strerror(err));
		child_put(c);
		return NULL;
	}
	pthread_mutex_lock(&children_lock);
	c->listed = true;
	c->next = children;
	children = c;
	pthread_mutex_unlock(&children_lock);
	child_get(c);   /* the reader's */
	if (pthread_create(&th, NULL, reader_main, c)) {
		kill(c->pid, SIGKILL);
		waitpid(c->pid, NULL, 0);
		pthread_mutex_lock(&children_lock);
		unlist_locked(c);
		pthread_mutex_unlock(&children_lock);
		__atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL);   /* the reader's: never the last */
		child_put(c);
		return NULL;
	}
	pthread_detach(th);
	return c;
}

void isolate_enable(const char *exe, bool verbose)
{
	self_exe = strdup(exe);
	child_verbose = verbose;
}

bool isolate_enabled(void)
{
	return self_exe != NULL;
}

IOReturn isolate_load(const char *path)
{
	struct child *c = spawn_child(path);
	struct timespec deadline;
	IOReturn ret = kIOReturnSuccess;

	if (!c)
		return kIOReturnNoResources;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 60;
	pthread_mutex_lock(&c->lock);
	while (!c->ready && pthread_cond_timedwait(&c->cond, &c->lock, &deadline) == 0)
		;
	if (!c->ready)
		ret = kIOReturnNotResponding;
	else if (c->ready_result == -EEXIST)
		ret = kIOReturnExclusiveAccess;
	else if (c->ready_result == -ENOMEM)
		ret = kIOReturnNoMemory;
	else if (c->ready_result)
		ret = kIOReturnNotFound;
	pthread_mutex_unlock(&c->lock);
	if (ret) {
		iok_log(IOK_LOG_ERR, "cannot load %s in a driver process (0x%x)", path, (unsigned)ret);
		hang_up(c);   /* the reader reaps it */
	} else {
		iok_log(IOK_LOG_INFO, "loaded %s %s from %s in driver process %d", c->bundle,
			c->version, path, (int)c->pid);
	}
	child_put(c);
	return ret;
}

/* Ends c's process: its proxies terminate first (calls in progress
 * finish), then it is told to stop; waits up to timeout_s for it to go. */
static void stop_child(struct child *c, int timeout_s)
{
	struct timespec deadline;

	terminate_all(c);
	hang_up(c);
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += timeout_s;
	pthread_mutex_lock(&children_lock);
	while (!c->reader_done &&
	       pthread_cond_timedwait(&children_changed, &children_lock, &deadline) == 0)
		;
	if (!c->reader_done)
		kill(c->pid, SIGKILL);
	pthread_mutex_unlock(&children_lock);
}

IOReturn isolate_unload(const char *bundle_id, uint32_t *remaining)
{
	struct child *c;

	pthread_mutex_lock(&children_lock);
	c = find_child_locked(bundle_id, NULL);
	if (c)
		child_get(c);
	else
		c = NULL;
	pthread_mutex_unlock(&children_lock);
	if (!c)
		return kIOReturnNotFound;
	stop_child(c, 10);
	child_put(c);
	*remaining = 0;   /* the code lived in the process that is gone */
	return kIOReturnSuccess;
}

iok_object_t *isolate_list(void)
{
	iok_object_t *list = iok_array_create(8);

	pthread_mutex_lock(&children_lock);
	for (struct child *c = children; list && c; c = c->next) {
		iok_object_t *d = iok_dict_create(8);
		size_t n;

		if (!c->bundle[0] || child_dead(c)) {   /* not loaded, or gone */
			iok_release(d);
			continue;
		}
		pthread_mutex_lock(&c->lock);
		n = c->n_proxies;
		pthread_mutex_unlock(&c->lock);
		if (!d || iok_dict_set_string(d, kIOBundleIdentifierKey, c->bundle) ||
		    iok_dict_set_string(d, "CFBundleVersion", c->version) ||
		    iok_dict_set_string(d, "OSBundlePath", c->path) ||
		    iok_dict_set_number(d, "OSBundleRetainCount", n, 32) ||
		    iok_dict_set_bool(d, "OSBundleStarted", true) ||
		    iok_dict_set_number(d, "OSBundleProcessID", (uint64_t)c->pid, 32) ||
		    iok_array_append(list, d)) {
			iok_release(list);
			list = NULL;
		}
		iok_release(d);
	}
	pthread_mutex_unlock(&children_lock);
	return list;
}

int isolate_stop_all(void)
{
	for (;;) {
		struct child *c;

		/* Taken off the list here, so that each is stopped once. */
		pthread_mutex_lock(&children_lock);
		c = children;
		if (c) {
			children = c->next;   /* the head: unlisted */
			c->listed = false;
			child_get(c);
		}
		pthread_mutex_unlock(&children_lock);
		if (!c)
			return (int)__atomic_load_n(&child_failures, __ATOMIC_RELAXED);
		stop_child(c, 5);
		/* A child that would not go was killed; wait for its reader. */
		pthread_mutex_lock(&children_lock);
		while (!c->reader_done)
			pthread_cond_wait(&children_changed, &children_lock);
		pthread_mutex_unlock(&children_lock);
		child_put(c);
	}
}

/* ---- the connection to a driver process for one user client ------------ */

struct uchan {
	struct uchan *next;
	uint8_t *base;                /* IOK_CHAN_SIZE bytes, shared */
	struct iok_chan_ctl *ctl;
	uint32_t id;
	uint32_t seq;
	uint8_t *ool;
	size_t ool_size;
};

#define UPSTREAM_CHANNELS_MAX 64
#define UPSTREAM_PORTS_MAX 8

struct upstream {
	struct child *child;          /* a reference */
	pthread_mutex_t lock;         /* socket exchanges, seq, ports */
	int fd;
	uint32_t seq;
	uint32_t conn;                /* the connection's name over there */
	struct {
		uint64_t port_id;         /* ours (iok_port_id) */
		uint32_t name;            /* the driver process's */
	} ports[UPSTREAM_PORTS_MAX];
	uint32_t n_ports;

	pthread_mutex_t pool_lock;
	pthread_cond_t pool_cond;
	struct uchan *idle;
	uint32_t n_chans;
	bool broken;                  /* a channel failed: no more calls */
};

static int upstream_alive(void *ctx)
{
	return !child_dead(ctx);
}

/* One request and its reply over the socket (lock held).  The request is
 * m (with its str and data areas after it, sizes set).  The reply's
 * generic part lands in *rep, its string (at most str_cap bytes, ending
 * in a NUL) in str, its data area, unserialized, in *obj, and its
 * descriptor in *out_fd (when asked for, else closed). */
static IOReturn rpc_locked(struct upstream *up, struct iok_wire_msg *m, int in_fd,
			   struct iok_wire_msg *rep, char *str, size_t str_cap,
			   iok_object_t **obj, int *out_fd)
{
	uint8_t *buf = malloc(IOK_WIRE_MAX_MSG);
	const struct iok_wire_msg *r = (const struct iok_wire_msg *)buf;
	size_t len = sizeof(*m) + m->str_len + m->data_len;
	IOReturn ret = kIOReturnIPCError;
	int fd = -1;
	ssize_t n;

	memset(rep, 0, sizeof(*rep));
	if (out_fd)
		*out_fd = -1;
	if (obj)
		*obj = NULL;
	if (!buf)
		return kIOReturnNoMemory;
	if (up->fd < 0 || child_dead(up->child)) {
		free(buf);
		return kIOReturnNotAttached;
	}
	m->hdr.size = (uint32_t)len;
	m->hdr.seq = ++up->seq;
	if (iok_send_fd(up->fd, &(struct iovec){ m, len }, 1, in_fd) != (ssize_t)len) {
		free(buf);
		return kIOReturnNotAttached;
	}
	n = iok_recv_fd(up->fd, buf, IOK_WIRE_MAX_MSG, &fd);
	if (n <= 0) {
		ret = kIOReturnNotAttached;
		goto out;
	}
	/* A driver process is checked like any peer; a data area too big for
	 * a message (sent out of line) is more than we ever ask for. */
	if ((size_t)n < sizeof(*r) || (size_t)n > IOK_WIRE_MAX_MSG || r->hdr.size != (uint32_t)n ||
	    r->hdr.seq != m->hdr.seq || r->hdr.op != m->hdr.op || r->hdr.flags ||
	    r->str_len > (size_t)n - sizeof(*r) || r->data_len != (size_t)n - sizeof(*r) - r->str_len)
		goto out;
	*rep = *r;
	if (str && str_cap) {
		size_t l = r->str_len < str_cap ? r->str_len : str_cap;

		memcpy(str, r + 1, l);
		str[l ? l - 1 : 0] = '\0';
	}
	if (obj && r->data_len &&
	    iok_unserialize((const uint8_t *)(r + 1) + r->str_len, r->data_len, obj))
		goto out;
	if (out_fd) {
		*out_fd = fd;
		fd = -1;
	}
	ret = r->hdr.result;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return ret;
}

static IOReturn rpc(struct upstream *up, struct iok_wire_msg *m, int in_fd,
		    struct iok_wire_msg *rep, int *out_fd)
{
	IOReturn ret;

	pthread_mutex_lock(&up->lock);
	ret = rpc_locked(up, m, in_fd, rep, NULL, 0, NULL, out_fd);
	pthread_mutex_unlock(&up->lock);
	return ret;
}

/* An op whose request carries a property object (serialized in the data
 * area) about name obj; *out receives the reply's data, if asked for. */
static IOReturn rpc_object(struct upstream *up, uint16_t op, uint32_t obj,
			   const iok_object_t *data, struct iok_wire_msg *rep, iok_object_t **out)
{
	struct iok_wire_msg *m;
	uint8_t *ser = NULL;
	size_t len = 0;
	IOReturn ret;

	if (data && iok_serialize(data, &ser, &len))
		return kIOReturnNoMemory;
	if (len > IOK_WIRE_MAX_MSG - sizeof(*m)) {
		iok_free(ser);
		return kIOReturnMessageTooLarge;
	}
	m = calloc(1, sizeof(*m) + len);
	if (!m) {
		iok_free(ser);
		return kIOReturnNoMemory;
	}
	m->hdr.op = op;
	m->obj = obj;
	m->data_len = (uint32_t)len;
	if (len)
		memcpy(m + 1, ser, len);
	iok_free(ser);
	pthread_mutex_lock(&up->lock);
	ret = rpc_locked(up, m, -1, rep, NULL, 0, out, NULL);
	pthread_mutex_unlock(&up->lock);
	free(m);
	return ret;
}

static void upstream_free(struct upstream *up)
{
	struct uchan *ch, *next;

	if (!up)
		return;
	for (ch = up->idle; ch; ch = next) {
		next = ch->next;
		if (ch->ool)
			munmap(ch->ool, ch->ool_size);
		munmap(ch->base, IOK_CHAN_SIZE);
		free(ch);
	}
	if (up->fd >= 0)
		close(up->fd);   /* the driver process runs clientDied if not closed */
	child_put(up->child);
	pthread_mutex_destroy(&up->lock);
	pthread_mutex_destroy(&up->pool_lock);
	pthread_cond_destroy(&up->pool_cond);
	free(up);
}

/* A connection of its own to c's process, carrying task's credentials. */
static IOReturn upstream_connect(struct child *c, iok_task_t *task, struct upstream **out)
{
	struct iso_msg hello = { .op = ISO_CLIENT, .pid = task->pid, .uid = task->uid,
				 .gid = task->gid, .nstr = 1 };
	struct iovec iov[2] = { { &hello, sizeof(hello) }, { task->name, 0 } };
	struct upstream *up = calloc(1, sizeof(*up));
	int sv[2];
	ssize_t sent;

	*out = NULL;
	if (!up)
		return kIOReturnNoMemory;
	pthread_mutex_init(&up->lock, NULL);
	pthread_mutex_init(&up->pool_lock, NULL);
	pthread_cond_init(&up->pool_cond, NULL);
	up->child = child_get(c);
	up->fd = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		upstream_free(up);
		return kIOReturnNoResources;
	}
	up->fd = sv[0];
	hello.str_len = (uint32_t)strnlen(task->name, sizeof(task->name) - 1) + 1;
	iov[1].iov_len = hello.str_len;
	pthread_mutex_lock(&c->lock);   /* one sender on the client socket */
	sent = child_dead(c) ? -1 : iok_send_fd(c->clients, iov, 2, sv[1]);
	pthread_mutex_unlock(&c->lock);
	close(sv[1]);
	if (sent != (ssize_t)(sizeof(hello) + hello.str_len)) {
		upstream_free(up);
		return kIOReturnNotAttached;
	}
	*out = up;
	return kIOReturnSuccess;
}

/* The name, over there, of the service with registry ID id there. */
static IOReturn upstream_lookup(struct upstream *up, uint64_t id, uint32_t *svc)
{
	struct iok_wire_msg rep, m = { .hdr.op = IOK_OP_ITERATOR_NEXT };
	iok_object_t *table = iok_dict_create(1);
	IOReturn ret;

	*svc = 0;
	if (!table || iok_dict_set_number(table, kIORegistryEntryIDKey, id, 64)) {
		iok_release(table);
		return kIOReturnNoMemory;
	}
	ret = rpc_object(up, IOK_OP_GET_MATCHING_SERVICES, 0, table, &rep, NULL);
	iok_release(table);
	if (ret)
		return ret;
	if (!rep.obj)
		return kIOReturnNotAttached;   /* it went away meanwhile */
	m.obj = rep.obj;
	ret = rpc(up, &m, -1, &rep, NULL);
	*svc = rep.obj2;
	return ret ? ret : (*svc ? kIOReturnSuccess : kIOReturnNotAttached);
}

/*
 * Opens the service id of c for task with type, over a connection of its
 * own.  The driver process's answer (an exclusive-access or privilege
 * refusal, say) is returned unchanged.  uc_class receives the user
 * client's class name.
 */
static IOReturn upstream_open(struct child *c, iok_task_t *task, uint64_t id, uint32_t type,
			      struct upstream **out, char *uc_class, size_t cap)
{
	struct iok_wire_msg m, rep;
	struct upstream *up;
	uint32_t svc = 0;
	IOReturn ret = upstream_connect(c, task, &up);

	*out = NULL;
	if (ret)
		return ret;
	ret = upstream_lookup(up, id, &svc);
	if (!ret) {
		m = (struct iok_wire_msg){ .hdr.op = IOK_OP_SERVICE_OPEN, .obj = svc, .type = type };
		ret = rpc(up, &m, -1, &rep, NULL);
		up->conn = rep.obj2;
	}
	if (!ret) {
		m = (struct iok_wire_msg){ .hdr.op = IOK_OP_OBJECT_GET_CLASS, .obj = up->conn };
		pthread_mutex_lock(&up->lock);
		ret = rpc_locked(up, &m, -1, &rep, uc_class, cap, NULL, NULL);
		pthread_mutex_unlock(&up->lock);
		if (!ret && !uc_class[0])
			ret = kIOReturnIPCError;
	}
	if (ret) {
		upstream_free(up);
		return ret;
	}
	*out = up;
	return kIOReturnSuccess;
}

static void upstream_close(struct upstream *up)
{
	struct iok_wire_msg m = { .hdr.op = IOK_OP_SERVICE_CLOSE, .obj = up->conn }, rep;

	if (up->conn)
		rpc(up, &m, -1, &rep, NULL);
}

/* Copies the properties of name obj over there onto self. */
static void mirror_properties(struct upstream *up, uint32_t obj, iok_service_t *self)
{
	struct iok_wire_msg rep;
	iok_object_t *props = NULL;

	if (rpc_object(up, IOK_OP_ENTRY_GET_PROPERTIES, obj, NULL, &rep, &props) == 0 &&
	    iok_type(props) == IOK_TYPE_DICTIONARY)
		for (size_t i = 0; i < iok_dict_count(props); i++)
			iok_service_set_property(self, iok_string_cstr(iok_dict_key_at(props, i)),
						 iok_dict_value_at(props, i));
	iok_release(props);
}

/* A channel for one call: an idle one, or a new one. */
static IOReturn chan_take(struct upstream *up, struct uchan **out)
{
	struct iok_wire_msg m = { .hdr.op = IOK_OP_CHANNEL_OPEN }, rep;
	struct uchan *ch;
	IOReturn ret;
	int fd;

	pthread_mutex_lock(&up->pool_lock);
	while (!up->idle && up->n_chans >= UPSTREAM_CHANNELS_MAX && !up->broken)
		pthread_cond_wait(&up->pool_cond, &up->pool_lock);
	if (up->broken) {
		pthread_mutex_unlock(&up->pool_lock);
		return kIOReturnNotAttached;
	}
	if ((ch = up->idle)) {
		up->idle = ch->next;
		pthread_mutex_unlock(&up->pool_lock);
		*out = ch;
		return kIOReturnSuccess;
	}
	up->n_chans++;
	pthread_mutex_unlock(&up->pool_lock);
	ch = calloc(1, sizeof(*ch));
	fd = ch ? iok_sealed_memfd("iokit-channel", IOK_CHAN_SIZE, &ch->base) : -1;
	if (fd < 0) {
		ret = kIOReturnNoMemory;
		goto err;
	}
	ch->ctl = (struct iok_chan_ctl *)ch->base;
	ch->ctl->magic = IOK_CHAN_MAGIC;
	ch->ctl->version = IOK_CHAN_VERSION;
	ret = rpc(up, &m, fd, &rep, NULL);
	close(fd);
	if (ret) {
		munmap(ch->base, IOK_CHAN_SIZE);
		goto err;
	}
	ch->id = (uint32_t)rep.value;
	*out = ch;
	return kIOReturnSuccess;
err:
	free(ch);
	pthread_mutex_lock(&up->pool_lock);
	up->n_chans--;
	pthread_cond_signal(&up->pool_cond);
	pthread_mutex_unlock(&up->pool_lock);
	return ret;
}

static void chan_give(struct upstream *up, struct uchan *ch)
{
	pthread_mutex_lock(&up->pool_lock);
	ch->next = up->idle;
	up->idle = ch;
	pthread_cond_signal(&up->pool_cond);
	pthread_mutex_unlock(&up->pool_lock);
}

/* Makes the channel's out-of-line buffer at least size bytes. */
static IOReturn chan_ool(struct upstream *up, struct uchan *ch, size_t size)
{
	struct iok_wire_msg m = { .hdr.op = IOK_OP_CHANNEL_SET_OOL }, rep;
	size_t want = 0;
	uint8_t *map;
	IOReturn ret;
	int fd;

	if (size <= ch->ool_size)
		return kIOReturnSuccess;
	fd = iok_chan_ool_create(size, &want, &map);
	if (fd < 0)
		return kIOReturnNoMemory;
	m.value = ch->id;
	ret = rpc(up, &m, fd, &rep, NULL);
	close(fd);
	if (ret) {
		munmap(map, want);
		return ret;
	}
	if (ch->ool)
		munmap(ch->ool, ch->ool_size);
	ch->ool = map;
	ch->ool_size = want;
	return kIOReturnSuccess;
}

/* The driver process's name for our port (registered there once). */
static IOReturn upstream_port(struct upstream *up, uint32_t wake_port_name, iok_task_t *task,
			      uint32_t *name)
{
	iok_object_t *obj = iok_task_lookup(task, wake_port_name);
	iok_port_t *port = iok_port_from_object(obj);
	struct iok_wire_msg m = { .hdr.op = IOK_OP_PORT_REGISTER }, rep;
	IOReturn ret = kIOReturnSuccess;
	uint64_t id;
	int fd;

	if (!port) {
		iok_release(obj);
		return kIOReturnBadArgument;
	}
	id = iok_port_id(port);
	pthread_mutex_lock(&up->lock);
	for (uint32_t i = 0; i < up->n_ports; i++) {
		if (up->ports[i].port_id == id) {
			*name = up->ports[i].name;
			goto out;
		}
	}
	if (up->n_ports == UPSTREAM_PORTS_MAX) {
		ret = kIOReturnNoResources;
		goto out;
	}
	fd = iok_signal_dup_fd(iok_port_get_signal(port));
	if (fd < 0) {
		ret = kIOReturnNoResources;
		goto out;
	}
	ret = rpc_locked(up, &m, fd, &rep, NULL, 0, NULL, NULL);
	close(fd);
	if (!ret) {
		up->ports[up->n_ports].port_id = id;
		up->ports[up->n_ports++].name = rep.obj;
		*name = rep.obj;
	}
out:
	pthread_mutex_unlock(&up->lock);
	iok_release(obj);
	return ret;
}

/* Forwards one external method call through a channel. */
static IOReturn upstream_call(struct upstream *up, iok_service_t *uc, uint32_t selector,
			      IOExternalMethodArguments *args)
{
	size_t in_len = args->structureInputDescriptor ?
				iok_memory_length(args->structureInputDescriptor) : 0;
	size_t out_len = args->structureOutputDescriptor ? args->structureOutputDescriptorSize : 0;
	size_t out_off = (in_len + 63) & ~(size_t)63;
	struct iok_wire_call_reply r;
	struct iok_wire_call *m;
	const uint8_t *rep;
	struct uchan *ch;
	uint32_t wake = 0, seq;
	IOReturn ret;

	if (args->asyncWakePort) {
		ret = upstream_port(up, args->asyncWakePort, iok_user_client_task(uc), &wake);
		if (ret)
			return ret;
	}
	ret = chan_take(up, &ch);
	if (ret)
		return ret;
	if (in_len + out_len) {
		ret = chan_ool(up, ch, out_off + out_len);
		if (ret)
			goto out;
		if (in_len)
			iok_memory_read(args->structureInputDescriptor, 0, ch->ool, in_len);
	}
	m = (struct iok_wire_call *)(ch->base + IOK_CHAN_REQ_OFF);
	memset(m, 0, sizeof(*m));
	m->hdr.op = IOK_OP_CONNECT_CALL;
	m->conn = up->conn;
	m->selector = selector;
	m->scalar_in_count = args->scalarInputCount;
	if (args->scalarInputCount)
		memcpy(m->scalar_in, args->scalarInput, args->scalarInputCount * sizeof(uint64_t));
	m->scalar_out_count = args->scalarOutputCount;
	m->struct_in_size = args->structureInput ? args->structureInputSize : 0;
	if (m->struct_in_size)
		memcpy(m + 1, args->structureInput, m->struct_in_size);
	m->struct_out_size = args->structureOutput ? args->structureOutputSize : 0;
	m->ool_in_size = in_len;
	m->ool_out_offset = out_off;
	m->ool_out_size = out_len;
	if (wake) {
		m->wake_port = wake;
		m->async_ref_count = args->asyncReferenceCount;
		if (args->asyncReferenceCount)
			memcpy(m->async_ref, args->asyncReference,
			       args->asyncReferenceCount * sizeof(uint64_t));
	}
	m->hdr.size = (uint32_t)(sizeof(*m) + m->struct_in_size);
	seq = ++ch->seq ? ch->seq : ++ch->seq;
	/* Sleep at once: the client spins for this answer and the driver
	 * process works on it; a third spinner would starve one of them on a
	 * small machine (measured: bench_call's --isolate rows). */
	iok_chan_post(ch->ctl, seq);
	if (iok_chan_wait(ch->ctl, seq, 0, upstream_alive, up->child)) {
		ret = kIOReturnNotAttached;   /* the driver process went away */
		pthread_mutex_lock(&up->pool_lock);
		up->broken = true;
		pthread_cond_broadcast(&up->pool_cond);
		pthread_mutex_unlock(&up->pool_lock);
		goto out;
	}
	/* The reply is in memory the driver process shares: copy, then check. */
	rep = ch->base + IOK_CHAN_REP_OFF;
	memcpy(&r, rep, sizeof(r));
	if (r.hdr.size < sizeof(r) || r.hdr.size > IOK_CHAN_REP_MAX ||
	    r.scalar_out_count > args->scalarOutputCount ||
	    r.struct_out_size > m->struct_out_size || r.ool_out_size > out_len ||
	    r.hdr.size != sizeof(r) + r.struct_out_size) {
		ret = kIOReturnIPCError;
		goto out;
	}
	if (r.scalar_out_count)
		memcpy(args->scalarOutput, r.scalar_out, r.scalar_out_count * sizeof(uint64_t));
	args->scalarOutputCount = r.scalar_out_count;
	if (args->structureOutput && r.struct_out_size)
		memcpy(args->structureOutput, rep + sizeof(r), r.struct_out_size);
	args->structureOutputSize = r.struct_out_size;
	if (out_len) {
		iok_memory_write(args->structureOutputDescriptor, 0, ch->ool + out_off,
				 (size_t)r.ool_out_size);
		args->structureOutputDescriptorSize = (uint32_t)r.ool_out_size;
	}
	ret = r.hdr.result;
out:
	chan_give(up, ch);
	return ret;
}

/* ---- the proxies' ops ------------------------------------------------------ */

static void proxy_svc_free(iok_service_t *self)
{
	struct proxy_svc *p = iok_ivars(self);

	/* Every dynamic class of a chain has these ops: run once. */
	child_put(p->child);
	p->child = NULL;
}

static IOReturn proxy_new_user_client(iok_service_t *self, iok_task_t *task, void *security_id,
				      uint32_t type, iok_object_t *properties,
				      iok_service_t **handler)
{
	struct proxy_svc *p = iok_ivars(self);
	char uc_class[128];
	const char *chain[1] = { uc_class };
	const iok_class_t *cls;
	struct upstream *up;
	IOReturn ret;

	*handler = NULL;
	if (!p->child)
		return kIOReturnNotAttached;
	ret = upstream_open(p->child, task, p->id, type, &up, uc_class, sizeof(uc_class));
	if (ret)
		return ret;
	cls = proxy_class(chain, 1, &iok_class_IOUserClient, &proxy_uc_ops, sizeof(struct proxy_uc),
			  p->child->bundle);
	ret = cls ? iok_user_client_create(self, cls->name, task, security_id, type, properties,
					   handler) :
		    kIOReturnNoMemory;
	if (ret) {
		upstream_close(up);
		upstream_free(up);
		return ret;
	}
	((struct proxy_uc *)iok_ivars(*handler))->up = up;
	mirror_properties(up, up->conn, *handler);
	return kIOReturnSuccess;
}

static void proxy_uc_free(iok_service_t *self)
{
	struct proxy_uc *p = iok_ivars(self);

	upstream_free(p->up);
	p->up = NULL;
	for (int i = 0; i < PROXY_UC_PORTS_MAX; i++) {
		iok_port_release(p->ports[i].port);
		p->ports[i].port = NULL;
		iok_memory_release(p->maps[i].mem);
		p->maps[i].mem = NULL;
	}
}

/* Remembers (mem NULL: looks up) the memory of type.  Returns the
 * remembered memory, retained, or NULL. */
static iok_memory_t *map_cache(struct proxy_uc *p, uint32_t type, iok_memory_t *mem,
			       uint32_t *options)
{
	iok_memory_t *found = NULL;
	int slot = -1;

	pthread_mutex_lock(&maps_lock);
	for (int i = 0; i < PROXY_UC_PORTS_MAX; i++) {
		if (p->maps[i].mem && p->maps[i].type == type) {
			slot = i;
			break;
		}
		if (!p->maps[i].mem && slot < 0)
			slot = i;
	}
	if (mem && slot >= 0) {
		iok_memory_release(p->maps[slot].mem);
		p->maps[slot].type = type;
		p->maps[slot].options = *options;
		p->maps[slot].mem = iok_memory_retain(mem);
	} else if (!mem && slot >= 0 && p->maps[slot].mem) {
		found = iok_memory_retain(p->maps[slot].mem);
		*options = p->maps[slot].options;
	}
	pthread_mutex_unlock(&maps_lock);
	return found;
}

/* Keeps port as the one registered for type (NULL: none).  Runs under
 * the user client's exclusive lock. */
static IOReturn keep_port(struct proxy_uc *p, uint32_t type, iok_port_t *port)
{
	int slot = -1;

	for (int i = 0; i < PROXY_UC_PORTS_MAX; i++) {
		if (p->ports[i].port && p->ports[i].type == type) {
			slot = i;
			break;
		}
		if (!p->ports[i].port && slot < 0)
			slot = i;
	}
	if (slot < 0)
		return port ? kIOReturnNoResources : kIOReturnSuccess;
	iok_port_release(p->ports[slot].port);
	p->ports[slot].type = type;
	p->ports[slot].port = port ? iok_port_retain(port) : NULL;
	return kIOReturnSuccess;
}

static IOReturn proxy_uc_close(iok_service_t *self)
{
	struct proxy_uc *p = iok_ivars(self);

	if (p->up)
		upstream_close(p->up);
	return kIOReturnSuccess;
}

static IOReturn proxy_uc_died(iok_service_t *self)
{
	struct proxy_uc *p = iok_ivars(self);

	if (!p->up)
		return kIOReturnSuccess;
	/* Hanging up is what makes the driver process run clientDied. */
	pthread_mutex_lock(&p->up->lock);
	if (p->up->fd >= 0)
		shutdown(p->up->fd, SHUT_RDWR);
	pthread_mutex_unlock(&p->up->lock);
	return kIOReturnSuccess;
}

static IOReturn proxy_uc_external_method(iok_service_t *self, uint32_t selector,
					 IOExternalMethodArguments *args,
					 const IOExternalMethodDispatch *dispatch,
					 iok_service_t *target, void *reference)
{
	struct proxy_uc *p = iok_ivars(self);

	(void)dispatch;
	(void)target;
	(void)reference;
	if (!p->up)
		return kIOReturnNotAttached;
	return upstream_call(p->up, self, selector, args);
}

static IOReturn proxy_uc_memory(iok_service_t *self, uint32_t type, uint32_t *options,
				iok_memory_t **memory)
{
	struct proxy_uc *p = iok_ivars(self);
	struct iok_wire_msg m = { .hdr.op = IOK_OP_CONNECT_MAP, .type = type }, rep;
	iok_shmem_t *shm;
	IOReturn ret;
	int fd = -1;

	*memory = NULL;
	if (!p->up)
		return kIOReturnNotAttached;
	m.obj = p->up->conn;
	m.options = *options;
	ret = rpc(p->up, &m, -1, &rep, &fd);
	if (!ret && fd < 0)
		ret = kIOReturnIPCError;
	if (ret == kIOReturnNotAttached && (*memory = map_cache(p, type, NULL, options)))
		return kIOReturnSuccess;
	if (ret) {
		if (fd >= 0)
			close(fd);
		/* A failed map says kIOReturnBadArgument whatever the driver
		 * said; unmap reports the driver's own answer (which
		 * IOConnectUnmapMemory returns unchanged). */
		if (ret == kIOReturnBadArgument) {
			m = (struct iok_wire_msg){ .hdr.op = IOK_OP_CONNECT_UNMAP, .type = type,
						   .obj = p->up->conn };
			ret = rpc(p->up, &m, -1, &rep, NULL);
			if (!ret)
				ret = kIOReturnBadArgument;
		}
		return ret;
	}
	if (iok_shmem_adopt(fd, &shm) || iok_shmem_size(shm) < rep.value)
		return kIOReturnIPCError;
	*memory = iok_memory_from_shmem(shm);
	if (!*memory)
		return kIOReturnNoMemory;
	/* The driver's own option bits (cache mode, read-only) come back. */
	*options = rep.options & ~0xfffu;
	map_cache(p, type, *memory, options);
	return kIOReturnSuccess;
}

static IOReturn proxy_uc_set_port(iok_service_t *self, iok_port_t *port, uint32_t type,
				  uint64_t refcon)
{
	struct proxy_uc *p = iok_ivars(self);
	struct iok_wire_msg m = { .hdr.op = IOK_OP_CONNECT_SET_PORT, .type = type, .value = refcon },
			    rep;
	IOReturn ret;
	int fd = -1;

	if (!p->up)
		return kIOReturnNotAttached;
	if (port && (fd = iok_signal_dup_fd(iok_port_get_signal(port))) < 0)
		return kIOReturnNoResources;
	m.obj = p->up->conn;
	ret = rpc(p->up, &m, fd, &rep, NULL);
	if (fd >= 0)
		close(fd);
	return ret ? ret : keep_port(p, type, port);
}

/* IORegistryEntrySetCFProperties on a proxy: the driver's setProperties
 * over a connection with the host's own credentials (the call has no
 * caller), its property changes coming back as reports. */
static IOReturn proxy_svc_set_properties(iok_service_t *self, iok_object_t *properties)
{
	struct proxy_svc *p = iok_ivars(self);
	iok_task_t *host_task;
	struct upstream *up;
	struct iok_wire_msg rep;
	uint32_t svc;
	IOReturn ret;

	if (!p->child)
		return kIOReturnNotAttached;
	host_task = iok_task_create(getpid(), geteuid(), getegid(), "iokitd");
	if (!host_task)
		return kIOReturnNoMemory;
	ret = upstream_connect(p->child, host_task, &up);
	iok_task_destroy(host_task);
	if (ret)
		return ret;
	ret = upstream_lookup(up, p->id, &svc);
	if (!ret)
		ret = rpc_object(up, IOK_OP_ENTRY_SET_PROPERTIES, svc, properties, &rep, NULL);
	upstream_free(up);
	return ret;
}

static IOReturn proxy_uc_set_properties(iok_service_t *self, iok_object_t *properties)
{
	struct proxy_uc *p = iok_ivars(self);
	struct iok_wire_msg rep;
	IOReturn ret;

	if (!p->up)
		return kIOReturnNotAttached;
	ret = rpc_object(p->up, IOK_OP_ENTRY_SET_PROPERTIES, p->up->conn, properties, &rep, NULL);
	if (!ret)
		mirror_properties(p->up, p->up->conn, self);
	return ret;
}

static iok_service_t *proxy_uc_get_service(iok_service_t *self)
{
	return iok_service_provider(self);
}

static const struct iok_class_ops proxy_svc_ops = {
	.free = proxy_svc_free,
	.new_user_client = proxy_new_user_client,
	.set_properties = proxy_svc_set_properties,
};

static const struct iok_class_ops proxy_uc_ops = {
	.free = proxy_uc_free,
	.client_close = proxy_uc_close,
	.client_died = proxy_uc_died,
	.external_method = proxy_uc_external_method,
	.client_memory_for_type = proxy_uc_memory,
	.register_notification_port = proxy_uc_set_port,
	.set_properties = proxy_uc_set_properties,
	.get_service = proxy_uc_get_service,
};
