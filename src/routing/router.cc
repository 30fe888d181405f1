#include "routing/router.h"

#include <algorithm>

#include "providers/model_capabilities.h"

namespace gw {

std::vector<std::string> needed_capabilities(const ChatRequest& request) {
  std::vector<std::string> needs;
  if (request.stream) needs.emplace_back("streaming");
  if (!request.tools.empty() && request.tool_choice.mode != ToolChoice::Mode::none) {
    needs.emplace_back("tool_calling");
  }
  if (request.response_format.type == ResponseFormat::Type::json_object) {
    needs.emplace_back("json_mode");
  } else if (request.response_format.type == ResponseFormat::Type::json_schema) {
    needs.emplace_back("json_schema");
  }
  if (!request.system.empty()) needs.emplace_back("system_prompt");
  for (const auto& m : request.messages) {
    bool image = std::any_of(m.content.begin(), m.content.end(),
                             [](const ContentBlock& b) { return b.type == BlockType::image; });
    if (image) {
      needs.emplace_back("vision");
      break;
    }
  }
  return needs;
}

bool allow_matches(std::string_view pattern, const RouteTarget& target) {
  auto slash = pattern.find('/');
  if (slash == std::string_view::npos) return false;
  if (pattern.substr(0, slash) != target.provider) return false;
  auto model = pattern.substr(slash + 1);
  return model == "*" || model == target.model;
}

std::vector<std::string> allowed_routes(const PersonaConfig& persona) {
  std::vector<std::string> out;
  auto add = [&](std::string s) {
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
  };
  add(persona.primary.model);
  add(persona.primary.str());
  for (const auto& [alias, target] : persona.routes) add(alias);
  for (const auto& t : persona.fallback) add(t.str());
  for (const auto& a : persona.allow) add(a);
  return out;
}

namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

}  // namespace

Result<RoutePlan> plan_route(const PersonaConfig& persona, std::string_view model,
                             const std::vector<std::string>& needs, const CapabilityLookup& caps,
                             std::int64_t max_tokens) {
  RoutePlan plan;
  if (model.empty()) {
    return Error::make(ErrorKind::caller_invalid_request, "you must provide a model parameter",
                       "missing_model");
  }
  if (model == persona.primary.model || model == persona.primary.str()) {
    plan.selected_by = "primary";
    plan.targets.push_back(persona.primary);
    for (const auto& t : persona.fallback) plan.targets.push_back(t);
  } else if (auto it = persona.routes.find(std::string(model)); it != persona.routes.end()) {
    plan.selected_by = "alias";
    plan.targets.push_back(it->second);
  } else {
    auto slash = model.find('/');
    RouteTarget explicit_target;
    if (slash != std::string_view::npos && slash > 0 && slash + 1 < model.size()) {
      explicit_target.provider = std::string(model.substr(0, slash));
      explicit_target.model = std::string(model.substr(slash + 1));
    }
    bool permitted =
        !explicit_target.provider.empty() &&
        (std::find(persona.fallback.begin(), persona.fallback.end(), explicit_target) !=
             persona.fallback.end() ||
         std::any_of(persona.allow.begin(), persona.allow.end(),
                     [&](const std::string& p) { return allow_matches(p, explicit_target); }));
    if (!permitted || !caps(explicit_target)) {
      Error e =
          Error::make(ErrorKind::caller_not_found,
                      "The model `" + std::string(model) +
                          "` does not exist or you do not have access to it. Models you may use: " +
                          join(allowed_routes(persona)),
                      "model_not_found");
      e.param = "model";
      return e;
    }
    plan.selected_by = "allow";
    plan.targets.push_back(std::move(explicit_target));
  }

  // Persona requirements and request needs both filter targets.
  std::vector<std::string> required = persona.requires_caps;
  for (const auto& n : needs) {
    if (std::find(required.begin(), required.end(), n) == required.end()) required.push_back(n);
  }
  std::vector<RouteTarget> kept;
  std::string missing;
  for (auto& t : plan.targets) {
    const std::optional<Capabilities> c = caps(t);
    if (!c) continue;
    bool ok = true;
    for (const auto& need : missing_capabilities(*c, required)) {
      ok = false;
      if (missing.find(need) == std::string::npos) missing += (missing.empty() ? "" : ", ") + need;
    }
    if (max_tokens > 0 && c->max_output_tokens > 0 && max_tokens > c->max_output_tokens) {
      ok = false;
      const std::string need = "max_tokens " + std::to_string(max_tokens) + " (" + t.str() +
                               " writes at most " + std::to_string(c->max_output_tokens) + ")";
      missing += (missing.empty() ? "" : ", ") + need;
    }
    if (!ok) {
      plan.skipped.push_back({t, "capability"});
    } else if (std::find(kept.begin(), kept.end(), t) == kept.end()) {
      kept.push_back(std::move(t));
    }
  }
  if (kept.empty()) {
    Error e = Error::make(ErrorKind::caller_invalid_request,
                          "no route for model `" + std::string(model) + "` supports: " + missing,
                          "capability_unsupported");
    e.param = "model";
    return e;
  }
  plan.targets = std::move(kept);
  return plan;
}

}  // namespace gw
