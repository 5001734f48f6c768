/* web_static: the dashboard's style sheet and its font, built into the program so that the pages
 * need nothing from the internet and look the same on every phone: Noto Sans (the kiosk's own,
 * assets/fonts, SIL OFL) has every Vietnamese letter and tone mark. */
#include "web_int.h"

#include <stddef.h>

/* The font files, included byte for byte at build time (HL_FONT_DIR: assets/fonts). */
__asm__(".section .rodata\n"
        ".balign 16\n"
        ".global web_font_regular\n"
        "web_font_regular:\n"
        ".incbin \"" HL_FONT_DIR "/NotoSans-Regular.ttf\"\n"
        ".global web_font_regular_end\n"
        "web_font_regular_end:\n"
        ".balign 16\n"
        ".global web_font_bold\n"
        "web_font_bold:\n"
        ".incbin \"" HL_FONT_DIR "/NotoSans-Bold.ttf\"\n"
        ".global web_font_bold_end\n"
        "web_font_bold_end:\n"
        ".previous\n");

extern const unsigned char web_font_regular[], web_font_regular_end[];
extern const unsigned char web_font_bold[], web_font_bold_end[];

const unsigned char *web_font(int bold, size_t *len)
{
    *len = bold ? (size_t)(web_font_bold_end - web_font_bold)
                : (size_t)(web_font_regular_end - web_font_regular);
    return bold ? web_font_bold : web_font_regular;
}

/* Phone first: one column, tables that scroll inside their own box rather than the page; from
 * 900 px the commune cards sit side by side. */
const char web_css[] =
    "@font-face{font-family:'Noto Sans';font-weight:400;src:url(/static/noto-sans.ttf)}\n"
    "@font-face{font-family:'Noto Sans';font-weight:700;src:url(/static/noto-sans-bold.ttf)}\n"
    "*{box-sizing:border-box}\n"
    "html{-webkit-text-size-adjust:100%}\n"
    "body{margin:0;font-family:'Noto Sans',sans-serif;font-size:16px;line-height:1.45;"
    "color:#1b1b1b;background:#f6f7f9}\n"
    "header{display:flex;flex-wrap:wrap;align-items:center;gap:8px 16px;padding:10px 16px;"
    "background:#8b1a1a;color:#fff}\n"
    "header a.brand{color:#fff;font-weight:700;font-size:20px;text-decoration:none}\n"
    "header .who{flex:1 1 auto;font-size:14px;min-width:0;overflow-wrap:anywhere}\n"
    "header form.out button{background:transparent;color:#fff;border:1px solid #fff;"
    "border-radius:6px;padding:4px 10px;font:inherit;font-size:14px}\n"
    "main{max-width:1200px;margin:0 auto;padding:12px 16px 32px}\n"
    "h1{font-size:24px;margin:8px 0 4px;overflow-wrap:anywhere}\n"
    "h2{font-size:19px;margin:24px 0 8px}\n"
    "p{margin:6px 0}\n"
    "a{color:#0b57a4}\n"
    ".views{display:flex;flex-wrap:wrap;gap:8px 24px;margin:8px 0}\n"
    ".views form{display:flex;flex-wrap:wrap;align-items:flex-end;gap:8px 12px;max-width:100%}\n"
    "label{display:flex;flex-direction:column;font-size:13px;color:#333;min-width:0;"
    "max-width:100%}\n"
    "select,input,button{font:inherit;font-size:15px;padding:6px 8px;border:1px solid #999;"
    "border-radius:6px;background:#fff;max-width:100%}\n"
    "button{background:#0b57a4;color:#fff;border-color:#0b57a4;cursor:pointer}\n"
    ".range{color:#444;font-size:14px}\n"
    ".cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:10px;"
    "margin:12px 0}\n"
    ".card{background:#fff;border:1px solid #ddd;border-radius:8px;padding:10px 12px}\n"
    ".card b{display:block;font-size:24px}\n"
    ".card span{font-size:13px;color:#444}\n"
    ".scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;background:#fff;"
    "border:1px solid #ddd;border-radius:8px}\n"
    "table{border-collapse:collapse;width:100%;font-size:14px}\n"
    "th,td{padding:6px 8px;border-bottom:1px solid #eee;text-align:right;white-space:nowrap}\n"
    "th:first-child,td:first-child,td.name{text-align:left;white-space:normal;"
    "min-width:9em}\n"
    "th{background:#f0f2f5;font-weight:700;position:sticky;top:0}\n"
    "td.few{color:#777;font-style:italic}\n"
    "td.bar{min-width:90px}\n"
    "tr.low td{color:#666}\n"
    ".chart,.heat{background:#fff;border:1px solid #ddd;border-radius:8px;display:block;"
    "max-width:100%;height:auto}\n"
    ".chart{max-width:760px}\n"
    ".heat{max-width:620px}\n"
    ".legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:13px}\n"
    ".legend svg{vertical-align:middle}\n"
    ".downloads{display:flex;flex-wrap:wrap;gap:8px}\n"
    ".downloads a{display:inline-block;padding:6px 10px;border:1px solid #0b57a4;"
    "border-radius:6px;text-decoration:none;background:#fff}\n"
    ".note{font-size:13px;color:#555}\n"
    ".msg{background:#fff4e5;border:1px solid #e07b1f;border-radius:6px;padding:8px 10px}\n"
    ".silent{color:#b00020;font-weight:700}\n"
    ".login{max-width:380px;margin:24px auto;background:#fff;border:1px solid #ddd;"
    "border-radius:8px;padding:16px}\n"
    ".login form{display:flex;flex-direction:column;gap:12px}\n"
    ".login input{width:100%}\n"
    "footer{max-width:1200px;margin:0 auto;padding:8px 16px 24px;font-size:12px;color:#666}\n"
    "@media (min-width:900px){.two{display:grid;grid-template-columns:1fr 1fr;gap:16px}}\n";

