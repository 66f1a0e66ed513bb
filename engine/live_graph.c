/* Urgent visits anywhere on the road network (cv/live.h, cv_live_set_graph):
 * a point that is not a location of the day is snapped to the road graph
 * and becomes a new location, with travel times to and from every location
 * of the day routed on the graph for each profile (as `solve --graph` fills
 * matrices, engine/graph_fill.c).  The added rows and columns are part of
 * the live state (cv_live_to_json "added_locations"), so a restart rebuilds
 * them without the graph and with the same numbers. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "json_read.h"
#include "live_int.h"

#ifdef CV_GRAPH_AVAILABLE
#include "cv/graph.h"
#endif

cv_status cv_live_set_graph(cv_live *L, const struct cv_graph *g, cv_diag *diag)
{
#ifdef CV_GRAPH_AVAILABLE
    if (g)
        for (uint32_t i = 0; i < L->base->nprofiles; i++) {
            const char *name = L->base->profiles[i].name;
            if (cv_graph_profile_find(g, name ? name : "car") < 0)
                return cv_diag_set(diag,
                                   "profile \"%s\": the road graph has no such profile (urgent "
                                   "visits by coordinates are routed on it)",
                                   name ? name : "car");
        }
    L->graph = g;
    return CV_OK;
#else
    (void)L;
    if (!g) return CV_OK;
    return cv_diag_set(diag, "this build of carevan has no road graph module");
#endif
}

/* Grows every profile of the day's base problem from n to m locations
 * (new cells 0, set by the caller) and appends m - n locations. */
static cv_status grow(cv_problem *b, uint32_t m)
{
    const uint32_t n = b->nlocs;
    cv_location *locs = cv_realloc_array(b->locs, m, sizeof *locs);
    if (!locs) return CV_ENOMEM;
    b->locs = locs;
    memset(locs + n, 0, (size_t)(m - n) * sizeof *locs);
    for (uint32_t i = 0; i < b->nprofiles; i++) {
        cv_profile *pr = &b->profiles[i];
        uint32_t **mat[3] = {&pr->durations, &pr->distances, &pr->costs};
        for (int k = 0; k < 3; k++) {
            if (!*mat[k]) continue;
            uint32_t *g = cv_calloc((size_t)m * m, sizeof *g);
            if (!g) return CV_ENOMEM;
            for (uint32_t r = 0; r < n; r++)
                memcpy(g + (size_t)r * m, *mat[k] + (size_t)r * n, n * sizeof *g);
            free(*mat[k]);
            *mat[k] = g;
        }
        pr->n = m;
    }
    b->nlocs = m;
    return CV_OK;
}

/* L->p again from the grown base (tasks and their indices are unchanged). */
static cv_status rebuild(cv_live *L)
{
    cv_problem *np;
    cv_status st = cv__live_problem_with_extras(L->base, L->extra, L->nextra, &np);
    if (st != CV_OK) return st;
    cv_problem_destroy(L->p);
    L->p = np;
    return CV_OK;
}

