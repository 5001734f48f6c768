/* letter: the Chairman's letters of the commune's plan (Kế hoạch "Chính quyền thân thiện", 2.3):
 * "thư xin lỗi" when an error or a delay that citizens reported caused them trouble, "thư cảm ơn"
 * to those who contributed. Three parts, no server code:
 *   letter.c           one A4 page of PDF laid out per Nghị định 30/2020/NĐ-CP (pango + cairo,
 *                      fonts embedded, loaded from our own files, never the machine's)
 *   letter_fill.c      the commune's templates: {placeholder} replaced by values
 *   letter_register.c  the register of letters sent ("Sổ đăng ký thư") as XLSX
 * Prefix: letter_.
 *
 * Templates (assets/letters/xin-loi.txt, assets/letters/cam-on.txt) are UTF-8 text the commune
 * may edit: paragraphs separated by a blank line, {name} replaced by a value, {{ for a literal
 * "{". The placeholders a caller provides for every letter (letter_placeholders lists them; a
 * template may use any of them, the defaults use those marked):
 *   {danh_xung}         how the body addresses the recipient: "Ông", "Bà"          (both)
 *   {nguoi_nhan}        the recipient's full name: "Nguyễn Thị Hường"          (neither)
 *   {ten_xa}            the commune's name without "xã": "Bom Bo"                  (both)
 *   {ngay_phan_anh}     the date of the citizen's feedback: "20/11/2026"           (both)
 *   {noi_dung_tom_tat}  what the feedback was about, a noun phrase after "về":
 *                       "việc trả kết quả chứng thực chậm hai ngày so với giấy hẹn" (both)
 *   {can_bo}            the officer concerned, with their post:
 *                       "bà Lê Thị Mai, công chức Văn phòng - Thống kê"           (cam-on)
 *   {bien_phap}         what the commune has done about it, after "như sau:"      (xin-loi)
 */
#ifndef HL_LETTER_H
#define HL_LETTER_H

#include <stddef.h>

typedef enum { LETTER_XIN_LOI, LETTER_CAM_ON } letter_kind;

/* The names of the placeholders above, in that order (without braces). */
extern const char *const letter_placeholders[];
extern const size_t letter_n_placeholders;

/* One letter. Text is UTF-8 (checked: a bad field is an error naming it). NULL fields marked
 * "optional" take the default shown. */
typedef struct {
    letter_kind kind; /* the title: "THƯ XIN LỖI" or "THƯ CẢM ƠN" */
    /* The folder with NotoSerif-{Regular,Bold,Italic,BoldItalic}.ttf: the collector passes
     * <its assets dir>/fonts, the tests ${CMAKE_SOURCE_DIR}/assets/fonts. */
    const char *font_dir;
    const char *issuer;     /* optional: "Ủy ban nhân dân" (written in capitals) */
    const char *unit;       /* "Xã Bom Bo" (written in capitals under issuer) */
    int number;             /* the letter's number in the register, >= 1: "Số: 12/..." */
    const char *symbol;     /* its ký hiệu: "TXL-UBND" */
    const char *place;      /* the địa danh of the date line: "Bom Bo" */
    int year, month, day;   /* the date it is signed */
    const char *recipient;  /* after "Kính gửi: ": "Bà Nguyễn Thị Hường" */
    const char *address;    /* optional (NULL or ""): a line "Địa chỉ: ..." under it */
    const char *body;       /* the filled text: paragraphs separated by a blank line; the lines
                             * of a paragraph are joined with spaces */
    const char *sign_for;   /* optional: "TM. ỦY BAN NHÂN DÂN" */
    const char *sign_title; /* optional: "CHỦ TỊCH" */
    const char *signer;     /* the signer's full name: "Điểu Văn Lợi" */
    /* optional: the n_cc lines under "Nơi nhận:"; default "- Như trên;", "- Lưu: VT." */
    const char *const *cc;
    size_t n_cc;
} letter_doc;

/* Writes d as a one-page A4 PDF at out_path (replaced atomically: a failure leaves no file).
 * Each call loads the fonts into a font map of its own (about 10 ms), so calls share no pango
 * object and nothing stays loaded between letters.
 * 0, or -1 with err in English naming what failed: a missing field, text that is not UTF-8
 * (naming the field), a font file, characters the font lacks, "the letter's body is too long
 * for one page: N lines over", the file. */
int letter_pdf(const letter_doc *d, const char *out_path, char *err, size_t errlen);

/* The date line of Nghị định 30: "Bom Bo, ngày 05 tháng 02 năm 2026" (a leading 0 for days
 * 1-9 and months 1-2). 0, or -1 when the date is not a real one or out does not hold it. */
int letter_date_line(const char *place, int year, int month, int day, char *out, size_t cap);
/* "Số" and ký hiệu as Nghị định 30 writes them: "12/TXL-UBND", "05/TXL-UBND". 0 or -1. */
int letter_number(int number, const char *symbol, char *out, size_t cap);
/* "Thư xin lỗi" / "Thư cảm ơn". */
const char *letter_kind_name(letter_kind k);
/* The default template's file name in assets/letters: "xin-loi.txt" / "cam-on.txt". */
const char *letter_template_file(letter_kind k);

/* A template's placeholder and its value. */
typedef struct {
    const char *name; /* "nguoi_nhan" */
    const char *value;
} letter_var;

/* Replaces every {name} of tmpl ([a-z_]+) with its value from vars[0..n) and {{ with "{"; a "}"
 * on its own is kept. *out is malloc'ed (caller frees). 0, or -1 with err: an unknown
 * placeholder naming it and its line ("line 3: unknown placeholder {ten_sai}"), a "{" that starts
 * none, a NULL value, text that is not UTF-8. */
int letter_fill(const char *tmpl, const letter_var *vars, size_t n, char **out, char *err,
                size_t errlen);

/* One row of the register of letters sent. */
typedef struct {
    int number;           /* Số */
    const char *symbol;   /* Ký hiệu: "TXL-UBND" */
    int year, month, day; /* Ngày (an Excel date) */
    letter_kind kind;     /* Loại thư */
    const char *recipient;
    const char *item_id; /* the feedback (phản ánh/góp ý) it answers; NULL or "" if none */
    const char *signer;
} letter_reg_row;

/* Writes the register as XLSX: one sheet "Sổ đăng ký thư", title (e.g. "SỔ ĐĂNG KÝ THƯ XIN LỖI,
 * THƯ CẢM ƠN NĂM 2026") in the first row, then the Vietnamese headers and one row per letter.
 * 0, or -1 with err naming the row and field or the file. */
int letter_register_xlsx(const char *path, const letter_reg_row *rows, size_t n, const char *title,
                         char *err, size_t errlen);

#endif
