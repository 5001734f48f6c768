/* pin: the admin screen's PIN: a salted, slow hash (libsodium crypto_pwhash_str, argon2id) kept
 * in the store's settings with the count of wrong PINs and a growing lock-out, persisted so a
 * restart does not reset it. `hailong-kiosk set-pin` sets a new PIN and clears the lock. No SDL. */
#ifndef HL_PIN_H
#define HL_PIN_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define PIN_MIN_LEN 4
#define PIN_MAX_LEN 8
/* Wrong PINs allowed before the first lock-out. */
#define PIN_FREE_ATTEMPTS 5
/* The first lock-out; each further wrong PIN doubles it, up to PIN_LOCK_MAX_MS. */
#define PIN_LOCK_BASE_MS 30000
#define PIN_LOCK_MAX_MS  3600000
/* crypto_pwhash_STRBYTES (checked in pin.c). */
#define PIN_HASH_MAX 128

/* Settings keys (docs/SCHEMA.md). */
#define PIN_KEY_HASH         "admin_pin_hash"
#define PIN_KEY_FAILURES     "admin_pin_failures"
#define PIN_KEY_LOCKED_UNTIL "admin_pin_locked_until"

typedef struct {
    int has_pin;
    char hash[PIN_HASH_MAX]; /* "$argon2id$v=19$m=65536,t=2,p=1$..." */
    int failures;            /* wrong PINs since the last right one (or set-pin) */
    int64_t locked_until;    /* UTC ms; 0 = not locked */
} pin_state;

typedef enum { PIN_OK, PIN_WRONG, PIN_LOCKED, PIN_NOT_SET, PIN_ERROR } pin_result;

/* 1 if pin is PIN_MIN_LEN..PIN_MAX_LEN ASCII digits. */
int pin_valid(const char *pin);

/* Hashes pin into out (crypto_pwhash_str, OPSLIMIT/MEMLIMIT_INTERACTIVE, random salt). Slow
 * (~0.1 s, 64 MiB). 0, or -1 when libsodium fails (out of memory). */
int pin_hash(const char *pin, char out[PIN_HASH_MAX]);
/* 1 if pin matches hash, else 0. Slow like pin_hash, touches no shared state: safe to run on a
 * worker thread while the UI thread goes on. */
int pin_verify(const char *hash, const char *pin);

/* Reads the PIN's state from the store. 0, or HL_EXIT_RUNTIME with err set. */
int pin_load(store *s, pin_state *out, char *err, size_t errlen);
/* Stores the hash of a new PIN and clears the wrong-PIN count and the lock-out (set-pin).
 * HL_EXIT_USAGE if pin is not valid, HL_EXIT_RUNTIME on a store or libsodium failure. */
int pin_set(store *s, const char *pin, int64_t now_ms, char *err, size_t errlen);
/* Records the outcome of a check that pin_verify made: right clears the count and the lock;
 * wrong adds one and, from the PIN_FREE_ATTEMPTS-th on, locks for pin_lock_ms(failures). The
 * count is re-read from the store first, so set-pin run meanwhile is respected. st is updated.
 * 0, or HL_EXIT_RUNTIME with err set. */
int pin_record(store *s, pin_state *st, int right, int64_t now_ms, char *err, size_t errlen);

/* The lock-out that failures wrong PINs earn: 0 below PIN_FREE_ATTEMPTS, then 30 s, 60 s, ...
 * up to 1 h. */
int64_t pin_lock_ms(int failures);
/* Time left of the lock-out at now (wall clock), never more than the lock's own length, so a
 * clock set back does not lock staff out for longer. 0 = not locked. */
int64_t pin_lock_remaining(const pin_state *st, int64_t now_ms);
/* Wrong PINs left before the next lock-out (0 once locked out before: every further wrong PIN
 * locks again). */
int pin_attempts_left(const pin_state *st);

/* The whole check on the calling thread (CLI, tests): load, refuse while locked or when no PIN
 * is set, verify, record. st (may be NULL) gets the state afterwards. */
pin_result pin_check(store *s, const char *pin, int64_t now_ms, pin_state *st, char *err,
                     size_t errlen);

#endif
