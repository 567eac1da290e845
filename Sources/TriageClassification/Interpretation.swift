import TriageAssembly
import TriageUnwrapping

/// The rules of shared/reference/crash-signatures.md §4.11 that turn matches into a verdict.
enum Interpretation {
  /// Signal numbers and names by exit status (128 + N) or number.
  static let signalNames: [Int: String] = [
    1: "SIGHUP", 2: "SIGINT", 4: "SIGILL", 6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE", 9: "SIGKILL", 11: "SIGSEGV",
    13: "SIGPIPE", 15: "SIGTERM",
  ]

  /// The category a match stands for, filling in derived captures (`signal`, `dependency`).
  /// Returns nil when the match is no crash at all (exit status 0).
  static func category(of pattern: Pattern, captures: inout [String: String]) -> CrashCategory? {
    if let port = captures["port"], captures["dependency"] == nil, let dependency = dependency(port: port) {
      captures["dependency"] = dependency
    }
    guard pattern.interpretation == .exitStatus else { return pattern.category }
    var signalNumber: Int?
    if let signal = captures["signal"] {
      if let number = Int(signal) {
        signalNumber = number
      } else {
        let name = signal.uppercased().hasPrefix("SIG") ? signal.uppercased() : "SIG" + signal.uppercased()
        signalNumber = signalNames.first { $0.value == name }?.key ?? (name == "SIGKIL" ? 9 : nil)
        if name == "SIGKILL" || name == "SIGKIL" { signalNumber = 9 }
      }
    }
    if signalNumber == nil, let text = captures["exit_code"], let code = Int(text) {
      if code == 0 { return nil }
      if code > 128 && code < 160 { signalNumber = code - 128 }
    }
    guard let number = signalNumber else { return pattern.category }
    if captures["signal"] == nil || Int(captures["signal"]!) != nil, let name = signalNames[number] { captures["signal"] = name }
    switch number {
    case 9: return .killed
    case 15, 2, 1: return .terminated
    case 11, 6, 7, 4, 8: return .segfault
    default: return pattern.category
    }
  }

  /// A dependency named by its well-known port.
  static func dependency(port: String) -> String? {
    switch port {
    case "5432": "postgres"
    case "6379": "redis"
    case "5672", "5671": "rabbitmq"
    case "3306": "mysql"
    case "27017": "mongodb"
    case "9200": "elasticsearch"
    case "11211": "memcached"
    case "9092": "kafka"
    case "80", "443", "8080", "8000", "3000": "http"
    default: nil
    }
  }

  /// A dependency named by the client or text around the match: the first clue of
  /// ``dependencyClues`` that occurs in `text`, ignoring ASCII case.
  /// - Complexity: one prefilter pass over `text`.
  static func dependency(mentionedIn text: UnsafeBufferPointer<UInt8>) -> String? {
    var hits: [LiteralHit] = []
    dependencyFinder.scan(text, into: &hits)
    return hits.map(\.literal).min().map { dependencyClues[$0].1 }
  }

  /// A dependency named by the client or text around the match.
  static func dependency(mentionedIn text: String) -> String? {
    var text = text
    return text.withUTF8 { dependency(mentionedIn: $0) }
  }

  /// Clues in the text and the dependency each names, most telling first.
  static let dependencyClues: [(String, String)] = [
    ("psycopg", "postgres"), ("postgres", "postgres"), ("libpq", "postgres"), ("asyncpg", "postgres"),
    ("redis", "redis"), ("valkey", "redis"), ("amqp", "rabbitmq"), ("pika", "rabbitmq"), ("rabbitmq", "rabbitmq"),
    ("kombu", "rabbitmq"), ("mysql", "mysql"), ("mariadb", "mysql"), ("mongo", "mongodb"),
    ("elasticsearch", "elasticsearch"), ("kafka", "kafka"), ("http://", "http"), ("https://", "http"),
    ("urllib3", "http"), ("requests.", "http"), ("aiohttp", "http"), ("axios", "http"),
  ]

  /// Finds every clue of ``dependencyClues`` in one pass.
  static let dependencyFinder = LiteralPrefilter(literals: dependencyClues.map(\.0))

  /// The categories a traceback's final exception may carry instead of `traceback`.
  static let specificCategories: Set<CrashCategory> = [.oom, .connectionRefused, .segfault, .deadlock, .config, .missingBinary, .timeout]

  /// Settles one event's findings: a traceback takes the category of its final exception,
  /// at most one finding per category survives, and each gets its fingerprint.
  static func settle(_ matches: [Finding], event: Event, text: UnsafeBufferPointer<UInt8>) -> [Finding] {
    var findings = matches
    let trace = event.language.map { TracebackReader.read(text, language: $0) }
    // Where the final exception's section starts (Python: the last "Traceback" block).
    let finalSection = trace?.finalSectionOffset ?? 0

    // A traceback takes the category of its final exception: specific evidence (OOM,
    // connection refused …) inside the final section replaces the generic traceback finding;
    // specific evidence in an earlier, chained section is the root cause, not the verdict.
    if let trace {
      // Chained sections lie between the first and the final traceback; a header line before
      // the first one describes the final exception.
      let firstSection = trace.firstSectionOffset
      func isChained(_ finding: Finding) -> Bool { finding.matchOffset >= firstSection && finding.matchOffset < finalSection }
      let hasTraceback = findings.contains { $0.category == .traceback }
      let upgraded = findings.contains { specificCategories.contains($0.category) && !isChained($0) }
      let chainedCategory = findings.first { specificCategories.contains($0.category) && isChained($0) }?.category
      if upgraded {
        findings.removeAll { $0.category == .traceback }
      }
      if hasTraceback || upgraded {
        findings.removeAll { specificCategories.contains($0.category) && isChained($0) }
      }
      for index in findings.indices {
        if findings[index].captures["language"] == nil { findings[index].captures["language"] = event.language?.rawValue }
        if let type = trace.exceptionType, findings[index].captures["exception_type"] == nil { findings[index].captures["exception_type"] = type }
        if let message = trace.message, findings[index].captures["message"] == nil { findings[index].captures["message"] = message }
        if let root = trace.rootCause, root != trace.exceptionType { findings[index].captures["root_cause"] = root }
        if let category = chainedCategory, hasTraceback || upgraded {
          findings[index].captures["root_cause_category"] = category.rawValue
        }
        // The frame nearest the exception: Python prints it last ("most recent call last"),
        // every other language first.
        let nearest = event.language == .python ? trace.inAppFrames.last : trace.inAppFrames.first
        if let frame = nearest { findings[index].captures["top_frame"] = frame }
      }
    }
    for index in findings.indices where findings[index].category == .connectionRefused && findings[index].captures["dependency"] == nil {
      // The refusing line usually names its client; otherwise the rest of a multi-line event may.
      findings[index].captures["dependency"] =
        dependency(mentionedIn: findings[index].matchedText) ?? (event.lineCount > 1 ? dependency(mentionedIn: text) : nil)
    }

    // One finding per category: the most confident, then catalog order.
    var settled: [Finding]
    if findings.count == 1 {
      settled = findings
    } else {
      var best: [CrashCategory: Int] = [:]
      for index in findings.indices {
        let (category, confidence) = (findings[index].category, findings[index].confidence)
        if let current = best[category], findings[current].confidence >= confidence { continue }
        best[category] = index
      }
      settled = best.values.sorted().map { findings[$0] }.sorted { $0.category < $1.category }
    }
    for index in settled.indices {
      settled[index].fingerprint = Fingerprint.make(for: settled[index], trace: trace)
    }
    return settled
  }
}
