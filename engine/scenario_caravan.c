/* The rural caravan week (CONTEXT: the elderly-care caravan, 养老大篷车),
 * generated deterministically from a seed on a real road graph and a list of
 * real settlements: `carevan scenario MAP.cvg --kind caravan --villages FILE.csv`.
 *
 * Villages and hamlets come from the list (kind,name,lon,lat: OpenStreetMap
 * place nodes, see scripts/osm-places.py); the vans' base is a named town.
 * In each village a few older people live at home, scattered within 350 m of
 * the centre on the walk network.  The caravan stop is the village centre
 * moved onto the nearest van road (not a set-cover choice of stops: one stop
 * per village); a household more than 1000 m on foot from it (Zhengzhou's
 * rural "1000 metre" circle) is counted in the report.  Each week a van
 * brings, at the stop, check-ups with medicine (medical kit), haircuts, and
 * baths (bath unit), each a job whose service grows with the households that
 * need it, once a week (every 7 days in a cyclic week); bedridden people get
 * a doctor's round at home twice a week, at least three days apart, by at most
 * one van crew (continuity of care).  Vans have equipment (skills), shifts on
 * some weekdays, a lunch break, and use the van profile on mountain roads.
 *
 * Output: VROOM JSON with a horizon (docs/care-extensions.md, "Several
 * days"), with coordinates, or with the van matrices embedded (--matrices) so
 * that it plans without the graph. */
#include "scenario_int.h"

#ifdef CV_GRAPH_AVAILABLE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define H 3600
#define PI 3.14159265358979323846
#define WALK_LIMIT_M 1000

enum { SKILL_ANY = 1, SKILL_BATH = 2, SKILL_MEDICAL = 3 };

