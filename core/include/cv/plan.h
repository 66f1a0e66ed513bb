/* carevan plan: a solution to a cv_problem, as the solver returns it and the
 * JSON writer prints it (VROOM's output shape).
 *
 * The plan holds everything the output shows, already computed by whoever
 * built it (the solver's own scheduling).  The writer only formats.  The plan
 * checker never sees this struct: it re-reads the written JSON and recomputes
 * every number from the problem alone.
 */
#ifndef CV_PLAN_H
#define CV_PLAN_H

#include "cv/problem.h"

/* Why a task is unassigned: the first constraint that excludes it, found by
 * checking the task alone on each vehicle (see engine/unassigned.c). */
#define CV_REASON_MAP(X)                                                                           \
    X(NONE, "none", "assigned")                                                                    \
    X(SKILLS, "skills", "no vehicle has the required skills")                                      \
    X(VEHICLES, "vehicles",                                                                        \
      "no vehicle with the skills is allowed (allowed_vehicles / forbidden_vehicles)")             \
    X(TIME_WINDOW, "time_window",                                                                  \
      "no qualified vehicle can reach it within its time windows and shift")                       \
    X(CAPACITY, "capacity", "its amounts exceed every qualified vehicle's capacity")               \
    X(MAX_TASKS, "max_tasks", "every qualified vehicle has max_tasks 0 (or 1 for a shipment)")     \
    X(MAX_TRAVEL_TIME, "max_travel_time",                                                          \
      "every qualified vehicle's max_travel_time is too short")                                    \
    X(MAX_DISTANCE, "max_distance", "every qualified vehicle's max_distance is too short")         \
    X(BREAKS, "breaks", "no qualified vehicle can also take its breaks")                           \
    X(MAX_WORKING_TIME, "max_working_time",                                                        \
      "every qualified vehicle's max_working_time is too short")                                   \
    X(MAX_RIDE_TIME, "max_ride_time",                                                              \
      "no qualified vehicle can deliver it within its max_ride_time")                              \
    X(RELATIONS, "relations",                                                                      \
      "feasible alone, but not with the visits it is tied to (workers, together, precedence)")     \
    X(NO_ROOM, "no_room",                                                                          \
      "feasible alone, but did not fit any route together with the other visits")

typedef enum cv_reason {
#define CV__REASON_ENUM(name, key, msg) CV_REASON_##name,
    CV_REASON_MAP(CV__REASON_ENUM)
#undef CV__REASON_ENUM
        CV_REASON_COUNT
} cv_reason;

const char *cv_reason_key(cv_reason r);     /* "skills", "time_window", ... */
const char *cv_reason_message(cv_reason r); /* a sentence for people */

typedef struct cv_plan_step {
    cv_step_type type;
    uint32_t index;  /* task index, or break index within the vehicle; CV_NONE for start/end */
    uint32_t loc;    /* location index; for a break, the location where it is taken, or CV_NONE */
    int64_t arrival; /* arrival time at this step */
    int64_t waiting; /* waiting before service starts (start = arrival + waiting) */
    int64_t setup;   /* setup actually applied */
    int64_t service;
    int64_t duration;  /* cumulated travel time upon arrival */
    int64_t distance;  /* cumulated distance upon arrival */
    uint32_t load_off; /* into plan->loads, ndims long: load after the step */
} cv_plan_step;

typedef struct cv_plan_route {
    uint32_t vehicle;
    uint32_t step_first, step_count; /* into plan->steps, including start and end */
    int64_t cost, setup, service, duration, waiting, distance;
    uint32_t priority;
    char *geometry; /* encoded polyline on the road network, or NULL; owned by the plan */
} cv_plan_route;

typedef struct cv_plan_unassigned {
    uint32_t task;
    cv_reason reason;
} cv_plan_unassigned;

typedef struct cv_plan {
    cv_plan_route *routes;
    uint32_t nroutes;
    cv_plan_step *steps;
    uint32_t nsteps;
    int64_t *loads;
    uint32_t nloads;
    cv_plan_unassigned *unassigned;
    uint32_t nunassigned;
    /* Summary, filled by the builder. */
    int64_t cost, setup, service, duration, waiting, distance;
    uint32_t priority;
    /* Computing times in milliseconds. */
    int64_t ms_loading, ms_solving, ms_routing;
    /* Optional extensions filled by later stages (negative when absent). */
    double lower_bound;
    char *bound_relaxation; /* what the bound relaxed, for people; malloc'ed or NULL */
    uint32_t min_vehicles;  /* minimum-fleet lower bound; 0 when not computed */
    /* Care extensions: longest minus shortest working time (end arrival -
     * start arrival - unpaid breaks) of the routes serving a task; its
     * fairness cost is in `cost`. */
    int64_t working_time_spread;
} cv_plan;

/* Growable construction: cv_plan_builder appends routes/steps/unassigned. */
typedef struct cv_plan_builder {
    cv_plan *plan;
    uint32_t cap_routes, cap_steps, cap_loads, cap_unassigned;
    uint32_t ndims;
} cv_plan_builder;

cv_status cv_plan_builder_init(cv_plan_builder *b, uint32_t ndims);
/* Starts a new route for `vehicle`; subsequent steps go to it. */
cv_status cv_plan_builder_route(cv_plan_builder *b, uint32_t vehicle);
/* Appends a step to the current route; `load` is ndims long (may be NULL when ndims == 0). */
cv_status cv_plan_builder_step(cv_plan_builder *b, const cv_plan_step *step, const int64_t *load);
cv_status cv_plan_builder_unassigned(cv_plan_builder *b, uint32_t task, cv_reason reason);
/* Hands the plan over (caller destroys it) and resets the builder. */
cv_plan *cv_plan_builder_finish(cv_plan_builder *b);
void cv_plan_builder_fini(cv_plan_builder *b);

void cv_plan_destroy(cv_plan *plan);

/* Fills each route's totals and the plan summary from the steps
 * (cost excepted, which the builder of the plan sets per route; the summary
 * cost adds the fairness term of the working time spread).  A visit with
 * several workers counts its priority once, on its first copy. */
void cv_plan_sum(cv_plan *plan, const cv_problem *p);

#endif
