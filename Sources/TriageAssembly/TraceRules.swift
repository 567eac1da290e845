import TriageInput
import TriageUnwrapping

/// Why a single line is held back for a moment: the next line of its stream may make it the
/// first line of a stack trace.
struct HeaderHints: OptionSet, Equatable {
  let rawValue: UInt8
  /// An error-level line: becomes the header of a trace that starts right after it.
  static let errorish = HeaderHints(rawValue: 1 << 0)
  /// `…Exception:`, `…Error`, `Throwable:`, `V8 errors stack trace`: a JVM/JS/.NET trace start
  /// once an `at` frame (or `Caused by:` …) follows.
  static let jvmHeader = HeaderHints(rawValue: 1 << 1)
  /// Rails: `Type (message):`.
  static let rails = HeaderHints(rawValue: 1 << 2)
  /// Classic Ruby: `file.rb:18:in 'm': message (Class)`.
  static let rubyClassic = HeaderHints(rawValue: 1 << 3)
  /// `PHP Fatal error: …` / `exception 'X' with message …`, confirmed by `Stack trace:`.
  static let php = HeaderHints(rawValue: 1 << 4)
  /// Node's uncaught-exception pre-header: `/app/x.js:42`.
  static let nodePreheader = HeaderHints(rawValue: 1 << 5)
  /// Go's `http: panic serving …`, confirmed by a goroutine header.
  static let goHeader = HeaderHints(rawValue: 1 << 6)
}

/// Where an open event of one stream stands in its language's grammar.
enum TraceState: Equatable {
  case candidate(HeaderHints, blanks: Int)
  case pythonFrames
  case pythonAfterException
  case pythonChainGap(sawMessage: Bool)
  /// Inside billiard's `"""`-quoted inner traceback (`ExceptionWithTraceback:`).
  case pythonQuoted
  case jvmFrames
  case jvmNestedException
  case jvmObjectDump(depth: Int)
  case go
  case ruby
  case rails
  case php
  case rust(afterHeader: Bool)
  case dart(headerLines: Int, inStack: Bool)
  case pythonFatal
  case nodeFatal
  case nodePreheader(linesAfter: Int)
}

/// What the next line of a stream does to its open event.
enum TraceTransition: Equatable {
  /// The line belongs to the event; the event goes on in this state (and, coming from a
  /// candidate, in this language).
  case accept(TraceState, TraceLanguage?)
  /// The line belongs to the event and ends it.
  case acceptAndClose
  /// The line does not belong; the event ends before it and the line is tested afresh.
  case reject
}

/// The multi-line rules of shared/reference/crash-signatures.md §5.2, on prefix-stripped
/// payload bytes. All tests are anchored literal checks and byte scans: no regex.
enum TraceRules {
  /// A line that starts a stack trace by itself.
  static func definiteStart(_ line: UnsafeBufferPointer<UInt8>) -> (TraceState, TraceLanguage)? {
    guard line.count >= 7 else { return nil }
    let indent = line.skippingBlanks()
    guard indent < line.count else { return nil }
    switch line[indent] {
    case UInt8(ascii: "T"):
      if line.matches("Traceback (most recent call last):", at: indent) { return (.pythonFrames, .python) }
    case UInt8(ascii: "+"):
      if line.matches("+ Exception Group Traceback (most recent call last):", at: indent) { return (.pythonFrames, .python) }
    case UInt8(ascii: "p"):
      if indent == 0 && line.hasPrefix("panic: ") { return (.go, .go) }
    case UInt8(ascii: "f"):
      if indent == 0 && line.hasPrefix("fatal error: ") { return (.go, .go) }
    case UInt8(ascii: "g"):
      if indent == 0 && line.hasPrefix("goroutine ") && line.isDigit(at: 10) && line[line.count - 1] == UInt8(ascii: ":") {
        return (.go, .go)
      }
    case UInt8(ascii: "t"):
      if indent == 0 && line.hasPrefix("thread '") && line.contains("' panicked at ") { return (.rust(afterHeader: true), .rust) }
    case UInt8(ascii: "U"):
      if line.count == indent + 20 && line.matches("Unhandled exception:", at: indent) { return (.dart(headerLines: 0, inStack: false), .dart) }
      if line.matches("Unhandled exception. ", at: indent) || line.matches("Unhandled Exception: ", at: indent) {
        return (.jvmFrames, .dotnet)
      }
    case UInt8(ascii: "F"):
      if line.matches("Fatal Python error: ", at: indent) { return (.pythonFatal, .pythonFatal) }
      if line.matches("FATAL ERROR: ", at: indent) && line.contains("heap") { return (.nodeFatal, .nodeFatal) }
    case UInt8(ascii: "<"):
      if line.matches("<--- Last few GCs --->", at: indent) { return (.nodeFatal, .nodeFatal) }
    default:
      break
    }
    return nil
  }

