/*
 * dfx_conf_dump.c: dfexport -T, the effective configuration as YAML.
 *
 * Like nginx -T: every key of the dfexport: block and of each kafka
 * exporter, with the value in force (its default when it was not
 * written, relative paths resolved, DeepFlow's "0 = default" replaced by
 * the number used).  Keys flagged DFX_CONF_KEY_SECRET, and librdkafka
 * properties that hold one, print as "<redacted>"; a password read from a
 * password-file prints as "" beside that file.  The text loads again
 * with -t.  Walks the same key tables as the loader, so a new key cannot
 * be left out.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "dfx_conf_int.h"
#include "dfx_module.h"

#define DFX_CONF_REDACTED  "<redacted>"

static void dfx_conf_dump_table(FILE *out, const dfx_conf_key_t *keys,
                                const void *base, unsigned indent,
                                int *first_dash);

/* A double-quoted YAML scalar: every string is quoted, so that "true",
 * "0" or "~" stay strings. */
static void
dfx_conf_dump_quoted(FILE *out, const char *s)
{
    const unsigned char  *p;

    fputc('"', out);
    for (p = (const unsigned char *) s; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\') {
            fprintf(out, "\\%c", *p);
        } else if (*p < 0x20 || *p == 0x7f) {
            fprintf(out, "\\x%02x", *p);
        } else {
            fputc(*p, out);
        }
    }
    fputc('"', out);
}

/* librdkafka properties that carry a secret (sasl.password,
 * ssl.key.password, ssl.key.pem, sasl.oauthbearer.client.secret...). */
static int
dfx_conf_dump_secret_prop(const char *name)
{
    return strstr(name, "password") != NULL
           || strstr(name, "secret") != NULL
           || strcmp(name, "ssl.key.pem") == 0
           || strcmp(name, "sasl.oauthbearer.config") == 0;
}

/* The indentation of a key; the first key of a list element gets the
 * element's "- " instead of its last two spaces. */
static void
dfx_conf_dump_indent(FILE *out, unsigned indent, int *first_dash)
{
    if (first_dash != NULL && *first_dash) {
        fprintf(out, "%*s- ", (int) indent - 2, "");
        *first_dash = 0;
        return;
    }
    fprintf(out, "%*s", (int) indent, "");
}

