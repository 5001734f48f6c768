/* test_golden_procs: the procedures, fees and directory screens rendered headless at 1280x800,
 * 1920x1080 and portrait 1080x1920 on a fixed fake clock, compared with tests/golden/ (golden.c).
 * Update on purpose: HAILONG_UPDATE_GOLDEN=1 ctest -R test_golden, then look at every PNG. */
#include <SDL.h>

#include "app.h"
#include "kfx.h"
#include "test.h"
#include "util.h"

static const kfx_size sizes[] = {{1280, 800}, {1920, 1080}, {1080, 1920}};

/* A kiosk on the demo content, its procedures loaded. */
static int open_shot(kfx *f, const kfx_shot *s, int w, int h)
{
    if (kfx_open(f, s->mode, w, h, NULL, s->vfs) != 0)
        return -1;
    if (f->a->procs)
        return 0;
    fprintf(stderr, "the demo procedures did not load\n");
    kfx_close(f);
    return -1;
}

static void search_found(app *a)
{
    kfx_tap_all(a, "procs search");
    kfx_type(a, "khai sinh");
    CHECK(a->n_results > 0);
}

static void search_nothing(app *a)
{
    kfx_tap_all(a, "procs search");
    kfx_type(a, "zzqx");
    CHECK_INT(a->n_results, 0);
}

/* Each picture: {test, reference, setup, taps, screen, mode, VFS}. field-0 is Hộ tịch, the longest
 * field; proc-0 in it is Đăng ký khai sinh. */
static const kfx_shot shots[] = {
    {"test_procs", "procs", NULL, "procs", "procs", CFG_MODE_LOBBY, NULL},
    {"test_proc_list", "proc-list", NULL, "procs field-0", "proc-list", CFG_MODE_LOBBY, NULL},
    {"test_proc", "proc", NULL, "procs field-0 proc-0", "proc", CFG_MODE_LOBBY, NULL},
    {"test_proc_scrolled", "proc-scrolled", NULL, "procs field-0 proc-0 down", "proc",
     CFG_MODE_LOBBY, NULL},
    {"test_search", "search", search_found, NULL, "search", CFG_MODE_LOBBY, NULL},
    {"test_search_none", "search-none", search_nothing, NULL, "search", CFG_MODE_LOBBY, NULL},
    {"test_fees", "fees", NULL, "fees", "fees", CFG_MODE_LOBBY, NULL},
    {"test_directory", "directory", NULL, "directory", "directory", CFG_MODE_LOBBY, NULL},
    /* "Chữ to" (issue 13). */
    {"test_large_procs", "large-procs", NULL, "large-text procs", "procs", CFG_MODE_LOBBY, NULL},
    {"test_large_proc", "large-proc", NULL, "large-text procs field-0 proc-0", "proc",
     CFG_MODE_LOBBY, NULL},
    {"test_large_fees", "large-fees", NULL, "large-text fees", "fees", CFG_MODE_LOBBY, NULL},
    {"test_large_directory", "large-directory", NULL, "large-text directory", "directory",
     CFG_MODE_LOBBY, NULL},
};

int main(void)
{
    return kfx_golden_main("golden-procs", NULL, sizes, HL_ARRAY_LEN(sizes), open_shot, shots,
                           HL_ARRAY_LEN(shots));
}
