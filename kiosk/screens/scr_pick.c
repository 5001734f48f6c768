/* scr_pick: lobby mode: the citizen picks the officer who served them from photos, names and
 * counters, or "Không nhớ tên cán bộ" (the last card: the vote goes to the desk as a whole). */
#include <stdio.h>
#include <string.h>

#include "scr_common.h"

/* Grid shape for n officers in the body: as few pages as possible, cards not too small. */
static void grid_shape(const app *a, SDL_Rect body, int *cols, int *rows)
{
    const ui_metrics *m = &a->m;
    int max_cols = m->landscape ? 4 : 2;
    int max_rows = m->landscape ? 2 : 5;
    int n = (int)a->content->n_officers + 1; /* + the desk's card */
    *cols = n < max_cols ? (n > 0 ? n : 1) : max_cols;
    *rows = (n + *cols - 1) / *cols;
    if (*rows > max_rows)
        *rows = max_rows;
    if (*rows < 1)
        *rows = 1;
    (void)body;
}

static void pick_draw(app *a)
{
    const ui_metrics *m = &a->m;
    SDL_Rect body = ui_inset(scr_header(a), m->u * 3);
    int bar_h = m->u * 10;
    scr_back_button(a, ui_rect(body.x, body.y, m->u * 26, bar_h));
    /* The prompt beside the back button, centred on it; smaller rather than cut when narrow
     * (portrait). */
    const char *prompt = a->content->msg.pick_prompt;
    SDL_Rect pbox = {body.x + m->u * 29, body.y, body.w - m->u * 29, bar_h};
    int ppx = gfx_fit_px(a->gfx, GFX_BOLD, m->u * 3, m->u * 4, pbox, prompt);
    int pth = gfx_text_wrap(a->gfx, GFX_BOLD, ppx, UI_TEXT, pbox, GFX_LEFT, prompt, 0);
    if (pth < pbox.h)
        pbox.y += (pbox.h - pth) / 2;
    gfx_text_wrap(a->gfx, GFX_BOLD, ppx, UI_TEXT, pbox, GFX_LEFT, prompt, 1);
    SDL_Rect area = {body.x, body.y + bar_h + m->u * 3, body.w, body.h - bar_h - m->u * 3};
    int cols, rows;
    grid_shape(a, area, &cols, &rows);
    scr_grid g =
        scr_grid_begin(a, area, cols, rows, (int)a->content->n_officers + 1, &a->pick_page, bar_h);
    for (int k = 0; k < g.count; k++) {
        size_t i = (size_t)(g.first + k);
        const content_officer *o =
            i < a->content->n_officers ? &a->content->officers[i] : &a->content->desk;
        SDL_Rect c = scr_grid_cell(&g, k);
        char id[UI_ID_MAX];
        snprintf(id, sizeof id, "officer-%s", o->code);
        int pressed = ui_is_pressed(&a->ui, id);
        gfx_fill_rrect(a->gfx, c, m->u * 2, pressed ? UI_PRIMARY : UI_BORDER);
        gfx_fill_rrect(a->gfx, ui_inset(c, m->u / 3 + 1), m->u * 2, UI_SURFACE);
        /* Name (two lines at most), counter, title: the counter is what a citizen remembers
         * best after the face ("the lady at counter 2"). */
        int name_px = m->u * 3, small_px = m->u * 2 + m->u / 2;
        int lhn = gfx_line_height(a->gfx, GFX_BOLD, name_px);
        int lhs = gfx_line_height(a->gfx, GFX_REGULAR, small_px);
        int text_h = lhn * 2 + lhs * 2 + m->u;
        int ph = c.h - text_h - m->u * 3;
        if (ph > c.w - m->u * 4)
            ph = c.w - m->u * 4;
        SDL_Rect photo = {c.x + (c.w - ph) / 2, c.y + m->u * 2, ph, ph};
        scr_officer_photo(a, photo, o);
        int y = photo.y + photo.h + m->u;
        SDL_Rect tb = {c.x + m->u, y, c.w - 2 * m->u, c.y + c.h - y - m->u};
        int used = gfx_text_wrap(a->gfx, GFX_BOLD, name_px, UI_TEXT,
                                 ui_rect(tb.x, tb.y, tb.w, lhn * 2), GFX_CENTER, o->name, 1);
        if (used > lhn * 2)
            used = lhn * 2;
        if (o->counter[0]) {
            char line[64];
            scr_counter_label(o->counter, line, sizeof line);
            gfx_text(a->gfx, GFX_BOLD, small_px, UI_PRIMARY, tb.x + tb.w / 2, tb.y + used,
                     GFX_CENTER, line);
            used += lhs;
        }
        gfx_text_wrap(a->gfx, GFX_REGULAR, small_px, UI_TEXT_MUTED,
                      ui_rect(tb.x, tb.y + used, tb.w, tb.h - used), GFX_CENTER, o->title, 1);
        ui_target_add(&a->ui, id, c);
    }
    scr_grid_end(a, &g);
}

static void pick_tap(app *a, const char *id)
{
    if (strcmp(id, "back") == 0) {
        app_go(a, SCR_HOME);
    } else if (strcmp(id, "prev") == 0) {
        a->pick_page--;
        a->dirty = 1;
    } else if (strcmp(id, "next") == 0) {
        a->pick_page++;
        a->dirty = 1;
    } else if (strncmp(id, "officer-", 8) == 0) {
        a->officer = content_find_voted(a->content, id + 8);
        if (a->officer)
            app_go(a, SCR_RATE);
    }
}

const screen scr_pick = {"pick",    SCR_IDLE_INNER,    NULL, NULL, pick_tap, NULL,
                         pick_draw, SCR_GROUP_CITIZEN, NULL, 0,    NULL};
