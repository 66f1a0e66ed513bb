/* Slack induction by string removals (Christiaens & Vanden Berghe 2020):
 * ruin-and-recreate with simulated-annealing acceptance.
 *
 * Ruin removes a few strings (runs of consecutive tasks, sometimes with a
 * preserved run inside: the "split string") from routes near a random seed
 * task; recreate puts every unplaced task back at its cheapest position,
 * skipping each position with a small "blink" probability, in one of four
 * orders (random, largest amount, farthest, closest).  A shipment always
 * leaves and returns as a pair.  Acceptance is lexicographic on (unassigned
 * priority, unassigned count), then simulated annealing on cost with a
 * temperature falling geometrically over the effort budget, scaled to the
 * mean arc cost of the start solution.
 *
 * Work per iteration: about (removed tasks) x (positions in all routes)
 * O(1) insertion checks; the effort counter counts those checks.
 * Only routes touched by an iteration are copied back and forth.
 */
#define _POSIX_C_SOURCE 200809L
#include "solver_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SISR_CBAR 10.0  /* mean number of removed tasks */
#define SISR_LMAX 10.0  /* longest string */
#define SISR_BLINK 0.01 /* probability of skipping an insertion position */
#define SISR_T0 3.0     /* start temperature, in mean arc costs */
#define SISR_TF 0.1     /* final temperature, in mean arc costs */
/* Above this many routes, recreate only tries the routes of the task's
 * SISR_GRANULAR_K nearest tasks: the Solomon fleets (<= 25) never reach it. */
#define SISR_GRANULAR_ROUTES 30u
#define SISR_GRANULAR_K 40u
/* Vehicles-first objective: share of the budget spent removing routes. */
#define SISR_FLEET_FRAC 0.5
/* Set partitioning over the route pool (when sp->pool): at these fractions
 * of the budget and at the end, with this share of a time limit kept for
 * the final MIP. */
#define SISR_RECOMBINE_EVERY 0.2
#define SISR_RECOMBINE_SHARE 0.05

typedef struct sisr {
    const cv__ctx *c;
    cv_rng rng;
    cv__sol cur, work;
    uint8_t *mark;    /* per task: removed in this iteration */
    uint8_t *touched; /* per route */
    uint32_t *tlist;  /* touched routes */
    uint32_t ntouched;
    uint32_t *removed; /* tasks to reinsert (jobs and pickups) */
    uint32_t nremoved;
    double *key;          /* per task sort key for recreate */
    double *far;          /* per task: travel from the first vehicle's start */
    double *amount;       /* per task: total amount */
    uint64_t *class_seen; /* per vehicle class: stamp of the last task tried on an empty route */
    uint64_t *route_seen; /* per route: stamp when a neighbour of the task is in it */
    uint32_t used_routes; /* non-empty routes at the start of the iteration */
    uint64_t stamp;
    uint64_t effort;
    cv__ls ls;            /* local-search scratch */
    uint32_t max_routes;  /* recreate opens no route beyond this many (fleet phase) */
    uint32_t live_routes; /* non-empty routes of work during recreate */
    uint64_t *absent;     /* per task: iterations it stayed unassigned (fleet phase) */
    uint32_t *lsroutes;   /* tasks the local search starts from */
    cv__care_ws care;     /* care extensions: linked scheduling (care_sched.c) */
    cv__care_touch ct;    /* care operations report their routes here */
} sisr;

static void touch(sisr *S, uint32_t r)
{
    if (!S->touched[r]) {
        S->touched[r] = 1;
        S->tlist[S->ntouched++] = r;
    }
}

/* Marks task t (and its shipment sibling) for removal; with care
 * extensions, its whole unit (the tasks planned together). */
