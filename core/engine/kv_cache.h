// Decoding state of one sequence: the key/value cache of every layer plus the
// scratch buffers a forward step needs, so that decoding token by token does not
// allocate. Created by Engine::newState; used by one thread at a time.
//
// Layout: keys and values of layer l are (capacity, kvDim) row-major, row p
// holding position p (kvDim = n_head_kv · head_dim; for GPT-2 n_embd), stored
// as fp32 or as IEEE fp16 (KvType::F16: half the memory and memory traffic,
// values rounded to nearest-even when written). Positions [0, position()) are
// filled.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace precis {

// Element type of the key/value cache.
enum class KvType { F32, F16 };

class DecodeState {
public:
    // Prefer Engine::newState, which validates the size.
    DecodeState(int nLayer, int capacity, int kvDim, KvType kv = KvType::F32);
    virtual ~DecodeState() = default;

    int position() const { return m_pos; }   // tokens held in the cache
    int capacity() const { return m_capacity; }
    int kvDim() const { return m_kvDim; }
    KvType kvType() const { return m_kv; }
    // Starts a new sequence; keeps the allocation.
    void reset() { m_pos = 0; }
    // Forgets positions >= n (n clamped to [0, position()]), e.g. to re-use a
    // shared prompt prefix.
    void truncate(int n);

    // Engine-internal access: layer l's (capacity, kvDim) rows of kvType()
    // elements (float or uint16_t fp16 bits).
    void* keys(int layer) { return m_k.get() + size_t(layer) * m_capacity * m_kvDim * elementBytes(); }
    void* values(int layer) { return m_v.get() + size_t(layer) * m_capacity * m_kvDim * elementBytes(); }
    size_t elementBytes() const { return m_kv == KvType::F16 ? 2 : 4; }
    void advance(int n) { m_pos += n; }
    // False for a state whose cache lives elsewhere (a CUDA engine's, on the
    // device): keys() and values() must not be used then.
    bool hostCache() const { return m_k != nullptr; }

    // Activation buffers of a step of T tokens, grown on demand and reused.
    struct Workspace {
        std::vector<float> x;      // (T, C)   residual stream
        std::vector<float> xn;     // (T, C)   normalised input of a sub-block
        std::vector<float> q;      // (T, C)   queries (GPT-2: (T, 3C) fused q|k|v)
        std::vector<float> kNew;   // (T, kvDim)
        std::vector<float> vNew;   // (T, kvDim)
        std::vector<float> att;    // (T, C)   attention output before attn_output
        std::vector<float> proj;   // (T, C)   output of attn_output / ffn_down
        std::vector<float> ff1;    // (T, F)   gate (Llama) or up (GPT-2)
        std::vector<float> ff2;    // (T, F)   up (Llama)
        std::vector<std::byte> prepared;  // activations prepared for block-format kernels
    };
    Workspace& workspace() { return m_ws; }

protected:
    // For engines that keep the cache elsewhere: no host buffers.
    struct ExternalCache {};
    DecodeState(ExternalCache, int nLayer, int capacity, int kvDim, KvType kv)
        : m_nLayer(nLayer), m_capacity(capacity), m_kvDim(kvDim), m_kv(kv)
    {
    }

private:
    int m_nLayer = 0, m_capacity = 0, m_kvDim = 0;
    int m_pos = 0;
    KvType m_kv = KvType::F32;
    // Left uninitialised: a row is written before it is read, and untouched
    // capacity then costs no physical memory.
    std::unique_ptr<std::byte[]> m_k;  // (nLayer, capacity, kvDim) of kvType
    std::unique_ptr<std::byte[]> m_v;  // (nLayer, capacity, kvDim) of kvType
    Workspace m_ws;
};

} // namespace precis
