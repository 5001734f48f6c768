/* scr_fb_kind: the feedback form's first step: what the citizen wants to send, as three large
 * buttons with a line each saying what belongs there. */
#include <stdio.h>
#include <string.h>

#include "fb_common.h"

static const struct {
    const char *kind, *sub;
} kinds[] = {
    {STORE_FB_GOP_Y, "Ý kiến để Ủy ban nhân dân xã phục vụ Nhân dân tốt hơn"},
    {STORE_FB_PHAN_ANH,
     "Chậm trễ, sai sót, yêu cầu giấy tờ không đúng quy định, thái độ chưa đúng mực…"},
    {STORE_FB_BIEU_DUONG, "Khen ngợi cán bộ đã phục vụ ông/bà tận tình, chu đáo"},
};

static void kind_draw(app *a)
{
    const ui_metrics *m = &a->m;
    SDL_Rect body = scr_title_bar(a, "Góp ý – Phản ánh");
    const char *intro = "Ông/bà muốn gửi tới Ủy ban nhân dân xã:";
    int ipx = m->u * 3 + m->u / 2;
    int ih = gfx_text_wrap(a->gfx, GFX_REGULAR, ipx, UI_TEXT, body, GFX_LEFT, intro, 1);
    const char *foot = "Không cần nêu tên: ông/bà có thể gửi ẩn danh.";
    int fpx = m->u * 3, fh = gfx_line_height(a->gfx, GFX_REGULAR, fpx) * 2;
    SDL_Rect list = {body.x, body.y + ih + m->u * 2, body.w, body.h - ih - m->u * 4 - fh};
    int n = (int)HL_ARRAY_LEN(kinds), gap = m->u * 3;
    /* Landscape: side by side; portrait: one above the other, within thumb reach. */
    for (int i = 0; i < n; i++) {
        SDL_Rect r = m->landscape ? ui_rect(list.x + i * ((list.w - 2 * gap) / 3 + gap), list.y,
                                            (list.w - 2 * gap) / 3, list.h)
                                  : ui_rect(list.x, list.y + i * ((list.h - 2 * gap) / 3 + gap),
                                            list.w, (list.h - 2 * gap) / 3);
        char id[UI_ID_MAX];
        snprintf(id, sizeof id, "kind-%s", kinds[i].kind);
        int on =
            ui_is_pressed(&a->ui, id) || (a->fb.kind && strcmp(a->fb.kind, kinds[i].kind) == 0);
        gfx_fill_rrect(a->gfx, r, m->u * 3, on ? UI_PRIMARY_DARK : UI_PRIMARY);
        SDL_Rect in = ui_inset(r, m->u * 3);
        const char *title = fb_kind_label(kinds[i].kind);
        SDL_Rect tb = {in.x, 0, in.w, in.h / 2};
        int tpx = gfx_fit_px(a->gfx, GFX_BOLD, m->u * 3, m->u * 5, tb, title);
        int th = gfx_text_wrap(a->gfx, GFX_BOLD, tpx, UI_ON_PRIMARY, tb, GFX_CENTER, title, 0);
        SDL_Rect sb = {in.x, 0, in.w, in.h - th - m->u * 2};
        int spx = gfx_fit_px(a->gfx, GFX_REGULAR, m->u * 2, m->u * 3, sb, kinds[i].sub);
        int sh =
            gfx_text_wrap(a->gfx, GFX_REGULAR, spx, UI_ON_PRIMARY, sb, GFX_CENTER, kinds[i].sub, 0);
        if (sh > sb.h)
            sh = sb.h;
        tb.y = in.y + (in.h - th - m->u * 2 - sh) / 2;
        gfx_text_wrap(a->gfx, GFX_BOLD, tpx, UI_ON_PRIMARY, tb, GFX_CENTER, title, 1);
        sb.y = tb.y + th + m->u * 2;
        gfx_text_wrap(a->gfx, GFX_REGULAR, spx, (SDL_Color){0xDC, 0xE6, 0xF7, 0xFF}, sb, GFX_CENTER,
                      kinds[i].sub, 1);
        ui_target_add(&a->ui, id, r);
    }
    gfx_text_wrap(a->gfx, GFX_REGULAR, fpx, UI_TEXT_MUTED,
                  ui_rect(body.x, list.y + list.h + m->u * 2, body.w, fh), GFX_CENTER, foot, 1);
}

static void kind_tap(app *a, const char *id)
{
    if (strcmp(id, "back") == 0) {
        app_go(a, SCR_HOME); /* forgets the draft */
        return;
    }
    for (size_t i = 0; i < HL_ARRAY_LEN(kinds); i++)
        if (strncmp(id, "kind-", 5) == 0 && strcmp(id + 5, kinds[i].kind) == 0) {
            a->fb.kind = kinds[i].kind;
            app_go(a, SCR_FB_OFFICER);
        }
}

const screen scr_fb_kind = {"fb-kind", SCR_IDLE_INNER,    NULL, NULL, kind_tap, NULL,
                            kind_draw, SCR_GROUP_CITIZEN, NULL, 0,    NULL};
