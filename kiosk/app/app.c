/* app: window, event loop, screen switching and the shared vote action. The loop sleeps in
 * SDL_WaitEventTimeout until the nearest deadline and redraws only when something changed. */
#include "app.h"

#include <SDL_image.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "app_int.h"
#include "desk.h"
#include "log.h"
#include "notify.h"
#include "util.h"

static int64_t now_mono(const app *a)
{
    return clk_mono_ms(a->clock);
}

/* procedures.json is optional (a commune may publish no procedures on the kiosk: then Home shows
 * no entry for them); when present it must be valid, like all content. */
static int load_procedures(app *a, char *err, size_t errlen)
{
    char path[PATH_MAX];
    if (util_fmt(path, sizeof path, "%s/procedures.json", a->cfg.content_dir) != 0) {
        util_fmt(err, errlen, "%s: path too long", a->cfg.content_dir);
        return HL_EXIT_USAGE;
    }
    if (!util_file_exists(path)) {
        log_info("%s not found: the kiosk shows no procedures", path);
        return 0;
    }
    /* Loaded and checked now (bad content stops the start); its search index is built after
     * the first frame (app_search_index). */
    return proc_load(&a->procs, path, err, errlen);
}

proc_index *app_search_index(app *a)
{
    if (a->proc_ix || !a->procs || a->proc_ix_failed)
        return a->proc_ix;
    char err[HL_ERR_MAX];
    int64_t t0 = clk_mono_ms(a->clock);
    if (proc_index_build(&a->proc_ix, a->procs, err, sizeof err) != 0) {
        /* Only memory or SQLite itself can fail here: search then finds nothing. */
        log_error("procedure search index: %s", err);
        a->proc_ix_failed = 1;
        return NULL;
    }
    log_msg(LOG_DEBUG, "procedure search index built in %lld ms",
            (long long)(clk_mono_ms(a->clock) - t0));
    return a->proc_ix;
}

/* Start-up work the first screen does not need, done after the first frame is on the screen, one
 * piece per round of the loop so that a touch is never kept waiting for more than one. Returns 1
 * while pieces remain. A screen that needs a piece earlier does it on demand (app_search_index). */
static int deferred_step(app *a)
{
    app_search_index(a); /* the only piece so far */
    return 0;
}

/* Runs on the sync thread: one SDL user event for the loop, never more than one queued. */
static void sync_notify(void *ctx)
{
    app *a = ctx;
    if (SDL_AtomicCAS(&a->sync_event_queued, 0, 1)) {
        SDL_Event ev;
        SDL_zero(ev);
        ev.type = a->sync_event;
        if (SDL_PushEvent(&ev) != 1)
            SDL_AtomicSet(&a->sync_event_queued, 0);
    }
}

/* src into dst (cap bytes) cut on a UTF-8 boundary: a content text longer than its wire field must
 * not end in half a character, for which the collector would refuse the whole health report. */
static void copy_wire_text(char *dst, const char *src, size_t cap)
{
    util_strlcpy(dst, src, cap);
    size_t n = strlen(dst), i = n;
    if (src[n] == '\0')
        return;
    while (i > 0 && ((unsigned char)dst[i - 1] & 0xc0) == 0x80)
        i--;
    unsigned char lead = i > 0 ? (unsigned char)dst[i - 1] : 0;
    size_t need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
    if (i > 0 && n - (i - 1) < need)
        dst[i - 1] = '\0';
}

