/* gfx_text: text through SDL2_ttf: UTF-8 and character clusters, the open font faces, single
 * lines, wrapped paragraphs with an ellipsis when cut, the largest size that fits, and the
 * initials on a placeholder avatar. */
#include "gfx.h"

#include <SDL_ttf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gfx_int.h"
#include "log.h"
#include "util.h"

static const char ELLIPSIS[] = "\xE2\x80\xA6"; /* U+2026 */

static int clamp_px(int px)
{
    return px < GFX_MIN_PX ? GFX_MIN_PX : px > GFX_MAX_PX ? GFX_MAX_PX : px;
}

/* What a layout passes to get px after scaling: gfx_fit_px answers in the layout's sizes. */
static int unscale_px(const gfx *g, int px)
{
    int s = g->text_scale ? g->text_scale : 100;
    return px * 100 / s;
}

/* The public functions take the size a layout asks for and scale it here, once, by the text
 * scale (gfx_set_text_scale; 0 means 100 %); the static functions below take scaled sizes. */
static int scale_px(const gfx *g, int px)
{
    int s = g->text_scale ? g->text_scale : 100;
    return clamp_px(px * s / 100);
}

static uint32_t pack_color(SDL_Color c)
{
    return (uint32_t)c.r << 24 | (uint32_t)c.g << 16 | (uint32_t)c.b << 8 | c.a;
}

/* ---- UTF-8 ---- */

/* Index after the code point at s[i], and its value. A malformed byte counts as one U+FFFD, so
 * a break never lands inside a valid sequence. */
static size_t utf8_next(const char *s, size_t i, size_t end, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned char b = u[i];
    size_t n;
    uint32_t v;
    if (b < 0x80) {
        *cp = b;
        return i + 1;
    } else if ((b & 0xE0) == 0xC0) {
        n = 1;
        v = b & 0x1Fu;
    } else if ((b & 0xF0) == 0xE0) {
        n = 2;
        v = b & 0x0Fu;
    } else if ((b & 0xF8) == 0xF0) {
        n = 3;
        v = b & 0x07u;
    } else {
        *cp = 0xFFFD;
        return i + 1;
    }
    for (size_t k = 1; k <= n; k++) {
        if (i + k >= end || (u[i + k] & 0xC0) != 0x80) {
            *cp = 0xFFFD;
            return i + 1;
        }
        v = v << 6 | (u[i + k] & 0x3Fu);
    }
    *cp = v;
    return i + n + 1;
}

static int is_combining(uint32_t cp)
{
    return cp >= 0x300 && cp <= 0x36F;
}

/* End of the user-visible character at i: a code point plus any combining marks (text that is
 * not in NFC still keeps its tone marks on their letter). */
static size_t cluster_next(const char *s, size_t i, size_t end)
{
    uint32_t cp;
    i = utf8_next(s, i, end, &cp);
    while (i < end) {
        size_t j = utf8_next(s, i, end, &cp);
        if (!is_combining(cp))
            break;
        i = j;
    }
    return i;
}

static size_t cluster_prev(const char *s, size_t start, size_t i)
{
    while (i > start) {
        i--;
        while (i > start && ((unsigned char)s[i] & 0xC0) == 0x80)
            i--;
        uint32_t cp;
        utf8_next(s, i, i + 4, &cp);
        if (!is_combining(cp))
            break;
    }
    return i;
}

static size_t utf8_put(char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    } else if (cp < 0x800) {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    } else if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Upper case for the letters Vietnamese names use (ASCII, Latin-1, đ, ơ, ư and the precomposed
 * tone letters of Latin Extended Additional). */
static uint32_t vi_upper(uint32_t cp)
{
    if (cp >= 'a' && cp <= 'z')
        return cp - 32;
    if (cp >= 0xE0 && cp <= 0xFE && cp != 0xF7)
        return cp - 0x20;
    if (((cp >= 0x100 && cp <= 0x137) || (cp >= 0x14A && cp <= 0x177)) && (cp & 1))
        return cp - 1;
    if (cp == 0x1A1 || cp == 0x1B0)
        return cp - 1;
    if (cp >= 0x1EA0 && cp <= 0x1EF9 && (cp & 1))
        return cp - 1;
    return cp;
}

/* ---- fonts ---- */

static TTF_Font *font_get(gfx *g, gfx_weight w, int px)
{
    int wi = w == GFX_BOLD ? 1 : 0;
    font_slot *victim = NULL;
    for (int i = 0; i < GFX_FONT_SLOTS; i++) {
        font_slot *s = &g->fonts[i];
        if (s->font && s->weight == wi && s->px == px) {
            s->stamp = ++g->font_clock;
            return s->font;
        }
        if (!victim || (victim->font && (!s->font || s->stamp < victim->stamp)))
            victim = s;
    }
    if (victim->font)
        TTF_CloseFont(victim->font);
    victim->font = TTF_OpenFont(g->font_path[wi], px);
    if (!victim->font) {
        log_warn("%s: cannot open font at %d px: %s", g->font_path[wi], px, TTF_GetError());
        return NULL;
    }
    victim->weight = wi;
    victim->px = px;
    victim->stamp = ++g->font_clock;
    return victim->font;
}