typedef struct place {
    char kind[16], name[96];
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
        if (sscanf(l, "%15[^,],%95[^,],%lf,%lf", pl.kind, pl.name, &pl.lon, &pl.lat) != 4 ||
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

cv_status cv__scenario_caravan(const cv_graph *g, const cv__scenario_opts *o, char **out,
                               cv_diag *diag)
{
    int vanp = cv_graph_profile_find(g, "van"), walk = cv_graph_profile_find(g, "walk");
    if (vanp < 0 || walk < 0)
        return cv_diag_set(diag, "scenario: the graph needs the van and walk profiles");
    if (!o->villages)
        return cv_diag_set(diag, "scenario: --kind caravan needs --villages FILE.csv "
                                 "(kind,name,lon,lat; see scripts/osm-places.py)");
    place *ps = NULL;
    uint32_t np = 0;
    cv_status st = read_places(o->villages, &ps, &np, diag);
    if (st) return st;
    const place *base = NULL;
    for (uint32_t i = 0; i < np; i++)
        if (!strcmp(ps[i].name, o->base)) base = &ps[i];
    cv_graph_snap bs;
    if (!base) {
        st = cv_diag_set(diag, "scenario: --base \"%s\": no place of that name in %s", o->base,
                         o->villages);
        goto done;
    }
    if ((st = cv_graph_snap_point(g, vanp, base->lon, base->lat, &bs, diag))) goto done;
    cv__scenario_gen s = {.g = g, .walk = walk, .diag = diag};
    cv_rng_seed(&s.rng, o->seed);
    json_t *root = json_object(), *jobs = json_array(), *vehs = json_array();
    if (!root || !jobs || !vehs) {
        json_decref(root);
        json_decref(jobs);
        json_decref(vehs);
        st = CV_ENOMEM;
        goto done;
    }
    json_object_set_new(root, "horizon", json_pack("{s:i,s:b}", "days", 7, "cyclic", 1));
    json_object_set_new(root, "vehicles", vehs);
    json_object_set_new(root, "jobs", jobs);
    for (uint32_t k = 0; k < o->vans; k++)
        if (json_array_append_new(vehs,
                                  van(k, round(bs.lon * 1e6) / 1e6, round(bs.lat * 1e6) / 1e6))) {
            st = CV_ENOMEM;
            break;
        }
    uint32_t nvillages = 0, nhouseholds = 0, far = 0, skipped = 0, id = 1;
    for (uint32_t i = 0; i < np && st == CV_OK; i++) {
        const place *v = &ps[i];
        if (v == base || (strcmp(v->kind, "village") && strcmp(v->kind, "hamlet"))) continue;
        cv_graph_snap stop;
        cv_diag ignore;
        cv_diag_clear(&ignore);
        if (cv_graph_snap_point(g, vanp, v->lon, v->lat, &stop, &ignore) != CV_OK ||
            stop.distance_m > 500) {
            skipped++; /* no van road near the centre */
            continue;
        }
        double slon = round(stop.lon * 1e6) / 1e6, slat = round(stop.lat * 1e6) / 1e6;
        nvillages++;
        /* Households at home: 1 to households_max, on the walk network. */
        uint32_t nh = 1 + cv_rng_below(&s.rng, o->households_max);
        double hl[2 * 16];
        s.lon0 = v->lon;
        s.lat0 = v->lat;
        s.radius_m = 350;
        uint32_t need[3] = {0, 0, 0};
        for (uint32_t h = 0; h < nh && h < 16 && st == CV_OK; h++) {
            if ((st = cv__scenario_home(&s, &hl[2 * h], &hl[2 * h + 1]))) break;
            nhouseholds++;
            for (int k = 0; k < 3; k++)
                if (cv_rng_unit(&s.rng) < services[k].share) need[k]++;
            /* One in eight is bedridden: a doctor's round at home twice a week. */
            if (cv_rng_unit(&s.rng) < 0.125) {
                char desc[160];
                snprintf(desc, sizeof desc, "%s, household %u: sickbed round", v->name, h + 1);
                json_t *j = json_pack("{s:I,s:s,s:o,s:I,s:I,s:[i],s:[[I,I]],s:i,s:i,s:i,s:i}", "id",
                                      (json_int_t)id++, "description", desc, "location",
                                      cv__scenario_coords(hl[2 * h], hl[2 * h + 1]), "setup",
                                      (json_int_t)300, "service", (json_int_t)(30 * 60), "skills",
                                      SKILL_MEDICAL, "time_windows", (json_int_t)(9 * H),
                                      (json_int_t)(16 * H), "priority", 80, "frequency", 2,
                                      "min_spacing", 3, "max_vehicles", o->continuity ? 1 : 2);
                if (!j || json_array_append_new(jobs, j)) st = CV_ENOMEM;
            }
        }
        if (st) break;
        /* Walking distance from the stop to each household (report only). */
        uint32_t dist[16];
        double sp[2] = {slon, slat};
        if (cv_graph_matrix_st(g, walk, sp, 1, hl, nh < 16 ? nh : 16, NULL, dist, 1, &ignore) ==
            CV_OK)
            for (uint32_t h = 0; h < nh && h < 16; h++)
                if (dist[h] > WALK_LIMIT_M) far++;
        for (int k = 0; k < 3 && st == CV_OK; k++) {
            if (!need[k]) continue;
            char desc[160];
            snprintf(desc, sizeof desc, "%s: %s for %u", v->name, services[k].name, need[k]);
            json_t *j = json_pack("{s:I,s:s,s:o,s:I,s:I,s:[i],s:[[I,I]],s:i,s:i,s:i}", "id",
                                  (json_int_t)id++, "description", desc, "location",
                                  cv__scenario_coords(slon, slat), "setup", (json_int_t)600,
                                  "service", (json_int_t)(services[k].per_person_s * need[k]),
                                  "skills", services[k].skill, "time_windows", (json_int_t)(9 * H),
                                  (json_int_t)(16 * H + 1800), "priority", k == 0 ? 50 : 0,
                                  "frequency", 1, "min_spacing", 7);
            if (!j || json_array_append_new(jobs, j)) st = CV_ENOMEM;
        }
    }
    if (st == CV_OK && nvillages == 0)
        st = cv_diag_set(diag, "scenario: no village of %s lies within 500 m of a van road",
                         o->villages);
    if (st == CV_OK)
        fprintf(stderr,
                "carevan scenario: caravan week from %s: %u villages (%u skipped, no van road "
                "within 500 m), %u households (%u beyond %d m on foot from their stop), %zu "
                "jobs, %u vans based at %s\n",
                base->name, nvillages, skipped, nhouseholds, far, WALK_LIMIT_M,
                json_array_size(jobs), o->vans, base->name);
    if (st == CV_OK) st = cv__scenario_finish(root, g, o->matrices, out, diag);
    json_decref(root);
done:
    free(ps);
    return st;
}
#endif
