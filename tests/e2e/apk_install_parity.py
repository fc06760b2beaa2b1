#!/usr/bin/env python3
"""Install parity: the same worlds installed by Alpine's apk.static 2.14.4 (`add --initdb
--no-scripts`, under qemu-user) and by compose, from the generated "parity" mirror
(compose-fixture alpine-mirror --preset parity), compared path by path and byte for byte.

  apk_install_parity.py WORK MIRROR TRUST KEY_NAME

Per path: type, mode, owner, link target, content SHA-256, device numbers, xattrs and which
names share one inode (hard links). mtimes are not compared (apk keeps the archive's, and its
own files get the time of the run; compose stamps its own with the build epoch). The apk
database files (lib/apk/db/installed, triggers, scripts.tar) and etc/apk/world are compared
byte for byte as part of the tree and again on their own, with a diff when they differ.
Every path left out is listed with its reason in INTENDED below. Exits 1 on any difference.
"""
import difflib
import fnmatch
import hashlib
import json
import os
import stat
import subprocess
import sys
import tarfile

sys.path.insert(0, os.path.join(os.environ["COMPOSE_SOURCE_DIR"], "tests", "support"))
import apk_oracle  # noqa: E402

COMPOSE = os.environ["COMPOSE"]
EPOCH = "1700000000"

# Differences by design, each with its reason (also in README, "## Tests"): a path pattern,
# the one property that may differ there (None: the whole path), and why.
APK_CHOWN_OF_LINKS = ("apk 2.14 chowns each hard-link name after linking it, and the kernel "
                      "clears the capability and setuid bits of the shared inode; compose keeps "
                      "what the package declares and apk's own database records (a:…:Q1 xattr "
                      "hash, mode 4755)")
INTENDED = [
    ("usr/bin/pinger", "xattrs", APK_CHOWN_OF_LINKS),
    ("usr/bin/pinger6", "xattrs", APK_CHOWN_OF_LINKS),
    ("usr/bin/su-lite", "mode", APK_CHOWN_OF_LINKS),
    ("usr/bin/su-lite-link", "mode", APK_CHOWN_OF_LINKS),
    ("etc/apk/keys", None, "compose installs the recipe's trusted keys for apk in the image; "
                     "apk.static was given --keys-dir outside the root"),
    ("etc/apk/keys/*", None, "(the same)"),
    ("etc/apk/repositories", None, "compose records the recipe's repositories; apk.static was given "
                             "--repository on the command line"),
    ("proc", None, "apk.static makes /proc as the mount point for running scripts, even with "
             "--no-scripts (alpine-baselayout ships it in a real image)"),
]
# Only in worlds with package scripts: what compose reproduces and --no-scripts skips.
SCRIPT_EFFECTS = [
    ("lib/apk/exec", None, "apk makes it (0700) to run the first script from; --no-scripts runs none"),
    ("etc/group", None, "parity-daemon's .pre-install addgroup parityd, reproduced by compose"),
    ("etc/passwd", None, "parity-daemon's .pre-install adduser parityd, reproduced by compose"),
    ("etc/shadow", None, "parity-daemon's .pre-install adduser parityd, reproduced by compose"),
    ("var/lib/parityd", None, "parity-daemon's .post-install chmod 0750, reproduced by compose"),
]

WORLDS = [
    # No package of this world has a script: nothing may differ beyond INTENDED.
    ("without scripts", ["parity-replacer", "parity-loose"], []),
    ("every case", ["parity-tools", "parity-plugins", "parity-replacer", "parity-loose",
                    "parity-quiet-scripts-with-a-rather-long-package-name", "parity-daemon"],
     SCRIPT_EFFECTS),
]
# apk's own complaint about the file parity-loose has outside its declared directories.
APK_ERRORS = {"ERROR: parity-loose-0.1-r0: usr/share/loose/readme: no dirent in archive"}
DATABASE = ["lib/apk/db/installed", "lib/apk/db/triggers", "lib/apk/db/scripts.tar",
            "etc/apk/world", "etc/apk/arch"]


def type_name(mode):
    for test, name in ((stat.S_ISDIR, "directory"), (stat.S_ISREG, "file"),
                       (stat.S_ISLNK, "symlink"), (stat.S_ISCHR, "char-device"),
                       (stat.S_ISBLK, "block-device"), (stat.S_ISFIFO, "fifo")):
        if test(mode):
            return name
    return "other"


