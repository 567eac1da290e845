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
  private let prefilter: LiteralPrefilter
  /// This classifier's own copies of the regexes (an ICU regex keeps match state).
  private let regexes: [ICURegex]
  /// Per literal and per pattern: the stamp of the last event that found / considered it.
  private let foundStamp: UnsafeMutableBufferPointer<UInt32>
  private var candidateStamp: [UInt32]
  private var stamp: UInt32 = 0
  private var foundLiterals: [Int] = []
  /// The prefilter's hits in the current text: one event's, or a whole batch's.
  private var hits: [LiteralHit] = []
  /// In batch mode, the first hit not yet given to an event.
  private var batchCursor = 0
  /// Scratch: where the anchor of the pattern being tried occurs in the event.
  private var anchorStarts: [Int] = []
  /// Per pattern: overruns seen so far, and whether this classifier stopped using it.
  private var overrunsSeen: [Int]
  private var stopped: [Bool]

  /// The work limit of one match call, in ICU's time-limit units (about a millisecond each):
  /// the built-in patterns need well under a millisecond even on a 256 KiB event.
  public static let workLimit: Int32 = 200
  /// Match calls at the limit after which a classifier stops using a pattern.
  public static let overrunsBeforeStop = 3

  public init(catalog: PatternCatalog) {
    self.catalog = catalog
    prefilter = catalog.prefilter
    let wide = WideningBuffer()
    regexes = catalog.patterns.map { $0.regex.copy(sharing: wide) }
    for regex in regexes { regex.limitWork(to: Self.workLimit) }
    overrunsSeen = [Int](repeating: 0, count: catalog.patterns.count)
    stopped = [Bool](repeating: false, count: catalog.patterns.count)
    foundStamp = .allocate(capacity: max(catalog.prefilter.count, 1))
    foundStamp.initialize(repeating: 0)
    candidateStamp = [UInt32](repeating: 0, count: catalog.patterns.count)
  }

  deinit { foundStamp.deallocate() }

  /// The findings of one event (empty for most events).
  public func classify(_ event: Event) -> [Finding] {
    prepareBatch(event.text)
    return classify(event, batchOffset: 0)
  }

  /// Runs the prefilter over the texts of many events at once (`text`, the events' texts back
  /// to back), which is faster than event by event. Then call ``classify(_:batchOffset:)`` for
  /// each of those events, in order.
  /// - Complexity: O(text), sublinear on average.
  public func prepareBatch(_ text: UnsafeBufferPointer<UInt8>) {
    hits.removeAll(keepingCapacity: true)
    prefilter.scan(text, into: &hits)
    batchCursor = 0
  }

  /// The findings of an event whose text starts at `batchOffset` in the text given to
  /// ``prepareBatch(_:)``. Events must come in order of their offsets.
  public func classify(_ event: Event, batchOffset: Int) -> [Finding] {
    stamp &+= 1
    if stamp == 0 {  // wrapped: clear the stamps
      for index in foundStamp.indices { foundStamp[index] = 0 }
      for index in candidateStamp.indices { candidateStamp[index] = 0 }
      stamp = 1
    }
    foundLiterals.removeAll(keepingCapacity: true)
    let current = stamp
    // The hits that lie wholly in this event's text.
    let end = batchOffset + event.text.count
    while batchCursor < hits.count && hits[batchCursor].start < batchOffset { batchCursor += 1 }
    let eventHits = batchCursor
    while batchCursor < hits.count && hits[batchCursor].start < end {
      let hit = hits[batchCursor]
      batchCursor += 1
      guard foundStamp[hit.literal] != current, hit.start + prefilter.length(of: hit.literal) <= end else { continue }
      foundStamp[hit.literal] = current
      foundLiterals.append(hit.literal)
    }
    let tracePatterns = event.language.flatMap { catalog.patternsByLanguage[$0] } ?? []
    guard !foundLiterals.isEmpty || !tracePatterns.isEmpty else { return [] }

    var candidates: [Int] = []
    func consider(_ patternIndex: Int) {
      guard candidateStamp[patternIndex] != current else { return }
      candidateStamp[patternIndex] = current
      let compiled = catalog.patterns[patternIndex]
      guard compiled.otherLiterals.allSatisfy({ Self.contains(event.text, lowercased: $0) }) else { return }
      guard compiled.exactLiterals.allSatisfy({ literal in literal.withUnsafeBufferPointer { event.text.firstIndex(of: $0) != nil } }) else {
        return
      }
      candidates.append(patternIndex)
    }
    for literal in foundLiterals {
      for patternIndex in catalog.patternsByLiteral[literal] { consider(patternIndex) }
    }
    for patternIndex in tracePatterns { consider(patternIndex) }
    guard !candidates.isEmpty else { return [] }
    candidates.sort()

    var findings: [Finding] = []
    for patternIndex in candidates where !stopped[patternIndex] {
      let compiled = catalog.patterns[patternIndex]
      // A traceback pattern on the whole event needs an assembled stack trace.
      if compiled.pattern.scope == .event && compiled.pattern.category == .traceback && event.language == nil { continue }
      // Where its anchor occurs: from the prefilter's hits, or (patterns chosen by the trace's
      // language) by a search.
      anchorStarts.removeAll(keepingCapacity: true)
      if compiled.pattern.scope == .line {
        if compiled.anchorIndex >= 0 {
          let length = compiled.anchor.count
          for hit in hits[eventHits..<batchCursor] where hit.literal == compiled.anchorIndex && hit.start + length <= end {
            anchorStarts.append(hit.start - batchOffset)
          }
        } else {
          Self.appendAnchorStarts(compiled.anchor, in: event.text, to: &anchorStarts)
        }
      }
      // In a stack trace the last matching line is the one nearest the final exception.
      let regex = regexes[patternIndex]
      let matched = Self.firstMatch(compiled, regex: regex, in: event.text, anchorStarts: anchorStarts, preferLast: event.language != nil)
      if regex.overruns != overrunsSeen[patternIndex] { noteOverruns(patternIndex) }
      guard let match = matched else { continue }
      var captures = match.captures
      guard let category = Interpretation.category(of: compiled.pattern, captures: &captures) else { continue }
      var finding = Finding(
        compiled: compiled, category: category, confidence: compiled.pattern.confidence, captures: captures,
        fingerprint: "", matchedText: match.text)
      finding.matchOffset = match.offset
      finding.matchedSpan = match.span
      findings.append(finding)
    }
    guard !findings.isEmpty else { return [] }
    return Interpretation.settle(findings, event: event, text: event.text)
  }

  /// Records new overruns of a pattern; stops using it after ``overrunsBeforeStop``.
  private func noteOverruns(_ patternIndex: Int) {
    let total = regexes[patternIndex].overruns
    let new = total - overrunsSeen[patternIndex]
    overrunsSeen[patternIndex] = total
    if total >= Self.overrunsBeforeStop { stopped[patternIndex] = true }
    catalog.overruns.record(patternIndex, overruns: new, stopped: stopped[patternIndex])
  }

  /// A match: the matched line or text, its byte offset in the event, its captures, and
  /// (line scope) what the regex itself matched.
  struct Match {
    var text: String
    var offset: Int
    var captures: [String: String]
    var span: String = ""
  }

  /// The first match of `compiled` in `bytes`, using `regex` (the caller's copy). An
  /// event-scope regex runs on the whole text with ^/$ at line breaks. A line-scope regex runs
  /// only on the lines holding its anchor (`anchorStarts`, in order); when every match starts a
  /// known distance before the anchor, only from there.
  /// - Parameter preferLast: the last matching line instead of the first.
  static func firstMatch(
    _ compiled: PatternCatalog.Compiled, regex: ICURegex, in bytes: UnsafeBufferPointer<UInt8>, anchorStarts: [Int],
    preferLast: Bool = false
  ) -> Match? {
    switch compiled.pattern.scope {
    case .event:
      guard let result = regex.firstMatch(in: bytes) else { return nil }
      return Match(
        text: bytes.slice(result.range.lowerBound, result.range.upperBound).string, offset: result.range.lowerBound,
        captures: captures(result.groups, compiled, in: bytes, base: 0))
    case .line:
      var searchedLineStart = -1
      var matchedLineStart = -1
      var latest: Match?
      for anchor in anchorStarts {
        var lineStart = anchor
        while lineStart > 0 && bytes[lineStart - 1] != 0x0A { lineStart -= 1 }
        // One match per line: the first.
        guard lineStart != matchedLineStart else { continue }
        var lineEnd = anchor
        while lineEnd < bytes.count && bytes[lineEnd] != 0x0A { lineEnd += 1 }
        if lineEnd > lineStart && bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
        let line = bytes.slice(lineStart, lineEnd)
        let result: (range: Range<Int>, groups: [Range<Int>?])?
        if let before = compiled.matchStartBeforeAnchor {
          guard anchor - before >= lineStart else { continue }
          result = regex.prefixMatch(in: line, at: anchor - before - lineStart)
        } else {
          guard lineStart != searchedLineStart else { continue }
          searchedLineStart = lineStart
          result = regex.firstMatch(in: line)
        }
        guard let result else { continue }
        matchedLineStart = lineStart
        let match = Match(
          text: line.string, offset: lineStart, captures: captures(result.groups, compiled, in: line, base: 0),
          span: line.slice(result.range.lowerBound, result.range.upperBound).string)
        if !preferLast { return match }
        latest = match
      }
      return latest
    }
  }

  /// Appends every offset where `anchor` (lower case) starts in `text`, ignoring ASCII case.
  static func appendAnchorStarts(_ anchor: [UInt8], in text: UnsafeBufferPointer<UInt8>, to starts: inout [Int]) {
    var from = 0
    while let start = index(of: anchor, in: text, from: from) {
      starts.append(start)
      from = start + 1
    }
  }

  static func captures(_ groups: [Range<Int>?], _ compiled: PatternCatalog.Compiled, in bytes: UnsafeBufferPointer<UInt8>, base: Int) -> [String: String] {
    var captures: [String: String] = [:]
    for (index, range) in groups.enumerated() {
      if let range { captures[compiled.captureNames[index]] = bytes.slice(range.lowerBound, range.upperBound).string }
    }
    return captures
  }

  /// The first offset at or after `from` where `literal` (lower case) starts, ignoring ASCII case.
  static func index(of literal: [UInt8], in text: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
    guard let first = literal.first, text.count >= literal.count, from <= text.count - literal.count else { return nil }
    var start = from
    let last = text.count - literal.count
    while start <= last {
      let byte = text[start]
      if (byte &- 0x41 < 26 ? byte | 0x20 : byte) == first {
        var offset = 1
        while offset < literal.count {
          let candidate = text[start + offset]
          if (candidate &- 0x41 < 26 ? candidate | 0x20 : candidate) != literal[offset] { break }
          offset += 1
        }
        if offset == literal.count { return start }
      }
      start += 1
    }
    return nil
  }

  /// Whether `text` contains `literal` (given in lower case), ignoring ASCII case.
  static func contains(_ text: UnsafeBufferPointer<UInt8>, lowercased literal: [UInt8]) -> Bool {
    literal.isEmpty || index(of: literal, in: text, from: 0) != nil
  }


}
