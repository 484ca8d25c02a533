list(APPEND PRECIS_CORE_SOURCES formats/tokenizer_json_writer.cpp)
