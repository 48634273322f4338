/*
 * dfx_notify.c: systemd readiness (sd_notify(3)) without libsystemd.
 *
 * With Type=notify, systemd passes a unix datagram socket in
 * $NOTIFY_SOCKET ("/path", or "@name" in the abstract namespace); the
 * daemon sends "READY=1" once its listeners and producers are up,
 * "RELOADING=1" ... "READY=1" around a reload and "STOPPING=1" when it
 * begins to shut down.  Without $NOTIFY_SOCKET every call does nothing.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "dfx_notify.h"

int
dfx_notify(const char *state)
{
    struct sockaddr_un   sa;
    const char          *path = getenv("NOTIFY_SOCKET");
    socklen_t            len;
    size_t               n;
    ssize_t              w;
    int                  fd, rc = -1;

    if (path == NULL || path[0] == '\0') {
        return 0;
    }
    n = strlen(path);
    if ((path[0] != '/' && path[0] != '@') || n >= sizeof(sa.sun_path)) {
        errno = EINVAL;
        return -1;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, path, n);
    if (path[0] == '@') {
        sa.sun_path[0] = '\0';          /* the abstract namespace */
    }
    len = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + n
                       + (path[0] == '@' ? 0 : 1));

    fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd == -1) {
        return -1;
    }
    do {
        w = sendto(fd, state, strlen(state), MSG_NOSIGNAL,
                   (const struct sockaddr *) &sa, len);
    } while (w == -1 && errno == EINTR);
    if (w == (ssize_t) strlen(state)) {
        rc = 0;
    }
    close(fd);
    return rc;
}

int
dfx_notify_reloading(void)
{
    struct timespec  ts;
    char             msg[96];

    /* systemd 253+ wants the time of the reload with it */
    clock_gettime(CLOCK_MONOTONIC, &ts);
    snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu",
             (unsigned long long) ts.tv_sec * 1000000ULL
             + (unsigned long long) ts.tv_nsec / 1000);
    return dfx_notify(msg);
}
