/*
 * dfx_conf.h: the configuration, as typed values that remember where they
 * came from.
 *
 * The loader parses the YAML file once (libyaml), walks it with key tables
 * (dfx_conf_key_t: name, type, offset, default, bounds, doc) and stores
 * each value together with its file:line:col, so that a later cross-key
 * check can still point at the line.  Keys of the processing modules are
 * declared by the modules themselves (dfx_module_t.keys) and stored in
 * per-module conf structs hanging off the exporter.
 *
 * Every error is reported, in GNU format, before the load fails:
 *   dfexport: FILE:LINE:COL: KEY.PATH: RULE, got "VALUE"
 */
#ifndef DFX_CONF_H
#define DFX_CONF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct dfx_loc_s {
    const char  *file;          /* owned by the dfx_conf_t */
    uint32_t     line;          /* 1-based; 0 = not in the file */
    uint32_t     col;           /* 1-based */
} dfx_loc_t;

/* Present in every value: where it was written and whether it was (a
 * YAML null counts as absent, as in DeepFlow's own file).  When absent,
 * loc is the enclosing mapping (or the key, for a null value), so that a
 * "required" error can still point at a line. */
typedef struct dfx_conf_meta_s {
    dfx_loc_t    loc;
    uint8_t      set;
} dfx_conf_meta_t;

/* meta.set while checks run: written, but already reported as invalid, so
 * a conf_check skips it instead of reporting it again.  A conf returned by
 * dfx_conf_load() never holds one. */
#define DFX_CONF_BAD  2

typedef struct { int64_t  v; dfx_conf_meta_t m; } dfx_conf_int_t;
typedef struct { uint64_t v; dfx_conf_meta_t m; } dfx_conf_size_t;
typedef struct { int      v; dfx_conf_meta_t m; } dfx_conf_bool_t;
typedef struct { int      v; dfx_conf_meta_t m; } dfx_conf_enum_t;
typedef struct { char    *v; dfx_conf_meta_t m; } dfx_conf_str_t;
/* In a loaded conf every dfx_conf_str_t.v is a NUL-terminated string, ""
 * when the key was absent and has no default. */

typedef struct {
    dfx_conf_str_t  *v;
    size_t           n;
    dfx_conf_meta_t  m;
} dfx_conf_strs_t;

/* A sequence of mappings; each element is a struct of elem_size bytes
 * whose first member is a dfx_loc_t. */
typedef struct {
    void            *v;
    size_t           n;
    dfx_conf_meta_t  m;
} dfx_conf_list_t;

/* A free string -> string mapping (librdkafka:, extra-headers:). */
typedef struct {
    dfx_conf_str_t  *keys;
    dfx_conf_str_t  *values;
    size_t           n;
    dfx_conf_meta_t  m;
} dfx_conf_map_t;

typedef enum {
    DFX_CONF_BOOL = 1,   /* dfx_conf_bool_t: true/false */
    DFX_CONF_INT,        /* dfx_conf_int_t: decimal, min..max */
    DFX_CONF_SIZE,       /* dfx_conf_size_t: 123, 64KiB, 64MiB, 1GiB (also k, m, g) */
    DFX_CONF_STR,        /* dfx_conf_str_t: any scalar, as text */
    DFX_CONF_STRS,       /* dfx_conf_strs_t: sequence of scalars */
    DFX_CONF_STR_OR_STRS,/* dfx_conf_strs_t: one scalar or a sequence */
    DFX_CONF_ENUM,       /* dfx_conf_enum_t: index into choices */
    DFX_CONF_TABLE,      /* nested mapping: a struct at offset */
    DFX_CONF_TABLE_LIST, /* dfx_conf_list_t of structs */
    DFX_CONF_MAP,        /* dfx_conf_map_t */
    DFX_CONF_IGNORED,    /* accepted with any shape, not stored */
} dfx_conf_type_t;

typedef struct dfx_conf_key_s dfx_conf_key_t;

