import TriageAssembly
import Yams

/// Reads pattern files (docs/patterns.md) into ``Pattern`` values.
///
/// Every problem is a ``PatternError`` naming the file, the line and what to change, found
/// before any log is read.
public enum PatternLoader {
  /// Parses one pattern file's text.
  /// - Parameter file: the name used in errors and in pattern locations.
  /// - Throws: ``PatternError`` for YAML that does not parse or a pattern that breaks a rule.
  public static func load(yaml text: String, file: String) throws(PatternError) -> [Pattern] {
    let root: Node?
    do {
      // Every scalar stays a string (the basic resolver): the loader reads each field as the
      // type it expects, and Yams' default resolver runs an NSRegularExpression per scalar,
      // which was most of the start-up time (46 -> 31 ms for the built-in catalog).
      root = try Yams.compose(yaml: text, .basic)
    } catch let error as YamlError {
      throw PatternError(file: file, line: Self.line(of: error), message: "not valid YAML: \(Self.problem(of: error))")
    } catch {
      throw PatternError(file: file, line: nil, message: "not valid YAML: \(error)")
    }
    guard let mapping = root?.mapping else {
      throw PatternError(file: file, line: root?.mark?.line, message: "expected a mapping with `family:` and `patterns:` at the top.")
    }
    let family = mapping["family"]?.string ?? file
    guard let list = mapping["patterns"]?.sequence else {
      throw PatternError(file: file, line: root?.mark?.line, message: "missing `patterns:` (a list of patterns).")
    }
    var patterns: [Pattern] = []
    for node in list {
      patterns.append(try pattern(node, file: file, family: family))
    }
    return patterns
  }

  private static func pattern(_ node: Node, file: String, family: String) throws(PatternError) -> Pattern {
    let line = node.mark?.line
    guard let fields = node.mapping else {
      throw PatternError(file: file, line: line, message: "a pattern must be a mapping of fields (id, category, regex …).")
    }
    func text(_ key: String, required: Bool = true) throws(PatternError) -> String? {
      guard let value = fields[key] else {
        if required { throw PatternError(file: file, line: line, message: "pattern is missing `\(key):`.") }
        return nil
      }
      guard let string = value.string else {
        throw PatternError(file: file, line: value.mark?.line ?? line, message: "`\(key):` must be text.")
      }
      return string
    }
    func choice<T: RawRepresentable>(_ key: String, _ type: T.Type, default fallback: T? = nil) throws(PatternError) -> T
    where T.RawValue == String {
      guard let raw = try text(key, required: fallback == nil) else { return fallback! }
      guard let value = T(rawValue: raw) else {
        throw PatternError(file: file, line: fields[key]?.mark?.line ?? line, message: "`\(key): \(raw)` is not one of the allowed values.")
      }
      return value
    }
    let id = try text("id")!
    let location = Pattern.SourceLocation(file: file, line: line ?? 0)
    func samples(_ key: String) throws(PatternError) -> [Pattern.Sample] {
      guard let value = fields[key] else { return [] }
      guard let list = value.sequence else {
        throw PatternError(file: file, line: value.mark?.line ?? line, message: "`\(key):` of \(id) must be a list.")
      }
      var result: [Pattern.Sample] = []
      for item in list {
        let where_ = Pattern.SourceLocation(file: file, line: item.mark?.line ?? location.line)
        if let string = item.string {
          result.append(Pattern.Sample(text: string, captures: [:], source: nil, location: where_))
        } else if let sample = item.mapping, let string = sample["text"]?.string {
          var captures: [String: String] = [:]
          for (key, value) in sample["captures"]?.mapping ?? [:] {
            guard let name = key.string, let captured = value.string else { continue }
            captures[name] = captured
          }
          result.append(Pattern.Sample(text: string, captures: captures, source: sample["source"]?.string, location: where_))
        } else {
          throw PatternError(file: file, line: item.mark?.line, message: "a sample of \(id) must be text or a mapping with `text:`.")
        }
      }
      return result
    }
    var literals: [String] = []
    if let list = fields["literals"]?.sequence {
      for item in list {
        guard let literal = item.string else {
          throw PatternError(file: file, line: item.mark?.line, message: "literals of \(id) must be text.")
        }
        literals.append(literal)
      }
    }
    var languages: [String]?
    if let value = fields["languages"] {
      guard let list = value.sequence?.compactMap(\.string), !list.isEmpty else {
        throw PatternError(file: file, line: value.mark?.line ?? line, message: "`languages:` of \(id) must be a list of trace languages.")
      }
      for language in list where TraceLanguage(rawValue: language) == nil {
        let known = TraceLanguage.allCases.map(\.rawValue).joined(separator: ", ")
        throw PatternError(file: file, line: value.mark?.line ?? line, message: "`languages:` of \(id) names \(language); use one of: \(known).")
      }
      languages = list
    }
    guard !literals.isEmpty else {
      throw PatternError(file: file, line: line, message: "\(id) has no `literals:`; list the exact text every match contains (the prefilter needs it).")
    }
    for literal in literals where literal.utf8.count < 3 {
      throw PatternError(file: file, line: line, message: "\(id): literal \"\(literal)\" is shorter than 3 bytes, too common to prefilter on; use a longer piece of the regex.")
    }
    if languages == nil && literals.map(\.utf8.count).max()! < 8 {
      throw PatternError(
        file: file, line: line,
        message: "\(id): its longest literal has fewer than 8 bytes; the prefilter anchors on it, so give at least one literal of 8 or more bytes (the rarest text every match contains).")
    }
    var pattern = Pattern(
      id: id,
      category: try choice("category", CrashCategory.self),
      title: try text("title")!,
      confidence: try choice("confidence", Confidence.self),
      scope: try choice("scope", PatternScope.self, default: .line),
      literals: literals,
      ignoresCase: ["true", "yes", "on"].contains(fields["ignore_case"]?.string?.lowercased() ?? ""),
      interpretation: try choice("interpret", PatternInterpretation.self, default: PatternInterpretation.none),
      languages: languages,
      regex: try text("regex")!,
      explanation: try text("explanation")!,
      remediation: try text("remediation")!,
      samples: try samples("samples"),
      negatives: try samples("negative"),
      location: location,
      family: family
    )
    pattern.role = try choice("role", PatternRole.self, default: PatternRole.none)
    return pattern
  }

  static func line(of error: YamlError) -> Int? {
    switch error {
    case .scanner(_, _, let mark, _), .parser(_, _, let mark, _): return mark.line
    default: return nil
    }
  }

  static func problem(of error: YamlError) -> String {
    switch error {
    case .scanner(_, let problem, _, _), .parser(_, let problem, _, _): return problem
    default: return "\(error)"
    }
  }
}
