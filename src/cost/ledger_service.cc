#include "cost/ledger_service.h"

#include <algorithm>
#include <variant>
#include <vector>

#include "common/thread_name.h"
#include "observability/gateway_metrics.h"
#include "observability/log.h"

namespace gw::cost {

struct LedgerService::Op {
  std::variant<Reservation, CostEvent, BudgetWindow, Checkpoint> what;
  ReserveDone reserved;
  SettleDone settled;
  StatusDone done;
  int tries = 0;
  // The step's result, kept until it is delivered.
  Result<ReserveResult> reserve_result = ReserveResult{};
  Result<Settlement> settle_result = Settlement{};
  Status status_result;
};

namespace {

Error closed_error() {
  return Error::make(ErrorKind::gateway_unavailable,
                     "the cost ledger is not accepting operations (queue full or shutting down)",
                     "ledger_unavailable");
}

constexpr int kMaxTries = 3;

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

// Settlements and limits are answered only once they are on the disk; reservations and
// checkpoints need not wait for it (see Ledger::set_synced_commits).
bool LedgerService::must_sync(const Op& op) {
  return std::holds_alternative<CostEvent>(op.what) ||
         std::holds_alternative<BudgetWindow>(op.what);
}

Result<std::unique_ptr<LedgerService>> LedgerService::start(const std::string& url,
                                                            LedgerServiceOptions options) {
  auto writer = open_ledger(url);
  if (!writer) return std::move(writer).error();
  auto reader = open_ledger(url);
  if (!reader) return std::move(reader).error();
  // Reservations a crash left open are settled at their reserved amount: on SQLite (one
  // process owns the file) all of them at once; on a shared PostgreSQL only expired ones, since
  // another instance may still be serving the rest. Later ones by the periodic sweep.
  const bool shared = is_postgres_url(url);
  auto swept = (*writer)->sweep_expired(shared ? wall_ms() : INT64_MAX);
  if (!swept) return std::move(swept).error();
  if (*swept > 0) GW_LOG_WARN("ledger: settled {} reservations left open by a crash", *swept);
  std::unique_ptr<SettlementSpool> spool;
  if (!options.spool_url.empty()) {
    auto opened = SettlementSpool::open(options.spool_url);
    if (!opened) return std::move(opened).error();
    spool = std::move(opened).value();
  }
  std::unique_ptr<LedgerService> service(new LedgerService(
      std::move(writer).value(), std::move(reader).value(), std::move(spool), options));
  service->counters_.swept += static_cast<std::uint64_t>(*swept);
  return service;
}

LedgerService::LedgerService(std::unique_ptr<Ledger> writer, std::unique_ptr<Ledger> reader,
                             std::unique_ptr<SettlementSpool> spool, LedgerServiceOptions options)
    : writer_ledger_(std::move(writer)),
      reader_ledger_(std::move(reader)),
      spool_(std::move(spool)),
      options_(std::move(options)) {
  if (spool_) {
    auto waiting = spool_->size();
    spool_size_ = waiting ? *waiting : 0;
    if (spool_size_ > 0) {
      GW_LOG_WARN("ledger: {} spooled settlements wait for the ledger", spool_size_);
    }
  }
  durable_ = writer_ledger_->deferred_sync();
  if (durable_) {
    if (Status s = writer_ledger_->set_synced_commits(false); !s) {
      GW_LOG_WARN("ledger: cannot commit without syncing ({}); every commit waits for the disk",
                  s.error().message);
      durable_.reset();
    }
  }
  if (durable_) {
    syncer_ = std::thread([this] {
      name_this_thread("gw-ledger-sync");
      sync_loop();
    });
  }
  writer_ = std::thread([this] {
    name_this_thread("gw-ledger-w");
    write_loop();
  });
  reader_ = std::thread([this] {
    name_this_thread("gw-ledger-r");
    read_loop();
  });
}

LedgerService::~LedgerService() {
  stop();
}

bool LedgerService::push(Op op) {
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    if (stopping_ || queue_.size() >= options_.queue_capacity) {
      ++counters_.rejected;
      return false;
    }
    queue_.push_back(std::move(op));
    // The writer sleeps only on an empty queue, or lingers until a batch is full: only the
    // operation that ends either needs to wake it. Woken after the unlock, so it does not wake
    // into a held mutex.
    wake = queue_.size() == 1 || queue_.size() == options_.max_batch;
  }
  if (wake) wake_.notify_one();
  return true;
}

void LedgerService::reserve(Reservation r, ReserveDone done) {
  Op op;
  op.what = std::move(r);
  op.reserved = std::move(done);
  ReserveDone fallback = op.reserved;
  if (!push(std::move(op))) fallback(closed_error());
}

void LedgerService::settle(CostEvent e, SettleDone done) {
  Op op;
  op.what = std::move(e);
  op.settled = std::move(done);
  SettleDone fallback = op.settled;
  if (!push(std::move(op))) fallback(closed_error());
}

void LedgerService::set_limit(BudgetWindow w, StatusDone done) {
  Op op;
  op.what = std::move(w);
  op.done = std::move(done);
  StatusDone fallback = op.done;
  if (!push(std::move(op))) fallback(closed_error());
}

bool LedgerService::checkpoint(Checkpoint c) {
  Op op;
  op.what = std::move(c);
  return push(std::move(op));
}

void LedgerService::read(ReadJob job) {
  std::lock_guard lock(read_mu_);
  reads_.push_back(std::move(job));
  read_wake_.notify_one();
}

std::size_t LedgerService::queued() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

void LedgerService::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  {
    std::lock_guard lock(read_mu_);
    read_wake_.notify_all();
  }
  if (writer_.joinable()) writer_.join();
  // The writer has committed its last batch: the syncer makes it durable, answers, and ends.
  {
    std::lock_guard lock(sync_mu_);
    sync_stopping_ = true;
  }
  sync_wake_.notify_all();
  if (syncer_.joinable()) syncer_.join();
  if (reader_.joinable()) reader_.join();
}

