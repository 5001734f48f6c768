/* pin: admin PIN hashing (argon2id through libsodium) and the persisted wrong-PIN lock-out. */
#include "pin.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

_Static_assert(PIN_HASH_MAX == crypto_pwhash_STRBYTES, "PIN_HASH_MAX must fit crypto_pwhash_str");

/* sodium_init is idempotent and thread-safe; it only has to run before the first use. */
static int sodium_ready(void)
{
    return sodium_init() >= 0;
}

int pin_valid(const char *pin)
{
    size_t n = pin ? strlen(pin) : 0;
    if (n < PIN_MIN_LEN || n > PIN_MAX_LEN)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (pin[i] < '0' || pin[i] > '9')
            return 0;
    return 1;
}

int pin_hash(const char *pin, char out[PIN_HASH_MAX])
{
    if (!sodium_ready())
        return -1;
    /* INTERACTIVE: about 0.1 s and 64 MiB on a kiosk PC. A stolen votes.db then costs an
     * attacker that much per guess; the lock-out guards the touch screen. */
    return crypto_pwhash_str(out, pin, strlen(pin), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                             crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0
               ? 0
               : -1;
}

int pin_verify(const char *hash, const char *pin)
{
    if (!sodium_ready() || !hash || !hash[0] || !pin)
        return 0;
    return crypto_pwhash_str_verify(hash, pin, strlen(pin)) == 0;
}

int64_t pin_lock_ms(int failures)
{
    if (failures < PIN_FREE_ATTEMPTS)
        return 0;
    int64_t ms = PIN_LOCK_BASE_MS;
    for (int i = PIN_FREE_ATTEMPTS; i < failures && ms < PIN_LOCK_MAX_MS; i++)
        ms *= 2;
    return ms < PIN_LOCK_MAX_MS ? ms : PIN_LOCK_MAX_MS;
}

int64_t pin_lock_remaining(const pin_state *st, int64_t now_ms)
{
    if (!st->locked_until || st->locked_until <= now_ms)
        return 0;
    int64_t left = st->locked_until - now_ms, len = pin_lock_ms(st->failures);
    if (len == 0)
        len = PIN_LOCK_MAX_MS; /* a hand-edited row: still never more than the cap */
    return left < len ? left : len;
}

int pin_attempts_left(const pin_state *st)
{
    int left = PIN_FREE_ATTEMPTS - st->failures;
    return left > 0 ? left : 0;
}

/* A setting as a non-negative integer; absent counts as 0, unreadable too (logged). */
static int load_int(store *s, const char *key, int64_t *out)
{
    char buf[32];
    *out = 0;
    store_rc rc = store_setting_get(s, key, buf, sizeof buf);
    if (rc == STORE_ERROR)
        return -1;
    if (rc == STORE_NONE)
        return 0;
    char *end;
    errno = 0;
    long long v = strtoll(buf, &end, 10);
    if (errno || end == buf || *end || v < 0)
        log_warn("pin: setting %s has an unreadable value \"%s\"; taken as 0", key, buf);
    else
        *out = v;
    return 0;
}

int pin_load(store *s, pin_state *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    int64_t failures = 0, until = 0;
    store_rc rc = store_setting_get(s, PIN_KEY_HASH, out->hash, sizeof out->hash);
    if (rc != STORE_ERROR && load_int(s, PIN_KEY_FAILURES, &failures) == 0 &&
        load_int(s, PIN_KEY_LOCKED_UNTIL, &until) == 0) {
        out->has_pin = rc == STORE_OK && out->hash[0] != '\0';
        out->failures = failures > 1000000 ? 1000000 : (int)failures;
        out->locked_until = until;
        return 0;
    }
    util_fmt(err, errlen, "cannot read the admin PIN: %s", store_last_error(s));
    return HL_EXIT_RUNTIME;
}

static int save_counts(store *s, pin_state *st, int64_t now_ms, char *err, size_t errlen)
{
    char f[24], u[24];
    snprintf(f, sizeof f, "%d", st->failures);
    snprintf(u, sizeof u, "%lld", (long long)st->locked_until);
    const char *keys[] = {PIN_KEY_FAILURES, PIN_KEY_LOCKED_UNTIL};
    const char *vals[] = {st->failures ? f : NULL, st->locked_until ? u : NULL};
    if (store_settings_put(s, keys, vals, 2, now_ms) != STORE_OK) {
        util_fmt(err, errlen, "cannot save the admin PIN's state: %s", store_last_error(s));
        return HL_EXIT_RUNTIME;
    }
    return 0;
}

int pin_set(store *s, const char *pin, int64_t now_ms, char *err, size_t errlen)
{
    if (!pin_valid(pin)) {
        util_fmt(err, errlen, "the PIN must be %d to %d digits (0-9), nothing else", PIN_MIN_LEN,
                 PIN_MAX_LEN);
        return HL_EXIT_USAGE;
    }
    char hash[PIN_HASH_MAX];
    if (pin_hash(pin, hash) != 0) {
        util_fmt(err, errlen, "cannot hash the PIN (libsodium failed; out of memory?)");
        return HL_EXIT_RUNTIME;
    }
    const char *keys[] = {PIN_KEY_HASH, PIN_KEY_FAILURES, PIN_KEY_LOCKED_UNTIL};
    const char *vals[] = {hash, NULL, NULL};
    store_rc rc = store_settings_put(s, keys, vals, 3, now_ms);
    sodium_memzero(hash, sizeof hash);
    if (rc != STORE_OK) {
        util_fmt(err, errlen, "cannot save the admin PIN: %s", store_last_error(s));
        return HL_EXIT_RUNTIME;
    }
    log_info("pin: a new admin PIN was set; wrong-PIN count and lock-out cleared");
    return 0;
}

int pin_record(store *s, pin_state *st, int right, int64_t now_ms, char *err, size_t errlen)
{
    pin_state now;
    if (pin_load(s, &now, err, errlen) != 0)
        return HL_EXIT_RUNTIME;
    int had_counts = now.failures || now.locked_until;
    if (right) {
        now.failures = 0;
        now.locked_until = 0;
    } else {
        now.failures++;
        int64_t lock = pin_lock_ms(now.failures);
        now.locked_until = lock ? now_ms + lock : 0;
        log_warn("pin: wrong admin PIN (%d in a row)%s", now.failures,
                 lock ? "; admin screen locked" : "");
    }
    int rc = 0;
    /* A right PIN with nothing to clear writes nothing. */
    if (!right || had_counts)
        rc = save_counts(s, &now, now_ms, err, errlen);
    *st = now;
    return rc;
}

pin_result pin_check(store *s, const char *pin, int64_t now_ms, pin_state *out, char *err,
                     size_t errlen)
{
    pin_state st;
    pin_result r;
    if (pin_load(s, &st, err, errlen) != 0)
        r = PIN_ERROR;
    else if (!st.has_pin)
        r = PIN_NOT_SET;
    else if (pin_lock_remaining(&st, now_ms) > 0)
        r = PIN_LOCKED;
    else {
        int right = pin_verify(st.hash, pin);
        if (pin_record(s, &st, right, now_ms, err, errlen) != 0)
            r = PIN_ERROR;
        else
            r = right ? PIN_OK : PIN_WRONG;
    }
    if (out)
        *out = st;
    return r;
}
