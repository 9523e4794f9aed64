# bench_coldstart: cold round trip of typoguard-host (start, hello, check of 20 recipients, exit)
# against a trivial C program that drains stdin, as a ratio of medians. Run:
#   build/tests/bench/bench_coldstart --host build/host/src/typoguard-host \
#       --trivial build/tests/bench/bench_coldstart_trivial [--runs N]
add_executable(bench_coldstart ${CMAKE_CURRENT_LIST_DIR}/bench_coldstart.c)
target_link_libraries(bench_coldstart PRIVATE PkgConfig::GLIB)
target_compile_options(bench_coldstart PRIVATE ${TG_WARNINGS})
# The baseline is built like any small C program: no sanitizers or libraries to load.
add_executable(bench_coldstart_trivial ${CMAKE_CURRENT_LIST_DIR}/bench_coldstart_trivial.c)
target_compile_options(bench_coldstart_trivial PRIVATE ${TG_WARNINGS})
# A smoke run in ctest keeps it working (it fails when the host's replies are missing or wrong);
# the measured run is tests/bench/run.sh.
add_test(NAME bench/coldstart_smoke
         COMMAND bench_coldstart --host $<TARGET_FILE:typoguard-host>
                 --trivial $<TARGET_FILE:bench_coldstart_trivial> --runs 30)
set_tests_properties(bench/coldstart_smoke PROPERTIES LABELS bench TIMEOUT 120)
