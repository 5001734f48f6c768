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

static const kfx_size sizes[] = {{1280, 800}, {1920, 1080}, {1080, 1920}};

/* The shot's mode, and its SQLite VFS: NULL, or the faulty one. */
static int open_shot(kfx *f, const kfx_shot *s, int w, int h)
{
    if (s->vfs && faultvfs_register() != 0) {
        fprintf(stderr, "faultvfs_register failed\n");
        return -1;
    }
    return kfx_open(f, s->mode, w, h, NULL, s->vfs);
}

static void thanks_positive(app *a)
{
    CHECK_INT(app_tap(a, "rate-3"), 0);
    CHECK_INT(a->thanks, THANKS_POSITIVE);
}

static void thanks_apology(app *a)
{
    kfx_tap_all(a, "rate-1 reason-cham-tre send");
    CHECK_INT(a->thanks, THANKS_APOLOGY);
}

static void thanks_error(app *a)
{
    faultvfs_set(FAULTVFS_WRITE | FAULTVFS_SYNC, SQLITE_FULL);
    CHECK_INT(app_tap(a, "rate-3"), 0);
    CHECK(faultvfs_failures() > 0);
    faultvfs_set(0, 0);
    CHECK_INT(a->thanks, THANKS_ERROR);
}

static void idle(app *a)
{
    app_advance(a, (int64_t)a->cfg.idle_timeout_s * 1000);
}

/* Each picture: {test, reference, setup, taps, screen, mode, VFS}. */
static const kfx_shot shots[] = {
    {"test_home_lobby", "home-lobby", NULL, NULL, "home", CFG_MODE_LOBBY, NULL},
    {"test_home_desk", "home-desk", NULL, NULL, "home", CFG_MODE_DESK, NULL},
    {"test_pick", "pick", NULL, "rate", "pick", CFG_MODE_LOBBY, NULL},
    {"test_rate", "rate", NULL, "rate officer-tp-hung", "rate", CFG_MODE_LOBBY, NULL},
    {"test_reasons", "reasons", NULL, "rate-1 reason-huong-dan", "reasons", CFG_MODE_DESK, NULL},
    {"test_thanks", "thanks-positive", thanks_positive, NULL, "thanks", CFG_MODE_DESK, NULL},
    {"test_apology", "thanks-apology", thanks_apology, NULL, "thanks", CFG_MODE_DESK, NULL},
    {"test_error", "thanks-error", thanks_error, NULL, "thanks", CFG_MODE_DESK, FAULTVFS_NAME},
    {"test_attract", "attract", idle, NULL, "attract", CFG_MODE_LOBBY, NULL},
    /* "Chữ to" (issue 13): the same screens with every citizen text at 150 %. */
    {"test_large_home", "large-home-lobby", NULL, "large-text", "home", CFG_MODE_LOBBY, NULL},
    {"test_large_desk", "large-home-desk", NULL, "large-text", "home", CFG_MODE_DESK, NULL},
    {"test_large_pick", "large-pick", NULL, "large-text rate", "pick", CFG_MODE_LOBBY, NULL},
    {"test_large_rate", "large-rate", NULL, "large-text rate officer-tp-hung", "rate",
     CFG_MODE_LOBBY, NULL},
    {"test_large_reasons", "large-reasons", NULL, "large-text rate-1 reason-huong-dan", "reasons",
     CFG_MODE_DESK, NULL},
    {"test_large_apology", "large-apology", NULL, "large-text rate-1 send", "thanks", CFG_MODE_DESK,
     NULL},
};

int main(void)
{
    return kfx_golden_main("golden", NULL, sizes, HL_ARRAY_LEN(sizes), open_shot, shots,
                           HL_ARRAY_LEN(shots));
}
