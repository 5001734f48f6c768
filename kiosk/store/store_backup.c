/* store_backup: copies of votes.db (SQLite's online backup, through sqlcopy): the one the store
 * makes before it migrates an existing file, and `hailong-kiosk backup`'s (store_backup), taken
 * while the kiosk runs and votes. Also who brought the file to its schema (settings key
 * schema_v<N>_by), so that an older program refusing a newer file can say what to install. */
#include "store_int.h"

#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "sqlcopy.h"
#include "util.h"

#define PROGRAM "hailong-kiosk"

/* How long the backup command's reads wait for the kiosk's short write transactions. */
#define BACKUP_BUSY_TIMEOUT_MS 5000

static void schema_key(char *out, size_t cap, long version)
{
    snprintf(out, cap, "schema_v%ld_by", version);
}

/* The program named in the settings of a file at schema v, "" when it is not there (the file
 * was upgraded by a program older than this record, or the table cannot be read). */
static void recorded_program(sqlite3 *db, long v, char *out, size_t cap)
{
    char key[32];
    sqlite3_stmt *st = NULL;
    out[0] = '\0';
    schema_key(key, sizeof key, v);
    if (sqlite3_prepare_v2(db, "SELECT value FROM settings WHERE key = ?1", -1, &st, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            const unsigned char *t = sqlite3_column_text(st, 0);
            util_strlcpy(out, t ? (const char *)t : "", cap);
        }
    }
    sqlite3_finalize(st);
    /* Quoted into a message: only "hailong-kiosk X.Y.Z" as this code writes it. */
    size_t n = strlen(PROGRAM " ");
    if (strncmp(out, PROGRAM " ", n) != 0 || strlen(out) > 48 ||
        strspn(out + n, "0123456789.-+~abcdefghijklmnopqrstuvwxyz") != strlen(out + n))
        out[0] = '\0';
}

void store_newer_message(sqlite3 *db, const char *path, long v, int latest, char *msg, size_t cap)
{
    char by[64];
    recorded_program(db, v, by, sizeof by);
    if (by[0])
        snprintf(msg, cap,
                 "%s was written by %s (schema %ld); this is " PROGRAM " %s (schema %d): install "
                 "%s or newer",
                 path, by, v, HL_VERSION, latest, by);
    else
        snprintf(msg, cap,
                 "%s has schema %ld, from a newer " PROGRAM "; this is " PROGRAM
                 " %s (schema %d): install the newer " PROGRAM " that wrote it",
                 path, v, HL_VERSION, latest);
}

