/* scr_fb_contact: only after the citizen's yes on the consent screen: name, phone number (a digit
 * pad) and, optionally, address, on the same keyboard as the text; "Gửi" stores the item. */
#include <stdio.h>
#include <string.h>

#include "fb_common.h"

static const struct {
    app_fb_field field;
    const char *id, *label;
} fields[] = {{APP_FB_NAME, "field-name", "Họ và tên"},
              {APP_FB_PHONE, "field-phone", "Số điện thoại"},
              {APP_FB_ADDRESS, "field-address", "Địa chỉ (không bắt buộc)"}};

static vk *field_vk(app *a, size_t *max)
{
    *max = a->fb.field == APP_FB_NAME ? APP_FB_NAME_MAX : APP_FB_ADDRESS_MAX;
    return a->fb.field == APP_FB_NAME ? &a->fb.name : &a->fb.address;
}

static const char *field_text(app *a, app_fb_field f)
{
    return f == APP_FB_NAME    ? a->fb.name.text
           : f == APP_FB_PHONE ? a->fb.phone
                               : a->fb.address.text;
}

static int blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ')
            return 0;
    return 1;
}

static size_t digits(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s >= '0' && *s <= '9';
    return n;
}

static void contact_draw(app *a)
{
    const ui_metrics *m = &a->m;
    SDL_Rect body = scr_title_bar(a, "Thông tin liên hệ");
    int kb_h = m->landscape ? body.h * 52 / 100 : body.h * 48 / 100;
    SDL_Rect kb = {body.x, body.y + body.h - kb_h, body.w, kb_h};
    int note_h = gfx_line_height(a->gfx, GFX_BOLD, m->u * 3) * (m->landscape ? 1 : 2);
    int area_h = kb.y - body.y - note_h - m->u * 3;
    int gap = m->u * 2, row_h = (area_h - 2 * gap) / 3;
    int label_w = m->landscape ? body.w * 26 / 100 : body.w * 30 / 100;
    int px = m->u * 3 + m->u / 2;
    for (size_t i = 0; i < HL_ARRAY_LEN(fields); i++) {
        SDL_Rect row = {body.x, body.y + (int)i * (row_h + gap), body.w, row_h};
        SDL_Rect lb = {row.x, row.y, label_w - m->u * 2, row.h};
        int lh =
            gfx_text_wrap(a->gfx, GFX_BOLD, m->u * 3, UI_TEXT, lb, GFX_LEFT, fields[i].label, 0);
        lb.y += (lb.h - lh) / 2;
        gfx_text_wrap(a->gfx, GFX_BOLD, m->u * 3, UI_TEXT, lb, GFX_LEFT, fields[i].label, 1);
        SDL_Rect box = {row.x + label_w, row.y, row.w - label_w, row.h};
        fb_text_box(a, box, field_text(a, fields[i].field), px, a->fb.field == fields[i].field);
        ui_target_add(&a->ui, fields[i].id, box);
    }
    fb_note_line(a, ui_rect(body.x, kb.y - note_h - m->u, body.w, note_h),
                 "Chạm vào ô để chọn; số điện thoại gõ bằng bàn phím số.");
    int ready = !blank(a->fb.name.text) && digits(a->fb.phone) >= 6;
    if (a->fb.field == APP_FB_PHONE)
        fb_keypad(a, kb, ready);
    else
        fb_keyboard(a, kb, a->fb.field == APP_FB_NAME ? &a->fb.name : &a->fb.address, ready);
}

static void refuse(app *a, app_fb_field f, const char *why)
{
    a->fb.field = f;
    util_strlcpy(a->fb.note, why, sizeof a->fb.note);
    a->dirty = 1;
}

static void contact_tap(app *a, const char *id)
{
    if (strcmp(id, "back") == 0) {
        a->fb.note[0] = '\0';
        app_go(a, SCR_FB_CONSENT);
        return;
    }
    for (size_t i = 0; i < HL_ARRAY_LEN(fields); i++)
        if (strcmp(id, fields[i].id) == 0) {
            a->fb.field = fields[i].field;
            /* A name or an address starts with a capital. */
            a->fb.shift = fields[i].field != APP_FB_PHONE && !*field_text(a, fields[i].field);
            a->fb.note[0] = '\0';
            a->dirty = 1;
            return;
        }
    if (strcmp(id, "send") == 0) {
        if (blank(a->fb.name.text))
            refuse(a, APP_FB_NAME, "Xin ông/bà cho biết họ và tên.");
        else if (digits(a->fb.phone) < 6)
            refuse(a, APP_FB_PHONE, "Số điện thoại cần từ 6 đến 15 chữ số.");
        else
            app_fb_send(a);
        return;
    }
    if (a->fb.field == APP_FB_PHONE) {
        fb_keypad_tap(a, id, a->fb.phone, sizeof a->fb.phone);
    } else {
        size_t max;
        vk *k = field_vk(a, &max);
        fb_key_tap(a, id, k, max);
    }
}

static void contact_typed(app *a, const char *utf8)
{
    if (a->fb.field != APP_FB_PHONE) {
        size_t max;
        vk *k = field_vk(a, &max);
        fb_typed(a, k, utf8, max);
        return;
    }
    for (const char *p = utf8; *p; p++) /* a phone number: its digits, nothing else */
        if (*p >= '0' && *p <= '9') {
            char id[8] = "key-0";
            id[4] = *p;
            fb_keypad_tap(a, id, a->fb.phone, sizeof a->fb.phone);
        }
}

const screen scr_fb_contact = {"fb-contact", SCR_IDLE_INNER,    NULL, NULL, contact_tap,  NULL,
                               contact_draw, SCR_GROUP_CITIZEN, NULL, 1,    contact_typed};
