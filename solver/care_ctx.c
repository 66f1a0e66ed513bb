/* The care extensions in the solver's read-only context (docs/care-extensions.md).
 *
 * Built once per run when the problem uses one (with only allowed /
 * forbidden vehicles, the table is all that changes and `care` stays false):
 *   - allowed_vehicles / forbidden_vehicles folded into the skills table
 *     `can`, so every path that checks skills honours them;
 *   - time edges x[to] >= x[from] + w between service starts, from the
 *     relations (precedence: second >= first + min_gap, first >= second -
 *     max_gap; together: both ways with 0) in CSR form by both ends;
 *   - the pairs of tasks that need distinct vehicles (a relation with
 *     distinct workers ties every copy of one end to every copy of the other);
 *   - units: the connected components of the relations, planned together or
 *     not at all (ruin removes a unit whole, recreate inserts it whole);
 *   - vehicle classes refined: two vehicles are interchangeable only if every
 *     task sees them alike (can, preferences) and their working-time rules
 *     match.
 * Work: O(nt * nv) for the table, O(nt + relations * 64) for the rest (a
 * visit has at most 8 workers).
 */
#include "solver_int.h"

#include <stdlib.h>
#include <string.h>

static bool listed(const cv_problem *p, uint32_t first, uint32_t count, uint32_t v)
{
    for (uint32_t i = 0; i < count; i++)
        if (p->vehicle_refs[first + i] == v) return true;
    return false;
}

/* Union-find root with path halving. */
static uint32_t root(uint32_t *up, uint32_t x)
{
    while (up[x] != x) {
        up[x] = up[up[x]];
        x = up[x];
    }
    return x;
}

static uint32_t copies(const cv_problem *p, uint32_t t, uint32_t *first)
{
    const cv_task *k = &p->tasks[t];
    *first = k->group_size > 1 ? k->group_first : t;
    return k->group_size > 1 ? k->group_size : 1;
}

static bool same_care_vehicle(const cv__ctx *c, uint32_t a, uint32_t b)
{
    const cv_problem *p = c->p;
    const cv_vehicle *x = &p->vehicles[a], *y = &p->vehicles[b];
    if (x->max_working_time != y->max_working_time || x->overtime_after != y->overtime_after ||
        x->overtime_per_hour != y->overtime_per_hour)
        return false;
    for (uint32_t i = 0; i < x->break_count; i++)
        if (p->breaks[x->break_first + i].unpaid != p->breaks[y->break_first + i].unpaid)
            return false;
    for (uint32_t t = 0; t < c->nt; t++) {
        if (c->can[(size_t)t * c->nv + a] != c->can[(size_t)t * c->nv + b]) return false;
        if (cv__pref_cost(c, t, a) != cv__pref_cost(c, t, b)) return false;
    }
    return true;
}

/* True when the problem uses more than allowed / forbidden vehicles: then
 * costs or timing differ from VROOM's and the care paths are needed. */
static bool needs_care_paths(const cv_problem *p)
{
    if (p->nrelations || p->fairness_per_hour) return true;
    for (uint32_t t = 0; t < p->ntasks; t++) {
        const cv_task *k = &p->tasks[t];
        if (k->group_size > 1 || k->max_lateness || k->preferred_count || k->max_ride_time)
            return true;
    }
    for (uint32_t v = 0; v < p->nvehicles; v++)
        if (p->vehicles[v].max_working_time || p->vehicles[v].overtime_per_hour) return true;
    for (uint32_t b = 0; b < p->nbreaks; b++)
        if (p->breaks[b].unpaid) return true;
    return false;
}

