/* test_ui: the kiosk driven headless through the real event path with a fake clock: the lobby and
 * desk flows, the unhappy path with reasons, timeouts and the attract screen, misuse, gestures that
 * must not vote, a failing disk, and that an idle kiosk does not redraw. Checks the database too.
 */
#include <SDL.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "faultvfs.h"
#include "buf.h"
#include "kfx.h"
#include "rating.h"
#include "scr_common.h"
#include "seed.h"
#include "test.h"
#include "util.h"

/* --- one kiosk per test, the database read with a separate connection --- */

static int fx_open(kfx *f, cfg_mode mode)
{
    return kfx_open(f, mode, 1280, 800, NULL, NULL);
}

static long long n_votes(const kfx *f)
{
    return db_int(f->db, "SELECT count(*) FROM votes");
}

/* A column of the newest vote (highest seq), as text. */
static const char *last(const kfx *f, const char *column)
{
    static char text[1200];
    char sql[256];
    util_fmt(sql, sizeof sql, "SELECT %s FROM votes ORDER BY seq DESC LIMIT 1", column);
    db_text(f->db, sql, text, sizeof text);
    return text;
}

static void key(app *a, SDL_Keycode sym)
{
    SDL_Event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = SDL_KEYDOWN;
    ev.key.state = SDL_PRESSED;
    ev.key.keysym.sym = sym;
    app_handle_event(a, &ev);
}

/* --- tests --- */

/* Issue 13: the docs let a counter be written "Quầy 1"; the screens said "Quầy Quầy 1". */
static void test_counter_label(void)
{
    char b[64];
    scr_counter_label("2", b, sizeof b);
    CHECK_STR(b, "Quầy 2");
    scr_counter_label("A1", b, sizeof b);
    CHECK_STR(b, "Quầy A1");
    scr_counter_label("Quầy 1", b, sizeof b);
    CHECK_STR(b, "Quầy 1");
    scr_counter_label("quầy 3", b, sizeof b);
    CHECK_STR(b, "quầy 3");
    scr_counter_label("Phòng Tư pháp", b, sizeof b);
    CHECK_STR(b, "Phòng Tư pháp");
    /* Issue 13: the hotline broke as "0900 / 000 000". */
    scr_phone_nowrap("0900 000 000", b, sizeof b);
    CHECK_STR(b, "0900\xc2\xa0"
                 "000\xc2\xa0"
                 "000");
    scr_phone_nowrap("0900 000 000", b, 8); /* cut whole, never half a no-break space */
    CHECK_STR(b, "0900\xc2\xa0");
}

static void test_lobby_flow(void)
{
    kfx f;
    REQUIRE(fx_open(&f, CFG_MODE_LOBBY) == 0);
    app *a = f.a;
    CHECK_STR(app_screen_name(a), "home");
    SDL_Rect r;
    CHECK(!kfx_target(a, "rate-3", &r)); /* lobby Home has no faces */
    kfx_tap_to(a, "rate", "pick");
    CHECK(a->officer == NULL);
    kfx_tap_to(a, "officer-tp-hung", "rate");
    REQUIRE(a->officer != NULL);
    CHECK_STR(a->officer->code, "tp-hung");
    CHECK_INT(n_votes(&f), 0);

    /* The tap alone, no update or render afterwards: the vote must already be committed and the
     * screen switched, with no frame drawn in between. */
    REQUIRE(kfx_target(a, "rate-3", &r));
    uint64_t frames = a->frames;
    app_tap_xy(a, r.x + r.w / 2, r.y + r.h / 2);
    CHECK_INT(a->frames, frames);
    CHECK_STR(app_screen_name(a), "thanks");
    CHECK_INT(a->thanks, THANKS_POSITIVE);
    CHECK_INT(n_votes(&f), 1);
    CHECK_STR(last(&f, "officer_code"), "tp-hung");
    CHECK_STR(last(&f, "rating"), "3");
    CHECK_STR(last(&f, "misuse"), "0");
    CHECK_STR(last(&f, "reasons"), "[]");
    CHECK_STR(last(&f, "sync_state"), "unsent");
    CHECK_STR(last(&f, "created_at"), "1795660200000"); /* 2026-11-26T02:30Z */
    kfx_settle(a);
    CHECK(a->frames > frames);

    app_advance(a, (int64_t)f.c.thanks_s * 1000 - 100);
    CHECK_STR(app_screen_name(a), "thanks");
    app_advance(a, 100);
    CHECK_STR(app_screen_name(a), "home");
    CHECK(a->officer == NULL); /* the next citizen picks again */
    CHECK_INT(n_votes(&f), 1);
    kfx_close(&f);
}

