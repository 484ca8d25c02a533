list(APPEND PRECIS_CORE_SOURCES
  common/mapped_file.cpp
  common/memory.cpp
  common/scratch_array.cpp
  common/sha256.cpp
  common/threads.cpp
)
