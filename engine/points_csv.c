/* Point lists for the coverage tools: CSV files `id,lon,lat` with that
 * header (sites, clients, candidate sites, households).
 *
 * Format: UTF-8 text (a BOM is skipped), one point a line, comma-separated,
 * no quoting; spaces around fields are ignored; empty lines and lines
 * starting with '#' are skipped.  The header must name the columns id, lon,
 * lat in this order.  id: any non-empty text without a comma, unique in the
 * file; lon in [-180, 180], lat in [-90, 90], decimal degrees (WGS-84).
 * Every error names FILE:LINE:COLUMN (1-based, COLUMN in bytes) and the
 * field: `clients.csv:7:12: lat: expected a number in [-90, 90], got "3x"`. */
#include "cv/engine.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_POINTS_BYTES ((size_t)256 << 20)

void cv_points_fini(cv_points *p)
{
    if (!p) return;
    for (uint32_t i = 0; i < p->n; i++) free(p->ids[i]);
    free(p->ids);
    free(p->lonlat);
    free(p->line);
    memset(p, 0, sizeof *p);
}

/* One field [b, e) of a line, trimmed; col is 1-based at b before trimming. */
typedef struct field {
    const char *b, *e;
    size_t col;
} field;

static field trim(const char *b, const char *e, const char *line_start)
{
    while (b < e && (*b == ' ' || *b == '\t')) b++;
    while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r')) e--;
    return (field){b, e, (size_t)(b - line_start) + 1};
}

static bool field_is(const field *f, const char *name)
{
    size_t n = strlen(name);
    if ((size_t)(f->e - f->b) != n) return false;
    for (size_t i = 0; i < n; i++) {
        char c = f->b[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c != name[i]) return false;
    }
    return true;
}

static bool parse_deg(const field *f, double lim, double *out)
{
    char buf[64];
    size_t n = (size_t)(f->e - f->b);
    if (n == 0 || n >= sizeof buf) return false;
    memcpy(buf, f->b, n);
    buf[n] = 0;
    char *end;
    double v = strtod(buf, &end);
    if (*end || !isfinite(v) || v < -lim || v > lim) return false;
    *out = v;
    return true;
}

