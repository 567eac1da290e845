import TriageSpans
import TriageUnwrapping

/// A service whose spans stopped continuing another service's traces and began traces of
/// their own: the trace context no longer reaches it (a worker restarted without its
/// instrumentation preloaded, a queue that drops the `traceparent` header). Each trace still
/// looks healthy on its own; only the switch over time shows the break.
public struct TraceContextBreak: Sendable {
  /// The service whose spans now start their own traces.
  public var service: String
  /// The service whose traces it continued before.
  public var caller: String
  /// When the first of its own traces started.
  public var since: Timestamp
  /// The root span those traces start with.
  public var root: SpanLabel
  /// How many traces it started on its own from `since` on.
  public var ownTraces: Int
  /// How many of its spans continued the caller's traces before.
  public var continuedBefore: Int

  public var summary: String {
    "\(service) started \(ownTraces) trace(s) of its own at \(root) from \(since) on; before, \(continuedBefore) of its spans "
      + "continued \(caller)'s traces: the trace context no longer reaches \(service) from \(caller)"
  }

  /// The breaks in the analysed traces: per service, a clean switch from spans whose parent is
  /// another service's span (the caller) to root spans of kind consumer or internal, with at
  /// least two such traces, all after the last continued span.
  /// - Complexity: O(s) over the spans of the traces, plus a dictionary per trace.
  public static func find(in traces: [TraceAnalysis], store: SpanStore) -> [TraceContextBreak] {
    let spans = store.spans
    let strings = store.strings
    struct Continued {
      var count = 0
      var last: Int64 = .min
      var callers: [String: Int] = [:]
    }
    var continued: [String: Continued] = [:]
    var ownRoots: [String: [(start: Int64, label: SpanLabel)]] = [:]
    for trace in traces where !trace.spanRange.isEmpty {
      var serviceOf: [UInt64: StringTable.ID] = [:]
      for index in trace.spanRange { serviceOf[spans[index].spanID] = spans[index].service }
      for index in trace.spanRange {
        let span = spans[index]
        let service = strings[span.service]
        if span.isRoot {
          if span.kind == .consumer || span.kind == .internal {
            ownRoots[service, default: []].append((span.start, SpanLabel(service: service, name: strings[span.name])))
          }
        } else if let parent = serviceOf[span.parentSpanID], parent != span.service {
          continued[service, default: Continued()].count += 1
          continued[service]!.last = max(continued[service]!.last, span.start)
          continued[service]!.callers[strings[parent], default: 0] += 1
        }
      }
    }
    var breaks: [TraceContextBreak] = []
    for (service, before) in continued.sorted(by: { $0.key < $1.key }) {
      let after = (ownRoots[service] ?? []).filter { $0.start > before.last }.sorted { $0.start < $1.start }
      guard after.count >= 2, after.count == ownRoots[service]?.count, let first = after.first,
        let caller = before.callers.max(by: { $0.value < $1.value })?.key
      else { continue }
      breaks.append(
        TraceContextBreak(
          service: service, caller: caller, since: Timestamp(millisecondsSinceEpoch: first.start / 1_000_000), root: first.label,
          ownTraces: after.count, continuedBefore: before.count))
    }
    return breaks
  }
}