static void mark_task(sisr *S, uint32_t t)
{
    const cv__ctx *c = S->c;
    const cv_task *tk = &c->p->tasks[t];
    S->mark[t] = 1;
    if (tk->sibling != CV_NONE) S->mark[tk->sibling] = 1;
    if (!c->care) return;
    uint32_t u = c->unit_of[t];
    for (uint32_t i = c->unit_first[u]; i < c->unit_first[u + 1]; i++) {
        uint32_t m = c->unit_task[i];
        S->mark[m] = 1;
        if (c->p->tasks[m].sibling != CV_NONE) S->mark[c->p->tasks[m].sibling] = 1;
    }
}

static uint32_t rnd_incl(sisr *S, uint32_t lo, uint32_t hi)
{
    return lo + cv_rng_below(&S->rng, hi - lo + 1);
}

/* Removes a string (or split string) of about `len` tasks containing task u. */
static void remove_string(sisr *S, uint32_t ri, uint32_t u, uint32_t len)
{
    cv__route *r = &S->work.r[ri];
    uint32_t n = r->n, at = 0;
    while (at < n && r->t[at] != u) at++;
    if (at == n) return;
    uint32_t m = 0;
    if (len < n && cv_rng_unit(&S->rng) < 0.5) {
        m = 1;
        while (m < n - len && cv_rng_unit(&S->rng) < 0.5) m++;
    }
    uint32_t span = len + m;
    if (span > n) span = n;
    /* A window of `span` positions containing `at`. */
    uint32_t lo_min = at + 1 >= span ? at + 1 - span : 0;
    uint32_t lo_max = at < n - span ? at : n - span;
    uint32_t lo = rnd_incl(S, lo_min, lo_max);
    uint32_t keep_at = m ? lo + rnd_incl(S, 0, span - m) : UINT32_MAX;
    for (uint32_t k = lo; k < lo + span; k++) {
        if (m && k >= keep_at && k < keep_at + m) continue;
        mark_task(S, r->t[k]);
    }
}

static cv_status ruin(sisr *S)
{
    const cv__ctx *c = S->c;
    cv__sol *w = &S->work;
    uint32_t assigned = c->nt - w->nunassigned, used = 0;
    for (uint32_t r = 0; r < w->nv; r++) used += w->r[r].n > 0;
    if (!assigned || !used) return CV_OK;
    double card = (double)assigned / used;
    double ls_max = card < SISR_LMAX ? card : SISR_LMAX;
    double ks_max = 4.0 * SISR_CBAR / (1.0 + ls_max) - 1.0;
    uint32_t ks = (uint32_t)floor(cv_rng_unit(&S->rng) * ks_max) + 1;
    /* A random assigned seed. */
    uint32_t seed;
    do seed = cv_rng_below(&S->rng, c->nt);
    while (w->route_of[seed] == CV_NONE);
    uint32_t ruined = 0;
    for (uint32_t k = 0; k <= c->nneigh && ruined < ks; k++) {
        uint32_t u = k == 0 ? seed : c->neigh[(size_t)seed * c->nneigh + k - 1];
        uint32_t ri = w->route_of[u];
        if (ri == CV_NONE || S->touched[ri] || S->mark[u]) continue;
        uint32_t n = w->r[ri].n;
        double lt_max = n < ls_max ? n : ls_max;
        uint32_t lt = (uint32_t)floor(cv_rng_unit(&S->rng) * lt_max) + 1;
        remove_string(S, ri, u, lt);
        touch(S, ri);
        ruined++;
    }
    /* Shipment siblings may sit in other routes?  No: same route by
     * construction; still, touch every route holding a marked task. */
    for (uint32_t t = 0; t < c->nt; t++)
        if (S->mark[t] && w->route_of[t] != CV_NONE) touch(S, w->route_of[t]);
    for (uint32_t i = 0; i < S->ntouched; i++) {
        uint32_t ri = S->tlist[i];
        if (!cv__route_remove_marked(c, w, ri, S->mark)) {
            /* Without the triangle inequality a shorter route can be late:
             * empty it, its tasks are reinserted below. */
            cv__route *r = &w->r[ri];
            for (uint32_t k = 0; k < r->n; k++) mark_task(S, r->t[k]);
            cv__route_remove_marked(c, w, ri, S->mark);
        }
    }
    /* Care: begins may fall once tasks are gone; units cut by an emptied
     * route go too.  The schedule is recomputed from below. */
    if (c->care) return cv__care_repair(c, &S->care, w, &S->ct, &S->effort);
    return CV_OK;
}

