#pragma once
// A parsed message as a tree of entities (parts). Bodies are byte ranges into
// the message's source, not copies; header fields are copied (they are small
// and bounded by parser_limits::max_header_bytes per part).
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <pigeon/mime/content_type.hpp>
#include <pigeon/mime/header.hpp>
#include <pigeon/mime/parser.hpp>
#include <pigeon/mime/source.hpp>

namespace pigeon::mime {

class tree_builder;

class entity {
public:
    const header_list& headers() const noexcept { return headers_; }
    /// Mutable access marks the entity modified: serialisation then rewrites
    /// its header block from this list instead of copying the source bytes.
    header_list& headers_mut() noexcept { modified_ = true; return headers_; }

    const content_type& type() const noexcept { return type_; }
    part_kind kind() const noexcept { return kind_; }
    bool is_multipart() const noexcept { return kind_ == part_kind::multipart; }
    bool is_message() const noexcept { return kind_ == part_kind::message; }
    bool is_leaf() const noexcept { return kind_ == part_kind::leaf; }
    transfer_encoding encoding() const noexcept { return encoding_; }
    content_disposition disposition() const;
    /// charset parameter, lower-case ("" when absent).
    std::string charset() const { return type_.charset(); }
    /// The file name: Content-Disposition filename, else Content-Type name;
    /// decoded to UTF-8 ("" when absent).
    std::string filename() const;
    /// Content-ID without the angle brackets ("" when absent).
    std::string content_id() const;

    entity* parent() const noexcept { return parent_; }
    const std::vector<entity*>& children() const noexcept { return children_; }
    std::size_t depth() const noexcept { return depth_; }
    /// Pre-order position in the message (root = 0).
    std::size_t index() const noexcept { return index_; }
    /// Path number: "" for the root, else the 1-based positions among the
    /// parents' children joined by dots ("1", "2.3"). The message enclosed
    /// by a message/rfc822 part numbered N is N.1. (Unlike IMAP, every
    /// entity gets its own number, including the root of an enclosed message.)
    std::string part_number() const;

    /// The whole part: header block, body, and for a multipart its children
    /// and epilogue.
    byte_range range() const noexcept { return range_; }
    /// The header block including the blank separator line.
    byte_range header_range() const noexcept { return {range_.offset, body_offset_ - range_.offset}; }
    /// The body: for a leaf its (still encoded) content; for containers
    /// everything after the header block.
    byte_range body_range() const noexcept { return {body_offset_, range_.end() - body_offset_}; }
    /// Length of the blank line ending the header block (0, 1 or 2).
    std::size_t separator_length() const noexcept { return separator_length_; }
    /// Multipart only: text before the first delimiter / after the close one.
    byte_range preamble() const noexcept { return preamble_; }
    byte_range epilogue() const noexcept { return epilogue_; }
    /// Multipart only: delimiter line before child i (including the line end
    /// before it); the close delimiter is close_delimiter() (empty if missing).
    const std::vector<byte_range>& delimiters() const noexcept { return delimiters_; }
    byte_range close_delimiter() const noexcept { return close_; }

    /// Defect flags (see error.hpp) found in this part.
    std::uint32_t defects() const noexcept { return defects_; }
    bool modified() const noexcept { return modified_; }

private:
    friend class tree_builder;
    header_list headers_;
    content_type type_;
    transfer_encoding encoding_ = transfer_encoding::identity_7bit;
    part_kind kind_ = part_kind::leaf;
    std::size_t depth_ = 0;
    std::size_t index_ = 0;
    entity* parent_ = nullptr;
    std::vector<entity*> children_;
    byte_range range_;
    std::uint64_t body_offset_ = 0;
    std::size_t separator_length_ = 0;
    byte_range preamble_, epilogue_, close_;
    std::vector<byte_range> delimiters_;
    std::uint32_t defects_ = 0;
    bool modified_ = false;
};

/// A parsed message: the entity tree plus the source its ranges point into.
class message {
public:
    message() = default;
    message(message&&) noexcept = default;
    message& operator=(message&&) noexcept = default;

    /// The top-level entity (nullptr only for a default-constructed message).
    const entity* root() const noexcept { return parts_.empty() ? nullptr : &parts_.front(); }
    entity* root_mut() noexcept { return parts_.empty() ? nullptr : &parts_.front(); }
    /// Every entity in pre-order (root first).
    const std::deque<entity>& parts() const noexcept { return parts_; }
    /// The entity with the given part_number() ("" or "0" = root), or nullptr.
    const entity* find_part(std::string_view part_number) const;
    const source& src() const noexcept { return *source_; }
    const std::shared_ptr<const source>& source_ptr() const noexcept { return source_; }
    /// Union of all defect flags.
    std::uint32_t defects() const noexcept { return defects_; }

private:
    friend class tree_builder;
    std::shared_ptr<const source> source_;
    std::deque<entity> parts_;
    std::uint32_t defects_ = 0;
};

} // namespace pigeon::mime