  /// Hints that a line may be the first line of a trace that only the next line confirms.
  /// Lines whose level is known to be below warning are never held.
  /// - Complexity: one pass over the line (a byte switch), only for lines of unknown level or
  ///   of level warning and above.
  static func headerHints(_ line: UnsafeBufferPointer<UInt8>, level: LogLevel?) -> HeaderHints {
    var hints: HeaderHints = []
    if let level {
      if level >= .error { hints.insert(.errorish) }
      if level < .warning { return hints }
    }
    let count = line.count
    guard count >= 4 else { return hints }
    var index = 0
    while index < count {
      switch line[index] {
      case UInt8(ascii: "E"):
        if line.matches("Exception", at: index) {
          if endsJVMHeader(line, after: index + 9) { hints.insert(.jvmHeader) }
          hints.insert(.errorish)
          index += 8
        } else if line.matches("Error", at: index) {
          if endsJVMHeader(line, after: index + 5) { hints.insert(.jvmHeader) }
          hints.insert(.errorish)
          index += 4
        } else if line.matches("ERROR", at: index) {
          hints.insert(.errorish)
        }
      case UInt8(ascii: "T"):
        if line.matches("Throwable", at: index), endsJVMHeader(line, after: index + 9) { hints.insert(.jvmHeader) }
      case UInt8(ascii: "V"):
        if line.matches("V8 errors stack trace", at: index) { hints.insert(.jvmHeader) }
      case UInt8(ascii: "e"):
        if line.matches("error", at: index) { hints.insert(.errorish) }
        else if line.matches("exception '", at: index) { hints.insert([.php, .errorish]) }
      case UInt8(ascii: "F"):
        if line.matches("FATAL", at: index) || line.matches("Fatal", at: index) { hints.insert(.errorish) }
      case UInt8(ascii: "C"):
        if line.matches("CRITICAL", at: index) { hints.insert(.errorish) }
      case UInt8(ascii: "S"):
        if line.matches("SEVERE", at: index) { hints.insert(.errorish) }
      case UInt8(ascii: "p"):
        // A whole word only: "tympanic:" is not a panic.
        if line.matches("panic", at: index) && (index == 0 || !line[index - 1].isWordByte) {
          hints.insert([.errorish, .goHeader])
        }
      case UInt8(ascii: "P"):
        if line.matches("PHP ", at: index) { hints.insert([.php, .errorish]) }
      case UInt8(ascii: "U"):
        if line.matches("Unhandled", at: index) { hints.insert(.errorish) }
      case UInt8(ascii: "r"):
        if line.matches("raised", at: index) { hints.insert(.errorish) }
        // Go's "runtime: out of memory: cannot allocate …" comes right before "fatal error:".
        if index == 0 && line.matches("runtime: ", at: 0) { hints.insert(.errorish) }
      case UInt8(ascii: ":"):
        if (line.matches(":in `", at: index) || line.matches(":in '", at: index)) && line.isDigit(at: index - 1) {
          hints.insert(.rubyClassic)
        }
      default:
        break
      }
      index += 1
    }
    if line.hasSuffix("):") && line.contains(" (") { hints.insert(.rails) }
    if isNodePreheader(line) { hints.insert(.nodePreheader) }
    return hints
  }

