/* test_procs_ui: the procedures, search, fees and directory screens driven headless through the
 * real event path with a fake clock: browsing, drag and fling scrolling, page buttons, search,
 * reading timeouts, "back" from everywhere, and the QR code decoded with zbarimg. */
#include <SDL.h>
#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "app.h"
#include "kfx.h"
#include "test.h"
#include "util.h"

/* A long, specific address (test data only), so the QR check means something. */
static const char LONG_URL[] = "https://dichvucong.gov.vn/p/home/"
                               "dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.001193";

/* --- one kiosk per test --- */

/* content_dir NULL: the demo content. */
static int fx_open_at(kfx *f, int w, int h, const char *content_dir)
{
    return kfx_open(f, CFG_MODE_LOBBY, w, h, content_dir, NULL);
}

static int fx_open(kfx *f)
{
    return fx_open_at(f, 1280, 800, NULL);
}

/* A copy of the demo content (symbolic links) without procedures.json; with url set, a real
 * procedures.json whose first procedure points there instead. Returns 0 with dir filled. */
static int make_content(char *dir, size_t cap, const char *url)
{
    cfg d;
    cfg_defaults(&d);
    test_new_dir(dir, cap);
    DIR *dp = opendir(d.content_dir);
    if (!dp)
        return -1;
    struct dirent *e;
    int rc = 0;
    char from[PATH_MAX], to[PATH_MAX];
    while ((e = readdir(dp)) != NULL) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "procedures.json") == 0)
            continue;
        if (util_fmt(from, sizeof from, "%s/%s", d.content_dir, e->d_name) != 0 ||
            util_fmt(to, sizeof to, "%s/%s", dir, e->d_name) != 0 || symlink(from, to) != 0)
            rc = -1;
    }
    closedir(dp);
    if (rc != 0 || !url)
        return rc;
    proc_set *ps = NULL;
    char err[512];
    if (util_fmt(from, sizeof from, "%s/procedures.json", d.content_dir) != 0 ||
        util_fmt(to, sizeof to, "%s/procedures.json", dir) != 0 ||
        proc_load(&ps, from, err, sizeof err) != 0) {
        fprintf(stderr, "make_content: %s\n", err);
        return -1;
    }
    free(ps->items[0].url);
    ps->items[0].url = xstrdup(url);
    rc = proc_write_json(ps, to, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "make_content: %s\n", err);
    proc_free(ps);
    return rc;
}

/* --- input and inspection --- */

/* Marks in seen[] every "proc-N" target now registered; returns how many there are. */
static int mark_rows(app *a, int *seen, size_t n)
{
    if (a->dirty)
        app_render(a);
    int k = 0;
    for (int i = 0; i < a->ui.n_targets; i++) {
        long v;
        const char *id = a->ui.targets[i].id;
        if (strncmp(id, "proc-", 5) != 0 || util_parse_int(id + 5, 0, (long)n - 1, &v) != 0)
            continue;
        seen[v] = 1;
        k++;
    }
    return k;
}

/* Pages down with "down" until it is gone, marking rows; returns the taps (-1 if it never ends). */
static int page_to_end(app *a, int *seen, size_t n)
{
    for (int taps = 0; taps < 200; taps++) {
        if (seen)
            mark_rows(a, seen, n);
        if (!kfx_has(a, "down"))
            return taps;
        if (app_tap(a, "down") != 0)
            return -1;
    }
    return -1;
}

/* The first "proc-N" target (in registration order), or -1. */
static long first_row(app *a)
{
    if (a->dirty)
        app_render(a);
    for (int i = 0; i < a->ui.n_targets; i++) {
        long v;
        if (strncmp(a->ui.targets[i].id, "proc-", 5) == 0 &&
            util_parse_int(a->ui.targets[i].id + 5, 0, 100000, &v) == 0)
            return v;
    }
    return -1;
}

static int tap_row(app *a, long i)
{
    char id[UI_ID_MAX];
    util_fmt(id, sizeof id, "proc-%ld", i);
    return app_tap(a, id);
}

static long item_index(const app *a, const char *id)
{
    const proc_item *p = proc_find(a->procs, id);
    return p ? (long)(p - a->procs->items) : -1;
}

static int near(const Uint8 *p, SDL_Color c, int tol)
{
    return abs(p[0] - c.r) <= tol && abs(p[1] - c.g) <= tol && abs(p[2] - c.b) <= tol;
}

static int is_row(const char *id)
{
    return id && strncmp(id, "proc-", 5) == 0;
}

static const Uint8 *px_at(const SDL_Surface *s, int x, int y)
{
    return (const Uint8 *)s->pixels + (size_t)y * (size_t)s->pitch + (size_t)x * 4;
}

