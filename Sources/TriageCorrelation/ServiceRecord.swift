import TriageUnwrapping

/// What one service did around its crashes (see ``ServiceActivity``).
public struct ServiceRecord: Sendable {
  public var firstSeen: Timestamp?
  public var lastSeen: Timestamp?
  /// The last line below error level before the service's first crash.
  public var lastHealthy: (time: Timestamp, text: String)?
  public var firstError: (time: Timestamp, text: String)?
  public var firstCrash: Timestamp?
  /// The first line after each crash, at least ``ServiceActivity/restartDelay`` later.
  public var restarts: [Timestamp] = []
  /// The first line of the service in each source (a restarted container's new log file:
  /// `kubectl logs --previous`, then the current log): restarts after crashes the service's
  /// own lines do not show (the kernel killed it).
  public var sourceStarts: [Timestamp] = []
  /// The source the service's latest line came from (its position among the sources).
  var lastSource = -1
  /// A crash finding was seen and no line has followed it yet.
  var pendingCrash: Timestamp?
  /// The last healthy line so far (until the first crash): its time and first bytes, kept
  /// as bytes (reused, no String per line) until a crash makes it the last healthy line.
  var latestHealthyTime: Timestamp?
  var latestHealthyBytes: [UInt8] = []

  /// The last healthy line so far, as text.
  var latestHealthy: (time: Timestamp, text: String)? {
    latestHealthyTime.map { ($0, String(decoding: latestHealthyBytes, as: UTF8.self)) }
  }
}
