/* Service circles, siting and caravan stops on the road graph.
 *
 *   cv_engine_coverage       one time-bounded search from all sites at once
 *                            (graph/reach.c), then each client's time;
 *   cv_engine_siting         one bounded search per candidate gives the
 *                            clients it would cover; GLPK's maximal covering
 *                            model (solver/lp_cover.c) picks k of them;
 *   cv_engine_caravan_stops  one bounded search towards each candidate stop
 *                            gives the households that walk to it in time;
 *                            GLPK's set cover picks the fewest stops;
 *   cv_engine_coverage_geojson  isochrone polygons per site + points.
 * Workload: searches settle only the nodes inside each circle (a 15-minute
 * walk is a few thousand nodes), so siting costs candidates x circle, not
 * candidates x map.  GLPK never appears here: it stays in solver/lp_*.c. */
#include "cv/engine.h"

#if defined(CV_GRAPH_AVAILABLE) && defined(CV_SOLVER_AVAILABLE)
#include "cv/graph.h"
#include "cv/lp_cover.h"

#include <stdlib.h>
#include <string.h>

void cv_coverage_fini(cv_coverage *c)
{
    if (!c) return;
    free(c->time_s);
    free(c->site);
    memset(c, 0, sizeof *c);
}

void cv_siting_fini(cv_siting *s)
{
    if (!s) return;
    free(s->chosen);
    memset(s, 0, sizeof *s);
}

void cv_caravan_stops_fini(cv_caravan_stops *c)
{
    if (!c) return;
    free(c->stops);
    free(c->stop_of);
    free(c->walk_s);
    memset(c, 0, sizeof *c);
}

static cv_status check_profile(const struct cv_graph *g, int profile, cv_diag *diag)
{
    if (!g || profile < 0 || profile >= cv_graph_profile_count(g))
        return cv_diag_set(diag, "profile: not in this graph");
    return CV_OK;
}

cv_status cv_engine_coverage(const struct cv_graph *g, int profile, const double *sites,
                             uint32_t nsites, const double *clients, uint32_t nclients,
                             uint32_t limit_s, cv_coverage *out, cv_diag *diag)
{
    cv_status st = check_profile(g, profile, diag);
    if (st) return st;
    if (nsites == 0) return cv_diag_set(diag, "sites: at least one site is needed");
    cv_graph_points *S = NULL, *C = NULL;
    cv_graph_reach *R = NULL;
    cv_coverage c;
    memset(&c, 0, sizeof c);
    c.nclients = nclients;
    c.time_s = cv_calloc(nclients + 1, sizeof *c.time_s);
    c.site = cv_calloc(nclients + 1, sizeof *c.site);
    if (!c.time_s || !c.site) st = CV_ENOMEM;
    if (!st) st = cv_graph_points_create(&S, g, profile, sites, nsites, "sites", diag);
    if (!st) st = cv_graph_points_create(&C, g, profile, clients, nclients, "clients", diag);
    if (!st) st = cv_graph_reach_create(&R, S, limit_s, false);
    if (!st) st = cv_graph_reach_times(R, C, c.time_s, c.site);
    for (uint32_t i = 0; !st && i < nclients; i++) c.ncovered += c.time_s[i] != UINT32_MAX;
    cv_graph_reach_destroy(R);
    cv_graph_points_destroy(C);
    cv_graph_points_destroy(S);
    if (st) {
        cv_coverage_fini(&c);
        return st;
    }
    *out = c;
    return CV_OK;
}

/* The sets S_j of a covering model: for each candidate j, the items (points
 * of `items`, restricted to those with want[i]) its circle contains.  One
 * bounded search per candidate, from it (or towards it). */
