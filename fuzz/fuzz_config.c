/* fuzz_config: libFuzzer target for the kiosk's INI file through cfg_parse, the parser cfg_load
 * uses. Checks that a refused file leaves the configuration untouched and names the file, and
 * that an accepted one holds only values the rest of the kiosk can take. Reads and writes no
 * file (token_file and ca_file are only named, never opened here). */
#include "config.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PATH "/nonexistent/hl-fuzz/kiosk.ini"

static int is_code(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
            return 0;
    return 1;
}

static int in(int v, int lo, int hi)
{
    return v >= lo && v <= hi;
}

/* Every char array ends inside itself; a path read from the file is absolute. */
#define TERMINATED(f) (memchr((f), '\0', sizeof(f)) != NULL)
static int path_ok(const char *p, const char *dflt)
{
    return strcmp(p, dflt) == 0 || p[0] == '/';
}

static void check_accepted(const cfg *c, const cfg *base)
{
    if (!TERMINATED(c->kiosk_id) || !TERMINATED(c->counter) || !TERMINATED(c->officer) ||
        !TERMINATED(c->data_dir) || !TERMINATED(c->content_dir) || !TERMINATED(c->assets_dir) ||
        !TERMINATED(c->sync_url) || !TERMINATED(c->sync_token) || !TERMINATED(c->sync_token_file) ||
        !TERMINATED(c->sync_ca_file) || !TERMINATED(c->source))
        abort();
    if (!is_code(c->kiosk_id, sizeof c->kiosk_id - 1) ||
        (c->officer[0] && !is_code(c->officer, 31)))
        abort();
    if (c->mode != CFG_MODE_DESK && c->mode != CFG_MODE_LOBBY)
        abort();
    if (!path_ok(c->data_dir, base->data_dir) || !path_ok(c->assets_dir, base->assets_dir) ||
        !c->content_dir[0] || (c->sync_token_file[0] && c->sync_token_file[0] != '/') ||
        (c->sync_ca_file[0] && c->sync_ca_file[0] != '/'))
        abort();
    if ((c->fullscreen != 0 && c->fullscreen != 1) || !in(c->width, 320, 7680) ||
        !in(c->height, 240, 4320) || !in(c->idle_timeout_s, 10, 3600) ||
        !in(c->screen_timeout_s, 10, 600) || !in(c->reading_timeout_s, 10, 1800) ||
        !in(c->thanks_s, 2, 60) || !in(c->followup_timeout_s, 5, 300) ||
        !in(c->response_interval_s, 0, 600) || !in(c->slogan_rotate_s, 3, 600) ||
        !in(c->attract_shift_s, 5, 3600) || !in(c->sync_batch_max, 1, 500) ||
        !in(c->sync_start_delay_max_s, 0, 3600) || !in(c->sync_backoff_base_ms, 1, 600000) ||
        !in(c->sync_backoff_cap_ms, 1, 3600000) || !in(c->sync_request_timeout_ms, 100, 600000))
        abort();
    if (!in(c->n_slogans, 1, CFG_MAX_SLOGANS))
        abort();
    for (int i = 0; i < c->n_slogans; i++) {
        if (!TERMINATED(c->slogans[i]) || !is_code(c->slogans[i], sizeof c->slogans[i] - 1))
            abort();
        for (int k = 0; k < i; k++)
            if (strcmp(c->slogans[k], c->slogans[i]) == 0)
                abort();
    }
    /* Sync on needs a token (the header it goes in takes printable ASCII only) and an address
     * without spaces, query or credentials. */
    if (c->sync_url[0] && !c->sync_token[0] && !c->sync_token_file[0])
        abort();
    if (c->sync_token[0] && c->sync_token_file[0])
        abort();
    for (const char *t = c->sync_token; *t; t++)
        if (*t <= ' ' || *t > '~')
            abort();
    if (c->sync_url[0] && strncmp(c->sync_url, "http://", 7) != 0 &&
        strncmp(c->sync_url, "https://", 8) != 0)
        abort();
    if (strpbrk(c->sync_url, " ?#\r\n\t"))
        abort();
    if (strcmp(c->source, PATH) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static cfg base;
    static int have_base;
    if (!have_base) {
        cfg_defaults(&base); /* reads the environment and /proc/self/exe: once */
        have_base = 1;
    }
    cfg c = base;
    char err[HL_ERR_MAX] = "";
    if (cfg_parse(&c, PATH, (const char *)data, size, err, sizeof err) == 0)
        check_accepted(&c, &base);
    else if (memcmp(&c, &base, sizeof c) != 0 || strncmp(err, PATH, sizeof PATH - 1) != 0)
        abort(); /* refused: nothing changed, and the message names the file */
    return 0;
}
