/* A small blocking MessagePack-RPC client for the server tests: raw sockets,
 * msgpack-c for packing, its streaming unpacker for reading.  Written for
 * tests only (no reconnects, fixed timeouts); every wait is bounded. */
#ifndef CV_TEST_CLIENT_H
#define CV_TEST_CLIENT_H

#include <errno.h>
#include <jansson.h>
#include <msgpack.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <unistd.h>

typedef struct tclient {
    int fd;
    msgpack_unpacker unp;
    bool closed; /* the server closed the connection */
} tclient;

/* A received message (owns its zone). */
typedef struct tmsg {
    msgpack_unpacked u;
    const msgpack_object *o;
} tmsg;

static inline int tc_connect_tcp(tclient *c, int port)
{
    memset(c, 0, sizeof *c);
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(c->fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(c->fd);
        return -1;
    }
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    msgpack_unpacker_init(&c->unp, 65536);
    return 0;
}

static inline int tc_connect_unix(tclient *c, const char *path)
{
    memset(c, 0, sizeof *c);
    c->fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = {0};
    a.sun_family = AF_UNIX;
    size_t pl = strlen(path);
    if (pl >= sizeof a.sun_path) {
        close(c->fd);
        return -1;
    }
    memcpy(a.sun_path, path, pl + 1);
    if (connect(c->fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(c->fd);
        return -1;
    }
    msgpack_unpacker_init(&c->unp, 65536);
    return 0;
}

static inline void tc_close(tclient *c)
{
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
    msgpack_unpacker_destroy(&c->unp);
}

static inline int tc_write(tclient *c, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Packs [0, msgid, method, [params...]] where params is packed by the caller
 * into `params` (an sbuffer holding nparams objects). */
static inline int tc_request_raw(tclient *c, uint32_t msgid, const char *method, uint32_t nparams,
                                 const char *params, size_t plen)
{
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_array(&pk, 4);
    msgpack_pack_int(&pk, 0);
    msgpack_pack_uint32(&pk, msgid);
    msgpack_pack_str(&pk, strlen(method));
    msgpack_pack_str_body(&pk, method, strlen(method));
    msgpack_pack_array(&pk, nparams);
    if (plen) msgpack_sbuffer_write(&sb, params, plen);
    int r = tc_write(c, sb.data, sb.size);
    msgpack_sbuffer_destroy(&sb);
    return r;
}

static inline void tc_pack_json(msgpack_packer *pk, const json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_NULL:
        msgpack_pack_nil(pk);
        break;
    case JSON_TRUE:
        msgpack_pack_true(pk);
        break;
    case JSON_FALSE:
        msgpack_pack_false(pk);
        break;
    case JSON_INTEGER:
        msgpack_pack_int64(pk, json_integer_value(j));
        break;
    case JSON_REAL:
        msgpack_pack_double(pk, json_real_value(j));
        break;
    case JSON_STRING:
        msgpack_pack_str(pk, json_string_length(j));
        msgpack_pack_str_body(pk, json_string_value(j), json_string_length(j));
        break;
    case JSON_ARRAY:
        msgpack_pack_array(pk, json_array_size(j));
        for (size_t i = 0; i < json_array_size(j); i++) tc_pack_json(pk, json_array_get(j, i));
        break;
    case JSON_OBJECT: {
        msgpack_pack_map(pk, json_object_size(j));
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)j, k, v)
        {
            msgpack_pack_str(pk, strlen(k));
            msgpack_pack_str_body(pk, k, strlen(k));
            tc_pack_json(pk, v);
        }
        break;
    }
    }
}

/* Sends a request whose params array is given as JSON text, e.g. "[1, {\"a\":2}]". */
static inline int tc_request_json(tclient *c, uint32_t msgid, const char *method,
                                  const char *params_json)
{
    json_error_t e;
    json_t *j = json_loads(params_json, JSON_DECODE_ANY, &e);
    if (!j || !json_is_array(j)) {
        fprintf(stderr, "test: bad params JSON: %s\n", params_json);
        json_decref(j);
        return -1;
    }
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    for (size_t i = 0; i < json_array_size(j); i++) tc_pack_json(&pk, json_array_get(j, i));
    int r = tc_request_raw(c, msgid, method, (uint32_t)json_array_size(j), sb.data, sb.size);
    msgpack_sbuffer_destroy(&sb);
    json_decref(j);
    return r;
}

/* Next message within timeout_ms: 1 got one, 0 timeout, -1 closed/error. */
static inline int tc_next(tclient *c, tmsg *m, int timeout_ms)
{
    msgpack_unpacked_init(&m->u);
    for (;;) {
        msgpack_unpack_return r = msgpack_unpacker_next(&c->unp, &m->u);
        if (r == MSGPACK_UNPACK_SUCCESS) {
            m->o = &m->u.data;
            return 1;
        }
        if (r == MSGPACK_UNPACK_PARSE_ERROR) return -1;
        if (c->closed) return -1;
        struct pollfd p = {.fd = c->fd, .events = POLLIN};
        int pr = poll(&p, 1, timeout_ms);
        if (pr == 0) return 0;
        if (pr < 0 && errno == EINTR) continue;
        msgpack_unpacker_reserve_buffer(&c->unp, 65536);
        ssize_t n = recv(c->fd, msgpack_unpacker_buffer(&c->unp),
                         msgpack_unpacker_buffer_capacity(&c->unp), 0);
        if (n <= 0) {
            c->closed = true;
            continue; /* parse what is left, then report closed */
        }
        msgpack_unpacker_buffer_consumed(&c->unp, (size_t)n);
    }
}

