/* Bad files: OSM input that is missing, truncated, corrupt or of an unknown
 * format, and .cvg files that are not graphs, truncated, corrupted (checksum)
 * or of another format version.  Each must fail with a status and a message
 * that names the file, never crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "graph_int.h"
#include "graph_test_util.h"

static void expect_import_error(const char *file, cv_status want, const char *fragment)
{
    char in[1024], out[1024];
    snprintf(in, sizeof in, "%s/%s", g_fixtures, file);
    snprintf(out, sizeof out, "%s/bad.cvg", g_tmpdir);
    cv_diag d;
    cv_diag_clear(&d);
    cv_status st = cv_graph_import(in, out, NULL, false, NULL, &d);
    if (st != want || !strstr(d.msg, file) || !strstr(d.msg, fragment))
        fail_msg("%s: got %s \"%s\", want %s with \"%s\"", file, cv_status_name(st), d.msg,
                 cv_status_name(want), fragment);
}

static void test_bad_osm(void **state)
{
    (void)state;
    expect_import_error("does-not-exist.osm.pbf", CV_EIO, "cannot open");
    expect_import_error("truncated.osm.pbf", CV_EFORMAT, "corrupt or truncated");
    expect_import_error("garbage.osm.pbf", CV_EFORMAT, "corrupt or truncated");
    expect_import_error("truncated.osm", CV_EFORMAT, "corrupt or truncated");
    expect_import_error("../CMakeLists.txt", CV_EFORMAT, "unsupported file format");
    /* bad profile list */
    cv_diag d;
    cv_diag_clear(&d);
    char in[1024];
    snprintf(in, sizeof in, "%s/oneway.osm", g_fixtures);
    assert_int_equal(cv_graph_import(in, "/tmp/x.cvg", "car,bus", false, NULL, &d), CV_EINVAL);
    assert_non_null(strstr(d.msg, "unknown profile \"bus\""));
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc(*len);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, *len, f), *len);
    fclose(f);
    return b;
}

static void write_file(const char *path, const char *b, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, len, f), len);
    fclose(f);
}

static void expect_load_error(const char *path, cv_status want, const char *fragment)
{
    cv_graph *g = NULL;
    cv_diag d;
    cv_diag_clear(&d);
    cv_status st = cv_graph_load(&g, path, &d);
    if (st != want || !strstr(d.msg, path) || !strstr(d.msg, fragment))
        fail_msg("%s: got %s \"%s\", want %s with \"%s\"", path, cv_status_name(st), d.msg,
                 cv_status_name(want), fragment);
    assert_null(g);
}

static void test_bad_cvg(void **state)
{
    (void)state;
    cv_graph *g = import_fixture("restriction.osm", NULL, NULL);
    assert_non_null(g);
    cv_graph_destroy(g);
    char good[1024], bad[1024];
    snprintf(good, sizeof good, "%s/restriction.osm.all.cvg", g_tmpdir);
    snprintf(bad, sizeof bad, "%s/corrupt.cvg", g_tmpdir);
    size_t len;
    char *b = slurp(good, &len);
    write_file(bad, b, len / 2);
    expect_load_error(bad, CV_EFORMAT, "truncated graph file");
    write_file(bad, b, 10);
    expect_load_error(bad, CV_EFORMAT, "too short");
    char *c = malloc(len);
    memcpy(c, b, len);
    c[len - 70] ^= 0x5a; /* a byte in the last array */
    write_file(bad, c, len);
    expect_load_error(bad, CV_EFORMAT, "checksum mismatch");
    memcpy(c, b, len);
    ((cv__file_hdr *)(void *)c)->version = 999;
    write_file(bad, c, len);
    expect_load_error(bad, CV_EFORMAT, "format version 999");
    memcpy(c, b, len);
    c[0] = 'X';
    write_file(bad, c, len);
    expect_load_error(bad, CV_EFORMAT, "bad magic");
    expect_load_error("/nonexistent/graph.cvg", CV_EIO, "cannot open");
    /* the intact file still loads and answers */
    assert_int_equal(cv_graph_load(&g, good, NULL), CV_OK);
    assert_int_equal(cv_graph_profile_find(g, "van"), 1);
    assert_int_equal(cv_graph_profile_find(g, "bus"), -1);
    cv_graph_destroy(g);
    free(b), free(c);
}

static void test_cli(void **state)
{
    (void)state;
    char in[1024], out[1024], csv[1024];
    snprintf(in, sizeof in, "%s/oneway.osm", g_fixtures);
    snprintf(out, sizeof out, "%s/cli.cvg", g_tmpdir);
    snprintf(csv, sizeof csv, "%s/pts.csv", g_tmpdir);
    char *imp[] = {"import", in, "-o", out, "-q", NULL};
    assert_int_equal(cv_graph_cli_import(5, imp), 0);
    char *help[] = {"route", "--help", NULL};
    assert_int_equal(cv_graph_cli_route(2, help), 0);
    char *rt[] = {"route",    out,        "--profile", "car", "0.0015,0",
                  "0.0005,0", "--format", "polyline",  NULL};
    assert_int_equal(cv_graph_cli_route(8, rt), 0);
    char *far[] = {"route", out, "--profile", "car", "0.0015,0", "1.5,0", NULL};
    assert_int_equal(cv_graph_cli_route(6, far), 2);
    char *badprof[] = {"route", out, "--profile", "bus", "0.0015,0", "0.0005,0", NULL};
    assert_int_equal(cv_graph_cli_route(6, badprof), 2);
    write_file(csv, "lon,lat\n0.0015,0\n0.0005,0\n", 26);
    char mo[1024];
    snprintf(mo, sizeof mo, "%s/m.json", g_tmpdir);
    char *mx[] = {"matrix", out, "--profile", "walk", csv, "-o", mo, NULL};
    assert_int_equal(cv_graph_cli_matrix(7, mx), 0);
    size_t len;
    char *j = slurp(mo, &len);
    assert_non_null(strstr(j, "\"distances\":[[0,111],[111,0]]"));
    free(j);
    write_file(csv, "0.0015,0\nnot a point\n", 21);
    assert_int_equal(cv_graph_cli_matrix(7, mx), 2);
    char *noarg[] = {"import", NULL};
    assert_int_equal(cv_graph_cli_import(1, noarg), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_osm),
        cmocka_unit_test(test_bad_cvg),
        cmocka_unit_test(test_cli),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
