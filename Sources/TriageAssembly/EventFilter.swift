import TriageInput
import TriageUnwrapping

/// Which events a run keeps: a time window and services (`--since`, `--until`, `--service`).
///
/// An event without a time is kept (nothing says it is outside the window). A service matches
/// by its name or as a replica of it: `--service worker` keeps `worker`, `worker-1`, `worker_2`.
public struct EventFilter: Sendable {
  public var since: Timestamp?
  public var until: Timestamp?
  public var services: [String] = []

  public init(since: Timestamp? = nil, until: Timestamp? = nil, services: [String] = []) {
    self.since = since
    self.until = until
    self.services = services
  }

  public var isEmpty: Bool { since == nil && until == nil && services.isEmpty }

  public func admits(time: Timestamp?, service: String?) -> Bool {
    if let time {
      if let since, time < since { return false }
      if let until, time > until { return false }
    }
    guard !services.isEmpty else { return true }
    guard let service else { return false }
    return services.contains { wanted in
      service == wanted || (service.hasPrefix(wanted) && service.utf8.dropFirst(wanted.utf8.count).first.map { $0 == 0x2D || $0 == 0x5F } == true)
    }
  }
}

/// Passes on only the events an ``EventFilter`` admits (sources still begin and end, so their
/// statistics stay whole).
public struct FilteringSink<Inner: EventSink>: EventSink {
  public var inner: Inner
  public let filter: EventFilter
  let services: ServiceTable

  public init(inner: Inner, filter: EventFilter, services: ServiceTable) {
    self.inner = inner
    self.filter = filter
    self.services = services
  }

  public mutating func begin(source: TextSource) { inner.begin(source: source) }

  public mutating func consume(_ event: Event) {
    // No filter, nothing to look up: the service name is resolved only when services are named.
    if filter.isEmpty || filter.admits(time: event.time, service: filter.services.isEmpty ? nil : event.service.map { services.name($0) }) {
      inner.consume(event)
    }
  }

  public mutating func end(source: TextSource, statistics: SourceStatistics) { inner.end(source: source, statistics: statistics) }
}
