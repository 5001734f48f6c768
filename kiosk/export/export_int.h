/* export_int.h: what the export's files share and no one else sees: one vote export's state,
 * buffered output, votes as text, the summary read. Included only by kiosk/export/export*.c; the
 * API is export.h. */
#ifndef HL_EXPORT_INT_H
#define HL_EXPORT_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "atomic_file.h"
#include "buf.h"
#include "export.h"
#include "store_read.h"

#define EXPORT_MISUSE_LINE                                                                         \
    "Số lượt bấm bị đánh dấu bất thường (bấm lặp trong thời gian ngắn), không tính: "
/* The share's column, named so that no one takes it for the official indicator of Quyết định
 * 766/QĐ-TTg. */
#define EXPORT_SHARE_HEAD "Tỷ lệ hài lòng (máy đánh giá)"
/* Citizens' proposals to commend the officer (feedback "bieu-duong" typed on the kiosk). */
#define EXPORT_COMMEND_HEAD "Đề nghị biểu dương"
#define EXPORT_NOTE_FORMULA                                                                                           \
    EXPORT_SHARE_HEAD " = (Rất hài lòng + Hài lòng) / Tổng số phiếu được tính (không kể lượt " \
                      "bấm bất thường)."
#define EXPORT_REPORT_TITLE  "BÁO CÁO KẾT QUẢ ĐÁNH GIÁ MỨC ĐỘ HÀI LÒNG"
#define EXPORT_REASONS_TITLE "LÝ DO CHƯA HÀI LÒNG"
#define EXPORT_NO_REASON     "Không nêu lý do"
/* Quốc hiệu and tiêu ngữ, the signers and what they write under their title. */
#define EXPORT_QUOC_HIEU   "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
#define EXPORT_TIEU_NGU    "Độc lập - Tự do - Hạnh phúc"
#define EXPORT_SIGN_MAKER  "NGƯỜI LẬP BIỂU"
#define EXPORT_SIGN_HEAD   "THỦ TRƯỞNG CƠ QUAN"
#define EXPORT_SIGN_NOTE   "(Ký, ghi rõ họ tên)"
#define EXPORT_REASON_HEAD "Tỷ lệ trên số phiếu chưa hài lòng"
/* Rows between progress calls (and checks that the output folder is still there). */
#define EXPORT_PROGRESS_EVERY 4096
/* The end of the atomic file's failure messages ("... plug it in again and repeat the export"). */
#define EXPORT_REDO "repeat the export"

/* ---- dates, numbers and text (export_data.c) ---- */

/* Excel's serial date-time of the Vietnam local time, in whole seconds. */
double export_excel_serial(int64_t utc_ms);
/* "dd/mm/yyyy HH:MM:SS" in Vietnam time. */
void export_fmt_local_dt(int64_t utc_ms, char out[20]);
/* "dd/mm/yyyy". */
void export_fmt_date(export_date d, char out[11]);
/* "Thời gian: từ <from> đến <to> (giờ Việt Nam)". */
void export_period_text(export_date from, export_date to, char *out, size_t cap);
void export_fmt_i64(char *out, size_t cap, int64_t v);
/* Display width of UTF-8 text in a terminal (Vietnamese letters are one column each). */
size_t export_text_width(const char *s);

/* ---- periods and the document's header (export_period.c) ---- */

int export_period_is_nd09(export_period p);
/* s in upper case ("UBND xã Bom Bo" -> "UBND XÃ BOM BO"), malloc'ed. */
char *export_upper(const char *s);

/* The header of an administrative document: on the left the body (content's commune_name and
 * desk_name, upper-case), on the right the Quốc hiệu and tiêu ngữ; and the date written above the
 * signatures. */
typedef struct {
    char *left[2];
    const char *right[2];
    char date[48]; /* "Ngày 02 tháng 12 năm 2026", or dots to fill in by hand */
} export_head;
void export_head_init(export_head *h, const content *c, int64_t made_at_ms);
void export_head_free(export_head *h);

/* The lines under the officers' table: the share is not the official indicator, its formula,
 * the misuse count. Free each. */
enum { EXPORT_N_NOTES = 3 };
void export_note_lines(const content *c, const export_summary *s, char *lines[EXPORT_N_NOTES]);
/* The line above the reasons' table: how many "chưa hài lòng" votes the shares are of. */
void export_reasons_intro(const export_summary *s, char *out, size_t cap);

/* ---- buffered output to a descriptor or a FILE, remembering the first error ---- */

typedef struct {
    int fd;
    FILE *fp;
    char *buf;
    size_t len, cap;
    int err; /* errno of the first failure, 0 if none */
} export_wbuf;

/* Writes to fp when it is not NULL, else to fd. */
void export_wb_init(export_wbuf *w, int fd, FILE *fp);
void export_wb_flush(export_wbuf *w);
void export_wb_put(export_wbuf *w, const char *s, size_t n);
void export_wb_free(export_wbuf *w);
/* One CSV row (RFC 4180), NULL cells empty, ending in CRLF. */
void export_csv_row(export_wbuf *w, const char *const *cells, size_t n);

