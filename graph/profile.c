/* Travel profiles: which OSM ways each carevan vehicle may use, in which
 * direction, and how fast.  Every speed carevan assumes is in the table
 * below and nowhere else (graph/README.md lists the same table).
 *
 * SPEED TABLE (km/h, 0 = not allowed by default for that highway class)
 *
 *   highway          car   van  ebike  walk
 *   motorway          90    80     0     0
 *   motorway_link     45    40     0     0
 *   trunk             70    60    15     5     (China: ground-level trunk roads
 *   trunk_link        40    35    15     5      have non-motor lanes and pavements)
 *   primary           55    50    18     5
 *   primary_link      35    30    18     5
 *   secondary         45    40    18     5
 *   secondary_link    35    30    18     5
 *   tertiary          40    32    18     5
 *   tertiary_link     30    25    18     5
 *   unclassified      35    28    16     5
 *   residential       25    22    16     5
 *   living_street     10    10    12     5
 *   service           15    12    12     5
 *   road              20    18    14     5
 *   track             15    10    10   4.5     (van: never grade4/grade5)
 *   cycleway           0     0    18     5*    (* walk only with foot=yes/designated)
 *   path               0     0    10*    4.5   (* ebike only with bicycle=yes/designated)
 *   footway            0     0     8*    5     (* ebike only with bicycle=yes/designated)
 *   pedestrian         0     0     8*    5     (* ebike only with bicycle=yes/designated)
 *   bridleway          0     0     0     4
 *   steps              0     0     0     2
 *
 * Modifiers, applied in this order:
 *  - service=parking_aisle/driveway/alley: car/van at most 8 km/h;
 *    service=emergency_access: closed to everyone.
 *  - maxspeed (km/h, "N mph", "walk"): car/van drive at 80 % of the posted
 *    limit (van capped at 80 km/h) instead of the class speed; ebike at
 *    min(class speed, limit); walk ignores it.
 *  - surface (factor on the speed)     car   van  ebike  walk
 *      paved/asphalt/concrete/...      1.0   1.0   1.0   1.0
 *      paving_stones/sett/cobblestone  0.8   0.7   0.7   1.0
 *      compacted/fine_gravel           0.8   0.6   0.8   1.0
 *      gravel/unpaved/dirt/ground/...  0.6   0.4   0.6   0.9
 *  - tracktype grade1..grade5 (factor) car 1.0/0.8/0.6/0.4/0.3;
 *      van 1.0/0.7/0.5/closed/closed; ebike 1.0/0.8/0.6/0.4/0.3; walk 1.0.
 *    When both surface and tracktype are tagged the smaller factor wins.
 *  - Speeds never drop below 2 km/h.
 *
 * Barrier nodes: car and van pass gate/lift_gate/swing_gate/sliding_gate/
 * toll_booth/border_control/cattle_grid/entrance/no/sally_port/height_restrictor/
 * arch and stop at every other barrier (bollard, block, kerb, chain, ...);
 * ebike stops at stile/turnstile/kissing_gate/wall/fence/hedge; walk only at
 * wall/fence/hedge.  An access tag on the barrier node decides first
 * (barrier=gate + access=private closes it).  A blocking barrier is a dead end:
 * a vehicle may drive up to it and turn back (build.c).
 *
 * Van size: ways with maxheight below 2.8 m or maxweight below 3.5 t are
 * closed to the van (a 3.5 t van carrying a bath unit).
 *
 * Access (most specific tag wins): car access>vehicle>motor_vehicle>motorcar;
 * van access>vehicle>motor_vehicle>motorcar>goods; ebike access>vehicle>
 * bicycle; walk access>foot.  yes/permissive/designated/destination/
 * delivery/customers/official allow, no/private/agricultural/forestry/
 * emergency/military/restricted/discouraged-not deny.  private is denied:
 * a gated compound is entered on foot from the nearest public road.
 *
 * Direction: oneway=yes/1/true forward only, -1/reverse backward only,
 * no/false/0 both; junction=roundabout/circular and highway=motorway imply
 * oneway.  ebike follows oneway unless oneway:bicycle=no (or cycleway=
 * opposite*); oneway:bicycle=yes/-1 overrides.  walk ignores oneway except
 * oneway:foot.  Turn restrictions apply to car and van only.
 * Not modelled: ferries, area=yes highways, conditional
 * restrictions, elevation (mountain slowness comes from surface/tracktype and
 * the van's lower speeds on minor roads). */
