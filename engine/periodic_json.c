/* Reader of the multi-day fields of a VROOM JSON problem (docs/care-extensions.md,
 * "Several days"): the horizon, vehicles' shifts per day, and jobs' frequency,
 * allowed day patterns, minimum spacing and cap on distinct vehicles.
 *
 * Called by engine/vroom_json.c once jobs and vehicles are read, so that
 * every check can name the field path and the ids involved.  It refuses what
 * the periodic planner cannot honour rather than ignore it: shipments,
 * relations between jobs and vehicle `steps` have no day in this format yet.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_read.h"
#include "periodic_int.h"

static const char *const horizon_keys[] = {"days", "cyclic", NULL};
static const char *const shift_keys[] = {"day", "time_window", NULL};

static cv_status oom(cv_diag *diag)
{
    cv_diag_set(diag, "out of memory while reading the problem");
    return CV_ENOMEM;
}

bool cv__periodic_spacing_ok(uint64_t mask, uint32_t spacing, uint32_t days, bool cyclic)
{
    if (spacing <= 1 || mask == 0) return true;
    int first = -1, prev = -1;
    for (uint32_t d = 0; d < days; d++) {
        if (!(mask >> d & 1)) continue;
        if (prev >= 0 && (uint32_t)((int)d - prev) < spacing) return false;
        if (first < 0) first = (int)d;
        prev = (int)d;
    }
    if (cyclic && (uint32_t)(first + (int)days - prev) < spacing) return false;
    return true;
}

/* "[0, 2, 4]" for messages. */
static void mask_text(char *buf, size_t size, uint64_t mask)
{
    size_t used = (size_t)snprintf(buf, size, "[");
    bool first = true;
    for (uint32_t d = 0; d < 64 && used < size; d++)
        if (mask >> d & 1) {
            used += (size_t)snprintf(buf + used, size - used, "%s%u", first ? "" : ", ", d);
            first = false;
        }
    if (used < size) snprintf(buf + used, size - used, "]");
}

static cv_status read_horizon(cv_problem *p, const json_t *h, cv_diag *diag)
{
    cv_status s;
    if ((s = cv__json_object(h, "horizon", diag))) return s;
    if ((s = cv__json_known_keys(h, "horizon", horizon_keys, diag))) return s;
    if (!json_object_get(h, "days"))
        return cv_diag_set(diag, "horizon: missing days (the number of days planned)");
    int64_t days = 0;
    if ((s = cv__json_opt_int(h, "horizon", "days", 1, CV_MAX_HORIZON_DAYS, &days, diag))) return s;
    p->horizon_days = (uint32_t)days;
    const json_t *c = json_object_get(h, "cyclic");
    if (c && !json_is_boolean(c))
        return cv_diag_set(diag, "horizon.cyclic: expected true or false, got %s",
                           cv__json_type_name(c));
    p->horizon_cyclic = c && json_is_true(c);
    return CV_OK;
}

/* A time window [start, end] of one day, as read_tw of vroom_json.c. */
static cv_status read_day_tw(const json_t *v, const char *path, cv_tw *out, cv_diag *diag)
{
    cv_status s = cv__json_array(v, path, 2, diag);
    if (s) return s;
    char p0[192], p1[192];
    cv__json_path_index(p0, sizeof p0, path, 0);
    cv__json_path_index(p1, sizeof p1, path, 1);
    int64_t a, b;
    if ((s = cv__json_int(json_array_get(v, 0), p0, 0, ((int64_t)1 << 40) - 1, &a, diag)) ||
        (s = cv__json_int(json_array_get(v, 1), p1, 0, ((int64_t)1 << 40) - 1, &b, diag)))
        return s;
    if (a > b)
        return cv_diag_set(diag, "%s: start %lld > end %lld", path, (long long)a, (long long)b);
    out->start = a;
    out->end = b;
    return CV_OK;
}

