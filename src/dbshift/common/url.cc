#include "dbshift/common/url.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "dbshift/common/error.h"

namespace dbshift {
namespace {

constexpr std::string_view kMask = "***";
constexpr std::string_view kAcceptedForms =
    "use sqlite:PATH, sqlite::memory:, postgres://user:password@host:port/db?param=value "
    "or mysql://user:password@host:port/db (postgresql:// and mariadb:// work too; "
    "percent-encode reserved characters in the password)";

// Query parameters whose values are credentials. sslkey/sslcert name files,
// which are not secret, so they stay readable.
constexpr std::array<std::string_view, 4> kSecretParams = {"password", "sslpassword", "pass",
                                                           "pwd"};

// Secrets shorter than this are replaced only where they appear delimited as
// in a URL or conninfo (":pw@", "password=pw"): blindly replacing every "ab"
// or "1" would shred the message (and hint at the password by what it ate).
constexpr std::size_t kMinFreeMatchLength = 4;

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool IsSecretParam(std::string_view key) {
  const std::string lower = Lower(key);
  return std::find(kSecretParams.begin(), kSecretParams.end(), lower) != kSecretParams.end();
}

// A byte range of the raw URL that must never be shown.
struct Span {
  std::size_t begin;
  std::size_t end;
};

std::string ReplaceSpans(std::string_view text, std::vector<Span> spans) {
  std::sort(spans.begin(), spans.end(), [](Span a, Span b) { return a.begin < b.begin; });
  std::string out;
  std::size_t pos = 0;
  for (const Span& span : spans) {
    if (span.begin < pos) continue;  // overlapping spans: the first one already masked it
    out.append(text.substr(pos, span.begin - pos));
    out.append(kMask);
    pos = span.end;
  }
  out.append(text.substr(std::min(pos, text.size())));
  return out;
}

// Masks credentials in text that did not parse, so error messages can quote
// it. It errs on the side of hiding too much: everything between the first
// ':' of the authority and the last '@', and the value of every
// password-like key=value pair.
std::string RedactUnparsed(std::string_view text) {
  std::vector<Span> spans;
  const std::size_t slashes = text.find("//");
  if (slashes != std::string_view::npos) {
    const std::size_t start = slashes + 2;
    const std::size_t at = text.rfind('@');
    if (at != std::string_view::npos && at >= start) {
      const std::size_t colon = text.find(':', start);
      if (colon != std::string_view::npos && colon < at) spans.push_back({colon + 1, at});
    }
  }
  const std::string lower = Lower(text);
  for (std::string_view key : kSecretParams) {
    const std::string needle = std::string(key) + "=";
    for (std::size_t pos = lower.find(needle); pos != std::string::npos;
         pos = lower.find(needle, pos + 1)) {
      const bool starts_key = pos == 0 || !std::isalnum(static_cast<unsigned char>(lower[pos - 1]));
      if (!starts_key) continue;
      const std::size_t value = pos + needle.size();
      std::size_t end = text.find_first_of("& ;#\t\n", value);
      if (end == std::string_view::npos) end = text.size();
      spans.push_back({value, end});
    }
  }
  return ReplaceSpans(text, std::move(spans));
}

[[noreturn]] void ThrowBadUrl(std::string_view text, std::string_view reason) {
  throw ConfigError(fmt::format("\"{}\" is not a database URL: {}; {}", RedactUnparsed(text),
                                reason, kAcceptedForms));
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding as RFC 3986 (and libpq) define it: '+' stays a '+'.
std::optional<std::string> PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int high = HexValue(text[i + 1]);
    const int low = HexValue(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return out;
}

}  // namespace

// Parse works on offsets into url.raw_ so that Redacted() can mask exactly
// the bytes that hold secrets and leave the rest of the text as written.
Url Url::Parse(std::string_view text) {
  Url url;
  url.raw_ = std::string(text);
  const std::string_view raw = url.raw_;
  if (raw.empty()) ThrowBadUrl(raw, "it is empty");

  const std::size_t colon = raw.find(':');
  if (colon == std::string_view::npos || colon == 0) ThrowBadUrl(raw, "it has no scheme");
  const std::string scheme = Lower(raw.substr(0, colon));
  std::vector<Span> secrets;

  auto decode = [&](std::string_view part, std::string_view what) {
    std::optional<std::string> decoded = PercentDecode(part);
    if (!decoded) ThrowBadUrl(raw, fmt::format("bad percent-encoding in the {}", what));
    return std::move(*decoded);
  };
  // Query parameters: "k=v&k2=v2", values of secret keys are masked.
  auto parse_query = [&](std::size_t begin, std::size_t end) {
    std::size_t pos = begin;
    while (pos < end) {
      std::size_t amp = raw.find('&', pos);
      if (amp == std::string_view::npos || amp > end) amp = end;
      const std::string_view pair = raw.substr(pos, amp - pos);
      if (!pair.empty()) {
        const std::size_t eq = pair.find('=');
        const std::string key = decode(pair.substr(0, eq), "query");
        const std::string value =
            eq == std::string_view::npos ? std::string() : decode(pair.substr(eq + 1), "query");
        if (key.empty()) ThrowBadUrl(raw, "a query parameter has no name");
        if (IsSecretParam(key) && eq != std::string_view::npos) {
          secrets.push_back({pos + eq + 1, amp});
        }
        url.params_[key] = value;
      }
      pos = amp + 1;
    }
  };

  if (scheme == "sqlite") {
    url.scheme_ = "sqlite";
    std::size_t begin = colon + 1;
    // sqlite://PATH: the two slashes are the (empty) authority, so
    // sqlite:///abs/path names /abs/path and sqlite://rel names rel.
    if (raw.substr(begin, 2) == "//") begin += 2;
    std::size_t end = raw.find('?', begin);
    if (end == std::string_view::npos) end = raw.size();
    // The path is used as written: file names may contain '%'.
    url.database_ = std::string(raw.substr(begin, end - begin));
    if (url.database_.empty()) ThrowBadUrl(raw, "the SQLite file path is empty");
    url.database_span_ = {begin, end};
    if (end < raw.size()) parse_query(end + 1, raw.size());
    url.redacted_ = ReplaceSpans(raw, std::move(secrets));
    return url;
  }

  if (scheme == "postgres" || scheme == "postgresql") {
    url.scheme_ = "postgres";
  } else if (scheme == "mysql" || scheme == "mariadb") {
    url.scheme_ = "mysql";
  } else {
    ThrowBadUrl(raw, fmt::format("unknown scheme \"{}\"", raw.substr(0, colon)));
  }
  if (raw.substr(colon + 1, 2) != "//") ThrowBadUrl(raw, "expected \"//\" after the scheme");
  const std::size_t authority = colon + 3;

  // The user info ends at the last '@' before the path, so a raw '@' in a
  // password still parses; an '@' inside a query value ("?k=a@b") is not
  // taken for it.
  std::size_t limit = raw.find('/', authority);
  const std::size_t question = raw.find('?', authority);
  if (question != std::string_view::npos) {
    limit = std::min(limit, raw.find('=', question));
  }
  const std::size_t at = raw.rfind('@', limit == std::string_view::npos ? raw.size() : limit);
  std::size_t host_begin = authority;
  if (at != std::string_view::npos && at >= authority) {
    const std::string_view userinfo = raw.substr(authority, at - authority);
    if (userinfo.find('@') != std::string_view::npos) {
      // libpq ends the user info at the first '@', not the last: it would
      // connect to another host than the one dbshift names.
      ThrowBadUrl(raw, "the user name or password holds a raw '@'; write it as %40");
    }
    const std::size_t user_end = userinfo.find(':');
    url.user_ = decode(userinfo.substr(0, user_end), "user name");
    if (user_end != std::string_view::npos) {
      const std::size_t pw_begin = authority + user_end + 1;
      url.raw_password_ = std::string(raw.substr(pw_begin, at - pw_begin));
      url.password_ = decode(url.raw_password_, "password");
      secrets.push_back({pw_begin, at});
    }
    host_begin = at + 1;
  }

  std::size_t host_end = raw.find_first_of("/?#", host_begin);
  if (host_end == std::string_view::npos) host_end = raw.size();
  const std::string_view host_port = raw.substr(host_begin, host_end - host_begin);
  std::string_view host = host_port;
  std::string_view port;
  if (host_port.find(',') != std::string_view::npos) {
    // libpq's multi-host form "h1:5432,h2:5433": kept whole for libpq.
  } else if (!host_port.empty() && host_port.front() == '[') {
    const std::size_t close = host_port.find(']');
    if (close == std::string_view::npos) ThrowBadUrl(raw, "the IPv6 host has no closing ']'");
    host = host_port.substr(1, close - 1);
    const std::string_view after = host_port.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') ThrowBadUrl(raw, "unexpected text after the IPv6 host");
      port = after.substr(1);
    }
  } else if (const std::size_t port_colon = host_port.rfind(':');
             port_colon != std::string_view::npos) {
    host = host_port.substr(0, port_colon);
    port = host_port.substr(port_colon + 1);
  }
  url.host_ = decode(host, "host");
  if (!port.empty()) {
    int value = 0;
    const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (error != std::errc() || end != port.data() + port.size() || value < 1 || value > 65535) {
      ThrowBadUrl(raw, fmt::format("the port \"{}\" is not a number from 1 to 65535", port));
    }
    url.port_ = value;
  }

