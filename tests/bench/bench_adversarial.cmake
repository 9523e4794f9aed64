# bench_adversarial: issue 15's adversarial request shapes at the protocol's limits, sent to the
# built host (tests/bench/bench_adversarial.py; its table is in tests/bench/README.md). ctest runs
# it at a twentieth of the size so that it keeps working; run.sh runs it whole.
add_test(NAME bench/adversarial_smoke
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_LIST_DIR}/bench_adversarial.py
                 $<TARGET_FILE:typoguard-host> --scale 0.05)
set_tests_properties(bench/adversarial_smoke PROPERTIES LABELS bench TIMEOUT 300)
