/* carevan problem model (pure data; lives in core/ so that solver/ and engine/
 * can both read it without solver/ depending on engine/): the planning problem as the solver,
 * checker, CLI and server see it, independent of the file format it came from.
 *
 * It mirrors VROOM's JSON API (jobs, shipments, vehicles, matrices per
 * profile) in flat arrays addressed by uint32_t index.  A problem is built
 * once by a reader (cv_problem_from_json, converters) and is read-only after
 * cv_problem_finalize: the solver, the checker and the server threads may all
 * read one problem at the same time.
 *
 * Units: times in seconds (or whatever unit the user's matrix uses, VROOM
 * leaves that to the user; benchmark converters use tenths), distances in
 * metres, amounts in the user's units.  All are integers.
 *
 * Travel of vehicle v from location a to b (one definition, documented here
 * and re-implemented independently by the solver and the checker):
 *   dur(v,a,b)  = round(durations[a][b] / speed_factor(v))   (half away from 0)
 *   dist(v,a,b) = distances[a][b], or 0 when the profile has no distances
 *   cost: with a `costs` matrix,  route cost = fixed + sum costs[a][b];
 *         otherwise               route cost = fixed + round((per_hour * sum dur
 *                                              + per_km * sum dist * 3.6) / 3600)
 *         i.e. per_hour is per hour of travel, per_km per km travelled, and the
 *         defaults (per_hour 3600, per_km 0) make cost = travel time, as in VROOM.
 * fixed is counted only for a vehicle that serves at least one task.
 */
#ifndef CV_PROBLEM_H
#define CV_PROBLEM_H

#include "cv/core.h"

#define CV_NONE UINT32_MAX
/* A time no plan reaches: the end of an absent window.  Far below INT64_MAX so
 * that sums of a few such values cannot overflow. */
#define CV_TIME_MAX ((int64_t)1 << 52)
#define CV_MAX_AMOUNT_DIMS 16

typedef struct cv_tw {
    int64_t start, end; /* inclusive; start <= end */
} cv_tw;

typedef enum cv_task_kind {
    CV_TASK_JOB = 0,      /* a single visit; its delivery is loaded at the vehicle's start */
    CV_TASK_PICKUP = 1,   /* first half of a shipment */
    CV_TASK_DELIVERY = 2, /* second half of a shipment */
} cv_task_kind;

/* A task is anything a vehicle performs at a location: a job, or one half of
 * a shipment.  Tasks are numbered 0..ntasks-1 in input order: jobs first, then
 * for each shipment its pickup and its delivery (adjacent). */
typedef struct cv_task {
    uint64_t id; /* user id; unique among tasks of the same kind */
    cv_task_kind kind;
    uint32_t loc;         /* location index (row/column of the matrices) */
    uint32_t sibling;     /* for shipments: the other half; CV_NONE for jobs */
    uint32_t ship;        /* shipment index, CV_NONE for jobs */
    uint32_t input_index; /* index in `jobs` or `shipments` of the input */
    int64_t setup;        /* applied only when arriving from a different location */
    int64_t service;
    uint32_t priority;                 /* 0..100 */
    uint32_t tw_first, tw_count;       /* into problem->tws; sorted, disjoint, count >= 1 */
    uint32_t skill_first, skill_count; /* into problem->skills; sorted unique */
    /* Amounts, each `ndims` long at problem->amounts[amount_off ...]:
     * delivery at [amount_off], pickup at [amount_off + ndims].
     * Jobs: delivery is on board from the start until the visit; pickup after it.
     * Shipment pickup: pickup = amount, delivery = 0.
     * Shipment delivery: delivery = amount, pickup = 0. */
    uint32_t amount_off;
    const char *description; /* NULL if none; owned by the problem */
    /* ---- Care extensions (docs/care-extensions.md); all zero when unused. ---- */
    /* Visits needing several workers at once ("workers": n > 1) are n tasks
     * with the same id, group_first the first of them, group_size n; they are
     * tied by CV_REL_TOGETHER relations (same start, distinct vehicles). */
    uint32_t group_first, group_size;
    /* Soft end of the time windows: service may start up to max_lateness after
     * the end of a window, at lateness_per_hour per hour of lateness. */
    int64_t max_lateness, lateness_per_hour;
    /* Continuity of care: vehicle indices into problem->vehicle_refs.  allowed:
     * only these (hard); forbidden: never these (hard); preferred: anyone else
     * costs preference_cost. */
    uint32_t allowed_first, allowed_count;
    uint32_t forbidden_first, forbidden_count;
    uint32_t preferred_first, preferred_count;
    int64_t preference_cost;
    /* Shipment pickups: longest time from the end of the pickup's service to
     * the start of the delivery (hot meals); 0 = no limit. */
    int64_t max_ride_time;
    /* ---- Multi-day planning (docs/care-extensions.md, "Several days"); all zero
     * without a horizon. ---- */
    uint32_t frequency;                    /* visits over the horizon (>= 1 with a horizon) */
    uint32_t min_spacing;                  /* days between two visits (cyclic: also around) */
    uint32_t pattern_first, pattern_count; /* into problem->day_patterns; 0: any days */
    uint32_t max_vehicles;                 /* distinct vehicles over the horizon; 0: no cap */
} cv_task;

