import TriageInput
import TriageUnwrapping

/// Reads Jaeger's JSON: the UI/query form (a trace with `spans` and `processes`, times in
/// microseconds), the embedded-process span (anonymizer output), and the proto/domain JSON
/// (base64 ids, RFC 3339 start, `"5000ns"` durations, `vStr`/`vBool` tags). See
/// shared/reference/trace-formats.md §1.
enum JaegerDecoder {
  /// One trace object (`{"traceID", "spans", "processes"}`).
  /// - Returns: the number of spans read.
  static func decodeTrace(_ tree: JSONTree, _ trace: JSONTree.Index, into store: SpanStore, source: UInt16) -> Int {
    var processes: [String: (service: StringTable.ID, instance: StringTable.ID)] = [:]
    if let map = tree.value(trace, "processes") {
      tree.forEachMember(map) { key, process in
        processes[String(decoding: key, as: UTF8.self)] = readProcess(tree, process, strings: store.strings)
      }
    }
    var count = 0
    if let spans = tree.value(trace, "spans") {
      tree.forEachElement(spans) { span in
        if decodeSpan(tree, span, processes: processes, into: store, source: source) { count += 1 }
      }
    }
    return count
  }

  /// One span, with its process embedded or named by `processID`.
  /// - Returns: false when the span has no usable trace or span id.
  @discardableResult
  static func decodeSpan(
    _ tree: JSONTree, _ object: JSONTree.Index, processes: [String: (service: StringTable.ID, instance: StringTable.ID)],
    into store: SpanStore, source: UInt16
  ) -> Bool {
    guard let traceID = tree.traceID(tree.value(object, either: "traceID", or: "traceId")),
      let spanID = tree.spanID(tree.value(object, either: "spanID", or: "spanId"))
    else { return false }
    let strings = store.strings
    var span = Span(traceID: traceID, spanID: spanID)
    span.source = source
    if let name = tree.nonEmptyString(tree.value(object, "operationName")) { span.name = strings.intern(name) }

    // The parent: the first CHILD_OF reference (proto JSON omits refType for CHILD_OF), else
    // FOLLOWS_FROM, else the deprecated parentSpanID.
    var followsFrom: (TraceID, UInt64)?
    var childOf: (TraceID, UInt64)?
    if let references = tree.value(object, "references") {
      tree.forEachElement(references) { reference in
        guard let parent = tree.spanID(tree.value(reference, either: "spanID", or: "spanId")) else { return }
        let parentTrace = tree.traceID(tree.value(reference, either: "traceID", or: "traceId")) ?? traceID
        let type = tree.value(reference, "refType").map { tree.raw($0) }
        if type == nil || type!.equals("CHILD_OF") {
          if childOf == nil { childOf = (parentTrace, parent) }
        } else if followsFrom == nil {
          followsFrom = (parentTrace, parent)
        }
      }
    }
    var parentTraceID: TraceID?
    if let (parentTrace, parent) = childOf ?? followsFrom {
      span.parentSpanID = parent
      parentTraceID = parentTrace
      if childOf == nil { span.flags.insert(.followsFrom) }
    } else if let parent = tree.spanID(tree.value(object, either: "parentSpanID", or: "parentSpanId")) {
      span.parentSpanID = parent
    }

    if let start = tree.value(object, "startTime") {
      if tree.kind(start) == .number {
        span.start = Nanoseconds.scale(tree.unsignedInteger(start) ?? 0, by: 1000)
      } else if let nanoseconds = RFC3339Nanoseconds.parse(tree.raw(start)) {
        span.start = nanoseconds
      }
    }
    if let duration = tree.value(object, "duration") {
      if tree.kind(duration) == .number {
        span.duration = tree.unsignedInteger(duration).map { Nanoseconds.scale($0, by: 1000) }
      } else {
        span.duration = DurationText.nanoseconds(tree.raw(duration))
      }
    }

    var attributes = SpanAttributes()
    if let tags = tree.value(object, "tags") {
      tree.forEachElement(tags) { tag in
        guard let key = tree.value(tag, "key") else { return }
        if let value = tagValue(tree, tag) { attributes.read(key: tree.raw(key), value: value, in: tree) }
      }
    }
    if attributes.message == nil, let logs = tree.value(object, "logs") {
      attributes.message = exceptionMessage(tree, logs)
    }
    attributes.apply(to: &span, strings: strings, formatKind: nil)

    if let process = tree.value(object, "process") {
      (span.service, span.instance) = readProcess(tree, process, strings: strings)
    } else if let id = tree.value(object, "processID"), let process = processes[tree.string(id)] {
      (span.service, span.instance) = process
    }
    store.append(span, parentTraceID: parentTraceID)
    return true
  }

