/* scr_proc_list: the procedures of one field, a scrolling list (drag with momentum, or the page
 * buttons); a row opens the procedure. */
#include <stdio.h>
#include <string.h>

#include "scr_common.h"

/* Row i's target, clipped to the view so a half-hidden row is only tappable where it shows. */
static void add_row_target(app *a, const char *id, SDL_Rect row, SDL_Rect view)
{
    SDL_Rect vis;
    if (SDL_IntersectRect(&row, &view, &vis))
        ui_target_add(&a->ui, id, vis);
}

/* Row height for p in a view w wide: the whole name (wrapped, one size for every row) and one
 * line with the code and time limit. */
static int row_height(app *a, const proc_item *p, int w, int *name_h)
{
    const ui_metrics *m = &a->m;
    int pad = m->u * 2, px = m->u * 3 + m->u / 2, sub_px = m->u * 2 + m->u / 2;
    *name_h = gfx_text_wrap(a->gfx, GFX_BOLD, px, UI_TEXT, ui_rect(0, 0, w - 2 * pad, 1 << 20),
                            GFX_LEFT, p->name, 0);
    int h = 2 * pad + *name_h + m->u / 2 + gfx_line_height(a->gfx, GFX_REGULAR, sub_px);
    return h > m->u * 13 ? h : m->u * 13;
}

static void list_draw(app *a)
{
    const ui_metrics *m = &a->m;
    const proc_set *ps = a->procs;
    const proc_field *f = &ps->fields[a->proc_field];
    char title[200];
    snprintf(title, sizeof title, "%s (%zu thủ tục)", f->name, f->n_items);
    SDL_Rect body = scr_title_bar(a, title);
    int gap = m->u * 2, name_h;
    /* Measure first: the scroll extent decides the page buttons (view width as scr_scroll_area
     * makes it). */
    int total = 0;
    for (size_t i = 0; i < ps->n_items; i++)
        if (ps->items[i].field == a->proc_field)
            total += row_height(a, &ps->items[i], body.w - m->u * 14, &name_h) + gap;
    SDL_Rect view = scr_scroll_area(a, body, total > 0 ? total - gap : 0);
    int y = view.y - scroll_pos(&a->scroll);
    scr_clip(a, &view);
    for (size_t i = 0; i < ps->n_items; i++) {
        const proc_item *p = &ps->items[i];
        if (p->field != a->proc_field)
            continue;
        SDL_Rect r = {view.x, y, view.w, row_height(a, p, view.w, &name_h)};
        y += r.h + gap;
        if (!scr_visible(r, view))
            continue;
        char id[UI_ID_MAX];
        snprintf(id, sizeof id, "proc-%zu", i);
        int pressed = ui_is_pressed(&a->ui, id);
        gfx_fill_rrect(a->gfx, r, m->u * 2, pressed ? UI_BORDER : UI_SURFACE);
        SDL_Rect in = ui_inset(r, m->u * 2);
        int sub_px = m->u * 2 + m->u / 2;
        int sub_h = gfx_line_height(a->gfx, GFX_REGULAR, sub_px);
        gfx_text_wrap(a->gfx, GFX_BOLD, m->u * 3 + m->u / 2, UI_TEXT,
                      ui_rect(in.x, in.y, in.w, name_h), GFX_LEFT, p->name, 1);
        char sub[256];
        snprintf(sub, sizeof sub, "%s%s%sThời hạn: %s", p->code[0] ? "Mã " : "", p->code,
                 p->code[0] ? " · " : "", p->time_limit);
        /* The time limit is often long: one line here, in full on the procedure's page. */
        gfx_text_wrap(a->gfx, GFX_REGULAR, sub_px, UI_TEXT_MUTED,
                      ui_rect(in.x, in.y + in.h - sub_h, in.w, sub_h), GFX_LEFT, sub, 1);
        add_row_target(a, id, r, view);
    }
    scr_clip(a, NULL);
}

static void list_enter(app *a)
{
    a->scroll.offset = a->list_offset; /* back from a procedure: where the citizen was */
}

static void list_tap(app *a, const char *id)
{
    if (scr_scroll_tap(a, id) || scr_proc_open(a, id, SCR_PROC_LIST))
        return;
    if (strcmp(id, "back") == 0)
        app_go(a, SCR_PROCS);
}

const screen scr_proc_list = {
    "proc-list", SCR_IDLE_READING, list_enter,        scr_list_leave, list_tap,
    NULL,        list_draw,        SCR_GROUP_CITIZEN, NULL,           0,
    NULL};
