#include "cost/settlement_spool.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "observability/log.h"
#include "storage/migrations.h"

namespace gw::cost {
namespace {

namespace json = boost::json;

std::string to_json(const CostEvent& e) {
  json::object o;
  o["request_id"] = e.request_id;
  o["ledger_key"] = ledger_key_of(e);
  o["attempt"] = e.attempt;
  o["ts_ms"] = e.ts_ms;
  o["persona"] = e.persona;
  o["team"] = e.team;
  o["project"] = e.project;
  o["key_name"] = e.key_name;
  o["provider"] = e.provider;
  o["model"] = e.model;
  o["input_tokens"] = e.input_tokens;
  o["output_tokens"] = e.output_tokens;
  o["cache_read_tokens"] = e.cache_read_tokens;
  o["cache_write_tokens"] = e.cache_write_tokens;
  o["reasoning_tokens"] = e.reasoning_tokens;
  o["cost_nanos"] = e.cost_nanos;
  o["price_version"] = e.price_version;
  o["outcome"] = e.outcome;
  o["settlement_reason"] = e.settlement_reason;
  o["held_reservation"] = e.held_reservation;
  return json::serialize(o);
}

Result<CostEvent> from_json(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  const json::object* o = ec ? nullptr : v.if_object();
  if (o == nullptr) {
    return Error::make(ErrorKind::gateway_internal, "a spooled settlement is not a JSON object",
                       std::string(storage::kStorageErrorCode));
  }
  auto text_of = [&](const char* k) -> std::string {
    const auto* f = o->if_contains(k);
    return f != nullptr && f->is_string() ? std::string(f->get_string()) : std::string();
  };
  auto int_of = [&](const char* k) -> std::int64_t {
    const auto* f = o->if_contains(k);
    return f != nullptr && f->is_int64() ? f->get_int64() : 0;
  };
  CostEvent e;
  e.request_id = text_of("request_id");
  e.ledger_key = text_of("ledger_key");
  e.attempt = static_cast<int>(int_of("attempt"));
  e.ts_ms = int_of("ts_ms");
  e.persona = text_of("persona");
  e.team = text_of("team");
  e.project = text_of("project");
  e.key_name = text_of("key_name");
  e.provider = text_of("provider");
  e.model = text_of("model");
  e.input_tokens = int_of("input_tokens");
  e.output_tokens = int_of("output_tokens");
  e.cache_read_tokens = int_of("cache_read_tokens");
  e.cache_write_tokens = int_of("cache_write_tokens");
  e.reasoning_tokens = int_of("reasoning_tokens");
  e.cost_nanos = int_of("cost_nanos");
  e.price_version = text_of("price_version");
  e.outcome = text_of("outcome");
  e.settlement_reason = text_of("settlement_reason");
  const auto* held = o->if_contains("held_reservation");
  e.held_reservation = held != nullptr && held->is_bool() && held->get_bool();
  // Spooled before ledger keys: the key its migration gave the rows written then.
  if (e.ledger_key.empty() && e.settlement_reason == "tracked") {
    e.ledger_key = tracked_ledger_key(e.key_name, e.request_id);
  }
  if (e.request_id.empty() || e.settlement_reason.empty()) {
    return Error::make(ErrorKind::gateway_internal, "a spooled settlement lacks its request id",
                       std::string(storage::kStorageErrorCode));
  }
  return e;
}

}  // namespace

Result<std::unique_ptr<SettlementSpool>> SettlementSpool::open(std::string_view url) {
  auto db = storage::SqliteDb::open(url);
  if (!db) return std::move(db).error();
  if (Status migrated = storage::migrate(*db); !migrated) return migrated.error();
  return std::unique_ptr<SettlementSpool>(new SettlementSpool(std::move(db).value()));
}

Status SettlementSpool::add(const CostEvent& event, std::int64_t now_ms) {
  auto stmt = db_.prepare("INSERT INTO settlement_spool (spooled_ms, event) VALUES (?1, ?2)");
  if (!stmt) return stmt.error();
  if (Status b = stmt->bind(1, now_ms); !b) return b;
  if (Status b = stmt->bind(2, to_json(event)); !b) return b;
  return stmt->run();  // autocommit at synchronous=FULL: on the disk when it returns
}

Result<std::vector<std::pair<std::int64_t, CostEvent>>> SettlementSpool::oldest(std::size_t limit) {
  auto stmt = db_.prepare("SELECT id, event FROM settlement_spool ORDER BY id LIMIT ?1");
  if (!stmt) return stmt.error();
  if (Status b = stmt->bind(1, static_cast<std::int64_t>(limit)); !b) return b.error();
  std::vector<std::pair<std::int64_t, CostEvent>> out;
  std::vector<std::int64_t> unreadable;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) break;
    auto event = from_json(stmt->column_text(1));
    if (!event) {
      // Only a damaged file gets here; it would block every replay after it.
      GW_LOG_ERROR("ledger spool: dropping unreadable entry {}: {}", stmt->column_int64(0),
                   event.error().message);
      unreadable.push_back(stmt->column_int64(0));
      continue;
    }
    out.emplace_back(stmt->column_int64(0), std::move(event).value());
  }
  stmt->reset();
  if (!unreadable.empty()) {
    if (Status s = remove(unreadable); !s) return s.error();
  }
  return out;
}

Status SettlementSpool::remove(const std::vector<std::int64_t>& ids) {
  return db_.transaction([&]() -> Status {
    auto stmt = db_.prepare("DELETE FROM settlement_spool WHERE id = ?1");
    if (!stmt) return stmt.error();
    for (std::int64_t id : ids) {
      stmt->reset();
      if (Status b = stmt->bind(1, id); !b) return b;
      if (Status r = stmt->run(); !r) return r;
    }
    return Status{};
  });
}

Result<std::int64_t> SettlementSpool::size() {
  return db_.query_int("SELECT count(*) FROM settlement_spool");
}

}  // namespace gw::cost
