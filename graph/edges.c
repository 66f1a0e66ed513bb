/* Road edges in an area, for drawing: the segments of one profile whose
 * bounding box meets a lon/lat box, with their coordinates and OSM road class.
 *
 * Uses the snapping grid (a segment is listed in every cell its bounding box
 * covers) to find candidates, marks them in a bitmap so that a segment in
 * several cells is reported once, then reports the marked segments in file
 * order: the segments of one way are consecutive there, which lets a map
 * writer chain them into polylines.  Workload: a map of a city-sized plan,
 * a few thousand to a few hundred thousand segments, once per export. */
#include "graph_int.h"

#include <math.h>
#include <stdlib.h>

static const char *const road_class_names[] = {
#define CV__ROAD_CLASS_NAME(name, key) key,
    CV_GRAPH_ROAD_CLASS_MAP(CV__ROAD_CLASS_NAME)
#undef CV__ROAD_CLASS_NAME
};

const char *cv_graph_road_class_name(cv_graph_road_class c)
{
    return (unsigned)c < CV_GRAPH_ROAD_CLASS_COUNT ? road_class_names[c] : "?";
}

/* Cell range [lo, hi] of the grid axis covering [a, b]; false when the
 * interval misses the grid entirely. */
static bool cell_range(double a, double b, double origin, double cell, uint32_t ncells,
                       uint32_t *lo, uint32_t *hi)
{
    double fa = floor((a - origin) / cell), fb = floor((b - origin) / cell);
    if (fb < 0 || fa >= (double)ncells) return false;
    *lo = fa < 0 ? 0 : (uint32_t)fa;
    *hi = fb >= (double)ncells ? ncells - 1 : (uint32_t)fb;
    return true;
}

cv_status cv_graph_edges_in_bbox(const cv_graph *g, int profile, double min_lon, double min_lat,
                                 double max_lon, double max_lat, cv_graph_edge_fn fn, void *ctx)
{
    if (!g || profile < 0 || profile >= g->nprof || !fn) return CV_EINVAL;
    if (!(min_lon <= max_lon) || !(min_lat <= max_lat)) return CV_EINVAL; /* also NaN */
    const cv__prof *pr = &g->prof[profile];
    const cv__prof_hdr *h = &pr->h;
    if (h->nseg == 0 || h->grid_nx == 0 || h->grid_ny == 0 || !(h->grid_cell_deg > 0)) return CV_OK;
    /* The grid covers the segments' extent; its cells are ceil'ed, so a box
     * edge beyond the last cell is clamped to it. */
    uint32_t x0, x1, y0, y1;
    if (!cell_range(min_lon, max_lon, h->grid_lon0, h->grid_cell_deg, h->grid_nx, &x0, &x1) ||
        !cell_range(min_lat, max_lat, h->grid_lat0, h->grid_cell_deg, h->grid_ny, &y0, &y1))
        return CV_OK;
    uint64_t *seen = cv_calloc(((size_t)h->nseg + 63) / 64, sizeof *seen);
    if (!seen) return CV_ENOMEM;
    uint32_t lo = UINT32_MAX, hi = 0; /* range of marked segments */
    for (uint32_t y = y0; y <= y1; y++)
        for (uint32_t x = x0; x <= x1; x++) {
            size_t c = (size_t)y * h->grid_nx + x;
            for (uint32_t k = pr->cell_first[c]; k < pr->cell_first[c + 1]; k++) {
                uint32_t s = pr->cell_segs[k];
                if (s >= h->nseg) continue; /* a corrupt file must not write out of bounds */
                seen[s / 64] |= (uint64_t)1 << (s % 64);
                if (s < lo) lo = s;
                if (s > hi) hi = s;
            }
        }
    cv_status st = CV_OK;
    for (uint32_t s = lo; lo != UINT32_MAX && s <= hi; s++) {
        if (!(seen[s / 64] >> (s % 64) & 1)) continue;
        const cv__seg *sg = &pr->segs[s];
        if (sg->a >= g->nnodes || sg->b >= g->nnodes) continue;
        cv_graph_edge e;
        e.node_a = sg->a, e.node_b = sg->b;
        e.lon_a = cv__graph_lon(g, sg->a), e.lat_a = cv__graph_lat(g, sg->a);
        e.lon_b = cv__graph_lon(g, sg->b), e.lat_b = cv__graph_lat(g, sg->b);
        /* the cells are coarse: keep only segments whose box really meets the query */
        if (fmax(e.lon_a, e.lon_b) < min_lon || fmin(e.lon_a, e.lon_b) > max_lon ||
            fmax(e.lat_a, e.lat_b) < min_lat || fmin(e.lat_a, e.lat_b) > max_lat)
            continue;
        uint8_t rc = pr->seg_class ? pr->seg_class[s] : CV_GRAPH_ROAD_UNKNOWN;
        e.road_class =
            rc < CV_GRAPH_ROAD_CLASS_COUNT ? (cv_graph_road_class)rc : CV_GRAPH_ROAD_UNKNOWN;
        e.forward = sg->head_ab != CV__NONE;
        e.backward = sg->head_ba != CV__NONE;
        if (fn(ctx, &e)) {
            st = CV_ECANCELED;
            break;
        }
    }
    free(seen);
    return st;
}
