/* test_store: the vote database on real SQLite files: pragmas, migrations, votes and sequence
 * numbers, misuse, pending votes, a failing disk (faultvfs), corrupt files, bad data dirs. */
#include "faultvfs.h"
#include "log.h"
#include "seed.h"
#include "store.h"
#include "test.h"
#include "util.h"

#include <dirent.h>
#include <ftw.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define T0 1780000000000LL /* 2026-05-28T20:26:40Z, any fixed UTC ms will do */

/* --- log capture --- */

static struct {
    log_level level;
    char msg[1024];
} logs[64];
static int n_logs;

static void log_hook(log_level level, const char *msg, void *ctx)
{
    (void)ctx;
    if (n_logs < (int)HL_ARRAY_LEN(logs)) {
        logs[n_logs].level = level;
        util_strlcpy(logs[n_logs].msg, msg, sizeof logs[n_logs].msg);
        n_logs++;
    }
}

/* 1 if one captured line at this level contains both a and b. */
static int logged(log_level level, const char *a, const char *b)
{
    for (int i = 0; i < n_logs; i++)
        if (logs[i].level == level && strstr(logs[i].msg, a) && (!b || strstr(logs[i].msg, b)))
            return 1;
    return 0;
}

/* --- files --- */

static void write_bytes(const char *path, int byte, size_t n, long offset)
{
    FILE *f = fopen(path, offset < 0 ? "wb" : "r+b");
    if (!f) {
        perror(path);
        abort();
    }
    if (offset > 0)
        fseek(f, offset, SEEK_SET);
    for (size_t i = 0; i < n; i++)
        fputc(byte, f);
    fclose(f);
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* 1 if the file holds exactly these bytes. */
static int file_is(const char *path, const char *bytes, size_t len)
{
    size_t got_len = 0;
    char *got = util_read_file(path, &got_len);
    int same = got && got_len == len && memcmp(got, bytes, len) == 0;
    free(got);
    return same;
}

/* 1 if name is votes.db.corrupt-YYYYMMDDTHHMMSSZ, optionally followed by .N. */
static int is_corrupt_name(const char *name)
{
    static const char prefix[] = "votes.db.corrupt-";
    if (strncmp(name, prefix, sizeof prefix - 1) != 0)
        return 0;
    const char *p = name + sizeof prefix - 1;
    for (int i = 0; i < 16; i++) {
        int ok = i == 8 ? p[i] == 'T' : i == 15 ? p[i] == 'Z' : (p[i] >= '0' && p[i] <= '9');
        if (!ok)
            return 0;
    }
    p += 16;
    if (*p == '\0')
        return 1;
    if (*p != '.' || !p[1])
        return 0;
    for (p++; *p; p++)
        if (*p < '0' || *p > '9')
            return 0;
    return 1;
}

/* Lists moved-aside database files (not their -wal/-shm) in dir; returns how many. */
static int corrupt_files(const char *dir, char names[][128], int max)
{
    int n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, "votes.db.corrupt-", 17) != 0)
            continue;
        size_t len = strlen(e->d_name);
        if (len > 4 &&
            (!strcmp(e->d_name + len - 4, "-wal") || !strcmp(e->d_name + len - 4, "-shm")))
            continue;
        if (n < max)
            util_strlcpy(names[n], e->d_name, 128);
        n++;
    }
    closedir(d);
    return n;
}

static int is_uuid_v4(const char *u)
{
    if (strlen(u) != 36)
        return 0;
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (u[i] != '-')
                return 0;
        } else if (!((u[i] >= '0' && u[i] <= '9') || (u[i] >= 'a' && u[i] <= 'f'))) {
            return 0;
        }
    }
    return u[14] == '4' && strchr("89ab", u[19]) != NULL;
}

static store_opts default_opts(void)
{
    store_opts o;
    memset(&o, 0, sizeof o);
    o.response_interval_ms = 5000;
    return o;
}

static store *open_ok(const char *dir, const store_opts *o)
{
    char err[HL_ERR_MAX] = "";
    store *s = NULL;
    store_rc rc = store_open(&s, dir, o, err, sizeof err);
    if (rc != STORE_OK)
        fprintf(stderr, "store_open(%s): %s\n", dir, err);
    return rc == STORE_OK ? s : NULL;
}

/* A new data directory (dir, PATH_MAX bytes), its votes.db's path (db, as large) and the store
 * opened there with o; NULL after printing why. */
static store *open_new(char *dir, char *db, const store_opts *o)
{
    test_new_dir(dir, PATH_MAX);
    test_path(db, PATH_MAX, dir, "votes.db");
    return open_ok(dir, o);
}

static store_rc vote(store *s, const char *officer, int rating, int64_t t, int pending,
                     store_vote *v)
{
    char err[HL_ERR_MAX] = "";
    store_rc rc = store_add_vote(s, "K1", "0b0e1d2c-0000-4000-8000-000000000001", officer, rating,
                                 t, pending, v, err, sizeof err);
    if (rc != STORE_OK)
        fprintf(stderr, "store_add_vote: %s\n", err);
    return rc;
}

/* The file's schema version, -1 when it cannot be read. */
static int schema_version(store *s)
{
    int v;
    return store_schema_version(s, &v) == STORE_OK ? v : -1;
}

/* Turns synchronous OFF on every new connection, as a library built with another default would
 * be: the store must then set FULL itself, or the pragma test below fails. */
