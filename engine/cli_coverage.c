/* `carevan coverage`: service circles, new sites, caravan stops.
 *
 *   carevan coverage CITY.cvg --sites SITES.csv --clients CLIENTS.csv
 *           [--profile walk] [--minutes 15] [--geojson OUT] [-o REPORT.json]
 *           [--add K --candidates CANDIDATES.csv] [--time-limit S]
 *   carevan coverage CITY.cvg --stops --clients HOUSEHOLDS.csv [--walk-minutes 10]
 *           [--candidates CANDIDATES.csv] [--time-limit S] [-o REPORT.json]
 *
 * The report (JSON) goes to stdout or -o, a one-line summary to stderr.
 * Every point is snapped first, so that a point off the road network is
 * reported with its file and line.  Exit 0 ok, 2 bad input, 1 failure. */
#define _POSIX_C_SOURCE 200809L
#include "cv/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(CV_GRAPH_AVAILABLE) && defined(CV_SOLVER_AVAILABLE)
#include "cv/graph.h"

#include <jansson.h>
#include <math.h>

static const char usage_coverage[] =
    "usage: carevan coverage CITY.cvg --sites SITES.csv --clients CLIENTS.csv\n"
    "                        [--profile walk] [--minutes 15] [--geojson OUT.geojson]\n"
    "                        [--add K --candidates CANDIDATES.csv] [--time-limit S]\n"
    "                        [-o REPORT.json]\n"
    "       carevan coverage CITY.cvg --stops --clients HOUSEHOLDS.csv [--walk-minutes 10]\n"
    "                        [--candidates CANDIDATES.csv] [--time-limit S] [-o REPORT.json]\n"
    "\n"
    "Service circles: which clients the nearest service point reaches within the time\n"
    "limit on the road network (profile walk by default), the share covered and the\n"
    "list of those outside.  --geojson writes one isochrone polygon per site (reached\n"
    "roads widened by 60 m), the sites and the clients.  --add K chooses K of the\n"
    "candidate sites that cover the most uncovered clients (maximal covering model,\n"
    "GLPK) and reports coverage before and after.\n"
    "--stops chooses the fewest caravan stops (among the candidates, or else the\n"
    "households' own positions) so that every household walks to one within\n"
    "--walk-minutes (set cover, GLPK), and assigns each household its nearest stop.\n"
    "CSV files: a header line `id,lon,lat`, then one point a line (WGS-84 degrees).\n"
    "  --time-limit S   GLPK time limit in seconds (default 30); the report says\n"
    "                   whether the choice was proven optimal\n";

static int usage_err(const char *msg, const char *arg)
{
    fprintf(stderr, "carevan coverage: %s%s%s\n%s", msg, arg ? " " : "", arg ? arg : "",
            usage_coverage);
    return 2;
}

static bool parse_num(const char *s, double lo, double hi, double *out)
{
    char *end;
    if (!s || !*s) return false;
    double v = strtod(s, &end);
    if (*end || !isfinite(v) || v < lo || v > hi) return false;
    *out = v;
    return true;
}

/* Reads a CSV and snaps every point, naming file:line on failure. */
static int load_points(const char *path, const cv_graph *g, int profile, cv_points *out)
{
    cv_diag d;
    cv_diag_clear(&d);
    cv_status st = cv_points_read_csv(out, path, &d);
    if (st) {
        fprintf(stderr, "carevan coverage: %s\n", d.msg);
        return st == CV_ENOMEM ? 1 : 2;
    }
    for (uint32_t i = 0; i < out->n; i++) {
        cv_graph_snap sn;
        cv_diag_clear(&d);
        if (cv_graph_snap_point(g, profile, out->lonlat[2 * i], out->lonlat[2 * i + 1], &sn, &d)) {
            fprintf(stderr, "carevan coverage: %s:%u:1: id \"%s\": %s\n", path, out->line[i],
                    out->ids[i], d.msg);
            cv_points_fini(out);
            return 2;
        }
    }
    return 0;
}

static json_t *point_json(const cv_points *p, uint32_t i)
{
    return json_pack("{s:s, s:f, s:f}", "id", p->ids[i], "lon", p->lonlat[2 * i], "lat",
                     p->lonlat[2 * i + 1]);
}

