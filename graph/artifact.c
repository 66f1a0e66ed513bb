/* The .cvg file: writing it at import, mapping it at load.
 *
 * Layout: a cv__file_hdr (magic "CVGRAPH", format version, file size,
 * checksum, profile offsets), the shared coordinates, then per profile a
 * cv__prof_hdr followed by its arrays, each 64-byte aligned.  Loading maps
 * the file read-only, checks magic, version, size, checksum and that every
 * array lies inside the file, and points the views at the mapped bytes: no
 * rebuild, so a server starts in milliseconds.  The checksum is a 64-bit
 * multiply-xor hash over everything after the header, read 8 bytes a time. */
#define _POSIX_C_SOURCE 200809L
#include "graph_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

uint64_t cv__graph_checksum(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t h = 0x9e3779b97f4a7c15ull ^ len;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t x;
        memcpy(&x, p + i, 8);
        h ^= x * 0xbf58476d1ce4e5b9ull;
        h = (h << 27 | h >> 37) * 0x94d049bb133111ebull;
    }
    for (; i < len; i++) h = (h ^ p[i]) * 0x100000001b3ull;
    h ^= h >> 31;
    return h;
}

#define ALIGN 64u
static uint64_t align_up(uint64_t x)
{
    return (x + ALIGN - 1) & ~(uint64_t)(ALIGN - 1);
}

/* Streams the file in two passes over the same code: the first (f == NULL)
 * only counts, so every offset is known before anything is written, and the
 * second writes.  Nothing is assembled in memory: peak memory at import is
 * the built arrays, not twice the file. */
typedef struct writer {
    FILE *f;
    uint64_t size;
    bool err;
} writer;

/* Appends len bytes at an aligned offset; returns the offset. */
static uint64_t put(writer *w, const void *data, uint64_t len)
{
    static const unsigned char zeros[ALIGN];
    uint64_t off = align_up(w->size);
    if (w->f && !w->err) {
        if (fwrite(zeros, 1, off - w->size, w->f) != off - w->size) w->err = true;
        if (len && fwrite(data, 1, len, w->f) != len) w->err = true;
    }
    w->size = off + len;
    return off;
}

/* Writes the header and every profile; on the counting pass fills offsets. */
static void emit(writer *w, const cv__built *b, cv__file_hdr *fh, cv__prof_hdr *ph)
{
    put(w, fh, sizeof *fh);
    fh->off_coords = put(w, b->coords, (uint64_t)b->nnodes * 2 * sizeof(int32_t));
    for (int p = 0; p < b->nprof; p++) {
        const cv__prof *v = &b->prof[p].view;
        cv__prof_hdr *h = &ph[p];
        uint64_t n1 = (uint64_t)h->n + 1, ncell = (uint64_t)h->grid_nx * h->grid_ny + 1;
        fh->off_prof[p] = put(w, h, sizeof *h);
        h->off_orig = put(w, v->orig, (uint64_t)h->n * 4);
        h->off_fwd_first = put(w, v->fwd_first, n1 * 4);
        h->off_fwd = put(w, v->fwd, h->narcs * sizeof(cv__arc));
        h->off_bwd_first = put(w, v->bwd_first, n1 * 4);
        h->off_bwd = put(w, v->bwd, h->narcs * sizeof(cv__arc));
        h->off_up_first = put(w, v->up_first, n1 * 4);
        h->off_up = put(w, v->up, h->nup * sizeof(cv__chedge));
        h->off_dn_first = put(w, v->dn_first, n1 * 4);
        h->off_dn = put(w, v->dn, h->ndn * sizeof(cv__chedge));
        h->off_segs = put(w, v->segs, (uint64_t)h->nseg * sizeof(cv__seg));
        h->off_copy_first = put(w, v->copy_first, ((uint64_t)b->nnodes + 1) * 4);
        h->off_copies = put(w, v->copies, h->ncopies * 4);
        h->off_cell_first = put(w, v->cell_first, ncell * 4);
        h->off_cell_segs = put(w, v->cell_segs, h->ngrid * 4);
        h->off_seg_class = put(w, v->seg_class, h->nseg);
    }
    put(w, NULL, 0); /* pad the end to the alignment */
    fh->file_size = w->size;
}

