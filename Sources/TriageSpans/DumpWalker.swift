import TriageInput
import TriageUnwrapping

/// Where a unit sits in the document, which says what it is.
enum UnitContext {
  case jaegerTrace, resourceSpans, resourceLogs, jaegerSpan, summary
  /// An element of a top-level array: a Zipkin span, a Jaeger span or an OTLP document.
  case arrayElement
}

/// Walks the outer structure of a dump and hands each unit to its decoder.
struct DumpWalker {
  let window: StreamWindow
  let store: SpanStore
  let source: UInt16
  let maximumUnitLength: Int
  let logRecord: (SpanDumpLogRecord) -> Void
  var statistics = SpanDumpReader.Statistics()
  var tree = JSONTree()

  init(window: StreamWindow, store: SpanStore, source: UInt16, maximumUnitLength: Int, logRecord: @escaping (SpanDumpLogRecord) -> Void) {
    self.window = window
    self.store = store
    self.source = source
    self.maximumUnitLength = maximumUnitLength
    self.logRecord = logRecord
  }

  /// One document after another (JSON lines, or concatenated documents).
  mutating func walkDocuments() throws(InputError) {
    while true {
      let next: UInt8?
      do {
        try window.skipWhitespace()
        next = try window.current()
      } catch {
        if case .input(let failure) = error { throw failure }
        return
      }
      guard var byte = next else { return }
      if byte == 0xEF && window.absoluteOffset == 0 {
        // A UTF-8 byte order mark (editors on Windows write one).
        do {
          try window.advance(); try window.advance(); try window.advance()
          try window.skipWhitespace()
          guard let after = try window.current() else { return }
          byte = after
        } catch {
          if case .input(let failure) = error { throw failure }
          return
        }
      }
      do throws(WalkError) {
        switch byte {
        case UInt8(ascii: "{"): try walkTopObject()
        case UInt8(ascii: "["): try walkTopArray()
        default: throw WalkError.syntax(DumpSyntax(reason: "expected '{' or '[' (this is not JSON)"))
        }
      } catch {
        switch error {
        case .input(let failure): throw failure
        case .syntax(let syntax):
          statistics.skippedUnits += 1
          statistics.warn("byte \(window.absoluteOffset): \(syntax.reason); skipped to the next line.")
          // Resynchronise at the next line: JSON lines recover, a broken document ends.
          let more: Bool
          do { more = try window.skipPastLineBreak() } catch {
            if case .input(let failure) = error { throw failure }
            return
          }
          guard more else { return }
        }
      }
    }
  }

  /// A top-level object: a Jaeger trace as one unit, or an envelope whose arrays hold units.
  mutating func walkTopObject() throws(WalkError) {
    window.discardConsumed()
    try window.advance()  // {
    try window.skipWhitespace()
    if try window.current() == UInt8(ascii: "\""), let key = try window.readString(),
      key == Array("traceID".utf8) || key == Array("traceId".utf8)
    {
      window.position = window.mark
      try unit(.jaegerTrace)
      return
    }
    window.position = window.mark
    try walkEnvelope()
  }

  /// The members of an envelope object at the cursor: arrays of units under known keys,
  /// nested envelopes under `result` and `trace`, anything else skipped.
  mutating func walkEnvelope() throws(WalkError) {
    try window.expect(UInt8(ascii: "{"))
    try window.skipWhitespace()
    if try window.current() == UInt8(ascii: "}") { try window.advance(); return }
    while true {
      try window.skipWhitespace()
      guard try window.current() == UInt8(ascii: "\""), let key = try window.readString() else {
        throw .syntax(DumpSyntax(reason: "expected a member name"))
      }
      try window.skipWhitespace()
      try window.expect(UInt8(ascii: ":"))
      try window.skipWhitespace()
      let value = try window.current()
      let context = Self.context(forKey: key)
      if let context, value == UInt8(ascii: "[") {
        try walkUnits(context)
      } else if value == UInt8(ascii: "{"), key == Array("result".utf8) || key == Array("trace".utf8) {
        try walkEnvelope()
      } else {
        try skipValue()
      }
      try window.skipWhitespace()
      if try window.current() == UInt8(ascii: ",") { try window.advance(); continue }
      try window.expect(UInt8(ascii: "}"))
      return
    }
  }

  static func context(forKey key: [UInt8]) -> UnitContext? {
    switch String(decoding: key, as: UTF8.self) {
    case "data": .jaegerTrace
    case "resourceSpans", "batches": .resourceSpans
    case "resourceLogs": .resourceLogs
    case "spans": .jaegerSpan
    case "summaries": .summary
    default: nil
    }
  }

  /// A top-level array: its elements (or the elements of its inner arrays) are units.
  mutating func walkTopArray() throws(WalkError) {
    try window.advance()  // [
    while true {
      try window.skipWhitespace()
      guard let byte = try window.current() else { throw .syntax(DumpSyntax(reason: "the array is not closed")) }
      if byte == UInt8(ascii: "]") { try window.advance(); return }
      if byte == UInt8(ascii: "[") {
        try walkUnits(.arrayElement)
      } else {
        try unit(.arrayElement)
      }
      try window.skipWhitespace()
      if try window.current() == UInt8(ascii: ",") { try window.advance() }
    }
  }

