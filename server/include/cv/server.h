/* carevan planning server: MessagePack-RPC over libuv for coordinators'
 * scheduling systems and van operators' phones.
 *
 * One event-loop thread owns every connection and never waits on a solve,
 * a SQLite commit or a road-graph query: those run on the server's own
 * worker threads (solves), one store thread (SQLite, WAL) and query threads
 * (route/matrix/snap), and come back to the loop through uv_async.  The wire
 * protocol, methods, errors and limits are described in server/PROTOCOL.md.
 *
 * Lifecycle, libuv style: cv_server_config_init(&cfg), set fields,
 * cv_server_create() (binds, opens the store, loads graph and tokens; on
 * failure nothing is left to clean up), cv_server_run() until
 * cv_server_stop() or SIGTERM/SIGINT, cv_server_destroy(). */
#ifndef CV_SERVER_H
#define CV_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "cv/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cv_server cv_server;

typedef struct cv_server_config {
    /* "HOST:PORT" (IPv4 or [IPv6]) or "unix:/path/to.sock"; NULL: no listener
     * (in-process use by the fuzz target).  Port 0 picks a free port, see
     * cv_server_port().  Default "127.0.0.1:7700" (loopback only). */
    const char *listen;
    const char *data_dir;       /* SQLite store directory (created if absent); NULL: no store */
    const char *auth_file;      /* tokens file; NULL: every connection is a coordinator */
    const char *graph_path;     /* .cvg road graph; NULL: no route/matrix/snap */
    unsigned workers;           /* solve threads = concurrent jobs (default 2) */
    unsigned max_queued;        /* jobs waiting for a worker before `busy` (default 16) */
    unsigned query_threads;     /* route/matrix/snap threads (default 2) */
    unsigned max_connections;   /* default 256 */
    size_t max_message_bytes;   /* one request (default 64 MiB) */
    size_t max_string_bytes;    /* one string/binary value (default 1 MiB) */
    unsigned max_depth;         /* nesting of arrays/maps, 1..32 (default 32) */
    double idle_timeout_s;      /* no complete message for this long: dropped (default 60) */
    double progress_interval_s; /* job.progress notifications while a job runs (default 0.5) */
    double max_time_limit_s;    /* cap on a job's time_limit option, and the limit of jobs
                                   that give none (default 600) */
    uint64_t max_effort;        /* cap on a job's solver effort; 0: no cap (default) */
    unsigned keep_jobs; /* finished jobs kept in memory (default 1000; all are in the store) */
    int handle_signals; /* stop on SIGTERM/SIGINT (the CLI sets it; default 0) */
    int verbose;        /* log connections and errors to stderr */
} cv_server_config;

void cv_server_config_init(cv_server_config *cfg);

/* Creates a server ready to run; cfg and its strings are copied. */
cv_status cv_server_create(cv_server **out, const cv_server_config *cfg, cv_diag *diag);
/* The TCP port actually bound (useful with port 0); -1 for a Unix socket or no listener. */
int cv_server_port(const cv_server *s);
/* Runs the event loop until the server is stopped; then every queued job has
 * been canceled, every running job has finished, every acknowledged write is
 * committed and every connection is closed.  Call once. */
cv_status cv_server_run(cv_server *s);
/* Asks a running server to stop gracefully.  Thread-safe (not async-signal-safe:
 * the server handles signals itself when handle_signals is set). */
void cv_server_stop(cv_server *s);
/* Frees everything; s may be NULL.  Call after cv_server_run returned (or
 * instead of it). */
void cv_server_destroy(cv_server *s);

/* `carevan serve ...`: argv[0] is "serve".  Returns the process exit code
 * (0 after a graceful stop, 2 bad arguments, 1 other failure). */
int cv_server_cli(int argc, char **argv);

#ifdef __cplusplus
}
#endif
#endif
