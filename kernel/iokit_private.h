/* SPDX-License-Identifier: MIT */
/* iokit_private.h - shared between iokit.ko's own files. */
#ifndef IOKIT_PRIVATE_H
#define IOKIT_PRIVATE_H

#include <linux/mutex.h>

/* Guards the open-file count and the list of driver modules. */
extern struct mutex iok_clients_lock;
/* Open files of /dev/iokit (clients_lock). */
extern unsigned int iok_open_files;

/* A client opened / closed the device: while any is open, every driver
 * module is pinned (rmmod fails with EBUSY). */
void iok_clients_opened(void);
void iok_clients_closed(void);

#endif /* IOKIT_PRIVATE_H */
