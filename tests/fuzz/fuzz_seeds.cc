// Writes the fuzz targets' seed corpus: for each command validator (validators.inc), a
// valid request prefixed by its index (validators_fuzz), and the event it validates to
// (envelope_fuzz). Built with the test suite; ./safeguard.sh test runs it before fuzzing.
//   fuzz_seeds DIR   -> DIR/validators/NN, DIR/envelope/NN
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/agency/data_protection_validation.h"
#include "services/childrens/childrens_validation.h"
#include "services/mappa/meetings/meeting_validation.h"
#include "services/police/disclosure_validation.h"
#include "services/police/police_validation.h"
#include "services/probation/probation_validation.h"
#include "tests/fuzz/fuzz_clock.h"
#include "tests/testing/childrens_requests.h"
#include "tests/testing/correction_requests.h"
#include "tests/testing/data_protection_requests.h"
#include "tests/testing/disclosure_requests.h"
#include "tests/testing/meeting_requests.h"
#include "tests/testing/police_requests.h"
#include "tests/testing/probation_requests.h"

namespace {

void Write(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: fuzz_seeds DIR\n";
    return 2;
  }
  using namespace safeguard;
  using fuzz::kNow;
  using fuzz::kSeedTime;
  using fuzz::kToday;
  namespace t = safeguard::testing;
  namespace v1 = safeguard::v1;
  const std::filesystem::path dir(argv[1]);
  std::filesystem::create_directories(dir / "validators");
  std::filesystem::create_directories(dir / "envelope");
  int index = 0, accepted = 0;
#define SAFEGUARD_VALIDATOR(Request, ns, seed, ...)                                            \
  {                                                                                            \
    const v1::Request r = seed;                                                                \
    Write(dir / "validators" / absl::StrCat(index), std::string(1, static_cast<char>(index)) + \
                                                        r.SerializeAsString());                \
    auto valid = ns::Validate(r, __VA_ARGS__);                                                 \
    if (valid.ok()) {                                                                          \
      Write(dir / "envelope" / absl::StrCat(index), valid->event.SerializeAsString());        \
      ++accepted;                                                                              \
    } else {                                                                                   \
      std::cerr << #Request << " seed refused: " << valid.status() << "\n";                   \
    }                                                                                          \
    ++index;                                                                                   \
  }
#include "tests/fuzz/validators.inc"
#undef SAFEGUARD_VALIDATOR
  std::cout << "fuzz seeds: " << index << " requests, " << accepted << " valid" << std::endl;
  return accepted == index ? 0 : 1;
}