/* Relations between tasks in different places of the plan (docs/care-extensions.md):
 * start(second) - start(first) must lie in [min_gap, max_gap]; `distinct`
 * requires different vehicles.  Both tasks are planned, or neither. */
typedef enum cv_relation_kind {
    CV_REL_TOGETHER = 0,   /* min_gap = max_gap = 0, distinct vehicles */
    CV_REL_PRECEDENCE = 1, /* first before second within the gaps */
} cv_relation_kind;

typedef struct cv_relation {
    cv_relation_kind kind;
    uint32_t first, second; /* task indices */
    int64_t min_gap, max_gap;
    bool distinct;
} cv_relation;

typedef struct cv_break {
    uint64_t id;
    int64_t service;
    uint32_t tw_first, tw_count; /* into problem->tws */
    bool has_max_load;
    uint32_t max_load_off; /* into problem->amounts, ndims long, when has_max_load */
    const char *description;
    bool unpaid; /* care extension: an unpaid break does not count as working time */
} cv_break;

typedef enum cv_step_type {
    CV_STEP_START = 0,
    CV_STEP_JOB,
    CV_STEP_PICKUP,
    CV_STEP_DELIVERY,
    CV_STEP_BREAK,
    CV_STEP_END,
} cv_step_type;

/* A step of an input route (vehicle `steps`, VROOM's warm start / plan mode). */
typedef struct cv_input_step {
    cv_step_type type;
    uint32_t index; /* task index, or break index within the vehicle; CV_NONE for start/end */
    int64_t service_at, service_after, service_before; /* -1 when absent */
} cv_input_step;

/* Multi-day planning: one working day of a vehicle. */
typedef struct cv_shift {
    uint32_t day; /* 0 .. horizon_days-1 */
    cv_tw tw;     /* working hours on that day, in the day's own time */
} cv_shift;

/* Longest horizon: a day pattern is a 64-bit set of days. */
#define CV_MAX_HORIZON_DAYS 64

typedef struct cv_vehicle {
    uint64_t id;
    uint32_t profile;      /* index into problem->profiles */
    uint32_t start_loc;    /* CV_NONE: route starts at its first task */
    uint32_t end_loc;      /* CV_NONE: open route, ends at its last task */
    uint32_t capacity_off; /* into problem->amounts, ndims long */
    uint32_t skill_first, skill_count;
    cv_tw tw;                             /* working hours; [0, CV_TIME_MAX] when absent */
    uint32_t break_first, break_count;    /* into problem->breaks */
    uint32_t max_tasks;                   /* UINT32_MAX when absent */
    int64_t max_travel_time;              /* CV_TIME_MAX when absent */
    int64_t max_distance;                 /* CV_TIME_MAX when absent */
    int64_t fixed_cost, per_hour, per_km; /* defaults 0, 3600, 0 */
    double speed_factor;                  /* (0, 5], default 1 */
    uint32_t step_first, step_count;      /* into problem->input_steps */
    const char *description;
    /* Care extensions: working time = end arrival - start departure - unpaid
     * breaks.  max_working_time 0 = no limit; beyond overtime_after, each hour
     * costs overtime_per_hour more (0 = no overtime cost). */
    int64_t max_working_time, overtime_after, overtime_per_hour;
    /* Multi-day planning: the days this vehicle works, with each day's working
     * hours (into problem->shifts, sorted by day).  shift_count 0 with a
     * horizon: it works every day, with `tw`. */
    uint32_t shift_first, shift_count;
} cv_vehicle;

