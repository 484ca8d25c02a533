precis_add_test(tst_kernels SOURCES tst_kernels.cpp LABELS kernels)
precis_add_test(tst_engine_quant SOURCES tst_engine_quant.cpp LABELS kernels)
# The kernel engine again on the portable scalar and the AVX2 kernels
# (PRECIS_ISA caps the run-time choice; on a CPU without AVX2 both runs use
# the scalar kernels). The kernels are bit-equal across ISAs, so the figures the
# test prints must match the default run's.
foreach(isa scalar avx2)
  add_test(NAME tst_engine_quant_${isa} COMMAND tst_engine_quant)
  set_tests_properties(tst_engine_quant_${isa} PROPERTIES
    ENVIRONMENT "QT_QPA_PLATFORM=offscreen;PRECIS_ISA=${isa}" LABELS kernels TIMEOUT 900)
endforeach()
