list(APPEND PRECIS_CORE_SOURCES
  common/mapped_file.cpp
  common/threads.cpp
)
