import Foundation

/// Groups the same bug across wrappings, restarts, pids, times and services, in the manner of
/// Sentry: exception type + in-app frames (module:function, no line numbers); without frames,
/// the matched message with numbers, hex, UUIDs, IPs, temporary paths and timestamps masked.
enum Fingerprint {
  /// A 16-hex-digit fingerprint for `finding`.
  static func make(for finding: Finding, trace: TracebackReader?) -> String {
    var basis = finding.category.rawValue
    if let trace, let type = trace.exceptionType {
      basis += "|" + type
      let frames = trace.inAppFrames.isEmpty ? trace.frames : trace.inAppFrames
      if frames.isEmpty {
        basis += "|" + normalize(trace.message ?? "")
      } else {
        basis += "|" + frames.prefix(12).joined(separator: ">")
      }
    } else {
      basis += "|" + finding.pattern.id + "|" + normalize(finding.matchedText)
    }
    if let dependency = finding.captures["dependency"] { basis += "|" + dependency }
    return hex(fnv1a(basis))
  }

  /// The message with its variable parts masked (Sentry's `normalize_message_for_grouping`).
  static func normalize(_ message: String) -> String {
    var text = message
    for (regex, placeholder) in masks {
      text = regex.stringByReplacingMatches(in: text, range: NSRange(location: 0, length: (text as NSString).length), withTemplate: placeholder)
    }
    return text
  }

  private static let masks: [(NSRegularExpression, String)] = [
    (#"[\w.+-]+@[\w-]+\.[\w.-]+"#, "<email>"),
    (#"\b(?:wss?|https?|ftp)://[^\s/$.?#][^\s]*"#, "<url>"),
    (#"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"#, "<uuid>"),
    (#"(?:/tmp|/var/tmp|/private/var/folders|/var/folders)/[^\s'":]+"#, "<tmp>"),
    (#"\b\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?"#, "<date>"),
    (#"\b(?:\d{1,3}\.){3}\d{1,3}\b"#, "<ip>"),
    (#"\b0[xX][0-9a-fA-F]+\b"#, "<hex>"),
    (#"\b(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{12,}\b"#, "<hex>"),
    (#"-?\b\d+(?:\.\d+)?\b"#, "<int>"),
  ].map { (try! NSRegularExpression(pattern: $0.0), $0.1) }

  static func fnv1a(_ text: String) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 {
      hash ^= UInt64(byte)
      hash = hash &* 0x0000_0100_0000_01b3
    }
    return hash
  }

  static func hex(_ value: UInt64) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
  }
}
