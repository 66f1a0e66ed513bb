/* Road-graph methods: route, matrix, snap.
 *
 * They run on the query pool (not the solve workers, so a long solve never
 * delays a phone's route request), read the immutable mapped graph, and
 * pack their answer on the worker.  Without a graph (no --graph, or a build
 * without graph/) they answer `unavailable`.
 *
 *   route  [{profile, points: [[lon,lat], ...]}]       -> {duration_s, distance_m, legs, polyline}
 *   matrix [{profile, points}] or [{profile, sources, destinations}]
 *                                                      -> {durations, distances} (rows)
 *   snap   [{profile, point: [lon,lat]}]               -> {location, distance_m} */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server_int.h"
#ifdef CV_GRAPH_AVAILABLE
#include "cv/graph.h"
#endif

#define MAX_ROUTE_POINTS 1000u
#define MAX_MATRIX_POINTS 2000u

#ifdef CV_GRAPH_AVAILABLE
typedef enum geo_op { GEO_ROUTE, GEO_MATRIX, GEO_SNAP } geo_op;

typedef struct geo_task {
    cv__task task;
    cv_server *srv;
    geo_op op;
    int profile;
    double *src, *dst; /* lon,lat pairs */
    uint32_t ns, nd;   /* nd == 0: square matrix over src */
    cv__answer ans;
} geo_task;

static void geo_free(geo_task *t)
{
    free(t->src);
    free(t->dst);
    cv__server_answer_fini(&t->ans);
    free(t);
}

static void pack_rows(msgpack_packer *pk, const uint32_t *m, uint32_t rows, uint32_t cols)
{
    msgpack_pack_array(pk, rows);
    for (uint32_t i = 0; i < rows; i++) {
        msgpack_pack_array(pk, cols);
        for (uint32_t k = 0; k < cols; k++) msgpack_pack_uint32(pk, m[(size_t)i * cols + k]);
    }
}

static void geo_run(cv__task *task)
{
    geo_task *t = (geo_task *)task;
    const cv_graph *g = t->srv->graph;
    cv_diag d;
    cv_diag_clear(&d);
    cv_status s = CV_OK;
    msgpack_packer pk;
    msgpack_packer_init(&pk, &t->ans.out, msgpack_sbuffer_write);
    if (t->op == GEO_SNAP) {
        cv_graph_snap sn;
        s = cv_graph_snap_point(g, t->profile, t->src[0], t->src[1], &sn, &d);
        if (s == CV_OK) {
            msgpack_pack_map(&pk, 2);
            cv__server_pack_str(&pk, "location");
            msgpack_pack_array(&pk, 2);
            msgpack_pack_double(&pk, sn.lon);
            msgpack_pack_double(&pk, sn.lat);
            cv__server_pack_kv_double(&pk, "distance_m", sn.distance_m);
        }
    } else if (t->op == GEO_ROUTE) {
        cv_graph_route rt;
        memset(&rt, 0, sizeof rt);
        s = cv_graph_route_compute(g, t->profile, t->src, t->ns, &rt, &d);
        char *poly = NULL;
        if (s == CV_OK) s = cv_graph_route_polyline_encode(&rt, &poly);
        if (s == CV_OK) {
            msgpack_pack_map(&pk, 4);
            cv__server_pack_kv_u64(&pk, "duration_s", rt.duration_s);
            cv__server_pack_kv_u64(&pk, "distance_m", rt.distance_m);
            cv__server_pack_str(&pk, "legs");
            msgpack_pack_array(&pk, rt.nlegs);
            for (uint32_t i = 0; i < rt.nlegs; i++) {
                msgpack_pack_map(&pk, 2);
                cv__server_pack_kv_u64(&pk, "duration_s", rt.legs[i].duration_s);
                cv__server_pack_kv_u64(&pk, "distance_m", rt.legs[i].distance_m);
            }
            cv__server_pack_kv_str(&pk, "polyline", poly);
        }
        free(poly);
        cv_graph_route_fini(&rt);
    } else {
        uint32_t rows = t->ns, cols = t->nd ? t->nd : t->ns;
        size_t cells = (size_t)rows * cols;
        uint32_t *dur = cv_calloc(cells, sizeof *dur), *dist = cv_calloc(cells, sizeof *dist);
        if (!dur || !dist)
            s = CV_ENOMEM;
        else if (t->nd)
            s = cv_graph_matrix_st(g, t->profile, t->src, t->ns, t->dst, t->nd, dur, dist, 1, &d);
        else
            s = cv_graph_matrix(g, t->profile, t->src, t->ns, dur, dist, 1, &d);
        if (s == CV_OK) {
            msgpack_pack_map(&pk, 2);
            cv__server_pack_str(&pk, "durations");
            pack_rows(&pk, dur, rows, cols);
            cv__server_pack_str(&pk, "distances");
            pack_rows(&pk, dist, rows, cols);
        }
        free(dur);
        free(dist);
    }
    if (s != CV_OK)
        cv__server_answer_fail(&t->ans, s == CV_ENOMEM ? CV__E_INTERNAL : CV__E_INVALID_PARAMS,
                               "%s", d.set ? d.msg : cv_status_message(s));
}

