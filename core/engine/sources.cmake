list(APPEND PRECIS_CORE_SOURCES
  engine/engine.cpp
  engine/gpt2_forward.cpp
  engine/llama_forward.cpp
  engine/ops.cpp
)

# Opt-in: compile the core library (and the benchmarks) for AVX2 + FMA. The
# default build runs on any x86-64 (SSE2); the binary built with this option
# needs a Haswell-or-newer CPU. Applies to all of core so that every translation
# unit sees the same Eigen configuration.
option(PRECIS_ENGINE_AVX2 "Build core and benchmarks with -mavx2 -mfma (needs an AVX2 CPU)" OFF)
if(PRECIS_ENGINE_AVX2)
  add_compile_options(-mavx2 -mfma)
endif()
list(APPEND PRECIS_CORE_SOURCES engine/backward.cpp engine/backward_ops.cpp)
