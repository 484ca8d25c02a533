list(APPEND PRECIS_CORE_SOURCES
  allocation/allocation_summary.cpp
  allocation/closed_loop.cpp
  allocation/knapsack_dp.cpp
  allocation/option_builder.cpp
  allocation/option_table.cpp
  allocation/reference_solver.cpp
  allocation/solver.cpp
)
