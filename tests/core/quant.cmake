precis_add_test(tst_quant SOURCES tst_quant.cpp LABELS quant)
precis_add_test(tst_gptq SOURCES tst_gptq.cpp LABELS quant)
precis_add_test(tst_awq SOURCES tst_awq.cpp LABELS quant)
