/* scroll: a vertical scroll position driven by dragging, with momentum after release and
 * clamping at both ends; and by page buttons for people who do not drag. Pure arithmetic on a
 * clock the caller passes, so tests step it deterministically. No SDL. */
#ifndef HL_SCROLL_H
#define HL_SCROLL_H

#include <stdint.h>

typedef struct {
    double offset;   /* pixels scrolled from the top, 0..max */
    int content_h;   /* height of everything */
    int view_h;      /* height of the visible window */
    double velocity; /* pixels per ms, positive = content moving up (offset growing) */
    int dragging;
    int last_y;      /* pointer y at the previous drag sample */
    int64_t last_ms; /* time of the previous drag sample / animation step */
} scroll;

/* Sets the extent (call when laying out) and clamps the offset into range. */
void scroll_set_extent(scroll *s, int content_h, int view_h);
int scroll_max(const scroll *s);
int scroll_pos(const scroll *s); /* rounded offset, what to draw with */

void scroll_drag_begin(scroll *s, int y, int64_t now_ms);
void scroll_drag_move(scroll *s, int y, int64_t now_ms);
void scroll_drag_end(scroll *s, int64_t now_ms);

/* Moves by dy pixels at once (page buttons) and stops any momentum. */
void scroll_by(scroll *s, int dy);
void scroll_reset(scroll *s);

/* Advances momentum to now. Returns 1 while still moving (the caller wants another frame soon),
 * 0 when at rest. */
int scroll_animate(scroll *s, int64_t now_ms);

/* 1 if there is more content above / below the window (to enable the page buttons). */
int scroll_can_up(const scroll *s);
int scroll_can_down(const scroll *s);

#endif
