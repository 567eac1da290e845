/// A stream of text lines to analyse: a file, standard input, or a member of an archive.
public struct TextSource: Sendable, Equatable {
  /// How reports name it: a path, `-` for standard input, or `ARCHIVE:member/path`.
  public let name: String
  /// Whether the bytes were gzip-compressed (at any level of nesting).
  public let wasCompressed: Bool
  /// When the file (or the archive holding it) was last modified, in seconds since the epoch;
  /// nil for standard input. Timestamps without a year take the year from it.
  public let modified: Int64?

  public init(name: String, wasCompressed: Bool = false, modified: Int64? = nil) {
    self.name = name
    self.wasCompressed = wasCompressed
    self.modified = modified
  }

  /// The name used for standard input.
  public static let standardInputName = "-"
}

/// Receives each text source the ``SourceWalker`` finds, in a stable order.
public protocol TextSourceConsumer {
  /// Reads `stream` to its end (or as far as it wants).
  /// - Throws: ``InputError`` to report that this source could not be read; the walk continues
  ///   with the next source.
  mutating func consume(_ source: TextSource, stream: ByteStream) throws(InputError)
}
