/*
 * test_dfx_ch_checkpoint.c: checkpoint files
 * (src/clickhouse/dfx_ch_checkpoint.c) in a temporary directory.
 *
 * A checkpoint is written, read back, overwritten; what is on disk is
 * exactly one line and no temporary file stays.  A missing file is "no
 * checkpoint"; anything else that is not one (garbage, empty, negative,
 * a directory) is an error naming the path, never a guess.
 */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "dfx_ch_checkpoint.h"

static char  t_dir[256];

static int
t_setup(void **state)
{
    const char  *tmp = getenv("TMPDIR");

    (void) state;
    snprintf(t_dir, sizeof(t_dir), "%s/dfx-ckpt-XXXXXX",
             tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
    return mkdtemp(t_dir) != NULL ? 0 : -1;
}

/* Removes path and, for a directory, what it holds. */
static int
t_rm(const char *path)
{
    DIR            *d;
    struct dirent  *e;
    struct stat     st;
    char            sub[512];
    int             rc = 0;

    if (lstat(path, &st) != 0) {
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        return unlink(path);
    }
    d = opendir(path);
    if (d == NULL) {
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
            rc |= t_rm(sub);
        }
    }
    closedir(d);
    return rc | rmdir(path);
}

static int
t_teardown(void **state)
{
    (void) state;
    return t_rm(t_dir);
}

static void
t_path(char *buf, size_t size, const char *name)
{
    int  n = snprintf(buf, size, "%s/%s", t_dir, name);

    assert_true(n > 0 && (size_t) n < size);
}

static void
t_write_file(const char *path, const char *data)
{
    FILE  *f = fopen(path, "w");

    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, strlen(data), f), strlen(data));
    assert_int_equal(fclose(f), 0);
}

/* The whole file, as text. */
static const char *
t_slurp(const char *path)
{
    static char  buf[256];
    ssize_t      n;
    int          fd = open(path, O_RDONLY);

    assert_true(fd >= 0);
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    assert_true(n >= 0);
    buf[n] = '\0';
    return buf;
}

static int
t_exists(const char *path)
{
    struct stat  st;

    return stat(path, &st) == 0;
}

static void
test_write_read(void **state)
{
    char     path[512], tmp[600], err[512] = "";
    int64_t  t = 0;

    (void) state;
    t_path(path, sizeof(path), "flow_log.l7_flow_log.1");
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);

    assert_int_equal(dfx_ch_checkpoint_write(path, 1700000060, err,
                                             sizeof(err)), 0);
    assert_string_equal(t_slurp(path), "1700000060\n");
    assert_false(t_exists(tmp));
    assert_int_equal(dfx_ch_checkpoint_read(path, &t, err, sizeof(err)), 1);
    assert_int_equal(t, 1700000060);

    /* replaced, not appended to */
    assert_int_equal(dfx_ch_checkpoint_write(path, 1700000120, err,
                                             sizeof(err)), 0);
    assert_string_equal(t_slurp(path), "1700000120\n");
    assert_false(t_exists(tmp));
    assert_int_equal(dfx_ch_checkpoint_read(path, &t, err, sizeof(err)), 1);
    assert_int_equal(t, 1700000120);

    /* a shorter value leaves nothing of the longer one */
    assert_int_equal(dfx_ch_checkpoint_write(path, 0, err, sizeof(err)), 0);
    assert_string_equal(t_slurp(path), "0\n");
    assert_int_equal(dfx_ch_checkpoint_read(path, &t, err, sizeof(err)), 1);
    assert_int_equal(t, 0);

    /* past 2038 */
    assert_int_equal(dfx_ch_checkpoint_write(path, 4294967296LL, err,
                                             sizeof(err)), 0);
    assert_string_equal(t_slurp(path), "4294967296\n");
    assert_int_equal(dfx_ch_checkpoint_read(path, &t, err, sizeof(err)), 1);
    assert_int_equal(t, 4294967296LL);
    assert_string_equal(err, "");

    /* a stale temporary file of a crashed write is replaced */
    t_write_file(tmp, "garbage from before");
    assert_int_equal(dfx_ch_checkpoint_write(path, 42, err, sizeof(err)),
                     0);
    assert_string_equal(t_slurp(path), "42\n");
    assert_false(t_exists(tmp));
}

/* A file a person wrote by hand: without the newline it still reads. */
static void
test_read_without_newline(void **state)
{
    char     path[512], err[512] = "";
    int64_t  t = 0;

    (void) state;
    t_path(path, sizeof(path), "hand");
    t_write_file(path, "1700000000");
    assert_int_equal(dfx_ch_checkpoint_read(path, &t, err, sizeof(err)), 1);
    assert_int_equal(t, 1700000000);
}

static void
test_read_missing(void **state)
{
    char     path[512], err[512] = "";
    int64_t  t = 77;

    (void) state;
    t_path(path, sizeof(path), "nope");
    assert_int_equal(dfx_ch_checkpoint_read(path, &t, err, sizeof(err)), 0);
    /* untouched */
    assert_int_equal(t, 77);
    assert_string_equal(err, "");
}

/* path holds data: not a checkpoint, with the message naming path. */
static void
t_not_checkpoint(const char *name, const char *data)
{
    char     path[512], err[512] = "", expect[700];
    int64_t  t = 77;

    t_path(path, sizeof(path), name);
    t_write_file(path, data);
    snprintf(expect, sizeof(expect), "%s is not a checkpoint (one line: "
             "unix seconds); fix or remove it", path);
    assert_int_equal(dfx_ch_checkpoint_read(path, &t, err, sizeof(err)),
                     -1);
    assert_string_equal(err, expect);
    assert_int_equal(t, 77);
}

