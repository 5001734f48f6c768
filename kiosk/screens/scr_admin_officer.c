/* scr_admin_officer: desk mode: which officer sits at this counter now. The choice is kept in the
 * store (it survives a restart and overrides the config's officer) and Home shows it at once. */
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "scr_common.h"

static const SDL_Color RED = {0xB7, 0x1C, 0x1C, 0xFF};

static void counter_enter(app *a)
{
    admin_officer_enter(a->admin);
}

/* code: the officer chosen, NULL for the configuration's. Home shows the change at once. */
static void choose(app *a, const char *code)
{
    const content_officer *now = NULL;
    int failed = admin_set_desk_officer(a->admin, code, &now) != 0;
    if (!failed && now) {
        a->desk_officer = now;
        a->officer = now;
    }
    admin_officer_enter(a->admin);
    a->admin->desk_failed = failed;
}

static void counter_draw(app *a)
{
    const ui_metrics *m = &a->m;
    admin *ad = a->admin;
    SDL_Rect body = scr_title_bar(a, "Chọn cán bộ ngồi tại quầy này");
    /* What is in force now, and where it comes from. */
    char line[256];
    const content_officer *cur = a->desk_officer;
    snprintf(line, sizeof line, "Hiện tại: %s%s", cur ? cur->name : "(chưa có)",
             ad->desk_code[0] ? " — chọn trên màn hình này" : " — theo tệp cấu hình");
    int px = m->u * 3;
    int lh = gfx_line_height(a->gfx, GFX_REGULAR, px);
    int bar_h = m->u * 9;
    /* Beside the button; two lines where narrow (portrait). */
    SDL_Rect cur_box = {body.x, body.y, body.w - m->u * 42, bar_h};
    int cpx = gfx_fit_px(a->gfx, GFX_REGULAR, m->u * 2 + m->u / 2, px, cur_box, line);
    int cur_h = gfx_text_wrap(a->gfx, GFX_REGULAR, cpx, UI_TEXT_MUTED, cur_box, GFX_LEFT, line, 0);
    if (cur_h < bar_h)
        cur_box.y += (bar_h - cur_h) / 2;
    gfx_text_wrap(a->gfx, GFX_REGULAR, cpx, UI_TEXT_MUTED, cur_box, GFX_LEFT, line, 1);
    if (ad->desk_code[0])
        ui_button(&a->ui, a->gfx, m, "officer-config",
                  ui_rect(body.x + body.w - m->u * 40, body.y, m->u * 40, bar_h),
                  "Dùng theo tệp cấu hình", UI_BTN_SECONDARY);
    int y = body.y + bar_h + m->u * 2;
    if (ad->desk_failed) {
        gfx_text(a->gfx, GFX_BOLD, px, RED, body.x, y, GFX_LEFT,
                 "Không lưu được lựa chọn (lỗi cơ sở dữ liệu). Xem nhật ký của máy.");
        y += lh + m->u;
    }

    /* The officers as cards, paged. */
    scr_grid g =
        scr_grid_begin(a, ui_rect(body.x, y, body.w, body.y + body.h - y), m->landscape ? 3 : 2,
                       m->landscape ? 2 : 4, (int)a->content->n_officers, &ad->officer_page, bar_h);
    if (g.ch > m->u * 24)
        g.ch = m->u * 24;
    for (int k = 0; k < g.count; k++) {
        const content_officer *o = &a->content->officers[g.first + k];
        SDL_Rect c = scr_grid_cell(&g, k);
        char id[UI_ID_MAX];
        snprintf(id, sizeof id, "officer-%s", o->code);
        int on = o == cur, pressed = ui_is_pressed(&a->ui, id);
        gfx_fill_rrect(a->gfx, c, m->u * 2, on || pressed ? UI_PRIMARY : UI_BORDER);
        gfx_fill_rrect(a->gfx, ui_inset(c, on ? m->u / 2 + 2 : m->u / 3 + 1), m->u * 2, UI_SURFACE);
        int pad = m->u * 2;
        int ph = c.h - 2 * pad;
        SDL_Rect photo = {c.x + pad, c.y + pad, ph, ph};
        if (!o->photo || gfx_image(a->gfx, o->photo, photo) != 0)
            gfx_placeholder_avatar(a->gfx, photo, o->name);
        int tx = photo.x + photo.w + pad;
        SDL_Rect tb = {tx, c.y + pad, c.x + c.w - pad - tx, c.h - 2 * pad};
        int tpx = m->u * 2 + m->u / 3;
        SDL_Rect nb = {tb.x, tb.y, tb.w - m->u * 2,
                       gfx_line_height(a->gfx, GFX_BOLD, m->u * 3) * 2};
        int npx = gfx_fit_px(a->gfx, GFX_BOLD, m->u * 2 + m->u / 2, m->u * 3, nb, o->name);
        int nh = gfx_text_wrap(a->gfx, GFX_BOLD, npx, UI_TEXT, nb, GFX_LEFT, o->name, 1);
        int lim = nb.h;
        nh = nh < lim ? nh : lim;
        int th = gfx_text_wrap(a->gfx, GFX_REGULAR, tpx, UI_TEXT_MUTED,
                               ui_rect(tb.x, tb.y + nh, tb.w, tb.h - nh - m->u * 3), GFX_LEFT,
                               o->title, 1);
        if (o->counter[0] && tb.y + nh + th + m->u * 3 <= tb.y + tb.h) {
            char q[64];
            scr_counter_label(o->counter, q, sizeof q);
            gfx_text(a->gfx, GFX_BOLD, tpx, UI_PRIMARY, tb.x, tb.y + tb.h - m->u * 3, GFX_LEFT, q);
        }
        if (on)
            gfx_icon(a->gfx, "check",
                     ui_rect(c.x + c.w - m->u * 6, c.y + m->u * 2, m->u * 4, m->u * 4));
        ui_target_add(&a->ui, id, c);
    }
    scr_grid_end(a, &g);
}

static void counter_tap(app *a, const char *id)
{
    admin *ad = a->admin;
    if (strcmp(id, "back") == 0) {
        app_go(a, SCR_ADMIN);
    } else if (strcmp(id, "prev") == 0) {
        ad->officer_page--;
        a->dirty = 1;
    } else if (strcmp(id, "next") == 0) {
        ad->officer_page++;
        a->dirty = 1;
    } else if (strcmp(id, "officer-config") == 0) {
        choose(a, NULL);
    } else if (strncmp(id, "officer-", 8) == 0) {
        choose(a, id + 8);
    }
}

const screen scr_admin_officer = {"admin-officer",
                                  SCR_IDLE_OWN,
                                  counter_enter,
                                  scr_admin_leave,
                                  counter_tap,
                                  scr_admin_update,
                                  counter_draw,
                                  SCR_GROUP_ADMIN,
                                  NULL,
                                  0,
                                  NULL};
