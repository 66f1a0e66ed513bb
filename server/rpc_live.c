/* The running day over RPC (cv/live.h): live.start, live.get, visit.start,
 * visit.done, visit.skipped, vehicle.position, plan.insert_urgent,
 * plan.reoptimize, route.subscribe, and the route.changed notifications.
 *
 * Threads: every live day lives on the store thread.  Each call becomes a
 * store task that finds the day (in memory, else restored from SQLite: the
 * saved problem plus the last persisted state), applies the change, writes
 * the new state in the `live` table (committed before the reply, like
 * plan.save), and hands back the reply and the vehicles whose routes
 * changed.  The loop thread then replies and pushes route.changed to the
 * subscribed connections.  One thread for all days serialises their changes
 * without locks; a re-plan (about 0.1-1 s of solver) delays other store work
 * meanwhile -- acceptable for a dispatcher, noted in PROTOCOL.md.
 * A server restart mid-day resumes every day from its last state. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cv/engine.h"
#include "cv/live.h"
#include "server_int.h"
#ifdef CV_GRAPH_AVAILABLE
#include "cv/graph.h"
#endif

/* A day being run (store thread only). */
struct cv__live_day {
    char *date, *team;
    cv_live *live;
    cv__live_day *next;
};

/* A connection's subscription (loop thread only); vehicle 0: every route. */
struct cv__live_sub {
    cv__conn *conn;
    char *date, *team;
    uint64_t vehicle;
    cv__live_sub *next;
};

typedef enum live_op {
    OP_START,
    OP_GET,
    OP_EVENT,
    OP_URGENT,
    OP_REOPT,
} live_op;

typedef struct live_task {
    cv__task task;
    cv_server *srv;
    live_op op;
    char *date, *team;
    json_t *params; /* the request's map as JSON */
    bool restart;
    uint64_t only_vehicle; /* live.get of an operator: its vehicle; 0 = all */
    /* Result (store thread). */
    cv__answer ans;
    char *changed; /* cv_live_vehicles_json of the changed routes, or NULL */
} live_task;

static void task_free(live_task *t)
{
    free(t->date);
    free(t->team);
    json_decref(t->params);
    free(t->changed);
    cv__server_answer_fini(&t->ans);
    free(t);
}

/* ---- SQLite: the `live` table (store thread) ---- */

static cv_status db_ready(sqlite3 *db, cv_diag *diag)
{
    char *err = NULL;
    if (sqlite3_exec(db,
                     "CREATE TABLE IF NOT EXISTS live(date TEXT NOT NULL, team TEXT NOT NULL,"
                     " state TEXT NOT NULL, updated_at REAL NOT NULL, PRIMARY KEY(date, team))",
                     NULL, NULL, &err) != SQLITE_OK) {
        cv_diag_set(diag, "store: live table: %s", err ? err : "error");
        sqlite3_free(err);
        return CV_EIO;
    }
    return CV_OK;
}

static cv_status db_save(sqlite3 *db, const char *date, const char *team, const char *state,
                         cv_diag *diag)
{
    sqlite3_stmt *q;
    if (db_ready(db, diag) != CV_OK) return CV_EIO;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO live(date, team, state, updated_at) VALUES(?1, ?2, ?3, "
                           "julianday('now')) ON CONFLICT(date, team) DO UPDATE SET state = ?3, "
                           "updated_at = julianday('now')",
                           -1, &q, NULL) != SQLITE_OK)
        return cv_diag_set(diag, "store: %s", sqlite3_errmsg(db)), CV_EIO;
    sqlite3_bind_text(q, 1, date, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, team, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, state, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        return cv_diag_set(diag, "store: saving live state: %s", sqlite3_errmsg(db)), CV_EIO;
    return CV_OK;
}

