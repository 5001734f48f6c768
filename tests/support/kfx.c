/* kfx: the kiosk fixture of the UI tests, driven through the real event path on a fake clock. */
#include "kfx.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "admin.h"
#include "buf.h"
#include "golden.h"
#include "pin.h"
#include "screens.h"
#include "test.h"
#include "util.h"

static int64_t kfx_t0;

int kfx_begin(const char *name, int64_t *t0)
{
    if (test_begin(name) != 0)
        return -1;
    if (clk_parse_local("2026-11-26T09:30", &kfx_t0) != 0) {
        fprintf(stderr, "clk_parse_local failed\n");
        return -1;
    }
    if (t0)
        *t0 = kfx_t0;
    unsetenv("HAILONG_USB_DIR");
    return 0;
}

int kfx_main(const char *name, int64_t *t0, const test_case *cases, size_t n)
{
    if (kfx_begin(name, t0) != 0)
        return 1;
    test_run_all(cases, n);
    test_cleanup(test_root);
    return test_summary();
}

void kfx_config(kfx *f, cfg_mode mode, int w, int h)
{
    memset(f, 0, sizeof *f);
    f->clock = clk_fake(kfx_t0);
    cfg_defaults(&f->c);
    f->c.data_dir[0] = '\0';
    f->c.mode = mode;
    if (mode == CFG_MODE_DESK)
        util_strlcpy(f->c.counter, "1", sizeof f->c.counter);
    f->c.width = w;
    f->c.height = h;
}

int kfx_start(kfx *f)
{
    if (!f->c.data_dir[0])
        test_new_dir(f->c.data_dir, sizeof f->c.data_dir);
    test_path(f->db, sizeof f->db, f->c.data_dir, "votes.db");
    f->o.clock = &f->clock;
    f->o.headless = 1;
    f->o.screens = scr_table;
    char err[HL_ERR_MAX];
    if (app_create(&f->a, &f->c, &f->o, err, sizeof err) != 0) {
        fprintf(stderr, "app_create: %s\n", err);
        f->a = NULL;
        return -1;
    }
    kfx_settle(f->a);
    return 0;
}

int kfx_open(kfx *f, cfg_mode mode, int w, int h, const char *content_dir, const char *vfs)
{
    kfx_config(f, mode, w, h);
    if (content_dir)
        util_strlcpy(f->c.content_dir, content_dir, sizeof f->c.content_dir);
    f->o.store_vfs = vfs;
    return kfx_start(f);
}

void kfx_close(kfx *f)
{
    app_destroy(f->a);
    f->a = NULL;
}

void kfx_golden(app *a, const char *name, int w, int h)
{
    char full[96];
    util_fmt(full, sizeof full, "%s-%dx%d", name, w, h);
    SDL_Surface *s = app_snapshot(a);
    if (!golden_check(s, full)) {
        fprintf(stderr, "  golden mismatch: %s\n", full);
        t_cur_failed = 1;
    }
    SDL_FreeSurface(s);
}

/* What the running golden test takes its picture with (kfx_golden_main). */
static const kfx_size *shoot_sizes;
static size_t shoot_n_sizes;
static kfx_opener shoot_open;

/* The running test's shot (its test_arg) at each size. */
static void shoot(void)
{
    const kfx_shot *s = test_arg();
    for (size_t i = 0; i < shoot_n_sizes; i++) {
        int w = shoot_sizes[i].w, h = shoot_sizes[i].h;
        kfx f;
        REQUIRE(shoot_open(&f, s, w, h) == 0);
        app *a = f.a;
        CHECK_INT(a->m.w, w);
        CHECK_INT(a->m.h, h);
        if (s->setup)
            s->setup(a);
        kfx_tap_all(a, s->taps);
        CHECK_STR(app_screen_name(a), s->want);
        kfx_golden(a, s->name, w, h);
        /* A held export goes on: app_destroy cancels it and waits for its thread. */
        kfx_export_unhook();
        kfx_close(&f);
    }
}

int kfx_golden_main(const char *name, int64_t *t0, const kfx_size *sizes, size_t n_sizes,
                    kfx_opener open, const kfx_shot *shots, size_t n)
{
    if (kfx_begin(name, t0) != 0)
        return 1;
    shoot_sizes = sizes;
    shoot_n_sizes = n_sizes;
    shoot_open = open;
    for (size_t i = 0; i < n; i++) {
        test_case c = {.name = shots[i].test, .fn = shoot, .arg = &shots[i]};
        test_run_all(&c, 1);
    }
    test_cleanup(test_root);
    return test_summary();
}

int kfx_target(app *a, const char *id, SDL_Rect *r)
{
    if (a->dirty)
        app_render(a);
    return ui_target_find(&a->ui, id, r);
}

int kfx_has(app *a, const char *id)
{
    return kfx_target(a, id, NULL);
}

void kfx_mouse(app *a, Uint32 type, int x, int y)
{
    SDL_Event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = type;
    if (type == SDL_MOUSEMOTION) {
        ev.motion.state = SDL_BUTTON_LMASK;
        ev.motion.x = x;
        ev.motion.y = y;
    } else {
        ev.button.button = SDL_BUTTON_LEFT;
        ev.button.state = type == SDL_MOUSEBUTTONDOWN ? SDL_PRESSED : SDL_RELEASED;
        ev.button.clicks = 1;
        ev.button.x = x;
        ev.button.y = y;
    }
    app_handle_event(a, &ev);
}

void kfx_finger(app *a, Uint32 type, SDL_FingerID id, int x, int y)
{
    SDL_Event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = type;
    ev.tfinger.touchId = 1;
    ev.tfinger.fingerId = id;
    ev.tfinger.x = (float)x / (float)a->m.w;
    ev.tfinger.y = (float)y / (float)a->m.h;
    ev.tfinger.pressure = 1.0f;
    app_handle_event(a, &ev);
}

