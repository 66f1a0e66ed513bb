/* The graph subcommands of `carevan`: import, route, matrix.  Each parses
 * its own argv (argv[0] = subcommand name), prints errors as
 * "carevan <cmd>: <message>" on stderr and returns the exit code: 0 ok,
 * 2 bad input (usage, unreadable or invalid files, points off the road),
 * 1 any other failure. */
#define _POSIX_C_SOURCE 200809L
#include "graph_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int exit_code(cv_status st)
{
    if (st == CV_OK) return 0;
    if (st == CV_EINVAL || st == CV_EFORMAT || st == CV_EIO || st == CV_ERANGE ||
        st == CV_ENOTFOUND)
        return 2;
    return 1;
}

static int fail(const char *cmd, cv_status st, const cv_diag *d)
{
    fprintf(stderr, "carevan %s: %s\n", cmd, d->set ? d->msg : cv_status_message(st));
    return exit_code(st);
}

static int usage_error(const char *cmd, const char *msg, const char *arg)
{
    fprintf(stderr, "carevan %s: %s%s%s (see carevan %s --help)\n", cmd, msg, arg ? ": " : "",
            arg ? arg : "", cmd);
    return 2;
}

static const char import_help[] =
    "usage: carevan import CITY.osm.pbf -o CITY.cvg [--profiles car,van,ebike,walk] [-q]\n"
    "Reads an OpenStreetMap extract (.osm.pbf, .osm, .osm.bz2) and writes the road graph\n"
    "with contraction hierarchies for each profile.  A progress bar is drawn when stderr\n"
    "is a terminal (-q: never).  Map data (c) OpenStreetMap contributors, ODbL 1.0.\n";

int cv_graph_cli_import(int argc, char **argv)
{
    const char *in = NULL, *out = NULL, *profiles = NULL;
    bool quiet = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(import_help, stdout);
            return 0;
        } else if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) {
            if (++i >= argc) return usage_error("import", "missing value after", argv[i - 1]);
            out = argv[i];
        } else if (!strcmp(argv[i], "--profiles")) {
            if (++i >= argc) return usage_error("import", "missing value after", argv[i - 1]);
            profiles = argv[i];
        } else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet")) {
            quiet = true;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return usage_error("import", "unknown option", argv[i]);
        } else if (!in) {
            in = argv[i];
        } else {
            return usage_error("import", "unexpected argument", argv[i]);
        }
    }
    if (!in) return usage_error("import", "missing the OSM file", NULL);
    if (!out) return usage_error("import", "missing -o OUTPUT.cvg", NULL);
    cv_diag d;
    cv_diag_clear(&d);
    cv_graph_import_stats s;
    cv_status st = cv_graph_import(in, out, profiles, !quiet && isatty(2), &s, &d);
    if (st) return fail("import", st, &d);
    printf("%s: %llu road ways", out, (unsigned long long)s.road_ways);
    if (s.missing_refs)
        printf(", %llu missing node refs skipped (in %llu ways)",
               (unsigned long long)s.missing_refs, (unsigned long long)s.ways_with_missing);
    printf(", %.2f s\n", s.seconds);
    for (uint32_t p = 0; p < s.nprofiles; p++)
        printf("  %-6s %8u nodes %8u segments %9llu arcs %9llu CH edges, restrictions %llu "
               "(skipped %llu), %llu nodes outside the main component\n",
               s.profile[p].name, s.profile[p].nodes, s.profile[p].segments,
               (unsigned long long)s.profile[p].arcs, (unsigned long long)s.profile[p].ch_edges,
               (unsigned long long)s.profile[p].restrictions_applied,
               (unsigned long long)s.profile[p].restrictions_skipped,
               (unsigned long long)s.profile[p].nodes_dropped_scc);
    return 0;
}

static bool parse_lonlat(const char *s, double *lon, double *lat)
{
    char *end;
    errno = 0;
    *lon = strtod(s, &end);
    if (end == s || *end != ',') return false;
    const char *q = end + 1;
    *lat = strtod(q, &end);
    if (end == q || errno) return false;
    while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n') end++;
    return *end == 0;
}

static const char route_help[] =
    "usage: carevan route CITY.cvg --profile car LON,LAT LON,LAT [...] [--format "
    "geojson|polyline]\n"
    "Fastest route through the points in order.  geojson (default): a Feature with the\n"
    "LineString and per-leg duration_s/distance_m; polyline: one JSON object with the\n"
    "encoded polyline (precision 5).\n";

