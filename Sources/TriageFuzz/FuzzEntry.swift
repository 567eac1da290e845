import CLibFuzzer
import Glibc
import TriageFuzzTargets

/// `triage-fuzz`: libFuzzer's driver around one ``FuzzTarget``.
///
/// `Fuzz/run.sh` builds it with `TRIAGE_FUZZING=1` (every module instrumented with
/// `-sanitize=fuzzer,address`) and names the target in the TRIAGE_FUZZ_TARGET environment
/// variable; the arguments are libFuzzer's. An ordinary build only says how to fuzz.
@main enum FuzzEntry {
  static func main() {
    #if TRIAGE_FUZZING
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    _ = selectedTarget
    exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in
      FuzzEntry.selectedTarget.run(UnsafeRawBufferPointer(start: data, count: size))
      return 0
    })
    #else
    print("triage-fuzz is built for libFuzzer by Fuzz/run.sh; targets: \(names)")
    #endif
  }

  static let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")

  /// The target TRIAGE_FUZZ_TARGET names; exits with a usage message when it names none.
  static let selectedTarget: FuzzTarget = {
    let name = getenv("TRIAGE_FUZZ_TARGET").map { String(cString: $0) } ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
      let message = "triage-fuzz: set TRIAGE_FUZZ_TARGET to one of: \(names)\n"
      _ = write(2, message, message.utf8.count)
      exit(64)
    }
    return target
  }()
}

#if TRIAGE_FUZZING
/// libFuzzer's own `main` (which the toolchain's archive may bring in place of ours) calls this.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  FuzzEntry.selectedTarget.run(UnsafeRawBufferPointer(start: data, count: size))
  return 0
}
#endif
