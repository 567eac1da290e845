import TriageUnwrapping

/// Nanosecond arithmetic that clamps instead of trapping: dumps can hold any number.
public enum Nanoseconds {
  /// `value × factor`, clamped to the range of Int64 (µs → ns for Jaeger and Zipkin).
  public static func scale(_ value: UInt64, by factor: Int64) -> Int64 {
    let (product, overflow) = Int64(clamping: value).multipliedReportingOverflow(by: factor)
    return overflow ? .max : product
  }

  /// `left + right`, clamped.
  public static func add(_ left: Int64, _ right: Int64) -> Int64 {
    let (sum, overflow) = left.addingReportingOverflow(right)
    return overflow ? (right > 0 ? .max : .min) : sum
  }

  /// `left - right`, clamped.
  public static func subtract(_ left: Int64, _ right: Int64) -> Int64 {
    let (difference, overflow) = left.subtractingReportingOverflow(right)
    return overflow ? (right < 0 ? .max : .min) : difference
  }
}

extension Timestamp {
  /// Nanoseconds since the epoch, clamped (years before 1677 or after 2262 do not fit).
  public var nanoseconds: Int64 {
    let (product, overflow) = millisecondsSinceEpoch.multipliedReportingOverflow(by: 1_000_000)
    return overflow ? (millisecondsSinceEpoch < 0 ? .min : .max) : product
  }
}
