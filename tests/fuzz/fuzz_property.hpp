#pragma once
// What a fuzz target asserts beyond "no crash": a property of the code under
// test that must hold for every input. One that does not hold prints what
// was expected and aborts, which libFuzzer reports as a crash and keeps the
// input of (the replay runner, as a failed test naming the file).

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace mockserve::fuzz {

inline void check_property(bool holds, std::string_view property) {
    if (holds) return;
    std::fprintf(stderr, "fuzz property does not hold: %.*s\n", static_cast<int>(property.size()), property.data());
    std::abort();
}

// Where a target cuts its input into pieces, to check that a parser fed in
// pieces agrees with the same parser fed at once. The lengths come from the
// input's own bytes, so a run is repeatable and the corpus files stay plain
// HTTP text (no control bytes in front of them for the splitter).
class PieceLengths {
public:
    explicit PieceLengths(std::string_view input) {
        state_ = 0x9e3779b97f4a7c15ULL ^ input.size();
        for (const char ch : input) state_ = (state_ ^ static_cast<unsigned char>(ch)) * 0x100000001b3ULL;
    }
    // 1 to `most` bytes; short pieces are likelier, since the edges of lines
    // are where incremental parsers go wrong.
    std::size_t next(std::size_t most) {
        state_ ^= state_ >> 33;
        state_ *= 0xff51afd7ed558ccdULL;
        state_ ^= state_ >> 33;
        const auto draw = static_cast<std::size_t>(state_ % 16);
        const std::size_t length = draw < 12 ? 1 + draw % 3 : 1 + static_cast<std::size_t>((state_ >> 8) % 64);
        return length < most ? length : most;
    }

private:
    std::uint64_t state_;
};

}  // namespace mockserve::fuzz
