/* Pricing for cv_lp_bound: the elementary shortest path with time windows
 * and capacity, relaxed to ng-routes (Baldacci, Mingozzi & Roberti 2011), by
 * a forward labelling algorithm with dominance (cv/lp.h (9)).
 *
 * Labels live in one pool (struct of arrays, reused between calls) and are
 * extended in order of increasing service-start time from a binary heap;
 * each customer keeps the list of its undominated labels.  The ng-memory of
 * a label at customer i is a bitmask over N_i (bit 0 is i itself), so the
 * elementarity test and the subset test of the dominance are one AND each.
 * A call is bounded by label extensions (the deterministic effort unit), a
 * label count (memory) and a wall-clock deadline; only a call that extends
 * every label reports m(pi), which is what makes the Lagrangian bound valid.
 * The exact labelling drops labels by completion bounds (completion_bounds:
 * q-routes over time buckets, recomputed per call): a label none of whose
 * completions can be negative, or beat the worst of a full list of best
 * columns, changes neither min(0, m(pi)) nor the columns returned.
 * Measured (Solomon, same columns and iterations): label extensions R109
 * 23.4 -> 6.0 million, RC105 15.1 -> 4.4, RC201 131 -> 99. */
#include "lp_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NG 32

struct cv__lp_pricer {
    const cv__lp_model *m;
    uint32_t ng;                 /* neighbourhood size */
    uint32_t *ngn;               /* n * ng: N_i, nearest first, ngn[i*ng] = i */
    int8_t *pos;                 /* n * n: position of j in N_i, -1 when absent */
    uint32_t *succ_first, *succ; /* feasible arcs i -> j, CSR */
    uint32_t *pred_first, *pred; /* the same arcs by head: i -> j listed at j */
    /* Label pool. */
    size_t cap, len;
    double *rc;
    int64_t *t;
    uint32_t *node, *parent, *mem;
    uint8_t *dead;
    int64_t *load; /* len * nres */
    /* Subset-row cut states (lp_cuts.c), sw words per label: bit c set when
     * the label has seen one customer of cut c since its last reset. */
    uint64_t *src;
    uint32_t sw, src_words_cap; /* words per label this call; per label allocated */
    /* Per call, from the cuts: words of the cuts whose memory holds j
     * (keep[j*sw..]), the cuts with j in T (CSR tin_first/tin), and the
     * penalty -beta_c >= 0 a route pays each time a cut's count grows. */
    uint64_t *keep;
    uint32_t *tin_first, *tin;
    double *pen;
    /* Per-customer lists of live labels, forward and backward. */
    uint32_t **bucket, *bucket_len, *bucket_cap;
    uint32_t **bbucket, *bbucket_len, *bbucket_cap;
    /* Heap of labels to extend, keyed by (t, index). */
    uint32_t *heap;
    size_t heap_len, heap_cap;
    bool heap_desc; /* backward phase: latest start first */
    /* Completion bounds, recomputed per call: cb[i*nb + k] <= the value of
     * every completion from customer i when service at i starts in time
     * bucket k (buckets of width bw from depot_a). */
    uint32_t nb;
    int64_t bw;
    double *cb;
    /* Prefix bounds for the backward labels, recomputed per bidirectional
     * call: pb[i*nb + k] <= the value of every path from the start depot to
     * i (i's own dual excluded) that can start service at i by the end of
     * bucket k. */
    double *pb;
};

void cv__lp_pricer_destroy(cv__lp_pricer *pr)
{
    if (!pr) return;
    free(pr->ngn);
    free(pr->pos);
    free(pr->succ_first);
    free(pr->succ);
    free(pr->pred_first);
    free(pr->pred);
    free(pr->pb);
    free(pr->rc);
    free(pr->t);
    free(pr->node);
    free(pr->parent);
    free(pr->mem);
    free(pr->dead);
    free(pr->load);
    free(pr->src);
    free(pr->keep);
    free(pr->tin_first);
    free(pr->tin);
    free(pr->pen);
    if (pr->bucket)
        for (uint32_t i = 0; i < pr->m->n; i++) free(pr->bucket[i]);
    free(pr->bucket);
    free(pr->bucket_len);
    free(pr->bucket_cap);
    if (pr->bbucket)
        for (uint32_t i = 0; i < pr->m->n; i++) free(pr->bbucket[i]);
    free(pr->bbucket);
    free(pr->bbucket_len);
    free(pr->bbucket_cap);
    free(pr->heap);
    free(pr->cb);
    free(pr);
}

/* Sorting helper for the neighbourhoods: by key, then index (deterministic). */
typedef struct keyed {
    double key;
    uint32_t idx;
} keyed;

