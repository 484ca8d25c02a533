list(APPEND PRECIS_CORE_SOURCES
  formats/model_loader.cpp
)
# formats/gguf.cmake (GGUF), formats/hf.cmake (safetensors, HF config, llama2.c),
# formats/tokenizer_json.cmake and tokenizer_json_writer.cmake (tokenizer.json),
# formats/hf_writer.cmake (HF folder export). All required: a missing one is a
# configure error, not a format that silently disappears.
include(formats/gguf.cmake)
include(formats/hf.cmake)
include(formats/tokenizer_json.cmake)
include(formats/tokenizer_json_writer.cmake)
include(formats/hf_writer.cmake)
