/* SPDX-License-Identifier: MIT */
/*
 * iok_port.h - a client's notification port as the host holds it.  A
 * driver receives one in register_notification_port and keeps a reference
 * for as long as it wants to send to it.  Sending never blocks and
 * coalesces: at most one wakeup is pending, like a Mach port with a queue
 * limit of one (the receiver drains its queue after each wakeup).
 */
#ifndef IOK_PORT_H
#define IOK_PORT_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct iok_port iok_port_t;

iok_port_t *iok_port_retain(iok_port_t *port);   /* NULL-safe */
void iok_port_release(iok_port_t *port);          /* NULL-safe */
/* Wakes the receiver.  Returns 0, or -EPIPE once nobody can receive. */
int iok_port_send(iok_port_t *port);

#ifdef __cplusplus
}
#endif

#endif /* IOK_PORT_H */
