// Every number errand reads comes back bit for bit: JSON text is parsed with a correctly
// rounded conversion, and a number no double or 64-bit integer can hold is refused.
#include <errand/error.hpp>
#include <errand/job.hpp>
#include <errand/json.hpp>

#include <gtest/gtest.h>

#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace errand {
namespace {

/// A double from random bits: every magnitude from subnormals to the largest finite.
double random_finite(std::mt19937_64& rng) {
  for (;;) {
    const double d = std::bit_cast<double>(rng());
    if (std::isfinite(d)) return d;
  }
}

/// A subnormal (exponent bits zero), the range where conversions go wrong most often.
double random_subnormal(std::mt19937_64& rng) {
  return std::bit_cast<double>(rng() & 0x800F'FFFF'FFFF'FFFFULL);
}

enum class Form { shortest, seventeen_digits, scientific_upper, ruby };

std::string text_of(double d, Form form) {
  std::array<char, 64> buf{};
  char* end = nullptr;
  switch (form) {
    case Form::shortest: end = std::to_chars(buf.data(), buf.data() + buf.size(), d).ptr; break;
    case Form::seventeen_digits:
      end = std::to_chars(buf.data(), buf.data() + buf.size(), d, std::chars_format::general, 17).ptr;
      break;
    case Form::scientific_upper: {
      end = std::to_chars(buf.data(), buf.data() + buf.size(), d, std::chars_format::scientific, 16).ptr;
      std::string s(buf.data(), end);
      const auto e = s.find('e');
      s[e] = 'E';
      return s;
    }
    case Form::ruby: return format_double(d);
  }
  std::string s(buf.data(), end);
  // JSON needs a digit after a bare exponent-free integer form to stay a double.
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

/// Parses `count` doubles written in `form`, a thousand per JSON array, and counts
/// those that did not come back with the same bits.
int mismatches(int count, Form form, double (*draw)(std::mt19937_64&), std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  int wrong = 0;
  std::vector<double> expected;
  std::string text;
  for (int done = 0; done < count;) {
    const int batch = std::min(1000, count - done);
    expected.clear();
    text = "[";
    for (int i = 0; i < batch; ++i) {
      const double d = draw(rng);
      expected.push_back(d);
      if (i > 0) text += ',';
      text += text_of(d, form);
    }
    text += ']';
    const json::value parsed = parse_json(text);
    const json::array& numbers = parsed.as_array();
    EXPECT_EQ(numbers.size(), expected.size());
    for (std::size_t i = 0; i < numbers.size() && i < expected.size(); ++i) {
      const double got = numbers[i].is_double() ? numbers[i].get_double() : numbers[i].to_number<double>();
      if (std::bit_cast<std::uint64_t>(got) != std::bit_cast<std::uint64_t>(expected[i])) {
        if (++wrong <= 5) ADD_FAILURE() << text_of(expected[i], form) << " parsed as " << text_of(got, Form::shortest);
      }
    }
    done += batch;
  }
  return wrong;
}

TEST(ExactNumbers, AMillionRandomDoublesInEveryFormComeBackBitForBit) {
  // 1,000,000 doubles in all: every magnitude in four textual forms, plus subnormals.
  EXPECT_EQ(mismatches(250'000, Form::shortest, random_finite, 1), 0);
  EXPECT_EQ(mismatches(250'000, Form::seventeen_digits, random_finite, 2), 0);
  EXPECT_EQ(mismatches(200'000, Form::scientific_upper, random_finite, 3), 0);
  EXPECT_EQ(mismatches(200'000, Form::ruby, random_finite, 4), 0);
  EXPECT_EQ(mismatches(100'000, Form::shortest, random_subnormal, 5), 0);
}

TEST(ExactNumbers, TheValuesANewUserFoundOffByOneUlp) {
  for (const char* text : {"10.506424374475909", "1700000000.0001855", "0.30000000000000004", "2.2250738585072014e-308",
                           "4.9406564584124654e-324", "1.7976931348623157e308", "5e-324"}) {
    const double expected = [&] {
      double d = 0;
      std::from_chars(text, text + std::char_traits<char>::length(text), d);
      return d;
    }();
    const json::value parsed = parse_json(std::string("[") + text + "]");
    EXPECT_EQ(std::bit_cast<std::uint64_t>(parsed.as_array()[0].as_double()), std::bit_cast<std::uint64_t>(expected))
        << text;
  }
}

TEST(ExactNumbers, ATimestampFloatSurvivesParseAndDump) {
  const std::string payload =
      R"({"class":"W","args":[10.506424374475909,1e-7,-0.0],"created_at":1700000000.0001855})";
  EXPECT_EQ(Job::parse(payload).dump(),
            R"({"class":"W","args":[10.506424374475909,1.0e-07,-0.0],"created_at":1700000000.0001855})");
}

TEST(ExactNumbers, IntegersKeepTheirTypeAndValueToSixtyFourBits) {
  const json::value v = parse_json("[9223372036854775807,-9223372036854775808,18446744073709551615,-0,0]");
  const json::array& a = v.as_array();
  EXPECT_EQ(a[0].as_int64(), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(a[1].as_int64(), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(a[2].as_uint64(), std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(to_json(v), "[9223372036854775807,-9223372036854775808,18446744073709551615,0,0]");
}

TEST(ExactNumbers, ANumberBeyondTheRangeOfADoubleIsRefusedWithItsText) {
  const std::vector<std::string> numbers{"1e400", "-1e400", "1.7976931348623159e308", "1" + std::string(400, '0'),
                                         "-" + std::string(309, '9')};
  for (const std::string& number : numbers) {
    try {
      (void)parse_json(R"({"class":"W","args":[)" + number + "]}");
      ADD_FAILURE() << number << " was accepted";
    } catch (const PayloadError& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find("is beyond the range of a double"), std::string::npos) << message;
      EXPECT_NE(message.find(number.substr(0, 20)), std::string::npos) << message;
    }
  }
}

// As JavaScript and serde_json read them; and Postgres's jsonb writes 1e300 as 301 digits.
TEST(ExactNumbers, IntegersPastSixtyFourBitsBecomeTheNearestDouble) {
  const json::value v =
      parse_json("[18446744073709551616,-9223372036854775809,123456789012345678901234,1" + std::string(300, '0') + "]");
  const json::array& a = v.as_array();
  EXPECT_EQ(a[0].as_double(), 0x1p64);
  EXPECT_EQ(a[1].as_double(), -0x1p63);
  EXPECT_EQ(a[2].as_double(), 123456789012345678901234.0);
  EXPECT_EQ(a[3].as_double(), 1e300) << "the same double as the float Postgres was given";
}

TEST(ExactNumbers, UnderflowReadsAsTheCorrectlyRoundedZero) {
  const json::value v = parse_json("[1e-400,-1e-400,0e99999,2.4703282292062328e-324,2.4703282292062327e-324]");
  const json::array& a = v.as_array();
  EXPECT_EQ(std::bit_cast<std::uint64_t>(a[0].as_double()), std::bit_cast<std::uint64_t>(0.0));
  EXPECT_EQ(std::bit_cast<std::uint64_t>(a[1].as_double()), std::bit_cast<std::uint64_t>(-0.0));
  EXPECT_EQ(a[2].as_double(), 0.0);
  EXPECT_EQ(a[3].as_double(), std::numeric_limits<double>::denorm_min());
  EXPECT_EQ(a[4].as_double(), 0.0);
}

TEST(ExactNumbers, ParseErrorsStillNameTheProblem) {
  EXPECT_THROW((void)parse_json("[1,2"), PayloadError);
  EXPECT_THROW((void)parse_json("[1] x"), PayloadError);
  EXPECT_THROW((void)parse_json("[1e99999999999999999999]"), PayloadError);
  EXPECT_NO_THROW((void)parse_json(" [1.5] \n"));
}

}  // namespace
}  // namespace errand
