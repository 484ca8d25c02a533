# The CUDA backend against the CPU engine. Built in every configuration (it
# links precis_core only); without the backend or without a GPU its device
# cases skip with the reason, so `ctest -L cuda` is meaningful anywhere.
precis_add_test(tst_engine_cuda SOURCES tst_engine_cuda.cpp LABELS cuda)