struct dfx_conf_key_s {
    const char              *name;
    dfx_conf_type_t          type;
    size_t                   offset;    /* into the struct being filled */
    const char              *def;       /* default, parsed like input; NULL = zero */
    int64_t                  min;       /* INT, SIZE */
    int64_t                  max;       /* INT, SIZE; min == max == 0: unbounded */
    const char *const       *choices;   /* ENUM: NULL-terminated */
    const dfx_conf_key_t    *table;     /* TABLE, TABLE_LIST: {NULL}-terminated */
    size_t                   elem_size; /* TABLE_LIST */
    const char              *doc;       /* one line, for conf/ and doc/ */
    unsigned                 flags;     /* DFX_CONF_KEY_* */
};

/* INT, SIZE: a written 0 means the default (DeepFlow's queue-count,
 * queue-size, batch-size); min..max applies to any other value. */
#define DFX_CONF_KEY_ZERO_DEFAULT  0x01
/* STR: a secret, printed as "<redacted>" by dfx_conf_dump() (-T). */
#define DFX_CONF_KEY_SECRET        0x02

#define DFX_CONF_KEY_END  { NULL, 0, 0, NULL, 0, 0, NULL, NULL, 0, NULL, 0 }

/* Error collection while loading: every problem is reported, then the
 * load fails.  Modules' conf_check hooks report through it. */
typedef struct dfx_conf_ctx_s dfx_conf_ctx_t;

