/* The periodic planner: a plan over several days for a problem with a horizon
 * (docs/care-extensions.md, "Several days"), e.g. sickbed rounds three times a
 * week, or a caravan that visits each village once a week.
 *
 * Decomposition, as in the periodic VRP literature (Cordeau, Gendreau &
 * Laporte 1997; Vidal et al. 2012 for the pattern-assignment view): each job
 * gets one day pattern (a set of `frequency` days), then each day is an
 * ordinary one-day problem solved by the solver (cv_solver_run).
 *   1. Candidate patterns per job: the given day_patterns, or every set of
 *      `frequency` days keeping min_spacing (at most CANDIDATES_MAX, first in
 *      lexicographic order); a pattern is kept only if on each of its days
 *      enough vehicles with the job's skills (and allowed) work.
 *   2. Balanced construction: jobs with the fewest candidates first, each
 *      takes the pattern that least increases sum over days of utilisation^2,
 *      where a day's load counts service and twice the travel from the
 *      nearest job already on that day (so days are balanced and
 *      geographically grouped).
 *   3. Each day is solved.  The cap on distinct vehicles per job is kept by
 *      restricting a day's allowed_vehicles for a job to the vehicles that
 *      serve it on the other days once one more vehicle would exceed it.
 *      A job the solver leaves unassigned on one of its days is dropped from
 *      all of them (a visit frequency is all or nothing) and those days are
 *      solved again, until every planned visit is served.
 *   4. Improvement within a budget of moves: a dropped job is tried on its
 *      best other patterns; a served job with a large detour is moved to its
 *      best other pattern.  A move re-solves only the days whose job set
 *      changes and is kept if the plan gets better (more priority, then more
 *      visits, then lower cost); otherwise those days are restored.
 *   5. Polish: each day solved once more with the solver's full effort,
 *      kept when it serves the same visits at a lower cost.
 * Deterministic: same problem, seed and effort, same plan (the wall-clock
 * limit is a safety net only).
 *
 * The per-day problem is a view of the whole problem: tasks, vehicles,
 * relations and vehicle lists are per day, everything else (windows, skills,
 * amounts, matrices, strings) is shared read-only.
 *
 * Workload: (days + moves x frequency) solver runs on day-sized problems.
 */
#include "cv/engine.h"

#ifdef CV_SOLVER_AVAILABLE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cv/solver.h"
#include "periodic_int.h"

#define CANDIDATES_MAX 512
/* solve_day_effort: the default search effort of a day, 1e5 + 2e4 x its tasks
 * (small: many days are solved during the search). */
#define EFFORT_DAY_DEFAULT 1
#define DAY_SECONDS 86400

typedef struct pjob {
    uint32_t task;   /* first task of the job in the problem */
    uint32_t ntasks; /* workers (copies) */
    uint64_t *cands;
    uint32_t ncands;
    uint64_t mask;      /* current pattern; 0 = not planned */
    const char *reason; /* why not planned (reason key), NULL when planned */
    int64_t detour;     /* travel added by the job in the current plan */
} pjob;

/* One day's view of the problem and its plan; owns its arrays. */
typedef struct pday {
    cv_problem view;
    cv_task *tasks;
    cv_vehicle *vehicles;
    cv_relation *rels;
    uint32_t *vrefs;
    uint32_t *task_job; /* view task -> job */
    cv_plan *plan;      /* NULL when the day has no job */
} pday;

typedef struct planner {
    const cv_problem *p;
    cv_periodic_config *cfg;
    cv_diag *diag;
    pjob *jobs;
    uint32_t njobs;
    pday *days;
    double t0;
    /* scratch: per job, the vehicles serving it on the other days */
    uint32_t *seen, *nseen; /* seen[j * nvehicles_cap + k] */
    uint32_t seen_cap;
} planner;

void cv_periodic_config_init(cv_periodic_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->seed = 1;
    cfg->threads = 1;
    cfg->max_moves = 30;
    cfg->polish = true;
}

static bool works_on(const cv_problem *p, const cv_vehicle *v, uint32_t day, cv_tw *tw)
{
    if (v->shift_count == 0) {
        *tw = v->tw;
        return true;
    }
    for (uint32_t i = 0; i < v->shift_count; i++)
        if (p->shifts[v->shift_first + i].day == day) {
            *tw = p->shifts[v->shift_first + i].tw;
            return true;
        }
    return false;
}

/* May vehicle v serve task t at all (skills, allowed, forbidden)? */
static bool qualified(const cv_problem *p, uint32_t v, const cv_task *t)
{
    if (!cv_vehicle_has_skills(p, &p->vehicles[v], t)) return false;
    for (uint32_t i = 0; i < t->forbidden_count; i++)
        if (p->vehicle_refs[t->forbidden_first + i] == v) return false;
    if (!t->allowed_count) return true;
    for (uint32_t i = 0; i < t->allowed_count; i++)
        if (p->vehicle_refs[t->allowed_first + i] == v) return true;
    return false;
}

/* Does vehicle v work on every day of `mask`? */
static bool works_all(const cv_problem *p, uint32_t v, uint64_t mask)
{
    cv_tw tw;
    for (uint32_t d = 0; d < p->horizon_days; d++)
        if ((mask >> d & 1) && !works_on(p, &p->vehicles[v], d, &tw)) return false;
    return true;
}