/* Priority first (descending), then key (descending), then index. */
static bool goes_before(const sisr *S, uint32_t x, uint32_t y)
{
    uint32_t px = S->c->p->tasks[x].priority, py = S->c->p->tasks[y].priority;
    if (px != py) return px > py;
    if (S->key[x] != S->key[y]) return S->key[x] > S->key[y];
    return x < y;
}

/* Insertion sort: the lists are short (about SISR_CBAR tasks). */
static void sort_removed(sisr *S)
{
    uint32_t *a = S->removed;
    for (uint32_t i = 1; i < S->nremoved; i++) {
        uint32_t x = a[i], j = i;
        while (j > 0 && goes_before(S, x, a[j - 1])) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = x;
    }
}

static cv_status recreate(sisr *S)
{
    const cv__ctx *c = S->c;
    const cv_problem *p = c->p;
    cv__sol *w = &S->work;
    S->nremoved = 0;
    for (uint32_t t = 0; t < c->nt; t++)
        if (w->route_of[t] == CV_NONE && p->tasks[t].kind != CV_TASK_DELIVERY &&
            (!c->care || c->unit_task[c->unit_first[c->unit_of[t]]] == t))
            S->removed[S->nremoved++] = t;
    /* Order: random 4, largest amount 4, farthest 2, closest 1; priority first. */
    S->effort += S->nremoved + 1;
    uint32_t o = cv_rng_below(&S->rng, 11);
    for (uint32_t i = 0; i < S->nremoved; i++) {
        uint32_t t = S->removed[i];
        double k = o < 4    ? cv_rng_unit(&S->rng)
                   : o < 8  ? S->amount[t]
                   : o < 10 ? S->far[t]
                            : -S->far[t];
        S->key[t] = k;
    }
    sort_removed(S);
    for (uint32_t i = 0; c->care && i < S->nremoved; i++) {
        bool in;
        cv_status st = cv__care_insert(c, &S->care, w, S->removed[i], SISR_BLINK, &S->rng, &S->ct,
                                       &S->effort, &in);
        if (st != CV_OK) return st;
    }
    S->live_routes = 0;
    for (uint32_t r = 0; r < c->nv; r++) S->live_routes += w->r[r].n > 0;
    for (uint32_t i = 0; !c->care && i < S->nremoved; i++) {
        uint32_t u = S->removed[i];
        cv__ins best = {0, 0, 0}, ins;
        uint32_t br = CV_NONE;
        S->effort += c->nv; /* at least one unit per route tried, so the budget always ends */
        S->stamp++;
        /* Granular recreate on large plans: only routes holding one of the
         * task's nearest neighbours (and one empty route per class). */
        bool granular = S->used_routes > SISR_GRANULAR_ROUTES;
        if (granular) {
            const uint32_t K = c->nneigh < SISR_GRANULAR_K ? c->nneigh : SISR_GRANULAR_K;
            for (uint32_t q = 0; q < K; q++) {
                uint32_t rq = w->route_of[c->neigh[(size_t)u * c->nneigh + q]];
                if (rq != CV_NONE) S->route_seen[rq] = S->stamp;
            }
        }
        for (uint32_t r = 0; r < c->nv; r++) {
            if (granular && w->r[r].n && S->route_seen[r] != S->stamp) continue;
            if (w->r[r].n == 0) {
                if (S->live_routes >= S->max_routes) continue;
                /* One empty route per class of identical vehicles is enough. */
                uint32_t k = c->vclass[r];
                if (S->class_seen[k] == S->stamp) continue;
                S->class_seen[k] = S->stamp;
            }
            if (cv__route_best_insert(c, &w->r[r], u, SISR_BLINK, &S->rng,
                                      br == CV_NONE ? INFINITY : best.delta, &ins, &S->effort)) {
                best = ins;
                br = r;
            }
        }
        if (br == CV_NONE) continue;
        S->live_routes += w->r[br].n == 0;
        const cv_task *t = &p->tasks[u];
        cv_status st = cv__route_insert(
            c, w, br, u, best.pos, t->kind == CV_TASK_PICKUP ? t->sibling : CV_NONE, best.pos2);
        if (st != CV_OK) return st;
        touch(S, br);
    }
    return CV_OK;
}

