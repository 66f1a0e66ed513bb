/* Isochrone polygons from a reach (reach.c): the area within the time limit
 * of the sources, as a GeoJSON MultiPolygon with holes.
 *
 * Method and approximation:
 *  1. Reached road pieces.  For every snappable segment a-b and every
 *     direction the profile may travel it, the part reachable in time: from
 *     the sources, a label d at the entry end leaves (limit - d) of the
 *     segment's travel time, so the piece [0, (limit - d) / w] of it is
 *     reached; towards the sources (to_sources) the piece ending at the exit
 *     end likewise.  The entry end's label is the smallest over the final
 *     nodes of that OSM node (a via-node split by a turn restriction may
 *     make this slightly generous for car and van; walk has none).  Pieces
 *     around each source's own position on its segment are added the same
 *     way, plus the source point itself.
 *  2. Raster.  A grid of cell_m cells in a local equirectangular frame
 *     (metres, centred on the pieces' bounding box) marks every cell whose
 *     centre lies within buffer_m of a piece: the roads widened by the
 *     buffer (homes stand beside the road, not on it).
 *  3. Contours.  Marching squares on the marked cells, with the contour
 *     vertex at the middle between a marked and an unmarked cell centre; at
 *     a saddle (two marked cells touching at a corner only) the contour
 *     keeps them apart.  The boundary is traced as directed rings with the
 *     marked side on the left, so outer rings come out counter-clockwise and
 *     holes (unreached blocks) clockwise, as GeoJSON (RFC 7946) wants; each
 *     hole goes to the smallest outer ring containing it.  Collinear vertices
 *     are dropped.
 * The polygon is therefore the reached roads plus buffer_m, exact to within
 * one cell (cell_m / 2 at each boundary).  Workload: linear in the number of
 * segments of the profile plus the grid cells (at most
 * CV_GRAPH_ISO_MAX_CELLS; cell_m is raised when the area needs more). */
#include "graph_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define EARTH_R 6371008.8
#define DEG (3.14159265358979323846 / 180.0)

typedef struct piece {
    double x0, y0, x1, y1; /* metres in the local frame */
} piece;

typedef struct pieces {
    piece *v;
    uint32_t n, cap;
    bool oom;
} pieces;

typedef struct frame {
    double lon0, lat0, kx, ky;
} frame;

static void add_piece(pieces *P, const frame *f, double lon0, double lat0, double lon1, double lat1)
{
    if (P->oom) return;
    if (P->n == P->cap && !cv_array_grow((void **)&P->v, &P->cap, P->n + 1, sizeof *P->v)) {
        P->oom = true;
        return;
    }
    P->v[P->n++] = (piece){(lon0 - f->lon0) * f->kx, (lat0 - f->lat0) * f->ky,
                           (lon1 - f->lon0) * f->kx, (lat1 - f->lat0) * f->ky};
}

/* The part [t0, t1] (fractions along a->b) of segment s. */
static void add_part(pieces *P, const frame *f, const cv_graph *g, const cv__seg *s, double t0,
                     double t1)
{
    if (t0 < 0) t0 = 0;
    if (t1 > 1) t1 = 1;
    if (t1 < t0) return;
    double ax = cv__graph_lon(g, s->a), ay = cv__graph_lat(g, s->a);
    double bx = cv__graph_lon(g, s->b), by = cv__graph_lat(g, s->b);
    add_piece(P, f, ax + t0 * (bx - ax), ay + t0 * (by - ay), ax + t1 * (bx - ax),
              ay + t1 * (by - ay));
}

/* Smallest label over the final nodes of OSM node x. */
static cv__w osm_label(const cv_graph_reach *r, const cv__prof *pr, uint32_t x)
{
    cv__w best = CV__WINF;
    for (uint32_t c = pr->copy_first[x]; c < pr->copy_first[x + 1]; c++)
        if (r->dist[pr->copies[c]] < best) best = r->dist[pr->copies[c]];
    return best;
}

/* Fraction of a segment of duration w_ds that fits in the time left after d. */
static double fits(uint64_t limit_ds, cv__w d, uint32_t w_ds)
{
    if (d == CV__WINF || CV__W_DS(d) > limit_ds) return -1;
    return (double)(limit_ds - CV__W_DS(d)) / (double)(w_ds ? w_ds : 1);
}