cv_status cv__graph_artifact_write(const cv__built *b, const char *path, cv_diag *diag)
{
    cv__file_hdr fh;
    memset(&fh, 0, sizeof fh);
    memcpy(fh.magic, CV__MAGIC, sizeof CV__MAGIC);
    fh.version = CV__VERSION;
    fh.nprofiles = (uint32_t)b->nprof;
    fh.nnodes = b->nnodes;
    fh.missing_refs = b->missing_refs;
    fh.ways_with_missing = b->ways_with_missing;
    memcpy(fh.source, b->source, sizeof fh.source);
    cv__prof_hdr ph[CV__MAX_PROFILES];
    for (int p = 0; p < b->nprof; p++) ph[p] = b->prof[p].view.h;
    writer count = {NULL, 0, false};
    emit(&count, b, &fh, ph); /* offsets */

    /* write to a temporary name, then rename: a reader never sees half a file */
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid()) >= (int)sizeof tmp)
        return cv_diag_set(diag, "%s: path too long", path);
    FILE *f = fopen(tmp, "w+b");
    if (!f) {
        cv_diag_set(diag, "%s: cannot write (%s)", path, strerror(errno));
        return CV_EIO;
    }
    writer w = {f, 0, false};
    emit(&w, b, &fh, ph);
    bool ok = !w.err && w.size == fh.file_size && fflush(f) == 0;
    if (ok) {
        /* checksum of what is on disk, then the final header */
        void *m = mmap(NULL, (size_t)fh.file_size, PROT_READ, MAP_SHARED, fileno(f), 0);
        ok = m != MAP_FAILED;
        if (ok) {
            fh.checksum = cv__graph_checksum((const unsigned char *)m + sizeof fh,
                                             (size_t)fh.file_size - sizeof fh);
            munmap(m, (size_t)fh.file_size);
            ok = fseek(f, 0, SEEK_SET) == 0 && fwrite(&fh, 1, sizeof fh, f) == sizeof fh;
        }
    }
    ok &= fclose(f) == 0;
    if (!ok || rename(tmp, path) != 0) {
        cv_diag_set(diag, "%s: cannot write (%s)", path, strerror(errno));
        remove(tmp);
        return CV_EIO;
    }
    return CV_OK;
}

/* True when [off, off+bytes) lies inside the file and off is aligned. */
static bool inside(uint64_t size, uint64_t off, uint64_t bytes)
{
    return off % 8 == 0 && off <= size && bytes <= size - off;
}

