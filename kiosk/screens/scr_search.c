/* scr_search: search procedures with an on-screen keyboard. Letters without diacritics are
 * enough (search folds diacritics and case, đ = d); results update on each key, matching words
 * are highlighted, and an empty result says so and offers to browse instead. */
#include <stdio.h>
#include <string.h>

#include "scr_common.h"

static const char *const rows[] = {"1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"};
static const SDL_Color HIGHLIGHT = {0xFF, 0xE0, 0x82, 0xFF};

static void run_search(app *a)
{
    int n = proc_search(app_search_index(a), a->query, a->results, APP_MAX_RESULTS);
    a->n_results = n < 0 ? 0 : n;
    scroll_reset(&a->scroll);
}

static void key(app *a, const char *id, const char *label, SDL_Rect r, int primary)
{
    ui_button(&a->ui, a->gfx, &a->m, id, r, label, primary ? UI_BTN_PRIMARY : UI_BTN_CHIP);
}

static void keyboard(app *a, SDL_Rect kb)
{
    const ui_metrics *m = &a->m;
    int gap = m->u;
    int kh = (kb.h - 4 * gap) / 5;
    int kw = (kb.w - 9 * gap) / 10;
    for (int r = 0; r < 4; r++) {
        int n = (int)strlen(rows[r]);
        int x = kb.x + (r == 2 ? kw / 2 : r == 3 ? kw : 0);
        int y = kb.y + r * (kh + gap);
        for (int i = 0; i < n; i++) {
            /* Capitals read better on keys; the query itself is folded anyway. */
            char id[16],
                label[2] = {(char)(rows[r][i] >= 'a' ? rows[r][i] - 'a' + 'A' : rows[r][i]), 0};
            snprintf(id, sizeof id, "key-%c", rows[r][i]);
            key(a, id, label, ui_rect(x + i * (kw + gap), y, kw, kh), 0);
        }
        if (r == 3) /* backspace after m */
            key(a, "key-back", "Xóa", ui_rect(x + n * (kw + gap), y, kw * 2 + gap, kh), 0);
    }
    int y = kb.y + 4 * (kh + gap);
    key(a, "key-clear", "Xóa hết", ui_rect(kb.x, y, kw * 2 + gap, kh), 0);
    key(a, "key-space", "Dấu cách", ui_rect(kb.x + 2 * (kw + gap), y, kw * 6 + 5 * gap, kh), 0);
    key(a, "browse", "Theo lĩnh vực",
        ui_rect(kb.x + 8 * (kw + gap), y, kb.x + kb.w - (kb.x + 8 * (kw + gap)), kh), 1);
}

/* Draws (with draw = 0 only measures) text[0, len) from x, the n matching spans bold on a
 * highlight; returns the width. */
static int spans_line(app *a, int px, int x, int y, const char *text, size_t len,
                      const size_t *starts, const size_t *lens, int n, int draw)
{
    char seg[512];
    size_t pos = 0;
    int x0 = x, lh = gfx_line_height(a->gfx, GFX_BOLD, px);
    for (int i = 0; i <= n; i++) {
        size_t s = i < n && starts[i] < len ? starts[i] : len;
        if (s > pos) {
            size_t k = s - pos < sizeof seg - 1 ? s - pos : sizeof seg - 1;
            memcpy(seg, text + pos, k);
            seg[k] = '\0';
            x += draw ? gfx_text(a->gfx, GFX_REGULAR, px, UI_TEXT, x, y, GFX_LEFT, seg)
                      : gfx_text_width(a->gfx, GFX_REGULAR, px, seg);
        }
        if (s >= len)
            break;
        size_t k = lens[i] < len - s ? lens[i] : len - s;
        if (k > sizeof seg - 1)
            k = sizeof seg - 1;
        memcpy(seg, text + s, k);
        seg[k] = '\0';
        int w = gfx_text_width(a->gfx, GFX_BOLD, px, seg);
        if (draw) {
            gfx_fill_rrect(a->gfx, ui_rect(x - 2, y, w + 4, lh), 4, HIGHLIGHT);
            gfx_text(a->gfx, GFX_BOLD, px, UI_TEXT, x, y, GFX_LEFT, seg);
        }
        x += w;
        pos = s + k;
    }
    return x - x0;
}

/* One line of text with the words that match the query drawn bold on a highlight. A name too
 * long for the row is cut after a whole word and ends in "…" (its page shows all of it). */
