#pragma once
// The verbs of `pigeon news` (cmd_news.cpp registers them): each declares its
// options on its CLI11 subcommand and returns the function that runs it.
#include <functional>

#include <CLI/CLI.hpp>

namespace pigeon::cli {

std::function<int()> setup_news_groups(CLI::App& sub);  // cmd_news.cpp
std::function<int()> setup_news_list(CLI::App& sub);    // cmd_news.cpp
std::function<int()> setup_news_read(CLI::App& sub);    // news_read.cpp
std::function<int()> setup_news_post(CLI::App& sub);    // news_post.cpp
std::function<int()> setup_news_fetch(CLI::App& sub);   // news_fetch.cpp

} // namespace pigeon::cli