/* Width of s[0..len) followed by suffix (may be NULL). */
static int measure(gfx *g, TTF_Font *f, const char *s, size_t len, const char *suffix)
{
    size_t sl = suffix ? strlen(suffix) : 0;
    if (len + sl == 0)
        return 0;
    g->mbuf = gfx_grow(g->mbuf, &g->mcap, len + sl + 1, 1);
    memcpy(g->mbuf, s, len);
    if (sl)
        memcpy(g->mbuf + len, suffix, sl);
    g->mbuf[len + sl] = '\0';
    int w = 0, h = 0;
    if (TTF_SizeUTF8(f, g->mbuf, &w, &h) < 0)
        return 0;
    return w;
}

/* ---- text ---- */

/* The texture for one line of text, rendered on first use. NULL for empty text. */
static centry *text_get(gfx *g, gfx_weight w, int px, SDL_Color c, const char *s, size_t len)
{
    if (len == 0)
        return NULL;
    uint64_t hash;
    size_t klen = gfx_key_build(g, CK_TEXT, w, px, pack_color(c), 0, 0, s, len);
    centry *e = gfx_cache_get(g, klen, &hash);
    if (e)
        return e;
    TTF_Font *f = font_get(g, w, px);
    if (!f)
        return NULL;
    /* The key buffer holds the string NUL-terminated right after the header. */
    SDL_Surface *surf = TTF_RenderUTF8_Blended(f, g->kbuf + sizeof(khdr), c);
    if (!surf)
        return NULL;
    e = gfx_cache_texture(g, surf, klen, hash);
    if (!e)
        log_warn("gfx: cannot create text texture: %s", SDL_GetError());
    return e;
}

static int text_draw(gfx *g, gfx_weight w, int px, SDL_Color c, int x, int y, gfx_align align,
                     const char *s, size_t len)
{
    if (g->text_hook)
        g->text_hook(g->text_hook_arg, s, len);
    centry *e = text_get(g, w, px, c, s, len);
    if (!e)
        return 0;
    SDL_Rect dst = {x, y, e->w, e->h};
    if (align == GFX_CENTER)
        dst.x = x - e->w / 2;
    else if (align == GFX_RIGHT)
        dst.x = x - e->w;
    SDL_RenderCopy(g->ren, e->tex, NULL, &dst);
    return e->w;
}

int gfx_text(gfx *g, gfx_weight w, int px, SDL_Color c, int x, int y, gfx_align align,
             const char *utf8)
{
    if (!utf8)
        return 0;
    return text_draw(g, w, scale_px(g, px), c, x, y, align, utf8, strlen(utf8));
}

int gfx_text_width(gfx *g, gfx_weight w, int px, const char *utf8)
{
    if (!utf8 || !*utf8)
        return 0;
    px = scale_px(g, px);
    size_t len = strlen(utf8);
    uint64_t hash;
    size_t klen = gfx_key_build(g, CK_WIDTH, w, px, 0, 0, 0, utf8, len);
    centry *e = gfx_cache_get(g, klen, &hash);
    if (e)
        return e->w;
    TTF_Font *f = font_get(g, w, px);
    if (!f)
        return 0;
    int tw = measure(g, f, utf8, len, NULL);
    e = gfx_cache_insert(g, klen, hash, 0, 0);
    e->w = tw;
    return tw;
}

static int line_height(gfx *g, gfx_weight w, int px)
{
    TTF_Font *f = font_get(g, w, px);
    return f ? TTF_FontLineSkip(f) : 0;
}

int gfx_line_height(gfx *g, gfx_weight w, int px)
{
    return line_height(g, w, scale_px(g, px));
}

static void line_push(gfx *g, size_t *n, size_t off, size_t len, int w)
{
    g->lines = gfx_grow(g->lines, &g->lcap, *n + 1, sizeof *g->lines);
    g->lines[*n].off = (uint32_t)off;
    g->lines[*n].len = (uint32_t)len;
    g->lines[*n].w = w;
    (*n)++;
}

/* Longest run of whole characters from s[ls..we) that fits maxw (at least one character, so a
 * line always advances). Returns its end; *wout its width. */
