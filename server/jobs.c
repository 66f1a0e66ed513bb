/* Solving: `solve` (waits) and `job.submit/status/result/cancel` with
 * `job.progress` notifications; the job table; the solver adapter.
 *
 * A job's problem is converted msgpack -> jansson on the loop (linear, it
 * also rejects binary values and non-string keys with a path), then a solve
 * worker dumps it to JSON text for cv_problem_from_json, fills matrices from
 * the road graph when the problem gives coordinates, runs the solver and
 * packs the plan (cv_plan_to_json -> msgpack) so that the loop only copies
 * bytes.  Finished jobs go to the store (plans.c) and stay in memory up to
 * keep_jobs.
 *
 * The solver adapter (solve_adapter) is the one place that calls the
 * solver: its on_progress callback feeds job.status and the job.progress
 * notifications (best cost, routes, unassigned about every 100 ms), and
 * job.cancel sets the flag the search polls between iterations, so a
 * running job stops within one ruin-and-recreate step. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cv/engine.h"
#include "server_int.h"
#ifdef CV_SOLVER_AVAILABLE
#include "cv/solver.h"
#endif
#ifdef CV_GRAPH_AVAILABLE
#include "cv/graph.h"
#endif

typedef enum job_state { JS_QUEUED, JS_RUNNING, JS_DONE, JS_FAILED, JS_CANCELED } job_state;
static const char *state_names[] = {"queued", "running", "done", "failed", "canceled"};

typedef enum job_phase { PH_NONE, PH_PREPARE, PH_SEARCH, PH_FINISHED } job_phase;
static const char *phase_names[] = {"none", "prepare", "search", "finished"};

typedef struct solve_opts {
    double time_limit_s;
    uint64_t effort, seed;
    unsigned threads;
} solve_opts;

struct cv__job {
    cv__task task; /* first member: the pool hands back this pointer */
    cv_server *srv;
    uint64_t id; /* 0: a synchronous `solve`, not in the table */
    json_t *problem;
    solve_opts opts;
    atomic_int cancel; /* nonzero: stop (the solver polls it between iterations) */
    /* Written by the worker under mu, read by the loop. */
    pthread_mutex_t mu;
    job_state wstate;
    job_phase phase;
    double t_start, t_end;
    bool have_best;
    int64_t best_cost;
    uint32_t best_routes, best_unassigned;
    /* Results: the worker's until done() runs, then the loop's.  ans.out holds
     * the packed plan; ans.reply is a synchronous solve's pending reply. */
    cv__answer ans;
    char *plan_json;
    /* Loop only. */
    job_state state;
    double t_submit;
    bool in_pool, user_canceled;
    cv__conn *owner; /* job.submit's connection, for notifications (ref held) */
    cv__job *next;
};

static double now(void)
{
    return cv_clock_now();
}

/* ---- The solver adapter: the one place that calls the solver. ---- */

static void set_phase(cv__job *j, job_phase ph)
{
    pthread_mutex_lock(&j->mu);
    j->phase = ph;
    pthread_mutex_unlock(&j->mu);
}

#ifdef CV_SOLVER_AVAILABLE
/* Solver progress (called on the worker thread). */
static void on_progress(void *ud, const cv_solver_progress *pr)
{
    cv__job *j = ud;
    pthread_mutex_lock(&j->mu);
    j->have_best = true;
    j->best_cost = (int64_t)(pr->best_cost + 0.5);
    j->best_routes = pr->routes;
    j->best_unassigned = pr->unassigned;
    pthread_mutex_unlock(&j->mu);
}

static void record_best(cv__job *j, const cv_plan *plan)
{
    pthread_mutex_lock(&j->mu);
    j->have_best = true;
    j->best_cost = plan->cost;
    j->best_routes = plan->nroutes;
    j->best_unassigned = plan->nunassigned;
    pthread_mutex_unlock(&j->mu);
}
#endif

