# precis-bench-cuda: the CUDA engine's prefill and decode against the GPU's
# read bandwidth. Built in every configuration; without the CUDA backend or a
# device it prints why and exits 0.
add_executable(precis-bench-cuda bench_cuda.cpp)
target_link_libraries(precis-bench-cuda PRIVATE precis_core)
target_compile_options(precis-bench-cuda PRIVATE -O3)
