/* SPDX-License-Identifier: MIT */
/*
 * regiter.h - IORegistryIterator (regiter.c) and the class facts the
 * server answers IOObjectCopySuperclassForClass, IOObjectCopyBundle-
 * IdentifierForClass and the root's IOKitDiagnostics from (registry.c,
 * matching.c).
 */
#ifndef IOK_REGITER_H
#define IOK_REGITER_H

#include "runtime.h"

/*
 * A registry iterator over the IOService plane from root (retained):
 * children of root, or its parents with kIORegistryIterateParents; with
 * kIORegistryIterateRecursively the whole subtree (or ancestry), depth
 * first, each entry once.  Each level's links are snapshotted when the
 * level is first read.  Its type is IOK_TYPE_ITERATOR: iok_iterator_next
 * and iok_iterator_reset work on it.  NULL on no memory.
 */
iok_object_t *iok_regiter_create(iok_service_t *root, uint32_t options);
bool iok_regiter_is(iok_object_t *obj);
iok_object_t *iok_regiter_next(iok_object_t *it);
void iok_regiter_reset(iok_object_t *it);
/* The next calls iterate the links of the entry last returned. */
void iok_regiter_enter(iok_object_t *it);
/* Back up one level: 0, or -ENOENT at the top (nothing changes). */
int iok_regiter_exit(iok_object_t *it);

/* The superclass name of a registered class: 0, or -ENOENT (unknown
 * class, or a root class). */
int iok_class_copy_superclass(const char *name, char *buf, size_t len);
/* The bundle identifier of the driver that registered a class, or
 * "__kernel__" for the runtime's own classes: 0, or -ENOENT. */
int iok_class_copy_bundle(const char *name, char *buf, size_t len);
/* The driver bundle whose classes include cls (matching.c's catalogue):
 * 0, or -ENOENT. */
int iok_catalogue_class_bundle(const iok_class_t *cls, char *buf, size_t len);
/* IOKitDiagnostics: a new dictionary with "Classes" (class name ->
 * instance count, each count raised by one per direct subclass that has
 * instances, as ioclasscount(8) describes) and the allocation totals. */
iok_object_t *iok_registry_copy_diagnostics(void);

#endif /* IOK_REGITER_H */
