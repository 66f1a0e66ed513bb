/* `carevan simulate PROBLEM.json [EVENTS.json]`: a running day, simulated or
 * replayed from a file, with urgent requests, every intermediate plan
 * checked (cv_live_simulate).  Exit 0: every check passed and every accepted
 * urgent visit was started; 1: a check failed; 2: bad input. */
#define _POSIX_C_SOURCE 200809L
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cv/engine.h"
#include "cv/live.h"
#include "cv/solver.h"
#ifdef CV_GRAPH_AVAILABLE
#include "cv/graph.h"
#endif

static const char *usage =
    "usage: carevan simulate PROBLEM.json [EVENTS.json] [options]\n"
    "\n"
    "Runs a day live: the plan (solved first unless --plan) becomes live; events are\n"
    "replayed from EVENTS.json, or generated from the plan's ETAs with urgent requests\n"
    "at random times.  After every change the remaining day is verified by the\n"
    "independent checker and the executed part is compared with the previous state.\n"
    "  --plan SOLUTION.json   the day's plan (default: solve PROBLEM first)\n"
    "  --graph CITY.cvg       travel times for a problem with coordinates, and routes to\n"
    "                         urgent requests given by coordinates (not at a known home)\n"
    "  --urgent-offsite K     with --graph: one generated urgent request in K is at a random\n"
    "                         point up to 400 m from a home, by coordinates (default 0: none)\n"
    "  --seed N               random seed (default 1)\n"
    "  --urgent N             urgent requests to inject when generating (default 5)\n"
    "  --delay-max S          random overrun of each visit, 0..S seconds (default 300)\n"
    "  --skip-percent P       visits skipped (client not home), percent (default 3)\n"
    "  --urgent-margin S      safety margin of urgent requests: on site at least S s before\n"
    "                         the deadline as planned (default a third of the deadline:\n"
    "                         5 min for 15, 10 min for 30; 0: none)\n"
    "  --write-events FILE    the events applied, to replay the same day\n"
    "  --quiet                only the summary\n";

static bool num_arg(const char *s, uint64_t max, uint64_t *out)
{
    char *end;
    if (!s || !*s || *s == '-') return false;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || v > max) return false;
    *out = v;
    return true;
}