void kfx_settle(app *a)
{
    app_update(a);
    app_render(a);
}

static void text_collect(void *arg, const char *text, size_t len)
{
    buf_add(arg, text, len);
    buf_add(arg, "\n", 1);
}

const char *kfx_screen_text(app *a)
{
    static buf b;
    buf_free(&b);
    gfx_set_text_hook(a->gfx, text_collect, &b);
    a->dirty = 1;
    kfx_settle(a);
    gfx_set_text_hook(a->gfx, NULL, NULL);
    return buf_cstr(&b);
}

int kfx_says(app *a, const char *phrase)
{
    char *t = xstrdup(kfx_screen_text(a));
    for (char *p = t; *p; p++)
        if (*p == '\n')
            *p = ' ';
    int found = strstr(t, phrase) != NULL;
    free(t);
    return found;
}

void kfx_hold(app *a, int x, int y, int64_t ms)
{
    kfx_mouse(a, SDL_MOUSEBUTTONDOWN, x, y);
    app_advance(a, ms);
    kfx_mouse(a, SDL_MOUSEBUTTONUP, x, y);
    kfx_settle(a);
}

void kfx_tap_all(app *a, const char *ids)
{
    for (const char *p = ids; p && *p;) {
        size_t n = strcspn(p, " ");
        char id[64];
        util_fmt(id, sizeof id, "%.*s", (int)n, p);
        if (n && app_tap(a, id) != 0) {
            fprintf(stderr, "  tap %s: not on screen %s\n", id, app_screen_name(a));
            t_cur_failed = 1;
        }
        p += n + (p[n] == ' ');
    }
}

/* The screen must be want (after what); else the test fails. */
static void on_screen(app *a, const char *want, const char *what, const char *arg)
{
    if (strcmp(app_screen_name(a), want) != 0) {
        fprintf(stderr, "  %s %s: on screen %s, expected %s\n", what, arg, app_screen_name(a),
                want);
        t_cur_failed = 1;
    }
}

void kfx_tap_to(app *a, const char *ids, const char *want)
{
    kfx_tap_all(a, ids);
    on_screen(a, want, "tap", ids);
}

void kfx_switches_at(app *a, int64_t ms, const char *from, const char *to)
{
    char when[32];
    app_advance(a, ms - 1);
    util_fmt(when, sizeof when, "%lld ms", (long long)ms - 1);
    on_screen(a, from, "after", when);
    app_advance(a, 1);
    util_fmt(when, sizeof when, "%lld ms", (long long)ms);
    on_screen(a, to, "after", when);
}

void kfx_type(app *a, const char *text)
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

/* ---- the admin screens ---- */

void kfx_set_pin(app *a, const char *pin)
{
    char err[HL_ERR_MAX];
    if (pin_set(a->store, pin, clk_wall_ms(a->clock), err, sizeof err) != 0) {
        fprintf(stderr, "pin_set: %s\n", err);
        t_cur_failed = 1;
    }
}

void kfx_hold_corner(app *a, int64_t ms)
{
    kfx_hold(a, a->m.u * 4, a->m.u * 4, ms);
}

void kfx_enter_pin(app *a, const char *digits)
{
    kfx_type(a, digits);
    CHECK_INT(app_tap(a, "ok"), 0);
    CHECK(app_wait_jobs(a, 20000));
}

void kfx_open_admin(app *a, const char *pin)
{
    kfx_hold_corner(a, ADMIN_HOLD_MS);
    CHECK_STR(app_screen_name(a), "pin");
    kfx_enter_pin(a, pin);
    CHECK_STR(app_screen_name(a), "admin");
    CHECK(app_wait_jobs(a, 20000)); /* the figures */
}

void kfx_plug_usb(const char *dir, char *usb, size_t cap)
{
    test_path(usb, cap, dir, "USB");
    mkdir(usb, 0755);
    setenv("HAILONG_USB_DIR", usb, 1);
}

enum { KFX_HOLD = 1, KFX_PULL };
static atomic_int export_mode, export_reached, export_released;
static char export_usb[PATH_MAX];

/* Runs on the export's thread. */
static void export_hook(void *ctx, int64_t done, int64_t total)
{
    (void)ctx;
    (void)total;
    if (done == 0 || atomic_load(&export_reached))
        return;
    atomic_store(&export_reached, 1);
    if (atomic_load(&export_mode) == KFX_PULL) {
        test_rmtree(export_usb); /* the stick is pulled: its folder vanishes mid-export */
        return;
    }
    while (!atomic_load(&export_released))
        test_nap_ms(1);
}

static void export_arm(int mode)
{
    atomic_store(&export_mode, mode);
    atomic_store(&export_reached, 0);
    atomic_store(&export_released, 0);
    admin_set_export_hook(export_hook, NULL);
}

void kfx_export_hold(void)
{
    export_arm(KFX_HOLD);
}

void kfx_export_pull(const char *usb)
{
    util_strlcpy(export_usb, usb, sizeof export_usb);
    export_arm(KFX_PULL);
}

int kfx_export_reached(int wait_ms)
{
    int64_t end = test_mono_ms() + wait_ms;
    while (!atomic_load(&export_reached) && test_mono_ms() < end)
        test_nap_ms(1);
    return atomic_load(&export_reached);
}

void kfx_export_release(void)
{
    atomic_store(&export_released, 1);
}

void kfx_export_unhook(void)
{
    kfx_export_release();
    admin_set_export_hook(NULL, NULL);
}
