/* Solver context: the read-only views the search needs, built once per run.
 *
 * Per vehicle: its profile's matrices with the speed factor applied
 * (round(d / speed_factor), half away from zero, as problem.h defines it;
 * one scaled copy per distinct (profile, speed factor) pair), its cost rates.
 * Per task: which vehicles have its skills, and its nearest other tasks
 * (by the first vehicle's symmetric travel time) for the string removals.
 * Work: O(nv * nlocs^2) for scaled matrices when speed factors differ from 1,
 * O(nt^2) for neighbour lists of CV__NNEIGH entries per task.
 */
#include "solver_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CV__NNEIGH 64u

static const uint32_t *scaled_durations(cv__ctx *c, uint32_t v, bool *oom)
{
    const cv_problem *p = c->p;
    const cv_vehicle *vh = &p->vehicles[v];
    const cv_profile *pr = &p->profiles[vh->profile];
    if (vh->speed_factor == 1.0) return pr->durations;
    /* Reuse the copy of an earlier vehicle with the same profile and factor. */
    for (uint32_t w = 0; w < v; w++) {
        const cv_vehicle *o = &p->vehicles[w];
        if (o->profile == vh->profile && o->speed_factor == vh->speed_factor) return c->veh[w].dur;
    }
    size_t nn = (size_t)pr->n * pr->n;
    uint32_t *m = cv_calloc(nn ? nn : 1, sizeof *m);
    if (!m) {
        *oom = true;
        return NULL;
    }
    for (size_t i = 0; i < nn; i++) {
        double d = round((double)pr->durations[i] / vh->speed_factor);
        m[i] = d > (double)UINT32_MAX ? UINT32_MAX : (uint32_t)d;
    }
    c->owned[c->nowned++] = m;
    return m;
}

typedef struct neigh_key {
    int64_t d;
    uint32_t t;
} neigh_key;

static inline bool key_less(neigh_key a, neigh_key b)
{
    return a.d < b.d || (a.d == b.d && a.t < b.t);
}

/* The nneigh nearest other tasks of each task, by symmetric travel time of
 * the first vehicle, ties by index.  A sorted buffer of the best K so far:
 * most candidates are rejected by one comparison, so O(nt^2) overall. */
static cv_status build_neighbours(cv__ctx *c)
{
    const cv_problem *p = c->p;
    uint32_t nt = c->nt;
    c->nneigh = nt > 1 ? (nt - 1 < CV__NNEIGH ? nt - 1 : CV__NNEIGH) : 0;
    if (!c->nneigh) return CV_OK;
    const uint32_t K = c->nneigh;
    c->neigh = cv_calloc((size_t)nt * K, sizeof *c->neigh);
    neigh_key *best = cv_calloc(K + 1, sizeof *best);
    if (!c->neigh || !best) {
        free(best);
        return CV_ENOMEM;
    }
    const cv__veh *v = &c->veh[0];
    for (uint32_t i = 0; i < nt; i++) {
        uint32_t m = 0;
        uint32_t li = p->tasks[i].loc;
        for (uint32_t j = 0; j < nt; j++) {
            if (j == i) continue;
            uint32_t lj = p->tasks[j].loc;
            neigh_key k = {cv__dur(v, li, lj) + cv__dur(v, lj, li), j};
            if (m == K && !key_less(k, best[K - 1])) continue;
            uint32_t pos = m < K ? m++ : K - 1;
            while (pos > 0 && key_less(k, best[pos - 1])) {
                best[pos] = best[pos - 1];
                pos--;
            }
            best[pos] = k;
        }
        for (uint32_t k = 0; k < K; k++) c->neigh[(size_t)i * K + k] = best[k].t;
    }
    free(best);
    return CV_OK;
}

/* Renumbering of the locations for the search's matrix copies.  The
 * granular search reads arcs between near tasks; in the input's numbering
 * near tasks are anywhere in a row, and at 1000 locations a 4 MB matrix no
 * longer fits a core's cache, so most reads missed it (perf: the matrix
 * loads of ls_concat.c were half of the search's time).  Numbered in
 * breadth-first order over the nearest-neighbour graph (Cuthill & McKee
 * 1969), a task's neighbours sit a few hundred columns from it: the search
 * touches a band of each row.  Only between these sizes: below, the
 * matrices fit in cache anyway; above, the copies cost too much memory. */
#define CV__RENUMBER_MIN 256u
#define CV__RENUMBER_MAX 8192u
#define CV__RENUMBER_K 8u

