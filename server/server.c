/* The server object: configuration, listening (TCP or Unix socket), the
 * event loop, signals and the graceful stop.
 *
 * Stop sequence (cv_server_stop, SIGTERM, SIGINT): close the listener;
 * cancel queued jobs (their `solve` callers get `shutting_down`); let
 * running solves, graph queries and store writes finish (every
 * acknowledged write is committed, finished job results are stored); then
 * close every connection once its replies are written, close the store
 * (SQLite checkpoints the WAL) and leave the loop.  The tick timer drives
 * progress notifications and re-checks the stop condition. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server_int.h"
#ifdef CV_GRAPH_AVAILABLE
#include "cv/graph.h"
#endif

void cv_server_config_init(cv_server_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->listen = "127.0.0.1:7700";
    cfg->workers = 2;
    cfg->max_queued = 16;
    cfg->query_threads = 2;
    cfg->max_connections = 256;
    cfg->max_message_bytes = (size_t)64 << 20;
    cfg->max_string_bytes = (size_t)1 << 20;
    cfg->max_depth = CV__MAX_DEPTH;
    cfg->idle_timeout_s = 60;
    cfg->progress_interval_s = 0.5;
    cfg->max_time_limit_s = 600;
    cfg->keep_jobs = 1000;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void on_connection(uv_stream_t *listener, int status)
{
    cv_server *s = listener->data;
    if (status < 0) return;
    if (cv__server_conn_accept(s, listener) != CV_OK && s->cfg.verbose)
        cv_log(1, "carevan serve: accept failed\n");
}

/* Binds "HOST:PORT", "[V6]:PORT" or "unix:PATH". */
static cv_status bind_listener(cv_server *s, cv_diag *diag)
{
    const char *l = s->listen;
    int rc;
    if (!strncmp(l, "unix:", 5)) {
        const char *path = l + 5;
        if (!*path) return cv_diag_set(diag, "--listen %s: empty socket path", l);
        if ((rc = uv_pipe_init(&s->loop, &s->listener.pipe, 0)) != 0)
            return cv_diag_set(diag, "--listen %s: %s", l, uv_strerror(rc));
        s->listener_open = true;
        unlink(path); /* a stale socket from a killed server */
        if ((rc = uv_pipe_bind(&s->listener.pipe, path)) != 0)
            return cv_diag_set(diag, "--listen %s: %s", l, uv_strerror(rc));
        s->port = -1;
    } else {
        char host[256];
        const char *colon = strrchr(l, ':');
        if (!colon || colon == l || (size_t)(colon - l) >= sizeof host)
            return cv_diag_set(diag, "--listen %s: expected HOST:PORT or unix:PATH", l);
        memcpy(host, l, (size_t)(colon - l));
        host[colon - l] = 0;
        char *end;
        long port = strtol(colon + 1, &end, 10);
        if (*end || colon[1] == 0 || port < 0 || port > 65535)
            return cv_diag_set(diag, "--listen %s: port must be 0..65535", l);
        struct sockaddr_storage addr;
        size_t hl = strlen(host);
        if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
            host[hl - 1] = 0;
            rc = uv_ip6_addr(host + 1, (int)port, (struct sockaddr_in6 *)&addr);
        } else {
            rc = uv_ip4_addr(host, (int)port, (struct sockaddr_in *)&addr);
        }
        if (rc != 0)
            return cv_diag_set(diag, "--listen %s: \"%s\" is not a numeric IP address", l, host);
        if ((rc = uv_tcp_init(&s->loop, &s->listener.tcp)) != 0)
            return cv_diag_set(diag, "--listen %s: %s", l, uv_strerror(rc));
        s->listener_open = true;
        if ((rc = uv_tcp_bind(&s->listener.tcp, (struct sockaddr *)&addr, 0)) != 0)
            return cv_diag_set(diag, "--listen %s: %s", l, uv_strerror(rc));
        struct sockaddr_storage got;
        int len = sizeof got;
        s->port = (int)port;
        if (uv_tcp_getsockname(&s->listener.tcp, (struct sockaddr *)&got, &len) == 0)
            s->port = got.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&got)->sin6_port)
                                                : ntohs(((struct sockaddr_in *)&got)->sin_port);
    }
    s->listener.handle.data = s;
    if ((rc = uv_listen(&s->listener.stream, 511, on_connection)) != 0)
        return cv_diag_set(diag, "--listen %s: %s", l, uv_strerror(rc));
    s->has_listener = true;
    return CV_OK;
}

static void begin_stop(cv_server *s);

static void on_stop_async(uv_async_t *a)
{
    begin_stop(a->data);
}

static void on_signal(uv_signal_t *h, int signum)
{
    cv_server *s = h->data;
    if (s->cfg.verbose) cv_log(1, "carevan serve: signal %d, stopping\n", signum);
    begin_stop(s);
}

