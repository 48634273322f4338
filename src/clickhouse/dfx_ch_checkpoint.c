/*
 * dfx_ch_checkpoint.c: atomic checkpoint files.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dfx_ch_checkpoint.h"

int
dfx_ch_checkpoint_read(const char *path, int64_t *t, char *err,
                       size_t errlen)
{
    char        buf[64], *end;
    ssize_t     n;
    long long   v;
    int         fd;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) {
            return 0;
        }
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n < 0) {
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    buf[n] = '\0';
    errno = 0;
    v = strtoll(buf, &end, 10);
    if (n == 0 || end == buf || errno != 0 || (*end != '\n' && *end != '\0')
        || v < 0)
    {
        snprintf(err, errlen, "%s is not a checkpoint (one line: unix "
                 "seconds); fix or remove it", path);
        return -1;
    }
    *t = v;
    return 1;
}

int
dfx_ch_checkpoint_write(const char *path, int64_t t, char *err,
                        size_t errlen)
{
    char     tmp[4096], line[32], dir[4096], *slash;
    int      fd = -1, dfd, len, rc = -1;

    len = snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    if (len < 0 || (size_t) len >= sizeof(tmp)) {
        snprintf(err, errlen, "path too long: %s", path);
        return -1;
    }
    len = snprintf(line, sizeof(line), "%" PRId64 "\n", t);

    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
        return -1;
    }
    if (write(fd, line, (size_t) len) != len) {
        snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
        goto done;
    }
    if (fsync(fd) != 0) {
        snprintf(err, errlen, "cannot fsync %s: %s", tmp, strerror(errno));
        goto done;
    }
    if (close(fd) != 0) {
        fd = -1;
        snprintf(err, errlen, "cannot close %s: %s", tmp, strerror(errno));
        goto done;
    }
    fd = -1;
    if (rename(tmp, path) != 0) {
        snprintf(err, errlen, "cannot rename %s: %s", tmp, strerror(errno));
        goto done;
    }
    /* the rename itself must survive a crash */
    snprintf(dir, sizeof(dir), "%s", path);
    slash = strrchr(dir, '/');
    if (slash == dir) {
        slash[1] = '\0';
    } else if (slash != NULL) {
        *slash = '\0';
    } else {
        snprintf(dir, sizeof(dir), ".");
    }
    dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        (void) fsync(dfd);
        close(dfd);
    }
    rc = 0;

done:
    if (fd >= 0) {
        close(fd);
    }
    if (rc != 0) {
        (void) unlink(tmp);
    }
    return rc;
}

int
dfx_ch_checkpoint_dir(const char *dir, char *err, size_t errlen)
{
    struct stat  st;

    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot create the checkpoint directory %s: "
                 "%s", dir, strerror(errno));
        return -1;
    }
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "checkpoint directory %s is not a directory",
                 dir);
        return -1;
    }
    if (access(dir, W_OK) != 0) {
        snprintf(err, errlen, "checkpoint directory %s is not writable: %s",
                 dir, strerror(errno));
        return -1;
    }
    return 0;
}
