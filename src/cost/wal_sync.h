// Durability apart from the writer (ADR 0012): the SQLite ledger commits with
// synchronous=NORMAL — the commit is in the WAL, visible and safe from a crash of the process,
// but not yet on the disk — and this makes it durable with an fdatasync of the WAL file through a
// descriptor of its own. fsync is per file (inode), not per descriptor, so one sync covers every
// commit the writer made before it, and the writer goes on committing the next batch meanwhile.
// A WAL is append-only until a checkpoint restarts it, so the commits before a sync are a prefix
// that recovery replays whole; the checkpoint itself syncs the WAL first (SQLite does, at NORMAL).
#pragma once

#include <string>

#include "common/result.h"
#include "cost/ledger.h"

namespace gw::cost {

class WalSync final : public DurableSync {
 public:
  explicit WalSync(std::string wal_path) : path_(std::move(wal_path)) {}
  ~WalSync() override;
  WalSync(const WalSync&) = delete;
  WalSync& operator=(const WalSync&) = delete;

  Status sync() override;

 private:
  // Opens the WAL, or reopens it when the file at the path is no longer the one held (the last
  // connection closed and a new WAL was created).
  Status ensure_open();

  std::string path_;
  int fd_ = -1;
};

}  // namespace gw::cost
