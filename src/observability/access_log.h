// The access log: one JSON line per request, buffered in memory and written by a background
// thread every 100 ms (or when 64 KiB are pending), so request threads never block on disk.
// Lines are built by the caller with every value JSON-escaped; secrets never enter them.
#pragma once

#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace gw {

class AccessLog {
 public:
  // target: "stdout", "stderr", "off" or a file path (appended to).
  static std::unique_ptr<AccessLog> open(const std::string& target, std::string* error);
  ~AccessLog();

  void write(std::string_view line);  // line without the trailing newline
  void flush();
  bool enabled() const { return file_ != nullptr; }

 private:
  AccessLog() = default;
  void run();

  std::FILE* file_ = nullptr;
  bool owns_file_ = false;
  std::mutex mu_;
  std::condition_variable cv_;
  std::string pending_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace gw