static void collect(const cv_graph_reach *r, const frame *f, pieces *P)
{
    const cv_graph *g = r->src->g;
    const cv__prof *pr = &g->prof[r->src->profile];
    const uint64_t L = r->limit_ds;
    for (uint32_t i = 0; i < pr->h.nseg; i++) {
        const cv__seg *s = &pr->segs[i];
        const uint32_t w = CV__W_DS(s->w);
        if (s->head_ab != CV__NONE) { /* travelling a -> b */
            double q = r->to_sources ? fits(L, r->dist[s->head_ab], w)
                                     : fits(L, osm_label(r, pr, s->a), w);
            if (q >= 0) {
                if (r->to_sources)
                    add_part(P, f, g, s, 1 - q, 1);
                else
                    add_part(P, f, g, s, 0, q);
            }
        }
        if (s->head_ba != CV__NONE) { /* travelling b -> a */
            double q = r->to_sources ? fits(L, r->dist[s->head_ba], w)
                                     : fits(L, osm_label(r, pr, s->b), w);
            if (q >= 0) {
                if (r->to_sources)
                    add_part(P, f, g, s, 0, q);
                else
                    add_part(P, f, g, s, 1 - q, 1);
            }
        }
    }
    for (uint32_t k = 0; k < r->src->n; k++) {
        const cv__phantom *ph = &r->src->ph[k];
        const cv__seg *s = &pr->segs[ph->seg];
        double q = fits(L, 0, CV__W_DS(s->w));
        /* from the source along a->b, or towards it from before it */
        if (s->head_ab != CV__NONE) {
            if (r->to_sources)
                add_part(P, f, g, s, ph->t - q, ph->t);
            else
                add_part(P, f, g, s, ph->t, ph->t + q);
        }
        if (s->head_ba != CV__NONE) {
            if (r->to_sources)
                add_part(P, f, g, s, ph->t, ph->t + q);
            else
                add_part(P, f, g, s, ph->t - q, ph->t);
        }
        add_piece(P, f, ph->lon, ph->lat, ph->lon, ph->lat);
    }
}

/* ---- the raster ---- */
typedef struct grid {
    uint32_t w, h;       /* cells; the outermost ring is always unmarked */
    double x0, y0, cell; /* metres: corner of cell (0,0), cell size */
    uint8_t *in;         /* [w*h] */
} grid;

static double seg_dist2(double px, double py, const piece *p)
{
    double dx = p->x1 - p->x0, dy = p->y1 - p->y0, len2 = dx * dx + dy * dy;
    double t = len2 > 0 ? ((px - p->x0) * dx + (py - p->y0) * dy) / len2 : 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    double ex = p->x0 + t * dx - px, ey = p->y0 + t * dy - py;
    return ex * ex + ey * ey;
}

static cv_status rasterise(const pieces *P, double buffer_m, double cell_m, grid *G)
{
    double minx = INFINITY, miny = INFINITY, maxx = -INFINITY, maxy = -INFINITY;
    for (uint32_t i = 0; i < P->n; i++) {
        const piece *p = &P->v[i];
        minx = fmin(minx, fmin(p->x0, p->x1)), maxx = fmax(maxx, fmax(p->x0, p->x1));
        miny = fmin(miny, fmin(p->y0, p->y1)), maxy = fmax(maxy, fmax(p->y0, p->y1));
    }
    minx -= buffer_m, miny -= buffer_m, maxx += buffer_m, maxy += buffer_m;
    double cell = cell_m;
    for (;;) {
        double w = ceil((maxx - minx) / cell) + 3, h = ceil((maxy - miny) / cell) + 3;
        if (w * h <= CV_GRAPH_ISO_MAX_CELLS) {
            G->w = (uint32_t)w, G->h = (uint32_t)h;
            break;
        }
        cell *= 1.25;
    }
    G->cell = cell;
    G->x0 = minx - 1.5 * cell, G->y0 = miny - 1.5 * cell;
    G->in = calloc((size_t)G->w * G->h, 1);
    if (!G->in) return CV_ENOMEM;
    const double b2 = buffer_m * buffer_m;
    for (uint32_t i = 0; i < P->n; i++) {
        const piece *p = &P->v[i];
        long i0 = (long)floor((fmin(p->x0, p->x1) - buffer_m - G->x0) / cell);
        long i1 = (long)floor((fmax(p->x0, p->x1) + buffer_m - G->x0) / cell);
        long j0 = (long)floor((fmin(p->y0, p->y1) - buffer_m - G->y0) / cell);
        long j1 = (long)floor((fmax(p->y0, p->y1) + buffer_m - G->y0) / cell);
        if (i0 < 1) i0 = 1;
        if (j0 < 1) j0 = 1;
        if (i1 > (long)G->w - 2) i1 = (long)G->w - 2;
        if (j1 > (long)G->h - 2) j1 = (long)G->h - 2;
        for (long j = j0; j <= j1; j++)
            for (long k = i0; k <= i1; k++) {
                uint8_t *c = &G->in[(size_t)j * G->w + (size_t)k];
                if (*c) continue;
                double cx = G->x0 + (k + 0.5) * cell, cy = G->y0 + (j + 0.5) * cell;
                if (seg_dist2(cx, cy, p) <= b2) *c = 1;
            }
    }
    return CV_OK;
}

