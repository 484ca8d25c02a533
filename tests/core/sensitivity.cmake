precis_add_test(tst_sensitivity SOURCES tst_sensitivity.cpp LABELS sensitivity)
# ow_err and fisher of a calibration run against their formulas (sensitivity/report.h),
# recomputed from the test's own forward/backward passes.
precis_add_test(tst_calibration SOURCES tst_calibration.cpp LABELS sensitivity)
