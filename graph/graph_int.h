/* Internals shared by the files of graph/: weights, the file layout, the
 * loaded (or freshly built) profile views, heaps and the query entry points
 * the tests compare against each other.
 *
 * Node numbering of a profile: "final" nodes 0..n-1 are the vertices of the
 * profile's routing graph after turn-restriction splitting and after keeping
 * the largest strongly connected component, numbered by contraction rank
 * (0 contracted first, n-1 last), so "higher in the hierarchy" is "larger id".
 * Each final node stands for one OSM node ("global" node, coordinates in the
 * shared coords array); a restricted via-node has several final nodes, one
 * per restricted incoming arc plus its default one (see build.c). */
#ifndef CV_GRAPH_INT_H
#define CV_GRAPH_INT_H

#include "cv/graph.h"
#include "osm/osm_reader.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Weights: duration and distance packed into one integer. ----
 * High 32 bits: duration in deciseconds; low 32 bits: distance in decimetres.
 * Sums stay exact while a path's distance is below 429,000 km, and comparing
 * packed values orders paths by duration, then distance: every search in
 * graph/ (CH and both Dijkstras) finds the same (duration, distance) pair. */
typedef uint64_t cv__w;
#define CV__W(ds, dm) (((uint64_t)(ds) << 32) | (uint64_t)(uint32_t)(dm))
#define CV__W_DS(w) ((uint32_t)((w) >> 32))
#define CV__W_DM(w) ((uint32_t)((w)&0xffffffffu))
#define CV__WINF UINT64_MAX
#define CV__NONE UINT32_MAX

/* ---- Profiles (profile.c) ---- */
enum { CV__PROF_CAR, CV__PROF_VAN, CV__PROF_EBIKE, CV__PROF_WALK, CV__NPROF };
enum { CV__RESTR_NO = 1, CV__RESTR_ONLY = 2 };
#define CV__VAN_HEIGHT_M 2.8 /* the care caravan's height and weight (profile.c) */
#define CV__VAN_WEIGHT_T 3.5

typedef struct cv__way_rule {
    bool fwd, bwd;   /* travel allowed along / against the way's node order */
    float speed_kmh; /* > 0 */
} cv__way_rule;

const char *cv__graph_profile_name(int p);
int cv__graph_profile_index(const char *name);
bool cv__graph_profile_has_turn_restrictions(int p);
/* True when profile p may use a way with these tags; fills the rule. */
bool cv__graph_profile_way(int p, const cv_osm_tag *tags, size_t ntags, cv__way_rule *out);
/* True when a node with these tags (barrier=*) stops profile p. */
bool cv__graph_profile_barrier(int p, const cv_osm_tag *tags, size_t ntags);
/* CV__RESTR_NO / CV__RESTR_ONLY when the relation is a turn restriction for p, else 0. */
int cv__graph_profile_restriction(int p, const cv_osm_tag *tags, size_t ntags);
const char *cv__graph_tag(const cv_osm_tag *tags, size_t ntags, const char *key);
/* The cv_graph_road_class of a highway=* value (CV_GRAPH_ROAD_UNKNOWN for others). */
uint8_t cv__graph_road_class(const char *highway);

/* ---- File layout (artifact.c).  All integers little-endian (host order,
 * checked by the magic), every array 64-byte aligned. ---- */
#define CV__MAGIC "CVGRAPH"
/* Version 2 added each segment's road class (off_seg_class); version 1
 * files still load, their segments read CV_GRAPH_ROAD_UNKNOWN. */
#define CV__VERSION 2u
#define CV__VERSION_MIN 1u
#define CV__MAX_PROFILES CV__NPROF

typedef struct cv__arc {
    uint32_t head;
    uint32_t pad;
    cv__w w;
} cv__arc;

/* A CH edge stored at its lower-ranked end.  In `up` lists: u -> node; in
 * `dn` lists: node -> u (original direction).  mid == CV__NONE for an
 * original arc, else the node the shortcut bypasses (rank below both ends). */
typedef struct cv__chedge {
    uint32_t node;
    uint32_t mid;
    cv__w w;
} cv__chedge;

/* A road segment between consecutive OSM nodes a, b (global ids) of a way.
 * head_ab: final node reached by driving a->b (CV__NONE if not allowed or
 * outside the kept component); head_ba likewise.  w: full traversal. */
typedef struct cv__seg {
    uint32_t a, b;
    uint32_t head_ab, head_ba;
    cv__w w;
} cv__seg;

