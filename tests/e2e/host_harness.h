/* SPDX-License-Identifier: MIT */
/* host_harness.h - start and stop a private iokitd for a test. */
#ifndef IOK_HOST_HARNESS_H
#define IOK_HOST_HARNESS_H

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Starts iokitd on a fresh socket in a private temporary folder with the
 * given driver modules (file names in the build's drivers folder, NULL-
 * terminated), sets IOKIT_SOCKET for this process, and waits until the
 * host accepts connections.  Returns the host's pid, or -1.
 */
pid_t iok_test_host_start(const char *const *drivers);
/* The same with extra iokitd arguments (NULL-terminated). */
pid_t iok_test_host_start_ex(const char *const *drivers, const char *const *extra);
/* Stops the host started above (SIGTERM to its pid), waits for it, and
 * returns its exit status (0 for a clean exit), removing the folder. */
int iok_test_host_stop(pid_t pid);
/* The socket path of the running host. */
const char *iok_test_host_socket(void);

/* Number of open descriptors of process pid (from /proc), or -1. */
int iok_test_fd_count(pid_t pid);
/* Resident set size of process pid in KiB (from /proc), or -1. */
long iok_test_rss_kib(pid_t pid);

#ifdef __cplusplus
}
#endif

#endif /* IOK_HOST_HARNESS_H */