static size_t fit_chars(gfx *g, TTF_Font *f, const char *s, size_t ls, size_t we, int maxw,
                        int *wout)
{
    size_t nb = 0;
    for (size_t i = ls; i < we;) {
        i = cluster_next(s, i, we);
        g->bnd = gfx_grow(g->bnd, &g->bcap, nb + 1, sizeof *g->bnd);
        g->bnd[nb++] = i;
    }
    size_t lo = 0, hi = nb - 1; /* bnd[lo] is known to be kept */
    *wout = measure(g, f, s + ls, g->bnd[0] - ls, NULL);
    while (lo < hi) {
        size_t mid = (lo + hi + 1) / 2;
        int mw = measure(g, f, s + ls, g->bnd[mid] - ls, NULL);
        if (mw <= maxw) {
            lo = mid;
            *wout = mw;
        } else {
            hi = mid - 1;
        }
    }
    return g->bnd[lo];
}

/* Greedy wrap of one paragraph s[start..end) into g->lines. */
static void wrap_para(gfx *g, TTF_Font *f, const char *s, size_t start, size_t end, int maxw,
                      size_t *n)
{
    size_t before = *n;
    size_t ls = start;
    for (;;) {
        while (ls < end && s[ls] == ' ')
            ls++;
        if (ls >= end)
            break;
        size_t le = ls, q = ls;
        int lw = 0;
        while (q < end) {
            size_t ws = q;
            while (ws < end && s[ws] == ' ')
                ws++;
            if (ws >= end)
                break;
            size_t we = ws;
            while (we < end && s[we] != ' ')
                we++;
            int ww = measure(g, f, s + ls, we - ls, NULL);
            if (ww > maxw)
                break;
            le = q = we;
            lw = ww;
        }
        if (le == ls) {
            /* One word wider than the line (a long code or URL): break it between characters. */
            size_t we = ls;
            while (we < end && s[we] != ' ')
                we++;
            le = fit_chars(g, f, s, ls, we, maxw, &lw);
        }
        line_push(g, n, ls, le - ls, lw);
        ls = le;
    }
    if (*n == before)
        line_push(g, n, start, 0, 0); /* an empty paragraph still takes a line */
}

/* The wrap layout of s at box width maxw (cached). The entry pointer is valid until the next
 * cache insert. */
static centry *wrap_get(gfx *g, gfx_weight w, int px, int maxw, const char *s, size_t len)
{
    uint64_t hash;
    size_t klen = gfx_key_build(g, CK_WRAP, w, px, 0, maxw, 0, s, len);
    centry *e = gfx_cache_get(g, klen, &hash);
    if (e)
        return e;
    TTF_Font *f = font_get(g, w, px);
    if (!f)
        return NULL;
    size_t n = 0;
    for (size_t p = 0;;) {
        size_t pe = p;
        while (pe < len && s[pe] != '\n')
            pe++;
        /* A final '\n' does not open an empty last line. */
        if (!(pe == p && p == len && n > 0))
            wrap_para(g, f, s, p, pe, maxw, &n);
        if (pe >= len)
            break;
        p = pe + 1;
    }
    int widest = 0;
    for (size_t i = 0; i < n; i++)
        widest = g->lines[i].w > widest ? g->lines[i].w : widest;
    e = gfx_cache_insert(g, klen, hash, n * sizeof(gfx_line), 0);
    e->lines = xmalloc(n * sizeof(gfx_line));
    memcpy(e->lines, g->lines, n * sizeof(gfx_line));
    e->nlines = (int)n;
    e->w = widest;
    e->ell_vis = -1;
    return e;
}

/* How many bytes of line vis-1 to keep so that they plus "…" fit maxw. */
static int ellipsis_keep(gfx *g, TTF_Font *f, const char *s, const gfx_line *ln, int maxw)
{
    const char *ls = s + ln->off;
    size_t keep = ln->len;
    while (keep > 0) {
        while (keep > 0 && strchr(" ,;:-", ls[keep - 1]))
            keep--;
        if (keep == 0 || measure(g, f, ls, keep, ELLIPSIS) <= maxw)
            break;
        keep = cluster_prev(ls, 0, keep);
    }
    return (int)keep;
}

