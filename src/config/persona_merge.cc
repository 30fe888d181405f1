// Depth-first resolution of persona `extends` chains with cycle detection.
#include "config/persona_merge.h"

#include "config/config_build.h"
#include "config/json_pointer.h"

namespace gw::config {
namespace {

void merge_object(MergedPersona& target, boost::json::object& into,
                  const boost::json::object& source, const std::string& relative,
                  const std::string& source_pointer) {
  for (const auto& kv : source) {
    const std::string key(kv.key());
    if (relative.empty() && key == "extends") continue;
    const std::string rel = pointer_append(relative, key);
    const std::string abs = pointer_append(source_pointer, key);
    auto* existing = into.if_contains(key);
    if (existing != nullptr && existing->is_object() && kv.value().is_object()) {
      merge_object(target, existing->as_object(), kv.value().as_object(), rel, abs);
      continue;
    }
    into[key] = kv.value();
    // The whole subtree now comes from `source`: forget finer-grained origins below it.
    auto it = target.origins.lower_bound(rel);
    while (it != target.origins.end() &&
           (it->first == rel || it->first.compare(0, rel.size() + 1, rel + "/") == 0)) {
      it = target.origins.erase(it);
    }
    target.origins[rel] = abs;
  }
}

enum class State { unvisited, visiting, merged, failed };

struct Resolver {
  const boost::json::object* defaults;
  const boost::json::object& personas;
  std::map<std::string, State> state;
  PersonaMerge out;

  std::string known_personas() const {
    std::vector<std::string> names;
    for (const auto& kv : personas) names.emplace_back(kv.key());
    return sorted_list(std::move(names));
  }

  // Returns true when `name` merged.
  bool resolve(const std::string& name, std::vector<std::string>& chain) {
    State& s = state[name];
    if (s == State::merged) return true;
    if (s == State::failed) return false;
    s = State::visiting;
    chain.push_back(name);

    const std::string pointer = pointer_append("/personas", name);
    const boost::json::object* own = personas.at(name).if_object();
    MergedPersona merged;
    // A persona that is not an object was reported by the schema; building it from defaults
    // alone would only add "no provider" noise.
    bool ok = own != nullptr;
    const boost::json::value* extends = own != nullptr ? own->if_contains("extends") : nullptr;
    if (!ok) {
      // nothing to merge
    } else if (extends != nullptr && extends->is_string()) {
      const std::string base(extends->get_string());
      const std::string where = pointer + "/extends";
      if (!personas.contains(base)) {
        out.problems.push_back(
            {where, "unknown persona \"" + base + "\" (known: " + known_personas() + ")", false});
        ok = false;
      } else if (state[base] == State::visiting) {
        std::string cycle;
        bool in_cycle = false;
        for (const auto& step : chain) {
          in_cycle = in_cycle || step == base;
          if (in_cycle) cycle += step + " -> ";
        }
        out.problems.push_back({where, "extends cycle: " + cycle + base, false});
        ok = false;
      } else if (!resolve(base, chain)) {
        ok = false;  // the base's own problem is already reported
      } else {
        merged = out.personas.at(base);
      }
    } else if (defaults != nullptr) {
      merge_over(merged, *defaults, "/defaults");
    }
    merged.pointer = pointer;
    if (ok) merge_over(merged, *own, pointer);

    chain.pop_back();
    state[name] = ok ? State::merged : State::failed;
    if (ok) out.personas.emplace(name, std::move(merged));
    return ok;
  }
};

}  // namespace

std::string MergedPersona::pointer_of(std::string_view relative) const {
  // The longest recorded prefix of `relative` (at a token boundary) names the source.
  std::string prefix(relative);
  while (true) {
    auto it = origins.find(prefix);
    if (it != origins.end()) return it->second + std::string(relative.substr(prefix.size()));
    const std::size_t slash = prefix.rfind('/');
    if (slash == std::string::npos || prefix.empty()) break;
    prefix.resize(slash);
  }
  return pointer + std::string(relative);
}

void merge_over(MergedPersona& target, const boost::json::object& source,
                const std::string& source_pointer) {
  merge_object(target, target.fields, source, "", source_pointer);
}

PersonaMerge merge_personas(const boost::json::object* defaults,
                            const boost::json::object* personas) {
  if (personas == nullptr) return {};
  Resolver resolver{defaults, *personas, {}, {}};
  for (const auto& kv : *personas) {
    std::vector<std::string> chain;
    resolver.resolve(std::string(kv.key()), chain);
  }
  return std::move(resolver.out);
}

}  // namespace gw::config
