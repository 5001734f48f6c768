/* store: the vote database (SQLite): open with durable pragmas, numbered migrations, moving a
 * corrupt file aside. The helpers the store files share are in store_sql.c; the vote writes
 * are in store_vote.c, sync batches in store_sync.c, settings in store_settings.c, the export's
 * read-only reader in store_read.c. No SDL. Not thread-safe: one store per thread (the sync
 * thread opens its own). */
#include "store_int.h"

#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define STORE_FILE "votes.db"

/* How long a write waits for another connection (the sync thread, the export command) to finish
 * its own short transaction, instead of failing the citizen's vote at once with SQLITE_BUSY. */
#define STORE_BUSY_TIMEOUT_MS 5000

/* The SQL of the statements each connection prepares once (ST_* in store_int.h). */
static const char *const stmt_sql[ST_COUNT] = {
    /* IMMEDIATE takes the write lock up front, so max(seq) and max(created_at) read inside the
     * transaction cannot change before the INSERT (another writer waits on busy_timeout). */
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_PREV_CREATED] =
        "SELECT created_at FROM votes WHERE kiosk_id = ?1 ORDER BY seq DESC LIMIT 1",
    [ST_NEXT_SEQ] = "SELECT coalesce(max(seq), 0) + 1 FROM votes WHERE kiosk_id = ?1",
    [ST_INSERT] = "INSERT INTO votes (uuid, kiosk_id, seq, boot_id, officer_code, rating, reasons,"
                  " created_at, misuse, sync_state, clock_suspect)"
                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, '[]', ?7, ?8, ?9, ?10)",
    [ST_FINISH] = "UPDATE votes SET reasons = ?1, sync_state = '" STORE_SYNC_UNSENT "'"
                  " WHERE uuid = ?2 AND sync_state = '" STORE_SYNC_PENDING "'",
    [ST_GET] = "SELECT uuid, kiosk_id, seq, boot_id, officer_code, rating, reasons, created_at,"
               " misuse, sync_state, clock_suspect FROM votes WHERE uuid = ?1",
    [ST_COUNTS] = "SELECT count(*), coalesce(sum(misuse), 0),"
                  " coalesce(sum(sync_state = '" STORE_SYNC_UNSENT "'), 0),"
                  " coalesce(sum(sync_state = '" STORE_SYNC_PENDING "'), 0),"
                  " coalesce(sum(misuse = 0 AND rating = 1), 0),"
                  " coalesce(sum(misuse = 0 AND rating = 2), 0),"
                  " coalesce(sum(misuse = 0 AND rating = 3), 0) FROM votes",
    [ST_OLDEST_BATCH] = "SELECT batch_id, kiosk_id, frozen_at, body, n_votes, attempts, n_feedback"
                        " FROM batches"
                        " ORDER BY frozen_at, rowid LIMIT 1",
    /* Pending votes (reasons screen open) are never frozen: their reasons may still change. */
    [ST_UNSENT_FOR_BATCH] =
        "SELECT uuid, seq, boot_id, officer_code, rating, reasons, created_at,"
        " misuse, clock_suspect FROM votes WHERE sync_state = '" STORE_SYNC_UNSENT "'"
        " AND batch_id IS NULL AND kiosk_id = ?1 ORDER BY seq LIMIT ?2",
    [ST_FREEZE_VOTE] = "UPDATE votes SET batch_id = ?1 WHERE uuid = ?2"
                       " AND sync_state = '" STORE_SYNC_UNSENT "' AND batch_id IS NULL",
    [ST_INSERT_BATCH] = "INSERT INTO batches (batch_id, kiosk_id, frozen_at, body, n_votes,"
                        " n_feedback) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [ST_UNFREEZE] = "UPDATE votes SET batch_id = NULL WHERE batch_id = ?1"
                    " AND sync_state = '" STORE_SYNC_UNSENT "'",
    [ST_DELETE_BATCH] = "DELETE FROM batches WHERE batch_id = ?1",
    [ST_BATCH_SIZE] = "SELECT n_votes FROM batches WHERE batch_id = ?1",
    /* Sent and quarantined votes keep batch_id: it names the batch that carried them. */
    [ST_MARK_SENT] = "UPDATE votes SET sync_state = '" STORE_SYNC_SENT "', sync_error = NULL"
                     " WHERE uuid = ?1 AND batch_id = ?2 AND sync_state = '" STORE_SYNC_UNSENT "'",
    [ST_MARK_QUARANTINED] = "UPDATE votes SET sync_state = '" STORE_SYNC_QUARANTINED "',"
                            " sync_error = ?3 WHERE uuid = ?1 AND batch_id = ?2"
                            " AND sync_state = '" STORE_SYNC_UNSENT "'",
    /* Run before every status write (status_write in store_sync.c). */
    [ST_STATUS_ROW] = "INSERT OR IGNORE INTO sync_status (id) VALUES (1)",
    [ST_GET_LIMIT] = "SELECT coalesce((SELECT batch_limit FROM sync_status WHERE id = 1), 500)",
    [ST_SET_LIMIT] = "UPDATE sync_status SET batch_limit = ?1 WHERE id = 1",
    [ST_NOTE_SUCCESS] = "UPDATE sync_status SET last_success_at = ?1, updated_at = ?1,"
                        " auth_failed = 0, backoff_until = NULL,"
                        " batch_limit = min(500, batch_limit + max(1, batch_limit / 4))"
                        " WHERE id = 1",
    [ST_NOTE_BATCH_FAILURE] = "UPDATE batches SET attempts = attempts + 1, last_status = ?2,"
                              " last_error = ?3 WHERE batch_id = ?1",
    [ST_NOTE_FAILURE] = "UPDATE sync_status SET last_error = ?1, last_error_at = ?2,"
                        " updated_at = ?2, state = ?3, backoff_until = ?4,"
                        " auth_failed = (?3 = '" STORE_SYNC_STATE_AUTH "') WHERE id = 1",
    [ST_SET_STATE] = "UPDATE sync_status SET state = ?1, backoff_until = ?2, updated_at = ?3"
                     " WHERE id = 1",
    [ST_SYNC_STATUS] = "SELECT state, updated_at, last_success_at, last_error, last_error_at,"
                       " backoff_until, auth_failed, batch_limit FROM sync_status WHERE id = 1",
    [ST_SYNC_COUNTS] =
        "SELECT coalesce(sum(sync_state IN ('" STORE_SYNC_UNSENT "', '" STORE_SYNC_PENDING
        "')), 0),"
        " min(CASE WHEN sync_state IN ('" STORE_SYNC_UNSENT "', '" STORE_SYNC_PENDING "')"
        " THEN created_at END),"
        " coalesce(sum(sync_state = '" STORE_SYNC_QUARANTINED "'), 0),"
        " coalesce(sum(sync_state = '" STORE_SYNC_UNSENT "' AND batch_id IS NOT NULL), 0),"
        " (SELECT count(*) FROM batches),"
        " coalesce(sum(sync_state = '" STORE_SYNC_UNSENT "' AND kiosk_id <> ?1), 0),"
        /* through the partial index of migration 4: no scan of every vote */
        " (SELECT count(*) FROM votes WHERE clock_suspect = 1),"
        " (SELECT max(created_at) FROM votes WHERE clock_suspect = 1)"
        " FROM votes WHERE sync_state IN ('" STORE_SYNC_UNSENT "', '" STORE_SYNC_PENDING "',"
        " '" STORE_SYNC_QUARANTINED "')",
    [ST_SETTING_GET] = "SELECT value FROM settings WHERE key = ?1",
    [ST_SETTING_PUT] = "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)"
                       " ON CONFLICT (key) DO UPDATE SET value = ?2, updated_at = ?3",
    [ST_SETTING_DEL] = "DELETE FROM settings WHERE key = ?1",
};

