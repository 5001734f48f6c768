/* ui: touch targets, hit-testing and tap recognition, layout metrics, the colour theme and the
 * common widgets. Screens register a target for everything that can be tapped while drawing;
 * input then resolves to a target id. */
#ifndef HL_UI_H
#define HL_UI_H

#include <SDL.h>
#include <stdint.h>

#include "gfx.h"

#define UI_MAX_TARGETS 96
#define UI_ID_MAX      40

typedef struct {
    char id[UI_ID_MAX];
    SDL_Rect r;
} ui_target;

#define UI_MAX_HOLDS 4

/* A long-press target: a press held still on it for hold_ms does something (opening the admin
 * screen from a corner). It is separate from the tap targets: a short press there still taps
 * whatever tap target lies under it, and drawing nothing for it keeps it invisible. */
typedef struct {
    char id[UI_ID_MAX];
    SDL_Rect r;
    int hold_ms;
} ui_hold_target;

typedef struct {
    ui_target targets[UI_MAX_TARGETS];
    int n_targets;
    ui_hold_target holds[UI_MAX_HOLDS];
    int n_holds;
    /* pointer state (mouse or one finger) */
    int down;      /* a press is in progress */
    int cancelled; /* moved too far, second finger: the press will not tap */
    int fingers;   /* fingers currently down */
    int down_x, down_y;
    char down_id[UI_ID_MAX]; /* target under the press, "" if none */
    int64_t down_at;         /* when the press began (monotonic ms) */
    char hold_id[UI_ID_MAX]; /* long-press target under the press, "" if none */
    int64_t hold_due;        /* when holding it completes */
} ui;

/* Layout metrics for a window: u is one hundredth of the shorter side, so layouts scale from
 * 1280x800 to 1920x1080 and to portrait 1080x1920. */
typedef struct {
    int w, h, u, landscape;
} ui_metrics;
ui_metrics ui_metrics_for(int w, int h);

void ui_targets_clear(ui *s);
void ui_target_add(ui *s, const char *id, SDL_Rect r);
/* Topmost (last added) target containing (x, y), or NULL. */
const char *ui_target_at(const ui *s, int x, int y);
int ui_target_find(const ui *s, const char *id, SDL_Rect *out);

/* Registers a long-press target (while drawing, like tap targets; cleared with them). */
void ui_hold_target_add(ui *s, const char *id, SDL_Rect r, int hold_ms);

/* Tap recognition: a tap is a press and release on the same target without moving more than
 * slop pixels and without a second finger. Long presses still count as one tap; swipes and
 * multi-finger gestures do nothing. now is the monotonic time of the press (long presses). */
void ui_press(ui *s, int x, int y, int64_t now);
void ui_move(ui *s, int x, int y, int slop);
/* Returns 1 and copies the target id when the release completes a tap. */
int ui_release(ui *s, int x, int y, char *id_out, size_t cap);
void ui_finger_down(ui *s); /* call before ui_press for touch; cancels on a second finger */
void ui_finger_up(ui *s);
void ui_cancel(ui *s);
/* Long press: when the press began on a long-press target and has been held there, still and
 * with one finger, until now, returns 1 with its id; the press then ends and taps nothing. */
int ui_hold_check(ui *s, int64_t now, char *id_out, size_t cap);
/* When a long press in progress completes (monotonic ms), or INT64_MAX if none is. */
int64_t ui_hold_deadline(const ui *s);
/* 1 while a press that may still tap is held on the target id (for the pressed look). */
int ui_is_pressed(const ui *s, const char *id);

/* Theme. */
extern const SDL_Color UI_BG, UI_SURFACE, UI_TEXT, UI_TEXT_MUTED, UI_PRIMARY, UI_PRIMARY_DARK,
    UI_ON_PRIMARY, UI_BORDER, UI_RATING_BG[4], UI_RATING_FG[4];

typedef enum { UI_BTN_PRIMARY, UI_BTN_SECONDARY, UI_BTN_CHIP, UI_BTN_CHIP_ON } ui_btn_style;

/* A button: rounded, label centred (wrapped to fit), registers the target. */
void ui_button(ui *s, gfx *g, const ui_metrics *m, const char *id, SDL_Rect r, const char *label,
               ui_btn_style style);
/* The same with the label at most max_px: a row of buttons gives all its labels the size of the
 * one that needs the smallest (ui_button_label_px), so they read as one row. */
void ui_button_px(ui *s, gfx *g, const ui_metrics *m, const char *id, SDL_Rect r, const char *label,
                  ui_btn_style style, int max_px);
/* The size ui_button gives label in a button r. */
int ui_button_label_px(gfx *g, const ui_metrics *m, SDL_Rect r, const char *label);

/* Rectangle helpers. */
SDL_Rect ui_rect(int x, int y, int w, int h);
SDL_Rect ui_inset(SDL_Rect r, int d);
int ui_contains(SDL_Rect r, int x, int y);

#endif
