// A fresh directory per test, removed afterwards, so storage tests never share a database file.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

namespace gw::storage::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "gw_storage_XXXXXX").string();
    char* made = mkdtemp(pattern.data());
    EXPECT_NE(made, nullptr) << "mkdtemp failed";
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // "sqlite://" + absolute path: the absolute path's leading '/' gives "sqlite:///…".
  std::string url(const std::string& relative) const {
    return "sqlite://" + (path_ / relative).string();
  }

 private:
  std::filesystem::path path_;
};

}  // namespace gw::storage::testing
