/* Service-circle methods: coverage and siting (engine/coverage.c).
 *
 *   coverage [{profile?, minutes, sites, clients, isochrones?}]
 *       -> {clients, covered, share, time_s: [s | nil], site: [index | nil],
 *           isochrones?: [GeoJSON MultiPolygon per site]}
 *   siting   [{profile?, minutes, sites, clients, candidates, add, time_limit?}]
 *       -> {chosen: [candidate index], clients, covered_before, covered_after,
 *           share_before, share_after, optimal}
 *
 * Points are [lon, lat] arrays.  Like route/matrix/snap (geo.c) they run on
 * the query pool and read the immutable mapped graph; siting also runs GLPK
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

typedef struct cov_task {
    cv__task task;
    cv_server *srv;
    bool siting, isochrones;
    int profile;
    uint32_t limit_s, add;
    double time_limit_s;
    double *sites, *clients, *cands;
    uint32_t nsites, nclients, ncands;
    cv__pending reply;
    bool failed;
    cv__server_rpc_error err;
    char errmsg[CV_DIAG_MAX + 64];
    msgpack_sbuffer out;
} cov_task;

static void cov_free(cov_task *t)
{
    free(t->sites);
    free(t->clients);
    free(t->cands);
    msgpack_sbuffer_destroy(&t->out);
    cv__server_pending_drop(&t->reply);
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

static void cov_run(cv__task *task)
{
    cov_task *t = (cov_task *)task;
    cv_diag d;
    cv_diag_clear(&d);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &t->out, msgpack_sbuffer_write);
    cv_status s =
        t->siting ? run_siting(t, t->srv->graph, &pk, &d) : run_coverage(t, t->srv->graph, &pk, &d);
    if (s != CV_OK) {
        t->failed = true;
        t->err = s == CV_EINVAL ? CV__E_INVALID_PARAMS : CV__E_INTERNAL;
        /* engine messages name the array ("clients[3] ..."): say where it sits */
        snprintf(t->errmsg, sizeof t->errmsg, "%s%s", s == CV_EINVAL ? "params[0]." : "",
                 d.set ? d.msg : cv_status_message(s));
    }
}

static void cov_done(cv__task *task, bool canceled)
{
    cov_task *t = (cov_task *)task;
    cv_server *s = t->srv;
    if (canceled)
        cv__server_pending_err(&t->reply, CV__E_SHUTTING_DOWN, "server is stopping");
    else if (t->failed)
        cv__server_pending_err(&t->reply, t->err, "%s", t->errmsg);
    else
        cv__server_pending_ok_raw(&t->reply, t->out.data, t->out.size);
    cov_free(t);
    cv__server_maybe_finish(s);
}

/* params[0].<key>: an array of min..max [lon, lat] points. */
static bool read_points(cv__req *r, const msgpack_object *m, const char *key, uint32_t min,
                        uint32_t max, double **out, uint32_t *n)
{
    const msgpack_object *o = cv__server_mp_map_get(m, key);
    if (!o || o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size < min ||
        o->via.array.size > max) {
        cv__server_reply_err(r->conn, r->msgid, CV__E_INVALID_PARAMS,
                             "params[0].%s: expected an array of %u..%u [lon, lat] points", key,
                             min, max);
        return false;
    }
    uint32_t cnt = o->via.array.size;
    double *pts = cv_calloc(2 * (size_t)cnt + 2, sizeof *pts);
    if (!pts) {
        cv__server_reply_err(r->conn, r->msgid, CV__E_INTERNAL, "out of memory");
        return false;
    }
    for (uint32_t i = 0; i < cnt; i++) {
        const msgpack_object *p = &o->via.array.ptr[i];
        if (p->type != MSGPACK_OBJECT_ARRAY || p->via.array.size != 2 ||
            !cv__server_mp_get_double(&p->via.array.ptr[0], &pts[2 * i]) ||
            !cv__server_mp_get_double(&p->via.array.ptr[1], &pts[2 * i + 1]) ||
            !(pts[2 * i] >= -180 && pts[2 * i] <= 180) ||
            !(pts[2 * i + 1] >= -90 && pts[2 * i + 1] <= 90)) {
            cv__server_reply_err(r->conn, r->msgid, CV__E_INVALID_PARAMS,
                                 "params[0].%s[%u]: expected [lon, lat] in degrees", key, i);
            free(pts);
            return false;
        }
    }
    *out = pts;
    *n = cnt;
    return true;
}

