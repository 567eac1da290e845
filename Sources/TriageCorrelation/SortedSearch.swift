extension RandomAccessCollection where Index == Int {
  /// The first index whose element satisfies `isAfter`, which must be false and then true along
  /// the collection (it is sorted by what `isAfter` tests): binary search.
  /// - Complexity: O(log n).
  func partitioningIndex(where isAfter: (Element) -> Bool) -> Int {
    var low = startIndex
    var high = endIndex
    while low < high {
      let middle = (low + high) / 2
      if isAfter(self[middle]) { high = middle } else { low = middle + 1 }
    }
    return low
  }

  /// The element nearest to `moment` (milliseconds) within `window` either side that `accepts`,
  /// in a collection sorted by `time`; the earlier one on a tie.
  /// - Complexity: O(log n + elements in the window).
  func nearest(to moment: Int64, within window: Int64, time: (Element) -> Int64, where accepts: (Element) -> Bool) -> Element? {
    var index = partitioningIndex { time($0) >= moment - window }
    var best: (element: Element, distance: Int64)?
    while index < endIndex, time(self[index]) <= moment + window {
      let element = self[index]
      let distance = abs(time(element) - moment)
      if accepts(element), best.map({ distance < $0.distance }) ?? true { best = (element, distance) }
      index += 1
    }
    return best?.element
  }
}
