/* 2-opt inside one route: reverse the jobs between a task and its
 * neighbour so that the two become consecutive.
 *
 * For u before v: A[..pu] + reversed A[pu+1..pv] + A[pv+1..] (arc u -> v);
 * for v before u: A[..pv-1] + reversed A[pv..pu-1] + A[pu..] (arc v -> u).
 * The reversed part is re-timed explicitly (ls_concat.c), so a move costs
 * O(its length); it is tried up to TWO_OPT_SPAN positions.  With asymmetric
 * travel times the reversed arcs are costed as they are, not assumed equal.
 * Reversed parts hold jobs only (reversing a shipment breaks its order).
 */
#include "solver_int.h"

#define TWO_OPT_SPAN 40u

int cv__ls_two_opt(cv__ls *ls, uint32_t u, uint32_t v)
{
    const cv__ctx *c = ls->c;
    cv__sol *s = ls->s;
    const uint32_t ra = s->route_of[u];
    if (ra != s->route_of[v]) return 0;
    const cv__route *A = &s->r[ra];
    const uint32_t pu = ls->pos[u], pv = ls->pos[v];
    /* Reverse A[lo..hi] (1-based). */
    uint32_t lo = pu < pv ? pu + 1 : pv, hi = pu < pv ? pv : pu - 1;
    if (hi <= lo || hi - lo + 1 > TWO_OPT_SPAN) return 0;
    uint32_t m = 0;
    for (uint32_t x = hi; x >= lo; x--) {
        uint32_t t = A->t[x - 1];
        if (c->p->tasks[t].kind != CV_TASK_JOB) return 0;
        ls->mida[m++] = t;
    }
    const cv__cat k = {A->v, A, lo - 1, ls->mida, m, A, hi + 1};
    ls->effort += m + 1;
    const double delta = cv__cat_cost(c, &k) - A->cost;
    if (!(delta < -CV__LS_EPS) || !cv__cat_feasible(c, &k, ls->dbg)) return 0;
    uint32_t n = cv__cat_write(&k, ls->seqa);
    cv_status st = cv__ls_commit(ls, ra, ls->seqa, n, CV_NONE, NULL, 0, delta);
    return st == CV_OK ? 1 : (int)st;
}
