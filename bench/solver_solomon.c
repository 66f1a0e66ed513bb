/* Solver benchmark on the Solomon (VRPTW) or Li & Lim (PDPTW) instances.
 *
 * For every instance of DIR (default ../shared/datasets/vrp/solomon): convert
 * (DIMACS convention: floor(10 * euclid) tenths), solve with one thread and a
 * wall-clock limit per instance (or a fixed effort), write the plan as JSON
 * and verify it with the independent checker (a plan with any violation or
 * mismatch counts as a failure), then compare the distance with the BKS of
 * DIR/bks.csv: Solomon rows `distance-trunc1` (distance-first, DIMACS),
 * Li & Lim rows `hierarchical-real` (vehicles first; our objective is
 * distance only, so both figures are shown).  Prints one line per instance
 * and the mean / worst gap per class; with --vroom CSV, VROOM's mean gap per
 * class at exploration level 5 from the baselines file, side by side.
 *
 * With --cvrplib the instances are CVRPLIB .vrp files (X set): rounded
 * Euclidean distances, BKS rows `distance-nint`.
 *
 * usage: solver_solomon [--dir DIR] [--lilim|--cvrplib] [--time S|--cpu S] [--effort N]
 *                       [--seed N] [--only PREFIX] [--vroom CSV] [--ls OPS]
 *                       [--ls-when auto|recreate|best] [--bks CSV] [--conv CONVENTION]
 *                       [--threads N] [--vehicles-first]
 *                       [--setpart]
 * --time: wall-clock seconds per instance; --cpu: CPU seconds of the (one)
 * search thread per instance (cv_solver_config.time_limit_cpu), which gives the
 * same search on a loaded machine as --time on an idle one.  The `cpu s`
 * column is the process CPU time (CLOCK_PROCESS_CPUTIME_ID) of the whole
 * solve, `Mu/cpu s` the work units spent per CPU second.
 * --bks: the BKS file when it is not DIR/bks.csv (Gehring & Homberger: one
 * file for the three size folders); --conv: its row convention.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cv/engine.h"
#include "cv/solver.h"

#define MAXI 128

typedef struct row {
    char name[32];
    char cls[8];
    double bks_dist;
    int bks_veh;
    bool has_bks;
    double dist;
    int veh;
    bool ok;
    double secs, cpu;
    uint64_t iters, effort;
} row;

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_str(const void *a, const void *b)
{
    return strcasecmp(*(char *const *)a, *(char *const *)b);
}

static void class_of(const char *name, char *cls, size_t n)
{
    /* C101 -> C1, RC204 -> RC2, lrc104 -> LRC1 */
    size_t k = 0;
    while (name[k] && !(name[k] >= '0' && name[k] <= '9') && k + 2 < n) {
        cls[k] = (char)(name[k] >= 'a' && name[k] <= 'z' ? name[k] - 32 : name[k]);
        k++;
    }
    if (name[k] && k + 1 < n) cls[k] = name[k], k++;
    cls[k] = 0;
}

/* The BKS row of INST under convention CONV. The route count may be empty
 * (some 400-customer rows give only the distance): *veh is then -1 and the
 * class's route difference skips that instance. */
static bool load_bks(const char *path, const char *conv, const char *inst, double *dist, int *veh)
{
    FILE *f = fopen(path, "r");
    if (!f) return false;
    char line[1024];
    bool found = false;
    while (fgets(line, sizeof line, f)) {
        char *col[5];
        int n = 0;
        for (char *s = line; n < 5; s++) {
            col[n++] = s;
            s = strchr(s, ',');
            if (!s) break;
            *s = 0;
        }
        if (n < 5) continue;
        col[4][strcspn(col[4], ",\r\n")] = 0;
        char *end;
        double d = strtod(col[3], &end);
        if (end == col[3] || strcasecmp(col[0], inst) != 0 || strcmp(col[4], conv) != 0) continue;
        *dist = d;
        *veh = *col[2] ? atoi(col[2]) : -1;
        found = true;
    }
    fclose(f);
    return found;
}

/* VROOM's DIMACS gap (gap_t1_pct, last column) at level 5 for an instance. */
static bool vroom_gap(const char *csv, const char *inst, double *gap, double *wall)
{
    FILE *f = csv ? fopen(csv, "r") : NULL;
    if (!f) return false;
    char line[2048];
    bool found = false;
    while (fgets(line, sizeof line, f)) {
        char *cols[32];
        int n = 0;
        for (char *tok = strtok(line, ",\n"); tok && n < 32; tok = strtok(NULL, ",\n"))
            cols[n++] = tok;
        if (n >= 19 && strcasecmp(cols[0], inst) == 0 && strcmp(cols[2], "5") == 0) {
            *gap = atof(cols[18]);
            *wall = atof(cols[7]);
            found = true;
        }
    }
    fclose(f);
    return found;
}

