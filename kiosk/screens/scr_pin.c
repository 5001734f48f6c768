/* scr_pin: the PIN pad in front of the admin screen (opened by holding the header's corner):
 * digits, Xóa, Hủy, OK, dots for the digits entered; wrong PINs, the lock-out with its time
 * left, and what to do when no PIN is set yet. The check itself runs off the UI thread. */
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "scr_common.h"

static const SDL_Color RED = {0xB7, 0x1C, 0x1C, 0xFF};

static void pad_enter(app *a)
{
    admin_pin_enter(a->admin);
}

static int64_t pad_update(app *a, int64_t now)
{
    /* Whatever deadline was asked for (a countdown second, a poll) redraws. */
    if (a->screen_deadline != CLK_NEVER && now >= a->screen_deadline)
        a->dirty = 1;
    admin_event ev;
    int64_t next = admin_poll(a->admin, now, 1, &ev);
    scr_admin_apply(a, ev); /* a right PIN opens the overview */
    if (a->cur != SCR_PIN)
        return CLK_NEVER;
    int64_t left = admin_pin_locked_ms(a->admin);
    if (left > 0) {
        int64_t tick = now + (left % 1000 ? left % 1000 : 1000);
        if (tick < next)
            next = tick;
    }
    return next;
}

/* "0:30", "12:05", "1:00:00". */
static void fmt_left(char *out, size_t cap, int64_t ms)
{
    int64_t s = (ms + 999) / 1000;
    if (s >= 3600)
        snprintf(out, cap, "%lld:%02lld:%02lld", (long long)(s / 3600), (long long)(s % 3600 / 60),
                 (long long)(s % 60));
    else
        snprintf(out, cap, "%lld:%02lld", (long long)(s / 60), (long long)(s % 60));
}

/* Text centred in a box (wrapped, shrunk to fit between min and max size). */
static int centred(app *a, SDL_Rect box, gfx_weight w, int min_px, int max_px, SDL_Color c,
                   const char *text)
{
    int px = gfx_fit_px(a->gfx, w, min_px, max_px, box, text);
    return gfx_text_wrap(a->gfx, w, px, c, box, GFX_CENTER, text, 1);
}

static void draw_no_pin(app *a, SDL_Rect body)
{
    const ui_metrics *m = &a->m;
    SDL_Rect card = {body.x, body.y, body.w, body.h};
    if (card.h > m->u * 50)
        card.h = m->u * 50;
    gfx_fill_rrect(a->gfx, card, m->u * 2, UI_SURFACE);
    SDL_Rect in = ui_inset(card, m->u * 4);
    gfx_icon(a->gfx, "warning", ui_rect(in.x + in.w / 2 - m->u * 5, in.y, m->u * 10, m->u * 10));
    int y = in.y + m->u * 12;
    y += centred(a, ui_rect(in.x, y, in.w, m->u * 6), GFX_BOLD, m->u * 3, m->u * 4 + m->u / 2,
                 UI_TEXT, "Chưa đặt mã PIN quản trị.");
    y += m->u * 2;
    y += centred(a, ui_rect(in.x, y, in.w, m->u * 6), GFX_BOLD, m->u * 3, m->u * 4, UI_PRIMARY,
                 "Dùng lệnh: hailong-kiosk set-pin");
    y += m->u * 2;
    centred(a, ui_rect(in.x, y, in.w, in.y + in.h - y), GFX_REGULAR, m->u * 2, m->u * 3,
            UI_TEXT_MUTED,
            "Cán bộ CNTT chạy lệnh này tại máy (cần bàn phím), nhập mã PIN hai lần, rồi mở lại "
            "màn hình quản trị. Xem tài liệu huong-dan-quan-tri.md.");
}