int cv_graph_cli_route(int argc, char **argv)
{
    const char *path = NULL, *profile = NULL, *format = "geojson";
    double *pts = cv_calloc((size_t)argc * 2 + 2, sizeof *pts);
    uint32_t n = 0;
    if (!pts) return 1;
    int rc = 0;
    for (int i = 1; i < argc; i++) {
        double lon, lat;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(route_help, stdout);
            free(pts);
            return 0;
        } else if (!strcmp(argv[i], "--profile") || !strcmp(argv[i], "--format")) {
            if (i + 1 >= argc) {
                rc = usage_error("route", "missing value after", argv[i]);
                goto out;
            }
            if (!strcmp(argv[i], "--profile"))
                profile = argv[++i];
            else
                format = argv[++i];
        } else if (parse_lonlat(argv[i], &lon, &lat)) {
            pts[2 * n] = lon, pts[2 * n + 1] = lat, n++;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            rc = usage_error("route", "unknown option", argv[i]);
            goto out;
        } else if (!path) {
            path = argv[i];
        } else {
            rc = usage_error("route", "not a LON,LAT point", argv[i]);
            goto out;
        }
    }
    if (!path) {
        rc = usage_error("route", "missing the graph file", NULL);
        goto out;
    }
    if (strcmp(format, "geojson") != 0 && strcmp(format, "polyline") != 0) {
        rc = usage_error("route", "--format must be geojson or polyline, got", format);
        goto out;
    }
    if (n < 2) {
        rc = usage_error("route", "need at least two LON,LAT points", NULL);
        goto out;
    }
    cv_diag d;
    cv_diag_clear(&d);
    cv_graph *g = NULL;
    cv_status st = cv_graph_load(&g, path, &d);
    if (st) {
        rc = fail("route", st, &d);
        goto out;
    }
    int p = cv_graph_profile_find(g, profile ? profile : "car");
    if (p < 0) {
        fprintf(stderr,
                "carevan route: --profile %s: not in %s (it has:", profile ? profile : "car", path);
        for (int k = 0; k < cv_graph_profile_count(g); k++)
            fprintf(stderr, " %s", cv_graph_profile_name(g, k));
        fprintf(stderr, ")\n");
        cv_graph_destroy(g);
        rc = 2;
        goto out;
    }
    cv_graph_route r;
    st = cv_graph_route_compute(g, p, pts, n, &r, &d);
    if (st) {
        rc = fail("route", st, &d);
        cv_graph_destroy(g);
        goto out;
    }
    char *text = NULL;
    if (!strcmp(format, "polyline")) {
        st = cv_graph_route_polyline_encode(&r, &text);
        if (st == CV_OK) {
            printf("{\"polyline\":\"");
            for (const char *c = text; *c; c++) {
                if (*c == '"' || *c == '\\') putchar('\\');
                putchar(*c);
            }
            printf("\",\"duration_s\":%u,\"distance_m\":%u,\"legs\":[", r.duration_s, r.distance_m);
            for (uint32_t i = 0; i < r.nlegs; i++)
                printf("%s{\"duration_s\":%u,\"distance_m\":%u}", i ? "," : "",
                       r.legs[i].duration_s, r.legs[i].distance_m);
            printf("]}\n");
        }
    } else {
        st = cv_graph_route_geojson(&r, &text);
        if (st == CV_OK) printf("%s\n", text);
    }
    free(text);
    cv_graph_route_fini(&r);
    cv_graph_destroy(g);
    rc = st ? 1 : 0;
out:
    free(pts);
    return rc;
}

static const char matrix_help[] =
    "usage: carevan matrix CITY.cvg --profile car POINTS.csv [-o MATRIX.json] [--threads N]\n"
    "POINTS.csv: one LON,LAT per line (a header line and blank lines are skipped).\n"
    "Writes {\"profile\",\"durations\" (s),\"distances\" (m),\"snapped\"} as JSON; stdout without "
    "-o.\n";

static cv_status read_points(const char *path, double **pts, uint32_t *n, cv_diag *d)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
    if (!f) return cv_diag_set(d, "%s: cannot open (%s)", path, strerror(errno)), CV_EIO;
    char line[512];
    size_t cap = 0, k = 0, lineno = 0;
    double *p = NULL;
    cv_status st = CV_OK;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *s = line;
        while (*s == ' ' || *s == '\t') s++;
        if (*s == '\n' || *s == '\r' || *s == 0 || *s == '#') continue;
        double lon, lat;
        if (!parse_lonlat(s, &lon, &lat)) {
            if (k == 0 && lineno == 1) continue; /* header */
            s[strcspn(s, "\r\n")] = 0;
            st = cv_diag_set(d, "%s:%zu: expected LON,LAT, got \"%.60s\"", path, lineno, s);
            break;
        }
        if (k == cap) {
            cap = cap ? 2 * cap : 256;
            double *np = realloc(p, cap * 2 * sizeof *np);
            if (!np) {
                st = CV_ENOMEM;
                break;
            }
            p = np;
        }
        p[2 * k] = lon, p[2 * k + 1] = lat, k++;
    }
    if (f != stdin) fclose(f);
    if (st == CV_OK && k == 0) st = cv_diag_set(d, "%s: no points", path);
    if (st == CV_OK && k > 100000) st = cv_diag_set(d, "%s: %zu points, at most 100000", path, k);
    if (st) {
        free(p);
        return st;
    }
    *pts = p, *n = (uint32_t)k;
    return CV_OK;
}

