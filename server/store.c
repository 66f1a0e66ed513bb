/* The plan store: SQLite in WAL mode at DATA_DIR/carevan.db.
 *
 * Tables: plans (one row per (date, team), replaced on save, with a revision
 * counter) and jobs (finished job results).  synchronous=FULL: a save is
 * acknowledged only after its commit reached the WAL on disk, so neither
 * kill -9 nor a power cut loses an acknowledged plan.  Only the store
 * thread calls these functions (one connection, no locking games); the
 * loop thread never waits on SQLite.  All SQL errors are translated here. */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "server_int.h"

struct cv__store {
    sqlite3 *db;
    sqlite3_stmt *plan_save, *plan_get, *job_save, *job_get;
};

static cv_status sql_err(cv__store *st, cv_diag *diag, const char *what)
{
    cv_diag_set(diag, "store: %s: %s", what, sqlite3_errmsg(st->db));
    return CV_EIO;
}

static const char *schema = "PRAGMA journal_mode=WAL;"
                            "PRAGMA synchronous=FULL;"
                            "PRAGMA busy_timeout=5000;"
                            "CREATE TABLE IF NOT EXISTS plans("
                            "  date TEXT NOT NULL, team TEXT NOT NULL, revision INTEGER NOT NULL,"
                            "  saved_at REAL NOT NULL, plan TEXT NOT NULL, problem TEXT,"
                            "  PRIMARY KEY(date, team));"
                            "CREATE TABLE IF NOT EXISTS jobs("
                            "  id INTEGER PRIMARY KEY, state TEXT NOT NULL, result TEXT,"
                            "  error_code TEXT, error_msg TEXT, finished_at REAL NOT NULL);";

cv_status cv__server_store_open(cv__store **out, const char *dir, cv_diag *diag)
{
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return cv_diag_set(diag, "%s: cannot create data directory: %s", dir, strerror(errno));
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return cv_diag_set(diag, "%s: not a directory", dir);
    size_t n = strlen(dir) + 16;
    char *path = malloc(n);
    if (!path) return CV_ENOMEM;
    snprintf(path, n, "%s/carevan.db", dir);
    cv__store *st = calloc(1, sizeof *st);
    if (!st) {
        free(path);
        return CV_ENOMEM;
    }
    cv_status s = CV_OK;
    int rc = sqlite3_open_v2(
        path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        s = cv_diag_set(diag, "%s: cannot open: %s", path,
                        st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
        goto fail;
    }
    char *err = NULL;
    if (sqlite3_exec(st->db, schema, NULL, NULL, &err) != SQLITE_OK) {
        s = cv_diag_set(diag, "%s: %s", path, err ? err : "cannot create tables");
        sqlite3_free(err);
        goto fail;
    }
    struct {
        sqlite3_stmt **st;
        const char *sql;
    } stmts[] = {
        {&st->plan_save,
         "INSERT INTO plans(date, team, revision, saved_at, plan, problem) VALUES(?1, ?2, 1, ?3, "
         "?4, ?5) ON CONFLICT(date, team) DO UPDATE SET revision = revision + 1, saved_at = ?3, "
         "plan = ?4, problem = ?5 RETURNING revision"},
        {&st->plan_get,
         "SELECT plan, problem, revision, saved_at FROM plans WHERE date = ?1 AND team = ?2"},
        {&st->job_save,
         "INSERT OR REPLACE INTO jobs(id, state, result, error_code, error_msg, finished_at) "
         "VALUES(?1, ?2, ?3, ?4, ?5, ?6)"},
        {&st->job_get, "SELECT state, result, error_code, error_msg FROM jobs WHERE id = ?1"},
    };
    for (size_t i = 0; i < sizeof stmts / sizeof stmts[0]; i++)
        if (sqlite3_prepare_v2(st->db, stmts[i].sql, -1, stmts[i].st, NULL) != SQLITE_OK) {
            s = cv_diag_set(diag, "%s: %s", path, sqlite3_errmsg(st->db));
            goto fail;
        }
    free(path);
    *out = st;
    return CV_OK;
fail:
    free(path);
    cv__server_store_close(st);
    return s != CV_OK ? s : CV_EIO;
}

void cv__server_store_close(cv__store *st)
{
    if (!st) return;
    sqlite3_finalize(st->plan_save);
    sqlite3_finalize(st->plan_get);
    sqlite3_finalize(st->job_save);
    sqlite3_finalize(st->job_get);
    /* The last connection closing checkpoints the WAL into the database. */
    sqlite3_close(st->db);
    free(st);
}

static double now_unix(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static char *col_dup(sqlite3_stmt *q, int i)
{
    const unsigned char *t = sqlite3_column_text(q, i);
    if (!t) return NULL;
    size_t n = (size_t)sqlite3_column_bytes(q, i);
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, t, n);
        s[n] = 0;
    }
    return s;
}

cv_status cv__server_store_plan_save(cv__store *st, const char *date, const char *team,
                                     const char *plan_json, const char *problem_json,
                                     int64_t *revision, cv_diag *diag)
{
    sqlite3_stmt *q = st->plan_save;
    sqlite3_bind_text(q, 1, date, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, team, -1, SQLITE_STATIC);
    sqlite3_bind_double(q, 3, now_unix());
    sqlite3_bind_text(q, 4, plan_json, -1, SQLITE_STATIC);
    if (problem_json)
        sqlite3_bind_text(q, 5, problem_json, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, 5);
    int rc = sqlite3_step(q);
    cv_status s = CV_OK;
    if (rc == SQLITE_ROW) {
        *revision = sqlite3_column_int64(q, 0);
        rc = sqlite3_step(q);
    }
    if (rc != SQLITE_DONE) s = sql_err(st, diag, "saving plan");
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return s;
}

