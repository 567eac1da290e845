import TriageInput
import TriageUnwrapping

/// What a span stands for in its trace (OTLP's `kind`, Jaeger's `span.kind` tag, Zipkin's `kind`).
public enum SpanKind: UInt8, Sendable, CaseIterable {
  case `internal`, server, client, producer, consumer

  public var name: String {
    switch self {
    case .internal: "internal"
    case .server: "server"
    case .client: "client"
    case .producer: "producer"
    case .consumer: "consumer"
    }
  }
}

/// A span's outcome as the dump states it.
public enum SpanStatus: UInt8, Sendable {
  case unset, ok, error
}

/// Facts about a span that change how its absences are read.
public struct SpanFlags: OptionSet, Sendable, Hashable {
  public let rawValue: UInt8
  public init(rawValue: UInt8) { self.rawValue = rawValue }

  /// The parent lives in another process (OTLP flags bit 9): an absent parent may be an
  /// untraced caller.
  public static let parentIsRemote = SpanFlags(rawValue: 1 << 0)
  /// Linked to its cause by FOLLOWS_FROM or an OTLP link only: it may outlive it.
  public static let followsFrom = SpanFlags(rawValue: 1 << 1)
  /// Zipkin's server half of an RPC that reused the client's span id.
  public static let sharedServer = SpanFlags(rawValue: 1 << 2)
  /// The dump says the span never ended (no duration in Zipkin, a begin annotation without
  /// its end, no or an impossible OTLP end time).
  public static let neverEnded = SpanFlags(rawValue: 1 << 3)
}

/// One span, normalised across Jaeger, OTLP, Zipkin and Tempo.
///
/// Ids are numbers (trace ids 128-bit, span ids 64-bit; 0 means "none"); names are interned
/// in the store's ``StringTable``; times are nanoseconds since the Unix epoch (Jaeger's and
/// Zipkin's microseconds are scaled). About 100 bytes per span, whatever its JSON held.
public struct Span: Sendable {
  public var traceID: TraceID
  public var spanID: UInt64
  /// The CHILD_OF parent; 0 for a root. When the parent is in another trace, the store
  /// says which (``SpanStore/parentTraceID(of:)``).
  public var parentSpanID: UInt64 = 0
  /// Start in nanoseconds since the epoch; 0 when the dump gives none.
  public var start: Int64 = 0
  private var storedDuration: Int64 = -1
  public var service: StringTable.ID = 0
  public var name: StringTable.ID = 0
  /// The worker instance (`service.instance.id`, `host.name`, a Jaeger process's `hostname`).
  public var instance: StringTable.ID = 0
  /// Who a client or producer span called, when the dump says (`peer.service`, a remote
  /// endpoint's service, `db.system`, `server.address`).
  public var remoteService: StringTable.ID = 0
  /// The status or error message.
  public var statusMessage: StringTable.ID = 0
  /// Which dump file it came from (index into the store's sources).
  public var source: UInt16 {
    get { storedSource }
    set { storedSource = newValue }
  }
  private var storedSource: UInt16 = 0
  /// Kind (bits 0–2) and status (bits 3–4), packed: with the flags, the span fits 72 bytes.
  private var kindAndStatus: UInt8 = 0
  public var flags: SpanFlags = []

  public var kind: SpanKind {
    get { SpanKind(rawValue: kindAndStatus & 0x07) ?? .internal }
    set { kindAndStatus = kindAndStatus & ~0x07 | newValue.rawValue }
  }

  public var status: SpanStatus {
    get { SpanStatus(rawValue: kindAndStatus >> 3 & 0x03) ?? .unset }
    set { kindAndStatus = kindAndStatus & ~0x18 | newValue.rawValue << 3 }
  }

  /// Duration in nanoseconds; nil when unknown or never ended.
  public var duration: Int64? {
    get { storedDuration < 0 ? nil : storedDuration }
    set { storedDuration = newValue ?? -1 }
  }

  public init(traceID: TraceID, spanID: UInt64) {
    self.traceID = traceID
    self.spanID = spanID
  }

  public var isRoot: Bool { parentSpanID == 0 }

  /// End in nanoseconds since the epoch, when the span ended.
  public var end: Int64? { duration.map { Nanoseconds.add(start, $0) } }

  /// Identical duplicates (a span exported twice, or present in two dumps, to the microsecond)
  /// have the same key.
  /// Zipkin's client and server halves share an id but differ in kind.
  public var deduplicationKey: SpanKey {
    SpanKey(traceID: traceID, spanID: spanID, kind: kind, name: name, startMicroseconds: start / 1000)
  }
}

/// See ``Span/deduplicationKey``.
public struct SpanKey: Hashable, Sendable {
  let traceID: TraceID
  let spanID: UInt64
  let kind: SpanKind
  let name: StringTable.ID
  let startMicroseconds: Int64
}
