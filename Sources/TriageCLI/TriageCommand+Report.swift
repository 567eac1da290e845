import ArgumentParser
import TriageAssembly
import TriageClassification
import TriageCorrelation
import TriageInput
import TriageReporting
import TriageSpans
import TriageUnwrapping

extension TriageCommand {
  /// `triage report` (and `triage` alone): the whole analysis.
  struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "The whole analysis: incidents (what broke, how often, how bad, what caused it), the requests that died, a timeline.",
      discussion: """
        Findings are grouped into incidents by service and kind; one crash's evidence (the \
        kernel's OOM report, the exit line, the runtime's message) is one occurrence. Severity: \
        every instance of a service down at once → critical; --crash-loop-count crashes within \
        --crash-loop-window minutes → high; a single crash → medium; graceful terminations → info. \
        --fail-on SEVERITY exits with 1 when an incident reaches it.
        """
    )

    @OptionGroup(title: "Input") var input: InputOptions
    @OptionGroup(title: "Output") var output: OutputOptions
    @OptionGroup(title: "Filters") var filters: FilterOptions

    @Option(help: "Output format.")
    var format: ReportFormat = .text

    @Option(
      name: .customLong("patterns"),
      help: "A directory of pattern files (*.yaml) to add to the built-in catalog, or to replace built-ins by id. Repeatable.",
      completion: .directory)
    var patternDirectories: [String] = []

    @Option(name: .customLong("fail-on"), help: "Exit with status 1 when an incident reaches this severity (info, low, medium, high, critical).")
    var failOn: SeverityChoice?

    @Option(name: .customLong("crash-loop-count"), help: "Crashes of a service within the crash-loop window that make an incident high.")
    var crashLoopCount = 3

    @Option(name: .customLong("crash-loop-window"), help: "The crash-loop window, in minutes.")
    var crashLoopWindow = 60

    @Option(name: .customLong("quiet-gap"), help: "Minutes without an occurrence after which the same failure is a new incident.")
    var quietGap = 60

    @Option(name: .customLong("context"), help: "Show each incident's evidence after the N log events before it (Markdown, HTML).")
    var context = 5

    @Flag(help: "Show progress on standard error (automatic on a terminal for inputs of 100 MB or more).")
    var progress = false

    @Flag(name: .customLong("no-redact"), help: "Keep secrets (tokens, JWTs, passwords in URLs, keys) in the report; they are redacted by default.")
    var noRedact = false

    /// Trace ids the report indexes at most.
    static let maximumTraces = 100_000

    func validate() throws {
      guard (0...100).contains(context) else { throw ValidationError("--context takes 0 to 100 events.") }
      guard crashLoopCount >= 1 else { throw ValidationError("--crash-loop-count must be at least 1.") }
      guard crashLoopWindow >= 1, quietGap >= 1 else { throw ValidationError("--crash-loop-window and --quiet-gap are minutes, at least 1.") }
    }

    func run() throws {
      let paths = try input.resolvedPaths()
      let filter = try filters.filter()
      let classifier = Classifier(catalog: try PatternOptions.catalog(directories: patternDirectories))
      var setup = try AnalysisSetup(input: input, output: output)
      setup.showProgress(for: paths, requested: progress)
      let reader = setup.reader
      let writer = setup.writer
      let services = reader.services
      var traceIndex = TraceLogIndex(inner: StatisticsReport(services: services), services: services)
      // Bounded for now: the report needs the traces that failed or died, which come first in
      // any incident worth reading; `triage traces` indexes up to 250,000.
      traceIndex.maximumTraces = Self.maximumTraces
      if format == .markdown || format == .html { traceIndex.contextEvents = context }
      let redactor = noRedact ? nil : Redactor()
      if let redactor { traceIndex.redact = { redactor.redact($0) } }
      let sink = ServiceActivity(inner: traceIndex, services: services)
      // The index and the services' activity, not the sink that held them (so the trace
      // evidence can go once analysed).
      var (index, activity) = { (collected: ServiceActivity<TraceLogIndex<StatisticsReport>>) in (collected.inner, collected.services) }(
        Events.read(paths, with: reader, classifier: classifier, filter: filter, into: sink))
      setup.progress?.stop()

      let findings = index.findings
      var analysis = TraceAnalyzer.Input(store: reader.spans, evidence: index.traces, findings: findings, serviceName: { services.name($0) })
      analysis.includesHealthyLogOnlyTraces = false
      var traces = TraceAnalyzer().analyze(analysis)
      // Every trace id in the logs has an entry; those not analysed were healthy.
      let unanalysed = index.traces.count - traces.count { $0.logEvents > 0 }
      // What the report needs of the logs' trace evidence is in `traces` now: the table
      // (about 100 bytes per trace id) goes before incidents are built.
      analysis.evidence = TraceEvidenceTable()
      index.releaseTraceEvidence()
      var builder = IncidentBuilder()
      builder.crashLoopCount = crashLoopCount
      builder.crashLoopWindow = Int64(crashLoopWindow) * 60_000
      builder.quietGap = Int64(quietGap) * 60_000
      let incidents = builder.build(
        findings: findings, serviceName: { services.name($0) }, activity: activity, traces: &traces)
      let contextBreaks = TraceContextBreak.find(in: traces, store: reader.spans)
      var timeline = Timeline.build(
        incidents: incidents, traces: traces, activity: activity, findings: findings, contextBreaks: contextBreaks,
        serviceName: { services.name($0) })
      if let redactor { for position in timeline.indices { timeline[position].text = redactor.redact(timeline[position].text) } }
      // The report lists traces with spans and the ones that failed or died; healthy traces known
      // only from logs are counted (`triage traces` lists every trace).
      let listed = traces.filter {
        ($0.spanCount > 0 || $0.status != .ok || $0.crash != nil || !$0.incidentIDs.isEmpty) && (filter.isEmpty || filter.admits($0))
      }
      let report = IncidentReport(
        inputs: index.inner.entries, warnings: reader.diagnostics.warnings, findings: findings, incidents: incidents,
        traces: TraceReport(traces: listed, store: reader.spans, findings: findings, serviceName: { services.name($0) }),
        omittedTraces: traces.count - listed.count + unanalysed, timeline: timeline, contextBreaks: contextBreaks,
        serviceName: { services.name($0) })
      switch format {
      case .text:
        let text = report.renderText()
        writer.write(TextEncoding.terminalText(redactor?.redact(text) ?? text))
      case .markdown:
        let text = report.renderMarkdown()
        writer.write(redactor?.redact(text) ?? text)
      case .html:
        let text = report.renderHTML()
        writer.write(redactor?.redact(text) ?? text)
      case .json: report.writeJSON(to: writer)
      }
      writer.flush()
      if index.unindexedEvents > 0 {
        printError("triage: warning: more than \(index.maximumTraces) trace ids in the logs; \(index.unindexedEvents) event(s) with later ids were not joined with spans or crashes (triage traces indexes up to 250,000).")
      }
      try setup.finish(catalog: classifier.catalog)
      if let failOn, let worst = report.worstSeverity, worst >= failOn.severity { throw ExitCode(1) }
    }
  }
}

enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
  case text, json, markdown, html
}

enum SeverityChoice: String, ExpressibleByArgument, CaseIterable {
  case info, low, medium, high, critical
  var severity: Severity { Severity(rawValue: rawValue)! }
}
