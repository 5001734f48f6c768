/* scroll: drag, momentum and clamping for scrolling lists and documents. */
#include "scroll.h"

#include <math.h>

/* Momentum decays with this time constant, the feel of common touch systems. */
#define SCROLL_DECAY_MS 325.0
/* Below this speed (px/ms) momentum stops. */
#define SCROLL_MIN_SPEED 0.02
/* Fastest fling accepted, so a glitchy sample cannot throw the list to the end. */
#define SCROLL_MAX_SPEED 8.0

int scroll_max(const scroll *s)
{
    int m = s->content_h - s->view_h;
    return m > 0 ? m : 0;
}

static void clamp(scroll *s)
{
    if (s->offset < 0) {
        s->offset = 0;
        s->velocity = 0;
    }
    if (s->offset > scroll_max(s)) {
        s->offset = scroll_max(s);
        s->velocity = 0;
    }
}

void scroll_set_extent(scroll *s, int content_h, int view_h)
{
    s->content_h = content_h;
    s->view_h = view_h;
    clamp(s);
}

int scroll_pos(const scroll *s)
{
    return (int)lround(s->offset);
}

void scroll_drag_begin(scroll *s, int y, int64_t now_ms)
{
    s->dragging = 1;
    s->velocity = 0;
    s->last_y = y;
    s->last_ms = now_ms;
}

void scroll_drag_move(scroll *s, int y, int64_t now_ms)
{
    if (!s->dragging)
        return;
    int dy = s->last_y - y; /* finger up = content up = offset grows */
    s->offset += dy;
    int64_t dt = now_ms - s->last_ms;
    if (dt > 0) {
        /* Smooth the speed over samples so one jittery event does not decide the fling. */
        double v = (double)dy / (double)dt;
        s->velocity = 0.8 * v + 0.2 * s->velocity;
    }
    s->last_y = y;
    s->last_ms = now_ms;
    clamp(s);
}

void scroll_drag_end(scroll *s, int64_t now_ms)
{
    if (!s->dragging)
        return;
    s->dragging = 0;
    /* A finger that rested before lifting means "stop here", not "fling". */
    if (now_ms - s->last_ms > 100)
        s->velocity = 0;
    if (s->velocity > SCROLL_MAX_SPEED)
        s->velocity = SCROLL_MAX_SPEED;
    if (s->velocity < -SCROLL_MAX_SPEED)
        s->velocity = -SCROLL_MAX_SPEED;
    s->last_ms = now_ms;
}

void scroll_by(scroll *s, int dy)
{
    s->velocity = 0;
    s->offset += dy;
    clamp(s);
}

void scroll_reset(scroll *s)
{
    s->offset = 0;
    s->velocity = 0;
    s->dragging = 0;
}

int scroll_animate(scroll *s, int64_t now_ms)
{
    if (s->dragging || fabs(s->velocity) < SCROLL_MIN_SPEED) {
        if (!s->dragging)
            s->velocity = 0;
        s->last_ms = now_ms;
        return 0;
    }
    double dt = (double)(now_ms - s->last_ms);
    s->last_ms = now_ms;
    if (dt <= 0)
        return 1;
    /* Exact integral of v(t) = v0 * exp(-t / tau) over dt, so the distance does not depend on
     * the frame rate. */
    double k = exp(-dt / SCROLL_DECAY_MS);
    s->offset += s->velocity * SCROLL_DECAY_MS * (1.0 - k);
    s->velocity *= k;
    clamp(s);
    return fabs(s->velocity) >= SCROLL_MIN_SPEED;
}

int scroll_can_up(const scroll *s)
{
    return scroll_pos(s) > 0;
}

int scroll_can_down(const scroll *s)
{
    return scroll_pos(s) < scroll_max(s);
}