static void solve_adapter(cv__job *j)
{
    cv_diag diag;
    cv_diag_clear(&diag);
    set_phase(j, PH_PREPARE);
    char *text = json_dumps(j->problem, JSON_COMPACT);
    json_decref(j->problem);
    j->problem = NULL;
    if (!text) {
        cv__server_answer_fail(&j->ans, CV__E_INTERNAL, "out of memory");
        return;
    }
    cv_problem *p = NULL;
    cv_status s = cv_problem_from_json(&p, text, strlen(text), &diag);
    free(text);
    if (s != CV_OK) {
        if (s == CV_ENOMEM)
            cv__server_answer_fail(&j->ans, CV__E_INTERNAL, "out of memory");
        else
            cv__server_answer_fail(&j->ans, CV__E_INVALID_PARAMS, "params[0]: %s",
                                   diag.set ? diag.msg : cv_status_message(s));
        return;
    }
    if (!cv_problem_has_matrices(p)) {
#ifdef CV_GRAPH_AVAILABLE
        if (j->srv->graph)
            s = cv_engine_fill_matrices(p, j->srv->graph, 1, &diag);
        else
#endif
            s = cv_diag_set(&diag, "the problem gives coordinates but no matrices, and this "
                                   "server has no road graph (start it with --graph)");
        if (s != CV_OK) {
            cv__server_answer_fail(&j->ans, s == CV_ENOMEM ? CV__E_INTERNAL : CV__E_INVALID_PARAMS,
                                   "params[0]: %s", diag.set ? diag.msg : cv_status_message(s));
            cv_problem_destroy(p);
            return;
        }
    }
    if (cv_problem_is_periodic(p)) {
        /* The solver plans one day; a horizon planned as one day would be a
         * silently wrong plan (the periodic planner is engine/periodic.c). */
        cv__server_answer_fail(
            &j->ans, CV__E_INVALID_PARAMS,
            "params[0]: a multi-day problem (horizon) is not planned by the server yet; use "
            "`carevan solve`");
        cv_problem_destroy(p);
        return;
    }
#ifdef CV_SOLVER_AVAILABLE
    cv_plan *plan = NULL;
    cv_solver_config cfg;
    if (atomic_load(&j->cancel)) goto canceled;
    set_phase(j, PH_SEARCH);
    cv_solver_config_init(&cfg);
    cfg.seed = j->opts.seed;
    cfg.threads = j->opts.threads;
    cfg.time_limit_s = j->opts.time_limit_s;
    if (j->opts.effort) cfg.max_effort = j->opts.effort;
    cfg.cancel = &j->cancel;
    if (j->id != 0) { /* jobs report progress; a synchronous solve has no one to tell */
        cfg.on_progress = on_progress;
        cfg.progress_ud = j;
    }
    cv_diag_clear(&diag);
    s = cv_solver_run(p, &cfg, &plan, &diag);
    if (s == CV_ECANCELED || atomic_load(&j->cancel)) {
        cv_plan_destroy(plan);
        goto canceled;
    }
    if (s != CV_OK) {
        cv__server_answer_fail(
            &j->ans, s == CV_EINVAL || s == CV_EUNSUPPORTED ? CV__E_INVALID_PARAMS : CV__E_FAILED,
            "solver: %s", diag.set ? diag.msg : cv_status_message(s));
        cv_problem_destroy(p);
        return;
    }
    record_best(j, plan);
    s = cv_plan_to_json(plan, p, &j->plan_json);
    cv_plan_destroy(plan);
    cv_problem_destroy(p);
    if (s != CV_OK ||
        cv__server_json_text_to_mp(j->plan_json, strlen(j->plan_json), &j->ans.out) != CV_OK) {
        free(j->plan_json);
        j->plan_json = NULL;
        cv__server_answer_fail(&j->ans, CV__E_INTERNAL, "cannot write the plan: %s",
                               cv_status_message(s));
        return;
    }
    set_phase(j, PH_FINISHED);
    return;
canceled:
    cv__server_answer_fail(&j->ans, CV__E_CANCELED, "job canceled");
    cv_problem_destroy(p);
#else
    cv_problem_destroy(p);
    cv__server_answer_fail(&j->ans, CV__E_UNAVAILABLE, "this build has no solver");
#endif
}