static cv_status read_shifts(cv_problem *p, const json_t *o, size_t vi, cv_vehicle *v,
                             uint32_t *cap, cv_diag *diag)
{
    char path[64], ap[96];
    cv__json_path_index(path, sizeof path, "vehicles", vi);
    cv__json_path_key(ap, sizeof ap, path, "shifts");
    const json_t *arr = json_object_get(o, "shifts");
    v->shift_first = p->nshifts;
    v->shift_count = 0;
    if (!arr) return CV_OK;
    cv_status s = cv__json_array(arr, ap, SIZE_MAX, diag);
    if (s) return s;
    size_t n = json_array_size(arr);
    if (n == 0) return cv_diag_set(diag, "%s: empty, so the vehicle never works; remove it", ap);
    if (n > p->horizon_days)
        return cv_diag_set(diag, "%s: %zu shifts in a horizon of %u days (one per day at most)", ap,
                           n, p->horizon_days);
    if (!cv_array_grow((void **)&p->shifts, cap, p->nshifts + (uint32_t)n, sizeof *p->shifts))
        return oom(diag);
    for (size_t i = 0; i < n; i++) {
        char sp[128], fp[160];
        cv__json_path_index(sp, sizeof sp, ap, i);
        const json_t *js = json_array_get(arr, i);
        if ((s = cv__json_object(js, sp, diag))) return s;
        if ((s = cv__json_known_keys(js, sp, shift_keys, diag))) return s;
        if (!json_object_get(js, "day")) return cv_diag_set(diag, "%s: missing day", sp);
        int64_t day;
        if ((s = cv__json_opt_int(js, sp, "day", 0, (int64_t)p->horizon_days - 1, &day, diag)))
            return s;
        cv_shift sh = {.day = (uint32_t)day, .tw = v->tw};
        const json_t *tw = json_object_get(js, "time_window");
        cv__json_path_key(fp, sizeof fp, sp, "time_window");
        if (tw && (s = read_day_tw(tw, fp, &sh.tw, diag))) return s;
        if (i > 0 && p->shifts[p->nshifts - 1].day >= sh.day) {
            cv__json_path_key(fp, sizeof fp, sp, "day");
            return cv_diag_set(diag,
                               "%s: %u is not after day %u of %s[%zu] (one shift per day, "
                               "sorted by day)",
                               fp, sh.day, p->shifts[p->nshifts - 1].day, ap, i - 1);
        }
        p->shifts[p->nshifts++] = sh;
        v->shift_count++;
    }
    return CV_OK;
}

/* Day patterns of a job: each a sorted list of `frequency` distinct days
 * within the horizon, keeping the minimum spacing, no pattern twice. */
static cv_status read_patterns(cv_problem *p, const json_t *arr, const char *path, cv_task *t,
                               uint32_t *cap, cv_diag *diag)
{
    char ap[96];
    cv__json_path_key(ap, sizeof ap, path, "day_patterns");
    cv_status s = cv__json_array(arr, ap, SIZE_MAX, diag);
    if (s) return s;
    size_t n = json_array_size(arr);
    if (n == 0) return cv_diag_set(diag, "%s: empty; omit the field to allow any days", ap);
    if (n > 4096) return cv_diag_set(diag, "%s: %zu patterns, at most 4096", ap, n);
    if (!cv_array_grow((void **)&p->day_patterns, cap, p->npatterns + (uint32_t)n,
                       sizeof *p->day_patterns))
        return oom(diag);
    t->pattern_first = p->npatterns;
    for (size_t i = 0; i < n; i++) {
        char ip[128];
        cv__json_path_index(ip, sizeof ip, ap, i);
        const json_t *pat = json_array_get(arr, i);
        if ((s = cv__json_array(pat, ip, SIZE_MAX, diag))) return s;
        if (json_array_size(pat) != t->frequency)
            return cv_diag_set(diag, "%s: %zu day%s, but the job's frequency is %u", ip,
                               json_array_size(pat), json_array_size(pat) == 1 ? "" : "s",
                               t->frequency);
        uint64_t mask = 0;
        int64_t prev = -1;
        for (size_t k = 0; k < json_array_size(pat); k++) {
            char kp[160];
            cv__json_path_index(kp, sizeof kp, ip, k);
            int64_t d;
            if ((s = cv__json_int(json_array_get(pat, k), kp, 0, (int64_t)p->horizon_days - 1, &d,
                                  diag)))
                return s;
            if (d <= prev)
                return cv_diag_set(diag, "%s: day %lld is not after %lld (days sorted, each once)",
                                   kp, (long long)d, (long long)prev);
            prev = d;
            mask |= (uint64_t)1 << d;
        }
        if (!cv__periodic_spacing_ok(mask, t->min_spacing, p->horizon_days, p->horizon_cyclic)) {
            char m[256];
            mask_text(m, sizeof m, mask);
            return cv_diag_set(diag, "%s: days %s are closer than the job's min_spacing of %u%s",
                               ip, m, t->min_spacing,
                               p->horizon_cyclic ? " (the horizon is cyclic)" : "");
        }
        for (uint32_t k = t->pattern_first; k < p->npatterns; k++)
            if (p->day_patterns[k] == mask)
                return cv_diag_set(diag, "%s: the same days as %s[%u]", ip, ap,
                                   k - t->pattern_first);
        p->day_patterns[p->npatterns++] = mask;
    }
    t->pattern_count = (uint32_t)n;
    return CV_OK;
}

