#pragma once
// Header fields as parsed: the name and the raw value (folds kept), plus the
// helpers every structured-field parser starts from.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pigeon::mime {

/// One header field: name as written (case kept), raw value after the colon
/// with leading blanks removed, folding line breaks kept, final line end
/// removed. Views point into the owning header_list.
struct header_field {
    std::string_view name;
    std::string_view value;
};

/// Removes folding: every CRLF / LF followed by a space or tab is dropped
/// (the blank stays), per RFC 5322 section 2.2.3. Other CR/LF bytes are kept.
std::string unfold(std::string_view raw);

/// unfold() and then strips leading and trailing spaces and tabs.
std::string unfold_trim(std::string_view raw);

/// ASCII case-insensitive comparison of header names and tokens.
bool iequals(std::string_view a, std::string_view b) noexcept;

/// The fields of one header block, in order. Names and values are stored in
/// one arena, so a block costs two allocations however many fields it has.
class header_list {
public:
    std::size_t size() const noexcept { return fields_.size(); }
    bool empty() const noexcept { return fields_.empty(); }
    header_field operator[](std::size_t i) const noexcept;

    /// Raw value of the first field named name (case-insensitive).
    std::optional<std::string_view> find(std::string_view name) const noexcept;
    /// Raw values of every field named name, in order.
    std::vector<std::string_view> find_all(std::string_view name) const;
    /// Unfolded, trimmed value of the first field named name ("" if none).
    std::string get(std::string_view name) const;

    /// Appends a field (raw value as defined for header_field).
    void add(std::string_view name, std::string_view raw_value);
    /// Replaces the first field named name (or appends it); removes the rest.
    void set(std::string_view name, std::string_view raw_value);
    /// Removes every field named name; returns how many.
    std::size_t remove(std::string_view name);
    void clear() noexcept { arena_.clear(); fields_.clear(); }
    /// Reserves room for bytes of names and values and for count fields.
    void reserve(std::size_t bytes, std::size_t count) {
        arena_.reserve(bytes);
        fields_.reserve(count);
    }

    class iterator {
    public:
        using value_type = header_field;
        using difference_type = std::ptrdiff_t;
        iterator() = default;
        iterator(const header_list* l, std::size_t i) : list_(l), i_(i) {}
        header_field operator*() const { return (*list_)[i_]; }
        iterator& operator++() { ++i_; return *this; }
        iterator operator++(int) { auto t = *this; ++i_; return t; }
        friend bool operator==(const iterator& a, const iterator& b) { return a.i_ == b.i_; }
    private:
        const header_list* list_ = nullptr;
        std::size_t i_ = 0;
    };
    iterator begin() const noexcept { return {this, 0}; }
    iterator end() const noexcept { return {this, fields_.size()}; }

private:
    struct slot {
        std::uint32_t name_off, name_len, value_off, value_len;
    };
    std::string arena_;
    std::vector<slot> fields_;
};

} // namespace pigeon::mime
