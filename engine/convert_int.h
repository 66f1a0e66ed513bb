/* Internals shared by the benchmark converters (convert_bench.c,
 * convert_cvrplib.c). */
#ifndef CV_CONVERT_INT_H
#define CV_CONVERT_INT_H

#include "cv/problem.h"

cv_status cv__bench_problem_skeleton(cv_problem *p, uint32_t n);

#endif
