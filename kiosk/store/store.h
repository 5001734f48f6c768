/* store: the kiosk's vote database, <data-dir>/votes.db (SQLite, WAL, synchronous=FULL), with
 * numbered migrations. The schema is a contract: docs/SCHEMA.md. No SDL. */
#ifndef HL_STORE_H
#define HL_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "store_rc.h"
#include "clock.h"
#include "wire.h"

typedef struct store store;

typedef struct {
    /* SQLite VFS name, NULL for the default. Tests pass a fault-injecting VFS. */
    const char *vfs;
    /* A vote created less than this after the previous vote is stored with misuse = 1. */
    int64_t response_interval_ms;
    /* The program's clock, for that interval: while this store is open it is measured on the
     * monotonic clock between the votes recorded through it, so setting the wall clock back or
     * one vote stamped far in the future does not hide repeated pressing. NULL: the previous
     * vote's created_at only. Must outlive the store. */
    const hl_clock *clock;
    /* Tests only (leave zero): SQL of further migrations applied after the built-in ones, so the
     * migration runner can be tested with more than one step. Must outlive the store (a corrupt
     * file is replaced by a new one, migrated again). */
    const char *const *extra_migrations;
    size_t n_extra_migrations;
    /* A second connection to a file another connection of this program owns (the sync thread):
     * no quick_check, votes left pending are not released (the UI may have one open), and a
     * damaged file is reported (store_needs_reopen) but never moved aside; only the UI's
     * connection does that. */
    int secondary;
    /* Read only (the status command): the file must exist and be at the latest schema version;
     * nothing is written, migrated or moved. */
    int readonly;
    /* The kiosk itself: when votes.db cannot be opened now (a full or read-only disk, a failing
     * one), store_open still gives a handle, without a connection (store_connected 0; err says
     * why, in words). Every call on it tries to open the file again and fails with that reason
     * until the disk lets it, so the kiosk can start, answer votes with an honest "could not
     * record" and show the fault, instead of refusing to start. Not for a newer schema. */
    int degraded_ok;
} store_opts;

enum { STORE_RATING_UNHAPPY = 1, STORE_RATING_HAPPY = 2, STORE_RATING_VERY_HAPPY = 3 };

/* Sync states (column votes.sync_state). */
#define STORE_SYNC_PENDING     "pending" /* follow-up (reasons) still open; not to be sent yet */
#define STORE_SYNC_UNSENT      "unsent"
#define STORE_SYNC_SENT        "sent"
#define STORE_SYNC_QUARANTINED "quarantined" /* the collector rejected it; kept, never resent */

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
    /* The clock was implausible (clk_plausible) or had jumped by more than STORE_CLOCK_JUMP_MS
     * against the monotonic clock since the previous vote: the time is in doubt, the vote is not.
     */
    int clock_suspect;
    char sync_state[16];
} store_vote;

/* A wall clock that moved this much more or less than the monotonic clock between two votes has
 * been set (by hand, by a time server after a wrong start, or a resume from suspend). */
#define STORE_CLOCK_JUMP_MS (2 * 60 * 1000LL)

/* Every function below that can fail returns a store_rc (store_rc.h): STORE_OK, STORE_NONE where
 * it says so, or STORE_ERROR with the message in store_last_error (and in err where it takes
 * one). */

/* Opens (creating data_dir and the file if needed) and migrates to the latest schema. A file
 * SQLite reports as corrupt or not a database is renamed to votes.db.corrupt-<UTC time> (with its
 * -wal/-shm), never deleted, a new one is started, and both names are logged. Votes left
 * "pending" by a crash are released to "unsent". Before the first migration of an existing file
 * it is copied to votes.db.pre-v<NEW>-<UTC time>.bak (logged); if that copy cannot be written,
 * nothing is migrated and the open fails. STORE_OK, STORE_NEWER_SCHEMA (the file comes from a
 * newer hailong-kiosk; err says which version to install), or STORE_ERROR (*out NULL). */
store_rc store_open(store **out, const char *data_dir, const store_opts *opts, char *err,
                    size_t errlen);
void store_close(store *s);

