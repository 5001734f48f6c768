/* gfx: drawing over one SDL_Renderer: anti-aliased shapes from cached coverage masks, text through
 * SDL2_ttf, one LRU cache for text textures, widths, wrap layouts and images, and the SVG artwork
 * in assets/ui rasterised at the size it is drawn. */
#include "gfx.h"

#include <SDL_image.h>
#include <SDL_ttf.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

#define GFX_MIN_PX 4
#define GFX_MAX_PX 512
/* Sizes differ per screen and resolution, but a screen uses a handful; 32 open faces cost a few
 * MB of FreeType state at most. */
#define GFX_FONT_SLOTS 32
/* The cache is trimmed when a screen is left; these caps keep memory flat even on a screen that
 * churns text (search results per keystroke), evicting least recently used down to 3/4. A full
 * 1280x800 screen of text and faces holds about 1.5 MB, so 16 MB is a wide margin that still fits
 * the 40 MB PSS budget. */
#define GFX_CACHE_MAX_ENTRIES 3072
#define GFX_CACHE_MAX_BYTES   (16u * 1024u * 1024u)
#define GFX_CACHE_MIN_CAP     256

static const char ELLIPSIS[] = "\xE2\x80\xA6"; /* U+2026 */

/* Cache entry kinds; part of the key so that one table holds everything. */
enum { CK_TEXT = 1, CK_WIDTH, CK_WRAP, CK_FIT, CK_IMAGE, CK_ICON, CK_MASK, CK_FAIL };

/* Fixed-size key prefix; the string (text, path or icon name) follows it in the key bytes. */
typedef struct {
    uint8_t kind;
    uint8_t weight;
    uint16_t px;
    uint32_t color;
    int32_t w, h;
} khdr;

typedef struct {
    uint32_t off, len; /* bytes into the wrapped string */
    int w;             /* pixels */
} gfx_line;

typedef struct {
    unsigned char *key; /* NULL: empty slot. khdr + string + NUL */
    size_t klen;        /* without the NUL */
    uint64_t hash;
    uint64_t stamp; /* LRU clock at last use */
    uint32_t gen;   /* trim generation at last use */
    size_t bytes;   /* what this entry costs, for the budget */
    int pinned;     /* failure markers: kept so a bad path is logged once */
    int doomed;     /* scratch flag while rebuilding */
    SDL_Texture *tex;
    int w, h; /* texture size; CK_WIDTH/CK_FIT: the value; CK_WRAP: widest line */
    gfx_line *lines;
    int nlines;
    int ell_vis, ell_len; /* CK_WRAP: bytes of line ell_vis-1 kept before "…" */
} centry;

typedef struct {
    uint64_t stamp;
    size_t bytes;
    size_t idx;
} evict_rec;

typedef struct {
    TTF_Font *font;
    int weight, px;
    uint64_t stamp;
} font_slot;

struct gfx {
    SDL_Renderer *ren;
    char *assets;
    char *font_path[2];
    font_slot fonts[GFX_FONT_SLOTS];
    uint64_t font_clock;

    centry *tab;
    size_t cap, count, npinned, bytes;
    uint32_t gen;
    uint64_t clock;

    /* Scratch buffers: grow to the largest need, then steady state allocates nothing. */
    char *kbuf;
    size_t kcap;
    char *mbuf;
    size_t mcap;
    char *ebuf;
    size_t ecap;
    gfx_line *lines;
    size_t lcap;
    gfx_line *dlines;
    size_t dlcap;
    size_t *bnd;
    size_t bcap;
    evict_rec *ev;
    size_t evcap;
};

/* IMG_Init does not count; gfx objects may overlap (tests), so count here. */
static int img_refs;

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return p;
    size_t n = *cap ? *cap : 64;
    while (n < need)
        n *= 2;
    *cap = n;
    return xrealloc(p, n * elem);
}

static int clamp_px(int px)
{
    return px < GFX_MIN_PX ? GFX_MIN_PX : px > GFX_MAX_PX ? GFX_MAX_PX : px;
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
    g->mbuf = grow(g->mbuf, &g->mcap, len + sl + 1, 1);
    memcpy(g->mbuf, s, len);
    if (sl)
        memcpy(g->mbuf + len, suffix, sl);
    g->mbuf[len + sl] = '\0';
    int w = 0, h = 0;
    if (TTF_SizeUTF8(f, g->mbuf, &w, &h) < 0)
        return 0;
    return w;
}

/* ---- cache ---- */

static uint64_t hash_bytes(const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 1099511628211ull;
    }
    /* Spread the high bits into the low ones used as the slot index. */
    return h ^ (h >> 29);
}