/* ---- open: durable pragmas, migrations, a damaged file moved aside ---- */

/* Runs a statement and copies the first column of its first row (or "" when there is none). */
static int query_text(store *s, const char *sql, char *out, size_t outlen, const char *what)
{
    sqlite3_stmt *st = NULL;
    out[0] = '\0';
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_sql_note(s, rc, NULL, "%s", what);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        util_strlcpy(out, t ? (const char *)t : "", outlen);
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
    } else {
        store_sql_note(s, rc, NULL, "%s", what);
    }
    sqlite3_finalize(st);
    return rc;
}

static int builtin_migrations(void)
{
    return (int)store_n_migrations;
}

int store_latest_schema_version(void)
{
    return builtin_migrations();
}

/* Brings the file to the latest version, one migration per transaction. The version is read
 * inside the write transaction, so two programs opening a new file at once (the kiosk and an
 * export command) cannot both apply the same migration. */
static int migrate(store *s)
{
    int target = builtin_migrations() + (int)s->n_extra_migrations;
    int first = 1;
    for (;;) {
        int rc = store_exec(s, "BEGIN IMMEDIATE", "starting a schema migration");
        if (rc != SQLITE_OK)
            return rc;
        char val[32];
        long v = 0;
        rc = query_text(s, "PRAGMA user_version", val, sizeof val, "reading the schema version");
        if (rc != SQLITE_OK)
            goto fail;
        if (util_parse_int(val, 0, INT_MAX, &v) != 0) {
            rc = store_sql_note(s, SQLITE_ERROR, "unreadable user_version",
                                "reading the schema version");
            goto fail;
        }
        if (v > target) {
            /* A newer program wrote this file; an older one must not guess at its meaning. */
            store_newer_message(s->db, s->path, v, target, s->open_msg, sizeof s->open_msg);
            s->too_new = 1;
            rc = store_sql_note(s, SQLITE_ERROR, "schema newer than this program",
                                "checking the schema version");
            goto fail;
        }
        if (v == target) {
            rc = store_exec(s, "COMMIT", "checking the schema version");
            if (rc != SQLITE_OK)
                goto fail;
            return SQLITE_OK;
        }
        /* A file that existed at a version before (a new, empty one has nothing to lose) is
         * copied aside while this transaction holds the write lock, before its first migration. */
        if (first && v > 0) {
            rc = store_backup_before_migration(s, v, target);
            if (rc != SQLITE_OK)
                goto fail;
        }
        first = 0;
        const char *sql = v < builtin_migrations() ? store_migrations[v]
                                                   : s->extra_migrations[v - builtin_migrations()];
        char what[64];
        snprintf(what, sizeof what, "applying schema migration %ld", v + 1);
        rc = store_exec(s, sql, what);
        if (rc != SQLITE_OK)
            goto fail;
        char bump[48];
        snprintf(bump, sizeof bump, "PRAGMA user_version = %ld", v + 1);
        rc = store_exec(s, bump, what);
        if (rc == SQLITE_OK && v + 1 == target)
            rc = store_note_program(s, target);
        if (rc != SQLITE_OK)
            goto fail;
        rc = store_exec(s, "COMMIT", what);
        if (rc != SQLITE_OK)
            goto fail;
        log_info("store: %s: applied schema migration %ld", s->path, v + 1);
        continue;
    fail:
        store_rollback(s);
        return rc;
    }
}

