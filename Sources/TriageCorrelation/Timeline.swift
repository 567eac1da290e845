import TriageClassification
import TriageUnwrapping

/// One entry of the incident timeline (CONTRACT.md `timeline[]`).
public struct TimelineEntry: Sendable {
  public enum Kind: String, Sendable {
    case crash, restart, error
    case firstError = "first-error"
    case lastHealthy = "last-healthy"
    case trace
  }

  public var time: Timestamp?
  public var service: String
  public var kind: Kind
  public var text: String
  public var incidentID: String?
}

/// Builds the timeline: per service its last healthy line before its first crash and its first
/// error; every crash and restart; the first occurrence of every other incident; the traces
/// that stopped, per place; where a service's spans stopped continuing its caller's traces. In time order (UTC); entries without a time keep their order at
/// the end.
public enum Timeline {
  public static func build(
    incidents: [Incident], traces: [TraceAnalysis], activity: [ServiceTable.ID: ServiceRecord], findings: FindingStore,
    contextBreaks: [TraceContextBreak] = [], serviceName: (ServiceTable.ID) -> String
  ) -> [TimelineEntry] {
    var entries: [TimelineEntry] = []
    for (id, record) in activity.sorted(by: { serviceName($0.key) < serviceName($1.key) }) {
      let service = serviceName(id)
      // The host's kernel is not a service that crashes: its lines are evidence.
      guard service != "kernel" else { continue }
      if let healthy = record.lastHealthy {
        entries.append(TimelineEntry(time: healthy.time, service: service, kind: .lastHealthy, text: healthy.text))
      }
      if let error = record.firstError {
        entries.append(TimelineEntry(time: error.time, service: service, kind: .firstError, text: error.text))
      }
    }
    for incident in incidents {
      let isCrash = incident.category.isProcessDeath
      // One string per distinct text, shared by the entries that say it (a crash loop of
      // thousands of kills says the same few things).
      var texts: [String: String] = [:]
      func shared(_ text: String) -> String {
        if let known = texts[text] { return known }
        texts[text] = text
        return text
      }
      for (index, occurrence) in incident.occurrences.enumerated() {
        let exited = !isCrash && occurrence.findingIndexes.contains { findings[$0].endedProcess }
        guard isCrash || index == 0 || exited else { continue }
        // The most confident evidence of the occurrence's own category speaks for it.
        var finding = findings[occurrence.findingIndexes[0]]
        var matched = false
        for candidate in occurrence.findingIndexes.lazy.map({ findings[$0] }) where candidate.category == occurrence.category {
          if !matched || candidate.confidence > finding.confidence { finding = candidate }
          matched = true
        }
        let text =
          isCrash
          ? "\(occurrence.category.rawValue): \(finding.title)"
          : exited
            ? "the process exited on \(incident.category.rawValue): \(finding.title)"
            : "\(incident.category.rawValue): \(finding.title)" + (incident.count > 1 ? " (first of \(incident.count))" : "")
        entries.append(
          TimelineEntry(
            time: occurrence.time, service: occurrence.service, kind: isCrash || exited ? .crash : .error, text: shared(text),
            incidentID: incident.id))
      }
      let restarted = "\(incident.service) logs again after the crash"
      for restart in incident.restarts {
        entries.append(TimelineEntry(time: restart, service: incident.service, kind: .restart, text: restarted, incidentID: incident.id))
      }
    }
    // Threads that died while their process lived on (a listener that stopped listening).
    for incident in incidents {
      for occurrence in incident.occurrences {
        guard let index = occurrence.findingIndexes.first(where: { findings[$0].deadThread != nil }) else { continue }
        entries.append(
          TimelineEntry(
            time: findings[index].time ?? occurrence.time, service: occurrence.service, kind: .error,
            text: "thread \(findings[index].deadThread!) died on \(incident.category.rawValue): \(findings[index].title)", incidentID: incident.id))
      }
    }
    // The settled time of each crash a trace is tied to (its occurrence's: the kernel's own
    // time rather than an exit line's borrowed one).
    let tiedFindings = Set(traces.compactMap { $0.crash?.findingIndex })
    var occurrenceTime: [Int: Timestamp] = [:]
    if !tiedFindings.isEmpty {
      for incident in incidents where incident.category.isProcessDeath {
        for occurrence in incident.occurrences {
          guard let time = occurrence.time else { continue }
          for index in occurrence.findingIndexes where tiedFindings.contains(index) { occurrenceTime[index] = time }
        }
      }
    }
    for group in TraceAnalyzer.stoppedAt(traces) {
      let members = traces.filter { $0.status == .incomplete && $0.lastSpan == group.span }
      // When the last of them died: its crash's time where it is tied to one (a trace that
      // lived on in a retry ends later than its death), else its last span's end.
      let time = members.compactMap { member in
        member.crash.flatMap { occurrenceTime[$0.findingIndex] ?? $0.time }?.nanoseconds ?? member.end
      }.max() ?? members.compactMap(\.start).max()
      let incident = members.lazy.compactMap(\.incidentIDs.first).first
      entries.append(
        TimelineEntry(
          time: time.map { Timestamp(millisecondsSinceEpoch: $0 / 1_000_000) }, service: group.span.service, kind: .trace,
          text: "\(group.traces.count) trace(s) stopped at \(group.span)", incidentID: incident))
    }
    for contextBreak in contextBreaks {
      entries.append(TimelineEntry(time: contextBreak.since, service: contextBreak.service, kind: .trace, text: contextBreak.summary))
    }
    // Timed ones by time, untimed ones after; in place, and stable (Swift's sort is), so
    // entries of one time keep the order they were added in.
    entries.sort { left, right in
      switch (left.time, right.time) {
      case let (a?, b?): a < b
      case (.some, nil): true
      default: false
      }
    }
    return entries
  }
}
