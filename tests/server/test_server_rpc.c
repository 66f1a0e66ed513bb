/* Protocol tests of the planning server with a raw-socket client
 * (client.h): framing, request/response/notification shapes, errors named,
 * several requests in flight, solve checked by the independent plan
 * checker, jobs (progress, cancel, busy), the plan store, auth and limits.
 * Each test starts its own server on 127.0.0.1 port 0 in a thread and
 * stops it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sys/stat.h>
#include <time.h>

#include "client.h"
#include "cv/engine.h"
#include "cv/server.h"

/* Tests that solve need the solver module (CV_SOLVER_AVAILABLE comes with cv_engine). */
#ifdef CV_SOLVER_AVAILABLE
#define NEED_SOLVER() (void)0
#else
#define NEED_SOLVER() skip()
#endif

typedef struct tserver {
    cv_server *s;
    pthread_t th;
    int port;
    char dir[64];
} tserver;

static void *run_thread(void *arg)
{
    cv_server_run(arg);
    return NULL;
}

static void start(tserver *t, cv_server_config *cfg)
{
    cv_diag d;
    cv_diag_clear(&d);
    cfg->listen = "127.0.0.1:0";
    cv_status s = cv_server_create(&t->s, cfg, &d);
    if (s != CV_OK) fprintf(stderr, "create: %s\n", d.msg);
    assert_int_equal(s, CV_OK);
    t->port = cv_server_port(t->s);
    assert_true(t->port > 0);
    assert_int_equal(pthread_create(&t->th, NULL, run_thread, t->s), 0);
}

static void stop(tserver *t)
{
    cv_server_stop(t->s);
    pthread_join(t->th, NULL);
    cv_server_destroy(t->s);
}

static void connect_to(tclient *c, tserver *t)
{
    assert_int_equal(tc_connect_tcp(c, t->port), 0);
}

static void test_basic_methods(void **state)
{
    (void)state;
    tserver t;
    cv_server_config cfg;
    cv_server_config_init(&cfg);
    start(&t, &cfg);
    tclient c;
    connect_to(&c, &t);
    json_t *r = tc_call(&c, 7, "health", "[]");
    assert_non_null(r);
    assert_null(tc_err_code(r));
    assert_string_equal(json_string_value(json_object_get(tc_result(r), "status")), "ok");
    json_decref(r);
    r = tc_call(&c, 8, "version", "[]");
    assert_int_equal(json_integer_value(json_object_get(tc_result(r), "protocol")), 1);
    json_decref(r);
    /* Several requests in one write; each reply matches its msgid. */
    assert_int_equal(tc_request_json(&c, 30, "health", "[]"), 0);
    assert_int_equal(tc_request_json(&c, 31, "nope", "[]"), 0);
    assert_int_equal(tc_request_json(&c, 32, "stats", "[]"), 0);
    r = tc_wait(&c, 30, NULL, 5000);
    assert_null(tc_err_code(r));
    json_decref(r);
    r = tc_wait(&c, 31, NULL, 5000);
    assert_string_equal(tc_err_code(r), "unknown_method");
    assert_non_null(strstr(tc_err_msg(r), "\"nope\""));
    json_decref(r);
    r = tc_wait(&c, 32, NULL, 5000);
    assert_true(json_integer_value(json_object_get(tc_result(r), "requests")) >= 4);
    json_decref(r);
    tc_close(&c);
    stop(&t);
}