static int write_out(const char *path, const char *text)
{
    FILE *f = path && strcmp(path, "-") ? fopen(path, "w") : stdout;
    if (!f) {
        fprintf(stderr, "carevan coverage: cannot write %s\n", path);
        return 1;
    }
    bool ok = fputs(text, f) != EOF && fputc('\n', f) != EOF;
    ok = (f == stdout ? fflush(f) == 0 : fclose(f) == 0) && ok;
    if (!ok) fprintf(stderr, "carevan coverage: cannot write %s\n", path ? path : "stdout");
    return ok ? 0 : 1;
}

static int emit(json_t *report, const char *out)
{
    char *text = json_dumps(report, JSON_INDENT(1) | JSON_REAL_PRECISION(10));
    json_decref(report);
    if (!text) return 1;
    int rc = write_out(out, text);
    free(text);
    return rc;
}

static double share(uint32_t a, uint32_t n)
{
    return n ? (double)a / n : 1.0;
}

static int run_coverage(const cv_graph *g, int profile, const char *pname, uint32_t limit_s,
                        const cv_points *sites, const cv_points *clients, const cv_points *cands,
                        uint32_t add_k, double tl, const char *geojson, const char *out)
{
    cv_diag d;
    cv_diag_clear(&d);
    cv_coverage cov;
    cv_status st = cv_engine_coverage(g, profile, sites->lonlat, sites->n, clients->lonlat,
                                      clients->n, limit_s, &cov, &d);
    if (st) {
        fprintf(stderr, "carevan coverage: %s\n", d.set ? d.msg : cv_status_message(st));
        return st == CV_EINVAL ? 2 : 1;
    }
    json_t *rep = json_pack("{s:s, s:i, s:i, s:i, s:i, s:f}", "profile", pname, "limit_s",
                            (json_int_t)limit_s, "sites", (json_int_t)sites->n, "clients",
                            (json_int_t)clients->n, "covered", (json_int_t)cov.ncovered, "share",
                            share(cov.ncovered, clients->n));
    json_t *outside = json_array();
    for (uint32_t i = 0; i < clients->n; i++)
        if (cov.time_s[i] == UINT32_MAX) json_array_append_new(outside, point_json(clients, i));
    json_object_set_new(rep, "outside", outside);
    fprintf(stderr,
            "carevan coverage: %u of %u clients (%.1f %%) within %.1f min (%s) of %u site%s; "
            "%u outside\n",
            cov.ncovered, clients->n, 100 * share(cov.ncovered, clients->n), limit_s / 60.0, pname,
            sites->n, sites->n == 1 ? "" : "s", clients->n - cov.ncovered);
    int rc = 0;
    if (cands) {
        cv_siting si;
        st = cv_engine_siting(g, profile, sites->lonlat, sites->n, clients->lonlat, clients->n,
                              cands->lonlat, cands->n, limit_s, add_k, tl, &si, &d);
        if (st) {
            fprintf(stderr, "carevan coverage: %s\n", d.set ? d.msg : cv_status_message(st));
            rc = st == CV_EINVAL ? 2 : 1;
        } else {
            json_t *chosen = json_array();
            for (uint32_t k = 0; k < si.nchosen; k++)
                json_array_append_new(chosen, point_json(cands, si.chosen[k]));
            json_object_set_new(
                rep, "siting",
                json_pack("{s:i, s:o, s:i, s:i, s:f, s:f, s:b}", "add", (json_int_t)add_k, "chosen",
                          chosen, "covered_before", (json_int_t)si.covered_before, "covered_after",
                          (json_int_t)si.covered_after, "share_before",
                          share(si.covered_before, clients->n), "share_after",
                          share(si.covered_after, clients->n), "optimal", si.optimal));
            fprintf(stderr,
                    "carevan coverage: adding %u of %u candidates: %u -> %u clients covered "
                    "(%.1f %% -> %.1f %%)%s\n",
                    si.nchosen, cands->n, si.covered_before, si.covered_after,
                    100 * share(si.covered_before, clients->n),
                    100 * share(si.covered_after, clients->n),
                    si.optimal ? ", proven optimal" : ", not proven optimal (time limit)");
            cv_siting_fini(&si);
        }
    }
    if (!rc && geojson) {
        char *text = NULL;
        st = cv_engine_coverage_geojson(
            g, profile, sites->lonlat, sites->n, (const char *const *)sites->ids, clients->lonlat,
            (const char *const *)clients->ids, &cov, limit_s, &text, &d);
        if (st) {
            fprintf(stderr, "carevan coverage: %s\n", d.set ? d.msg : cv_status_message(st));
            rc = 1;
        } else {
            rc = write_out(geojson, text);
        }
        free(text);
    }
    cv_coverage_fini(&cov);
    if (rc) {
        json_decref(rep);
        return rc;
    }
    return emit(rep, out);
}