cv_status cv__care_ctx_init(cv__ctx *c)
{
    const cv_problem *p = c->p;
    const uint32_t nt = c->nt, nv = c->nv;
    /* Vehicle lists alone only narrow the skills table: the O(1) insertion
     * checks stay exact (the multi-day planner solves many such days). */
    c->care = needs_care_paths(p);
    for (uint32_t t = 0; t < nt; t++) {
        const cv_task *k = &p->tasks[t];
        if (k->max_ride_time > 0) c->has_ride = true;
        for (uint32_t v = 0; v < nv; v++) {
            uint8_t *cell = &c->can[(size_t)t * nv + v];
            if (k->allowed_count && !listed(p, k->allowed_first, k->allowed_count, v)) *cell = 0;
            if (k->forbidden_count && listed(p, k->forbidden_first, k->forbidden_count, v))
                *cell = 0;
        }
    }
    /* A shipment is one unit: both halves need the vehicle. */
    for (uint32_t t = 0; t < nt; t++) {
        const cv_task *k = &p->tasks[t];
        if (k->kind != CV_TASK_PICKUP) continue;
        for (uint32_t v = 0; v < nv; v++) {
            uint8_t both = c->can[(size_t)t * nv + v] & c->can[(size_t)k->sibling * nv + v];
            c->can[(size_t)t * nv + v] = c->can[(size_t)k->sibling * nv + v] = both;
        }
    }
    for (uint32_t v = 0; v < nv; v++)
        if (c->vclass[v] != v && !same_care_vehicle(c, v, c->vclass[v])) c->vclass[v] = v;

    /* Time edges. */
    uint32_t ne = 0, nd = 0;
    for (uint32_t i = 0; i < p->nrelations; i++) {
        const cv_relation *r = &p->relations[i];
        ne += 1 + (r->max_gap < CV_TIME_MAX);
        if (r->distinct) {
            uint32_t f;
            nd += 2 * copies(p, r->first, &f) * copies(p, r->second, &f);
        }
    }
    c->out_first = cv_calloc(nt + 2, sizeof *c->out_first);
    c->in_first = cv_calloc(nt + 2, sizeof *c->in_first);
    c->out_edge = cv_calloc(ne + 1, sizeof *c->out_edge);
    c->in_edge = cv_calloc(ne + 1, sizeof *c->in_edge);
    c->dis_first = cv_calloc(nt + 2, sizeof *c->dis_first);
    c->dis_to = cv_calloc(nd + 1, sizeof *c->dis_to);
    c->unit_of = cv_calloc(nt + 1, sizeof *c->unit_of);
    c->unit_first = cv_calloc(nt + 2, sizeof *c->unit_first);
    c->unit_task = cv_calloc(nt + 1, sizeof *c->unit_task);
    uint32_t *up = cv_calloc(nt + 1, sizeof *up), *fill = cv_calloc(nt + 1, sizeof *fill);
    if (!c->out_first || !c->in_first || !c->out_edge || !c->in_edge || !c->dis_first ||
        !c->dis_to || !c->unit_of || !c->unit_first || !c->unit_task || !up || !fill) {
        free(up);
        free(fill);
        return CV_ENOMEM;
    }
    /* Counting pass, then filling pass (edge e from a to b with weight w). */
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            for (uint32_t t = 0; t < nt; t++) {
                c->out_first[t + 1] += c->out_first[t];
                c->in_first[t + 1] += c->in_first[t];
                c->dis_first[t + 1] += c->dis_first[t];
            }
        }
        uint32_t *oc = fill, *ic = up; /* cursors during the filling pass */
        if (pass == 1) {
            memcpy(oc, c->out_first, nt * sizeof *oc);
            memcpy(ic, c->in_first, nt * sizeof *ic);
        }
        uint32_t *dc = NULL;
        if (pass == 1) {
            dc = cv_calloc(nt + 1, sizeof *dc);
            if (!dc) {
                free(up);
                free(fill);
                return CV_ENOMEM;
            }
            memcpy(dc, c->dis_first, nt * sizeof *dc);
        }
        for (uint32_t i = 0; i < p->nrelations; i++) {
            const cv_relation *r = &p->relations[i];
            uint32_t a[2] = {r->first, r->second};
            int64_t w[2] = {r->min_gap, -r->max_gap};
            for (int k = 0; k < 2; k++) {
                if (k == 1 && r->max_gap >= CV_TIME_MAX) break;
                uint32_t from = a[k], to = a[1 - k];
                if (pass == 0) {
                    c->out_first[from + 1]++;
                    c->in_first[to + 1]++;
                } else {
                    c->out_edge[oc[from]++] = (cv__edge){to, w[k]};
                    c->in_edge[ic[to]++] = (cv__edge){from, w[k]};
                }
            }
            if (!r->distinct) continue;
            uint32_t fx, fy, nx = copies(p, r->first, &fx), ny = copies(p, r->second, &fy);
            for (uint32_t x = fx; x < fx + nx; x++)
                for (uint32_t y = fy; y < fy + ny; y++) {
                    if (pass == 0) {
                        c->dis_first[x + 1]++;
                        c->dis_first[y + 1]++;
                    } else {
                        c->dis_to[dc[x]++] = y;
                        c->dis_to[dc[y]++] = x;
                    }
                }
        }
        free(dc);
    }
    for (uint32_t t = 0; t < nt; t++)
        if (c->out_first[t + 1] > c->out_first[t] || c->in_first[t + 1] > c->in_first[t])
            c->nlinked++;

    /* Units: components of the relations; deliveries join their pickups. */
    for (uint32_t t = 0; t < nt; t++) up[t] = t;
    for (uint32_t i = 0; i < p->nrelations; i++) {
        uint32_t x = root(up, p->relations[i].first), y = root(up, p->relations[i].second);
        if (x != y) up[x > y ? x : y] = x < y ? x : y;
    }
    for (uint32_t t = 0; t < nt; t++)
        if (p->tasks[t].kind == CV_TASK_DELIVERY) up[t] = root(up, p->tasks[t].sibling);
    c->nunits = 0;
    for (uint32_t t = 0; t < nt; t++) {
        uint32_t r = root(up, t);
        if (r == t) c->unit_of[t] = c->nunits++;
    }
    memset(c->unit_first, 0, (nt + 2) * sizeof *c->unit_first);
    for (uint32_t t = 0; t < nt; t++) {
        c->unit_of[t] = c->unit_of[root(up, t)];
        if (p->tasks[t].kind != CV_TASK_DELIVERY) c->unit_first[c->unit_of[t] + 1]++;
    }
    for (uint32_t u = 0; u < c->nunits; u++) c->unit_first[u + 1] += c->unit_first[u];
    memcpy(fill, c->unit_first, c->nunits * sizeof *fill);
    for (uint32_t t = 0; t < nt; t++)
        if (p->tasks[t].kind != CV_TASK_DELIVERY) c->unit_task[fill[c->unit_of[t]]++] = t;
    free(up);
    free(fill);
    return CV_OK;
}

void cv__care_ctx_fini(cv__ctx *c)
{
    free(c->out_first);
    free(c->in_first);
    free(c->out_edge);
    free(c->in_edge);
    free(c->dis_first);
    free(c->dis_to);
    free(c->unit_of);
    free(c->unit_first);
    free(c->unit_task);
}
