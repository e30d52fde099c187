// A thin shim: Swift's Glibc module does not export wcwidth(3) (it sits behind
// _XOPEN_SOURCE), and its answer depends on a locale that is set per thread here.
#define _GNU_SOURCE
#include <locale.h>
#include <pthread.h>
#include <wchar.h>
#include "cwidth.h"

static locale_t utf8_locale;
static pthread_once_t utf8_once = PTHREAD_ONCE_INIT;

static void make_utf8_locale(void) {
    utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

// arguments: a code point; result: wcwidth under C.UTF-8 (or the process's locale when
// the C library has no C.UTF-8); invariant: the calling thread's locale is restored.
int cw_wcwidth(unsigned int codepoint) {
    pthread_once(&utf8_once, make_utf8_locale);
    if (utf8_locale == (locale_t)0) return wcwidth((wchar_t)codepoint);
    locale_t previous = uselocale(utf8_locale);
    int w = wcwidth((wchar_t)codepoint);
    uselocale(previous);
    return w;
}
