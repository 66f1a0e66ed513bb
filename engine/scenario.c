/* Realistic care scenarios, generated deterministically from a seed on a real
 * road graph: `carevan scenario CITY.cvg -o DAY.json`.
 *
 * A city day (CONTEXT: home- and community-based care): clients' homes are
 * random points of a disc around a community service centre, each moved onto
 * the nearest street of the walk profile (so that every home is reachable);
 * the service mix follows the standard list of home services (meals from the
 * community canteen as hot-meal shipments, cleaning, bathing by two carers,
 * medical check-ups and sickbed rounds by nurses, shopping, escort), with
 * typical durations and windows, priority for subsidised clients, preferred
 * carers for continuity, and carers on e-bikes or nurses by car with shifts,
 * unpaid lunch breaks, a working-time limit and overtime.  The output is VROOM
 * JSON with care extensions (docs/care-extensions.md), coordinates only: solve
 * it with --graph. */
#include "scenario_int.h"

#ifdef CV_GRAPH_AVAILABLE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define H 3600
#define PI 3.14159265358979323846

typedef struct service_kind {
    const char *name;
    int64_t service_s;
    int skill;   /* 1 general care, 2 bathing, 3 nursing, 4 escort */
    int workers; /* carers needed at once */
    int64_t tw_start, tw_end;
    int weight; /* share in the mix */
} service_kind;

/* Durations and windows as care organisations publish them (CONTEXT.md). */
static const service_kind mix[] = {
    {"cleaning", 60 * 60, 1, 1, 8 * H + 1800, 16 * H, 8},
    {"bathing", 45 * 60, 2, 2, 9 * H, 15 * H, 4},
    {"medical check-up", 30 * 60, 3, 1, 8 * H, 12 * H, 4},
    {"sickbed round", 25 * 60, 3, 1, 13 * H, 16 * H + 1800, 3},
    {"shopping help", 40 * 60, 1, 1, 9 * H, 16 * H, 4},
    {"escort to clinic", 90 * 60, 4, 1, 8 * H + 1800, 14 * H, 2},
};

typedef cv__scenario_gen gen;

/* A random home on a street within the disc. */
cv_status cv__scenario_home(gen *s, double *lon, double *lat)
{
    for (int attempt = 0; attempt < 200; attempt++) {
        double r = s->radius_m * sqrt(cv_rng_unit(&s->rng));
        double a = 2 * PI * cv_rng_unit(&s->rng);
        double dlat = r * cos(a) / 111320.0;
        double dlon = r * sin(a) / (111320.0 * cos(s->lat0 * PI / 180));
        cv_graph_snap sn;
        cv_diag ignore;
        cv_diag_clear(&ignore);
        if (cv_graph_snap_point(s->g, s->walk, s->lon0 + dlon, s->lat0 + dlat, &sn, &ignore) ==
                CV_OK &&
            sn.distance_m < 150) {
            *lon = round(sn.lon * 1e6) / 1e6;
            *lat = round(sn.lat * 1e6) / 1e6;
            return CV_OK;
        }
    }
    return cv_diag_set(s->diag,
                       "scenario: no street within 150 m of 200 random points around [%g, %g]; "
                       "is the centre inside the map?",
                       s->lon0, s->lat0);
}

json_t *cv__scenario_coords(double lon, double lat)
{
    return json_pack("[ff]", lon, lat);
}
#define coords cv__scenario_coords
#define home cv__scenario_home

cv_status cv__scenario_finish(const json_t *root, const cv_graph *g, bool matrices, char **out,
                              cv_diag *diag)
{
    char *text = json_dumps(root, JSON_INDENT(1) | JSON_REAL_PRECISION(10));
    if (!text) return CV_ENOMEM;
    /* What we generate must read back as a valid problem. */
    cv_problem *p = NULL;
    cv_status st = cv_problem_from_json(&p, text, strlen(text), diag);
    if (st == CV_OK && matrices) {
        free(text);
        text = NULL;
        st = cv_engine_fill_matrices(p, g, 0, diag);
        if (st == CV_OK) {
            /* Locations become indices into the embedded matrices; the
             * coordinates stay for maps and for checking with --graph. */
            p->uses_coords = false;
            p->uses_indices = true;
            st = cv_problem_to_json(p, &text);
        }
    }
    cv_problem_destroy(p);
    if (st != CV_OK) {
        free(text);
        return st;
    }
    *out = text;
    return CV_OK;
}

static json_t *window(int64_t a, int64_t b)
{
    return json_pack("[[II]]", (json_int_t)a, (json_int_t)b);
}

typedef cv__scenario_opts scenario_opts;