/* Closes the connection. keep_files: the file is damaged and about to be moved aside, so SQLite
 * must not checkpoint into it or delete its -wal on the way out (it deletes a -wal it cannot read
 * as if it were empty), which would lose bytes someone may want to recover. */
static void close_db(store *s, int keep_files)
{
    for (int i = 0; i < ST_COUNT; i++) {
        sqlite3_finalize(s->st[i]);
        s->st[i] = NULL;
    }
    if (!s->db)
        return;
    if (keep_files)
        sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)NULL);
    if (sqlite3_close(s->db) != SQLITE_OK) {
        /* Only possible with an unfinalised statement, which would be our bug; close_v2 still
         * releases the handle once that statement goes away. */
        log_error("store: %s: close: %s", s->path, sqlite3_errmsg(s->db));
        sqlite3_close_v2(s->db);
    }
    s->db = NULL;
}

static int prepare_all(store *s)
{
    for (int i = 0; i < ST_COUNT; i++) {
        int rc =
            sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL);
        if (rc != SQLITE_OK)
            return store_sql_note(s, rc, NULL, "preparing statement %d", i);
    }
    return SQLITE_OK;
}

#define STORE_URI_MAX (3 * PATH_MAX + 32)

/* path as a file: URI (the characters that mean something in one escaped) with query. */
static void path_uri(const char *path, const char *query, char *uri, size_t cap)
{
    size_t n = (size_t)snprintf(uri, cap, "file:");
    for (const char *c = path; *c && n + 4 < cap; c++)
        n += (size_t)(strchr("%?#", *c) ? snprintf(uri + n, cap - n, "%%%02X", (unsigned char)*c)
                                        : snprintf(uri + n, cap - n, "%c", *c));
    snprintf(uri + n, cap - n, "?%s", query);
}

