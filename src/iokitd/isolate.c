// SPDX-License-Identifier: MIT
/*
 * isolate.c - the host side of iokitd --isolate (see isolate.h): driver
 * processes (started, loaded, listed, stopped, reaped), their reports, and
 * the proxies that stand for their services in the host's registry;
 * proxy.c forwards what clients do with those proxies.
 *
 * A driver process is trusted no more than a client: every report's layout
 * is checked before use, and its death only terminates its own proxies.
 */
#include "isolate.h"
#include "proxy.h"
#include "host.h"
#include "iok_sys.h"

#include <IOKit/IOKitKeys.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static pthread_mutex_t children_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t children_changed = PTHREAD_COND_INITIALIZER;
static struct child *children;

struct child *child_get(struct child *c)
{
	__atomic_add_fetch(&c->refs, 1, __ATOMIC_RELAXED);
	return c;
}

void child_put(struct child *c)
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

bool child_dead(const struct child *c)
{
	return __atomic_load_n(&c->dead, __ATOMIC_ACQUIRE) != 0;
}

/* ---- proxy classes ------------------------------------------------------ */

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
const iok_class_t *proxy_class(const char *const *chain, size_t n, const iok_class_t *base,
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
			proxy_uc_class(uc_name, c->bundle);
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

/* Waits for a process that was told to end: it finishes its clients
 * within 5 s; one that has not gone after 10 s is killed. */
static bool reap(pid_t pid, int *status)
{
	for (int i = 0; i < 1000; i++) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			return true;
		if (r < 0)
			return false;
		usleep(10000);
	}
	iok_log(IOK_LOG_WARNING, "driver process %d does not end: killing it", (int)pid);
	kill(pid, SIGKILL);
	return waitpid(pid, status, 0) == pid;
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
	if (reap(c->pid, &status)) {
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
