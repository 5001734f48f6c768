/* test_abuse: the touch screen abused, in-process through the real event path on a simulated
 * clock: 100 gestures a second on every screen (taps on and beside the buttons, two to five
 * fingers, swipes, a touch doubled by a synthesized mouse event, stray finger-ups), storms of long
 * presses, bursts of taps against the response interval, and memory over a long storm. Every
 * gesture's outcome is checked as it happens: a vote exactly when one finger pressed and lifted on
 * a face of a screen that stayed, none otherwise (ui.h, ARCHITECTURE.md); votes.db then holds those
 * votes, misuse set exactly as docs/SCHEMA.md ("Misuse") says. At 640x400: drawing two frames a
 * gesture is most of the cost, and hit-testing does not depend on the size.
 * HL_ABUSE_SECONDS (storm length per screen), HL_ABUSE_MINUTES (the memory storm), HL_ABUSE_SEED,
 * HL_ABUSE_ONLY=WORD (only the tests whose name holds WORD). */
#include <SDL.h>
#include <malloc.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "app.h"
#include "kfx.h"
#include "seed.h"
#include "test.h"
#include "util.h"

/* Under AddressSanitizer the heap is ASan's (mallinfo2 says nothing and freed memory is held in
 * quarantine): memory is then checked by LeakSanitizer at exit instead of by growth. */
#if defined(__SANITIZE_ADDRESS__)
#define ABUSE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ABUSE_ASAN 1
#endif
#endif
#ifndef ABUSE_ASAN
#define ABUSE_ASAN 0
#endif

#define SLOT_MS 10 /* 100 gestures a second */
#define PIN     "2468"

/* The CI form; the long form sets HL_ABUSE_SECONDS=60 HL_ABUSE_MINUTES=10 (docs/TESTING.md). */
static long storm_s = 5, long_s = 60, memory_warm_s = 20, memory_s = 60;
static long long mem_grown_kib, mem_rss_kib[2];
static uint64_t seed = 1;

typedef enum {
    G_TAP,      /* one finger, 4 ms, on a target */
    G_BESIDE,   /* the same anywhere on the glass */
    G_MULTI,    /* 2 to 5 fingers, down and up in any order, some sliding */
    G_SWIPE,    /* one finger out and back onto the button it began on */
    G_DUP,      /* a tap that also arrives as SDL's synthesized mouse press and release */
    G_STRAY,    /* a finger-up and a finger-motion with no finger down */
    G_LONG,     /* one finger held 0.3 to 3 s on a target */
    G_LONG_2ND, /* held, and a second finger taps meanwhile */
    G_CORNER,   /* the admin gesture: the top-left corner held 5 to 6 s */
    G_COUNT
} gkind;

static const char *const g_name[G_COUNT] = {"tap",        "tap beside",  "multi-finger",
                                            "swipe",      "touch+mouse", "stray",
                                            "long press", "long+finger", "corner hold"};

/* The totals of the whole run, for the figures printed at the end. */
static long all_gestures, all_votes, all_counted, all_misuse, all_mismatch;

typedef struct {
    kfx f;
    app *a;
    uint64_t rng;
    long gestures, kind[G_COUNT], on[SCR_COUNT], mismatches;
    int64_t *vote_wall; /* the wall time of every vote seen made, in order */
    size_t n_votes, cap_votes;
    int64_t real_start; /* real time at the start, for the report */
} storm;

static uint32_t rnd(storm *s, uint32_t n)
{
    /* xorshift64*: the run is the same for the same seed (the clock is simulated). */
    s->rng ^= s->rng >> 12;
    s->rng ^= s->rng << 25;
    s->rng ^= s->rng >> 27;
    return n ? (uint32_t)((s->rng * 2685821657736338717ULL) >> 32) % n : 0;
}

static void advance(storm *s, int64_t ms)
{
    if (ms > 0)
        app_advance(s->a, ms);
}

/* A touch that SDL also turned into a mouse event (touch id SDL_TOUCH_MOUSEID): the kiosk must
 * count the touch once. */
static void touch_mouse(app *a, Uint32 type, int x, int y)
{
    SDL_Event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = type;
    ev.button.which = SDL_TOUCH_MOUSEID;
    ev.button.button = SDL_BUTTON_LEFT;
    ev.button.state = type == SDL_MOUSEBUTTONDOWN ? SDL_PRESSED : SDL_RELEASED;
    ev.button.clicks = 1;
    ev.button.x = x;
    ev.button.y = y;
    app_handle_event(a, &ev);
}

