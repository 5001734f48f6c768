/* db_users: the dashboard's accounts (users) and their sessions. Passwords are hashed by the
 * caller (argon2id, server side); here they are only stored and read. Part of the db module. */
#include "db_int.h"

#include "util.h"

#include <string.h>

static const char *const role_names[] = {"province", "commune", "officer"};

const char *db_role_name(int role)
{
    return role >= 0 && role < (int)HL_ARRAY_LEN(role_names) ? role_names[role] : "?";
}

int db_role_parse(const char *s)
{
    for (int i = 0; i < (int)HL_ARRAY_LEN(role_names); i++)
        if (strcmp(s, role_names[i]) == 0)
            return i;
    return -1;
}

int db_user_put(db *d, const db_user *u, int64_t now_ms, char *err, size_t errlen)
{
    db_val p[] = {db_vs(u->name),    db_vs(db_role_name(u->role)),
                  db_vs(u->unit),    db_vs(u->officer_code),
                  db_vs(u->pw_hash), db_vi(now_ms)};
    return db_run(d, Q_USER_PUT, p, 6, NULL, NULL, NULL, err, errlen) ? 1 : 0;
}

static void user_row(const db_row *r, db_user *u)
{
    memset(u, 0, sizeof *u);
    u->found = 1;
    util_strlcpy(u->name, db_col_text(r, 0), sizeof u->name);
    u->role = db_role_parse(db_col_text(r, 1));
    util_strlcpy(u->unit, db_col_text(r, 2), sizeof u->unit);
    util_strlcpy(u->officer_code, db_col_text(r, 3), sizeof u->officer_code);
    util_strlcpy(u->pw_hash, db_col_text(r, 4), sizeof u->pw_hash);
    u->failed = db_col_int(r, 5);
    u->locked_until = db_col_int(r, 6);
    u->created_at = db_col_int(r, 7);
    u->disabled_at = db_col_int(r, 8);
}

static int user_get_cb(const db_row *r, void *ctx)
{
    user_row(r, ctx);
    return 1;
}

int db_user_get(db *d, const char *name, db_user *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    db_val p[] = {db_vs(name)};
    return db_run(d, Q_USER_GET, p, 1, user_get_cb, out, NULL, err, errlen) ? 1 : 0;
}

static int user_list_cb(const db_row *r, void *ctx)
{
    const db_sink *c = ctx;
    db_user u;
    user_row(r, &u);
    return c->fn.user(&u, c->ctx);
}

int db_user_list(db *d, int (*fn)(const db_user *u, void *ctx), void *ctx, char *err, size_t errlen)
{
    db_sink c = {.fn.user = fn, .ctx = ctx};
    return db_run(d, Q_USER_LIST, NULL, 0, user_list_cb, &c, NULL, err, errlen) ? 1 : 0;
}

int db_user_failed(db *d, const char *name, int64_t now_ms, int64_t lock_ms, int max_failed,
                   char *err, size_t errlen)
{
    db_val p[] = {db_vs(name), db_vi(now_ms + lock_ms), db_vi(max_failed)};
    return db_run(d, Q_USER_FAILED, p, 3, NULL, NULL, NULL, err, errlen) ? 1 : 0;
}

int db_user_logged_in(db *d, const char *name, char *err, size_t errlen)
{
    db_val p[] = {db_vs(name)};
    return db_run(d, Q_USER_LOGGED_IN, p, 1, NULL, NULL, NULL, err, errlen) ? 1 : 0;
}

int db_user_disable(db *d, const char *name, int64_t now_ms, char *err, size_t errlen)
{
    if (db_tx_begin(d, err, errlen))
        return 1;
    int64_t changed = 0;
    db_val p[] = {db_vs(name), db_vi(now_ms)};
    int failed = db_run(d, Q_USER_DISABLE, p, 2, NULL, NULL, &changed, err, errlen) ||
                 db_run(d, Q_SESSION_DROP_USER, p, 1, NULL, NULL, NULL, err, errlen);
    if (db_tx_end(d, failed, err, errlen))
        return 1;
    if (changed == 0) {
        db_set_err(err, errlen, "no active user \"%s\"; see `user list`", name);
        return HL_EXIT_USAGE;
    }
    return 0;
}

int db_session_put(db *d, const char *id_hash, const char *user, const char *csrf, int64_t now_ms,
                   int64_t expires_at, char *err, size_t errlen)
{
    db_val p[] = {db_vs(id_hash), db_vs(user), db_vs(csrf), db_vi(now_ms), db_vi(expires_at)};
    return db_run(d, Q_SESSION_PUT, p, 5, NULL, NULL, NULL, err, errlen) ? 1 : 0;
}

static int session_cb(const db_row *r, void *ctx)
{
    db_session *s = ctx;
    s->found = 1;
    util_strlcpy(s->user, db_col_text(r, 0), sizeof s->user);
    util_strlcpy(s->csrf, db_col_text(r, 1), sizeof s->csrf);
    s->expires_at = db_col_int(r, 2);
    return 1;
}

int db_session_get(db *d, const char *id_hash, db_session *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    db_val p[] = {db_vs(id_hash)};
    return db_run(d, Q_SESSION_GET, p, 1, session_cb, out, NULL, err, errlen) ? 1 : 0;
}

int db_session_drop(db *d, const char *id_hash, char *err, size_t errlen)
{
    db_val p[] = {db_vs(id_hash)};
    return db_run(d, Q_SESSION_DROP, p, 1, NULL, NULL, NULL, err, errlen) ? 1 : 0;
}

int db_session_purge(db *d, int64_t now_ms, char *err, size_t errlen)
{
    db_val p[] = {db_vi(now_ms)};
    return db_run(d, Q_SESSION_PURGE, p, 1, NULL, NULL, NULL, err, errlen) ? 1 : 0;
}
