// The TSC frequency a TCG guest on microvm is told. Under TCG the guest's TSC is the host's
// (QEMU answers rdtsc with the host's counter), but microvm has no HPET and no ACPI PM timer
// to measure it against, only the PIT, whose calibration fails when the host is busy: the
// kernel then finds no clock and the boot stalls. tsc_early_khz= skips that calibration.
#pragma once

#include <optional>
#include <string>

namespace compose::boot {

// The host's TSC rate in kHz from /proc/cpuinfo text: "cpu MHz" of the first CPU, trusted
// only with the constant_tsc flag (else it is the current clock, not the TSC's).
std::optional<unsigned> tsc_khz_from_cpuinfo(const std::string& cpuinfo);

} // namespace compose::boot
