/* Contraction hierarchy construction (Geisberger et al. 2008).
 *
 * Nodes are contracted one by one in the order of a priority (edge
 * difference + contracted neighbours + level) that is recomputed for the
 * neighbours of every contracted node.  Contracting v adds a
 * shortcut u->x of weight w(u,v)+w(v,x) unless a witness search from u in
 * the remaining graph without v finds a path at most as good.  Witness
 * searches are bounded (settled-node limit); when a bound cuts a search off,
 * the shortcut is added anyway, which costs space but never correctness.
 * The remaining edges of v at its contraction become its upward (forward) and
 * downward (backward) CH edges.
 *
 * Workload: city extracts of 10^4..10^6 nodes with many degree-2 chains,
 * which contract first at almost no cost.  Memory: per-node adjacency
 * vectors of the shrinking remaining graph plus the output edges. */
#include "graph_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct adj_e {
    uint32_t other;
    uint32_t mid;
    cv__w w;
} adj_e;

typedef struct adj {
    adj_e *e;
    uint32_t n, cap;
} adj;

typedef struct ch_ctx {
    uint32_t n;
    adj *out, *in;
    uint8_t *done;
    uint32_t *level, *deleted;
    int32_t *prio;
    cv__heap wh;
    uint32_t *pq, *pqpos, npq; /* indexed heap by prio (pq_*) */
    uint32_t *nmark, ngen;     /* neighbours already re-prioritised this round */
    cv__edge3 *sc;             /* pending shortcuts of one contraction */
    uint32_t nsc, capsc;
    uint32_t *tmark, tgen; /* witness targets of the current node: tmark[x] == tgen */
    uint32_t ntargets;
} ch_ctx;

/* Adds edge to list l or lowers its weight; returns false on allocation failure. */
static bool adj_improve(adj *l, uint32_t other, cv__w w, uint32_t mid)
{
    for (uint32_t i = 0; i < l->n; i++)
        if (l->e[i].other == other) {
            if (w < l->e[i].w) l->e[i].w = w, l->e[i].mid = mid;
            return true;
        }
    if (l->n == l->cap) {
        uint32_t nc = l->cap ? 2 * l->cap : 4;
        adj_e *ne = realloc(l->e, nc * sizeof *ne);
        if (!ne) return false;
        l->e = ne, l->cap = nc;
    }
    l->e[l->n++] = (adj_e){other, mid, w};
    return true;
}

static void adj_remove(adj *l, uint32_t other)
{
    for (uint32_t i = 0; i < l->n; i++)
        if (l->e[i].other == other) {
            l->e[i] = l->e[--l->n];
            return;
        }
}

/* Indexed min-heap of the uncontracted nodes by (prio, id): one entry per
 * node, updated in place when a priority changes. */
static inline bool pq_less(const ch_ctx *c, uint32_t a, uint32_t b)
{
    return c->prio[a] < c->prio[b] || (c->prio[a] == c->prio[b] && a < b);
}

static void pq_sift_up(ch_ctx *c, uint32_t i)
{
    uint32_t v = c->pq[i];
    while (i > 0) {
        uint32_t p = (i - 1) / 2;
        if (!pq_less(c, v, c->pq[p])) break;
        c->pq[i] = c->pq[p];
        c->pqpos[c->pq[i]] = i;
        i = p;
    }
    c->pq[i] = v;
    c->pqpos[v] = i;
}

static void pq_sift_down(ch_ctx *c, uint32_t i)
{
    uint32_t v = c->pq[i];
    for (;;) {
        uint32_t k = 2 * i + 1;
        if (k >= c->npq) break;
        if (k + 1 < c->npq && pq_less(c, c->pq[k + 1], c->pq[k])) k++;
        if (!pq_less(c, c->pq[k], v)) break;
        c->pq[i] = c->pq[k];
        c->pqpos[c->pq[i]] = i;
        i = k;
    }
    c->pq[i] = v;
    c->pqpos[v] = i;
}

/* Sets v's priority, inserting v if it is not queued. */
static void pq_set(ch_ctx *c, uint32_t v, int32_t prio)
{
    if (c->pqpos[v] == CV__NONE) {
        c->prio[v] = prio;
        c->pq[c->npq] = v;
        c->pqpos[v] = c->npq++;
        pq_sift_up(c, c->npq - 1);
        return;
    }
    int32_t old = c->prio[v];
    c->prio[v] = prio;
    if (prio < old)
        pq_sift_up(c, c->pqpos[v]);
    else
        pq_sift_down(c, c->pqpos[v]);
}

static uint32_t pq_pop(ch_ctx *c)
{
    uint32_t top = c->pq[0];
    c->pqpos[top] = CV__NONE;
    if (--c->npq) {
        c->pq[0] = c->pq[c->npq];
        c->pqpos[c->pq[0]] = 0;
        pq_sift_down(c, 0);
    }
    return top;
}

