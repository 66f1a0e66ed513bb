/* Granular local search: the driver of the operators of ls_*.c.
 *
 * A queue of routes to examine starts with the routes the caller names
 * (those ruin-and-recreate changed, or every route of a new best plan).  For
 * each task u of a route in the queue and each of its LS_NEIGH nearest tasks
 * v, the enabled operator families try the moves that bring u next to v
 * (granular neighbourhoods, Toth & Vigo 2003); the first improving move is
 * applied, both routes it changed go back into the queue, and the scan of
 * the route restarts.  Stops when the queue is empty or the effort budget is
 * spent.  Work: O(tasks of queued routes x neighbours x moves per pair),
 * each move O(1) or O(segment) (ls_concat.c).
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
    ls->inq = cv_calloc(c->nv + 1, 1);
    ls->queue = cv_calloc(c->nv + 1, sizeof *ls->queue);
    if (!ls->pos || !ls->seqa || !ls->seqb || !ls->mida || !ls->midb || !ls->dbg || !ls->inq ||
        !ls->queue) {
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
    memset(ls, 0, sizeof *ls);
}

static void index_route(cv__ls *ls, const cv__route *r)
{
    for (uint32_t k = 0; k < r->n; k++) ls->pos[r->t[k]] = k + 1;
}

static void enqueue(cv__ls *ls, uint32_t r)
{
    if (ls->inq[r]) return;
    ls->inq[r] = 1;
    ls->queue[(ls->qhead + ls->qlen) % ls->c->nv] = r;
    ls->qlen++;
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
    if (ra != ls->scanning) enqueue(ls, ra);
    touch(ls, ra);
    if (rb != CV_NONE) {
        index_route(ls, &s->r[rb]);
        if (rb != ls->scanning) enqueue(ls, rb);
        touch(ls, rb);
    }
    return CV_OK;
}

typedef int (*ls_op)(cv__ls *, uint32_t, uint32_t);

cv_status cv__ls_run(cv__ls *ls, cv__sol *s, unsigned ops, const uint32_t *routes, uint32_t nroutes,
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
    memset(ls->inq, 0, c->nv);
    for (uint32_t r = 0; r < s->nv; r++) index_route(ls, &s->r[r]);
    for (uint32_t x = 0; x < nroutes; x++)
        if (!c->veh[s->r[routes[x]].v].has_breaks) enqueue(ls, routes[x]);
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
    while (ls->qlen && ls->effort < max_effort) {
        uint32_t ra = ls->queue[ls->qhead];
        ls->qhead = (ls->qhead + 1) % c->nv;
        ls->qlen--;
        ls->inq[ra] = 0;
        ls->scanning = ra;
        bool again = true;
        while (again && ls->effort < max_effort) {
            again = false;
            for (uint32_t k = 0; k < s->r[ra].n && !again; k++) {
                const uint32_t u = s->r[ra].t[k];
                for (uint32_t q = 0; q < K && !again; q++) {
                    const uint32_t v = c->neigh[(size_t)u * c->nneigh + q];
                    const uint32_t rb = s->route_of[v];
                    if (rb == CV_NONE || c->veh[s->r[rb].v].has_breaks) continue;
                    ls->effort++;
                    for (unsigned f = 0; f < nfn; f++) {
                        int r = fn[f](ls, u, v);
                        if (r < 0) {
                            st = (cv_status)r;
                            goto out;
                        }
                        if (r > 0) {
                            again = true;
                            break;
                        }
                    }
                }
            }
        }
    }
out:
    ls->scanning = CV_NONE;
    /* One local-search unit (a pair examined, or one task of a move re-timed)
     * costs about half an insertion check (measured on Homberger 200: 6e7
     * units took 0.45 s of CPU with the local search after every recreate,
     * 1.0 s without); counted at half weight so that the effort budget stays
     * about proportional to CPU time whichever operators run. */
    *effort += (ls->effort + 1) / 2;
    return st;
}
