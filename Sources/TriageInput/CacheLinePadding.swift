/// 128 unused bytes: a stored property of this type keeps the fields on one side of it off
/// the cache lines of those on the other (two lines, for the adjacent-line prefetcher).
///
/// Put it between fields one thread writes often and memory another thread uses, so the two
/// threads do not pass a cache line back and forth (false sharing).
public struct CacheLinePadding: Sendable {
  private let words: (Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int) =
    (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)

  public init() {}
}
