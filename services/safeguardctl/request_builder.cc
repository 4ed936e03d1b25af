#include "services/safeguardctl/request_builder.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "common/time_util.h"
#include "google/protobuf/descriptor.h"
#include "safeguard/v1/field_rules.pb.h"

namespace safeguard::cli {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Finds every path from `d` to a field named `name`, through singular messages only.
void FindPaths(const Descriptor* d, const std::string& name, const std::string& prefix, int depth,
               std::vector<std::string>* out) {
  if (depth > 6) return;
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    const std::string path = prefix.empty() ? f->name() : absl::StrCat(prefix, ".", f->name());
    if (f->name() == name) out->push_back(path);
    if (f->type() == FieldDescriptor::TYPE_MESSAGE && !f->is_repeated() &&
        f->message_type()->full_name().rfind("google.protobuf.", 0) != 0) {
      FindPaths(f->message_type(), name, path, depth + 1, out);
    }
  }
}

// Of several paths a short name could mean, the ones it means: those outside what a
// correction amends (one of a oneof's choices, or the amended subject), which are named by
// their full paths; of those, the shallowest.
std::vector<std::string> Preferred(const Descriptor* d, std::vector<std::string> paths) {
  auto in_amendment = [d](const std::string& path) {
    const Descriptor* at = d;
    for (absl::string_view part : absl::StrSplit(path, '.')) {
      const FieldDescriptor* f = at == nullptr ? nullptr : at->FindFieldByName(std::string(part));
      if (f == nullptr) return false;
      if (f->real_containing_oneof() != nullptr || f->name() == "amended_subject") return true;
      at = f->message_type();
    }
    return false;
  };
  auto keep = [&](auto pred) {
    std::vector<std::string> kept;
    for (const std::string& p : paths) {
      if (pred(p)) kept.push_back(p);
    }
    if (!kept.empty()) paths = std::move(kept);
  };
  keep([&](const std::string& p) { return !in_amendment(p); });
  // Then the shallowest: `kind=` is a supervision's kind, not its residence address's.
  auto depth = [](const std::string& p) { return std::count(p.begin(), p.end(), '.'); };
  auto shallowest = depth(*std::min_element(paths.begin(), paths.end(),
                                            [&](const auto& a, const auto& b) { return depth(a) < depth(b); }));
  keep([&](const std::string& p) { return depth(p) == shallowest; });
  return paths;
}

absl::Status SetScalar(Message* m, const FieldDescriptor* f, const std::string& value,
                       const std::string& path) {
  const Reflection* r = m->GetReflection();
  const bool rep = f->is_repeated();
  auto bad = [&](const std::string& what) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", what));
  };
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      rep ? r->AddString(m, f, value) : r->SetString(m, f, value);
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_BOOL: {
      const std::string v = absl::AsciiStrToLower(value);
      bool b;
      if (v == "true" || v == "yes" || v == "1") {
        b = true;
      } else if (v == "false" || v == "no" || v == "0") {
        b = false;
      } else {
        return bad("expects true or false");
      }
      rep ? r->AddBool(m, f, b) : r->SetBool(m, f, b);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT32:
    case FieldDescriptor::CPPTYPE_UINT64: {
      uint64_t n;
      if (!absl::SimpleAtoi(value, &n)) return bad("expects a whole number");
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_UINT32) {
        rep ? r->AddUInt32(m, f, static_cast<uint32_t>(n)) : r->SetUInt32(m, f, static_cast<uint32_t>(n));
      } else {
        rep ? r->AddUInt64(m, f, n) : r->SetUInt64(m, f, n);
      }
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT32:
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t n;
      if (!absl::SimpleAtoi(value, &n)) return bad("expects a whole number");
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_INT32) {
        rep ? r->AddInt32(m, f, static_cast<int32_t>(n)) : r->SetInt32(m, f, static_cast<int32_t>(n));
      } else {
        rep ? r->AddInt64(m, f, n) : r->SetInt64(m, f, n);
      }
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      std::string want = absl::AsciiStrToUpper(value);
      for (char& c : want) {
        if (c == '-') c = '_';
      }
      const auto* e = f->enum_type();
      std::vector<std::string> names;
      for (int i = 1; i < e->value_count(); ++i) {
        names.push_back(absl::AsciiStrToLower(e->value(i)->name()));
        if (e->value(i)->name() == want) {
          rep ? r->AddEnumValue(m, f, e->value(i)->number())
              : r->SetEnumValue(m, f, e->value(i)->number());
          return absl::OkStatus();
        }
      }
      return bad(absl::StrCat("expects one of: ", absl::StrJoin(names, ", ")));
    }
    default:
      return bad("cannot be set from the command line; use --json");
  }
}

