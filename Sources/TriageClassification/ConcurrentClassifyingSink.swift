import TriageAssembly
import TriageInput

/// The Classification stage on its own thread: parsing runs on one core, classification and
/// everything after it (the inner sink) on the other.
///
/// Events are copied into batches (their text into one buffer per batch) and handed over
/// through a bounded queue, so memory stays bounded (a few batches of at most 1 MiB of text)
/// and the inner sink still sees every event in input order. Call ``finish()`` after the run
/// to wait for the worker and take the inner sink back.
///
/// The producer's state (the batch being filled) lives in this struct, on the producer's
/// side; the worker's (the inner sink it updates per event) in ``Worker``. Kept apart, the two
/// threads never write to the same cache lines per event, only per batch.
public struct ConcurrentClassifyingSink<Inner: ClassifiedEventSink>: EventSink {
  private let worker: Worker
  private var current = ClassificationBatch()
  private var finished = false

  public init(inner: Inner, classifier: Classifier) {
    worker = Worker(inner: inner, classifier: classifier)
  }

  public mutating func begin(source: TextSource) {
    precondition(!finished, "events added after finish()")
    current.markers.append((current.events.count, .begin(source)))
  }

  public mutating func consume(_ event: Event) {
    precondition(!finished, "events added after finish()")
    current.textStarts.append(current.text.count)
    current.text.append(event.text)
    var copy = event
    copy.text = UnsafeBufferPointer(start: nil, count: 0)
    current.events.append(copy)
    if current.events.count >= 4096 || current.text.count >= (1 << 20) { handOver() }
  }

  public mutating func end(source: TextSource, statistics: SourceStatistics) {
    precondition(!finished, "events added after finish()")
    current.markers.append((current.events.count, .end(source, statistics)))
  }

  /// Waits until every event was classified and handed on; returns the inner sink.
  public mutating func finish() -> Inner {
    guard !finished else { return worker.inner }
    finished = true
    if !current.events.isEmpty || !current.markers.isEmpty { handOver() }
    return worker.finish()
  }

  private mutating func handOver() {
    current = worker.process(current)
    current.reset()
  }

  /// The worker thread and what only it touches.
  private final class Worker: @unchecked Sendable {
    fileprivate var inner: Inner
    private let classifier: Classifier
    /// Full batches to the worker; nil ends the run.
    private let work = HandoffQueue<ClassificationBatch?>(capacity: 3)
    /// Empty batches back to the producer.
    private let spare = HandoffQueue<ClassificationBatch>(capacity: 4)
    private var thread: pthread_t?

    init(inner: Inner, classifier: Classifier) {
      self.inner = inner
      self.classifier = classifier
      for _ in 0..<3 { spare.put(ClassificationBatch()) }
      thread = startThread { [unowned self] in self.run() }
    }

    /// Hands `batch` to the worker thread and returns an empty one to fill next (without a
    /// worker thread, classifies `batch` here and returns it).
    func process(_ batch: ClassificationBatch) -> ClassificationBatch {
      guard thread != nil else {
        classify(batch)
        return batch
      }
      work.put(batch)
      return spare.take()
    }

    func finish() -> Inner {
      if let thread {
        work.put(nil)
        pthread_join(thread, nil)
        self.thread = nil
      }
      return inner
    }

    private func run() {
      // The inner sink is updated per event: on this thread's stack, not in this object,
      // whose cache lines the producer reads.
      var local = inner
      let classifier = Classifier(catalog: self.classifier.catalog)
      while let batch = work.take() {
        classify(batch, with: classifier, into: &local)
        spare.put(batch)
      }
      inner = local
    }

    private func classify(_ batch: ClassificationBatch) {
      var local = inner
      classify(batch, with: classifier, into: &local)
      inner = local
    }

    private func classify(_ batch: ClassificationBatch, with classifier: Classifier, into inner: inout Inner) {
      let text = batch.text.bytes
      classifier.prepareBatch(text)
      var nextMarker = 0
      func deliverMarkers(before index: Int, into inner: inout Inner) {
        while nextMarker < batch.markers.count && batch.markers[nextMarker].beforeEvent <= index {
          switch batch.markers[nextMarker].marker {
          case .begin(let source): inner.begin(source: source)
          case .end(let source, let statistics): inner.end(source: source, statistics: statistics)
          }
          nextMarker += 1
        }
      }
      for index in batch.events.indices {
        deliverMarkers(before: index, into: &inner)
        var event = batch.events[index]
        let start = batch.textStarts[index]
        let end = index + 1 < batch.textStarts.count ? batch.textStarts[index + 1] : text.count
        event.text = text.slice(start, end)
        inner.consume(event, findings: classifier.classify(event, batchOffset: start))
      }
      deliverMarkers(before: Int.max, into: &inner)
    }
  }
}

/// A source's start or end, delivered between the events of a batch.
private enum SourceMarker {
  case begin(TextSource)
  case end(TextSource, SourceStatistics)
}

/// Events on their way to the classification thread: plain values (no reference counting per
/// event) and their texts back to back in one buffer.
private final class ClassificationBatch {
  /// The events, each without its text.
  var events: [Event] = []
  /// Where each event's text starts in `text`; it ends where the next one starts.
  var textStarts: [Int] = []
  let text = ByteBuffer(capacity: 1 << 20)
  /// Source boundaries, each before the event with the given index.
  var markers: [(beforeEvent: Int, marker: SourceMarker)] = []

  func reset() {
    events.removeAll(keepingCapacity: true)
    textStarts.removeAll(keepingCapacity: true)
    text.removeAll()
    markers.removeAll(keepingCapacity: true)
  }
}
