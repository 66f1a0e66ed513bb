/* One client connection: reading, framing, writing, idle timeout, closing.
 *
 * Reads go straight into msgpack-c's streaming unpacker buffer (alloc_cb
 * hands out msgpack_unpacker_buffer); frame.c then scans the new bytes and,
 * for every complete message, msgpack_unpacker_next decodes it and rpc.c
 * handles it.  An unreadable stream (bad byte, over a limit) gets one
 * `rpc.error` notification naming the problem and the connection closes.
 *
 * Slow senders: the idle timer restarts only when a read leaves no partial
 * message behind, so a client trickling one message byte by byte is dropped
 * after idle_timeout_s, like an idle one.  Slow readers: reading pauses while
 * more than max_message_bytes of replies wait to be written.
 *
 * Lifetime: refs counts the two libuv handles plus every deferred reply or
 * job holding the connection; it is freed when the last goes.  Closing
 * first sets `closing`, after which sends are dropped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server_int.h"

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf);
static void on_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf);

typedef struct write_req {
    uv_write_t req;
    cv__conn *conn;
    char *data;
    size_t len;
} write_req;

static void conn_free(cv__conn *c)
{
    msgpack_unpacker_destroy(&c->unp);
    free(c);
}

void cv__server_conn_ref(cv__conn *c)
{
    c->refs++;
}

void cv__server_conn_unref(cv__conn *c)
{
    if (--c->refs == 0) conn_free(c);
}

static void on_handle_closed(uv_handle_t *h)
{
    cv__conn *c = h->data;
    cv__server_conn_unref(c);
}

static void unlink_conn(cv__conn *c)
{
    cv_server *s = c->srv;
    if (c->prev)
        c->prev->next = c->next;
    else if (s->conns == c)
        s->conns = c->next;
    if (c->next) c->next->prev = c->prev;
    c->prev = c->next = NULL;
    s->nconns--;
}

void cv__server_conn_close(cv__conn *c)
{
    if (c->closed) return;
    c->closed = c->closing = true;
    unlink_conn(c);
    cv__server_jobs_conn_closed(c->srv, c);
    cv__server_live_conn_closed(c->srv, c);
    if (c->in_memory) {
        cv__server_conn_unref(c);
    } else {
        uv_close((uv_handle_t *)&c->idle, on_handle_closed);
        uv_close(&c->h.handle, on_handle_closed);
    }
    cv__server_conn_closed(c->srv, c);
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
    (void)status;
    cv__conn *c = req->data;
    free(req);
    cv__server_conn_close(c);
    cv__server_conn_unref(c);
}

void cv__server_conn_fail(cv__conn *c, cv__server_rpc_error e, const char *msg)
{
    if (c->closing) return;
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_array(&pk, 3);
    msgpack_pack_int(&pk, 2);
    cv__server_pack_str(&pk, "rpc.error");
    msgpack_pack_array(&pk, 1);
    cv__server_pack_error(&pk, e, msg);
    cv__server_conn_send(c, sb.data, sb.size);
    c->closing = true; /* nothing more is read or sent; the queued writes go out */
    if (c->srv->cfg.verbose)
        cv_log(1, "carevan serve: connection %llu closed: %s\n", (unsigned long long)c->id, msg);
    if (c->in_memory) {
        cv__server_conn_close(c);
        return;
    }
    uv_read_stop(&c->h.stream);
    uv_timer_stop(&c->idle);
    uv_shutdown_t *req = malloc(sizeof *req);
    if (!req || uv_shutdown(req, &c->h.stream, on_shutdown) != 0) {
        free(req);
        cv__server_conn_close(c);
        return;
    }
    req->data = c;
    cv__server_conn_ref(c);
}

static void on_write(uv_write_t *req, int status)
{
    (void)status;
    write_req *w = (write_req *)req;
    cv__conn *c = w->conn;
    c->write_queued -= w->len;
    free(w->data);
    free(w);
    if (c->reading_paused && !c->closing && c->write_queued <= c->srv->cfg.max_message_bytes / 2) {
        c->reading_paused = false;
        if (uv_read_start(&c->h.stream, on_alloc, on_read) != 0) cv__server_conn_close(c);
    }
    cv__server_conn_unref(c);
}

