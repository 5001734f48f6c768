/* fuzz_content: libFuzzer target for the commune's content files (commune.json, slogans.json,
 * officers.json, reasons.json) through content_parse, the loader content_load uses. The first
 * byte picks the file the rest of the input replaces; the other three are small valid files, so
 * that every file's checks are reached. Nothing is read or written but photos' existence. */
#include "content.h"
#include "log.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DIR "/nonexistent/hl-fuzz/content"

static const char *const valid[CONTENT_N_FILES] = {
    [CONTENT_COMMUNE] =
        "{\"format\":1,\"commune_name\":\"UBND xã Bom Bo\",\"desk_name\":\"Một cửa\","
        "\"messages\":{\"rate_prompt\":\"a\",\"pick_prompt\":\"b\",\"reasons_prompt\":\"c\","
        "\"thanks_title\":\"d\",\"thanks_text\":\"e\",\"apology_title\":\"f\","
        "\"apology_text\":\"g\",\"error_title\":\"h\",\"error_text\":\"i\"}}",
    [CONTENT_SLOGANS] = "{\"format\":1,\"slogans\":[{\"id\":\"nam-biet\",\"title\":\"Năm "
                        "biết\",\"text\":\"Biết nghe dân nói\"}]}",
    [CONTENT_OFFICERS] = "{\"format\":1,\"officers\":[{\"code\":\"vp-lan\",\"name\":\"Lan\","
                         "\"title\":\"Văn phòng\",\"counter\":\"1\",\"photo\":\"p/x.svg\"}]}",
    [CONTENT_REASONS] = "{\"format\":1,\"reasons\":[{\"code\":\"cham-tre\",\"label\":\"Chậm\"}]}",
};

static int is_code(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > CONTENT_CODE_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
            return 0;
    return 1;
}

/* What the screens rely on once the content loaded. */
static void check_loaded(const content *c)
{
    if (!c->commune_name[0] || !c->desk_name[0] || !c->address || !c->feedback ||
        !c->msg.error_text[0] || c->n_officers < 1 || c->n_slogans < 1 ||
        c->n_reasons > CONTENT_MAX_REASONS)
        abort();
    for (size_t i = 0; i < c->n_officers; i++) {
        const content_officer *o = &c->officers[i];
        if (!is_code(o->code) || !o->name[0] || !o->title[0] || strlen(o->counter) > 31 ||
            !o->phone || !o->duties || content_find_officer(c, o->code) != o)
            abort();
    }
    for (size_t i = 0; i < c->n_slogans; i++)
        if (!is_code(c->slogans[i].id) || !c->slogans[i].text[0] ||
            content_find_slogan(c, c->slogans[i].id) != &c->slogans[i])
            abort();
    for (size_t i = 0; i < c->n_reasons; i++)
        if (!is_code(c->reasons[i].code) || !c->reasons[i].label[0] ||
            content_find_reason(c, c->reasons[i].code) != &c->reasons[i])
            abort();

    /* The config checks quote the files' codes in their messages. */
    static cfg base;
    static int have_base;
    if (!have_base) {
        cfg_defaults(&base);
        have_base = 1;
    }
    cfg conf = base;
    char err[HL_ERR_MAX];
    content_check_config(c, &conf, err, sizeof err);
    conf.n_slogans = 1;
    util_strlcpy(conf.slogans[0], c->slogans[0].id, sizeof conf.slogans[0]);
    if (content_check_config(c, &conf, err, sizeof err) != 0)
        abort(); /* lobby mode with a slogan that exists */
    conf.mode = CFG_MODE_DESK;
    util_strlcpy(conf.counter, c->officers[0].counter, sizeof conf.counter);
    if (content_check_config(c, &conf, err, sizeof err) == 0 && !content_desk_officer(c, &conf))
        abort();
    util_strlcpy(conf.officer, c->officers[c->n_officers - 1].code, sizeof conf.officer);
    if (content_check_config(c, &conf, err, sizeof err) == 0 &&
        content_desk_officer(c, &conf) != &c->officers[c->n_officers - 1])
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int quiet;
    if (!quiet) {
        log_set_level(LOG_ERROR); /* missing photos are warnings: keep the fuzzer's output */
        quiet = 1;
    }
    if (size < 1)
        return 0;
    int which = data[0] % CONTENT_N_FILES;
    /* jv_parse wants the text NUL-terminated, as util_read_file leaves it. */
    char *text = xmalloc(size);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    content_text files[CONTENT_N_FILES];
    for (int i = 0; i < CONTENT_N_FILES; i++) {
        files[i].text = i == which ? text : valid[i];
        files[i].len = i == which ? size - 1 : strlen(valid[i]);
    }
    content *c = NULL;
    char err[HL_ERR_MAX] = "";
    if (content_parse(&c, DIR, files, err, sizeof err) == 0) {
        if (!c)
            abort();
        check_loaded(c);
        content_free(c);
    } else if (c || strncmp(err, DIR "/", sizeof DIR) != 0) {
        abort(); /* a failure leaves nothing and names its file */
    }
    free(text);
    return 0;
}
