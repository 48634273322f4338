/*
 * dfx_conf.c: loading a configuration file, and the error collector.
 *
 * The file is read whole, parsed once into located nodes
 * (dfx_conf_node.c), and only two places of it are read: the dfexport:
 * block and ingester.exporters[]; every other section of a DeepFlow
 * server.yaml is ignored.  Problems are collected rather than fatal, so
 * that one run of `dfexport -t` lists all of them:
 *
 *   dfexport: FILE:LINE:COL: KEY.PATH: RULE, got "VALUE"
 *   dfexport: FILE:LINE:COL: notice: KEY.PATH: ...
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dfx_conf_int.h"
#include "dfx_core.h"

/* Longest message line; longer ones are cut with "...". */
#define DFX_CONF_LINE_MAX  1024

/* --embedded-kafka, for dfx_conf_load(); set on the main thread only */
static int  dfx_conf_endpoints_replaced;

static void
dfx_conf_report(dfx_conf_ctx_t *cf, int is_error, const dfx_loc_t *loc,
                const char *fmt, va_list ap)
{
    char          msg[DFX_CONF_LINE_MAX], line[DFX_CONF_LINE_MAX];
    const char   *file = cf->file;
    size_t        len, i, o;
    int           n;

    if (is_error) {
        cf->nerrors++;
    } else {
        cf->nnotices++;
    }
    if (cf->out == NULL) {
        return;
    }
    n = vsnprintf(msg, sizeof(msg), fmt, ap);
    if (n < 0) {
        msg[0] = '\0';
    } else if ((size_t) n >= sizeof(msg)) {
        memcpy(msg + sizeof(msg) - 4, "...", 4);
    }
    if (loc != NULL && loc->file != NULL) {
        file = loc->file;
    }
    if (loc != NULL && loc->line != 0) {
        n = snprintf(line, sizeof(line), "dfexport: %s:%u:%u: %s", file,
                     loc->line, loc->col, is_error ? "" : "notice: ");
    } else {
        n = snprintf(line, sizeof(line), "dfexport: %s: %s", file,
                     is_error ? "" : "notice: ");
    }
    len = n < 0 ? 0 : ((size_t) n < sizeof(line) ? (size_t) n
                                                  : sizeof(line) - 1);

    /* one line each: control characters from values are escaped */
    for (i = 0, o = len; msg[i] != '\0' && o + 5 < sizeof(line); i++) {
        unsigned char  c = (unsigned char) msg[i];

        if (c < 0x20 || c == 0x7f) {
            o += (size_t) snprintf(line + o, sizeof(line) - o, "\\x%02x", c);
        } else {
            line[o++] = (char) c;
        }
    }
    if (msg[i] != '\0') {
        if (o > sizeof(line) - 4) {
            o = sizeof(line) - 4;
        }
        memcpy(line + o, "...", 3);
        o += 3;
    }
    line[o] = '\0';
    cf->out(is_error, line);
}

void
dfx_conf_error(dfx_conf_ctx_t *cf, const dfx_loc_t *loc, const char *fmt, ...)
{
    va_list  ap;

    va_start(ap, fmt);
    dfx_conf_report(cf, 1, loc, fmt, ap);
    va_end(ap);
}

void
dfx_conf_notice(dfx_conf_ctx_t *cf, const dfx_loc_t *loc, const char *fmt,
                ...)
{
    va_list  ap;

    va_start(ap, fmt);
    dfx_conf_report(cf, 0, loc, fmt, ap);
    va_end(ap);
}

void
dfx_conf_nomem(dfx_conf_ctx_t *cf)
{
    if (!cf->nomem) {
        dfx_conf_error(cf, NULL, "out of memory");
    }
    cf->nomem = 1;
}