  /// A tag's value node: `value` (UI JSON) or `vStr`/`vBool`/`vInt64`/… (proto JSON).
  static func tagValue(_ tree: JSONTree, _ tag: JSONTree.Index) -> JSONTree.Index? {
    if let value = tree.value(tag, "value") { return value }
    var found: JSONTree.Index?
    tree.forEachMember(tag) { key, value in
      if found == nil, key.count > 1, key[0] == UInt8(ascii: "v"), key[1] != UInt8(ascii: "T") { found = value }
    }
    return found
  }

  /// The service and instance of a process object.
  static func readProcess(_ tree: JSONTree, _ process: JSONTree.Index, strings: StringTable) -> (StringTable.ID, StringTable.ID) {
    let service = tree.nonEmptyString(tree.value(process, "serviceName")).map { strings.intern($0) } ?? 0
    var instance: StringTable.ID = 0
    if let tags = tree.value(process, "tags") {
      tree.forEachElement(tags) { tag in
        guard instance == 0, let key = tree.value(tag, "key"), let value = tagValue(tree, tag) else { return }
        let name = tree.raw(key)
        if name.equals("service.instance.id") || name.equals("hostname") || name.equals("host.name") || name.equals("k8s.pod.name") {
          instance = tree.nonEmptyString(value).map { strings.intern($0) } ?? 0
        }
      }
    }
    return (service, instance)
  }

  /// The message of an `event=exception` log (OTel exception events converted by Jaeger).
  static func exceptionMessage(_ tree: JSONTree, _ logs: JSONTree.Index) -> String? {
    var message: String?
    tree.forEachElement(logs) { log in
      guard message == nil, let fields = tree.value(log, "fields") else { return }
      tree.forEachElement(fields) { field in
        guard message == nil, let key = tree.value(field, "key") else { return }
        let name = tree.raw(key)
        if name.equals("exception.message") {
          message = tagValue(tree, field).flatMap { tree.nonEmptyString($0) }
        }
      }
    }
    return message
  }
}

/// RFC 3339 text (`2017-01-26T16:46:31.639875139-05:00`) to nanoseconds since the epoch.
enum RFC3339Nanoseconds {
  static func parse(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
    func number(_ from: Int, _ count: Int) -> Int? {
      guard from + count <= text.count else { return nil }
      var value = 0
      for index in from..<(from + count) {
        guard text[index] &- 0x30 < 10 else { return nil }
        value = value * 10 + Int(text[index] &- 0x30)
      }
      return value
    }
    guard text.count >= 20, let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
      let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
      let base = Timestamp(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    else { return nil }
    // The Go zero time (`0001-01-01T00:00:00Z`, an unset start) does not fit: no start.
    guard base.nanoseconds != .min && base.nanoseconds != .max else { return nil }
    var nanoseconds = base.nanoseconds
    var index = 19
    if index < text.count && text[index] == UInt8(ascii: ".") {
      index += 1
      var scale: Int64 = 100_000_000
      while index < text.count, text[index] &- 0x30 < 10 {
        nanoseconds += Int64(text[index] &- 0x30) * scale
        scale /= 10
        index += 1
      }
    }
    guard index < text.count else { return nil }
    if text[index] == UInt8(ascii: "+") || text[index] == UInt8(ascii: "-") {
      guard let hours = number(index + 1, 2), let minutes = number(index + 4, 2) else { return nil }
      let offset = Int64(hours * 60 + minutes) * 60_000_000_000
      nanoseconds = text[index] == UInt8(ascii: "+") ? Nanoseconds.subtract(nanoseconds, offset) : Nanoseconds.add(nanoseconds, offset)
    }
    return nanoseconds
  }
}

/// Duration text as protobuf JSON writes it (`"5000ns"`, `"1.5s"`, `"250ms"`, `"20us"`).
enum DurationText {
  static func nanoseconds(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
    var index = 0
    var whole: Int64 = 0
    var fraction: Int64 = 0
    var fractionScale: Int64 = 1
    while index < text.count, text[index] &- 0x30 < 10 {
      whole = whole &* 10 &+ Int64(text[index] &- 0x30)
      index += 1
    }
    guard index > 0 else { return nil }
    if index < text.count, text[index] == UInt8(ascii: ".") {
      index += 1
      while index < text.count, text[index] &- 0x30 < 10, fractionScale < 1_000_000_000 {
        fraction = fraction * 10 + Int64(text[index] &- 0x30)
        fractionScale *= 10
        index += 1
      }
    }
    let unit = String(decoding: text.slice(index, text.count), as: UTF8.self)
    let perUnit: Int64
    switch unit {
    case "ns": perUnit = 1
    case "us", "µs": perUnit = 1000
    case "ms": perUnit = 1_000_000
    case "s", "": perUnit = 1_000_000_000
    default: return nil
    }
    let (scaled, overflow) = whole.multipliedReportingOverflow(by: perUnit)
    return overflow ? .max : Nanoseconds.add(scaled, fraction * perUnit / fractionScale)
  }
}