bool LedgerService::spool(const CostEvent& event) {
  Status added = spool_->add(event, wall_ms());
  if (!added) {
    GW_LOG_ERROR(
        "ledger: request {} attempt {}: neither the ledger nor the spool took the "
        "settlement: {}",
        event.request_id, event.attempt, added.error().message);
    return false;
  }
  if (spool_size_++ == 0) {
    GW_LOG_WARN("ledger unreachable: settlements are spooled locally until it is back");
  }
  gateway_metrics().ledger_spool.counter({"spooled"}).inc();
  return true;
}

void LedgerService::replay_spool() {
  auto due = spool_->oldest(options_.max_batch);
  if (!due) {
    GW_LOG_ERROR("ledger spool: cannot read: {}", due.error().message);
    return;
  }
  if (due->empty()) {
    spool_size_ = 0;
    return;
  }
  // One transaction, a savepoint per settlement, as for a batch from the queue. Idempotent:
  // an event that did commit before (an ambiguous COMMIT) is reported as already settled.
  Status begun = writer_ledger_->begin();
  std::vector<std::int64_t> done;
  for (const auto& [id, event] : *due) {
    if (!begun) break;
    auto settled = writer_ledger_->settle_step(event, nullptr);
    if (settled) {
      done.push_back(id);
    } else if (settled.error().code == "ledger_unavailable" ||
               settled.error().code == "ledger_conflict") {
      begun = settled.error();  // still unreachable, or busy: the whole batch again later
    } else {
      // The ledger refuses it for good (not a connection problem): logged and dropped.
      GW_LOG_ERROR("ledger spool: request {} attempt {} refused by the ledger: {}",
                   event.request_id, event.attempt, settled.error().message);
      done.push_back(id);
    }
  }
  Status committed = begun ? writer_ledger_->commit() : begun;
  if (!committed) {
    writer_ledger_->rollback();
    return;  // the spool keeps them
  }
  // Removed only after the ledger committed: a crash in between replays them once more, which
  // the ledger's (ledger_key, attempt) key makes harmless.
  if (Status removed = spool_->remove(done); !removed) {
    GW_LOG_ERROR("ledger spool: cannot remove replayed entries: {}", removed.error().message);
    return;
  }
  gateway_metrics().ledger_spool.counter({"replayed"}).inc(done.size());
  auto left = spool_->size();
  spool_size_ = left ? *left : 0;
  if (spool_size_ == 0) GW_LOG_INFO("ledger reachable again: every spooled settlement is recorded");
}

