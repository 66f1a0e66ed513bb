/* The rural caravan week (CONTEXT: the elderly-care caravan, 养老大篷车),
 * generated deterministically from a seed on a real road graph and a list of
 * real settlements: `carevan scenario MAP.cvg --kind caravan --villages FILE.csv
 * [--homes HOMES.csv]`.
 *
 * Villages and hamlets come from the list (kind,name,lon,lat: OpenStreetMap
 * place nodes, see scripts/osm-places.py); the vans' base is a named town.
 * In each village 1 to households_max older people live at home: in mapped
 * homes (--homes: OSM buildings and address points, `osm-places.py --homes`)
 * within 350 m of the centre and nearer to it than to any other place, or,
 * where the map has none, at random points on the walk network within 350 m.
 *
 * Caravan stops are a set-cover choice (engine/coverage.c, GLPK): candidates
 * are the village centres and the households, each moved onto the nearest van
 * road; the fewest of them such that every household walks to one within
 * walk_s on the walk profile (default 12 minutes: Zhengzhou's rural "1000
 * metre" circle at the walk profile's 5 km/h).  A stop may serve several
 * villages.  Each household is served at its nearest chosen stop; a
 * household no candidate serves (no van road within the walk) is reported on
 * stderr by name and gets no job, never dropped silently.
 *
 * Each week a van brings, at every stop, check-ups with medicine (medical
 * kit), haircuts, and baths (bath unit), each a job whose service grows with
 * the households there that need it (split into jobs of at most 3 hours),
 * once a week (every 7 days in a cyclic week); bedridden people get a
 * doctor's round at home twice a week, at least three days apart, by at most
 * one van crew (continuity of care) -- at the stop, with the walk there and
 * back in the service time, when no van road passes within 300 m of the home.
 * Vans have equipment (skills), shifts on some weekdays, a lunch break, and
 * use the van profile on mountain roads.
 *
 * Output: VROOM JSON with a horizon (docs/care-extensions.md, "Several
 * days"), with coordinates, or with the van matrices embedded (--matrices) so
 * that it plans without the graph. */
#include "scenario_int.h"

/* The stop choice is GLPK's set cover (engine/coverage.c): needs solver/ too. */
#if defined(CV_GRAPH_AVAILABLE) && defined(CV_SOLVER_AVAILABLE)
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define H 3600
#define PI 3.14159265358979323846
#define HOME_RADIUS_M 350.0   /* households live this close to their village centre */
#define HOME_VAN_ROAD_M 300.0 /* a sickbed round farther from a van road starts at the stop */
#define JOB_MAX_S (3 * H)     /* one stop service job is at most this long */
#define COVER_TIME_LIMIT_S 10.0

enum { SKILL_ANY = 1, SKILL_BATH = 2, SKILL_MEDICAL = 3 };

typedef struct place {
    char kind[24], name[96];
    double lon, lat;
} place;

static cv_status read_places(const char *path, place **out, uint32_t *n, cv_diag *diag)
{
    char *text = NULL;
    size_t len = 0;
    cv_status s = cv_read_file(path, 16u << 20, &text, &len, diag);
    if (s) return s;
    uint32_t cap = 0, count = 0, line = 0;
    place *ps = NULL;
    for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n")) {
        line++;
        if (line == 1 && !strncmp(l, "kind,", 5)) continue;
        place pl;
        memset(&pl, 0, sizeof pl);
        if (sscanf(l, "%23[^,],%95[^,],%lf,%lf", pl.kind, pl.name, &pl.lon, &pl.lat) != 4 ||
            fabs(pl.lon) > 180 || fabs(pl.lat) > 90) {
            free(ps);
            free(text);
            return cv_diag_set(diag, "%s:%u: expected kind,name,lon,lat", path, line);
        }
        if (!cv_array_grow((void **)&ps, &cap, count + 1, sizeof *ps)) {
            free(ps);
            free(text);
            return CV_ENOMEM;
        }
        ps[count++] = pl;
    }
    free(text);
    *out = ps;
    *n = count;
    return CV_OK;
}

