/* db: the collector's database behind one interface, on SQLite (one file, WAL; the default) or
 * PostgreSQL (libpq; several collectors share it), with the same schema and the same SQL text.
 * A db handle is one connection, used by one thread at a time; db_pool hands them out. Prefix: db_.
 */
#ifndef HL_DB_H
#define HL_DB_H

#include "wire.h"

#include <stddef.h>
#include <stdint.h>

typedef struct db db;

enum { DB_SQLITE, DB_POSTGRES };

/* url: "sqlite:PATH" or "postgresql://..." ("postgres://" too). Connects to an existing
 * collector database and brings its schema up to date (idempotent, safe when several processes
 * start at once). Returns 0; 2 for a url of neither form, a schema newer than this program, or a
 * database that does not exist (no SQLite file, or no collector schema in it or in PostgreSQL:
 * nothing is created); 1 when the database cannot be opened. */
int db_open(const char *url, db **out, char *err, size_t errlen);
/* db_open, but creates the database (SQLite file) and the schema when missing: only
 * `hailong-collector init` and tests call it. *created (may be NULL) says whether it did. */
int db_create(const char *url, int *created, db **out, char *err, size_t errlen);
void db_close(db *d);
int db_kind(const db *d);
/* 1 after a failure that left the connection unusable (PostgreSQL connection lost). */
int db_broken(const db *d);
/* Whether url names a backend we know: 0, or 2 with err. Does not connect. */
int db_check_url(const char *url, char *err, size_t errlen);

int db_schema_version(void);

/* ---- backup (db_backup.c) ---- */

typedef struct {
    int schema;     /* the copy's schema version */
    int64_t votes;  /* votes in the copy */
    int64_t kiosks; /* kiosks enrolled in it */
    int64_t bytes;  /* its size */
} db_backup_info;

/* `hailong-collector backup`: copies the SQLite database of url to out while the collector may be
 * running and storing batches, on a read-only connection of its own: SQLite's online backup in
 * one read transaction (every batch committed before it began, none half), written as
 * out.tmp-XXXXXX, made one self-contained file, checked with PRAGMA integrity_check, fsynced and
 * renamed to out (mode 0600); out is replaced only with replace = 1. Nothing is migrated. 0 with
 * *info filled from the copy; 2 for a PostgreSQL url (err gives the pg_dump command to use
 * instead), out existing without replace, a missing or unwritable folder, a database that does
 * not exist or has a newer schema; 1 when it cannot be read or the copy cannot be written. */
int db_backup(const char *url, const char *out, int replace, db_backup_info *info, char *err,
              size_t errlen);

/* ---- tokens ---- */
enum { DB_TOKEN_KIOSK, DB_TOKEN_OPERATOR };

typedef struct {
    int found;
    int kind; /* DB_TOKEN_* */
    int revoked;
    char name[64];  /* kiosk id or operator name */
    char hash[65];  /* the stored hash, for the caller's constant-time comparison */
    char unit[256]; /* an operator's: the one unit it may read ("": every unit) */
} db_token;

/* Looks a token up by its hash: 0 (out->found says whether it exists), or 1 on a database error. */
int db_token_lookup(db *d, const char *hash_hex, db_token *out, char *err, size_t errlen);
/* Enrols a kiosk (creating or updating its row; unit NULL keeps the stored one) with a new token
 * hash. 0; 2 when the kiosk already has an active token; 1 on a database error. */
int db_kiosk_add(db *d, const char *id, const char *unit, const char *hash_hex, int64_t now_ms,
                 char *err, size_t errlen);
/* An operator token; unit NULL or "": it reads every unit (the province), else only that one (a
 * commune's leader). 0; 2 when the operator already has an active token; 1 on a database error. */
int db_operator_add(db *d, const char *name, const char *unit, const char *hash_hex, int64_t now_ms,
                    char *err, size_t errlen);