/* 1 if row y of s has a pixel near colour c between x0 and x1 (exclusive). */
static int row_has(const SDL_Surface *s, int y, int x0, int x1, SDL_Color c, int tol)
{
    for (int x = x0; x < x1; x++)
        if (near(px_at(s, x, y), c, tol))
            return 1;
    return 0;
}

/* --- tests --- */

static void test_home_tiles(void)
{
    kfx f;
    REQUIRE(fx_open(&f) == 0);
    CHECK_STR(app_screen_name(f.a), "home");
    REQUIRE(f.a->procs != NULL);
    CHECK_INT(f.a->procs->n_items, 31);
    CHECK(kfx_has(f.a, "procs"));
    CHECK(kfx_has(f.a, "fees"));
    CHECK(kfx_has(f.a, "directory"));
    kfx_close(&f);

    /* No procedures.json: no dead entries for procedures or fees, the directory stays. */
    char dir[PATH_MAX];
    REQUIRE(make_content(dir, sizeof dir, NULL) == 0);
    REQUIRE(fx_open_at(&f, 1280, 800, dir) == 0);
    CHECK(f.a->procs == NULL);
    CHECK(!kfx_has(f.a, "procs"));
    CHECK(!kfx_has(f.a, "fees"));
    CHECK(kfx_has(f.a, "directory"));
    CHECK_INT(app_tap(f.a, "directory"), 0);
    CHECK_STR(app_screen_name(f.a), "directory");
    CHECK_INT(app_tap(f.a, "back"), 0);
    CHECK_STR(app_screen_name(f.a), "home");
    kfx_close(&f);
}

static void test_browse(void)
{
    kfx f;
    REQUIRE(fx_open(&f) == 0);
    app *a = f.a;
    const proc_set *ps = a->procs;
    REQUIRE(ps != NULL);
    kfx_tap_to(a, "procs", "procs");
    /* Every field's list shows exactly that field's procedures. */
    for (size_t fi = 0; fi < ps->n_fields; fi++) {
        char id[UI_ID_MAX];
        util_fmt(id, sizeof id, "field-%zu", fi);
        CHECK_INT(app_tap(a, id), 0);
        CHECK_STR(app_screen_name(a), "proc-list");
        CHECK_INT(a->proc_field, fi);
        int seen[256] = {0};
        REQUIRE(ps->n_items <= HL_ARRAY_LEN(seen));
        CHECK(page_to_end(a, seen, ps->n_items) >= 0);
        size_t n = 0;
        for (size_t i = 0; i < ps->n_items; i++) {
            if (seen[i] != (ps->items[i].field == fi))
                fprintf(stderr, "field %zu: proc-%zu %s\n", fi, i,
                        seen[i] ? "listed but not in the field" : "in the field but not listed");
            CHECK_INT(seen[i], ps->items[i].field == fi);
            n += (size_t)seen[i];
        }
        CHECK_INT(n, ps->fields[fi].n_items);
        kfx_tap_to(a, "back", "procs");
    }

    /* Open a procedure from further down the list; back keeps the place. */
    CHECK_INT(app_tap(a, "field-0"), 0);
    CHECK(!kfx_has(a, "up")); /* at the top: no page-up button */
    REQUIRE(kfx_has(a, "down"));
    CHECK_INT(app_tap(a, "down"), 0);
    CHECK(kfx_has(a, "up"));
    double offset = a->scroll.offset;
    CHECK(offset > 0);
    long row = first_row(a);
    REQUIRE(row >= 0);
    CHECK(row != 0); /* the first row has scrolled out */
    CHECK_INT(tap_row(a, row), 0);
    CHECK_STR(app_screen_name(a), "proc");
    CHECK_INT(a->proc_item, row);
    CHECK_INT(ps->items[row].field, 0);
    kfx_tap_to(a, "back", "proc-list");
    kfx_settle(a);
    CHECK(a->scroll.offset == offset);
    CHECK_INT(first_row(a), row);
    kfx_tap_to(a, "back", "procs");
    kfx_tap_to(a, "back", "home");
    kfx_close(&f);
}