static cv_status renumber(cv__ctx *c)
{
    const cv_problem *p = c->p;
    const uint32_t n = p->nlocs, nt = c->nt;
    if (n < CV__RENUMBER_MIN || n > CV__RENUMBER_MAX || !c->nneigh) return CV_OK;
    for (uint32_t v = 0; v < c->nv; v++)
        if (c->veh[v].n != n) return CV_OK;
    uint32_t *perm = cv_calloc(n, sizeof *perm);
    uint32_t *queue = cv_calloc(nt ? nt : 1, sizeof *queue);
    uint8_t *seen = cv_calloc(nt ? nt : 1, 1);
    if (!perm || !queue || !seen) {
        free(perm);
        free(queue);
        free(seen);
        return CV_ENOMEM;
    }
    for (uint32_t l = 0; l < n; l++) perm[l] = CV_NONE;
    uint32_t next = 0, qh = 0, qn = 0;
    const uint32_t K = c->nneigh < CV__RENUMBER_K ? c->nneigh : CV__RENUMBER_K;
    /* Start from the task farthest from the first vehicle's start: a
     * peripheral start gives narrow breadth-first levels. */
    const uint32_t from = c->nv ? p->vehicles[0].start_loc : CV_NONE;
    uint32_t root = 0;
    for (uint32_t t = 1; t < nt && from != CV_NONE; t++)
        if (cv__dur(&c->veh[0], from, p->tasks[t].loc) >
            cv__dur(&c->veh[0], from, p->tasks[root].loc))
            root = t;
    for (uint32_t start = 0; start < nt; start++) {
        uint32_t r = start == 0 ? root : start;
        if (seen[r]) continue;
        seen[r] = 1;
        queue[qn++] = r;
        while (qh < qn) {
            uint32_t t = queue[qh++];
            uint32_t l = p->tasks[t].loc;
            if (perm[l] == CV_NONE) perm[l] = next++;
            for (uint32_t k = 0; k < K; k++) {
                uint32_t u = c->neigh[(size_t)t * c->nneigh + k];
                if (!seen[u]) {
                    seen[u] = 1;
                    queue[qn++] = u;
                }
            }
        }
    }
    for (uint32_t l = 0; l < n; l++)
        if (perm[l] == CV_NONE) perm[l] = next++;
    free(queue);
    free(seen);
    /* One renumbered copy per distinct matrix. */
    const uint32_t *orig[3 * 64], *copy[3 * 64];
    uint32_t ncopies = 0;
    for (uint32_t v = 0; v < c->nv; v++) {
        cv__veh *w = &c->veh[v];
        const uint32_t **mats[3] = {&w->dur, &w->dist, &w->costs};
        for (int m = 0; m < 3; m++) {
            const uint32_t *src = *mats[m];
            if (!src) continue;
            uint32_t k = 0;
            while (k < ncopies && orig[k] != src) k++;
            if (k == ncopies) {
                if (ncopies == 3 * 64) { /* many distinct matrices: keep the input's */
                    free(perm);
                    return CV_OK;
                }
                uint32_t *dst = cv_calloc((size_t)n * n, sizeof *dst);
                if (!dst) {
                    free(perm);
                    return CV_ENOMEM;
                }
                for (uint32_t a = 0; a < n; a++) {
                    uint32_t *row = dst + (size_t)perm[a] * n;
                    const uint32_t *in = src + (size_t)a * n;
                    for (uint32_t b = 0; b < n; b++) row[perm[b]] = in[b];
                }
                c->owned[c->nowned++] = dst;
                orig[k] = src;
                copy[k] = dst;
                ncopies++;
            }
        }
    }
    for (uint32_t v = 0; v < c->nv; v++) {
        cv__veh *w = &c->veh[v];
        const uint32_t **mats[3] = {&w->dur, &w->dist, &w->costs};
        for (int m = 0; m < 3; m++)
            for (uint32_t k = 0; k < ncopies && *mats[m]; k++)
                if (orig[k] == *mats[m]) {
                    *mats[m] = copy[k];
                    break;
                }
        w->perm = perm;
    }
    c->perm = perm;
    return CV_OK;
}

static bool same_amounts(const cv_problem *p, uint32_t a, uint32_t b)
{
    for (uint32_t d = 0; d < p->ndims; d++)
        if (p->amounts[a + d] != p->amounts[b + d]) return false;
    return true;
}

static bool same_tws(const cv_problem *p, uint32_t fa, uint32_t fb, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (p->tws[fa + i].start != p->tws[fb + i].start ||
            p->tws[fa + i].end != p->tws[fb + i].end)
            return false;
    return true;
}

