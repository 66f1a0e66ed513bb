/* The pure-C face of the only C++ file in carevan (osm_reader.cpp, libosmium).
 *
 * The reader streams one OSM file (.osm.pbf, .osm, .osm.bz2, chosen by the
 * file name) once, in file order, and hands plain data to C callbacks:
 * every node with its fixed-point location, every way with its node refs and
 * tags, every relation with its members and tags.  All pointers passed to a
 * callback are lent by libosmium and valid only during that call: copy what
 * you keep.  Which ways are roads for which profile is decided in C (see
 * profile.c), never here. */
#ifndef CV_OSM_READER_H
#define CV_OSM_READER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#include "cv/core.h" /* core.h has no extern "C" guard of its own */

typedef struct cv_osm_tag {
    const char *key;
    const char *value;
} cv_osm_tag;

typedef struct cv_osm_member {
    char type; /* 'n' node, 'w' way, 'r' relation */
    int64_t ref;
    const char *role;
} cv_osm_member;

/* Each callback returns 0 to go on; any other value stops the read, and
 * cv_osm_read returns that value as a cv_status (so return e.g. CV_ENOMEM).
 * Any callback may be NULL. */
typedef struct cv_osm_handler {
    void *ctx;
    /* tags: the node's tags (ntags == 0 for the many untagged nodes) */
    int (*node)(void *ctx, int64_t id, int32_t lon_e7, int32_t lat_e7, const cv_osm_tag *tags,
                size_t ntags);
    int (*way)(void *ctx, int64_t id, const int64_t *refs, size_t nrefs, const cv_osm_tag *tags,
               size_t ntags);
    int (*relation)(void *ctx, int64_t id, const cv_osm_member *members, size_t nmembers,
                    const cv_osm_tag *tags, size_t ntags);
    /* Called now and then with the fraction of the file read so far (0..1). */
    void (*progress)(void *ctx, double fraction, uint64_t nodes, uint64_t ways);
} cv_osm_handler;

/* Reads path.  Returns CV_OK, CV_EIO (cannot open/read), CV_EFORMAT (corrupt,
 * truncated or unknown format), CV_ENOMEM, or a callback's status.  On error
 * diag names the file: "city.osm.pbf: corrupt or truncated OSM file (...)".
 * Never throws. */
cv_status cv_osm_read(const char *path, const cv_osm_handler *h, cv_diag *diag);

#ifdef __cplusplus
}
#endif
#endif