static void test_drag(void)
{
    kfx f;
    REQUIRE(fx_open(&f) == 0);
    app *a = f.a;
    kfx_tap_to(a, "procs field-0", "proc-list");
    kfx_settle(a);
    SDL_Rect v = a->scroll_view;
    REQUIRE(v.h > 0);
    REQUIRE(scroll_max(&a->scroll) > 400);
    int x = v.x + v.w / 2, y = v.y + v.h * 3 / 4;
    REQUIRE(a->ui.n_targets > 0);
    REQUIRE(is_row(ui_target_at(&a->ui, x, y))); /* pressing on a row */

    /* Slow drag up 200 px, a rest, then release: the list follows the finger exactly. */
    kfx_mouse(a, SDL_MOUSEBUTTONDOWN, x, y);
    for (int i = 1; i <= 10; i++) {
        clk_advance(&f.clock, 16);
        kfx_mouse(a, SDL_MOUSEMOTION, x, y - 20 * i);
        kfx_settle(a);
    }
    CHECK_INT(scroll_pos(&a->scroll), 200);
    clk_advance(&f.clock, 300);
    kfx_mouse(a, SDL_MOUSEBUTTONUP, x, y - 200);
    kfx_settle(a);
    CHECK_STR(app_screen_name(a), "proc-list");
    CHECK_INT(scroll_pos(&a->scroll), 200);
    app_advance(a, 1000); /* the finger rested: no fling */
    CHECK_INT(scroll_pos(&a->scroll), 200);

    /* Down and back up to where it started, released over the same row: a drag, not a tap. */
    REQUIRE(is_row(ui_target_at(&a->ui, x, y)));
    kfx_mouse(a, SDL_MOUSEBUTTONDOWN, x, y);
    for (int i = 1; i <= 5; i++) {
        clk_advance(&f.clock, 16);
        kfx_mouse(a, SDL_MOUSEMOTION, x, y + 20 * i);
    }
    CHECK_INT(scroll_pos(&a->scroll), 100);
    for (int i = 4; i >= 0; i--) {
        clk_advance(&f.clock, 16);
        kfx_mouse(a, SDL_MOUSEMOTION, x, y + 20 * i);
    }
    clk_advance(&f.clock, 300);
    kfx_mouse(a, SDL_MOUSEBUTTONUP, x, y);
    kfx_settle(a);
    CHECK_STR(app_screen_name(a), "proc-list");
    CHECK_INT(scroll_pos(&a->scroll), 200);

    /* Control: a plain press and release there does open the row. */
    const char *under = ui_target_at(&a->ui, x, y);
    REQUIRE(is_row(under));
    long want;
    REQUIRE(util_parse_int(under + 5, 0, 1000, &want) == 0);
    kfx_mouse(a, SDL_MOUSEBUTTONDOWN, x, y);
    kfx_mouse(a, SDL_MOUSEBUTTONUP, x, y);
    kfx_settle(a);
    CHECK_STR(app_screen_name(a), "proc");
    CHECK_INT(a->proc_item, want);
    kfx_close(&f);
}

static void test_fling(void)
{
    kfx f;
    REQUIRE(fx_open(&f) == 0);
    app *a = f.a;
    kfx_tap_all(a, "procs field-0");
    kfx_settle(a);
    SDL_Rect v = a->scroll_view;
    int x = v.x + v.w / 2, y = v.y + v.h * 3 / 4;
    /* 1.5 px/ms upwards, lifted while moving. */
    kfx_mouse(a, SDL_MOUSEBUTTONDOWN, x, y);
    for (int i = 2; i <= 5; i++) {
        clk_advance(&f.clock, 10);
        kfx_mouse(a, SDL_MOUSEMOTION, x, y - 15 * i);
    }
    kfx_mouse(a, SDL_MOUSEBUTTONUP, x, y - 75);
    CHECK_STR(app_screen_name(a), "proc-list");
    int released = scroll_pos(&a->scroll);
    CHECK_INT(released, 75);
    int prev = released, moving_steps = 0, stopped_at = -1;
    for (int step = 0; step < 400 && stopped_at < 0; step++) {
        app_advance(a, 16);
        int pos = scroll_pos(&a->scroll);
        CHECK(pos >= prev); /* never back */
        if (pos > prev)
            moving_steps++;
        else if (a->scroll.velocity == 0)
            stopped_at = step;
        prev = pos;
    }
    fprintf(stderr, "fling: released at %d, rested at %d after %d moving frames\n", released, prev,
            moving_steps);
    CHECK(stopped_at > 0);
    CHECK(moving_steps >= 20);
    CHECK(prev - released > 250); /* about v * 325 ms = 480 px */
    CHECK(prev - released < 800);
    CHECK(prev < scroll_max(&a->scroll));
    /* At rest no more frames are drawn. */
    uint64_t frames = a->frames;
    app_advance(a, 5000);
    CHECK_INT(a->frames, frames);
    CHECK_INT(scroll_pos(&a->scroll), prev);
    CHECK_STR(app_screen_name(a), "proc-list");
    kfx_close(&f);
}

/* The last heading of the document, "Dịch vụ công trực tuyến", and the paragraph under it are
 * inside the view once "down" has run out. Checked on the pixels: headings are the only text in
 * the primary colour there. */