typedef struct {
    const char *name, *unit;        /* unit "": every unit */
    int64_t created_at, revoked_at; /* revoked_at 0: active */
} db_operator_row;
/* Every operator token ever issued, by name then age; fn returns nonzero to stop. */
int db_operator_list(db *d, int (*fn)(const db_operator_row *r, void *ctx), void *ctx, char *err,
                     size_t errlen);
/* Revokes every active token of that kiosk or operator: 0; 2 when there was none; 1 on error. */
int db_token_revoke(db *d, int kind, const char *name, int64_t now_ms, char *err, size_t errlen);

typedef struct {
    const char *id, *unit;
    int64_t created_at, votes, last_received_at; /* last_received_at 0: never */
    int active;
} db_kiosk_row;
/* Calls fn for each kiosk in id order; fn returns nonzero to stop. */
int db_kiosk_list(db *d, int (*fn)(const db_kiosk_row *r, void *ctx), void *ctx, char *err,
                  size_t errlen);

/* ---- dashboard users and sessions (db_users.c) ---- */

enum { DB_ROLE_PROVINCE, DB_ROLE_COMMUNE, DB_ROLE_OFFICER };

typedef struct {
    int found;
    char name[64];
    int role;                        /* DB_ROLE_* */
    char unit[256];                  /* commune, officer: their unit */
    char officer_code[32];           /* officer: their code in that unit */
    char pw_hash[160];               /* libsodium's argon2id string (crypto_pwhash_str) */
    int64_t failed;                  /* failed logins in a row */
    int64_t locked_until;            /* UTC ms; 0: not locked */
    int64_t created_at, disabled_at; /* disabled_at 0: active */
} db_user;

/* "province", "commune", "officer" and back (-1: none of them). */
const char *db_role_name(int role);
int db_role_parse(const char *s);

/* Creates or replaces user u->name (its failures and lock cleared, enabled again). 0 or 1. */
int db_user_put(db *d, const db_user *u, int64_t now_ms, char *err, size_t errlen);
/* 0 with out->found set or not, or 1. */
int db_user_get(db *d, const char *name, db_user *out, char *err, size_t errlen);
/* Every user by name (pw_hash left empty); fn returns nonzero to stop. */
int db_user_list(db *d, int (*fn)(const db_user *u, void *ctx), void *ctx, char *err,
                 size_t errlen);
/* A failed login of name at now_ms: counted; at max_failed in a row the account is locked for
 * lock_ms. A successful one clears the count. 0 or 1. */
int db_user_failed(db *d, const char *name, int64_t now_ms, int64_t lock_ms, int max_failed,
                   char *err, size_t errlen);
int db_user_logged_in(db *d, const char *name, char *err, size_t errlen);
/* Disables name and deletes its sessions: 0, 2 when there is no such active user, 1. */
int db_user_disable(db *d, const char *name, int64_t now_ms, char *err, size_t errlen);

typedef struct {
    int found;
    char user[64];
    char csrf[48];
    int64_t expires_at;
} db_session;

/* A session: stored by the hash of its cookie value (like tokens), with its CSRF token. */
int db_session_put(db *d, const char *id_hash, const char *user, const char *csrf, int64_t now_ms,
                   int64_t expires_at, char *err, size_t errlen);
int db_session_get(db *d, const char *id_hash, db_session *out, char *err, size_t errlen);
int db_session_drop(db *d, const char *id_hash, char *err, size_t errlen);
/* Deletes the sessions that expired before now_ms. 0 or 1. */
int db_session_purge(db *d, int64_t now_ms, char *err, size_t errlen);

/* Transactions. Begin takes SQLite's write lock up front; rollback never fails loudly. */
int db_tx_begin(db *d, char *err, size_t errlen);
int db_tx_commit(db *d, char *err, size_t errlen);
void db_tx_rollback(db *d);
/* Ends a transaction: commits when failed is 0, else (and when the commit fails) rolls back.
 * 0, or 1 (err set by whatever failed). */
int db_tx_end(db *d, int failed, char *err, size_t errlen);

/* ---- alerts (db_alerts.c) ---- */

