/* The `carevan` command: one binary, one subcommand per job.
 *
 *   solve    PROBLEM.json  -> VROOM-shaped solution (the planner's daily job)
 *   check    PROBLEM.json SOLUTION.json   (the independent plan checker)
 *   convert  --from solomon|lilim|cvrplib|mankowska FILE    (benchmarks -> VROOM JSON)
 *   import / route / matrix               (road graph, when built with graph/)
 *
 * Exit codes: 0 ok, 1 failure or (check) violations, 2 bad input. */
#define _POSIX_C_SOURCE 200809L
#include "cv/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_int.h"
#include "cv/live.h"
#include "cv/lp.h"
#include "cv/solver.h"
#ifdef CV_GRAPH_AVAILABLE
#include "cv/graph.h"
#endif
#ifdef CV_SERVER_AVAILABLE
#include "cv/server.h"
#endif

#define EXIT_BAD_INPUT 2

static const char *usage_main =
    "carevan " CV_VERSION_STRING " - route optimisation for home and rural elderly care\n"
    "\n"
    "usage: carevan <command> [options]\n"
    "\n"
    "commands:\n"
    "  solve PROBLEM.json      plan visits (VROOM JSON in, VROOM-shaped JSON out)\n"
    "  check PROBLEM.json SOLUTION.json\n"
    "                          verify a plan independently of the solver\n"
    "  convert --from solomon|lilim|cvrplib|mankowska FILE\n"
    "                          turn a benchmark instance into VROOM JSON\n"
    "  import CITY.osm.pbf -o CITY.cvg\n"
    "                          build a road graph from OpenStreetMap data\n"
    "  route CITY.cvg --profile car LON,LAT LON,LAT ...\n"
    "  matrix CITY.cvg --profile car POINTS.csv\n"
    "  serve [--graph CITY.cvg] [--listen 127.0.0.1:7700] [--data DIR] [--auth TOKENS]\n"
    "                          MessagePack-RPC planning server (server/PROTOCOL.md)\n"
    "  scenario CITY.cvg -o DAY.json\n"
    "                          generate a realistic day of home care on the map\n"
    "  map PLAN.json PROBLEM.json [--graph CITY.cvg] -o MAP.html\n"
    "                          the plan as one self-contained HTML map\n"
    "  simulate PROBLEM.json [EVENTS.json]\n"
    "                          run a day live: events, urgent visits, re-plans, all checked\n"
    "  coverage CITY.cvg --sites SITES.csv --clients CLIENTS.csv [--minutes 15]\n"
    "                          service circles, new sites (--add K), caravan stops (--stops)\n"
    "\n"
    "`carevan <command> --help` describes each command.  --version prints the version.\n";

static int write_text(const char *path, const char *text)
{
    if (!path || strcmp(path, "-") == 0) {
        if (fputs(text, stdout) == EOF || fputc('\n', stdout) == EOF || fflush(stdout) != 0) {
            fprintf(stderr, "carevan: cannot write to stdout\n");
            return 1;
        }
        return 0;
    }
    /* Write to a temporary file and rename: a crash never leaves half a plan. */
    size_t n = strlen(path) + 16;
    char *tmp = malloc(n);
    if (!tmp) return 1;
    snprintf(tmp, n, "%s.tmp%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        fprintf(stderr, "carevan: cannot write %s\n", path);
        free(tmp);
        return 1;
    }
    bool ok = fputs(text, f) != EOF && fputc('\n', f) != EOF;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        fprintf(stderr, "carevan: cannot write %s\n", path);
        remove(tmp);
        free(tmp);
        return 1;
    }
    free(tmp);
    return 0;
}

int cv__cli_write_text(const char *path, const char *text)
{
    return write_text(path, text);
}

static bool parse_u64(const char *s, uint64_t *out)
{
    char *end;
    if (!s || !*s || *s == '-') return false;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end) return false;
    *out = v;
    return true;
}

static bool parse_double(const char *s, double *out)
{
    char *end;
    if (!s || !*s) return false;
    double v = strtod(s, &end);
    if (*end || !(v >= 0) || v > 1e9) return false;
    *out = v;
    return true;
}

/* ---- check ---- */

static const char *usage_check =
    "usage: carevan check PROBLEM.json SOLUTION.json [--graph CITY.cvg] [--quiet]\n"
    "\n"
    "Recomputes every arrival, wait, load, distance and cost of SOLUTION from PROBLEM\n"
    "alone (sharing no code with the solver) and lists each constraint violation and\n"
    "each field that disagrees.  Exit 0: valid; 1: violations; 2: unreadable input.\n"
    "  --graph FILE  travel times from this road graph, for problems with coordinates\n";