  /// `Exception`/`Error`/`Throwable` ends a JVM trace header when `:` or the line's end follows.
  static func endsJVMHeader(_ line: UnsafeBufferPointer<UInt8>, after end: Int) -> Bool {
    if end >= line.count { return true }
    if line[end] == UInt8(ascii: ":") { return true }
    return line.skippingBlanks(from: end) == line.count
  }

  /// `/app/worker.js:42`, `node:internal/process/promises:288`, `C:\app\x.js:7`: a script path
  /// (by its extension) or a `node:` module, then `:LINE`, alone on the line.
  static func isNodePreheader(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
    guard line.count >= 4, line.count < 512, line.firstIndex(of: 0x20) == nil,
      line[0] == UInt8(ascii: "/") || line.hasPrefix("node:") || (line.count > 3 && line[1] == UInt8(ascii: ":") && line[2] == UInt8(ascii: "\\"))
    else { return false }
    var index = line.count - 1
    while index > 0 && line.isDigit(at: index) { index -= 1 }
    guard index < line.count - 1 && line[index] == UInt8(ascii: ":") else { return false }
    if line.hasPrefix("node:") { return true }
    let path = line.slice(0, index)
    return path.hasSuffix(".js") || path.hasSuffix(".mjs") || path.hasSuffix(".cjs") || path.hasSuffix(".ts")
      || path.hasSuffix(".jsx") || path.hasSuffix(".tsx")
  }