/* Records one vote in its own committed transaction: fresh UUID, next seq for kiosk_id, misuse
 * computed from the previous vote's created_at, clock_suspect from the clock (store_vote). pending
 * = 1 stores it as "pending" (a follow-up will add reasons). STORE_OK with *out filled (out may be
 * NULL); on any failure (disk full, read-only, corrupt) STORE_ERROR with nothing half-written. A
 * database found corrupt here is moved aside as in store_open and the vote retried once on the new
 * file. */
store_rc store_add_vote(store *s, const char *kiosk_id, const char *boot_id,
                        const char *officer_code, int rating, int64_t created_at_ms, int pending,
                        store_vote *out, char *err, size_t errlen);

/* Sets the reasons of a pending vote (codes may be empty) and moves it to "unsent". STORE_OK, or
 * STORE_ERROR (also when the vote is unknown or not pending). */
store_rc store_finish_vote(store *s, const char *uuid, const char *const *reason_codes, size_t n,
                           char *err, size_t errlen);

/* Reads one vote by uuid: STORE_OK with *out filled, STORE_NONE if there is no such vote, or
 * STORE_ERROR. */
store_rc store_get_vote(store *s, const char *uuid, store_vote *out);

typedef struct {
    int64_t total, misuse, unsent, pending; /* total includes misuse votes */
    int64_t by_rating[4]; /* counted (non-misuse) votes per rating 1..3; [0] unused */
} store_counts;
/* STORE_OK or STORE_ERROR. */
store_rc store_counts_get(store *s, store_counts *out);

/* The schema version of the open file (PRAGMA user_version) in *version. STORE_OK or
 * STORE_ERROR. */
store_rc store_schema_version(store *s, int *version);
/* The version this program migrates to: the number of built-in migrations. */
int store_latest_schema_version(void);
/* Reads a PRAGMA (name: lowercase letters and '_' only) on the store's own connection, whose
 * per-connection settings such as synchronous another connection cannot see; for the status command
 * and tests. STORE_OK with the first value as text in out, or STORE_ERROR. */
store_rc store_pragma(store *s, const char *name, char *out, size_t outlen);
const char *store_path(const store *s);
/* The last error message (for the admin screen and logs); "" when none. A later success does not
 * clear it, so an intermittent fault stays visible. */
const char *store_last_error(const store *s);
/* 1 while the handle has a connection to votes.db (see store_opts.degraded_ok). */
int store_connected(const store *s);

/* ---- sync: the sender's side (its own secondary connection) and the status command ----
 * Votes travel in batches: a batch is frozen once (its gzipped JSON body stored in table batches)
 * and resent byte for byte until the collector answers 200 for it. */

/* Sender states (sync_status.state). */
#define STORE_SYNC_STATE_OFF      "off"      /* no sender has run (no [sync] url) */
#define STORE_SYNC_STATE_STARTING "starting" /* random delay before the first send */
#define STORE_SYNC_STATE_IDLE     "idle"     /* nothing to send */
#define STORE_SYNC_STATE_SENDING  "sending"
#define STORE_SYNC_STATE_BACKOFF  "backoff"      /* waiting until backoff_until */
#define STORE_SYNC_STATE_AUTH     "stopped-auth" /* 401/403: stopped until restart */
#define STORE_SYNC_STATE_STOPPED  "stopped"      /* the kiosk program ended */

typedef struct {
    char batch_id[37];
    char kiosk_id[64];
    int64_t frozen_at; /* UTC ms */
    int n_votes;
    int n_feedback; /* feedback items in the batch (none: a batch of votes only) */
    int attempts;   /* failed attempts so far */
    void *body;     /* the gzipped JSON, exactly what is sent; malloc'ed, store_batch_free */
    size_t body_len;
} store_batch;
void store_batch_free(store_batch *b);

/* The batch to send next: the oldest frozen batch if there is one (a resend: same id, same
 * bytes), else a new one of up to min(batch_max, the store's batch limit) 'unsent' votes of
 * kiosk_id not yet in a batch, in seq order, encoded with wire_encode_batch and wire_gzip and
 * frozen in one short transaction. A frozen batch of another kiosk id (the config changed) is
 * unfrozen, its votes left waiting. STORE_OK with *out filled, STORE_NONE when there is nothing
 * to send, or STORE_ERROR. Pending votes are never frozen. */
store_rc store_sync_freeze(store *s, const char *kiosk_id, int batch_max, int64_t now_ms,
                           store_batch *out);

