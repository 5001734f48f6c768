/* rating: the three levels a citizen chooses from, as the commune's plan names them. Both
 * programs show them (kiosk screens and exports, the collector's reports). */
#ifndef HL_RATING_H
#define HL_RATING_H

enum { RATING_UNHAPPY = 1, RATING_HAPPY = 2, RATING_VERY_HAPPY = 3 };

/* "Rất hài lòng", "Hài lòng", "Chưa hài lòng" for 3, 2, 1; "" for anything else. */
const char *rating_label(int rating);

#endif