#include "graph_int.h"

#include <stdlib.h>
#include <string.h>

static const char *const profile_names[CV__NPROF] = {"car", "van", "ebike", "walk"};

typedef struct speed_row {
    const char *highway;
    float kmh[CV__NPROF];
    uint8_t conditional[CV__NPROF]; /* 1: only with an explicit yes/designated tag */
} speed_row;

static const speed_row speed_table[] = {
    {"motorway", {90, 80, 0, 0}, {0}},
    {"motorway_link", {45, 40, 0, 0}, {0}},
    {"trunk", {70, 60, 15, 5}, {0}},
    {"trunk_link", {40, 35, 15, 5}, {0}},
    {"primary", {55, 50, 18, 5}, {0}},
    {"primary_link", {35, 30, 18, 5}, {0}},
    {"secondary", {45, 40, 18, 5}, {0}},
    {"secondary_link", {35, 30, 18, 5}, {0}},
    {"tertiary", {40, 32, 18, 5}, {0}},
    {"tertiary_link", {30, 25, 18, 5}, {0}},
    {"unclassified", {35, 28, 16, 5}, {0}},
    {"residential", {25, 22, 16, 5}, {0}},
    {"living_street", {10, 10, 12, 5}, {0}},
    {"service", {15, 12, 12, 5}, {0}},
    {"road", {20, 18, 14, 5}, {0}},
    {"track", {15, 10, 10, 4.5f}, {0}},
    {"cycleway", {0, 0, 18, 5}, {0, 0, 0, 1}},
    {"path", {0, 0, 10, 4.5f}, {0, 0, 1, 0}},
    {"footway", {0, 0, 8, 5}, {0, 0, 1, 0}},
    {"pedestrian", {0, 0, 8, 5}, {0, 0, 1, 0}},
    {"bridleway", {0, 0, 0, 4}, {0}},
    {"steps", {0, 0, 0, 2}, {0}},
};

uint8_t cv__graph_road_class(const char *highway)
{
    static const struct {
        const char *highway;
        uint8_t road_class;
    } classes[] = {
        {"motorway", CV_GRAPH_ROAD_MOTORWAY},   {"motorway_link", CV_GRAPH_ROAD_MOTORWAY},
        {"trunk", CV_GRAPH_ROAD_MOTORWAY},      {"trunk_link", CV_GRAPH_ROAD_MOTORWAY},
        {"primary", CV_GRAPH_ROAD_PRIMARY},     {"primary_link", CV_GRAPH_ROAD_PRIMARY},
        {"secondary", CV_GRAPH_ROAD_SECONDARY}, {"secondary_link", CV_GRAPH_ROAD_SECONDARY},
        {"tertiary", CV_GRAPH_ROAD_TERTIARY},   {"tertiary_link", CV_GRAPH_ROAD_TERTIARY},
        {"unclassified", CV_GRAPH_ROAD_LOCAL},  {"residential", CV_GRAPH_ROAD_LOCAL},
        {"living_street", CV_GRAPH_ROAD_LOCAL}, {"road", CV_GRAPH_ROAD_LOCAL},
        {"service", CV_GRAPH_ROAD_SERVICE},     {"track", CV_GRAPH_ROAD_SERVICE},
        {"cycleway", CV_GRAPH_ROAD_PATH},       {"path", CV_GRAPH_ROAD_PATH},
        {"footway", CV_GRAPH_ROAD_PATH},        {"pedestrian", CV_GRAPH_ROAD_PATH},
        {"bridleway", CV_GRAPH_ROAD_PATH},      {"steps", CV_GRAPH_ROAD_PATH},
    };
    if (!highway) return CV_GRAPH_ROAD_UNKNOWN;
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
        if (strcmp(highway, classes[i].highway) == 0) return classes[i].road_class;
    return CV_GRAPH_ROAD_UNKNOWN;
}