int store_note_program(store *s, int version)
{
    char key[32];
    sqlite3_stmt *st = NULL;
    schema_key(key, sizeof key, version);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int rc = sqlite3_prepare_v2(s->db,
                                "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)"
                                " ON CONFLICT (key) DO UPDATE SET value = ?2, updated_at = ?3",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, PROGRAM " " HL_VERSION, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
        rc = sqlite3_step(st);
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    if (rc != SQLITE_OK)
        store_sql_note(s, rc, NULL, "recording the program that migrated the file");
    sqlite3_finalize(st);
    return rc;
}

int store_backup_before_migration(store *s, long from, int to)
{
    char dest[PATH_MAX], err[HL_ERR_MAX];
    int found = sqlcopy_pre_migration_name(s->path, to, dest, sizeof dest) == 0;
    int64_t bytes = 0;
    sqlcopy_opts o = {.vfs = s->vfs, .redo = "start the kiosk again"};
    /* SQLite copies from no connection in a write transaction, which s->db is in; a reader beside
     * it sees the last commit (WAL), and nothing can commit after it until the migration does. */
    sqlite3 *src = NULL;
    int rc;
    if (!found)
        rc = util_fail(err, sizeof err, HL_EXIT_RUNTIME, "no free name for it beside %s", s->path);
    else if (sqlite3_open_v2(s->path, &src, SQLITE_OPEN_READONLY, s->vfs) != SQLITE_OK)
        rc = util_fail(err, sizeof err, HL_EXIT_RUNTIME, "cannot read %s: %s", s->path,
                       src ? sqlite3_errmsg(src) : "out of memory");
    else {
        sqlite3_busy_timeout(src, BACKUP_BUSY_TIMEOUT_MS);
        rc = sqlcopy_to_file(src, dest, &o, &bytes, err, sizeof err);
    }
    sqlite3_close(src);
    if (rc != 0) {
        /* (Cut to fit if need be: the reason is at the end.) */
        (void)util_fmt(
            s->open_msg, sizeof s->open_msg,
            "%s: not upgraded from schema %ld to %d, because the copy made before an upgrade "
            "could not be written (%s); nothing was changed",
            s->path, from, to, err);
        return store_sql_note(s, SQLITE_ERROR, "copy before the upgrade failed",
                              "copying the database before migration %ld", from + 1);
    }
    /* Run as root (set-pin on a kiosk PC), the copy still belongs to the kiosk's user. */
    struct stat st;
    if (geteuid() == 0 && stat(s->path, &st) == 0 && chown(dest, st.st_uid, st.st_gid) != 0)
        log_warn("store: %s: cannot give it the owner of %s: %s", dest, s->path, strerror(errno));
    log_info("store: %s: upgrading the vote database from schema %ld to %d; copied it first to %s "
             "(%lld bytes)",
             s->path, from, to, dest, (long long)bytes);
    return SQLITE_OK;
}

/* ---- hailong-kiosk backup ---- */

/* What the copy holds (sqlcopy's inspect), read from the copy itself. */
static int inspect_copy(sqlite3 *copy, void *ctx, char *err, size_t errlen)
{
    store_backup_info *info = ctx;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(copy,
                                "SELECT count(*), coalesce(max(seq), 0),"
                                " (SELECT user_version FROM pragma_user_version) FROM votes",
                                -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        info->votes = sqlite3_column_int64(st, 0);
        info->max_seq = sqlite3_column_int64(st, 1);
        info->schema = sqlite3_column_int(st, 2);
        rc = SQLITE_OK;
    }
    if (rc != SQLITE_OK)
        util_fail(err, errlen, HL_EXIT_RUNTIME,
                  "the copy has no readable votes table (%s); is this the kiosk's votes.db?",
                  sqlite3_errmsg(copy));
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? 0 : HL_EXIT_RUNTIME;
}

store_rc store_backup(const char *data_dir, const char *out, int replace, store_backup_info *info,
                      char *err, size_t errlen)
{
    char path[PATH_MAX];
    memset(info, 0, sizeof *info);
    if (!data_dir || !data_dir[0] || util_fmt(path, sizeof path, "%s/votes.db", data_dir) != 0)
        return util_fail(err, errlen, STORE_ERROR,
                         "no data directory given, or its path is too "
                         "long");
    if (!util_file_exists(path))
        return util_fail(err, errlen, STORE_ERROR,
                         "%s: no vote database here (has the kiosk run with this data directory?)",
                         path);
    /* Its own read-only connection, as the export's: the kiosk may be running and voting, and
     * this must never migrate, release pending votes or move a file aside. */
    sqlite3 *h = NULL;
    int rc = sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL);
    long v = -1;
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(h, BACKUP_BUSY_TIMEOUT_MS);
        sqlite3_stmt *st = NULL;
        rc = sqlite3_prepare_v2(h, "PRAGMA user_version", -1, &st, NULL);
        if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
            v = sqlite3_column_int(st, 0);
            rc = SQLITE_OK;
        }
        sqlite3_finalize(st);
    }
    if (rc != SQLITE_OK) {
        util_fail(err, errlen, STORE_ERROR,
                  "%s: %s; can this user read it and its -wal/-shm files (run as the kiosk's user "
                  "or root)?",
                  path, h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
        sqlite3_close(h);
        return STORE_ERROR;
    }
    if (v > store_latest_schema_version()) {
        store_newer_message(h, path, v, store_latest_schema_version(), err, errlen);
        sqlite3_close(h);
        return STORE_NEWER_SCHEMA;
    }
    sqlcopy_opts o = {
        .replace = replace, .inspect = inspect_copy, .ctx = info, .redo = "run the backup again"};
    int xrc = sqlcopy_to_file(h, out, &o, &info->bytes, err, errlen);
    sqlite3_close(h);
    if (xrc != 0) {
        info->usage = xrc == HL_EXIT_USAGE;
        return STORE_ERROR;
    }
    return STORE_OK;
}
