/// A bounded queue that hands values from one thread to another, blocking when full or empty.
///
/// Used where a stage runs on its own thread: the producer blocks once `capacity` values wait,
/// so memory stays bounded whatever the speeds of the two sides.
public final class HandoffQueue<Element>: @unchecked Sendable {
  private var items: [Element] = []
  private var head = 0
  private let capacity: Int
  private var mutex = pthread_mutex_t()
  private var notEmpty = pthread_cond_t()
  private var notFull = pthread_cond_t()

  public init(capacity: Int) {
    self.capacity = max(capacity, 1)
    pthread_mutex_init(&mutex, nil)
    pthread_cond_init(&notEmpty, nil)
    pthread_cond_init(&notFull, nil)
  }

  deinit {
    pthread_mutex_destroy(&mutex)
    pthread_cond_destroy(&notEmpty)
    pthread_cond_destroy(&notFull)
  }

  /// Adds a value, waiting while the queue is full.
  public func put(_ element: Element) {
    pthread_mutex_lock(&mutex)
    while items.count - head >= capacity { pthread_cond_wait(&notFull, &mutex) }
    items.append(element)
    pthread_cond_signal(&notEmpty)
    pthread_mutex_unlock(&mutex)
  }

  /// Removes the oldest value if there is one, without waiting.
  public func tryTake() -> Element? {
    pthread_mutex_lock(&mutex)
    defer { pthread_mutex_unlock(&mutex) }
    guard head < items.count else { return nil }
    return removeOldest()
  }

  /// Removes the oldest value, waiting while the queue is empty.
  public func take() -> Element {
    pthread_mutex_lock(&mutex)
    while head == items.count { pthread_cond_wait(&notEmpty, &mutex) }
    let element = removeOldest()
    pthread_mutex_unlock(&mutex)
    return element
  }

  /// Removes the oldest value (the caller holds the mutex and knows there is one).
  private func removeOldest() -> Element {
    let element = items[head]
    head += 1
    if head == items.count {
      items.removeAll(keepingCapacity: true)
      head = 0
    }
    pthread_cond_signal(&notFull)
    return element
  }
}

/// Starts `body` on a new thread. Returns nil when no thread could be made.
public func startThread(_ body: @escaping () -> Void) -> pthread_t? {
  final class Box { let body: () -> Void; init(_ body: @escaping () -> Void) { self.body = body } }
  let context = Unmanaged.passRetained(Box(body)).toOpaque()
  var handle = pthread_t()
  let status = pthread_create(&handle, nil, { raw in
    Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue().body()
    return nil
  }, context)
  if status != 0 {
    Unmanaged<Box>.fromOpaque(context).release()
    return nil
  }
  return handle
}
