/* carevan live: a saved plan becomes the running day (engine/live*.c).
 *
 * A cv_live holds the problem (plus the urgent visits added during the day),
 * the route of every vehicle split into an executed, frozen prefix (visits
 * done or in progress, breaks taken) and the remaining steps with their ETAs,
 * and each vehicle's last known position and time.  Events from the field
 * (visit.start, visit.done, visit.skipped, vehicle positions) move the
 * frozen boundary; ETAs of the rest are recomputed from where and when each
 * vehicle is.  An urgent request (an emergency: on site within 15 minutes;
 * ordinary help: 30) is answered by
 *   1. the cheapest feasible insertion into the existing remaining routes
 *      (no other visit changes vehicle), else
 *   2. a re-plan of the rest of the day: for the qualified workers who can
 *      reach the client in time by going there next, the urgent visit is
 *      their next stop and the solver re-plans every remaining visit,
 *      warm-started from the current routes; the candidate with the fewest
 *      visits dropped, then fewest changed assignments, then lowest cost wins;
 *   3. else a refusal with the earliest arrival any qualified worker could
 *      achieve by going there directly (computed from positions and travel
 *      times, not guessed).
 * An answer that reaches the client only in the last part of the deadline
 * (the safety margin, cv_live_urgent.margin_s) counts as not in time: the
 * visits before it overrun.  Re-plans by the solver weigh each visit handed
 * to another worker as a cost (10 min of travel), so they change little.
 * `reoptimize` re-plans the rest of the day the same way (frozen prefix kept).
 *
 * The remaining day is itself a problem (cv_live_subproblem): each vehicle
 * starts where and when it becomes free, with its remaining capacity, tasks
 * budget, travel budget and pending breaks; visits whose goods are already on
 * board stay with their vehicle.  Its plan (cv_live_subplan) is what the
 * independent checker verifies after every change.
 *
 * Care extensions (docs/care-extensions.md) hold live as in a plan: the
 * copies of a two-carer visit start together, relations keep their gaps,
 * meals their ride time, soft windows their lateness cost, vehicle lists and
 * working time (counted from the worker's first report) their limits.  A
 * visit done (or committed) bounds the visits tied to it; the whole day is
 * timed together (engine/live_ties.c) and its remaining part checked.
 * Problems with a horizon are refused (a live day is one day).
 *
 * Not thread-safe: one owner at a time.  Times are in the problem's unit
 * (seconds for care days).
 */
#ifndef CV_LIVE_H
#define CV_LIVE_H

#include <stdio.h>

#include "cv/plan.h"
#include "cv/problem.h"

typedef struct cv_live cv_live;

/* Creates the live day from problem p (copied; matrices filled) and its plan
 * given as solution JSON text (VROOM shape: routes of {vehicle, steps with
 * type and id}); the plan's step times are not trusted, ETAs are recomputed
 * from `now` (the start of the day: any time before the first shift). */
cv_status cv_live_create(cv_live **out, const cv_problem *p, const char *plan_json, size_t len,
                         int64_t now, cv_diag *diag);
void cv_live_destroy(cv_live *L);

/* The live clock: the time of the latest event. */
int64_t cv_live_now(const cv_live *L);
const cv_problem *cv_live_problem(const cv_live *L);
/* The tasks of cv_live_problem(L) (urgent ones included) by where they
 * stand: done, skipped (will not happen today: the client was not at home,
 * or an urgent call refused), and the rest (planned, in progress, or in no
 * route). */
void cv_live_task_counts(const cv_live *L, uint32_t *done, uint32_t *skipped, uint32_t *rest);

/* ---- Events.  `time` must not be before the live clock; vehicle and task are
 * user ids; bad input fills diag naming the field (e.g. "job: job 17 is not
 * planned (done)").  Each returns CV_OK and updates ETAs. ---- */
typedef enum cv_live_event_kind {
    CV_LIVE_VISIT_START = 0,
    CV_LIVE_VISIT_DONE,
    CV_LIVE_VISIT_SKIPPED,
    CV_LIVE_POSITION,
} cv_live_event_kind;

typedef struct cv_live_event {
    cv_live_event_kind kind;
    int64_t time;
    uint64_t vehicle;
    cv_task_kind task_kind; /* visits: job, pickup or delivery */
    uint64_t task;          /* visits: the task's id */
    uint32_t loc;           /* position: location index, or CV_NONE to use lon/lat */
    double lon, lat;        /* position: snapped to the nearest location of the problem */
} cv_live_event;

cv_status cv_live_apply(cv_live *L, const cv_live_event *ev, cv_diag *diag);

