list(APPEND PRECIS_CORE_SOURCES
  quant/block_formats.cpp
)
