list(APPEND PRECIS_CORE_SOURCES
  train/parameters.cpp
)