static int sync_off_ext(sqlite3 *db, const char **errmsg, const struct sqlite3_api_routines *api)
{
    (void)errmsg;
    (void)api;
    sqlite3_exec(db, "PRAGMA synchronous = OFF", NULL, NULL, NULL);
    return SQLITE_OK;
}

/* ------------------------------------------------------------------------------------------ */

static void t_fresh_open_pragmas(void)
{
    char dir[PATH_MAX], data[PATH_MAX], db[PATH_MAX], val[64];
    test_new_dir(dir, sizeof dir);
    test_path(data, sizeof data, dir,
              "nested/data"); /* does not exist yet: store_open creates it */
    test_path(db, sizeof db, data, "votes.db");

    REQUIRE(sqlite3_auto_extension((void (*)(void))sync_off_ext) == SQLITE_OK);
    /* The hook really does change the default, so the check below can fail. */
    CHECK_INT(db_int(":memory:", "PRAGMA synchronous"), 0);
    store_opts o = default_opts();
    store *s = open_ok(data, &o);
    sqlite3_cancel_auto_extension((void (*)(void))sync_off_ext);
    REQUIRE(s);
    CHECK(util_file_exists(db));
    CHECK_STR(store_path(s), db);
    CHECK_STR(store_last_error(s), "");

    CHECK_INT(store_pragma(s, "journal_mode", val, sizeof val), STORE_OK);
    CHECK_STR(val, "wal");
    CHECK_INT(store_pragma(s, "synchronous", val, sizeof val), STORE_OK);
    CHECK_STR(val, "2");
    CHECK_INT(store_pragma(s, "foreign_keys", val, sizeof val), STORE_OK);
    CHECK_STR(val, "1");
    CHECK_INT(store_pragma(s, "busy_timeout", val, sizeof val), STORE_OK);
    long timeout = 0;
    CHECK(util_parse_int(val, 1, LONG_MAX, &timeout) == 0);
    CHECK_INT(store_pragma(s, "user_version; DROP TABLE votes", val, sizeof val), STORE_ERROR);

    CHECK(store_latest_schema_version() >= 1);
    CHECK_INT(schema_version(s), store_latest_schema_version());
    /* WAL and the version are stored in the file: another connection sees them. */
    db_text(db, "PRAGMA journal_mode", val, sizeof val);
    CHECK_STR(val, "wal");
    CHECK_INT(db_int(db, "PRAGMA user_version"), store_latest_schema_version());
    CHECK_INT(db_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN"
                         " ('votes_sync', 'votes_created_at')"),
              2);
    store_close(s);
}

static void t_reopen_keeps_data(void)
{
    char dir[PATH_MAX], db[PATH_MAX];
    store_opts o = default_opts();
    store_vote v1, v2, got;
    store *s = open_new(dir, db, &o);
    REQUIRE(s);
    REQUIRE(vote(s, "CB01", 3, T0, 0, &v1) == STORE_OK);
    store_close(s);

    n_logs = 0;
    s = open_ok(dir, &o); /* migration 1 would fail ("table votes already exists") if rerun */
    REQUIRE(s);
    CHECK(!logged(LOG_INFO, "applied schema migration", NULL));
    CHECK_INT(schema_version(s), store_latest_schema_version());
    CHECK_INT(store_get_vote(s, v1.uuid, &got), STORE_OK);
    CHECK_STR(got.officer_code, "CB01");
    REQUIRE(vote(s, "CB01", 2, T0 + 60000, 0, &v2) == STORE_OK);
    CHECK_INT(v2.seq, 2); /* the sequence continues across runs */
    store_close(s);
    CHECK_INT(db_int(db, "SELECT count(*) FROM votes"), 2);
}

static void t_add_vote_fields_and_seq(void)
{
    char dir[PATH_MAX], db[PATH_MAX], sql[256], row[512];
    store_opts o = default_opts();
    store *s = open_new(dir, db, &o);
    REQUIRE(s);
    store_vote v[3], k2, got;
    char err[HL_ERR_MAX];
    for (int i = 0; i < 3; i++) {
        REQUIRE(vote(s, "CB07", 1 + i, T0 + i * 60000, 0, &v[i]) == STORE_OK);
        CHECK_INT(v[i].seq, i + 1);
        CHECK(is_uuid_v4(v[i].uuid));
        CHECK_INT(v[i].misuse, 0);
        CHECK_STR(v[i].sync_state, STORE_SYNC_UNSENT);
        CHECK_STR(v[i].reasons, "[]");
    }
    CHECK(strcmp(v[0].uuid, v[1].uuid) != 0 && strcmp(v[1].uuid, v[2].uuid) != 0);
    /* Another kiosk id has its own sequence. */
    REQUIRE(store_add_vote(s, "K2", "b2", "CB07", 3, T0 + 999999, 0, &k2, err, sizeof err) ==
            STORE_OK);
    CHECK_INT(k2.seq, 1);

    CHECK_INT(store_get_vote(s, v[1].uuid, &got), STORE_OK);
    CHECK_STR(got.uuid, v[1].uuid);
    CHECK_STR(got.kiosk_id, "K1");
    CHECK_INT(got.seq, 2);
    CHECK_INT(got.rating, 2);
    CHECK_INT(got.created_at, T0 + 60000);
    CHECK_INT(store_get_vote(s, "00000000-0000-4000-8000-000000000000", &got), STORE_NONE);
    store_close(s);

    /* What IT staff see with sqlite3: every column as documented. */
    snprintf(sql, sizeof sql,
             "SELECT uuid || '|' || kiosk_id || '|' || seq || '|' || boot_id || '|' ||"
             " officer_code || '|' || rating || '|' || reasons || '|' || created_at || '|' ||"
             " misuse || '|' || sync_state FROM votes WHERE uuid = '%s'",
             v[2].uuid);
    db_text(db, sql, row, sizeof row);
    char want[512];
    snprintf(want, sizeof want,
             "%s|K1|3|0b0e1d2c-0000-4000-8000-000000000001|CB07|3|[]|%lld|0|unsent", v[2].uuid,
             T0 + 120000);
    CHECK_STR(row, want);
    CHECK_INT(db_int(db, "SELECT typeof(created_at) = 'integer' AND typeof(seq) = 'integer'"
                         " FROM votes LIMIT 1"),
              1);
    db_text(db,
            "SELECT group_concat(seq) FROM (SELECT seq FROM votes WHERE kiosk_id = 'K1'"
            " ORDER BY seq)",
            row, sizeof row);
    CHECK_STR(row, "1,2,3");
}

