import TriageAssembly
import TriageInput

/// The Classification stage on worker threads: parsing runs on the calling thread,
/// classification on the others, and the inner sink still sees every event in input order.
///
/// Events are copied into batches (their text into one buffer per batch) and handed over
/// through a bounded queue, so memory stays bounded (a few batches of at most 1 MiB of text
/// each). Each worker classifies whole batches with its own ``Classifier``. When every batch
/// is in flight, the producer does not wait either: it classifies the oldest queued batch
/// itself, so both sides of a two-core machine stay busy whichever is slower. Classified
/// batches reach the inner sink in input order, whoever classified them. Call ``finish()``
/// after the run to wait for the workers and take the inner sink back.
///
/// What each thread writes per event lives in memory that thread allocated (the producer's
/// batch in this struct; a worker's classifier on its own thread), so no two threads write to
/// one cache line per event, only per batch.
public struct ConcurrentClassifyingSink<Inner: ClassifiedEventSink>: EventSink {
  private let workers: Workers
  private var current = ClassificationBatch()
  private var finished = false
  /// A batch is handed over at this many events (or 1 MiB of text).
  private let batchEvents: Int

  /// - Parameter classifier: the producer's classifier; each worker makes its own from its
  ///   catalog.
  /// - Parameter threads: how many workers (0: the producer classifies everything).
  /// - Parameter batchEvents: events per batch (small batches exercise the hand-over in tests).
  public init(inner: Inner, classifier: Classifier, threads: Int = Self.defaultThreadCount, batchEvents: Int = 4096) {
    workers = Workers(inner: inner, classifier: classifier, threads: threads)
    self.batchEvents = max(batchEvents, 1)
  }

  /// One worker per core but one (the producer's), at least one, at most four.
  public static var defaultThreadCount: Int {
    let cores = sysconf(Int32(_SC_NPROCESSORS_ONLN))
    return min(max(1, cores - 1), 4)
  }

  public mutating func begin(source: TextSource) {
    precondition(!finished, "events added after finish()")
    current.markers.append((current.events.count, .begin(source)))
  }

  public mutating func consume(_ event: Event) {
    precondition(!finished, "events added after finish()")
    current.textStarts.append(current.text.count)
    // The batch holds its buffer; appending needs no reference count traffic per event.
    Unmanaged.passUnretained(current.text)._withUnsafeGuaranteedRef { $0.append(event.text) }
    var copy = event
    copy.text = UnsafeBufferPointer(start: nil, count: 0)
    current.events.append(copy)
    if current.events.count >= batchEvents || current.text.count >= (1 << 20) { handOver() }
  }

  public mutating func end(source: TextSource, statistics: SourceStatistics) {
    precondition(!finished, "events added after finish()")
    current.markers.append((current.events.count, .end(source, statistics)))
  }

  /// Waits until every event was classified and handed on; returns the inner sink.
  public mutating func finish() -> Inner {
    guard !finished else { return workers.delivery.inner }
    finished = true
    if !current.events.isEmpty || !current.markers.isEmpty { handOver() }
    return workers.finish()
  }

  private mutating func handOver() {
    current = workers.process(current)
  }

  /// The worker threads, the queues between them and the producer, and the in-order delivery.
  private final class Workers: @unchecked Sendable {
    let delivery: Delivery
    /// The producer's own classifier: it classifies a queued batch itself rather than wait.
    private let classifier: Classifier
    /// Full batches with their sequence numbers; nil ends a worker.
    private let work: HandoffQueue<Job?>
    private var threads: [pthread_t] = []
    private var nextSequence = 0

    init(inner: Inner, classifier: Classifier, threads count: Int) {
      // Each worker holds a batch, one more waits per worker, the producer fills one.
      let batches = 2 * max(count, 1) + 1
      delivery = Delivery(inner: inner, batches: batches)
      self.classifier = classifier
      // Room for every batch and each worker's end mark: putting never waits on itself.
      work = HandoffQueue(capacity: batches + 1 + count)
      for _ in 0..<max(count, 0) {
        guard let thread = startThread({ [unowned self] in self.run() }) else { break }
        threads.append(thread)
      }
    }

    /// Queues `batch` and returns an empty one to fill next. While every batch is in
    /// flight, the producer does not wait: it classifies the oldest queued batch itself
    /// (without worker threads, it classifies every batch).
    func process(_ batch: ClassificationBatch) -> ClassificationBatch {
      work.put(Job(sequence: nextSequence, batch: batch))
      nextSequence += 1
      while true {
        if let empty = delivery.spare.tryTake() { return empty }
        guard let job = work.tryTake() else { return delivery.spare.take() }
        job.map { classify($0, with: classifier) }
      }
    }

    func finish() -> Inner {
      for _ in threads { work.put(nil) }
      for thread in threads { pthread_join(thread, nil) }
      threads = []
      // Without workers, batches may still wait in the queue.
      while let job = work.tryTake() {
        job.map { classify($0, with: classifier) }
      }
      return delivery.inner
    }

    /// Classifies a queued batch on the calling thread and hands it to the delivery.
    private func classify(_ job: Job, with classifier: Classifier) {
      delivery.complete(job, findings: job.batch.classify(with: classifier))
    }

