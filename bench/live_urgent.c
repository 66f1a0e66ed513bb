/* Urgent insertion on a live day: how long does the answer take?
 *
 * A synthetic 300-visit care day (tests/engine/live_day.h: 28 carers,
 * e-bike travel on an 8 x 8 km town) is planned, goes live, and runs from
 * its ETAs until CLOCK (default 10:30).  Then N urgent requests (seeded:
 * a client's home, a visit's skills, 30 or 15 min) are each answered on a
 * fresh copy of that same state (cv_live_restore), and the CPU time of each
 * cv_live_insert_urgent is recorded by outcome: inserted (cheapest
 * insertion), replanned (solver on the rest of the day), refused.  Also a
 * full reoptimize of the same state.
 *
 *   live_urgent [VISITS [VEHICLES [N [SEED [CLOCK_S]]]]]
 * Prints one line per outcome: count, median and max CPU ms.
 *
 *   live_urgent --write-day FILE [VISITS [VEHICLES [SEED]]]
 * Writes the synthetic day (defaults 300 28 1) as a problem file and exits:
 * the day `carevan simulate` runs in bench/RESULTS.md ("Live day"). */
#define _POSIX_C_SOURCE 200809L
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../tests/engine/live_day.h"
#include "cv/engine.h"
#include "cv/live.h"
#include "cv/solver.h"

