/* 2-opt*: exchange the tails of two routes.
 *
 * Cutting route A after position i and route B after position j gives
 * A' = A[..i] + B[j+1..] and B' = B[..j] + A[i+1..]: each a prefix of one
 * route joined to a suffix of another, checked in O(dimensions) by
 * ls_concat.c.  The suffix data of B only hold for A's vehicle when both
 * vehicles are identical (same class: same end, shift, matrices, costs,
 * limits and skills), so the move is restricted to such pairs.  Tails
 * holding half of a shipment are never cut (no shipment open at the cut).
 * For a task u and a neighbour v the two cuts that create the arc u -> v
 * or v -> u are tried.
 */
#include "solver_int.h"

int cv__ls_two_opt_star(cv__ls *ls, uint32_t u, uint32_t v)
{
    const cv__ctx *c = ls->c;
    cv__sol *s = ls->s;
    const uint32_t ra = s->route_of[u], rb = s->route_of[v];
    if (ra == rb || c->vclass[ra] != c->vclass[rb]) return 0;
    const cv__route *A = &s->r[ra], *B = &s->r[rb];
    const uint32_t pu = ls->pos[u], pv = ls->pos[v];
    for (int side = 0; side < 2; side++) {
        /* side 0: arc u -> v (i = pu, j = pv - 1); side 1: arc v -> u. */
        const uint32_t i = side ? pu - 1 : pu, j = side ? pv : pv - 1;
        if (A->nopen[i] || B->nopen[j]) continue;
        const cv__cat ka = {A->v, A, i, NULL, 0, B, j + 1};
        const cv__cat kb = {B->v, B, j, NULL, 0, A, i + 1};
        ls->effort += 2;
        const double delta = cv__cat_cost(c, &ka) + cv__cat_cost(c, &kb) - A->cost - B->cost;
        if (!(delta < -CV__LS_EPS) || !cv__cat_feasible(c, &ka, ls->dbg) ||
            !cv__cat_feasible(c, &kb, ls->dbg))
            continue;
        uint32_t na = cv__cat_write(&ka, ls->seqa), nb = cv__cat_write(&kb, ls->seqb);
        cv_status st = cv__ls_commit(ls, ra, ls->seqa, na, rb, ls->seqb, nb, delta);
        return st == CV_OK ? 1 : (int)st;
    }
    return 0;
}
