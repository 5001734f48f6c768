/* script: scripted input for the real binary, so end-to-end tests tap through the real program. */
#include "script.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

static void swipe(app *a, const char *id, int *ok)
{
    SDL_Rect r;
    app_render(a);
    if (!ui_target_find(&a->ui, id, &r)) {
        *ok = 0;
        return;
    }
    SDL_Event ev;
    memset(&ev, 0, sizeof ev);
    int x = r.x + r.w / 2, y = r.y + r.h / 2;
    ev.type = SDL_MOUSEBUTTONDOWN;
    ev.button.button = SDL_BUTTON_LEFT;
    ev.button.x = x, ev.button.y = y;
    app_handle_event(a, &ev);
    ev.type = SDL_MOUSEMOTION;
    ev.motion.state = SDL_BUTTON_LMASK;
    ev.motion.x = x + a->m.u * 20, ev.motion.y = y;
    app_handle_event(a, &ev);
    ev.type = SDL_MOUSEBUTTONUP;
    ev.button.x = x + a->m.u * 20, ev.button.y = y;
    app_handle_event(a, &ev);
    app_update(a);
    app_render(a);
    *ok = 1;
}

/* Waits in real time (the sync thread runs on real time, whatever the script's clock) until no
 * vote is waiting to be sent, or the time is up. 0 or -1 (err says why). */
static int sync_wait(app *a, long seconds, char *why, size_t whylen)
{
    if (!a->sync) {
        util_fmt(why, whylen,
                 "sync is not running; set [sync] url in the config and pass --sync with "
                 "--script");
        return -1;
    }
    uint64_t end = SDL_GetTicks64() + (uint64_t)seconds * 1000;
    store_sync_status st;
    for (;;) {
        if (store_sync_status_get(a->store, a->cfg.kiosk_id, &st) != STORE_OK) {
            util_fmt(why, whylen, "cannot read the vote database: %s", store_last_error(a->store));
            return -1;
        }
        if (st.waiting == 0)
            return 0;
        if (SDL_GetTicks64() >= end)
            break;
        SDL_Delay(20);
    }
    util_fmt(why, whylen, "%lld vote(s) still waiting after %ld s (sender: %s%s%s)",
             (long long)st.waiting, seconds, st.state, st.last_error[0] ? "; last error: " : "",
             st.last_error);
    return -1;
}

/* Waits in real time until the collector has taken a health report from this run (sent after a
 * round that delivered votes, or at the heartbeat), or the time is up. 0 or -1 (why). */
static int health_wait(app *a, long seconds, char *why, size_t whylen)
{
    if (!a->sync) {
        util_fmt(why, whylen, "sync is not running; pass --sync with --script");
        return -1;
    }
    uint64_t end = SDL_GetTicks64() + (uint64_t)seconds * 1000;
    sync_status st;
    for (;;) {
        sync_get_status(a->sync, &st);
        if (st.health_sent > 0)
            return 0;
        if (SDL_GetTicks64() >= end)
            break;
        SDL_Delay(20);
    }
    util_fmt(why, whylen, "no health report taken after %ld s (sender: %s%s%s)", seconds, st.state,
             st.last_error[0] ? "; last error: " : "", st.last_error);
    return -1;
}

int script_run(app *a, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        util_fmt(err, errlen, "%s: cannot open script", path);
        return HL_EXIT_USAGE;
    }
    char line[1024];
    int lineno = 0, rc = 0;
    app_update(a);
    app_render(a);
    while (rc == 0 && fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0' || *p == '#')
            continue;
        char cmd[32] = "", arg1[512] = "", arg2[64] = "";
        int n = sscanf(p, "%31s %511s %63s", cmd, arg1, arg2);
        long v1, v2;
        if (strcmp(cmd, "tap") == 0 && n == 2) {
            if (app_tap(a, arg1) != 0) {
                util_fmt(err, errlen, "%s:%d: no target \"%s\" on screen \"%s\"", path, lineno,
                         arg1, app_screen_name(a));
                rc = HL_EXIT_RUNTIME;
            }
        } else if (strcmp(cmd, "tapxy") == 0 && n == 3 &&
                   util_parse_int(arg1, 0, 100000, &v1) == 0 &&
                   util_parse_int(arg2, 0, 100000, &v2) == 0) {
            app_tap_xy(a, (int)v1, (int)v2);
            app_update(a);
            app_render(a);
        } else if (strcmp(cmd, "swipe") == 0 && n == 2) {
            int ok;
            swipe(a, arg1, &ok);
            if (!ok) {
                util_fmt(err, errlen, "%s:%d: no target \"%s\" on screen \"%s\"", path, lineno,
                         arg1, app_screen_name(a));
                rc = HL_EXIT_RUNTIME;
            }
        } else if (strcmp(cmd, "wait") == 0 && n == 2 &&
                   util_parse_int(arg1, 0, 7L * 24 * 3600 * 1000, &v1) == 0) {
            app_advance(a, v1);
        } else if (strcmp(cmd, "set-clock") == 0 && n == 2) {
            int64_t t;
            if (clk_parse_local(arg1, &t) != 0) {
                util_fmt(err, errlen, "%s:%d: set-clock: \"%s\" is not YYYY-MM-DDTHH:MM[:SS]", path,
                         lineno, arg1);
                rc = HL_EXIT_USAGE;
            } else {
                app_set_wall(a, t);
            }
        } else if (strcmp(cmd, "expect") == 0 && n == 2) {
            app_update(a);
            if (strcmp(app_screen_name(a), arg1) != 0) {
                util_fmt(err, errlen, "%s:%d: expected screen \"%s\", but it is \"%s\"", path,
                         lineno, arg1, app_screen_name(a));
                rc = HL_EXIT_RUNTIME;
            }
        } else if (strcmp(cmd, "screenshot") == 0 && n == 2) {
            if (app_save_png(a, arg1) != 0) {
                util_fmt(err, errlen, "%s:%d: cannot write %s: %s", path, lineno, arg1,
                         SDL_GetError());
                rc = HL_EXIT_RUNTIME;
            }
        } else if (strcmp(cmd, "sync-wait") == 0 && n == 2 &&
                   util_parse_int(arg1, 0, 3600, &v1) == 0) {
            char why[HL_ERR_MAX];
            if (sync_wait(a, v1, why, sizeof why) != 0) {
                util_fmt(err, errlen, "%s:%d: sync-wait: %s", path, lineno, why);
                rc = HL_EXIT_RUNTIME;
            }
        } else if (strcmp(cmd, "health-wait") == 0 && n == 2 &&
                   util_parse_int(arg1, 0, 3600, &v1) == 0) {
            char why[HL_ERR_MAX];
            if (health_wait(a, v1, why, sizeof why) != 0) {
                util_fmt(err, errlen, "%s:%d: health-wait: %s", path, lineno, why);
                rc = HL_EXIT_RUNTIME;
            }
        } else if (strcmp(cmd, "quit") == 0 && n == 1) {
            break;
        } else {
            util_fmt(err, errlen,
                     "%s:%d: cannot understand \"%s\"; use tap ID, tapxy X Y, swipe ID, wait MS, "
                     "set-clock TIME, expect SCREEN, screenshot FILE, sync-wait SECONDS, "
                     "health-wait SECONDS "
                     "or quit",
                     path, lineno, p);
            rc = HL_EXIT_USAGE;
        }
    }
    fclose(f);
    return rc;
}
