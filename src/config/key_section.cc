// keys: each gateway key is resolved, hashed and bound to its personas. Only the hash is kept.
// A key whose secret cannot be resolved is skipped with a warning, so one missing variable does
// not take the whole gateway down.
#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <map>

#include "config/config_build.h"
#include "config/json_pointer.h"

namespace gw::config {
namespace {

std::vector<std::string> document_persona_names(const boost::json::object& root) {
  std::vector<std::string> names;
  if (const auto* personas = member_object(root, "personas")) {
    for (const auto& kv : *personas) names.emplace_back(kv.key());
  }
  return names;
}

}  // namespace

void build_keys(const boost::json::object& root, Config& config, BuildContext& ctx) {
  const auto* keys = member_array(root, "keys");
  if (keys == nullptr) return;
  const std::vector<std::string> personas = document_persona_names(root);
  const std::string known =
      personas.empty() ? "no personas are configured" : "known: " + sorted_list(personas);
  auto persona_known = [&](const std::string& name) {
    return std::find(personas.begin(), personas.end(), name) != personas.end();
  };
  std::map<std::array<std::uint8_t, 32>, std::string> seen;  // hash → pointer of first use

  for (std::size_t i = 0; i < keys->size(); ++i) {
    const std::string pointer = pointer_append("/keys", i);
    const auto* entry = (*keys)[i].if_object();
    if (entry == nullptr) continue;  // the schema reported it
    KeyConfig key;
    bool usable = true;

    const bool has_one = entry->contains("persona");
    const bool has_many = entry->contains("personas");
    if (has_one && has_many) {
      ctx.error(pointer, "set either \"persona\" or \"personas\", not both");
      usable = false;
    } else if (!has_one && !has_many) {
      ctx.error(pointer, "a key needs \"persona\" (or \"personas\") to bind it to");
      usable = false;
    }
    auto bind = [&](const boost::json::value& v, const std::string& where) {
      if (!v.is_string()) return;
      const std::string name(v.get_string());
      if (!persona_known(name)) {
        ctx.error(where, "unknown persona \"" + name + "\" (" + known + ")");
        usable = false;
      }
      key.personas.push_back(name);
    };
    if (has_one) bind(entry->at("persona"), pointer + "/persona");
    if (const auto* many = member_array(*entry, "personas")) {
      for (std::size_t j = 0; j < many->size(); ++j) {
        bind((*many)[j], pointer_append(pointer + "/personas", j));
      }
    }

    key.name = member_string(*entry, "name").value_or("key-" + std::to_string(i));
    key.admin = member_string(*entry, "role").value_or("user") == "admin";
    // A key without its own team/project books to its default persona's.
    const PersonaConfig* persona = nullptr;
    if (!key.personas.empty()) {
      auto it = config.personas.find(key.personas.front());
      if (it != config.personas.end()) persona = &it->second;
    }
    key.team = member_string(*entry, "team").value_or(persona ? persona->team : "");
    key.project = member_string(*entry, "project").value_or(persona ? persona->project : "");
    if (const auto* budget = member_object(*entry, "budget")) key.budget = *budget;
    if (const auto* scopes = member_array(*entry, "scopes")) {
      for (const auto& s : *scopes) {
        if (s.is_string()) key.scopes.emplace_back(s.get_string());
      }
    }

    const auto reference = member_string(*entry, "key");
    if (!reference) continue;  // the schema reported it
    const std::string where = pointer + "/key";
    SecretResolution secret = resolve_secret(*reference, ctx.secrets);
    if (secret.outcome == SecretOutcome::refused) {
      ctx.error(where, secret.problem);
      continue;
    }
    if (secret.outcome == SecretOutcome::unresolved) {
      ctx.warning(where, secret.problem + "; this key is skipped");
      continue;
    }
    key.sha256 = hash_key(secret.value);
    // A plaintext key is already in the config file; keeping it lets `serve` print a demo
    // request that works as printed. Referenced keys are never kept.
    if (secret.plaintext) key.demo_plaintext = secret.value;
    // Only the hash is kept; do not leave the key itself lying in freed heap memory.
    OPENSSL_cleanse(secret.value.data(), secret.value.size());
    auto [it, inserted] = seen.emplace(key.sha256, where);
    if (!inserted) {
      ctx.error(where, "duplicate key (same value as " + it->second + ")");
      continue;
    }
    if (usable) config.keys.push_back(std::move(key));
  }
}

}  // namespace gw::config