static void check_document_end(app *a, const char *name)
{
    SDL_Rect v = a->scroll_view;
    SDL_Surface *s = app_snapshot(a);
    REQUIRE(s != NULL);
    int last_top = -1, last_bottom = -1, in_run = 0;
    for (int y = v.y; y < v.y + v.h; y++) {
        int on = row_has(s, y, v.x, v.x + v.w, UI_PRIMARY, 12);
        if (on && !in_run)
            last_top = y;
        if (on)
            last_bottom = y;
        in_run = on;
    }
    REQUIRE(last_top > v.y); /* a heading, not cut by the top edge */
    int minx = v.x + v.w, maxx = -1;
    for (int y = last_top; y <= last_bottom; y++)
        for (int x = v.x; x < v.x + v.w; x++)
            if (near(px_at(s, x, y), UI_PRIMARY, 12)) {
                if (x < minx)
                    minx = x;
                if (x > maxx)
                    maxx = x;
            }
    int want = gfx_text_width(a->gfx, GFX_BOLD, a->m.u * 3 + a->m.u / 2, "Dịch vụ công trực tuyến");
    fprintf(stderr, "%s: last heading at y %d..%d, %d px wide (text %d px)\n", name, last_top,
            last_bottom, maxx - minx + 1, want);
    CHECK(abs(maxx - minx + 1 - want) <= 8);
    /* The paragraph under it is drawn, and after it only the bottom margin. */
    int text_rows = 0, last_text = -1;
    for (int y = last_bottom + 1; y < v.y + v.h; y++)
        if (row_has(s, y, v.x, v.x + v.w, UI_TEXT, 12))
            text_rows++, last_text = y;
    CHECK(text_rows >= a->m.u);
    CHECK(last_text < v.y + v.h - a->m.u * 2);
    SDL_FreeSurface(s);
}

static void test_document_pages(void)
{
    static const struct {
        int w, h;
    } sizes[] = {{1280, 800}, {1080, 1920}};
    for (size_t k = 0; k < HL_ARRAY_LEN(sizes); k++) {
        kfx f;
        REQUIRE(fx_open_at(&f, sizes[k].w, sizes[k].h, NULL) == 0);
        app *a = f.a;
        long item = item_index(a, "dang-ky-khai-sinh");
        REQUIRE(item >= 0);
        kfx_tap_all(a, "procs field-0");
        CHECK_INT(tap_row(a, item), 0);
        CHECK_STR(app_screen_name(a), "proc");
        kfx_settle(a);
        CHECK(!kfx_has(a, "up"));
        CHECK(kfx_has(a, "down"));
        CHECK(scroll_max(&a->scroll) > a->scroll_view.h); /* more than two screens */
        int taps = page_to_end(a, NULL, 0);
        CHECK(taps >= 2);
        CHECK(!scroll_can_down(&a->scroll));
        CHECK_INT(scroll_pos(&a->scroll), scroll_max(&a->scroll));
        CHECK(kfx_has(a, "up"));
        char name[32];
        util_fmt(name, sizeof name, "%dx%d", sizes[k].w, sizes[k].h);
        check_document_end(a, name);
        /* "up" as many times brings the top back. */
        int ups = 0;
        while (kfx_has(a, "up") && ups < 100) {
            CHECK_INT(app_tap(a, "up"), 0);
            ups++;
        }
        CHECK_INT(ups, taps);
        CHECK_INT(scroll_pos(&a->scroll), 0);
        CHECK(!scroll_can_up(&a->scroll));
        CHECK_STR(app_screen_name(a), "proc");
        kfx_close(&f);
    }
}

/* proc_search's first result for q, or -1. */
static long search_first(app *a, const char *q)
{
    size_t out[APP_MAX_RESULTS];
    int n = proc_search(app_search_index(a), q, out, APP_MAX_RESULTS);
    return n > 0 ? (long)out[0] : -1;
}

/* 1 if every result of sub is a result of super. */
static int results_subset(app *a, const char *sub, const char *super)
{
    size_t x[APP_MAX_RESULTS], y[APP_MAX_RESULTS];
    int nx = proc_search(app_search_index(a), sub, x, APP_MAX_RESULTS);
    int ny = proc_search(app_search_index(a), super, y, APP_MAX_RESULTS);
    for (int i = 0; i < nx; i++) {
        int found = 0;
        for (int j = 0; j < ny; j++)
            found |= x[i] == y[j];
        if (!found)
            return 0;
    }
    return 1;
}