/* A readable message that is not a request gets an error naming the problem. */
static void test_bad_requests(void **state)
{
    (void)state;
    tserver t;
    cv_server_config cfg;
    cv_server_config_init(&cfg);
    start(&t, &cfg);
    tclient c;
    connect_to(&c, &t);
    struct {
        const char *bytes;
        size_t len;
        const char *expect;
    } cases[] = {
        {"\x2a", 1, "expected an array"},                              /* 42 */
        {"\x93\x01\x01\xa1x", 5, "type must be 0"},                    /* [1,1,"x"] */
        {"\x94\x00\xff\xa6health\x90", 11, "msgid must be"},           /* msgid -1 */
        {"\x94\x00\x05\x07\x90", 5, "method must be a string"},        /* method 7 */
        {"\x94\x00\x06\xa6health\x80", 11, "params must be an array"}, /* params {} */
        {"\x92\x00\x01", 3, "array of size < 3"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(tc_write(&c, cases[i].bytes, cases[i].len), 0);
        tmsg m;
        assert_int_equal(tc_next(&c, &m, 5000), 1);
        json_t *j = tc_to_json(m.o);
        tm_free(&m);
        char *txt = json_dumps(j, JSON_COMPACT);
        if (!strstr(txt, cases[i].expect)) fprintf(stderr, "case %zu: %s\n", i, txt);
        assert_non_null(strstr(txt, cases[i].expect));
        free(txt);
        json_decref(j);
    }
    /* Parameters with the wrong types name the field. */
    json_t *r = tc_call(&c, 40, "job.status", "[\"x\"]");
    assert_string_equal(tc_err_code(r), "invalid_params");
    json_decref(r);
    r = tc_call(&c, 41, "solve", "[{\"jobs\": 3}]");
    assert_string_equal(tc_err_code(r), "invalid_params");
    assert_non_null(strstr(tc_err_msg(r), "params[0]"));
    json_decref(r);
    r = tc_call(&c, 42, "solve", "[{}, {\"speed\": 1}]");
    assert_non_null(strstr(tc_err_msg(r), "unknown option \"speed\""));
    json_decref(r);
    r = tc_call(&c, 43, "plan.list", "[]");
    assert_string_equal(tc_err_code(r), "unavailable");
    json_decref(r);
    /* Still alive after all that. */
    r = tc_call(&c, 44, "health", "[]");
    assert_null(tc_err_code(r));
    json_decref(r);
    tc_close(&c);
    stop(&t);
}

/* Unreadable streams: one rpc.error notification, then the connection closes. */
static void expect_dropped(tserver *t, const void *bytes, size_t len, const char *expect)
{
    tclient c;
    connect_to(&c, t);
    assert_int_equal(tc_write(&c, bytes, len), 0);
    tmsg m;
    assert_int_equal(tc_next(&c, &m, 5000), 1);
    json_t *j = tc_to_json(m.o);
    tm_free(&m);
    char *txt = json_dumps(j, JSON_COMPACT);
    if (!strstr(txt, expect)) fprintf(stderr, "dropped: %s (expected %s)\n", txt, expect);
    assert_non_null(strstr(txt, "rpc.error"));
    assert_non_null(strstr(txt, expect));
    free(txt);
    json_decref(j);
    assert_int_equal(tc_next(&c, &m, 5000), -1); /* closed */
    tm_free(&m);
    tc_close(&c);
}

static void test_limits(void **state)
{
    (void)state;
    tserver t;
    cv_server_config cfg;
    cv_server_config_init(&cfg);
    cfg.max_message_bytes = 1 << 16;
    cfg.max_string_bytes = 1000;
    cfg.max_depth = 8;
    /* The malformed streams get a generous idle timeout: under a loaded
     * machine (ASan, parallel builds) a 72 KB write can take longer than a
     * short timeout, and the drop would then name the timeout instead. */
    cfg.idle_timeout_s = 60;
    start(&t, &cfg);
    expect_dropped(&t, "\xc1", 1, "0xc1");
    expect_dropped(&t, "\xdd\xff\xff\xff\xff", 5, "declares 4294967295 elements");
    /* 20,000 nils fit in 64 KiB but exceed 65536/4 objects. */
    char nils[20003];
    nils[0] = (char)0xdc, nils[1] = (char)0x4e, nils[2] = (char)0x20;
    memset(nils + 3, 0xc0, 20000);
    expect_dropped(&t, nils, sizeof nils, "more than 16384 objects");
    expect_dropped(&t, "\xdb\x00\x01\x00\x00", 5, "string of 65536 bytes");
    expect_dropped(&t, "\x91\x91\x91\x91\x91\x91\x91\x91\x91\x91", 10, "nesting deeper than 8");
    /* A message growing past the size limit. */
    size_t n = 3 + 80 * 903; /* array16 of 80 strings of 900 bytes: 72 KB */
    char *big = malloc(n);
    big[0] = (char)0xdc, big[1] = 0x00, big[2] = 0x50;
    for (size_t k = 0; k < 80; k++) {
        char *e = big + 3 + k * 903;
        e[0] = (char)0xda, e[1] = 0x03, e[2] = (char)0x84;
        memset(e + 3, 'a', 900);
    }
    expect_dropped(&t, big, n, "larger than the limit");
    free(big);
    tclient s;
    connect_to(&s, &t);
    json_t *r = tc_call(&s, 1, "stats", "[]");
    assert_int_equal(json_integer_value(json_object_get(tc_result(r), "dropped_malformed")), 6);
    json_decref(r);
    tc_close(&s);
    stop(&t);
    /* Timing limits on a second server with a short idle timeout. */
    cfg.idle_timeout_s = 0.3;
    start(&t, &cfg);
    /* A slow sender: half a message, then silence. */
    expect_dropped(&t, "\x94\x00", 2, "message not completed in time");
    expect_dropped(&t, "", 0, "idle timeout");
    /* The server is fine afterwards, and waiting for a solve longer than
     * the idle timeout is not idleness. */
    tclient c;
    connect_to(&c, &t);
#ifdef CV_SOLVER_AVAILABLE
    char *prob = tc_problem_json(30, 0);
    size_t pn = strlen(prob) + 96;
    char *params = malloc(pn);
    snprintf(params, pn, "[%s, {\"time_limit\": 0.8, \"effort\": 1000000000000000}]", prob);
    json_t *sr = tc_call(&c, 2, "solve", params);
    assert_non_null(sr);
    assert_null(tc_err_code(sr));
    json_decref(sr);
    free(params);
    free(prob);
#endif
    r = tc_call(&c, 1, "stats", "[]");
    assert_int_equal(json_integer_value(json_object_get(tc_result(r), "dropped_idle")), 2);
    json_decref(r);
    tc_close(&c);
    stop(&t);
}

/* solve: the plan is valid according to the independent checker. */
static void test_solve_checked(void **state)
{
    (void)state;
    NEED_SOLVER();
    tserver t;
    cv_server_config cfg;
    cv_server_config_init(&cfg);
    start(&t, &cfg);
    tclient c;
    connect_to(&c, &t);
    char *prob = tc_problem_json(20, 1);
    size_t n = strlen(prob) + 64;
    char *params = malloc(n);
    snprintf(params, n, "[%s, {\"effort\": 20000, \"seed\": 3}]", prob);
    json_t *r = tc_call(&c, 5, "solve", params);
    assert_non_null(r);
    if (tc_err_code(r)) fprintf(stderr, "solve: %s\n", tc_err_msg(r));
    assert_null(tc_err_code(r));
    char *sol = json_dumps(tc_result(r), JSON_COMPACT);
    cv_problem *p = NULL;
    cv_diag d;
    cv_diag_clear(&d);
    assert_int_equal(cv_problem_from_json(&p, prob, strlen(prob), &d), CV_OK);
    cv_check_report rep;
    memset(&rep, 0, sizeof rep);
    assert_int_equal(cv_check_json(p, sol, strlen(sol), &rep, &d), CV_OK);
    assert_int_equal(rep.nviolations + rep.nmismatches, 0);
    assert_int_equal(rep.assigned, 20);
    cv_check_report_fini(&rep);
    cv_problem_destroy(p);
    free(sol);
    json_decref(r);
    /* Binary values in a problem are refused with their path. */
    const char bin[] = "\x94\x00\x09\xa5solve\x91\x81\xa4jobs\xc4\x01x";
    assert_int_equal(tc_write(&c, bin, sizeof bin - 1), 0);
    r = tc_wait(&c, 9, NULL, 5000);
    assert_string_equal(tc_err_code(r), "invalid_params");
    assert_non_null(strstr(tc_err_msg(r), "params[0].jobs: binary"));
    json_decref(r);
    free(params);
    free(prob);
    tc_close(&c);
    stop(&t);
}

static char *job_params(int n, const char *opts)
{
    char *prob = tc_problem_json(n, 1);
    size_t len = strlen(prob) + strlen(opts) + 8;
    char *params = malloc(len);
    snprintf(params, len, "[%s, %s]", prob, opts);
    free(prob);
    return params;
}

/* Jobs: progress notifications, result, cancel of a queued job, busy. */
static void test_jobs(void **state)
{
    (void)state;
    NEED_SOLVER();
    tserver t;
    cv_server_config cfg;
    cv_server_config_init(&cfg);
    cfg.workers = 1;
    cfg.max_queued = 1;
    cfg.progress_interval_s = 0.05;
    start(&t, &cfg);
    tclient c;
    connect_to(&c, &t);
    /* A job that runs about a second (time limit), one queued, one refused. */
    char *longp = job_params(60, "{\"time_limit\": 1.0, \"effort\": 1000000000000000}");
    char *shortp = job_params(10, "{\"effort\": 1000}");
    json_t *r = tc_call(&c, 1, "job.submit", longp);
    assert_null(tc_err_code(r));
    json_int_t j1 = json_integer_value(json_object_get(tc_result(r), "job"));
    json_decref(r);
    r = tc_call(&c, 2, "job.submit", shortp);
    assert_null(tc_err_code(r));
    json_int_t j2 = json_integer_value(json_object_get(tc_result(r), "job"));
    json_decref(r);
    r = tc_call(&c, 3, "job.submit", shortp);
    assert_string_equal(tc_err_code(r), "busy");
    json_decref(r);
    r = tc_call(&c, 4, "solve", shortp);
    assert_string_equal(tc_err_code(r), "busy");
    json_decref(r);
    /* Cancel the queued one: it never runs. */
    char idp[32];
    snprintf(idp, sizeof idp, "[%lld]", (long long)j2);
    r = tc_call(&c, 5, "job.cancel", idp);
    assert_string_equal(json_string_value(json_object_get(tc_result(r), "state")), "canceled");
    json_decref(r);
    r = tc_call(&c, 6, "job.result", idp);
    assert_string_equal(tc_err_code(r), "canceled");
    json_decref(r);
    /* Result of the long one: not ready, then ready; notifications seen. */
    snprintf(idp, sizeof idp, "[%lld]", (long long)j1);
    r = tc_call(&c, 7, "job.result", idp);
    assert_string_equal(tc_err_code(r), "not_ready");
    json_decref(r);
    json_t *notes = json_array();
    bool finished = false;
    for (int i = 0; i < 400 && !finished; i++) {
        tmsg m;
        int got = tc_next(&c, &m, 50);
        if (got == 1) {
            json_t *j = tc_to_json(m.o);
            if (json_integer_value(json_array_get(j, 0)) == 2) {
                assert_string_equal(json_string_value(json_array_get(j, 1)), "job.progress");
                json_t *p = json_array_get(json_array_get(j, 2), 0);
                assert_int_equal(json_integer_value(json_object_get(p, "job")), j1);
                json_array_append(notes, p);
                const char *st = json_string_value(json_object_get(p, "state"));
                if (!strcmp(st, "done")) finished = true;
            }
            json_decref(j);
        }
        tm_free(&m);
    }
    assert_true(finished);
    assert_true(json_array_size(notes) >= 3);
    /* Progress carried the search's best figures while running. */
    bool saw_cost_running = false;
    for (size_t i = 0; i < json_array_size(notes); i++) {
        json_t *p = json_array_get(notes, i);
        if (!strcmp(json_string_value(json_object_get(p, "state")), "running") &&
            json_object_get(p, "cost"))
            saw_cost_running = true;
    }
    assert_true(saw_cost_running);
    json_decref(notes);
    r = tc_call(&c, 8, "job.result", idp);
    assert_null(tc_err_code(r));
    assert_int_equal(json_array_size(json_object_get(tc_result(r), "unassigned")), 0);
    json_decref(r);
    r = tc_call(&c, 9, "job.status", "[99999]");
    assert_string_equal(tc_err_code(r), "not_found");
    json_decref(r);
    free(longp);
    free(shortp);
    tc_close(&c);
    stop(&t);
}

/* Cancel of a running job: reported canceled at once, result discarded. */
static void test_cancel_running(void **state)
{
    (void)state;
    NEED_SOLVER();
    tserver t;
    cv_server_config cfg;
    cv_server_config_init(&cfg);
    cfg.workers = 1;
    start(&t, &cfg);
    tclient c;
    connect_to(&c, &t);
    /* 30 s of search: only a cancel that reaches the solver ends it within the wait below. */
    char *longp = job_params(60, "{\"time_limit\": 30, \"effort\": 1000000000000000}");
    json_t *r = tc_call(&c, 1, "job.submit", longp);
    json_int_t id = json_integer_value(json_object_get(tc_result(r), "job"));
    json_decref(r);
    char idp[32];
    snprintf(idp, sizeof idp, "[%lld]", (long long)id);
    for (int i = 0; i < 100; i++) { /* wait until it runs */
        r = tc_call(&c, 2, "job.status", idp);
        bool running =
            !strcmp(json_string_value(json_object_get(tc_result(r), "state")), "running");
        json_decref(r);
        if (running) break;
        usleep(10000);
    }
    r = tc_call(&c, 3, "job.cancel", idp);
    assert_string_equal(json_string_value(json_object_get(tc_result(r), "state")), "canceled");
    json_decref(r);
    r = tc_call(&c, 4, "job.result", idp);
    assert_string_equal(tc_err_code(r), "canceled");
    json_decref(r);
    /* The solver stops at its next iteration; then the job counts as canceled, not done. */
    json_int_t canceled = 0, done = -1;
    for (int i = 0; i < 200 && canceled == 0; i++) {
        r = tc_call(&c, 5, "stats", "[]");
        canceled = json_integer_value(json_object_get(tc_result(r), "jobs_canceled"));
        done = json_integer_value(json_object_get(tc_result(r), "jobs_done"));
        json_decref(r);
        if (canceled == 0) usleep(50000);
    }
    assert_int_equal(canceled, 1);
    assert_int_equal(done, 0);
    free(longp);
    tc_close(&c);
    stop(&t);
}

static void make_tmpdir(char *buf, size_t n)
{
    snprintf(buf, n, "/tmp/cv_server_test_XXXXXX");
    assert_non_null(mkdtemp(buf));
}

static void rm_rf(const char *dir)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* Plans: save, get, list, route; job results survive a restart. */
static void test_store(void **state)
{
    (void)state;
    NEED_SOLVER();
    char dir[64];
    make_tmpdir(dir, sizeof dir);
    tserver t;
    cv_server_config cfg;
    cv_server_config_init(&cfg);
    cfg.data_dir = dir;
    start(&t, &cfg);
    tclient c;
    connect_to(&c, &t);
    char *prob = tc_problem_json(8, 0);
    size_t n = strlen(prob) + 64;
    char *params = malloc(n);
    snprintf(params, n, "[%s, {\"effort\": 5000}]", prob);
    json_t *r = tc_call(&c, 1, "solve", params);
    assert_null(tc_err_code(r));
    json_t *plan = json_incref(tc_result(r));
    json_decref(r);
    json_t *save =
        json_pack("[{s:s,s:s,s:O}]", "date", "2026-11-23", "team", "north", "plan", plan);
    char *savep = json_dumps(save, JSON_COMPACT);
    r = tc_call(&c, 2, "plan.save", savep);
    assert_null(tc_err_code(r));
    assert_int_equal(json_integer_value(json_object_get(tc_result(r), "revision")), 1);
    json_decref(r);
    r = tc_call(&c, 3, "plan.save", savep);
    assert_int_equal(json_integer_value(json_object_get(tc_result(r), "revision")), 2);
    json_decref(r);
    r = tc_call(&c, 4, "plan.get", "[\"2026-11-23\", \"north\"]");
    assert_null(tc_err_code(r));
    assert_true(json_equal(json_object_get(tc_result(r), "plan"), plan));
    json_decref(r);
    r = tc_call(&c, 5, "plan.get", "[\"2026-11-24\", \"north\"]");
    assert_string_equal(tc_err_code(r), "not_found");
    json_decref(r);
    r = tc_call(&c, 6, "plan.get", "[\"2026-13-01\", \"north\"]");
    assert_string_equal(tc_err_code(r), "invalid_params");
    json_decref(r);
    r = tc_call(&c, 7, "plan.list", "[{\"date\": \"2026-11-23\"}]");
    assert_int_equal(json_array_size(tc_result(r)), 1);
    json_t *row = json_array_get(tc_result(r), 0);
    assert_string_equal(json_string_value(json_object_get(row, "team")), "north");
    assert_int_equal(json_integer_value(json_object_get(row, "cost")),
                     json_integer_value(json_object_get(json_object_get(plan, "summary"), "cost")));
    json_decref(r);
    json_int_t veh = json_integer_value(
        json_object_get(json_array_get(json_object_get(plan, "routes"), 0), "vehicle"));
    char rp[96];
    snprintf(rp, sizeof rp, "[\"2026-11-23\", \"north\", %lld]", (long long)veh);
    r = tc_call(&c, 8, "plan.route", rp);
    assert_null(tc_err_code(r));
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(tc_result(r), "route"), "vehicle")),
        veh);
    json_decref(r);
    r = tc_call(&c, 9, "plan.route", "[\"2026-11-23\", \"north\", 777]");
    assert_string_equal(tc_err_code(r), "not_found");
    json_decref(r);
    /* A finished job is found after a restart. */
    r = tc_call(&c, 10, "job.submit", params);
    json_int_t id = json_integer_value(json_object_get(tc_result(r), "job"));
    json_decref(r);
    char idp[32];
    snprintf(idp, sizeof idp, "[%lld]", (long long)id);
    for (int i = 0; i < 500; i++) {
        r = tc_call(&c, 11, "job.status", idp);
        bool done = !strcmp(json_string_value(json_object_get(tc_result(r), "state")), "done");
        json_decref(r);
        if (done) break;
        usleep(10000);
    }
    tc_close(&c);
    stop(&t);
    start(&t, &cfg);
    connect_to(&c, &t);
    r = tc_call(&c, 12, "job.result", idp);
    assert_null(tc_err_code(r));
    assert_non_null(json_object_get(tc_result(r), "routes"));
    json_decref(r);
    r = tc_call(&c, 13, "job.submit", params); /* ids continue after the stored ones */
    assert_true(json_integer_value(json_object_get(tc_result(r), "job")) > id);
    json_decref(r);
    r = tc_call(&c, 14, "plan.get", "[\"2026-11-23\", \"north\"]");
    assert_int_equal(json_integer_value(json_object_get(tc_result(r), "revision")), 2);
    json_decref(r);
    tc_close(&c);
    stop(&t);
    json_decref(save);
    free(savep);
    json_decref(plan);
    free(params);
    free(prob);
    rm_rf(dir);
}