/* A read-only disk (or folder): SQLite cannot make votes.db-shm, which WAL mode needs even to
 * read, and the open fails with SQLITE_CANTOPEN. With no write-ahead log beside the file (a clean
 * close, or an empty one) the file alone holds everything: it is opened as immutable. A -wal that
 * holds votes cannot be read this way, and saying so is better than showing counts without them.
 * Returns the result of the retry, or rc unchanged when none was possible. */
static int open_readonly_immutable(store *s, int rc)
{
    if ((rc & 0xff) != SQLITE_CANTOPEN)
        return rc;
    char wal[PATH_MAX], uri[STORE_URI_MAX];
    snprintf(wal, sizeof wal, "%s-wal", s->path);
    struct stat st;
    if (stat(wal, &st) == 0 && st.st_size > 0) {
        char msg[200];
        snprintf(msg, sizeof msg,
                 "votes.db-wal holds votes not yet folded into votes.db, and on a read-only "
                 "disk SQLite cannot read them; copy the folder to a writable disk and run this "
                 "there");
        return store_sql_note(s, rc, msg, "opening the file on a read-only disk");
    }
    path_uri(s->path, "immutable=1", uri, sizeof uri);
    close_db(s, 1);
    int rc2 = sqlite3_open_v2(uri, &s->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, s->vfs);
    if (rc2 != SQLITE_OK) {
        close_db(s, 1);
        return rc;
    }
    sqlite3_extended_result_codes(s->db, 1);
    log_info("store: %s: a read-only disk; read as it is (no write-ahead log beside it)", s->path);
    return SQLITE_OK;
}

/* The rest of a read-only open (the status command): nothing is written, so no pragma that
 * changes the file, no migration; a file at another schema version is refused. */
static int open_readonly_rest(store *s)
{
    char val[32];
    long v = -1;
    int rc = query_text(s, "PRAGMA user_version", val, sizeof val, "reading the schema version");
    if (rc != SQLITE_OK && open_readonly_immutable(s, rc) == SQLITE_OK)
        rc = query_text(s, "PRAGMA user_version", val, sizeof val, "reading the schema version");
    if (rc == SQLITE_OK && util_parse_int(val, 0, INT_MAX, &v) != 0)
        rc = store_sql_note(s, SQLITE_ERROR, "unreadable user_version",
                            "reading the schema version");
    if (rc == SQLITE_OK && v > builtin_migrations()) {
        store_newer_message(s->db, s->path, v, builtin_migrations(), s->open_msg,
                            sizeof s->open_msg);
        s->too_new = 1;
        rc = store_sql_note(s, SQLITE_ERROR, "schema newer than this program",
                            "checking the schema version");
    } else if (rc == SQLITE_OK && v != builtin_migrations()) {
        char msg[160];
        snprintf(msg, sizeof msg,
                 "schema version %ld, this program reads version %d; start the kiosk once so it "
                 "upgrades the file",
                 v, builtin_migrations());
        rc = store_sql_note(s, SQLITE_ERROR, msg, "checking the schema version");
    }
    if (rc == SQLITE_OK)
        rc = prepare_all(s);
    if (rc != SQLITE_OK)
        close_db(s, 1);
    return rc;
}

/* SQLITE_OK, or SQLITE_ERROR with s->too_new and s->open_msg set when the file's schema is newer
 * than this program's (tests' extra migrations included). */
static int refuse_newer(store *s)
{
    char val[32];
    long v = 0;
    int target = builtin_migrations() + (int)s->n_extra_migrations;
    int rc = query_text(s, "PRAGMA user_version", val, sizeof val, "reading the schema version");
    if (rc != SQLITE_OK || util_parse_int(val, 0, INT_MAX, &v) != 0 || v <= target)
        return rc; /* an unreadable one is migrate()'s to report */
    store_newer_message(s->db, s->path, v, target, s->open_msg, sizeof s->open_msg);
    s->too_new = 1;
    return store_sql_note(s, SQLITE_ERROR, "schema newer than this program",
                          "checking the schema version");
}