/* One key: enabled keys are targets; disabled ones are drawn pale and are not. */
static void key(app *a, const char *id, SDL_Rect r, const char *label, ui_btn_style style, int on)
{
    const ui_metrics *m = &a->m;
    if (on) {
        ui_button(&a->ui, a->gfx, m, id, r, label, style);
        return;
    }
    gfx_fill_rrect(a->gfx, r, m->u * 2, UI_BORDER);
    gfx_fill_rrect(a->gfx, ui_inset(r, 2), m->u * 2 - 2, UI_BG);
    int px = m->u * 4;
    gfx_text(a->gfx, GFX_BOLD, px, UI_BORDER, r.x + r.w / 2,
             r.y + (r.h - gfx_line_height(a->gfx, GFX_BOLD, px)) / 2, GFX_CENTER, label);
}

static void draw_pad(app *a, SDL_Rect body)
{
    const ui_metrics *m = &a->m;
    const admin *ad = a->admin;
    int64_t locked = admin_pin_locked_ms(a->admin);
    int on = !ad->pin_checking && locked == 0;
    size_t n = strlen(ad->digits);

    /* Dots, message, hint and keys as one block, centred when there is room (portrait). */
    int d = m->u * 2, gap = m->u * 2, kgap = m->u * 2;
    int mpx = m->u * 3, hint_px = m->u * 2 + m->u / 2;
    int hint_h = gfx_line_height(a->gfx, GFX_REGULAR, hint_px);
    int msg_h = gfx_line_height(a->gfx, GFX_BOLD, mpx) * 2;
    int above = 2 * d + m->u * 2 + msg_h + m->u + hint_h + m->u * 2;
    int kh = (body.h - above - 3 * kgap) / 4;
    if (kh > m->u * 15)
        kh = m->u * 15;
    int block = above + 4 * kh + 3 * kgap;
    int y = body.y + (body.h > block ? (body.h - block) / 3 : 0);
    int shown = n > PIN_MIN_LEN ? (int)n : PIN_MIN_LEN;
    int x0 = body.x + body.w / 2 - (shown * (2 * d) + (shown - 1) * gap) / 2 + d;
    for (int i = 0; i < shown; i++) {
        int cx = x0 + i * (2 * d + gap), cy = y + d;
        if ((size_t)i < n) {
            gfx_fill_circle(a->gfx, cx, cy, d, UI_PRIMARY);
        } else {
            gfx_fill_circle(a->gfx, cx, cy, d, UI_BORDER);
            gfx_fill_circle(a->gfx, cx, cy, d - m->u / 3 - 1, UI_BG);
        }
    }
    y += 2 * d + m->u * 2;

    /* The message line: what to do, or what went wrong. */
    char msg[256], left[32];
    SDL_Color mc = UI_TEXT_MUTED;
    const char *hint = NULL;
    if (!ad->pin_read_ok) {
        snprintf(msg, sizeof msg, "Không đọc được mã PIN từ cơ sở dữ liệu. Xem nhật ký của máy.");
        mc = RED;
    } else if (locked > 0) {
        fmt_left(left, sizeof left, locked);
        snprintf(msg, sizeof msg, "Đã khóa vì nhập sai nhiều lần. Thử lại sau %s.", left);
        mc = RED;
        hint = "Quên mã PIN? Cán bộ CNTT chạy lệnh hailong-kiosk set-pin tại máy này.";
    } else if (ad->pin_checking) {
        snprintf(msg, sizeof msg, "Đang kiểm tra…");
    } else if (ad->pin_wrong) {
        int rest = pin_attempts_left(&ad->pin);
        if (rest > 0)
            snprintf(msg, sizeof msg, "Mã PIN không đúng. Còn %d lần thử trước khi bị khóa.", rest);
        else
            snprintf(msg, sizeof msg, "Mã PIN không đúng.");
        mc = RED;
    } else {
        snprintf(msg, sizeof msg, "Nhập mã PIN quản trị (%d–%d chữ số) rồi bấm OK.", PIN_MIN_LEN,
                 PIN_MAX_LEN);
    }
    SDL_Rect mbox = {body.x, y, body.w, msg_h};
    int mh = gfx_text_wrap(a->gfx, GFX_BOLD, gfx_fit_px(a->gfx, GFX_BOLD, m->u * 2, mpx, mbox, msg),
                           mc, mbox, GFX_CENTER, msg, 1);
    y += (mh < msg_h ? mh : msg_h) + m->u;
    if (hint)
        gfx_text_wrap(a->gfx, GFX_REGULAR, hint_px, UI_TEXT_MUTED,
                      ui_rect(body.x, y, body.w, hint_h), GFX_CENTER, hint, 1);
    y += hint_h + m->u * 2;

    /* 3 x 4 keys, as on a phone. */
    int kw = kh * 2;
    if (kw * 3 + 2 * kgap > body.w)
        kw = (body.w - 2 * kgap) / 3;
    int kx = body.x + (body.w - (3 * kw + 2 * kgap)) / 2;
    static const char *const labels[12] = {"1", "2", "3", "4",   "5", "6",
                                           "7", "8", "9", "Xóa", "0", "OK"};
    for (int i = 0; i < 12; i++) {
        char id[16];
        const char *l = labels[i];
        if (i == 9)
            snprintf(id, sizeof id, "del");
        else if (i == 11)
            snprintf(id, sizeof id, "ok");
        else
            snprintf(id, sizeof id, "key-%s", l);
        SDL_Rect r = {kx + (i % 3) * (kw + kgap), y + (i / 3) * (kh + kgap), kw, kh};
        int key_on = on && (i != 11 || n >= PIN_MIN_LEN) && (i != 9 || n > 0);
        key(a, id, r, l,
            i == 11  ? UI_BTN_PRIMARY
            : i == 9 ? UI_BTN_SECONDARY
                     : UI_BTN_CHIP,
            key_on);
    }
}

