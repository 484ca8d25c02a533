precis_add_test(tst_compress SOURCES tst_compress.cpp compress_fixtures.h LABELS eval)
# compareModels: perplexities, their ratio, KL and top-1 against values computed by hand and from token NLLs.
precis_add_test(tst_compare SOURCES tst_compare.cpp compress_fixtures.h LABELS eval)
