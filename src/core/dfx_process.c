/*
 * dfx_process.c: dfexport_build_info and the process metrics of
 * dfx_process.def, read when /metrics or /stats is scraped.
 *
 * /proc reads are in-memory and happen once per scrape on the admin
 * listener, never per ingest request.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "dfx_process.h"
#include "dfx_stats.h"
#include "dfx_version.h"

typedef enum {
#define DFX_PROC(name, type, labels, help)  DFX_PROC_##name,
#include "dfx_process.def"
#undef DFX_PROC
    DFX_PROC_COUNT
} dfx_proc_id_t;

typedef struct dfx_proc_desc_s {
    const char  *name;
    const char  *type;
    const char  *help;
} dfx_proc_desc_t;

static const dfx_proc_desc_t  dfx_proc_descs[DFX_PROC_COUNT] = {
#define DFX_PROC_COUNTER  "counter"
#define DFX_PROC_GAUGE    "gauge"
#define DFX_PROC(name, type, labels, help)  { #name, DFX_PROC_##type, help },
#include "dfx_process.def"
#undef DFX_PROC
};

/* build_info's labels: written once by main before any thread starts */
static dfx_version_lib_t  dfx_versions[DFX_VERSION_NLIBS];
static size_t             dfx_nversions;

void
dfx_process_set_versions(const dfx_version_lib_t *libs, size_t n)
{
    if (n > DFX_VERSION_NLIBS) {
        n = DFX_VERSION_NLIBS;
    }
    memcpy(dfx_versions, libs, n * sizeof(*libs));
    dfx_nversions = n;
}

/* The labels of build_info: the versions given, or dfexport's alone. */
static size_t
dfx_process_versions(const dfx_version_lib_t **libs)
{
    static const dfx_version_lib_t  own = {
        "version", "dfexport", PACKAGE_VERSION
    };

    if (dfx_nversions == 0) {
        *libs = &own;
        return 1;
    }
    *libs = dfx_versions;
    return dfx_nversions;
}

/* The fields of /proc/self/stat after "(comm)": field N of proc(5) is
 * f[N - 3]. */
#define DFX_STAT_UTIME      (14 - 3)
#define DFX_STAT_STIME      (15 - 3)
#define DFX_STAT_STARTTIME  (22 - 3)
#define DFX_STAT_RSS        (24 - 3)
#define DFX_STAT_NFIELDS    (24 - 2)

static int
dfx_read_file(const char *path, char *buf, size_t size)
{
    FILE    *f = fopen(path, "r");
    size_t   n;

    if (f == NULL) {
        return -1;
    }
    n = fread(buf, 1, size - 1, f);
    fclose(f);
    buf[n] = '\0';
    return n > 0 ? 0 : -1;
}

/* The boot time, unix seconds, from /proc/stat; -1 when unknown. */
static long long
dfx_boot_time(void)
{
    char        buf[8192];
    const char  *p;

    if (dfx_read_file("/proc/stat", buf, sizeof(buf)) != 0) {
        return -1;
    }
    p = strstr(buf, "\nbtime ");
    return p != NULL ? strtoll(p + 7, NULL, 10) : -1;
}

static int64_t
dfx_count_fds(void)
{
    DIR            *d = opendir("/proc/self/fd");
    struct dirent  *de;
    int64_t         n = 0;

    if (d == NULL) {
        return -1;
    }
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] != '.') {
            n++;
        }
    }
    closedir(d);
    /* the directory being read is one of them */
    return n > 0 ? n - 1 : 0;
}

void
dfx_process_read(dfx_process_t *p)
{
    char                buf[1024];
    unsigned long long  f[DFX_STAT_NFIELDS];
    char               *s, *end;
    long                tck = sysconf(_SC_CLK_TCK);
    long                page = sysconf(_SC_PAGESIZE);
    long long           boot;
    int                 i;

    p->cpu_seconds = -1;
    p->rss_bytes = -1;
    p->start_time = -1;
    p->open_fds = dfx_count_fds();

    if (tck <= 0 || dfx_read_file("/proc/self/stat", buf, sizeof(buf)) != 0)
    {
        return;
    }
    /* the command name may hold spaces and parentheses: skip to the last
     * ')' */
    s = strrchr(buf, ')');
    if (s == NULL || s[1] != ' ') {
        return;
    }
    s += 2;
    /* field 3 (state) is a letter; the rest are numbers */
    f[0] = 0;
    s = strchr(s, ' ');
    for (i = 1; s != NULL && i < DFX_STAT_NFIELDS; i++) {
        f[i] = strtoull(s + 1, &end, 10);
        if (end == s + 1) {
            return;
        }
        s = end;
    }
    if (i < DFX_STAT_NFIELDS) {
        return;
    }

    p->cpu_seconds = (double) (f[DFX_STAT_UTIME] + f[DFX_STAT_STIME])
                     / (double) tck;
    if (page > 0) {
        p->rss_bytes = (int64_t) f[DFX_STAT_RSS] * page;
    }
    boot = dfx_boot_time();
    if (boot > 0) {
        p->start_time = (double) boot
                        + (double) f[DFX_STAT_STARTTIME] / (double) tck;
    }
}