/* ---- contour tracing ----
 * Directed boundary edges between a marked and an unmarked cell, marked side
 * on the left, stored at their start vertex (corner (x, y) of the cell grid,
 * id y*(w+1)+x) as a bit per direction: 0 east, 1 north, 2 west, 3 south. */
static const int DX[4] = {1, 0, -1, 0}, DY[4] = {0, 1, 0, -1};

typedef struct ring {
    double *xy; /* metres, closed (first point repeated at the end) */
    uint32_t n;
    double area;   /* signed: > 0 outer (counter-clockwise), < 0 hole */
    int32_t outer; /* holes: index of the containing outer ring, -1 if none */
} ring;

static bool in_ring(const ring *r, double x, double y)
{
    bool in = false;
    for (uint32_t i = 0, j = r->n - 1; i < r->n; j = i++) {
        double xi = r->xy[2 * i], yi = r->xy[2 * i + 1], xj = r->xy[2 * j], yj = r->xy[2 * j + 1];
        if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) in = !in;
    }
    return in;
}

static cv_status trace(const grid *G, ring **rings_out, uint32_t *nrings_out)
{
    const uint32_t vw = G->w + 1, vh = G->h + 1;
    uint8_t *out = calloc((size_t)vw * vh, 1);
    if (!out) return CV_ENOMEM;
    uint32_t nedges = 0;
    for (uint32_t j = 1; j + 1 < G->h; j++)
        for (uint32_t i = 1; i + 1 < G->w; i++) {
            if (!G->in[(size_t)j * G->w + i]) continue;
            if (!G->in[(size_t)(j - 1) * G->w + i]) out[(size_t)j * vw + i] |= 1, nedges++;
            if (!G->in[(size_t)j * G->w + i + 1]) out[(size_t)j * vw + i + 1] |= 2, nedges++;
            if (!G->in[(size_t)(j + 1) * G->w + i])
                out[(size_t)(j + 1) * vw + i + 1] |= 4, nedges++;
            if (!G->in[(size_t)j * G->w + i - 1]) out[(size_t)(j + 1) * vw + i] |= 8, nedges++;
        }
    ring *rings = NULL;
    uint32_t nrings = 0, rcap = 0;
    double *buf = malloc(((size_t)nedges + 2) * 2 * sizeof *buf);
    cv_status st = buf ? CV_OK : CV_ENOMEM;
    for (size_t v0 = 0; v0 < (size_t)vw * vh && !st; v0++) {
        while (out[v0] && !st) {
            int d0 = __builtin_ctz(out[v0]);
            uint32_t n = 0;
            size_t v = v0;
            int d = d0;
            for (;;) {
                /* the contour vertex: the middle of this edge */
                double x = (double)(v % vw) + 0.5 * DX[d], y = (double)(v / vw) + 0.5 * DY[d];
                buf[2 * n] = G->x0 + x * G->cell, buf[2 * n + 1] = G->y0 + y * G->cell;
                n++;
                if (v != v0 || d != d0) out[v] &= (uint8_t) ~(1u << d);
                v = (size_t)((long)v + DX[d] + (long)DY[d] * (long)vw);
                /* left turn first keeps diagonal cells apart at a saddle */
                int next = -1;
                const int pref[3] = {(d + 1) & 3, d, (d + 3) & 3};
                for (int k = 0; k < 3 && next < 0; k++)
                    if (out[v] & (1u << pref[k])) next = pref[k];
                if (next < 0 || (v == v0 && next == d0)) break;
                d = next;
            }
            out[v0] &= (uint8_t) ~(1u << d0);
            /* drop collinear vertices (cyclically) */
            uint32_t m = 0;
            for (uint32_t k = 0; k < n; k++) {
                const double *p = &buf[2 * ((k + n - 1) % n)], *c = &buf[2 * k],
                             *q = &buf[2 * ((k + 1) % n)];
                double cross = (c[0] - p[0]) * (q[1] - c[1]) - (c[1] - p[1]) * (q[0] - c[0]);
                if (fabs(cross) > 1e-9 * G->cell * G->cell)
                    buf[2 * m] = c[0], buf[2 * m + 1] = c[1], m++;
            }
            if (m < 3) continue;
            if (nrings == rcap &&
                !cv_array_grow((void **)&rings, &rcap, nrings + 1, sizeof *rings)) {
                st = CV_ENOMEM;
                break;
            }
            ring *r = &rings[nrings];
            r->xy = malloc(((size_t)m + 1) * 2 * sizeof *r->xy);
            if (!r->xy) {
                st = CV_ENOMEM;
                break;
            }
            memcpy(r->xy, buf, (size_t)m * 2 * sizeof *buf);
            r->xy[2 * m] = buf[0], r->xy[2 * m + 1] = buf[1];
            r->n = m;
            double a = 0;
            for (uint32_t k = 0; k < m; k++)
                a += r->xy[2 * k] * r->xy[2 * k + 3] - r->xy[2 * k + 2] * r->xy[2 * k + 1];
            r->area = a / 2;
            r->outer = -1;
            nrings++;
        }
    }
    free(buf);
    free(out);
    if (st) {
        for (uint32_t i = 0; i < nrings; i++) free(rings[i].xy);
        free(rings);
        return st;
    }
    /* each hole belongs to the smallest outer ring around it */
    for (uint32_t h = 0; h < nrings; h++) {
        if (rings[h].area >= 0) continue;
        double best = INFINITY;
        for (uint32_t o = 0; o < nrings; o++)
            if (rings[o].area > 0 && rings[o].area < best &&
                in_ring(&rings[o], rings[h].xy[0], rings[h].xy[1]))
                best = rings[o].area, rings[h].outer = (int32_t)o;
    }
    *rings_out = rings;
    *nrings_out = nrings;
    return CV_OK;
}

