#!/usr/bin/env python3
"""Compares two root filesystem tarballs path by path and reports how far they agree.

Every path is compared on type, mode, uid/gid, link target, content (sha256), device numbers and
extended attributes (pax SCHILY.xattr.* records);
the names of a hard-linked file all count as that file (marked "hardlinked"), whichever came first.
Paths matching an intended-difference pattern (from --allow FILE, lines "glob<TAB or spaces>reason")
are left out of the comparison and listed with their reason. The agreement is the number of matching
paths divided by the union of compared paths; the exit status is 1 below --min-agreement.
Run with --self-test to check the tool on two small generated tarballs.
"""

import argparse
import fnmatch
import hashlib
import io
import sys
import tarfile
import tempfile
import os

# Differences a bootstrap always has, whoever builds it: they depend on the build's moment or host.
DEFAULT_ALLOWED = [
    ("var/log/*", "logs record the build run"),
    ("var/cache/*", "caches depend on the tool that ran apt"),
    ("var/lib/apt/lists/*", "apt lists are the builder's download state"),
    ("etc/machine-id", "machine-id is generated per system"),
    ("var/lib/dbus/machine-id", "machine-id is generated per system"),
    ("etc/ssh/ssh_host_*", "ssh host keys are generated per system"),
    ("etc/ld.so.cache", "ld.so.cache layout depends on the ldconfig run"),
    ("etc/resolv.conf", "copied from the build host"),
    ("etc/hostname", "copied from the build host"),
    ("etc/hosts", "copied from the build host"),
    ("var/lib/dpkg/*-old", "dpkg backups depend on how often the database was written"),
    ("var/lib/systemd/deb-systemd-helper-enabled/*", "depends on whether systemd scripts ran"),
]

TYPE_NAMES = {
    tarfile.REGTYPE: "file", tarfile.AREGTYPE: "file", tarfile.DIRTYPE: "directory",
    tarfile.SYMTYPE: "symlink", tarfile.LNKTYPE: "hardlink", tarfile.CHRTYPE: "char-device",
    tarfile.BLKTYPE: "block-device", tarfile.FIFOTYPE: "fifo",
}


def normalise(name):
    """Strips './' and '/' so both tools' spellings of a path meet."""
    while name.startswith("./"):
        name = name[2:]
    name = name.strip("/")
    return name or "."


def read_tree(path):
    """Returns {path: {property: value}} for every member of the tarball at path."""
    tree = {}
    with tarfile.open(path, "r:*") as archive:
        for member in archive:
            facts = {
                "type": TYPE_NAMES.get(member.type, "other"),
                "mode": oct(member.mode & 0o7777),
                "owner": f"{member.uid}:{member.gid}",
            }
            if member.islnk():
                # Which name of a hard-linked file tar stores first depends on the order the
                # archiver walked the tree, so every name gets the file's facts and a mark.
                target = normalise(member.linkname)
                if target in tree:
                    tree[target]["hardlinked"] = "yes"
                    facts = dict(tree[target])
                    tree[normalise(member.name)] = facts
                    continue
                facts["target"] = target
            if member.issym():
                facts["target"] = member.linkname
            if member.isreg():
                digest = hashlib.sha256()
                stream = archive.extractfile(member)
                for chunk in iter(lambda: stream.read(1 << 20), b""):
                    digest.update(chunk)
                facts["sha256"] = digest.hexdigest()
            if member.ischr() or member.isblk():
                facts["device"] = f"{member.devmajor}:{member.devminor}"
            xattrs = sorted(f"{key.split('xattr.', 1)[1]}={value!r}"
                            for key, value in member.pax_headers.items() if ".xattr." in key)
            if xattrs:
                facts["xattrs"] = " ".join(xattrs)
            tree[normalise(member.name)] = facts
    return tree


def read_allowed(path):
    """Reads 'glob reason' lines; '#' starts a comment."""
    allowed = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 1)
            if len(parts) != 2:
                raise SystemExit(f"{path}:{number}: expected 'glob reason', found {line!r}")
            allowed.append((normalise(parts[0]), parts[1]))
    return allowed


def allowed_reason(path, allowed):
    for pattern, reason in allowed:
        if fnmatch.fnmatchcase(path, pattern):
            return reason
    return None


def compare(ours, reference, allowed):
    """Returns (categories {name: [lines]}, excluded {reason: count}, matching, compared)."""
    categories = {}
    excluded = {}
    matching = 0
    compared = 0
    for path in sorted(set(ours) | set(reference)):
        reason = allowed_reason(path, allowed)
        if reason is not None:
            excluded[reason] = excluded.get(reason, 0) + 1
            continue
        compared += 1
        if path not in reference:
            categories.setdefault("only in ours", []).append(path)
            continue
        if path not in ours:
            categories.setdefault("only in reference", []).append(path)
            continue
        left, right = ours[path], reference[path]
        differing = sorted(key for key in set(left) | set(right) if left.get(key) != right.get(key))
        if not differing:
            matching += 1
        for key in differing:
            categories.setdefault(key, []).append(
                f"{path}: ours {left.get(key, '-')} reference {right.get(key, '-')}")
    return categories, excluded, matching, compared


