/* The method table and the small methods: auth, health, version, stats.
 * Heavier methods live with their subsystem: solve and job.* in jobs.c,
 * plan.* in plans.c, route/matrix/snap in geo.c, coverage/siting/caravan_stops
 * in rpc_coverage.c.  Each entry says who may call it; rpc.c enforces that
 * before the handler runs.  Below the table, the parameter readers they share. */
#include <ctype.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server_int.h"
#ifdef CV_GRAPH_AVAILABLE
#include "cv/graph.h"
#endif

#ifndef CV_VERSION_STRING
#define CV_VERSION_STRING "0.0.0"
#endif

static void m_auth(cv__req *r);
static void m_health(cv__req *r);
static void m_version(cv__req *r);
static void m_stats(cv__req *r);

static const cv__method methods[] = {
    {"auth", m_auth, CV__ACCESS_ANY},
    {"health", m_health, CV__ACCESS_ANY},
    {"version", m_version, CV__ACCESS_COORDINATOR},
    {"stats", m_stats, CV__ACCESS_COORDINATOR},
    {"solve", cv__server_m_solve, CV__ACCESS_COORDINATOR},
    {"job.submit", cv__server_m_job_submit, CV__ACCESS_COORDINATOR},
    {"job.status", cv__server_m_job_status, CV__ACCESS_COORDINATOR},
    {"job.result", cv__server_m_job_result, CV__ACCESS_COORDINATOR},
    {"job.cancel", cv__server_m_job_cancel, CV__ACCESS_COORDINATOR},
    {"plan.save", cv__server_m_plan_save, CV__ACCESS_COORDINATOR},
    {"plan.get", cv__server_m_plan_get, CV__ACCESS_COORDINATOR},
    {"plan.list", cv__server_m_plan_list, CV__ACCESS_COORDINATOR},
    {"plan.route", cv__server_m_plan_route, CV__ACCESS_OPERATOR},
    {"route", cv__server_m_route, CV__ACCESS_COORDINATOR},
    {"matrix", cv__server_m_matrix, CV__ACCESS_COORDINATOR},
    {"snap", cv__server_m_snap, CV__ACCESS_COORDINATOR},
    {"live.start", cv__server_m_live_start, CV__ACCESS_COORDINATOR},
    {"live.get", cv__server_m_live_get, CV__ACCESS_OPERATOR},
    {"visit.start", cv__server_m_visit_start, CV__ACCESS_OPERATOR},
    {"visit.done", cv__server_m_visit_done, CV__ACCESS_OPERATOR},
    {"visit.skipped", cv__server_m_visit_skipped, CV__ACCESS_OPERATOR},
    {"vehicle.position", cv__server_m_vehicle_position, CV__ACCESS_OPERATOR},
    {"plan.insert_urgent", cv__server_m_plan_insert_urgent, CV__ACCESS_COORDINATOR},
    {"plan.reoptimize", cv__server_m_plan_reoptimize, CV__ACCESS_COORDINATOR},
    {"route.subscribe", cv__server_m_route_subscribe, CV__ACCESS_OPERATOR},
    {"coverage", cv__server_m_coverage, CV__ACCESS_COORDINATOR},
    {"siting", cv__server_m_siting, CV__ACCESS_COORDINATOR},
    {"caravan_stops", cv__server_m_caravan_stops, CV__ACCESS_COORDINATOR},
};

const cv__method *cv__server_method_find(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (strlen(methods[i].name) == len && memcmp(methods[i].name, name, len) == 0)
            return &methods[i];
    return NULL;
}

const msgpack_object *cv__server_param(const cv__req *r, uint32_t i)
{
    return i < r->params->via.array.size ? &r->params->via.array.ptr[i] : NULL;
}

bool cv__server_param_map(cv__req *r, uint32_t i, bool required, const msgpack_object **out)
{
    const msgpack_object *o = cv__server_param(r, i);
    *out = NULL;
    if (!o || o->type == MSGPACK_OBJECT_NIL) {
        if (!required) return true;
        cv__server_reply_err(r->conn, r->msgid, CV__E_INVALID_PARAMS,
                             "params[%u]: a map is required", i);
        return false;
    }
    if (o->type != MSGPACK_OBJECT_MAP) {
        cv__server_reply_err(r->conn, r->msgid, CV__E_INVALID_PARAMS, "params[%u]: expected a map",
                             i);
        return false;
    }
    *out = o;
    return true;
}

bool cv__server_param_str(cv__req *r, const msgpack_object *o, const char *path, bool required,
                          size_t maxlen, char **out)
{
    *out = NULL;
    if (!o || o->type == MSGPACK_OBJECT_NIL) {
        if (!required) return true;
        cv__server_reply_err(r->conn, r->msgid, CV__E_INVALID_PARAMS, "%s: a string is required",
                             path);
        return false;
    }
    if (o->type != MSGPACK_OBJECT_STR || o->via.str.size == 0 || o->via.str.size > maxlen ||
        memchr(o->via.str.ptr, 0, o->via.str.size)) {
        cv__server_reply_err(r->conn, r->msgid, CV__E_INVALID_PARAMS,
                             "%s: expected a non-empty string of at most %zu bytes", path, maxlen);
        return false;
    }
    *out = cv__server_mp_strdup(o);
    if (!*out) {
        cv__server_reply_err(r->conn, r->msgid, CV__E_INTERNAL, "out of memory");
        return false;
    }
    return true;
}

