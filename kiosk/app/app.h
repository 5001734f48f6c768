/* app: the kiosk program: SDL window and renderer, the event loop that sleeps until the next
 * deadline and draws only when something changed, screen switching, and the vote action that
 * every rating screen shares. Screens read and write the state below. */
#ifndef HL_APP_H
#define HL_APP_H

#include <SDL.h>
#include <stdint.h>

#include "clock.h"
#include "config.h"
#include "content.h"
#include "gfx.h"
#include "proc.h"
#include "qr.h"
#include "screen.h"
#include "scroll.h"
#include "sender.h"
#include "store.h"
#include "ui.h"
#include "vnkey.h"

/* What the thanks screen says: after a vote (thanks, apology, could not record) or after a
 * feedback item (thanks, could not record). */
typedef enum {
    THANKS_POSITIVE,
    THANKS_APOLOGY,
    THANKS_ERROR,
    THANKS_FEEDBACK,
    THANKS_FEEDBACK_ERROR
} thanks_kind;

/* The feedback form's draft (Góp ý – Phản ánh, issue 12): everything the citizen has chosen and
 * typed so far, in one place so that one call forgets all of it (app_fb_clear). It is public, not
 * in app_int.h, because the form's screens read and edit it, as they do the vote. */
#define APP_FB_NAME_MAX    100 /* characters: the wire's WIRE_CONTACT_NAME_MAX */
#define APP_FB_ADDRESS_MAX 200 /* characters: WIRE_CONTACT_ADDR_MAX */
#define APP_FB_PHONE_MAX   15  /* digits */
typedef enum { APP_FB_NAME, APP_FB_PHONE, APP_FB_ADDRESS } app_fb_field;
typedef struct {
    const char *kind;               /* STORE_FB_*, NULL until chosen */
    const content_officer *officer; /* the officer it is about; NULL: none named */
    char vote_uuid[37];             /* the unhappy vote it follows (from the apology), or "" */
    vk text;                        /* the text, NFC, composed by vnkey */
    int consent;                    /* 1 after "Đồng ý để lại thông tin" */
    vk name, address;               /* contact, only typed after consent */
    char phone[APP_FB_PHONE_MAX + 1];
    app_fb_field field; /* which contact field the keyboard types into */
    int shift;          /* the next letter typed on the on-screen keyboard is a capital */
    char note[200];     /* why the last key or "Gửi" was refused, shown until the next key */
    char uuid[37];      /* the item once stored */
    int page;           /* the officer grid's page */
} app_fb;

#define APP_MAX_REASONS 32
#define APP_MAX_RESULTS 200

#define APP_LARGE_TEXT 150

struct app {
    cfg cfg;
    content *content;
    store *store;
    hl_clock *clock;
    SDL_Window *win;
    SDL_Renderer *ren;
    gfx *gfx;
    ui ui;
    ui_metrics m;

    /* Every screen, indexed by scr_id (app_opts.screens): the app knows screens only as these
     * pointers. */
    const screen *const *screens;
    scr_id cur;
    int64_t entered_mono;    /* when the current screen was entered */
    int64_t last_input_mono; /* last touch or click */
    int64_t screen_deadline; /* what the current screen's update last asked for */
    int64_t minute_at;       /* next change of the minute every screen's clock shows */
    int dirty;               /* redraw needed */
    int quit;
    uint64_t frames;        /* frames presented */
    int redraw_every_frame; /* app_opts.redraw_every_frame */

    char boot_id[37];
    const content_officer *desk_officer; /* desk mode: the counter's officer */
    const content_officer *officer;      /* being rated now */
    /* "Chữ to" on Home: every citizen screen's text at APP_LARGE_TEXT % for this visit (until the
     * thank-you or the attract screen: the next citizen starts at the normal size). */
    int large_text;

    /* The vote just made, for the reasons and thanks screens. */
    store_vote vote;
    int vote_ok;
    /* A vote whose reasons could not be written stays "pending" (never sent) until released:
     * released without its reasons at once, or, while the disk still fails, retried here. */
    char unreleased[37];
    int64_t release_at; /* next try (monotonic ms) */
    /* idle_upkeep: when the next daily copy of votes.db is due (monotonic ms) */
    int daily_copy_done;
    int64_t daily_copy_at;
    thanks_kind thanks;
    int reason_on[APP_MAX_REASONS];
    /* The feedback form's draft: cleared whenever the kiosk goes Home or falls idle, so that a
     * half-typed complaint is never shown to the next citizen. */
    app_fb fb;

    /* Slogan rotation, shared by Home and the attract screen. */
    size_t slogan_pos;
    int64_t slogan_next;
    /* Lobby grid paging. */
    int pick_page;

    /* Procedures, fees (NULL when the content has no procedures.json). */
    proc_set *procs;
    proc_index *proc_ix; /* built after the first frame: use app_search_index */
    int proc_ix_failed;
    qr_view *qr;
    size_t proc_field;  /* the field the list screen shows */
    size_t proc_item;   /* the procedure the detail screen shows */
    scr_id detail_back; /* where the detail screen's "back" goes */
    double list_offset; /* list / fees scroll position kept while a procedure is open */
    char query[64];     /* typed on the on-screen keyboard (ASCII: search folds) */
    size_t results[APP_MAX_RESULTS];
    int n_results; /* total matches (may exceed APP_MAX_RESULTS) */