static inline void tm_free(tmsg *m)
{
    msgpack_unpacked_destroy(&m->u);
}

/* Converts a msgpack object to jansson (for easy checks). */
static inline json_t *tc_to_json(const msgpack_object *o)
{
    switch (o->type) {
    case MSGPACK_OBJECT_NIL:
        return json_null();
    case MSGPACK_OBJECT_BOOLEAN:
        return json_boolean(o->via.boolean);
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
        return json_integer((json_int_t)o->via.u64);
    case MSGPACK_OBJECT_NEGATIVE_INTEGER:
        return json_integer(o->via.i64);
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64:
        return json_real(o->via.f64);
    case MSGPACK_OBJECT_STR:
        return json_stringn(o->via.str.ptr, o->via.str.size);
    case MSGPACK_OBJECT_ARRAY: {
        json_t *a = json_array();
        for (uint32_t i = 0; i < o->via.array.size; i++)
            json_array_append_new(a, tc_to_json(&o->via.array.ptr[i]));
        return a;
    }
    case MSGPACK_OBJECT_MAP: {
        json_t *m = json_object();
        for (uint32_t i = 0; i < o->via.map.size; i++) {
            const msgpack_object *k = &o->via.map.ptr[i].key;
            if (k->type != MSGPACK_OBJECT_STR) continue;
            json_object_setn_new(m, k->via.str.ptr, k->via.str.size,
                                 tc_to_json(&o->via.map.ptr[i].val));
        }
        return m;
    }
    default:
        return json_string("<bin/ext>");
    }
}

/* Waits for the response to msgid (notifications before it are collected in
 * *notes when non-NULL, as a JSON array of [method, params]).  Returns the
 * response as JSON [error, result], or NULL on timeout/close. */
static inline json_t *tc_wait(tclient *c, uint32_t msgid, json_t *notes, int timeout_ms)
{
    for (;;) {
        tmsg m;
        int r = tc_next(c, &m, timeout_ms);
        if (r != 1) {
            if (r == 1) tm_free(&m);
            msgpack_unpacked_destroy(&m.u);
            return NULL;
        }
        json_t *j = tc_to_json(m.o);
        tm_free(&m);
        if (json_is_array(j) && json_integer_value(json_array_get(j, 0)) == 2) {
            if (notes)
                json_array_append_new(
                    notes, json_pack("[OO]", json_array_get(j, 1), json_array_get(j, 2)));
            json_decref(j);
            continue;
        }
        if (json_is_array(j) && json_array_size(j) == 4 &&
            json_integer_value(json_array_get(j, 0)) == 1 &&
            (uint32_t)json_integer_value(json_array_get(j, 1)) == msgid) {
            json_t *out = json_pack("[OO]", json_array_get(j, 2), json_array_get(j, 3));
            json_decref(j);
            return out;
        }
        fprintf(stderr, "test: unexpected message while waiting for %u\n", msgid);
        json_decref(j);
    }
}

/* Request + wait: returns [error, result] JSON or NULL. */
static inline json_t *tc_call(tclient *c, uint32_t msgid, const char *method, const char *params)
{
    if (tc_request_json(c, msgid, method, params) != 0) return NULL;
    return tc_wait(c, msgid, NULL, 30000);
}

/* Error code string of a [error, result] pair, or NULL when it succeeded. */
static inline const char *tc_err_code(const json_t *resp)
{
    return json_string_value(json_object_get(json_array_get(resp, 0), "code"));
}
static inline const char *tc_err_msg(const json_t *resp)
{
    return json_string_value(json_object_get(json_array_get(resp, 0), "message"));
}
static inline json_t *tc_result(const json_t *resp)
{
    return json_array_get(resp, 1);
}

/* A day's problem with n visits on a line of positions, 2 vans, matrices given:
 * JSON text, malloc'ed.  Visit i at position i+1, depot at 0, travel |a-b|*60 s. */
static inline char *tc_problem_json(int n, int windows)
{
    json_t *p = json_object();
    json_t *veh = json_array();
    for (int v = 0; v < 2; v++)
        json_array_append_new(veh, json_pack("{s:i,s:i,s:i,s:[i,i]}", "id", 100 + v, "start_index",
                                             0, "end_index", 0, "time_window", 0, 36000));
    json_t *jobs = json_array();
    for (int i = 0; i < n; i++) {
        json_t *j =
            json_pack("{s:i,s:i,s:i}", "id", i + 1, "location_index", i + 1, "service", 300);
        if (windows) json_object_set_new(j, "time_windows", json_pack("[[i,i]]", 0, 36000));
        json_array_append_new(jobs, j);
    }
    int m = n + 1;
    json_t *rows = json_array();
    for (int a = 0; a < m; a++) {
        json_t *row = json_array();
        for (int b = 0; b < m; b++) {
            int pa = a, pb = b;
            /* positions on a ring so that routes are not trivial */
            int d = abs(pa - pb);
            if (m - d < d) d = m - d;
            json_array_append_new(row, json_integer(d * 60 + (a * 7 + b * 3) % 11));
        }
        json_array_append_new(rows, row);
    }
    json_object_set_new(p, "vehicles", veh);
    json_object_set_new(p, "jobs", jobs);
    json_object_set_new(p, "matrices", json_pack("{s:{s:o}}", "car", "durations", rows));
    char *s = json_dumps(p, JSON_COMPACT);
    json_decref(p);
    return s;
}

#endif