  std::size_t query_begin = raw.find('?', host_end);
  std::size_t fragment = raw.find('#', host_end);
  if (fragment == std::string_view::npos) fragment = raw.size();
  if (query_begin == std::string_view::npos || query_begin > fragment) query_begin = fragment;
  if (host_end < query_begin && raw[host_end] == '/') {
    url.database_ = decode(raw.substr(host_end + 1, query_begin - host_end - 1), "database name");
    url.database_span_ = {host_end + 1, query_begin};
  } else {
    url.database_span_ = {host_end, host_end};
    url.database_needs_slash_ = true;
  }
  if (query_begin < fragment) parse_query(query_begin + 1, fragment);
  url.redacted_ = ReplaceSpans(raw, std::move(secrets));
  return url;
}

std::string Url::Redacted() const { return redacted_; }

Url Url::WithDatabase(std::string_view database) const {
  if (params_.contains("dbname")) {
    throw ConfigError(fmt::format(
        "{}: the database is named by the dbname parameter; name it in the path instead "
        "(.../DATABASE) so that dbshift can connect to another database of the server",
        Redacted()));
  }
  std::string name;
  if (scheme_ == "sqlite") {
    name = database;  // a file path, used as written
  } else {
    for (const char c : database) {
      if (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_' ||
          c == '~') {
        name += c;
      } else {
        name += fmt::format("%{:02X}", static_cast<unsigned char>(c));
      }
    }
  }
  std::string raw = raw_;
  raw.replace(database_span_.first, database_span_.second - database_span_.first,
              (database_needs_slash_ ? "/" : "") + name);
  return Parse(raw);
}

namespace {

void ReplaceAll(std::string& text, std::string_view needle, std::string_view replacement) {
  if (needle.empty()) return;
  for (std::size_t pos = text.find(needle); pos != std::string::npos;
       pos = text.find(needle, pos + replacement.size())) {
    text.replace(pos, needle.size(), replacement);
  }
}

bool IsValueEnd(std::string_view text, std::size_t pos) {
  if (pos >= text.size()) return true;
  const unsigned char c = static_cast<unsigned char>(text[pos]);
  return !std::isalnum(c) && c != '_' && c != '-' && c != '.' && c < 0x80;
}

// Replaces a short secret only where it stands as a URL password
// (":pw@") or as the value of a password-like key ("password=pw",
// "password='pw'"), so short passwords do not shred ordinary words.
void ReplaceDelimited(std::string& text, std::string_view secret) {
  if (secret.empty()) return;
  ReplaceAll(text, fmt::format(":{}@", secret), fmt::format(":{}@", kMask));
  std::string lower = Lower(text);
  for (std::string_view key : kSecretParams) {
    for (std::string_view quote : {"", "'", "\""}) {
      const std::string needle = fmt::format("{}={}{}", key, quote, secret);
      for (std::size_t pos = lower.find(Lower(needle)); pos != std::string::npos;
           pos = lower.find(Lower(needle), pos + 1)) {
        const std::size_t value = pos + key.size() + 1 + quote.size();
        const std::size_t end = value + secret.size();
        const bool starts_key =
            pos == 0 || !std::isalnum(static_cast<unsigned char>(lower[pos - 1]));
        // Compare the secret case-sensitively: only the key is case-blind.
        if (!starts_key || text.compare(value, secret.size(), secret) != 0 ||
            !IsValueEnd(text, end)) {
          continue;
        }
        text.replace(value, secret.size(), kMask);
        lower = Lower(text);
      }
    }
  }
}

}  // namespace

std::string Url::Scrub(std::string_view text) const {
  std::string out(text);
  ReplaceAll(out, raw_, redacted_);

  std::vector<std::string> secrets = {raw_password_, password_};
  for (const auto& [key, value] : params_) {
    if (IsSecretParam(key)) secrets.push_back(value);
  }
  // Longest first, so a secret that contains another is replaced whole.
  std::sort(secrets.begin(), secrets.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  for (const std::string& secret : secrets) {
    if (secret.empty() || secret == kMask) continue;
    if (secret.size() >= kMinFreeMatchLength) {
      ReplaceAll(out, secret, kMask);
    } else {
      ReplaceDelimited(out, secret);
    }
  }
  return out;
}

}  // namespace dbshift