    /* The current screen's scrolling area (reset by app_go); screens register the view while
     * drawing, the app turns drags inside it into scrolling. */
    scroll scroll;
    SDL_Rect scroll_view;
    int scroll_press; /* the press started inside the view */
    int press_y;

    /* The sync thread (NULL when [sync] url is empty, or in script mode without --sync). It
     * tells the loop about status changes with one SDL user event (sync_event); the loop never
     * waits for it. */
    sync_sender *sync;
    Uint32 sync_event;
    SDL_atomic_t sync_event_queued; /* at most one such event in the queue */

    /* The admin session behind the PIN (admin.h). */
    struct admin *admin;
    int restart; /* with quit: main runs the program again (the admin screen's restart) */
};

typedef struct {
    hl_clock *clock; /* required; the app does not own it */
    int headless;    /* software renderer, no vsync, window hidden (tests, bench) */
    /* The real kiosk: fail (HL_EXIT_RUNTIME) when SDL found no display and picked its offscreen
     * or dummy video driver, so that the service restarts it instead of running unseen. */
    int require_display;
    /* SQLite VFS for the store, NULL for the default; tests pass a fault-injecting one. */
    const char *store_vfs;
    /* Start the sync thread when [sync] url is set (the real kiosk; --script runs only with
     * --sync, for end-to-end tests against a collector). */
    int sync;
    /* Required: every screen, indexed by scr_id (kiosk/screens/screens.c: scr_table). */
    const screen *const *screens;
    /* Draw every frame (about 60 a second) instead of only what changed. Only for the test that
     * screenshots the kiosk inside cage on wlroots' headless back-end, whose screen capture shows
     * a client only while it keeps committing frames (tests/test_cage.sh). */
    int redraw_every_frame;
} app_opts;

/* Loads content, opens the store and creates the window. Returns 0, HL_EXIT_USAGE (bad content or
 * config, err names file and field) or HL_EXIT_RUNTIME (SDL, store) with err set. */
int app_create(app **out, const cfg *c, const app_opts *o, char *err, size_t errlen);
void app_destroy(app *a);

/* Switches screen: leave, enter, mark dirty. The only place screens change. */
void app_go(app *a, scr_id next);
/* Leaves the loop (app_run returns); restart: main runs the program again. */
void app_quit(app *a, int restart);
/* Tests and scripts: waits (real time) up to timeout_ms for each background job of the admin
 * session, then updates and renders, until none is left. 1 if none is left running. */
int app_wait_jobs(app *a, int64_t timeout_ms);
/* Records a vote for a->officer with rating 1..3, then moves to reasons / thanks / error. The
 * vote is committed before this returns, so before any thank-you frame is drawn. */
void app_vote(app *a, int rating);
/* Finishes a pending unhappy vote with the selected reasons and shows the apology. */
void app_finish_reasons(app *a);

/* The feedback form (kiosk/app/feedback.c). */

/* Forgets the draft (its text and contact zeroed, not only emptied). app_go calls it on the way
 * Home or to the attract screen. */
void app_fb_clear(app *a);
/* A new draft: kind (STORE_FB_*, or NULL to ask), the officer (NULL: none or not yet asked) and
 * the vote it follows (NULL: none). */
void app_fb_start(app *a, const char *kind, const content_officer *officer, const char *vote_uuid);
/* 1 when the draft's text has something besides spaces and line breaks. */
int app_fb_has_text(const app *a);
/* Stores the draft (store_add_feedback: committed before this returns) with its contact only if
 * a->fb.consent, wakes the sender, and shows the thank-you; on a failure, the honest "could not
 * record" screen. 0 when stored, -1 when not. */
int app_fb_send(app *a);

void app_handle_event(app *a, const SDL_Event *ev);
/* Runs due deadlines (screen updates, idle rules, slogan rotation). Returns the next deadline. */
int64_t app_update(app *a);
/* Draws and presents if dirty; returns 1 if a frame was presented. */
int app_render(app *a);
/* The real loop: sleeps in SDL_WaitEventTimeout until an event or the next deadline. */
int app_run(app *a);

/* Synthetic input for tests, scripts and the bench (goes through app_handle_event). */
void app_tap_xy(app *a, int x, int y);
/* Taps the centre of target id on the current screen; -1 if no such target. */
int app_tap(app *a, const char *id);
/* Advances a fake clock by ms in steps that hit every deadline, updating and rendering. */
void app_advance(app *a, int64_t ms);
/* Sets a fake clock's wall time to utc_ms, the monotonic time unchanged: someone (or a time
 * server) setting the PC's clock. Script mode only. */
void app_set_wall(app *a, int64_t utc_ms);

const char *app_screen_name(const app *a);
/* Reads the last presented frame into a new RGBA32 surface (caller frees). */
SDL_Surface *app_snapshot(app *a);
int app_save_png(app *a, const char *path);

/* The procedure search index: built after the first frame (app_run, once the loop is idle) or
 * here at first use, whichever comes first. NULL without procedures or when it cannot be built. */
proc_index *app_search_index(app *a);

/* Next slogan (per config order) for Home and attract. */
const content_slogan *app_slogan(const app *a);

#endif