static void test_desk_flow(void)
{
    kfx f;
    REQUIRE(fx_open(&f, CFG_MODE_DESK) == 0);
    app *a = f.a;
    CHECK_STR(app_screen_name(a), "home");
    SDL_Rect r;
    CHECK(kfx_target(a, "rate-3", &r));
    CHECK(kfx_target(a, "rate-2", &r));
    CHECK(kfx_target(a, "rate-1", &r));
    CHECK(!kfx_target(a, "rate", &r));
    REQUIRE(a->officer != NULL);
    CHECK_STR(a->officer->code, "vp-lan");
    kfx_tap_to(a, "rate-2", "thanks");
    CHECK_INT(a->thanks, THANKS_POSITIVE);
    CHECK_INT(n_votes(&f), 1);
    CHECK_STR(last(&f, "officer_code"), "vp-lan");
    CHECK_STR(last(&f, "rating"), "2");
    CHECK_STR(last(&f, "sync_state"), "unsent");
    kfx_tap_to(a, "done", "home");
    CHECK_INT(n_votes(&f), 1);
    kfx_close(&f);
}

static void test_unhappy_reasons(void)
{
    kfx f;
    REQUIRE(fx_open(&f, CFG_MODE_DESK) == 0);
    app *a = f.a;
    kfx_tap_to(a, "rate-1", "reasons");
    /* Already safe in the database, held back until the follow-up ends. */
    CHECK_INT(n_votes(&f), 1);
    CHECK_STR(last(&f, "rating"), "1");
    CHECK_STR(last(&f, "officer_code"), "vp-lan");
    CHECK_STR(last(&f, "sync_state"), "pending");
    CHECK_STR(last(&f, "reasons"), "[]");

    kfx_tap_all(a, "reason-thai-do reason-huong-dan reason-cham-tre");
    CHECK_INT(app_tap(a, "reason-huong-dan"), 0); /* twice: off again */
    CHECK_STR(app_screen_name(a), "reasons");
    CHECK_INT(a->reason_on[0], 1); /* cham-tre */
    CHECK_INT(a->reason_on[2], 0); /* huong-dan */
    CHECK_INT(a->reason_on[4], 1); /* thai-do */
    CHECK_STR(last(&f, "sync_state"), "pending");
    kfx_tap_to(a, "send", "thanks");
    CHECK_INT(a->thanks, THANKS_APOLOGY);
    CHECK_INT(n_votes(&f), 1);
    CHECK_STR(last(&f, "reasons"), "[\"cham-tre\",\"thai-do\"]");
    CHECK_STR(last(&f, "sync_state"), "unsent");
    CHECK_STR(last(&f, "rating"), "1");
    kfx_close(&f);
}

static void test_reasons_skip(void)
{
    kfx f;
    REQUIRE(fx_open(&f, CFG_MODE_DESK) == 0);
    app *a = f.a;
    kfx_tap_to(a, "rate-1", "reasons");
    CHECK_INT(app_tap(a, "reason-khac"), 0); /* chosen, then the citizen skips after all */
    kfx_tap_to(a, "skip", "thanks");
    CHECK_INT(a->thanks, THANKS_APOLOGY);
    CHECK_INT(n_votes(&f), 1);
    CHECK_STR(last(&f, "reasons"), "[]");
    CHECK_STR(last(&f, "sync_state"), "unsent");
    kfx_close(&f);
}

static void test_reasons_timeout(void)
{
    kfx f;
    REQUIRE(fx_open(&f, CFG_MODE_DESK) == 0);
    app *a = f.a;
    kfx_tap_to(a, "rate-1", "reasons");
    CHECK_INT(app_tap(a, "reason-di-lai"), 0);
    int64_t follow = (int64_t)f.c.followup_timeout_s * 1000;
    app_advance(a, follow - 500);
    CHECK_STR(app_screen_name(a), "reasons");
    CHECK_STR(last(&f, "sync_state"), "pending");
    app_advance(a, 1500); /* follow-up timeout + 1 s */
    CHECK_STR(app_screen_name(a), "thanks");
    CHECK_INT(a->thanks, THANKS_APOLOGY);
    CHECK_INT(n_votes(&f), 1);
    CHECK_STR(last(&f, "reasons"), "[\"di-lai\"]");
    CHECK_STR(last(&f, "sync_state"), "unsent");
    kfx_close(&f);
}

static void test_idle_lobby(void)
{
    kfx f;
    REQUIRE(fx_open(&f, CFG_MODE_LOBBY) == 0);
    app *a = f.a;
    int64_t idle = (int64_t)f.c.idle_timeout_s * 1000;
    int64_t inner = (int64_t)f.c.screen_timeout_s * 1000;
    kfx_switches_at(a, idle, "home", "attract");
    app_advance(a, 3 * idle); /* stays there */
    CHECK_STR(app_screen_name(a), "attract");
    app_tap_xy(a, a->m.w / 2, a->m.h / 2);
    kfx_settle(a);
    CHECK_STR(app_screen_name(a), "home");

    /* Inner screens return Home after screen_timeout without input. */
    kfx_tap_to(a, "rate", "pick");
    kfx_switches_at(a, inner, "pick", "home");
    kfx_tap_to(a, "rate officer-dc-minh", "rate");
    kfx_switches_at(a, inner, "rate", "home");
    CHECK(a->officer == NULL);
    CHECK_INT(n_votes(&f), 0);
    kfx_close(&f);
}

