#include "config.hpp"

#include "common.hpp"

namespace pigeon::cli {

config_file load_config(const std::string& explicit_path) {
    config_file cfg = account::load_config(explicit_path);
    for (const auto& w : cfg.warnings) error_line("warning: " + w);
    return cfg;
}

} // namespace pigeon::cli
