add_executable(precis-cli
  cli/main_cli.cpp
  cli/cli_common.cpp
  cli/cli_session.cpp
  cli/cmd_model.cpp
  cli/cmd_eval.cpp
  cli/cmd_train.cpp
  cli/cmd_analyze.cpp
  cli/cmd_compress.cpp
  cli/cmd_allocate.cpp
  cli/cmd_bench.cpp
  cli/cmd_sessions.cpp
  cli/cmd_sessions_show.cpp
  cli/sessions_output.h
)
target_include_directories(precis-cli PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(precis-cli PRIVATE precis_core Qt6::Core)
target_compile_definitions(precis-cli PRIVATE PRECIS_VERSION="${PROJECT_VERSION}")
set_target_properties(precis-cli PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bin)
install(TARGETS precis-cli RUNTIME DESTINATION bin)