typedef struct {
    const char *name, *kind, *unit; /* kind: chua-hai-long, nhieu-chua-hai-long, may-im-lang */
    int64_t threshold, window_min;  /* N votes within window_min; or silent minutes */
    const char *email, *webhook;    /* addresses separated by commas; a URL ("": none) */
    int64_t created_at;
} db_rule;

int db_rule_put(db *d, const db_rule *r, char *err, size_t errlen);
/* 0, 2 when there is no such rule, 1. */
int db_rule_drop(db *d, const char *name, char *err, size_t errlen);
int db_rule_list(db *d, int (*fn)(const db_rule *r, void *ctx), void *ctx, char *err,
                 size_t errlen);

typedef struct {
    const char *id, *rule, *kind, *unit, *kiosk_id, *officer_code, *subject, *body, *channel,
        *target, *last_error;
    int64_t created_at, attempts, sent_at;
    int gave_up;
} db_alert;

/* Raises an alert (one row per channel, id naming the event and the channel): nothing when that
 * id exists already, so collectors sharing a database raise it once. 0 or 1. */
int db_alert_put(db *d, const db_alert *a, char *err, size_t errlen);
/* The alerts due for a delivery at now (at most 50), each claimed for claim_ms: fn gets those
 * this caller claimed. 0 or 1. */
int db_alert_due(db *d, int64_t now, int64_t claim_ms, int (*fn)(const db_alert *a, void *ctx),
                 void *ctx, char *err, size_t errlen);
int db_alert_done(db *d, const char *id, int64_t now, char *err, size_t errlen);
/* A failed delivery: tried again at next_at, or never (gave_up). */
int db_alert_failed(db *d, const char *id, int64_t next_at, int gave_up, const char *why, char *err,
                    size_t errlen);
/* The latest alerts (of unit, or all when ""), newest first. */
int db_alert_list(db *d, const char *unit, int64_t limit, int (*fn)(const db_alert *a, void *ctx),
                  void *ctx, char *err, size_t errlen);

int db_cursor_get(db *d, const char *name, int64_t *value, char *err, size_t errlen);
int db_cursor_put(db *d, const char *name, int64_t value, char *err, size_t errlen);

typedef struct {
    const char *uuid, *kiosk_id, *unit, *officer_code, *officer_name, *reasons;
    int64_t placed_at, received_at;
} db_unhappy;
/* The "chưa hài lòng" votes (not misuse) received in (from, to], in receipt order. */
int db_unhappy_since(db *d, int64_t from, int64_t to, int (*fn)(const db_unhappy *v, void *ctx),
                     void *ctx, char *err, size_t errlen);
/* How many "chưa hài lòng" of officer in unit were placed in [from, to]. */
int db_unhappy_count(db *d, const char *unit, const char *officer, int64_t from, int64_t to,
                     int64_t *n, char *err, size_t errlen);
/* Every active kiosk with its unit and last contact (report or batch; 0: never). */
int db_last_contact(db *d, int (*fn)(const char *kiosk, const char *unit, int64_t at, void *ctx),
                    void *ctx, char *err, size_t errlen);

/* ---- kiosk health ---- */

/* Stores h, a kiosk's health report received at received_at: its latest report replaces the one
 * before, and its officers are kept under its unit (added or updated, none removed). 0, or 1 on a
 * database error (nothing stored). */
int db_store_health(db *d, const wire_health *h, int64_t received_at, char *err, size_t errlen);

typedef struct {
    const char *id, *unit, *version, *content_version; /* version "": never reported */
    int64_t last_contact, sent_at, unsent, officers;   /* last_contact 0: never */
    int clock_suspect;
} db_health_row;
/* Every kiosk with its latest report, in id order; fn returns nonzero to stop. */
int db_health_list(db *d, int (*fn)(const db_health_row *r, void *ctx), void *ctx, char *err,
                   size_t errlen);

typedef struct {
    const char *unit, *code, *name, *title, *counter;
} db_officer_row;
/* The officers the kiosks of unit (every unit when NULL or "") sent, by unit then code. */
int db_officers(db *d, const char *unit, int (*fn)(const db_officer_row *r, void *ctx), void *ctx,
                char *err, size_t errlen);
