// Engine-internal: which GGUF tensors a forward pass uses and where each one
// goes, shared by the CPU engine (engine.cpp) and the CUDA engine
// (cuda/cuda_engine.cpp), so both read a model the same way.
#pragma once

#include "model/model.h"

#include <string>

namespace precis::engine {

// Width of a key (or value) row in the KV cache: n_head_kv · head_dim, or n_embd for GPT-2.
inline int kvDimOf(const ModelConfig& c) { return c.arch == Arch::Gpt2 ? c.nEmbd : c.nHeadKv * c.headDim(); }

// Calls add(name, &destination, matrix) for every weight of configuration c,
// in one fixed order. W is a weights struct with the members of
// engine::Weights (tokEmbd, posEmbd, layers[l].q …, outNorm, outNormB,
// output) whose `layers` already has c.nLayer entries; `matrix` is true for
// weights used in products (which may stay in their blocks). A tied output is
// not visited: the caller copies tokEmbd into output.
template <typename W, typename Add>
void forEachWeight(const ModelConfig& c, W& w, Add&& add)
{
    add(std::string("token_embd.weight"), &w.tokEmbd, true);
    if (c.arch == Arch::Gpt2) add(std::string("position_embd.weight"), &w.posEmbd, true);
    for (int l = 0; l < c.nLayer; ++l) {
        const std::string b = "blk." + std::to_string(l) + ".";
        auto& L = w.layers[size_t(l)];
        add(b + "attn_norm.weight", &L.attnNorm, false);
        add(b + "attn_output.weight", &L.o, true);
        add(b + "ffn_norm.weight", &L.ffnNorm, false);
        add(b + "ffn_up.weight", &L.up, true);
        add(b + "ffn_down.weight", &L.down, true);
        if (c.arch == Arch::Llama) {
            add(b + "attn_q.weight", &L.q, true);
            add(b + "attn_k.weight", &L.k, true);
            add(b + "attn_v.weight", &L.v, true);
            if (c.qkvBias) {
                add(b + "attn_q.bias", &L.qB, false);
                add(b + "attn_k.bias", &L.kB, false);
                add(b + "attn_v.bias", &L.vB, false);
            }
            add(b + "ffn_gate.weight", &L.gate, true);
        } else {
            add(b + "attn_norm.bias", &L.attnNormB, false);
            add(b + "attn_qkv.weight", &L.qkv, true);
            add(b + "attn_qkv.bias", &L.qkvB, false);
            add(b + "attn_output.bias", &L.oB, false);
            add(b + "ffn_norm.bias", &L.ffnNormB, false);
            add(b + "ffn_up.bias", &L.upB, false);
            add(b + "ffn_down.bias", &L.downB, false);
        }
    }
    add(std::string("output_norm.weight"), &w.outNorm, false);
    if (c.arch == Arch::Gpt2) add(std::string("output_norm.bias"), &w.outNormB, false);
    if (!c.tiedOutput) add(std::string("output.weight"), &w.output, true);
}

} // namespace precis::engine