void
dfx_conf_resolve_path(dfx_conf_ctx_t *cf, dfx_conf_str_t *s,
                      const char *dflt)
{
    const char  *rel, *slash;
    size_t       dirlen, n;
    char        *p;

    rel = (s->v != NULL && s->v[0] != '\0') ? s->v : dflt;
    if (rel == NULL || rel[0] == '/') {
        return;
    }
    slash = strrchr(cf->file, '/');
    if (slash == NULL) {
        /* the config is in the working directory: "./x" says so */
        dirlen = 1;
    } else {
        dirlen = slash == cf->file ? 1 : (size_t) (slash - cf->file);
    }
    n = dirlen + 1 + strlen(rel) + 1;
    p = malloc(n);
    if (p == NULL) {
        dfx_conf_nomem(cf);
        return;
    }
    snprintf(p, n, "%.*s/%s", (int) dirlen, slash == NULL ? "." : cf->file,
             rel);
    free(s->v);
    s->v = p;
}

const char *
dfx_conf_enum_dir_installed(void)
{
    return DFX_ENUM_INSTALLED;
}

void
dfx_conf_enum_dir(dfx_conf_ctx_t *cf, dfx_conf_main_t *mc)
{
    dfx_conf_str_t  *s = &mc->enum_dir;
    struct stat      st;
    char            *p;

    if (s->v != NULL && s->v[0] != '\0') {
        dfx_conf_resolve_path(cf, s, NULL);
        return;
    }
    dfx_conf_resolve_path(cf, s, "enum");
    if (cf->nomem || (stat(s->v, &st) == 0 && S_ISDIR(st.st_mode))) {
        return;
    }
    /* a DeepFlow server.yaml copied anywhere: the installed dictionaries */
    if (stat(DFX_ENUM_INSTALLED, &st) == 0 && S_ISDIR(st.st_mode)) {
        p = strdup(DFX_ENUM_INSTALLED);
        if (p == NULL) {
            dfx_conf_nomem(cf);
            return;
        }
        free(s->v);
        s->v = p;
        return;
    }
    mc->enum_dir_missing = 1;
}

const char *
dfx_conf_path(const dfx_conf_ctx_t *cf)
{
    return cf->path;
}

size_t
dfx_conf_push_key(dfx_conf_ctx_t *cf, const char *key)
{
    size_t  mark = cf->pathlen;
    int     n;

    n = snprintf(cf->path + mark, sizeof(cf->path) - mark, "%s%s",
                 mark ? "." : "", key);
    if (n > 0) {
        cf->pathlen += (size_t) n;
        if (cf->pathlen >= sizeof(cf->path)) {
            cf->pathlen = sizeof(cf->path) - 1;
        }
    }
    return mark;
}

size_t
dfx_conf_push_index(dfx_conf_ctx_t *cf, size_t i)
{
    size_t  mark = cf->pathlen;
    int     n;

    n = snprintf(cf->path + mark, sizeof(cf->path) - mark, "[%zu]", i);
    if (n > 0) {
        cf->pathlen += (size_t) n;
        if (cf->pathlen >= sizeof(cf->path)) {
            cf->pathlen = sizeof(cf->path) - 1;
        }
    }
    return mark;
}

void
dfx_conf_pop(dfx_conf_ctx_t *cf, size_t len)
{
    cf->pathlen = len;
    cf->path[len] = '\0';
}

/* ---- did you mean ------------------------------------------------- */

#define DFX_SUGGEST_LEN  64