static cv_status db_load(sqlite3 *db, const char *date, const char *team, char **state,
                         cv_diag *diag)
{
    sqlite3_stmt *q;
    *state = NULL;
    if (db_ready(db, diag) != CV_OK) return CV_EIO;
    if (sqlite3_prepare_v2(db, "SELECT state FROM live WHERE date = ?1 AND team = ?2", -1, &q,
                           NULL) != SQLITE_OK)
        return cv_diag_set(diag, "store: %s", sqlite3_errmsg(db)), CV_EIO;
    sqlite3_bind_text(q, 1, date, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, team, -1, SQLITE_STATIC);
    cv_status st = CV_ENOTFOUND;
    if (sqlite3_step(q) == SQLITE_ROW) {
        const char *s = (const char *)sqlite3_column_text(q, 0);
        *state = s ? strdup(s) : NULL;
        st = *state ? CV_OK : CV_ENOMEM;
    }
    sqlite3_finalize(q);
    return st;
}

/* ---- Finding a day (store thread) ---- */

static cv__live_day *day_find(cv_server *s, const char *date, const char *team)
{
    for (cv__live_day *d = s->live_days; d; d = d->next)
        if (!strcmp(d->date, date) && !strcmp(d->team, team)) return d;
    return NULL;
}

static cv__live_day *day_add(cv_server *s, const char *date, const char *team, cv_live *L)
{
    cv__live_day *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->date = strdup(date);
    d->team = strdup(team);
    if (!d->date || !d->team) {
        free(d->date);
        free(d->team);
        free(d);
        return NULL;
    }
    d->live = L;
    d->next = s->live_days;
    s->live_days = d;
    return d;
}

/* The saved plan's problem, with travel times (the graph fills them). */
/* Urgent requests by coordinates are routed on the server's road graph when
 * it has the day's profiles (else they get "no road graph"). */
static void with_graph(const live_task *t, cv_live *L)
{
    cv_diag d;
    cv_diag_clear(&d);
    if (t->srv->graph && cv_live_set_graph(L, t->srv->graph, &d) != CV_OK)
        cv_live_set_graph(L, NULL, &d);
}

static cv_status load_problem(live_task *t, cv_problem **p, char **plan, cv_diag *diag)
{
    char *prob = NULL;
    int64_t rev;
    double at;
    cv_status st =
        cv__server_store_plan_get(t->srv->store, t->date, t->team, plan, &prob, &rev, &at, diag);
    if (st != CV_OK) return st;
    if (!prob) {
        free(*plan);
        *plan = NULL;
        return cv_diag_set(diag,
                           "plan %s/%s was saved without its problem: save it with "
                           "plan.save {..., \"problem\": ...} to run it live",
                           t->date, t->team);
    }
    st = cv_problem_from_json(p, prob, strlen(prob), diag);
    free(prob);
    if (st == CV_OK && !cv_problem_has_matrices(*p)) {
#ifdef CV_GRAPH_AVAILABLE
        if (t->srv->graph)
            st = cv_engine_fill_matrices(*p, t->srv->graph, 1, diag);
        else
#endif
            st = cv_diag_set(diag, "the problem gives coordinates and this server has no road "
                                   "graph (--graph)");
    }
    if (st != CV_OK) {
        cv_problem_destroy(*p);
        *p = NULL;
        free(*plan);
        *plan = NULL;
    }
    return st;
}

/* The day in memory, or restored from its last persisted state. */
static cv__live_day *day_get(live_task *t, cv_diag *diag, cv_status *st)
{
    cv_server *s = t->srv;
    cv__live_day *d = day_find(s, t->date, t->team);
    if (d) return d;
    sqlite3 *db = cv__server_store_sqlite(s->store);
    char *state = NULL, *plan = NULL;
    *st = db_load(db, t->date, t->team, &state, diag);
    if (*st == CV_ENOTFOUND) {
        cv_diag_set(diag, "the plan of %s/%s is not live (call live.start)", t->date, t->team);
        return NULL;
    }
    if (*st != CV_OK) return NULL;
    cv_problem *p = NULL;
    cv_live *L = NULL;
    if ((*st = load_problem(t, &p, &plan, diag)) == CV_OK)
        *st = cv_live_restore(&L, p, state, strlen(state), diag);
    if (*st == CV_OK) with_graph(t, L);
    free(state);
    free(plan);
    cv_problem_destroy(p);
    if (*st != CV_OK) return NULL;
    if (!(d = day_add(s, t->date, t->team, L))) {
        cv_live_destroy(L);
        *st = CV_ENOMEM;
    }
    return d;
}

