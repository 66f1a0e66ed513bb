/* SWAP* (Vidal 2022, "Hybrid genetic search for the CVRP: open-source
 * implementation and SWAP* neighborhood", Computers & Operations Research
 * 140): exchange a job u of route A with a job v of route B, each going to
 * its best place in the other route, not necessarily where the other was.
 *
 * Vidal's observation: the best place of u in B without v is either v's old
 * place or one of u's three cheapest places in B (with v) that is not next
 * to v, since removing v changes only the two places around it.  So a route
 * pair costs O(|A| |B|) to prepare (the three cheapest places of every task
 * of A in B and of B in A) and every pair (u, v) is then priced in O(1).
 * That is exact when the cost is a sum of arc costs and nothing else binds.
 * With windows, loads and travel limits it becomes our candidate rule:
 *   - the three places kept for u in B are the cheapest among those where
 *     u's windows and the time slack of the rest of B (with v) allow u;
 *     loads and travel limits are left to the exact check (the load of B
 *     changes by u - v, which the places of u alone cannot tell);
 *   - the candidate places of u in B - v are those of the three not next to
 *     v, plus v's old place;
 *   - a candidate is priced exactly by its arc-cost change (both routes keep
 *     one task, so fixed costs stay) and checked exactly (ls_concat.c: a
 *     prefix, the explicit tasks between the removal and the insertion, a
 *     suffix), cheapest first.  Once u and v are chosen the two new routes
 *     are independent, so a pair's best move is the cheapest feasible place
 *     of v in A - u plus that of u in B - v.
 * The move returned is the best of this neighbourhood (best improvement per
 * route pair); tests/solver/test_ls_swap_star.c checks it against an
 * enumeration of the same neighbourhood with the full route evaluation.
 *
 * Route pairs: Vidal prunes by polar sectors around the depot.  Our problems
 * may have no coordinates, open routes and several depots, so a pair (A, B)
 * is examined when a task of A has a task of B among its SWAP_STAR_NEIGH
 * nearest tasks (the granular neighbour lists), and only when A or B changed
 * since A was last examined (Vidal's "when last modified" rule).  Work per
 * pair: (|A| + 1) |B| + (|B| + 1) |A| places plus |A| |B| pairs in O(1),
 * plus the exact checks of the few pairs whose price beats the best so far.
 */
#include "solver_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SWAP_STAR_NEIGH 20u
/* Work units per place examined and per pair priced: measured on Solomon R2
 * and RC2 at 1.2e8 units, one unit each gave SWAP* runs 2x the CPU time per
 * ruin-and-recreate iteration for 1.3x the units; three keep the effort budget
 * about proportional to CPU time, as for the other operators. */
#define SWAP_STAR_UNIT 3u
#define TOP 3u
#define PLACE CV_NONE /* a task's candidate "the other task's old place" */

/* The TOP cheapest feasible-in-time places of a task in the other route of
 * the pair, cheapest first (ties: the earlier gap). */
typedef struct top3 {
    double cost[TOP];
    uint32_t gap[TOP];
    uint32_t n;
    bool movable; /* a job the other route's vehicle may serve */
} top3;

struct cv__swap_star {
    top3 *top;        /* per task */
    double *gain;     /* per task: cost saved by removing it from its route */
    uint64_t *mod;    /* per route: clock when it last changed */
    uint64_t *tested; /* per route: clock when it was last examined against its neighbours */
    uint64_t clock;
    uint64_t *seen; /* per route: stamp of the adjacency scan */
    uint64_t stamp;
    uint32_t *adj; /* routes neighbouring the one examined */
};

cv_status cv__swap_star_init(cv__ls *ls)
{
    const cv__ctx *c = ls->c;
    cv__swap_star *ss = cv_calloc(1, sizeof *ss);
    if (!ss) return CV_ENOMEM;
    ls->ss = ss;
    ss->top = cv_calloc((size_t)c->nt + 1, sizeof *ss->top);
    ss->gain = cv_calloc((size_t)c->nt + 1, sizeof *ss->gain);
    ss->mod = cv_calloc((size_t)c->nv + 1, sizeof *ss->mod);
    ss->tested = cv_calloc((size_t)c->nv + 1, sizeof *ss->tested);
    ss->seen = cv_calloc((size_t)c->nv + 1, sizeof *ss->seen);
    ss->adj = cv_calloc((size_t)c->nv + 1, sizeof *ss->adj);
    if (!ss->top || !ss->gain || !ss->mod || !ss->tested || !ss->seen || !ss->adj) return CV_ENOMEM;
    return CV_OK;
}