static int cmd_check(int argc, char **argv)
{
    const char *files[2] = {NULL, NULL};
    const char *graph = NULL;
    int nfiles = 0;
    bool quiet = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(usage_check, stdout);
            return 0;
        } else if (!strcmp(argv[i], "--graph") && i + 1 < argc) {
            graph = argv[++i];
        } else if (!strcmp(argv[i], "--quiet") || !strcmp(argv[i], "-q")) {
            quiet = true;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "carevan check: unknown option %s\n%s", argv[i], usage_check);
            return EXIT_BAD_INPUT;
        } else if (nfiles < 2) {
            files[nfiles++] = argv[i];
        } else {
            fprintf(stderr, "carevan check: too many arguments\n%s", usage_check);
            return EXIT_BAD_INPUT;
        }
    }
    if (nfiles != 2) {
        fputs(usage_check, stderr);
        return EXIT_BAD_INPUT;
    }
    cv_diag diag;
    cv_diag_clear(&diag);
    cv_problem *p = NULL;
    if (cv_problem_from_json_file(&p, files[0], &diag) != CV_OK) {
        fprintf(stderr, "carevan check: %s: %s\n", files[0], diag.msg);
        return EXIT_BAD_INPUT;
    }
    if (!cv_problem_has_matrices(p)) {
        cv_status gs = CV_EINVAL;
#ifdef CV_GRAPH_AVAILABLE
        if (graph) {
            cv_graph *g = NULL;
            gs = cv_graph_load(&g, graph, &diag);
            if (gs == CV_OK) gs = cv_engine_fill_matrices(p, g, 1, &diag);
            cv_graph_destroy(g);
        } else
#endif
            cv_diag_set(&diag, "the problem gives coordinates but no matrices; pass --graph "
                               "CITY.cvg, the graph the plan was made with");
        if (gs != CV_OK) {
            fprintf(stderr, "carevan check: %s: %s\n", files[0], diag.msg);
            cv_problem_destroy(p);
            return EXIT_BAD_INPUT;
        }
    }
    (void)graph;
    char *sol;
    size_t len;
    if (cv_read_file(files[1], CV_MAX_INPUT_BYTES, &sol, &len, &diag) != CV_OK) {
        fprintf(stderr, "carevan check: %s\n", diag.msg);
        cv_problem_destroy(p);
        return EXIT_BAD_INPUT;
    }
    cv_check_report rep;
    memset(&rep, 0, sizeof rep);
    cv_status s = cv_check_json(p, sol, len, &rep, &diag);
    free(sol);
    int code;
    if (s != CV_OK) {
        fprintf(stderr, "carevan check: %s: %s\n", files[1], diag.msg);
        code = EXIT_BAD_INPUT;
    } else {
        for (uint32_t i = 0; i < rep.nmessages; i++) printf("%s\n", rep.messages[i]);
        if (!quiet)
            fprintf(stderr,
                    "carevan check: %s: %u violation%s, %u mismatch%s; %u routes, %u tasks "
                    "assigned, %u unassigned, cost %lld, travel %lld, distance %lld\n",
                    rep.nviolations + rep.nmismatches ? "INVALID" : "valid", rep.nviolations,
                    rep.nviolations == 1 ? "" : "s", rep.nmismatches,
                    rep.nmismatches == 1 ? "" : "es", rep.routes, rep.assigned, rep.unassigned,
                    (long long)rep.cost, (long long)rep.duration, (long long)rep.distance);
        code = rep.nviolations + rep.nmismatches ? 1 : 0;
    }
    cv_check_report_fini(&rep);
    cv_problem_destroy(p);
    return code;
}

/* ---- convert ---- */

static const char *usage_convert =
    "usage: carevan convert --from solomon|lilim|cvrplib|mankowska FILE [-o PROBLEM.json]\n"
    "\n"
    "Solomon and Gehring & Homberger files (--from solomon) and Li & Lim files\n"
    "(--from lilim) become VROOM JSON with matrices on the DIMACS convention:\n"
    "travel time = distance = floor(10 * euclidean distance), service times and\n"
    "windows times 10, so totals are in tenths of the instance's unit.\n"
    "Mankowska et al. home health care files (--from mankowska) use the care\n"
    "extensions (skills per service, together/precedence relations, soft windows)\n"
    "with times and distances multiplied by 100.\n"
    "CVRPLIB files (--from cvrplib: TSPLIB format, EUC_2D, one depot) keep the\n"
    "CVRPLIB convention: distance = travel time = nint(euclidean distance), no\n"
    "time windows; fleet VEHICLES or 2 x ceil(total demand / capacity) + 5.\n";

