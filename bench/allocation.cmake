add_executable(precis-bench-allocation bench_allocation.cpp)
target_link_libraries(precis-bench-allocation PRIVATE precis_core)
target_compile_options(precis-bench-allocation PRIVATE -O3)
