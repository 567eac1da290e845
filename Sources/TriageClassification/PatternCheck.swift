import TriageUnwrapping

/// Runs every pattern's own samples, as `triage signatures check` and the test suite do.
///
/// For each pattern: at least one positive and one negative sample; every literal occurs in
/// every positive sample (the prefilter's promise); every positive sample matches with the
/// captures it declares; no negative sample matches. A failing positive sample says which
/// other pattern matched it, if any, and how far the regex got (lnav's "matched up to here").
public enum PatternCheck {
  /// One broken promise of a pattern file.
  public struct Failure: Sendable, CustomStringConvertible {
    public let location: Pattern.SourceLocation
    public let patternID: String
    public let message: String
    public var description: String { "\(location): \(patternID): \(message)" }
  }

  /// What a check run found.
  public struct Report: Sendable {
    public var patterns = 0
    public var samples = 0
    public var failures: [Failure] = []
    public var passed: Bool { failures.isEmpty }
  }

  /// Checks `patterns` (compiled in `catalog`); other catalog patterns are used to say what
  /// matched a failing sample instead.
  public static func run(_ patterns: [PatternCatalog.Compiled], in catalog: PatternCatalog) -> Report {
    var report = Report()
    for compiled in patterns {
      let pattern = compiled.pattern
      report.patterns += 1
      func fail(_ location: Pattern.SourceLocation, _ message: String) {
        report.failures.append(Failure(location: location, patternID: pattern.id, message: message))
      }
      if pattern.samples.isEmpty { fail(pattern.location, "has no positive sample; add one under `samples:` (a real text it must match).") }
      if pattern.negatives.isEmpty { fail(pattern.location, "has no negative sample; add one under `negative:` (a look-alike it must not match).") }
      for sample in pattern.samples {
        report.samples += 1
        for literal in pattern.literals where !contains(sample.text, literal, ignoringCase: pattern.ignoresCase) {
          fail(sample.location, "literal \"\(literal)\" does not occur in the sample \(quote(sample.text)); the prefilter would skip it. Use a literal that every match contains.")
        }
        if pattern.scope == .line && sample.text.contains("\n") {
          fail(sample.location, "a line-scope sample must be one line; use `scope: event` for multi-line matches.")
          continue
        }
        guard let match = Self.match(compiled, sample.text) else {
          let instead = catalog.patterns.first { $0 !== compiled && Self.match($0, sample.text) != nil }
          var message = "the sample \(quote(sample.text)) does not match."
          if let instead { message += " It matches \(instead.pattern.id) instead." }
          message += " " + progress(of: compiled, on: sample.text)
          fail(sample.location, message)
          continue
        }
        for (name, expected) in sample.captures.sorted(by: { $0.key < $1.key }) where match.captures[name] != expected {
          let got = match.captures[name].map { "\"\($0)\"" } ?? "nothing"
          let known = compiled.captureNames.contains(name) ? "" : " (the regex has no group named \(name))"
          fail(sample.location, "capture \(name) is \(got), the sample expects \"\(expected)\"\(known).")
        }
      }
      for negative in pattern.negatives {
        report.samples += 1
        if let match = Self.match(compiled, negative.text) {
          fail(negative.location, "the negative sample \(quote(negative.text)) matches (\(quote(match.text))); tighten the regex.")
        }
      }
    }
    return report
  }

  /// Runs a pattern on a sample exactly as the classifier runs it on an event.
  static func match(_ compiled: PatternCatalog.Compiled, _ text: String) -> Classifier.Match? {
    var bytes = Array(text.utf8)
    return bytes.withUnsafeMutableBufferPointer {
      let text = UnsafeBufferPointer($0)
      var anchorStarts: [Int] = []
      Classifier.appendAnchorStarts(compiled.anchor, in: text, to: &anchorStarts)
      return Classifier.firstMatch(compiled, regex: compiled.regex, in: text, anchorStarts: anchorStarts)
    }
  }

  static func contains(_ text: String, _ literal: String, ignoringCase: Bool) -> Bool {
    ignoringCase ? PatternCatalog.asciiLowercased(text).contains(PatternCatalog.asciiLowercased(literal)) : text.contains(literal)
  }

  static func quote(_ text: String) -> String {
    let flat = text.replacingOccurrences(of: "\n", with: "⏎")
    return "\"" + (flat.count > 100 ? String(flat.prefix(100)) + "…" : flat) + "\""
  }

  /// How far the regex gets: the longest prefix of it that still finds a match in the sample.
  static func progress(of compiled: PatternCatalog.Compiled, on sample: String) -> String {
    let regex = compiled.pattern.regex
    var bytes = Array(sample.utf8)
    var end = regex.endIndex
    while end > regex.startIndex {
      end = regex.index(before: end)
      let prefix = String(regex[..<end])
      let renamed = PatternCatalog.renamingGroups(in: prefix).0
      guard !prefix.isEmpty,
        let partial = try? ICURegex(pattern: renamed, ignoresCase: compiled.pattern.ignoresCase, multiline: compiled.pattern.scope == .event, groupNames: [])
      else { continue }
      if bytes.withUnsafeMutableBufferPointer({ partial.firstMatch(in: UnsafeBufferPointer($0)) }) != nil {
        return "The regex matches up to `\(prefix)` and fails at `\(regex[end...].prefix(40))`."
      }
    }
    return "Not even the regex's first element matches."
  }
}