typedef struct {
    int sent;        /* accepted or duplicate */
    int quarantined; /* rejected, with the collector's reason in votes.sync_error */
    int unlisted;    /* not in the results: unfrozen, sent again in a later batch */
    int feedback;    /* of sent and quarantined: feedback items */
} store_sync_applied;

/* Applies the results of a 200 for batch_id in one transaction: accepted/duplicate -> 'sent',
 * rejected -> 'quarantined' with the reason, votes of the batch the results do not list become
 * free for a later batch; the batch row is deleted, last_success_at set, the batch limit grows.
 * STORE_OK; STORE_NONE when the results name none of the batch's votes (nothing is changed: treat
 * the answer like a failed request); or STORE_ERROR. */
store_rc store_sync_apply(store *s, const char *batch_id, const wire_result *results, size_t n,
                          int64_t now_ms, store_sync_applied *out);

/* After a 413: unfreezes the batch's votes, deletes the batch and halves the batch limit (never
 * below 1), so the next freeze takes half as many. *new_limit gets the limit. STORE_OK or
 * STORE_ERROR. */
store_rc store_sync_split(store *s, const char *batch_id, int *new_limit);

/* Records a failed attempt: the batch's attempts/last_status/last_error (batch_id may be NULL)
 * and the sender's last_error, state and backoff_until (0 = none), in one transaction; state
 * STORE_SYNC_STATE_AUTH also sets auth_failed. STORE_OK or STORE_ERROR. */
store_rc store_sync_note_failure(store *s, const char *batch_id, int http_status, const char *error,
                                 int64_t now_ms, const char *state, int64_t backoff_until);

/* Sets the sender's state (backoff_until 0 = none). STORE_OK or STORE_ERROR. */
store_rc store_sync_set_state(store *s, const char *state, int64_t backoff_until, int64_t now_ms);

typedef struct {
    int64_t waiting;        /* votes not at the collector yet: unsent + pending */
    int64_t oldest_waiting; /* created_at of the oldest of them (UTC ms), 0 if none */
    int64_t quarantined;
    int64_t in_batch;             /* waiting votes frozen in a batch */
    int64_t batches;              /* frozen batches */
    int64_t other_kiosk;          /* unsent votes recorded under another kiosk id (not sent) */
    int64_t clock_suspect;        /* votes recorded while the clock was in doubt, sent or not */
    int64_t last_clock_suspect;   /* created_at of the latest of them (as that clock said) */
    int64_t feedback_waiting;     /* feedback items not at the collector yet */
    int64_t feedback_quarantined; /* feedback items the collector rejected (kept) */
    char state[24];               /* STORE_SYNC_STATE_* */
    int64_t updated_at;           /* when the sender last wrote its state; 0 = never */
    int64_t last_success_at;      /* 0 = never */
    int64_t last_error_at;        /* 0 = never */
    int64_t backoff_until;        /* 0 = none */
    char last_error[256];
    int auth_failed;
    int batch_limit;
} store_sync_status;

/* Reads the sender's status and the vote counts; kiosk_id is this kiosk's (for other_kiosk).
 * STORE_OK or STORE_ERROR. */
store_rc store_sync_status_get(store *s, const char *kiosk_id, store_sync_status *out);

/* ---- feedback (migration 5): góp ý, phản ánh – kiến nghị, đề nghị biểu dương typed on the
 * kiosk (store_feedback.c). Each item has its own uuid and seq, travels to the collector in the
 * same batches as the votes (store_sync_freeze) and is idempotent there by its uuid. Contact data
 * exists only with the citizen's consent: store_add_feedback refuses a contact field without it,
 * and the table's CHECK refuses it too; once the collector has the item (sent), the kiosk erases
 * the contact fields from votes.db (docs/PRIVACY.md). ---- */

/* Kinds (column feedback.kind; the wire's "kind"). */
#define STORE_FB_GOP_Y      "gop-y"      /* a suggestion */
#define STORE_FB_PHAN_ANH   "phan-anh"   /* phản ánh – kiến nghị: something went wrong */
#define STORE_FB_BIEU_DUONG "bieu-duong" /* đề nghị biểu dương: commend an officer */

