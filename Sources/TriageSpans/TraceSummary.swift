import TriageUnwrapping

/// A trace summary without its spans (Jaeger api_v3 `/trace-summaries`).
public struct TraceSummary: Sendable {
  public var traceID: TraceID
  public var spanCount: Int
  public var errorSpanCount: Int
  public var orphanSpanCount: Int
  public var rootService: String?
  public var rootOperation: String?
  public var start: Int64
  public var end: Int64
  public var services: [String]
}
