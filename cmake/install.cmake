# `cmake --install`: the library, its public header, the CLI, a CMake
# package (find_package(smatrix2d) -> smatrix2d::smatrix2d) and a
# pkg-config file (smatrix2d.pc; static builds link with --static).
include(CMakePackageConfigHelpers)
set(SMX_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/smatrix2d)

install(TARGETS smatrix2d EXPORT smatrix2dTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS smatrix2d_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/smatrix2d
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT smatrix2dTargets NAMESPACE smatrix2d:: DESTINATION ${SMX_CMAKE_DIR})

# What a static library's users must link too, for both package files.
set(SMX_WITH_OPENCL 0)
if(SMX_OPENCL AND OpenCL_FOUND)
  set(SMX_WITH_OPENCL 1)
endif()
set(SMX_WITH_VULKAN 0)
if(SMX_VULKAN AND Vulkan_FOUND AND SMX_GLSLANG)
  set(SMX_WITH_VULKAN 1)
endif()
set(SMX_WITH_CUDA 0)
if(SMX_CUDA AND CMAKE_CUDA_COMPILER)
  set(SMX_WITH_CUDA 1)
endif()
set(SMX_PC_REQUIRES_PRIVATE "yaml-0.1")
set(SMX_PC_LIBS_PRIVATE "${OpenMP_C_FLAGS} -lm")
if(SMX_WITH_OPENCL)
  set(SMX_PC_LIBS_PRIVATE "-lOpenCL ${SMX_PC_LIBS_PRIVATE}")
  if(CLBLAST_INCLUDE_DIR AND CLBLAST_LIBRARY)
    set(SMX_PC_LIBS_PRIVATE "${CLBLAST_LIBRARY} ${SMX_PC_LIBS_PRIVATE}")
  endif()
endif()

if(SMX_WITH_VULKAN)
  set(SMX_PC_LIBS_PRIVATE "-lvulkan ${SMX_PC_LIBS_PRIVATE}")
endif()

# the CUDA runtime, linked statically (with what it needs: dl, rt, pthread)
if(SMX_WITH_CUDA)
  set(SMX_PC_LIBS_PRIVATE "-L${CUDAToolkit_LIBRARY_DIR} -lcudart_static -ldl -lrt -lpthread ${SMX_PC_LIBS_PRIVATE}")
endif()

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/smatrix2dConfig.cmake.in
  ${PROJECT_BINARY_DIR}/smatrix2dConfig.cmake INSTALL_DESTINATION ${SMX_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/smatrix2dConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/smatrix2dConfig.cmake
        ${PROJECT_BINARY_DIR}/smatrix2dConfigVersion.cmake DESTINATION ${SMX_CMAKE_DIR})

# The .pc file finds its prefix from where it lies, so --prefix at install
# time works.
file(RELATIVE_PATH SMX_PC_UP /x/${CMAKE_INSTALL_LIBDIR}/pkgconfig /x)
configure_file(${PROJECT_SOURCE_DIR}/cmake/smatrix2d.pc.in ${PROJECT_BINARY_DIR}/smatrix2d.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/smatrix2d.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
