/* test_pin: the admin PIN: argon2id hashes (no plaintext kept), verification, 5 wrong PINs lock,
 * the lock-out doubling to its cap and surviving a reopen, a clock set back, and the real
 * `hailong-kiosk set-pin` reading stdin, clearing the lock-out and refusing bad PINs (exit 2). */
#include <limits.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "pin.h"
#include "seed.h"
#include "store.h"
#include "test.h"
#include "util.h"

static int64_t t0;

static store *open_store(const char *dir)
{
    store *s = NULL;
    char err[HL_ERR_MAX];
    store_opts o = {0};
    if (store_open(&s, dir, &o, err, sizeof err) != 0) {
        fprintf(stderr, "store_open: %s\n", err);
        return NULL;
    }
    return s;
}

/* Every value in the settings table, joined with '|'. */
static void settings_dump(const char *dir, char *out, size_t cap)
{
    char path[PATH_MAX + 16];
    test_path(path, sizeof path, dir, "votes.db");
    /* Not the store's own record of the program that made the schema (schema_v<N>_by). */
    db_text(path,
            "SELECT group_concat(key || '=' || value, '|') FROM settings"
            " WHERE key NOT GLOB 'schema_v*_by'",
            out, cap);
}

static void t_valid(void)
{
    CHECK(pin_valid("1234"));
    CHECK(pin_valid("12345678"));
    CHECK(pin_valid("0000"));
    CHECK(!pin_valid("123"));
    CHECK(!pin_valid("123456789"));
    CHECK(!pin_valid("12a4"));
    CHECK(!pin_valid(" 1234"));
    CHECK(!pin_valid("1234\n"));
    CHECK(!pin_valid(""));
    CHECK(!pin_valid(NULL));
}

static void t_hash(void)
{
    char h1[PIN_HASH_MAX], h2[PIN_HASH_MAX];
    REQUIRE(pin_hash("2468", h1) == 0);
    REQUIRE(pin_hash("2468", h2) == 0);
    CHECK(strncmp(h1, "$argon2id$", 10) == 0);
    CHECK(strcmp(h1, h2) != 0); /* salted */
    CHECK(pin_verify(h1, "2468"));
    CHECK(pin_verify(h2, "2468"));
    CHECK(!pin_verify(h1, "2469"));
    CHECK(!pin_verify(h1, "24680"));
    CHECK(!pin_verify(h1, ""));
    CHECK(!pin_verify("", "2468"));
    CHECK(!pin_verify("$argon2id$garbage", "2468"));
}

static void t_store_no_plaintext(void)
{
    char dir[PATH_MAX], err[HL_ERR_MAX], dump[1024];
    test_new_dir(dir, sizeof dir);
    store *s = open_store(dir);
    REQUIRE(s);
    pin_state st;
    REQUIRE(pin_load(s, &st, err, sizeof err) == 0);
    CHECK(!st.has_pin);
    CHECK_INT(pin_check(s, "1234", t0, NULL, err, sizeof err), PIN_NOT_SET);
    CHECK_INT(pin_set(s, "12a4", t0, err, sizeof err), HL_EXIT_USAGE);
    CHECK_INT(pin_set(s, "73915", t0, err, sizeof err), 0);
    REQUIRE(pin_load(s, &st, err, sizeof err) == 0);
    CHECK(st.has_pin);
    CHECK_INT(st.failures, 0);
    store_close(s);
    settings_dump(dir, dump, sizeof dump);
    CHECK(strncmp(dump, "admin_pin_hash=$argon2id$", 25) == 0);
    /* Only the hash: no key besides it, no value that is the PIN. */
    CHECK(strchr(dump, '|') == NULL);
    CHECK(strstr(dump, "=73915") == NULL);
}

