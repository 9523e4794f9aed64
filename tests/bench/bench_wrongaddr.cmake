# bench_wrongaddr: the cost of the wrong_address check per message (10k address-book contacts,
# 20 recipients). Run: build/tests/bench/bench_wrongaddr (tests/bench/README.md has the numbers).
add_executable(bench_wrongaddr ${CMAKE_CURRENT_LIST_DIR}/bench_wrongaddr.c)
target_link_libraries(bench_wrongaddr PRIVATE typoguard-internal)
target_include_directories(bench_wrongaddr PRIVATE ${PROJECT_SOURCE_DIR}/host/lib ${PROJECT_SOURCE_DIR}/tests/unit)
target_compile_options(bench_wrongaddr PRIVATE ${TG_WARNINGS})
target_compile_definitions(bench_wrongaddr PRIVATE TG_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
# A smoke run in ctest keeps the benchmark building and working.
add_test(NAME bench/wrongaddr_smoke COMMAND bench_wrongaddr --contacts 2000 --messages 200)
set_tests_properties(bench/wrongaddr_smoke PROPERTIES LABELS bench TIMEOUT 120)

# tests/unit/test_wrongaddr.c also proves `typoguard-host --check --known-address` end to end, so
# it needs the built host's path (tests/CMakeLists.txt makes the unit test targets before it
# includes this folder). Kept here because the unit tests' CMake is shared; without this
# definition test_wrongaddr compiles without its CLI test.
if(TARGET test_wrongaddr AND TARGET typoguard-host)
  target_compile_definitions(test_wrongaddr PRIVATE TG_HOST_PATH="$<TARGET_FILE:typoguard-host>")
  add_dependencies(test_wrongaddr typoguard-host)
endif()
