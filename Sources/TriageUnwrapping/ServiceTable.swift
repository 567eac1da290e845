import TriageInput

/// Interns service and stream names so records carry small ids instead of strings.
///
/// Names are kept as bytes in one contiguous buffer; a lookup compares the length, then the
/// bytes (`memcmp`), against the last name seen and then every known name. A capture has a
/// handful of services, so this beats hashing; past 64 names a dictionary takes over.
/// Interning happens on one thread; names may be read from another (the classification
/// thread renders them), so adding a name and reading one are serialised by a lock.
/// - Complexity: O(1) for a repeat of the last name; O(k) for k ≤ 64 names; O(length) above.
public final class ServiceTable: @unchecked Sendable {
  public typealias ID = Int32

  private var names: [String] = []
  private let storage = ByteBuffer(capacity: 1024)
  private var spans: [(offset: Int, count: Int)] = []
  private var lastID: ID = -1
  private var namesLock = pthread_mutex_t()
  private var overflowIndex: [[UInt8]: ID] = [:]
  private static let linearLimit = 64

  public init() { pthread_mutex_init(&namesLock, nil) }
  deinit { pthread_mutex_destroy(&namesLock) }

  /// The id of `name`, adding it if new.
  public func intern(_ name: UnsafeBufferPointer<UInt8>) -> ID {
    if lastID >= 0 && equals(Int(lastID), name) { return lastID }
    if spans.count <= Self.linearLimit {
      for index in spans.indices where equals(index, name) {
        lastID = ID(index)
        return lastID
      }
    } else if let id = overflowIndex[Array(name)] {
      lastID = id
      return id
    }
    let id = ID(names.count)
    let text = name.string
    pthread_mutex_lock(&namesLock)
    names.append(text)
    pthread_mutex_unlock(&namesLock)
    spans.append((storage.count, name.count))
    storage.append(name)
    if spans.count > Self.linearLimit {
      if overflowIndex.isEmpty {
        for (index, span) in spans.enumerated() {
          overflowIndex[Array(storage.bytes.slice(span.offset, span.offset + span.count))] = ID(index)
        }
      } else {
        overflowIndex[Array(name)] = id
      }
    }
    lastID = id
    return id
  }

  @inline(__always)
  private func equals(_ index: Int, _ name: UnsafeBufferPointer<UInt8>) -> Bool {
    let span = spans[index]
    guard span.count == name.count else { return false }
    return span.count == 0 || memcmp(storage.base + span.offset, name.baseAddress!, span.count) == 0
  }

  /// The id of `name`, adding it if new.
  public func intern(_ name: String) -> ID {
    var copy = name
    return copy.withUTF8 { intern($0) }
  }

  /// The name behind an id.
  public func name(_ id: ID) -> String {
    pthread_mutex_lock(&namesLock)
    defer { pthread_mutex_unlock(&namesLock) }
    return names[Int(id)]
  }

}
