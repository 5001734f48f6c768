/* proc_roundtrip: the check fuzz_proc_json and fuzz_proc_csv share: what the import writes
 * (proc_to_json) the kiosk reads back (proc_parse_json) as the same procedures. */
#ifndef HL_FUZZ_PROC_ROUNDTRIP_H
#define HL_FUZZ_PROC_ROUNDTRIP_H

#include "proc.h"

/* Aborts when s does not survive the trip, or holds something the screens cannot show. */
void proc_roundtrip(const proc_set *s);

#endif
