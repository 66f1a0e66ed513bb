/* Turn restrictions on real data, checked independently of the via-node
 * splitting that implements them (build.c): this test reads the OSM file
 * itself, resolves every no_* / only_* restriction with a via node to the
 * OSM node triple (u, via, w), asks for the car route from the middle of the
 * `from` segment to the middle of the `to` segment, and walks the returned
 * route's OSM nodes (including the segments the two points lie on):
 *  - no_*: the triple u, via, w never appears consecutively;
 *  - only_*: wherever u, via appears, the next node is w;
 *  - the route exists (the graph is strongly connected).
 * Restrictions whose from/to way does not start or end at the via node are
 * skipped here as in the import.  Runs on porto-center and andorra (chengdu
 * has none); skipped with a note without ../shared. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <unistd.h>

#include "graph_int.h"
#include "graph_test_util.h"

typedef struct onode {
    int64_t id;
    int32_t lon, lat;
} onode;

typedef struct oway {
    int64_t id;
    size_t off, n;
} oway;

typedef struct orestr {
    int64_t from, via, to;
    int kind;
} orestr;

typedef struct osm {
    onode *nodes;
    size_t nn, capn;
    oway *ways;
    size_t nw, capw;
    int64_t *refs;
    size_t nr, capr;
    orestr *rs;
    size_t nrs, caprs;
} osm;

#define GROW(a, n, cap)                                                                            \
    do {                                                                                           \
        if ((n) == (cap)) {                                                                        \
            (cap) = (cap) ? 2 * (cap) : 1024;                                                      \
            (a) = realloc((a), (cap) * sizeof *(a));                                               \
            if (!(a)) return CV_ENOMEM;                                                            \
        }                                                                                          \
    } while (0)

static int on_node(void *c, int64_t id, int32_t lon, int32_t lat, const cv_osm_tag *tags,
                   size_t ntags)
{
    (void)tags, (void)ntags;
    osm *o = c;
    GROW(o->nodes, o->nn, o->capn);
    o->nodes[o->nn++] = (onode){id, lon, lat};
    return 0;
}

static int on_way(void *c, int64_t id, const int64_t *refs, size_t n, const cv_osm_tag *t,
                  size_t nt)
{
    osm *o = c;
    (void)t, (void)nt;
    GROW(o->ways, o->nw, o->capw);
    o->ways[o->nw++] = (oway){id, o->nr, n};
    for (size_t i = 0; i < n; i++) {
        GROW(o->refs, o->nr, o->capr);
        o->refs[o->nr++] = refs[i];
    }
    return 0;
}

static int on_rel(void *c, int64_t id, const cv_osm_member *m, size_t nm, const cv_osm_tag *t,
                  size_t nt)
{
    osm *o = c;
    (void)id;
    const char *type = NULL, *r = NULL, *rc = NULL, *except = NULL;
    for (size_t i = 0; i < nt; i++) {
        if (!strcmp(t[i].key, "type")) type = t[i].value;
        if (!strcmp(t[i].key, "restriction")) r = t[i].value;
        if (!strcmp(t[i].key, "restriction:motorcar")) rc = t[i].value;
        if (!strcmp(t[i].key, "except")) except = t[i].value;
    }
    if (rc) r = rc;
    if (!type || strcmp(type, "restriction") || !r || (except && strstr(except, "motorcar")))
        return 0;
    int kind = !strncmp(r, "no_", 3) ? 1 : !strncmp(r, "only_", 5) ? 2 : 0;
    if (!kind) return 0;
    orestr x = {0, 0, 0, kind};
    int nf = 0, nv = 0, nto = 0;
    for (size_t i = 0; i < nm; i++) {
        if (!strcmp(m[i].role, "from") && m[i].type == 'w') x.from = m[i].ref, nf++;
        if (!strcmp(m[i].role, "to") && m[i].type == 'w') x.to = m[i].ref, nto++;
        if (!strcmp(m[i].role, "via")) {
            if (m[i].type != 'n') return 0;
            x.via = m[i].ref, nv++;
        }
    }
    if (nf != 1 || nv != 1 || nto != 1) return 0;
    GROW(o->rs, o->nrs, o->caprs);
    o->rs[o->nrs++] = x;
    return 0;
}

static const onode *node_of(const osm *o, int64_t id)
{
    for (size_t i = 0; i < o->nn; i++) /* small extracts: a scan is fine */
        if (o->nodes[i].id == id) return &o->nodes[i];
    return NULL;
}

