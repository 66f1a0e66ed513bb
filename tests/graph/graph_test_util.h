/* Helpers shared by the graph tests: importing a fixture into the build
 * folder, and distances/durations between two points. */
#ifndef CV_GRAPH_TEST_UTIL_H
#define CV_GRAPH_TEST_UTIL_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cv/graph.h"

static const char *g_fixtures = CV_GRAPH_FIXTURES; /* set by CMake */
static const char *g_tmpdir = CV_GRAPH_TMPDIR;

/* Imports fixtures/<name> for the given profiles and loads it; NULL on failure
 * (the diag is printed). */
static inline cv_graph *import_fixture(const char *name, const char *profiles,
                                       cv_graph_import_stats *stats)
{
    char in[1024], out[1024];
    snprintf(in, sizeof in, "%s/%s", g_fixtures, name);
    snprintf(out, sizeof out, "%s/%s.%s.cvg", g_tmpdir, name, profiles ? profiles : "all");
    cv_diag d;
    cv_diag_clear(&d);
    cv_graph_import_stats s;
    if (cv_graph_import(in, out, profiles, false, stats ? stats : &s, &d) != CV_OK) {
        fprintf(stderr, "import %s: %s\n", name, d.msg);
        return NULL;
    }
    cv_graph *g = NULL;
    if (cv_graph_load(&g, out, &d) != CV_OK) {
        fprintf(stderr, "load %s: %s\n", out, d.msg);
        return NULL;
    }
    return g;
}

/* Route from (lon1,lat1) to (lon2,lat2); returns distance in m, duration in *dur. */
static inline uint32_t route_m(const cv_graph *g, const char *profile, double lon1, double lat1,
                               double lon2, double lat2, uint32_t *dur)
{
    int p = cv_graph_profile_find(g, profile);
    if (p < 0) return UINT32_MAX;
    double pts[4] = {lon1, lat1, lon2, lat2};
    uint32_t d[4], m[4];
    cv_diag dg;
    cv_diag_clear(&dg);
    if (cv_graph_matrix(g, p, pts, 2, d, m, 1, &dg) != CV_OK) return UINT32_MAX;
    if (dur) *dur = d[1];
    return m[1];
}

#endif
