list(APPEND PRECIS_CORE_SOURCES formats/hf_writer.cpp)
