#!/usr/bin/env python3
"""Alpine's own apk-tools as the judge of compose's Alpine readers and resolver.

The shared test data holds the real, Alpine-signed apk-tools-static 2.14.4 package for aarch64
(../shared/data/alpine-real/oracle). This module takes `sbin/apk.static` out of it (a v2 .apk is
three gzip members: signature, control, data) and runs it under Debian's qemu-user-static, the
way apk is the judge for Alpine as apt is for Debian. Each question is asked in as few apk runs
as possible, since every run under emulation costs a second or so.
"""
import base64
import concurrent.futures
import gzip
import hashlib
import io
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import zlib

ARCH = "x86_64"


def shared_dir(source_dir):
    return os.path.normpath(os.path.join(source_dir, "..", "shared"))


def alpine_real(source_dir):
    return os.path.join(shared_dir(source_dir), "data", "alpine-real")


def gzip_members(data):
    """The decompressed gzip members of a file, in order."""
    members, offset = [], 0
    while offset < len(data):
        decoder = zlib.decompressobj(31)
        members.append(decoder.decompress(data[offset:]) + decoder.flush())
        offset = len(data) - len(decoder.unused_data)
    return members


def index_text(path):
    """The APKINDEX text of a signed APKINDEX.tar.gz (signature member skipped, not checked)."""
    members = gzip_members(open(path, "rb").read())
    with tarfile.open(fileobj=io.BytesIO(members[-1])) as archive:
        return archive.extractfile("APKINDEX").read().decode("utf-8", "surrogateescape")


def index_records(path):
    """Each record of an index as a dict of field letter -> value."""
    records = []
    for block in index_text(path).split("\n\n"):
        record = {}
        for line in block.split("\n"):
            if len(line) >= 2 and line[1] == ":":
                record[line[0]] = line[2:]
        if record:
            records.append(record)
    return records


