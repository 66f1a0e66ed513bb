/* Travel-time matrices: bucket-based many-to-many on the contraction
 * hierarchy (Knopp et al. 2007), several threads, plus the plain-Dijkstra
 * matrix used as reference and baseline, and the public matrix API.
 *
 * Phase 1 (threads over targets): an exhaustive backward upward search per
 * target leaves (target, distance) in a bucket at every settled, unstalled
 * node.  Phase 2: the buckets are sorted by node into CSR.  Phase 3 (threads
 * over sources): an exhaustive forward upward search per source scans the
 * bucket of every settled, unstalled node.  Each thread owns its heap and
 * writes disjoint rows, so no locking. */
#define _POSIX_C_SOURCE 200809L
#include "graph_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct bucket {
    uint32_t node, tgt;
    cv__w w;
} bucket;

typedef struct m2m_shared {
    const cv__prof *pr;
    const cv__phantom *s, *t;
    uint32_t ns, nt;
    cv__w *out;
    unsigned nthreads;
    /* buckets */
    const uint32_t *bfirst;
    const bucket *bsorted;
    const uint8_t *mark;
    uint32_t nmarked;
} m2m_shared;

typedef struct m2m_thread {
    m2m_shared *sh;
    unsigned k;
    cv_status st;
    bucket *b;
    size_t nb, capb;
} m2m_thread;

static void *backward_phase(void *arg)
{
    m2m_thread *th = arg;
    const m2m_shared *sh = th->sh;
    const cv__prof *pr = sh->pr;
    cv__heap *hp = cv__graph_heap_borrow(pr->pool, pr->h.n);
    if (!hp) {
        th->st = CV_ENOMEM;
        return NULL;
    }
    for (uint32_t j = th->k; j < sh->nt; j += sh->nthreads) {
        cv__graph_heap_reset(hp);
        for (int i = 0; i < sh->t[j].ntgt; i++)
            cv__graph_heap_push(hp, sh->t[j].tgt[i].node, sh->t[j].tgt[i].w, CV__NONE);
        while (hp->n) {
            uint32_t u = cv__graph_heap_pop(hp);
            cv__w du = hp->key[u];
            if (cv__graph_ch_stalled(hp, pr->up_first, pr->up, u, du)) continue;
            if (th->nb == th->capb) {
                size_t nc = th->capb ? 2 * th->capb : 4096;
                bucket *nb = realloc(th->b, nc * sizeof *nb);
                if (!nb) {
                    th->st = CV_ENOMEM;
                    cv__graph_heap_return(pr->pool, hp);
                    return NULL;
                }
                th->b = nb, th->capb = nc;
            }
            th->b[th->nb++] = (bucket){u, j, du};
            for (uint32_t e = pr->dn_first[u]; e < pr->dn_first[u + 1]; e++)
                cv__graph_heap_push(hp, pr->dn[e].node, du + pr->dn[e].w, u);
        }
    }
    cv__graph_heap_return(pr->pool, hp);
    return NULL;
}

static void *forward_phase(void *arg)
{
    m2m_thread *th = arg;
    const m2m_shared *sh = th->sh;
    const cv__prof *pr = sh->pr;
    cv__heap *hp = cv__graph_heap_borrow(pr->pool, pr->h.n);
    if (!hp) {
        th->st = CV_ENOMEM;
        return NULL;
    }
    const uint32_t *bfirst = sh->bfirst;
    const bucket *bs = sh->bsorted;
    for (uint32_t i = th->k; i < sh->ns; i += sh->nthreads) {
        cv__w *row = sh->out + (size_t)i * sh->nt;
        for (uint32_t j = 0; j < sh->nt; j++)
            row[j] = cv__graph_same_segment(pr, &sh->s[i], &sh->t[j]);
        cv__graph_heap_reset(hp);
        for (int k = 0; k < sh->s[i].nsrc; k++)
            cv__graph_heap_push(hp, sh->s[i].src[k].node, sh->s[i].src[k].w, CV__NONE);
        while (hp->n) {
            uint32_t u = cv__graph_heap_pop(hp);
            cv__w du = hp->key[u];
            if (cv__graph_ch_stalled(hp, pr->dn_first, pr->dn, u, du)) continue;
            for (uint32_t b = bfirst[u]; b < bfirst[u + 1]; b++) {
                cv__w c = du + bs[b].w;
                if (c < row[bs[b].tgt]) row[bs[b].tgt] = c;
            }
            for (uint32_t e = pr->up_first[u]; e < pr->up_first[u + 1]; e++)
                cv__graph_heap_push(hp, pr->up[e].node, du + pr->up[e].w, u);
        }
    }
    cv__graph_heap_return(pr->pool, hp);
    return NULL;
}