/* Metres between two nearby points (equirectangular: villages are small). */
static double metres(double lon1, double lat1, double lon2, double lat2)
{
    double x = (lon2 - lon1) * cos((lat1 + lat2) * PI / 360), y = lat2 - lat1;
    return sqrt(x * x + y * y) * 111320.0;
}

/* One weekly service brought to the stop. */
typedef struct stop_service {
    const char *name;
    int skill;
    int64_t per_person_s;
    double share; /* of the households who need it */
} stop_service;

static const stop_service services[] = {
    {"check-ups and medicine", SKILL_MEDICAL, 12 * 60, 1.0},
    {"haircuts", SKILL_ANY, 20 * 60, 0.35},
    {"baths", SKILL_BATH, 40 * 60, 0.2},
};

static json_t *van(uint32_t k, double lon, double lat)
{
    /* Equipment by van: a medical kit, a bath unit, or both; weekday shifts. */
    static const char *const names[] = {"medical van", "bath van", "full caravan", "medical van"};
    json_t *skills = k % 4 == 0 || k % 4 == 3 ? json_pack("[ii]", SKILL_ANY, SKILL_MEDICAL)
                     : k % 4 == 1             ? json_pack("[ii]", SKILL_ANY, SKILL_BATH)
                                  : json_pack("[iii]", SKILL_ANY, SKILL_BATH, SKILL_MEDICAL);
    json_t *shifts = json_array();
    static const int days[4][7] = {
        {1, 1, 1, 1, 1, 0, 0}, {1, 0, 1, 0, 1, 0, 0}, {0, 1, 0, 1, 0, 1, 0}, {1, 1, 1, 1, 1, 0, 0}};
    for (int d = 0; shifts && d < 7; d++)
        if (days[k % 4][d]) json_array_append_new(shifts, json_pack("{s:i}", "day", d));
    char desc[64];
    snprintf(desc, sizeof desc, "caravan van V%u (%s)", k + 1, names[k % 4]);
    return json_pack("{s:I,s:s,s:s,s:o,s:o,s:o,s:[I,I],s:o,s:[{s:I,s:s,s:I,s:[[I,I]]}]}", "id",
                     (json_int_t)(k + 1), "description", desc, "profile", "van", "start",
                     cv__scenario_coords(lon, lat), "end", cv__scenario_coords(lon, lat), "skills",
                     skills, "time_window", (json_int_t)(8 * H), (json_int_t)(17 * H + 1800),
                     "shifts", shifts, "breaks", "id", (json_int_t)(k + 1), "description", "lunch",
                     "service", (json_int_t)2700, "time_windows", (json_int_t)(12 * H),
                     (json_int_t)(14 * H));
}

/* One older person at home. */
typedef struct household {
    double lon, lat;
    uint32_t village; /* index into the places */
    uint32_t number;  /* 1.. within the village */
    int32_t home;     /* index into the mapped homes, -1: placed on a footpath */
    bool bedridden, walkable;
    bool need[3]; /* of each stop service */
} household;

/* A candidate stop: a point on a van road, named after a village. */
typedef struct candidate {
    double lon, lat;
    uint32_t village;
} candidate;

typedef struct caravan_gen {
    const cv_graph *g;
    const cv__scenario_opts *o;
    int van, walk;
    place *ps, *homes;
    uint32_t np, nhomes;
    household *hh;
    uint32_t nhh, cap_hh;
    candidate *cand;
    uint32_t ncand, cap_cand;
    uint32_t nvillages, nmapped;
    cv__scenario_gen s;
} caravan_gen;

static bool is_village(const place *p)
{
    return !strcmp(p->kind, "village") || !strcmp(p->kind, "hamlet");
}

static cv_status add_household(caravan_gen *c, household h)
{
    if (!cv_array_grow((void **)&c->hh, &c->cap_hh, c->nhh + 1, sizeof *c->hh)) return CV_ENOMEM;
    for (int k = 0; k < 3; k++) h.need[k] = cv_rng_unit(&c->s.rng) < services[k].share;
    h.bedridden = cv_rng_unit(&c->s.rng) < 0.125; /* one in eight: a sickbed at home */
    c->hh[c->nhh++] = h;
    return CV_OK;
}

