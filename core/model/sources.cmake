list(APPEND PRECIS_CORE_SOURCES
  model/dtype.cpp
  model/model.cpp
  model/segmented.cpp
  model/random_model.cpp
)