static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Runs the day from its ETAs until `until`: visits start and end on time. */
static int run_until(cv_live *L, int64_t until)
{
    for (int guard = 0; guard < 100000; guard++) {
        char *s = NULL;
        if (cv_live_to_json(L, &s) != CV_OK) return 1;
        json_t *root = json_loads(s, 0, NULL), *v, *st;
        free(s);
        size_t i, k;
        int64_t best = -1;
        uint64_t bv = 0, bid = 0;
        bool done = false;
        json_array_foreach(json_object_get(root, "vehicles"), i, v)
        {
            json_array_foreach(json_object_get(v, "steps"), k, st)
            {
                const char *status = json_string_value(json_object_get(st, "status"));
                bool started = !strcmp(status, "started");
                if (!started && (strcmp(status, "planned") ||
                                 !strcmp(json_string_value(json_object_get(st, "type")), "break")))
                    continue;
                int64_t t = json_integer_value(json_object_get(st, started ? "end" : "start"));
                if (t < cv_live_now(L)) t = cv_live_now(L);
                if (best < 0 || t < best) {
                    best = t;
                    bv = (uint64_t)json_integer_value(json_object_get(v, "id"));
                    bid = (uint64_t)json_integer_value(json_object_get(st, "id"));
                    done = started;
                }
                break;
            }
        }
        json_decref(root);
        if (best < 0 || best > until) return 0;
        cv_live_event e = {.kind = done ? CV_LIVE_VISIT_DONE : CV_LIVE_VISIT_START,
                           .time = best,
                           .vehicle = bv,
                           .task_kind = CV_TASK_JOB,
                           .task = bid,
                           .loc = CV_NONE};
        cv_diag d;
        cv_diag_clear(&d);
        if (cv_live_apply(L, &e, &d) != CV_OK) {
            fprintf(stderr, "live_urgent: %s\n", d.msg);
            return 1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 2 && !strcmp(argv[1], "--write-day")) {
        char *day = live_day_json(argc > 3 ? (uint32_t)atoi(argv[3]) : 300,
                                  argc > 4 ? (uint32_t)atoi(argv[4]) : 28,
                                  argc > 5 ? (uint64_t)atoll(argv[5]) : 1);
        FILE *f = fopen(argv[2], "wb");
        if (!day || !f || fputs(day, f) < 0 || fclose(f) != 0) {
            fprintf(stderr, "live_urgent: cannot write %s\n", argv[2]);
            return 1;
        }
        free(day);
        return 0;
    }
    uint32_t nvisits = argc > 1 ? (uint32_t)atoi(argv[1]) : 300;
    uint32_t nveh = argc > 2 ? (uint32_t)atoi(argv[2]) : 28;
    uint32_t n = argc > 3 ? (uint32_t)atoi(argv[3]) : 40;
    uint64_t seed = argc > 4 ? (uint64_t)atoll(argv[4]) : 1;
    int64_t clock_s = argc > 5 ? atoll(argv[5]) : 37800;
    char *text = live_day_json(nvisits, nveh, seed);
    cv_problem *p = NULL;
    cv_diag d;
    cv_diag_clear(&d);
    if (!text || cv_problem_from_json(&p, text, strlen(text), &d) != CV_OK) {
        fprintf(stderr, "live_urgent: %s\n", d.msg);
        return 1;
    }
    free(text);
    cv_solver_config cfg;
    cv_solver_config_init(&cfg);
    cfg.seed = seed;
    cv_plan *plan = NULL;
    char *plan_json = NULL;
    double t0 = cpu_ms();
    if (cv_solver_run(p, &cfg, &plan, &d) != CV_OK ||
        cv_plan_to_json(plan, p, &plan_json) != CV_OK) {
        fprintf(stderr, "live_urgent: solve: %s\n", d.msg);
        return 1;
    }
    printf("plan: %u visits, %u carers, %u unassigned, %.0f ms CPU\n", nvisits, nveh,
           plan->nunassigned, cpu_ms() - t0);
    cv_plan_destroy(plan);
    cv_live *L = NULL;
    if (cv_live_create(&L, p, plan_json, strlen(plan_json), 28800, &d) != CV_OK ||
        run_until(L, clock_s) != 0) {
        fprintf(stderr, "live_urgent: %s\n", d.msg);
        return 1;
    }
    char *state = NULL;
    cv_live_to_json(L, &state);
    cv_live_destroy(L);
    uint32_t done = 0, planned = 0;
    json_t *root = json_loads(state, 0, NULL), *v, *st;
    size_t i, k;
    json_array_foreach(json_object_get(root, "vehicles"), i, v)
        json_array_foreach(json_object_get(v, "steps"), k, st)
    {
        const char *s = json_string_value(json_object_get(st, "status"));
        if (!strcmp(json_string_value(json_object_get(st, "type")), "break")) continue;
        if (!strcmp(s, "planned"))
            planned++;
        else
            done++;
    }
    json_decref(root);
    printf("live at %02lld:%02lld: %u visits done or under way, %u planned\n",
           (long long)(clock_s / 3600), (long long)(clock_s / 60 % 60), done, planned);

    double *ms[3];
    uint32_t cnt[3] = {0, 0, 0}, changed = 0;
    for (int m = 0; m < 3; m++) ms[m] = calloc(n ? n : 1, sizeof *ms[m]);
    cv_rng rng;
    cv_rng_seed(&rng, seed + 99);
    for (uint32_t r = 0; r < n; r++) {
        cv_live *R = NULL;
        if (cv_live_restore(&R, p, state, strlen(state), &d) != CV_OK) {
            fprintf(stderr, "live_urgent: restore: %s\n", d.msg);
            return 1;
        }
        const cv_task *like = &p->tasks[cv_rng_below(&rng, p->njobs)];
        cv_live_urgent q = {.id = 900000 + r,
                            .time = clock_s,
                            .deadline_s = cv_rng_below(&rng, 3) == 0 ? 900 : 1800,
                            .loc = like->loc,
                            .service = 1800,
                            .priority = 100,
                            .margin_s = CV_LIVE_MARGIN_DEFAULT};
        for (uint32_t s = 0; s < like->skill_count && s < 8; s++)
            q.skills[q.nskills++] = p->skills[like->skill_first + s];
        cv_live_outcome o;
        double c0 = cpu_ms();
        if (cv_live_insert_urgent(R, &q, &o, &d) != CV_OK) {
            fprintf(stderr, "live_urgent: %s\n", d.msg);
            return 1;
        }
        double c = cpu_ms() - c0;
        ms[o.method][cnt[o.method]++] = c;
        changed += o.changed;
        cv_live_destroy(R);
    }
    static const char *names[3] = {"inserted", "replanned", "refused"};
    for (int m = 0; m < 3; m++) {
        qsort(ms[m], cnt[m], sizeof *ms[m], cmp_d);
        if (cnt[m])
            printf("urgent %-9s %3u of %u: median %.2f ms CPU, max %.2f ms CPU\n", names[m], cnt[m],
                   n, ms[m][cnt[m] / 2], ms[m][cnt[m] - 1]);
        else
            printf("urgent %-9s   0 of %u\n", names[m], n);
        free(ms[m]);
    }
    printf("changed assignments over the re-planned requests: %u\n", changed);
    cv_live *R = NULL;
    cv_live_restore(&R, p, state, strlen(state), &d);
    cv_live_outcome o;
    double c0 = cpu_ms();
    if (cv_live_reoptimize(R, clock_s, 0, &o, &d) != CV_OK) {
        fprintf(stderr, "live_urgent: %s\n", d.msg);
        return 1;
    }
    printf("reoptimize (default effort): %.0f ms CPU; %s\n", cpu_ms() - c0, o.message);
    cv_live_destroy(R);
    free(state);
    free(plan_json);
    cv_problem_destroy(p);
    return 0;
}
