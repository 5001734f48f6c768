/* desk: the officer at this counter, from the admin screen's choice or the configuration. */
#include "desk.h"

#include "log.h"

int desk_chosen_code(store *st, char *code, size_t cap)
{
    if (store_setting_get(st, DESK_KEY_OFFICER, code, cap) != STORE_OK) {
        if (cap)
            code[0] = '\0';
        return -1;
    }
    return 0;
}

const content_officer *desk_chosen(store *st, const content *c)
{
    char code[64];
    if (store_setting_get(st, DESK_KEY_OFFICER, code, sizeof code) != STORE_OK)
        return NULL;
    const content_officer *o = content_find_officer(c, code);
    if (!o)
        log_warn("desk officer \"%s\" chosen on the admin screen is no longer in officers.json; "
                 "using the configuration's",
                 code);
    return o;
}

int desk_choose(store *st, const content *c, const cfg *cf, const char *code, int64_t now_ms,
                const content_officer **now)
{
    const content_officer *o = code ? content_find_officer(c, code) : NULL;
    if (code && !o)
        return -1;
    const char *keys[] = {DESK_KEY_OFFICER};
    const char *vals[] = {code};
    if (store_settings_put(st, keys, vals, 1, now_ms) != STORE_OK) {
        log_error("admin: cannot save the desk officer: %s", store_last_error(st));
        return -1;
    }
    if (!o)
        o = content_desk_officer(c, cf);
    log_info("admin: the officer at this counter is now %s%s", o ? o->code : "(none)",
             code ? "" : " (from the configuration)");
    *now = o;
    return 0;
}
