/* Swap and cross-exchange: exchange a string of 1..3 jobs of one route with
 * a string of 1..3 jobs of another (swap: one job each).
 *
 * For a task u of route A and a neighbour v of route B: the string of A
 * starting at u takes the place of the string of B after v (arc v -> u), or
 * the string of A ending at u takes the place of the string of B before v
 * (arc u -> v); a plain swap of u and v is tried too.  Each new route is a
 * prefix + explicit string + suffix of itself (ls_concat.c): O(strings).
 * Strings hold jobs only; shipments move as pairs (ls_pair.c).
 */
#include "solver_int.h"

#define CROSS_MAX 3u

/* Is A[first..first+len-1] (1-based) a string of jobs that vehicle `to` may serve? */
static bool movable(const cv__ctx *c, const cv__route *A, uint32_t first, uint32_t len, uint32_t to)
{
    if (first < 1 || first + len - 1 > A->n) return false;
    for (uint32_t x = first; x < first + len; x++) {
        uint32_t t = A->t[x - 1];
        if (c->p->tasks[t].kind != CV_TASK_JOB || !cv__can(c, t, to)) return false;
    }
    return true;
}

/* Exchanges A[fa..fa+la-1] with B[fb..fb+lb-1] if that lowers the cost. */
static int exchange(cv__ls *ls, uint32_t ra, uint32_t fa, uint32_t la, uint32_t rb, uint32_t fb,
                    uint32_t lb)
{
    const cv__ctx *c = ls->c;
    cv__sol *s = ls->s;
    const cv__route *A = &s->r[ra], *B = &s->r[rb];
    if (!movable(c, A, fa, la, B->v) || !movable(c, B, fb, lb, A->v)) return 0;
    const cv_problem *p = c->p;
    if ((uint64_t)A->n - la + lb > p->vehicles[A->v].max_tasks ||
        (uint64_t)B->n - lb + la > p->vehicles[B->v].max_tasks)
        return 0;
    const cv__cat ka = {A->v, A, fa - 1, ls->mida, lb, A, fa + la};
    const cv__cat kb = {B->v, B, fb - 1, ls->midb, la, B, fb + lb};
    ls->effort += la + lb + 2;
    double delta;
    if (c->vclass[A->v] == c->vclass[B->v]) {
        /* Same travel costs on both routes: only the four arcs at the ends
         * of the strings change; the arcs inside each string keep their
         * cost, read from the caches.  Four matrix reads instead of
         * la + lb + 2 (those reads are the local search's main cost at
         * 1000 tasks). */
        const cv__veh *w = &c->veh[A->v];
        const uint32_t ap = A->loc[fa - 1], a0 = A->loc[fa], a1 = A->loc[fa + la - 1],
                       an = A->loc[fa + la];
        const uint32_t bp = B->loc[fb - 1], b0 = B->loc[fb], b1 = B->loc[fb + lb - 1],
                       bn = B->loc[fb + lb];
        const double out =
            (A->ccost[fa] - A->ccost[fa - 1]) + (A->ccost[fa + la] - A->ccost[fa + la - 1]) +
            (B->ccost[fb] - B->ccost[fb - 1]) + (B->ccost[fb + lb] - B->ccost[fb + lb - 1]);
        delta = cv__cost(w, ap, b0) + cv__cost(w, b1, an) + cv__cost(w, bp, a0) +
                cv__cost(w, a1, bn) - out;
    } else {
        for (uint32_t x = 0; x < lb; x++) ls->mida[x] = B->t[fb - 1 + x];
        for (uint32_t x = 0; x < la; x++) ls->midb[x] = A->t[fa - 1 + x];
        delta = cv__cat_cost(c, &ka) + cv__cat_cost(c, &kb) - A->cost - B->cost;
    }
    if (!(delta < -CV__LS_EPS)) return 0;
    for (uint32_t x = 0; x < lb; x++) ls->mida[x] = B->t[fb - 1 + x];
    for (uint32_t x = 0; x < la; x++) ls->midb[x] = A->t[fa - 1 + x];
    if (!cv__cat_feasible(c, &ka, ls->dbg) || !cv__cat_feasible(c, &kb, ls->dbg)) return 0;
    uint32_t na = cv__cat_write(&ka, ls->seqa), nb = cv__cat_write(&kb, ls->seqb);
    cv_status st = cv__ls_commit(ls, ra, ls->seqa, na, rb, ls->seqb, nb, delta);
    return st == CV_OK ? 1 : (int)st;
}

int cv__ls_cross(cv__ls *ls, uint32_t u, uint32_t v)
{
    cv__sol *s = ls->s;
    const uint32_t ra = s->route_of[u], rb = s->route_of[v];
    if (ra == rb) return 0;
    const uint32_t pu = ls->pos[u], pv = ls->pos[v];
    const bool swap = ls->ops & CV_LS_SWAP, cross = ls->ops & CV_LS_CROSS;
    int r;
    if (swap && (r = exchange(ls, ra, pu, 1, rb, pv, 1)) != 0) return r;
    for (uint32_t la = 1; la <= CROSS_MAX; la++)
        for (uint32_t lb = 1; lb <= CROSS_MAX; lb++) {
            if (la == 1 && lb == 1 ? !swap : !cross) continue;
            /* v -> u: A's string from u replaces B's string after v. */
            if ((r = exchange(ls, ra, pu, la, rb, pv + 1, lb)) != 0) return r;
            /* u -> v: A's string ending at u replaces B's string before v. */
            if (pu >= la && pv > lb &&
                (r = exchange(ls, ra, pu - la + 1, la, rb, pv - lb, lb)) != 0)
                return r;
        }
    return 0;
}
