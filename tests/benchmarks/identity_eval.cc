// How well the identity rules find records of one person and leave look-alikes apart, on
// pairs of records with known truth (tests/testing/identity_pairs.h): for each class, how
// many pairs share a blocking key and how many are proposed; precision and recall overall.
// docs/identity.md gives the figures and the command:
//   build/tests/benchmarks/identity_eval [--per_class=N] [--seed=N]
#include <cstdlib>
#include <iostream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/match.h"
#include "tests/testing/identity_pairs.h"

int main(int argc, char** argv) {
  int per_class = 1000;
  int population = 50000;
  uint64_t seed = 2026;
  bool sweep = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    bool ok = true;
    if (arg == "--sweep") {
      sweep = true;
    } else if (absl::StartsWith(arg, "--per_class=")) {
      ok = absl::SimpleAtoi(arg.substr(12), &per_class) && per_class > 0;
    } else if (absl::StartsWith(arg, "--population=")) {
      ok = absl::SimpleAtoi(arg.substr(13), &population) && population >= 0;
    } else if (absl::StartsWith(arg, "--seed=")) {
      ok = absl::SimpleAtoi(arg.substr(7), &seed);
    } else {
      ok = false;
    }
    if (!ok) {
      std::cerr << "usage: identity_eval [--per_class=N] [--population=N] [--seed=N] [--sweep]\n";
      return 2;
    }
  }
  safeguard::testing::PairGenerator generator(seed);
  const std::vector<safeguard::testing::LabelledPair> pairs = generator.Pairs(per_class);
  const safeguard::testing::Evaluation e = safeguard::testing::Evaluate(pairs);
  std::cout << absl::StrFormat("%zu pairs (seed %d); proposed at a weight of %.0f or more\n\n", pairs.size(), seed,
                               safeguard::mappa::kProposeWeight);
  std::cout << "| class | pairs | compared (share a blocking key) | proposed |\n|---|---|---|---|\n";
  for (const auto& c : e.classes) {
    std::cout << absl::StrFormat("| %s%s | %d | %d | %d (%.1f%%) |\n", c.same_person ? "" : "not one person: ", c.kind,
                                 c.pairs, c.blocked, c.proposed, 100.0 * c.proposed / c.pairs);
  }
  std::cout << absl::StrFormat("\nrecall %.4f (%d of %d records of one person proposed), precision %.4f (%d of %d "
                               "proposals right)\n",
                               e.recall(), e.true_positives, e.true_positives + e.false_negatives, e.precision(),
                               e.true_positives, e.true_positives + e.false_positives);
  if (population > 0) {
    safeguard::testing::PairGenerator people(seed + 1);
    const safeguard::testing::PopulationResult r = people.Population(population);
    std::cout << absl::StrFormat(
        "\nA population of %d people (%d records): %d pairs of records compared (sharing a blocking key)\n"
        "  one person's records linked by a PNC id both hold: %d\n"
        "  one person's records with no identifier in common: %d, of which proposed %d (recall %.4f)\n"
        "  records of two people proposed: %d (precision %.4f)",
        r.people, r.records, r.compared, r.linked_by_identifier, r.to_propose, r.proposed_right, r.recall(),
        r.proposed_wrong, r.precision());
    for (const auto& [relation, n] : r.wrong_by_relation) std::cout << absl::StrFormat("; %s %d", relation, n);
    std::cout << "\n";
  }
  if (sweep) {
    // Recall and precision had proposals needed another weight.
    std::cout << "\n| proposed from weight | recall | precision |\n|---|---|---|\n";
    for (double threshold = 12; threshold <= 28; threshold += 1) {
      int tp = 0, fp = 0, fn = 0;
      for (const auto& pair : pairs) {
        const std::vector<std::string> a = safeguard::mappa::BlockingKeys(pair.a), b = safeguard::mappa::BlockingKeys(pair.b);
        std::vector<std::string> shared;
        std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(shared));
        const safeguard::v1::MatchScore score = safeguard::mappa::Score(pair.a, pair.b);
        const bool proposed = !shared.empty() && score.ruled_out().empty() && score.weight() >= threshold;
        if (pair.same_person) ++(proposed ? tp : fn);
        if (!pair.same_person && proposed) ++fp;
      }
      std::cout << absl::StrFormat("| %.0f | %.4f | %.4f |\n", threshold, double(tp) / (tp + fn), double(tp) / (tp + fp));
    }
  }
  return 0;
}
