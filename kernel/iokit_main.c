// SPDX-License-Identifier: MIT
/*
 * iokit_main.c - iokit.ko: the driver runtime in the kernel, serving
 * clients through the misc device /dev/iokit.
 *
 * Each open file of the device is a task (the client's name space and its
 * user clients), with the opener's credentials; closing the file (or the
 * process dying) runs clientDied for every user client the task did not
 * close.  One ioctl carries the messages of iok_wire.h (see iok_kdev.h);
 * memory goes to clients as memory files they mmap; a notification port
 * is an eventfd the client passes in.
 *
 * Driver modules register on load and unregister on unload
 * (iokit_drivers.c).
 */
#include <linux/anon_inodes.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uidgid.h>

#include "iokit_kernel.h"
#include "iokit_private.h"
#include "iok_kdev.h"
#include "iok_wire.h"
#include "runtime.h"

/* ---- parameters --------------------------------------------------------- */

static char *entitlements_value;

/* Entitlements the host grants its clients (iokitd: IOKIT_ENTITLEMENTS).
 * Changed only while no client has the device open. */
static int entitlements_set(const char *val, const struct kernel_param *kp)
{
	char *copy = kstrdup(val, GFP_KERNEL);
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	strim(copy);
	mutex_lock(&iok_clients_lock);
	if (iok_open_files) {
		ret = -EBUSY;
	} else {
		iok_runtime_set_entitlements(copy[0] ? copy : NULL);
		kfree(entitlements_value);
		entitlements_value = copy;
		copy = NULL;
	}
	mutex_unlock(&iok_clients_lock);
	kfree(copy);
	return ret;
}

static int entitlements_get(char *buf, const struct kernel_param *kp)
{
	int n;

	mutex_lock(&iok_clients_lock);
	n = sysfs_emit(buf, "%s\n", entitlements_value ? entitlements_value : "");
	mutex_unlock(&iok_clients_lock);
	return n;
}

static const struct kernel_param_ops entitlements_ops = {
	.set = entitlements_set,
	.get = entitlements_get,
};
module_param_cb(entitlements, &entitlements_ops, NULL, 0644);
MODULE_PARM_DESC(entitlements, "entitlements granted to every client (comma-separated)");

/* The drivers' getenv(): "NAME=value,NAME=value". */
static char env_value[256];
module_param_string(env, env_value, sizeof(env_value), 0644);
MODULE_PARM_DESC(env, "environment the drivers' getenv() sees: NAME=value,...");

const char *iok_kernel_getenv(const char *name)
{
	static char found[64];
	size_t n = strlen(name);
	const char *p = env_value;

	while (*p) {
		const char *end = strchrnul(p, ',');

		if ((size_t)(end - p) > n && strncmp(p, name, n) == 0 && p[n] == '=') {
			size_t len = min_t(size_t, end - p - n - 1, sizeof(found) - 1);

			memcpy(found, p + n + 1, len);
			found[len] = '\0';
			return found;
		}
		p = *end ? end + 1 : end;
	}
	return NULL;
}
EXPORT_SYMBOL(iok_kernel_getenv);

static int loglevel_set(const char *val, const struct kernel_param *kp)
{
	int ret = param_set_int(val, kp);

	if (!ret)
		iok_log_set_level(*(int *)kp->arg);
	return ret;
}

static const struct kernel_param_ops loglevel_ops = {
	.set = loglevel_set,
	.get = param_get_int,
};
static int loglevel = IOK_LOG_WARNING;
module_param_cb(loglevel, &loglevel_ops, &loglevel, 0644);
MODULE_PARM_DESC(loglevel, "runtime log level (3 errors ... 7 debug)");

/* What the tests compare before and after clients go away. */
static int stat_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%lld\n", (long long)atomic64_read(kp->arg));
}

static int stat_kib_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%lld\n", (long long)atomic64_read(kp->arg) / 1024);
}

