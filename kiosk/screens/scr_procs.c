/* scr_procs: "Thủ tục hành chính": the fields (lĩnh vực) as big tiles with how many procedures
 * each holds, and the way into search. */
#include <stdio.h>
#include <string.h>

#include "scr_common.h"

static void procs_draw(app *a)
{
    const ui_metrics *m = &a->m;
    SDL_Rect body = scr_title_bar(a, "Thủ tục hành chính");
    int bar_h = m->u * 11;
    ui_button(&a->ui, a->gfx, m, "search", ui_rect(body.x, body.y, body.w, bar_h),
              "Tìm thủ tục theo tên (gõ không dấu cũng được)", UI_BTN_PRIMARY);
    SDL_Rect grid = {body.x, body.y + bar_h + m->u * 2, body.w, body.h - bar_h - m->u * 2};
    const proc_set *ps = a->procs;
    int n = (int)ps->n_fields;
    int cols = m->landscape ? 3 : 2;
    int rows = (n + cols - 1) / cols;
    int gap = m->u * 2;
    int cw = (grid.w - (cols - 1) * gap) / cols;
    int ch = rows ? (grid.h - (rows - 1) * gap) / rows : 0;
    if (ch > m->u * 22)
        ch = m->u * 22;
    for (int i = 0; i < n; i++) {
        char id[UI_ID_MAX], count[48];
        snprintf(id, sizeof id, "field-%d", i);
        snprintf(count, sizeof count, "%zu thủ tục", ps->fields[i].n_items);
        SDL_Rect c = {grid.x + (i % cols) * (cw + gap), grid.y + (i / cols) * (ch + gap), cw, ch};
        int pressed = ui_is_pressed(&a->ui, id);
        gfx_fill_rrect(a->gfx, c, m->u * 2, pressed ? UI_PRIMARY : UI_BORDER);
        gfx_fill_rrect(a->gfx, ui_inset(c, m->u / 3 + 1), m->u * 2,
                       pressed ? UI_BORDER : UI_SURFACE);
        SDL_Rect in = ui_inset(c, m->u * 2);
        int count_h = gfx_line_height(a->gfx, GFX_REGULAR, m->u * 3);
        SDL_Rect nr = {in.x, in.y, in.w, in.h - count_h};
        int px = gfx_fit_px(a->gfx, GFX_BOLD, m->u * 3, m->u * 4, nr, ps->fields[i].name);
        int h =
            gfx_text_wrap(a->gfx, GFX_BOLD, px, UI_PRIMARY, nr, GFX_CENTER, ps->fields[i].name, 0);
        int y = in.y + (in.h - h - count_h) / 2;
        gfx_text_wrap(a->gfx, GFX_BOLD, px, UI_PRIMARY, ui_rect(in.x, y, in.w, h), GFX_CENTER,
                      ps->fields[i].name, 1);
        gfx_text(a->gfx, GFX_REGULAR, m->u * 3, UI_TEXT_MUTED, in.x + in.w / 2, y + h, GFX_CENTER,
                 count);
        ui_target_add(&a->ui, id, c);
    }
}

static void procs_tap(app *a, const char *id)
{
    if (strcmp(id, "back") == 0) {
        app_go(a, SCR_HOME);
    } else if (strcmp(id, "search") == 0) {
        a->query[0] = '\0';
        app_go(a, SCR_SEARCH);
    } else if (strncmp(id, "field-", 6) == 0) {
        long i;
        if (util_parse_int(id + 6, 0, (long)a->procs->n_fields - 1, &i) == 0) {
            a->proc_field = (size_t)i;
            a->list_offset = 0;
            app_go(a, SCR_PROC_LIST);
        }
    }
}

const screen scr_procs = {"procs",    SCR_IDLE_READING,  NULL, NULL, procs_tap, NULL,
                          procs_draw, SCR_GROUP_CITIZEN, NULL, 0,    NULL};
