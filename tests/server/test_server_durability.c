/* kill -9 durability: the server runs as a child process (cv_serve, the
 * `carevan serve` entry point); a client saves plans with several requests
 * in flight, the child is killed with SIGKILL in the middle of the writes,
 * restarted on the same --data, and every plan whose save was acknowledged
 * must be there with its content.  Three rounds; the last one ends with
 * SIGTERM, which must stop the server with exit code 0.
 * argv[1]: path of cv_serve. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "client.h"

static const char *serve_path;
static char dir[64], sock[128], data[128];

static pid_t spawn(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        char listen[160];
        snprintf(listen, sizeof listen, "unix:%s", sock);
        execl(serve_path, "serve", "--listen", listen, "--data", data, (char *)NULL);
        _exit(127);
    }
    return pid;
}

static void connect_retry(tclient *c)
{
    for (int i = 0; i < 500; i++) {
        if (tc_connect_unix(c, sock) == 0) return;
        usleep(10000);
    }
    fail_msg("server did not start");
}

static char *save_params(int k)
{
    char *buf = malloc(512);
    snprintf(buf, 512,
             "[{\"date\": \"2026-12-%02d\", \"team\": \"team-%d\", \"plan\": {\"marker\": %d, "
             "\"summary\": {\"cost\": %d, \"routes\": 1, \"unassigned\": 0}, \"routes\": "
             "[{\"vehicle\": %d, \"steps\": [{\"type\": \"job\", \"id\": %d}]}]}}]",
             1 + k % 28, k, k, 1000 + k, k % 7, k);
    return buf;
}

static void test_kill9(void **state)
{
    (void)state;
    unsigned seed = 12345;
    int next = 0;
    bool acked[4000] = {false};
    for (int round = 0; round < 3; round++) {
        pid_t pid = spawn();
        assert_true(pid > 0);
        tclient c;
        connect_retry(&c);
        /* Everything acknowledged so far is there. */
        uint32_t id = 1;
        int checked = 0;
        for (int k = 0; k < next; k++) {
            if (!acked[k]) continue;
            char p[64];
            snprintf(p, sizeof p, "[\"2026-12-%02d\", \"team-%d\"]", 1 + k % 28, k);
            json_t *r = tc_call(&c, id++, "plan.get", p);
            assert_non_null(r);
            if (tc_err_code(r)) fprintf(stderr, "plan %d lost: %s\n", k, tc_err_msg(r));
            assert_null(tc_err_code(r));
            assert_int_equal(json_integer_value(
                                 json_object_get(json_object_get(tc_result(r), "plan"), "marker")),
                             k);
            json_decref(r);
            checked++;
        }
        if (round > 0) assert_true(checked > 0);
        /* Save with up to 8 in flight, kill -9 after a random number of acks. */
        seed = seed * 1103515245u + 12345u;
        int stop_after = 20 + (int)(seed >> 16) % 60;
        int acks = 0, inflight = 0, first = next;
        uint32_t base = 100000;
        while (acks < stop_after) {
            while (inflight < 8 && next < 4000) {
                char *p = save_params(next);
                assert_int_equal(tc_request_json(&c, base + (uint32_t)next, "plan.save", p), 0);
                free(p);
                next++;
                inflight++;
            }
            tmsg m;
            assert_int_equal(tc_next(&c, &m, 10000), 1);
            json_t *j = tc_to_json(m.o);
            tm_free(&m);
            int k = (int)json_integer_value(json_array_get(j, 1)) - (int)base;
            assert_true(k >= first && k < next);
            assert_true(json_is_null(json_array_get(j, 2)));
            acked[k] = true;
            acks++;
            inflight--;
            json_decref(j);
        }
        if (round < 2) {
            kill(pid, SIGKILL);
            int st;
            waitpid(pid, &st, 0);
            assert_true(WIFSIGNALED(st));
        } else {
            /* Graceful stop: replies still in flight are answered, exit 0. */
            kill(pid, SIGTERM);
            int st;
            waitpid(pid, &st, 0);
            assert_true(WIFEXITED(st));
            assert_int_equal(WEXITSTATUS(st), 0);
        }
        tc_close(&c);
    }
    /* Final check after the graceful stop. */
    pid_t pid = spawn();
    tclient c;
    connect_retry(&c);
    json_t *r = tc_call(&c, 1, "plan.list", "[]");
    size_t n = json_array_size(tc_result(r));
    size_t nacked = 0;
    for (int k = 0; k < next; k++) nacked += acked[k];
    assert_true(n >= nacked);
    json_decref(r);
    tc_close(&c);
    kill(pid, SIGTERM);
    int st;
    waitpid(pid, &st, 0);
    assert_int_equal(WEXITSTATUS(st), 0);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_server_durability PATH/cv_serve\n");
        return 2;
    }
    serve_path = argv[1];
    snprintf(dir, sizeof dir, "/tmp/cv_durable_XXXXXX");
    if (!mkdtemp(dir)) return 1;
    snprintf(sock, sizeof sock, "%s/s.sock", dir);
    snprintf(data, sizeof data, "%s/data", dir);
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_kill9)};
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) rc = 1;
    return rc;
}
