#include "tools/registryctl/json_line.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"

namespace collectonce::registryctl {

namespace {

class Parser {
 public:
  explicit Parser(absl::string_view text) : text_(text) {}

  absl::StatusOr<FlatJsonObject> Object() {
    FlatJsonObject out;
    SkipSpace();
    if (!Eat('{')) return Error("expected '{': each line is one JSON object");
    SkipSpace();
    absl::flat_hash_set<std::string> seen;
    if (!Eat('}')) {
      for (;;) {
        SkipSpace();
        std::string key;
        if (Peek() != '"') return Error("expected a key in double quotes");
        if (auto s = String(&key); !s.ok()) return s;
        if (!seen.insert(key).second) return Error("a key appears twice in the object");
        SkipSpace();
        if (!Eat(':')) return Error("expected ':' after a key");
        SkipSpace();
        std::optional<std::string> value;
        if (auto s = Value(&value); !s.ok()) return s;
        out.emplace_back(std::move(key), std::move(value));
        SkipSpace();
        if (Eat(',')) continue;
        if (Eat('}')) break;
        return Error("expected ',' or '}'");
      }
    }
    SkipSpace();
    if (pos_ != text_.size()) return Error("unexpected text after the object");
    return out;
  }

 private:
  char Peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  bool Eat(char c) {
    if (Peek() != c || pos_ >= text_.size()) return false;
    ++pos_;
    return true;
  }
  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\r' || text_[pos_] == '\n')) {
      ++pos_;
    }
  }
  absl::Status Error(absl::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat("column ", pos_ + 1, ": ", what));
  }

  absl::Status Value(std::optional<std::string>* out) {
    const char c = Peek();
    if (c == '"') {
      std::string s;
      if (auto st = String(&s); !st.ok()) return st;
      *out = std::move(s);
      return absl::OkStatus();
    }
    if (c == '-' || (c >= '0' && c <= '9')) return Number(out);
    for (absl::string_view word : {"true", "false", "null"}) {
      if (text_.substr(pos_, word.size()) == word) {
        pos_ += word.size();
        if (word != "null") *out = std::string(word);
        return absl::OkStatus();
      }
    }
    if (c == '{' || c == '[') {
      return Error("nested objects and arrays are not supported; give the value's text form");
    }
    return Error("expected a string, a number, true, false or null");
  }

  // JSON's number grammar; the text is kept as written.
  absl::Status Number(std::optional<std::string>* out) {
    const size_t start = pos_;
    auto digits = [&] {
      size_t n = 0;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_, ++n;
      return n;
    };
    Eat('-');
    if (Peek() == '0') {
      ++pos_;
    } else if (digits() == 0) {
      return Error("a number needs digits");
    }
    if (Eat('.') && digits() == 0) return Error("a number needs digits after '.'");
    if (Peek() == 'e' || Peek() == 'E') {
      ++pos_;
      if (Peek() == '+' || Peek() == '-') ++pos_;
      if (digits() == 0) return Error("a number needs digits in its exponent");
    }
    *out = std::string(text_.substr(start, pos_ - start));
    return absl::OkStatus();
  }

  static void AppendUtf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
      out->push_back(static_cast<char>(0xf0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
  }

  bool Hex4(uint32_t* v) {
    if (pos_ + 4 > text_.size()) return false;
    *v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[pos_ + i];
      int d = c >= '0' && c <= '9'   ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                     : -1;
      if (d < 0) return false;
      *v = *v * 16 + static_cast<uint32_t>(d);
    }
    pos_ += 4;
    return true;
  }

  absl::Status String(std::string* out) {
    ++pos_;  // the opening quote
    for (;;) {
      if (pos_ >= text_.size()) return Error("a string is not closed");
      const char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        return absl::OkStatus();
      }
      if (static_cast<unsigned char>(c) < 0x20) {
        return Error("a control character in a string must be escaped");
      }
      if (c != '\\') {
        out->push_back(c);
        ++pos_;
        continue;
      }
      ++pos_;
      const char e = Peek();
      ++pos_;
      switch (e) {
        case '"':
          out->push_back('"');
          break;
        case '\\':
          out->push_back('\\');
          break;
        case '/':
          out->push_back('/');
          break;
        case 'b':
          out->push_back('\b');
          break;
        case 'f':
          out->push_back('\f');
          break;
        case 'n':
          out->push_back('\n');
          break;
        case 'r':
          out->push_back('\r');
          break;
        case 't':
          out->push_back('\t');
          break;
        case 'u': {
          uint32_t cp;
          if (!Hex4(&cp)) return Error("\\u needs four hex digits");
          if (cp >= 0xd800 && cp <= 0xdbff) {
            uint32_t low;
            if (!(Eat('\\') && Eat('u') && Hex4(&low)) || low < 0xdc00 || low > 0xdfff) {
              return Error("a UTF-16 high surrogate must be followed by a low one");
            }
            cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
          } else if (cp >= 0xdc00 && cp <= 0xdfff) {
            return Error("a lone UTF-16 low surrogate");
          }
          AppendUtf8(cp, out);
          break;
        }
        default:
          --pos_;
          return Error("unknown escape in a string");
      }
    }
  }

  absl::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

absl::StatusOr<FlatJsonObject> ParseFlatJsonObject(absl::string_view line) {
  return Parser(line).Object();
}

}  // namespace collectonce::registryctl
