/* Fuzz target for the server's framing and request decoding: the input
 * bytes arrive on an in-memory connection (no socket) in chunks whose sizes
 * the input chooses, through exactly the path of a network read (unpacker
 * buffer -> frame scanner -> msgpack_unpacker_next -> rpc.c -> methods),
 * and every task a request started is drained before the next input.
 * Built as a libFuzzer target with clang (-DCV_FUZZ=ON) and, with any
 * compiler, linked with fuzz_driver.c: seeds plus deterministic mutations
 * for a bounded time (the ctest `server_fuzz`). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static cv_server *srv;

static void cleanup(void)
{
    cv_server_destroy(srv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!srv) {
        cv_server_config cfg;
        cv_server_config_init(&cfg);
        cfg.listen = NULL;
        cfg.workers = 1;
        cfg.max_queued = 2;
        cfg.query_threads = 1;
        cfg.max_message_bytes = 1 << 20;
        cfg.max_string_bytes = 4096;
        cfg.max_time_limit_s = 0.02;
        cfg.max_effort = 2000;
        cfg.keep_jobs = 16;
        cv_diag d;
        cv_diag_clear(&d);
        if (cv_server_create(&srv, &cfg, &d) != CV_OK) abort();
        atexit(cleanup);
    }
    cv__conn *c;
    if (cv__server_conn_create_memory(srv, &c) != CV_OK) abort();
    cv__server_conn_ref(c);
    /* First byte: chunk size (1..256) so that messages split everywhere. */
    size_t chunk = size ? (size_t)data[0] + 1 : 1;
    if (size) data++, size--;
    while (size > 0 && !c->closing) {
        size_t n = size < chunk ? size : chunk;
        cv__server_conn_feed(c, (const char *)data, n);
        data += n;
        size -= n;
    }
    while (cv__server_pool_pending(&srv->solve_pool) || cv__server_pool_pending(&srv->store_pool) ||
           cv__server_pool_pending(&srv->query_pool))
        uv_run(&srv->loop, UV_RUN_ONCE);
    cv__server_conn_close(c);
    cv__server_conn_unref(c);
    return 0;
}
