list(APPEND PRECIS_CORE_SOURCES
  formats/safetensors.cpp
  formats/safetensors_writer.cpp
  formats/hf_model.cpp
  formats/llama2c.cpp
)
