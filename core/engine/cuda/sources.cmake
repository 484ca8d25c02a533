# Optional CUDA backend (engine/cuda.h, engine/cuda/cuda_engine.cpp): built when
# a CUDA compiler is found, unless -DPRECIS_CUDA=OFF. The kernels (.cu) and the
# host code that drives them (.cpp, plain C++ against the CUDA runtime and
# cuBLAS) form the object library precis_cuda, linked into precis_core by
# core/CMakeLists.txt; without CUDA, stub.cpp answers every entry point with
# "this build has no CUDA backend".
#
# Architectures: PRECIS_CUDA_ARCHITECTURES (CMake's CUDA_ARCHITECTURES syntax),
# by default sm_90 machine code for Hopper plus compute_75 PTX, which the driver
# compiles for any other GPU of compute capability >= 7.5 at first use.
option(PRECIS_CUDA "Build the CUDA backend when a CUDA compiler is found" ON)
set(PRECIS_CUDA_ARCHITECTURES "90-real;75-virtual" CACHE STRING
    "CUDA architectures of the CUDA backend (default: sm_90 code + compute_75 PTX for other GPUs)")

set(PRECIS_HAVE_CUDA OFF)
set(_precis_cuda_reason "disabled with -DPRECIS_CUDA=OFF")
if(PRECIS_CUDA)
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    enable_language(CUDA)
    find_package(CUDAToolkit)
    if(CUDAToolkit_FOUND AND TARGET CUDA::cublas AND TARGET CUDA::cudart_static)
      set(PRECIS_HAVE_CUDA ON)
    else()
      set(_precis_cuda_reason "nvcc found but not the CUDA toolkit's cudart/cuBLAS libraries")
    endif()
  else()
    set(_precis_cuda_reason "no CUDA compiler (nvcc) found")
  endif()
endif()

if(PRECIS_HAVE_CUDA)
  add_library(precis_cuda OBJECT
    engine/cuda/cuda_engine.cpp
    engine/cuda/device.cpp
    engine/cuda/dequant.cu
    engine/cuda/matvec.cu
    engine/cuda/ops.cu
  )
  # The directory's compile options (-Wall …, -mavx2 with PRECIS_ENGINE_AVX2,
  # sanitizers) are host-compiler flags: keep them for the C++ files only and
  # hand the warnings to nvcc's host compiler explicitly.
  get_property(_precis_dir_options TARGET precis_cuda PROPERTY COMPILE_OPTIONS)
  set(_precis_cxx_options)
  foreach(_o IN LISTS _precis_dir_options)
    list(APPEND _precis_cxx_options "$<$<COMPILE_LANGUAGE:CXX>:${_o}>")
  endforeach()
  set_property(TARGET precis_cuda PROPERTY COMPILE_OPTIONS ${_precis_cxx_options})
  target_compile_options(precis_cuda PRIVATE
    $<$<COMPILE_LANGUAGE:CUDA>:-Xcompiler=-Wall,-Wextra,-Wno-unused-parameter -lineinfo>)
  target_include_directories(precis_cuda PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(precis_cuda PRIVATE CUDA::cudart_static CUDA::cublas)
  set_target_properties(precis_cuda PROPERTIES
    CUDA_ARCHITECTURES "${PRECIS_CUDA_ARCHITECTURES}"
    CUDA_STANDARD 17
    CUDA_STANDARD_REQUIRED ON
    POSITION_INDEPENDENT_CODE ON
    AUTOMOC OFF)
  if(CMAKE_CXX_COMPILER_LAUNCHER)
    set_target_properties(precis_cuda PROPERTIES CUDA_COMPILER_LAUNCHER "${CMAKE_CXX_COMPILER_LAUNCHER}")
  endif()
  message(STATUS "Precis: CUDA backend ON (nvcc ${CMAKE_CUDA_COMPILER_VERSION}, architectures ${PRECIS_CUDA_ARCHITECTURES})")
else()
  list(APPEND PRECIS_CORE_SOURCES engine/cuda/stub.cpp)
  message(STATUS "Precis: CUDA backend OFF (${_precis_cuda_reason})")
endif()
