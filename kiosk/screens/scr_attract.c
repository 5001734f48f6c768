/* scr_attract: shown after idle_timeout on Home: the slogans full-screen, shifted a little every
 * attract_shift seconds so a static image never burns into the panel. Any touch returns Home
 * (handled by the app before taps, so the waking touch chooses nothing). */
#include "scr_common.h"

/* Small offsets (in units of u) visited in turn. */
static const signed char shift_x[] = {0, 2, 3, 1, -2, -3, -1, 2};
static const signed char shift_y[] = {0, 1, -2, 2, -1, 2, -2, 0};

static int64_t attract_update(app *a, int64_t now)
{
    int64_t next = scr_slogan_tick(a, now, 1);
    int64_t shift = a->entered_mono;
    int64_t period = (int64_t)a->cfg.attract_shift_s * 1000;
    shift += ((now - a->entered_mono) / period + 1) * period;
    if (a->screen_deadline != CLK_NEVER && now >= a->screen_deadline)
        a->dirty = 1; /* time to shift */
    return shift < next ? shift : next;
}

static void attract_draw(app *a)
{
    const ui_metrics *m = &a->m;
    gfx_fill_rect(a->gfx, ui_rect(0, 0, m->w, m->h), UI_PRIMARY_DARK);
    int64_t period = (int64_t)a->cfg.attract_shift_s * 1000;
    size_t k = (size_t)((clk_mono_ms(a->clock) - a->entered_mono) / period) % sizeof shift_x;
    int dx = shift_x[k] * m->u, dy = shift_y[k] * m->u;
    /* The slogan and the two lines under it, centred as one block. */
    int foot = m->u * 6 + gfx_line_height(a->gfx, GFX_BOLD, m->u * 4) +
               gfx_line_height(a->gfx, GFX_REGULAR, m->u * 3);
    /* The plan's headline ("Chính quyền thân thiện, vì Nhân dân phục vụ") above the slogans. */
    const char *headline = a->content->headline;
    int head_px = m->u * 4, head_h = 0;
    if (*headline)
        head_h = gfx_line_height(a->gfx, GFX_BOLD, head_px) + m->u * 3;
    int ph = m->h * (*headline ? 56 : 62) / 100;
    int top = (m->h - head_h - ph - foot) / 2 + dy;
    if (*headline)
        gfx_text(a->gfx, GFX_BOLD, head_px, (SDL_Color){0xF9, 0xC7, 0x4F, 0xFF}, m->w / 2 + dx, top,
                 GFX_CENTER, headline);
    SDL_Rect r = {m->w / 10 + dx, top + head_h, m->w * 8 / 10, ph};
    scr_slogan_panel(a, r, 1);
    SDL_Color soft = {0xDC, 0xE6, 0xF7, 0xFF};
    int y = r.y + r.h + m->u * 4;
    gfx_text(a->gfx, GFX_BOLD, m->u * 4, UI_ON_PRIMARY, m->w / 2 + dx, y, GFX_CENTER,
             "Chạm vào màn hình để đánh giá cán bộ");
    y += gfx_line_height(a->gfx, GFX_BOLD, m->u * 4) + m->u * 2;
    char line[256];
    char hm[6];
    clk_format_time(clk_wall_ms(a->clock), hm);
    snprintf(line, sizeof line, "%s · %s · %s", a->content->commune_name, a->content->desk_name,
             hm);
    gfx_text(a->gfx, GFX_REGULAR, m->u * 3, soft, m->w / 2 + dx, y, GFX_CENTER, line);
    scr_sample_mark(a, m->u * 3 + dx, m->u * 3 + dy);
}

const screen scr_attract = {"attract",    SCR_IDLE_OWN,      NULL, NULL, NULL, attract_update,
                            attract_draw, SCR_GROUP_CITIZEN, NULL, 0,    NULL};
