/* scr_rate: lobby mode: the picked officer and the three faces. */
#include <string.h>

#include "scr_common.h"

static void rate_draw(app *a)
{
    const ui_metrics *m = &a->m;
    SDL_Rect body = ui_inset(scr_header(a), m->u * 3);
    int bar_h = m->u * 10;
    scr_back_button(a, ui_rect(body.x, body.y, m->u * 26, bar_h));
    int y = body.y + bar_h + m->u * 3;
    int card_h = m->landscape ? body.h * 28 / 100 : body.h * 24 / 100;
    const char *prompt = a->content->msg.rate_prompt;
    /* Two lines at most, whatever the text size ("Chữ to" needs the second one). */
    int max_h = gfx_line_height(a->gfx, GFX_BOLD, m->u * 4) * 2;
    int ph = gfx_text_wrap(a->gfx, GFX_BOLD, m->u * 4, UI_TEXT, ui_rect(0, 0, body.w, max_h),
                           GFX_CENTER, prompt, 0);
    if (ph > max_h)
        ph = max_h;
    int bh = body.y + body.h - (y + card_h + ph + m->u * 6);
    if (!m->landscape && bh > body.w * 3 / 4)
        bh = body.w * 3 / 4;
    scr_officer_card(a, ui_rect(body.x, y, body.w, card_h), a->officer);
    /* Portrait leaves room over: the question and the faces go to the bottom, within reach. */
    y = body.y + body.h - bh - ph - m->u * 3;
    gfx_text_wrap(a->gfx, GFX_BOLD, m->u * 4, UI_TEXT, ui_rect(body.x, y, body.w, max_h),
                  GFX_CENTER, prompt, 1);
    y += ph + m->u * 3;
    scr_rating_buttons(a, ui_rect(body.x, y, body.w, bh));
}

static void rate_tap(app *a, const char *id)
{
    if (strcmp(id, "back") == 0)
        app_go(a, SCR_PICK);
    else if (strncmp(id, "rate-", 5) == 0)
        app_vote(a, id[5] - '0');
}

const screen scr_rate = {"rate",    SCR_IDLE_INNER,    NULL, NULL, rate_tap, NULL,
                         rate_draw, SCR_GROUP_CITIZEN, NULL, 0,    NULL};