/* A tight cap (max_vehicles == workers: the same crew at every visit). */
static bool tight_cap(const cv_task *t, uint32_t ntasks)
{
    return t->max_vehicles && t->max_vehicles == ntasks;
}

static void day_free(pday *d)
{
    cv_plan_destroy(d->plan);
    free(d->tasks);
    free(d->vehicles);
    free(d->rels);
    free(d->vrefs);
    free(d->task_job);
    memset(d, 0, sizeof *d);
}

/* ---- 1. candidate patterns ---- */

typedef struct enum_state {
    const cv_problem *p;
    const cv_task *t;
    uint64_t day_ok; /* days with enough qualified vehicles */
    uint64_t *out;
    uint32_t n;
} enum_state;

static void enumerate(enum_state *e, uint32_t from, uint32_t left, uint64_t mask, int last)
{
    if (e->n >= CANDIDATES_MAX) return;
    const cv_problem *p = e->p;
    if (left == 0) {
        if (cv__periodic_spacing_ok(mask, e->t->min_spacing, p->horizon_days, p->horizon_cyclic))
            e->out[e->n++] = mask;
        return;
    }
    for (uint32_t d = from; d + left <= p->horizon_days; d++) {
        if (!(e->day_ok >> d & 1)) continue;
        if (last >= 0 && e->t->min_spacing > 1 && d - (uint32_t)last < e->t->min_spacing) continue;
        enumerate(e, d + 1, left - 1, mask | (uint64_t)1 << d, (int)d);
    }
}

static cv_status make_candidates(planner *pl, pjob *j)
{
    const cv_problem *p = pl->p;
    const cv_task *t = &p->tasks[j->task];
    uint64_t day_ok = 0;
    for (uint32_t d = 0; d < p->horizon_days; d++) {
        uint32_t n = 0;
        cv_tw tw;
        for (uint32_t v = 0; v < p->nvehicles; v++)
            if (works_on(p, &p->vehicles[v], d, &tw) && qualified(p, v, t)) n++;
        if (n >= j->ntasks) day_ok |= (uint64_t)1 << d;
    }
    j->cands = cv_calloc(t->pattern_count ? t->pattern_count : CANDIDATES_MAX, sizeof *j->cands);
    if (!j->cands) return CV_ENOMEM;
    if (t->pattern_count) {
        for (uint32_t k = 0; k < t->pattern_count; k++) {
            uint64_t m = p->day_patterns[t->pattern_first + k];
            if ((m & day_ok) == m) j->cands[j->ncands++] = m;
        }
    } else {
        enum_state e = {p, t, day_ok, j->cands, 0};
        enumerate(&e, 0, t->frequency, 0, -1);
        j->ncands = e.n;
    }
    if (tight_cap(t, j->ntasks)) {
        /* The same crew at every visit: enough of them must work on all its days. */
        uint32_t kept = 0;
        for (uint32_t k = 0; k < j->ncands; k++) {
            uint32_t n = 0;
            for (uint32_t v = 0; v < p->nvehicles; v++)
                if (qualified(p, v, t) && works_all(p, v, j->cands[k])) n++;
            if (n >= j->ntasks) j->cands[kept++] = j->cands[k];
        }
        j->ncands = kept;
    }
    if (!j->ncands) j->reason = "no_day_pattern";
    return CV_OK;
}

/* ---- 2. balanced construction ---- */

static int64_t travel(const cv_problem *p, uint32_t a, uint32_t b)
{
    if (a == CV_NONE || b == CV_NONE) return 0;
    return p->profiles[0].durations[(size_t)a * p->nlocs + b];
}

typedef struct balance {
    double *load, *cap;
    uint32_t **locs; /* per day: locations already there (job locations and starts) */
    uint32_t *nlocs, *caplocs;
} balance;

/* What job j adds to day d: its service and twice the travel from the
 * nearest location already on that day. */
static double added_load(const planner *pl, const balance *b, const pjob *j, uint32_t d)
{
    const cv_problem *p = pl->p;
    const cv_task *t = &p->tasks[j->task];
    int64_t near = INT64_MAX;
    for (uint32_t k = 0; k < b->nlocs[d]; k++) {
        int64_t x = travel(p, b->locs[d][k], t->loc), y = travel(p, t->loc, b->locs[d][k]);
        if (x + y < near) near = x + y;
    }
    if (near == INT64_MAX) near = 0;
    return (double)j->ntasks * (double)(t->service + t->setup) + (double)near;
}

static double pattern_score(const planner *pl, const balance *b, const pjob *j, uint64_t m)
{
    double s = 0;
    for (uint32_t d = 0; d < pl->p->horizon_days; d++)
        if (m >> d & 1) {
            double before = b->load[d] / b->cap[d];
            double after = (b->load[d] + added_load(pl, b, j, d)) / b->cap[d];
            s += after * after - before * before;
        }
    return s;
}

static bool add_loc(balance *b, uint32_t d, uint32_t loc)
{
    if (loc == CV_NONE) return true;
    if (!cv_array_grow((void **)&b->locs[d], &b->caplocs[d], b->nlocs[d] + 1, sizeof(uint32_t)))
        return false;
    b->locs[d][b->nlocs[d]++] = loc;
    return true;
}