static void highlighted(app *a, int px, int x, int y, int max_w, const char *text)
{
    size_t starts[16], lens[16];
    int n = proc_match_spans(text, a->query, starts, lens, 16);
    size_t full = strlen(text), len = full;
    int avail = max_w - x, ell = 0;
    if (spans_line(a, px, x, y, text, len, starts, lens, n, 0) > avail) {
        ell = gfx_text_width(a->gfx, GFX_REGULAR, px, "…");
        while (len > 0) {
            do
                len--;
            while (len > 0 && text[len] != ' ');
            while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == ','))
                len--;
            if (spans_line(a, px, x, y, text, len, starts, lens, n, 0) + ell <= avail)
                break;
        }
        if (len == 0) /* one word wider than the row: the clip cuts it */
            len = full, ell = 0;
    }
    int w = spans_line(a, px, x, y, text, len, starts, lens, n, 1);
    if (ell)
        gfx_text(a->gfx, GFX_REGULAR, px, UI_TEXT, x + w, y, GFX_LEFT, "…");
}

static void results(app *a, SDL_Rect area)
{
    const ui_metrics *m = &a->m;
    const proc_set *ps = a->procs;
    char line[256];
    if (!a->query[0] || a->n_results == 0) {
        if (a->query[0])
            snprintf(line, sizeof line,
                     "Không tìm thấy thủ tục nào khớp với \"%s\". Ông/bà thử gõ ít chữ hơn, "
                     "hoặc xem thủ tục theo lĩnh vực.",
                     a->query);
        else
            snprintf(line, sizeof line,
                     "Gõ vài chữ trong tên thủ tục, không cần dấu. Ví dụ: khai sinh, ket hon, "
                     "chung thuc.");
        gfx_fill_rrect(a->gfx, area, m->u * 2, UI_SURFACE);
        SDL_Rect t = ui_inset(area, m->u * 3);
        int px = m->u * 3 + m->u / 2;
        int h = gfx_text_wrap(a->gfx, GFX_REGULAR, px, UI_TEXT_MUTED, t, GFX_CENTER, line, 0);
        /* Where there is room (portrait), the way out is offered right under the message as
         * well as on the keyboard's last row. */
        int bh = m->u * 10, bw = t.w < m->u * 50 ? t.w : m->u * 50;
        int button = a->query[0] && h + m->u * 3 + bh <= t.h;
        int total = h + (button ? m->u * 3 + bh : 0);
        if (total < t.h)
            t.y += (t.h - total) / 2;
        gfx_text_wrap(a->gfx, GFX_REGULAR, px, UI_TEXT_MUTED, t, GFX_CENTER, line, 1);
        if (button)
            ui_button(&a->ui, a->gfx, m, "browse",
                      ui_rect(t.x + (t.w - bw) / 2, t.y + h + m->u * 3, bw, bh),
                      "Xem thủ tục theo lĩnh vực", UI_BTN_PRIMARY);
        scroll_set_extent(&a->scroll, 0, area.h);
        a->scroll_view = ui_rect(0, 0, 0, 0);
        return;
    }
    int shown = a->n_results < APP_MAX_RESULTS ? a->n_results : APP_MAX_RESULTS;
    /* Landscape rows are one line, the field at the right, so that at least four results show
     * above the keyboard on a 1280x800 screen; portrait has room for the field under the name. */
    int px = m->u * 3, small = m->u * 2 + m->u / 2;
    int name_h = gfx_line_height(a->gfx, GFX_BOLD, px);
    int row_h = m->landscape ? name_h + m->u * 2 : m->u * 10, gap = m->u;
    SDL_Rect view = scr_scroll_area(a, area, shown * (row_h + gap) - gap);
    scr_clip(a, &view);
    int y0 = view.y - scroll_pos(&a->scroll);
    for (int k = 0; k < shown; k++) {
        SDL_Rect r = {view.x, y0 + k * (row_h + gap), view.w, row_h};
        if (!scr_visible(r, view))
            continue;
        const proc_item *p = &ps->items[a->results[k]];
        char id[UI_ID_MAX];
        snprintf(id, sizeof id, "proc-%zu", a->results[k]);
        gfx_fill_rrect(a->gfx, r, m->u * 2, ui_is_pressed(&a->ui, id) ? UI_BORDER : UI_SURFACE);
        const char *field = ps->fields[p->field].name;
        SDL_Rect in = ui_inset(r, m->landscape ? m->u : m->u + m->u / 2);
        int name_right = in.x + in.w;
        if (m->landscape) { /* the field at the row's right, the name cut before it */
            int fw = gfx_text_width(a->gfx, GFX_REGULAR, small, field);
            gfx_text(a->gfx, GFX_REGULAR, small, UI_TEXT_MUTED, in.x + in.w,
                     in.y + (in.h - gfx_line_height(a->gfx, GFX_REGULAR, small)) / 2, GFX_RIGHT,
                     field);
            name_right -= fw + m->u * 3;
        }
        /* Long names are cut at the row's edge (the clip), not wrapped: rows stay one size. */
        SDL_Rect clip, inner = {in.x, r.y, name_right - in.x, r.h};
        SDL_IntersectRect(&inner, &view, &clip);
        scr_clip(a, &clip);
        highlighted(a, px, in.x, in.y, name_right, p->name);
        if (!m->landscape)
            gfx_text(a->gfx, GFX_REGULAR, small, UI_TEXT_MUTED, in.x, in.y + name_h, GFX_LEFT,
                     field);
        scr_clip(a, &view);
        SDL_Rect vis;
        if (SDL_IntersectRect(&r, &view, &vis))
            ui_target_add(&a->ui, id, vis);
    }
    scr_clip(a, NULL);
}

