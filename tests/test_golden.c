/* test_golden: every screen rendered headless at 1280x800, 1920x1080 and portrait 1080x1920 on a
 * fixed fake clock, compared with the reference PNGs in tests/golden/ (golden.c). To update them
 * on purpose: HAILONG_UPDATE_GOLDEN=1 ctest -R test_golden, then look at every changed PNG. */
#include <SDL.h>
#include <sqlite3.h>

#include "app.h"
#include "faultvfs.h"
#include "kfx.h"
#include "test.h"
#include "util.h"

static const struct {
    int w, h;
} sizes[] = {{1280, 800}, {1920, 1080}, {1080, 1920}};

/* Brings a fresh app to the screen to photograph; returns the screen name expected. */
typedef const char *(*setup_fn)(app *a);

/* Renders name-WxH at every size after setup and compares it with its reference. */
static void shoot(const char *name, cfg_mode mode, const char *vfs, setup_fn setup)
{
    for (size_t i = 0; i < HL_ARRAY_LEN(sizes); i++) {
        kfx f;
        REQUIRE(kfx_open(&f, mode, sizes[i].w, sizes[i].h, NULL, vfs) == 0);
        app *a = f.a;
        CHECK_INT(a->m.w, sizes[i].w);
        CHECK_INT(a->m.h, sizes[i].h);
        const char *want = setup(a);
        CHECK_STR(app_screen_name(a), want);
        kfx_golden(a, name, sizes[i].w, sizes[i].h);
        kfx_close(&f);
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
    if (kfx_begin("golden", NULL) != 0) /* the fake clock at 09:30 on a Thursday */
        return 1;
    RUN(test_home_lobby);
    RUN(test_home_desk);
    RUN(test_pick);
    RUN(test_rate);
    RUN(test_reasons);
    RUN(test_thanks);
    RUN(test_apology);
    RUN(test_error);
    RUN(test_attract);
    test_cleanup(test_root);
    TEST_END();
}