/* ---- The store thread ---- */

static void pack_outcome(msgpack_packer *pk, const cv_live_outcome *o)
{
    static const char *names[] = {"inserted", "replanned", "refused"};
    msgpack_pack_map(pk, 11);
    cv__server_pack_kv_str(pk, "method", names[o->method]);
    cv__server_pack_kv_u64(pk, "vehicle", o->vehicle);
    cv__server_pack_kv_i64(pk, "arrival", o->arrival);
    cv__server_pack_kv_i64(pk, "deadline", o->deadline);
    cv__server_pack_kv_i64(pk, "margin", o->margin);
    cv__server_pack_kv_u64(pk, "changed", o->changed);
    cv__server_pack_kv_u64(pk, "dropped", o->dropped);
    cv__server_pack_kv_i64(pk, "cost_before", o->cost_before);
    cv__server_pack_kv_i64(pk, "cost_after", o->cost_after);
    cv__server_pack_kv_double(pk, "ms", o->ms);
    cv__server_pack_kv_str(pk, "message", o->message);
}

static void pack_json_text(live_task *t, msgpack_packer *pk, const char *text)
{
    json_t *j = json_loads(text, 0, NULL);
    if (!j || !cv__server_json_pack(pk, j))
        cv__server_answer_fail(&t->ans, CV__E_INTERNAL, "out of memory");
    json_decref(j);
}

static cv_status apply(live_task *t, cv__live_day *d, msgpack_packer *pk, cv_diag *diag)
{
    cv_status st = CV_OK;
    const char *ty = json_string_value(json_object_get(t->params, "type"));
    if (t->op == OP_EVENT) {
        cv_live_event ev;
        if ((st = cv_live_event_from_json(t->params, "params[0]", &ev, diag)) != CV_OK) return st;
        if ((st = cv_live_apply(d->live, &ev, diag)) != CV_OK) return st;
        msgpack_pack_map(pk, 3);
        cv__server_pack_kv_str(pk, "event", ty);
        cv__server_pack_kv_i64(pk, "now", cv_live_now(d->live));
        cv__server_pack_kv_bool(pk, "ok", true);
    } else if (t->op == OP_URGENT) {
        cv_live_urgent q;
        cv_live_outcome o;
        json_object_del(t->params, "type");
        if ((st = cv_live_urgent_from_json(t->params, "params[0]", cv_live_problem(d->live), &q,
                                           diag)) != CV_OK ||
            (st = cv_live_insert_urgent(d->live, &q, &o, diag)) != CV_OK)
            return st;
        pack_outcome(pk, &o);
    } else if (t->op == OP_REOPT) {
        int64_t time = cv_live_now(d->live), effort = 0;
        json_t *tj = json_object_get(t->params, "time"), *ej = json_object_get(t->params, "effort");
        if (tj && (!json_is_integer(tj) || json_integer_value(tj) < 0))
            return cv_diag_set(diag, "params[0].time: an integer time >= 0 is required");
        if (ej && (!json_is_integer(ej) || json_integer_value(ej) < 0))
            return cv_diag_set(diag, "params[0].effort: an integer >= 0 is required");
        if (tj) time = json_integer_value(tj);
        if (ej) effort = json_integer_value(ej);
        cv_live_outcome o;
        if ((st = cv_live_reoptimize(d->live, time, (uint64_t)effort, &o, diag)) != CV_OK)
            return st;
        pack_outcome(pk, &o);
    }
    return st;
}

