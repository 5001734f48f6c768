/* scr_fb_text: the feedback's text, typed on the on-screen Vietnamese keyboard (vnkey: letters,
 * the vowel keys and the tone keys, which act on the word being typed) or on a hardware keyboard
 * in Telex. A counter shows how much of the 1000 characters is used; "Gửi" says why it refuses an
 * empty text. Leads to the consent screen. */
#include <stdio.h>
#include <string.h>

#include "fb_common.h"

static void text_draw(app *a)
{
    const ui_metrics *m = &a->m;
    char title[160];
    if (a->fb.officer)
        util_fmt(title, sizeof title, "%s · %s", fb_kind_label(a->fb.kind), a->fb.officer->name);
    else
        util_fmt(title, sizeof title, "%s", fb_kind_label(a->fb.kind));
    SDL_Rect body = scr_title_bar(a, title);
    int kb_h = m->landscape ? body.h * 56 / 100 : body.h * 48 / 100;
    SDL_Rect kb = {body.x, body.y + body.h - kb_h, body.w, kb_h};
    int line_h = gfx_line_height(a->gfx, GFX_BOLD, m->u * 3) * (m->landscape ? 1 : 2);
    int box_h = kb.y - body.y - line_h - m->u * 3;
    SDL_Rect box = {body.x, body.y, body.w, box_h};
    fb_text_box(a, box, a->fb.text.text, m->u * 3 + m->u / 2, 1);
    if (!a->fb.text.chars) /* what to write, where it will go */
        gfx_text_wrap(
            a->gfx, GFX_REGULAR, m->u * 3, UI_TEXT_MUTED,
            ui_inset(ui_rect(box.x + m->u * 2, box.y, box.w - m->u * 2, box.h), m->u * 2), GFX_LEFT,
            "   Ông/bà viết nội dung vào đây. Ý kiến được gửi tới lãnh đạo Ủy ban nhân dân "
            "xã.",
            1);
    char count[48];
    int full = a->fb.text.chars >= VK_MAX_CHARS;
    snprintf(count, sizeof count, full ? "%zu/%d (đã đủ)" : "%zu/%d", a->fb.text.chars,
             VK_MAX_CHARS);
    int cy = box.y + box.h + m->u;
    int cw = gfx_text(a->gfx, GFX_BOLD, m->u * 3, full ? UI_RATING_FG[1] : UI_TEXT_MUTED,
                      body.x + body.w, cy, GFX_RIGHT, count);
    fb_note_line(a, ui_rect(body.x, cy, body.w - cw - m->u * 3, line_h),
                 "Gõ chữ, rồi chạm Sắc, Huyền, Hỏi, Ngã hay Nặng để thêm dấu cho chữ vừa gõ.");
    fb_keyboard(a, kb, &a->fb.text, app_fb_has_text(a));
}

static void text_tap(app *a, const char *id)
{
    if (strcmp(id, "back") == 0) {
        a->fb.note[0] = '\0';
        app_go(a, SCR_FB_OFFICER);
    } else if (strcmp(id, "send") == 0) {
        if (!app_fb_has_text(a)) {
            util_strlcpy(a->fb.note, "Chưa gửi được: xin ông/bà viết nội dung trước.",
                         sizeof a->fb.note);
            a->dirty = 1;
            return;
        }
        a->fb.note[0] = '\0';
        app_go(a, SCR_FB_CONSENT);
    } else {
        fb_key_tap(a, id, &a->fb.text, VK_MAX_CHARS);
    }
}

static void text_typed(app *a, const char *utf8)
{
    fb_typed(a, &a->fb.text, utf8, VK_MAX_CHARS);
}

const screen scr_fb_text = {"fb-text", SCR_IDLE_INNER,    NULL, NULL, text_tap,  NULL,
                            text_draw, SCR_GROUP_CITIZEN, NULL, 1,    text_typed};