static bool valid_date(const char *d)
{
    if (strlen(d) != 10 || d[4] != '-' || d[7] != '-') return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)d[i])) return false;
    int m = (d[5] - '0') * 10 + (d[6] - '0'), day = (d[8] - '0') * 10 + (d[9] - '0');
    return m >= 1 && m <= 12 && day >= 1 && day <= 31;
}

bool cv__server_param_date_team(cv__req *r, const msgpack_object *d, const msgpack_object *tm,
                                const char *dpath, const char *tpath, bool required, char **date,
                                char **team)
{
    *team = NULL;
    if (!cv__server_param_str(r, d, dpath, required, 10, date)) return false;
    if (*date && !valid_date(*date)) {
        cv__server_reply_err(r->conn, r->msgid, CV__E_INVALID_PARAMS,
                             "%s: \"%s\" is not a date YYYY-MM-DD", dpath, *date);
        return false;
    }
    return cv__server_param_str(r, tm, tpath, required, 128, team);
}

bool cv__server_param_number(cv__req *r, const msgpack_object *m, const char *key, double lo,
                             double hi, double def, bool integer, double *out)
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

bool cv__server_param_points(cv__req *r, const msgpack_object *o, const char *path, bool single,
                             uint32_t min, uint32_t max, double **out, uint32_t *n)
{
    const msgpack_object *items = o;
    uint32_t cnt = 1;
    if (!single) {
        if (!o || o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size < min ||
            o->via.array.size > max) {
            cv__server_reply_err(r->conn, r->msgid, CV__E_INVALID_PARAMS,
                                 "%s: expected an array of %u..%u [lon, lat] points", path, min,
                                 max);
            return false;
        }
        items = o->via.array.ptr;
        cnt = o->via.array.size;
    }
    double *pts = cv_calloc(2 * (size_t)cnt + 2, sizeof *pts);
    if (!pts) {
        cv__server_reply_err(r->conn, r->msgid, CV__E_INTERNAL, "out of memory");
        return false;
    }
    for (uint32_t i = 0; i < cnt; i++) {
        const msgpack_object *p = items ? &items[i] : NULL;
        if (!p || p->type != MSGPACK_OBJECT_ARRAY || p->via.array.size != 2 ||
            !cv__server_mp_get_double(&p->via.array.ptr[0], &pts[2 * i]) ||
            !cv__server_mp_get_double(&p->via.array.ptr[1], &pts[2 * i + 1]) ||
            !(pts[2 * i] >= -180 && pts[2 * i] <= 180) ||
            !(pts[2 * i + 1] >= -90 && pts[2 * i + 1] <= 90)) {
            if (single)
                cv__server_reply_err(r->conn, r->msgid, CV__E_INVALID_PARAMS,
                                     "%s: expected [lon, lat] in degrees", path);
            else
                cv__server_reply_err(r->conn, r->msgid, CV__E_INVALID_PARAMS,
                                     "%s[%u]: expected [lon, lat] in degrees", path, i);
            free(pts);
            return false;
        }
    }
    *out = pts;
    *n = cnt;
    return true;
}

#ifdef CV_GRAPH_AVAILABLE
bool cv__server_need_graph(cv__req *r)
{
    if (r->srv->graph) return true;
    cv__server_reply_err(r->conn, r->msgid, CV__E_UNAVAILABLE,
                         "no road graph on this server (start it with --graph CITY.cvg)");
    return false;
}

bool cv__server_param_profile(cv__req *r, const msgpack_object *m, const char *def, int *out)
{
    char *name = NULL;
    if (!cv__server_param_str(r, cv__server_mp_map_get(m, "profile"), "params[0].profile", false,
                              31, &name))
        return false;
    const cv_graph *g = r->srv->graph;
    int prof = name ? cv_graph_profile_find(g, name) : def ? cv_graph_profile_find(g, def) : 0;
    if (prof < 0) {
        cv__server_reply_err(r->conn, r->msgid, CV__E_INVALID_PARAMS, "params[0].profile: %s%s%s",
                             name ? "not a profile of the loaded graph"
                                  : "absent, and the loaded graph has no ",
                             name ? "" : def, name ? "" : " profile (the default)");
        free(name);
        return false;
    }
    free(name);
    *out = prof;
    return true;
}
#endif

