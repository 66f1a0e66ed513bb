/* A server on a tiny road graph, for the graph-method tests (test_server_graph.c,
 * test_server_coverage.c): a 5 x 5 grid of residential streets 0.001 degrees
 * apart at the equator (111.2 m a block), written as OSM XML in a fresh
 * temporary directory, imported with cv_graph_import for the given profiles,
 * and served on a loopback port by a thread of the test.  One server per
 * test program (cmocka group setup/teardown). */
#ifndef CV_TESTS_SERVER_GRID_SERVER_H
#define CV_TESTS_SERVER_GRID_SERVER_H

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "cv/graph.h"
#include "cv/server.h"

static char grid_dir[64], grid_osm[128], grid_cvg[128];
static cv_server *grid_srv;
static pthread_t grid_thread;
static int port; /* where grid_srv listens */

static void *grid_run_thread(void *arg)
{
    cv_server_run(arg);
    return NULL;
}

/* dir_template: "/tmp/NAME_XXXXXX"; profiles: "car" or "car,walk". */
static int grid_server_start(const char *dir_template, const char *profiles)
{
    snprintf(grid_dir, sizeof grid_dir, "%s", dir_template);
    if (!mkdtemp(grid_dir)) return -1;
    snprintf(grid_osm, sizeof grid_osm, "%s/grid.osm", grid_dir);
    snprintf(grid_cvg, sizeof grid_cvg, "%s/grid.cvg", grid_dir);
    FILE *f = fopen(grid_osm, "w");
    if (!f) return -1;
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<osm version=\"0.6\">\n");
    for (int r = 0; r < 5; r++)
        for (int c = 0; c < 5; c++)
            fprintf(f, "  <node id=\"%d\" lat=\"%.3f\" lon=\"%.3f\"/>\n", 1 + r * 5 + c, r * 0.001,
                    c * 0.001);
    int way = 100;
    for (int r = 0; r < 5; r++) {
        fprintf(f, "  <way id=\"%d\">", way++);
        for (int c = 0; c < 5; c++) fprintf(f, "<nd ref=\"%d\"/>", 1 + r * 5 + c);
        fprintf(f, "<tag k=\"highway\" v=\"residential\"/></way>\n");
    }
    for (int c = 0; c < 5; c++) {
        fprintf(f, "  <way id=\"%d\">", way++);
        for (int r = 0; r < 5; r++) fprintf(f, "<nd ref=\"%d\"/>", 1 + r * 5 + c);
        fprintf(f, "<tag k=\"highway\" v=\"residential\"/></way>\n");
    }
    fprintf(f, "</osm>\n");
    fclose(f);
    cv_diag d;
    cv_diag_clear(&d);
    if (cv_graph_import(grid_osm, grid_cvg, profiles, false, NULL, &d) != CV_OK) {
        fprintf(stderr, "import: %s\n", d.msg);
        return -1;
    }
    cv_server_config cfg;
    cv_server_config_init(&cfg);
    cfg.listen = "127.0.0.1:0";
    cfg.graph_path = grid_cvg;
    cfg.data_dir = grid_dir;
    if (cv_server_create(&grid_srv, &cfg, &d) != CV_OK) {
        fprintf(stderr, "create: %s\n", d.msg);
        return -1;
    }
    port = cv_server_port(grid_srv);
    return pthread_create(&grid_thread, NULL, grid_run_thread, grid_srv);
}

static int grid_server_stop(void)
{
    cv_server_stop(grid_srv);
    pthread_join(grid_thread, NULL);
    cv_server_destroy(grid_srv);
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", grid_dir);
    return system(cmd) == 0 ? 0 : -1;
}

#endif
