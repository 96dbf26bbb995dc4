#pragma once
// Read marks in the .newsrc format that tin, slrn, trn and slrnpull share:
// one line per group, "name: ranges" (subscribed) or "name! ranges"
// (unsubscribed), the ranges "1-120,125,130-140" of the article numbers
// read. pigeon keeps one per server in its state directory
// (STATE/news/<server>/newsrc): `news read` and `news list --mark-read`
// add to it, `news list --new` shows what is not in it, `news fetch` skips
// what is in it and can import and export it.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pigeon::cli {

/// A set of article numbers as sorted, disjoint, non-adjacent ranges.
class article_set {
public:
    void add(std::uint64_t n) { add(n, n); }
    void add(std::uint64_t first, std::uint64_t last);
    void add(const article_set& other);
    bool contains(std::uint64_t n) const noexcept;
    /// The smallest number >= n not in the set.
    std::uint64_t first_missing(std::uint64_t n) const noexcept;
    bool empty() const noexcept { return ranges_.empty(); }
    const std::vector<std::pair<std::uint64_t, std::uint64_t>>& ranges() const noexcept { return ranges_; }
    /// "1-120,125"; "" when empty.
    std::string to_string() const;
    /// Parses "1-120,125" (blanks ignored; "0" and empty items skipped).
    /// False when an item is not a number or a range.
    bool parse(std::string_view text);

private:
    std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges_;
};

struct newsrc_group {
    std::string name;
    bool subscribed = true;
    article_set read;
};

class newsrc {
public:
    /// Parses a .newsrc. Lines that are not "name: ranges" or "name! ranges"
    /// (options lines, garbage) are skipped and counted.
    static newsrc parse(std::string_view text);
    /// The file form, groups in the order first seen.
    std::string format() const;

    newsrc_group* find(std::string_view name);
    const newsrc_group* find(std::string_view name) const;
    /// The group, added (subscribed, nothing read) when absent.
    newsrc_group& get(std::string_view name);
    /// Adds the other's read marks (and groups) to this one.
    void merge(const newsrc& other);

    const std::vector<newsrc_group>& groups() const noexcept { return groups_; }
    std::size_t skipped_lines() const noexcept { return skipped_; }

private:
    std::vector<newsrc_group> groups_;
    std::size_t skipped_ = 0;
};

/// Reads a .newsrc file (absent: empty). Throws exit_error(66 / 74 / 65 when
/// larger than 64 MiB).
newsrc load_newsrc(const std::string& path);
/// Writes it atomically (temporary file, fsync, rename, directory fsync),
/// creating the directory (0700). Throws exit_error(73 / 74).
void save_newsrc(const std::string& path, const newsrc& n);
/// Read-modify-write under an exclusive lock (path + ".lock"), so that two
/// pigeons marking articles read at once lose nothing.
void update_newsrc(const std::string& path, const std::function<void(newsrc&)>& change);

/// The read marks of a news target: STATE_DIR/newsrc.
std::string newsrc_path(const std::string& state_dir);

} // namespace pigeon::cli