Result<Settlement> LedgerService::settle_one(const CostEvent& event) {
  Settlement s;
  auto recorded = writer_ledger_->settle_step(event, &s.charged);
  if (!recorded) return std::move(recorded).error();
  s.recorded = *recorded;
  return s;
}

void LedgerService::sync_loop() {
  std::vector<std::function<void(Status)>> due;
  for (;;) {
    {
      std::unique_lock lock(sync_mu_);
      sync_wake_.wait(lock, [&] { return sync_stopping_ || !awaiting_sync_.empty(); });
      if (awaiting_sync_.empty()) return;  // stopping, nothing left
      due.swap(awaiting_sync_);
    }
    // Everything in `due` was committed before this call: one fdatasync covers it all, and what
    // the writer commits meanwhile waits for the next round.
    Status synced = durable_->sync();
    gateway_metrics().ledger_syncs.counter({synced ? "ok" : "error"}).inc();
    if (!synced) {
      counters_.failed += due.size();
      GW_LOG_ERROR("ledger: syncing {} committed operations failed: {}", due.size(),
                   synced.error().message);
    }
    for (auto& answer : due) answer(synced);
    due.clear();
  }
}

void LedgerService::deliver(Op& op, bool committed_unsynced) {
  if (std::holds_alternative<Checkpoint>(op.what)) return;  // nobody waits for a checkpoint
  const bool waits = committed_unsynced && durable_ && must_sync(op);
  if (!waits) {
    if (std::holds_alternative<Reservation>(op.what)) {
      op.reserved(std::move(op.reserve_result));
    } else if (std::holds_alternative<CostEvent>(op.what)) {
      op.settled(std::move(op.settle_result));
    } else {
      op.done(std::move(op.status_result));
    }
    return;
  }
  // A settlement or limit is answered when it is on the disk, not merely committed.
  std::function<void(Status)> answer;
  if (std::holds_alternative<CostEvent>(op.what)) {
    answer = [done = std::move(op.settled),
              r = std::move(op.settle_result)](Status synced) mutable {
      done(synced ? std::move(r) : Result<Settlement>(synced.error()));
    };
  } else {
    answer = [done = std::move(op.done), r = std::move(op.status_result)](Status synced) mutable {
      done(synced ? std::move(r) : synced);
    };
  }
  std::lock_guard lock(sync_mu_);
  awaiting_sync_.push_back(std::move(answer));
}

