/* carevan road graph: OpenStreetMap import with care-travel profiles (car,
 * van, ebike, walk), contraction hierarchies, travel-time matrices, snapping
 * and route geometry.
 *
 * Pipeline: cv_graph_import() reads an OSM file once and writes a versioned
 * .cvg file holding every profile's graph and hierarchy; cv_graph_load()
 * maps that file (no rebuild) and the queries run on the mapped arrays.  A
 * loaded graph is immutable: any number of threads may query it at once.
 *
 * Units: coordinates are WGS-84 lon,lat degrees; durations whole seconds;
 * distances metres.  Routes follow the fastest path (ties: the shorter). */
#ifndef CV_GRAPH_H
#define CV_GRAPH_H

#include <stdint.h>

#include "cv/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cv_graph cv_graph;

#define CV_GRAPH_SNAP_RADIUS_M 1000.0

/* ---- Import ---- */
typedef struct cv_graph_import_stats {
    uint64_t osm_nodes, osm_ways, road_ways;
    uint64_t missing_refs;      /* node refs of road ways absent from the file (skipped) */
    uint64_t ways_with_missing; /* road ways that had at least one missing ref */
    uint32_t nprofiles;
    struct {
        char name[16];
        uint32_t nodes, segments;      /* kept graph: final nodes, snappable segments */
        uint64_t arcs, ch_edges;       /* uncontracted arcs; CH up+down edges */
        uint64_t restrictions_applied; /* turn restrictions in force */
        uint64_t restrictions_skipped; /* malformed or not touching the graph */
        uint64_t nodes_dropped_scc;    /* outside the largest strongly connected component */
    } profile[4];
    double seconds;
} cv_graph_import_stats;

/* Reads osm_path (.osm.pbf, .osm, .osm.bz2) and writes the graph file.
 * profiles: comma-separated subset of "car,van,ebike,walk" (NULL = all).
 * progress: draw a progress bar on stderr (the CLI passes isatty(2)).
 * Errors name the file: "x.osm.pbf: corrupt or truncated OSM file (...)". */
cv_status cv_graph_import(const char *osm_path, const char *out_path, const char *profiles,
                          bool progress, cv_graph_import_stats *stats, cv_diag *diag);

/* ---- Loading ---- */
cv_status cv_graph_load(cv_graph **out, const char *path, cv_diag *diag); /* mmap */
void cv_graph_destroy(cv_graph *g);                                       /* NULL ok */
int cv_graph_profile_find(const cv_graph *g, const char *name);           /* -1 if absent */
int cv_graph_profile_count(const cv_graph *g);
const char *cv_graph_profile_name(const cv_graph *g, int profile);
/* Snap radius for later queries (default CV_GRAPH_SNAP_RADIUS_M).  Not
 * thread-safe against queries running at the same time. */
void cv_graph_set_snap_radius(cv_graph *g, double metres);

/* ---- Snapping ---- */
typedef struct cv_graph_snap {
    double lon, lat;   /* the point on the road */
    double distance_m; /* from the input coordinate */
} cv_graph_snap;
/* A point beyond the radius -> CV_EINVAL with "point (lon,lat): nearest car
 * road is 1234 m away (limit 1000 m)". */
cv_status cv_graph_snap_point(const cv_graph *g, int profile, double lon, double lat,
                              cv_graph_snap *out, cv_diag *diag);

/* ---- Matrices ----
 * n points as lon,lat pairs; fills n*n row-major durations (s) and distances
 * (m), either may be NULL; a point beyond the snap radius -> CV_EINVAL with
 * diag "points[i] (lon,lat): nearest <profile> road is 1234 m away (limit 1000 m)".
 * threads: 0 = number of cores.  Every snapped point reaches every other (the
 * graph keeps one strongly connected component per profile); a pair that
 * could not would read UINT32_MAX. */
cv_status cv_graph_matrix(const cv_graph *g, int profile, const double *lonlat, uint32_t n,
                          uint32_t *durations, uint32_t *distances, unsigned threads,
                          cv_diag *diag);
