#!/usr/bin/env python3
"""compose's Alpine readers against Alpine's own apk.static 2.14.4 on real, signed indexes.

  apk_oracle_checks.py versions   # comparison and validity of versions from the real indexes
  apk_oracle_checks.py indexes    # every real index loads, verifies and lists what apk lists
  apk_oracle_checks.py resolution [WORLDS_PER_BRANCH]  # install sets of many worlds

Environment (from CTest): COMPOSE_FIXTURE, COMPOSE_SOURCE_DIR. Prints its counts; exits 1 on
any difference (listing the first ones), 77 when the shared real data is not there.
"""
import os
import random
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.environ["COMPOSE_SOURCE_DIR"], "tests", "support"))
import apk_oracle  # noqa: E402

SOURCE = os.environ["COMPOSE_SOURCE_DIR"]
FIXTURE = os.environ["COMPOSE_FIXTURE"]
REAL = apk_oracle.alpine_real(SOURCE)
KEYS = os.path.join(apk_oracle.shared_dir(SOURCE), "keys", "alpine")
BRANCHES = {"v3.16": ["main"], "v3.17": ["main", "community"], "v3.18": ["main", "community"]}


def index_path(branch, repo):
    return os.path.join(REAL, branch, repo, "x86_64", "APKINDEX.tar.gz")


def fixture(arguments, stdin=""):
    result = subprocess.run([FIXTURE] + arguments, input=stdin, capture_output=True, text=True,
                            errors="surrogateescape")
    if result.returncode != 0:
        raise SystemExit("compose-fixture %s failed: %s" % (arguments[0], result.stderr))
    return result


def report_differences(what, differences, compared):
    print("%s: %d compared, differences: %d" % (what, compared, len(differences)))
    for line in differences[:20]:
        print("  " + line)
    return not differences


def all_records():
    """(branch, repo, record) for every record of every real index."""
    for branch, repos in BRANCHES.items():
        for repo in repos:
            for record in apk_oracle.index_records(index_path(branch, repo)):
                yield branch, repo, record


def provided_versions(record):
    for field in ("p", "D", "i"):
        for token in record.get(field, "").split():
            match = re.match(r"^!?[^<>=~]+[<>=~]+(.*)$", token)
            if match and "><" not in token:
                yield match.group(1)


def version_pairs():
    """At least 20,000 pairs, deterministic: same name across branches, neighbours in the sorted
    list of every distinct version, the odd versions against their neighbours, and edge cases."""
    by_name = {}
    every = set()
    for branch, _, record in all_records():
        by_name.setdefault(record["P"], set()).add(record["V"])
        every.add(record["V"])
        every.update(provided_versions(record))
    pairs = []
    for name in sorted(by_name):
        versions = sorted(by_name[name])
        pairs += [(a, b) for i, a in enumerate(versions) for b in versions[i + 1:]]
    ordered = sorted(every)
    pairs += list(zip(ordered, ordered[1:]))
    odd = [v for v in ordered if re.search(r"[a-z][0-9]|\.\.|_$|^[^0-9]|\.[a-z]", v)]
    rng = random.Random(14)
    for version in odd:
        pairs += [(version, rng.choice(ordered)) for _ in range(3)]
    edge = ["", "0", "1", "1.0", "1.00", "1.0.0", "1..0", "1.0.", "1.0-r", "1.0-r0", "1.0-r00",
            "1.0-r1-r2", "1.0_", "1.0__", "1.0_rc", "1.0_rc0", "1.0_rc1_p2", "1.0_p", "1.0_pre",
            "1.0_preview", "1.0_cvs", "1.0_svn", "1.0_git", "1.0_hg", "1.0_alpha", "1.0_beta",
            "1.0a", "1.0bc", "1.0a1", "a1", "v2.4", "0..0", "5.3.0_", "0.104.o", "1.5b7-r4",
            "0.99f7-r2", "7.4.0p1-r1", "3.2p4-r0", "0.12.5a0-r0", "2147483647", "2147483648",
            "4294967296", "4294967297", "12345678901", "12345678900", "99999999999999999999",
            "1.2147483648", "1.01", "1.001", "1.1", "1.010", "1.0.01", "1_p2147483648", "1-x",
            "1-r", "1-rc", "1.0~1", "1 0", "1.0-r1_p1", "1.0_p1-r1"]
    pairs += [(a, b) for a in edge for b in edge]
    return pairs, sorted(every | set(edge))


