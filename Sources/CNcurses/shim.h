/* CNcurses: the parts of ncursesw that Swift cannot import directly.
 *
 * Swift 6 rejects C globals (stdscr, LINES, COLS, acs_map) and does not see the
 * NCURSES_BITS attribute macros, the ACS_* line glyphs, getmaxyx or KEY_F(n), so
 * each is wrapped in a small static inline function. Everything else (initscr's
 * newterm, mvaddstr, getch, init_pair, KEY_UP, ...) imports as it is. */
#ifndef CNCURSES_SHIM_H
#define CNCURSES_SHIM_H
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1          /* wide API: cchar_t, add_wch, setcchar, mvaddnwstr */
#endif
#include <locale.h>
#include <stdio.h>
#include <wchar.h>
#include <langinfo.h>
#include <ncurses.h>

/* globals */
static inline WINDOW *cn_stdscr(void) { return stdscr; }
static inline int cn_lines(void) { return LINES; }
static inline int cn_cols(void)  { return COLS; }
static inline int cn_getmaxy(WINDOW *w) { return getmaxy(w); }
static inline int cn_getmaxx(WINDOW *w) { return getmaxx(w); }

/* attributes and colour pairs */
static inline int cn_color_pair(int n) { return (int)COLOR_PAIR(n); }
static inline attr_t cn_a_normal(void)    { return A_NORMAL; }
static inline attr_t cn_a_bold(void)      { return A_BOLD; }
static inline attr_t cn_a_reverse(void)   { return A_REVERSE; }
static inline attr_t cn_a_underline(void) { return A_UNDERLINE; }
static inline attr_t cn_a_dim(void)       { return A_DIM; }
static inline int cn_attrset(attr_t a, short pair) { return attr_set(a, pair, NULL); }

/* ACS line glyphs (acs_map is filled in by newterm/initscr: call only after it) */
static inline chtype cn_acs_hline(void)    { return ACS_HLINE; }
static inline chtype cn_acs_vline(void)    { return ACS_VLINE; }
static inline chtype cn_acs_ulcorner(void) { return ACS_ULCORNER; }
static inline chtype cn_acs_urcorner(void) { return ACS_URCORNER; }
static inline chtype cn_acs_llcorner(void) { return ACS_LLCORNER; }
static inline chtype cn_acs_lrcorner(void) { return ACS_LRCORNER; }

/* keys */
static inline int cn_key_resize(void) { return KEY_RESIZE; }
static inline int cn_key_f(int n) { return KEY_F(n); }
static inline int cn_err(void) { return ERR; }

/* one Unicode scalar with attributes and a colour pair */
static inline int cn_mvadd_wch(int y, int x, wchar_t wc, attr_t attrs, short pair) {
    cchar_t cc; wchar_t s[2] = { wc, 0 };
    setcchar(&cc, s, attrs, pair, NULL);
    return mvadd_wch(y, x, &cc);
}

/* locale: is the character set UTF-8 (after setlocale(LC_ALL, ""))? */
static inline int cn_locale_is_utf8(void) {
    const char *cs = nl_langinfo(CODESET);
    if (!cs) return 0;
    return (cs[0]=='U'||cs[0]=='u') && (cs[1]=='T'||cs[1]=='t') && (cs[2]=='F'||cs[2]=='f');
}

/* stdio streams for newterm (Swift 6 cannot touch stdin/stdout) */
static inline FILE *cn_fdopen(int fd, const char *mode) { return fdopen(fd, mode); }
#endif