/* Jobs in an order: by key, then by index (deterministic). */
typedef struct ranked {
    uint64_t key;
    uint32_t job;
} ranked;

static int cmp_ranked(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->key != y->key) return (x->key > y->key) - (x->key < y->key);
    return (x->job > y->job) - (x->job < y->job);
}

static cv_status construct(planner *pl)
{
    const cv_problem *p = pl->p;
    uint32_t D = p->horizon_days;
    balance b = {0};
    b.load = cv_calloc(D, sizeof *b.load);
    b.cap = cv_calloc(D, sizeof *b.cap);
    b.locs = cv_calloc(D, sizeof *b.locs);
    b.nlocs = cv_calloc(D, sizeof *b.nlocs);
    b.caplocs = cv_calloc(D, sizeof *b.caplocs);
    ranked *order = cv_calloc(pl->njobs + 1, sizeof *order);
    cv_status st = CV_ENOMEM;
    if (!b.load || !b.cap || !b.locs || !b.nlocs || !b.caplocs || !order) goto done;
    for (uint32_t d = 0; d < D; d++) {
        b.cap[d] = 1;
        for (uint32_t v = 0; v < p->nvehicles; v++) {
            cv_tw tw;
            if (!works_on(p, &p->vehicles[v], d, &tw)) continue;
            int64_t len = tw.end - tw.start;
            b.cap[d] += (double)(len > DAY_SECONDS ? DAY_SECONDS : len);
            if (!add_loc(&b, d, p->vehicles[v].start_loc)) goto done;
        }
    }
    /* Fewest candidates first, then most visits, then longest service. */
    for (uint32_t j = 0; j < pl->njobs; j++) {
        const cv_task *t = &p->tasks[pl->jobs[j].task];
        uint64_t svc = (uint64_t)(t->service > 0xFFFFFF ? 0xFFFFFF : t->service);
        order[j].job = j;
        order[j].key = (uint64_t)pl->jobs[j].ncands << 40 | (uint64_t)(64 - t->frequency) << 32 |
                       (0xFFFFFF - svc);
    }
    qsort(order, pl->njobs, sizeof *order, cmp_ranked);
    for (uint32_t i = 0; i < pl->njobs; i++) {
        pjob *j = &pl->jobs[order[i].job];
        if (!j->ncands) continue;
        double best = 0;
        uint64_t bm = 0;
        for (uint32_t k = 0; k < j->ncands; k++) {
            double s = pattern_score(pl, &b, j, j->cands[k]);
            if (!bm || s < best) best = s, bm = j->cands[k];
        }
        for (uint32_t d = 0; d < D; d++)
            if (bm >> d & 1) {
                b.load[d] += added_load(pl, &b, j, d);
                if (!add_loc(&b, d, p->tasks[j->task].loc)) goto done;
            }
        j->mask = bm;
    }
    st = CV_OK;
done:
    for (uint32_t d = 0; b.locs && d < D; d++) free(b.locs[d]);
    free(b.load);
    free(b.cap);
    free(b.locs);
    free(b.nlocs);
    free(b.caplocs);
    free(order);
    return st;
}

/* ---- 3. one day ---- */

/* The vehicles serving each job on the days other than `day` (all days for
 * CV_NONE), by the current plans: pl->seen row j, pl->nseen[j] of them. */
static void collect_seen(planner *pl, uint32_t day)
{
    const cv_problem *p = pl->p;
    memset(pl->nseen, 0, pl->njobs * sizeof *pl->nseen);
    for (uint32_t d = 0; d < p->horizon_days; d++) {
        const pday *pd = &pl->days[d];
        if (d == day || !pd->plan) continue;
        const uint64_t bit = (uint64_t)1 << d;
        for (uint32_t r = 0; r < pd->plan->nroutes; r++) {
            const cv_plan_route *rt = &pd->plan->routes[r];
            for (uint32_t k = 0; k < rt->step_count; k++) {
                const cv_plan_step *st = &pd->plan->steps[rt->step_first + k];
                if (st->type != CV_STEP_JOB) continue;
                uint32_t j = pd->task_job[st->index];
                /* A day about to be solved again may still hold a job that left it. */
                if (!(pl->jobs[j].mask & bit)) continue;
                uint32_t *row = pl->seen + (size_t)j * pl->seen_cap, n = pl->nseen[j], i;
                for (i = 0; i < n && row[i] != rt->vehicle; i++) continue;
                if (i == n && n < pl->seen_cap) row[pl->nseen[j]++] = rt->vehicle;
            }
        }
    }
}

/* Builds day `day`'s view for the current patterns, into *out (zeroed first).
 * The cap on distinct vehicles narrows a job's allowed vehicles: to the ones
 * already serving it on other days once one more would break the cap, and,
 * with a tight cap, from the first visit on to the qualified vehicles that
 * work on every day of its pattern (otherwise the first day could pick a crew
 * that is off on a later one). */
