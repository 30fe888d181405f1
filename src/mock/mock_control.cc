// /_mock/* control endpoint (see mock_control.h).
#include "mock/mock_control.h"

#include <string>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>

#include "mock/mock_json.h"

namespace gw::mock {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxJsonDepth = 64;

MockReply json_reply(int status, const json::value& body) {
  MockReply reply;
  reply.status = status;
  reply.headers = {{"content-type", "application/json"}, {"cache-control", "no-store"}};
  reply.body = json_pretty(body);
  return reply;
}

MockReply error(int status, std::string message) {
  return json_reply(status, json::object{{"error", json::object{{"message", std::move(message)}}}});
}

std::optional<json::value> parse(std::string_view text) {
  json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec, json::storage_ptr(), options);
  if (ec) return std::nullopt;
  return v;
}

json::value request_json(const RecordedRequest& r) {
  json::object headers;
  for (const auto& h : r.headers) {
    // Repeated headers are folded the HTTP way, "a, b".
    if (auto* existing = headers.if_contains(h.name)) {
      std::string folded(existing->get_string());
      folded += ", ";
      folded += h.value;
      *existing = folded;
    } else {
      headers[h.name] = h.value;
    }
  }
  json::object out;
  out["method"] = r.method;
  out["path"] = r.target;
  out["headers"] = std::move(headers);
  if (auto parsed = r.body_truncated ? std::nullopt : parse(r.body)) {
    out["body"] = std::move(*parsed);
  } else {
    out["body"] = r.body;
  }
  if (r.body_truncated) out["body_truncated"] = true;
  return out;
}

MockReply faults(MockState& state, const http::Request& request) {
  if (request.method == "GET") {
    json::array list;
    for (const auto& f : state.faults()) list.push_back(to_json(f));
    return json_reply(200, json::object{{"faults", std::move(list)}});
  }
  if (request.method == "DELETE") {
    return json_reply(200, json::object{{"cleared", state.clear_faults()}});
  }
  if (request.method != "POST") return error(405, "use GET, POST or DELETE");
  auto body = parse(request.body);
  if (!body) return error(400, "body is not valid JSON");
  auto queued = parse_fault_queue(*body);
  if (!queued) return error(400, queued.error().message);
  const std::size_t added = queued->size();
  if (auto s = state.push_faults(std::move(*queued)); !s) return error(400, s.error().message);
  return json_reply(200, json::object{{"queued", added}, {"pending", state.faults().size()}});
}

MockReply requests(MockState& state, const http::Request& request) {
  if (request.method == "DELETE") {
    return json_reply(200, json::object{{"cleared", state.clear_requests()}});
  }
  if (request.method != "GET") return error(405, "use GET or DELETE");
  json::array list;
  for (const auto& r : state.requests()) list.push_back(request_json(r));
  return json_reply(200, json::object{{"requests", std::move(list)}});
}

MockReply stats(MockState& state, const http::Request& request) {
  if (request.method == "DELETE") {
    state.reset_stats();
    return json_reply(200, json::object{{"reset", true}});
  }
  if (request.method != "GET") return error(405, "use GET or DELETE");
  const MockStats s = state.stats();
  json::object by_status;
  for (const auto& [status, count] : s.by_status) by_status[status] = count;
  return json_reply(200, json::object{{"requests", s.requests},
                                      {"in_flight", s.in_flight},
                                      {"by_status", std::move(by_status)}});
}

}  // namespace

MockReply control_reply(MockState& state, const http::Request& request) {
  const std::string_view path = request.path();
  if (path == "/_mock/faults") return faults(state, request);
  if (path == "/_mock/requests") return requests(state, request);
  if (path == "/_mock/stats") return stats(state, request);
  return error(404, "unknown control path " + std::string(path) +
                        " (expected /_mock/faults, /_mock/requests or /_mock/stats)");
}

}  // namespace gw::mock
