import TriageInput

/// Finds the trace id a log line states in its text: W3C `traceparent`, OTel `trace_id=`,
/// JSON keys, B3, `uber-trace-id`, X-Ray, Datadog, Spring, Sleuth, GCP, Sentry and Serilog
/// (the regex table of shared/reference/trace-formats.md §5.2), normalised per §5.3.
///
/// Structured fields are read by the unwrapper already; this is for ids inside text. Every
/// form carries a run of at least 16 hex digits (Datadog's decimal ids are 16 or more digits
/// for all but 1 in 2,000 random ids), so a line without one is rejected by a strided scan
/// that looks at one byte in 16. Only lines that pass run the regexes, each behind a literal
/// its form needs, most specific first.
///
/// One instance keeps match state; make one per thread.
/// - Complexity: O(n / 16) for a line without a long hex run; O(n × rules) otherwise.
public final class TraceIDExtractor {
  /// How a rule's captures become a trace id.
  enum Decoding {
    /// Hex (1…32 digits) in the first group.
    case hex
    /// Decimal (Datadog's 64-bit ids) or 32 hex digits in the first group.
    case decimalOrHex
    /// X-Ray: the 8 epoch digits and the 24 random digits, concatenated.
    case xray
  }

  struct Rule {
    let name: String
    let regex: ICURegex
    /// Bytes that must occur (ASCII case-insensitive; given in lowercase) for the rule to run.
    let gate: [UInt8]
    let decoding: Decoding
  }

  /// A trace id found in text, with the rule that found it.
  public struct Match: Equatable, Sendable {
    public let rule: String
    public let traceID: TraceID
  }

  private let rules: [Rule]

  public init() {
    let wide = WideningBuffer()
    rules = Self.prototypes.map {
      Rule(name: $0.name, regex: $0.regex.copy(sharing: wide), gate: $0.gate, decoding: $0.decoding)
    }
  }

  /// The trace id `text` states, if any (the first rule in order that finds a valid one).
  public func traceID(in text: UnsafeBufferPointer<UInt8>) -> TraceID? {
    guard Self.containsLongHexRun(text) else { return nil }
    for rule in rules {
      if let id = match(rule, in: text) { return id }
    }
    return nil
  }

  /// Every rule's finding in `text` (tests and diagnostics).
  public func allMatches(in text: UnsafeBufferPointer<UInt8>) -> [Match] {
    guard Self.containsLongHexRun(text) else { return [] }
    return rules.compactMap { rule in match(rule, in: text).map { Match(rule: rule.name, traceID: $0) } }
  }

  private func match(_ rule: Rule, in text: UnsafeBufferPointer<UInt8>) -> TraceID? {
    if !rule.gate.isEmpty && !text.containsASCIICaseInsensitive(rule.gate) { return nil }
    guard let found = rule.regex.firstMatch(in: text) else { return nil }
    switch rule.decoding {
    case .hex:
      guard let group = found.groups[0] else { return nil }
      return TraceID(hex: text.slice(group.lowerBound, group.upperBound))
    case .decimalOrHex:
      guard let group = found.groups[0] else { return nil }
      let digits = text.slice(group.lowerBound, group.upperBound)
      if digits.count <= 20, digits.allSatisfy({ $0 &- 0x30 < 10 }) { return TraceID(decimal: digits) }
      return TraceID(hex: digits)
    case .xray:
      guard let epoch = found.groups[0], let random = found.groups[1],
        let high = TraceID(hex: text.slice(epoch.lowerBound, epoch.upperBound)),
        let low = TraceID(hex: text.slice(random.lowerBound, random.upperBound))
      else { return nil }
      // 8 + 24 hex digits: the epoch is the top 32 bits.
      return TraceID(upperHalf: high.lowerHalf << 32 | low.upperHalf, lowerHalf: low.lowerHalf)
    }
  }

  /// Whether `bytes` holds a run of at least 16 hex digits.
  ///
  /// Any such run covers one offset `i` ≡ 15 (mod 16), and with it either `i-8`, `i-4` or `i+4`,
  /// `i+8` (it starts at or before `i-8`, or ends at or after `i+8`). So one test of five
  /// table lookups, without branches, looks at 16 bytes; it passes on about 1 offset in 20 of
  /// ordinary text, and only then is the run measured.
  /// - Complexity: O(n / 16) plus the runs it measures.
  public static func containsLongHexRun(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    let count = bytes.count
    guard count >= 16 else { return false }
    return HexDigits.values.withUnsafeBufferPointer { table in
      @inline(__always) func flag(_ offset: Int) -> UInt8 { table[Int(bytes[offset])] }
      @inline(__always) func flagOrNot(_ offset: Int) -> UInt8 { offset < count ? flag(offset) : 0x80 }
      var index = 15
      while index < count {
        // 0x80 marks "not hex": the test passes when its bit is clear.
        let left = flag(index - 8) | flag(index - 4)
        let right = index + 8 < count ? flag(index + 4) | flag(index + 8) : flagOrNot(index + 4) | flagOrNot(index + 8)
        if (flag(index) | (left & right)) & 0x80 == 0 && runThrough(index, in: bytes, table: table) { return true }
        index += 16
      }
      return false
    }
  }

  /// Whether the hex run through `index` is at least 16 long.
  @inline(__always)
  static func runThrough(_ index: Int, in bytes: UnsafeBufferPointer<UInt8>, table: UnsafeBufferPointer<UInt8>) -> Bool {
    var end = index + 1
    while end < bytes.count && end - index < 16 && table[Int(bytes[end])] & 0x80 == 0 { end += 1 }
    var start = index
    while start > end - 16 && table[Int(bytes[start - 1])] & 0x80 == 0 { start -= 1 }
    return end - start >= 16
  }