static void job_run(cv__task *t)
{
    cv__job *j = (cv__job *)t;
    pthread_mutex_lock(&j->mu);
    j->wstate = JS_RUNNING;
    j->t_start = now();
    pthread_mutex_unlock(&j->mu);
    solve_adapter(j);
    pthread_mutex_lock(&j->mu);
    j->t_end = now();
    pthread_mutex_unlock(&j->mu);
}

/* ---- The job table (loop thread). ---- */

static void job_free(cv__job *j)
{
    json_decref(j->problem);
    free(j->plan_json);
    if (j->owner) {
        cv__server_conn_unbusy(j->owner);
        cv__server_conn_unref(j->owner);
    }
    cv__server_answer_fini(&j->ans);
    pthread_mutex_destroy(&j->mu);
    free(j);
}

static cv__job *job_find(cv_server *s, uint64_t id)
{
    for (cv__job *j = s->jobs_head; j; j = j->next)
        if (j->id == id) return j;
    return NULL;
}

static void evict(cv_server *s)
{
    cv__job *prev = NULL, *j = s->jobs_head;
    while (j && s->njobs_finished_kept > s->cfg.keep_jobs) {
        cv__job *next = j->next;
        if (!j->in_pool) {
            if (prev)
                prev->next = next;
            else
                s->jobs_head = next;
            if (s->jobs_tail == j) s->jobs_tail = prev;
            s->njobs_finished_kept--;
            job_free(j);
        } else {
            prev = j;
        }
        j = next;
    }
}

/* Packs {job, state, phase, elapsed_s[, cost, routes, unassigned][, error]}. */
static void pack_status(msgpack_packer *pk, cv__job *j)
{
    pthread_mutex_lock(&j->mu);
    job_state ws = j->wstate;
    job_phase ph = j->phase;
    double t0 = j->t_start, t1 = j->t_end;
    bool best = j->have_best;
    int64_t cost = j->best_cost;
    uint32_t routes = j->best_routes, un = j->best_unassigned;
    pthread_mutex_unlock(&j->mu);
    job_state st = j->state;
    if (st == JS_QUEUED && ws == JS_RUNNING) st = JS_RUNNING;
    double elapsed = t0 == 0 ? 0 : (t1 > 0 ? t1 : now()) - t0;
    bool err = st == JS_FAILED;
    msgpack_pack_map(pk, 4 + (best ? 3 : 0) + (err ? 1 : 0));
    cv__server_pack_kv_u64(pk, "job", j->id);
    cv__server_pack_kv_str(pk, "state", state_names[st]);
    cv__server_pack_kv_str(pk, "phase", phase_names[ph]);
    cv__server_pack_kv_double(pk, "elapsed_s", elapsed);
    if (best) {
        cv__server_pack_kv_i64(pk, "cost", cost);
        cv__server_pack_kv_u64(pk, "routes", routes);
        cv__server_pack_kv_u64(pk, "unassigned", un);
    }
    if (err) {
        cv__server_pack_str(pk, "error");
        cv__server_pack_error(pk, j->ans.err, j->ans.errmsg);
    }
}

static void notify_progress(cv__job *j)
{
    if (!j->owner || j->owner->closing) return;
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    pack_status(&pk, j);
    cv__server_notify_raw(j->owner, "job.progress", sb.data, sb.size);
    msgpack_sbuffer_destroy(&sb);
}

void cv__server_jobs_progress_tick(cv_server *s)
{
    for (cv__job *j = s->jobs_head; j; j = j->next) {
        if (!j->in_pool || j->state == JS_CANCELED) continue;
        pthread_mutex_lock(&j->mu);
        bool running = j->wstate == JS_RUNNING;
        pthread_mutex_unlock(&j->mu);
        if (running) {
            j->state = JS_RUNNING;
            notify_progress(j);
        }
    }
}

void cv__server_jobs_conn_closed(cv_server *s, cv__conn *c)
{
    for (cv__job *j = s->jobs_head; j; j = j->next)
        if (j->owner == c) {
            j->owner = NULL;
            cv__server_conn_unbusy(c);
            cv__server_conn_unref(c);
        }
}

void cv__server_jobs_counts(cv_server *s, uint64_t *submitted, uint64_t *done, uint64_t *failed,
                            uint64_t *canceled)
{
    *submitted = s->jobs_submitted;
    *done = s->jobs_done;
    *failed = s->jobs_failed;
    *canceled = s->jobs_canceled;
}