/* Dijkstra from u in the remaining graph without v, up to maxw, limit settled
 * nodes, or until every target (out-neighbour of v) is settled. */
static void witness(ch_ctx *c, uint32_t u, uint32_t v, cv__w maxw, uint32_t limit)
{
    cv__heap *h = &c->wh;
    cv__graph_heap_reset(h);
    cv__graph_heap_push(h, u, 0, CV__NONE);
    uint32_t settled = 0, left = c->ntargets;
    while (h->n) {
        if (cv__graph_heap_min(h) > maxw || settled++ >= limit) break;
        uint32_t x = cv__graph_heap_pop(h);
        if (c->tmark[x] == c->tgen && --left == 0) break;
        cv__w d = h->key[x];
        const adj *l = &c->out[x];
        for (uint32_t i = 0; i < l->n; i++) {
            uint32_t y = l->e[i].other;
            if (y == v) continue;
            cv__graph_heap_push(h, y, d + l->e[i].w, x);
        }
    }
}

/* Collects the shortcuts contracting v needs into c->sc; returns their number
 * or -1 on allocation failure. */
static int64_t shortcuts(ch_ctx *c, uint32_t v, uint32_t limit)
{
    const adj *in = &c->in[v], *out = &c->out[v];
    c->nsc = 0;
    c->tgen++;
    for (uint32_t j = 0; j < out->n; j++) c->tmark[out->e[j].other] = c->tgen;
    c->ntargets = out->n;
    for (uint32_t i = 0; i < in->n; i++) {
        uint32_t u = in->e[i].other;
        cv__w wu = in->e[i].w, maxw = 0;
        bool any = false;
        for (uint32_t j = 0; j < out->n; j++)
            if (out->e[j].other != u) {
                any = true;
                if (wu + out->e[j].w > maxw) maxw = wu + out->e[j].w;
            }
        if (!any) continue;
        witness(c, u, v, maxw, limit);
        for (uint32_t j = 0; j < out->n; j++) {
            uint32_t x = out->e[j].other;
            if (x == u) continue;
            cv__w via = wu + out->e[j].w;
            if (cv__graph_heap_key(&c->wh, x) <= via) continue;
            if (c->nsc == c->capsc) {
                uint32_t nc = c->capsc ? 2 * c->capsc : 64;
                cv__edge3 *ns = realloc(c->sc, nc * sizeof *ns);
                if (!ns) return -1;
                c->sc = ns, c->capsc = nc;
            }
            c->sc[c->nsc++] = (cv__edge3){u, x, via};
        }
    }
    return c->nsc;
}

static int32_t priority(ch_ctx *c, uint32_t v, bool *oom)
{
    /* A node of the dense core (many in x out pairs) would cost that many
     * witness searches per re-evaluation, for a node that is contracted late
     * anyway: estimate it by the upper bound instead.  Only the order changes,
     * never the correctness of the shortcuts. */
    int64_t pairs = (int64_t)c->in[v].n * c->out[v].n;
    if (pairs > 64) {
        int64_t ed = pairs - (int64_t)c->in[v].n - (int64_t)c->out[v].n;
        return (int32_t)(2 * ed + c->deleted[v] + c->level[v]);
    }
    int64_t s = shortcuts(c, v, 60);
    if (s < 0) {
        *oom = true;
        return 0;
    }
    int64_t ed = s - (int64_t)c->in[v].n - (int64_t)c->out[v].n;
    return (int32_t)(2 * ed + c->deleted[v] + c->level[v]);
}

typedef struct ebuf {
    cv__edge3 *e;
    uint32_t *mid;
    uint64_t n, cap;
} ebuf;

static bool ebuf_push(ebuf *b, uint32_t tail, uint32_t head, cv__w w, uint32_t mid)
{
    if (b->n == b->cap) {
        uint64_t nc = b->cap ? 2 * b->cap : 4096;
        cv__edge3 *ne = realloc(b->e, nc * sizeof *ne);
        if (!ne) return false;
        b->e = ne;
        uint32_t *nm = realloc(b->mid, nc * sizeof *nm);
        if (!nm) return false;
        b->mid = nm;
        b->cap = nc;
    }
    b->e[b->n] = (cv__edge3){tail, head, w};
    b->mid[b->n++] = mid;
    return true;
}

void cv__graph_ch_out_fini(cv__ch_out *o)
{
    free(o->rank), free(o->up), free(o->up_mid), free(o->dn), free(o->dn_mid);
    memset(o, 0, sizeof *o);
}

