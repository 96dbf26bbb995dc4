// GMime 3: GMimeParser over a memory stream (g_mime_stream_mem_new_with_buffer
// copies the message into it) or, for large messages, a file stream with
// persist_stream on (seekable: bodies stay in the file). Every leaf is
// decoded with g_mime_data_wrapper_write_to_stream into a null stream
// (benchmark) or a memory stream (facts); nested message/rfc822 parts are
// walked; the subject is g_mime_message_get_subject (decoded UTF-8).
#include "bench_common.hpp"

#include <gmime/gmime.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace parse_bench {
namespace {

void init() { g_mime_init(); }

void walk(GMimeObject* obj, visitor& v) {
    if (obj == nullptr) return;
    if (GMIME_IS_MULTIPART(obj)) {
        GMimeMultipart* mp = GMIME_MULTIPART(obj);
        const int n = g_mime_multipart_get_count(mp);
        for (int i = 0; i < n; ++i) walk(g_mime_multipart_get_part(mp, i), v);
        return;
    }
    if (GMIME_IS_MESSAGE_PART(obj)) {
        GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
        if (inner != nullptr) walk(g_mime_message_get_mime_part(inner), v);
        return;
    }
    if (!GMIME_IS_PART(obj)) return;
    GMimePart* part = GMIME_PART(obj);
    const bool facts = v.facts();
    if (facts) {
        char* mt = g_mime_content_type_get_mime_type(g_mime_object_get_content_type(obj));
        std::string type = mt != nullptr ? mt : "";
        g_free(mt);
        ascii_lower(type);
        const char* fn = g_mime_part_get_filename(part);
        v.leaf_begin(type, fn != nullptr ? std::optional<std::string_view>(fn) : std::nullopt);
    } else {
        v.leaf_begin({}, std::nullopt);
    }
    GMimeDataWrapper* content = g_mime_part_get_content(part);
    if (content != nullptr) {
        if (facts) {
            GMimeStream* out = g_mime_stream_mem_new();
            g_mime_data_wrapper_write_to_stream(content, out);
            GByteArray* arr = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out));
            v.leaf_data(reinterpret_cast<const char*>(arr->data), arr->len);
            g_object_unref(out);
        } else {
            GMimeStream* out = g_mime_stream_null_new();
            g_mime_data_wrapper_write_to_stream(content, out);
            v.leaf_data(nullptr, GMIME_STREAM_NULL(out)->written);
            g_object_unref(out);
        }
    }
    v.leaf_end();
}

void process(const message_input& in, visitor& v) {
    GMimeStream* stream = nullptr;
    if (in.in_memory) {
        stream = g_mime_stream_mem_new_with_buffer(in.bytes.data(), in.bytes.size());
    } else {
        const int fd = ::open(in.path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            std::fprintf(stderr, "parse_bench(gmime): cannot open %s\n", in.path.c_str());
            return;
        }
        stream = g_mime_stream_fs_new(fd); // owns fd
    }
    GMimeParser* parser = g_mime_parser_new_with_stream(stream);
    g_mime_parser_set_persist_stream(parser, TRUE);
    g_object_unref(stream);
    GMimeMessage* msg = g_mime_parser_construct_message(parser, nullptr);
    g_object_unref(parser);
    if (msg == nullptr) {
        v.subject(std::nullopt);
        return;
    }
    const char* subj = g_mime_message_get_subject(msg);
    v.subject(subj != nullptr ? std::optional<std::string_view>(subj) : std::nullopt);
    walk(g_mime_message_get_mime_part(msg), v);
    g_object_unref(msg);
}

const adapter the_adapter{"gmime", true, init, process};

} // namespace
} // namespace parse_bench

extern "C" __attribute__((visibility("default"))) const parse_bench::adapter* parse_bench_adapter() {
    return &parse_bench::the_adapter;
}