static void job_done(cv__task *t, bool canceled_in_queue)
{
    cv__job *j = (cv__job *)t;
    cv_server *s = j->srv;
    j->in_pool = false;
    if (canceled_in_queue) {
        cv__server_answer_fail(&j->ans, s->stopping ? CV__E_SHUTTING_DOWN : CV__E_CANCELED, "%s",
                               s->stopping ? "server stopped before the job started"
                                           : "job canceled");
        j->state = JS_CANCELED;
    } else if (j->user_canceled || (j->ans.failed && j->ans.err == CV__E_CANCELED)) {
        j->state = JS_CANCELED;
        if (!j->ans.failed) cv__server_answer_fail(&j->ans, CV__E_CANCELED, "job canceled");
    } else {
        j->state = j->ans.failed ? JS_FAILED : JS_DONE;
    }
    if (j->state == JS_CANCELED)
        s->jobs_canceled++;
    else if (j->state == JS_FAILED)
        s->jobs_failed++;
    else
        s->jobs_done++;
    if (j->id == 0) {
        /* Every state but JS_DONE has failed set above: the error goes out. */
        cv__server_answer_send(&j->ans, false);
        job_free(j);
    } else {
        notify_progress(j);
        if (j->owner) {
            cv__server_conn_unbusy(j->owner);
            cv__server_conn_unref(j->owner);
            j->owner = NULL;
        }
        /* The store copy is what job.result finds after a restart. */
        if (s->store) {
            char *plan = NULL;
            if (j->state == JS_DONE && j->plan_json) plan = strdup(j->plan_json);
            cv__server_store_save_job_async(s, j->id, state_names[j->state], plan,
                                            j->ans.failed ? cv__server_rpc_error_key(j->ans.err)
                                                          : NULL,
                                            j->ans.failed ? j->ans.errmsg : NULL);
        }
        free(j->plan_json);
        j->plan_json = NULL;
        s->njobs_finished_kept++;
        evict(s);
    }
    cv__server_maybe_finish(s);
}

/* ---- Methods ---- */

static bool read_opts(cv__req *r, solve_opts *o)
{
    o->time_limit_s = 0;
    o->effort = 0;
    o->seed = 1;
    o->threads = 1;
    const msgpack_object *m;
    if (!cv__server_param_map(r, 1, false, &m)) return false;
    if (!m) return true;
    for (uint32_t i = 0; i < m->via.map.size; i++) {
        const msgpack_object *k = &m->via.map.ptr[i].key, *v = &m->via.map.ptr[i].val;
        double d;
        uint64_t u;
        if (cv__server_mp_str_eq(k, "time_limit")) {
            if (!cv__server_mp_get_double(v, &d) || d < 0 || d > r->srv->cfg.max_time_limit_s) {
                cv__server_reply_err(r->conn, r->msgid, CV__E_INVALID_PARAMS,
                                     "params[1].time_limit: expected seconds in 0..%g",
                                     r->srv->cfg.max_time_limit_s);
                return false;
            }
            o->time_limit_s = d;
        } else if (cv__server_mp_str_eq(k, "effort")) {
            if (!cv__server_mp_get_u64(v, &u)) {
                cv__server_reply_err(r->conn, r->msgid, CV__E_INVALID_PARAMS,
                                     "params[1].effort: expected an integer >= 0");
                return false;
            }
            o->effort = u;
        } else if (cv__server_mp_str_eq(k, "seed")) {
            if (!cv__server_mp_get_u64(v, &u)) {
                cv__server_reply_err(r->conn, r->msgid, CV__E_INVALID_PARAMS,
                                     "params[1].seed: expected an integer >= 0");
                return false;
            }
            o->seed = u;
        } else if (cv__server_mp_str_eq(k, "threads")) {
            if (!cv__server_mp_get_u64(v, &u) || u < 1 || u > 8) {
                cv__server_reply_err(r->conn, r->msgid, CV__E_INVALID_PARAMS,
                                     "params[1].threads: expected 1..8");
                return false;
            }
            o->threads = (unsigned)u;
        } else {
            cv__server_reply_err(
                r->conn, r->msgid, CV__E_INVALID_PARAMS,
                "params[1]: unknown option %s%.*s%s (expected time_limit, effort, seed, "
                "threads)",
                k->type == MSGPACK_OBJECT_STR ? "\"" : "",
                k->type == MSGPACK_OBJECT_STR ? (int)(k->via.str.size > 64 ? 64 : k->via.str.size)
                                              : 0,
                k->type == MSGPACK_OBJECT_STR ? k->via.str.ptr : "",
                k->type == MSGPACK_OBJECT_STR ? "\"" : "(not a string)");
            return false;
        }
    }
    /* Every job has a wall-clock safety stop, whatever effort was asked. */
    if (o->time_limit_s <= 0) o->time_limit_s = r->srv->cfg.max_time_limit_s;
    uint64_t cap = r->srv->cfg.max_effort;
    if (cap && (o->effort == 0 || o->effort > cap)) o->effort = cap;
    return true;
}

