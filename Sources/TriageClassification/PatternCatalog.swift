import TriageUnwrapping
import Foundation
import TriageAssembly
import TriageInput

/// The crash signatures in force: the built-in catalog, plus user files that add patterns
/// or replace built-ins by `id`; every regex compiled once, every literal in one prefilter.
public final class PatternCatalog: @unchecked Sendable {
  /// A pattern ready to run.
  public final class Compiled: @unchecked Sendable {
    public let pattern: Pattern
    let regex: ICURegex
    /// The named capture groups, in the order they appear.
    public let captureNames: [String]
    /// The group names in the compiled regex (`g1`, `g2` …): ICU accepts only letters and
    /// digits there, so `exit_code` is renamed for ICU and reported under its own name.
    let compiledGroupNames: [String]
    /// Index of its anchor in the prefilter (-1 for a pattern selected by trace language).
    let anchorIndex: Int
    /// The anchor, lower-cased: the first literal of 8 or more bytes.
    let anchor: [UInt8]
    /// Its other literals, lower-cased, checked only on events the anchor let through.
    let otherLiterals: [[UInt8]]
    /// For a case-sensitive pattern, its literals as written: the prefilter ignores case, so
    /// these are checked exactly before the regex runs.
    let exactLiterals: [[UInt8]]
    /// The trace languages it is limited to (nil: any event).
    let languages: Set<TraceLanguage>?
    /// For a line-scope regex whose every match starts with a literal holding the anchor: how
    /// many bytes before an anchor occurrence a match starts (see ``RegexLeadingLiteral``).
    let matchStartBeforeAnchor: Int?

    init(
      pattern: Pattern, regex: ICURegex, captureNames: [String], compiledGroupNames: [String], anchorIndex: Int,
      anchor: [UInt8], otherLiterals: [[UInt8]]
    ) {
      self.anchor = anchor
      self.exactLiterals = pattern.ignoresCase ? [] : pattern.literals.map { Array($0.utf8) }
      self.languages = pattern.languages.map { Set($0.compactMap(TraceLanguage.init(rawValue:))) }
      self.pattern = pattern
      self.regex = regex
      self.captureNames = captureNames
      self.compiledGroupNames = compiledGroupNames
      self.anchorIndex = anchorIndex
      self.otherLiterals = otherLiterals
      self.matchStartBeforeAnchor = pattern.scope == .line ? RegexLeadingLiteral.anchorOffset(anchor: anchor, regex: pattern.regex) : nil
    }
  }

