// SPDX-License-Identifier: MIT
/*
 * driverproc.c - a driver process of iokitd --isolate (see isolate.h):
 * the runtime with one driver module, reporting the services the driver
 * publishes to the host and serving the client connections the host hands
 * over, each with the credentials of the client behind it.
 */
#include "channel.h"
#include "host.h"
#include "iok_sys.h"
#include "isolate.h"

#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;
static bool host_gone;   /* report_lock */

/* Reports m with its strings (nstr of them, already in str) and data,
 * and waits for the host to have applied it.  Returns the ack's result,
 * or -EPIPE when the host is gone. */
static int report(struct iso_msg *m, const char *str, const void *data)
{
	struct iovec iov[3] = {
		{ m, sizeof(*m) },
		{ (void *)str, m->str_len },
		{ (void *)data, m->data_len },
	};
	uint8_t *map = NULL;
	int fd = -1, ret = -EPIPE;

	if (sizeof(*m) + m->str_len + m->data_len > ISO_MSG_MAX) {
		/* Too big for a message: the data goes in a memory file. */
		if (m->data_len > ISO_FD_DATA_MAX ||
		    (fd = iok_sealed_memfd("iokit-report", m->data_len, &map)) < 0) {
			iok_log(IOK_LOG_WARNING, "service %llu: properties too large to report",
				(unsigned long long)m->id);
			return -E2BIG;
		}
		if (data)
			memcpy(map, data, m->data_len);
		munmap(map, m->data_len);
		m->fd_data_len = m->data_len;
		m->data_len = 0;
		iov[2].iov_len = 0;
	}
	pthread_mutex_lock(&report_lock);
	if (!host_gone && iok_send_fd(ISO_REPORT_FD, iov, 3, fd) < 0)
		host_gone = true;
	while (!host_gone) {
		struct pollfd p = { .fd = ISO_REPORT_FD, .events = POLLIN };
		struct iso_msg ack;
		int afd = -1;
		ssize_t n;

		/* A host that does not answer in 30 s is not coming back. */
		if (poll(&p, 1, 30000) <= 0) {
			host_gone = true;
			break;
		}
		n = iok_recv_fd(ISO_REPORT_FD, &ack, sizeof(ack), &afd);
		if (afd >= 0)
			close(afd);
		if (n <= 0) {
			host_gone = true;
			break;
		}
		if (n == sizeof(ack) && ack.op == ISO_ACK) {
			ret = ack.result;
			break;
		}
	}
	pthread_mutex_unlock(&report_lock);
	if (fd >= 0)
		close(fd);
	return ret;
}

/* Only what the driver made is reported: not the registry's own entries
 * nor user clients (the host makes its own). */
static bool reportable(iok_service_t *s)
{
	iok_service_t *provider = iok_service_provider(s);

	return provider && provider != iok_registry_root() && s != iok_resources() &&
	       !iok_service_is_user_client(s);
}

static bool is_base_class(const iok_class_t *cls)
{
	return cls == &iok_class_IOService || cls == &iok_class_IORegistryEntry ||
	       cls == &iok_class_IOResources || cls == &iok_class_IOUserClient;
}

/* Appends s (with its NUL) to the string area buf of cap bytes at *len. */
static bool put_str(char *buf, size_t cap, uint32_t *len, uint32_t *n, const char *s)
{
	size_t l = strlen(s) + 1;

	if (l > cap - *len)
		return false;
	memcpy(buf + *len, s, l);
	*len += (uint32_t)l;
	(*n)++;
	return true;
}

static void report_properties(iok_service_t *s, struct iso_msg *m, const char *str)
{
	iok_object_t *props = iok_service_copy_properties(s);
	uint8_t *data = NULL;
	size_t len = 0;

	if (props && iok_serialize(props, &data, &len) == 0 && len <= ISO_FD_DATA_MAX)
		m->data_len = (uint32_t)len;
	report(m, str, data);
	iok_free(data);
	iok_release(props);
}