static cv_status build_day(planner *pl, uint32_t day, pday *out)
{
    const cv_problem *p = pl->p;
    memset(out, 0, sizeof *out);
    uint32_t nt = 0, nj = 0, nrel = 0, nrestricted = 0;
    collect_seen(pl, day);
    for (uint32_t j = 0; j < pl->njobs; j++) {
        const pjob *jb = &pl->jobs[j];
        if (!(jb->mask >> day & 1)) continue;
        nt += jb->ntasks;
        nj++;
        nrel += jb->ntasks - 1;
        nrestricted +=
            pl->nseen[j] + (tight_cap(&p->tasks[jb->task], jb->ntasks) ? p->nvehicles : 0);
    }
    if (nj == 0) return CV_OK;
    out->tasks = cv_calloc(nt, sizeof *out->tasks);
    out->task_job = cv_calloc(nt, sizeof *out->task_job);
    out->vehicles = cv_calloc(p->nvehicles, sizeof *out->vehicles);
    out->rels = cv_calloc(nrel + 1, sizeof *out->rels);
    out->vrefs = cv_calloc((size_t)p->nvehicle_refs + nrestricted + 1, sizeof *out->vrefs);
    if (!out->tasks || !out->task_job || !out->vehicles || !out->rels || !out->vrefs) {
        day_free(out);
        return CV_ENOMEM;
    }
    if (p->nvehicle_refs)
        memcpy(out->vrefs, p->vehicle_refs, p->nvehicle_refs * sizeof *out->vrefs);
    uint32_t nrefs = p->nvehicle_refs, t = 0;
    nrel = 0;
    for (uint32_t j = 0; j < pl->njobs; j++) {
        const pjob *jb = &pl->jobs[j];
        if (!(jb->mask >> day & 1)) continue;
        const cv_task *src = &p->tasks[jb->task];
        /* Restrict to the vehicles already seen once one more would break the cap. */
        bool restrict_ = src->max_vehicles && pl->nseen[j] + jb->ntasks > src->max_vehicles;
        uint32_t afirst = nrefs;
        if (restrict_) {
            memcpy(out->vrefs + nrefs, pl->seen + (size_t)j * pl->seen_cap,
                   pl->nseen[j] * sizeof *out->vrefs);
            nrefs += pl->nseen[j];
        } else if (tight_cap(src, jb->ntasks) && pl->nseen[j] == 0) {
            for (uint32_t v = 0; v < p->nvehicles; v++)
                if (qualified(p, v, src) && works_all(p, v, jb->mask)) out->vrefs[nrefs++] = v;
            restrict_ = true;
        }
        uint32_t nallowed = nrefs - afirst;
        for (uint32_t c = 0; c < jb->ntasks; c++) {
            cv_task *k = &out->tasks[t + c];
            *k = src[c];
            k->group_first = t;
            if (restrict_) {
                k->allowed_first = afirst;
                k->allowed_count = nallowed;
            }
            out->task_job[t + c] = j;
            if (c > 0)
                out->rels[nrel++] = (cv_relation){
                    .kind = CV_REL_TOGETHER, .first = t, .second = t + c, .distinct = true};
        }
        t += jb->ntasks;
    }
    for (uint32_t v = 0; v < p->nvehicles; v++) {
        cv_vehicle *veh = &out->vehicles[v];
        *veh = p->vehicles[v];
        cv_tw tw;
        if (works_on(p, veh, day, &tw))
            veh->tw = tw;
        else
            veh->max_tasks = 0; /* off that day: the solver gives it no task */
        veh->shift_count = 0;
    }
    cv_problem *vw = &out->view;
    *vw = *p;
    vw->horizon_days = 0;
    vw->tasks = out->tasks;
    vw->ntasks = nt;
    vw->njobs = nj;
    vw->nshipments = 0;
    vw->vehicles = out->vehicles;
    vw->relations = out->rels;
    vw->nrelations = nrel;
    vw->vehicle_refs = out->vrefs;
    vw->nvehicle_refs = nrefs;
    return CV_OK;
}

/* Solves day `day` for the current patterns into *out.  *failed gets 1 for
 * each job the day could not serve (unassigned, or over its vehicle cap),
 * with its reason. */
static cv_status solve_day_effort(planner *pl, uint32_t day, pday *out, uint8_t *failed,
                                  const char **reasons, uint64_t effort);

static cv_status solve_day(planner *pl, uint32_t day, pday *out, uint8_t *failed,
                           const char **reasons)
{
    cv_periodic_config *cfg = pl->cfg;
    return solve_day_effort(pl, day, out, failed, reasons,
                            cfg->day_effort ? cfg->day_effort : EFFORT_DAY_DEFAULT);
}

