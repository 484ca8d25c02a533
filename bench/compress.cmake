add_executable(precis-bench-compress bench_compress.cpp)
target_link_libraries(precis-bench-compress PRIVATE precis_core)
target_compile_options(precis-bench-compress PRIVATE -O3)
target_compile_definitions(precis-bench-compress PRIVATE
  PRECIS_SOURCE_DIR="${CMAKE_SOURCE_DIR}" PRECIS_SHARED_DIR="${PRECIS_SHARED_DIR}")