static cv_status cover_sets(const struct cv_graph *g, int profile, const double *cand,
                            uint32_t ncand, const cv_graph_points *items, const uint8_t *want,
                            uint32_t limit_s, bool towards, uint32_t **first_out,
                            uint32_t **list_out, cv_diag *diag)
{
    const uint32_t ni = cv_graph_points_count(items);
    cv_graph_points *Cands = NULL;
    cv_status st = cv_graph_points_create(&Cands, g, profile, cand, ncand, "candidates", diag);
    if (st) return st;
    uint32_t *first = cv_calloc((size_t)ncand + 1, sizeof *first);
    uint32_t *t = cv_calloc(ni + 1, sizeof *t);
    uint32_t *list = NULL, nlist = 0, cap = 0;
    if (!first || !t) st = CV_ENOMEM;
    for (uint32_t j = 0; j < ncand && !st; j++) {
        /* a one-point set for candidate j (snapped again: cheap next to the search) */
        cv_graph_points *one = NULL;
        cv_graph_reach *R = NULL;
        st = cv_graph_points_create(&one, g, profile, cand + 2 * (size_t)j, 1, "candidates", diag);
        if (!st) st = cv_graph_reach_create(&R, one, limit_s, towards);
        if (!st) st = cv_graph_reach_times(R, items, t, NULL);
        for (uint32_t i = 0; i < ni && !st; i++) {
            if (t[i] == UINT32_MAX || (want && !want[i])) continue;
            if (nlist == cap && !cv_array_grow((void **)&list, &cap, nlist + 1, sizeof *list))
                st = CV_ENOMEM;
            else
                list[nlist++] = i;
        }
        first[j + 1] = nlist;
        cv_graph_reach_destroy(R);
        cv_graph_points_destroy(one);
    }
    free(t);
    cv_graph_points_destroy(Cands);
    if (st) {
        free(first);
        free(list);
        return st;
    }
    *first_out = first;
    *list_out = list;
    return CV_OK;
}

static cv_status lp_failed(cv_status st, cv_diag *diag)
{
    if (st == CV_EINTERNAL) cv_diag_set(diag, "the covering model failed in GLPK");
    return st;
}

cv_status cv_engine_siting(const struct cv_graph *g, int profile, const double *sites,
                           uint32_t nsites, const double *clients, uint32_t nclients,
                           const double *candidates, uint32_t ncandidates, uint32_t limit_s,
                           uint32_t k, double time_limit_s, cv_siting *out, cv_diag *diag)
{
    cv_status st = check_profile(g, profile, diag);
    if (st) return st;
    if (ncandidates == 0) return cv_diag_set(diag, "candidates: at least one candidate is needed");
    cv_coverage before;
    memset(&before, 0, sizeof before);
    uint8_t *uncovered = cv_calloc(nclients + 1, 1);
    if (!uncovered) return CV_ENOMEM;
    if (nsites) {
        st = cv_engine_coverage(g, profile, sites, nsites, clients, nclients, limit_s, &before,
                                diag);
        if (st) {
            free(uncovered);
            return st;
        }
    }
    for (uint32_t i = 0; i < nclients; i++)
        uncovered[i] = !nsites || before.time_s[i] == UINT32_MAX;
    cv_graph_points *C = NULL;
    uint32_t *first = NULL, *list = NULL;
    st = cv_graph_points_create(&C, g, profile, clients, nclients, "clients", diag);
    if (!st)
        st = cover_sets(g, profile, candidates, ncandidates, C, uncovered, limit_s, false, &first,
                        &list, diag);
    cv_graph_points_destroy(C);
    cv_lp_cover_result r;
    memset(&r, 0, sizeof r);
    if (!st) {
        cv_lp_cover_sets sets = {nclients, ncandidates, first, list, NULL};
        cv_lp_cover_config cfg;
        cv_lp_cover_config_init(&cfg);
        cfg.time_limit_s = time_limit_s;
        st = lp_failed(cv_lp_max_cover(&sets, k, &cfg, &r, diag), diag);
    }
    if (!st) {
        memset(out, 0, sizeof *out);
        out->nchosen = r.nchosen;
        out->chosen = r.chosen;
        r.chosen = NULL;
        out->nclients = nclients;
        out->covered_before = nsites ? before.ncovered : 0;
        out->covered_after = out->covered_before + r.ncovered;
        out->optimal = r.optimal;
    }
    cv_lp_cover_result_fini(&r);
    free(first);
    free(list);
    free(uncovered);
    cv_coverage_fini(&before);
    return st;
}

