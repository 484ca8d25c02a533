list(APPEND PRECIS_CORE_SOURCES
  common/mapped_file.cpp
  common/memory.cpp
  common/sha256.cpp
  common/threads.cpp
)
