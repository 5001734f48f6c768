/* screens: every screen of the kiosk, for app_opts.screens. */
#ifndef HL_SCREENS_H
#define HL_SCREENS_H

#include "screen.h"

extern const screen scr_home, scr_pick, scr_rate, scr_reasons, scr_thanks, scr_attract, scr_procs,
    scr_proc_list, scr_proc, scr_search, scr_fees, scr_directory, scr_pin, scr_admin,
    scr_admin_officer, scr_admin_export, scr_fb_kind, scr_fb_officer, scr_fb_text, scr_fb_consent,
    scr_fb_contact;

/* Indexed by scr_id; every entry set. */
extern const screen *const scr_table[SCR_COUNT];

#endif
