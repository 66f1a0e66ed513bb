/* VROOM JSON problem reader: text -> cv_problem, with one precise message for
 * the first problem found in the input.
 *
 * Accepts VROOM's API unchanged (jobs, shipments, vehicles, matrices per
 * profile with durations/distances/costs, the legacy top-level `matrix`),
 * refuses unknown fields (a misspelt "time_window" must not silently drop a
 * constraint) and every inconsistency the solver would otherwise have to
 * guess about: unsorted or overlapping windows, amount arrays of different
 * lengths, ids used twice, locations out of the matrices' range, ...
 *
 * Two location modes, as in VROOM: with matrices, tasks give location_index
 * (coordinates optional, kept for output); without, they give coordinates,
 * which are numbered here in order of first appearance and the matrices are
 * filled later from a road graph. */
#define _POSIX_C_SOURCE 200809L
#include "cv/engine.h"
#include "json_read.h"
#include "periodic_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Upper bound for times and amounts given by users: far above any real day,
 * far below overflow when a route sums a few thousand of them. */
#define MAX_USER_TIME (((int64_t)1 << 40) - 1)
#define MAX_USER_AMOUNT (((int64_t)1 << 40) - 1)

typedef struct reader {
    cv_problem *p;
    cv_diag *diag;
    uint32_t cap_tws, cap_skills, cap_amounts, cap_breaks, cap_steps, cap_strings, cap_locs;
    bool ndims_known;
    const char *ndims_from; /* path of the first amount array, for messages */
    char ndims_path[256];
    /* Coordinate dedup (coords mode): open addressing over nlocs entries. */
    uint32_t *loc_hash;
    uint32_t loc_hash_cap;
    bool index_mode;
} reader;

static cv_status oom(reader *r)
{
    cv_diag_set(r->diag, "out of memory while reading the problem");
    return CV_ENOMEM;
}

static cv_status keep_string(reader *r, const json_t *v, const char *path, const char **out)
{
    if (!json_is_string(v))
        return cv_diag_set(r->diag, "%s: expected a string, got %s", path, cv__json_type_name(v));
    cv_problem *p = r->p;
    if (!cv_array_grow((void **)&p->strings, &r->cap_strings, p->nstrings + 1, sizeof *p->strings))
        return oom(r);
    char *s = strdup(json_string_value(v));
    if (!s) return oom(r);
    p->strings[p->nstrings++] = s;
    *out = s;
    return CV_OK;
}

static cv_status opt_description(reader *r, const json_t *obj, const char *path, const char **out)
{
    const json_t *v = json_object_get(obj, "description");
    *out = NULL;
    if (!v) return CV_OK;
    char pp[256];
    cv__json_path_key(pp, sizeof pp, path, "description");
    return keep_string(r, v, pp, out);
}

/* ---- time windows ---- */

static cv_status read_tw(reader *r, const json_t *v, const char *path, cv_tw *out)
{
    cv_status s = cv__json_array(v, path, 2, r->diag);
    if (s) return s;
    char p0[256], p1[256];
    cv__json_path_index(p0, sizeof p0, path, 0);
    cv__json_path_index(p1, sizeof p1, path, 1);
    int64_t a, b;
    if ((s = cv__json_int(json_array_get(v, 0), p0, 0, MAX_USER_TIME, &a, r->diag))) return s;
    if ((s = cv__json_int(json_array_get(v, 1), p1, 0, MAX_USER_TIME, &b, r->diag))) return s;
    if (a > b)
        return cv_diag_set(r->diag, "%s: start %lld > end %lld", path, (long long)a, (long long)b);
    out->start = a;
    out->end = b;
    return CV_OK;
}

/* Reads optional `time_windows` of obj into problem->tws; an absent key means
 * one unbounded window. */
static cv_status read_tws(reader *r, const json_t *obj, const char *path, uint32_t *first,
                          uint32_t *count)
{
    cv_problem *p = r->p;
    const json_t *arr = json_object_get(obj, "time_windows");
    char ap[256];
    cv__json_path_key(ap, sizeof ap, path, "time_windows");
    *first = p->ntws;
    if (!arr) {
        if (!cv_array_grow((void **)&p->tws, &r->cap_tws, p->ntws + 1, sizeof *p->tws))
            return oom(r);
        p->tws[p->ntws++] = (cv_tw){0, CV_TIME_MAX};
        *count = 1;
        return CV_OK;
    }
    cv_status s = cv__json_array(arr, ap, SIZE_MAX, r->diag);
    if (s) return s;
    size_t n = json_array_size(arr);
    if (n == 0) return cv_diag_set(r->diag, "%s: empty; omit the field for no time window", ap);
    if (n > 100000) return cv_diag_set(r->diag, "%s: too many windows (%zu)", ap, n);
    if (!cv_array_grow((void **)&p->tws, &r->cap_tws, p->ntws + (uint32_t)n, sizeof *p->tws))
        return oom(r);
    for (size_t i = 0; i < n; i++) {
        char ip[256];
        cv__json_path_index(ip, sizeof ip, ap, i);
        cv_tw tw;
        if ((s = read_tw(r, json_array_get(arr, i), ip, &tw))) return s;
        if (i > 0) {
            const cv_tw *prev = &p->tws[p->ntws - 1];
            if (tw.start <= prev->end)
                return cv_diag_set(r->diag,
                                   "%s: starts at %lld, not after the end %lld of %s[%zu] "
                                   "(windows must be sorted and disjoint)",
                                   ip, (long long)tw.start, (long long)prev->end, ap, i - 1);
        }
        p->tws[p->ntws++] = tw;
    }
    *count = (uint32_t)n;
    return CV_OK;
}

/* ---- skills ---- */

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static cv_status read_skills(reader *r, const json_t *obj, const char *path, uint32_t *first,
                             uint32_t *count)
{
    cv_problem *p = r->p;
    const json_t *arr = json_object_get(obj, "skills");
    *first = p->nskills;
    *count = 0;
    if (!arr) return CV_OK;
    char ap[256];
    cv__json_path_key(ap, sizeof ap, path, "skills");
    cv_status s = cv__json_array(arr, ap, SIZE_MAX, r->diag);
    if (s) return s;
    size_t n = json_array_size(arr);
    if (n > 100000) return cv_diag_set(r->diag, "%s: too many skills (%zu)", ap, n);
    if (!cv_array_grow((void **)&p->skills, &r->cap_skills, p->nskills + (uint32_t)n,
                       sizeof *p->skills))
        return oom(r);
    for (size_t i = 0; i < n; i++) {
        char ip[256];
        cv__json_path_index(ip, sizeof ip, ap, i);
        int64_t v;
        if ((s = cv__json_int(json_array_get(arr, i), ip, 0, UINT32_MAX, &v, r->diag))) return s;
        p->skills[p->nskills + i] = (uint32_t)v;
    }
    qsort(p->skills + p->nskills, n, sizeof *p->skills, cmp_u32);
    /* Duplicates are harmless: keep each skill once. */
    uint32_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (w == 0 || p->skills[p->nskills + w - 1] != p->skills[p->nskills + i])
            p->skills[p->nskills + w++] = p->skills[p->nskills + i];
    p->nskills += w;
    *count = w;
    return CV_OK;
}

/* ---- amounts ---- */

/* Reads an amount array (or zeros when absent) into dst[0..ndims). The first
 * amount array seen fixes the number of dimensions. */
