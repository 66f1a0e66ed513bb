/* Snapping: a coordinate -> the nearest point on a routable segment of a
 * profile, through the uniform grid built at import (cells of >= 50 m
 * holding the segments whose bounding box touches them).  The search scans
 * rings of cells around the point and stops once the next ring cannot hold
 * anything nearer.  Projection is onto the segment in a local equirectangular
 * frame (exact enough for segments of a few hundred metres); the reported
 * snap distance is the haversine distance to the projected point. */
#include "graph_int.h"

#include <math.h>
#include <string.h>

#define EARTH_R 6371008.8
#define DEG (3.14159265358979323846 / 180.0)

double cv__graph_haversine_m(double lon1, double lat1, double lon2, double lat2)
{
    double dlat = (lat2 - lat1) * DEG, dlon = (lon2 - lon1) * DEG;
    double a = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * DEG) * cos(lat2 * DEG) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * EARTH_R * asin(sqrt(a < 1 ? a : 1));
}

/* Final-node tails that drive onto segment s in direction a->b (dir 0) or
 * b->a (dir 1), each with the weight `w` to reach the point from there. */
static void add_tails(const cv__prof *pr, const cv__seg *s, int dir, cv__w w, cv__phantom *ph)
{
    uint32_t from = dir == 0 ? s->a : s->b, head = dir == 0 ? s->head_ab : s->head_ba;
    if (head == CV__NONE) return;
    for (uint32_t c = pr->copy_first[from]; c < pr->copy_first[from + 1]; c++) {
        uint32_t x = pr->copies[c];
        for (uint32_t e = pr->fwd_first[x]; e < pr->fwd_first[x + 1]; e++)
            if (pr->fwd[e].head == head && pr->fwd[e].w == s->w) {
                if (ph->ntgt < CV__PHANTOM_MAX) ph->tgt[ph->ntgt++] = (cv__entry){x, w};
                break;
            }
    }
}

cv_status cv__graph_snap(const cv_graph *g, int p, double lon, double lat, double radius_m,
                         cv__phantom *out)
{
    const cv__prof *pr = &g->prof[p];
    const cv__prof_hdr *h = &pr->h;
    if (!isfinite(lon) || !isfinite(lat) || h->nseg == 0) return CV_ENOTFOUND;
    const double cell = h->grid_cell_deg;
    const double kx = cos(lat * DEG) * EARTH_R * DEG, ky = EARTH_R * DEG;
    const double cell_m = cell * (kx < ky ? kx : ky);
    long cx = (long)floor((lon - h->grid_lon0) / cell),
         cy = (long)floor((lat - h->grid_lat0) / cell);
    const long nx = h->grid_nx, ny = h->grid_ny;
    if (cx < 0) cx = 0;
    if (cx >= nx) cx = nx - 1;
    if (cy < 0) cy = 0;
    if (cy >= ny) cy = ny - 1;
    double best = INFINITY, best_t = 0;
    uint32_t best_seg = CV__NONE;
    for (long r = 0;; r++) {
        if (r > 0 && (double)(r - 1) * cell_m > best) break;
        if (cx - r < 0 && cy - r < 0 && cx + r >= nx && cy + r >= ny) break;
        for (long y = cy - r; y <= cy + r; y++) {
            if (y < 0 || y >= ny) continue;
            bool edge_row = (y == cy - r || y == cy + r);
            for (long x = cx - r; x <= cx + r; x += (edge_row || r == 0) ? 1 : 2 * r) {
                if (x < 0 || x >= nx) continue;
                size_t c = (size_t)y * nx + x;
                for (uint32_t k = pr->cell_first[c]; k < pr->cell_first[c + 1]; k++) {
                    uint32_t si = pr->cell_segs[k];
                    const cv__seg *s = &pr->segs[si];
                    double ax = (cv__graph_lon(g, s->a) - lon) * kx,
                           ay = (cv__graph_lat(g, s->a) - lat) * ky;
                    double bx = (cv__graph_lon(g, s->b) - lon) * kx,
                           by = (cv__graph_lat(g, s->b) - lat) * ky;
                    double dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
                    double t = len2 > 0 ? -(ax * dx + ay * dy) / len2 : 0;
                    t = t < 0 ? 0 : t > 1 ? 1 : t;
                    double px = ax + t * dx, py = ay + t * dy, d = sqrt(px * px + py * py);
                    if (d < best || (d == best && si < best_seg))
                        best = d, best_t = t, best_seg = si;
                }
                if (r == 0) break;
            }
        }
    }
    if (best_seg == CV__NONE) return CV_ENOTFOUND;
    const cv__seg *s = &pr->segs[best_seg];
    memset(out, 0, sizeof *out);
    out->seg = best_seg;
    out->t = best_t;
    out->lon = cv__graph_lon(g, s->a) + best_t * (cv__graph_lon(g, s->b) - cv__graph_lon(g, s->a));
    out->lat = cv__graph_lat(g, s->a) + best_t * (cv__graph_lat(g, s->b) - cv__graph_lat(g, s->a));
    out->snap_m = cv__graph_haversine_m(lon, lat, out->lon, out->lat);
    if (out->snap_m > radius_m) return CV_ERANGE;
    uint32_t ds = CV__W_DS(s->w), dm = CV__W_DM(s->w);
    out->off_a = CV__W((uint32_t)llround(best_t * ds), (uint32_t)llround(best_t * dm));
    const cv__w rest = s->w - out->off_a; /* component-wise: off_a <= w in both fields */
    if (s->head_ab != CV__NONE) out->src[out->nsrc++] = (cv__entry){s->head_ab, rest};
    if (s->head_ba != CV__NONE) out->src[out->nsrc++] = (cv__entry){s->head_ba, out->off_a};
    add_tails(pr, s, 0, out->off_a, out);
    add_tails(pr, s, 1, rest, out);
    return CV_OK;
}

cv__w cv__graph_same_segment(const cv__prof *pr, const cv__phantom *s, const cv__phantom *t)
{
    if (s->seg != t->seg) return CV__WINF;
    const cv__seg *sg = &pr->segs[s->seg];
    cv__w best = CV__WINF;
    /* packed subtraction is exact: both fields of the larger offset are >= */
    if (sg->head_ab != CV__NONE && CV__W_DS(t->off_a) >= CV__W_DS(s->off_a) &&
        CV__W_DM(t->off_a) >= CV__W_DM(s->off_a))
        best = t->off_a - s->off_a;
    if (sg->head_ba != CV__NONE && CV__W_DS(s->off_a) >= CV__W_DS(t->off_a) &&
        CV__W_DM(s->off_a) >= CV__W_DM(t->off_a)) {
        cv__w w = s->off_a - t->off_a;
        if (w < best) best = w;
    }
    return best;
}
