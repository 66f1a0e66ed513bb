/* Internals shared by the files of server/ (prefix cv__).  Not installed.
 *
 * Threads: the loop thread owns cv_server, every cv__conn, the job table and
 * all msgpack objects; pools (pool.c) run tasks on their own threads and
 * hand them back to the loop with uv_async.  Anything a worker touches is
 * either owned by its task until `done`, or guarded by the job's mutex. */
#ifndef CV_SERVER_INT_H
#define CV_SERVER_INT_H

#include <jansson.h>
#include <msgpack.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "cv/server.h"

#define CV__PROTOCOL_VERSION 1
#define CV__MAX_DEPTH 32 /* msgpack-c's own parser stack (MSGPACK_EMBED_STACK_SIZE) */

/* ---- RPC error codes: value on the wire, default message. ---- */
#define CV__RPC_ERROR_MAP(X)                                                                       \
    X(INVALID_REQUEST, "invalid_request", "not a MessagePack-RPC request")                         \
    X(UNKNOWN_METHOD, "unknown_method", "no such method")                                          \
    X(INVALID_PARAMS, "invalid_params", "bad parameters")                                          \
    X(BUSY, "busy", "server busy")                                                                 \
    X(FORBIDDEN, "forbidden", "not allowed")                                                       \
    X(NOT_FOUND, "not_found", "not found")                                                         \
    X(NOT_READY, "not_ready", "job not finished")                                                  \
    X(CANCELED, "canceled", "canceled")                                                            \
    X(FAILED, "failed", "job failed")                                                              \
    X(UNAVAILABLE, "unavailable", "not available on this server")                                  \
    X(TOO_LARGE, "too_large", "too large")                                                         \
    X(SHUTTING_DOWN, "shutting_down", "server is stopping")                                        \
    X(INTERNAL, "internal", "internal error")

typedef enum cv__server_rpc_error {
#define CV__RPC_ENUM(name, key, msg) CV__E_##name,
    CV__RPC_ERROR_MAP(CV__RPC_ENUM)
#undef CV__RPC_ENUM
        CV__E_COUNT
} cv__server_rpc_error;

const char *cv__server_rpc_error_key(cv__server_rpc_error e);

/* ---- frame.c: finds message boundaries in a byte stream, enforcing limits
 * before msgpack-c allocates anything (its parser allocates a container's
 * declared size up front: 5 bytes could ask for gigabytes). ---- */
typedef struct cv__frame {
    size_t max_bytes, max_str, max_items;
    unsigned max_depth;
    size_t msg_bytes; /* bytes of the current message so far */
    size_t items;     /* objects begun in the current message */
    uint8_t hdr[9];
    unsigned hdr_have, hdr_need;
    uint64_t skip;     /* payload bytes still to pass */
    bool skip_is_item; /* an element completes when skip reaches 0 */
    unsigned depth;
    uint64_t remaining[CV__MAX_DEPTH]; /* elements still expected per open container */
} cv__frame;

void cv__server_frame_init(cv__frame *f, size_t max_bytes, size_t max_str, unsigned max_depth);
/* Scans at most len bytes, stopping right after a message ends.  *used: bytes
 * scanned; *complete: a message ended there.  CV_EFORMAT / CV_ETOOBIG with a
 * message in err when the stream is unreadable or over a limit. */
cv_status cv__server_frame_scan(cv__frame *f, const uint8_t *p, size_t len, size_t *used,
                                bool *complete, char *err, size_t errlen);
/* True when no message is partly received. */
bool cv__server_frame_idle(const cv__frame *f);

/* ---- convert.c: msgpack object <-> jansson, with field paths in errors. ---- */
/* path names o in messages ("params[0]"). */
cv_status cv__server_mp_to_json(const msgpack_object *o, const char *path, json_t **out,
                                cv_diag *diag);
