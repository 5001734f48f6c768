/* db_int: what the db_*.c files share and callers of db.h never see: the connection, the statement
 * table, and the runner (prepared statements, typed parameters, rows streamed to a callback) that
 * db.c implements over both backends. Included only by sync/collector/db*.c. */
#ifndef HL_DB_INT_H
#define HL_DB_INT_H

#include "db.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* Every fixed statement, by index into db.c's SQL table (prepared on first use per connection). */
enum {
    Q_SCHEMA_VERSION,
    Q_SCHEMA_SET,
    Q_SCHEMA_NOTE_PROGRAM,
    Q_SCHEMA_PROGRAM,
    Q_TOKEN_LOOKUP,
    Q_TOKEN_ACTIVE,
    Q_TOKEN_INSERT,
    Q_TOKEN_REVOKE,
    Q_KIOSK_INSERT,
    Q_KIOSK_UNIT,
    Q_KIOSK_LIST,
    Q_VOTE_OWNER,
    Q_OPERATOR_LIST,
    Q_KIOSK_UNIT_OF,
    Q_HEALTH_PUT,
    Q_OFFICER_PUT,
    Q_HEALTH_LIST,
    Q_REASON_PUT,
    Q_REASON_LABELS,
    Q_OFFICERS_OF,
    Q_SUM_UNIT,
    Q_SUM_KIOSK,
    Q_SUM_OFFICER,
    Q_SUM_DAY,
    Q_VOTES,
    Q_TOT_DAY_ADD,
    Q_TOT_KDAY_ADD,
    Q_TOT_KMONTH_ADD,
    Q_TOT_HOUR_ADD,
    Q_TOT_REASON_ADD,
    Q_TOT_KDAYS,
    Q_TU_UNIT,
    Q_TU_KIOSK,
    Q_TU_OFFICER,
    Q_TU_DAY,
    Q_TA_OFFICER,
    Q_TK_UNIT,
    Q_TK_KIOSK,
    Q_TK_DAY,
    Q_TM_UNIT,
    Q_TM_KIOSK,
    Q_TM_MONTH,
    Q_TOT_HOURS,
    Q_TOT_REASONS,
    Q_RULE_PUT,
    Q_RULE_DROP,
    Q_RULE_LIST,
    Q_ALERT_PUT,
    Q_ALERT_DUE,
    Q_ALERT_CLAIM,
    Q_ALERT_DONE,
    Q_ALERT_FAILED,
    Q_ALERT_LIST,
    Q_CURSOR_GET,
    Q_CURSOR_PUT,
    Q_UNHAPPY_SINCE,
    Q_UNHAPPY_COUNT,
    Q_LAST_CONTACT,
    Q_USER_PUT,
    Q_USER_GET,
    Q_USER_LIST,
    Q_USER_FAILED,
    Q_USER_LOGGED_IN,
    Q_USER_DISABLE,
    Q_SESSION_PUT,
    Q_SESSION_GET,
    Q_SESSION_DROP,
    Q_SESSION_DROP_USER,
    Q_SESSION_PURGE,
    Q_PING,
    Q_PROBE_IN,
    Q_PROBE_OUT,
    Q_FB_INSERT,
    Q_FB_OWNER,
    Q_FB_LIST,
    Q_FB_GET,
    Q_FB_UPDATE,
    Q_FB_LOG_ADD,
    Q_FB_LOG,
    Q_FB_SINCE,
    Q_FB_COUNT,
    Q_FB_ERASE,
    Q_FB_COMMEND,
    Q_UNIT_PUT,
    Q_UNIT_GET,
    Q_LETTER_NEXT,
    Q_LETTER_ADD,
    Q_LETTER_LIST,
    Q_COUNT
};

/* The statements' text, by Q_* (db_sql.c). */
extern const char *const db_sql[Q_COUNT];

/* A batch's votes go in with INSERT ... VALUES (row 1), (row 2), ... ON CONFLICT (uuid) DO NOTHING
 * RETURNING uuid: on PostgreSQL one statement for the whole batch, one round trip instead of one
 * per vote; on SQLite (3.35 and later have RETURNING) its one-row form once per vote. Its text
 * depends on the number of rows, so the last few sizes used stay prepared (a drain sends 500
 * after 500). */
#define VOTE_COLS  13
#define VOTE_SLOTS 4

/* One prepared statement: SQLite's, or the name PostgreSQL knows it by. */
typedef struct {
    sqlite3_stmt *st;
    int *pos; /* SQLite: pos[k] is the bind index of $k+1 (0: not in the statement) */
    int n_pos;
    char pg_name[32]; /* "" until prepared on this connection */
} db_stmt;

struct db {
    int kind;
    int broken;
    char *path; /* SQLite: the file; NULL on PostgreSQL */
    sqlite3 *lite;
    PGconn *pg;
    db_stmt q[Q_COUNT];
    db_stmt ins[VOTE_SLOTS]; /* multi-row vote inserts (db_votes.c) */
    size_t ins_rows[VOTE_SLOTS];
    char *ins_sql[VOTE_SLOTS];
    int ins_next; /* the slot to reuse next */
};