void cv__swap_star_fini(cv__ls *ls)
{
    cv__swap_star *ss = ls->ss;
    if (!ss) return;
    free(ss->top);
    free(ss->gain);
    free(ss->mod);
    free(ss->tested);
    free(ss->seen);
    free(ss->adj);
    free(ss);
    ls->ss = NULL;
}

void cv__swap_star_reset(cv__ls *ls, const uint32_t *tasks, uint32_t ntasks)
{
    cv__swap_star *ss = ls->ss;
    const uint32_t nv = ls->c->nv;
    memset(ss->mod, 0, nv * sizeof *ss->mod);
    memset(ss->tested, 0, nv * sizeof *ss->tested);
    ss->clock = 1;
    for (uint32_t x = 0; x < ntasks; x++) {
        uint32_t r = ls->s->route_of[tasks[x]];
        if (r != CV_NONE) ss->mod[r] = 1;
    }
}

void cv__swap_star_changed(cv__ls *ls, uint32_t r)
{
    ls->ss->mod[r] = ++ls->ss->clock;
}

/* Arc-cost change of putting location l between positions g and g + 1 of R. */
static inline double ins_cost(const cv__veh *w, const cv__route *R, uint32_t g, uint32_t l)
{
    return cv__cost(w, R->loc[g], l) + cv__cost(w, l, R->loc[g + 1]) -
           cv__cost(w, R->loc[g], R->loc[g + 1]);
}

/* Arc-cost change of putting location l in place of the task at position q of R. */
static inline double place_cost(const cv__veh *w, const cv__route *R, uint32_t q, uint32_t l)
{
    return cv__cost(w, R->loc[q - 1], l) + cv__cost(w, l, R->loc[q + 1]) -
           cv__cost(w, R->loc[q - 1], R->loc[q + 1]);
}

/* Arc-cost saving of removing the task at position q of R. */
static inline double removal_gain(const cv__veh *w, const cv__route *R, uint32_t q)
{
    return cv__cost(w, R->loc[q - 1], R->loc[q]) + cv__cost(w, R->loc[q], R->loc[q + 1]) -
           cv__cost(w, R->loc[q - 1], R->loc[q + 1]);
}

/* Fills the top places of task x in route R, and whether x may move there. */
static void best_places(const cv__ctx *c, const cv__route *R, uint32_t x, top3 *tp, uint64_t *work)
{
    const cv_problem *p = c->p;
    const cv_task *t = &p->tasks[x];
    const cv__veh *w = &c->veh[R->v];
    tp->n = 0;
    tp->movable = t->kind == CV_TASK_JOB && cv__can(c, x, R->v);
    if (!tp->movable) return;
    const cv_tw *tw = cv_task_tws(p, t);
    const uint32_t ntw = t->tw_count, lx = t->loc;
    const int64_t last_end = tw[ntw - 1].end;
    for (uint32_t g = 0; g <= R->n; g++) {
        /* Departures never decrease along a route: past the last window, stop. */
        if (R->dep[g] > last_end) break;
        *work += SWAP_STAR_UNIT;
        const double cost = ins_cost(w, R, g, lx);
        if (tp->n == TOP && !(cost < tp->cost[TOP - 1])) continue;
        const uint32_t pl = R->loc[g], nl = R->loc[g + 1];
        int64_t b = cv__tw_begin(tw, ntw, R->dep[g] + cv__dur(w, pl, lx));
        if (b < 0) continue;
        int64_t dp = b + ((pl == CV_NONE || pl != lx) ? t->setup : 0) + t->service;
        if (dp + cv__dur(w, lx, nl) > cv__route_latest_arrival(p, R, g + 1, lx)) continue;
        uint32_t k = tp->n < TOP ? tp->n++ : TOP - 1;
        while (k > 0 && cost < tp->cost[k - 1]) {
            tp->cost[k] = tp->cost[k - 1];
            tp->gap[k] = tp->gap[k - 1];
            k--;
        }
        tp->cost[k] = cost;
        tp->gap[k] = g;
    }
}