/* Copies the touched routes (and the task map) from src to dst. */
static cv_status sync(sisr *S, cv__sol *dst, const cv__sol *src)
{
    for (uint32_t i = 0; i < S->ntouched; i++) {
        uint32_t r = S->tlist[i];
        cv_status st = cv__route_copy(&dst->r[r], &src->r[r], S->c->nd);
        if (st != CV_OK) return st;
    }
    memcpy(dst->route_of, src->route_of, src->nt * sizeof *dst->route_of);
    if (src->begin) memcpy(dst->begin, src->begin, src->nt * sizeof *dst->begin);
    dst->cost = src->cost;
    dst->unassigned_prio = src->unassigned_prio;
    dst->nunassigned = src->nunassigned;
    return CV_OK;
}

static void progress_line(const cv__sol *best, double elapsed, uint64_t it)
{
    uint32_t routes = 0;
    for (uint32_t r = 0; r < best->nv; r++) routes += best->r[r].n > 0;
    fprintf(stderr, "\rcarevan: %7.1f s  iter %-9llu best cost %.0f  routes %u  unassigned %u   ",
            elapsed, (unsigned long long)it, best->cost, routes, best->nunassigned);
    fflush(stderr);
}

/* Hands the best plan's figures to the caller's progress callback. */
static void report(const cv__search_params *sp, const cv__sol *best, double now, uint64_t it,
                   uint64_t effort)
{
    cv_solver_progress pr = {.elapsed_s = now - sp->t_start,
                             .iterations = it,
                             .effort = effort,
                             .best_cost = best->cost,
                             .unassigned = best->nunassigned};
    for (uint32_t r = 0; r < best->nv; r++) pr.routes += best->r[r].n > 0;
    sp->on_progress(sp->progress_ud, &pr);
}

/* Set partitioning over the route pool (route_pool.c); when it improves the
 * best solution, the search goes on from there. */
static cv_status recombine(sisr *S, cv__sol *best, const cv__search_params *sp, double mip_s)
{
    bool improved;
    cv_status rc = cv__pool_recombine(sp->pool, best, mip_s, &improved);
    if (rc == CV_OK && improved) rc = cv__sol_copy(&S->cur, best, S->c->nd);
    if (rc == CV_OK && improved) rc = cv__sol_copy(&S->work, best, S->c->nd);
    return rc;
}

static uint32_t routes_of(const cv__sol *s)
{
    uint32_t n = 0;
    for (uint32_t r = 0; r < s->nv; r++) n += s->r[r].n > 0;
    return n;
}

/* Sum of the absence counts of the unassigned tasks of s. */
static uint64_t absence(const sisr *S, const cv__sol *s)
{
    uint64_t a = 0;
    for (uint32_t t = 0; t < s->nt; t++)
        if (s->route_of[t] == CV_NONE) a += S->absent[t];
    return a;
}

/* Fleet phase: unassigns every task of the route of work with the fewest
 * tasks (ties: the first) and caps the fleet at the routes left. */
static void drop_route(sisr *S)
{
    cv__sol *w = &S->work;
    uint32_t best = CV_NONE;
    for (uint32_t r = 0; r < w->nv; r++)
        if (w->r[r].n && (best == CV_NONE || w->r[r].n < w->r[best].n)) best = r;
    if (best == CV_NONE) return;
    for (uint32_t k = 0; k < w->r[best].n; k++) mark_task(S, w->r[best].t[k]);
    touch(S, best);
    cv__route_remove_marked(S->c, w, best, S->mark);
    memset(S->mark, 0, S->c->nt);
    S->max_routes = routes_of(w);
}