static void test_search(void)
{
    kfx f;
    REQUIRE(fx_open(&f) == 0);
    app *a = f.a;
    long ks = item_index(a, "dang-ky-khai-sinh"), cs = item_index(a, "chung-thuc-ban-sao");
    REQUIRE(ks >= 0 && cs >= 0);
    kfx_tap_to(a, "procs search", "search");
    CHECK_STR(a->query, "");
    CHECK_INT(a->n_results, 0);

    kfx_type(a, "dang ky khai sinh");
    CHECK_STR(a->query, "dang ky khai sinh");
    REQUIRE(a->n_results > 0);
    CHECK_INT(a->results[0], ks);
    CHECK_INT(first_row(a), ks); /* drawn first, as a target */

    /* Capitals and diacritics fold to the same search, through the screen too. */
    util_strlcpy(a->query, "DANG KY KHAI SIN", sizeof a->query);
    CHECK_INT(app_tap(a, "key-h"), 0);
    CHECK_STR(a->query, "DANG KY KHAI SINh");
    REQUIRE(a->n_results > 0);
    CHECK_INT(a->results[0], ks);
    util_strlcpy(a->query, "Đăng ký khai sin", sizeof a->query);
    CHECK_INT(app_tap(a, "key-h"), 0);
    REQUIRE(a->n_results > 0);
    CHECK_INT(a->results[0], ks);
    CHECK_INT(search_first(a, "DANG KY KHAI SINH"), ks);
    CHECK_INT(search_first(a, "Đăng ký khai sinh"), ks);
    CHECK_INT(search_first(a, "ĐĂNG KÝ KHAI SINH"), ks);

    /* đ = d: "dang" finds "Đăng ...", and the highlight covers "Đăng" as shown. */
    CHECK_INT(app_tap(a, "key-clear"), 0);
    CHECK_STR(a->query, "");
    CHECK_INT(a->n_results, 0);
    kfx_type(a, "dang");
    int found = 0;
    for (int i = 0; i < a->n_results && i < APP_MAX_RESULTS; i++)
        found |= a->results[i] == (size_t)ks;
    CHECK(found);
    size_t st[4], ln[4];
    CHECK_INT(proc_match_spans("Đăng ký khai sinh", "dang", st, ln, 4), 1);
    CHECK_INT(st[0], 0);
    CHECK_INT(ln[0], strlen("Đăng"));

    /* Two words: both must match (fewer results than either word alone). */
    CHECK_INT(app_tap(a, "key-clear"), 0);
    kfx_type(a, "chung thuc");
    int n_both = a->n_results;
    CHECK(n_both > 0);
    found = 0;
    for (int i = 0; i < n_both && i < APP_MAX_RESULTS; i++)
        found |= a->results[i] == (size_t)cs;
    CHECK(found);
    size_t tmp[APP_MAX_RESULTS];
    CHECK(n_both < proc_search(app_search_index(a), "chung", tmp, APP_MAX_RESULTS));
    CHECK(n_both < proc_search(app_search_index(a), "thuc", tmp, APP_MAX_RESULTS));
    CHECK(results_subset(a, "chung thuc", "chung"));
    CHECK(results_subset(a, "chung thuc", "thuc"));

    /* key-back and key-space. */
    CHECK_INT(app_tap(a, "key-back"), 0);
    CHECK_STR(a->query, "chung thu");
    for (int i = 0; i < 4; i++)
        CHECK_INT(app_tap(a, "key-back"), 0);
    CHECK_STR(a->query, "chung");
    CHECK_INT(a->n_results, proc_search(app_search_index(a), "chung", tmp, APP_MAX_RESULTS));
    CHECK_INT(app_tap(a, "key-space"), 0);
    CHECK_INT(app_tap(a, "key-space"), 0); /* a second space is not added */
    CHECK_STR(a->query, "chung ");
    CHECK_INT(app_tap(a, "key-clear"), 0);
    CHECK_INT(app_tap(a, "key-space"), 0); /* nor a leading one */
    CHECK_INT(app_tap(a, "key-back"), 0);  /* nor does back on nothing break anything */
    CHECK_STR(a->query, "");
    kfx_type(a, "2014");
    CHECK_STR(a->query, "2014");

    /* A result opens its procedure; back returns to the same search. */
    CHECK_INT(app_tap(a, "key-clear"), 0);
    kfx_type(a, "khai sinh");
    int n = a->n_results;
    REQUIRE(n > 1);
    long second = (long)a->results[1];
    CHECK_INT(tap_row(a, second), 0);
    CHECK_STR(app_screen_name(a), "proc");
    CHECK_INT(a->proc_item, second);
    kfx_tap_to(a, "back", "search");
    CHECK_STR(a->query, "khai sinh");
    CHECK_INT(a->n_results, n);
    CHECK_INT(a->results[1], second);
    kfx_tap_to(a, "back", "procs");
    kfx_close(&f);
}

/* Issue 13: at 1280x800 at least four results show whole above the keyboard; "khai tu" puts
 * "Đăng ký khai tử" first (a whole word above "tuổi"). */