static int start_sync(app *a, const app_opts *o, char *err, size_t errlen)
{
    char token[sizeof a->cfg.sync_token];
    int rc = cfg_sync_token(&a->cfg, token, sizeof token, err, errlen);
    if (rc != 0)
        return rc;
    a->sync_event = SDL_RegisterEvents(1);
    if (a->sync_event == (Uint32)-1) {
        util_fmt(err, errlen, "cannot register an SDL event for sync");
        return HL_EXIT_RUNTIME;
    }
    /* The officers as the collector learns them (names for its reports), and a version of that
     * list and of the reasons: FNV-1a over every field (each with its NUL), so the collector sees
     * when the content changed. */
    size_t n =
        a->content->n_officers < WIRE_MAX_OFFICERS ? a->content->n_officers : WIRE_MAX_OFFICERS;
    wire_officer *off = xcalloc(n ? n : 1, sizeof *off);
    uint64_t hash = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        const content_officer *c = &a->content->officers[i];
        copy_wire_text(off[i].code, c->code, sizeof off[i].code);
        copy_wire_text(off[i].name, c->name, sizeof off[i].name);
        copy_wire_text(off[i].title, c->title, sizeof off[i].title);
        copy_wire_text(off[i].counter, c->counter, sizeof off[i].counter);
        const char *fields[] = {c->code, c->name, c->title, c->counter};
        for (size_t f = 0; f < HL_ARRAY_LEN(fields); f++)
            for (const char *p = fields[f];; p++) {
                hash = (hash ^ (unsigned char)*p) * 1099511628211ULL;
                if (!*p)
                    break;
            }
    }
    /* The reasons' labels too (the collector shows them instead of codes), in the version after
     * a byte no UTF-8 text holds: an officer's fields can never hash like a reason's. */
    hash = (hash ^ 0xffu) * 1099511628211ULL;
    size_t nr = a->content->n_reasons < WIRE_MAX_REASONS ? a->content->n_reasons : WIRE_MAX_REASONS;
    wire_reason *rs = xcalloc(nr ? nr : 1, sizeof *rs);
    for (size_t i = 0; i < nr; i++) {
        const content_reason *c = &a->content->reasons[i];
        copy_wire_text(rs[i].code, c->code, sizeof rs[i].code);
        copy_wire_text(rs[i].label, c->label, sizeof rs[i].label);
        const char *fields[] = {c->code, c->label};
        for (size_t f = 0; f < HL_ARRAY_LEN(fields); f++)
            for (const char *p = fields[f];; p++) {
                hash = (hash ^ (unsigned char)*p) * 1099511628211ULL;
                if (!*p)
                    break;
            }
    }
    char version[17];
    snprintf(version, sizeof version, "%016llx", (unsigned long long)hash);
    /* The sender has its own clock: the app's may be a fake one that this thread advances. */
    sync_config sc = {.data_dir = a->cfg.data_dir,
                      .kiosk_id = a->cfg.kiosk_id,
                      .url = a->cfg.sync_url,
                      .token = token,
                      .ca_file = a->cfg.sync_ca_file,
                      .store_vfs = o->store_vfs,
                      .batch_max = a->cfg.sync_batch_max,
                      .start_delay_max_ms = (int64_t)a->cfg.sync_start_delay_max_s * 1000,
                      .base_ms = a->cfg.sync_backoff_base_ms,
                      .cap_ms = a->cfg.sync_backoff_cap_ms,
                      .timeout_ms = a->cfg.sync_request_timeout_ms,
                      .health_every_ms = (int64_t)a->cfg.sync_heartbeat_s * 1000,
                      .officers = off,
                      .n_officers = n,
                      .reasons = rs,
                      .n_reasons = nr,
                      .content_version = version};
    rc = sync_start(&a->sync, &sc, sync_notify, a, err, errlen);
    free(off);
    free(rs);
    memset(token, 0, sizeof token);
    return rc;
}

/* SDL's text input on only while a screen that takes typed text is current (screen.takes_text). */
static void text_input_for(app *a, scr_id id)
{
    if (a->screens[id]->takes_text && !SDL_IsTextInputActive())
        SDL_StartTextInput();
    else if (!a->screens[id]->takes_text && SDL_IsTextInputActive())
        SDL_StopTextInput();
}

