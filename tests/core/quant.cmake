precis_add_test(tst_quant SOURCES tst_quant.cpp LABELS quant)
