precis_add_test(tst_engine SOURCES tst_engine.cpp engine_reference.h)
precis_add_test(tst_eval SOURCES tst_eval.cpp)