static void t_invalid_votes_rejected(void)
{
    char dir[PATH_MAX], err[HL_ERR_MAX];
    test_new_dir(dir, sizeof dir);
    store_opts o = default_opts();
    store *s = open_ok(dir, &o);
    REQUIRE(s);
    store_vote v;
    store_counts c;
    CHECK_INT(store_add_vote(s, "K1", "b", "CB", 0, T0, 0, &v, err, sizeof err), STORE_ERROR);
    CHECK_CONTAINS(err, "rating");
    CHECK_INT(store_add_vote(s, "K1", "b", "CB", 4, T0, 0, &v, err, sizeof err), STORE_ERROR);
    CHECK_INT(store_add_vote(s, "", "b", "CB", 2, T0, 0, &v, err, sizeof err), STORE_ERROR);
    CHECK_CONTAINS(err, "kiosk_id");
    CHECK_INT(store_add_vote(s, "K1", "b", "a-very-long-officer-code-0123456789", 2, T0, 0, &v, err,
                             sizeof err),
              STORE_ERROR);
    CHECK_CONTAINS(err, "officer_code");
    CHECK_CONTAINS(store_last_error(s), "officer_code");
    CHECK_INT(store_counts_get(s, &c), STORE_OK);
    CHECK_INT(c.total, 0);
    store_close(s);
}

/* The table's own constraints hold for anyone writing with the sqlite3 CLI. */
static void t_schema_constraints(void)
{
    char dir[PATH_MAX], db[PATH_MAX];
    store_opts o = default_opts();
    store *s = open_new(dir, db, &o);
    REQUIRE(s);
    store_vote v;
    REQUIRE(vote(s, "CB", 2, T0, 0, &v) == STORE_OK);
    store_close(s);
#define ROW(uuid, seq, rating, reasons, state)                                                     \
    "INSERT INTO votes (uuid, kiosk_id, seq, boot_id, officer_code, rating, reasons, created_at,"  \
    " misuse, sync_state) VALUES ('" uuid "', 'K9', " seq ", 'b', 'CB', " rating ", '" reasons     \
    "', 1, 0, '" state "')"
    CHECK_INT(db_exec(db, ROW("11111111-1111-4111-8111-111111111111", "1", "3", "[]", "unsent")),
              SQLITE_OK);
    CHECK(db_exec(db, ROW("21111111-1111-4111-8111-111111111111", "2", "4", "[]", "unsent")) !=
          SQLITE_OK);
    CHECK(db_exec(db, ROW("31111111-1111-4111-8111-111111111111", "3", "1", "[]", "lost")) !=
          SQLITE_OK);
    CHECK(db_exec(db, ROW("41111111-1111-4111-8111-111111111111", "1", "1", "[]", "unsent")) !=
          SQLITE_OK); /* duplicate (kiosk_id, seq) */
    CHECK(db_exec(db, ROW("11111111-1111-4111-8111-111111111111", "5", "1", "[]", "unsent")) !=
          SQLITE_OK); /* duplicate uuid */
    CHECK(db_exec(db, ROW("51111111-1111-4111-8111-111111111111", "6", "1", "{\"a\":1}",
                          "unsent")) != SQLITE_OK);
#undef ROW
    CHECK_INT(db_int(db, "SELECT count(*) FROM votes"), 2);
}