static cv_status generate(const cv_graph *g, const scenario_opts *o, char **out, cv_diag *diag)
{
    gen s = {.g = g, .lon0 = o->lon0, .lat0 = o->lat0, .radius_m = o->radius_m, .diag = diag};
    s.walk = cv_graph_profile_find(g, "walk");
    if (s.walk < 0 || cv_graph_profile_find(g, "ebike") < 0 || cv_graph_profile_find(g, "car") < 0)
        return cv_diag_set(diag, "scenario: the graph needs the walk, ebike and car profiles");
    cv_rng_seed(&s.rng, o->seed);
    cv_status st;
    double clon, clat, klon, klat;
    /* The service centre on the street nearest the centre, the community
     * canteen within 800 m of it. */
    s.radius_m = 0;
    if ((st = home(&s, &clon, &clat))) return st;
    s.lon0 = clon;
    s.lat0 = clat;
    s.radius_m = 800;
    if ((st = home(&s, &klon, &klat))) return st;
    s.radius_m = o->radius_m;
    json_t *root = json_object(), *jobs = json_array(), *ships = json_array(), *vehs = json_array();
    if (!root || !jobs || !ships || !vehs) {
        json_decref(root);
        json_decref(jobs);
        json_decref(ships);
        json_decref(vehs);
        return CV_ENOMEM;
    }
    json_object_set_new(root, "vehicles", vehs);
    json_object_set_new(root, "jobs", jobs);
    json_object_set_new(root, "shipments", ships);
    uint32_t nveh = o->carers + o->nurses;
    int total_weight = 0;
    for (size_t k = 0; k < sizeof mix / sizeof mix[0]; k++) total_weight += mix[k].weight;
    for (uint32_t c = 0; c < o->clients && st == CV_OK; c++) {
        double lon, lat;
        if ((st = home(&s, &lon, &lat))) break;
        char desc[96];
        bool subsidised = cv_rng_unit(&s.rng) < 0.3;
        /* Two in five clients get a hot lunch from the canteen. */
        if (cv_rng_unit(&s.rng) < 0.4) {
            snprintf(desc, sizeof desc, "client C%03u: meal delivery", c + 1);
            json_t *sh = json_pack(
                "{s:{s:I,s:s,s:o,s:I,s:o},s:{s:I,s:s,s:o,s:I,s:I,s:o},s:[I],s:I,s:I}", "pickup",
                "id", (json_int_t)(c + 1), "description", "canteen: pick up a hot meal", "location",
                coords(klon, klat), "service", (json_int_t)120, "time_windows",
                window(10 * H + 1800, 12 * H), "delivery", "id", (json_int_t)(c + 1), "description",
                desc, "location", coords(lon, lat), "setup", (json_int_t)60, "service",
                (json_int_t)300, "time_windows", window(11 * H, 12 * H + 1800), "amount",
                (json_int_t)1, "max_ride_time", (json_int_t)900, "priority",
                (json_int_t)(subsidised ? 50 : 0));
            if (!sh || json_array_append_new(ships, sh)) st = CV_ENOMEM;
        }
        int pick = (int)cv_rng_below(&s.rng, (uint32_t)total_weight);
        size_t k = 0;
        while (pick >= mix[k].weight) pick -= mix[k++].weight;
        const service_kind *sk = &mix[k];
        snprintf(desc, sizeof desc, "client C%03u: %s", c + 1, sk->name);
        json_t *j = json_pack(
            "{s:I,s:s,s:o,s:I,s:I,s:[I],s:o,s:I,s:{s:I,s:I}}", "id", (json_int_t)(1000 + c),
            "description", desc, "location", coords(lon, lat), "setup", (json_int_t)120, "service",
            (json_int_t)sk->service_s, "skills", (json_int_t)sk->skill, "time_windows",
            window(sk->tw_start, sk->tw_end), "priority", (json_int_t)(subsidised ? 50 : 0),
            "lateness", "max", (json_int_t)900, "per_hour", (json_int_t)7200);
        if (!j) {
            st = CV_ENOMEM;
            break;
        }
        if (sk->workers > 1) json_object_set_new(j, "workers", json_integer(sk->workers));
        /* Continuity of care: a third of the clients know their carer. */
        if (sk->skill != 3 && o->carers && cv_rng_unit(&s.rng) < 0.33) {
            json_object_set_new(
                j, "preferred_vehicles",
                json_pack("[I]", (json_int_t)(1 + cv_rng_below(&s.rng, o->carers))));
            json_object_set_new(j, "preference_cost", json_integer(900));
        }
        if (json_array_append_new(jobs, j)) st = CV_ENOMEM;
    }
    for (uint32_t v = 0; v < nveh && st == CV_OK; v++) {
        bool nurse = v >= o->carers;
        char desc[64];
        snprintf(desc, sizeof desc, nurse ? "nurse N%u (car)" : "care worker W%u (e-bike)", v + 1);
        int64_t start = (v % 3 == 2 ? 7 * H + 1800 : 8 * H);
        json_t *skills =
            nurse ? json_pack("[I]", (json_int_t)3)
                  : (v % 2 ? json_pack("[III]", (json_int_t)1, (json_int_t)2, (json_int_t)4)
                           : json_pack("[II]", (json_int_t)1, (json_int_t)2));
        json_t *veh = json_pack(
            "{s:I,s:s,s:s,s:o,s:o,s:o,s:[I],s:[II],s:I,s:{s:I,s:I},s:[{s:I,s:s,s:I,s:o,s:b}]}",
            "id", (json_int_t)(v + 1), "description", desc, "profile", nurse ? "car" : "ebike",
            "start", coords(clon, clat), "end", coords(clon, clat), "skills", skills, "capacity",
            (json_int_t)6, "time_window", (json_int_t)start, (json_int_t)(start + 9 * H),
            "max_working_time", (json_int_t)(8 * H + 1800), "overtime", "after",
            (json_int_t)(8 * H), "per_hour", (json_int_t)5400, "breaks", "id", (json_int_t)(v + 1),
            "description", "lunch", "service", (json_int_t)1800, "time_windows",
            window(11 * H + 1800, 13 * H + 1800), "paid", 0);
        if (!veh || json_array_append_new(vehs, veh)) st = CV_ENOMEM;
    }
    if (st == CV_OK)
        json_object_set_new(root, "fairness", json_pack("{s:I}", "per_hour", (json_int_t)300));
    if (st == CV_OK) st = cv__scenario_finish(root, g, o->matrices, out, diag);
    json_decref(root);
    return st;
}