/* ---- one vote as text: the join with the content's names (export_data.c) ---- */

enum {
    V_UUID,
    V_KIOSK,
    V_SEQ,
    V_CODE,
    V_NAME,
    V_RATING,
    V_LABEL,
    V_REASONS,
    V_TIME,
    V_MISUSE,
    V_SYNC,
    V_NCOLS
};
extern const char *const export_vote_headers[V_NCOLS];

/* Names looked up for consecutive rows, remembered because runs of one officer or one reason list
 * are common. */
typedef struct {
    const content *c;
    char last_code[64];
    const char *last_name;
    buf unknown;      /* the last unknown officer's name */
    buf reasons;      /* labels of the last reasons JSON */
    buf last_json;    /* that JSON */
    int have_reasons; /* last_json/reasons are valid */
} export_names;

/* The officer's name, or "<code> (không còn trong danh sách)". Valid until the next call. */
const char *export_officer_name(export_names *x, const char *code);
/* A vote's sync state as IT staff read it in a spreadsheet: "Đã gửi", "Chưa gửi", "Chờ hoàn tất"
 * (reasons still being chosen), "Máy chủ từ chối" (quarantined); an unknown state as stored. */
const char *export_sync_label(const char *state);
/* The reasons' labels joined with "; " (see export_data.c). Valid until the next call. */
const char *export_reasons_text(export_names *x, const char *json);
void export_names_free(export_names *x);

/* ---- the vote database (export_data.c) ---- */

/* Opens the reader (store_read.h) on db, a data folder or a votes.db, and counts the votes of
 * [from_ms, to_ms) into *total unless total is NULL. 0, HL_EXIT_USAGE when no folder is named (a
 * command-line mistake) or HL_EXIT_RUNTIME, with err set; *out is to be closed either way. The
 * reader's other calls fail with STORE_ERROR, which the export returns as HL_EXIT_RUNTIME. */
int export_db_open(store_reader **out, const char *db, int64_t from_ms, int64_t to_ms,
                   int64_t *total, char *err, size_t errlen);

/* ---- the summary (export_data.c) ---- */

/* Fills s with the votes of [from_ms, to_ms) per officer and level, read through r. 0 or
 * HL_EXIT_RUNTIME; s is to be freed (export_summary_free) either way. */
int export_summary_read(store_reader *r, const content *c, int64_t from_ms, int64_t to_ms,
                        export_summary *s, char *err, size_t errlen);

/* Starts the reasons tally of s (content's reasons, zero) and adds one vote to it (counted
 * "chưa hài lòng" votes only; other votes are ignored). */
void export_reasons_begin(export_summary *s, const content *c);
void export_reasons_add(export_summary *s, const store_read_vote *v);
/* Sorts the codes no longer in the content, after the walk. */
void export_reasons_end(export_summary *s);
/* The tally of the votes of [s->from_ms, s->to_ms) read through r. 0 or HL_EXIT_RUNTIME. */
int export_reasons_read(store_reader *r, const content *c, export_summary *s, char *err,
                        size_t errlen);

/* ---- one vote export (export.c) ---- */

typedef struct {
    const export_votes_opts *o;
    atomic_file af;
    store_reader *db;
    int64_t from_ms, to_ms, total, done;
    export_names rx;
    export_result res;
} export_job;

/* Calls the progress callback and checks that the output folder is still there. */
int export_job_tick(export_job *j, char *err, size_t errlen);
/* Counts one vote read (done, counted or misuse); 1 when it is to be written. */
int export_job_take(export_job *j, const store_read_vote *v);

/* What a votes walk's callback (store_reader_votes) needs besides its format's own state. */
typedef struct {
    export_job *j;
    int rc; /* export_job_tick's failure, which stopped the walk */
    char *err;
    size_t errlen;
} export_walk;
/* At the end of the callback: every EXPORT_PROGRESS_EVERY votes, export_job_tick. Returns w->rc,
 * nonzero (stop the walk) once the tick failed. */
int export_walk_tick(export_walk *w);

/* The votes as CSV into j->af (export_csv.c). */
int export_csv_votes(export_job *j, char *err, size_t errlen);
/* The votes and the summary sheet as XLSX into j->af (export_xlsx.c). */
int export_xlsx_votes(export_job *j, char *err, size_t errlen);
/* A workbook of one summary sheet into af (export_xlsx.c). */
int export_xlsx_report(atomic_file *af, const char *sheet, const char *title, const content *c,
                       const char *period, const export_summary *s, int64_t made_at_ms, char *err,
                       size_t errlen);

/* ---- the monthly report as text or CSV (export_report.c) ---- */

void export_report_text(buf *d, const export_report_opts *o, const export_summary *s,
                        const char *title, const char *period);
void export_report_csv(export_wbuf *w, const export_report_opts *o, const export_summary *s,
                       const char *title, const char *period);

#endif