/* A candidate stop on the van road nearest (lon, lat), if there is one and a
 * household could walk to it (it snaps to the walk network too). */
static cv_status add_candidate(caravan_gen *c, double lon, double lat, uint32_t village)
{
    cv_graph_snap sv, sw;
    cv_diag ignore;
    cv_diag_clear(&ignore);
    if (cv_graph_snap_point(c->g, c->van, lon, lat, &sv, &ignore) != CV_OK) return CV_OK;
    double slon = round(sv.lon * 1e6) / 1e6, slat = round(sv.lat * 1e6) / 1e6;
    if (cv_graph_snap_point(c->g, c->walk, slon, slat, &sw, &ignore) != CV_OK) return CV_OK;
    for (uint32_t j = 0; j < c->ncand; j++)
        if (c->cand[j].lon == slon && c->cand[j].lat == slat) return CV_OK;
    if (!cv_array_grow((void **)&c->cand, &c->cap_cand, c->ncand + 1, sizeof *c->cand))
        return CV_ENOMEM;
    c->cand[c->ncand++] = (candidate){slon, slat, village};
    return CV_OK;
}

/* The households of village v: mapped homes first (a random choice of them),
 * else random points on the walk network. */
static cv_status village_households(caravan_gen *c, uint32_t v, const uint32_t *near,
                                    uint32_t nnear)
{
    const place *vp = &c->ps[v];
    uint32_t nh = 1 + cv_rng_below(&c->s.rng, c->o->households_max);
    if (nnear) {
        /* partial Fisher-Yates over a copy: nh distinct homes */
        uint32_t *pick = cv_calloc(nnear, sizeof *pick);
        if (!pick) return CV_ENOMEM;
        memcpy(pick, near, nnear * sizeof *pick);
        if (nh > nnear) nh = nnear;
        cv_status st = CV_OK;
        for (uint32_t i = 0; i < nh && !st; i++) {
            uint32_t j = i + cv_rng_below(&c->s.rng, nnear - i), t = pick[i];
            pick[i] = pick[j];
            pick[j] = t;
            const place *home = &c->homes[pick[i]];
            st = add_household(c, (household){.lon = home->lon,
                                              .lat = home->lat,
                                              .village = v,
                                              .number = i + 1,
                                              .home = (int32_t)pick[i]});
            c->nmapped++;
        }
        free(pick);
        return st;
    }
    c->s.lon0 = vp->lon;
    c->s.lat0 = vp->lat;
    c->s.radius_m = HOME_RADIUS_M;
    for (uint32_t i = 0; i < nh; i++) {
        household h = {.village = v, .number = i + 1, .home = -1};
        cv_status st = cv__scenario_home(&c->s, &h.lon, &h.lat);
        if (!st) st = add_household(c, h);
        if (st) return st;
    }
    return CV_OK;
}

/* Households of every village and hamlet, and the candidate stops. */
static cv_status gather(caravan_gen *c, const place *base)
{
    /* each mapped home belongs to its nearest place, if within HOME_RADIUS_M */
    uint32_t *owner = cv_calloc(c->nhomes + 1, sizeof *owner), *near = NULL, nnear = 0, cap = 0;
    if (!owner) return CV_ENOMEM;
    for (uint32_t h = 0; h < c->nhomes; h++) {
        double best = HOME_RADIUS_M;
        owner[h] = UINT32_MAX;
        for (uint32_t v = 0; v < c->np; v++) {
            double d = metres(c->homes[h].lon, c->homes[h].lat, c->ps[v].lon, c->ps[v].lat);
            if (d <= best) best = d, owner[h] = v;
        }
    }
    cv_status st = CV_OK;
    for (uint32_t v = 0; v < c->np && !st; v++) {
        if (&c->ps[v] == base || !is_village(&c->ps[v])) continue;
        c->nvillages++;
        nnear = 0;
        for (uint32_t h = 0; h < c->nhomes && !st; h++) {
            if (owner[h] != v) continue;
            if (!cv_array_grow((void **)&near, &cap, nnear + 1, sizeof *near))
                st = CV_ENOMEM;
            else
                near[nnear++] = h;
        }
        if (!st) st = add_candidate(c, c->ps[v].lon, c->ps[v].lat, v);
        if (!st) st = village_households(c, v, near, nnear);
    }
    for (uint32_t i = 0; i < c->nhh && !st; i++) {
        cv_graph_snap sw;
        cv_diag ignore;
        cv_diag_clear(&ignore);
        c->hh[i].walkable =
            cv_graph_snap_point(c->g, c->walk, c->hh[i].lon, c->hh[i].lat, &sw, &ignore) == CV_OK;
        st = add_candidate(c, c->hh[i].lon, c->hh[i].lat, c->hh[i].village);
    }
    free(near);
    free(owner);
    return st;
}

