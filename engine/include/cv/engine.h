/* carevan engine: reading and writing problems and plans, converters from
 * benchmark formats, the independent plan checker, and the orchestration the
 * CLI and the server share.  One public header for all of engine/. */
#ifndef CV_ENGINE_H
#define CV_ENGINE_H

#include "cv/plan.h"
#include "cv/problem.h"

/* ---- VROOM JSON problems (engine/vroom_json.c) ---- */

/* Parses VROOM JSON text (len bytes, need not be NUL-terminated).  On failure
 * returns CV_EINVAL (or CV_ENOMEM / CV_ETOOBIG) with a field-path message in
 * diag, e.g. "jobs[3].time_windows[0]: start 900 > end 600". */
cv_status cv_problem_from_json(cv_problem **out, const char *text, size_t len, cv_diag *diag);
/* Reads a file ("-" is stdin, at most CV_MAX_INPUT_BYTES) and parses it. */
cv_status cv_problem_from_json_file(cv_problem **out, const char *path, cv_diag *diag);
/* Reads a whole file ("-" = stdin) into a malloc'ed NUL-terminated buffer. */
cv_status cv_read_file(const char *path, size_t max_bytes, char **text, size_t *len, cv_diag *diag);

/* ---- Plans as VROOM-shaped JSON (engine/plan_json.c) ---- */

/* Writes code 0, summary, unassigned (with our `reason`), routes with steps.
 * *out is malloc'ed, caller frees. */
cv_status cv_plan_to_json(const cv_plan *plan, const cv_problem *p, char **out);

/* ---- Benchmark converters (engine/convert_*.c) ---- */

/* DIMACS convention: every distance and travel time is floor(10 * euclid), an
 * integer in tenths of the instance's unit; service times and windows are
 * multiplied by 10 to the same scale.  Vehicles: the fleet size of the file,
 * capacity as given, depot window as the vehicles' shift.
 * Solomon and Gehring & Homberger share one format; Li & Lim is the PDPTW one. */
cv_status cv_convert_solomon(cv_problem **out, const char *path, cv_diag *diag);
cv_status cv_convert_lilim(cv_problem **out, const char *path, cv_diag *diag);
/* CVRPLIB capacitated VRP files (TSPLIB/VRPLIB format, EUC_2D, one depot,
 * e.g. the X set of Uchoa et al.): distances rounded to the nearest integer
 * as CVRPLIB does (compare with distance-nint BKS); one job per customer;
 * fleet VEHICLES or 2 x ceil(demand / capacity) + 5 (engine/convert_cvrplib.c). */
cv_status cv_convert_cvrplib(cv_problem **out, const char *path, cv_diag *diag);
/* Mankowska et al. (2014) home health care instances: jobs per service with
 * skills, together/precedence relations for double services, soft windows
 * (tardiness at one cost unit per time unit); times and distances x 100. */
cv_status cv_convert_mankowska(cv_problem **out, const char *path, cv_diag *diag);
/* Serialises a problem (with its matrices) back to VROOM JSON. */
cv_status cv_problem_to_json(const cv_problem *p, char **out);

/* ---- Road-network travel times (engine/graph_fill.c; needs graph/) ---- */
struct cv_graph;
/* Fills every profile's durations and distances from the graph, for a problem
 * that gives coordinates (p->uses_coords).  A profile the graph lacks, or a
 * point too far from any road of the profile, is CV_EINVAL with diag. */
cv_status cv_engine_fill_matrices(cv_problem *p, const struct cv_graph *g, unsigned threads,
                                  cv_diag *diag);
/* Sets each route's geometry (encoded polyline through its stops). */
cv_status cv_engine_add_geometry(cv_plan *plan, const cv_problem *p, const struct cv_graph *g,
                                 cv_diag *diag);

/* ---- Plans for people (engine/export.c); *out malloc'ed, caller frees ---- */

/* FeatureCollection: each route as a LineString (on the roads when the route
 * has a geometry), each stop as a Point with times, unassigned tasks marked. */
cv_status cv_export_geojson(const cv_plan *plan, const cv_problem *p, char **out);
/* GPX 1.1 of one route: its stops as waypoints, its road geometry as a track. */
cv_status cv_export_gpx(const cv_plan *plan, const cv_problem *p, uint32_t route, char **out);
/* A printable HTML sheet of one route: stops in order, times, services. */
cv_status cv_export_sheet_html(const cv_plan *plan, const cv_problem *p, uint32_t route,
                               char **out);
/* ---- A self-contained HTML map of the whole plan (engine/export_map*.c) ----
 * One file, no network: the road network from the graph (if any), each
 * route in its own colour on its road geometry (straight legs when the plan
 * has none), numbered stops with popups, depots, unassigned visits with
 * their reason, a legend that toggles routes, pan and zoom (inline SVG+JS). */
