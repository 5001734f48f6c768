/* gfx_cache: one LRU hash table for everything gfx makes once and draws often: text textures,
 * measured widths, wrap layouts, fitted sizes, images, icons, shape masks, and markers for files
 * that failed to load. */
#include "gfx.h"

#include <stdlib.h>
#include <string.h>

#include "gfx_int.h"
#include "util.h"

/* The cache is trimmed when a screen is left; these caps keep memory flat even on a screen that
 * churns text (search results per keystroke), evicting least recently used down to 3/4. A full
 * 1280x800 screen of text and faces holds about 1.5 MB, so 16 MB is a wide margin that still fits
 * the 40 MB PSS budget. */
#define GFX_CACHE_MAX_ENTRIES 3072
#define GFX_CACHE_MAX_BYTES   (16u * 1024u * 1024u)
#define GFX_CACHE_MIN_CAP     256

void *gfx_grow(void *p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return p;
    size_t n = *cap ? *cap : 64;
    while (n < need)
        n *= 2;
    *cap = n;
    return xrealloc(p, n * elem);
}

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

size_t gfx_key_build(gfx *g, int kind, int weight, int px, uint32_t color, int w, int h,
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
    g->kbuf = gfx_grow(g->kbuf, &g->kcap, klen + 1, 1);
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

centry *gfx_cache_get(gfx *g, size_t klen, uint64_t *hash_out)
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
    g->ev = gfx_grow(g->ev, &g->evcap, g->cap, sizeof *g->ev);
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

centry *gfx_cache_insert(gfx *g, size_t klen, uint64_t hash, size_t bytes, int pinned)
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

uint64_t gfx_key_hash(const gfx *g, size_t klen)
{
    return hash_bytes(g->kbuf, klen);
}

centry *gfx_cache_texture(gfx *g, SDL_Surface *s, size_t klen, uint64_t hash)
{
    SDL_Texture *tex = SDL_CreateTextureFromSurface(g->ren, s);
    int tw = s->w, th = s->h;
    SDL_FreeSurface(s);
    if (!tex)
        return NULL;
    SDL_SetTextureBlendMode(tex, SDL_BLENDMODE_BLEND);
    centry *e = gfx_cache_insert(g, klen, hash, (size_t)tw * (size_t)th * 4, 0);
    e->tex = tex;
    e->w = tw;
    e->h = th;
    return e;
}

void gfx_cache_init(gfx *g)
{
    g->cap = GFX_CACHE_MIN_CAP;
    g->tab = xcalloc(g->cap, sizeof *g->tab);
}

void gfx_cache_free(gfx *g)
{
    for (size_t i = 0; i < g->cap; i++)
        if (g->tab[i].key)
            entry_free(&g->tab[i]);
    free(g->tab);
    free(g->kbuf);
    free(g->ev);
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