  /// The elements of the array at the cursor, each a unit.
  mutating func walkUnits(_ context: UnitContext) throws(WalkError) {
    try window.advance()  // [
    while true {
      try window.skipWhitespace()
      guard let byte = try window.current() else { throw .syntax(DumpSyntax(reason: "the array is not closed")) }
      if byte == UInt8(ascii: "]") { try window.advance(); return }
      try unit(context)
      try window.skipWhitespace()
      if try window.current() == UInt8(ascii: ",") { try window.advance() }
    }
  }

  mutating func skipValue() throws(WalkError) {
    guard try window.scanValue(maximumLength: maximumUnitLength) else {
      throw .syntax(DumpSyntax(reason: "the JSON ends inside a value"))
    }
  }

  /// Parses the value at the cursor as one unit and decodes it.
  mutating func unit(_ context: UnitContext) throws(WalkError) {
    window.discardConsumed()
    let offset = window.absoluteOffset
    guard try window.scanValue(maximumLength: maximumUnitLength) else {
      throw .syntax(DumpSyntax(reason: "the JSON ends inside a value (truncated dump?)"))
    }
    // A byte that starts no value (a stray bracket, a NUL) would be met again and again.
    guard window.absoluteOffset > offset else { throw .syntax(DumpSyntax(reason: "expected a value")) }
    statistics.units += 1
    let bytes = window.bytes(from: window.mark, to: window.position)
    do {
      try tree.parse(bytes)
    } catch {
      statistics.skippedUnits += 1
      statistics.warn("byte \(offset + error.offset): \(error.reason); this unit was skipped.")
      return
    }
    if !decode(context, tree.root) { statistics.skippedUnits += 1 }
  }

  /// Decodes a parsed unit; false when it held nothing readable.
  mutating func decode(_ context: UnitContext, _ root: JSONTree.Index) -> Bool {
    switch context {
    case .jaegerTrace:
      let count = JaegerDecoder.decodeTrace(tree, root, into: store, source: source)
      statistics.spans += count
      return tree.value(root, "spans") != nil
    case .resourceSpans:
      statistics.spans += OTLPDecoder.decodeResourceSpans(tree, root, into: store, source: source)
      return true
    case .resourceLogs:
      let emit = logRecord
      statistics.logRecords += OTLPDecoder.decodeResourceLogs(tree, root, strings: store.strings) { emit($0) }
      return true
    case .jaegerSpan:
      let read = JaegerDecoder.decodeSpan(tree, root, processes: [:], into: store, source: source)
      if read { statistics.spans += 1 }
      return read
    case .summary:
      guard let summary = Self.summary(tree, root) else { return false }
      store.append(summary)
      statistics.summaries += 1
      return true
    case .arrayElement:
      return decodeArrayElement(root)
    }
  }

  /// An element of a top-level array, told apart by its members.
  mutating func decodeArrayElement(_ root: JSONTree.Index) -> Bool {
    guard tree.kind(root) == .object else { return false }
    if let list = tree.value(root, "resourceSpans") {
      tree.forEachElement(list) { element in statistics.spans += OTLPDecoder.decodeResourceSpans(tree, element, into: store, source: source) }
      return true
    }
    if let list = tree.value(root, "resourceLogs") {
      let emit = logRecord
      tree.forEachElement(list) { element in statistics.logRecords += OTLPDecoder.decodeResourceLogs(tree, element, strings: store.strings) { emit($0) } }
      return true
    }
    if tree.value(root, "spans") != nil {
      statistics.spans += JaegerDecoder.decodeTrace(tree, root, into: store, source: source)
      return true
    }
    let read: Bool
    if tree.value(root, "id") != nil {
      read = ZipkinDecoder.decodeSpan(tree, root, into: store, source: source)
    } else {
      read = JaegerDecoder.decodeSpan(tree, root, processes: [:], into: store, source: source)
    }
    if read { statistics.spans += 1 }
    return read
  }

  static func summary(_ tree: JSONTree, _ object: JSONTree.Index) -> TraceSummary? {
    guard let traceID = tree.traceID(tree.value(object, "traceId")) else { return nil }
    var services: [String] = []
    if let list = tree.value(object, "services") {
      tree.forEachElement(list) { service in if let name = tree.nonEmptyString(tree.value(service, "name")) { services.append(name) } }
    }
    func count(_ key: StaticString) -> Int { Int(clamping: tree.unsignedInteger(tree.value(object, key)) ?? 0) }
    return TraceSummary(
      traceID: traceID, spanCount: count("spanCount"), errorSpanCount: count("errorSpanCount"), orphanSpanCount: count("orphanSpanCount"),
      rootService: tree.nonEmptyString(tree.value(object, "rootServiceName")), rootOperation: tree.nonEmptyString(tree.value(object, "rootOperationName")),
      start: Int64(clamping: tree.unsignedInteger(tree.value(object, "minStartTimeUnixNano")) ?? 0),
      end: Int64(clamping: tree.unsignedInteger(tree.value(object, "maxEndTimeUnixNano")) ?? 0), services: services)
  }
}

/// A structural error in a dump's outer JSON.
struct DumpSyntax: Error {
  let reason: String
}

/// Errors while walking: the dump's syntax, or the stream's.
enum WalkError: Error {
  case syntax(DumpSyntax)
  case input(InputError)
}