typedef struct cv__prof_hdr {
    char name[16];
    uint32_t n;    /* final nodes */
    uint32_t nseg; /* snappable segments */
    uint32_t grid_nx, grid_ny;
    double grid_lon0, grid_lat0, grid_cell_deg; /* cell (i,j) covers lon0+i*cell.. */
    uint64_t narcs, nup, ndn, ncopies, ngrid;
    /* offsets from the start of the file */
    uint64_t off_orig, off_fwd_first, off_fwd, off_bwd_first, off_bwd, off_up_first, off_up,
        off_dn_first, off_dn, off_segs, off_copy_first, off_copies, off_cell_first, off_cell_segs;
    /* import statistics */
    uint64_t ways, restrictions_applied, restrictions_skipped, nodes_dropped_scc;
    /* version 2: [nseg] uint8_t cv_graph_road_class; 0 in version 1 files */
    uint64_t off_seg_class;
} cv__prof_hdr;
/* The size of a version 1 profile header (everything before off_seg_class). */
#define CV__PROF_HDR_V1_SIZE offsetof(cv__prof_hdr, off_seg_class)

typedef struct cv__file_hdr {
    char magic[8];
    uint32_t version;
    uint32_t nprofiles;
    uint64_t file_size;
    uint64_t checksum; /* of bytes [sizeof(cv__file_hdr), file_size) */
    uint32_t nnodes;   /* global nodes (coordinates) */
    uint32_t pad;
    uint64_t off_coords;                 /* nnodes pairs int32 lon_e7, lat_e7 */
    uint64_t off_prof[CV__MAX_PROFILES]; /* cv__prof_hdr */
    uint64_t missing_refs, ways_with_missing;
    char source[160]; /* input file name and attribution */
} cv__file_hdr;

/* A profile as the queries see it: pointers into the mapped file (or into
 * the builder's arrays before writing). */
struct cv__pool;

typedef struct cv__prof {
    cv__prof_hdr h;
    struct cv__pool *pool;     /* reusable search heaps (NULL: allocate per query) */
    const uint32_t *orig;      /* [n] global node of each final node */
    const uint32_t *fwd_first; /* [n+1] CSR of the uncontracted graph */
    const cv__arc *fwd;
    const uint32_t *bwd_first; /* [n+1] reverse graph: arc.head is the tail */
    const cv__arc *bwd;
    const uint32_t *up_first; /* [n+1] CH upward edges, forward */
    const cv__chedge *up;
    const uint32_t *dn_first; /* [n+1] CH upward edges, backward */
    const cv__chedge *dn;
    const cv__seg *segs;        /* [nseg] */
    const uint8_t *seg_class;   /* [nseg] cv_graph_road_class, NULL in version 1 files */
    const uint32_t *copy_first; /* [nnodes+1] final nodes of each global node */
    const uint32_t *copies;     /* [ncopies] */
    const uint32_t *cell_first; /* [nx*ny+1] */
    const uint32_t *cell_segs;  /* [ngrid] */
} cv__prof;

/* Heaps kept between queries so that repeated matrices do not fault in fresh
 * pages for every search array; shared by all profiles of a graph, guarded
 * by a mutex (heap.c). */
#define CV__POOL_MAX 16
typedef struct cv__pool {
    pthread_mutex_t lock;
    int n;
    struct cv__heap *heaps[CV__POOL_MAX];
} cv__pool;

/* Takes a heap of capacity >= cap from the pool (or a new one); NULL on OOM. */
struct cv__heap *cv__graph_heap_borrow(struct cv__pool *pool, uint32_t cap);
/* Returns it to the pool (or frees it when the pool is full or NULL). */
void cv__graph_heap_return(struct cv__pool *pool, struct cv__heap *h);
void cv__graph_pool_fini(struct cv__pool *pool);

struct cv_graph {
    cv__pool pool;
    void *map;
    size_t map_size;
    const cv__file_hdr *hdr;
    uint32_t nnodes;
    const int32_t *coords; /* [2*nnodes] lon_e7, lat_e7 */
    int nprof;
    cv__prof prof[CV__MAX_PROFILES];
    double snap_radius_m;
};

uint64_t cv__graph_checksum(const void *data, size_t len);

/* ---- Geometry helpers (snap.c) ---- */
double cv__graph_haversine_m(double lon1, double lat1, double lon2, double lat2);
static inline double cv__graph_lon(const cv_graph *g, uint32_t node)
{
    return g->coords[2 * (size_t)node] * 1e-7;
}
static inline double cv__graph_lat(const cv_graph *g, uint32_t node)
{
    return g->coords[2 * (size_t)node + 1] * 1e-7;
}

