precis_add_test(tst_tokenizer SOURCES tst_tokenizer.cpp)
precis_add_test(tst_tokenizer_json_malformed SOURCES ../formats/tst_tokenizer_json_malformed.cpp LABELS malformed)
