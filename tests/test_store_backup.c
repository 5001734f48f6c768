/* test_store_backup: the copies of votes.db on real files: the one the store makes before it
 * migrates an existing file (the old schema and every row in it; none for a new file), a copy that
 * cannot be written (a full disk, through the fault-injecting VFS) refusing the migration and
 * changing nothing, the record of the program that migrated, a newer file refused with the
 * version to install by every way of opening it, and store_backup (hailong-kiosk backup). The
 * real programs while voting: test_backup.sh. */
#include "faultvfs.h"
#include "log.h"
#include "seed.h"
#include "store.h"
#include "store_read.h"
#include "test.h"
#include "util.h"

#include <dirent.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

/* One migration after the built-in ones: the program's "next version" in these tests. */
static const char *const next_version[] = {"CREATE TABLE next_version_marker (x INTEGER);"};

static char logged[4096]; /* the info lines of the last open, one after another */

static void log_hook(log_level level, const char *msg, void *ctx)
{
    (void)ctx;
    size_t len = strlen(logged);
    if (level == LOG_INFO)
        snprintf(logged + len, sizeof logged - len, "%s\n", msg);
}

/* The names in dir that start with prefix, joined by spaces, in out; how many. */
static int names_with(const char *dir, const char *prefix, char *out, size_t cap)
{
    DIR *d = opendir(dir);
    int n = 0;
    out[0] = '\0';
    for (struct dirent *e; d && (e = readdir(d)) != NULL;)
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0) {
            n++;
            size_t len = strlen(out);
            snprintf(out + len, cap - len, "%s%s", len ? " " : "", e->d_name);
        }
    if (d)
        closedir(d);
    return n;
}

/* A data folder with n votes at this program's schema; its votes.db path in db. */
static void with_votes(char *dir, char *db, int n)
{
    test_new_dir(dir, PATH_MAX);
    test_path(db, PATH_MAX, dir, "votes.db");
    store *s = seed_open(dir, 0);
    REQUIRE(s);
    for (int i = 0; i < n; i++)
        CHECK_INT(seed_add(s, "K1", 1 + i % 3, 0, NULL), STORE_OK);
    store_close(s);
}

#define ROWS "SELECT group_concat(uuid || seq || rating || created_at, ',') FROM votes"

static store_rc open_next(const char *dir, const char *vfs, char *err, size_t cap)
{
    store_opts o = {.vfs = vfs, .extra_migrations = next_version, .n_extra_migrations = 1};
    store *s = NULL;
    store_rc rc = store_open(&s, dir, &o, err, cap);
    store_close(s);
    return rc;
}

/* A new file: nothing to copy; the program is recorded for the schema it made. */
static void t_new_file_no_copy(void)
{
    char dir[PATH_MAX], db[PATH_MAX], names[512], val[128], want[128];
    with_votes(dir, db, 0);
    CHECK_INT(names_with(dir, "votes.db.pre-", names, sizeof names), 0);
    snprintf(want, sizeof want, "SELECT value FROM settings WHERE key = 'schema_v%d_by'",
             store_latest_schema_version());
    db_text(db, want, val, sizeof val);
    CHECK_STR(val, "hailong-kiosk " HL_VERSION);
}

