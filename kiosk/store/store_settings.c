/* store_settings: small values the kiosk keeps itself in table settings (the admin PIN's hash and
 * lock-out, the desk officer chosen on the admin screen). */
#include "store_int.h"

#include <sqlite3.h>

store_rc store_setting_get(store *s, const char *key, char *out, size_t cap)
{
    if (cap)
        out[0] = '\0';
    /* No connection (the kiosk started on a disk that refused votes.db): try again. */
    if (!s->db && store_open_or_recover(s, NULL, 0) != STORE_OK)
        return STORE_ERROR;
    sqlite3_stmt *st = s->st[ST_SETTING_GET];
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int found = rc == SQLITE_ROW;
    if (found)
        store_copy_col(st, 0, out, cap);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_sql_fail(s, rc, "reading setting %s", key);
    return found ? STORE_OK : STORE_NONE;
}

store_rc store_settings_put(store *s, const char *const *keys, const char *const *values, size_t n,
                            int64_t now_ms)
{
    if (!s->db && store_open_or_recover(s, NULL, 0) != STORE_OK)
        return STORE_ERROR;
    int rc = store_begin(s);
    for (size_t i = 0; rc == SQLITE_OK && i < n; i++) {
        sqlite3_stmt *st = s->st[values[i] ? ST_SETTING_PUT : ST_SETTING_DEL];
        sqlite3_bind_text(st, 1, keys[i], -1, SQLITE_STATIC);
        if (values[i]) {
            sqlite3_bind_text(st, 2, values[i], -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 3, now_ms);
        }
        rc = store_step_done(st);
    }
    if ((rc = store_end(s, rc)) != SQLITE_OK)
        return store_sql_fail(s, rc, "saving setting %s", n ? keys[0] : "");
    return STORE_OK;
}
