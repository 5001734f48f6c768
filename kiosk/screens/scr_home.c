/* scr_home: the start screen. Desk mode: the counter's officer and the three faces, so a vote is
 * one tap. Lobby mode: a big entry to rate an officer. Both: commune, clock and slogans. */
#include <string.h>

#include "scr_common.h"

static int64_t home_update(app *a, int64_t now)
{
    return scr_slogan_tick(a, now, 0); /* the header clock is the app's (app_update) */
}

static void draw_desk(app *a, SDL_Rect main)
{
    const ui_metrics *m = &a->m;
    int card_h = main.h * 30 / 100;
    if (card_h < m->u * 21) /* room for name, title and counter under the tiles row */
        card_h = m->u * 21;
    scr_officer_card(a, ui_rect(main.x, main.y, main.w, card_h), a->officer);
    int y = main.y + card_h + m->u * 2;
    SDL_Rect pr = ui_rect(main.x, y, main.w, m->u * 10);
    const char *prompt = a->content->msg.rate_prompt;
    int ppx = gfx_fit_px(a->gfx, GFX_BOLD, m->u * 3, m->u * 4, pr, prompt);
    int ph = gfx_text_wrap(a->gfx, GFX_BOLD, ppx, UI_TEXT, pr, GFX_CENTER, prompt, 1);
    y += ph + m->u * 2;
    scr_rating_buttons(a, ui_rect(main.x, y, main.w, main.y + main.h - y));
}

static void draw_lobby(app *a, SDL_Rect main)
{
    const ui_metrics *m = &a->m;
    const char *id = "rate";
    int pressed = ui_is_pressed(&a->ui, id);
    gfx_fill_rrect(a->gfx, main, m->u * 3, pressed ? UI_PRIMARY_DARK : UI_PRIMARY);
    SDL_Rect in = ui_inset(main, m->u * 4);
    int title_px = m->u * 7;
    int lh = gfx_line_height(a->gfx, GFX_BOLD, title_px);
    int face = in.w / 3 - m->u * 4;
    if (face > in.h / 2 - lh)
        face = in.h / 2 - lh;
    const char *sub = "Chạm vào đây để cho biết ông/bà có hài lòng không";
    SDL_Rect sub_box = {in.x, 0, in.w, in.h};
    int sub_h = gfx_text_wrap(a->gfx, GFX_REGULAR, m->u * 3, UI_ON_PRIMARY, sub_box, GFX_CENTER,
                              sub, 0); /* one line, or two under "Chữ to" */
    int total = face + m->u * 4 + lh + m->u * 2 + sub_h;
    int y = in.y + (in.h - total) / 2;
    int gap = m->u * 3;
    int x0 = in.x + (in.w - 3 * face - 2 * gap) / 2;
    for (int i = 0; i < 3; i++) {
        char icon[16];
        snprintf(icon, sizeof icon, "face-%d", 3 - i);
        gfx_icon(a->gfx, icon, ui_rect(x0 + i * (face + gap), y, face, face));
    }
    y += face + m->u * 4;
    gfx_text(a->gfx, GFX_BOLD, title_px, UI_ON_PRIMARY, in.x + in.w / 2, y, GFX_CENTER,
             "Đánh giá cán bộ");
    y += lh + m->u * 2;
    sub_box.y = y;
    sub_box.h = sub_h;
    gfx_text_wrap(a->gfx, GFX_REGULAR, m->u * 3, (SDL_Color){0xDC, 0xE6, 0xF7, 0xFF}, sub_box,
                  GFX_CENTER, sub, 1);
    ui_target_add(&a->ui, id, main);
}

static void tiles(app *a, SDL_Rect row)
{
    const ui_metrics *m = &a->m;
    const char *ids[5], *labels[5];
    int n = 0;
    if (a->procs) { /* no procedures published: no dead entry for them */
        ids[n] = "procs", labels[n++] = "Thủ tục hành chính";
        ids[n] = "fees", labels[n++] = "Phí, lệ phí";
    }
    ids[n] = "directory", labels[n++] = "Danh bạ cán bộ";
    ids[n] = "feedback", labels[n++] = "Góp ý – Phản ánh";
    /* The switch says what a tap does: larger text, or back to the normal size. */
    ids[n] = "large-text", labels[n++] = a->large_text ? "Chữ thường" : "Chữ to";
    int gap = m->u * 2, w = (row.w - (n - 1) * gap) / n, px = m->u * 4;
    /* One size for the row: the one the longest label fits at. */
    for (int i = 0; i < n; i++) {
        int p = ui_button_label_px(a->gfx, m, ui_rect(row.x, row.y, w, row.h), labels[i]);
        px = p < px ? p : px;
    }
    for (int i = 0; i < n; i++)
        ui_button_px(
            &a->ui, a->gfx, m, ids[i], ui_rect(row.x + i * (w + gap), row.y, w, row.h), labels[i],
            strcmp(ids[i], "large-text") == 0 && a->large_text ? UI_BTN_PRIMARY : UI_BTN_SECONDARY,
            px);
}

static void home_draw(app *a)
{
    const ui_metrics *m = &a->m;
    SDL_Rect body = ui_inset(scr_header(a), m->u * 3);
    /* The entries to read while waiting, as a row along the bottom; taller in portrait, where
     * the tiles are narrow and a label needs two lines to keep the size of the others. */
    int row_h = m->landscape ? m->u * 11 : m->u * 15;
    tiles(a, ui_rect(body.x, body.y + body.h - row_h, body.w, row_h));
    body.h -= row_h + m->u * 2;
    SDL_Rect main, side;
    if (m->landscape) {
        main = ui_rect(body.x, body.y, body.w * 60 / 100, body.h);
        side = ui_rect(main.x + main.w + m->u * 3, body.y, body.w - main.w - m->u * 3, body.h);
    } else {
        int side_h = body.h * 32 / 100;
        main = ui_rect(body.x, body.y, body.w, body.h - side_h - m->u * 3);
        side = ui_rect(body.x, main.y + main.h + m->u * 3, body.w, side_h);
    }
    if (a->cfg.mode == CFG_MODE_DESK)
        draw_desk(a, main);
    else
        draw_lobby(a, main);
    scr_slogan_panel(a, side, 0);
}

static void home_enter(app *a)
{
    a->officer = a->desk_officer; /* lobby: NULL until one is picked */
}

static void home_tap(app *a, const char *id)
{
    if (strcmp(id, "rate") == 0) {
        a->pick_page = 0;
        app_go(a, SCR_PICK);
    } else if (strcmp(id, "procs") == 0) {
        app_go(a, SCR_PROCS);
    } else if (strcmp(id, "fees") == 0) {
        a->detail_back = SCR_HOME;
        app_go(a, SCR_FEES);
    } else if (strcmp(id, "directory") == 0) {
        app_go(a, SCR_DIRECTORY);
    } else if (strcmp(id, "feedback") == 0) {
        app_fb_start(a, NULL, NULL, NULL);
        app_go(a, SCR_FB_KIND);
    } else if (strcmp(id, "large-text") == 0) {
        a->large_text = !a->large_text;
        a->dirty = 1;
    } else if (strncmp(id, "rate-", 5) == 0 && a->officer) {
        app_vote(a, id[5] - '0');
    }
}

const screen scr_home = {"home",    SCR_IDLE_HOME,     home_enter, NULL, home_tap, home_update,
                         home_draw, SCR_GROUP_CITIZEN, NULL,       0,    NULL};