/* Packs j; false on a jansson value that cannot be packed (none in practice). */
bool cv__server_json_pack(msgpack_packer *pk, const json_t *j);
/* JSON text -> packed msgpack in a fresh sbuffer (caller destroys). */
cv_status cv__server_json_text_to_mp(const char *text, size_t len, msgpack_sbuffer *out);
/* Helpers on msgpack objects. */
const msgpack_object *cv__server_mp_map_get(const msgpack_object *map, const char *key);
bool cv__server_mp_str_eq(const msgpack_object *o, const char *s);
/* Copies a str object into a NUL-terminated malloc'ed string; NULL if not a str or no memory. */
char *cv__server_mp_strdup(const msgpack_object *o);
bool cv__server_mp_get_u64(const msgpack_object *o, uint64_t *out);
bool cv__server_mp_get_double(const msgpack_object *o, double *out);
void cv__server_pack_str(msgpack_packer *pk, const char *s);
void cv__server_pack_kv_str(msgpack_packer *pk, const char *k, const char *v);
void cv__server_pack_kv_u64(msgpack_packer *pk, const char *k, uint64_t v);
void cv__server_pack_kv_i64(msgpack_packer *pk, const char *k, int64_t v);
void cv__server_pack_kv_double(msgpack_packer *pk, const char *k, double v);
void cv__server_pack_kv_bool(msgpack_packer *pk, const char *k, bool v);

/* ---- pool.c: threads running tasks, results delivered on the loop. ---- */
typedef struct cv__task cv__task;
struct cv__task {
    void (*run)(cv__task *t);                 /* on a pool thread */
    void (*done)(cv__task *t, bool canceled); /* on the loop thread; frees t */
    cv__task *next;
};

typedef struct cv__pool {
    const char *name;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    cv__task *qhead, *qtail, *dhead, *dtail;
    unsigned nthreads, nqueued, nbusy, ndone, max_queued;
    bool quit;
    pthread_t *threads;
    unsigned nstarted;
    uv_async_t async;
    bool async_open;
} cv__pool;

cv_status cv__server_pool_init(cv__pool *p, const char *name, uv_loop_t *loop, unsigned nthreads,
                               unsigned max_queued);
/* CV_ETOOBIG when nthreads tasks run and max_queued wait already. */
cv_status cv__server_pool_submit(cv__pool *p, cv__task *t);
/* Removes t if it still waits; then calls t->done(t, true) and returns true. */
bool cv__server_pool_cancel(cv__pool *p, cv__task *t);
void cv__server_pool_cancel_all(cv__pool *p);
/* Tasks queued, running, or finished but not yet handed to the loop. */
unsigned cv__server_pool_pending(cv__pool *p);
void cv__server_pool_counts(cv__pool *p, unsigned *queued, unsigned *busy);
void cv__server_pool_close_handle(cv__pool *p); /* on the loop, once pending is 0 */
void cv__server_pool_fini(cv__pool *p);         /* joins threads; after the loop ended */

/* ---- auth.c ---- */
typedef enum cv__role { CV__ROLE_NONE = 0, CV__ROLE_OPERATOR, CV__ROLE_COORDINATOR } cv__role;
typedef struct cv__token {
    char *token;
    size_t len;
    cv__role role;
    uint64_t vehicle; /* operators only */
} cv__token;
typedef struct cv__auth {
    cv__token *tokens;
    size_t ntokens;
} cv__auth;
/* Reads and checks the tokens file (format and permissions). */
cv_status cv__server_auth_load(cv__auth *a, const char *path, cv_diag *diag);
void cv__server_auth_fini(cv__auth *a);
/* Constant-time lookup: compares with every token, whatever matches. */
const cv__token *cv__server_auth_check(const cv__auth *a, const char *tok, size_t len);
const char *cv__server_role_name(cv__role r);

/* ---- store.c: SQLite (WAL) under --data; only the store thread calls these. ---- */
typedef struct cv__store cv__store;
typedef struct cv__live_day cv__live_day;
typedef struct cv__live_sub cv__live_sub;
cv_status cv__server_store_open(cv__store **out, const char *dir, cv_diag *diag);
void cv__server_store_close(cv__store *st);
/* Replaces the plan of (date, team); returns its new revision. */
cv_status cv__server_store_plan_save(cv__store *st, const char *date, const char *team,
                                     const char *plan_json, const char *problem_json,
                                     int64_t *revision, cv_diag *diag);
/* *plan_json / *problem_json malloc'ed (problem may be NULL); CV_ENOTFOUND if absent. */
cv_status cv__server_store_plan_get(cv__store *st, const char *date, const char *team,
                                    char **plan_json, char **problem_json, int64_t *revision,
                                    double *saved_at, cv_diag *diag);
