import Testing
import TriageInput
import TriageTestSupport

/// Collects framed lines as (text bytes, number, cut).
struct LineCollector: LineSink {
  var lines: [([UInt8], Int, Bool)] = []
  mutating func consume(line: UnsafeBufferPointer<UInt8>, number: Int, wasCut: Bool) {
    lines.append((Array(line), number, wasCut))
  }
}

/// The slow, obviously right splitter the framer is compared with.
func referenceLines(_ bytes: [UInt8]) -> [[UInt8]] {
  guard !bytes.isEmpty else { return [] }
  var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map { Array($0) }
  if bytes.last == 0x0A { lines.removeLast() }
  return lines.map { $0.last == 0x0D ? Array($0.dropLast()) : $0 }
}

@Suite struct LineFramerTests {
  static let inputs: [[UInt8]] = [
    Array("one\ntwo\nthree\n".utf8),
    Array("no trailing newline".utf8),
    Array("crlf\r\nline\r\n\r\nlast".utf8),
    Array("\n\n\nblank lines\n\n".utf8),
    Array("nul\u{0}byte\nin\u{0}\u{0}line\n".utf8),
    [0x66, 0xFF, 0xFE, 0x0A, 0xC3, 0x28, 0x0A, 0x80],  // invalid UTF-8
    Array("lone\rcarriage return\n".utf8),
    [],
  ]

  @Test(arguments: [1, 2, 7, 64, 4096, Int.max])
  func linesMatchTheReferenceForEveryChunkSize(chunkSize: Int) throws {
    for input in Self.inputs {
      var sink = LineCollector()
      let counts = try LineFramer().frame(ChunkedByteStream(input, chunkSize: chunkSize), into: &sink)
      let expected = referenceLines(input)
      #expect(sink.lines.map(\.0) == expected, "input \(input) chunk \(chunkSize)")
      #expect(sink.lines.map(\.1) == Array(1...max(expected.count, 1)).prefix(expected.count).map { $0 })
      #expect(counts.lines == expected.count)
      #expect(counts.bytes == input.count)
      #expect(counts.cutLines == 0)
    }
  }

  @Test(arguments: [1, 7, 4096, Int.max])
  func longLinesAreCutKeptAndCounted(chunkSize: Int) throws {
    let long = [UInt8](repeating: UInt8(ascii: "x"), count: 5000)
    let input = Array("before\n".utf8) + long + Array("\nafter\n".utf8) + long  // the last one has no newline
    var sink = LineCollector()
    let framer = LineFramer(maximumLineLength: 1024, chunkSize: 512)
    let counts = try framer.frame(ChunkedByteStream(input, chunkSize: chunkSize), into: &sink)
    #expect(sink.lines.count == 4)
    #expect(sink.lines.map(\.1) == [1, 2, 3, 4])
    #expect(sink.lines[0].0 == Array("before".utf8))
    #expect(sink.lines[1].0 == Array(long.prefix(1024)) && sink.lines[1].2)
    #expect(sink.lines[2].0 == Array("after".utf8) && !sink.lines[2].2)
    #expect(sink.lines[3].0.count == 1024 && sink.lines[3].2)
    #expect(counts.lines == 4)
    #expect(counts.cutLines == 2)
    #expect(counts.cutBytes == 2 * (5000 - 1024))
  }

  @Test func aLineExactlyAtTheCapIsNotCut() throws {
    let line = [UInt8](repeating: UInt8(ascii: "y"), count: 1024)
    var sink = LineCollector()
    let counts = try LineFramer(maximumLineLength: 1024, chunkSize: 100).frame(ChunkedByteStream(line + [0x0A], chunkSize: 33), into: &sink)
    #expect(sink.lines.count == 1 && sink.lines[0].0 == line && !sink.lines[0].2)
    #expect(counts.cutLines == 0)
  }

  /// Classic Mac OS line ends: a source whose first 4 KiB hold CRs and no LF is split at CR, in
  /// any chunking; one CR in an LF source (a progress bar) stays inside its line.
  @Test(arguments: [1, 3, 512, Int.max])
  func aSourceOfLoneCRsIsSplitAtThem(chunkSize: Int) throws {
    var sink = LineCollector()
    let counts = try LineFramer().frame(ChunkedByteStream(Array("first\rsecond\r\rlast".utf8), chunkSize: chunkSize), into: &sink)
    #expect(sink.lines.map { String(decoding: $0.0, as: UTF8.self) } == ["first", "second", "", "last"])
    #expect(counts.lines == 4)
    let long = String(repeating: "progress 10%\r", count: 200) + "done\nnext\n"
    var mixed = LineCollector()
    _ = try LineFramer().frame(ChunkedByteStream(Array(long.utf8), chunkSize: chunkSize), into: &mixed)
    #expect(mixed.lines.count == 2)
    // CR mode chosen by a long progress bar, then CRLF lines: no line starts with the LF.
    let crlfLater = String(repeating: "progress 10%\r", count: 400) + "one\r\ntwo\r\n"
    var later = LineCollector()
    _ = try LineFramer().frame(ChunkedByteStream(Array(crlfLater.utf8), chunkSize: chunkSize), into: &later)
    #expect(later.lines.suffix(2).map { String(decoding: $0.0, as: UTF8.self) } == ["one", "two"])
  }
}