static cv_status read_amount(reader *r, const json_t *arr, const char *path, int64_t *dst)
{
    cv_problem *p = r->p;
    if (!arr) {
        for (uint32_t d = 0; d < p->ndims; d++) dst[d] = 0;
        return CV_OK;
    }
    cv_status s = cv__json_array(arr, path, SIZE_MAX, r->diag);
    if (s) return s;
    size_t n = json_array_size(arr);
    if (n != p->ndims)
        return cv_diag_set(r->diag,
                           "%s: %zu value%s, but amounts in this problem have %u dimension%s "
                           "(set by %s)",
                           path, n, n == 1 ? "" : "s", p->ndims, p->ndims == 1 ? "" : "s",
                           r->ndims_path);
    for (size_t i = 0; i < n; i++) {
        char ip[256];
        cv__json_path_index(ip, sizeof ip, path, i);
        if ((s = cv__json_int(json_array_get(arr, i), ip, 0, MAX_USER_AMOUNT, &dst[i], r->diag)))
            return s;
    }
    return CV_OK;
}

/* Reserves 2*ndims (task) or ndims (vehicle/break) slots; returns the offset. */
static cv_status reserve_amounts(reader *r, uint32_t n, uint32_t *off)
{
    cv_problem *p = r->p;
    if (p->namounts > UINT32_MAX - n - 1) return oom(r);
    if (!cv_array_grow((void **)&p->amounts, &r->cap_amounts, p->namounts + n + 1,
                       sizeof *p->amounts))
        return oom(r);
    *off = p->namounts;
    memset(p->amounts + p->namounts, 0, n * sizeof *p->amounts);
    p->namounts += n;
    return CV_OK;
}

/* Finds the number of amount dimensions: the length of the first amount array
 * anywhere in the problem (all must agree; checked when each is read). */
static cv_status find_ndims(reader *r, const json_t *root)
{
    static const char *job_keys[] = {"delivery", "pickup", "amount", NULL};
    const json_t *jobs = json_object_get(root, "jobs");
    const json_t *ships = json_object_get(root, "shipments");
    const json_t *vehs = json_object_get(root, "vehicles");
    size_t i;
    const json_t *o;
    r->p->ndims = 0;
    if (json_is_array(jobs)) json_array_foreach(jobs, i, o)
        {
            for (int k = 0; job_keys[k]; k++) {
                const json_t *a = json_object_get(o, job_keys[k]);
                if (json_is_array(a)) {
                    r->p->ndims = (uint32_t)json_array_size(a);
                    snprintf(r->ndims_path, sizeof r->ndims_path, "jobs[%zu].%s", i, job_keys[k]);
                    goto found;
                }
            }
        }
    if (json_is_array(ships)) json_array_foreach(ships, i, o)
        {
            const json_t *a = json_object_get(o, "amount");
            if (json_is_array(a)) {
                r->p->ndims = (uint32_t)json_array_size(a);
                snprintf(r->ndims_path, sizeof r->ndims_path, "shipments[%zu].amount", i);
                goto found;
            }
        }
    if (json_is_array(vehs)) json_array_foreach(vehs, i, o)
        {
            const json_t *a = json_object_get(o, "capacity");
            if (json_is_array(a)) {
                r->p->ndims = (uint32_t)json_array_size(a);
                snprintf(r->ndims_path, sizeof r->ndims_path, "vehicles[%zu].capacity", i);
                goto found;
            }
        }
    return CV_OK;
found:
    if (r->p->ndims > CV_MAX_AMOUNT_DIMS)
        return cv_diag_set(r->diag, "%s: %u amount dimensions, at most %d are supported",
                           r->ndims_path, r->p->ndims, CV_MAX_AMOUNT_DIMS);
    return CV_OK;
}

/* ---- locations ---- */

static uint64_t hash_coords(double lon, double lat)
{
    uint64_t a, b;
    memcpy(&a, &lon, 8);
    memcpy(&b, &lat, 8);
    uint64_t h = a * 0x9e3779b97f4a7c15ull ^ (b + 0x632be59bd9b4e019ull + (a << 6));
    return h ^ (h >> 29);
}

static cv_status add_coords_loc(reader *r, double lon, double lat, uint32_t *out)
{
    cv_problem *p = r->p;
    if (p->nlocs + 1 > r->loc_hash_cap / 2) {
        uint32_t ncap = r->loc_hash_cap ? r->loc_hash_cap * 2 : 64;
        uint32_t *nh = cv_calloc(ncap, sizeof *nh);
        if (!nh) return oom(r);
        for (uint32_t i = 0; i < ncap; i++) nh[i] = CV_NONE;
        for (uint32_t l = 0; l < p->nlocs; l++) {
            uint32_t h = (uint32_t)hash_coords(p->locs[l].lon, p->locs[l].lat) & (ncap - 1);
            while (nh[h] != CV_NONE) h = (h + 1) & (ncap - 1);
            nh[h] = l;
        }
        free(r->loc_hash);
        r->loc_hash = nh;
        r->loc_hash_cap = ncap;
    }
    uint32_t h = (uint32_t)hash_coords(lon, lat) & (r->loc_hash_cap - 1);
    while (r->loc_hash[h] != CV_NONE) {
        const cv_location *l = &p->locs[r->loc_hash[h]];
        if (l->lon == lon && l->lat == lat) {
            *out = r->loc_hash[h];
            return CV_OK;
        }
        h = (h + 1) & (r->loc_hash_cap - 1);
    }
    if (p->nlocs >= CV_MAX_LOCATIONS)
        return cv_diag_set(r->diag, "too many distinct locations (more than %u)", CV_MAX_LOCATIONS);
    if (!cv_array_grow((void **)&p->locs, &r->cap_locs, p->nlocs + 1, sizeof *p->locs))
        return oom(r);
    p->locs[p->nlocs] = (cv_location){lon, lat, true};
    r->loc_hash[h] = p->nlocs;
    *out = p->nlocs++;
    return CV_OK;
}

static cv_status read_coords(reader *r, const json_t *v, const char *path, double *lon, double *lat)
{
    cv_status s = cv__json_array(v, path, 2, r->diag);
    if (s) return s;
    char p0[256], p1[256];
    cv__json_path_index(p0, sizeof p0, path, 0);
    cv__json_path_index(p1, sizeof p1, path, 1);
    if ((s = cv__json_number(json_array_get(v, 0), p0, -180, 180, lon, r->diag))) return s;
    if ((s = cv__json_number(json_array_get(v, 1), p1, -90, 90, lat, r->diag))) return s;
    return CV_OK;
}

/* Reads a location given as `coord_key` ([lon, lat]) and/or `index_key`.
 * *loc = CV_NONE when neither is present and `optional`. */
static cv_status read_location(reader *r, const json_t *obj, const char *path,
                               const char *coord_key, const char *index_key, bool optional,
                               uint32_t *loc)
{
    cv_problem *p = r->p;
    const json_t *c = json_object_get(obj, coord_key);
    const json_t *ix = json_object_get(obj, index_key);
    char cp[256], ip[256];
    cv__json_path_key(cp, sizeof cp, path, coord_key);
    cv__json_path_key(ip, sizeof ip, path, index_key);
    double lon = 0, lat = 0;
    cv_status s;
    if (c && (s = read_coords(r, c, cp, &lon, &lat))) return s;
    *loc = CV_NONE;
    if (r->index_mode) {
        if (!ix) {
            if (optional && !c) return CV_OK;
            return cv_diag_set(r->diag, "%s: %s is required when matrices are given", path,
                               index_key);
        }
        int64_t v;
        if ((s = cv__json_int(ix, ip, 0, INT64_MAX, &v, r->diag))) return s;
        if (v >= (int64_t)p->nlocs)
            return cv_diag_set(r->diag, "%s: %lld is out of range (the matrices are %ux%u)", ip,
                               (long long)v, p->nlocs, p->nlocs);
        *loc = (uint32_t)v;
        if (c) {
            cv_location *l = &p->locs[*loc];
            if (l->has_coords && (l->lon != lon || l->lat != lat))
                return cv_diag_set(r->diag,
                                   "%s: [%g, %g] differs from [%g, %g] given earlier for "
                                   "location_index %u",
                                   cp, lon, lat, l->lon, l->lat, *loc);
            *l = (cv_location){lon, lat, true};
        }
        return CV_OK;
    }
    if (ix)
        return cv_diag_set(r->diag, "%s: %s needs matrices, and the problem gives none", ip,
                           index_key);
    if (!c) {
        if (optional) return CV_OK;
        return cv_diag_set(r->diag, "%s: missing %s", path, coord_key);
    }
    return add_coords_loc(r, lon, lat, loc);
}