static const oway *way_of(const osm *o, int64_t id)
{
    for (size_t i = 0; i < o->nw; i++)
        if (o->ways[i].id == id) return &o->ways[i];
    return NULL;
}

/* Neighbour of via at an end of way w, or 0. */
static int64_t end_nb(const osm *o, const oway *w, int64_t via)
{
    const int64_t *r = o->refs + w->off;
    if (w->n < 2) return 0;
    if (r[0] == via) return r[1];
    if (r[w->n - 1] == via) return r[w->n - 2];
    return 0;
}

static bool same(const cv_graph *g, uint32_t gnode, const onode *n)
{
    return g->coords[2 * (size_t)gnode] == n->lon && g->coords[2 * (size_t)gnode + 1] == n->lat;
}

/* Routes s -> t and checks restriction r (u, v, w) along the OSM node
 * sequence of the route, including the segments the points lie on. */
static void route_check(const cv_graph *g, cv__heap *fw_h, cv__heap *bw_h, const cv__phantom *sp,
                        const cv__phantom *tp, const orestr *r, const onode *u, const onode *v,
                        const onode *w, const char *name, size_t k)
{
    const cv__prof *pr = &g->prof[0];
    const cv__seg *ss = &pr->segs[sp->seg], *ts = &pr->segs[tp->seg];
    cv__path path = {NULL, 0};
    cv__w wgt = cv__graph_ch_query(pr, fw_h, bw_h, sp, tp, &path);
    if (wgt == CV__WINF) fail_msg("%s: restriction %zu: no route", name, k);
    /* OSM node sequence: source segment's far end, the path, target segment's far end */
    uint32_t n = path.n + 2, *seq = malloc(sizeof *seq * n);
    assert_non_null(seq);
    uint32_t first = path.n ? pr->orig[path.nodes[0]] : ss->b;
    seq[0] = first == ss->b ? ss->a : ss->b;
    for (uint32_t i = 0; i < path.n; i++) seq[i + 1] = pr->orig[path.nodes[i]];
    uint32_t last = path.n ? pr->orig[path.nodes[path.n - 1]] : ts->a;
    seq[n - 1] = last == ts->a ? ts->b : ts->a;
    if (path.n == 0) n = 0; /* same segment: no junction crossed */
    for (uint32_t i = 0; i + 2 < n; i++) {
        if (!same(g, seq[i], u) || !same(g, seq[i + 1], v)) continue;
        bool to_w = same(g, seq[i + 2], w);
        if (r->kind == 1 && to_w)
            fail_msg("%s: restriction %zu: route takes the forbidden turn from way %lld via "
                     "node %lld to way %lld",
                     name, k, (long long)r->from, (long long)r->via, (long long)r->to);
        if (r->kind == 2 && !to_w)
            fail_msg("%s: restriction %zu: route leaves way %lld at node %lld other than "
                     "onto the only_ way %lld",
                     name, k, (long long)r->from, (long long)r->via, (long long)r->to);
    }
    free(seq);
    free(path.nodes);
}

