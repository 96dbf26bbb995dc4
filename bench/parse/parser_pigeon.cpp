// pigeon: parse_message_view (in memory) or parse_file (streamed, pread),
// then every leaf decoded with decode_body and the subject with
// decode_unstructured.
#include "bench_common.hpp"

#include <pigeon/mime/builder.hpp>
#include <pigeon/mime/entity.hpp>
#include <pigeon/mime/reader.hpp>
#include <pigeon/mime/rfc2047.hpp>

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace parse_bench {
namespace {

namespace pm = pigeon::mime;

void init() {}

void process(const message_input& in, visitor& v) {
    pm::message m;
    if (in.in_memory) {
        m = pm::parse_message_view(in.bytes);
    } else {
        std::error_code ec;
        m = pm::parse_file(in.path, ec);
        if (ec) {
            std::fprintf(stderr, "parse_bench(pigeon): %s: %s\n", in.path.c_str(), ec.message().c_str());
            return;
        }
    }
    const pm::entity* root = m.root();
    if (root == nullptr) return;
    if (auto s = root->headers().find("Subject")) {
        const std::string decoded = pm::decode_unstructured(*s);
        v.subject(decoded);
    } else {
        v.subject(std::nullopt);
    }
    const bool names = v.facts();
    const pm::sink_fn sink = [&v](std::string_view d) { v.leaf_data(d.data(), d.size()); };
    for (const pm::entity& e : m.parts()) {
        if (!e.is_leaf()) continue;
        if (names) {
            const std::string fn = e.filename();
            v.leaf_begin(e.type().mime_type(), fn.empty() ? std::nullopt : std::optional<std::string_view>(fn));
        } else {
            v.leaf_begin({}, std::nullopt);
        }
        pm::decode_body(m, e, sink);
        v.leaf_end();
    }
}

} // namespace

extern const adapter pigeon_adapter{"pigeon", true, init, process};

} // namespace parse_bench
