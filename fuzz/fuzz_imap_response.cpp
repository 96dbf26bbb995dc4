// The IMAP response parser fed a server's byte stream, split at a
// data-chosen point: it must answer ready / need_more / need_literal / error
// and never crash, hang or hold more than its limits.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "pigeon/imap/response_parser.hpp"

namespace {

void run(pigeon::imap::response_parser& p, std::string_view data) {
    using st = pigeon::imap::response_parser::status;
    while (!data.empty()) {
        auto r = p.feed(data);
        data.remove_prefix(r.consumed);
        if (r.state == st::ready) {
            auto resp = p.take();
            (void)resp;
        } else if (r.state == st::error) {
            p.reset();
            return;
        } else if (r.consumed == 0 && r.state != st::need_literal) {
            return;
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    pigeon::imap::parser_limits limits;
    limits.max_literal = 1 << 20;
    limits.max_response = 4 << 20;
    pigeon::imap::response_parser p(limits);
    std::size_t cut = size ? data[0] % (size + 1) : 0;
    run(p, in.substr(0, cut));
    run(p, in.substr(cut));
    return 0;
}
