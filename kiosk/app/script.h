/* script: replays a scripted session on a fake clock (end-to-end tests, documentation
 * screenshots, demos). One command a line:
 *   tap ID | tapxy X Y | swipe ID | wait MS | expect SCREEN | screenshot FILE.png | quit
 *   sync-wait SECONDS (real time: until the sync thread has sent every vote, else exit 1)
 *   type TEXT (the rest of the line, UTF-8: tapped on the feedback form's on-screen keys)
 *   text TEXT (the rest of the line: SDL_TEXTINPUT events, as a hardware keyboard types Telex)
 * '#' starts a comment. See docs/TESTING.md. */
#ifndef HL_SCRIPT_H
#define HL_SCRIPT_H

#include <stddef.h>

#include "app.h"

/* Runs the script against a (fake-clock) app. Returns 0; HL_EXIT_RUNTIME if a step failed (a tap
 * on a target that is not on screen, an expectation not met); HL_EXIT_USAGE for a bad script.
 * err names the script line. */
int script_run(app *a, const char *path, char *err, size_t errlen);

/* Types utf8 (NFC or not) on the feedback form's on-screen keyboard as a citizen would: each
 * letter's key ("key-a", a vowel key "vow-aa" for â, "key-shift" before a capital), and each
 * word's tone key ("tone-s" ...) after its last letter, where vnkey places it. Letters, digits,
 * space, ',' and '.' only. 0, or -1 with why (a character without a key, a key not on screen). */
int script_type_keys(app *a, const char *utf8, char *why, size_t whylen);

#endif
