/* store_read: the export's read-only connection to votes.db (see store_read.h). Its own plain
 * connection, not a store: the export runs in another process (the CLI) or thread (the admin
 * screen) and must never migrate, release pending votes or move a file aside. */
#include "store_read.h"

#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdarg.h>
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

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (err && errlen)
        vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return rc;
}

int store_reader_open(store_reader **out, const char *db, char *err, size_t errlen)
{
    *out = NULL;
    char path[PATH_MAX + 16];
    struct stat st;
    if (!db || !db[0])
        return fail(err, errlen, HL_EXIT_USAGE,
                    "no data folder given; use --data-dir DIR or "
                    "--config FILE");
    if (stat(db, &st) == 0 && S_ISDIR(st.st_mode)) {
        if (util_fmt(path, sizeof path, "%s/votes.db", db) != 0)
            return fail(err, errlen, HL_EXIT_USAGE, "%s: path too long", db);
    } else {
        util_strlcpy(path, db, sizeof path);
    }
    if (stat(path, &st) != 0)
        return fail(err, errlen, HL_EXIT_RUNTIME,
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
        fail(err, errlen, HL_EXIT_RUNTIME,
             "%s: %s; is it the kiosk's votes.db, and can this user read it and its -wal/-shm "
             "files (run as the kiosk's user or root)?",
             path, h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
        sqlite3_close(h);
        return HL_EXIT_RUNTIME;
    }
    /* One read transaction: the count, the summary and the rows see the same snapshot while
     * the kiosk goes on writing (WAL readers never block it). */
    if (sqlite3_exec(h, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
        fail(err, errlen, HL_EXIT_RUNTIME, "%s: %s", path, sqlite3_errmsg(h));
        sqlite3_close(h);
        return HL_EXIT_RUNTIME;
    }
    store_reader *r = xcalloc(1, sizeof *r);
    r->db = h;
    *out = r;
    return 0;
}

void store_reader_close(store_reader *r)
{
    if (!r)
        return;
    sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(r->db);
    free(r);
}

static int db_error(sqlite3 *h, char *err, size_t errlen)
{
    return fail(err, errlen, HL_EXIT_RUNTIME, "reading %s: %s", sqlite3_db_filename(h, "main"),
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

int store_reader_count(store_reader *r, store_range range, int64_t *n, char *err, size_t errlen)
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
    return rc == SQLITE_ROW ? 0 : db_error(r->db, err, errlen);
}

int store_reader_counts(store_reader *r, store_range range, store_read_group_fn fn, void *ctx,
                        char *err, size_t errlen)
{
    sqlite3_stmt *st;
    if (prepare_range(r,
                      "SELECT officer_code, rating, misuse, count(*) FROM votes "
                      "WHERE created_at >= ?1 AND created_at < ?2 "
                      "GROUP BY officer_code, rating, misuse",
                      range, &st) != 0)
        return db_error(r->db, err, errlen);
    int rc = SQLITE_DONE, stop = 0;
    while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_read_group g = {.officer_code = col_text(st, 0),
                              .rating = sqlite3_column_int(st, 1),
                              .misuse = sqlite3_column_int(st, 2),
                              .n = sqlite3_column_int64(st, 3)};
        stop = fn(ctx, &g);
    }
    sqlite3_finalize(st);
    if (stop)
        return stop;
    return rc == SQLITE_DONE ? 0 : db_error(r->db, err, errlen);
}

int store_reader_votes(store_reader *r, store_range range, store_read_vote_fn fn, void *ctx,
                       char *err, size_t errlen)
{
    sqlite3_stmt *st;
    if (prepare_range(r,
                      "SELECT uuid, kiosk_id, seq, officer_code, rating, reasons, created_at, "
                      "misuse, sync_state FROM votes "
                      "WHERE created_at >= ?1 AND created_at < ?2 ORDER BY created_at, rowid",
                      range, &st) != 0)
        return db_error(r->db, err, errlen);
    int rc = SQLITE_DONE, stop = 0;
    while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_read_vote v = {.uuid = col_text(st, 0),
                             .kiosk_id = col_text(st, 1),
                             .seq = sqlite3_column_int64(st, 2),
                             .officer_code = col_text(st, 3),
                             .rating = sqlite3_column_int(st, 4),
                             .reasons = col_text(st, 5),
                             .created_at = sqlite3_column_int64(st, 6),
                             .misuse = sqlite3_column_int(st, 7),
                             .sync_state = col_text(st, 8)};
        stop = fn(ctx, &v);
    }
    /* The message is read while the statement is still alive, as the export always did. */
    int result = stop ? stop : rc == SQLITE_DONE ? 0 : db_error(r->db, err, errlen);
    sqlite3_finalize(st);
    return result;
}
