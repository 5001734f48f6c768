/* test_golden_procs: the procedures, fees and directory screens rendered headless at 1280x800,
 * 1920x1080 and portrait 1080x1920 on a fixed fake clock, compared with tests/golden/ (golden.c).
 * Update on purpose: HAILONG_UPDATE_GOLDEN=1 ctest -R test_golden, then look at every PNG. */
#include <SDL.h>

#include "app.h"
#include "kfx.h"
#include "test.h"
#include "util.h"

static const struct {
    int w, h;
} sizes[] = {{1280, 800}, {1920, 1080}, {1080, 1920}};

/* Brings a fresh app to the screen to photograph; returns the screen name expected. */
typedef const char *(*setup_fn)(app *a);

static void shoot(const char *name, setup_fn setup)
{
    for (size_t i = 0; i < HL_ARRAY_LEN(sizes); i++) {
        kfx f;
        REQUIRE(kfx_open(&f, CFG_MODE_LOBBY, sizes[i].w, sizes[i].h, NULL, NULL) == 0);
        app *a = f.a;
        REQUIRE(a->procs != NULL);
        const char *want = setup(a);
        CHECK_STR(app_screen_name(a), want);
        kfx_golden(a, name, sizes[i].w, sizes[i].h);
        kfx_close(&f);
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
    kfx_type(a, "khai sinh");
    CHECK(a->n_results > 0);
    return "search";
}

static const char *go_search_none(app *a)
{
    go_procs(a);
    CHECK_INT(app_tap(a, "search"), 0);
    kfx_type(a, "zzqx");
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
    if (kfx_begin("golden-procs", NULL) != 0) /* the fake clock at 09:30 on a Thursday */
        return 1;
    RUN(test_procs);
    RUN(test_proc_list);
    RUN(test_proc);
    RUN(test_proc_scrolled);
    RUN(test_search);
    RUN(test_search_none);
    RUN(test_fees);
    RUN(test_directory);
    test_cleanup(test_root);
    TEST_END();
}
