/* Granular local search: the driver of the operators of ls_*.c.
 *
 * A queue of tasks to examine starts with the tasks the caller names (those
 * ruin-and-recreate reinserted, or every task of a new best plan).  For a
 * task u of the queue and each of its LS_NEIGH nearest tasks v, the enabled
 * operator families try the moves that bring u next to v (granular
 * neighbourhoods, Toth & Vigo 2003); the first improving move is applied,
 * and u, v and their new neighbours in their routes go back into the queue
 * (a "don't look" queue: a task whose surroundings did not change is not
 * examined again).  Stops when the queue is empty or the effort budget is
 * spent.  Work: O(queued tasks x neighbours x moves per pair), each move
 * O(1) or O(segment) (ls_concat.c).
 */
#include "solver_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LS_NEIGH 20u

cv_status cv__ls_init(cv__ls *ls, const cv__ctx *c)
{
    memset(ls, 0, sizeof *ls);
    ls->c = c;
    size_t n = (size_t)c->nt + 2;
    ls->pos = cv_calloc(n, sizeof *ls->pos);
    ls->seqa = cv_calloc(n, sizeof *ls->seqa);
    ls->seqb = cv_calloc(n, sizeof *ls->seqb);
    ls->mida = cv_calloc(n, sizeof *ls->mida);
    ls->midb = cv_calloc(n, sizeof *ls->midb);
    ls->dbg = cv_calloc(n, sizeof *ls->dbg);
    ls->inq = cv_calloc(n, 1);
    ls->queue = cv_calloc(n, sizeof *ls->queue);
    if (!ls->pos || !ls->seqa || !ls->seqb || !ls->mida || !ls->midb || !ls->dbg || !ls->inq ||
        !ls->queue || cv__swap_star_init(ls) != CV_OK) {
        cv__ls_fini(ls);
        return CV_ENOMEM;
    }
    return CV_OK;
}

void cv__ls_fini(cv__ls *ls)
{
    free(ls->pos);
    free(ls->seqa);
    free(ls->seqb);
    free(ls->mida);
    free(ls->midb);
    free(ls->dbg);
    free(ls->inq);
    free(ls->queue);
    cv__swap_star_fini(ls);
    memset(ls, 0, sizeof *ls);
}

static void index_route(cv__ls *ls, const cv__route *r)
{
    for (uint32_t k = 0; k < r->n; k++) ls->pos[r->t[k]] = k + 1;
}

static void enqueue(cv__ls *ls, uint32_t t)
{
    if (ls->inq[t]) return;
    ls->inq[t] = 1;
    ls->queue[(ls->qhead + ls->qlen) % ls->c->nt] = t;
    ls->qlen++;
}

/* Task t and its predecessor and successor in its route. */
static void enqueue_around(cv__ls *ls, uint32_t t)
{
    const cv__sol *s = ls->s;
    uint32_t r = s->route_of[t];
    if (r == CV_NONE) return;
    const cv__route *R = &s->r[r];
    uint32_t k = ls->pos[t];
    enqueue(ls, t);
    if (k > 1) enqueue(ls, R->t[k - 2]);
    if (k < R->n) enqueue(ls, R->t[k]);
}

static void touch(cv__ls *ls, uint32_t r)
{
    if (ls->touched && !ls->touched[r]) {
        ls->touched[r] = 1;
        ls->tlist[(*ls->ntouched)++] = r;
    }
}

cv_status cv__ls_commit(cv__ls *ls, uint32_t ra, const uint32_t *seqa, uint32_t na, uint32_t rb,
                        const uint32_t *seqb, uint32_t nb, double delta)
{
    const cv__ctx *c = ls->c;
    cv__sol *s = ls->s;
#ifdef CV_DEBUG_CHECKS
    double before = s->cost;
#endif
    cv_status st = cv__route_assign(c, s, ra, seqa, na);
    if (st == CV_OK && rb != CV_NONE) st = cv__route_assign(c, s, rb, seqb, nb);
    if (st != CV_OK) return st;
    (void)delta;
#ifdef CV_DEBUG_CHECKS
    {
        cv__eval ea, eb;
        bool oka = cv__route_eval(c, ra, s->r[ra].t, s->r[ra].n, &ea, NULL, NULL, NULL);
        bool okb =
            rb == CV_NONE || cv__route_eval(c, rb, s->r[rb].t, s->r[rb].n, &eb, NULL, NULL, NULL);
        if (!oka || !okb || fabs(s->cost - before - delta) > 1e-6 * (1 + fabs(before))) {
            fprintf(stderr,
                    "cv_solver: CV_DEBUG_CHECKS: local search move on routes %u/%u: "
                    "feasible %d/%d, cost change %.3f predicted %.3f\n",
                    ra, rb, oka, okb, s->cost - before, delta);
            abort();
        }
    }
#endif
    index_route(ls, &s->r[ra]);
    touch(ls, ra);
    cv__swap_star_changed(ls, ra);
    if (rb != CV_NONE) {
        index_route(ls, &s->r[rb]);
        touch(ls, rb);
        cv__swap_star_changed(ls, rb);
    }
    return CV_OK;
}