static int run_stops(const cv_graph *g, int profile, const char *pname, uint32_t walk_s,
                     const cv_points *hh, const cv_points *cands, double tl, const char *out)
{
    cv_diag d;
    cv_diag_clear(&d);
    cv_caravan_stops cs;
    const cv_points *cp = cands ? cands : hh;
    cv_status st =
        cv_engine_caravan_stops(g, profile, hh->lonlat, hh->n, cands ? cands->lonlat : NULL,
                                cands ? cands->n : 0, walk_s, tl, &cs, &d);
    if (st) {
        fprintf(stderr, "carevan coverage: %s\n", d.set ? d.msg : cv_status_message(st));
        return st == CV_EINVAL ? 2 : 1;
    }
    json_t *stops = json_array(), *assign = json_array(), *unc = json_array();
    uint32_t *count = cv_calloc(cs.nstops + 1, sizeof *count);
    for (uint32_t i = 0; count && i < hh->n; i++)
        if (cs.stop_of[i] != UINT32_MAX) count[cs.stop_of[i]]++;
    for (uint32_t k = 0; k < cs.nstops; k++) {
        json_t *p = point_json(cp, cs.stops[k]);
        json_object_set_new(p, "households", json_integer(count ? count[k] : 0));
        json_array_append_new(stops, p);
    }
    for (uint32_t i = 0; i < hh->n; i++) {
        if (cs.stop_of[i] == UINT32_MAX) {
            json_array_append_new(unc, point_json(hh, i));
            continue;
        }
        json_array_append_new(assign, json_pack("{s:s, s:s, s:i}", "household", hh->ids[i], "stop",
                                                cp->ids[cs.stops[cs.stop_of[i]]], "walk_s",
                                                (json_int_t)cs.walk_s[i]));
    }
    free(count);
    json_t *rep = json_pack("{s:s, s:i, s:i, s:o, s:b, s:o, s:o}", "profile", pname, "walk_s",
                            (json_int_t)walk_s, "households", (json_int_t)hh->n, "stops", stops,
                            "optimal", cs.optimal, "assignment", assign, "uncoverable", unc);
    fprintf(stderr,
            "carevan coverage: %u caravan stop%s for %u households within %.1f min walk%s; %u "
            "household%s no candidate serves\n",
            cs.nstops, cs.nstops == 1 ? "" : "s", hh->n, walk_s / 60.0,
            cs.optimal ? " (proven fewest)" : " (not proven fewest: time limit)", cs.nuncoverable,
            cs.nuncoverable == 1 ? "" : "s");
    cv_caravan_stops_fini(&cs);
    return emit(rep, out);
}

