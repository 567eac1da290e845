import TriageAssembly
import TriageInput

/// What a stack trace says: its final exception, the chained root cause, and its frames.
///
/// Frames are `module:function` (the module is the file's base name or the class/package, no
/// line numbers); in-app frames leave out libraries and runtimes (site-/dist-packages,
/// node_modules and `node:` internals, `java.`/`jdk.`/`sun.`…, Go's runtime and module cache,
/// gems, PHP's vendor/, `System.`/`Microsoft.`, Rust's std/core), as Sentry does.
struct TracebackReader {
  var exceptionType: String?
  var message: String?
  var rootCause: String?
  /// The frames in order (JVM, JavaScript, .NET: at least the first
  /// ``Fingerprint/frameLimit``, which is all a fingerprint uses).
  var frames: [String] = []
  /// The in-app frames in order (JVM, JavaScript, .NET: the first ``Fingerprint/frameLimit``).
  var inAppFrames: [String] = []
  /// Byte offset where the section of the reported exception starts.
  var finalSectionOffset = 0
  /// Byte offset of the first section (Python: the first `Traceback`). Evidence between it and
  /// the final section is a chained root cause; a header line before it describes the final
  /// exception.
  var firstSectionOffset = 0

  /// Reads a trace from its bytes. Python, by far the most common in worker logs, is read
  /// on the bytes directly; the other languages go through `String`.
  static func read(_ bytes: UnsafeBufferPointer<UInt8>, language: TraceLanguage) -> TracebackReader {
    if language == .python {
      var reader = TracebackReader()
      reader.readPython(bytes)
      return reader
    }
    return read(bytes.string, language: language)
  }

