/* plan.save / plan.get / plan.list / plan.route, and the store side of jobs
 * (saving finished results, finding them after a restart).
 *
 * Every method here becomes a task on the store pool: one thread owns the
 * SQLite connection, so writes are serialised without locks and the loop
 * never waits on a commit.  The reply goes out from the task's done
 * callback, after the commit: an acknowledged save is on disk.
 * Plans travel as msgpack maps; they are kept as JSON text (the same text
 * the CLI writes), so the store can be read with sqlite3 and json_extract. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server_int.h"
#ifdef CV_GRAPH_AVAILABLE
#include "cv/graph.h"
#endif

typedef enum store_op { OP_SAVE, OP_GET, OP_LIST, OP_ROUTE, OP_JOB_SAVE, OP_JOB_GET } store_op;

typedef struct store_task {
    cv__task task;
    cv_server *srv;
    store_op op;
    char *date, *team, *plan_json, *problem_json, *state, *error_code, *error_msg;
    uint64_t id, vehicle;
    bool want_result;
    cv__answer ans; /* written by the store thread */
} store_task;

static void task_free(store_task *t)
{
    free(t->date);
    free(t->team);
    free(t->plan_json);
    free(t->problem_json);
    free(t->state);
    free(t->error_code);
    free(t->error_msg);
    cv__server_answer_fini(&t->ans);
    free(t);
}

static void tfail(store_task *t, cv__server_rpc_error e, const char *msg)
{
    cv__server_answer_fail(&t->ans, e, "%s", msg);
}

static cv__server_rpc_error status_err(cv_status s)
{
    return s == CV_ENOTFOUND ? CV__E_NOT_FOUND
           : s == CV_EINVAL  ? CV__E_INVALID_PARAMS
                             : CV__E_INTERNAL;
}

/* ---- plan.route: one vehicle's route, with geometry when a graph is loaded ---- */

#ifdef CV_GRAPH_AVAILABLE
/* Vehicle's profile name from the stored problem, "car" when unknown. */
static const char *vehicle_profile(json_t *problem, uint64_t vehicle)
{
    json_t *vs = json_object_get(problem, "vehicles"), *v;
    size_t i;
    json_array_foreach(vs, i, v)
    {
        json_t *id = json_object_get(v, "id");
        if (json_is_integer(id) && (uint64_t)json_integer_value(id) == vehicle) {
            const char *p = json_string_value(json_object_get(v, "profile"));
            return p ? p : "car";
        }
    }
    return "car";
}

static void add_geometry(cv_server *s, json_t *route, json_t *problem, uint64_t vehicle,
                         msgpack_packer *pk)
{
    json_t *steps = json_object_get(route, "steps"), *st;
    size_t n = json_array_size(steps), i, k = 0;
    double *pts = cv_calloc(2 * (n ? n : 1), sizeof *pts);
    if (!pts) {
        msgpack_pack_nil(pk);
        return;
    }
    json_array_foreach(steps, i, st)
    {
        json_t *loc = json_object_get(st, "location");
        if (json_array_size(loc) != 2 || !json_is_number(json_array_get(loc, 0))) continue;
        pts[2 * k] = json_number_value(json_array_get(loc, 0));
        pts[2 * k + 1] = json_number_value(json_array_get(loc, 1));
        if (k > 0 && pts[2 * k] == pts[2 * k - 2] && pts[2 * k + 1] == pts[2 * k - 1]) continue;
        k++;
    }
    const char *pname = vehicle_profile(problem, vehicle);
    int prof = cv_graph_profile_find(s->graph, pname);
    char *poly = NULL;
    uint32_t dur = 0, dist = 0;
    cv_diag d;
    cv_diag_clear(&d);
    if (k >= 2 && prof >= 0 &&
        cv_graph_route_polyline(s->graph, prof, pts, (uint32_t)k, &poly, &dur, &dist, &d) ==
            CV_OK) {
        msgpack_pack_map(pk, 4);
        cv__server_pack_kv_str(pk, "profile", pname);
        cv__server_pack_kv_str(pk, "polyline", poly);
        cv__server_pack_kv_u64(pk, "duration_s", dur);
        cv__server_pack_kv_u64(pk, "distance_m", dist);
    } else {
        msgpack_pack_nil(pk);
    }
    free(poly);
    free(pts);
}
#endif

