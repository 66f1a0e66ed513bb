/* Internals shared by the scenario generators (engine/scenario*.c): the city
 * care day (scenario.c) and the rural caravan week (scenario_caravan.c). */
#ifndef CV_ENGINE_SCENARIO_INT_H
#define CV_ENGINE_SCENARIO_INT_H

#include "cv/engine.h"

#ifdef CV_GRAPH_AVAILABLE
#include <jansson.h>

#include "cv/graph.h"

typedef struct cv__scenario_opts {
    const char *kind; /* "city" or "caravan" */
    uint64_t seed;
    /* city */
    uint32_t clients, carers, nurses;
    double lon0, lat0, radius_m;
    /* caravan */
    const char *villages; /* CSV kind,name,lon,lat */
    const char *base;     /* name of the town the vans leave from */
    const char *homes;    /* CSV kind,name,lon,lat of mapped homes, or NULL */
    uint32_t walk_s;      /* households walk at most this long to their stop */
    uint32_t vans, households_max;
    bool continuity; /* sickbed rounds by one van crew (max_vehicles 1) */
    /* both */
    bool matrices; /* embed the travel matrices (plans without the graph) */
} cv__scenario_opts;

/* Random homes on the walk network within radius_m of (lon0, lat0). */
typedef struct cv__scenario_gen {
    const cv_graph *g;
    int walk;
    cv_rng rng;
    double lon0, lat0, radius_m;
    cv_diag *diag;
} cv__scenario_gen;

cv_status cv__scenario_home(cv__scenario_gen *s, double *lon, double *lat);
json_t *cv__scenario_coords(double lon, double lat);
/* Serialises root (borrowed); with `matrices`, fills every profile's matrices
 * from the graph and writes them in (location_index + coordinates).  The text
 * must read back as a valid problem.  *out malloc'ed. */
cv_status cv__scenario_finish(const json_t *root, const cv_graph *g, bool matrices, char **out,
                              cv_diag *diag);

cv_status cv__scenario_caravan(const cv_graph *g, const cv__scenario_opts *o, char **out,
                               cv_diag *diag);
#endif

#endif
