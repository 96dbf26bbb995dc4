#pragma once
// Splits the bytes of a multi-line response (a dot block's content, CRLF line
// ends) into lines for a callback, holding at most one partial line.
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace pigeon::core {

class line_splitter {
public:
    using line_fn = std::function<void(std::string_view)>;
    /// max_line bounds a held partial line; a longer one is cut there and
    /// reported as it is (the caller's parser refuses it).
    explicit line_splitter(line_fn each, std::size_t max_line = 64 * 1024)
        : each_(std::move(each)), max_(max_line) {}

    void feed(std::string_view chunk);
    /// Reports a last line without its line end, if any.
    void finish();

private:
    void emit(std::string_view line);
    line_fn each_;
    std::size_t max_;
    std::string partial_;
};

} // namespace pigeon::core