  /// The rules, compiled once per process; instances copy them.
  private static let prototypes: [Rule] = {
    // (name, pattern, gate, decoding, capture names in order). The patterns are §5.2's, with
    // the trace id's group named `id` (X-Ray: `epoch`, `random`).
    let table: [(String, String, String, Decoding, [String])] = [
      ("w3c-traceparent", #"(?i)\b(?<version>[0-9a-e][0-9a-f]|f[0-9a-e])-(?<id>[0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}(?![0-9a-f-])"#, "-", .hex, ["id"]),
      ("b3-single", #"(?i)\bb3["']?\s*[:=]\s*["']?(?<id>[0-9a-f]{32}|[0-9a-f]{16})-[0-9a-f]{16}(?:-[01d])?(?:-[0-9a-f]{16})?(?![0-9a-f])"#, "b3", .hex, ["id"]),
      ("b3-multi", #"(?i)\bx-b3-traceid["']?\s*[:=]\s*["']?(?<id>[0-9a-f]{32}|[0-9a-f]{16})(?![0-9a-f])"#, "x-b3-traceid", .hex, ["id"]),
      ("uber-trace-id", #"(?i)\buber-trace-id["']?\s*[:=]\s*["']?(?<id>[0-9a-f]{1,32})(?::|%3A)[0-9a-f]{1,16}(?::|%3A)[0-9a-f]{1,16}(?::|%3A)[0-9a-f]{1,2}(?![0-9a-f])"#, "uber-trace-id", .hex, ["id"]),
      ("xray", #"(?i)\b(?:Root=)?1-(?<epoch>[0-9a-f]{8})-(?<random>[0-9a-f]{24})(?![0-9a-f])"#, "1-", .xray, ["epoch", "random"]),
      ("sentry-trace", #"(?i)\bsentry-trace["']?\s*[:=]\s*["']?(?<id>[0-9a-f]{32})-[0-9a-f]{16}(?:-[01])?"#, "sentry-trace", .hex, ["id"]),
      ("gcp-x-cloud-trace-context", #"(?i)\bx-cloud-trace-context["']?\s*[:=]\s*["']?(?<id>[0-9a-f]{32})/[0-9]{1,20}(?:;o=[01])?"#, "x-cloud-trace-context", .hex, ["id"]),
      ("gcp-trace", #"projects/[^/"\s]+/traces/(?<id>[0-9a-f]{32})"#, "/traces/", .hex, ["id"]),
      ("serilog-clef", #""@tr"\s*:\s*"(?<id>[0-9a-f]{32})""#, "\"@tr\"", .hex, ["id"]),
      ("ecs-nested", #""trace"\s*:\s*\{\s*"id"\s*:\s*"(?<id>[0-9a-f]{32})""#, "\"trace\"", .hex, ["id"]),
      ("datadog-nested", #""dd"\s*:\s*\{[^{}]*?"trace_id"\s*:\s*"?(?<id>[0-9]{1,20}|[0-9a-f]{32})"#, "\"dd\"", .decimalOrHex, ["id"]),
      ("datadog", #"(?i)\bdd\.trace_id["']?\s*[:=]\s*["']?(?<id>[0-9]{1,20}|[0-9a-f]{32})(?![0-9a-f])"#, "dd.trace_id", .decimalOrHex, ["id"]),
      ("spring-boot", #"\[(?<id>[0-9a-f]{32})-[0-9a-f]{16}\] "#, "[", .hex, ["id"]),
      ("sleuth", #"\[[^,\[\]\s]*,(?<id>[0-9a-f]{32}|[0-9a-f]{16}),[0-9a-f]{16}(?:,(?:true|false))?\]"#, "[", .hex, ["id"]),
      ("trace-id-field", #"(?i)(?<![\w.\-])(?:otel)?trace[_.\-]?id["']?\s*[:=]\s*["']?(?<id>[0-9a-f]{32}|[0-9a-f]{16})(?![0-9a-f])"#, "trace", .hex, ["id"]),
    ]
    return table.map { name, pattern, gate, decoding, groups in
      // The table is fixed: a pattern ICU rejects is a programming error caught by the tests.
      let regex = try! ICURegex(pattern: pattern, ignoresCase: false, multiline: false, groupNames: groups)
      return Rule(name: name, regex: regex, gate: Array(gate.utf8), decoding: decoding)
    }
  }()
}

extension UnsafeBufferPointer where Element == UInt8 {
  /// Whether `literal` (lowercase ASCII) occurs in the bytes, ignoring ASCII case.
  /// - Complexity: O(n × m) worst case; O(n) for literals whose first byte is rare.
  public func containsASCIICaseInsensitive(_ literal: [UInt8]) -> Bool {
    guard let first = literal.first, literal.count <= count else { return literal.isEmpty }
    let last = count - literal.count
    var index = 0
    while index <= last {
      let byte = self[index]
      if (byte &- 0x41 < 26 ? byte | 0x20 : byte) == first {
        var offset = 1
        while offset < literal.count {
          let byte = self[index + offset]
          let folded = byte &- 0x41 < 26 ? byte | 0x20 : byte
          if folded != literal[offset] { break }
          offset += 1
        }
        if offset == literal.count { return true }
      }
      index += 1
    }
    return false
  }
}
