// llama2.c checkpoints (Karpathy's run.c "legacy" format):
//   header: 7 × i32 { dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len }
//   (vocab_size < 0 means the classifier is separate, i.e. not shared)
//   then F32 arrays: token_embedding (V×C), rms_att (L×C), wq (L×C×C), wk (L×KV×C),
//   wv (L×KV×C), wo (L×C×C), rms_ffn (L×C), w1 (L×F×C), w2 (L×C×F), w3 (L×F×C),
//   rms_final (C), freq_cis_real/imag (seq_len×head_dim/2, skipped), [wcls (V×C)].
// tokenizer.bin: i32 max_token_length, then V × { f32 score, i32 len, bytes }.
#pragma once

#include "common/result.h"
#include "model/model.h"
#include "tokenizer/tokenizer_spec.h"

#include <memory>
#include <string>

namespace precis::llama2c {

// tokenizerPath empty: looks for tokenizer.bin beside the model.
Result<std::shared_ptr<Model>> loadModel(const std::string& path, const std::string& tokenizerPath);
Result<TokenizerSpec> loadTokenizer(const std::string& path, int expectedVocab);

} // namespace precis::llama2c