def group_links(tree, inodes):
    """Each hard-linked path gets the sorted list of every name of its inode."""
    for names in inodes.values():
        if len(names) > 1:
            for name in names:
                tree[name]["links"] = " ".join(sorted(names))


def read_root(root):
    """{path: facts} for every path under an installed root, and {path: bytes} of DATABASE."""
    tree, inodes, data = {}, {}, {}
    for directory, subdirectories, files in os.walk(root):
        for name in subdirectories + files:
            full = os.path.join(directory, name)
            path = os.path.relpath(full, root)
            info = os.lstat(full)
            facts = {"type": type_name(info.st_mode), "mode": oct(info.st_mode & 0o7777),
                     "owner": "%d:%d" % (info.st_uid, info.st_gid)}
            if stat.S_ISLNK(info.st_mode):
                facts["target"] = os.readlink(full)
            elif stat.S_ISREG(info.st_mode):
                content = open(full, "rb").read()
                facts["sha256"] = hashlib.sha256(content).hexdigest()
                if path in DATABASE:
                    data[path] = content
                inodes.setdefault(info.st_ino, []).append(path)
            elif stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode):
                facts["device"] = "%d:%d" % (os.major(info.st_rdev), os.minor(info.st_rdev))
            if not stat.S_ISLNK(info.st_mode):
                xattrs = sorted("%s=%r" % (key, os.getxattr(full, key, follow_symlinks=False))
                                for key in os.listxattr(full, follow_symlinks=False))
                if xattrs:
                    facts["xattrs"] = " ".join(xattrs)
            tree[path] = facts
    group_links(tree, inodes)
    return tree, data


def read_tar(path):
    """The same facts from compose's rootfs tarball (pax xattrs, hard links as links)."""
    tree, inodes, data = {}, {}, {}
    with tarfile.open(path) as archive:
        for member in archive:
            name = member.name.rstrip("/")
            if name in (".", ""):
                continue
            if member.islnk():
                first = member.linkname.rstrip("/")
                tree[name] = dict(tree[first])
                inodes[first].append(name)
                continue
            kind = {tarfile.DIRTYPE: "directory", tarfile.SYMTYPE: "symlink",
                    tarfile.CHRTYPE: "char-device", tarfile.BLKTYPE: "block-device",
                    tarfile.FIFOTYPE: "fifo"}.get(member.type, "file")
            facts = {"type": kind, "mode": oct(member.mode & 0o7777),
                     "owner": "%d:%d" % (member.uid, member.gid)}
            if member.issym():
                facts["target"] = member.linkname
            elif member.isreg():
                content = archive.extractfile(member).read()
                facts["sha256"] = hashlib.sha256(content).hexdigest()
                if name in DATABASE:
                    data[name] = content
                inodes[name] = [name]
            elif member.ischr() or member.isblk():
                facts["device"] = "%d:%d" % (member.devmajor, member.devminor)
            xattrs = sorted("%s=%r" % (key.split("xattr.", 1)[1],
                                       value.encode("utf-8", "surrogateescape"))
                            for key, value in member.pax_headers.items() if ".xattr." in key)
            if xattrs:
                facts["xattrs"] = " ".join(xattrs)
            tree[name] = facts
    group_links(tree, inodes)
    return tree, data


def install_with_apk(oracle, work, mirror, keys, packages):
    root = os.path.join(work, "apk-root")
    os.makedirs(root)
    result = oracle.run(root, ["--keys-dir", keys, "--repository", "file://%s/v3.22/main" % mirror,
                               "add", "--initdb", "--no-scripts"] + packages, check=False)
    errors = {line for line in result.stderr.splitlines() if line.startswith("ERROR")}
    expected = APK_ERRORS if "parity-loose" in packages else set()
    if errors - {"ERROR: 1 error"} != expected or result.returncode not in (0, 1):
        raise SystemExit("apk add failed (%d):\n%s" % (result.returncode, result.stderr))
    return root


