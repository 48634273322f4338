/*
 * dfx_regex.h: POSIX extended regular expressions from configuration,
 * compiled with a ceiling.
 *
 * glibc's regcomp() builds its automaton by copying repeated
 * subexpressions, so a short pattern such as "a+++++++++++++++++++++" or
 * "((a{100}){100}){100}" can take gigabytes and seconds.  Patterns come
 * from the config (and reach a running daemon on SIGHUP), so they are
 * checked first: at most DFX_REGEX_MAX_LEN bytes, no repetition operator
 * applied to another (undefined in POSIX ERE anyway), bounds {n,m} up to
 * DFX_REGEX_MAX_BOUND, and an estimated size (atoms times the bounds
 * around them) up to DFX_REGEX_MAX_WEIGHT.
 */
#ifndef DFX_REGEX_H
#define DFX_REGEX_H

#include <regex.h>
#include <stddef.h>

#define DFX_REGEX_MAX_LEN     1024
#define DFX_REGEX_MAX_BOUND   255
#define DFX_REGEX_MAX_WEIGHT  20000

/* 0 when pattern is within the ceilings, else -1 with err saying why. */
int dfx_regex_check(const char *pattern, char *err, size_t errlen);

/* dfx_regex_check(), then regcomp(re, pattern, cflags).  Returns 0, or
 * -1 with err saying why (regerror's text for regcomp's own errors); re
 * is only to be regfree()d after 0. */
int dfx_regex_compile(regex_t *re, const char *pattern, int cflags,
                      char *err, size_t errlen);

#endif /* DFX_REGEX_H */
