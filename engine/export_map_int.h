/* Internals of the HTML map writer (export_map.c, export_map_roads.c,
 * export_map_page.c). */
#ifndef CV_EXPORT_MAP_INT_H
#define CV_EXPORT_MAP_INT_H

#include "cv/engine.h"

struct cv_graph;

/* JSON string that is also safe inside an HTML <script> element: <, > and &
 * are written as \u003c, \u003e, \u0026. */
void cv__map_json_string(cv_sbuf *b, const char *s);

/* Road lines for the map: chained segments, lon/lat, one road class each
 * (cv_graph_road_class values; 8 classes). */
#define CV__MAP_NCLASS 8
typedef struct cv__map_roads {
    uint8_t *line_class;  /* [nlines] */
    uint32_t *line_first; /* [nlines + 1] into pts */
    uint32_t nlines, cap_lines;
    double *pts; /* lon,lat pairs */
    uint32_t npts, cap_pts;
    uint32_t segments[CV__MAP_NCLASS]; /* segments drawn per class */
    uint32_t omitted[CV__MAP_NCLASS];  /* segments left out per class (thinning) */
    bool dropped[CV__MAP_NCLASS];
} cv__map_roads;

void cv__map_roads_init(cv__map_roads *r);
void cv__map_roads_fini(cv__map_roads *r);
/* Collects the roads of every graph profile the problem's vehicles use (each
 * segment once) inside the box, then leaves out the least important classes
 * until at most max_points points remain (primary and above always stay). */
cv_status cv__map_roads_collect(cv__map_roads *r, const struct cv_graph *g, const cv_plan *plan,
                                const cv_problem *p, double min_lon, double min_lat, double max_lon,
                                double max_lat, uint32_t max_points);
/* Writes {"classes":[{"cls":name,"lines":[[x0,y0,dx,dy,...],...]},...],
 * "omitted":[{"cls":name,"segments":n},...]} in drawing order (minor first),
 * projected like the rest of the page. */
void cv__map_roads_write(const cv__map_roads *r, cv_sbuf *b, double lon0, double lat0, double kx,
                         double ky);

/* The HTML page around the data object (json: the page's data, already
 * safe inside <script>).  *out malloc'ed. */
cv_status cv__map_page(const char *title, const char *json, char **out);

#endif
