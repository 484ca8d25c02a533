list(APPEND PRECIS_CORE_SOURCES
  quant/block_formats.cpp
  quant/encode_kquants.cpp
  quant/encode_q32.cpp
  quant/awq.cpp
  quant/gptq.cpp
  quant/ggml_search.cpp
  quant/rtn.cpp
  quant/scheme.cpp
)
# The encoders and decoders reproduce llama.cpp's float arithmetic bit for bit;
# a fused multiply-add (GCC contracts by default in C++ once -mfma is on, e.g.
# with PRECIS_ENGINE_AVX2) would change the last bit of sums and thus codes.
set_source_files_properties(
  quant/block_formats.cpp quant/encode_kquants.cpp quant/encode_q32.cpp quant/ggml_search.cpp quant/rtn.cpp
  PROPERTIES COMPILE_OPTIONS "-ffp-contract=off")