static void route_run(store_task *t, const char *plan_text, const char *problem_text,
                      int64_t revision)
{
    json_error_t je;
    json_t *plan = json_loads(plan_text, 0, &je);
    json_t *problem = problem_text ? json_loads(problem_text, 0, &je) : NULL;
    json_t *routes = json_object_get(plan, "routes"), *route = NULL, *r;
    size_t i;
    json_array_foreach(routes, i, r)
    {
        json_t *v = json_object_get(r, "vehicle");
        if (json_is_integer(v) && (uint64_t)json_integer_value(v) == t->vehicle) route = r;
    }
    if (!route) {
        char msg[256];
        snprintf(msg, sizeof msg, "plan %s/%s has no route for vehicle %llu", t->date, t->team,
                 (unsigned long long)t->vehicle);
        tfail(t, CV__E_NOT_FOUND, msg);
    } else {
        msgpack_packer pk;
        msgpack_packer_init(&pk, &t->ans.out, msgpack_sbuffer_write);
        msgpack_pack_map(&pk, 5);
        cv__server_pack_kv_str(&pk, "date", t->date);
        cv__server_pack_kv_str(&pk, "team", t->team);
        cv__server_pack_kv_i64(&pk, "revision", revision);
        cv__server_pack_str(&pk, "route");
        cv__server_json_pack(&pk, route);
        cv__server_pack_str(&pk, "geometry");
#ifdef CV_GRAPH_AVAILABLE
        if (t->srv->graph)
            add_geometry(t->srv, route, problem, t->vehicle, &pk);
        else
#endif
            msgpack_pack_nil(&pk);
    }
    json_decref(plan);
    json_decref(problem);
}

/* ---- The store thread ---- */