/* The candidate: route R without its task at position q, with task x at
 * gap g (PLACE: at position q). */
static cv__cat candidate(const cv__route *R, uint32_t q, uint32_t x, uint32_t g, uint32_t *mid)
{
    cv__cat k = {R->v, R, q - 1, mid, 0, R, q + 1};
    if (g == PLACE) {
        mid[k.m++] = x;
    } else if (g < q - 1) {
        k.i = g;
        mid[k.m++] = x;
        for (uint32_t y = g + 1; y <= q - 1; y++) mid[k.m++] = R->t[y - 1];
    } else {
        for (uint32_t y = q + 1; y <= g; y++) mid[k.m++] = R->t[y - 1];
        mid[k.m++] = x;
        k.j = g + 1;
    }
    return k;
}

/* Candidate places of x in R without its task at position q, cheapest
 * first: the top places not next to q, and q itself.  Returns how many. */
static uint32_t candidates(const cv__veh *w, const cv__route *R, uint32_t q, uint32_t lx,
                           const top3 *tp, double *cost, uint32_t *gap)
{
    uint32_t n = 0;
    const double pc = place_cost(w, R, q, lx);
    bool placed = false;
    for (uint32_t k = 0; k < tp->n; k++) {
        if (tp->gap[k] == q - 1 || tp->gap[k] == q) continue;
        if (!placed && pc <= tp->cost[k]) {
            cost[n] = pc;
            gap[n++] = PLACE;
            placed = true;
        }
        cost[n] = tp->cost[k];
        gap[n++] = tp->gap[k];
    }
    if (!placed) {
        cost[n] = pc;
        gap[n++] = PLACE;
    }
    return n;
}

/* The cheapest feasible candidate of x in R without position q whose cost
 * stays below lim; returns its index in cost/gap or CV_NONE. */
static uint32_t first_feasible(cv__ls *ls, const cv__route *R, uint32_t q, uint32_t x,
                               const double *cost, const uint32_t *gap, uint32_t n, double lim)
{
    for (uint32_t k = 0; k < n && cost[k] < lim; k++) {
        cv__cat cat = candidate(R, q, x, gap[k], ls->mida);
        ls->effort += cat.m + 1;
        if (cv__cat_feasible(ls->c, &cat, ls->dbg)) return k;
    }
    return CV_NONE;
}

bool cv__swap_star_best(cv__ls *ls, uint32_t ra, uint32_t rb, uint32_t only_u, uint32_t only_v,
                        double bound, cv__swap_star_move *m)
{
    const cv__ctx *c = ls->c;
    const cv_problem *p = c->p;
    cv__swap_star *ss = ls->ss;
    const cv__route *A = &ls->s->r[ra], *B = &ls->s->r[rb];
    if (ra == rb || !A->n || !B->n || c->veh[A->v].has_breaks || c->veh[B->v].has_breaks)
        return false;
    const cv__veh *wa = &c->veh[A->v], *wb = &c->veh[B->v];
    /* Removal gains and top places, both ways. */
    for (uint32_t a = 1; a <= A->n; a++) {
        uint32_t u = A->t[a - 1];
        ss->gain[u] = removal_gain(wa, A, a);
        best_places(c, B, u, &ss->top[u], &ls->effort);
    }
    for (uint32_t b = 1; b <= B->n; b++) {
        uint32_t v = B->t[b - 1];
        ss->gain[v] = removal_gain(wb, B, b);
        best_places(c, A, v, &ss->top[v], &ls->effort);
    }
    double best = bound;
    bool found = false;
    double ca[TOP + 1], cb[TOP + 1];
    uint32_t ga[TOP + 1], gb[TOP + 1];
    for (uint32_t a = 1; a <= A->n; a++) {
        const uint32_t u = A->t[a - 1];
        const top3 *tu = &ss->top[u];
        if (!tu->movable || (only_u != CV_NONE && u != only_u)) continue;
        const uint32_t lu = p->tasks[u].loc;
        for (uint32_t b = 1; b <= B->n; b++) {
            const uint32_t v = B->t[b - 1];
            const top3 *tv = &ss->top[v];
            if (!tv->movable || (only_v != CV_NONE && v != only_v)) continue;
            ls->effort += SWAP_STAR_UNIT;
            /* v into A - u (side A), u into B - v (side B), cheapest first. */
            const uint32_t na = candidates(wa, A, a, p->tasks[v].loc, tv, ca, ga);
            const uint32_t nb = candidates(wb, B, b, lu, tu, cb, gb);
            const double fixed = -ss->gain[u] - ss->gain[v];
            if (!(fixed + ca[0] + cb[0] < best)) continue;
            uint32_t kb = first_feasible(ls, B, b, u, cb, gb, nb, best - fixed - ca[0]);
            if (kb == CV_NONE) continue;
            uint32_t ka = first_feasible(ls, A, a, v, ca, ga, na, best - fixed - cb[kb]);
            if (ka == CV_NONE) continue;
            best = fixed + ca[ka] + cb[kb];
            *m = (cv__swap_star_move){best, ra, rb, u, v, gb[kb], ga[ka]};
            found = true;
        }
    }
    if (!found) return false;
    /* The price above is the exact arc-cost change up to rounding; the move
     * carries the concatenation's own figure. */
    uint32_t qa = 0, qb = 0;
    while (A->t[qa] != m->u) qa++;
    while (B->t[qb] != m->v) qb++;
    cv__cat ka = candidate(A, qa + 1, m->v, m->gv, ls->mida);
    cv__cat kb = candidate(B, qb + 1, m->u, m->gu, ls->midb);
    const double delta = cv__cat_cost(c, &ka) + cv__cat_cost(c, &kb) - A->cost - B->cost;
#ifdef CV_DEBUG_CHECKS
    if (fabs(delta - m->delta) > 1e-6 * (1 + fabs(A->cost) + fabs(B->cost))) {
        fprintf(stderr,
                "cv_solver: CV_DEBUG_CHECKS: SWAP* tasks %u/%u on routes %u/%u: priced %.6f, "
                "concatenation %.6f\n",
                m->u, m->v, ra, rb, m->delta, delta);
        abort();
    }
#endif
    m->delta = delta;
    return delta < bound;
}

