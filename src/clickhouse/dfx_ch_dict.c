/*
 * dfx_ch_dict.c: the universal-tag dictionary from DeepFlow's flow_tag
 * dictionaries (dfexport.clickhouse.dictionary-refresh).
 *
 * DeepFlow's controller keeps the names of regions, pods, services ...
 * in ClickHouse dictionaries of the database flow_tag, for its own
 * queries.  One query per map reads them in JSONEachRow, whose rows are
 * already the {id, name} (device_map: {id, type, name}; labels: {pod_id,
 * label_name[], label_value[]}) entries of dfexport's dictionary
 * document; the document is assembled from them and loaded by the same
 * reader as a file or a PUT (dfx_dict_parse), then published.  A load
 * that fails anywhere keeps the dictionary in use.
 *
 * What differs from the maps DeepFlow's controller gives its exporter
 * (doc/clickhouse.md): resources soft-deleted in DeepFlow's database are
 * left out (flow_tag keeps them, named "... (deleted)"), and a pod's
 * labels come sorted by name.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dfx_ch_int.h"
#include "dfx_log.h"
#include "universal_tag/dfx_dict.h"

typedef struct {
    const char  *member;        /* in dfexport's document */
    const char  *table;         /* in flow_tag */
    const char  *select;        /* what makes an entry of a row */
    int          deleted;       /* has a name that may say (deleted) */
} dfx_ch_map_t;

static const dfx_ch_map_t  dfx_ch_maps[] = {
    { "region_map", "region_map", "`id`, `name`", 1 },
    { "az_map", "az_map", "`id`, `name`", 1 },
    { "device_map", "device_map",
      "`deviceid` AS `id`, `devicetype` AS `type`, `name`", 1 },
    { "pod_node_map", "pod_node_map", "`id`, `name`", 1 },
    { "pod_ns_map", "pod_ns_map", "`id`, `name`", 1 },
    { "pod_group_map", "pod_group_map", "`id`, `name`", 1 },
    { "pod_map", "pod_map", "`id`, `name`", 1 },
    { "pod_cluster_map", "pod_cluster_map", "`id`, `name`", 1 },
    { "l3_epc_map", "l3_epc_map", "`id`, `name`", 1 },
    { "subnet_map", "subnet_map", "`id`, `name`", 1 },
    { "gprocess_map", "gprocess_map", "`id`, `name`", 1 },
    { "vtap_map", "vtap_map", "`id`, `name`", 1 },
    /* (key, value) pairs sorted, then split: one entry per pod */
    { "pod_k8s_label_map", "pod_k8s_label_map",
      "`id` AS `pod_id`, arrayMap(x -> tupleElement(x, 1), `l`) AS "
      "`label_name`, arrayMap(x -> tupleElement(x, 2), `l`) AS "
      "`label_value`", 0 },
};

#define DFX_CH_NMAPS  (sizeof(dfx_ch_maps) / sizeof(dfx_ch_maps[0]))

/* The largest dictionary document read (DeepFlow's biggest deployments
 * stay far below). */
#define DFX_CH_DICT_MAX  (512u * 1024 * 1024)

typedef struct {
    dfx_buf_t  *doc;
    int         first;          /* no entry of this map yet */
    int         at_bol;         /* the next byte begins a row */
    size_t      max;
} dfx_ch_dict_ctx_t;

/* JSONEachRow rows become the elements of a JSON array: the newline
 * between two rows turns into a comma. */
static int
dfx_ch_dict_data(void *arg, const char *data, size_t len)
{
    dfx_ch_dict_ctx_t  *x = arg;
    const char         *nl, *end = data + len;

    if (x->doc->len + len + 1 > x->max) {
        return -1;
    }
    while (data < end) {
        if (x->at_bol) {
            if (*data == '\n') {
                data++;
                continue;
            }
            if (*data != '{') {
                /* an error ClickHouse reports while streaming */
                return -1;
            }
            if (!x->first && dfx_buf_putc(x->doc, ',') != 0) {
                return -1;
            }
            x->first = 0;
            x->at_bol = 0;
        }
        nl = memchr(data, '\n', (size_t) (end - data));
        if (nl == NULL) {
            return dfx_buf_append(x->doc, data, (size_t) (end - data));
        }
        if (dfx_buf_append(x->doc, data, (size_t) (nl - data)) != 0) {
            return -1;
        }
        x->at_bol = 1;
        data = nl + 1;
    }
    return 0;
}

