// The console log: incremental reads, marker lines, the tail shown on failure.
#include <doctest/doctest.h>

#include <fstream>

#include "boot/console_log.hpp"
#include "util/files.hpp"

using compose::boot::ConsoleLog;

TEST_SUITE("boot::console_log")
{
  TEST_CASE("reads appended text, finds whole lines, drops carriage returns")
  {
    const compose::TempPath directory = compose::make_temp_directory("compose-console-");
    const std::filesystem::path path = directory.path() / "console.log";
    ConsoleLog console(path);
    console.refresh(); // no file yet: nothing, no error
    CHECK_FALSE(console.find_line("Linux version"));
    {
      std::ofstream out(path, std::ios::binary);
      out << "[    0.000000] Linux version 6.1.0\r\nsecond li";
    }
    console.refresh();
    CHECK(console.find_line("Linux version") == "[    0.000000] Linux version 6.1.0");
    {
      std::ofstream out(path, std::ios::binary | std::ios::app);
      out << "ne\r\nthird\n";
    }
    console.refresh();
    CHECK(console.find_line("second") == "second line");
    CHECK(console.text() == "[    0.000000] Linux version 6.1.0\nsecond line\nthird\n");
    CHECK(console.tail(2) == "second line\nthird\n");
    CHECK(console.tail(10) == console.text());
  }

  TEST_CASE("a marker at the start of a line, not its echo inside the command line")
  {
    const compose::TempPath directory = compose::make_temp_directory("compose-console-");
    const std::filesystem::path path = directory.path() / "console.log";
    {
      std::ofstream out(path, std::ios::binary);
      out << "[    0.000000] Command line: init=/bin/sh X=\"echo marker: FATAL: $1\"\n"
             "marker: started\n";
    }
    ConsoleLog console(path);
    console.refresh();
    CHECK(console.find_line("marker: FATAL:"));
    CHECK_FALSE(console.find_line_starting("marker: FATAL:"));
    CHECK(console.find_line_starting("marker: started") == "marker: started");
    CHECK(console.find_line_starting("[    0.000000] Command"));
  }
}