cv_status cv__live_add_location(cv_live *L, double lon, double lat, uint32_t *loc, cv_diag *diag)
{
#ifdef CV_GRAPH_AVAILABLE
    const cv_graph *g = L->graph;
    cv_problem *b = L->base_own;
    const uint32_t n = b->nlocs;
    if (!g)
        return cv_diag_set(diag,
                           "location: [%g, %g] is not within 50 m of a location of the day, and "
                           "the live day has no road graph to route to it (start it with a graph: "
                           "carevan simulate --graph, carevan serve --graph)",
                           lon, lat);
    for (uint32_t i = 0; i < n; i++)
        if (!b->locs[i].has_coords)
            return cv_diag_set(diag,
                               "location: location %u of the day has no coordinates, so no "
                               "route to [%g, %g] can be computed (give every location as "
                               "[lon, lat])",
                               i, lon, lat);
    double *pts = cv_calloc(2 * (size_t)(n ? n : 1), sizeof *pts);
    uint32_t *to = cv_calloc((size_t)n + 1, sizeof *to),
             *from = cv_calloc((size_t)n + 1, sizeof *from);
    uint32_t *dto = cv_calloc((size_t)n + 1, sizeof *dto),
             *dfrom = cv_calloc((size_t)n + 1, sizeof *dfrom);
    uint32_t *rows =
        cv_calloc(4 * (size_t)(n + 1) * (b->nprofiles ? b->nprofiles : 1), sizeof *rows);
    cv_status st = CV_ENOMEM;
    if (!pts || !to || !from || !dto || !dfrom || !rows) goto out;
    for (uint32_t i = 0; i < n; i++) pts[2 * i] = b->locs[i].lon, pts[2 * i + 1] = b->locs[i].lat;
    const double me[2] = {lon, lat};
    /* Route first (nothing changes on an error), then grow. */
    for (uint32_t i = 0; i < b->nprofiles; i++) {
        const char *name = b->profiles[i].name ? b->profiles[i].name : "car";
        int gp = cv_graph_profile_find(g, name);
        if (gp < 0) {
            st = cv_diag_set(diag, "profile \"%s\": the road graph has no such profile", name);
            goto out;
        }
        cv_graph_snap sn;
        cv_diag d2;
        cv_diag_clear(&d2);
        if ((st = cv_graph_snap_point(g, gp, lon, lat, &sn, &d2)) != CV_OK) {
            st = cv_diag_set(diag, "location: cannot be placed on the road graph: %s",
                             d2.set ? d2.msg : cv_status_message(st));
            goto out;
        }
        if ((st = cv_graph_matrix_st(g, gp, me, 1, pts, n, to, dto, 1, diag)) != CV_OK ||
            (st = cv_graph_matrix_st(g, gp, pts, n, me, 1, from, dfrom, 1, diag)) != CV_OK)
            goto out;
        for (uint32_t j = 0; j < n; j++)
            if (to[j] == UINT32_MAX || from[j] == UINT32_MAX) {
                st = cv_diag_set(diag,
                                 "location: [%g, %g] and location %u of the day are not connected "
                                 "on the road graph (profile \"%s\")",
                                 lon, lat, j, name);
                goto out;
            }
        uint32_t *r = rows + 4 * (size_t)(n + 1) * i;
        memcpy(r, to, n * sizeof *r);
        memcpy(r + (n + 1), from, n * sizeof *r);
        memcpy(r + 2 * (n + 1), dto, n * sizeof *r);
        memcpy(r + 3 * (n + 1), dfrom, n * sizeof *r);
    }
    if ((st = grow(b, n + 1)) != CV_OK) goto out;
    b->locs[n] = (cv_location){.lon = lon, .lat = lat, .has_coords = true};
    for (uint32_t i = 0; i < b->nprofiles; i++) {
        cv_profile *pr = &b->profiles[i];
        const uint32_t *r = rows + 4 * (size_t)(n + 1) * i, m = n + 1;
        for (uint32_t j = 0; j < n; j++) {
            pr->durations[(size_t)n * m + j] = r[j];
            pr->durations[(size_t)j * m + n] = r[m + j];
            if (pr->distances) {
                pr->distances[(size_t)n * m + j] = r[2 * m + j];
                pr->distances[(size_t)j * m + n] = r[3 * m + j];
            }
            /* A costs matrix is the user's own; routed legs have no cost
             * there: travel time is the best stand-in. */
            if (pr->costs) {
                pr->costs[(size_t)n * m + j] = r[j];
                pr->costs[(size_t)j * m + n] = r[m + j];
            }
        }
    }
    if ((st = rebuild(L)) != CV_OK) goto out;
    *loc = n;
out:
    free(pts), free(to), free(from), free(dto), free(dfrom), free(rows);
    return st;
#else
    (void)L;
    (void)loc;
    return cv_diag_set(diag,
                       "location: [%g, %g] is not within 50 m of a location of the day, and this "
                       "build of carevan has no road graph module to route to it",
                       lon, lat);
#endif
}

/* ---- Persistence ---- */

static json_t *row_json(const uint32_t *m, uint32_t n, uint32_t i, bool col)
{
    json_t *a = json_array();
    for (uint32_t j = 0; a && j < n; j++)
        if (json_array_append_new(
                a, json_integer(col ? m[(size_t)j * n + i] : m[(size_t)i * n + j]))) {
            json_decref(a);
            return NULL;
        }
    return a;
}

