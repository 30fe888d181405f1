// The seam between the shared mock machinery (routing, fault queue, delays, stream playback)
// and one provider wire format. A dialect only renders bytes: it never sleeps, never writes to
// a socket and never looks at the fault queue. Adding Anthropic/Gemini/Bedrock/Ollama is one
// new mock_<dialect>.cc implementing these two interfaces plus one line in MockHandler.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/request.h"
#include "mock/mock_fault.h"
#include "spi/provider.h"  // HeaderList

namespace gw::mock {

// A stream as a sequence of ready-framed records. The player writes each record separately
// (this is a simulated upstream: chunk delays and drop points need record boundaries).
struct StreamScript {
  std::vector<std::string> lead;     // before any content (e.g. the role chunk)
  std::vector<std::string> content;  // one record per content chunk / tool-call fragment
  std::vector<std::string> trail;    // finish, usage and terminator records
  std::function<std::string(std::size_t)> endless;  // content record number i of an endless stream
  std::string malformed;  // a record in this framing whose payload does not parse
  std::string error;      // an in-band error record; the stream ends after it
};

struct MockReply {
  int status = 200;
  HeaderList headers;
  std::string body;  // when !stream
  std::optional<StreamScript> stream;
};

// An error to render in a dialect's own envelope. Empty code/param are sent as null.
struct MockError {
  int status = 400;
  std::string message;
  std::string type;
  std::string code;
  std::string param;
};

// One parsed inference request.
class MockExchange {
 public:
  virtual ~MockExchange() = default;
  virtual const std::string& model() const = 0;  // empty when the request has none
  virtual bool stream() const = 0;
  // Set when the request itself is invalid: the 4xx this dialect's provider would send.
  virtual const std::optional<MockReply>& invalid() const = 0;
  // The answer to an injected status: fault.body verbatim, else the provider's usual body.
  virtual MockReply fault_reply(const MockFault& fault) const = 0;
  // The completion, shaped by fault.chunks / fault.no_usage (other knobs are the player's).
  virtual MockReply reply(const MockFault& fault) const = 0;
};

class MockDialect {
 public:
  virtual ~MockDialect() = default;
  virtual std::string_view name() const = 0;
  // True for the inference endpoint(s) this dialect serves.
  virtual bool serves(std::string_view method, std::string_view path) const = 0;
  virtual std::unique_ptr<MockExchange> open(const http::Request& request) const = 0;
  // Answers this dialect's other endpoints (model lists); nullopt when not one of them.
  virtual std::optional<MockReply> side_reply(const http::Request& request) const = 0;
  virtual MockReply error_reply(const MockError& error) const = 0;
};

}  // namespace gw::mock