/* Packs an array of {date, team, revision, saved_at, cost, routes, unassigned}. */
cv_status cv__server_store_plan_list(cv__store *st, const char *date, const char *team,
                                     msgpack_packer *pk, cv_diag *diag);
cv_status cv__server_store_job_save(cv__store *st, uint64_t id, const char *state,
                                    const char *result_json, const char *error_code,
                                    const char *error_msg, cv_diag *diag);
/* CV_ENOTFOUND if absent; strings malloc'ed (result_json may be NULL). */
cv_status cv__server_store_job_get(cv__store *st, uint64_t id, char **state, char **result_json,
                                   char **error_code, char **error_msg, cv_diag *diag);
cv_status cv__server_store_job_max_id(cv__store *st, uint64_t *out);
/* The connection, for tables kept by other files (rpc_live.c). */
struct sqlite3 *cv__server_store_sqlite(cv__store *st);

/* ---- conn.c ---- */
typedef struct cv__conn cv__conn;
struct cv__conn {
    cv_server *srv;
    union {
        uv_handle_t handle;
        uv_stream_t stream;
        uv_tcp_t tcp;
        uv_pipe_t pipe;
    } h;
    bool in_memory; /* no socket: output goes to `captured` (fuzz target, tests) */
    uv_timer_t idle;
    unsigned refs; /* the handles + deferred replies/jobs holding it */
    unsigned open_handles;
    bool closing, closed, reading_paused; /* closing: nothing more read or sent */
    uint64_t id;
    msgpack_unpacker unp;
    cv__frame frame;
    cv__role role; /* CV__ROLE_COORDINATOR without --auth */
    uint64_t vehicle;
    unsigned busy;            /* replies owed + unfinished jobs it submitted: not idle */
    size_t write_queued;      /* bytes handed to uv_write and not yet written */
    size_t captured;          /* in-memory: bytes that would have been written */
    msgpack_sbuffer *capture; /* in-memory: optional copy of the output */
    cv__conn *prev, *next;
};

cv_status cv__server_conn_accept(cv_server *srv, uv_stream_t *listener);
/* A connection without a socket; feed it bytes with cv__server_conn_feed. */
cv_status cv__server_conn_create_memory(cv_server *srv, cv__conn **out);
void cv__server_conn_feed(cv__conn *c, const char *data, size_t len);
void cv__server_conn_ref(cv__conn *c);
void cv__server_conn_unref(cv__conn *c);
/* One reply owed or job watched less (busy--).  When nothing is owed any
 * more, the idle period starts now: otherwise the timer's next tick, due
 * from the last read before a long solve, could drop the client a moment
 * after its answer, before it had time to send again. */
void cv__server_conn_unbusy(cv__conn *c);
/* Closes now (pending writes are dropped). */
void cv__server_conn_close(cv__conn *c);
/* Sends buf (malloc'ed, ownership taken).  Dropped if the connection is closing. */
void cv__server_conn_send(cv__conn *c, char *buf, size_t len);
/* Sends an `rpc.error` notification, then closes once it is written. */
void cv__server_conn_fail(cv__conn *c, cv__server_rpc_error e, const char *msg);

/* ---- rpc.c: requests in, responses and notifications out. ---- */
typedef struct cv__req {
    cv_server *srv;
    cv__conn *conn;
    uint32_t msgid;
    const msgpack_object *params; /* an array; valid only during the handler call */
} cv__req;

/* A reply that may be sent later (after a worker): holds a reference on the connection. */
typedef struct cv__pending {
    cv__conn *conn;
    uint32_t msgid;
} cv__pending;

