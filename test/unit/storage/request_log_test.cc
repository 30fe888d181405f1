// RequestLog: non-blocking submit, batched idempotent writes, drops, retries, durability.
#include "storage/request_log.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "storage/sqlite_db.h"
#include "temp_dir.h"

namespace gw::storage {

// Found by ADL, so failed comparisons print the record instead of its bytes.
void PrintTo(const RequestRecord& r, std::ostream* os) {
  *os << "{" << r.request_id << "#" << r.attempt << " ts=" << r.ts_ms << " persona=" << r.persona
      << " key=" << r.key_name << " team=" << r.team << " project=" << r.project
      << " provider=" << r.provider << " model=" << r.model << " route=" << r.route
      << " status=" << r.status << " error=" << r.error_kind << " stream=" << r.stream
      << " tokens=" << r.input_tokens << "/" << r.output_tokens << "/" << r.cache_read_tokens << "/"
      << r.cache_write_tokens << "/" << r.reasoning_tokens << " duration=" << r.duration_ms
      << " ttfb=" << r.ttfb_ms << "}";
}

namespace {

using namespace std::chrono_literals;
using testing::TempDir;

RequestRecord record(std::string id, int attempt = 1, std::int64_t ts_ms = 1'700'000'000'000) {
  RequestRecord r;
  r.request_id = std::move(id);
  r.attempt = attempt;
  r.ts_ms = ts_ms;
  r.persona = "researcher";
  r.provider = "openai";
  r.model = "gpt-4o-mini";
  r.status = 200;
  return r;
}

std::int64_t row_count(const std::string& url, const std::string& where = "1") {
  auto db = SqliteDb::open(url);
  EXPECT_TRUE(db.ok());
  if (!db.ok()) return -1;
  auto n = db->query_int("SELECT count(*) FROM request_log WHERE " + where);
  EXPECT_TRUE(n.ok()) << (n.ok() ? "" : n.error().message);
  return n.ok() ? *n : -1;
}

// Polls until pred holds or the deadline passes; returns pred's final value.
template <typename Pred>
bool eventually(Pred pred, std::chrono::milliseconds deadline = 5000ms) {
  auto until = std::chrono::steady_clock::now() + deadline;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > until) return pred();
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

TEST(RequestLog, OpenMigratesAndStartsEmpty) {
  TempDir dir;
  auto log = RequestLog::open(dir.url("data/gateway.db"));
  ASSERT_TRUE(log.ok()) << log.error().message;
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "data/gateway.db"));
  auto rows = (*log)->recent(10);
  ASSERT_TRUE(rows.ok());
  EXPECT_TRUE(rows->empty());
  EXPECT_EQ((*log)->written(), 0u);
}

TEST(RequestLog, OpenRejectsBadUrl) {
  auto log = RequestLog::open("postgresql://localhost/gw");
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.error().code, kStorageErrorCode);
}

TEST(RequestLog, SubmitFlushWritesEveryField) {
  TempDir dir;
  auto log = RequestLog::open(dir.url("gw.db"));
  ASSERT_TRUE(log.ok());

  RequestRecord full;
  full.request_id = "req-full";
  full.attempt = 2;
  full.ts_ms = 1'700'000'000'123;
  full.persona = "coder";
  full.key_name = "ci-key";
  full.team = "platform";
  full.project = "gateway";
  full.provider = "anthropic";
  full.model = "claude-sonnet";
  full.route = "primary";
  full.status = 502;
  full.error_kind = "provider_server_error";
  full.stream = true;
  full.input_tokens = 1234;
  full.output_tokens = 567;
  full.cache_read_tokens = 89;
  full.cache_write_tokens = 10;
  full.reasoning_tokens = 11;
  full.duration_ms = 1520.25;
  full.ttfb_ms = 310.5;

  RequestRecord sparse;  // empty strings are stored as NULL and read back as ""
  sparse.request_id = "req-sparse";
  sparse.ts_ms = 1'700'000'000'000;

  ASSERT_TRUE((*log)->submit(full));
  ASSERT_TRUE((*log)->submit(sparse));
  (*log)->flush();
  EXPECT_EQ((*log)->written(), 2u);
  EXPECT_EQ((*log)->failed(), 0u);

  auto rows = (*log)->recent(10);
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0], full);  // newest first
  EXPECT_EQ((*rows)[1], sparse);
  EXPECT_EQ(row_count(dir.url("gw.db"), "persona IS NULL AND request_id = 'req-sparse'"), 1);
}

