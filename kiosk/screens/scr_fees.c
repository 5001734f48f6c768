/* scr_fees: every procedure's fees and charges on one scrolling page, grouped by field, as the
 * plan asks fees to be posted publicly. A row opens its procedure. */
#include <stdio.h>
#include <string.h>

#include "scr_common.h"

/* The name column's width; fees are the longer texts, so they get the wider column. */
static int name_width(int view_w, int pad)
{
    return (view_w - 3 * pad) * 42 / 100;
}

/* Lays out (and with draw, draws) the table from y; returns its height. */
static int table(app *a, SDL_Rect view, int y, int draw)
{
    const ui_metrics *m = &a->m;
    const proc_set *ps = a->procs;
    int top = y, pad = m->u * 2, px = m->u * 3;
    int name_w = name_width(view.w, pad), fee_w = view.w - 3 * pad - name_w;
    for (size_t f = 0; f < ps->n_fields; f++) {
        int hpx = m->u * 3 + m->u / 2;
        int hh = gfx_line_height(a->gfx, GFX_BOLD, hpx);
        if (draw && scr_visible(ui_rect(view.x, y, view.w, hh + m->u * 2), view))
            gfx_text(a->gfx, GFX_BOLD, hpx, UI_PRIMARY, view.x + pad, y + m->u, GFX_LEFT,
                     ps->fields[f].name);
        y += hh + m->u * 2;
        for (size_t i = 0; i < ps->n_items; i++) {
            const proc_item *p = &ps->items[i];
            if (p->field != f)
                continue;
            SDL_Rect nb = {view.x + pad, y + pad, name_w, 1 << 20};
            SDL_Rect fb = {nb.x + name_w + pad, y + pad, fee_w, 1 << 20};
            int nh = gfx_text_wrap(a->gfx, GFX_BOLD, px, UI_TEXT, nb, GFX_LEFT, p->name, 0);
            int fh = gfx_text_wrap(a->gfx, GFX_REGULAR, px, UI_TEXT, fb, GFX_LEFT, p->fees, 0);
            int rh = (nh > fh ? nh : fh) + 2 * pad;
            SDL_Rect row = {view.x, y, view.w, rh};
            if (draw && scr_visible(row, view)) {
                char id[UI_ID_MAX];
                snprintf(id, sizeof id, "proc-%zu", i);
                gfx_fill_rrect(a->gfx, row, m->u,
                               ui_is_pressed(&a->ui, id) ? UI_BORDER : UI_SURFACE);
                nb.h = nh;
                fb.h = fh;
                gfx_text_wrap(a->gfx, GFX_BOLD, px, UI_TEXT, nb, GFX_LEFT, p->name, 1);
                gfx_text_wrap(a->gfx, GFX_REGULAR, px, UI_TEXT, fb, GFX_LEFT, p->fees, 1);
                SDL_Rect vis;
                if (SDL_IntersectRect(&row, &view, &vis))
                    ui_target_add(&a->ui, id, vis);
            }
            y += rh + m->u;
        }
    }
    return y - top;
}

static void fees_draw(app *a)
{
    const ui_metrics *m = &a->m;
    SDL_Rect body = scr_title_bar(a, "Phí, lệ phí thủ tục hành chính");
    int head_h = gfx_line_height(a->gfx, GFX_BOLD, m->u * 3) + m->u * 2;
    /* Column headings stay put while the rows scroll under them. */
    SDL_Rect area = {body.x, body.y + head_h, body.w, body.h - head_h};
    int h = table(a, ui_rect(area.x, area.y, area.w - m->u * 14, area.h), 0, 0);
    SDL_Rect view = scr_scroll_area(a, area, h);
    int pad = m->u * 2, name_w = name_width(view.w, pad);
    gfx_text(a->gfx, GFX_BOLD, m->u * 3, UI_TEXT_MUTED, view.x + pad, body.y, GFX_LEFT, "Thủ tục");
    gfx_text(a->gfx, GFX_BOLD, m->u * 3, UI_TEXT_MUTED, view.x + 2 * pad + name_w, body.y, GFX_LEFT,
             "Phí, lệ phí");
    scr_clip(a, &view);
    table(a, view, view.y - scroll_pos(&a->scroll), 1);
    scr_clip(a, NULL);
}

static void fees_tap(app *a, const char *id)
{
    if (scr_scroll_tap(a, id) || scr_proc_open(a, id, SCR_FEES))
        return;
    if (strcmp(id, "back") == 0)
        app_go(a, SCR_HOME);
}

static void fees_enter(app *a)
{
    if (a->detail_back == SCR_FEES) /* back from a procedure: keep the place */
        a->scroll.offset = a->list_offset;
}

const screen scr_fees = {"fees", SCR_IDLE_READING, fees_enter,        scr_list_leave, fees_tap,
                         NULL,   fees_draw,        SCR_GROUP_CITIZEN, NULL,           0,
                         NULL};
