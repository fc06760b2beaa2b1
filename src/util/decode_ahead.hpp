// Packages are decoded (read, decompressed, verified) without the tree, but applied to it in
// plan order. decode_ahead runs `decode` for the next inputs on worker threads, one per core,
// while `apply` takes the results one by one, in input order, on the calling thread: every
// core works, and the result does not depend on which decode finished first.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <vector>

namespace compose {

// decode(const Input&) -> Result runs on other threads; apply(const Input&, Result&&) on this
// one. An exception from either reaches the caller at that input's turn (pending decodes are
// waited for and their results dropped). Workers take inputs in order and run at most
// 4 × workers inputs ahead of the one being applied: a big package (docker.io is a third of
// the bytes of a container host) does not hold up the decoding of the ones after it, while
// the results waiting to be applied stay few.
template <class Input, class Decode, class Apply>
void decode_ahead(const std::vector<Input>& inputs, Decode decode, Apply apply)
{
  using Result = std::invoke_result_t<Decode, const Input&>;
  struct Slot {
    std::optional<Result> result;
    std::exception_ptr error;
    bool ready = false;
  };
  const std::size_t workers = std::max(2u, std::thread::hardware_concurrency());
  const std::size_t window = 4 * workers;
  std::vector<Slot> slots(inputs.size());
  std::mutex mutex;
  std::condition_variable changed;
  std::size_t next = 0;    // the next input a worker takes
  std::size_t applied = 0; // inputs applied so far
  bool stop = false;

  const auto work = [&] {
    for (;;) {
      std::size_t i = 0;
      {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return stop || next >= inputs.size() || next < applied + window; });
        if (stop || next >= inputs.size())
          return;
        i = next++;
      }
      Slot done;
      try {
        done.result.emplace(decode(inputs[i]));
      } catch (...) {
        done.error = std::current_exception();
      }
      done.ready = true;
      {
        std::lock_guard lock(mutex);
        slots[i] = std::move(done);
      }
      changed.notify_all();
    }
  };
  // Stops and joins the workers however this function is left.
  struct Workers {
    std::vector<std::thread> threads;
    std::mutex& mutex;
    std::condition_variable& changed;
    bool& stop;
    ~Workers()
    {
      {
        std::lock_guard lock(mutex);
        stop = true;
      }
      changed.notify_all();
      for (std::thread& thread : threads)
        thread.join();
    }
  } running{{}, mutex, changed, stop};
  for (std::size_t w = 0; w < std::min(workers, inputs.size()); ++w)
    running.threads.emplace_back(work);

  for (std::size_t i = 0; i < inputs.size(); ++i) {
    Slot slot;
    {
      std::unique_lock lock(mutex);
      changed.wait(lock, [&] { return slots[i].ready; });
      slot = std::move(slots[i]);
    }
    if (slot.error)
      std::rethrow_exception(slot.error);
    apply(inputs[i], std::move(*slot.result));
    {
      std::lock_guard lock(mutex);
      ++applied;
    }
    changed.notify_all();
  }
}

} // namespace compose
