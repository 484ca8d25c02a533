precis_add_test(tst_compress SOURCES tst_compress.cpp compress_fixtures.h LABELS eval)
# compareModels: perplexities, their ratio, KL and top-1 against values computed by hand and from token NLLs.
precis_add_test(tst_compare SOURCES tst_compare.cpp compress_fixtures.h LABELS eval)
# Segmented tensors (head-unit compressions) and the plans that make them.
precis_add_test(tst_segmented SOURCES tst_segmented.cpp engine_reference.h LABELS eval)
precis_add_test(tst_head_plan SOURCES tst_head_plan.cpp LABELS eval)
# Again on the portable scalar kernels: with EngineOptions::dequantize = false
# the Q8_0 matrices beside the segmented ones run on them.
add_test(NAME tst_segmented_scalar COMMAND tst_segmented)
set_tests_properties(tst_segmented_scalar PROPERTIES
  ENVIRONMENT "QT_QPA_PLATFORM=offscreen;PRECIS_ISA=scalar" LABELS eval TIMEOUT 900)