static void on_tick(uv_timer_t *t)
{
    cv_server *s = t->data;
    if (!s->stopping)
        cv__server_jobs_progress_tick(s);
    else
        cv__server_maybe_finish(s);
}

static void close_loop_handles(cv_server *s);

cv_status cv_server_create(cv_server **out, const cv_server_config *cfg_in, cv_diag *diag)
{
    cv_server_config cfg;
    if (cfg_in)
        cfg = *cfg_in;
    else
        cv_server_config_init(&cfg);
    if (cfg.max_depth < 1 || cfg.max_depth > CV__MAX_DEPTH)
        return cv_diag_set(diag, "max_depth must be 1..%d", CV__MAX_DEPTH);
    if (cfg.max_message_bytes < 64 || cfg.max_string_bytes < 1)
        return cv_diag_set(diag, "max_message_bytes must be >= 64 and max_string_bytes >= 1");
    if (cfg.workers < 1 || cfg.workers > 256 || cfg.query_threads < 1 || cfg.query_threads > 256)
        return cv_diag_set(diag, "workers and query_threads must be 1..256");
    if (!(cfg.idle_timeout_s > 0) || !(cfg.progress_interval_s > 0))
        return cv_diag_set(diag, "idle_timeout_s and progress_interval_s must be > 0");
    cv_server *s = calloc(1, sizeof *s);
    if (!s) return CV_ENOMEM;
    s->cfg = cfg;
    s->listen = dup_or_null(cfg.listen);
    s->data_dir = dup_or_null(cfg.data_dir);
    s->auth_file = dup_or_null(cfg.auth_file);
    s->graph_path = dup_or_null(cfg.graph_path);
    s->cfg.listen = s->listen;
    s->cfg.data_dir = s->data_dir;
    s->cfg.auth_file = s->auth_file;
    s->cfg.graph_path = s->graph_path;
    s->t_start = cv_clock_now();
    atomic_init(&s->stop_requested, false);
    cv_status st = CV_OK;
    if ((cfg.listen && !s->listen) || (cfg.data_dir && !s->data_dir) ||
        (cfg.auth_file && !s->auth_file) || (cfg.graph_path && !s->graph_path)) {
        st = CV_ENOMEM;
        goto fail;
    }
    if (s->auth_file) {
        if ((st = cv__server_auth_load(&s->auth, s->auth_file, diag)) != CV_OK) goto fail;
        s->has_auth = true;
    }
    if (s->graph_path) {
#ifdef CV_GRAPH_AVAILABLE
        cv_graph *g = NULL;
        if ((st = cv_graph_load(&g, s->graph_path, diag)) != CV_OK) goto fail;
        s->graph = g;
#else
        st = cv_diag_set(diag, "--graph %s: this carevan was built without the road graph module",
                         s->graph_path);
        goto fail;
#endif
    }
    if (s->data_dir && (st = cv__server_store_open(&s->store, s->data_dir, diag)) != CV_OK)
        goto fail;
    if ((st = cv__server_jobs_init(s)) != CV_OK) goto fail;
    if (s->store) {
        uint64_t max_id = 0;
        if (cv__server_store_job_max_id(s->store, &max_id) == CV_OK) s->next_job_id = max_id + 1;
    }
    if (uv_loop_init(&s->loop) != 0) {
        st = cv_diag_set(diag, "cannot create the event loop");
        goto fail;
    }
    s->loop_init = true;
    s->loop.data = s;
    uv_async_init(&s->loop, &s->stop_async, on_stop_async);
    s->stop_async.data = s;
    uv_timer_init(&s->loop, &s->tick);
    s->tick.data = s;
    uv_signal_init(&s->loop, &s->sigterm);
    uv_signal_init(&s->loop, &s->sigint);
    s->sigterm.data = s->sigint.data = s;
    s->handles_open = true;
    s->pools_init = true;
    cv_status p1 =
        cv__server_pool_init(&s->solve_pool, "solve", &s->loop, cfg.workers, cfg.max_queued);
    cv_status p2 = cv__server_pool_init(&s->store_pool, "store", &s->loop, 1, 4096);
    cv_status p3 = cv__server_pool_init(&s->query_pool, "query", &s->loop, cfg.query_threads, 256);
    if (p1 != CV_OK || p2 != CV_OK || p3 != CV_OK) {
        st = cv_diag_set(diag, "cannot start worker threads");
        goto fail;
    }
    if (s->listen && (st = bind_listener(s, diag)) != CV_OK) goto fail;
    *out = s;
    return CV_OK;
fail:
    cv_server_destroy(s);
    return st != CV_OK ? st : CV_EINTERNAL;
}

