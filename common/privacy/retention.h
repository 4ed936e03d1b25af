// Review and retention (docs/security.md, "Review and retention"): the rules that give
// each agency's record of a subject its record group and its next review date, from what
// the record holds. Police information management practice (the College of Policing's
// "review, retention and disposal", MoPI's groups) reviews records on a schedule and keeps
// them only while needed (DPA 2018 s.39); each agency sets its own rules in the config
// file, and these are the defaults.
//
// A rule, in the config file (`retention.<agency>.<n> = ...`, tried in the order of n;
// the first whose `when` matches the record gives its group):
//
//   public-protection: review 10y from last-review until age 100 when ConvictionRecorded/CHILD_SEXUAL, OrderRecorded
//
//   review Ny|Nm      the period to the next review
//   from ANCHOR       last-event (when the latest fact happened in the world),
//                     first-event, or last-review (the latest review decision; the
//                     first event when never reviewed)
//   until age N       reviewed no later than the subject's Nth birthday (when known)
//   when KINDS        the record holds an event of any of these types (the type without
//                     its agency: ConvictionRecorded), or of a conviction of this
//                     classification (ConvictionRecorded/CHILD_SEXUAL); no `when`: any
//                     record
//
// Immutable once parsed; thread-safe.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "safeguard/v1/envelope.pb.h"

namespace safeguard::privacy {

// What the rules read of an agency's record of a subject.
struct RecordFacts {
  absl::CivilDay first_event;               // when its earliest fact happened
  absl::CivilDay last_event;                // when its latest fact happened
  std::optional<absl::CivilDay> last_review;
  std::optional<absl::CivilDay> born;
  std::set<std::string> kinds;              // "ConvictionRecorded", "ConvictionRecorded/CHILD_SEXUAL", ...

  // Adds what event `e` (opened, about the subject) says.
  void Add(const safeguard::v1::EventEnvelope& e);
};

// A record's place in the schedule.
struct ReviewDate {
  std::string group;
  absl::CivilDay due;
  std::string rule;  // the rule as written
};

class RetentionRules {
 public:
  // The shipped defaults (below, and docs/security.md).
  static const RetentionRules& Defaults();
  // The retention.* keys of config file text; an agency the text gives no rules keeps
  // the defaults. kInvalidArgument naming the line and what is wrong.
  static absl::StatusOr<RetentionRules> Parse(absl::string_view text);
  // Whether `key` is one Parse owns.
  static bool IsRetentionKey(absl::string_view key);

  // The record's group and review date under `agency`'s rules; nullopt when no rule
  // matches (the defaults always end with one that matches every record).
  std::optional<ReviewDate> Review(const std::string& agency, const RecordFacts& facts) const;

  // The rules of `agency`, as written, in order.
  std::vector<std::string> RulesOf(const std::string& agency) const;

 private:
  struct Rule {
    std::string text;
    std::string group;
    int years = 0;
    int months = 0;
    enum class From { kLastEvent, kFirstEvent, kLastReview } from = From::kLastEvent;
    std::optional<int> until_age;
    std::vector<std::string> when;  // empty: any record
  };
  static absl::StatusOr<Rule> ParseRule(absl::string_view text);

  std::map<std::string, std::vector<Rule>> rules_;  // by agency name
};

}  // namespace safeguard::privacy