def report(categories, excluded, matching, compared, limit, out):
    for name in sorted(categories):
        lines = categories[name]
        print(f"== {name}: {len(lines)}", file=out)
        for line in lines[:limit]:
            print(f"  {line}", file=out)
        if len(lines) > limit:
            print(f"  ... {len(lines) - limit} more", file=out)
    for reason in sorted(excluded):
        print(f"-- intended difference ({excluded[reason]} paths): {reason}", file=out)
    agreement = 100.0 * matching / compared if compared else 100.0
    print(f"agreement: {agreement:.2f}% ({matching} of {compared} paths match)", file=out)
    return agreement


def make_tar(path, entries):
    """Writes a tarball from (name, kind, mode, data_or_target[, pax headers]) tuples, for the
    self-test."""
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as archive:
        for name, kind, mode, payload, *headers in entries:
            info = tarfile.TarInfo(name)
            info.mode = mode
            info.mtime = 0
            info.pax_headers = headers[0] if headers else {}
            if kind == "dir":
                info.type = tarfile.DIRTYPE
                archive.addfile(info)
            elif kind in ("link", "hardlink"):
                info.type = tarfile.SYMTYPE if kind == "link" else tarfile.LNKTYPE
                info.linkname = payload
                archive.addfile(info)
            else:
                info.size = len(payload)
                archive.addfile(info, io.BytesIO(payload))


def self_test():
    """Two tarballs differing in content, mode, link target and membership, plus an allowed log
    and a hard-linked pair stored in the opposite order (which must match), and a file whose
    capability attribute differs."""
    with tempfile.TemporaryDirectory() as directory:
        first = os.path.join(directory, "ours.tar")
        second = os.path.join(directory, "reference.tar")
        make_tar(first, [("./etc", "dir", 0o755, None), ("./etc/a", "file", 0o644, b"same"),
                         ("./etc/b", "file", 0o644, b"one"), ("./etc/c", "file", 0o600, b"x"),
                         ("./bin", "link", 0o777, "usr/bin"), ("./var/log/x.log", "file", 0o644, b"1"),
                         ("./only-ours", "file", 0o644, b""),
                         ("./gunzip", "file", 0o755, b"gz"), ("./uncompress", "hardlink", 0o755, "gunzip"),
                         ("./ping", "file", 0o755, b"p", {"SCHILY.xattr.security.capability": "\x01"})])
        make_tar(second, [("etc/", "dir", 0o755, None), ("etc/a", "file", 0o644, b"same"),
                          ("etc/b", "file", 0o644, b"two"), ("etc/c", "file", 0o644, b"x"),
                          ("bin", "link", 0o777, "usr/sbin"), ("var/log/x.log", "file", 0o644, b"2"),
                          ("uncompress", "file", 0o755, b"gz"), ("gunzip", "hardlink", 0o755, "uncompress"),
                          ("ping", "file", 0o755, b"p")])
        categories, excluded, matching, compared = compare(
            read_tree(first), read_tree(second), DEFAULT_ALLOWED)
        sink = io.StringIO()
        agreement = report(categories, excluded, matching, compared, 10, sink)
        checks = [
            (compared == 9, f"compared {compared} paths, expected 9"),
            (matching == 4, f"{matching} paths match, expected 4 (etc, etc/a, gunzip, uncompress)"),
            (categories.get("sha256") == ["etc/b: ours " + hashlib.sha256(b"one").hexdigest()
                                          + " reference " + hashlib.sha256(b"two").hexdigest()],
             f"sha256 category is {categories.get('sha256')}"),
            (categories.get("mode") == ["etc/c: ours 0o600 reference 0o644"],
             f"mode category is {categories.get('mode')}"),
            (categories.get("target") == ["bin: ours usr/bin reference usr/sbin"],
             f"target category is {categories.get('target')}"),
            (categories.get("only in ours") == ["only-ours"], "only-ours not reported"),
            (categories.get("xattrs") == ["ping: ours security.capability='\\x01' reference -"],
             f"xattrs category is {categories.get('xattrs')}"),
            (sum(excluded.values()) == 1, "var/log/x.log was not excluded"),
            (abs(agreement - 100.0 * 4 / 9) < 1e-9, f"agreement {agreement}"),
        ]
        failures = [message for passed, message in checks if not passed]
        for message in failures:
            print(f"self-test: {message}", file=sys.stderr)
        if failures:
            print(sink.getvalue(), file=sys.stderr)
            return 1
        print("self-test: ok")
        return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ours", nargs="?")
    parser.add_argument("reference", nargs="?")
    parser.add_argument("--allow", help="file of 'glob reason' lines replacing the built-in list")
    parser.add_argument("--min-agreement", type=float, default=0.0, help="percent")
    parser.add_argument("--limit", type=int, default=50, help="lines shown per category")
    parser.add_argument("--self-test", action="store_true")
    arguments = parser.parse_args()
    if arguments.self_test:
        return self_test()
    if not arguments.ours or not arguments.reference:
        parser.error("two tarballs are needed: OURS REFERENCE")
    allowed = read_allowed(arguments.allow) if arguments.allow else DEFAULT_ALLOWED
    categories, excluded, matching, compared = compare(
        read_tree(arguments.ours), read_tree(arguments.reference), allowed)
    agreement = report(categories, excluded, matching, compared, arguments.limit, sys.stdout)
    if agreement < arguments.min_agreement:
        print(f"agreement {agreement:.2f}% is below the bar of {arguments.min_agreement:.2f}%",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
