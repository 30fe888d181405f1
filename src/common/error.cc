#include "common/error.h"

#include <charconv>

namespace gw {
namespace {

struct KindInfo {
  std::string_view name;
  int status;
  std::string_view openai_type;
  std::string_view anthropic_type;
  std::string_view google_status;
  RetryClass retry;
};

constexpr KindInfo kKinds[] = {
#define GW_X(n, status, type, atype, gstatus, retry) \
  {#n, status, type, atype, gstatus, RetryClass::retry},
    GW_ERROR_KINDS(GW_X)
#undef GW_X
};

const KindInfo& info(ErrorKind kind) {
  return kKinds[static_cast<std::size_t>(kind)];
}

}  // namespace

Error Error::make(ErrorKind kind, std::string message, std::string code) {
  Error e;
  e.kind = kind;
  e.retry = default_retry(kind);
  e.message = std::move(message);
  e.code = std::move(code);
  return e;
}

int http_status(ErrorKind kind) {
  return info(kind).status;
}
std::string_view name(ErrorKind kind) {
  return info(kind).name;
}
std::string_view openai_type(ErrorKind kind) {
  return info(kind).openai_type;
}
std::string_view anthropic_type(ErrorKind kind) {
  return info(kind).anthropic_type;
}
std::string_view google_status(ErrorKind kind) {
  return info(kind).google_status;
}
RetryClass default_retry(ErrorKind kind) {
  return info(kind).retry;
}

FaultDomain fault_domain(ErrorKind kind) {
  std::string_view n = name(kind);
  if (n.starts_with("caller_")) return FaultDomain::caller;
  if (n.starts_with("policy_")) return FaultDomain::policy;
  if (n.starts_with("provider_")) return FaultDomain::provider;
  return FaultDomain::gateway;
}

std::string_view name(FaultDomain domain) {
  switch (domain) {
    case FaultDomain::caller:
      return "caller";
    case FaultDomain::policy:
      return "policy";
    case FaultDomain::provider:
      return "provider";
    case FaultDomain::gateway:
      return "gateway";
  }
  return "gateway";
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  double seconds = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec != std::errc{} || ptr != value.data() + value.size() || seconds < 0) return std::nullopt;
  if (seconds > 86400) seconds = 86400;
  return std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
}

}  // namespace gw