typedef struct {
    const char *kind;         /* STORE_FB_* */
    const char *officer_code; /* the officer it is about; NULL or "" for none */
    const char *vote_uuid; /* the vote it follows (offered after "Chưa hài lòng"); NULL none */
    const char *text;      /* UTF-8 in NFC, 1 to WIRE_FEEDBACK_MAX_CHARS characters, not blank;
                            * line breaks allowed, no other control character */
    int consent;           /* 1: the citizen said yes on the consent screen */
    /* Only with consent = 1 (else each must be NULL or ""): a name, a phone number, an address. */
    const char *contact_name, *contact_phone, *contact_address;
} store_feedback_in;

/* Records one item in its own committed transaction (fresh uuid, next feedback seq for
 * kiosk_id), before the kiosk thanks the citizen. Bad content (an empty or blank text, too long,
 * invalid UTF-8, a control character, an unknown kind, a contact field without consent) is
 * refused with err naming the field, nothing stored. STORE_OK with uuid_out (37 bytes, may be
 * NULL) filled, or STORE_ERROR. */
store_rc store_add_feedback(store *s, const char *kiosk_id, const char *boot_id,
                            int64_t created_at_ms, const store_feedback_in *in, char *uuid_out,
                            char *err, size_t errlen);

typedef struct {
    char uuid[37];
    int64_t seq;
    char kind[16];
    char officer_code[32];
    char vote_uuid[37];
    char *text; /* malloc'ed; store_feedback_free */
    int consent;
    char contact_name[WIRE_CONTACT_BYTES], contact_phone[32], contact_address[WIRE_CONTACT_BYTES];
    int64_t created_at;
    char sync_state[16];
    char sync_error[256];
} store_feedback;
/* Reads one item by uuid: STORE_OK, STORE_NONE, or STORE_ERROR. */
store_rc store_get_feedback(store *s, const char *uuid, store_feedback *out);
void store_feedback_free(store_feedback *f);

/* ---- settings: small values the kiosk keeps itself (table settings, migration 3): the admin
 * PIN's hash and lock-out (kiosk/pin.c), the desk officer chosen on the admin screen. ---- */

/* Copies the value of key into out ("" unless found): STORE_OK found, STORE_NONE not set, or
 * STORE_ERROR. */
store_rc store_setting_get(store *s, const char *key, char *out, size_t cap);
/* Sets keys[i] to values[i] (NULL deletes the key), all n in one transaction. STORE_OK or
 * STORE_ERROR. */
store_rc store_settings_put(store *s, const char *const *keys, const char *const *values, size_t n,
                            int64_t now_ms);

/* Copies every vote in votes.db-wal into votes.db and empties the -wal (a TRUNCATE checkpoint),
 * so that a damaged -wal can cost only the votes since. The kiosk calls it when it falls idle.
 * STORE_OK also when another connection is busy (it is simply skipped); STORE_ERROR on a disk
 * error (store_last_error). */
store_rc store_checkpoint(store *s);

/* ---- backup: `hailong-kiosk backup` (store_backup.c) ---- */

typedef struct {
    int schema;      /* the copy's schema version (user_version) */
    int64_t votes;   /* votes in the copy */
    int64_t max_seq; /* the highest seq in it, 0 when none */
    int64_t bytes;   /* the copy's size */
    /* On STORE_ERROR: 1 when the cause is the command line (out exists and replace is 0, its
     * folder is missing or cannot be written to), which a program reports as bad usage. */
    int usage;
} store_backup_info;

/* Copies data_dir/votes.db to out while the kiosk may be running and voting, on a read-only
 * connection of its own: SQLite's online backup in one read transaction (every vote committed
 * before it began, none half), written as out.tmp-XXXXXX, made one self-contained file (rollback
 * journal), checked with PRAGMA integrity_check, fsynced and renamed to out (mode 0600). out is
 * replaced only with replace = 1. STORE_OK with *info filled from the copy; STORE_NEWER_SCHEMA
 * (a newer hailong-kiosk's file); STORE_ERROR with err set and nothing left at out. */
store_rc store_backup(const char *data_dir, const char *out, int replace, store_backup_info *info,
                      char *err, size_t errlen);

/* 1 when this connection should be closed and opened again: it found the file damaged, or
 * votes.db is no longer the file it opened (the UI's connection moved a damaged file aside). */
int store_needs_reopen(store *s);

#endif