static const struct kernel_param_ops stat_ops = { .get = stat_get };
static const struct kernel_param_ops stat_kib_ops = { .get = stat_kib_get };
module_param_cb(handles, &stat_ops, &iok_kstat_handles, 0444);
MODULE_PARM_DESC(handles, "device files, memory files and eventfds held");
module_param_cb(memory_kib, &stat_kib_ops, &iok_kstat_bytes, 0444);
MODULE_PARM_DESC(memory_kib, "memory held by the runtime, KiB");

/* ---- memory files ------------------------------------------------------------ */

static int mem_mmap(struct file *file, struct vm_area_struct *vma)
{
	/* Shared only: a private copy of a driver's queue makes no sense. */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	return iok_kshmem_mmap(file->private_data, vma);
}

static int mem_release(struct inode *inode, struct file *file)
{
	iok_shmem_destroy(file->private_data);
	atomic64_dec(&iok_kstat_handles);
	return 0;
}

static const struct file_operations mem_fops = {
	.owner = THIS_MODULE,
	.mmap = mem_mmap,
	.release = mem_release,
	.llseek = noop_llseek,
};

/* A file over shm for the client to map (takes its own reference). */
static struct file *memory_file(iok_shmem_t *shm, bool read_only)
{
	struct file *f;

	f = anon_inode_getfile("[iokit-memory]", &mem_fops, iok_kshmem_get(shm),
			       read_only ? O_RDONLY : O_RDWR);
	if (IS_ERR(f)) {
		iok_shmem_destroy(shm);
		return f;
	}
	atomic64_inc(&iok_kstat_handles);
	return f;
}

/* A read-only memory file holding a reply's out-of-line data. */
static struct file *ool_file(const struct iok_reply_ool *ool)
{
	iok_shmem_t *shm;
	struct file *f;

	if (iok_shmem_create(ool->len, &shm))
		return ERR_PTR(-ENOMEM);
	memcpy(iok_shmem_addr(shm), ool->data, ool->len);
	f = memory_file(shm, true);
	iok_shmem_destroy(shm);
	return f;
}

/* ---- the device ---------------------------------------------------------------- */

struct kclient {
	iok_task_t *task;
};

static int dev_open(struct inode *inode, struct file *file)
{
	const struct cred *cred = file->f_cred;
	char comm[TASK_COMM_LEN];
	struct kclient *cl = kzalloc(sizeof(*cl), GFP_KERNEL);

	if (!cl)
		return -ENOMEM;
	get_task_comm(comm, current);
	/* The opener's credentials, as the kernel knows them. */
	cl->task = iok_task_create(task_tgid_nr(current), from_kuid_munged(&init_user_ns, cred->euid),
				   from_kgid_munged(&init_user_ns, cred->egid), comm);
	if (!cl->task) {
		kfree(cl);
		return -ENOMEM;
	}
	file->private_data = cl;
	iok_clients_opened();
	atomic64_inc(&iok_kstat_handles);
	return 0;
}

static int dev_release(struct inode *inode, struct file *file)
{
	struct kclient *cl = file->private_data;

	/* clientDied for every user client not closed, then every name. */
	iok_task_destroy(cl->task);
	kfree(cl);
	atomic64_dec(&iok_kstat_handles);
	iok_clients_closed();
	return 0;
}

/*
 * Per-request buffers: the request (up to a call with its largest inband
 * structure) and a call's reply side by side.  A few are kept for reuse,
 * so that a method call allocates nothing (with init_on_alloc, the usual
 * Debian setting, every allocation would also be cleared).
 */
#define CALL_REP_SIZE (sizeof(struct iok_wire_call_reply) + IOK_WIRE_MAX_INBAND)
#define POOL_REQ_CAP ALIGN(sizeof(struct iok_wire_call) + IOK_WIRE_MAX_INBAND, 64)
#define POOL_BUF_SIZE (POOL_REQ_CAP + CALL_REP_SIZE)
#define POOL_MAX 16

static DEFINE_SPINLOCK(pool_lock);
static void *pool[POOL_MAX];
static unsigned int pool_n;

