/* SPDX-License-Identifier: MIT */
/*
 * iok_export.h - symbol visibility.  Everything is built with
 * -fvisibility=hidden; the definitions of public functions and variables
 * carry IOK_EXPORT.
 */
#ifndef IOK_EXPORT_H
#define IOK_EXPORT_H

#define IOK_EXPORT __attribute__((visibility("default")))
#define IOK_EXPORT_DATA IOK_EXPORT

#endif /* IOK_EXPORT_H */
