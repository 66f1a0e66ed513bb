/* Helpers shared by the checker's test programs (included by each; cmocka
 * and cv/engine.h must be included first). */
#ifndef CV_TEST_CHECK_HELPERS_H
#define CV_TEST_CHECK_HELPERS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline cv_problem *load_problem(const char *json)
{
    cv_diag d;
    cv_diag_clear(&d);
    cv_problem *p = NULL;
    cv_status s = cv_problem_from_json(&p, json, strlen(json), &d);
    if (s != CV_OK) fail_msg("test problem refused: %s", d.msg);
    return p;
}

/* Copy of s with the single occurrence of `from` replaced by `to`; a missing
 * or ambiguous anchor fails the test instead of testing nothing. */
static inline char *replace_once(const char *s, const char *from, const char *to)
{
    const char *hit = strstr(s, from);
    if (!hit) fail_msg("anchor not found: %s", from);
    if (strstr(hit + 1, from)) fail_msg("anchor not unique: %s", from);
    size_t a = (size_t)(hit - s), lf = strlen(from), lt = strlen(to), ls = strlen(s);
    char *out = malloc(ls - lf + lt + 1);
    assert_non_null(out);
    memcpy(out, s, a);
    memcpy(out + a, to, lt);
    memcpy(out + a + lt, hit + lf, ls - a - lf + 1);
    return out;
}

static inline char *read_fixture(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", CV_CHECK_FIXTURES, name);
    char *text = NULL;
    size_t len = 0;
    cv_diag d;
    cv_diag_clear(&d);
    if (cv_read_file(path, CV_MAX_INPUT_BYTES, &text, &len, &d) != CV_OK)
        fail_msg("fixture %s: %s", path, d.msg);
    return text;
}

static inline void dump(const cv_check_report *rep)
{
    for (uint32_t i = 0; i < rep->nmessages; i++) fprintf(stderr, "    | %s\n", rep->messages[i]);
}

/* Checks; asserts the counts and that some message contains `expect`.  The
 * report is returned in *out when out is not NULL (caller finis it). */
static inline void check(const char *problem, const char *solution, uint32_t nviol, uint32_t nmis,
                         const char *expect, cv_check_report *out)
{
    cv_problem *p = load_problem(problem);
    cv_check_report rep;
    memset(&rep, 0, sizeof rep);
    cv_diag d;
    cv_diag_clear(&d);
    cv_status s = cv_check_json(p, solution, strlen(solution), &rep, &d);
    if (s != CV_OK) fail_msg("solution refused: %s", d.msg);
    if (rep.nviolations != nviol || rep.nmismatches != nmis) {
        dump(&rep);
        fail_msg("expected %u violations and %u mismatches, got %u and %u", nviol, nmis,
                 rep.nviolations, rep.nmismatches);
    }
    assert_int_equal(rep.nmessages, nviol + nmis);
    if (expect) {
        bool found = false;
        for (uint32_t i = 0; i < rep.nmessages && !found; i++)
            found = strstr(rep.messages[i], expect) != NULL;
        if (!found) {
            dump(&rep);
            fail_msg("no message contains: %s", expect);
        }
    }
    if (out)
        *out = rep;
    else {
        cv_check_report_fini(&rep);
        assert_int_equal(rep.nmessages, 0); /* fini leaves an empty report */
    }
    cv_problem_destroy(p);
}

#endif
