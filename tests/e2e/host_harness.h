/* SPDX-License-Identifier: MIT */
/* host_harness.h - start and stop a private iokitd for a test. */
#ifndef IOK_HOST_HARNESS_H
#define IOK_HOST_HARNESS_H

#include <stdbool.h>
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
/* (With IOK_TEST_ISOLATE set and not 0, hosts run with --isolate.) */
/* The same with extra iokitd arguments (NULL-terminated). */
pid_t iok_test_host_start_ex(const char *const *drivers, const char *const *extra);
/* Stops the host started above (SIGTERM to its pid), waits for it, and
 * returns its exit status (0 for a clean exit), removing the folder.  A
 * host that did not exit cleanly also makes this program exit with status
 * 97 at its end, whatever the test framework reports. */
int iok_test_host_stop(pid_t pid);
/* The socket path of the running host. */
const char *iok_test_host_socket(void);

/* IOK_VALGRIND is set (and not 0): hosts run under valgrind's memcheck
 * (leak check on; an error or a definite leak makes the host's exit
 * status 99), and tests scale their loops down. */
bool iok_test_valgrind(void);
/* n scaled by IOK_TEST_SCALE percent (default 100), at least 1: the
 * slow builds (valgrind, ThreadSanitizer) run fewer rounds of each loop. */
int iok_test_rounds(int n);
/* Lines of /proc/PID/maps, or only those containing what ("memfd:"). */
int iok_test_map_count(pid_t pid, const char *what);
/* Threads of process pid (from /proc), or -1. */
int iok_test_thread_count(pid_t pid);
/* Raises this process's RLIMIT_NOFILE soft limit to its hard limit. */
void iok_test_raise_fd_limit(void);

/* Number of open descriptors of process pid (from /proc), or -1. */
int iok_test_fd_count(pid_t pid);
/* The same once it has settled (unchanged over 60 ms, waiting at most
 * 3 s): a baseline taken while an earlier test's connection is still being
 * torn down would be one too high. */
int iok_test_fd_baseline(pid_t pid);
/* Resident set size of process pid in KiB (from /proc), or -1. */
long iok_test_rss_kib(pid_t pid);

#ifdef __cplusplus
}
#endif

#endif /* IOK_HOST_HARNESS_H */
