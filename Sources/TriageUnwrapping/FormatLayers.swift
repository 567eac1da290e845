/// The layers a record was found wrapped in, outermost first, plus the payload's own format.
///
/// Names join with `+` in reports: `docker-compose+python`, `cri+json`, `journald+text`.
public struct FormatLayers: OptionSet, Sendable, Hashable {
  public let rawValue: UInt32
  public init(rawValue: UInt32) { self.rawValue = rawValue }

  // Transport layers, in the order they wrap each other.
  public static let dockerJSON = FormatLayers(rawValue: 1 << 0)
  public static let cri = FormatLayers(rawValue: 1 << 1)
  public static let journaldJSON = FormatLayers(rawValue: 1 << 2)
  public static let compose = FormatLayers(rawValue: 1 << 3)
  public static let kubectlPrefix = FormatLayers(rawValue: 1 << 4)
  public static let timestampPrefix = FormatLayers(rawValue: 1 << 5)
  public static let journald = FormatLayers(rawValue: 1 << 6)
  public static let syslog = FormatLayers(rawValue: 1 << 7)
  public static let syslog5424 = FormatLayers(rawValue: 1 << 8)
  public static let dmesg = FormatLayers(rawValue: 1 << 9)
  public static let ansi = FormatLayers(rawValue: 1 << 10)
  public static let otlpLogs = FormatLayers(rawValue: 1 << 11)
  // Payload formats (at most one).
  public static let json = FormatLayers(rawValue: 1 << 16)
  public static let logfmt = FormatLayers(rawValue: 1 << 17)
  public static let klog = FormatLayers(rawValue: 1 << 18)
  public static let python = FormatLayers(rawValue: 1 << 19)
  public static let celery = FormatLayers(rawValue: 1 << 20)
  public static let text = FormatLayers(rawValue: 1 << 21)

  /// Every layer with its report name, in report order.
  public static let named: [(FormatLayers, String)] = [
    (.dockerJSON, "docker-json"), (.cri, "cri"), (.journaldJSON, "journald-json"), (.otlpLogs, "otlp-logs"),
    (.compose, "docker-compose"), (.kubectlPrefix, "kubectl-prefix"), (.timestampPrefix, "timestamps"),
    (.journald, "journald"), (.syslog, "syslog"), (.syslog5424, "syslog5424"), (.dmesg, "dmesg"), (.ansi, "ansi"),
    (.json, "json"), (.logfmt, "logfmt"), (.klog, "klog"), (.python, "python"), (.celery, "celery"), (.text, "text"),
  ]

  /// The report name: layer names joined with `+` (`plain` when nothing was recognised).
  public var name: String {
    let names = Self.named.filter { contains($0.0) }.map(\.1)
    return names.isEmpty ? "plain" : names.joined(separator: "+")
  }
}
