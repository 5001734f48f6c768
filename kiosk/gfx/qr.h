/* qr: QR codes (libqrencode) drawn crisp at any size, so a citizen can take a procedure's page
 * away on their phone. The last code is kept as a texture; a new text re-encodes. */
#ifndef HL_QR_H
#define HL_QR_H

#include <SDL.h>

typedef struct qr_view qr_view;

qr_view *qr_view_new(SDL_Renderer *ren);
void qr_view_free(qr_view *q);
/* Draws text as a QR code (error correction M, with the standard 4-module quiet zone) into the
 * largest square that fits dst, centred. Returns 0, or -1 if it cannot be encoded. */
int qr_view_draw(qr_view *q, const char *text, SDL_Rect dst);

#endif