int main(int argc, char **argv)
{
    const char *dir = "../shared/datasets/vrp/solomon", *only = NULL, *vroom = NULL;
    const char *bks_path = NULL, *conv_arg = NULL;
    unsigned threads = 1;
    double tlim = 2.0;
    bool cpu_limit = false;
    uint64_t effort = 0, seed = 1;
    bool lilim = false, cvrplib = false, setpart = false;
    if (getenv("CV_LOG")) cv_log_level = atoi(getenv("CV_LOG"));
    int objective = CV_OBJECTIVE_COST;
    unsigned ls = CV_SOLVER_LS_DEFAULT;
    int ls_when = CV_SOLVER_LS_WHEN_DEFAULT;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--dir") && i + 1 < argc)
            dir = argv[++i];
        else if (!strcmp(argv[i], "--lilim"))
            lilim = true;
        else if (!strcmp(argv[i], "--setpart"))
            setpart = true;
        else if (!strcmp(argv[i], "--cvrplib"))
            cvrplib = true;
        else if (!strcmp(argv[i], "--vehicles-first"))
            objective = CV_OBJECTIVE_VEHICLES;
        else if (!strcmp(argv[i], "--ls") && i + 1 < argc && cv_solver_ls_parse(argv[i + 1], &ls))
            i++;
        else if (!strcmp(argv[i], "--ls-when") && i + 1 < argc) {
            const char *w = argv[++i];
            ls_when = !strcmp(w, "best")       ? CV_LS_WHEN_BEST
                      : !strcmp(w, "recreate") ? CV_LS_WHEN_RECREATE
                      : !strcmp(w, "auto")     ? CV_LS_WHEN_AUTO
                                               : -1;
            if (ls_when < 0) {
                fprintf(stderr, "--ls-when %s: expected auto, recreate or best\n", w);
                return 2;
            }
        } else if (!strcmp(argv[i], "--time") && i + 1 < argc)
            tlim = atof(argv[++i]);
        else if (!strcmp(argv[i], "--cpu") && i + 1 < argc)
            tlim = atof(argv[++i]), cpu_limit = true;
        else if (!strcmp(argv[i], "--effort") && i + 1 < argc)
            effort = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--only") && i + 1 < argc)
            only = argv[++i];
        else if (!strcmp(argv[i], "--bks") && i + 1 < argc)
            bks_path = argv[++i];
        else if (!strcmp(argv[i], "--conv") && i + 1 < argc)
            conv_arg = argv[++i];
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            threads = (unsigned)atoi(argv[++i]);
        else if (!strcmp(argv[i], "--vroom") && i + 1 < argc)
            vroom = argv[++i];
        else {
            fprintf(
                stderr,
                "usage: %s [--dir DIR] [--lilim|--cvrplib] [--time S|--cpu S] [--effort N] [--seed "
                "N] "
                "[--only PREFIX] [--vroom CSV] [--ls OPS] [--ls-when auto|recreate|best] [--bks "
                "CSV] "
                "[--conv CONVENTION] [--threads N] [--vehicles-first] [--setpart]\n",
                argv[0]);
            return 2;
        }
    }
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "solver_solomon: cannot open %s\n", dir);
        return 2;
    }
    char *names[MAXI];
    int nn = 0;
    struct dirent *e;
    while ((e = readdir(d)) && nn < MAXI) {
        size_t l = strlen(e->d_name);
        if (l > 4 && strcmp(e->d_name + l - 4, cvrplib ? ".vrp" : ".txt") == 0 &&
            (!only || strncasecmp(e->d_name, only, strlen(only)) == 0))
            names[nn++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, (size_t)nn, sizeof *names, cmp_str);
    char bks[1200];
    snprintf(bks, sizeof bks, "%s", bks_path ? bks_path : dir);
    if (!bks_path) strncat(bks, "/bks.csv", sizeof bks - strlen(bks) - 1);
    const char *conv = conv_arg  ? conv_arg
                       : lilim   ? "hierarchical-real"
                       : cvrplib ? "distance-nint"
                                 : "distance-trunc1";
    row *rows = calloc((size_t)nn + 1, sizeof *rows);
    int fails = 0;
    printf("# %s, %s, %u thread(s), %s\n", dir, conv, threads,
           effort      ? "fixed effort"
           : cpu_limit ? "CPU-time limit"
                       : "wall-clock limit");
    printf("%-8s %5s %10s %5s %10s %8s %6s %6s %8s %10s %8s\n", "inst", "veh", "dist", "bveh",
           "bks", "gap%", "wall s", "cpu s", "iters", "effort", "Mu/cpu s");
    for (int i = 0; i < nn; i++) {
        row *r = &rows[i];
        snprintf(r->name, sizeof r->name, "%.*s", (int)(strlen(names[i]) - 4), names[i]);
        class_of(r->name, r->cls, sizeof r->cls);
        char path[1400];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        cv_problem *p = NULL;
        cv_diag dg;
        cv_diag_clear(&dg);
        cv_status s = lilim     ? cv_convert_lilim(&p, path, &dg)
                      : cvrplib ? cv_convert_cvrplib(&p, path, &dg)
                                : cv_convert_solomon(&p, path, &dg);
        if (s != CV_OK) {
            fprintf(stderr, "%s: %s\n", path, dg.msg);
            fails++;
            continue;
        }
        cv_solver_config cfg;
        cv_solver_config_init(&cfg);
        cfg.seed = seed;
        cfg.threads = threads < 1 ? 1 : threads;
        cfg.local_search = ls;
        cfg.ls_when = ls_when;
        cfg.objective = objective;
        cfg.setpart = setpart;
        if (effort)
            cfg.max_effort = effort;
        else {
            cfg.max_effort = UINT64_MAX;
            cfg.time_limit_s = tlim;
            cfg.time_limit_cpu = cpu_limit;
        }
        cv_plan *plan = NULL;
        double t0 = cv_clock_now(), c0 = cpu_now();
        s = cv_solver_run_stats(p, &cfg, &plan, &dg);
        r->secs = cv_clock_now() - t0;
        r->cpu = cpu_now() - c0;
        r->iters = cfg.stat_iterations;
        r->effort = cfg.stat_effort;
        if (s != CV_OK) {
            fprintf(stderr, "%s: solve: %s\n", r->name, cv_status_message(s));
            fails++;
            cv_problem_destroy(p);
            continue;
        }
        char *text = NULL;
        cv_check_report rep;
        memset(&rep, 0, sizeof rep);
        r->ok = cv_plan_to_json(plan, p, &text) == CV_OK &&
                cv_check_json(p, text, strlen(text), &rep, &dg) == CV_OK && rep.nviolations == 0 &&
                rep.nmismatches == 0 && plan->nunassigned == 0;
        if (!r->ok) fails++;
        r->dist = cvrplib ? (double)plan->distance : (double)plan->distance / 10.0;
        r->veh = (int)plan->nroutes;
        r->has_bks = load_bks(bks, conv, r->name, &r->bks_dist, &r->bks_veh);
        double gap = r->has_bks ? 100.0 * (r->dist - r->bks_dist) / r->bks_dist : NAN;
        printf("%-8s %5d %10.1f %5d %10.2f %8.2f %6.2f %6.2f %8llu %10.3g %8.1f%s\n", r->name,
               r->veh, r->dist, r->bks_veh, r->bks_dist, gap, r->secs, r->cpu,
               (unsigned long long)r->iters, (double)r->effort,
               r->cpu > 0 ? (double)r->effort / r->cpu * 1e-6 : 0.0, r->ok ? "" : "  CHECK FAILED");
        fflush(stdout);
        cv_check_report_fini(&rep);
        free(text);
        cv_plan_destroy(plan);
        cv_problem_destroy(p);
    }
    /* Per class. */
    printf("\n%-6s %4s %9s %9s %9s %8s %8s %10s\n", "class", "n", "mean gap", "worst", "veh-bks",
           "wall s", "cpu s", "vroom x5");
    const char *seen[32];
    int nseen = 0;
    double all_sum = 0, all_vsum = 0;
    int all_n = 0, all_vn = 0;
    for (int i = 0; i < nn; i++) {
        bool dup = false;
        for (int k = 0; k < nseen; k++) dup |= strcmp(seen[k], rows[i].cls) == 0;
        if (dup || !rows[i].has_bks) continue;
        seen[nseen++] = rows[i].cls;
        double sum = 0, worst = -1e9, secs = 0, cpu = 0, vsum = 0;
        int n = 0, dveh = 0, vn = 0;
        for (int j = 0; j < nn; j++) {
            if (strcmp(rows[j].cls, rows[i].cls) || !rows[j].has_bks) continue;
            double g = 100.0 * (rows[j].dist - rows[j].bks_dist) / rows[j].bks_dist;
            sum += g;
            if (g > worst) worst = g;
            secs += rows[j].secs;
            cpu += rows[j].cpu;
            if (rows[j].bks_veh >= 0) dveh += rows[j].veh - rows[j].bks_veh;
            n++;
            double vg, vw;
            if (vroom_gap(vroom, rows[j].name, &vg, &vw)) {
                vsum += vg;
                vn++;
            }
        }
        all_sum += sum;
        all_n += n;
        all_vsum += vsum;
        all_vn += vn;
        char vbuf[32] = "-";
        if (vn) snprintf(vbuf, sizeof vbuf, "%.2f", vsum / vn);
        printf("%-6s %4d %8.2f%% %8.2f%% %+9d %8.2f %8.2f %10s\n", rows[i].cls, n, sum / n, worst,
               dveh, secs / n, cpu / n, vbuf);
    }
    if (all_n) {
        char vbuf[32] = "-";
        if (all_vn) snprintf(vbuf, sizeof vbuf, "%.2f", all_vsum / all_vn);
        printf("%-6s %4d %8.2f%% %9s %9s %8s %8s %10s\n", "all", all_n, all_sum / all_n, "", "", "",
               "", vbuf);
    }
    printf("plans failing the checker or leaving tasks unassigned: %d\n", fails);
    for (int i = 0; i < nn; i++) free(names[i]);
    free(rows);
    return fails ? 1 : 0;
}
