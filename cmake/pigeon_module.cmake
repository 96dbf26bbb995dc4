# pigeon_add_module(NAME [DEPS module...] [LIBS target...])
#   Builds src/NAME/*.cpp into the OBJECT library pigeon_NAME, with public
#   headers in src/NAME/include/pigeon/NAME/. DEPS are other pigeon modules
#   (only the edges DESIGN.md allows), LIBS external targets.
set(PIGEON_MODULES "" CACHE INTERNAL "")

function(pigeon_add_module name)
  cmake_parse_arguments(M "" "" "DEPS;LIBS" ${ARGN})
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  if(NOT srcs)
    # A module whose sources are still to come: an empty unit keeps the
    # target (and the dependency edges) in place.
    set(empty ${CMAKE_CURRENT_BINARY_DIR}/pigeon_${name}_empty.cpp)
    file(WRITE ${empty} "// module ${name}: no sources yet\n")
    set(srcs ${empty})
  endif()
  add_library(pigeon_${name} OBJECT ${srcs})
  target_include_directories(pigeon_${name} PUBLIC
    $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  foreach(dep IN LISTS M_DEPS)
    target_link_libraries(pigeon_${name} PUBLIC pigeon_${dep})
  endforeach()
  if(M_LIBS)
    target_link_libraries(pigeon_${name} PUBLIC ${M_LIBS})
    set_property(GLOBAL APPEND PROPERTY PIGEON_MODULE_LIBS ${M_LIBS})
  endif()
  set(PIGEON_MODULES ${PIGEON_MODULES} ${name} CACHE INTERNAL "")
  install(DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endfunction()

# libpigeon: every module's objects in one static and one shared library.
function(pigeon_combine_library)
  set(objs "")
  set(incs "")
  foreach(m IN LISTS PIGEON_MODULES)
    list(APPEND objs $<TARGET_OBJECTS:pigeon_${m}>)
    list(APPEND incs ${PROJECT_SOURCE_DIR}/src/${m}/include)
  endforeach()
  foreach(kind static shared)
    if(kind STREQUAL "static")
      add_library(pigeon_static STATIC ${objs})
      set(t pigeon_static)
    else()
      add_library(pigeon_shared SHARED ${objs})
      set(t pigeon_shared)
      set_target_properties(${t} PROPERTIES VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR})
    endif()
    set_target_properties(${t} PROPERTIES OUTPUT_NAME pigeon EXPORT_NAME ${kind})
    foreach(i IN LISTS incs)
      target_include_directories(${t} PUBLIC $<BUILD_INTERFACE:${i}>)
    endforeach()
    target_include_directories(${t} PUBLIC $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
    get_property(mod_libs GLOBAL PROPERTY PIGEON_MODULE_LIBS)
    list(REMOVE_DUPLICATES mod_libs)
    if(kind STREQUAL "static")
      target_link_libraries(${t} PUBLIC OpenSSL::SSL OpenSSL::Crypto ZLIB::ZLIB Threads::Threads ${mod_libs})
    else()
      target_link_libraries(${t} PUBLIC OpenSSL::SSL OpenSSL::Crypto ZLIB::ZLIB Threads::Threads)
      target_link_libraries(${t} PRIVATE ${mod_libs})
    endif()
  endforeach()
  add_library(pigeon::static ALIAS pigeon_static)
  add_library(pigeon::shared ALIAS pigeon_shared)
endfunction()

function(pigeon_install_package)
  include(CMakePackageConfigHelpers)
  install(TARGETS pigeon_static pigeon_shared EXPORT pigeonTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
    RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  install(EXPORT pigeonTargets NAMESPACE pigeon:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/pigeon)
  configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/pigeon-config.cmake.in
    ${PROJECT_BINARY_DIR}/pigeon-config.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/pigeon)
  write_basic_package_version_file(${PROJECT_BINARY_DIR}/pigeon-config-version.cmake
    COMPATIBILITY SameMinorVersion)
  install(FILES ${PROJECT_BINARY_DIR}/pigeon-config.cmake ${PROJECT_BINARY_DIR}/pigeon-config-version.cmake
    DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/pigeon)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/pigeon.pc.in ${PROJECT_BINARY_DIR}/pigeon.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/pigeon.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endfunction()
