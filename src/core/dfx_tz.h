/*
 * dfx_tz.h: time zones from the system's zoneinfo, for reading civil time
 * text (ClickHouse's DateTime "2023-11-15 06:13:20" is wall-clock time in
 * its column's zone) into UTC.
 *
 * A zone is read once from its TZif file (RFC 8536; versions 1 to 4, the
 * 64-bit section when there is one) into a sorted table of transitions,
 * then never changes: lookups need no lock and allocate nothing.  Past
 * the last transition of the file the footer's POSIX TZ string rules: a
 * fixed offset as it is, daylight-saving rules through the year 2299
 * (ClickHouse's DateTime64 ends there), and the offset then in force
 * after that.  A file without a usable footer keeps the offset of its
 * last transition.  No setenv("TZ"), tzset() or mktime(): they share
 * process-wide state.
 */
#ifndef DFX_TZ_H
#define DFX_TZ_H

#include <stddef.h>
#include <stdint.h>

/* The longest zone name accepted ("America/Argentina/ComodRivadavia" is
 * 32 bytes). */
#define DFX_TZ_NAME_MAX  63

/* Where zone files are looked up when $TZDIR is not set. */
#define DFX_TZ_DIR  "/usr/share/zoneinfo"

typedef struct dfx_tz_s  dfx_tz_t;

/* Loads the zone name (e.g. "Asia/Shanghai") from $TZDIR, or DFX_TZ_DIR.
 * NULL is UTC without a file.  A name must be relative, made of letters,
 * digits and "/_+-." without "." or ".." components.  Returns the zone
 * (free with dfx_tz_free), or NULL with err saying why: an unknown zone,
 * a file that is no TZif, a zone with leap seconds ("right/..."), no
 * memory.  Does file I/O: not for a hot path. */
dfx_tz_t *dfx_tz_load(const char *name, char *err, size_t errlen);

/* The same from the bytes of a TZif file (name is only kept). */
dfx_tz_t *dfx_tz_parse(const char *name, const void *data, size_t len,
                       char *err, size_t errlen);

void dfx_tz_free(dfx_tz_t *tz);

/* The name given to dfx_tz_load ("UTC" for NULL). */
const char *dfx_tz_name(const dfx_tz_t *tz);

/* Seconds east of UTC in force at utc (seconds since the epoch). */
int32_t dfx_tz_offset(const dfx_tz_t *tz, int64_t utc);

/*
 * The UTC instant (seconds since the epoch) of a wall-clock time, given
 * as seconds since 1970-01-01 00:00:00 of the civil calendar
 * (dfx_tz_days_from_civil() * 86400 + seconds of the day).  A wall-clock
 * time the zone skipped (a gap: clocks moved forward) or saw twice (an
 * overlap: clocks moved back) is read with the offset in force before the
 * change: in a gap that is the instant the gap's length later than asked
 * ("02:30" in a gap from 02:00 to 03:00 is 03:30 after it), in an overlap
 * the earlier of the two instants (what java.time and Python's fold=0 do).
 * local must be within +-2^62.
 */
int64_t dfx_tz_local_to_utc(const dfx_tz_t *tz, int64_t local);

/* Days from 1970-01-01 to y-m-d of the proleptic Gregorian calendar
 * (negative before); m 1..12, d 1..31 (not checked). */
int64_t dfx_tz_days_from_civil(int64_t y, unsigned m, unsigned d);

/* Days in month m (1..12) of year y. */
unsigned dfx_tz_days_in_month(int64_t y, unsigned m);

#endif /* DFX_TZ_H */
