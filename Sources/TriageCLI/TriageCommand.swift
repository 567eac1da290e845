import ArgumentParser

/// The `triage` command: the root only declares its subcommands.
public struct TriageCommand: ParsableCommand {
  public static let version = "0.1.0"

  public static let configuration = CommandConfiguration(
    commandName: "triage",
    abstract: "Turn the logs and traces of a failing system into a diagnosis.",
    discussion: """
      Reads worker logs (docker logs, docker compose logs, kubectl logs, CRI and docker \
      json-file files, journald, syslog, dmesg, JSON and logfmt app logs, plain text), gzip \
      files and tar archives, from files, directories or a pipe.

      `triage PATH…` is `triage report PATH…`; with no path, a piped standard input is read.

      Exit status: 0 done; 1 `report --fail-on` reached; 2 an input could not be read (the \
      rest was still analysed); 64 usage error.
      """,
    version: version,
    subcommands: [Report.self, Events.self, Traces.self, Signatures.self],
    defaultSubcommand: Report.self
  )

  public init() {}
}
