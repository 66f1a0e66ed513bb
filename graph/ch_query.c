/* Contraction hierarchy queries: one-to-one bidirectional upward search with
 * stall-on-demand, and unpacking of shortcuts into original arcs.
 *
 * Node ids are ranks, so an upward edge always leads to a larger id.  The
 * forward search relaxes `up` edges, the backward search `dn` edges (edges
 * into the node from higher nodes, walked against their direction).  A node
 * is stalled when a higher neighbour already offers a shorter way to it: its
 * label cannot be exact, so it is not expanded.  Each direction stops once
 * its queue minimum reaches the best meeting found. */
#include "graph_int.h"

#include <stdlib.h>

/* One step of a CH search direction; returns the popped node. */
static uint32_t ch_step(const uint32_t *rel_first, const cv__chedge *rel,
                        const uint32_t *stall_first, const cv__chedge *stall, cv__heap *h,
                        const cv__heap *o, cv__w *best, uint32_t *meet)
{
    uint32_t u = cv__graph_heap_pop(h);
    cv__w du = h->key[u];
    cv__w c = cv__graph_sat_add(du, cv__graph_heap_key(o, u));
    if (c < *best) *best = c, *meet = u;
    if (cv__graph_ch_stalled(h, stall_first, stall, u, du)) return u;
    for (uint32_t e = rel_first[u]; e < rel_first[u + 1]; e++)
        cv__graph_heap_push(h, rel[e].node, du + rel[e].w, u);
    return u;
}

cv__w cv__graph_ch_query(const cv__prof *pr, cv__heap *fw, cv__heap *bw, const cv__phantom *s,
                         const cv__phantom *t, cv__path *path)
{
    cv__w best = cv__graph_same_segment(pr, s, t);
    uint32_t meet = CV__NONE;
    cv__graph_heap_reset(fw);
    cv__graph_heap_reset(bw);
    for (int i = 0; i < s->nsrc; i++)
        cv__graph_heap_push(fw, s->src[i].node, s->src[i].w, CV__NONE);
    for (int i = 0; i < t->ntgt; i++)
        cv__graph_heap_push(bw, t->tgt[i].node, t->tgt[i].w, CV__NONE);
    bool turn = false;
    for (;;) {
        bool fok = cv__graph_heap_min(fw) < best, bok = cv__graph_heap_min(bw) < best;
        if (!fok && !bok) break;
        turn = !turn;
        if ((turn && fok) || !bok)
            ch_step(pr->up_first, pr->up, pr->dn_first, pr->dn, fw, bw, &best, &meet);
        else
            ch_step(pr->dn_first, pr->dn, pr->up_first, pr->up, bw, fw, &best, &meet);
    }
    if (path) {
        cv__path raw;
        if (cv__graph_join_paths(fw, bw, meet, &raw) != CV_OK) return CV__WINF;
        cv_status st = cv__graph_ch_unpack(pr, raw.nodes, raw.n, path);
        free(raw.nodes);
        if (st != CV_OK) return CV__WINF;
    }
    return best;
}

/* The CH edge a->b (exactly one exists for consecutive path nodes). */
static const cv__chedge *find_edge(const cv__prof *pr, uint32_t a, uint32_t b)
{
    const cv__chedge *best = NULL;
    if (a < b) {
        for (uint32_t e = pr->up_first[a]; e < pr->up_first[a + 1]; e++)
            if (pr->up[e].node == b && (!best || pr->up[e].w < best->w)) best = &pr->up[e];
    } else {
        for (uint32_t e = pr->dn_first[b]; e < pr->dn_first[b + 1]; e++)
            if (pr->dn[e].node == a && (!best || pr->dn[e].w < best->w)) best = &pr->dn[e];
    }
    return best;
}

cv_status cv__graph_ch_unpack(const cv__prof *pr, const uint32_t *nodes, uint32_t n, cv__path *out)
{
    out->nodes = NULL, out->n = 0;
    if (n == 0) return CV_OK;
    size_t cap = (size_t)n * 4 + 16, len = 0, scap = 64, sp = 0;
    uint32_t *res = malloc(cap * sizeof *res);
    uint32_t(*stack)[2] = malloc(scap * sizeof *stack);
    if (!res || !stack) goto nomem;
    res[len++] = nodes[0];
    for (uint32_t i = 0; i + 1 < n; i++) {
        stack[sp][0] = nodes[i], stack[sp][1] = nodes[i + 1], sp++;
        while (sp) {
            uint32_t a = stack[sp - 1][0], b = stack[sp - 1][1];
            sp--;
            const cv__chedge *e = find_edge(pr, a, b);
            if (!e) goto internal;
            if (e->mid == CV__NONE) {
                if (len == cap) {
                    cap *= 2;
                    uint32_t *nr = realloc(res, cap * sizeof *nr);
                    if (!nr) goto nomem;
                    res = nr;
                }
                res[len++] = b;
                continue;
            }
            if (sp + 2 > scap) {
                scap *= 2;
                void *ns = realloc(stack, scap * sizeof *stack);
                if (!ns) goto nomem;
                stack = ns;
            }
            /* push (mid,b) first so that (a,mid) is expanded first */
            stack[sp][0] = e->mid, stack[sp][1] = b, sp++;
            stack[sp][0] = a, stack[sp][1] = e->mid, sp++;
        }
    }
    free(stack);
    out->nodes = res, out->n = (uint32_t)len;
    return CV_OK;
internal:
    free(res), free(stack);
    return CV_EINTERNAL;
nomem:
    free(res), free(stack);
    return CV_ENOMEM;
}
