/* app_int.h: what the files of kiosk/app share beyond app.h. Private to kiosk/app/. */
#ifndef HL_APP_INT_H
#define HL_APP_INT_H

#include "app.h"

/* SDL, the window and the renderer [display] renderer asks for (window.c). 0 or HL_EXIT_RUNTIME
 * with err set. */
int app_create_window(app *a, const app_opts *o, char *err, size_t errlen);

#endif