static void live_run(cv__task *task)
{
    live_task *t = (live_task *)task;
    cv_server *s = t->srv;
    cv_diag d;
    cv_diag_clear(&d);
    cv_status st = CV_OK;
    msgpack_packer pk;
    msgpack_packer_init(&pk, &t->ans.out, msgpack_sbuffer_write);
    sqlite3 *db = cv__server_store_sqlite(s->store);
    char *before = NULL, *after = NULL;
    cv__live_day *day = NULL;

    if (t->op == OP_START) {
        day = day_find(s, t->date, t->team);
        if (!day || t->restart) {
            /* A fresh day from the saved plan (a restart replaces the state). */
            char *state = NULL, *plan = NULL;
            if (!t->restart && db_load(db, t->date, t->team, &state, &d) == CV_OK) {
                free(state);
                day = day_get(t, &d, &st); /* resume what was persisted */
            } else {
                cv_problem *p = NULL;
                cv_live *L = NULL;
                int64_t now = 0;
                json_t *tj = json_object_get(t->params, "time");
                if (tj && !json_is_integer(tj)) {
                    st = cv_diag_set(&d, "params[0].time: an integer time is required");
                } else {
                    now = tj ? json_integer_value(tj) : 0;
                    if ((st = load_problem(t, &p, &plan, &d)) == CV_OK)
                        st = cv_live_create(&L, p, plan, strlen(plan), now, &d);
                    if (st == CV_OK) with_graph(t, L);
                }
                free(plan);
                cv_problem_destroy(p);
                if (st == CV_OK) {
                    if (day) {
                        cv_live_destroy(day->live);
                        day->live = L;
                    } else if (!(day = day_add(s, t->date, t->team, L))) {
                        cv_live_destroy(L);
                        st = CV_ENOMEM;
                    }
                }
                if (st == CV_OK && day) {
                    char *text = NULL;
                    if ((st = cv_live_to_json(day->live, &text)) == CV_OK)
                        st = db_save(db, t->date, t->team, text, &d);
                    free(text);
                    /* Everyone's route is new. */
                    if (st == CV_OK) st = cv_live_vehicles_json(day->live, NULL, 0, &t->changed);
                }
            }
        }
        if (st == CV_OK && day) {
            char *text = NULL;
            if ((st = cv_live_to_json(day->live, &text)) == CV_OK) pack_json_text(t, &pk, text);
            free(text);
        }
        goto out;
    }
    if (!(day = day_get(t, &d, &st))) {
        if (st == CV_OK) st = CV_ENOTFOUND;
        goto out;
    }
    if (t->op == OP_GET) {
        char *text = NULL;
        st = t->only_vehicle ? cv_live_vehicles_json(day->live, &t->only_vehicle, 1, &text)
                             : cv_live_to_json(day->live, &text);
        if (st == CV_OK) pack_json_text(t, &pk, text);
        free(text);
        goto out;
    }
    if ((st = cv_live_to_json(day->live, &before)) != CV_OK) goto out;
    if ((st = apply(t, day, &pk, &d)) != CV_OK) goto out;
    if ((st = cv_live_to_json(day->live, &after)) != CV_OK) goto out;
    /* Committed before the reply: an acknowledged event survives a crash. */
    if ((st = db_save(db, t->date, t->team, after, &d)) != CV_OK) goto out;
    uint64_t ids[256];
    uint32_t n = cv_live_changed_vehicles(before, after, ids, 256);
    if (n) st = cv_live_vehicles_json(day->live, ids, n, &t->changed);
out:
    free(before);
    free(after);
    if (st != CV_OK && !t->ans.failed)
        cv__server_answer_fail(&t->ans,
                               st == CV_ENOTFOUND ? CV__E_NOT_FOUND
                               : st == CV_EINVAL || st == CV_EUNSUPPORTED || st == CV_EINFEASIBLE
                                   ? CV__E_INVALID_PARAMS
                                   : CV__E_INTERNAL,
                               "%s", d.set ? d.msg : cv_status_message(st));
}

/* ---- Notifications (loop thread) ---- */

static void notify(cv_server *s, const live_task *t)
{
    if (!t->changed) return;
    json_t *root = json_loads(t->changed, 0, NULL), *v;
    if (!root) return;
    json_t *vs = json_object_get(root, "vehicles");
    for (cv__live_sub *sub = s->live_subs; sub; sub = sub->next) {
        if (strcmp(sub->date, t->date) || strcmp(sub->team, t->team) || sub->conn->closing)
            continue;
        size_t i, n = 0;
        json_array_foreach(vs, i, v) if (!sub->vehicle ||
                                         (uint64_t)json_integer_value(json_object_get(v, "id")) ==
                                             sub->vehicle) n++;
        if (!n) continue;
        msgpack_sbuffer sb;
        msgpack_sbuffer_init(&sb);
        msgpack_packer pk;
        msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
        msgpack_pack_map(&pk, 4);
        cv__server_pack_kv_str(&pk, "date", t->date);
        cv__server_pack_kv_str(&pk, "team", t->team);
        cv__server_pack_kv_i64(&pk, "now", json_integer_value(json_object_get(root, "now")));
        cv__server_pack_str(&pk, "vehicles");
        msgpack_pack_array(&pk, n);
        json_array_foreach(vs, i, v) if (!sub->vehicle ||
                                         (uint64_t)json_integer_value(json_object_get(v, "id")) ==
                                             sub->vehicle) cv__server_json_pack(&pk, v);
        cv__server_notify_raw(sub->conn, "route.changed", sb.data, sb.size);
        msgpack_sbuffer_destroy(&sb);
    }
    json_decref(root);
}