/* ---- ids ---- */

typedef struct id_entry {
    uint64_t id;
    uint32_t index;
} id_entry;

static int cmp_id(const void *a, const void *b)
{
    const id_entry *x = a, *y = b;
    if (x->id != y->id) return (x->id > y->id) - (x->id < y->id);
    return (x->index > y->index) - (x->index < y->index);
}

/* Checks that tasks of one kind have unique ids. */
static cv_status check_unique_task_ids(reader *r, cv_task_kind kind)
{
    cv_problem *p = r->p;
    id_entry *e = cv_calloc(p->ntasks, sizeof *e);
    if (!e) return oom(r);
    uint32_t n = 0;
    for (uint32_t t = 0; t < p->ntasks; t++)
        if (p->tasks[t].kind == kind &&
            (p->tasks[t].group_size <= 1 || p->tasks[t].group_first == t))
            e[n++] = (id_entry){p->tasks[t].id, t};
    qsort(e, n, sizeof *e, cmp_id);
    for (uint32_t i = 1; i < n; i++) {
        if (e[i].id != e[i - 1].id) continue;
        const cv_task *a = &p->tasks[e[i - 1].index], *b = &p->tasks[e[i].index];
        free(e);
        if (kind == CV_TASK_JOB)
            return cv_diag_set(r->diag, "jobs[%u].id: %llu is already the id of jobs[%u]",
                               b->input_index, (unsigned long long)b->id, a->input_index);
        const char *half = kind == CV_TASK_PICKUP ? "pickup" : "delivery";
        return cv_diag_set(r->diag,
                           "shipments[%u].%s.id: %llu is already the id of shipments[%u].%s",
                           b->input_index, half, (unsigned long long)b->id, a->input_index, half);
    }
    free(e);
    return CV_OK;
}

/* ---- tasks ---- */

static const char *const job_keys[] = {
    "id", "description", "location", "location_index", "setup", "service", "amount", "delivery",
    "pickup", "skills", "time_windows", "priority",
    /* care extensions */
    "workers", "lateness", "allowed_vehicles", "forbidden_vehicles", "preferred_vehicles",
    "preference_cost",
    /* multi-day planning (engine/periodic_json.c) */
    "frequency", "day_patterns", "min_spacing", "max_vehicles", NULL};
static const char *const ship_keys[] = {"pickup",   "delivery",      "amount", "skills",
                                        "priority", "max_ride_time", NULL};
static const char *const lateness_keys[] = {"max", "per_hour", NULL};
static const char *const ship_step_keys[] = {
    "id", "description", "location", "location_index", "setup", "service", "time_windows", NULL};

/* Fields common to a job and a shipment step. */
static cv_status read_task_common(reader *r, const json_t *o, const char *path, cv_task *t)
{
    cv_status s;
    const json_t *id = json_object_get(o, "id");
    char ip[256];
    cv__json_path_key(ip, sizeof ip, path, "id");
    if (!id) return cv_diag_set(r->diag, "%s: missing id", path);
    int64_t v;
    if ((s = cv__json_int(id, ip, 0, INT64_MAX, &v, r->diag))) return s;
    t->id = (uint64_t)v;
    if ((s = opt_description(r, o, path, &t->description))) return s;
    if ((s = read_location(r, o, path, "location", "location_index", false, &t->loc))) return s;
    t->setup = 0;
    t->service = 0;
    if ((s = cv__json_opt_int(o, path, "setup", 0, MAX_USER_TIME, &t->setup, r->diag))) return s;
    if ((s = cv__json_opt_int(o, path, "service", 0, MAX_USER_TIME, &t->service, r->diag)))
        return s;
    return read_tws(r, o, path, &t->tw_first, &t->tw_count);
}

static cv_status read_priority(reader *r, const json_t *o, const char *path, uint32_t *out)
{
    int64_t pr = 0;
    cv_status s = cv__json_opt_int(o, path, "priority", 0, 100, &pr, r->diag);
    *out = (uint32_t)pr;
    return s;
}

static cv_status read_job(reader *r, const json_t *o, size_t i, cv_task *t)
{
    char path[64];
    cv__json_path_index(path, sizeof path, "jobs", i);
    cv_status s;
    if ((s = cv__json_object(o, path, r->diag))) return s;
    if ((s = cv__json_known_keys(o, path, job_keys, r->diag))) return s;
    t->kind = CV_TASK_JOB;
    t->sibling = t->ship = CV_NONE;
    t->input_index = (uint32_t)i;
    if ((s = read_task_common(r, o, path, t))) return s;
    if ((s = read_priority(r, o, path, &t->priority))) return s;
    if ((s = read_skills(r, o, path, &t->skill_first, &t->skill_count))) return s;
    const json_t *late = json_object_get(o, "lateness");
    if (late) {
        char lp[96];
        cv__json_path_key(lp, sizeof lp, path, "lateness");
        if ((s = cv__json_object(late, lp, r->diag))) return s;
        if ((s = cv__json_known_keys(late, lp, lateness_keys, r->diag))) return s;
        if (!json_object_get(late, "max"))
            return cv_diag_set(r->diag, "%s: missing max (the longest lateness allowed)", lp);
        if ((s = cv__json_opt_int(late, lp, "max", 0, MAX_USER_TIME, &t->max_lateness, r->diag)) ||
            (s = cv__json_opt_int(late, lp, "per_hour", 0, 1000000, &t->lateness_per_hour,
                                  r->diag)))
            return s;
    }
    if ((s = reserve_amounts(r, 2 * r->p->ndims, &t->amount_off))) return s;
    const json_t *amount = json_object_get(o, "amount"); /* deprecated alias of delivery */
    const json_t *delivery = json_object_get(o, "delivery");
    char ap[96];
    if (amount && delivery)
        return cv_diag_set(r->diag, "%s: both \"amount\" (deprecated) and \"delivery\" given",
                           path);
    cv__json_path_key(ap, sizeof ap, path, delivery ? "delivery" : "amount");
    if ((s = read_amount(r, delivery ? delivery : amount, ap, r->p->amounts + t->amount_off)))
        return s;
    cv__json_path_key(ap, sizeof ap, path, "pickup");
    return read_amount(r, json_object_get(o, "pickup"), ap,
                       r->p->amounts + t->amount_off + r->p->ndims);
}

