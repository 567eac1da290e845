import Foundation
import Testing
import TriageTestSupport

/// Real output of every JSON command validates against its schema in docs/schema/, and the
/// validator itself rejects what breaks the schema.
@Suite struct SchemaTests {
  func validator(_ name: String) throws -> JSONSchemaValidator {
    try JSONSchemaValidator(schemaFile: RepositoryPaths.root + "/docs/schema/\(name).schema.json")
  }

  @Test func reportOutputValidates() throws {
    let validator = try validator("report")
    let samples = ["worker-oom-traces", "celery-crashloop", "scan-worker-k8s", "execution-queue-stuck", "node-worker-otlp", "video-worker-no-workers"]
    for paths in samples.map({ ["Samples/" + $0] }) {
      let run = try TriageProcess(["report", "--format", "json"] + paths)
      let document = try JSONSerialization.jsonObject(with: run.stdout)
      #expect(validator.errors(in: document).isEmpty, "\(paths): \(validator.errors(in: document).prefix(5))")
    }
  }

  @Test func tracesOutputValidates() throws {
    let validator = try validator("traces")
    let run = try TriageProcess(["traces", "--format", "json", "Samples/worker-oom-traces", "../shared/corpus/spans"])
    let document = try JSONSerialization.jsonObject(with: run.stdout)
    #expect(validator.errors(in: document).isEmpty, "\(validator.errors(in: document).prefix(5))")
  }

  @Test func eventsOutputValidates() throws {
    let validator = try validator("events")
    let run = try TriageProcess(["events", "--classify", "--format", "json", "Samples/celery-crashloop/compose.log"])
    var checked = 0
    for line in run.output.split(separator: "\n") {
      let event = try JSONSerialization.jsonObject(with: Data(line.utf8))
      #expect(validator.errors(in: event).isEmpty, "\(validator.errors(in: event).prefix(3))")
      checked += 1
    }
    #expect(checked > 100)
  }

  @Test func theValidatorRejectsWhatBreaksTheSchema() throws {
    let validator = try validator("report")
    let broken: [String: Any] = [
      "schema": "triage.report/1", "inputs": [], "findings": [], "traces": [], "timeline": [],
      "incidents": [["id": "I1", "title": "x", "severity": "urgent", "category": "oom", "services": [], "first_seen": "yesterday",
        "last_seen": NSNull(), "count": 1, "finding_ids": [], "trace_ids": []]],
    ]
    let errors = validator.errors(in: broken)
    #expect(errors.contains { $0.contains("severity") } && errors.contains { $0.contains("first_seen") } && errors.contains { $0.contains("caused_by") })
  }
}
