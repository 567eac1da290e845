import Testing
import TriageReporting

/// Secrets never reach a report: each kind the issue names, and text that must stay.
@Suite struct RedactorTests {
  let redactor = Redactor()

  @Test(arguments: [
    ("Authorization: Bearer abcDEF123456789xyz", "Authorization: Bearer [REDACTED]"),
    ("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.SflKxwRJSMeKKF2QT4fwpMeJf36 ok", "token [REDACTED:jwt] ok"),
    ("connecting to postgres://app:s3cr3t@db:5432/app", "connecting to postgres://app:[REDACTED]@db:5432/app"),
    ("AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "AWS_SECRET_ACCESS_KEY=[REDACTED]"),
    ("key id AKIAIOSFODNN7EXAMPLE used", "key id [REDACTED:aws-key] used"),
    ("OPENAI_API_KEY='sk-abc123' STRIPE_TOKEN: tok_999 PASSWORD=hunter2", "OPENAI_API_KEY='[REDACTED]' STRIPE_TOKEN: [REDACTED] PASSWORD=[REDACTED]"),
    (#"{"user":"bob","password":"hunter2","ok":true}"#, #"{"user":"bob","password":"[REDACTED]","ok":true}"#),
    ("-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY----- done", "[REDACTED:private-key] done"),
  ])
  func secretsAreRedacted(input: String, expected: String) {
    #expect(redactor.redact(input) == expected)
  }

  @Test(arguments: [
    "GET /tickets/5036 200 in 12ms",
    "connect ECONNREFUSED 10.0.0.5:5432",
    "https://api.example.com/v1/chat/completions returned 429",
    "task 9492f02a-bc58-4de4-8736-40a601493c34 succeeded",
  ])
  func ordinaryTextIsKept(input: String) {
    #expect(redactor.redact(input) == input)
  }
}