int cv_live_simulate_cli(int argc, char **argv)
{
    const char *in = NULL, *events_path = NULL, *plan_path = NULL, *graph = NULL, *write = NULL;
    uint64_t seed = 1, urgent = 5, delay = 300, skip = 3, margin = UINT64_MAX, offsite = 0;
    bool quiet = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool hv = i + 1 < argc;
        uint64_t *num = NULL, max = 0;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage, stdout);
            return 0;
        } else if (!strcmp(a, "--plan") && hv)
            plan_path = argv[++i];
        else if (!strcmp(a, "--graph") && hv)
            graph = argv[++i];
        else if (!strcmp(a, "--write-events") && hv)
            write = argv[++i];
        else if (!strcmp(a, "--quiet") || !strcmp(a, "-q"))
            quiet = true;
        else if (!strcmp(a, "--seed") && hv)
            num = &seed, max = UINT64_MAX;
        else if (!strcmp(a, "--urgent") && hv)
            num = &urgent, max = 10000;
        else if (!strcmp(a, "--delay-max") && hv)
            num = &delay, max = 86400;
        else if (!strcmp(a, "--skip-percent") && hv)
            num = &skip, max = 100;
        else if (!strcmp(a, "--urgent-offsite") && hv)
            num = &offsite, max = 10000;
        else if (!strcmp(a, "--urgent-margin") && hv)
            num = &margin, max = 899; /* below the emergency deadline */
        else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "carevan simulate: unknown or incomplete option %s\n%s", a, usage);
            return 2;
        } else if (!in)
            in = a;
        else if (!events_path)
            events_path = a;
        else {
            fprintf(stderr, "carevan simulate: too many arguments\n%s", usage);
            return 2;
        }
        if (num && !num_arg(argv[++i], max, num)) {
            fprintf(stderr, "carevan simulate: %s %s: expected an integer 0..%llu\n", a, argv[i],
                    (unsigned long long)max);
            return 2;
        }
    }
    if (!in) {
        fputs(usage, stderr);
        return 2;
    }
    cv_diag diag;
    cv_diag_clear(&diag);
    cv_problem *p = NULL;
    json_t *events = NULL, *applied = NULL;
    char *plan_text = NULL;
    size_t plan_len = 0;
    int code = 2;
    struct cv_graph *g = NULL;
    cv_status s = cv_problem_from_json_file(&p, in, &diag);
    if (s != CV_OK) {
        fprintf(stderr, "carevan simulate: %s: %s\n", in, diag.msg);
        goto out;
    }
    /* The graph fills the matrices of a problem given by coordinates, and
     * routes urgent requests given by coordinates during the day. */
    if (graph) {
#ifdef CV_GRAPH_AVAILABLE
        s = cv_graph_load(&g, graph, &diag);
        if (s == CV_OK && !cv_problem_has_matrices(p)) s = cv_engine_fill_matrices(p, g, 1, &diag);
        if (s != CV_OK) {
            fprintf(stderr, "carevan simulate: %s\n", diag.set ? diag.msg : cv_status_message(s));
            goto out;
        }
#else
        fprintf(stderr, "carevan simulate: --graph: this build has no road graph module\n");
        goto out;
#endif
    } else if (!cv_problem_has_matrices(p)) {
        fprintf(stderr, "carevan simulate: %s: coordinates without matrices; pass --graph\n", in);
        goto out;
    }
    if (events_path) {
        json_error_t je;
        events = json_load_file(events_path, 0, &je);
        if (!events) {
            fprintf(stderr, "carevan simulate: %s: line %d: %s\n", events_path, je.line, je.text);
            goto out;
        }
    }
    if (plan_path) {
        if ((s = cv_read_file(plan_path, CV_MAX_INPUT_BYTES, &plan_text, &plan_len, &diag))) {
            fprintf(stderr, "carevan simulate: %s: %s\n", plan_path, diag.msg);
            goto out;
        }
    } else {
        cv_solver_config cfg;
        cv_solver_config_init(&cfg);
        cfg.seed = seed;
        cv_plan *plan = NULL;
        s = cv_solver_run(p, &cfg, &plan, &diag);
        if (s == CV_OK) s = cv_plan_to_json(plan, p, &plan_text);
        cv_plan_destroy(plan);
        if (s != CV_OK) {
            fprintf(stderr, "carevan simulate: solve: %s\n",
                    diag.set ? diag.msg : cv_status_message(s));
            code = s == CV_EUNSUPPORTED || s == CV_EINVAL ? 2 : 1;
            goto out;
        }
        plan_len = strlen(plan_text);
    }
    cv_live_sim_config cfg = {.seed = seed,
                              .urgent = (uint32_t)urgent,
                              .delay_max = (int64_t)delay,
                              .skip_percent = (uint32_t)skip,
                              .urgent_margin =
                                  margin == UINT64_MAX ? CV_LIVE_MARGIN_DEFAULT : (int64_t)margin,
                              .log = quiet ? NULL : stdout,
                              .graph = g,
                              .offsite_every = g ? (uint32_t)offsite : 0};
    cv_live_sim_report rep;
    s = cv_live_simulate(p, plan_text, plan_len, events, &cfg, &rep, write ? &applied : NULL,
                         &diag);
    if (s != CV_OK) {
        fprintf(stderr, "carevan simulate: %s\n", diag.set ? diag.msg : cv_status_message(s));
        code = s == CV_EINVAL || s == CV_EUNSUPPORTED ? 2 : 1;
        goto out;
    }
    if (write && json_dump_file(applied, write, JSON_INDENT(1) | JSON_PRESERVE_ORDER) != 0) {
        fprintf(stderr, "carevan simulate: cannot write %s\n", write);
        code = 1;
        goto out;
    }
    printf("simulate: %u events, %u reoptimize; urgent %u: %u inserted, %u re-planned, %u "
           "refused; accepted reached in time %u, late %u (visit overruns), never started %u; "
           "changed assignments %u; tasks done %u, client not home %u, not done %u; urgent "
           "answer max %.1f ms, mean %.1f ms; %u checks: %u checker failures, %u frozen-prefix "
           "failures, %u event-log failures\n",
           rep.events, rep.reoptimized, rep.urgent, rep.inserted, rep.replanned, rep.refused,
           rep.reached_in_time, rep.reached_late, rep.dropped_after_accept, rep.changed,
           rep.tasks_done, rep.tasks_absent, rep.tasks_not_done, rep.urgent_ms_max,
           rep.urgent ? rep.urgent_ms_sum / rep.urgent : 0.0, rep.checks, rep.check_failures,
           rep.frozen_failures, rep.log_failures);
    code = rep.check_failures || rep.frozen_failures || rep.log_failures || rep.dropped_after_accept
               ? 1
               : 0;
    if (code) fprintf(stderr, "carevan simulate: FAILED: %s\n", rep.first_failure);
out:
    json_decref(events);
    json_decref(applied);
    free(plan_text);
    cv_problem_destroy(p);
#ifdef CV_GRAPH_AVAILABLE
    cv_graph_destroy(g);
#endif
    return code;
}