int app_create(app **out, const cfg *c, const app_opts *o, char *err, size_t errlen)
{
    *out = NULL;
    app *a = xcalloc(1, sizeof *a);
    a->cfg = *c;
    a->clock = o->clock;
    a->screens = o->screens;
    a->redraw_every_frame = o->redraw_every_frame;
    int rc = content_load(&a->content, c->content_dir, err, errlen);
    if (rc == 0)
        rc = content_check_config(a->content, c, err, errlen);
    if (rc == 0 && c->mode == CFG_MODE_DESK) {
        a->desk_officer = content_desk_officer(a->content, c);
        if (!a->desk_officer) { /* content_check_config should have caught this */
            util_fmt(err, errlen, "[kiosk] officer/counter: no officer found for this counter");
            rc = HL_EXIT_USAGE;
        }
    }
    if (rc == 0)
        rc = load_procedures(a, err, errlen);
    if (rc == 0) {
        store_opts so = {.vfs = o->store_vfs,
                         .response_interval_ms = (int64_t)c->response_interval_s * 1000,
                         .clock = a->clock,
                         .degraded_ok = 1};
        /* A votes.db a newer hailong-kiosk upgraded is refused with exit 2: installing that
         * version is the fix, not starting again. */
        store_rc opened = store_open(&a->store, c->data_dir, &so, err, errlen);
        if (opened != STORE_OK)
            rc = opened == STORE_NEWER_SCHEMA ? HL_EXIT_USAGE : HL_EXIT_RUNTIME;
        else if (!store_connected(a->store))
            /* A full or read-only disk: the kiosk starts anyway, answers votes with an honest
             * "could not record" and shows the fault on the admin screen; each vote tries the
             * file again, so it records again as soon as the disk allows. */
            log_error("votes.db cannot be used now: %s; the kiosk starts anyway and refuses votes "
                      "with a message until it can write them",
                      store_last_error(a->store));
    }
    if (rc == 0 && c->mode == CFG_MODE_DESK) {
        /* An officer chosen on the admin screen (kept in the store) overrides the config's. */
        const content_officer *chosen = desk_chosen(a->store, a->content);
        if (chosen)
            a->desk_officer = chosen;
    }
    if (rc == 0)
        rc = app_create_window(a, o, err, errlen);
    if (rc == 0) {
        a->gfx = gfx_create(a->ren, c->assets_dir, err, errlen);
        if (!a->gfx)
            rc = HL_EXIT_USAGE; /* the bundled fonts are content: missing means a bad install */
    }
    if (rc == 0)
        a->qr = qr_view_new(a->ren);
    if (rc == 0 && o->sync && c->sync_url[0])
        rc = start_sync(a, o, err, errlen);
    if (rc == 0) {
        admin_env env = {.st = a->store,
                         .clock = a->clock,
                         .content = a->content,
                         .cfg = &a->cfg,
                         .sync = a->sync};
        a->admin = admin_new(&env);
    }
    if (rc != 0) {
        app_destroy(a);
        return rc;
    }
    util_uuid_v4(a->boot_id);
    app_fb_clear(a);
    a->officer = a->desk_officer;
    a->last_input_mono = now_mono(a);
    a->slogan_next = now_mono(a) + (int64_t)c->slogan_rotate_s * 1000;
    a->cur = SCR_HOME;
    a->entered_mono = now_mono(a);
    text_input_for(a, a->cur);
    if (a->screens[a->cur]->enter)
        a->screens[a->cur]->enter(a);
    a->dirty = 1;
    log_info("kiosk %s started: mode %s, data %s, boot %s", c->kiosk_id, cfg_mode_name(c->mode),
             store_path(a->store), a->boot_id);
    *out = a;
    return 0;
}

void app_destroy(app *a)
{
    if (!a)
        return;
    /* First: the thread pushes SDL events and uses the data directory. */
    sync_stop(a->sync);
    a->sync = NULL;
    admin_free(a->admin); /* waits for its worker threads */
    qr_view_free(a->qr);
    if (a->gfx)
        gfx_destroy(a->gfx);
    if (a->ren)
        SDL_DestroyRenderer(a->ren);
    if (a->win)
        SDL_DestroyWindow(a->win);
    if (a->win || a->ren)
        SDL_Quit();
    store_close(a->store);
    proc_index_free(a->proc_ix);
    proc_free(a->procs);
    content_free(a->content);
    free(a);
}

/* When the kiosk falls idle (the attract screen), where time is free: the write-ahead log is
 * folded into votes.db and emptied, so a damaged -wal can cost only the votes since; and once a
 * day a checked copy of votes.db is kept beside it (votes.db.daily.bak) to recover from a
 * damaged file (docs/SCHEMA.md, "A damaged file"). */
#define DAILY_COPY_MS (24 * 3600 * 1000)
static void idle_upkeep(app *a)
{
    if (store_checkpoint(a->store) != STORE_OK)
        log_error("votes.db: could not fold the write-ahead log into it: %s",
                  store_last_error(a->store));
    int64_t now = now_mono(a);
    if (a->daily_copy_done && now < a->daily_copy_at)
        return;
    char out[PATH_MAX], err[HL_ERR_MAX];
    store_backup_info info;
    if (util_fmt(out, sizeof out, "%s/votes.db.daily.bak", a->cfg.data_dir) != 0)
        return;
    a->daily_copy_done = 1;
    if (store_backup(a->cfg.data_dir, out, 1, &info, err, sizeof err) == STORE_OK) {
        log_info("daily copy of votes.db kept in %s (%lld votes)", out, (long long)info.votes);
        a->daily_copy_at = now + DAILY_COPY_MS;
    } else {
        log_error("daily copy of votes.db not made: %s", err);
        a->daily_copy_at = now + 3600 * 1000; /* try again in an hour */
    }
}

