/* scr_thanks: "biết cảm ơn" after a positive vote, "biết xin lỗi" after a negative one, or an
 * honest "could not record" when the database refused the vote. Returns Home on its own. */
#include <string.h>

#include "scr_common.h"

static int64_t thanks_update(app *a, int64_t now)
{
    int64_t end = a->entered_mono + (int64_t)a->cfg.thanks_s * 1000;
    if (a->thanks == THANKS_ERROR)
        end += (int64_t)a->cfg.thanks_s * 1000; /* give time to read and call an officer */
    if (now >= end) {
        app_go(a, SCR_HOME);
        return CLK_NEVER;
    }
    return end;
}

static void thanks_draw(app *a)
{
    const ui_metrics *m = &a->m;
    SDL_Rect body = ui_inset(scr_header(a), m->u * 3);
    const content_messages *msg = &a->content->msg;
    const char *title, *text, *icon;
    SDL_Color tc;
    switch (a->thanks) {
    case THANKS_POSITIVE:
        title = msg->thanks_title, text = msg->thanks_text,
        icon = a->vote.rating == 3 ? "face-3" : "face-2";
        tc = UI_RATING_FG[3];
        break;
    case THANKS_APOLOGY:
        title = msg->apology_title, text = msg->apology_text, icon = "face-1";
        tc = UI_PRIMARY;
        break;
    default:
        title = msg->error_title, text = msg->error_text, icon = "warning";
        tc = UI_RATING_FG[1];
        break;
    }
    gfx_fill_rrect(a->gfx, body, m->u * 3, UI_SURFACE);
    SDL_Rect in = ui_inset(body, m->u * 4);
    int bar_h = m->u * 11;
    int face = m->landscape ? in.h / 3 : in.w * 2 / 5;
    /* Measure icon, title and text first, then centre them above the button. */
    int avail = in.h - bar_h - m->u * 2;
    SDL_Rect tr = {in.x, 0, in.w, m->u * 16};
    int tpx = gfx_fit_px(a->gfx, GFX_BOLD, m->u * 4, m->u * 7, tr, title);
    int th = gfx_text_wrap(a->gfx, GFX_BOLD, tpx, tc, tr, GFX_CENTER, title, 0);
    if (th > tr.h)
        th = tr.h;
    SDL_Rect xr = {in.x + in.w / 10, 0, in.w * 8 / 10, avail - face - th - m->u * 5};
    int px = gfx_fit_px(a->gfx, GFX_REGULAR, m->u * 3, m->u * 4 + m->u / 2, xr, text);
    int xh = gfx_text_wrap(a->gfx, GFX_REGULAR, px, UI_TEXT, xr, GFX_CENTER, text, 0);
    if (xh > xr.h)
        xh = xr.h;
    int y = in.y + (avail - (face + th + xh + m->u * 5)) / 2;
    if (y < in.y)
        y = in.y;
    if (gfx_icon(a->gfx, icon, ui_rect(in.x + (in.w - face) / 2, y, face, face)) != 0 &&
        a->thanks == THANKS_ERROR)
        gfx_fill_circle(a->gfx, in.x + in.w / 2, y + face / 2, face / 2, tc);
    y += face + m->u * 3;
    tr.y = y;
    gfx_text_wrap(a->gfx, GFX_BOLD, tpx, tc, tr, GFX_CENTER, title, 1);
    y += th + m->u * 2;
    xr.y = y;
    gfx_text_wrap(a->gfx, GFX_REGULAR, px, UI_TEXT, xr, GFX_CENTER, text, 1);
    int bw = m->u * 36;
    ui_button(&a->ui, a->gfx, m, "done",
              ui_rect(in.x + (in.w - bw) / 2, in.y + in.h - bar_h, bw, bar_h), "Xong",
              UI_BTN_PRIMARY);
}

static void thanks_tap(app *a, const char *id)
{
    if (strcmp(id, "done") == 0)
        app_go(a, SCR_HOME);
}

const screen scr_thanks = {"thanks",    SCR_IDLE_OWN,      NULL, NULL, thanks_tap, thanks_update,
                           thanks_draw, SCR_GROUP_CITIZEN, NULL, 0};
