#pragma once
// Private: skipping comments and folding white space in structured fields.
#include <cstddef>
#include <string_view>

#include "ascii.hpp"

namespace pigeon::mime::detail {

/// Comments nest; beyond this depth the rest of the comment is skipped flat
/// (bounded work on "((((((...").
inline constexpr std::size_t max_comment_depth = 64;

/// Skips a comment starting at s[i] == '('. Returns the index after it, or
/// s.size() if it is not closed; closed tells which.
inline std::size_t skip_comment(std::string_view s, std::size_t i, bool* closed = nullptr) {
    std::size_t depth = 0;
    for (; i < s.size(); ++i) {
        char c = s[i];
        if (c == '\\') {
            ++i;
            continue;
        }
        if (c == '(') {
            ++depth;
        } else if (c == ')') {
            if (--depth == 0) {
                if (closed) *closed = true;
                return i + 1;
            }
        }
    }
    if (closed) *closed = false;
    return s.size();
}

/// Skips white space (including CR/LF of folds) and comments.
inline std::size_t skip_cfws(std::string_view s, std::size_t i) {
    while (i < s.size()) {
        if (is_wsp(s[i])) ++i;
        else if (s[i] == '(') i = skip_comment(s, i);
        else break;
    }
    return i;
}

/// Reads a quoted string starting at s[i] == '"'; appends its content
/// (escapes removed, folds removed) to out; returns the index after it.
template <class String>
std::size_t read_quoted(std::string_view s, std::size_t i, String& out, bool* closed = nullptr) {
    ++i;
    for (; i < s.size(); ++i) {
        char c = s[i];
        if (c == '"') {
            if (closed) *closed = true;
            return i + 1;
        }
        if (c == '\\' && i + 1 < s.size()) {
            out.push_back(s[++i]);
            continue;
        }
        if (c == '\r' || c == '\n') continue; // folding inside quotes
        out.push_back(c);
    }
    if (closed) *closed = false;
    return s.size();
}

} // namespace pigeon::mime::detail