static void report_publish(iok_service_t *s)
{
	struct iso_msg m = { .op = ISO_PUBLISH, .id = iok_service_id(s) };
	iok_service_t *provider = iok_service_provider(s);
	char str[2048], name[256], location[256];
	bool ok;

	m.provider = provider ? iok_service_id(provider) : 0;
	iok_service_get_name(s, name, sizeof(name));
	iok_service_get_location(s, location, sizeof(location));
	ok = put_str(str, sizeof(str), &m.str_len, &m.nstr, name) &&
	     put_str(str, sizeof(str), &m.str_len, &m.nstr, location);
	for (const iok_class_t *c = iok_service_class(s); ok && c && !is_base_class(c); c = c->super)
		ok = put_str(str, sizeof(str), &m.str_len, &m.nstr, c->name);
	if (!ok) {
		iok_log(IOK_LOG_WARNING, "service %llu: names too long to report",
			(unsigned long long)m.id);
		return;
	}
	report_properties(s, &m, str);
}

static void observe(iok_service_t *s, enum iok_observe_event event)
{
	if (!reportable(s))
		return;
	switch (event) {
	case IOK_OBSERVE_PUBLISHED:
		report_publish(s);
		break;
	case IOK_OBSERVE_TERMINATING: {
		struct iso_msg m = { .op = ISO_TERMINATE, .id = iok_service_id(s) };

		report(&m, NULL, NULL);
		break;
	}
	case IOK_OBSERVE_PROPERTIES:
		if (iok_service_state(s) & IOK_SVC_MATCHED) {
			struct iso_msg m = { .op = ISO_PROPS, .id = iok_service_id(s) };

			report_properties(s, &m, NULL);
		}
		break;
	}
}

/* One ISO_CLIENT message: a connection to serve as that client. */
static int take_client(void)
{
	uint8_t buf[sizeof(struct iso_msg) + 64] = { 0 };
	const struct iso_msg *m = (const struct iso_msg *)buf;
	char name[64] = "unknown";
	int fd = -1;
	ssize_t n = iok_recv_fd(ISO_CLIENT_FD, buf, sizeof(buf), &fd);

	if (n <= 0) {
		if (fd >= 0)
			close(fd);
		return -1;   /* the host hung up */
	}
	if ((size_t)n < sizeof(*m) || (size_t)n > sizeof(buf) || m->op != ISO_CLIENT || fd < 0 ||
	    m->str_len > (size_t)n - sizeof(*m)) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	if (m->str_len) {
		size_t l = m->str_len < sizeof(name) ? m->str_len : sizeof(name);

		memcpy(name, buf + sizeof(*m), l);
		name[l - 1] = '\0';
	}
	host_add_client(fd, m->pid, m->uid, m->gid, name);
	return 0;
}

/* Claims the module's bundle with the host before its driver registers
 * (so that a second copy never publishes anything).  0 or -errno. */
static int claim(const char *path)
{
	const struct iok_driver *(*entry)(void);
	const struct iok_driver *drv;
	struct iso_msg m = { .op = ISO_CLAIM };
	char str[512];
	void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	int ret = 0;

	if (!dl)
		return 0;   /* loading reports why */
	*(void **)&entry = dlsym(dl, IOK_DRIVER_ENTRY_SYMBOL);
	drv = entry ? entry() : NULL;
	if (drv && drv->bundle_id) {
		if (!put_str(str, sizeof(str), &m.str_len, &m.nstr, drv->bundle_id) ||
		    !put_str(str, sizeof(str), &m.str_len, &m.nstr, drv->version ? drv->version : ""))
			ret = -ENAMETOOLONG;
		else
			ret = report(&m, str, NULL);
	}
	dlclose(dl);
	return ret;
}

int driverproc_main(const char *path)
{
	struct iso_msg ready = { .op = ISO_READY };
	sigset_t mask;
	int sfd, ret;

	iok_runtime_set_observer(observe);
	channel_set_spin(ISO_CHANNEL_SPIN_NS);
	ret = claim(path);
	if (!ret)
		ret = host_load_driver_ex(path, NULL);
	ready.result = ret;
	report(&ready, NULL, NULL);
	if (ret)
		return 1;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	for (;;) {
		struct pollfd p[2] = { { .fd = ISO_CLIENT_FD, .events = POLLIN }, { .fd = sfd, .events = POLLIN } };

		if (poll(p, sfd >= 0 ? 2 : 1, -1) < 0 && errno != EINTR)
			break;
		if (sfd >= 0 && p[1].revents)
			break;
		if (p[0].revents && take_client() < 0)
			break;
	}
	if (sfd >= 0)
		close(sfd);
	host_end_clients(5);
	return 0;
}
