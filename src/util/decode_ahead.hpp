// Packages are decoded (read, decompressed, verified) without the tree, but applied to it in
// plan order. decode_ahead runs `decode` for the next few inputs on other threads while
// `apply` takes the results one by one, in input order, on the calling thread: both cores
// work, and the result does not depend on which decode finished first.
#pragma once

#include <algorithm>
#include <deque>
#include <functional>
#include <future>
#include <thread>
#include <type_traits>
#include <vector>

namespace compose {

// decode(const Input&) -> Result runs on other threads; apply(const Input&, Result&&) on this
// one. An exception from either reaches the caller at that input's turn (pending decodes are
// waited for and their results dropped). At most max(2, cores) results are held at a time.
template <class Input, class Decode, class Apply>
void decode_ahead(const std::vector<Input>& inputs, Decode decode, Apply apply)
{
  using Result = std::invoke_result_t<Decode, const Input&>;
  const std::size_t lookahead = std::max(2u, std::thread::hardware_concurrency());
  std::deque<std::future<Result>> decoded;
  std::size_t next = 0;
  for (const Input& input : inputs) {
    while (next < inputs.size() && decoded.size() < lookahead)
      decoded.push_back(std::async(std::launch::async, decode, std::cref(inputs[next++])));
    Result result = decoded.front().get();
    decoded.pop_front();
    apply(input, std::move(result));
  }
}

} // namespace compose
