/* Indexed binary min-heap over node ids with O(1) reset by generation
 * stamps (RoutingKit's trick): a query touches only the nodes it reaches, and
 * starting the next query costs nothing.  One heap per search direction per
 * thread; keys are packed weights (graph_int.h). */
#include "graph_int.h"

#include <stdlib.h>
#include <string.h>

cv_status cv__graph_heap_init(cv__heap *h, uint32_t cap)
{
    memset(h, 0, sizeof *h);
    h->cap = cap;
    size_t c = cap ? cap : 1;
    h->items = malloc(c * sizeof *h->items);
    h->pos = malloc(c * sizeof *h->pos);
    h->key = malloc(c * sizeof *h->key);
    h->stamp = calloc(c, sizeof *h->stamp);
    h->parent = malloc(c * sizeof *h->parent);
    h->settled = calloc(c, 1);
    h->gen = 1;
    if (!h->items || !h->pos || !h->key || !h->stamp || !h->parent || !h->settled) {
        cv__graph_heap_fini(h);
        return CV_ENOMEM;
    }
    return CV_OK;
}

void cv__graph_heap_fini(cv__heap *h)
{
    free(h->items);
    free(h->pos);
    free(h->key);
    free(h->stamp);
    free(h->parent);
    free(h->settled);
    memset(h, 0, sizeof *h);
}

void cv__graph_heap_reset(cv__heap *h)
{
    h->n = 0;
    if (++h->gen == 0) { /* wrapped: clear the stamps once every 4 billion queries */
        memset(h->stamp, 0, (size_t)h->cap * sizeof *h->stamp);
        h->gen = 1;
    }
}

static void sift_up(cv__heap *h, uint32_t i)
{
    uint32_t v = h->items[i];
    cv__w k = h->key[v];
    while (i > 0) {
        uint32_t p = (i - 1) / 2;
        uint32_t pv = h->items[p];
        if (h->key[pv] <= k) break;
        h->items[i] = pv;
        h->pos[pv] = i;
        i = p;
    }
    h->items[i] = v;
    h->pos[v] = i;
}

static void sift_down(cv__heap *h, uint32_t i)
{
    uint32_t v = h->items[i];
    cv__w k = h->key[v];
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= h->n) break;
        if (c + 1 < h->n && h->key[h->items[c + 1]] < h->key[h->items[c]]) c++;
        uint32_t cv = h->items[c];
        if (h->key[cv] >= k) break;
        h->items[i] = cv;
        h->pos[cv] = i;
        i = c;
    }
    h->items[i] = v;
    h->pos[v] = i;
}

bool cv__graph_heap_push(cv__heap *h, uint32_t v, cv__w key, uint32_t parent)
{
    if (h->stamp[v] != h->gen) {
        h->stamp[v] = h->gen;
        h->key[v] = key;
        h->parent[v] = parent;
        h->settled[v] = 0;
        h->items[h->n] = v;
        h->pos[v] = h->n;
        h->n++;
        sift_up(h, h->n - 1);
        return true;
    }
    if (h->settled[v] || key >= h->key[v]) return false;
    h->key[v] = key;
    h->parent[v] = parent;
    sift_up(h, h->pos[v]);
    return true;
}

uint32_t cv__graph_heap_pop(cv__heap *h)
{
    if (h->n == 0) return CV__NONE;
    uint32_t v = h->items[0];
    h->n--;
    if (h->n) {
        h->items[0] = h->items[h->n];
        h->pos[h->items[0]] = 0;
        sift_down(h, 0);
    }
    h->settled[v] = 1;
    return v;
}

cv__heap *cv__graph_heap_borrow(cv__pool *pool, uint32_t cap)
{
    if (pool) {
        pthread_mutex_lock(&pool->lock);
        for (int i = 0; i < pool->n; i++)
            if (pool->heaps[i]->cap >= cap) {
                cv__heap *h = pool->heaps[i];
                pool->heaps[i] = pool->heaps[--pool->n];
                pthread_mutex_unlock(&pool->lock);
                return h;
            }
        pthread_mutex_unlock(&pool->lock);
    }
    cv__heap *h = malloc(sizeof *h);
    if (!h) return NULL;
    if (cv__graph_heap_init(h, cap) != CV_OK) {
        free(h);
        return NULL;
    }
    return h;
}

void cv__graph_heap_return(cv__pool *pool, cv__heap *h)
{
    if (!h) return;
    if (pool) {
        pthread_mutex_lock(&pool->lock);
        if (pool->n < CV__POOL_MAX) {
            pool->heaps[pool->n++] = h;
            pthread_mutex_unlock(&pool->lock);
            return;
        }
        pthread_mutex_unlock(&pool->lock);
    }
    cv__graph_heap_fini(h);
    free(h);
}

void cv__graph_pool_fini(cv__pool *pool)
{
    for (int i = 0; i < pool->n; i++) {
        cv__graph_heap_fini(pool->heaps[i]);
        free(pool->heaps[i]);
    }
    pool->n = 0;
    pthread_mutex_destroy(&pool->lock);
}