static void t_lockout(void)
{
    char dir[PATH_MAX], err[HL_ERR_MAX];
    test_new_dir(dir, sizeof dir);
    store *s = open_store(dir);
    REQUIRE(s);
    hl_clock c = clk_fake(t0);
    REQUIRE(pin_set(s, "2468", clk_wall_ms(&c), err, sizeof err) == 0);
    pin_state st;
    CHECK_INT(pin_check(s, "2468", clk_wall_ms(&c), &st, err, sizeof err), PIN_OK);
    for (int i = 1; i <= 4; i++) {
        CHECK_INT(pin_check(s, "1111", clk_wall_ms(&c), &st, err, sizeof err), PIN_WRONG);
        CHECK_INT(st.failures, i);
        CHECK_INT(pin_lock_remaining(&st, clk_wall_ms(&c)), 0);
        CHECK_INT(pin_attempts_left(&st), 5 - i);
    }
    /* The fifth wrong PIN locks for 30 s. */
    CHECK_INT(pin_check(s, "1111", clk_wall_ms(&c), &st, err, sizeof err), PIN_WRONG);
    CHECK_INT(st.failures, 5);
    CHECK_INT(pin_lock_remaining(&st, clk_wall_ms(&c)), 30000);
    /* While locked even the right PIN is refused, without counting. */
    clk_advance(&c, 29000);
    CHECK_INT(pin_check(s, "2468", clk_wall_ms(&c), &st, err, sizeof err), PIN_LOCKED);
    CHECK_INT(st.failures, 5);
    CHECK_INT(pin_lock_remaining(&st, clk_wall_ms(&c)), 1000);
    clk_advance(&c, 1000);
    /* Each further wrong PIN doubles it. */
    int64_t want = 60000;
    for (int i = 6; i <= 16; i++) {
        CHECK_INT(pin_check(s, "1111", clk_wall_ms(&c), &st, err, sizeof err), PIN_WRONG);
        CHECK_INT(st.failures, i);
        CHECK_INT(pin_lock_remaining(&st, clk_wall_ms(&c)), want);
        clk_advance(&c, want);
        want = want * 2 > PIN_LOCK_MAX_MS ? PIN_LOCK_MAX_MS : want * 2;
    }
    CHECK_INT(pin_lock_ms(11), 30000LL << 6);
    CHECK_INT(pin_lock_ms(12), PIN_LOCK_MAX_MS); /* 30 s * 128 > 1 h */
    CHECK_INT(pin_lock_ms(1000), PIN_LOCK_MAX_MS);
    CHECK_INT(pin_lock_ms(4), 0);
    /* The right PIN after the lock clears everything. */
    CHECK_INT(pin_check(s, "2468", clk_wall_ms(&c), &st, err, sizeof err), PIN_OK);
    CHECK_INT(st.failures, 0);
    CHECK_INT(st.locked_until, 0);
    CHECK_INT(pin_attempts_left(&st), 5);
    store_close(s);
}

static void t_persists(void)
{
    char dir[PATH_MAX], err[HL_ERR_MAX];
    test_new_dir(dir, sizeof dir);
    store *s = open_store(dir);
    REQUIRE(s);
    REQUIRE(pin_set(s, "2468", t0, err, sizeof err) == 0);
    pin_state st;
    for (int i = 0; i < 6; i++)
        pin_check(s, "9999", t0 + i, &st, err, sizeof err);
    CHECK_INT(st.failures, 5);
    store_close(s);
    /* A restart (reopen) keeps the count and the lock. */
    s = open_store(dir);
    REQUIRE(s);
    REQUIRE(pin_load(s, &st, err, sizeof err) == 0);
    CHECK_INT(st.failures, 5);
    CHECK_INT(pin_lock_remaining(&st, t0 + 10000), 30000 - 10000 + 4);
    CHECK_INT(pin_check(s, "2468", t0 + 10000, &st, err, sizeof err), PIN_LOCKED);
    /* A clock set back a day does not lock staff out for a day: never more than the lock. */
    CHECK_INT(pin_lock_remaining(&st, t0 - 86400000LL), 30000);
    /* set-pin's own path clears the lock. */
    REQUIRE(pin_set(s, "1357", t0 + 10000, err, sizeof err) == 0);
    CHECK_INT(pin_check(s, "2468", t0 + 10001, &st, err, sizeof err), PIN_WRONG);
    CHECK_INT(pin_check(s, "1357", t0 + 10002, &st, err, sizeof err), PIN_OK);
    store_close(s);
}

