import Synchronization

/// Counts the bytes read from files and standard input (before decompression), and shows them
/// on standard error twice a second while a run goes on: bytes read, of how many when the
/// inputs' sizes are known, and the rate. Line-rewriting on a terminal (`\r`), one line per
/// update otherwise.
public final class ProgressMeter: Sendable {
  private let bytes = Atomic<Int>(0)
  private let finished = Atomic<Bool>(false)
  /// The inputs' total size, when known (regular files).
  public let total: Int?
  private let start = ContinuousClock.now

  public init(total: Int?) { self.total = total }

  /// Adds bytes just read.
  public func add(_ count: Int) { bytes.add(count, ordering: .relaxed) }

  public var bytesRead: Int { bytes.load(ordering: .relaxed) }

  /// Starts the thread that writes the updates.
  public func start(terminal: Bool) {
    self.terminal.store(terminal, ordering: .relaxed)
    _ = startThread { [self] in
      while !finished.load(ordering: .acquiring) {
        usleep(500_000)
        if finished.load(ordering: .acquiring) { break }
        write(line(), terminal: terminal)
      }
    }
  }

  /// Stops the updates; on a terminal the progress line is cleared at once, so the report
  /// that follows starts on a clean line.
  public func stop() {
    guard !finished.exchange(true, ordering: .acquiringAndReleasing) else { return }
    if terminal.load(ordering: .relaxed) { write("", terminal: true) }
  }

  private let terminal = Atomic<Bool>(false)

  func line() -> String {
    let read = bytesRead
    let duration = (ContinuousClock.now - start).components
    let elapsed = max(Double(duration.seconds) + Double(duration.attoseconds) / 1e18, 0.001)
    var text = "triage: read \(read / 1_000_000) MB"
    if let total, total > 0 { text += " of \(total / 1_000_000) MB (\(min(100, read * 100 / total))%)" }
    text += ", \(Int(Double(read) / 1e6 / elapsed)) MB/s"
    return text
  }

  private func write(_ text: String, terminal: Bool) {
    let line = terminal ? "\r\u{1B}[K" + text : text + "\n"
    _ = line.withCString { Glibc.write(2, $0, strlen($0)) }
  }
}

/// A stream that tells a ``ProgressMeter`` how many bytes pass.
public final class MeteredByteStream: ByteStream {
  private let upstream: ByteStream
  private let meter: ProgressMeter

  public init(_ upstream: ByteStream, meter: ProgressMeter) {
    self.upstream = upstream
    self.meter = meter
  }

  public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
    let count = try upstream.read(into: buffer)
    meter.add(count)
    return count
  }
}
