// Keeping passwords out of messages: every URL errand prints or puts in an error goes
// through masked_url(), and every message passed on from a library that was given a
// URL (libpq) goes through without_secrets().
#pragma once

#include <string>
#include <string_view>

namespace errand::detail {

/// `url` with its password replaced by "***": `redis://:***@cache:6379/0`,
/// `postgres://app:***@db/app?password=***`. The password is what follows the first ':'
/// of the userinfo (up to the last '@'), the whole userinfo of a redis:// or rediss://
/// URL without ':' (`redis://secret@host`, as redis-rb reads it), and any `password`
/// query parameter. Text that is not a URL is read as a libpq key=value connection
/// string, whose `password` value is masked (`host=db password=***`).
[[nodiscard]] std::string masked_url(std::string_view url);

/// `message` with every copy of `url` masked (masked_url), and then every remaining
/// copy of the URL's password, as written and percent-decoded, replaced by "***":
/// for messages of libraries that echo the URL, or the piece of it they choke on.
[[nodiscard]] std::string without_secrets(std::string_view message, std::string_view url);

}  // namespace errand::detail
