/* scr_common: pieces several screens draw the same way: the header with commune and clock, the
 * officer card, the three rating buttons, the slogan panel and the back button. */
#ifndef HL_SCR_COMMON_H
#define HL_SCR_COMMON_H

#include "app.h"

/* Header band across the top; returns the rectangle left below it for the screen's body. */
SDL_Rect scr_header(app *a);
/* Deadline for the header clock's next minute change (monotonic ms). */
int64_t scr_clock_deadline(const app *a, int64_t now_mono);

/* Photo (or placeholder) with name, title and counter. big = 1 lays it out for one officer. */
void scr_officer_card(app *a, SDL_Rect r, const content_officer *o);
/* Three large buttons "rate-3", "rate-2", "rate-1": face, colour and label. */
void scr_rating_buttons(app *a, SDL_Rect r);
const char *scr_rating_label(int rating);

/* The current slogan, its title and text, with position dots. */
void scr_slogan_panel(app *a, SDL_Rect r, int on_dark);
/* Advances the rotation when due (marks dirty); returns the next rotation deadline. */
int64_t scr_slogan_tick(app *a, int64_t now_mono);

/* "Quay lại" button, target "back". */
void scr_back_button(app *a, SDL_Rect r);

#endif
