/*
 * dfx_time.h: the "time_str" member of every exported message.
 *
 * DeepFlow writes Go's time.Time.String() of the record's timestamp in the
 * process's time zone (TZ): "2006-01-02 15:04:05.999999 -0700 MST", the
 * fraction without trailing zeros and without the dot when it is zero.
 * The zone's offset and abbreviation are looked up once per thread and
 * per 15-minute bucket, so a record costs only integer arithmetic.
 */
#ifndef DFX_TIME_H
#define DFX_TIME_H

#include <stddef.h>
#include <stdint.h>

/* Room for the longest text dfx_time_str() writes: a 7-character year,
 * the fraction, the offset and an abbreviation of up to 31 bytes. */
#define DFX_TIME_STR_MAX  80

/* Longest zone abbreviation kept; a longer one (only possible with a
 * hand-written POSIX TZ string) is cut there. */
#define DFX_TIME_ZONE_MAX  31

/* Writes the Go form of us (microseconds since the epoch, negative
 * allowed) to out, which holds at least DFX_TIME_STR_MAX bytes; no NUL is
 * written.  Returns the length.  Thread-safe. */
size_t dfx_time_str(int64_t us, char *out);

/* Re-reads TZ (tzset) and makes every thread look its zone up again.
 * The zone is otherwise read once, at the first call. */
void dfx_time_zone_reset(void);

#endif /* DFX_TIME_H */