static void *pool_get(void)
{
	void *p = NULL;

	spin_lock(&pool_lock);
	if (pool_n)
		p = pool[--pool_n];
	spin_unlock(&pool_lock);
	return p ? p : kmalloc(POOL_BUF_SIZE, GFP_KERNEL | __GFP_NOWARN);
}

static void pool_put(void *p)
{
	if (!p)
		return;
	spin_lock(&pool_lock);
	if (pool_n < POOL_MAX) {
		pool[pool_n++] = p;
		p = NULL;
	}
	spin_unlock(&pool_lock);
	kfree(p);
}

static void pool_drain(void)
{
	while (pool_n)
		kfree(pool[--pool_n]);
}

/* A request being answered. */
struct kreq {
	struct iok_kmsg km;
	void *req;
	size_t len;
	void *rep;
	size_t rep_len;
	struct file *out_file;   /* handed to the client with the reply */
};

static bool fd_op(uint16_t op)
{
	return op == IOK_OP_CONNECT_SET_PORT || op == IOK_OP_CONNECT_MAP ||
	       op == IOK_OP_CONNECT_UNMAP;
}

/* A range [off, off + size) of the caller's out-of-line buffer? */
static bool ool_range_ok(const struct iok_kmsg *km, u64 off, u64 size)
{
	return off <= km->ool_size && size <= km->ool_size - off;
}

static int do_call(iok_task_t *task, struct kreq *r)
{
	struct iok_wire_call *m = r->req;
	struct iok_ool kool, *ool = NULL;
	u64 in_off = 0, in = 0, out_off = 0, out = 0;
	struct iok_wire_call_reply *rep;
	u8 *bounce = NULL;
	long n;

	if (r->len >= sizeof(*m) && (m->ool_in_size || m->ool_out_size)) {
		in = m->ool_in_size;
		in_off = m->ool_in_offset;
		out = m->ool_out_size;
		out_off = m->ool_out_offset;
		/* Out of range or too large: no buffer, and the server
		 * answers kIOReturnIPCError as for a bad range. */
		if (r->km.ool && ool_range_ok(&r->km, in_off, in) &&
		    ool_range_ok(&r->km, out_off, out) && in <= IOK_KDEV_MAX_OOL &&
		    out <= IOK_KDEV_MAX_OOL - in)
			bounce = kvmalloc(in + out, GFP_KERNEL | __GFP_NOWARN);
		if (bounce && in &&
		    copy_from_user(bounce, u64_to_user_ptr(r->km.ool + in_off), in)) {
			kvfree(bounce);
			bounce = NULL;
		}
		if (bounce) {
			/* Nothing of the kernel's goes back, whatever the
			 * method claims it wrote. */
			memset(bounce + in, 0, out);
			m->ool_in_offset = 0;
			m->ool_out_offset = in;
			kool.base = bounce;
			kool.size = in + out;
			ool = &kool;
		}
	}
	n = iok_server_call(task, r->req, r->len, ool, r->rep, CALL_REP_SIZE);
	if (n >= 0) {
		rep = r->rep;
		r->rep_len = n;
		if (bounce && rep->hdr.result == kIOReturnSuccess && rep->ool_out_size &&
		    copy_to_user(u64_to_user_ptr(r->km.ool + out_off), bounce + in,
				 min_t(u64, rep->ool_out_size, out)))
			n = -EFAULT;
	}
	kvfree(bounce);
	return n < 0 ? (n == -EPROTO ? -EINVAL : (int)n) : 0;
}