/* The set cover over the walkable households; stop_of[i] / walk_s[i] per
 * household (UINT32_MAX: no stop serves it). */
static cv_status choose_stops(caravan_gen *c, cv_caravan_stops *cs, uint32_t *stop_of,
                              uint32_t *walk_s, cv_diag *diag)
{
    uint32_t n = 0, *idx = cv_calloc(c->nhh + 1, sizeof *idx);
    double *pts = cv_calloc(2 * (size_t)c->nhh + 2, sizeof *pts);
    double *cp = cv_calloc(2 * (size_t)c->ncand + 2, sizeof *cp);
    cv_status st = idx && pts && cp ? CV_OK : CV_ENOMEM;
    for (uint32_t i = 0; i < c->nhh; i++) stop_of[i] = walk_s[i] = UINT32_MAX;
    for (uint32_t i = 0; i < c->nhh && !st; i++)
        if (c->hh[i].walkable) {
            pts[2 * n] = c->hh[i].lon;
            pts[2 * n + 1] = c->hh[i].lat;
            idx[n++] = i;
        }
    for (uint32_t j = 0; j < c->ncand && !st; j++)
        cp[2 * j] = c->cand[j].lon, cp[2 * j + 1] = c->cand[j].lat;
    memset(cs, 0, sizeof *cs);
    if (!st && n && c->ncand) {
        st = cv_engine_caravan_stops(c->g, c->walk, pts, n, cp, c->ncand, c->o->walk_s,
                                     COVER_TIME_LIMIT_S, cs, diag);
        for (uint32_t k = 0; !st && k < n; k++)
            stop_of[idx[k]] = cs->stop_of[k], walk_s[idx[k]] = cs->walk_s[k];
    }
    free(idx);
    free(pts);
    free(cp);
    return st;
}

static cv_status append_job(json_t *jobs, json_t *j)
{
    return !j || json_array_append_new(jobs, j) ? CV_ENOMEM : CV_OK;
}

/* The weekly service jobs at stop k (candidate cs->stops[k]). */
static cv_status stop_jobs(caravan_gen *c, const cv_caravan_stops *cs, const uint32_t *stop_of,
                           uint32_t k, json_t *jobs, uint32_t *id)
{
    const candidate *cd = &c->cand[cs->stops[k]];
    uint32_t need[3] = {0, 0, 0}, nserved = 0;
    /* the villages served here, for the description */
    char villages[120] = "";
    size_t vlen = 0;
    uint32_t last_village = UINT32_MAX;
    for (uint32_t i = 0; i < c->nhh; i++) {
        if (stop_of[i] != k) continue;
        nserved++;
        for (int s = 0; s < 3; s++) need[s] += c->hh[i].need[s];
        if (c->hh[i].village != last_village && vlen + 2 < sizeof villages) {
            int w = snprintf(villages + vlen, sizeof villages - vlen, "%s%s", vlen ? ", " : "",
                             c->ps[c->hh[i].village].name);
            vlen = w < 0                                ? vlen
                   : vlen + (size_t)w < sizeof villages ? vlen + (size_t)w
                                                        : sizeof villages - 1;
            last_village = c->hh[i].village;
        }
    }
    if (!nserved) return CV_OK; /* cannot happen: a chosen stop covers someone */
    for (int s = 0; s < 3; s++) {
        uint32_t per_job = (uint32_t)(JOB_MAX_S / services[s].per_person_s);
        uint32_t parts = (need[s] + per_job - 1) / per_job;
        for (uint32_t p = 0; p < parts; p++) {
            uint32_t people = need[s] / parts + (p < need[s] % parts);
            char desc[256], part[32] = "";
            if (parts > 1) snprintf(part, sizeof part, " (part %u of %u)", p + 1, parts);
            snprintf(desc, sizeof desc, "stop %u at %s, for %s: %s for %u%s", k + 1,
                     c->ps[cd->village].name, villages, services[s].name, people, part);
            json_t *j = json_pack("{s:I,s:s,s:o,s:I,s:I,s:[i],s:[[I,I]],s:i,s:i,s:i}", "id",
                                  (json_int_t)(*id)++, "description", desc, "location",
                                  cv__scenario_coords(cd->lon, cd->lat), "setup", (json_int_t)600,
                                  "service", (json_int_t)(services[s].per_person_s * people),
                                  "skills", services[s].skill, "time_windows", (json_int_t)(9 * H),
                                  (json_int_t)(16 * H + 1800), "priority", s == 0 ? 50 : 0,
                                  "frequency", 1, "min_spacing", 7);
            cv_status st = append_job(jobs, j);
            if (st) return st;
        }
    }
    return CV_OK;
}

