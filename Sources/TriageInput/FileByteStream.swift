/// Reads a file descriptor with `read(2)`, retrying on `EINTR`.
public final class FileByteStream: ByteStream {
  private let descriptor: Int32
  private let ownsDescriptor: Bool
  private let name: String

  /// Opens `path` for reading.
  /// - Throws: ``InputError`` when the file cannot be opened.
  public convenience init(path: String) throws(InputError) {
    try self.init(path: Array(path.utf8), displayName: path)
  }

  /// Opens a path given as raw bytes (file names need not be UTF-8); `displayName` is how
  /// messages name it.
  public init(path: [UInt8], displayName: String) throws(InputError) {
    let fd = (path + [0]).withUnsafeBufferPointer { bytes in
      bytes.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_RDONLY | O_CLOEXEC) }
    }
    if fd < 0 { throw InputError.system("open it", source: displayName, errno: errno) }
    self.descriptor = fd
    self.ownsDescriptor = true
    self.name = displayName
  }

  /// Wraps a descriptor that stays open after this stream is gone (standard input).
  public init(borrowing descriptor: Int32, name: String) {
    self.descriptor = descriptor
    self.ownsDescriptor = false
    self.name = name
  }

  deinit {
    if ownsDescriptor { close(descriptor) }
  }

  public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
    guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
    while true {
      let count = Glibc.read(descriptor, base, buffer.count)
      if count >= 0 { return count }
      if errno == EINTR { continue }
      throw InputError.system("read it", source: name, errno: errno)
    }
  }
}