static void t_misuse(void)
{
    char dir[PATH_MAX], db[PATH_MAX];
    store_opts o = default_opts(); /* 5000 ms */
    store *s = open_new(dir, db, &o);
    REQUIRE(s);
    store_vote v;
    static const struct {
        const char *officer;
        int rating;
        int64_t t;
        int misuse;
    } steps[] = {
        {"CB01", 3, T0, 0},         /* the first vote */
        {"CB01", 3, T0 + 1000, 1},  /* 1 s after the previous vote */
        {"CB01", 1, T0 + 5500, 1},  /* 4.5 s after the previous (misuse) vote, though 5.5 s after
                                       the last counted one: the rule looks at any vote */
        {"CB01", 2, T0 + 11000, 0}, /* 5.5 s later */
        {"CB02", 2, T0 + 16000, 0}, /* exactly the interval later: not "less than" */
        {"CB02", 1, T0 + 2000, 0},  /* the clock went backwards */
        {"CB03", 3, T0 + 16100, 0}, /* 0.1 s after the latest created_at, but the previous vote
                                       by sequence is the one stamped T0 + 2000: 14.1 s */
        {"CB03", 3, T0 + 17000, 1}, /* 0.9 s after it, another officer */
    };
    for (size_t i = 0; i < HL_ARRAY_LEN(steps); i++) {
        REQUIRE(vote(s, steps[i].officer, steps[i].rating, steps[i].t, 0, &v) == STORE_OK);
        if (v.misuse != steps[i].misuse)
            fprintf(stderr, "misuse step %zu\n", i);
        CHECK_INT(v.misuse, steps[i].misuse);
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT misuse FROM votes WHERE uuid = '%s'", v.uuid);
        CHECK_INT(db_int(db, sql), steps[i].misuse);
    }
    store_counts c;
    CHECK_INT(store_counts_get(s, &c), STORE_OK);
    CHECK_INT(c.total, 8);
    CHECK_INT(c.misuse, 3);
    CHECK_INT(c.unsent, 8);
    CHECK_INT(c.pending, 0);
    CHECK_INT(c.by_rating[1], 1); /* the rating-1 misuse vote is not counted */
    CHECK_INT(c.by_rating[2], 2);
    CHECK_INT(c.by_rating[3], 2); /* two of four rating-3 votes were misuse */
    store_close(s);

    /* An interval of 0 turns the rule off. */
    test_new_dir(dir, sizeof dir);
    o.response_interval_ms = 0;
    s = open_ok(dir, &o);
    REQUIRE(s);
    REQUIRE(vote(s, "CB01", 3, T0, 0, &v) == STORE_OK);
    REQUIRE(vote(s, "CB01", 3, T0, 0, &v) == STORE_OK);
    CHECK_INT(v.misuse, 0);
    store_close(s);
}

/* With the program's clock, the interval is measured on its monotonic clock: setting the wall
 * clock back, or one vote stamped in 2099, does not hide repeated pressing; a reopened store (a
 * restart) judges its first vote by the previous vote's created_at. */
static void t_misuse_monotonic(void)
{
    char dir[PATH_MAX], db[PATH_MAX];
    hl_clock clk = clk_fake(T0);
    store_opts o = default_opts(); /* 5000 ms */
    o.clock = &clk;
    store *s = open_new(dir, db, &o);
    REQUIRE(s);
    store_vote v;
    const int64_t hour = 3600 * 1000;
    REQUIRE(vote(s, "CB01", 3, T0, 0, &v) == STORE_OK);
    CHECK_INT(v.misuse, 0);
    /* the clock is set back an hour; then 20 rapid taps, 0.2 s apart */
    int flagged = 0;
    for (int i = 0; i < 20; i++) {
        clk_advance(&clk, 200);
        REQUIRE(vote(s, "CB01", 3, T0 - hour + i * 200, 0, &v) == STORE_OK);
        flagged += v.misuse;
    }
    CHECK_INT(flagged, 20);
    clk_advance(&clk, 6000); /* 6 s later by the monotonic clock: counted */
    REQUIRE(vote(s, "CB01", 2, T0 - hour + 10000, 0, &v) == STORE_OK);
    CHECK_INT(v.misuse, 0);
    /* one vote stamped in 2099, then 60 rapid taps stamped now */
    clk_advance(&clk, 10000);
    REQUIRE(vote(s, "CB02", 3, INT64_C(4070908800000), 0, &v) == STORE_OK);
    CHECK_INT(v.misuse, 0);
    flagged = 0;
    for (int i = 0; i < 60; i++) {
        clk_advance(&clk, 500);
        REQUIRE(vote(s, "CB02", 3, T0 + i * 500, 0, &v) == STORE_OK);
        flagged += v.misuse;
    }
    CHECK_INT(flagged, 60);
    /* the wall clock stands still (or is stepped back by NTP) while 6 s pass: counted */
    clk_advance(&clk, 6000);
    REQUIRE(vote(s, "CB02", 1, T0, 0, &v) == STORE_OK);
    CHECK_INT(v.misuse, 0);
    store_close(s);

    /* A restart: the first vote is judged by the previous vote's created_at (T0): 1 s later */
    s = open_ok(dir, &o);
    REQUIRE(s);
    clk_advance(&clk, 1000);
    REQUIRE(vote(s, "CB02", 1, T0 + 1000, 0, &v) == STORE_OK);
    CHECK_INT(v.misuse, 1);
    clk_advance(&clk, 1000); /* then by the monotonic clock again */
    REQUIRE(vote(s, "CB02", 1, T0 - hour, 0, &v) == STORE_OK);
    CHECK_INT(v.misuse, 1);
    store_close(s);
}

