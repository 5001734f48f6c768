/* gfx: drawing over one SDL_Renderer: shapes, text through SDL2_ttf with a texture cache, images
 * and the face/icon artwork from assets/ui (SVG through SDL2_image, rasterised at the size asked).
 * Only the bundled fonts in <assets>/fonts are ever loaded. */
#ifndef HL_GFX_H
#define HL_GFX_H

#include <SDL.h>

typedef struct gfx gfx;

typedef enum { GFX_REGULAR, GFX_BOLD } gfx_weight;
typedef enum { GFX_LEFT, GFX_CENTER, GFX_RIGHT } gfx_align;

/* Loads NotoSans-Regular.ttf and NotoSans-Bold.ttf from <assets_dir>/fonts. Returns NULL with err
 * set ("<path>: cannot open font: ...") on failure. */
gfx *gfx_create(SDL_Renderer *ren, const char *assets_dir, char *err, size_t errlen);
void gfx_destroy(gfx *g);
SDL_Renderer *gfx_renderer(gfx *g);

/* The OpenGL implementation behind ren: its GL_RENDERER string (e.g. "llvmpipe (LLVM 15.0.6, 256
 * bits)") when ren is one of SDL's OpenGL renderers (opengl, opengles2), else NULL. Needs ren's
 * context current on this thread, as it is right after SDL_CreateRenderer. */
const char *gfx_gl_renderer(SDL_Renderer *ren);
/* 1 if that string names a software rasteriser (Mesa's llvmpipe, softpipe, swrast). */
int gfx_gl_is_software(const char *gl_renderer);

void gfx_clear(gfx *g, SDL_Color c);
void gfx_fill_rect(gfx *g, SDL_Rect r, SDL_Color c);
/* Anti-aliased enough for a kiosk: filled rounded rectangle (radius clamped to half the side). */
void gfx_fill_rrect(gfx *g, SDL_Rect r, int radius, SDL_Color c);
void gfx_stroke_rrect(gfx *g, SDL_Rect r, int radius, int thickness, SDL_Color c);
void gfx_fill_circle(gfx *g, int cx, int cy, int radius, SDL_Color c);

/* Every text from now on at percent % of the size asked for ("Chữ to": 150; 100 = as asked);
 * gfx_fit_px may still shrink a text down to its min_px to fit its box. Sizes from gfx_fit_px
 * are in the caller's terms, so passing them back scales them once. gfx_text_scale: the
 * current percent. */
void gfx_set_text_scale(gfx *g, int percent);
int gfx_text_scale(const gfx *g);

/* Tests: hook(arg, text, len) is called with every line of text drawn (a wrapped paragraph line
 * by line), so that what a screen says can be checked; NULL turns it off. */
typedef void (*gfx_text_hook)(void *arg, const char *text, size_t len);
void gfx_set_text_hook(gfx *g, gfx_text_hook hook, void *arg);

/* One line of text, top edge at y; x is the left edge, centre or right edge per align.
 * px is the font size in pixels. Returns the width drawn. Text textures are cached. */
int gfx_text(gfx *g, gfx_weight w, int px, SDL_Color c, int x, int y, gfx_align align,
             const char *utf8);
int gfx_text_width(gfx *g, gfx_weight w, int px, const char *utf8);
int gfx_line_height(gfx *g, gfx_weight w, int px);

/* Wraps utf8 at spaces (and at explicit '\n') to box.w and draws the lines from box.y down,
 * aligned within box. Lines that do not fit in box.h are not drawn; the last drawn line ends in
 * "…" if text was cut. With draw = 0 it only measures. Returns the height the whole text needs. */
int gfx_text_wrap(gfx *g, gfx_weight w, int px, SDL_Color c, SDL_Rect box, gfx_align align,
                  const char *utf8, int draw);
/* Largest size in [min_px, max_px] at which utf8 wraps into box without being cut (min_px if
 * none does). */
int gfx_fit_px(gfx *g, gfx_weight w, int min_px, int max_px, SDL_Rect box, const char *utf8);

/* Draws the image file at path scaled to cover dst (centre-cropped, aspect kept). Cached by path.
 * Returns 0, or -1 if the file cannot be decoded (logged once; the caller draws a placeholder). */
int gfx_image(gfx *g, const char *path, SDL_Rect dst);
/* A neutral person silhouette with the name's initials, for officers without a photo. */
void gfx_placeholder_avatar(gfx *g, SDL_Rect dst, const char *name);
/* <assets>/ui/<name>.svg rasterised at dst's size (cached per size). -1 if missing. */
int gfx_icon(gfx *g, const char *name, SDL_Rect dst);

/* Frees cached textures not used since the previous call (the app calls it when a screen is
 * left), so memory stays flat however long the kiosk runs. */
void gfx_cache_trim(gfx *g);
/* Live cache entries (text textures, measured widths, wrap layouts, images) and the bytes they
 * are estimated to hold; for tests and the admin screen's diagnostics. */
int gfx_cache_count(gfx *g);
size_t gfx_cache_bytes(gfx *g);

#endif