    private func run() {
      // Made on this thread, so its per-event scratch state is in this thread's memory.
      let classifier = Classifier(catalog: self.classifier.catalog)
      while let job = work.take() { classify(job, with: classifier) }
    }
  }

  /// A batch and its place in the input.
  private struct Job {
    var sequence: Int
    var batch: ClassificationBatch
  }

  /// Hands classified batches to the inner sink in sequence order, whichever thread
  /// classified them, and recycles them.
  private final class Delivery: @unchecked Sendable {
    /// Keeps `inner` off the cache lines of whatever was allocated before this object.
    private let paddingBefore = CacheLinePadding()
    var inner: Inner
    /// Delivered batches, emptied, back to the producer.
    let spare: HandoffQueue<ClassificationBatch>
    /// Classified batches waiting for the ones before them, by sequence.
    private var ready: [Int: (batch: ClassificationBatch, findings: [[Finding]])] = [:]
    private var next = 0
    private var delivering = false
    private var mutex = pthread_mutex_t()
    /// Keeps `inner` off the cache lines of whatever is allocated after this object.
    private let paddingAfter = CacheLinePadding()

    init(inner: Inner, batches: Int) {
      self.inner = inner
      // Room for every batch: these and the one the producer starts with.
      spare = HandoffQueue(capacity: batches + 1)
      for _ in 0..<batches { spare.put(ClassificationBatch()) }
      pthread_mutex_init(&mutex, nil)
    }

    deinit { pthread_mutex_destroy(&mutex) }

    /// Records that `job` was classified. If it is next in sequence and nobody is
    /// delivering, this thread delivers it and every batch ready after it; otherwise the
    /// thread delivering picks it up in turn.
    func complete(_ job: Job, findings: [[Finding]]) {
      pthread_mutex_lock(&mutex)
      ready[job.sequence] = (job.batch, findings)
      guard !delivering else {
        pthread_mutex_unlock(&mutex)
        return
      }
      delivering = true
      while let item = ready.removeValue(forKey: next) {
        pthread_mutex_unlock(&mutex)
        // Only one thread delivers at a time; the mutex orders one deliverer's writes to
        // `inner` before the next one's.
        Self.deliver(item.batch, findings: item.findings, into: &inner)
        item.batch.reset()
        spare.put(item.batch)
        pthread_mutex_lock(&mutex)
        next += 1
      }
      delivering = false
      pthread_mutex_unlock(&mutex)
    }

    /// Hands a batch's events, findings and source markers to the inner sink, in place: a
    /// copy of the sink for the batch would share its storage, and the sink's first change
    /// would then copy all of it (a million-entry index, once per batch).
    private static func deliver(_ batch: ClassificationBatch, findings: [[Finding]], into local: inout Inner) {
      let text = batch.text.bytes
      var nextMarker = 0
      func deliverMarkers(before index: Int) {
        while nextMarker < batch.markers.count && batch.markers[nextMarker].beforeEvent <= index {
          switch batch.markers[nextMarker].marker {
          case .begin(let source): local.begin(source: source)
          case .end(let source, let statistics): local.end(source: source, statistics: statistics)
          }
          nextMarker += 1
        }
      }
      for index in batch.events.indices {
        deliverMarkers(before: index)
        var event = batch.events[index]
        event.text = text.slice(batch.textStart(of: index), batch.textEnd(of: index))
        local.consume(event, findings: findings[index])
      }
      deliverMarkers(before: Int.max)
    }
  }
}

/// A source's start or end, delivered between the events of a batch.
private enum SourceMarker {
  case begin(TextSource)
  case end(TextSource, SourceStatistics)
}

/// Events on their way to a classification thread: plain values (no reference counting per
/// event) and their texts back to back in one buffer.
private final class ClassificationBatch {
  /// Keeps the fields below (written per event by the producer) off the cache lines of the
  /// object before, which may be in use by a worker; two lines, for the adjacent-line prefetcher.
  private let paddingBefore = CacheLinePadding()
  /// The events, each without its text.
  var events: [Event] = []
  /// Where each event's text starts in `text`; it ends where the next one starts.
  var textStarts: [Int] = []
  let text = ByteBuffer(capacity: 1 << 20)
  /// Source boundaries, each before the event with the given index.
  var markers: [(beforeEvent: Int, marker: SourceMarker)] = []
  /// Keeps the fields above off the cache lines of the next object, which may be a batch a
  /// worker is reading.
  private let paddingAfter = CacheLinePadding()

  func textStart(of index: Int) -> Int { textStarts[index] }
  func textEnd(of index: Int) -> Int { index + 1 < textStarts.count ? textStarts[index + 1] : text.count }

  /// Classifies every event of the batch (one prefilter pass over all their texts).
  /// - Returns: each event's findings, in order.
  func classify(with classifier: Classifier) -> [[Finding]] {
    let text = self.text.bytes
    classifier.prepareBatch(text)
    var findings: [[Finding]] = []
    findings.reserveCapacity(events.count)
    for index in events.indices {
      var event = events[index]
      let start = textStart(of: index)
      event.text = text.slice(start, textEnd(of: index))
      findings.append(classifier.classify(event, batchOffset: start))
    }
    return findings
  }

  func reset() {
    events.removeAll(keepingCapacity: true)
    textStarts.removeAll(keepingCapacity: true)
    text.removeAll()
    markers.removeAll(keepingCapacity: true)
  }
}
