/* SPDX-License-Identifier: MIT */
/*
 * iokit_kernel.h - what the kernel host (iokit.ko) adds to iok_os.h:
 * eventfd-backed signals, shareable memory that clients map, the
 * accounting the tests read, and the driver modules' entry points.
 */
#ifndef IOKIT_KERNEL_H
#define IOKIT_KERNEL_H

#include <linux/atomic.h>

#include "iok_os.h"

struct vm_area_struct;
struct module;
struct iok_driver;

/* A signal over the eventfd behind fd (a reference is taken), or NULL. */
iok_signal_t *iok_signal_from_eventfd(int fd);

/* Another reference to shm (dropped with iok_shmem_destroy). */
iok_shmem_t *iok_kshmem_get(iok_shmem_t *shm);
/* Maps shm into vma (its vm_pgoff is the offset in pages). */
int iok_kshmem_mmap(iok_shmem_t *shm, struct vm_area_struct *vma);

/* Bytes held by the runtime; kernel handles held (see os_kernel.c). */
extern atomic64_t iok_kstat_bytes;
extern atomic64_t iok_kstat_handles;

/* Driver modules (their IOK_DRIVER() expands to calls of these). */
int iok_kernel_driver_load(const struct iok_driver *driver, struct module *owner);
void iok_kernel_driver_unload(const struct iok_driver *driver);

#endif /* IOKIT_KERNEL_H */