/* params[0].<key>: a number in [lo, hi]; def when absent (required: def < 0). */
static bool read_number(cv__req *r, const msgpack_object *m, const char *key, double lo, double hi,
                        double def, bool integer, double *out)
{
    const msgpack_object *o = cv__server_mp_map_get(m, key);
    if (!o && def >= 0) {
        *out = def;
        return true;
    }
    double v;
    if (!o || !cv__server_mp_get_double(o, &v) || !(v >= lo && v <= hi) ||
        (integer && v != floor(v))) {
        cv__server_reply_err(
            r->conn, r->msgid, CV__E_INVALID_PARAMS, "params[0].%s: %s %s in [%g, %g]", key,
            o ? "expected" : "required:", integer ? "a whole number" : "a number", lo, hi);
        return false;
    }
    *out = v;
    return true;
}

static void cov_method(cv__req *r, bool siting)
{
    cv_server *srv = r->srv;
    if (!srv->graph) {
        cv__server_reply_err(r->conn, r->msgid, CV__E_UNAVAILABLE,
                             "no road graph on this server (start it with --graph CITY.cvg)");
        return;
    }
    const msgpack_object *m;
    if (!cv__server_param_map(r, 0, true, &m)) return;
    static const char *const keys[2][8] = {
        {"profile", "minutes", "sites", "clients", "isochrones", NULL},
        {"profile", "minutes", "sites", "clients", "candidates", "add", "time_limit", NULL}};
    for (uint32_t i = 0; i < m->via.map.size; i++) {
        const msgpack_object *k = &m->via.map.ptr[i].key;
        bool known = false;
        for (int q = 0; keys[siting][q] && !known; q++)
            known = cv__server_mp_str_eq(k, keys[siting][q]);
        if (!known) {
            char *name = cv__server_mp_strdup(k);
            cv__server_reply_err(r->conn, r->msgid, CV__E_INVALID_PARAMS,
                                 "params[0].%s: unknown field", name ? name : "?");
            free(name);
            return;
        }
    }
    int prof = cv_graph_profile_find(srv->graph, "walk");
    char *pname = NULL;
    if (!cv__server_param_str(r, cv__server_mp_map_get(m, "profile"), "params[0].profile", false,
                              31, &pname))
        return;
    const bool named = pname != NULL;
    if (named) prof = cv_graph_profile_find(srv->graph, pname);
    free(pname);
    if (prof < 0) {
        cv__server_reply_err(r->conn, r->msgid, CV__E_INVALID_PARAMS,
                             "params[0].profile: not a profile of the loaded graph%s",
                             named ? "" : " (the default is walk)");
        return;
    }
    double minutes, add = 0, tl = 10;
    bool iso = false;
    if (!read_number(r, m, "minutes", 0, MAX_MINUTES, -1, false, &minutes)) return;
    if (siting && (!read_number(r, m, "add", 0, MAX_SITES, -1, true, &add) ||
                   !read_number(r, m, "time_limit", 0, MAX_TIME_LIMIT_S, 10, false, &tl)))
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
    t->siting = siting;
    t->isochrones = iso;
    t->profile = prof;
    t->limit_s = (uint32_t)llround(minutes * 60);
    t->add = (uint32_t)add;
    t->time_limit_s = tl;
    msgpack_sbuffer_init(&t->out);
    if (!read_points(r, m, "sites", siting ? 0 : 1, MAX_SITES, &t->sites, &t->nsites) ||
        !read_points(r, m, "clients", 0, MAX_CLIENTS, &t->clients, &t->nclients) ||
        (siting && !read_points(r, m, "candidates", 1, MAX_SITES, &t->cands, &t->ncands))) {
        cov_free(t);
        return;
    }
    if (cv__server_pool_submit(&srv->query_pool, &t->task) != CV_OK) {
        cv__server_reply_err(r->conn, r->msgid, CV__E_BUSY, "busy: too many graph queries queued");
        cov_free(t);
        return;
    }
    cv__server_pending_take(&t->reply, r);
}

void cv__server_m_coverage(cv__req *r)
{
    cov_method(r, false);
}

void cv__server_m_siting(cv__req *r)
{
    cov_method(r, true);
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
#endif