static int cmp_keyed(const void *x, const void *y)
{
    const keyed *a = x, *b = y;
    if (a->key != b->key) return a->key < b->key ? -1 : 1;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

cv_status cv__lp_pricer_create(cv__lp_pricer **out, const cv__lp_model *m, uint32_t ng_size)
{
    const uint32_t n = m->n;
    if (ng_size < 1) ng_size = 1;
    if (ng_size > MAX_NG) ng_size = MAX_NG;
    if (ng_size > n) ng_size = n ? n : 1;
    cv__lp_pricer *pr = cv_calloc(1, sizeof *pr);
    if (!pr) return CV_ENOMEM;
    pr->m = m;
    pr->ng = ng_size;
    size_t nn = (size_t)n * n;
    pr->ngn = cv_calloc((size_t)n * ng_size + 1, sizeof *pr->ngn);
    pr->pos = cv_calloc(nn + 1, sizeof *pr->pos);
    pr->succ_first = cv_calloc(n + 2, sizeof *pr->succ_first);
    pr->succ = cv_calloc(nn + 1, sizeof *pr->succ);
    pr->bucket = cv_calloc(n + 1, sizeof *pr->bucket);
    pr->bucket_len = cv_calloc(n + 1, sizeof *pr->bucket_len);
    pr->bucket_cap = cv_calloc(n + 1, sizeof *pr->bucket_cap);
    pr->bbucket = cv_calloc(n + 1, sizeof *pr->bbucket);
    pr->bbucket_len = cv_calloc(n + 1, sizeof *pr->bbucket_len);
    pr->bbucket_cap = cv_calloc(n + 1, sizeof *pr->bbucket_cap);
    pr->pred_first = cv_calloc(n + 2, sizeof *pr->pred_first);
    pr->pred = cv_calloc(nn + 1, sizeof *pr->pred);
    keyed *tmp = cv_calloc(n + 1, sizeof *tmp);
    if (!pr->ngn || !pr->pos || !pr->succ_first || !pr->succ || !pr->bucket || !pr->bucket_len ||
        !pr->bucket_cap || !pr->bbucket || !pr->bbucket_len || !pr->bbucket_cap ||
        !pr->pred_first || !pr->pred || !tmp) {
        free(tmp);
        cv__lp_pricer_destroy(pr);
        return CV_ENOMEM;
    }
    memset(pr->pos, -1, nn);
    /* N_i: i and its ng_size-1 nearest customers by round-trip cost. */
    for (uint32_t i = 0; i < n; i++) {
        uint32_t k = 0;
        for (uint32_t j = 0; j < n; j++)
            if (j != i) tmp[k++] = (keyed){m->c[(size_t)i * n + j] + m->c[(size_t)j * n + i], j};
        qsort(tmp, k, sizeof *tmp, cmp_keyed);
        pr->ngn[(size_t)i * ng_size] = i;
        pr->pos[(size_t)i * n + i] = 0;
        for (uint32_t q = 1; q < ng_size; q++) {
            pr->ngn[(size_t)i * ng_size + q] = tmp[q - 1].idx;
            pr->pos[(size_t)i * n + tmp[q - 1].idx] = (int8_t)q;
        }
    }
    free(tmp);
    /* Arcs that some time-feasible route can use. */
    uint32_t e = 0;
    for (uint32_t i = 0; i < n; i++) {
        pr->succ_first[i] = e;
        for (uint32_t j = 0; j < n; j++) {
            if (j == i) continue;
            int64_t tj = m->a[i] + m->t[(size_t)i * n + j];
            if (tj < m->a[j]) tj = m->a[j];
            if (tj <= m->b[j] && tj + m->te[j] <= m->depot_b) pr->succ[e++] = j;
        }
    }
    pr->succ_first[n] = e;
    for (uint32_t q = 0; q < e; q++) pr->pred_first[pr->succ[q] + 1]++;
    for (uint32_t j = 0; j < n; j++) pr->pred_first[j + 1] += pr->pred_first[j];
    for (uint32_t i = 0; i < n; i++) /* ascending i within each head: deterministic */
        for (uint32_t q = pr->succ_first[i]; q < pr->succ_first[i + 1]; q++)
            pr->pred[pr->pred_first[pr->succ[q]] + pr->bucket_len[pr->succ[q]]++] = i;
    for (uint32_t j = 0; j < n; j++) pr->bucket_len[j] = 0;
    /* Completion-bound buckets: fine enough that an arc (service + travel)
     * usually leaves its bucket, coarse enough to cost little per call. */
    pr->nb = 128;
    pr->bw = (m->depot_b - m->depot_a) / pr->nb + 1;
    pr->cb = cv_calloc((size_t)n * pr->nb + 1, sizeof *pr->cb);
    pr->pb = cv_calloc((size_t)n * pr->nb + 1, sizeof *pr->pb);
    if (!pr->cb || !pr->pb) {
        cv__lp_pricer_destroy(pr);
        return CV_ENOMEM;
    }
    *out = pr;
    return CV_OK;
}

static inline uint32_t bucket_of(const cv__lp_pricer *pr, int64_t t)
{
    int64_t k = (t - pr->m->depot_a) / pr->bw;
    return k < 0 ? 0 : k >= (int64_t)pr->nb ? pr->nb - 1 : (uint32_t)k;
}

/* Completion bounds for duals pi: a backward dynamic programme over
 * (customer, time bucket) on q-routes (repeats allowed, capacity ignored),
 * each state valued at the earliest time of its bucket, which can only
 * lower it (a later start never has more completions).  Arcs that stay in
 * their bucket are relaxed by Bellman-Ford passes; a bucket that does not
 * settle (a negative cycle of zero-time arcs) gets -inf: no pruning there.
 * O(buckets x arcs). */
static void completion_bounds(cv__lp_pricer *pr, const double *pi, bool fleet, double fixed)
{
    const cv__lp_model *m = pr->m;
    const uint32_t n = m->n, nb = pr->nb;
    double *cb = pr->cb;
    for (uint32_t k = nb; k-- > 0;) {
        const int64_t T = m->depot_a + (int64_t)k * pr->bw;
        bool intra = false;
        for (uint32_t i = 0; i < n; i++) {
            const int64_t t0 = T > m->a[i] ? T : m->a[i];
            double v = INFINITY;
            if (t0 <= m->b[i]) {
                if (t0 + m->te[i] <= m->depot_b) v = (fleet ? 0.0 : m->ce[i]) + fixed;
                for (uint32_t e = pr->succ_first[i]; e < pr->succ_first[i + 1]; e++) {
                    const uint32_t j = pr->succ[e];
                    int64_t tj = t0 + m->t[(size_t)i * n + j];
                    if (tj < m->a[j]) tj = m->a[j];
                    if (tj > m->b[j]) continue;
                    const uint32_t kj = bucket_of(pr, tj);
                    if (kj == k) {
                        intra = true;
                        continue;
                    }
                    const double w =
                        (fleet ? 0.0 : m->c[(size_t)i * n + j]) - pi[j] + cb[(size_t)j * nb + kj];
                    if (w < v) v = w;
                }
            }
            cb[(size_t)i * nb + k] = v;
        }
        if (!intra) continue;
        bool changed = true;
        for (uint32_t pass = 0; pass <= n && changed; pass++) {
            changed = false;
            for (uint32_t i = 0; i < n; i++) {
                const int64_t t0 = T > m->a[i] ? T : m->a[i];
                if (t0 > m->b[i]) continue;
                for (uint32_t e = pr->succ_first[i]; e < pr->succ_first[i + 1]; e++) {
                    const uint32_t j = pr->succ[e];
                    int64_t tj = t0 + m->t[(size_t)i * n + j];
                    if (tj < m->a[j]) tj = m->a[j];
                    if (tj > m->b[j] || bucket_of(pr, tj) != k) continue;
                    const double w =
                        (fleet ? 0.0 : m->c[(size_t)i * n + j]) - pi[j] + cb[(size_t)j * nb + k];
                    if (w < cb[(size_t)i * nb + k] - 1e-9 * (1.0 + fabs(w))) {
                        cb[(size_t)i * nb + k] = w;
                        changed = true;
                    }
                }
            }
        }
        if (changed)
            for (uint32_t i = 0; i < n; i++) cb[(size_t)i * nb + k] = -INFINITY;
    }
}

/* Prefix bounds for duals pi (the mirror of completion_bounds): a forward
 * programme over (customer, time bucket) on q-paths from the start depot,
 * capacity ignored, each state extended from the start of its bucket (no
 * later than any path it stands for, so every real path is represented at
 * its own bucket or an earlier one); then a running minimum over buckets,
 * since a backward label whose latest start is in bucket k accepts every
 * prefix arriving by then.  Arcs within one bucket are relaxed by
 * Bellman-Ford passes; a bucket that does not settle gets -inf. */
static void prefix_bounds(cv__lp_pricer *pr, const double *pi, bool fleet, double fixed)
{
    const cv__lp_model *m = pr->m;
    const uint32_t n = m->n, nb = pr->nb;
    double *g = pr->pb;
    for (size_t q = 0; q < (size_t)n * nb; q++) g[q] = INFINITY;
    for (uint32_t j = 0; j < n; j++) {
        int64_t tj = m->depot_a + m->t0[j];
        if (tj < m->a[j]) tj = m->a[j];
        if (tj > m->b[j]) continue;
        double *v = &g[(size_t)j * nb + bucket_of(pr, tj)];
        *v = fmin(*v, (fleet ? 0.0 : m->c0[j]) + fixed);
    }
    for (uint32_t k = 0; k < nb; k++) {
        const int64_t T = m->depot_a + (int64_t)k * pr->bw;
        bool changed = true;
        for (uint32_t pass = 0; pass <= n && changed; pass++) {
            changed = false;
            for (uint32_t i = 0; i < n; i++) {
                const double gi = g[(size_t)i * nb + k];
                if (!(gi < INFINITY)) continue;
                const int64_t t0 = T > m->a[i] ? T : m->a[i];
                if (t0 > m->b[i]) continue;
                for (uint32_t e = pr->succ_first[i]; e < pr->succ_first[i + 1]; e++) {
                    const uint32_t j = pr->succ[e];
                    int64_t tj = t0 + m->t[(size_t)i * n + j];
                    if (tj < m->a[j]) tj = m->a[j];
                    if (tj > m->b[j] || bucket_of(pr, tj) != k) continue;
                    const double w = gi - pi[i] + (fleet ? 0.0 : m->c[(size_t)i * n + j]);
                    double *v = &g[(size_t)j * nb + k];
                    if (w < *v - 1e-9 * (1.0 + fabs(w))) {
                        *v = w;
                        changed = true;
                    }
                }
            }
        }
        if (changed)
            for (uint32_t i = 0; i < n; i++) g[(size_t)i * nb + k] = -INFINITY;
        for (uint32_t i = 0; i < n; i++) {
            const double gi = g[(size_t)i * nb + k];
            if (!(gi < INFINITY)) continue;
            const int64_t t0 = T > m->a[i] ? T : m->a[i];
            if (t0 > m->b[i]) continue;
            for (uint32_t e = pr->succ_first[i]; e < pr->succ_first[i + 1]; e++) {
                const uint32_t j = pr->succ[e];
                int64_t tj = t0 + m->t[(size_t)i * n + j];
                if (tj < m->a[j]) tj = m->a[j];
                if (tj > m->b[j]) continue;
                const uint32_t kj = bucket_of(pr, tj);
                if (kj <= k) continue;
                const double w = gi - pi[i] + (fleet ? 0.0 : m->c[(size_t)i * n + j]);
                double *v = &g[(size_t)j * nb + kj];
                if (w < *v) *v = w;
            }
        }
    }
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t k = 1; k < nb; k++)
            g[(size_t)i * nb + k] = fmin(g[(size_t)i * nb + k], g[(size_t)i * nb + k - 1]);
}

