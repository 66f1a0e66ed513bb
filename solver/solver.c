/* cv_solver_run: the solver's entry point.
 *
 * Builds the context, loads the warm start, completes it by regret
 * insertion, then improves it with SISR ruin-and-recreate (one search per
 * thread, seeds seed, seed+1, ...; each thread has the whole effort budget,
 * the best plan wins, ties to the lowest thread, so the result does not
 * depend on scheduling).  Finally the routes are scheduled into a plan.
 */
#define _POSIX_C_SOURCE 200809L
#include "solver_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double cv__search_clock(bool cpu)
{
    if (!cpu) return cv_clock_now();
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void cv_solver_config_init(cv_solver_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->time_limit_s = 0;
    cfg->max_effort = 0;
    cfg->seed = 1;
    cfg->threads = 1;
    cfg->progress = 0;
    cfg->algo = CV_SOLVER_SISR;
    cfg->local_search = CV_SOLVER_LS_DEFAULT;
    cfg->ls_when = CV_SOLVER_LS_WHEN_DEFAULT;
}

/* CV_LS_WHEN_AUTO (cv/solver.h): where the local search runs, by measurement. */
static int auto_ls_when(const cv_problem *p, int objective)
{
    return objective == CV_OBJECTIVE_VEHICLES || p->nshipments > 0 ? CV_LS_WHEN_BEST
                                                                   : CV_LS_WHEN_RECREATE;
}

static const struct {
    const char *name;
    unsigned flag;
} ls_names[] = {
    {"2opt*", CV_LS_TWO_OPT_STAR},
    {"relocate", CV_LS_RELOCATE},
    {"swap", CV_LS_SWAP},
    {"cross", CV_LS_CROSS},
    {"2opt", CV_LS_TWO_OPT},
    {"oropt", CV_LS_OR_OPT},
    {"pair", CV_LS_PAIR},
    {"swap*", CV_LS_SWAP_STAR},
    {"all", CV_LS_ALL},
    {"none", 0},
    {"default", CV_SOLVER_LS_DEFAULT},
};

bool cv_solver_ls_parse(const char *list, unsigned *ops)
{
    unsigned acc = 0;
    const char *s = list;
    if (!s) return false;
    for (;;) {
        size_t len = strcspn(s, ",");
        bool known = false;
        for (size_t k = 0; k < sizeof ls_names / sizeof ls_names[0]; k++)
            if (strlen(ls_names[k].name) == len && strncmp(s, ls_names[k].name, len) == 0) {
                acc |= ls_names[k].flag;
                known = true;
            }
        if (!known) return false;
        if (!s[len]) break;
        s += len + 1;
    }
    *ops = acc;
    return true;
}

/* Default budget: grows with the number of tasks (a ruin-and-recreate step
 * costs about 10 x tasks checks), about a second at 100 tasks.  The fixed
 * part 2e7 is scaled down below 100 tasks: on a handful of visits an
 * iteration costs only a few units, and a full 2e7 meant 1.7 s of search to
 * place one visit. */
static uint64_t default_effort(uint32_t nt)
{
    uint64_t n = nt ? nt : 1;
    uint64_t fixed = n < 100 ? 200000ull * n : 20000000ull;
    return fixed + 200000ull * n;
}

/* Route pool bounds: the recent distinct routes, few enough that each MIP
 * stays cheap.  Measured on R103 at the default effort (MIP time / gap):
 * 6000 routes and 200 nodes 20 s / 0.00 %, 6000 and 30 nodes 6.9 s / 1.04 %,
 * 2000 and 30 nodes 1.5 s / 0.00 %, 1500 and 10 nodes 0.45 s / 0.32 %
 * (shared machine; without the MIPs 0.44 %). */
static uint32_t pool_routes(uint32_t nt)
{
    uint64_t r = 20ull * nt;
    return r < 1000 ? 1000 : r > 8000 ? 8000 : (uint32_t)r;
}
#define POOL_MIP_NODES 30

typedef struct worker {
    const cv__ctx *c;
    cv__sol sol;
    cv__search_params sp;
    cv__search_stats st;
    cv_status rc;
} worker;

static void *worker_main(void *arg)
{
    worker *w = arg;
    w->rc = cv__sisr_run(w->c, &w->sol, &w->sp, &w->st);
    return NULL;
}

cv_status cv_solver_run_stats(const cv_problem *p, cv_solver_config *cfg_io, cv_plan **out,
                              cv_diag *diag)
{
    cv_solver_config cfg;
    if (cfg_io)
        cfg = *cfg_io;
    else
        cv_solver_config_init(&cfg);
    if (!p || !out) return CV_EINVAL;
    if (!cv_problem_has_matrices(p))
        return cv_diag_set(diag, "problem: a profile has no duration matrix (coordinates need a "
                                 "road graph to fill the matrices)");
    if (cfg.threads < 1) return cv_diag_set(diag, "solver: threads must be >= 1");
    if (cfg.local_search & ~(unsigned)CV_LS_ALL)
        return cv_diag_set(diag, "solver: local_search: unknown operator flags");
    if (cfg.ls_when != CV_LS_WHEN_RECREATE && cfg.ls_when != CV_LS_WHEN_BEST &&
        cfg.ls_when != CV_LS_WHEN_AUTO)
        return cv_diag_set(diag, "solver: ls_when: expected CV_LS_WHEN_RECREATE, CV_LS_WHEN_BEST "
                                 "or CV_LS_WHEN_AUTO");
    if (cfg.ls_when == CV_LS_WHEN_AUTO) cfg.ls_when = auto_ls_when(p, cfg.objective);
    double t_start = cv_clock_now();
    const bool cpu_clock = cfg.time_limit_cpu != 0;
    const double c_start = cpu_clock ? cv__search_clock(true) : t_start;
    cv__ctx c;
    cv_status st = cv__ctx_init(&c, p);
    if (st != CV_OK) return st;
    cv__sol sol;
    if ((st = cv__sol_init(&sol, &c)) != CV_OK) {
        cv__ctx_fini(&c);
        return st;
    }
    uint64_t effort = 0, iterations = 0, sp_calls = 0, sp_improved = 0;
    st = cv__warm_start(&c, &sol);
    if (st == CV_OK && c.care) {
        /* Care extensions: whole units, linked schedules (care_sched.c). */
        cv__care_ws ws;
        st = cv__care_ws_init(&ws, &c);
        if (st == CV_OK) st = cv__care_repair(&c, &ws, &sol, NULL, &effort);
        if (st == CV_OK) st = cv__care_construct(&c, &ws, &sol, &effort);
        cv__care_ws_fini(&ws);
    } else if (st == CV_OK) {
        st = cv__construct_regret(&c, &sol, &effort);
    }
    if (st == CV_OK && cfg.algo == CV_SOLVER_SISR && c.nt && c.nv) {
        uint64_t budget = cfg.max_effort ? cfg.max_effort : default_effort(c.nt);
        unsigned nth = cfg.threads;
        worker *ws = cv_calloc(nth, sizeof *ws);
        pthread_t *tid = cv_calloc(nth, sizeof *tid);
        bool *started = cv_calloc(nth, sizeof *started);
        if (!ws || !tid || !started) st = CV_ENOMEM;
        const double pre_cpu = cpu_clock ? cv__search_clock(true) - c_start : 0;
        for (unsigned i = 0; st == CV_OK && i < nth; i++) {
            ws[i].c = &c;
            ws[i].sp.max_effort = budget;
            ws[i].sp.deadline = cfg.time_limit_s > 0 ? c_start + cfg.time_limit_s : 0;
            ws[i].sp.t_start = c_start;
            ws[i].sp.cpu_clock = cpu_clock;
            ws[i].sp.pre_cpu_s = pre_cpu;
            ws[i].sp.seed = cfg.seed + i;
            ws[i].sp.progress = cfg.progress && i == 0;
            ws[i].sp.ls_ops = cfg.local_search & CV_LS_ALL;
            ws[i].sp.ls_when = cfg.ls_when;
            ws[i].sp.objective = cfg.objective;
            ws[i].sp.on_progress = i == 0 ? cfg.on_progress : NULL;
            ws[i].sp.progress_ud = cfg.progress_ud;
            ws[i].sp.cancel = cfg.cancel;
            /* Care extensions are planned by the care paths with their own
             * linked state: no recombination there (yet). */
            if (cfg.setpart && !c.care && cv__pool_applies(p))
                st = cv__pool_create(&ws[i].sp.pool, &c, pool_routes(c.nt), POOL_MIP_NODES);
            if (st == CV_OK) st = cv__sol_copy(&ws[i].sol, &sol, c.nd);
        }
        for (unsigned i = 1; st == CV_OK && i < nth; i++)
            started[i] = pthread_create(&tid[i], NULL, worker_main, &ws[i]) == 0;
        if (st == CV_OK) worker_main(&ws[0]);
        for (unsigned i = 1; i < nth; i++) {
            if (st == CV_OK && !started[i])
                worker_main(&ws[i]); /* no thread: run here */
            else if (started[i])
                pthread_join(tid[i], NULL);
        }
        if (st == CV_OK) {
            unsigned best = 0;
            for (unsigned i = 0; i < nth; i++) {
                if (ws[i].rc != CV_OK) st = ws[i].rc;
                effort += ws[i].st.effort;
                iterations += ws[i].st.iterations;
                cv_log(2, "solver: thread %u: %llu iterations, effort %llu (local search %llu)\n",
                       i, (unsigned long long)ws[i].st.iterations,
                       (unsigned long long)ws[i].st.effort, (unsigned long long)ws[i].st.ls_effort);
                if (i && cv__sol_better_obj(&ws[i].sol, &ws[best].sol,
                                            cfg.objective == CV_OBJECTIVE_VEHICLES))
                    best = i;
            }
            if (st == CV_OK) st = cv__sol_copy(&sol, &ws[best].sol, c.nd);
        }
        if (ws)
            for (unsigned i = 0; i < nth; i++) {
                if (ws[i].sp.pool) {
                    const cv__pool_stats *ps = cv__pool_stats_get(ws[i].sp.pool);
                    sp_calls += ps->calls;
                    sp_improved += ps->improvements;
                    cv_log(2,
                           "solver: thread %u route pool: %llu routes, %llu MIPs (%.2f s), "
                           "%llu improved (gain %.1f)\n",
                           i, (unsigned long long)ps->added, (unsigned long long)ps->calls,
                           ps->seconds, (unsigned long long)ps->improvements, ps->gain);
                }
                cv__pool_destroy(ws[i].sp.pool);
                cv__sol_fini(&ws[i].sol);
            }
        free(ws);
        free(tid);
        free(started);
    }
    if (st == CV_OK && cfg.cancel && atomic_load(cfg.cancel)) st = CV_ECANCELED;
    cv_plan *plan = NULL;
    if (st == CV_OK) st = cv__plan_build(&c, &sol, &plan);
    if (st == CV_OK) {
        plan->ms_solving = (int64_t)((cv_clock_now() - t_start) * 1000.0);
        *out = plan;
    }
    if (cfg_io) {
        cfg_io->stat_effort = effort;
        cfg_io->stat_iterations = iterations;
        cfg_io->stat_setpart_calls = sp_calls;
        cfg_io->stat_setpart_improved = sp_improved;
    }
    cv__sol_fini(&sol);
    cv__ctx_fini(&c);
    return st;
}

cv_status cv_solver_run(const cv_problem *p, const cv_solver_config *cfg, cv_plan **out,
                        cv_diag *diag)
{
    cv_solver_config copy;
    if (cfg)
        copy = *cfg;
    else
        cv_solver_config_init(&copy);
    return cv_solver_run_stats(p, &copy, out, diag);
}