/* The navigation, and the feedback inbox (web_feedback.c): state badges, overdue marks, an
 * item's facts; served after web_css (one string would be longer than C99 promises). */
const char web_css_inbox[] =
    "header nav{display:flex;flex-wrap:wrap;gap:4px 14px}\n"
    "header nav a{color:#fff;font-size:15px}\n"
    "header nav .count{background:#ffd24a;color:#1b1f24;border-radius:9px;padding:0 7px;"
    "font-size:13px;font-weight:700;margin-left:4px;white-space:nowrap}\n"
    ".badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:13px;"
    "font-weight:700;white-space:nowrap;border:1px solid transparent}\n"
    ".st-moi{background:#fde8e8;color:#9b1c1c;border-color:#f3b4b4}\n"
    ".st-dang-xu-ly{background:#fff4e5;color:#8a4b00;border-color:#f5c58a}\n"
    ".st-da-tra-loi{background:#e6f4ea;color:#1e6b34;border-color:#a8d5b5}\n"
    ".st-dong{background:#eceff3;color:#444;border-color:#c9ced6}\n"
    ".late{color:#b00020;font-weight:700;white-space:nowrap}\n"
    "td.text{min-width:16em;max-width:32em}\n"
    "table.inbox th,table.inbox td,table.log th,table.log td{text-align:left}\n"
    ".box{background:#fff;border:1px solid #ddd;border-radius:8px;padding:10px 12px}\n"
    ".fb-text{white-space:pre-wrap;overflow-wrap:anywhere}\n"
    ".facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 12px;margin:0}\n"
    ".facts dt{color:#555;font-size:14px}\n"
    ".facts dd{margin:0;overflow-wrap:anywhere}\n"
    ".fb-form{display:flex;flex-wrap:wrap;align-items:flex-end;gap:10px 14px}\n"
    ".fb-form label.wide{flex:1 1 100%}\n"
    "textarea{font:inherit;font-size:15px;padding:6px 8px;border:1px solid #999;"
    "border-radius:6px;width:100%}\n"
    ".views form.filter{display:flex;flex-wrap:wrap;align-items:flex-end;gap:8px 12px}\n"
    /* On a phone a row of the inbox is a card: each cell on its own line under its heading. */
    "@media (max-width:700px){.cards-sm{background:transparent;border:0}"
    ".cards-sm thead{display:none}"
    ".cards-sm table,.cards-sm tbody,.cards-sm tr,.cards-sm td{display:block;width:auto}"
    ".cards-sm tr{background:#fff;border:1px solid #ddd;border-radius:8px;margin:0 0 10px;"
    "padding:6px 10px}"
    ".cards-sm td{border:0;padding:2px 0;text-align:left;white-space:normal;min-width:0;"
    "max-width:none}"
    ".cards-sm td[data-l]::before{content:attr(data-l);display:block;font-size:12px;"
    "color:#666}"
    ".facts{grid-template-columns:1fr}.facts dd{margin-bottom:6px}}\n";
