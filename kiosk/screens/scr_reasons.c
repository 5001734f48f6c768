/* scr_reasons: after "Chưa hài lòng", optional reason chips. The vote is already recorded; this
 * only adds reasons. Skipping or waiting is always fine: it times out on its own. */
#include <stdio.h>
#include <string.h>

#include "scr_common.h"

static int64_t ends_at(const app *a)
{
    /* Each touch gives the citizen the full time again. */
    int64_t from = a->last_input_mono > a->entered_mono ? a->last_input_mono : a->entered_mono;
    return from + (int64_t)a->cfg.followup_timeout_s * 1000;
}

static int64_t reasons_update(app *a, int64_t now)
{
    int64_t end = ends_at(a);
    if (now >= end) {
        app_finish_reasons(a); /* keeps whatever was selected */
        return CLK_NEVER;
    }
    /* Redraw once a second for the countdown. */
    int64_t left = end - now;
    if (a->screen_deadline != CLK_NEVER && now >= a->screen_deadline)
        a->dirty = 1;
    return now + (left % 1000 ? left % 1000 : 1000);
}

static void reasons_draw(app *a)
{
    const ui_metrics *m = &a->m;
    SDL_Rect body = ui_inset(scr_header(a), m->u * 3);
    int face = m->u * 12;
    gfx_icon(a->gfx, "face-1", ui_rect(body.x, body.y, face, face));
    /* Portrait is narrow: give the prompt more height so it wraps instead of being cut. */
    int top_h = m->landscape ? face : face * 3 / 2;
    SDL_Rect pr = {body.x + face + m->u * 3, body.y, body.w - face - m->u * 3, top_h};
    const char *prompt = a->content->msg.reasons_prompt;
    int hint_h = gfx_line_height(a->gfx, GFX_REGULAR, m->u * 3);
    SDL_Rect fit = {pr.x, pr.y, pr.w, pr.h - hint_h};
    int px = gfx_fit_px(a->gfx, GFX_BOLD, m->u * 3, m->u * 5, fit, prompt);
    int h = gfx_text_wrap(a->gfx, GFX_BOLD, px, UI_TEXT, fit, GFX_LEFT, prompt, 1);
    gfx_text(a->gfx, GFX_REGULAR, m->u * 3, UI_TEXT_MUTED, pr.x, pr.y + h, GFX_LEFT,
             "Không bắt buộc: có thể bỏ qua.");
    int bar_h = m->u * 11;
    SDL_Rect chips = {body.x, body.y + top_h + m->u * 4, body.w, body.h - top_h - m->u * 8 - bar_h};
    int n = (int)a->content->n_reasons;
    if (n > APP_MAX_REASONS)
        n = APP_MAX_REASONS;
    int cols = m->landscape ? 3 : 2, gap = m->u * 2;
    /* Portrait: one full-width chip per line while they fit at a comfortable height. */
    if (!m->landscape && n * (m->u * 12 + gap) - gap <= chips.h)
        cols = 1;
    int rows = (n + cols - 1) / cols;
    int cw = (chips.w - (cols - 1) * gap) / cols;
    int chh = rows ? (chips.h - (rows - 1) * gap) / rows : 0;
    if (chh > m->u * 14)
        chh = m->u * 14;
    for (int i = 0; i < n; i++) {
        char id[UI_ID_MAX];
        snprintf(id, sizeof id, "reason-%s", a->content->reasons[i].code);
        SDL_Rect c = {chips.x + (i % cols) * (cw + gap), chips.y + (i / cols) * (chh + gap), cw,
                      chh};
        ui_button(&a->ui, a->gfx, m, id, c, a->content->reasons[i].label,
                  a->reason_on[i] ? UI_BTN_CHIP_ON : UI_BTN_CHIP);
        if (a->reason_on[i]) /* a tick as well as the colour, for who cannot tell colours */
            gfx_icon(a->gfx, "check", ui_rect(c.x + m->u, c.y + m->u, m->u * 4, m->u * 4));
    }
    int y = body.y + body.h - bar_h;
    int bw = m->landscape ? body.w / 3 : body.w / 2 - gap;
    ui_button(&a->ui, a->gfx, m, "skip", ui_rect(body.x, y, bw, bar_h), "Bỏ qua", UI_BTN_SECONDARY);
    ui_button(&a->ui, a->gfx, m, "send", ui_rect(body.x + body.w - bw, y, bw, bar_h), "Gửi ý kiến",
              UI_BTN_PRIMARY);
    char left[80];
    int64_t secs = (ends_at(a) - clk_mono_ms(a->clock) + 999) / 1000;
    snprintf(left, sizeof left, "Tự đóng sau %lld giây", (long long)(secs > 0 ? secs : 0));
    if (m->landscape)
        gfx_text(a->gfx, GFX_REGULAR, m->u * 3, UI_TEXT_MUTED, body.x + body.w / 2,
                 y + (bar_h - gfx_line_height(a->gfx, GFX_REGULAR, m->u * 3)) / 2, GFX_CENTER,
                 left);
    else
        gfx_text(a->gfx, GFX_REGULAR, m->u * 3, UI_TEXT_MUTED, body.x + body.w / 2, y - m->u * 6,
                 GFX_CENTER, left);
}

static void reasons_tap(app *a, const char *id)
{
    if (strcmp(id, "skip") == 0) {
        memset(a->reason_on, 0, sizeof a->reason_on);
        app_finish_reasons(a);
    } else if (strcmp(id, "send") == 0) {
        app_finish_reasons(a);
    } else if (strncmp(id, "reason-", 7) == 0) {
        for (size_t i = 0; i < a->content->n_reasons && i < APP_MAX_REASONS; i++)
            if (strcmp(a->content->reasons[i].code, id + 7) == 0)
                a->reason_on[i] = !a->reason_on[i];
        a->dirty = 1;
    }
}

const screen scr_reasons = {
    "reasons",    SCR_IDLE_OWN,      NULL, NULL, reasons_tap, reasons_update,
    reasons_draw, SCR_GROUP_CITIZEN, NULL, 0,    NULL};
