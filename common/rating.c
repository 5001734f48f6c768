/* rating: the labels of the three levels (see rating.h). */
#include "rating.h"

#include <string.h>

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

const char *rating_officer_name(const char *code, const char *name)
{
    if (code && strcmp(code, RATING_DESK_CODE) == 0)
        return RATING_DESK_LABEL;
    return name && *name ? name : code ? code : "";
}
