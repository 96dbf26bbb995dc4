#pragma once
// Factories of the individual mechanisms, behind make_mechanism(). Internal.
#include <memory>
#include <string>
#include <string_view>

#include "pigeon/sasl/mechanism.hpp"

namespace pigeon::sasl::detail {

std::unique_ptr<mechanism> make_plain(const credentials& creds);
std::unique_ptr<mechanism> make_login(const credentials& creds);
std::unique_ptr<mechanism> make_cram_md5(const credentials& creds);
std::unique_ptr<mechanism> make_xoauth2(const credentials& creds);
std::unique_ptr<mechanism> make_oauthbearer(const credentials& creds);
std::unique_ptr<mechanism> make_external(const credentials& creds);

/// RFC 5802 saslname (also the GS2 authzid of RFC 5801): ',' -> "=2C",
/// '=' -> "=3D".
std::string gs2_saslname(std::string_view name);

/// Wipes the secrets (password, token) held in a copy of the credentials.
void wipe_secrets(credentials& creds) noexcept;

/// True when s contains the byte c.
inline bool contains(std::string_view s, char c) noexcept { return s.find(c) != std::string_view::npos; }

} // namespace pigeon::sasl::detail