/* Access keys from general to specific, per profile (NULL-terminated). */
static const char *const access_keys[CV__NPROF][6] = {
    {"access", "vehicle", "motor_vehicle", "motorcar", NULL},
    {"access", "vehicle", "motor_vehicle", "motorcar", "goods", NULL},
    {"access", "vehicle", "bicycle", NULL},
    {"access", "foot", NULL},
};

const char *cv__graph_profile_name(int p)
{
    return (p >= 0 && p < CV__NPROF) ? profile_names[p] : NULL;
}

int cv__graph_profile_index(const char *name)
{
    for (int p = 0; p < CV__NPROF; p++)
        if (strcmp(name, profile_names[p]) == 0) return p;
    return -1;
}

bool cv__graph_profile_has_turn_restrictions(int p)
{
    return p == CV__PROF_CAR || p == CV__PROF_VAN;
}

const char *cv__graph_tag(const cv_osm_tag *tags, size_t ntags, const char *key)
{
    for (size_t i = 0; i < ntags; i++)
        if (strcmp(tags[i].key, key) == 0) return tags[i].value;
    return NULL;
}

static bool is_one_of(const char *v, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(v, *list) == 0) return true;
    return false;
}

/* 1 allowed, 0 denied, -1 unknown value (ignored, a more general tag decides). */
static int access_value(const char *v)
{
    static const char *const yes[] = {"yes",         "permissive",   "designated",
                                      "destination", "delivery",     "customers",
                                      "official",    "use_sidepath", NULL};
    static const char *const no[] = {
        "no",         "private", "agricultural", "forestry", "emergency", "military",
        "restricted", "psv",     "bus",          "permit",   NULL};
    if (is_one_of(v, yes)) return 1;
    if (is_one_of(v, no)) return 0;
    return -1;
}

/* Parses maxspeed into km/h; 0 when absent or not a plain number. */
static double parse_maxspeed(const char *v)
{
    if (!v) return 0;
    if (strcmp(v, "walk") == 0) return 6;
    if (strcmp(v, "none") == 0) return 130;
    char *end;
    double x = strtod(v, &end);
    if (end == v || x <= 0 || x > 300) return 0;
    while (*end == ' ') end++;
    if (strncmp(end, "mph", 3) == 0)
        x *= 1.609344;
    else if (*end && strcmp(end, "km/h") != 0 && strcmp(end, "kmh") != 0)
        return 0;
    return x;
}

static double surface_factor(int p, const char *s)
{
    static const char *const cobbles[] = {
        "paving_stones", "sett", "cobblestone", "unhewn_cobblestone",
        "grass_paver",   "wood", "metal",       NULL};
    static const char *const compacted[] = {"compacted", "fine_gravel", NULL};
    static const char *const rough[] = {
        "gravel",      "unpaved", "dirt",  "ground",    "earth", "grass", "sand", "mud",
        "pebblestone", "rock",    "rocks", "woodchips", "salt",  "snow",  "ice",  NULL};
    static const double f[3][CV__NPROF] = {
        {0.8, 0.7, 0.7, 1.0}, {0.8, 0.6, 0.8, 1.0}, {0.6, 0.4, 0.6, 0.9}};
    if (!s) return 1.0;
    if (is_one_of(s, cobbles)) return f[0][p];
    if (is_one_of(s, compacted)) return f[1][p];
    if (is_one_of(s, rough)) return f[2][p];
    return 1.0;
}

