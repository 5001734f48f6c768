/* db_backup: copies of the collector's SQLite database (SQLite's online backup, through sqlcopy):
 * the one made before a schema migration and `hailong-collector backup`'s, taken while the
 * collector runs; on PostgreSQL, pg_dump is the backup and these only say so. Also the message
 * for a database a newer collector upgraded (schema_version.program names it). */
#include "db_int.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "sqlcopy.h"
#include "util.h"

/* How long the backup command's reads wait for the server's short write transactions. */
#define BACKUP_BUSY_TIMEOUT_MS 5000

static int copy_text_cb(const db_row *r, void *ctx)
{
    util_strlcpy(ctx, db_col_text(r, 0), 64);
    return 1;
}

void db_newer_message(db *d, int64_t v, int latest, char *err, size_t errlen)
{
    char by[64] = "", ignore[HL_ERR_MAX];
    db_val p[] = {db_vi(v)};
    if (db_run(d, Q_SCHEMA_PROGRAM, p, 1, copy_text_cb, by, NULL, ignore, sizeof ignore) != 0)
        by[0] = '\0';
    /* Quoted into a message: only "hailong-collector X.Y.Z" as this code writes it. */
    size_t n = strlen(DB_PROGRAM " ");
    if (strncmp(by, DB_PROGRAM " ", n) != 0 || strlen(by) > 48 ||
        strspn(by + n, "0123456789.-+~abcdefghijklmnopqrstuvwxyz") != strlen(by + n))
        by[0] = '\0';
    const char *what = d->path ? d->path : "the PostgreSQL database";
    if (by[0])
        snprintf(err, errlen,
                 "%s was written by %s (schema %" PRId64 "); this is " DB_PROGRAM
                 " %s (schema %d): install %s or newer",
                 what, by, v, HL_VERSION, latest, by);
    else
        snprintf(err, errlen,
                 "%s has schema %" PRId64 ", from a newer " DB_PROGRAM "; this is " DB_PROGRAM
                 " %s (schema %d): install the newer " DB_PROGRAM " that wrote it",
                 what, v, HL_VERSION, latest);
}

