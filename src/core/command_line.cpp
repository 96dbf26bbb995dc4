#include "pigeon/core/command_line.hpp"

#include "pigeon/core/error.hpp"

namespace pigeon::core {

bool has_line_break_or_nul(std::string_view s) noexcept {
    return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

bool is_token(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7f) return false;
    }
    return true;
}

std::optional<command_line> encode_sasl_start(std::string_view verb, std::string_view mechanism,
                                              const std::optional<std::string>& initial_b64, std::size_t max_line,
                                              std::error_code& ec) {
    ec = make_error_code(errc::invalid_argument);
    if (!is_token(mechanism)) return std::nullopt;
    std::string line(verb);
    line += ' ';
    line += mechanism;
    net::secret_span secret{0, 0};
    if (initial_b64) {
        if (!is_token(*initial_b64)) return std::nullopt;
        line += ' ';
        secret = {line.size(), std::string_view::npos};
        line += *initial_b64;
    }
    if (line.size() + 2 > max_line) return std::nullopt;
    ec.clear();
    return command_line{std::move(line), secret};
}

} // namespace pigeon::core
