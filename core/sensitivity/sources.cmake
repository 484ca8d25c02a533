list(APPEND PRECIS_CORE_SOURCES
  sensitivity/calibration.cpp
  sensitivity/calibration_memory.cpp
  sensitivity/calibration_data.cpp
  sensitivity/gram_forms.cpp
  sensitivity/report.cpp
  sensitivity/report_store.cpp
)
