/* store_int.h: what the store's files share and no one else sees (the SQLite handle, the prepared
 * statements, the failure helpers). Included only by kiosk/store/store*.c; the API is store.h. */
#ifndef HL_STORE_INT_H
#define HL_STORE_INT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "store.h"
#include "util.h"

/* Statements used on every vote, prepared once per connection so a tap costs no SQL parsing. Their
 * SQL is in store.c (stmt_sql). */
enum {
    ST_BEGIN,
    ST_COMMIT,
    ST_ROLLBACK,
    ST_PREV_CREATED,
    ST_NEXT_SEQ,
    ST_INSERT,
    ST_FINISH,
    ST_GET,
    ST_COUNTS,
    /* sync (the sender's connection and the status command) */
    ST_OLDEST_BATCH,
    ST_UNSENT_FOR_BATCH,
    ST_FREEZE_VOTE,
    ST_INSERT_BATCH,
    ST_UNFREEZE,
    ST_DELETE_BATCH,
    ST_BATCH_SIZE,
    ST_MARK_SENT,
    ST_MARK_QUARANTINED,
    ST_STATUS_ROW,
    ST_GET_LIMIT,
    ST_SET_LIMIT,
    ST_NOTE_SUCCESS,
    ST_NOTE_BATCH_FAILURE,
    ST_NOTE_FAILURE,
    ST_SET_STATE,
    ST_SYNC_STATUS,
    ST_SYNC_COUNTS,
    /* settings (admin PIN, desk officer) */
    ST_SETTING_GET,
    ST_SETTING_PUT,
    ST_SETTING_DEL,
    ST_COUNT
};

struct store {
    sqlite3 *db; /* NULL after a failed reopen; the next vote tries to open again */
    char *dir, *path, *vfs;
    int64_t response_interval_ms;
    const hl_clock *clock;  /* store_opts.clock */
    int64_t last_vote_mono; /* clk_mono_ms when this handle last recorded a vote; -1 none yet */
    /* The clock reading (wall, monotonic) a new vote's time is checked against for a jump: the
     * previous vote recorded through this handle, or the opening. ref_mono -1: no clock. */
    int64_t ref_wall, ref_mono;
    int secondary, readonly; /* store_opts */
    dev_t dev;               /* the file this connection opened, to notice it was replaced */
    ino_t ino;
    int damaged; /* secondary/readonly: SQLite reported corruption; reopen */
    const char *const *extra_migrations;
    size_t n_extra_migrations;
    sqlite3_stmt *st[ST_COUNT];
    /* The SQLite failure being handled: code, message and what we were doing, captured at the
     * moment of failure because a ROLLBACK afterwards replaces the connection's message. */
    int sql_rc;
    char sql_msg[256];
    char sql_what[96];
    char last_error[HL_ERR_MAX];
    /* The open failed for a reason with a message of its own, said as it is instead of "cannot
     * open the vote database": a newer schema (too_new: STORE_NEWER_SCHEMA), or the copy before a
     * migration could not be written. "" otherwise. */
    int too_new;
    char open_msg[HL_ERR_MAX];
};

/* store_schema.c: the migrations, migrations[i] taking user_version i to i + 1. */
extern const char *const store_migrations[];
extern const size_t store_n_migrations;

/* store_feedback.c: the sync of feedback items, inside store_sync.c's transactions. Reads up to
 * max items of kiosk_id waiting for a batch (*n, fb malloc'ed, free it), freezes them into
 * batch_id, unfreezes a batch's items, marks one result (1 if the uuid was one of the batch's
 * items: *quarantined set), and counts the waiting and quarantined ones. SQLite codes. */
int store_fb_read_unsent(store *s, const char *kiosk_id, int max, wire_feedback **fb, int *n);
int store_fb_freeze(store *s, const char *batch_id, const char *uuid, int *changed);
int store_fb_unfreeze(store *s, const char *batch_id);
int store_fb_mark(store *s, const char *batch_id, const wire_result *r, int *matched);
int store_fb_counts(store *s, int64_t *waiting, int64_t *quarantined);

/* SQLITE_CORRUPT or SQLITE_NOTADB, extended codes included. */
int store_is_corrupt(int rc);

/* Records a failure as the store's last error, copies it to err (may be NULL) and logs it.
 * Returns STORE_ERROR. */
store_rc store_fail(store *s, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A failed statement of the sync or settings paths: remembers damage (the connection then asks to
 * be reopened: store_needs_reopen) and records "<path>: <what>: <SQLite's message> [SQLite code
 * N]" as store_fail does. Returns STORE_ERROR. */
store_rc store_sql_fail(store *s, int rc, const char *what_fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Notes a SQLite failure (see struct store) and returns rc. msg NULL takes SQLite's own message. */
int store_sql_note(store *s, int rc, const char *msg, const char *what_fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Two families of statement helpers, both on the prepared statements:
 * - store_run: steps s->st[id] and notes a failure (store_sql_note) for the vote path, whose
 *   messages quote s->sql_what / s->sql_msg;
 * - store_begin / store_end / store_step_done: return the SQLite code only, for the sync and
 *   settings paths, whose messages quote the connection's own message (store_sql_fail). */
int store_run(store *s, int id, const char *what);
int store_begin(store *s); /* BEGIN IMMEDIATE; SQLITE_MISUSE when the connection is missing */
int store_commit(store *s);
/* Ends a store_begin transaction: commits when rc is SQLITE_OK, else (and when the commit fails)
 * rolls back. SQLITE_OK or the failing code. */
int store_end(store *s, int rc);
/* Steps a statement that returns no rows and resets it; SQLITE_OK or the failing code. */
int store_step_done(sqlite3_stmt *st);
/* Ends a failed transaction (nothing to do when SQLite already rolled back by itself). */
void store_rollback(store *s);
/* Runs SQL without results (pragmas, migrations, BEGIN of a read), noting a failure. */
int store_exec(store *s, const char *sql, const char *what);
/* Copies a text column ("" for NULL), truncated to cap. */
void store_copy_col(sqlite3_stmt *st, int col, char *dst, size_t cap);

/* ---- store_backup.c ---- */

/* The message for a file at schema v, newer than this program's latest: which hailong-kiosk
 * brought it there (settings key schema_v<v>_by, when db can read it) and what to install. */
void store_newer_message(sqlite3 *db, const char *path, long v, int latest, char *msg, size_t cap);
/* Inside migrate()'s write transaction, before migrating the existing file from schema `from` to
 * `to`: copies it (read through a second connection, which sees the last committed state the
 * migration starts from) to <path>.pre-v<to>-<UTC time>.bak and logs the name. SQLITE_OK, or
 * SQLITE_ERROR with s->open_msg said (nothing is migrated then). */
int store_backup_before_migration(store *s, long from, int to);
/* Inside the transaction that brings the file to schema `version` (the program's latest):
 * records this program as the one that did (settings key schema_v<version>_by), so that an older
 * program can name the version to install. SQLite's result code. */
int store_note_program(store *s, int version);

/* Opens s->path again, moving a damaged file aside (the UI's connection only). STORE_OK, or
 * STORE_ERROR with err set. */
store_rc store_open_or_recover(store *s, char *err, size_t errlen);
/* After a statement reported corruption: close, move the file aside and open a fresh one.
 * STORE_OK, or STORE_ERROR with err set. */
store_rc store_recover(store *s, char *err, size_t errlen);

#endif