static int cmd_convert(int argc, char **argv)
{
    const char *from = NULL, *file = NULL, *out = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(usage_convert, stdout);
            return 0;
        } else if (!strcmp(argv[i], "--from") && i + 1 < argc) {
            from = argv[++i];
        } else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
            out = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "carevan convert: unknown option %s\n%s", argv[i], usage_convert);
            return EXIT_BAD_INPUT;
        } else if (!file) {
            file = argv[i];
        } else {
            fprintf(stderr, "carevan convert: too many arguments\n%s", usage_convert);
            return EXIT_BAD_INPUT;
        }
    }
    if (!from || !file) {
        fputs(usage_convert, stderr);
        return EXIT_BAD_INPUT;
    }
    cv_diag diag;
    cv_diag_clear(&diag);
    cv_problem *p = NULL;
    cv_status s;
    if (!strcmp(from, "solomon") || !strcmp(from, "homberger"))
        s = cv_convert_solomon(&p, file, &diag);
    else if (!strcmp(from, "lilim"))
        s = cv_convert_lilim(&p, file, &diag);
    else if (!strcmp(from, "cvrplib"))
        s = cv_convert_cvrplib(&p, file, &diag);
    else if (!strcmp(from, "mankowska"))
        s = cv_convert_mankowska(&p, file, &diag);
    else {
        fprintf(stderr,
                "carevan convert: --from %s: expected solomon, lilim, cvrplib or mankowska\n",
                from);
        return EXIT_BAD_INPUT;
    }
    if (s != CV_OK) {
        fprintf(stderr, "carevan convert: %s\n", diag.set ? diag.msg : cv_status_message(s));
        return EXIT_BAD_INPUT;
    }
    char *text;
    s = cv_problem_to_json(p, &text);
    cv_problem_destroy(p);
    if (s != CV_OK) {
        fprintf(stderr, "carevan convert: %s\n", cv_status_message(s));
        return 1;
    }
    int code = write_text(out, text);
    free(text);
    return code;
}

/* ---- solve ---- */

static const char *usage_solve =
    "usage: carevan solve [PROBLEM.json] [-o SOLUTION.json] [--time-limit SECONDS [--cpu-time]]\n"
    "                     [--effort N] [--seed N] [--threads N] [--graph CITY.cvg] [--quiet]\n"
    "                     [--geojson FILE] [--gpx DIR] [--sheets DIR] [--map FILE.html]\n"
    "                     [--local-search OPS] [--ls-when auto|recreate|best]\n"
    "                     [--objective cost|vehicles]\n"
    "                     [--setpart on|off]\n"
    "\n"
    "Reads a VROOM JSON problem (stdin when no file or '-') and writes the plan in\n"
    "VROOM's output shape (stdout unless -o).  A short summary goes to stderr.\n"
    "  --time-limit S   wall-clock limit in seconds (default: effort-bound only)\n"
    "  --cpu-time       count --time-limit in CPU seconds of each search thread:\n"
    "                   on a busy machine the search still gets S seconds of CPU\n"
    "  --effort N       deterministic work budget (same seed + effort = same plan)\n"
    "  --seed N         random seed (default 1)\n"
    "  --threads N      worker threads (default 1): independent searches with\n"
    "                   seeds N, N+1, ...; the best plan wins (deterministic)\n"
    "  --local-search OPS  local-search operators, comma-separated: relocate,\n"
    "                   swap,cross,2opt,2opt*,oropt,pair,swap*, or all, none,\n"
    "                   default (all but swap*)\n"
    "  --ls-when W      where the local search runs: recreate (after every\n"
    "                   ruin-and-recreate step), best (on every new best plan)\n"
    "                   or auto (default: best with shipments or --objective\n"
    "                   vehicles, else recreate)\n"
    "  --objective O    cost (default) or vehicles: fewest routes first, then cost\n"
    "  --setpart on|off recombine the routes the search met by set partitioning\n"
    "                   (GLPK MIP, five times per run; default off)\n"
    "  --graph FILE     road graph from `carevan import`, for problems that give\n"
    "                   coordinates instead of matrices\n"
    "  --geojson FILE   also write the plan as GeoJSON (routes, stops, unassigned)\n"
    "  --gpx DIR        also write one GPX file per route (for navigation apps)\n"
    "  --sheets DIR     also write one printable HTML route sheet per route\n"
    "  --map FILE       also write the plan as one self-contained HTML map (roads\n"
    "                   from --graph, routes, stops, unassigned; opens offline)\n"
    "  --bound [S]      also prove a lower bound by column generation (GLPK), at\n"
    "                   most S seconds (default 10): summary.lower_bound, .gap,\n"
    "                   .lower_bound_relaxation and .min_vehicles\n"
    "\n"
    "A problem with a \"horizon\" (several days, docs/care-extensions.md) is planned\n"
    "day by day by the periodic planner: each route of the plan carries its \"day\".\n"
    "  --effort N       there: solver work units per day solved (the final polish of\n"
    "                   each day: 10 N; default: the solver's default)\n"
    "  --moves N        there: improvement moves between day patterns (default 30)\n"
    "  --no-polish      there: skip the final full-effort solve of each day\n";

