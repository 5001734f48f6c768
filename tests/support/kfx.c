/* kfx: the kiosk fixture of the UI tests, driven through the real event path on a fake clock. */
#include "kfx.h"

#include <string.h>

#include "golden.h"
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
    return 0;
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

void kfx_hold(app *a, int x, int y, int64_t ms)
{
    kfx_mouse(a, SDL_MOUSEBUTTONDOWN, x, y);
    app_advance(a, ms);
    kfx_mouse(a, SDL_MOUSEBUTTONUP, x, y);
    kfx_settle(a);
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
