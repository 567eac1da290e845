import TriageInput

/// Buffered output to a file descriptor (standard output or a file from `-o`).
///
/// A reader that goes away (`triage … | head`) ends the program quietly with status 0: there
/// is nobody left to tell. Other write errors end it with status 2 and a message on stderr.
public final class OutputWriter {
  private let descriptor: Int32
  private let ownsDescriptor: Bool
  private var buffer: [UInt8] = []
  private let flushThreshold = 256 * 1024
  /// Whether the output is a terminal (colour and sanitising decisions use it).
  public let isTerminal: Bool

  /// (device, inode) of the output when it is a regular file, so inputs can leave it out.
  public var fileIdentity: (device: UInt64, inode: UInt64)? {
    var info = stat()
    guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
    return (UInt64(info.st_dev), UInt64(info.st_ino))
  }

  /// Writes to standard output.
  public init() {
    descriptor = 1
    ownsDescriptor = false
    isTerminal = isatty(1) == 1
    buffer.reserveCapacity(flushThreshold + 4096)
    signal(SIGPIPE, SIG_IGN)
  }

  /// Writes to a new file at `path` (replacing it).
  /// - Throws: ``InputError`` when the file cannot be created.
  public init(path: String) throws(InputError) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    if fd < 0 {
      let code = errno
      throw InputError(source: path, message: "cannot create the output file: \(String(cString: strerror(code))); check the directory exists and is writable.")
    }
    descriptor = fd
    ownsDescriptor = true
    isTerminal = false
    buffer.reserveCapacity(flushThreshold + 4096)
  }

  deinit {
    flush()
    if ownsDescriptor { close(descriptor) }
  }

  /// Appends bytes; writes them out once enough have gathered.
  @inlinable public func write(_ bytes: UnsafeBufferPointer<UInt8>) {
    appendToBuffer(bytes)
  }

  public func write(_ text: String) {
    buffer.append(contentsOf: text.utf8)
    if buffer.count >= flushThreshold { flush() }
  }

  public func write(_ bytes: [UInt8]) {
    buffer.append(contentsOf: bytes)
    if buffer.count >= flushThreshold { flush() }
  }

  @usableFromInline func appendToBuffer(_ bytes: UnsafeBufferPointer<UInt8>) {
    buffer.append(contentsOf: bytes)
    if buffer.count >= flushThreshold { flush() }
  }

  /// Direct access for encoders that append piecewise.
  public func withBuffer(_ body: (inout [UInt8]) -> Void) {
    body(&buffer)
    if buffer.count >= flushThreshold { flush() }
  }

  /// Writes everything buffered.
  public func flush() {
    var offset = 0
    while offset < buffer.count {
      let written = buffer.withUnsafeBytes { raw in
        Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
      }
      if written < 0 {
        if errno == EINTR { continue }
        if errno == EPIPE { exit(0) }
        let message = "triage: cannot write the output: \(String(cString: strerror(errno)))\n"
        _ = message.withCString { Glibc.write(2, $0, strlen($0)) }
        exit(2)
      }
      offset += written
    }
    buffer.removeAll(keepingCapacity: true)
  }
}
