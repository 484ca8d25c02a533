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

# Block-format kernels (engine/kernels/kernels.h): a portable scalar reference
# plus AVX2 and AVX-512 units compiled for those instruction sets and chosen at
# run time, so the library stays portable x86-64. The kernels promise bit-equal
# results across ISAs, so no unit may contract a*b+c into an FMA.
list(APPEND PRECIS_CORE_SOURCES engine/kernels/kernels.cpp engine/kernels/scalar.cpp)
set_source_files_properties(engine/kernels/scalar.cpp PROPERTIES COMPILE_OPTIONS "-O3;-ffp-contract=off")
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  list(APPEND PRECIS_CORE_SOURCES engine/kernels/avx2.cpp engine/kernels/avx512.cpp)
  set_source_files_properties(engine/kernels/kernels.cpp PROPERTIES COMPILE_DEFINITIONS PRECIS_KERNELS_X86=1)
  set_source_files_properties(engine/kernels/avx2.cpp PROPERTIES
    COMPILE_OPTIONS "-O3;-ffp-contract=off;-mavx2;-mfma;-mf16c")
  set_source_files_properties(engine/kernels/avx512.cpp PROPERTIES
    COMPILE_OPTIONS "-O3;-ffp-contract=off;-mavx2;-mfma;-mf16c;-mavx512f;-mavx512bw;-mavx512vl;-mavx512dq;-mavx512vnni")
endif()

# Optional CUDA backend (engine/cuda/): decides PRECIS_HAVE_CUDA.
include(engine/cuda/sources.cmake)
