#pragma once
// PackedRequest: a RecordedRequest as the journal keeps it, in one heap
// block. A RecordedRequest is some twenty strings and vectors (about 700
// bytes before its text, and a dozen allocations); a journal of a million
// of them spent more time moving, freeing and missing the cache on them
// than the server spent answering. Packed, an entry is one block the size
// of its text plus 80 bytes (cut from the EntryArena), written once and
// read only when asked.
//
// Rules:
// - unpack() gives back the request that was packed, field for field,
//   except that a body over `max_body_bytes` keeps only its first bytes
//   (body_truncated set; body_size stays the real size).
// - The block holds the fixed-size fields first, then each string as its
//   32-bit length and its bytes, the body last: dropping the body copies
//   the block's front, it never decodes it.
// - A string longer than 4 GiB cannot be in a request this server read
//   (the limits stop far below); pack() cuts it there rather than wrap.

#include "entry_arena.hpp"

#include <mockserve/scenario/recorded_request.hpp>

#include <cstddef>
#include <cstdint>

namespace mockserve::scenario::detail {

class PackedRequest {
public:
    PackedRequest(const RecordedRequest& request, std::size_t max_body_bytes);

    std::uint64_t sequence() const { return sequence_; }
    // What the entry costs in memory: its block, and this handle.
    std::size_t memory() const;
    // The bytes of the block the body holds (0 once dropped).
    std::size_t body_bytes() const { return body_bytes_; }
    RecordedRequest unpack() const;
    // Frees the body's bytes; the entry then says body_truncated, and its
    // body_size is still the real size.
    void drop_body();

private:
    EntryArena::Block block_;
    std::uint64_t sequence_ = 0;
    std::uint32_t size_ = 0;
    std::uint32_t body_bytes_ = 0;
};

}  // namespace mockserve::scenario::detail