TEST(RequestLog, RecentReturnsNewestFirstUpToLimit) {
  auto log = RequestLog::open("sqlite::memory:");
  ASSERT_TRUE(log.ok());
  for (int i = 1; i <= 5; ++i) ASSERT_TRUE((*log)->submit(record("r" + std::to_string(i), 1, i)));
  (*log)->flush();
  auto rows = (*log)->recent(3);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].request_id, "r5");
  EXPECT_EQ((*rows)[1].request_id, "r4");
  EXPECT_EQ((*rows)[2].request_id, "r3");
}

TEST(RequestLog, DuplicateRequestAttemptIsIgnored) {
  TempDir dir;
  auto log = RequestLog::open(dir.url("gw.db"));
  ASSERT_TRUE(log.ok());
  RequestRecord first = record("req-1", 1);
  RequestRecord again = record("req-1", 1);
  again.model = "other-model";
  ASSERT_TRUE((*log)->submit(first));
  ASSERT_TRUE((*log)->submit(again));
  ASSERT_TRUE((*log)->submit(record("req-1", 2)));  // a new attempt is a new row
  (*log)->flush();
  // Across batches too: the same key submitted after the first one is committed.
  ASSERT_TRUE((*log)->submit(again));
  (*log)->flush();

  EXPECT_EQ((*log)->written(), 2u);
  EXPECT_EQ((*log)->duplicates(), 2u);
  EXPECT_EQ((*log)->failed(), 0u);
  EXPECT_EQ(row_count(dir.url("gw.db")), 2);
  EXPECT_EQ(row_count(dir.url("gw.db"), "attempt = 1 AND model = 'gpt-4o-mini'"), 1);
}

TEST(RequestLog, QueueFullDropsWithoutBlocking) {
  TempDir dir;
  auto log = RequestLog::open(dir.url("gw.db"), 4);
  ASSERT_TRUE(log.ok());
  auto locker = SqliteDb::open(dir.url("gw.db"));
  ASSERT_TRUE(locker.ok());

  // Hold the write lock so the writer blocks inside BEGIN IMMEDIATE with its first batch.
  ASSERT_TRUE(locker->exec("BEGIN IMMEDIATE").ok());
  ASSERT_TRUE((*log)->submit(record("in-flight")));
  ASSERT_TRUE(eventually([&] { return (*log)->queued() == 0; }));

  for (int i = 0; i < 4; ++i) EXPECT_TRUE((*log)->submit(record("q" + std::to_string(i))));
  EXPECT_EQ((*log)->queued(), 4u);
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE((*log)->submit(record("over-1")));
  EXPECT_FALSE((*log)->submit(record("over-2")));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 500ms);  // never waits on the writer
  EXPECT_EQ((*log)->dropped(), 2u);
  EXPECT_EQ((*log)->written(), 0u);

  ASSERT_TRUE(locker->exec("COMMIT").ok());
  (*log)->flush();
  EXPECT_EQ((*log)->written(), 5u);
  EXPECT_EQ((*log)->dropped(), 2u);
  EXPECT_EQ((*log)->failed(), 0u);
  EXPECT_EQ(row_count(dir.url("gw.db"), "request_id LIKE 'over-%'"), 0);
  EXPECT_EQ(row_count(dir.url("gw.db")), 5);
}