void cv__server_rpc_handle(cv__conn *c, const msgpack_object *msg);
void cv__server_pending_take(cv__pending *p, const cv__req *r);
/* Each of these releases the pending reference. */
void cv__server_pending_ok_raw(cv__pending *p, const char *mp, size_t len);
void cv__server_pending_err(cv__pending *p, cv__server_rpc_error e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void cv__server_pending_drop(cv__pending *p);

/* The answer a pool task builds on its thread -- a packed result in out, or
 * an error -- and sends on the loop thread (rpc.c).  Shared by the graph
 * queries (geo.c, rpc_coverage.c) and the store calls (plans.c). */
typedef struct cv__answer {
    cv__pending reply;
    bool failed;
    cv__server_rpc_error err;
    char errmsg[CV_DIAG_MAX + 64];
    msgpack_sbuffer out;
} cv__answer;

void cv__server_answer_init(cv__answer *a);
/* On the task's thread: the request fails with e and the message. */
void cv__server_answer_fail(cv__answer *a, cv__server_rpc_error e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* On the loop (a task's done): shutting_down when canceled, else the error or
 * the result; releases the pending reference. */
void cv__server_answer_send(cv__answer *a, bool canceled);
/* Frees out; releases the pending reference if it was not sent. */
void cv__server_answer_fini(cv__answer *a);
/* Queues task on pool and takes the pending reply.  On a full queue it
 * replies busy with busy_msg and returns false: the caller frees the task. */
bool cv__server_answer_submit(cv__answer *a, cv__req *r, cv__pool *pool, cv__task *task,
                              const char *busy_msg);

/* Begins a reply [1, msgid, nil, <result follows>] in a fresh buffer. */
void cv__server_reply_begin(msgpack_sbuffer *sb, msgpack_packer *pk, uint32_t msgid);
/* Sends a finished buffer (ownership of sb's data passes to the connection). */
void cv__server_reply_send(cv__conn *c, msgpack_sbuffer *sb);
void cv__server_reply_err(cv__conn *c, uint32_t msgid, cv__server_rpc_error e, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Notification [2, method, [<params packed in raw>]] */
void cv__server_notify_raw(cv__conn *c, const char *method, const char *mp, size_t len);
void cv__server_pack_error(msgpack_packer *pk, cv__server_rpc_error e, const char *msg);

/* ---- methods.c, jobs.c, geo.c, plans.c: the method handlers. ---- */
typedef void (*cv__server_method_fn)(cv__req *r);
typedef enum cv__access {
    CV__ACCESS_ANY = 0,      /* also before auth */
    CV__ACCESS_OPERATOR = 1, /* operators (checked further by the method) and coordinators */
    CV__ACCESS_COORDINATOR = 2,
} cv__access;
typedef struct cv__method {
    const char *name;
    cv__server_method_fn fn;
    cv__access access;
} cv__method;
const cv__method *cv__server_method_find(const char *name, size_t len);

void cv__server_m_solve(cv__req *r);
void cv__server_m_job_submit(cv__req *r);
void cv__server_m_job_status(cv__req *r);
void cv__server_m_job_result(cv__req *r);
void cv__server_m_job_cancel(cv__req *r);
void cv__server_m_plan_save(cv__req *r);
void cv__server_m_plan_get(cv__req *r);
void cv__server_m_plan_list(cv__req *r);
void cv__server_m_plan_route(cv__req *r);
void cv__server_m_route(cv__req *r);
void cv__server_m_matrix(cv__req *r);
void cv__server_m_snap(cv__req *r);
/* rpc_live.c: the running day (live.*, visit.*, vehicle.position, plan.insert_urgent,
 * plan.reoptimize, route.subscribe). */
void cv__server_m_live_start(cv__req *r);
void cv__server_m_live_get(cv__req *r);
void cv__server_m_visit_start(cv__req *r);
void cv__server_m_visit_done(cv__req *r);
void cv__server_m_visit_skipped(cv__req *r);
void cv__server_m_vehicle_position(cv__req *r);
void cv__server_m_plan_insert_urgent(cv__req *r);
void cv__server_m_plan_reoptimize(cv__req *r);
void cv__server_m_route_subscribe(cv__req *r);
void cv__server_live_conn_closed(cv_server *s, cv__conn *c);
void cv__server_live_fini(cv_server *s); /* after the pools stopped */
void cv__server_m_coverage(cv__req *r);  /* rpc_coverage.c */
void cv__server_m_siting(cv__req *r);
void cv__server_m_caravan_stops(cv__req *r);

/* methods.c: parameter helpers; on failure they reply invalid_params and return false. */
/* params[i]: NULL when absent. */
const msgpack_object *cv__server_param(const cv__req *r, uint32_t i);
bool cv__server_param_map(cv__req *r, uint32_t i, bool required, const msgpack_object **out);
/* A string field (key in map, or params[i] when map is NULL); *out malloc'ed or NULL when absent.
 */
bool cv__server_param_str(cv__req *r, const msgpack_object *o, const char *path, bool required,
                          size_t maxlen, char **out);
/* A plan's date (YYYY-MM-DD) and team at d and tm, named dpath and tpath.
 * *date and *team are malloc'ed or NULL; the caller frees them, also on failure. */
bool cv__server_param_date_team(cv__req *r, const msgpack_object *d, const msgpack_object *tm,
                                const char *dpath, const char *tpath, bool required, char **date,
                                char **team);
/* params[0].<key> of map m: a number in [lo, hi] (a whole one when integer);
 * def when absent, unless def < 0 (then it is required). */
bool cv__server_param_number(cv__req *r, const msgpack_object *m, const char *key, double lo,
                             double hi, double def, bool integer, double *out);
/* path names o: an array of min..max [lon, lat] points in degrees, or (single)
 * one [lon, lat].  *out malloc'ed (2 doubles a point), *n the count. */
bool cv__server_param_points(cv__req *r, const msgpack_object *o, const char *path, bool single,
                             uint32_t min, uint32_t max, double **out, uint32_t *n);
#ifdef CV_GRAPH_AVAILABLE
/* The loaded graph, or false after replying unavailable when there is none. */
bool cv__server_need_graph(cv__req *r);
/* params[0].profile of map m: a profile of the loaded graph; when absent the
 * profile named def (NULL: the graph's first). */
bool cv__server_param_profile(cv__req *r, const msgpack_object *m, const char *def, int *out);
#endif

/* jobs.c: the job table and the solver adapter. */
typedef struct cv__job cv__job;
cv_status cv__server_jobs_init(cv_server *s);
void cv__server_jobs_fini(cv_server *s);
void cv__server_jobs_progress_tick(cv_server *s);
void cv__server_jobs_conn_closed(cv_server *s, cv__conn *c);
void cv__server_jobs_counts(cv_server *s, uint64_t *submitted, uint64_t *done, uint64_t *failed,
                            uint64_t *canceled);

/* store tasks (plans.c) run on the store pool; used by jobs.c to persist results. */
void cv__server_store_save_job_async(cv_server *s, uint64_t id, const char *state,
                                     char *result_json, const char *error_code,
                                     const char *error_msg);

/* ---- server.c ---- */
typedef struct cv__stats {
    uint64_t connections_total, requests, notifications_in, errors, bytes_in, bytes_out;
    uint64_t dropped_idle, dropped_malformed, refused_connections;
} cv__stats;

struct cv_server {
    cv_server_config cfg;
    char *listen, *data_dir, *auth_file, *graph_path;
    uv_loop_t loop;
    bool loop_init;
    union {
        uv_handle_t handle;
        uv_stream_t stream;
        uv_tcp_t tcp;
        uv_pipe_t pipe;
    } listener;
    bool has_listener, listener_open;
    int port;
    uv_async_t stop_async;
    uv_signal_t sigterm, sigint;
    uv_timer_t tick; /* progress notifications and the stop sequence */
    bool handles_open;
    atomic_bool stop_requested;
    bool stopping;
    double stop_deadline; /* connections still draining then are closed */
    cv__pool solve_pool, store_pool, query_pool;
    bool pools_init;
    cv__auth auth;
    bool has_auth;
    cv__store *store; /* touched only by the store thread after create */
    void *graph;      /* cv_graph * when built with the graph */
    cv__conn *conns;
    unsigned nconns;
    uint64_t next_conn_id;
    cv__stats stats;
    double t_start;
    /* jobs.c */
    cv__job *jobs_head, *jobs_tail;
    unsigned njobs_finished_kept;
    uint64_t next_job_id;
    uint64_t jobs_submitted, jobs_done, jobs_failed, jobs_canceled;
    /* rpc_live.c: live days (store thread only), subscriptions (loop only). */
    struct cv__live_day *live_days;
    struct cv__live_sub *live_subs;
};

/* Continues a graceful stop once pools drained (called after each completion). */
void cv__server_maybe_finish(cv_server *s);
void cv__server_conn_closed(cv_server *s, cv__conn *c);

#endif
