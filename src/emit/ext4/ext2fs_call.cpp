// libext2fs error codes as compose::Error, with com_err's text; see ext2fs_call.hpp.
#include "emit/ext4/ext2fs_call.hpp"

#include <et/com_err.h>

#include "util/error.hpp"

namespace compose::emit::ext4 {

void check(errcode_t code, const std::string& what, const std::string& where)
{
  if (code == 0)
    return;
  throw Error(what + ": " + error_message(code), where);
}

} // namespace compose::emit::ext4
