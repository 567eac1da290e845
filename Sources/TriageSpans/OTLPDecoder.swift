import TriageInput
import TriageUnwrapping

/// Reads OTLP JSON: `ResourceSpans` (spec form with hex ids and integer enums, and Tempo's
/// form with base64 ids and enum names, `scopeSpans` or the older
/// `instrumentationLibrarySpans`) and `ResourceLogs`. See shared/reference/trace-formats.md
/// §2 and §4. 64-bit numbers are read from strings or numbers digit by digit, never as Double.
enum OTLPDecoder {
  /// The identity of the resource that produced spans or logs.
  struct Resource {
    var service: StringTable.ID = 0
    var instance: StringTable.ID = 0
    var serviceName: String?
  }

  /// One `ResourceSpans` element.
  /// - Returns: the number of spans read.
  static func decodeResourceSpans(_ tree: JSONTree, _ resourceSpans: JSONTree.Index, into store: SpanStore, source: UInt16) -> Int {
    let resource = readResource(tree, tree.value(resourceSpans, "resource"), strings: store.strings)
    var count = 0
    let scopes = tree.value(resourceSpans, either: "scopeSpans", or: "instrumentationLibrarySpans")
    guard let scopes else { return 0 }
    tree.forEachElement(scopes) { scope in
      guard let spans = tree.value(scope, "spans") else { return }
      tree.forEachElement(spans) { span in
        if decodeSpan(tree, span, resource: resource, into: store, source: source) { count += 1 }
      }
    }
    return count
  }

  static func decodeSpan(_ tree: JSONTree, _ object: JSONTree.Index, resource: Resource, into store: SpanStore, source: UInt16) -> Bool {
    guard let traceID = tree.traceID(tree.value(object, "traceId")), let spanID = tree.spanID(tree.value(object, "spanId")) else {
      return false
    }
    let strings = store.strings
    var span = Span(traceID: traceID, spanID: spanID)
    span.source = source
    span.service = resource.service
    span.instance = resource.instance
    if let parent = tree.spanID(tree.value(object, "parentSpanId")) { span.parentSpanID = parent }
    if let name = tree.nonEmptyString(tree.value(object, "name")) { span.name = strings.intern(name) }
    let start = tree.unsignedInteger(tree.value(object, "startTimeUnixNano"))
    let end = tree.unsignedInteger(tree.value(object, "endTimeUnixNano"))
    if let start, start > 0 {
      span.start = Int64(clamping: start)
      // A span without an end, or ending before it starts, never ended (a non-SDK producer).
      if let end, end >= start, end > 0 { span.duration = Int64(clamping: end - start) } else { span.flags.insert(.neverEnded) }
    }
    var formatKind: SpanKind?
    if let kind = tree.value(object, "kind") {
      formatKind = tree.kind(kind) == .number ? tree.unsignedInteger(kind).flatMap(SpanKind.init(otlpNumber:)) : SpanKind(name: tree.raw(kind))
    }
    if let flags = tree.unsignedInteger(tree.value(object, "flags")), flags & 0x300 == 0x300 { span.flags.insert(.parentIsRemote) }
    if span.parentSpanID == 0, let links = tree.value(object, "links"), tree.childCount(links) > 0 { span.flags.insert(.followsFrom) }

    if let status = tree.value(object, "status") {
      if let code = tree.value(status, "code") {
        let number = tree.unsignedInteger(code)
        let text = tree.raw(code)
        if number == 2 || text.equals("STATUS_CODE_ERROR") {
          span.status = .error
        } else if number == 1 || text.equals("STATUS_CODE_OK") {
          span.status = .ok
        }
      }
      if let message = tree.nonEmptyString(tree.value(status, "message")) { span.statusMessage = strings.intern(String(message.prefix(500))) }
    }
    var attributes = SpanAttributes()
    if let list = tree.value(object, "attributes") {
      forEachAttribute(tree, list) { key, value in attributes.read(key: key, value: value, in: tree) }
    }
    if attributes.message == nil, span.statusMessage == 0, let events = tree.value(object, "events") {
      tree.forEachElement(events) { event in
        guard attributes.message == nil, let list = tree.value(event, "attributes") else { return }
        forEachAttribute(tree, list) { key, value in
          if key.equals("exception.message") { attributes.message = tree.nonEmptyString(value) }
        }
      }
    }
    attributes.apply(to: &span, strings: strings, formatKind: formatKind)
    store.append(span)
    return true
  }

