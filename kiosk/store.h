/* store: the kiosk's vote database, <data-dir>/votes.db (SQLite, WAL, synchronous=FULL), with
 * numbered migrations. The schema is a contract: docs/SCHEMA.md. No SDL. */
#ifndef HL_STORE_H
#define HL_STORE_H

#include <stddef.h>
#include <stdint.h>

typedef struct store store;

typedef struct {
    /* SQLite VFS name, NULL for the default. Tests pass a fault-injecting VFS. */
    const char *vfs;
    /* A vote created less than this after the previous vote is stored with misuse = 1. */
    int64_t response_interval_ms;
    /* Tests only (leave zero): SQL of further migrations applied after the built-in ones, so the
     * migration runner can be tested with more than one step. Must outlive the store (a corrupt
     * file is replaced by a new one, migrated again). */
    const char *const *extra_migrations;
    size_t n_extra_migrations;
} store_opts;

enum { STORE_RATING_UNHAPPY = 1, STORE_RATING_HAPPY = 2, STORE_RATING_VERY_HAPPY = 3 };

/* Sync states (column votes.sync_state). */
#define STORE_SYNC_PENDING "pending" /* follow-up (reasons) still open; not to be sent yet */
#define STORE_SYNC_UNSENT  "unsent"
#define STORE_SYNC_SENT    "sent"

typedef struct {
    char uuid[37];
    char kiosk_id[64];
    int64_t seq;
    char boot_id[37];
    char officer_code[32];
    int rating;
    /* JSON array of reason codes, "[]" when none; room for all 32 reasons a screen can offer
     * with 31-byte codes (32 * 34 + 3 bytes). */
    char reasons[1152];
    int64_t created_at; /* UTC ms */
    int misuse;
    char sync_state[16];
} store_vote;

/* Opens (creating data_dir and the file if needed) and migrates to the latest schema. A file
 * SQLite reports as corrupt or not a database is renamed to votes.db.corrupt-<UTC time> (with its
 * -wal/-shm), never deleted, a new one is started, and both names are logged. Votes left
 * "pending" by a crash are released to "unsent". Returns 0, or HL_EXIT_RUNTIME with err set. */
int store_open(store **out, const char *data_dir, const store_opts *opts, char *err, size_t errlen);
void store_close(store *s);

/* Records one vote in its own committed transaction: fresh UUID, next seq for kiosk_id, misuse
 * computed from the previous vote's created_at. pending = 1 stores it as "pending" (a follow-up
 * will add reasons). On success returns 0 and fills *out; on any failure (disk full, read-only,
 * corrupt) returns HL_EXIT_RUNTIME with err set and nothing half-written. A database found corrupt
 * here is moved aside as in store_open and the vote retried once on the new file. */
int store_add_vote(store *s, const char *kiosk_id, const char *boot_id, const char *officer_code,
                   int rating, int64_t created_at_ms, int pending, store_vote *out, char *err,
                   size_t errlen);

/* Sets the reasons of a pending vote (codes may be empty) and moves it to "unsent". */
int store_finish_vote(store *s, const char *uuid, const char *const *reason_codes, size_t n,
                      char *err, size_t errlen);

/* Reads one vote by uuid; 0 if found, 1 if not, -1 on error (not HL_EXIT_RUNTIME, which equals 1
 * and would be mistaken for "not found"). */
int store_get_vote(store *s, const char *uuid, store_vote *out);

typedef struct {
    int64_t total, misuse, unsent, pending; /* total includes misuse votes */
    int64_t by_rating[4]; /* counted (non-misuse) votes per rating 1..3; [0] unused */
} store_counts;
/* 0, or HL_EXIT_RUNTIME (message in store_last_error). */
int store_counts_get(store *s, store_counts *out);

/* The schema version of the open file (PRAGMA user_version), -1 on error. */
int store_schema_version(store *s);
/* The version this program migrates to: the number of built-in migrations. */
int store_latest_schema_version(void);
/* Reads a PRAGMA (name: lowercase letters and '_' only) on the store's own connection, whose
 * per-connection settings such as synchronous another connection cannot see; for the status command
 * and tests. 0 with the first value as text in out, or HL_EXIT_RUNTIME. */
int store_pragma(store *s, const char *name, char *out, size_t outlen);
const char *store_path(const store *s);
/* The last error message (for the admin screen and logs); "" when none. A later success does not
 * clear it, so an intermittent fault stays visible. */
const char *store_last_error(const store *s);

#endif
