precis_add_test(tst_kernels SOURCES tst_kernels.cpp LABELS kernels)
precis_add_test(tst_engine_quant SOURCES tst_engine_quant.cpp LABELS kernels)
# The kernel engine again on the portable scalar and the AVX2 kernels
# (PRECIS_ISA caps the run-time choice; on a CPU without AVX2 both runs use
# the scalar kernels). The kernels are bit-equal across ISAs, so the figures
# each run writes to $PRECIS_TEST_FIGURES (logit hashes, greedy paths, the
# numbers it prints) must equal the default run's byte for byte:
# tst_engine_quant_isa_figures compares them (compare_figures.cmake) after the
# three runs, which CTest schedules first as the setup of its fixture.
set(_precis_figures "${CMAKE_BINARY_DIR}/test-scratch/tst_engine_quant-figures")
set_property(TEST tst_engine_quant APPEND PROPERTY ENVIRONMENT "PRECIS_TEST_FIGURES=${_precis_figures}-default.txt")
set_tests_properties(tst_engine_quant PROPERTIES FIXTURES_SETUP engine_quant_figures)
foreach(isa scalar avx2)
  add_test(NAME tst_engine_quant_${isa} COMMAND tst_engine_quant)
  set_tests_properties(tst_engine_quant_${isa} PROPERTIES
    ENVIRONMENT "QT_QPA_PLATFORM=offscreen;PRECIS_ISA=${isa};PRECIS_TEST_FIGURES=${_precis_figures}-${isa}.txt"
    FIXTURES_SETUP engine_quant_figures LABELS kernels TIMEOUT 900)
endforeach()
add_test(NAME tst_engine_quant_isa_figures
         COMMAND ${CMAKE_COMMAND} "-DREFERENCE=${_precis_figures}-default.txt"
                 "-DFILES=${_precis_figures}-scalar.txt;${_precis_figures}-avx2.txt"
                 -P ${CMAKE_CURRENT_SOURCE_DIR}/compare_figures.cmake)
set_tests_properties(tst_engine_quant_isa_figures PROPERTIES FIXTURES_REQUIRED engine_quant_figures LABELS kernels)