/* The reasons' labels the kiosks of unit (every unit when NULL or "") sent, by unit then code. */
int db_reason_labels(db *d, const char *unit,
                     int (*fn)(const char *unit, const char *code, const char *label, void *ctx),
                     void *ctx, char *err, size_t errlen);

/* ---- votes ---- */

/* The clock rule (docs/COLLECTOR.md). A batch's own clock reading, sent_at, is the kiosk's wall
 * clock when it sent the batch (header X-Hailong-Sent-At; the batch's frozen_at for a kiosk that
 * does not send it). A vote is clock_suspect when the kiosk marked it (its clock was implausible or
 * had jumped), when its time is implausible (clk_plausible), when the batch's clock is more than
 * DB_SKEW_MS away from the collector's (the kiosk's clock is wrong now), or when the vote is more
 * than DB_SKEW_MS after its own batch's clock (the clock went back since). A backlog delivered
 * days late is none of these: its votes are old, the batch's clock is right.
 * placed_at is the time the reports use: created_at for a vote above suspicion; for a suspect
 * one, created_at moved by the batch's skew when that skew is known, else created_at; in both
 * cases only if the result is plausible and not after the receipt, otherwise the receipt. */
#define DB_SKEW_MS (10 * 60 * 1000LL)
typedef struct {
    int clock_suspect;
    int64_t placed_at;
} db_clock_verdict;
db_clock_verdict db_clock_judge(int64_t created_at, int kiosk_mark, int64_t sent_at,
                                int64_t received_at);

/* Stores batch b's valid votes for kiosk_id in one transaction, ON CONFLICT (uuid) DO NOTHING.
 * sent_at: the kiosk's clock when it sent the batch (b->frozen_at if it did not say).
 * results (b->n entries) start as b->results; each stored-or-not vote becomes accepted, duplicate
 * (already stored for this kiosk) or rejected (the uuid belongs to another kiosk). 0, or 1 on a
 * database error, in which case nothing was stored. */
/* results has b->n + b->n_feedback entries: the votes', then the feedback items'. */
int db_store_batch(db *d, const wire_batch *b, const char *kiosk_id, int64_t received_at,
                   int64_t sent_at, wire_result *results, char *err, size_t errlen);

/* ---- read side ---- */

/* What a read selects: votes with from_ms <= placed_at < to_ms, and when unit or kiosk is set (not
 * NULL or "") only that unit's (the unit given at `kiosk add --unit`) or that kiosk's. */
typedef struct {
    int64_t from_ms, to_ms;
    const char *unit, *kiosk;
    const char *officer; /* one officer's code (meaningful with unit set) */
} db_filter;

typedef struct {
    const char *key;  /* unit, kiosk id, officer code, or day number as text (by "day") */
    const char *unit; /* by "officer": the unit the officer's votes came from; else "" */
    const char *name; /* by "officer": the name the unit's kiosks last sent ("" if none) */
    int64_t rating3, rating2, rating1; /* counted: misuse excluded */
    int64_t misuse, clock_suspect, total;
} db_summary_row;

/* by: "unit", "kiosk", "officer", "day" (key: the local day number) or "month" (key: year * 12 +
 * month - 1; whole days only). An officer code is unique only inside one commune, so by "officer"
 * groups by (unit, officer), in unit then officer order. Read from the totals kept at ingest when
 * f is whole local days (every range report_range makes), else from the votes. */
int db_summary(db *d, const char *by, const db_filter *f,
               int (*fn)(const db_summary_row *r, void *ctx), void *ctx, char *err, size_t errlen);

typedef struct {
    const char *uuid, *kiosk_id, *unit, *boot_id, *officer_code, *reasons;
    int64_t seq, created_at, received_at, placed_at;
    int rating, misuse, clock_suspect;
} db_vote_row;

/* The votes f selects in (placed_at, kiosk_id, seq) order, streamed. */
int db_votes(db *d, const db_filter *f, int (*fn)(const db_vote_row *r, void *ctx), void *ctx,
             char *err, size_t errlen);

