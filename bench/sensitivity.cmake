add_executable(precis-bench-sensitivity bench_sensitivity.cpp)
target_link_libraries(precis-bench-sensitivity PRIVATE precis_core)
target_compile_options(precis-bench-sensitivity PRIVATE -O3)
target_compile_definitions(precis-bench-sensitivity PRIVATE
  PRECIS_SOURCE_DIR="${CMAKE_SOURCE_DIR}" PRECIS_SHARED_DIR="${PRECIS_SHARED_DIR}")
