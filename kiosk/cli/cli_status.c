/* cli_status: `hailong-kiosk status`: how far this kiosk's votes are on their way to the
 * collector, read from votes.db (read-only, so it can run while the kiosk runs). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "clock.h"
#include "config.h"
#include "log.h"
#include "store.h"
#include "util.h"

static void status_usage(FILE *out)
{
    fprintf(out,
            "Usage: hailong-kiosk status [--config FILE] [--data-dir DIR]\n"
            "Shows how far this kiosk's votes are on their way to the collector: votes waiting\n"
            "and the age of the oldest, quarantined votes (refused by the collector), the last\n"
            "success and error, the sync thread's state as the kiosk last recorded it, and\n"
            "whether the system clock is synchronised to a time server (NTP).\n"
            "It only reads <data_dir>/votes.db and can run while the kiosk runs.\n"
            "\n"
            "Options:\n"
            "  --config FILE      the kiosk's configuration (data_dir, kiosk id, [sync] url)\n"
            "  --data-dir DIR     read DIR/votes.db instead\n"
            "  --help             show this help\n"
            "\n"
            "Exit status: 0 ok, 1 no readable votes.db, 2 bad usage or configuration, or a\n"
            "votes.db upgraded by a newer hailong-kiosk (the message says which to install).\n");
}

/* "3 h 12 min", "5 min 3 s", "42 s" */
static void fmt_span(char *out, size_t cap, int64_t ms)
{
    int64_t s = ms < 0 ? 0 : ms / 1000;
    if (s >= 86400)
        snprintf(out, cap, "%lld d %lld h", (long long)(s / 86400), (long long)(s % 86400 / 3600));
    else if (s >= 3600)
        snprintf(out, cap, "%lld h %lld min", (long long)(s / 3600), (long long)(s % 3600 / 60));
    else if (s >= 60)
        snprintf(out, cap, "%lld min %lld s", (long long)(s / 60), (long long)(s % 60));
    else
        snprintf(out, cap, "%lld s", (long long)s);
}

/* "2026-11-26 09:30:05" in Vietnam time. */
static void fmt_local(char *out, size_t cap, int64_t utc_ms)
{
    clk_local l = clk_to_local(utc_ms);
    snprintf(out, cap, "%04d-%02d-%02d %02d:%02d:%02d", l.year, l.month, l.day, l.hour, l.minute,
             l.second);
}