static unsigned char
dfx_fold(char c)
{
    return (unsigned char) (c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
}

/* Optimal string alignment distance (a swap of two neighbours costs
 * one, the commonest typo), ignoring case. */
static unsigned
dfx_conf_distance(const char *a, size_t la, const char *b, size_t lb)
{
    unsigned  d[DFX_SUGGEST_LEN + 1][DFX_SUGGEST_LEN + 1];
    unsigned  cost, v;
    size_t    i, j;

    for (i = 0; i <= la; i++) {
        d[i][0] = (unsigned) i;
    }
    for (j = 0; j <= lb; j++) {
        d[0][j] = (unsigned) j;
    }
    for (i = 1; i <= la; i++) {
        for (j = 1; j <= lb; j++) {
            cost = dfx_fold(a[i - 1]) != dfx_fold(b[j - 1]);
            v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v) {
                v = d[i][j - 1] + 1;
            }
            if (d[i - 1][j - 1] + cost < v) {
                v = d[i - 1][j - 1] + cost;
            }
            if (i > 1 && j > 1 && dfx_fold(a[i - 1]) == dfx_fold(b[j - 2])
                && dfx_fold(a[i - 2]) == dfx_fold(b[j - 1])
                && d[i - 2][j - 2] + 1 < v)
            {
                v = d[i - 2][j - 2] + 1;
            }
            d[i][j] = v;
        }
    }
    return d[la][lb];
}

void
dfx_conf_suggest_init(dfx_conf_suggest_t *sg, const char *word)
{
    sg->word = word;
    sg->best = NULL;
    sg->dist = (unsigned) -1;
}

void
dfx_conf_suggest_add(dfx_conf_suggest_t *sg, const char *candidate)
{
    size_t    lw = strlen(sg->word), lc = strlen(candidate);
    size_t    shorter = lw < lc ? lw : lc;
    unsigned  d, limit;
    int       prefix;

    if (lw == 0 || lw > DFX_SUGGEST_LEN || lc > DFX_SUGGEST_LEN
        || strcmp(sg->word, candidate) == 0)
    {
        return;
    }
    /* close means a typo, not another word: 1 edit for short words, up
     * to 3 for long ones; or one word cut short ("warning", "warn") */
    limit = lw <= 4 ? 1 : (lw <= 8 ? 2 : 3);
    prefix = shorter >= 3 && strncasecmp(sg->word, candidate, shorter) == 0;
    if ((lw > lc ? lw - lc : lc - lw) > limit) {
        if (!prefix) {
            return;
        }
        d = limit;
    } else {
        d = dfx_conf_distance(sg->word, lw, candidate, lc);
        if (d == 0) {
            d = 1;              /* differs in case only */
        }
        if (prefix && d > limit) {
            d = limit;
        }
    }
    if (d <= limit && d < lw && d < sg->dist) {
        sg->best = candidate;
        sg->dist = d;
    }
}

const char *
dfx_conf_suggest_result(const dfx_conf_suggest_t *sg)
{
    return sg->best;
}

/* ---- loading ------------------------------------------------------- */

static void
dfx_conf_load_doc(dfx_conf_ctx_t *cf, dfx_conf_t *conf, const dfx_doc_t *doc)
{
    const dfx_node_t  *root = doc->root, *v, *k, *ing, *exp = NULL;
    const dfx_node_t  *expk = NULL;
    char               q[96];

    if (dfx_node_is_null(root)) {
        root = NULL;
    } else if (root->type != DFX_NODE_MAP || root->tag != NULL) {
        dfx_conf_error(cf, &root->loc, "the top level must be a mapping "
                       "(dfexport:, ingester:, ...), got %s",
                       dfx_node_what(root, q, sizeof(q)));
        return;
    }

    v = dfx_node_get(cf, root, "dfexport", &k);
    dfx_conf_main_load(cf, conf, v, k);

    /* of DeepFlow's ingester: section only exporters matter */
    ing = dfx_node_get(cf, root, "ingester", &k);
    if (!dfx_node_is_null(ing)) {
        dfx_conf_push_key(cf, "ingester");
        if (dfx_node_bad_tag(cf, ing)) {
            /* reported */
        } else if (ing->type != DFX_NODE_MAP) {
            dfx_conf_error(cf, &ing->loc, "%s: must be a mapping, got %s",
                           cf->path, dfx_node_what(ing, q, sizeof(q)));
        } else {
            exp = dfx_node_get(cf, ing, "exporters", &expk);
        }
        dfx_conf_pop(cf, 0);
    }
    dfx_conf_exporters_load(cf, conf, exp, expk);
}

