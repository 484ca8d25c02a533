precis_add_test(tst_train SOURCES tst_train.cpp)
precis_add_test(tst_trainer SOURCES tst_trainer.cpp)
