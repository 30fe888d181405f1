// RequestLog: bounded queue in front of one SQLite writer thread. Inserts are idempotent
// (ON CONFLICT DO NOTHING on (ts_ms, ledger_key, attempt)), so a batch whose commit failed
// ambiguously can be retried without duplicating rows.
#include "storage/request_log.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "common/thread_name.h"
#include "observability/log.h"
#include "storage/migrations.h"

namespace gw::storage {
namespace {

constexpr std::string_view kInsertSql =
    "INSERT INTO request_log (request_id, attempt, ts_ms, persona, key_name, team, project, "
    "provider, model, route, status, error_kind, stream, input_tokens, output_tokens, "
    "cache_read_tokens, cache_write_tokens, reasoning_tokens, duration_ms, ttfb_ms, ledger_key) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, "
    "?19, ?20, ?21) ON CONFLICT (ts_ms, ledger_key, attempt) DO NOTHING";

constexpr std::string_view kRecentSql =
    "SELECT request_id, attempt, ts_ms, persona, key_name, team, project, provider, model, "
    "route, status, error_kind, stream, input_tokens, output_tokens, cache_read_tokens, "
    "cache_write_tokens, reasoning_tokens, duration_ms, ttfb_ms FROM request_log "
    "ORDER BY ts_ms DESC, request_id DESC, attempt DESC LIMIT ?1";

Status bind_record(Statement& stmt, const RequestRecord& r) {
  // Keeps the first failure; binding only fails on a programming error or out of memory.
  Status first;
  auto keep = [&first](Status s) {
    if (first && !s) first = std::move(s);
  };
  keep(stmt.bind(1, std::string_view(r.request_id)));
  keep(stmt.bind(2, r.attempt));
  keep(stmt.bind(3, r.ts_ms));
  keep(stmt.bind_text_or_null(4, r.persona));
  keep(stmt.bind_text_or_null(5, r.key_name));
  keep(stmt.bind_text_or_null(6, r.team));
  keep(stmt.bind_text_or_null(7, r.project));
  keep(stmt.bind_text_or_null(8, r.provider));
  keep(stmt.bind_text_or_null(9, r.model));
  keep(stmt.bind_text_or_null(10, r.route));
  keep(stmt.bind(11, r.status));
  keep(stmt.bind_text_or_null(12, r.error_kind));
  keep(stmt.bind(13, r.stream ? 1 : 0));
  keep(stmt.bind(14, r.input_tokens));
  keep(stmt.bind(15, r.output_tokens));
  keep(stmt.bind(16, r.cache_read_tokens));
  keep(stmt.bind(17, r.cache_write_tokens));
  keep(stmt.bind(18, r.reasoning_tokens));
  keep(stmt.bind(19, r.duration_ms));
  keep(stmt.bind(20, r.ttfb_ms));
  keep(stmt.bind(21, std::string_view(r.ledger_key.empty() ? r.request_id : r.ledger_key)));
  return first;
}

RequestRecord read_record(const Statement& stmt) {
  RequestRecord r;
  r.request_id = stmt.column_text(0);
  r.attempt = static_cast<int>(stmt.column_int64(1));
  r.ts_ms = stmt.column_int64(2);
  r.persona = stmt.column_text(3);
  r.key_name = stmt.column_text(4);
  r.team = stmt.column_text(5);
  r.project = stmt.column_text(6);
  r.provider = stmt.column_text(7);
  r.model = stmt.column_text(8);
  r.route = stmt.column_text(9);
  r.status = static_cast<int>(stmt.column_int64(10));
  r.error_kind = stmt.column_text(11);
  r.stream = stmt.column_int64(12) != 0;
  r.input_tokens = stmt.column_int64(13);
  r.output_tokens = stmt.column_int64(14);
  r.cache_read_tokens = stmt.column_int64(15);
  r.cache_write_tokens = stmt.column_int64(16);
  r.reasoning_tokens = stmt.column_int64(17);
  r.duration_ms = stmt.column_double(18);
  r.ttfb_ms = stmt.column_double(19);
  return r;
}

RequestLogOptions normalized(RequestLogOptions o) {
  o.max_batch = std::max<std::size_t>(o.max_batch, 1);
  o.max_attempts = std::max(o.max_attempts, 1);
  o.backoff_max = std::max(o.backoff_max, o.backoff_initial);
  return o;
}

}  // namespace

Result<std::unique_ptr<RequestLog>> RequestLog::open(const std::string& url,
                                                     std::size_t queue_capacity) {
  RequestLogOptions options;
  options.queue_capacity = queue_capacity;
  return open(url, options);
}

Result<std::unique_ptr<RequestLog>> RequestLog::open(const std::string& url,
                                                     const RequestLogOptions& options) {
  Result<SqliteDb> db =
      SqliteDb::open(url, SqliteOptions{.busy_timeout_ms = options.busy_timeout_ms});
  if (!db) return std::move(db).error();
  if (Status s = migrate(*db); !s) return std::move(s).error();
  Result<Statement> insert = db->prepare(kInsertSql);
  if (!insert) return std::move(insert).error();
  return std::unique_ptr<RequestLog>(
      new RequestLog(std::move(*db), std::move(*insert), normalized(options)));
}

RequestLog::RequestLog(SqliteDb db, Statement insert, const RequestLogOptions& options)
    : options_(options), db_(std::move(db)), insert_(std::move(insert)) {
  writer_ = std::thread([this] {
    name_this_thread("gw-reqlog");
    run_writer();
  });
}

RequestLog::~RequestLog() {
  close();
}

bool RequestLog::submit(RequestRecord record) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= options_.queue_capacity) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    queue_.push_back(std::move(record));
    ++accepted_;
    // The writer only sleeps on an empty queue, so only the first record needs to wake it.
    wake = queue_.size() == 1;
  }
  if (wake) work_cv_.notify_one();
  return true;
}

