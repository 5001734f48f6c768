/* scr_common: drawing shared by several screens (header, officer card, rating buttons, slogans). */
#include "scr_common.h"

#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "log.h"
#include "rating.h"
#include "util.h"

SDL_Rect scr_header(app *a)
{
    const ui_metrics *m = &a->m;
    /* The header (commune, desk, clock) keeps its size under "Chữ to": it is the frame, not what
     * the citizen reads to get something done, and its fixed bar has no room to grow. */
    int scale = gfx_text_scale(a->gfx);
    gfx_set_text_scale(a->gfx, 100);
    int hh = m->u * 13;
    SDL_Rect bar = {0, 0, m->w, hh};
    gfx_fill_rect(a->gfx, bar, UI_PRIMARY);
    /* A thin red-gold stripe: the colours of Vietnamese state signage, kept discreet. */
    SDL_Color red = {0xC6, 0x28, 0x28, 0xFF}, gold = {0xF9, 0xC7, 0x4F, 0xFF};
    gfx_fill_rect(a->gfx, ui_rect(0, hh, m->w, m->u / 2 + 1), red);
    gfx_fill_rect(a->gfx, ui_rect(0, hh + m->u / 2 + 1, m->w, m->u / 4 + 1), gold);
    int pad = m->u * 3;
    int64_t wall = clk_wall_ms(a->clock);
    char date[11], hm[6], line[64];
    clk_format_date(wall, date);
    clk_format_time(wall, hm);
    clk_local l = clk_to_local(wall);
    snprintf(line, sizeof line, "%s, %s", clk_weekday_vi(l.weekday), date);
    int time_px = m->u * 5, date_px = m->u * 2 + m->u / 2;
    int tw = gfx_text(a->gfx, GFX_BOLD, time_px, UI_ON_PRIMARY, m->w - pad, m->u, GFX_RIGHT, hm);
    int dw = gfx_text_width(a->gfx, GFX_REGULAR, date_px, line);
    gfx_text(a->gfx, GFX_REGULAR, date_px, UI_ON_PRIMARY, m->w - pad, m->u * 8, GFX_RIGHT, line);
    int right = (tw > dw ? tw : dw) + pad * 2;
    SDL_Rect name_box = {pad, m->u * 2, m->w - right - pad, m->u * 6};
    int name_px = gfx_fit_px(a->gfx, GFX_BOLD, m->u * 3, m->u * 4 + m->u / 2, name_box,
                             a->content->commune_name);
    gfx_text_wrap(a->gfx, GFX_BOLD, name_px, UI_ON_PRIMARY, name_box, GFX_LEFT,
                  a->content->commune_name, 1);
    SDL_Color soft = {0xDC, 0xE6, 0xF7, 0xFF};
    int desk_w = gfx_text(a->gfx, GFX_REGULAR, m->u * 3, soft, pad, m->u * 8, GFX_LEFT,
                          a->content->desk_name);
    scr_sample_mark(a, pad + desk_w + m->u * 2, m->u * 8);
    /* The hidden way into the admin screens: hold the top-left corner still for 5 s. Nothing is
     * drawn, and it is no tap target, so normal taps are untouched. */
    ui_hold_target_add(&a->ui, ADMIN_HOLD_ID, ui_rect(0, 0, m->u * 10, m->u * 10), ADMIN_HOLD_MS);
    gfx_set_text_scale(a->gfx, scale);
    int top = hh + m->u;
    return ui_rect(0, top, m->w, m->h - top);
}

int scr_sample_mark(app *a, int x, int y)
{
    if (!a->content->sample)
        return 0;
    const ui_metrics *m = &a->m;
    static const char text[] = "DỮ LIỆU MẪU";
    int px = m->u * 2 + m->u / 2, pad = m->u;
    int w = gfx_text_width(a->gfx, GFX_BOLD, px, text) + 2 * pad;
    int h = gfx_line_height(a->gfx, GFX_BOLD, px) + m->u / 2;
    SDL_Color gold = {0xF9, 0xC7, 0x4F, 0xFF}, ink = {0x3A, 0x2A, 0x00, 0xFF};
    gfx_fill_rrect(a->gfx, ui_rect(x, y, w, h), h / 2, gold);
    gfx_text(a->gfx, GFX_BOLD, px, ink, x + pad, y + m->u / 4, GFX_LEFT, text);
    return w;
}