static cv_status caravan_week(const cv_graph *g, const scenario_opts *o, char **out, cv_diag *diag)
{
#ifdef CV_SOLVER_AVAILABLE
    return cv__scenario_caravan(g, o, out, diag);
#else
    (void)g, (void)o, (void)out;
    return cv_diag_set(diag, "scenario: --kind caravan needs the solver module (GLPK set cover)");
#endif
}

static const char *usage =
    "usage: carevan scenario MAP.cvg [-o FILE.json] [--kind city|caravan] [--seed N]\n"
    "                        [--matrices]\n"
    "  city:    [--clients N] [--carers N] [--nurses N] [--center LON,LAT] [--radius-km R]\n"
    "  caravan: --villages PLACES.csv [--homes HOMES.csv] [--walk-minutes M]\n"
    "           [--base NAME] [--vans N] [--households N] [--no-continuity]\n"
    "\n"
    "Generates a realistic care scenario on the road graph (deterministic for a seed).\n"
    "\n"
    "--kind city (default): a day of home care: clients' homes on streets around the\n"
    "service centre, meals from the community canteen, cleaning, bathing by two carers,\n"
    "check-ups and sickbed rounds by nurses, shopping and escort; carers on e-bikes,\n"
    "nurses by car, with shifts, unpaid lunch breaks, working-time limits and preferred\n"
    "carers.  Defaults: 60 clients, 8 carers, 2 nurses, radius 2.5 km around --center\n"
    "(default: central Chengdu, 104.0715,30.6735).\n"
    "\n"
    "--kind caravan: a week of the rural elderly-care caravan: the villages and hamlets\n"
    "of PLACES.csv (kind,name,lon,lat, e.g. datasets/osm/andorra-places.csv), older\n"
    "people at home in each: in mapped homes of HOMES.csv (same columns, e.g.\n"
    "datasets/osm/andorra-homes.csv from scripts/osm-places.py --homes) within 350 m of\n"
    "the centre, else on footpaths there.  Caravan stops: the fewest points on van roads\n"
    "(set cover, GLPK) such that every household walks to one within --walk-minutes on\n"
    "the walk profile (default 12: the rural 1000 m circle at 5 km/h); households no\n"
    "stop can serve are listed on stderr.  At each stop weekly check-ups and medicine,\n"
    "haircuts and baths for the households it serves; sickbed rounds at home twice a\n"
    "week by the same crew (unless --no-continuity); vans with a medical kit and/or a\n"
    "bath unit on weekday shifts from the --base town.  Defaults: 4 vans, 1 to 5\n"
    "households per village, base \"Andorra la Vella\".\n"
    "\n"
    "--matrices embeds the travel-time and distance matrices (the plan needs no graph).\n";

