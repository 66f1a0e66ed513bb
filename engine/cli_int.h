/* Shared between the files of the `carevan` command (engine/cli*.c). */
#ifndef CV_CLI_INT_H
#define CV_CLI_INT_H

#include "cv/engine.h"

struct cv_graph;

/* Writes text to path ("-" or NULL: stdout) through a temporary file and a
 * rename; prints the error and returns 1 on failure, 0 on success. */
int cv__cli_write_text(const char *path, const char *text);

/* Writes the HTML map of a plan (graph may be NULL); prints errors naming
 * `cmd`.  Returns the exit code (0 ok, 2 bad input, 1 other failure). */
int cv__cli_write_map(const char *cmd, const cv_plan *plan, const cv_problem *p,
                      const struct cv_graph *graph, const char *path, const char *title);

/* `carevan map PLAN.json PROBLEM.json [--graph CITY.cvg] [-o FILE.html]` */
int cv__cli_map(int argc, char **argv);

#endif
