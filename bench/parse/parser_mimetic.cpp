// mimetic: MimeEntity built from the message bytes (random-access iterators
// over memory, or an std::ifstream for large messages: mimetic keeps every
// body in memory either way), every leaf decoded with mimetic's Base64 /
// QP decoders into a counting output iterator, nested message/rfc822 walked
// (mimetic parses it as a child entity).
//
// mimetic has no RFC 2047 decoder: the subject is taken as written.
#include "bench_common.hpp"

#include <mimetic/mimetic.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

namespace parse_bench {
namespace {

void init() {}

// Output iterator that counts (and sums, so the decoded values are used).
struct counting_out {
    using iterator_category = std::output_iterator_tag;
    using value_type = void;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = void;
    std::uint64_t* count;
    std::uint64_t* sum;
    counting_out& operator*() { return *this; }
    counting_out& operator++() { return *this; }
    counting_out operator++(int) { return *this; }
    counting_out& operator=(char c) {
        ++*count;
        *sum += static_cast<unsigned char>(c);
        return *this;
    }
};

// Keeps the decoded bytes observable (volatile: the sum must be computed).
volatile std::uint64_t g_sum = 0;

void walk(const mimetic::MimeEntity& me, visitor& v) {
    const mimetic::Body& body = me.body();
    if (!body.parts().empty()) {
        for (const mimetic::MimeEntity* child : body.parts()) walk(*child, v);
        return;
    }
    v.leaf_begin({}, std::nullopt);
    const mimetic::istring& cte = me.header().contentTransferEncoding().mechanism();
    std::uint64_t n = 0, sum = 0;
    counting_out out{&n, &sum};
    if (cte == "base64") {
        mimetic::Base64::Decoder dec;
        mimetic::decode(body.begin(), body.end(), dec, out);
        v.leaf_data(nullptr, n);
    } else if (cte == "quoted-printable") {
        mimetic::QP::Decoder dec;
        mimetic::decode(body.begin(), body.end(), dec, out);
        v.leaf_data(nullptr, n);
    } else {
        v.leaf_data(body.data(), body.size());
    }
    g_sum = g_sum + sum;
    v.leaf_end();
}

void process(const message_input& in, visitor& v) {
    mimetic::MimeEntity me;
    if (in.in_memory) {
        const char* b = in.bytes.data();
        me.load(b, b + in.bytes.size());
    } else {
        std::ifstream f(in.path, std::ios::binary);
        me.load(f);
    }
    const mimetic::Header& h = me.header();
    if (h.hasField("Subject")) {
        v.subject(std::string_view(h.subject()));
    } else {
        v.subject(std::nullopt);
    }
    walk(me, v);
}

const adapter the_adapter{"mimetic", false, init, process};

} // namespace
} // namespace parse_bench

extern "C" __attribute__((visibility("default"))) const parse_bench::adapter* parse_bench_adapter() {
    return &parse_bench::the_adapter;
}
