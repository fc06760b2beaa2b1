// Command line parsing; each verb hands a typed request to its stage or to the pipeline.
#include "cli/cli.hpp"

#include <cstdio>
#include <string>

#include "util/error.hpp"

namespace compose::cli {

int run(int argc, char** argv)
{
  if (argc < 2)
    throw UsageError("no recipe given");
  const std::string first = argv[1];
  if (first == "--version") {
    std::printf("compose %s\n", COMPOSE_VERSION);
    return 0;
  }
  throw UsageError("not implemented yet: " + quote(first));
}

} // namespace compose::cli