static void
dfx_conf_dump_key(FILE *out, const dfx_conf_key_t *key, const void *base,
                  const dfx_conf_key_t *keys, unsigned indent,
                  int *first_dash)
{
    const char             *p = (const char *) base + key->offset;
    const dfx_conf_str_t   *s;
    const dfx_conf_strs_t  *l;
    const dfx_conf_list_t  *tl;
    const dfx_conf_map_t   *mp;
    const dfx_conf_key_t   *k;
    char                    size[32];
    size_t                  i;
    int                     dash, v;

    if (key->type == DFX_CONF_IGNORED) {
        return;
    }
    dfx_conf_dump_indent(out, indent, first_dash);
    fprintf(out, "%s:", key->name);

    switch (key->type) {
    case DFX_CONF_BOOL:
        fprintf(out, " %s\n", ((const dfx_conf_bool_t *) p)->v ? "true"
                                                               : "false");
        break;
    case DFX_CONF_INT:
        fprintf(out, " %" PRId64 "\n", ((const dfx_conf_int_t *) p)->v);
        break;
    case DFX_CONF_SIZE:
        dfx_conf_size_text(((const dfx_conf_size_t *) p)->v, size,
                           sizeof(size));
        fprintf(out, " %s\n", size);
        break;
    case DFX_CONF_ENUM:
        v = ((const dfx_conf_enum_t *) p)->v;
        fputc(' ', out);
        dfx_conf_dump_quoted(out, key->choices[v]);
        fputc('\n', out);
        break;
    case DFX_CONF_STR:
        s = (const dfx_conf_str_t *) p;
        fputc(' ', out);
        if (!(key->flags & DFX_CONF_KEY_SECRET) || s->v[0] == '\0') {
            dfx_conf_dump_quoted(out, s->v);
        } else {
            /* a password that came from its password-file is not
             * written beside it: the text must load again */
            for (k = keys; k->name != NULL; k++) {
                if (k->type == DFX_CONF_STR
                    && strcmp(k->name, "password-file") == 0
                    && ((const dfx_conf_str_t *) ((const char *) base
                                                 + k->offset))->v[0] != '\0')
                {
                    break;
                }
            }
            dfx_conf_dump_quoted(out, k->name != NULL ? ""
                                                      : DFX_CONF_REDACTED);
        }
        fputc('\n', out);
        break;
    case DFX_CONF_STRS:
    case DFX_CONF_STR_OR_STRS:
        l = (const dfx_conf_strs_t *) p;
        fputs(" [", out);
        for (i = 0; i < l->n; i++) {
            if (i > 0) {
                fputs(", ", out);
            }
            dfx_conf_dump_quoted(out, l->v[i].v);
        }
        fputs("]\n", out);
        break;
    case DFX_CONF_MAP:
        mp = (const dfx_conf_map_t *) p;
        fputs(" {", out);
        for (i = 0; i < mp->n; i++) {
            if (i > 0) {
                fputs(", ", out);
            }
            dfx_conf_dump_quoted(out, mp->keys[i].v);
            fputs(": ", out);
            dfx_conf_dump_quoted(out, dfx_conf_dump_secret_prop(
                                          mp->keys[i].v) ? DFX_CONF_REDACTED
                                                         : mp->values[i].v);
        }
        fputs("}\n", out);
        break;
    case DFX_CONF_TABLE:
        fputc('\n', out);
        dfx_conf_dump_table(out, key->table, p, indent + 2, NULL);
        break;
    case DFX_CONF_TABLE_LIST:
        tl = (const dfx_conf_list_t *) p;
        if (tl->n == 0) {
            fputs(" []\n", out);
            break;
        }
        fputc('\n', out);
        for (i = 0; i < tl->n; i++) {
            dash = 1;
            dfx_conf_dump_table(out, key->table,
                                (const char *) tl->v + i * key->elem_size,
                                indent + 4, &dash);
        }
        break;
    default:
        fputs(" null\n", out);
        break;
    }
}

static void
dfx_conf_dump_table(FILE *out, const dfx_conf_key_t *keys, const void *base,
                    unsigned indent, int *first_dash)
{
    const dfx_conf_key_t  *k;

    for (k = keys; k->name != NULL; k++) {
        dfx_conf_dump_key(out, k, base, keys, indent, first_dash);
    }
}

int
dfx_conf_dump(const dfx_conf_t *conf, FILE *out)
{
    const dfx_conf_exporter_t  *ec;
    const dfx_module_t         *m;
    size_t                      i, j;
    int                         dash;

    fprintf(out, "# dfexport -T: the effective configuration of %s\n"
            "# (defaults included, secrets redacted)\n", conf->file);
    fputs("dfexport:\n", out);
    dfx_conf_dump_table(out, dfx_conf_main_keys, &conf->main, 2, NULL);
    fputs("ingester:\n", out);
    if (conf->nexporters == 0) {
        fputs("  exporters: []\n", out);
    } else {
        fputs("  exporters:\n", out);
    }
    for (i = 0; i < conf->nexporters; i++) {
        ec = &conf->exporters[i];
        dash = 1;
        dfx_conf_dump_table(out, dfx_conf_exporter_keys, ec, 4, &dash);
        for (j = 0; dfx_modules[j] != NULL; j++) {
            m = dfx_modules[j];
            if (m->keys != NULL && ec->mconf[j] != NULL) {
                dfx_conf_dump_table(out, m->keys, ec->mconf[j], 4, &dash);
            }
        }
    }
    fflush(out);
    return ferror(out) ? -1 : 0;
}
