import Testing
import TriageUnwrapping

/// `kubectl describe` dates a container's `Started:` and `Finished:` in RFC 1123 with a numeric
/// zone (the client's); Triage reads them in UTC.
@Suite struct RFC1123TimestampTests {
  func parse(_ text: String, at offset: Int = 0) -> String? {
    Array(text.utf8).withUnsafeBufferPointer { $0.rfc1123Timestamp(at: offset)?.description }
  }

  @Test func utcAndOtherZones() {
    #expect(parse("Wed, 12 Nov 2025 14:51:09 +0000") == "2025-11-12T14:51:09.000Z")
    #expect(parse("Wed, 12 Nov 2025 09:51:09 -0500") == "2025-11-12T14:51:09.000Z")
    #expect(parse("Thu, 13 Nov 2025 00:21:09 +0930") == "2025-11-12T14:51:09.000Z")
    #expect(parse("      Finished:     Wed, 12 Nov 2025 14:51:09 +0000", at: 20) == "2025-11-12T14:51:09.000Z")
  }

  @Test func otherShapesAreNotDates() {
    #expect(parse("Wed, 12 Nov 2025 14:51:09") == nil)  // no zone
    #expect(parse("Wed 12 Nov 2025 14:51:09 +0000") == nil)
    #expect(parse("Wed, 12 Foo 2025 14:51:09 +0000") == nil)
    #expect(parse("Wed, 31 Feb 2025 14:51:09 +0000") == nil)
    #expect(parse("Wed, 12 Nov 2025 14:51:09 UTC00") == nil)
  }
}
