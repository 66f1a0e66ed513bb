/* Relocate and or-opt: move a string of 1..3 consecutive jobs (possibly
 * reversed) next to a neighbouring task, in another route (relocate) or in
 * its own route (or-opt).
 *
 * For a task u and a neighbour v the string starting at u goes right after
 * v or right before it.  Between routes the source becomes prefix + suffix
 * of itself and the target prefix + string + suffix: both O(string) with
 * ls_concat.c.  Inside one route the tasks between the old and the new place
 * are re-timed explicitly, so the move costs O(distance); it is only tried
 * within OR_OPT_SPAN positions.  Strings hold jobs only: a shipment moves
 * as a pair (ls_pair.c).
 */
#include "solver_int.h"

#define RELOCATE_MAX 3u
#define OR_OPT_SPAN 30u

static int inter(cv__ls *ls, uint32_t u, uint32_t v)
{
    const cv__ctx *c = ls->c;
    const cv_problem *p = c->p;
    cv__sol *s = ls->s;
    const uint32_t ra = s->route_of[u], rb = s->route_of[v];
    const cv__route *A = &s->r[ra], *B = &s->r[rb];
    const uint32_t pu = ls->pos[u], pv = ls->pos[v];
    uint32_t *mid = ls->mida;
    for (uint32_t L = 1; L <= RELOCATE_MAX && pu + L - 1 <= A->n; L++) {
        const uint32_t t = A->t[pu + L - 2];
        if (p->tasks[t].kind != CV_TASK_JOB || !cv__can(c, t, B->v)) break;
        if ((uint64_t)B->n + L > p->vehicles[B->v].max_tasks) break;
        const cv__cat ka = {A->v, A, pu - 1, NULL, 0, A, pu + L};
        const double base = cv__cat_cost(c, &ka) - A->cost - B->cost;
        ls->effort += 1;
        bool a_checked = false, a_ok = false;
        for (int rev = 0; rev < (L > 1 ? 2 : 1); rev++) {
            for (uint32_t x = 0; x < L; x++) mid[x] = A->t[pu - 1 + (rev ? L - 1 - x : x)];
            for (int side = 0; side < 2; side++) {
                /* side 0: after v; side 1: before v. */
                const uint32_t i = side ? pv - 1 : pv;
                const cv__cat kb = {B->v, B, i, mid, L, B, i + 1};
                ls->effort += L + 1;
                const double delta = base + cv__cat_cost(c, &kb);
                if (!(delta < -CV__LS_EPS)) continue;
                if (!a_checked) {
                    a_ok = cv__cat_feasible(c, &ka, ls->dbg);
                    a_checked = true;
                }
                if (!a_ok) break;
                if (!cv__cat_feasible(c, &kb, ls->dbg)) continue;
                uint32_t na = cv__cat_write(&ka, ls->seqa), nb = cv__cat_write(&kb, ls->seqb);
                cv_status st = cv__ls_commit(ls, ra, ls->seqa, na, rb, ls->seqb, nb, delta);
                return st == CV_OK ? 1 : (int)st;
            }
            if (a_checked && !a_ok) break;
        }
        if (a_checked && !a_ok) continue; /* a longer string may leave a feasible rest */
    }
    return 0;
}

static int intra(cv__ls *ls, uint32_t u, uint32_t v)
{
    const cv__ctx *c = ls->c;
    const cv_problem *p = c->p;
    cv__sol *s = ls->s;
    const uint32_t ra = s->route_of[u];
    const cv__route *A = &s->r[ra];
    const uint32_t pu = ls->pos[u], pv = ls->pos[v];
    uint32_t *mid = ls->mida;
    for (uint32_t L = 1; L <= RELOCATE_MAX && pu + L - 1 <= A->n; L++) {
        const uint32_t t = A->t[pu + L - 2];
        if (p->tasks[t].kind != CV_TASK_JOB) break;
        if (pv >= pu && pv < pu + L) break; /* v inside the string */
        for (int side = 0; side < 2; side++) {
            /* The string goes between positions g and g + 1 of A. */
            const uint32_t g = side ? pv - 1 : pv;
            if (g + 1 >= pu && g <= pu + L - 1) continue; /* where it is */
            const uint32_t span = g < pu ? pu - g : g - pu;
            if (span > OR_OPT_SPAN) continue;
            for (int rev = 0; rev < (L > 1 ? 2 : 1); rev++) {
                uint32_t m = 0;
                cv__cat k = {A->v, A, 0, mid, 0, A, 0};
                if (g < pu - 1) {
                    /* A[..g] + string + A[g+1..pu-1] + A[pu+L..] */
                    for (uint32_t x = 0; x < L; x++)
                        mid[m++] = A->t[pu - 1 + (rev ? L - 1 - x : x)];
                    for (uint32_t x = g + 1; x <= pu - 1; x++) mid[m++] = A->t[x - 1];
                    k.i = g;
                    k.j = pu + L;
                } else {
                    /* A[..pu-1] + A[pu+L..g] + string + A[g+1..] */
                    for (uint32_t x = pu + L; x <= g; x++) mid[m++] = A->t[x - 1];
                    for (uint32_t x = 0; x < L; x++)
                        mid[m++] = A->t[pu - 1 + (rev ? L - 1 - x : x)];
                    k.i = pu - 1;
                    k.j = g + 1;
                }
                k.m = m;
                ls->effort += m + 1;
                const double delta = cv__cat_cost(c, &k) - A->cost;
                if (!(delta < -CV__LS_EPS) || !cv__cat_feasible(c, &k, ls->dbg)) continue;
                uint32_t n = cv__cat_write(&k, ls->seqa);
                cv_status st = cv__ls_commit(ls, ra, ls->seqa, n, CV_NONE, NULL, 0, delta);
                return st == CV_OK ? 1 : (int)st;
            }
        }
    }
    return 0;
}

int cv__ls_relocate(cv__ls *ls, uint32_t u, uint32_t v)
{
    if (ls->c->p->tasks[u].kind != CV_TASK_JOB) return 0;
    const bool same = ls->s->route_of[u] == ls->s->route_of[v];
    if (same) return ls->ops & CV_LS_OR_OPT ? intra(ls, u, v) : 0;
    return ls->ops & CV_LS_RELOCATE ? inter(ls, u, v) : 0;
}
