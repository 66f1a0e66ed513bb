/* `carevan map`: the HTML map of a plan written earlier, and the map
 * writer `carevan solve --map` shares. */
#define _POSIX_C_SOURCE 200809L
#include "cli_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifdef CV_GRAPH_AVAILABLE
#include "cv/graph.h"
#endif

#define EXIT_BAD_INPUT 2

int cv__cli_write_map(const char *cmd, const cv_plan *plan, const cv_problem *p,
                      const struct cv_graph *graph, const char *path, const char *title)
{
    cv_map_config cfg;
    cv_map_config_init(&cfg);
    cfg.graph = graph;
    if (title) cfg.title = title;
    cv_diag diag;
    cv_diag_clear(&diag);
    char *html = NULL;
    cv_status s = cv_export_map_html(plan, p, &cfg, &html, &diag);
    if (s != CV_OK) {
        fprintf(stderr, "carevan %s: map: %s\n", cmd, diag.set ? diag.msg : cv_status_message(s));
        return s == CV_EINVAL ? EXIT_BAD_INPUT : 1;
    }
    int code = cv__cli_write_text(path, html);
    free(html);
    return code;
}

static const char *usage_map =
    "usage: carevan map PLAN.json PROBLEM.json [--graph CITY.cvg] [-o MAP.html]\n"
    "                   [--title TEXT]\n"
    "\n"
    "Draws a plan (from `carevan solve`, the server or VROOM) as one self-contained\n"
    "HTML file that opens offline in any browser: each route in its own colour on\n"
    "the roads it drives (straight legs when the plan has no road geometry), the\n"
    "stops numbered with their times in popups, depots, unassigned visits with\n"
    "the reason, a legend to switch routes on and off, pan and zoom.\n"
    "  --graph FILE   also draw the road network around the plan from this graph\n"
    "  -o FILE        write here (default: stdout)\n"
    "  --title TEXT   page title (default \"carevan plan\")\n";

int cv__cli_map(int argc, char **argv)
{
    const char *files[2] = {NULL, NULL}, *graph = NULL, *out = NULL, *title = NULL;
    int nfiles = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_val = i + 1 < argc;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage_map, stdout);
            return 0;
        } else if (!strcmp(a, "--graph") && has_val) {
            graph = argv[++i];
        } else if (!strcmp(a, "-o") && has_val) {
            out = argv[++i];
        } else if (!strcmp(a, "--title") && has_val) {
            title = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "carevan map: unknown or incomplete option %s\n%s", a, usage_map);
            return EXIT_BAD_INPUT;
        } else if (nfiles < 2) {
            files[nfiles++] = a;
        } else {
            fprintf(stderr, "carevan map: too many arguments\n%s", usage_map);
            return EXIT_BAD_INPUT;
        }
    }
    if (nfiles != 2) {
        fputs(usage_map, stderr);
        return EXIT_BAD_INPUT;
    }
    cv_diag diag;
    cv_diag_clear(&diag);
    cv_problem *p = NULL;
    if (cv_problem_from_json_file(&p, files[1], &diag) != CV_OK) {
        fprintf(stderr, "carevan map: %s: %s\n", files[1], diag.msg);
        return EXIT_BAD_INPUT;
    }
    char *text = NULL;
    size_t len = 0;
    cv_plan *plan = NULL;
    cv_status s = cv_read_file(files[0], CV_MAX_INPUT_BYTES, &text, &len, &diag);
    if (s == CV_OK) s = cv_plan_from_json(&plan, p, text, len, &diag);
    free(text);
    if (s != CV_OK) {
        fprintf(stderr, "carevan map: %s: %s\n", files[0],
                diag.set ? diag.msg : cv_status_message(s));
        cv_problem_destroy(p);
        return s == CV_ENOMEM ? 1 : EXIT_BAD_INPUT;
    }
    int code;
    if (graph) {
#ifdef CV_GRAPH_AVAILABLE
        cv_graph *g = NULL;
        if (cv_graph_load(&g, graph, &diag) != CV_OK) {
            fprintf(stderr, "carevan map: %s\n", diag.msg);
            code = EXIT_BAD_INPUT;
        } else {
            code = cv__cli_write_map("map", plan, p, g, out, title);
            cv_graph_destroy(g);
        }
#else
        fprintf(stderr, "carevan map: --graph %s: this build has no road graph\n", graph);
        code = EXIT_BAD_INPUT;
#endif
    } else {
        code = cv__cli_write_map("map", plan, p, NULL, out, title);
    }
    cv_plan_destroy(plan);
    cv_problem_destroy(p);
    return code;
}