/* A doctor's round twice a week at household i's home, or at its stop with
 * the walk there and back when no van road comes near the home. */
static cv_status sickbed_job(caravan_gen *c, const cv_caravan_stops *cs, uint32_t i, uint32_t stop,
                             uint32_t walk_s, json_t *jobs, uint32_t *id)
{
    const household *h = &c->hh[i];
    cv_graph_snap sv;
    cv_diag ignore;
    cv_diag_clear(&ignore);
    bool at_home = cv_graph_snap_point(c->g, c->van, h->lon, h->lat, &sv, &ignore) == CV_OK &&
                   sv.distance_m <= HOME_VAN_ROAD_M;
    const candidate *cd = &c->cand[cs->stops[stop]];
    char desc[200];
    snprintf(desc, sizeof desc, "%s, household %u: sickbed round%s", c->ps[h->village].name,
             h->number, at_home ? "" : " (on foot from the stop)");
    json_int_t service = 30 * 60 + (at_home ? 0 : 2 * (json_int_t)walk_s);
    json_t *j = json_pack(
        "{s:I,s:s,s:o,s:I,s:I,s:[i],s:[[I,I]],s:i,s:i,s:i,s:i}", "id", (json_int_t)(*id)++,
        "description", desc, "location",
        at_home ? cv__scenario_coords(h->lon, h->lat) : cv__scenario_coords(cd->lon, cd->lat),
        "setup", (json_int_t)300, "service", service, "skills", SKILL_MEDICAL, "time_windows",
        (json_int_t)(9 * H), (json_int_t)(16 * H), "priority", 80, "frequency", 2, "min_spacing", 3,
        "max_vehicles", c->o->continuity ? 1 : 2);
    return append_job(jobs, j);
}