/* A parameter: text (s, NULL for SQL NULL) or integer. */
typedef struct {
    int is_text;
    int64_t i;
    const char *s;
} db_val;

static inline db_val db_vi(int64_t i)
{
    db_val v = {0, i, NULL};
    return v;
}

static inline db_val db_vs(const char *s)
{
    db_val v = {1, 0, s};
    return v;
}

/* A result row during a callback. */
typedef struct {
    db *d;
    sqlite3_stmt *st;
    PGresult *res;
} db_row;

const char *db_col_text(const db_row *r, int c); /* "" for NULL */
int db_col_null(const db_row *r, int c);
int64_t db_col_int(const db_row *r, int c);

/* Called per row; returns nonzero to stop. */
typedef int (*db_row_fn)(const db_row *r, void *ctx);
/* A db_row_fn that stores column 0 in *(int64_t *)ctx and stops. */
int db_get_int_cb(const db_row *r, void *ctx);

/* A caller's typed row callback and its context, carried through a db_row_fn adapter. */
typedef struct {
    union {
        int (*kiosk)(const db_kiosk_row *r, void *ctx);
        int (*summary)(const db_summary_row *r, void *ctx);
        int (*op)(const db_operator_row *r, void *ctx);
        int (*health)(const db_health_row *r, void *ctx);
        int (*vote)(const db_vote_row *r, void *ctx);
        int (*user)(const db_user *u, void *ctx);
        int (*officer)(const db_officer_row *r, void *ctx);
        int (*label)(const char *unit, const char *code, const char *label, void *ctx);
        int (*rule)(const db_rule *r, void *ctx);
        int (*alert)(const db_alert *a, void *ctx);
        int (*unhappy)(const db_unhappy *v, void *ctx);
        int (*contact)(const char *kiosk, const char *unit, int64_t at, void *ctx);
    } fn;
    void *ctx;
} db_sink;

/* Formats into err (may be NULL), on one line: libpq's messages end in and may hold newlines. */
void db_set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prepares text as s (once per connection). name: PostgreSQL's name for it. 0, or 1 with err. */
int db_stmt_prepare(db *d, db_stmt *s, const char *name, const char *text, char *err,
                    size_t errlen);
/* dealloc: also forget it on the PostgreSQL connection (not when closing that anyway). */
void db_stmt_free(db *d, db_stmt *s, int dealloc);
/* Runs the prepared statement s with params, calling fn (may be NULL) per row; *changes (may be
 * NULL) gets the number of rows an INSERT/UPDATE changed. 0, or 1 with err. */
int db_run_stmt(db *d, db_stmt *s, const db_val *p, int np, db_row_fn fn, void *ctx,
                int64_t *changes, char *err, size_t errlen);
/* Runs fixed statement q (Q_*), prepared on first use. */
int db_run(db *d, int q, const db_val *p, int np, db_row_fn fn, void *ctx, int64_t *changes,
           char *err, size_t errlen);

/* The program name recorded in schema_version.program and quoted in messages. */
#define DB_PROGRAM "hailong-collector"

/* The one message for a database that is not there (path: the SQLite file; NULL: PostgreSQL), or
 * is there without our schema. Returns 2. (db.c) */
int db_no_database(const char *path, char *err, size_t errlen);

/* ---- db_backup.c ---- */

/* The message for a database at schema v, newer than this program's latest: which collector
 * brought it there (schema_version.program, when it can be read) and what to install. */
void db_newer_message(db *d, int64_t v, int latest, char *err, size_t errlen);
/* Inside migrate()'s write transaction, before migrating an existing database from schema `from`
 * to `to`: SQLite copies the file to <path>.pre-v<to>-<UTC time>.bak and logs its name;
 * PostgreSQL only logs that pg_dump is its backup. 0, or 1 with err (nothing is migrated). */
int db_backup_before_migration(db *d, int64_t from, int to, char *err, size_t errlen);

/* ---- db_totals.c ---- */

/* Adds the votes[i] with added[i] set (stored by this batch, not duplicates) to the totals, inside
 * the caller's transaction; placed_at[i] and suspect[i] as db_clock_judge gave them. 0 or 1. */
int db_totals_add(db *d, const char *kiosk_id, const wire_vote *votes, const int64_t *placed_at,
                  const int *suspect, const int *added, size_t n, char *err, size_t errlen);
/* f's range as local day numbers [from, to): 0, or -1 when a bound is not at a local midnight (the
 * totals cannot answer it; the votes can). */
int db_filter_days(const db_filter *f, int64_t *from_day, int64_t *to_day);
/* db_summary from the totals: 0 or 1 as db_run, or -1 (nothing run) when the totals cannot answer
 * (f not whole days, or an officer without a unit): the votes must. */
int db_totals_summary(db *d, const char *by, const db_filter *f,
                      int (*fn)(const db_summary_row *r, void *ctx), void *ctx, char *err,
                      size_t errlen);
/* Fills tot_kmonth from tot_kday (the calendar is C's): at migration 6 and `totals rebuild`. */
int db_totals_months(db *d, char *err, size_t errlen);

#endif