static void store_run(cv__task *task)
{
    store_task *t = (store_task *)task;
    cv__store *st = t->srv->store;
    cv_diag d;
    cv_diag_clear(&d);
    cv_status s = CV_OK;
    msgpack_packer pk;
    msgpack_packer_init(&pk, &t->ans.out, msgpack_sbuffer_write);
    switch (t->op) {
    case OP_SAVE: {
        int64_t rev = 0;
        s = cv__server_store_plan_save(st, t->date, t->team, t->plan_json, t->problem_json, &rev,
                                       &d);
        if (s == CV_OK) {
            msgpack_pack_map(&pk, 3);
            cv__server_pack_kv_str(&pk, "date", t->date);
            cv__server_pack_kv_str(&pk, "team", t->team);
            cv__server_pack_kv_i64(&pk, "revision", rev);
        }
        break;
    }
    case OP_GET:
    case OP_ROUTE: {
        char *plan = NULL, *prob = NULL;
        int64_t rev = 0;
        double at = 0;
        s = cv__server_store_plan_get(st, t->date, t->team, &plan, &prob, &rev, &at, &d);
        if (s != CV_OK) break;
        if (t->op == OP_ROUTE) {
            route_run(t, plan, prob, rev);
        } else {
            msgpack_sbuffer a, b;
            msgpack_sbuffer_init(&b);
            cv_status s1 = cv__server_json_text_to_mp(plan, strlen(plan), &a);
            cv_status s2 = prob ? cv__server_json_text_to_mp(prob, strlen(prob), &b) : CV_OK;
            if (s1 != CV_OK || s2 != CV_OK) {
                tfail(t, CV__E_INTERNAL, "stored plan is not readable JSON");
            } else {
                msgpack_pack_map(&pk, 6);
                cv__server_pack_kv_str(&pk, "date", t->date);
                cv__server_pack_kv_str(&pk, "team", t->team);
                cv__server_pack_kv_i64(&pk, "revision", rev);
                cv__server_pack_kv_double(&pk, "saved_at", at);
                cv__server_pack_str(&pk, "plan");
                msgpack_sbuffer_write(&t->ans.out, a.data, a.size);
                cv__server_pack_str(&pk, "problem");
                if (prob)
                    msgpack_sbuffer_write(&t->ans.out, b.data, b.size);
                else
                    msgpack_pack_nil(&pk);
            }
            if (s1 == CV_OK) msgpack_sbuffer_destroy(&a);
            msgpack_sbuffer_destroy(&b);
        }
        free(plan);
        free(prob);
        break;
    }
    case OP_LIST:
        s = cv__server_store_plan_list(st, t->date, t->team, &pk, &d);
        break;
    case OP_JOB_SAVE:
        s = cv__server_store_job_save(st, t->id, t->state, t->plan_json, t->error_code,
                                      t->error_msg, &d);
        if (s != CV_OK)
            cv_log(0, "carevan serve: job %llu: %s\n", (unsigned long long)t->id, d.msg);
        break;
    case OP_JOB_GET: {
        char *state = NULL, *res = NULL, *ecode = NULL, *emsg = NULL;
        s = cv__server_store_job_get(st, t->id, &state, &res, &ecode, &emsg, &d);
        if (s == CV_ENOTFOUND) {
            cv__server_answer_fail(&t->ans, CV__E_NOT_FOUND, "no job %llu",
                                   (unsigned long long)t->id);
            s = CV_OK;
        } else if (s == CV_OK && t->want_result) {
            if (!strcmp(state, "done") && res) {
                msgpack_sbuffer a;
                if (cv__server_json_text_to_mp(res, strlen(res), &a) == CV_OK) {
                    msgpack_sbuffer_write(&t->ans.out, a.data, a.size);
                    msgpack_sbuffer_destroy(&a);
                } else {
                    tfail(t, CV__E_INTERNAL, "stored result is not readable JSON");
                }
            } else {
                cv__server_answer_fail(
                    &t->ans, !strcmp(state, "canceled") ? CV__E_CANCELED : CV__E_FAILED,
                    "job %llu %s: %s", (unsigned long long)t->id, state, emsg ? emsg : "no result");
            }
        } else if (s == CV_OK) {
            msgpack_pack_map(&pk, ecode ? 5 : 4);
            cv__server_pack_kv_u64(&pk, "job", t->id);
            cv__server_pack_kv_str(&pk, "state", state);
            cv__server_pack_kv_str(&pk, "phase", "finished");
            cv__server_pack_kv_bool(&pk, "stored", true);
            if (ecode) {
                cv__server_pack_str(&pk, "error");
                msgpack_pack_map(&pk, 2);
                cv__server_pack_kv_str(&pk, "code", ecode);
                cv__server_pack_kv_str(&pk, "message", emsg ? emsg : "");
            }
        }
        free(state);
        free(res);
        free(ecode);
        free(emsg);
        break;
    }
    }
    if (s != CV_OK && !t->ans.failed) tfail(t, status_err(s), d.set ? d.msg : cv_status_message(s));
}

static void store_done(cv__task *task, bool canceled)
{
    store_task *t = (store_task *)task;
    cv_server *s = t->srv;
    cv__server_answer_send(&t->ans, canceled);
    task_free(t);
    cv__server_maybe_finish(s);
}

static store_task *task_new(cv__req *r, store_op op)
{
    if (!r->srv->store) {
        cv__server_reply_err(r->conn, r->msgid, CV__E_UNAVAILABLE,
                             "no plan store on this server (start it with --data DIR)");
        return NULL;
    }
    store_task *t = calloc(1, sizeof *t);
    if (!t) {
        cv__server_reply_err(r->conn, r->msgid, CV__E_INTERNAL, "out of memory");
        return NULL;
    }
    t->task.run = store_run;
    t->task.done = store_done;
    t->srv = r->srv;
    t->op = op;
    cv__server_answer_init(&t->ans);
    return t;
}