/* A multi-day problem: the periodic planner (engine/periodic.c). */
static int solve_periodic(const cv_problem *p, const char *out, uint64_t seed, uint64_t effort,
                          uint64_t moves, bool polish, double time_limit, unsigned threads,
                          bool quiet, bool extras, double load_s)
{
    if (extras)
        fprintf(stderr, "carevan solve: note: --geojson, --gpx, --sheets, --map and --bound are "
                        "for one-day plans; not written for this multi-day problem\n");
    cv_periodic_config cfg;
    cv_periodic_config_init(&cfg);
    cfg.seed = seed;
    cfg.day_effort = effort;
    if (effort) cfg.polish_effort = effort * 10; /* else the solver's default */
    cfg.max_moves = (uint32_t)moves;
    cfg.polish = polish;
    cfg.time_limit_s = time_limit;
    cfg.threads = threads;
    cv_diag diag;
    cv_diag_clear(&diag);
    char *text = NULL;
    cv_periodic_result res;
    double t0 = cv_clock_now();
    cv_status s = cv_periodic_solve(p, &cfg, &text, &res, &diag);
    if (s != CV_OK) {
        fprintf(stderr, "carevan solve: %s\n", diag.set ? diag.msg : cv_status_message(s));
        return s == CV_EINVAL || s == CV_EUNSUPPORTED ? EXIT_BAD_INPUT : 1;
    }
    int code = write_text(out, text);
    free(text);
    if (code == 0 && !quiet)
        fprintf(stderr,
                "carevan: %u days, %u routes, %u visits; %u of %u jobs planned, %u unassigned; "
                "cost %lld; %u day solves, %u of %u moves kept; %.2f s (+%.2f s loading)\n",
                p->horizon_days, res.routes, res.visits, res.jobs_served,
                res.jobs_served + res.jobs_unassigned, res.jobs_unassigned, (long long)res.cost,
                cfg.stat_day_solves, cfg.stat_moves_accepted, cfg.stat_moves, cv_clock_now() - t0,
                load_s);
    return code;
}

/* Visits, as `carevan check` counts them: a visit with n workers is n tasks
 * (docs/care-extensions.md) but one visit, assigned or unassigned once. */
static void count_visits(const cv_problem *p, const cv_plan *plan, uint32_t *nvisits,
                         uint32_t *unassigned)
{
    uint32_t n = 0, u = 0;
    for (uint32_t t = 0; t < p->ntasks; t++)
        n += p->tasks[t].group_size <= 1 || p->tasks[t].group_first == t;
    uint8_t *seen = cv_calloc(p->ntasks + 1, 1); /* per visit (its first task) */
    for (uint32_t i = 0; i < plan->nunassigned; i++) {
        uint32_t t = plan->unassigned[i].task;
        uint32_t first = p->tasks[t].group_size > 1 ? p->tasks[t].group_first : t;
        if (seen && seen[first]) continue; /* another copy of a listed visit */
        if (seen) seen[first] = 1;
        u++;
    }
    free(seen);
    *nvisits = n;
    *unassigned = u;
}

static void human_duration(char *buf, size_t n, int64_t s)
{
    snprintf(buf, n, "%lldh%02lld", (long long)(s / 3600), (long long)(s % 3600 / 60));
}

