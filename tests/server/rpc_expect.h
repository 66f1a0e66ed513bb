/* Calls that must succeed or must fail, for the server tests (client.h's
 * tc_call with cmocka assertions; client.h itself stays free of cmocka, the
 * benchmark uses it).  Include after <cmocka.h> and "client.h". */
#ifndef CV_TESTS_SERVER_RPC_EXPECT_H
#define CV_TESTS_SERVER_RPC_EXPECT_H

#include <stdio.h>
#include <string.h>

/* The response of a call that must succeed (the error is printed when not);
 * the caller frees it. */
static __attribute__((unused)) json_t *ok_call(tclient *c, uint32_t id, const char *method,
                                               const char *params)
{
    json_t *r = tc_call(c, id, method, params);
    assert_non_null(r);
    if (tc_err_code(r)) fprintf(stderr, "%s: %s: %s\n", method, tc_err_code(r), tc_err_msg(r));
    assert_null(tc_err_code(r));
    return r;
}

/* A call that must fail with error code and a message containing needle. */
static __attribute__((unused)) void err_call(tclient *c, uint32_t id, const char *method,
                                             const char *params, const char *code,
                                             const char *needle)
{
    json_t *r = tc_call(c, id, method, params);
    assert_non_null(r);
    assert_non_null(tc_err_code(r));
    if (strcmp(tc_err_code(r), code) || !strstr(tc_err_msg(r), needle))
        fprintf(stderr, "%s: got %s \"%s\", want %s \"%s\"\n", method, tc_err_code(r),
                tc_err_msg(r), code, needle);
    assert_string_equal(tc_err_code(r), code);
    assert_non_null(strstr(tc_err_msg(r), needle));
    json_decref(r);
}

#endif
