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

  func found(_ prefilter: LiteralPrefilter, _ text: [UInt8]) -> [LiteralHit] {
    var hits: [LiteralHit] = []
    text.withUnsafeBufferPointer { prefilter.scan($0, into: &hits) }
    return hits
  }

  /// Every occurrence of every literal, ignoring ASCII case, by start then literal index.
  func naive(_ literals: [String], _ text: [UInt8]) -> [LiteralHit] {
    let fold = { (byte: UInt8) in byte &- 0x41 < 26 ? byte | 0x20 : byte }
    let folded = text.map(fold)
    let foldedLiterals = literals.map { $0.utf8.map(fold) }
    var hits: [LiteralHit] = []
    for start in folded.indices {
      for (index, literal) in foldedLiterals.enumerated()
      where start + literal.count <= folded.count && folded[start..<start + literal.count].elementsEqual(literal) {
        hits.append(LiteralHit(start: start, literal: index))
      }
    }
    return hits
  }

  /// The scan's hits in the same order as ``naive(_:_:)`` (hits at one start may come in
  /// bucket order).
  func sorted(_ hits: [LiteralHit]) -> [LiteralHit] {
    hits.sorted { ($0.start, $0.literal) < ($1.start, $1.literal) }
  }

  @Test func findsExactlyWhatANaiveSearchFinds() {
    // With literals that start with digits (user codes such as `E0042 ledger`), indexed by a
    // later window: their hits still come in order of their start.
    let literals = ["Killed process", "OOMKilled", "connection refused", "Traceback (most", "exit status ", "[signal ",
      "MemoryError", "xitCode\"", "abcabcab", "aaaaaaaa", "E0042 ledger lease", "0013 ab", "E0042 Killed"]
    let prefilter = LiteralPrefilter(literals: literals)
    let alphabet = Array("abcdeKOMilrs ()[]\"\n0123E".utf8)
    var random = Random(state: 42)
    for round in 0..<3000 {
      var text = (0..<random.next(round % 10 == 0 ? 3000 : 120)).map { _ in alphabet[random.next(alphabet.count)] }
      // Plant literals, in random case, anywhere (including across lane boundaries): long
      // texts (a batch of events) are scanned in four lanes, short ones in one.
      for _ in 0..<random.next(round % 10 == 0 ? 60 : 3) {
        let literal = Array(literals[random.next(literals.count)].utf8).map { random.next(2) == 0 ? $0 : ($0 &- 0x61 < 26 ? $0 - 32 : $0) }
        let position = random.next(text.count + 1)
        text.insert(contentsOf: literal, at: position)
      }
      let hits = found(prefilter, text)
      #expect(hits.map(\.start) == hits.map(\.start).sorted(), "round \(round): hits out of order")
      #expect(sorted(hits) == naive(literals, text), "round \(round): \(String(decoding: text, as: UTF8.self))")
    }
  }

  @Test func aLiteralAcrossALaneBoundaryIsFound() {
    let prefilter = LiteralPrefilter(literals: ["connection refused"])
    // Texts long enough for four lanes, with the literal moved across the first boundary.
    for padding in 0..<40 {
      let before = 2000 / 4 + padding - 30
      let text = Array((String(repeating: "x", count: before) + "connection refused" + String(repeating: "y", count: 2000 - before)).utf8)
      #expect(found(prefilter, text) == [LiteralHit(start: before, literal: 0)], "padding \(padding)")
    }
  }
}