typedef int (*ls_op)(cv__ls *, uint32_t, uint32_t);

cv_status cv__ls_run(cv__ls *ls, cv__sol *s, unsigned ops, const uint32_t *tasks, uint32_t ntasks,
                     uint8_t *touched, uint32_t *tlist, uint32_t *ntouched, uint64_t max_effort,
                     uint64_t *effort)
{
    const cv__ctx *c = ls->c;
    ls->s = s;
    ls->touched = touched;
    ls->tlist = tlist;
    ls->ntouched = ntouched;
    ls->effort = 0;
    ls->qhead = ls->qlen = 0;
    memset(ls->inq, 0, c->nt);
    for (uint32_t r = 0; r < s->nv; r++) index_route(ls, &s->r[r]);
    for (uint32_t x = 0; x < ntasks; x++) enqueue(ls, tasks[x]);
    if (ops & CV_LS_SWAP_STAR) cv__swap_star_reset(ls, tasks, ntasks);
    /* Cheap families first: a pair's first improving move wins. */
    ls_op fn[8];
    unsigned nfn = 0;
    if (ops & CV_LS_RELOCATE || ops & CV_LS_OR_OPT) fn[nfn++] = cv__ls_relocate;
    if (ops & (CV_LS_SWAP | CV_LS_CROSS)) fn[nfn++] = cv__ls_cross;
    if (ops & CV_LS_TWO_OPT_STAR) fn[nfn++] = cv__ls_two_opt_star;
    if (ops & CV_LS_TWO_OPT) fn[nfn++] = cv__ls_two_opt;
    if (ops & CV_LS_PAIR) fn[nfn++] = cv__ls_pair;
    ls->ops = ops;
    const uint32_t K = c->nneigh < LS_NEIGH ? c->nneigh : LS_NEIGH;
    cv_status st = CV_OK;
again:
    while (ls->qlen && ls->effort < max_effort) {
        const uint32_t u = ls->queue[ls->qhead];
        ls->qhead = (ls->qhead + 1) % c->nt;
        ls->qlen--;
        ls->inq[u] = 0;
        const uint32_t ra = s->route_of[u];
        if (ra == CV_NONE || c->veh[s->r[ra].v].has_breaks) continue;
        for (uint32_t q = 0; q < K; q++) {
            const uint32_t v = c->neigh[(size_t)u * c->nneigh + q];
            const uint32_t rb = s->route_of[v];
            if (rb == CV_NONE || c->veh[s->r[rb].v].has_breaks) continue;
            ls->effort++;
            int r = 0;
            for (unsigned f = 0; f < nfn && r == 0; f++) r = fn[f](ls, u, v);
            if (r < 0) {
                st = (cv_status)r;
                goto out;
            }
            if (r > 0) {
                enqueue_around(ls, u);
                enqueue_around(ls, v);
                break;
            }
        }
    }
    /* SWAP* once the granular moves are exhausted: route pairs, not task
     * pairs, so it runs between queue drains (Vidal 2022 runs it after the
     * node moves too). */
    if ((ops & CV_LS_SWAP_STAR) && ls->effort < max_effort) {
        uint32_t u, v;
        int r = cv__ls_swap_star(ls, &u, &v);
        if (r < 0) {
            st = (cv_status)r;
            goto out;
        }
        if (r > 0) {
            enqueue_around(ls, u);
            enqueue_around(ls, v);
            goto again;
        }
    }
out:
    /* One local-search unit (a pair examined, or one task of a move re-timed)
     * costs about half an insertion check (measured on Homberger 200: 6e7
     * units took 0.45 s of CPU with the local search after every recreate,
     * 1.0 s without); counted at half weight so that the effort budget stays
     * about proportional to CPU time whichever operators run. */
    *effort += (ls->effort + 1) / 2;
    return st;
}
