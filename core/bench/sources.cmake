list(APPEND PRECIS_CORE_SOURCES
  bench/benchmark.cpp
  bench/machine.cpp
)
