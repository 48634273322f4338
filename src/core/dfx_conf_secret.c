/*
 * dfx_conf_secret.c: passwords that need not sit in the YAML in clear
 * text (dfexport.clickhouse.password, ingester.exporters[].sasl.password).
 *
 * A password is either written as is, or as "${NAME}" (the whole value,
 * NAME a shell variable name) to read it from the environment, or left
 * out in favour of a password-file whose first line is the password.
 * Giving both, or naming a variable that is not set, is a load error:
 * never an empty password in place of the intended one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dfx_conf_int.h"

/* 1 when s is ${NAME}, with NAME copied out; 0 when it is not that form. */
static int
dfx_conf_env_ref(const char *s, char *name, size_t size)
{
    size_t  n = strlen(s), i;

    if (n < 4 || s[0] != '$' || s[1] != '{' || s[n - 1] != '}'
        || n - 3 >= size)
    {
        return 0;
    }
    for (i = 2; i < n - 1; i++) {
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z')
              || s[i] == '_' || (i > 2 && s[i] >= '0' && s[i] <= '9')))
        {
            return 0;
        }
    }
    memcpy(name, s + 2, n - 3);
    name[n - 3] = '\0';
    return 1;
}

static int
dfx_conf_set_str(dfx_conf_ctx_t *cf, dfx_conf_str_t *s, const char *v,
                 size_t len)
{
    char  *p = malloc(len + 1);

    if (p == NULL) {
        dfx_conf_nomem(cf);
        return -1;
    }
    memcpy(p, v, len);
    p[len] = '\0';
    free(s->v);
    s->v = p;
    return 0;
}

void
dfx_conf_secret(dfx_conf_ctx_t *cf, const char *path, dfx_conf_str_t *pw,
                dfx_conf_str_t *pw_file)
{
    char         name[128], buf[1024];
    const char  *env;
    FILE        *f;
    size_t       n;

    if (pw->m.set == DFX_CONF_BAD || pw_file->m.set == DFX_CONF_BAD) {
        return;
    }
    if (pw->m.set == 1 && pw->v[0] != '\0'
        && pw_file->m.set == 1 && pw_file->v[0] != '\0')
    {
        dfx_conf_error(cf, &pw_file->m.loc, "%s.password-file: give "
                       "password or password-file, not both", path);
        return;
    }
    if (pw->m.set == 1 && dfx_conf_env_ref(pw->v, name, sizeof(name))) {
        env = getenv(name);
        if (env == NULL) {
            dfx_conf_error(cf, &pw->m.loc, "%s.password: the environment "
                           "variable %s is not set", path, name);
            return;
        }
        (void) dfx_conf_set_str(cf, pw, env, strlen(env));
        return;
    }
    if (pw_file->v[0] == '\0') {
        return;
    }
    f = fopen(pw_file->v, "r");
    if (f == NULL) {
        dfx_conf_error(cf, &pw_file->m.loc, "%s.password-file: cannot open "
                       "\"%s\": %s", path, pw_file->v, strerror(errno));
        return;
    }
    if (fgets(buf, sizeof(buf), f) == NULL) {
        buf[0] = '\0';
    }
    fclose(f);
    n = strcspn(buf, "\r\n");
    (void) dfx_conf_set_str(cf, pw, buf, n);
    /* the stack copy of a secret does not outlive the load */
    memset(buf, 0, sizeof(buf));
}