static void test_idle_desk(void)
{
    kfx f;
    REQUIRE(fx_open(&f, CFG_MODE_DESK) == 0);
    app *a = f.a;
    SDL_Rect r3;
    REQUIRE(kfx_target(a, "rate-3", &r3));
    app_advance(a, (int64_t)f.c.idle_timeout_s * 1000);
    CHECK_STR(app_screen_name(a), "attract");
    /* The waking touch lands where "Rất hài lòng" is on Home: it must choose nothing. */
    app_tap_xy(a, r3.x + r3.w / 2, r3.y + r3.h / 2);
    kfx_settle(a);
    CHECK_STR(app_screen_name(a), "home");
    CHECK_INT(n_votes(&f), 0);
    /* The same through touch. */
    app_advance(a, (int64_t)f.c.idle_timeout_s * 1000);
    CHECK_STR(app_screen_name(a), "attract");
    kfx_finger(a, SDL_FINGERDOWN, 7, r3.x + r3.w / 2, r3.y + r3.h / 2);
    kfx_finger(a, SDL_FINGERUP, 7, r3.x + r3.w / 2, r3.y + r3.h / 2);
    kfx_settle(a);
    CHECK_STR(app_screen_name(a), "home");
    CHECK_INT(n_votes(&f), 0);
    /* Awake now: the next tap there votes. */
    kfx_tap_to(a, "rate-3", "thanks");
    CHECK_INT(n_votes(&f), 1);
    /* Thanks returns Home on its own after thanks_duration. */
    kfx_switches_at(a, (int64_t)f.c.thanks_s * 1000, "thanks", "home");
    kfx_close(&f);
}

static void test_response_interval(void)
{
    kfx f;
    REQUIRE(fx_open(&f, CFG_MODE_DESK) == 0);
    app *a = f.a;
    CHECK_INT(app_tap(a, "rate-3"), 0);
    CHECK_STR(last(&f, "misuse"), "0");
    kfx_tap_to(a, "done", "home");
    app_advance(a, 2000);
    CHECK_INT(app_tap(a, "rate-3"), 0);
    CHECK_STR(app_screen_name(a), "thanks"); /* the citizen is thanked all the same */
    CHECK_INT(n_votes(&f), 2);
    CHECK_STR(last(&f, "misuse"), "1");
    CHECK_STR(last(&f, "seq"), "2");
    CHECK_INT(app_tap(a, "done"), 0);
    app_advance(a, 6000);
    CHECK_INT(app_tap(a, "rate-2"), 0);
    CHECK_INT(n_votes(&f), 3);
    CHECK_STR(last(&f, "misuse"), "0");
    CHECK_STR(last(&f, "rating"), "2");
    CHECK_INT(db_int(f.db, "SELECT count(*) FROM votes WHERE misuse = 1"), 1);
    kfx_close(&f);
}

static void test_gestures(void)
{
    kfx f;
    REQUIRE(fx_open(&f, CFG_MODE_DESK) == 0);
    app *a = f.a;
    SDL_Rect r;
    REQUIRE(kfx_target(a, "rate-3", &r));
    int cx = r.x + r.w / 2, cy = r.y + r.h / 2;

    /* Swipe: press, travel 200 px, come back and release on the same button. */
    kfx_mouse(a, SDL_MOUSEBUTTONDOWN, cx, cy);
    CHECK(ui_is_pressed(&a->ui, "rate-3"));
    kfx_mouse(a, SDL_MOUSEMOTION, cx + 200, cy);
    kfx_mouse(a, SDL_MOUSEMOTION, cx, cy);
    kfx_mouse(a, SDL_MOUSEBUTTONUP, cx, cy);
    kfx_settle(a);
    CHECK_STR(app_screen_name(a), "home");
    CHECK_INT(n_votes(&f), 0);

    /* Two fingers, both lifted over the button. */
    kfx_finger(a, SDL_FINGERDOWN, 1, cx, cy);
    kfx_finger(a, SDL_FINGERDOWN, 2, cx + 10, cy + 10);
    kfx_finger(a, SDL_FINGERUP, 2, cx + 10, cy + 10);
    kfx_finger(a, SDL_FINGERUP, 1, cx, cy);
    kfx_settle(a);
    CHECK_STR(app_screen_name(a), "home");
    CHECK_INT(n_votes(&f), 0);

    /* Control: one finger on the same spot does vote, so the path above was really taken. */
    kfx_finger(a, SDL_FINGERDOWN, 3, cx, cy);
    kfx_finger(a, SDL_FINGERUP, 3, cx, cy);
    kfx_settle(a);
    CHECK_STR(app_screen_name(a), "thanks");
    CHECK_INT(n_votes(&f), 1);
    kfx_tap_to(a, "done", "home");
    app_advance(a, 10000);

    /* Long press: held 3 s, released on the same button: exactly one vote. */
    REQUIRE(kfx_target(a, "rate-3", &r));
    kfx_mouse(a, SDL_MOUSEBUTTONDOWN, cx, cy);
    app_advance(a, 3000);
    CHECK_STR(app_screen_name(a), "home");
    CHECK_INT(n_votes(&f), 1);
    kfx_mouse(a, SDL_MOUSEBUTTONUP, cx, cy);
    kfx_settle(a);
    CHECK_STR(app_screen_name(a), "thanks");
    CHECK_INT(n_votes(&f), 2);
    CHECK_STR(last(&f, "rating"), "3");
    CHECK_STR(last(&f, "misuse"), "0");
    app_advance(a, 1000);
    CHECK_INT(n_votes(&f), 2);

    /* Keys and the window's close button do not leave a fullscreen kiosk. */
    REQUIRE(f.c.fullscreen);
    key(a, SDLK_ESCAPE);
    key(a, SDLK_F4);
    CHECK_INT(a->quit, 0);
    SDL_Event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = SDL_WINDOWEVENT;
    ev.window.event = SDL_WINDOWEVENT_CLOSE;
    app_handle_event(a, &ev);
    CHECK_INT(a->quit, 0);
    /* Control: in windowed (development) mode the same Esc does quit. */
    a->cfg.fullscreen = 0;
    key(a, SDLK_ESCAPE);
    CHECK_INT(a->quit, 1);
    kfx_close(&f);
}

