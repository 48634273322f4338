/*
 * dfx_ch_columns.c: a table's columns, and the SELECT made of them.
 *
 * system.columns answers in JSONEachRow, one {"name":...,"type":...}
 * object a line; the list goes to dfx_ch_select() with the data
 * source's schema.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <yajl/yajl_tree.h>

#include "dfx_ch_int.h"

int
dfx_ch_gather(void *arg, const char *data, size_t len)
{
    dfx_ch_gather_t  *g = arg;

    if (g->body.len + len > g->max) {
        return -1;
    }
    return dfx_buf_append(&g->body, data, len);
}

static void
dfx_ch_columns_free(dfx_ch_column_t *cols, size_t n)
{
    size_t  i;

    for (i = 0; i < n; i++) {
        free(cols[i].name);
        free(cols[i].type);
    }
    free(cols);
}

/* JSONEachRow lines {"name":...,"type":...} into cols.  Returns the
 * number of columns, or -1. */
static ssize_t
dfx_ch_columns_parse(dfx_buf_t *body, dfx_ch_column_t **out)
{
    static const char  *pname[] = { "name", NULL };
    static const char  *ptype[] = { "type", NULL };
    dfx_ch_column_t    *cols = NULL, *nc;
    yajl_val            v, n, t;
    size_t              ncols = 0, cap = 0;
    char               *line, *nl, *end;

    if (dfx_buf_putc(body, '\0') != 0) {
        return -1;
    }
    line = body->data;
    end = body->data + body->len - 1;
    for (; line < end; line = nl + 1) {
        nl = memchr(line, '\n', (size_t) (end - line));
        if (nl == NULL) {
            nl = end;
        }
        *nl = '\0';
        if (*line == '\0') {
            continue;
        }
        v = yajl_tree_parse(line, NULL, 0);
        n = v != NULL ? yajl_tree_get(v, pname, yajl_t_string) : NULL;
        t = v != NULL ? yajl_tree_get(v, ptype, yajl_t_string) : NULL;
        if (n == NULL || t == NULL) {
            yajl_tree_free(v);
            goto fail;
        }
        if (ncols == cap) {
            cap = cap ? cap * 2 : 64;
            nc = realloc(cols, cap * sizeof(*cols));
            if (nc == NULL) {
                yajl_tree_free(v);
                goto fail;
            }
            cols = nc;
        }
        cols[ncols].name = strdup(n->u.string);
        cols[ncols].type = strdup(t->u.string);
        ncols++;
        yajl_tree_free(v);
        if (cols[ncols - 1].name == NULL || cols[ncols - 1].type == NULL) {
            goto fail;
        }
    }
    *out = cols;
    return (ssize_t) ncols;

fail:
    dfx_ch_columns_free(cols, ncols);
    return -1;
}

dfx_ch_err_t
dfx_ch_describe_table(dfx_ch_client_t *c, const dfx_schema_t *s,
                      unsigned org, const char *db, const char *table,
                      dfx_ch_select_t *sel, char *msg, size_t msglen)
{
    dfx_ch_gather_t   g = { DFX_BUF_INIT, 4u * 1024 * 1024 };
    dfx_ch_column_t  *cols = NULL;
    dfx_buf_t         sql = DFX_BUF_INIT;
    dfx_ch_err_t      rc;
    ssize_t           n = 0;

    if (dfx_ch_columns_sql(&sql, db, table) != 0) {
        snprintf(msg, msglen, "out of memory");
        rc = DFX_CH_ERR_COLUMNS;
        goto done;
    }
    rc = dfx_ch_client_query(c, sql.data, dfx_ch_gather, &g, msg, msglen);
    if (rc != DFX_CH_OK) {
        goto done;
    }
    n = dfx_ch_columns_parse(&g.body, &cols);
    if (n < 0) {
        snprintf(msg, msglen, "cannot read the column list of %s.%s", db,
                 table);
        rc = DFX_CH_ERR_COLUMNS;
        n = 0;
        goto done;
    }
    if (n == 0) {
        snprintf(msg, msglen, "table %s.%s does not exist (or the user "
                 "may not see it)", db, table);
        rc = DFX_CH_ERR_COLUMNS;
        goto done;
    }
    if (dfx_ch_select(s, cols, (size_t) n, org, sel, msg, msglen) != 0) {
        rc = DFX_CH_ERR_COLUMNS;
    }

done:
    dfx_ch_columns_free(cols, (size_t) n);
    dfx_buf_free(&g.body);
    dfx_buf_free(&sql);
    return rc;
}