/* ---- Snapping (snap.c) ----
 * A snapped point is a position on a segment.  As a source it enters the
 * graph at up to two final nodes (the heads of the segment's directions);
 * as a target it is reached from every final node that may drive onto the
 * segment (several when the segment starts at a restricted via-node). */
#define CV__PHANTOM_MAX 16
typedef struct cv__entry {
    uint32_t node;
    cv__w w; /* from the point to node (source) or from node to the point (target) */
} cv__entry;

typedef struct cv__phantom {
    uint32_t seg;    /* index into prof->segs */
    double t;        /* fraction along a->b, 0..1 */
    double snap_m;   /* distance from the input coordinate */
    double lon, lat; /* projected position */
    cv__w off_a;     /* weight from a to the point along the segment */
    int nsrc, ntgt;
    cv__entry src[2];
    cv__entry tgt[CV__PHANTOM_MAX];
} cv__phantom;

/* Snaps (lon,lat) within radius_m; CV_ENOTFOUND (no diag) when nothing is near. */
cv_status cv__graph_snap(const cv_graph *g, int p, double lon, double lat, double radius_m,
                         cv__phantom *out);
/* Snaps n lon,lat points; a bad one -> CV_EINVAL naming "<what>[i]" (matrix.c). */
cv_status cv__graph_snap_all(const cv_graph *g, int p, const double *lonlat, uint32_t n,
                             const char *what, cv__phantom **out, cv_diag *diag);
/* Direct path from s to t along their common segment (CV__WINF if none). */
cv__w cv__graph_same_segment(const cv__prof *pr, const cv__phantom *s, const cv__phantom *t);

/* ---- Heap with O(1) reset (heap.c) ---- */
typedef struct cv__heap {
    uint32_t n;       /* items in heap */
    uint32_t cap;     /* node capacity */
    uint32_t *items;  /* heap of node ids */
    uint32_t *pos;    /* [cap] position in items, valid when stamp matches */
    cv__w *key;       /* [cap] tentative weight */
    uint32_t *stamp;  /* [cap] generation when touched */
    uint32_t *parent; /* [cap] predecessor node (for path unpacking) */
    uint8_t *settled; /* [cap] */
    uint32_t gen;
} cv__heap;

cv_status cv__graph_heap_init(cv__heap *h, uint32_t cap);
void cv__graph_heap_fini(cv__heap *h);
void cv__graph_heap_reset(cv__heap *h);
static inline bool cv__graph_heap_seen(const cv__heap *h, uint32_t v)
{
    return h->stamp[v] == h->gen;
}
static inline cv__w cv__graph_heap_key(const cv__heap *h, uint32_t v)
{
    return h->stamp[v] == h->gen ? h->key[v] : CV__WINF;
}
/* Inserts v or lowers its key; returns true if the key changed. */
bool cv__graph_heap_push(cv__heap *h, uint32_t v, cv__w key, uint32_t parent);
uint32_t cv__graph_heap_pop(cv__heap *h); /* CV__NONE when empty; marks settled */
static inline cv__w cv__graph_heap_min(const cv__heap *h)
{
    return h->n ? h->key[h->items[0]] : CV__WINF;
}

/* a + b, or CV__WINF when either is. */
static inline cv__w cv__graph_sat_add(cv__w a, cv__w b)
{
    return (a == CV__WINF || b == CV__WINF) ? CV__WINF : a + b;
}

/* Stall-on-demand test of a CH search at node u with label du: true when a
 * neighbour higher in the hierarchy (edges first[u]..first[u+1] of e, the
 * other direction's edges) already offers a shorter way to u. */
static inline bool cv__graph_ch_stalled(const cv__heap *h, const uint32_t *first,
                                        const cv__chedge *e, uint32_t u, cv__w du)
{
    for (uint32_t i = first[u]; i < first[u + 1]; i++) {
        cv__w dx = cv__graph_heap_key(h, e[i].node);
        if (dx != CV__WINF && dx + e[i].w < du) return true;
    }
    return false;
}

/* ---- One-to-one searches (dijkstra.c, ch_query.c) ----
 * Both return the best weight from s to t (CV__WINF if unreachable) and,
 * when path is non-NULL, the final-node path (malloc'ed, *npath nodes; empty
 * when s and t share a segment and the direct way is best). */
typedef struct cv__path {
    uint32_t *nodes;
    uint32_t n;
} cv__path;

cv__w cv__graph_dijkstra_bidir(const cv__prof *pr, cv__heap *fw, cv__heap *bw, const cv__phantom *s,
                               const cv__phantom *t, cv__path *path);
