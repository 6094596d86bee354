# CUDA (cmake/cuda.cmake): the physics suite through the CUDA kernels, the
# quick crosscheck in the other modes (fast accumulation with NaN-poisoned
# state buffers; Kahan float accumulators), all skipped without a device
# (tools/gpu_check.sh requires one; a required cuda without one fails
# crosscheck_quick), and the device listing, which must name cuda with its
# devices or with zero and a one-line reason (no driver, no GPU) and exit
# cleanly. Included by tests/CMakeLists.txt.
if(SMX_CUDA AND CMAKE_CUDA_COMPILER)
  add_test(NAME validate_quick_cuda COMMAND smatrix2d_cli validate --quick --backend cuda
           --out ${PROJECT_BINARY_DIR}/validate_quick_cuda)
  set_tests_properties(validate_quick_cuda PROPERTIES TIMEOUT 900
    SKIP_REGULAR_EXPRESSION "cuda has no device|cuda has 0 device")
  add_test(NAME crosscheck_cuda_fast_poison COMMAND smatrix2d_cli crosscheck --quick --backend cuda
           --accumulation fast --scatter auto)
  add_test(NAME crosscheck_cuda_no_fp64 COMMAND smatrix2d_cli crosscheck --quick --backend cuda)
  add_test(NAME crosscheck_full_cuda COMMAND smatrix2d_cli crosscheck --backend cuda)
  # A_theta through cuBLAS (cases with several media run the stencil)
  add_test(NAME crosscheck_cuda_gemm COMMAND smatrix2d_cli crosscheck --quick --backend cuda --scatter gemm)
  set_tests_properties(crosscheck_cuda_fast_poison crosscheck_cuda_gemm PROPERTIES ENVIRONMENT "SMX_CUDA_POISON=1")
  set_tests_properties(crosscheck_cuda_no_fp64 PROPERTIES ENVIRONMENT "SMX_CUDA_NO_FP64=1")
  set_tests_properties(crosscheck_cuda_fast_poison crosscheck_cuda_no_fp64 crosscheck_full_cuda
                       crosscheck_cuda_gemm PROPERTIES
    SKIP_REGULAR_EXPRESSION "cuda +FAIL, required: cudaGetDeviceCount failed")
  add_test(NAME cuda_no_device_listing COMMAND sh -c
           "\"$1\" devices > \"$2\" && grep -E \"^cuda +([1-9][0-9]* devices?|0 devices [(].+[)])$\" \"$2\""
           sh $<TARGET_FILE:smatrix2d_cli> ${CMAKE_CURRENT_BINARY_DIR}/cuda_devices.txt)
endif()
