list(APPEND PRECIS_CORE_SOURCES
  eval/compare.cpp
  eval/compress.cpp
  eval/compress_job.cpp
  eval/compress_methods.cpp
  eval/compression_plan.cpp
  eval/generate.cpp
  eval/gguf_conversion.cpp
  eval/perplexity.cpp
  eval/selfgen.cpp
  eval/unit_damage.cpp
)
