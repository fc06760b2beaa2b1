// decode_ahead: results are applied in input order whatever order the decodes finish in,
// every input is decoded once, and an exception reaches the caller at its input's turn.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

#include "util/decode_ahead.hpp"

TEST_SUITE("util::decode_ahead")
{
  TEST_CASE("input order, each decoded once")
  {
    std::vector<int> inputs;
    for (int i = 0; i < 40; ++i)
      inputs.push_back(i);
    std::atomic<int> decodes{0};
    std::vector<std::string> applied;
    compose::decode_ahead(
        inputs,
        [&decodes](const int& input) {
          ++decodes;
          // Early inputs take longest, so later ones finish first.
          std::this_thread::sleep_for(std::chrono::microseconds((40 - input) * 50));
          return std::to_string(input * input);
        },
        [&applied](const int& input, std::string&& result) {
          applied.push_back(std::to_string(input) + "=" + result);
        });
    REQUIRE(applied.size() == 40);
    CHECK(decodes == 40);
    for (int i = 0; i < 40; ++i)
      CHECK(applied[i] == std::to_string(i) + "=" + std::to_string(i * i));
  }

  TEST_CASE("a failing decode stops the run at its turn")
  {
    const std::vector<int> inputs = {0, 1, 2, 3, 4, 5};
    std::vector<int> applied;
    CHECK_THROWS_WITH_AS(compose::decode_ahead(
                             inputs,
                             [](const int& input) {
                               if (input == 3)
                                 throw std::runtime_error("input 3 is damaged");
                               return input;
                             },
                             [&applied](const int&, int&& result) { applied.push_back(result); }),
                         "input 3 is damaged", std::runtime_error);
    CHECK(applied == std::vector<int>{0, 1, 2});
  }

  TEST_CASE("a slow input does not hold up the decoding of the ones after it")
  {
    std::vector<int> inputs;
    for (int i = 0; i < 10; ++i)
      inputs.push_back(i);
    std::atomic<int> finished{0};
    int finished_while_first_ran = 0;
    std::vector<int> applied;
    compose::decode_ahead(
        inputs,
        [&](const int& input) {
          if (input == 0) {
            // The others are quick: the second worker gets through several meanwhile.
            for (int wait = 0; wait < 200 && finished < 3; ++wait)
              std::this_thread::sleep_for(std::chrono::milliseconds(10));
            finished_while_first_ran = finished;
          }
          ++finished;
          return input;
        },
        [&applied](const int&, int&& result) { applied.push_back(result); });
    CHECK(finished_while_first_ran >= 3);
    CHECK(applied == inputs);
  }

  TEST_CASE("nothing to do")
  {
    int calls = 0;
    compose::decode_ahead(
        std::vector<int>{}, [](const int& input) { return input; },
        [&calls](const int&, int&&) { ++calls; });
    CHECK(calls == 0);
  }
}