static void check_turns(const char *name)
{
    char in[1024], out[1024];
    snprintf(in, sizeof in, "%s/%s.osm.pbf", CV_SHARED_OSM, name);
    if (access(in, R_OK) != 0) {
        printf("note: %s not found, turn restriction check skipped\n", in);
        return;
    }
    osm o;
    memset(&o, 0, sizeof o);
    cv_osm_handler h = {&o, on_node, on_way, on_rel, NULL};
    cv_diag d;
    cv_diag_clear(&d);
    assert_int_equal(cv_osm_read(in, &h, &d), CV_OK);
    snprintf(out, sizeof out, "%s/%s.turns.cvg", g_tmpdir, name);
    assert_int_equal(cv_graph_import(in, out, "car", false, NULL, &d), CV_OK);
    cv_graph *g = NULL;
    assert_int_equal(cv_graph_load(&g, out, &d), CV_OK);
    const cv__prof *pr = &g->prof[0];
    cv__heap fw, bw;
    assert_int_equal(cv__graph_heap_init(&fw, pr->h.n), CV_OK);
    assert_int_equal(cv__graph_heap_init(&bw, pr->h.n), CV_OK);
    unsigned checked = 0, detours = 0, other_exits = 0;
    for (size_t k = 0; k < o.nrs; k++) {
        const orestr *r = &o.rs[k];
        const oway *fw_ = way_of(&o, r->from), *tw = way_of(&o, r->to);
        const onode *v = node_of(&o, r->via);
        if (!fw_ || !tw || !v) continue;
        int64_t uid = end_nb(&o, fw_, r->via), wid = end_nb(&o, tw, r->via);
        const onode *u = uid ? node_of(&o, uid) : NULL, *w = wid ? node_of(&o, wid) : NULL;
        if (!u || !w) continue;
        double pts[4] = {(u->lon + v->lon) * 0.5e-7, (u->lat + v->lat) * 0.5e-7,
                         (w->lon + v->lon) * 0.5e-7, (w->lat + v->lat) * 0.5e-7};
        cv__phantom s, t;
        if (cv__graph_snap(g, 0, pts[0], pts[1], 5, &s) ||
            cv__graph_snap(g, 0, pts[2], pts[3], 5, &t))
            continue; /* the road is not a car road in the kept component */
        const cv__seg *ss = &pr->segs[s.seg], *ts = &pr->segs[t.seg];
        /* only test when the points lie on the restriction's own segments */
        bool s_ok =
            (same(g, ss->a, u) && same(g, ss->b, v)) || (same(g, ss->a, v) && same(g, ss->b, u));
        bool t_ok =
            (same(g, ts->a, v) && same(g, ts->b, w)) || (same(g, ts->a, w) && same(g, ts->b, v));
        if (!s_ok || !t_ok) continue;
        route_check(g, &fw, &bw, &s, &t, r, u, v, w, name, k);
        if (r->kind == 2) {
            /* every other exit of the via node must be reached some other way */
            for (uint32_t si = 0; si < pr->h.nseg; si++) {
                const cv__seg *x = &pr->segs[si];
                uint32_t other;
                if (same(g, x->a, v))
                    other = x->b;
                else if (same(g, x->b, v))
                    other = x->a;
                else
                    continue;
                if (same(g, other, w) || same(g, other, u)) continue;
                cv__phantom t2;
                double mx = (cv__graph_lon(g, x->a) + cv__graph_lon(g, x->b)) / 2;
                double my = (cv__graph_lat(g, x->a) + cv__graph_lat(g, x->b)) / 2;
                if (cv__graph_snap(g, 0, mx, my, 5, &t2) || t2.seg != si) continue;
                route_check(g, &fw, &bw, &s, &t2, r, u, v, w, name, k);
                other_exits++;
            }
        }
        if (r->kind == 1) detours++;
        checked++;
    }
    printf("%s: %u turn restrictions checked on car routes (%u no_*; only_* also to %u other "
           "exits), %zu in the file\n",
           name, checked, detours, other_exits, o.nrs);
    assert_true(checked > 0);
    cv__graph_heap_fini(&fw);
    cv__graph_heap_fini(&bw);
    cv_graph_destroy(g);
    free(o.nodes), free(o.ways), free(o.refs), free(o.rs);
    remove(out);
}

static void test_porto(void **state)
{
    (void)state;
    check_turns("porto-center");
}

static void test_andorra(void **state)
{
    (void)state;
    check_turns("andorra");
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_porto),
                                       cmocka_unit_test(test_andorra)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
