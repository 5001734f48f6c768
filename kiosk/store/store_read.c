/* store_read: the export's read-only connection to votes.db (see store_read.h). Its own plain
 * connection, not a store: the export runs in another process (the CLI) or thread (the admin
 * screen) and must never migrate, release pending votes or move a file aside. */
#include "store_read.h"

#include "store_int.h"

#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

/* How long a read waits for the kiosk's short write transactions (as the store does). */
#define READER_BUSY_TIMEOUT_MS 5000

struct store_reader {
    sqlite3 *db;
};

/* The file's schema version when it is newer than this program's, else 0. */
static long newer_version(sqlite3 *h)
{
    sqlite3_stmt *st = NULL;
    long v = 0;
    if (sqlite3_prepare_v2(h, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v > store_latest_schema_version() ? v : 0;
}

store_rc store_reader_open(store_reader **out, const char *db, char *err, size_t errlen)
{
    *out = NULL;
    char path[PATH_MAX + 16];
    struct stat st;
    if (!db || !db[0])
        return util_fail(err, errlen, STORE_ERROR, "no vote database named");
    if (stat(db, &st) == 0 && S_ISDIR(st.st_mode)) {
        /* Cannot fail on Linux: stat refuses a name of PATH_MAX or more. */
        if (util_fmt(path, sizeof path, "%s/votes.db", db) != 0)
            return util_fail(err, errlen, STORE_ERROR, "%s: path too long", db);
    } else {
        util_strlcpy(path, db, sizeof path);
    }
    if (stat(path, &st) != 0)
        return util_fail(err, errlen, STORE_ERROR,
                         "%s: %s; no votes recorded there yet? Give the kiosk's data folder with "
                         "--data-dir DIR or --config FILE",
                         path, strerror(errno));
    sqlite3 *h = NULL;
    int rc = sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(h, READER_BUSY_TIMEOUT_MS);
        sqlite3_extended_result_codes(h, 1);
        rc = sqlite3_exec(h, "SELECT 1 FROM votes LIMIT 0", NULL, NULL, NULL);
    }
    if (rc != SQLITE_OK) {
        util_fail(err, errlen, STORE_ERROR,
                  "%s: %s; is it the kiosk's votes.db, and can this user read it and its -wal/-shm "
                  "files (run as the kiosk's user or root)?",
                  path, h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
        sqlite3_close(h);
        return STORE_ERROR;
    }
    /* A newer hailong-kiosk's file may mean something else by the same columns: refused. */
    long v = newer_version(h);
    if (v > 0) {
        store_newer_message(h, path, v, store_latest_schema_version(), err, errlen);
        sqlite3_close(h);
        return STORE_NEWER_SCHEMA;
    }
    /* One read transaction: the count, the summary and the rows see the same snapshot while
     * the kiosk goes on writing (WAL readers never block it). */
    if (sqlite3_exec(h, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
        util_fail(err, errlen, STORE_ERROR, "%s: %s", path, sqlite3_errmsg(h));
        sqlite3_close(h);
        return STORE_ERROR;
    }
    store_reader *r = xcalloc(1, sizeof *r);
    r->db = h;
    *out = r;
    return STORE_OK;
}

void store_reader_close(store_reader *r)
{
    if (!r)
        return;
    sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(r->db);
    free(r);
}

static store_rc db_error(sqlite3 *h, char *err, size_t errlen)
{
    return util_fail(err, errlen, STORE_ERROR, "reading %s: %s", sqlite3_db_filename(h, "main"),
                     sqlite3_errmsg(h));
}

/* Prepares sql with the range bound to ?1 and ?2. */
static int prepare_range(store_reader *r, const char *sql, store_range range, sqlite3_stmt **st)
{
    *st = NULL;
    if (sqlite3_prepare_v2(r->db, sql, -1, st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(*st, 1, range.from_ms);
    sqlite3_bind_int64(*st, 2, range.to_ms);
    return 0;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
    const char *t = (const char *)sqlite3_column_text(st, i);
    return t ? t : "";
}

/* The walks' queries, their columns in walk_row's order; ?1 and ?2 are the range. */
static const char groups_sql[] = "SELECT officer_code, rating, misuse, count(*) FROM votes"
                                 " WHERE created_at >= ?1 AND created_at < ?2"
                                 " GROUP BY officer_code, rating, misuse";
static const char votes_sql[] = "SELECT uuid, kiosk_id, seq, officer_code, rating, reasons,"
                                " created_at, misuse, sync_state FROM votes"
                                " WHERE created_at >= ?1 AND created_at < ?2"
                                " ORDER BY created_at, rowid";

/* The caller's callback (one of the two) and its context. */
typedef struct {
    store_read_group_fn group_fn;
    store_read_vote_fn vote_fn;
    void *ctx;
} walk;

/* Hands the statement's current row to the callback as the struct it takes. */
static int walk_row(const walk *w, sqlite3_stmt *st)
{
    if (w->group_fn) {
        store_read_group g = {.officer_code = col_text(st, 0),
                              .rating = sqlite3_column_int(st, 1),
                              .misuse = sqlite3_column_int(st, 2),
                              .n = sqlite3_column_int64(st, 3)};
        return w->group_fn(w->ctx, &g);
    }
    store_read_vote v = {.uuid = col_text(st, 0),
                         .kiosk_id = col_text(st, 1),
                         .seq = sqlite3_column_int64(st, 2),
                         .officer_code = col_text(st, 3),
                         .rating = sqlite3_column_int(st, 4),
                         .reasons = col_text(st, 5),
                         .created_at = sqlite3_column_int64(st, 6),
                         .misuse = sqlite3_column_int(st, 7),
                         .sync_state = col_text(st, 8)};
    return w->vote_fn(w->ctx, &v);
}

/* Steps sql over range until the rows end or the callback stops the walk. */
static store_rc walk_rows(store_reader *r, const char *sql, store_range range, const walk *w,
                          char *err, size_t errlen)
{
    sqlite3_stmt *st;
    if (prepare_range(r, sql, range, &st) != 0)
        return db_error(r->db, err, errlen);
    int rc = SQLITE_DONE, stop = 0;
    while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW)
        stop = walk_row(w, st);
    /* The message is read while the statement is still alive, as the export always did. */
    store_rc result = stop || rc == SQLITE_DONE ? STORE_OK : db_error(r->db, err, errlen);
    sqlite3_finalize(st);
    return result;
}

store_rc store_reader_count(store_reader *r, store_range range, int64_t *n, char *err,
                            size_t errlen)
{
    sqlite3_stmt *st;
    if (prepare_range(r,
                      "SELECT count(*) FROM votes WHERE created_at >= ?1 AND "
                      "created_at < ?2",
                      range, &st) != 0)
        return db_error(r->db, err, errlen);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? STORE_OK : db_error(r->db, err, errlen);
}

store_rc store_reader_counts(store_reader *r, store_range range, store_read_group_fn fn, void *ctx,
                             char *err, size_t errlen)
{
    walk w = {.group_fn = fn, .ctx = ctx};
    return walk_rows(r, groups_sql, range, &w, err, errlen);
}

store_rc store_reader_votes(store_reader *r, store_range range, store_read_vote_fn fn, void *ctx,
                            char *err, size_t errlen)
{
    walk w = {.vote_fn = fn, .ctx = ctx};
    return walk_rows(r, votes_sql, range, &w, err, errlen);
}

store_rc store_reader_commendations(store_reader *r, store_range range,
                                    int (*fn)(void *ctx, const char *officer_code, int64_t n),
                                    void *ctx, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(r->db,
                           "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'feedback'",
                           -1, &st, NULL) != SQLITE_OK)
        return db_error(r->db, err, errlen);
    int have = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    if (!have)
        return STORE_OK;
    if (prepare_range(r,
                      "SELECT officer_code, count(*) FROM feedback WHERE kind = 'bieu-duong'"
                      " AND officer_code <> '' AND created_at >= ?1 AND created_at < ?2"
                      " GROUP BY officer_code",
                      range, &st) != 0)
        return db_error(r->db, err, errlen);
    int rc, stop = 0;
    while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW)
        stop = fn(ctx, col_text(st, 0), sqlite3_column_int64(st, 1));
    store_rc result = stop || rc == SQLITE_DONE ? STORE_OK : db_error(r->db, err, errlen);
    sqlite3_finalize(st);
    return result;
}