/* Recomputes the totals (tot_*) from the votes, in one transaction: after votes were changed by
 * hand in SQL, which the totals kept at ingest cannot see. 0 or 1. */
int db_totals_rebuild(db *d, char *err, size_t errlen);

/* The Vietnam-local day number (UTC+7) of a UTC time: days since 1 January 1970 there. */
int64_t db_local_day(int64_t utc_ms);
/* The local month number (year * 12 + month - 1) of a local day number, and its first day. */
int64_t db_local_month(int64_t day);
int64_t db_month_start(int64_t month);

/* From the totals kept at ingest, for f (whole local days and a unit; HL_EXIT_USAGE otherwise):
 * the counted votes (misuse excluded) per weekday (0 Sunday .. 6 Saturday) and local hour, only
 * the cells that have votes; f->officer is ignored (hours are kept per kiosk). 0, 1 or 2. */
int db_hour_map(db *d, const db_filter *f, int (*fn)(int weekday, int hour, int64_t n, void *ctx),
                void *ctx, char *err, size_t errlen);
/* The reasons given (codes, most given first) in f (whole days, a unit). 0, 1 or 2 as
 * db_hour_map. */
int db_reasons(db *d, const db_filter *f, int (*fn)(const char *reason, int64_t n, void *ctx),
               void *ctx, char *err, size_t errlen);

/* A cheap round trip (SELECT 1): 0 or 1. */
int db_ping(db *d, char *err, size_t errlen);
/* Whether the database takes a write: a row put into schema_version and taken out again in one
 * committed transaction (so it reaches the disk, WAL or table, as a batch would). 0 or 1. */
int db_probe_write(db *d, char *err, size_t errlen);
/* Test faults only (read-only=1): makes this connection refuse every write. 0 or 1. */
int db_refuse_writes(db *d, char *err, size_t errlen);

/* ---- pool: connections shared by the server's connection threads ---- */
typedef struct db_pool db_pool;

db_pool *db_pool_new(const char *url, int max_connections);
/* Blocks while max connections are in use; NULL with err when a new one cannot be opened. */
db *db_pool_get(db_pool *p, char *err, size_t errlen);
/* Returns d; a broken connection is closed so that the next get opens a fresh one. */
void db_pool_put(db_pool *p, db *d);
void db_pool_free(db_pool *p);

/* ---- the feedback inbox (db_feedback.c) ---- */

/* States of an item, in the order an item moves through them. */
#define DB_FB_NEW      "moi"
#define DB_FB_WORKING  "dang-xu-ly"
#define DB_FB_ANSWERED "da-tra-loi"
#define DB_FB_CLOSED   "dong"
/* A new item is due this long after its receipt (the handler may change it). */
#define DB_FB_DUE_MS (10 * 86400000LL)
/* 0..3 for the four states in order, -1 for anything else. */
int db_fb_state_rank(const char *state);

/* Stores the feedback items of b (results[i] for b->feedback[i], starting from b->fb_results;
 * accepted, duplicate, or rejected for a uuid another kiosk used) inside the caller's
 * transaction, each due due_ms after its receipt. 0, or 1 with err. */
int db_feedback_store(db *d, const wire_batch *b, const char *kiosk_id, int64_t received_at,
                      int64_t sent_at, int64_t due_ms, wire_result *results, char *err,
                      size_t errlen);

typedef struct {
    const char *uuid, *kiosk_id, *unit, *kind, *officer_code, *officer_name, *vote_uuid, *text;
    int64_t seq;
    int consent;
    const char *contact_name, *contact_phone, *contact_address; /* "" once erased */
    int64_t contact_erased_at;                                  /* 0: not erased */
    int64_t created_at, placed_at, received_at;
    int clock_suspect;
    const char *state, *handler;
    int64_t due_at, updated_at;
} db_feedback_row;