class Oracle:
    def __init__(self, source_dir, work_dir):
        self.source_dir = source_dir
        self.work_dir = work_dir
        self.keys_dir = os.path.join(shared_dir(source_dir), "keys", "alpine")
        self.qemu = shutil.which("qemu-aarch64-static") or shutil.which("qemu-aarch64")
        if not self.qemu:
            raise RuntimeError("qemu-aarch64-static not found (Debian package qemu-user-static)")
        package = os.path.join(alpine_real(source_dir), "oracle",
                               "apk-tools-static-2.14.4-r0.aarch64.apk")
        data = gzip_members(open(package, "rb").read())[2]
        with tarfile.open(fileobj=io.BytesIO(data)) as archive:
            member = archive.getmember("sbin/apk.static")
            self.apk = os.path.join(work_dir, "apk.static")
            with open(self.apk, "wb") as out:
                out.write(archive.extractfile(member).read())
        os.chmod(self.apk, 0o755)

    def run(self, root, arguments, check=True):
        command = [self.qemu, self.apk, "--root", root, "--arch", ARCH, "--no-cache",
                   "--no-progress"] + arguments
        result = subprocess.run(command, capture_output=True, text=True,
                                errors="surrogateescape")
        if check and result.returncode != 0:
            raise RuntimeError("apk %s failed (%d): %s" % (" ".join(arguments), result.returncode,
                                                            result.stderr.strip()))
        return result

    def new_root(self, repositories, keys_dir=None, untrusted=False):
        root = tempfile.mkdtemp(dir=self.work_dir)
        arguments = self.repo_arguments(repositories, keys_dir, untrusted) + ["add", "--initdb"]
        self.run(root, arguments)
        return root

    def repo_arguments(self, repositories, keys_dir=None, untrusted=False):
        arguments = ["--keys-dir", keys_dir or self.keys_dir]
        if untrusted:
            arguments.append("--allow-untrusted")
        for repository in repositories:
            arguments += ["--repository", repository]
        return arguments

    # --- versions ---------------------------------------------------------------------------

    def valid(self, versions):
        """apk version -c: which versions apk considers valid."""
        invalid = set()
        root = tempfile.mkdtemp(dir=self.work_dir)
        for start in range(0, len(versions), 2000):
            chunk = [v for v in versions[start:start + 2000]]
            result = subprocess.run([self.qemu, self.apk, "version", "-c", "--"] + chunk,
                                    capture_output=True, text=True, errors="surrogateescape")
            invalid.update(line for line in result.stdout.split("\n") if line)
        shutil.rmtree(root)
        return [v not in invalid for v in versions]

    def compare(self, pairs):
        """'<', '=' or '>' for each (a, b), as `apk version -t a b` answers, asked in one run.

        apk version compares each installed package with the best version its repositories
        offer (or the installed one when that is better), so pair i becomes two packages:
        xN installed at a and offered at b, yN installed at b and offered at a."""
        root = self.new_root([], untrusted=True)
        repo = tempfile.mkdtemp(dir=self.work_dir)
        os.makedirs(os.path.join(repo, ARCH))
        installed, offered = [], []

        def record(name, version, salt):
            checksum = base64.b64encode(hashlib.sha1((salt + name).encode()).digest()).decode()
            return "C:Q1%s\nP:%s\nV:%s\nA:%s\nS:1\nI:1\nT:pair\n\n" % (checksum, name, version,
                                                                     ARCH)

        for i, (a, b) in enumerate(pairs):
            installed += [record("x%d" % i, a, "i"), record("y%d" % i, b, "i")]
            offered += [record("x%d" % i, b, "o"), record("y%d" % i, a, "o")]
        with open(os.path.join(root, "lib", "apk", "db", "installed"), "w",
                  errors="surrogateescape") as out:
            out.write("".join(installed))
        write_unsigned_index(os.path.join(repo, ARCH, "APKINDEX.tar.gz"), "".join(offered))
        result = self.run(root, self.repo_arguments(["file://" + repo], untrusted=True) +
                          ["version", "-a"])
        less = set()
        for line in result.stdout.split("\n"):
            match = re.match(r"^([xy]\d+)-.*\s(<)\s", line)
            if match:
                less.add(match.group(1))
        answers = []
        for i in range(len(pairs)):
            if "x%d" % i in less:
                answers.append("<")
            elif "y%d" % i in less:
                answers.append(">")
            else:
                answers.append("=")
        shutil.rmtree(root)
        shutil.rmtree(repo)
        return answers

    # --- indexes and resolution -------------------------------------------------------------

    def listing(self, repositories):
        """name-version of every record apk reads from the (signed) repositories."""
        root = self.new_root(repositories)
        result = self.run(root, self.repo_arguments(repositories) + ["search", "-a"])
        shutil.rmtree(root)
        return sorted(line for line in result.stdout.split("\n") if line)

    def resolve(self, repositories, worlds, jobs=2, keys_dir=None, untrusted=False):
        """For each world (a list of tokens): ('ok', sorted name-versions) or ('error', text)."""
        root = self.new_root(repositories, keys_dir, untrusted)
        base = self.repo_arguments(repositories, keys_dir, untrusted)

        def one(world):
            result = self.run(root, base + ["--simulate", "add", "--"] + list(world), check=False)
            if result.returncode != 0:
                return ("error", " ".join(result.stderr.split())[:300])
            installed = re.findall(r"Installing (\S+) \((\S+)\)", result.stdout)
            return ("ok", sorted("%s-%s" % pair for pair in installed))

        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
            answers = list(pool.map(one, worlds))
        shutil.rmtree(root)
        return answers


def write_unsigned_index(path, text):
    data = text.encode("utf-8", "surrogateescape")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        info = tarfile.TarInfo("APKINDEX")
        info.size = len(data)
        info.mtime = 0
        archive.addfile(info, io.BytesIO(data))
    with open(path, "wb") as out:
        out.write(gzip.compress(buffer.getvalue(), mtime=0))