int db_backup_before_migration(db *d, int64_t from, int to, char *err, size_t errlen)
{
    if (d->kind != DB_SQLITE) {
        log_info("collector: upgrading the PostgreSQL database from schema %" PRId64 " to %d; no "
                 "copy is made here: pg_dump is the backup for PostgreSQL (docs/COLLECTOR.md)",
                 from, to);
        return 0;
    }
    char dest[PATH_MAX], why[HL_ERR_MAX];
    int found = sqlcopy_pre_migration_name(d->path, to, dest, sizeof dest) == 0;
    int64_t bytes = 0;
    sqlcopy_opts o = {.redo = "start the collector again"};
    /* SQLite copies from no connection in a write transaction, which d is in; a reader beside it
     * sees the last commit (WAL), and nothing can commit after it until the migration does. */
    sqlite3 *src = NULL;
    int rc;
    if (!found)
        rc = util_fail(why, sizeof why, HL_EXIT_RUNTIME, "no free name for it beside %s", d->path);
    else if (sqlite3_open_v2(d->path, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        rc = util_fail(why, sizeof why, HL_EXIT_RUNTIME, "cannot read %s: %s", d->path,
                       src ? sqlite3_errmsg(src) : "out of memory");
    else {
        sqlite3_busy_timeout(src, BACKUP_BUSY_TIMEOUT_MS);
        rc = sqlcopy_to_file(src, dest, &o, &bytes, why, sizeof why);
    }
    sqlite3_close(src);
    if (rc != 0) {
        snprintf(err, errlen,
                 "%s: not upgraded from schema %" PRId64 " to %d, because the copy made before an "
                 "upgrade could not be written (%s); nothing was changed",
                 d->path, from, to, why);
        return 1;
    }
    /* Run as root (an install script), the copy still belongs to the service's user. */
    struct stat st;
    if (geteuid() == 0 && stat(d->path, &st) == 0 && chown(dest, st.st_uid, st.st_gid) != 0)
        log_warn("collector: %s: cannot give it the owner of %s", dest, d->path);
    log_info("collector: %s: upgrading the database from schema %" PRId64 " to %d; copied it first "
             "to %s (%lld bytes)",
             d->path, from, to, dest, (long long)bytes);
    return 0;
}

/* ---- hailong-collector backup ---- */

/* url without its password (user:PASSWORD@ and a password= parameter), for a command to show. */
static void url_without_password(const char *url, char *out, size_t cap)
{
    util_strlcpy(out, url, cap);
    char *auth = strstr(out, "://");
    if (auth) {
        auth += 3;
        char *end = auth + strcspn(auth, "/?");
        char *at = memchr(auth, '@', (size_t)(end - auth));
        char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
        if (colon)
            memmove(colon, at, strlen(at) + 1);
    }
    char *pw = strstr(out, "password=");
    if (pw && (pw[-1] == '?' || pw[-1] == '&')) {
        char *next = strchr(pw, '&');
        if (next)
            memmove(pw, next + 1, strlen(next + 1) + 1);
        else
            pw[-1] = '\0';
    }
}

static int inspect_copy(sqlite3 *copy, void *ctx, char *err, size_t errlen)
{
    db_backup_info *info = ctx;
    sqlite3_stmt *st = NULL;
    int rc =
        sqlite3_prepare_v2(copy,
                           "SELECT (SELECT count(*) FROM votes), (SELECT count(*) FROM kiosks),"
                           " (SELECT coalesce(max(version), 0) FROM schema_version)",
                           -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        info->votes = sqlite3_column_int64(st, 0);
        info->kiosks = sqlite3_column_int64(st, 1);
        info->schema = sqlite3_column_int(st, 2);
        rc = SQLITE_OK;
    }
    if (rc != SQLITE_OK)
        util_fail(err, errlen, HL_EXIT_RUNTIME, "the copy cannot be read (%s)",
                  sqlite3_errmsg(copy));
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? 0 : HL_EXIT_RUNTIME;
}

int db_backup(const char *url, const char *out, int replace, db_backup_info *info, char *err,
              size_t errlen)
{
    memset(info, 0, sizeof *info);
    int rc = db_check_url(url, err, errlen);
    if (rc)
        return rc;
    if (strncmp(url, "sqlite:", 7) != 0) {
        char shown[2048];
        url_without_password(url, shown, sizeof shown);
        return util_fail(err, errlen, HL_EXIT_USAGE,
                         "the database is PostgreSQL: this command copies SQLite databases "
                         "only. Back PostgreSQL up with pg_dump (the password from PGPASSWORD or "
                         "~/.pgpass):\n  pg_dump --format=custom --file=%s '%s'\nand restore it "
                         "with:\n  pg_restore --clean --if-exists --dbname='%s' %s",
                         out, shown, shown, out);
    }
    const char *path = url + 7;
    if (access(path, F_OK) != 0)
        return db_no_database(path, err, errlen);
    /* Its own read-only connection: the server may be running; nothing is migrated. */
    db *d = xcalloc(1, sizeof *d);
    d->kind = DB_SQLITE;
    d->path = xstrdup(path);
    int64_t v = 0, have = 0;
    db_stmt s = {0};
    sqlcopy_opts o = {
        .replace = replace, .inspect = inspect_copy, .ctx = info, .redo = "run the backup again"};
    if (sqlite3_open_v2(path, &d->lite, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        rc = util_fail(err, errlen, HL_EXIT_RUNTIME, "%s: cannot open the database: %s", path,
                       d->lite ? sqlite3_errmsg(d->lite) : "out of memory");
        goto done;
    }
    sqlite3_busy_timeout(d->lite, BACKUP_BUSY_TIMEOUT_MS);
    rc = db_stmt_prepare(d, &s, "has_schema",
                         "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                         " AND name = 'schema_version'",
                         err, errlen) ||
         db_run_stmt(d, &s, NULL, 0, db_get_int_cb, &have, NULL, err, errlen);
    db_stmt_free(d, &s, 0);
    if (rc == 0 && !have) {
        rc = db_no_database(path, err, errlen);
        goto done;
    }
    if (rc == 0)
        rc = db_run(d, Q_SCHEMA_VERSION, NULL, 0, db_get_int_cb, &v, NULL, err, errlen);
    if (rc != 0) {
        rc = HL_EXIT_RUNTIME;
        goto done;
    }
    if (v > db_schema_version()) {
        db_newer_message(d, v, db_schema_version(), err, errlen);
        rc = HL_EXIT_USAGE;
        goto done;
    }
    rc = sqlcopy_to_file(d->lite, out, &o, &info->bytes, err, errlen);
done:
    db_close(d);
    return rc;
}