static void geo_done(cv__task *task, bool canceled)
{
    geo_task *t = (geo_task *)task;
    cv_server *s = t->srv;
    cv__server_answer_send(&t->ans, canceled);
    geo_free(t);
    cv__server_maybe_finish(s);
}

static geo_task *geo_new(cv__req *r, geo_op op, const msgpack_object **m)
{
    int prof;
    if (!cv__server_need_graph(r) || !cv__server_param_map(r, 0, true, m) ||
        !cv__server_param_profile(r, *m, NULL, &prof))
        return NULL;
    geo_task *t = calloc(1, sizeof *t);
    if (!t) {
        cv__server_reply_err(r->conn, r->msgid, CV__E_INTERNAL, "out of memory");
        return NULL;
    }
    t->task.run = geo_run;
    t->task.done = geo_done;
    t->srv = r->srv;
    t->op = op;
    t->profile = prof;
    cv__server_answer_init(&t->ans);
    return t;
}

static void geo_submit(cv__req *r, geo_task *t)
{
    if (!cv__server_answer_submit(&t->ans, r, &r->srv->query_pool, &t->task,
                                  "busy: too many graph queries queued"))
        geo_free(t);
}

void cv__server_m_route(cv__req *r)
{
    const msgpack_object *m;
    geo_task *t = geo_new(r, GEO_ROUTE, &m);
    if (!t) return;
    if (!cv__server_param_points(r, cv__server_mp_map_get(m, "points"), "params[0].points", false,
                                 2, MAX_ROUTE_POINTS, &t->src, &t->ns)) {
        geo_free(t);
        return;
    }
    geo_submit(r, t);
}

void cv__server_m_matrix(cv__req *r)
{
    const msgpack_object *m;
    geo_task *t = geo_new(r, GEO_MATRIX, &m);
    if (!t) return;
    const msgpack_object *pts = cv__server_mp_map_get(m, "points");
    bool ok;
    if (pts) {
        ok = cv__server_param_points(r, pts, "params[0].points", false, 1, MAX_MATRIX_POINTS,
                                     &t->src, &t->ns);
    } else {
        ok = cv__server_param_points(r, cv__server_mp_map_get(m, "sources"), "params[0].sources",
                                     false, 1, MAX_MATRIX_POINTS, &t->src, &t->ns) &&
             cv__server_param_points(r, cv__server_mp_map_get(m, "destinations"),
                                     "params[0].destinations", false, 1, MAX_MATRIX_POINTS, &t->dst,
                                     &t->nd);
    }
    if (!ok) {
        geo_free(t);
        return;
    }
    geo_submit(r, t);
}

void cv__server_m_snap(cv__req *r)
{
    const msgpack_object *m;
    geo_task *t = geo_new(r, GEO_SNAP, &m);
    if (!t) return;
    if (!cv__server_param_points(r, cv__server_mp_map_get(m, "point"), "params[0].point", true, 1,
                                 1, &t->src, &t->ns)) {
        geo_free(t);
        return;
    }
    geo_submit(r, t);
}

#else /* no graph module in this build */

static void no_graph(cv__req *r)
{
    cv__server_reply_err(r->conn, r->msgid, CV__E_UNAVAILABLE,
                         "this carevan was built without the road graph module");
}
void cv__server_m_route(cv__req *r)
{
    no_graph(r);
}
void cv__server_m_matrix(cv__req *r)
{
    no_graph(r);
}
void cv__server_m_snap(cv__req *r)
{
    no_graph(r);
}
#endif
