precis_add_test(tst_bench SOURCES tst_bench.cpp LABELS bench)