static int clamp(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* A point inside a random target of the current screen (anywhere when on_target is 0 or there is
 * none), on the glass. */
static void pick_point(storm *s, int on_target, int *x, int *y)
{
    app *a = s->a;
    if (a->dirty)
        app_render(a);
    if (on_target && a->ui.n_targets > 0) {
        SDL_Rect r = a->ui.targets[rnd(s, (uint32_t)a->ui.n_targets)].r;
        *x = r.x + (int)rnd(s, (uint32_t)(r.w > 0 ? r.w : 1));
        *y = r.y + (int)rnd(s, (uint32_t)(r.h > 0 ? r.h : 1));
    } else {
        *x = (int)rnd(s, (uint32_t)a->m.w);
        *y = (int)rnd(s, (uint32_t)a->m.h);
    }
    *x = clamp(*x, 0, a->m.w - 1);
    *y = clamp(*y, 0, a->m.h - 1);
}

static int is_face(const char *id)
{
    return strlen(id) == 6 && strncmp(id, "rate-", 5) == 0 && id[5] >= '1' && id[5] <= '3';
}

/* The target under x, y now ("" if none): what a press there would choose. */
static void target_at(app *a, int x, int y, char *id)
{
    if (a->dirty)
        app_render(a);
    const char *t = ui_target_at(&a->ui, x, y);
    util_strlcpy(id, t ? t : "", UI_ID_MAX);
}

/* After the gesture's last event: whether it voted, against want; the vote's time kept. */
static void judge(storm *s, gkind k, int64_t seq0, int want, const char *where, const char *id)
{
    int voted = s->a->vote.seq != seq0;
    if (voted) {
        if (s->n_votes == s->cap_votes) {
            s->cap_votes = s->cap_votes ? s->cap_votes * 2 : 1024;
            s->vote_wall = realloc(s->vote_wall, s->cap_votes * sizeof *s->vote_wall);
            if (!s->vote_wall)
                abort();
        }
        s->vote_wall[s->n_votes++] = clk_wall_ms(s->a->clock);
    }
    if (voted != want) {
        if (s->mismatches < 10)
            fprintf(stderr, "  gesture %ld (%s on %s, target \"%s\"): %s\n", s->gestures, g_name[k],
                    where, id, voted ? "voted, but must not" : "did not vote, but must");
        s->mismatches++;
    }
}

/* One finger pressed at x, y, held hold_ms, lifted there: a tap, so a vote exactly when it
 * began on a face of a screen that was still there when it ended. dup: SDL's synthesized mouse
 * events come too. */
static void press(storm *s, gkind k, int x, int y, int64_t hold_ms, int dup)
{
    app *a = s->a;
    char id[UI_ID_MAX];
    target_at(a, x, y, id);
    const char *where = app_screen_name(a);
    int64_t seq0 = a->vote.seq, entered = a->entered_mono;
    scr_id cur = a->cur;
    kfx_finger(a, SDL_FINGERDOWN, 1, x, y);
    if (dup)
        touch_mouse(a, SDL_MOUSEBUTTONDOWN, x, y);
    advance(s, hold_ms);
    int stayed = a->cur == cur && a->entered_mono == entered;
    kfx_finger(a, SDL_FINGERUP, 1, x, y);
    if (dup)
        touch_mouse(a, SDL_MOUSEBUTTONUP, x, y);
    judge(s, k, seq0, is_face(id) && stayed, where, id);
}

/* Fingers 1..n down on targets, maybe sliding, then up in a random order: chooses nothing. */
static void multi(storm *s)
{
    app *a = s->a;
    int n = 2 + (int)rnd(s, 4), x[5], y[5], order[5];
    const char *where = app_screen_name(a);
    int64_t seq0 = a->vote.seq;
    for (int i = 0; i < n; i++) {
        pick_point(s, 1, &x[i], &y[i]);
        kfx_finger(a, SDL_FINGERDOWN, 10 + i, x[i], y[i]);
        order[i] = i;
    }
    if (rnd(s, 2))
        for (int i = 0; i < n; i++)
            kfx_finger(a, SDL_FINGERMOTION, 10 + i, clamp(x[i] + a->m.u * 2, 0, a->m.w - 1), y[i]);
    advance(s, 2);
    for (int i = n - 1; i > 0; i--) {
        int j = (int)rnd(s, (uint32_t)i + 1), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (int i = 0; i < n; i++)
        kfx_finger(a, SDL_FINGERUP, 10 + order[i], x[order[i]], y[order[i]]);
    judge(s, G_MULTI, seq0, 0, where, "");
}

/* Out more than the slop and back onto the button it began on: a swipe chooses nothing. */
static void swipe(storm *s)
{
    app *a = s->a;
    int x, y;
    pick_point(s, 1, &x, &y);
    const char *where = app_screen_name(a);
    int64_t seq0 = a->vote.seq;
    kfx_finger(a, SDL_FINGERDOWN, 1, x, y);
    int dx = a->m.u * 8 * (rnd(s, 2) ? 1 : -1), dy = a->m.u * 8 * (rnd(s, 2) ? 1 : -1);
    kfx_finger(a, SDL_FINGERMOTION, 1, clamp(x + dx, 0, a->m.w - 1), clamp(y + dy, 0, a->m.h - 1));
    advance(s, 2);
    kfx_finger(a, SDL_FINGERMOTION, 1, x, y);
    kfx_finger(a, SDL_FINGERUP, 1, x, y);
    judge(s, G_SWIPE, seq0, 0, where, "");
}

/* A finger held on a target while a second finger taps elsewhere: the pinch chooses nothing. */
static void long_second(storm *s)
{
    app *a = s->a;
    int x, y, x2, y2;
    pick_point(s, 1, &x, &y);
    const char *where = app_screen_name(a);
    int64_t seq0 = a->vote.seq;
    kfx_finger(a, SDL_FINGERDOWN, 1, x, y);
    advance(s, 200 + rnd(s, 1300));
    pick_point(s, 1, &x2, &y2);
    kfx_finger(a, SDL_FINGERDOWN, 2, x2, y2);
    advance(s, 5);
    kfx_finger(a, SDL_FINGERUP, 2, x2, y2);
    advance(s, 200 + rnd(s, 1300));
    kfx_finger(a, SDL_FINGERUP, 1, x, y);
    judge(s, G_LONG_2ND, seq0, 0, where, "");
}

/* One gesture of kind k, then the rest of its slot. */
static void gesture(storm *s, gkind k)
{
    app *a = s->a;
    int64_t t0 = clk_mono_ms(a->clock);
    s->gestures++;
    s->kind[k]++;
    s->on[a->cur]++;
    int x, y;
    switch (k) {
    case G_TAP:
    case G_BESIDE:
    case G_DUP:
        pick_point(s, k != G_BESIDE, &x, &y);
        press(s, k, x, y, 4, k == G_DUP);
        break;
    case G_MULTI:
        multi(s);
        break;
    case G_SWIPE:
        swipe(s);
        break;
    case G_STRAY: {
        pick_point(s, 1, &x, &y);
        int64_t seq0 = a->vote.seq;
        const char *where = app_screen_name(a);
        kfx_finger(a, SDL_FINGERMOTION, 3, x, y);
        kfx_finger(a, SDL_FINGERUP, 3, x, y);
        judge(s, k, seq0, 0, where, "");
        break;
    }
    case G_LONG:
        pick_point(s, 1, &x, &y);
        press(s, k, x, y, 300 + rnd(s, 2700), 0);
        break;
    case G_LONG_2ND:
        long_second(s);
        break;
    case G_CORNER:
        /* Never on a face, so never a vote; from a citizen screen it opens the PIN pad. */
        press(s, k, a->m.u * 4, a->m.u * 4, ADMIN_HOLD_MS + rnd(s, 1000), 0);
        break;
    case G_COUNT:
        break;
    }
    int64_t used = clk_mono_ms(a->clock) - t0;
    advance(s, used < SLOT_MS ? SLOT_MS - used : 0);
}

/* A tap (one finger, 4 ms) at a random point of target id; 0, or -1 if it is not on screen. */
static int tap_id(storm *s, const char *id)
{
    SDL_Rect r;
    if (!kfx_target(s->a, id, &r))
        return -1;
    s->gestures++;
    s->kind[G_TAP]++;
    s->on[s->a->cur]++;
    press(s, G_TAP, r.x + (int)rnd(s, (uint32_t)r.w), r.y + (int)rnd(s, (uint32_t)r.h), 4, 0);
    advance(s, SLOT_MS - 4);
    return 0;
}

/* Back to Home the way a citizen would: the way back out of each screen. */
static void go_home(storm *s)
{
    static const char *const outs[] = {"back", "done", "skip", "cancel", "close", "confirm-no"};
    for (int step = 0; step < 16 && strcmp(app_screen_name(s->a), "home") != 0; step++) {
        if (s->a->cur == SCR_ATTRACT) {
            gesture(s, G_BESIDE); /* the waking touch */
            continue;
        }
        size_t i = 0;
        while (i < HL_ARRAY_LEN(outs) && tap_id(s, outs[i]) != 0)
            i++;
        if (i == HL_ARRAY_LEN(outs))
            advance(s, 1000); /* nothing to tap: its timeout takes it Home */
    }
}

/* From Home to screen name: the taps of path (words; "proc-*" is the first procedure listed),
 * or for the attract screen what idleness does. 0, or -1 (the test fails) if it cannot. */
static int go_to(storm *s, const char *name, const char *path)
{
    char words[256], *save = NULL;
    util_strlcpy(words, path, sizeof words);
    for (char *w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        app *a = s->a;
        if (strcmp(w, "idle") == 0) {
            app_go(a, SCR_ATTRACT); /* what app_update does after idle_timeout on Home */
            kfx_settle(a);
        } else if (strcmp(w, "corner") == 0) {
            gesture(s, G_CORNER);
        } else if (strcmp(w, "pin") == 0) {
            kfx_enter_pin(a, PIN);
            CHECK(app_wait_jobs(a, 20000));
        } else if (strcmp(w, "proc-*") == 0) {
            if (a->dirty)
                app_render(a);
            int i = 0;
            while (i < a->ui.n_targets && strncmp(a->ui.targets[i].id, "proc-", 5) != 0)
                i++;
            if (i == a->ui.n_targets || tap_id(s, a->ui.targets[i].id) != 0)
                break;
        } else if (tap_id(s, w) != 0) {
            break;
        }
    }
    if (strcmp(app_screen_name(s->a), name) != 0) {
        fprintf(stderr, "  cannot reach \"%s\" by \"%s\": on \"%s\"\n", name, path,
                app_screen_name(s->a));
        t_cur_failed = 1;
        return -1;
    }
    return 0;
}

/* A kiosk for one storm: its own random sequence (from the seed and which storm), a PIN when it
 * will meet the PIN pad. */
static int storm_open(storm *s, cfg_mode mode, int interval_s, uint64_t which, int with_pin)
{
    memset(s, 0, sizeof *s);
    s->real_start = test_mono_ms();
    s->rng = (seed * 0x9E3779B97F4A7C15ULL) ^ ((which + 1) * 0xD1B54A32D192ED03ULL);
    if (!s->rng)
        s->rng = 1;
    kfx_config(&s->f, mode, 640, 400);
    s->f.c.response_interval_s = interval_s;
    if (kfx_start(&s->f) != 0)
        return -1;
    s->a = s->f.a;
    if (with_pin)
        kfx_set_pin(s->a, PIN); /* argon2id: a tenth of a second, so only where it is used */
    return 0;
}

/* votes.db against what the storm saw: one row per vote seen, at its time, in order; misuse set
 * exactly when the vote came less than response_interval after the previous one by seq. Adds to
 * the run's totals; *counted gets the votes with misuse = 0. */
static void check_votes(storm *s, long *counted)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    REQUIRE(sqlite3_open_v2(s->f.db, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
    REQUIRE(sqlite3_prepare_v2(db, "SELECT seq, created_at, misuse FROM votes ORDER BY seq", -1,
                               &st, NULL) == SQLITE_OK);
    int64_t interval = (int64_t)s->f.c.response_interval_s * 1000;
    size_t n = 0, wrong = 0;
    long ok_votes = 0, misuse = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t seq = sqlite3_column_int64(st, 0), at = sqlite3_column_int64(st, 1);
        int m = sqlite3_column_int(st, 2);
        int want_m = 0;
        if (n < s->n_votes) {
            want_m = n > 0 && interval > 0 && s->vote_wall[n] - s->vote_wall[n - 1] < interval;
            if (at != s->vote_wall[n] || m != want_m || seq != (int64_t)n + 1) {
                if (wrong++ < 5)
                    fprintf(stderr,
                            "  vote %zu: seq %lld at %lld misuse %d; expected seq %zu at "
                            "%lld misuse %d\n",
                            n, (long long)seq, (long long)at, m, n + 1, (long long)s->vote_wall[n],
                            want_m);
            }
        }
        n++;
        ok_votes += m == 0;
        misuse += m != 0;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    CHECK_INT(n, s->n_votes);
    CHECK_INT(wrong, 0);
    CHECK_INT(s->mismatches, 0);
    *counted = ok_votes;
    all_votes += (long)n;
    all_counted += ok_votes;
    all_misuse += misuse;
    all_gestures += s->gestures;
    all_mismatch += s->mismatches;
}

static void storm_close(storm *s)
{
    kfx_close(&s->f);
    free(s->vote_wall);
    s->vote_wall = NULL;
}

/* "name: N gestures (tap a, ...), V votes (C counted), screens: home 123, ..." */
static void report(const storm *s, const char *what, long counted)
{
    char kinds[400] = "", screens[600] = "";
    size_t kl = 0, sl = 0;
    for (int k = 0; k < G_COUNT; k++)
        if (s->kind[k] && kl < sizeof kinds)
            kl += (size_t)snprintf(kinds + kl, sizeof kinds - kl, "%s%s %ld", kl ? ", " : "",
                                   g_name[k], s->kind[k]);
    for (int i = 0; i < SCR_COUNT; i++)
        if (s->on[i] && sl < sizeof screens)
            sl += (size_t)snprintf(screens + sl, sizeof screens - sl, "%s%s %ld", sl ? ", " : "",
                                   s->a->screens[i]->name, s->on[i]);
    fprintf(stderr, "  %s: %ld gestures (%s); %zu votes, %ld counted; on %s; %.1f s real\n", what,
            s->gestures, kinds, s->n_votes, counted, screens,
            (double)(test_mono_ms() - s->real_start) / 1000.0);
}

/* ---- 100 gestures a second for storm_s seconds, begun on every screen ---- */

typedef struct {
    const char *screen_name;
    cfg_mode mode;
    const char *path; /* from Home */
    int keep;         /* gone elsewhere, the storm comes back (admin screens: it goes on there) */
} start;

static const start starts[] = {
    {"home", CFG_MODE_DESK, "", 1},
    {"home", CFG_MODE_LOBBY, "", 1},
    {"pick", CFG_MODE_LOBBY, "rate", 1},
    {"rate", CFG_MODE_LOBBY, "rate officer-tp-hung", 1},
    {"reasons", CFG_MODE_DESK, "rate-1", 1},
    {"thanks", CFG_MODE_DESK, "rate-3", 1},
    {"attract", CFG_MODE_DESK, "idle", 1},
    {"procs", CFG_MODE_LOBBY, "procs", 1},
    {"proc-list", CFG_MODE_LOBBY, "procs field-0", 1},
    {"proc", CFG_MODE_LOBBY, "procs field-0 proc-*", 1},
    {"search", CFG_MODE_LOBBY, "procs search", 1},
    {"fees", CFG_MODE_LOBBY, "fees", 1},
    {"directory", CFG_MODE_LOBBY, "directory", 1},
    /* Behind the corner and the PIN: coming back would cost a PIN check a tap. */
    {"pin", CFG_MODE_DESK, "corner", 0},
    {"admin", CFG_MODE_DESK, "corner pin", 0},
    {"admin-officer", CFG_MODE_DESK, "corner pin officer", 0},
    {"admin-export", CFG_MODE_DESK, "corner pin export", 0},
};

/* The quick gestures, weighted: mostly taps on buttons, the rest of the abuse around them. */
static gkind quick_kind(storm *s)
{
    uint32_t r = rnd(s, 100);
    return r < 55   ? G_TAP
           : r < 70 ? G_BESIDE
           : r < 82 ? G_MULTI
           : r < 88 ? G_SWIPE
           : r < 96 ? G_DUP
                    : G_STRAY;
}

static void tap_storm(void)
{
    const start *st = test_arg();
    storm s;
    REQUIRE(storm_open(&s, st->mode, 5, (uint64_t)(st - starts), !st->keep) == 0);
    if (go_to(&s, st->screen_name, st->path) != 0) {
        storm_close(&s);
        return;
    }
    int64_t end = clk_mono_ms(s.a->clock) + storm_s * 1000;
    while (clk_mono_ms(s.a->clock) < end) {
        if (st->keep && strcmp(app_screen_name(s.a), st->screen_name) != 0) {
            go_home(&s);
            if (go_to(&s, st->screen_name, st->path) != 0)
                break;
        }
        gesture(&s, quick_kind(&s));
    }
    app_wait_jobs(s.a, 20000);
    long counted = 0;
    check_votes(&s, &counted);
    char what[80];
    util_fmt(what, sizeof what, "%s (%s)", st->screen_name, cfg_mode_name(st->mode));
    report(&s, what, counted);
    storm_close(&s);
}

/* ---- long presses for long_s seconds, begun on every citizen screen ---- */

static void long_storm(void)
{
    const start *st = test_arg();
    storm s;
    REQUIRE(storm_open(&s, st->mode, 5, 100 + (uint64_t)(st - starts), 0) == 0);
    if (go_to(&s, st->screen_name, st->path) != 0) {
        storm_close(&s);
        return;
    }
    int64_t end = clk_mono_ms(s.a->clock) + long_s * 1000;
    while (clk_mono_ms(s.a->clock) < end) {
        if (st->keep && strcmp(app_screen_name(s.a), st->screen_name) != 0) {
            go_home(&s);
            if (go_to(&s, st->screen_name, st->path) != 0)
                break;
        }
        uint32_t r = rnd(&s, 100);
        gesture(&s, r < 60 ? G_LONG : r < 90 ? G_LONG_2ND : G_CORNER);
    }
    app_wait_jobs(s.a, 20000);
    long counted = 0;
    check_votes(&s, &counted);
    char what[80];
    util_fmt(what, sizeof what, "long presses on %s (%s)", st->screen_name,
             cfg_mode_name(st->mode));
    report(&s, what, counted);
    storm_close(&s);
}

/* ---- the response interval: bursts of taps on the faces ---- */

/* n bursts of one second of taps at 100 a second on whatever face or "done" is on screen, each
 * followed by quiet_ms without a touch. Returns the votes counted (misuse = 0). */
static long bursts(int interval_s, int n, int64_t quiet_ms, long *votes)
{
    storm s;
    if (storm_open(&s, CFG_MODE_DESK, interval_s, 200 + (uint64_t)quiet_ms, 0) != 0) {
        t_cur_failed = 1;
        return -1;
    }
    static const char *const faces[] = {"rate-3", "rate-2", "rate-1"};
    for (int b = 0; b < n; b++) {
        int64_t end = clk_mono_ms(s.a->clock) + 1000;
        while (clk_mono_ms(s.a->clock) < end) {
            const char *id = s.a->cur == SCR_THANKS    ? "done"
                             : s.a->cur == SCR_REASONS ? "skip"
                                                       : faces[rnd(&s, 3)];
            if (tap_id(&s, id) != 0)
                gesture(&s, G_BESIDE);
        }
        advance(&s, quiet_ms);
    }
    long counted = 0;
    check_votes(&s, &counted);
    *votes = (long)s.n_votes;
    char what[120];
    util_fmt(what, sizeof what, "%d bursts, %lld ms apart, response_interval %d", n,
             (long long)quiet_ms, interval_s);
    report(&s, what, counted);
    storm_close(&s);
    return counted;
}

static void test_response_interval_bursts(void)
{
    long votes;
    /* Quiet for the interval between bursts: the first vote of each burst counts, every other
     * press of it is misuse (kept, not counted). */
    CHECK_INT(bursts(5, 10, 5000, &votes), 10);
    CHECK(votes > 10 * 20);
    /* Quiet a second short: "the previous vote by sequence, including votes that were themselves
     * misuse" is always too close, so only the very first vote counts. */
    CHECK_INT(bursts(5, 10, 4000, &votes), 1);
    /* response_interval = 0 turns the rule off: every vote counts. */
    long counted = bursts(0, 3, 0, &votes);
    CHECK_INT(counted, votes);
}

/* ---- a second finger while the screen changes under the first ---- */

/* "Any touch wakes the kiosk; that touch chooses nothing" (app.c) and "a second finger chooses
 * nothing" (ui.h), also when the screen changed under the first finger: a hand landing with two
 * fingers on the attract screen, 20 ms apart, one where "Rất hài lòng" is on Home, whichever
 * lifts first; and a finger resting on the thank-you screen until it returns Home while another
 * taps a face. Neither may vote. */
static void test_second_finger_across_screens(void)
{
    for (int round = 0; round < 3; round++) {
        storm s;
        REQUIRE(storm_open(&s, CFG_MODE_DESK, 5, 400 + (uint64_t)round, 0) == 0);
        app *a = s.a;
        SDL_Rect r;
        REQUIRE(kfx_target(a, "rate-3", &r));
        int x = r.x + r.w / 2, y = r.y + r.h / 2;
        long long before = 0;
        if (round < 2) {
            app_go(a, SCR_ATTRACT);
            kfx_settle(a);
            kfx_finger(a, SDL_FINGERDOWN, 1, x - 2, y); /* wakes the kiosk */
            advance(&s, 20); /* Home is drawn before the second finger lands */
            kfx_finger(a, SDL_FINGERDOWN, 2, x + 2, y);
            advance(&s, 5);
            int first = round == 0 ? 1 : 2;
            kfx_finger(a, SDL_FINGERUP, first, first == 1 ? x - 2 : x + 2, y);
            kfx_finger(a, SDL_FINGERUP, 3 - first, first == 1 ? x + 2 : x - 2, y);
        } else {
            REQUIRE(app_tap(a, "rate-3") == 0);
            before = 1;
            kfx_finger(a, SDL_FINGERDOWN, 1, 2, a->m.h - 2); /* resting, on no button */
            advance(&s, (int64_t)s.f.c.thanks_s * 1000 + 20);
            CHECK_STR(app_screen_name(a), "home");
            advance(&s, 6000); /* out of the response interval: a vote would count */
            kfx_finger(a, SDL_FINGERDOWN, 2, x, y);
            advance(&s, 5);
            kfx_finger(a, SDL_FINGERUP, 2, x, y);
            kfx_finger(a, SDL_FINGERUP, 1, 2, a->m.h - 2);
        }
        kfx_settle(a);
        CHECK_STR(app_screen_name(a), "home");
        CHECK_INT(db_int(s.f.db, "SELECT count(*) FROM votes"), before);
        storm_close(&s);
    }
}

/* ---- memory over a long storm ---- */

typedef struct {
    long long heap, sqlite, textures, rss_kib; /* textures: the texture cache's pixels */
} mem_use;

static mem_use mem_now(app *a)
{
    mem_use u = {0, sqlite3_memory_used(), (long long)gfx_cache_bytes(a->gfx), 0};
#if !ABUSE_ASAN
    struct mallinfo2 mi = mallinfo2();
    u.heap = (long long)(mi.uordblks + mi.hblkhd);
#endif
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            u.rss_kib = strtoll(line + 6, NULL, 10);
    if (f)
        fclose(f);
    return u;
}

/* The quick storm for ms, going where its taps lead (out of the admin screens again, which a
 * quick gesture cannot open anyway). */
static void roam(storm *s, int64_t ms)
{
    int64_t end = clk_mono_ms(s->a->clock) + ms;
    while (clk_mono_ms(s->a->clock) < end) {
        if (s->a->screens[s->a->cur]->group == SCR_GROUP_ADMIN)
            go_home(s);
        gesture(s, quick_kind(s));
    }
}

/* What the kiosk holds besides its two caches of known bound (textures, SQLite's pages). */
static long long outside_caches(mem_use u)
{
    return u.heap - u.sqlite - u.textures;
}

/* The quick storm for ms (as roam), with what the kiosk holds outside those caches sampled every
 * simulated second: its least and most in *lo, *hi. */
static void roam_sampled(storm *s, int64_t ms, long long *lo, long long *hi)
{
    *lo = INT64_MAX;
    *hi = INT64_MIN;
    for (int64_t done = 0; done < ms; done += 1000) {
        roam(s, 1000);
        long long v = outside_caches(mem_now(s->a));
        *lo = v < *lo ? v : *lo;
        *hi = v > *hi ? v : *hi;
    }
}

/* A leak grows with the gestures; caches fill up to their caps and stay. Besides the texture
 * cache and SQLite's pages, what the kiosk holds swings by some hundred KiB with what was drawn
 * last (32 fonts with their glyphs, the cache's table), so it is sampled every second through
 * two equal halves of the storm after a warm-up (every screen visited, then a random storm): a
 * leak lifts the second half's least above the first's. */
static void test_memory_flat(void)
{
    storm s;
    REQUIRE(storm_open(&s, CFG_MODE_LOBBY, 5, 300, 0) == 0);
    /* Every screen at both text sizes: "Chữ to" doubles the fonts and texts the caches hold,
     * and a storm that met it only after the warm-up measured them filling (+228 KiB in 60 s,
     * -139 KiB over 240 s: a swing, not a leak). */
    for (int large = 0; large < 2; large++)
        for (size_t i = 0; i < HL_ARRAY_LEN(starts); i++) {
            if (starts[i].mode != CFG_MODE_LOBBY)
                continue;
            go_home(&s);
            s.a->large_text = large;
            go_to(&s, starts[i].screen_name, starts[i].path);
            roam(&s, 1000);
        }
    roam(&s, memory_warm_s * 1000);
    mem_use a = mem_now(s.a);
    long long lo1, hi1, lo2, hi2;
    long gestures_a = s.gestures;
    roam_sampled(&s, memory_s * 500, &lo1, &hi1);
    long gestures_b = s.gestures;
    roam_sampled(&s, memory_s * 500, &lo2, &hi2);
    mem_use c = mem_now(s.a);
    long counted = 0;
    check_votes(&s, &counted);
    report(&s, "memory storm", counted);
    long long grown = lo2 - lo1;
    if (ABUSE_ASAN)
        fprintf(stderr,
                "  memory: %ld s of storm after the warm-up; RSS %lld -> %lld KiB (sanitizer "
                "build: the heap is not measured; LeakSanitizer checks at exit)\n",
                memory_s, a.rss_kib, c.rss_kib);
    else
        fprintf(stderr,
                "  memory: %ld s of storm after the warm-up: the heap outside SQLite and the "
                "textures %lld..%lld KiB in the first half (%ld gestures), %lld..%lld KiB in the "
                "second (%ld): %+lld KiB; textures %lld KiB, SQLite %lld KiB at the end; RSS %lld "
                "-> %lld KiB\n",
                memory_s, lo1 / 1024, hi1 / 1024, gestures_b - gestures_a, lo2 / 1024, hi2 / 1024,
                s.gestures - gestures_b, grown / 1024, c.textures / 1024, c.sqlite / 1024,
                a.rss_kib, c.rss_kib);
    mem_grown_kib = ABUSE_ASAN ? 0 : grown / 1024;
    mem_rss_kib[0] = a.rss_kib;
    mem_rss_kib[1] = c.rss_kib;
#if !ABUSE_ASAN
    /* 128 KiB is a leak of 44 bytes a gesture in the shortest run (3 000 gestures a half). */
    CHECK(grown < 128 * 1024);
    CHECK(c.sqlite < 16 * 1024 * 1024);
    CHECK(c.textures <= 16 * 1024 * 1024); /* gfx_cache.c's cap */
#endif
    storm_close(&s);
}

/* ---- the table: one tap storm and one long-press storm per start screen ---- */

static test_case cases[2 * HL_ARRAY_LEN(starts) + 3];
static char names[2 * HL_ARRAY_LEN(starts)][64];

static long env_long(const char *name, long def, long lo, long hi)
{
    const char *v = getenv(name);
    long n;
    if (!v || util_parse_int(v, lo, hi, &n) != 0)
        return def;
    return n;
}

int main(void)
{
    /* Long presses are few a second and cheap: the CI form gives them a whole minute. */
    storm_s = env_long("HL_ABUSE_SECONDS", storm_s, 1, 3600);
    long_s = env_long("HL_ABUSE_SECONDS", long_s, 1, 3600);
    /* With sanitizers memory is not compared (LeakSanitizer instead), so a shorter storm will do.
     */
    if (ABUSE_ASAN)
        memory_warm_s = 10, memory_s = 20;
    long minutes = env_long("HL_ABUSE_MINUTES", 0, 1, 600);
    if (minutes)
        memory_s = minutes * 60;
    seed = (uint64_t)env_long("HL_ABUSE_SEED", 1, 0, 1L << 30);
    fprintf(stderr,
            "abuse: %ld s a storm, %ld s of long presses, memory over %ld s after %ld s, seed "
            "%llu\n",
            storm_s, long_s, memory_s, memory_warm_s, (unsigned long long)seed);
    size_t n = 0;
    for (size_t i = 0; i < HL_ARRAY_LEN(starts); i++) {
        util_fmt(names[n], sizeof names[n], "tap_storm_%s_%s", starts[i].screen_name,
                 cfg_mode_name(starts[i].mode));
        cases[n] = (test_case){.name = names[n], .fn = tap_storm, .arg = &starts[i]};
        n++;
    }
    for (size_t i = 0; i < HL_ARRAY_LEN(starts); i++) {
        if (!starts[i].keep || strcmp(starts[i].screen_name, "attract") == 0)
            continue; /* a long press wakes the attract screen; the corner opens the pad */
        util_fmt(names[n], sizeof names[n], "long_storm_%s_%s", starts[i].screen_name,
                 cfg_mode_name(starts[i].mode));
        cases[n] = (test_case){.name = names[n], .fn = long_storm, .arg = &starts[i]};
        n++;
    }
    cases[n++] = (test_case)TEST(test_second_finger_across_screens);
    cases[n++] = (test_case)TEST(test_response_interval_bursts);
    cases[n++] = (test_case)TEST(test_memory_flat);
    if (kfx_begin("abuse", NULL) != 0)
        return 1;
    /* HL_ABUSE_ONLY=WORD runs only the tests whose name holds WORD (when looking into one). */
    const char *only = getenv("HL_ABUSE_ONLY");
    for (size_t i = 0; i < n; i++)
        if (!only || strstr(cases[i].name, only))
            test_run_all(&cases[i], 1);
    test_cleanup(test_root);
    fprintf(stderr,
            "abuse: %ld gestures, %ld votes, %ld counted, %ld misuse, %ld gestures with the wrong "
            "outcome; memory: %+lld KiB from the memory storm's first half to its second, RSS "
            "%lld -> %lld KiB\n",
            all_gestures, all_votes, all_counted, all_misuse, all_mismatch, mem_grown_kib,
            mem_rss_kib[0], mem_rss_kib[1]);
    return test_summary();
}
