/* Service-circle methods: coverage, siting and caravan_stops (engine/coverage.c).
 *
 *   coverage [{profile?, minutes, sites, clients, isochrones?}]
 *       -> {clients, covered, share, time_s: [s | nil], site: [index | nil],
 *           isochrones?: [GeoJSON MultiPolygon per site]}
 *   siting   [{profile?, minutes, sites, clients, candidates, add, time_limit?}]
 *       -> {chosen: [candidate index], clients, covered_before, covered_after,
 *           share_before, share_after, optimal}
 *   caravan_stops [{profile?, minutes, households, candidates?, time_limit?}]
 *       -> {stops: [candidate index], households, served, stop: [candidate index | nil],
 *           walk_s: [s | nil], unserved: [household index], optimal}
 *
 * Points are [lon, lat] arrays.  Like route/matrix/snap (geo.c) they run on
 * the query pool and read the immutable mapped graph; siting and caravan_stops run GLPK
 * there (solver/lp_cover.c, through the one GLPK guard, which serialises
 * GLPK when it lacks thread-local storage).  Every bad parameter is
 * invalid_params naming the field: "params[0].clients[3]: ...". */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server_int.h"
#if defined(CV_GRAPH_AVAILABLE) && defined(CV_SOLVER_AVAILABLE)
#include "cv/engine.h"
#include "cv/graph.h"

#define MAX_SITES 5000u
#define MAX_CLIENTS 200000u
#define MAX_MINUTES 240.0
#define MAX_TIME_LIMIT_S 120.0
/* one bounded walk search per candidate, and the (candidate, household) pairs in
 * reach held at once: a county's households, not a country's */
#define MAX_STOPS_POINTS 10000u

typedef enum cov_op { COV_COVERAGE, COV_SITING, COV_STOPS } cov_op;

typedef struct cov_task {
    cv__task task;
    cv_server *srv;
    cov_op op;
    bool isochrones;
    int profile;
    uint32_t limit_s, add;
    double time_limit_s;
    double *sites, *clients, *cands;
    uint32_t nsites, nclients, ncands; /* caravan_stops: clients are the households */
    cv__answer ans;
} cov_task;

static void cov_free(cov_task *t)
{
    free(t->sites);
    free(t->clients);
    free(t->cands);
    cv__server_answer_fini(&t->ans);
    free(t);
}

static void pack_index_or_nil(msgpack_packer *pk, uint32_t v)
{
    if (v == UINT32_MAX)
        msgpack_pack_nil(pk);
    else
        msgpack_pack_uint32(pk, v);
}

static cv_status run_coverage(cov_task *t, const cv_graph *g, msgpack_packer *pk, cv_diag *d)
{
    cv_coverage cov;
    cv_status s = cv_engine_coverage(g, t->profile, t->sites, t->nsites, t->clients, t->nclients,
                                     t->limit_s, &cov, d);
    if (s) return s;
    char *gj = NULL;
    msgpack_sbuffer iso;
    msgpack_sbuffer_init(&iso);
    if (t->isochrones) {
        /* one polygon per site: the geometries of the GeoJSON collection */
        s = cv_engine_coverage_geojson(g, t->profile, t->sites, t->nsites, NULL, t->clients, NULL,
                                       NULL, t->limit_s, &gj, d);
        if (!s) {
            msgpack_sbuffer_destroy(&iso);
            s = cv__server_json_text_to_mp(gj, strlen(gj), &iso);
        }
    }
    if (!s) {
        msgpack_pack_map(pk, t->isochrones ? 6 : 5);
        cv__server_pack_kv_u64(pk, "clients", t->nclients);
        cv__server_pack_kv_u64(pk, "covered", cov.ncovered);
        cv__server_pack_kv_double(pk, "share",
                                  t->nclients ? (double)cov.ncovered / t->nclients : 1.0);
        cv__server_pack_str(pk, "time_s");
        msgpack_pack_array(pk, t->nclients);
        for (uint32_t i = 0; i < t->nclients; i++) pack_index_or_nil(pk, cov.time_s[i]);
        cv__server_pack_str(pk, "site");
        msgpack_pack_array(pk, t->nclients);
        for (uint32_t i = 0; i < t->nclients; i++) pack_index_or_nil(pk, cov.site[i]);
        if (t->isochrones) {
            /* the collection is {"type", "features": [...], "properties"}:
             * pick the geometries of its first nsites features */
            msgpack_unpacked u;
            msgpack_unpacked_init(&u);
            if (msgpack_unpack_next(&u, iso.data, iso.size, NULL) != MSGPACK_UNPACK_SUCCESS) {
                s = CV_EINTERNAL;
            } else {
                const msgpack_object *f = cv__server_mp_map_get(&u.data, "features");
                cv__server_pack_str(pk, "isochrones");
                msgpack_pack_array(pk, t->nsites);
                for (uint32_t k = 0; k < t->nsites; k++)
                    msgpack_pack_object(pk,
                                        *cv__server_mp_map_get(&f->via.array.ptr[k], "geometry"));
            }
            msgpack_unpacked_destroy(&u);
        }
    }
    msgpack_sbuffer_destroy(&iso);
    free(gj);
    cv_coverage_fini(&cov);
    return s;
}