/* Writes DIR/route-<vehicle id>.<ext> for each route with `fn`. */
static int write_per_route(const cv_plan *plan, const cv_problem *p, const char *dir,
                           const char *ext,
                           cv_status (*fn)(const cv_plan *, const cv_problem *, uint32_t, char **))
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "carevan solve: cannot create %s: %s\n", dir, strerror(errno));
        return 1;
    }
    for (uint32_t r = 0; r < plan->nroutes; r++) {
        char *text = NULL;
        if (fn(plan, p, r, &text) != CV_OK) {
            fprintf(stderr, "carevan solve: out of memory writing %s\n", dir);
            return 1;
        }
        char path[4096];
        snprintf(path, sizeof path, "%s/route-%llu.%s", dir,
                 (unsigned long long)p->vehicles[plan->routes[r].vehicle].id, ext);
        int code = write_text(path, text);
        free(text);
        if (code) return code;
    }
    return 0;
}

static int write_exports(const cv_plan *plan, const cv_problem *p, const char *geojson,
                         const char *gpx_dir, const char *sheet_dir)
{
    if (geojson) {
        char *text = NULL;
        if (cv_export_geojson(plan, p, &text) != CV_OK) return 1;
        int code = write_text(geojson, text);
        free(text);
        if (code) return code;
    }
    if (gpx_dir && write_per_route(plan, p, gpx_dir, "gpx", cv_export_gpx)) return 1;
    if (sheet_dir && write_per_route(plan, p, sheet_dir, "html", cv_export_sheet_html)) return 1;
    return 0;
}

/* The certified lower bound (solver/lp_bound.c) and what it says about the plan. */
static void add_bound(cv_plan *plan, const cv_problem *p, double seconds, bool quiet)
{
    cv_lp_bound_config cfg;
    cv_lp_bound_config_init(&cfg);
    cfg.time_limit_s = seconds;
    cfg.min_vehicles = true;
    /* A plan serving every task bounds the optimum: it lowers the fleet of
     * the Lagrangian bound (cv/lp.h (10a)). */
    if (plan->nunassigned == 0 && plan->cost > 0) cfg.upper_bound = (double)plan->cost;
    cv_lp_bound_result res;
    cv_diag diag;
    cv_diag_clear(&diag);
    cv_status s = cv_lp_bound(p, &cfg, &res, &diag);
    if (s != CV_OK) {
        fprintf(stderr, "carevan solve: no lower bound: %s\n",
                diag.set ? diag.msg : cv_status_message(s));
        return;
    }
    plan->min_vehicles = res.min_vehicles;
    /* The bound covers plans that serve every task some vehicle can serve. */
    uint32_t assigned = p->ntasks - plan->nunassigned;
    if (assigned < res.customers) {
        if (!quiet)
            fprintf(stderr,
                    "carevan: lower bound %.0f holds for plans serving %u tasks; this plan "
                    "serves %u, so no gap is stated\n",
                    res.lower_bound, res.customers, assigned);
        return;
    }
    plan->lower_bound = res.lower_bound;
    plan->bound_relaxation = strdup(res.relaxation);
    if (!quiet) {
        if (res.lower_bound > 0)
            fprintf(stderr,
                    "carevan: cost %lld is at most %.1f %% above the best possible (lower bound "
                    "%.0f%s, %.1f s); at least %u vehicle%s needed\n",
                    (long long)plan->cost,
                    100.0 * ((double)plan->cost - res.lower_bound) / res.lower_bound,
                    res.lower_bound, res.converged ? ", LP solved" : ", LP not converged",
                    res.seconds, res.min_vehicles, res.min_vehicles == 1 ? "" : "s");
        else
            fprintf(stderr, "carevan: no useful lower bound proven in %.1f s\n", res.seconds);
    }
}