void dfx_conf_error(dfx_conf_ctx_t *cf, const dfx_loc_t *loc,
                    const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void dfx_conf_notice(dfx_conf_ctx_t *cf, const dfx_loc_t *loc,
                     const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The key path of the exporter being checked ("ingester.exporters[2]"),
 * for messages of conf_check hooks. */
const char *dfx_conf_path(const dfx_conf_ctx_t *cf);

/* "Did you mean": feed candidates one by one; the closest is kept when it
 * is close enough to word to be a likely typo (case is ignored). */
typedef struct dfx_conf_suggest_s {
    const char  *word;
    const char  *best;
    unsigned     dist;
} dfx_conf_suggest_t;

void dfx_conf_suggest_init(dfx_conf_suggest_t *sg, const char *word);
void dfx_conf_suggest_add(dfx_conf_suggest_t *sg, const char *candidate);
/* The suggestion, or NULL when no candidate was close. */
const char *dfx_conf_suggest_result(const dfx_conf_suggest_t *sg);

/* ---- the dfexport: block ------------------------------------------ */

typedef enum { DFX_ACK_QUEUED = 0, DFX_ACK_KAFKA } dfx_ack_mode_t;

typedef struct dfx_conf_limits_s {
    dfx_conf_size_t  body;          /* raw request body */
    dfx_conf_size_t  decoded_body;  /* after gzip */
    dfx_conf_size_t  line;          /* one NDJSON line */
    dfx_conf_int_t   records;       /* records in one request */
    dfx_conf_int_t   depth;         /* JSON nesting */
    dfx_conf_int_t   errors;        /* per-record errors in a response */
    dfx_conf_int_t   array_elements; /* elements of one array value */
    dfx_conf_size_t  memory;        /* bodies and records, all requests */
} dfx_conf_limits_t;

typedef struct dfx_conf_logc_s {
    dfx_conf_enum_t  level;         /* dfx_log_level_t */
    dfx_conf_str_t   file;
    dfx_conf_enum_t  format;        /* dfx_log_format_t */
    dfx_conf_bool_t  access;        /* one line per ingest request */
} dfx_conf_logc_t;

/* dfexport.clickhouse: the ClickHouse source (doc/clickhouse.md). */
typedef struct dfx_conf_clickhouse_s {
    dfx_conf_str_t     url;              /* "" = no ClickHouse source */
    dfx_conf_str_t     user;
    dfx_conf_str_t     password;         /* after check: ${ENV} or the
                                          * file's first line */
    dfx_conf_str_t     password_file;
    dfx_conf_str_t     tls_ca_file;
    dfx_conf_strs_t    orgs;
    dfx_conf_strs_t    data_sources;     /* [] = every data source an
                                          * enabled exporter takes */
    dfx_conf_int_t     settle;           /* seconds */
    dfx_conf_int_t     window;           /* seconds */
    dfx_conf_str_t     checkpoint_dir;
    dfx_conf_str_t     start;            /* now | unix seconds | UTC time */
    dfx_conf_int_t     timeout;          /* seconds */
    dfx_conf_int_t     retry_max;        /* seconds */
    dfx_conf_int_t     dictionary_refresh; /* seconds; 0 = off */
    /* filled by the check */
    int64_t            start_ts;         /* -1: now */
    uint16_t           org_ids[16];
    size_t             norgs;
    uint32_t           ds_mask;          /* bit per dfx_ds_id_t; 0: all
                                          * that exporters take */
} dfx_conf_clickhouse_t;

/* dfexport.tls and admin-tls: TLS on a listener (doc/http.md). */
typedef enum {
    DFX_CLIENT_CERT_NONE = 0,
    DFX_CLIENT_CERT_OPTIONAL,
    DFX_CLIENT_CERT_REQUIRED
} dfx_client_cert_t;

typedef struct dfx_conf_tls_s {
    dfx_conf_str_t     cert_file;        /* "" = plain HTTP */
    dfx_conf_str_t     key_file;
    dfx_conf_str_t     client_ca_file;
    dfx_conf_enum_t    client_cert;      /* dfx_client_cert_t */
} dfx_conf_tls_t;

/* dfexport.auth and admin-auth: bearer tokens of a listener. */
typedef struct dfx_conf_auth_s {
    dfx_conf_str_t     tokens_file;      /* SHA-256 hex, one a line */
    dfx_conf_str_t     token;            /* "${NAME}": a plain token */
} dfx_conf_auth_t;

typedef struct dfx_conf_main_s {
    dfx_conf_strs_t    listen;
    dfx_conf_strs_t    admin_listen;
    dfx_conf_int_t     workers;
    dfx_conf_enum_t    ack;              /* dfx_ack_mode_t */
    dfx_conf_int_t     shutdown_timeout; /* seconds */
    dfx_conf_int_t     client_timeout;   /* seconds a client may stall */
    dfx_conf_int_t     header_timeout;   /* seconds: first byte to the
                                          * end of the headers */
    dfx_conf_int_t     request_timeout;  /* seconds: first byte to last */
    dfx_conf_int_t     max_connections;  /* ingest, all workers */
    dfx_conf_limits_t  limits;
    /* paths: relative ones are made relative to the config file's
     * directory by the loader; enum_dir "" becomes "<that dir>/enum" */
    dfx_conf_str_t     dictionary;
    dfx_conf_str_t     enum_dir;
    int                enum_dir_missing; /* "" and neither beside the config
                                          * nor installed (dfx_conf.c) */
    dfx_conf_int_t     embedded_kafka;   /* brokers; 0 = off */
    dfx_conf_logc_t    log;
    dfx_conf_clickhouse_t  clickhouse;
    dfx_conf_tls_t     tls;              /* the ingest listener's */
    dfx_conf_tls_t     admin_tls;
    dfx_conf_auth_t    auth;
    dfx_conf_auth_t    admin_auth;
} dfx_conf_main_t;

/* ---- one ingester.exporters[] element ------------------------------ */

#define DFX_MODULE_MAX  8

typedef enum {
    DFX_SASL_SSL = 0,               /* "SASL_SSL" (the default) */
    DFX_SASL_PLAINTEXT,             /* "SASL_PLAINTEXT" */
} dfx_security_protocol_t;

typedef enum { DFX_SASL_PLAIN = 0 } dfx_sasl_mechanism_t;

typedef struct dfx_conf_sasl_s {
    dfx_conf_bool_t  enabled;
    dfx_conf_enum_t  security_protocol;  /* dfx_security_protocol_t */
    dfx_conf_enum_t  sasl_mechanism;     /* dfx_sasl_mechanism_t */
    dfx_conf_str_t   username;
    dfx_conf_str_t   password;           /* after check: ${ENV} or the
                                          * file's first line */
    dfx_conf_str_t   password_file;
} dfx_conf_sasl_t;

typedef enum {
    DFX_COMPRESSION_SNAPPY = 0,
    DFX_COMPRESSION_NONE,
    DFX_COMPRESSION_GZIP,
    DFX_COMPRESSION_LZ4,
    DFX_COMPRESSION_ZSTD,
} dfx_compression_t;

typedef struct dfx_conf_exporter_s {
    dfx_loc_t        loc;
    unsigned         index;          /* position in ingester.exporters[] */
    dfx_conf_str_t   name;           /* the exporter label; "" = index */
    dfx_conf_str_t   protocol;
    dfx_conf_bool_t  enabled;
    dfx_conf_strs_t  endpoints;
    dfx_conf_strs_t  data_sources;
    dfx_conf_int_t   queue_count;    /* after check: 1..16 (0 -> 4) */
    dfx_conf_int_t   queue_size;     /* after check: records (0 -> 100000) */
    dfx_conf_int_t   batch_size;     /* after check: (0 -> 1024) */
    dfx_conf_int_t   flush_timeout;  /* after check: seconds (0 -> 1) */
    dfx_conf_sasl_t  sasl;
    dfx_conf_str_t   topic;
    dfx_conf_map_t   extra_headers;  /* DeepFlow key; not used by Kafka */
    /* dfexport extensions */
    dfx_conf_enum_t  compression;    /* dfx_compression_t */
    dfx_conf_str_t   key;            /* field whose value is the message key */
    dfx_conf_int_t   message_timeout;/* seconds */
    dfx_conf_str_t   tls_ca_file;
    dfx_conf_str_t   tls_cert_file;
    dfx_conf_str_t   tls_key_file;
    dfx_conf_map_t   librdkafka;     /* passed through to librdkafka */
    /* module confs, in dfx_modules[] order (conf_size bytes each) */
    void            *mconf[DFX_MODULE_MAX];
} dfx_conf_exporter_t;

typedef struct dfx_conf_s {
    char                 *file;
    dfx_conf_main_t       main;
    dfx_conf_exporter_t  *exporters;   /* kafka exporters only */
    size_t                nexporters;
} dfx_conf_t;

/* Loads and checks a configuration file.  Every error and notice is
 * written to err_out (stderr at start-up and for -t, the log on reload)
 * as one line each; returns the conf, or NULL when there was any error.
 * dfx_schema_init() must have been called (data sources and field names
 * are checked against the schemas).  err_out may be NULL. */
dfx_conf_t *dfx_conf_load(const char *file, void (*err_out)(int is_error,
                          const char *line));

/* dfx_conf_load_ex() flags. */
#define DFX_CONF_ENDPOINTS_REPLACED  0x01  /* --embedded-kafka: every
                                            * exporter's endpoints will be
                                            * replaced, none are required */

/* Process-wide (main thread): when on, dfx_conf_load() loads as with
 * DFX_CONF_ENDPOINTS_REPLACED (--embedded-kafka given). */
void dfx_conf_replace_endpoints(int on);

/* dfx_conf_load() with flags; the dfx_conf_replace_endpoints() setting
 * does not apply. */
dfx_conf_t *dfx_conf_load_ex(const char *file, unsigned flags,
                             void (*err_out)(int is_error, const char *line));

/* The same from a buffer (fuzzing, tests); name is used in messages and
 * as conf->file. */
dfx_conf_t *dfx_conf_load_mem(const char *name, const char *data,
                              size_t len, unsigned flags,
                              void (*err_out)(int is_error,
                                              const char *line));

/* A time as dfexport.clickhouse.start and --backfill take it: "now",
 * unix seconds, "YYYY-MM-DD hh:mm:ss" or "YYYY-MM-DDThh:mm:ssZ", both
 * UTC.  Returns the unix time, -1 for "now", -2 when it does not parse. */
int64_t dfx_conf_parse_time(const char *s);

/* The installed enum directory, where an empty dfexport.enum-dir looks
 * when there is no enum/ beside the config file. */
const char *dfx_conf_enum_dir_installed(void);

/* dfexport -T (dfx_conf_dump.c): writes conf as YAML, every key with its
 * value in force, secrets as "<redacted>".  Returns 0 or -1 (write
 * error). */
int dfx_conf_dump(const dfx_conf_t *conf, FILE *out);

/* Frees a conf.  Accepts NULL. */
void dfx_conf_free(dfx_conf_t *conf);

/* The key tables, for documentation tests: every key must be in
 * conf/dfexport.yaml. */
extern const dfx_conf_key_t dfx_conf_main_keys[];
extern const dfx_conf_key_t dfx_conf_exporter_keys[];
extern const dfx_conf_key_t dfx_conf_clickhouse_keys[];

#endif /* DFX_CONF_H */