/* Opens s->path with the pragmas the durability promise rests on, checks it, migrates it, releases
 * votes a crash left pending and prepares the statements. Returns SQLITE_OK, or a SQLite result
 * code with the failure noted (the caller tells corruption apart) and the connection closed. */
static int open_db(store *s)
{
    char val[256];
    int flags = s->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    /* psow=0: SQLite assumes by default that a write torn by a power cut spoils only the bytes
     * written, so a commit may share a disk sector with the acknowledged commit before it. The
     * cheap disks of kiosk PCs promise no such thing; without the assumption SQLite pads each
     * commit to a whole sector, and a torn write can only harm the vote not yet acknowledged
     * (test_powercut with HL_POWERCUT_NO_PSOW=1). Costs a few KiB of -wal a vote. */
    char uri[STORE_URI_MAX];
    path_uri(s->path, "psow=0", uri, sizeof uri);
    int rc = sqlite3_open_v2(uri, &s->db, flags | SQLITE_OPEN_URI, s->vfs);
    if (rc != SQLITE_OK) {
        store_sql_note(s, rc, NULL, "opening the file");
        goto fail;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);
    /* Remember which file this is: when the UI's connection moves a damaged file aside, a
     * secondary connection (the sync thread) sees the name point elsewhere and reopens. */
    struct stat fst;
    if (stat(s->path, &fst) == 0) {
        s->dev = fst.st_dev;
        s->ino = fst.st_ino;
    }
    if (s->readonly)
        return open_readonly_rest(s);
    /* A newer program's file is refused before anything here writes to it, even the journal
     * mode; migrate() checks again inside its transaction. */
    if ((rc = refuse_newer(s)) != SQLITE_OK)
        goto fail;

    /* WAL: a commit is one append and sync of the -wal file (fast enough to thank within a frame),
     * and the sync thread can read while the UI writes. The mode is stored in the file. */
    rc = query_text(s, "PRAGMA journal_mode = WAL", val, sizeof val, "setting journal_mode = WAL");
    if (rc != SQLITE_OK)
        goto fail;
    if (strcmp(val, "wal") != 0) {
        char msg[sizeof val + 96];
        snprintf(msg, sizeof msg,
                 "journal_mode stayed '%s' instead of 'wal'; keep the data directory on a local "
                 "disk",
                 val);
        rc = store_sql_note(s, SQLITE_ERROR, msg, "setting journal_mode = WAL");
        goto fail;
    }
    /* FULL syncs the WAL on every commit, so a committed vote survives a power cut; NORMAL would
     * only sync at checkpoints. Per connection, so set on every open and read back, rather than
     * trusting the library's compile-time default. The sync thread's secondary connection only
     * records sending progress: NORMAL there (still crash-consistent in WAL) at worst forgets
     * that a batch was sent, which is resent and comes back as duplicates; votes are committed
     * by the primary connection, whose FULL commits sync the shared WAL up to their own frames. */
    const char *want = s->secondary ? "1" : "2";
    rc = store_exec(s, s->secondary ? "PRAGMA synchronous = NORMAL" : "PRAGMA synchronous = FULL",
                    "setting synchronous");
    if (rc == SQLITE_OK)
        rc = query_text(s, "PRAGMA synchronous", val, sizeof val, "reading synchronous");
    if (rc != SQLITE_OK)
        goto fail;
    if (strcmp(val, want) != 0) {
        rc = store_sql_note(s, SQLITE_ERROR, "synchronous did not take the value set",
                            "setting synchronous");
        goto fail;
    }
    rc = store_exec(s, "PRAGMA foreign_keys = ON", "setting foreign_keys = ON");
    if (rc == SQLITE_OK)
        rc = query_text(s, "PRAGMA foreign_keys", val, sizeof val, "reading foreign_keys");
    if (rc != SQLITE_OK)
        goto fail;
    if (strcmp(val, "1") != 0) {
        rc =
            store_sql_note(s, SQLITE_ERROR, "foreign_keys did not turn on", "setting foreign_keys");
        goto fail;
    }
    /* quick_check reads every page once (no index cross-check): cheap at start, and it finds a
     * damaged file now instead of in the middle of a citizen's vote. Problems come back as rows.
     * A secondary connection opens a file the primary has just checked. */
    if (!s->secondary) {
        rc =
            query_text(s, "PRAGMA quick_check", val, sizeof val, "checking the file (quick_check)");
        if (rc != SQLITE_OK)
            goto fail;
        if (strcmp(val, "ok") != 0) {
            rc = store_sql_note(s, SQLITE_CORRUPT, val, "checking the file (quick_check)");
            goto fail;
        }
    }
    rc = migrate(s);
    if (rc != SQLITE_OK)
        goto fail;
    if (s->secondary)
        goto prepare;
    /* Start from an empty -wal: everything a run that ended without closing left in it goes into
     * votes.db (synced) first. test_powercut on a disk without powersafe overwrite
     * (HL_POWERCUT_NO_PSOW) lost a vote acknowledged before a cut in 4 runs of 13 with psow=0
     * alone, 26 of 30 with this alone, and none in 38 with both.
     * Not a condition of starting: a reader (status) may hold the -wal, a full disk refuse the
     * copy; those are told and the kiosk goes on as before. */
    {
        int frames, done;
        int ck = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, &frames, &done);
        if (ck == SQLITE_BUSY || ck == SQLITE_LOCKED)
            log_msg(LOG_DEBUG, "store: %s: the -wal is in use; not folded at start", s->path);
        else if (ck != SQLITE_OK)
            log_warn("store: %s: folding the -wal into the file at start failed: %s", s->path,
                     sqlite3_errmsg(s->db));
    }
    /* A vote still "pending" was waiting for its reasons screen when the program stopped; that
     * screen is gone, so the vote is complete as it is and may be sent. */
    rc = store_exec(s,
                    "UPDATE votes SET sync_state = '" STORE_SYNC_UNSENT "'"
                    " WHERE sync_state = '" STORE_SYNC_PENDING "'",
                    "releasing votes left pending");
    if (rc != SQLITE_OK)
        goto fail;
    if (sqlite3_changes(s->db) > 0)
        log_info("store: %s: %d vote(s) left pending by the last run are now unsent", s->path,
                 sqlite3_changes(s->db));