static void put_ring(cv_sbuf *b, const ring *r, const frame *f)
{
    cv_sbuf_printf(b, "[");
    for (uint32_t k = 0; k <= r->n; k++)
        cv_sbuf_printf(b, "%s[%.6f,%.6f]", k ? "," : "", f->lon0 + r->xy[2 * k] / f->kx,
                       f->lat0 + r->xy[2 * k + 1] / f->ky);
    cv_sbuf_printf(b, "]");
}

cv_status cv_graph_reach_geojson(const cv_graph_reach *r, double buffer_m, double cell_m,
                                 char **out)
{
    if (!(buffer_m >= 0) || !(cell_m > 0) || !isfinite(buffer_m) || !isfinite(cell_m))
        return CV_EINVAL;
    const cv_graph *g = r->src->g;
    /* the frame's origin: the mean of the sources (any nearby point works;
     * the raster re-centres on the pieces' bounding box) */
    frame f = {0, 0, 0, 0};
    for (uint32_t k = 0; k < r->src->n; k++)
        f.lon0 += r->src->ph[k].lon / r->src->n, f.lat0 += r->src->ph[k].lat / r->src->n;
    f.kx = cos(f.lat0 * DEG) * EARTH_R * DEG, f.ky = EARTH_R * DEG;
    pieces P = {NULL, 0, 0, false};
    collect(r, &f, &P);
    (void)g;
    cv_status st = P.oom ? CV_ENOMEM : CV_OK;
    grid G = {0, 0, 0, 0, 0, NULL};
    ring *rings = NULL;
    uint32_t nrings = 0;
    if (!st && P.n) st = rasterise(&P, buffer_m, cell_m, &G);
    free(P.v);
    if (!st && G.in) st = trace(&G, &rings, &nrings);
    free(G.in);
    if (st) return st;
    cv_sbuf b = {0};
    cv_sbuf_printf(&b, "{\"type\":\"MultiPolygon\",\"coordinates\":[");
    bool first = true;
    for (uint32_t o = 0; o < nrings; o++) {
        if (rings[o].area <= 0) continue;
        cv_sbuf_printf(&b, "%s[", first ? "" : ",");
        first = false;
        put_ring(&b, &rings[o], &f);
        for (uint32_t h = 0; h < nrings; h++)
            if (rings[h].area < 0 && rings[h].outer == (int32_t)o) {
                cv_sbuf_printf(&b, ",");
                put_ring(&b, &rings[h], &f);
            }
        cv_sbuf_printf(&b, "]");
    }
    cv_sbuf_printf(&b, "]}");
    for (uint32_t i = 0; i < nrings; i++) free(rings[i].xy);
    free(rings);
    return cv_sbuf_finish(&b, out);
}