/* Graceful stop with work in flight: the queued solve is answered
 * shutting_down, the running job finishes and its result is in the store
 * after a restart. */
static void test_stop_with_jobs(void **state)
{
    (void)state;
    NEED_SOLVER();
    char dir[64];
    make_tmpdir(dir, sizeof dir);
    tserver t;
    cv_server_config cfg;
    cv_server_config_init(&cfg);
    cfg.workers = 1;
    cfg.data_dir = dir;
    start(&t, &cfg);
    tclient c;
    connect_to(&c, &t);
    char *longp = job_params(40, "{\"time_limit\": 0.5, \"effort\": 1000000000000000}");
    json_t *r = tc_call(&c, 1, "job.submit", longp);
    json_int_t id = json_integer_value(json_object_get(tc_result(r), "job"));
    json_decref(r);
    assert_int_equal(tc_request_json(&c, 2, "solve", longp), 0); /* waits behind the job */
    usleep(100000);
    cv_server_stop(t.s);
    r = tc_wait(&c, 2, NULL, 10000);
    assert_non_null(r);
    assert_string_equal(tc_err_code(r), "shutting_down");
    json_decref(r);
    pthread_join(t.th, NULL);
    cv_server_destroy(t.s);
    tc_close(&c);
    start(&t, &cfg);
    connect_to(&c, &t);
    char idp[32];
    snprintf(idp, sizeof idp, "[%lld]", (long long)id);
    r = tc_call(&c, 3, "job.result", idp);
    assert_null(tc_err_code(r));
    assert_int_equal(json_array_size(json_object_get(tc_result(r), "unassigned")), 0);
    json_decref(r);
    r = tc_call(&c, 4, "job.status", idp);
    assert_string_equal(json_string_value(json_object_get(tc_result(r), "state")), "done");
    assert_true(json_is_true(json_object_get(tc_result(r), "stored")));
    json_decref(r);
    tc_close(&c);
    stop(&t);
    free(longp);
    rm_rf(dir);
}

