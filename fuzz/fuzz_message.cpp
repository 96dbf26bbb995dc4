// Whole-message parser: parse with tight limits, walk every part, decode
// every body and the subject, and check that an unmodified message
// serialises back byte for byte.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "pigeon/mime/builder.hpp"
#include "pigeon/mime/reader.hpp"
#include "pigeon/mime/serialize.hpp"

namespace {

void walk(const pigeon::mime::message& m, const pigeon::mime::entity& e, std::size_t& total) {
    pigeon::mime::decode_text(m, e, [&](std::string_view b) { total += b.size(); });
    (void)e.filename();
    (void)e.content_id();
    (void)e.disposition();
    for (const auto* c : e.children()) walk(m, *c, total);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    pigeon::mime::parser_limits limits;
    limits.max_depth = 16;
    limits.max_parts = 200;
    auto m = pigeon::mime::parse_message_view(bytes, limits);
    if (!m.root()) return 0;
    std::size_t total = 0;
    walk(m, *m.root(), total);
    pigeon::mime::message_reader r(m);
    (void)r.subject();
    (void)r.from();
    (void)r.to();
    (void)r.attachments();
    std::string out = pigeon::mime::serialize_to_string(m);
    if (out != bytes) std::abort(); // round trip must be exact
    return 0;
}
