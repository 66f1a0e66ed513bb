#define _POSIX_C_SOURCE 200809L
/* Benchmark of cv_lp_bound on Solomon's VRPTW instances (DIMACS convention,
 * distance-trunc1 best known solutions): for each instance the bound, its
 * gap (BKS - bound) / BKS, the minimum-fleet bound against the BKS fleet, and
 * a validity check (bound <= BKS, fleet bound <= BKS fleet).  Per-class mean
 * gaps at the end; exit status 1 when any bound is invalid.
 *
 *   lp_bound [-t seconds] [-n ng] [-F] [-v] SOLOMON_DIR BKS_CSV [INSTANCE...]
 * Also reads Gehring & Homberger (same format): pass its size folder and its
 * bks.csv, and the instance names.
 * -F: skip the minimum-fleet LP (all the time goes to the cost bound).
 * -c: the time limit counts CPU time of the bounding thread, not wall time
 *    (the machine is shared; "seconds" is then CPU seconds too).
 * -B: monodirectional labelling (default: bidirectional).
 * -A: fixed Wentges smoothing (default: automatic, Pessoa et al. 2018).
 * -k N: at most N subset-row cuts (0: none; default that of cv_lp_bound).
 * -e N: stop on N label extensions instead of the clock (deterministic;
 *    the time limit is then off).
 * -u EFFORT: first solve with the local search at this deterministic effort
 *    (0: its default) and hand the plan's cost to the bound as upper_bound
 *    (cv/lp.h (10a)); its time is printed apart ("ub_s"), not in "seconds".
 * "Mlabel": millions of label extensions, the deterministic work measure. */
#include "cv/engine.h"
#include "cv/lp.h"
#include "cv/solver.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct bks {
    char name[16];
    double dist;
    unsigned vehicles;
} bks;

static int load_bks(const char *path, bks *out, int max)
{
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char line[1024];
    int n = 0;
    while (n < max && fgets(line, sizeof line, f)) {
        char name[64], conv[64];
        unsigned cust, veh;
        double d;
        if (sscanf(line, "%63[^,],%u,%u,%lf,%63[^,]", name, &cust, &veh, &d, conv) != 5) continue;
        if (strcmp(conv, "distance-trunc1") || strlen(name) >= sizeof out->name) continue;
        snprintf(out[n].name, sizeof out[n].name, "%s", name);
        out[n].dist = d;
        out[n].vehicles = veh;
        n++;
    }
    fclose(f);
    return n;
}

static const char *const classes[] = {"C1", "C2", "R1", "R2", "RC1", "RC2"};

/* Solomon "RC101" and Gehring & Homberger "rc1_2_1" alike. */
static int class_of(const char *name)
{
    const bool r = name[0] == 'R' || name[0] == 'r', rc = r && (name[1] == 'C' || name[1] == 'c');
    const char digit = name[rc ? 2 : 1];
    if (rc) return digit == '1' ? 4 : 5;
    if (r) return digit == '1' ? 2 : 3;
    return digit == '1' ? 0 : 1;
}

