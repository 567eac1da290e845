import TriageInput

/// Patterns whose regex ran into the work limit (catastrophic backtracking), shared by the
/// classifiers of every thread, so the run can say which patterns it stopped and why.
///
/// A match call that reaches ``Classifier/workLimit`` finds nothing; a classifier stops using a
/// pattern after ``Classifier/overrunsBeforeStop`` such calls. A bad user pattern therefore costs
/// a bounded time per thread, never the run.
public final class PatternOverruns: @unchecked Sendable {
  private var lock = pthread_mutex_t()
  private var counts: [Int: Int] = [:]
  private var stopped: Set<Int> = []

  init() { pthread_mutex_init(&lock, nil) }

  deinit { pthread_mutex_destroy(&lock) }

  func record(_ patternIndex: Int, overruns: Int, stopped isStopped: Bool) {
    pthread_mutex_lock(&lock)
    counts[patternIndex, default: 0] += overruns
    if isStopped { stopped.insert(patternIndex) }
    pthread_mutex_unlock(&lock)
  }

  /// Per pattern that overran: its index in the catalog, how many match calls gave up, and
  /// whether it was stopped; in catalog order.
  public var entries: [(patternIndex: Int, overruns: Int, stopped: Bool)] {
    pthread_mutex_lock(&lock)
    defer { pthread_mutex_unlock(&lock) }
    return counts.keys.sorted().map { ($0, counts[$0]!, stopped.contains($0)) }
  }
}
