import TriageInput
import TriageUnwrapping

/// Reads Zipkin JSON spans: v2 (`localEndpoint`, `kind`, `tags`, µs times) and v1
/// (`annotations` `cs`/`cr`/`sr`/`ss`, `binaryAnnotations`). See
/// shared/reference/trace-formats.md §3.
///
/// Zipkin's RPC halves may share one span id (`"shared": true` on the server half); such
/// server halves are flagged, and ``SpanStore/deduplicate()`` gives them ids of their own.
enum ZipkinDecoder {
  static func decodeSpan(_ tree: JSONTree, _ object: JSONTree.Index, into store: SpanStore, source: UInt16) -> Bool {
    guard let traceID = tree.traceID(tree.value(object, "traceId")), let spanID = tree.spanID(tree.value(object, "id")) else {
      return false
    }
    let strings = store.strings
    var span = Span(traceID: traceID, spanID: spanID)
    span.source = source
    if let parent = tree.spanID(tree.value(object, "parentId")) { span.parentSpanID = parent }
    if let name = tree.nonEmptyString(tree.value(object, "name")) { span.name = strings.intern(name) }
    let timestamp = tree.unsignedInteger(tree.value(object, "timestamp"))
    let duration = tree.unsignedInteger(tree.value(object, "duration"))
    if let timestamp { span.start = Nanoseconds.scale(timestamp, by: 1000) }
    if let duration { span.duration = Nanoseconds.scale(duration, by: 1000) }

    var formatKind: SpanKind?
    if let kind = tree.value(object, "kind") { formatKind = SpanKind(name: tree.raw(kind)) }
    if let local = tree.value(object, "localEndpoint") {
      span.service = tree.nonEmptyString(tree.value(local, "serviceName")).map { strings.intern($0) } ?? 0
    }
    var attributes = SpanAttributes()
    if let remote = tree.value(object, "remoteEndpoint") { attributes.peerService = tree.nonEmptyString(tree.value(remote, "serviceName")) }
    if let tags = tree.value(object, "tags") {
      tree.forEachMember(tags) { key, value in
        attributes.read(key: key, value: value, in: tree)
        // Zipkin's `error` tag holds the message itself (any value but "false" is an error).
        if key.equals("error") {
          let text = tree.raw(value)
          if !text.equals("false") {
            attributes.isError = true
            if !text.equals("true") && !text.isEmpty { attributes.message = attributes.message ?? tree.string(value) }
          }
        }
      }
    }
    if let annotations = tree.value(object, "annotations"), formatKind == nil {
      readVersion1(tree, annotations, binary: tree.value(object, "binaryAnnotations"), span: &span, kind: &formatKind, attributes: &attributes, strings: strings)
    } else if timestamp != nil && duration == nil {
      // v2: "duration … absent = not finished".
      span.flags.insert(.neverEnded)
    }
    attributes.apply(to: &span, strings: strings, formatKind: formatKind)
    if span.kind == .server, tree.bool(tree.value(object, "shared")) == true { span.flags.insert(.sharedServer) }
    store.append(span)
    return true
  }

  /// Zipkin v1: the kind and service from the core annotations (`cs`/`cr` client, `sr`/`ss`
  /// server, `ms`/`ws` producer, `wr`/`mr` consumer); a begin without its end never ended.
  static func readVersion1(
    _ tree: JSONTree, _ annotations: JSONTree.Index, binary: JSONTree.Index?, span: inout Span, kind: inout SpanKind?,
    attributes: inout SpanAttributes, strings: StringTable
  ) {
    var seen: Set<String> = []
    var firstTime: UInt64?
    var service: String?
    tree.forEachElement(annotations) { annotation in
      guard let value = tree.value(annotation, "value") else { return }
      let name = tree.string(value)
      seen.insert(name)
      if let time = tree.unsignedInteger(tree.value(annotation, "timestamp")) { firstTime = min(firstTime ?? time, time) }
      if service == nil, ["cs", "sr", "ms", "wr", "cr", "ss"].contains(name), let endpoint = tree.value(annotation, "endpoint") {
        service = tree.nonEmptyString(tree.value(endpoint, "serviceName"))
      }
    }
    let pairs: [(String, String, SpanKind)] = [("cs", "cr", .client), ("sr", "ss", .server), ("ms", "ws", .producer), ("wr", "mr", .consumer)]
    for (begin, end, spanKind) in pairs where seen.contains(begin) || seen.contains(end) {
      kind = spanKind
      if seen.contains(begin) && !seen.contains(end) { span.flags.insert(.neverEnded) }
      break
    }
    if span.start == 0, let firstTime { span.start = Nanoseconds.scale(firstTime, by: 1000) }
    if let binary {
      tree.forEachElement(binary) { annotation in
        guard let key = tree.value(annotation, "key"), let value = tree.value(annotation, "value") else { return }
        let name = tree.raw(key)
        attributes.read(key: name, value: value, in: tree)
        // As in v2, the `error` annotation holds the message: any value but "false" is an error.
        if name.equals("error"), !tree.raw(value).equals("false") {
          attributes.isError = true
          if !tree.raw(value).equals("true") { attributes.message = attributes.message ?? tree.string(value) }
        }
        // `ca`, `sa`, `ma` are the remote side's address, not this span's service.
        let isAddress = name.equals("ca") || name.equals("sa") || name.equals("ma")
        if let endpoint = tree.value(annotation, "endpoint"), let endpointService = tree.nonEmptyString(tree.value(endpoint, "serviceName")) {
          if isAddress {
            attributes.peerService = attributes.peerService ?? endpointService
          } else if service == nil {
            service = endpointService
          }
        }
      }
    }
    if span.service == 0, let service { span.service = strings.intern(service) }
  }
}