void app_go(app *a, scr_id next)
{
    if (a->screens[a->cur]->leave)
        a->screens[a->cur]->leave(a, next);
    /* The visit is over: the next citizen starts at the normal size. From the apology into the
     * feedback form it goes on. */
    if (next == SCR_ATTRACT || (a->cur == SCR_THANKS && next != SCR_FB_TEXT))
        a->large_text = 0;
    /* A draft of feedback never outlives the visit: a half-typed complaint must not wait on the
     * screen for the next citizen (idle timeouts lead here too). */
    if (next == SCR_HOME || next == SCR_ATTRACT)
        app_fb_clear(a);
    a->cur = next;
    a->entered_mono = now_mono(a);
    a->screen_deadline = CLK_NEVER;
    /* A press in progress ends with the screen it began on, but fingers still on the glass stay
     * counted, so one that lands next is a second finger and chooses nothing (ui.h). Falling idle
     * forgets them: a finger-up SDL never delivered (a touch the compositor cancelled) cannot
     * leave the kiosk deaf for longer than idle_timeout. */
    int fingers = next == SCR_ATTRACT ? 0 : a->ui.fingers;
    ui_cancel(&a->ui);
    a->ui.fingers = fingers;
    ui_targets_clear(&a->ui);
    scroll_reset(&a->scroll);
    a->scroll_view = ui_rect(0, 0, 0, 0);
    a->scroll_press = 0;
    text_input_for(a, next);
    if (a->screens[next]->enter)
        a->screens[next]->enter(a);
    /* Keep the textures of the screens a vote passes through (Home, thanks) warm, so the tap ->
     * thank-you frame stays within one refresh; drop what was not drawn lately when the kiosk
     * falls idle, where time is free. gfx's own size cap bounds memory in between. */
    if (next == SCR_ATTRACT) {
        gfx_cache_trim(a->gfx);
        idle_upkeep(a);
    }
    a->dirty = 1;
}

/* Releases a->unreleased (a vote whose reasons failed to be written) without its reasons, so it
 * is sent; on failure tries again RELEASE_RETRY_MS later (app_update wakes for it). */
#define RELEASE_RETRY_MS 10000
static void release_pending(app *a)
{
    if (!a->unreleased[0] || now_mono(a) < a->release_at)
        return;
    char err[HL_ERR_MAX];
    if (store_finish_vote(a->store, a->unreleased, NULL, 0, err, sizeof err) == STORE_OK) {
        log_info("vote %s released without its reasons: it will be sent", a->unreleased);
        a->unreleased[0] = '\0';
    } else {
        log_error("vote %s still pending (its reasons were not saved), trying again in %d s: %s",
                  a->unreleased, RELEASE_RETRY_MS / 1000, err);
        a->release_at = now_mono(a) + RELEASE_RETRY_MS;
    }
}

void app_vote(app *a, int rating)
{
    if (!a->officer || rating < 1 || rating > 3)
        return;
    char err[HL_ERR_MAX];
    int want_reasons = rating == STORE_RATING_UNHAPPY && a->content->n_reasons > 0;
    store_rc rc = store_add_vote(a->store, a->cfg.kiosk_id, a->boot_id, a->officer->code, rating,
                                 clk_wall_ms(a->clock), want_reasons, &a->vote, err, sizeof err);
    if (rc == STORE_OK && !want_reasons)
        sync_poke(a->sync); /* never waits: sets a flag for the sync thread */
    if (rc != STORE_OK) {
        /* Honest failure: the citizen is told the vote was not recorded; the kiosk goes on. */
        log_error("vote for %s (rating %d) NOT recorded: %s", a->officer->code, rating, err);
        a->vote_ok = 0;
        a->thanks = THANKS_ERROR;
        app_go(a, SCR_THANKS);
        return;
    }
    a->vote_ok = 1;
    /* One debug line per vote the citizen is shown as recorded, written only after the commit:
     * test_crash kills the kiosk at random and checks every vote named here is in votes.db. */
    log_msg(LOG_DEBUG, "vote seq %lld uuid %s recorded (officer %s, rating %d, misuse %d): %s",
            (long long)a->vote.seq, a->vote.uuid, a->officer->code, rating, a->vote.misuse,
            want_reasons ? "reasons asked" : "thank-you shown");
    if (want_reasons) {
        memset(a->reason_on, 0, sizeof a->reason_on);
        app_go(a, SCR_REASONS);
        return;
    }
    a->thanks = rating == STORE_RATING_UNHAPPY ? THANKS_APOLOGY : THANKS_POSITIVE;
    app_go(a, SCR_THANKS);
}