void scr_officer_photo(app *a, SDL_Rect r, const content_officer *o)
{
    if (o == &a->content->desk) { /* nobody's face: a question mark for "not remembered" */
        int d = r.w < r.h ? r.w : r.h;
        gfx_fill_circle(a->gfx, r.x + r.w / 2, r.y + r.h / 2, d / 2, UI_BORDER);
        int px = d / 2;
        gfx_text(a->gfx, GFX_BOLD, px, UI_PRIMARY, r.x + r.w / 2,
                 r.y + (r.h - gfx_line_height(a->gfx, GFX_BOLD, px)) / 2, GFX_CENTER, "?");
        return;
    }
    if (!o->photo || gfx_image(a->gfx, o->photo, r) != 0)
        gfx_placeholder_avatar(a->gfx, r, o->name);
}

void scr_officer_card(app *a, SDL_Rect r, const content_officer *o)
{
    const ui_metrics *m = &a->m;
    gfx_fill_rrect(a->gfx, r, m->u * 2, UI_SURFACE);
    int pad = m->u * 2;
    int ph = r.h - 2 * pad;
    if (ph > r.w / 3)
        ph = r.w / 3;
    SDL_Rect photo = {r.x + pad, r.y + (r.h - ph) / 2, ph, ph};
    scr_officer_photo(a, photo, o);
    int tx = photo.x + photo.w + pad;
    SDL_Rect text = {tx, r.y + pad, r.x + r.w - pad - tx, r.h - 2 * pad};
    int name_px = gfx_fit_px(a->gfx, GFX_BOLD, m->u * 3, m->u * 5,
                             ui_rect(0, 0, text.w, text.h / 2), o->name);
    int y = text.y;
    int used = gfx_text_wrap(a->gfx, GFX_BOLD, name_px, UI_TEXT,
                             ui_rect(text.x, y, text.w, text.h / 2), GFX_LEFT, o->name, 1);
    y += used + m->u / 2;
    int small = m->u * 3;
    used = gfx_text_wrap(a->gfx, GFX_REGULAR, small, UI_TEXT_MUTED,
                         ui_rect(text.x, y, text.w, text.y + text.h - y), GFX_LEFT, o->title, 1);
    y += used + m->u / 2;
    if (o->counter[0] && y + gfx_line_height(a->gfx, GFX_BOLD, small) <= text.y + text.h) {
        char line[64];
        scr_counter_label(o->counter, line, sizeof line);
        gfx_text(a->gfx, GFX_BOLD, small, UI_PRIMARY, text.x, y, GFX_LEFT, line);
    }
}

void scr_counter_label(const char *counter, char *out, size_t cap)
{
    /* A counter written as words ("Quầy 2", "Phòng Tư pháp") names itself; a number or a code
     * ("2", "A1") gets "Quầy". */
    unsigned char c0 = (unsigned char)counter[0];
    int letter = (c0 >= 'A' && c0 <= 'Z') || (c0 >= 'a' && c0 <= 'z') || c0 >= 0x80;
    int named = letter && strchr(counter, ' ') != NULL;
    if (named)
        snprintf(out, cap, "%s", counter);
    else
        snprintf(out, cap, "Quầy %s", counter);
}

void scr_phone_nowrap(const char *phone, char *out, size_t cap)
{
    size_t o = 0;
    for (const char *p = phone; *p && o + 3 < cap; p++) {
        if (*p == ' ') {
            out[o++] = (char)0xc2;
            out[o++] = (char)0xa0;
        } else {
            out[o++] = *p;
        }
    }
    if (cap)
        out[o < cap ? o : cap - 1] = '\0';
}

