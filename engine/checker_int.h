/* Internals of the independent plan checker (engine/checker*.c).
 *
 * The checker works in two phases so that an unreadable solution never
 * produces half a report:
 *   1. checker_read.c turns the solution JSON into the flat structs below,
 *      refusing (CV_EINVAL + diag) anything that is not a VROOM-shaped
 *      solution: bad JSON, wrong types, unknown step types, missing ids.
 *   2. checker.c resolves ids against the problem and recomputes every
 *      number from the problem alone, reporting violations and mismatches.
 * Every field a solution may leave out has a has_ flag: an absent field is
 * never a mismatch (VROOM omits distance without distance matrices, load
 * without capacities, waiting_time on start and end steps).
 *
 * Nothing here comes from solver/: the checker must stay an independent
 * re-implementation of the rules written in cv/problem.h.
 */
#ifndef CV_CHECKER_INT_H
#define CV_CHECKER_INT_H

#include "cv/engine.h"

/* Stated integers beyond this magnitude are refused as unreadable: it keeps
 * every sum the checker makes far from int64 overflow. */
#define CV__CHECK_INT_MAX ((int64_t)1 << 53)

typedef struct cv__sol_step {
    cv_step_type type;
    int64_t id; /* job/pickup/delivery/break id; unused for start/end */
    bool has_arrival, has_waiting, has_setup, has_service, has_duration, has_distance;
    bool has_load, has_loc_index, has_coords;
    int64_t arrival, waiting, setup, service, duration, distance;
    int64_t loc_index;
    double lon, lat;
    uint32_t load_off, load_len; /* into cv__sol.amounts */
} cv__sol_step;

/* Route or summary totals as stated by the solution. */
typedef struct cv__sol_totals {
    bool has_cost, has_setup, has_service, has_duration, has_waiting, has_distance;
    bool has_priority, has_delivery, has_pickup, has_routes, has_unassigned, has_spread;
    int64_t cost, setup, service, duration, waiting, distance, priority, routes, unassigned;
    int64_t spread; /* summary only: working_time_spread (care extension) */
    uint32_t delivery_off, delivery_len, pickup_off, pickup_len; /* into cv__sol.amounts */
} cv__sol_totals;

typedef struct cv__sol_route {
    int64_t vehicle;
    uint32_t step_first, step_count; /* into cv__sol.steps; first is start, last is end */
    cv__sol_totals totals;
} cv__sol_route;

typedef struct cv__sol_unassigned {
    int64_t id;
    cv_task_kind kind;
    bool has_loc_index, has_coords;
    int64_t loc_index;
    double lon, lat;
} cv__sol_unassigned;

typedef struct cv__sol {
    cv__sol_route *routes;
    uint32_t nroutes;
    cv__sol_step *steps;
    uint32_t nsteps;
    cv__sol_unassigned *unassigned;
    uint32_t nunassigned;
    int64_t *amounts;
    uint32_t namounts;
    bool has_summary;
    cv__sol_totals summary;
} cv__sol;

/* Phase 1: parses `len` bytes of solution JSON into *sol (zeroed first).
 * CV_EINVAL with a field-path diag for anything unreadable, CV_ENOMEM.
 * On failure *sol holds nothing to free. */
cv_status cv__check_read(cv__sol *sol, const char *text, size_t len, cv_diag *diag);
void cv__check_sol_fini(cv__sol *sol);

/* Multi-day problems (p->horizon_days > 0): checks each day with the one-day
 * checker and the horizon's rules (engine/checker_periodic.c).  Same contract
 * as cv_check_json. */
cv_status cv__check_periodic(const cv_problem *p, const char *text, size_t len,
                             cv_check_report *rep, cv_diag *diag);

#endif
