/* screens: the table of every screen, indexed by scr_id. main hands it to app_create, so the app
 * itself never names a screen (it knows them only as pointers). */
#include "screens.h"

const screen *const scr_table[SCR_COUNT] = {
    [SCR_HOME] = &scr_home,
    [SCR_PICK] = &scr_pick,
    [SCR_RATE] = &scr_rate,
    [SCR_REASONS] = &scr_reasons,
    [SCR_THANKS] = &scr_thanks,
    [SCR_ATTRACT] = &scr_attract,
    [SCR_PROCS] = &scr_procs,
    [SCR_PROC_LIST] = &scr_proc_list,
    [SCR_PROC] = &scr_proc,
    [SCR_SEARCH] = &scr_search,
    [SCR_FEES] = &scr_fees,
    [SCR_DIRECTORY] = &scr_directory,
    [SCR_FB_KIND] = &scr_fb_kind,
    [SCR_FB_OFFICER] = &scr_fb_officer,
    [SCR_FB_TEXT] = &scr_fb_text,
    [SCR_FB_CONSENT] = &scr_fb_consent,
    [SCR_FB_CONTACT] = &scr_fb_contact,
    [SCR_PIN] = &scr_pin,
    [SCR_ADMIN] = &scr_admin,
    [SCR_ADMIN_OFFICER] = &scr_admin_officer,
    [SCR_ADMIN_EXPORT] = &scr_admin_export,
};
