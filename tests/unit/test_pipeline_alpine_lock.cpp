// Alpine lock entries: each APKINDEX record is kept as the index wrote it, and lock_alpine
// turns sources and plan into repositories (branch, repo, index digest) and packages (path
// below the repository, size, C: identity, whole-file SHA-256, the record, the reason).
#include <doctest/doctest.h>

#include "pipeline/alpine_lock.hpp"
#include "util/hash.hpp"

using namespace compose;

TEST_SUITE("pipeline::alpine_lock")
{
  TEST_CASE("records are kept as written and become lock entries")
  {
    const std::string busybox = "C:Q1busybox=\nP:busybox\nV:1.37.0-r18\nA:x86_64\nS:512\n"
                                "I:1024\nT:Size optimized toolbox\nt:1700000000\n"
                                "D:so:libc.musl-x86_64.so.1\np:cmd:busybox=1.37.0-r18\n";
    const std::string musl = "C:Q1musl=\nP:musl\nV:1.2.5-r10\nA:x86_64\nS:300\nz:unknown\n";
    const std::vector<repo::apk::Package> parsed =
        repo::apk::parse_index_text(busybox + "\n" + musl, "APKINDEX", 0);
    REQUIRE(parsed.size() == 2);
    CHECK(parsed[0].record == busybox);
    CHECK(parsed[1].record == musl); // the last record, without a blank line after it

    pipeline::AlpineSources sources;
    verify::ApkKey key;
    key.name = "test.rsa.pub";
    key.sha256 = sha256_hex("key");
    sources.keys.add(key);
    repo::apk::Index index;
    index.repository.base_url = "https://mirror.example/alpine/v3.22/main";
    index.repository.name = "main";
    index.repository.arch = "x86_64";
    index.repository.signed_by = "test.rsa.pub";
    index.repository.index_sha256 = sha256_hex("index");
    sources.indexes.push_back(index);
    resolve::apk::Plan plan;
    plan.packages = {parsed[1], parsed[0]};
    plan.reasons = {"busybox -> so:libc.musl-x86_64.so.1", "requested"};
    plan.world = {"busybox"};

    lock::LockFile lock;
    std::vector<fetch::Fetched> files(2);
    files[0].sha256 = sha256_hex("musl file");
    files[1].sha256 = sha256_hex("busybox file");
    pipeline::lock_alpine(sources, plan, files, lock);
    REQUIRE(lock.keys.size() == 1);
    CHECK(lock.keys[0].sha256 == sha256_hex("key"));
    CHECK(lock.keys[0].kind == "apk-rsa");
    REQUIRE(lock.repositories.size() == 1);
    CHECK(lock.repositories[0].branch == "v3.22");
    CHECK(lock.repositories[0].repo == "main");
    CHECK(lock.repositories[0].index.url ==
          "https://mirror.example/alpine/v3.22/main/x86_64/APKINDEX.tar.gz");
    CHECK(lock.repositories[0].index.sha256 == sha256_hex("index"));
    REQUIRE(lock.packages.size() == 2);
    CHECK(lock.packages[0].name == "musl");
    CHECK(lock.packages[0].reason == "busybox -> so:libc.musl-x86_64.so.1");
    CHECK(lock.packages[1].path == "x86_64/busybox-1.37.0-r18.apk");
    CHECK(lock.packages[1].url ==
          "https://mirror.example/alpine/v3.22/main/x86_64/busybox-1.37.0-r18.apk");
    CHECK(lock.packages[1].size == 512);
    CHECK(lock.packages[1].digests.at("apk-identity") == "Q1busybox=");
    CHECK(lock.packages[1].digests.at("sha256") == sha256_hex("busybox file"));
    CHECK(lock.packages[0].digests.at("sha256") == sha256_hex("musl file"));
    CHECK(lock.packages[1].record == busybox);
    CHECK(lock.world == std::vector<std::string>{"busybox"});
  }
}
