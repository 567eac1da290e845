import Testing
import TriageClassification

@Suite struct LiteralPrefilterTests {
  /// Deterministic pseudo-random numbers (SplitMix64).
  struct Random {
    var state: UInt64
    mutating func next(_ bound: Int) -> Int {
      state &+= 0x9E37_79B9_7F4A_7C15
      var value = state
      value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
      value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
      return Int((value ^ (value >> 31)) % UInt64(bound))
    }
  }

  func found(_ prefilter: LiteralPrefilter, _ text: [UInt8]) -> Set<Int> {
    let stamps = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: prefilter.count)
    stamps.initialize(repeating: 0)
    defer { stamps.deallocate() }
    var hits: [Int] = []
    text.withUnsafeBufferPointer { _ = prefilter.scan($0, found: stamps, stamp: 1, hits: &hits) }
    return Set(hits)
  }

  func naive(_ literals: [String], _ text: [UInt8]) -> Set<Int> {
    let lower = String(decoding: text, as: UTF8.self).lowercased()
    return Set(literals.indices.filter { lower.contains(literals[$0].lowercased()) })
  }

  @Test func findsExactlyWhatANaiveSearchFinds() {
    let literals = ["Killed process", "OOMKilled", "connection refused", "Traceback (most", "exit status ", "[signal ",
      "MemoryError", "xitCode\"", "abcabcab", "aaaaaaaa"]
    let prefilter = LiteralPrefilter(literals: literals)
    let alphabet = Array("abcdeKOMilrs ()[]\"\n".utf8)
    var random = Random(state: 42)
    for round in 0..<3000 {
      var text = (0..<random.next(120)).map { _ in alphabet[random.next(alphabet.count)] }
      // Plant literals, in random case, anywhere (including across the scan's middle split).
      for _ in 0..<random.next(3) {
        let literal = Array(literals[random.next(literals.count)].utf8).map { random.next(2) == 0 ? $0 : ($0 &- 0x61 < 26 ? $0 - 32 : $0) }
        let position = random.next(text.count + 1)
        text.insert(contentsOf: literal, at: position)
      }
      #expect(found(prefilter, text) == naive(literals, text), "round \(round): \(String(decoding: text, as: UTF8.self))")
    }
  }

  @Test func aLiteralAcrossTheMiddleIsFound() {
    let prefilter = LiteralPrefilter(literals: ["connection refused"])
    for padding in 0..<40 {
      let text = Array((String(repeating: "x", count: padding) + "connection refused" + String(repeating: "y", count: padding)).utf8)
      #expect(found(prefilter, text) == [0], "padding \(padding)")
    }
  }
}