/* effort: solver work units; EFFORT_DAY_DEFAULT, or 0 for the solver's own default. */
static cv_status solve_day_effort(planner *pl, uint32_t day, pday *out, uint8_t *failed,
                                  const char **reasons, uint64_t effort)
{
    cv_status st = build_day(pl, day, out);
    if (st != CV_OK || !out->tasks) return st;
    cv_periodic_config *cfg = pl->cfg;
    cv_solver_config sc;
    cv_solver_config_init(&sc);
    sc.seed = cfg->seed + day;
    sc.threads = cfg->threads ? cfg->threads : 1;
    sc.max_effort = effort == EFFORT_DAY_DEFAULT ? 100000ull + 20000ull * out->view.ntasks : effort;
    if (cfg->time_limit_s > 0) sc.time_limit_s = cfg->time_limit_s / pl->p->horizon_days;
    st = cv_solver_run(&out->view, &sc, &out->plan, pl->diag);
    cfg->stat_day_solves++;
    if (st != CV_OK) {
        day_free(out);
        return st;
    }
    for (uint32_t i = 0; i < out->plan->nunassigned; i++) {
        uint32_t t = out->plan->unassigned[i].task;
        uint32_t j = out->task_job[t];
        failed[j] = 1;
        /* Narrowed to the crew of its other visits: the cap is why. */
        bool narrowed =
            out->tasks[t].allowed_count != pl->p->tasks[pl->jobs[j].task].allowed_count ||
            out->tasks[t].allowed_first != pl->p->tasks[pl->jobs[j].task].allowed_first;
        reasons[j] = narrowed ? "max_vehicles" : cv_reason_key(out->plan->unassigned[i].reason);
    }
    /* The cap, for visits with several workers the restriction cannot express. */
    collect_seen(pl, day);
    const cv_problem *p = pl->p;
    for (uint32_t r = 0; r < out->plan->nroutes; r++) {
        const cv_plan_route *rt = &out->plan->routes[r];
        for (uint32_t k = 0; k < rt->step_count; k++) {
            const cv_plan_step *s = &out->plan->steps[rt->step_first + k];
            if (s->type != CV_STEP_JOB) continue;
            uint32_t j = out->task_job[s->index];
            uint32_t *row = pl->seen + (size_t)j * pl->seen_cap, n = pl->nseen[j], i;
            for (i = 0; i < n && row[i] != rt->vehicle; i++) continue;
            if (i == n && n < pl->seen_cap) row[pl->nseen[j]++] = rt->vehicle;
        }
    }
    for (uint32_t j = 0; j < pl->njobs; j++) {
        uint32_t cap = p->tasks[pl->jobs[j].task].max_vehicles;
        if (cap && (pl->jobs[j].mask >> day & 1) && pl->nseen[j] > cap && !failed[j]) {
            failed[j] = 1;
            reasons[j] = "max_vehicles";
        }
    }
    return CV_OK;
}

/* ---- objective ---- */

typedef struct score {
    uint64_t priority, visits;
    int64_t cost;
} score;

static score plan_score(const planner *pl)
{
    score s = {0, 0, 0};
    for (uint32_t j = 0; j < pl->njobs; j++) {
        const pjob *jb = &pl->jobs[j];
        if (!jb->mask) continue;
        uint32_t f = (uint32_t)__builtin_popcountll(jb->mask);
        s.priority += (uint64_t)pl->p->tasks[jb->task].priority * f;
        s.visits += f;
    }
    for (uint32_t d = 0; d < pl->p->horizon_days; d++)
        if (pl->days[d].plan) s.cost += pl->days[d].plan->cost;
    return s;
}

static bool better(score a, score b)
{
    if (a.priority != b.priority) return a.priority > b.priority;
    if (a.visits != b.visits) return a.visits > b.visits;
    return a.cost < b.cost;
}

/* Solves the days in `days` (a set) again for the current patterns.  A job
 * that fails on one is dropped from all its days, and the days it leaves are
 * solved again, until no job fails.  The old days are kept in `saved` (when
 * not NULL) for a restore. */
static cv_status resolve(planner *pl, uint64_t days, pday *saved, uint64_t *touched)
{
    const cv_problem *p = pl->p;
    uint8_t *failed = cv_calloc(pl->njobs + 1, 1);
    const char **reasons = cv_calloc(pl->njobs + 1, sizeof *reasons);
    cv_status st = failed && reasons ? CV_OK : CV_ENOMEM;
    while (st == CV_OK && days) {
        uint32_t d = (uint32_t)__builtin_ctzll(days);
        days &= days - 1;
        pday nd;
        memset(failed, 0, pl->njobs);
        if ((st = solve_day(pl, d, &nd, failed, reasons))) break;
        if (saved && !(*touched >> d & 1)) {
            saved[d] = pl->days[d];
            *touched |= (uint64_t)1 << d;
        } else {
            day_free(&pl->days[d]);
        }
        pl->days[d] = nd;
        for (uint32_t j = 0; j < pl->njobs; j++) {
            if (!failed[j]) continue;
            days |= pl->jobs[j].mask & ~((uint64_t)1 << d);
            days |= (uint64_t)1 << d;
            pl->jobs[j].mask = 0;
            pl->jobs[j].reason = reasons[j];
        }
        (void)p;
    }
    free(failed);
    free(reasons);
    return st;
}

/* ---- 4. improvement ---- */

/* The travel each served job adds on its days (removal gain), for choosing
 * which jobs to move. */