/* Builds the key in g->kbuf and returns its length (a NUL follows it). */
static size_t key_build(gfx *g, int kind, int weight, int px, uint32_t color, int w, int h,
                        const char *s, size_t len)
{
    khdr k;
    memset(&k, 0, sizeof k);
    k.kind = (uint8_t)kind;
    k.weight = (uint8_t)weight;
    k.px = (uint16_t)px;
    k.color = color;
    k.w = w;
    k.h = h;
    size_t klen = sizeof k + len;
    g->kbuf = grow(g->kbuf, &g->kcap, klen + 1, 1);
    memcpy(g->kbuf, &k, sizeof k);
    if (len)
        memcpy(g->kbuf + sizeof k, s, len);
    g->kbuf[klen] = '\0';
    return klen;
}

static void touch(gfx *g, centry *e)
{
    e->gen = g->gen;
    e->stamp = ++g->clock;
}

static centry *cache_find(gfx *g, size_t klen, uint64_t hash)
{
    size_t mask = g->cap - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
        centry *e = &g->tab[i];
        if (!e->key)
            return NULL;
        if (e->hash == hash && e->klen == klen && memcmp(e->key, g->kbuf, klen) == 0)
            return e;
    }
}

/* Looks up the key in g->kbuf; a hit is marked used. */
static centry *cache_get(gfx *g, size_t klen, uint64_t *hash_out)
{
    uint64_t h = hash_bytes(g->kbuf, klen);
    *hash_out = h;
    centry *e = cache_find(g, klen, h);
    if (e)
        touch(g, e);
    return e;
}

static void entry_free(centry *e)
{
    if (e->tex)
        SDL_DestroyTexture(e->tex);
    free(e->lines);
    free(e->key);
    memset(e, 0, sizeof *e);
}

/* Moves the live entries into a table of newcap slots, freeing the doomed ones. Textures freed
 * here may have been drawn this frame: SDL flushes queued commands that use a texture before
 * destroying it, so that is safe. */
static void cache_rebuild(gfx *g, size_t newcap)
{
    centry *nt = xcalloc(newcap, sizeof *nt);
    size_t mask = newcap - 1;
    g->count = g->npinned = g->bytes = 0;
    for (size_t i = 0; i < g->cap; i++) {
        centry *e = &g->tab[i];
        if (!e->key)
            continue;
        if (e->doomed) {
            entry_free(e);
            continue;
        }
        size_t j = e->hash & mask;
        while (nt[j].key)
            j = (j + 1) & mask;
        nt[j] = *e;
        g->count++;
        g->npinned += e->pinned ? 1 : 0;
        g->bytes += e->pinned ? 0 : e->bytes;
    }
    free(g->tab);
    g->tab = nt;
    g->cap = newcap;
}

static int evict_cmp(const void *a, const void *b)
{
    const evict_rec *x = a, *y = b;
    return x->stamp < y->stamp ? 1 : x->stamp > y->stamp ? -1 : 0; /* newest first */
}

/* Drops the least recently used entries until 3/4 of both budgets is left for the rest plus the
 * entry about to come in. */
static void cache_evict(gfx *g, size_t incoming)
{
    g->ev = grow(g->ev, &g->evcap, g->cap, sizeof *g->ev);
    size_t n = 0;
    for (size_t i = 0; i < g->cap; i++) {
        centry *e = &g->tab[i];
        if (e->key && !e->pinned) {
            g->ev[n].stamp = e->stamp;
            g->ev[n].bytes = e->bytes;
            g->ev[n].idx = i;
            n++;
        }
    }
    qsort(g->ev, n, sizeof *g->ev, evict_cmp);
    size_t max_n = GFX_CACHE_MAX_ENTRIES * 3 / 4;
    size_t max_b = (size_t)GFX_CACHE_MAX_BYTES * 3 / 4;
    max_b = incoming < max_b ? max_b - incoming : 0;
    size_t kept = 0, kept_b = 0, freed = 0;
    for (size_t k = 0; k < n; k++) {
        if (kept < max_n && kept_b + g->ev[k].bytes <= max_b) {
            kept++;
            kept_b += g->ev[k].bytes;
        } else {
            /* Once one is dropped, drop every older one too: keep strict LRU order. */
            max_n = 0;
            g->tab[g->ev[k].idx].doomed = 1;
            freed++;
        }
    }
    if (freed)
        cache_rebuild(g, g->cap);
}

/* Inserts the key in g->kbuf (absent) and returns its entry, payload zeroed. The pointer is valid
 * until the next insert. */
