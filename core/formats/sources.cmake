list(APPEND PRECIS_CORE_SOURCES
  formats/model_loader.cpp
)
# Owners fill in: formats/gguf.cmake (GGUF), formats/hf.cmake (safetensors, HF config, llama2.c),
# formats/tokenizer_json.cmake (tokenizer.json)
include(formats/gguf.cmake OPTIONAL)
include(formats/hf.cmake OPTIONAL)
include(formats/tokenizer_json.cmake OPTIONAL)
include(formats/tokenizer_json_writer.cmake OPTIONAL)
include(formats/hf_writer.cmake OPTIONAL)
