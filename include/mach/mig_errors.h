/* SPDX-License-Identifier: MIT */
/* mach/mig_errors.h - the MIG stub errors IOKit calls can return. */
#ifndef _MACH_MIG_ERRORS_H_
#define _MACH_MIG_ERRORS_H_

#define MIG_TYPE_ERROR          -300
#define MIG_REPLY_MISMATCH      -301
#define MIG_REMOTE_ERROR        -302
#define MIG_BAD_ID              -303
#define MIG_BAD_ARGUMENTS       -304
#define MIG_NO_REPLY            -305
#define MIG_EXCEPTION           -306
#define MIG_ARRAY_TOO_LARGE     -307
#define MIG_SERVER_DIED         -308
#define MIG_TRAILER_ERROR       -309

#endif /* _MACH_MIG_ERRORS_H_ */
