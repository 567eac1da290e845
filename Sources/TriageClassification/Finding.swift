import TriageAssembly
import TriageUnwrapping

/// One crash signature matched in one event.
public struct Finding: Sendable {
  /// The compiled pattern that matched (a reference: findings are copied often).
  public let compiled: PatternCatalog.Compiled
  /// The pattern that matched (its id is the finding's `signature`).
  public var pattern: Pattern { compiled.pattern }
  /// The category after interpretation (exit status, traceback upgrade).
  public var category: CrashCategory
  public var confidence: Confidence
  /// What the pattern captured, plus derived facts (`signal`, `dependency`, `exception_type`,
  /// `language`, `top_frame`, `root_cause` …).
  public var captures: [String: String]
  /// Groups the same bug across wrappings, restarts, pids, times and services.
  public var fingerprint: String
  /// The matched line (line scope) or the matched text (event scope).
  public var matchedText: String
  /// Where the match starts in the event's text (bytes).
  public internal(set) var matchOffset = 0
  /// What the regex matched, when that is less than `matchedText` (line scope); the
  /// fingerprint reads it, so ids elsewhere on a long line (a JSON log's job id) do not split
  /// one bug into many.
  var matchedSpan = ""

  /// The pattern id, as reports call it.
  public var signature: String { pattern.id }
}