cv_status cv__scenario_caravan(const cv_graph *g, const cv__scenario_opts *o, char **out,
                               cv_diag *diag)
{
    caravan_gen c = {.g = g,
                     .o = o,
                     .van = cv_graph_profile_find(g, "van"),
                     .walk = cv_graph_profile_find(g, "walk")};
    if (c.van < 0 || c.walk < 0)
        return cv_diag_set(diag, "scenario: the graph needs the van and walk profiles");
    if (!o->villages)
        return cv_diag_set(diag, "scenario: --kind caravan needs --villages FILE.csv "
                                 "(kind,name,lon,lat; see scripts/osm-places.py)");
    cv_status st = read_places(o->villages, &c.ps, &c.np, diag);
    if (!st && o->homes) st = read_places(o->homes, &c.homes, &c.nhomes, diag);
    if (st) goto done;
    const place *base = NULL;
    for (uint32_t i = 0; i < c.np; i++)
        if (!strcmp(c.ps[i].name, o->base)) base = &c.ps[i];
    cv_graph_snap bs;
    if (!base) {
        st = cv_diag_set(diag, "scenario: --base \"%s\": no place of that name in %s", o->base,
                         o->villages);
        goto done;
    }
    if ((st = cv_graph_snap_point(g, c.van, base->lon, base->lat, &bs, diag))) goto done;
    c.s = (cv__scenario_gen){.g = g, .walk = c.walk, .diag = diag};
    cv_rng_seed(&c.s.rng, o->seed);
    if ((st = gather(&c, base))) goto done;
    if (!c.nvillages) {
        st = cv_diag_set(diag, "scenario: %s lists no village or hamlet", o->villages);
        goto done;
    }
    cv_caravan_stops cs;
    memset(&cs, 0, sizeof cs);
    uint32_t *stop_of = cv_calloc(c.nhh + 1, sizeof *stop_of);
    uint32_t *walk_s = cv_calloc(c.nhh + 1, sizeof *walk_s);
    st = stop_of && walk_s ? choose_stops(&c, &cs, stop_of, walk_s, diag) : CV_ENOMEM;
    json_t *root = json_object(), *jobs = json_array(), *vehs = json_array();
    if (!st && (!root || !jobs || !vehs)) st = CV_ENOMEM;
    if (!st) {
        json_object_set_new(root, "horizon", json_pack("{s:i,s:b}", "days", 7, "cyclic", 1));
        json_object_set(root, "vehicles", vehs);
        json_object_set(root, "jobs", jobs);
    }
    for (uint32_t k = 0; k < o->vans && !st; k++)
        if (json_array_append_new(vehs,
                                  van(k, round(bs.lon * 1e6) / 1e6, round(bs.lat * 1e6) / 1e6)))
            st = CV_ENOMEM;
    uint32_t id = 1, nuncovered = 0, nserved_villages = 0;
    for (uint32_t k = 0; k < cs.nstops && !st; k++) st = stop_jobs(&c, &cs, stop_of, k, jobs, &id);
    for (uint32_t i = 0; i < c.nhh && !st; i++)
        if (stop_of[i] != UINT32_MAX && c.hh[i].bedridden)
            st = sickbed_job(&c, &cs, i, stop_of[i], walk_s[i], jobs, &id);
    for (uint32_t i = 0; i < c.nhh && !st; i++) {
        bool first_of_village = i == 0 || c.hh[i - 1].village != c.hh[i].village;
        if (first_of_village) {
            /* a village counts as served when one of its households is */
            for (uint32_t j = i; j < c.nhh && c.hh[j].village == c.hh[i].village; j++)
                if (stop_of[j] != UINT32_MAX) {
                    nserved_villages++;
                    break;
                }
        }
        if (stop_of[i] != UINT32_MAX) continue;
        nuncovered++;
        const household *h = &c.hh[i];
        fprintf(stderr, "carevan scenario: not served: %s, household %u (%.6f,%.6f%s%s): %s\n",
                c.ps[h->village].name, h->number, h->lon, h->lat, h->home >= 0 ? ", " : "",
                h->home >= 0 ? c.homes[h->home].name : "",
                h->walkable ? "no van road within the walk limit"
                            : "no footpath near the home (walk network)");
    }
    if (!st && !cs.nstops)
        st = cv_diag_set(diag,
                         "scenario: no household of %s lies within a %.1f-minute walk of a van "
                         "road",
                         o->villages, o->walk_s / 60.0);
    if (!st)
        fprintf(stderr,
                "carevan scenario: caravan week from %s: %u villages, %u households (%u in "
                "mapped homes); %u caravan stops (%s) serve the households of %u villages "
                "within a %.1f-minute walk; %u household%s no stop can serve "
                "(listed above); %zu jobs, %u vans based at %s\n",
                base->name, c.nvillages, c.nhh, c.nmapped, cs.nstops,
                cs.optimal ? "proven fewest" : "not proven fewest", nserved_villages,
                o->walk_s / 60.0, nuncovered, nuncovered == 1 ? "" : "s", json_array_size(jobs),
                o->vans, base->name);
    if (!st) st = cv__scenario_finish(root, g, o->matrices, out, diag);
    json_decref(root);
    json_decref(jobs);
    json_decref(vehs);
    cv_caravan_stops_fini(&cs);
    free(stop_of);
    free(walk_s);
done:
    free(c.ps);
    free(c.homes);
    free(c.hh);
    free(c.cand);
    return st;
}
#endif