cv_status cv__server_store_plan_get(cv__store *st, const char *date, const char *team,
                                    char **plan_json, char **problem_json, int64_t *revision,
                                    double *saved_at, cv_diag *diag)
{
    sqlite3_stmt *q = st->plan_get;
    sqlite3_bind_text(q, 1, date, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, team, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    cv_status s = CV_OK;
    if (rc == SQLITE_ROW) {
        char *plan = col_dup(q, 0), *prob = col_dup(q, 1);
        if (!plan || (!prob && sqlite3_column_type(q, 1) != SQLITE_NULL)) {
            free(plan);
            free(prob);
            s = CV_ENOMEM;
        } else {
            *plan_json = plan;
            *problem_json = prob;
            *revision = sqlite3_column_int64(q, 2);
            *saved_at = sqlite3_column_double(q, 3);
        }
    } else if (rc == SQLITE_DONE) {
        s = cv_diag_set(diag, "no plan for date \"%s\" and team \"%s\"", date, team),
        s = CV_ENOTFOUND;
    } else {
        s = sql_err(st, diag, "reading plan");
    }
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return s;
}

cv_status cv__server_store_plan_list(cv__store *st, const char *date, const char *team,
                                     msgpack_packer *pk, cv_diag *diag)
{
    /* Summaries come from the stored JSON with SQLite's JSON functions. */
    const char *sql =
        "SELECT date, team, revision, saved_at, json_extract(plan, '$.summary.cost'),"
        " json_extract(plan, '$.summary.routes'), json_extract(plan, '$.summary.unassigned')"
        " FROM plans WHERE (?1 IS NULL OR date = ?1) AND (?2 IS NULL OR team = ?2)"
        " ORDER BY date, team LIMIT 10000";
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
        return sql_err(st, diag, "listing plans");
    if (date) sqlite3_bind_text(q, 1, date, -1, SQLITE_STATIC);
    if (team) sqlite3_bind_text(q, 2, team, -1, SQLITE_STATIC);
    /* Rows are collected first: the array header needs the count. */
    msgpack_sbuffer rows;
    msgpack_sbuffer_init(&rows);
    msgpack_packer rp;
    msgpack_packer_init(&rp, &rows, msgpack_sbuffer_write);
    uint32_t n = 0;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        msgpack_pack_map(&rp, 7);
        cv__server_pack_kv_str(&rp, "date", (const char *)sqlite3_column_text(q, 0));
        cv__server_pack_kv_str(&rp, "team", (const char *)sqlite3_column_text(q, 1));
        cv__server_pack_kv_i64(&rp, "revision", sqlite3_column_int64(q, 2));
        cv__server_pack_kv_double(&rp, "saved_at", sqlite3_column_double(q, 3));
        const char *keys[3] = {"cost", "routes", "unassigned"};
        for (int k = 0; k < 3; k++) {
            cv__server_pack_str(&rp, keys[k]);
            if (sqlite3_column_type(q, 4 + k) == SQLITE_NULL)
                msgpack_pack_nil(&rp);
            else
                msgpack_pack_int64(&rp, sqlite3_column_int64(q, 4 + k));
        }
        n++;
    }
    cv_status s = CV_OK;
    if (rc != SQLITE_DONE)
        s = sql_err(st, diag, "listing plans");
    else {
        msgpack_pack_array(pk, n);
        msgpack_sbuffer_write(pk->data, rows.data, rows.size);
    }
    msgpack_sbuffer_destroy(&rows);
    sqlite3_finalize(q);
    return s;
}

cv_status cv__server_store_job_save(cv__store *st, uint64_t id, const char *state,
                                    const char *result_json, const char *error_code,
                                    const char *error_msg, cv_diag *diag)
{
    sqlite3_stmt *q = st->job_save;
    sqlite3_bind_int64(q, 1, (sqlite3_int64)id);
    sqlite3_bind_text(q, 2, state, -1, SQLITE_STATIC);
    if (result_json)
        sqlite3_bind_text(q, 3, result_json, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, 3);
    if (error_code)
        sqlite3_bind_text(q, 4, error_code, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, 4);
    if (error_msg)
        sqlite3_bind_text(q, 5, error_msg, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, 5);
    sqlite3_bind_double(q, 6, now_unix());
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return rc == SQLITE_DONE ? CV_OK : sql_err(st, diag, "saving job");
}

cv_status cv__server_store_job_get(cv__store *st, uint64_t id, char **state, char **result_json,
                                   char **error_code, char **error_msg, cv_diag *diag)
{
    sqlite3_stmt *q = st->job_get;
    sqlite3_bind_int64(q, 1, (sqlite3_int64)id);
    int rc = sqlite3_step(q);
    cv_status s = CV_OK;
    if (rc == SQLITE_ROW) {
        *state = col_dup(q, 0);
        *result_json = col_dup(q, 1);
        *error_code = col_dup(q, 2);
        *error_msg = col_dup(q, 3);
        if (!*state) s = CV_ENOMEM;
    } else if (rc == SQLITE_DONE) {
        s = CV_ENOTFOUND;
    } else {
        s = sql_err(st, diag, "reading job");
    }
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return s;
}

cv_status cv__server_store_job_max_id(cv__store *st, uint64_t *out)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db, "SELECT coalesce(max(id), 0) FROM jobs", -1, &q, NULL) !=
        SQLITE_OK)
        return CV_EIO;
    cv_status s = CV_EIO;
    if (sqlite3_step(q) == SQLITE_ROW) {
        *out = (uint64_t)sqlite3_column_int64(q, 0);
        s = CV_OK;
    }
    sqlite3_finalize(q);
    return s;
}

struct sqlite3 *cv__server_store_sqlite(cv__store *st)
{
    return st->db;
}