static int cmd_solve(int argc, char **argv)
{
    const char *in = NULL, *out = NULL, *graph = NULL;
    const char *geojson = NULL, *gpx_dir = NULL, *sheet_dir = NULL, *map_file = NULL;
    bool quiet = false;
    double bound_s = -1; /* < 0: no bound */
    int setpart = -1;    /* < 0: the solver's default */
    double time_limit = 0;
    uint64_t seed = 1, threads = 1, effort = 0, moves = 30;
    bool polish = true, cpu_time = false;
    unsigned ls_ops = CV_SOLVER_LS_DEFAULT;
    int ls_when = CV_SOLVER_LS_WHEN_DEFAULT, objective = CV_OBJECTIVE_COST;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_val = i + 1 < argc;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage_solve, stdout);
            return 0;
        } else if (!strcmp(a, "-o") && has_val) {
            out = argv[++i];
        } else if (!strcmp(a, "--graph") && has_val) {
            graph = argv[++i];
        } else if (!strcmp(a, "--geojson") && has_val) {
            geojson = argv[++i];
        } else if (!strcmp(a, "--gpx") && has_val) {
            gpx_dir = argv[++i];
        } else if (!strcmp(a, "--sheets") && has_val) {
            sheet_dir = argv[++i];
        } else if (!strcmp(a, "--map") && has_val) {
            map_file = argv[++i];
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            quiet = true;
        } else if (!strcmp(a, "--bound")) {
            bound_s = 10;
            if (has_val && parse_double(argv[i + 1], &bound_s)) i++;
        } else if (!strcmp(a, "--time-limit") && has_val) {
            if (!parse_double(argv[++i], &time_limit)) {
                fprintf(stderr, "carevan solve: --time-limit %s: expected seconds >= 0\n", argv[i]);
                return EXIT_BAD_INPUT;
            }
        } else if (!strcmp(a, "--seed") && has_val) {
            if (!parse_u64(argv[++i], &seed)) {
                fprintf(stderr, "carevan solve: --seed %s: expected an integer >= 0\n", argv[i]);
                return EXIT_BAD_INPUT;
            }
        } else if (!strcmp(a, "--effort") && has_val) {
            if (!parse_u64(argv[++i], &effort)) {
                fprintf(stderr, "carevan solve: --effort %s: expected an integer >= 0\n", argv[i]);
                return EXIT_BAD_INPUT;
            }
        } else if (!strcmp(a, "--cpu-time")) {
            cpu_time = true;
        } else if (!strcmp(a, "--no-polish")) {
            polish = false;
        } else if (!strcmp(a, "--moves") && has_val) {
            if (!parse_u64(argv[++i], &moves) || moves > 1000000) {
                fprintf(stderr, "carevan solve: --moves %s: expected 0..1000000\n", argv[i]);
                return EXIT_BAD_INPUT;
            }
        } else if (!strcmp(a, "--setpart") && has_val) {
            i++;
            if (strcmp(argv[i], "on") && strcmp(argv[i], "off")) {
                fprintf(stderr, "carevan solve: --setpart %s: expected on or off\n", argv[i]);
                return EXIT_BAD_INPUT;
            }
            setpart = !strcmp(argv[i], "on");
        } else if (!strcmp(a, "--threads") && has_val) {
            if (!parse_u64(argv[++i], &threads) || threads < 1 || threads > 256) {
                fprintf(stderr, "carevan solve: --threads %s: expected 1..256\n", argv[i]);
                return EXIT_BAD_INPUT;
            }
        } else if (!strcmp(a, "--local-search") && has_val) {
            if (!cv_solver_ls_parse(argv[++i], &ls_ops)) {
                fprintf(stderr,
                        "carevan solve: --local-search %s: expected a comma-separated list of "
                        "relocate, swap, cross, 2opt, 2opt*, oropt, pair, swap*, or all, none, "
                        "default\n",
                        argv[i]);
                return EXIT_BAD_INPUT;
            }
        } else if (!strcmp(a, "--ls-when") && has_val) {
            i++;
            if (!strcmp(argv[i], "auto"))
                ls_when = CV_LS_WHEN_AUTO;
            else if (!strcmp(argv[i], "recreate"))
                ls_when = CV_LS_WHEN_RECREATE;
            else if (!strcmp(argv[i], "best"))
                ls_when = CV_LS_WHEN_BEST;
            else {
                fprintf(stderr, "carevan solve: --ls-when %s: expected auto, recreate or best\n",
                        argv[i]);
                return EXIT_BAD_INPUT;
            }
        } else if (!strcmp(a, "--objective") && has_val) {
            i++;
            if (!strcmp(argv[i], "cost"))
                objective = CV_OBJECTIVE_COST;
            else if (!strcmp(argv[i], "vehicles"))
                objective = CV_OBJECTIVE_VEHICLES;
            else {
                fprintf(stderr, "carevan solve: --objective %s: expected cost or vehicles\n",
                        argv[i]);
                return EXIT_BAD_INPUT;
            }
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "carevan solve: unknown or incomplete option %s\n%s", a, usage_solve);
            return EXIT_BAD_INPUT;
        } else if (!in) {
            in = a;
        } else {
            fprintf(stderr, "carevan solve: too many arguments\n%s", usage_solve);
            return EXIT_BAD_INPUT;
        }
    }
    if (cpu_time && !(time_limit > 0)) {
        fprintf(stderr, "carevan solve: --cpu-time: needs --time-limit S (S > 0)\n");
        return EXIT_BAD_INPUT;
    }
    if (!in) in = "-";
    double t0 = cv_clock_now();
    cv_diag diag;
    cv_diag_clear(&diag);
    cv_problem *p = NULL;
    cv_status s = cv_problem_from_json_file(&p, in, &diag);
    if (s != CV_OK) {
        fprintf(stderr, "carevan solve: %s: %s\n", strcmp(in, "-") ? in : "stdin", diag.msg);
        return s == CV_EIO || s == CV_ETOOBIG || s == CV_EINVAL ? EXIT_BAD_INPUT : 1;
    }
