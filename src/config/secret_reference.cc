// Resolves env: and file: references now; vault: and aws-sm: are recognised so that a config
// written for them fails loudly instead of being mistaken for a plaintext secret.
#include "config/secret_reference.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <system_error>

namespace gw::config {
namespace {

// A credential file is a line of text; anything bigger is the wrong file.
constexpr std::size_t kMaxSecretFileBytes = 64 * 1024;

constexpr std::string_view kPlaintextRefused =
    "plaintext secret refused; use env:NAME or file:PATH (or set local_demo: true for local "
    "demos)";

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool valid_env_name(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    const bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

SecretResolution refused(std::string problem) {
  SecretResolution r;
  r.outcome = SecretOutcome::refused;
  r.problem = std::move(problem);
  return r;
}

SecretResolution unresolved(std::string problem) {
  SecretResolution r;
  r.outcome = SecretOutcome::unresolved;
  r.problem = std::move(problem);
  return r;
}

SecretResolution resolved(std::string value, bool plaintext = false) {
  SecretResolution r;
  r.outcome = SecretOutcome::resolved;
  r.value = std::move(value);
  r.plaintext = plaintext;
  return r;
}

std::string errno_text() {
  return std::error_code(errno, std::generic_category()).message();
}

void trim_trailing_newlines(std::string& s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
}

SecretResolution from_env(std::string_view name, const SecretContext& context) {
  if (!valid_env_name(name)) {
    return refused(
        "malformed env: reference; expected env:NAME with NAME made of letters, digits "
        "and '_'");
  }
  const std::string key(name);
  std::optional<std::string> value;
  if (context.getenv) {
    value = context.getenv(key);
  } else if (const char* raw = std::getenv(key.c_str())) {
    value = std::string(raw);
  }
  if (!value) return unresolved("environment variable " + key + " is not set");
  if (value->empty()) return unresolved("environment variable " + key + " is empty");
  return resolved(std::move(*value));
}

SecretResolution from_file(std::string_view path_text, const SecretContext& context) {
  if (path_text.empty()) return refused("malformed file: reference; expected file:PATH");
  std::filesystem::path path(path_text);
  if (path.is_relative() && !context.base_dir.empty()) path = context.base_dir / path;
  path = path.lexically_normal();
  const std::string shown = path.string();

  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(shown.c_str(), "rb"),
                                                       &std::fclose);
  if (!file) return unresolved("file " + shown + " cannot be read: " + errno_text());
  std::string contents;
  char buffer[4096];
  while (true) {
    const std::size_t n = std::fread(buffer, 1, sizeof(buffer), file.get());
    contents.append(buffer, n);
    if (contents.size() > kMaxSecretFileBytes) {
      return refused("file " + shown + " is larger than 64 KiB; not a secret file");
    }
    if (n < sizeof(buffer)) break;
  }
  if (std::ferror(file.get()) != 0) {
    return unresolved("file " + shown + " cannot be read: " + errno_text());
  }
  trim_trailing_newlines(contents);
  if (contents.empty()) return unresolved("file " + shown + " is empty");
  return resolved(std::move(contents));
}

}  // namespace

SecretResolution resolve_secret(std::string_view reference, const SecretContext& context) {
  if (starts_with(reference, "env:")) return from_env(reference.substr(4), context);
  if (starts_with(reference, "file:")) return from_file(reference.substr(5), context);
  if (starts_with(reference, "vault:")) return refused("secret store vault is not available yet");
  if (starts_with(reference, "aws-sm:")) {
    return refused("secret store aws-sm is not available yet");
  }
  if (!context.allow_plaintext) return refused(std::string(kPlaintextRefused));
  return resolved(std::string(reference), /*plaintext=*/true);
}

}  // namespace gw::config
