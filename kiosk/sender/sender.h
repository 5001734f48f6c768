/* sender: the kiosk's sync thread. With its own store connection and one reused libcurl handle it
 * freezes unsent votes into batches and POSTs them to the collector (docs/PROTOCOL.md), retrying
 * forever with backoff; it never drops a vote. No SDL: it tells the app through a callback. */
#ifndef HL_SENDER_H
#define HL_SENDER_H

#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "wire.h"

#define SYNC_DEFAULT_BASE_MS        5000
#define SYNC_DEFAULT_CAP_MS         300000
#define SYNC_DEFAULT_START_DELAY_MS 30000
#define SYNC_MAX_RESPONSE           (1u << 20) /* a collector's answer above this is an error */

typedef struct {
    const char *data_dir; /* where votes.db is (the UI's store opened it first) */
    const char *kiosk_id;
    const char *url;       /* collector base URL; batches go to <url>/v1/kiosks/<id>/vote-batches */
    const char *token;     /* the kiosk's bearer token */
    const char *ca_file;   /* PEM CA bundle for a private CA; NULL or "" = the system's */
    const char *store_vfs; /* tests: SQLite VFS name, NULL = default */
    int batch_max;         /* votes per batch, 1..500; 0 = 500 */
    /* Backoff: full jitter over min(cap, base * 2^(failures - 1)); 0 = the defaults above. */
    int64_t base_ms, cap_ms;
    /* The first send waits a random 0..start_delay_max_ms (0 = no delay), so kiosks that boot
     * together do not arrive together. Pokes do not shorten it. */
    int64_t start_delay_max_ms;
    /* curl limits; 0 = defaults (connect 15 s, whole request 120 s, abort below 100 bytes/s for
     * 30 s). */
    long connect_timeout_ms, timeout_ms, low_speed_limit, low_speed_time_s;
    /* With nothing to send, look again this often even without a poke (0 = 60 s). */
    int64_t idle_poll_ms;
    /* The health report (wire_health): sent after each round that delivered votes and at least
     * every health_every_ms while there is nothing to send; 0 = never (tests of the batches
     * alone). The officers and reasons are copied; content_version is up to 16 hex digits. A
     * collector that answers 404 (older than the report) is not asked again until the next
     * start. */
    int64_t health_every_ms;
    const wire_officer *officers;
    size_t n_officers;
    const wire_reason *reasons; /* the reasons' labels, so the collector shows them */
    size_t n_reasons;
    const char *content_version;
    /* Wall time for the records (frozen_at, last success); NULL = the real clock. The sender
     * reads it from its own thread: never pass a fake clock another thread advances. */
    const hl_clock *clock;
} sync_config;

typedef struct {
    char state[24];          /* STORE_SYNC_STATE_* (store.h) */
    int64_t backoff_until;   /* UTC ms, 0 = none */
    int64_t last_success_at; /* UTC ms, 0 = none since start */
    char last_error[256];
    int64_t votes_sent;  /* since start: accepted or duplicate */
    int64_t quarantined; /* since start */
    int64_t requests;    /* batch POSTs made since start */
    int64_t health_sent; /* health reports the collector took since start */
} sync_status;

/* Called from the sender thread after every change of its status; must be cheap and
 * thread-safe (the app pushes one SDL user event). */
typedef void (*sync_notify_fn)(void *ctx);

typedef struct sync_sender sync_sender;

/* Checks the config and starts the thread (which opens its own store connection). Returns 0, or
 * HL_EXIT_USAGE (bad url/token) / HL_EXIT_RUNTIME with err set. The strings are copied. */
int sync_start(sync_sender **out, const sync_config *c, sync_notify_fn notify, void *ctx, char *err,
               size_t errlen);
/* Stops the thread, aborting a request in flight, and frees everything. Returns within a few
 * milliseconds unless SQLite is waiting for a lock (at most its busy timeout). NULL is a no-op. */
void sync_stop(sync_sender *s);
/* A vote was recorded: send soon (not before the start delay, not during a backoff). Never
 * blocks on the network. NULL is a no-op. */
void sync_poke(sync_sender *s);
/* Copies the sender's status (a short lock, never held across I/O). */
void sync_get_status(sync_sender *s, sync_status *out);

/* The sender's error messages (status.last_error, sync_status in votes.db) are technical English
 * for the log and `hailong-kiosk status`, e.g. "network: Could not resolve host: ...". This is
 * the sentence for the admin screen: what happened, in Vietnamese, and what to do, into out. A
 * message this sender did not write (the store's) reads as a fault of the kiosk's own data. */
void sync_error_vi(const char *detail, char *out, size_t n);

#endif
