import Foundation
import TriageAssembly
import TriageInput
import TriageUnwrapping

/// Checks events against the catalog and turns matches into findings.
///
/// Per event: one prefilter pass over the text finds which literals occur; only patterns whose
/// literals all occur run their regex (line-scope patterns only on the lines holding their first
/// literal). Matches are interpreted (exit status → signal → category; a traceback takes the
/// category of its final exception) and fingerprinted. One event gives at most one finding per
/// category: the most confident, then the first pattern in catalog order.
///
/// Not thread-safe (it reuses scratch state); one classifier per thread.
/// - Complexity: O(text) per event for the prefilter; regexes run only on candidates.
public final class Classifier {
  public let catalog: PatternCatalog
  private var foundStamp: [UInt32]
  private var candidateStamp: [UInt32]
  private var stamp: UInt32 = 0
  private var foundLiterals: [Int] = []

  public init(catalog: PatternCatalog) {
    self.catalog = catalog
    foundStamp = [UInt32](repeating: 0, count: catalog.prefilter.count)
    candidateStamp = [UInt32](repeating: 0, count: catalog.patterns.count)
  }

  /// The findings of one event (empty for most events).
  public func classify(_ event: Event) -> [Finding] {
    stamp &+= 1
    if stamp == 0 {  // wrapped: clear the stamps
      for index in foundStamp.indices { foundStamp[index] = 0 }
      for index in candidateStamp.indices { candidateStamp[index] = 0 }
      stamp = 1
    }
    foundLiterals.removeAll(keepingCapacity: true)
    let current = stamp
    catalog.prefilter.scan(event.text) { literal in
      if foundStamp[literal] != current {
        foundStamp[literal] = current
        foundLiterals.append(literal)
      }
    }
    guard !foundLiterals.isEmpty else { return [] }

    var candidates: [Int] = []
    for literal in foundLiterals {
      for patternIndex in catalog.patternsByLiteral[literal] where candidateStamp[patternIndex] != current {
        candidateStamp[patternIndex] = current
        let compiled = catalog.patterns[patternIndex]
        if compiled.literalIndices.allSatisfy({ foundStamp[$0] == current }) { candidates.append(patternIndex) }
      }
    }
    guard !candidates.isEmpty else { return [] }
    candidates.sort()

    let text = event.text.string
    var findings: [Finding] = []
    for patternIndex in candidates {
      let compiled = catalog.patterns[patternIndex]
      guard let match = Self.firstMatch(compiled, in: text, prefilter: catalog.prefilter) else { continue }
      var captures = match.captures
      guard let category = Interpretation.category(of: compiled.pattern, captures: &captures) else { continue }
      var finding = Finding(
        pattern: compiled.pattern, category: category, confidence: compiled.pattern.confidence, captures: captures,
        fingerprint: "", matchedText: match.text)
      finding.captures["match_offset"] = String(match.offset)
      findings.append(finding)
    }
    guard !findings.isEmpty else { return [] }
    return Interpretation.settle(findings, event: event, text: text)
  }

  /// A match: the matched line or text, its offset in the event (UTF-16), and its captures.
  struct Match {
    var text: String
    var offset: Int
    var captures: [String: String]
  }

  static func firstMatch(_ compiled: PatternCatalog.Compiled, in text: String, prefilter: LiteralPrefilter) -> Match? {
    let nsText = text as NSString
    switch compiled.pattern.scope {
    case .event:
      guard let result = compiled.regex.firstMatch(in: text, range: NSRange(location: 0, length: nsText.length)) else { return nil }
      return Match(text: nsText.substring(with: result.range), offset: result.range.location, captures: captures(of: result, compiled, in: nsText))
    case .line:
      // Only the lines holding the pattern's first literal can match; the search range is
      // the line, so ^ and $ anchor at its edges and lookbehind cannot see the line before.
      let length = nsText.length
      let literal = compiled.pattern.literals[0]
      var searchFrom = 0
      var lastLineStart = -1
      while searchFrom < length {
        let hit = nsText.range(of: literal, options: [.caseInsensitive, .literal], range: NSRange(location: searchFrom, length: length - searchFrom))
        guard hit.location != NSNotFound else { return nil }
        let lineRange = nsText.lineRange(for: NSRange(location: hit.location, length: 0))
        var lineLength = lineRange.length
        while lineLength > 0 {
          let last = nsText.character(at: lineRange.location + lineLength - 1)
          guard last == 0x0A || last == 0x0D else { break }
          lineLength -= 1
        }
        let line = NSRange(location: lineRange.location, length: lineLength)
        if line.location != lastLineStart, let result = compiled.regex.firstMatch(in: text, range: line) {
          return Match(text: nsText.substring(with: line), offset: line.location, captures: captures(of: result, compiled, in: nsText))
        }
        lastLineStart = line.location
        searchFrom = NSMaxRange(lineRange)
      }
      return nil
    }
  }

  static func captures(of result: NSTextCheckingResult, _ compiled: PatternCatalog.Compiled, in text: NSString) -> [String: String] {
    var captures: [String: String] = [:]
    for name in compiled.captureNames {
      let range = result.range(withName: name)
      if range.location != NSNotFound { captures[name] = text.substring(with: range) }
    }
    return captures
  }
}