json_t *cv__live_added_json(const cv_live *L)
{
    const cv_problem *b = L->base;
    json_t *arr = json_array();
    if (!arr) return NULL;
    for (uint32_t i = L->nlocs0; i < b->nlocs; i++) {
        json_t *o = json_object(), *profs = json_array();
        json_t *ll = json_pack("[f, f]", b->locs[i].lon, b->locs[i].lat);
        if (!o || !profs || !ll || json_object_set_new(o, "location", ll) ||
            json_object_set_new(o, "profiles", profs) || json_array_append_new(arr, o)) {
            json_decref(arr);
            return NULL;
        }
        for (uint32_t k = 0; k < b->nprofiles; k++) {
            const cv_profile *pr = &b->profiles[k];
            json_t *pj = json_object();
            if (!pj || json_array_append_new(profs, pj) ||
                json_object_set_new(pj, "durations_to",
                                    row_json(pr->durations, b->nlocs, i, false)) ||
                json_object_set_new(pj, "durations_from",
                                    row_json(pr->durations, b->nlocs, i, true)) ||
                (pr->distances &&
                 (json_object_set_new(pj, "distances_to",
                                      row_json(pr->distances, b->nlocs, i, false)) ||
                  json_object_set_new(pj, "distances_from",
                                      row_json(pr->distances, b->nlocs, i, true)))) ||
                (pr->costs &&
                 (json_object_set_new(pj, "costs_to", row_json(pr->costs, b->nlocs, i, false)) ||
                  json_object_set_new(pj, "costs_from", row_json(pr->costs, b->nlocs, i, true))))) {
                json_decref(arr);
                return NULL;
            }
        }
    }
    return arr;
}

static cv_status read_line(const json_t *a, const char *path, uint32_t n, uint32_t *m, uint32_t i,
                           bool col, cv_diag *diag)
{
    if (!json_is_array(a) || json_array_size(a) != n)
        return cv_diag_set(diag, "%s: an array of %u travel values is required", path, n);
    for (uint32_t j = 0; j < n; j++) {
        json_t *x = json_array_get(a, j);
        if (!json_is_integer(x) || json_integer_value(x) < 0 ||
            json_integer_value(x) >= (json_int_t)UINT32_MAX)
            return cv_diag_set(diag, "%s[%u]: an integer 0..%u is required", path, j,
                               UINT32_MAX - 1);
        m[col ? (size_t)j * n + i : (size_t)i * n + j] = (uint32_t)json_integer_value(x);
    }
    return CV_OK;
}

cv_status cv__live_added_read(cv_live *L, const json_t *arr, cv_diag *diag)
{
    if (!arr) return CV_OK;
    if (!json_is_array(arr)) return cv_diag_set(diag, "live.added_locations: an array is required");
    cv_problem *b = L->base_own;
    const uint32_t n0 = b->nlocs, m = n0 + (uint32_t)json_array_size(arr);
    if (m == n0) return CV_OK;
    if (json_array_size(arr) > CV_MAX_LOCATIONS)
        return cv_diag_set(diag, "live.added_locations: too many");
    cv_status st = grow(b, m);
    if (st != CV_OK) return st;
    char path[160];
    for (uint32_t i = n0; i < m; i++) {
        const json_t *o = json_array_get(arr, i - n0), *ll = json_object_get(o, "location");
        snprintf(path, sizeof path, "live.added_locations[%u]", i - n0);
        if (!json_is_array(ll) || json_array_size(ll) != 2 ||
            !json_is_number(json_array_get(ll, 0)) || !json_is_number(json_array_get(ll, 1)))
            return cv_diag_set(diag, "%s.location: [lon, lat] is required", path);
        b->locs[i] = (cv_location){.lon = json_number_value(json_array_get(ll, 0)),
                                   .lat = json_number_value(json_array_get(ll, 1)),
                                   .has_coords = true};
        const json_t *profs = json_object_get(o, "profiles");
        if (!json_is_array(profs) || json_array_size(profs) != b->nprofiles)
            return cv_diag_set(diag, "%s.profiles: one entry per profile (%u) is required", path,
                               b->nprofiles);
        for (uint32_t k = 0; k < b->nprofiles; k++) {
            const json_t *pj = json_array_get(profs, k);
            cv_profile *pr = &b->profiles[k];
            static const char *keys[6] = {"durations_to",   "durations_from", "distances_to",
                                          "distances_from", "costs_to",       "costs_from"};
            uint32_t *mats[3] = {pr->durations, pr->distances, pr->costs};
            for (int q = 0; q < 6; q++) {
                if (!mats[q / 2]) continue;
                char sub[200];
                snprintf(sub, sizeof sub, "%s.profiles[%u].%s", path, k, keys[q]);
                if ((st = read_line(json_object_get(pj, keys[q]), sub, m, mats[q / 2], i, q % 2,
                                    diag)) != CV_OK)
                    return st;
            }
        }
    }
    return rebuild(L);
}
