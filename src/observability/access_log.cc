#include "observability/access_log.h"

#include <cerrno>
#include <chrono>
#include <cstring>

#include "common/thread_name.h"

namespace gw {

std::unique_ptr<AccessLog> AccessLog::open(const std::string& target, std::string* error) {
  std::unique_ptr<AccessLog> log(new AccessLog());
  if (target == "off" || target.empty()) return log;
  if (target == "stdout") {
    log->file_ = stdout;
  } else if (target == "stderr") {
    log->file_ = stderr;
  } else {
    log->file_ = std::fopen(target.c_str(), "a");
    if (log->file_ == nullptr) {
      if (error) *error = "cannot open access log " + target + ": " + std::strerror(errno);
      return nullptr;
    }
    log->owns_file_ = true;
  }
  log->thread_ = std::thread([l = log.get()] {
    name_this_thread("gw-accesslog");
    l->run();
  });
  return log;
}

AccessLog::~AccessLog() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (owns_file_ && file_) std::fclose(file_);
}

void AccessLog::write(std::string_view line) {
  if (!file_) return;
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    pending_.append(line);
    pending_.push_back('\n');
    wake = pending_.size() >= 64 * 1024;
  }
  if (wake) cv_.notify_one();
}

void AccessLog::flush() {
  if (!file_) return;
  std::string out;
  {
    std::lock_guard lock(mu_);
    out.swap(pending_);
  }
  if (!out.empty()) std::fwrite(out.data(), 1, out.size(), file_);
  std::fflush(file_);
}

void AccessLog::run() {
  std::string out;
  for (;;) {
    bool stopping;
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(100),
                   [&] { return stop_ || pending_.size() >= 64 * 1024; });
      out.swap(pending_);
      stopping = stop_;
    }
    if (!out.empty()) {
      std::fwrite(out.data(), 1, out.size(), file_);
      std::fflush(file_);
      out.clear();
    }
    if (stopping) {
      std::lock_guard lock(mu_);
      if (pending_.empty()) return;
    }
  }
}

}  // namespace gw
