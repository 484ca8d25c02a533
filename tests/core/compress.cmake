precis_add_test(tst_compress SOURCES tst_compress.cpp LABELS eval)
