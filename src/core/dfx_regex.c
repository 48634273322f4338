/*
 * dfx_regex.c: the ceilings of dfx_regex.h, checked by one pass over the
 * pattern that follows ERE's structure: escapes and bracket expressions
 * are single atoms, groups add up their atoms, a bound {n,m} multiplies
 * the atom or group before it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dfx_regex.h"

#define DFX_REGEX_MAX_DEPTH  32

/* Offset just past the bracket expression starting at s[i] == '[', or 0
 * when it is not closed (regcomp then says so). */
static size_t
dfx_regex_bracket(const char *s, size_t len, size_t i)
{
    size_t  j = i + 1;

    if (j < len && s[j] == '^') {
        j++;
    }
    if (j < len && s[j] == ']') {
        j++;                    /* a leading ']' is a member */
    }
    while (j < len && s[j] != ']') {
        if (s[j] == '[' && j + 1 < len
            && (s[j + 1] == ':' || s[j + 1] == '=' || s[j + 1] == '.'))
        {
            /* [:class:], [=equiv=], [.coll.] */
            char    end = s[j + 1];
            size_t  k = j + 2;

            while (k + 1 < len && !(s[k] == end && s[k + 1] == ']')) {
                k++;
            }
            if (k + 1 >= len) {
                return 0;
            }
            j = k + 2;
            continue;
        }
        j++;
    }
    return j < len ? j + 1 : 0;
}

int
dfx_regex_check(const char *pattern, char *err, size_t errlen)
{
    uint64_t     weight[DFX_REGEX_MAX_DEPTH + 1];
    uint64_t     last = 0, b;
    const char  *s = pattern;
    size_t       len = strlen(pattern), i = 0, j;
    int          depth = 0, quantified = 0;
    char        *end;
    long         n, m;

    if (len > DFX_REGEX_MAX_LEN) {
        snprintf(err, errlen, "longer than %d bytes", DFX_REGEX_MAX_LEN);
        return -1;
    }
    weight[0] = 0;

    while (i < len) {
        switch (s[i]) {
        case '*':
        case '+':
        case '?':
            if (quantified) {
                snprintf(err, errlen, "a repetition operator applied to "
                         "another at byte %zu", i + 1);
                return -1;
            }
            quantified = 1;
            i++;
            continue;

        case '{':
            if (quantified) {
                snprintf(err, errlen, "a repetition operator applied to "
                         "another at byte %zu", i + 1);
                return -1;
            }
            n = strtol(s + i + 1, &end, 10);
            m = n;
            if (*end == ',') {
                m = (end[1] == '}') ? n : strtol(end + 1, &end, 10);
                if (*end == ',') {
                    end++;
                }
            }
            if (*end != '}' || n < 0 || m < 0) {
                /* not a bound: regcomp judges it */
                break;
            }
            b = (uint64_t) (n > m ? n : m);
            if (b > DFX_REGEX_MAX_BOUND) {
                snprintf(err, errlen, "a repetition bound above %d",
                         DFX_REGEX_MAX_BOUND);
                return -1;
            }
            if (b > 1) {
                weight[depth] += last * (b - 1);
                last *= b;
            }
            quantified = 1;
            i = (size_t) (end - s) + 1;
            goto check;

        case '(':
            if (depth == DFX_REGEX_MAX_DEPTH) {
                snprintf(err, errlen, "groups nested deeper than %d",
                         DFX_REGEX_MAX_DEPTH);
                return -1;
            }
            weight[++depth] = 0;
            last = 0;
            quantified = 0;
            i++;
            continue;

        case ')':
            if (depth > 0) {
                last = weight[depth--];
                weight[depth] += last;
                quantified = 0;
                i++;
                goto check;
            }
            break;

        case '|':
            last = 0;
            quantified = 0;
            i++;
            continue;

        case '[':
            j = dfx_regex_bracket(s, len, i);
            if (j == 0) {
                i = len;        /* unbalanced: regcomp's error */
                continue;
            }
            i = j;
            last = 1;
            weight[depth] += 1;
            quantified = 0;
            goto check;

        case '\\':
            i += (i + 1 < len) ? 2 : 1;
            last = 1;
            weight[depth] += 1;
            quantified = 0;
            goto check;

        default:
            break;
        }

        /* an ordinary character */
        i++;
        last = 1;
        weight[depth] += 1;
        quantified = 0;

    check:
        if (weight[depth] > DFX_REGEX_MAX_WEIGHT || last > DFX_REGEX_MAX_WEIGHT)
        {
            snprintf(err, errlen, "too large once its repetitions are "
                     "expanded (more than %d atoms)", DFX_REGEX_MAX_WEIGHT);
            return -1;
        }
    }
    return 0;
}

int
dfx_regex_compile(regex_t *re, const char *pattern, int cflags, char *err,
                  size_t errlen)
{
    int  rc;

    if (dfx_regex_check(pattern, err, errlen) != 0) {
        return -1;
    }
    rc = regcomp(re, pattern, cflags);
    if (rc != 0) {
        regerror(rc, re, err, errlen);
        return -1;
    }
    return 0;
}
