/* rating: the labels of the three levels (see rating.h). */
#include "rating.h"

const char *rating_label(int rating)
{
    switch (rating) {
    case RATING_VERY_HAPPY:
        return "Rất hài lòng";
    case RATING_HAPPY:
        return "Hài lòng";
    case RATING_UNHAPPY:
        return "Chưa hài lòng";
    default:
        return "";
    }
}