  /// The transition for the next line of a stream whose event is in `state`.
  static func next(_ state: TraceState, line: UnsafeBufferPointer<UInt8>, isBlank: Bool) -> TraceTransition {
    let indent = isBlank ? line.count : line.skippingBlanks()
    switch state {
    case .candidate(let hints, let blanks):
      if isBlank { return blanks < 2 ? .accept(.candidate(hints, blanks: blanks + 1), nil) : .reject }
      if hints.contains(.errorish) || hints.contains(.goHeader), let (start, language) = definiteStart(line) {
        return .accept(start, language)
      }
      if hints.contains(.jvmHeader), isJVMContinuation(line, indent: indent) {
        if line.matches("nested exception is:", at: indent) { return .accept(.jvmNestedException, .java) }
        // Node prints an error's own properties after its frames: `… (node:net:1555:16) {`.
        return .accept(line.hasSuffix(" {") ? .jvmObjectDump(depth: 1) : .jvmFrames, .java)
      }
      if hints.contains(.goHeader), line.hasPrefix("goroutine ") { return .accept(.go, .go) }
      if hints.contains(.rails), indent > 0, isRubyFrame(line) { return .accept(.rails, .ruby) }
      if hints.contains(.rubyClassic), line.matches("from ", at: indent), indent > 0 { return .accept(.ruby, .ruby) }
      if hints.contains(.php), line.hasPrefix("Stack trace:") || line.hasPrefix("PHP Stack trace:") { return .accept(.php, .php) }
      if hints.contains(.nodePreheader) { return .accept(.nodePreheader(linesAfter: 1), .javascript) }
      return .reject

    case .pythonFrames:
      if isBlank { return .reject }
      if indent > 0 { return .accept(.pythonFrames, nil) }
      if isPythonExceptionLine(line) { return .accept(.pythonAfterException, nil) }
      return .reject

    case .pythonAfterException:
      if isBlank { return .accept(.pythonChainGap(sawMessage: false), nil) }
      if line.hasPrefix("\"\"\"") { return .accept(.pythonQuoted, nil) }
      if indent > 0 || isLibpqContinuation(line) { return .accept(.pythonAfterException, nil) }
      if isPythonChainMessage(line) { return .accept(.pythonChainGap(sawMessage: true), nil) }
      return .reject

    case .pythonQuoted:
      return .accept(line.hasPrefix("\"\"\"") ? .pythonAfterException : .pythonQuoted, nil)

    case .pythonChainGap(let sawMessage):
      if isBlank { return .accept(state, nil) }
      if isPythonChainMessage(line) { return .accept(.pythonChainGap(sawMessage: true), nil) }
      if sawMessage, line.matches("Traceback (most recent call last):", at: indent) { return .accept(.pythonFrames, nil) }
      return .reject

    case .jvmFrames:
      if isBlank { return .accept(.jvmFrames, nil) }
      if isJVMContinuation(line, indent: indent) {
        if line.matches("nested exception is:", at: indent) { return .accept(.jvmNestedException, nil) }
        if line.hasSuffix(" {") { return .accept(.jvmObjectDump(depth: 1), nil) }
        return .accept(.jvmFrames, nil)
      }
      if line.hasPrefix("Node.js v") { return .acceptAndClose }
      return .reject

    case .jvmNestedException:
      return .accept(isBlank ? .jvmNestedException : .jvmFrames, nil)

    case .jvmObjectDump(let depth):
      var balance = depth
      for byte in line {
        if byte == UInt8(ascii: "{") { balance += 1 } else if byte == UInt8(ascii: "}") { balance -= 1 }
      }
      return .accept(balance <= 0 ? .jvmFrames : .jvmObjectDump(depth: min(balance, 64)), nil)

    case .go:
      if isBlank || indent > 0 { return .accept(.go, nil) }
      if line.hasPrefix("exit status ") && line.isDigit(at: 12) { return .acceptAndClose }
      if line.hasPrefix("[signal ") || line.hasPrefix("runtime stack:") || line.hasPrefix("goroutine ")
        || line.hasPrefix("created by ") || line.hasPrefix("runtime: ") || line.hasPrefix("...additional frames elided...")
        || line.hasPrefix("[recovered]") || line.hasPrefix("PC=") || line.hasPrefix("signal arrived")
      {
        return .accept(.go, nil)
      }
      if isGoFunctionLine(line) || isRegisterLine(line) { return .accept(.go, nil) }
      return .reject

    case .ruby:
      return indent > 0 && !isBlank ? .accept(.ruby, nil) : .reject

    case .rails:
      if isBlank { return .accept(.rails, nil) }
      return indent > 0 && isRubyFrame(line) ? .accept(.rails, nil) : .reject

    case .php:
      if line.matches("thrown in ", at: indent) { return .acceptAndClose }
      let frame = line.hasPrefix("PHP ") ? line.skippingBlanks(from: 4) : 0
      if line.matches("#", at: frame) && line.isDigit(at: frame + 1) { return .accept(.php, nil) }
      return .reject

    case .rust(let afterHeader):
      if line.hasPrefix("note: ") { return .acceptAndClose }
      if afterHeader && !isBlank { return .accept(.rust(afterHeader: false), nil) }
      if line.hasPrefix("stack backtrace:") { return .accept(state, nil) }
      if indent > 0 && (line.matches("at ", at: indent) || isNumberedFrame(line, at: indent)) { return .accept(state, nil) }
      return .reject

    case .dart(let headerLines, let inStack):
      if line.hasPrefix("#") && line.isDigit(at: 1) { return .accept(.dart(headerLines: headerLines, inStack: true), nil) }
      if line.hasPrefix("<asynchronous suspension>") { return .accept(state, nil) }
      if !inStack && headerLines < 6 { return .accept(.dart(headerLines: headerLines + 1, inStack: false), nil) }
      return .reject

    case .pythonFatal:
      if isBlank || indent > 0 { return .accept(.pythonFatal, nil) }
      if line.hasPrefix("Current thread 0x") || line.hasPrefix("Thread 0x") || line.hasPrefix("Extension modules:")
        || line.hasPrefix("Python runtime state:") || line.hasPrefix("Stack (most recent call first):")
      {
        return .accept(.pythonFatal, nil)
      }
      if line.contains("Segmentation fault") || line.contains("Aborted") { return .acceptAndClose }
      return .reject

    case .nodeFatal:
      if isBlank || indent > 0 { return .accept(.nodeFatal, nil) }
      if line.contains("Aborted") { return .acceptAndClose }
      if line.hasPrefix("[") || line.hasPrefix("<---") || line.hasPrefix("FATAL ERROR:") || line.hasPrefix("-----")
        || line.hasPrefix("Security context:") || line.hasPrefix("====") || line.hasPrefix(")")
        || isNumberedFrame(line, at: 0)
      {
        return .accept(.nodeFatal, nil)
      }
      return .reject

    case .nodePreheader(let linesAfter):
      if linesAfter < 3 { return .accept(.nodePreheader(linesAfter: linesAfter + 1), nil) }
      if isBlank { return .accept(state, nil) }
      return .accept(line.hasSuffix("{") ? .jvmObjectDump(depth: 1) : .jvmFrames, nil)
    }
  }