static void measure_detours(planner *pl)
{
    const cv_problem *p = pl->p;
    for (uint32_t j = 0; j < pl->njobs; j++) pl->jobs[j].detour = 0;
    for (uint32_t d = 0; d < p->horizon_days; d++) {
        const pday *pd = &pl->days[d];
        if (!pd->plan) continue;
        for (uint32_t r = 0; r < pd->plan->nroutes; r++) {
            const cv_plan_route *rt = &pd->plan->routes[r];
            const cv_plan_step *s = pd->plan->steps + rt->step_first;
            const uint32_t *dur = p->profiles[p->vehicles[rt->vehicle].profile].durations;
            for (uint32_t k = 1; k + 1 < rt->step_count; k++) {
                if (s[k].type != CV_STEP_JOB) continue;
                uint32_t a = CV_NONE, b = CV_NONE, x = s[k].loc;
                for (uint32_t i = k; i-- > 0;)
                    if (s[i].loc != CV_NONE) {
                        a = s[i].loc;
                        break;
                    }
                for (uint32_t i = k + 1; i < rt->step_count; i++)
                    if (s[i].loc != CV_NONE) {
                        b = s[i].loc;
                        break;
                    }
                int64_t n = p->nlocs, gain = 0;
                if (a != CV_NONE) gain += dur[a * n + x];
                if (b != CV_NONE) gain += dur[x * n + b];
                if (a != CV_NONE && b != CV_NONE) gain -= dur[a * n + b];
                pl->jobs[pd->task_job[s[k].index]].detour += gain;
            }
        }
    }
}

/* The utilisation of each day by the current plans: travel and service over
 * the working time of the vehicles that work that day. */
static void day_utilisation(const planner *pl, double *util)
{
    const cv_problem *p = pl->p;
    for (uint32_t d = 0; d < p->horizon_days; d++) {
        double cap = 1, used = 0;
        for (uint32_t v = 0; v < p->nvehicles; v++) {
            cv_tw tw;
            if (!works_on(p, &p->vehicles[v], d, &tw)) continue;
            int64_t len = tw.end - tw.start;
            cap += (double)(len > DAY_SECONDS ? DAY_SECONDS : len);
        }
        if (pl->days[d].plan)
            used = (double)(pl->days[d].plan->duration + pl->days[d].plan->service);
        util[d] = used / cap;
    }
}

/* The best candidate of job j other than its current pattern and `tried`,
 * by the days' utilisation; 0 when none. */
static uint64_t best_other(const planner *pl, const pjob *j, const double *util, uint64_t tried)
{
    uint64_t best = 0;
    double bs = 0;
    for (uint32_t k = 0; k < j->ncands; k++) {
        uint64_t m = j->cands[k];
        if (m == j->mask || m == tried) continue;
        double s = 0;
        for (uint32_t d = 0; d < pl->p->horizon_days; d++)
            if (m >> d & 1) s += util[d] * util[d];
        if (!best || s < bs) best = m, bs = s;
    }
    return best;
}

/* Tries pattern m for job j: keeps it if the plan gets better. */
static cv_status try_move(planner *pl, uint32_t j, uint64_t m, bool *accepted)
{
    const cv_problem *p = pl->p;
    pjob *jb = &pl->jobs[j];
    *accepted = false;
    score before = plan_score(pl);
    uint64_t *masks = cv_calloc(pl->njobs, sizeof *masks);
    const char **reasons = cv_calloc(pl->njobs, sizeof *reasons);
    pday *saved = cv_calloc(p->horizon_days, sizeof *saved);
    cv_status st = CV_ENOMEM;
    if (!masks || !reasons || !saved) goto done;
    for (uint32_t k = 0; k < pl->njobs; k++) {
        masks[k] = pl->jobs[k].mask;
        reasons[k] = pl->jobs[k].reason;
    }
    uint64_t affected = jb->mask ^ m, touched = 0;
    jb->mask = m;
    jb->reason = NULL;
    st = resolve(pl, affected, saved, &touched);
    if (st == CV_OK && better(plan_score(pl), before)) {
        *accepted = true;
        for (uint32_t d = 0; d < p->horizon_days; d++)
            if (touched >> d & 1) day_free(&saved[d]);
    } else {
        for (uint32_t d = 0; d < p->horizon_days; d++)
            if (touched >> d & 1) {
                day_free(&pl->days[d]);
                pl->days[d] = saved[d];
            }
        for (uint32_t k = 0; k < pl->njobs; k++) {
            pl->jobs[k].mask = masks[k];
            pl->jobs[k].reason = reasons[k];
        }
    }
done:
    free(masks);
    free(reasons);
    free(saved);
    return st;
}

static bool out_of_time(const planner *pl)
{
    return pl->cfg->time_limit_s > 0 && cv_clock_now() - pl->t0 > pl->cfg->time_limit_s;
}

