/* Load: 50 concurrent connections x 1,000 mixed requests each (200 with
 * CV_TEST_QUICK) against one server, up to 16 requests in flight per
 * connection.  Every response must arrive exactly once, match an
 * outstanding msgid of its connection, and be the right answer for that
 * request (the error messages quote the per-request method name or job id;
 * plan.get returns the stored plan's marker).  Two rounds; without
 * sanitizers the process RSS may not grow by more than 16 MiB between the
 * end of the first and of the second round. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <time.h>

#include "client.h"
#include "cv/server.h"

#define NCONN 50
#define INFLIGHT 16

static cv_server *srv;
static int port;
static int per_conn;

static void *run_thread(void *arg)
{
    cv_server_run(arg);
    return NULL;
}

static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, res = 0;
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &res) != 2) res = 0;
        fclose(f);
    }
    return res * (sysconf(_SC_PAGESIZE) / 1024);
}

typedef struct lconn {
    tclient c;
    int sent, received;
    uint8_t *seen; /* 0 not sent, 1 outstanding, 2 answered */
} lconn;

static void send_one(lconn *l, int ci)
{
    int i = l->sent++;
    uint32_t id = (uint32_t)i;
    char p[96];
    l->seen[i] = 1;
    switch (i % 6) {
    case 0:
        assert_int_equal(tc_request_json(&l->c, id, "health", "[]"), 0);
        break;
    case 1:
        assert_int_equal(tc_request_json(&l->c, id, "version", "[]"), 0);
        break;
    case 2: {
        char m[48];
        snprintf(m, sizeof m, "nope.%d.%d", ci, i);
        assert_int_equal(tc_request_json(&l->c, id, m, "[]"), 0);
        break;
    }
    case 3:
        assert_int_equal(tc_request_json(&l->c, id, "plan.get", "[\"2026-11-23\", \"load\"]"), 0);
        break;
    case 4:
        snprintf(p, sizeof p, "[%d]", 1000000000 + ci * 10000 + i);
        assert_int_equal(tc_request_json(&l->c, id, "job.status", p), 0);
        break;
    default:
        assert_int_equal(tc_request_json(&l->c, id, "stats", "[]"), 0);
        break;
    }
}

static void check_reply(lconn *l, int ci, const msgpack_object *o)
{
    json_t *j = tc_to_json(o);
    assert_true(json_is_array(j) && json_array_size(j) == 4);
    assert_int_equal(json_integer_value(json_array_get(j, 0)), 1);
    json_int_t i = json_integer_value(json_array_get(j, 1));
    assert_true(i >= 0 && i < l->sent);
    assert_int_equal(l->seen[i], 1); /* outstanding, not answered twice */
    l->seen[i] = 2;
    json_t *err = json_array_get(j, 2), *res = json_array_get(j, 3);
    char buf[64];
    switch (i % 6) {
    case 0:
        assert_string_equal(json_string_value(json_object_get(res, "status")), "ok");
        break;
    case 1:
        assert_int_equal(json_integer_value(json_object_get(res, "protocol")), 1);
        break;
    case 2:
        snprintf(buf, sizeof buf, "\"nope.%d.%lld\"", ci, (long long)i);
        assert_string_equal(json_string_value(json_object_get(err, "code")), "unknown_method");
        assert_non_null(strstr(json_string_value(json_object_get(err, "message")), buf));
        break;
    case 3:
        assert_true(json_is_null(err));
        assert_int_equal(
            json_integer_value(json_object_get(json_object_get(res, "plan"), "marker")), 4242);
        break;
    case 4:
        snprintf(buf, sizeof buf, "no job %lld", (long long)(1000000000 + ci * 10000 + i));
        assert_string_equal(json_string_value(json_object_get(err, "code")), "not_found");
        assert_non_null(strstr(json_string_value(json_object_get(err, "message")), buf));
        break;
    default:
        assert_true(json_integer_value(json_object_get(res, "requests")) > 0);
        break;
    }
    json_decref(j);
    l->received++;
}

