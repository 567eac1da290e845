import Foundation
import Testing
import TriageFuzzTargets
import TriageTestSupport

/// Replays, through every fuzz target, the inputs a fuzzer once crashed on (saved under
/// Tests/Fixtures/fuzz/<target>/ by whoever fixed them) and a few edge inputs, so the targets
/// themselves stay runnable and a fixed crash stays fixed. A crash here aborts the test run.
@Suite struct FuzzRegressionTests {
  static let edgeInputs: [[UInt8]] = [
    [], [0x1F], [0x1F, 0x8B], Array("{".utf8), Array("[".utf8), Array(#"{"traceId":"zz"}"#.utf8),
    Array(String(repeating: "[", count: 5_000).utf8), (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) },
  ]

  @Test(arguments: FuzzTarget.allCases)
  func savedCrashesAndEdgeInputsRunCleanly(target: FuzzTarget) {
    let directory = RepositoryPaths.root + "/Tests/Fixtures/fuzz/" + target.rawValue
    let saved = RepositoryPaths.list(directory).map { RepositoryPaths.read(directory + "/" + $0) }
    for input in saved + Self.edgeInputs {
      input.withUnsafeBytes { target.run($0) }
    }
  }

  /// Each sample file, as the assembly target reads it (sniffing, gzip, tar, span dumps).
  @Test func everySampleFileRunsThroughTheAssemblyTarget() {
    var count = 0
    func visit(_ directory: String) {
      for name in RepositoryPaths.list(directory) {
        let path = directory + "/" + name
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
        if isDirectory.boolValue { visit(path); continue }
        let bytes = RepositoryPaths.read(path)
        bytes.withUnsafeBytes { FuzzTarget.assembly.run($0) }
        count += 1
      }
    }
    visit(RepositoryPaths.root + "/Samples")
    #expect(count >= 20)
  }
}
