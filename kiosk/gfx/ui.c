/* ui: touch targets and tap recognition, layout metrics, theme colours and buttons. */
#include "ui.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

const SDL_Color UI_BG = {0xF3, 0xF5, 0xF9, 0xFF};
const SDL_Color UI_SURFACE = {0xFF, 0xFF, 0xFF, 0xFF};
const SDL_Color UI_TEXT = {0x1C, 0x23, 0x30, 0xFF};
const SDL_Color UI_TEXT_MUTED = {0x55, 0x60, 0x72, 0xFF};
const SDL_Color UI_PRIMARY = {0x1F, 0x4E, 0x9E, 0xFF};
const SDL_Color UI_PRIMARY_DARK = {0x15, 0x36, 0x6E, 0xFF};
const SDL_Color UI_ON_PRIMARY = {0xFF, 0xFF, 0xFF, 0xFF};
const SDL_Color UI_BORDER = {0xD3, 0xDA, 0xE6, 0xFF};
/* Index = rating (1 chưa hài lòng, 2 hài lòng, 3 rất hài lòng); 0 unused. BG is the button's
 * tint, FG its border and label: dark enough for text contrast on the tint. */
const SDL_Color UI_RATING_BG[4] = {
    {0, 0, 0, 0}, {0xFD, 0xEC, 0xE7, 0xFF}, {0xF1, 0xF8, 0xE6, 0xFF}, {0xE6, 0xF4, 0xEA, 0xFF}};
const SDL_Color UI_RATING_FG[4] = {
    {0, 0, 0, 0}, {0xB7, 0x35, 0x0F, 0xFF}, {0x4A, 0x7C, 0x1F, 0xFF}, {0x14, 0x6C, 0x31, 0xFF}};

ui_metrics ui_metrics_for(int w, int h)
{
    ui_metrics m;
    m.w = w;
    m.h = h;
    m.u = (w < h ? w : h) / 100;
    if (m.u < 1)
        m.u = 1;
    m.landscape = w >= h;
    return m;
}

void ui_targets_clear(ui *s)
{
    s->n_targets = 0;
    s->n_holds = 0;
}

void ui_hold_target_add(ui *s, const char *id, SDL_Rect r, int hold_ms)
{
    if (s->n_holds >= UI_MAX_HOLDS)
        return;
    ui_hold_target *t = &s->holds[s->n_holds++];
    util_strlcpy(t->id, id, sizeof t->id);
    t->r = r;
    t->hold_ms = hold_ms;
}

void ui_target_add(ui *s, const char *id, SDL_Rect r)
{
    if (s->n_targets >= UI_MAX_TARGETS) {
        /* A screen with this many targets is a layout bug; dropping the extra keeps input sane. */
        return;
    }
    ui_target *t = &s->targets[s->n_targets++];
    util_strlcpy(t->id, id, sizeof t->id);
    t->r = r;
}

int ui_contains(SDL_Rect r, int x, int y)
{
    return x >= r.x && y >= r.y && x < r.x + r.w && y < r.y + r.h;
}

const char *ui_target_at(const ui *s, int x, int y)
{
    for (int i = s->n_targets - 1; i >= 0; i--)
        if (ui_contains(s->targets[i].r, x, y))
            return s->targets[i].id;
    return NULL;
}

int ui_target_find(const ui *s, const char *id, SDL_Rect *out)
{
    for (int i = 0; i < s->n_targets; i++) {
        if (strcmp(s->targets[i].id, id) == 0) {
            if (out)
                *out = s->targets[i].r;
            return 1;
        }
    }
    return 0;
}

void ui_press(ui *s, int x, int y, int64_t now)
{
    const char *id = ui_target_at(s, x, y);
    s->down = 1;
    s->cancelled = s->fingers > 1;
    s->down_x = x;
    s->down_y = y;
    s->down_at = now;
    util_strlcpy(s->down_id, id ? id : "", sizeof s->down_id);
    s->hold_id[0] = '\0';
    s->hold_due = INT64_MAX;
    for (int i = s->n_holds - 1; i >= 0; i--) {
        if (ui_contains(s->holds[i].r, x, y)) {
            util_strlcpy(s->hold_id, s->holds[i].id, sizeof s->hold_id);
            s->hold_due = now + s->holds[i].hold_ms;
            break;
        }
    }
}

int64_t ui_hold_deadline(const ui *s)
{
    return s->down && !s->cancelled && s->hold_id[0] ? s->hold_due : INT64_MAX;
}

int ui_hold_check(ui *s, int64_t now, char *id_out, size_t cap)
{
    if (ui_hold_deadline(s) > now)
        return 0;
    util_strlcpy(id_out, s->hold_id, cap);
    /* The press is used up: lifting the finger afterwards must not also tap. */
    s->cancelled = 1;
    s->hold_id[0] = '\0';
    return 1;
}

