/*
 * test_dfx_regex.c: the ceilings on configured regular expressions, and
 * that ordinary patterns still compile and match as POSIX ERE.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "dfx_regex.h"

static void
accepts(const char *pattern, const char *match, const char *nomatch)
{
    regex_t  re;
    char     err[128];

    if (dfx_regex_compile(&re, pattern, REG_EXTENDED | REG_NOSUB, err,
                          sizeof(err)) != 0)
    {
        fail_msg("\"%s\" refused: %s", pattern, err);
    }
    if (match != NULL) {
        assert_int_equal(regexec(&re, match, 0, NULL, 0), 0);
    }
    if (nomatch != NULL) {
        assert_int_equal(regexec(&re, nomatch, 0, NULL, 0), REG_NOMATCH);
    }
    regfree(&re);
}

static void
refuses(const char *pattern, const char *why)
{
    regex_t  re;
    char     err[128];

    if (dfx_regex_compile(&re, pattern, REG_EXTENDED | REG_NOSUB, err,
                          sizeof(err)) == 0)
    {
        regfree(&re);
        fail_msg("\"%s\" accepted", pattern);
    }
    assert_string_equal(err, why);
}

static void
test_ordinary_patterns(void **state)
{
    (void) state;
    accepts("^order-", "order-svc", "my-order-svc");
    accepts("a+b*c?", "aac", "bbb");
    accepts("(ab|cd){2,3}", "abcdab", "abx");
    accepts("x{3}", "xxx", "xx");
    accepts("[]a]+", "]a]", "b");
    accepts("[^]a]", "b", "]]");
    accepts("[[:digit:]]{1,255}", "123", "abc");
    accepts("\\.invalid$", "x.invalid", "xinvalid");
    accepts("deepflow_.*", "my_deepflow_x", "deepflow");
    accepts(".*.*.*", "", NULL);
    accepts("((a|b)(c|d)){10}", "acbdacbdacbdacbdacbd", "ab");
}

static void
test_refused(void **state)
{
    char  big[DFX_REGEX_MAX_LEN + 2];

    (void) state;
    refuses("a+++++++++++++++++++++", "a repetition operator applied to "
            "another at byte 3");
    refuses("a**", "a repetition operator applied to another at byte 3");
    refuses("(ab)*{2}", "a repetition operator applied to another at "
            "byte 6");
    refuses("a{256}", "a repetition bound above 255");
    refuses("a{1,1000}", "a repetition bound above 255");
    refuses("((a{100}){100}){100}", "too large once its repetitions are "
            "expanded (more than 20000 atoms)");
    refuses("(((((((((((((((((((((((((((((((((a)))))))))))))))))))))))))))))"
            "))))", "groups nested deeper than 32");
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    refuses(big, "longer than 1024 bytes");
    /* regcomp's own errors come through */
    refuses("(ab", "Unmatched ( or \\(");
    refuses("[a", "Unmatched [, [^, [:, [., or [=");
    /* a brace that is not a bound is regcomp's to judge */
    refuses("a{", "Unmatched \\{");
}

int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_ordinary_patterns),
        cmocka_unit_test(test_refused),
    };

    return cmocka_run_group_tests_name("dfx_regex", tests, NULL, NULL);
}
