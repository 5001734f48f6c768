/* scr_directory: the officers with photo, name, title, counter, duties and public phone number,
 * and the commune's hotline and address for feedback and complaints (the plan, section 4). */
#include <stdio.h>
#include <string.h>

#include "scr_common.h"

/* The commune block: hotline, address, where to send feedback. Returns its height. */
static int contact(app *a, SDL_Rect box, int draw)
{
    const ui_metrics *m = &a->m;
    const content *c = a->content;
    int pad = m->u * 2, px = m->u * 3, y = box.y + pad;
    SDL_Rect in = {box.x + pad, 0, box.w - 2 * pad, 1 << 20};
    char line[768], hotline[160];
    scr_phone_nowrap(c->hotline, hotline, sizeof hotline);
    const char *parts[3][2] = {{"Đường dây nóng: ", hotline},
                               {"Địa chỉ: ", c->address},
                               {"", c->feedback}}; /* the feedback text names itself */
    if (draw)
        gfx_fill_rrect(a->gfx, ui_rect(box.x, box.y, box.w, box.h), m->u * 2, UI_PRIMARY);
    for (int i = 0; i < 3; i++) {
        if (!parts[i][1][0])
            continue;
        snprintf(line, sizeof line, "%s%s", parts[i][0], parts[i][1]);
        in.y = y;
        y += gfx_text_wrap(a->gfx, i == 0 ? GFX_BOLD : GFX_REGULAR, i == 0 ? m->u * 4 : px,
                           UI_ON_PRIMARY, in, GFX_LEFT, line, draw) +
             m->u;
    }
    return y - box.y + pad - m->u;
}

/* One officer card at y; returns its height. */
static int officer(app *a, const content_officer *o, SDL_Rect view, int y, int draw)
{
    const ui_metrics *m = &a->m;
    int pad = m->u * 2, photo = m->u * 16, px = m->u * 3;
    SDL_Rect t = {view.x + pad * 2 + photo, y + pad, view.w - photo - pad * 3, 1 << 20};
    char phone[160], number[128], counter[64];
    scr_phone_nowrap(o->phone, number, sizeof number);
    snprintf(phone, sizeof phone, "Điện thoại: %s", o->phone[0] ? number : "(chưa công bố)");
    scr_counter_label(o->counter, counter, sizeof counter);
    const char *lines[] = {o->name, o->title, o->counter[0] ? counter : "", o->duties, phone};
    const gfx_weight wt[] = {GFX_BOLD, GFX_REGULAR, GFX_BOLD, GFX_REGULAR, GFX_BOLD};
    const SDL_Color col[] = {UI_TEXT, UI_TEXT_MUTED, UI_PRIMARY, UI_TEXT, UI_TEXT};
    int h = 0;
    for (int i = 0; i < 5; i++)
        if (lines[i][0])
            h += gfx_text_wrap(a->gfx, wt[i], i == 0 ? m->u * 4 : px, col[i], t, GFX_LEFT, lines[i],
                               0) +
                 m->u / 2;
    int card_h = (h > photo ? h : photo) + 2 * pad;
    SDL_Rect card = {view.x, y, view.w, card_h};
    if (draw && scr_visible(card, view)) {
        gfx_fill_rrect(a->gfx, card, m->u * 2, UI_SURFACE);
        SDL_Rect pr = {view.x + pad, y + pad, photo, photo};
        if (!o->photo || gfx_image(a->gfx, o->photo, pr) != 0)
            gfx_placeholder_avatar(a->gfx, pr, o->name);
        for (int i = 0; i < 5; i++) {
            if (!lines[i][0])
                continue;
            t.y += gfx_text_wrap(a->gfx, wt[i], i == 0 ? m->u * 4 : px, col[i], t, GFX_LEFT,
                                 lines[i], 1) +
                   m->u / 2;
        }
    }
    return card_h;
}

static int content_height(app *a, SDL_Rect view, int y0, int draw)
{
    int y = y0, gap = a->m.u * 2;
    y += contact(a, ui_rect(view.x, y, view.w, 0), 0);
    if (draw)
        contact(a, ui_rect(view.x, y0, view.w, y - y0), 1);
    y += gap;
    for (size_t i = 0; i < a->content->n_officers; i++)
        y += officer(a, &a->content->officers[i], view, y, draw) + gap;
    return y - y0 - gap;
}

static void directory_draw(app *a)
{
    const ui_metrics *m = &a->m;
    SDL_Rect body = scr_title_bar(a, "Danh bạ cán bộ, công chức");
    int h = content_height(a, ui_rect(body.x, 0, body.w - m->u * 14, body.h), 0, 0);
    SDL_Rect view = scr_scroll_area(a, body, h);
    scr_clip(a, &view);
    content_height(a, view, view.y - scroll_pos(&a->scroll), 1);
    scr_clip(a, NULL);
}

static void directory_tap(app *a, const char *id)
{
    if (scr_scroll_tap(a, id))
        return;
    if (strcmp(id, "back") == 0)
        app_go(a, SCR_HOME);
}

const screen scr_directory = {"directory",    SCR_IDLE_READING,  NULL, NULL, directory_tap, NULL,
                              directory_draw, SCR_GROUP_CITIZEN, NULL, 0,    NULL};