cv_status cv_engine_caravan_stops(const struct cv_graph *g, int walk_profile,
                                  const double *households, uint32_t nhouseholds,
                                  const double *candidates, uint32_t ncandidates, uint32_t walk_s,
                                  double time_limit_s, cv_caravan_stops *out, cv_diag *diag)
{
    cv_status st = check_profile(g, walk_profile, diag);
    if (st) return st;
    if (!candidates) candidates = households, ncandidates = nhouseholds;
    cv_graph_points *H = NULL, *Stops = NULL;
    cv_graph_reach *R = NULL;
    uint32_t *first = NULL, *list = NULL;
    double *sp = NULL;
    cv_lp_cover_result r;
    memset(&r, 0, sizeof r);
    cv_caravan_stops c;
    memset(&c, 0, sizeof c);
    c.nhouseholds = nhouseholds;
    c.stop_of = cv_calloc(nhouseholds + 1, sizeof *c.stop_of);
    c.walk_s = cv_calloc(nhouseholds + 1, sizeof *c.walk_s);
    if (!c.stop_of || !c.walk_s) st = CV_ENOMEM;
    if (!st)
        st = cv_graph_points_create(&H, g, walk_profile, households, nhouseholds, "households",
                                    diag);
    if (!st)
        st = cover_sets(g, walk_profile, candidates, ncandidates, H, NULL, walk_s, true, &first,
                        &list, diag);
    if (!st) {
        cv_lp_cover_sets sets = {nhouseholds, ncandidates, first, list, NULL};
        cv_lp_cover_config cfg;
        cv_lp_cover_config_init(&cfg);
        cfg.time_limit_s = time_limit_s;
        st = lp_failed(cv_lp_set_cover(&sets, &cfg, &r, diag), diag);
    }
    if (!st && r.nchosen) {
        /* each household's nearest chosen stop: one search towards them all */
        sp = cv_calloc(2 * (size_t)r.nchosen, sizeof *sp);
        if (!sp) st = CV_ENOMEM;
        for (uint32_t k = 0; !st && k < r.nchosen; k++)
            sp[2 * k] = candidates[2 * (size_t)r.chosen[k]],
                   sp[2 * k + 1] = candidates[2 * (size_t)r.chosen[k] + 1];
        if (!st) st = cv_graph_points_create(&Stops, g, walk_profile, sp, r.nchosen, "stops", diag);
        if (!st) st = cv_graph_reach_create(&R, Stops, walk_s, true);
        if (!st) st = cv_graph_reach_times(R, H, c.walk_s, c.stop_of);
    } else if (!st) {
        for (uint32_t i = 0; i < nhouseholds; i++) c.walk_s[i] = c.stop_of[i] = UINT32_MAX;
    }
    if (!st) {
        c.nstops = r.nchosen;
        c.stops = r.chosen;
        r.chosen = NULL;
        for (uint32_t i = 0; i < nhouseholds; i++) c.nuncoverable += c.stop_of[i] == UINT32_MAX;
        c.optimal = r.optimal;
        *out = c;
        memset(&c, 0, sizeof c);
    }
    cv_graph_reach_destroy(R);
    cv_graph_points_destroy(Stops);
    cv_graph_points_destroy(H);
    cv_lp_cover_result_fini(&r);
    cv_caravan_stops_fini(&c);
    free(sp);
    free(first);
    free(list);
    return st;
}

/* JSON string body of an id (ids come from CSV: no control characters
 * expected, but escape what JSON needs anyway). */