cv_status cv__graph_ch_contract(uint32_t n, const cv__edge3 *arcs, uint64_t narcs, cv__ch_out *out,
                                cv__progress_fn progress, void *pctx)
{
    ch_ctx c;
    memset(&c, 0, sizeof c);
    memset(out, 0, sizeof *out);
    ebuf up = {0}, dn = {0};
    cv_status st = CV_ENOMEM;
    c.n = n;
    c.out = cv_calloc(n ? n : 1, sizeof *c.out);
    c.in = cv_calloc(n ? n : 1, sizeof *c.in);
    c.done = cv_calloc(n ? n : 1, 1);
    c.level = cv_calloc(n ? n : 1, sizeof *c.level);
    c.deleted = cv_calloc(n ? n : 1, sizeof *c.deleted);
    c.prio = cv_calloc(n ? n : 1, sizeof *c.prio);
    c.tmark = cv_calloc(n ? n : 1, sizeof *c.tmark);
    c.nmark = cv_calloc(n ? n : 1, sizeof *c.nmark);
    c.pq = cv_calloc(n ? n : 1, sizeof *c.pq);
    c.pqpos = cv_calloc(n ? n : 1, sizeof *c.pqpos);
    out->rank = cv_calloc(n ? n : 1, sizeof *out->rank);
    if (!c.out || !c.in || !c.done || !c.level || !c.deleted || !c.prio || !c.tmark || !c.nmark ||
        !c.pq || !c.pqpos || !out->rank)
        goto done;
    if (cv__graph_heap_init(&c.wh, n ? n : 1) != CV_OK) goto done;
    for (uint64_t i = 0; i < narcs; i++) {
        if (arcs[i].tail == arcs[i].head) continue;
        if (!adj_improve(&c.out[arcs[i].tail], arcs[i].head, arcs[i].w, CV__NONE) ||
            !adj_improve(&c.in[arcs[i].head], arcs[i].tail, arcs[i].w, CV__NONE))
            goto done;
    }
    bool oom = false;
    for (uint32_t v = 0; v < n; v++) c.pqpos[v] = CV__NONE;
    for (uint32_t v = 0; v < n; v++) {
        int32_t pv = priority(&c, v, &oom);
        if (oom) goto done;
        pq_set(&c, v, pv);
    }
    uint32_t next = 0, step = n / 100 + 1;
    while (c.npq) {
        uint32_t v = pq_pop(&c);
        /* v's priority is fresh: it is recomputed whenever a neighbour is
         * contracted, the only event that changes v's edges. */
        /* contract v */
        if (shortcuts(&c, v, 1000) < 0) goto done;
        out->rank[v] = next++;
        c.done[v] = 1;
        if (progress && next % step == 0) progress(pctx, "contracting", (double)next / n);
        adj *vo = &c.out[v], *vi = &c.in[v];
        for (uint32_t i = 0; i < vo->n; i++) {
            if (!ebuf_push(&up, v, vo->e[i].other, vo->e[i].w, vo->e[i].mid)) goto done;
            adj_remove(&c.in[vo->e[i].other], v);
        }
        for (uint32_t i = 0; i < vi->n; i++) {
            if (!ebuf_push(&dn, vi->e[i].other, v, vi->e[i].w, vi->e[i].mid)) goto done;
            adj_remove(&c.out[vi->e[i].other], v);
        }
        for (uint32_t i = 0; i < c.nsc; i++) {
            if (!adj_improve(&c.out[c.sc[i].tail], c.sc[i].head, c.sc[i].w, v) ||
                !adj_improve(&c.in[c.sc[i].head], c.sc[i].tail, c.sc[i].w, v))
                goto done;
        }
        /* neighbours (once each, though most are both in and out): update
         * the cheap terms, re-simulate, requeue */
        c.ngen++;
        for (int side = 0; side < 2; side++) {
            adj *l = side ? vi : vo;
            for (uint32_t i = 0; i < l->n; i++) {
                uint32_t x = l->e[i].other;
                if (c.done[x] || c.nmark[x] == c.ngen) continue;
                c.nmark[x] = c.ngen;
                c.deleted[x]++;
                if (c.level[x] < c.level[v] + 1) c.level[x] = c.level[v] + 1;
                int32_t px = priority(&c, x, &oom);
                if (oom) goto done;
                if (px != c.prio[x]) pq_set(&c, x, px);
            }
        }
        free(vo->e), free(vi->e);
        memset(vo, 0, sizeof *vo), memset(vi, 0, sizeof *vi);
    }
    if (progress) progress(pctx, "contracting", 1.0);
    out->up = up.e, out->up_mid = up.mid, out->nup = up.n;
    out->dn = dn.e, out->dn_mid = dn.mid, out->ndn = dn.n;
    up.e = dn.e = NULL, up.mid = dn.mid = NULL;
    st = CV_OK;
done:
    if (st != CV_OK) cv__graph_ch_out_fini(out);
    free(up.e), free(up.mid), free(dn.e), free(dn.mid);
    if (c.out)
        for (uint32_t v = 0; v < n; v++) free(c.out[v].e), free(c.in[v].e);
    free(c.out), free(c.in), free(c.done), free(c.level), free(c.deleted), free(c.prio);
    free(c.pq), free(c.pqpos), free(c.nmark), free(c.sc), free(c.tmark);
    cv__graph_heap_fini(&c.wh);
    return st;
}
