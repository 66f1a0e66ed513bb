/* Shipment relocate: move a pickup and its delivery together to the route
 * of a neighbouring task.
 *
 * The source route without the pair is prefix + the tasks between the two
 * + suffix (ls_concat.c, O(distance between them)); the pair's best place in
 * the target route comes from the insertion of route.c (O(n^2) for a pair,
 * bounded by the removal's saving, so most targets are rejected early).
 */
#include "solver_int.h"

int cv__ls_pair(cv__ls *ls, uint32_t u, uint32_t v)
{
    const cv__ctx *c = ls->c;
    const cv_problem *p = c->p;
    cv__sol *s = ls->s;
    const cv_task *tu = &p->tasks[u];
    if (tu->kind == CV_TASK_JOB) return 0;
    const uint32_t pk = tu->kind == CV_TASK_PICKUP ? u : tu->sibling, dl = p->tasks[pk].sibling;
    const uint32_t ra = s->route_of[pk], rb = s->route_of[v];
    if (ra == rb) return 0;
    const cv__route *A = &s->r[ra], *B = &s->r[rb];
    const uint32_t pp = ls->pos[pk], pd = ls->pos[dl];
    uint32_t m = 0;
    for (uint32_t x = pp + 1; x < pd; x++) ls->mida[m++] = A->t[x - 1];
    const cv__cat ka = {A->v, A, pp - 1, ls->mida, m, A, pd + 1};
    ls->effort += m + 1;
    const double gain = A->cost - cv__cat_cost(c, &ka);
    if (!(gain > CV__LS_EPS)) return 0;
    cv__ins ins;
    if (!cv__route_best_insert(c, B, pk, 0, NULL, gain - CV__LS_EPS, &ins, &ls->effort)) return 0;
    if (!cv__cat_feasible(c, &ka, ls->dbg)) return 0;
    uint32_t na = cv__cat_write(&ka, ls->seqa), nb = B->n + 2, k = 0;
    for (uint32_t x = 0; x < nb; x++)
        ls->seqb[x] = x == ins.pos ? pk : x == ins.pos2 ? dl : B->t[k++];
    cv_status st = cv__ls_commit(ls, ra, ls->seqa, na, rb, ls->seqb, nb, ins.delta - gain);
    return st == CV_OK ? 1 : (int)st;
}