static cv_status read_job(cv_problem *p, const json_t *o, size_t i, cv_task *t, uint32_t *cap,
                          cv_diag *diag)
{
    char path[64];
    cv__json_path_index(path, sizeof path, "jobs", i);
    cv_status s;
    int64_t freq = 1, spacing = 0, maxv = 0;
    if ((s = cv__json_opt_int(o, path, "frequency", 1, p->horizon_days, &freq, diag)) ||
        (s = cv__json_opt_int(o, path, "min_spacing", 0, p->horizon_days, &spacing, diag)) ||
        (s = cv__json_opt_int(o, path, "max_vehicles", 1, CV_MAX_VEHICLES, &maxv, diag)))
        return s;
    t->frequency = (uint32_t)freq;
    t->min_spacing = (uint32_t)spacing;
    t->max_vehicles = (uint32_t)maxv;
    /* Spacing s between f visits needs (f - 1) s + 1 days, or f s around a cycle. */
    uint64_t need = p->horizon_cyclic ? (uint64_t)freq * (uint64_t)spacing
                                      : (uint64_t)(freq - 1) * (uint64_t)spacing + 1;
    if (spacing > 1 && need > p->horizon_days)
        return cv_diag_set(diag,
                           "%s.min_spacing: %lld days between %lld visits do not fit in a%s "
                           "horizon of %u days",
                           path, (long long)spacing, (long long)freq,
                           p->horizon_cyclic ? " cyclic" : "", p->horizon_days);
    if (maxv && (uint32_t)maxv < t->group_size)
        return cv_diag_set(diag, "%s.max_vehicles: %lld, but each visit needs %u workers", path,
                           (long long)maxv, t->group_size);
    const json_t *pats = json_object_get(o, "day_patterns");
    if (pats && (s = read_patterns(p, pats, path, t, cap, diag))) return s;
    /* The copies of a visit with several workers share its rules. */
    for (uint32_t c = 1; c < t->group_size; c++) {
        cv_task *k = t + c;
        k->frequency = t->frequency;
        k->min_spacing = t->min_spacing;
        k->max_vehicles = t->max_vehicles;
        k->pattern_first = t->pattern_first;
        k->pattern_count = t->pattern_count;
    }
    return CV_OK;
}

/* The first field of a multi-day problem used without a horizon, or NULL. */
static const char *stray_field(const json_t *root, char *buf, size_t size)
{
    static const char *const job_fields[] = {"frequency", "day_patterns", "min_spacing",
                                             "max_vehicles", NULL};
    const json_t *jobs = json_object_get(root, "jobs"), *vehs = json_object_get(root, "vehicles");
    for (size_t i = 0; i < json_array_size(jobs); i++)
        for (int k = 0; job_fields[k]; k++)
            if (json_object_get(json_array_get(jobs, i), job_fields[k])) {
                snprintf(buf, size, "jobs[%zu].%s", i, job_fields[k]);
                return buf;
            }
    for (size_t i = 0; i < json_array_size(vehs); i++)
        if (json_object_get(json_array_get(vehs, i), "shifts")) {
            snprintf(buf, size, "vehicles[%zu].shifts", i);
            return buf;
        }
    return NULL;
}

cv_status cv__periodic_read(cv_problem *p, const json_t *root, cv_diag *diag)
{
    const json_t *h = json_object_get(root, "horizon");
    char field[64];
    if (!h) {
        if (stray_field(root, field, sizeof field))
            return cv_diag_set(diag,
                               "%s: a multi-day field, but the problem has no horizon "
                               "(add \"horizon\": {\"days\": N})",
                               field);
        return CV_OK;
    }
    cv_status s;
    if ((s = read_horizon(p, h, diag))) return s;
    if (p->nshipments)
        return cv_diag_set(diag, "shipments: not supported in a multi-day problem (horizon) yet; "
                                 "plan shipments one day at a time");
    if (json_object_get(root, "relations"))
        return cv_diag_set(diag, "relations: not supported in a multi-day problem (horizon) yet");
    const json_t *vehs = json_object_get(root, "vehicles"), *jobs = json_object_get(root, "jobs");
    uint32_t cap_shifts = 0, cap_patterns = 0;
    for (uint32_t v = 0; v < p->nvehicles; v++) {
        const json_t *o = json_array_get(vehs, v);
        if (json_object_get(o, "steps"))
            return cv_diag_set(diag,
                               "vehicles[%u].steps: not supported in a multi-day problem "
                               "(horizon) yet",
                               v);
        if ((s = read_shifts(p, o, v, &p->vehicles[v], &cap_shifts, diag))) return s;
    }
    for (uint32_t t = 0; t < p->ntasks; t++) {
        cv_task *k = &p->tasks[t];
        if (k->kind != CV_TASK_JOB || (k->group_size > 1 && k->group_first != t)) continue;
        if ((s = read_job(p, json_array_get(jobs, k->input_index), k->input_index, k, &cap_patterns,
                          diag)))
            return s;
    }
    return CV_OK;
}
