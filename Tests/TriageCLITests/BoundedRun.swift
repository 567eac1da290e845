import Foundation
import TriageTestSupport

/// Runs the built `triage` binary under a wall-clock limit and measures its peak memory.
///
/// `peakKiB` is the child's `VmHWM` (the kernel's high-water mark of its resident set, which
/// only grows), read from /proc every 5 ms while it runs; growth in its last 5 ms can be
/// missed. (`ru_maxrss` cannot serve: a child spawned with vfork inherits the high-water mark
/// of this test process.) A child still running at the deadline is killed and `timedOut` set.
struct BoundedRun {
  var status: Int32
  var timedOut: Bool
  /// Peak resident set of the child, in KiB.
  var peakKiB: Int
  var seconds: Double
  var stdout: Data
  var stderr: String

  var output: String { String(decoding: stdout, as: UTF8.self) }

  /// Whether this build runs under AddressSanitizer or ThreadSanitizer (the test process is
  /// instrumented like the binary it runs).
  static let isSanitized: Bool = dlsym(nil, "__asan_init") != nil || dlsym(nil, "__tsan_init") != nil

  /// The JSON document on standard output.
  func document() throws -> [String: Any] {
    guard let value = try JSONSerialization.jsonObject(with: stdout) as? [String: Any] else {
      throw CocoaError(.propertyListReadCorrupt)
    }
    return value
  }

  /// Runs `triage arguments` (paths absolute: the child keeps this process's directory) with standard input from `stdin` (a path)
  /// or /dev/null. `asUser` runs it as that uid and gid (through `setpriv`) when the tests run
  /// as root, so file permissions apply.
  /// `interruptAfter` sends SIGINT (Ctrl-C) after that many seconds. The child starts with
  /// every signal at its default disposition and none blocked, whatever this runner ignores.
  init(_ arguments: [String], stdin: String = "/dev/null", timeLimit: Double = 60, asUser: UInt32? = nil, interruptAfter: Double? = nil) throws {
    let directory = RepositoryPaths.temporaryDirectory()
    let outPath = directory + "/stdout"
    let errPath = directory + "/stderr"
    var argv = [TriageProcess.executable] + arguments
    if let asUser {
      argv = ["/usr/bin/setpriv", "--reuid=\(asUser)", "--regid=\(asUser)", "--clear-groups"] + argv
    }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var allSignals = sigset_t()
    var noSignals = sigset_t()
    sigfillset(&allSignals)
    sigemptyset(&noSignals)
    posix_spawnattr_setsigdefault(&attributes, &allSignals)
    posix_spawnattr_setsigmask(&attributes, &noSignals)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
    var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
    defer { for pointer in cArguments { free(pointer) } }
    var pid: pid_t = 0
    let started = Date()
    let spawned = posix_spawn(&pid, argv[0], &actions, &attributes, &cArguments, environ)
    guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EINVAL) }
    var waitStatus: Int32 = 0
    var killed = false
    var interrupted = false
    var peak = 0
    while true {
      peak = max(peak, Self.highWaterMarkKiB(of: pid))
      let reaped = waitpid(pid, &waitStatus, WNOHANG)
      if reaped == pid { break }
      if reaped < 0 && errno != EINTR { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .ECHILD) }
      if let interruptAfter, !interrupted, Date().timeIntervalSince(started) > interruptAfter {
        kill(pid, SIGINT)
        interrupted = true
      }
      if !killed && Date().timeIntervalSince(started) > timeLimit {
        kill(pid, SIGKILL)
        killed = true
      }
      usleep(5_000)
    }
    seconds = Date().timeIntervalSince(started)
    timedOut = killed
    peakKiB = peak
    // WIFEXITED / WEXITSTATUS, spelled out (the C macros are not imported).
    status = (waitStatus & 0x7F) == 0 ? (waitStatus >> 8) & 0xFF : 128 + (waitStatus & 0x7F)
    stdout = (try? Data(contentsOf: URL(fileURLWithPath: outPath))) ?? Data()
    stderr = String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: errPath))) ?? Data(), as: UTF8.self)
  }

  /// `VmHWM` of a running process in KiB; 0 once it has exited.
  static func highWaterMarkKiB(of pid: pid_t) -> Int {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
      let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
    else { return 0 }
    return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
  }
}