static bool pool_reserve(cv__lp_pricer *pr, size_t want)
{
    if (want <= pr->cap) return true;
    size_t cap = pr->cap ? pr->cap : 4096;
    while (cap < want) cap *= 2;
    const uint32_t nres = pr->m->nres ? pr->m->nres : 1;
    double *rc = cv_realloc_array(pr->rc, cap, sizeof *rc);
    if (!rc) return false;
    pr->rc = rc;
    int64_t *t = cv_realloc_array(pr->t, cap, sizeof *t);
    if (!t) return false;
    pr->t = t;
    uint32_t *a = cv_realloc_array(pr->node, cap, sizeof *a);
    if (!a) return false;
    pr->node = a;
    a = cv_realloc_array(pr->parent, cap, sizeof *a);
    if (!a) return false;
    pr->parent = a;
    a = cv_realloc_array(pr->mem, cap, sizeof *a);
    if (!a) return false;
    pr->mem = a;
    uint8_t *d = cv_realloc_array(pr->dead, cap, sizeof *d);
    if (!d) return false;
    pr->dead = d;
    int64_t *l = cv_realloc_array(pr->load, cap * nres, sizeof *l);
    if (!l) return false;
    pr->load = l;
    if (pr->src_words_cap) {
        uint64_t *w = cv_realloc_array(pr->src, cap * pr->src_words_cap, sizeof *w);
        if (!w) return false;
        pr->src = w;
    }
    pr->cap = cap;
    return true;
}

/* Per-call tables of the cuts (see the pricer's fields); false on no memory. */
static bool cuts_prepare(cv__lp_pricer *pr, const cv__lp_cuts *cuts, const double *beta)
{
    const uint32_t n = pr->m->n, nc = cuts ? cuts->count : 0;
    const uint32_t sw = (nc + 63) / 64;
    pr->sw = sw;
    if (sw == 0) return true;
    if (sw > pr->src_words_cap) {
        uint64_t *w = cv_realloc_array(pr->src, (pr->cap ? pr->cap : 1) * sw, sizeof *w);
        if (!w) return false;
        pr->src = w;
        pr->src_words_cap = sw;
    }
    free(pr->keep);
    free(pr->tin_first);
    free(pr->tin);
    free(pr->pen);
    pr->keep = cv_calloc((size_t)n * sw + 1, sizeof *pr->keep);
    pr->tin_first = cv_calloc(n + 2, sizeof *pr->tin_first);
    pr->tin = cv_calloc(3 * (size_t)nc + 1, sizeof *pr->tin);
    pr->pen = cv_calloc(nc + 1, sizeof *pr->pen);
    if (!pr->keep || !pr->tin_first || !pr->tin || !pr->pen) return false;
    for (uint32_t c = 0; c < nc; c++) {
        pr->pen[c] = beta[c] < 0 ? -beta[c] : 0.0;
        const uint8_t *mem = cuts->mem + (size_t)c * n;
        for (uint32_t j = 0; j < n; j++)
            if (mem[j]) pr->keep[(size_t)j * sw + c / 64] |= 1ull << (c % 64);
        for (int e = 0; e < 3; e++) pr->tin_first[cuts->tri[c][e] + 1]++;
    }
    for (uint32_t j = 0; j < n; j++) pr->tin_first[j + 1] += pr->tin_first[j];
    uint32_t *fill = cv_calloc(n + 1, sizeof *fill);
    if (!fill) return false;
    for (uint32_t c = 0; c < nc; c++)
        for (int e = 0; e < 3; e++) {
            const uint32_t j = cuts->tri[c][e];
            pr->tin[pr->tin_first[j] + fill[j]++] = c;
        }
    free(fill);
    return true;
}

