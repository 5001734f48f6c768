/* scr_common: pieces several screens draw the same way: the header with commune and clock, the
 * officer card, the three rating buttons, the slogan panel and the back button. */
#ifndef HL_SCR_COMMON_H
#define HL_SCR_COMMON_H

#include "admin.h"
#include "app.h"
#include "util.h"

/* Header band across the top; returns the rectangle left below it for the screen's body. */
SDL_Rect scr_header(app *a);
/* While the bundled sample content is in use (content.sample), a "DỮ LIỆU MẪU" badge with its
 * top-left at (x, y); returns its width (0 when not drawn). */
int scr_sample_mark(app *a, int x, int y);

/* Photo (or placeholder) with name, title and counter. big = 1 lays it out for one officer. */
void scr_officer_card(app *a, SDL_Rect r, const content_officer *o);
/* The officer's photo (or a placeholder with initials) in r; for the desk's entry
 * (content.desk, "Không nhớ tên cán bộ") a question mark. */
void scr_officer_photo(app *a, SDL_Rect r, const content_officer *o);
/* An officer's counter as shown: "Quầy 2" for "2" or "A1", and a counter the content already
 * writes as words ("Quầy 2", "Phòng Tư pháp") as it is, never "Quầy Quầy 2". */
void scr_counter_label(const char *counter, char *out, size_t cap);
/* A phone number that never breaks across lines: its spaces become no-break spaces (U+00A0),
 * which the text wrapper does not break at ("0900 000 000", never "0900 / 000 000"). */
void scr_phone_nowrap(const char *phone, char *out, size_t cap);
/* Three large buttons "rate-3", "rate-2", "rate-1": face, colour and label; under them, one
 * line saying votes are anonymous. */
void scr_rating_buttons(app *a, SDL_Rect r);

/* The current slogan, its title and text, with position dots; on_dark (the full-screen attract
 * panel) shows the slogan's short form when it has one. */
void scr_slogan_panel(app *a, SDL_Rect r, int on_dark);
/* Advances the rotation when due (marks dirty); returns the next rotation deadline. The next
 * slogan stays for scr_slogan_duration_ms of the text that panel (on_dark or not) shows. */
int64_t scr_slogan_tick(app *a, int64_t now_mono, int on_dark);
/* How long a slogan stays: slogan_rotate (base_s) for up to 80 characters, a second more for
 * each further 10, so that a long one can be read to its end. */
int64_t scr_slogan_duration_ms(const char *title, const char *text, int base_s);

/* "Trang 2/3" with "prev" / "next" buttons (shown only where there is a page to go to), along
 * row; page counts from 0. */
void scr_pager(app *a, SDL_Rect row, int page, int pages);

/* "Quay lại" button, target "back". */
void scr_back_button(app *a, SDL_Rect r);

/* Procedures, fees and directory screens share a title bar and a scroll area. */

/* "Quay lại" on the left, the title next to it; returns the body below. */
SDL_Rect scr_title_bar(app *a, const char *title);
/* Splits body into the scrollable view (left) and a column of page buttons "up"/"down" (right),
 * draws the buttons, registers the view for dragging and sets the scroll extent. Returns the
 * view; content is drawn at y = view.y - scroll offset, clipped to the view. */
SDL_Rect scr_scroll_area(app *a, SDL_Rect body, int content_h);
/* Handles "up"/"down"; returns 1 if id was one of them. */
int scr_scroll_tap(app *a, const char *id);
/* Clip drawing to r (NULL clears). */
void scr_clip(app *a, const SDL_Rect *r);
/* 1 if r is at least partly inside the view. */
int scr_visible(SDL_Rect r, SDL_Rect view);

/* "proc-N" (a row of a list of procedures): opens procedure N, whose "Quay lại" leads back to
 * back. 1 if id was such a row. */
int scr_proc_open(app *a, const char *id, scr_id back);
/* The leave of the lists that open procedures: the place in the list is kept for the way back. */
void scr_list_leave(app *a, scr_id next);

/* A page of n cards in a cols x rows grid over area (less a row for the pager below it when
 * there is more than one page). The officer grid and the desk-officer picker share it. */
typedef struct {
    SDL_Rect area;  /* the cards' area (without the pager row) */
    SDL_Rect pager; /* where scr_grid_end draws the pager */
    int cols, gap;  /* cw, ch: one card's size (a caller may shrink ch) */
    int cw, ch;
    int first, count; /* the cards on this page: indexes first .. first + count - 1 */
    int page, pages;
} scr_grid;
/* Lays the grid out; *page is clamped to the pages there are. pager_h: the pager row's height. */
scr_grid scr_grid_begin(app *a, SDL_Rect area, int cols, int rows, int n, int *page, int pager_h);
/* The k-th card of the page (0 .. count - 1). */
SDL_Rect scr_grid_cell(const scr_grid *g, int k);
/* Draws the pager ("prev"/"next") when there is more than one page. */
void scr_grid_end(app *a, const scr_grid *g);

/* The admin screens (group SCR_GROUP_ADMIN) turn what the admin session did into screen
 * changes. */

/* Applies an admin_event: redraw, the overview after a right PIN, the idle time counted again
 * after an export ends (its result must stay up to be read). */
void scr_admin_apply(app *a, admin_event ev);
/* The leave of every admin screen: the session locks again when the admin screens are left. */
void scr_admin_leave(app *a, scr_id next);
/* The update of the admin screens behind the PIN: polls the session's jobs, closes the admin
 * screens after ADMIN_IDLE_MS without a touch (not while an export runs) and, while the export
 * screen waits for a USB stick, looks for one now and then. Returns the next deadline. */
int64_t scr_admin_update(app *a, int64_t now);
/* Leave the kiosk (exit code 0) or restart it (main re-executes the program). */
void scr_admin_quit(app *a, int restart);

#endif