// A google.protobuf.Timestamp from "now", "YYYY-MM-DD" (midnight UTC),
// "YYYY-MM-DDTHH:MM" or "YYYY-MM-DDTHH:MM:SS" (UTC), or RFC 3339 with an offset.
absl::Status SetTime(Message* m, const FieldDescriptor* f, const std::string& value, const std::string& path) {
  absl::Time t;
  std::string err;
  bool ok = false;
  if (value == "now") {
    t = absl::Now();
    ok = true;
  } else {
    for (const char* format : {"%Y-%m-%d%ET%H:%M:%E*S%Ez", "%Y-%m-%d%ET%H:%M:%E*S", "%Y-%m-%d%ET%H:%M", "%Y-%m-%d"}) {
      if (absl::ParseTime(format, value, absl::UTCTimeZone(), &t, &err)) {
        ok = true;
        break;
      }
    }
  }
  if (!ok) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": expects a time: now, 2026-11-20, 2026-11-20T14:30 (UTC) or 2026-11-20T14:30:00+01:00"));
  }
  // Through the wire form: the request may come from any factory.
  if (!m->GetReflection()->MutableMessage(m, f)->ParseFromString(ToProtoTimestamp(t).SerializeAsString())) {
    return absl::InternalError(absl::StrCat(path, ": could not set the time"));
  }
  return absl::OkStatus();
}

bool IsTimestamp(const FieldDescriptor* f) {
  return f->type() == FieldDescriptor::TYPE_MESSAGE && f->message_type()->full_name() == "google.protobuf.Timestamp";
}

}  // namespace

absl::Status Assign(const std::string& assignment, Message* message) {
  const size_t eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", assignment, "': expected field=value (see --help for the fields)"));
  }
  std::string path = assignment.substr(0, eq);
  const std::string value = assignment.substr(eq + 1);
  // A first segment that is not a field of the request itself is taken as a short name
  // for the one field of that name deeper down.
  const size_t first_end = path.find_first_of(".[");
  const std::string first = path.substr(0, first_end);
  if (message->GetDescriptor()->FindFieldByName(first) == nullptr) {
    std::vector<std::string> paths;
    FindPaths(message->GetDescriptor(), first, "", 0, &paths);
    if (paths.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("no field '", first, "' in ",
                                                     message->GetDescriptor()->name(),
                                                     " (see --help)"));
    }
    if (paths.size() > 1) paths = Preferred(message->GetDescriptor(), paths);
    if (paths.size() > 1) {
      return absl::InvalidArgumentError(absl::StrCat("'", first, "' is ambiguous; write one of: ",
                                                     absl::StrJoin(paths, ", ")));
    }
    path = paths[0] + (first_end == std::string::npos ? "" : path.substr(first_end));
  }

  Message* m = message;
  std::vector<std::string> parts = absl::StrSplit(path, '.');
  for (size_t i = 0; i < parts.size(); ++i) {
    std::string name = parts[i];
    int index = -1;
    if (const size_t br = name.find('['); br != std::string::npos) {
      if (name.back() != ']' || !absl::SimpleAtoi(name.substr(br + 1, name.size() - br - 2), &index) ||
          index < 0) {
        return absl::InvalidArgumentError(absl::StrCat(path, ": bad index in '", name, "'"));
      }
      name = name.substr(0, br);
    }
    const FieldDescriptor* f = m->GetDescriptor()->FindFieldByName(name);
    if (f == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": no field '", name, "' in ", m->GetDescriptor()->name()));
    }
    const Reflection* r = m->GetReflection();
    const bool last = i + 1 == parts.size();
    if (last) {
      if (index < 0 && !f->is_repeated() && IsTimestamp(f)) return SetTime(m, f, value, path);
      if (index >= 0 || f->type() == FieldDescriptor::TYPE_MESSAGE) {
        return absl::InvalidArgumentError(absl::StrCat(path, ": name a field inside it"));
      }
      return SetScalar(m, f, value, path);
    }
    if (f->type() != FieldDescriptor::TYPE_MESSAGE) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": '", name, "' has no fields"));
    }
    if (f->is_repeated()) {
      if (index < 0) {
        return absl::InvalidArgumentError(absl::StrCat(path, ": '", name, "' is a list; write ",
                                                       name, "[0].", parts[i + 1]));
      }
      const int size = r->FieldSize(*m, f);
      if (index > size) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ": fill ", name, "[", size, "] before ", name, "[", index, "]"));
      }
      m = index == size ? r->AddMessage(m, f) : r->MutableRepeatedMessage(m, f, index);
    } else {
      m = r->MutableMessage(m, f);
    }
  }
  return absl::OkStatus();
}

