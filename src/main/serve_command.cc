#include "main/serve_command.h"

#include <csignal>
#include <cstdio>
#include <iostream>

#include <malloc.h>
#include <pthread.h>

#include "api/chat_pipeline.h"
#include "api/gateway_handler.h"
#include "api/gateway_state.h"
#include "config/check_config.h"
#include "config/config.h"
#include "cost/ledger_service.h"
#include "cost/rate_limiter.h"
#include "http/server.h"
#include "keys/key_store.h"
#include "keys/key_store_url.h"
#include "mock/mock_provider.h"
#include "observability/access_log.h"
#include "observability/gateway_metrics.h"
#include "observability/log.h"
#include "providers/model_capabilities.h"
#include "providers/registry.h"
#include "storage/request_log.h"

namespace gw {

ConfigLoadOptions load_options() {
  ConfigLoadOptions o;
  o.provider_types = builtin_providers().types();
  o.missing_capabilities = missing_capabilities_for;
  return o;
}

namespace {

void log_problems(const std::vector<ConfigProblem>& problems) {
  for (const auto& p : problems) {
    if (p.warning) {
      GW_LOG_WARN("config: {}: {}", p.pointer.empty() ? "/" : p.pointer, p.message);
    } else {
      GW_LOG_ERROR("config: {}: {}", p.pointer.empty() ? "/" : p.pointer, p.message);
    }
  }
}

bool needs_embedded_mock(const Config& config) {
  for (const auto& [name, p] : config.providers) {
    if (p.type == "mock" && p.base_url.empty()) return true;
  }
  return false;
}

// The first demo key kept in plaintext (local_demo configs only), to print a working curl line.
std::string first_demo_key(const Config& config, std::string* model) {
  for (const auto& k : config.keys) {
    if (k.demo_plaintext.empty() || k.personas.empty()) continue;
    auto it = config.personas.find(k.personas.front());
    if (it == config.personas.end()) continue;
    *model = it->second.primary.model;
    return k.demo_plaintext;
  }
  return {};
}

}  // namespace

int serve_command(const ServeOptions& options) {
  // glibc gives a thread arena's free top back to the kernel (madvise + a TLB shootdown on every
  // core) whenever it passes 128 KiB; SQLite's statement and journal buffers on the ledger
  // writer crossed that on every batch, which cost a third of the writer's CPU under load
  // (bench/README.md "Ledger overhead"). Freed memory below this stays in the arena for reuse.
  mallopt(M_TRIM_THRESHOLD, 32 << 20);
  // Every thread inherits this mask; the main thread alone receives the signals via sigwait.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  auto loaded = load_config_file(options.config_path, load_options());
  log_problems(loaded.problems);
  if (!loaded.config) {
    std::cerr << "execution-platform: invalid config " << options.config_path << ":\n"
              << format_problems(loaded.problems);
    return 1;
  }
  Config config = std::move(*loaded.config);
  if (!options.listen_override.empty()) config.server.listen = options.listen_override;
  log::set_level(log::parse_level(config.logging.level));

  std::unique_ptr<mock::MockProvider> mock;
  std::string mock_url;
  if (needs_embedded_mock(config)) {
    mock::MockProviderOptions mo;
    mo.workers = 1;
    auto started = mock::MockProvider::start(mo);
    if (!started) {
      std::cerr << "execution-platform: cannot start the built-in mock provider: "
                << started.error().message << "\n";
      return 1;
    }
    mock = std::move(started).value();
    mock_url = mock->base_url();
    GW_LOG_INFO("built-in mock provider serving on {}", mock_url);
  }

  const std::string listen = config.server.listen;
  const ServerLimits limits = config.server.limits;
  const int workers = config.server.workers;
  const auto grace = config.server.drain_grace;
  const std::string storage_url = config.storage_url;
  const std::string ledger_url = config.ledger_url.empty() ? storage_url : config.ledger_url;
  const std::string keys_url = keys::store_url(config);
  const std::string redis_url = config.redis_url;
  const std::string spool_url = config.spool_url;
  const auto sweep_interval = config.cost.sweep_interval;
  const std::string access_target = config.logging.access_log;
  std::string demo_model;
  const std::string demo_key = first_demo_key(config, &demo_model);

  auto state = GatewayState::build(std::move(config), builtin_providers(), mock_url);
  if (!state) {
    std::cerr << "execution-platform: " << state.error().message << "\n";
    return 1;
  }
  for (const auto& [name, rt] : (*state)->providers) {
    if (!rt.unavailable.empty())
      GW_LOG_WARN("{}; requests routed to it fail over or get 503", rt.unavailable);
  }
  StateHolder holder;
  holder.set(std::move(state).value());

  std::unique_ptr<storage::RequestLog> request_log;
  if (storage_url.rfind("sqlite:", 0) == 0) {
    auto opened = storage::RequestLog::open(storage_url);
    if (!opened) {
      std::cerr << "execution-platform: cannot open storage " << storage_url << ": "
                << opened.error().message << "\n";
      return 1;
    }
    request_log = std::move(opened).value();
  } else {
    GW_LOG_WARN(
        "storage {}: the per-request usage log needs sqlite:// and is off; the cost "
        "ledger uses it",
        storage_url);
  }

  // The cost ledger (budgets, reservations, cost events): its own connections and threads.
  cost::LedgerServiceOptions ledger_options;
  ledger_options.sweep_interval = sweep_interval;
  if (cost::is_postgres_url(ledger_url)) {
    // Settlements wait here while PostgreSQL is unreachable (DD-04), replayed when it is back.
    ledger_options.spool_url = !spool_url.empty() ? spool_url
                               : storage_url.starts_with("sqlite:")
                                   ? storage_url
                                   : "sqlite://data/ledger-spool.db";
  }
  auto ledger = cost::LedgerService::start(ledger_url, ledger_options);
  if (!ledger) {
    std::cerr << "execution-platform: cannot open the cost ledger: " << ledger.error().message
              << "\n";
    return 1;
  }
  std::unique_ptr<cost::RateLimiter> rate_limiter;
  if (redis_url.empty()) {
    rate_limiter = cost::make_local_rate_limiter();
  } else {
    auto redis = cost::make_redis_rate_limiter(redis_url);
    if (!redis) {
      std::cerr << "execution-platform: redis " << redis_url << ": " << redis.error().message
                << "\n";
      return 1;
    }
    rate_limiter = std::move(redis).value();
  }

  // Keys created at run time (`keys create`, POST /admin/keys): in the PostgreSQL ledger
  // database when there is one (shared by every instance), else next to the request log.
  std::unique_ptr<keys::KeyStore> key_store;
  if (!keys_url.empty()) {
    auto opened = keys::KeyStore::open(keys_url);
    if (!opened) {
      std::cerr << "execution-platform: cannot open the key store at " << keys_url << ": "
                << opened.error().message << "\n";
      return 1;
    }
    key_store = std::move(opened).value();
  }

  std::string access_error;
  auto access_log = AccessLog::open(access_target, &access_error);
  if (!access_log) {
    std::cerr << "execution-platform: " << access_error << "\n";
    return 1;
  }

  std::atomic<bool> ready{false};
  GatewayHandlerDeps deps;
  deps.state = &holder;
  deps.access_log = access_log.get();
  deps.request_log = request_log.get();
  deps.keys = key_store.get();
  deps.ledger = ledger->get();
  deps.rate_limiter = rate_limiter.get();
  deps.ready = [&ready] { return ready.load(); };
  http::ServerOptions so;
  so.listen = listen;
  so.workers = workers;
  so.limits = limits;
  so.name = "gateway";
  http::Server server(so, std::make_shared<GatewayHandler>(deps));
  if (auto st = server.start(); !st) {
    std::cerr << "execution-platform: " << st.error().message << "\n";
    return 1;
  }
  ready = true;
  const std::string url = "http://" + server.address();
  std::printf("execution-platform listening on %s\n", url.c_str());
  // Only a key written in plaintext in a local_demo config (already public in that file) is
  // printed; keys from env:/file: references never are.
  if (!demo_key.empty()) {
    std::printf(
        "try: curl -s %s/v1/chat/completions -H 'Authorization: Bearer %s' -H 'Content-Type: "
        "application/json' "
        "-d '{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}'\n",
        url.c_str(), demo_key.c_str(), demo_model.c_str());
  }
  std::fflush(stdout);
  GW_LOG_INFO("serving on {} with config {}", url, options.config_path);

  for (;;) {
    int sig = 0;
    sigwait(&signals, &sig);
    if (sig == SIGHUP) {
      auto reloaded = load_config_file(options.config_path, load_options());
      log_problems(reloaded.problems);
      if (!reloaded.config) {
        gateway_metrics().config_reloads.counter({"rejected"}).inc();
        GW_LOG_ERROR("config reload rejected: {} problem(s); the previous config keeps serving",
                     reloaded.problems.size());
        continue;
      }
      if (reloaded.config->server.listen != listen && options.listen_override.empty()) {
        GW_LOG_WARN("server.listen changed; it takes effect on restart");
      }
      auto next = GatewayState::build(std::move(*reloaded.config), builtin_providers(), mock_url);
      if (!next) {
        gateway_metrics().config_reloads.counter({"rejected"}).inc();
        GW_LOG_ERROR("config reload rejected: {}", next.error().message);
        continue;
      }
      holder.set(std::move(next).value());
      gateway_metrics().config_reloads.counter({"ok"}).inc();
      GW_LOG_INFO("config reloaded from {}", options.config_path);
      continue;
    }
    GW_LOG_INFO("signal {}: draining (grace {} ms, {} in flight)", sig, grace.count(),
                server.in_flight());
    ready = false;
    std::size_t cut = server.drain(grace, cut_chats_for_drain);
    if (cut > 0) GW_LOG_WARN("drain grace expired with {} request(s) still in flight", cut);
    if (request_log) request_log->close();
    // Every settlement queued by the drained requests is committed before exit.
    (*ledger)->stop();
    access_log->flush();
    if (mock) mock->stop();
    GW_LOG_INFO("stopped");
    return 0;
  }
}

}  // namespace gw
