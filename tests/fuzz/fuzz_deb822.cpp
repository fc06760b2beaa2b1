// deb822 control data: strict and tolerant paragraphs, Packages indexes as apt reads them and
// as lock records are read.
#include "harness.hpp"
#include "repo/deb/control_file.hpp"
#include "repo/deb/packages_index.hpp"

namespace compose::fuzz {

void fuzz_deb822(std::string_view input)
{
  expect_errors([&] { (void)repo::deb::parse_control(input, "control"); });
  expect_errors(
      [&] { (void)repo::deb::parse_control(input, "Packages", repo::deb::ControlErrors::tolerate); });
  expect_errors([&] { (void)repo::deb::read_packages_index(input, "Packages"); });
  expect_errors([&] { (void)repo::deb::parse_packages(input, "lock"); });
}

} // namespace compose::fuzz