TEST(RequestLog, ConcurrentSubmitFromEightThreads) {
  TempDir dir;
  auto log = RequestLog::open(dir.url("gw.db"));
  ASSERT_TRUE(log.ok());
  RequestLog& sink = **log;
  constexpr int kThreads = 8;
  constexpr int kPerThread = 1000;
  std::vector<std::thread> threads;
  std::atomic<int> rejected{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&sink, &rejected, t] {
      for (int i = 0; i < kPerThread; ++i) {
        if (!sink.submit(record("t" + std::to_string(t) + "-" + std::to_string(i), 1, i))) {
          rejected.fetch_add(1);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  sink.flush();
  EXPECT_EQ(rejected.load(), 0);
  EXPECT_EQ(sink.written(), 8000u);
  EXPECT_EQ(sink.dropped(), 0u);
  EXPECT_EQ(sink.duplicates(), 0u);
  EXPECT_EQ(row_count(dir.url("gw.db")), 8000);
  EXPECT_EQ(row_count(dir.url("gw.db"), "request_id LIKE 't7-%'"), 1000);
}

TEST(RequestLog, CloseFlushesAndLaterSubmitsAreDropped) {
  TempDir dir;
  auto log = RequestLog::open(dir.url("gw.db"));
  ASSERT_TRUE(log.ok());
  for (int i = 0; i < 100; ++i) ASSERT_TRUE((*log)->submit(record("c" + std::to_string(i))));
  (*log)->close();  // no flush() first
  EXPECT_EQ((*log)->written(), 100u);
  EXPECT_EQ((*log)->queued(), 0u);
  EXPECT_FALSE((*log)->submit(record("late")));
  EXPECT_EQ((*log)->dropped(), 1u);
  (*log)->close();  // idempotent
  (*log)->flush();  // returns at once: nothing pending
  EXPECT_EQ(row_count(dir.url("gw.db")), 100);
}

TEST(RequestLog, DataSurvivesReopen) {
  TempDir dir;
  std::vector<RequestRecord> submitted;
  {
    auto log = RequestLog::open(dir.url("gw.db"));
    ASSERT_TRUE(log.ok());
    for (int i = 0; i < 50; ++i) {
      submitted.push_back(record("keep-" + std::to_string(i), 1, 1000 + i));
      ASSERT_TRUE((*log)->submit(submitted.back()));
    }
  }  // destructor closes
  auto reopened = RequestLog::open(dir.url("gw.db"));
  ASSERT_TRUE(reopened.ok()) << reopened.error().message;
  auto rows = (*reopened)->recent(1000);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 50u);
  for (std::size_t i = 0; i < 50; ++i) EXPECT_EQ((*rows)[i], submitted[49 - i]);
}

TEST(RequestLog, BusyDatabaseIsRetriedUntilItFrees) {
  TempDir dir;
  RequestLogOptions options;
  options.busy_timeout_ms = 10;
  options.backoff_initial = 5ms;
  options.backoff_max = 20ms;
  options.max_attempts = 1000;
  auto log = RequestLog::open(dir.url("gw.db"), options);
  ASSERT_TRUE(log.ok());
  auto locker = SqliteDb::open(dir.url("gw.db"));
  ASSERT_TRUE(locker.ok());

  ASSERT_TRUE(locker->exec("BEGIN IMMEDIATE").ok());
  for (int i = 0; i < 10; ++i) ASSERT_TRUE((*log)->submit(record("b" + std::to_string(i))));
  ASSERT_TRUE(eventually([&] { return (*log)->retries() >= 2; }));
  EXPECT_EQ((*log)->written(), 0u);
  ASSERT_TRUE(locker->exec("COMMIT").ok());

  (*log)->flush();
  EXPECT_EQ((*log)->written(), 10u);
  EXPECT_EQ((*log)->failed(), 0u);
  EXPECT_EQ(row_count(dir.url("gw.db")), 10);
}

TEST(RequestLog, PersistentFailureCountsFailedAndRecovers) {
  TempDir dir;
  RequestLogOptions options;
  options.max_attempts = 3;
  options.backoff_initial = 1ms;
  options.backoff_max = 2ms;
  auto log = RequestLog::open(dir.url("gw.db"), options);
  ASSERT_TRUE(log.ok());
  auto admin = SqliteDb::open(dir.url("gw.db"));
  ASSERT_TRUE(admin.ok());
  ASSERT_TRUE(admin
                  ->exec("CREATE TRIGGER reject_all BEFORE INSERT ON request_log "
                         "BEGIN SELECT RAISE(ABORT, 'injected failure'); END")
                  .ok());

  for (int i = 0; i < 3; ++i) ASSERT_TRUE((*log)->submit(record("f" + std::to_string(i))));
  (*log)->flush();  // returns: the writer gives up after max_attempts
  EXPECT_EQ((*log)->failed(), 3u);
  EXPECT_EQ((*log)->written(), 0u);
  EXPECT_GE((*log)->retries(), 2u);
  EXPECT_EQ((*log)->retries() % 2, 0u);  // two retries per batch with max_attempts = 3

  ASSERT_TRUE(admin->exec("DROP TRIGGER reject_all").ok());
  ASSERT_TRUE((*log)->submit(record("after")));
  (*log)->flush();
  EXPECT_EQ((*log)->written(), 1u);
  EXPECT_EQ((*log)->failed(), 3u);
  EXPECT_EQ(row_count(dir.url("gw.db")), 1);
}

TEST(RequestLog, FlushedRowsSurviveProcessExitWithoutClose) {
  TempDir dir;
  const std::string url = dir.url("gw.db");
  constexpr int kRows = 1000;

  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // Child: no close(), no destructors, no checkpoint — only what flush() made durable.
    auto log = RequestLog::open(url);
    if (!log.ok()) _exit(2);
    for (int i = 0; i < kRows; ++i) {
      if (!(*log)->submit(record("child-" + std::to_string(i), 1, i))) _exit(3);
    }
    (*log)->flush();
    _exit((*log)->written() == kRows ? 0 : 4);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  // The rows are in the WAL, which the next open recovers.
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "gw.db-wal"));

  auto log = RequestLog::open(url);
  ASSERT_TRUE(log.ok()) << log.error().message;
  auto rows = (*log)->recent(kRows + 10);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->size(), static_cast<std::size_t>(kRows));
  EXPECT_EQ(row_count(url, "request_id LIKE 'child-%'"), kRows);
}

