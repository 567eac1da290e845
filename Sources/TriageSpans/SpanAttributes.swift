import TriageInput
import TriageUnwrapping

/// The attributes (tags) of a span that matter for its health, collected across formats:
/// Jaeger's `span.kind`, `error`, `otel.status_code`; the callee of a client span; an error
/// message from a status, a tag or an exception event.
struct SpanAttributes {
  var kind: SpanKind?
  var isError = false
  var isOK = false
  var message: String?
  /// `peer.service`: the strongest statement of who was called.
  var peerService: String?
  /// `db.system`, `messaging.system`, `rpc.service`: a backend by type.
  var backend: String?
  /// `server.address`, `net.peer.name`, `http.host`, `url.full`/`http.url` host.
  var address: String?

  /// The callee's name, best evidence first.
  var remoteService: String? { peerService ?? address ?? backend }

  /// Reads one attribute whose value is `value` (a scalar node).
  mutating func read(key: UnsafeBufferPointer<UInt8>, value: JSONTree.Index, in tree: JSONTree) {
    guard let first = key.first else { return }
    switch first {
    case UInt8(ascii: "s"):
      if key.equals("span.kind") {
        kind = SpanKind(name: tree.raw(value))
      } else if key.equals("server.address") {
        address = address ?? tree.nonEmptyString(value)
      }
    case UInt8(ascii: "e"):
      if key.equals("error") {
        if tree.bool(value) == true { isError = true }
      } else if key.equals("error.message") || key.equals("exception.message") {
        message = message ?? tree.nonEmptyString(value)
      }
    case UInt8(ascii: "o"):
      if key.equals("otel.status_code") {
        let code = tree.raw(value)
        if code.equals("ERROR") { isError = true } else if code.equals("OK") { isOK = true }
      } else if key.equals("otel.status_description") {
        message = message ?? tree.nonEmptyString(value)
      }
    case UInt8(ascii: "p"):
      if key.equals("peer.service") { peerService = tree.nonEmptyString(value) }
    case UInt8(ascii: "d"):
      if key.equals("db.system") { backend = backend ?? tree.nonEmptyString(value) }
    case UInt8(ascii: "m"):
      if key.equals("messaging.system") { backend = backend ?? tree.nonEmptyString(value) }
    case UInt8(ascii: "r"):
      if key.equals("rpc.service") { backend = backend ?? tree.nonEmptyString(value) }
    case UInt8(ascii: "n"):
      if key.equals("net.peer.name") { address = address ?? tree.nonEmptyString(value) }
    case UInt8(ascii: "h"):
      if key.equals("http.host") {
        address = address ?? tree.nonEmptyString(value).map(Self.hostName)
      } else if key.equals("http.url") {
        address = address ?? tree.nonEmptyString(value).flatMap(Self.urlHost)
      }
    case UInt8(ascii: "u"):
      if key.equals("url.full") { address = address ?? tree.nonEmptyString(value).flatMap(Self.urlHost) }
    default:
      break
    }
  }

  /// `api:8000` → `api`.
  static func hostName(_ text: String) -> String {
    String(text.prefix { $0 != ":" && $0 != "/" })
  }

  /// `http://api:8000/x` → `api`.
  static func urlHost(_ url: String) -> String? {
    let utf8 = Array(url.utf8)
    guard let scheme = (0..<max(utf8.count - 2, 0)).first(where: { utf8[$0] == 0x3A && utf8[$0 + 1] == 0x2F && utf8[$0 + 2] == 0x2F })
    else { return nil }
    let host = hostName(String(decoding: utf8[(scheme + 3)...], as: UTF8.self))
    return host.isEmpty ? nil : host
  }

  /// Applies what was read to a span (its kind only when the format had none of its own).
  func apply(to span: inout Span, strings: StringTable, formatKind: SpanKind?) {
    span.kind = formatKind ?? kind ?? .internal
    if isError { span.status = .error } else if isOK && span.status == .unset { span.status = .ok }
    if span.statusMessage == 0, let message { span.statusMessage = strings.intern(String(message.prefix(500))) }
    if span.remoteService == 0, let remote = remoteService { span.remoteService = strings.intern(remote) }
  }
}

extension SpanKind {
  /// `server`, `SERVER`, `SPAN_KIND_SERVER`, `client`…; nil for anything else (internal and
  /// unspecified included).
  init?(name: UnsafeBufferPointer<UInt8>) {
    var text = name
    if text.count > 10 && text.equals(prefix: "SPAN_KIND_") { text = text.slice(10, text.count) }
    // Compared byte for byte, ignoring ASCII case: this runs for every span with a kind tag.
    guard let (kind, _) = Self.names.first(where: { text.count == $0.1.count && text.containsASCIICaseInsensitive($0.1) }) else { return nil }
    self = kind
  }

  /// Each kind with its name's bytes (lowercase).
  private static let names: [(SpanKind, [UInt8])] = allCases.map { ($0, Array($0.name.utf8)) }

  /// OTLP's integer kinds (0 unspecified and 1 internal are internal).
  init?(otlpNumber: UInt64) {
    switch otlpNumber {
    case 0, 1: self = .internal
    case 2: self = .server
    case 3: self = .client
    case 4: self = .producer
    case 5: self = .consumer
    default: return nil
    }
  }
}

extension UnsafeBufferPointer where Element == UInt8 {
  /// Whether the bytes start with `literal`.
  func equals(prefix literal: StaticString) -> Bool {
    count >= literal.utf8CodeUnitCount && memcmp(baseAddress!, literal.utf8Start, literal.utf8CodeUnitCount) == 0
  }
}

extension JSONTree {
  /// A trace id as dumps write it: hex (any case, zeros possibly dropped) or base64.
  func traceID(_ index: Index?) -> TraceID? {
    guard let index, kind(index) == .string else { return nil }
    return TraceID(idText: raw(index))
  }

  /// A 64-bit span id: hex (up to 16 digits) or base64 of 8 bytes; nil for empty or all-zero.
  func spanID(_ index: Index?) -> UInt64? {
    guard let index, kind(index) == .string else { return nil }
    let text = raw(index)
    guard !text.isEmpty else { return nil }
    if text.count <= 16, let id = TraceID(hex: text) { return id.lowerHalf }
    if let id = TraceID(base64: text), id.upperHalf == 0 { return id.lowerHalf }
    return nil
  }

  /// The first of several spellings of a member (`traceID`/`traceId`).
  func value(_ object: Index, either first: StaticString, or second: StaticString) -> Index? {
    value(object, first) ?? value(object, second)
  }
}
