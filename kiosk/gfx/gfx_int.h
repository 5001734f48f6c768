/* gfx_int.h: struct gfx and the texture cache entry, shared by gfx.c (lifecycle, shapes, images),
 * gfx_text.c (UTF-8, fonts, text) and gfx_cache.c (the cache). Private to kiosk/gfx/: nothing
 * outside this folder includes it. */
#ifndef HL_GFX_INT_H
#define HL_GFX_INT_H

#include <stddef.h>
#include <stdint.h>

#include <SDL_ttf.h>

#include "gfx.h"

#define GFX_MIN_PX 4
#define GFX_MAX_PX 512
/* Sizes differ per screen and resolution, but a screen uses a handful (and gfx_fit_px's probes a
 * few more); "Chữ to" doubles them. 48 open faces cost a few MB of FreeType state at most; with
 * 32 the storm of test_abuse closed and reopened faces all the time at both sizes, and the heap
 * swung by 800 KiB. */
#define GFX_FONT_SLOTS 48

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

    int text_scale;          /* percent; 0 = 100 (gfx_set_text_scale) */
    gfx_text_hook text_hook; /* tests: every text drawn (gfx_set_text_hook) */
    void *text_hook_arg;
};

/* p grown (doubling) to hold need elements of elem bytes; *cap updated. */
void *gfx_grow(void *p, size_t *cap, size_t need, size_t elem);

/* ---- the cache (gfx_cache.c) ---- */

/* An empty table, and everything the cache holds freed (textures too). */
void gfx_cache_init(gfx *g);
void gfx_cache_free(gfx *g);
/* Builds the key in g->kbuf and returns its length (a NUL follows it). */
size_t gfx_key_build(gfx *g, int kind, int weight, int px, uint32_t color, int w, int h,
                     const char *s, size_t len);
/* The hash of the key in g->kbuf. */
uint64_t gfx_key_hash(const gfx *g, size_t klen);
/* Looks up the key in g->kbuf; a hit is marked used. *hash_out is set for gfx_cache_insert. */
centry *gfx_cache_get(gfx *g, size_t klen, uint64_t *hash_out);
/* Inserts the key in g->kbuf (absent) and returns its entry, payload zeroed. The pointer is valid
 * until the next insert. */
centry *gfx_cache_insert(gfx *g, size_t klen, uint64_t hash, size_t bytes, int pinned);
/* A texture made from s (freed here), blended, inserted under the key in g->kbuf with its size.
 * NULL when SDL cannot make the texture (SDL_GetError says why). */
centry *gfx_cache_texture(gfx *g, SDL_Surface *s, size_t klen, uint64_t hash);

/* ---- text (gfx_text.c) ---- */

/* The initials of a name for an avatar, upper-cased with their marks: first letter of the first
 * word and of the last ("Nguyễn Thị Lan" -> "NL"). Writes a NUL-terminated string of at most
 * 32 bytes into out; returns its length, 0 when name has no word. */
size_t gfx_initials(const char *name, char out[40]);

#endif
