/* pfx: procedures for the proc tests (test_proc, test_proc_import): the text of a valid
 * procedures.json record and CSV row to build documents from, and the sample CSV of
 * docs/PROCEDURES.md. */
#ifndef HL_PFX_H
#define HL_PFX_H

#include "proc.h"

/* procedures.json: one document, the fields after "field", a record, the one field. */
#define PFX_DOC_A "{\"name\": \"Tờ khai\", \"copies\": \"01 bản chính\"}"
#define PFX_PROC_TAIL                                                                                          \
    "\"level\": \"Cấp xã\", \"time_limit\": \"Trong ngày\", \"fees\": \"Miễn phí\", "                   \
    "\"documents\": [" PFX_DOC_A "], \"steps\": [\"Bước 1: Nộp hồ sơ\"], \"where\": \"Một cửa\", " \
    "\"legal_basis\": [\"Luật Hộ tịch năm 2014\"], \"online\": \"full\", \"url\": \"\""
#define PFX_PROC(id, name)                                                                         \
    "{\"id\": \"" id "\", \"code\": \"\", \"name\": \"" name "\", \"field\": "                     \
    "\"ho-tich\", " PFX_PROC_TAIL "}"
#define PFX_FIELDS "\"fields\": [{\"id\": \"ho-tich\", \"name\": \"Hộ tịch\"}]"
/* CSV: the header row; a good row, the cells after the id. */
#define PFX_CSV_HDR                                                                                \
    "id,code,name,field_id,field_name,level,time_limit,fees,documents,steps,where,"                \
    "legal_basis,online,url\n"
#define PFX_CSV_ROW_REST                                                                           \
    ",,Khai sinh,ho-tich,Hộ tịch,Cấp xã,Trong ngày,Miễn phí,Tờ khai,Nộp,Một cửa,,full,\n"

/* tests/data/procedures-sample.csv ($HL_TEST_SRC, ctest sets it): Excel's "CSV UTF-8". */
const char *pfx_sample_csv(void);
/* The sample parsed; NULL after printing why. */
proc_set *pfx_load_sample(void);

#endif
