# bench_detect: tg_check per address with 1k..1M trusted domains, and the corpus comparison.
# Run everything with tests/bench/run.sh BUILD_DIR.
add_executable(bench_detect ${CMAKE_CURRENT_LIST_DIR}/bench_detect.c)
target_link_libraries(bench_detect PRIVATE typoguard-internal)
target_include_directories(bench_detect PRIVATE ${PROJECT_SOURCE_DIR}/tests/unit)
target_compile_options(bench_detect PRIVATE ${TG_WARNINGS})
# A smoke run in ctest keeps the benchmark building and working; the real run is run.sh.
add_test(NAME bench/detect_smoke COMMAND bench_detect --trusted 1000 --queries 2000)
set_tests_properties(bench/detect_smoke PROPERTIES LABELS bench TIMEOUT 120)