static void write_file(const char *path, const char *text, int mode)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    chmod(path, (mode_t)mode);
}

static void test_auth(void **state)
{
    (void)state;
    char dir[64], tokens[128];
    make_tmpdir(dir, sizeof dir);
    snprintf(tokens, sizeof tokens, "%s/tokens", dir);
    const char *text = "# carevan tokens\n"
                       "coord-0123456789abcdef coordinator\n"
                       "van100-0123456789abcdef operator 100\n";
    write_file(tokens, text, 0644);
    cv_server_config cfg;
    cv_server_config_init(&cfg);
    cfg.auth_file = tokens;
    cfg.data_dir = dir;
    cfg.listen = "127.0.0.1:0";
    cv_server *s = NULL;
    cv_diag d;
    cv_diag_clear(&d);
    assert_int_equal(cv_server_create(&s, &cfg, &d), CV_EINVAL);
    assert_non_null(strstr(d.msg, "chmod 600"));
    const struct {
        const char *text;
        const char *expect;
    } bad[] = {
        {"short coordinator\n", "16..256 characters"},
        {"coord-0123456789abcdef admin\n", "role must be"},
        {"coord-0123456789abcdef operator x1\n", "not a non-negative integer"},
        {"coord-0123456789abcdef coordinator\ncoord-0123456789abcdef coordinator\n", "repeated"},
        {"# nothing\n", "no tokens"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_file(tokens, bad[i].text, 0600);
        cv_diag_clear(&d);
        assert_int_equal(cv_server_create(&s, &cfg, &d), CV_EINVAL);
        if (!strstr(d.msg, bad[i].expect)) fprintf(stderr, "%s\n", d.msg);
        assert_non_null(strstr(d.msg, bad[i].expect));
    }
    write_file(tokens, text, 0600);
    tserver t;
    start(&t, &cfg);
    /* Coordinator saves a plan with routes for vehicles 100 and 101. */
    tclient c;
    connect_to(&c, &t);
    json_t *r = tc_call(&c, 1, "version", "[]");
    assert_string_equal(tc_err_code(r), "forbidden");
    assert_non_null(strstr(tc_err_msg(r), "auth"));
    json_decref(r);
    r = tc_call(&c, 2, "health", "[]"); /* allowed before auth */
    assert_null(tc_err_code(r));
    json_decref(r);
    r = tc_call(&c, 3, "auth", "[\"coord-0123456789abcdeX\"]");
    assert_string_equal(tc_err_code(r), "forbidden");
    json_decref(r);
    r = tc_call(&c, 4, "auth", "[\"coord-0123456789abcdef\"]");
    assert_string_equal(json_string_value(json_object_get(tc_result(r), "role")), "coordinator");
    json_decref(r);
    const char *plan =
        "[{\"date\": \"2026-11-23\", \"team\": \"t\", \"plan\": {\"summary\": {\"cost\": 5}, "
        "\"routes\": [{\"vehicle\": 100, \"steps\": [{\"type\": \"start\"}, {\"type\": \"job\", "
        "\"id\": 1}]}, {\"vehicle\": 101, \"steps\": [{\"type\": \"job\", \"id\": 2}]}]}}]";
    r = tc_call(&c, 5, "plan.save", plan);
    assert_null(tc_err_code(r));
    json_decref(r);
    tc_close(&c);
    /* Operator of vehicle 100. */
    connect_to(&c, &t);
    r = tc_call(&c, 1, "auth", "[\"van100-0123456789abcdef\"]");
    assert_string_equal(json_string_value(json_object_get(tc_result(r), "role")), "operator");
    assert_int_equal(json_integer_value(json_object_get(tc_result(r), "vehicle")), 100);
    json_decref(r);
    r = tc_call(&c, 2, "plan.route", "[\"2026-11-23\", \"t\", 100]");
    assert_null(tc_err_code(r));
    json_t *steps = json_object_get(json_object_get(tc_result(r), "route"), "steps");
    assert_int_equal(json_array_size(steps), 2);
    json_decref(r);
    r = tc_call(&c, 3, "plan.route", "[\"2026-11-23\", \"t\", 101]");
    assert_string_equal(tc_err_code(r), "forbidden");
    json_decref(r);
    const char *denied[] = {"plan.get",   "plan.list", "plan.save", "solve", "job.submit",
                            "job.status", "stats",     "version",   "route", "matrix"};
    for (size_t i = 0; i < sizeof denied / sizeof denied[0]; i++) {
        r = tc_call(&c, 10 + (uint32_t)i, denied[i], "[]");
        assert_string_equal(tc_err_code(r), "forbidden");
        json_decref(r);
    }
    tc_close(&c);
    stop(&t);
    rm_rf(dir);
}

static void test_max_connections_and_stop(void **state)
{
    (void)state;
    tserver t;
    cv_server_config cfg;
    cv_server_config_init(&cfg);
    cfg.max_connections = 2;
    start(&t, &cfg);
    tclient a, b, c;
    connect_to(&a, &t);
    connect_to(&b, &t);
    json_t *r = tc_call(&a, 1, "health", "[]");
    json_decref(r);
    r = tc_call(&b, 1, "health", "[]");
    json_decref(r);
    connect_to(&c, &t);
    tmsg m;
    assert_int_equal(tc_next(&c, &m, 5000), 1);
    json_t *j = tc_to_json(m.o);
    tm_free(&m);
    char *txt = json_dumps(j, JSON_COMPACT);
    assert_non_null(strstr(txt, "too many connections"));
    free(txt);
    json_decref(j);
    tc_close(&c);
    /* Graceful stop with clients still connected: they are told and closed. */
    cv_server_stop(t.s);
    assert_int_equal(tc_next(&a, &m, 5000), 1);
    tm_free(&m);
    assert_int_equal(tc_next(&a, &m, 5000), -1);
    tm_free(&m);
    pthread_join(t.th, NULL);
    cv_server_destroy(t.s);
    tc_close(&a);
    tc_close(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic_methods), cmocka_unit_test(test_bad_requests),
        cmocka_unit_test(test_limits),        cmocka_unit_test(test_solve_checked),
        cmocka_unit_test(test_jobs),          cmocka_unit_test(test_cancel_running),
        cmocka_unit_test(test_store),         cmocka_unit_test(test_stop_with_jobs),
        cmocka_unit_test(test_auth),          cmocka_unit_test(test_max_connections_and_stop),
    };
    if (getenv("CV_TEST_FILTER")) cmocka_set_test_filter(getenv("CV_TEST_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