static cv_status read_shipment(reader *r, const json_t *o, size_t i, cv_task *pick, cv_task *del)
{
    char path[64];
    cv__json_path_index(path, sizeof path, "shipments", i);
    cv_status s;
    if ((s = cv__json_object(o, path, r->diag))) return s;
    if ((s = cv__json_known_keys(o, path, ship_keys, r->diag))) return s;
    const char *halves[2] = {"pickup", "delivery"};
    cv_task *tasks[2] = {pick, del};
    uint32_t priority, skill_first, skill_count;
    if ((s = read_priority(r, o, path, &priority))) return s;
    if ((s = read_skills(r, o, path, &skill_first, &skill_count))) return s;
    int64_t amount[CV_MAX_AMOUNT_DIMS];
    int64_t max_ride = 0;
    if ((s = cv__json_opt_int(o, path, "max_ride_time", 1, MAX_USER_TIME, &max_ride, r->diag)))
        return s;
    char ap[96];
    cv__json_path_key(ap, sizeof ap, path, "amount");
    if ((s = read_amount(r, json_object_get(o, "amount"), ap, amount))) return s;
    uint32_t first_task = (uint32_t)(pick - r->p->tasks);
    for (int h = 0; h < 2; h++) {
        char hp[96];
        cv__json_path_key(hp, sizeof hp, path, halves[h]);
        const json_t *step = json_object_get(o, halves[h]);
        if (!step) return cv_diag_set(r->diag, "%s: missing %s", path, halves[h]);
        if ((s = cv__json_object(step, hp, r->diag))) return s;
        if (json_object_get(step, "amount") || json_object_get(step, "delivery") ||
            json_object_get(step, "pickup"))
            return cv_diag_set(r->diag, "%s: amounts of a shipment go in %s.amount, not in its %s",
                               hp, path, halves[h]);
        if ((s = cv__json_known_keys(step, hp, ship_step_keys, r->diag))) return s;
        cv_task *t = tasks[h];
        t->kind = h == 0 ? CV_TASK_PICKUP : CV_TASK_DELIVERY;
        t->ship = (uint32_t)i;
        t->sibling = first_task + (uint32_t)(1 - h);
        t->input_index = (uint32_t)i;
        t->priority = priority;
        t->skill_first = skill_first;
        t->skill_count = skill_count;
        if ((s = read_task_common(r, step, hp, t))) return s;
        if (h == 0) t->max_ride_time = max_ride;
        if ((s = reserve_amounts(r, 2 * r->p->ndims, &t->amount_off))) return s;
        /* pickup half: pickup = amount; delivery half: delivery = amount. */
        int64_t *dst = r->p->amounts + t->amount_off + (h == 0 ? r->p->ndims : 0);
        memcpy(dst, amount, r->p->ndims * sizeof *dst);
    }
    return CV_OK;
}

/* ---- vehicles ---- */

static const char *const vehicle_keys[] = {"id", "profile", "description", "start", "start_index",
                                           "end", "end_index", "capacity", "costs", "skills",
                                           "time_window", "breaks", "speed_factor", "max_tasks",
                                           "max_travel_time", "max_distance", "steps",
                                           /* care extensions */
                                           "max_working_time", "overtime",
                                           /* multi-day planning */
                                           "shifts", NULL};
static const char *const overtime_keys[] = {"after", "per_hour", NULL};
static const char *const break_keys[] = {"id",       "time_windows", "service", "description",
                                         "max_load", "paid",         NULL};
static const char *const cost_keys[] = {"fixed", "per_hour", "per_km", NULL};
static const char *const step_keys[] = {"type",           "id", "service_at", "service_after",
                                        "service_before", NULL};

static cv_status find_profile(reader *r, const char *name, uint32_t *out)
{
    cv_problem *p = r->p;
    for (uint32_t i = 0; i < p->nprofiles; i++)
        if (strcmp(p->profiles[i].name, name) == 0) {
            *out = i;
            return CV_OK;
        }
    return CV_ENOTFOUND;
}

static cv_status read_breaks(reader *r, const json_t *o, const char *path, cv_vehicle *v)
{
    cv_problem *p = r->p;
    const json_t *arr = json_object_get(o, "breaks");
    v->break_first = p->nbreaks;
    v->break_count = 0;
    if (!arr) return CV_OK;
    char ap[128];
    cv__json_path_key(ap, sizeof ap, path, "breaks");
    cv_status s = cv__json_array(arr, ap, SIZE_MAX, r->diag);
    if (s) return s;
    size_t n = json_array_size(arr);
    if (n > 1000) return cv_diag_set(r->diag, "%s: too many breaks (%zu)", ap, n);
    for (size_t i = 0; i < n; i++) {
        char bp[160];
        cv__json_path_index(bp, sizeof bp, ap, i);
        const json_t *b = json_array_get(arr, i);
        if ((s = cv__json_object(b, bp, r->diag))) return s;
        if ((s = cv__json_known_keys(b, bp, break_keys, r->diag))) return s;
        if (!cv_array_grow((void **)&p->breaks, &r->cap_breaks, p->nbreaks + 1, sizeof *p->breaks))
            return oom(r);
        cv_break *br = &p->breaks[p->nbreaks];
        memset(br, 0, sizeof *br);
        const json_t *id = json_object_get(b, "id");
        if (!id) return cv_diag_set(r->diag, "%s: missing id", bp);
        char ip[192];
        cv__json_path_key(ip, sizeof ip, bp, "id");
        int64_t idv;
        if ((s = cv__json_int(id, ip, 0, INT64_MAX, &idv, r->diag))) return s;
        br->id = (uint64_t)idv;
        for (uint32_t k = v->break_first; k < p->nbreaks; k++)
            if (p->breaks[k].id == br->id)
                return cv_diag_set(r->diag, "%s: %llu is already the id of %s[%u]", ip,
                                   (unsigned long long)br->id, ap, k - v->break_first);
        if ((s = cv__json_opt_int(b, bp, "service", 0, MAX_USER_TIME, &br->service, r->diag)))
            return s;
        if ((s = opt_description(r, b, bp, &br->description))) return s;
        if ((s = read_tws(r, b, bp, &br->tw_first, &br->tw_count))) return s;
        const json_t *paid = json_object_get(b, "paid");
        if (paid) {
            if (!json_is_boolean(paid))
                return cv_diag_set(r->diag, "%s.paid: expected true or false, got %s", bp,
                                   cv__json_type_name(paid));
            br->unpaid = json_is_false(paid);
        }
        const json_t *ml = json_object_get(b, "max_load");
        if (ml) {
            char mp[192];
            cv__json_path_key(mp, sizeof mp, bp, "max_load");
            br->has_max_load = true;
            if ((s = reserve_amounts(r, p->ndims, &br->max_load_off))) return s;
            if ((s = read_amount(r, ml, mp, p->amounts + br->max_load_off))) return s;
        }
        p->nbreaks++;
        v->break_count++;
    }
    return CV_OK;
}

static cv_status read_costs(reader *r, const json_t *o, const char *path, cv_vehicle *v)
{
    v->fixed_cost = 0;
    v->per_hour = 3600;
    v->per_km = 0;
    const json_t *c = json_object_get(o, "costs");
    if (!c) return CV_OK;
    char cp[128];
    cv__json_path_key(cp, sizeof cp, path, "costs");
    cv_status s;
    if ((s = cv__json_object(c, cp, r->diag))) return s;
    if ((s = cv__json_known_keys(c, cp, cost_keys, r->diag))) return s;
    if ((s = cv__json_opt_int(c, cp, "fixed", 0, MAX_USER_AMOUNT, &v->fixed_cost, r->diag)))
        return s;
    /* per_hour * duration and per_km * distance * 3.6 must stay far from overflow. */
    if ((s = cv__json_opt_int(c, cp, "per_hour", 0, 1000000, &v->per_hour, r->diag))) return s;
    return cv__json_opt_int(c, cp, "per_km", 0, 1000000, &v->per_km, r->diag);
}

