/* Construction: regret-2 insertion, and the warm start from input steps.
 *
 * Regret insertion keeps, for every unplaced task (a job or a shipment as a
 * pair) and every route, its cheapest feasible insertion; each round places
 * the task of highest priority, then largest regret (second-best route minus
 * best route; a task with one feasible route goes first), and recomputes only
 * the column of the route that changed.  Work: O(nt * nv) insertions at
 * first, then O(nt * route length) per placed task.  For very large
 * nt * nv the table would not fit, so tasks are placed greedily in order of
 * priority instead.
 */
#include "solver_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CV__REGRET_MAX_CELLS 4000000u

typedef struct cell {
    cv__ins ins;
    bool ok;
} cell;

static cv_status greedy(const cv__ctx *c, cv__sol *s, uint64_t *effort)
{
    const cv_problem *p = c->p;
    /* Highest priority first, then input order. */
    for (uint32_t prio = 101; prio-- > 0;) {
        for (uint32_t u = 0; u < c->nt; u++) {
            const cv_task *t = &p->tasks[u];
            if (t->priority != prio || t->kind == CV_TASK_DELIVERY || s->route_of[u] != CV_NONE)
                continue;
            cv__ins best = {0, 0, 0}, ins;
            uint32_t br = CV_NONE;
            for (uint32_t r = 0; r < c->nv; r++)
                if (cv__route_best_insert(c, &s->r[r], u, 0, NULL,
                                          br == CV_NONE ? INFINITY : best.delta, &ins, effort)) {
                    best = ins;
                    br = r;
                }
            if (br == CV_NONE) continue;
            cv_status st = cv__route_insert(
                c, s, br, u, best.pos, t->kind == CV_TASK_PICKUP ? t->sibling : CV_NONE, best.pos2);
            if (st != CV_OK) return st;
        }
    }
    return CV_OK;
}

cv_status cv__construct_regret(const cv__ctx *c, cv__sol *s, uint64_t *effort)
{
    const cv_problem *p = c->p;
    const uint32_t nv = c->nv;
    if (nv == 0) return CV_OK;
    uint32_t *todo = cv_calloc(c->nt + 1, sizeof *todo);
    if (!todo) return CV_ENOMEM;
    uint32_t m = 0;
    for (uint32_t u = 0; u < c->nt; u++)
        if (p->tasks[u].kind != CV_TASK_DELIVERY && s->route_of[u] == CV_NONE) todo[m++] = u;
    if ((uint64_t)m * nv > CV__REGRET_MAX_CELLS) {
        free(todo);
        return greedy(c, s, effort);
    }
    cell *tab = cv_calloc((size_t)m * nv + 1, sizeof *tab);
    if (!tab) {
        free(todo);
        return CV_ENOMEM;
    }
    for (uint32_t i = 0; i < m; i++)
        for (uint32_t r = 0; r < nv; r++) {
            cell *x = &tab[(size_t)i * nv + r];
            x->ok = cv__route_best_insert(c, &s->r[r], todo[i], 0, NULL, INFINITY, &x->ins, effort);
        }
    cv_status st = CV_OK;
    while (m > 0) {
        uint32_t pick = CV_NONE, pick_r = CV_NONE, pick_prio = 0;
        double pick_regret = 0, pick_best = 0;
        for (uint32_t i = 0; i < m; i++) {
            const cell *row = &tab[(size_t)i * nv];
            uint32_t br = CV_NONE;
            double b1 = 0, b2 = INFINITY;
            for (uint32_t r = 0; r < nv; r++) {
                if (!row[r].ok) continue;
                double d = row[r].ins.delta;
                if (br == CV_NONE || d < b1 - 1e-9) {
                    if (br != CV_NONE) b2 = b1;
                    b1 = d;
                    br = r;
                } else if (d < b2) {
                    b2 = d;
                }
            }
            if (br == CV_NONE) continue;
            uint32_t prio = p->tasks[todo[i]].priority;
            double regret = b2 - b1;
            bool better = pick == CV_NONE || prio > pick_prio ||
                          (prio == pick_prio &&
                           (regret > pick_regret + 1e-9 ||
                            (fabs(regret - pick_regret) <= 1e-9 && b1 < pick_best - 1e-9)));
            if (better) {
                pick = i;
                pick_r = br;
                pick_prio = prio;
                pick_regret = regret;
                pick_best = b1;
            }
        }
        if (pick == CV_NONE) break; /* the rest fits nowhere */
        uint32_t u = todo[pick];
        const cv_task *t = &p->tasks[u];
        const cv__ins ins = tab[(size_t)pick * nv + pick_r].ins;
        st = cv__route_insert(c, s, pick_r, u, ins.pos,
                              t->kind == CV_TASK_PICKUP ? t->sibling : CV_NONE, ins.pos2);
        if (st != CV_OK) break;
        /* Drop row `pick` (move the last row into it), refresh column pick_r. */
        m--;
        if (pick != m) {
            todo[pick] = todo[m];
            memcpy(&tab[(size_t)pick * nv], &tab[(size_t)m * nv], nv * sizeof *tab);
        }
        for (uint32_t i = 0; i < m; i++) {
            cell *x = &tab[(size_t)i * nv + pick_r];
            x->ok = cv__route_best_insert(c, &s->r[pick_r], todo[i], 0, NULL, INFINITY, &x->ins,
                                          effort);
        }
    }
    free(tab);
    free(todo);
    return st;
}

cv_status cv__warm_start(const cv__ctx *c, cv__sol *s)
{
    const cv_problem *p = c->p;
    uint32_t *seq = cv_calloc(c->nt + 1, sizeof *seq);
    if (!seq) return CV_ENOMEM;
    for (uint32_t v = 0; v < c->nv; v++) {
        const cv_vehicle *vh = &p->vehicles[v];
        if (!vh->step_count) continue;
        uint32_t n = 0;
        bool ok = true;
        for (uint32_t k = 0; k < vh->step_count && ok; k++) {
            const cv_input_step *st = &p->input_steps[vh->step_first + k];
            if (st->type != CV_STEP_JOB && st->type != CV_STEP_PICKUP &&
                st->type != CV_STEP_DELIVERY)
                continue;
            if (st->index >= c->nt || s->route_of[st->index] != CV_NONE || n >= c->nt) {
                ok = false;
                break;
            }
            for (uint32_t j = 0; j < n; j++)
                if (seq[j] == st->index) ok = false;
            seq[n++] = st->index;
        }
        cv__eval e;
        if (!ok || n == 0 || !cv__route_eval(c, v, seq, n, &e, NULL, NULL, NULL)) continue;
        /* Keep the input order; service_at/after/before hints are not
         * constraints of the search (the route is re-timed). */
        cv_status st = cv__route_set(c, s, v, seq, n);
        if (st != CV_OK) {
            free(seq);
            return st;
        }
    }
    free(seq);
    return CV_OK;
}
