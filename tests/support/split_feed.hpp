#pragma once
// Helpers to exercise a sans-I/O codec with every way its input can arrive:
// whole, split in two at every point, and one byte at a time.
//
//   pigeon::test::for_each_split(input, [&](const auto& pieces) {
//       INFO("split: " << pigeon::test::describe(pieces));
//       codec c;
//       std::string out;
//       for (auto p : pieces) c.feed(p, out);
//       CHECK(out == expected);
//   });
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pigeon::test {

using pieces = std::vector<std::string_view>;

/// Cuts input at the given offsets (ascending, each <= input.size()); an
/// offset equal to the previous one yields an empty piece.
inline pieces split_at(std::string_view input, const std::vector<std::size_t>& cuts) {
    pieces out;
    std::size_t from = 0;
    for (std::size_t cut : cuts) {
        if (cut < from) cut = from;
        if (cut > input.size()) cut = input.size();
        out.push_back(input.substr(from, cut - from));
        from = cut;
    }
    out.push_back(input.substr(from));
    return out;
}

/// Cuts input into pieces of at most n bytes (n >= 1); empty input gives one
/// empty piece.
inline pieces chunks_of(std::string_view input, std::size_t n) {
    if (n == 0) n = 1;
    pieces out;
    for (std::size_t i = 0; i < input.size(); i += n) out.push_back(input.substr(i, n));
    if (out.empty()) out.push_back(input);
    return out;
}

/// One piece per byte (empty input gives one empty piece).
inline pieces bytewise(std::string_view input) { return chunks_of(input, 1); }

/// Calls f(const pieces&) for:
///   1. the whole input as a single piece;
///   2. every 2-way split {input[0, i), input[i, n)} for 0 < i < n;
///   3. one-byte pieces (when n > 2; for n <= 2 this is already covered).
/// Every piece views input, which must outlive the calls. Returns the number
/// of calls made (1 + (n - 1) + (n > 2 ? 1 : 0) for n >= 1, and 1 for empty
/// input).
template <class F>
std::size_t for_each_split(std::string_view input, F&& f) {
    std::size_t calls = 0;
    const pieces whole{input};
    f(whole);
    ++calls;
    for (std::size_t i = 1; i < input.size(); ++i) {
        const pieces two{input.substr(0, i), input.substr(i)};
        f(two);
        ++calls;
    }
    if (input.size() > 2) {
        const pieces bytes = bytewise(input);
        f(bytes);
        ++calls;
    }
    return calls;
}

/// Calls f(const pieces&) for every 3-way split {[0,i), [i,j), [j,n)} with
/// 0 < i < j < n: O(n^2) calls, for short inputs where state spans two
/// boundaries. Returns the number of calls.
template <class F>
std::size_t for_each_split3(std::string_view input, F&& f) {
    std::size_t calls = 0;
    for (std::size_t i = 1; i < input.size(); ++i) {
        for (std::size_t j = i + 1; j < input.size(); ++j) {
            const pieces three{input.substr(0, i), input.substr(i, j - i), input.substr(j)};
            f(three);
            ++calls;
        }
    }
    return calls;
}

/// Copies pieces into owned strings, e.g. the chunks of a duplex_stream.
/// Empty pieces are kept (duplex_stream ignores them).
inline std::vector<std::string> to_chunks(const pieces& p) {
    std::vector<std::string> out;
    out.reserve(p.size());
    for (auto s : p) out.emplace_back(s);
    return out;
}

/// The piece sizes, for test diagnostics: "[3|5]", "[1|1|1]".
inline std::string describe(const pieces& p) {
    std::string out = "[";
    for (std::size_t i = 0; i < p.size(); ++i) {
        if (i) out += '|';
        out += std::to_string(p[i].size());
    }
    out += ']';
    return out;
}

} // namespace pigeon::test
