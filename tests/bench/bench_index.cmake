# bench_index: build time, peak memory and near-miss lookup latency of TgIndex at 1k..1M domains
# and on the real .gov registry. Run: build/tests/bench/bench_index [--max N]
add_executable(bench_index ${CMAKE_CURRENT_LIST_DIR}/bench_index.c)
target_link_libraries(bench_index PRIVATE typoguard-internal)
target_compile_options(bench_index PRIVATE ${TG_WARNINGS})
target_compile_definitions(bench_index PRIVATE TG_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
# A smoke run in ctest keeps the benchmark building and working; the measured run is run.sh.
add_test(NAME bench/index_smoke COMMAND bench_index --max 10000 --queries 2000)
set_tests_properties(bench/index_smoke PROPERTIES LABELS bench TIMEOUT 120)
