// The OpenAI Chat Completions dialect of the mock provider: POST …/chat/completions (plain and
// SSE), GET …/models, and OpenAI's error envelopes, byte-compatible with the recorded fixtures
// in test/fixtures/providers/openai/. Output is a pure function of the request body.
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "mock/mock_dialect.h"

namespace gw::mock {

class OpenAiMockDialect final : public MockDialect {
 public:
  std::string_view name() const override { return "openai"; }
  bool serves(std::string_view method, std::string_view path) const override;
  std::unique_ptr<MockExchange> open(const http::Request& request) const override;
  std::optional<MockReply> side_reply(const http::Request& request) const override;
  MockReply error_reply(const MockError& error) const override;
};

}  // namespace gw::mock
