// doctest's main for compose_tests, in the same fixed character set as compose's own main
// (libarchive converts tar names through it).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <clocale>

int main(int argc, char** argv)
{
  std::setlocale(LC_CTYPE, "C.UTF-8");
  return doctest::Context(argc, argv).run();
}
