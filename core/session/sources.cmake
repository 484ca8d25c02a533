list(APPEND PRECIS_CORE_SOURCES
  session/sqlite_db.cpp
  session/session_schema.cpp
  session/session_store.cpp
  session/session_runs.cpp
  session/session_results.cpp
  session/session_transfer.cpp
  session/record_json.cpp
  session/session_allocations.cpp
  session/session_benchmarks.cpp
  session/session_calibration.cpp
  session/session_compressions.cpp
  session/session_summary.cpp
  session/session_compare.cpp
)