/* Builds a job from params [problem, options]; replies and returns NULL on bad input. */
static cv__job *job_from_params(cv__req *r)
{
    const msgpack_object *pm;
    if (!cv__server_param_map(r, 0, true, &pm)) return NULL;
    if (r->params->via.array.size > 2) {
        cv__server_reply_err(r->conn, r->msgid, CV__E_INVALID_PARAMS,
                             "params: expected [problem] or [problem, options]");
        return NULL;
    }
    solve_opts o;
    if (!read_opts(r, &o)) return NULL;
    cv_diag diag;
    cv_diag_clear(&diag);
    json_t *problem = NULL;
    cv_status s = cv__server_mp_to_json(pm, "params[0]", &problem, &diag);
    if (s != CV_OK) {
        cv__server_reply_err(r->conn, r->msgid,
                             s == CV_ENOMEM ? CV__E_INTERNAL : CV__E_INVALID_PARAMS, "%s",
                             diag.set ? diag.msg : "out of memory");
        return NULL;
    }
    cv__job *j = calloc(1, sizeof *j);
    if (!j || pthread_mutex_init(&j->mu, NULL) != 0) {
        free(j);
        json_decref(problem);
        cv__server_reply_err(r->conn, r->msgid, CV__E_INTERNAL, "out of memory");
        return NULL;
    }
    j->task.run = job_run;
    j->task.done = job_done;
    j->srv = r->srv;
    j->problem = problem;
    j->opts = o;
    atomic_init(&j->cancel, 0);
    cv__server_answer_init(&j->ans);
    j->t_submit = now();
    return j;
}

/* Queues j on the solve pool; a synchronous solve (id 0) also takes the
 * pending reply.  On a full queue it replies busy and returns false: the
 * caller frees j. */
static bool submit(cv__req *r, cv__job *j)
{
    cv_server *s = r->srv;
    char busy[128];
    snprintf(busy, sizeof busy, "busy: %u jobs running and %u queued (the limits); retry later",
             s->solve_pool.nstarted, s->cfg.max_queued);
    if (j->id == 0) {
        if (!cv__server_answer_submit(&j->ans, r, &s->solve_pool, &j->task, busy)) return false;
    } else if (cv__server_pool_submit(&s->solve_pool, &j->task) != CV_OK) {
        cv__server_reply_err(r->conn, r->msgid, CV__E_BUSY, "%s", busy);
        return false;
    }
    j->in_pool = true;
    return true;
}

void cv__server_m_solve(cv__req *r)
{
    cv__job *j = job_from_params(r);
    if (!j) return;
    if (!submit(r, j)) job_free(j);
}

void cv__server_m_job_submit(cv__req *r)
{
    cv_server *s = r->srv;
    cv__job *j = job_from_params(r);
    if (!j) return;
    j->id = s->next_job_id;
    if (!submit(r, j)) {
        job_free(j);
        return;
    }
    s->next_job_id++;
    s->jobs_submitted++;
    j->owner = r->conn;
    r->conn->busy++;
    cv__server_conn_ref(r->conn);
    if (s->jobs_tail)
        s->jobs_tail->next = j;
    else
        s->jobs_head = j;
    s->jobs_tail = j;
    msgpack_sbuffer sb;
    msgpack_packer pk;
    cv__server_reply_begin(&sb, &pk, r->msgid);
    msgpack_pack_map(&pk, 2);
    cv__server_pack_kv_u64(&pk, "job", j->id);
    cv__server_pack_kv_str(&pk, "state", "queued");
    cv__server_reply_send(r->conn, &sb);
}

