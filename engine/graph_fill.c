/* Road-network travel times for problems given with coordinates, and route
 * geometry for plans: the glue between the problem model and graph/.  Built
 * only when graph/ is part of the build. */
#include "cv/engine.h"

#ifdef CV_GRAPH_AVAILABLE
#include "cv/graph.h"

#include <stdlib.h>

cv_status cv_engine_fill_matrices(cv_problem *p, const cv_graph *g, unsigned threads, cv_diag *diag)
{
    if (!p->uses_coords)
        return cv_diag_set(diag, "problem: gives matrices of its own, nothing to fill");
    size_t n2;
    if (!cv_mul_size(p->nlocs, p->nlocs, &n2)) return CV_ENOMEM;
    double *pts = cv_calloc(2 * (size_t)p->nlocs, sizeof *pts);
    if (!pts) return CV_ENOMEM;
    for (uint32_t i = 0; i < p->nlocs; i++) {
        pts[2 * i] = p->locs[i].lon;
        pts[2 * i + 1] = p->locs[i].lat;
    }
    cv_status s = CV_OK;
    for (uint32_t i = 0; i < p->nprofiles && s == CV_OK; i++) {
        cv_profile *pr = &p->profiles[i];
        int gp = cv_graph_profile_find(g, pr->name);
        if (gp < 0) {
            s = cv_diag_set(diag, "profile \"%s\": the road graph has no such profile", pr->name);
            break;
        }
        uint32_t *dur = cv_calloc(n2, sizeof *dur), *dist = cv_calloc(n2, sizeof *dist);
        if (!dur || !dist) {
            free(dur);
            free(dist);
            s = CV_ENOMEM;
            break;
        }
        s = cv_graph_matrix(g, gp, pts, p->nlocs, dur, dist, threads ? threads : 1, diag);
        if (s != CV_OK) {
            free(dur);
            free(dist);
            break;
        }
        free(pr->durations);
        free(pr->distances);
        pr->durations = dur;
        pr->distances = dist;
        pr->n = p->nlocs;
    }
    free(pts);
    return s;
}

cv_status cv_engine_add_geometry(cv_plan *plan, const cv_problem *p, const cv_graph *g,
                                 cv_diag *diag)
{
    for (uint32_t r = 0; r < plan->nroutes; r++) {
        cv_plan_route *route = &plan->routes[r];
        const cv_vehicle *v = &p->vehicles[route->vehicle];
        int gp = cv_graph_profile_find(g, p->profiles[v->profile].name);
        if (gp < 0)
            return cv_diag_set(diag, "profile \"%s\": not in the road graph",
                               p->profiles[v->profile].name);
        double *pts = cv_calloc(2 * (size_t)route->step_count, sizeof *pts);
        if (!pts) return CV_ENOMEM;
        uint32_t n = 0;
        for (uint32_t k = 0; k < route->step_count; k++) {
            uint32_t loc = plan->steps[route->step_first + k].loc;
            if (loc == CV_NONE || !p->locs[loc].has_coords) continue;
            /* Consecutive stops at one place add no leg. */
            if (n && pts[2 * (n - 1)] == p->locs[loc].lon &&
                pts[2 * (n - 1) + 1] == p->locs[loc].lat)
                continue;
            pts[2 * n] = p->locs[loc].lon;
            pts[2 * n + 1] = p->locs[loc].lat;
            n++;
        }
        cv_status s = CV_OK;
        if (n >= 2) {
            uint32_t dur, dist;
            free(route->geometry);
            route->geometry = NULL;
            s = cv_graph_route_polyline(g, gp, pts, n, &route->geometry, &dur, &dist, diag);
        }
        free(pts);
        if (s != CV_OK) return s;
    }
    return CV_OK;
}
#else
/* Without graph/ the functions exist and say why they cannot work. */
cv_status cv_engine_fill_matrices(cv_problem *p, const struct cv_graph *g, unsigned threads,
                                  cv_diag *diag)
{
    (void)p;
    (void)g;
    (void)threads;
    return cv_diag_set(diag, "this build of carevan has no road graph module");
}

cv_status cv_engine_add_geometry(cv_plan *plan, const cv_problem *p, const struct cv_graph *g,
                                 cv_diag *diag)
{
    (void)plan;
    (void)p;
    (void)g;
    return cv_diag_set(diag, "this build of carevan has no road graph module");
}
#endif
