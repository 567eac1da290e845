import TriageAssembly
import TriageInput

/// Receives events with their findings, in input order per source.
public protocol ClassifiedEventSink {
  mutating func begin(source: TextSource)
  /// One event and its findings (usually none). The event's bytes are valid only during the call.
  mutating func consume(_ event: Event, findings: [Finding])
  mutating func end(source: TextSource, statistics: SourceStatistics)
}

/// The Classification stage as a sink: classifies each event and hands both on.
public struct ClassifyingSink<Inner: ClassifiedEventSink>: EventSink {
  public var inner: Inner
  /// nil: no classification (every event gets no findings).
  private let classifier: Classifier?

  public init(inner: Inner, classifier: Classifier?) {
    self.inner = inner
    self.classifier = classifier
  }

  public mutating func begin(source: TextSource) { inner.begin(source: source) }

  public mutating func consume(_ event: Event) {
    inner.consume(event, findings: classifier?.classify(event) ?? [])
  }

  public mutating func end(source: TextSource, statistics: SourceStatistics) {
    inner.end(source: source, statistics: statistics)
  }
}
