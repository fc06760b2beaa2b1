#!/usr/bin/env python3
"""Reads what an image output holds, the same way for the three kinds compose writes.

  image_facts.py stat OUTPUT PATH...   one line per path: "PATH TYPE MODE UID GID SIZE"
                                       (TYPE file|dir|link|other, MODE octal; "PATH absent")
  image_facts.py list OUTPUT           every path, one per line
  image_facts.py contains OUTPUT TEXT  exit 0 when TEXT occurs in any file, name or link
                                       target of the image (OCI: also its config and manifest)
  image_facts.py oci-config OUTPUT     the image configuration JSON of the first manifest
  image_facts.py oci-tags OUTPUT       the ref.name of every manifest in index.json

OUTPUT is a .rootfs.tar, an .oci.tar (layers applied in order, whiteouts honoured) or an
.ext4 image (read with debugfs, no mounting).
"""
import gzip
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile

try:
    import zstandard  # optional: only for zstd layers
except ImportError:  # pragma: no cover
    zstandard = None


def layer_stream(data):
    if data[:2] == b"\x1f\x8b":
        # A layer is many gzip members (one per 1 MiB block). gzip.decompress copies the rest of
        # the input once per member (quadratic: minutes for a 150 MB layer); GzipFile streams.
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            return stream.read()
    if data[:4] == b"\x28\xb5\x2f\xfd":
        if zstandard is None:
            return subprocess.run(["zstd", "-dc"], input=data, stdout=subprocess.PIPE,
                                  check=True).stdout
        return zstandard.ZstdDecompressor().decompressobj().decompress(data)
    return data


def oci_parts(path):
    """(config bytes, [manifest bytes], [layer tar bytes]) of the first manifest."""
    with tarfile.open(path) as archive:
        def blob(digest):
            return archive.extractfile("blobs/" + digest.replace(":", "/")).read()
        index = json.loads(archive.extractfile("index.json").read())
        manifests = [blob(m["digest"]) for m in index["manifests"]]
        first = json.loads(manifests[0])
        config = blob(first["config"]["digest"])
        layers = [layer_stream(blob(layer["digest"])) for layer in first["layers"]]
        return index, config, manifests, layers


def tar_entries(data_or_path):
    """{path: (type, mode, uid, gid, size, bytes or target)} of one tarball."""
    entries = {}
    archive = (tarfile.open(fileobj=io.BytesIO(data_or_path)) if isinstance(data_or_path, bytes)
               else tarfile.open(data_or_path))
    with archive:
        for member in archive.getmembers():
            name = member.name.lstrip("./").rstrip("/")
            base = name.rsplit("/", 1)[-1]
            if base.startswith(".wh."):
                gone = name[: len(name) - len(base)] + base[4:]
                for key in [k for k in entries if k == gone or k.startswith(gone + "/")]:
                    del entries[key]
                continue
            if member.isfile():
                kind, payload = "file", archive.extractfile(member).read()
            elif member.islnk():
                target = entries.get(member.linkname.lstrip("./"))
                kind, payload = "file", target[5] if target else b""
            elif member.isdir():
                kind, payload = "dir", b""
            elif member.issym():
                kind, payload = "link", member.linkname.encode()
            else:
                kind, payload = "other", b""
            entries[name] = (kind, member.mode & 0o7777, member.uid, member.gid,
                             len(payload) if kind == "file" else 0, payload)
    return entries


def ext4_entries(path):
    """The same map from an ext4 image, through debugfs rdump plus stat for owners."""
    with tempfile.TemporaryDirectory() as directory:
        subprocess.run(["debugfs", "-R", f"rdump / {directory}", path], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        entries = {}
        for root, dirs, files in os.walk(directory):
            for name in dirs + files:
                full = os.path.join(root, name)
                relative = os.path.relpath(full, directory)
                if os.path.islink(full):
                    entries[relative] = ("link", 0o777, 0, 0, 0, os.readlink(full).encode())
                elif os.path.isdir(full):
                    entries[relative] = ("dir", 0, 0, 0, 0, b"")
                elif os.path.isfile(full):
                    payload = open(full, "rb").read()
                    entries[relative] = ("file", 0, 0, 0, len(payload), payload)
        return entries


def ext4_stat(path, name):
    result = subprocess.run(["debugfs", "-R", f"stat /{name}", path], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    out = result.stdout
    if "Inode:" not in out:
        return None
    kind = re.search(r"Type: (\S+)", out).group(1)
    mode = int(re.search(r"Mode:\s+(\d+)", out).group(1), 8)
    uid = int(re.search(r"User:\s+(\d+)", out).group(1))
    gid = int(re.search(r"Group:\s+(\d+)", out).group(1))
    size = int(re.search(r"Size: (\d+)", out).group(1))
    kind = {"regular": "file", "directory": "dir", "symlink": "link"}.get(kind, "other")
    return kind, mode, uid, gid, size if kind == "file" else 0


def entries_of(output):
    if output.endswith(".oci.tar"):
        merged = {}
        for layer in oci_parts(output)[3]:
            entries = tar_entries(layer)
            merged.update(entries)
        return merged
    if output.endswith(".ext4"):
        return ext4_entries(output)
    return tar_entries(output)


def main(argv):
    command, output = argv[1], argv[2]
    if command == "stat":
        entries = None if output.endswith(".ext4") else entries_of(output)
        for name in argv[3:]:
            name = name.strip("/")
            if entries is None:
                facts = ext4_stat(output, name)
            else:
                entry = entries.get(name)
                facts = entry[:5] if entry else None
            if facts is None:
                print(f"/{name} absent")
            else:
                kind, mode, uid, gid, size = facts
                print(f"/{name} {kind} {mode:04o} {uid} {gid} {size}")
        return 0
    if command == "list":
        for name in sorted(entries_of(output)):
            print("/" + name)
        return 0
    if command == "contains":
        needle = argv[3].encode()
        haystacks = []
        if output.endswith(".oci.tar"):
            index, config, manifests, _ = oci_parts(output)
            haystacks += [json.dumps(index).encode(), config] + manifests
        for name, entry in entries_of(output).items():
            haystacks += [name.encode(), entry[5]]
        return 0 if any(needle in haystack for haystack in haystacks) else 1
    if command == "oci-config":
        print(oci_parts(output)[1].decode())
        return 0
    if command == "oci-tags":
        index = oci_parts(output)[0]
        for manifest in index["manifests"]:
            print(manifest.get("annotations", {}).get("org.opencontainers.image.ref.name", ""))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