int cv_coverage_cli(int argc, char **argv)
{
    const char *graph = NULL, *profile = NULL, *sites_f = NULL, *clients_f = NULL;
    const char *cands_f = NULL, *geojson = NULL, *out = NULL;
    double minutes = 15, walk_minutes = 10, tl = 30, add = -1;
    bool stops = false, minutes_set = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage_coverage, stdout);
            return 0;
        } else if (!strcmp(a, "--stops")) {
            stops = true;
        } else if (a[0] == '-' && a[1] && !v) {
            return usage_err("missing value after", a);
        } else if (!strcmp(a, "--profile")) {
            profile = argv[++i];
        } else if (!strcmp(a, "--sites")) {
            sites_f = argv[++i];
        } else if (!strcmp(a, "--clients")) {
            clients_f = argv[++i];
        } else if (!strcmp(a, "--candidates")) {
            cands_f = argv[++i];
        } else if (!strcmp(a, "--geojson")) {
            geojson = argv[++i];
        } else if (!strcmp(a, "-o")) {
            out = argv[++i];
        } else if (!strcmp(a, "--minutes")) {
            if (!parse_num(argv[++i], 0, 24 * 60, &minutes))
                return usage_err("--minutes: expected a number of minutes in [0, 1440], got", v);
            minutes_set = true;
        } else if (!strcmp(a, "--walk-minutes")) {
            if (!parse_num(argv[++i], 0, 24 * 60, &walk_minutes))
                return usage_err("--walk-minutes: expected a number of minutes in [0, 1440], got",
                                 v);
        } else if (!strcmp(a, "--add")) {
            if (!parse_num(argv[++i], 0, 100000, &add) || add != floor(add))
                return usage_err("--add: expected a whole number of sites, got", v);
        } else if (!strcmp(a, "--time-limit")) {
            if (!parse_num(argv[++i], 0, 1e6, &tl))
                return usage_err("--time-limit: expected seconds >= 0, got", v);
        } else if (a[0] == '-' && a[1]) {
            return usage_err("unknown option", a);
        } else if (!graph) {
            graph = a;
        } else {
            return usage_err("unexpected argument", a);
        }
    }
    if (!graph) return usage_err("missing the graph file CITY.cvg", NULL);
    if (!clients_f)
        return usage_err(
            stops ? "missing --clients HOUSEHOLDS.csv" : "missing --clients CLIENTS.csv", NULL);
    if (stops && (sites_f || add >= 0 || minutes_set))
        return usage_err("--stops takes --clients, --walk-minutes and --candidates (not --sites, "
                         "--minutes or --add)",
                         NULL);
    if (!stops && !sites_f) return usage_err("missing --sites SITES.csv", NULL);
    if (!stops && (add >= 0) != (cands_f != NULL))
        return usage_err("--add K and --candidates FILE go together", NULL);
    if (!profile) profile = "walk";
    cv_diag d;
    cv_diag_clear(&d);
    cv_graph *g = NULL;
    cv_status st = cv_graph_load(&g, graph, &d);
    if (st) {
        fprintf(stderr, "carevan coverage: %s\n", d.msg);
        return 2;
    }
    int prof = cv_graph_profile_find(g, profile), rc = 0;
    if (prof < 0) {
        fprintf(stderr, "carevan coverage: --profile %s: not a profile of %s\n", profile, graph);
        cv_graph_destroy(g);
        return 2;
    }
    cv_points sites, clients, cands;
    memset(&sites, 0, sizeof sites), memset(&clients, 0, sizeof clients);
    memset(&cands, 0, sizeof cands);
    if (sites_f) rc = load_points(sites_f, g, prof, &sites);
    if (!rc) rc = load_points(clients_f, g, prof, &clients);
    if (!rc && cands_f) rc = load_points(cands_f, g, prof, &cands);
    if (!rc && !stops && sites.n == 0) {
        fprintf(stderr, "carevan coverage: %s: no sites\n", sites_f);
        rc = 2;
    }
    if (!rc) {
        if (stops)
            rc = run_stops(g, prof, profile, (uint32_t)llround(walk_minutes * 60), &clients,
                           cands_f ? &cands : NULL, tl, out);
        else
            rc = run_coverage(g, prof, profile, (uint32_t)llround(minutes * 60), &sites, &clients,
                              cands_f ? &cands : NULL, add >= 0 ? (uint32_t)add : 0, tl, geojson,
                              out);
    }
    cv_points_fini(&sites), cv_points_fini(&clients), cv_points_fini(&cands);
    cv_graph_destroy(g);
    return rc;
}

#else
int cv_coverage_cli(int argc, char **argv)
{
    (void)argc, (void)argv;
    fprintf(stderr, "carevan coverage: this build has no road graph or no GLPK solver module\n");
    return 1;
}
#endif