static cv_status improve(planner *pl)
{
    const cv_problem *p = pl->p;
    uint32_t moves = 0;
    double *util = cv_calloc(p->horizon_days, sizeof *util);
    ranked *order = cv_calloc(pl->njobs + 1, sizeof *order);
    cv_status st = util && order ? CV_OK : CV_ENOMEM;
    /* Dropped jobs first (by index), then served jobs by decreasing detour. */
    while (st == CV_OK && moves < pl->cfg->max_moves && !out_of_time(pl)) {
        measure_detours(pl);
        day_utilisation(pl, util);
        uint32_t n = 0;
        for (uint32_t j = 0; j < pl->njobs; j++) {
            const pjob *jb = &pl->jobs[j];
            if (jb->ncands < (jb->mask ? 2u : 1u)) continue;
            order[n++] = (ranked){jb->mask ? (uint64_t)INT64_MAX - (uint64_t)jb->detour : 0, j};
        }
        if (!n) break;
        qsort(order, n, sizeof *order, cmp_ranked);
        bool any = false;
        for (uint32_t i = 0; i < n && moves < pl->cfg->max_moves && !out_of_time(pl); i++) {
            uint32_t jx = order[i].job;
            pjob *jb = &pl->jobs[jx];
            uint64_t first = best_other(pl, jb, util, 0);
            uint64_t second = jb->mask ? 0 : best_other(pl, jb, util, first);
            bool acc = false;
            uint64_t tries[2] = {first, second};
            for (int k = 0; k < 2 && !acc && tries[k] && moves < pl->cfg->max_moves; k++) {
                moves++;
                if ((st = try_move(pl, jx, tries[k], &acc))) break;
            }
            if (st) break;
            if (acc) {
                pl->cfg->stat_moves_accepted++;
                any = true;
                break; /* detours and utilisation changed: rank again */
            }
        }
        if (!any) break;
    }
    pl->cfg->stat_moves = moves;
    free(util);
    free(order);
    return st;
}

/* Each day kept every job's cap against the other days as they were when it
 * was solved; a day solved again later may have changed them.  The final word:
 * a job over its cap is dropped and its days solved again. */
static cv_status enforce_caps(planner *pl)
{
    const cv_problem *p = pl->p;
    for (;;) {
        collect_seen(pl, CV_NONE);
        uint64_t days = 0;
        for (uint32_t j = 0; j < pl->njobs; j++) {
            uint32_t cap = p->tasks[pl->jobs[j].task].max_vehicles;
            if (!cap || pl->nseen[j] <= cap) continue;
            days |= pl->jobs[j].mask;
            pl->jobs[j].mask = 0;
            pl->jobs[j].reason = "max_vehicles";
        }
        if (!days) return CV_OK;
        cv_status st = resolve(pl, days, NULL, NULL);
        if (st) return st;
    }
}

/* Each day once more with the solver's full effort (cfg->polish_effort), the
 * patterns fixed: kept when it serves every visit of the day within the caps
 * at a lower cost. */
static cv_status polish(planner *pl)
{
    const cv_problem *p = pl->p;
    uint8_t *failed = cv_calloc(pl->njobs + 1, 1);
    const char **reasons = cv_calloc(pl->njobs + 1, sizeof *reasons);
    cv_status st = failed && reasons ? CV_OK : CV_ENOMEM;
    for (uint32_t d = 0; st == CV_OK && d < p->horizon_days && !out_of_time(pl); d++) {
        if (!pl->days[d].plan) continue;
        pday nd;
        memset(failed, 0, pl->njobs);
        if ((st = solve_day_effort(pl, d, &nd, failed, reasons, pl->cfg->polish_effort))) break;
        bool ok = nd.plan && nd.plan->nunassigned == 0 && nd.plan->cost < pl->days[d].plan->cost;
        for (uint32_t j = 0; ok && j < pl->njobs; j++) ok = !failed[j];
        if (ok) {
            day_free(&pl->days[d]);
            pl->days[d] = nd;
        } else {
            day_free(&nd);
        }
    }
    free(failed);
    free(reasons);
    return st;
}

/* ---- output ---- */

static void add_int(json_t *obj, const char *key, int64_t v)
{
    json_t *old = json_object_get(obj, key);
    json_object_set_new(obj, key, json_integer((old ? json_integer_value(old) : 0) + v));
}

