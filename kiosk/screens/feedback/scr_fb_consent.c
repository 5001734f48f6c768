/* scr_fb_consent: whether the citizen leaves contact details with the feedback. It says why
 * (so the commune can answer, or send a letter of thanks or apology), who sees them, how long
 * they are kept, and the decree on personal data (Nghị định 13/2023/NĐ-CP); "no" sends the item
 * anonymously at once, and only "yes" shows any contact field. */
#include <stdio.h>
#include <string.h>

#include "fb_common.h"

static void consent_draw(app *a)
{
    const ui_metrics *m = &a->m;
    SDL_Rect body = scr_title_bar(a, "Để lại thông tin liên hệ?");
    int bar_h = m->u * 12, gap = m->u * 3;
    char text[1024];
    util_fmt(text, sizeof text,
             "Nếu ông/bà để lại họ tên và số điện thoại, Ủy ban nhân dân xã có thể trả lời "
             "ông/bà, hoặc gửi thư cảm ơn hay thư xin lỗi tới ông/bà.\n"
             "• Ai được xem: chỉ lãnh đạo Ủy ban nhân dân xã.\n"
             "• Giữ bao lâu: tối đa %d tháng, sau đó tự động xoá.\n"
             "• Việc để lại thông tin là tự nguyện, theo Nghị định 13/2023/NĐ-CP về bảo vệ dữ "
             "liệu cá nhân. Nếu không đồng ý, ý kiến của ông/bà vẫn được gửi, nhưng ẩn danh.",
             a->content->contact_months);
    int buttons_h = m->landscape ? bar_h : 2 * bar_h + gap;
    SDL_Rect panel = {body.x, body.y, body.w, body.h - buttons_h - gap};
    gfx_fill_rrect(a->gfx, panel, m->u * 3, UI_SURFACE);
    SDL_Rect in = ui_inset(panel, m->u * 4);
    int px = gfx_fit_px(a->gfx, GFX_REGULAR, m->u * 2 + m->u / 2, m->u * 4, in, text);
    int h = gfx_text_wrap(a->gfx, GFX_REGULAR, px, UI_TEXT, in, GFX_LEFT, text, 0);
    if (h < in.h)
        in.y += (in.h - h) / 2;
    gfx_text_wrap(a->gfx, GFX_REGULAR, px, UI_TEXT, in, GFX_LEFT, text, 1);
    int y = body.y + body.h - buttons_h;
    if (m->landscape) {
        int bw = (body.w - gap) / 2;
        ui_button(&a->ui, a->gfx, m, "consent-no", ui_rect(body.x, y, bw, bar_h),
                  "Không, gửi ẩn danh", UI_BTN_SECONDARY);
        ui_button(&a->ui, a->gfx, m, "consent-yes", ui_rect(body.x + bw + gap, y, bw, bar_h),
                  "Đồng ý để lại thông tin", UI_BTN_PRIMARY);
    } else {
        ui_button(&a->ui, a->gfx, m, "consent-yes", ui_rect(body.x, y, body.w, bar_h),
                  "Đồng ý để lại thông tin", UI_BTN_PRIMARY);
        ui_button(&a->ui, a->gfx, m, "consent-no", ui_rect(body.x, y + bar_h + gap, body.w, bar_h),
                  "Không, gửi ẩn danh", UI_BTN_SECONDARY);
    }
}

static void consent_tap(app *a, const char *id)
{
    if (strcmp(id, "back") == 0) {
        app_go(a, SCR_FB_TEXT);
    } else if (strcmp(id, "consent-yes") == 0) {
        a->fb.consent = 1;
        a->fb.field = APP_FB_NAME;
        a->fb.shift = a->fb.name.chars == 0; /* a name starts with a capital */
        a->fb.note[0] = '\0';
        app_go(a, SCR_FB_CONTACT);
    } else if (strcmp(id, "consent-no") == 0) {
        /* Anything typed into the contact fields before a "back" is forgotten, not only left
         * out of the store. */
        a->fb.consent = 0;
        vk_clear(&a->fb.name);
        vk_clear(&a->fb.address);
        memset(a->fb.phone, 0, sizeof a->fb.phone);
        app_fb_send(a);
    }
}

const screen scr_fb_consent = {"fb-consent", SCR_IDLE_INNER,    NULL, NULL, consent_tap, NULL,
                               consent_draw, SCR_GROUP_CITIZEN, NULL, 0,    NULL};