/* maxheight (m) / maxweight (t) as a plain number with an optional unit
 * "m" or "t"; 0 when absent or not understood (feet, "default", "none"). */
static double parse_limit(const char *v)
{
    if (!v) return 0;
    char *end;
    double x = strtod(v, &end);
    if (end == v || x <= 0) return 0;
    while (*end == ' ') end++;
    if (*end && strcmp(end, "m") != 0 && strcmp(end, "t") != 0) return 0;
    return x;
}

/* Factor for tracktype; 0 means closed for this profile. */
static double tracktype_factor(int p, const char *t)
{
    static const double f[CV__NPROF][5] = {{1.0, 0.8, 0.6, 0.4, 0.3},
                                           {1.0, 0.7, 0.5, 0.0, 0.0},
                                           {1.0, 0.8, 0.6, 0.4, 0.3},
                                           {1.0, 1.0, 1.0, 1.0, 1.0}};
    if (!t || strncmp(t, "grade", 5) != 0 || t[5] < '1' || t[5] > '5' || t[6]) return 1.0;
    return f[p][t[5] - '1'];
}

/* -1 backward only, 0 both, 1 forward only; `dflt` when the tag is absent or unknown. */
static int oneway_value(const char *v, int dflt)
{
    if (!v) return dflt;
    if (!strcmp(v, "yes") || !strcmp(v, "1") || !strcmp(v, "true")) return 1;
    if (!strcmp(v, "-1") || !strcmp(v, "reverse")) return -1;
    if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0")) return 0;
    return dflt;
}

bool cv__graph_profile_way(int p, const cv_osm_tag *tags, size_t ntags, cv__way_rule *out)
{
    const char *hw = cv__graph_tag(tags, ntags, "highway");
    if (!hw) return false;
    const speed_row *row = NULL;
    for (size_t i = 0; i < sizeof speed_table / sizeof speed_table[0]; i++)
        if (strcmp(hw, speed_table[i].highway) == 0) row = &speed_table[i];
    if (!row || row->kmh[p] <= 0) return false;
    const char *area = cv__graph_tag(tags, ntags, "area");
    if (area && strcmp(area, "yes") == 0) return false;
    const char *service = cv__graph_tag(tags, ntags, "service");
    if (service && strcmp(service, "emergency_access") == 0) return false;

    /* Access: the most specific known tag decides. */
    int allowed = -1;
    for (const char *const *k = access_keys[p]; *k; k++) {
        const char *v = cv__graph_tag(tags, ntags, *k);
        if (v) {
            int a = access_value(v);
            if (a >= 0) allowed = a;
        }
    }
    if (row->conditional[p] && allowed != 1) return false;
    if (allowed == 0) return false;

    double kmh = row->kmh[p];
    if ((p == CV__PROF_CAR || p == CV__PROF_VAN) && service &&
        (!strcmp(service, "parking_aisle") || !strcmp(service, "driveway") ||
         !strcmp(service, "alley")))
        kmh = kmh < 8 ? kmh : 8;
    double limit = parse_maxspeed(cv__graph_tag(tags, ntags, "maxspeed"));
    if (limit > 0) {
        if (p == CV__PROF_CAR)
            kmh = 0.8 * limit;
        else if (p == CV__PROF_VAN)
            kmh = 0.8 * limit < 80 ? 0.8 * limit : 80;
        else if (p == CV__PROF_EBIKE && limit < kmh)
            kmh = limit;
    }
    if (p == CV__PROF_VAN) {
        /* the care caravan: a 3.5 t van, 2.8 m high with its bath unit */
        double mh = parse_limit(cv__graph_tag(tags, ntags, "maxheight"));
        double mw = parse_limit(cv__graph_tag(tags, ntags, "maxweight"));
        if ((mh > 0 && mh < CV__VAN_HEIGHT_M) || (mw > 0 && mw < CV__VAN_WEIGHT_T)) return false;
    }
    double tf = tracktype_factor(p, cv__graph_tag(tags, ntags, "tracktype"));
    if (tf <= 0) return false;
    double sf = surface_factor(p, cv__graph_tag(tags, ntags, "surface"));
    kmh *= tf < sf ? tf : sf;
    if (kmh < 2) kmh = 2;

    /* Direction. */
    const char *junction = cv__graph_tag(tags, ntags, "junction");
    bool implied = !strcmp(hw, "motorway") ||
                   (junction && (!strcmp(junction, "roundabout") || !strcmp(junction, "circular")));
    int dir = 0;
    if (p == CV__PROF_WALK) {
        dir = oneway_value(cv__graph_tag(tags, ntags, "oneway:foot"), 0);
    } else {
        dir = oneway_value(cv__graph_tag(tags, ntags, "oneway"), implied ? 1 : 0);
        if (p == CV__PROF_EBIKE) {
            const char *cw = cv__graph_tag(tags, ntags, "cycleway");
            if (cw && strncmp(cw, "opposite", 8) == 0) dir = 0;
            dir = oneway_value(cv__graph_tag(tags, ntags, "oneway:bicycle"), dir);
        }
    }
    out->fwd = dir >= 0;
    out->bwd = dir <= 0;
    out->speed_kmh = (float)kmh;
    return true;
}