  static func read(_ text: String, language: TraceLanguage) -> TracebackReader {
    var reader = TracebackReader()
    var lines: [(offset: Int, text: Substring)] = []
    var offset = 0
    for line in text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false) {
      lines.append((offset, Substring(line)))
      offset += line.count + 1
    }
    switch language {
    case .python:
      var bytes = Array(text.utf8)
      bytes.withUnsafeMutableBufferPointer { reader.readPython(UnsafeBufferPointer($0)) }
    case .pythonFatal: reader.readPythonFatal(lines)
    case .java, .javascript, .dotnet: reader.readJVM(lines, language: language)
    case .go: reader.readGo(lines)
    case .ruby: reader.readRuby(lines)
    case .php: reader.readPHP(lines)
    case .rust: reader.readRust(lines)
    case .dart: reader.readDart(lines)
    case .nodeFatal:
      reader.exceptionType = "JavaScript heap out of memory"
      reader.message = lines.first { $0.text.contains("FATAL ERROR:") }.map { String($0.text.trimmedBlanks) }
    }
    return reader
  }

  // MARK: - Python

  /// Python on bytes: the final section starts at the last `Traceback (most recent call last):`;
  /// its last unindented `Type: message` line is the exception; the first section's is the
  /// root cause; `File "…", line N, in f` lines are the frames.
  private mutating func readPython(_ bytes: UnsafeBufferPointer<UInt8>) {
    var lines: [Range<Int>] = []
    var start = 0
    while start <= bytes.count {
      let end = bytes.firstIndex(of: 0x0A, from: start) ?? bytes.count
      lines.append(start..<end)
      start = end + 1
    }
    func line(_ index: Int) -> UnsafeBufferPointer<UInt8> { bytes.slice(lines[index].lowerBound, lines[index].upperBound) }
    let starts = lines.indices.filter {
      let text = line($0)
      return text.hasSuffix("Traceback (most recent call last):") || text.hasSuffix("Traceback (most recent call last):\r")
    }
    guard let last = starts.last, let firstStart = starts.first else { return }
    finalSectionOffset = lines[last].lowerBound
    firstSectionOffset = lines[firstStart].lowerBound
    func exception(in range: Range<Int>) -> (String, String?)? {
      var found: (String, String?)?
      for index in range {
        let text = line(index)
        guard text.count > 0, text[0] != 0x20, text[0] != 0x09 else { continue }
        if let parsed = Self.pythonException(text) { found = parsed }
      }
      return found
    }
    if let (type, message) = exception(in: (last + 1)..<lines.count) {
      exceptionType = type
      self.message = message
    }
    if starts.count > 1, let (root, _) = exception(in: (starts[0] + 1)..<starts[1]) { rootCause = root }
    for index in (last + 1)..<lines.count {
      if let frame = Self.pythonFrame(line(index)) {
        frames.append(frame.name)
        if frame.inApp { inAppFrames.append(frame.name) }
      }
    }
  }

  /// `Type: message` or a bare dotted `Type` (bytes).
  static func pythonException(_ line: UnsafeBufferPointer<UInt8>) -> (String, String?)? {
    var index = 0
    while index < line.count, line[index].isWordByte || line[index] == 0x2E { index += 1 }
    guard index > 0, line[0].isWordByte, !line[0].isDigitByte, line[index - 1] != 0x2E else { return nil }
    if index == line.count { return (line.slice(0, index).string, nil) }
    guard line[index] == 0x3A else { return nil }
    let messageStart = line.skippingBlanks(from: index + 1)
    let message = messageStart < line.count ? line.suffix(from: messageStart).string : nil
    return (line.slice(0, index).string, message)
  }

  /// `  File "/app/tasks.py", line 74, in enhance_ticket` (or faulthandler's `line 74 in f`), on bytes.
  static func pythonFrame(_ line: UnsafeBufferPointer<UInt8>) -> (name: String, inApp: Bool)? {
    let indent = line.skippingBlanks()
    guard line.matches("File \"", at: indent), let close = line.firstIndex(of: 0x22, from: indent + 6) else { return nil }
    let path = line.slice(indent + 6, close)
    // The function follows the last " in ".
    var inAt = -1
    var index = line.count - 4
    while index > close {
      if line.matches(" in ", at: index) { inAt = index; break }
      index -= 1
    }
    guard inAt > 0 else { return nil }
    var functionEnd = line.count
    while functionEnd > inAt + 4, line[functionEnd - 1] == 0x20 || line[functionEnd - 1] == 0x0D { functionEnd -= 1 }
    let function = line.slice(inAt + 4, functionEnd).string
    var baseStart = path.count
    while baseStart > 0, path[baseStart - 1] != 0x2F { baseStart -= 1 }
    var baseEnd = path.count
    if path.hasSuffix(".py") { baseEnd -= 3 }
    let module = path.slice(baseStart, max(baseStart, baseEnd)).string
    let inApp = !(path.contains("site-packages/") || path.contains("dist-packages/") || path.hasPrefix("/usr/lib/python")
      || path.hasPrefix("/usr/local/lib/python") || path.hasPrefix("<frozen"))
    return ("\(module):\(function)", inApp)
  }

  private mutating func readPythonFatal(_ lines: [(offset: Int, text: Substring)]) {
    if let header = lines.first(where: { $0.text.hasPrefix("Fatal Python error: ") }) {
      exceptionType = "Fatal Python error"
      message = String(header.text.dropFirst("Fatal Python error: ".count))
    }
    // The first thread block is the current (crashing) thread.
    for line in lines {
      if line.text.hasPrefix("Thread 0x") && !frames.isEmpty { break }
      if let frame = Self.pythonFrame(line.text) {
        frames.append(frame.name)
        if frame.inApp { inAppFrames.append(frame.name) }
      }
    }
  }

  /// `Type: message` or a bare dotted `Type`, the last line of a Python traceback.
  static func pythonException(_ line: Substring) -> (String, String?)? {
    let trimmed = line.trimmedBlanks
    let head = trimmed.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
    let type = String(head[0])
    guard !type.isEmpty, type.first!.isLetter || type.first == "_",
      type.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }), !type.hasSuffix(".")
    else { return nil }
    let message = head.count > 1 ? head[1].trimmedBlanks : nil
    return (type, message?.isEmpty == true ? nil : message)
  }

  /// `  File "/app/tasks.py", line 74, in enhance_ticket` (or faulthandler's `line 74 in f`).
  static func pythonFrame(_ line: Substring) -> (name: String, inApp: Bool)? {
    let trimmed = line.drop { $0 == " " || $0 == "\t" }
    guard trimmed.hasPrefix("File \""), let close = trimmed.dropFirst(6).firstIndex(of: "\"") else { return nil }
    let path = String(trimmed[trimmed.index(trimmed.startIndex, offsetBy: 6)..<close])
    guard let inRange = trimmed.range(of: " in ", options: .backwards) else { return nil }
    let function = trimmed[inRange.upperBound...].trimmedBlanks
    let module = moduleName(path, extensions: [".py"])
    let inApp = !(path.contains("site-packages/") || path.contains("dist-packages/") || path.hasPrefix("/usr/lib/python")
      || path.hasPrefix("/usr/local/lib/python") || path.hasPrefix("<frozen"))
    return ("\(module):\(function)", inApp)
  }

  // MARK: - JVM, JavaScript, .NET

  private mutating func readJVM(_ lines: [(offset: Int, text: Substring)], language: TraceLanguage) {
    for line in lines {
      let trimmed = line.text.withoutBlanks
      if trimmed.startsWithBytes("at ") || trimmed.startsWithBytes("eval at ") {
        // Fingerprints use the first frames, or the in-app ones: past the first few, a
        // library frame is not even named, and past the first few in-app ones no frame is read
        // (a Java trace of 150 frames is mostly frames nothing reads).
        guard inAppFrames.count < Fingerprint.frameLimit else { continue }
        let needsName = frames.count < Fingerprint.frameLimit
        if let frame = Self.jvmFrame(trimmed, language: language, namingLibraryFrames: needsName) {
          if needsName || frame.inApp { frames.append(frame.name) }
          if frame.inApp { inAppFrames.append(frame.name) }
        }
        continue
      }
      if trimmed.startsWithBytes("...") { continue }  // "... 12 more", "... 45 common frames omitted"
      // Once the exception is known, only a cause line can add anything.
      let isCause = trimmed.startsWithBytes("Caused by:") || trimmed.startsWithBytes("---> ")
      guard isCause || exceptionType == nil, let (type, message) = Self.jvmException(trimmed) else { continue }
      if isCause {
        rootCause = type
      } else {
        exceptionType = type
        self.message = message
      }
    }
  }

  /// `pkg.SomeException: message`, `Exception in thread "x" pkg.Error`, `TypeError: msg`,
  /// `Caused by: …`, `Unhandled exception. System.X: msg`, `---> System.X: msg`.
  static func jvmException(_ line: Substring) -> (String, String?)? {
    var rest = line
    for prefix in ["Caused by: ", "Suppressed: ", "Unhandled exception. ", "Unhandled Exception: ", "---> "] where rest.startsWithBytes(prefix) {
      rest = rest.dropFirst(prefix.count)
    }
    if rest.startsWithBytes("Exception in thread \""), let close = rest.dropFirst(21).firstIndex(of: "\"") {
      rest = rest[rest.index(after: close)...].drop { $0 == " " }
    }
    // Skip a log header ("... ERROR c.x.Y - "): look for the first token ending like an exception type.
    for token in rest.splitBytes(0x20) {
      var type = token
      var hasColon = false
      if type.utf8.last == 0x3A { type = type.dropLast(); hasColon = true }
      let name = type.utf8.lastIndex(of: 0x2E).map { type[type.utf8.index(after: $0)...] } ?? type
      guard name.hasSuffix("Exception") || name.hasSuffix("Error") || name.hasSuffix("Throwable") || name == "Error",
        type.utf8.allSatisfy(isTypeNameByte) || type.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "$" })
      else { continue }
      var message: String?
      if hasColon {
        // The token is a slice of `rest`: the message is what follows it.
        message = rest[token.endIndex...].trimmedBlanks
        if let arrow = message?.byteRange(of: " ---> ") { message = String(message![..<arrow.lowerBound]) }
        // A stack inside a JSON string (`"stack":"Error: msg\n    at …"`): the message ends at
        // the first escaped line break or at the string's closing quote.
        if line.byteRange(of: "\":\"") != nil {
          for end: StaticString in ["\\n", "\",\"", "\"}"] {
            if let cut = message?.byteRange(of: end) { message = String(message![..<cut.lowerBound]) }
          }
        }
      }
      return (String(type), message?.isEmpty == true ? nil : message)
    }
    return nil
  }

  /// An ASCII letter or digit, `.`, `_` or `$`: the bytes of a type name (a fast path; other
  /// letters are checked as characters).
  private static func isTypeNameByte(_ byte: UInt8) -> Bool {
    (byte | 0x20) &- 0x61 < 26 || byte &- 0x30 < 10 || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "$")
  }

  /// A frame: `at pkg.Class.method(File.java:10)`, `at fn (/app/x.js:1:2)`, `at Ns.C.M() in f.cs:line 3`.
  /// - Parameter namingLibraryFrames: false to skip building the name of a library frame
  ///   (it is then empty): the in-app test is cheaper than the name.
  static func jvmFrame(_ line: Substring, language: TraceLanguage, namingLibraryFrames: Bool) -> (name: String, inApp: Bool)? {
    var body = line
    if body.startsWithBytes("eval at ") { body = body.dropFirst(8) } else { body = body.dropFirst(3) }
    if body.startsWithBytes("async ") { body = body.dropFirst(6) }
    if body.startsWithBytes("new ") { body = body.dropFirst(4) }
    if language == .javascript {
      // "fn (location)" or "location"
      var function: Substring = "<anonymous>"
      var location = body
      if let open = body.byteRange(of: " (") {
        function = body[..<open.lowerBound]
        location = body[open.upperBound...].dropLast(body.hasSuffix(")") ? 1 : 0)
      }
      let inApp = !(location.contains("node_modules/") || location.hasPrefix("node:") || location.hasPrefix("internal/")
        || location.contains("<anonymous>") || location == "native")
      guard inApp || namingLibraryFrames else { return ("", false) }
      let path = String(location.splitBytes(0x3A).first ?? location)
      let shortFunction = function.splitBytes(0x2E).last.map(String.init) ?? String(function)
      return ("\(moduleName(path, extensions: [".js", ".mjs", ".cjs", ".ts"])):\(shortFunction)", inApp)
    }
    let signature = (body.utf8.firstIndex(of: UInt8(ascii: "(")).map { body[..<$0] } ?? body).withoutBlanks
    let inApp = !jvmLibraries.contains { signature.startsWithBytes($0) }
    guard inApp || namingLibraryFrames else { return ("", false) }
    let parts = signature.splitBytes(0x2E)
    guard parts.count >= 2 else { return (String(signature), true) }
    return ("\(parts[parts.count - 2]):\(parts[parts.count - 1])", inApp)
  }

  /// Package prefixes of JVM and .NET runtimes and common frameworks: not in-app.
  static let jvmLibraries = [
    "java.", "javax.", "jdk.", "sun.", "com.sun.", "kotlin.", "scala.", "org.springframework.", "org.apache.",
    "io.netty.", "org.eclipse.jetty.", "org.mortbay.", "System.", "Microsoft.", "java.base/",
  ]

  // MARK: - Go

  private mutating func readGo(_ lines: [(offset: Int, text: Substring)]) {
    for line in lines {
      for prefix in ["panic: ", "fatal error: "] where line.text.hasPrefix(prefix) && exceptionType == nil {
        exceptionType = String(prefix.dropLast(2))
        message = String(line.text.dropFirst(prefix.count))
      }
      if exceptionType == nil, let range = line.text.range(of: "http: panic serving ") {
        exceptionType = "panic"
        message = line.text[range.upperBound...].split(separator: ":", maxSplits: 2).dropFirst(2).first.map { $0.trimmedBlanks }
      }
    }
    // Frames of the first goroutine: a function line, then its indented file line.
    var inFirstGoroutine = false
    var pendingFunction: String?
    for line in lines {
      let text = line.text
      if text.hasPrefix("goroutine ") {
        if inFirstGoroutine { break }
        inFirstGoroutine = true
        continue
      }
      guard inFirstGoroutine else { continue }
      if text.hasPrefix("\t") || text.hasPrefix(" ") {
        guard let function = pendingFunction else { continue }
        let file = text.trimmedBlanks.split(separator: ":").first.map(String.init) ?? ""
        let short = function.split(separator: "/").last.map(String.init) ?? function
        let inApp = !(file.hasPrefix("/usr/local/go/src/") || file.contains("/go/pkg/mod/") || function.hasPrefix("runtime.")
          || function == "panic" || file.contains("/goroot/") || file.contains("/src/runtime/"))
        frames.append(short)
        if inApp { inAppFrames.append(short) }
        pendingFunction = nil
      } else if text.hasPrefix("created by ") {
        pendingFunction = nil
      } else if let open = text.lastIndex(of: "("), text.hasSuffix(")") {
        pendingFunction = String(text[..<open])
      }
    }
  }

  // MARK: - Ruby, PHP, Rust, Dart

  private mutating func readRuby(_ lines: [(offset: Int, text: Substring)]) {
    guard let first = lines.first?.text.trimmedBlanks else { return }
    if first.hasSuffix(")"), let open = first.range(of: " (", options: .backwards), first.contains(":in ") {
      // classic: file:18:in `m': message (Class)
      exceptionType = String(first[open.upperBound...].dropLast())
      let head = first[..<open.lowerBound]
      if let colon = head.range(of: "': ") ?? head.range(of: "`: ") { message = String(head[colon.upperBound...]) }
    } else if first.hasSuffix("):"), let open = first.range(of: " (") {
      exceptionType = String(first[..<open.lowerBound])
      message = String(first[open.upperBound...].dropLast(2))
    }
    for line in lines {
      var text = line.text.trimmedBlanks
      if text.hasPrefix("from ") { text = String(text.dropFirst(5)) }
      guard let inRange = text.range(of: ":in ") else { continue }
      let path = String(text[..<inRange.lowerBound].split(separator: ":").first ?? "")
      let method = text[inRange.upperBound...].trimmed(of: "`' ").split(separator: "'").first.map(String.init) ?? ""
      let name = "\(Self.moduleName(path, extensions: [".rb"])):\(method.replacingOccurrences(of: "block in ", with: ""))"
      frames.append(name)
      if !(path.contains("/gems/") || path.contains("vendor/bundle") || text.contains(") lib/")) { inAppFrames.append(name) }
    }
  }

  private mutating func readPHP(_ lines: [(offset: Int, text: Substring)]) {
    for line in lines {
      let text = String(line.text)
      if exceptionType == nil, let range = text.range(of: "Uncaught ") {
        let rest = text[range.upperBound...]
        exceptionType = rest.split(separator: ":").first.map(String.init)?.split(separator: " ").first.map(String.init)
        message = rest.split(separator: ":", maxSplits: 1).dropFirst().first.map { $0.trimmedBlanks }
      } else if exceptionType == nil, let range = text.range(of: "exception '") {
        let rest = text[range.upperBound...]
        exceptionType = rest.split(separator: "'").first.map(String.init)
        if let messageRange = rest.range(of: "with message '") {
          message = rest[messageRange.upperBound...].split(separator: "'").first.map(String.init)
        }
      }
      let trimmed = text.trimmedBlanks
      guard trimmed.hasPrefix("#"), let colon = trimmed.range(of: "): ") else { continue }
      let path = trimmed.split(separator: " ").dropFirst().first.map { String($0.split(separator: "(").first ?? "") } ?? ""
      let function = String(trimmed[colon.upperBound...].split(separator: "(").first ?? "")
      let name = "\(Self.moduleName(path, extensions: [".php"])):\(function)"
      frames.append(name)
      if !path.contains("vendor/") && !path.contains("[internal") { inAppFrames.append(name) }
    }
  }

  private mutating func readRust(_ lines: [(offset: Int, text: Substring)]) {
    guard let header = lines.firstIndex(where: { $0.text.hasPrefix("thread '") }) else { return }
    exceptionType = "panic"
    let text = lines[header].text
    if let old = text.range(of: "panicked at '"), let end = text[old.upperBound...].range(of: "', ", options: .backwards) {
      message = String(text[old.upperBound..<end.lowerBound])
    } else if header + 1 < lines.count {
      message = String(lines[header + 1].text)
    }
    for line in lines {
      let trimmed = line.text.trimmedBlanks
      guard let colon = trimmed.firstIndex(of: ":"), trimmed[..<colon].allSatisfy(\.isNumber), !trimmed[..<colon].isEmpty else { continue }
      var symbol = trimmed[trimmed.index(after: colon)...].trimmedBlanks
      if let dash = symbol.range(of: " - ") { symbol = String(symbol[dash.upperBound...]) }
      if let hash = symbol.range(of: "::h", options: .backwards) { symbol = String(symbol[..<hash.lowerBound]) }
      frames.append(symbol)
      let library = ["std::", "core::", "alloc::", "rust_begin_unwind", "__rust", "<unknown>", "_start", "__libc"]
      if !library.contains(where: { symbol.hasPrefix($0) }) { inAppFrames.append(symbol) }
    }
  }

  private mutating func readDart(_ lines: [(offset: Int, text: Substring)]) {
    if lines.count > 1 {
      let exception = String(lines[1].text)
      let parts = exception.split(separator: ":", maxSplits: 1)
      exceptionType = parts.first.map(String.init)
      message = parts.count > 1 ? parts[1].trimmedBlanks : nil
    }
    for line in lines where line.text.hasPrefix("#") {
      let fields = line.text.split(separator: " ", omittingEmptySubsequences: true)
      guard fields.count >= 3 else { continue }
      let function = String(fields[1])
      let location = fields.last.map { String($0.dropFirst().dropLast()) } ?? ""
      let path = location.replacingOccurrences(of: "file://", with: "").split(separator: ":").first.map(String.init) ?? location
      let name = "\(Self.moduleName(path, extensions: [".dart"])):\(function)"
      frames.append(name)
      if !location.hasPrefix("dart:") { inAppFrames.append(name) }
    }
  }

  /// A file path's base name without its extension.
  static func moduleName(_ path: String, extensions: [String]) -> String {
    var base = path[...].splitBytes(0x2F).last.map(String.init) ?? path
    base = base[...].splitBytes(0x5C).last.map(String.init) ?? base
    for suffix in extensions where base.hasSuffix(suffix) { base = String(base.dropLast(suffix.count)) }
    return base
  }
}

