/*
 * dfx_test_record.h: records built field by field for the unit tests of
 * the chain and its modules, with every slot absent but the ones set.
 * Header-only: include it after <cmocka.h>.
 */
#ifndef DFX_TEST_RECORD_H
#define DFX_TEST_RECORD_H

#include <arpa/inet.h>
#include <string.h>

#include "dfx_core.h"
#include "dfx_record.h"
#include "dfx_schema.h"

#define T_MAXF  512

typedef struct trec_s {
    dfx_record_t   r;
    dfx_value_t    v[T_MAXF];
    uint8_t        st[T_MAXF];
    dfx_str_t      strs[8];         /* room for one string array */
    double         f64s[8];         /* and one number array */
} trec_t;

static inline const dfx_schema_t *
ds(const char *name)
{
    const dfx_schema_t  *s = dfx_schema_find(name, strlen(name));

    assert_non_null(s);
    assert_true(s->nfields <= T_MAXF);
    return s;
}

static inline void
rec_init(trec_t *t, const dfx_schema_t *s)
{
    assert_true(s->nfields <= T_MAXF);
    memset(t, 0, sizeof(*t));
    t->r.schema = s;
    t->r.v = t->v;
    t->r.state = t->st;
}

static inline unsigned
fld(const dfx_schema_t *s, const char *name)
{
    int  f = dfx_schema_field(s, name, strlen(name));

    if (f < 0) {
        fail_msg("no field %s in %s", name, s->name);
    }
    return (unsigned) f;
}

static inline void
set_u(trec_t *t, const char *name, uint64_t u)
{
    unsigned  f = fld(t->r.schema, name);

    t->v[f].u = u;
    t->st[f] = DFX_SLOT_SET;
}

static inline void
set_i(trec_t *t, const char *name, int64_t i)
{
    unsigned  f = fld(t->r.schema, name);

    t->v[f].i = i;
    t->st[f] = DFX_SLOT_SET;
}

static inline void
set_s(trec_t *t, const char *name, const char *s)
{
    unsigned  f = fld(t->r.schema, name);

    t->v[f].s = dfx_str_cstr(s);
    t->st[f] = DFX_SLOT_SET;
}

static inline void
set_ip4(trec_t *t, const char *name, const char *text)
{
    struct in_addr  a;

    assert_int_equal(inet_pton(AF_INET, text, &a), 1);
    set_u(t, name, ntohl(a.s_addr));
}

static inline void
set_ip6(trec_t *t, const char *name, const char *text)
{
    unsigned  f = fld(t->r.schema, name);

    assert_int_equal(inet_pton(AF_INET6, text, t->v[f].ip6), 1);
    t->st[f] = DFX_SLOT_SET;
}

static inline void
set_null(trec_t *t, const char *name)
{
    t->st[fld(t->r.schema, name)] = DFX_SLOT_NULL;
}

#endif /* DFX_TEST_RECORD_H */