def install_with_compose(work, mirror, trust, key, packages):
    recipe = os.path.join(work, "recipe.toml")
    with open(recipe, "w") as out:
        out.write('name = "parity"\ndistribution = "alpine"\nrelease = "3.22"\n'
                  'architecture = "x86_64"\npackages = [%s]\n\n[[repositories]]\n'
                  'url = "file://%s"\nbranch = "v${release}"\nrepos = ["main"]\nkeys = ["%s"]\n\n'
                  '[outputs]\nformats = ["rootfs-tar"]\n'
                  % (", ".join('"%s"' % p for p in packages), mirror, key))
    out_dir = os.path.join(work, "compose-out")
    subprocess.run([COMPOSE, recipe, "-o", out_dir, "-q", "--trust-dir", trust, "--keys-dir", trust,
                    "--cache-dir", os.path.join(work, "cache")],
                   check=True, stdout=subprocess.DEVNULL, env=dict(os.environ, SOURCE_DATE_EPOCH=EPOCH))
    report = json.load(open(os.path.join(out_dir, "parity.result.json")))
    if "parity-loose" in packages and not any(
            "usr/share/loose/readme: no directory entry" in w for w in report["warnings"]):
        raise SystemExit("compose did not warn about the file apk leaves out: %s"
                         % report["warnings"])
    return os.path.join(out_dir, "parity.rootfs.tar")


def intended_for(path, intended):
    """(reason for leaving the whole path out or None, {property: reason} left out there)."""
    properties = {}
    for pattern, property_name, reason in intended:
        if fnmatch.fnmatchcase(path, pattern):
            if property_name is None:
                return reason, {}
            properties[property_name] = reason
    return None, properties


def compare_world(oracle, work, mirror, trust, key, name, packages, extra):
    keys = os.path.join(work, "keys")
    os.makedirs(keys)
    os.link(os.path.join(trust, key), os.path.join(keys, key))
    apk_tree, apk_data = read_root(install_with_apk(oracle, work, mirror, keys, packages))
    compose_tree, compose_data = read_tar(install_with_compose(work, mirror, trust, key, packages))
    intended = INTENDED + extra
    differences, skipped, compared = [], {}, 0
    for path in sorted(set(apk_tree) | set(compose_tree)):
        reason, properties = intended_for(path, intended)
        if reason is not None:
            skipped[path] = reason
            continue
        compared += 1
        ours, theirs = compose_tree.get(path), apk_tree.get(path)
        if ours is None or theirs is None:
            differences.append("%s: only %s" % (path, "from apk" if ours is None else "from compose"))
            continue
        for key_name in sorted(set(ours) | set(theirs)):
            if ours.get(key_name) == theirs.get(key_name):
                continue
            if key_name in properties:
                skipped["%s (%s)" % (path, key_name)] = properties[key_name]
            else:
                differences.append("%s: %s compose %s, apk %s" % (
                    path, key_name, ours.get(key_name, "-"), theirs.get(key_name, "-")))
    for path in DATABASE:
        if path not in apk_data:
            differences.append("%s: apk wrote none" % path)
        elif apk_data[path] != compose_data.get(path):
            differences.append("%s is not byte-identical:" % path)
            differences += ["  " + line for line in difflib.unified_diff(
                apk_data.get(path, b"").decode("utf-8", "replace").splitlines(),
                compose_data.get(path, b"").decode("utf-8", "replace").splitlines(),
                "apk", "compose", lineterm="", n=1)][:40]
    print("world '%s' (%d packages): %d paths compared, differences: %d, intended: %s" % (
        name, len(packages), compared, len(differences),
        ", ".join(sorted(skipped)) or "none"))
    print("  byte-identical: %s" % ", ".join(
        p for p in DATABASE if p in apk_data and apk_data[p] == compose_data.get(p)))
    for line in differences[:60]:
        print("  " + line)
    return not differences


def main():
    work, mirror, trust, key = sys.argv[1:5]
    oracle = apk_oracle.Oracle(os.environ["COMPOSE_SOURCE_DIR"], work)
    good = True
    for index, (name, packages, extra) in enumerate(WORLDS):
        world_work = os.path.join(work, "world-%d" % index)
        os.makedirs(world_work)
        good = compare_world(oracle, world_work, mirror, trust, key, name, packages, extra) and good
    for pattern, property_name, reason in INTENDED + SCRIPT_EFFECTS:
        print("  intended: %s%s: %s" % (pattern, " " + property_name if property_name else "",
                                         reason))
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
