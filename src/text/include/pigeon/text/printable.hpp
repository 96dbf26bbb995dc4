#pragma once
// Text from a server, a file or a user made safe for a terminal or a log:
// C0 and C1 controls, DEL and bytes that are not UTF-8 as \xNN; tabs and
// valid UTF-8 kept. Used by the CLI for every message it prints and by the
// library's own error texts.
#include <string>
#include <string_view>

namespace pigeon::text {

std::string printable(std::string_view text);

} // namespace pigeon::text