static void test_search_room(void)
{
    kfx f;
    REQUIRE(fx_open(&f) == 0);
    app *a = f.a;
    kfx_tap_to(a, "procs search", "search");
    kfx_type(a, "khai");
    REQUIRE(a->n_results >= 5);
    SDL_Rect first, r, key;
    char id[32];
    REQUIRE(kfx_target(a, "key-1", &key));
    for (int k = 0; k < 4; k++) {
        util_fmt(id, sizeof id, "proc-%zu", a->results[k]);
        CHECK(kfx_target(a, id, &r));
        if (k == 0)
            first = r;
        CHECK_INT(r.h, first.h);         /* whole, not cut by the view */
        CHECK(r.y + r.h <= key.y);       /* above the keyboard */
        CHECK(r.h * 800 >= 40 * a->m.h); /* still a finger's size */
    }
    CHECK_INT(app_tap(a, "key-clear"), 0);
    kfx_type(a, "khai tu");
    REQUIRE(a->n_results >= 2);
    CHECK_INT(a->results[0], item_index(a, "dang-ky-khai-tu"));
    kfx_close(&f);
}

static void test_search_nothing(void)
{
    static const struct {
        int w, h;
    } sizes[] = {{1280, 800}, {1080, 1920}};
    for (size_t k = 0; k < HL_ARRAY_LEN(sizes); k++) {
        kfx f;
        REQUIRE(fx_open_at(&f, sizes[k].w, sizes[k].h, NULL) == 0);
        app *a = f.a;
        kfx_tap_all(a, "procs search");
        kfx_type(a, "zzqx");
        CHECK_STR(a->query, "zzqx");
        CHECK_INT(a->n_results, 0);
        CHECK_INT(first_row(a), -1);
        CHECK(!kfx_has(a, "down"));
        /* The message: muted text, centred, on two lines, between the query box and the keys. */
        SDL_Rect back, key1, browse;
        REQUIRE(kfx_target(a, "back", &back));
        REQUIRE(kfx_target(a, "key-1", &key1));
        int top = back.y + back.h + a->m.u * 13, bottom = key1.y - a->m.u;
        SDL_Surface *s = app_snapshot(a);
        REQUIRE(s != NULL);
        int lines = 0, in_run = 0, minx = a->m.w, maxx = -1;
        for (int y = top; y < bottom; y++) {
            int on = 0;
            for (int x = 0; x < a->m.w; x++)
                if (near(px_at(s, x, y), UI_TEXT_MUTED, 10)) {
                    on = 1;
                    if (x < minx)
                        minx = x;
                    if (x > maxx)
                        maxx = x;
                }
            if (on && !in_run)
                lines++;
            in_run = on;
        }
        SDL_FreeSurface(s);
        fprintf(stderr, "no result at %dx%d: %d text runs, x %d..%d\n", sizes[k].w, sizes[k].h,
                lines, minx, maxx);
        CHECK(lines >= 2);
        CHECK(abs(minx - (a->m.w - 1 - maxx)) < a->m.u * 4); /* centred */
        /* ... and the way out it offers: under the message where there is room (portrait), on
         * the keyboard's last row always. */
        REQUIRE(kfx_target(a, "browse", &browse));
        if (!a->m.landscape)
            CHECK(browse.y + browse.h < key1.y);
        kfx_tap_to(a, "browse", "procs");
        kfx_close(&f);
    }
}

static void test_fees(void)
{
    kfx f;
    REQUIRE(fx_open(&f) == 0);
    app *a = f.a;
    size_t n = a->procs->n_items;
    kfx_tap_to(a, "fees", "fees");
    int seen[256] = {0};
    REQUIRE(n <= HL_ARRAY_LEN(seen));
    int taps = page_to_end(a, seen, n);
    CHECK(taps > 3);
    CHECK(!scroll_can_down(&a->scroll));
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!seen[i])
            fprintf(stderr, "fees: proc-%zu (%s) never shown\n", i, a->procs->items[i].id);
        k += (size_t)seen[i];
    }
    CHECK_INT(k, n);

    /* A row at the end opens its procedure; back returns to the same place. */
    double offset = a->scroll.offset;
    long row = first_row(a);
    REQUIRE(row >= 0);
    CHECK_INT(tap_row(a, row), 0);
    CHECK_STR(app_screen_name(a), "proc");
    CHECK_INT(a->proc_item, row);
    kfx_tap_to(a, "back", "fees");
    kfx_settle(a);
    CHECK(a->scroll.offset == offset);
    kfx_tap_to(a, "back", "home");
    /* Entered afresh from Home: the top. */
    CHECK_INT(app_tap(a, "fees"), 0);
    kfx_settle(a);
    CHECK_INT(scroll_pos(&a->scroll), 0);
    kfx_close(&f);
}

static void test_directory(void)
{
    kfx f;
    REQUIRE(fx_open(&f) == 0);
    app *a = f.a;
    kfx_tap_to(a, "directory", "directory");
    kfx_settle(a);
    CHECK(a->content->n_officers >= 5);
    /* The hotline and every officer do not fit one screen: the list scrolls to its end. */
    CHECK(a->scroll.content_h > a->scroll_view.h);
    CHECK(!kfx_has(a, "up"));
    int taps = page_to_end(a, NULL, 0);
    CHECK(taps >= 1);
    CHECK_INT(scroll_pos(&a->scroll), scroll_max(&a->scroll));
    CHECK_INT(scroll_pos(&a->scroll), a->scroll.content_h - a->scroll_view.h);
    /* Each officer card shows at least the photo (placeholder) height: the extent grows with the
     * officers, so none is left out of it. */
    CHECK(a->scroll.content_h > (int)a->content->n_officers * a->m.u * 16);
    kfx_tap_to(a, "back", "home");
    kfx_close(&f);
}

