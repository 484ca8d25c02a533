# The studio. precis_app holds everything but main() so that tests/gui can drive
# MainWindow and StudioDocument directly.
add_library(precis_app STATIC
  allocations_dialog.cpp
  allocations_dialog.h
  benchmark_controller.cpp
  benchmark_controller.h
  budget_binding.cpp
  budget_binding.h
  budget_document.cpp
  budget_document.h
  calibration_dialog.cpp
  calibration_dialog.h
  calibration_job.cpp
  calibration_job.h
  compress_controller.cpp
  compress_controller.h
  core_messages.cpp
  core_messages.h
  export_dialog.cpp
  export_dialog.h
  generation_job.cpp
  generation_job.h
  job_runner.cpp
  job_runner.h
  language.cpp
  language.h
  main_window.cpp
  main_window.h
  session_compare_dialog.cpp
  session_compare_dialog.h
  sessions_dialog.cpp
  sessions_dialog.h
  studio_document.cpp
  studio_document.h
  studio_document_sessions.cpp
  train_dialog.cpp
  train_dialog.h
)
target_include_directories(precis_app PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(precis_app PUBLIC precis_views Qt6::Widgets Qt6::Concurrent)

add_executable(precis
  main_gui.cpp
  ${CMAKE_SOURCE_DIR}/resources/precis.qrc
)
set_target_properties(precis PROPERTIES AUTORCC ON)
target_link_libraries(precis PRIVATE precis_app)
target_compile_definitions(precis PRIVATE PRECIS_VERSION="${PROJECT_VERSION}")

# German and Simplified Chinese. `cmake --build <dir> --target update_translations`
# refreshes the .ts files from these sources; the .qm files are embedded under :/i18n
# in precis_app, so that the studio and the GUI tests (which link precis_app) have them.
qt_add_translations(precis_app
  TS_FILES
    ${CMAKE_SOURCE_DIR}/translations/precis_de.ts
    ${CMAKE_SOURCE_DIR}/translations/precis_zh_CN.ts
  SOURCES
    ${CMAKE_CURRENT_SOURCE_DIR}/main_gui.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/allocations_dialog.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/sessions_dialog.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/session_compare_dialog.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/benchmark_controller.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/budget_binding.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/budget_document.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/calibration_dialog.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/compress_controller.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/core_messages.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/export_dialog.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/job_runner.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/language.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/main_window.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/studio_document.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/studio_document_sessions.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/train_dialog.cpp
    ${CMAKE_SOURCE_DIR}/views/attention_thumbnails.cpp
    ${CMAKE_SOURCE_DIR}/views/attention_view.cpp
    ${CMAKE_SOURCE_DIR}/views/benchmark_view.cpp
    ${CMAKE_SOURCE_DIR}/views/budget_plots.cpp
    ${CMAKE_SOURCE_DIR}/views/budget_unit_model.cpp
    ${CMAKE_SOURCE_DIR}/views/budget_view.cpp
    ${CMAKE_SOURCE_DIR}/views/cell_map_plot.cpp
    ${CMAKE_SOURCE_DIR}/views/compress_plots.cpp
    ${CMAKE_SOURCE_DIR}/views/compress_view.cpp
    ${CMAKE_SOURCE_DIR}/views/generation_compare_view.cpp
    ${CMAKE_SOURCE_DIR}/views/loss_curve_view.cpp
    ${CMAKE_SOURCE_DIR}/views/model_tree_view.cpp
    ${CMAKE_SOURCE_DIR}/views/sensitivity_view.cpp
    ${CMAKE_SOURCE_DIR}/views/session_compare_plot.cpp
  INCLUDE_DIRECTORIES
    ${CMAKE_CURRENT_SOURCE_DIR}
    ${CMAKE_SOURCE_DIR}/views
    ${CMAKE_SOURCE_DIR}/core
  RESOURCE_PREFIX /i18n
  LUPDATE_OPTIONS -no-obsolete -locations none
)

install(TARGETS precis RUNTIME DESTINATION bin)
