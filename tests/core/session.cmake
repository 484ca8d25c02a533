# Session store. session_crash_writer is the child process tst_session_crash
# kills with SIGKILL while it writes calibration steps.
precis_add_test(tst_session SOURCES tst_session.cpp LABELS session)
add_executable(session_crash_writer session_crash_writer.cpp)
target_link_libraries(session_crash_writer PRIVATE precis_core)
precis_add_test(tst_session_crash SOURCES tst_session_crash.cpp LABELS session)
add_dependencies(tst_session_crash session_crash_writer)
target_compile_definitions(tst_session_crash PRIVATE PRECIS_SESSION_WRITER="$<TARGET_FILE:session_crash_writer>")
precis_add_test(tst_session_records SOURCES tst_session_records.cpp LABELS session)
# Sessions read back whole and compared: summary, JSON, differences, frontiers from the model and the cache.
precis_add_test(tst_session_summary SOURCES tst_session_summary.cpp LABELS session)
