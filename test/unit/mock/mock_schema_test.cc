// Argument generation from JSON Schema (tool calls and json_schema output).
#include "mock/mock_schema.h"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include "mock/mock_json.h"

namespace gw::mock {
namespace {

std::string sample(std::string_view schema) {
  return json_compact(sample_from_schema(boost::json::parse(schema)));
}

TEST(MockSchema, ObjectPropertiesInSchemaOrderWithTypedDefaults) {
  EXPECT_EQ(sample(R"({"type":"object","properties":{
      "city":{"type":"string"},"units":{"type":"string","enum":["c","f"]},
      "days":{"type":"integer"},"ratio":{"type":"number"},"exact":{"type":"boolean"},
      "tags":{"type":"array","items":{"type":"string"}},
      "where":{"type":"object","properties":{"lat":{"type":"number"},"name":{"type":"string"}}}}})"),
            R"({"city":"city-value","units":"c","days":1,"ratio":1.5,"exact":true,"tags":[],)"
            R"("where":{"lat":1.5,"name":"name-value"}})");
}

TEST(MockSchema, MissingOrEmptySchemaIsAnEmptyObject) {
  EXPECT_EQ(json_compact(sample_from_schema(boost::json::value())), "{}");
  EXPECT_EQ(sample("{}"), "{}");
  EXPECT_EQ(sample(R"({"type":"object"})"), "{}");
}

TEST(MockSchema, RefsCombinatorsAndConstraints) {
  EXPECT_EQ(sample(R"({"type":"object","properties":{"a":{"$ref":"#/$defs/A"}},
      "$defs":{"A":{"type":"object","properties":{"x":{"type":"integer","minimum":5}}}}})"),
            R"({"a":{"x":5}})");
  EXPECT_EQ(sample(R"({"properties":{"o":{"anyOf":[{"type":"null"},{"type":"string"}]},
      "k":{"const":"fixed"},"n":{"type":["null","number"],"maximum":0.5},
      "l":{"type":"array","minItems":2,"items":{"type":"integer"}},
      "t":{"type":"string","format":"date-time"}}})"),
            R"({"o":"o-value","k":"fixed","n":0.5,"l":[1,1],"t":"2023-11-14T22:13:20Z"})");
}

TEST(MockSchema, CyclicRefsTerminate) {
  const auto out = sample(R"({"type":"object","properties":{"self":{"$ref":"#"}}})");
  EXPECT_EQ(out.rfind("{\"self\":{\"self\":", 0), 0u);
}

TEST(MockSchema, TopLevelScalarSchemas) {
  EXPECT_EQ(sample(R"({"type":"string"})"), R"("value")");
  EXPECT_EQ(sample(R"({"type":"null"})"), "null");
}

}  // namespace
}  // namespace gw::mock
