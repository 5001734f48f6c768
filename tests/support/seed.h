/* seed: test votes written through the store's own API (store_add_vote, store_finish_vote, the sync
 * batch calls), never by INSERT, so that test data is what a kiosk could have written; and
 * db_text/db_int/db_exec, plain SQLite on a file, to see what really is in it. */
#ifndef HL_SEED_H
#define HL_SEED_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* Vote i as a spec describes it. */
typedef struct {
    const char *officer; /* officer_code */
    int rating;          /* 1..3 */
    int64_t created_at;  /* UTC ms */
    int misuse;          /* stored with misuse = 1: see seed_votes */
    const char *state;   /* STORE_SYNC_*, NULL for STORE_SYNC_UNSENT */
    const char *error;   /* STORE_SYNC_QUARANTINED: the collector's reason */
} seed_vote;

typedef struct {
    const char *kiosk_id; /* NULL: "demo-01", the default config's */
    int n;                /* votes i = 1..n */
    /* Describes vote i in *v (zeroed before each call). */
    void (*vote)(int i, seed_vote *v, void *ctx);
    void *ctx;
    /* When the collector accepted the sent and quarantined votes (sync_status.last_success_at). */
    int64_t synced_at;
    /* Optional, n entries: the uuid the store gave vote i goes to uuids[i - 1]. */
    char (*uuids)[37];
} seed_spec;

/* Writes spec's votes into data_dir/votes.db (made if missing; a kiosk may have it open) with the
 * boot id "b", in created_at order, so that misuse is the store's own rule: a vote flagged misuse
 * is written by a connection whose response interval is endless, the others by one without a
 * response interval (a misuse vote needs a vote before it, and none newer in the file). Sent and
 * quarantined votes go through store_sync_freeze and store_sync_apply as after a 200 from the
 * collector (the file must hold no other unsent vote of that kiosk id then); the unsent ones wait
 * as "pending" meanwhile and are finished without reasons. 0, or -1 after printing why. */
int seed_votes(const char *data_dir, const seed_spec *spec);

/* Opens data_dir's store as the kiosk would (made if missing) with this response interval; NULL
 * after printing why. */
store *seed_open(const char *data_dir, int64_t response_interval_ms);
/* Adds the next vote of a plain sequence: officer tp-hung, one a second from 1780000000000 (the
 * time goes on across calls), pending or not. store_add_vote's result. */
store_rc seed_add(store *s, const char *kiosk_id, int rating, int pending, store_vote *v);

/* The first column of the first row sql returns from the file at path, as text: "" when there is
 * no row, "(null)" for NULL, "ERROR: ..." when it fails. */
void db_text(const char *path, const char *sql, char *out, size_t cap);
/* The same as a number: -999 (and why, on stderr) when it is not one. */
long long db_int(const char *path, const char *sql);
/* Runs sql (one or more statements) on path, created when missing. SQLITE_OK, or the error code
 * with the message on stderr (some tests expect the failure). */
int db_exec(const char *path, const char *sql);

#endif