typedef struct cv_map_config {
    const struct cv_graph *graph; /* roads to draw; NULL: none */
    double margin_m;              /* roads this far around the plan's extent (default 400) */
    /* Road points at most (default 200000): the least important road classes
     * are left out until the rest fits (primary roads and above always stay).
     * The page names what it left out. */
    uint32_t max_road_points;
    const char *title; /* default "carevan plan" */
} cv_map_config;
void cv_map_config_init(cv_map_config *cfg);
/* Needs coordinates: a problem without any is CV_EINVAL with diag. */
cv_status cv_export_map_html(const cv_plan *plan, const cv_problem *p, const cv_map_config *cfg,
                             char **out, cv_diag *diag);

/* Reads a plan written by cv_plan_to_json (or VROOM) back against its
 * problem: vehicles, tasks and breaks are matched by id and type; times,
 * geometry and unassigned reasons are taken as written.  Bad input is
 * CV_EINVAL with a diag naming the field ("routes[2].steps[4].id: no job 17"). */
cv_status cv_plan_from_json(cv_plan **out, const cv_problem *p, const char *text, size_t len,
                            cv_diag *diag);

/* Decodes a Google encoded polyline (precision 5) into n lon,lat pairs. */
cv_status cv_polyline_decode(const char *poly, double **lonlat, uint32_t *n);

/* ---- Multi-day and periodic planning (engine/periodic.c; needs solver/) ----
 * For a problem with a horizon (cv_problem_is_periodic): chooses a day pattern
 * per job, solves each day with the solver and improves the patterns by
 * moving jobs between them (the algorithm is described in periodic.c). */
typedef struct cv_periodic_config {
    uint64_t seed;
    uint64_t day_effort;    /* solver work units per day solved; 0: 1e5 + 2e4 x tasks of the day */
    double time_limit_s;    /* wall-clock safety stop for the whole horizon; <= 0: none */
    unsigned threads;       /* solver threads per day */
    uint32_t max_moves;     /* improvement moves tried (each solves a few days again); default 30 */
    bool polish;            /* finally solve each day again at polish_effort (default true) */
    uint64_t polish_effort; /* 0: the solver's default effort */
    /* Statistics written back. */
    uint32_t stat_day_solves, stat_moves, stat_moves_accepted;
} cv_periodic_config;

typedef struct cv_periodic_result {
    int64_t cost;
    uint32_t routes, visits, jobs_served, jobs_unassigned;
} cv_periodic_result;

void cv_periodic_config_init(cv_periodic_config *cfg);
/* Plans p (which has a horizon; matrices filled) and writes the multi-day
 * solution JSON into *out (malloc'ed, caller frees): VROOM's output shape
 * where each route carries its "day", summary totals over all days (plus
 * "days" and "visits"), and in "unassigned" the jobs with no visit at all.
 * A job is served on all days of one allowed pattern or not at all.  The
 * solver's errors pass through (CV_EUNSUPPORTED for care extensions it does
 * not plan). */
cv_status cv_periodic_solve(const cv_problem *p, cv_periodic_config *cfg, char **out,
                            cv_periodic_result *res, cv_diag *diag);

/* `carevan scenario CITY.cvg ...` (engine/scenario.c; needs graph/): a
 * realistic care day generated on the road graph.  Returns the exit code. */
int cv_scenario_cli(int argc, char **argv);

/* ---- Point lists (engine/points_csv.c): CSV `id,lon,lat` with that header ----
 * Errors name FILE:LINE:COLUMN and the field, e.g.
 * `clients.csv:7:12: lat: expected a number in [-90, 90], got "3x"`; ids are
 * non-empty, without commas, unique in the file. */
typedef struct cv_points {
    uint32_t n;
    char **ids;     /* [n] malloc'ed strings */
    double *lonlat; /* [2n] degrees */
    uint32_t *line; /* [n] line of each point in its file (for messages) */
} cv_points;

cv_status cv_points_read_csv(cv_points *out, const char *path, cv_diag *diag);
/* The same from text in memory; name stands for the file in messages. */
cv_status cv_points_parse_csv(cv_points *out, const char *name, const char *text, size_t len,
                              cv_diag *diag);
void cv_points_fini(cv_points *p);

/* ---- Service circles, siting, caravan stops (engine/coverage.c; needs graph/) ----
 * Travel times are network times on one profile of the graph between snapped
 * points (cv_graph_reach_*): a client is covered when the nearest site reaches
 * it within limit_s (seconds, rounded as every carevan time).  A point farther
 * than the snap radius from the profile's roads is CV_EINVAL naming it
 * ("clients[4] (lon,lat): nearest walk road is 1234 m away (limit 1000 m)"). */
