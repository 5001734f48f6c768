/* feedback: the app's side of the feedback form (Góp ý – Phản ánh, issue 12): the draft's life
 * and the one action that stores it. Screens never call the store: they call app_fb_send, as they
 * call app_vote for a vote. */
#include <string.h>

#include "app.h"
#include "log.h"
#include "util.h"

void app_fb_clear(app *a)
{
    /* Zeroed, not only emptied: vk keeps the text before its last change too (vk.prev). */
    memset(&a->fb, 0, sizeof a->fb);
    vk_init(&a->fb.text, 0);
    vk_init(&a->fb.name, 0);
    vk_init(&a->fb.address, 0);
}

void app_fb_start(app *a, const char *kind, const content_officer *officer, const char *vote_uuid)
{
    app_fb_clear(a);
    a->fb.kind = kind;
    a->fb.officer = officer;
    if (vote_uuid)
        util_strlcpy(a->fb.vote_uuid, vote_uuid, sizeof a->fb.vote_uuid);
    a->fb.shift = 1; /* a text starts with a capital */
}

static int blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\n')
            return 0;
    return 1;
}

int app_fb_has_text(const app *a)
{
    return !blank(a->fb.text.text);
}

/* s without its trailing spaces, in out (same size as vk.text). */
static void trim_end(const char *s, char *out, size_t cap)
{
    util_strlcpy(out, s, cap);
    size_t n = strlen(out);
    while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\n'))
        out[--n] = '\0';
}

int app_fb_send(app *a)
{
    app_fb *d = &a->fb;
    if (!d->kind || !app_fb_has_text(a))
        return -1; /* the screens refuse "Gửi" before: nothing to store */
    static char body[sizeof d->text.text], name[sizeof d->name.text],
        address[sizeof d->address.text];
    trim_end(d->text.text, body, sizeof body);
    trim_end(d->name.text, name, sizeof name);
    trim_end(d->address.text, address, sizeof address);
    store_feedback_in in = {.kind = d->kind,
                            .officer_code = d->officer ? d->officer->code : NULL,
                            .vote_uuid = d->vote_uuid[0] ? d->vote_uuid : NULL,
                            .text = body,
                            .consent = d->consent};
    /* Without the citizen's yes no contact byte goes to the store, whatever was typed before a
     * "back" (docs/PRIVACY.md). */
    if (d->consent) {
        in.contact_name = name[0] ? name : NULL;
        in.contact_phone = d->phone[0] ? d->phone : NULL;
        in.contact_address = address[0] ? address : NULL;
    }
    char err[HL_ERR_MAX];
    store_rc rc = store_add_feedback(a->store, a->cfg.kiosk_id, a->boot_id, clk_wall_ms(a->clock),
                                     &in, d->uuid, err, sizeof err);
    memset(body, 0, sizeof body);
    memset(name, 0, sizeof name);
    memset(address, 0, sizeof address);
    if (rc != STORE_OK) {
        /* Honest failure, as for a vote: the citizen is told it was not recorded. The text is not
         * logged: it may name people. */
        log_error("feedback (%s, officer %s) NOT recorded: %s", d->kind,
                  d->officer ? d->officer->code : "-", err);
        a->thanks = THANKS_FEEDBACK_ERROR;
        app_go(a, SCR_THANKS);
        return -1;
    }
    log_msg(LOG_DEBUG, "feedback %s recorded (%s, officer %s, vote %s, consent %d)", d->uuid,
            d->kind, d->officer ? d->officer->code : "-", d->vote_uuid[0] ? d->vote_uuid : "-",
            d->consent);
    sync_poke(a->sync); /* never waits: sets a flag for the sync thread */
    a->thanks = THANKS_FEEDBACK;
    app_go(a, SCR_THANKS);
    return 0;
}
