#include "main/ledger_command.h"

#include <chrono>
#include <ostream>

#include <boost/json.hpp>

#include "config/config.h"
#include "cost/ledger.h"
#include "main/serve_command.h"

namespace gw {

LedgerCommand add_ledger_command(CLI::App& app, LedgerOptions& options) {
  LedgerCommand cmd;
  cmd.ledger = app.add_subcommand("ledger", "inspect the cost ledger");
  cmd.ledger->require_subcommand(1);
  cmd.check = cmd.ledger->add_subcommand(
      "check", "check the ledger's invariants; prints JSON, exit 1 on a violation");
  cmd.check->add_option("--config,-c", options.config_path, "config file (its ledger is read)");
  cmd.check->add_option("--url", options.url, "ledger URL (sqlite://PATH or postgresql://…)");
  cmd.check->add_flag("--sweep", options.sweep, "first settle expired reservations");
  return cmd;
}

int ledger_command(const LedgerCommand& cmd, const LedgerOptions& options, std::ostream& out,
                   std::ostream& err) {
  if (!*cmd.check) return 2;
  std::string url = options.url;
  if (url.empty()) {
    if (options.config_path.empty()) {
      err << "execution-platform ledger check: give --config FILE or --url URL\n";
      return 2;
    }
    auto load = load_config_file(options.config_path, load_options());
    if (!load.config) {
      err << "execution-platform ledger check: the config does not load:\n";
      for (const auto& p : load.problems) err << "  " << p.pointer << ": " << p.message << "\n";
      return 1;
    }
    url = load.config->ledger_url.empty() ? load.config->storage_url : load.config->ledger_url;
  }
  auto ledger = cost::open_ledger(url);
  if (!ledger) {
    err << "execution-platform ledger check: " << ledger.error().message << "\n";
    return 1;
  }
  boost::json::object report;
  if (options.sweep) {
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    auto swept = (*ledger)->sweep_expired(now);
    if (!swept) {
      err << "execution-platform ledger check: sweep: " << swept.error().message << "\n";
      return 1;
    }
    report["swept"] = *swept;
  }
  auto checked = (*ledger)->check_invariants();
  auto open = (*ledger)->open_reservations();
  auto events = (*ledger)->events({});
  if (!checked || !open || !events) {
    err << "execution-platform ledger check: cannot read the ledger\n";
    return 1;
  }
  boost::json::array violations;
  for (const auto& v : checked->violations) violations.emplace_back(v);
  report["ok"] = checked->ok();
  report["violations"] = std::move(violations);
  report["open_reservations"] = open->first;
  report["open_reserved_nanos"] = open->second;
  report["events"] = events->size();
  std::int64_t total = 0;
  for (const auto& e : *events) total += e.cost_nanos;
  report["total_cost_nanos"] = total;
  out << boost::json::serialize(report) << "\n";
  return checked->ok() ? 0 : 1;
}

}  // namespace gw
