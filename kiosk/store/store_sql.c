/* store_sql: the helpers every store file shares (store_int.h): failures noted in words and
 * logged, prepared statements run, transactions, columns copied. */
#include "store_int.h"

#include "log.h"
#include "util.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int store_is_corrupt(int rc)
{
    rc &= 0xff; /* extended codes such as SQLITE_CORRUPT_INDEX share the primary code's low byte */
    return rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB;
}

/* Records a failure as the store's last error, copies it to err and logs it. */
store_rc store_fail(store *s, char *err, size_t errlen, const char *fmt, ...)
{
    char msg[HL_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    util_strlcpy(s->last_error, msg, sizeof s->last_error);
    if (err && errlen)
        util_strlcpy(err, msg, errlen);
    log_error("store: %s", msg);
    return STORE_ERROR;
}

store_rc store_sql_fail(store *s, int rc, const char *what_fmt, ...)
{
    char what[HL_ERR_MAX];
    va_list ap;
    va_start(ap, what_fmt);
    vsnprintf(what, sizeof what, what_fmt, ap);
    va_end(ap);
    if (store_is_corrupt(rc))
        s->damaged = 1;
    return store_fail(s, NULL, 0, "%s: %s: %s [SQLite code %d]", s->path, what,
                      s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc), rc);
}

/* Notes a SQLite failure (see struct store) and returns rc. msg NULL takes SQLite's own message. */
int store_sql_note(store *s, int rc, const char *msg, const char *what_fmt, ...)
{
    s->sql_rc = rc;
    if (!msg)
        msg = s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
    util_strlcpy(s->sql_msg, msg, sizeof s->sql_msg);
    /* quick_check reports span lines; a log entry is one line. */
    for (char *p = s->sql_msg; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    va_list ap;
    va_start(ap, what_fmt);
    vsnprintf(s->sql_what, sizeof s->sql_what, what_fmt, ap);
    va_end(ap);
    return rc;
}

/* Runs a prepared statement that returns no rows we need. */
int store_run(store *s, int id, const char *what)
{
    sqlite3_stmt *st = s->st[id];
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE || rc == SQLITE_ROW) {
        sqlite3_reset(st);
        return SQLITE_OK;
    }
    store_sql_note(s, rc, NULL, "%s", what);
    sqlite3_reset(st);
    return rc;
}

/* Ends a failed transaction. SQLite may already have rolled back by itself (after an I/O error
 * or disk full), hence the autocommit check. */
void store_rollback(store *s)
{
    if (!s->db || sqlite3_get_autocommit(s->db))
        return;
    int rc = s->st[ST_ROLLBACK] ? sqlite3_step(s->st[ST_ROLLBACK]) : SQLITE_MISUSE;
    if (s->st[ST_ROLLBACK])
        sqlite3_reset(s->st[ST_ROLLBACK]);
    if (rc != SQLITE_DONE)
        rc = sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    if (rc != SQLITE_DONE && rc != SQLITE_OK && !sqlite3_get_autocommit(s->db))
        log_error("store: %s: ROLLBACK failed: %s", s->path, sqlite3_errmsg(s->db));
}

/* Runs SQL without results (pragmas, migrations). */
int store_exec(store *s, const char *sql, const char *what)
{
    char *msg = NULL;
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        store_sql_note(s, rc, msg, "%s", what);
        sqlite3_free(msg);
    }
    return rc;
}

/* BEGIN IMMEDIATE, unless the connection is missing. */
int store_begin(store *s)
{
    if (!s->db)
        return SQLITE_MISUSE;
    int rc = sqlite3_step(s->st[ST_BEGIN]);
    sqlite3_reset(s->st[ST_BEGIN]);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int store_commit(store *s)
{
    int rc = sqlite3_step(s->st[ST_COMMIT]);
    sqlite3_reset(s->st[ST_COMMIT]);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int store_end(store *s, int rc)
{
    if (rc == SQLITE_OK)
        rc = store_commit(s);
    if (rc != SQLITE_OK)
        store_rollback(s);
    return rc;
}

/* Steps a statement that returns no rows and resets it; SQLITE_OK or the failing code. */
int store_step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

void store_copy_col(sqlite3_stmt *st, int col, char *dst, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    util_strlcpy(dst, t ? (const char *)t : "", cap);
}