static void put_id(cv_sbuf *b, const char *const *ids, uint32_t i)
{
    if (!ids) {
        cv_sbuf_printf(b, "\"%u\"", i);
        return;
    }
    cv_sbuf_printf(b, "\"");
    for (const unsigned char *c = (const unsigned char *)ids[i]; *c; c++) {
        if (*c == '"' || *c == '\\')
            cv_sbuf_printf(b, "\\%c", *c);
        else if (*c < 0x20)
            cv_sbuf_printf(b, "\\u%04x", *c);
        else
            cv_sbuf_printf(b, "%c", *c);
    }
    cv_sbuf_printf(b, "\"");
}

/* Isochrone defaults: roads widened by 60 m on a 20 m grid (homes stand back
 * from the street; the grid keeps a city block's hole visible). */
#define ISO_BUFFER_M 60.0
#define ISO_CELL_M 20.0

cv_status cv_engine_coverage_geojson(const struct cv_graph *g, int profile, const double *sites,
                                     uint32_t nsites, const char *const *site_ids,
                                     const double *clients, const char *const *client_ids,
                                     const cv_coverage *cov, uint32_t limit_s, char **out,
                                     cv_diag *diag)
{
    cv_status st = check_profile(g, profile, diag);
    if (st) return st;
    const char *pname = cv_graph_profile_name(g, profile);
    cv_sbuf b = {0};
    cv_sbuf_printf(&b, "{\"type\":\"FeatureCollection\",\"features\":[");
    for (uint32_t s = 0; s < nsites && !st; s++) {
        cv_graph_points *one = NULL;
        cv_graph_reach *R = NULL;
        char *poly = NULL;
        st = cv_graph_points_create(&one, g, profile, sites + 2 * (size_t)s, 1, "sites", diag);
        if (!st) st = cv_graph_reach_create(&R, one, limit_s, false);
        if (!st) st = cv_graph_reach_geojson(R, ISO_BUFFER_M, ISO_CELL_M, &poly);
        if (!st) {
            cv_sbuf_printf(&b,
                           "%s{\"type\":\"Feature\",\"geometry\":%s,\"properties\":{"
                           "\"kind\":\"isochrone\",\"site\":",
                           s ? "," : "", poly);
            put_id(&b, site_ids, s);
            cv_sbuf_printf(&b, ",\"profile\":\"%s\",\"limit_s\":%u,\"buffer_m\":%g}}", pname,
                           limit_s, ISO_BUFFER_M);
        }
        free(poly);
        cv_graph_reach_destroy(R);
        cv_graph_points_destroy(one);
    }
    for (uint32_t s = 0; s < nsites && !st; s++) {
        cv_sbuf_printf(&b,
                       ",{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\","
                       "\"coordinates\":[%.7f,%.7f]},\"properties\":{\"kind\":\"site\",\"id\":",
                       sites[2 * (size_t)s], sites[2 * (size_t)s + 1]);
        put_id(&b, site_ids, s);
        cv_sbuf_printf(&b, "}}");
    }
    for (uint32_t i = 0; cov && i < cov->nclients && !st; i++) {
        cv_sbuf_printf(&b,
                       ",{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\","
                       "\"coordinates\":[%.7f,%.7f]},\"properties\":{\"kind\":\"client\",\"id\":",
                       clients[2 * (size_t)i], clients[2 * (size_t)i + 1]);
        put_id(&b, client_ids, i);
        if (cov->time_s[i] == UINT32_MAX) {
            cv_sbuf_printf(&b, ",\"covered\":false}}");
        } else {
            cv_sbuf_printf(&b, ",\"covered\":true,\"time_s\":%u,\"site\":", cov->time_s[i]);
            put_id(&b, site_ids, cov->site[i]);
            cv_sbuf_printf(&b, "}}");
        }
    }
    cv_sbuf_printf(&b, "],\"properties\":{\"attribution\":\"\\u00a9 OpenStreetMap contributors, "
                       "ODbL 1.0\"}}");
    if (st) {
        free(b.s);
        return st;
    }
    return cv_sbuf_finish(&b, out);
}

#endif
