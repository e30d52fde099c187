#ifndef CWIDTH_H
#define CWIDTH_H

/// The C library's wcwidth(3) for one code point, asked under a UTF-8 character-type
/// locale (C.UTF-8) whatever the process's locale is: columns 0, 1 or 2, or -1 for a
/// code point it does not know as printable. Thread-safe.
int cw_wcwidth(unsigned int codepoint);

#endif