static cv_status read_vehicle(reader *r, const json_t *o, size_t i, cv_vehicle *v)
{
    cv_problem *p = r->p;
    char path[64];
    cv__json_path_index(path, sizeof path, "vehicles", i);
    cv_status s;
    if ((s = cv__json_object(o, path, r->diag))) return s;
    if ((s = cv__json_known_keys(o, path, vehicle_keys, r->diag))) return s;
    memset(v, 0, sizeof *v);
    const json_t *id = json_object_get(o, "id");
    if (!id) return cv_diag_set(r->diag, "%s: missing id", path);
    char ip[96];
    cv__json_path_key(ip, sizeof ip, path, "id");
    int64_t idv;
    if ((s = cv__json_int(id, ip, 0, INT64_MAX, &idv, r->diag))) return s;
    v->id = (uint64_t)idv;
    const json_t *prof = json_object_get(o, "profile");
    const char *pname = "car";
    if (prof) {
        char pp[96];
        cv__json_path_key(pp, sizeof pp, path, "profile");
        if (!json_is_string(prof) || json_string_length(prof) == 0)
            return cv_diag_set(r->diag, "%s: expected a profile name, got %s", pp,
                               json_is_string(prof) ? "an empty string" : cv__json_type_name(prof));
        pname = json_string_value(prof);
        if (find_profile(r, pname, &v->profile) != CV_OK) {
            if (r->index_mode)
                return cv_diag_set(r->diag, "%s: no matrices given for profile \"%s\"", pp, pname);
            goto new_profile;
        }
    } else if (find_profile(r, pname, &v->profile) != CV_OK) {
        if (r->index_mode)
            return cv_diag_set(r->diag, "%s: no matrices given for profile \"car\" (the default)",
                               path);
    new_profile:
        p->profiles = cv_realloc_array(p->profiles, p->nprofiles + 1, sizeof *p->profiles);
        if (!p->profiles) return oom(r);
        memset(&p->profiles[p->nprofiles], 0, sizeof *p->profiles);
        const char *stored;
        json_t *tmp = json_string(pname);
        if (!tmp) return oom(r);
        s = keep_string(r, tmp, path, &stored);
        json_decref(tmp);
        if (s) return s;
        p->profiles[p->nprofiles].name = stored;
        v->profile = p->nprofiles++;
    }
    if ((s = opt_description(r, o, path, &v->description))) return s;
    if ((s = read_location(r, o, path, "start", "start_index", true, &v->start_loc))) return s;
    if ((s = read_location(r, o, path, "end", "end_index", true, &v->end_loc))) return s;
    if (v->start_loc == CV_NONE && v->end_loc == CV_NONE)
        return cv_diag_set(r->diag, "%s: needs a start or an end (or both)", path);
    if ((s = reserve_amounts(r, p->ndims, &v->capacity_off))) return s;
    const json_t *cap = json_object_get(o, "capacity");
    if (!cap && p->ndims > 0)
        return cv_diag_set(r->diag,
                           "%s: missing capacity, but the problem's amounts have %u dimension%s "
                           "(set by %s)",
                           path, p->ndims, p->ndims == 1 ? "" : "s", r->ndims_path);
    char cp[96];
    cv__json_path_key(cp, sizeof cp, path, "capacity");
    if ((s = read_amount(r, cap, cp, p->amounts + v->capacity_off))) return s;
    if ((s = read_skills(r, o, path, &v->skill_first, &v->skill_count))) return s;
    v->tw = (cv_tw){0, CV_TIME_MAX};
    const json_t *tw = json_object_get(o, "time_window");
    if (tw) {
        char tp[96];
        cv__json_path_key(tp, sizeof tp, path, "time_window");
        if ((s = read_tw(r, tw, tp, &v->tw))) return s;
    }
    if ((s = read_costs(r, o, path, v))) return s;
    v->speed_factor = 1.0;
    const json_t *sf = json_object_get(o, "speed_factor");
    if (sf) {
        char sp[96];
        cv__json_path_key(sp, sizeof sp, path, "speed_factor");
        if ((s = cv__json_number(sf, sp, 0, 5, &v->speed_factor, r->diag))) return s;
        if (v->speed_factor <= 0)
            return cv_diag_set(r->diag, "%s: must be > 0 (got %g)", sp, v->speed_factor);
    }
    int64_t mt = UINT32_MAX;
    if ((s = cv__json_opt_int(o, path, "max_tasks", 0, UINT32_MAX, &mt, r->diag))) return s;
    v->max_tasks = (uint32_t)mt;
    v->max_travel_time = CV_TIME_MAX;
    v->max_distance = CV_TIME_MAX;
    if ((s = cv__json_opt_int(o, path, "max_travel_time", 0, MAX_USER_TIME, &v->max_travel_time,
                              r->diag)))
        return s;
    if ((s = cv__json_opt_int(o, path, "max_distance", 0, MAX_USER_TIME, &v->max_distance,
                              r->diag)))
        return s;
    if ((s = cv__json_opt_int(o, path, "max_working_time", 1, MAX_USER_TIME, &v->max_working_time,
                              r->diag)))
        return s;
    const json_t *ot = json_object_get(o, "overtime");
    if (ot) {
        char op[96];
        cv__json_path_key(op, sizeof op, path, "overtime");
        if ((s = cv__json_object(ot, op, r->diag))) return s;
        if ((s = cv__json_known_keys(ot, op, overtime_keys, r->diag))) return s;
        if (!json_object_get(ot, "after") || !json_object_get(ot, "per_hour"))
            return cv_diag_set(r->diag, "%s: needs both after and per_hour", op);
        if ((s = cv__json_opt_int(ot, op, "after", 0, MAX_USER_TIME, &v->overtime_after,
                                  r->diag)) ||
            (s = cv__json_opt_int(ot, op, "per_hour", 0, 1000000, &v->overtime_per_hour, r->diag)))
            return s;
    }
    return read_breaks(r, o, path, v);
}

static cv_status find_task(const cv_problem *p, cv_task_kind kind, uint64_t id, uint32_t *out)
{
    for (uint32_t t = 0; t < p->ntasks; t++)
        if (p->tasks[t].kind == kind && p->tasks[t].id == id) {
            *out = t;
            return CV_OK;
        }
    return CV_ENOTFOUND;
}

/* Vehicle `steps` (read after all tasks exist, since they refer to them). */
static cv_status read_steps(reader *r, const json_t *o, size_t vi, cv_vehicle *v)
{
    cv_problem *p = r->p;
    const json_t *arr = json_object_get(o, "steps");
    v->step_first = p->ninput_steps;
    v->step_count = 0;
    if (!arr) return CV_OK;
    char ap[96];
    snprintf(ap, sizeof ap, "vehicles[%zu].steps", vi);
    cv_status s = cv__json_array(arr, ap, SIZE_MAX, r->diag);
    if (s) return s;
    size_t n = json_array_size(arr);
    if (n > p->ntasks + v->break_count + 2)
        return cv_diag_set(r->diag, "%s: %zu steps, more than tasks and breaks exist", ap, n);
    for (size_t i = 0; i < n; i++) {
        char sp[128];
        cv__json_path_index(sp, sizeof sp, ap, i);
        const json_t *st = json_array_get(arr, i);
        if ((s = cv__json_object(st, sp, r->diag))) return s;
        if ((s = cv__json_known_keys(st, sp, step_keys, r->diag))) return s;
        const json_t *type = json_object_get(st, "type");
        if (!json_is_string(type))
            return cv_diag_set(r->diag,
                               "%s.type: expected one of start, job, pickup, delivery, "
                               "break, end",
                               sp);
        const char *ts = json_string_value(type);
        cv_input_step step = {
            .index = CV_NONE, .service_at = -1, .service_after = -1, .service_before = -1};
        static const char *names[] = {"start", "job", "pickup", "delivery", "break", "end"};
        int k;
        for (k = 0; k < 6; k++)
            if (strcmp(ts, names[k]) == 0) break;
        if (k == 6)
            return cv_diag_set(r->diag,
                               "%s.type: \"%s\" is not one of start, job, pickup, delivery, "
                               "break, end",
                               sp, ts);
        step.type = (cv_step_type)k;
        if (step.type == CV_STEP_START && i != 0)
            return cv_diag_set(r->diag, "%s: a start step must come first", sp);
        if (step.type == CV_STEP_END && i != n - 1)
            return cv_diag_set(r->diag, "%s: an end step must come last", sp);
        if (step.type != CV_STEP_START && step.type != CV_STEP_END) {
            const json_t *id = json_object_get(st, "id");
            char ip[160];
            cv__json_path_key(ip, sizeof ip, sp, "id");
            if (!id) return cv_diag_set(r->diag, "%s: missing id", sp);
            int64_t idv;
            if ((s = cv__json_int(id, ip, 0, INT64_MAX, &idv, r->diag))) return s;
            if (step.type == CV_STEP_BREAK) {
                for (uint32_t b = 0; b < v->break_count; b++)
                    if (p->breaks[v->break_first + b].id == (uint64_t)idv) step.index = b;
                if (step.index == CV_NONE)
                    return cv_diag_set(r->diag, "%s: vehicle %llu has no break with id %lld", ip,
                                       (unsigned long long)v->id, (long long)idv);
            } else {
                cv_task_kind kind = step.type == CV_STEP_JOB      ? CV_TASK_JOB
                                    : step.type == CV_STEP_PICKUP ? CV_TASK_PICKUP
                                                                  : CV_TASK_DELIVERY;
                if (find_task(p, kind, (uint64_t)idv, &step.index) != CV_OK)
                    return cv_diag_set(r->diag, "%s: no %s with id %lld", ip, names[k],
                                       (long long)idv);
            }
        }
        if ((s = cv__json_opt_int(st, sp, "service_at", 0, MAX_USER_TIME, &step.service_at,
                                  r->diag)) ||
            (s = cv__json_opt_int(st, sp, "service_after", 0, MAX_USER_TIME, &step.service_after,
                                  r->diag)) ||
            (s = cv__json_opt_int(st, sp, "service_before", 0, MAX_USER_TIME, &step.service_before,
                                  r->diag)))
            return s;
        if (!cv_array_grow((void **)&p->input_steps, &r->cap_steps, p->ninput_steps + 1,
                           sizeof *p->input_steps))
            return oom(r);
        p->input_steps[p->ninput_steps++] = step;
        v->step_count++;
    }
    return CV_OK;
}