typedef struct {
    const char *unit;  /* "" every unit */
    const char *state; /* "" every state */
    const char *kind;  /* "" every kind */
    int64_t limit;     /* 0: no limit */
} db_fb_filter;
/* Items newest first; fn returns nonzero to stop. 0 or 1. */
int db_feedback_list(db *d, const db_fb_filter *f, int (*fn)(const db_feedback_row *r, void *ctx),
                     void *ctx, char *err, size_t errlen);
/* How many items of a unit ("" every unit) are in state. 0 or 1. */
int db_feedback_count(db *d, const char *unit, const char *state, int64_t *n, char *err,
                      size_t errlen);
/* Items of kind received in [from, to), oldest first (the alerts' look). 0 or 1. */
int db_feedback_since(db *d, const char *kind, int64_t from, int64_t to,
                      int (*fn)(const db_feedback_row *r, void *ctx), void *ctx, char *err,
                      size_t errlen);
/* One item by its uuid or a unique prefix of it (at least 8 characters): 0 (fn called once), 2
 * when there is none or the prefix is ambiguous (err says which), 1 on a database error. */
int db_feedback_get(db *d, const char *id, int (*fn)(const db_feedback_row *r, void *ctx),
                    void *ctx, char *err, size_t errlen);

/* A change to an item by user: a new state (NULL keeps it; only forward, or from "dong" back to
 * "dang-xu-ly"), handler (NULL keeps it), due date (< 0 keeps it) and a note (may be ""), with a
 * log line. 0; 2 when the change is not allowed (err says why); 1 on a database error. */
int db_feedback_update(db *d, const char *uuid, const char *state, const char *handler,
                       int64_t due_at, const char *user, const char *note, int64_t now_ms,
                       char *err, size_t errlen);
/* The item's log, oldest first. */
int db_feedback_log(db *d, const char *uuid,
                    int (*fn)(int64_t at, const char *user, const char *action, const char *note,
                              void *ctx),
                    void *ctx, char *err, size_t errlen);
/* Erases the contact data of items received before `before` (retention ended): *n gets how many.
 * 0 or 1. */
int db_feedback_erase_contacts(db *d, int64_t before, int64_t now_ms, int64_t *n, char *err,
                               size_t errlen);
/* Commendations (kind bieu-duong) per officer of a unit placed in [from, to). */
int db_feedback_commendations(db *d, const char *unit, int64_t from, int64_t to,
                              int (*fn)(const char *officer_code, int64_t n, void *ctx), void *ctx,
                              char *err, size_t errlen);

/* A unit's letterhead for the Chairman's letters. */
typedef struct {
    int found;
    char unit[256];
    char body[256];     /* "XÃ BOM BO" (the line under "ỦY BAN NHÂN DÂN") */
    char place[128];    /* "Bom Bo" (the date line) */
    char chairman[128]; /* the Chairman's name */
    char symbol[32];    /* the ký hiệu's last part: "UBND" */
} db_unit_profile;
int db_unit_profile_put(db *d, const db_unit_profile *p, int64_t now_ms, char *err, size_t errlen);
int db_unit_profile_get(db *d, const char *unit, db_unit_profile *out, char *err, size_t errlen);

typedef struct {
    char unit[256];
    int year, number; /* number: assigned by db_letter_add (per unit and year, from 1) */
    char symbol[64];  /* "TXL-UBND", "TCO-UBND" */
    char kind[16];    /* "xin-loi", "cam-on" */
    char feedback[37];
    char recipient[256], signer[128], created_by[64];
    int64_t issued_at;
} db_letter;
/* The unit's next number of the year (l->unit, l->year) in l->number. 0 or 1. */
int db_letter_next(db *d, db_letter *l, char *err, size_t errlen);
/* Registers a letter under l->number: 0, or 1 (also when that number was taken meanwhile). */
int db_letter_add(db *d, db_letter *l, char *err, size_t errlen);
/* A unit's letters ("" every unit), oldest first. */
int db_letter_list(db *d, const char *unit, int (*fn)(const db_letter *l, void *ctx), void *ctx,
                   char *err, size_t errlen);

#endif