std::string RuleOf(const FieldDescriptor* f) {
  const safeguard::v1::FieldRule& rule = f->options().GetExtension(safeguard::v1::rule);
  std::string out;
  if (rule.required()) absl::StrAppend(&out, "  REQUIRED");
  if (!rule.required_when().empty()) absl::StrAppend(&out, "  required when ", rule.required_when());
  if (!rule.format().empty()) absl::StrAppend(&out, out.empty() ? "  " : "; ", rule.format());
  return out;
}

std::vector<std::string> DescribeFields(const Descriptor* descriptor) {
  std::vector<std::string> lines;
  struct Walker {
    std::vector<std::string>* lines;
    void Walk(const Descriptor* d, const std::string& prefix, int depth) {
      if (depth > 6) return;
      for (int i = 0; i < d->field_count(); ++i) {
        const FieldDescriptor* f = d->field(i);
        std::string path = prefix.empty() ? f->name() : absl::StrCat(prefix, ".", f->name());
        if (f->type() == FieldDescriptor::TYPE_MESSAGE &&
            f->message_type()->full_name().rfind("google.protobuf.", 0) != 0) {
          // A list of records, or a record that is itself required (or sometimes), says so.
          if (const std::string rule = RuleOf(f); !rule.empty()) {
            lines->push_back(absl::StrCat("  ", f->is_repeated() ? path + "[N]" : path, rule));
          }
          Walk(f->message_type(), f->is_repeated() ? path + "[N]" : path, depth + 1);
          continue;
        }
        std::string type;
        if (f->cpp_type() == FieldDescriptor::CPPTYPE_ENUM) {
          std::vector<std::string> names;
          for (int k = 1; k < f->enum_type()->value_count(); ++k) {
            std::string n = absl::AsciiStrToLower(f->enum_type()->value(k)->name());
            for (char& c : n) {
              if (c == '_') c = '-';
            }
            names.push_back(n);
          }
          type = absl::StrJoin(names, "|");
        } else if (IsTimestamp(f)) {
          type = "time: now, 2026-11-20, 2026-11-20T14:30 (UTC)";
        } else {
          type = f->cpp_type_name();
        }
        lines->push_back(absl::StrCat("  ", path, f->is_repeated() ? " (repeatable)" : "", "  <",
                                      type, ">", RuleOf(f)));
      }
    }
  } walker{&lines};
  walker.Walk(descriptor, "", 0);
  return lines;
}

}  // namespace safeguard::cli
