# libprecis_views: widgets that render core data types and emit user intent.
# They never compute (no engine, no analysis): app/ runs jobs and hands results in.
add_library(precis_views STATIC
  attention_thumbnails.cpp
  attention_thumbnails.h
  attention_view.cpp
  attention_view.h
  budget_plots.cpp
  budget_plots.h
  budget_scale.cpp
  budget_scale.h
  budget_unit_model.cpp
  budget_unit_model.h
  budget_view.cpp
  budget_view.h
  benchmark_view.cpp
  benchmark_view.h
  cell_map_plot.cpp
  cell_map_plot.h
  colour_maps.cpp
  colour_maps.h
  compress_plots.cpp
  compress_plots.h
  compress_view.cpp
  compress_view.h
  generation_compare_view.cpp
  generation_compare_view.h
  loss_curve_view.cpp
  loss_curve_view.h
  model_tree_view.cpp
  model_tree_view.h
  sensitivity_grids.cpp
  sensitivity_grids.h
  sensitivity_view.cpp
  sensitivity_view.h
  session_compare_plot.cpp
  session_compare_plot.h
)
target_include_directories(precis_views PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(precis_views PUBLIC
  precis_core Qt6::Widgets Qt6::Concurrent Qt6::PrintSupport QCustomPlotQt6::QCustomPlotQt6)