#ifdef CV_GRAPH_AVAILABLE
    cv_graph *g = NULL;
#endif
    if (!cv_problem_has_matrices(p)) {
#ifdef CV_GRAPH_AVAILABLE
        if (!graph) {
            fprintf(stderr,
                    "carevan solve: %s: the problem gives coordinates but no matrices; pass "
                    "--graph CITY.cvg (from `carevan import`) to compute travel times on the "
                    "road network\n",
                    in);
            cv_problem_destroy(p);
            return EXIT_BAD_INPUT;
        }
        s = cv_graph_load(&g, graph, &diag);
        if (s == CV_OK) s = cv_engine_fill_matrices(p, g, (unsigned)threads, &diag);
        if (s != CV_OK) {
            fprintf(stderr, "carevan solve: %s\n", diag.set ? diag.msg : cv_status_message(s));
            cv_graph_destroy(g);
            cv_problem_destroy(p);
            return s == CV_ENOMEM ? 1 : EXIT_BAD_INPUT;
        }
#else
        (void)graph;
        fprintf(stderr,
                "carevan solve: %s: the problem gives coordinates but no matrices; this build "
                "has no road graph, so travel times must be given in \"matrices\"\n",
                in);
        cv_problem_destroy(p);
        return EXIT_BAD_INPUT;
#endif
    } else if (graph) {
#ifdef CV_GRAPH_AVAILABLE
        /* Travel times stay the problem's own; the graph only draws the routes
         * on the roads (geometry, GeoJSON, GPX) for stops with coordinates. */
        s = cv_graph_load(&g, graph, &diag);
        if (s != CV_OK) {
            fprintf(stderr, "carevan solve: %s\n", diag.set ? diag.msg : cv_status_message(s));
            cv_problem_destroy(p);
            return s == CV_ENOMEM ? 1 : EXIT_BAD_INPUT;
        }
        if (!quiet)
            fprintf(stderr,
                    "carevan solve: note: travel times from the problem's matrices; "
                    "%s draws the routes\n",
                    graph);
#else
        fprintf(stderr,
                "carevan solve: note: the problem has its own matrices; --graph %s is "
                "not used\n",
                graph);
#endif
    }
    double t1 = cv_clock_now();
    if (cv_problem_is_periodic(p) && cpu_time) {
        fprintf(stderr, "carevan solve: --cpu-time: not supported for multi-day problems "
                        "(\"horizon\"); use a wall-clock --time-limit\n");
#ifdef CV_GRAPH_AVAILABLE
        cv_graph_destroy(g);
#endif
        cv_problem_destroy(p);
        return EXIT_BAD_INPUT;
    }
    if (cv_problem_is_periodic(p)) {
        int pc = solve_periodic(p, out, seed, effort, moves, polish, time_limit, (unsigned)threads,
                                quiet, geojson || gpx_dir || sheet_dir || map_file || bound_s >= 0,
                                t1 - t0);
#ifdef CV_GRAPH_AVAILABLE
        cv_graph_destroy(g);
#endif
        cv_problem_destroy(p);
        return pc;
    }
    cv_solver_config cfg;
    cv_solver_config_init(&cfg);
    cfg.time_limit_s = time_limit;
    cfg.time_limit_cpu = cpu_time;
    cfg.seed = seed;
    cfg.threads = (unsigned)threads;
    cfg.local_search = ls_ops;
    cfg.ls_when = ls_when;
    cfg.objective = objective;
    if (setpart >= 0) cfg.setpart = setpart;
    if (effort) cfg.max_effort = effort;
    cfg.progress = !quiet && isatty(STDERR_FILENO);
    cv_plan *plan = NULL;
    s = cv_solver_run(p, &cfg, &plan, &diag);
    if (s != CV_OK) {
        fprintf(stderr, "carevan solve: %s\n", diag.set ? diag.msg : cv_status_message(s));
#ifdef CV_GRAPH_AVAILABLE
        cv_graph_destroy(g);
#endif
        cv_problem_destroy(p);
        return s == CV_EINVAL || s == CV_EUNSUPPORTED ? EXIT_BAD_INPUT : 1;
    }
    double t2 = cv_clock_now();
    plan->ms_loading = (int64_t)((t1 - t0) * 1000);
    plan->ms_solving = (int64_t)((t2 - t1) * 1000);