void scr_rating_buttons(app *a, SDL_Rect r)
{
    const ui_metrics *m = &a->m;
    int gap = m->u * 2;
    /* One small line under the faces: a citizen about to judge an officer in front of them
     * should know the vote carries no name (the feedback form asks separately, with consent). */
    const char *anon = "Đánh giá được ghi nhận ẩn danh.";
    int apx = m->u * 2 + m->u / 2, ah = gfx_line_height(a->gfx, GFX_REGULAR, apx);
    r.h -= ah + m->u;
    gfx_text(a->gfx, GFX_REGULAR, apx, UI_TEXT_MUTED, r.x + r.w / 2, r.y + r.h + m->u, GFX_CENTER,
             anon);
    int bw = (r.w - 2 * gap) / 3;
    for (int i = 0; i < 3; i++) {
        int rating = 3 - i; /* positive first, as on every satisfaction terminal */
        char id[16];
        snprintf(id, sizeof id, "rate-%d", rating);
        SDL_Rect b = {r.x + i * (bw + gap), r.y, bw, r.h};
        int pressed = ui_is_pressed(&a->ui, id);
        SDL_Color fg = UI_RATING_FG[rating], bg = UI_RATING_BG[rating];
        if (pressed)
            bg = fg;
        int bord = m->u / 2 > 2 ? m->u / 2 : 2;
        gfx_fill_rrect(a->gfx, b, m->u * 3, fg);
        gfx_fill_rrect(a->gfx, ui_inset(b, bord), m->u * 3 - bord, bg);
        const char *label = rating_label(rating);
        int label_px = gfx_fit_px(a->gfx, GFX_BOLD, m->u * 2, m->u * 4,
                                  ui_rect(0, 0, b.w - 2 * m->u, m->u * 5), label);
        int lh = gfx_line_height(a->gfx, GFX_BOLD, label_px);
        int face = b.h - lh - m->u * 6;
        if (face > b.w - m->u * 4)
            face = b.w - m->u * 4;
        if (face < 0)
            face = 0;
        int top = b.y + (b.h - face - lh - m->u * 2) / 2;
        char icon[16];
        snprintf(icon, sizeof icon, "face-%d", rating);
        gfx_icon(a->gfx, icon, ui_rect(b.x + (b.w - face) / 2, top, face, face));
        gfx_text(a->gfx, GFX_BOLD, label_px, pressed ? UI_ON_PRIMARY : fg, b.x + b.w / 2,
                 top + face + m->u * 2, GFX_CENTER, label);
        ui_target_add(&a->ui, id, b);
    }
}

/* The text a panel shows: the short form on the full-screen (dark) panel, where it is read from
 * afar and must fit its time; the whole text elsewhere. */
static const char *slogan_text(const content_slogan *s, int on_dark)
{
    return on_dark && s->short_text && *s->short_text ? s->short_text : s->text;
}

int64_t scr_slogan_duration_ms(const char *title, const char *text, int base_s)
{
    /* An unhurried reader takes in about 10 characters a second: the base time covers 80, each
     * further 10 add a second. Characters, not bytes: Vietnamese letters take 2-3 bytes. */
    int64_t chars = 0;
    for (const char *t = title; t && *t; t++)
        chars += ((unsigned char)*t & 0xC0) != 0x80;
    for (const char *t = text; t && *t; t++)
        chars += ((unsigned char)*t & 0xC0) != 0x80;
    int64_t ms = (int64_t)base_s * 1000;
    if (chars > 80)
        ms += (chars - 80) * 100;
    return ms;
}

void scr_slogan_panel(app *a, SDL_Rect r, int on_dark)
{
    const ui_metrics *m = &a->m;
    const content_slogan *s = app_slogan(a);
    const char *text = slogan_text(s, on_dark);
    SDL_Color title_c = on_dark ? (SDL_Color){0xF9, 0xC7, 0x4F, 0xFF} : UI_PRIMARY;
    SDL_Color text_c = on_dark ? UI_ON_PRIMARY : UI_TEXT;
    if (!on_dark)
        gfx_fill_rrect(a->gfx, r, m->u * 2, UI_SURFACE);
    SDL_Rect in = ui_inset(r, m->u * 3);
    int title_px = on_dark ? m->u * 9 : m->u * 5;
    int th = gfx_line_height(a->gfx, GFX_BOLD, title_px);
    gfx_text(a->gfx, GFX_BOLD, title_px, title_c, in.x + in.w / 2, in.y, GFX_CENTER, s->title);
    int dots_h = m->u * 3;
    SDL_Rect body = {in.x, in.y + th + m->u * 2, in.w, in.h - th - m->u * 2 - dots_h};
    int px = gfx_fit_px(a->gfx, GFX_REGULAR, m->u * 3, on_dark ? m->u * 7 : m->u * 4 + m->u / 2,
                        body, text);
    int h = gfx_text_wrap(a->gfx, GFX_REGULAR, px, text_c, body, GFX_CENTER, text, 0);
    if (h < body.h)
        body.y += (body.h - h) / 2;
    gfx_text_wrap(a->gfx, GFX_REGULAR, px, text_c, body, GFX_CENTER, text, 1);
    int n = a->cfg.n_slogans > 0 ? a->cfg.n_slogans : (int)a->content->n_slogans;
    if (n > 1) {
        int d = m->u, gapd = m->u * 2;
        int x0 = in.x + in.w / 2 - (n - 1) * gapd / 2;
        for (int i = 0; i < n; i++) {
            SDL_Color c = (size_t)i == a->slogan_pos % (size_t)n ? title_c : UI_BORDER;
            gfx_fill_circle(a->gfx, x0 + i * gapd, in.y + in.h - d, d / 2 + 1, c);
        }
    }
}

