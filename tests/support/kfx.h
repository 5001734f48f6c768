/* kfx: one kiosk for a UI test (a fresh data folder under test_root, the default config at a mode
 * and size, a fake clock, the app with every screen), the synthetic input UI tests share, and the
 * steps of the admin tests (PIN, USB stick, a held or pulled export). */
#ifndef HL_KFX_H
#define HL_KFX_H

#include <SDL.h>
#include <limits.h>
#include <stdint.h>

#include "app.h"
#include "test.h"

typedef struct {
    hl_clock clock; /* fake, at the run's start time unless set before kfx_start */
    cfg c;
    app_opts o; /* clock, headless and screens are kfx_start's; store_vfs, sync may be set */
    app *a;
    char db[PATH_MAX + 16]; /* <c.data_dir>/votes.db */
} kfx;

/* Starts the run: test_begin(name), and *t0 (may be NULL) gets the time every kiosk's fake clock
 * starts at, 2026-11-26T09:30 Vietnam time, a Thursday. HAILONG_USB_DIR is unset, so that no
 * admin export finds a folder from the environment. 0, or -1 after printing why. */
int kfx_begin(const char *name, int64_t *t0);
/* A UI test program: kfx_begin(name, t0), the table, test_root removed; the exit code. */
int kfx_main(const char *name, int64_t *t0, const test_case *cases, size_t n);

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
/* Every line of text the current screen draws, each followed by '\n' (a fresh frame is drawn for
 * it); valid until the next call. */
const char *kfx_screen_text(app *a);
/* Whether the current screen draws phrase, its lines joined by spaces (a wrapped sentence is
 * found whole). */
int kfx_says(app *a, const char *phrase);
/* Presses at x, y, holds ms (the fake clock moves on), releases, settles. */
void kfx_hold(app *a, int x, int y, int64_t ms);
/* Taps the targets in ids, separated by spaces, in order; a target not there fails the test. */
void kfx_tap_all(app *a, const char *ids);
/* kfx_tap_all, after which the kiosk must be on screen want; if not, the test fails. */
void kfx_tap_to(app *a, const char *ids, const char *want);
/* Time runs on: ms - 1 later the kiosk must still be on screen from, 1 ms more and on screen to;
 * if not, the test fails. */
void kfx_switches_at(app *a, int64_t ms, const char *from, const char *to);
/* Taps text on the on-screen keyboard ("key-<c>", "key-space"); a key not there fails the test. */
void kfx_type(app *a, const char *text);

/* ---- golden pictures ---- */

/* A picture: the test that takes it (the name it is reported by) and the reference's name; the
 * way to it from a fresh kiosk, setup (may be NULL) then the targets in taps (kfx_tap_all; may be
 * NULL); the screen it must then be on; the kiosk's mode and SQLite VFS (what the test program's
 * opener makes of them). */
typedef struct {
    const char *test, *name;
    void (*setup)(app *a);
    const char *taps, *want;
    cfg_mode mode;
    const char *vfs;
} kfx_shot;

typedef struct {
    int w, h;
} kfx_size;

/* Opens f at w x h for shot s; 0, or -1 after printing why. */
typedef int (*kfx_opener)(kfx *f, const kfx_shot *s, int w, int h);

/* A golden test program: kfx_begin(name, t0), then each of the n shots as a test of its own,
 * taken at each size: a kiosk from open, the size checked, setup and taps, the screen checked,
 * the picture compared with its reference (kfx_golden), kfx_close (a held export let go first);
 * at the end test_root removed. Returns the exit code. */
int kfx_golden_main(const char *name, int64_t *t0, const kfx_size *sizes, size_t n_sizes,
                    kfx_opener open, const kfx_shot *shots, size_t n);

/* ---- the admin screens ---- */

/* Sets the admin PIN in a's votes.db; when it cannot, the running test fails. */
void kfx_set_pin(app *a, const char *pin);
/* Holds the top-left corner (the admin gesture) for ms, then lets go. */
void kfx_hold_corner(app *a, int64_t ms);
/* Taps digits on the PIN pad, then OK, and waits for the check. */
void kfx_enter_pin(app *a, const char *digits);
/* From Home to the admin overview with pin: the gesture, the pad, the figures. */
void kfx_open_admin(app *a, const char *pin);
/* A USB stick for the export: the folder dir/USB, made and named in HAILONG_USB_DIR; its path in
 * usb. */
void kfx_plug_usb(const char *dir, char *usb, size_t cap);

/* A hook on the admin export (admin_set_export_hook) that acts at its first report of rows done:
 * holds the export there until kfx_export_release, or pulls the stick (its folder usb vanishes). */
void kfx_export_hold(void);
void kfx_export_pull(const char *usb);
/* Whether the hook has acted, after waiting up to wait_ms (real time) for it. */
int kfx_export_reached(int wait_ms);
/* Lets a held export go on. */
void kfx_export_release(void);
/* Lets it go on and removes the hook (call when no export runs, or just before app_destroy). */
void kfx_export_unhook(void);

#endif