void LedgerService::write_loop() {
  auto next_sweep = std::chrono::steady_clock::now() + options_.sweep_interval;
  auto next_replay = std::chrono::steady_clock::now();
  std::vector<Op> batch;
  for (;;) {
    if (spool_size_ > 0 && std::chrono::steady_clock::now() >= next_replay) {
      replay_spool();
      next_replay = std::chrono::steady_clock::now() + options_.replay_interval;
    }
    {
      std::unique_lock lock(mu_);
      const auto until = spool_size_ > 0 ? std::min(next_sweep, next_replay) : next_sweep;
      wake_.wait_until(lock, until, [&] { return stopping_ || !queue_.empty(); });
      if (options_.linger.count() > 0 && !queue_.empty() && !stopping_ &&
          queue_.size() < options_.max_batch) {
        // Group commit: let concurrent requests join this transaction.
        wake_.wait_for(lock, options_.linger,
                       [&] { return stopping_ || queue_.size() >= options_.max_batch; });
      }
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      if (batch.empty() && stopping_) return;
    }
    if (std::chrono::steady_clock::now() >= next_sweep) {
      auto swept = writer_ledger_->sweep_expired(wall_ms());
      if (swept && *swept > 0) {
        counters_.swept += static_cast<std::uint64_t>(*swept);
        GW_LOG_WARN("ledger: settled {} expired reservations at their reserved amount", *swept);
      }
      next_sweep = std::chrono::steady_clock::now() + options_.sweep_interval;
    }
    if (batch.empty()) continue;
    // One transaction for the batch; each operation in its own savepoint. Results are delivered
    // only after COMMIT: an admitted reservation or a recorded event is durable when its caller
    // hears of it. A failed COMMIT fails every operation in the batch (settlements are
    // idempotent, so a caller may retry one safely).
    // Reservations alone need not wait for the disk (see Ledger::set_synced_commits); any
    // settlement or limit in the batch makes the whole commit synced — unless durability is
    // deferred to the sync thread, in which case no commit waits for the disk.
    const bool synced = !durable_ && std::any_of(batch.begin(), batch.end(), must_sync);
    Status begun = durable_ ? Status{} : writer_ledger_->set_synced_commits(synced);
    if (begun) begun = writer_ledger_->begin();
    for (Op& op : batch) {
      if (auto* r = std::get_if<Reservation>(&op.what)) {
        op.reserve_result =
            begun ? writer_ledger_->reserve_step(*r) : Result<ReserveResult>(begun.error());
      } else if (auto* e = std::get_if<CostEvent>(&op.what)) {
        op.settle_result = begun ? settle_one(*e) : Result<Settlement>(begun.error());
      } else if (auto* w = std::get_if<BudgetWindow>(&op.what)) {
        op.status_result = begun ? writer_ledger_->set_limit_step(*w) : begun;
      } else if (auto* c = std::get_if<Checkpoint>(&op.what)) {
        op.status_result = begun ? writer_ledger_->checkpoint_step(*c) : begun;
      }
    }
    Status committed = begun ? writer_ledger_->commit() : begun;
    if (!committed) {
      writer_ledger_->rollback();
      counters_.failed += batch.size();
      GW_LOG_ERROR("ledger: a batch of {} operations failed: {}", batch.size(),
                   committed.error().message);
    }
    ++counters_.batches;
    counters_.operations += batch.size();
    gateway_metrics().ledger_commits.counter({synced ? "true" : "false"}).inc();
    gateway_metrics().ledger_batched.inc(batch.size());
    // A lock conflict with another instance (PostgreSQL deadlock or serialization failure) is
    // not the operation's fault: it goes round again, up to kMaxTries times, before its caller
    // hears of it. Reservations are keyed too, so a repeat cannot hold twice.
    std::vector<Op> again;
    auto conflicted = [&](const Error* e, const Op& op) {
      return e != nullptr && e->code == "ledger_conflict" && op.tries + 1 < kMaxTries;
    };
    for (Op& op : batch) {
      if (!committed) {
        op.reserve_result = committed.error();
        op.settle_result = committed.error();
        op.status_result = committed;
      }
      const Error* failure = nullptr;
      if (std::holds_alternative<Reservation>(op.what)) {
        if (!op.reserve_result) failure = &op.reserve_result.error();
      } else if (std::holds_alternative<CostEvent>(op.what)) {
        if (!op.settle_result) failure = &op.settle_result.error();
      } else if (!op.status_result) {
        failure = &op.status_result.error();
      }
      if (conflicted(failure, op)) {
        again.push_back(std::move(op));
        continue;
      }
      if (failure != nullptr && failure->code == "ledger_unavailable" && spool_) {
        // The ledger is unreachable (or the COMMIT's answer was lost): the settlement waits in
        // the local spool, durably, and is answered as recorded.
        if (auto* e = std::get_if<CostEvent>(&op.what); e != nullptr && spool(*e)) {
          op.settle_result = Settlement{true, {}};
        }
      }
      deliver(op, committed && durable_ != nullptr);
    }
    if (durable_) sync_wake_.notify_one();
    batch.clear();
    if (!again.empty()) {
      std::lock_guard lock(mu_);
      for (auto it = again.rbegin(); it != again.rend(); ++it) {
        ++it->tries;
        queue_.push_front(std::move(*it));
      }
    }
  }
}

void LedgerService::read_loop() {
  for (;;) {
    ReadJob job;
    {
      std::unique_lock lock(read_mu_);
      read_wake_.wait(lock, [&] {
        std::lock_guard inner(mu_);
        return stopping_ || !reads_.empty();
      });
      if (reads_.empty()) return;
      job = std::move(reads_.front());
      reads_.pop_front();
    }
    job(*reader_ledger_);
  }
}

}  // namespace gw::cost