/* Sources x targets variant (ns*nt row-major). */
cv_status cv_graph_matrix_st(const cv_graph *g, int profile, const double *src, uint32_t ns,
                             const double *dst, uint32_t nt, uint32_t *durations,
                             uint32_t *distances, unsigned threads, cv_diag *diag);
/* The same matrix by plain Dijkstra (one search per source, no hierarchy):
 * the reference and the benchmark baseline. */
cv_status cv_graph_matrix_dijkstra(const cv_graph *g, int profile, const double *lonlat, uint32_t n,
                                   uint32_t *durations, uint32_t *distances, unsigned threads,
                                   cv_diag *diag);

/* ---- Routes ---- */
typedef struct cv_graph_leg {
    uint32_t duration_s, distance_m;
    uint32_t first_coord; /* index into coords where this leg starts */
} cv_graph_leg;

typedef struct cv_graph_route {
    uint32_t duration_s, distance_m; /* sums of the legs */
    uint32_t nlegs;                  /* npoints - 1 */
    cv_graph_leg *legs;
    uint32_t ncoords;
    double *coords; /* 2*ncoords lon,lat, consecutive duplicates removed */
} cv_graph_route;

/* Fastest route through n >= 2 points in order.  Fills *out (free with
 * cv_graph_route_fini). */
cv_status cv_graph_route_compute(const cv_graph *g, int profile, const double *lonlat, uint32_t n,
                                 cv_graph_route *out, cv_diag *diag);
void cv_graph_route_fini(cv_graph_route *r);
/* Google encoded polyline (precision 5) / GeoJSON Feature with a LineString
 * and per-leg durations and distances.  malloc'ed. */
cv_status cv_graph_route_polyline_encode(const cv_graph_route *r, char **out);
cv_status cv_graph_route_geojson(const cv_graph_route *r, char **out);

/* Geometry of a path through n points: encoded polyline (precision 5, malloc'ed), total
 * duration/distance. */
cv_status cv_graph_route_polyline(const cv_graph *g, int profile, const double *lonlat, uint32_t n,
                                  char **polyline, uint32_t *duration_s, uint32_t *distance_m,
                                  cv_diag *diag);

/* ---- Road edges in an area (for drawing maps) ----
 * The OpenStreetMap highway class of each road segment, most important first.
 * Graph files from before format version 2 did not keep it: their segments
 * read CV_GRAPH_ROAD_UNKNOWN. */
#define CV_GRAPH_ROAD_CLASS_MAP(X)                                                                 \
    X(UNKNOWN, "unknown")     /* file without classes */                                           \
    X(MOTORWAY, "motorway")   /* motorway, trunk and their links */                                \
    X(PRIMARY, "primary")     /* primary, primary_link */                                          \
    X(SECONDARY, "secondary") /* secondary, secondary_link */                                      \
    X(TERTIARY, "tertiary")   /* tertiary, tertiary_link */                                        \
    X(LOCAL, "local")         /* unclassified, residential, living_street, road */                 \
    X(SERVICE, "service")     /* service, track */                                                 \
    X(PATH, "path")           /* cycleway, path, footway, pedestrian, bridleway, steps */

typedef enum cv_graph_road_class {
#define CV__ROAD_CLASS_ENUM(name, key) CV_GRAPH_ROAD_##name,
    CV_GRAPH_ROAD_CLASS_MAP(CV__ROAD_CLASS_ENUM)
#undef CV__ROAD_CLASS_ENUM
        CV_GRAPH_ROAD_CLASS_COUNT
} cv_graph_road_class;

const char *cv_graph_road_class_name(cv_graph_road_class c); /* "primary", ...; "?" if unknown */

/* One road segment between two consecutive OSM nodes of a way.  node_a and
 * node_b identify the nodes within the graph file (equal ids = same point),
 * so consecutive edges of one way can be chained into a polyline. */
typedef struct cv_graph_edge {
    uint32_t node_a, node_b;
    double lon_a, lat_a, lon_b, lat_b;
    cv_graph_road_class road_class;
    bool forward, backward; /* the profile may travel a->b / b->a */
} cv_graph_edge;

/* Return non-zero to stop the iteration (cv_graph_edges_in_bbox then returns
 * CV_ECANCELED). */
typedef int (*cv_graph_edge_fn)(void *ctx, const cv_graph_edge *e);

