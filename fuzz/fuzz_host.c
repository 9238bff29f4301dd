// SPDX-License-Identifier: MIT
/*
 * fuzz_host.c - iokitd's socket server (src/iokitd/host.c, compiled in)
 * as a client reaches it: every wire message type on a real
 * SOCK_SEQPACKET connection served by the host's own client thread, with
 * descriptors attached (channel memory, out-of-line buffers, notification
 * ports, and things that are none of those), replies and the descriptors
 * that come with them checked.
 *
 * The input is a sequence of records: a kind byte, a 2-byte little-endian
 * length, that many bytes of message.  The kind:
 *	bits 0-2: the descriptor sent with the message: none, a channel page
 *	          (sealed memfd, valid header), a sealed 64 KiB memfd, an
 *	          unsealed memfd, an eventfd, a pipe, a blocking eventfd with a
 *	          full counter, or the client's own socket;
 *	bit 3:    the obj field (a name) is replaced by one the connection
 *	          holds: the service, its open user client, or one a reply
 *	          returned (obj % count);
 *	bit 4:    the size field is set to the length.
 * A host that neither answers nor hangs up is a bug (caught by libFuzzer's
 * -timeout); so is a
 * reply that does not match its request, or writable memory behind a
 * read-only mapping.
 */
#include "host.c"   /* NOLINT(bugprone-suspicious-include): its static client thread */
#include "fuzz_uc.h"
#include "iok_chan.h"

#include <sys/eventfd.h>
#include <sys/mman.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int memfd(size_t size, bool seal, bool chan)
{
	int fd = memfd_create("fuzz", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0 || ftruncate(fd, (off_t)size) ||
	    (seal && fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK)))
		abort();
	if (chan) {
		uint32_t hdr[2] = { IOK_CHAN_MAGIC, IOK_CHAN_VERSION };

		if (pwrite(fd, hdr, sizeof(hdr), 0) != sizeof(hdr))
			abort();
	}
	return fd;
}

/* The descriptor of kind k (or -1); *extra is another to close after. */
static int make_fd(int k, int sock, int *extra)
{
	uint64_t full = 0xfffffffffffffffeull;
	int p[2], fd;

	*extra = -1;
	switch (k) {
	case 1:
		return memfd(IOK_CHAN_SIZE, true, true);
	case 2:
		return memfd(64 * 1024, true, false);
	case 3:
		return memfd(IOK_CHAN_SIZE, false, true);
	case 4:
		return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	case 5:
		if (pipe(p))
			abort();
		*extra = p[0];
		return p[1];
	case 6:
		fd = eventfd(0, EFD_CLOEXEC);
		if (fd < 0 || write(fd, &full, sizeof(full)) != sizeof(full))
			abort();
		return fd;
	case 7:
		return dup(sock);
	}
	return -1;
}

static void check_reply_fd(const struct iok_wire_msg *req, const struct iok_wire_msg *rep, int fd)
{
	struct stat st;
	void *p;

	if (fd < 0)
		return;
	/* Only a map or an out-of-line reply carries one, and only on success. */
	fuzz_check(rep->hdr.result == kIOReturnSuccess);
	fuzz_check(req->hdr.op == IOK_OP_CONNECT_MAP || (rep->hdr.flags & IOK_WIRE_F_DATA_OOL));
	fuzz_check(fstat(fd, &st) == 0 && (uint64_t)st.st_size >= rep->value);
	if (req->hdr.op == IOK_OP_CONNECT_MAP && (rep->options & 0x1000)) {
		/* Read-only memory: PROT_WRITE must be refused. */
		p = mmap(NULL, (size_t)rep->value, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		fuzz_check(p == MAP_FAILED);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t msg[IOK_WIRE_MAX_MSG], rep[IOK_WIRE_MAX_MSG + 1];
	uint32_t names[16];
	unsigned n_names = 0;
	struct client *cl;
	iok_service_t *uc;
	pthread_t th;
	int sv[2];

	fuzz_service();
	signal(SIGPIPE, SIG_IGN);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		abort();
	cl = malloc(sizeof(*cl));
	if (!cl)
		abort();
	cl->fd = sv[1];
	channel_set_init(&cl->channels);
	cl->task = iok_task_create(getpid(), getuid(), getgid(), "fuzz");
	names[n_names++] = iok_task_name_object(cl->task, iok_service_object(fuzz_service()));
	names[n_names++] = fuzz_open(cl->task, &uc);
	clients_add(cl);   /* as accept_client does: the thread takes it off */
	if (pthread_create(&th, NULL, client_thread, cl))
		abort();
	while (size >= 3) {
		uint8_t kind = data[0];
		size_t len = (size_t)data[1] | (size_t)data[2] << 8;
		struct iok_wire_msg *m = (struct iok_wire_msg *)msg;
		const struct iok_wire_msg *r = (const struct iok_wire_msg *)rep;
		int fd, extra, got = -1;
		struct pollfd pf = { .fd = sv[0], .events = POLLIN };
		ssize_t n;

		data += 3;
		size -= 3;
		if (len > size)
			len = size;
		memset(msg, 0, sizeof(*m));
		memcpy(msg, data, len);
		data += len;
		size -= len;
		if (len < sizeof(struct iok_wire_hdr))
			len = len ? len : 1;
		else if (kind & 0x10)
			m->hdr.size = (uint32_t)len;
		if ((kind & 8) && len >= offsetof(struct iok_wire_msg, obj2))
			m->obj = names[m->obj % n_names];
		fd = make_fd(kind & 7, sv[0], &extra);
		n = iok_send_fd(sv[0], &(struct iovec){ msg, len }, 1, fd);
		if (fd >= 0)
			close(fd);
		if (n != (ssize_t)len) {
			if (extra >= 0)
				close(extra);
			break;
		}
		do   /* libFuzzer's timer (SIGALRM) interrupts */
			n = poll(&pf, 1, 60000);
		while (n < 0 && errno == EINTR);
		if (n != 1)
			abort();   /* no answer and no hang-up (libFuzzer's -timeout says sooner) */
		n = iok_recv_fd(sv[0], rep, sizeof(rep), &got);
		if (extra >= 0)
			close(extra);
		if (n <= 0) {
			fuzz_check(got < 0);
			break;   /* the host dropped this client */
		}
		/* One reply per request, of the request's op and sequence. */
		fuzz_check(n >= (ssize_t)sizeof(*r) && n <= IOK_WIRE_MAX_MSG &&
			   r->hdr.size == (uint32_t)n);
		fuzz_check(r->hdr.op == m->hdr.op && r->hdr.seq == m->hdr.seq);
		if (m->hdr.op != IOK_OP_CONNECT_CALL)
			fuzz_check((size_t)n == sizeof(*r) + r->str_len + r->data_len);
		check_reply_fd(m, r, got);
		if (got >= 0)
			close(got);
		if (m->hdr.op != IOK_OP_CONNECT_CALL && r->hdr.result == kIOReturnSuccess &&
		    n_names < 16) {
			if (r->obj)
				names[n_names++] = r->obj;
			if (r->obj2 && n_names < 16)
				names[n_names++] = r->obj2;
		}
	}
	shutdown(sv[0], SHUT_RDWR);
	close(sv[0]);
	pthread_join(th, NULL);   /* the client thread cleans up after itself */
	iok_service_release(uc);
	return 0;
}