void app_finish_reasons(app *a)
{
    const char *codes[APP_MAX_REASONS];
    size_t n = 0;
    for (size_t i = 0; i < a->content->n_reasons && i < APP_MAX_REASONS; i++)
        if (a->reason_on[i])
            codes[n++] = a->content->reasons[i].code;
    char err[HL_ERR_MAX];
    int saved = store_finish_vote(a->store, a->vote.uuid, codes, n, err, sizeof err) == STORE_OK;
    log_msg(LOG_DEBUG, "vote seq %lld uuid %s: %zu reason(s) %s: thank-you shown",
            (long long)a->vote.seq, a->vote.uuid, n, saved ? "saved" : "NOT saved");
    if (!saved) {
        /* The vote itself is already safe; only its reasons are missing. A pending vote is never
         * sent, so it is released without them at once (release_pending retries while the disk
         * still fails), not left until the next start. */
        log_error("reasons for vote %s not saved: %s", a->vote.uuid, err);
        util_strlcpy(a->unreleased, a->vote.uuid, sizeof a->unreleased);
        a->release_at = now_mono(a);
        release_pending(a);
    }
    sync_poke(a->sync);
    a->thanks = THANKS_APOLOGY;
    app_go(a, SCR_THANKS);
}

static void pointer_down(app *a, int x, int y)
{
    a->last_input_mono = now_mono(a);
    if (a->cur == SCR_ATTRACT) {
        /* Any touch wakes the kiosk; that touch chooses nothing. */
        app_go(a, SCR_HOME);
        a->ui.down = 0;
        return;
    }
    ui_press(&a->ui, x, y, now_mono(a));
    a->scroll_press = ui_contains(a->scroll_view, x, y) && a->ui.fingers <= 1;
    a->press_y = y;
    a->dirty = 1;
}

static void pointer_move(app *a, int x, int y)
{
    int slop = a->m.u * 3;
    if (a->scroll.dragging) {
        scroll_drag_move(&a->scroll, y, now_mono(a));
        a->last_input_mono = now_mono(a);
        a->dirty = 1;
        return;
    }
    if (a->scroll_press && !a->ui.cancelled && abs(y - a->press_y) > slop) {
        /* A finger travelling in a list scrolls it and taps nothing. */
        scroll_drag_begin(&a->scroll, a->press_y, now_mono(a));
        scroll_drag_move(&a->scroll, y, now_mono(a));
        a->ui.cancelled = 1;
        a->dirty = 1;
        return;
    }
    if (a->ui.down && !a->ui.cancelled) {
        ui_move(&a->ui, x, y, slop);
        if (a->ui.cancelled)
            a->dirty = 1;
    }
}

static void pointer_up(app *a, int x, int y)
{
    char id[UI_ID_MAX];
    int was_down = a->ui.down;
    a->last_input_mono = now_mono(a);
    a->scroll_press = 0;
    if (a->scroll.dragging) {
        scroll_drag_end(&a->scroll, now_mono(a));
        a->dirty = 1;
    }
    if (ui_release(&a->ui, x, y, id, sizeof id)) {
        a->dirty = 1;
        if (a->screens[a->cur]->tap)
            a->screens[a->cur]->tap(a, id);
    } else if (was_down) {
        a->dirty = 1; /* clear the pressed look */
    }
}

/* Mouse coordinates are in window points; the renderer may have more pixels (HiDPI). */
static void to_pixels(const app *a, int *x, int *y)
{
    int ww, wh;
    SDL_GetWindowSize(a->win, &ww, &wh);
    if (ww > 0 && wh > 0 && (ww != a->m.w || wh != a->m.h)) {
        *x = *x * a->m.w / ww;
        *y = *y * a->m.h / wh;
    }
}

