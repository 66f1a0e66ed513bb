/* Care planning benchmark: Mankowska, Meisel & Bierwirth (2014) home health
 * care instances (groups A-F of ../shared/datasets/vrp/hhc, README there).
 *
 * For every instance listed in DIR/bks.csv: convert (`carevan convert --from
 * mankowska`: one job per service, together / precedence relations for
 * double services, soft window ends; times and distances x100), solve with
 * one thread at a wall-clock limit (or a fixed effort), write the plan as
 * JSON and verify it with the independent checker (any violation or
 * mismatch counts as a failure), then compute the Mankowska objective
 * Z = (D + T + Tmax) / 3 from the plan (D total distance, T total tardiness,
 * Tmax the largest tardiness; back in the instance's unit) and its gap to the
 * best known value.  Our search minimises D + T (Tmax is not part of our
 * objective); D is measured on the converter's matrix, rounded to 1/100.
 *
 * With --save DIR each plan is written to DIR/<instance>.json, for
 * bench/care_mankowska_eval.py, which recomputes Z from the original file in
 * real numbers (an evaluation independent of our conversion).
 *
 * usage: care_mankowska [--dir DIR] [--time S] [--effort N] [--seed N]
 *                       [--only PREFIX] [--save DIR]
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cv/engine.h"
#include "cv/solver.h"

#define MAXI 128
#define SCALE 100.0

typedef struct row {
    char name[64];
    char group;
    double bks;
    double d, t, tmax, obj;
    bool ok;
    double secs, cpu;
    uint64_t iters;
} row;

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static char group_of(int customers)
{
    switch (customers) {
    case 10:
        return 'A';
    case 25:
        return 'B';
    case 50:
        return 'C';
    case 75:
        return 'D';
    case 100:
        return 'E';
    case 200:
        return 'F';
    case 300:
        return 'G';
    default:
        return '?';
    }
}

/* D, T, Tmax of a plan (in the converted unit). */
static void measure(const cv_problem *p, const cv_plan *plan, row *r)
{
    int64_t d = 0, t = 0, tmax = 0;
    for (uint32_t ri = 0; ri < plan->nroutes; ri++) {
        const cv_plan_route *rt = &plan->routes[ri];
        d += rt->distance;
        for (uint32_t k = 0; k < rt->step_count; k++) {
            const cv_plan_step *s = &plan->steps[rt->step_first + k];
            if (s->type != CV_STEP_JOB) continue;
            const cv_task *tk = &p->tasks[s->index];
            int64_t end = p->tws[tk->tw_first + tk->tw_count - 1].end;
            int64_t late = s->arrival + s->waiting - end;
            if (late > 0) {
                t += late;
                if (late > tmax) tmax = late;
            }
        }
    }
    r->d = (double)d / SCALE;
    r->t = (double)t / SCALE;
    r->tmax = (double)tmax / SCALE;
    r->obj = (r->d + r->t + r->tmax) / 3.0;
}

static bool solve_one(const char *path, double tlim, uint64_t effort, uint64_t seed,
                      const char *save, row *r)
{
    cv_diag diag;
    cv_diag_clear(&diag);
    cv_problem *p = NULL;
    if (cv_convert_mankowska(&p, path, &diag) != CV_OK) {
        fprintf(stderr, "%s: %s\n", path, diag.msg);
        return false;
    }
    cv_solver_config cfg;
    cv_solver_config_init(&cfg);
    cfg.seed = seed;
    cfg.threads = 1;
    if (effort) {
        cfg.max_effort = effort;
    } else {
        cfg.max_effort = UINT64_MAX;
        cfg.time_limit_s = tlim;
    }
    cv_plan *plan = NULL;
    double c0 = cpu_now();
    cv_status st = cv_solver_run_stats(p, &cfg, &plan, &diag);
    r->cpu = cpu_now() - c0;
    r->iters = cfg.stat_iterations;
    if (st != CV_OK) {
        fprintf(stderr, "%s: solve: %s\n", path, diag.msg);
        cv_problem_destroy(p);
        return false;
    }
    r->secs = (double)plan->ms_solving / 1000.0;
    char *json = NULL;
    cv_check_report rep;
    memset(&rep, 0, sizeof rep);
    r->ok = cv_plan_to_json(plan, p, &json) == CV_OK &&
            cv_check_json(p, json, strlen(json), &rep, &diag) == CV_OK && rep.nviolations == 0 &&
            rep.nmismatches == 0 && plan->nunassigned == 0;
    for (uint32_t i = 0; i < rep.nmessages && i < 5; i++)
        fprintf(stderr, "%s: check: %s\n", path, rep.messages[i]);
    cv_check_report_fini(&rep);
    if (save && json) {
        char out[2048];
        snprintf(out, sizeof out, "%.1000s/%.60s.json", save, r->name);
        FILE *f = fopen(out, "w");
        if (f) {
            fputs(json, f);
            fclose(f);
        }
    }
    measure(p, plan, r);
    free(json);
    cv_plan_destroy(plan);
    cv_problem_destroy(p);
    return true;
}