int cv_scenario_cli(int argc, char **argv)
{
    scenario_opts o = {.kind = "city",
                       .seed = 1,
                       .base = "Andorra la Vella",
                       .vans = 4,
                       .households_max = 5,
                       .walk_s = 12 * 60,
                       .continuity = true,
                       .clients = 60,
                       .carers = 8,
                       .nurses = 2,
                       .lon0 = 104.0715,
                       .lat0 = 30.6735,
                       .radius_m = 2500};
    const char *graph = NULL, *out = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool val = i + 1 < argc;
        char *end = NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage, stdout);
            return 0;
        } else if (!strcmp(a, "-o") && val) {
            out = argv[++i];
        } else if (!strcmp(a, "--kind") && val) {
            o.kind = argv[++i];
            if (strcmp(o.kind, "city") && strcmp(o.kind, "caravan")) end = "x";
        } else if (!strcmp(a, "--villages") && val) {
            o.villages = argv[++i];
        } else if (!strcmp(a, "--homes") && val) {
            o.homes = argv[++i];
        } else if (!strcmp(a, "--walk-minutes") && val) {
            double m = strtod(argv[++i], &end);
            if (!(m >= 0.5 && m <= 120)) end = "x";
            o.walk_s = (uint32_t)lround(m * 60);
        } else if (!strcmp(a, "--base") && val) {
            o.base = argv[++i];
        } else if (!strcmp(a, "--vans") && val) {
            o.vans = (uint32_t)strtoul(argv[++i], &end, 10);
            if (o.vans < 1 || o.vans > 100) end = "x";
        } else if (!strcmp(a, "--households") && val) {
            o.households_max = (uint32_t)strtoul(argv[++i], &end, 10);
            if (o.households_max < 1 || o.households_max > 16) end = "x";
        } else if (!strcmp(a, "--no-continuity")) {
            o.continuity = false;
        } else if (!strcmp(a, "--matrices")) {
            o.matrices = true;
        } else if (!strcmp(a, "--seed") && val) {
            o.seed = strtoull(argv[++i], &end, 10);
        } else if (!strcmp(a, "--clients") && val) {
            o.clients = (uint32_t)strtoul(argv[++i], &end, 10);
            if (o.clients < 1 || o.clients > 5000) end = "x";
        } else if (!strcmp(a, "--carers") && val) {
            o.carers = (uint32_t)strtoul(argv[++i], &end, 10);
            if (o.carers > 1000) end = "x";
        } else if (!strcmp(a, "--nurses") && val) {
            o.nurses = (uint32_t)strtoul(argv[++i], &end, 10);
            if (o.nurses > 1000) end = "x";
        } else if (!strcmp(a, "--radius-km") && val) {
            o.radius_m = strtod(argv[++i], &end) * 1000;
            if (!(o.radius_m > 0 && o.radius_m <= 100000)) end = "x";
        } else if (!strcmp(a, "--center") && val) {
            if (sscanf(argv[++i], "%lf,%lf", &o.lon0, &o.lat0) != 2 || fabs(o.lon0) > 180 ||
                fabs(o.lat0) > 85)
                end = "x";
            else
                end = "";
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "carevan scenario: unknown or incomplete option %s\n%s", a, usage);
            return 2;
        } else if (!graph) {
            graph = a;
            continue;
        } else {
            fprintf(stderr, "carevan scenario: too many arguments\n%s", usage);
            return 2;
        }
        if (end && *end) {
            fprintf(stderr, "carevan scenario: %s %s: bad value\n", a, argv[i]);
            return 2;
        }
    }
    if (!graph) {
        fputs(usage, stderr);
        return 2;
    }
    bool caravan = !strcmp(o.kind, "caravan");
    if (!caravan && o.carers + o.nurses == 0) {
        fprintf(stderr, "carevan scenario: at least one carer or nurse is needed\n");
        return 2;
    }
    cv_diag diag;
    cv_diag_clear(&diag);
    cv_graph *g = NULL;
    cv_status st = cv_graph_load(&g, graph, &diag);
    char *text = NULL;
    if (st == CV_OK)
        st = caravan ? caravan_week(g, &o, &text, &diag) : generate(g, &o, &text, &diag);
    cv_graph_destroy(g);
    if (st != CV_OK) {
        fprintf(stderr, "carevan scenario: %s\n", diag.set ? diag.msg : cv_status_message(st));
        return st == CV_ENOMEM ? 1 : 2;
    }
    FILE *f = out && strcmp(out, "-") ? fopen(out, "wb") : stdout;
    if (!f) {
        fprintf(stderr, "carevan scenario: cannot write %s\n", out);
        free(text);
        return 1;
    }
    bool ok = fputs(text, f) != EOF && fputc('\n', f) != EOF;
    if (f != stdout) ok = fclose(f) == 0 && ok;
    free(text);
    if (!ok) {
        fprintf(stderr, "carevan scenario: cannot write %s\n", out ? out : "stdout");
        return 1;
    }
    return 0;
}
#endif
