# packaging/strip.cmake — a CPack pre-build script: strips the programs in the staging folder the
# way Debian's dh_strip does (debug symbols and the .comment/.note sections out), so that
# lintian's binary-has-unneeded-section stays quiet. CPACK_STRIP_FILES would strip only the
# symbols. Runs once per generator, on that generator's staging folder (for the split .deb, one
# subfolder per component: Unspecified/, milter/).
if(NOT CPACK_TG_STRIP)
  message(FATAL_ERROR "strip.cmake: no strip program (CMAKE_STRIP was empty at configure time)")
endif()
file(GLOB_RECURSE _tg_programs LIST_DIRECTORIES false
     "${CPACK_TEMPORARY_DIRECTORY}/usr/lib/typoguard/*"
     "${CPACK_TEMPORARY_DIRECTORY}/usr/sbin/typoguard-*"
     "${CPACK_TEMPORARY_DIRECTORY}/usr/bin/typoguard-sendmail"
     "${CPACK_TEMPORARY_DIRECTORY}/*/usr/lib/typoguard/*"
     "${CPACK_TEMPORARY_DIRECTORY}/*/usr/sbin/typoguard-*"
     "${CPACK_TEMPORARY_DIRECTORY}/*/usr/bin/typoguard-sendmail")
foreach(p ${_tg_programs})
  if(IS_SYMLINK "${p}")
    continue()
  endif()
  execute_process(COMMAND "${CPACK_TG_STRIP}" --remove-section=.comment --remove-section=.note
                          "${p}"
                  RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "strip.cmake: ${CPACK_TG_STRIP} ${p} failed: ${err}")
  endif()
endforeach()