int main(int argc, char **argv)
{
    const char *dir = "../shared/datasets/vrp/hhc", *only = NULL, *save = NULL;
    double tlim = 10;
    uint64_t effort = 0, seed = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--dir") && i + 1 < argc)
            dir = argv[++i];
        else if (!strcmp(argv[i], "--time") && i + 1 < argc)
            tlim = atof(argv[++i]);
        else if (!strcmp(argv[i], "--effort") && i + 1 < argc)
            effort = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--only") && i + 1 < argc)
            only = argv[++i];
        else if (!strcmp(argv[i], "--save") && i + 1 < argc)
            save = argv[++i];
        else {
            fprintf(stderr, "usage: care_mankowska [--dir DIR] [--time S] [--effort N] [--seed N] "
                            "[--only PREFIX] [--save DIR]\n");
            return 2;
        }
    }
    static char path[32768];
    snprintf(path, sizeof path, "%s/bks.csv", dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "care_mankowska: cannot open %s\n", path);
        return 1;
    }
    static row rows[MAXI];
    int n = 0;
    char line[2048];
    if (!fgets(line, sizeof line, f)) line[0] = '\0'; /* header */
    while (n < MAXI && fgets(line, sizeof line, f)) {
        char name[64];
        int cust;
        double bks;
        /* instance,customers,vehicles_bks(empty),distance_bks,... */
        if (sscanf(line, "%63[^,],%d,,%lf", name, &cust, &bks) != 3) continue;
        if (only && strncmp(name, only, strlen(only)) != 0) continue;
        snprintf(rows[n].name, sizeof rows[n].name, "%s", name);
        rows[n].group = group_of(cust);
        rows[n].bks = bks;
        n++;
    }
    fclose(f);
    printf("%-28s %5s %9s %9s %9s %9s %9s %7s %6s %8s\n", "instance", "group", "D", "T", "Tmax",
           "Z", "BKS", "gap%", "cpu_s", "iters");
    int fails = 0;
    for (int i = 0; i < n; i++) {
        row *r = &rows[i];
        if (snprintf(path, sizeof path, "%s/mankowska/%s.txt", dir, r->name) >= (int)sizeof path) {
            fprintf(stderr, "care_mankowska: %s: path too long\n", dir);
            return 2;
        }
        if (!solve_one(path, tlim, effort, seed, save, r)) {
            r->ok = false;
            fails++;
            printf("%-28s %5c FAILED\n", r->name, r->group);
            continue;
        }
        if (!r->ok) fails++;
        printf("%-28s %5c %9.2f %9.2f %9.2f %9.2f %9.2f %7.2f %6.1f %8llu%s\n", r->name, r->group,
               r->d, r->t, r->tmax, r->obj, r->bks, 100.0 * (r->obj - r->bks) / r->bks, r->cpu,
               (unsigned long long)r->iters, r->ok ? "" : "  CHECK FAILED");
        fflush(stdout);
    }
    printf("\n%-5s %4s %10s %10s %10s\n", "group", "n", "mean_gap%", "worst_gap%", "mean_cpu_s");
    for (const char *g = "ABCDEFG"; *g; g++) {
        double sum = 0, worst = -1e9, cpu = 0;
        int k = 0;
        for (int i = 0; i < n; i++)
            if (rows[i].group == *g && rows[i].obj > 0) {
                double gap = 100.0 * (rows[i].obj - rows[i].bks) / rows[i].bks;
                sum += gap;
                cpu += rows[i].cpu;
                if (gap > worst) worst = gap;
                k++;
            }
        if (k) printf("%-5c %4d %10.2f %10.2f %10.1f\n", *g, k, sum / k, worst, cpu / k);
    }
    printf("plans failing the checker or leaving visits unplanned: %d\n", fails);
    return fails ? 1 : 0;
}
