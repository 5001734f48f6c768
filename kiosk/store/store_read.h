/* store_read: a read-only view of votes.db for the export and the admin screen's figures: one read
 * transaction (a snapshot while the kiosk goes on writing; WAL readers never block it), the votes
 * of a time range counted or handed row by row to a callback. Nothing is written, migrated or
 * moved aside: that is the kiosk's own connection (store.h). */
#ifndef HL_STORE_READ_H
#define HL_STORE_READ_H

#include <stddef.h>
#include <stdint.h>

#include "store_rc.h"

typedef struct store_reader store_reader;

/* The votes with from_ms <= created_at < to_ms (UTC ms). */
typedef struct {
    int64_t from_ms, to_ms;
} store_range;

/* db: a data directory (its votes.db is read) or a votes.db file. Opens it read-only and starts
 * the read transaction every later call shares. STORE_OK, or STORE_ERROR (no name given, no such
 * file, unreadable, not the kiosk's database) or STORE_NEWER_SCHEMA (a newer hailong-kiosk
 * upgraded it) with *out NULL and err set to a message that names the path and what to do. */
store_rc store_reader_open(store_reader **out, const char *db, char *err, size_t errlen);
void store_reader_close(store_reader *r); /* NULL is fine */

/* The number of votes in range, misuse included. STORE_OK, or STORE_ERROR with err set. */
store_rc store_reader_count(store_reader *r, store_range range, int64_t *n, char *err,
                            size_t errlen);

/* One group of the votes in range: an officer code, a rating, misuse or not, and how many. */
typedef struct {
    const char *officer_code; /* "" when NULL in the file; valid during the callback only */
    int rating, misuse;
    int64_t n;
} store_read_group;
/* 0 goes on; nonzero stops the walk, which is no failure of the reader: fn keeps its reason in
 * ctx. */
typedef int (*store_read_group_fn)(void *ctx, const store_read_group *g);

/* Calls fn once per (officer_code, rating, misuse) group of the votes in range. STORE_OK (all
 * groups, or fn stopped the walk), or STORE_ERROR with err set. */
store_rc store_reader_counts(store_reader *r, store_range range, store_read_group_fn fn, void *ctx,
                             char *err, size_t errlen);

/* One vote as stored (docs/SCHEMA.md). The strings are "" for NULL and valid during the callback
 * only. */
typedef struct {
    const char *uuid, *kiosk_id, *officer_code;
    const char *reasons; /* the JSON array of reason codes, as stored */
    const char *sync_state;
    int64_t seq, created_at; /* created_at: UTC ms */
    int rating, misuse;
} store_read_vote;
/* As store_read_group_fn: nonzero stops the walk. */
typedef int (*store_read_vote_fn)(void *ctx, const store_read_vote *v);

/* Calls fn for every vote in range, misuse included, in created_at order (then insertion order).
 * STORE_OK (all votes, or fn stopped the walk), or STORE_ERROR with err set. */
store_rc store_reader_votes(store_reader *r, store_range range, store_read_vote_fn fn, void *ctx,
                            char *err, size_t errlen);

/* The commendations (feedback of kind "bieu-duong", migration 5) per officer in range: fn(ctx,
 * officer_code, n) per officer named (items naming none are left out). A file from before the
 * feedback table has none: STORE_OK without a call. STORE_OK, or STORE_ERROR with err set. */
store_rc store_reader_commendations(store_reader *r, store_range range,
                                    int (*fn)(void *ctx, const char *officer_code, int64_t n),
                                    void *ctx, char *err, size_t errlen);

#endif
