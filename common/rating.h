/* rating: the three levels a citizen chooses from, as the commune's plan names them. Both
 * programs show them (kiosk screens and exports, the collector's reports). */
#ifndef HL_RATING_H
#define HL_RATING_H

enum { RATING_UNHAPPY = 1, RATING_HAPPY = 2, RATING_VERY_HAPPY = 3 };

/* "Rất hài lòng", "Hài lòng", "Chưa hài lòng" for 3, 2, 1; "" for anything else. */
const char *rating_label(int rating);

/* The officer code of a vote for the desk as a whole, when the citizen did not remember who served
 * them ("Không nhớ tên cán bộ"). Content officers' codes may not start with '_', so it can never
 * name a person; collectors of any version accept it (a valid code on the wire). */
#define RATING_DESK_CODE  "_desk"
#define RATING_DESK_LABEL "Không nhớ tên cán bộ"

/* The name shown for officer code `code`: RATING_DESK_LABEL for RATING_DESK_CODE, else `name`
 * when it is non-empty, else the code itself. */
const char *rating_officer_name(const char *code, const char *name);

#endif
