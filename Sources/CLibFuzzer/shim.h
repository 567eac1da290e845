// libFuzzer's driver, for a fuzz target that keeps its own `main` (see Sources/TriageFuzz).
// Defined in the toolchain's libclang_rt.fuzzer, which `-sanitize=fuzzer` links.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