int main(int argc, char **argv)
{
    cv_lp_bound_config cfg;
    cv_lp_bound_config_init(&cfg);
    cfg.time_limit_s = 60;
    int opt;
    bool use_ub = false;
    uint64_t ub_effort = 0;
    while ((opt = getopt(argc, argv, "t:n:Fvu:e:ck:BA")) != -1) {
        if (opt == 't')
            cfg.time_limit_s = atof(optarg);
        else if (opt == 'n')
            cfg.ng_size = (uint32_t)atoi(optarg);
        else if (opt == 'A')
            cfg.auto_smoothing = false;
        else if (opt == 'B')
            cfg.bidirectional = false;
        else if (opt == 'c')
            cfg.cpu_time = true;
        else if (opt == 'k')
            cfg.max_cuts = (uint32_t)atoi(optarg);
        else if (opt == 'F')
            cfg.min_vehicles = false;
        else if (opt == 'e') {
            cfg.max_effort = strtoull(optarg, NULL, 10);
            cfg.time_limit_s = 0; /* deterministic: the effort alone stops it */
        } else if (opt == 'v')
            cv_log_level++;
        else if (opt == 'u') {
            use_ub = true;
            ub_effort = strtoull(optarg, NULL, 10);
        } else {
            fprintf(stderr, "usage: lp_bound [-t s] [-c] [-k cuts] [-n ng] [-F] [-u effort] "
                            "SOLOMON_DIR BKS_CSV "
                            "[INSTANCE...]\n");
            return 2;
        }
    }
    if (argc - optind < 2) {
        fprintf(stderr, "usage: lp_bound [-t s] [-c] [-k cuts] [-n ng] [-F] [-u effort] "
                        "SOLOMON_DIR BKS_CSV [INSTANCE...]\n");
        return 2;
    }
    const char *dir = argv[optind], *csv = argv[optind + 1];
    static bks b[256];
    int nb = load_bks(csv, b, 256);
    if (nb <= 0) {
        fprintf(stderr, "cannot read distance-trunc1 rows of %s\n", csv);
        return 2;
    }
    double sum[6] = {0}, tsum[6] = {0};
    int cnt[6] = {0}, conv[6] = {0}, invalid = 0;
    printf("%-6s %9s %9s %7s %5s %4s %4s %6s %6s %4s %8s %9s %4s %6s %7s\n", "inst", "bks", "bound",
           "gap%", "conv", "fleet", "bksV", "iters", "cols", "cuts",
           cfg.cpu_time ? "cpu_s" : "seconds", "ub", "K", "ub_s", "Mlabel");
    for (int k = 0; k < nb; k++) {
        if (argc - optind > 2) {
            bool want = false;
            for (int a = optind + 2; a < argc; a++) want |= !strcmp(argv[a], b[k].name);
            if (!want) continue;
        }
        char path[9000];
        snprintf(path, sizeof path, "%s/%s.txt", dir, b[k].name);
        cv_problem *p = NULL;
        cv_diag diag;
        cv_diag_clear(&diag);
        if (cv_convert_solomon(&p, path, &diag)) {
            fprintf(stderr, "%s: %s\n", path, diag.msg);
            continue;
        }
        double ub = 0, ub_s = 0;
        if (use_ub) {
            cv_solver_config sc;
            cv_solver_config_init(&sc);
            sc.max_effort = ub_effort;
            cv_plan *plan = NULL;
            const double t0 = cv_clock_now();
            if (cv_solver_run(p, &sc, &plan, &diag) == CV_OK && plan->nunassigned == 0)
                ub = (double)plan->cost;
            ub_s = cv_clock_now() - t0;
            cv_plan_destroy(plan);
        }
        cfg.upper_bound = ub;
        cv_lp_bound_result r;
        cv_status st = cv_lp_bound(p, &cfg, &r, &diag);
        cv_problem_destroy(p);
        if (st) {
            printf("%-6s error %s %s\n", b[k].name, cv_status_name(st), diag.msg);
            invalid++;
            continue;
        }
        const double bk = round(b[k].dist * 10.0);
        const double gap = 100.0 * (bk - r.lower_bound) / bk;
        const bool ok =
            r.lower_bound <= bk && (!cfg.min_vehicles || r.min_vehicles <= b[k].vehicles);
        if (!ok) invalid++;
        printf("%-6s %9.0f %9.1f %7.2f %5s %4u %4u %6u %6u %4u %8.1f %9.0f %4u %6.1f %7.1f%s\n",
               b[k].name, bk, r.lower_bound, gap, r.converged ? "yes" : "no", r.min_vehicles,
               b[k].vehicles, r.iterations, r.columns, r.cuts, r.seconds, ub, r.fleet, ub_s,
               (double)r.effort / 1e6, ok ? "" : "  INVALID");
        fflush(stdout);
        const int c = class_of(b[k].name);
        sum[c] += gap;
        tsum[c] += r.seconds;
        conv[c] += r.converged;
        cnt[c]++;
    }
    printf("\nclass  n  mean_gap%%  converged  mean_s\n");
    for (int c = 0; c < 6; c++)
        if (cnt[c])
            printf("%-5s %2d  %8.2f  %5d/%-3d %7.1f\n", classes[c], cnt[c], sum[c] / cnt[c],
                   conv[c], cnt[c], tsum[c] / cnt[c]);
    printf("invalid bounds: %d\n", invalid);
    return invalid ? 1 : 0;
}
