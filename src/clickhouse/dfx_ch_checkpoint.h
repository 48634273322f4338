/*
 * dfx_ch_checkpoint.h: where a follower goes on from, on disk.
 *
 * A checkpoint is one line, the unix time (seconds) at which the next
 * window begins: every row before it was acknowledged by Kafka.  It is
 * replaced atomically (temp file, fsync, rename, fsync of the directory),
 * so a crash leaves the old or the new one, never a torn one.
 */
#ifndef DFX_CH_CHECKPOINT_H
#define DFX_CH_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

/* Reads path.  Returns 1 with *t set, 0 when there is no checkpoint, or
 * -1 with err (unreadable, or not a checkpoint: never guessed over). */
int dfx_ch_checkpoint_read(const char *path, int64_t *t, char *err,
                           size_t errlen);

/* Writes t to path atomically.  Returns 0, or -1 with err. */
int dfx_ch_checkpoint_write(const char *path, int64_t t, char *err,
                            size_t errlen);

/* Creates dir (one level) when it does not exist.  Returns 0 or -1 with
 * err. */
int dfx_ch_checkpoint_dir(const char *dir, char *err, size_t errlen);

#endif /* DFX_CH_CHECKPOINT_H */
