#include "cost/wal_sync.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace gw::cost {
namespace {

Error sync_error(const std::string& what, const std::string& path, int err) {
  return Error::make(ErrorKind::gateway_internal,
                     "ledger: " + what + " " + path + ": " + std::strerror(err), "storage_error");
}

}  // namespace

WalSync::~WalSync() {
  if (fd_ >= 0) ::close(fd_);
}

Status WalSync::ensure_open() {
  struct stat at_path {};
  if (::stat(path_.c_str(), &at_path) != 0) {
    if (errno == ENOENT && fd_ < 0) return Status{};  // nothing committed to a WAL yet
    if (errno != ENOENT) return sync_error("stat", path_, errno);
  }
  if (fd_ >= 0) {
    struct stat held {};
    if (::fstat(fd_, &held) == 0 && held.st_dev == at_path.st_dev &&
        held.st_ino == at_path.st_ino) {
      return Status{};
    }
    ::close(fd_);
    fd_ = -1;
  }
  fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) {
    if (errno == ENOENT) return Status{};
    return sync_error("open", path_, errno);
  }
  return Status{};
}

Status WalSync::sync() {
  if (Status s = ensure_open(); !s) return s;
  if (fd_ < 0) return Status{};
  if (::fdatasync(fd_) != 0) return sync_error("fdatasync", path_, errno);
  return Status{};
}

}  // namespace gw::cost
