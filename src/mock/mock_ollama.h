// The Ollama native dialect of the mock provider: POST /api/chat (NDJSON stream unless
// "stream": false, else one JSON body), GET /api/tags, and Ollama's {"error":"…"} bodies. The
// request is read with the gateway's own Ollama codec (wire/ollama), planned by plan_chat and
// rendered with the Ollama response and chunk encoders, so output follows docs/mock-provider.md.
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "mock/mock_dialect.h"

namespace gw::mock {

class OllamaMockDialect final : public MockDialect {
 public:
  std::string_view name() const override { return "ollama"; }
  bool serves(std::string_view method, std::string_view path) const override;
  std::unique_ptr<MockExchange> open(const http::Request& request) const override;
  std::optional<MockReply> side_reply(const http::Request& request) const override;
  MockReply error_reply(const MockError& error) const override;
};

}  // namespace gw::mock
