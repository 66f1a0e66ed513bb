/* Thread pools of the server: solves, the store, graph queries.
 *
 * Why not uv_queue_work: libuv's pool is small (4 threads by default) and
 * shared with its file-system calls, so long solves would starve it.  Each
 * pool here has its own threads, a FIFO queue with a hard limit (past it,
 * submit fails and the caller answers `busy`), and a done list handed back
 * to the loop thread through one uv_async_t (sends coalesce: the callback
 * drains the whole list).  Queued tasks can be canceled; running ones run
 * to their end (the task itself decides what a late cancel means). */
#include <stdlib.h>
#include <string.h>

#include "server_int.h"

static void *worker(void *arg)
{
    cv__pool *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->quit && !p->qhead) pthread_cond_wait(&p->cv, &p->mu);
        if (p->quit) break;
        cv__task *t = p->qhead;
        p->qhead = t->next;
        if (!p->qhead) p->qtail = NULL;
        p->nqueued--;
        p->nbusy++;
        pthread_mutex_unlock(&p->mu);
        t->run(t);
        pthread_mutex_lock(&p->mu);
        p->nbusy--;
        t->next = NULL;
        if (p->dtail)
            p->dtail->next = t;
        else
            p->dhead = t;
        p->dtail = t;
        p->ndone++;
        /* Sent under the lock: the loop closes the handle only when nothing
         * is pending, which it checks under the same lock. */
        uv_async_send(&p->async);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static void on_async(uv_async_t *a)
{
    cv__pool *p = a->data;
    pthread_mutex_lock(&p->mu);
    cv__task *t = p->dhead;
    p->dhead = p->dtail = NULL;
    pthread_mutex_unlock(&p->mu);
    while (t) {
        cv__task *next = t->next;
        pthread_mutex_lock(&p->mu);
        p->ndone--;
        pthread_mutex_unlock(&p->mu);
        t->done(t, false);
        t = next;
    }
}

cv_status cv__server_pool_init(cv__pool *p, const char *name, uv_loop_t *loop, unsigned nthreads,
                               unsigned max_queued)
{
    memset(p, 0, sizeof *p);
    p->name = name;
    p->nthreads = nthreads ? nthreads : 1;
    p->max_queued = max_queued;
    p->threads = cv_calloc(p->nthreads, sizeof *p->threads);
    if (!p->threads) return CV_ENOMEM;
    if (pthread_mutex_init(&p->mu, NULL) != 0) goto fail_mem;
    if (pthread_cond_init(&p->cv, NULL) != 0) goto fail_mu;
    if (uv_async_init(loop, &p->async, on_async) != 0) goto fail_cv;
    p->async.data = p;
    p->async_open = true;
    for (; p->nstarted < p->nthreads; p->nstarted++)
        if (pthread_create(&p->threads[p->nstarted], NULL, worker, p) != 0) break;
    if (p->nstarted == 0) {
        /* The caller closes the async handle through cv__server_pool_close_handle. */
        return CV_EINTERNAL;
    }
    return CV_OK;
fail_cv:
    pthread_cond_destroy(&p->cv);
fail_mu:
    pthread_mutex_destroy(&p->mu);
fail_mem:
    free(p->threads);
    p->threads = NULL;
    return CV_EINTERNAL;
}

cv_status cv__server_pool_submit(cv__pool *p, cv__task *t)
{
    pthread_mutex_lock(&p->mu);
    if (p->quit || p->nqueued + p->nbusy >= p->nstarted + p->max_queued) {
        pthread_mutex_unlock(&p->mu);
        return CV_ETOOBIG;
    }
    t->next = NULL;
    if (p->qtail)
        p->qtail->next = t;
    else
        p->qhead = t;
    p->qtail = t;
    p->nqueued++;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return CV_OK;
}

bool cv__server_pool_cancel(cv__pool *p, cv__task *t)
{
    bool found = false;
    pthread_mutex_lock(&p->mu);
    cv__task *prev = NULL;
    for (cv__task *q = p->qhead; q; prev = q, q = q->next) {
        if (q != t) continue;
        if (prev)
            prev->next = q->next;
        else
            p->qhead = q->next;
        if (p->qtail == q) p->qtail = prev;
        p->nqueued--;
        found = true;
        break;
    }
    pthread_mutex_unlock(&p->mu);
    if (found) t->done(t, true);
    return found;
}

void cv__server_pool_cancel_all(cv__pool *p)
{
    pthread_mutex_lock(&p->mu);
    cv__task *t = p->qhead;
    p->qhead = p->qtail = NULL;
    p->nqueued = 0;
    pthread_mutex_unlock(&p->mu);
    while (t) {
        cv__task *next = t->next;
        t->done(t, true);
        t = next;
    }
}

unsigned cv__server_pool_pending(cv__pool *p)
{
    pthread_mutex_lock(&p->mu);
    unsigned n = p->nqueued + p->nbusy + p->ndone;
    pthread_mutex_unlock(&p->mu);
    return n;
}

void cv__server_pool_counts(cv__pool *p, unsigned *queued, unsigned *busy)
{
    pthread_mutex_lock(&p->mu);
    *queued = p->nqueued;
    *busy = p->nbusy;
    pthread_mutex_unlock(&p->mu);
}

void cv__server_pool_close_handle(cv__pool *p)
{
    if (p->async_open) {
        p->async_open = false;
        uv_close((uv_handle_t *)&p->async, NULL);
    }
}

void cv__server_pool_fini(cv__pool *p)
{
    if (!p->threads) return;
    pthread_mutex_lock(&p->mu);
    p->quit = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (unsigned i = 0; i < p->nstarted; i++) pthread_join(p->threads[i], NULL);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    free(p->threads);
    p->threads = NULL;
}
