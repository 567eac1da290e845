/// Turns the paths a user gives into text sources: files, directories, standard input,
/// gzip (by its magic bytes, any number of members), and tar archive members.
///
/// Directories are read recursively in a stable order: names sorted bytewise, except that
/// rotated copies of a log come before the live file, oldest first (`app.log.2.gz`,
/// `app.log.1`, `app.log`; `0.log.20251103-1000.gz`, `0.log`). Symbolic links are followed;
/// a link back into an ancestor directory is reported and skipped. FIFOs, sockets and devices
/// met inside a directory are skipped (reading them could block forever); named explicitly,
/// they are read. Markdown documents (`*.md`, such as a sample's write-up) inside a directory
/// are skipped with a warning.
///
/// Nothing stops the walk: a path that cannot be read is recorded in ``InputDiagnostics``
/// and the walk goes on with the next one.
public struct SourceWalker {
  public let diagnostics: InputDiagnostics
  /// How deep gzip and tar may nest (a tar.gz holding .gz files is depth 3).
  public var maximumNesting = 6
  /// Inflate gzip and drain pipes on a second thread, ahead of parsing.
  public var readsAhead = true
  /// Files never to read, as (device, inode): the run's own output file.
  public var excludedFiles: [(device: UInt64, inode: UInt64)] = []
  /// Counts the bytes read from files and standard input, for a progress display.
  public var progress: ProgressMeter?

  public init(diagnostics: InputDiagnostics) {
    self.diagnostics = diagnostics
  }

  /// Visits every source under `paths`, in order. An empty `paths` means nothing (the caller
  /// decides whether standard input is meant).
  public func walk<Consumer: TextSourceConsumer>(paths: [String], into consumer: inout Consumer) {
    for path in paths {
      if path == TextSource.standardInputName {
        let stdin = FileByteStream(borrowing: 0, name: path)
        let counted: ByteStream = progress.map { MeteredByteStream(stdin, meter: $0) } ?? stdin
        visit(readsAhead ? PrefetchingByteStream(counted) : counted, name: path, compressed: false, depth: 0, into: &consumer)
        continue
      }
      let bytes = Array(path.utf8)
      var info = stat()
      if Self.fileStatus(bytes, &info) != 0 {
        diagnostics.fail(InputError.system("read it", source: path, errno: errno))
        continue
      }
      if info.st_mode & S_IFMT == S_IFDIR {
        var ancestors: [(UInt64, UInt64)] = [(UInt64(info.st_dev), UInt64(info.st_ino))]
        walkDirectory(bytes, display: path, ancestors: &ancestors, into: &consumer)
      } else {
        openAndVisit(bytes, display: path, info: info, into: &consumer)
      }
    }
  }

  /// Visits one stream as a source named `name`, sniffing it like a file (gzip, tar, binary).
  public func walk<Consumer: TextSourceConsumer>(stream: ByteStream, named name: String, into consumer: inout Consumer) {
    visit(stream, name: name, compressed: false, depth: 0, into: &consumer)
  }

  private func openAndVisit<Consumer: TextSourceConsumer>(
    _ path: [UInt8], display: String, info: stat, into consumer: inout Consumer
  ) {
    if excludedFiles.contains(where: { $0.device == UInt64(info.st_dev) && $0.inode == UInt64(info.st_ino) }) {
      diagnostics.warn(source: display, kind: .skippedSpecialFile, "this is the output file of this run; skipped.")
      return
    }
    do {
      let file = try FileByteStream(path: path, displayName: display)
      let counted: ByteStream = progress.map { MeteredByteStream(file, meter: $0) } ?? file
      visit(counted, name: display, compressed: false, depth: 0, modified: Int64(info.st_mtim.tv_sec), into: &consumer)
    } catch {
      diagnostics.fail(error)
    }
  }

  /// `stat(2)` on a path given as bytes.
  static func fileStatus(_ path: [UInt8], _ info: inout Glibc.stat) -> Int32 {
    (path + [0]).withUnsafeBufferPointer { bytes in
      bytes.withMemoryRebound(to: CChar.self) { fstatat(AT_FDCWD, $0.baseAddress!, &info, 0) }
    }
  }