void cv__server_conn_send(cv__conn *c, char *buf, size_t len)
{
    if (c->closing) {
        free(buf);
        return;
    }
    c->srv->stats.bytes_out += len;
    if (c->in_memory) {
        c->captured += len;
        if (c->capture) msgpack_sbuffer_write(c->capture, buf, len);
        free(buf);
        return;
    }
    write_req *w = malloc(sizeof *w);
    if (!w) {
        free(buf);
        cv__server_conn_close(c);
        return;
    }
    w->conn = c;
    w->data = buf;
    w->len = len;
    uv_buf_t b = uv_buf_init(buf, (unsigned)len);
    if (uv_write(&w->req, &c->h.stream, &b, 1, on_write) != 0) {
        free(buf);
        free(w);
        cv__server_conn_close(c);
        return;
    }
    cv__server_conn_ref(c);
    c->write_queued += len;
    if (!c->reading_paused && c->write_queued > c->srv->cfg.max_message_bytes) {
        c->reading_paused = true;
        uv_read_stop(&c->h.stream);
    }
}

/* Scans and handles the `n` bytes just added to the unpacker's buffer. */
static void process(cv__conn *c, size_t n)
{
    cv_server *s = c->srv;
    s->stats.bytes_in += n;
    const uint8_t *p = (const uint8_t *)msgpack_unpacker_buffer(&c->unp) - n;
    while (n > 0 && !c->closing) {
        size_t used;
        bool complete;
        char err[160];
        cv_status st = cv__server_frame_scan(&c->frame, p, n, &used, &complete, err, sizeof err);
        if (st != CV_OK) {
            s->stats.dropped_malformed++;
            cv__server_conn_fail(c, st == CV_ETOOBIG ? CV__E_TOO_LARGE : CV__E_INVALID_REQUEST,
                                 err);
            return;
        }
        p += used;
        n -= used;
        if (!complete) break;
        msgpack_unpacked msg;
        msgpack_unpacked_init(&msg);
        msgpack_unpack_return r = msgpack_unpacker_next(&c->unp, &msg);
        if (r != MSGPACK_UNPACK_SUCCESS) {
            /* The scanner accepted what msgpack-c refuses: should not happen. */
            msgpack_unpacked_destroy(&msg);
            s->stats.dropped_malformed++;
            cv__server_conn_fail(c, CV__E_INVALID_REQUEST, "unreadable MessagePack");
            return;
        }
        cv__server_conn_ref(c);
        cv__server_rpc_handle(c, &msg.data);
        msgpack_unpacked_destroy(&msg);
        bool gone = c->closing;
        cv__server_conn_unref(c);
        if (gone) return;
    }
    if (!c->in_memory && !c->closing && cv__server_frame_idle(&c->frame)) uv_timer_again(&c->idle);
}

void cv__server_conn_feed(cv__conn *c, const char *data, size_t len)
{
    if (c->closing) return;
    if (!msgpack_unpacker_reserve_buffer(&c->unp, len)) {
        cv__server_conn_fail(c, CV__E_TOO_LARGE, "out of memory for the message");
        return;
    }
    memcpy(msgpack_unpacker_buffer(&c->unp), data, len);
    msgpack_unpacker_buffer_consumed(&c->unp, len);
    process(c, len);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    cv__conn *c = h->data;
    (void)suggested;
    if (!msgpack_unpacker_reserve_buffer(&c->unp, 64 * 1024)) {
        *buf = uv_buf_init(NULL, 0); /* read_cb gets UV_ENOBUFS */
        return;
    }
    size_t cap = msgpack_unpacker_buffer_capacity(&c->unp);
    if (cap > 1u << 30) cap = 1u << 30;
    *buf = uv_buf_init(msgpack_unpacker_buffer(&c->unp), (unsigned)cap);
}

