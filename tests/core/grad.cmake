precis_add_test(tst_backward SOURCES tst_backward.cpp backward_reference.h)
