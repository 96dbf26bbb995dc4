#include "pigeon/mime/compose_media_type.hpp"

#include "pigeon/mime/encode_param.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <unordered_map>

namespace pigeon::mime {
namespace {

struct entry {
    std::string_view ext;
    std::string_view type;
};

// Sorted by extension (binary search).
constexpr entry builtin[] = {
    {"7z", "application/x-7z-compressed"},
    {"aac", "audio/aac"},
    {"avi", "video/x-msvideo"},
    {"avif", "image/avif"},
    {"bmp", "image/bmp"},
    {"bz2", "application/x-bzip2"},
    {"c", "text/x-c"},
    {"cpp", "text/x-c++"},
    {"css", "text/css"},
    {"csv", "text/csv"},
    {"diff", "text/x-diff"},
    {"doc", "application/msword"},
    {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    {"eml", "message/rfc822"},
    {"epub", "application/epub+zip"},
    {"flac", "audio/flac"},
    {"gif", "image/gif"},
    {"gz", "application/gzip"},
    {"h", "text/x-c"},
    {"heic", "image/heic"},
    {"hpp", "text/x-c++"},
    {"htm", "text/html"},
    {"html", "text/html"},
    {"ics", "text/calendar"},
    {"jpeg", "image/jpeg"},
    {"jpg", "image/jpeg"},
    {"js", "text/javascript"},
    {"json", "application/json"},
    {"key", "application/pgp-keys"},
    {"log", "text/plain"},
    {"m4a", "audio/mp4"},
    {"md", "text/markdown"},
    {"mid", "audio/midi"},
    {"mkv", "video/x-matroska"},
    {"mov", "video/quicktime"},
    {"mp3", "audio/mpeg"},
    {"mp4", "video/mp4"},
    {"mpeg", "video/mpeg"},
    {"odp", "application/vnd.oasis.opendocument.presentation"},
    {"ods", "application/vnd.oasis.opendocument.spreadsheet"},
    {"odt", "application/vnd.oasis.opendocument.text"},
    {"oga", "audio/ogg"},
    {"ogg", "audio/ogg"},
    {"ogv", "video/ogg"},
    {"otf", "font/otf"},
    {"patch", "text/x-diff"},
    {"pdf", "application/pdf"},
    {"png", "image/png"},
    {"ppt", "application/vnd.ms-powerpoint"},
    {"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
    {"py", "text/x-python"},
    {"rar", "application/vnd.rar"},
    {"rtf", "application/rtf"},
    {"sh", "application/x-sh"},
    {"svg", "image/svg+xml"},
    {"tar", "application/x-tar"},
    {"tgz", "application/gzip"},
    {"tif", "image/tiff"},
    {"tiff", "image/tiff"},
    {"toml", "application/toml"},
    {"ttf", "font/ttf"},
    {"txt", "text/plain"},
    {"vcf", "text/vcard"},
    {"wav", "audio/wav"},
    {"webm", "video/webm"},
    {"webp", "image/webp"},
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"xls", "application/vnd.ms-excel"},
    {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    {"xml", "application/xml"},
    {"xz", "application/x-xz"},
    {"yaml", "application/yaml"},
    {"yml", "application/yaml"},
    {"zip", "application/zip"},
    {"zst", "application/zstd"},
};

const std::unordered_map<std::string, std::string>& system_table()
{
    static const std::unordered_map<std::string, std::string> table = [] {
        std::unordered_map<std::string, std::string> t;
        std::ifstream in("/etc/mime.types");
        std::string line;
        std::size_t lines = 0;
        while (in && std::getline(in, line) && ++lines < 100000) {
            if (line.empty() || line[0] == '#') continue;
            std::istringstream ls(line);
            std::string type, ext;
            if (!(ls >> type) || !is_valid_media_type(type)) continue;
            while (ls >> ext)
                if (ext.size() < 32) t.emplace(ext, type);
        }
        return t;
    }();
    return table;
}

} // namespace

bool is_valid_media_type(std::string_view mt) noexcept
{
    const auto slash = mt.find('/');
    if (slash == std::string_view::npos) return false;
    return is_mime_token(mt.substr(0, slash)) && is_mime_token(mt.substr(slash + 1));
}

std::string media_type_for_filename(std::string_view filename, bool use_system_table)
{
    const auto slash = filename.find_last_of('/');
    if (slash != std::string_view::npos) filename.remove_prefix(slash + 1);
    const auto dot = filename.rfind('.');
    if (dot == std::string_view::npos || dot == 0 || dot + 1 == filename.size() || filename.size() - dot > 16)
        return "application/octet-stream";
    std::string ext(filename.substr(dot + 1));
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; });
    const auto it = std::lower_bound(std::begin(builtin), std::end(builtin), ext,
                                     [](const entry& e, const std::string& k) { return e.ext < k; });
    if (it != std::end(builtin) && it->ext == ext) return std::string(it->type);
    if (use_system_table) {
        const auto& t = system_table();
        if (auto f = t.find(ext); f != t.end()) return f->second;
    }
    return "application/octet-stream";
}

} // namespace pigeon::mime
