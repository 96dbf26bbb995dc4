#pragma once
// Temporary files for the composer's tests (removed when the object dies).
#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <unistd.h>

namespace pigeon::test::compose {

class temp_file {
public:
    explicit temp_file(const std::string& name, const std::string& content = {})
    {
        static std::atomic<int> counter{0};
        dir_ = std::filesystem::temp_directory_path() /
               ("pigeon-compose-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        std::filesystem::create_directories(dir_);
        path_ = dir_ / name;
        write(content);
    }
    ~temp_file()
    {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    temp_file(const temp_file&) = delete;
    temp_file& operator=(const temp_file&) = delete;

    void write(const std::string& content) const
    {
        std::ofstream f(path_, std::ios::binary | std::ios::trunc);
        f << content;
    }
    void append(const std::string& content) const
    {
        std::ofstream f(path_, std::ios::binary | std::ios::app);
        f << content;
    }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path dir_, path_;
};

inline std::string random_bytes(std::size_t n, unsigned seed)
{
    std::mt19937 rng(seed);
    std::string s(n, '\0');
    for (auto& c : s) c = static_cast<char>(rng());
    return s;
}

} // namespace pigeon::test::compose