# A '.' not followed by a digit (an empty number, as in the so: provides "0..0" and "0.104.o")
# compares in apk 2.14.4 by rules compose does not reproduce (README, "Real upstream data").
EMPTY_NUMBER = re.compile(r"\.(?![0-9])")


def check_versions(oracle):
    pairs, versions = version_pairs()
    pairs = [(a, b) for a, b in pairs if "\t" not in a + b and "\n" not in a + b]
    left_out = [pair for pair in pairs if EMPTY_NUMBER.search(pair[0] + " " + pair[1])]
    pairs = [pair for pair in pairs if not EMPTY_NUMBER.search(pair[0] + " " + pair[1])]
    print("version pairs with an empty number left out (documented): %d" % len(left_out))
    theirs = oracle.compare(pairs)
    ours = fixture(["apk-compare"], "".join("%s\t%s\n" % pair for pair in pairs)).stdout.split()
    differences = ["%r vs %r: apk %s, compose %s" % (a, b, t, o)
                   for (a, b), t, o in zip(pairs, theirs, ours) if t != o]
    if len(ours) != len(pairs):
        differences.append("compose answered %d of %d pairs" % (len(ours), len(pairs)))
    good = report_differences("version pairs (apk version -t semantics)", differences, len(pairs))

    # apk version -c reads its arguments as C strings: an empty one cannot be asked.
    asked = [v for v in versions if v and not v.startswith("-")]
    valid = oracle.valid(asked)
    ours = fixture(["apk-valid"], "".join(v + "\n" for v in asked)).stdout.split()
    differences = ["%r: apk %s, compose %s" % (v, "valid" if t else "invalid",
                                                "valid" if o == "1" else "invalid")
                   for v, t, o in zip(asked, valid, ours) if t != (o == "1")]
    good &= report_differences("versions and provided versions (apk version -c)",
                               differences, len(asked))
    return good


def check_indexes(oracle):
    good = True
    for branch, repos in BRANCHES.items():
        for repo in repos:
            path = index_path(branch, repo)
            theirs = oracle.listing(["file://" + os.path.join(REAL, branch, repo)])
            result = fixture(["apk-list", KEYS, path])
            ours = sorted(line for line in result.stdout.split("\n") if line)
            missing = sorted(set(theirs) - set(ours))
            extra = sorted(set(ours) - set(theirs))
            differences = ["apk lists, compose does not: " + m for m in missing]
            differences += ["compose lists, apk does not: " + e for e in extra]
            if len(ours) != len(theirs):
                differences.append("apk lists %d records, compose %d" % (len(theirs), len(ours)))
            good &= report_differences("%s/%s records" % (branch, repo), differences, len(theirs))
            if result.stderr.strip():
                print("  compose's notes on this index:\n    " +
                      result.stderr.strip().replace("\n", "\n    "))
    return good


def main():
    what = sys.argv[1]
    if not os.path.isdir(REAL):
        print("no real Alpine data at %s" % REAL)
        return 77
    with tempfile.TemporaryDirectory() as work:
        oracle = apk_oracle.Oracle(SOURCE, work)
        if what == "versions":
            return 0 if check_versions(oracle) else 1
        if what == "indexes":
            return 0 if check_indexes(oracle) else 1
        if what == "resolution":
            import apk_oracle_worlds
            count = int(sys.argv[2]) if len(sys.argv) > 2 else 300
            return 0 if apk_oracle_worlds.check_resolution(oracle, count) else 1
    raise SystemExit("unknown check " + what)


if __name__ == "__main__":
    sys.exit(main())