static void search_draw(app *a)
{
    const ui_metrics *m = &a->m;
    /* No title bar: the way back sits beside the search box, and the room goes to results. */
    SDL_Rect body = ui_inset(scr_header(a), m->u * 3);
    int box_h = m->u * 9, back_w = m->u * 26;
    scr_back_button(a, ui_rect(body.x, body.y, back_w, box_h));
    SDL_Rect box = {body.x + back_w + m->u * 2, body.y, body.w - back_w - m->u * 2, box_h};
    gfx_fill_rrect(a->gfx, box, m->u * 2, UI_PRIMARY);
    gfx_fill_rrect(a->gfx, ui_inset(box, m->u / 2), m->u * 2, UI_SURFACE);
    char line[128];
    int px = m->u * 4;
    snprintf(line, sizeof line, "%s|", a->query);
    int ty = box.y + (box_h - gfx_line_height(a->gfx, GFX_REGULAR, px)) / 2;
    int tw = gfx_text(a->gfx, GFX_REGULAR, px, UI_TEXT, box.x + m->u * 3, ty, GFX_LEFT, line);
    if (!a->query[0]) /* the screen's title, where the text will go */
        gfx_text(a->gfx, GFX_REGULAR, m->u * 3, UI_TEXT_MUTED, box.x + m->u * 3 + tw + m->u,
                 box.y + (box_h - gfx_line_height(a->gfx, GFX_REGULAR, m->u * 3)) / 2, GFX_LEFT,
                 "Tìm thủ tục hành chính");
    if (a->query[0]) {
        snprintf(line, sizeof line, "%d kết quả", a->n_results);
        gfx_text(a->gfx, GFX_BOLD, m->u * 3, UI_PRIMARY, box.x + box.w - m->u * 3,
                 box.y + (box_h - gfx_line_height(a->gfx, GFX_BOLD, m->u * 3)) / 2, GFX_RIGHT,
                 line);
    }
    int kb_h = m->landscape ? body.h * 44 / 100 : body.h * 34 / 100;
    SDL_Rect kb = {body.x, body.y + body.h - kb_h, body.w, kb_h};
    SDL_Rect res = {body.x, box.y + box_h + m->u * 2, body.w,
                    kb.y - m->u * 2 - (box.y + box_h + m->u * 2)};
    results(a, res);
    keyboard(a, kb);
}

static void search_tap(app *a, const char *id)
{
    size_t len = strlen(a->query);
    if (scr_scroll_tap(a, id))
        return;
    if (strcmp(id, "back") == 0) {
        app_go(a, SCR_PROCS);
    } else if (strcmp(id, "browse") == 0) {
        app_go(a, SCR_PROCS);
    } else if (strcmp(id, "key-back") == 0) {
        if (len)
            a->query[len - 1] = '\0';
        run_search(a);
    } else if (strcmp(id, "key-clear") == 0) {
        a->query[0] = '\0';
        run_search(a);
    } else if (strcmp(id, "key-space") == 0) {
        if (len && a->query[len - 1] != ' ' && len + 1 < sizeof a->query) {
            a->query[len] = ' ';
            a->query[len + 1] = '\0';
        }
    } else if (strncmp(id, "key-", 4) == 0 && id[4] && !id[5]) {
        if (len + 1 < sizeof a->query) {
            a->query[len] = id[4];
            a->query[len + 1] = '\0';
        }
        run_search(a);
    } else if (scr_proc_open(a, id, SCR_SEARCH)) {
        return;
    }
    a->dirty = 1;
}

static void search_enter(app *a)
{
    /* The query survives a visit to a procedure; the Procedures screen clears it. */
    run_search(a);
}

const screen scr_search = {"search",    SCR_IDLE_READING,  search_enter, NULL, search_tap, NULL,
                           search_draw, SCR_GROUP_CITIZEN, NULL,         0,    NULL};
