list(APPEND PRECIS_CORE_SOURCES formats/gguf.cpp formats/gguf_model.cpp formats/gguf_writer.cpp)
