#include "services/mappa/identity/name_frequency.h"

#include <algorithm>
#include <initializer_list>
#include <string>
#include <unordered_map>
#include <vector>

namespace safeguard::mappa {
namespace {

using Shares = std::unordered_map<std::string_view, double>;

// Per cent of people, rounded.
const Shares& FamilyNames() {
  static const auto* shares = new Shares{
      {"smith", 1.20},     {"jones", 0.90},    {"williams", 0.62},  {"taylor", 0.50},   {"brown", 0.48},
      {"davies", 0.45},    {"evans", 0.36},    {"wilson", 0.34},    {"thomas", 0.33},   {"johnson", 0.32},
      {"roberts", 0.32},   {"robinson", 0.26}, {"thompson", 0.26},  {"wright", 0.25},   {"walker", 0.25},
      {"white", 0.24},     {"edwards", 0.24},  {"hughes", 0.23},    {"green", 0.23},    {"hall", 0.22},
      {"lewis", 0.21},     {"harris", 0.21},   {"clarke", 0.20},    {"patel", 0.20},    {"jackson", 0.19},
      {"wood", 0.18},      {"turner", 0.17},   {"martin", 0.17},    {"cooper", 0.17},   {"hill", 0.17},
      {"ward", 0.16},      {"morris", 0.16},   {"moore", 0.16},     {"clark", 0.16},    {"lee", 0.15},
      {"king", 0.15},      {"baker", 0.15},    {"harrison", 0.15},  {"morgan", 0.15},   {"allen", 0.14},
      {"james", 0.14},     {"scott", 0.14},    {"phillips", 0.14},  {"watson", 0.14},   {"davis", 0.13},
      {"parker", 0.13},    {"price", 0.13},    {"bennett", 0.13},   {"young", 0.13},    {"griffiths", 0.13},
      {"mitchell", 0.13},  {"kelly", 0.13},    {"cook", 0.13},      {"carter", 0.12},   {"richardson", 0.12},
      {"bailey", 0.12},    {"collins", 0.12},  {"bell", 0.12},      {"shaw", 0.12},     {"murphy", 0.12},
      {"miller", 0.12},    {"cox", 0.12},      {"richards", 0.11},  {"khan", 0.11},     {"marshall", 0.11},
      {"anderson", 0.11},  {"simpson", 0.11},  {"ellis", 0.11},     {"adams", 0.11},    {"singh", 0.11},
      {"begum", 0.11},     {"wilkinson", 0.11}, {"foster", 0.10},   {"chapman", 0.10},  {"powell", 0.10},
      {"webb", 0.10},      {"rogers", 0.10},   {"gray", 0.10},      {"mason", 0.10},    {"ali", 0.10},
      {"hunt", 0.10},      {"hussain", 0.10},  {"campbell", 0.10},  {"matthews", 0.10}, {"owen", 0.10},
      {"palmer", 0.10},    {"holmes", 0.10},   {"mills", 0.09},     {"barnes", 0.09},   {"knight", 0.09},
      {"lloyd", 0.09},     {"butler", 0.09},   {"russell", 0.09},   {"barker", 0.09},   {"fisher", 0.09},
      {"stevens", 0.09},   {"jenkins", 0.09},  {"murray", 0.09},    {"dixon", 0.09},    {"harvey", 0.09},
      {"graham", 0.08},    {"pearson", 0.08},  {"ahmed", 0.08},     {"fletcher", 0.08}, {"walsh", 0.08},
      {"kaur", 0.08},      {"gibson", 0.08},   {"howard", 0.08},    {"andrews", 0.08},  {"stewart", 0.08},
      {"elliott", 0.08},   {"reynolds", 0.08}, {"saunders", 0.08},  {"payne", 0.08},    {"fox", 0.08},
      {"ford", 0.07},      {"pearce", 0.07},   {"day", 0.07},       {"brooks", 0.07},   {"west", 0.07},
      {"lawrence", 0.07},  {"cole", 0.07},     {"atkinson", 0.07},  {"bradley", 0.07},  {"spencer", 0.07},
      {"gill", 0.07},      {"dawson", 0.07},   {"ball", 0.07},      {"burton", 0.07},   {"obrien", 0.07},
      {"watts", 0.07},     {"rose", 0.07},     {"booth", 0.07},     {"perry", 0.07},    {"ryan", 0.07},
      {"grant", 0.06},     {"wells", 0.06},    {"armstrong", 0.06}, {"francis", 0.06},  {"rees", 0.06},
      {"hayes", 0.06},     {"hart", 0.06},     {"hudson", 0.06},    {"newman", 0.06},   {"barrett", 0.06},
      {"webster", 0.06},   {"hunter", 0.06},   {"gregory", 0.06},   {"carr", 0.06},     {"lowe", 0.06},
      {"page", 0.06},      {"marsh", 0.06},    {"riley", 0.06},     {"dunn", 0.06},     {"woods", 0.06},
      {"parsons", 0.06},   {"berry", 0.06},    {"stone", 0.06},     {"reid", 0.06},     {"holland", 0.06},
      {"hawkins", 0.06},   {"harding", 0.05},  {"porter", 0.05},    {"robertson", 0.05}, {"newton", 0.05},
      {"oconnor", 0.05},   {"kennedy", 0.05},  {"burns", 0.05},     {"gardner", 0.05},  {"bird", 0.05},
  };
  return *shares;
}

// Per cent of adults born 1950-2005, men and women together, rounded.
const Shares& GivenNames() {
  static const auto* shares = new Shares{
      {"david", 1.80},      {"john", 1.50},      {"michael", 1.40},  {"paul", 1.30},     {"andrew", 1.20},
      {"mark", 1.15},       {"james", 1.10},     {"peter", 0.80},    {"richard", 0.80},  {"robert", 0.80},
      {"christopher", 0.80}, {"stephen", 0.70},  {"steven", 0.50},   {"daniel", 0.65},   {"matthew", 0.65},
      {"anthony", 0.55},    {"thomas", 0.55},    {"ian", 0.55},      {"gary", 0.50},     {"simon", 0.45},
      {"martin", 0.45},     {"darren", 0.45},    {"lee", 0.40},      {"jason", 0.40},    {"kevin", 0.40},
      {"william", 0.40},    {"craig", 0.35},     {"wayne", 0.35},    {"neil", 0.35},     {"jonathan", 0.35},
      {"adam", 0.35},       {"jamie", 0.30},     {"dean", 0.30},     {"carl", 0.30},     {"scott", 0.30},
      {"alan", 0.30},       {"philip", 0.30},    {"ryan", 0.30},     {"liam", 0.25},     {"nicholas", 0.25},
      {"joseph", 0.25},     {"george", 0.25},    {"luke", 0.25},     {"benjamin", 0.25}, {"samuel", 0.20},
      {"jack", 0.20},       {"aaron", 0.20},     {"nathan", 0.20},   {"ashley", 0.20},   {"keith", 0.20},
      {"shaun", 0.20},      {"stuart", 0.20},    {"graham", 0.20},   {"colin", 0.20},    {"brian", 0.20},
      {"timothy", 0.20},    {"edward", 0.20},    {"patrick", 0.15},  {"sean", 0.15},     {"barry", 0.15},
      {"terence", 0.15},    {"raymond", 0.15},   {"kenneth", 0.15},  {"alexander", 0.15}, {"karl", 0.15},
      {"russell", 0.10},    {"derek", 0.10},     {"trevor", 0.10},   {"roy", 0.10},      {"ronald", 0.10},
      {"dennis", 0.10},     {"frank", 0.10},     {"gordon", 0.10},   {"mohammed", 0.20}, {"muhammad", 0.15},
      {"sarah", 0.75},      {"claire", 0.45},    {"emma", 0.45},     {"laura", 0.40},    {"lisa", 0.40},
      {"karen", 0.40},      {"susan", 0.40},     {"julie", 0.40},    {"michelle", 0.40}, {"nicola", 0.35},
      {"helen", 0.35},      {"rachel", 0.35},    {"amanda", 0.30},   {"joanne", 0.30},   {"louise", 0.30},
      {"elizabeth", 0.30},  {"jennifer", 0.25},  {"rebecca", 0.30},  {"samantha", 0.25}, {"kelly", 0.25},
      {"gemma", 0.25},      {"victoria", 0.25},  {"catherine", 0.20}, {"jessica", 0.20}, {"hannah", 0.20},
      {"charlotte", 0.20},  {"amy", 0.20},       {"natalie", 0.20},  {"stacey", 0.15},   {"deborah", 0.15},
      {"angela", 0.15},     {"tracey", 0.15},    {"donna", 0.15},    {"jacqueline", 0.15}, {"dawn", 0.15},
  };
  return *shares;
}

// Forms of one given name: the first is the full form.
const std::vector<std::vector<std::string_view>>& NameForms() {
  static const auto* forms = new std::vector<std::vector<std::string_view>>{
      {"william", "bill", "billy", "will", "willie", "liam"},
      {"robert", "bob", "bobby", "rob", "robbie", "bert"},
      {"michael", "mick", "mike", "mickey", "micky", "mikey", "mic"},
      {"richard", "dick", "rick", "ricky", "rich", "richie"},
      {"james", "jim", "jimmy", "jamie", "jimbo"},
      {"john", "jack", "johnny", "jon", "jonny"},
      {"jonathan", "jon", "jonny", "jonty"},
      {"thomas", "tom", "tommy"},
      {"anthony", "tony", "ant", "antony"},
      {"christopher", "chris", "kit"},
      {"stephen", "steven", "steve", "stevie"},
      {"daniel", "dan", "danny"},
      {"david", "dave", "davy", "davey"},
      {"edward", "ed", "eddie", "ted", "teddy", "ned"},
      {"joseph", "joe", "joey"},
      {"matthew", "matt", "matty"},
      {"andrew", "andy", "drew"},
      {"peter", "pete"},
      {"nicholas", "nick", "nicky", "nicolas"},
      {"alexander", "alex", "alec", "sandy"},
      {"benjamin", "ben", "benny"},
      {"samuel", "sam", "sammy"},
      {"charles", "charlie", "chas", "chuck"},
      {"henry", "harry", "hal", "hank"},
      {"patrick", "pat", "paddy"},
      {"frederick", "fred", "freddie", "freddy"},
      {"kenneth", "ken", "kenny"},
      {"terence", "terry", "terrence"},
      {"raymond", "ray"},
      {"ronald", "ron", "ronnie"},
      {"gerald", "gerry", "jerry"},
      {"lawrence", "laurence", "larry", "laurie"},
      {"leonard", "len", "lenny"},
      {"philip", "phillip", "phil"},
      {"timothy", "tim", "timmy"},
      {"gregory", "greg"},
      {"nathan", "nathaniel", "nate"},
      {"douglas", "doug", "dougie"},
      {"donald", "don", "donny"},
      {"francis", "frank", "frankie"},
      {"albert", "al", "bert", "bertie"},
      {"stuart", "stewart", "stu"},
      {"geoffrey", "jeffrey", "geoff", "jeff"},
      {"sean", "shaun", "shawn"},
      {"mohammed", "muhammad", "mohammad", "mohamed", "mohamad"},
      {"elizabeth", "liz", "lizzie", "beth", "betty", "eliza"},
      {"margaret", "maggie", "peggy", "meg"},
      {"catherine", "katherine", "kathryn", "kate", "katie", "cathy", "kathy"},
      {"susan", "sue", "susie"},
      {"jennifer", "jenny", "jen"},
      {"deborah", "debbie", "debra", "deb"},
      {"rebecca", "becky", "becca"},
      {"samantha", "sam", "sammy"},
      {"victoria", "vicky", "vikki", "vicki"},
      {"patricia", "pat", "trish", "tricia"},
      {"christine", "chris", "tina", "christina"},
      {"jacqueline", "jackie", "jacqui"},
      {"tracey", "tracy"},
      {"joanne", "jo", "joanna"},
      {"nicola", "nicky", "nikki"},
  };
  return *forms;
}

}  // namespace

double FamilyNameShare(std::string_view normalised) {
  const auto it = FamilyNames().find(normalised);
  return it == FamilyNames().end() ? kUnlistedFamilyName : it->second / 100;
}

double GivenNameShare(std::string_view normalised) {
  const auto it = GivenNames().find(normalised);
  return it == GivenNames().end() ? kUnlistedGivenName : it->second / 100;
}

bool SameGivenName(std::string_view a, std::string_view b) {
  if (a == b) return true;
  for (const auto& forms : NameForms()) {
    const bool has_a = std::find(forms.begin(), forms.end(), a) != forms.end();
    const bool has_b = std::find(forms.begin(), forms.end(), b) != forms.end();
    if (has_a && has_b) return true;
  }
  return false;
}

}  // namespace safeguard::mappa
