/* The running day over RPC (server/rpc_live.c): a saved plan goes live,
 * events and an urgent visit change it, a subscriber gets route.changed for
 * its vehicle only, bad calls get errors naming the field, and after kill -9
 * the restarted server resumes the day where it was.
 * argv[1]: path of cv_serve. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "client.h"
#include "rpc_expect.h"

static const char *serve_path;
static char dir[64], sock[128], data[128];

static pid_t spawn_auth(const char *tokens)
{
    pid_t pid = fork();
    if (pid == 0) {
        char listen[160];
        snprintf(listen, sizeof listen, "unix:%s", sock);
        if (tokens)
            execl(serve_path, "serve", "--listen", listen, "--data", data, "--auth", tokens,
                  (char *)NULL);
        else
            execl(serve_path, "serve", "--listen", listen, "--data", data, (char *)NULL);
        _exit(127);
    }
    return pid;
}

static pid_t spawn(void)
{
    return spawn_auth(NULL);
}

static void connect_retry(tclient *c)
{
    for (int i = 0; i < 500; i++) {
        if (tc_connect_unix(c, sock) == 0) return;
        usleep(10000);
    }
    fail_msg("server did not start");
}

static const char *problem =
    "{\"vehicles\": ["
    " {\"id\": 1, \"start_index\": 0, \"end_index\": 0, \"skills\": [1], \"time_window\": [0, "
    "20000]},"
    " {\"id\": 2, \"start_index\": 0, \"end_index\": 0, \"skills\": [1, 2], \"time_window\": [0, "
    "20000]}],"
    " \"jobs\": ["
    " {\"id\": 10, \"location_index\": 1, \"service\": 600, \"skills\": [1]},"
    " {\"id\": 11, \"location_index\": 2, \"service\": 600, \"skills\": [1]},"
    " {\"id\": 12, \"location_index\": 3, \"service\": 600, \"skills\": [2]},"
    " {\"id\": 13, \"location_index\": 4, \"service\": 600, \"skills\": [1]}],"
    " \"matrices\": {\"car\": {\"durations\": ["
    "  [0, 300, 600, 900, 1200, 1500], [300, 0, 300, 600, 900, 1200],"
    "  [600, 300, 0, 300, 600, 900], [900, 600, 300, 0, 300, 600],"
    "  [1200, 900, 600, 300, 0, 300], [1500, 1200, 900, 600, 300, 0]]}}}";

static const char *plan =
    "{\"routes\": [{\"vehicle\": 1, \"steps\": [{\"type\": \"start\"}, {\"type\": \"job\", \"id\": "
    "10}, {\"type\": \"job\", \"id\": 11}, {\"type\": \"end\"}]},"
    " {\"vehicle\": 2, \"steps\": [{\"type\": \"start\"}, {\"type\": \"job\", \"id\": 12}, "
    "{\"type\": \"job\", \"id\": 13}, {\"type\": \"end\"}]}]}";

#define DT "\"date\": \"2026-12-03\", \"team\": \"north\""

/* The vehicle's step for a job in a live state. */
static json_t *step_of(json_t *state, int vehicle, int job)
{
    json_t *v, *s;
    size_t i, k;
    json_array_foreach(json_object_get(state, "vehicles"), i, v)
    {
        if (json_integer_value(json_object_get(v, "id")) != vehicle) continue;
        json_array_foreach(json_object_get(v, "steps"), k,
                           s) if (json_integer_value(json_object_get(s, "id")) == job) return s;
    }
    return NULL;
}

