#include <pigeon/mime/builder.hpp>

#include <vector>

namespace pigeon::mime {

tree_builder::tree_builder() = default;

void tree_builder::reset() {
    msg_ = message();
    pending_.clear();
    stack_.clear();
    separator_length_ = 0;
}

void tree_builder::on_header(const header_event& h) {
    if (pending_.empty()) pending_.reserve(1024, 24);
    pending_.add(h.name, h.value);
}

void tree_builder::on_headers_end(std::uint64_t, std::size_t separator_length) {
    separator_length_ = separator_length;
}

void tree_builder::on_part_begin(const part_info& p) {
    entity& e = msg_.parts_.emplace_back();
    e.headers_ = std::move(pending_);
    pending_ = header_list();
    e.type_ = p.type;
    e.encoding_ = parse_transfer_encoding(p.transfer_encoding);
    e.kind_ = p.kind;
    e.depth_ = p.depth;
    e.index_ = p.index;
    e.range_ = {p.header_offset, 0};
    e.body_offset_ = p.body_offset;
    e.separator_length_ = separator_length_;
    e.defects_ = p.defects;
    if (!stack_.empty()) {
        e.parent_ = stack_.back();
        stack_.back()->children_.push_back(&e);
    }
    if (e.kind_ == part_kind::multipart) e.preamble_ = {p.body_offset, 0};
    stack_.push_back(&e);
}

void tree_builder::on_boundary(std::uint64_t offset, std::uint64_t length, bool close) {
    if (stack_.empty()) return;
    entity& m = *stack_.back();
    if (m.delimiters_.empty() && m.close_.empty() && m.preamble_.length == 0)
        m.preamble_ = {m.body_offset_, offset - m.body_offset_};
    if (close) {
        m.close_ = {offset, length};
        m.epilogue_ = {offset + length, 0};
    } else {
        m.delimiters_.push_back({offset, length});
    }
}

void tree_builder::on_part_end(const part_end_info& info) {
    if (stack_.empty()) return;
    entity& e = *stack_.back();
    e.range_.length = info.end - e.range_.offset;
    e.defects_ = info.defects;
    if (e.kind_ == part_kind::multipart) {
        if (!e.close_.empty()) e.epilogue_ = {e.close_.end(), info.end - e.close_.end()};
        else if (e.delimiters_.empty()) e.preamble_ = {e.body_offset_, info.end - e.body_offset_};
        else if (!e.children_.empty()) {
            // No close delimiter: whatever follows the last child (a final
            // line end) is kept as the epilogue.
            std::uint64_t last = e.children_.back()->range_.end();
            e.epilogue_ = {last, info.end - last};
        }
    }
    stack_.pop_back();
}

message tree_builder::take(std::shared_ptr<const source> src, std::uint32_t defects) {
    message m = std::move(msg_);
    m.source_ = std::move(src);
    m.defects_ = defects;
    reset();
    return m;
}

message parse_message(std::shared_ptr<const source> src, const parser_limits& limits) {
    tree_builder b;
    parser p(b, limits);
    if (const char* d = src->data()) {
        p.feed(std::string_view(d, static_cast<std::size_t>(src->size())));
    } else {
        std::vector<char> buf(256 * 1024);
        std::uint64_t off = 0;
        const std::uint64_t size = src->size();
        while (off < size) {
            std::size_t got = src->read_at(off, buf.data(), buf.size());
            if (got == 0) break;
            p.feed(buf.data(), got);
            off += got;
        }
    }
    p.finish();
    return b.take(std::move(src), p.defects());
}

message parse_message(std::string bytes, const parser_limits& limits) {
    return parse_message(memory_source::own(std::move(bytes)), limits);
}

message parse_message_view(std::string_view bytes, const parser_limits& limits) {
    return parse_message(memory_source::borrow(bytes), limits);
}

message parse_file(const std::filesystem::path& path, std::error_code& ec, const parser_limits& limits) {
    auto src = file_source::open(path, ec);
    if (!src) return message();
    return parse_message(std::shared_ptr<const source>(std::move(src)), limits);
}

} // namespace pigeon::mime