/* Brings a fresh kiosk from Home to screen name. */
static void go(app *a, const char *name)
{
    if (strcmp(name, "procs") == 0 || strcmp(name, "fees") == 0 || strcmp(name, "directory") == 0) {
        CHECK_INT(app_tap(a, name), 0);
    } else if (strcmp(name, "proc-list") == 0 || strcmp(name, "proc") == 0) {
        kfx_tap_all(a, "procs field-0");
        if (strcmp(name, "proc") == 0)
            CHECK_INT(app_tap(a, "proc-0"), 0);
    } else if (strcmp(name, "search") == 0) {
        kfx_tap_all(a, "procs search");
        kfx_type(a, "ho");
    }
    CHECK_STR(app_screen_name(a), name);
}

static const char *const reading[] = {"procs", "proc-list", "proc", "search", "fees", "directory"};

static void test_reading_timeout(void)
{
    for (size_t i = 0; i < HL_ARRAY_LEN(reading); i++) {
        kfx f;
        REQUIRE(fx_open(&f) == 0);
        app *a = f.a;
        int64_t rt = (int64_t)f.c.reading_timeout_s * 1000;
        int64_t st = (int64_t)f.c.screen_timeout_s * 1000;
        REQUIRE(rt > st + 2000);
        go(a, reading[i]);
        /* Longer than an ordinary inner screen's timeout: people read here. */
        app_advance(a, st + 1000);
        CHECK_STR(app_screen_name(a), reading[i]);
        /* A touch (on the header, where nothing is) starts the wait again. */
        app_tap_xy(a, a->m.w / 2, a->m.u * 4);
        kfx_settle(a);
        CHECK_STR(app_screen_name(a), reading[i]);
        app_advance(a, rt - 1);
        if (strcmp(app_screen_name(a), reading[i]) != 0)
            fprintf(stderr, "%s left before reading_timeout\n", reading[i]);
        CHECK_STR(app_screen_name(a), reading[i]);
        app_advance(a, 1);
        CHECK_STR(app_screen_name(a), "home");
        /* Home is shown (reading_timeout outlasts idle_timeout), then attract as usual. */
        kfx_switches_at(a, (int64_t)f.c.idle_timeout_s * 1000, "home", "attract");
        kfx_close(&f);
    }
}

static void test_back_everywhere(void)
{
    static const struct {
        int w, h;
    } sizes[] = {{1280, 800}, {1080, 1920}};
    for (size_t k = 0; k < HL_ARRAY_LEN(sizes); k++)
        for (size_t i = 0; i < HL_ARRAY_LEN(reading); i++) {
            kfx f;
            REQUIRE(fx_open_at(&f, sizes[k].w, sizes[k].h, NULL) == 0);
            app *a = f.a;
            go(a, reading[i]);
            int taps = 0;
            while (strcmp(app_screen_name(a), "home") != 0 && taps < 5) {
                SDL_Rect r;
                if (!kfx_target(a, "back", &r)) {
                    fprintf(stderr, "%s: no back button\n", app_screen_name(a));
                    break;
                }
                /* Fully on the glass, large enough for a finger. */
                CHECK(r.x >= 0 && r.y >= 0 && r.x + r.w <= a->m.w && r.y + r.h <= a->m.h);
                CHECK(r.h >= a->m.u * 8);
                CHECK_INT(app_tap(a, "back"), 0);
                taps++;
            }
            if (strcmp(app_screen_name(a), "home") != 0)
                fprintf(stderr, "%dx%d: from %s, back does not reach home\n", sizes[k].w,
                        sizes[k].h, reading[i]);
            CHECK_STR(app_screen_name(a), "home");
            CHECK(taps <= 3);
            kfx_close(&f);
        }
}

/* 1 if prog is an executable file in a $PATH directory. */
static int in_path(const char *prog)
{
    const char *path = getenv("PATH");
    if (!path)
        return 0;
    char dir[PATH_MAX], full[PATH_MAX];
    while (*path) {
        size_t n = strcspn(path, ":");
        if (n > 0 && n < sizeof dir) {
            memcpy(dir, path, n);
            dir[n] = '\0';
            if (util_fmt(full, sizeof full, "%s/%s", dir, prog) == 0 && access(full, X_OK) == 0)
                return 1;
        }
        path += n;
        if (*path == ':')
            path++;
    }
    return 0;
}

