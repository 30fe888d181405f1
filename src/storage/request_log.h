// The durable per-request usage log. I/O threads hand records to submit(), which never blocks:
// it appends to a bounded in-memory queue under a short mutex, or counts a drop when the queue
// is full. One dedicated writer thread drains the queue into SQLite in batched transactions.
// A record is durable once flush() (or close()) has returned: it was committed with
// synchronous=FULL. Records still queued when the process dies are lost; the log is
// operational telemetry, not the ledger (cost events will be written synchronously at settle).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/result.h"
#include "storage/sqlite_db.h"

namespace gw::storage {

// One upstream attempt of one request. Empty strings are stored as NULL.
struct RequestRecord {
  std::string request_id;
  std::string ledger_key;  // the gateway's own id for the request (the key); empty: request_id
  int attempt = 1;
  std::int64_t ts_ms = 0;  // start of the attempt, Unix epoch milliseconds
  std::string persona, key_name, team, project, provider, model, route;
  int status = 0;          // HTTP status sent to the client
  std::string error_kind;  // name(ErrorKind) on failure, empty on success
  bool stream = false;
  std::int64_t input_tokens = 0, output_tokens = 0, cache_read_tokens = 0, cache_write_tokens = 0,
               reasoning_tokens = 0;
  double duration_ms = 0, ttfb_ms = 0;

  bool operator==(const RequestRecord&) const = default;
};

struct RequestLogOptions {
  std::size_t queue_capacity = 65536;  // records waiting for the writer; more are dropped
  std::size_t max_batch = 512;         // rows per transaction
  // Group commit: after the first record arrives, wait this long for more before committing,
  // so a busy gateway writes one transaction (one fsync) per batch rather than per record.
  std::chrono::milliseconds linger{20};
  int max_attempts = 6;                            // per batch, including the first
  std::chrono::milliseconds backoff_initial{100};  // doubles after each failed attempt…
  std::chrono::milliseconds backoff_max{2000};     // …up to this
  int busy_timeout_ms = 5000;
};

class RequestLog {
 public:
  // Opens the database, applies the schema migrations and starts the writer thread.
  static Result<std::unique_ptr<RequestLog>> open(const std::string& url,
                                                  std::size_t queue_capacity = 65536);
  static Result<std::unique_ptr<RequestLog>> open(const std::string& url,
                                                  const RequestLogOptions& options);

  RequestLog(const RequestLog&) = delete;
  RequestLog& operator=(const RequestLog&) = delete;
  ~RequestLog();  // close()

  // Non-blocking, safe from any thread: queues the record, or returns false and counts a drop
  // when the queue is full or the log is closed.
  bool submit(RequestRecord record);
  // Blocks until every record accepted before the call has been written or given up on.
  void flush();
  // Flushes, then stops the writer thread. Idempotent; later submits are dropped.
  void close();

  std::uint64_t written() const { return written_.load(std::memory_order_relaxed); }
  std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }
  std::uint64_t failed() const { return failed_.load(std::memory_order_relaxed); }
  // Rows ignored because their (ts_ms, ledger_key, attempt) was already stored.
  std::uint64_t duplicates() const { return duplicates_.load(std::memory_order_relaxed); }
  // Batch attempts that failed and were retried.
  std::uint64_t retries() const { return retries_.load(std::memory_order_relaxed); }
  // Records waiting in the queue (not counting the batch being written).
  std::size_t queued() const;

  // The newest records, newest first (by ts_ms). For tests and the CLI.
  Result<std::vector<RequestRecord>> recent(std::size_t limit);

 private:
  RequestLog(SqliteDb db, Statement insert, const RequestLogOptions& options);
  void run_writer();
  void write_with_retry(const std::vector<RequestRecord>& batch);
  Status write_batch(const std::vector<RequestRecord>& batch, std::uint64_t& inserted);

  const RequestLogOptions options_;

  // The connection and its insert statement: used by the writer thread and recent().
  std::mutex db_mutex_;
  SqliteDb db_;
  Statement insert_;

  // Queue state. accepted_ counts records queued, finished_ records written or given up on;
  // flush() waits for finished_ to reach the accepted_ it saw.
  mutable std::mutex mutex_;
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  std::deque<RequestRecord> queue_;
  std::uint64_t accepted_ = 0;
  std::uint64_t finished_ = 0;
  int flush_waiters_ = 0;  // threads blocked in flush(); the writer skips its linger for them
  bool stopping_ = false;
  std::once_flag close_once_;

  std::atomic<std::uint64_t> written_{0};
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<std::uint64_t> failed_{0};
  std::atomic<std::uint64_t> duplicates_{0};
  std::atomic<std::uint64_t> retries_{0};

  std::thread writer_;
};

}  // namespace gw::storage