void RequestLog::flush() {
  std::unique_lock lock(mutex_);
  const std::uint64_t target = accepted_;
  ++flush_waiters_;  // tells a lingering writer to commit now
  work_cv_.notify_all();
  done_cv_.wait(lock, [&] { return finished_ >= target; });
  --flush_waiters_;
}

void RequestLog::close() {
  std::call_once(close_once_, [this] {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    work_cv_.notify_all();
    // The writer drains the queue before it exits, so joining it flushes.
    if (writer_.joinable()) writer_.join();
  });
}

std::size_t RequestLog::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void RequestLog::run_writer() {
  std::vector<RequestRecord> batch;
  batch.reserve(std::min<std::size_t>(options_.max_batch, 4096));
  std::uint64_t reported_drops = 0;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      work_cv_.wait(lock, [&] { return !queue_.empty() || stopping_; });
      if (queue_.empty()) return;  // stopping, and everything accepted is finished
      if (options_.linger.count() > 0) {
        work_cv_.wait_for(lock, options_.linger, [&] {
          return queue_.size() >= options_.max_batch || stopping_ || flush_waiters_ > 0;
        });
      }
      const std::size_t n = std::min(queue_.size(), options_.max_batch);
      for (std::size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }

    write_with_retry(batch);

    // Drops happen on I/O threads, which must not log per record; report them here, once per
    // batch at most.
    const std::uint64_t drops = dropped();
    if (drops != reported_drops) {
      GW_LOG_WARN("request log queue full: {} records dropped ({} in total)",
                  drops - reported_drops, drops);
      reported_drops = drops;
    }

    {
      std::lock_guard lock(mutex_);
      finished_ += batch.size();
    }
    done_cv_.notify_all();
    batch.clear();
  }
}

void RequestLog::write_with_retry(const std::vector<RequestRecord>& batch) {
  std::chrono::milliseconds delay = options_.backoff_initial;
  for (int attempt = 1;; ++attempt) {
    std::uint64_t inserted = 0;
    Status status;
    {
      std::lock_guard lock(db_mutex_);
      status = write_batch(batch, inserted);
    }
    if (status) {
      written_.fetch_add(inserted, std::memory_order_relaxed);
      duplicates_.fetch_add(batch.size() - inserted, std::memory_order_relaxed);
      return;
    }
    if (attempt >= options_.max_attempts) {
      failed_.fetch_add(batch.size(), std::memory_order_relaxed);
      GW_LOG_ERROR("request log: gave up on {} records (first request_id {}) after {} attempts: {}",
                   batch.size(), batch.front().request_id, attempt, status.error().message);
      return;
    }
    retries_.fetch_add(1, std::memory_order_relaxed);
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, options_.backoff_max);
  }
}

Status RequestLog::write_batch(const std::vector<RequestRecord>& batch, std::uint64_t& inserted) {
  inserted = 0;
  return db_.transaction([&]() -> Status {
    for (const RequestRecord& record : batch) {
      insert_.reset();
      Status s = bind_record(insert_, record);
      if (s) s = insert_.run();
      insert_.reset();  // an unreset failed statement would keep the transaction busy
      if (!s) return s;
      inserted += static_cast<std::uint64_t>(db_.changes());
    }
    return {};
  });
}

Result<std::vector<RequestRecord>> RequestLog::recent(std::size_t limit) {
  std::lock_guard lock(db_mutex_);
  Result<Statement> stmt = db_.prepare(kRecentSql);
  if (!stmt) return std::move(stmt).error();
  const auto capped = static_cast<std::int64_t>(
      std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max()));
  if (Status s = stmt->bind(1, capped); !s) return std::move(s).error();
  std::vector<RequestRecord> records;
  while (true) {
    Result<bool> row = stmt->step();
    if (!row) return std::move(row).error();
    if (!*row) break;
    records.push_back(read_record(*stmt));
  }
  return records;
}

}  // namespace gw::storage