static void live_done(cv__task *task, bool canceled)
{
    live_task *t = (live_task *)task;
    cv_server *s = t->srv;
    cv__server_answer_send(&t->ans, canceled);
    if (!canceled && !t->ans.failed) notify(s, t);
    task_free(t);
    cv__server_maybe_finish(s);
}

/* ---- Requests (loop thread) ---- */

static live_task *task_new(cv__req *r, live_op op, const char *type)
{
    if (!r->srv->store) {
        cv__server_reply_err(r->conn, r->msgid, CV__E_UNAVAILABLE,
                             "no store on this server (start it with --data DIR): a live day "
                             "must survive a restart");
        return NULL;
    }
    const msgpack_object *m;
    if (!cv__server_param_map(r, 0, true, &m)) return NULL;
    live_task *t = calloc(1, sizeof *t);
    if (!t) {
        cv__server_reply_err(r->conn, r->msgid, CV__E_INTERNAL, "out of memory");
        return NULL;
    }
    t->task.run = live_run;
    t->task.done = live_done;
    t->srv = r->srv;
    t->op = op;
    cv__server_answer_init(&t->ans);
    cv_diag d;
    cv_diag_clear(&d);
    if (cv__server_mp_to_json(m, "params[0]", &t->params, &d) != CV_OK) {
        cv__server_reply_err(r->conn, r->msgid, CV__E_INVALID_PARAMS, "%s",
                             d.set ? d.msg : "out of memory");
        task_free(t);
        return NULL;
    }
    if (!cv__server_param_date_team(r, cv__server_mp_map_get(m, "date"),
                                    cv__server_mp_map_get(m, "team"), "params[0].date",
                                    "params[0].team", true, &t->date, &t->team)) {
        task_free(t);
        return NULL;
    }
    json_object_del(t->params, "date");
    json_object_del(t->params, "team");
    if (type && json_object_set_new(t->params, "type", json_string(type)) != 0) {
        cv__server_reply_err(r->conn, r->msgid, CV__E_INTERNAL, "out of memory");
        task_free(t);
        return NULL;
    }
    return t;
}

static void submit(cv__req *r, live_task *t)
{
    if (!cv__server_answer_submit(&t->ans, r, &r->srv->store_pool, &t->task,
                                  "busy: the store has too much queued"))
        task_free(t);
}

/* Operators may act only for their own vehicle. */
static bool own_vehicle(cv__req *r, live_task *t, bool required)
{
    if (r->conn->role != CV__ROLE_OPERATOR) return true;
    json_t *v = json_object_get(t->params, "vehicle");
    if ((!v && !required) ||
        (json_is_integer(v) && (uint64_t)json_integer_value(v) == r->conn->vehicle))
        return true;
    cv__server_reply_err(r->conn, r->msgid, CV__E_FORBIDDEN,
                         "params[0].vehicle: this token acts only for vehicle %llu",
                         (unsigned long long)r->conn->vehicle);
    return false;
}

void cv__server_m_live_start(cv__req *r)
{
    live_task *t = task_new(r, OP_START, NULL);
    if (!t) return;
    json_t *rs = json_object_get(t->params, "restart");
    if (rs && !json_is_boolean(rs)) {
        cv__server_reply_err(r->conn, r->msgid, CV__E_INVALID_PARAMS,
                             "params[0].restart: true or false");
        task_free(t);
        return;
    }
    t->restart = json_is_true(rs);
    submit(r, t);
}

