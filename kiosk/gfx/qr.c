/* qr: encodes with libqrencode and draws the modules into a cached texture, one texel per
 * module, scaled with nearest-neighbour filtering so edges stay sharp for phone cameras. */
#include "qr.h"

#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

#define QR_QUIET 4 /* modules of white border the standard asks for */

struct qr_view {
    SDL_Renderer *ren;
    char *text;       /* what the texture shows */
    SDL_Texture *tex; /* (width + 2 * quiet)^2 texels */
    int side;         /* texels per side */
};

qr_view *qr_view_new(SDL_Renderer *ren)
{
    qr_view *q = xcalloc(1, sizeof *q);
    q->ren = ren;
    return q;
}

void qr_view_free(qr_view *q)
{
    if (!q)
        return;
    if (q->tex)
        SDL_DestroyTexture(q->tex);
    free(q->text);
    free(q);
}

static int encode(qr_view *q, const char *text)
{
    QRcode *code = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
    if (!code) {
        log_warn("qr: cannot encode \"%s\"", text);
        return -1;
    }
    int side = code->width + 2 * QR_QUIET;
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, side, side, 32, SDL_PIXELFORMAT_RGBA32);
    if (!s) {
        QRcode_free(code);
        return -1;
    }
    for (int y = 0; y < side; y++) {
        Uint32 *row = (Uint32 *)((Uint8 *)s->pixels + y * s->pitch);
        for (int x = 0; x < side; x++) {
            int mx = x - QR_QUIET, my = y - QR_QUIET;
            int dark = mx >= 0 && my >= 0 && mx < code->width && my < code->width &&
                       (code->data[my * code->width + mx] & 1);
            Uint8 v = dark ? 0 : 255;
            row[x] = SDL_MapRGBA(s->format, v, v, v, 255);
        }
    }
    QRcode_free(code);
    SDL_Texture *t = SDL_CreateTextureFromSurface(q->ren, s);
    SDL_FreeSurface(s);
    if (!t)
        return -1;
    /* Nearest-neighbour: a blurred module edge is what makes QR codes hard to scan. */
    SDL_SetTextureScaleMode(t, SDL_ScaleModeNearest);
    if (q->tex)
        SDL_DestroyTexture(q->tex);
    free(q->text);
    q->tex = t;
    q->text = xstrdup(text);
    q->side = side;
    return 0;
}

int qr_view_draw(qr_view *q, const char *text, SDL_Rect dst)
{
    if (!text || !*text)
        return -1;
    if ((!q->text || strcmp(q->text, text) != 0) && encode(q, text) != 0)
        return -1;
    int size = dst.w < dst.h ? dst.w : dst.h;
    /* Whole texels per module, so every module is the same size on screen. */
    int scale = size / q->side;
    if (scale < 1)
        scale = 1;
    int px = scale * q->side;
    SDL_Rect r = {dst.x + (dst.w - px) / 2, dst.y + (dst.h - px) / 2, px, px};
    SDL_RenderCopy(q->ren, q->tex, NULL, &r);
    return 0;
}
