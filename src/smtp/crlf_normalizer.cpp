#include "pigeon/smtp/crlf_normalizer.hpp"

namespace pigeon::smtp {

void crlf_normalizer::feed(std::string_view data, std::string& out) {
    std::size_t i = 0;
    if (pending_cr_ && !data.empty()) {
        out += "\r\n";
        pending_cr_ = false;
        at_line_start_ = true;
        if (data[0] == '\n') i = 1;  // the LF of a CRLF split across feeds
    }
    while (i < data.size()) {
        const std::size_t j = data.find_first_of("\r\n", i);
        if (j == std::string_view::npos) {
            out.append(data.substr(i));
            at_line_start_ = false;
            return;
        }
        if (j > i) out.append(data.substr(i, j - i));
        if (data[j] == '\n') {
            out += "\r\n";
            at_line_start_ = true;
            i = j + 1;
        } else if (j + 1 == data.size()) {
            pending_cr_ = true;  // CRLF or bare CR: decided by the next byte
            return;
        } else {
            out += "\r\n";
            at_line_start_ = true;
            i = data[j + 1] == '\n' ? j + 2 : j + 1;
        }
    }
}

void crlf_normalizer::finish(std::string& out) {
    if (pending_cr_ || !at_line_start_) out += "\r\n";
    pending_cr_ = false;
    at_line_start_ = true;
}

} // namespace pigeon::smtp