static void *dijkstra_phase(void *arg)
{
    m2m_thread *th = arg;
    const m2m_shared *sh = th->sh;
    cv__heap *hp = cv__graph_heap_borrow(sh->pr->pool, sh->pr->h.n);
    if (!hp) {
        th->st = CV_ENOMEM;
        return NULL;
    }
    for (uint32_t i = th->k; i < sh->ns; i += sh->nthreads)
        cv__graph_dijkstra_one_to_many(sh->pr, hp, &sh->s[i], sh->t, sh->nt, sh->mark, sh->nmarked,
                                       sh->out + (size_t)i * sh->nt);
    cv__graph_heap_return(sh->pr->pool, hp);
    return NULL;
}

static unsigned pick_threads(unsigned threads, uint32_t work)
{
    if (threads == 0) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        threads = c > 0 ? (unsigned)c : 1;
    }
    if (threads > 64) threads = 64;
    if (threads > work) threads = work ? work : 1;
    return threads;
}

/* Runs fn on nthreads threads (the calling thread does share 0). */
static cv_status run_threads(void *(*fn)(void *), m2m_thread *th, unsigned nthreads)
{
    pthread_t tid[64];
    bool started[64] = {false};
    for (unsigned k = 1; k < nthreads; k++)
        started[k] = pthread_create(&tid[k], NULL, fn, &th[k]) == 0;
    fn(&th[0]);
    for (unsigned k = 1; k < nthreads; k++) {
        if (started[k])
            pthread_join(tid[k], NULL);
        else
            fn(&th[k]); /* could not start a thread: do its share here */
    }
    for (unsigned k = 0; k < nthreads; k++)
        if (th[k].st) return th[k].st;
    return CV_OK;
}

cv_status cv__graph_ch_many_to_many(const cv__prof *pr, const cv__phantom *s, uint32_t ns,
                                    const cv__phantom *t, uint32_t nt, cv__w *out, unsigned threads)
{
    unsigned nth = pick_threads(threads, ns > nt ? ns : nt);
    m2m_shared sh = {pr, s, t, ns, nt, out, nth, NULL, NULL, NULL, 0};
    m2m_thread th[64];
    memset(th, 0, sizeof th);
    for (unsigned k = 0; k < nth; k++) th[k].sh = &sh, th[k].k = k;
    uint32_t *bfirst = NULL;
    bucket *bs = NULL;
    cv_status st = run_threads(backward_phase, th, nth);
    if (st) goto done;
    size_t total = 0;
    for (unsigned k = 0; k < nth; k++) total += th[k].nb;
    bfirst = calloc((size_t)pr->h.n + 1, sizeof *bfirst);
    bs = malloc((total + 1) * sizeof *bs);
    if (!bfirst || !bs) {
        st = CV_ENOMEM;
        goto done;
    }
    for (unsigned k = 0; k < nth; k++)
        for (size_t i = 0; i < th[k].nb; i++) bfirst[th[k].b[i].node + 1]++;
    for (uint32_t v = 0; v < pr->h.n; v++) bfirst[v + 1] += bfirst[v];
    {
        uint32_t *pos = malloc(((size_t)pr->h.n + 1) * sizeof *pos);
        if (!pos) {
            st = CV_ENOMEM;
            goto done;
        }
        memcpy(pos, bfirst, ((size_t)pr->h.n + 1) * sizeof *pos);
        for (unsigned k = 0; k < nth; k++)
            for (size_t i = 0; i < th[k].nb; i++) bs[pos[th[k].b[i].node]++] = th[k].b[i];
        free(pos);
    }
    for (unsigned k = 0; k < nth; k++) free(th[k].b), th[k].b = NULL, th[k].nb = th[k].capb = 0;
    sh.bfirst = bfirst, sh.bsorted = bs;
    nth = pick_threads(threads, ns);
    sh.nthreads = nth;
    st = run_threads(forward_phase, th, nth);
done:
    for (unsigned k = 0; k < 64; k++) free(th[k].b);
    free(bfirst), free(bs);
    return st;
}

cv_status cv__graph_dijkstra_many_to_many(const cv__prof *pr, const cv__phantom *s, uint32_t ns,
                                          const cv__phantom *t, uint32_t nt, cv__w *out,
                                          unsigned threads)
{
    uint8_t *mark = calloc((size_t)pr->h.n + 1, 1);
    if (!mark) return CV_ENOMEM;
    uint32_t nmarked = 0;
    for (uint32_t j = 0; j < nt; j++)
        for (int k = 0; k < t[j].ntgt; k++)
            if (!mark[t[j].tgt[k].node]) mark[t[j].tgt[k].node] = 1, nmarked++;
    unsigned nth = pick_threads(threads, ns);
    m2m_shared sh = {pr, s, t, ns, nt, out, nth, NULL, NULL, mark, nmarked};
    m2m_thread th[64];
    memset(th, 0, sizeof th);
    for (unsigned k = 0; k < nth; k++) th[k].sh = &sh, th[k].k = k;
    cv_status st = run_threads(dijkstra_phase, th, nth);
    free(mark);
    return st;
}

/* ---- public API ---- */