void cv__server_m_live_get(cv__req *r)
{
    live_task *t = task_new(r, OP_GET, NULL);
    if (!t) return;
    if (r->conn->role == CV__ROLE_OPERATOR) t->only_vehicle = r->conn->vehicle;
    submit(r, t);
}

static void event(cv__req *r, const char *type)
{
    live_task *t = task_new(r, OP_EVENT, type);
    if (!t) return;
    if (!own_vehicle(r, t, true)) {
        task_free(t);
        return;
    }
    submit(r, t);
}

void cv__server_m_visit_start(cv__req *r)
{
    event(r, "visit.start");
}
void cv__server_m_visit_done(cv__req *r)
{
    event(r, "visit.done");
}
void cv__server_m_visit_skipped(cv__req *r)
{
    event(r, "visit.skipped");
}
void cv__server_m_vehicle_position(cv__req *r)
{
    event(r, "vehicle.position");
}

void cv__server_m_plan_insert_urgent(cv__req *r)
{
    live_task *t = task_new(r, OP_URGENT, NULL);
    if (t) submit(r, t);
}

void cv__server_m_plan_reoptimize(cv__req *r)
{
    live_task *t = task_new(r, OP_REOPT, NULL);
    if (t) submit(r, t);
}

void cv__server_m_route_subscribe(cv__req *r)
{
    const msgpack_object *m;
    if (!cv__server_param_map(r, 0, true, &m)) return;
    cv__live_sub *sub = calloc(1, sizeof *sub);
    if (!sub) {
        cv__server_reply_err(r->conn, r->msgid, CV__E_INTERNAL, "out of memory");
        return;
    }
    const msgpack_object *v = cv__server_mp_map_get(m, "vehicle");
    if (!cv__server_param_date_team(r, cv__server_mp_map_get(m, "date"),
                                    cv__server_mp_map_get(m, "team"), "params[0].date",
                                    "params[0].team", true, &sub->date, &sub->team))
        goto fail;
    if (v && !cv__server_mp_get_u64(v, &sub->vehicle)) {
        cv__server_reply_err(r->conn, r->msgid, CV__E_INVALID_PARAMS,
                             "params[0].vehicle: an integer vehicle id");
        goto fail;
    }
    if (r->conn->role == CV__ROLE_OPERATOR && sub->vehicle != r->conn->vehicle) {
        cv__server_reply_err(r->conn, r->msgid, CV__E_FORBIDDEN,
                             "params[0].vehicle: this token may follow only vehicle %llu",
                             (unsigned long long)r->conn->vehicle);
        goto fail;
    }
    sub->conn = r->conn;
    sub->next = r->srv->live_subs;
    r->srv->live_subs = sub;
    msgpack_sbuffer sb;
    msgpack_packer pk;
    cv__server_reply_begin(&sb, &pk, r->msgid);
    msgpack_pack_map(&pk, 4);
    cv__server_pack_kv_bool(&pk, "subscribed", true);
    cv__server_pack_kv_str(&pk, "date", sub->date);
    cv__server_pack_kv_str(&pk, "team", sub->team);
    cv__server_pack_kv_u64(&pk, "vehicle", sub->vehicle);
    cv__server_reply_send(r->conn, &sb);
    return;
fail:
    free(sub->date);
    free(sub->team);
    free(sub);
}

static void sub_free(cv__live_sub *s)
{
    free(s->date);
    free(s->team);
    free(s);
}

void cv__server_live_conn_closed(cv_server *s, cv__conn *c)
{
    for (cv__live_sub **p = &s->live_subs; *p;) {
        if ((*p)->conn == c) {
            cv__live_sub *x = *p;
            *p = x->next;
            sub_free(x);
        } else {
            p = &(*p)->next;
        }
    }
}

void cv__server_live_fini(cv_server *s)
{
    while (s->live_subs) {
        cv__live_sub *x = s->live_subs;
        s->live_subs = x->next;
        sub_free(x);
    }
    while (s->live_days) {
        cv__live_day *d = s->live_days;
        s->live_days = d->next;
        cv_live_destroy(d->live);
        free(d->date);
        free(d->team);
        free(d);
    }
}