static void round_trip(void)
{
    static lconn ls[NCONN];
    for (int k = 0; k < NCONN; k++) {
        memset(&ls[k], 0, sizeof ls[k]);
        assert_int_equal(tc_connect_tcp(&ls[k].c, port), 0);
        ls[k].seen = calloc((size_t)per_conn, 1);
    }
    int done = 0;
    double t0 = (double)clock();
    (void)t0;
    while (done < NCONN) {
        struct pollfd pf[NCONN];
        for (int k = 0; k < NCONN; k++) {
            lconn *l = &ls[k];
            while (l->sent < per_conn && l->sent - l->received < INFLIGHT) send_one(l, k);
            pf[k].fd = l->received < per_conn ? l->c.fd : -1;
            pf[k].events = POLLIN;
            pf[k].revents = 0;
        }
        int pr = poll(pf, NCONN, 20000);
        assert_true(pr > 0); /* a reply within 20 s */
        for (int k = 0; k < NCONN; k++) {
            if (!(pf[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            lconn *l = &ls[k];
            msgpack_unpacker_reserve_buffer(&l->c.unp, 65536);
            ssize_t n = recv(l->c.fd, msgpack_unpacker_buffer(&l->c.unp),
                             msgpack_unpacker_buffer_capacity(&l->c.unp), 0);
            assert_true(n > 0);
            msgpack_unpacker_buffer_consumed(&l->c.unp, (size_t)n);
            msgpack_unpacked u;
            msgpack_unpacked_init(&u);
            while (msgpack_unpacker_next(&l->c.unp, &u) == MSGPACK_UNPACK_SUCCESS)
                check_reply(l, k, &u.data);
            msgpack_unpacked_destroy(&u);
            if (l->received == per_conn) done++;
        }
    }
    for (int k = 0; k < NCONN; k++) {
        for (int i = 0; i < per_conn; i++) assert_int_equal(ls[k].seen[i], 2);
        free(ls[k].seen);
        tc_close(&ls[k].c);
    }
}

static void test_load(void **state)
{
    (void)state;
    char dir[64];
    snprintf(dir, sizeof dir, "/tmp/cv_load_XXXXXX");
    assert_non_null(mkdtemp(dir));
    cv_server_config cfg;
    cv_server_config_init(&cfg);
    cfg.listen = "127.0.0.1:0";
    cfg.data_dir = dir;
    cv_diag d;
    cv_diag_clear(&d);
    assert_int_equal(cv_server_create(&srv, &cfg, &d), CV_OK);
    port = cv_server_port(srv);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, run_thread, srv), 0);
    tclient c;
    assert_int_equal(tc_connect_tcp(&c, port), 0);
    json_t *r =
        tc_call(&c, 1, "plan.save",
                "[{\"date\": \"2026-11-23\", \"team\": \"load\", \"plan\": {\"marker\": 4242, "
                "\"routes\": []}}]");
    assert_null(tc_err_code(r));
    json_decref(r);
    per_conn = getenv("CV_TEST_QUICK") ? 200 : 1000;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    round_trip();
    clock_gettime(CLOCK_MONOTONIC, &b);
    long rss1 = rss_kb();
    round_trip();
    long rss2 = rss_kb();
    double secs = (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) * 1e-9;
    printf("load: %d connections x %d requests: %.2f s (%.0f req/s), RSS %ld -> %ld KiB\n", NCONN,
           per_conn, secs, NCONN * per_conn / secs, rss1, rss2);
    r = tc_call(&c, 2, "stats", "[]");
    json_t *res = tc_result(r);
    assert_int_equal(json_integer_value(json_object_get(res, "connections")), 1);
    assert_true(json_integer_value(json_object_get(res, "requests")) >= 2 * NCONN * per_conn);
    json_decref(r);
#if !defined(__SANITIZE_ADDRESS__)
    assert_true(rss2 - rss1 < 16 * 1024);
#endif
    tc_close(&c);
    cv_server_stop(srv);
    pthread_join(th, NULL);
    cv_server_destroy(srv);
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_load)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