prepare:
    rc = prepare_all(s);
    if (rc != SQLITE_OK)
        goto fail;
    return SQLITE_OK;
fail:
    close_db(s, store_is_corrupt(rc));
    return rc;
}

static int path_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* Renames a damaged votes.db (with its -wal and -shm, which belong to it) to
 * votes.db.corrupt-<UTC time>[.N], keeping every byte for recovery. The connection must be
 * closed. STORE_OK, or STORE_ERROR with err set. */
static store_rc move_aside(store *s, char *err, size_t errlen)
{
    char stamp[32], dest[PATH_MAX], from[PATH_MAX + 8], to[PATH_MAX + 8];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    /* The suffix never overwrites an earlier damaged file moved aside in the same second. */
    int found = 0;
    for (int n = 0; n < 1000 && !found; n++) {
        int bad = n == 0 ? util_fmt(dest, sizeof dest, "%s.corrupt-%s", s->path, stamp)
                         : util_fmt(dest, sizeof dest, "%s.corrupt-%s.%d", s->path, stamp, n);
        if (bad)
            return store_fail(s, err, errlen, "%s: path too long to move the damaged file aside",
                              s->path);
        /* from/to as scratch: the -wal and -shm names must be free as well. */
        snprintf(from, sizeof from, "%s-wal", dest);
        snprintf(to, sizeof to, "%s-shm", dest);
        found = !path_exists(dest) && !path_exists(from) && !path_exists(to);
    }
    if (!found)
        return store_fail(s, err, errlen, "%s: too many damaged copies named %s.corrupt-%s*",
                          s->path, s->path, stamp);
    /* The main file goes last: a crash midway must not leave the old -wal next to a new empty
     * votes.db, where SQLite would replay the damaged database's frames into it. */
    static const char *const suffixes[] = {"-wal", "-shm", ""};
    for (size_t i = 0; i < HL_ARRAY_LEN(suffixes); i++) {
        snprintf(from, sizeof from, "%s%s", s->path, suffixes[i]);
        snprintf(to, sizeof to, "%s%s", dest, suffixes[i]);
        if (rename(from, to) != 0 && errno != ENOENT)
            return store_fail(s, err, errlen,
                              "%s: the database is damaged and cannot be moved aside to %s: %s",
                              from, to, strerror(errno));
    }
    /* Make the renames durable before new votes go into a fresh file of the old name. */
    int dfd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    log_warn("store: %s is damaged (%s while %s); moved it to %s and started a new, empty vote "
             "database",
             s->path, s->sql_msg, s->sql_what, dest);
    return STORE_OK;
}

