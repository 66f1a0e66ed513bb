/* A synthetic care day with travel matrices, for the live-day tests and
 * bench/live_urgent.c: clients at random points of an 8 x 8 km town around
 * one care centre, carers on e-bikes (about 16 km/h on a street grid),
 * visits of 20-60 min (general care, bathing, nursing) in morning,
 * afternoon or all-day windows, one meal delivery in five, carers with
 * 8:00-17:30 shifts and a 30-minute lunch in 12:00-13:30.  Deterministic for
 * a seed.  Returns malloc'ed VROOM JSON (location_index form). */
#ifndef CV_TESTS_LIVE_DAY_H
#define CV_TESTS_LIVE_DAY_H

#include <stdio.h>
#include <stdlib.h>

#include "cv/core.h"

static char *live_day_json(uint32_t nvisits, uint32_t nvehicles, uint64_t seed)
{
    cv_rng r;
    cv_rng_seed(&r, seed);
    uint32_t n = nvisits + 1;
    double *x = calloc(n, sizeof *x), *y = calloc(n, sizeof *y);
    cv_sbuf b = {0};
    if (!x || !y) goto out;
    x[0] = y[0] = 4000;
    for (uint32_t i = 1; i < n; i++) {
        x[i] = cv_rng_unit(&r) * 8000;
        y[i] = cv_rng_unit(&r) * 8000;
    }
    cv_sbuf_printf(&b, "{\"vehicles\": [");
    for (uint32_t v = 0; v < nvehicles; v++) {
        const char *skills = v % 4 == 0 ? "[1, 3]" : v % 2 ? "[1, 2]" : "[1]";
        cv_sbuf_printf(&b,
                       "%s{\"id\": %u, \"start_index\": 0, \"end_index\": 0, \"skills\": %s, "
                       "\"capacity\": [6], \"time_window\": [28800, 63000], \"breaks\": [{\"id\": "
                       "%u, \"service\": 1800, \"time_windows\": [[43200, 48600]]}]}",
                       v ? ", " : "", v + 1, skills, 1000 + v + 1);
    }
    cv_sbuf_printf(&b, "], \"jobs\": [");
    for (uint32_t j = 0; j < nvisits; j++) {
        uint32_t kind = cv_rng_below(&r, 10);
        const char *skills = kind < 6 ? "[1]" : kind < 8 ? "[2]" : "[3]";
        uint32_t w = cv_rng_below(&r, 3);
        int64_t ts = w == 0 ? 28800 : w == 1 ? 46800 : 28800;
        int64_t te = w == 0 ? 43200 : w == 1 ? 61200 : 61200;
        int64_t service = 1200 + 600 * cv_rng_below(&r, 5);
        bool meal = cv_rng_below(&r, 5) == 0;
        cv_sbuf_printf(&b,
                       "%s{\"id\": %u, \"location_index\": %u, \"service\": %lld, \"setup\": 60, "
                       "\"skills\": %s, \"time_windows\": [[%lld, %lld]], \"priority\": %u%s}",
                       j ? ", " : "", 100 + j, j + 1, (long long)service, skills, (long long)ts,
                       (long long)te, cv_rng_below(&r, 3) * 25,
                       meal ? ", \"delivery\": [1]" : ", \"delivery\": [0]");
    }
    cv_sbuf_printf(&b, "], \"matrices\": {\"car\": {\"durations\": [");
    for (uint32_t i = 0; i < n; i++) {
        cv_sbuf_printf(&b, "%s[", i ? ", " : "");
        for (uint32_t k = 0; k < n; k++) {
            double d = (x[i] > x[k] ? x[i] - x[k] : x[k] - x[i]) +
                       (y[i] > y[k] ? y[i] - y[k] : y[k] - y[i]);
            cv_sbuf_printf(&b, "%s%u", k ? ", " : "", (unsigned)(d / 4.5 + 0.5));
        }
        cv_sbuf_printf(&b, "]");
    }
    cv_sbuf_printf(&b, "], \"distances\": [");
    for (uint32_t i = 0; i < n; i++) {
        cv_sbuf_printf(&b, "%s[", i ? ", " : "");
        for (uint32_t k = 0; k < n; k++) {
            double d = (x[i] > x[k] ? x[i] - x[k] : x[k] - x[i]) +
                       (y[i] > y[k] ? y[i] - y[k] : y[k] - y[i]);
            cv_sbuf_printf(&b, "%s%u", k ? ", " : "", (unsigned)(d + 0.5));
        }
        cv_sbuf_printf(&b, "]");
    }
    cv_sbuf_printf(&b, "]}}}");
out:
    free(x);
    free(y);
    char *s = NULL;
    if (cv_sbuf_finish(&b, &s) != CV_OK) return NULL;
    return s;
}

#endif