int cv_server_port(const cv_server *s)
{
    return s->has_listener ? s->port : -1;
}

static void begin_stop(cv_server *s)
{
    if (s->stopping) return;
    s->stopping = true;
    if (s->listener_open) {
        s->listener_open = false;
        uv_close(&s->listener.handle, NULL);
        if (s->listen && !strncmp(s->listen, "unix:", 5)) unlink(s->listen + 5);
    }
    cv__server_pool_cancel_all(&s->solve_pool);
    uv_timer_start(&s->tick, on_tick, 20, 20);
    cv__server_maybe_finish(s);
}

static void close_loop_handles(cv_server *s)
{
    if (!s->handles_open) return;
    s->handles_open = false;
    uv_close((uv_handle_t *)&s->stop_async, NULL);
    uv_close((uv_handle_t *)&s->tick, NULL);
    uv_close((uv_handle_t *)&s->sigterm, NULL);
    uv_close((uv_handle_t *)&s->sigint, NULL);
    if (s->listener_open) {
        s->listener_open = false;
        uv_close(&s->listener.handle, NULL);
    }
    if (s->pools_init) {
        cv__server_pool_close_handle(&s->solve_pool);
        cv__server_pool_close_handle(&s->store_pool);
        cv__server_pool_close_handle(&s->query_pool);
    }
}

void cv__server_maybe_finish(cv_server *s)
{
    if (!s->stopping || !s->handles_open) return;
    if (cv__server_pool_pending(&s->solve_pool) || cv__server_pool_pending(&s->store_pool) ||
        cv__server_pool_pending(&s->query_pool))
        return;
    /* Everything answered: close connections (queued replies are flushed by
     * the shutdown), then the loop's own handles. */
    if (s->stop_deadline == 0) s->stop_deadline = cv_clock_now() + 5.0;
    bool force = cv_clock_now() > s->stop_deadline;
    cv__conn *c = s->conns;
    while (c) {
        cv__conn *next = c->next;
        /* A client that does not read its replies cannot hold the stop for
         * more than 5 s. */
        if (force)
            cv__server_conn_close(c);
        else if (!c->closing)
            cv__server_conn_fail(c, CV__E_SHUTTING_DOWN, "server stopped");
        c = next;
    }
    if (s->conns) return; /* the tick calls again once they are gone */
    close_loop_handles(s);
}

void cv__server_conn_closed(cv_server *s, cv__conn *c)
{
    (void)c;
    (void)s;
}

cv_status cv_server_run(cv_server *s)
{
    if (s->cfg.handle_signals) {
        uv_signal_start(&s->sigterm, on_signal, SIGTERM);
        uv_signal_start(&s->sigint, on_signal, SIGINT);
        signal(SIGPIPE, SIG_IGN);
    }
    uint64_t ms = (uint64_t)(s->cfg.progress_interval_s * 1000.0);
    uv_timer_start(&s->tick, on_tick, ms ? ms : 1, ms ? ms : 1);
    if (atomic_load(&s->stop_requested)) begin_stop(s);
    uv_run(&s->loop, UV_RUN_DEFAULT);
    return CV_OK;
}

void cv_server_stop(cv_server *s)
{
    atomic_store(&s->stop_requested, true);
    uv_async_send(&s->stop_async);
}

void cv_server_destroy(cv_server *s)
{
    if (!s) return;
    if (s->loop_init) {
        /* Not run, or run and finished: close what is still open and drain. */
        cv__conn *c = s->conns;
        while (c) {
            cv__conn *next = c->next;
            cv__server_conn_close(c);
            c = next;
        }
        if (s->pools_init) {
            cv__server_pool_cancel_all(&s->solve_pool);
            /* Running tasks finish; their done callbacks need the loop. */
            while (cv__server_pool_pending(&s->solve_pool) ||
                   cv__server_pool_pending(&s->store_pool) ||
                   cv__server_pool_pending(&s->query_pool))
                uv_run(&s->loop, UV_RUN_ONCE);
        }
        close_loop_handles(s);
        uv_run(&s->loop, UV_RUN_DEFAULT);
        if (s->pools_init) {
            cv__server_pool_fini(&s->solve_pool);
            cv__server_pool_fini(&s->store_pool);
            cv__server_pool_fini(&s->query_pool);
        }
        uv_loop_close(&s->loop);
    }
    cv__server_jobs_fini(s);
    cv__server_live_fini(s);
    cv__server_store_close(s->store);
#ifdef CV_GRAPH_AVAILABLE
    cv_graph_destroy(s->graph);
#endif
    if (s->has_auth) cv__server_auth_fini(&s->auth);
    free(s->listen);
    free(s->data_dir);
    free(s->auth_file);
    free(s->graph_path);
    free(s);
}
