/* gfx: drawing over one SDL_Renderer: its lifecycle, anti-aliased shapes from cached coverage
 * masks, images and the SVG artwork in assets/ui rasterised at the size it is drawn. Text is in
 * gfx_text.c, the LRU cache everything goes through in gfx_cache.c. */
#include "gfx.h"

#include <SDL_image.h>
#include <SDL_ttf.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gfx_int.h"
#include "log.h"
#include "util.h"

/* IMG_Init does not count; gfx objects may overlap (tests), so count here. */
static int img_refs;

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
    gfx_cache_init(g);
    SDL_SetRenderDrawBlendMode(ren, SDL_BLENDMODE_BLEND);
    return g;
}

void gfx_destroy(gfx *g)
{
    if (!g)
        return;
    gfx_cache_free(g);
    for (int i = 0; i < GFX_FONT_SLOTS; i++)
        if (g->fonts[i].font)
            TTF_CloseFont(g->fonts[i].font);
    free(g->font_path[0]);
    free(g->font_path[1]);
    free(g->assets);
    free(g->mbuf);
    free(g->ebuf);
    free(g->lines);
    free(g->dlines);
    free(g->bnd);
    free(g);
    TTF_Quit();
    if (--img_refs == 0)
        IMG_Quit();
}

SDL_Renderer *gfx_renderer(gfx *g)
{
    return g->ren;
}

/* ---- which OpenGL ---- */

const char *gfx_gl_renderer(SDL_Renderer *ren)
{
    SDL_RendererInfo ri;
    if (SDL_GetRendererInfo(ren, &ri) != 0 || !ri.name || strncmp(ri.name, "opengl", 6) != 0)
        return NULL;
    /* No GL headers or library of our own: SDL loaded the one it renders with. */
    typedef const unsigned char *(*get_string_fn)(unsigned int);
    void *sym = SDL_GL_GetProcAddress("glGetString");
    get_string_fn get_string; /* POSIX's dlsym idiom: ISO C has no object-to-function cast */
    memcpy(&get_string, &sym, sizeof get_string);
    if (!get_string)
        return NULL;
    return (const char *)get_string(0x1F01u); /* GL_RENDERER */
}

int gfx_gl_is_software(const char *gl_renderer)
{
    static const char *const soft[] = {"llvmpipe", "softpipe", "swrast", "software rasterizer"};
    if (!gl_renderer)
        return 0;
    for (size_t i = 0; i < HL_ARRAY_LEN(soft); i++)
        if (SDL_strcasestr(gl_renderer, soft[i]))
            return 1;
    return 0;
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
    size_t klen = gfx_key_build(g, CK_MASK, 0, 0, 0, s, t, NULL, 0);
    centry *e = gfx_cache_get(g, klen, &hash);
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
    return gfx_cache_texture(g, m, klen, hash);
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

/* ---- images ---- */

static int has_svg_ext(const char *path)
{
    size_t n = strlen(path);
    return n >= 4 && SDL_strcasecmp(path + n - 4, ".svg") == 0;
}

static int failed_before(gfx *g, const char *path)
{
    uint64_t hash;
    size_t klen = gfx_key_build(g, CK_FAIL, 0, 0, 0, 0, 0, path, strlen(path));
    return gfx_cache_get(g, klen, &hash) != NULL;
}

static void mark_failed(gfx *g, const char *path, const char *why)
{
    log_warn("%s: cannot load image: %s", path, why);
    uint64_t hash;
    size_t klen = gfx_key_build(g, CK_FAIL, 0, 0, 0, 0, 0, path, strlen(path));
    if (!gfx_cache_get(g, klen, &hash))
        gfx_cache_insert(g, klen, hash, 0, 1);
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

/* The cached texture of an image file (CK_IMAGE: key is its path, cropped to cover dst when drawn)
 * or of an icon (CK_ICON: key is its name in <assets>/ui, fitted into dst), rasterised for dst's
 * size on first use. NULL when it cannot be loaded; the file is then logged once. */
static centry *art_get(gfx *g, int kind, const char *key, SDL_Rect dst)
{
    size_t len = strlen(key);
    uint64_t hash;
    size_t klen = gfx_key_build(g, kind, 0, 0, 0, dst.w, dst.h, key, len);
    centry *e = gfx_cache_get(g, klen, &hash);
    if (e)
        return e;
    char *icon = kind == CK_ICON ? join_path(g->assets, "ui", key, ".svg") : NULL;
    const char *path = icon ? icon : key;
    if (!failed_before(g, path)) {
        SDL_Surface *s = icon                ? svg_raster(path, dst.w, dst.h)
                         : has_svg_ext(path) ? svg_cover(path, dst.w, dst.h)
                                             : raster_cover(path, dst.w, dst.h);
        if (!s) {
            mark_failed(g, path, IMG_GetError());
        } else {
            /* failed_before used the key buffer: build the key again. */
            klen = gfx_key_build(g, kind, 0, 0, 0, dst.w, dst.h, key, len);
            e = gfx_cache_texture(g, s, klen, hash);
            if (e)
                SDL_SetTextureScaleMode(e->tex, SDL_ScaleModeLinear);
            else
                mark_failed(g, path, SDL_GetError());
        }
    }
    free(icon);
    return e;
}

int gfx_image(gfx *g, const char *path, SDL_Rect dst)
{
    if (!path || !*path)
        return -1;
    if (dst.w <= 0 || dst.h <= 0)
        return 0;
    centry *e = art_get(g, CK_IMAGE, path, dst);
    if (!e)
        return -1;
    draw_cover(g, e, dst);
    return 0;
}

int gfx_icon(gfx *g, const char *name, SDL_Rect dst)
{
    if (!name || !*name)
        return -1;
    if (dst.w <= 0 || dst.h <= 0)
        return 0;
    centry *e = art_get(g, CK_ICON, name, dst);
    if (!e)
        return -1;
    /* Rasterised to fit dst with its aspect kept: centre it at its own size, no resampling. */
    SDL_Rect r = {dst.x + (dst.w - e->w) / 2, dst.y + (dst.h - e->h) / 2, e->w, e->h};
    SDL_RenderCopy(g->ren, e->tex, NULL, &r);
    return 0;
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

    char ini[40];
    if (!name || gfx_initials(name, ini) == 0)
        return;
    int px = side * 20 / 100;
    if (px < GFX_MIN_PX)
        return;
    int lh = gfx_line_height(g, GFX_BOLD, px);
    /* On the chest, where the figure is widest. */
    int ty = body.y + (body.h - lh) / 2 + side / 40;
    gfx_text(g, GFX_BOLD, px, ink, cx, ty, GFX_CENTER, ini);
}