/* Decodes the QR codes in a PNG with zbarimg; returns its output (trailing newline removed). */
static int zbar_decode(const char *png, char *out, size_t cap)
{
    /* Its stderr (library chatter about D-Bus and the like) goes to a file, shown on failure. */
    char cmd[3 * PATH_MAX], errf[PATH_MAX];
    if (util_fmt(errf, sizeof errf, "%s.stderr", png) != 0 ||
        util_fmt(cmd, sizeof cmd, "zbarimg --raw -q '%s' 2>'%s'", png, errf) != 0)
        return -1;
    int rc = test_capture_to(cmd, out, cap);
    size_t n = strlen(out);
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
        out[--n] = '\0';
    if (rc != 0) {
        char *msg = util_read_file(errf, NULL);
        fprintf(stderr, "zbarimg %s: exit status %d: %s\n", png, rc, msg ? msg : "");
        free(msg);
    }
    return rc == 0 ? 0 : -1;
}

static void test_qr(void)
{
    if (!in_path("zbarimg")) {
        fprintf(stderr, "zbarimg is not installed: run scripts/deps.sh --test (Debian package "
                        "zbar-tools) to check the QR codes\n");
        t_cur_failed = 1;
        return;
    }
    char dir[PATH_MAX];
    REQUIRE(make_content(dir, sizeof dir, LONG_URL) == 0);
    static const struct {
        int w, h;
    } sizes[] = {{1280, 800}, {1920, 1080}, {1080, 1920}};
    for (size_t k = 0; k < HL_ARRAY_LEN(sizes); k++) {
        kfx f;
        REQUIRE(fx_open_at(&f, sizes[k].w, sizes[k].h, dir) == 0);
        app *a = f.a;
        REQUIRE(a->procs != NULL);
        CHECK_STR(a->procs->items[0].url, LONG_URL);
        kfx_tap_to(a, "procs field-0 proc-0", "proc");
        char png[PATH_MAX], got[1024];
        util_fmt(png, sizeof png, "%s/qr-%dx%d.png", test_root, sizes[k].w, sizes[k].h);
        REQUIRE(app_save_png(a, png) == 0);
        int rc = zbar_decode(png, got, sizeof got);
        if (rc != 0 || strcmp(got, LONG_URL) != 0)
            fprintf(stderr, "%dx%d: zbarimg %s: \"%s\"\n", sizes[k].w, sizes[k].h,
                    rc ? "failed" : "read", got);
        CHECK_INT(rc, 0);
        CHECK_STR(got, LONG_URL);
        /* Another procedure, another code (the cached texture is replaced). */
        kfx_tap_to(a, "back proc-2", "proc");
        REQUIRE(app_save_png(a, png) == 0);
        CHECK_INT(zbar_decode(png, got, sizeof got), 0);
        /* No url of its own: its page on the national portal, by its code (issue 13: every
         * sample QR opened the portal's home page). */
        char want[1024];
        CHECK_INT(proc_qr_target(&a->procs->items[2], want, sizeof want), PROC_QR_BY_CODE);
        CHECK_STR(a->procs->items[2].url, "");
        CHECK_CONTAINS(want, "?ma_thu_tuc=");
        CHECK_STR(got, want);
        kfx_close(&f);
    }
}

/* SDL's text input (which may open a compositor's on-screen keyboard) stays off everywhere but
 * on the feedback form's text and contact screens (tests/feedback): search has its own on-screen
 * keyboard (screen.takes_text). */
static void test_text_input_off(void)
{
    kfx f;
    REQUIRE(fx_open(&f) == 0);
    app *a = f.a;
    CHECK(!SDL_IsTextInputActive()); /* on Home, although SDL turns it on at start */
    kfx_tap_to(a, "procs search", "search");
    CHECK(!a->screens[SCR_SEARCH]->takes_text);
    CHECK(!SDL_IsTextInputActive());
    SDL_StartTextInput(); /* as if something had turned it on: leaving a screen turns it off */
    kfx_tap_to(a, "back", "procs");
    CHECK(!SDL_IsTextInputActive());
    for (int i = 0; i < SCR_COUNT; i++)
        CHECK(!a->screens[i]->takes_text == (i != SCR_FB_TEXT && i != SCR_FB_CONTACT));
    kfx_close(&f);
}

static const test_case cases[] = {
    TEST(test_home_tiles),  TEST(test_browse),          TEST(test_drag),
    TEST(test_fling),       TEST(test_document_pages),  TEST(test_search),
    TEST(test_search_room), TEST(test_search_nothing),  TEST(test_fees),
    TEST(test_directory),   TEST(test_reading_timeout), TEST(test_back_everywhere),
    TEST(test_qr),          TEST(test_text_input_off)};

int main(void)
{
    return kfx_main("procs", NULL, cases, HL_ARRAY_LEN(cases));
}