TEST(RequestLog, KillNineMidBurstKeepsFlushedRowsAndIntegrity) {
  TempDir dir;
  const std::string url = dir.url("gw.db");
  constexpr int kFlushed = 500;
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);

  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    auto log = RequestLog::open(url);
    if (!log.ok()) _exit(2);
    for (int i = 0; i < kFlushed; ++i) (*log)->submit(record("acked-" + std::to_string(i)));
    (*log)->flush();
    char ready = 'y';
    if (write(fds[1], &ready, 1) != 1) _exit(3);
    // Keep the writer busy until the parent kills us mid-transaction.
    for (long i = 0;; ++i) (*log)->submit(record("burst-" + std::to_string(i)));
  }
  close(fds[1]);
  char ready = 0;
  ASSERT_EQ(read(fds[0], &ready, 1), 1);
  close(fds[0]);
  std::this_thread::sleep_for(50ms);
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status));

  auto db = SqliteDb::open(url);
  ASSERT_TRUE(db.ok());
  auto check = db->query_text("PRAGMA integrity_check");
  ASSERT_TRUE(check.ok());
  EXPECT_EQ(*check, "ok");
  EXPECT_EQ(row_count(url, "request_id LIKE 'acked-%'"), kFlushed);
}

}  // namespace
}  // namespace gw::storage
