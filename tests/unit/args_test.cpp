#include <errand/args.hpp>

#include <boost/describe.hpp>
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

namespace errand::args_test {

struct Address {
  std::string city;
  std::optional<std::string> zip;
};
BOOST_DESCRIBE_STRUCT(Address, (), (city, zip))

struct Report {
  std::string user_guid;
  int year = 0;
  std::vector<Address> addresses;
};
BOOST_DESCRIBE_STRUCT(Report, (), (user_guid, year, addresses))

template <class T>
T round_trip(const T& value) {
  return decode_arg<T>(parse_json(to_json(encode_arg(value))));
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ArgumentError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Args, ScalarsRoundTrip) {
  EXPECT_EQ(round_trip(true), true);
  EXPECT_EQ(round_trip(std::int64_t{-9'007'199'254'740'993}), -9'007'199'254'740'993);
  EXPECT_EQ(round_trip(std::uint64_t{18'446'744'073'709'551'615ULL}), 18'446'744'073'709'551'615ULL);
  EXPECT_EQ(round_trip(42), 42);
  EXPECT_DOUBLE_EQ(round_trip(19.99), 19.99);
  EXPECT_EQ(round_trip(std::string("héllo \"q\"")), "héllo \"q\"");
}

TEST(Args, ContainersRoundTrip) {
  const std::vector<std::int64_t> v{1, 2, 3};
  EXPECT_EQ(round_trip(v), v);
  const std::map<std::string, std::vector<std::string>> m{{"a", {"x"}}, {"b", {}}};
  EXPECT_EQ(round_trip(m), m);
  const std::unordered_map<std::string, double> u{{"pi", 3.14}};
  EXPECT_EQ(round_trip(u), u);
  EXPECT_EQ(round_trip(std::optional<int>()), std::nullopt);
  EXPECT_EQ(round_trip(std::optional<int>(5)), 5);
}

TEST(Args, RawJsonPassesThrough) {
  const json::value v = parse_json(R"({"any":[1,{"x":null}]})");
  EXPECT_EQ(round_trip(v), v);
  EXPECT_EQ(round_trip(v.get_object()), v.get_object());
}

TEST(Args, DescribedStructsMapToObjects) {
  const Report r{"u-1", 2026, {{"Oslo", "0150"}, {"Bergen", std::nullopt}}};
  EXPECT_EQ(to_json(encode_arg(r)),
            R"({"user_guid":"u-1","year":2026,"addresses":[{"city":"Oslo","zip":"0150"},{"city":"Bergen","zip":null}]})");
  const Report back = round_trip(r);
  EXPECT_EQ(back.user_guid, "u-1");
  EXPECT_EQ(back.year, 2026);
  ASSERT_EQ(back.addresses.size(), 2U);
  EXPECT_EQ(back.addresses[1].zip, std::nullopt);
}

TEST(Args, StructsIgnoreExtraKeysAndAcceptMissingOptionals) {
  const auto r = decode_arg<Report>(parse_json(R"({"year":1,"user_guid":"g","addresses":[{"city":"X"}],"extra":true})"));
  EXPECT_EQ(r.user_guid, "g");
  EXPECT_EQ(r.addresses.at(0).zip, std::nullopt);
}

TEST(Args, MissingRequiredKeyNamesTheKeyAndPath) {
  const std::string msg = error_of([] { (void)decode_arg<Report>(parse_json(R"({"year":1,"addresses":[]})")); });
  EXPECT_NE(msg.find("missing key \"user_guid\""), std::string::npos) << msg;
}

TEST(Args, WrongTypesNameThePathExpectedAndActual) {
  std::string msg = error_of([] {
    (void)decode_arg<Report>(parse_json(R"({"user_guid":"g","year":"2026","addresses":[]})"));
  });
  EXPECT_NE(msg.find(".year: expected integer, got string \"2026\""), std::string::npos) << msg;

  msg = error_of([] {
    (void)decode_arg<Report>(parse_json(R"({"user_guid":"g","year":1,"addresses":[{"city":"a"},{"city":7}]})"));
  });
  EXPECT_NE(msg.find(".addresses[1].city: expected string, got integer 7"), std::string::npos) << msg;
}

TEST(Args, IntegersAreRangeCheckedAndNotTakenFromFloats) {
  EXPECT_THROW((void)decode_arg<std::int8_t>(json::value(300)), ArgumentError);
  EXPECT_THROW((void)decode_arg<std::uint32_t>(json::value(-1)), ArgumentError);
  EXPECT_THROW((void)decode_arg<int>(json::value(1.5)), ArgumentError);
  EXPECT_THROW((void)decode_arg<int>(json::value(nullptr)), ArgumentError);
  EXPECT_EQ(decode_arg<double>(json::value(3)), 3.0);  // an integer is a fine float
  EXPECT_THROW((void)decode_arg<bool>(json::value(1)), ArgumentError);
  EXPECT_THROW((void)decode_arg<std::string>(json::value(1)), ArgumentError);
}

}  // namespace errand::args_test
