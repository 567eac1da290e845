/// Runs an upstream stream on its own thread, a few chunks ahead of the reader.
///
/// Used for work that can overlap with parsing: inflating gzip, and draining a pipe so its
/// writer never waits. Memory is fixed: `chunkCount` buffers of `chunkSize` bytes.
/// Warnings the upstream records go to the diagnostics object it was given; this class makes
/// sure they are visible to the reader by the time it sees the end of the stream (the lock's
/// happens-before order), and the upstream never touches them after that.
public final class PrefetchingByteStream: ByteStream {
  private final class Shared: @unchecked Sendable {
    let upstream: ByteStream
    var mutex = pthread_mutex_t()
    var condition = pthread_cond_t()
    var filled: [(UnsafeMutableRawBufferPointer, Int)] = []
    var free: [UnsafeMutableRawBufferPointer] = []
    var ended = false
    var cancelled = false
    var error: InputError?

    init(upstream: ByteStream) {
      self.upstream = upstream
      pthread_mutex_init(&mutex, nil)
      pthread_cond_init(&condition, nil)
    }

    deinit {
      pthread_mutex_destroy(&mutex)
      pthread_cond_destroy(&condition)
      for buffer in free { buffer.deallocate() }
      for (buffer, _) in filled { buffer.deallocate() }
    }

    /// The producer loop: fill a free buffer, hand it over, repeat until the end.
    func produce() {
      while true {
        pthread_mutex_lock(&mutex)
        while free.isEmpty && !cancelled { pthread_cond_wait(&condition, &mutex) }
        if cancelled { pthread_mutex_unlock(&mutex); return }
        let buffer = free.removeLast()
        pthread_mutex_unlock(&mutex)

        // One read: a pipe's bytes are handed over as soon as they arrive (files and gzip fill
        // the whole buffer anyway).
        var count = 0
        var failure: InputError?
        do { count = try upstream.read(into: buffer) } catch { failure = error }

        pthread_mutex_lock(&mutex)
        if count > 0 { filled.append((buffer, count)) } else { free.append(buffer) }
        if count == 0 || failure != nil { ended = true; error = failure }
        pthread_cond_broadcast(&condition)
        let stop = ended || cancelled
        pthread_mutex_unlock(&mutex)
        if stop { return }
      }
    }
  }

  private let shared: Shared
  private var thread: pthread_t?
  private var current: (UnsafeMutableRawBufferPointer, Int)?
  private var currentOffset = 0
  private var done = false

  /// Starts the producer thread immediately.
  public init(_ upstream: ByteStream, chunkSize: Int = 256 * 1024, chunkCount: Int = 4) {
    shared = Shared(upstream: upstream)
    for _ in 0..<chunkCount { shared.free.append(.allocate(byteCount: chunkSize, alignment: 16)) }
    let context = Unmanaged.passRetained(shared).toOpaque()
    var handle = pthread_t()
    let status = pthread_create(&handle, nil, { raw in
      let shared = Unmanaged<Shared>.fromOpaque(raw!).takeRetainedValue()
      shared.produce()
      return nil
    }, context)
    if status == 0 {
      thread = handle
    } else {
      // No thread to be had: `read` falls back to reading the upstream directly.
      Unmanaged<Shared>.fromOpaque(context).release()
    }
  }

  deinit {
    pthread_mutex_lock(&shared.mutex)
    shared.cancelled = true
    pthread_cond_broadcast(&shared.condition)
    pthread_mutex_unlock(&shared.mutex)
    // The producer may be blocked in read() on a pipe that never ends (the reader stopped
    // early); do not wait for it. It holds its own reference to the shared state.
    if let thread { pthread_detach(thread) }
    if let (buffer, _) = current { buffer.deallocate() }
  }

  public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
    if done || buffer.count == 0 { return 0 }
    if thread == nil { return try shared.upstream.read(into: buffer) }  // no thread could be made
    if current == nil {
      pthread_mutex_lock(&shared.mutex)
      while shared.filled.isEmpty && !shared.ended { pthread_cond_wait(&shared.condition, &shared.mutex) }
      if shared.filled.isEmpty {
        let failure = shared.error
        pthread_mutex_unlock(&shared.mutex)
        done = true
        if let failure { throw failure }
        return 0
      }
      current = shared.filled.removeFirst()
      currentOffset = 0
      pthread_mutex_unlock(&shared.mutex)
    }
    let (chunk, length) = current!
    let count = min(buffer.count, length - currentOffset)
    buffer.baseAddress!.copyMemory(from: chunk.baseAddress! + currentOffset, byteCount: count)
    currentOffset += count
    if currentOffset == length {
      pthread_mutex_lock(&shared.mutex)
      shared.free.append(chunk)
      pthread_cond_broadcast(&shared.condition)
      pthread_mutex_unlock(&shared.mutex)
      current = nil
    }
    return count
  }
}