static int
dfx_ch_dict_sql(dfx_buf_t *sql, const dfx_ch_map_t *m, const char *db)
{
    int  rc;

    dfx_buf_reset(sql);
    rc = dfx_buf_append_lit(sql, "SELECT ");
    rc |= dfx_buf_append(sql, m->select, strlen(m->select));
    rc |= dfx_buf_append_lit(sql, " FROM ");
    if (!m->deleted) {
        rc |= dfx_buf_append_lit(sql, "(SELECT `id`, arraySort(groupArray("
                                 "(`key`, `value`))) AS `l` FROM ");
    }
    rc |= dfx_ch_quote_ident(sql, db);
    rc |= dfx_buf_putc(sql, '.');
    rc |= dfx_ch_quote_ident(sql, m->table);
    if (m->deleted) {
        rc |= dfx_buf_append_lit(sql, " WHERE `name` NOT LIKE "
                                 "'% (deleted)'");
    } else {
        rc |= dfx_buf_append_lit(sql, " GROUP BY `id`)");
    }
    rc |= dfx_buf_append_lit(sql, " FORMAT JSONEachRow");
    rc |= dfx_buf_putc(sql, '\0');
    if (rc == 0) {
        sql->len--;
    }
    return rc;
}

int
dfx_ch_dict_load(dfx_ch_client_t *c, unsigned org, char *msg, size_t msglen)
{
    dfx_ch_dict_ctx_t  x;
    dfx_buf_t          doc = DFX_BUF_INIT, sql = DFX_BUF_INIT;
    dfx_dict_t        *d = NULL;
    dfx_ch_err_t       rc;
    char               db[32], err[384];
    size_t             i;
    int                ret = -1;

    if (org <= 1) {
        snprintf(db, sizeof(db), "flow_tag");
    } else {
        snprintf(db, sizeof(db), "%04u_flow_tag", org);
    }
    if (dfx_buf_printf(&doc, "{\"version\":%" PRId64, (int64_t) time(NULL))
        != 0)
    {
        goto nomem;
    }
    x.doc = &doc;
    x.max = DFX_CH_DICT_MAX;

    for (i = 0; i < DFX_CH_NMAPS; i++) {
        if (dfx_ch_dict_sql(&sql, &dfx_ch_maps[i], db) != 0
            || dfx_buf_printf(&doc, ",\"%s\":[", dfx_ch_maps[i].member) != 0)
        {
            goto nomem;
        }
        x.first = 1;
        x.at_bol = 1;
        rc = dfx_ch_client_query(c, sql.data, dfx_ch_dict_data, &x, err,
                                 sizeof(err));
        if (rc != DFX_CH_OK) {
            snprintf(msg, msglen, "%s.%s: %s: %s", db, dfx_ch_maps[i].table,
                     dfx_ch_err_names[rc], err);
            goto done;
        }
        if (dfx_buf_putc(&doc, ']') != 0) {
            goto nomem;
        }
    }
    if (dfx_buf_putc(&doc, '}') != 0) {
        goto nomem;
    }

    /* counted by the reader, ok or error */
    d = dfx_dict_parse(doc.data, doc.len, err, sizeof(err));
    if (d == NULL) {
        snprintf(msg, msglen, "%s: %s", db, err);
        dfx_buf_free(&doc);
        dfx_buf_free(&sql);
        return -1;
    }
    snprintf(msg, msglen, "%s: version %" PRIu64 ", %zu entries", db,
             dfx_dict_version(d), dfx_dict_entries(d));
    dfx_dict_publish(d);
    ret = 0;
    goto done;

nomem:
    snprintf(msg, msglen, "%s: out of memory", db);

done:
    if (ret != 0) {
        dfx_stats_add(DFX_STAT_dictionary_loads_total, -1, -1,
                      DFX_REASON_ERROR, 1);
    }
    dfx_buf_free(&doc);
    dfx_buf_free(&sql);
    return ret;
}
