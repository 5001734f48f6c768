/* script: scripted input for the real binary, so end-to-end tests tap through the real program. */
#include "script.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

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
        if (st.waiting == 0 && st.feedback_waiting == 0) /* the feedback travels too */
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

/* The on-screen key that sets tone mark cp (a combining mark of NFD), NULL if cp is none. */
static const char *tone_key(utf8proc_int32_t cp)
{
    switch (cp) {
    case 0x0301:
        return "tone-s";
    case 0x0300:
        return "tone-f";
    case 0x0309:
        return "tone-r";
    case 0x0303:
        return "tone-x";
    case 0x0323:
        return "tone-j";
    default:
        return NULL;
    }
}

/* The vowel key for base letter b (lower case) with mark cp (circumflex, breve, horn), or NULL. */
static const char *vowel_key(utf8proc_int32_t b, utf8proc_int32_t cp)
{
    static const struct {
        char base;
        utf8proc_int32_t mark;
        const char *id;
    } keys[] = {{'a', 0x0302, "vow-aa"}, {'a', 0x0306, "vow-aw"}, {'e', 0x0302, "vow-ee"},
                {'o', 0x0302, "vow-oo"}, {'o', 0x031B, "vow-ow"}, {'u', 0x031B, "vow-uw"}};
    for (size_t i = 0; i < HL_ARRAY_LEN(keys); i++)
        if (keys[i].base == b && keys[i].mark == cp)
            return keys[i].id;
    return NULL;
}

static int tap_key(app *a, const char *id, char *why, size_t whylen)
{
    if (app_tap(a, id) == 0)
        return 0;
    util_fmt(why, whylen, "no key \"%s\" on screen \"%s\"", id, app_screen_name(a));
    return -1;
}

int script_type_keys(app *a, const char *utf8, char *why, size_t whylen)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)utf8;
    const char *tone = NULL; /* the word's tone, tapped when the word ends (vnkey places it) */
    for (;;) {
        utf8proc_int32_t c = 0, d[4];
        utf8proc_ssize_t used = *p ? utf8proc_iterate(p, -1, &c) : 0;
        if (used < 0) {
            util_fmt(why, whylen, "the text is not valid UTF-8");
            return -1;
        }
        utf8proc_ssize_t nd = used ? utf8proc_decompose_char(c, d, 4, UTF8PROC_DECOMPOSE, NULL) : 0;
        if (nd < 0 || nd > 3) {
            util_fmt(why, whylen, "cannot take the character U+%04X apart", (unsigned)c);
            return -1;
        }
        utf8proc_int32_t base = nd ? d[0] : 0, mark = 0, t = 0;
        for (utf8proc_ssize_t i = 1; i < nd; i++) {
            if (tone_key(d[i]))
                t = d[i];
            else
                mark = d[i];
        }
        utf8proc_int32_t lb = utf8proc_tolower(base);
        int letter = (lb >= 'a' && lb <= 'z') || lb == 0x0111;
        if (!letter && tone) { /* the word ended: its tone now */
            if (tap_key(a, tone, why, whylen) != 0)
                return -1;
            tone = NULL;
        }
        if (!used)
            return 0;
        p += used;
        if (t)
            tone = tone_key(t);
        char id[16];
        const char *key = NULL;
        if (base == ' ') {
            key = "key-space";
        } else if (lb == 0x0111) {
            key = "vow-dd";
        } else if (mark) {
            key = vowel_key(lb, mark);
        } else if ((lb >= 'a' && lb <= 'z') || (lb >= '0' && lb <= '9') || lb == ',' || lb == '.') {
            util_fmt(id, sizeof id, "key-%c", (char)lb);
            key = id;
        }
        if (!key) {
            util_fmt(why, whylen, "the on-screen keyboard has no key for U+%04X", (unsigned)c);
            return -1;
        }
        /* A capital: "Hoa" first, unless it is already on (a new text or name starts so). */
        if (letter && (base != lb) != (a->fb.shift != 0) && tap_key(a, "key-shift", why, whylen))
            return -1;
        if (tap_key(a, key, why, whylen) != 0)
            return -1;
    }
}

/* Text as a hardware keyboard sends it: SDL_TEXTINPUT events of at most 31 bytes, cut between
 * characters. */
static void text_input(app *a, const char *utf8)
{
    size_t n = strlen(utf8);
    for (size_t i = 0; i < n;) {
        SDL_Event ev;
        memset(&ev, 0, sizeof ev);
        ev.type = SDL_TEXTINPUT;
        size_t k = n - i < sizeof ev.text.text - 1 ? n - i : sizeof ev.text.text - 1;
        while (k > 0 && i + k < n && ((unsigned char)utf8[i + k] & 0xc0) == 0x80)
            k--;
        memcpy(ev.text.text, utf8 + i, k);
        app_handle_event(a, &ev);
        i += k;
    }
    app_update(a);
    app_render(a);
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
        } else if (strcmp(cmd, "type") == 0 && n >= 2) {
            char why[HL_ERR_MAX];
            if (script_type_keys(a, p + 5, why, sizeof why) != 0) {
                util_fmt(err, errlen, "%s:%d: type: %s", path, lineno, why);
                rc = HL_EXIT_RUNTIME;
            }
        } else if (strcmp(cmd, "text") == 0 && n >= 2) {
            text_input(a, p + 5);
        } else if (strcmp(cmd, "quit") == 0 && n == 1) {
            break;
        } else {
            util_fmt(err, errlen,
                     "%s:%d: cannot understand \"%s\"; use tap ID, tapxy X Y, swipe ID, wait MS, "
                     "set-clock TIME, expect SCREEN, screenshot FILE, type TEXT, text TEXT, "
                     "sync-wait SECONDS, health-wait SECONDS or quit",
                     path, lineno, p);
            rc = HL_EXIT_USAGE;
        }
    }
    fclose(f);
    return rc;
}