  /// Calls `body` with each attribute's key and the scalar inside its `AnyValue` (arrays and
  /// key-value lists are passed as they are).
  static func forEachAttribute(_ tree: JSONTree, _ list: JSONTree.Index, _ body: (UnsafeBufferPointer<UInt8>, JSONTree.Index) -> Void) {
    tree.forEachElement(list) { attribute in
      guard let key = tree.value(attribute, "key"), let any = tree.value(attribute, "value") else { return }
      var scalar: JSONTree.Index?
      tree.forEachMember(any) { _, inner in if scalar == nil { scalar = inner } }
      if let scalar { body(tree.raw(key), scalar) }
    }
  }

  static func readResource(_ tree: JSONTree, _ resource: JSONTree.Index?, strings: StringTable) -> Resource {
    var result = Resource()
    guard let resource, let list = tree.value(resource, "attributes") else { return result }
    var instance: String?
    forEachAttribute(tree, list) { key, value in
      if key.equals("service.name") {
        result.serviceName = tree.nonEmptyString(value)
      } else if key.equals("service.instance.id") {
        instance = tree.nonEmptyString(value) ?? instance
      } else if instance == nil && (key.equals("k8s.pod.name") || key.equals("host.name") || key.equals("container.id")) {
        instance = tree.nonEmptyString(value)
      }
    }
    if let name = result.serviceName { result.service = strings.intern(name) }
    if let instance { result.instance = strings.intern(instance) }
    return result
  }

  // MARK: Logs

  /// One `ResourceLogs` element: each log record goes to `body`.
  /// - Returns: the number of records read.
  static func decodeResourceLogs(
    _ tree: JSONTree, _ resourceLogs: JSONTree.Index, strings: StringTable, _ body: (SpanDumpLogRecord) -> Void
  ) -> Int {
    let resource = readResource(tree, tree.value(resourceLogs, "resource"), strings: strings)
    var count = 0
    guard let scopes = tree.value(resourceLogs, either: "scopeLogs", or: "instrumentationLibraryLogs") else { return 0 }
    tree.forEachElement(scopes) { scope in
      guard let records = tree.value(scope, "logRecords") else { return }
      tree.forEachElement(records) { object in
        var record = SpanDumpLogRecord()
        record.service = resource.serviceName
        let time = tree.unsignedInteger(tree.value(object, "timeUnixNano")) ?? 0
        let observed = tree.unsignedInteger(tree.value(object, "observedTimeUnixNano")) ?? 0
        let chosen = time > 0 ? time : observed
        if chosen > 0 { record.time = Timestamp(millisecondsSinceEpoch: Int64(clamping: chosen / 1_000_000)) }
        if let number = tree.unsignedInteger(tree.value(object, "severityNumber")) {
          record.level = LogLevel(otlpSeverity: Int(clamping: number))
        }
        if record.level == nil, let text = tree.value(object, "severityText") {
          record.level = LogLevel(severityText: tree.raw(text))
        }
        record.traceID = tree.traceID(tree.value(object, "traceId"))
        if let bodyValue = tree.value(object, "body") { record.text = bodyText(tree, bodyValue) }
        body(record)
        count += 1
      }
    }
    return count
  }

  /// A log body as text: a string as it is, anything else as its JSON.
  static func bodyText(_ tree: JSONTree, _ any: JSONTree.Index) -> String {
    if let string = tree.value(any, "stringValue") { return tree.string(string) }
    var text = ""
    tree.forEachMember(any) { _, inner in if text.isEmpty { text = String(decoding: tree.raw(inner), as: UTF8.self) } }
    return text
  }
}

/// A log record read from an OTLP logs dump, to be analysed like a log line.
public struct SpanDumpLogRecord: Sendable {
  public var service: String?
  public var time: Timestamp?
  public var level: LogLevel?
  public var traceID: TraceID?
  public var text = ""
}

extension LogLevel {
  /// A severity text: a level word, or a longer spelling (`Information`, `Warning`, `Critical`).
  init?(severityText text: UnsafeBufferPointer<UInt8>) {
    if let level = LogLevel(word: text) {
      self = level
      return
    }
    let head = String(decoding: text.prefix(4), as: UTF8.self).lowercased()
    switch head {
    case "trac", "verb": self = .trace
    case "debu": self = .debug
    case "info": self = .info
    case "noti": self = .notice
    case "warn": self = .warning
    case "erro": self = .error
    case "crit", "fata", "emer", "aler": self = .critical
    default: return nil
    }
  }

  /// OTLP severity numbers: 1–4 trace, 5–8 debug, 9–12 info, 13–16 warn, 17–20 error, 21–24 fatal.
  init?(otlpSeverity number: Int) {
    switch number {
    case 1...4: self = .trace
    case 5...8: self = .debug
    case 9...12: self = .info
    case 13...16: self = .warning
    case 17...20: self = .error
    case 21...24: self = .critical
    default: return nil
    }
  }
}
