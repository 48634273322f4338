/*
 * dfx_http_dryrun_cli.c: `dfexport --dry-run SOURCE -c FILE < records`.
 *
 * The offline dry run: the configuration's chains are built without
 * Kafka producers or listeners (dfx_cycle_create() with no event base),
 * NDJSON records are read from stdin and go through the same parser and
 * chains as `POST /v1/ingest/SOURCE?dry_run=1`; the same JSON answer is
 * printed to stdout.  Logs and configuration notices go to stderr.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dfx_buf.h"
#include "dfx_cycle.h"
#include "dfx_http.h"
#include "dfx_log.h"
#include "universal_tag/dfx_dict.h"

/* Reads all of f into b (at most max bytes).  Returns 0, or -1 with
 * errno (EFBIG past max). */
static int
dfx_dryrun_read(FILE *f, dfx_buf_t *b, size_t max)
{
    size_t  n;

    for (;;) {
        if (dfx_buf_grow(b, 64 * 1024) != 0) {
            errno = ENOMEM;
            return -1;
        }
        n = fread(b->data + b->len, 1, b->cap - b->len, f);
        b->len += n;
        if (b->len > max) {
            errno = EFBIG;
            return -1;
        }
        if (n == 0) {
            return ferror(f) ? -1 : 0;
        }
    }
}

int
dfx_http_dryrun_main(dfx_conf_t *conf, const char *ds, int pretty)
{
    dfx_cycle_t  *c;
    dfx_dict_t   *d = NULL;
    dfx_buf_t     in = DFX_BUF_INIT, out = DFX_BUF_INIT;
    uint32_t      rejected = 0;
    size_t        max = (size_t) conf->main.limits.body.v;
    char          err[512];
    int           code, rc = 1;

    if (dfx_dryrun_read(stdin, &in, max) != 0) {
        fprintf(stderr, "dfexport: --dry-run: cannot read stdin: %s\n",
                errno == EFBIG ? "more than dfexport.limits.body"
                               : strerror(errno));
        dfx_conf_free(conf);
        goto done;
    }
    if (conf->main.dictionary.v[0] != '\0') {
        d = dfx_dict_load(conf->main.dictionary.v, err, sizeof(err));
        if (d == NULL) {
            fprintf(stderr, "dfexport: --dry-run: dictionary: %s\n", err);
            dfx_conf_free(conf);
            goto done;
        }
        dfx_dict_publish(d);
    }

    c = dfx_cycle_create(conf, NULL, NULL);     /* owns conf */
    if (c == NULL) {
        goto done;
    }
    dfx_cycle_publish(c);

    code = dfx_http_dryrun_stdin(ds, in.data != NULL ? in.data : "", in.len,
                                 pretty, &out, &rejected);
    if (fwrite(out.data, 1, out.len, stdout) != out.len
        || fflush(stdout) != 0)
    {
        fprintf(stderr, "dfexport: --dry-run: cannot write: %s\n",
                strerror(errno));
        code = 0;
    }
    if (code != 200) {
        fprintf(stderr, "dfexport: --dry-run: the request would be "
                "answered %d\n", code);
    } else if (rejected > 0) {
        fprintf(stderr, "dfexport: --dry-run: %u records rejected\n",
                rejected);
    } else {
        rc = 0;
    }
    (void) dfx_cycle_shutdown(0);

done:
    if (d != NULL) {
        dfx_dict_publish(NULL);
    }
    dfx_buf_free(&in);
    dfx_buf_free(&out);
    return rc;
}
