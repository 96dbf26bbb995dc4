#include <pigeon/mime/serialize.hpp>

namespace pigeon::mime {

namespace {

bool subtree_modified(const entity& e) {
    if (e.modified()) return true;
    for (const entity* c : e.children())
        if (subtree_modified(*c)) return true;
    return false;
}

bool write(const message& m, const entity& e, const sink_fn& sink) {
    const source& src = m.src();
    if (!subtree_modified(e)) return src.read_range(e.range(), sink);
    if (e.modified()) {
        // Header block rewritten from the list, keeping the original line
        // end style and blank-line separator.
        std::string_view eol = "\r\n";
        byte_range hr = e.header_range();
        if (hr.length > 0) {
            const std::string head = src.read({hr.offset, std::min<std::uint64_t>(hr.length, 4096)});
            const std::size_t lf = head.find('\n');
            if (lf != std::string::npos && (lf == 0 || head[lf - 1] != '\r')) eol = "\n";
        }
        std::string block;
        for (header_field f : e.headers()) {
            block.append(f.name.data(), f.name.size());
            block.push_back(':');
            block.push_back(' ');
            block.append(f.value.data(), f.value.size());
            block.append(eol.data(), eol.size());
        }
        if (e.separator_length() > 0) block.append(eol.data(), eol.size());
        sink(block);
    } else if (!src.read_range(e.header_range(), sink)) {
        return false;
    }
    switch (e.kind()) {
    case part_kind::leaf: return src.read_range(e.body_range(), sink);
    case part_kind::message:
        for (const entity* c : e.children())
            if (!write(m, *c, sink)) return false;
        return true;
    case part_kind::multipart: {
        if (!src.read_range(e.preamble(), sink)) return false;
        const auto& d = e.delimiters();
        const auto& kids = e.children();
        for (std::size_t i = 0; i < kids.size(); ++i) {
            if (i < d.size() && !src.read_range(d[i], sink)) return false;
            if (!write(m, *kids[i], sink)) return false;
        }
        if (!src.read_range(e.close_delimiter(), sink)) return false;
        return src.read_range(e.epilogue(), sink);
    }
    }
    return true;
}

} // namespace

bool serialize(const message& m, const entity& e, const sink_fn& sink) { return write(m, e, sink); }

bool serialize(const message& m, const sink_fn& sink) {
    if (!m.root()) return true;
    return write(m, *m.root(), sink);
}

std::string serialize_to_string(const message& m) {
    std::string out;
    serialize(m, [&out](std::string_view b) { out.append(b); });
    return out;
}

} // namespace pigeon::mime