static void pad_draw(app *a)
{
    const ui_metrics *m = &a->m;
    const admin *ad = a->admin;
    SDL_Rect body = ui_inset(scr_header(a), m->u * 3);
    int bar_h = m->u * 10;
    int no_pin = ad->pin_read_ok && !ad->pin.has_pin;
    if (no_pin)
        scr_back_button(a, ui_rect(body.x, body.y, m->u * 26, bar_h));
    else
        ui_button(&a->ui, a->gfx, m, "cancel", ui_rect(body.x, body.y, m->u * 26, bar_h), "Hủy",
                  UI_BTN_SECONDARY);
    SDL_Rect t = {body.x + m->u * 29, body.y, body.w - m->u * 29, bar_h};
    const char *title = "Quản trị máy";
    int tpx = gfx_fit_px(a->gfx, GFX_BOLD, m->u * 3, m->u * 5, t, title);
    gfx_text(a->gfx, GFX_BOLD, tpx, UI_TEXT, t.x,
             t.y + (t.h - gfx_line_height(a->gfx, GFX_BOLD, tpx)) / 2, GFX_LEFT, title);
    int top = body.y + bar_h + m->u * 3;
    SDL_Rect rest = {body.x, top, body.w, body.y + body.h - top};
    if (no_pin)
        draw_no_pin(a, rest);
    else
        draw_pad(a, rest);
}

static void pad_tap(app *a, const char *id)
{
    if (strcmp(id, "cancel") == 0 || strcmp(id, "back") == 0)
        app_go(a, SCR_HOME);
    else if (strncmp(id, "key-", 4) == 0)
        scr_admin_apply(a, admin_pin_digit(a->admin, id[4]));
    else if (strcmp(id, "del") == 0)
        scr_admin_apply(a, admin_pin_delete(a->admin));
    else if (strcmp(id, "ok") == 0)
        scr_admin_apply(a, admin_pin_submit(a->admin));
}

const screen scr_pin = {"pin",     SCR_IDLE_INNER,
                        pad_enter, scr_admin_leave,
                        pad_tap,   pad_update,
                        pad_draw,  SCR_GROUP_ADMIN,
                        NULL,      0,
                        NULL};