dfx_conf_t *
dfx_conf_load_mem(const char *name, const char *data, size_t len,
                  unsigned flags, void (*err_out)(int is_error,
                                                  const char *line))
{
    dfx_conf_ctx_t   cf;
    dfx_conf_t      *conf;
    dfx_doc_t        doc = { NULL, NULL };

    memset(&cf, 0, sizeof(cf));
    cf.out = err_out;
    cf.flags = flags;
    cf.file = name;

    conf = calloc(1, sizeof(*conf));
    if (conf == NULL || (conf->file = strdup(name)) == NULL) {
        dfx_conf_nomem(&cf);
        free(conf);
        return NULL;
    }
    cf.file = conf->file;
    cf.conf = conf;

    if (dfx_doc_parse(&cf, data, len, &doc) == 0) {
        dfx_conf_load_doc(&cf, conf, &doc);
    } else if (cf.nerrors == 0) {
        dfx_conf_error(&cf, NULL, "cannot parse the file");
    }
    dfx_doc_free(&doc);

    if (cf.nerrors != 0) {
        dfx_conf_free(conf);
        return NULL;
    }
    return conf;
}

/* Reads the whole file; NULL with errno set. */
static char *
dfx_conf_read(const char *file, size_t *len)
{
    struct stat   st;
    char         *data = NULL;
    size_t        got = 0;
    ssize_t       n;
    int           fd, err;

    fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return NULL;
    }
    if (fstat(fd, &st) != 0) {
        goto failed;
    }
    if (!S_ISREG(st.st_mode)) {
        errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
        goto failed;
    }
    if ((uint64_t) st.st_size > DFX_CONF_FILE_MAX) {
        errno = EFBIG;
        goto failed;
    }
    data = malloc((size_t) st.st_size + 1);
    if (data == NULL) {
        goto failed;
    }
    while (got < (size_t) st.st_size) {
        n = read(fd, data + got, (size_t) st.st_size - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            if (n == 0) {
                break;          /* the file shrank: read what is there */
            }
            goto failed;
        }
        got += (size_t) n;
    }
    data[got] = '\0';
    close(fd);
    *len = got;
    return data;

failed:
    err = errno;
    free(data);
    close(fd);
    errno = err;
    return NULL;
}

dfx_conf_t *
dfx_conf_load_ex(const char *file, unsigned flags,
                 void (*err_out)(int is_error, const char *line))
{
    dfx_conf_ctx_t   cf;
    dfx_conf_t      *conf;
    char            *data;
    size_t           len = 0;

    data = dfx_conf_read(file, &len);
    if (data == NULL) {
        memset(&cf, 0, sizeof(cf));
        cf.out = err_out;
        cf.file = file;
        if (errno == EFBIG) {
            dfx_conf_error(&cf, NULL, "cannot read: larger than %u bytes",
                           DFX_CONF_FILE_MAX);
        } else {
            dfx_conf_error(&cf, NULL, "cannot read: %s", strerror(errno));
        }
        return NULL;
    }
    conf = dfx_conf_load_mem(file, data, len, flags, err_out);
    free(data);
    return conf;
}

void
dfx_conf_replace_endpoints(int on)
{
    dfx_conf_endpoints_replaced = on != 0;
}

dfx_conf_t *
dfx_conf_load(const char *file, void (*err_out)(int is_error,
                                                const char *line))
{
    return dfx_conf_load_ex(file, dfx_conf_endpoints_replaced
                                      ? DFX_CONF_ENDPOINTS_REPLACED : 0,
                            err_out);
}

void
dfx_conf_free(dfx_conf_t *conf)
{
    size_t  i;

    if (conf == NULL) {
        return;
    }
    dfx_conf_table_free(dfx_conf_main_keys, &conf->main);
    for (i = 0; i < conf->nexporters; i++) {
        dfx_conf_exporter_free(&conf->exporters[i]);
    }
    free(conf->exporters);
    free(conf->file);
    free(conf);
}
