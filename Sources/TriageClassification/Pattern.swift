/// One crash signature, as written in a pattern file (docs/patterns.md).
public struct Pattern: Sendable {
  /// A sample text with the captures it must give.
  public struct Sample: Sendable {
    public var text: String
    public var captures: [String: String]
    public var source: String?
    /// Where the sample is written.
    public var location: SourceLocation
  }

  /// Where something is written: a pattern file and a 1-based line.
  public struct SourceLocation: Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var description: String { "\(file):\(line)" }
  }

  public var id: String
  public var category: CrashCategory
  public var title: String
  public var confidence: Confidence
  public var scope: PatternScope
  public var literals: [String]
  public var ignoresCase: Bool
  public var interpretation: PatternInterpretation
  /// What the line is in a crash's story, for correlation (`role:`, optional).
  public var role: PatternRole = .none
  /// For stack-trace patterns: the trace languages (``TraceLanguage`` names) it applies to;
  /// the pattern then runs only on events assembled as a trace of one of them.
  public var languages: [String]?
  public var regex: String
  public var explanation: String
  public var remediation: String
  public var samples: [Sample]
  public var negatives: [Sample]
  /// Where the pattern is defined.
  public var location: SourceLocation
  /// The family (file) it belongs to.
  public var family: String
}