/* An existing file is copied before its migration: the copy at the old schema, every row. */
static void t_copy_before_migration(void)
{
    char dir[PATH_MAX], db[PATH_MAX], names[512], before[4096], val[4096], err[HL_ERR_MAX];
    int base = store_latest_schema_version();
    with_votes(dir, db, 25);
    db_text(db, ROWS, before, sizeof before);
    logged[0] = '\0';
    CHECK_INT(open_next(dir, NULL, err, sizeof err), STORE_OK);
    char prefix[64];
    snprintf(prefix, sizeof prefix, "votes.db.pre-v%d-", base + 1);
    REQUIRE(names_with(dir, prefix, names, sizeof names) == 1);
    /* votes.db.pre-v<N>-YYYYMMDDTHHMMSSZ.bak */
    CHECK_INT(strlen(names), strlen(prefix) + 16 + 4);
    CHECK(strcmp(names + strlen(names) - 4, ".bak") == 0);
    char copy[PATH_MAX];
    test_path(copy, sizeof copy, dir, names);
    CHECK_INT(db_int(copy, "PRAGMA user_version"), base);
    db_text(copy, ROWS, val, sizeof val);
    CHECK_STR(val, before);
    db_text(copy, "PRAGMA integrity_check", val, sizeof val);
    CHECK_STR(val, "ok");
    db_text(copy, "PRAGMA journal_mode", val, sizeof val);
    CHECK_STR(val, "delete");
    struct stat st;
    CHECK(stat(copy, &st) == 0 && (st.st_mode & 0777) == 0600);
    CHECK_CONTAINS(logged, "copied it first to");
    CHECK_CONTAINS(logged, names);
    /* The file itself: migrated, every row kept, this program recorded for the new schema. */
    CHECK_INT(db_int(db, "PRAGMA user_version"), base + 1);
    db_text(db, ROWS, val, sizeof val);
    CHECK_STR(val, before);
    snprintf(prefix, sizeof prefix, "SELECT value FROM settings WHERE key = 'schema_v%d_by'",
             base + 1);
    db_text(db, prefix, val, sizeof val);
    CHECK_STR(val, "hailong-kiosk " HL_VERSION);
    /* Opening it again migrates nothing and copies nothing. */
    CHECK_INT(open_next(dir, NULL, err, sizeof err), STORE_OK);
    CHECK_INT(names_with(dir, "votes.db.pre-", names, sizeof names), 1);
}

/* The copy cannot be written (the disk is full): nothing is migrated, nothing is left. */
static void t_copy_fails_nothing_migrated(void)
{
    char dir[PATH_MAX], db[PATH_MAX], names[512], before[4096], val[4096], err[HL_ERR_MAX];
    int base = store_latest_schema_version();
    REQUIRE(faultvfs_register() == 0);
    with_votes(dir, db, 25);
    db_text(db, ROWS, before, sizeof before);
    faultvfs_set(FAULTVFS_WRITE, SQLITE_FULL);
    CHECK_INT(open_next(dir, FAULTVFS_NAME, err, sizeof err), STORE_ERROR);
    CHECK(faultvfs_failures() > 0);
    faultvfs_set(0, 0);
    char want[128];
    snprintf(want, sizeof want, "not upgraded from schema %d to %d", base, base + 1);
    CHECK_CONTAINS(err, want);
    CHECK_CONTAINS(err, "database or disk is full");
    CHECK_CONTAINS(err, "nothing was changed");
    CHECK_INT(db_int(db, "PRAGMA user_version"), base);
    db_text(db, ROWS, val, sizeof val);
    CHECK_STR(val, before);
    CHECK_INT(db_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'next_version_marker'"),
              0);
    CHECK_INT(names_with(dir, "votes.db.", names, sizeof names), 0);
    /* With room again the same open copies and migrates. */
    CHECK_INT(open_next(dir, FAULTVFS_NAME, err, sizeof err), STORE_OK);
    CHECK_INT(names_with(dir, "votes.db.pre-", names, sizeof names), 1);
    CHECK_INT(db_int(db, "PRAGMA user_version"), base + 1);
}

/* A file a newer program migrated is refused by every way in, naming the version to install, and
 * left as it is. */