static centry *cache_insert(gfx *g, size_t klen, uint64_t hash, size_t bytes, int pinned)
{
    if (!pinned && (g->count - g->npinned + 1 > GFX_CACHE_MAX_ENTRIES ||
                    g->bytes + bytes > GFX_CACHE_MAX_BYTES))
        cache_evict(g, bytes);
    if ((g->count + 1) * 2 > g->cap)
        cache_rebuild(g, g->cap * 2);
    size_t mask = g->cap - 1;
    size_t i = hash & mask;
    while (g->tab[i].key)
        i = (i + 1) & mask;
    centry *e = &g->tab[i];
    memset(e, 0, sizeof *e);
    e->key = xmalloc(klen + 1);
    memcpy(e->key, g->kbuf, klen + 1);
    e->klen = klen;
    e->hash = hash;
    e->bytes = bytes + klen;
    e->pinned = pinned;
    touch(g, e);
    g->count++;
    g->npinned += pinned ? 1 : 0;
    g->bytes += pinned ? 0 : e->bytes;
    return e;
}

void gfx_cache_trim(gfx *g)
{
    size_t doomed = 0;
    for (size_t i = 0; i < g->cap; i++) {
        centry *e = &g->tab[i];
        if (e->key && !e->pinned && e->gen != g->gen) {
            e->doomed = 1;
            doomed++;
        }
    }
    size_t cap = g->cap;
    /* Give memory back after a screen that needed a big table. */
    while (cap > GFX_CACHE_MIN_CAP && (g->count - doomed) * 8 < cap)
        cap /= 2;
    if (doomed || cap != g->cap)
        cache_rebuild(g, cap);
    g->gen++;
}

int gfx_cache_count(gfx *g)
{
    return (int)(g->count - g->npinned);
}

size_t gfx_cache_bytes(gfx *g)
{
    return g->bytes;
}

/* ---- lifecycle ---- */

static char *join_path(const char *dir, const char *sub, const char *name, const char *ext)
{
    size_t n = strlen(dir) + strlen(sub) + strlen(name) + strlen(ext) + 3;
    char *p = xmalloc(n);
    util_fmt(p, n, "%s/%s/%s%s", dir, sub, name, ext);
    return p;
}

gfx *gfx_create(SDL_Renderer *ren, const char *assets_dir, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    if (TTF_Init() < 0) {
        if (err)
            util_fmt(err, errlen, "SDL_ttf: cannot initialise: %s", TTF_GetError());
        return NULL;
    }
    gfx *g = xcalloc(1, sizeof *g);
    g->ren = ren;
    g->assets = xstrdup(assets_dir);
    g->font_path[0] = join_path(assets_dir, "fonts", "NotoSans-Regular", ".ttf");
    g->font_path[1] = join_path(assets_dir, "fonts", "NotoSans-Bold", ".ttf");
    /* Open both faces now so a missing or broken font stops the start with its path, instead of
     * a screen without text later. */
    for (int wi = 0; wi < 2; wi++) {
        TTF_Font *f = TTF_OpenFont(g->font_path[wi], 24);
        if (!f) {
            if (err)
                util_fmt(err, errlen, "%s: cannot open font: %s", g->font_path[wi], TTF_GetError());
            for (int k = 0; k < wi; k++)
                TTF_CloseFont(g->fonts[k].font);
            free(g->font_path[0]);
            free(g->font_path[1]);
            free(g->assets);
            free(g);
            TTF_Quit();
            return NULL;
        }
        g->fonts[wi].font = f;
        g->fonts[wi].weight = wi;
        g->fonts[wi].px = 24;
        g->fonts[wi].stamp = ++g->font_clock;
    }
    if (img_refs++ == 0) {
        int want = IMG_INIT_PNG | IMG_INIT_JPG;
        if ((IMG_Init(want) & want) != want)
            log_warn("SDL_image: PNG/JPEG support incomplete: %s", IMG_GetError());
    }
    g->cap = GFX_CACHE_MIN_CAP;
    g->tab = xcalloc(g->cap, sizeof *g->tab);
    SDL_SetRenderDrawBlendMode(ren, SDL_BLENDMODE_BLEND);
    return g;
}

void gfx_destroy(gfx *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->cap; i++)
        if (g->tab[i].key)
            entry_free(&g->tab[i]);
    free(g->tab);
    for (int i = 0; i < GFX_FONT_SLOTS; i++)
        if (g->fonts[i].font)
            TTF_CloseFont(g->fonts[i].font);
    free(g->font_path[0]);
    free(g->font_path[1]);
    free(g->assets);
    free(g->kbuf);
    free(g->mbuf);
    free(g->ebuf);
    free(g->lines);
    free(g->dlines);
    free(g->bnd);
    free(g->ev);
    free(g);
    TTF_Quit();
    if (--img_refs == 0)
        IMG_Quit();
}