/* Snaps n points, naming the first bad one in diag. */
cv_status cv__graph_snap_all(const cv_graph *g, int p, const double *lonlat, uint32_t n,
                             const char *what, cv__phantom **out, cv_diag *diag)
{
    cv__phantom *ph = cv_calloc(n ? n : 1, sizeof *ph);
    if (!ph) return CV_ENOMEM;
    for (uint32_t i = 0; i < n; i++) {
        double lon = lonlat[2 * (size_t)i], lat = lonlat[2 * (size_t)i + 1];
        if (!(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90)) {
            free(ph);
            return cv_diag_set(diag, "%s[%u] (%g,%g): not a WGS-84 lon,lat coordinate", what, i,
                               lon, lat);
        }
        cv_status st = cv__graph_snap(g, p, lon, lat, g->snap_radius_m, &ph[i]);
        if (st == CV_ERANGE || st == CV_ENOTFOUND) {
            if (st == CV_ERANGE)
                cv_diag_set(diag,
                            "%s[%u] (%.6f,%.6f): nearest %s road is %.0f m away (limit %.0f m)",
                            what, i, lon, lat, g->prof[p].h.name, ph[i].snap_m, g->snap_radius_m);
            else
                cv_diag_set(diag, "%s[%u] (%.6f,%.6f): no %s road in this graph", what, i, lon, lat,
                            g->prof[p].h.name);
            free(ph);
            return CV_EINVAL;
        }
    }
    *out = ph;
    return CV_OK;
}

static cv_status matrix_common(const cv_graph *g, int p, const double *src, uint32_t ns,
                               const double *dst, uint32_t nt, uint32_t *dur, uint32_t *dist,
                               unsigned threads, bool dijkstra, cv_diag *diag)
{
    if (!g || p < 0 || p >= g->nprof) return cv_diag_set(diag, "profile %d: not in this graph", p);
    size_t cells;
    if (!cv_mul_size(ns, nt, &cells)) return CV_ETOOBIG;
    cv__phantom *s = NULL, *t = NULL;
    cv__w *w = NULL;
    cv_status st = cv__graph_snap_all(g, p, src, ns, dst == src ? "points" : "sources", &s, diag);
    if (st) return st;
    if (dst == src)
        t = s;
    else if ((st = cv__graph_snap_all(g, p, dst, nt, "destinations", &t, diag)) != CV_OK)
        goto done;
    w = cv_calloc(cells ? cells : 1, sizeof *w);
    if (!w) {
        st = CV_ENOMEM;
        goto done;
    }
    st = dijkstra ? cv__graph_dijkstra_many_to_many(&g->prof[p], s, ns, t, nt, w, threads)
                  : cv__graph_ch_many_to_many(&g->prof[p], s, ns, t, nt, w, threads);
    if (st) goto done;
    for (size_t i = 0; i < cells; i++) {
        if (dur) dur[i] = w[i] == CV__WINF ? UINT32_MAX : cv__graph_w_seconds(w[i]);
        if (dist) dist[i] = w[i] == CV__WINF ? UINT32_MAX : cv__graph_w_metres(w[i]);
    }
done:
    if (t != s) free(t);
    free(s), free(w);
    return st;
}

cv_status cv_graph_matrix(const cv_graph *g, int profile, const double *lonlat, uint32_t n,
                          uint32_t *durations, uint32_t *distances, unsigned threads, cv_diag *diag)
{
    return matrix_common(g, profile, lonlat, n, lonlat, n, durations, distances, threads, false,
                         diag);
}

cv_status cv_graph_matrix_st(const cv_graph *g, int profile, const double *src, uint32_t ns,
                             const double *dst, uint32_t nt, uint32_t *durations,
                             uint32_t *distances, unsigned threads, cv_diag *diag)
{
    return matrix_common(g, profile, src, ns, dst, nt, durations, distances, threads, false, diag);
}

cv_status cv_graph_matrix_dijkstra(const cv_graph *g, int profile, const double *lonlat, uint32_t n,
                                   uint32_t *durations, uint32_t *distances, unsigned threads,
                                   cv_diag *diag)
{
    return matrix_common(g, profile, lonlat, n, lonlat, n, durations, distances, threads, true,
                         diag);
}

cv_status cv_graph_snap_point(const cv_graph *g, int profile, double lon, double lat,
                              cv_graph_snap *out, cv_diag *diag)
{
    if (!g || profile < 0 || profile >= g->nprof)
        return cv_diag_set(diag, "profile %d: not in this graph", profile);
    cv__phantom ph;
    cv_status st = cv__graph_snap(g, profile, lon, lat, g->snap_radius_m, &ph);
    if (st == CV_ERANGE)
        return cv_diag_set(diag, "point (%.6f,%.6f): nearest %s road is %.0f m away (limit %.0f m)",
                           lon, lat, g->prof[profile].h.name, ph.snap_m, g->snap_radius_m);
    if (st)
        return cv_diag_set(diag, "point (%.6f,%.6f): no %s road in this graph", lon, lat,
                           g->prof[profile].h.name);
    out->lon = ph.lon, out->lat = ph.lat, out->distance_m = ph.snap_m;
    return CV_OK;
}