void ui_move(ui *s, int x, int y, int slop)
{
    if (!s->down || s->cancelled)
        return;
    /* A finger that travels is a swipe or a drag, never a choice: cancel rather than guess. */
    if (abs(x - s->down_x) > slop || abs(y - s->down_y) > slop)
        s->cancelled = 1;
}

int ui_release(ui *s, int x, int y, char *id_out, size_t cap)
{
    if (!s->down)
        return 0;
    s->down = 0;
    if (s->cancelled || !s->down_id[0])
        return 0;
    const char *id = ui_target_at(s, x, y);
    if (!id || strcmp(id, s->down_id) != 0)
        return 0;
    util_strlcpy(id_out, id, cap);
    return 1;
}

void ui_finger_down(ui *s)
{
    s->fingers++;
    if (s->fingers > 1)
        s->cancelled = 1; /* pinches and two-hand presses choose nothing */
}

void ui_finger_up(ui *s)
{
    if (s->fingers > 0)
        s->fingers--;
}

void ui_cancel(ui *s)
{
    s->down = 0;
    s->cancelled = 0;
    s->fingers = 0;
}

int ui_is_pressed(const ui *s, const char *id)
{
    return s->down && !s->cancelled && strcmp(s->down_id, id) == 0;
}

SDL_Rect ui_rect(int x, int y, int w, int h)
{
    SDL_Rect r = {x, y, w, h};
    return r;
}

SDL_Rect ui_inset(SDL_Rect r, int d)
{
    SDL_Rect o = {r.x + d, r.y + d, r.w - 2 * d, r.h - 2 * d};
    if (o.w < 0)
        o.w = 0;
    if (o.h < 0)
        o.h = 0;
    return o;
}

static SDL_Color darker(SDL_Color c)
{
    SDL_Color d = {(Uint8)(c.r * 3 / 4), (Uint8)(c.g * 3 / 4), (Uint8)(c.b * 3 / 4), c.a};
    return d;
}

/* The label's box inside a button: small keys (the on-screen keyboard) get a thinner margin, or
 * the label has no room. */
static SDL_Rect label_box(const ui_metrics *m, SDL_Rect r)
{
    int pad = m->u * 2;
    if (pad > r.h / 5)
        pad = r.h / 5;
    if (pad > r.w / 6)
        pad = r.w / 6;
    return ui_inset(r, pad);
}

int ui_button_label_px(gfx *g, const ui_metrics *m, SDL_Rect r, const char *label)
{
    return gfx_fit_px(g, GFX_BOLD, m->u * 2, m->u * 4, label_box(m, r), label);
}

void ui_button(ui *s, gfx *g, const ui_metrics *m, const char *id, SDL_Rect r, const char *label,
               ui_btn_style style)
{
    ui_button_px(s, g, m, id, r, label, style, m->u * 4);
}

void ui_button_px(ui *s, gfx *g, const ui_metrics *m, const char *id, SDL_Rect r, const char *label,
                  ui_btn_style style, int max_px)
{
    SDL_Color bg, fg, border = UI_BORDER;
    switch (style) {
    case UI_BTN_PRIMARY:
        bg = UI_PRIMARY;
        fg = UI_ON_PRIMARY;
        border = UI_PRIMARY;
        break;
    case UI_BTN_CHIP_ON:
        bg = UI_PRIMARY;
        fg = UI_ON_PRIMARY;
        border = UI_PRIMARY_DARK;
        break;
    case UI_BTN_CHIP:
        bg = UI_SURFACE;
        fg = UI_TEXT;
        break;
    case UI_BTN_SECONDARY:
    default:
        bg = UI_SURFACE;
        fg = UI_PRIMARY;
        border = UI_PRIMARY;
        break;
    }
    if (ui_is_pressed(s, id))
        bg = style == UI_BTN_PRIMARY || style == UI_BTN_CHIP_ON ? darker(bg) : UI_BORDER;
    int radius = m->u * 2;
    int bw = m->u / 3 > 2 ? m->u / 3 : 2;
    gfx_fill_rrect(g, r, radius, border);
    gfx_fill_rrect(g, ui_inset(r, bw), radius - bw, bg);
    SDL_Rect box = label_box(m, r);
    int px = gfx_fit_px(g, GFX_BOLD, m->u * 2, max_px < m->u * 2 ? m->u * 2 : max_px, box, label);
    int th = gfx_text_wrap(g, GFX_BOLD, px, fg, box, GFX_CENTER, label, 0);
    if (th < box.h) {
        box.y += (box.h - th) / 2;
        box.h = th;
    }
    gfx_text_wrap(g, GFX_BOLD, px, fg, box, GFX_CENTER, label, 1);
    ui_target_add(s, id, r);
}
