/* test_golden: every screen rendered headless at 1280x800, 1920x1080 and portrait 1080x1920 on a
 * fixed fake clock, compared with the reference PNGs in tests/golden/ (golden.c). To update them
 * on purpose: HAILONG_UPDATE_GOLDEN=1 ctest -R test_golden, then look at every changed PNG. */
#include <SDL.h>
#include <ftw.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "screens.h"
#include "faultvfs.h"
#include "golden.h"
#include "test.h"
#include "util.h"

static char root[PATH_MAX];
static int dir_counter;
static int64_t t0; /* 2026-11-26T09:30 Vietnam time: a Thursday */

static const struct {
    int w, h;
} sizes[] = {{1280, 800}, {1920, 1080}, {1080, 1920}};

static app *open_app(hl_clock *clock, cfg_mode mode, int w, int h, const char *vfs)
{
    cfg c;
    cfg_defaults(&c);
    char dir[PATH_MAX];
    if (util_fmt(dir, sizeof dir, "%s/k%d", root, ++dir_counter) != 0 || mkdir(dir, 0755) != 0) {
        perror(dir);
        return NULL;
    }
    util_strlcpy(c.data_dir, dir, sizeof c.data_dir);
    c.mode = mode;
    if (mode == CFG_MODE_DESK)
        util_strlcpy(c.counter, "1", sizeof c.counter);
    c.width = w;
    c.height = h;
    *clock = clk_fake(t0);
    app_opts o = {.clock = clock, .headless = 1, .store_vfs = vfs, .screens = scr_table};
    char err[512];
    app *a = NULL;
    if (app_create(&a, &c, &o, err, sizeof err) != 0) {
        fprintf(stderr, "app_create: %s\n", err);
        return NULL;
    }
    app_update(a);
    app_render(a);
    return a;
}

/* Brings a fresh app to the screen to photograph; returns the screen name expected. */
typedef const char *(*setup_fn)(app *a);

/* Renders name-WxH at every size after setup and compares it with its reference. */
static void shoot(const char *name, cfg_mode mode, const char *vfs, setup_fn setup)
{
    for (size_t i = 0; i < HL_ARRAY_LEN(sizes); i++) {
        hl_clock clock;
        app *a = open_app(&clock, mode, sizes[i].w, sizes[i].h, vfs);
        REQUIRE(a != NULL);
        CHECK_INT(a->m.w, sizes[i].w);
        CHECK_INT(a->m.h, sizes[i].h);
        const char *want = setup(a);
        CHECK_STR(app_screen_name(a), want);
        char full[96];
        util_fmt(full, sizeof full, "%s-%dx%d", name, sizes[i].w, sizes[i].h);
        SDL_Surface *s = app_snapshot(a);
        if (!golden_check(s, full)) {
            fprintf(stderr, "  golden mismatch: %s\n", full);
            t_cur_failed = 1;
        }
        SDL_FreeSurface(s);
        app_destroy(a);
    }
}

static const char *go_home(app *a)
{
    (void)a;
    return "home";
}

static const char *go_pick(app *a)
{
    CHECK_INT(app_tap(a, "rate"), 0);
    return "pick";
}

static const char *go_rate(app *a)
{
    go_pick(a);
    CHECK_INT(app_tap(a, "officer-tp-hung"), 0);
    return "rate";
}

static const char *go_reasons(app *a)
{
    CHECK_INT(app_tap(a, "rate-1"), 0);
    CHECK_INT(app_tap(a, "reason-huong-dan"), 0);
    return "reasons";
}

static const char *go_thanks(app *a)
{
    CHECK_INT(app_tap(a, "rate-3"), 0);
    CHECK_INT(a->thanks, THANKS_POSITIVE);
    return "thanks";
}

static const char *go_apology(app *a)
{
    CHECK_INT(app_tap(a, "rate-1"), 0);
    CHECK_INT(app_tap(a, "reason-cham-tre"), 0);
    CHECK_INT(app_tap(a, "send"), 0);
    CHECK_INT(a->thanks, THANKS_APOLOGY);
    return "thanks";
}

static const char *go_error(app *a)
{
    faultvfs_set(FAULTVFS_WRITE | FAULTVFS_SYNC, SQLITE_FULL);
    CHECK_INT(app_tap(a, "rate-3"), 0);
    CHECK(faultvfs_failures() > 0);
    faultvfs_set(0, 0);
    CHECK_INT(a->thanks, THANKS_ERROR);
    return "thanks";
}

static const char *go_attract(app *a)
{
    app_advance(a, (int64_t)a->cfg.idle_timeout_s * 1000);
    return "attract";
}

static void test_home_lobby(void)
{
    shoot("home-lobby", CFG_MODE_LOBBY, NULL, go_home);
}

static void test_home_desk(void)
{
    shoot("home-desk", CFG_MODE_DESK, NULL, go_home);
}

static void test_pick(void)
{
    shoot("pick", CFG_MODE_LOBBY, NULL, go_pick);
}

static void test_rate(void)
{
    shoot("rate", CFG_MODE_LOBBY, NULL, go_rate);
}

static void test_reasons(void)
{
    shoot("reasons", CFG_MODE_DESK, NULL, go_reasons);
}

static void test_thanks(void)
{
    shoot("thanks-positive", CFG_MODE_DESK, NULL, go_thanks);
}

static void test_apology(void)
{
    shoot("thanks-apology", CFG_MODE_DESK, NULL, go_apology);
}

static void test_error(void)
{
    REQUIRE(faultvfs_register() == 0);
    shoot("thanks-error", CFG_MODE_DESK, FAULTVFS_NAME, go_error);
}

static void test_attract(void)
{
    shoot("attract", CFG_MODE_LOBBY, NULL, go_attract);
}

int main(void)
{
    char tmpl[] = "/tmp/hl-test-golden-XXXXXX";
    if (test_tmpdir(tmpl, root) != 0)
        return 1;
    if (clk_parse_local("2026-11-26T09:30", &t0) != 0) {
        fprintf(stderr, "clk_parse_local failed\n");
        return 1;
    }
    RUN(test_home_lobby);
    RUN(test_home_desk);
    RUN(test_pick);
    RUN(test_rate);
    RUN(test_reasons);
    RUN(test_thanks);
    RUN(test_apology);
    RUN(test_error);
    RUN(test_attract);
    test_cleanup(root);
    TEST_END();
}
