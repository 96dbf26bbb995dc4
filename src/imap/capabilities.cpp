#include "pigeon/imap/capabilities.hpp"

#include "pigeon/net/ascii.hpp"

namespace pigeon::imap {

capabilities capabilities::parse(const std::vector<std::string>& atoms) {
    capabilities c;
    for (const auto& a : atoms)
        if (!a.empty()) c.atoms_.push_back(a);
    return c;
}

capabilities capabilities::from_tokens(const std::vector<token>& data) {
    std::vector<std::string> atoms;
    for (const auto& t : data)
        if (t.kind == token_kind::atom || t.kind == token_kind::number) atoms.push_back(t.text);
    return parse(atoms);
}

capabilities capabilities::from_code(const response_code& code) { return parse(code.arguments()); }

bool capabilities::has(std::string_view name) const noexcept {
    for (const auto& a : atoms_)
        if (net::ascii::iequals(a, name)) return true;
    return false;
}

std::vector<std::string> capabilities::auth_mechanisms() const {
    std::vector<std::string> out;
    for (const auto& a : atoms_) {
        if (a.size() > 5 && net::ascii::istarts_with(a, "AUTH=")) out.push_back(net::ascii::upper(std::string_view(a).substr(5)));
    }
    return out;
}

} // namespace pigeon::imap
