# null_milter: a milter that judges nothing, the protocol's own cost beside typoguard-milter in
# milter_bench.py. Built with the milter (it needs libmilter); not installed.
if(TYPOGUARD_MILTER)
  add_executable(null_milter ${CMAKE_CURRENT_LIST_DIR}/null_milter.c)
  target_include_directories(null_milter PRIVATE ${TG_MILTER_INCLUDE_DIR})
  target_link_libraries(null_milter PRIVATE ${TG_MILTER_LIBRARY} Threads::Threads)
  target_compile_options(null_milter PRIVATE ${TG_WARNINGS})
endif()