/* The cut states after moving from state `from` (NULL: the depot) to j, into
 * `to`; returns the penalties paid on the way. */
static inline double cuts_step(const cv__lp_pricer *pr, const uint64_t *from, uint32_t j,
                               uint64_t *to)
{
    const uint32_t sw = pr->sw;
    const uint64_t *keep = pr->keep + (size_t)j * sw;
    for (uint32_t w = 0; w < sw; w++) to[w] = from ? from[w] & keep[w] : 0;
    double paid = 0.0;
    for (uint32_t e = pr->tin_first[j]; e < pr->tin_first[j + 1]; e++) {
        const uint32_t c = pr->tin[e];
        const uint64_t bit = 1ull << (c % 64);
        if (to[c / 64] & bit) {
            to[c / 64] &= ~bit;
            paid += pr->pen[c];
        } else {
            to[c / 64] |= bit;
        }
    }
    return paid;
}

static bool heap_less(const cv__lp_pricer *pr, uint32_t x, uint32_t y)
{
    if (pr->heap_desc) return pr->t[x] > pr->t[y] || (pr->t[x] == pr->t[y] && x < y);
    return pr->t[x] < pr->t[y] || (pr->t[x] == pr->t[y] && x < y);
}

static bool heap_push(cv__lp_pricer *pr, uint32_t x)
{
    if (pr->heap_len == pr->heap_cap) {
        size_t cap = pr->heap_cap ? pr->heap_cap * 2 : 4096;
        uint32_t *h = cv_realloc_array(pr->heap, cap, sizeof *h);
        if (!h) return false;
        pr->heap = h;
        pr->heap_cap = cap;
    }
    size_t k = pr->heap_len++;
    while (k > 0) {
        size_t up = (k - 1) / 2;
        if (!heap_less(pr, x, pr->heap[up])) break;
        pr->heap[k] = pr->heap[up];
        k = up;
    }
    pr->heap[k] = x;
    return true;
}

static uint32_t heap_pop(cv__lp_pricer *pr)
{
    uint32_t top = pr->heap[0], x = pr->heap[--pr->heap_len];
    size_t k = 0, len = pr->heap_len;
    for (;;) {
        size_t c = 2 * k + 1;
        if (c >= len) break;
        if (c + 1 < len && heap_less(pr, pr->heap[c + 1], pr->heap[c])) c++;
        if (!heap_less(pr, pr->heap[c], x)) break;
        pr->heap[k] = pr->heap[c];
        k = c;
    }
    if (len) pr->heap[k] = x;
    return top;
}

static bool list_add(uint32_t **list, uint32_t *len, uint32_t *cap, uint32_t j, uint32_t x)
{
    if (len[j] == cap[j]) {
        uint32_t c = cap[j] ? cap[j] * 2 : 16;
        uint32_t *b = cv_realloc_array(list[j], c, sizeof *b);
        if (!b) return false;
        list[j] = b;
        cap[j] = c;
    }
    list[j][len[j]++] = x;
    return true;
}

static bool bucket_add(cv__lp_pricer *pr, uint32_t j, uint32_t x)
{
    return list_add(pr->bucket, pr->bucket_len, pr->bucket_cap, j, x);
}

/* Dominance beyond cost and time: memory, loads, cut states.  With cuts
 * (Jepsen et al. 2008): x may still pay -beta_c for every cut c where it is
 * one visit from a payment and the candidate is not, so x dominates only
 * when rc_x plus those penalties is <= rc. */
static inline bool dominates_rest(const cv__lp_pricer *pr, uint32_t x, double rc,
                                  const int64_t *load, uint32_t mem, const uint64_t *src,
                                  uint32_t nres, bool use_mem)
{
    if (use_mem && (pr->mem[x] & ~mem)) return false;
    const uint32_t lstride = pr->m->nres ? pr->m->nres : 1;
    const int64_t *lx = pr->load + (size_t)x * lstride;
    for (uint32_t r = 0; r < nres; r++)
        if (lx[r] > load[r]) return false;
    if (pr->sw) {
        double worse = pr->rc[x];
        const uint64_t *sx = pr->src + (size_t)x * pr->sw;
        for (uint32_t w = 0; w < pr->sw; w++)
            for (uint64_t bits = sx[w] & ~src[w]; bits; bits &= bits - 1) {
                worse += pr->pen[w * 64 + (uint32_t)__builtin_ctzll(bits)];
                if (worse > rc) return false;
            }
    }
    return true;
}

/* Does forward label x dominate the candidate (rc, t, load, mem, cut
 * states src)? */
static inline bool dominates(const cv__lp_pricer *pr, uint32_t x, double rc, int64_t t,
                             const int64_t *load, uint32_t mem, const uint64_t *src, uint32_t nres,
                             bool use_mem)
{
    if (pr->rc[x] > rc || pr->t[x] > t) return false;
    return dominates_rest(pr, x, rc, load, mem, src, nres, use_mem);
}

/* The same for backward labels, whose time is the latest service start
 * (later is better). */
static inline bool dominates_back(const cv__lp_pricer *pr, uint32_t x, double rc, int64_t t,
                                  const int64_t *load, uint32_t mem, const uint64_t *src,
                                  uint32_t nres)
{
    if (pr->rc[x] > rc || pr->t[x] < t) return false;
    return dominates_rest(pr, x, rc, load, mem, src, nres, true);
}