/* One routing profile with its matrices, n x n, row-major, values < 2^32. */
typedef struct cv_profile {
    const char *name;
    uint32_t n;
    uint32_t *durations; /* required once the problem is finalized */
    uint32_t *distances; /* NULL when not given */
    uint32_t *costs;     /* NULL when not given */
} cv_profile;

typedef struct cv_location {
    double lon, lat;
    bool has_coords;
} cv_location;

typedef struct cv_problem {
    uint32_t ndims; /* amount dimensions, 0..CV_MAX_AMOUNT_DIMS */
    uint32_t ntasks, njobs, nshipments, nvehicles, nprofiles, nlocs;
    cv_task *tasks;
    cv_vehicle *vehicles;
    cv_profile *profiles;
    cv_location *locs; /* nlocs; coordinates when the input gave them */
    cv_tw *tws;
    uint32_t ntws;
    cv_break *breaks;
    uint32_t nbreaks;
    uint32_t *skills; /* skill values, sorted per owner */
    uint32_t nskills;
    int64_t *amounts;
    uint32_t namounts;
    cv_input_step *input_steps;
    uint32_t ninput_steps;
    /* Care extensions. */
    cv_relation *relations;
    uint32_t nrelations;
    uint32_t *vehicle_refs; /* vehicle index lists of tasks (allowed/forbidden/preferred) */
    uint32_t nvehicle_refs;
    int64_t fairness_per_hour; /* cost per hour of (longest - shortest) working time */
    /* Multi-day planning: horizon_days 0 is the ordinary single day.  With a
     * horizon, every time is a time of day and each route belongs to one day;
     * cyclic: the horizon repeats (a weekly round), so spacing also counts
     * across its end. */
    uint32_t horizon_days;
    bool horizon_cyclic;
    cv_shift *shifts;
    uint32_t nshifts;
    uint64_t *day_patterns; /* bit d set: day d; each has popcount == its task's frequency */
    uint32_t npatterns;
    bool uses_coords;  /* locations given as coordinates, matrices to be filled by a graph */
    bool uses_indices; /* locations given as location_index into user matrices */
    /* Storage for strings (descriptions, profile names). */
    char **strings;
    uint32_t nstrings;
} cv_problem;

/* Limits on input sizes (bad input beyond them is refused, not attempted). */
#define CV_MAX_INPUT_BYTES ((size_t)512 << 20)
#define CV_MAX_LOCATIONS 100000u
#define CV_MAX_TASKS 1000000u
#define CV_MAX_VEHICLES 100000u

void cv_problem_destroy(cv_problem *p);

/* True when every profile has its duration matrix (user-given or filled from a graph). */
bool cv_problem_has_matrices(const cv_problem *p);

/* True when the problem uses any care extension (docs/care-extensions.md). */
bool cv_problem_uses_care_extensions(const cv_problem *p);

/* True for a multi-day problem (a `horizon`): plan it with the periodic
 * planner (engine/periodic.c), never one day at a time with the solver. */
static inline bool cv_problem_is_periodic(const cv_problem *p)
{
    return p->horizon_days > 0;
}

/* Lookup helpers. */
static inline const cv_tw *cv_task_tws(const cv_problem *p, const cv_task *t)
{
    return p->tws + t->tw_first;
}
static inline const int64_t *cv_task_delivery(const cv_problem *p, const cv_task *t)
{
    return p->amounts + t->amount_off;
}
static inline const int64_t *cv_task_pickup(const cv_problem *p, const cv_task *t)
{
    return p->amounts + t->amount_off + p->ndims;
}
static inline const int64_t *cv_vehicle_capacity(const cv_problem *p, const cv_vehicle *v)
{
    return p->amounts + v->capacity_off;
}
/* True when vehicle v has every skill task t requires. */
bool cv_vehicle_has_skills(const cv_problem *p, const cv_vehicle *v, const cv_task *t);

const char *cv_task_kind_name(cv_task_kind k); /* "job", "pickup", "delivery" */
const char *cv_step_type_name(cv_step_type t); /* "start", "job", ... */

#endif