void app_handle_event(app *a, const SDL_Event *ev)
{
    int x, y;
    switch (ev->type) {
    case SDL_QUIT: /* SIGTERM/SIGINT; closing the window does not send it (hint above) */
        a->quit = 1;
        break;
    case SDL_WINDOWEVENT:
        if (ev->window.event == SDL_WINDOWEVENT_CLOSE && !a->cfg.fullscreen)
            a->quit = 1; /* windowed (development) mode only */
        if (ev->window.event == SDL_WINDOWEVENT_SIZE_CHANGED) {
            int w, h;
            SDL_GetRendererOutputSize(a->ren, &w, &h);
            a->m = ui_metrics_for(w, h);
        }
        a->dirty = 1;
        break;
    case SDL_RENDER_TARGETS_RESET:
    case SDL_RENDER_DEVICE_RESET:
        a->dirty = 1;
        break;
    case SDL_KEYDOWN:
        /* Keys do nothing in the kiosk: a citizen must not be able to leave it. In windowed
         * (development) mode Esc closes it. On a screen that takes typed text, Backspace is its
         * on-screen "Xóa" key. */
        if (!a->cfg.fullscreen && ev->key.keysym.sym == SDLK_ESCAPE)
            a->quit = 1;
        else if (ev->key.keysym.sym == SDLK_BACKSPACE && a->screens[a->cur]->takes_text &&
                 a->screens[a->cur]->tap) {
            a->last_input_mono = now_mono(a);
            a->screens[a->cur]->tap(a, "key-back");
            a->dirty = 1;
        }
        break;
    case SDL_TEXTINPUT:
        /* Typing is input like a touch: it keeps the screen from timing out. */
        if (a->screens[a->cur]->takes_text && a->screens[a->cur]->typed) {
            a->last_input_mono = now_mono(a);
            a->screens[a->cur]->typed(a, ev->text.text);
            a->dirty = 1;
        }
        break;
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP:
        if (ev->button.which == SDL_TOUCH_MOUSEID || ev->button.button != SDL_BUTTON_LEFT)
            break;
        x = ev->button.x, y = ev->button.y;
        to_pixels(a, &x, &y);
        if (ev->type == SDL_MOUSEBUTTONDOWN)
            pointer_down(a, x, y);
        else
            pointer_up(a, x, y);
        break;
    case SDL_MOUSEMOTION:
        if (ev->motion.which == SDL_TOUCH_MOUSEID || !(ev->motion.state & SDL_BUTTON_LMASK))
            break;
        x = ev->motion.x, y = ev->motion.y;
        to_pixels(a, &x, &y);
        pointer_move(a, x, y);
        break;
    case SDL_FINGERDOWN:
        ui_finger_down(&a->ui);
        if (a->ui.fingers == 1)
            pointer_down(a, (int)(ev->tfinger.x * a->m.w), (int)(ev->tfinger.y * a->m.h));
        else
            a->dirty = 1;
        break;
    case SDL_FINGERMOTION:
        if (a->ui.fingers == 1)
            pointer_move(a, (int)(ev->tfinger.x * a->m.w), (int)(ev->tfinger.y * a->m.h));
        break;
    case SDL_FINGERUP:
        ui_finger_up(&a->ui);
        if (a->ui.fingers == 0)
            pointer_up(a, (int)(ev->tfinger.x * a->m.w), (int)(ev->tfinger.y * a->m.h));
        break;
    default:
        if (a->sync && ev->type == a->sync_event) {
            /* The sender's status changed: only a screen that shows it redraws. */
            SDL_AtomicSet(&a->sync_event_queued, 0);
            if (a->screens[a->cur]->notify)
                a->screens[a->cur]->notify(a, APP_NOTE_SYNC);
        }
        break;
    }
}

static int64_t min64(int64_t x, int64_t y)
{
    return x < y ? x : y;
}