int gfx_text_wrap(gfx *g, gfx_weight w, int px, SDL_Color c, SDL_Rect box, gfx_align align,
                  const char *utf8, int draw)
{
    if (!utf8 || !*utf8)
        return 0;
    px = scale_px(g, px);
    int lh = line_height(g, w, px);
    if (lh <= 0)
        return 0;
    int maxw = box.w > 1 ? box.w : 1;
    centry *e = wrap_get(g, w, px, maxw, utf8, strlen(utf8));
    if (!e)
        return 0;
    int n = e->nlines, total = n * lh;
    if (!draw)
        return total;
    int vis = total <= box.h ? n : box.h > 0 ? box.h / lh : 0;
    if (vis <= 0)
        return total;
    int cut = vis < n;
    int keep = 0;
    if (cut) {
        if (e->ell_vis != vis) {
            TTF_Font *f = font_get(g, w, px);
            e->ell_len = f ? ellipsis_keep(g, f, utf8, &e->lines[vis - 1], maxw) : 0;
            e->ell_vis = vis;
        }
        keep = e->ell_len;
    }
    /* Drawing inserts text textures, which may move the layout entry: work from a copy. */
    g->dlines = gfx_grow(g->dlines, &g->dlcap, (size_t)vis, sizeof *g->dlines);
    memcpy(g->dlines, e->lines, (size_t)vis * sizeof *g->dlines);
    for (int i = 0; i < vis; i++) {
        const char *ls = utf8 + g->dlines[i].off;
        size_t ll = g->dlines[i].len;
        if (cut && i == vis - 1) {
            size_t need = (size_t)keep + sizeof ELLIPSIS;
            g->ebuf = gfx_grow(g->ebuf, &g->ecap, need, 1);
            memcpy(g->ebuf, ls, (size_t)keep);
            memcpy(g->ebuf + keep, ELLIPSIS, sizeof ELLIPSIS);
            ls = g->ebuf;
            ll = need - 1;
        }
        int x = box.x;
        int y = box.y + i * lh;
        if (align == GFX_CENTER)
            x = box.x + box.w / 2;
        else if (align == GFX_RIGHT)
            x = box.x + box.w;
        text_draw(g, w, px, c, x, y, align, ls, ll);
    }
    return total;
}

static int fits_at(gfx *g, gfx_weight w, int px, SDL_Rect box, const char *s, size_t len)
{
    int lh = line_height(g, w, px);
    centry *e = wrap_get(g, w, px, box.w > 1 ? box.w : 1, s, len);
    return lh > 0 && e && e->nlines * lh <= box.h && e->w <= box.w;
}

int gfx_fit_px(gfx *g, gfx_weight w, int min_px, int max_px, SDL_Rect box, const char *utf8)
{
    /* Only the largest size grows with the scale: a text that must fit its box (a key's label,
     * a button's) may still come back down to the smallest size asked for, never vanish. */
    min_px = clamp_px(min_px);
    max_px = scale_px(g, max_px);
    if (max_px < min_px)
        max_px = min_px;
    if (!utf8 || !*utf8)
        return unscale_px(g, max_px);
    size_t len = strlen(utf8);
    uint64_t hash;
    size_t klen = gfx_key_build(g, CK_FIT, w, min_px, (uint32_t)max_px, box.w, box.h, utf8, len);
    centry *e = gfx_cache_get(g, klen, &hash);
    if (e)
        return unscale_px(g, e->w);
    int lo = min_px, hi = max_px;
    if (!fits_at(g, w, lo, box, utf8, len)) {
        hi = lo;
    } else {
        while (lo < hi) {
            int mid = lo + (hi - lo + 1) / 2;
            if (fits_at(g, w, mid, box, utf8, len))
                lo = mid;
            else
                hi = mid - 1;
        }
    }
    /* The probes reused the key buffer: build the key again. */
    klen = gfx_key_build(g, CK_FIT, w, min_px, (uint32_t)max_px, box.w, box.h, utf8, len);
    e = gfx_cache_insert(g, klen, gfx_key_hash(g, klen), 0, 0);
    e->w = lo;
    return unscale_px(g, lo);
}

/* ---- avatar initials ---- */

/* Upper-cased first character (with its combining marks) of the word at s[i..end). */
static size_t initial_of(const char *s, size_t i, size_t end, char *out)
{
    uint32_t cp;
    size_t j = utf8_next(s, i, end, &cp);
    size_t n = utf8_put(out, vi_upper(cp));
    size_t ce = cluster_next(s, i, end);
    if (ce > j && ce - j <= 12) {
        memcpy(out + n, s + j, ce - j);
        n += ce - j;
    }
    return n;
}

size_t gfx_initials(const char *name, char out[40])
{
    size_t len = strlen(name), first = len, last = len;
    for (size_t i = 0; i < len; i++) {
        int sp = name[i] == ' ' || name[i] == '\t';
        int start = !sp && (i == 0 || name[i - 1] == ' ' || name[i - 1] == '\t');
        if (start) {
            if (first == len)
                first = i;
            last = i;
        }
    }
    if (first == len)
        return 0;
    size_t n = initial_of(name, first, len, out);
    if (last != first)
        n += initial_of(name, last, len, out + n);
    out[n] = '\0';
    return n;
}

void gfx_set_text_scale(gfx *g, int percent)
{
    g->text_scale = percent;
}

int gfx_text_scale(const gfx *g)
{
    return g->text_scale ? g->text_scale : 100;
}

void gfx_set_text_hook(gfx *g, gfx_text_hook hook, void *arg)
{
    g->text_hook = hook;
    g->text_hook_arg = arg;
}
