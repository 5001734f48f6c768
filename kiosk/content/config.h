/* config: the kiosk's INI file (parsed by inih). Every key has a default; docs/CONFIG.md lists
 * them all. No SDL. */
#ifndef HL_CONFIG_H
#define HL_CONFIG_H

#include <limits.h>
#include <stddef.h>

typedef enum { CFG_MODE_DESK, CFG_MODE_LOBBY } cfg_mode;
/* [display] renderer: auto picks SDL's software renderer when the only OpenGL is a software
 * rasteriser (Mesa's llvmpipe, softpipe, swrast), else the accelerated one. */
typedef enum { CFG_RENDERER_AUTO, CFG_RENDERER_SOFTWARE, CFG_RENDERER_ACCELERATED } cfg_renderer;

#define CFG_MAX_SLOGANS 16

typedef struct {
    /* [kiosk] */
    char kiosk_id[64];          /* id = ... (letters, digits, '-', '_'; default "demo-01") */
    cfg_mode mode;              /* mode = desk | lobby (default lobby: desk needs the officer) */
    char counter[32];           /* counter = ... desk mode: which counter this kiosk stands at */
    char officer[32];           /* officer = CODE desk mode: officer now at the counter */
    char data_dir[PATH_MAX];    /* data_dir = ... where votes.db lives (default ./data) */
    char content_dir[PATH_MAX]; /* content_dir = ... JSON content (default <assets>/content) */
    char assets_dir[PATH_MAX];  /* assets_dir = ... fonts/ and ui/ (default: bundled assets) */
    /* [display] */
    int fullscreen;        /* fullscreen = true|false (default true) */
    int width, height;     /* width/height = window size when not fullscreen (1280x800) */
    cfg_renderer renderer; /* renderer = auto | software | accelerated (default auto) */
    /* [timing], all in seconds */
    int idle_timeout_s;    /* idle_timeout = 90: Home -> attract screen */
    int screen_timeout_s;  /* screen_timeout = 45: any inner screen -> Home */
    int reading_timeout_s; /* reading_timeout = 120: procedures, fees, directory -> Home */
    int thanks_s;          /* thanks_duration = 6: thank-you / error screen */
    /* apology_duration = 14: the apology after "Chưa hài lòng", which has more to read (hotline,
     * the Chairman's reception days, the way to the feedback form) */
    int apology_s;
    int followup_timeout_s;  /* followup_timeout = 25: reasons screen gives up on its own */
    int response_interval_s; /* response_interval = 5: presses closer than this are misuse */
    int slogan_rotate_s;     /* slogan_rotate = 10: slogan panel rotation */
    int attract_shift_s;     /* attract_shift = 60: attract screen moves this often */
    /* [content] */
    int n_slogans; /* slogans = id, id, ... which slogans rotate (default: the 3) */
    char slogans[CFG_MAX_SLOGANS][32];
    /* [sync] sending votes to hailong-collector; off while url is empty (the default) */
    char sync_url[512];             /* url = https://collector.example.vn (base URL) */
    char sync_token[256];           /* token = ... the kiosk's token (prefer token_file) */
    char sync_token_file[PATH_MAX]; /* token_file = file holding the token, read at start */
    char sync_ca_file[PATH_MAX];    /* ca_file = PEM CA bundle of a private CA (default: system) */
    int sync_batch_max;             /* batch_max = 500: votes per batch (1-500) */
    int sync_start_delay_max_s;     /* start_delay_max = 30: random delay before the first send */
    /* Test keys (documented, not for production): backoff_base_ms = 5000, backoff_cap_ms =
     * 300000 (the retry wait's first ceiling and its cap) and request_timeout_ms = 120000 (a
     * whole request), so fault tests need not wait minutes. */
    int sync_backoff_base_ms, sync_backoff_cap_ms, sync_request_timeout_ms;
    int sync_heartbeat_s; /* heartbeat = 300: a health report at least this often; 0 = never */
    /* Not a key: the file cfg_load last read ("" for pure defaults), so later checks such as
     * content_check_config can name it in their messages. */
    char source[PATH_MAX];
} cfg;

/* Fills every field with its default. assets_dir defaults to HAILONG_ASSETS from the
 * environment, else ../share/hailong beside the running executable (/usr/share/hailong when
 * installed in /usr/bin; docs/CONFIG.md, "Assets lookup"). The config's assets_dir overrides. */
void cfg_defaults(cfg *c);

/* Loads path over the current values. Returns 0, or HL_EXIT_USAGE with err set to
 * "FILE:LINE: [section] key: what is wrong; what to do" and c left unchanged. A missing file is
 * an error. Relative paths in the file are resolved against the file's own directory; when the
 * file sets assets_dir but not content_dir, content_dir follows to <assets_dir>/content.
 * Checks that need the content (slogan ids exist, desk mode's officer/counter) are in
 * content_check_config(). */
int cfg_load(cfg *c, const char *path, char *err, size_t errlen);
/* cfg_load over the file's text already in memory (len bytes; the fuzzer, tests): path is named in
 * messages and relative paths are resolved against its directory, but nothing is read. */
int cfg_parse(cfg *c, const char *path, const char *buf, size_t len, char *err, size_t errlen);

/* The kiosk's token for the collector: [sync] token, or the first line of token_file read now.
 * Returns 0, or HL_EXIT_USAGE with err naming the file and the fix. */
int cfg_sync_token(const cfg *c, char *out, size_t cap, char *err, size_t errlen);

/* "desk" or "lobby". */
const char *cfg_mode_name(cfg_mode m);
/* "auto", "software" or "accelerated". */
const char *cfg_renderer_name(cfg_renderer r);

#endif