cv_status cv_graph_load(cv_graph **out, const char *path, cv_diag *diag)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        cv_diag_set(diag, "%s: cannot open (%s)", path, strerror(errno));
        return CV_EIO;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        cv_diag_set(diag, "%s: cannot stat (%s)", path, strerror(errno));
        close(fd);
        return CV_EIO;
    }
    size_t size = (size_t)sb.st_size;
    if (size < sizeof(cv__file_hdr)) {
        close(fd);
        cv_diag_set(diag, "%s: not a carevan graph file (too short)", path);
        return CV_EFORMAT;
    }
    void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) {
        cv_diag_set(diag, "%s: cannot map (%s)", path, strerror(errno));
        return CV_EIO;
    }
    cv_graph *g = calloc(1, sizeof *g);
    if (!g) {
        munmap(map, size);
        return CV_ENOMEM;
    }
    g->map = map, g->map_size = size;
    pthread_mutex_init(&g->pool.lock, NULL);
    g->snap_radius_m = CV_GRAPH_SNAP_RADIUS_M;
    const cv__file_hdr *fh = map;
    const unsigned char *base = map;
    cv_status st = CV_EFORMAT;
    if (memcmp(fh->magic, CV__MAGIC, sizeof CV__MAGIC) != 0) {
        cv_diag_set(diag, "%s: not a carevan graph file (bad magic)", path);
        goto fail;
    }
    if (fh->version < CV__VERSION_MIN || fh->version > CV__VERSION) {
        cv_diag_set(diag,
                    "%s: graph format version %u, this carevan reads versions %u to %u: re-run "
                    "carevan import",
                    path, fh->version, CV__VERSION_MIN, CV__VERSION);
        goto fail;
    }
    if (fh->file_size != size) {
        cv_diag_set(diag, "%s: truncated graph file (%zu bytes, header says %llu)", path, size,
                    (unsigned long long)fh->file_size);
        goto fail;
    }
    if (cv__graph_checksum(base + sizeof *fh, size - sizeof *fh) != fh->checksum) {
        cv_diag_set(diag, "%s: graph file checksum mismatch (corrupt file)", path);
        goto fail;
    }
    if (fh->nprofiles < 1 || fh->nprofiles > CV__MAX_PROFILES ||
        !inside(size, fh->off_coords, (uint64_t)fh->nnodes * 8)) {
        cv_diag_set(diag, "%s: corrupt graph file header", path);
        goto fail;
    }
    g->hdr = fh;
    g->nnodes = fh->nnodes;
    g->coords = (const int32_t *)(base + fh->off_coords);
    g->nprof = (int)fh->nprofiles;
    for (int p = 0; p < g->nprof; p++) {
        cv__prof *v = &g->prof[p];
        v->pool = &g->pool;
        size_t hsize = fh->version >= 2 ? sizeof(cv__prof_hdr) : CV__PROF_HDR_V1_SIZE;
        if (!inside(size, fh->off_prof[p], hsize)) goto bad;
        memset(&v->h, 0, sizeof v->h);
        memcpy(&v->h, base + fh->off_prof[p], hsize);
        const cv__prof_hdr *h = &v->h;
        uint64_t n1 = (uint64_t)h->n + 1, ncell = (uint64_t)h->grid_nx * h->grid_ny + 1;
        if (h->name[sizeof h->name - 1] != 0) goto bad;
#define MAP(ptr, off, bytes)                                                                       \
    if (!inside(size, (off), (bytes))) goto bad;                                                   \
    v->ptr = (const void *)(base + (off))
        MAP(orig, h->off_orig, (uint64_t)h->n * 4);
        MAP(fwd_first, h->off_fwd_first, n1 * 4);
        MAP(fwd, h->off_fwd, h->narcs * sizeof(cv__arc));
        MAP(bwd_first, h->off_bwd_first, n1 * 4);
        MAP(bwd, h->off_bwd, h->narcs * sizeof(cv__arc));
        MAP(up_first, h->off_up_first, n1 * 4);
        MAP(up, h->off_up, h->nup * sizeof(cv__chedge));
        MAP(dn_first, h->off_dn_first, n1 * 4);
        MAP(dn, h->off_dn, h->ndn * sizeof(cv__chedge));
        MAP(segs, h->off_segs, (uint64_t)h->nseg * sizeof(cv__seg));
        MAP(copy_first, h->off_copy_first, ((uint64_t)fh->nnodes + 1) * 4);
        MAP(copies, h->off_copies, h->ncopies * 4);
        MAP(cell_first, h->off_cell_first, ncell * 4);
        MAP(cell_segs, h->off_cell_segs, h->ngrid * 4);
        if (fh->version >= 2) {
            MAP(seg_class, h->off_seg_class, h->nseg);
        } else {
            v->seg_class = NULL;
        }
#undef MAP
    }
    *out = g;
    return CV_OK;
bad:
    cv_diag_set(diag, "%s: corrupt graph file (profile section out of bounds)", path);
fail:
    munmap(map, size);
    cv__graph_pool_fini(&g->pool);
    free(g);
    return st;
}

void cv_graph_destroy(cv_graph *g)
{
    if (!g) return;
    cv__graph_pool_fini(&g->pool);
    munmap(g->map, g->map_size);
    free(g);
}

int cv_graph_profile_find(const cv_graph *g, const char *name)
{
    for (int p = 0; p < g->nprof; p++)
        if (strcmp(g->prof[p].h.name, name) == 0) return p;
    return -1;
}

int cv_graph_profile_count(const cv_graph *g)
{
    return g->nprof;
}

const char *cv_graph_profile_name(const cv_graph *g, int profile)
{
    return (profile >= 0 && profile < g->nprof) ? g->prof[profile].h.name : NULL;
}

void cv_graph_set_snap_radius(cv_graph *g, double metres)
{
    g->snap_radius_m = metres;
}
