#pragma once
// Building a message tree from parser events, and the one-call parse
// functions most callers want.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <pigeon/mime/entity.hpp>
#include <pigeon/mime/limits.hpp>
#include <pigeon/mime/parser.hpp>
#include <pigeon/mime/source.hpp>

namespace pigeon::mime {

/// A parser_handler that records the tree. Use it when you drive the parser
/// yourself (e.g. while streaming a message from the network into a file):
/// feed the parser, finish it, then take() the message with the source the
/// offsets refer to.
class tree_builder : public parser_handler {
public:
    tree_builder();
    void on_header(const header_event& h) override;
    void on_headers_end(std::uint64_t offset, std::size_t separator_length) override;
    void on_part_begin(const part_info& p) override;
    void on_boundary(std::uint64_t offset, std::uint64_t length, bool close) override;
    void on_part_end(const part_end_info& e) override;

    /// The finished tree (call after parser::finish()), pointing into src.
    message take(std::shared_ptr<const source> src, std::uint32_t defects);
    void reset();

private:
    message msg_;
    header_list pending_;
    std::vector<entity*> stack_;
    std::size_t separator_length_ = 0;
};

/// Parses a message held in (or streamed from) src.
message parse_message(std::shared_ptr<const source> src, const parser_limits& limits = {});
/// Parses bytes, taking ownership.
message parse_message(std::string bytes, const parser_limits& limits = {});
/// Parses bytes without copying them: the caller keeps them alive and
/// unchanged as long as the message is used.
message parse_message_view(std::string_view bytes, const parser_limits& limits = {});
/// Parses a file, read in chunks (memory does not grow with the file size).
/// On failure returns an empty message (root() == nullptr) and sets ec.
message parse_file(const std::filesystem::path& path, std::error_code& ec, const parser_limits& limits = {});

} // namespace pigeon::mime