static cv_status run_siting(cov_task *t, const cv_graph *g, msgpack_packer *pk, cv_diag *d)
{
    cv_siting si;
    cv_status s =
        cv_engine_siting(g, t->profile, t->sites, t->nsites, t->clients, t->nclients, t->cands,
                         t->ncands, t->limit_s, t->add, t->time_limit_s, &si, d);
    if (s) return s;
    double n = t->nclients ? (double)t->nclients : 1.0;
    msgpack_pack_map(pk, 7);
    cv__server_pack_str(pk, "chosen");
    msgpack_pack_array(pk, si.nchosen);
    for (uint32_t k = 0; k < si.nchosen; k++) msgpack_pack_uint32(pk, si.chosen[k]);
    cv__server_pack_kv_u64(pk, "clients", t->nclients);
    cv__server_pack_kv_u64(pk, "covered_before", si.covered_before);
    cv__server_pack_kv_u64(pk, "covered_after", si.covered_after);
    cv__server_pack_kv_double(pk, "share_before", t->nclients ? si.covered_before / n : 1.0);
    cv__server_pack_kv_double(pk, "share_after", t->nclients ? si.covered_after / n : 1.0);
    cv__server_pack_kv_bool(pk, "optimal", si.optimal);
    cv_siting_fini(&si);
    return CV_OK;
}

static cv_status run_stops(cov_task *t, const cv_graph *g, msgpack_packer *pk, cv_diag *d)
{
    cv_caravan_stops cs;
    cv_status s = cv_engine_caravan_stops(g, t->profile, t->clients, t->nclients, t->cands,
                                          t->ncands, t->limit_s, t->time_limit_s, &cs, d);
    if (s) return s;
    msgpack_pack_map(pk, 7);
    cv__server_pack_str(pk, "stops");
    msgpack_pack_array(pk, cs.nstops);
    for (uint32_t k = 0; k < cs.nstops; k++) msgpack_pack_uint32(pk, cs.stops[k]);
    cv__server_pack_kv_u64(pk, "households", t->nclients);
    cv__server_pack_kv_u64(pk, "served", t->nclients - cs.nuncoverable);
    cv__server_pack_str(pk, "stop");
    msgpack_pack_array(pk, t->nclients);
    for (uint32_t i = 0; i < t->nclients; i++)
        pack_index_or_nil(pk, cs.stop_of[i] == UINT32_MAX ? UINT32_MAX : cs.stops[cs.stop_of[i]]);
    cv__server_pack_str(pk, "walk_s");
    msgpack_pack_array(pk, t->nclients);
    for (uint32_t i = 0; i < t->nclients; i++) pack_index_or_nil(pk, cs.walk_s[i]);
    /* the households no stop serves, named, never silently left out */
    cv__server_pack_str(pk, "unserved");
    msgpack_pack_array(pk, cs.nuncoverable);
    for (uint32_t i = 0; i < t->nclients; i++)
        if (cs.stop_of[i] == UINT32_MAX) msgpack_pack_uint32(pk, i);
    cv__server_pack_kv_bool(pk, "optimal", cs.optimal);
    cv_caravan_stops_fini(&cs);
    return CV_OK;
}

static void cov_run(cv__task *task)
{
    cov_task *t = (cov_task *)task;
    cv_diag d;
    cv_diag_clear(&d);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &t->ans.out, msgpack_sbuffer_write);
    const cv_graph *g = t->srv->graph;
    cv_status s = t->op == COV_SITING  ? run_siting(t, g, &pk, &d)
                  : t->op == COV_STOPS ? run_stops(t, g, &pk, &d)
                                       : run_coverage(t, g, &pk, &d);
    /* engine messages name the array ("clients[3] ..."): say where it sits */
    if (s != CV_OK)
        cv__server_answer_fail(&t->ans, s == CV_EINVAL ? CV__E_INVALID_PARAMS : CV__E_INTERNAL,
                               "%s%s", s == CV_EINVAL ? "params[0]." : "",
                               d.set ? d.msg : cv_status_message(s));
}

static void cov_done(cv__task *task, bool canceled)
{
    cov_task *t = (cov_task *)task;
    cv_server *s = t->srv;
    cv__server_answer_send(&t->ans, canceled);
    cov_free(t);
    cv__server_maybe_finish(s);
}

