list(APPEND PRECIS_CORE_SOURCES
  bench/bench_store.cpp
  bench/benchmark.cpp
  bench/machine.cpp
)