static void on_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf)
{
    (void)buf;
    cv__conn *c = st->data;
    if (nread < 0) {
        if (nread == UV_ENOBUFS)
            cv__server_conn_fail(c, CV__E_TOO_LARGE, "out of memory for the message");
        else
            cv__server_conn_close(c);
        return;
    }
    if (nread == 0) return;
    msgpack_unpacker_buffer_consumed(&c->unp, (size_t)nread);
    process(c, (size_t)nread);
}

void cv__server_conn_unbusy(cv__conn *c)
{
    c->busy--;
    if (c->busy == 0 && !c->in_memory && !c->closing) uv_timer_again(&c->idle);
}

static void on_idle(uv_timer_t *t)
{
    cv__conn *c = t->data;
    /* Waiting for a solve or watching a job is not idleness. */
    if (c->busy > 0 && cv__server_frame_idle(&c->frame)) return;
    c->srv->stats.dropped_idle++;
    cv__server_conn_fail(c, CV__E_INVALID_REQUEST,
                         cv__server_frame_idle(&c->frame) ? "idle timeout"
                                                          : "message not completed in time");
}

static cv__conn *conn_new(cv_server *s)
{
    cv__conn *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    if (!msgpack_unpacker_init(&c->unp, 64 * 1024)) {
        free(c);
        return NULL;
    }
    c->srv = s;
    c->id = ++s->next_conn_id;
    c->role = s->has_auth ? CV__ROLE_NONE : CV__ROLE_COORDINATOR;
    cv__server_frame_init(&c->frame, s->cfg.max_message_bytes, s->cfg.max_string_bytes,
                          s->cfg.max_depth);
    return c;
}

static void link_conn(cv_server *s, cv__conn *c)
{
    c->next = s->conns;
    if (s->conns) s->conns->prev = c;
    s->conns = c;
    s->nconns++;
    s->stats.connections_total++;
}

cv_status cv__server_conn_create_memory(cv_server *s, cv__conn **out)
{
    cv__conn *c = conn_new(s);
    if (!c) return CV_ENOMEM;
    c->in_memory = true;
    c->refs = 1;
    link_conn(s, c);
    *out = c;
    return CV_OK;
}

cv_status cv__server_conn_accept(cv_server *s, uv_stream_t *listener)
{
    cv__conn *c = conn_new(s);
    if (!c) return CV_ENOMEM;
    int rc = listener->type == UV_NAMED_PIPE ? uv_pipe_init(&s->loop, &c->h.pipe, 0)
                                             : uv_tcp_init(&s->loop, &c->h.tcp);
    if (rc != 0) {
        conn_free(c);
        return CV_EIO;
    }
    c->h.handle.data = c;
    c->refs = 1;
    if (uv_accept(listener, &c->h.stream) != 0) {
        uv_close(&c->h.handle, on_handle_closed);
        return CV_EIO;
    }
    uv_timer_init(&s->loop, &c->idle);
    c->idle.data = c;
    c->refs = 2;
    link_conn(s, c);
    if (listener->type == UV_TCP) uv_tcp_nodelay(&c->h.tcp, 1);
    if (s->nconns > s->cfg.max_connections) {
        s->stats.refused_connections++;
        char msg[96];
        snprintf(msg, sizeof msg, "too many connections (limit %u)", s->cfg.max_connections);
        cv__server_conn_fail(c, CV__E_BUSY, msg);
        return CV_OK;
    }
    if (s->stopping) {
        cv__server_conn_fail(c, CV__E_SHUTTING_DOWN, "server is stopping");
        return CV_OK;
    }
    uint64_t ms = (uint64_t)(s->cfg.idle_timeout_s * 1000.0);
    if (ms == 0) ms = 1;
    uv_timer_start(&c->idle, on_idle, ms, ms);
    if (uv_read_start(&c->h.stream, on_alloc, on_read) != 0) cv__server_conn_close(c);
    return CV_OK;
}
