/* MessagePack-RPC: decoding requests and encoding responses/notifications.
 *
 *   request       [0, msgid, method, params]   msgid uint32, method str, params array
 *   response      [1, msgid, error, result]    error nil or {code, message}
 *   notification  [2, method, params]
 *
 * Any number of requests may be in flight on one connection; replies go out
 * when ready, matched by msgid.  A readable message that is not a request
 * gets an error response when it carries a msgid, otherwise an `rpc.error`
 * notification; clients' notifications are counted and ignored (the server
 * defines none).  Access control happens here, before any method runs. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server_int.h"

static const char *error_keys[] = {
#define CV__RPC_KEY(name, key, msg) key,
    CV__RPC_ERROR_MAP(CV__RPC_KEY)
#undef CV__RPC_KEY
};

const char *cv__server_rpc_error_key(cv__server_rpc_error e)
{
    return (unsigned)e < CV__E_COUNT ? error_keys[e] : "internal";
}

void cv__server_pack_error(msgpack_packer *pk, cv__server_rpc_error e, const char *msg)
{
    msgpack_pack_map(pk, 2);
    cv__server_pack_kv_str(pk, "code", cv__server_rpc_error_key(e));
    cv__server_pack_kv_str(pk, "message", msg);
}

void cv__server_reply_begin(msgpack_sbuffer *sb, msgpack_packer *pk, uint32_t msgid)
{
    msgpack_sbuffer_init(sb);
    msgpack_packer_init(pk, sb, msgpack_sbuffer_write);
    msgpack_pack_array(pk, 4);
    msgpack_pack_int(pk, 1);
    msgpack_pack_uint32(pk, msgid);
    msgpack_pack_nil(pk);
}

void cv__server_reply_send(cv__conn *c, msgpack_sbuffer *sb)
{
    size_t n = sb->size;
    char *d = msgpack_sbuffer_release(sb);
    if (!d) return;
    cv__server_conn_send(c, d, n);
}

static void reply_errv(cv__conn *c, uint32_t msgid, bool has_id, cv__server_rpc_error e,
                       const char *fmt, va_list ap)
{
    char msg[CV_DIAG_MAX + 64];
    vsnprintf(msg, sizeof msg, fmt, ap);
    c->srv->stats.errors++;
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    if (has_id) {
        msgpack_pack_array(&pk, 4);
        msgpack_pack_int(&pk, 1);
        msgpack_pack_uint32(&pk, msgid);
        cv__server_pack_error(&pk, e, msg);
        msgpack_pack_nil(&pk);
    } else {
        msgpack_pack_array(&pk, 3);
        msgpack_pack_int(&pk, 2);
        cv__server_pack_str(&pk, "rpc.error");
        msgpack_pack_array(&pk, 1);
        cv__server_pack_error(&pk, e, msg);
    }
    cv__server_reply_send(c, &sb);
}

void cv__server_reply_err(cv__conn *c, uint32_t msgid, cv__server_rpc_error e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    reply_errv(c, msgid, true, e, fmt, ap);
    va_end(ap);
}

static void notify_err(cv__conn *c, cv__server_rpc_error e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void notify_err(cv__conn *c, cv__server_rpc_error e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    reply_errv(c, 0, false, e, fmt, ap);
    va_end(ap);
}

void cv__server_notify_raw(cv__conn *c, const char *method, const char *mp, size_t len)
{
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_array(&pk, 3);
    msgpack_pack_int(&pk, 2);
    cv__server_pack_str(&pk, method);
    msgpack_pack_array(&pk, 1);
    msgpack_sbuffer_write(&sb, mp, len);
    cv__server_reply_send(c, &sb);
}

void cv__server_pending_take(cv__pending *p, const cv__req *r)
{
    p->conn = r->conn;
    p->msgid = r->msgid;
    r->conn->busy++;
    cv__server_conn_ref(r->conn);
}

void cv__server_pending_drop(cv__pending *p)
{
    if (p->conn) {
        cv__server_conn_unbusy(p->conn);
        cv__server_conn_unref(p->conn);
    }
    p->conn = NULL;
}

void cv__server_pending_ok_raw(cv__pending *p, const char *mp, size_t len)
{
    if (!p->conn) return;
    msgpack_sbuffer sb;
    msgpack_packer pk;
    cv__server_reply_begin(&sb, &pk, p->msgid);
    msgpack_sbuffer_write(&sb, mp, len);
    cv__server_reply_send(p->conn, &sb);
    cv__server_pending_drop(p);
}

void cv__server_pending_err(cv__pending *p, cv__server_rpc_error e, const char *fmt, ...)
{
    if (!p->conn) return;
    va_list ap;
    va_start(ap, fmt);
    reply_errv(p->conn, p->msgid, true, e, fmt, ap);
    va_end(ap);
    cv__server_pending_drop(p);
}

void cv__server_answer_init(cv__answer *a)
{
    memset(a, 0, sizeof *a);
    msgpack_sbuffer_init(&a->out);
}

void cv__server_answer_fail(cv__answer *a, cv__server_rpc_error e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->errmsg, sizeof a->errmsg, fmt, ap);
    va_end(ap);
    a->failed = true;
    a->err = e;
}

void cv__server_answer_send(cv__answer *a, bool canceled)
{
    if (canceled)
        cv__server_pending_err(&a->reply, CV__E_SHUTTING_DOWN, "server is stopping");
    else if (a->failed)
        cv__server_pending_err(&a->reply, a->err, "%s", a->errmsg);
    else
        cv__server_pending_ok_raw(&a->reply, a->out.data, a->out.size);
}

void cv__server_answer_fini(cv__answer *a)
{
    msgpack_sbuffer_destroy(&a->out);
    cv__server_pending_drop(&a->reply);
}

bool cv__server_answer_submit(cv__answer *a, cv__req *r, cv__pool *pool, cv__task *task,
                              const char *busy_msg)
{
    if (cv__server_pool_submit(pool, task) != CV_OK) {
        cv__server_reply_err(r->conn, r->msgid, CV__E_BUSY, "%s", busy_msg);
        return false;
    }
    cv__server_pending_take(&a->reply, r);
    return true;
}

static const char *type_name(const msgpack_object *o)
{
    switch (o->type) {
    case MSGPACK_OBJECT_NIL:
        return "nil";
    case MSGPACK_OBJECT_BOOLEAN:
        return "boolean";
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
    case MSGPACK_OBJECT_NEGATIVE_INTEGER:
        return "integer";
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64:
        return "float";
    case MSGPACK_OBJECT_STR:
        return "string";
    case MSGPACK_OBJECT_ARRAY:
        return "array";
    case MSGPACK_OBJECT_MAP:
        return "map";
    case MSGPACK_OBJECT_BIN:
        return "binary";
    case MSGPACK_OBJECT_EXT:
        return "extension";
    }
    return "unknown";
}

void cv__server_rpc_handle(cv__conn *c, const msgpack_object *m)
{
    cv_server *s = c->srv;
    if (m->type != MSGPACK_OBJECT_ARRAY || m->via.array.size < 3 || m->via.array.size > 4) {
        notify_err(c, CV__E_INVALID_REQUEST,
                   "message: expected an array [0, msgid, method, params] or [2, method, "
                   "params], got %s%s",
                   m->type == MSGPACK_OBJECT_ARRAY ? "an array of size " : "a ",
                   m->type == MSGPACK_OBJECT_ARRAY ? (m->via.array.size < 3 ? "< 3" : "> 4")
                                                   : type_name(m));
        return;
    }
    const msgpack_object *a = m->via.array.ptr;
    uint64_t type;
    if (!cv__server_mp_get_u64(&a[0], &type) || (type != 0 && type != 2)) {
        notify_err(c, CV__E_INVALID_REQUEST,
                   "message[0]: type must be 0 (request) or 2 (notification); servers accept "
                   "no responses");
        return;
    }
    if (type == 2) {
        s->stats.notifications_in++;
        if (m->via.array.size != 3)
            notify_err(c, CV__E_INVALID_REQUEST, "notification: expected [2, method, params]");
        return;
    }
    if (m->via.array.size != 4) {
        notify_err(c, CV__E_INVALID_REQUEST, "request: expected [0, msgid, method, params]");
        return;
    }
    uint64_t msgid;
    if (!cv__server_mp_get_u64(&a[1], &msgid) || msgid > UINT32_MAX) {
        notify_err(c, CV__E_INVALID_REQUEST, "request[1]: msgid must be an integer 0..4294967295");
        return;
    }
    s->stats.requests++;
    uint32_t id = (uint32_t)msgid;
    if (a[2].type != MSGPACK_OBJECT_STR) {
        cv__server_reply_err(c, id, CV__E_INVALID_REQUEST,
                             "request[2]: method must be a string, got %s", type_name(&a[2]));
        return;
    }
    if (a[3].type != MSGPACK_OBJECT_ARRAY) {
        cv__server_reply_err(c, id, CV__E_INVALID_REQUEST,
                             "request[3]: params must be an array, got %s", type_name(&a[3]));
        return;
    }
    const char *name = a[2].via.str.ptr;
    size_t nlen = a[2].via.str.size;
    const cv__method *meth = cv__server_method_find(name, nlen);
    if (!meth) {
        cv__server_reply_err(c, id, CV__E_UNKNOWN_METHOD, "unknown method \"%.*s\"",
                             (int)(nlen > 64 ? 64 : nlen), name);
        return;
    }
    if (s->stopping && meth->access != CV__ACCESS_ANY) {
        cv__server_reply_err(c, id, CV__E_SHUTTING_DOWN, "%s: server is stopping", meth->name);
        return;
    }
    if ((meth->access == CV__ACCESS_COORDINATOR && c->role != CV__ROLE_COORDINATOR) ||
        (meth->access == CV__ACCESS_OPERATOR && c->role == CV__ROLE_NONE)) {
        if (c->role == CV__ROLE_NONE)
            cv__server_reply_err(c, id, CV__E_FORBIDDEN, "%s: call auth with a token first",
                                 meth->name);
        else
            cv__server_reply_err(c, id, CV__E_FORBIDDEN, "%s: not allowed for the %s role",
                                 meth->name, cv__server_role_name(c->role));
        return;
    }
    cv__req r = {.srv = s, .conn = c, .msgid = id, .params = &a[3]};
    meth->fn(&r);
}
