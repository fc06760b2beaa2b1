// Benchmark driver for scripts/bench-ext4: loads a host directory into a Tree, writes it
// with the ext4 writer, and prints shell assignments (times in seconds, sizes in bytes).
#include <chrono>
#include <cstdio>
#include <iostream>

#include "emit/ext4/ext4_inspect.hpp"
#include "emit/ext4/ext4_writer.hpp"
#include "tree_fixtures.hpp"
#include "util/error.hpp"
#include "util/hash.hpp"

int main(int argc, char** argv)
{
  if (argc != 3) {
    std::cerr << "usage: compose-bench-ext4 DIRECTORY IMAGE\n";
    return 2;
  }
  try {
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    const compose::stage::Tree tree = compose::testing::load_directory(argv[1]);
    const auto loaded = Clock::now();
    compose::emit::Ext4Options options;
    options.epoch = 1700000000;
    options.seed = "benchmark";
    const compose::emit::Ext4Result result = compose::emit::write_ext4(tree, options, argv[2]);
    const auto written = Clock::now();
    // write_ext4 ends by hashing the whole image; time that part on its own too.
    compose::sha256_file_hex(argv[2]);
    const auto hashed = Clock::now();
    const compose::emit::Ext4Report report = compose::emit::inspect_ext4(argv[2]);
    const compose::stage::Tree::Stats stats = tree.stats();
    std::printf("load_seconds=%.3f\nwrite_seconds=%.3f\nhash_seconds=%.3f\nsize_bytes=%llu\n"
                "inodes=%llu\n"
                "content_bytes=%llu\nentries=%llu\nproblems=%zu\n",
                std::chrono::duration<double>(loaded - start).count(),
                std::chrono::duration<double>(written - loaded).count(),
                std::chrono::duration<double>(hashed - written).count(),
                static_cast<unsigned long long>(result.size_bytes),
                static_cast<unsigned long long>(report.inodes),
                static_cast<unsigned long long>(stats.content_bytes),
                static_cast<unsigned long long>(stats.names), report.problems.size());
  } catch (const compose::Error& error) {
    std::cerr << "compose-bench-ext4: " << error.describe() << "\n";
    return 1;
  }
  return 0;
}