static void test_could_not_record(void)
{
    REQUIRE(faultvfs_register() == 0);
    kfx f;
    REQUIRE(kfx_open(&f, CFG_MODE_DESK, 1280, 800, NULL, FAULTVFS_NAME) == 0);
    app *a = f.a;
    faultvfs_set(FAULTVFS_WRITE | FAULTVFS_SYNC, SQLITE_FULL);
    CHECK_INT(app_tap(a, "rate-3"), 0);
    int failures = faultvfs_failures();
    faultvfs_set(0, 0);
    CHECK(failures > 0);
    CHECK_STR(app_screen_name(a), "thanks");
    CHECK_INT(a->thanks, THANKS_ERROR);
    CHECK_INT(a->vote_ok, 0);
    CHECK_INT(n_votes(&f), 0);
    CHECK_INT(a->quit, 0);
    /* The error stays up longer than a thank-you, then the kiosk is back Home by itself. */
    app_advance(a, (int64_t)f.c.thanks_s * 1000 + 100);
    CHECK_STR(app_screen_name(a), "thanks");
    app_advance(a, (int64_t)f.c.thanks_s * 1000);
    CHECK_STR(app_screen_name(a), "home");

    /* The disk is fine again: the next vote is recorded. */
    kfx_tap_to(a, "rate-3", "thanks");
    CHECK_INT(a->thanks, THANKS_POSITIVE);
    CHECK_INT(n_votes(&f), 1);
    CHECK_STR(last(&f, "rating"), "3");
    CHECK_STR(last(&f, "sync_state"), "unsent");
    kfx_close(&f);
}

/* The kiosk starts on a disk that refuses votes.db (full, read-only, failing): before, it exited
 * 1. Now it shows its screens, answers a vote with the honest "could not record", says why in
 * words, and records again as soon as the disk allows, without a restart. */
static void test_start_on_failing_disk(void)
{
    REQUIRE(faultvfs_register() == 0);
    faultvfs_set(FAULTVFS_ALL, SQLITE_IOERR_WRITE);
    kfx f;
    int opened = kfx_open(&f, CFG_MODE_DESK, 1280, 800, NULL, FAULTVFS_NAME);
    int failures = faultvfs_failures();
    CHECK(failures > 0); /* the fault was hit while opening */
    REQUIRE(opened == 0);
    app *a = f.a;
    CHECK(!store_connected(a->store));
    CHECK_CONTAINS(store_last_error(a->store), "the disk refused to read or write");
    CHECK_STR(app_screen_name(a), "home");
    CHECK_INT(app_tap(a, "rate-3"), 0);
    CHECK_STR(app_screen_name(a), "thanks");
    CHECK_INT(a->thanks, THANKS_ERROR);
    CHECK_INT(a->vote_ok, 0);
    app_advance(a, (int64_t)f.c.thanks_s * 3000);
    CHECK_STR(app_screen_name(a), "home");
    /* the disk is fine again: the next vote opens the file and is recorded */
    faultvfs_set(0, 0);
    kfx_tap_to(a, "rate-3", "thanks");
    CHECK_INT(a->thanks, THANKS_POSITIVE);
    CHECK(store_connected(a->store));
    CHECK_INT(n_votes(&f), 1);
    kfx_close(&f);
}

/* The disk fails just when the reasons are written: the vote (already saved) must not stay
 * "pending", which is never sent, until the next start. It is released without its reasons as
 * soon as the disk lets it: here on the retry 10 s later, with no restart and no new vote. */
