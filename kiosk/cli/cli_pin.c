/* cli_pin: `hailong-kiosk set-pin`: reads the new PIN twice (without echo at a terminal, or as two
 * lines on stdin for scripts), stores its hash and clears the lock-out (kiosk/admin/pin.c). */
#include <errno.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"
#include "config.h"
#include "log.h"
#include "pin.h"
#include "store.h"
#include "util.h"

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: hailong-kiosk set-pin [--config FILE | --data-dir DIR]\n"
            "Sets the PIN that opens the kiosk's admin screen (hold the top-left corner of the\n"
            "screen for 5 seconds) and clears the lock-out after wrong PINs.\n"
            "The PIN is 4 to 8 digits. At a terminal it is asked twice and not shown; otherwise\n"
            "it is read from stdin as two lines, e.g. printf '2468\\n2468\\n' | hailong-kiosk "
            "set-pin\n"
            "Only a salted argon2id hash is kept, in <data_dir>/votes.db (table settings).\n"
            "Run it as the kiosk's user (or root: the files keep the data folder's owner).\n"
            "It can run while the kiosk runs; the next PIN entered on the screen uses it.\n"
            "\n"
            "Options:\n"
            "  --config FILE      the kiosk's configuration (its data_dir)\n"
            "  --data-dir DIR     use DIR/votes.db instead\n"
            "  --help             show this help\n"
            "\n"
            "Exit status: 0 set, 1 could not write votes.db, 2 bad usage, configuration or PIN\n"
            "(not 4-8 digits, or the two entries differ), or a votes.db upgraded by a newer\n"
            "hailong-kiosk (the message says which to install).\n");
}

/* The terminal's settings while echo is off, to put back on the way out (also on Ctrl-C). */
static struct termios saved_tio;
static volatile sig_atomic_t tio_saved;

static void restore_tty(void)
{
    if (tio_saved) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
        tio_saved = 0;
    }
}

static void on_signal(int sig)
{
    restore_tty();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* One line from stdin into buf (without the newline). 0, or -1 at EOF / a line too long. */
static int read_line(char *buf, size_t cap)
{
    if (!fgets(buf, (int)cap, stdin))
        return -1;
    size_t n = strlen(buf);
    if (n && buf[n - 1] == '\n')
        buf[--n] = '\0';
    else if (!feof(stdin)) {
        /* Longer than any PIN: drain the rest so it does not count as the second entry. */
        int c;
        while ((c = getchar()) != EOF && c != '\n')
            ;
        util_strlcpy(buf, "x", cap);
        return 0;
    }
    if (n && buf[n - 1] == '\r')
        buf[--n] = '\0';
    return 0;
}

/* Reads the PIN twice. At a terminal: prompts on stderr with echo off. */
static int read_pins(char *p1, char *p2, size_t cap)
{
    int tty = isatty(STDIN_FILENO);
    if (!tty)
        return read_line(p1, cap) == 0 && read_line(p2, cap) == 0 ? 0 : -1;
    struct termios t;
    if (tcgetattr(STDIN_FILENO, &saved_tio) == 0) {
        t = saved_tio;
        t.c_lflag &= ~(tcflag_t)ECHO;
        t.c_lflag |= ECHONL;
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
        signal(SIGHUP, on_signal);
        tio_saved = 1;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &t);
    }
    fprintf(stderr, "New admin PIN (%d-%d digits): ", PIN_MIN_LEN, PIN_MAX_LEN);
    int rc = read_line(p1, cap);
    if (rc == 0) {
        fprintf(stderr, "The same PIN again: ");
        rc = read_line(p2, cap);
    }
    restore_tty();
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    return rc;
}

/* Run as root, the new or changed files must stay the kiosk user's (the data folder's owner), or
 * the kiosk could no longer write its own database. */
static void keep_owner(const char *dir, const char *db)
{
    struct stat d;
    if (geteuid() != 0 || stat(dir, &d) != 0 || d.st_uid == 0)
        return;
    static const char *const suffixes[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < HL_ARRAY_LEN(suffixes); i++) {
        char p[PATH_MAX + 8];
        if (util_fmt(p, sizeof p, "%s%s", db, suffixes[i]) == 0 &&
            lchown(p, d.st_uid, d.st_gid) != 0 && errno != ENOENT)
            log_plain(LOG_WARN,
                      "hailong-kiosk: set-pin: warning: cannot give %s to the owner of %s: %s\n", p,
                      dir, strerror(errno));
    }
}

int cli_set_pin(int argc, char **argv)
{
    cli_ctx x = {.cmd = "set-pin", .usage = usage, .flags = CLI_DATA_DIR};
    int rc = cli_common_opts(argc, argv, NULL, &x);
    if (rc >= 0)
        return rc;
    if (x.config && x.data_dir)
        return cli_bad_usage(&x, "give --config or --data-dir, not both");
    cfg c;
    if ((rc = cli_load_config(&x, &c)) != 0)
        return rc;

    char p1[64] = "", p2[64] = "";
    char err[HL_ERR_MAX];
    rc = read_pins(p1, p2, sizeof p1);
    if (rc != 0)
        rc = cli_bad_usage(&x, "expected the PIN twice (at a terminal, or as two lines on stdin)");
    else if (!pin_valid(p1))
        rc = cli_bad_usage(&x, "the PIN must be %d to %d digits (0-9) and nothing else",
                           PIN_MIN_LEN, PIN_MAX_LEN);
    else if (strcmp(p1, p2) != 0)
        rc = cli_bad_usage(&x, "the two PINs differ; nothing was changed");
    if (rc != 0) {
        sodium_memzero(p1, sizeof p1);
        sodium_memzero(p2, sizeof p2);
        return rc;
    }

    /* A secondary connection: it may run while the kiosk (the primary) is running. */
    store *s = NULL;
    store_opts so = {.secondary = 1};
    store_rc opened = store_open(&s, c.data_dir, &so, err, sizeof err);
    if (opened != STORE_OK) {
        log_plain(LOG_ERROR, "hailong-kiosk: set-pin: %s\n", err);
        rc = opened == STORE_NEWER_SCHEMA ? HL_EXIT_USAGE : HL_EXIT_RUNTIME;
    } else {
        hl_clock clock = clk_real();
        rc = pin_set(s, p1, clk_wall_ms(&clock), err, sizeof err);
        if (rc != 0)
            log_plain(LOG_ERROR, "hailong-kiosk: set-pin: %s\n", err);
        else
            printf("Admin PIN set in %s; wrong-PIN count and lock-out cleared.\n", store_path(s));
        char db[PATH_MAX];
        util_strlcpy(db, store_path(s), sizeof db);
        store_close(s);
        keep_owner(c.data_dir, db);
    }
    sodium_memzero(p1, sizeof p1);
    sodium_memzero(p2, sizeof p2);
    return rc;
}
