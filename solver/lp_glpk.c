/* The one place where GLPK's global behaviour is tamed for carevan: terminal
 * output off, its errors (which abort the process by default) turned into
 * CV_EINTERNAL through glp_error_hook + longjmp as GLPK's manual prescribes
 * (after which glp_free_env must be called), and all GLPK use serialised
 * behind one mutex when GLPK was built without thread-local storage. */
#define _POSIX_C_SOURCE 200809L
#include "lp_int.h"

#include <glpk.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

double cv__lp_clock(bool cpu)
{
    if (!cpu) return cv_clock_now();
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static pthread_mutex_t glpk_mutex = PTHREAD_MUTEX_INITIALIZER;

bool cv__lp_glpk_thread_safe(void)
{
    /* glp_config is itself safe to call: it reads constants. */
    return glp_config("TLS") != NULL;
}

typedef struct guard {
    jmp_buf jb;
    char msg[256]; /* GLPK's last terminal text, for the log */
} guard;

/* GLPK prints its error messages even with terminal output off: keep the
 * text for our log instead of letting it reach the user's terminal. */
static int on_glpk_text(void *info, const char *s)
{
    guard *g = info;
    size_t len = strlen(g->msg);
    if (len < sizeof g->msg - 1) snprintf(g->msg + len, sizeof g->msg - len, "%s", s);
    return 1; /* handled: GLPK prints nothing */
}

static void on_glpk_error(void *info)
{
    guard *g = info;
    longjmp(g->jb, 1);
}

cv_status cv__lp_glpk_run(cv_status (*fn)(void *ctx), void *ctx)
{
    /* Without TLS GLPK's environment is one global block: one user at a time. */
    const bool lock = !cv__lp_glpk_thread_safe();
    if (lock) pthread_mutex_lock(&glpk_mutex);
    guard g;
    g.msg[0] = '\0';
    volatile cv_status s = CV_OK;
    if (setjmp(g.jb) == 0) {
        glp_term_out(GLP_OFF);
        glp_term_hook(on_glpk_text, &g);
        glp_error_hook(on_glpk_error, &g);
        s = fn(ctx);
        /* No GLPK object outlives a call: free this thread's environment too,
         * or a thread that ends would leak it (GLPK with TLS keeps one per
         * thread and nobody else frees it). */
        glp_free_env();
    } else {
        /* GLPK's state is unusable after an error: free the whole environment
         * (every GLPK object of this thread, the hook with it); the next GLPK
         * call starts afresh. */
        glp_free_env();
        cv_log(1, "lp: GLPK error, its environment was reset: %s", g.msg);
        s = CV_EINTERNAL;
    }
    if (lock) pthread_mutex_unlock(&glpk_mutex);
    return s;
}

static cv_status provoke(void *ctx)
{
    (void)ctx;
    glp_prob *lp = glp_create_prob();
    glp_add_rows(lp, 1);
    glp_set_row_bnds(lp, 7, GLP_FX, 1.0, 1.0); /* row 7 does not exist: GLPK error */
    glp_delete_prob(lp);
    return CV_OK;
}

cv_status cv__lp_glpk_provoke_error(void)
{
    return cv__lp_glpk_run(provoke, NULL);
}