static int
dfx_prom_head(dfx_buf_t *out, dfx_proc_id_t id)
{
    const dfx_proc_desc_t  *d = &dfx_proc_descs[id];

    return dfx_buf_printf(out, "# HELP dfexport_%s %s\n# TYPE dfexport_%s %s\n",
                          d->name, d->help, d->name, d->type);
}

int
dfx_process_prometheus(dfx_buf_t *out)
{
    const dfx_version_lib_t  *libs;
    dfx_process_t             p;
    size_t                    i, n;
    int                       rc = 0;

    n = dfx_process_versions(&libs);
    rc |= dfx_prom_head(out, DFX_PROC_build_info);
    rc |= dfx_buf_printf(out, "dfexport_build_info{");
    for (i = 0; i < n; i++) {
        rc |= dfx_stats_prom_label(out, i == 0 ? "" : ",", libs[i].name,
                                    libs[i].version);
    }
    rc |= dfx_buf_printf(out, "} 1\n");

    dfx_process_read(&p);
    if (p.cpu_seconds >= 0) {
        rc |= dfx_prom_head(out, DFX_PROC_process_cpu_seconds_total);
        rc |= dfx_buf_printf(out, "dfexport_process_cpu_seconds_total %.2f\n",
                             p.cpu_seconds);
    }
    if (p.rss_bytes >= 0) {
        rc |= dfx_prom_head(out, DFX_PROC_process_resident_memory_bytes);
        rc |= dfx_buf_printf(out, "dfexport_process_resident_memory_bytes "
                             "%lld\n", (long long) p.rss_bytes);
    }
    if (p.open_fds >= 0) {
        rc |= dfx_prom_head(out, DFX_PROC_process_open_fds);
        rc |= dfx_buf_printf(out, "dfexport_process_open_fds %lld\n",
                             (long long) p.open_fds);
    }
    if (p.start_time >= 0) {
        rc |= dfx_prom_head(out, DFX_PROC_process_start_time_seconds);
        rc |= dfx_buf_printf(out, "dfexport_process_start_time_seconds "
                             "%.2f\n", p.start_time);
    }
    return rc != 0 ? -1 : 0;
}

int
dfx_process_json(dfx_buf_t *out)
{
    const dfx_version_lib_t  *libs;
    dfx_process_t             p;
    size_t                    i, n;
    int                       rc = 0;

    n = dfx_process_versions(&libs);
    rc |= dfx_buf_printf(out, ",\"build_info\":{");
    for (i = 0; i < n; i++) {
        rc |= dfx_buf_printf(out, "%s", i ? "," : "");
        rc |= dfx_buf_json_str(out, libs[i].name, strlen(libs[i].name));
        rc |= dfx_buf_putc(out, ':');
        rc |= dfx_buf_json_str(out, libs[i].version,
                               strlen(libs[i].version));
    }
    rc |= dfx_buf_putc(out, '}');

    dfx_process_read(&p);
    if (p.cpu_seconds >= 0) {
        rc |= dfx_buf_printf(out, ",\"process_cpu_seconds_total\":%.2f",
                             p.cpu_seconds);
    }
    if (p.rss_bytes >= 0) {
        rc |= dfx_buf_printf(out, ",\"process_resident_memory_bytes\":%lld",
                             (long long) p.rss_bytes);
    }
    if (p.open_fds >= 0) {
        rc |= dfx_buf_printf(out, ",\"process_open_fds\":%lld",
                             (long long) p.open_fds);
    }
    if (p.start_time >= 0) {
        rc |= dfx_buf_printf(out, ",\"process_start_time_seconds\":%.2f",
                             p.start_time);
    }
    return rc != 0 ? -1 : 0;
}
