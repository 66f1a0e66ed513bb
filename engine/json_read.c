/* JSON field readers with precise, path-naming diagnostics (see json_read.h). */
#include "json_read.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void cv__json_path_index(char *buf, size_t size, const char *prefix, size_t index)
{
    snprintf(buf, size, "%s[%zu]", prefix, index);
}

void cv__json_path_key(char *buf, size_t size, const char *prefix, const char *key)
{
    if (prefix[0])
        snprintf(buf, size, "%s.%s", prefix, key);
    else
        snprintf(buf, size, "%s", key);
}

const char *cv__json_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "a value";
}

static void describe_range(char *buf, size_t size, int64_t min, int64_t max)
{
    if (min == 0 && max >= ((int64_t)1 << 52))
        snprintf(buf, size, "a non-negative integer");
    else if (max >= ((int64_t)1 << 52))
        snprintf(buf, size, "an integer >= %lld", (long long)min);
    else
        snprintf(buf, size, "an integer in [%lld, %lld]", (long long)min, (long long)max);
}

cv_status cv__json_int(const json_t *v, const char *path, int64_t min, int64_t max, int64_t *out,
                       cv_diag *diag)
{
    char want[96];
    describe_range(want, sizeof want, min, max);
    int64_t x;
    if (json_is_integer(v)) {
        x = json_integer_value(v);
    } else if (json_is_real(v)) {
        double d = json_real_value(v);
        if (!isfinite(d) || d != floor(d) || fabs(d) > 9.0e15)
            return cv_diag_set(diag, "%s: expected %s, got %g", path, want, d);
        x = (int64_t)d;
    } else {
        return cv_diag_set(diag, "%s: expected %s, got %s", path, want, cv__json_type_name(v));
    }
    if (x < min || x > max) {
        if (x < 0 && min >= 0)
            return cv_diag_set(diag, "%s: must not be negative, got %lld", path, (long long)x);
        return cv_diag_set(diag, "%s: %lld is out of range (expected %s)", path, (long long)x,
                           want);
    }
    *out = x;
    return CV_OK;
}

cv_status cv__json_opt_int(const json_t *obj, const char *path, const char *key, int64_t min,
                           int64_t max, int64_t *out, cv_diag *diag)
{
    const json_t *v = json_object_get(obj, key);
    if (!v) return CV_OK;
    char p[256];
    cv__json_path_key(p, sizeof p, path, key);
    return cv__json_int(v, p, min, max, out, diag);
}

cv_status cv__json_number(const json_t *v, const char *path, double min, double max, double *out,
                          cv_diag *diag)
{
    if (!json_is_number(v))
        return cv_diag_set(diag, "%s: expected a number, got %s", path, cv__json_type_name(v));
    double d = json_number_value(v);
    if (!isfinite(d) || d < min || d > max)
        return cv_diag_set(diag, "%s: %g is out of range [%g, %g]", path, d, min, max);
    *out = d;
    return CV_OK;
}

cv_status cv__json_array(const json_t *v, const char *path, size_t n, cv_diag *diag)
{
    if (!json_is_array(v))
        return cv_diag_set(diag, "%s: expected an array, got %s", path, cv__json_type_name(v));
    if (n != SIZE_MAX && json_array_size(v) != n)
        return cv_diag_set(diag, "%s: expected %zu values, got %zu", path, n, json_array_size(v));
    return CV_OK;
}

cv_status cv__json_object(const json_t *v, const char *path, cv_diag *diag)
{
    if (!json_is_object(v))
        return cv_diag_set(diag, "%s: expected an object, got %s", path, cv__json_type_name(v));
    return CV_OK;
}

/* Levenshtein distance, capped: only used to suggest a key for a typo. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63) return 99;
    size_t row[64];
    for (size_t j = 0; j <= lb; j++) row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t prev = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cur = row[j];
            size_t sub = prev + (a[i - 1] != b[j - 1]);
            size_t del = row[j] + 1, ins = row[j - 1] + 1;
            row[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
            prev = cur;
        }
    }
    return row[lb];
}

cv_status cv__json_known_keys(const json_t *obj, const char *path, const char *const *known,
                              cv_diag *diag)
{
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)obj, key, val)
    {
        bool found = false;
        const char *best = NULL;
        size_t best_d = 3; /* suggest only close matches */
        for (const char *const *k = known; *k; k++) {
            if (strcmp(*k, key) == 0) {
                found = true;
                break;
            }
            size_t d = edit_distance(key, *k);
            if (d < best_d) {
                best_d = d;
                best = *k;
            }
        }
        if (found) continue;
        if (best)
            return cv_diag_set(diag, "%s: unknown field \"%s\" (did you mean \"%s\"?)", path, key,
                               best);
        return cv_diag_set(diag, "%s: unknown field \"%s\"", path, key);
    }
    return CV_OK;
}
