/* Problem model lifecycle and small lookups.  Readers (engine/vroom_json.c,
 * converters) fill the arrays; everything here is read-only helpers. */
#include "cv/problem.h"

#include <stdlib.h>

void cv_problem_destroy(cv_problem *p)
{
    if (!p) return;
    for (uint32_t i = 0; i < p->nprofiles; i++) {
        free(p->profiles[i].durations);
        free(p->profiles[i].distances);
        free(p->profiles[i].costs);
    }
    for (uint32_t i = 0; i < p->nstrings; i++) free(p->strings[i]);
    free(p->strings);
    free(p->tasks);
    free(p->vehicles);
    free(p->profiles);
    free(p->locs);
    free(p->tws);
    free(p->breaks);
    free(p->skills);
    free(p->amounts);
    free(p->input_steps);
    free(p->relations);
    free(p->vehicle_refs);
    free(p->shifts);
    free(p->day_patterns);
    free(p);
}

bool cv_problem_uses_care_extensions(const cv_problem *p)
{
    if (p->nrelations || p->fairness_per_hour) return true;
    for (uint32_t t = 0; t < p->ntasks; t++) {
        const cv_task *k = &p->tasks[t];
        if (k->group_size > 1 || k->max_lateness || k->allowed_count || k->forbidden_count ||
            k->preferred_count || k->max_ride_time)
            return true;
    }
    for (uint32_t v = 0; v < p->nvehicles; v++)
        if (p->vehicles[v].max_working_time || p->vehicles[v].overtime_per_hour) return true;
    for (uint32_t b = 0; b < p->nbreaks; b++)
        if (p->breaks[b].unpaid) return true;
    return false;
}

bool cv_problem_has_matrices(const cv_problem *p)
{
    for (uint32_t i = 0; i < p->nprofiles; i++)
        if (!p->profiles[i].durations) return false;
    return true;
}

bool cv_vehicle_has_skills(const cv_problem *p, const cv_vehicle *v, const cv_task *t)
{
    /* Both lists are sorted and unique: one merge pass. */
    const uint32_t *need = p->skills + t->skill_first, *have = p->skills + v->skill_first;
    uint32_t i = 0, j = 0;
    while (i < t->skill_count) {
        while (j < v->skill_count && have[j] < need[i]) j++;
        if (j == v->skill_count || have[j] != need[i]) return false;
        i++;
    }
    return true;
}

const char *cv_task_kind_name(cv_task_kind k)
{
    switch (k) {
    case CV_TASK_JOB:
        return "job";
    case CV_TASK_PICKUP:
        return "pickup";
    case CV_TASK_DELIVERY:
        return "delivery";
    }
    return "?";
}

const char *cv_step_type_name(cv_step_type t)
{
    switch (t) {
    case CV_STEP_START:
        return "start";
    case CV_STEP_JOB:
        return "job";
    case CV_STEP_PICKUP:
        return "pickup";
    case CV_STEP_DELIVERY:
        return "delivery";
    case CV_STEP_BREAK:
        return "break";
    case CV_STEP_END:
        return "end";
    }
    return "?";
}
