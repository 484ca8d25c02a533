precis_add_test(tst_gguf SOURCES tst_gguf.cpp)
precis_add_test(tst_gguf_malformed SOURCES tst_gguf_malformed.cpp LABELS malformed)