/* open_db, and if the file is damaged, move it aside and start a new one. */
/* What an SQLite failure means for the person reading the log or the admin screen. */
static const char *rc_words(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_READONLY:
        return "the disk or the file is read-only";
    case SQLITE_FULL:
        return "the disk is full";
    case SQLITE_IOERR:
        return "the disk refused to read or write (full, read-only or failing)";
    case SQLITE_CANTOPEN:
        return "the file cannot be opened (a read-only disk, or the folder's permissions)";
    case SQLITE_PERM:
    case SQLITE_AUTH:
        return "permission denied";
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return "another program holds it locked";
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return "the file is damaged";
    default:
        return "SQLite could not use it";
    }
}

store_rc store_open_or_recover(store *s, char *err, size_t errlen)
{
    s->too_new = 0;
    s->open_msg[0] = '\0';
    int rc = open_db(s);
    /* Only the primary (the UI's) connection moves a damaged file aside: a second connection
     * doing so would leave the primary writing votes into the renamed file. */
    if (rc != SQLITE_OK && store_is_corrupt(rc) && (s->secondary || s->readonly))
        s->damaged = 1;
    else if (rc != SQLITE_OK && store_is_corrupt(rc)) {
        if (move_aside(s, err, errlen) != STORE_OK)
            return STORE_ERROR;
        rc = open_db(s);
    }
    if (rc != SQLITE_OK && s->open_msg[0]) {
        store_fail(s, err, errlen, "%s", s->open_msg);
        return s->too_new ? STORE_NEWER_SCHEMA : STORE_ERROR;
    }
    if (rc != SQLITE_OK)
        return store_fail(s, err, errlen,
                          "%s: cannot open the vote database: %s (%s: %s) [SQLite code %d]",
                          s->path, rc_words(s->sql_rc), s->sql_what, s->sql_msg, s->sql_rc);
    return STORE_OK;
}

int store_connected(const store *s)
{
    return s && s->db != NULL;
}

store_rc store_open(store **out, const char *data_dir, const store_opts *opts, char *err,
                    size_t errlen)
{
    char path[PATH_MAX];
    *out = NULL;
    if (err && errlen)
        err[0] = '\0';
    store *s = xcalloc(1, sizeof *s);
    s->last_vote_mono = -1;
    s->ref_mono = -1;
    if (opts && opts->clock) {
        /* The clock's reading now is the reference the first vote's time is checked against. */
        s->ref_wall = clk_wall_ms(opts->clock);
        s->ref_mono = clk_mono_ms(opts->clock);
    }
    if (!data_dir || !*data_dir) {
        store_fail(s, err, errlen, "no data directory given for votes.db");
        goto fail;
    }
    s->dir = xstrdup(data_dir);
    size_t len = strlen(s->dir);
    while (len > 1 && s->dir[len - 1] == '/')
        s->dir[--len] = '\0';
    s->readonly = opts && opts->readonly;
    s->secondary = opts && opts->secondary;
    if (!s->readonly && util_mkdirs(s->dir) != 0) {
        store_fail(s, err, errlen, "%s: cannot create the data directory: %s", s->dir,
                   strerror(errno));
        goto fail;
    }
    if (util_fmt(path, sizeof path, "%s/%s", s->dir, STORE_FILE) != 0) {
        store_fail(s, err, errlen, "%s: data directory path too long", s->dir);
        goto fail;
    }
    s->path = xstrdup(path);
    if (s->readonly && !util_file_exists(path)) {
        store_fail(s, err, errlen,
                   "%s: no vote database here (has the kiosk run with this data directory?)", path);
        goto fail;
    }
    if (opts) {
        s->vfs = opts->vfs ? xstrdup(opts->vfs) : NULL;
        s->response_interval_ms = opts->response_interval_ms;
        s->clock = opts->clock;
        s->extra_migrations = opts->extra_migrations;
        s->n_extra_migrations = opts->extra_migrations ? opts->n_extra_migrations : 0;
    }
    store_rc rc = store_open_or_recover(s, err, errlen);
    if (rc == STORE_ERROR && opts && opts->degraded_ok && !s->readonly && !s->secondary) {
        if (s->db) /* no half-open connection: every call opens the file again */
            close_db(s, 1);
        *out = s;
        return STORE_OK;
    }
    if (rc != STORE_OK) {
        store_close(s);
        return rc;
    }
    *out = s;
    return STORE_OK;
fail:
    store_close(s);
    return STORE_ERROR;
}

