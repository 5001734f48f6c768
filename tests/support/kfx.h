/* kfx: one kiosk for a UI test (a fresh data folder under test_root, the default config at a mode
 * and size, a fake clock, the app with every screen) and the synthetic input UI tests share. */
#ifndef HL_KFX_H
#define HL_KFX_H

#include <SDL.h>
#include <limits.h>
#include <stdint.h>

#include "app.h"

typedef struct {
    hl_clock clock; /* fake, at the run's start time unless set before kfx_start */
    cfg c;
    app_opts o; /* clock, headless and screens are kfx_start's; store_vfs, sync may be set */
    app *a;
    char db[PATH_MAX + 16]; /* <c.data_dir>/votes.db */
} kfx;

/* Starts the run: test_begin(name), and *t0 (may be NULL) gets the time every kiosk's fake clock
 * starts at, 2026-11-26T09:30 Vietnam time, a Thursday. 0, or -1 after printing why. */
int kfx_begin(const char *name, int64_t *t0);

/* The config of a new kiosk in f: the defaults, mode (desk: counter "1"), w x h, no data folder
 * yet (kfx_start makes one unless c.data_dir is set by then), the clock at the run's start. */
void kfx_config(kfx *f, cfg_mode mode, int w, int h);
/* app_create on f->c, then one update and one frame. 0, or -1 after printing why. f must stay
 * where it is while the app runs (the app keeps &f->clock). */
int kfx_start(kfx *f);
/* kfx_config, the content folder (NULL: the demo content) and SQLite VFS (NULL: the default),
 * then kfx_start. */
int kfx_open(kfx *f, cfg_mode mode, int w, int h, const char *content_dir, const char *vfs);
void kfx_close(kfx *f);

/* Compares the last frame with the reference <name>-<w>x<h>.png (golden.h); a mismatch fails the
 * running test. */
void kfx_golden(app *a, const char *name, int w, int h);

/* Whether target id is on screen now (drawn first if due), its rectangle in r (may be NULL). */
int kfx_target(app *a, const char *id, SDL_Rect *r);
int kfx_has(app *a, const char *id);
/* A left-button press (SDL_MOUSEBUTTONDOWN), release, or drag (SDL_MOUSEMOTION) at x, y. */
void kfx_mouse(app *a, Uint32 type, int x, int y);
/* Finger id down, up or moving (SDL_FINGER*) at pixel x, y. */
void kfx_finger(app *a, Uint32 type, SDL_FingerID id, int x, int y);
/* Runs what is due and draws. */
void kfx_settle(app *a);
/* Presses at x, y, holds ms (the fake clock moves on), releases, settles. */
void kfx_hold(app *a, int x, int y, int64_t ms);
/* Taps text on the on-screen keyboard ("key-<c>", "key-space"); a key not there fails the test. */
void kfx_type(app *a, const char *text);

#endif