static void test_reasons_write_fault(void)
{
    REQUIRE(faultvfs_register() == 0);
    kfx f;
    REQUIRE(kfx_open(&f, CFG_MODE_DESK, 1280, 800, NULL, FAULTVFS_NAME) == 0);
    app *a = f.a;
    kfx_tap_to(a, "rate-1", "reasons");
    CHECK_STR(last(&f, "sync_state"), "pending");
    kfx_tap_all(a, "reason-cham-tre");
    faultvfs_set(FAULTVFS_WRITE | FAULTVFS_SYNC, SQLITE_FULL);
    kfx_tap_to(a, "send", "thanks");
    int failures = faultvfs_failures();
    faultvfs_set(0, 0);
    CHECK(failures > 0);
    CHECK_STR(last(&f, "sync_state"), "pending"); /* both writes failed: still pending */
    app_advance(a, 10100);                        /* the retry, the disk fine again */
    CHECK_STR(last(&f, "sync_state"), "unsent");
    CHECK_STR(last(&f, "reasons"), "[]");
    CHECK_INT(n_votes(&f), 1);

    /* A fault only while the reasons are written: released at once, in the same tap. */
    app_advance(a, (int64_t)f.c.thanks_s * 3000);
    kfx_tap_to(a, "rate-1", "reasons");
    faultvfs_set(FAULTVFS_SYNC, SQLITE_IOERR_FSYNC);
    kfx_tap_to(a, "send", "thanks");
    faultvfs_set(0, 0);
    CHECK_INT(n_votes(&f), 2);
    kfx_close(&f);
}

/* Falling idle folds the write-ahead log into votes.db (a damaged -wal then costs nothing
 * recorded before) and keeps a checked daily copy beside it, made again only a day later. */
static void test_idle_upkeep(void)
{
    kfx f;
    REQUIRE(fx_open(&f, CFG_MODE_DESK) == 0);
    app *a = f.a;
    for (int i = 0; i < 3; i++) {
        kfx_tap_to(a, "rate-3", "thanks");
        app_advance(a, (int64_t)f.c.response_interval_s * 1000 + (int64_t)f.c.thanks_s * 1000);
    }
    char wal[PATH_MAX], bak[PATH_MAX];
    util_fmt(wal, sizeof wal, "%s-wal", f.db);
    util_fmt(bak, sizeof bak, "%s/votes.db.daily.bak", f.c.data_dir);
    struct stat st;
    REQUIRE(stat(wal, &st) == 0);
    CHECK(st.st_size > 0); /* the votes are in the -wal so far */
    CHECK(!util_file_exists(bak));
    app_advance(a, (int64_t)f.c.idle_timeout_s * 1000 + 100);
    CHECK_STR(app_screen_name(a), "attract");
    REQUIRE(stat(wal, &st) == 0);
    CHECK_INT((long long)st.st_size, 0);
    REQUIRE(util_file_exists(bak));
    CHECK_INT(db_int(bak, "SELECT count(*) FROM votes"), 3);

    /* more votes, idle again within the day: the copy is not made again */
    app_tap_xy(a, 640, 400); /* any touch wakes it, choosing nothing */
    CHECK_STR(app_screen_name(a), "home");
    kfx_tap_to(a, "rate-2", "thanks");
    app_advance(a, (int64_t)f.c.idle_timeout_s * 1000 + (int64_t)f.c.thanks_s * 1000 + 100);
    CHECK_STR(app_screen_name(a), "attract");
    CHECK_INT(db_int(bak, "SELECT count(*) FROM votes"), 3);
    CHECK_INT(db_int(f.db, "SELECT count(*) FROM votes"), 4);
    /* a day later: it is */
    app_advance(a, 24LL * 3600 * 1000);
    app_tap_xy(a, 640, 400);
    CHECK_STR(app_screen_name(a), "home");
    app_advance(a, (int64_t)f.c.idle_timeout_s * 1000 + 100);
    CHECK_STR(app_screen_name(a), "attract");
    CHECK_INT(db_int(bak, "SELECT count(*) FROM votes"), 4);
    kfx_close(&f);
}

static void test_no_idle_redraw(void)
{
    kfx f;
    REQUIRE(fx_open(&f, CFG_MODE_LOBBY) == 0);
    app *a = f.a;
    a->dirty = 1;
    CHECK_INT(app_render(a), 1);
    CHECK_INT(app_render(a), 0);
    app_update(a); /* nothing due */
    CHECK_INT(app_render(a), 0);

    /* Home for a minute: slogan rotation (every 10 s) and the clock minute, nothing more. */
    uint64_t before = a->frames;
    app_advance(a, 60000);
    uint64_t home_frames = a->frames - before;
    CHECK(home_frames >= 4); /* long slogans stay longer than 10 s */
    CHECK(home_frames <= 10);

    app_advance(a, (int64_t)f.c.idle_timeout_s * 1000);
    CHECK_STR(app_screen_name(a), "attract");
    size_t pos = a->slogan_pos;
    before = a->frames;
    app_advance(a, 5 * 60 * 1000);
    uint64_t attract_frames = a->frames - before;
    fprintf(stderr, "home: %llu frames in 60 s; attract: %llu frames in 5 min\n",
            (unsigned long long)home_frames, (unsigned long long)attract_frames);
    CHECK_STR(app_screen_name(a), "attract");
    /* It is alive: slogans do rotate (every 10 s, longer ones a little longer). */
    CHECK(a->slogan_pos - pos >= 25);
    CHECK(attract_frames >= 30);
    CHECK(attract_frames < 100);
    CHECK_INT(app_render(a), 0);
    kfx_close(&f);
}

