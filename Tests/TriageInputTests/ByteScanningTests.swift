import Testing
import TriageInput

/// The byte helpers the per-event sinks use instead of building strings.
@Suite struct ByteScanningTests {
  private func withBytes<Result>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
    Array(text.utf8).withUnsafeBufferPointer(body)
  }

  @Test func firstLineStopsAtTheNewlineOrTheLimit() {
    #expect(withBytes("worker ready\nsecond line") { String(decoding: $0.firstLine(atMost: 200), as: UTF8.self) } == "worker ready")
    #expect(withBytes("worker ready\nsecond line") { String(decoding: $0.firstLine(atMost: 6), as: UTF8.self) } == "worker")
    #expect(withBytes("no newline at all") { String(decoding: $0.firstLine(atMost: 200), as: UTF8.self) } == "no newline at all")
    #expect(withBytes("\nstarts with one") { $0.firstLine(atMost: 200).count } == 0)
    #expect(withBytes("") { $0.firstLine(atMost: 200).count } == 0)
  }

  @Test func wordSetFindsWordsInAnyCaseInOnePass() {
    let words = ASCIIWordSet(["succeeded", "completed", " done", "://", "key\""])
    #expect(withBytes("Task tasks.render[42] SUCCEEDED in 0.12s") { words.occurring(in: $0) } == 0b00001)
    #expect(withBytes("request Completed; all Done") { words.occurring(in: $0) } == 0b00110)
    #expect(withBytes("postgres://app@db {\"api_key\":\"x\"}") { words.occurring(in: $0) } == 0b11000)
    // A word at the very end, and one cut off by the end.
    #expect(withBytes("job done") { words.anyOccurs(in: $0) })
    #expect(!withBytes("job don") { words.anyOccurs(in: $0) })
    // Only ASCII letters fold: NUL is not a space, `{` is not `[`, and `succeed` is not `succeeded`.
    #expect(!withBytes("job\u{0}done") { words.anyOccurs(in: $0) })
    #expect(!withBytes("succeed, complete, undone") { words.anyOccurs(in: $0) })
    // Overlapping starts: the first candidate failing does not hide a match one byte later.
    #expect(withBytes("ssucceeded") { words.occurring(in: $0) } == 0b00001)
    #expect(withBytes("") { words.occurring(in: $0) } == 0)
  }
}
