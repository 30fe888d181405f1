// The ledger off the I/O threads. I/O threads submit operations, which never block: each goes on
// a bounded queue (a full queue answers at once with an error, so budgeted admission fails
// closed instead of waiting). One writer thread owns the ledger's connection and commits what has
// queued in small batches — one transaction, a savepoint per operation — then calls each
// operation's completion (callers post it back to their executor; see api/ledger_await.h).
// On SQLite the writer commits without waiting for the disk and a sync thread makes the commits
// durable with one fdatasync of the WAL for everything committed since the last one, while the
// writer goes on (ADR 0012): a reservation is answered at its commit, a settlement or limit only
// after the sync that covers it. On PostgreSQL each commit is durable when it returns. Reads (cost
// APIs) run on a second connection and thread so a long report never delays a reservation.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/result.h"
#include "cost/ledger.h"
#include "cost/settlement_spool.h"

namespace gw::cost {

struct LedgerServiceOptions {
  std::size_t queue_capacity = 16384;  // operations waiting for the writer
  std::size_t max_batch = 256;         // operations per transaction
  // Group commit: after an operation arrives, wait this long for more before committing. 0:
  // commit at once — operations that arrive during a commit's fsync share the next one, which
  // batches by itself under load without adding latency when idle (bench/README.md).
  std::chrono::microseconds linger{0};
  std::chrono::milliseconds sweep_interval{10000};  // settles reservations a crash left open
  // PostgreSQL ledger: where settlements wait while the ledger is unreachable (sqlite://PATH;
  // empty: none, a settlement that cannot be committed fails). See cost/settlement_spool.h.
  std::string spool_url;
  std::chrono::milliseconds replay_interval{1000};  // how often spooled settlements are retried
};

struct LedgerCounters {
  std::atomic<std::uint64_t> batches{0};
  std::atomic<std::uint64_t> operations{0};
  std::atomic<std::uint64_t> rejected{0};  // queue full or closed
  std::atomic<std::uint64_t> failed{0};    // an operation's transaction failed
  std::atomic<std::uint64_t> swept{0};     // reservations settled by the sweeper
};

class LedgerService {
 public:
  using ReserveDone = std::function<void(Result<ReserveResult>)>;
  using SettleDone = std::function<void(Result<Settlement>)>;
  using StatusDone = std::function<void(Status)>;
  using ReadJob = std::function<void(Ledger&)>;

  // Opens two connections to `url` (migrating the schema), sweeps what a crash left open, and
  // starts the writer and reader threads.
  static Result<std::unique_ptr<LedgerService>> start(const std::string& url,
                                                      LedgerServiceOptions options = {});
  ~LedgerService();  // stop()

  void reserve(Reservation r, ReserveDone done);
  void settle(CostEvent e, SettleDone done);
  void set_limit(BudgetWindow w, StatusDone done);
  // Queues a streaming attempt's checkpoint; nobody waits for it (false: the queue refused it).
  // Committed like a reservation, without waiting for the disk.
  bool checkpoint(Checkpoint c);
  // Runs job on the reader thread with the reader's connection.
  void read(ReadJob job);

  // Commits what is queued, then stops both threads. Idempotent; later operations fail.
  void stop();

  const LedgerCounters& counters() const { return counters_; }
  std::size_t queued() const;

 private:
  struct Op;
  LedgerService(std::unique_ptr<Ledger> writer, std::unique_ptr<Ledger> reader,
                std::unique_ptr<SettlementSpool> spool, LedgerServiceOptions options);
  bool push(Op op);
  void write_loop();
  void read_loop();
  void sync_loop();
  // Writer thread: one settlement step, with the windows it charged.
  Result<Settlement> settle_one(const CostEvent& event);
  // Writer thread: a settlement the ledger could not take goes to the spool (true when it did).
  bool spool(const CostEvent& event);
  // Writer thread: hands spooled settlements to the ledger again, a batch at a time.
  void replay_spool();
  static bool must_sync(const Op& op);
  // Delivers an operation's result now, or — a settlement or limit on a deferred-sync ledger —
  // after the next WAL sync.
  void deliver(Op& op, bool committed_unsynced);

  std::unique_ptr<Ledger> writer_ledger_;
  std::unique_ptr<Ledger> reader_ledger_;
  std::unique_ptr<SettlementSpool> spool_;
  std::int64_t spool_size_ = 0;  // writer thread only
  LedgerServiceOptions options_;
  LedgerCounters counters_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Op> queue_;
  std::mutex read_mu_;
  std::condition_variable read_wake_;
  std::deque<ReadJob> reads_;
  bool stopping_ = false;
  // Deferred durability (ADR 0012): results that wait for the sync thread's next fdatasync.
  std::unique_ptr<DurableSync> durable_;
  std::mutex sync_mu_;
  std::condition_variable sync_wake_;
  std::vector<std::function<void(Status)>> awaiting_sync_;
  bool sync_stopping_ = false;
  std::thread writer_;
  std::thread reader_;
  std::thread syncer_;
};

}  // namespace gw::cost