static void t_pending_finish(void)
{
    char dir[PATH_MAX], db[PATH_MAX], sql[160], val[256], err[HL_ERR_MAX];
    store_opts o = default_opts();
    store *s = open_new(dir, db, &o);
    REQUIRE(s);
    store_vote v, w, got;
    store_counts c;
    REQUIRE(vote(s, "CB01", 1, T0, 1, &v) == STORE_OK);
    CHECK_STR(v.sync_state, STORE_SYNC_PENDING);
    CHECK_INT(store_counts_get(s, &c), STORE_OK);
    CHECK_INT(c.pending, 1);
    CHECK_INT(c.unsent, 0);

    const char *codes[] = {"cho-lau", "thai-do", "quá \"lâu\""};
    CHECK_INT(store_finish_vote(s, v.uuid, codes, 3, err, sizeof err), STORE_OK);
    CHECK_INT(store_get_vote(s, v.uuid, &got), STORE_OK);
    CHECK_STR(got.reasons, "[\"cho-lau\",\"thai-do\",\"quá \\\"lâu\\\"\"]");
    CHECK_STR(got.sync_state, STORE_SYNC_UNSENT);
    snprintf(sql, sizeof sql,
             "SELECT json_array_length(reasons) || '|' || json_extract(reasons, '$[2]') || '|' ||"
             " sync_state FROM votes WHERE uuid = '%s'",
             v.uuid);
    db_text(db, sql, val, sizeof val);
    CHECK_STR(val, "3|quá \"lâu\"|unsent");

    /* Only a pending vote can be finished, once. */
    CHECK_INT(store_finish_vote(s, v.uuid, codes, 1, err, sizeof err), STORE_ERROR);
    CHECK_CONTAINS(err, "not pending");
    CHECK_INT(store_get_vote(s, v.uuid, &got), STORE_OK);
    CHECK_INT((int)strlen(got.reasons) > 20, 1); /* unchanged */
    CHECK_INT(
        store_finish_vote(s, "00000000-0000-4000-8000-000000000000", NULL, 0, err, sizeof err),
        STORE_ERROR);
    const char *empty[] = {""};
    REQUIRE(vote(s, "CB01", 2, T0 + 60000, 1, &w) == STORE_OK);
    CHECK_INT(store_finish_vote(s, w.uuid, empty, 1, err, sizeof err), STORE_ERROR);
    CHECK_CONTAINS(err, "empty");
    /* No reasons chosen: an empty array. */
    CHECK_INT(store_finish_vote(s, w.uuid, NULL, 0, err, sizeof err), STORE_OK);
    CHECK_INT(store_get_vote(s, w.uuid, &got), STORE_OK);
    CHECK_STR(got.reasons, "[]");
    CHECK_STR(got.sync_state, STORE_SYNC_UNSENT);

    /* The most a reasons screen can offer (32 codes of 31 bytes) fits and reads back whole. */
    static char longcodes[40][32];
    const char *many[40];
    for (int i = 0; i < 40; i++) {
        snprintf(longcodes[i], sizeof longcodes[i], "reason-code-%02d-abcdefghijklmnop", i);
        many[i] = longcodes[i];
    }
    CHECK_INT((int)strlen(many[0]), 31);
    REQUIRE(vote(s, "CB01", 1, T0 + 120000, 1, &w) == STORE_OK);
    CHECK_INT(store_finish_vote(s, w.uuid, many, 40, err, sizeof err), STORE_ERROR);
    CHECK_CONTAINS(err, "at most");
    CHECK_INT(store_finish_vote(s, w.uuid, many, 32, err, sizeof err), STORE_OK);
    CHECK_INT(store_get_vote(s, w.uuid, &got), STORE_OK);
    CHECK_INT((int)strlen(got.reasons), 32 * 34 + 1);
    CHECK(strstr(got.reasons, "\"reason-code-31-abcdefghijklmnop\"]") != NULL);
    store_close(s);
}

static void t_pending_released_at_open(void)
{
    char dir[PATH_MAX], db[PATH_MAX], sql[160], val[64];
    store_opts o = default_opts();
    store *s = open_new(dir, db, &o);
    REQUIRE(s);
    store_vote v, done, got;
    REQUIRE(vote(s, "CB01", 1, T0, 1, &v) == STORE_OK);
    REQUIRE(vote(s, "CB01", 3, T0 + 60000, 0, &done) == STORE_OK);
    store_close(s); /* as if the program stopped on the reasons screen */
    snprintf(sql, sizeof sql, "SELECT sync_state FROM votes WHERE uuid = '%s'", v.uuid);
    db_text(db, sql, val, sizeof val);
    CHECK_STR(val, "pending");
    /* A 'sent' vote must stay 'sent': only pending ones are released. */
    REQUIRE(db_exec(db, "UPDATE votes SET sync_state = 'sent' WHERE seq = 2") == SQLITE_OK);

    s = open_ok(dir, &o);
    REQUIRE(s);
    CHECK_INT(store_get_vote(s, v.uuid, &got), STORE_OK);
    CHECK_STR(got.sync_state, STORE_SYNC_UNSENT);
    CHECK_STR(got.reasons, "[]");
    CHECK_INT(store_get_vote(s, done.uuid, &got), STORE_OK);
    CHECK_STR(got.sync_state, STORE_SYNC_SENT);
    store_close(s);
    db_text(db, sql, val, sizeof val);
    CHECK_STR(val, "unsent");
}

/* A disk that fails: the vote is refused with a message, nothing is half-written, and the next
 * vote after the fault clears is saved with the next sequence number. */
