/* golden: golden screenshot comparison for the UI tests. References live in
 * $HL_TEST_SRC/golden/<name>.png and are only rewritten on purpose (HAILONG_UPDATE_GOLDEN=1). */
#ifndef HL_GOLDEN_H
#define HL_GOLDEN_H

#include <SDL.h>

/* A pixel differs when any channel differs by more than this. */
#define GOLDEN_CHANNEL_TOL 24
/* The image fails when more than this share of its pixels differ (0.1 %). */
#define GOLDEN_MAX_DIFF_PERMILLE 1

/* Compares actual with the reference PNG of that name. Returns 1 if it matches (or the reference
 * was just written because HAILONG_UPDATE_GOLDEN=1), 0 otherwise, printing why; on a mismatch it
 * writes golden-fail/<name>.actual.png and golden-fail/<name>.diff.png under the current
 * directory. actual is not freed. */
int golden_check(SDL_Surface *actual, const char *name);

#endif