static void cov_method(cv__req *r, cov_op op)
{
    cv_server *srv = r->srv;
    const msgpack_object *m;
    if (!cv__server_need_graph(r) || !cv__server_param_map(r, 0, true, &m)) return;
    static const char *const keys[3][8] = {
        {"profile", "minutes", "sites", "clients", "isochrones", NULL},
        {"profile", "minutes", "sites", "clients", "candidates", "add", "time_limit", NULL},
        {"profile", "minutes", "households", "candidates", "time_limit", NULL}};
    for (uint32_t i = 0; i < m->via.map.size; i++) {
        const msgpack_object *k = &m->via.map.ptr[i].key;
        bool known = false;
        for (int q = 0; keys[op][q] && !known; q++) known = cv__server_mp_str_eq(k, keys[op][q]);
        if (!known) {
            char *name = cv__server_mp_strdup(k);
            cv__server_reply_err(r->conn, r->msgid, CV__E_INVALID_PARAMS,
                                 "params[0].%s: unknown field", name ? name : "?");
            free(name);
            return;
        }
    }
    int prof;
    if (!cv__server_param_profile(r, m, "walk", &prof)) return;
    double minutes, add = 0, tl = 10;
    bool iso = false;
    if (!cv__server_param_number(r, m, "minutes", 0, MAX_MINUTES, -1, false, &minutes)) return;
    if (op == COV_SITING && !cv__server_param_number(r, m, "add", 0, MAX_SITES, -1, true, &add))
        return;
    if (op != COV_COVERAGE &&
        !cv__server_param_number(r, m, "time_limit", 0, MAX_TIME_LIMIT_S, 10, false, &tl))
        return;
    const msgpack_object *io = cv__server_mp_map_get(m, "isochrones");
    if (io) {
        if (io->type != MSGPACK_OBJECT_BOOLEAN) {
            cv__server_reply_err(r->conn, r->msgid, CV__E_INVALID_PARAMS,
                                 "params[0].isochrones: expected true or false");
            return;
        }
        iso = io->via.boolean;
    }
    cov_task *t = calloc(1, sizeof *t);
    if (!t) {
        cv__server_reply_err(r->conn, r->msgid, CV__E_INTERNAL, "out of memory");
        return;
    }
    t->task.run = cov_run;
    t->task.done = cov_done;
    t->srv = srv;
    t->op = op;
    t->isochrones = iso;
    t->profile = prof;
    t->limit_s = (uint32_t)llround(minutes * 60);
    t->add = (uint32_t)add;
    t->time_limit_s = tl;
    cv__server_answer_init(&t->ans);
    bool ok;
    if (op == COV_STOPS) {
        /* without candidates the households' own positions are the candidates */
        const msgpack_object *co = cv__server_mp_map_get(m, "candidates");
        ok = cv__server_param_points(r, cv__server_mp_map_get(m, "households"),
                                     "params[0].households", false, 1, MAX_STOPS_POINTS,
                                     &t->clients, &t->nclients) &&
             (!co || cv__server_param_points(r, co, "params[0].candidates", false, 1,
                                             MAX_STOPS_POINTS, &t->cands, &t->ncands));
    } else {
        ok = cv__server_param_points(r, cv__server_mp_map_get(m, "sites"), "params[0].sites", false,
                                     op == COV_SITING ? 0 : 1, MAX_SITES, &t->sites, &t->nsites) &&
             cv__server_param_points(r, cv__server_mp_map_get(m, "clients"), "params[0].clients",
                                     false, 0, MAX_CLIENTS, &t->clients, &t->nclients) &&
             (op != COV_SITING || cv__server_param_points(r, cv__server_mp_map_get(m, "candidates"),
                                                          "params[0].candidates", false, 1,
                                                          MAX_SITES, &t->cands, &t->ncands));
    }
    if (!ok || !cv__server_answer_submit(&t->ans, r, &srv->query_pool, &t->task,
                                         "busy: too many graph queries queued"))
        cov_free(t);
}

void cv__server_m_coverage(cv__req *r)
{
    cov_method(r, COV_COVERAGE);
}

void cv__server_m_siting(cv__req *r)
{
    cov_method(r, COV_SITING);
}

void cv__server_m_caravan_stops(cv__req *r)
{
    cov_method(r, COV_STOPS);
}

#else /* no graph or no solver module in this build */

static void unavailable(cv__req *r)
{
    cv__server_reply_err(r->conn, r->msgid, CV__E_UNAVAILABLE,
                         "this carevan was built without the road graph or the GLPK models");
}
void cv__server_m_coverage(cv__req *r)
{
    unavailable(r);
}
void cv__server_m_siting(cv__req *r)
{
    unavailable(r);
}
void cv__server_m_caravan_stops(cv__req *r)
{
    unavailable(r);
}
#endif