static void t_fault_injection(void)
{
    static const struct {
        int ops, rc;
        const char *msg;
    } faults[] = {
        {FAULTVFS_WRITE, SQLITE_FULL, "full"},
        {FAULTVFS_WRITE, SQLITE_IOERR_WRITE, "I/O"},
        /* A sync failure fails the commit only because synchronous = FULL syncs the WAL on every
         * commit (NORMAL would not), so this case also checks the durability setting. */
        {FAULTVFS_SYNC, SQLITE_IOERR_FSYNC, "I/O"},
        {FAULTVFS_ALL, SQLITE_FULL, "full"},
    };
    char dir[PATH_MAX], db[PATH_MAX], err[HL_ERR_MAX];
    REQUIRE(faultvfs_register() == 0);
    store_opts o = default_opts();
    o.vfs = FAULTVFS_NAME;
    store *s = open_new(dir, db, &o);
    REQUIRE(s);
    store_vote v, pend, got;
    store_counts c;
    int64_t t = T0, seq = 0;
    REQUIRE(vote(s, "CB01", 3, t, 0, &v) == STORE_OK);
    seq = v.seq;
    for (size_t i = 0; i < HL_ARRAY_LEN(faults); i++) {
        t += 60000;
        n_logs = 0;
        faultvfs_set(faults[i].ops, faults[i].rc);
        store_rc rc = store_add_vote(s, "K1", "b", "CB01", 2, t, 0, &v, err, sizeof err);
        int failures = faultvfs_failures();
        faultvfs_set(0, 0);
        CHECK_INT(rc, STORE_ERROR);
        CHECK(failures > 0);
        CHECK_CONTAINS(err, db);
        CHECK_CONTAINS(err, "not saved");
        CHECK_CONTAINS(err, faults[i].msg);
        CHECK_STR(store_last_error(s), err);
        CHECK(logged(LOG_ERROR, "not saved", NULL));

        /* Nothing half-written: neither this connection nor a fresh one sees the vote. */
        CHECK_INT(store_counts_get(s, &c), STORE_OK);
        CHECK_INT(c.total, seq);
        CHECK_INT(db_int(db, "SELECT count(*) FROM votes"), seq);

        /* The store is still usable, and the failed vote used up no sequence number. */
        t += 60000;
        REQUIRE(vote(s, "CB01", 2, t, 0, &v) == STORE_OK);
        CHECK_INT(v.seq, seq + 1);
        seq = v.seq;
        CHECK_INT(db_int(db, "SELECT count(*) FROM votes"), seq);
    }

    /* finish_vote under a fault: the vote stays pending with no reasons. */
    t += 60000;
    REQUIRE(vote(s, "CB01", 1, t, 1, &pend) == STORE_OK);
    const char *codes[] = {"cho-lau"};
    faultvfs_set(FAULTVFS_WRITE, SQLITE_FULL);
    CHECK_INT(store_finish_vote(s, pend.uuid, codes, 1, err, sizeof err), STORE_ERROR);
    faultvfs_set(0, 0);
    CHECK_CONTAINS(err, "not saved");
    CHECK_INT(store_get_vote(s, pend.uuid, &got), STORE_OK);
    CHECK_STR(got.sync_state, STORE_SYNC_PENDING);
    CHECK_STR(got.reasons, "[]");
    CHECK_INT(store_finish_vote(s, pend.uuid, codes, 1, err, sizeof err), STORE_OK);
    store_close(s);
}

/* A statement that fails inside the transaction (here a trigger IT staff might have added) rolls
 * the whole vote back and leaves no transaction open for the next vote. */
static void t_failed_statement_rolls_back(void)
{
    char dir[PATH_MAX], db[PATH_MAX], err[HL_ERR_MAX];
    store_opts o = default_opts();
    store *s = open_new(dir, db, &o);
    REQUIRE(s);
    store_vote v;
    REQUIRE(vote(s, "CB01", 3, T0, 0, &v) == STORE_OK);
    REQUIRE(db_exec(db, "CREATE TRIGGER boom BEFORE INSERT ON votes WHEN NEW.officer_code ="
                        " 'BOOM' BEGIN SELECT RAISE(ABORT, 'boom trigger'); END") == SQLITE_OK);
    CHECK_INT(store_add_vote(s, "K1", "b", "BOOM", 2, T0 + 60000, 0, &v, err, sizeof err),
              STORE_ERROR);
    CHECK_CONTAINS(err, "boom trigger");
    CHECK_CONTAINS(err, "inserting");
    REQUIRE(vote(s, "CB01", 2, T0 + 120000, 0, &v) == STORE_OK);
    CHECK_INT(v.seq, 2);
    store_close(s);
    CHECK_INT(db_int(db, "SELECT count(*) FROM votes"), 2);
}

