/* scr_thanks: "biết cảm ơn" after a positive vote, "biết xin lỗi" after a negative one, or an
 * honest "could not record" when the database refused the vote; the same after a feedback item
 * (Góp ý – Phản ánh). The apology also gives the hotline, the Chairman's reception days and the
 * way to say more (the feedback form, linked to the vote). Returns Home on its own. */
#include <stdio.h>
#include <string.h>

#include "rating.h"
#include "scr_common.h"

static int64_t thanks_update(app *a, int64_t now)
{
    int64_t s = a->thanks == THANKS_APOLOGY ? a->cfg.apology_s : a->cfg.thanks_s;
    int64_t end = a->entered_mono + s * 1000;
    if (a->thanks == THANKS_ERROR || a->thanks == THANKS_FEEDBACK_ERROR)
        end += (int64_t)a->cfg.thanks_s * 1000; /* give time to read and call an officer */
    if (now >= end) {
        app_go(a, SCR_HOME);
        return CLK_NEVER;
    }
    return end;
}

/* What a feedback item's thank-you says: by kind, and by whether the commune can answer. */
static void feedback_words(const app *a, char *title, size_t tcap, char *text, size_t xcap)
{
    const char *kind = a->fb.kind ? a->fb.kind : STORE_FB_GOP_Y;
    util_fmt(title, tcap, "%s",
             strcmp(kind, STORE_FB_PHAN_ANH) == 0 ? "Cảm ơn ông/bà đã phản ánh"
             : strcmp(kind, STORE_FB_BIEU_DUONG) == 0 ? "Cảm ơn ông/bà đã đề nghị biểu dương"
                                                      : "Cảm ơn ông/bà đã góp ý");
    if (a->fb.consent)
        util_fmt(text, xcap,
                 "Ủy ban nhân dân xã sẽ xem xét và trả lời ông/bà theo thông tin liên hệ "
                 "ông/bà đã để lại.");
    else
        util_fmt(text, xcap,
                 "Ủy ban nhân dân xã sẽ xem xét ý kiến của ông/bà. Ý kiến được gửi ẩn danh: máy "
                 "không lưu họ tên hay số điện thoại của ông/bà.");
}

/* The apology's practical lines: hotline and reception days ("" when the content has neither). */
static void apology_info(const app *a, char *out, size_t cap)
{
    const content *c = a->content;
    char phone[64] = "";
    scr_phone_nowrap(c->hotline ? c->hotline : "", phone, sizeof phone);
    util_fmt(out, cap, "%s%s%s%s%s", phone[0] ? "Đường dây nóng: " : "", phone,
             phone[0] && c->reception && c->reception[0] ? "\n" : "",
             c->reception && c->reception[0] ? "Lịch tiếp công dân: " : "",
             c->reception ? c->reception : "");
}