static void test_live_day(void **state)
{
    (void)state;
    pid_t pid = spawn();
    tclient a, b;
    connect_retry(&a);
    connect_retry(&b);
    char *params = malloc(strlen(problem) + strlen(plan) + 256);
    sprintf(params, "[{" DT ", \"plan\": %s, \"problem\": %s}]", plan, problem);
    json_decref(ok_call(&a, 1, "plan.save", params));
    free(params);
    err_call(&a, 2, "visit.start", "[{" DT ", \"time\": 300, \"vehicle\": 1, \"job\": 10}]",
             "not_found", "not live (call live.start)");
    json_t *r = ok_call(&a, 3, "live.start", "[{" DT ", \"time\": 0}]");
    assert_int_equal(json_array_size(json_object_get(tc_result(r), "vehicles")), 2);
    json_decref(r);
    /* b follows vehicle 1 only. */
    json_decref(ok_call(&b, 1, "route.subscribe", "[{" DT ", \"vehicle\": 1}]"));
    json_decref(
        ok_call(&a, 4, "visit.start", "[{" DT ", \"time\": 300, \"vehicle\": 1, \"job\": 10}]"));
    json_decref(
        ok_call(&a, 5, "visit.start", "[{" DT ", \"time\": 900, \"vehicle\": 2, \"job\": 12}]"));
    json_t *notes = json_array();
    assert_int_equal(tc_request_json(&b, 2, "health", "[]"), 0);
    json_decref(tc_wait(&b, 2, notes, 10000));
    /* One route.changed (vehicle 1's start); vehicle 2's change is not b's. */
    assert_int_equal(json_array_size(notes), 1);
    json_t *n = json_array_get(notes, 0);
    assert_string_equal(json_string_value(json_array_get(n, 0)), "route.changed");
    json_t *np = json_array_get(json_array_get(n, 1), 0);
    assert_int_equal(json_array_size(json_object_get(np, "vehicles")), 1);
    assert_int_equal(json_integer_value(
                         json_object_get(json_array_get(json_object_get(np, "vehicles"), 0), "id")),
                     1);
    json_decref(notes);
    /* Errors name the field. */
    err_call(&a, 6, "visit.done", "[{" DT ", \"time\": 950, \"vehicle\": 1, \"job\": 11}]",
             "invalid_params", "job 11 is not in progress");
    err_call(&a, 7, "visit.start", "[{" DT ", \"vehicle\": 1, \"job\": 11}]", "invalid_params",
             "params[0].time: required");
    err_call(&a, 8, "vehicle.position", "[{" DT ", \"time\": 950, \"vehicle\": 1}]",
             "invalid_params", "params[0].location_index");
    err_call(&a, 9, "plan.insert_urgent",
             "[{" DT ", \"time\": 950, \"id\": 50, \"location_index\": 5}]", "invalid_params",
             "params[0].deadline: required");
    err_call(&a, 10, "visit.start",
             "[{\"date\": \"2026-12-04\", \"team\": \"north\", \"time\": "
             "950, \"vehicle\": 1, \"job\": 11}]",
             "not_found", "not live");
    /* The same date check as plan.save: a date that cannot exist is a bad
     * parameter, not a day that is merely not live. */
    err_call(&a, 15, "visit.start",
             "[{\"date\": \"2026-13-04\", \"team\": \"north\", \"time\": "
             "950, \"vehicle\": 1, \"job\": 11}]",
             "invalid_params", "params[0].date: \"2026-13-04\" is not a date YYYY-MM-DD");
    err_call(&a, 16, "route.subscribe", "[{\"date\": \"12/03/2026\", \"team\": \"north\"}]",
             "invalid_params", "params[0].date: \"12/03/2026\" is not a date");
    err_call(&a, 13, "plan.insert_urgent",
             "[{" DT ", \"time\": 950, \"id\": 50, \"location_index\": 5, \"deadline\": 900, "
             "\"margin\": 900}]",
             "invalid_params", "params[0].margin: 900 s leaves no time before the deadline");
    err_call(&a, 14, "plan.insert_urgent",
             "[{" DT ", \"time\": 950, \"id\": 50, \"location_index\": 5, \"deadline\": 900, "
             "\"forbidden_vehicles\": [77]}]",
             "invalid_params", "params[0].forbidden_vehicles[0]: no vehicle 77");
    /* An urgent visit: inserted, the answer says by whom and when; the
     * default safety margin (a third of 30 min) is kept in hand. */
    r = ok_call(&a, 11, "plan.insert_urgent",
                "[{" DT ", \"time\": 1000, \"id\": 50, \"location_index\": 5, \"service\": 600, "
                "\"deadline\": 1800}]");
    json_t *o = tc_result(r);
    assert_string_equal(json_string_value(json_object_get(o, "method")), "inserted");
    assert_int_equal(json_integer_value(json_object_get(o, "changed")), 0);
    assert_int_equal(json_integer_value(json_object_get(o, "margin")), 600);
    assert_true(json_integer_value(json_object_get(o, "arrival")) <= 2800 - 600);
    json_decref(r);
    r = ok_call(&a, 12, "live.get", "[{" DT "}]");
    char *before = json_dumps(tc_result(r), JSON_SORT_KEYS);
    json_decref(r);
    tc_close(&a);
    tc_close(&b);
    /* kill -9 mid-day: the restarted server resumes the same day. */
    kill(pid, SIGKILL);
    int st;
    waitpid(pid, &st, 0);
    pid = spawn();
    connect_retry(&a);
    r = ok_call(&a, 1, "live.get", "[{" DT "}]");
    char *after = json_dumps(tc_result(r), JSON_SORT_KEYS);
    assert_string_equal(before, after);
    json_t *s10 = step_of(tc_result(r), 1, 10);
    assert_string_equal(json_string_value(json_object_get(s10, "status")), "started");
    assert_int_equal(json_integer_value(json_object_get(s10, "start")), 300);
    json_decref(r);
    free(before);
    free(after);
    json_decref(
        ok_call(&a, 2, "visit.done", "[{" DT ", \"time\": 1100, \"vehicle\": 1, \"job\": 10}]"));
    r = ok_call(&a, 3, "plan.reoptimize", "[{" DT ", \"time\": 1200, \"effort\": 20000}]");
    assert_string_equal(json_string_value(json_object_get(tc_result(r), "method")), "replanned");
    json_decref(r);
    r = ok_call(&a, 4, "live.get", "[{" DT "}]");
    s10 = step_of(tc_result(r), 1, 10);
    assert_string_equal(json_string_value(json_object_get(s10, "status")), "done");
    assert_int_equal(json_integer_value(json_object_get(s10, "end")), 1100);
    json_decref(r);
    tc_close(&a);
    kill(pid, SIGTERM);
    waitpid(pid, &st, 0);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
}

