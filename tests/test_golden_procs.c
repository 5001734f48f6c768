/* test_golden_procs: the procedures, fees and directory screens rendered headless at 1280x800,
 * 1920x1080 and portrait 1080x1920 on a fixed fake clock, compared with tests/golden/ (golden.c).
 * Update on purpose: HAILONG_UPDATE_GOLDEN=1 ctest -R test_golden, then look at every PNG. */
#include <SDL.h>
#include <ftw.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "screens.h"
#include "golden.h"
#include "test.h"
#include "util.h"

static char root[PATH_MAX];
static int dir_counter;
static int64_t t0; /* 2026-11-26T09:30 Vietnam time: a Thursday */

static const struct {
    int w, h;
} sizes[] = {{1280, 800}, {1920, 1080}, {1080, 1920}};

static app *open_app(hl_clock *clock, int w, int h)
{
    cfg c;
    cfg_defaults(&c);
    char dir[PATH_MAX];
    if (util_fmt(dir, sizeof dir, "%s/k%d", root, ++dir_counter) != 0 || mkdir(dir, 0755) != 0) {
        perror(dir);
        return NULL;
    }
    util_strlcpy(c.data_dir, dir, sizeof c.data_dir);
    c.mode = CFG_MODE_LOBBY;
    c.width = w;
    c.height = h;
    *clock = clk_fake(t0);
    app_opts o = {.clock = clock, .headless = 1, .screens = scr_table};
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

static void shoot(const char *name, setup_fn setup)
{
    for (size_t i = 0; i < HL_ARRAY_LEN(sizes); i++) {
        hl_clock clock;
        app *a = open_app(&clock, sizes[i].w, sizes[i].h);
        REQUIRE(a != NULL);
        REQUIRE(a->procs != NULL);
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

static void type(app *a, const char *text)
{
    for (const char *p = text; *p; p++) {
        char id[16];
        if (*p == ' ')
            util_strlcpy(id, "key-space", sizeof id);
        else
            util_fmt(id, sizeof id, "key-%c", *p);
        CHECK_INT(app_tap(a, id), 0);
    }
}

static const char *go_procs(app *a)
{
    CHECK_INT(app_tap(a, "procs"), 0);
    return "procs";
}

static const char *go_list(app *a)
{
    go_procs(a);
    CHECK_INT(app_tap(a, "field-0"), 0); /* Hộ tịch: the longest field */
    return "proc-list";
}

static const char *go_proc(app *a)
{
    go_list(a);
    CHECK_INT(app_tap(a, "proc-0"), 0); /* Đăng ký khai sinh */
    return "proc";
}

static const char *go_proc_scrolled(app *a)
{
    go_proc(a);
    CHECK_INT(app_tap(a, "down"), 0);
    return "proc";
}

static const char *go_search(app *a)
{
    go_procs(a);
    CHECK_INT(app_tap(a, "search"), 0);
    type(a, "khai sinh");
    CHECK(a->n_results > 0);
    return "search";
}

static const char *go_search_none(app *a)
{
    go_procs(a);
    CHECK_INT(app_tap(a, "search"), 0);
    type(a, "zzqx");
    CHECK_INT(a->n_results, 0);
    return "search";
}

static const char *go_fees(app *a)
{
    CHECK_INT(app_tap(a, "fees"), 0);
    return "fees";
}

static const char *go_directory(app *a)
{
    CHECK_INT(app_tap(a, "directory"), 0);
    return "directory";
}

static void test_procs(void)
{
    shoot("procs", go_procs);
}

static void test_proc_list(void)
{
    shoot("proc-list", go_list);
}

static void test_proc(void)
{
    shoot("proc", go_proc);
}

static void test_proc_scrolled(void)
{
    shoot("proc-scrolled", go_proc_scrolled);
}

static void test_search(void)
{
    shoot("search", go_search);
}

static void test_search_none(void)
{
    shoot("search-none", go_search_none);
}

static void test_fees(void)
{
    shoot("fees", go_fees);
}

static void test_directory(void)
{
    shoot("directory", go_directory);
}

int main(void)
{
    char tmpl[] = "/tmp/hl-test-golden-procs-XXXXXX";
    if (test_tmpdir(tmpl, root) != 0)
        return 1;
    if (clk_parse_local("2026-11-26T09:30", &t0) != 0) {
        fprintf(stderr, "clk_parse_local failed\n");
        return 1;
    }
    RUN(test_procs);
    RUN(test_proc_list);
    RUN(test_proc);
    RUN(test_proc_scrolled);
    RUN(test_search);
    RUN(test_search_none);
    RUN(test_fees);
    RUN(test_directory);
    test_cleanup(root);
    TEST_END();
}