/* ---- matrices ---- */

static cv_status read_matrix(reader *r, const json_t *m, const char *path, uint32_t **out,
                             uint32_t *n_io)
{
    cv_status s = cv__json_array(m, path, SIZE_MAX, r->diag);
    if (s) return s;
    size_t n = json_array_size(m);
    if (n == 0) return cv_diag_set(r->diag, "%s: empty matrix", path);
    if (n > CV_MAX_LOCATIONS)
        return cv_diag_set(r->diag, "%s: %zu rows, at most %u locations are supported", path, n,
                           CV_MAX_LOCATIONS);
    if (*n_io != CV_NONE && n != *n_io)
        return cv_diag_set(r->diag, "%s: %zux%zu, but other matrices are %ux%u", path, n, n, *n_io,
                           *n_io);
    uint32_t *v = cv_calloc(n * n, sizeof *v);
    if (!v) return oom(r);
    for (size_t i = 0; i < n; i++) {
        char rp[256];
        cv__json_path_index(rp, sizeof rp, path, i);
        const json_t *row = json_array_get(m, i);
        if (!json_is_array(row)) {
            free(v);
            return cv_diag_set(r->diag, "%s: expected an array, got %s", rp,
                               cv__json_type_name(row));
        }
        if (json_array_size(row) != n) {
            free(v);
            return cv_diag_set(r->diag, "%s: not square: row has %zu value%s, expected %zu", rp,
                               json_array_size(row), json_array_size(row) == 1 ? "" : "s", n);
        }
        for (size_t j = 0; j < n; j++) {
            const json_t *x = json_array_get(row, j);
            int64_t val;
            if (json_is_integer(x) && json_integer_value(x) >= 0 &&
                json_integer_value(x) <= UINT32_MAX) {
                v[i * n + j] = (uint32_t)json_integer_value(x);
                continue;
            }
            char cp[288];
            cv__json_path_index(cp, sizeof cp, rp, j);
            if ((s = cv__json_int(x, cp, 0, UINT32_MAX, &val, r->diag))) {
                free(v);
                return s;
            }
            v[i * n + j] = (uint32_t)val;
        }
    }
    *out = v;
    *n_io = (uint32_t)n;
    return CV_OK;
}

static cv_status read_matrices(reader *r, const json_t *root)
{
    cv_problem *p = r->p;
    const json_t *ms = json_object_get(root, "matrices");
    const json_t *legacy = json_object_get(root, "matrix");
    cv_status s;
    uint32_t n = CV_NONE;
    if (ms && legacy)
        return cv_diag_set(r->diag, "matrix: give either \"matrices\" or the legacy \"matrix\", "
                                    "not both");
    if (legacy) {
        p->profiles = cv_calloc(1, sizeof *p->profiles);
        if (!p->profiles) return oom(r);
        p->nprofiles = 1;
        json_t *tmp = json_string("car");
        if (!tmp) return oom(r);
        s = keep_string(r, tmp, "matrix", &p->profiles[0].name);
        json_decref(tmp);
        if (s) return s;
        if ((s = read_matrix(r, legacy, "matrix", &p->profiles[0].durations, &n))) return s;
    } else if (ms) {
        if ((s = cv__json_object(ms, "matrices", r->diag))) return s;
        size_t np = json_object_size(ms);
        if (np == 0) return cv_diag_set(r->diag, "matrices: no profile given");
        p->profiles = cv_calloc(np, sizeof *p->profiles);
        if (!p->profiles) return oom(r);
        const char *key;
        json_t *val;
        static const char *const mkeys[] = {"durations", "distances", "costs", NULL};
        json_object_foreach((json_t *)ms, key, val)
        {
            char pp[160];
            snprintf(pp, sizeof pp, "matrices.%.100s", key);
            if ((s = cv__json_object(val, pp, r->diag))) return s;
            if ((s = cv__json_known_keys(val, pp, mkeys, r->diag))) return s;
            cv_profile *pr = &p->profiles[p->nprofiles++];
            json_t *tmp = json_string(key);
            if (!tmp) return oom(r);
            s = keep_string(r, tmp, pp, &pr->name);
            json_decref(tmp);
            if (s) return s;
            const json_t *d = json_object_get(val, "durations");
            const json_t *di = json_object_get(val, "distances");
            const json_t *c = json_object_get(val, "costs");
            char mp[200];
            if (!d)
                return cv_diag_set(r->diag, "%s: missing durations (travel times are required)",
                                   pp);
            snprintf(mp, sizeof mp, "%s.durations", pp);
            if ((s = read_matrix(r, d, mp, &pr->durations, &n))) return s;
            if (di) {
                snprintf(mp, sizeof mp, "%s.distances", pp);
                if ((s = read_matrix(r, di, mp, &pr->distances, &n))) return s;
            }
            if (c) {
                snprintf(mp, sizeof mp, "%s.costs", pp);
                if ((s = read_matrix(r, c, mp, &pr->costs, &n))) return s;
            }
        }
    } else {
        return CV_OK;
    }
    r->index_mode = true;
    p->uses_indices = true;
    p->nlocs = n;
    for (uint32_t i = 0; i < p->nprofiles; i++) p->profiles[i].n = n;
    p->locs = cv_calloc(n, sizeof *p->locs);
    if (!p->locs) return oom(r);
    r->cap_locs = n;
    return CV_OK;
}

/* ---- top level ---- */

static const char *const top_keys[] = {"jobs",    "shipments", "vehicles", "matrices", "matrix",
                                       "options", "relations", "fairness", "horizon",  NULL};
static const char *const relation_keys[] = {
    "type", "first", "second", "min_gap", "max_gap", "distinct_workers", NULL};
static const char *const fairness_keys[] = {"per_hour", NULL};

#define MAX_WORKERS 8

/* How many tasks job i becomes: its "workers" (default 1). */
static cv_status job_workers(reader *r, const json_t *o, size_t i, uint32_t *out)
{
    *out = 1;
    if (!json_is_object(o)) return CV_OK; /* reported by read_job */
    char path[64];
    cv__json_path_index(path, sizeof path, "jobs", i);
    int64_t w = 1;
    cv_status s = cv__json_opt_int(o, path, "workers", 1, MAX_WORKERS, &w, r->diag);
    *out = (uint32_t)w;
    return s;
}