int64_t scr_slogan_tick(app *a, int64_t now_mono, int on_dark)
{
    if (now_mono >= a->slogan_next) {
        a->slogan_pos++;
        const content_slogan *s = app_slogan(a);
        a->slogan_next = now_mono + scr_slogan_duration_ms(s->title, slogan_text(s, on_dark),
                                                           a->cfg.slogan_rotate_s);
        a->dirty = 1;
    }
    return a->slogan_next;
}

void scr_back_button(app *a, SDL_Rect r)
{
    ui_button(&a->ui, a->gfx, &a->m, "back", r, "‹  Quay lại", UI_BTN_SECONDARY);
}

SDL_Rect scr_title_bar(app *a, const char *title)
{
    const ui_metrics *m = &a->m;
    SDL_Rect body = ui_inset(scr_header(a), m->u * 3);
    int bar_h = m->u * 10;
    scr_back_button(a, ui_rect(body.x, body.y, m->u * 26, bar_h));
    SDL_Rect t = {body.x + m->u * 29, body.y, body.w - m->u * 29, bar_h};
    int px = gfx_fit_px(a->gfx, GFX_BOLD, m->u * 3, m->u * 5, t, title);
    int h = gfx_text_wrap(a->gfx, GFX_BOLD, px, UI_TEXT, t, GFX_LEFT, title, 0);
    t.y += (t.h - h) / 2;
    gfx_text_wrap(a->gfx, GFX_BOLD, px, UI_TEXT, t, GFX_LEFT, title, 1);
    int top = body.y + bar_h + m->u * 2;
    return ui_rect(body.x, top, body.w, body.y + body.h - top);
}

SDL_Rect scr_scroll_area(app *a, SDL_Rect body, int content_h)
{
    const ui_metrics *m = &a->m;
    int col = m->u * 12, gap = m->u * 2;
    SDL_Rect view = {body.x, body.y, body.w - col - gap, body.h};
    scroll_set_extent(&a->scroll, content_h, view.h);
    a->scroll_view = view;
    int bh = (body.h - gap) / 2;
    if (bh > m->u * 24)
        bh = m->u * 24;
    SDL_Rect up = {body.x + body.w - col, body.y, col, bh};
    SDL_Rect down = {up.x, body.y + body.h - bh, col, bh};
    int can_up = scroll_can_up(&a->scroll), can_down = scroll_can_down(&a->scroll);
    /* Disabled page buttons stay visible but pale, and are not targets: no dead presses. */
    SDL_Rect btns[2] = {up, down};
    int on[2] = {can_up, can_down};
    const char *ids[2] = {"up", "down"};
    const char *icons[2] = {"arrow-up", "arrow-down"};
    for (int i = 0; i < 2; i++) {
        int pressed = on[i] && ui_is_pressed(&a->ui, ids[i]);
        SDL_Color bg = on[i] ? (pressed ? UI_PRIMARY_DARK : UI_PRIMARY) : UI_BORDER;
        gfx_fill_rrect(a->gfx, btns[i], m->u * 2, bg);
        int s = col - m->u * 4;
        SDL_Rect ir = {btns[i].x + (col - s) / 2, btns[i].y + (btns[i].h - s) / 2, s, s};
        if (gfx_icon(a->gfx, icons[i], ir) != 0)
            gfx_text(a->gfx, GFX_BOLD, m->u * 5, UI_ON_PRIMARY, ir.x + s / 2, ir.y, GFX_CENTER,
                     i == 0 ? "▲" : "▼");
        if (on[i])
            ui_target_add(&a->ui, ids[i], btns[i]);
    }
    return view;
}

int scr_scroll_tap(app *a, const char *id)
{
    int page = a->scroll_view.h * 8 / 10;
    if (strcmp(id, "up") == 0)
        scroll_by(&a->scroll, -page);
    else if (strcmp(id, "down") == 0)
        scroll_by(&a->scroll, page);
    else
        return 0;
    a->dirty = 1;
    return 1;
}

void scr_clip(app *a, const SDL_Rect *r)
{
    SDL_RenderSetClipRect(a->ren, r);
}

int scr_visible(SDL_Rect r, SDL_Rect view)
{
    return r.y + r.h > view.y && r.y < view.y + view.h;
}

