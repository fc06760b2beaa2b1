"""Resolution parity: install sets compose chooses vs the ones apk.static 2.14.4 chooses.

For each real branch, `count` worlds drawn deterministically from the branch's own records:
the product worlds (dockerd host, podman host), `cmd:`/`so:`/`pc:` requests, version
constraints (=, <, >, >=, ~), conflicts, install_if triggers, virtual names with several
providers, and single packages of main. Unsatisfiable worlds must fail in both.
"""
import os
import random
import re
import subprocess

import apk_oracle_checks as checks

BASE = ["alpine-baselayout", "alpine-keys", "busybox", "busybox-binsh", "musl", "apk-tools",
        "ca-certificates-bundle"]
HOST = ["openssh-server", "supervisor", "dcron", "iptables", "ip6tables"]
PRODUCTS = [BASE + HOST + ["docker", "containerd"], BASE + HOST + ["podman"]]


def names_of(tokens):
    return [re.split(r"[<>=~]", token.lstrip("!"))[0] for token in tokens.split()]


def worlds_for(records, count, rng):
    packages = {}
    for repo, record in records:
        packages.setdefault(record["P"], (repo, record))
    main_names = sorted(name for name, (repo, _) in packages.items() if repo == "main")
    providers = {}
    for _, record in records:
        for name in names_of(record.get("p", "")):
            providers.setdefault(name, set()).add(record["P"])

    worlds = [list(world) for world in PRODUCTS]
    prefixed = sorted(name for name in providers if re.match(r"^(cmd|so|pc):", name))
    for prefix in ("cmd:", "so:", "pc:"):
        pool = [name for name in prefixed if name.startswith(prefix)]
        worlds += [[name] for name in rng.sample(pool, min(12, len(pool)))]
    virtual = sorted(name for name, who in providers.items()
                     if len(who) > 1 and name not in packages)
    worlds += [[name] for name in rng.sample(virtual, min(25, len(virtual)))]
    with_version = sorted(name for name in main_names
                          if re.match(r"^\d+\.\d+", packages[name][1]["V"]))
    for name in rng.sample(with_version, min(12, len(with_version))):
        version = packages[name][1]["V"]
        major_minor = re.match(r"^(\d+\.\d+)", version).group(1)
        worlds += [[name + "=" + version], [name + ">=" + version], [name + "<" + version],
                   [name + ">" + major_minor], [name + "~" + major_minor]]
    with_depends = sorted(name for name in main_names if packages[name][1].get("D"))
    for name in rng.sample(with_depends, min(12, len(with_depends))):
        dependency = names_of(packages[name][1]["D"])[0]
        unrelated = rng.choice(main_names)
        worlds += [[name, "!" + dependency], [name, "!" + unrelated]]
    triggered = sorted(record["P"] for _, record in records if record.get("i"))
    for name in rng.sample(triggered, min(30, len(triggered))):
        worlds.append(sorted(set(names_of(packages[name][1]["i"]))))
    singles = [name for name in main_names if [name] not in worlds]
    while len(worlds) < count and singles:
        worlds.append([singles.pop(rng.randrange(len(singles)))])
    return worlds[:max(count, len(PRODUCTS))]


def compose_answers(repositories, worlds):
    indexes = [os.path.join(path, "x86_64", "APKINDEX.tar.gz") for path in repositories]
    result = subprocess.run([checks.FIXTURE, "apk-resolve", checks.KEYS] + indexes,
                            input="".join(" ".join(world) + "\n" for world in worlds),
                            capture_output=True, text=True, errors="surrogateescape")
    if result.returncode != 0:
        raise SystemExit("compose-fixture apk-resolve failed: " + result.stderr)
    answers = []
    for line in result.stdout.rstrip("\n").split("\n"):
        verdict, _, rest = line.partition(" ")
        answers.append((verdict, sorted(rest.split()) if verdict == "ok" else rest))
    return answers


def check_resolution(oracle, count):
    good = True
    total = 0
    for branch, repos in checks.BRANCHES.items():
        rng = random.Random("worlds-" + branch)
        records = [(repo, record) for repo in repos
                   for record in checks.apk_oracle.index_records(checks.index_path(branch, repo))]
        worlds = worlds_for(records, count, rng)
        repositories = [os.path.join(checks.REAL, branch, repo) for repo in repos]
        theirs = oracle.resolve(["file://" + path for path in repositories], worlds)
        ours = compose_answers(repositories, worlds)
        differences = []
        for world, (their_verdict, their_set), (our_verdict, our_set) in zip(worlds, theirs,
                                                                             ours):
            if their_verdict != our_verdict:
                differences.append("%s: apk %s, compose %s (%s)" % (
                    " ".join(world), their_verdict, our_verdict,
                    their_set if their_verdict == "error" else our_set))
            elif their_verdict == "ok" and their_set != our_set:
                only_apk = sorted(set(their_set) - set(our_set))
                only_ours = sorted(set(our_set) - set(their_set))
                differences.append("%s: only apk %s, only compose %s" % (
                    " ".join(world), only_apk, only_ours))
        failed = sum(1 for verdict, _ in theirs if verdict == "error")
        print("%s: %d worlds (%d unsatisfiable in apk)" % (branch, len(worlds), failed))
        good &= checks.report_differences("%s install sets" % branch, differences, len(worlds))
        total += len(worlds)
    print("resolution parity: %d worlds compared" % total)
    return good