int64_t app_update(app *a)
{
    /* A screen change inside update may make the new screen due at once; a few rounds settle. */
    for (int round = 0; round < 4; round++) {
        int64_t now = now_mono(a);
        scr_id before = a->cur;
        /* A long press held long enough (the admin corner) acts before anything else. */
        char held[UI_ID_MAX];
        if (ui_hold_check(&a->ui, now, held, sizeof held)) {
            a->dirty = 1;
            if (strcmp(held, ADMIN_HOLD_ID) == 0 && a->screens[a->cur]->group != SCR_GROUP_ADMIN) {
                app_go(a, SCR_PIN);
                continue;
            }
        }
        const screen *s = a->screens[a->cur];
        int64_t next = ui_hold_deadline(&a->ui);
        if (s->idle != SCR_IDLE_OWN) {
            int secs = s->idle == SCR_IDLE_HOME      ? a->cfg.idle_timeout_s
                       : s->idle == SCR_IDLE_READING ? a->cfg.reading_timeout_s
                                                     : a->cfg.screen_timeout_s;
            int64_t idle_at = a->last_input_mono + (int64_t)secs * 1000;
            if (now >= idle_at && !a->ui.down) {
                /* reading_timeout may be longer than idle_timeout: Home then counts from now,
                 * or it would pass straight on to the attract screen without being seen. */
                if (s->idle == SCR_IDLE_READING)
                    a->last_input_mono = now;
                app_go(a, s->idle == SCR_IDLE_HOME ? SCR_ATTRACT : SCR_HOME);
                continue;
            }
            next = min64(next, idle_at);
        }
        /* Every screen shows the time (header or attract line): redraw when the minute turns. */
        if (now >= a->minute_at)
            a->dirty = 1;
        a->minute_at = now + (60000 - clk_wall_ms(a->clock) % 60000);
        next = min64(next, a->minute_at);
        if (a->unreleased[0]) {
            release_pending(a);
            if (a->unreleased[0])
                next = min64(next, a->release_at);
        }
        if (scroll_animate(&a->scroll, now)) {
            /* Momentum: one frame per display refresh, only while the list is moving. */
            a->dirty = 1;
            next = min64(next, now + 16);
        }
        if (s->update)
            a->screen_deadline = s->update(a, now);
        if (a->cur != before)
            continue;
        return min64(next, a->screen_deadline);
    }
    return now_mono(a);
}

static void draw(app *a)
{
    gfx_clear(a->gfx, UI_BG);
    ui_targets_clear(&a->ui);
    int large = a->large_text && a->screens[a->cur]->group == SCR_GROUP_CITIZEN;
    gfx_set_text_scale(a->gfx, large ? APP_LARGE_TEXT : 100);
    a->screens[a->cur]->draw(a);
}

int app_render(app *a)
{
    if (!a->dirty)
        return 0;
    draw(a);
    SDL_RenderPresent(a->ren);
    a->dirty = 0;
    a->frames++;
    return 1;
}

/* The systemd watchdog (notify.c; WatchdogSec= in the unit) is fed here and only here: the loop
 * itself proves the UI thread is alive, so a UI stuck anywhere stops feeding it and systemd
 * restarts the kiosk. A feed is due every half interval, which is the one wake-up it adds to an
 * idle kiosk; while the loop is awake anyway it feeds once a quarter interval has passed, so a
 * busy loop (a fling's 16 ms frames) does not send one per frame. With the shipped WatchdogSec=60
 * an idle kiosk is woken for it at most every 30 s and fed every 15-30 s. There is no separate
 * floor: the interval is the unit's (keep WatchdogSec >= 30 s there), and the test runs this very
 * code with a short WATCHDOG_USEC. Without NOTIFY_SOCKET or WATCHDOG_USEC there is no deadline
 * and no wake-up at all. */
static int64_t feed_watchdog(app *a, int64_t every_ms, int64_t *fed_at, int64_t next)
{
    int64_t now = now_mono(a);
    if (now - *fed_at >= every_ms / 4) {
        notify_watchdog();
        *fed_at = now;
    }
    return min64(next, *fed_at + every_ms / 2);
}

int app_run(app *a)
{
    int64_t wd_ms = notify_watchdog_ms(), fed_at = now_mono(a);
    int ready = 0, deferred = 1;
    if (wd_ms)
        log_info("systemd watchdog: %lld ms, fed every %lld to %lld ms", (long long)wd_ms,
                 (long long)(wd_ms / 4), (long long)(wd_ms / 2));
    while (!a->quit) {
        int64_t next = app_update(a);
        app_render(a);
        if (!ready && a->frames > 0) {
            /* Type=notify: the unit is up once the first frame is on the screen. */
            char status[160];
            util_fmt(status, sizeof status, "kiosk %s (%s) on screen", a->cfg.kiosk_id,
                     cfg_mode_name(a->cfg.mode));
            notify_ready(status);
            ready = 1;
        }
        if (ready && deferred && (deferred = deferred_step(a)) != 0)
            next = now_mono(a); /* more to do: only look for events before the next piece */
        if (wd_ms)
            next = feed_watchdog(a, wd_ms, &fed_at, next);
        if (a->redraw_every_frame) {
            a->dirty = 1;
            next = min64(next, now_mono(a) + 16);
        }
        int64_t wait = next == CLK_NEVER ? -1 : next - now_mono(a);
        if (wait < 0 && next != CLK_NEVER)
            wait = 0;
        if (wait > 24 * 3600 * 1000)
            wait = 24 * 3600 * 1000;
        SDL_Event ev;
        int got = wait < 0 ? SDL_WaitEvent(&ev) : SDL_WaitEventTimeout(&ev, (int)wait);
        if (!got)
            continue;
        do {
            app_handle_event(a, &ev);
        } while (SDL_PollEvent(&ev));
    }
    /* The admin screen's restart executes the program again in place: for systemd that is a
     * reload (it waits for the new READY=1), not a stop, which would make it wait for the exit. */
    if (a->restart)
        notify_reloading();
    else
        notify_stopping();
    return HL_EXIT_OK;
}