store_rc store_checkpoint(store *s)
{
    if (!s || !s->db || s->readonly)
        return STORE_OK;
    int log_frames = -1, done = -1;
    int rc = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, &log_frames, &done);
    if (rc == SQLITE_BUSY) /* the sync thread is reading or writing: the next idle time will do */
        return STORE_OK;
    if (rc != SQLITE_OK) {
        store_sql_note(s, rc, NULL, "checkpointing the write-ahead log");
        return STORE_ERROR;
    }
    return STORE_OK;
}

void store_close(store *s)
{
    if (!s)
        return;
    /* A connection to a file that was moved aside (or that it found damaged) must not checkpoint
     * or delete "votes.db-wal" on the way out: SQLite deletes that by name, and the name now
     * belongs to the new database's WAL. */
    close_db(s, s->db && store_needs_reopen(s));
    free(s->dir);
    free(s->path);
    free(s->vfs);
    free(s);
}

/* After a statement reported corruption: close, move the file aside and open a fresh one. */
store_rc store_recover(store *s, char *err, size_t errlen)
{
    close_db(s, 1);
    if (move_aside(s, err, errlen) != STORE_OK)
        return STORE_ERROR;
    return store_open_or_recover(s, err, errlen);
}

/* ---- the open file ---- */

store_rc store_pragma(store *s, const char *name, char *out, size_t outlen)
{
    char sql[64];
    if (outlen)
        out[0] = '\0';
    size_t len = name ? strspn(name, "abcdefghijklmnopqrstuvwxyz_") : 0;
    /* The name is pasted into SQL, so only a bare identifier is accepted. */
    if (len == 0 || name[len] != '\0' || util_fmt(sql, sizeof sql, "PRAGMA %s", name) != 0)
        return store_fail(s, NULL, 0, "not a pragma name: %s", name ? name : "(null)");
    if (!s->db)
        return store_fail(s, NULL, 0, "%s: cannot read PRAGMA %s: database not open", s->path,
                          name);
    if (query_text(s, sql, out, outlen, "reading a pragma") != SQLITE_OK)
        return store_fail(s, NULL, 0, "%s: cannot read PRAGMA %s: %s", s->path, name, s->sql_msg);
    return STORE_OK;
}

store_rc store_schema_version(store *s, int *version)
{
    char val[32];
    long v;
    *version = -1;
    if (store_pragma(s, "user_version", val, sizeof val) != STORE_OK)
        return STORE_ERROR;
    if (util_parse_int(val, 0, INT_MAX, &v) != 0)
        return store_fail(s, NULL, 0, "%s: unreadable user_version \"%s\"", s->path, val);
    *version = (int)v;
    return STORE_OK;
}

const char *store_path(const store *s)
{
    return s->path;
}

const char *store_last_error(const store *s)
{
    return s->last_error;
}

int store_needs_reopen(store *s)
{
    if (!s->db || s->damaged)
        return 1;
    struct stat st;
    if (stat(s->path, &st) != 0)
        return 1;
    return st.st_dev != s->dev || st.st_ino != s->ino;
}
