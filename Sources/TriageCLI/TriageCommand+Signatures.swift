import ArgumentParser
import Foundation
import TriageClassification
import TriageReporting

extension TriageCommand {
  /// `triage signatures`: the crash-signature catalog.
  struct Signatures: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List or check the crash-signature catalog.",
      subcommands: [List.self, Check.self]
    )
  }
}

extension TriageCommand.Signatures {
  /// `triage signatures list`: id, category, confidence, title.
  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the crash signatures in force (built-in and --patterns).")

    @Option(
      name: .customLong("patterns"), help: "A directory of pattern files to add (repeatable).", completion: .directory)
    var directories: [String] = []

    @Option(help: "Output format.")
    var format: EventFormat = .text

    func run() throws {
      let catalog = try PatternOptions.catalog(directories: directories)
      let writer = OutputWriter()
      switch format {
      case .text:
        let width = catalog.patterns.map(\.pattern.id.count).max() ?? 10
        for compiled in catalog.patterns {
          let pattern = compiled.pattern
          let id = pattern.id.padding(toLength: width, withPad: " ", startingAt: 0)
          let category = pattern.category.rawValue.padding(toLength: 18, withPad: " ", startingAt: 0)
          let confidence = pattern.confidence.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
          writer.write("\(id)  \(category)  \(confidence)  \(pattern.title)\n")
        }
      case .json:
        var out: [UInt8] = Array("[".utf8)
        for (index, compiled) in catalog.patterns.enumerated() {
          let pattern = compiled.pattern
          if index > 0 { out.append(contentsOf: ",\n".utf8) }
          out.append(0x7B)
          TextEncoding.appendJSONMember("id", pattern.id, to: &out, first: true)
          TextEncoding.appendJSONMember("category", pattern.category.rawValue, to: &out)
          TextEncoding.appendJSONMember("confidence", pattern.confidence.rawValue, to: &out)
          TextEncoding.appendJSONMember("title", pattern.title, to: &out)
          TextEncoding.appendJSONMember("file", pattern.location.description, to: &out)
          out.append(0x7D)
        }
        out.append(contentsOf: "]\n".utf8)
        writer.write(out)
      }
      writer.flush()
    }
  }

  /// `triage signatures check [DIR...]`: runs every sample; non-zero exit on failure.
  struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Run every pattern's own samples (the built-in catalog, or the pattern files in DIR).",
      discussion: "Exit status: 0 all samples pass; 1 a sample fails (each failure says where and why); 2 a pattern file cannot be loaded."
    )

    @Argument(help: "Directories of pattern files to check; without one, the built-in catalog is checked.", completion: .directory)
    var directories: [String] = []

    func run() throws {
      let catalog = try PatternOptions.catalog(directories: directories)
      let userIDs: Set<String>
      do {
        userIDs = Set(try PatternCatalog.loadFiles(in: directories).map(\.id))
      } catch {
        printError("triage: pattern error: \(error)")
        throw ExitCode(2)
      }
      let checked = directories.isEmpty ? catalog.patterns : catalog.patterns.filter { userIDs.contains($0.pattern.id) }
      let report = PatternCheck.run(checked, in: catalog)
      let writer = OutputWriter()
      for failure in report.failures { writer.write("FAIL \(failure)\n") }
      writer.write("\(report.patterns) patterns, \(report.samples) samples: \(report.failures.isEmpty ? "all pass" : "\(report.failures.count) failure(s)")\n")
      writer.flush()
      if !report.passed { throw ExitCode(1) }
    }
  }
}
