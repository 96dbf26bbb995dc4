#include "pigeon/mime/compose_error.hpp"

namespace pigeon::mime {
namespace {

class compose_category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "mime.compose"; }
    std::string message(int ev) const override
    {
        switch (static_cast<compose_errc>(ev)) {
        case compose_errc::ok: return "success";
        case compose_errc::forbidden_character:
            return "CR, LF, NUL or a Unicode line separator where a single header line is expected";
        case compose_errc::invalid_utf8: return "text is not valid UTF-8";
        case compose_errc::invalid_header_name:
            return "invalid header name (printable ASCII without ':' or space, 1 to 76 octets)";
        case compose_errc::reserved_header: return "this header is written by the composer itself";
        case compose_errc::header_too_long: return "header line cannot be folded under 998 octets";
        case compose_errc::invalid_address: return "invalid mail address";
        case compose_errc::needs_smtputf8:
            return "internationalised address needs the smtputf8 option (SMTPUTF8)";
        case compose_errc::missing_from: return "no From address";
        case compose_errc::invalid_media_type: return "invalid media type";
        case compose_errc::invalid_filename: return "invalid attachment file name";
        case compose_errc::file_error: return "attachment file cannot be read";
        case compose_errc::file_changed: return "attachment file changed while the message was composed";
        case compose_errc::invalid_argument: return "invalid argument";
        }
        return "unknown composer error";
    }
};

} // namespace

const std::error_category& compose_category() noexcept
{
    static const compose_category_impl cat;
    return cat;
}

} // namespace pigeon::mime
