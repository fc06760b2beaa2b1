// The SBOM test subject; see sbom_fixtures.hpp.
#include "sbom_fixtures.hpp"

namespace compose::testing {

emit::sbom::Subject small_sbom_subject()
{
  emit::sbom::Subject subject;
  subject.name = "web";
  subject.format = emit::sbom::PackageFormat::apk;
  subject.distribution = "alpine";
  subject.release = "3.22";
  subject.architecture = "x86_64";
  subject.epoch = 1714564800; // 2024-05-01T12:00:00Z
  subject.inputs_digest = std::string(64, 'a');
  subject.tool_version = "0.1.0";

  emit::sbom::Component busybox;
  busybox.name = "busybox";
  busybox.version = "1.37.0-r18";
  busybox.architecture = "x86_64";
  busybox.license = "GPL-2.0-only";
  busybox.supplier = "Sören Jensen <soeren@example.org>";
  busybox.origin = "busybox";
  busybox.homepage = "https://busybox.net/";
  busybox.description = "Size optimized toolbox of many common UNIX utilities";
  busybox.download_url = "https://mirror.example/alpine/v3.22/main/x86_64/busybox-1.37.0-r18.apk";
  busybox.sha256 = std::string(64, 'b');
  busybox.checksums["apk-identity"] = "Q1busybox0000000000000000000=";
  busybox.depends_on = {"musl"};

  emit::sbom::Component libstdcxx;
  libstdcxx.name = "libstdc++";
  libstdcxx.version = "14.2.0-r6";
  libstdcxx.architecture = "x86_64";
  libstdcxx.license = "GPL-2.0-or-later AND (LGPL-2.1-or-later WITH GCC-exception-3.1)";
  libstdcxx.supplier = "Ariadne Conill <ariadne@example.org>";
  libstdcxx.origin = "gcc";
  libstdcxx.download_url =
      "https://mirror.example/alpine/v3.22/main/x86_64/libstdc++-14.2.0-r6.apk";
  libstdcxx.sha256 = std::string(64, 'c');
  libstdcxx.depends_on = {"musl", "musl"}; // so:libc.musl… and musl itself: one edge

  emit::sbom::Component musl;
  musl.name = "musl";
  musl.version = "1.2.5-r10";
  musl.architecture = "x86_64";
  musl.license = "MIT BSD"; // older Alpine style: no operator, so no SPDX expression
  musl.origin = "musl";
  musl.description = "the musl c library (libc) implementation";
  musl.download_url = "https://mirror.example/alpine/v3.22/main/x86_64/musl-1.2.5-r10.apk";
  musl.sha256 = std::string(64, 'd');

  // Install order, not name order: the writers sort.
  subject.components = {musl, busybox, libstdcxx};
  return subject;
}

} // namespace compose::testing