/* The best max_cols completions so far, as a max-heap on their value.  An
 * entry is a forward label (high 32 bits) joined to a backward label (low
 * 32 bits), either being NONE_LAB. */
#define NONE_LAB UINT32_MAX
typedef struct best {
    uint64_t *lab;
    double *val;
    uint32_t len, cap;
} best;

static inline uint64_t pair_of(uint32_t f, uint32_t b)
{
    return (uint64_t)f << 32 | b;
}

static void best_offer(best *b, uint64_t lab, double val)
{
    if (b->cap == 0) return;
    if (b->len == b->cap) {
        if (val >= b->val[0]) return;
        /* Replace the worst (root) and sift down. */
        uint32_t k = 0;
        for (;;) {
            uint32_t c = 2 * k + 1;
            if (c >= b->len) break;
            if (c + 1 < b->len && b->val[c + 1] > b->val[c]) c++;
            if (b->val[c] <= val) break;
            b->val[k] = b->val[c];
            b->lab[k] = b->lab[c];
            k = c;
        }
        b->val[k] = val;
        b->lab[k] = lab;
        return;
    }
    uint32_t k = b->len++;
    while (k > 0) {
        uint32_t up = (k - 1) / 2;
        if (b->val[up] >= val) break;
        b->val[k] = b->val[up];
        b->lab[k] = b->lab[up];
        k = up;
    }
    b->val[k] = val;
    b->lab[k] = lab;
}

/* Below this a completion matters: it lowers min(0, m) or enters the list. */
static inline double useful_below(const best *b, double min_m, double sigma, double eps)
{
    double t = sigma - eps;
    if (b->cap && b->len == b->cap) t = fmin(t, b->val[0]);
    return fmax(fmin(0.0, min_m), t);
}

static int cmp_col(const void *x, const void *y)
{
    const cv__lp_col *a = x, *b = y;
    if (a->rc != b->rc) return a->rc < b->rc ? -1 : 1;
    if (a->len != b->len) return a->len < b->len ? -1 : 1;
    return memcmp(a->seq, b->seq, a->len * sizeof *a->seq);
}

static int cmp_rc_label(const void *x, const void *y)
{
    const keyed *a = x, *b = y;
    return cmp_keyed(a, b);
}

