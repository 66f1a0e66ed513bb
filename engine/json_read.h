/* Internal helpers for reading JSON with field-path diagnostics (engine/).
 *
 * Every getter takes the path of the object it reads from ("jobs[3]") and
 * writes a message naming the full field path on failure.  Integers are
 * accepted as JSON integers or as integral reals (300.0): the value is the
 * same, so this is no silent fix; fractions, out-of-range values and wrong
 * types are errors. */
#ifndef CV_ENGINE_JSON_READ_H
#define CV_ENGINE_JSON_READ_H

#include <jansson.h>

#include "cv/core.h"

/* Builds "prefix[index]" or "prefix.key" into buf (always NUL-terminated). */
void cv__json_path_index(char *buf, size_t size, const char *prefix, size_t index);
void cv__json_path_key(char *buf, size_t size, const char *prefix, const char *key);

/* Reads an integer in [min, max] from v (not NULL), naming `path` on error. */
cv_status cv__json_int(const json_t *v, const char *path, int64_t min, int64_t max, int64_t *out,
                       cv_diag *diag);
/* Optional integer field `key` of object obj: *out unchanged when absent. */
cv_status cv__json_opt_int(const json_t *obj, const char *path, const char *key, int64_t min,
                           int64_t max, int64_t *out, cv_diag *diag);
/* Reads a finite number in [min, max]. */
cv_status cv__json_number(const json_t *v, const char *path, double min, double max, double *out,
                          cv_diag *diag);
/* An array of exactly n values (n == SIZE_MAX: any length); *arr borrowed. */
cv_status cv__json_array(const json_t *v, const char *path, size_t n, cv_diag *diag);
/* Object check. */
cv_status cv__json_object(const json_t *v, const char *path, cv_diag *diag);
/* Rejects keys of obj that are not in the NULL-terminated list `known`,
 * suggesting the closest known key. */
cv_status cv__json_known_keys(const json_t *obj, const char *path, const char *const *known,
                              cv_diag *diag);
/* Human name of a JSON value's type ("a string", "an array", ...). */
const char *cv__json_type_name(const json_t *v);

#endif
