/* desk: which officer sits at this counter (desk mode): the one chosen on the admin screen, kept
 * in the store's settings so it survives a restart, or else the configuration's. It joins the
 * store and the content, which know nothing of each other. */
#ifndef HL_DESK_H
#define HL_DESK_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "content.h"
#include "store.h"

/* The settings key of the officer chosen on the admin screen. */
#define DESK_KEY_OFFICER "desk_officer"

/* The code chosen on the admin screen into code (cap bytes): 0, or -1 when none was chosen (or
 * it cannot be read). */
int desk_chosen_code(store *st, char *code, size_t cap);
/* The officer chosen on the admin screen, or NULL when none was chosen or the one chosen is no
 * longer in the content (logged: the configuration's is used). */
const content_officer *desk_chosen(store *st, const content *c);
/* Keeps code as the officer at this counter (NULL: back to the configuration's). 0 with *now the
 * officer at the counter from now on (NULL only if the configuration names none), or -1: an
 * unknown code, or the store could not save it (logged). */
int desk_choose(store *st, const content *c, const cfg *cf, const char *code, int64_t now_ms,
                const content_officer **now);

#endif