void app_tap_xy(app *a, int x, int y)
{
    SDL_Event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = SDL_MOUSEBUTTONDOWN;
    ev.button.button = SDL_BUTTON_LEFT;
    ev.button.state = SDL_PRESSED;
    ev.button.clicks = 1;
    ev.button.x = x;
    ev.button.y = y;
    app_handle_event(a, &ev);
    ev.type = SDL_MOUSEBUTTONUP;
    ev.button.state = SDL_RELEASED;
    app_handle_event(a, &ev);
}

int app_tap(app *a, const char *id)
{
    if (a->dirty) /* targets are registered while drawing */
        app_render(a);
    SDL_Rect r;
    if (!ui_target_find(&a->ui, id, &r))
        return -1;
    /* Window points equal renderer pixels for the hidden test windows. */
    app_tap_xy(a, r.x + r.w / 2, r.y + r.h / 2);
    app_update(a);
    app_render(a);
    return 0;
}

void app_set_wall(app *a, int64_t utc_ms)
{
    if (a->clock->fake)
        a->clock->wall_ms = utc_ms;
    app_update(a);
    app_render(a);
}

void app_advance(app *a, int64_t ms)
{
    while (ms > 0) {
        int64_t next = app_update(a);
        app_render(a);
        int64_t step = next == CLK_NEVER ? ms : next - now_mono(a);
        if (step < 1)
            step = 1;
        if (step > ms)
            step = ms;
        clk_advance(a->clock, step);
        ms -= step;
    }
    app_update(a);
    app_render(a);
}

const char *app_screen_name(const app *a)
{
    return a->screens[a->cur]->name;
}

SDL_Surface *app_snapshot(app *a)
{
    /* Draw again and read before presenting: after a present the back buffer is undefined on
     * some renderers. */
    draw(a);
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, a->m.w, a->m.h, 32, SDL_PIXELFORMAT_RGBA32);
    if (s && SDL_RenderReadPixels(a->ren, NULL, SDL_PIXELFORMAT_RGBA32, s->pixels, s->pitch) != 0) {
        SDL_FreeSurface(s);
        s = NULL;
    }
    SDL_RenderPresent(a->ren);
    a->dirty = 0;
    return s;
}

int app_save_png(app *a, const char *path)
{
    SDL_Surface *s = app_snapshot(a);
    if (!s)
        return -1;
    int rc = IMG_SavePNG(s, path);
    SDL_FreeSurface(s);
    return rc == 0 ? 0 : -1;
}

const content_slogan *app_slogan(const app *a)
{
    const cfg *c = &a->cfg;
    if (c->n_slogans == 0)
        return &a->content->slogans[a->slogan_pos % a->content->n_slogans];
    const char *id = c->slogans[a->slogan_pos % (size_t)c->n_slogans];
    const content_slogan *s = content_find_slogan(a->content, id);
    return s ? s : &a->content->slogans[0];
}

void app_quit(app *a, int restart)
{
    a->restart = restart;
    a->quit = 1;
}

int app_wait_jobs(app *a, int64_t timeout_ms)
{
    /* A finished job may start the next (a right PIN opens the overview, which counts votes):
     * wait for those too. */
    for (int round = 0; round < 8; round++) {
        int any = admin_busy(a->admin);
        if (any && !admin_wait(a->admin, timeout_ms))
            return 0;
        app_update(a);
        app_render(a);
        if (!any)
            return 1;
    }
    return !admin_busy(a->admin);
}