  private func walkDirectory<Consumer: TextSourceConsumer>(
    _ directory: [UInt8], display: String, ancestors: inout [(UInt64, UInt64)], into consumer: inout Consumer
  ) {
    let handle = (directory + [0]).withUnsafeBufferPointer { bytes in
      bytes.withMemoryRebound(to: CChar.self) { opendir($0.baseAddress!) }
    }
    guard let handle else {
      diagnostics.fail(InputError.system("list the directory", source: display, errno: errno))
      return
    }
    // Names are kept as bytes for system calls; the decoded form is only for sorting and messages.
    var entries: [(name: String, bytes: [UInt8])] = []
    while let entry = readdir(handle) {
      let bytes = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix(while: { $0 != 0 })) }
      if bytes != [0x2E] && bytes != [0x2E, 0x2E] { entries.append((String(decoding: bytes, as: UTF8.self), bytes)) }
    }
    closedir(handle)
    entries.sort { Self.readingOrder($0.name, $1.name) }

    for (name, nameBytes) in entries {
      let path = (directory.last == 0x2F ? directory : directory + [0x2F]) + nameBytes
      let shown = display.hasSuffix("/") ? display + name : display + "/" + name
      var info = stat()
      if Self.fileStatus(path, &info) != 0 {
        let code = errno
        diagnostics.warn(
          source: shown, kind: .unreadable,
          code == ENOENT ? "a broken symbolic link; skipped." : "cannot be read (\(String(cString: strerror(code)))); skipped."
        )
        continue
      }
      switch info.st_mode & S_IFMT {
      case S_IFDIR:
        let identity = (UInt64(info.st_dev), UInt64(info.st_ino))
        if ancestors.contains(where: { $0 == identity }) {
          diagnostics.warn(source: shown, kind: .skippedSpecialFile, "a symbolic link loop (it leads back to a directory being read); skipped.")
          continue
        }
        ancestors.append(identity)
        walkDirectory(path, display: shown, ancestors: &ancestors, into: &consumer)
        ancestors.removeLast()
      case S_IFREG:
        if name.hasSuffix(".md") {
          diagnostics.warn(source: shown, kind: .documentationSkipped, "a Markdown document, not a log; skipped. Name it explicitly to read it.")
          continue
        }
        openAndVisit(path, display: shown, info: info, into: &consumer)
      default:
        diagnostics.warn(
          source: shown, kind: .skippedSpecialFile,
          "not a regular file (a FIFO, socket or device); skipped inside a directory. Name it explicitly to read it."
        )
      }
    }
  }

  /// Sniffs a stream and routes it: gzip is inflated and sniffed again, tar members are
  /// visited one by one, text goes to the consumer, anything else is reported and skipped.
  private func visit<Consumer: TextSourceConsumer>(
    _ stream: ByteStream, name: String, compressed: Bool, depth: Int, modified: Int64? = nil, into consumer: inout Consumer
  ) {
    do {
      let peek = try PeekableByteStream(stream, peeking: ContentKind.sampleSize)
      switch ContentKind.classify(prefix: peek.prefix) {
      case .text:
        try consumer.consume(TextSource(name: name, wasCompressed: compressed, modified: modified), stream: peek)
      case .gzip:
        guard depth < maximumNesting else { return warnNesting(name) }
        let inflater = GzipByteStream(peek, source: name, diagnostics: diagnostics)
        visit(
          readsAhead ? PrefetchingByteStream(inflater) : inflater, name: name, compressed: true, depth: depth + 1, modified: modified,
          into: &consumer)
      case .tar:
        guard depth < maximumNesting else { return warnNesting(name) }
        let archive = TarArchiveReader(peek, source: name, diagnostics: diagnostics)
        try archive.forEachMember { member, memberStream in
          visit(memberStream, name: "\(name):\(member.path)", compressed: compressed, depth: depth + 1, modified: modified, into: &consumer)
        }
      case .unsupportedCompression(let format):
        diagnostics.warn(
          source: name, kind: .unsupportedCompression,
          "\(format)-compressed data is not read; skipped. Decompress it first (or pipe it in)."
        )
      case .binary(let reason):
        diagnostics.warn(source: name, kind: .binarySkipped, "binary data (\(reason)); skipped.")
      }
    } catch {
      diagnostics.fail(error)
    }
  }

  private func warnNesting(_ name: String) {
    diagnostics.warn(source: name, kind: .nestingTooDeep, "archives and compression nested more than \(maximumNesting) levels deep; skipped.")
  }

  /// Directory reading order: bytewise by name, but rotated copies of a log (`NAME.N`,
  /// `NAME.N.gz`, `NAME.DATE`, `NAME-DATE.gz`) come before `NAME`, oldest first.
  static func readingOrder(_ left: String, _ right: String) -> Bool {
    let a = rotationKey(left)
    let b = rotationKey(right)
    if a.base != b.base { return a.base.utf8.lexicographicallyPrecedes(b.base.utf8) }
    if a.rank != b.rank { return a.rank < b.rank }
    if a.order != b.order { return a.order.utf8.lexicographicallyPrecedes(b.order.utf8) }
    return left.utf8.lexicographicallyPrecedes(right.utf8)
  }

  /// (base name, 0 for a rotated copy / 1 for the live file, sort key among copies).
  /// A numbered copy is `NAME.N` (N of at most 4 digits); a dated copy ends in `.DATE` or
  /// `-DATE` where DATE has at least 8 digits (separators `-`, `_`, `T` allowed).
  static func rotationKey(_ name: String) -> (base: String, rank: Int, order: String) {
    var stem = Substring(name)
    if stem.hasSuffix(".gz") { stem = stem.dropLast(3) }
    let runStart = stem.lastIndex(where: { !("0123456789-_T".contains($0)) }).map { stem.index(after: $0) } ?? stem.startIndex
    guard runStart > stem.startIndex, runStart < stem.endIndex else { return (name, 1, "") }
    let separator = stem[stem.index(before: runStart)]
    let run = stem[runStart...]
    let digitCount = run.filter(\.isNumber).count
    let base = String(stem[..<stem.index(before: runStart)])
    if separator == ".", digitCount == run.count, run.count <= 4, let number = Int(run) {
      // Numbered rotation: a higher number is older, so it sorts first.
      let inverted = String(9_999 - number)
      return (base, 0, String(repeating: "0", count: 4 - inverted.count) + inverted)
    }
    if separator == "." || separator == "-", digitCount >= 8 {
      return (base, 0, String(run))  // dated rotation: the date sorts oldest first
    }
    return (name, 1, "")
  }
}