void scr_pager(app *a, SDL_Rect row, int page, int pages)
{
    const ui_metrics *m = &a->m;
    char line[48];
    snprintf(line, sizeof line, "Trang %d/%d", page + 1, pages);
    gfx_text(a->gfx, GFX_BOLD, m->u * 3, UI_TEXT, row.x + row.w / 2, row.y + m->u * 3, GFX_CENTER,
             line);
    if (page > 0)
        ui_button(&a->ui, a->gfx, m, "prev", ui_rect(row.x, row.y, m->u * 30, row.h),
                  "‹ Trang trước", UI_BTN_SECONDARY);
    if (page < pages - 1)
        ui_button(&a->ui, a->gfx, m, "next",
                  ui_rect(row.x + row.w - m->u * 30, row.y, m->u * 30, row.h), "Trang sau ›",
                  UI_BTN_SECONDARY);
}

/* ---- lists of procedures ---- */

int scr_proc_open(app *a, const char *id, scr_id back)
{
    long i;
    if (strncmp(id, "proc-", 5) != 0 ||
        util_parse_int(id + 5, 0, (long)a->procs->n_items - 1, &i) != 0)
        return 0;
    a->proc_item = (size_t)i;
    a->detail_back = back;
    app_go(a, SCR_PROC);
    return 1;
}

void scr_list_leave(app *a, scr_id next)
{
    (void)next; /* wherever the citizen goes, the place in the list is kept */
    a->list_offset = a->scroll.offset;
}

/* ---- a paged grid of cards ---- */

scr_grid scr_grid_begin(app *a, SDL_Rect area, int cols, int rows, int n, int *page, int pager_h)
{
    const ui_metrics *m = &a->m;
    scr_grid g = {.area = area, .cols = cols, .gap = m->u * 2};
    int per_page = cols * rows;
    g.pages = (n + per_page - 1) / per_page;
    if (g.pages > 1)
        g.area.h -= pager_h + m->u * 2;
    g.pager = ui_rect(area.x, g.area.y + g.area.h + m->u * 2, area.w, pager_h);
    if (*page >= g.pages)
        *page = g.pages > 0 ? g.pages - 1 : 0;
    if (*page < 0)
        *page = 0;
    g.page = *page;
    g.cw = (g.area.w - (cols - 1) * g.gap) / cols;
    g.ch = (g.area.h - (rows - 1) * g.gap) / rows;
    g.first = g.page * per_page;
    g.count = n - g.first < per_page ? n - g.first : per_page;
    return g;
}

SDL_Rect scr_grid_cell(const scr_grid *g, int k)
{
    return ui_rect(g->area.x + (k % g->cols) * (g->cw + g->gap),
                   g->area.y + (k / g->cols) * (g->ch + g->gap), g->cw, g->ch);
}

void scr_grid_end(app *a, const scr_grid *g)
{
    if (g->pages > 1)
        scr_pager(a, g->pager, g->page, g->pages);
}

/* ---- the admin screens ---- */

void scr_admin_apply(app *a, admin_event ev)
{
    if (ev & ADMIN_EV_DIRTY)
        a->dirty = 1;
    if (ev & ADMIN_EV_EXPORT_DONE)
        a->last_input_mono = clk_mono_ms(a->clock);
    if (ev & ADMIN_EV_OPENED)
        app_go(a, SCR_ADMIN);
}

void scr_admin_leave(app *a, scr_id next)
{
    admin_leave(a->admin, a->cur == SCR_PIN, a->screens[next]->group == SCR_GROUP_ADMIN);
}

int64_t scr_admin_update(app *a, int64_t now)
{
    scr_id before = a->cur;
    admin_event ev;
    int64_t next = admin_poll(a->admin, now, a->cur == SCR_PIN, &ev);
    scr_admin_apply(a, ev);
    if (a->cur != before)
        return CLK_NEVER;
    if (admin_exporting(a->admin))
        return next; /* someone is watching a long export: do not close under them */
    int64_t idle_at = a->last_input_mono + ADMIN_IDLE_MS;
    if (now >= idle_at && !a->ui.down) {
        log_info("admin: closed after %d s without a touch", ADMIN_IDLE_MS / 1000);
        app_go(a, SCR_HOME);
        return CLK_NEVER;
    }
    if (a->cur == SCR_ADMIN_EXPORT) {
        /* Waiting for a stick: look again now and then (reading /proc/mounts is cheap). */
        int64_t scan_at = admin_usb_rescan_at(a->admin);
        if (scan_at != CLK_NEVER && now >= scan_at) {
            admin_usb_scan(a->admin);
            a->dirty = 1;
            scan_at = now + ADMIN_USB_RESCAN_MS;
        }
        if (scan_at < next)
            next = scan_at;
    }
    return idle_at < next ? idle_at : next;
}

void scr_admin_quit(app *a, int restart)
{
    log_info("admin: %s requested on the admin screen", restart ? "restart" : "quit");
    app_quit(a, restart);
}