static cv_status write_plan(planner *pl, char **out, cv_periodic_result *res)
{
    const cv_problem *p = pl->p;
    static const char *const sums[] = {"cost",         "setup",    "service",  "duration",
                                       "waiting_time", "priority", "distance", NULL};
    json_t *root = json_object(), *routes = json_array(), *un = json_array(), *sum = json_object();
    cv_status st = CV_ENOMEM;
    if (!root || !routes || !un || !sum) goto done;
    for (int k = 0; sums[k]; k++) add_int(sum, sums[k], 0);
    memset(res, 0, sizeof *res);
    for (uint32_t d = 0; d < p->horizon_days; d++) {
        const pday *pd = &pl->days[d];
        if (!pd->plan) continue;
        char *text = NULL;
        if ((st = cv_plan_to_json(pd->plan, &pd->view, &text))) goto done;
        json_t *day = json_loads(text, 0, NULL);
        free(text);
        st = CV_ENOMEM;
        if (!day) goto done;
        json_t *dr = json_object_get(day, "routes"), *ds = json_object_get(day, "summary");
        size_t i;
        json_t *r;
        json_array_foreach(dr, i, r)
        {
            json_object_set_new(r, "day", json_integer(d));
            if (json_array_append(routes, r)) {
                json_decref(day);
                goto done;
            }
        }
        for (int k = 0; sums[k]; k++)
            add_int(sum, sums[k], json_integer_value(json_object_get(ds, sums[k])));
        res->routes += pd->plan->nroutes;
        res->visits += pd->view.njobs;
        json_decref(day);
    }
    for (uint32_t j = 0; j < pl->njobs; j++) {
        const pjob *jb = &pl->jobs[j];
        const cv_task *t = &p->tasks[jb->task];
        if (jb->mask) {
            res->jobs_served++;
            continue;
        }
        res->jobs_unassigned++;
        const char *why = jb->reason ? jb->reason : "no_room";
        const char *expl =
            !strcmp(why, "no_day_pattern")
                ? "no allowed day pattern has enough qualified vehicles working on each of its days"
            : !strcmp(why, "max_vehicles")
                ? "its visits could not be kept within max_vehicles distinct vehicles"
                : "not every visit of a day pattern could be planned";
        json_t *u = json_pack("{s:I,s:s,s:s,s:s}", "id", (json_int_t)t->id, "type", "job", "reason",
                              why, "explanation", expl);
        if (!u) goto done;
        if (p->uses_indices) json_object_set_new(u, "location_index", json_integer(t->loc));
        if (p->locs[t->loc].has_coords)
            json_object_set_new(u, "location",
                                json_pack("[ff]", p->locs[t->loc].lon, p->locs[t->loc].lat));
        if (t->description) json_object_set_new(u, "description", json_string(t->description));
        if (json_array_append_new(un, u)) goto done;
    }
    res->cost = json_integer_value(json_object_get(sum, "cost"));
    json_object_set_new(sum, "routes", json_integer(res->routes));
    json_object_set_new(sum, "unassigned", json_integer(res->jobs_unassigned));
    json_object_set_new(sum, "days", json_integer(p->horizon_days));
    json_object_set_new(sum, "visits", json_integer(res->visits));
    json_object_set_new(root, "code", json_integer(0));
    json_object_set_new(root, "summary", sum);
    json_object_set_new(root, "unassigned", un);
    json_object_set_new(root, "routes", routes);
    sum = un = routes = NULL;
    *out = json_dumps(root, JSON_COMPACT | JSON_REAL_PRECISION(10));
    st = *out ? CV_OK : CV_ENOMEM;
done:
    json_decref(root);
    json_decref(routes);
    json_decref(un);
    json_decref(sum);
    return st;
}

cv_status cv_periodic_solve(const cv_problem *p, cv_periodic_config *cfg, char **out,
                            cv_periodic_result *res, cv_diag *diag)
{
    if (!cv_problem_is_periodic(p))
        return cv_diag_set(diag, "problem: no horizon; plan a single day with the solver");
    if (!cv_problem_has_matrices(p))
        return cv_diag_set(diag, "problem: no duration matrix (coordinates need a road graph)");
    planner pl = {.p = p, .cfg = cfg, .diag = diag, .t0 = cv_clock_now()};
    cfg->stat_day_solves = cfg->stat_moves = cfg->stat_moves_accepted = 0;
    cv_status st = CV_ENOMEM;
    for (uint32_t t = 0; t < p->ntasks; t++)
        if (p->tasks[t].group_size <= 1 || p->tasks[t].group_first == t) pl.njobs++;
    pl.jobs = cv_calloc(pl.njobs + 1, sizeof *pl.jobs);
    pl.days = cv_calloc(p->horizon_days, sizeof *pl.days);
    pl.seen_cap = 0;
    for (uint32_t t = 0; t < p->ntasks; t++)
        if (p->tasks[t].max_vehicles + 8 > pl.seen_cap) pl.seen_cap = p->tasks[t].max_vehicles + 8;
    if (pl.seen_cap > p->nvehicles) pl.seen_cap = p->nvehicles;
    pl.seen = cv_calloc((size_t)(pl.njobs + 1) * pl.seen_cap, sizeof *pl.seen);
    pl.nseen = cv_calloc(pl.njobs + 1, sizeof *pl.nseen);
    if (!pl.jobs || !pl.days || !pl.seen || !pl.nseen) goto done;
    for (uint32_t t = 0, j = 0; t < p->ntasks; t++)
        if (p->tasks[t].group_size <= 1 || p->tasks[t].group_first == t) {
            pl.jobs[j].task = t;
            pl.jobs[j].ntasks = p->tasks[t].group_size ? p->tasks[t].group_size : 1;
            if ((st = make_candidates(&pl, &pl.jobs[j]))) goto done;
            j++;
        }
    if ((st = construct(&pl))) goto done;
    uint64_t all = p->horizon_days == 64 ? UINT64_MAX : ((uint64_t)1 << p->horizon_days) - 1;
    if ((st = resolve(&pl, all, NULL, NULL))) goto done;
    if ((st = improve(&pl))) goto done;
    if ((st = enforce_caps(&pl))) goto done;
    if (cfg->polish && (st = polish(&pl))) goto done;
    st = write_plan(&pl, out, res);
done:
    for (uint32_t d = 0; pl.days && d < p->horizon_days; d++) day_free(&pl.days[d]);
    for (uint32_t j = 0; pl.jobs && j < pl.njobs; j++) free(pl.jobs[j].cands);
    free(pl.jobs);
    free(pl.days);
    free(pl.seen);
    free(pl.nseen);
    if (st == CV_ENOMEM) cv_diag_set(diag, "out of memory while planning the horizon");
    return st;
}
#endif