static void t_corrupt_garbage_file(void)
{
    char dir[PATH_MAX], db[PATH_MAX], wal[PATH_MAX], moved[PATH_MAX], names[4][128];
    char garbage[8192], walbytes[100];
    test_new_dir(dir, sizeof dir);
    test_path(db, sizeof db, dir, "votes.db");
    test_path(wal, sizeof wal, dir, "votes.db-wal");
    memset(garbage, 0x5A, sizeof garbage);
    memset(walbytes, 0x11, sizeof walbytes);
    write_bytes(db, 0x5A, sizeof garbage, -1);
    write_bytes(wal, 0x11, sizeof walbytes, -1);

    n_logs = 0;
    store_opts o = default_opts();
    store *s = open_ok(dir, &o);
    REQUIRE(s);
    REQUIRE(corrupt_files(dir, names, 4) == 1);
    CHECK(is_corrupt_name(names[0]));
    test_path(moved, sizeof moved, dir, names[0]);
    CHECK(file_is(moved, garbage, sizeof garbage)); /* every byte kept */
    char movedwal[PATH_MAX + 8];
    snprintf(movedwal, sizeof movedwal, "%s-wal", moved);
    CHECK(file_is(movedwal, walbytes, sizeof walbytes)); /* the -wal went with it */
    /* One log line names both files. */
    CHECK(logged(LOG_WARN, db, moved));

    /* The new file works. */
    store_vote v;
    REQUIRE(vote(s, "CB01", 3, T0, 0, &v) == STORE_OK);
    CHECK_INT(v.seq, 1);
    CHECK_INT(db_int(db, "SELECT count(*) FROM votes"), 1);
    store_close(s);

    /* Damaged again, within the same second most likely: the first copy is never overwritten. */
    write_bytes(db, 0x33, 5000, -1);
    s = open_ok(dir, &o);
    REQUIRE(s);
    store_close(s);
    CHECK_INT(corrupt_files(dir, names, 4), 2);
    CHECK(is_corrupt_name(names[0]) && is_corrupt_name(names[1]));
    CHECK(file_is(moved, garbage, sizeof garbage));
}

/* A real database with one page overwritten: found by quick_check at open. */
static void t_corrupt_page(void)
{
    char dir[PATH_MAX], db[PATH_MAX], moved[PATH_MAX], names[4][128];
    store_opts o = default_opts();
    store *s = open_new(dir, db, &o);
    REQUIRE(s);
    store_vote v;
    for (int i = 0; i < 20; i++)
        REQUIRE(vote(s, "CB01", 1 + i % 3, T0 + i * 60000, 0, &v) == STORE_OK);
    store_close(s); /* checkpoints the WAL into votes.db */
    REQUIRE(file_size(db) >= 3 * 4096);
    write_bytes(db, 0x5A, 4096, 4096); /* page 2: the votes table */
    size_t len = 0;
    char *before = util_read_file(db, &len);
    REQUIRE(before);

    n_logs = 0;
    s = open_ok(dir, &o);
    REQUIRE(s);
    REQUIRE(corrupt_files(dir, names, 4) == 1);
    test_path(moved, sizeof moved, dir, names[0]);
    CHECK(file_is(moved, before, len));
    CHECK(logged(LOG_WARN, db, moved));
    free(before);
    store_counts c;
    CHECK_INT(store_counts_get(s, &c), STORE_OK);
    CHECK_INT(c.total, 0);
    REQUIRE(vote(s, "CB01", 2, T0 + 3600000, 0, &v) == STORE_OK);
    CHECK_INT(v.seq, 1);
    store_close(s);
}

/* The file goes bad while the kiosk runs: the vote moves the file aside and is saved anew. */
static void t_corrupt_during_add_vote(void)
{
    char dir[PATH_MAX], db[PATH_MAX], names[4][128], err[HL_ERR_MAX];
    store_opts o = default_opts();
    store *s = open_new(dir, db, &o);
    REQUIRE(s);
    store_vote v;
    for (int i = 0; i < 3; i++)
        REQUIRE(vote(s, "CB01", 3, T0 + i * 60000, 0, &v) == STORE_OK);
    /* Move everything into votes.db and reset the WAL, so the store's connection drops its page
     * cache and must read the damaged pages from disk. */
    CHECK_INT(db_int(db, "PRAGMA wal_checkpoint(TRUNCATE)"), 0);
    long size = file_size(db);
    REQUIRE(size > 4096);
    write_bytes(db, 0x5A, (size_t)(size - 4096), 4096); /* every page but the schema page */

    n_logs = 0;
    store_rc rc = store_add_vote(s, "K1", "b", "CB02", 1, T0 + 3600000, 0, &v, err, sizeof err);
    CHECK_INT(rc, STORE_OK);
    if (rc != STORE_OK)
        fprintf(stderr, "  %s\n", err);
    CHECK_INT(v.seq, 1); /* saved in the new file */
    REQUIRE(corrupt_files(dir, names, 4) == 1);
    char moved[PATH_MAX];
    test_path(moved, sizeof moved, dir, names[0]);
    CHECK(logged(LOG_WARN, db, moved));
    CHECK_INT(file_size(moved), size);
    store_vote got;
    CHECK_INT(store_get_vote(s, v.uuid, &got), STORE_OK);
    store_close(s);
    CHECK_INT(db_int(db, "SELECT count(*) FROM votes"), 1);
    CHECK_INT(db_int(db, "SELECT seq FROM votes WHERE officer_code = 'CB02'"), 1);
}

