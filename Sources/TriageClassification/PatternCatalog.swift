import Foundation

/// The crash signatures in force: the built-in catalog, plus user files that add patterns
/// or replace built-ins by `id`; every regex compiled once, every literal in one prefilter.
public final class PatternCatalog: @unchecked Sendable {
  /// A pattern ready to run.
  public final class Compiled: @unchecked Sendable {
    public let pattern: Pattern
    let regex: NSRegularExpression
    /// The named capture groups, in the order they appear.
    public let captureNames: [String]
    /// Indices of its literals in the prefilter.
    let literalIndices: [Int]

    init(pattern: Pattern, regex: NSRegularExpression, captureNames: [String], literalIndices: [Int]) {
      self.pattern = pattern
      self.regex = regex
      self.captureNames = captureNames
      self.literalIndices = literalIndices
    }
  }

  public let patterns: [Compiled]
  let prefilter: LiteralPrefilter
  /// For each literal, the patterns that need it.
  let patternsByLiteral: [[Int]]

  /// Compiles `patterns` (later ones replace earlier ones with the same `id`).
  /// - Throws: ``PatternError`` for a regex that does not compile or a duplicate id in one file.
  public init(patterns input: [Pattern]) throws(PatternError) {
    var byID: [String: Int] = [:]
    var ordered: [Pattern] = []
    for pattern in input {
      if let existing = byID[pattern.id] {
        if ordered[existing].location.file == pattern.location.file {
          throw PatternError(
            file: pattern.location.file, line: pattern.location.line,
            message: "the id \(pattern.id) is used twice in this file (first at line \(ordered[existing].location.line)); ids must be unique.")
        }
        ordered[existing] = pattern  // a user file overrides the built-in
      } else {
        byID[pattern.id] = ordered.count
        ordered.append(pattern)
      }
    }
    var literalIndex: [String: Int] = [:]
    var literals: [String] = []
    var compiled: [Compiled] = []
    for pattern in ordered {
      var options: NSRegularExpression.Options = []
      if pattern.ignoresCase { options.insert(.caseInsensitive) }
      if pattern.scope == .event { options.insert(.anchorsMatchLines) }
      let regex: NSRegularExpression
      do {
        regex = try NSRegularExpression(pattern: pattern.regex, options: options)
      } catch {
        throw PatternError(
          file: pattern.location.file, line: pattern.location.line,
          message: "the regex of \(pattern.id) does not compile (ICU syntax): \(Self.reason(error)). Check brackets, escapes and named groups `(?<name>…)`.")
      }
      var indices: [Int] = []
      for literal in pattern.literals {
        let key = literal.lowercased()
        if let index = literalIndex[key] {
          indices.append(index)
        } else {
          literalIndex[key] = literals.count
          indices.append(literals.count)
          literals.append(literal)
        }
      }
      compiled.append(Compiled(pattern: pattern, regex: regex, captureNames: Self.captureNames(in: pattern.regex), literalIndices: indices))
    }
    var byLiteral = [[Int]](repeating: [], count: literals.count)
    for (patternIndex, pattern) in compiled.enumerated() {
      for literal in Set(pattern.literalIndices) { byLiteral[literal].append(patternIndex) }
    }
    self.patterns = compiled
    self.prefilter = LiteralPrefilter(literals: literals)
    self.patternsByLiteral = byLiteral
  }

  /// The built-in catalog compiled into the binary, plus the pattern files in `directories`.
  /// - Throws: ``PatternError`` for the first file that cannot be used (before any input is read).
  public static func load(userDirectories directories: [String] = []) throws(PatternError) -> PatternCatalog {
    var patterns: [Pattern] = []
    for file in embeddedPatternFiles {
      patterns += try PatternLoader.load(yaml: file.text, file: "Patterns/" + file.name)
    }
    patterns += try loadFiles(in: directories)
    return try PatternCatalog(patterns: patterns)
  }

  /// Reads every `*.yaml`/`*.yml` file in `directories` (not recursive), sorted by name.
  public static func loadFiles(in directories: [String]) throws(PatternError) -> [Pattern] {
    var patterns: [Pattern] = []
    for directory in directories {
      let names: [String]
      do {
        names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
      } catch {
        throw PatternError(file: directory, line: nil, message: "cannot read the pattern directory; check the path (--patterns takes a directory of .yaml files).")
      }
      for name in names {
        let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
        guard let data = FileManager.default.contents(atPath: path) else {
          throw PatternError(file: path, line: nil, message: "cannot read the pattern file; check its permissions.")
        }
        patterns += try PatternLoader.load(yaml: String(decoding: data, as: UTF8.self), file: path)
      }
    }
    return patterns
  }

  /// The names of `(?<name>…)` groups in a regex, in order.
  static func captureNames(in regex: String) -> [String] {
    var names: [String] = []
    var rest = Substring(regex)
    while let open = rest.range(of: "(?<") {
      let after = rest[open.upperBound...]
      // Skip lookbehind "(?<=" and "(?<!".
      if let first = after.first, first == "=" || first == "!" { rest = after; continue }
      guard let close = after.firstIndex(of: ">") else { break }
      names.append(String(after[..<close]))
      rest = after[close...]
    }
    return names
  }

  static func reason(_ error: Error) -> String {
    let text = "\(error)"
    return text.count > 200 ? String(text.prefix(200)) + "…" : text
  }
}
