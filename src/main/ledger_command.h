// `execution-platform ledger check --config FILE [--url URL]`: runs the ledger's invariant checker
// (I1 spent + reserved ≤ limit, reserved = Σ open reservations, I3 spent = Σ events, I2 one event
// per settled reservation) and prints a JSON report; exit 0 when every invariant holds, 1 when
// one does not or the ledger cannot be read. `--sweep` first settles expired reservations.
#pragma once

#include <iosfwd>
#include <string>

#include <CLI/CLI.hpp>

namespace gw {

struct LedgerOptions {
  std::string config_path;
  std::string url;  // overrides the config's ledger
  bool sweep = false;
};

struct LedgerCommand {
  CLI::App* ledger = nullptr;
  CLI::App* check = nullptr;
};

LedgerCommand add_ledger_command(CLI::App& app, LedgerOptions& options);
int ledger_command(const LedgerCommand& cmd, const LedgerOptions& options, std::ostream& out,
                   std::ostream& err);

}  // namespace gw