/* A carer's token acts for its own vehicle only. */
static void test_live_operator(void **state)
{
    (void)state;
    char tokens[160];
    snprintf(tokens, sizeof tokens, "%s/tokens", dir);
    FILE *f = fopen(tokens, "w");
    assert_non_null(f);
    fputs("coord-0123456789abcdef coordinator\nvan1-0123456789abcdef operator 1\n", f);
    fclose(f);
    assert_int_equal(chmod(tokens, 0600), 0);
    pid_t pid = spawn_auth(tokens);
    tclient a, o;
    connect_retry(&a);
    connect_retry(&o);
    json_decref(ok_call(&a, 1, "auth", "[\"coord-0123456789abcdef\"]"));
    json_decref(ok_call(&o, 1, "auth", "[\"van1-0123456789abcdef\"]"));
    /* A fresh day (the first test left this date live: start over). */
    json_decref(ok_call(&a, 2, "live.start", "[{" DT ", \"restart\": true}]"));
    json_decref(
        ok_call(&o, 2, "visit.start", "[{" DT ", \"time\": 300, \"vehicle\": 1, \"job\": 10}]"));
    err_call(&o, 3, "visit.start", "[{" DT ", \"time\": 900, \"vehicle\": 2, \"job\": 12}]",
             "forbidden", "acts only for vehicle 1");
    err_call(&o, 4, "plan.insert_urgent",
             "[{" DT ", \"time\": 950, \"id\": 50, \"location_index\": 5, \"deadline\": 900}]",
             "forbidden", "not allowed for the operator role");
    err_call(&o, 5, "route.subscribe", "[{" DT "}]", "forbidden", "only vehicle 1");
    json_decref(ok_call(&o, 6, "route.subscribe", "[{" DT ", \"vehicle\": 1}]"));
    json_t *r = ok_call(&o, 7, "live.get", "[{" DT "}]");
    json_t *vs = json_object_get(tc_result(r), "vehicles");
    assert_int_equal(json_array_size(vs), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(vs, 0), "id")), 1);
    json_decref(r);
    tc_close(&a);
    tc_close(&o);
    kill(pid, SIGTERM);
    int st;
    waitpid(pid, &st, 0);
    assert_int_equal(WEXITSTATUS(st), 0);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_server_live PATH/cv_serve\n");
        return 2;
    }
    serve_path = argv[1];
    snprintf(dir, sizeof dir, "/tmp/cv_live_XXXXXX");
    if (!mkdtemp(dir)) return 1;
    snprintf(sock, sizeof sock, "%s/s.sock", dir);
    snprintf(data, sizeof data, "%s/data", dir);
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_live_day),
                                       cmocka_unit_test(test_live_operator)};
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) rc = 1;
    return rc;
}
