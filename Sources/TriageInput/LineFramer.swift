/// Receives the physical lines of a source, in order.
public protocol LineSink {
  /// One physical line without its terminator (`\n`, `\r\n`, or `\r` in a CR-only source).
  /// - Parameters:
  ///   - line: the bytes; valid only during the call.
  ///   - number: the 1-based physical line number in the source.
  ///   - wasCut: the line was longer than the cap; `line` holds its first `cap` bytes.
  mutating func consume(line: UnsafeBufferPointer<UInt8>, number: Int, wasCut: Bool)
}

/// What framing a source found.
public struct FramingCounts: Sendable, Equatable {
  /// Bytes read (after decompression).
  public var bytes = 0
  /// Physical lines: every line end (`\n`, or `\r` in a CR-only source), plus a last line
  /// without one.
  public var lines = 0
  /// Lines longer than the cap: kept cut at the cap.
  public var cutLines = 0
  /// Bytes dropped from cut lines.
  public var cutBytes = 0

  public init() {}
}

/// Splits a byte stream into lines with `memchr`, through one reused buffer.
///
/// LF and CRLF end a line; a last line without a terminator is still a line. A lone CR ends a
/// line only in a source that uses CR alone (classic Mac OS line ends): one whose first 4 KiB
/// (``styleWindow``, or the cap if smaller) hold a CR and no LF, whatever the reads. Elsewhere a CR (a progress bar redrawing its
/// line) is an ordinary byte, and recognising the style costs nothing per line; NUL bytes and invalid UTF-8 are ordinary bytes. A line longer than
/// `maximumLineLength` is handed over cut to that length (`wasCut`), and the rest of it is
/// counted and dropped, so memory stays bounded whatever the input.
///
/// - Complexity: O(n) in the input; memory is `maximumLineLength + chunkSize` bytes.
public final class LineFramer {
  /// The default cap: 1 MiB.
  public static let defaultMaximumLineLength = 1 << 20

  /// How many leading bytes decide whether a lone CR ends lines.
  public static let styleWindow = 4096

  public let maximumLineLength: Int
  private let chunkSize: Int
  private let buffer: UnsafeMutableRawBufferPointer

  public init(maximumLineLength: Int = LineFramer.defaultMaximumLineLength, chunkSize: Int = 256 * 1024) {
    precondition(maximumLineLength > 0 && chunkSize > 0)
    self.maximumLineLength = maximumLineLength
    self.chunkSize = chunkSize
    self.buffer = .allocate(byteCount: maximumLineLength + chunkSize + 1, alignment: 64)
  }

  deinit { buffer.deallocate() }

  /// Reads `stream` to its end and hands every line to `sink`.
  /// - Returns: the counts for this stream.
  /// - Throws: ``InputError`` when the stream cannot be read; lines before the failure were
  ///   already delivered.
  public func frame<Sink: LineSink>(_ stream: ByteStream, into sink: inout Sink) throws(InputError) -> FramingCounts {
    var counts = FramingCounts()
    try frame(stream, into: &sink, counts: &counts)
    return counts
  }

  /// Like ``frame(_:into:)``, but the counts stay valid when reading fails half-way: they
  /// describe exactly the lines delivered before the error.
  public func frame<Sink: LineSink>(_ stream: ByteStream, into sink: inout Sink, counts: inout FramingCounts) throws(InputError) {
    let base = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
    var start = 0  // first byte of the current line
    var end = 0  // end of valid data
    var scan = 0  // where the search for the next newline resumes
    var discarding = false  // inside the dropped tail of a cut line
    var lineNumber = 0
    var terminator: Int32 = 0x0A
    var styleKnown = false  // whether the line-end style was chosen
    let styleWindowBytes = min(Self.styleWindow, maximumLineLength)  // the buffer always holds it

    @inline(__always) func deliver(_ from: Int, _ to: Int, cut: Bool) {
      var stop = to
      var from = from
      if !cut && stop > from && base[stop - 1] == 0x0D && terminator == 0x0A { stop -= 1 }
      // CR mode in a source that turns to CRLF later (a long progress bar, then logs).
      if terminator == 0x0D && from < stop && base[from] == 0x0A { from += 1 }
      lineNumber += 1
      sink.consume(line: UnsafeBufferPointer(start: base + from, count: stop - from), number: lineNumber, wasCut: cut)
    }

    /// Chooses the line end from the first `styleWindow` bytes (or the whole stream, if
    /// shorter): LF if they hold one, else CR if they hold one, else LF.
    func chooseLineEnd() {
      let window = min(end, styleWindowBytes)
      if memchr(base, 0x0A, window) == nil && memchr(base, 0x0D, window) != nil { terminator = 0x0D }
      styleKnown = true
    }

    /// Delivers the complete lines in `scan..<end`, and cuts a pending line past the cap.
    func deliverLines() {
      while scan < end {
        guard let hit = memchr(base + scan, terminator, end - scan) else {
          scan = end
          break
        }
        let newline = UnsafeRawPointer(hit).assumingMemoryBound(to: UInt8.self) - UnsafePointer(base)
        if discarding {
          counts.cutBytes += newline - start
          discarding = false
        } else if newline - start > maximumLineLength {
          // The whole line arrived in one read but is over the cap: cut it all the same.
          deliver(start, start + maximumLineLength, cut: true)
          counts.cutLines += 1
          counts.cutBytes += newline - start - maximumLineLength
        } else {
          deliver(start, newline, cut: false)
        }
        start = newline + 1
        scan = start
      }
      // A line without its end yet: cut it once it passes the cap.
      if !discarding && end - start > maximumLineLength {
        deliver(start, start + maximumLineLength, cut: true)
        counts.cutLines += 1
        counts.cutBytes += end - start - maximumLineLength
        discarding = true
        start = end
        scan = end
      } else if discarding {
        counts.cutBytes += end - start
        start = end
        scan = end
      }
    }

    /// At the end of the stream (or a failed read): the lines left, and a last line without
    /// its line end (not the lone LF of a CR-mode source's final CRLF).
    func finishStream() {
      if !styleKnown { chooseLineEnd() }
      deliverLines()
      if start < end && !discarding && !(terminator == 0x0D && end - start == 1 && base[start] == 0x0A) { deliver(start, end, cut: false) }
      counts.lines = lineNumber
    }

    while true {
      // Make room: move the partial line to the front when the free space is short.
      if buffer.count - end < chunkSize {
        if start > 0 {
          let pending = end - start
          if pending > 0 { memmove(base, base + start, pending) }
          scan -= start
          end = pending
          start = 0
        }
      }
      let count: Int
      do {
        count = try stream.read(into: UnsafeMutableRawBufferPointer(start: base + end, count: min(chunkSize, buffer.count - end)))
      } catch {
        // Keep what was read: the partial last line is delivered, the counts are exact.
        finishStream()
        throw error
      }
      if count == 0 { break }
      counts.bytes += count
      end += count
      // Nothing is split until the line-end style is known (nothing moved: start is 0).
      if !styleKnown {
        if end < styleWindowBytes { continue }
        chooseLineEnd()
      }
      deliverLines()
    }
    finishStream()
  }
}