/* ---- Urgent requests ---- */
#define CV_LIVE_MAX_VEHICLE_LIST 16
typedef struct cv_live_urgent {
    uint64_t id;        /* new job id, unique among jobs */
    int64_t time;       /* when the request comes in (advances the clock) */
    int64_t deadline_s; /* on site within this long (900 emergency, 1800 ordinary) */
    uint32_t loc;       /* location index, or CV_NONE with at_coords */
    /* A point that is no location of the day (at_coords, loc CV_NONE):
     * snapped to the live day's road graph (cv_live_set_graph), travel
     * times routed on it. */
    bool at_coords;
    double lon, lat;
    int64_t service, setup;
    uint32_t skills[8];
    uint32_t nskills;
    uint32_t priority; /* 0..100; default 100 */
    /* Continuity of care (docs/care-extensions.md), vehicle ids: only these
     * may go (none: anyone qualified), never these. */
    uint64_t allowed[CV_LIVE_MAX_VEHICLE_LIST], forbidden[CV_LIVE_MAX_VEHICLE_LIST];
    uint32_t nallowed, nforbidden;
    /* Safety margin: a worker is sent only if the plan has them on site at
     * least this long before the deadline, time kept in hand for overruns of
     * the visits before (0: none; CV_LIVE_MARGIN_DEFAULT: a third of the
     * deadline, cv_live_default_margin). */
    int64_t margin_s;
} cv_live_urgent;

#define CV_LIVE_MARGIN_DEFAULT (-1)
/* The default safety margin for a deadline: a third of it, 5 min for an
 * emergency (on site within 15 min), 10 min for ordinary help (30 min).
 * Why a third: a visit in progress routinely runs several minutes over
 * (the simulator draws up to 5 min per visit), and an urgent visit placed
 * behind it inherits that; 5 min covers a full overrun of the visit under
 * way for the emergency worker who goes next, 10 min one more visit's for
 * ordinary help inserted later in a route.  Measured in bench/RESULTS.md
 * ("Live day": accepted-in-time share against refusals). */
int64_t cv_live_default_margin(int64_t deadline_s);

typedef enum cv_live_method {
    CV_LIVE_INSERTED = 0, /* cheapest insertion, no other visit moved */
    CV_LIVE_REPLANNED,    /* the rest of the day re-planned around it */
    CV_LIVE_REFUSED,      /* cannot be reached in time */
} cv_live_method;

typedef struct cv_live_outcome {
    cv_live_method method;
    uint64_t vehicle;                /* who goes (or, refused: who could arrive first); 0 if none */
    int64_t arrival;                 /* planned (or best achievable) arrival on site */
    int64_t deadline;                /* time + deadline_s */
    int64_t margin;                  /* the safety margin applied (seconds) */
    uint32_t changed;                /* other visits whose vehicle changed or that were dropped */
    uint32_t dropped;                /* of which now unassigned */
    int64_t cost_before, cost_after; /* cost of the remaining day (checker's definition) */
    double ms;                       /* wall-clock time of the call */
    char message[256];               /* a sentence for the operator */
} cv_live_outcome;

/* Gives the live day a road graph (not owned; it must outlive L): urgent
 * requests may then be anywhere on the road network, by coordinates.  Every
 * profile of the problem must be a profile of the graph. */
struct cv_graph;
cv_status cv_live_set_graph(cv_live *L, const struct cv_graph *g, cv_diag *diag);

/* Inserts (or refuses) an urgent visit.  CV_OK in all three outcomes; an
 * error only for bad input (diag names the field) or out of memory. */
cv_status cv_live_insert_urgent(cv_live *L, const cv_live_urgent *req, cv_live_outcome *out,
                                cv_diag *diag);

/* Re-plans the remaining day (frozen prefix kept) with the solver, warm
 * started from the current routes; keeps the current routes when the solver
 * finds nothing better.  `effort` 0: a default sized for an interactive
 * answer.  out->method is CV_LIVE_REPLANNED. */
cv_status cv_live_reoptimize(cv_live *L, int64_t time, uint64_t effort, cv_live_outcome *out,
                             cv_diag *diag);

/* ---- The remaining day as a problem and plan (for the checker) ---- */
/* *sub: the remaining day as a problem (caller destroys); *plan_json: the
 * current remaining routes with ETAs as VROOM-shaped solution JSON for that
 * problem (malloc'ed). */
cv_status cv_live_subplan(const cv_live *L, cv_problem **sub, char **plan_json, cv_diag *diag);

/* ---- State as JSON ----
 * {"now", "vehicles": [{"id", "available": {"location_index", "time"},
 *   "steps": [{"type", "id", "status": "done"|"started"|"taken"|"planned",
 *              "arrival", "start", "end", "late"?}]}],
 *  "unassigned": [{"type", "id"}], "skipped": [...], "urgent": [jobs as VROOM JSON],
 *  "changes": n} -- also the persisted form: cv_live_restore reads it back. */