/* Runs the real binary: `printf INPUT | hailong-kiosk set-pin ARGS`; returns the exit code. */
static int run_set_pin(const char *input, const char *args, char *out, size_t cap)
{
    const char *bin = getenv("HL_BIN_DIR");
    char cmd[PATH_MAX * 3], outf[PATH_MAX + 16];
    util_fmt(outf, sizeof outf, "%s/out.txt", test_root);
    if (util_fmt(cmd, sizeof cmd, "printf '%s' | '%s/hailong-kiosk' set-pin %s >'%s' 2>&1", input,
                 bin ? bin : "bin", args, outf) != 0)
        return -1;
    int st = system(cmd);
    size_t n = 0;
    char *text = util_read_file(outf, &n);
    util_strlcpy(out, text ? text : "", cap);
    free(text);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void t_cli(void)
{
    char dir[PATH_MAX], err[HL_ERR_MAX], args[PATH_MAX + 32], out[4096];
    test_new_dir(dir, sizeof dir);
    util_fmt(args, sizeof args, "--data-dir '%s'", dir);

    CHECK_INT(run_set_pin("", "--help", out, sizeof out), 0);
    CHECK_CONTAINS(out, "Usage: hailong-kiosk set-pin");
    CHECK_INT(run_set_pin("", "--bogus", out, sizeof out), 2);
    CHECK_CONTAINS(out, "unknown argument");

    /* Bad PINs: exit 2, nothing stored. */
    CHECK_INT(run_set_pin("12a4\\n12a4\\n", args, out, sizeof out), 2);
    CHECK_CONTAINS(out, "4 to 8 digits");
    CHECK_INT(run_set_pin("123\\n123\\n", args, out, sizeof out), 2);
    CHECK_INT(run_set_pin("123456789\\n123456789\\n", args, out, sizeof out), 2);
    CHECK_INT(run_set_pin("2468\\n2469\\n", args, out, sizeof out), 2);
    CHECK_CONTAINS(out, "differ");
    CHECK_INT(run_set_pin("2468\\n", args, out, sizeof out), 2);
    CHECK_CONTAINS(out, "twice");
    store *s = open_store(dir);
    REQUIRE(s);
    pin_state st;
    REQUIRE(pin_load(s, &st, err, sizeof err) == 0);
    CHECK(!st.has_pin);

    /* A good one, then locked out on the screen's side... */
    CHECK_INT(run_set_pin("2468\\n2468\\n", args, out, sizeof out), 0);
    CHECK_CONTAINS(out, "Admin PIN set");
    CHECK(strstr(out, "2468") == NULL);
    CHECK_INT(pin_check(s, "2468", t0, &st, err, sizeof err), PIN_OK);
    for (int i = 0; i < 5; i++)
        pin_check(s, "0000", t0, &st, err, sizeof err);
    CHECK_INT(pin_check(s, "2468", t0 + 1000, &st, err, sizeof err), PIN_LOCKED);
    /* ... and set-pin at the terminal lets staff in again at once, with the new PIN (CRLF
     * endings as from a Windows editor are fine). */
    CHECK_INT(run_set_pin("97531\\r\\n97531\\r\\n", args, out, sizeof out), 0);
    CHECK_INT(pin_check(s, "2468", t0 + 2000, &st, err, sizeof err), PIN_WRONG);
    CHECK_INT(st.failures, 1);
    CHECK_INT(pin_check(s, "97531", t0 + 3000, &st, err, sizeof err), PIN_OK);
    store_close(s);

    /* A data directory that does not exist yet is created (before the kiosk's first start). */
    char fresh[PATH_MAX + 16];
    util_fmt(fresh, sizeof fresh, "%s/fresh/data", test_root);
    util_fmt(args, sizeof args, "--data-dir '%s'", fresh);
    CHECK_INT(run_set_pin("1111\\n1111\\n", args, out, sizeof out), 0);
    s = open_store(fresh);
    REQUIRE(s);
    CHECK_INT(pin_check(s, "1111", t0, &st, err, sizeof err), PIN_OK);
    store_close(s);
}

static const test_case cases[] = {TEST(t_valid),   TEST(t_hash),     TEST(t_store_no_plaintext),
                                  TEST(t_lockout), TEST(t_persists), TEST(t_cli)};

int main(void)
{
    if (clk_parse_local("2026-11-26T09:30", &t0) != 0)
        return 1;
    return test_main("pin", TEST_REMOVE, cases, HL_ARRAY_LEN(cases));
}
