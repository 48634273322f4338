/*
 * dfx_notify.h: systemd readiness notification (Type=notify), the
 * protocol of sd_notify(3) spoken directly: no libsystemd.
 */
#ifndef DFX_NOTIFY_H
#define DFX_NOTIFY_H

/* Sends state ("READY=1", "STOPPING=1", "STATUS=...") to the socket in
 * $NOTIFY_SOCKET.  Returns 0 (also when there is none, not under
 * systemd) or -1 with errno set. */
int dfx_notify(const char *state);

/* "RELOADING=1" with MONOTONIC_USEC, as systemd expects before a
 * reload's "READY=1". */
int dfx_notify_reloading(void);

#endif /* DFX_NOTIFY_H */
