/* `carevan serve`: command-line options -> cv_server_config, then run until
 * SIGTERM/SIGINT.  The lead's engine/cli.c dispatches "serve" here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server_int.h"

static const char *usage =
    "usage: carevan serve [--graph CITY.cvg] [--listen 127.0.0.1:7700 | --listen unix:PATH]\n"
    "                     [--data DIR] [--auth TOKENS_FILE] [--workers N] [--max-queued N]\n"
    "                     [--max-connections N] [--max-message-mb N] [--idle-timeout S] [-v]\n"
    "\n"
    "Runs the MessagePack-RPC planning server (methods and errors: server/PROTOCOL.md).\n"
    "  --graph FILE        road graph for route/matrix/snap and coordinate problems\n"
    "  --listen ADDR       HOST:PORT (numeric IP; loopback by default) or unix:PATH\n"
    "  --data DIR          SQLite store for plans and job results (WAL, created if absent)\n"
    "  --auth FILE         tokens file, mode 600: lines \"TOKEN coordinator\" or\n"
    "                      \"TOKEN operator VEHICLE_ID\"\n"
    "  --workers N         concurrent solves (default 2); --max-queued N waiting jobs (16)\n"
    "  --max-connections N (256); --max-message-mb N (64); --idle-timeout S (60)\n"
    "SIGTERM or SIGINT stops gracefully: queued jobs are canceled, running ones finish,\n"
    "the store is flushed, exit code 0.\n";

static bool num(const char *s, double lo, double hi, double *out)
{
    char *end;
    if (!s || !*s) return false;
    double v = strtod(s, &end);
    if (*end || !(v >= lo && v <= hi)) return false;
    *out = v;
    return true;
}

int cv_server_cli(int argc, char **argv)
{
    cv_server_config cfg;
    cv_server_config_init(&cfg);
    cfg.handle_signals = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        double d;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage, stdout);
            return 0;
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            cfg.verbose = 1;
            if (cv_log_level < 1) cv_log_level = 1;
            continue;
        } else if (!v) {
            fprintf(stderr, "carevan serve: unknown or incomplete option %s\n%s", a, usage);
            return 2;
        } else if (!strcmp(a, "--graph")) {
            cfg.graph_path = v;
        } else if (!strcmp(a, "--listen")) {
            cfg.listen = v;
        } else if (!strcmp(a, "--data")) {
            cfg.data_dir = v;
        } else if (!strcmp(a, "--auth")) {
            cfg.auth_file = v;
        } else if (!strcmp(a, "--workers") && num(v, 1, 256, &d)) {
            cfg.workers = (unsigned)d;
        } else if (!strcmp(a, "--max-queued") && num(v, 0, 100000, &d)) {
            cfg.max_queued = (unsigned)d;
        } else if (!strcmp(a, "--max-connections") && num(v, 1, 100000, &d)) {
            cfg.max_connections = (unsigned)d;
        } else if (!strcmp(a, "--max-message-mb") && num(v, 1, 4096, &d)) {
            cfg.max_message_bytes = (size_t)d << 20;
        } else if (!strcmp(a, "--idle-timeout") && num(v, 0.001, 86400, &d)) {
            cfg.idle_timeout_s = d;
        } else {
            fprintf(stderr, "carevan serve: bad option or value: %s %s\n%s", a, v, usage);
            return 2;
        }
        i++;
    }
    cv_diag diag;
    cv_diag_clear(&diag);
    cv_server *s = NULL;
    cv_status st = cv_server_create(&s, &cfg, &diag);
    if (st != CV_OK) {
        fprintf(stderr, "carevan serve: %s\n", diag.set ? diag.msg : cv_status_message(st));
        return st == CV_EINVAL ? 2 : 1;
    }
    int port = cv_server_port(s);
    if (port >= 0)
        fprintf(stderr, "carevan serve: listening on %s (port %d)\n", cfg.listen, port);
    else
        fprintf(stderr, "carevan serve: listening on %s\n", cfg.listen);
    st = cv_server_run(s);
    cv_server_destroy(s);
    if (cfg.verbose) fprintf(stderr, "carevan serve: stopped\n");
    return st == CV_OK ? 0 : 1;
}
