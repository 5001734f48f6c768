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
    int card_h = m->landscape ? body.h * 28 / 100 : body.h * 22 / 100;
    scr_officer_card(a, ui_rect(body.x, y, body.w, card_h), a->officer);
    y += card_h + m->u * 3;
    int ph =
        gfx_text_wrap(a->gfx, GFX_BOLD, m->u * 4, UI_TEXT, ui_rect(body.x, y, body.w, m->u * 12),
                      GFX_CENTER, a->content->msg.rate_prompt, 1);
    y += ph + m->u * 3;
    int bh = body.y + body.h - y;
    if (!m->landscape && bh > body.w / 2)
        bh = body.w / 2;
    scr_rating_buttons(a, ui_rect(body.x, y, body.w, bh));
}

static void rate_tap(app *a, const char *id)
{
    if (strcmp(id, "back") == 0)
        app_go(a, SCR_PICK);
    else if (strncmp(id, "rate-", 5) == 0)
        app_vote(a, id[5] - '0');
}

const screen scr_rate = {"rate", 0, NULL, NULL, rate_tap, NULL, rate_draw};