static void task_submit(cv__req *r, store_task *t)
{
    if (!cv__server_answer_submit(&t->ans, r, &r->srv->store_pool, &t->task,
                                  "busy: the store has too many writes queued"))
        task_free(t);
}

void cv__server_store_save_job_async(cv_server *s, uint64_t id, const char *state,
                                     char *result_json, const char *error_code,
                                     const char *error_msg)
{
    store_task *t = calloc(1, sizeof *t);
    if (t) {
        t->task.run = store_run;
        t->task.done = store_done;
        t->srv = s;
        t->op = OP_JOB_SAVE;
        t->id = id;
        t->plan_json = result_json;
        result_json = NULL;
        t->state = strdup(state);
        t->error_code = error_code ? strdup(error_code) : NULL;
        t->error_msg = error_msg ? strdup(error_msg) : NULL;
        cv__server_answer_init(&t->ans);
        if (t->state && cv__server_pool_submit(&s->store_pool, &t->task) == CV_OK) return;
        task_free(t);
    }
    free(result_json);
    cv_log(0, "carevan serve: job %llu: result not stored (store queue full or no memory)\n",
           (unsigned long long)id);
}

void cv__server_plans_job_lookup(cv__req *r, uint64_t id, bool want_result)
{
    if (!r->srv->store) {
        cv__server_reply_err(r->conn, r->msgid, CV__E_NOT_FOUND, "no job %llu",
                             (unsigned long long)id);
        return;
    }
    store_task *t = task_new(r, OP_JOB_GET);
    if (!t) return;
    t->id = id;
    t->want_result = want_result;
    task_submit(r, t);
}

/* ---- Parameters ---- */

static bool date_team(cv__req *r, const msgpack_object *d, const msgpack_object *tm,
                      const char *dpath, const char *tpath, bool required, store_task *t)
{
    return cv__server_param_date_team(r, d, tm, dpath, tpath, required, &t->date, &t->team);
}

/* A plan must look like a solution: routes of {vehicle, steps}. */
static bool check_plan_shape(cv__req *r, const msgpack_object *plan)
{
    const msgpack_object *routes = cv__server_mp_map_get(plan, "routes");
    if (!routes || routes->type != MSGPACK_OBJECT_ARRAY) {
        cv__server_reply_err(r->conn, r->msgid, CV__E_INVALID_PARAMS,
                             "params[0].plan.routes: an array of routes is required");
        return false;
    }
    for (uint32_t i = 0; i < routes->via.array.size; i++) {
        const msgpack_object *rt = &routes->via.array.ptr[i];
        uint64_t v;
        const msgpack_object *steps = cv__server_mp_map_get(rt, "steps");
        if (!cv__server_mp_get_u64(cv__server_mp_map_get(rt, "vehicle"), &v)) {
            cv__server_reply_err(
                r->conn, r->msgid, CV__E_INVALID_PARAMS,
                "params[0].plan.routes[%u].vehicle: an integer vehicle id is required", i);
            return false;
        }
        if (!steps || steps->type != MSGPACK_OBJECT_ARRAY) {
            cv__server_reply_err(r->conn, r->msgid, CV__E_INVALID_PARAMS,
                                 "params[0].plan.routes[%u].steps: an array is required", i);
            return false;
        }
    }
    return true;
}

static char *to_json_text(cv__req *r, const msgpack_object *o, const char *path)
{
    cv_diag d;
    cv_diag_clear(&d);
    json_t *j = NULL;
    if (cv__server_mp_to_json(o, path, &j, &d) != CV_OK) {
        cv__server_reply_err(r->conn, r->msgid, CV__E_INVALID_PARAMS, "%s",
                             d.set ? d.msg : "out of memory");
        return NULL;
    }
    char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (!text) cv__server_reply_err(r->conn, r->msgid, CV__E_INTERNAL, "out of memory");
    return text;
}