typedef struct cv_coverage {
    uint32_t nclients, ncovered;
    uint32_t *time_s; /* [nclients] from the nearest site, UINT32_MAX beyond the limit */
    uint32_t *site;   /* [nclients] index of that site, UINT32_MAX beyond the limit */
} cv_coverage;

cv_status cv_engine_coverage(const struct cv_graph *g, int profile, const double *sites,
                             uint32_t nsites, const double *clients, uint32_t nclients,
                             uint32_t limit_s, cv_coverage *out, cv_diag *diag);
void cv_coverage_fini(cv_coverage *c);

/* Maximal covering location (cv/lp_cover.h (1)-(4), GLPK): at most k of the
 * candidates to add to the sites so that the most clients not yet covered
 * become covered.  time_limit_s bounds GLPK (<= 0: none). */
typedef struct cv_siting {
    uint32_t nchosen;
    uint32_t *chosen; /* candidate indices, ascending */
    uint32_t covered_before, covered_after, nclients;
    bool optimal; /* proven by GLPK */
} cv_siting;

cv_status cv_engine_siting(const struct cv_graph *g, int profile, const double *sites,
                           uint32_t nsites, const double *clients, uint32_t nclients,
                           const double *candidates, uint32_t ncandidates, uint32_t limit_s,
                           uint32_t k, double time_limit_s, cv_siting *out, cv_diag *diag);
void cv_siting_fini(cv_siting *s);

/* Caravan stops (cv/lp_cover.h (5)-(7), GLPK): the fewest stops, chosen among
 * the candidates (NULL: the households' own positions), such that every
 * household walks to some stop within walk_s on the walk profile (the walk
 * is timed from the household to the stop).  A household no candidate
 * serves is listed as uncoverable and left out.  For a periodic caravan
 * (engine/scenario.c) the stops become the van's visits. */
typedef struct cv_caravan_stops {
    uint32_t nstops;
    uint32_t *stops; /* candidate indices, ascending */
    uint32_t nhouseholds;
    uint32_t *stop_of; /* [nhouseholds] index into stops of the nearest stop, UINT32_MAX:
                          uncoverable */
    uint32_t *walk_s;  /* [nhouseholds] walking time to it, UINT32_MAX: uncoverable */
    uint32_t nuncoverable;
    bool optimal; /* the stop count is proven minimal */
} cv_caravan_stops;

cv_status cv_engine_caravan_stops(const struct cv_graph *g, int walk_profile,
                                  const double *households, uint32_t nhouseholds,
                                  const double *candidates, uint32_t ncandidates, uint32_t walk_s,
                                  double time_limit_s, cv_caravan_stops *out, cv_diag *diag);
void cv_caravan_stops_fini(cv_caravan_stops *c);

/* GeoJSON FeatureCollection of a coverage: one isochrone (MultiPolygon, see
 * cv_graph_reach_geojson) per site, the sites, and the clients as Points with
 * covered/time_s/site.  ids may be NULL (indices are used). */
cv_status cv_engine_coverage_geojson(const struct cv_graph *g, int profile, const double *sites,
                                     uint32_t nsites, const char *const *site_ids,
                                     const double *clients, const char *const *client_ids,
                                     const cv_coverage *cov, uint32_t limit_s, char **out,
                                     cv_diag *diag);

/* `carevan coverage ...` (engine/cli_coverage.c).  Returns the exit code. */
int cv_coverage_cli(int argc, char **argv);

/* ---- The independent plan checker (engine/checker.c) ----
 * Shares no code with solver/: it recomputes every arrival, wait, service
 * start, load, distance and cost from the problem alone and compares. */
typedef struct cv_check_report {
    uint32_t nviolations; /* constraint violations (time windows, capacity, ...) */
    uint32_t nmismatches; /* solution fields disagreeing with the recomputation */
    char **messages;      /* nviolations + nmismatches lines, each naming the place */
    uint32_t nmessages;
    /* Recomputed totals of the plan. */
    int64_t cost, duration, distance, waiting, service, setup;
    uint32_t routes, assigned, unassigned, priority;
    /* Longest minus shortest working time of the vehicles that serve tasks
     * (care extension "fairness"; reported for every plan). */
    int64_t working_time_spread;
} cv_check_report;

/* Checks solution JSON against p.  Returns CV_OK when the solution could be
 * read (violations are in the report), CV_EINVAL with diag when the solution
 * is not a readable VROOM solution. */
cv_status cv_check_json(const cv_problem *p, const char *solution, size_t len, cv_check_report *rep,
                        cv_diag *diag);
void cv_check_report_fini(cv_check_report *rep);

#endif