static cv_status add_relation(reader *r, const cv_relation *rel)
{
    cv_problem *p = r->p;
    cv_relation *n = cv_realloc_array(p->relations, p->nrelations + 1, sizeof *n);
    if (!n) return oom(r);
    p->relations = n;
    p->relations[p->nrelations++] = *rel;
    return CV_OK;
}

/* A list of vehicle ids -> vehicle indices appended to problem->vehicle_refs. */
static cv_status read_vehicle_list(reader *r, const json_t *o, const char *path, const char *key,
                                   uint32_t *first, uint32_t *count)
{
    cv_problem *p = r->p;
    const json_t *arr = json_object_get(o, key);
    *first = p->nvehicle_refs;
    *count = 0;
    if (!arr) return CV_OK;
    char ap[128];
    cv__json_path_key(ap, sizeof ap, path, key);
    cv_status s = cv__json_array(arr, ap, SIZE_MAX, r->diag);
    if (s) return s;
    size_t n = json_array_size(arr);
    if (n > p->nvehicles * 4 + 16) return cv_diag_set(r->diag, "%s: too many entries", ap);
    uint32_t *refs = cv_realloc_array(p->vehicle_refs, p->nvehicle_refs + n + 1, sizeof *refs);
    if (!refs) return oom(r);
    p->vehicle_refs = refs;
    for (size_t i = 0; i < n; i++) {
        char ip[160];
        cv__json_path_index(ip, sizeof ip, ap, i);
        int64_t id;
        if ((s = cv__json_int(json_array_get(arr, i), ip, 0, INT64_MAX, &id, r->diag))) return s;
        uint32_t v = CV_NONE;
        for (uint32_t k = 0; k < p->nvehicles; k++)
            if (p->vehicles[k].id == (uint64_t)id) v = k;
        if (v == CV_NONE)
            return cv_diag_set(r->diag, "%s: no vehicle with id %lld", ip, (long long)id);
        p->vehicle_refs[p->nvehicle_refs++] = v;
    }
    *count = (uint32_t)n;
    return CV_OK;
}

/* Continuity-of-care fields of job i (read once vehicles are known), copied to
 * every task of the job. */
static cv_status read_job_vehicles(reader *r, const json_t *o, size_t i, cv_task *t,
                                   uint32_t ncopies)
{
    cv_problem *p = r->p;
    char path[64];
    cv__json_path_index(path, sizeof path, "jobs", i);
    cv_status s;
    if ((s = read_vehicle_list(r, o, path, "allowed_vehicles", &t->allowed_first,
                               &t->allowed_count)) ||
        (s = read_vehicle_list(r, o, path, "forbidden_vehicles", &t->forbidden_first,
                               &t->forbidden_count)) ||
        (s = read_vehicle_list(r, o, path, "preferred_vehicles", &t->preferred_first,
                               &t->preferred_count)))
        return s;
    if ((s = cv__json_opt_int(o, path, "preference_cost", 0, MAX_USER_AMOUNT, &t->preference_cost,
                              r->diag)))
        return s;
    if (json_object_get(o, "allowed_vehicles") && t->allowed_count == 0)
        return cv_diag_set(r->diag, "%s.allowed_vehicles: empty, so no vehicle may serve it", path);
    if (t->preference_cost && !t->preferred_count)
        return cv_diag_set(r->diag, "%s.preference_cost: given without preferred_vehicles", path);
    for (uint32_t a = 0; a < t->allowed_count; a++)
        for (uint32_t f = 0; f < t->forbidden_count; f++)
            if (p->vehicle_refs[t->allowed_first + a] == p->vehicle_refs[t->forbidden_first + f])
                return cv_diag_set(
                    r->diag, "%s: vehicle %llu is both allowed and forbidden", path,
                    (unsigned long long)p->vehicles[p->vehicle_refs[t->allowed_first + a]].id);
    for (uint32_t c = 1; c < ncopies; c++) {
        cv_task *k = t + c;
        k->allowed_first = t->allowed_first;
        k->allowed_count = t->allowed_count;
        k->forbidden_first = t->forbidden_first;
        k->forbidden_count = t->forbidden_count;
        k->preferred_first = t->preferred_first;
        k->preferred_count = t->preferred_count;
        k->preference_cost = t->preference_cost;
    }
    return CV_OK;
}

static cv_status read_relations(reader *r, const json_t *root)
{
    cv_problem *p = r->p;
    const json_t *arr = json_object_get(root, "relations");
    if (!arr) return CV_OK;
    cv_status s = cv__json_array(arr, "relations", SIZE_MAX, r->diag);
    if (s) return s;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        char rp[64];
        cv__json_path_index(rp, sizeof rp, "relations", i);
        const json_t *o = json_array_get(arr, i);
        if ((s = cv__json_object(o, rp, r->diag))) return s;
        if ((s = cv__json_known_keys(o, rp, relation_keys, r->diag))) return s;
        const json_t *type = json_object_get(o, "type");
        cv_relation rel = {.kind = CV_REL_PRECEDENCE, .min_gap = 0, .max_gap = CV_TIME_MAX};
        if (!json_is_string(type) || (strcmp(json_string_value(type), "together") &&
                                      strcmp(json_string_value(type), "precedence")))
            return cv_diag_set(r->diag, "%s.type: expected \"together\" or \"precedence\"", rp);
        bool together = !strcmp(json_string_value(type), "together");
        const char *ends[2] = {"first", "second"};
        uint32_t tasks[2];
        for (int e = 0; e < 2; e++) {
            char ep[96];
            cv__json_path_key(ep, sizeof ep, rp, ends[e]);
            const json_t *v = json_object_get(o, ends[e]);
            if (!v) return cv_diag_set(r->diag, "%s: missing %s (a job id)", rp, ends[e]);
            int64_t id;
            if ((s = cv__json_int(v, ep, 0, INT64_MAX, &id, r->diag))) return s;
            if (find_task(p, CV_TASK_JOB, (uint64_t)id, &tasks[e]) != CV_OK)
                return cv_diag_set(r->diag, "%s: no job with id %lld", ep, (long long)id);
        }
        if (tasks[0] == tasks[1])
            return cv_diag_set(r->diag, "%s: first and second are the same job", rp);
        rel.first = tasks[0];
        rel.second = tasks[1];
        if (together) {
            if (json_object_get(o, "min_gap") || json_object_get(o, "max_gap"))
                return cv_diag_set(r->diag,
                                   "%s: a \"together\" relation has no gaps (both "
                                   "start at once)",
                                   rp);
            rel.kind = CV_REL_TOGETHER;
            rel.max_gap = 0;
            rel.distinct = true;
        } else {
            if ((s = cv__json_opt_int(o, rp, "min_gap", -MAX_USER_TIME, MAX_USER_TIME, &rel.min_gap,
                                      r->diag)) ||
                (s = cv__json_opt_int(o, rp, "max_gap", -MAX_USER_TIME, MAX_USER_TIME, &rel.max_gap,
                                      r->diag)))
                return s;
            if (rel.min_gap > rel.max_gap)
                return cv_diag_set(r->diag, "%s: min_gap %lld > max_gap %lld", rp,
                                   (long long)rel.min_gap, (long long)rel.max_gap);
            const json_t *d = json_object_get(o, "distinct_workers");
            if (d && !json_is_boolean(d))
                return cv_diag_set(r->diag, "%s.distinct_workers: expected true or false", rp);
            rel.distinct = d && json_is_true(d);
        }
        if ((s = add_relation(r, &rel))) return s;
    }
    return CV_OK;
}