/* The ops that carry a descriptor (host.c's handle_fd_op). */
static int do_fd_op(iok_task_t *task, struct kreq *r)
{
	const struct iok_wire_msg *m = r->req;
	struct iok_wire_msg *rep = r->rep;
	IOReturn ret = kIOReturnBadArgument;
	iok_memory_t *mem = NULL;
	iok_port_t *port = NULL;
	uint32_t options = 0;

	memset(rep, 0, sizeof(*rep));
	rep->hdr.op = m->hdr.op;
	rep->hdr.seq = m->hdr.seq;
	if (r->len != sizeof(*m) || m->str_len || m->data_len || m->hdr.flags || m->hdr.result)
		goto out;
	switch (m->hdr.op) {
	case IOK_OP_CONNECT_SET_PORT:
		if (r->km.fd >= 0) {
			iok_signal_t *sig = iok_signal_from_eventfd(r->km.fd);

			if (!sig)
				break;   /* not an eventfd */
			port = iok_port_create(sig);
			if (!port) {
				ret = kIOReturnNoMemory;
				break;
			}
		}
		ret = iok_server_set_port(task, m->obj, port, m->type, m->value);
		iok_port_release(port);
		break;
	case IOK_OP_CONNECT_MAP:
		ret = iok_server_map(task, m->obj, m->type, m->options, &mem, &options);
		if (ret)
			break;
		r->out_file = memory_file(iok_memory_shmem(mem), options & 0x1000u /* kIOMapReadOnly */);
		if (IS_ERR(r->out_file)) {
			r->out_file = NULL;
			ret = kIOReturnNoResources;
		} else {
			rep->value = iok_memory_length(mem);
			rep->options = options;
		}
		iok_memory_release(mem);
		break;
	case IOK_OP_CONNECT_UNMAP:
		ret = iok_server_unmap(task, m->obj, m->type);
		break;
	}
out:
	rep->hdr.result = ret;
	rep->hdr.size = sizeof(*rep);
	r->rep_len = sizeof(*rep);
	return 0;
}

static int do_generic(iok_task_t *task, struct kreq *r)
{
	struct iok_reply_ool ool = { NULL, 0 };
	long n = iok_server_handle(task, r->req, r->len, r->rep, IOK_WIRE_MAX_MSG, &ool);

	if (n < 0)
		return -EINVAL;
	r->rep_len = n;
	if (ool.data) {
		r->out_file = ool_file(&ool);
		if (IS_ERR(r->out_file)) {   /* no memory for it: fail the reply */
			struct iok_wire_msg *m = r->rep;

			r->out_file = NULL;
			m->hdr.flags = 0;
			m->hdr.result = kIOReturnNoMemory;
			m->value = 0;
		}
		iok_free(ool.data);
	}
	return 0;
}

/*
 * The call path's user copies.  A request's fixed part and a reply's head
 * are a few dozen bytes: read and written word by word inside one
 * user-access window, straight-line code rather than the general copy
 * routine (whose call, size checks and string loop cost more than the
 * bytes themselves).
 */
#define CALL_HEAD_WORDS (offsetof(struct iok_wire_call, async_ref) / sizeof(u64))
static_assert(offsetof(struct iok_wire_call, async_ref) % sizeof(u64) == 0);
static_assert(offsetof(struct iok_wire_call, scalar_in) ==
	      offsetof(struct iok_wire_call, async_ref) + sizeof_field(struct iok_wire_call, async_ref));
static_assert(offsetof(struct iok_wire_call_reply, scalar_out) == 4 * sizeof(u64));

/*
 * Reads a call request's fixed part: the head, the scalars it counts
 * (the rest of the 16 read as zeros, so that no method sees stale stack
 * behind the count) and the async reference only for an async call (the
 * server reads it for no other).  The counts are checked later, on this
 * copy; here they only bound what is read.
 */
static int get_call(struct iok_wire_call *m, const void __user *src)
{
	const struct iok_wire_call __user *s = src;
	const u64 __user *w = src;
	u64 *d = (u64 *)m;
	u32 i, n;

	if (!user_access_begin(src, sizeof(*m)))
		return -EFAULT;
#pragma GCC unroll 10
	for (i = 0; i < CALL_HEAD_WORDS; i++)
		unsafe_get_user(d[i], &w[i], fault);
	n = min_t(u32, m->scalar_in_count, IOK_WIRE_MAX_SCALARS);
	for (i = 0; i < n; i++)
		unsafe_get_user(m->scalar_in[i], &s->scalar_in[i], fault);
	if (m->wake_port)
		for (i = 0; i < IOK_WIRE_MAX_ASYNC_REFS; i++)
			unsafe_get_user(m->async_ref[i], &s->async_ref[i], fault);
	user_access_end();
	for (i = n; i < IOK_WIRE_MAX_SCALARS; i++)
		m->scalar_in[i] = 0;
	return 0;
fault:
	user_access_end();
	return -EFAULT;
}