/* More officers than a page holds: the pick grid pages with "next"/"prev", and a vote for an
 * officer on the second page is recorded for that officer. */
/* A content folder under test_root named name: the demo content's files, commune.json with
 * every `from` replaced by `to` (a literal text edit). */
static void content_with(char *dir, size_t cap, const char *name, const char *from, const char *to)
{
    char path[PATH_MAX + 32], src[PATH_MAX];
    REQUIRE(util_fmt(dir, cap, "%s/%s", test_root, name) == 0);
    REQUIRE(mkdir(dir, 0755) == 0);
    const char *assets = getenv("HAILONG_ASSETS") ? getenv("HAILONG_ASSETS") : HL_SOURCE_ASSETS_DIR;
    static const char *const keep[] = {"slogans.json", "reasons.json", "officers.json", "photos"};
    for (size_t i = 0; i < HL_ARRAY_LEN(keep); i++) {
        util_fmt(src, sizeof src, "%s/content/%s", assets, keep[i]);
        util_fmt(path, sizeof path, "%s/%s", dir, keep[i]);
        REQUIRE(symlink(src, path) == 0);
    }
    util_fmt(src, sizeof src, "%s/content/commune.json", assets);
    char *text = util_read_file(src, NULL);
    REQUIRE(text);
    char *at = strstr(text, from);
    REQUIRE(at);
    util_fmt(path, sizeof path, "%s/commune.json", dir);
    FILE *out = fopen(path, "w");
    REQUIRE(out);
    fprintf(out, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    REQUIRE(fclose(out) == 0);
    free(text);
}

/* Issue 13: citizens read the demo's names, phones and fees with no word that they are samples. */
static void test_sample_mark(void)
{
    kfx f;
    REQUIRE(fx_open(&f, CFG_MODE_LOBBY) == 0);
    CHECK(kfx_says(f.a, "DỮ LIỆU MẪU"));
    kfx_tap_to(f.a, "procs", "procs");
    CHECK(kfx_says(f.a, "DỮ LIỆU MẪU"));
    app_go(f.a, SCR_ATTRACT);
    CHECK(kfx_says(f.a, "DỮ LIỆU MẪU"));
    kfx_close(&f);
    /* A commune's own content (no "sample": true) carries no mark. */
    char dir[PATH_MAX];
    content_with(dir, sizeof dir, "own-content", "\"sample\": true,", "");
    REQUIRE(kfx_open(&f, CFG_MODE_LOBBY, 1280, 800, dir, NULL) == 0);
    CHECK(kfx_says(f.a, "UBND xã Bom Bo"));
    CHECK(!kfx_says(f.a, "DỮ LIỆU MẪU"));
    app_go(f.a, SCR_ATTRACT);
    CHECK(!kfx_says(f.a, "DỮ LIỆU MẪU"));
    kfx_close(&f);
}

/* Issue 13: the officer grid shows counters and offers "Không nhớ tên cán bộ"; such a vote goes
 * to the desk as a whole (RATING_DESK_CODE). */
static void test_desk_choice(void)
{
    kfx f;
    REQUIRE(fx_open(&f, CFG_MODE_LOBBY) == 0);
    kfx_tap_to(f.a, "rate", "pick");
    CHECK(kfx_says(f.a, "Quầy 1"));
    CHECK(kfx_says(f.a, "Quầy 4"));
    CHECK(kfx_says(f.a, RATING_DESK_LABEL));
    kfx_tap_to(f.a, "officer-" RATING_DESK_CODE, "rate");
    CHECK(kfx_says(f.a, RATING_DESK_LABEL));
    CHECK(kfx_says(f.a, "Đánh giá chung cho cả Bộ phận Một cửa"));
    kfx_tap_to(f.a, "rate-2", "thanks");
    CHECK_STR(last(&f, "officer_code"), RATING_DESK_CODE);
    CHECK_STR(last(&f, "rating"), "2");
    kfx_close(&f);
}

/* Issue 13: the plan's headline over the slogans; "Ba thể hiện" full-screen in its short form; a
 * slogan's time grows with its length. */
static void test_slogans(void)
{
    CHECK(scr_slogan_duration_ms("Bốn luôn", "Luôn mỉm cười", 10) == 10000);
    /* 11 + 201 characters (not bytes): 132 over 80, 13.2 s more */
    const char *ba = "Tôn trọng (trong quan hệ giao tiếp), văn minh (lịch sự, văn hóa trong giao "
                     "tiếp, giải quyết công việc), gần gũi (trong quan hệ, giải quyết công việc "
                     "nhanh chóng, không quan cách, trịnh thượng, xa cách)";
    int64_t ba_ms = scr_slogan_duration_ms("Ba thể hiện", ba, 10);
    CHECK(ba_ms == 23200);
    CHECK(scr_slogan_duration_ms("Ba thể hiện", "Tôn trọng, văn minh, gần gũi", 10) == 10000);

    kfx f;
    kfx_config(&f, CFG_MODE_LOBBY, 1280, 800);
    f.c.n_slogans = 2;
    util_strlcpy(f.c.slogans[0], "trong-dan", sizeof f.c.slogans[0]);
    util_strlcpy(f.c.slogans[1], "ba-the-hien", sizeof f.c.slogans[1]);
    REQUIRE(kfx_start(&f) == 0);
    const char *phuong_cham = "Trọng dân, gần dân, hiểu dân, học dân và có trách nhiệm với dân";
    CHECK(kfx_says(f.a, phuong_cham));
    app_advance(f.a, 10000); /* the base time, then Home shows "Ba thể hiện" whole */
    CHECK(kfx_says(f.a, "xa cách"));
    app_advance(f.a, ba_ms - 1000); /* still there long after the base time */
    CHECK(kfx_says(f.a, "xa cách"));
    app_advance(f.a, 1000);
    CHECK(kfx_says(f.a, phuong_cham));
    app_advance(f.a, 10000);
    app_go(f.a, SCR_ATTRACT); /* full screen: the headline, and the short form */
    CHECK(kfx_says(f.a, "Chính quyền thân thiện, vì Nhân dân phục vụ"));
    CHECK(kfx_says(f.a, "Tôn trọng, văn minh, gần gũi"));
    CHECK(!kfx_says(f.a, "xa cách"));
    kfx_close(&f);
}

/* Opens procedure id's page, as a tap on it in a list would. */
static int open_proc(app *a, const char *id)
{
    const proc_item *it = proc_find(a->procs, id);
    char target[64];
    util_fmt(target, sizeof target, "proc-%zu", it ? (size_t)(it - a->procs->items) : (size_t)0);
    return it && scr_proc_open(a, target, SCR_HOME) == 1 && !strcmp(app_screen_name(a), "proc");
}

/* Every line a procedure's page draws, paging down to its end. */
static char *proc_text(app *a)
{
    buf b = {0};
    for (int page = 0; page < 30; page++) {
        buf_str(&b, kfx_screen_text(a));
        if (!kfx_has(a, "down") || app_tap(a, "down") != 0)
            break;
    }
    for (char *p = b.p; p && *p; p++)
        if (*p == '\n')
            *p = ' ';
    return buf_take(&b);
}

/* Issue 13: how a procedure may be submitted comes from its data (a signature certification needs
 * the person present: never "qua bưu chính"); the QR caption says what the code opens. */
static void test_procedure_text(void)
{
    kfx f;
    REQUIRE(fx_open(&f, CFG_MODE_LOBBY) == 0);
    REQUIRE(open_proc(f.a, "chung-thuc-chu-ky"));
    char *t = proc_text(f.a);
    CHECK(strstr(t, "Cách thức thực hiện"));
    CHECK(strstr(t, "phải có mặt"));
    CHECK(!strstr(t, "hoặc qua bưu chính"));
    CHECK(strstr(t, "Chưa có dịch vụ công trực tuyến"));
    CHECK(strstr(t, "xem thủ tục này (mã 2.000884) trên Cổng Dịch vụ công"));
    free(t);
    REQUIRE(open_proc(f.a, "khai-sinh-nhan-cha-me-con")); /* no channels */
    t = proc_text(f.a);
    CHECK(strstr(t, "Nơi nộp hồ sơ"));
    CHECK(!strstr(t, "Cách thức thực hiện"));
    CHECK(!strstr(t, "bưu chính"));
    free(t);
    REQUIRE(open_proc(f.a, "lien-thong-khai-sinh")); /* no verified code */
    t = proc_text(f.a);
    CHECK(strstr(t, "Mã này mở trang chủ Cổng Dịch vụ công quốc gia"));
    CHECK(!strstr(t, "xem thủ tục này"));
    free(t);
    kfx_close(&f);
}

/* Issue 13: "Chữ to" enlarges the citizen's screens for this visit only: the thank-you ends it,
 * and so does the attract screen; the admin screens keep their size. */
static void test_large_text(void)
{
    kfx f;
    REQUIRE(fx_open(&f, CFG_MODE_DESK) == 0);
    app *a = f.a;
    CHECK(kfx_says(a, "Chữ to"));
    kfx_tap_to(a, "large-text", "home");
    CHECK_INT(a->large_text, 1);
    CHECK(kfx_says(a, "Chữ thường")); /* the switch says what a tap now does */
    CHECK_INT(gfx_text_scale(a->gfx), APP_LARGE_TEXT);
    kfx_tap_to(a, "directory", "directory");
    CHECK_INT(gfx_text_scale(a->gfx), APP_LARGE_TEXT);
    kfx_tap_to(a, "back rate-3", "thanks");
    app_advance(a, (int64_t)f.c.thanks_s * 1000);
    CHECK_STR(app_screen_name(a), "home");
    CHECK_INT(a->large_text, 0); /* the next citizen starts at the normal size */
    kfx_settle(a);
    CHECK_INT(gfx_text_scale(a->gfx), 100);
    kfx_tap_to(a, "large-text", "home");
    app_advance(a, (int64_t)f.c.idle_timeout_s * 1000);
    CHECK_STR(app_screen_name(a), "attract");
    CHECK_INT(a->large_text, 0);
    kfx_close(&f);
}

static void test_pick_paging(void)
{
    char cdir[PATH_MAX], path[PATH_MAX + 32], from[PATH_MAX];
    REQUIRE(util_fmt(cdir, sizeof cdir, "%s/many-officers", test_root) == 0);
    REQUIRE(mkdir(cdir, 0755) == 0);
    const char *assets = getenv("HAILONG_ASSETS") ? getenv("HAILONG_ASSETS") : HL_SOURCE_ASSETS_DIR;
    static const char *const keep[] = {"commune.json", "slogans.json", "reasons.json"};
    for (size_t i = 0; i < HL_ARRAY_LEN(keep); i++) {
        util_fmt(from, sizeof from, "%s/content/%s", assets, keep[i]);
        util_fmt(path, sizeof path, "%s/%s", cdir, keep[i]);
        REQUIRE(symlink(from, path) == 0);
    }
    util_fmt(path, sizeof path, "%s/officers.json", cdir);
    FILE *out = fopen(path, "w");
    REQUIRE(out);
    fputs("{\"format\": 1, \"officers\": [", out);
    for (int i = 1; i <= 10; i++)
        fprintf(out, "%s{\"code\": \"o%d\", \"name\": \"Cán bộ số %d\", \"title\": \"Công chức\"}",
                i > 1 ? "," : "", i, i);
    fputs("]}\n", out);
    REQUIRE(fclose(out) == 0);

    kfx f;
    kfx_config(&f, CFG_MODE_LOBBY, 1280, 800);
    util_strlcpy(f.c.content_dir, cdir, sizeof f.c.content_dir);
    REQUIRE(kfx_start(&f) == 0);
    REQUIRE(app_tap(f.a, "rate") == 0);
    CHECK_STR(app_screen_name(f.a), "pick");
    SDL_Rect r;
    CHECK(kfx_target(f.a, "officer-o1", &r));
    CHECK(kfx_target(f.a, "officer-o8", &r));
    CHECK(!kfx_target(f.a, "officer-o9", &r)); /* 8 a page at 1280x800 */
    CHECK(!kfx_target(f.a, "prev", &r));
    REQUIRE(app_tap(f.a, "next") == 0);
    CHECK(kfx_target(f.a, "officer-o9", &r));
    CHECK(kfx_target(f.a, "officer-o10", &r));
    CHECK(!kfx_target(f.a, "officer-o1", &r));
    CHECK(!kfx_target(f.a, "next", &r));
    CHECK(kfx_target(f.a, "prev", &r));
    REQUIRE(app_tap(f.a, "officer-o10") == 0);
    CHECK_STR(app_screen_name(f.a), "rate");
    REQUIRE(app_tap(f.a, "rate-2") == 0);
    CHECK_STR(last(&f, "officer_code"), "o10");
    CHECK_STR(last(&f, "rating"), "2");
    /* Back on the pick screen the grid starts at the first page again. */
    app_advance(f.a, (int64_t)f.c.thanks_s * 1000);
    REQUIRE(app_tap(f.a, "rate") == 0);
    CHECK(kfx_target(f.a, "officer-o1", &r));
    kfx_close(&f);
}

static const test_case cases[] = {TEST(test_counter_label),
                                  TEST(test_lobby_flow),
                                  TEST(test_desk_flow),
                                  TEST(test_unhappy_reasons),
                                  TEST(test_reasons_skip),
                                  TEST(test_reasons_timeout),
                                  TEST(test_idle_lobby),
                                  TEST(test_idle_desk),
                                  TEST(test_response_interval),
                                  TEST(test_gestures),
                                  TEST(test_could_not_record),
                                  TEST(test_reasons_write_fault),
                                  TEST(test_start_on_failing_disk),
                                  TEST(test_idle_upkeep),
                                  TEST(test_no_idle_redraw),
                                  TEST(test_pick_paging),
                                  TEST(test_sample_mark),
                                  TEST(test_desk_choice),
                                  TEST(test_slogans),
                                  TEST(test_procedure_text),
                                  TEST(test_large_text)};

int main(void)
{
    return kfx_main("ui", NULL, cases, HL_ARRAY_LEN(cases));
}