static void t_bad_data_dir(void)
{
    char dir[PATH_MAX], file[PATH_MAX], bad[PATH_MAX], err[HL_ERR_MAX] = "";
    test_new_dir(dir, sizeof dir);
    test_path(file, sizeof file, dir, "plainfile");
    write_bytes(file, 'x', 10, -1);
    test_path(bad, sizeof bad, file, "data");
    store_opts o = default_opts();
    store *s = (store *)&o; /* must be reset to NULL on failure */
    CHECK_INT(store_open(&s, bad, &o, err, sizeof err), STORE_ERROR);
    CHECK(s == NULL);
    CHECK_CONTAINS(err, bad);
    CHECK_CONTAINS(err, "cannot create");

    /* votes.db that is a directory: not corruption, so nothing is moved; a clear error instead. */
    char db[PATH_MAX], names[2][128];
    test_path(db, sizeof db, dir, "votes.db");
    REQUIRE(mkdir(db, 0755) == 0);
    CHECK_INT(store_open(&s, dir, &o, err, sizeof err), STORE_ERROR);
    CHECK_CONTAINS(err, db);
    CHECK_INT(corrupt_files(dir, names, 2), 0);

    /* An unknown VFS name is reported, not ignored. */
    test_new_dir(dir, sizeof dir);
    o.vfs = "no-such-vfs";
    CHECK_INT(store_open(&s, dir, &o, err, sizeof err), STORE_ERROR);
    CHECK_CONTAINS(err, "no-such-vfs");
}

/* More than one migration: each applies once, in order, in its own transaction. */
static void t_migrations(void)
{
    static const char *const two[] = {
        "CREATE TABLE t_mig (n INTEGER); INSERT INTO t_mig VALUES (2);",
        "INSERT INTO t_mig VALUES (3);",
    };
    static const char *const three_bad[] = {
        "CREATE TABLE t_mig (n INTEGER); INSERT INTO t_mig VALUES (2);",
        "INSERT INTO t_mig VALUES (3);",
        "INSERT INTO t_mig VALUES (4); SELECT no_such_function();",
    };
    char dir[PATH_MAX], db[PATH_MAX], val[64], err[HL_ERR_MAX];
    int base = store_latest_schema_version();
    store_opts o = default_opts();
    o.extra_migrations = two;
    o.n_extra_migrations = 2;
    n_logs = 0;
    store *s = open_new(dir, db, &o);
    REQUIRE(s);
    CHECK_INT(schema_version(s), base + 2);
    char want[64];
    snprintf(want, sizeof want, "applied schema migration %d", base + 2);
    CHECK(logged(LOG_INFO, want, NULL));
    store_close(s);
    db_text(db, "SELECT group_concat(n) FROM t_mig", val, sizeof val);
    CHECK_STR(val, "2,3");

    /* Reopening applies nothing again. */
    s = open_ok(dir, &o);
    REQUIRE(s);
    store_close(s);
    db_text(db, "SELECT group_concat(n) FROM t_mig", val, sizeof val);
    CHECK_STR(val, "2,3");

    /* A failing migration rolls back alone: the file stays at the previous whole version. */
    o.extra_migrations = three_bad;
    o.n_extra_migrations = 3;
    s = NULL;
    CHECK_INT(store_open(&s, dir, &o, err, sizeof err), STORE_ERROR);
    CHECK(s == NULL);
    snprintf(want, sizeof want, "migration %d", base + 3);
    CHECK_CONTAINS(err, want);
    CHECK_CONTAINS(err, "no_such_function");
    CHECK_INT(db_int(db, "PRAGMA user_version"), base + 2);
    db_text(db, "SELECT group_concat(n) FROM t_mig", val, sizeof val);
    CHECK_STR(val, "2,3");

    /* A fresh file fails at the same step, after 1..base+2 were committed one by one. */
    test_new_dir(dir, sizeof dir);
    test_path(db, sizeof db, dir, "votes.db");
    CHECK_INT(store_open(&s, dir, &o, err, sizeof err), STORE_ERROR);
    CHECK_INT(db_int(db, "PRAGMA user_version"), base + 2);
    CHECK_INT(db_int(db, "SELECT count(*) FROM votes"), 0);
}

/* A file from a newer program is refused and left alone (it is not corrupt). */
static void t_newer_schema_refused(void)
{
    char dir[PATH_MAX], db[PATH_MAX], err[HL_ERR_MAX], names[2][128];
    store_opts o = default_opts();
    store *s = open_new(dir, db, &o);
    REQUIRE(s);
    store_close(s);
    REQUIRE(db_exec(db, "PRAGMA user_version = 99") == SQLITE_OK);
    CHECK_INT(store_open(&s, dir, &o, err, sizeof err), STORE_NEWER_SCHEMA);
    CHECK_CONTAINS(err, "99");
    CHECK_CONTAINS(err, "newer");
    CHECK_INT(corrupt_files(dir, names, 2), 0);
    CHECK_INT(db_int(db, "PRAGMA user_version"), 99);
}

int main(void)
{
    char tmpl[] = "test_store-XXXXXX";
    if (test_tmpdir(tmpl, test_root) != 0)
        return 1;
    log_set_hook(log_hook, NULL);
    RUN(t_fresh_open_pragmas);
    RUN(t_reopen_keeps_data);
    RUN(t_add_vote_fields_and_seq);
    RUN(t_invalid_votes_rejected);
    RUN(t_schema_constraints);
    RUN(t_misuse);
    RUN(t_misuse_monotonic);
    RUN(t_pending_finish);
    RUN(t_pending_released_at_open);
    RUN(t_fault_injection);
    RUN(t_failed_statement_rolls_back);
    RUN(t_corrupt_garbage_file);
    RUN(t_corrupt_page);
    RUN(t_corrupt_during_add_vote);
    RUN(t_bad_data_dir);
    RUN(t_migrations);
    RUN(t_newer_schema_refused);
    log_set_hook(NULL, NULL);
    /* HL_TEST_KEEP=1 keeps the files for a look with sqlite3. */
    test_cleanup(test_root);
    TEST_END();
}
