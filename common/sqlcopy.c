/* sqlcopy: SQLite's online backup into a temporary file, made self-contained, checked, fsynced
 * and renamed into place (see sqlcopy.h). */
#include "sqlcopy.h"

#include <errno.h>
#include <time.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "util.h"

/* The first column of the first row of sql, as text ("" when there is none). */
static int query_text(sqlite3 *db, const char *sql, char *out, size_t cap)
{
    sqlite3_stmt *st = NULL;
    out[0] = '\0';
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            const unsigned char *t = sqlite3_column_text(st, 0);
            util_strlcpy(out, t ? (const char *)t : "", cap);
        }
        rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    sqlite3_finalize(st);
    return rc;
}

int sqlcopy_check(sqlite3 *db, char *err, size_t errlen)
{
    char val[256];
    if (query_text(db, "PRAGMA integrity_check", val, sizeof val) != SQLITE_OK)
        return util_fail(err, errlen, HL_EXIT_RUNTIME, "PRAGMA integrity_check failed: %s",
                         sqlite3_errmsg(db));
    if (strcmp(val, "ok") != 0)
        return util_fail(err, errlen, HL_EXIT_RUNTIME, "PRAGMA integrity_check: %s", val);
    return 0;
}

/* What to do about a SQLite failure while writing the copy. */
static const char *advice(int rc, const char *redo)
{
    switch (rc & 0xff) {
    case SQLITE_FULL:
        return "free some space on that disk or write the copy to another one";
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
        return "choose a folder you can write to (or run as a user who can)";
    default:
        return redo;
    }
}

/* SQLite's rollback journal (and, to be sure, WAL files) of the temporary file. */
static void remove_side_files(const char *tmp)
{
    static const char *const suffixes[] = {"-journal", "-wal", "-shm"};
    char p[PATH_MAX + 32];
    for (size_t i = 0; i < HL_ARRAY_LEN(suffixes); i++)
        if (util_fmt(p, sizeof p, "%s%s", tmp, suffixes[i]) == 0)
            unlink(p);
}

int sqlcopy_to_file(sqlite3 *src, const char *out, const sqlcopy_opts *o, int64_t *size, char *err,
                    size_t errlen)
{
    static const sqlcopy_opts none = {0};
    if (!o)
        o = &none;
    const char *redo = o->redo ? o->redo : "try again";
    if (size)
        *size = 0;
    /* Said before the work, and checked again by the rename at the end. */
    struct stat st;
    if (!o->replace && out && out[0] && lstat(out, &st) == 0 && !S_ISDIR(st.st_mode))
        return util_fail(err, errlen, HL_EXIT_USAGE, "%s already exists; nothing was overwritten",
                         out);
    atomic_file a;
    int rc = af_begin(&a, out, redo, err, errlen);
    if (rc != 0)
        return rc;
    /* The votes (and the collector's token hashes) are for the service's user and root. */
    fchmod(af_fd(&a), 0600);

    sqlite3 *dst = NULL;
    int src_failed = 0;
    int sq = sqlite3_open_v2(a.tmp, &dst, SQLITE_OPEN_READWRITE, o->vfs);
    if (sq == SQLITE_OK) {
        sqlite3_extended_result_codes(dst, 1);
        sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
        if (!b) {
            sq = sqlite3_extended_errcode(dst);
        } else {
            /* -1: every page in one step, so in one read transaction on src: a consistent
             * snapshot, never restarted by the writes that go on meanwhile. */
            int step = sqlite3_backup_step(b, -1);
            sq = sqlite3_backup_finish(b);
            if (sq == SQLITE_OK && step != SQLITE_DONE) {
                sq = step;
                src_failed = 1; /* busy or locked source: its message is on src */
            }
        }
    }
    char val[32];
    if (sq == SQLITE_OK) {
        /* The pages came with src's WAL flag; a rollback journal makes the copy one file that
         * sqlite3 (even -readonly) opens without -wal/-shm beside it. */
        sq = query_text(dst, "PRAGMA journal_mode = DELETE", val, sizeof val);
        if (sq == SQLITE_OK && strcmp(val, "delete") != 0)
            sq = SQLITE_ERROR;
    }
    if (sq != SQLITE_OK) {
        const char *msg = src_failed ? sqlite3_errmsg(src)
                          : dst      ? sqlite3_errmsg(dst)
                                     : sqlite3_errstr(sq);
        if ((sq & 0xff) == SQLITE_FULL || (sq & 0xff) == SQLITE_IOERR)
            msg = sqlite3_errstr(sq); /* "database or disk is full", "disk I/O error" */
        rc = util_fail(err, errlen, HL_EXIT_RUNTIME, "cannot write the copy %s: %s; %s", out, msg,
                       advice(sq, redo));
        goto fail;
    }
    char why[HL_ERR_MAX];
    if (sqlcopy_check(dst, why, sizeof why) != 0) {
        rc = util_fail(err, errlen, HL_EXIT_RUNTIME, "the copy %s is not sound (%s); %s", out, why,
                       redo);
        goto fail;
    }
    if (o->inspect && (rc = o->inspect(dst, o->ctx, err, errlen)) != 0)
        goto fail;
    sq = sqlite3_close(dst);
    dst = NULL;
    if (sq != SQLITE_OK) {
        rc = util_fail(err, errlen, HL_EXIT_RUNTIME, "cannot close the copy %s: %s; %s", out,
                       sqlite3_errstr(sq), redo);
        goto fail;
    }
    if (size && fstat(af_fd(&a), &st) == 0)
        *size = (int64_t)st.st_size;
    rc = o->replace ? af_commit(&a, err, errlen) : af_commit_new(&a, err, errlen);
    if (rc != 0)
        goto fail;
    af_abort(&a); /* closes what is left open; the file stays */
    return 0;
fail:
    if (dst)
        sqlite3_close(dst);
    remove_side_files(a.tmp);
    af_abort(&a);
    return rc;
}

int sqlcopy_pre_migration_name(const char *db, int to, char *out, size_t cap)
{
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    struct stat st;
    for (int n = 0; n < 100; n++) {
        int bad = n == 0 ? util_fmt(out, cap, "%s.pre-v%d-%s.bak", db, to, stamp)
                         : util_fmt(out, cap, "%s.pre-v%d-%s.%d.bak", db, to, stamp, n);
        if (bad)
            return -1;
        if (lstat(out, &st) != 0)
            return 0;
    }
    return -1;
}
