list(APPEND PRECIS_CORE_SOURCES
  eval/generate.cpp
  eval/perplexity.cpp
  eval/selfgen.cpp
)