/* Reads params[0] as a job id; replies and returns false when bad. */
static bool job_id_param(cv__req *r, uint64_t *id)
{
    if (r->params->via.array.size != 1 || !cv__server_mp_get_u64(cv__server_param(r, 0), id)) {
        cv__server_reply_err(r->conn, r->msgid, CV__E_INVALID_PARAMS,
                             "params: expected [job_id] with an integer job id");
        return false;
    }
    return true;
}

void cv__server_plans_job_lookup(cv__req *r, uint64_t id, bool want_result);

void cv__server_m_job_status(cv__req *r)
{
    uint64_t id;
    if (!job_id_param(r, &id)) return;
    cv__job *j = job_find(r->srv, id);
    if (!j) {
        cv__server_plans_job_lookup(r, id, false);
        return;
    }
    msgpack_sbuffer sb;
    msgpack_packer pk;
    cv__server_reply_begin(&sb, &pk, r->msgid);
    pack_status(&pk, j);
    cv__server_reply_send(r->conn, &sb);
}

void cv__server_m_job_result(cv__req *r)
{
    uint64_t id;
    if (!job_id_param(r, &id)) return;
    cv__job *j = job_find(r->srv, id);
    if (!j) {
        cv__server_plans_job_lookup(r, id, true);
        return;
    }
    switch (j->state) {
    case JS_DONE: {
        msgpack_sbuffer sb;
        msgpack_packer pk;
        cv__server_reply_begin(&sb, &pk, r->msgid);
        msgpack_sbuffer_write(&sb, j->ans.out.data, j->ans.out.size);
        cv__server_reply_send(r->conn, &sb);
        return;
    }
    case JS_CANCELED:
        cv__server_reply_err(r->conn, r->msgid, CV__E_CANCELED, "job %llu was canceled",
                             (unsigned long long)id);
        return;
    case JS_FAILED:
        cv__server_reply_err(r->conn, r->msgid, j->ans.err, "job %llu failed: %s",
                             (unsigned long long)id, j->ans.errmsg);
        return;
    default:
        cv__server_reply_err(r->conn, r->msgid, CV__E_NOT_READY, "job %llu is %s",
                             (unsigned long long)id, state_names[j->state]);
        return;
    }
}

void cv__server_m_job_cancel(cv__req *r)
{
    uint64_t id;
    if (!job_id_param(r, &id)) return;
    cv__job *j = job_find(r->srv, id);
    if (!j) {
        cv__server_reply_err(r->conn, r->msgid, CV__E_NOT_FOUND, "no job %llu in memory",
                             (unsigned long long)id);
        return;
    }
    if (j->in_pool) {
        j->user_canceled = true;
        atomic_store(&j->cancel, 1);
        /* Still waiting: removed now (job_done runs); running: its result
         * will be discarded when the solver returns. */
        if (!cv__server_pool_cancel(&r->srv->solve_pool, &j->task)) j->state = JS_CANCELED;
    }
    msgpack_sbuffer sb;
    msgpack_packer pk;
    cv__server_reply_begin(&sb, &pk, r->msgid);
    msgpack_pack_map(&pk, 2);
    cv__server_pack_kv_u64(&pk, "job", j->id);
    cv__server_pack_kv_str(&pk, "state", state_names[j->state]);
    cv__server_reply_send(r->conn, &sb);
}

cv_status cv__server_jobs_init(cv_server *s)
{
    s->next_job_id = 1;
    return CV_OK;
}

void cv__server_jobs_fini(cv_server *s)
{
    cv__job *j = s->jobs_head;
    while (j) {
        cv__job *next = j->next;
        job_free(j);
        j = next;
    }
    s->jobs_head = s->jobs_tail = NULL;
}