#ifdef CV_GRAPH_AVAILABLE
    if (g) {
        cv_status gs = cv_engine_add_geometry(plan, p, g, &diag);
        if (gs != CV_OK)
            fprintf(stderr, "carevan solve: warning: no route geometry: %s\n",
                    diag.set ? diag.msg : cv_status_message(gs));
        plan->ms_routing = (int64_t)((cv_clock_now() - t2) * 1000);
    }
#endif
    if (bound_s >= 0) add_bound(plan, p, bound_s, quiet);
    char *text = NULL;
    s = cv_plan_to_json(plan, p, &text);
    int code = s == CV_OK ? write_text(out, text) : 1;
    if (s != CV_OK) fprintf(stderr, "carevan solve: %s\n", cv_status_message(s));
    if (code == 0) code = write_exports(plan, p, geojson, gpx_dir, sheet_dir);
    if (code == 0 && map_file) {
#ifdef CV_GRAPH_AVAILABLE
        code = cv__cli_write_map("solve", plan, p, g, map_file, NULL);
#else
        code = cv__cli_write_map("solve", plan, p, NULL, map_file, NULL);
#endif
    }
#ifdef CV_GRAPH_AVAILABLE
    cv_graph_destroy(g); /* kept until here for the map's roads */
    g = NULL;
#endif
    if (code == 0 && !quiet) {
        uint32_t nvisits, unassigned;
        count_visits(p, plan, &nvisits, &unassigned);
        fprintf(stderr,
                "carevan: %u route%s, %u of %u tasks assigned, %u unassigned; cost %lld, "
                "travel %lld, distance %lld, waiting %lld",
                plan->nroutes, plan->nroutes == 1 ? "" : "s", nvisits - unassigned, nvisits,
                unassigned, (long long)plan->cost, (long long)plan->duration,
                (long long)plan->distance, (long long)plan->waiting);
        if (graph && p->uses_coords) {
            char tbuf[32];
            human_duration(tbuf, sizeof tbuf, plan->duration);
            fprintf(stderr, " (travel %s, %.1f km)", tbuf, (double)plan->distance / 1000.0);
        }
        fprintf(stderr, "; %.2f s\n", t2 - t0);
        for (uint32_t i = 0; i < plan->nunassigned && i < 10; i++) {
            const cv_task *t = &p->tasks[plan->unassigned[i].task];
            fprintf(stderr, "  unassigned %s %llu: %s\n", cv_task_kind_name(t->kind),
                    (unsigned long long)t->id, cv_reason_message(plan->unassigned[i].reason));
        }
    }
    free(text);
    cv_plan_destroy(plan);
    cv_problem_destroy(p);
    return code;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_main, stderr);
        return EXIT_BAD_INPUT;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        printf("carevan %s\n", CV_VERSION_STRING);
        return 0;
    }
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        fputs(usage_main, stdout);
        return 0;
    }
    if (!strcmp(cmd, "solve")) return cmd_solve(argc - 1, argv + 1);
    if (!strcmp(cmd, "check")) return cmd_check(argc - 1, argv + 1);
    if (!strcmp(cmd, "convert")) return cmd_convert(argc - 1, argv + 1);
    if (!strcmp(cmd, "map")) return cv__cli_map(argc - 1, argv + 1);
    if (!strcmp(cmd, "simulate")) return cv_live_simulate_cli(argc - 1, argv + 1);
#ifdef CV_SERVER_AVAILABLE
    if (!strcmp(cmd, "serve")) return cv_server_cli(argc - 1, argv + 1);
#endif
#ifdef CV_GRAPH_AVAILABLE
    if (!strcmp(cmd, "import")) return cv_graph_cli_import(argc - 1, argv + 1);
    if (!strcmp(cmd, "route")) return cv_graph_cli_route(argc - 1, argv + 1);
    if (!strcmp(cmd, "matrix")) return cv_graph_cli_matrix(argc - 1, argv + 1);
    if (!strcmp(cmd, "scenario")) return cv_scenario_cli(argc - 1, argv + 1);
    if (!strcmp(cmd, "coverage")) return cv_coverage_cli(argc - 1, argv + 1);
#endif
    fprintf(stderr, "carevan: unknown command \"%s\"\n\n%s", cmd, usage_main);
    return EXIT_BAD_INPUT;
}
