#include <errand/error.hpp>
#include <errand/json.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace errand {
namespace {

TEST(FormatDouble, WritesFloatsAsRubyFloatToS) {
  EXPECT_EQ(format_double(1700000000.123456), "1700000000.123456");
  EXPECT_EQ(format_double(1.0), "1.0");
  EXPECT_EQ(format_double(100.0), "100.0");
  EXPECT_EQ(format_double(0.1), "0.1");
  EXPECT_EQ(format_double(-0.0), "-0.0");
  EXPECT_EQ(format_double(0.0001), "0.0001");
  EXPECT_EQ(format_double(1.5e-5), "1.5e-05");
  EXPECT_EQ(format_double(1e20), "1.0e+20");
  EXPECT_EQ(format_double(1.25e16), "1.25e+16");
  EXPECT_EQ(format_double(1700000000.0), "1700000000.0");
}

TEST(FormatDouble, RejectsNanAndInfinity) {
  EXPECT_THROW((void)format_double(std::numeric_limits<double>::quiet_NaN()), PayloadError);
  EXPECT_THROW((void)format_double(std::numeric_limits<double>::infinity()), PayloadError);
}

TEST(ToJson, WritesCompactJsonInInsertionOrder) {
  json::object o;
  o["retry"] = true;
  o["queue"] = "default";
  o["args"] = json::array{1, "x", nullptr, 2.5, json::object{{"k", false}}};
  o["big"] = std::numeric_limits<std::uint64_t>::max();
  EXPECT_EQ(to_json(o), R"({"retry":true,"queue":"default","args":[1,"x",null,2.5,{"k":false}],"big":18446744073709551615})");
}

TEST(ToJson, EscapesLikeRubyAndKeepsUtf8Raw) {
  EXPECT_EQ(to_json(json::string("a\"b\\c/d")), R"("a\"b\\c/d")");
  EXPECT_EQ(to_json(json::string("\n\t\r\b\f")), R"("\n\t\r\b\f")");
  EXPECT_EQ(to_json(json::string(std::string("\x01\x1f", 2))), R"("\u0001\u001f")");
  EXPECT_EQ(to_json(json::string("héllo ✓")), "\"héllo ✓\"");
}

TEST(ParseJson, RoundTripsThroughToJson) {
  const std::string text =
      R"({"retry":true,"queue":"default","class":"App::Jobs::HardWorker","args":[1234,"bob@example.com",{"plan":"pro","amount":19.99}],"jid":"b4a577edbccf1d805744efa9","created_at":1700000000.123456,"enqueued_at":1700000000.654321,"bid":"x"})";
  EXPECT_EQ(to_json(parse_json(text)), text);
}

TEST(ParseJson, RejectsMalformedTextWithAClearMessage) {
  try {
    (void)parse_json(R"({"class":"X","args":[1)");
    FAIL() << "expected PayloadError";
  } catch (const PayloadError& e) {
    EXPECT_NE(std::string(e.what()).find("invalid JSON"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)parse_json("not json"), PayloadError);
  EXPECT_THROW((void)parse_json(R"({"a":1} trailing)"), PayloadError);
  EXPECT_THROW((void)parse_json(""), PayloadError);
}

}  // namespace
}  // namespace errand

namespace errand {
namespace {

std::string nested_arrays(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(ParseJson, AllowsRubysNestingDepthOf100) {
  EXPECT_NO_THROW((void)parse_json(nested_arrays(100)));
  EXPECT_THROW((void)parse_json(nested_arrays(101)), PayloadError);
}

}  // namespace
}  // namespace errand