/*
 * A call's reply to the caller: what iok_server_call wrote (the header and
 * counts, the scalars counted, the inband structure at its place), nothing
 * of the buffer around it.
 */
static int put_call_reply(void __user *dst, const struct iok_wire_call_reply *r)
{
	const u64 *s = (const u64 *)r;
	u64 __user *d = dst;
	size_t i, words = 4 + min_t(u32, r->scalar_out_count, IOK_WIRE_MAX_SCALARS);

	if (!user_access_begin(dst, words * sizeof(u64)))
		return -EFAULT;
	for (i = 0; i < words; i++)
		unsafe_put_user(s[i], &d[i], fault);
	user_access_end();
	if (r->struct_out_size &&
	    copy_to_user((u8 __user *)dst + sizeof(*r), r + 1, r->struct_out_size))
		return -EFAULT;
	return 0;
fault:
	user_access_end();
	return -EFAULT;
}

static_assert(offsetof(struct iok_kmsg, fd) == offsetof(struct iok_kmsg, rep_len) + 4);

static long dev_msg(struct kclient *cl, struct iok_kmsg __user *uarg)
{
	struct kreq r = { .out_file = NULL };
	const struct iok_wire_hdr *h;
	void *buf, *big = NULL;
	int fd = -1, ret;
	u32 out[2];

	if (copy_from_user(&r.km, uarg, sizeof(r.km)))
		return -EFAULT;
	if (r.km.req_len < sizeof(struct iok_wire_hdr) || r.km.req_len > IOK_WIRE_MAX_MSG)
		return -EINVAL;
	r.len = r.km.req_len;
	buf = pool_get();
	if (!buf)
		return -ENOMEM;
	ret = -ENOMEM;
	r.req = r.len <= POOL_REQ_CAP ? buf : (big = kvmalloc(r.len, GFP_KERNEL | __GFP_NOWARN));
	if (!r.req)
		goto out;
	ret = -EFAULT;
	if (copy_from_user(r.req, u64_to_user_ptr(r.km.req), r.len))
		goto out;
	/* From here on only the private copy is read. */
	h = r.req;
	ret = -EINVAL;
	if (h->size != r.len)
		goto out;
	if (h->op == IOK_OP_CONNECT_CALL) {
		r.rep = (u8 *)buf + POOL_REQ_CAP;
		ret = do_call(cl->task, &r);
	} else {
		ret = -ENOMEM;
		r.rep = kvmalloc(IOK_WIRE_MAX_MSG, GFP_KERNEL | __GFP_NOWARN);
		if (!r.rep)
			goto out;
		ret = fd_op(h->op) ? do_fd_op(cl->task, &r) : do_generic(cl->task, &r);
	}
	if (ret)
		goto out;
	ret = -ENOSPC;
	if (r.rep_len > r.km.rep_cap)
		goto out;
	if (h->op == IOK_OP_CONNECT_CALL) {
		/* The reply's hdr.size says it all; no descriptor. */
		ret = put_call_reply(u64_to_user_ptr(r.km.rep), r.rep);
		goto out;
	}
	ret = -EFAULT;
	if (copy_to_user(u64_to_user_ptr(r.km.rep), r.rep, r.rep_len))
		goto out;
	if (r.out_file) {
		fd = get_unused_fd_flags(O_CLOEXEC);
		if (fd < 0) {
			ret = fd;
			goto out;
		}
	}
	/* rep_len and fd, side by side at the end of struct iok_kmsg. */
	out[0] = r.rep_len;
	out[1] = (u32)fd;
	if (copy_to_user(&uarg->rep_len, out, sizeof(out))) {
		if (fd >= 0)
			put_unused_fd(fd);
		goto out;
	}
	if (r.out_file) {
		fd_install(fd, r.out_file);   /* the client owns it now */
		r.out_file = NULL;
	}
	ret = 0;
out:
	if (r.out_file)
		fput(r.out_file);
	if (r.rep && r.rep != (u8 *)buf + POOL_REQ_CAP)
		kvfree(r.rep);
	kvfree(big);
	pool_put(buf);
	return ret;
}