static void thanks_draw(app *a)
{
    const ui_metrics *m = &a->m;
    SDL_Rect body = ui_inset(scr_header(a), m->u * 3);
    const content_messages *msg = &a->content->msg;
    const char *title, *text, *icon;
    char fb_title[96], fb_text[512], info[768] = "";
    SDL_Color tc;
    switch (a->thanks) {
    case THANKS_POSITIVE:
        title = msg->thanks_title, text = msg->thanks_text,
        icon = a->vote.rating == 3 ? "face-3" : "face-2";
        tc = UI_RATING_FG[3];
        break;
    case THANKS_APOLOGY:
        title = msg->apology_title, text = msg->apology_text, icon = "face-1";
        tc = UI_PRIMARY;
        apology_info(a, info, sizeof info);
        break;
    case THANKS_FEEDBACK:
        feedback_words(a, fb_title, sizeof fb_title, fb_text, sizeof fb_text);
        title = fb_title, text = fb_text, icon = "check";
        tc = UI_RATING_FG[3];
        break;
    case THANKS_FEEDBACK_ERROR:
        title = "Chưa ghi nhận được ý kiến";
        util_fmt(fb_text, sizeof fb_text,
                 "Xin lỗi ông/bà, do sự cố kỹ thuật, máy chưa ghi nhận được ý kiến vừa rồi. Xin "
                 "ông/bà vui lòng báo giúp cán bộ tại quầy%s%s. Cảm ơn ông/bà!",
                 a->content->hotline && a->content->hotline[0] ? ", hoặc gọi đường dây nóng " : "",
                 a->content->hotline ? a->content->hotline : "");
        text = fb_text, icon = "warning";
        tc = UI_RATING_FG[1];
        break;
    default:
        title = msg->error_title, text = msg->error_text, icon = "warning";
        tc = UI_RATING_FG[1];
        break;
    }
    gfx_fill_rrect(a->gfx, body, m->u * 3, UI_SURFACE);
    SDL_Rect in = ui_inset(body, m->u * 4);
    int bar_h = m->u * 11;
    int apology = a->thanks == THANKS_APOLOGY;
    int face = m->landscape ? in.h / 3 : in.w * 2 / 5;
    if (apology) /* more to read: a smaller face, none under "Chữ to" on a landscape screen */
        face = m->landscape ? (a->large_text ? 0 : in.h / 5) : in.w / 4;
    /* Measure icon, title, text and the apology's lines first, then centre them above the
     * buttons. */
    int avail = in.h - bar_h - m->u * 2;
    SDL_Rect tr = {in.x, 0, in.w, apology ? m->u * 11 : m->u * 16};
    int tpx = gfx_fit_px(a->gfx, GFX_BOLD, m->u * 4, m->u * 7, tr, title);
    int th = gfx_text_wrap(a->gfx, GFX_BOLD, tpx, tc, tr, GFX_CENTER, title, 0);
    if (th > tr.h)
        th = tr.h;
    SDL_Rect ir = {in.x + in.w / 10, 0, in.w * 8 / 10, 0};
    int ipx = m->u * 3, ih = 0;
    if (info[0]) { /* at most a quarter of the room: the apology itself must show */
        ir.h = avail / 4;
        ipx = gfx_fit_px(a->gfx, GFX_BOLD, m->u * 2, m->u * 3, ir, info);
        ih = gfx_text_wrap(a->gfx, GFX_BOLD, ipx, UI_TEXT, ir, GFX_CENTER, info, 0);
        if (ih > ir.h)
            ih = ir.h;
        ir.h = ih;
    }
    int info_room = info[0] ? ih + m->u * 5 : 0;
    SDL_Rect xr = {in.x + in.w / 10, 0, in.w * 8 / 10, avail - face - th - m->u * 5 - info_room};
    int px = gfx_fit_px(a->gfx, GFX_REGULAR, apology ? m->u * 2 + m->u / 2 : m->u * 3,
                        m->u * 4 + m->u / 2, xr, text);
    int xh = gfx_text_wrap(a->gfx, GFX_REGULAR, px, UI_TEXT, xr, GFX_CENTER, text, 0);
    if (xh > xr.h)
        xh = xr.h;
    int y = in.y + (avail - (face + th + xh + m->u * 5 + info_room)) / 2;
    if (y < in.y)
        y = in.y;
    if (face > 0 && gfx_icon(a->gfx, icon, ui_rect(in.x + (in.w - face) / 2, y, face, face)) != 0 &&
        (a->thanks == THANKS_ERROR || a->thanks == THANKS_FEEDBACK_ERROR))
        gfx_fill_circle(a->gfx, in.x + in.w / 2, y + face / 2, face / 2, tc);
    y += face + m->u * 3;
    tr.y = y;
    gfx_text_wrap(a->gfx, GFX_BOLD, tpx, tc, tr, GFX_CENTER, title, 1);
    y += th + m->u * 2;
    xr.y = y;
    gfx_text_wrap(a->gfx, GFX_REGULAR, px, UI_TEXT, xr, GFX_CENTER, text, 1);
    if (info[0]) {
        /* On a tinted band, apart from the apology: what the citizen can do next. */
        y += xh + m->u * 3;
        SDL_Rect band = {ir.x - m->u * 2, y, ir.w + m->u * 4, ih + m->u * 2};
        gfx_fill_rrect(a->gfx, band, m->u * 2, UI_BG);
        ir.y = y + m->u;
        gfx_text_wrap(a->gfx, GFX_BOLD, ipx, UI_TEXT, ir, GFX_CENTER, info, 1);
    }
    int by = in.y + in.h - bar_h;
    if (apology) {
        int gap = m->u * 3;
        int mw = m->landscape ? m->u * 60 : in.w * 62 / 100, dw = m->u * 26;
        if (mw + gap + dw > in.w)
            mw = in.w - gap - dw;
        int x0 = in.x + (in.w - mw - gap - dw) / 2;
        ui_button(&a->ui, a->gfx, m, "more", ui_rect(x0, by, mw, bar_h),
                  "Ông/bà có muốn nói rõ hơn?", UI_BTN_PRIMARY);
        ui_button(&a->ui, a->gfx, m, "done", ui_rect(x0 + mw + gap, by, dw, bar_h), "Xong",
                  UI_BTN_SECONDARY);
        return;
    }
    int bw = m->u * 36;
    ui_button(&a->ui, a->gfx, m, "done", ui_rect(in.x + (in.w - bw) / 2, by, bw, bar_h), "Xong",
              UI_BTN_PRIMARY);
}

static void thanks_tap(app *a, const char *id)
{
    if (strcmp(id, "done") == 0) {
        app_go(a, SCR_HOME);
    } else if (strcmp(id, "more") == 0 && a->thanks == THANKS_APOLOGY) {
        /* A phản ánh about the officer just rated, linked to that vote. The desk's entry
         * ("Không nhớ tên cán bộ") names nobody. */
        const content_officer *o = content_find_officer(a->content, a->vote.officer_code);
        app_fb_start(a, STORE_FB_PHAN_ANH, o, a->vote_ok ? a->vote.uuid : NULL);
        app_go(a, SCR_FB_TEXT);
    }
}

const screen scr_thanks = {"thanks",    SCR_IDLE_OWN,      NULL, NULL, thanks_tap, thanks_update,
                           thanks_draw, SCR_GROUP_CITIZEN, NULL, 0,    NULL};
