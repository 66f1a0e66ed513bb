/* Internals of multi-day planning shared inside engine/ (periodic*.c and the
 * problem reader).  The model lives in cv/problem.h; the format in
 * docs/care-extensions.md ("Several days"). */
#ifndef CV_ENGINE_PERIODIC_INT_H
#define CV_ENGINE_PERIODIC_INT_H

#include <jansson.h>

#include "cv/engine.h"

/* Reads the multi-day fields of a problem whose jobs and vehicles are already
 * read: the top-level "horizon", vehicles[].shifts and jobs[].frequency,
 * .day_patterns, .min_spacing, .max_vehicles.  Without a horizon, any of the
 * others is an error naming it.  CV_EINVAL + diag on bad input, CV_ENOMEM. */
cv_status cv__periodic_read(cv_problem *p, const json_t *root, cv_diag *diag);

/* True when the day set `mask` keeps every two consecutive visits at least
 * `spacing` days apart (with `cyclic`, also the last and the first, across
 * the end of the horizon of `days` days). */
bool cv__periodic_spacing_ok(uint64_t mask, uint32_t spacing, uint32_t days, bool cyclic);

#endif