cv_status cv__sisr_run(const cv__ctx *c, cv__sol *s, const cv__search_params *sp_in,
                       cv__search_stats *st)
{
    const cv_problem *p = c->p;
    cv__search_params P = *sp_in;
    const cv__search_params *sp = &P;
    if (P.cpu_clock) {
        /* On this thread's CPU clock: as if it had done the work before the
         * search itself (it did when it is the calling thread). */
        double shift = cv__search_clock(true) - P.pre_cpu_s - P.t_start;
        P.t_start += shift;
        if (P.deadline > 0) P.deadline += shift;
    }
    sisr S;
    memset(&S, 0, sizeof S);
    S.c = c;
    cv_rng_seed(&S.rng, sp->seed);
    cv_status rc = CV_ENOMEM;
    S.mark = cv_calloc(c->nt + 1, 1);
    S.touched = cv_calloc(c->nv + 1, 1);
    S.tlist = cv_calloc(c->nv + 1, sizeof *S.tlist);
    S.removed = cv_calloc(c->nt + 1, sizeof *S.removed);
    S.key = cv_calloc(c->nt + 1, sizeof *S.key);
    S.far = cv_calloc(c->nt + 1, sizeof *S.far);
    S.amount = cv_calloc(c->nt + 1, sizeof *S.amount);
    S.class_seen = cv_calloc(c->nv + 1, sizeof *S.class_seen);
    S.lsroutes = cv_calloc(c->nt + 1, sizeof *S.lsroutes);
    S.route_seen = cv_calloc(c->nv + 1, sizeof *S.route_seen);
    S.absent = cv_calloc(c->nt + 1, sizeof *S.absent);
    S.max_routes = UINT32_MAX;
    if (!S.route_seen || !S.absent) goto out;
    if (!S.lsroutes || cv__ls_init(&S.ls, c) != CV_OK) goto out;
    if (c->care && cv__care_ws_init(&S.care, c) != CV_OK) goto out;
    S.ct = (cv__care_touch){S.touched, S.tlist, &S.ntouched};
    if (!S.mark || !S.touched || !S.tlist || !S.removed || !S.key || !S.far || !S.amount ||
        !S.class_seen)
        goto out;
    if (cv__sol_copy(&S.cur, s, c->nd) != CV_OK || cv__sol_copy(&S.work, s, c->nd) != CV_OK)
        goto out;
    for (uint32_t t = 0; t < c->nt; t++) {
        const cv_task *tk = &p->tasks[t];
        const int64_t *del = cv_task_delivery(p, tk), *pick = cv_task_pickup(p, tk);
        double a = 0;
        for (uint32_t d = 0; d < c->nd; d++) a += (double)del[d] + (double)pick[d];
        S.amount[t] = a;
        uint32_t from = c->nv ? p->vehicles[0].start_loc : CV_NONE;
        S.far[t] = from == CV_NONE ? 0 : (double)cv__dur(&c->veh[0], from, tk->loc);
    }
    rc = CV_OK;
    if (c->nt == 0 || c->nv == 0) goto out;

    /* Temperatures relative to the mean arc cost of the start solution. */
    uint32_t used = 0;
    for (uint32_t r = 0; r < c->nv; r++) used += s->r[r].n > 0;
    double arcs = (double)(c->nt - s->nunassigned + used);
    double mean_arc = arcs > 0 ? s->cost / arcs : 1.0;
    if (!(mean_arc > 0)) mean_arc = 1.0;
    const double T0 = SISR_T0 * mean_arc, Tf = SISR_TF * mean_arc;
    const bool show = sp->progress && isatty(2);
    double next_show = sp->t_start + 1.0, next_report = sp->t_start;
    uint64_t it = 0;
    double frac = 0, next_recombine = SISR_RECOMBINE_EVERY;
    /* With a pool and a time limit, the final MIP gets the last share. */
    const double span = sp->deadline > 0 ? sp->deadline - sp->t_start : 0;
    const double loop_deadline =
        sp->pool && span > 0 ? sp->deadline - SISR_RECOMBINE_SHARE * span : sp->deadline;
    const bool hier = sp->objective == CV_OBJECTIVE_VEHICLES;
    /* Vehicles first: a fleet phase (Christiaens & Vanden Berghe's fleet
     * minimisation): drop the smallest route, then ruin-and-recreate with the
     * fleet capped, accepting fewer unassigned tasks or a lower sum of their
     * absence counts (how long each stayed out), until every task is back:
     * one route less; repeat.  Then minimise cost on the best fleet. */
    bool fleet = hier && !c->care && s->nunassigned == 0 && routes_of(s) > 1;
    if (fleet) {
        drop_route(&S);
        rc = sync(&S, &S.cur, &S.work);
        if (rc != CV_OK) goto out;
        for (uint32_t i = 0; i < S.ntouched; i++) S.touched[S.tlist[i]] = 0;
        S.ntouched = 0;
    }
    for (;;) {
        if (S.effort >= sp->max_effort) break;
        if (sp->cancel && atomic_load_explicit(sp->cancel, memory_order_relaxed)) break;
        if ((it & 15) == 0 && (sp->deadline > 0 || show || sp->on_progress)) {
            double now = cv__search_clock(sp->cpu_clock);
            if (sp->deadline > 0 && now >= loop_deadline) break;
            if (show && now >= next_show) {
                progress_line(s, now - sp->t_start, it);
                next_show = now + 1.0;
            }
            if (sp->on_progress && now >= next_report) {
                report(sp, s, now, it, S.effort);
                next_report = now + 0.1;
            }
            if (sp->deadline > 0) {
                double ft = (now - sp->t_start) / (sp->deadline - sp->t_start);
                if (ft > frac) frac = ft;
            }
        }
        double fe = sp->max_effort == UINT64_MAX ? 0 : (double)S.effort / (double)sp->max_effort;
        if (fe > frac) frac = fe;
        if (fleet && frac >= SISR_FLEET_FRAC) {
            /* Back to the best plan; keep its fleet size. */
            fleet = false;
            if ((rc = cv__sol_copy(&S.cur, s, c->nd)) != CV_OK ||
                (rc = cv__sol_copy(&S.work, s, c->nd)) != CV_OK)
                goto out;
            S.max_routes = routes_of(s);
        }
        double fr = hier ? (frac - SISR_FLEET_FRAC) / (1 - SISR_FLEET_FRAC) : frac;
        double T = T0 * pow(Tf / T0, fr > 1 ? 1 : fr < 0 ? 0 : fr);
        it++;
        if (sp->pool && !hier && frac >= next_recombine) {
            next_recombine += SISR_RECOMBINE_EVERY;
            if ((rc = recombine(&S, s, sp, SISR_RECOMBINE_SHARE * span)) != CV_OK) goto out;
        }

        S.used_routes = 0;
        for (uint32_t r = 0; r < c->nv; r++) S.used_routes += S.work.r[r].n > 0;
        rc = ruin(&S);
        if (rc == CV_OK) rc = recreate(&S);
        if (rc != CV_OK) goto out;
#ifdef CV_DEBUG_CHECKS
        if (c->care && it % 7 == 0) cv__care_debug_check(c, &S.care, &S.work);
#endif
        /* Local search moves do not know the care rules: off with them. */
        if (sp->ls_ops && sp->ls_when == CV_LS_WHEN_RECREATE && !c->care) {
            /* Around the reinserted tasks only. */
            uint64_t e0 = S.effort;
            rc = cv__ls_run(&S.ls, &S.work, sp->ls_ops, S.removed, S.nremoved, S.touched, S.tlist,
                            &S.ntouched, UINT64_MAX, &S.effort);
            st->ls_effort += S.effort - e0;
            if (rc != CV_OK) goto out;
        }

        const cv__sol *W = &S.work, *C = &S.cur;
        if (fleet) {
            for (uint32_t i = 0; i < S.nremoved; i++)
                if (W->route_of[S.removed[i]] == CV_NONE) S.absent[S.removed[i]]++;
            bool accept = W->nunassigned < C->nunassigned ||
                          (W->nunassigned == C->nunassigned && absence(&S, W) < absence(&S, C));
            if (accept) {
                rc = sync(&S, &S.cur, &S.work);
                if (rc == CV_OK && W->nunassigned == 0) {
                    /* Every task placed on fewer routes: a new best. */
                    rc = cv__sol_copy(s, W, c->nd);
                    drop_route(&S);
                    if (rc == CV_OK) rc = sync(&S, &S.cur, &S.work);
                }
            } else {
                rc = sync(&S, &S.work, &S.cur);
            }
        } else {
            bool accept;
            if (W->unassigned_prio != C->unassigned_prio)
                accept = W->unassigned_prio < C->unassigned_prio;
            else if (W->nunassigned != C->nunassigned)
                accept = W->nunassigned < C->nunassigned;
            else if (hier && routes_of(W) != routes_of(C))
                accept = routes_of(W) < routes_of(C);
            else
                accept = W->cost < C->cost - T * log(1.0 - cv_rng_unit(&S.rng));
            if (accept) {
                if (cv__sol_better_obj(W, s, hier)) {
                    if (sp->ls_ops && sp->ls_when == CV_LS_WHEN_BEST && !c->care) {
                        /* Intensify around a new best: every route. */
                        uint32_t nt = 0;
                        for (uint32_t t = 0; t < c->nt; t++)
                            if (S.work.route_of[t] != CV_NONE) S.lsroutes[nt++] = t;
                        rc = cv__ls_run(&S.ls, &S.work, sp->ls_ops, S.lsroutes, nt, S.touched,
                                        S.tlist, &S.ntouched, UINT64_MAX, &S.effort);
                        if (rc != CV_OK) goto out;
                    }
                    /* New best: s gets every touched route (s == cur before
                     * this iteration only for those; copy all to be safe). */
                    rc = cv__sol_copy(s, W, c->nd);
                    if (rc != CV_OK) goto out;
                }
                rc = sync(&S, &S.cur, &S.work);
                if (rc == CV_OK && sp->pool)
                    rc = cv__pool_add(sp->pool, &S.cur, S.tlist, S.ntouched);
            } else {
                rc = sync(&S, &S.work, &S.cur);
            }
        }
        if (rc != CV_OK) goto out;
        for (uint32_t i = 0; i < S.ntouched; i++) S.touched[S.tlist[i]] = 0;
        S.ntouched = 0;
        memset(S.mark, 0, c->nt);
    }
    if (sp->pool && !hier && !(sp->cancel && atomic_load(sp->cancel))) {
        double left = span > 0 ? sp->deadline - cv__search_clock(sp->cpu_clock) : 0;
        if ((rc = recombine(&S, s, sp, span > 0 ? fmax(left, 0.01) : 0)) != CV_OK) goto out;
    }
    if (show) {
        progress_line(s, cv__search_clock(sp->cpu_clock) - sp->t_start, it);
        fputc('\n', stderr);
    }
    if (sp->on_progress) report(sp, s, cv__search_clock(sp->cpu_clock), it, S.effort);
    st->iterations += it;
out:
    st->effort += S.effort;
    cv__sol_fini(&S.cur);
    cv__sol_fini(&S.work);
    free(S.mark);
    free(S.touched);
    free(S.tlist);
    free(S.removed);
    free(S.key);
    free(S.far);
    free(S.amount);
    free(S.class_seen);
    free(S.lsroutes);
    free(S.route_seen);
    free(S.absent);
    cv__ls_fini(&S.ls);
    if (c->care) cv__care_ws_fini(&S.care);
    return rc;
}
