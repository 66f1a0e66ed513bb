/* Plain Dijkstra on the uncontracted graph: the reference every hierarchy
 * query is tested against, and the baseline the benchmarks divide by.
 *
 * Bidirectional one-to-one (Goldberg's stopping rule: stop when the two
 * queue minima add up to at least the best meeting found, meetings checked
 * at every successful relaxation), and one-to-many (one search per source
 * that stops when every target's entry nodes are settled).  Both start from
 * snapped points (graph_int.h: cv__phantom) and consider the direct way
 * along a shared segment. */
#include "graph_int.h"

#include <stdlib.h>
#include <string.h>

/* Follows parent pointers from v to a seed; appends nodes (v first). */
static cv_status chain(const cv__heap *h, uint32_t v, uint32_t **buf, uint32_t *n, uint32_t *cap)
{
    for (; v != CV__NONE; v = h->parent[v]) {
        if (*n == *cap) {
            uint32_t nc = *cap ? 2 * *cap : 64;
            uint32_t *nb = realloc(*buf, nc * sizeof *nb);
            if (!nb) return CV_ENOMEM;
            *buf = nb, *cap = nc;
        }
        (*buf)[(*n)++] = v;
    }
    return CV_OK;
}

/* Builds the s..meet..t node path from both searches' parents. */
cv_status cv__graph_join_paths(const cv__heap *fw, const cv__heap *bw, uint32_t meet,
                               cv__path *path)
{
    uint32_t *a = NULL, na = 0, capa = 0, *b = NULL, nb = 0, capb = 0;
    path->nodes = NULL, path->n = 0;
    if (meet == CV__NONE) return CV_OK;
    if (chain(fw, meet, &a, &na, &capa) || chain(bw, bw->parent[meet], &b, &nb, &capb)) {
        free(a), free(b);
        return CV_ENOMEM;
    }
    uint32_t *nodes = malloc(((size_t)na + nb + 1) * sizeof *nodes);
    if (!nodes) {
        free(a), free(b);
        return CV_ENOMEM;
    }
    for (uint32_t i = 0; i < na; i++) nodes[i] = a[na - 1 - i];
    if (nb) memcpy(nodes + na, b, (size_t)nb * sizeof *b);
    free(a), free(b);
    path->nodes = nodes, path->n = na + nb;
    return CV_OK;
}

cv__w cv__graph_dijkstra_bidir(const cv__prof *pr, cv__heap *fw, cv__heap *bw, const cv__phantom *s,
                               const cv__phantom *t, cv__path *path)
{
    cv__w best = cv__graph_same_segment(pr, s, t);
    uint32_t meet = CV__NONE;
    cv__graph_heap_reset(fw);
    cv__graph_heap_reset(bw);
    for (int i = 0; i < t->ntgt; i++)
        cv__graph_heap_push(bw, t->tgt[i].node, t->tgt[i].w, CV__NONE);
    for (int i = 0; i < s->nsrc; i++) {
        uint32_t v = s->src[i].node;
        if (cv__graph_heap_push(fw, v, s->src[i].w, CV__NONE)) {
            cv__w c = cv__graph_sat_add(fw->key[v], cv__graph_heap_key(bw, v));
            if (c < best) best = c, meet = v;
        }
    }
    for (;;) {
        cv__w mf = cv__graph_heap_min(fw), mb = cv__graph_heap_min(bw);
        if (cv__graph_sat_add(mf, mb) >= best) break;
        bool forward = mf <= mb;
        cv__heap *h = forward ? fw : bw, *o = forward ? bw : fw;
        const uint32_t *first = forward ? pr->fwd_first : pr->bwd_first;
        const cv__arc *arcs = forward ? pr->fwd : pr->bwd;
        uint32_t u = cv__graph_heap_pop(h);
        cv__w du = h->key[u];
        for (uint32_t e = first[u]; e < first[u + 1]; e++) {
            uint32_t v = arcs[e].head;
            if (cv__graph_heap_push(h, v, du + arcs[e].w, u)) {
                cv__w c = cv__graph_sat_add(h->key[v], cv__graph_heap_key(o, v));
                if (c < best) best = c, meet = v;
            }
        }
    }
    if (path && cv__graph_join_paths(fw, bw, meet, path) != CV_OK) return CV__WINF;
    return best;
}

void cv__graph_dijkstra_one_to_many(const cv__prof *pr, cv__heap *h, const cv__phantom *s,
                                    const cv__phantom *t, uint32_t nt, const uint8_t *mark,
                                    uint32_t nmarked, cv__w *out)
{
    /* settle every target entry node (mark[v] != 0, nmarked distinct), then
     * read the labels */
    cv__graph_heap_reset(h);
    for (int i = 0; i < s->nsrc; i++) cv__graph_heap_push(h, s->src[i].node, s->src[i].w, CV__NONE);
    uint32_t need = nmarked;
    while (need && h->n) {
        uint32_t u = cv__graph_heap_pop(h);
        cv__w du = h->key[u];
        if (mark[u]) need--;
        for (uint32_t e = pr->fwd_first[u]; e < pr->fwd_first[u + 1]; e++)
            cv__graph_heap_push(h, pr->fwd[e].head, du + pr->fwd[e].w, u);
    }
    for (uint32_t j = 0; j < nt; j++) {
        cv__w best = cv__graph_same_segment(pr, s, &t[j]);
        for (int k = 0; k < t[j].ntgt; k++) {
            cv__w c = cv__graph_sat_add(cv__graph_heap_key(h, t[j].tgt[k].node), t[j].tgt[k].w);
            if (c < best) best = c;
        }
        out[j] = best;
    }
}