cv_status cv_points_parse_csv(cv_points *out, const char *name, const char *text, size_t len,
                              cv_diag *diag)
{
    cv_points P;
    memset(&P, 0, sizeof P);
    uint32_t cap = 0;
    const char *p = text, *end = text + len;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) p += 3;
    uint32_t lineno = 0;
    bool header = false;
    cv_status st = CV_OK;
    while (p < end && !st) {
        const char *ls = p, *le = memchr(p, '\n', (size_t)(end - p));
        if (!le) le = end;
        p = le < end ? le + 1 : end;
        lineno++;
        field all = trim(ls, le, ls);
        if (all.b == all.e || *all.b == '#') continue;
        if (memchr(ls, 0, (size_t)(le - ls))) {
            st = cv_diag_set(diag, "%s:%u: a NUL byte: not a text file", name, lineno);
            break;
        }
        field f[4];
        int nf = 0;
        const char *fb = ls;
        for (const char *c = ls;; c++) {
            if (c == le || *c == ',') {
                if (nf < 4) f[nf] = trim(fb, c, ls);
                nf++;
                fb = c + 1;
                if (c == le) break;
            }
        }
        if (!header) {
            if (nf != 3 || !field_is(&f[0], "id") || !field_is(&f[1], "lon") ||
                !field_is(&f[2], "lat")) {
                st = cv_diag_set(diag, "%s:%u:1: expected the header \"id,lon,lat\"", name, lineno);
                break;
            }
            header = true;
            continue;
        }
        if (nf != 3) {
            size_t col = nf > 3 ? f[3].col : (size_t)(le - ls) + 1;
            st = cv_diag_set(diag, "%s:%u:%zu: expected 3 fields id,lon,lat, got %d", name, lineno,
                             col, nf);
            break;
        }
        double lon, lat;
        if (f[0].b == f[0].e) {
            st = cv_diag_set(diag, "%s:%u:%zu: id: empty", name, lineno, f[0].col);
            break;
        }
        if (!parse_deg(&f[1], 180, &lon)) {
            st = cv_diag_set(diag, "%s:%u:%zu: lon: expected a number in [-180, 180], got \"%.*s\"",
                             name, lineno, f[1].col,
                             (int)(f[1].e - f[1].b > 40 ? 40 : f[1].e - f[1].b), f[1].b);
            break;
        }
        if (!parse_deg(&f[2], 90, &lat)) {
            st = cv_diag_set(diag, "%s:%u:%zu: lat: expected a number in [-90, 90], got \"%.*s\"",
                             name, lineno, f[2].col,
                             (int)(f[2].e - f[2].b > 40 ? 40 : f[2].e - f[2].b), f[2].b);
            break;
        }
        if (P.n == cap) {
            uint32_t c1 = cap, c2 = cap, c3 = cap;
            if (!cv_array_grow((void **)&P.ids, &c1, P.n + 1, sizeof *P.ids) ||
                !cv_array_grow((void **)&P.lonlat, &c2, P.n + 1, 2 * sizeof *P.lonlat) ||
                !cv_array_grow((void **)&P.line, &c3, P.n + 1, sizeof *P.line)) {
                st = CV_ENOMEM;
                break;
            }
            /* all three grew to the same capacity (same need, same rule) */
            cap = c1 < c2 ? (c1 < c3 ? c1 : c3) : (c2 < c3 ? c2 : c3);
        }
        size_t idl = (size_t)(f[0].e - f[0].b);
        char *id = malloc(idl + 1);
        if (!id) {
            st = CV_ENOMEM;
            break;
        }
        memcpy(id, f[0].b, idl);
        id[idl] = 0;
        P.ids[P.n] = id;
        P.lonlat[2 * P.n] = lon, P.lonlat[2 * P.n + 1] = lat;
        P.line[P.n] = lineno;
        P.n++;
    }
    if (!st && !header)
        st = cv_diag_set(diag, "%s: empty: expected the header \"id,lon,lat\"", name);
    if (!st) {
        /* unique ids: sort indices by id (Shell sort: no comparator
         * context needed), then compare neighbours */
        uint32_t *ord = cv_calloc(P.n + 1, sizeof *ord);
        if (!ord) st = CV_ENOMEM;
        for (uint32_t i = 0; !st && i < P.n; i++) ord[i] = i;
        if (!st) {
            for (uint32_t gap = P.n / 2; gap > 0; gap /= 2)
                for (uint32_t i = gap; i < P.n; i++)
                    for (uint32_t j = i; j >= gap && strcmp(P.ids[ord[j - gap]], P.ids[ord[j]]) > 0;
                         j -= gap) {
                        uint32_t t = ord[j];
                        ord[j] = ord[j - gap], ord[j - gap] = t;
                    }
            for (uint32_t i = 1; i < P.n && !st; i++)
                if (!strcmp(P.ids[ord[i - 1]], P.ids[ord[i]])) {
                    uint32_t a = P.line[ord[i - 1]], b = P.line[ord[i]];
                    st = cv_diag_set(diag, "%s:%u:1: id: \"%s\" already used on line %u", name,
                                     a > b ? a : b, P.ids[ord[i]], a < b ? a : b);
                }
        }
        free(ord);
    }
    if (st) {
        cv_points_fini(&P);
        return st;
    }
    *out = P;
    return CV_OK;
}

cv_status cv_points_read_csv(cv_points *out, const char *path, cv_diag *diag)
{
    char *text;
    size_t len;
    cv_status st = cv_read_file(path, MAX_POINTS_BYTES, &text, &len, diag);
    if (st) return st;
    st = cv_points_parse_csv(out, path, text, len, diag);
    free(text);
    return st;
}