bool cv__graph_profile_barrier(int p, const cv_osm_tag *tags, size_t ntags)
{
    const char *b = cv__graph_tag(tags, ntags, "barrier");
    if (!b) return false;
    /* an access tag on the barrier node decides first (gate + access=private) */
    int allowed = -1;
    for (const char *const *k = access_keys[p]; *k; k++) {
        const char *v = cv__graph_tag(tags, ntags, *k);
        if (v && access_value(v) >= 0) allowed = access_value(v);
    }
    if (allowed >= 0) return allowed == 0;
    static const char *const vehicle_pass[] = {
        "gate",       "lift_gate",      "swing_gate",        "sliding_gate",
        "toll_booth", "border_control", "cattle_grid",       "entrance",
        "no",         "sally_port",     "height_restrictor", "arch",
        NULL};
    static const char *const bike_block[] = {"stile",        "turnstile", "full-height_turnstile",
                                             "kissing_gate", "wall",      "fence",
                                             "hedge",        NULL};
    static const char *const foot_block[] = {"wall",           "fence",     "hedge",
                                             "retaining_wall", "city_wall", NULL};
    switch (p) {
    case CV__PROF_CAR:
    case CV__PROF_VAN:
        if (p == CV__PROF_VAN) {
            double mh = parse_limit(cv__graph_tag(tags, ntags, "maxheight"));
            if (mh > 0 && mh < CV__VAN_HEIGHT_M) return true;
        }
        return !is_one_of(b, vehicle_pass);
    case CV__PROF_EBIKE:
        return is_one_of(b, bike_block);
    default:
        return is_one_of(b, foot_block);
    }
}

int cv__graph_profile_restriction(int p, const cv_osm_tag *tags, size_t ntags)
{
    if (!cv__graph_profile_has_turn_restrictions(p)) return 0;
    const char *type = cv__graph_tag(tags, ntags, "type");
    if (!type || strcmp(type, "restriction") != 0) return 0;
    const char *r = cv__graph_tag(tags, ntags, "restriction");
    const char *rv = cv__graph_tag(tags, ntags, "restriction:motorcar");
    if (rv) r = rv;
    if (!r) return 0;
    const char *except = cv__graph_tag(tags, ntags, "except");
    if (except && strstr(except, "motorcar")) return 0;
    if (strncmp(r, "no_", 3) == 0) return CV__RESTR_NO;
    if (strncmp(r, "only_", 5) == 0) return CV__RESTR_ONLY;
    return 0;
}
