// Debian machine-readable copyright files (DEP-5, copyright-format 1.0), read for the one
// fact the Packages index lacks: the license a package declares for itself.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace compose::repo::deb {

// The license synopsis (first line of the License field) of the header paragraph, else of
// the paragraph whose Files covers "*", as Debian writes it: "GPL-2+", "Expat",
// "LGPL-2.1+ or GPL-3". nullopt when the text is not machine-readable (its first paragraph
// has no Format naming copyright-format 1.0), does not parse as deb822, or declares no
// license for the package as a whole. Never throws.
std::optional<std::string> declared_license(std::string_view copyright, const std::string& where);

} // namespace compose::repo::deb