static void m_auth(cv__req *r)
{
    cv_server *s = r->srv;
    const msgpack_object *t = cv__server_param(r, 0);
    if (!t || t->type != MSGPACK_OBJECT_STR) {
        cv__server_reply_err(r->conn, r->msgid, CV__E_INVALID_PARAMS,
                             "params[0]: the token (a string)");
        return;
    }
    if (!s->has_auth) {
        /* Nothing to check: every connection already has every right. */
        msgpack_sbuffer sb;
        msgpack_packer pk;
        cv__server_reply_begin(&sb, &pk, r->msgid);
        msgpack_pack_map(&pk, 1);
        cv__server_pack_kv_str(&pk, "role", "coordinator");
        cv__server_reply_send(r->conn, &sb);
        return;
    }
    const cv__token *tok = cv__server_auth_check(&s->auth, t->via.str.ptr, t->via.str.size);
    if (!tok) {
        cv__server_reply_err(r->conn, r->msgid, CV__E_FORBIDDEN, "auth: unknown token");
        return;
    }
    r->conn->role = tok->role;
    r->conn->vehicle = tok->vehicle;
    msgpack_sbuffer sb;
    msgpack_packer pk;
    cv__server_reply_begin(&sb, &pk, r->msgid);
    msgpack_pack_map(&pk, tok->role == CV__ROLE_OPERATOR ? 2 : 1);
    cv__server_pack_kv_str(&pk, "role", cv__server_role_name(tok->role));
    if (tok->role == CV__ROLE_OPERATOR) cv__server_pack_kv_u64(&pk, "vehicle", tok->vehicle);
    cv__server_reply_send(r->conn, &sb);
}

static void m_health(cv__req *r)
{
    cv_server *s = r->srv;
    msgpack_sbuffer sb;
    msgpack_packer pk;
    cv__server_reply_begin(&sb, &pk, r->msgid);
    msgpack_pack_map(&pk, 5);
    cv__server_pack_kv_str(&pk, "status", s->stopping ? "stopping" : "ok");
    cv__server_pack_kv_double(&pk, "uptime_s", cv_clock_now() - s->t_start);
    cv__server_pack_kv_bool(&pk, "graph", s->graph != NULL);
    cv__server_pack_kv_bool(&pk, "store", s->store != NULL);
    cv__server_pack_kv_bool(&pk, "auth", s->has_auth);
    cv__server_reply_send(r->conn, &sb);
}

static void m_version(cv__req *r)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;
    cv__server_reply_begin(&sb, &pk, r->msgid);
    msgpack_pack_map(&pk, 5);
    cv__server_pack_kv_str(&pk, "version", CV_VERSION_STRING);
    cv__server_pack_kv_u64(&pk, "protocol", CV__PROTOCOL_VERSION);
    cv__server_pack_kv_str(&pk, "libuv", uv_version_string());
    cv__server_pack_kv_str(&pk, "msgpack", msgpack_version());
    cv__server_pack_kv_str(&pk, "sqlite", sqlite3_libversion());
    cv__server_reply_send(r->conn, &sb);
}

static void m_stats(cv__req *r)
{
    cv_server *s = r->srv;
    uint64_t sub, done, failed, canceled;
    cv__server_jobs_counts(s, &sub, &done, &failed, &canceled);
    unsigned q, b;
    cv__server_pool_counts(&s->solve_pool, &q, &b);
    msgpack_sbuffer sb;
    msgpack_packer pk;
    cv__server_reply_begin(&sb, &pk, r->msgid);
    msgpack_pack_map(&pk, 17);
    cv__server_pack_kv_u64(&pk, "connections", s->nconns);
    cv__server_pack_kv_u64(&pk, "connections_total", s->stats.connections_total);
    cv__server_pack_kv_u64(&pk, "connections_refused", s->stats.refused_connections);
    cv__server_pack_kv_u64(&pk, "dropped_idle", s->stats.dropped_idle);
    cv__server_pack_kv_u64(&pk, "dropped_malformed", s->stats.dropped_malformed);
    cv__server_pack_kv_u64(&pk, "requests", s->stats.requests);
    cv__server_pack_kv_u64(&pk, "notifications_in", s->stats.notifications_in);
    cv__server_pack_kv_u64(&pk, "errors", s->stats.errors);
    cv__server_pack_kv_u64(&pk, "bytes_in", s->stats.bytes_in);
    cv__server_pack_kv_u64(&pk, "bytes_out", s->stats.bytes_out);
    cv__server_pack_kv_u64(&pk, "jobs_queued", q);
    cv__server_pack_kv_u64(&pk, "jobs_running", b);
    cv__server_pack_kv_u64(&pk, "jobs_submitted", sub);
    cv__server_pack_kv_u64(&pk, "jobs_done", done);
    cv__server_pack_kv_u64(&pk, "jobs_failed", failed);
    cv__server_pack_kv_u64(&pk, "jobs_canceled", canceled);
    cv__server_pack_kv_u64(&pk, "workers", s->solve_pool.nstarted);
    cv__server_reply_send(r->conn, &sb);
}