SDL_Renderer *gfx_renderer(gfx *g)
{
    return g->ren;
}

/* ---- shapes ----
 * Round parts come from cached coverage masks (white, alpha = how much of each pixel the disc or
 * ring covers) tinted with the colour; straight parts are plain rectangles. The software renderer
 * rounds SDL_RenderGeometry vertices to whole pixels and blends each triangle through a temporary
 * surface, so geometry there is neither smooth nor fast; masks are exact and cheap everywhere and
 * the headless screenshots match what the kiosk shows. */

void gfx_clear(gfx *g, SDL_Color c)
{
    SDL_SetRenderDrawColor(g->ren, c.r, c.g, c.b, c.a);
    SDL_RenderClear(g->ren);
}

void gfx_fill_rect(gfx *g, SDL_Rect r, SDL_Color c)
{
    if (r.w <= 0 || r.h <= 0)
        return;
    SDL_SetRenderDrawBlendMode(g->ren, SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(g->ren, c.r, c.g, c.b, c.a);
    SDL_RenderFillRect(g->ren, &r);
}

/* Mask of side s: a disc of diameter s centred in it, or with t > 0 a ring t pixels wide
 * inside that disc. */
static centry *mask_get(gfx *g, int s, int t)
{
    uint64_t hash;
    size_t klen = key_build(g, CK_MASK, 0, 0, 0, s, t, NULL, 0);
    centry *e = cache_get(g, klen, &hash);
    if (e)
        return e;
    SDL_Surface *m = SDL_CreateRGBSurfaceWithFormat(0, s, s, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!m)
        return NULL;
    float c = (float)s / 2, ro = (float)s / 2, ri = ro - (float)t;
    for (int y = 0; y < s; y++) {
        Uint32 *row = (Uint32 *)((Uint8 *)m->pixels + (size_t)y * m->pitch);
        float dy = (float)y + 0.5f - c;
        for (int x = 0; x < s; x++) {
            float dx = (float)x + 0.5f - c;
            float d = sqrtf(dx * dx + dy * dy);
            /* Signed distance to the edge as the covered fraction of the pixel: a 1 px ramp. */
            float a = ro - d + 0.5f;
            if (t > 0) {
                float b = d - ri + 0.5f;
                a = a < b ? a : b;
            }
            a = a < 0 ? 0 : a > 1 ? 1 : a;
            row[x] = (Uint32)(a * 255.0f + 0.5f) << 24 | 0xFFFFFFu;
        }
    }
    SDL_Texture *tex = SDL_CreateTextureFromSurface(g->ren, m);
    SDL_FreeSurface(m);
    if (!tex)
        return NULL;
    SDL_SetTextureBlendMode(tex, SDL_BLENDMODE_BLEND);
    e = cache_insert(g, klen, hash, (size_t)s * (size_t)s * 4, 0);
    e->tex = tex;
    e->w = e->h = s;
    return e;
}

static void mask_tint(SDL_Texture *tex, SDL_Color c)
{
    SDL_SetTextureColorMod(tex, c.r, c.g, c.b);
    SDL_SetTextureAlphaMod(tex, c.a);
}

static void copy_part(gfx *g, SDL_Texture *tex, int sx, int sy, int w, int h, int dx, int dy)
{
    SDL_Rect src = {sx, sy, w, h}, dst = {dx, dy, w, h};
    SDL_RenderCopy(g->ren, tex, &src, &dst);
}

static int clamp_radius(SDL_Rect r, int radius)
{
    int m = (r.w < r.h ? r.w : r.h) / 2;
    return radius < 0 ? 0 : radius > m ? m : radius;
}

/* Rounded rectangle with the corners in `round` (bit 0 top-left, 1 top-right, 2 bottom-right,
 * 3 bottom-left) rounded; the others square. */
static void fill_rrect_corners(gfx *g, SDL_Rect r, int radius, unsigned round, SDL_Color c)
{
    if (r.w <= 0 || r.h <= 0 || c.a == 0)
        return;
    int q = clamp_radius(r, radius);
    centry *e = q > 0 && round ? mask_get(g, 2 * q, 0) : NULL;
    if (!e) {
        gfx_fill_rect(g, r, c);
        return;
    }
    mask_tint(e->tex, c);
    int xr = r.x + r.w - q, yb = r.y + r.h - q;
    const int cx[4] = {r.x, xr, xr, r.x}, cy[4] = {r.y, r.y, yb, yb};
    for (int k = 0; k < 4; k++) {
        if (round & (1u << k))
            copy_part(g, e->tex, cx[k] == r.x ? 0 : q, cy[k] == r.y ? 0 : q, q, q, cx[k], cy[k]);
        else
            gfx_fill_rect(g, (SDL_Rect){cx[k], cy[k], q, q}, c);
    }
    gfx_fill_rect(g, (SDL_Rect){r.x + q, r.y, r.w - 2 * q, r.h}, c);
    gfx_fill_rect(g, (SDL_Rect){r.x, r.y + q, q, r.h - 2 * q}, c);
    gfx_fill_rect(g, (SDL_Rect){xr, r.y + q, q, r.h - 2 * q}, c);
}

void gfx_fill_rrect(gfx *g, SDL_Rect r, int radius, SDL_Color c)
{
    fill_rrect_corners(g, r, radius, 0xF, c);
}

void gfx_stroke_rrect(gfx *g, SDL_Rect r, int radius, int thickness, SDL_Color c)
{
    if (r.w <= 0 || r.h <= 0 || thickness <= 0 || c.a == 0)
        return;
    int t = thickness;
    if (2 * t >= r.w || 2 * t >= r.h) {
        gfx_fill_rrect(g, r, radius, c);
        return;
    }
    int q = clamp_radius(r, radius);
    centry *e = q > 0 ? mask_get(g, 2 * q, t) : NULL;
    if (q > 0 && !e)
        q = 0;
    int xr = r.x + r.w - q, yb = r.y + r.h - q;
    if (e) {
        mask_tint(e->tex, c);
        copy_part(g, e->tex, 0, 0, q, q, r.x, r.y);
        copy_part(g, e->tex, q, 0, q, q, xr, r.y);
        copy_part(g, e->tex, q, q, q, q, xr, yb);
        copy_part(g, e->tex, 0, q, q, q, r.x, yb);
    }
    /* Bands between the corners; with a radius under the thickness the corner squares are fully
     * inside the band and small fillers close the gaps beside them, without overlaps (which
     * would show as darker spots in a translucent colour). */
    int m = q > t ? q : t;
    gfx_fill_rect(g, (SDL_Rect){r.x + q, r.y, r.w - 2 * q, t}, c);
    gfx_fill_rect(g, (SDL_Rect){r.x + q, r.y + r.h - t, r.w - 2 * q, t}, c);
    gfx_fill_rect(g, (SDL_Rect){r.x, r.y + m, t, r.h - 2 * m}, c);
    gfx_fill_rect(g, (SDL_Rect){r.x + r.w - t, r.y + m, t, r.h - 2 * m}, c);
    if (t > q) {
        gfx_fill_rect(g, (SDL_Rect){r.x, r.y + q, q, t - q}, c);
        gfx_fill_rect(g, (SDL_Rect){xr, r.y + q, q, t - q}, c);
        gfx_fill_rect(g, (SDL_Rect){r.x, r.y + r.h - t, q, t - q}, c);
        gfx_fill_rect(g, (SDL_Rect){xr, r.y + r.h - t, q, t - q}, c);
    }
}

void gfx_fill_circle(gfx *g, int cx, int cy, int radius, SDL_Color c)
{
    if (radius <= 0 || c.a == 0)
        return;
    /* Centred on pixel (cx, cy), so the diameter is odd. */
    int s = 2 * radius + 1;
    centry *e = mask_get(g, s, 0);
    if (!e)
        return;
    mask_tint(e->tex, c);
    SDL_Rect dst = {cx - radius, cy - radius, s, s};
    SDL_RenderCopy(g->ren, e->tex, NULL, &dst);
}

/* ---- text ---- */

/* The texture for one line of text, rendered on first use. NULL for empty text. */
static centry *text_get(gfx *g, gfx_weight w, int px, SDL_Color c, const char *s, size_t len)
{
    if (len == 0)
        return NULL;
    uint64_t hash;
    size_t klen = key_build(g, CK_TEXT, w, px, pack_color(c), 0, 0, s, len);
    centry *e = cache_get(g, klen, &hash);
    if (e)
        return e;
    TTF_Font *f = font_get(g, w, px);
    if (!f)
        return NULL;
    /* The key buffer holds the string NUL-terminated right after the header. */
    SDL_Surface *surf = TTF_RenderUTF8_Blended(f, g->kbuf + sizeof(khdr), c);
    if (!surf)
        return NULL;
    SDL_Texture *tex = SDL_CreateTextureFromSurface(g->ren, surf);
    int tw = surf->w, th = surf->h;
    SDL_FreeSurface(surf);
    if (!tex) {
        log_warn("gfx: cannot create text texture: %s", SDL_GetError());
        return NULL;
    }
    SDL_SetTextureBlendMode(tex, SDL_BLENDMODE_BLEND);
    e = cache_insert(g, klen, hash, (size_t)tw * (size_t)th * 4, 0);
    e->tex = tex;
    e->w = tw;
    e->h = th;
    return e;
}

static int text_draw(gfx *g, gfx_weight w, int px, SDL_Color c, int x, int y, gfx_align align,
                     const char *s, size_t len)
{
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
    return text_draw(g, w, clamp_px(px), c, x, y, align, utf8, strlen(utf8));
}

int gfx_text_width(gfx *g, gfx_weight w, int px, const char *utf8)
{
    if (!utf8 || !*utf8)
        return 0;
    px = clamp_px(px);
    size_t len = strlen(utf8);
    uint64_t hash;
    size_t klen = key_build(g, CK_WIDTH, w, px, 0, 0, 0, utf8, len);
    centry *e = cache_get(g, klen, &hash);
    if (e)
        return e->w;
    TTF_Font *f = font_get(g, w, px);
    if (!f)
        return 0;
    int tw = measure(g, f, utf8, len, NULL);
    e = cache_insert(g, klen, hash, 0, 0);
    e->w = tw;
    return tw;
}

int gfx_line_height(gfx *g, gfx_weight w, int px)
{
    TTF_Font *f = font_get(g, w, clamp_px(px));
    return f ? TTF_FontLineSkip(f) : 0;
}

static void line_push(gfx *g, size_t *n, size_t off, size_t len, int w)
{
    g->lines = grow(g->lines, &g->lcap, *n + 1, sizeof *g->lines);
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
        g->bnd = grow(g->bnd, &g->bcap, nb + 1, sizeof *g->bnd);
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
    size_t klen = key_build(g, CK_WRAP, w, px, 0, maxw, 0, s, len);
    centry *e = cache_get(g, klen, &hash);
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
    e = cache_insert(g, klen, hash, n * sizeof(gfx_line), 0);
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
    px = clamp_px(px);
    int lh = gfx_line_height(g, w, px);
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
    g->dlines = grow(g->dlines, &g->dlcap, (size_t)vis, sizeof *g->dlines);
    memcpy(g->dlines, e->lines, (size_t)vis * sizeof *g->dlines);
    for (int i = 0; i < vis; i++) {
        const char *ls = utf8 + g->dlines[i].off;
        size_t ll = g->dlines[i].len;
        if (cut && i == vis - 1) {
            size_t need = (size_t)keep + sizeof ELLIPSIS;
            g->ebuf = grow(g->ebuf, &g->ecap, need, 1);
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
    int lh = gfx_line_height(g, w, px);
    centry *e = wrap_get(g, w, px, box.w > 1 ? box.w : 1, s, len);
    return lh > 0 && e && e->nlines * lh <= box.h && e->w <= box.w;
}

int gfx_fit_px(gfx *g, gfx_weight w, int min_px, int max_px, SDL_Rect box, const char *utf8)
{
    min_px = clamp_px(min_px);
    max_px = clamp_px(max_px);
    if (max_px < min_px)
        max_px = min_px;
    if (!utf8 || !*utf8)
        return max_px;
    size_t len = strlen(utf8);
    uint64_t hash;
    size_t klen = key_build(g, CK_FIT, w, min_px, (uint32_t)max_px, box.w, box.h, utf8, len);
    centry *e = cache_get(g, klen, &hash);
    if (e)
        return e->w;
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
    klen = key_build(g, CK_FIT, w, min_px, (uint32_t)max_px, box.w, box.h, utf8, len);
    e = cache_insert(g, klen, hash_bytes(g->kbuf, klen), 0, 0);
    e->w = lo;
    return lo;
}

/* ---- images ---- */

static int has_svg_ext(const char *path)
{
    size_t n = strlen(path);
    return n >= 4 && SDL_strcasecmp(path + n - 4, ".svg") == 0;
}

static int failed_before(gfx *g, const char *path)
{
    uint64_t hash;
    size_t klen = key_build(g, CK_FAIL, 0, 0, 0, 0, 0, path, strlen(path));
    return cache_get(g, klen, &hash) != NULL;
}

static void mark_failed(gfx *g, const char *path, const char *why)
{
    log_warn("%s: cannot load image: %s", path, why);
    uint64_t hash;
    size_t klen = key_build(g, CK_FAIL, 0, 0, 0, 0, 0, path, strlen(path));
    if (!cache_get(g, klen, &hash))
        cache_insert(g, klen, hash, 0, 1);
}

/* nanosvg through SDL_image, scaled to fit inside w x h (aspect kept); 0 leaves a side free. */
static SDL_Surface *svg_raster(const char *path, int w, int h)
{
    SDL_RWops *rw = SDL_RWFromFile(path, "rb");
    if (!rw)
        return NULL;
    SDL_Surface *s = IMG_LoadSizedSVG_RW(rw, w, h);
    SDL_RWclose(rw);
    return s;
}

/* Averages 2x2 blocks of r in a 32-bit surface: repeated, a clean downscale before the final
 * bilinear step (bilinear alone aliases badly when shrinking a camera photo 10x). */
static SDL_Surface *halve(SDL_Surface *src, SDL_Rect r)
{
    int w = r.w / 2, h = r.h / 2;
    SDL_Surface *d = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, src->format->format);
    if (!d)
        return NULL;
    for (int y = 0; y < h; y++) {
        const Uint8 *r0 =
            (const Uint8 *)src->pixels + (size_t)(r.y + 2 * y) * src->pitch + (size_t)r.x * 4;
        const Uint8 *r1 = r0 + src->pitch;
        Uint8 *o = (Uint8 *)d->pixels + (size_t)y * d->pitch;
        for (int x = 0; x < w * 4; x += 4)
            for (int k = 0; k < 4; k++)
                o[x + k] = (Uint8)((r0[2 * x + k] + r0[2 * x + 4 + k] + r1[2 * x + k] +
                                    r1[2 * x + 4 + k] + 2) /
                                   4);
    }
    return d;
}

/* Decodes a photo and returns exactly w x h pixels of it, centre-cropped to cover. Keeping
 * only that (not a 12-megapixel original) keeps the cache small. */
static SDL_Surface *raster_cover(const char *path, int w, int h)
{
    SDL_Surface *img = IMG_Load(path);
    if (!img)
        return NULL;
    SDL_Surface *cur = SDL_ConvertSurfaceFormat(img, SDL_PIXELFORMAT_ARGB8888, 0);
    SDL_FreeSurface(img);
    if (!cur)
        return NULL;
    SDL_Rect crop = {0, 0, cur->w, cur->h};
    if ((long long)cur->w * h > (long long)cur->h * w) {
        crop.w = (int)((long long)cur->h * w / h);
        crop.x = (cur->w - crop.w) / 2;
    } else {
        crop.h = (int)((long long)cur->w * h / w);
        crop.y = (cur->h - crop.h) / 2;
    }
    if (crop.w < 1)
        crop.w = 1;
    if (crop.h < 1)
        crop.h = 1;
    while (crop.w >= 2 * w && crop.h >= 2 * h) {
        SDL_Surface *half = halve(cur, crop);
        SDL_FreeSurface(cur);
        if (!half)
            return NULL;
        cur = half;
        crop.x = crop.y = 0;
        crop.w = cur->w;
        crop.h = cur->h;
    }
    SDL_Surface *out = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (out && SDL_SoftStretchLinear(cur, &crop, out, NULL) < 0) {
        SDL_SetSurfaceBlendMode(cur, SDL_BLENDMODE_NONE);
        SDL_BlitScaled(cur, &crop, out, NULL);
    }
    SDL_FreeSurface(cur);
    return out;
}

/* SVG rasterised big enough to cover w x h (cropped when drawn). */
static SDL_Surface *svg_cover(const char *path, int w, int h)
{
    SDL_Surface *s = svg_raster(path, w, h);
    if (s && (s->w < w || s->h < h)) {
        int narrow = s->w < w;
        SDL_FreeSurface(s);
        s = svg_raster(path, narrow ? w : 0, narrow ? 0 : h);
    }
    return s;
}

static void draw_cover(gfx *g, const centry *e, SDL_Rect dst)
{
    SDL_Rect src = {0, 0, e->w, e->h};
    if ((long long)e->w * dst.h > (long long)e->h * dst.w) {
        src.w = (int)((long long)e->h * dst.w / dst.h);
        src.x = (e->w - src.w) / 2;
    } else {
        src.h = (int)((long long)e->w * dst.h / dst.w);
        src.y = (e->h - src.h) / 2;
    }
    SDL_RenderCopy(g->ren, e->tex, &src, &dst);
}

static centry *texture_entry(gfx *g, SDL_Surface *s, const char *path, size_t klen, uint64_t hash)
{
    SDL_Texture *tex = SDL_CreateTextureFromSurface(g->ren, s);
    int tw = s->w, th = s->h;
    SDL_FreeSurface(s);
    if (!tex) {
        mark_failed(g, path, SDL_GetError());
        return NULL;
    }
    SDL_SetTextureBlendMode(tex, SDL_BLENDMODE_BLEND);
    SDL_SetTextureScaleMode(tex, SDL_ScaleModeLinear);
    centry *e = cache_insert(g, klen, hash, (size_t)tw * (size_t)th * 4, 0);
    e->tex = tex;
    e->w = tw;
    e->h = th;
    return e;
}

int gfx_image(gfx *g, const char *path, SDL_Rect dst)
{
    if (!path || !*path)
        return -1;
    if (dst.w <= 0 || dst.h <= 0)
        return 0;
    size_t len = strlen(path);
    uint64_t hash;
    size_t klen = key_build(g, CK_IMAGE, 0, 0, 0, dst.w, dst.h, path, len);
    centry *e = cache_get(g, klen, &hash);
    if (!e) {
        if (failed_before(g, path))
            return -1;
        SDL_Surface *s =
            has_svg_ext(path) ? svg_cover(path, dst.w, dst.h) : raster_cover(path, dst.w, dst.h);
        if (!s) {
            mark_failed(g, path, IMG_GetError());
            return -1;
        }
        klen = key_build(g, CK_IMAGE, 0, 0, 0, dst.w, dst.h, path, len);
        e = texture_entry(g, s, path, klen, hash);
        if (!e)
            return -1;
    }
    draw_cover(g, e, dst);
    return 0;
}

int gfx_icon(gfx *g, const char *name, SDL_Rect dst)
{
    if (!name || !*name)
        return -1;
    if (dst.w <= 0 || dst.h <= 0)
        return 0;
    size_t len = strlen(name);
    uint64_t hash;
    size_t klen = key_build(g, CK_ICON, 0, 0, 0, dst.w, dst.h, name, len);
    centry *e = cache_get(g, klen, &hash);
    if (!e) {
        char *path = join_path(g->assets, "ui", name, ".svg");
        int ok = 0;
        if (!failed_before(g, path)) {
            SDL_Surface *s = svg_raster(path, dst.w, dst.h);
            if (!s) {
                mark_failed(g, path, IMG_GetError());
            } else {
                klen = key_build(g, CK_ICON, 0, 0, 0, dst.w, dst.h, name, len);
                e = texture_entry(g, s, path, klen, hash);
                ok = e != NULL;
            }
        }
        free(path);
        if (!ok)
            return -1;
    }
    /* Rasterised to fit dst with its aspect kept: centre it at its own size, no resampling. */
    SDL_Rect r = {dst.x + (dst.w - e->w) / 2, dst.y + (dst.h - e->h) / 2, e->w, e->h};
    SDL_RenderCopy(g->ren, e->tex, NULL, &r);
    return 0;
}

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

void gfx_placeholder_avatar(gfx *g, SDL_Rect dst, const char *name)
{
    static const SDL_Color bg = {0xD3, 0xDC, 0xE6, 0xFF};
    static const SDL_Color figure = {0xA3, 0xB3, 0xC6, 0xFF};
    static const SDL_Color ink = {0x3A, 0x4B, 0x60, 0xFF};
    if (dst.w <= 0 || dst.h <= 0)
        return;
    int side = dst.w < dst.h ? dst.w : dst.h;
    int cx = dst.x + dst.w / 2;
    gfx_fill_rect(g, dst, bg);
    /* Head and shoulders, low in the frame like a passport photo. */
    int head_r = side * 17 / 100;
    int head_y = dst.y + dst.h * 38 / 100;
    int body_w = side * 72 / 100;
    int body_top = head_y + head_r + side * 6 / 100;
    SDL_Rect body = {cx - body_w / 2, body_top, body_w, dst.y + dst.h - body_top};
    fill_rrect_corners(g, body, side * 30 / 100, 0x3, figure);
    gfx_fill_circle(g, cx, head_y, head_r, figure);

    if (!name)
        return;
    /* Initials: first letter of the first word and of the last ("Nguyễn Thị Lan" -> "NL"). */
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
        return;
    char ini[40];
    size_t n = initial_of(name, first, len, ini);
    if (last != first)
        n += initial_of(name, last, len, ini + n);
    ini[n] = '\0';
    int px = side * 20 / 100;
    if (px < GFX_MIN_PX)
        return;
    int lh = gfx_line_height(g, GFX_BOLD, px);
    /* On the chest, where the figure is widest. */
    int ty = body.y + (body.h - lh) / 2 + side / 40;
    gfx_text(g, GFX_BOLD, px, ink, cx, ty, GFX_CENTER, ini);
}