cv__w cv__graph_ch_query(const cv__prof *pr, cv__heap *fw, cv__heap *bw, const cv__phantom *s,
                         const cv__phantom *t, cv__path *path);
/* One-to-many plain Dijkstra on the uncontracted graph: fills out[j] for targets. */
/* mark[v] != 0 for the nmarked distinct entry nodes of the targets. */
void cv__graph_dijkstra_one_to_many(const cv__prof *pr, cv__heap *h, const cv__phantom *s,
                                    const cv__phantom *t, uint32_t nt, const uint8_t *mark,
                                    uint32_t nmarked, cv__w *out);
/* Joins the parent chains of two searches meeting at meet (dijkstra.c). */
cv_status cv__graph_join_paths(const cv__heap *fw, const cv__heap *bw, uint32_t meet,
                               cv__path *path);
/* Many-to-many on the CH with buckets; out is ns*nt row-major. */
cv_status cv__graph_ch_many_to_many(const cv__prof *pr, const cv__phantom *s, uint32_t ns,
                                    const cv__phantom *t, uint32_t nt, cv__w *out,
                                    unsigned threads);
cv_status cv__graph_dijkstra_many_to_many(const cv__prof *pr, const cv__phantom *s, uint32_t ns,
                                          const cv__phantom *t, uint32_t nt, cv__w *out,
                                          unsigned threads);

/* Expands a CH path (final nodes, may contain shortcuts) into original arcs. */
cv_status cv__graph_ch_unpack(const cv__prof *pr, const uint32_t *nodes, uint32_t n, cv__path *out);

/* Rounds internal units to the public ones. */
static inline uint32_t cv__graph_w_seconds(cv__w w)
{
    return (uint32_t)(((uint64_t)CV__W_DS(w) + 5) / 10);
}
static inline uint32_t cv__graph_w_metres(cv__w w)
{
    return (uint32_t)(((uint64_t)CV__W_DM(w) + 5) / 10);
}

/* ---- Service circles (reach.c, isochrone.c) ---- */
struct cv_graph_points {
    const cv_graph *g;
    int profile;
    uint32_t n;
    cv__phantom *ph; /* [n] snapped positions */
};
struct cv_graph_reach {
    const struct cv_graph_points *src; /* the sources (borrowed) */
    bool to_sources;                   /* labels are times towards the sources */
    uint32_t limit_s;
    uint64_t limit_ds; /* labels whose duration is <= this (deciseconds) are inside */
    cv__w *dist;       /* [n] label of each final node, CV__WINF outside the limit */
    uint32_t *from;    /* [n] source index of the label (valid where dist is finite) */
    uint32_t nreached;
};

/* ---- Import (build.c, ch_build.c, artifact.c) ---- */
/* A profile's graph before contraction: arcs as (tail, head, w). */
typedef struct cv__edge3 {
    uint32_t tail, head;
    cv__w w;
} cv__edge3;

/* Contracts n nodes with the given arcs.  Outputs rank[n] (0 = first
 * contracted) and the CH edges as tail->head lists with mids, in the
 * original numbering: up edges (rank head > rank tail), stored at tail;
 * dn edges (rank tail > rank head) stored at head.  All malloc'ed. */
typedef struct cv__ch_out {
    uint32_t *rank;
    cv__edge3 *up;
    uint32_t *up_mid;
    uint64_t nup;
    cv__edge3 *dn;
    uint32_t *dn_mid;
    uint64_t ndn;
} cv__ch_out;

typedef void (*cv__progress_fn)(void *ctx, const char *what, double fraction);
cv_status cv__graph_ch_contract(uint32_t n, const cv__edge3 *arcs, uint64_t narcs, cv__ch_out *out,
                                cv__progress_fn progress, void *pctx);
void cv__graph_ch_out_fini(cv__ch_out *o);

/* Owned arrays of one built profile, ready to write. */
typedef struct cv__built_prof {
    cv__prof view; /* pointers into the arrays below */
    void *mem[16]; /* owned allocations */
    int nmem;
} cv__built_prof;

typedef struct cv__built {
    uint32_t nnodes;
    int32_t *coords;
    int nprof;
    cv__built_prof prof[CV__MAX_PROFILES];
    uint64_t missing_refs, ways_with_missing;
    char source[160];
} cv__built;

cv_status cv__graph_artifact_write(const cv__built *b, const char *path, cv_diag *diag);
void cv__graph_built_fini(cv__built *b);

#endif
