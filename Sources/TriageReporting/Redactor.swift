import TriageInput
import TriageUnwrapping

/// Removes secrets from log text before it goes into a report: bearer tokens, JWTs, passwords
/// in URLs, AWS access keys, private key blocks, and the values of `*_KEY=`, `*_TOKEN=`,
/// `*SECRET*=`, `PASSWORD=` assignments (also as JSON members). Each secret becomes
/// `[REDACTED]` (with its kind where it helps: `[REDACTED:jwt]`), so the line still reads.
///
/// Rules run only when the text holds a word their secret needs (`bearer`, `://`, `eyJ`,
/// `AKIA`, `_key`, `password`, `BEGIN` …, in any case): one pass finds every rule's words, so
/// clean text costs one byte scan and no copy.
/// One instance per thread.
/// - Complexity: O(n × rules) per text.
public final class Redactor {
  struct Rule {
    let regex: ICURegex
    /// The rule runs only when one of these words of ``Redactor/gates`` occurs (bit i = word i).
    let gates: UInt64
    /// What replaces the match: the text of group 1 (when present), then this.
    let replacement: String
    let keepsFirstGroup: Bool
  }

  private let rules: [Rule]
  /// Every rule's gate words (lowercase; compared ignoring ASCII case).
  private static let gates = ASCIIWordSet(prototypes.flatMap(\.gates))

  public init() {
    let wide = WideningBuffer()
    var firstGate = 0
    rules = Self.prototypes.map {
      let gates = (firstGate..<(firstGate + $0.gates.count)).reduce(UInt64(0)) { $0 | 1 << $1 }
      firstGate += $0.gates.count
      return Rule(regex: $0.regex.copy(sharing: wide), gates: gates, replacement: $0.replacement, keepsFirstGroup: $0.keepsFirstGroup)
    }
  }

  /// `text` with every secret replaced.
  public func redact(_ text: String) -> String {
    var contiguous = text
    let present = contiguous.withUTF8 { Self.gates.occurring(in: $0) }
    guard present != 0 else { return text }
    var bytes = Array(text.utf8)
    var changed = false
    for rule in rules where rule.gates & present != 0 {
      let before = bytes.count
      let redacted = apply(rule, to: bytes)
      changed = changed || redacted.count != before || redacted != bytes
      bytes = redacted
    }
    return changed ? String(decoding: bytes, as: UTF8.self) : text
  }

  private func apply(_ rule: Rule, to bytes: [UInt8]) -> [UInt8] {
    var output: [UInt8] = []
    var offset = 0
    while offset < bytes.count {
      let found = bytes.withUnsafeBufferPointer { buffer -> (Range<Int>, Range<Int>?)? in
        let rest = UnsafeBufferPointer(rebasing: buffer[offset...])
        return rule.regex.firstMatch(in: rest).map { ($0.range, $0.groups.first ?? nil) }
      }
      guard let (range, group) = found, !range.isEmpty else { break }
      output += bytes[offset..<(offset + range.lowerBound)]
      if rule.keepsFirstGroup, let group { output += bytes[(offset + group.lowerBound)..<(offset + group.upperBound)] }
      output += Array(rule.replacement.utf8)
      offset += range.upperBound
    }
    if offset == 0 { return bytes }
    output += bytes[min(offset, bytes.count)...]
    return output
  }

  /// (pattern, gates, replacement, keeps group `keep`); compiled once per process.
  private static let prototypes: [(regex: ICURegex, gates: [String], replacement: String, keepsFirstGroup: Bool)] = {
    let table: [(String, [String], String, Bool)] = [
      (#"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)"#, ["begin"], "[REDACTED:private-key]", false),
      (#"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}"#, ["eyj"], "[REDACTED:jwt]", false),
      (#"(?i)(?<keep>\bbearer\s+)[A-Za-z0-9._~+/=-]{8,}"#, ["bearer"], "[REDACTED]", true),
      (#"(?i)(?<keep>\b[a-z][a-z0-9+.-]*://[^\s:/@"']+:)[^\s@/"']+(?=@)"#, ["://"], "[REDACTED]", true),
      (#"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"#, ["akia", "asia"], "[REDACTED:aws-key]", false),
      (#"(?i)(?<keep>\b[A-Za-z0-9_.-]*(?:_KEY|_TOKEN|SECRET[A-Za-z0-9_]*|PASSWORD|PASSWD|_PWD)["']?\s*[=:]\s*["']?)[^\s"'&,;}]+"#, ["_key", "_token", "secret", "password", "passwd", "_pwd"], "[REDACTED]", true),
      (#"(?i)(?<keep>"(?:api_?key|token|access_token|refresh_token|secret|password|passwd|authorization)"\s*:\s*")[^"]+"#, ["key\"", "token\"", "secret\"", "password\"", "passwd\"", "authorization\""], "[REDACTED]", true),
    ]
    return table.map { pattern, gates, replacement, keeps in
      // The table is fixed: a pattern ICU rejects is a programming error the tests catch.
      let regex = try! ICURegex(pattern: pattern, ignoresCase: false, multiline: false, groupNames: keeps ? ["keep"] : [])
      return (regex, gates, replacement, keeps)
    }
  }()
}