int cv_graph_cli_matrix(int argc, char **argv)
{
    const char *path = NULL, *profile = "car", *csv = NULL, *out = NULL;
    unsigned threads = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(matrix_help, stdout);
            return 0;
        } else if (!strcmp(argv[i], "--profile") || !strcmp(argv[i], "-o") ||
                   !strcmp(argv[i], "--threads")) {
            if (i + 1 >= argc) return usage_error("matrix", "missing value after", argv[i]);
            if (!strcmp(argv[i], "--profile"))
                profile = argv[++i];
            else if (!strcmp(argv[i], "-o"))
                out = argv[++i];
            else {
                char *end;
                long t = strtol(argv[++i], &end, 10);
                if (*end || t < 1 || t > 64)
                    return usage_error("matrix", "--threads must be 1..64, got", argv[i]);
                threads = (unsigned)t;
            }
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return usage_error("matrix", "unknown option", argv[i]);
        } else if (!path) {
            path = argv[i];
        } else if (!csv) {
            csv = argv[i];
        } else {
            return usage_error("matrix", "unexpected argument", argv[i]);
        }
    }
    if (!path || !csv) return usage_error("matrix", "need CITY.cvg and POINTS.csv", NULL);
    cv_diag d;
    cv_diag_clear(&d);
    double *pts = NULL;
    uint32_t n = 0;
    cv_status st = read_points(csv, &pts, &n, &d);
    if (st) return fail("matrix", st, &d);
    cv_graph *g = NULL;
    uint32_t *dur = NULL, *dist = NULL;
    int rc = 1;
    if ((st = cv_graph_load(&g, path, &d)) != CV_OK) {
        rc = fail("matrix", st, &d);
        goto done;
    }
    int p = cv_graph_profile_find(g, profile);
    if (p < 0) {
        fprintf(stderr, "carevan matrix: --profile %s: not in %s\n", profile, path);
        rc = 2;
        goto done;
    }
    dur = cv_calloc((size_t)n * n, sizeof *dur);
    dist = cv_calloc((size_t)n * n, sizeof *dist);
    if (!dur || !dist) {
        fprintf(stderr, "carevan matrix: out of memory for %u x %u\n", n, n);
        goto done;
    }
    if ((st = cv_graph_matrix(g, p, pts, n, dur, dist, threads, &d)) != CV_OK) {
        rc = fail("matrix", st, &d);
        goto done;
    }
    FILE *f = out ? fopen(out, "w") : stdout;
    if (!f) {
        fprintf(stderr, "carevan matrix: %s: cannot write (%s)\n", out, strerror(errno));
        goto done;
    }
    fprintf(f, "{\"profile\":\"%s\",\"durations\":[", profile);
    for (int m = 0; m < 2; m++) {
        const uint32_t *a = m ? dist : dur;
        if (m) fprintf(f, "],\"distances\":[");
        for (uint32_t i = 0; i < n; i++) {
            fputs(i ? ",[" : "[", f);
            for (uint32_t j = 0; j < n; j++) {
                uint32_t x = a[(size_t)i * n + j];
                if (j) fputc(',', f);
                if (x == UINT32_MAX)
                    fputs("null", f); /* unreachable */
                else
                    fprintf(f, "%u", x);
            }
            fputc(']', f);
        }
    }
    fprintf(f, "],\"snapped\":[");
    for (uint32_t i = 0; i < n; i++) {
        cv_graph_snap s;
        if (cv_graph_snap_point(g, p, pts[2 * i], pts[2 * i + 1], &s, NULL) == CV_OK)
            fprintf(f, "%s{\"location\":[%.7f,%.7f],\"distance_m\":%.1f}", i ? "," : "", s.lon,
                    s.lat, s.distance_m);
    }
    fprintf(f, "],\"attribution\":\"\\u00a9 OpenStreetMap contributors, ODbL 1.0\"}\n");
    bool ok = !ferror(f);
    if (out) ok &= fclose(f) == 0;
    if (!ok) fprintf(stderr, "carevan matrix: %s: write failed\n", out ? out : "stdout");
    rc = ok ? 0 : 1;
done:
    free(pts), free(dur), free(dist);
    cv_graph_destroy(g);
    return rc;
}