/* Calls fn for every road segment of the profile whose bounding box meets
 * [min_lon, max_lon] x [min_lat, max_lat], in file order (the segments of a
 * way are consecutive, in the way's node order), each segment once.  Only
 * the roads the profile may use are in its graph.  Cost: the grid cells the
 * box covers plus one bit per segment of the profile. */
cv_status cv_graph_edges_in_bbox(const cv_graph *g, int profile, double min_lon, double min_lat,
                                 double max_lon, double max_lat, cv_graph_edge_fn fn, void *ctx);

/* ---- Service circles (graph/reach.c, graph/isochrone.c) ----
 * Snapped point sets, time-bounded one-to-many searches from them and
 * isochrone polygons.  A reach is a Dijkstra search on the profile's full
 * graph from every source at once, stopped at limit_s: it labels each node
 * within the limit with its travel time from the nearest source (or, with
 * to_sources, towards the nearest source) and that source.  A point is
 * reached when its time rounded to whole seconds (as cv_graph_matrix reports
 * it) is at most limit_s; its time equals the minimum of the matrix row (or
 * column) over the sources exactly. */
typedef struct cv_graph_points cv_graph_points;
typedef struct cv_graph_reach cv_graph_reach;

/* Snaps n lon,lat points once for later searches and look-ups.  A point
 * beyond the snap radius -> CV_EINVAL naming "<what>[i]".  The set borrows g. */
cv_status cv_graph_points_create(cv_graph_points **out, const cv_graph *g, int profile,
                                 const double *lonlat, uint32_t n, const char *what, cv_diag *diag);
void cv_graph_points_destroy(cv_graph_points *p); /* NULL ok */
uint32_t cv_graph_points_count(const cv_graph_points *p);

/* Runs the search from (to_sources: towards) the points of `sources`
 * (borrowed: it must outlive the reach).  CV_ENOMEM is the only failure. */
cv_status cv_graph_reach_create(cv_graph_reach **out, const cv_graph_points *sources,
                                uint32_t limit_s, bool to_sources);
void cv_graph_reach_destroy(cv_graph_reach *r);         /* NULL ok */
uint32_t cv_graph_reach_count(const cv_graph_reach *r); /* graph nodes within the limit */
/* For each point of pts (same graph and profile): time_s[i] in seconds from
 * (towards) the nearest source and source[i] its index, or UINT32_MAX for
 * both when beyond the limit.  Either array may be NULL. */
cv_status cv_graph_reach_times(const cv_graph_reach *r, const cv_graph_points *pts,
                               uint32_t *time_s, uint32_t *source);

/* The area within the limit as a GeoJSON MultiPolygon geometry (malloc'ed
 * text, holes included, outer rings counter-clockwise, holes clockwise).
 * Method (isochrone.c): every road piece reached in time (partially reached
 * segments cut at the fraction the remaining time allows) is rasterised on a
 * grid of cell_m with a buffer of buffer_m around it, and the boundary of
 * the marked cells is traced by marching squares.  So the polygon is the
 * reached roads widened by buffer_m, to within one cell.  cell_m is raised
 * when the grid would exceed CV_GRAPH_ISO_MAX_CELLS. */
#define CV_GRAPH_ISO_MAX_CELLS (4u << 20)
cv_status cv_graph_reach_geojson(const cv_graph_reach *r, double buffer_m, double cell_m,
                                 char **out);

/* ---- Subcommands ----
 * argv[0] is the subcommand name ("import", "route", "matrix"); return the
 * process exit code (0 ok, 2 bad input, 1 other failure); each supports --help. */
int cv_graph_cli_import(
    int argc,
    char **argv); /* carevan import CITY.osm.pbf -o CITY.cvg [--profiles car,van,ebike,walk] */
int cv_graph_cli_route(int argc, char **argv); /* carevan route CITY.cvg --profile car LON,LAT
                                                  LON,LAT [...] [--format geojson|polyline] */
int cv_graph_cli_matrix(
    int argc, char **argv); /* carevan matrix CITY.cvg --profile car POINTS.csv [-o MATRIX.json] */

#ifdef __cplusplus
}
#endif
#endif