static void
test_read_invalid(void **state)
{
    (void) state;
    t_not_checkpoint("garbage", "garbage\n");
    t_not_checkpoint("empty", "");
    t_not_checkpoint("negative", "-60\n");
    t_not_checkpoint("trailing", "1700000000x\n");
    t_not_checkpoint("two-values", "1700000000 1700000060\n");
    t_not_checkpoint("decimal", "1700000000.5\n");
    t_not_checkpoint("huge", "99999999999999999999\n");
}

static void
test_read_directory(void **state)
{
    char     path[512], err[512] = "", expect[700];
    int64_t  t = 77;

    (void) state;
    t_path(path, sizeof(path), "a-directory");
    assert_int_equal(mkdir(path, 0755), 0);
    snprintf(expect, sizeof(expect), "cannot read %s: %s", path,
             strerror(EISDIR));
    assert_int_equal(dfx_ch_checkpoint_read(path, &t, err, sizeof(err)),
                     -1);
    assert_string_equal(err, expect);
    assert_int_equal(t, 77);
}

static void
test_write_fails(void **state)
{
    char  dir[512], path[600], expect[800], err[512] = "";

    (void) state;
    /* a directory that does not exist */
    t_path(dir, sizeof(dir), "no-such-dir");
    snprintf(path, sizeof(path), "%s/cp", dir);
    snprintf(expect, sizeof(expect), "cannot create %s/cp.tmp: %s", dir,
             strerror(ENOENT));
    assert_int_equal(dfx_ch_checkpoint_write(path, 1, err, sizeof(err)), -1);
    assert_string_equal(err, expect);
    assert_false(t_exists(dir));

    /* the checkpoint's name is taken by a directory: the rename fails and
     * the temporary file is removed */
    t_path(path, sizeof(path), "taken");
    assert_int_equal(mkdir(path, 0755), 0);
    snprintf(expect, sizeof(expect), "cannot rename %s.tmp: %s", path,
             strerror(EISDIR));
    err[0] = '\0';
    assert_int_equal(dfx_ch_checkpoint_write(path, 1, err, sizeof(err)), -1);
    assert_string_equal(err, expect);
    snprintf(expect, sizeof(expect), "%s.tmp", path);
    assert_false(t_exists(expect));
}

/* A directory dfexport may not write to.  root writes anyway, so the
 * test only runs for another user. */
static void
test_write_unwritable(void **state)
{
    char  dir[512], path[600], expect[800], err[512] = "";

    (void) state;
    if (geteuid() == 0) {
        skip();
    }
    t_path(dir, sizeof(dir), "read-only");
    assert_int_equal(mkdir(dir, 0555), 0);
    snprintf(path, sizeof(path), "%s/cp", dir);
    snprintf(expect, sizeof(expect), "cannot create %s/cp.tmp: %s", dir,
             strerror(EACCES));
    assert_int_equal(dfx_ch_checkpoint_write(path, 1, err, sizeof(err)), -1);
    assert_string_equal(err, expect);

    snprintf(expect, sizeof(expect), "checkpoint directory %s is not "
             "writable: %s", dir, strerror(EACCES));
    assert_int_equal(dfx_ch_checkpoint_dir(dir, err, sizeof(err)), -1);
    assert_string_equal(err, expect);
    /* writable again, for the teardown */
    assert_int_equal(chmod(dir, 0755), 0);
}

static void
test_dir(void **state)
{
    char         dir[512], file[600], expect[800], err[512] = "";
    struct stat  st;

    (void) state;
    /* created */
    t_path(dir, sizeof(dir), "checkpoints");
    assert_int_equal(dfx_ch_checkpoint_dir(dir, err, sizeof(err)), 0);
    assert_int_equal(stat(dir, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    /* and accepted once it exists */
    assert_int_equal(dfx_ch_checkpoint_dir(dir, err, sizeof(err)), 0);
    assert_string_equal(err, "");

    /* a checkpoint can be written in it */
    snprintf(file, sizeof(file), "%s/flow_log.l4_flow_log.1", dir);
    assert_int_equal(dfx_ch_checkpoint_write(file, 5, err, sizeof(err)), 0);

    /* a regular file is refused */
    t_path(file, sizeof(file), "a-file");
    t_write_file(file, "x\n");
    snprintf(expect, sizeof(expect), "checkpoint directory %s is not a "
             "directory", file);
    assert_int_equal(dfx_ch_checkpoint_dir(file, err, sizeof(err)), -1);
    assert_string_equal(err, expect);

    /* one level only: the parent must exist */
    t_path(dir, sizeof(dir), "no-parent/checkpoints");
    snprintf(expect, sizeof(expect), "cannot create the checkpoint "
             "directory %s: %s", dir, strerror(ENOENT));
    assert_int_equal(dfx_ch_checkpoint_dir(dir, err, sizeof(err)), -1);
    assert_string_equal(err, expect);
}

int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_write_read),
        cmocka_unit_test(test_read_without_newline),
        cmocka_unit_test(test_read_missing),
        cmocka_unit_test(test_read_invalid),
        cmocka_unit_test(test_read_directory),
        cmocka_unit_test(test_write_fails),
        cmocka_unit_test(test_write_unwritable),
        cmocka_unit_test(test_dir),
    };

    return cmocka_run_group_tests(tests, t_setup, t_teardown);
}