  public let patterns: [Compiled]
  /// Patterns whose regex hit the work limit during this run (see ``PatternOverruns``).
  public let overruns = PatternOverruns()
  let prefilter: LiteralPrefilter
  /// Stack-trace patterns, selected by the trace's language instead of the prefilter.
  let patternsByLanguage: [TraceLanguage: [Int]]
  /// For each anchor literal, the patterns anchored on it.
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
      let (source, names) = Self.renamingGroups(in: pattern.regex)
      let regex: ICURegex
      do {
        regex = try ICURegex(
          pattern: source, ignoresCase: pattern.ignoresCase, multiline: pattern.scope == .event,
          groupNames: names.indices.map { "g\($0 + 1)" })
      } catch {
        throw PatternError(
          file: pattern.location.file, line: pattern.location.line,
          message: "the regex of \(pattern.id) does not compile (ICU syntax): \(Self.reason(error)). Check brackets, escapes and named groups `(?<name>…)`.")
      }
      // The prefilter needs one literal per pattern: the first of 8 or more bytes (authors list
      // the rarest first), or a part of it without digits (see ``prefilterWindow(of:)``). The
      // others are checked on the events it lets through.
      let literal = pattern.literals.first { $0.utf8.count >= 8 } ?? pattern.literals.max { $0.utf8.count < $1.utf8.count }!
      let anchor = pattern.languages == nil ? Self.prefilterWindow(of: literal) : literal
      let key = Self.asciiLowercased(anchor)
      var anchorIndex = -1
      if pattern.languages == nil {
        if let index = literalIndex[key] {
          anchorIndex = index
        } else {
          anchorIndex = literals.count
          literalIndex[key] = literals.count
          literals.append(anchor)
        }
      }
      var others = pattern.literals
      if pattern.languages == nil && anchor == literal { others.remove(at: others.firstIndex(of: literal)!) }
      compiled.append(
        Compiled(
          pattern: pattern, regex: regex, captureNames: names, compiledGroupNames: names.indices.map { "g\($0 + 1)" },
          anchorIndex: anchorIndex, anchor: Array(Self.asciiLowercased(anchor).utf8),
          otherLiterals: others.map { Array(Self.asciiLowercased($0).utf8) }))
    }
    var byLiteral = [[Int]](repeating: [], count: literals.count)
    var byLanguage: [TraceLanguage: [Int]] = [:]
    for (patternIndex, pattern) in compiled.enumerated() {
      if let languages = pattern.languages {
        for language in languages { byLanguage[language, default: []].append(patternIndex) }
      } else {
        byLiteral[pattern.anchorIndex].append(patternIndex)
      }
    }
    self.patternsByLanguage = byLanguage
    self.patterns = compiled
    self.prefilter = LiteralPrefilter(literals: literals)
    self.patternsByLiteral = byLiteral
  }

  /// One warning per pattern whose regex hit the work limit: file, line, what happened, what
  /// to do.
  public var overrunWarnings: [String] {
    overruns.entries.map { entry in
      let pattern = patterns[entry.patternIndex].pattern
      let what = entry.stopped ? "it was stopped for the rest of the run" : "those events were not matched by it"
      return "\(pattern.location.file):\(pattern.location.line): pattern \(pattern.id): \(entry.overruns) match(es) gave up at the work limit "
        + "(the regex backtracks too much); \(what). Make the regex more specific: avoid nested repetition such as (a+)+ or (.*)*."
    }
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

  /// What the prefilter looks for to find `literal`: the literal itself, or, when digits fall
  /// in its first 8 bytes (the prefilter's window: `E1042 job lease lost`, `[Errno 2] No such
  /// file`), its longest run without digits when that has 8 bytes or more. Digits are the
  /// commonest bytes of a log (times, ids, sizes); a window of them stops the scan at every
  /// number. The whole literal is still checked before the regex runs.
  static func prefilterWindow(of literal: String) -> String {
    let bytes = Array(literal.utf8)
    guard bytes.prefix(8).contains(where: { $0 &- 0x30 < 10 }) else { return literal }
    var best = 0..<0
    var start = 0
    for index in 0...bytes.count {
      if index == bytes.count || bytes[index] &- 0x30 < 10 {
        if index - start > best.count { best = start..<index }
        start = index + 1
      }
    }
    // Without the spaces at its ends: a window starting with a space matches before every word.
    while best.count > 8, bytes[best.lowerBound] == 0x20 { best = best.dropFirst() }
    while best.count > 8, bytes[best.upperBound - 1] == 0x20 { best = best.dropLast() }
    guard best.count >= 8 else { return literal }
    return String(decoding: bytes[best], as: UTF8.self)
  }

  /// `text` with ASCII letters lower-cased and every other byte unchanged: the prefilter and
  /// the literal checks fold ASCII only, so literals are folded the same way.
  static func asciiLowercased(_ text: String) -> String {
    String(decoding: text.utf8.map { $0 &- 0x41 < 26 ? $0 | 0x20 : $0 }, as: UTF8.self)
  }

  /// Renames each `(?<name>…)` group (and `\k<name>` back-reference) to `g1`, `g2` … for
  /// ICU, which accepts only ASCII letters and digits in group names.
  /// - Returns: the rewritten regex and the original names in group order.
  static func renamingGroups(in regex: String) -> (String, [String]) {
    var names: [String] = []
    var output = ""
    var rest = Substring(regex)
    while let open = rest.range(of: "(?<") {
      let after = rest[open.upperBound...]
      // Lookbehind "(?<=" and "(?<!" stay as they are; an escaped "\(" is not a group.
      var backslashes = 0
      var cursor = open.lowerBound
      while cursor > rest.startIndex && rest[rest.index(before: cursor)] == "\\" {
        backslashes += 1
        cursor = rest.index(before: cursor)
      }
      let escaped = backslashes % 2 == 1
      if escaped || after.first == "=" || after.first == "!" {
        output += rest[..<open.upperBound]
        rest = after
        continue
      }
      guard let close = after.firstIndex(of: ">") else { break }
      names.append(String(after[..<close]))
      output += rest[..<open.lowerBound] + "(?<g\(names.count)>"
      rest = after[after.index(after: close)...]
    }
    output += rest
    for (index, name) in names.enumerated() {
      output = output.replacingOccurrences(of: "\\k<\(name)>", with: "\\k<g\(index + 1)>")
    }
    return (output, names)
  }

  static func reason(_ error: ICURegexError) -> String { error.message }
}