extension Substring {
  /// Without leading and trailing spaces and tabs, as a slice of the same text (no copy).
  var withoutBlanks: Substring {
    let bytes = utf8
    var start = bytes.startIndex
    var end = bytes.endIndex
    while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start = bytes.index(after: start) }
    while end > start, bytes[bytes.index(before: end)] == 0x20 || bytes[bytes.index(before: end)] == 0x09 { end = bytes.index(before: end) }
    return self[start..<end]
  }

  /// Whether the text starts with `prefix`, byte for byte (no Unicode normalisation: much
  /// faster than `hasPrefix` and the same for the ASCII prefixes of stack traces).
  func startsWithBytes(_ prefix: String) -> Bool { utf8.starts(with: prefix.utf8) }

  /// The non-empty pieces between `separator` bytes (an ASCII byte), as slices of the same
  /// text: `split(separator:)` without walking characters.
  func splitBytes(_ separator: UInt8) -> [Substring] { utf8.split(separator: separator).map { Substring($0) } }
}

extension StringProtocol {
  /// Where `needle` first occurs, byte for byte (`memmem`; no Foundation, no Unicode
  /// normalisation).
  func byteRange(of needle: StaticString) -> Range<String.Index>? {
    let searched = utf8.withContiguousStorageIfAvailable { $0.firstIndex(of: needle) }
    guard let offset = searched ?? Array(utf8).withUnsafeBufferPointer({ $0.firstIndex(of: needle) }) else { return nil }
    let start = utf8.index(utf8.startIndex, offsetBy: offset)
    return start..<utf8.index(start, offsetBy: needle.utf8CodeUnitCount)
  }

  /// Without leading and trailing spaces and tabs, as a new string (no Foundation, no bridging).
  var trimmedBlanks: String { trimmed(of: " \t") }

  /// Without leading and trailing characters from `set`.
  func trimmed(of set: String) -> String {
    var start = startIndex
    var end = endIndex
    while start < end, set.contains(self[start]) { start = index(after: start) }
    while end > start, set.contains(self[index(before: end)]) { end = index(before: end) }
    return String(self[start..<end])
  }
}

extension UInt8 {
  fileprivate var isDigitByte: Bool { self &- 0x30 < 10 }
}