static void t_newer_names_the_version(void)
{
    char dir[PATH_MAX], db[PATH_MAX], err[HL_ERR_MAX], want[PATH_MAX + 512], out[PATH_MAX];
    int base = store_latest_schema_version();
    with_votes(dir, db, 3);
    CHECK_INT(open_next(dir, NULL, err, sizeof err), STORE_OK);
    /* As if the next version were 9.9.0. */
    REQUIRE(db_exec(db, "UPDATE settings SET value = 'hailong-kiosk 9.9.0' WHERE key GLOB "
                        "'schema_v*_by'") == SQLITE_OK);
    size_t len0 = 0, len1 = 0;
    char *bytes0 = util_read_file(db, &len0);
    snprintf(want, sizeof want,
             "%s was written by hailong-kiosk 9.9.0 (schema %d); this is hailong-kiosk " HL_VERSION
             " (schema %d): install hailong-kiosk 9.9.0 or newer",
             db, base + 1, base);
    store *s = NULL;
    store_opts plain = {0}, ro = {.readonly = 1}, sec = {.secondary = 1};
    const store_opts *ways[] = {&plain, &ro, &sec};
    for (size_t i = 0; i < HL_ARRAY_LEN(ways); i++) {
        err[0] = '\0';
        CHECK_INT(store_open(&s, dir, ways[i], err, sizeof err), STORE_NEWER_SCHEMA);
        CHECK(s == NULL);
        CHECK_STR(err, want);
    }
    store_reader *r = NULL;
    CHECK_INT(store_reader_open(&r, dir, err, sizeof err), STORE_NEWER_SCHEMA);
    CHECK(r == NULL);
    CHECK_STR(err, want);
    store_backup_info info;
    test_path(out, sizeof out, test_root, "newer-copy.db");
    CHECK_INT(store_backup(dir, out, 0, &info, err, sizeof err), STORE_NEWER_SCHEMA);
    CHECK_STR(err, want);
    CHECK(access(out, F_OK) != 0);
    char *bytes1 = util_read_file(db, &len1);
    CHECK(bytes0 && bytes1 && len0 == len1 && memcmp(bytes0, bytes1, len0) == 0);
    free(bytes0);
    free(bytes1);
    /* Migrated by a version from before this record: refused all the same. */
    REQUIRE(db_exec(db, "DELETE FROM settings WHERE key GLOB 'schema_v*_by'") == SQLITE_OK);
    CHECK_INT(store_open(&s, dir, &plain, err, sizeof err), STORE_NEWER_SCHEMA);
    snprintf(want, sizeof want, "has schema %d, from a newer hailong-kiosk", base + 1);
    CHECK_CONTAINS(err, want);
}

/* store_backup: what it says it saved is what the copy holds; FILE is never replaced unasked. */
static void t_backup(void)
{
    char dir[PATH_MAX], db[PATH_MAX], out[PATH_MAX], val[4096], before[4096], err[HL_ERR_MAX];
    with_votes(dir, db, 40);
    db_text(db, ROWS, before, sizeof before);
    test_path(out, sizeof out, dir, "copy.db");
    store_backup_info info;
    CHECK_INT(store_backup(dir, out, 0, &info, err, sizeof err), STORE_OK);
    CHECK_INT(info.votes, 40);
    CHECK_INT(info.max_seq, 40);
    CHECK_INT(info.schema, store_latest_schema_version());
    struct stat st;
    CHECK(stat(out, &st) == 0 && st.st_size == info.bytes && (st.st_mode & 0777) == 0600);
    db_text(out, ROWS, val, sizeof val);
    CHECK_STR(val, before);
    db_text(out, "PRAGMA integrity_check", val, sizeof val);
    CHECK_STR(val, "ok");
    /* An existing FILE: left alone without replace (a usage error), replaced with it. */
    test_write_text(out, "keep me");
    CHECK_INT(store_backup(dir, out, 0, &info, err, sizeof err), STORE_ERROR);
    CHECK(info.usage);
    CHECK_CONTAINS(err, "already exists");
    char *kept = util_read_file(out, NULL);
    CHECK(kept && strcmp(kept, "keep me") == 0);
    free(kept);
    CHECK_INT(store_backup(dir, out, 1, &info, err, sizeof err), STORE_OK);
    CHECK_INT(db_int(out, "SELECT count(*) FROM votes"), 40);
    /* A folder that is not there: usage; no votes.db: a failure, not usage. */
    test_path(out, sizeof out, dir, "no/such/copy.db");
    CHECK_INT(store_backup(dir, out, 0, &info, err, sizeof err), STORE_ERROR);
    CHECK(info.usage);
    char empty[PATH_MAX];
    test_new_dir(empty, sizeof empty);
    test_path(out, sizeof out, empty, "copy.db");
    CHECK_INT(store_backup(empty, out, 0, &info, err, sizeof err), STORE_ERROR);
    CHECK(!info.usage);
    CHECK_CONTAINS(err, "no vote database here");
    char names[512];
    CHECK_INT(names_with(dir, "copy.db.tmp-", names, sizeof names), 0);
}

static const test_case cases[] = {TEST(t_new_file_no_copy), TEST(t_copy_before_migration),
                                  TEST(t_copy_fails_nothing_migrated),
                                  TEST(t_newer_names_the_version), TEST(t_backup)};

int main(void)
{
    log_set_hook(log_hook, NULL);
    return test_main("store_backup", TEST_REMOVE, cases, HL_ARRAY_LEN(cases));
}