/* Identical for the search: same travel, costs, limits, skills and breaks. */
static bool same_vehicle(const cv_problem *p, const cv_vehicle *a, const cv_vehicle *b)
{
    if (a->profile != b->profile || a->speed_factor != b->speed_factor ||
        a->start_loc != b->start_loc || a->end_loc != b->end_loc || a->tw.start != b->tw.start ||
        a->tw.end != b->tw.end || a->max_tasks != b->max_tasks ||
        a->max_travel_time != b->max_travel_time || a->max_distance != b->max_distance ||
        a->fixed_cost != b->fixed_cost || a->per_hour != b->per_hour || a->per_km != b->per_km ||
        a->skill_count != b->skill_count || a->break_count != b->break_count ||
        !same_amounts(p, a->capacity_off, b->capacity_off))
        return false;
    for (uint32_t i = 0; i < a->skill_count; i++)
        if (p->skills[a->skill_first + i] != p->skills[b->skill_first + i]) return false;
    for (uint32_t i = 0; i < a->break_count; i++) {
        const cv_break *x = &p->breaks[a->break_first + i], *y = &p->breaks[b->break_first + i];
        if (x->service != y->service || x->tw_count != y->tw_count ||
            x->has_max_load != y->has_max_load ||
            (x->has_max_load && !same_amounts(p, x->max_load_off, y->max_load_off)) ||
            !same_tws(p, x->tw_first, y->tw_first, x->tw_count))
            return false;
    }
    return true;
}

cv_status cv__ctx_init(cv__ctx *c, const cv_problem *p)
{
    memset(c, 0, sizeof *c);
    c->p = p;
    c->nt = p->ntasks;
    c->nv = p->nvehicles;
    c->nd = p->ndims;
    c->veh = cv_calloc(c->nv ? c->nv : 1, sizeof *c->veh);
    /* Speed-scaled copies (<= nv), renumbered copies (<= 3 x 64). */
    c->owned = cv_calloc((size_t)c->nv + 3 * 64 + 1, sizeof *c->owned);
    c->can = cv_calloc((size_t)c->nt * c->nv + 1, 1);
    c->zero = cv_calloc(c->nd + 1, sizeof *c->zero);
    c->start_dep = cv_calloc(c->nv + 1, sizeof *c->start_dep);
    c->vclass = cv_calloc(c->nv + 1, sizeof *c->vclass);
    if (!c->veh || !c->owned || !c->can || !c->zero || !c->start_dep || !c->vclass) goto oom;
    /* Vehicle classes; O(nv * classes) comparisons. */
    for (uint32_t v = 0; v < c->nv; v++) {
        c->vclass[v] = v;
        for (uint32_t w = 0; w < v; w++)
            if (c->vclass[w] == w && same_vehicle(p, &p->vehicles[v], &p->vehicles[w])) {
                c->vclass[v] = w;
                break;
            }
    }
    for (uint32_t v = 0; v < c->nv; v++) {
        const cv_vehicle *vh = &p->vehicles[v];
        const cv_profile *pr = &p->profiles[vh->profile];
        cv__veh *w = &c->veh[v];
        bool oom = false;
        w->dur = scaled_durations(c, v, &oom);
        if (oom) goto oom;
        w->dist = pr->distances;
        w->costs = pr->costs;
        w->ph = (double)vh->per_hour / 3600.0;
        w->pk = (double)vh->per_km / 1000.0;
        w->fixed = (double)vh->fixed_cost;
        w->n = pr->n;
        w->has_breaks = vh->break_count > 0;
        c->start_dep[v] = vh->tw.start;
        for (uint32_t t = 0; t < c->nt; t++)
            c->can[(size_t)t * c->nv + v] = cv_vehicle_has_skills(p, vh, &p->tasks[t]);
    }
    if (c->nv && build_neighbours(c) != CV_OK) goto oom;
    if (c->nv && renumber(c) != CV_OK) goto oom;
    if (cv_problem_uses_care_extensions(p) && cv__care_ctx_init(c) != CV_OK) goto oom;
    c->can_all = true;
    for (size_t i = 0; i < (size_t)c->nt * c->nv && c->can_all; i++) c->can_all = c->can[i] != 0;
    return CV_OK;
oom:
    cv__ctx_fini(c);
    return CV_ENOMEM;
}

void cv__ctx_fini(cv__ctx *c)
{
    for (uint32_t i = 0; i < c->nowned; i++) free(c->owned[i]);
    free(c->owned);
    free(c->perm);
    free(c->veh);
    free(c->can);
    free(c->neigh);
    free(c->zero);
    free(c->start_dep);
    free(c->vclass);
    cv__care_ctx_fini(c);
    memset(c, 0, sizeof *c);
}
