// compose: argv -> verb; turns Error into an exit code (1, or 2 for usage errors).
#include <clocale>
#include <cstdio>

#include "cli/cli.hpp"
#include "util/error.hpp"
#include "util/interrupt_cleanup.hpp"
#include "util/printable.hpp"

int main(int argc, char** argv)
{
  // A fixed character set, whatever the environment says: libarchive converts tar names
  // through it, and UTF-8 names must read and write the same on every host.
  std::setlocale(LC_CTYPE, "C.UTF-8");
  compose::remove_partials_on_interrupt();
  try {
    return compose::cli::run(argc, argv);
  } catch (const compose::UsageError& e) {
    std::fprintf(stderr, "compose: error: %s\n", compose::printable(e.describe(), true).c_str());
    std::fprintf(stderr, "  try: compose --help\n");
    return 2;
  } catch (const compose::Error& e) {
    std::fprintf(stderr, "compose: error: %s\n", compose::printable(e.describe(), true).c_str());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "compose: error: %s\n", compose::printable(e.what(), true).c_str());
    return 1;
  }
}