cv_status cv_live_to_json(const cv_live *L, char **out);
/* Same, only the vehicles in `ids` (n of them). */
cv_status cv_live_vehicles_json(const cv_live *L, const uint64_t *ids, uint32_t n, char **out);
/* Rebuilds a live day from the original problem p and a cv_live_to_json text. */
cv_status cv_live_restore(cv_live **out, const cv_problem *p, const char *state_json, size_t len,
                          cv_diag *diag);

/* Vehicles whose remaining route differs between two cv_live_to_json texts
 * (ids written into ids, at most cap; returns the count). */
uint32_t cv_live_changed_vehicles(const char *before, const char *after, uint64_t *ids,
                                  uint32_t cap);

/* ---- The frozen-prefix check (engine/live_check.c) ----
 * Compares two cv_live_to_json texts, reading only the JSON: every step that
 * was done, started or taken in `before` must be, in the same order and with
 * the same times, the beginning of the same vehicle's route in `after`
 * (a started visit may have become done, with its end added).  Returns the
 * number of differences, each described in diag (first one). */
uint32_t cv_live_check_frozen(const char *before, const char *after, cv_diag *diag);

/* ---- Events from JSON (the simulator's file, the server's params) ----
 * {"type": "visit.start"|"visit.done"|"visit.skipped"|"vehicle.position"|
 *  "urgent"|"reoptimize", "time", "vehicle", "job"|"pickup"|"delivery",
 *  "location_index" | "location": [lon, lat], urgent: "id", "service",
 *  "setup", "skills", "deadline" (seconds), "priority"} */
struct json_t;
cv_status cv_live_event_from_json(const struct json_t *o, const char *path, cv_live_event *ev,
                                  cv_diag *diag);
cv_status cv_live_urgent_from_json(const struct json_t *o, const char *path, const cv_problem *p,
                                   cv_live_urgent *req, cv_diag *diag);

/* ---- A simulated day (engine/live_sim.c) ----
 * Replays `events` (a JSON array of events, "urgent" requests and
 * "reoptimize"), or, when NULL, generates the day from the plan: each
 * vehicle starts its next visit at its ETA and finishes it after its service
 * plus a random overrun in [0, delay_max]; a visit is skipped with
 * probability skip_percent/100; `urgent` requests come at random times, at
 * clients' homes, with the skills of a random visit, deadline 15 min (one in
 * three) or 30 min.  Whenever a route no longer holds, the simulated operator
 * calls reoptimize.  After every change: the remaining day is verified by the
 * independent checker, the frozen prefix against the previous state
 * (cv_live_check_frozen), and the event against the new state.  Deterministic
 * for a seed. */
typedef struct cv_live_sim_config {
    uint64_t seed;
    uint32_t urgent;
    int64_t urgent_margin; /* margin_s of the generated urgent requests (see cv_live_urgent) */
    int64_t delay_max;
    uint32_t skip_percent;
    FILE *log;                    /* one line per urgent request and per failure; NULL: quiet */
    const struct cv_graph *graph; /* road graph for urgent requests by coordinates, or NULL */
    /* With a graph: one urgent request in `offsite_every` (0: none) is not at a
     * client's home but at a random point near one (up to 400 m away), by
     * coordinates. */
    uint32_t offsite_every;
} cv_live_sim_config;

typedef struct cv_live_sim_report {
    uint32_t events, urgent, inserted, replanned, refused, reoptimized;
    uint32_t reached_in_time, reached_late, dropped_after_accept;
    uint32_t changed; /* changed assignments over the day */
    /* The day's end, in tasks (a meal is a pickup and a delivery, a visit
     * with several workers one task per worker; refused urgent calls are
     * not counted): done, skipped (the client was not at home), and not
     * done (dropped by a re-plan, or never planned). */
    uint32_t tasks_done, tasks_absent, tasks_not_done;
    uint32_t checks, check_failures, frozen_failures, log_failures;
    uint32_t broken; /* states where an overrun broke a route (before the reoptimize) */
    double urgent_ms_max, urgent_ms_sum;
    char first_failure[CV_DIAG_MAX];
} cv_live_sim_report;

cv_status cv_live_simulate(const cv_problem *p, const char *plan_json, size_t len,
                           const struct json_t *events, const cv_live_sim_config *cfg,
                           cv_live_sim_report *rep, struct json_t **events_out, cv_diag *diag);

/* `carevan simulate PROBLEM.json [EVENTS.json]` (engine/cli_simulate.c). */
int cv_live_simulate_cli(int argc, char **argv);

#endif
