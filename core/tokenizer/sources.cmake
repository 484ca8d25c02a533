list(APPEND PRECIS_CORE_SOURCES
  tokenizer/bpe_tokenizer.cpp
  tokenizer/pre_tokenizer.cpp
  tokenizer/spm_tokenizer.cpp
  tokenizer/tokenizer.cpp
  tokenizer/unicode.cpp
  tokenizer/unicode_tables.cpp
  tokenizer/vocab.cpp
)