int cli_status(int argc, char **argv)
{
    cli_ctx x = {.cmd = "status", .usage = status_usage, .flags = CLI_DATA_DIR | CLI_MAIN_HINT};
    int rc = cli_common_opts(argc, argv, NULL, &x);
    if (rc >= 0)
        return rc;
    cfg c;
    if ((rc = cli_load_config(&x, &c)) != 0)
        return rc;
    char err[HL_ERR_MAX];
    store *s = NULL;
    store_opts so = {.readonly = 1};
    store_rc opened = store_open(&s, c.data_dir, &so, err, sizeof err);
    if (opened != STORE_OK) {
        log_plain(LOG_ERROR, "hailong-kiosk: status: %s\n", err);
        return opened == STORE_NEWER_SCHEMA ? HL_EXIT_USAGE : HL_EXIT_RUNTIME;
    }
    store_sync_status st;
    if (store_sync_status_get(s, c.kiosk_id, &st) != STORE_OK) {
        log_plain(LOG_ERROR, "hailong-kiosk: status: %s\n", store_last_error(s));
        store_close(s);
        return HL_EXIT_RUNTIME;
    }
    /* The sender cleans what it stores, but a votes.db written by an older kiosk (or edited by
     * hand) may still hold a collector's raw text: no newline or escape reaches the terminal. */
    util_text_clean(st.last_error);
    util_text_clean(st.state);
    hl_clock clock = clk_real();
    int64_t now = clk_wall_ms(&clock);
    char a[64], b[64];
    printf("database: %s (kiosk %s)\n", store_path(s), c.kiosk_id);
    /* Every vote carries this clock's time: the same test as timedatectl's NTPSynchronized. */
    clk_sync cs = clk_sync_state();
    printf("clock: %s\n", cs == CLK_SYNC_YES ? "synchronised (NTP)"
                          : cs == CLK_SYNC_NO
                              ? "NOT synchronised: votes carry this PC's own time; check the "
                                "network and systemd-timesyncd (timedatectl set-ntp true)"
                              : "unknown (the kernel's time state cannot be read)");
    printf("votes waiting: %lld", (long long)st.waiting);
    if (st.in_batch)
        printf(" (%lld of them in a frozen batch, resent as it is)", (long long)st.in_batch);
    printf("\n");
    if (st.waiting) {
        fmt_span(a, sizeof a, now - st.oldest_waiting);
        fmt_local(b, sizeof b, st.oldest_waiting);
        printf("oldest waiting: %s (%s Vietnam time)\n", a, b);
    } else {
        printf("oldest waiting: -\n");
    }
    if (st.other_kiosk)
        printf("not sent, recorded under another kiosk id: %lld (this kiosk is now %s)\n",
               (long long)st.other_kiosk, c.kiosk_id);
    /* Votes cast while the clock was implausible or had just been set: kept, sent and counted,
     * marked so the collector places them by its own clock (docs/SCHEMA.md). */
    if (st.clock_suspect) {
        fmt_local(a, sizeof a, st.last_clock_suspect);
        printf("votes with a doubtful clock: %lld (the latest stamped %s; sent marked "
               "clock_suspect: set this PC's clock right)\n",
               (long long)st.clock_suspect, a);
    } else {
        printf("votes with a doubtful clock: 0\n");
    }
    if (!clk_plausible(now)) {
        fmt_local(a, sizeof a, now);
        printf("WARNING: this PC's clock reads %s, which cannot be right: set the date and "
               "time (timedatectl set-ntp true, or timedatectl set-time)\n",
               a);
    }
    printf("quarantined: %lld%s\n", (long long)st.quarantined,
           st.quarantined ? " (refused by the collector; reasons in votes.sync_error)" : "");
    /* Citizens' feedback (table feedback) travels in the same batches as the votes. */
    printf("feedback waiting: %lld\n", (long long)st.feedback_waiting);
    printf("feedback quarantined: %lld%s\n", (long long)st.feedback_quarantined,
           st.feedback_quarantined ? " (refused by the collector; reasons in feedback.sync_error)"
                                   : "");
    if (st.last_success_at) {
        fmt_local(a, sizeof a, st.last_success_at);
        fmt_span(b, sizeof b, now - st.last_success_at);
        printf("last success: %s (%s ago)\n", a, b);
    } else {
        printf("last success: never\n");
    }
    if (st.last_error_at) {
        fmt_local(a, sizeof a, st.last_error_at);
        printf("last error: %s: %s\n", a, st.last_error);
    } else {
        printf("last error: none\n");
    }
    printf("state: ");
    if (!c.sync_url[0]) {
        printf("off (no [sync] url in the configuration)\n");
    } else if (strcmp(st.state, STORE_SYNC_STATE_AUTH) == 0 || st.auth_failed) {
        printf("stopped: auth (%s)\n", st.last_error);
    } else if (strcmp(st.state, STORE_SYNC_STATE_BACKOFF) == 0 && st.backoff_until > now) {
        fmt_local(a, sizeof a, st.backoff_until);
        fmt_span(b, sizeof b, st.backoff_until - now);
        printf("backing off until %s (in %s)\n", a + 11, b);
    } else if (strcmp(st.state, STORE_SYNC_STATE_STARTING) == 0 && st.backoff_until > now) {
        fmt_local(a, sizeof a, st.backoff_until);
        printf("starting (first send at %s)\n", a + 11);
    } else if (strcmp(st.state, STORE_SYNC_STATE_STOPPED) == 0) {
        fmt_local(a, sizeof a, st.updated_at);
        printf("not running (the kiosk stopped at %s)\n", a);
    } else if (strcmp(st.state, STORE_SYNC_STATE_OFF) == 0) {
        printf("not started yet (the kiosk has not run with [sync] url set)\n");
    } else if (strcmp(st.state, STORE_SYNC_STATE_IDLE) == 0) {
        printf("idle (nothing to send)\n");
    } else {
        printf("%s\n", st.state);
    }
    store_close(s);
    return HL_EXIT_OK;
}
