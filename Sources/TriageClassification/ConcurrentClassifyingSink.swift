import TriageAssembly
import TriageInput

/// The Classification stage on its own thread: parsing runs on one core, classification and
/// everything after it (the inner sink) on the other.
///
/// Events are copied into batches (their text into one buffer per batch) and handed over
/// through a bounded queue, so memory stays bounded (a few batches of at most 1 MiB of text)
/// and the inner sink still sees every event in input order. Call ``finish()`` after the run
/// to wait for the worker and take the inner sink back.
public struct ConcurrentClassifyingSink<Inner: ClassifiedEventSink>: EventSink {
  private let pipeline: Pipeline

  public init(inner: Inner, classifier: Classifier) {
    pipeline = Pipeline(inner: inner, classifier: classifier)
  }

  public mutating func begin(source: TextSource) { pipeline.add(.begin(source)) }
  public mutating func consume(_ event: Event) { pipeline.add(event) }
  public mutating func end(source: TextSource, statistics: SourceStatistics) { pipeline.add(.end(source, statistics)) }

  /// Waits until every event was classified and handed on; returns the inner sink.
  public func finish() -> Inner { pipeline.finish() }

  private final class Pipeline: @unchecked Sendable {
    private var inner: Inner
    private let classifier: Classifier
    private var current = ClassificationBatch()
    /// Full batches to the worker; nil ends the run.
    private let work = HandoffQueue<ClassificationBatch?>(capacity: 3)
    /// Empty batches back to the producer.
    private let spare = HandoffQueue<ClassificationBatch>(capacity: 4)
    private var thread: pthread_t?
    private var finished = false

    init(inner: Inner, classifier: Classifier) {
      self.inner = inner
      self.classifier = classifier
      for _ in 0..<3 { spare.put(ClassificationBatch()) }
      thread = startThread { [unowned self] in self.run() }
    }

    func add(_ item: ClassificationItem) {
      precondition(!finished, "events added after finish()")
      current.items.append(item)
      if case .end = item { return }
      flushIfFull()
    }

    func add(_ event: Event) {
      precondition(!finished, "events added after finish()")
      let start = current.text.count
      current.text.append(event.text)
      var copy = event
      copy.text = UnsafeBufferPointer(start: nil, count: 0)
      current.items.append(.event(copy, textStart: start, textCount: event.text.count))
      flushIfFull()
    }

    private func flushIfFull() {
      guard current.items.count >= 4096 || current.text.count >= (1 << 20) else { return }
      handOver()
    }

    private func handOver() {
      guard thread != nil else {
        // No worker thread could be made: classify here.
        process(current)
        current.reset()
        return
      }
      work.put(current)
      current = spare.take()
      current.reset()
    }

    func finish() -> Inner {
      guard !finished else { return inner }
      finished = true
      if !current.items.isEmpty { handOver() }
      if let thread {
        work.put(nil)
        pthread_join(thread, nil)
      }
      return inner
    }

    private func run() {
      while let batch = work.take() {
        process(batch)
        spare.put(batch)
      }
    }

    private func process(_ batch: ClassificationBatch) {
      let text = batch.text.bytes
      classifier.prepareBatch(text)
      for item in batch.items {
        switch item {
        case .begin(let source):
          inner.begin(source: source)
        case .event(var event, let start, let count):
          event.text = text.slice(start, start + count)
          inner.consume(event, findings: classifier.classify(event, batchOffset: start))
        case .end(let source, let statistics):
          inner.end(source: source, statistics: statistics)
        }
      }
    }
  }
}

/// What travels to the classification thread; concrete (not nested in the generic sink), so
/// filling a batch costs no generic dispatch.
private enum ClassificationItem {
  case begin(TextSource)
  case event(Event, textStart: Int, textCount: Int)
  case end(TextSource, SourceStatistics)
}

private final class ClassificationBatch {
  var items: [ClassificationItem] = []
  let text = ByteBuffer(capacity: 1 << 20)
  func reset() {
    items.removeAll(keepingCapacity: true)
    text.removeAll()
  }
}

