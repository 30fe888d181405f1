// The smoke command: resolves the target from the environment, builds the adapter from the
// built-in registry, runs the rounds on one io_context in the calling thread and prints one line
// per scenario (docs/smoke.md).
#include "main/smoke_command.h"

#include <exception>
#include <functional>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "common/redact.h"
#include "cost/pricing.h"
#include "http/endpoint.h"
#include "http/upstream_client.h"
#include "main/smoke_calls.h"
#include "main/smoke_tally.h"
#include "providers/registry.h"

namespace gw {
namespace {

namespace asio = boost::asio;

constexpr SmokeScenario kScenarios[] = {SmokeScenario::chat, SmokeScenario::stream,
                                        SmokeScenario::tool};

// Provider messages may quote a credential they rejected; nothing printed may carry one.
std::string scrubbed(std::string text, const std::vector<std::string>& secrets) {
  for (const auto& s : secrets) redact_secret(text, s);
  return text;
}

std::string describe(const Error& e, const std::vector<std::string>& secrets) {
  std::string out(name(e.kind));
  if (e.upstream_status != 0) out += " (HTTP " + std::to_string(e.upstream_status) + ")";
  if (!e.code.empty()) out += " [" + e.code + "]";
  return out + ": " + scrubbed(e.message, secrets);
}

using FailureSink = std::function<void(SmokeScenario, int round, const Error&)>;

asio::awaitable<std::vector<SmokeTally>> run_rounds(SmokeLink link, int rounds,
                                                    FailureSink on_failure) {
  std::vector<SmokeTally> tallies;
  for (SmokeScenario s : kScenarios) {
    tallies.emplace_back();
    tallies.back().scenario = s;
  }
  for (int round = 1; round <= rounds; ++round) {
    for (auto& tally : tallies) {
      SmokeCallResult result = co_await run_smoke_call(tally.scenario, link);
      if (result.error) on_failure(tally.scenario, round, *result.error);
      tally.add(result);
    }
  }
  co_return tallies;
}

struct Prepared {
  std::unique_ptr<Provider> adapter;
  http::Endpoint endpoint;
};

// The adapter and endpoint for the target, or a message saying why there are none.
Result<Prepared> build_adapter(SmokeTarget& target) {
  const ProviderFactory* factory = builtin_providers().find(target.settings.type);
  if (factory == nullptr) {
    return Error::make(ErrorKind::gateway_internal,
                       "the " + target.settings.type + " adapter is not registered in this binary");
  }
  auto adapter = (*factory)(target.settings);
  if (!adapter) return std::move(adapter).error();
  Prepared p;
  p.adapter = std::move(adapter).value();
  if (target.settings.base_url.empty()) target.settings.base_url = p.adapter->default_base_url();
  if (target.settings.base_url.empty()) {
    return Error::make(ErrorKind::caller_invalid_request,
                       "no base URL for " + target.settings.type + "; pass --base-url");
  }
  auto endpoint = http::Endpoint::parse(target.settings.base_url);
  if (!endpoint) return std::move(endpoint).error();
  p.endpoint = std::move(endpoint).value();
  return p;
}

// Runs every round on a fresh io_context in this thread. The client is destroyed before the
// io_context, so its pooled sockets never outlive the context they belong to.
Result<std::vector<SmokeTally>> run_on_this_thread(const Prepared& prepared,
                                                   const SmokeTarget& target, int rounds,
                                                   FailureSink on_failure) {
  asio::io_context ioc;
  std::vector<SmokeTally> tallies;
  std::exception_ptr escaped;
  {
    http::UpstreamClient client(ioc.get_executor());
    SmokeLink link{prepared.adapter.get(), &prepared.endpoint, &client, target.settings.timeouts,
                   target.model};
    asio::co_spawn(ioc, run_rounds(link, rounds, std::move(on_failure)),
                   [&](std::exception_ptr e, std::vector<SmokeTally> t) {
                     escaped = e;
                     tallies = std::move(t);
                   });
    ioc.run();
  }
  if (escaped) {
    try {
      std::rethrow_exception(escaped);
    } catch (const std::exception& ex) {
      return Error::make(ErrorKind::gateway_internal, std::string("smoke failed: ") + ex.what());
    }
  }
  return tallies;
}

}  // namespace

int smoke_command(const SmokeOptions& options, const EnvLookup& env, std::ostream& out,
                  std::ostream& err) {
  const std::string label = "smoke " + options.provider;
  auto setup = smoke_setup(options.provider, {options.model, options.base_url}, env);
  if (!setup) {
    err << "execution-platform smoke: " << setup.error().message << "\n";
    return 2;
  }
  if (!setup->target) {
    out << label << ": skipped (" << setup->skip_reason << ")\n";
    return 0;
  }
  SmokeTarget& target = *setup->target;
  auto prices = load_list_prices();
  if (!prices) {
    err << label << ": " << prices.error().message << "\n";
    return 1;
  }
  auto prepared = build_adapter(target);
  if (!prepared) {
    err << label << ": " << describe(prepared.error(), target.secrets) << "\n";
    return 1;
  }
  out << label << ": model " << target.model << " at "
      << scrubbed(target.settings.base_url, target.secrets) << ", " << options.rounds
      << (options.rounds == 1 ? " round" : " rounds") << "\n";
  out.flush();

  auto on_failure = [&](SmokeScenario scenario, int round, const Error& e) {
    err << label << ": " << name(scenario) << " round " << round
        << " failed: " << describe(e, target.secrets) << "\n";
  };
  auto tallies = run_on_this_thread(*prepared, target, options.rounds, on_failure);
  if (!tallies) {
    err << label << ": " << describe(tallies.error(), target.secrets) << "\n";
    return 1;
  }

  const ModelPrice* price = prices->find(target.settings.type, target.model);
  const std::string price_key = target.settings.type + "/" + target.model;
  int failed = 0;
  int calls = 0;
  for (const auto& tally : *tallies) {
    out << format_tally(tally, price, price_key) << "\n";
    failed += tally.calls - tally.ok;
    calls += tally.calls;
  }
  if (failed > 0) {
    out << label << ": FAILED (" << failed << " of " << calls << " calls)\n";
    return 1;
  }
  out << label << ": ok (" << calls << " calls)\n";
  return 0;
}

}  // namespace gw
