// Untrusted text on its way to a terminal or a log: recipe values, index fields, archive member
// names and server messages must not be able to move the cursor, rewrite the screen or hide
// what follows them (ESC, CR, NUL, C1 controls).
#pragma once

#include <string>
#include <string_view>

namespace compose {

// Control characters (C0, DEL, C1) and bytes that are not UTF-8 become "\xNN"; a backslash
// stays as it is. With keep_newlines, '\n' passes (for multi-line messages we compose).
std::string printable(std::string_view text, bool keep_newlines = false);

// Well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF).
bool is_utf8(std::string_view text);

} // namespace compose