static cv_status read_problem(reader *r, const json_t *root)
{
    cv_problem *p = r->p;
    cv_status s;
    if (!json_is_object(root))
        return cv_diag_set(r->diag, "problem: expected a JSON object, got %s",
                           cv__json_type_name(root));
    if ((s = cv__json_known_keys(root, "problem", top_keys, r->diag))) return s;
    const json_t *jobs = json_object_get(root, "jobs");
    const json_t *ships = json_object_get(root, "shipments");
    const json_t *vehs = json_object_get(root, "vehicles");
    if (jobs && (s = cv__json_array(jobs, "jobs", SIZE_MAX, r->diag))) return s;
    if (ships && (s = cv__json_array(ships, "shipments", SIZE_MAX, r->diag))) return s;
    if (!vehs) return cv_diag_set(r->diag, "vehicles: missing (at least one vehicle is needed)");
    if ((s = cv__json_array(vehs, "vehicles", SIZE_MAX, r->diag))) return s;
    size_t nj = jobs ? json_array_size(jobs) : 0, ns = ships ? json_array_size(ships) : 0;
    size_t nv = json_array_size(vehs);
    if (nv == 0) return cv_diag_set(r->diag, "vehicles: empty (at least one vehicle is needed)");
    if (nj + ns == 0)
        return cv_diag_set(r->diag, "problem: no jobs and no shipments, nothing to plan");
    if (nj + 2 * ns > CV_MAX_TASKS)
        return cv_diag_set(r->diag, "problem: %zu tasks, at most %u are supported", nj + 2 * ns,
                           CV_MAX_TASKS);
    if (nv > CV_MAX_VEHICLES)
        return cv_diag_set(r->diag, "vehicles: %zu, at most %u are supported", nv, CV_MAX_VEHICLES);
    if ((s = find_ndims(r, root))) return s;
    if ((s = read_matrices(r, root))) return s;

    /* A job with "workers": n becomes n tasks (care extension). */
    uint32_t njt = 0;
    for (size_t i = 0; i < nj; i++) {
        uint32_t w;
        if ((s = job_workers(r, json_array_get(jobs, i), i, &w))) return s;
        njt += w;
    }
    if (njt + 2 * ns > CV_MAX_TASKS)
        return cv_diag_set(r->diag, "problem: %zu tasks, at most %u are supported",
                           (size_t)njt + 2 * ns, CV_MAX_TASKS);
    p->njobs = (uint32_t)nj;
    p->nshipments = (uint32_t)ns;
    p->ntasks = (uint32_t)(njt + 2 * ns);
    p->tasks = cv_calloc(p->ntasks, sizeof *p->tasks);
    p->nvehicles = (uint32_t)nv;
    p->vehicles = cv_calloc(nv, sizeof *p->vehicles);
    if (!p->tasks || !p->vehicles) return oom(r);
    for (size_t i = 0, t = 0; i < nj; i++) {
        uint32_t w;
        job_workers(r, json_array_get(jobs, i), i, &w);
        cv_task *first = &p->tasks[t];
        if ((s = read_job(r, json_array_get(jobs, i), i, first))) return s;
        for (uint32_t c = 1; c < w; c++) {
            /* Each extra worker: the same visit, carrying no amounts of its own. */
            cv_task *copy = &p->tasks[t + c];
            *copy = *first;
            if ((s = reserve_amounts(r, 2 * p->ndims, &copy->amount_off))) return s;
            cv_relation rel = {.kind = CV_REL_TOGETHER,
                               .first = (uint32_t)t,
                               .second = (uint32_t)(t + c),
                               .distinct = true};
            if ((s = add_relation(r, &rel))) return s;
        }
        for (uint32_t c = 0; c < w; c++) {
            p->tasks[t + c].group_first = (uint32_t)t;
            p->tasks[t + c].group_size = w;
        }
        t += w;
    }
    for (size_t i = 0; i < ns; i++)
        if ((s = read_shipment(r, json_array_get(ships, i), i, &p->tasks[njt + 2 * i],
                               &p->tasks[njt + 2 * i + 1])))
            return s;
    for (size_t i = 0; i < nv; i++)
        if ((s = read_vehicle(r, json_array_get(vehs, i), i, &p->vehicles[i]))) return s;
    for (size_t i = 0, t = 0; i < nj; i++) {
        uint32_t w = p->tasks[t].group_size;
        if ((s = read_job_vehicles(r, json_array_get(jobs, i), i, &p->tasks[t], w))) return s;
        t += w;
    }
    if ((s = read_relations(r, root))) return s;
    const json_t *fair = json_object_get(root, "fairness");
    if (fair) {
        if ((s = cv__json_object(fair, "fairness", r->diag))) return s;
        if ((s = cv__json_known_keys(fair, "fairness", fairness_keys, r->diag))) return s;
        if ((s = cv__json_opt_int(fair, "fairness", "per_hour", 0, 1000000, &p->fairness_per_hour,
                                  r->diag)))
            return s;
    }
    for (size_t i = 0; i < nv; i++)
        for (size_t j = 0; j < i; j++)
            if (p->vehicles[i].id == p->vehicles[j].id)
                return cv_diag_set(r->diag,
                                   "vehicles[%zu].id: %llu is already the id of "
                                   "vehicles[%zu]",
                                   i, (unsigned long long)p->vehicles[i].id, j);
    if ((s = check_unique_task_ids(r, CV_TASK_JOB)) ||
        (s = check_unique_task_ids(r, CV_TASK_PICKUP)) ||
        (s = check_unique_task_ids(r, CV_TASK_DELIVERY)))
        return s;
    for (size_t i = 0; i < nv; i++)
        if ((s = read_steps(r, json_array_get(vehs, i), i, &p->vehicles[i]))) return s;
    if ((s = cv__periodic_read(p, root, r->diag))) return s;
    p->uses_coords = !r->index_mode;
    return CV_OK;
}

cv_status cv_problem_from_json(cv_problem **out, const char *text, size_t len, cv_diag *diag)
{
    if (len > CV_MAX_INPUT_BYTES) {
        cv_diag_set(diag, "problem: %zu bytes, more than the limit of %zu", len,
                    (size_t)CV_MAX_INPUT_BYTES);
        return CV_ETOOBIG;
    }
    json_error_t err;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
    if (!root) {
        cv_diag_set(diag, "JSON syntax error at line %d, column %d: %s", err.line, err.column,
                    err.text);
        return CV_EINVAL;
    }
    reader r = {0};
    r.diag = diag;
    r.p = calloc(1, sizeof *r.p);
    cv_status s = r.p ? read_problem(&r, root) : CV_ENOMEM;
    json_decref(root);
    free(r.loc_hash);
    if (s != CV_OK) {
        cv_problem_destroy(r.p);
        return s;
    }
    *out = r.p;
    return CV_OK;
}

cv_status cv_read_file(const char *path, size_t max_bytes, char **text, size_t *len, cv_diag *diag)
{
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        cv_diag_set(diag, "%s: cannot open: %s", path, strerror(errno));
        return CV_EIO;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    cv_status s = CV_OK;
    while (buf) {
        if (n + 1 >= cap) {
            if (cap > max_bytes) {
                cv_diag_set(diag, "%s: larger than the limit of %zu bytes",
                            is_stdin ? "stdin" : path, max_bytes);
                s = CV_ETOOBIG;
                break;
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) break;
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) {
                cv_diag_set(diag, "%s: read error", path);
                s = CV_EIO;
            }
            break;
        }
    }
    if (!is_stdin) fclose(f);
    if (!buf) {
        cv_diag_set(diag, "%s: out of memory", path);
        return CV_ENOMEM;
    }
    if (s == CV_OK && n > max_bytes) {
        cv_diag_set(diag, "%s: larger than the limit of %zu bytes", path, max_bytes);
        s = CV_ETOOBIG;
    }
    if (s != CV_OK) {
        free(buf);
        return s;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return CV_OK;
}

cv_status cv_problem_from_json_file(cv_problem **out, const char *path, cv_diag *diag)
{
    char *text;
    size_t len;
    cv_status s = cv_read_file(path, CV_MAX_INPUT_BYTES, &text, &len, diag);
    if (s) return s;
    s = cv_problem_from_json(out, text, len, diag);
    free(text);
    return s;
}
