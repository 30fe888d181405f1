// The keys command: loads the config like `serve`, opens the key store at its storage url (no
// background refresher: the process is short-lived) and creates, lists or revokes.
#include "main/keys_command.h"

#include <algorithm>
#include <cstdio>

#include <CLI/CLI.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "config/check_config.h"
#include "config/config.h"
#include "cost/budget_plan.h"
#include "cost/ledger.h"
#include "keys/key_json.h"
#include "keys/key_store.h"
#include "keys/key_store_url.h"
#include "keys/key_time.h"
#include "main/serve_command.h"

namespace gw {
namespace {

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;

std::string joined(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) {
    if (!out.empty()) out.push_back(',');
    out.append(v);
  }
  return out;
}

std::string column(std::string text, std::size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

int create(keys::KeyStore& store, const Config& config, const KeysOptions& o, std::ostream& out,
           std::ostream& err) {
  for (const auto& p : o.personas) {
    if (!config.personas.contains(p)) {
      err << "execution-platform: unknown persona \"" << p << "\" (not in " << o.config_path
          << ")\n";
      return 2;
    }
  }
  if (o.role != "user" && o.role != "admin") {
    err << "execution-platform: --role must be user or admin\n";
    return 2;
  }
  keys::NewKey request;
  if (!o.budget.empty()) {
    boost::system::error_code ec;
    boost::json::value budget = boost::json::parse(o.budget, ec);
    if (ec || !budget.is_object()) {
      err << "execution-platform: --budget must be a JSON object such as '{\"daily_usd\": 5}'\n";
      return 2;
    }
    const auto problems = cost::budget_problems(budget.get_object());
    if (!problems.empty()) {
      err << "execution-platform: --budget: " << problems.front() << "\n";
      return 2;
    }
    request.budget = std::move(budget.get_object());
  }
  request.name = o.name;
  request.personas = o.personas;
  request.team = o.team;
  request.project = o.project;
  request.scopes = o.scopes;
  request.role = o.role;
  const std::int64_t now = keys::unix_now_ms();
  if (o.expires_in_days > 0) request.expires_ms = now + o.expires_in_days * kDayMs;
  auto created = store.create(request);
  if (!created) {
    err << "execution-platform: cannot create the key: " << created.error().message << "\n";
    return created.error().kind == ErrorKind::caller_invalid_request ? 2 : 1;
  }
  if (o.json) {
    boost::json::object body = keys::key_info_json(created->info, now);
    body["key"] = created->key;
    out << boost::json::serialize(body) << "\n";
    return 0;
  }
  out << "id:   " << created->info.id << "\n"
      << "key:  " << created->key << "\n"
      << "name: " << created->info.name << " (personas " << joined(created->info.personas)
      << ", role " << created->info.role << ", expires "
      << (created->info.expires_ms ? keys::format_rfc3339(created->info.expires_ms) : "never")
      << ")\n"
      << "Store the key now: it is shown only this once.\n";
  return 0;
}

int list(keys::KeyStore& store, const KeysOptions& o, std::ostream& out, std::ostream& err) {
  auto listed = store.list();
  if (!listed) {
    err << "execution-platform: cannot list keys: " << listed.error().message << "\n";
    return 1;
  }
  const std::int64_t now = keys::unix_now_ms();
  if (o.json) {
    boost::json::array all;
    for (const auto& info : *listed) all.emplace_back(keys::key_info_json(info, now));
    out << boost::json::serialize(boost::json::object{{"keys", std::move(all)}}) << "\n";
    return 0;
  }
  out << column("ID", 17) << column("NAME", 20) << column("HINT", 10) << column("PERSONAS", 20)
      << column("ROLE", 6) << column("STATUS", 8) << "EXPIRES\n";
  for (const auto& info : *listed) {
    out << column(info.id, 17) << column(info.name, 20) << column(info.hint, 10)
        << column(joined(info.personas), 20) << column(info.role, 6)
        << column(keys::key_status(info, now), 8)
        << (info.expires_ms ? keys::format_rfc3339(info.expires_ms) : "never") << "\n";
  }
  return 0;
}

int revoke(keys::KeyStore& store, const KeysOptions& o, std::ostream& out, std::ostream& err) {
  auto revoked = store.revoke(o.id);
  if (!revoked) {
    err << "execution-platform: cannot revoke: " << revoked.error().message << "\n";
    return 1;
  }
  if (!*revoked) {
    err << "execution-platform: no key with id \"" << o.id << "\"\n";
    return 1;
  }
  out << "revoked " << o.id << "\n";
  return 0;
}

int import_keys(keys::KeyStore& store, const KeysOptions& o, std::ostream& out, std::ostream& err) {
  auto report = store.import_from(o.from);
  if (!report) {
    err << "execution-platform: cannot import keys: " << report.error().message << "\n";
    return 1;
  }
  if (o.json) {
    boost::json::array conflicts;
    for (const auto& id : report->conflicts) conflicts.emplace_back(id);
    out << boost::json::serialize(boost::json::object{{"imported", report->imported},
                                                      {"present", report->present},
                                                      {"conflicts", std::move(conflicts)}})
        << "\n";
  } else {
    out << "imported " << report->imported << " keys (" << report->present << " already there)\n";
  }
  for (const auto& id : report->conflicts) {
    err << "execution-platform: not imported: " << id
        << " (a key with the same secret is already stored under another id)\n";
  }
  return 0;
}

}  // namespace

KeysCommand add_keys_command(CLI::App& app, KeysOptions& o) {
  KeysCommand c;
  c.keys = app.add_subcommand("keys", "manage gateway keys created at run time (stored hashed)");
  c.keys->require_subcommand(1);

  c.create = c.keys->add_subcommand("create", "create a key; prints it once");
  c.create->add_option("--config,-c", o.config_path, "config file (JSON or YAML)")->required();
  c.create->add_option("--name", o.name, "label for the key (logs, listings)")->required();
  c.create->add_option("--persona", o.personas, "persona the key acts as (repeat for more)")
      ->required();
  c.create->add_option("--team", o.team, "team its costs book to");
  c.create->add_option("--project", o.project, "project its costs book to");
  c.create->add_option("--scope", o.scopes, "what the key may do (repeat; none = everything)");
  c.create->add_option("--expires-in-days", o.expires_in_days, "days until the key stops working")
      ->check(CLI::Range(1, 3650));
  c.create->add_option("--budget", o.budget,
                       "its own budget and rate limits, a JSON object as in the config "
                       "('{\"daily_usd\": 5, \"requests_per_min\": 60}')");
  c.create->add_option("--role", o.role, "user (default) or admin")
      ->check(CLI::IsMember({"user", "admin"}));
  c.create->add_flag("--json", o.json, "print the created key as JSON");

  c.list = c.keys->add_subcommand("list", "list stored keys (never the keys themselves)");
  c.list->add_option("--config,-c", o.config_path, "config file (JSON or YAML)")->required();
  c.list->add_flag("--json", o.json, "print {\"keys\":[…]} as GET /admin/keys does");

  c.revoke = c.keys->add_subcommand("revoke", "revoke a key by id");
  c.revoke->add_option("--config,-c", o.config_path, "config file (JSON or YAML)")->required();
  c.revoke->add_option("id", o.id, "the key's id (key_…)")->required();

  c.import = c.keys->add_subcommand(
      "import",
      "copy the keys stored in another key database (e.g. the SQLite file used before "
      "the ledger moved to PostgreSQL) into this config's key store");
  c.import->add_option("--config,-c", o.config_path, "config file (JSON or YAML)")->required();
  c.import->add_option("--from", o.from, "sqlite://PATH or postgres://… to copy from")->required();
  c.import->add_flag("--json", o.json, "print {\"imported\",\"present\",\"conflicts\"}");
  return c;
}

int keys_command(const KeysCommand& command, const KeysOptions& options, std::ostream& out,
                 std::ostream& err) {
  auto loaded = load_config_file(options.config_path, load_options());
  if (!loaded.config) {
    err << "execution-platform: invalid config " << options.config_path << ":\n"
        << format_problems(loaded.problems);
    return 1;
  }
  const Config& config = *loaded.config;
  // The same database `serve` uses for this config (the ledger's PostgreSQL, else storage.url).
  const std::string url = keys::store_url(config);
  if (url.empty()) {
    err << "execution-platform: no key store for this config: keys live in a sqlite:// "
           "storage.url or a PostgreSQL ledger (storage.ledger_url), and it has neither\n";
    return 1;
  }
  auto store = keys::KeyStore::open(url, keys::KeyStoreOptions{std::chrono::milliseconds(0)});
  if (!store) {
    // A PostgreSQL URL may carry a password: named by its kind only.
    err << "execution-platform: cannot open the key store ("
        << (cost::is_postgres_url(url) ? std::string("the PostgreSQL ledger") : url)
        << "): " << store.error().message << "\n";
    return 1;
  }
  if (*command.create) return create(**store, config, options, out, err);
  if (*command.list) return list(**store, options, out, err);
  if (*command.revoke) return revoke(**store, options, out, err);
  if (*command.import) return import_keys(**store, options, out, err);
  return 2;
}

}  // namespace gw
