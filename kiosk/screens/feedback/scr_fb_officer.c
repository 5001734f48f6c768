/* scr_fb_officer: the feedback form's second step: the officer it is about, from the same photo
 * grid as the lobby's, or "Không nêu tên cán bộ". For "Đề nghị biểu dương" the officer is the
 * point, so the question says so; for the others naming one is optional. */
#include <stdio.h>
#include <string.h>

#include "fb_common.h"

#define NONE_ID "officer-none"

static void card(app *a, SDL_Rect c, const char *id, const content_officer *o, const char *name,
                 int chosen)
{
    const ui_metrics *m = &a->m;
    int pressed = ui_is_pressed(&a->ui, id);
    gfx_fill_rrect(a->gfx, c, m->u * 2, pressed || chosen ? UI_PRIMARY : UI_BORDER);
    gfx_fill_rrect(a->gfx, ui_inset(c, chosen ? m->u / 2 + 2 : m->u / 3 + 1), m->u * 2, UI_SURFACE);
    int name_px = m->u * 3, small_px = m->u * 2 + m->u / 2;
    int lhn = gfx_line_height(a->gfx, GFX_BOLD, name_px);
    int lhs = gfx_line_height(a->gfx, GFX_REGULAR, small_px);
    int ph = c.h - lhn * 2 - lhs * 2 - m->u * 4;
    if (ph > c.w - m->u * 4)
        ph = c.w - m->u * 4;
    if (ph < 0)
        ph = 0;
    SDL_Rect photo = {c.x + (c.w - ph) / 2, c.y + m->u * 2, ph, ph};
    scr_officer_photo(a, photo, o);
    int y = photo.y + photo.h + m->u;
    SDL_Rect tb = {c.x + m->u, y, c.w - 2 * m->u, c.y + c.h - y - m->u};
    int used = gfx_text_wrap(a->gfx, GFX_BOLD, name_px, UI_TEXT, ui_rect(tb.x, tb.y, tb.w, lhn * 2),
                             GFX_CENTER, name, 1);
    if (used > lhn * 2)
        used = lhn * 2;
    if (o != &a->content->desk)
        gfx_text_wrap(a->gfx, GFX_REGULAR, small_px, UI_TEXT_MUTED,
                      ui_rect(tb.x, tb.y + used, tb.w, tb.h - used), GFX_CENTER, o->title, 1);
    ui_target_add(&a->ui, id, c);
}

static void officer_draw(app *a)
{
    const ui_metrics *m = &a->m;
    int praise = a->fb.kind && strcmp(a->fb.kind, STORE_FB_BIEU_DUONG) == 0;
    SDL_Rect body = scr_title_bar(a, praise ? "Ông/bà muốn biểu dương cán bộ nào?"
                                            : "Ý kiến về cán bộ nào? (không bắt buộc)");
    int n = (int)a->content->n_officers + 1; /* + "Không nêu tên cán bộ", last */
    int max_cols = m->landscape ? 4 : 2, max_rows = m->landscape ? 2 : 4;
    int cols = n < max_cols ? n : max_cols, rows = (n + cols - 1) / cols;
    if (rows > max_rows)
        rows = max_rows;
    scr_grid g = scr_grid_begin(a, body, cols, rows, n, &a->fb.page, m->u * 10);
    for (int k = 0; k < g.count; k++) {
        size_t i = (size_t)(g.first + k);
        SDL_Rect c = scr_grid_cell(&g, k);
        if (i < a->content->n_officers) {
            const content_officer *o = &a->content->officers[i];
            char id[UI_ID_MAX];
            snprintf(id, sizeof id, "officer-%s", o->code);
            card(a, c, id, o, o->name, a->fb.officer == o);
        } else {
            card(a, c, NONE_ID, &a->content->desk, "Không nêu tên cán bộ", 0);
        }
    }
    scr_grid_end(a, &g);
}

static void officer_tap(app *a, const char *id)
{
    if (strcmp(id, "back") == 0) {
        app_go(a, SCR_FB_KIND);
    } else if (strcmp(id, "prev") == 0) {
        a->fb.page--;
        a->dirty = 1;
    } else if (strcmp(id, "next") == 0) {
        a->fb.page++;
        a->dirty = 1;
    } else if (strcmp(id, NONE_ID) == 0) {
        a->fb.officer = NULL;
        app_go(a, SCR_FB_TEXT);
    } else if (strncmp(id, "officer-", 8) == 0) {
        const content_officer *o = content_find_officer(a->content, id + 8);
        if (o) {
            a->fb.officer = o;
            app_go(a, SCR_FB_TEXT);
        }
    }
}

const screen scr_fb_officer = {"fb-officer", SCR_IDLE_INNER,    NULL, NULL, officer_tap, NULL,
                               officer_draw, SCR_GROUP_CITIZEN, NULL, 0,    NULL};
