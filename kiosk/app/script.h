/* script: replays a scripted session on a fake clock (end-to-end tests, documentation
 * screenshots, demos). One command a line:
 *   tap ID | tapxy X Y | swipe ID | wait MS | expect SCREEN | screenshot FILE.png | quit
 *   sync-wait SECONDS (real time: until the sync thread has sent every vote, else exit 1)
 * '#' starts a comment. See docs/TESTING.md. */
#ifndef HL_SCRIPT_H
#define HL_SCRIPT_H

#include <stddef.h>

#include "app.h"

/* Runs the script against a (fake-clock) app. Returns 0; HL_EXIT_RUNTIME if a step failed (a tap
 * on a target that is not on screen, an expectation not met); HL_EXIT_USAGE for a bad script.
 * err names the script line. */
int script_run(app *a, const char *path, char *err, size_t errlen);

#endif