void cv__server_m_plan_save(cv__req *r)
{
    const msgpack_object *m;
    if (!cv__server_param_map(r, 0, true, &m)) return;
    store_task *t = task_new(r, OP_SAVE);
    if (!t) return;
    const msgpack_object *plan = cv__server_mp_map_get(m, "plan"),
                         *prob = cv__server_mp_map_get(m, "problem");
    if (!date_team(r, cv__server_mp_map_get(m, "date"), cv__server_mp_map_get(m, "team"),
                   "params[0].date", "params[0].team", true, t))
        goto fail;
    if (!plan || plan->type != MSGPACK_OBJECT_MAP) {
        cv__server_reply_err(r->conn, r->msgid, CV__E_INVALID_PARAMS,
                             "params[0].plan: the plan (a solution map) is required");
        goto fail;
    }
    if (!check_plan_shape(r, plan)) goto fail;
    if (!(t->plan_json = to_json_text(r, plan, "params[0].plan"))) goto fail;
    if (prob && prob->type != MSGPACK_OBJECT_NIL) {
        if (prob->type != MSGPACK_OBJECT_MAP) {
            cv__server_reply_err(r->conn, r->msgid, CV__E_INVALID_PARAMS,
                                 "params[0].problem: expected the problem map");
            goto fail;
        }
        if (!(t->problem_json = to_json_text(r, prob, "params[0].problem"))) goto fail;
    }
    task_submit(r, t);
    return;
fail:
    task_free(t);
}

void cv__server_m_plan_get(cv__req *r)
{
    store_task *t = task_new(r, OP_GET);
    if (!t) return;
    if (r->params->via.array.size != 2 ||
        !date_team(r, cv__server_param(r, 0), cv__server_param(r, 1), "params[0] (date)",
                   "params[1] (team)", true, t)) {
        if (r->params->via.array.size != 2)
            cv__server_reply_err(r->conn, r->msgid, CV__E_INVALID_PARAMS,
                                 "params: expected [date, team]");
        task_free(t);
        return;
    }
    task_submit(r, t);
}

void cv__server_m_plan_list(cv__req *r)
{
    const msgpack_object *m;
    if (!cv__server_param_map(r, 0, false, &m)) return;
    store_task *t = task_new(r, OP_LIST);
    if (!t) return;
    if (m && !date_team(r, cv__server_mp_map_get(m, "date"), cv__server_mp_map_get(m, "team"),
                        "params[0].date", "params[0].team", false, t)) {
        task_free(t);
        return;
    }
    task_submit(r, t);
}

void cv__server_m_plan_route(cv__req *r)
{
    uint64_t vehicle;
    if (r->params->via.array.size != 3 ||
        !cv__server_mp_get_u64(cv__server_param(r, 2), &vehicle)) {
        cv__server_reply_err(
            r->conn, r->msgid, CV__E_INVALID_PARAMS,
            "params: expected [date, team, vehicle_id] with an integer vehicle id");
        return;
    }
    if (r->conn->role == CV__ROLE_OPERATOR && vehicle != r->conn->vehicle) {
        cv__server_reply_err(r->conn, r->msgid, CV__E_FORBIDDEN,
                             "plan.route: this token may only read vehicle %llu's route",
                             (unsigned long long)r->conn->vehicle);
        return;
    }
    store_task *t = task_new(r, OP_ROUTE);
    if (!t) return;
    t->vehicle = vehicle;
    if (!date_team(r, cv__server_param(r, 0), cv__server_param(r, 1), "params[0] (date)",
                   "params[1] (team)", true, t)) {
        task_free(t);
        return;
    }
    task_submit(r, t);
}