/*
 * IOK_IOC_CALL, the hot path: a method call without out-of-line
 * structures, answered in place.  A call with scalars only is served from
 * the stack (no allocation, no lock of the module's own); one with inband
 * structures from a pooled buffer.
 */
static long dev_call(struct kclient *cl, void __user *ubuf)
{
	struct {
		struct iok_wire_call req;
		struct iok_wire_call_reply rep;
	} f IOK_NOINIT;   /* the request is copied in whole; the server writes the reply */
	struct iok_wire_call *m = &f.req;
	struct iok_wire_call_reply *rep = &f.rep;
	size_t len, cap = sizeof(f.rep);
	void *buf = NULL;
	long n;

	if (get_call(&f.req, ubuf))
		return -EFAULT;
	len = f.req.hdr.size;
	if (f.req.hdr.op != IOK_OP_CONNECT_CALL || len < sizeof(f.req) ||
	    len > sizeof(f.req) + IOK_WIRE_MAX_INBAND)
		return -EINVAL;
	if (len > sizeof(f.req) || f.req.struct_out_size) {
		buf = pool_get();
		if (!buf)
			return -ENOMEM;
		m = buf;
		memcpy(m, &f.req, sizeof(f.req));
		if (copy_from_user(m + 1, (u8 __user *)ubuf + sizeof(f.req), len - sizeof(f.req))) {
			pool_put(buf);
			return -EFAULT;
		}
		rep = (struct iok_wire_call_reply *)((u8 *)buf + POOL_REQ_CAP);
		cap = CALL_REP_SIZE;
	}
	n = iok_server_call(cl->task, m, len, NULL, rep, cap);
	n = n < 0 ? -EINVAL : put_call_reply(ubuf, rep);
	pool_put(buf);
	return n;
}

static long dev_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	switch (cmd) {
	case IOK_IOC_CALL:
		return dev_call(file->private_data, (void __user *)arg);
	case IOK_IOC_NULL:
		return 0;
	case IOK_IOC_MSG:
		return dev_msg(file->private_data, (struct iok_kmsg __user *)arg);
	}
	return -ENOTTY;
}

static const struct file_operations dev_fops = {
	.owner = THIS_MODULE,
	.open = dev_open,
	.release = dev_release,
	.unlocked_ioctl = dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice iok_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = IOK_KDEV_NAME,
	.fops = &dev_fops,
	.mode = 0666,
};

/* ---- the module ------------------------------------------------------------------ */

static int __init iokit_init(void)
{
	int ret;

	iok_log_set_level(loglevel);
	if (iok_runtime_init())
		return -ENOMEM;
	ret = misc_register(&iok_misc);
	if (ret) {
		iok_runtime_shutdown();
		return ret;
	}
	pr_info("iokit: OpenIOKit runtime loaded, serving %s\n", IOK_KDEV_PATH);
	return 0;
}

static void __exit iokit_exit(void)
{
	misc_deregister(&iok_misc);
	pool_drain();
	iok_runtime_shutdown();
	iok_runtime_set_entitlements(NULL);
	kfree(entitlements_value);
	pr_info("iokit: unloaded\n");
}

module_init(iokit_init);
module_exit(iokit_exit);
MODULE_LICENSE("Dual MIT/GPL");
MODULE_DESCRIPTION("OpenIOKit: IOKit's driver and user-client system");