  static func isJVMContinuation(_ line: UnsafeBufferPointer<UInt8>, indent: Int) -> Bool {
    if indent > 0 && (line.matches("at ", at: indent) || line.matches("eval at ", at: indent)) { return true }
    if line.matches("Caused by:", at: indent) || line.matches("Suppressed:", at: indent) { return true }
    if line.matches("... ", at: indent) && line.isDigit(at: indent + 4) { return true }
    if line.matches("--- End of ", at: indent) || line.matches("---> ", at: indent) { return true }
    return line.matches("nested exception is:", at: indent)
  }

  /// `Type: message` or a bare `Type` (dotted identifiers), the last line of a Python traceback.
  static func isPythonExceptionLine(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
    var index = 0
    while index < line.count, line[index].isWordByte || line[index] == UInt8(ascii: ".") { index += 1 }
    guard index > 0, line[0] != UInt8(ascii: ".") else { return false }
    return index == line.count || line[index] == UInt8(ascii: ":")
  }

  static func isPythonChainMessage(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
    line.hasPrefix("During handling of the above exception") || line.hasPrefix("The above exception was the direct cause")
  }

  /// libpq/psycopg continuation lines after an exception line.
  static func isLibpqContinuation(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
    line.hasPrefix("DETAIL:") || line.hasPrefix("HINT:") || line.hasPrefix("CONTEXT:") || line.hasPrefix("QUERY:")
      || line.hasPrefix("LINE ") || line.hasPrefix("SQL statement") || line.hasPrefix("could not connect to server")
      || line.hasPrefix("connection to server at ") || line.hasPrefix("WHERE:")
  }

  static func isRubyFrame(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
    line.contains(".rb:") && (line.contains(":in `") || line.contains(":in '"))
  }

  /// `main.main()`, `net/http.(*conn).serve(0xc00007eaa0)`, `runtime.throw({0x60aa31?, …})`.
  static func isGoFunctionLine(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
    guard line.count >= 3, line[line.count - 1] == UInt8(ascii: ")"),
      let open = line.firstIndex(of: UInt8(ascii: "(")), open > 0
    else { return false }
    let space = line.firstIndex(of: 0x20)
    return space == nil || space! > open
  }

  /// Go's register dump after a signal: `rax    0x0`.
  static func isRegisterLine(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
    guard line.count >= 6, line[0].isLowercaseLetter else { return false }
    var index = 0
    while index < line.count && index < 4 && line[index].isWordByte { index += 1 }
    let afterName = line.skippingBlanks(from: index)
    return afterName > index && line.matches("0x", at: afterName)
  }

  /// `  12: 0x…` or `   0: symbol` (Rust backtraces, V8 native stacks).
  static func isNumberedFrame(_ line: UnsafeBufferPointer<UInt8>, at offset: Int) -> Bool {
    var index = offset
    while index < line.count, line.isDigit(at: index) { index += 1 }
    return index > offset && line.matches(": ", at: index)
  }
}