cv_status cv__swap_star_apply(cv__ls *ls, const cv__swap_star_move *m)
{
    const cv__route *A = &ls->s->r[m->ra], *B = &ls->s->r[m->rb];
    uint32_t qa = 0, qb = 0;
    while (A->t[qa] != m->u) qa++;
    while (B->t[qb] != m->v) qb++;
    cv__cat ka = candidate(A, qa + 1, m->v, m->gv, ls->mida);
    cv__cat kb = candidate(B, qb + 1, m->u, m->gu, ls->midb);
    uint32_t na = cv__cat_write(&ka, ls->seqa), nb = cv__cat_write(&kb, ls->seqb);
    return cv__ls_commit(ls, m->ra, ls->seqa, na, m->rb, ls->seqb, nb, m->delta);
}

int cv__ls_swap_star(cv__ls *ls, uint32_t *u, uint32_t *v)
{
    const cv__ctx *c = ls->c;
    const cv__sol *s = ls->s;
    cv__swap_star *ss = ls->ss;
    const uint32_t K = c->nneigh < SWAP_STAR_NEIGH ? c->nneigh : SWAP_STAR_NEIGH;
    for (uint32_t ra = 0; ra < s->nv; ra++) {
        if (ss->mod[ra] <= ss->tested[ra]) continue;
        const cv__route *A = &s->r[ra];
        uint32_t nadj = 0;
        ss->stamp++;
        for (uint32_t a = 0; a < A->n; a++) {
            const uint32_t *nb = c->neigh + (size_t)A->t[a] * c->nneigh;
            ls->effort++;
            for (uint32_t q = 0; q < K; q++) {
                uint32_t rb = s->route_of[nb[q]];
                if (rb == CV_NONE || rb == ra || ss->seen[rb] == ss->stamp) continue;
                ss->seen[rb] = ss->stamp;
                ss->adj[nadj++] = rb;
            }
        }
        for (uint32_t k = 0; k < nadj; k++) {
            cv__swap_star_move m;
            if (!cv__swap_star_best(ls, ra, ss->adj[k], CV_NONE, CV_NONE, -CV__LS_EPS, &m))
                continue;
            cv_status st = cv__swap_star_apply(ls, &m);
            if (st != CV_OK) return (int)st;
            *u = m.u;
            *v = m.v;
            return 1;
        }
        ss->tested[ra] = ss->clock;
    }
    return 0;
}
