// Default sanitizer options of every program in a COLLECTONCE_SANITIZE or COLLECTONCE_FUZZ
// build (linked into each one by CMakeLists.txt). ASAN_OPTIONS, UBSAN_OPTIONS and
// LSAN_OPTIONS in the environment still override them for a single run.
//
// Suppressions: gRPC, protobuf, RocksDB and OpenSSL come from Debian without
// instrumentation; ASan still sees their heap through its malloc. Any suppression needed for
// them is listed in __lsan_default_suppressions with the reason; none for our own code.

extern "C" {

const char* __asan_default_options() {
  return "halt_on_error=1:abort_on_error=1:detect_leaks=1:strict_string_checks=1:"
         "check_initialization_order=1:detect_stack_use_after_return=0";
}

const char* __ubsan_default_options() { return "halt_on_error=1:print_stacktrace=1"; }

const char* __lsan_default_suppressions() { return ""; }

}  // extern "C"
