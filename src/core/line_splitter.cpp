#include "pigeon/core/line_splitter.hpp"

#include <cstring>

namespace pigeon::core {

void line_splitter::emit(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    each_(line);
}

void line_splitter::feed(std::string_view chunk) {
    while (!chunk.empty()) {
        const void* p = std::memchr(chunk.data(), '\n', chunk.size());
        if (!p) {
            partial_.append(chunk);
            if (partial_.size() > max_) {
                emit(partial_);
                partial_.clear();
            }
            return;
        }
        const std::size_t n = static_cast<std::size_t>(static_cast<const char*>(p) - chunk.data());
        if (partial_.empty()) {
            emit(chunk.substr(0, n));
        } else {
            partial_.append(chunk.substr(0, n));
            emit(partial_);
            partial_.clear();
        }
        chunk.remove_prefix(n + 1);
    }
}

void line_splitter::finish() {
    if (!partial_.empty()) emit(partial_);
    partial_.clear();
}

} // namespace pigeon::core
