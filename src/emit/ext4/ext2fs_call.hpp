// Owners for libext2fs handles and the one way its error codes become compose::Error.
#pragma once

#include <ext2fs/ext2_fs.h>
#include <ext2fs/ext2fs.h>

#include <memory>
#include <string>
#include <type_traits>

#include "util/handles.hpp"

namespace compose::emit::ext4 {

// ext2fs_free() releases the handle without writing metadata: an abandoned image stays
// unfinished, and its temporary file is removed by its owner.
using Ext2Fs = std::unique_ptr<std::remove_pointer_t<ext2_filsys>, FreeWith<ext2fs_free>>;

// Throws Error("<what>: <com_err message>", where) when `code` is not 0.
void check(errcode_t code, const std::string& what, const std::string& where = {});

} // namespace compose::emit::ext4