cv_status cv__lp_price(cv__lp_pricer *pr, const double *pi, const cv__lp_cuts *cuts,
                       const double *beta, double sigma, cv__lp_price_mode mode, uint32_t max_cols,
                       uint64_t *effort, uint64_t effort_cap, double deadline, size_t max_labels,
                       cv__lp_col **cols, uint32_t *ncols, double *min_m, bool *complete)
{
    const cv__lp_model *m = pr->m;
    const uint32_t n = m->n, ngs = pr->ng;
    /* Capacity is checked on nres resources; the heuristic leaves them out of
     * the dominance (ndom = 0) to keep few labels. */
    const uint32_t nres = mode.loads ? m->nres : 0;
    const uint32_t ndom = mode.heuristic ? 0 : nres;
    const uint32_t lstride = m->nres ? m->nres : 1;
    const uint32_t ng = mode.ng < 1 ? 1 : mode.ng > ngs ? ngs : mode.ng;
    /* Every label keeps its ng-memory (columns must be ng-routes, or the master
     * would relax below the ng bound); the heuristic only ignores it in the
     * dominance. */
    const bool use_mem = !mode.heuristic;
    const double fixed = mode.fleet ? 1.0 : m->route_fixed;
    const double eps = 1e-7 * (1.0 + fabs(sigma));
    /* Labels per customer kept by the heuristic: 2 beat 4, 8 and unlimited on
     * R2/RC2 (fewer, cheaper rounds; the exact labelling closes the gap). */
    const uint32_t heur_cap = mode.heur_cap ? mode.heur_cap : 2;
    /* Bidirectional (Righini & Salani 2006): forward labels up to the middle
     * of the horizon, backward labels (latest service start) beyond it,
     * joined over every arc; the exact labelling only. */
    const bool bidir = mode.bidir && !mode.heuristic;
    const int64_t t_mid = bidir ? m->depot_a + (m->depot_b - m->depot_a) / 2 : CV_TIME_MAX;
    *cols = NULL;
    *ncols = 0;
    *complete = false;
    *min_m = INFINITY;

    best bst = {cv_calloc(max_cols + 1, sizeof(uint64_t)), cv_calloc(max_cols + 1, sizeof(double)),
                0, max_cols};
    keyed *sortbuf = NULL;
    if (!bst.lab || !bst.val) goto nomem;
    pr->len = 0;
    pr->heap_len = 0;
    pr->heap_desc = false;
    if (!cuts_prepare(pr, mode.fleet ? NULL : cuts, beta)) goto nomem;
    const uint32_t sw = pr->sw;
    uint64_t sj[CV__LP_MAX_CUTS / 64];
    for (uint32_t i = 0; i < n; i++) pr->bucket_len[i] = pr->bbucket_len[i] = 0;
    /* Completion bounds only for the exact labelling: the heuristic's calls
     * are many and cheap, and its labels few. */
    const bool use_cb = !mode.heuristic;
    if (use_cb) {
        completion_bounds(pr, pi, mode.fleet, fixed);
        *effort += (uint64_t)pr->nb * pr->succ_first[n] / 16;
    }
    if (bidir) {
        prefix_bounds(pr, pi, mode.fleet, fixed);
        *effort += (uint64_t)pr->nb * pr->succ_first[n] / 16;
    }
    const uint32_t nb = pr->nb;
    cv_status st = CV_OK;
    bool stopped = false;
    int64_t ld[CV__LP_MAX_RES];

    /* Initial labels: start depot -> j. */
    for (uint32_t j = 0; j < n && !stopped; j++) {
        int64_t tj = m->depot_a + m->t0[j];
        if (tj < m->a[j]) tj = m->a[j];
        if (tj > m->b[j] || tj + m->te[j] > m->depot_b || tj > t_mid) continue;
        bool fits = true;
        for (uint32_t r = 0; r < m->nres; r++)
            fits &= m->dem[(size_t)j * CV__LP_MAX_RES + r] <= m->cap[r];
        if (!fits) continue;
        const double rc0 =
            (mode.fleet ? 0.0 : m->c0[j]) - pi[j] + (sw ? cuts_step(pr, NULL, j, sj) : 0.0);
        if (use_cb && rc0 + pr->cb[(size_t)j * nb + bucket_of(pr, tj)] > 1e-7 * (1.0 + fabs(rc0)))
            continue;
        if (!pool_reserve(pr, pr->len + 1)) goto nomem;
        uint32_t x = (uint32_t)pr->len++;
        pr->rc[x] = rc0;
        pr->t[x] = tj;
        pr->node[x] = j;
        pr->parent[x] = UINT32_MAX;
        pr->mem[x] = 1u;
        pr->dead[x] = 0;
        if (sw) memcpy(pr->src + (size_t)x * sw, sj, sw * sizeof *sj);
        for (uint32_t r = 0; r < nres; r++)
            pr->load[(size_t)x * lstride + r] = m->dem[(size_t)j * CV__LP_MAX_RES + r];
        if (!bucket_add(pr, j, x) || !heap_push(pr, x)) goto nomem;
    }

    uint64_t pops = 0;
    while (pr->heap_len > 0) {
        if ((++pops & 1023) == 0 && deadline > 0 && cv__lp_clock(mode.cpu) > deadline) {
            stopped = true;
            break;
        }
        const uint32_t x = heap_pop(pr);
        if (pr->dead[x]) continue;
        const uint32_t i = pr->node[x];
        const double rcx = pr->rc[x];
        const int64_t tx = pr->t[x];
        const uint32_t memx = pr->mem[x];
        /* Completion to the end depot. */
        const double val = rcx + (mode.fleet ? 0.0 : m->ce[i]) + fixed;
        if (val < *min_m) *min_m = val;
        if (val < sigma - eps) best_offer(&bst, pair_of(x, NONE_LAB), val);

        const uint32_t *ni = pr->ngn + (size_t)i * ngs;
        for (uint32_t e = pr->succ_first[i]; e < pr->succ_first[i + 1]; e++) {
            const uint32_t j = pr->succ[e];
            const int8_t q = pr->pos[(size_t)i * n + j];
            if (q >= 0 && (uint32_t)q < ng && (memx >> q) & 1u) continue;
            (*effort)++;
            int64_t tj = tx + m->t[(size_t)i * n + j];
            if (tj < m->a[j]) tj = m->a[j];
            if (tj > m->b[j] || tj + m->te[j] > m->depot_b) continue;
            /* Past the middle, the backward labels take over (the join
             * covers this arc). */
            if (tj > t_mid) continue;
            bool fits = true;
            for (uint32_t r = 0; r < nres; r++) {
                ld[r] = pr->load[(size_t)x * lstride + r] + m->dem[(size_t)j * CV__LP_MAX_RES + r];
                fits &= ld[r] <= m->cap[r];
            }
            if (!fits) continue;
            double rcj = rcx + (mode.fleet ? 0.0 : m->c[(size_t)i * n + j]) - pi[j];
            if (sw) rcj += cuts_step(pr, pr->src + (size_t)x * sw, j, sj);
            /* Completion bound: no completion of this label can be negative
             * or enter the full list of best columns (so it cannot change
             * min(0, m(pi)) either). */
            const double thr = bst.len == bst.cap && bst.cap ? fmin(0.0, bst.val[0]) : 0.0;
            if (use_cb &&
                rcj + pr->cb[(size_t)j * nb + bucket_of(pr, tj)] > thr + 1e-7 * (1.0 + fabs(rcj)))
                continue;
            /* ng-memory at j: j itself and the remembered customers in N_j. */
            uint32_t memj = 1u;
            for (uint32_t bits = memx; bits; bits &= bits - 1) {
                const uint32_t k = ni[__builtin_ctz(bits)];
                const int8_t qk = pr->pos[(size_t)j * n + k];
                if (qk > 0 && (uint32_t)qk < ng) memj |= 1u << qk;
            }
            /* Dominance against j's labels, both ways. */
            uint32_t *bj = pr->bucket[j];
            bool dominated = false;
            for (uint32_t k = 0; k < pr->bucket_len[j]; k++)
                if (dominates(pr, bj[k], rcj, tj, ld, memj, sj, ndom, use_mem)) {
                    dominated = true;
                    break;
                }
            *effort += pr->bucket_len[j] / 16;
            if (dominated) continue;
            if (mode.heuristic && pr->bucket_len[j] >= heur_cap) {
                /* The heuristic keeps only its heur_cap best labels per customer. */
                uint32_t worst = 0;
                for (uint32_t k = 1; k < pr->bucket_len[j]; k++)
                    if (pr->rc[bj[k]] > pr->rc[bj[worst]]) worst = k;
                if (pr->rc[bj[worst]] <= rcj) continue;
                pr->dead[bj[worst]] = 1;
                bj[worst] = bj[--pr->bucket_len[j]];
            }
            if (pr->len >= max_labels) {
                stopped = true;
                break;
            }
            if (!pool_reserve(pr, pr->len + 1)) goto nomem;
            const uint32_t y = (uint32_t)pr->len++;
            pr->rc[y] = rcj;
            pr->t[y] = tj;
            pr->node[y] = j;
            pr->parent[y] = x;
            pr->mem[y] = memj;
            pr->dead[y] = 0;
            for (uint32_t r = 0; r < nres; r++) pr->load[(size_t)y * lstride + r] = ld[r];
            if (sw) memcpy(pr->src + (size_t)y * sw, sj, sw * sizeof *sj);
            for (uint32_t k = 0; k < pr->bucket_len[j];) {
                const uint32_t z = bj[k];
                if (dominates(pr, y, pr->rc[z], pr->t[z], pr->load + (size_t)z * lstride,
                              pr->mem[z], sw ? pr->src + (size_t)z * sw : NULL, ndom, use_mem)) {
                    pr->dead[z] = 1;
                    bj[k] = bj[--pr->bucket_len[j]];
                } else {
                    k++;
                }
            }
            if (!bucket_add(pr, j, y) || !heap_push(pr, y)) goto nomem;
        }
        if (stopped) break;
        if (effort_cap && *effort >= effort_cap) {
            stopped = true;
            break;
        }
    }

    if (bidir && !stopped) {
        /* Backward labels: node j, latest service start t (every later
         * customer still in time), cost of the route from j on (its duals,
         * arcs, the arc to the end depot), loads, ng-memory of the path
         * seen from its front, cut states.  Only labels starting after the
         * middle: a route's first customer past it splits it there. */
        pr->heap_desc = true;
        for (uint32_t j = 0; j < n; j++) {
            int64_t L = m->depot_b - m->te[j];
            if (L > m->b[j]) L = m->b[j];
            if (L < m->a[j] || L <= t_mid) continue;
            bool fits = true;
            for (uint32_t r = 0; r < m->nres; r++)
                fits &= m->dem[(size_t)j * CV__LP_MAX_RES + r] <= m->cap[r];
            if (!fits) continue;
            const double rc0 =
                (mode.fleet ? 0.0 : m->ce[j]) - pi[j] + (sw ? cuts_step(pr, NULL, j, sj) : 0.0);
            if (rc0 + pr->pb[(size_t)j * nb + bucket_of(pr, L)] > 1e-7 * (1.0 + fabs(rc0)))
                continue;
            if (!pool_reserve(pr, pr->len + 1)) goto nomem;
            uint32_t x = (uint32_t)pr->len++;
            pr->rc[x] = rc0;
            pr->t[x] = L;
            pr->node[x] = j;
            pr->parent[x] = UINT32_MAX;
            pr->mem[x] = 1u;
            pr->dead[x] = 0;
            if (sw) memcpy(pr->src + (size_t)x * sw, sj, sw * sizeof *sj);
            for (uint32_t r = 0; r < nres; r++)
                pr->load[(size_t)x * lstride + r] = m->dem[(size_t)j * CV__LP_MAX_RES + r];
            if (!list_add(pr->bbucket, pr->bbucket_len, pr->bbucket_cap, j, x) || !heap_push(pr, x))
                goto nomem;
        }
        while (pr->heap_len > 0) {
            if ((++pops & 1023) == 0 && deadline > 0 && cv__lp_clock(mode.cpu) > deadline) {
                stopped = true;
                break;
            }
            const uint32_t x = heap_pop(pr);
            if (pr->dead[x]) continue;
            const uint32_t j = pr->node[x];
            const double rcx = pr->rc[x];
            const int64_t Lx = pr->t[x];
            const uint32_t memx = pr->mem[x];
            /* Completion from the start depot: a route whose first customer
             * is already past the middle. */
            int64_t t1 = m->depot_a + m->t0[j];
            if (t1 < m->a[j]) t1 = m->a[j];
            if (t1 <= Lx) {
                const double val = rcx + (mode.fleet ? 0.0 : m->c0[j]) + fixed;
                if (val < *min_m) *min_m = val;
                if (val < sigma - eps) best_offer(&bst, pair_of(NONE_LAB, x), val);
            }
            const uint32_t *nj = pr->ngn + (size_t)j * ngs;
            for (uint32_t e = pr->pred_first[j]; e < pr->pred_first[j + 1]; e++) {
                const uint32_t i = pr->pred[e];
                const int8_t q = pr->pos[(size_t)j * n + i];
                if (q >= 0 && (uint32_t)q < ng && (memx >> q) & 1u) continue;
                (*effort)++;
                int64_t Li = Lx - m->t[(size_t)i * n + j];
                if (Li > m->b[i]) Li = m->b[i];
                if (Li < m->a[i] || Li <= t_mid) continue;
                bool fits = true;
                for (uint32_t r = 0; r < nres; r++) {
                    ld[r] =
                        pr->load[(size_t)x * lstride + r] + m->dem[(size_t)i * CV__LP_MAX_RES + r];
                    fits &= ld[r] <= m->cap[r];
                }
                if (!fits) continue;
                double rci = rcx + (mode.fleet ? 0.0 : m->c[(size_t)i * n + j]) - pi[i];
                if (sw) rci += cuts_step(pr, pr->src + (size_t)x * sw, i, sj);
                const double thr = bst.len == bst.cap && bst.cap ? fmin(0.0, bst.val[0]) : 0.0;
                if (rci + pr->pb[(size_t)i * nb + bucket_of(pr, Li)] >
                    thr + 1e-7 * (1.0 + fabs(rci)))
                    continue;
                uint32_t memi = 1u;
                for (uint32_t bits = memx; bits; bits &= bits - 1) {
                    const uint32_t k = nj[__builtin_ctz(bits)];
                    const int8_t qk = pr->pos[(size_t)i * n + k];
                    if (qk > 0 && (uint32_t)qk < ng) memi |= 1u << qk;
                }
                uint32_t *bi = pr->bbucket[i];
                bool dominated = false;
                for (uint32_t k = 0; k < pr->bbucket_len[i]; k++)
                    if (dominates_back(pr, bi[k], rci, Li, ld, memi, sj, ndom)) {
                        dominated = true;
                        break;
                    }
                *effort += pr->bbucket_len[i] / 16;
                if (dominated) continue;
                if (pr->len >= max_labels) {
                    stopped = true;
                    break;
                }
                if (!pool_reserve(pr, pr->len + 1)) goto nomem;
                const uint32_t y = (uint32_t)pr->len++;
                pr->rc[y] = rci;
                pr->t[y] = Li;
                pr->node[y] = i;
                pr->parent[y] = x;
                pr->mem[y] = memi;
                pr->dead[y] = 0;
                for (uint32_t r = 0; r < nres; r++) pr->load[(size_t)y * lstride + r] = ld[r];
                if (sw) memcpy(pr->src + (size_t)y * sw, sj, sw * sizeof *sj);
                for (uint32_t k = 0; k < pr->bbucket_len[i];) {
                    const uint32_t z = bi[k];
                    if (dominates_back(pr, y, pr->rc[z], pr->t[z], pr->load + (size_t)z * lstride,
                                       pr->mem[z], sw ? pr->src + (size_t)z * sw : NULL, ndom)) {
                        pr->dead[z] = 1;
                        bi[k] = bi[--pr->bbucket_len[i]];
                    } else {
                        k++;
                    }
                }
                if (!list_add(pr->bbucket, pr->bbucket_len, pr->bbucket_cap, i, y) ||
                    !heap_push(pr, y))
                    goto nomem;
            }
            if (stopped) break;
            if (effort_cap && *effort >= effort_cap) {
                stopped = true;
                break;
            }
        }
    }

    if (bidir && !stopped) {
        /* The join: forward label x at i, arc i -> j, backward label y at
         * j, when service at j can start by y's latest start, the loads
         * fit, the two memories are disjoint and neither end remembers the
         * other.  Every elementary route is found (split after its last
         * customer served by the middle, up to dominance, which both
         * directions keep); the min over joins is min(0, m(pi)) as in the
         * forward labelling.  Backward labels are sorted by cost so that the
         * scan of j stops at the first that cannot help. */
        size_t maxb = 0;
        for (uint32_t j = 0; j < n; j++)
            if (pr->bbucket_len[j] > maxb) maxb = pr->bbucket_len[j];
        sortbuf = cv_calloc(maxb + 1, sizeof *sortbuf);
        if (!sortbuf) goto nomem;
        for (uint32_t j = 0; j < n; j++) {
            uint32_t *bj = pr->bbucket[j];
            for (uint32_t k = 0; k < pr->bbucket_len[j]; k++)
                sortbuf[k] = (keyed){pr->rc[bj[k]], bj[k]};
            qsort(sortbuf, pr->bbucket_len[j], sizeof *sortbuf, cmp_rc_label);
            for (uint32_t k = 0; k < pr->bbucket_len[j]; k++) bj[k] = sortbuf[k].idx;
        }
        for (uint32_t i = 0; i < n && !stopped; i++) {
            const uint32_t *ni = pr->ngn + (size_t)i * ngs;
            for (uint32_t f = 0; f < pr->bucket_len[i] && !stopped; f++) {
                const uint32_t x = pr->bucket[i][f];
                const double rcx = pr->rc[x] + fixed;
                const uint32_t memx = pr->mem[x];
                const int64_t *lx = pr->load + (size_t)x * lstride;
                for (uint32_t e = pr->succ_first[i]; e < pr->succ_first[i + 1]; e++) {
                    const uint32_t j = pr->succ[e];
                    const int8_t q = pr->pos[(size_t)i * n + j];
                    if (q >= 0 && (uint32_t)q < ng && (memx >> q) & 1u) continue;
                    int64_t tj = pr->t[x] + m->t[(size_t)i * n + j];
                    if (tj < m->a[j]) tj = m->a[j];
                    if (tj > m->b[j]) continue;
                    const double base = rcx + (mode.fleet ? 0.0 : m->c[(size_t)i * n + j]);
                    /* Customers of x's memory as positions in N_j, and i's. */
                    uint32_t memx_j = 0;
                    for (uint32_t bits = memx; bits; bits &= bits - 1) {
                        const int8_t qk = pr->pos[(size_t)j * n + ni[__builtin_ctz(bits)]];
                        if (qk >= 0 && (uint32_t)qk < ng) memx_j |= 1u << qk;
                    }
                    const uint32_t *bj = pr->bbucket[j];
                    for (uint32_t k = 0; k < pr->bbucket_len[j]; k++) {
                        const uint32_t y = bj[k];
                        (*effort)++;
                        const double lim = useful_below(&bst, *min_m, sigma, eps);
                        if (base + pr->rc[y] >= lim) break; /* sorted: none further helps */
                        if (pr->t[y] < tj || (pr->mem[y] & memx_j)) continue;
                        const int64_t *ly = pr->load + (size_t)y * lstride;
                        bool fits = true;
                        for (uint32_t r = 0; r < nres && fits; r++)
                            fits = lx[r] + ly[r] <= m->cap[r];
                        if (!fits) continue;
                        double val = base + pr->rc[y];
                        if (sw) {
                            const uint64_t *sx = pr->src + (size_t)x * sw,
                                           *sy = pr->src + (size_t)y * sw;
                            for (uint32_t w = 0; w < sw; w++)
                                for (uint64_t bits = sx[w] & sy[w]; bits; bits &= bits - 1)
                                    val += pr->pen[w * 64 + (uint32_t)__builtin_ctzll(bits)];
                        }
                        if (val < *min_m) *min_m = val;
                        if (val < sigma - eps) best_offer(&bst, pair_of(x, y), val);
                    }
                }
                if (effort_cap && *effort >= effort_cap) stopped = true;
                if ((f & 7) == 7 && deadline > 0 && cv__lp_clock(mode.cpu) > deadline)
                    stopped = true;
            }
        }
    }
    *complete = !stopped && !mode.heuristic;
    if (n == 0) *min_m = INFINITY;

    /* Columns: the best completions, most negative first; a route found
     * through two joins is kept once. */
    if (bst.len) {
        cv__lp_col *out = cv_calloc(bst.len, sizeof *out);
        if (!out) goto nomem;
        for (uint32_t c = 0; c < bst.len; c++) {
            const uint32_t f = (uint32_t)(bst.lab[c] >> 32), b = (uint32_t)bst.lab[c];
            uint32_t len = 0;
            for (uint32_t y = f; y != UINT32_MAX; y = pr->parent[y]) len++;
            for (uint32_t y = b; y != UINT32_MAX; y = pr->parent[y]) len++;
            out[c].seq = cv_calloc(len, sizeof *out[c].seq);
            if (!out[c].seq) {
                for (uint32_t k = 0; k < c; k++) free(out[k].seq);
                free(out);
                goto nomem;
            }
            out[c].len = len;
            uint32_t at = 0;
            for (uint32_t y = f; y != UINT32_MAX; y = pr->parent[y]) at++;
            uint32_t back = at;
            for (uint32_t y = f; y != UINT32_MAX; y = pr->parent[y])
                out[c].seq[--back] = pr->node[y];
            for (uint32_t y = b; y != UINT32_MAX; y = pr->parent[y]) out[c].seq[at++] = pr->node[y];
            out[c].rc = bst.val[c] - sigma;
            if (mode.fleet) {
                out[c].cost = 1.0;
            } else if (!cv__lp_route_eval(m, out[c].seq, out[c].len, &out[c].cost)) {
                /* Cannot happen: every label passed the same checks.  Degrade
                 * safely by dropping the column. */
                out[c].cost = INFINITY;
            }
        }
        qsort(out, bst.len, sizeof *out, cmp_col);
        uint32_t kept = 0;
        for (uint32_t c = 0; c < bst.len; c++) {
            bool dup = !isfinite(out[c].cost);
            for (uint32_t k = 0; k < kept && !dup; k++)
                dup = out[k].len == out[c].len &&
                      !memcmp(out[k].seq, out[c].seq, out[c].len * sizeof *out[c].seq);
            if (!dup)
                out[kept++] = out[c];
            else
                free(out[c].seq);
        }
        if (kept) {
            *cols = out;
            *ncols = kept;
        } else {
            free(out);
        }
    }
    free(bst.lab);
    free(bst.val);
    free(sortbuf);
    return st;
nomem:
    free(bst.lab);
    free(bst.val);
    free(sortbuf);
    return CV_ENOMEM;
}
